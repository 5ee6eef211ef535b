#!/bin/sh
# The ports' self-tests (README.md, "Self-tests"), run in the guest by ports-selftests:
#     selftest.sh DIR...
# Every case in a DIR — NAME.lua, run by lua, or NAME.sql, run by sqlite3 on a new database
# file — must print exactly NAME.expected on stdout and NAME.expected-stderr (empty if there is
# none) on stderr: what the same upstream version prints on the host. One line per case:
# `PASS: DIR/NAME` or `FAIL: DIR/NAME` followed by the differences, indented.
out=/tmp/selftest.out err=/tmp/selftest.err db=/tmp/selftest.db
for dir in "$@"; do
    for case in "$dir"/*.lua "$dir"/*.sql; do
        [ -e "$case" ] || continue
        base=${case%.*}
        name=${dir##*/}/${case##*/}
        case $case in
        *.lua) (cd /tmp && lua "$case") >"$out" 2>"$err" ;;
        *.sql) rm -f "$db" && (cd /tmp && sqlite3 "$db") <"$case" >"$out" 2>"$err" ;;
        esac
        expected_err=$base.expected-stderr
        [ -e "$expected_err" ] || expected_err=/dev/null
        if cmp -s "$out" "$base.expected" && cmp -s "$err" "$expected_err"; then
            echo "PASS: $name"
        else
            echo "FAIL: $name"
            diff "$base.expected" "$out" | sed 's/^/    /'
            diff "$expected_err" "$err" | sed 's/^/    /'
        fi
    done
done
rm -f "$out" "$err" "$db"
