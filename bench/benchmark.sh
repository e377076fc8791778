#!/usr/bin/env bash
# Runs one benchmark project against a throwaway PostgreSQL 15 cluster. Called by bench/run.sh, bench/web.sh
# and bench/nudges.sh, not directly:
#
#     bash bench/benchmark.sh PROJECT DATABASE FIRST_PORT [benchmark arguments]
#
# It provisions the cluster on 127.0.0.1 the way tests/run.sh does, but durable (fsync, synchronous_commit
# and full_page_writes on: the server's defaults), so a figure and its peer are measured with production's
# durability. When MENTORING_BENCH_POSTGRES is set, that server is used instead. It builds the project in
# Release first (so the compiler is done before anything is measured), runs it with the connection string in
# MENTORING_BENCH_POSTGRES, and removes the cluster on exit, also on failure or Ctrl-C.
set -euo pipefail

BENCH_PROJECT="$1"
BENCH_DATABASE="$2"
BENCH_FIRST_PORT="$3"
shift 3

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

PG_BIN="${MENTORING_PG_BIN:-/usr/lib/postgresql/15/bin}"

WORK_DIR=""
PG_DATA=""
BENCH_PID=""
T_START=$SECONDS

say() { printf '==> %s\n' "$*"; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }
show_log() { # file, label
    if [[ -f "$1" ]]; then
        printf '==> last lines of %s log (%s):\n' "$2" "$1" >&2
        tail -n 40 "$1" >&2 || true
    fi
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Runs a PostgreSQL server binary: as the postgres user when we are root
# (initdb and postgres refuse to run as root), from a directory it can read.
as_pg() {
    if is_root; then
        (cd "$WORK_DIR" && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [[ -n "$BENCH_PID" ]] && kill -0 "$BENCH_PID" 2>/dev/null; then
        printf '==> stopping the benchmark (pid %s)\n' "$BENCH_PID" >&2
        kill -TERM "$BENCH_PID" 2>/dev/null
        for _ in $(seq 1 100); do
            kill -0 "$BENCH_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$BENCH_PID" 2>/dev/null && kill -KILL "$BENCH_PID" 2>/dev/null
        wait "$BENCH_PID" 2>/dev/null
    fi
    if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
        local pg_pid
        pg_pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null)"
        as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 30 >/dev/null 2>&1
        # give init a moment to reap the postmaster, so no <defunct> is left in ps
        for _ in $(seq 1 50); do
            [[ "$pg_pid" =~ ^[0-9]+$ && -e "/proc/$pg_pid" ]] || break
            sleep 0.1
        done
    fi
    if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then
        rm -rf "$WORK_DIR"
    fi
    if [[ $rc -ne 0 ]]; then
        printf '==> bench/%s exiting with status %s after %ss\n' "$BENCH_PROJECT" "$rc" "$((SECONDS - T_START))" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# True when something accepts connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- prerequisites
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not on PATH"

export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT="${DOTNET_CLI_TELEMETRY_OPTOUT:-1}"
# No MSBuild node, MSBuild server or Roslyn compiler server outliving the run,
# nor competing for the two cores while the benchmark measures.
export MSBUILDDISABLENODEREUSE="${MSBUILDDISABLENODEREUSE:-1}"
export DOTNET_CLI_USE_MSBUILD_SERVER="${DOTNET_CLI_USE_MSBUILD_SERVER:-0}"
export UseSharedCompilation="${UseSharedCompilation:-false}"

WORK_DIR="$(mktemp -d /tmp/mentoring-bench.XXXXXX)"

# ---------------------------------------------------------------- PostgreSQL
if [[ -n "${MENTORING_BENCH_POSTGRES:-}" ]]; then
    say "PostgreSQL: using MENTORING_BENCH_POSTGRES from the environment (not provisioning one)"
else
    T_PHASE=$SECONDS
    [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] ||
        die "PostgreSQL 15 server binaries not found in $PG_BIN (apt-get install postgresql-15, or set MENTORING_BENCH_POSTGRES)"
    if is_root; then
        id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run PostgreSQL as"
        chown postgres: "$WORK_DIR"
    fi
    PG_DATA="$WORK_DIR/pgdata"
    PG_LOG="$WORK_DIR/postgres.log"
    say "PostgreSQL: initdb..."
    # --no-sync only skips flushing initdb's own files; the server below runs durable.
    if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
            >"$WORK_DIR/initdb.log" 2>&1; then
        show_log "$WORK_DIR/initdb.log" "initdb"
        die "initdb failed"
    fi
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- throwaway benchmark cluster (bench/$BENCH_PROJECT) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK_DIR'
max_connections = 200
# Durable, as in production: every commit waits for its WAL flush. Unlike the
# test cluster (tests/run.sh), nothing here trades durability for speed.
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
    # Pick a free port; if another process grabs it first, try the next one.
    PG_PORT=""
    port=$BENCH_FIRST_PORT
    for attempt in 1 2 3 4 5 6 7 8; do
        while port_in_use "$port"; do port=$((port + 1)); done
        if as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -o "-p $port" -w -t 60 >/dev/null 2>&1; then
            PG_PORT=$port
            break
        fi
        if [[ -f "$PG_DATA/postmaster.pid" ]]; then
            show_log "$PG_LOG" "PostgreSQL"
            die "PostgreSQL did not become ready"
        fi
        if ! grep -qi 'could not bind\|address already in use' "$PG_LOG" 2>/dev/null; then
            show_log "$PG_LOG" "PostgreSQL"
            die "PostgreSQL failed to start"
        fi
        port=$((port + 1))
    done
    [[ -n "$PG_PORT" ]] || { show_log "$PG_LOG" "PostgreSQL"; die "PostgreSQL failed to start"; }
    if ! "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$BENCH_DATABASE" >"$WORK_DIR/createdb.log" 2>&1; then
        show_log "$WORK_DIR/createdb.log" "createdb"
        show_log "$PG_LOG" "PostgreSQL"
        die "could not create database $BENCH_DATABASE"
    fi
    export MENTORING_BENCH_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$BENCH_DATABASE;Maximum Pool Size=50"
    say "PostgreSQL: ready on 127.0.0.1:$PG_PORT, database $BENCH_DATABASE ($((SECONDS - T_PHASE))s)"
fi

# ---------------------------------------------------------------- benchmark
# Built first and apart, so the compiler is done before anything is measured.
T_PHASE=$SECONDS
say "dotnet build -c Release bench/$BENCH_PROJECT"
BUILD_LOG="$WORK_DIR/build.log"
if ! dotnet build -c Release bench/$BENCH_PROJECT/$BENCH_PROJECT.csproj >"$BUILD_LOG" 2>&1; then
    cat "$BUILD_LOG" >&2
    die "the build failed"
fi
say "built ($((SECONDS - T_PHASE))s)"

say "dotnet run -c Release --no-build --project bench/$BENCH_PROJECT -- $*"
# The benchmark's scratch files (pgbench scripts and logs) go into the run's temp dir, which the
# trap removes even when the benchmark is killed before it can clean up.
mkdir -p "$WORK_DIR/tmp"
export TMPDIR="$WORK_DIR/tmp"
# In the background, waited for, so that Ctrl-C or SIGTERM reaches our trap at once.
dotnet run -c Release --no-build --project bench/$BENCH_PROJECT -- "$@" &
BENCH_PID=$!
set +e
wait "$BENCH_PID"
rc=$?
set -e
BENCH_PID=""
say "benchmark finished with exit code $rc, total $((SECONDS - T_START))s"
exit "$rc"
