#!/usr/bin/env bash
# Builds the phones' WebAssembly bundle of chibo-ballot into wasm/pkg/ and records the hash of
# the sources it was built from in wasm/SOURCES, so the server can embed the committed bundle
# on a machine without the wasm target.
#
#   build.sh                 rebuild wasm/pkg/ and wasm/SOURCES
#   build.sh --check         rebuild into a temporary folder; fail unless the bytes equal wasm/pkg/
#   build.sh --sources-hash  print the hash of the sources (needs only cargo)
#
# Exit status 3: the wasm32-unknown-unknown target or wasm-bindgen-cli (the pinned version) is
# missing. Install them with:
#   rustup target add wasm32-unknown-unknown
#   cargo install wasm-bindgen-cli --version =0.2.130
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$root"

# What the bundle is built from: the two crates' sources (not their tests), the wasm profile, and
# the resolved versions of every dependency compiled into it. Paths are relative, so a clone in
# any folder gives the same hash.
sources_hash() {
    {
        find crates/chibo-ballot/src crates/chibo-rules/src crates/chibo-rules/packs -type f \
            -not -path 'crates/chibo-ballot/src/tests/*' | LC_ALL=C sort | xargs sha256sum
        sha256sum crates/chibo-ballot/Cargo.toml crates/chibo-rules/Cargo.toml
        awk '/^\[profile\.wasm\]/{on=1; print; next} /^\[/{on=0} on' Cargo.toml
        cargo tree --locked -q -p chibo-ballot --target wasm32-unknown-unknown \
            -e normal,build --prefix none --format '{p}' | sed 's/ (.*//' | LC_ALL=C sort -u
    } | sha256sum | cut -d' ' -f1
}

if [ "${1:-}" = --sources-hash ]; then
    sources_hash
    exit 0
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo "build.sh: the wasm32-unknown-unknown target is not installed" >&2
    exit 3
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
    echo "build.sh: wasm-bindgen-cli $WASM_BINDGEN_VERSION is not installed" >&2
    exit 3
fi

# A folder of its own: the check runs inside `cargo test`, which holds the lock of the usual one.
target_dir=${CARGO_TARGET_DIR:-$root/target}/wasm-bundle
cargo_home=${CARGO_HOME:-$HOME/.cargo}
# Paths of this checkout and of the registry end up in panic locations; remapped, a rebuild
# anywhere gives the same bytes. wasm-bindgen drops the symbol names (kept until then so it can
# read the target-features section).
RUSTFLAGS="--remap-path-prefix=$root=/chibo --remap-path-prefix=$cargo_home=/cargo" \
    CARGO_TARGET_DIR=$target_dir cargo build --locked -q -p chibo-ballot --lib --target wasm32-unknown-unknown --profile wasm

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir "$out" --out-name chibo_ballot \
    "$target_dir/wasm32-unknown-unknown/wasm/chibo_ballot.wasm"

raw=$(stat -c %s "$out/chibo_ballot_bg.wasm")
gz=$(gzip -9 -n -c "$out/chibo_ballot_bg.wasm" | wc -c)
hash=$(sources_hash)

if [ "${1:-}" = --check ]; then
    status=0
    for f in chibo_ballot_bg.wasm chibo_ballot.js; do
        if ! cmp -s "$out/$f" "$here/pkg/$f"; then
            echo "build.sh --check: wasm/pkg/$f differs from a rebuild" >&2
            status=1
        fi
    done
    if ! grep -qx "sources $hash" "$here/SOURCES"; then
        echo "build.sh --check: wasm/SOURCES does not record the current sources ($hash)" >&2
        status=1
    fi
    [ $status = 0 ] && echo "wasm bundle matches a rebuild: $raw bytes, $gz gzip"
    exit $status
fi

mkdir -p "$here/pkg"
cp "$out/chibo_ballot_bg.wasm" "$out/chibo_ballot.js" "$here/pkg/"
{
    echo "sources $hash"
    echo "wasm $(sha256sum "$here/pkg/chibo_ballot_bg.wasm" | cut -d' ' -f1)"
    echo "rustc $(rustc -V | cut -d' ' -f2-)"
    echo "wasm-bindgen $WASM_BINDGEN_VERSION"
    echo "size $raw"
    echo "gzip $gz"
} > "$here/SOURCES"
echo "built wasm/pkg: $raw bytes, $gz gzip (sources $hash)"
