#!/usr/bin/env bash
# The project's one test command. From the repo root:
#
#     bash tests/run.sh [extra dotnet test arguments]
#
# It provisions everything the tests talk to, for this run only:
#   - a throwaway PostgreSQL 15 cluster on 127.0.0.1 (skipped when
#     MENTORING_TEST_POSTGRES is already set: that server is used instead),
#   - MailDev, a real SMTP server with a REST API, on 127.0.0.1,
#   - Debian's Chromium (installed with apt-get when /usr/bin/chromium is missing),
# exports MENTORING_TEST_* variables describing them, runs
# `dotnet test Mentoring.sln "$@"`, and exits with its exit code.
# Services and the temp dir are removed on exit, also on failure or Ctrl-C.
# See tests/README.md.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

PG_BIN="${MENTORING_PG_BIN:-/usr/lib/postgresql/15/bin}"
TOOLS_DIR="$REPO_ROOT/tests/.tools"
MAILDEV_BIN="$TOOLS_DIR/node_modules/.bin/maildev"
MAILDEV_PKG="$TOOLS_DIR/node_modules/maildev/package.json"
CHROMIUM="/usr/bin/chromium"

WORK_DIR=""
PG_DATA=""
MAILDEV_PID=""
DOTNET_PID=""
T_START=$SECONDS
T_PHASE=$SECONDS

say() { printf '==> %s\n' "$*"; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }
phase_start() { T_PHASE=$SECONDS; }
took() { printf '(%ss)' "$((SECONDS - T_PHASE))"; }
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
    if [[ -n "$DOTNET_PID" ]] && kill -0 "$DOTNET_PID" 2>/dev/null; then
        printf '==> stopping dotnet test (pid %s)\n' "$DOTNET_PID" >&2
        kill -TERM "$DOTNET_PID" 2>/dev/null
        for _ in $(seq 1 100); do
            kill -0 "$DOTNET_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$DOTNET_PID" 2>/dev/null && kill -KILL "$DOTNET_PID" 2>/dev/null
        wait "$DOTNET_PID" 2>/dev/null
    fi
    if [[ -n "$MAILDEV_PID" ]] && kill -0 "$MAILDEV_PID" 2>/dev/null; then
        kill "$MAILDEV_PID" 2>/dev/null
        for _ in $(seq 1 50); do
            kill -0 "$MAILDEV_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$MAILDEV_PID" 2>/dev/null && kill -KILL "$MAILDEV_PID" 2>/dev/null
        wait "$MAILDEV_PID" 2>/dev/null
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
        printf '==> tests/run.sh exiting with status %s after %ss\n' "$rc" "$((SECONDS - T_START))" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# True when nothing holds 127.0.0.1:PORT (checked by binding it for a moment).
port_is_free() {
    node -e '
        const s = require("net").createServer();
        s.once("error", () => process.exit(1));
        s.listen(Number(process.argv[1]), "127.0.0.1", () => s.close(() => process.exit(0)));
    ' "$1" 2>/dev/null
}

# Prints the first free port at or above $1 that is not in the rest of the arguments.
free_port() {
    local p=$1; shift
    local limit=$((p + 200))
    while ((p < limit)); do
        if [[ " $* " != *" $p "* ]] && port_is_free "$p"; then
            echo "$p"
            return 0
        fi
        p=$((p + 1))
    done
    return 1
}

# ---------------------------------------------------------------- prerequisites
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not on PATH"
command -v node >/dev/null || die "node is not on PATH (needed for MailDev)"
command -v npm >/dev/null || die "npm is not on PATH (needed to install MailDev)"
command -v curl >/dev/null || die "curl is not on PATH"

export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT="${DOTNET_CLI_TELEMETRY_OPTOUT:-1}"
# No MSBuild node, MSBuild server or Roslyn compiler server outliving the run
# (unless the caller asks for them by setting these variables).
export MSBUILDDISABLENODEREUSE="${MSBUILDDISABLENODEREUSE:-1}"
export DOTNET_CLI_USE_MSBUILD_SERVER="${DOTNET_CLI_USE_MSBUILD_SERVER:-0}"
export UseSharedCompilation="${UseSharedCompilation:-false}"

if is_root; then
    WORK_DIR="$(mktemp -d /tmp/mentoring-tests.XXXXXX)"
else
    WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/mentoring-tests.XXXXXX")"
fi
say "temp dir $WORK_DIR"

# ---------------------------------------------------------------- Chromium
phase_start
if [[ -n "${MENTORING_TEST_CHROMIUM:-}" ]]; then
    [[ -x "$MENTORING_TEST_CHROMIUM" ]] || die "MENTORING_TEST_CHROMIUM=$MENTORING_TEST_CHROMIUM is not an executable"
    say "Chromium: using MENTORING_TEST_CHROMIUM=$MENTORING_TEST_CHROMIUM"
