#!/usr/bin/env bash
# The lifecycle reads of issues 14, 16 and 17 on a dataset made by
# `chibo demo --scale province` (SQLite): serves it with --count-queries and
# times, as the province's office (`thanhuy`) and the first cell's
# secretary (`bithu`), each request a few times with curl, printing the
# HTTP status, the time, the compressed size and the statements sent:
# the dues table by cell (the year, a month), the badge lists, the same for
# one committee, the upper table, a committee's evaluation summary and every
# committee's one after another (the province's year), and a cell's
# quarterly report with its sections IV and V (drafted for each quarter,
# then read).
#
#   crates/chibo-bench/lifecycle-reads.sh DATA_DIR [CHIBO_BINARY]
#
# The figures of docs/PERFORMANCE.md "Lifecycle reads at province scale"
# came from it. Listens on 127.0.0.1:8099 only; needs curl, sqlite3, python3.
set -euo pipefail
D=${1:?data directory of a province demo}
B=${2:-target/release/chibo}
YEAR=${YEAR:-$(date +%Y)}
T=$($B user token thanhuy --data "$D" 2>/dev/null | tail -1)
TB=$($B user token bithu --data "$D" 2>/dev/null | tail -1)
$B serve --data "$D" --count-queries --listen 127.0.0.1:8099 > "$D/lifecycle-serve.log" 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null' EXIT
started=$(date +%s)
until curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:8099/readyz | grep -q 200; do sleep 1; done
echo "ready after $(( $(date +%s) - started )) s (migrations and start-up passes included)"
q() { sqlite3 "$D/chibo.sqlite" "$1"; }
PROVINCE=$(q "select id from org_unit where code='79.000.000.000.000'")
COMMITTEE=$(q "select id from org_unit where code='79.001.000.000.000'")
CELL=$(q "select id from org_unit where code='79.001.000.000.001'")
W="%{http_code} %{time_total} s %{size_download} B %header{x-chibo-queries} statements\n"
get() { # token path times
  echo "== GET $2  (load $(cut -d' ' -f1-3 /proc/loadavg))"
  for _ in $(seq 1 "$3"); do
    curl -s -o /dev/null --compressed -H "Authorization: Bearer $1" -w "$W" "http://127.0.0.1:8099$2"
  done
}
post() { # token path body
  echo "== POST $2 $3  (load $(cut -d' ' -f1-3 /proc/loadavg))"
  curl -s -o "$D/lifecycle-post.json" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' -d "$3" -w "$W" "http://127.0.0.1:8099$2"
}
get "$T" "/api/v1/dues/cells?year=$YEAR" 4
get "$T" "/api/v1/dues/cells?month=$YEAR-11" 4
get "$T" "/api/v1/badges" 4
get "$T" "/api/v1/dues/cells?year=$YEAR&unit=$COMMITTEE" 4
get "$T" "/api/v1/badges?unit=$COMMITTEE" 4
get "$T" "/api/v1/dues/summary?unit=$CELL" 4
get "$T" "/api/v1/units/$PROVINCE/cell-table?period=quy&year=$YEAR&index=4" 3
get "$T" "/api/v1/units/$COMMITTEE/cell-table?period=nam&year=$YEAR" 4
ROUND=$(q "select id from evaluation_round where unit_id=$COMMITTEE order by id limit 1")
get "$T" "/api/v1/evaluations/rounds/$ROUND?unit=$COMMITTEE" 4
# The province's year: every committee's round summary, one after another.
started=$(date +%s.%N); n=0; bytes=0
while IFS='|' read -r round unit; do
  size=$(curl -s -o /dev/null --compressed -w "%{size_download}" -H "Authorization: Bearer $T" \
    "http://127.0.0.1:8099/api/v1/evaluations/rounds/$round?unit=$unit")
  n=$((n + 1)); bytes=$((bytes + size))
done < <(q "select id, unit_id from evaluation_round order by id")
echo "== every committee's evaluation summary: $n rounds in $(echo "$(date +%s.%N) - $started" | bc) s, $bytes B"
for quarter in 1 2 3 4; do
  post "$TB" "/api/v1/reports" "{\"unit_id\":$CELL,\"period\":\"quy\",\"year\":$YEAR,\"index\":$quarter}"
done
# The last report of the cell (a second run finds them drafted: 409).
REPORT=$(q "select id from report where org_id=$CELL order by id desc limit 1")
get "$TB" "/api/v1/reports/$REPORT" 5
grep VmHWM "/proc/$SP/status"
