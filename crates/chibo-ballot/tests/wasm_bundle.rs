//! The committed WebAssembly bundle (wasm/pkg) is what the current sources build.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

fn wasm_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("wasm")
}

fn recorded(key: &str) -> String {
    let text = std::fs::read_to_string(wasm_dir().join("SOURCES")).expect("wasm/SOURCES");
    text.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|v| v.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("wasm/SOURCES has no {key} line"))
        .to_string()
}

/// Runs everywhere (needs only cargo): a change to the sources without rebuilding the bundle
/// fails here.
#[test]
fn committed_bundle_records_the_current_sources() {
    let out = Command::new("bash")
        .arg(wasm_dir().join("build.sh"))
        .arg("--sources-hash")
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let now = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(
        now,
        recorded("sources"),
        "the sources changed since wasm/pkg was built: run crates/chibo-ballot/wasm/build.sh"
    );
    let wasm = std::fs::read(wasm_dir().join("pkg/chibo_ballot_bg.wasm")).unwrap();
    let digest: [u8; 32] = Sha256::digest(&wasm).into();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, recorded("wasm"));
    assert_eq!(wasm.len().to_string(), recorded("size"));
}

/// Rebuilds the bundle and compares bytes, where the wasm target and wasm-bindgen-cli are
/// installed; elsewhere it says so (and fails when CHIBO_REQUIRE_WASM=1).
#[test]
fn bundle_rebuilds_to_the_same_bytes() {
    let out = Command::new("bash")
        .arg(wasm_dir().join("build.sh"))
        .arg("--check")
        .output()
        .expect("bash");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(3) {
        assert!(
            std::env::var("CHIBO_REQUIRE_WASM").as_deref() != Ok("1"),
            "CHIBO_REQUIRE_WASM=1 but {stderr}"
        );
        eprintln!("NOT CHECKED: the bundle was not rebuilt here: {stderr}");
        return;
    }
    assert!(out.status.success(), "{stderr}");
    eprintln!("{}", String::from_utf8_lossy(&out.stdout));
}
