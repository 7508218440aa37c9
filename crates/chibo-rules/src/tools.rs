//! Pure functions behind the `chibo rules` commands: show, check, decide --json.

use std::fmt::Write;

use chrono::NaiveDate;
use serde_json::{Map, Value as Json, json};

use crate::decision::{Attendance, Ballots, DecideError, DecisionKind, Member};
use crate::pack::{self, Confidence, PackError};
use crate::vocab::Status;
use crate::{Lang, Rules};

fn conf(c: Confidence) -> &'static str {
    match c {
        Confidence::V => "V",
        Confidence::S => "S",
        Confidence::U => "U",
    }
}

/// The rules in force on `at`: the parameters one a line, with value, confidence, source and
/// pack; then the forms and the procedures with their steps.
pub fn show(rules: &Rules, at: NaiveDate) -> String {
    let view = match rules.pack_at(at) {
        Ok(v) => v,
        Err(e) => return format!("{e}\n"),
    };
    let mut out = format!(
        "Quy tắc có hiệu lực ngày {}: {}\n",
        at.format("%d/%m/%Y"),
        view.pack_ids().join(" + ")
    );
    for (id, title) in view.pack_ids().iter().zip(view.pack_titles()) {
        let _ = writeln!(out, "  {id}: {title}");
    }
    let (first, last) = rules.calendar().years();
    let _ = writeln!(
        out,
        "Lịch ngày làm việc \"{}\" {first}–{last} — {}",
        rules.calendar().id(),
        rules.calendar().citation()
    );
    for (name, r) in view.params() {
        let _ = writeln!(
            out,
            "{name} = {} [{}] {} ({})",
            r.param.value,
            conf(r.param.confidence),
            r.param.source.citation(),
            r.pack_id
        );
    }
    let _ = writeln!(out, "Biểu mẫu:");
    for f in view.forms() {
        let _ = writeln!(
            out,
            "  {}: {} [{}] {}",
            f.code,
            f.title,
            conf(f.confidence),
            f.source.citation()
        );
    }
    let _ = writeln!(out, "Quy trình:");
    for p in view.procedures() {
        let _ = writeln!(
            out,
            "  {}: {} [{}] {} ({})",
            p.kind.as_str(),
            p.title,
            conf(p.confidence),
            p.source.citation(),
            p.pack_id
        );
        for (i, s) in p.steps.iter().enumerate() {
            let mut line = format!(
                "    {}. {}: {} — {}",
                i + 1,
                s.code,
                s.label,
                s.performer.label_vi()
            );
            if s.optional {
                line.push_str(" (nếu có)");
            }
            let docs: Vec<String> = s
                .documents
                .iter()
                .map(|d| {
                    let forms: Vec<&str> = d.forms.iter().map(|f| f.as_str()).collect();
                    format!("{} ({} ký)", forms.join("/"), d.signer.label_vi())
                })
                .collect();
            if !docs.is_empty() {
                line.push_str(&format!("; nộp {}", docs.join(", ")));
            }
            if let Some(d) = &s.deadline {
                let from: Vec<String> = d.from.iter().map(|r| r.to_string()).collect();
                match &d.period {
                    Some(p) => line.push_str(&format!(
                        "; hạn {} {} kể từ {}",
                        p.param,
                        p.unit.as_str(),
                        from.join(" | ")
                    )),
                    None => line.push_str(&format!("; hạn {}", from.join(" | "))),
                }
            }
            if let Some(k) = s.decision {
                line.push_str(&format!("; biểu quyết {}", k.code()));
            }
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// Validates a local pack: unknown names, wrong types, missing sources, each with its line.
pub fn check_local_pack(text: &str) -> Result<(), Vec<PackError>> {
    pack::parse_local(text).map(|_| ())
}

/// `chibo rules decide --json` with the embedded packs: one case in, one outcome out.
///
/// Input: `{"kind", "date", "roll": [{"status", "attendance"}], "counts": {"tan_thanh",
/// "khong_tan_thanh", "khong_bieu_quyet"}}`; `"levels"` instead of counts for `ky_luat`;
/// `"candidates": {name: votes}` and `"seats"` for `bau_cu`; optionally
/// `"previous_failed_attempts"` for `cong_nhan_chinh_thuc`. Output: `{"outcome", "needed",
/// "got", "base", "explanation", "citations"}` plus `"level"` (ky_luat), `"elected"` (bau_cu)
/// and `"escalate"` (when previous_failed_attempts was given).
pub fn decide_json(input: &str) -> Result<String, DecideError> {
    Rules::embedded().decide_json(input)
}

fn bad(msg: impl Into<String>) -> DecideError {
    DecideError::Input(msg.into())
}

fn uint(v: &Json, what: &str) -> Result<u32, DecideError> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| bad(format!("\"{what}\" phải là số nguyên không âm")))
}

fn field<'a>(obj: &'a Map<String, Json>, key: &str) -> Result<&'a Json, DecideError> {
    obj.get(key)
        .ok_or_else(|| bad(format!("thiếu trường \"{key}\"")))
}

