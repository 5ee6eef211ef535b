#!/usr/bin/env bash
# Compiles busybox for Axolotl into a cache directory (README.md): Debian's source package
# (the orig tarball and Debian's patches), our patches, allnoconfig plus busybox.config, the
# cross toolchain. Leaves in OUT: the objects (lib.a, built-in.o per directory, linked per
# build tree by CMakeLists.txt), libnewlib_posix.a, busybox.links, `stamp` last.
#
# usage: build-busybox.sh SOURCE_DIR OUT TOOLCHAIN_BIN NEWLIB_TARBALL PORT_DIR JOBS
set -euo pipefail
source_dir=$1 out=$2 toolchain=$3 newlib_tarball=$4 port=$5 jobs=$6
start=$(date +%s)

# Built beside the final place and renamed, so an interrupted build is never taken for done.
work=$out.tmp
rm -rf "$work" "$out"
mkdir -p "$work"
tar -xjf "$source_dir"/busybox_*.orig.tar.bz2 -C "$work"
tar -xJf "$source_dir"/busybox_*.debian.tar.xz -C "$work"
tree=$work/busybox-1.35.0
# Debian's patches first (its series, in order: CVE fixes and the PLATFORM_LINUX switch that
# keeps Linux-only applets out of a non-Linux build), then ours.
while read -r patch; do
    patch -d "$tree" -p1 -s <"$work/debian/patches/$patch"
done < <(grep -v '^#' "$work/debian/patches/series" | grep .)
for patch in "$port"/patches/*.patch; do
    patch -d "$tree" -p1 -s <"$patch"
done

export PATH=$toolchain:$PATH

# newlib's POSIX regex and fnmatch (regcomp, regexec, regerror, regfree, fnmatch): newlib has
# the headers but builds these only for some targets, and grep, sed, awk, find need them.
mkdir -p "$work/newlib-posix"
tar -xJf "$newlib_tarball" -C "$work/newlib-posix" --strip-components=4 \
    newlib-salsa/newlib/libc/posix
for name in regcomp regexec regerror regfree fnmatch collate collcmp; do
    i586-axolotl-elf-gcc -O2 -D_GNU_SOURCE -I"$work/newlib-posix" -c "$work/newlib-posix/$name.c" \
        -o "$work/newlib-posix/$name.o"
done
i586-axolotl-elf-ar rcs "$work/libnewlib_posix.a" "$work"/newlib-posix/*.o

cc="i586-axolotl-elf-gcc -idirafter $port/pending-include"
make_line=(make -C "$tree" CROSS_COMPILE=i586-axolotl-elf- "CC=$cc" "LDFLAGS=-L$work"
    LDLIBS=newlib_posix)

# allnoconfig, then every CONFIG_X=y of busybox.config, then oldconfig to settle what those
# select. busybox's allnoconfig ignores KCONFIG_ALLCONFIG's values, hence the edit.
"${make_line[@]}" allnoconfig >"$work/config.log" 2>&1
for symbol in $(grep -o '^CONFIG_[A-Z0-9_]*=y' "$port/busybox.config" | sed 's/=y$//'); do
    grep -q "^$symbol=y\$" "$tree/.config" && continue
    grep -q "^# $symbol is not set\$" "$tree/.config" ||
        { echo "busybox.config: $symbol is no symbol of busybox 1.35.0" >&2; exit 1; }
    sed -i "s/^# $symbol is not set\$/$symbol=y/" "$tree/.config"
done
{ yes '' || true; } | "${make_line[@]}" oldconfig >>"$work/config.log" 2>&1
for symbol in $(grep -o '^CONFIG_[A-Z0-9_]*=y' "$port/busybox.config" | sed 's/=y$//'); do
    grep -q "^$symbol=y\$" "$tree/.config" ||
        { echo "busybox.config: $symbol is off after oldconfig (a dependency is missing)" >&2; exit 1; }
done
"${make_line[@]}" -j"$jobs" >"$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log" >&2; echo "busybox build failed: $work/build.log" >&2; exit 1; }
"${make_line[@]}" busybox.links >>"$work/build.log" 2>&1
sort "$tree/busybox.links" >"$work/busybox.links"
cmp -s "$work/busybox.links" "$port/busybox.links" ||
    { echo "busybox.links differs from what busybox.config gives:" >&2
      diff "$port/busybox.links" "$work/busybox.links" >&2; exit 1; }
echo "busybox compiled in $(($(date +%s) - start)) s" | tee "$work/time.txt"
mv "$work" "$out"
touch "$out/stamp"
