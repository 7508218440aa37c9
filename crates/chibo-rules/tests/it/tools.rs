use chibo_rules::{DecideError, Rules, decide_json, show};
use serde_json::{Value, json};

use crate::d;

fn run(input: Value) -> Result<Value, DecideError> {
    decide_json(&input.to_string()).map(|s| serde_json::from_str(&s).unwrap())
}

fn members(spec: &[(&str, &str, usize)]) -> Value {
    let mut v = Vec::new();
    for (s, a, n) in spec {
        for _ in 0..*n {
            v.push(json!({"status": s, "attendance": a}));
        }
    }
    Value::Array(v)
}

#[test]
fn decide_json_contract() {
    let out = run(json!({
        "kind": "nghi_quyet", "date": "2026-03-10",
        "roll": members(&[("chinh_thuc", "co_mat", 12), ("chinh_thuc", "vang_co_ly_do", 2), ("mien_sinh_hoat", "vang_co_ly_do", 1)]),
        "counts": {"tan_thanh": 7, "khong_tan_thanh": 3, "khong_bieu_quyet": 2}
    }))
    .unwrap();
    assert_eq!(out["outcome"], "dat");
    assert_eq!(
        (
            out["needed"].as_u64(),
            out["got"].as_u64(),
            out["base"].as_u64()
        ),
        (Some(7), Some(7), Some(12))
    );
    assert!(out["explanation"].as_str().unwrap().starts_with("Đạt"));
    assert_eq!(
        out["citations"],
        json!(["Điều lệ Đảng, Điều 9(5)", "QĐ 24-QĐ/TW, mục 9.3.2"])
    );
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "base",
            "citations",
            "explanation",
            "got",
            "needed",
            "outcome"
        ]
    );
}

#[test]
fn decide_json_discipline_and_election() {
    let out = run(json!({
        "kind": "ky_luat", "date": "2026-03-10",
        "roll": members(&[("chinh_thuc", "co_mat", 10)]),
        "levels": {"khai_tru": 2, "cach_chuc": 1, "canh_cao": 2, "khien_trach": 3, "khong_ky_luat": 2}
    }))
    .unwrap();
    assert_eq!(
        (out["outcome"].as_str(), out["level"].as_str()),
        (Some("dat"), Some("khien_trach"))
    );
    let out = run(json!({
        "kind": "ky_luat", "date": "2026-03-10",
        "roll": members(&[("chinh_thuc", "co_mat", 10)]),
        "levels": {"khong_ky_luat": 10}
    }))
    .unwrap();
    assert_eq!(
        (out["outcome"].as_str(), out["level"].as_str()),
        (Some("khong_dat"), Some("khong_ky_luat"))
    );
    let out = run(json!({
        "kind": "bau_cu", "date": "2026-03-10",
        "roll": members(&[("chinh_thuc", "co_mat", 9), ("du_bi", "co_mat", 2)]),
        "candidates": {"Nguyễn Văn A": 8, "Trần Thị B": 4}, "seats": 1
    }))
    .unwrap();
    assert_eq!(out["elected"], json!(["Nguyễn Văn A"]));
    assert_eq!(out["outcome"], "dat");
    let out = run(json!({
        "kind": "cong_nhan_chinh_thuc", "date": "2026-03-10", "previous_failed_attempts": 2,
        "roll": members(&[("chinh_thuc", "co_mat", 9)]),
        "counts": {"tan_thanh": 5, "khong_tan_thanh": 4}
    }))
    .unwrap();
    assert_eq!(
        (out["outcome"].as_str(), out["escalate"].as_bool()),
        (Some("khong_dat"), Some(true))
    );
}