elif [[ -x "$CHROMIUM" ]]; then
    export MENTORING_TEST_CHROMIUM="$CHROMIUM"
    say "Chromium: $CHROMIUM already installed"
else
    if is_root; then
        SUDO=()
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        SUDO=(sudo -n)
    else
        die "$CHROMIUM is missing and we are neither root nor allowed to sudo: run 'apt-get install chromium' as root, or set MENTORING_TEST_CHROMIUM"
    fi
    say "Chromium: installing Debian's chromium with apt-get (once per machine)..."
    APT_LOG="$WORK_DIR/apt.log"
    if ! { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
           "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } \
           </dev/null >"$APT_LOG" 2>&1; then
        show_log "$APT_LOG" "apt-get"
        die "could not install chromium with apt-get"
    fi
    [[ -x "$CHROMIUM" ]] || die "apt-get installed chromium but $CHROMIUM is missing"
    export MENTORING_TEST_CHROMIUM="$CHROMIUM"
    say "Chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM") $(took)"
fi

# ---------------------------------------------------------------- PostgreSQL
phase_start
if [[ -n "${MENTORING_TEST_POSTGRES:-}" ]]; then
    say "PostgreSQL: using MENTORING_TEST_POSTGRES from the environment (not provisioning one)"
else
    [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] ||
        die "PostgreSQL 15 server binaries not found in $PG_BIN (apt-get install postgresql-15, or set MENTORING_TEST_POSTGRES)"
    if is_root; then
        id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run PostgreSQL as"
        chown postgres: "$WORK_DIR"
    fi
    PG_DATA="$WORK_DIR/pgdata"
    PG_LOG="$WORK_DIR/postgres.log"
    say "PostgreSQL: initdb..."
    if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
            >"$WORK_DIR/initdb.log" 2>&1; then
        show_log "$WORK_DIR/initdb.log" "initdb"
        die "initdb failed"
    fi
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- throwaway test cluster (tests/run.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK_DIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    # Pick a free port; if another process grabs it first, try the next one.
    PG_PORT=""
    port=55432
    for attempt in 1 2 3 4 5; do
        port="$(free_port "$port")" || die "no free port for PostgreSQL from 55432 upward"
        if as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -o "-p $port" -w -t 60 >/dev/null 2>&1; then
            PG_PORT=$port
            break
        fi
        if [[ -f "$PG_DATA/postmaster.pid" ]]; then
            # started but not ready in time: not a port clash
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
    if ! "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres mentoring_test >"$WORK_DIR/createdb.log" 2>&1; then
        show_log "$WORK_DIR/createdb.log" "createdb"
        show_log "$PG_LOG" "PostgreSQL"
        die "could not create database mentoring_test"
    fi
    export MENTORING_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=mentoring_test;Include Error Detail=true"
    say "PostgreSQL: ready on 127.0.0.1:$PG_PORT, database mentoring_test $(took)"
fi

# ---------------------------------------------------------------- MailDev
phase_start
# axe-core comes with the Deque.AxeCore.Playwright NuGet package the browser tests reference.
maildev_installed() {
    [[ -x "$MAILDEV_BIN" && -f "$MAILDEV_PKG" ]] &&
        node -e 'process.exit(require(process.argv[1]).version.startsWith("2.") ? 0 : 1)' "$MAILDEV_PKG" 2>/dev/null
}
if maildev_installed; then
    say "MailDev: already installed in tests/.tools"
else
    say "MailDev: npm install maildev@2 into tests/.tools (once per checkout)..."
    mkdir -p "$TOOLS_DIR"
    if ! npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error maildev@2 \
            </dev/null >"$WORK_DIR/npm.log" 2>&1; then
        show_log "$WORK_DIR/npm.log" "npm"
        die "npm install maildev@2 failed"
    fi
    maildev_installed || { show_log "$WORK_DIR/npm.log" "npm"; die "maildev@2 is not usable after npm install"; }
    say "MailDev: installed $(took)"
    phase_start
fi

MAILDEV_LOG="$WORK_DIR/maildev.log"
mkdir -p "$WORK_DIR/mail"
# True when process $2 listens on 127.0.0.1:$1 (always true without ss).
owns_port() {
    command -v ss >/dev/null || return 0
    ss -Hltnp "( sport = :$1 )" 2>/dev/null | grep -q "pid=$2,"
}
MAILDEV_ENV=(env)
while IFS= read -r var; do MAILDEV_ENV+=(-u "$var"); done < <(compgen -e | grep '^MAILDEV_' || true)
SMTP_PORT=""
WEB_PORT=""
smtp_try=51025
web_try=51080
for attempt in 1 2 3; do
    SMTP_PORT="$(free_port "$smtp_try")" || die "no free port for MailDev SMTP"
    WEB_PORT="$(free_port "$web_try" "$SMTP_PORT")" || die "no free port for MailDev web"
    # No relay/outgoing options are given, and MAILDEV_* variables (which MailDev
    # reads as defaults for its options, e.g. MAILDEV_OUTGOING_HOST) are removed
    # from its environment, so it only catches mail and never sends any on.
    "${MAILDEV_ENV[@]}" "$MAILDEV_BIN" --ip 127.0.0.1 --web-ip 127.0.0.1 --smtp "$SMTP_PORT" --web "$WEB_PORT" \
        --mail-directory "$WORK_DIR/mail" </dev/null >"$MAILDEV_LOG" 2>&1 &
    MAILDEV_PID=$!
    ready=""
    for _ in $(seq 1 150); do   # up to ~30 s
        if ! kill -0 "$MAILDEV_PID" 2>/dev/null; then
            break
        fi
        # Both ports must answer and be held by our MailDev (with two runs at
        # once, the other run's MailDev could answer on a port we lost to it).
        if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$WEB_PORT/email" 2>/dev/null &&
           (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null &&
           owns_port "$WEB_PORT" "$MAILDEV_PID" && owns_port "$SMTP_PORT" "$MAILDEV_PID"; then
            ready=1
            break
        fi
        sleep 0.2
    done
    [[ -n "$ready" ]] && break
    if kill -0 "$MAILDEV_PID" 2>/dev/null; then
        show_log "$MAILDEV_LOG" "MailDev"
        die "MailDev did not answer on http://127.0.0.1:$WEB_PORT within 30 s"
    fi
    wait "$MAILDEV_PID" 2>/dev/null || true
    MAILDEV_PID=""
    if ! grep -qi 'EADDRINUSE' "$MAILDEV_LOG"; then
        show_log "$MAILDEV_LOG" "MailDev"
        die "MailDev failed to start"
    fi
    smtp_try=$((SMTP_PORT + 1))
    web_try=$((WEB_PORT + 1))
done
[[ -n "$MAILDEV_PID" ]] || { show_log "$MAILDEV_LOG" "MailDev"; die "MailDev failed to start"; }
export MENTORING_TEST_SMTP_HOST=127.0.0.1
export MENTORING_TEST_SMTP_PORT="$SMTP_PORT"
export MENTORING_TEST_MAILDEV_URL="http://127.0.0.1:$WEB_PORT"
say "MailDev: SMTP 127.0.0.1:$SMTP_PORT, web $MENTORING_TEST_MAILDEV_URL $(took)"

# ---------------------------------------------------------------- dotnet test
phase_start
say "dotnet test Mentoring.sln $*"
TEST_LOG="$WORK_DIR/dotnet-test.log"
# dotnet runs in the background and we wait for it, so that a SIGTERM or
# Ctrl-C reaches our trap at once (bash delays traps until a foreground child
# ends); cleanup then stops dotnet too. Its output is shown and kept via tee.
exec {TEE_FD}> >(tee "$TEST_LOG")
TEE_PID=$!
dotnet test Mentoring.sln --logger "console;verbosity=normal" "$@" >&"$TEE_FD" 2>&1 &
DOTNET_PID=$!
set +e
wait "$DOTNET_PID"
rc=$?
set -e
DOTNET_PID=""
exec {TEE_FD}>&-
wait "$TEE_PID" 2>/dev/null || true

# One plain closing line that adds up the per-assembly VSTest summaries. With
# the normal console verbosity each assembly ends with "Total tests: N" then
# "     Passed: N", "     Failed: N", "    Skipped: N" lines (zeros left out);
# with minimal verbosity it is one "Passed!  - Failed: 0, Passed: 12, ..." line.
summary="$(awk '
    /^Total tests: [0-9]+/          { blocks++ }
    /^ +Passed: [0-9]+ *$/          { p += $2 }
    /^ +Failed: [0-9]+ *$/          { f += $2 }
    /^ +Skipped: [0-9]+ *$/         { s += $2 }
    /(Passed|Failed)! +- +Failed: / {
        line = $0; gsub(/,/, "", line); n = split(line, w, / +/)
        for (i = 1; i < n; i++) {
            if (w[i] == "Failed:") mf += w[i+1]
            if (w[i] == "Passed:") mp += w[i+1]
            if (w[i] == "Skipped:") ms += w[i+1]
        }
        minimal++
    }
    END {
        if (blocks) printf "%d passed, %d failed, %d skipped\n", p, f, s
        else if (minimal) printf "%d passed, %d failed, %d skipped\n", mp, mf, ms
    }' "$TEST_LOG")"
say "dotnet test finished with exit code $rc $(took), total $((SECONDS - T_START))s"
if [[ -n "$summary" ]]; then
    echo "tests: $summary"
fi
if [[ $rc -ne 0 && ( -z "$summary" || "$summary" == *" 0 failed,"* ) ]]; then
    say "dotnet test failed without a failing test: look for a build error (error CS...) or a crashed test host above"
fi
exit "$rc"
