#!/usr/bin/env bash
# Checks that the user toolchain (newlib, crt0, lib/user.ld, lwIP) produced what the target
# can run:
#
#   check_program.sh PROGRAM [LIBRARY...]
#
# PROGRAM must be a static ELF32 i386 executable that enters at _start and has newlib's printf
# and malloc linked in. PROGRAM and every LIBRARY must be free of instructions a Pentium
# (P54C, what Bochs' `cpu: model=pentium` emulates) does not have: they raise #UD there while
# QEMU runs them happily, so only this check catches them early.
set -euo pipefail

failures=0
fail() {
    printf 'FAIL: %s\n' "$*"
    failures=$((failures + 1))
}
pass() { printf 'ok: %s\n' "$*"; }

program=$1
shift
[[ -f $program ]] || { echo "FAIL: $program does not exist (was the target tree built?)"; exit 1; }

header=$(readelf -h "$program")
field() { awk -F: -v k="$1" '$1 ~ "^ *" k "$" { sub(/^[ \t]+/, "", $2); print $2 }' <<<"$header"; }

[[ $(field Class) == ELF32 ]] && pass "ELF32" || fail "class is $(field Class), not ELF32"
[[ $(field Machine) == "Intel 80386" ]] && pass "Intel 80386" || fail "machine is $(field Machine)"
[[ $(field Type) == EXEC* ]] && pass "EXEC" || fail "type is $(field Type), not EXEC"

segments=$(readelf -lW "$program")
if grep -qE '^\s*(INTERP|DYNAMIC)\s' <<<"$segments"; then
    fail "has INTERP or DYNAMIC segments: not statically linked"
else
    pass "static (no INTERP, no DYNAMIC)"
fi

# A segment both writable and executable (the toolchain silences ld's warning about it).
if awk '$1 == "LOAD" && $(NF - 1) ~ /W/ && $(NF - 1) ~ /E/ { found = 1 } END { exit !found }' <<<"$segments"; then
    fail "a LOAD segment is writable and executable"
else
    pass "no writable and executable segment"
fi

symbols=$(nm "$program")
symbol_address() { awk -v s="$1" '$3 == s && $2 ~ /[Tt]/ { print $1 }' <<<"$symbols"; }
entry=$(field "Entry point address")
start=$(symbol_address _start)
if [[ -n $start ]] && ((entry == 0x$start)); then
    pass "entry $entry is _start"
else
    fail "entry $entry is not _start (${start:-no _start})"
fi
for s in printf malloc; do
    [[ -n $(symbol_address "$s") ]] && pass "links $s" || fail "no $s in the program"
done

# P6 and later: cmov/fcmov, fcomi/fucomi, sysenter/sysexit, the long nop (0F 1F) that gas may
# use for padding, fxsave/fxrstor, and anything that touches MMX or SSE registers.
p6='^(cmov[a-z]*|fcmov[a-z]*|f(u)?comip?|sysenter|sysexit|nop[wl]|fxsave|fxrstor)$'
for file in "$program" "$@"; do
    [[ -f $file ]] || { fail "$file does not exist"; continue; }
    bad=$(objdump -d --no-show-raw-insn "$file" | awk -v re="$p6" -F'\t' '
        /^[0-9a-f]+ <.*>:$/ { fn = $0 }
        NF >= 2 {
            split($2, w, " ")
            if ((w[1] ~ re || $2 ~ /%x?mm[0-9]/) && ++n <= 10) print "  " fn " " $2
        }')
    if [[ -n $bad ]]; then
        fail "$(basename "$file") uses instructions a Pentium does not have, e.g.:"
        printf '%s\n' "$bad"
    else
        pass "$(basename "$file"): Pentium instructions only"
    fi
done

((failures == 0)) || { echo "$failures check(s) failed"; exit 1; }
