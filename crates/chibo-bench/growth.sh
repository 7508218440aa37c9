#!/usr/bin/env bash
# How cost grows with the size of the instance (issue 18 item 7), on
# PostgreSQL: the mixed workload and the /healthz ceiling against a quarter
# of a province (3,750 cells, 75,000 members), one province (15,000 cells,
# 300,000 members) and three provinces (45,000 cells, 900,000 members),
# each with MONTHS of history, served with `chibo serve --count-queries` so
# the harness prints each operation's statements per request. Per size it
# prints the time to generate the data, the database's size
# (`pg_database_size`), cold start to /readyz, the harness table and the
# server's peak RSS.
#
#   crates/chibo-bench/growth.sh [quarter|province|three|all|gen-SIZE|tokens-SIZE|prewarm-SIZE|drop-SIZE]...
#
# Sizes run in the order given (`all`: quarter province three). `gen-SIZE`
# only makes that size's dataset (once: it is kept and reused, like
# province.sh's); `tokens-SIZE` issues its tokens anew; `prewarm-SIZE` starts and
# stops a server once (done after generating); `drop-SIZE` drops its database (a three-province one is
# tens of GB).
#
# Environment: CHIBO_BENCH_PG (an admin URL, default
# $CHIBO_TEST_DATABASE_URL), MONTHS (12; keep it equal across sizes), CONNS
# (64), USERS (600), SECONDS_MIXED (20), SECONDS_CEILING (5),
# CHIBO_BENCH_DIR (target/bench: markers and tokens; shared with
# province.sh, whose PostgreSQL province is reused when MONTHS is 12),
# BIN_CHIBO and BIN_BENCH (prebuilt binaries; otherwise built in release),
# ROUNDS (stop the demo after that many committees' evaluation rounds,
# see dataset() below), EXPLAIN_MS (log the plan of every statement slower than this many ms to
# the PostgreSQL server's log with auto_explain while the harness runs).
# Everything listens on 127.0.0.1 only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${CHIBO_BENCH_DIR:-$TARGET/bench}
MONTHS=${MONTHS:-12}
CONNS=${CONNS:-64}
USERS=${USERS:-600}
SECONDS_MIXED=${SECONDS_MIXED:-20}
SECONDS_CEILING=${SECONDS_CEILING:-5}
EXPLAIN_MS=${EXPLAIN_MS:-}
PG_ADMIN=${CHIBO_BENCH_PG:-${CHIBO_TEST_DATABASE_URL:-}}
[[ -n $PG_ADMIN ]] || { echo "set CHIBO_BENCH_PG or CHIBO_TEST_DATABASE_URL" >&2; exit 2; }

. "$ROOT/crates/chibo-bench/common.sh"
load() { uptime | sed 's/.*load average: //'; }

# A size's cells and database (sets CELLS, DB, DEMO).
size() {
    case $1 in
        quarter) CELLS=3750 ;;
        province) CELLS=15000 ;;
        three) CELLS=45000 ;;
        *) echo "unknown size $1 (quarter, province, three)" >&2; exit 2 ;;
    esac
    DEMO=(--cells "$CELLS" --members-per-cell 20 --months "$MONTHS")
    DB=chibo_growth_${1}_m$MONTHS
    MARKER=$WORK/postgres.growth.$1.m$MONTHS
    # province.sh's PostgreSQL province (`--scale province`: the same
    # 15,000 cells of 20 members and 12 months) serves as the middle size.
    if [[ $1 == province && $MONTHS == 12 && -f $WORK/postgres.province ]]; then
        DB=chibo_province
        MARKER=$WORK/postgres.province
        cp -n "$WORK/tokens.postgres" "$WORK/tokens.growth.province.m12" 2>/dev/null || true
    fi
    TOKENS=$WORK/tokens.growth.$1.m$MONTHS
}

