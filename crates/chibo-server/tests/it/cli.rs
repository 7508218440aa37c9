//! The `chibo` binary itself, as an operator runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn chibo(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args(args)
        .env_remove("CHIBO_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run chibo");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn rules_decide_follows_the_json_contract() {
    let input = r#"{"kind": "nghi_quyet", "date": "2026-03-10",
        "roll": [{"status": "chinh_thuc", "attendance": "co_mat"}, {"status": "chinh_thuc", "attendance": "co_mat"},
                 {"status": "chinh_thuc", "attendance": "co_mat"}, {"status": "du_bi", "attendance": "co_mat"}],
        "counts": {"tan_thanh": 2, "khong_tan_thanh": 1, "khong_bieu_quyet": 0}}"#;
    let o = chibo(&["rules", "decide", "--json"], input);
    assert!(o.status.success(), "{}", out(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["outcome"], "dat");
    assert_eq!(
        (v["needed"].as_u64(), v["got"].as_u64(), v["base"].as_u64()),
        (Some(2), Some(2), Some(3))
    );
    assert!(!v["citations"].as_array().unwrap().is_empty());
    let bad = chibo(&["rules", "decide", "--json"], r#"{"kind": "bo_phieu"}"#);
    assert!(!bad.status.success());
}

#[test]
fn demo_export_import_audit_and_backup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let o = chibo(
        &[
            "demo",
            "--data",
            d,
            "--cells",
            "3",
            "--members-per-cell",
            "10",
        ],
        "",
    );
    assert!(o.status.success(), "{}", out(&o));
    assert!(
        out(&o).contains("bithu") && out(&o).contains("79.001.000.000.001"),
        "{}",
        out(&o)
    );
    // A second demo on the same data is refused.
    assert!(!chibo(&["demo", "--data", d], "").status.success());

    let xlsx = dir.path().join("kp1.xlsx");
    let o = chibo(
        &[
            "export",
            "members",
            "--data",
            d,
            "--cell",
            "79.001.000.000.001",
            "-o",
            xlsx.to_str().unwrap(),
        ],
        "",
    );
    assert!(o.status.success(), "{}", out(&o));
    let o = chibo(
        &[
            "import",
            "members",
            xlsx.to_str().unwrap(),
            "--data",
            d,
            "--cell",
            "79.001.000.000.001",
            "--dry-run",
        ],
        "",
    );
    assert!(o.status.success(), "{}", out(&o));
    assert!(
        out(&o).contains("Tạo mới: 0 · Cập nhật: 0 · Không đổi: 10 · Bị từ chối: 0 dòng"),
        "{}",
        out(&o)
    );

    let o = chibo(
        &[
            "user",
            "add",
            "thuky",
            "--data",
            d,
            "--name",
            "Lê Văn Thư",
            "--role",
            "chi_uy",
            "--unit",
            "79.001.000.000.001",
        ],
        "mật khẩu thư ký\n",
    );
    assert!(o.status.success(), "{}", out(&o));
    let o = chibo(&["user", "token", "thuky", "--data", d], "");
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).starts_with("chibo_"),
        "{}",
        out(&o)
    );

    let o = chibo(&["audit", "verify", "--data", d], "");
    assert!(o.status.success() && out(&o).contains("OK"), "{}", out(&o));

    let backup = dir.path().join("sao-luu.sqlite");
    let o = chibo(&["backup", "--data", d, "-o", backup.to_str().unwrap()], "");
    assert!(o.status.success(), "{}", out(&o));
    // The copy is a working database: it verifies on its own.
    let restored = dir.path().join("restored");
    std::fs::create_dir_all(&restored).unwrap();
    std::fs::copy(&backup, restored.join("chibo.sqlite")).unwrap();
    let o = chibo(
        &["audit", "verify", "--data", restored.to_str().unwrap()],
        "",
    );
    assert!(o.status.success() && out(&o).contains("OK"), "{}", out(&o));
}

#[test]
fn rules_show_and_check() {
    let o = chibo(&["rules", "show", "--at", "2026-12-01"], "");
    assert!(o.status.success(), "{}", out(&o));
    assert!(
        out(&o).contains("probation_months")
            || out(&o).contains("thử thách")
            || out(&o).contains("12"),
        "{}",
        out(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("local.toml");
    std::fs::write(
        &pack,
        "id = \"local\"\nvalid_from = 2026-01-01\n\n[params.no_such_parameter]\nvalue = 3\n",
    )
    .unwrap();
    let o = chibo(&["rules", "check", pack.to_str().unwrap()], "");
    assert!(!o.status.success(), "{}", out(&o));
    assert!(out(&o).contains(":"), "{}", out(&o));
}