fn counts(obj: &Map<String, Json>, key: &str, names: &[&str]) -> Result<Vec<u32>, DecideError> {
    let table = field(obj, key)?
        .as_object()
        .ok_or_else(|| bad(format!("\"{key}\" phải là đối tượng")))?;
    if let Some(k) = table.keys().find(|k| !names.contains(&k.as_str())) {
        return Err(bad(format!(
            "\"{key}\" có khóa không hợp lệ \"{k}\" (chỉ nhận: {})",
            names.join(", ")
        )));
    }
    names
        .iter()
        .map(|n| table.get(*n).map_or(Ok(0), |v| uint(v, n)))
        .collect()
}

impl Rules {
    /// [`decide_json`] with these rules (e.g. with a local pack).
    pub fn decide_json(&self, input: &str) -> Result<String, DecideError> {
        let v: Json =
            serde_json::from_str(input).map_err(|e| bad(format!("JSON không hợp lệ: {e}")))?;
        let obj = v.as_object().ok_or_else(|| bad("cần một đối tượng JSON"))?;
        let kind_code = field(obj, "kind")?
            .as_str()
            .ok_or_else(|| bad("\"kind\" phải là chuỗi"))?;
        let kind = DecisionKind::from_code(kind_code)
            .ok_or_else(|| DecideError::UnknownKind(kind_code.into()))?;
        let date_text = field(obj, "date")?
            .as_str()
            .ok_or_else(|| bad("\"date\" phải là chuỗi YYYY-MM-DD"))?;
        let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d").map_err(|_| {
            bad(format!(
                "ngày không hợp lệ: \"{date_text}\" (cần YYYY-MM-DD)"
            ))
        })?;
        let roll = field(obj, "roll")?
            .as_array()
            .ok_or_else(|| bad("\"roll\" phải là danh sách"))?
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let get = |k: &str| m.get(k).and_then(Json::as_str).unwrap_or("");
                let status = crate::vocab::parse_code::<Status>(get("status"))
                    .map_err(|e| bad(format!("roll[{i}]: {e}")))?;
                let attendance = Attendance::from_code(get("attendance")).ok_or_else(|| {
                    bad(format!("roll[{i}]: \"attendance\" không hợp lệ (co_mat, vang_co_ly_do, vang_khong_ly_do)"))
                })?;
                Ok(Member::new(status, attendance))
            })
            .collect::<Result<Vec<_>, DecideError>>()?;
        let ballots = match kind {
            DecisionKind::KyLuat => {
                let n = counts(
                    obj,
                    "levels",
                    &[
                        "khai_tru",
                        "cach_chuc",
                        "canh_cao",
                        "khien_trach",
                        "khong_ky_luat",
                    ],
                )?;
                Ballots::Levels {
                    levels: [n[0], n[1], n[2], n[3]],
                    khong_ky_luat: n[4],
                }
            }
            DecisionKind::BauCu => {
                let c = field(obj, "candidates")?
                    .as_object()
                    .ok_or_else(|| bad("\"candidates\" phải là đối tượng {\"tên\": số phiếu}"))?;
                Ballots::Election {
                    candidates: c
                        .iter()
                        .map(|(name, v)| Ok((name.clone(), uint(v, name)?)))
                        .collect::<Result<_, DecideError>>()?,
                    seats: uint(field(obj, "seats")?, "seats")?,
                }
            }
            _ => {
                let n = counts(
                    obj,
                    "counts",
                    &["tan_thanh", "khong_tan_thanh", "khong_bieu_quyet"],
                )?;
                Ballots::counts(n[0], n[1], n[2])
            }
        };
        let previous = obj
            .get("previous_failed_attempts")
            .map(|v| uint(v, "previous_failed_attempts"))
            .transpose()?;
        let d = match (kind, previous) {
            (DecisionKind::CongNhanChinhThuc, Some(p)) => {
                self.decide_recognition(&roll, &ballots, p, date)?
            }
            _ => self.decide(kind, &roll, &ballots, date)?,
        };
        let mut out = json!({
            "outcome": d.outcome.code(),
            "needed": d.needed,
            "got": d.got,
            "base": d.base,
            "explanation": d.explain(Lang::Vi),
            "citations": d.citations,
        });
        if kind == DecisionKind::KyLuat {
            out["level"] = json!(d.level.map_or("khong_ky_luat", |l| l.as_str()));
        }
        if kind == DecisionKind::BauCu {
            out["elected"] = json!(d.elected);
        }
        if previous.is_some() && kind == DecisionKind::CongNhanChinhThuc {
            out["escalate"] = json!(d.escalate);
        }
        Ok(out.to_string())
    }
}
