#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""Write the seed corpora of the fuzz targets.

    tests/fuzz/make-seeds.py [--out tests/fuzz/corpus]

Each seed is a scenario written the way the target reads its input: every
value goes through Enc.u(value, lo, hi), the inverse of the data
producer's draw of an integer in [lo, hi] (as many little-endian bytes as
the range needs, the value minus lo). The draws of each operation are
written in the order fuzz_ops.c and fuzz_decode.c make them, so a change
to those orders means running this again (the seeds stay valid inputs
either way; they only stop meaning what their names say).

CONFIGS mirrors the pinned configurations of fuzz_common.c (fz_pinned[],
the first indexes an input's first byte picks when every format is built
in), with the geometry iopgt_init() gives each (ARM: with
IOPGT_QUIRK_ARM_BBML2, without which the contiguous run sizes are not
offered). The index is written as one byte, as long as there are fewer
than 256 configurations in all. Run a seed with
IOPGT_FUZZ_VERBOSE=1 build/<preset>/fuzz_ops_replay <file> to see what it
does step by step. Files named bug-* in the corpus were found by fuzzing
and are kept by hand: this script never writes or removes them.
"""
import argparse
import os

# name, levels, granule_lg2, top_lg2, ias, oas, pgsize_bitmap
CONFIGS = [
    ("amdv1/mode3", 3, 12, 9, 39, 52, 0x7ffffff000),
    ("amdv1/mode4", 4, 12, 9, 48, 52, 0xff7ffffff000),
    ("amdv1/mode6", 6, 12, 7, 64, 52, 0x1ffff7ffffff000),
    ("amdv1/mode2-ias28", 2, 12, 9, 28, 52, 0x1ffff000),
    ("amdv1/mode4-4k2m1g", 4, 12, 9, 48, 52, 0x40201000),
    ("vtd_sl/3lvl", 3, 12, 9, 39, 52, 0x40201000),
    ("vtd_sl/4lvl", 4, 12, 9, 48, 52, 0x40201000),
    ("vtd_sl/5lvl", 5, 12, 9, 57, 52, 0x40201000),
    ("vtd_sl/4lvl-4konly", 4, 12, 9, 48, 52, 0x1000),
    ("vtd_sl/ias35", 3, 12, 9, 35, 52, 0x40201000),
    ("vtd_fl/4lvl", 4, 12, 9, 47, 52, 0x40201000),
    ("vtd_fl/5lvl", 5, 12, 9, 56, 52, 0x40201000),
    ("vtd_fl/4lvl-no1g", 4, 12, 9, 47, 52, 0x201000),
    ("vtd_fl/ias44", 4, 12, 9, 44, 52, 0x40201000),
    ("arm_s1/4k-48", 4, 12, 9, 48, 48, 0x442211000),
    ("arm_s1/4k-39", 3, 12, 9, 39, 48, 0x442211000),
    ("arm_s1/16k-47", 3, 14, 11, 47, 48, 0x42204000),
    ("arm_s1/64k-52", 3, 16, 10, 52, 52, 0x40420210000),
    ("arm_s1/4k-48-bbml2-4k2m1g", 4, 12, 9, 48, 48, 0x40201000),
    ("arm_s2/4k-40-concat", 3, 12, 10, 40, 48, 0x442211000),
    ("arm_s2/16k-48", 3, 14, 12, 48, 48, 0x42204000),
    ("arm_s2/64k-42", 2, 16, 13, 42, 48, 0x420210000),
    ("arm_s2/64k-46-concat16", 2, 16, 17, 46, 48, 0x420210000),
    ("amdv1/mode1", 1, 12, 9, 21, 52, 0x1ff000),
    ("arm_s1/4k-32", 3, 12, 2, 32, 40, 0x42211000),
    ("riscv/sv39", 3, 12, 9, 38, 56, 0x40201000),
    ("riscv/sv48", 4, 12, 9, 47, 56, 0x8040201000),
    ("riscv/sv57", 5, 12, 9, 56, 56, 0x1008040201000),
    ("riscv_g/sv39x4", 3, 12, 11, 41, 56, 0x40201000),
    ("riscv_g/sv48x4", 4, 12, 11, 50, 56, 0x8040201000),
    ("riscv_g/sv57x4", 5, 12, 11, 59, 56, 0x1008040201000),
    ("riscv/sv39-napot-pbmt", 3, 12, 9, 38, 56, 0x40211000),
    ("riscv_g/sv48x4-napot", 4, 12, 11, 50, 56, 0x8040211000),
    ("arm_s1/4k-52-lpa2-bbml2", 5, 12, 4, 52, 52, 0x8442211000),
    ("arm_s2/4k-52-lpa2-concat16", 4, 12, 13, 52, 52, 0x8442211000),
    ("arm_s2/16k-52-lpa2", 4, 14, 5, 52, 52, 0x1042204000),
    ("arm_s1/16k-36-lpa2-bbml2", 2, 14, 11, 36, 52, 0x42204000),
]

U64 = (1 << 64) - 1

# ARM contiguous run sizes per granule, offered only with BBML2
ARM_CONTIG = {12: (16, 25, 34), 14: (21, 30), 16: (21, 34)}


def pgsizes(c, bbml2):
    name, levels, g, top, ias, oas, pgs = c
    if name.startswith("arm") and not bbml2:
        for s in ARM_CONTIG[g]:
            pgs &= ~(1 << s)
    return pgs


def mask(lg2):
    return U64 if lg2 >= 64 else (1 << lg2) - 1


def lpa2(c):
    """ARM with FEAT_LPA2 descriptors (IOPGT_QUIRK_ARM_LPA2)"""
    return "lpa2" in c[0]


# ARM VMSAv8-64 descriptors, from FORMATS.md: bits 1:0 are 0b11 for a
# table (above the leaf level) or a page (at it) and 0b01 for a block; AF
# is bit 10; stage 1 AP[1] (bit 6) lets unprivileged accesses (a
# device's) through and AP[2] (bit 7) makes a leaf read-only, stage 2 S2AP
# (bits 7:6) grants write and read, MemAttr (bits 5:2) 0b1111 is normal
# write-back memory. The address field is granule-aligned: bits 47:g,
# with the 64K granule and a 52-bit OA PA[51:48] in bits 15:12; with LPA2
# (4K and 16K granules) bits 49:g, and PA[51:50] in bits 9:8, where SH
# would otherwise be. Hardware dirty management: DBM (bit 51) set makes a
# writable leaf writable-clean with AP[2] set (stage 1) or S2AP[1] clear
# (stage 2); the SMMU makes it dirty by flipping that bit.
ARM_PAGE, ARM_BLOCK = 3, 1
ARM_DBM = 1 << 51
ARM_AF = 1 << 10
ARM_S1_AP1, ARM_S1_AP2 = 1 << 6, 1 << 7
ARM_S2_READ, ARM_S2_WRITE = 1 << 6, 1 << 7
ARM_S2_NORMAL_WB = 0xf << 2


def arm_addr(c, oa):
    g, oas = c[2], c[5]
    assert not oa & mask(g) and oa < 1 << oas, hex(oa)
    if lpa2(c):
        return (oa & mask(50) & ~mask(g)) | (oa >> 50 & 3) << 8
    if g == 16 and oas == 52:
        return (oa & mask(48) & ~mask(g)) | (oa >> 48 & 0xf) << 12
    return oa & mask(48) & ~mask(g)


def arm_leaf(c, level, oa, write=True, clean=False):
    """A page (@level 0, iopgt's numbering) or block descriptor mapping
    @oa, readable, writable if @write: then with DBM and writable-clean
    if @clean, or plainly writable (as if already dirty) if not."""
    d = arm_addr(c, oa) | ARM_AF | (ARM_PAGE if level == 0 else ARM_BLOCK)
    if write and clean:
        d |= ARM_DBM
    if c[0].startswith("arm_s2"):
        d |= ARM_S2_NORMAL_WB | ARM_S2_READ
        return d | (ARM_S2_WRITE if write and not clean else 0)
    return d | ARM_S1_AP1 | (0 if write and not clean else ARM_S1_AP2)


def bits(m):
    return [i for i in range(64) if (m >> i) & 1]


class Enc:
    """The inverse of tests/fuzz/producer.c."""

    def __init__(self):
        self.b = bytearray()

    def u(self, v, lo, hi):
        assert lo <= v <= hi, (v, lo, hi)
        r, x, shift = hi - lo, v - lo, 0
        while shift < 64 and (r >> shift):
            self.b.append((x >> shift) & 0xff)
            shift += 8

    def bool(self, v):
        self.u(int(bool(v)), 0, 1)

    def chance(self, n, v):
        self.u(n - 1 if v else 0, 0, n - 1)

    def pick(self, m, bit):
        self.u(bits(m).index(bit), 0, len(bits(m)) - 1)


def config(name):
    for i, c in enumerate(CONFIGS):
        if c[0] == name:
            return i, c
    raise KeyError(name)


def item_lg2(c, level):
    g = c[2]
    return g + level * (g - 3)


class Input:
    """What every target's input starts with: the configuration's index."""

    def __init__(self, name):
        self.e = Enc()
        self.idx, self.c = config(name)
        self.e.u(self.idx, 0, len(CONFIGS) - 1)


def encoded(seeds):
    """The bytes of each input of @seeds, by name."""
    return {k: bytes(v.e.b) for k, v in seeds.items()}


# ---- fuzz_ops -------------------------------------------------------------

OP = dict(map=0, deep_merge=2, unmap=3, split_stale=4, read_dirty=5,
          unmap_read_dirty=6, split=7, merge=8, write=9, tracking=10,
          read=11, write_run=12, check=13, split_merge=14, clear_all=15)
# Operations no allocation failure is drawn for
NO_INJECT = ("split_merge", "deep_merge", "split_stale", "tracking")
ARGS = dict(plain=0, jitter=2, hostile=3)
READ, WRITE, NOEXEC, CACHE, MMIO = 1, 2, 4, 8, 16


class Ops(Input):
    """A fuzz_ops input: setup, then one method per operation."""

    def __init__(self, name, lowpa=False, notrack=False, noncoherent=False,
                 nobbml2=False, bbml1=False, large=False, pos=0, base_k=0,
                 pa_k=0, pa_high=0):
        """@pa_high: PA[51:50] of every PA drawn (LPA2 configs only)"""
        super().__init__(name)
        _, levels, g, top, ias, oas, _ = self.c
        pgs = pgsizes(self.c, not nobbml2)
        flags = (lowpa << 0 | notrack << 1 | noncoherent << 2 |
                 nobbml2 << 3 | large << 4 | pos << 5 | bbml1 << 7)
        self.e.u(flags, 0, 255)
        self.min_lg2 = bits(pgs)[0]
        self.unit_lg2 = self.min_lg2
        self.w = self.min_lg2 + 10
        if large and levels > 1:
            big = pgs & ~mask(item_lg2(self.c, 1))
            if big:
                self.unit_lg2 = bits(big)[0]
            self.w = item_lg2(self.c, 2 if levels > 2 else 1) + 1
            self.w = min(self.w, self.unit_lg2 + 11)
        self.w = min(self.w, ias)
        if self.w < self.unit_lg2 + 1:
            self.unit_lg2 = self.w - 1
        top_item = item_lg2(self.c, levels - 1)
        if pos == 0:
            self.base = 0
        elif pos == 1:
            self.base = 0
            if top_item < ias and top_item >= self.w:
                self.base = (1 << top_item) - (1 << (self.w - 1))
        elif pos == 2:
            self.base = (1 << ias) - (1 << self.w) if ias < 64 else \
                (1 << 64) - (1 << self.w)
        else:
            self.e.u(base_k, 0, mask(ias - self.w))
            self.base = base_k << self.w
        self.e.u(pa_k, 0, 0xff)
        if lpa2(self.c):
            self.e.u(pa_high, 0, 3)
        else:
            assert not pa_high
        self.pgs = pgs

    def sizes(self):
        return self.pgs & ~mask(self.unit_lg2) & mask(self.w)

    def _opc(self, op, args="plain", inject=None, bit7=False):
        """@bit7: the PA follows the IOVA (map), ALLOW_FAULT (split, merge),
        IOPGT_UNMAP_CUT (unmap, unmap_read_dirty)"""
        opc = OP[op] | ARGS[args] << 4 | (inject is not None) << 6 | \
            bit7 << 7
        self.e.u(opc, 0, 255)
        if inject is not None and op not in NO_INJECT:
            self.e.u(inject, 0, 7)

    def _size(self, s):
        m = self.sizes()
        if m:
            self.e.pick(m, s)
        else:
            assert s == self.unit_lg2

    def _prot(self, prot):
        """draw_prot(f, true)"""
        weird = prot & ~0x1f or not prot & 3
        self.e.chance(16, weird)
        if weird:
            self.e.u(prot, 0, 63)
        else:
            self.e.u(prot & 3, 1, 3)
            self.e.u(prot >> 2, 0, 7)

    def _range(self, s, k, n, args="plain", jitter=(0, 0, False),
               hostile=None):
        """Pages [k, k + n) of 2^s from the window's start."""
        self._size(s)
        self.e.u(k, 0, ((1 << self.w) >> s) - 1)
        self.e.u(n, 1, 4)
        if args == "jitter":
            self.e.u(jitter[0], 0, 15)
            self.e.u(jitter[1], 0, 15)
            self.e.bool(jitter[2])
        if args == "hostile":
            kind, arg = hostile
            self.e.u(kind, 0, 5)
            if kind in (1, 2):
                self.e.u(arg, 1, (1 << self.min_lg2) - 1)
            elif kind in (3, 4):
                self.e.u(arg, 1, 4)

    def map(self, s, k, n, pa=0, pa_follows=False, prot=None, args="plain",
            inject=None, hostile=None, pa_hostile=None, jitter=(0, 0, False),
            pa_jitter=0):
        """@pa: page number of 2^s unless the PA follows the IOVA."""
        self._opc("map", args, inject, pa_follows)
        self._range(s, k, n, args, jitter, hostile)
        if not pa_follows:
            self.e.u(pa, 0, 0xffff)
        if args == "jitter":
            self.e.u(pa_jitter, 0, 15)
        self.e.bool(prot is not None)
        if prot is not None:
            self._prot(prot)
        if args == "hostile":
            kind, arg = pa_hostile or (0, None)
            self.e.u(kind, 0, 3)
            if kind == 1:
                self.e.u(arg, 1, mask(self.min_lg2))
            elif kind == 3:
                self.e.bool(arg)

    def unmap(self, s, k, n, args="plain", hostile=None, cut=False,
              inject=None, jitter=(0, 0, False)):
        """@cut: IOPGT_UNMAP_CUT; @inject: allocation failure (a cut)"""
        self._opc("unmap", args, inject, cut)
        self._range(s, k, n, args, jitter, hostile)

    def read_dirty(self, s, k, n, pgshift=12, no_clear=False, record=False,
                   back=0, no_bitmap=False):
        self._opc("read_dirty")
        self._range(s, k, n)
        self.e.u(pgshift, 12, 21)
        self.e.bool(no_clear)
        self.e.chance(4, record)
        self.e.chance(8, False)
        self.e.chance(8, no_bitmap)
        self.e.u(back, 0, 2)

    def unmap_read_dirty(self, s, k, n, pgshift=12, args="plain",
                         cut=False, inject=None, jitter=(0, 0, False)):
        self._opc("unmap_read_dirty", args, inject, cut)
        self._range(s, k, n, args, jitter)
        self.e.u(pgshift, 12, 21)

    def split(self, s, k, n, to, inject=None, allow_fault=False):
        self._opc("split", inject=inject, bit7=allow_fault)
        self._range(s, k, n)
        self._size(to)

    def merge(self, s, k, n, allow_fault=False):
        self._opc("merge", bit7=allow_fault)
        self._range(s, k, n)

    def _dma(self, op, page, count, stride_lg2):
        self._opc(op)
        # The count is an argument of op_dma(): drawn before the IOVA
        if op == "read":
            self.e.u(count, 1, 8)
        elif op == "write_run":
            self.e.u(count, 1, 32)
        self.e.u(page, 0, (1 << (self.w - 12)) - 1)
        hi = self.w - 4 if self.w - 4 > 12 else 12
        self.e.u(stride_lg2, 12, hi)

    def write(self, page, stride_lg2=12):
        """One device write at 4K page @page of the window."""
        self._dma("write", page, 1, stride_lg2)

    def write_run(self, page, count, stride_lg2=12):
        self._dma("write_run", page, count, stride_lg2)

    def read(self, page, count=1, stride_lg2=12):
        self._dma("read", page, count, stride_lg2)

    def split_merge(self, s, k, n):
        self._opc("split_merge")
        self._range(s, k, n)

    def check(self):
        self._opc("check")

    # ---- edits under DMA (fuzz_ops.c: op_deep_merge, op_split_stale)

    def _sizes_between(self, lo, hi):
        return self.pgs & mask(hi) & ~mask(max(lo, 0))

    def _fresh(self, lg2, k, prot, pa):
        """fresh_region(): @pa None when the PA follows the IOVA"""
        self.e.u(k, 0, ((1 << self.w) >> lg2) - 1)
        self.e.chance(8, prot is not None)
        if prot is not None:
            self._prot(prot)
        self.e.bool(pa is None)
        if pa is not None:
            self.e.u(pa, 0, 0xffff)

    def _stale(self, spots, blind, prime, after, clear):
        """stale_edit(): @spots the lengths of the spots, in order.

        @prime: (spot, 4K page in it, write) for each access before the
        edit; each must hit a mapped leaf, so that it is remembered.
        @after: (write, where, 4K page): @where a spot index, or
        ("ent", i, size_lg2) for the leaf the i-th access before cached
        (its size then, to bound the page drawn).
        """
        def spot_page(spot, page):
            """stale_draw_iova()"""
            self.e.u(spot, 0, len(spots) - 1)
            self.e.u(page, 0, (spots[spot] >> 12) - 1)

        self.e.bool(blind)
        self.e.u(len(prime), 0, 8)
        for spot, page, write in prime:
            spot_page(spot, page)
            self.e.chance(4, write)
        self.e.u(len(after), 0, 16)
        for write, where, page in after:
            self.e.chance(4, not write)
            if prime:
                self.e.bool(isinstance(where, tuple))
            if isinstance(where, tuple):
                _, i, size_lg2 = where
                self.e.u(i, 0, len(prime) - 1)
                self.e.u(page, 0, mask(size_lg2 - 12))
            else:
                spot_page(where, page)
        self.e.bool(clear)

    def deep_merge(self, big, k, s1, subs=(), prot=None, pa=None,
                   blind=False, prime=(), after=(), clear=True):
        """A 2^@big region mapped, split to 2^@s1; @subs: (index of a
        2^s1 block, size it is split to, index of a block of that size
        split to the smallest page or None); then merged under DMA. The
        spots are each sub's deepest block, then the region."""
        self._opc("deep_merge")
        sizes = 0
        for lvl in range(1, self.c[1]):
            b = item_lg2(self.c, lvl)
            if b < self.w and (self.pgs >> b) & 1:
                sizes |= 1 << b
        self.e.pick(sizes, big)
        self._fresh(big, k, prot, pa)
        spots = []
        self.e.pick(self._sizes_between(big - 10, big), s1)
        self.e.u(len(subs), 0, 3)
        for idx, s2, deeper in subs:
            self.e.u(idx, 0, mask(big - s1))
            self.e.pick(self._sizes_between(s1 - 10, s1), s2)
            if s2 > self.min_lg2 and s2 - self.min_lg2 <= 10:
                self.e.bool(deeper is not None)
            if deeper is not None:
                self.e.u(deeper, 0, mask(s1 - s2))
                spots.append(1 << s2)
            else:
                spots.append(1 << s1)
        spots.append(1 << big)
        self._stale(spots, blind, prime, after, clear)

    def split_stale(self, big, k, to, multi=True, prot=None, pa=None,
                    blind=False, prime=(), after=(), clear=True):
        """A 2^@big region mapped whole, split to 2^@to under DMA."""
        self._opc("split_stale")
        natural = 0
        for lvl in range(self.c[1]):
            natural |= 1 << item_lg2(self.c, lvl)
        cand = self.pgs & mask(self.w) & ~mask(self.min_lg2 + 1)
        self.e.chance(4, not multi)
        m = cand & ~natural if multi and cand & ~natural else cand
        self.e.pick(m, big)
        self._fresh(big, k, prot, pa)
        m = self._sizes_between(big - 10, big)
        if m:
            self.e.pick(m, to)
        else:
            assert to == bits(self.pgs & mask(big))[-1]
        self._stale([1 << big], blind, prime, after, clear)

    def tracking(self, on):
        self._opc("tracking")
        self.e.bool(on)

    def clear_all(self):
        self._opc("clear_all")


def ops_seeds():
    seeds = {}

    # A 2M leaf through a migration: dirty, split, harvest, merge back.
    o = Ops("amdv1/mode4")
    o.map(21, 1, 1, pa_follows=True)
    o.write_run(512 + 3, 4, 14)
    o.read_dirty(21, 1, 1, pgshift=12)
    o.split(21, 1, 1, 12)
    o.write_run(512 + 7, 8, 12)
    o.read_dirty(21, 1, 1, pgshift=12, no_clear=True)
    o.read_dirty(21, 1, 1, pgshift=21)
    o.merge(21, 1, 1)
    o.write(600)
    o.unmap_read_dirty(21, 1, 1, pgshift=13)
    seeds["amdv1-migrate-2m"] = o

    # AMD replicated sizes: 8K..1M leaves, partial unmap removes whole.
    o = Ops("amdv1/mode3")
    for s, k in ((13, 1), (14, 1), (16, 1), (20, 1)):
        o.map(s, k, 1, pa_follows=True)
    o.write_run(4, 16, 13)
    o.unmap(12, 0x110, 1)
    o.split(20, 1, 1, 14)
    o.read_dirty(20, 1, 1, pgshift=15, record=True)
    o.merge(21, 0, 1)
    o.check()
    seeds["amdv1-replicas"] = o

    # VT-d SL: 4K runs with contiguous PA merge into 2M; prot mix.
    o = Ops("vtd_sl/4lvl", pos=1)
    o.map(12, 512, 4, pa_follows=True)
    for k in range(516, 1024, 19):
        o.map(12, k, 4, pa_follows=True, args="jitter",
              jitter=(0, 15, False))
    o.map(12, 1, 2, pa=77, prot=READ)
    o.merge(21, 1, 1)
    o.write_run(513, 32, 16)
    o.read(1, 2)
    o.write(1)
    o.unmap(12, 700, 1)
    seeds["vtd_sl-merge-boundary"] = o

    # x86 first level at the top-level boundary, then across it.
    o = Ops("vtd_fl/4lvl", pos=1)
    o.map(21, 0, 2, pa_follows=True)
    o.write_run(0, 32, 17)
    o.split(21, 0, 2, 12)
    o.read_dirty(21, 0, 2, pgshift=16)
    o.unmap(12, 500, 3)
    o.split_merge(21, 0, 2)
    o.clear_all()
    seeds["vtd_fl-boundary"] = o

    # ARM stage 1 contiguous 64K and 2M: split with BBML2, merge back.
    o = Ops("arm_s1/4k-48")
    o.map(16, 1, 4, pa_follows=True)
    o.map(21, 1, 1, pa=3)
    o.write_run(16, 8, 12)
    o.split(16, 1, 4, 12)
    o.read_dirty(16, 1, 4, pgshift=12, back=2)
    o.merge(16, 1, 4)
    o.split(21, 1, 1, 16)
    o.write_run(512, 32, 14)
    o.unmap_read_dirty(21, 1, 1, pgshift=16)
    seeds["arm_s1-contig-split"] = o

    # ARM without BBML2: split and merge refused, tables untouched, then
    # done through a fault window.
    o = Ops("arm_s2/4k-40-concat", nobbml2=True, pos=2)
    o.map(21, 0, 2, pa_follows=True)
    o.split(21, 0, 2, 12)
    o.merge(21, 0, 1)
    o.write(5)
    o.read_dirty(21, 0, 2)
    o.split(21, 0, 2, 12, allow_fault=True)
    o.write(600)
    o.merge(21, 0, 2, allow_fault=True)
    o.read_dirty(21, 0, 2)
    seeds["arm_s2-no-bbml"] = o

    # ARM BBML1: split and merge through a block with nT.
    o = Ops("arm_s1/4k-48", nobbml2=True, bbml1=True, pos=3, base_k=77)
    o.map(21, 1, 1, pa_follows=True)
    o.write_run(512, 4, 16)
    o.split(21, 1, 1, 12)
    o.write_run(700, 4, 12)
    o.read_dirty(21, 1, 1, no_clear=True)
    o.merge(21, 1, 1)
    o.unmap_read_dirty(21, 1, 1)
    seeds["arm_s1-bbml1"] = o

    # Allocation failures at every depth of a fresh map and of a split.
    o = Ops("amdv1/mode4", pos=3, base_k=0x12345)
    for k in range(4):
        o.map(12, 300, 1, pa=5, inject=k)
    o.map(21, 1, 1, pa=9)
    for k in range(3):
        o.split(21, 1, 1, 12, inject=k)
    o.split(21, 1, 1, 12)
    o.unmap(12, 0, 4)
    seeds["amdv1-enomem"] = o

    # Every argument check, on a table with something in it.
    o = Ops("vtd_sl/ias35", pos=2)
    o.map(12, 0, 4, pa=1)
    o.map(12, 1, 1, args="hostile", hostile=(0, None))
    o.map(12, 1, 1, args="hostile", hostile=(1, 0x800))
    o.map(12, 1, 1, args="hostile", hostile=(2, 0x10))
    o.map(12, 8, 1, args="hostile", hostile=(3, 2))
    o.map(12, 8, 1, args="hostile", hostile=(4, 1))
    o.map(12, 8, 1, args="hostile", hostile=(5, None))
    o.map(12, 8, 1, args="hostile", hostile=(0, None), pa_hostile=(1, 1))
    o.map(12, 8, 1, args="plain", prot=0)
    o.map(12, 8, 1, prot=READ | 32)
    o.map(12, 2, 1, pa=3)
    o.unmap(12, 0, 1, args="hostile", hostile=(3, 4))
    o.unmap(12, 0, 1, args="hostile", hostile=(1, 1))
    o.unmap(12, 900, 1)
    seeds["vtd_sl-bad-arguments"] = o

    # A large window: 1G leaves split to 2M and merged back.
    o = Ops("amdv1/mode3", large=True)
    o.map(30, 1, 1, pa_follows=True)
    o.map(29, 0, 1, pa_follows=True)
    o.write_run(1 << 18, 32, 24)
    o.split(30, 1, 1, 21)
    o.read_dirty(30, 1, 1, pgshift=21)
    o.merge(30, 1, 1)
    o.unmap_read_dirty(30, 0, 2, pgshift=21)
    seeds["amdv1-large-1g"] = o

    # 64K granule, 52-bit OA; 16K granule stage 2.
    o = Ops("arm_s1/64k-52", pos=2)
    o.map(21, 3, 2, pa=0xfff0)
    o.map(16, 3, 4, pa_follows=True)
    o.write_run(40, 32, 16)
    o.split(21, 3, 2, 16)
    o.read_dirty(21, 3, 2, pgshift=16)
    o.merge(21, 3, 2)
    seeds["arm_s1-64k-52"] = o
    o = Ops("arm_s2/16k-48", pos=1)
    o.map(21, 1, 2, pa_follows=True)
    o.map(14, 3, 4, pa_follows=True)
    o.write_run(4, 32, 13)
    o.split(21, 1, 2, 14)
    o.unmap_read_dirty(21, 1, 1, pgshift=14)
    seeds["arm_s2-16k"] = o

    # No dirty tracking, a non-coherent walker, low PAs.
    o = Ops("amdv1/mode4-4k2m1g", noncoherent=True)
    o.map(21, 0, 1, pa_follows=True)
    o.write(3)
    o.read_dirty(21, 0, 1)
    o.unmap_read_dirty(21, 0, 1)
    seeds["amdv1-noncoherent"] = o
    o = Ops("arm_s1/4k-32", lowpa=True, notrack=True, pos=2)
    o.map(12, 0, 4, pa=0x1234, prot=READ | WRITE | MMIO)
    o.map(16, 1, 1, pa_follows=True, prot=WRITE | NOEXEC | CACHE)
    o.read(0, 4)
    o.write(17)
    o.split_merge(16, 1, 1)
    seeds["arm_s1-lowpa-notrack"] = o
    o = Ops("amdv1/mode6", pos=2)
    o.map(21, 1, 1, pa_follows=True)
    o.map(12, 0, 3, pa=4)
    o.write_run(0, 8, 12)
    o.unmap_read_dirty(21, 0, 2, pgshift=21)
    seeds["amdv1-mode6-top"] = o
    # Leaves whose prot differs only in what the format cannot express
    # (AMD: execute, device memory) are the same leaf to iopgt: merged.
    o = Ops("amdv1/mode2-ias28")
    o.map(21, 0, 1, pa_follows=True)
    o.map(21, 1, 1, pa_follows=True, prot=READ | WRITE | NOEXEC | MMIO)
    o.write(600)
    o.merge(21, 0, 2)
    o.unmap_read_dirty(12, 3, 1)
    seeds["amdv1-merge-ignored-prot"] = o
    o = Ops("vtd_fl/ias44")
    for i, k in enumerate(range(0, 512, 19)):
        o.map(12, k, 4, pa_follows=True, args="jitter",
              jitter=(0, 15, False),
              prot=(WRITE, READ | WRITE | CACHE)[i & 1])
    o.merge(21, 0, 1)
    o.write(3)
    seeds["vtd_fl-merge-ignored-prot"] = o
    o = Ops("amdv1/mode1")
    o.map(20, 0, 2, pa_follows=True)
    o.write(9)
    o.split(20, 0, 1, 15)
    o.read_dirty(20, 0, 2, record=True)
    o.merge(20, 0, 2)
    seeds["amdv1-mode1"] = o

    # Edits under DMA: the device caches translations before the edit and
    # writes through them after it, before the invalidation.
    #
    # 1G made of 2M leaves, one 2M split to 4K, one to 64K with one 64K
    # split to 4K, merged back into 1G in one call (two levels collapse).
    # The stale writes go to 2M leaves (the IOTLB, and the cached pointer
    # to the detached 2M table); the 4K leaves are only read.
    o = Ops("amdv1/mode3", large=True)
    o.deep_merge(30, 1, 21, subs=[(5, 12, None), (9, 16, 3)],
                 prime=[(0, 3, False), (1, 2, True), (2, 512 * 20 + 1, False),
                        (2, 512 * 9 + 16 * 5, False)],
                 after=[(True, ("ent", 2, 21), 100), (True, 2, 512 * 30 + 5),
                        (False, ("ent", 0, 12), 0)])
    seeds["amdv1-deep-merge-1g"] = o
    # One level: 2M of 64K replicated leaves, one of them split to 4K;
    # stale writes through 4K and 64K entries of the detached table.
    o = Ops("amdv1/mode4")
    o.deep_merge(21, 1, 16, subs=[(2, 12, None)], blind=True,
                 prime=[(0, 1, False), (1, 16 * 5 + 3, False)],
                 after=[(True, ("ent", 0, 12), 0), (True, ("ent", 1, 16), 9),
                        (True, 1, 300)], clear=False)
    o.read_dirty(21, 1, 1)
    seeds["amdv1-merge-stale-replicas"] = o
    # Splits while the device holds the leaf: an ARM contiguous 64K run in
    # place, a VT-d 2M leaf into a table, an AMD 4M leaf (two 2M slots)
    # into two tables of 4K leaves. The IOMMU walks again when the entry
    # it cached changed (the hwmodel).
    o = Ops("arm_s1/4k-48")
    o.split_stale(16, 2, 12, prime=[(0, 1, False), (0, 5, True)],
                  after=[(True, ("ent", 0, 16), 9), (True, 0, 12),
                         (False, ("ent", 1, 16), 3)])
    seeds["arm_s1-split-stale-contig"] = o
    o = Ops("vtd_sl/4lvl")
    o.split_stale(21, 1, 12, prime=[(0, 3, False), (0, 100, True)],
                  after=[(True, ("ent", 0, 21), 200), (True, 0, 300),
                         (True, ("ent", 1, 21), 5)])
    seeds["vtd_sl-split-stale-2m"] = o
    o = Ops("amdv1/mode4", large=True)
    o.split_stale(22, 3, 12, prime=[(0, 600, False)],
                  after=[(True, ("ent", 0, 22), 10)])
    seeds["amdv1-split-stale-4m"] = o

    # RISC-V Svnapot 64K runs and 2M superpages through a migration: the
    # device dirties one slot of a run; split, harvest, merge back.
    o = Ops("riscv/sv39-napot-pbmt")
    o.map(16, 1, 4, pa_follows=True)
    o.map(21, 1, 1, pa=3)
    o.write_run(16, 8, 12)
    o.split(16, 1, 4, 12)
    o.read_dirty(16, 1, 4, pgshift=12, back=2)
    o.merge(16, 1, 4)
    o.split(21, 1, 1, 16)
    o.write_run(512, 32, 14)
    o.read_dirty(21, 1, 1, pgshift=16)
    o.merge(21, 1, 1)
    o.unmap_read_dirty(21, 1, 1, pgshift=12)
    seeds["riscv-napot-migrate"] = o

    # Dirty tracking off and on in the middle: ARM converts its writable
    # leaves both ways; AMD only records the state; x86 and RISC-V preset
    # D (RISC-V: without hardware A/D updating a clean leaf would fault).
    for name, kw in (("arm_s1/4k-48", {}), ("amdv1/mode4", {}),
                     ("vtd_fl/4lvl", {}), ("riscv_g/sv48x4", {}),
                     ("riscv_g/sv48x4-napot", {}),
                     ("arm_s2/16k-48", {"notrack": True})):
        o = Ops(name, **kw)
        o.map(21, 1, 1, pa_follows=True)
        o.map(o.min_lg2, 5, 4, pa_follows=True)
        o.write(600)
        o.tracking(False)
        o.write(700)
        o.read_dirty(21, 1, 1)
        o.tracking(True)
        o.write(800)
        o.read_dirty(21, 1, 1, no_clear=True)
        o.split_stale(bits(o.sizes())[-1], 1, o.min_lg2,
                      multi=False, prime=[(0, 8, False)],
                      after=[(True, ("ent", 0, bits(o.sizes())[-1]), 3)])
        o.tracking(False)
        o.split_merge(21, 1, 1)
        o.tracking(True)
        o.unmap_read_dirty(21, 0, 2)
        seeds[name.replace("/", "-") + "-tracking-toggle"] = o

    # Cuts (IOPGT_UNMAP_CUT): exactly the range goes. A ragged piece from
    # inside a dirty 2M leaf (both ends inside it: split on both sides),
    # one at 64K steps, then one across two 2M leaves whose ends are
    # jittered by whole pages; an allocation failure first, which must
    # change nothing; the kept parts stay dirty and are harvested.
    o = Ops("amdv1/mode4")
    o.map(21, 0, 2, pa_follows=True)
    o.write_run(7, 8, 16)
    o.write(512 + 300)
    o.unmap_read_dirty(12, 3, 4, pgshift=12, cut=True, inject=0)
    o.unmap_read_dirty(12, 3, 4, pgshift=12, cut=True)
    o.unmap(16, 5, 3, cut=True)
    o.unmap_read_dirty(21, 0, 1, pgshift=13, args="jitter", cut=True,
                       jitter=(3, 9, False))
    o.read_dirty(21, 0, 2, pgshift=12)
    o.merge(21, 0, 2)
    o.unmap(21, 0, 2, cut=True)
    seeds["amdv1-cut-ragged"] = o
    # A large window: a 1G leaf cut from the middle, ragged at 2M units.
    o = Ops("vtd_sl/4lvl", large=True)
    o.map(30, 1, 1, pa_follows=True)
    o.write_run(1 << 18, 8, 26)
    o.unmap_read_dirty(21, 512 + 100, 3, pgshift=21, cut=True)
    o.unmap(21, 512 + 200, 1, args="jitter", cut=True,
            jitter=(3, 7, True))
    o.read_dirty(30, 1, 1, pgshift=21)
    seeds["vtd_sl-cut-1g"] = o
    # ARM: with BBML2 contiguous runs and blocks are cut; without it a
    # cut that must split is refused (-EBUSY, nothing changed) even with
    # BBML1, and one on leaf boundaries works.
    o = Ops("arm_s1/4k-48")
    o.map(21, 1, 1, pa_follows=True)
    o.map(16, 1, 4, pa_follows=True)
    o.write_run(16, 16, 14)
    o.unmap_read_dirty(12, 16 + 5, 4, pgshift=12, cut=True)
    o.unmap_read_dirty(12, 512 + 17, 3, pgshift=14, cut=True)
    o.read_dirty(21, 1, 1)
    seeds["arm_s1-cut-contig"] = o
    o = Ops("arm_s1/4k-48", nobbml2=True, bbml1=True)
    o.map(21, 1, 1, pa_follows=True)
    o.write(600)
    o.unmap_read_dirty(12, 512 + 3, 4, pgshift=12, cut=True)
    o.unmap(21, 1, 1, cut=True)
    seeds["arm_s1-cut-bbml1-refused"] = o

    # LPA2: blocks with PA[51:50] set (descriptor bits 9:8) through a
    # migration: a 1G block above 2^50 split to 2M, written, harvested and
    # merged back, 2M blocks beside it harvested, merged, and cut; on a
    # 16K stage-2 table at the top of the 52-bit IOVA space, a 32M block
    # split to 2M runs and 16K pages and merged back under DMA.
    o = Ops("arm_s1/4k-52-lpa2-bbml2", large=True, pa_k=0x5a, pa_high=3)
    o.map(30, 1, 1, pa_follows=True)
    o.map(21, 0, 2, pa=0x1234)
    o.write_run(1 << 18, 16, 24)
    o.split(30, 1, 1, 21)
    o.write_run((1 << 18) + 5, 8, 22)
    o.read_dirty(30, 1, 1, pgshift=21)
    o.merge(30, 1, 1)
    o.write(512 + 3)
    o.read_dirty(21, 0, 2, pgshift=12, no_clear=True)
    o.merge(21, 0, 2)
    o.unmap_read_dirty(21, 512 + 3, 2, pgshift=21, cut=True)
    seeds["arm_s1-4k-52-lpa2-migrate"] = o
    o = Ops("arm_s2/16k-52-lpa2", large=True, pos=2, pa_high=2)
    o.map(25, 9, 1, pa=0x2345)
    o.deep_merge(25, 3, 21, subs=[(5, 14, None), (9, 14, None)],
                 prime=[(0, 3, True), (2, 100, False)],
                 after=[(True, ("ent", 0, 14), 1), (True, 2, 2000)])
    o.write_run(3 << 13, 32, 14)
    o.read_dirty(25, 3, 1, pgshift=14)
    o.unmap_read_dirty(25, 3, 4, pgshift=21)
    seeds["arm_s2-16k-52-lpa2-migrate"] = o
    return encoded(seeds)


def ops_edges():
    """Scenarios for the lost-write edges the engine once had: a merge that
    collapses two levels, and an in-place split of a multi-slot leaf under
    an IOMMU that dirties the entry it cached (blind writes)."""
    seeds = {}

    # A merge that collapses two levels (4K -> 2M -> 1G) loses a write
    # through a stale IOTLB entry of a 4K leaf, and one through the cached
    # pointer to the detached 4K table.
    o = Ops("amdv1/mode3", large=True)
    o.deep_merge(30, 1, 21, subs=[(5, 12, None)], prime=[(0, 3, False)],
                 after=[(True, ("ent", 0, 12), 0)])
    seeds["merge-deep-amdv1-iotlb"] = o
    o = Ops("amdv1/mode3", large=True)
    o.deep_merge(30, 1, 21, subs=[(5, 12, None)], prime=[(0, 3, False)],
                 after=[(True, 0, 100)])
    seeds["merge-deep-amdv1-pwc"] = o
    o = Ops("arm_s2/4k-40-concat", large=True)
    o.deep_merge(30, 0, 21, subs=[(7, 12, None)], prime=[(0, 9, False)],
                 after=[(True, ("ent", 0, 12), 0)])
    seeds["merge-deep-arm_s2-iotlb"] = o

    # An in-place split of a multi-slot leaf loses a write through the
    # stale cached run made by an IOMMU that updates the entry it cached
    # (IOPGT_FUZZ_BLIND_IOTLB=1): the slot cached now translates another
    # page.
    o = Ops("amdv1/mode4")
    o.split_stale(16, 3, 12, blind=True, prime=[(0, 5, False)],
                  after=[(True, ("ent", 0, 16), 9)])
    seeds["split-inplace-amdv1-64k-blind"] = o
    o = Ops("arm_s1/4k-48")
    o.split_stale(16, 3, 12, blind=True, prime=[(0, 5, False)],
                  after=[(True, ("ent", 0, 16), 9)])
    seeds["split-inplace-arm_s1-contig-blind"] = o
    # The same down a level: an AMD 4M leaf (two 2M slots) split to 4K;
    # the cached slot is a table entry now (D lands there) and the write
    # went to the other slot's half.
    o = Ops("amdv1/mode4", large=True)
    o.split_stale(22, 3, 12, blind=True, prime=[(0, 5, False)],
                  after=[(True, ("ent", 0, 22), 600)])
    seeds["split-amdv1-4m-blind"] = o
    return encoded(seeds)


# ---- fuzz_decode ----------------------------------------------------------

KIND = dict(raw=0, leaf=1, flip=2, byte=3, table=4, copy=5, zero=6)


class Decode(Input):
    """A fuzz_decode input: tables are filled in creation order."""

    def __init__(self, name, tracking=False, bbml2=False, pa_high=0):
        """@pa_high: PA[51:50] of every table and leaf (LPA2 only)"""
        super().__init__(name)
        _, levels, g, top, ias, oas, _ = self.c
        self.pgs = pgsizes(self.c, bbml2)
        self.e.u(int(tracking) | int(bbml2) << 1, 0, 3)
        if lpa2(self.c):
            self.e.u(pa_high, 0, 3)
        else:
            assert not pa_high
        # (level, number of entries) of each table, in creation order
        self.tables = [(levels - 1, 1 << top)]
        self.cur = -1
        self.runs = 0

    def table(self, runs):
        """Start filling the next table with @runs runs."""
        assert self.runs == 0, "runs left in the table before"
        self.cur += 1
        self.runs = runs
        self.e.u(runs, 0, 12)

    def run(self, slot, count, kind):
        assert self.runs > 0, "more runs than the table said"
        self.runs -= 1
        level, nent = self.tables[self.cur]
        self.e.u(slot, 0, nent - 1)
        self.e.u(count, 1, 32)
        self.e.u(KIND[kind], 0, 7)
        self.kind = kind
        self.first = slot

    def raw(self, v):
        self.e.u(v, 0, U64)

    def leaf(self, size, oa_page, prot=READ | WRITE, noise=0, flip=None):
        """@oa_page: the OA in units of 2^size."""
        level, nent = self.tables[self.cur]
        g = self.c[2]
        lo = item_lg2(self.c, level)
        hi = min(lo + g - 4, 63)
        lo = min(lo, hi)
        m = self.pgs & mask(hi + 1) & ~mask(lo)
        if m and size in bits(m):
            self.e.chance(8, False)
            self.e.pick(m, size)
        else:
            if m:
                self.e.chance(8, True)
            self.e.u(size, lo, hi)
        self.e.u(oa_page, 0, 0xfffff)
        self.e.chance(8, False)
        self.e.u(prot & 3, 1, 3)
        self.e.u(prot >> 2, 0, 7)
        self.e.u(1 if noise else 0, 0, 3)
        if noise:
            self.e.u(noise, 0, U64)
        if flip is not None:
            reps = 1 << min(size - item_lg2(self.c, level), 20)
            reps = min(reps, nent)
            self.e.u(flip[0], 0, reps - 1)
            if self.kind == "flip":
                self.e.u(flip[1], 0, 63)
            else:
                self.e.u(flip[1], 0, 7)
                self.e.u(flip[2], 0, 255)

    def child(self, scramble=None):
        """A table entry; the new table is filled after those before it."""
        level, nent = self.tables[self.cur]
        self.tables.append((level - 1, 1 << (self.c[2] - 3)))
        self.e.chance(4, scramble is not None)
        if scramble is not None:
            self.e.u(scramble, 0, U64)

    def end_run(self, offset=0):
        """The probe offset draw after each run (in 4K pages)."""
        level, nent = self.tables[self.cur]
        self.e.u(offset << 12, 0, mask(item_lg2(self.c, level)))

    def leaf_at(self, slot, size, oa_page, offset=0, **kw):
        """A run of one leaf, at @slot (see leaf())."""
        self.run(slot, 1, "leaf")
        self.leaf(size, oa_page, **kw)
        self.end_run(offset)

    def last_pages(self, n, oa_page, offset):
        """A run of @n granule-sized pages in the last @n slots, every other
        one dirty; @offset: the end_run() offset."""
        level, nent = self.tables[self.cur]
        self.run(nent - n, n, "leaf")
        for i in range(n):
            self.leaf(self.c[2], oa_page + i, noise=0x80 if i & 1 else 0)
        self.end_run(offset)

    def pointer(self, slot, scramble=None):
        """A run of one table entry, at @slot."""
        self.run(slot, 1, "table")
        self.child(scramble)
        self.end_run()

    def path(self, *slots):
        """Tables of one table entry each, at @slots in turn."""
        for slot in slots:
            self.table(1)
            self.pointer(slot)

    def finish(self, probes=(), len_lg2=None, probe_idx=0, pgshift=12):
        assert self.runs == 0, "runs left in the last table"
        assert self.cur == len(self.tables) - 1, "tables left unfilled"
        self.e.u(len(probes), 0, 16)
        for iova in probes:
            self.e.u(iova, 0, U64)
            self.e.chance(8, False)
        ias = self.c[4]
        min_lg2 = bits(self.pgs)[0]
        self.e.u(len_lg2 if len_lg2 is not None else min_lg2, min_lg2,
                 ias if ias < 64 else 63)
        self.e.chance(4, False)
        self.e.u(probe_idx, 0, 255)  # clipped by the producer's modulo
        self.e.u(pgshift, 12, 21)


def decode_seeds():
    seeds = {}

    # AMD: root -> L2 -> L1 -> L0, well-formed leaves of every kind.
    d = Decode("amdv1/mode4", tracking=True)
    d.path(0, 1)
    d.table(3)
    d.pointer(0)
    d.run(4, 2, "leaf")
    d.leaf(21, 7, noise=0x60)
    d.leaf(22, 8)
    d.end_run()
    d.leaf_at(16, 25, 1, offset=3, noise=0x40)
    d.table(3)
    d.run(0, 8, "leaf")
    for i in range(8):
        d.leaf(12, 100 + i, noise=0x60 if i % 3 == 0 else 0)
    d.end_run()
    d.run(16, 2, "leaf")
    d.leaf(13, 90, noise=0x40)
    d.leaf(16, 11)
    d.end_run()
    d.leaf_at(256, 20, 1, prot=READ)
    d.finish(probes=(1 << 39, 0x8000401000), len_lg2=30, pgshift=12)
    seeds["amdv1-tree"] = d

    # VT-d second level: 1G and 2M leaves, then a level-0 table.
    d = Decode("vtd_sl/3lvl", tracking=True)
    d.table(2)
    d.run(3, 2, "leaf")
    d.leaf(30, 2, noise=0x300)
    d.leaf(30, 3)
    d.end_run()
    d.pointer(7)
    d.table(2)
    d.run(0, 4, "leaf")
    for i in range(4):
        d.leaf(21, 40 + i, noise=0x200 if i & 1 else 0)
    d.end_run()
    d.pointer(9)
    d.table(1)
    d.run(0, 32, "leaf")
    for i in range(32):
        d.leaf(12, 0x777 + i, prot=(READ, WRITE, READ | WRITE)[i % 3],
               noise=0x300 if i % 5 == 0 else 0)
    d.end_run()
    d.finish(len_lg2=39, pgshift=21)
    seeds["vtd_sl-tree"] = d

    # Single bits flipped in leaves: PS, A, D, a reserved bit, OA.
    d = Decode("vtd_sl/4lvl", tracking=True)
    d.path(5, 0, 1)
    d.table(1)
    d.run(40, 5, "flip")
    d.leaf(12, 5, flip=(0, 7))
    d.leaf(12, 6, flip=(0, 9))
    d.leaf(12, 7, flip=(0, 62))
    d.leaf(12, 8, flip=(0, 11))
    d.leaf(12, 8, flip=(0, 40))
    d.end_run()
    d.finish(len_lg2=21, pgshift=12)
    seeds["vtd_sl-flips"] = d

    # x86 first level: a 5-level root, A/D state, a PS bit flipped.
    d = Decode("vtd_fl/5lvl", tracking=True)
    d.path(0, 2)
    d.table(1)
    d.run(0, 3, "leaf")
    d.leaf(30, 1, noise=0x60)
    d.leaf(30, 2)
    d.leaf(30, 3, noise=0x20)
    d.end_run()
    d.finish(len_lg2=40, pgshift=20)
    seeds["vtd_fl-tree"] = d

    # Bytes replaced in 1G leaves: the PS/PAT byte, the XD byte.
    d = Decode("vtd_fl/4lvl", tracking=True)
    d.path(0)
    d.table(1)
    d.run(5, 2, "byte")
    d.leaf(30, 9, flip=(0, 0, 0x83))
    d.leaf(30, 10, flip=(0, 7, 0x80))
    d.end_run()
    d.finish(len_lg2=40, pgshift=20)
    seeds["vtd_fl-bytes"] = d

    # RISC-V G-stage: a pointer high in the 2048-entry root, 2M leaves
    # with A/D noise.
    d = Decode("riscv_g/sv39x4", tracking=True)
    d.path(1500)
    d.table(1)
    d.run(0, 3, "leaf")
    d.leaf(21, 1, noise=0xc0)
    d.leaf(21, 2)
    d.leaf(21, 3, noise=0x80)
    d.end_run()
    d.finish(len_lg2=40, pgshift=16)
    seeds["riscv_g-tree"] = d

    # RISC-V Svnapot: a 64K run beside 4K pages, one bit flipped in a run.
    d = Decode("riscv/sv39-napot-pbmt", tracking=True)
    d.path(0, 0)
    d.table(2)
    d.run(16, 1, "leaf")
    d.leaf(16, 1, noise=0x80)
    d.end_run()
    d.run(40, 1, "flip")
    d.leaf(16, 2, flip=(3, 63))
    d.end_run()
    d.finish(len_lg2=30, pgshift=12)
    seeds["riscv-napot"] = d

    # ARM stage 1, tracking on: contiguous runs at two levels.
    d = Decode("arm_s1/4k-48", tracking=True, bbml2=True)
    d.path(0)
    d.table(2)
    d.pointer(0)
    d.leaf_at(16, 34, 1, noise=0x80)
    d.table(2)
    d.pointer(0)
    d.leaf_at(32, 25, 3, noise=0x80)
    d.table(2)
    d.leaf_at(0, 16, 5)
    d.run(48, 2, "leaf")
    d.leaf(12, 6, prot=READ | MMIO)
    d.leaf(12, 7, prot=WRITE | CACHE | NOEXEC, noise=0x80)
    d.end_run()
    d.finish(len_lg2=40, pgshift=16)
    seeds["arm_s1-contig"] = d

    # ARM stage 2 with 2 concatenated top tables; 64K granule 52-bit.
    d = Decode("arm_s2/4k-40-concat", bbml2=True)
    d.table(2)
    d.run(600, 2, "leaf")
    d.leaf(30, 5)
    d.leaf(30, 6, prot=READ)
    d.end_run()
    d.pointer(900)
    d.table(2)
    d.run(0, 16, "leaf")
    d.leaf(25, 1)
    d.end_run()
    d.run(100, 2, "zero")
    d.end_run()
    d.finish(len_lg2=40, pgshift=21)
    seeds["arm_s2-concat"] = d
    d = Decode("arm_s1/64k-52")
    d.table(2)
    d.leaf_at(1, 42, 0x3ff)
    d.pointer(2)
    d.table(1)
    d.run(0, 2, "leaf")
    d.leaf(29, 0x7ffff)
    d.leaf(29, 1)
    d.end_run()
    d.finish(len_lg2=52, pgshift=21)
    seeds["arm_s1-64k-52"] = d

    # ARM 16K and 64K granules: table descriptors with their RES0 bits
    # below the granule set (bits 13:12, 15:12), which a walk must mask off
    # rather than start inside the table; pages in the last slots of the
    # table, where a walk that did not would read past its end.
    d = Decode("arm_s1/16k-47", tracking=True, bbml2=True)
    d.table(1)
    d.pointer(3, scramble=0x3000)
    d.table(2)
    d.pointer(0, scramble=0x1000)
    d.leaf_at(5, 25, 9, noise=0x80)
    d.table(2)
    d.leaf_at(0, 21, 3)
    d.last_pages(8, 0x100, 2)
    d.finish(probes=((3 << 36) + (2047 << 14),), len_lg2=36, pgshift=14)
    seeds["arm_s1-16k-table-res0"] = d
    d = Decode("arm_s2/16k-48", tracking=True)
    d.table(1)
    d.pointer(4095, scramble=0x2000)
    d.path(2047)
    d.table(1)
    d.run(2044, 4, "leaf")
    for i in range(4):
        d.leaf(14, 0x77 + i, noise=0x80)
    d.end_run()
    d.finish(len_lg2=48, pgshift=21)
    seeds["arm_s2-16k-table-res0"] = d
    d = Decode("arm_s2/64k-42", tracking=True, bbml2=True)
    d.table(2)
    d.pointer(1, scramble=0xf000)
    d.leaf_at(2, 29, 5, noise=0x80)
    d.table(2)
    d.leaf_at(0, 21, 7)
    d.last_pages(4, 0x55, 15)
    d.finish(probes=((1 << 29) + (8191 << 16),), len_lg2=30, pgshift=16)
    seeds["arm_s2-64k-table-res0"] = d

    # LPA2, 4K granule, 52-bit IOVA: five levels from ARM level -1 (a
    # 16-entry root), every table above 2^50 (PA[51:50] in bits 9:8 of its
    # table descriptor); a 512G block at ARM level 0, 1G and 2M blocks and
    # pages, those written here with PA[51:50] of their own.
    name = "arm_s1/4k-52-lpa2-bbml2"
    c = config(name)[1]
    d = Decode(name, tracking=True, bbml2=True, pa_high=3)
    d.table(1)
    d.pointer(15)
    d.table(3)
    d.leaf_at(3, 39, 5, noise=0x80)
    d.run(4, 1, "raw")
    d.raw(arm_leaf(c, 3, 1 << 50 | 7 << 39, clean=True))
    d.end_run(3)
    d.pointer(511)
    d.table(3)
    d.leaf_at(0, 30, 0x1234)
    d.run(1, 2, "raw")
    d.raw(arm_leaf(c, 2, 2 << 50 | 0x3ff << 30, clean=True))
    d.raw(arm_leaf(c, 2, 1 << 50 | 0x123 << 30, write=False))
    d.end_run(5)
    d.pointer(2)
    d.table(2)
    d.pointer(0)
    d.run(1, 2, "raw")
    d.raw(arm_leaf(c, 1, 3 << 50 | 0x1ffff << 21, clean=True))
    d.raw(arm_leaf(c, 1, 2 << 50 | 0x155 << 21, clean=True))
    d.end_run(1)
    d.table(2)
    d.run(0, 4, "leaf")
    for i in range(4):
        d.leaf(12, 0x100 + i, noise=0x80 if i & 1 else 0)
    d.end_run()
    d.run(4, 2, "raw")
    d.raw(arm_leaf(c, 0, 1 << 50 | 0xabcde << 12, clean=True))
    d.raw(arm_leaf(c, 0, 2 << 50 | 0xabcdf << 12, write=False))
    d.end_run()
    top = 15 << 48 | 511 << 39
    d.finish(probes=(15 << 48 | 3 << 39 | 0x123 << 12,
                     15 << 48 | 4 << 39 | 0x77 << 21,
                     top | 2 << 30 | 4 << 12, top | 2 << 30 | 5 << 12,
                     top | 2 << 30 | 1 << 21, top | 1 << 30),
             len_lg2=41, pgshift=21)
    seeds["arm_s1-4k-52-lpa2-tree"] = d

    # LPA2, 16K granule stage 2 from ARM level 0 (a 32-entry root): 64G
    # and 32M blocks and pages with PA[51:50] set, tables above 2^50, a
    # page in the last slot.
    name = "arm_s2/16k-52-lpa2"
    c = config(name)[1]
    d = Decode(name, tracking=True, pa_high=2)
    d.table(1)
    d.pointer(31)
    d.table(3)
    d.leaf_at(0, 36, 3)
    d.run(1, 2, "raw")
    d.raw(arm_leaf(c, 2, 1 << 50 | 0x3fff << 36, clean=True))
    d.raw(arm_leaf(c, 2, 3 << 50 | 5 << 36, write=False))
    d.end_run(2)
    d.pointer(2047)
    d.table(3)
    d.leaf_at(5, 25, 0x777, noise=0x80)
    d.run(6, 1, "raw")
    d.raw(arm_leaf(c, 1, 2 << 50 | 0x4567 << 25, clean=True))
    d.end_run(3)
    d.pointer(2047)
    d.table(2)
    d.run(0, 2, "raw")
    d.raw(arm_leaf(c, 0, 1 << 50 | 0x12345 << 14, clean=True))
    d.raw(arm_leaf(c, 0, 3 << 50 | 0x2468a << 14, clean=True))
    d.end_run()
    d.last_pages(4, 0x300, 0)
    top = 31 << 47 | 2047 << 36
    d.finish(probes=(31 << 47 | 2 << 36 | 0x1234 << 14,
                     31 << 47 | 1 << 36 | 7 << 14,
                     top | 6 << 25 | 3 << 14, top | 2047 << 25 | 1 << 14,
                     top | 2047 << 25 | 2047 << 14),
             len_lg2=40, pgshift=14)
    seeds["arm_s2-16k-52-lpa2-tree"] = d

    # Raw bytes everywhere (mostly refused by validate).
    d = Decode("amdv1/mode6")
    d.table(3)
    d.run(0, 4, "raw")
    for v in (0x6000000000000e01, 0x60000000000f0e01, 0x7fffffffffffffff,
              0x8000000000000001):
        d.raw(v)
    d.end_run()
    d.run(4, 3, "copy")
    d.end_run()
    d.pointer(127, scramble=0xffff)
    d.table(1)
    d.run(500, 12, "raw")
    for i in range(12):
        d.raw((0x6000000000000001 | i << 9 | (i * 0x1111) << 12) & U64)
    d.end_run()
    d.finish(probes=(1 << 63, (1 << 64) - 4096), len_lg2=63)
    seeds["amdv1-mode6-raw"] = d
    return encoded(seeds)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "corpus"))
    args = ap.parse_args()
    for target, seeds in (("fuzz_ops", {**ops_seeds(), **ops_edges()}),
                          ("fuzz_decode", decode_seeds())):
        d = os.path.join(args.out, target)
        os.makedirs(d, exist_ok=True)
        for name, data in sorted(seeds.items()):
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
            print("%s/seed-%s: %d bytes" % (target, name, len(data)))


if __name__ == "__main__":
    main()
