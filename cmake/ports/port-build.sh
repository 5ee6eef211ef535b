#!/usr/bin/env bash
# Builds one upstream program of apps/ports/ (cmake/ports.cmake runs it; apps/ports/README.md):
#
#   port-build.sh NAME TARBALL RECIPE_DIR WORK OUT TOOLCHAIN_BIN PENDING_INCLUDE
#
# Unpacks TARBALL (the Debian orig tarball ./axo deps downloaded) into WORK/src, applies
# RECIPE_DIR/patches/*.patch in name order, then runs RECIPE_DIR/build.sh in WORK/src with the
# cross toolchain first on PATH and OUT as its argument: the recipe configures (once), makes,
# and copies its programs into OUT. The unpacked tree is kept and made again only when the
# recipe (build.sh, its patches) or the tarball changes; each run relinks, because libposix
# may have changed. The whole output goes to WORK/build.log; its end is printed on failure.
set -euo pipefail
name=$1 tarball=$2 recipe=$3 work=$4 out=$5 toolchain=$6

mkdir -p "$work" "$out"
log=$work/build.log
: >"$log"
key=$({ basename "$tarball"; cat "$recipe/build.sh"; cat "$recipe"/patches/*.patch 2>/dev/null || true; } | sha256sum | cut -c1-16)

fail() {
    echo "port $name: $1 failed; the end of $log:" >&2
    tail -n 40 "$log" >&2
    exit 1
}

if [[ ! -f $work/src/.axo-recipe || $(cat "$work/src/.axo-recipe") != "$key" ]]; then
    echo "port $name: unpacking $(basename "$tarball") and applying its patches"
    rm -rf "$work/src" "$work/src.tmp"
    mkdir -p "$work/src.tmp"
    tar -xf "$tarball" -C "$work/src.tmp" --strip-components=1 >>"$log" 2>&1 || fail "unpacking"
    for patch in "$recipe"/patches/*.patch; do
        [[ -f $patch ]] || continue
        echo "applying $(basename "$patch")" >>"$log"
        patch -d "$work/src.tmp" -p1 --no-backup-if-mismatch <"$patch" >>"$log" 2>&1 ||
            fail "applying $(basename "$patch")"
    done
    echo "$key" >"$work/src.tmp/.axo-recipe"
    mv "$work/src.tmp" "$work/src"
fi

echo "port $name: building (log: $log)"
cd "$work/src"
PATH=$toolchain:$PATH AXO_PORT_JOBS=${AXO_PORT_JOBS:-2} \
    bash "$recipe/build.sh" "$out" >>"$log" 2>&1 || fail "building"
