#!/usr/bin/env bash
# The province benchmark: builds chibo and chibo-bench in release, fills a
# province (150 upper committees, 15,000 cells, 300,000 members) on SQLite
# and on PostgreSQL, starts `chibo serve` on each, and prints per backend:
# the time to generate the data, cold start to /readyz, the harness table
# (mixed workload vs the /healthz ceiling), the server's peak RSS, the
# peer-comparable operations (`chibo-bench --peer`: agenda list, agenda item
# creation, named vote, each at 1 and 32 connections) and the compressed
# size of the core pages. `import` times a 300,000-row XLSX. `soak-sqlite`
# and `soak-postgres` instead run the mixed workload for SOAK_MINUTES (30)
# on the same dataset, printing each minute's req/s, p50, p99 and the
# server's RSS, then the drift (`chibo-bench --soak`).
#
#   crates/chibo-bench/province.sh [sqlite|postgres|both|import|soak-sqlite|soak-postgres]
#
# Environment: CONNS (64), SECONDS_MIXED (30), SECONDS_CEILING (10), USERS (600),
# SECONDS_PEER (5, per operation and connection count), SOAK_MINUTES (30),
# CHIBO_BENCH_DIR (target/bench: datasets are kept and reused),
# CHIBO_BENCH_PG (an admin URL, default $CHIBO_TEST_DATABASE_URL),
# CARGO_TARGET_DIR, BIN_CHIBO and BIN_BENCH (prebuilt binaries, both).
# Everything listens on 127.0.0.1 only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${CHIBO_BENCH_DIR:-$TARGET/bench}
CONNS=${CONNS:-64}
SECONDS_MIXED=${SECONDS_MIXED:-30}
SECONDS_CEILING=${SECONDS_CEILING:-10}
USERS=${USERS:-600}
SECONDS_PEER=${SECONDS_PEER:-5}
SOAK_MINUTES=${SOAK_MINUTES:-30}
PG_ADMIN=${CHIBO_BENCH_PG:-${CHIBO_TEST_DATABASE_URL:-}}
MODE=${1:-both}

. "$ROOT/crates/chibo-bench/common.sh"

# The dataset of a backend (made once, reused): sets ARGS.
dataset() {
    local backend=$1 marker
    if [[ $backend == sqlite ]]; then
        ARGS=(--data "$WORK/sqlite")
        marker=$WORK/sqlite/.province
    else
        [[ -n $PG_ADMIN ]] || { echo "set CHIBO_BENCH_PG or CHIBO_TEST_DATABASE_URL" >&2; exit 2; }
        ARGS=(--database-url "$(pg_url chibo_province)")
        marker=$WORK/postgres.province
    fi
    if [[ ! -f $marker ]]; then
        if [[ $backend == sqlite ]]; then rm -rf "$WORK/sqlite"; else pg_fresh chibo_province; fi
        local t0=$(now_ms)
        "$CHIBO" demo --scale province "${ARGS[@]}" | tail -1
        echo "dataset ($backend): $(( $(now_ms) - t0 )) ms for chibo demo --scale province"
        rm -f "$WORK/tokens.$backend"
        for n in 1 1001 2001 3001 4001 5001 6001 7001 8001 9001 10001 11001 12001 13001 14001 14999; do
            login=bithu; [[ $n -gt 1 ]] && login=bithu.$n
            "$CHIBO" user token "$login" "${ARGS[@]}" >>"$WORK/tokens.$backend"
        done
        touch "$marker"
    fi
}

# Starts `chibo serve` on a backend's dataset: sets PORT, PID and COLD (ms
# to /readyz).
serve() {
    local backend=$1
    PORT=18480
    [[ $backend == postgres ]] && PORT=18481
    dataset "$backend"
    local t0=$(now_ms)
    "$CHIBO" serve "${ARGS[@]}" --listen "127.0.0.1:$PORT" >"$WORK/serve.$backend.log" 2>&1 &
    PID=$!
    trap "kill $PID 2>/dev/null || true" EXIT
    until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
        kill -0 $PID 2>/dev/null || { cat "$WORK/serve.$backend.log"; exit 1; }
        sleep 0.005
    done
    COLD=$(( $(now_ms) - t0 ))
}

