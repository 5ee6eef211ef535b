#!/bin/sh
# Runs one fuzz target for a bounded time, reproducibly: a fixed seed, a fresh working corpus
# that starts from the committed seeds (each of which runs first, as a regression test), and
# crashes saved in the test's log directory with the command that replays them.
#   run_fuzz.sh BINARY SEED_CORPUS LOG_DIR SECONDS [SEED]
set -eu
binary=$1 seeds=$2 logdir=$3 seconds=$4 seed=${5:-1}
rm -rf "$logdir"
mkdir -p "$logdir/corpus" "$logdir/artifacts"
[ -d "$seeds" ] || { echo "no seed corpus at $seeds"; exit 1; }
echo "fuzzing: $binary for ${seconds}s, -seed=$seed, seeds from $seeds"
echo "working corpus: $logdir/corpus; crashes: $logdir/artifacts/"
status=0
"$binary" -seed="$seed" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$logdir/artifacts/" -rss_limit_mb=2048 -timeout=10 \
    "$logdir/corpus" "$seeds" >"$logdir/fuzz.log" 2>&1 || status=$?
tail -n 60 "$logdir/fuzz.log"
if [ "$status" -ne 0 ]; then
    echo "FAIL: $binary exited with status $status (seed $seed); the input that failed:"
    for input in "$logdir"/artifacts/*; do
        [ -e "$input" ] || continue
        echo "  $input"
        echo "  replay: $binary $input"
    done
    exit 1
fi
grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec|^#[0-9]+.*DONE' "$logdir/fuzz.log" || true
