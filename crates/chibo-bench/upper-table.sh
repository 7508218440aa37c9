#!/usr/bin/env bash
# The upper committee's table on a dataset made by `chibo demo --scale
# province` (SQLite): serves it with --count-queries (the first start of a
# newer binary migrates it: the time to ready is printed), then times, as
# the province's office (`thanhuy`), the province's table for the year and
# for quarter 4 and one committee's year, each three times with curl, and
# keeps each answer's JSON in OUT_DIR for `cmp` between two binaries.
#
#   crates/chibo-bench/upper-table.sh DATA_DIR CHIBO_BINARY OUT_DIR
#
# The figures of docs/PERFORMANCE.md "Per-cell task counters" came from it.
# Listens on 127.0.0.1:18490 only; needs curl and sqlite3.
set -euo pipefail
D=${1:?data directory of a province demo}
B=${2:?chibo binary}
O=${3:?directory for the answers}
YEAR=${YEAR:-$(date +%Y)}
PORT=${PORT:-18490}
mkdir -p "$O"
started=$(date +%s.%N)
$B serve --data "$D" --count-queries --listen "127.0.0.1:$PORT" > "$O/serve.log" 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null' EXIT
until curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$PORT/readyz" | grep -q 200; do sleep 0.2; done
echo "ready after $(echo "$(date +%s.%N) - $started" | bc) s (migrations and start-up passes included)"
T=$($B user token thanhuy --data "$D" 2>/dev/null | tail -1)
q() { sqlite3 -readonly "$D/chibo.sqlite" "$1"; }
PROVINCE=$(q "select id from org_unit where code='79.000.000.000.000'")
COMMITTEE=$(q "select id from org_unit where code='79.001.000.000.000'")
W="%{http_code} %{time_total} s %{size_download} B %header{x-chibo-queries} statements\n"
get() { # name path
  echo "== GET $2  (load $(cut -d' ' -f1-3 /proc/loadavg))"
  for _ in 1 2 3; do
    curl -s -o "$O/$1.json" -H "Authorization: Bearer $T" -w "$W" "http://127.0.0.1:$PORT$2"
  done
}
get province-year "/api/v1/units/$PROVINCE/cell-table?period=nam&year=$YEAR"
get province-q4 "/api/v1/units/$PROVINCE/cell-table?period=quy&year=$YEAR&index=4"
get committee-year "/api/v1/units/$COMMITTEE/cell-table?period=nam&year=$YEAR"
grep VmHWM "/proc/$SP/status"
