#!/usr/bin/env bash
# Mutation test of chibo-rules (not run in CI: it builds and tests the crate once per mutant).
# Every source file is mutated except tools.rs (CLI formatting), schema.rs (the catalogue's
# names) and docnum.rs (string layout). Prints caught / missed / unviable / timeouts, then every
# surviving mutant: those matched by mutants-equivalent.txt are listed with the reason they
# change no rule's outcome; any other makes the script fail.
#
#   crates/chibo-rules/mutants.sh            # -j1
#   MUTANTS_JOBS=2 crates/chibo-rules/mutants.sh
#   crates/chibo-rules/mutants.sh -f case.rs # extra arguments go to cargo-mutants
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
command -v cargo-mutants >/dev/null 2>&1 || {
  echo "cargo-mutants is missing: cargo install --locked cargo-mutants" >&2
  exit 1
}
out="${MUTANTS_OUT:-${CARGO_TARGET_DIR:-$root/target}/mutants}"
mkdir -p "$out"
status=0
# Each mutant is built in a scratch copy of the tree; small builds keep it light on disk. The
# unit and integration tests run (not the doc examples), with fewer property-test cases.
env -u CARGO_TARGET_DIR CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0 \
  PROPTEST_CASES="${PROPTEST_CASES:-32}" \
  cargo mutants --package chibo-rules --test-package chibo-rules \
  --exclude tools.rs --exclude schema.rs --exclude docnum.rs \
  --cargo-test-arg=--lib --cargo-test-arg=--tests \
  --jobs "${MUTANTS_JOBS:-1}" --output "$out" "$@" || status=$?
# 0: all caught; 2: some missed; 3: some timed out. Anything else is a failure of the run.
case $status in 0 | 2 | 3) ;; *) exit "$status" ;; esac

o="$out/mutants.out"
count() { if [ -s "$o/$1.txt" ]; then wc -l <"$o/$1.txt"; else echo 0; fi; }
caught=$(count caught)
missed=$(count missed)
unviable=$(count unviable)
timeout=$(count timeout)
echo
echo "caught $caught, missed $missed, unviable $unviable, timeouts $timeout" \
  "($((caught + missed + timeout)) viable)"

# mutants-equivalent.txt: one surviving mutant a line, "<extended regex> ## <why it changes no outcome>".
unexplained=0
if [ -s "$o/missed.txt" ]; then
  echo "surviving mutants:"
  while IFS= read -r m; do
    why=""
    while IFS= read -r line; do
      case "$line" in '' | '#'*) continue ;; esac
      re="${line%% ## *}"
      if printf '%s\n' "$m" | grep -Eq -- "$re"; then
        why="${line#* ## }"
        break
      fi
    done <"$here/mutants-equivalent.txt"
    if [ -n "$why" ]; then
      echo "  equivalent: $m — $why"
    else
      echo "  UNEXPLAINED: $m"
      unexplained=$((unexplained + 1))
    fi
  done <"$o/missed.txt"
fi
if [ "$unexplained" -gt 0 ]; then
  echo "$unexplained surviving mutant(s) may change a rule's outcome: add the test that kills them" >&2
  exit 1
fi
