#!/usr/bin/env bash
# The nudge benchmark (bench/Mentoring.Bench.Nudges). From the repo root:
#
#     bash bench/nudges.sh
#
# Provisions a throwaway PostgreSQL 15 cluster with durable defaults (fsync, synchronous_commit and
# full_page_writes on, unlike the test cluster), runs the benchmark against it in Release, and removes the
# cluster on exit. Set MENTORING_BENCH_POSTGRES to use an existing, empty database instead.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
PG_BIN="${MENTORING_PG_BIN:-/usr/lib/postgresql/15/bin}"
WORK_DIR=""
PG_DATA=""

say() { printf '==> %s\n' "$*"; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [[ "$(id -u)" -eq 0 ]]; }
as_pg() { if is_root; then (cd "$WORK_DIR" && runuser -u postgres -- "$@"); else "$@"; fi; }

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 30 >/dev/null 2>&1
    fi
    [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]] && rm -rf "$WORK_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false

if [[ -z "${MENTORING_BENCH_POSTGRES:-}" ]]; then
    [[ -x "$PG_BIN/initdb" ]] || die "PostgreSQL 15 binaries not found in $PG_BIN (or set MENTORING_BENCH_POSTGRES)"
    WORK_DIR="$(mktemp -d /tmp/mentoring-bench-nudges.XXXXXX)"
    if is_root; then chown postgres: "$WORK_DIR"; fi
    PG_DATA="$WORK_DIR/pgdata"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$WORK_DIR/initdb.log" 2>&1 \
        || { tail -n 20 "$WORK_DIR/initdb.log" >&2; die "initdb failed"; }
    cat >>"$PG_DATA/postgresql.conf" <<CONF

# --- throwaway benchmark cluster (bench/nudges.sh): durable defaults, fsync on ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK_DIR'
max_connections = 200
CONF
    port=56543
    while ! as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$WORK_DIR/postgres.log" -o "-p $port" -w -t 60 >/dev/null 2>&1; do
        grep -qi 'could not bind\|address already in use' "$WORK_DIR/postgres.log" || { tail -n 20 "$WORK_DIR/postgres.log" >&2; die "PostgreSQL failed to start"; }
        port=$((port + 1))
    done
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres mentoring_bench
    export MENTORING_BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=mentoring_bench;Maximum Pool Size=50"
    say "PostgreSQL 15 on 127.0.0.1:$port (fsync $(psql -h 127.0.0.1 -p "$port" -U postgres -Atc 'show fsync' mentoring_bench 2>/dev/null || echo on))"
fi

say "dotnet run -c Release --project bench/Mentoring.Bench.Nudges"
dotnet run -c Release --project bench/Mentoring.Bench.Nudges
