#!/usr/bin/env bash
# The cross toolchain (libposix/README.md, "Building other programs"), end to end: config.sub
# accepts its triple, make builds tests/toolchain/cross_program with the i586-axolotl-elf-*
# wrappers (a library through ar and ranlib, then the program), and the program boots under
# proc and mm and passes its TAP.
#
#   run_cross_program.sh TARGET_DIR SOURCE_ROOT LOG_DIR
set -euo pipefail
target=$(cd "$1" && pwd) source=$(cd "$2" && pwd) logs=$3
bin=$target/toolchain/bin
triple=i586-axolotl-elf

[[ -x $bin/$triple-gcc ]] || { echo "FAIL: $bin/$triple-gcc missing (was the target tree built?)"; exit 1; }
# autoconf's config.sub (Debian's autotools-dev, which ./axo installs) must accept the triple
# for --host to work.
if [[ -f /usr/share/misc/config.sub ]]; then
    canonical=$(sh /usr/share/misc/config.sub "$triple")
    [[ $canonical == "$triple" ]] || { echo "FAIL: config.sub says $canonical"; exit 1; }
    echo "ok: config.sub accepts $triple"
else
    echo "note: no /usr/share/misc/config.sub (autotools-dev) to ask about $triple"
fi
[[ $("$bin/$triple-gcc" -dumpmachine) == "$triple" ]] || { echo "FAIL: -dumpmachine"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$source/tests/toolchain/cross_program/"* "$work/"
make -s -C "$work" CC="$bin/$triple-gcc" AR="$bin/$triple-ar" RANLIB="$bin/$triple-ranlib"
readelf -h "$work/cross_hello" | grep -q "Machine:.*Intel 80386" ||
    { echo "FAIL: not an i386 executable"; exit 1; }

python3 "$source/tests/system/qemu_run.py" \
    "--kernel=$target/kernel/kernel.elf" "--append=" "--timeout=60" \
    "--log=$logs/toolchain-cross-program.log" \
    "--module=$target/servers/memory/sigma0/sigma0 sigma0" \
    "--module=$target/servers/proc/proc" \
    "--module=$target/servers/memory/mm/mm" \
    "--module=$work/cross_hello on-exit=shutdown" \
    "--expect=proc: cross_hello ended.*on-exit=shutdown: success"
