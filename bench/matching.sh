#!/usr/bin/env bash
# The matching solver benchmark. From the repo root:
#
#     bash bench/matching.sh [--runs 200] [--seed 11]
#
# Times Matching/AssignmentSolver on random 25 x 25 instances with 5 locks and 10 forbids (goal: the exact answer in
# at most 100 ms) and on 50 x 50 for scale. Pure code, so no database: it builds the project in Release (so the
# compiler is done before anything is measured) and runs it. See bench/Mentoring.Bench.Matching/README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
printf '==> dotnet build -c Release bench/Mentoring.Bench.Matching\n'
BUILD_LOG="$(mktemp)"
trap 'rm -f "$BUILD_LOG"' EXIT
if ! dotnet build -c Release bench/Mentoring.Bench.Matching/Mentoring.Bench.Matching.csproj >"$BUILD_LOG" 2>&1; then
    tail -n 40 "$BUILD_LOG" >&2
    printf '==> ERROR: the build failed\n' >&2
    exit 1
fi
printf '==> dotnet run -c Release --no-build --project bench/Mentoring.Bench.Matching -- %s\n' "$*"
exec dotnet run -c Release --no-build --project bench/Mentoring.Bench.Matching -- "$@"