# Makes a size's dataset once (timed) with 16 API tokens of secretaries
# spread over its cells. `chibo demo` opens an evaluation round in every
# upper committee (a case per member) and runs 20 cells of each through it
# (`--scale province`: one), ≈ 10 s a committee on this machine — 75 min
# for three provinces' 450. With ROUNDS set, the demo is stopped once that
# many committees have their round (each committee's round is its own
# change, so what is written is whole): the registry, the months of
# history, the dues ledger, the first cell's cases, concerns and study are
# all there; the rounds of the other committees and the first cell's
# kept dues payments, transfers, badges and discipline cases (the demo's
# last phases) are not.
ROUNDS=${ROUNDS:-}
dataset() {
    size "$1"
    [[ -f $MARKER ]] && return
    pg_fresh "$DB"
    echo "== $1: generating (${DEMO[*]}); load: $(load)"
    local t0=$(now_ms) log=$WORK/demo.growth.$1.log pid
    CHIBO_LOG=info "$CHIBO" demo "${DEMO[@]}" --database-url "$(pg_url "$DB")" >"$log" 2>&1 &
    pid=$!
    if [[ -n $ROUNDS ]]; then
        until grep -q "\"demo: evaluation\",\"committee\":$ROUNDS," "$log"; do
            kill -0 $pid 2>/dev/null || break
            sleep 2
        done
        if kill -0 $pid 2>/dev/null; then
            kill $pid
            echo "demo stopped after the evaluation rounds of $ROUNDS committees (ROUNDS)"
        fi
        wait $pid || true
    else
        wait $pid
    fi
    grep -o '"demo: [a-z, ]*","seconds":[0-9.]*' "$log" || true
    echo "dataset ($1): $(( $(now_ms) - t0 )) ms for chibo demo ${DEMO[*]}"
    # As after any bulk load: the planner's statistics and the visibility
    # map, so that no autovacuum of a fresh table runs during a measurement.
    t0=$(now_ms)
    psql -q "$(pg_url "$DB")" -c "VACUUM (ANALYZE)"
    echo "VACUUM (ANALYZE) ($1): $(( $(now_ms) - t0 )) ms"
    tokens "$1"
    prewarm "$1"
}

