# dash 0.5.12 (README.md): autoconf for the i586-axolotl-elf host, then only src/dash.
# Run by cmake/ports/port-build.sh in the unpacked tree, OUT as $1, the toolchain on PATH.
set -euo pipefail
out=$1
if [[ ! -f config.status ]]; then
    ./configure --host=i586-axolotl-elf --disable-dependency-tracking CFLAGS="-O2"
fi
# src/signames.c, the table of signal names: upstream makes it by running src/mksignames on the
# build machine, which knows the build machine's signal numbers (Linux: SIGUSR1 is 10), not
# newlib's (SIGUSR1 is 30). Made here from the target's <signal.h> through the cross
# preprocessor instead, after mksignames so that make takes the table as up to date.
make -C src mksignames
signals="HUP INT QUIT ILL TRAP ABRT IOT EMT FPE KILL BUS SEGV SYS PIPE ALRM TERM URG STOP TSTP
    CONT CHLD CLD TTIN TTOU IO POLL XCPU XFSZ VTALRM PROF WINCH LOST USR1 USR2 PWR"
{
    echo '#include <signal.h>'
    echo 'axo_nsig NSIG'
    for s in $signals; do printf '#ifdef SIG%s\n%s SIG%s\n#endif\n' "$s" "$s" "$s"; done
} | i586-axolotl-elf-cpp -P - | awk '
    NF == 2 && $1 == "axo_nsig" { nsig = $2; next }
    NF == 2 && $2 ~ /^[0-9]+$/ && !($2 in name) { name[$2] = $1 }
    END {
        print "/* Made by apps/ports/dash/build.sh from the target'"'"'s <signal.h>. */"
        print "#include <signal.h>"
        print "const char *const signal_names[NSIG + 1] = {"
        print "    \"EXIT\","
        for (i = 1; i < nsig; i++) printf "    \"%s\",\n", (i in name) ? name[i] : i
        print "    (char *)0x0"
        print "};"
    }' >src/signames.c.new
mv src/signames.c.new src/signames.c
rm -f src/dash
make -j"$AXO_PORT_JOBS"
cp src/dash "$out/dash"
