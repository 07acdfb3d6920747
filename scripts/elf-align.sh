#!/bin/sh
# elf-align.sh LIB ALIGN -- set the alignment (p_align) of LIB's first
# loadable segment to ALIGN (a power of two, e.g. 65536).
#
# glibc's loader (2.35 and later) places a library at a multiple of its
# first segment's p_align.  `ld -z max-page-size` would raise it too, but
# also spreads the segments ALIGN apart, and the loader then reserves the
# hole between them: one more mapping in every process, copied by every
# fork.  Only the first segment's field changes here; its address and
# file offset (both 0) stay multiples of ALIGN, as the loader checks.
# ELF64 little-endian only (x86-64), which is what the shim is built for.
set -eu
lib=$1 align=$2
u16() { od -An -t u2 -j "$1" -N 2 "$lib" | tr -d ' '; }
u32() { od -An -t u4 -j "$1" -N 4 "$lib" | tr -d ' '; }
u64() { od -An -t u8 -j "$1" -N 8 "$lib" | tr -d ' '; }
[ "$(od -An -c -j 1 -N 3 "$lib" | tr -d ' ')" = ELF ] || { echo "elf-align: $lib: not ELF" >&2; exit 1; }
[ "$(od -An -t u1 -j 4 -N 2 "$lib" | tr -s ' ')" = " 2 1" ] || { echo "elf-align: $lib: not ELF64 little-endian" >&2; exit 1; }
phoff=$(u64 32) phentsize=$(u16 54) phnum=$(u16 56)
i=0
while [ "$i" -lt "$phnum" ]; do
	ph=$((phoff + i * phentsize))
	if [ "$(u32 "$ph")" = 1 ]; then # PT_LOAD
		vaddr=$(u64 $((ph + 16))) off=$(u64 $((ph + 8)))
		if [ $((vaddr % align)) -ne 0 ] || [ $((off % align)) -ne 0 ]; then
			echo "elf-align: $lib: first segment at $vaddr (offset $off), not a multiple of $align" >&2
			exit 1
		fi
		# p_align: 8 bytes at +48, little-endian, written as octal escapes
		# (what every printf(1) understands).
		esc= v=$align n=0
		while [ "$n" -lt 8 ]; do
			esc="$esc\\$(printf '%03o' $((v % 256)))"
			v=$((v / 256)) n=$((n + 1))
		done
		printf "$esc" | dd of="$lib" bs=1 seek=$((ph + 48)) conv=notrunc status=none
		[ "$(u64 $((ph + 48)))" = "$align" ] || { echo "elf-align: $lib: write failed" >&2; exit 1; }
		exit 0
	fi
	i=$((i + 1))
done
echo "elf-align: $lib: no loadable segment" >&2
exit 1