soak() {
    local backend=$1
    serve "$backend"
    echo "== $backend soak, $SOAK_MINUTES min; load: $(uptime | sed 's/.*load average: //')"
    "$BENCH" --url "http://127.0.0.1:$PORT" --cells 15000 -c "$CONNS" --users "$USERS" \
        --tokens "$WORK/tokens.$backend" --soak "$SOAK_MINUTES" --server-pid "$PID" || true
    echo "peak RSS of chibo serve ($backend): $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$PID/status)"
    kill $PID; wait $PID 2>/dev/null || true
    trap - EXIT
}

serve_and_measure() {
    local backend=$1
    serve "$backend"
    local port=$PORT pid=$PID cold=$COLD
    echo "== $backend: cold start to /readyz: $cold ms; load: $(uptime | sed 's/.*load average: //')"
    "$BENCH" --url "http://127.0.0.1:$port" --cells 15000 -c "$CONNS" --users "$USERS" \
        --seconds "$SECONDS_MIXED" --ceiling-seconds "$SECONDS_CEILING" \
        --tokens "$WORK/tokens.$backend" || true
    echo "peak RSS of chibo serve ($backend): $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
    # Builds a cell of 200 members under the first upper committee (kept in
    # the dataset, a new one each run), then measures each operation alone.
    "$BENCH" --url "http://127.0.0.1:$port" --peer --peer-seconds "$SECONDS_PEER" || true
    echo "peak RSS of chibo serve ($backend) after --peer: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
    "$BENCH" --url "http://127.0.0.1:$port" --pages
    kill $pid; wait $pid 2>/dev/null || true
    trap - EXIT
}

import_300k() {
    local src=$WORK/import-src dst=$WORK/import-dst xlsx=$WORK/members-300k.xlsx
    if [[ ! -f $xlsx ]]; then
        rm -rf "$src"
        "$CHIBO" demo --data "$src" --cells 1 --members-per-cell 300000 --months 0 | tail -1
        # An import creates members only as probationary, full or temporarily
        # attached: the few the demo made deceased, moved away or exempted
        # would be rejected rows. The source is scratch data for the file.
        sqlite3 "$src/chibo.sqlite" "UPDATE member SET status = 'chinh_thuc'
            WHERE status NOT IN ('du_bi', 'chinh_thuc', 'tam_thoi_den')"
        local t0=$(now_ms)
        "$CHIBO" export members --data "$src" --cell 79.001.000.000.001 -o "$xlsx"
        echo "export of 300,000 members to XLSX: $(( $(now_ms) - t0 )) ms ($(du -h "$xlsx" | cut -f1))"
    fi
    for backend in sqlite postgres; do
        if [[ $backend == sqlite ]]; then
            rm -rf "$dst"; ARGS=(--data "$dst")
        else
            [[ -n $PG_ADMIN ]] || continue
            pg_fresh chibo_import; ARGS=(--database-url "$(pg_url chibo_import)")
        fi
        # The same first 15 members (same seed), so they match unchanged.
        "$CHIBO" demo "${ARGS[@]}" --cells 1 --members-per-cell 15 --months 0 >/dev/null
        local t0=$(now_ms)
        # Past the 100,000 rows a file may have by default.
        CHIBO_IMPORT_MAX_ROWS=300000 /usr/bin/time -f "peak RSS %M KB" \
            "$CHIBO" import members "$xlsx" --cell 79.001.000.000.001 "${ARGS[@]}" 2>&1 | grep -v '^{' | tail -2
        echo "import of 300,000 rows ($backend): $(( $(now_ms) - t0 )) ms"
    done
}

case $MODE in
    sqlite | postgres) serve_and_measure "$MODE" ;;
    both) serve_and_measure sqlite; [[ -n $PG_ADMIN ]] && serve_and_measure postgres ;;
    import) import_300k ;;
    soak-sqlite) soak sqlite ;;
    soak-postgres) soak postgres ;;
    *) echo "usage: $0 [sqlite|postgres|both|import|soak-sqlite|soak-postgres]" >&2; exit 2 ;;
esac
