#!/usr/bin/env bash
# The web dashboard benchmark. From the repo root:
#
#     bash bench/web.sh [benchmark arguments, e.g. --pairs 10000 --iterations 300 --explain]
#
# Seeds 10,000 pairs and measures the facilitator dashboard and the CSV export beside their raw SQL, on a
# throwaway durable PostgreSQL cluster (bench/benchmark.sh provisions it and removes it on exit).
# See bench/Mentoring.Bench.Web/README.md.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/benchmark.sh" Mentoring.Bench.Web mentoring_bench_web 57432 "$@"
