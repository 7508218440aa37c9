#!/usr/bin/env bash
# The memory of an import, as PERFORMANCE.md ("Import memory") reports it:
# peak resident set of `chibo import members` on the largest member list
# the limits accept, on one they refuse by its rows, on a sheet spanning the
# whole grid and on a zip bomb; then the server's peak while three bombs are
# uploaded at once. Debug builds (the project's machine builds no release).
#
#   crates/chibo-bench/import-memory.sh [ROWS...]   (default: 100000 1000000)
#
# CHIBO=path/to/chibo uses that debug binary instead of building one (the
# one `cargo test -p chibo-server --test it` builds will do).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=("${@:-100000 1000000}")
read -r -a ROWS <<<"${ROWS[*]}"
WORK=${WORK:-$(mktemp -d)}
echo "work dir: $WORK"

BIN=${CARGO_TARGET_DIR:-target}/debug
if [ -z "${CHIBO:-}" ]; then
    cargo build -q -p chibo-server --bin chibo
    CHIBO=$BIN/chibo
fi
cargo build -q -p chibo-docs --example import_files
for n in "${ROWS[@]}"; do
    [ -f "$WORK/files/members-$n.xlsx" ] || "$BIN/examples/import_files" "$WORK/files" "$n" >/dev/null
done
ls -l "$WORK/files"

DATA="$WORK/data"
if [ ! -f "$DATA/chibo.sqlite" ]; then
    "$CHIBO" --data "$DATA" demo --cells 1 --members-per-cell 12 --months 0 >/dev/null
fi
CELL=$(sqlite3 "$DATA/chibo.sqlite" "SELECT code FROM org_unit WHERE kind = 'chi_bo' ORDER BY id LIMIT 1")

# One import: its peak resident set, time and first lines of its outcome.
measure() {
    local label=$1
    shift
    /usr/bin/time -v "$CHIBO" --data "$DATA" import members "$@" --cell "$CELL" \
        >"$WORK/out" 2>"$WORK/time" || true
    local kb wall
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time")
    printf '%-36s peak %4d MiB  wall %s\n' "$label" $((kb / 1024)) "$wall"
    grep -hv '^\s' "$WORK/out" "$WORK/time" | grep -v '^$' | head -n 2
}

for n in "${ROWS[@]}"; do
    measure "members-$n.xlsx --dry-run" "$WORK/files/members-$n.xlsx" --dry-run
done
measure "grid.xlsx --dry-run" "$WORK/files/grid.xlsx" --dry-run
measure "bomb.xlsx --dry-run" "$WORK/files/bomb.xlsx" --dry-run

# Three bombs at once through the server.
PORT=${PORT:-18431}
"$CHIBO" --data "$DATA" serve --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    sleep 0.2
done
JAR="$WORK/cookies"
rm -f "$JAR"
page=$(curl -fs -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/login")
csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"$//')
curl -fs -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf=$csrf" --data-urlencode login=bithu \
    --data-urlencode password=chibo-demo-2026 --data-urlencode next=/ "http://127.0.0.1:$PORT/login"
home=$(curl -fs -c "$JAR" -b "$JAR" "http://127.0.0.1:$PORT/")
csrf=$(grep -o 'name="csrf-token" content="[^"]*"' <<<"$home" | sed 's/.*content="//; s/"$//')
cell=$(sqlite3 "$DATA/chibo.sqlite" "SELECT id FROM org_unit WHERE code = '$CELL'")
before=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
for i in 1 2 3; do
    curl -s -o "$WORK/bomb-$i.html" -w "upload $i: HTTP %{http_code}\n" -b "$JAR" \
        -F "csrf=$csrf" -F "file=@$WORK/files/bomb.xlsx" "http://127.0.0.1:$PORT/import?cell=$cell" &
done
wait $(jobs -p | grep -v "^$SERVER$")
after=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
for i in 1 2 3; do
    grep -o -m1 'tệp[^<]*\|Tệp[^<]*\|[^>]*nén[^<]*' "$WORK/bomb-$i.html" | head -n1 || true
done
echo "server peak resident set: $((before / 1024)) MiB before, $((after / 1024)) MiB after three bombs at once"
