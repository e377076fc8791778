#!/usr/bin/env bash
# The runtime benchmark. From the repo root:
#
#     bash bench/run.sh [benchmark arguments, e.g. --seconds 10 --starts 10000]
#
# Durable resumes per second and their p50/p99 at 1 and 8 clients, instance starts and loads, each beside
# pgbench's figures on the same throwaway PostgreSQL cluster with the same durability (bench/benchmark.sh
# provisions it and removes it on exit). When MENTORING_BENCH_POSTGRES is set, that server is used instead
# (pgbench must reach it with the same host, port, user and database). See bench/README.md.
set -euo pipefail
PG_BIN="${MENTORING_PG_BIN:-/usr/lib/postgresql/15/bin}"
export MENTORING_BENCH_PGBENCH="${MENTORING_BENCH_PGBENCH:-$PG_BIN/pgbench}"
if [[ ! -x "$MENTORING_BENCH_PGBENCH" ]]; then
    printf '==> ERROR: pgbench not found at %s (apt-get install postgresql-15, or set MENTORING_BENCH_PGBENCH)\n' \
        "$MENTORING_BENCH_PGBENCH" >&2
    exit 1
fi
exec bash "$(dirname "${BASH_SOURCE[0]}")/benchmark.sh" Mentoring.Bench mentoring_bench 56432 "$@"
