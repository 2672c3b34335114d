#!/usr/bin/env bash
# Runs every fuzz target in turn for the given number of seconds each
# (default 1800) and prints each run's totals: executions, seconds,
# corpus size, and whether it found anything (crashes land in
# fuzz/artifacts/<target>/).
#
#   fuzz/campaign.sh [SECONDS] [TARGET...]
#
# With a nightly toolchain it builds with AddressSanitizer; otherwise
# with RUSTC_BOOTSTRAP=1 and no sanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-1800}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(filter patch_path filter_ast resource_json patch_request protocol_request)
fi
if rustup toolchain list | grep -q nightly; then
    fuzz=(cargo +nightly fuzz)
    sanitizer=()
    # AddressSanitizer keeps the call stack of every allocation it has
    # seen, each distinct stack once; the recursive parsers and printers
    # give an unbounded number of distinct 30-frame stacks, so over a long
    # run its memory grows past the RSS limit (filter_ast: 2 GB in six
    # minutes) although the targets hold none. Four frames keep it flat.
    export ASAN_OPTIONS="${ASAN_OPTIONS:-malloc_context_size=4}"
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
    sanitizer=(--sanitizer none)
fi
"${fuzz[@]}" build "${sanitizer[@]}" --release >/dev/null
mkdir -p fuzz/logs
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t"
    log="fuzz/logs/$t.log"
    status=0
    "${fuzz[@]}" run "${sanitizer[@]}" --release "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' || echo "?")
    corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
    if [ "$status" -eq 0 ]; then found="none"; else found="exit $status, see $log and fuzz/artifacts/$t/"; fi
    printf '%-18s executions %-12s seconds %-6s corpus %-6s findings %s\n' "$t" "$runs" "$secs" "$corpus" "$found"
done
