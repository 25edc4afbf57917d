# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# shellcheck shell=bash
#
# kernel-lib.sh: what the in-kernel runners share, sourced by
# scripts/kernel-test (the conformance suite) and tests/kernel/iommu/run
# (QEMU's IOMMUs). The boot itself is scripts/kernel-vm; this file holds
# the steps around it, so that both runners pick the same kernel, build
# their module with the same rules and judge a console by the same list
# of complaints.
#
# The runner sets klib_name (the prefix of its messages) before calling:
#
#   klib_pick_kernel KDIR KVER KERNEL
#	Sets klib_kdir, klib_kver, klib_kernel. Empty arguments are chosen:
#	the newest configured header tree (/lib/modules/V/build or
#	/usr/src/linux-headers-V) whose version V (its utsrelease.h, which
#	is what vermagic and `uname -r` say) has a readable /boot/vmlinuz-V.
#	A given KVER or KERNEL narrows the choice; the image and the tree
#	must be of one version. Nothing found is a failure naming the Debian
#	packages, never a skip.
#   klib_pick_headers KDIR
#	Sets klib_kdir for a build alone (no boot, so no image needed):
#	KDIR, else the running kernel's /lib/modules/$(uname -r)/build,
#	else the newest configured header tree.
#   klib_workdir KEEP
#	Sets klib_work to a new temporary directory, removed at exit unless
#	KEEP is 1 (then its path is printed at exit).
#   klib_export_core DIR [FORMAT...]
#	scripts/export-kernel into DIR (all formats when none are named).
#   klib_build DIR LOG
#	make -C $klib_kdir M=DIR W=1 KCFLAGS=-g0 modules; fails on a
#	failed build and on any warning (the core must stay W=1 clean in
#	every module).
#   klib_judge LOG MODULE END
#	Reads a console log from scripts/kernel-vm that loaded MODULE (with
#	--rmmod) and printed KTAP ending with a line starting "END". Sets
#	klib_ktap (the KTAP lines from its first header to END, without the
#	kernel's messages in between) and klib_problems
#	(one entry per reason to fail: a complaint of the kernel, insmod or
#	rmmod not exiting 0, /init not reaching its end, no plan, a number of
#	top-level results other than the plan, any "not ok" at any depth, no
#	end marker). Returns 0 when there is none. The caller empties
#	klib_problems before klib_vm_status and klib_judge.
#   klib_vm_status STATUS TIMEOUT
#	Adds a problem for a kernel-vm exit status other than 0.

klib_fail() {
	echo "${klib_name:-kernel}: FAILED: $*" >&2
	exit 1
}

# The version of a configured header tree, or nothing.
klib_tree_version() {
	[[ -f $1/Makefile && -f $1/include/config/auto.conf &&
		-f $1/include/generated/utsrelease.h ]] &&
		sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
			"$1/include/generated/utsrelease.h" | grep .
}

# Every configured header tree, newest version first: "VERSION<tab>DIR".
klib_trees() {
	local t v

	shopt -s nullglob
	for t in /lib/modules/*/build /usr/src/linux-headers-*; do
		v=$(klib_tree_version "$t") && printf '%s\t%s\n' "$v" "$t"
	done | sort -rV -k1,1
	shopt -u nullglob
}

klib_pick_kernel() {
	local kdir=$1 kver=$2 kernel=$3 t v trees=()

	if [[ -n $kdir ]]; then
		trees=("$kdir")
	elif [[ -n $kver ]]; then
		trees=("/lib/modules/$kver/build"
			"/usr/src/linux-headers-$kver")
	else
		mapfile -t trees < <(klib_trees | cut -f2)
	fi
	klib_kdir=""
	for t in "${trees[@]}"; do
		v=$(klib_tree_version "$t") || continue
		[[ -z $kver || $v == "$kver" ]] || continue
		if [[ -n $kernel$kdir || -r /boot/vmlinuz-$v ]]; then
			klib_kdir=$t
			klib_kver=$v
			break
		fi
	done
	if [[ -z $klib_kdir ]]; then
		[[ -z $kdir ]] || klib_fail "$kdir is not a configured kernel" \
			"tree (Makefile, include/config/auto.conf," \
			"include/generated/utsrelease.h)"
		klib_fail "no configured kernel headers${kver:+ for $kver}" \
			"with a readable /boot/vmlinuz of the same version" \
			"(Debian: linux-headers-amd64 and linux-image-amd64" \
			"of one version; scripts/deps installs them)"
	fi
	klib_kernel=${kernel:-/boot/vmlinuz-$klib_kver}
	[[ -e $klib_kernel ]] ||
		klib_fail "no $klib_kernel for the headers' version $klib_kver"
	[[ -r $klib_kernel ]] || klib_fail "$klib_kernel is not readable" \
		"(it is root's only on some systems: run as root or chmod" \
		"a+r it)"
	case $klib_kernel in
	*"-$klib_kver") ;;
	*) klib_fail "$klib_kernel is not of the headers' version" \
		"$klib_kver" ;;
	esac
}

klib_pick_headers() {
	klib_kdir=$1
	if [[ -z $klib_kdir ]]; then
		klib_kdir="/lib/modules/$(uname -r)/build"
		klib_tree_version "$klib_kdir" >/dev/null ||
			klib_kdir=$(klib_trees | head -n 1 | cut -f2)
	fi
	[[ -n $klib_kdir ]] || klib_fail "no kernel headers found (looked" \
		"in /lib/modules/*/build and /usr/src/linux-headers-*;" \
		"Debian: linux-headers-amd64, which scripts/deps installs)"
	klib_tree_version "$klib_kdir" >/dev/null ||
		klib_fail "$klib_kdir is not a configured kernel tree" \
			"(Makefile, include/config/auto.conf," \
			"include/generated/utsrelease.h)"
}