#[test]
fn decide_json_errors_are_clear() {
    let roll = members(&[("chinh_thuc", "co_mat", 3), ("du_bi", "co_mat", 1)]);
    let counts = json!({"tan_thanh": 4});
    let cases: &[(Value, &str)] = &[
        (
            json!({"kind": "bieu_quyet", "date": "2026-03-10", "roll": roll, "counts": counts}),
            "loại biểu quyết không hợp lệ",
        ),
        (
            json!({"kind": "nghi_quyet", "date": "2026-03-10", "roll": roll, "counts": counts}),
            "đảng viên dự bị",
        ),
        (
            json!({"kind": "nghi_quyet", "date": "10/03/2026", "roll": roll, "counts": counts}),
            "ngày không hợp lệ",
        ),
        (
            json!({"kind": "nghi_quyet", "date": "2026-03-10", "roll": roll}),
            "thiếu trường \"counts\"",
        ),
        (
            json!({"kind": "nghi_quyet", "date": "2026-03-10", "roll": [{"status": "x", "attendance": "co_mat"}], "counts": counts}),
            "roll[0]",
        ),
        (
            json!({"kind": "nghi_quyet", "date": "2026-03-10", "roll": roll, "counts": {"yes": 1}}),
            "khóa không hợp lệ",
        ),
        (
            json!({"kind": "nghi_quyet", "date": "2026-03-10", "roll": roll, "counts": {"tan_thanh": -1}}),
            "số nguyên không âm",
        ),
        (
            json!({"kind": "ky_luat", "date": "2026-03-10", "roll": roll, "counts": counts}),
            "thiếu trường \"levels\"",
        ),
        (
            json!({"kind": "bau_cu", "date": "2026-03-10", "roll": roll, "candidates": {"A": 1}}),
            "thiếu trường \"seats\"",
        ),
        (
            json!({"kind": "nghi_quyet", "date": "2019-03-10", "roll": roll, "counts": {"tan_thanh": 1}}),
            "không có bộ quy tắc",
        ),
    ];
    for (input, needle) in cases {
        let e = run(input.clone()).unwrap_err().to_string();
        assert!(e.contains(needle), "{needle:?} not in {e:?}");
    }
    assert!(
        decide_json("not json")
            .unwrap_err()
            .to_string()
            .contains("JSON không hợp lệ")
    );
}

#[test]
fn show_lists_parameters_with_sources() {
    let rules = Rules::embedded();
    let text = show(&rules, d("2026-11-27"));
    assert!(
        text.starts_with(
            "Quy tắc có hiệu lực ngày 27/11/2026: vn-2021-07 + vn-2025-07 + vn-2025-08"
        )
    );
    assert!(
        text.contains("probation_months = 12 [V] Điều lệ Đảng, Điều 5(1); QĐ 208-QĐ/TW: công nhận tính từ ngày hết 12 tháng dự bị (vn-2026-07)"),
        "{text}"
    );
    assert!(
        text.contains("dues_rate_pension = 0.5% [V] QĐ 01-QĐ/TW (03/02/2026), mức đóng: đảng viên hưởng lương hưu (vn-2026-02)"),
        "{text}"
    );
    // The citations found wrong: the body font under HD 05, the dues exemption under QĐ 01.
    assert!(
        text.contains(
            "doc_body_font_pt = 14 [S] Hướng dẫn 05-HD/VPTW, cỡ chữ phần nội dung (vn-2026-05)"
        ),
        "{text}"
    );
    assert!(
        text.contains("dues_exempt_party_age_years = 50 [V] QĐ 01-QĐ/TW (03/02/2026), Điều 5 (miễn đóng đảng phí) (vn-2026-02)"),
        "{text}"
    );
    assert!(!text.contains("nhà trường)"), "{text}");
    // Forms and procedures, with their steps.
    assert!(
        text.contains("  9-KNĐ: Quyết định kết nạp đảng viên [S]"),
        "{text}"
    );
    assert!(
        text.contains("  ket_nap: Kết nạp đảng viên [S]") && text.contains("(vn-2025-09)"),
        "{text}"
    );
    assert!(
        text.contains("11. quyet_dinh_ket_nap: Cấp ủy có thẩm quyền ra quyết định kết nạp — Ban thường vụ đảng ủy; nộp 9-KNĐ (Ban thường vụ đảng ủy ký); hạn admission_decision_deadline_working_days working_days kể từ step:chi_bo_xet"),
        "{text}"
    );
    assert!(
        text.contains("  chuyen_chinh_thuc: Chuyển sinh hoạt đảng chính thức (thủ tục trên Cổng Dịch vụ công Quốc gia) [V]"),
        "{text}"
    );
    assert!(text.contains("ket_nap_threshold = >= 2/3 [V]"));
    // Each pack in force with its title, and the calendar's years.
    assert!(
        text.contains(
            "\n  vn-2021-07: Điều lệ Đảng; Quy định 24-QĐ/TW thi hành Điều lệ (từ 30/7/2021)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\n  vn-2026-07: Quy định 208-QĐ/TW thi hành Điều lệ Đảng (từ 26/7/2026)\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "Lịch ngày làm việc \"vn\" 2020–2030 — Bộ luật Lao động 45/2019/QH14, Điều 111, 112"
        ),
        "{text}"
    );
    let view = rules.pack_at(d("2026-11-27")).unwrap();
    assert_eq!(view.date(), d("2026-11-27"));
    assert_eq!(view.pack_titles().len(), view.pack_ids().len());
    assert_eq!(rules.calendar().years(), (2020, 2030));
    assert!(text.contains("badge_ceremony_dates = 03/02, 19/05, 02/09, 07/11"));
    assert!(show(&rules, d("2020-01-01")).starts_with("không có bộ quy tắc"));
}
