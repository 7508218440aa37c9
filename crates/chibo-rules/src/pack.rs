//! Reading rule packs: TOML text in, typed and cited parameters out, or every problem found
//! with its line number (local packs are written by hand by a đảng ủy's office).

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::fraction::{Fraction, Threshold};
use crate::procedure::{self, Form, FormCode, Procedure, RawForm, RawProcedure};
use crate::schema::{self, Kind};
use crate::vocab::CaseKind;

/// How well a rule is established (see rules-vn.md): verified, secondary, unverified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    /// Read or quoted in a legal database or official news page.
    V,
    /// Secondary source only.
    S,
    /// Inferred from practice: the upper committee should confirm.
    U,
}

/// Where a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The document, e.g. "Điều lệ Đảng" or "Quy định".
    pub document: String,
    /// Its number, e.g. "294-QĐ/TW".
    pub number: Option<String>,
    /// Article or item, e.g. "Điều 9(5)" or "mục 9.3.2".
    pub article: Option<String>,
}

impl Source {
    /// A short citation: "Quy định 294-QĐ/TW, mục 9.3.2".
    pub fn citation(&self) -> String {
        let mut s = self.document.clone();
        if let Some(n) = &self.number {
            s.push(' ');
            s.push_str(n);
        }
        if let Some(a) = &self.article {
            s.push_str(", ");
            s.push_str(a);
        }
        s
    }
}

/// A parameter value, already checked against its [`Kind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// [`Kind::Int`].
    Int(u64),
    /// [`Kind::Bool`].
    Bool(bool),
    /// [`Kind::Text`] and [`Kind::Choice`].
    Text(String),
    /// [`Kind::ChoiceList`].
    Words(Vec<String>),
    /// [`Kind::Ratio`] and a set [`Kind::OptRatio`] written as a fraction ("2/3").
    Ratio(Fraction),
    /// The same written as a percentage ("0.5%"), kept apart so it is shown the same way.
    Percent(Fraction),
    /// An [`Kind::OptRatio`] written `"none"`.
    NoRatio,
    /// [`Kind::Threshold`].
    Threshold(Threshold),
    /// [`Kind::IntList`].
    Ints(Vec<u64>),
    /// [`Kind::MonthDayList`]: (month, day).
    MonthDays(Vec<(u32, u32)>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(t) => write!(f, "{t}"),
            Value::Words(w) => write!(f, "{}", w.join(", ")),
            Value::Ratio(r) => write!(f, "{r}"),
            Value::Percent(r) => write!(f, "{}", r.percent_string()),
            Value::NoRatio => write!(f, "none"),
            Value::Threshold(t) => write!(f, "{t}"),
            Value::Ints(v) => {
                let s: Vec<String> = v.iter().map(u64::to_string).collect();
                write!(f, "{}", s.join(", "))
            }
            Value::MonthDays(v) => {
                let s: Vec<String> = v.iter().map(|(m, d)| format!("{d:02}/{m:02}")).collect();
                write!(f, "{}", s.join(", "))
            }
        }
    }
}

/// One parameter of a pack: value, source and confidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The value.
    pub value: Value,
    /// Where it comes from.
    pub source: Source,
    /// How sure we are.
    pub confidence: Confidence,
}

/// A parsed pack: national (embedded) or local (a đảng ủy's quy chế).
#[derive(Debug, Clone)]
pub struct Pack {
    /// Identifier, e.g. "vn-2026-02".
    pub id: String,
    /// Human title.
    pub title: String,
    /// First day in force (required for national packs).
    pub valid_from: Option<NaiveDate>,
    /// Last day in force, if the pack lapses.
    pub valid_to: Option<NaiveDate>,
    /// Parameters set by this pack.
    pub params: BTreeMap<String, Param>,
    /// Forms this pack adds to the catalogue (or re-defines).
    pub forms: BTreeMap<FormCode, Form>,
    /// Procedures this pack defines; each replaces the kind's earlier procedure whole.
    pub procedures: BTreeMap<CaseKind, Procedure>,
}

impl Pack {
    /// Whether the pack is in force on `date` (a pack without `valid_from` always is).
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| date <= t)
    }
}