klib_workdir() {
	klib_work=$(mktemp -d \
		"${TMPDIR:-/tmp}/iopgt-${klib_name:-kernel}.XXXXXX")
	if (($1)); then
		trap 'echo "$klib_name: kept $klib_work"' EXIT
	else
		trap 'rm -rf "$klib_work"' EXIT
	fi
}

klib_export_core() {
	local dir=$1
	shift
	bash "$(dirname "${BASH_SOURCE[0]}")/export-kernel" \
		${1:+--formats "$*"} "$dir" >/dev/null
}

klib_build() {
	local dir=$1 log=$2

	# A make above us (ctest under make) must not lend its jobserver.
	# No debug info (-g0 after the kernel's -g): nothing reads it in a
	# test module, and it is an eighth of the compile time.
	if ! (unset MAKEFLAGS MFLAGS MAKELEVEL
		exec make -C "$klib_kdir" M="$dir" W=1 KCFLAGS=-g0 \
			-j"$(nproc)" modules >"$log" 2>&1); then
		cat "$log" >&2
		klib_fail "the module did not build"
	fi
	if grep -qi 'warning:' "$log"; then
		grep -i -A3 'warning:' "$log" >&2
		klib_fail "the module build warned (W=1 must be clean)"
	fi
}

# Kernel trouble, whoever reported it: WARN, BUG, oops, panic, slub's
# and KASAN's reports, lockups and stalls, and the test code's abort().
klib_complaints='WARNING:|------------\[ cut here \]|BUG:|BUG [a-z0-9_-]+ \(|'
klib_complaints+='kernel BUG|Oops|general protection|Kernel panic|'
klib_complaints+='Call Trace:|KASAN|UBSAN|soft lockup|rcu_.*stall|hung_task|'
klib_complaints+='Poison overwritten|Redzone|Object padding|abort\(\) called'

klib_vm_status() {
	case $1 in
	0) ;;
	124) klib_problems+=("the VM timed out after $2 s") ;;
	*) klib_problems+=("the VM failed (kernel-vm exit $1)") ;;
	esac
}

klib_judge() {
	local log=$1 module=$2 end=$3 plan results notok

	if grep -Eq "$klib_complaints" "$log"; then
		klib_problems+=("the kernel reported trouble, $(
			grep -Ec "$klib_complaints" "$log") lines like: $(
			grep -Em1 "$klib_complaints" "$log")")
	fi
	grep -q "^kernel-vm: insmod $module: exit 0$" "$log" ||
		klib_problems+=("insmod did not succeed")
	grep -q "^kernel-vm: rmmod $module: exit 0$" "$log" ||
		klib_problems+=("rmmod did not succeed")
	grep -q '^kernel-vm: end$' "$log" ||
		klib_problems+=("/init did not get to its end")

	# KTAP lines only: kernel messages may come between them
	klib_ktap=$(sed -n "/^KTAP version 1\$/,/^$end/p" "$log" |
		grep -E '^ *(KTAP version |1\.\.[0-9]+$|(not )?ok [0-9]+|# )' ||
		true)
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' <<<"$klib_ktap" |
		head -n 1)
	results=$(grep -Ec '^(not )?ok [0-9]+ ' <<<"$klib_ktap" || true)
	[[ -n $klib_ktap ]] || klib_problems+=("no KTAP output")
	if [[ -z $plan ]]; then
		klib_problems+=("no KTAP plan")
	elif ((results != plan)); then
		klib_problems+=("$results results for a plan of $plan")
	fi
	grep -q "^$end" <<<"$klib_ktap" ||
		klib_problems+=("no end marker ($end)")
	notok=$(grep -Ec '^ *not ok ' <<<"$klib_ktap" || true)
	((notok == 0)) || klib_problems+=("$notok 'not ok' results")
	((${#klib_problems[@]} == 0))
}
