#!/usr/bin/env bash
# The good-practice library benchmark. From the repo root:
#
#     bash bench/practices.sh [benchmark arguments, e.g. --practices 10000 --iterations 300]
#
# Seeds 10,000 practices on SQLite (a temporary file) and on a throwaway durable PostgreSQL cluster
# (bench/benchmark.sh provisions it and removes it on exit), and measures the library's search on each beside the
# raw SQL of the same search. See bench/Mentoring.Bench.Practices/README.md.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/benchmark.sh" Mentoring.Bench.Practices mentoring_bench_practices 58432 "$@"
