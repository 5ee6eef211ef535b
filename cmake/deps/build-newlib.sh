#!/usr/bin/env bash
# The newlib recipe: unpack Debian's newlib source, configure it for i686-elf with the host
# gcc in 32-bit mode, build libc/libm and install headers and libraries into PREFIX.
#
#   build-newlib.sh TARBALL PREFIX JOBS
#
# cmake/deps.cmake names PREFIX after the newlib version and a hash of this file, the patches
# in newlib-patches/ and the compiler version, so editing anything here (flags included) builds a fresh copy beside the
# old one instead of reusing a stale one. PREFIX/stamp is written last: it exists only for a
# complete installation.
# Facts behind the flags: ../shared/NOTES-toolchain.md (measured, not guessed).
set -euo pipefail

tarball=$1
prefix=$2
jobs=${3:-2}

stamp=$prefix/stamp
log=$prefix/build.log
work=$prefix/work
start=$SECONDS

say() { printf 'newlib: %s\n' "$*"; }

# PREFIX is removed wholesale below: refuse anything that is not a newlib cache directory.
[[ $(basename "$prefix") == newlib-* ]] || { say "error: refusing prefix $prefix"; exit 1; }

if [[ -f $stamp ]]; then
    say "cached in $prefix"
    exit 0
fi
[[ -f $tarball ]] || {
    say "error: $tarball is missing; run ./axo deps (Debian package newlib-source)"
    exit 1
}

fail() {
    say "error: $1 failed after $((SECONDS - start)) s; last lines of $log:"
    tail -n 40 "$log" | sed 's/^/  | /'
    exit 1
}

# A half-finished earlier attempt (interrupted build) is thrown away, never resumed.
rm -rf "$prefix"
mkdir -p "$work/build"
: >"$log"

say "unpacking $(basename "$tarball") (newlib is built once per recipe; full log: $log)"
tar -xJf "$tarball" -C "$work" >>"$log" 2>&1 || fail "unpacking"
src=$work/newlib-salsa # Debian's tarball does not unpack to newlib-3.3.0/

# Our fixes of newlib's own bugs, one file each (newlib-patches/README.md says why).
for patch in "$(dirname "${BASH_SOURCE[0]}")"/newlib-patches/*.patch; do
    [[ -e $patch ]] || continue
    say "applying $(basename "$patch")"
    patch -d "$src" -p1 --forward --batch <"$patch" >>"$log" 2>&1 || fail "patch $(basename "$patch")"
done

# The host gcc predefines __linux__ & co.; newlib's sys/config.h would then select its Linux
# flavour and links fail on __swrite64. Programs built against this newlib need the same -U's.
undef="-U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ -U__unix -Uunix"

say "configuring for i686-elf, -march=pentium"
(
    cd "$work/build"
    "$src/configure" \
        --target=i686-elf \
        --prefix="$prefix" \
        --disable-multilib \
        --disable-newlib-supplied-syscalls \
        --enable-newlib-io-long-long \
        --enable-newlib-io-c99-formats \
        --enable-newlib-retargetable-locking \
        --disable-nls \
        CC_FOR_TARGET="gcc -m32 -march=pentium $undef" \
        AS_FOR_TARGET="as --32" \
        LD_FOR_TARGET="ld -m elf_i386" \
        AR_FOR_TARGET=ar \
        NM_FOR_TARGET=nm \
        RANLIB_FOR_TARGET=ranlib \
        OBJDUMP_FOR_TARGET=objdump \
        READELF_FOR_TARGET=readelf \
        STRIP_FOR_TARGET=strip \
        CFLAGS_FOR_TARGET="-O2 -g -fno-pic -fno-pie -fno-stack-protector -ffunction-sections -fdata-sections"
) >>"$log" 2>&1 || fail "configure"

# make's own output goes to the log; the terminal gets a line when make configures newlib's
# subdirectories and then one per 100 compiled files, so the 2-3 minute step visibly moves
# without burying everything else the build prints.
say "compiling with $jobs jobs (about 1000 files, 2-3 minutes on 2 cores)"
make -C "$work/build" -j"$jobs" all-target-newlib 2>&1 | tee -a "$log" | awk '
    /^Configuring in / { print "newlib: configuring " $3; fflush() }
    /Entering directory .*\/i686-elf\/newlib\// {
        dir = $NF; gsub(/[\047`]/, "", dir); sub(/.*\/i686-elf\/newlib\//, "", dir)
    }
    /^gcc .* -c / { n++; if (n % 100 == 0) { printf "newlib: %4d/~1000 files compiled (%s)\n", n, dir; fflush() } }
    END { printf "newlib: %4d files compiled\n", n; fflush() }
' || fail "make all-target-newlib"

say "installing headers and libraries"
make -C "$work/build" install-target-newlib >>"$log" 2>&1 || fail "make install-target-newlib"
[[ -f $prefix/i686-elf/lib/libc.a && -f $prefix/i686-elf/lib/libm.a ]] || fail "installation (no libc.a/libm.a)"

# Sources and objects are never used again; the installed tree (~9 MB) is what stays.
rm -rf "$work"
touch "$stamp"
say "done in $((SECONDS - start)) s: $prefix/i686-elf"
