#!/usr/bin/env bash
# Every figure of the "HTTP load" section of docs/performance.md: builds
# the server and the load generator, then runs the main and the scale
# scenarios on SQLite and, when PostgreSQL answers at
# SCIMHUB_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test),
# on PostgreSQL. Extra arguments go to both runs (`--help` lists them).
#
#   benches/http.sh [LOAD OPTIONS...]
#
# About 5 minutes for SQLite and 10 for PostgreSQL on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
cargo build --release -p scimhub-server -p scimhub-benches
load=("$target/release/load" --server "$target/release/scimhub")
echo "== SQLite"
"${load[@]}" --scale --seed-direct "$@"
pg=${SCIMHUB_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -d "$pg"; then
    echo; echo "== PostgreSQL"
    "${load[@]}" --database "$pg" --scale --seed-direct "$@"
else
    echo; echo "PostgreSQL at $pg does not answer: its figures are skipped"
fi