/// A problem in a pack's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong, in Vietnamese.
    pub message: String,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dòng {}: {}", self.line, self.message)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    id: String,
    #[serde(default)]
    title: String,
    valid_from: Option<Spanned<toml::value::Datetime>>,
    valid_to: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    params: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    forms: BTreeMap<Spanned<String>, RawForm>,
    #[serde(default)]
    procedures: BTreeMap<Spanned<String>, Spanned<RawProcedure>>,
}

/// Parses a national pack. Every problem is reported, each with its line.
pub fn parse(text: &str) -> Result<Pack, Vec<PackError>> {
    parse_with(text, true)
}

/// Parses a local pack (a đảng ủy's quy chế): parameters only, the forms and procedures are
/// the national guidance's.
pub fn parse_local(text: &str) -> Result<Pack, Vec<PackError>> {
    parse_with(text, false)
}

fn parse_with(text: &str, national: bool) -> Result<Pack, Vec<PackError>> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let raw: RawPack = toml::from_str(text).map_err(|e| {
        vec![PackError {
            line: e.span().map_or(1, |s| line_of(s.start)),
            message: format!("TOML không hợp lệ: {}", e.message()),
        }]
    })?;
    let mut errors = Vec::new();
    let mut date = |d: &Option<Spanned<toml::value::Datetime>>, what: &str| {
        let d = d.as_ref()?;
        match to_date(d.get_ref()) {
            Some(x) => Some(x),
            None => {
                errors.push(PackError {
                    line: line_of(d.span().start),
                    message: format!("{what} phải là một ngày YYYY-MM-DD"),
                });
                None
            }
        }
    };
    let valid_from = date(&raw.valid_from, "valid_from");
    let valid_to = date(&raw.valid_to, "valid_to");
    let mut params = BTreeMap::new();
    for (name, entry) in &raw.params {
        let line = line_of(name.span().start);
        match parse_param(name.get_ref(), entry.get_ref()) {
            Ok(p) => {
                params.insert(name.get_ref().clone(), p);
            }
            Err(msgs) => errors.extend(msgs.into_iter().map(|message| PackError { line, message })),
        }
    }
    let mut forms = BTreeMap::new();
    for (code, raw_form) in &raw.forms {
        let line = line_of(code.span().start);
        if !national {
            errors.push(PackError {
                line,
                message: "gói quy tắc địa phương chỉ được đặt tham số ([params]), không được khai báo biểu mẫu".into(),
            });
            continue;
        }
        match procedure::parse_form(code.get_ref(), raw_form) {
            Ok(f) => {
                forms.insert(f.code.clone(), f);
            }
            Err(message) => errors.push(PackError { line, message }),
        }
    }
    let mut procedures = BTreeMap::new();
    for (kind, raw_proc) in &raw.procedures {
        if !national {
            errors.push(PackError {
                line: line_of(kind.span().start),
                message: "gói quy tắc địa phương chỉ được đặt tham số ([params]), không được khai báo quy trình".into(),
            });
            continue;
        }
        match procedure::parse_procedure(kind.get_ref(), raw_proc, &raw.id, &line_of) {
            Ok(p) => {
                procedures.insert(p.kind, p);
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(Pack {
            id: raw.id,
            title: raw.title,
            valid_from,
            valid_to,
            params,
            forms,
            procedures,
        })
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

pub(crate) fn to_date(d: &toml::value::Datetime) -> Option<NaiveDate> {
    match (d.date, d.time, d.offset) {
        (Some(x), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(x.year), u32::from(x.month), u32::from(x.day))
        }
        _ => None,
    }
}

fn parse_param(name: &str, entry: &toml::Value) -> Result<Param, Vec<String>> {
    let Some(def) = schema::find(name) else {
        return Err(vec![format!("tham số không có trong danh mục: \"{name}\"")]);
    };
    let Some(table) = entry.as_table() else {
        return Err(vec![format!(
            "\"{name}\" phải là bảng {{ value = …, source = {{ … }}, confidence = \"V|S|U\" }}"
        )]);
    };
    let mut errs = Vec::new();
    for key in table.keys() {
        if !["value", "source", "confidence"].contains(&key.as_str()) {
            errs.push(format!("\"{name}\": khóa không hợp lệ \"{key}\""));
        }
    }
    let value = match table.get("value") {
        None => {
            errs.push(format!("\"{name}\": thiếu value"));
            None
        }
        Some(v) => match convert(def.kind, v) {
            Some(v) => Some(v),
            None => {
                errs.push(format!("\"{name}\": sai kiểu, cần {}", def.kind.describe()));
                None
            }
        },
    };
    let source = match table.get("source") {
        None => {
            errs.push(format!(
                "\"{name}\": thiếu source (văn bản, số, điều khoản)"
            ));
            None
        }
        Some(s) => parse_source(s)
            .map_err(|m| errs.push(format!("\"{name}\": {m}")))
            .ok(),
    };
    let confidence = match table.get("confidence").and_then(toml::Value::as_str) {
        Some("V") => Some(Confidence::V),
        Some("S") => Some(Confidence::S),
        Some("U") => Some(Confidence::U),
        _ => {
            errs.push(format!(
                "\"{name}\": confidence phải là \"V\", \"S\" hoặc \"U\""
            ));
            None
        }
    };
    match (value, source, confidence) {
        (Some(value), Some(source), Some(confidence)) if errs.is_empty() => Ok(Param {
            value,
            source,
            confidence,
        }),
        _ => Err(errs),
    }
}

fn parse_source(v: &toml::Value) -> Result<Source, String> {
    let t = v
        .as_table()
        .ok_or("source phải là bảng { document = …, number = …, article = … }")?;
    let text = |k: &str| t.get(k).and_then(toml::Value::as_str).map(str::to_owned);
    if let Some(k) = t
        .keys()
        .find(|k| !["document", "number", "article"].contains(&k.as_str()))
    {
        return Err(format!("source: khóa không hợp lệ \"{k}\""));
    }
    let document = text("document")
        .filter(|d| !d.trim().is_empty())
        .ok_or("source thiếu document")?;
    Ok(Source {
        document,
        number: text("number"),
        article: text("article"),
    })
}

fn convert(kind: Kind, v: &toml::Value) -> Option<Value> {
    let uint = |v: &toml::Value| v.as_integer().and_then(|i| u64::try_from(i).ok());
    let words = |v: &toml::Value, allowed: &[&str]| -> Option<Vec<String>> {
        v.as_array()?
            .iter()
            .map(|w| {
                w.as_str()
                    .filter(|w| allowed.contains(w))
                    .map(str::to_owned)
            })
            .collect()
    };
    Some(match kind {
        Kind::Int => Value::Int(uint(v)?),
        Kind::Bool => Value::Bool(v.as_bool()?),
        Kind::Text => Value::Text(v.as_str()?.to_owned()),
        Kind::Choice(allowed) => {
            Value::Text(v.as_str().filter(|s| allowed.contains(s))?.to_owned())
        }
        Kind::ChoiceList(allowed) => Value::Words(words(v, allowed)?),
        Kind::Ratio => ratio(v.as_str()?)?,
        Kind::OptRatio => match v.as_str()? {
            "none" => Value::NoRatio,
            s => ratio(s)?,
        },
        Kind::Threshold => Value::Threshold(Threshold::parse(v.as_str()?)?),
        Kind::IntList => Value::Ints(v.as_array()?.iter().map(uint).collect::<Option<_>>()?),
        Kind::MonthDayList => Value::MonthDays(
            v.as_array()?
                .iter()
                .map(|d| month_day(d.as_str()?))
                .collect::<Option<_>>()?,
        ),
    })
}

fn ratio(s: &str) -> Option<Value> {
    let f = Fraction::parse(s)?;
    Some(if s.trim().ends_with('%') {
        Value::Percent(f)
    } else {
        Value::Ratio(f)
    })
}

fn month_day(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.split_once('-')?;
    let (m, d) = (m.parse().ok()?, d.parse().ok()?);
    // 2024 is a leap year, so 29/02 is accepted.
    NaiveDate::from_ymd_opt(2024, m, d).map(|_| (m, d))
}