# A server's first start on a fresh dataset sends the reminders the demo's
# overdue tasks and deadlines call for (the sweeps); started and stopped
# once here, so that no measurement includes that one-off work.
prewarm() {
    size "$1"
    local port=18483 pid idle=0 t0=$(now_ms)
    "$CHIBO" serve --database-url "$(pg_url "$DB")" --listen "127.0.0.1:$port" \
        >"$WORK/prewarm.growth.$1.log" 2>&1 &
    pid=$!
    sleep 10
    while (( idle < 3 )); do
        sleep 5
        if [[ $(psql -At "$PG_ADMIN" -c "SELECT count(*) FROM pg_stat_activity
                WHERE datname = '$DB' AND state <> 'idle'") == 0 ]]; then
            idle=$(( idle + 1 ))
        else
            idle=0
        fi
    done
    kill $pid; wait $pid 2>/dev/null || true
    echo "first start's sweeps ($1): done within $(( $(now_ms) - t0 )) ms"
}

tokens() {
    size "$1"
    rm -f "$TOKENS"
    local step=$(( CELLS / 15 )) n login
    for k in $(seq 0 15); do
        n=$(( k * step + 1 )); (( n > CELLS )) && n=$CELLS
        login=bithu; (( n > 1 )) && login=bithu.$n
        "$CHIBO" user token "$login" --database-url "$(pg_url "$DB")" >>"$TOKENS" 2>/dev/null
    done
    touch "$MARKER"
}

# CPU time (user + system, clock ticks) of a process, and of all the
# children of a postmaster (its backends, the server's pool connections
# among them, stay up for the whole run).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
    [[ -n $1 ]] || { echo 0; return; }
    local sum=0 c
    for c in $(pgrep -P "$1"); do sum=$(( sum + $(ticks "$c") )); done
    echo $sum
}

measure() {
    dataset "$1"
    local url port=18482 pid t0 cold bytes
    url=$(pg_url "$DB")
    bytes=$(psql -At "$PG_ADMIN" -c "SELECT pg_database_size('$DB')")
    echo "== $1: $CELLS cells, $(( CELLS * 20 )) members, $MONTHS months; database $DB: $(( bytes / 1048576 )) MB"
    if [[ -n $EXPLAIN_MS ]]; then
        psql -q "$PG_ADMIN" -c "ALTER DATABASE $DB SET session_preload_libraries = 'auto_explain'" \
            -c "ALTER DATABASE $DB SET auto_explain.log_min_duration = '${EXPLAIN_MS}ms'" \
            -c "ALTER DATABASE $DB SET auto_explain.log_analyze = on"
    fi
    # Sequential scans during the run, per table: a scan whose rows grow
    # with the size is the first sign of a missing index.
    psql -q "$url" -c "SELECT pg_stat_reset()" >/dev/null
    t0=$(now_ms)
    "$CHIBO" serve --database-url "$url" --listen "127.0.0.1:$port" --count-queries \
        >"$WORK/serve.growth.$1.log" 2>&1 &
    pid=$!
    trap "kill $pid 2>/dev/null || true" EXIT
    until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
        kill -0 $pid 2>/dev/null || { cat "$WORK/serve.growth.$1.log"; exit 1; }
        sleep 0.005
    done
    cold=$(( $(now_ms) - t0 ))
    echo "cold start to /readyz: $cold ms; load: $(load)"
    local cpu0 pg0 pm
    # PostgreSQL's own CPU, when it runs on this machine (its postmaster).
    pm=$(psql -At "$PG_ADMIN" -c "SELECT setting FROM pg_settings WHERE name = 'data_directory'")
    pm=$(head -1 "$pm/postmaster.pid" 2>/dev/null || true)
    cpu0=$(ticks $pid); pg0=$(pg_ticks "$pm")
    "$BENCH" --url "http://127.0.0.1:$port" --cells "$CELLS" -c "$CONNS" --users "$USERS" \
        --seconds "$SECONDS_MIXED" --ceiling-seconds "$SECONDS_CEILING" \
        --tokens "$TOKENS" || true
    echo "peak RSS of chibo serve ($1): $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
    local hz; hz=$(getconf CLK_TCK)
    echo "CPU from setup to the end of the run: chibo serve $(( ($(ticks $pid) - cpu0) / hz )) s," \
        "PostgreSQL (the postmaster's processes) $(( ($(pg_ticks "$pm") - pg0) / hz )) s"
    kill $pid; wait $pid 2>/dev/null || true
    trap - EXIT
    sleep 1 # the statistics collector's last report
    echo "sequential scans during the run (tables with the most rows read so):"
    psql "$url" -c "SELECT relname, seq_scan, seq_tup_read, idx_scan, n_live_tup
        FROM pg_stat_user_tables WHERE seq_tup_read > 0
        ORDER BY seq_tup_read DESC LIMIT 8"
    if [[ -n $EXPLAIN_MS ]]; then
        psql -q "$PG_ADMIN" -c "ALTER DATABASE $DB RESET session_preload_libraries" \
            -c "ALTER DATABASE $DB RESET auto_explain.log_min_duration" \
            -c "ALTER DATABASE $DB RESET auto_explain.log_analyze"
    fi
}

[[ $# -gt 0 ]] || set -- all
for arg in "$@"; do
    case $arg in
        all) for s in quarter province three; do measure "$s"; done ;;
        gen-*) dataset "${arg#gen-}" ;;
        tokens-*) tokens "${arg#tokens-}" ;;
        prewarm-*) prewarm "${arg#prewarm-}" ;;
        drop-*)
            size "${arg#drop-}"
            psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $DB" >/dev/null
            rm -f "$MARKER" "$TOKENS"
            echo "dropped $DB" ;;
        *) measure "$arg" ;;
    esac
done
