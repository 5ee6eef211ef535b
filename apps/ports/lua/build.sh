# Lua 5.4.4 (README.md): its plain Makefile, the POSIX flavour (LUA_USE_POSIX: popen, mkstemp,
# _setjmp) without dlopen, only the interpreter (not luac). Run by cmake/ports/port-build.sh
# in the unpacked tree, OUT as $1, the toolchain on PATH.
set -euo pipefail
out=$1
rm -f src/lua
make -C src -j"$AXO_PORT_JOBS" lua \
    CC="i586-axolotl-elf-gcc -std=gnu99" AR="i586-axolotl-elf-ar rc" \
    RANLIB=i586-axolotl-elf-ranlib \
    CFLAGS="-O2 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_POSIX" LIBS="-lm"
cp src/lua "$out/lua"
