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

/// A demo of one cell with `members` members in the data directory `d`.
fn demo_cell(d: &str, members: u32) {
    let members = members.to_string();
    let o = chibo(
        &[
            "demo",
            "--data",
            d,
            "--cells",
            "1",
            "--members-per-cell",
            &members,
        ],
        "",
    );
    assert!(o.status.success(), "{}", out(&o));
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
    // Ten members and the two the demo's admission cases made members (no
    // card yet, no national ID: found again by name and date of birth).
    assert!(
        out(&o).contains("Tạo mới: 0 · Cập nhật: 0 · Không đổi: 12 · Bị từ chối: 0 dòng"),
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
fn rules_show_takes_vietnamese_and_iso_dates_and_fails_without_a_pack() {
    // dd/mm/yyyy and yyyy-mm-dd give the same rules, on a day of the test
    // clock (the 2026-07 pack is in force then).
    let day = crate::support::epoch().date_naive() + chrono::Days::new(2);
    let shown = day.format("%d/%m/%Y").to_string();
    let vi = chibo(&["rules", "show", "--at", &shown], "");
    assert!(vi.status.success(), "{}", out(&vi));
    let iso = chibo(&["rules", "show", "--at", &day.to_string()], "");
    assert!(iso.status.success(), "{}", out(&iso));
    assert_eq!(vi.stdout, iso.stdout);
    let text = String::from_utf8_lossy(&vi.stdout);
    assert!(
        text.starts_with(&format!("Quy tắc có hiệu lực ngày {shown}: ")),
        "{text}"
    );
    assert!(text.contains("vn-2026-07"), "{text}");
    // The help says which forms it accepts.
    let help = chibo(&["rules", "show", "--help"], "");
    assert!(
        out(&help).contains("dd/mm/yyyy (e.g. 05/12/2026) or yyyy-mm-dd"),
        "{}",
        out(&help)
    );
    // A date no pack covers: a Vietnamese message and a non-zero exit, nothing on stdout.
    let none = chibo(&["rules", "show", "--at", "01/01/2020"], "");
    assert!(!none.status.success(), "{}", out(&none));
    assert!(none.stdout.is_empty(), "{}", out(&none));
    assert_eq!(
        String::from_utf8_lossy(&none.stderr).trim(),
        "không có bộ quy tắc nào có hiệu lực vào ngày 01/01/2020: bộ quy tắc sớm nhất có hiệu lực từ ngày 30/07/2021"
    );
    // A date that is not one.
    let bad = chibo(&["rules", "show", "--at", "31/02/2026"], "");
    assert!(!bad.status.success());
    assert!(
        out(&bad).contains(
            "ngày không hợp lệ: \"31/02/2026\" (nhập dd/mm/yyyy, ví dụ 05/12/2026, hoặc yyyy-mm-dd)"
        ),
        "{}",
        out(&bad)
    );
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

/// `chibo import … | head`: the reader goes away before chibo is done
/// printing. chibo stops quietly, as programs killed by SIGPIPE do, and
/// writes nothing (it used to panic on the first line).
#[test]
fn import_into_a_closed_pipe_stops_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    demo_cell(d, 10);
    let csv = dir.path().join("moi.csv");
    let mut text = String::from("Họ và tên;Trạng thái\n");
    for i in 0..2000 {
        text.push_str(&format!(
            "Người Thứ {};Chính thức\n",
            ["An", "Bình", "Cường", "Dũng"][i % 4]
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args([
            "import",
            "members",
            csv.to_str().unwrap(),
            "--data",
            d,
            "--cell",
            "79.001.000.000.001",
        ])
        .env_remove("CHIBO_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run chibo");
    // `head` read nothing and left.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(141), "{err}");
    // Nothing was written: the same import, confirmed, still has all to do.
    let o = chibo(
        &[
            "import",
            "members",
            csv.to_str().unwrap(),
            "--data",
            d,
            "--cell",
            "79.001.000.000.001",
            "--dry-run",
        ],
        "",
    );
    assert!(out(&o).contains("Tạo mới: 2000 ·"), "{}", out(&o));
}

/// The command line says exactly what changed, column by column, and
/// erases only where told to.
#[test]
fn import_says_what_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    demo_cell(d, 3);
    let xlsx = dir.path().join("ds.xlsx");
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
    let csv = dir.path().join("sdt.csv");
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
    // Three members and the two the demo's admission cases made members.
    assert!(out(&o).contains("Không đổi: 5"), "{}", out(&o));
    // One member of the export, its phone blank and a note added.
    let table = chibo_docs::sheet::read_table(
        &std::fs::read(&xlsx).unwrap(),
        "ds.xlsx",
        chibo_server::service::import::COLUMNS,
        &["full_name"],
    )
    .unwrap();
    let first = table
        .rows
        .iter()
        .find(|r| r.get("card_no").is_some())
        .unwrap();
    std::fs::write(
        &csv,
        format!(
            "Họ và tên;Số thẻ đảng viên;Số điện thoại;Ghi chú\n{};{};;mới\n",
            first.get("full_name").unwrap(),
            first.get("card_no").unwrap()
        ),
    )
    .unwrap();
    let args = |extra: &[&str]| {
        let mut a = vec![
            "import",
            "members",
            csv.to_str().unwrap(),
            "--data",
            d,
            "--cell",
            "79.001.000.000.001",
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        chibo(&a, "")
    };
    let o = run(&["--dry-run"]);
    let t = out(&o);
    assert!(
        t.contains("Số đảng viên thay đổi theo cột: Ghi chú: 1"),
        "{t}"
    );
    assert!(t.contains("Ô trống: giữ nguyên giá trị đã có"), "{t}");
    let phone = first.get("phone").unwrap();
    let o = run(&["--clear", "Số điện thoại", "--dry-run"]);
    let t = out(&o);
    assert!(
        t.contains(&format!(
            "Giá trị sẽ bị xóa (1)\n  Dòng 2 · {} · Số điện thoại: {phone}",
            first.get("full_name").unwrap()
        )),
        "{t}"
    );
    assert!(
        t.contains("Ghi chú: 1 · Số điện thoại: 1") || t.contains("Số điện thoại: 1 · Ghi chú: 1"),
        "{t}"
    );
    let o = run(&["--clear", "phone"]);
    let t = out(&o);
    assert!(
        o.status.success() && t.contains("Đã ghi: 0 tạo mới, 1 cập nhật."),
        "{t}"
    );
    assert!(t.contains("Giá trị sẽ bị xóa (1)"), "{t}");
}

/// The console reads a file once and writes it in one transaction: a row
/// rejected after a thousand good ones (a chunk already written) leaves
/// nothing behind, and the corrected file is then written whole.
#[test]
fn import_in_one_read_is_whole_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    demo_cell(d, 5);
    let rows = |last_born: &str| {
        let mut text = String::from("Họ và tên;Ngày sinh;Trạng thái\n");
        for i in 0..1499 {
            text.push_str(&format!(
                "Người Thứ {};{:02}/03/1980;Chính thức\n",
                ["An", "Bình", "Cường", "Dũng"][i % 4],
                1 + i % 28
            ));
        }
        text.push_str(&format!("Trần Văn Cuối;{last_born};Chính thức\n"));
        text
    };
    let csv = dir.path().join("moi.csv");
    let import = |extra: Option<&str>| {
        let mut args = vec![
            "import",
            "members",
            csv.to_str().unwrap(),
            "--data",
            d,
            "--cell",
            "79.001.000.000.001",
        ];
        args.extend(extra);
        chibo(&args, "")
    };
    std::fs::write(&csv, rows("31/02/1990")).unwrap();
    let o = import(None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("Không ghi gì"), "{}", out(&o));
    assert!(out(&o).contains("Dòng 1501"), "{}", out(&o));
    std::fs::write(&csv, rows("28/02/1990")).unwrap();
    // Nothing of the first thousand rows was kept.
    let o = import(Some("--dry-run"));
    assert!(out(&o).contains("Tạo mới: 1500 ·"), "{}", out(&o));
    let o = import(None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(
        out(&o).contains("Đã ghi: 1500 tạo mới, 0 cập nhật."),
        "{}",
        out(&o)
    );
    let o = chibo(&["audit", "verify", "--data", d], "");
    assert!(o.status.success() && out(&o).contains("OK"), "{}", out(&o));
}
