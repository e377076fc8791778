#!/usr/bin/env bash
# The nudge benchmark. From the repo root:
#
#     bash bench/nudges.sh
#
# With 100,000 pending timers and 10,000 falling due at once: drain time, due-to-outbox latency, reminders a
# second and time to ready, beside the plain-SQL floor of the same work (claim 50, insert their outbox rows, delete,
# commit) and Hangfire's own one-off jobs (2,000 due at once), on a throwaway durable PostgreSQL cluster
# (bench/benchmark.sh provisions it and removes it on exit). See bench/Mentoring.Bench.Nudges/README.md.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/benchmark.sh" Mentoring.Bench.Nudges mentoring_bench_nudges 56543 "$@"
