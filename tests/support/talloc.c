/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * talloc: the table allocator of the tests, benchmarks and fuzzers.
 * talloc.h describes what it does; this file is how.
 *
 * Locking. Each size class has a mutex over its free list and the chunk it
 * is carving. carve_lock hands out chunks and is taken inside a class lock.
 * qlock guards the quarantine FIFO and is never held together with another
 * lock: a table leaving the quarantine is pushed on its class's free list
 * after qlock is dropped. Counters are relaxed atomics.
 *
 * The free path reads qdepth and poison without a lock (relaxed atomics):
 * a free racing with talloc_set_quarantine() may use either setting.
 *
 * A chunk's class and first slot index are written before the class byte
 * is published with a release store; lookups load it with acquire, so a
 * thread given a table pointer by any synchronised means sees its chunk.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "support/talloc.h"

#if TALLOC_ASAN
#include <sanitizer/asan_interface.h>
#define talloc_asan_poison(va, len) ASAN_POISON_MEMORY_REGION(va, len)
#define talloc_asan_unpoison(va, len) ASAN_UNPOISON_MEMORY_REGION(va, len)
#else
#define talloc_asan_poison(va, len) ((void)(va), (void)(len))
#define talloc_asan_unpoison(va, len) ((void)(va), (void)(len))
#endif

#define TALLOC_CHUNK_LG2	20
#define TALLOC_CHUNK		(1ull << TALLOC_CHUNK_LG2)
#define TALLOC_NCLASSES		(TALLOC_MAX_LG2 - TALLOC_MIN_LG2 + 1)
#define TALLOC_POISON_WORD	0xa5a5a5a5a5a5a5a5ull

/*
 * A chunk and its slot records are about to be used. Reserved anonymous
 * memory needs nothing (pages come zeroed on first touch); the kernel
 * build of the tests (tests/kernel/suite) has no such memory, and its
 * <sys/mman.h> defines this to note what must be zeroed again for reuse.
 */
#ifndef TALLOC_COMMIT
#define TALLOC_COMMIT(va, len) ((void)(va), (void)(len))
#endif

/* Slot states. */
enum {
	TALLOC_SLOT_NEVER = 0,	/* carved or not, never handed out */
	TALLOC_SLOT_LIVE,	/* allocated */
	TALLOC_SLOT_FREE,	/* on a free list or in the quarantine */
};

/*
 * One per table slot. @meta belongs to the core while the table is live;
 * while it is free, @meta.next links the free list or the quarantine.
 */
struct talloc_slot {
	struct iopgt_table_meta meta;
	u32 state;
	u32 poisoned;	/* filled when freed, so checked on reuse */
};

struct talloc_class {
	pthread_mutex_t lock;
	void *free_head;	/* CPU address of the first free table */
	u64 nfree;
	u8 *carve_cur;		/* next table to carve in this chunk */
	u8 *carve_end;
} __attribute__((aligned(64)));

struct talloc {
	struct talloc_class cls[TALLOC_NCLASSES];

	unsigned int last_gfp;	/* allocation context of the last request */
	u8 *base;		/* arena, TALLOC_CHUNK aligned */
	u64 size;
	void *map;		/* the mapping base was carved from */
	size_t map_len;
	struct talloc_slot *slots;
	size_t slots_len;
	unsigned int flags;

	pthread_mutex_t carve_lock;
	u8 *chunk_cls;		/* per chunk: class lg2, 0: not carved */
	u64 *chunk_slot0;	/* per chunk: index of its first slot */
	u64 nchunks;
	u64 chunks_used;
	u64 slots_used;

	pthread_mutex_t qlock;
	void *qhead;		/* oldest quarantined table */
	void *qtail;
	u64 qlen;		/* written under qlock, peeked without */
	u64 qdepth;		/* written under qlock, read without */
	bool poison;		/* only ever turned on */

	long fail_countdown;
	bool fail_every;

	u64 live;
	u64 live_bytes;
	u64 allocs;
	u64 frees;
	u64 failures;
	u64 peak;
	u64 peak_bytes;
	u64 cleans;
	u64 clean_bytes;

