//! Guards on the suite itself (issue 11, item 7): dates come from the
//! injected clock, so no test can turn red on its own when the calendar
//! on the wall moves past a date it wrote down.

use std::path::Path;

/// Every Rust file under `dir`.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn nothing_reads_the_wall_clock_but_the_injected_clock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    sources(&root.join("src"), &mut files);
    sources(&root.join("tests"), &mut files);
    // Spelled in pieces, so that this file does not find itself.
    let reads: Vec<String> = ["Utc", "Local", "SystemTime"]
        .iter()
        .map(|t| format!("{t}::{}()", "now"))
        .collect();
    let allowed = root.join("src/service/clock.rs");
    let mut found = vec![];
    for f in files.iter().filter(|f| **f != allowed) {
        let text = std::fs::read_to_string(f).expect("readable source");
        for (n, line) in text.lines().enumerate() {
            if reads.iter().any(|r| line.contains(r.as_str())) {
                found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        files.len() > 50 && found.is_empty(),
        "the wall clock read outside service::clock (use Services::now() or the test app's clock):\n{}",
        found.join("\n")
    );
}
