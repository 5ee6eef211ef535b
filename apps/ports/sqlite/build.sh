# SQLite 3.40.1 and its shell (README.md). Debian's orig tarball is the full source tree, not
# the amalgamation: sqlite3.c and shell.c are generated on the host first, as Debian's build
# does (configure for the host, `make sqlite3.c shell.c`: lemon, mkkeywordhash and tclsh, the
# Debian package tcl), then the two files are compiled with the cross toolchain. Run by
# cmake/ports/port-build.sh in the unpacked tree, OUT as $1, the toolchain on PATH.
set -euo pipefail
out=$1
if [[ ! -f host/sqlite3.c || ! -f host/shell.c ]]; then
    mkdir -p host
    (cd host && CC=gcc ../configure --disable-tcl --disable-readline --disable-load-extension \
        --disable-threadsafe --disable-shared && make sqlite3.c shell.c)
fi
# No threads (libposix is single-threaded), no mmap (libposix has none: no memory-mapped I/O
# and no WAL, whose shared index is mmap'd), no extension loading (no dlopen), no readline.
# Compiled once (the tree is unpacked afresh when this recipe changes), linked at every build.
flags=(-O2 -Ihost
    -DSQLITE_THREADSAFE=0 -DSQLITE_MAX_MMAP_SIZE=0 -DSQLITE_OMIT_WAL
    -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_DEFAULT_MEMSTATUS=0 -DHAVE_READLINE=0)
for unit in sqlite3 shell; do
    [[ -f $unit.o ]] || i586-axolotl-elf-gcc "${flags[@]}" -c "host/$unit.c" -o "$unit.o.new"
    [[ -f $unit.o ]] || mv "$unit.o.new" "$unit.o"
done
rm -f sqlite3
i586-axolotl-elf-gcc -o sqlite3 shell.o sqlite3.o -lm
cp sqlite3 "$out/sqlite3"