	void (*on_clean)(void *arg, void *va, size_t len);
	void *on_clean_arg;
};

static void talloc_die(const char *what, const void *va, unsigned int lg2)
{
	fprintf(stderr, "talloc: %s: table %p (size_lg2 %u)\n", what, va, lg2);
	fflush(stderr);
	abort();
}

static u64 talloc_load(const u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static u64 talloc_add(u64 *p, u64 v)
{
	return __atomic_add_fetch(p, v, __ATOMIC_RELAXED);
}

static void talloc_raise(u64 *peak, u64 v)
{
	u64 old = __atomic_load_n(peak, __ATOMIC_RELAXED);

	while (old < v &&
	       !__atomic_compare_exchange_n(peak, &old, v, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/*
 * The slot of the table containing @va, or NULL if @va is not in a carved
 * chunk. *@start is set to that table's first byte, *@lg2 to its size.
 */
static struct talloc_slot *talloc_find(const struct talloc *t, const void *va,
				       u8 **start, unsigned int *lg2)
{
	uintptr_t addr = (uintptr_t)va, base = (uintptr_t)t->base;
	u64 off, chunk, in_chunk;
	unsigned int k;

	if (addr < base || addr - base >= t->size)
		return NULL;
	off = addr - base;
	chunk = off >> TALLOC_CHUNK_LG2;
	k = __atomic_load_n(&t->chunk_cls[chunk], __ATOMIC_ACQUIRE);
	if (!k)
		return NULL;
	in_chunk = off & (TALLOC_CHUNK - 1);
	*start = t->base + (off & ~((1ull << k) - 1));
	*lg2 = k;
	return &t->slots[t->chunk_slot0[chunk] + (in_chunk >> k)];
}

/* Like talloc_find(), for a pointer that must be a table's first byte. */
static struct talloc_slot *talloc_find_table(const struct talloc *t,
					     const void *va, unsigned int *lg2)
{
	struct talloc_slot *slot;
	u8 *start;

	slot = talloc_find(t, va, &start, lg2);
	if (!slot || start != (const u8 *)va)
		return NULL;
	return slot;
}

static u32 talloc_state(const struct talloc_slot *slot)
{
	return __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
}

/* Take a new chunk for class @k. Called with the class lock held. */
static bool talloc_carve_chunk(struct talloc *t, struct talloc_class *c,
			       unsigned int k)
{
	u64 chunk;
	u8 *va;

	pthread_mutex_lock(&t->carve_lock);
	if (t->chunks_used == t->nchunks) {
		pthread_mutex_unlock(&t->carve_lock);
		return false;
	}
	chunk = t->chunks_used++;
	t->chunk_slot0[chunk] = t->slots_used;
	t->slots_used += 1ull << (TALLOC_CHUNK_LG2 - k);
	TALLOC_COMMIT(&t->slots[t->chunk_slot0[chunk]],
		      sizeof(*t->slots) << (TALLOC_CHUNK_LG2 - k));
	va = t->base + (chunk << TALLOC_CHUNK_LG2);
	TALLOC_COMMIT(va, TALLOC_CHUNK);
	__atomic_store_n(&t->chunk_cls[chunk], (u8)k, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&t->carve_lock);

	/* Carved but not yet handed out: nobody may touch it. */
	talloc_asan_poison(va, TALLOC_CHUNK);
	c->carve_cur = va;
	c->carve_end = va + TALLOC_CHUNK;
	return true;
}

/*
 * Pop a free table of class @k, or carve a fresh one. *@fresh tells which:
 * fresh memory has never been written (anonymous pages read as zero).
 */
static u8 *talloc_pop(struct talloc *t, unsigned int k, bool *fresh)
{
	struct talloc_class *c = &t->cls[k - TALLOC_MIN_LG2];
	struct talloc_slot *slot;
	unsigned int lg2;
	u8 *va = NULL;

	pthread_mutex_lock(&c->lock);
	if (c->free_head) {
		va = c->free_head;
		slot = talloc_find_table(t, va, &lg2);
		c->free_head = slot->meta.next;
		c->nfree--;
		*fresh = false;
	} else if (c->carve_cur != c->carve_end ||
		   talloc_carve_chunk(t, c, k)) {
		va = c->carve_cur;
		c->carve_cur += 1ull << k;
		*fresh = true;
	}
	pthread_mutex_unlock(&c->lock);
	return va;
}

static void talloc_push(struct talloc *t, u8 *va, struct talloc_slot *slot,
			unsigned int k)
{
	struct talloc_class *c = &t->cls[k - TALLOC_MIN_LG2];

	pthread_mutex_lock(&c->lock);
	slot->meta.next = c->free_head;
	c->free_head = va;
	c->nfree++;
	pthread_mutex_unlock(&c->lock);
}

/* Push a list of tables linked through meta.next onto their free lists. */
static void talloc_release_list(struct talloc *t, u8 *va)
{
	struct talloc_slot *slot;
	unsigned int k;
	u8 *next;

	while (va) {
		slot = talloc_find_table(t, va, &k);
		next = slot->meta.next;
		talloc_push(t, va, slot, k);
		va = next;
	}
}

/*
 * Cut the quarantine down to @keep tables, under qlock. Return the tables
 * cut, oldest first, linked through meta.next, for talloc_release_list().
 */
static u8 *talloc_quarantine_trim(struct talloc *t, u64 keep)
{
	struct talloc_slot *slot = NULL;
	u8 *head = t->qhead, *va = t->qhead;
	u64 qlen = t->qlen;
	unsigned int k;

	if (qlen <= keep)
		return NULL;
	while (qlen > keep) {
		slot = talloc_find_table(t, va, &k);
		va = slot->meta.next;
		qlen--;
	}
	slot->meta.next = NULL;
	t->qhead = va;
	if (!va)
		t->qtail = NULL;
	__atomic_store_n(&t->qlen, qlen, __ATOMIC_RELAXED);
	return head;
}

void talloc_quarantine_flush(struct talloc *t)
{
	u8 *list;

	pthread_mutex_lock(&t->qlock);
	list = talloc_quarantine_trim(t, 0);
	pthread_mutex_unlock(&t->qlock);
	talloc_release_list(t, list);
}

void talloc_set_quarantine(struct talloc *t, u64 depth)
{
	u8 *list;

	pthread_mutex_lock(&t->qlock);
	__atomic_store_n(&t->qdepth, depth, __ATOMIC_RELAXED);
	if (depth)
		__atomic_store_n(&t->poison, true, __ATOMIC_RELAXED);
	list = talloc_quarantine_trim(t, depth);
	pthread_mutex_unlock(&t->qlock);
	talloc_release_list(t, list);
}

/* Whether this allocation is one that must fail. */
static bool talloc_inject(struct talloc *t)
{
	long c;

	if (__atomic_load_n(&t->fail_every, __ATOMIC_RELAXED))
		return true;
	c = __atomic_load_n(&t->fail_countdown, __ATOMIC_RELAXED);
	while (c >= 0) {
		if (__atomic_compare_exchange_n(&t->fail_countdown, &c, c - 1,
						false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return c == 0;
	}
	return false;
}

static void talloc_check_poison(const u8 *va, unsigned int k)
{
	const u64 *w = (const u64 *)va;
	u64 i, n = (1ull << k) / sizeof(u64);

	for (i = 0; i < n; i++)
		if (w[i] != TALLOC_POISON_WORD)
			talloc_die("freed table written after free", va, k);
}

static void *talloc_alloc_table(void *ctx, unsigned int size_lg2,
				iopgt_gfp_t gfp, u64 *pa)
{
	struct talloc *t = ctx;
	struct talloc_slot *slot;
	bool fresh = false;
	unsigned int k;
	u64 live;
	u8 *va;

	if (size_lg2 < TALLOC_MIN_LG2 || size_lg2 > TALLOC_MAX_LG2)
		talloc_die("alloc_table size out of range", NULL, size_lg2);
	__atomic_store_n(&t->last_gfp, gfp, __ATOMIC_RELAXED);
	if (talloc_inject(t))
		goto fail;

	va = talloc_pop(t, size_lg2, &fresh);
	if (!va && __atomic_load_n(&t->qlen, __ATOMIC_RELAXED)) {
		/* Arena exhausted: what waits in the quarantine must serve. */
		talloc_quarantine_flush(t);
		va = talloc_pop(t, size_lg2, &fresh);
	}
	if (!va)
		goto fail;

	slot = talloc_find_table(t, va, &k);
	if (!slot || k != size_lg2 || talloc_state(slot) == TALLOC_SLOT_LIVE)
		talloc_die("allocator corrupted", va, size_lg2);
	memset(&slot->meta, 0, sizeof(slot->meta));

	talloc_asan_unpoison(va, 1ull << size_lg2);
	if (!fresh) {
		if (slot->poisoned)
			talloc_check_poison(va, size_lg2);
		memset(va, 0, 1ull << size_lg2);
	}
	slot->poisoned = 0;
	__atomic_store_n(&slot->state, TALLOC_SLOT_LIVE, __ATOMIC_RELEASE);

	live = talloc_add(&t->live, 1);
	talloc_raise(&t->peak, live);
	talloc_raise(&t->peak_bytes, talloc_add(&t->live_bytes,
						1ull << size_lg2));
	talloc_add(&t->allocs, 1);

	if (t->flags & TALLOC_LOW_PA)
		*pa = (u64)(va - t->base) + TALLOC_LOW_PA_BASE;
	else
		*pa = test_pa(va);
	return va;

fail:
	talloc_add(&t->failures, 1);
	return NULL;
}

static void talloc_free_table(void *ctx, void *table, unsigned int size_lg2)
{
	struct talloc *t = ctx;
	struct talloc_slot *slot;
	u32 state = TALLOC_SLOT_LIVE;
	u8 *va = table, *list = NULL;
	unsigned int k;
	bool poison, quarantine;

	slot = talloc_find_table(t, va, &k);
	if (!slot)
		talloc_die("free of a pointer that is not a table", va,
			   size_lg2);
	if (k != size_lg2)
		talloc_die("free with the wrong size", va, size_lg2);
	if (!__atomic_compare_exchange_n(&slot->state, &state,
					 TALLOC_SLOT_FREE, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		talloc_die(state == TALLOC_SLOT_FREE ? "double free" :
			   "free of a table never allocated", va, size_lg2);

	talloc_add(&t->live, -1ull);
	talloc_add(&t->live_bytes, -(1ull << size_lg2));
	talloc_add(&t->frees, 1);

	poison = __atomic_load_n(&t->poison, __ATOMIC_RELAXED);
	quarantine = __atomic_load_n(&t->qdepth, __ATOMIC_RELAXED) != 0;

	slot->poisoned = poison;
	if (poison)
		memset(va, TALLOC_POISON_BYTE, 1ull << size_lg2);
	talloc_asan_poison(va, 1ull << size_lg2);

	if (!quarantine) {
		talloc_push(t, va, slot, size_lg2);
		return;
	}

	pthread_mutex_lock(&t->qlock);
	slot->meta.next = NULL;
	if (t->qtail) {
		struct talloc_slot *tail = talloc_find_table(t, t->qtail, &k);

		tail->meta.next = va;
	} else {
		t->qhead = va;
	}
	t->qtail = va;
	__atomic_store_n(&t->qlen, t->qlen + 1, __ATOMIC_RELAXED);
	/* qdepth may have dropped to 0 meanwhile: then this empties it. */
	list = talloc_quarantine_trim(t, t->qdepth);
	pthread_mutex_unlock(&t->qlock);
	talloc_release_list(t, list);
}

static struct iopgt_table_meta *talloc_table_meta(void *ctx, void *table)
{
	struct talloc *t = ctx;
	struct talloc_slot *slot;
	unsigned int k = 0;

	slot = talloc_find_table(t, table, &k);
	if (!slot || talloc_state(slot) != TALLOC_SLOT_LIVE)
		talloc_die("table_meta of something not a live table", table,
			   k);
	return &slot->meta;
}

void *talloc_phys_to_virt(const struct talloc *t, u64 pa)
{
	if (t->flags & TALLOC_LOW_PA) {
		if (pa < TALLOC_LOW_PA_BASE ||
		    pa - TALLOC_LOW_PA_BASE >= t->size)
			return NULL;
		return t->base + (pa - TALLOC_LOW_PA_BASE);
	}
	if (pa < test_pa(t->base) || pa - test_pa(t->base) >= t->size)
		return NULL;
	return test_va(pa);
}

u64 talloc_virt_to_phys(const struct talloc *t, const void *va)
{
	uintptr_t addr = (uintptr_t)va, base = (uintptr_t)t->base;

	if (addr < base || addr - base >= t->size)
		return 0;
	if (t->flags & TALLOC_LOW_PA)
		return (u64)(addr - base) + TALLOC_LOW_PA_BASE;
	return test_pa(va);
}

static void *talloc_ops_phys_to_virt(void *ctx, u64 pa)
{
	struct talloc *t = ctx;

	return talloc_phys_to_virt(t, pa);
}

/* Cleans must stay inside one live table: anything else is a core bug. */
static void talloc_cache_clean(void *ctx, void *va, size_t len)
{
	struct talloc *t = ctx;
	struct talloc_slot *slot;
	unsigned int k = 0;
	u8 *start;

	slot = talloc_find(t, va, &start, &k);
	if (!slot || talloc_state(slot) != TALLOC_SLOT_LIVE)
		talloc_die("cache_clean outside a live table", va, k);
	if (len > (size_t)(start + (1ull << k) - (u8 *)va))
		talloc_die("cache_clean past the end of its table", va, k);
	talloc_add(&t->cleans, 1);
	talloc_add(&t->clean_bytes, len);
	if (t->on_clean)
		t->on_clean(t->on_clean_arg, va, len);
}

static const struct iopgt_ops talloc_ops_identity = {
	.alloc_table = talloc_alloc_table,
	.free_table = talloc_free_table,
	.table_meta = talloc_table_meta,
	/* the identity, but where test_pa() is not (a kernel) */
	.phys_to_virt = TEST_PA_OFFSET ? talloc_ops_phys_to_virt : NULL,
	.cache_clean = talloc_cache_clean,
};

static const struct iopgt_ops talloc_ops_low_pa = {
	.alloc_table = talloc_alloc_table,
	.free_table = talloc_free_table,
	.table_meta = talloc_table_meta,
	.phys_to_virt = talloc_ops_phys_to_virt,
	.cache_clean = talloc_cache_clean,
};

const struct iopgt_ops *talloc_ops(void)
{
	return &talloc_ops_identity;
}

const struct iopgt_ops *talloc_ops_for(const struct talloc *t)
{
	if (t->flags & TALLOC_LOW_PA)
		return &talloc_ops_low_pa;
	return &talloc_ops_identity;
}

bool talloc_is_live(const struct talloc *t, const void *va,
		    unsigned int *size_lg2)
{
	struct talloc_slot *slot;
	unsigned int k;

	slot = talloc_find_table(t, va, &k);
	if (!slot || talloc_state(slot) != TALLOC_SLOT_LIVE)
		return false;
	if (size_lg2)
		*size_lg2 = k;
	return true;
}

static void *talloc_reserve(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

struct talloc *talloc_create(u64 arena_bytes, unsigned int flags)
{
	struct talloc *t;
	unsigned int i;
	void *mem;

	if (flags & ~TALLOC_FLAGS_ALL)
		return NULL;
	if (!arena_bytes)
		arena_bytes = TALLOC_DEFAULT_ARENA;
	if (arena_bytes > (1ull << 44))
		return NULL;
	arena_bytes = (arena_bytes + TALLOC_CHUNK - 1) & ~(TALLOC_CHUNK - 1);

	if (posix_memalign(&mem, 64, sizeof(*t)))
		return NULL;
	t = mem;
	memset(t, 0, sizeof(*t));
	t->flags = flags;
	t->size = arena_bytes;
	t->nchunks = arena_bytes >> TALLOC_CHUNK_LG2;
	t->fail_countdown = -1;

	/* One extra chunk so the arena can start on a chunk boundary. */
	t->map_len = arena_bytes + TALLOC_CHUNK;
	t->map = talloc_reserve(t->map_len);
	/* Worst case: every chunk cut into 64-byte tables. */
	t->slots_len = (arena_bytes >> TALLOC_MIN_LG2) * sizeof(*t->slots);
	t->slots = talloc_reserve(t->slots_len);
	t->chunk_cls = calloc(t->nchunks, sizeof(*t->chunk_cls));
	t->chunk_slot0 = calloc(t->nchunks, sizeof(*t->chunk_slot0));
	if (!t->map || !t->slots || !t->chunk_cls || !t->chunk_slot0) {
		talloc_destroy(t);
		return NULL;
	}
	t->base = (u8 *)(((uintptr_t)t->map + TALLOC_CHUNK - 1) &
			 ~(uintptr_t)(TALLOC_CHUNK - 1));
	/*
	 * Benchmarks touch millions of fresh tables; faulting them in 2 MiB
	 * at a time is usually several times cheaper, at the price of the
	 * odd stall in compaction. Only a hint, so its failure is ignored.
	 */
	if (flags & TALLOC_HUGEPAGE)
		madvise(t->map, t->map_len, MADV_HUGEPAGE);

	for (i = 0; i < TALLOC_NCLASSES; i++)
		pthread_mutex_init(&t->cls[i].lock, NULL);
	pthread_mutex_init(&t->carve_lock, NULL);
	pthread_mutex_init(&t->qlock, NULL);

	t->poison = flags & (TALLOC_POISON | TALLOC_QUARANTINE);
	if ((flags & TALLOC_QUARANTINE) ||
	    (TALLOC_ASAN && !(flags & TALLOC_NO_QUARANTINE)))
		t->qdepth = TALLOC_QUARANTINE_DEPTH;
	if (t->qdepth)
		t->poison = true;
	return t;
}

void talloc_destroy(struct talloc *t)
{
	unsigned int i;

	if (!t)
		return;
	if (t->base) {
		/*
		 * Shadow poisoning outlives munmap in some ASan versions, and
		 * would then fault a later mapping at these addresses.
		 */
		talloc_asan_unpoison(t->base,
				     t->chunks_used << TALLOC_CHUNK_LG2);
		for (i = 0; i < TALLOC_NCLASSES; i++)
			pthread_mutex_destroy(&t->cls[i].lock);
		pthread_mutex_destroy(&t->carve_lock);
		pthread_mutex_destroy(&t->qlock);
	}
	if (t->map)
		munmap(t->map, t->map_len);
	if (t->slots)
		munmap(t->slots, t->slots_len);
	free(t->chunk_cls);
	free(t->chunk_slot0);
	free(t);
}

void talloc_fail_after(struct talloc *t, long n)
{
	__atomic_store_n(&t->fail_countdown, n < 0 ? -1 : n,
			 __ATOMIC_RELAXED);
}

void talloc_fail_all(struct talloc *t, bool on)
{
	__atomic_store_n(&t->fail_every, on, __ATOMIC_RELAXED);
}

void talloc_set_on_clean(struct talloc *t,
			 void (*on_clean)(void *arg, void *va, size_t len),
			 void *arg)
{
	t->on_clean = on_clean;
	t->on_clean_arg = arg;
}

u64 talloc_live(const struct talloc *t)
{
	return talloc_load(&t->live);
}

u64 talloc_live_bytes(const struct talloc *t)
{
	return talloc_load(&t->live_bytes);
}

u64 talloc_allocs(const struct talloc *t)
{
	return talloc_load(&t->allocs);
}

unsigned int talloc_last_gfp(const struct talloc *t)
{
	return __atomic_load_n(&t->last_gfp, __ATOMIC_RELAXED);
}

u64 talloc_frees(const struct talloc *t)
{
	return talloc_load(&t->frees);
}

u64 talloc_failures(const struct talloc *t)
{
	return talloc_load(&t->failures);
}

u64 talloc_peak(const struct talloc *t)
{
	return talloc_load(&t->peak);
}

u64 talloc_peak_bytes(const struct talloc *t)
{
	return talloc_load(&t->peak_bytes);
}

u64 talloc_cleans(const struct talloc *t)
{
	return talloc_load(&t->cleans);
}

u64 talloc_clean_bytes(const struct talloc *t)
{
	return talloc_load(&t->clean_bytes);
}
