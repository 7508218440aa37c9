//! Procedures as data: the forms catalogue and, per case kind, the steps of its state machine
//! (who acts, what must come first, which forms are filed and who signs them, the deadline and
//! the vote that decides), read from the packs' `[forms]` and `[procedures.<kind>]` tables.
//! Numbers are never written here: a deadline names a parameter of the catalogue, so its value
//! and source come from the pack in force on the day it starts (and a local pack may set it).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

use crate::decision::DecisionKind;
use crate::pack::{Confidence, PackError, Source};
use crate::schema::{self, Kind};
use crate::vocab::{CaseKind, CaseOutcome, Guard, LatePolicy, Performer, Side, Unit};

/// A code that is not well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mã không hợp lệ: \"{0}\" (chữ thường không dấu, số và \"_\", tối đa 48 ký tự)")]
pub struct BadCode(pub String);

macro_rules! snake_code {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Checks the syntax: a lower-case ASCII letter, then letters, digits or `_`, at
            /// most 48 in all. Whether the procedure has it is checked where it is used.
            pub fn new(code: &str) -> Result<Self, BadCode> {
                let ok = code.len() <= 48
                    && code.starts_with(|c: char| c.is_ascii_lowercase())
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                if ok { Ok(Self(code.to_owned())) } else { Err(BadCode(code.to_owned())) }
            }

            /// The code.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::new(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

snake_code! {
    /// The code of a step within its procedure, e.g. `chi_bo_xet`.
    StepCode
}

snake_code! {
    /// The code of a named date of a case: one the case supplies (`ngay_ket_nap`) or one the
    /// procedure derives (`het_du_bi`).
    DateCode
}

/// A form's code as the guidance numbers it, e.g. `1-KNĐ`, `2-HSĐV`, `01-HD KĐ.ĐG`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FormCode(String);

impl FormCode {
    /// Checks the syntax (1 to 32 characters, no control characters, no outer spaces); whether
    /// the catalogue has it is checked where it is used.
    pub fn new(code: &str) -> Result<FormCode, BadForm> {
        let ok = !code.is_empty()
            && code.chars().count() <= 32
            && code.trim() == code
            && !code.chars().any(char::is_control);
        if ok {
            Ok(FormCode(code.to_owned()))
        } else {
            Err(BadForm(code.to_owned()))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FormCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for FormCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for FormCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        FormCode::new(&s).map_err(serde::de::Error::custom)
    }
}

/// A form code that is not well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mã biểu mẫu không hợp lệ: \"{0}\"")]
pub struct BadForm(pub String);

/// A form of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Its code.
    pub code: FormCode,
    /// What it is, in Vietnamese.
    pub title: String,
    /// The guidance that defines it.
    pub source: Source,
    /// How sure the code and title are.
    pub confidence: Confidence,
}

/// Where a period starts: a step's date or a named date of the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    /// The date a step was done.
    Step(StepCode),
    /// A named date (supplied by the case or derived).
    Date(DateCode),
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ref::Step(s) => write!(f, "step:{s}"),
            Ref::Date(d) => write!(f, "date:{d}"),
        }
    }
}

impl Ref {
    fn parse(text: &str) -> Result<Ref, String> {
        let bad = || format!("\"{text}\" phải có dạng \"step:<mã bước>\" hoặc \"date:<mã ngày>\"");
        match text.split_once(':') {
            Some(("step", c)) => StepCode::new(c).map(Ref::Step).map_err(|_| bad()),
            Some(("date", c)) => DateCode::new(c).map(Ref::Date).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

/// A length read from the pack: the parameter that holds it and its unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// The catalogue parameter (an integer).
    pub param: String,
    /// Its unit.
    pub unit: Unit,
}

/// A step's deadline: `period` after the first of `from` that is known (the anchor itself
/// when there is no period), plus `extension` once the competent body has granted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineRule {
    /// Candidate anchors, the first known one counts (e.g. the branch the case took).
    pub from: Vec<Ref>,
    /// The length, if the deadline is not the anchor itself.
    pub period: Option<Period>,
    /// The parameter of the extension that may be granted (same unit as the period).
    pub extension: Option<String>,
    /// What a late record needs.
    pub late: LatePolicy,
}

/// A date the procedure derives, e.g. the end of probation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedDate {
    /// Its code.
    pub code: DateCode,
    /// What it is.
    pub label: String,
    /// Candidate anchors, the first known one counts.
    pub from: Vec<Ref>,
    /// The length after the anchor.
    pub period: Period,
}

/// A date the case must supply (from the member's record or the round's plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDate {
    /// Its code.
    pub code: DateCode,
    /// What it is.
    pub label: String,
}

/// A document a step files: any one of `forms`, signed by `signer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRequirement {
    /// Forms that satisfy it (usually one).
    pub forms: Vec<FormCode>,
    /// Who signs it.
    pub signer: Performer,
    /// Filed only where it applies (e.g. the youth union's resolution).
    pub optional: bool,
}

/// One step of a procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Its code.
    pub code: StepCode,
    /// What it is, in Vietnamese.
    pub label: String,
    /// Who performs it.
    pub performer: Performer,
    /// For transfers: which side acts.
    pub side: Option<Side>,
    /// Steps that must all be done first.
    pub after: Vec<StepCode>,
    /// Steps of which at least one must be done first.
    pub after_any: Vec<StepCode>,
    /// Done only where it applies (an intermediate level that may not exist…).
    pub optional: bool,
    /// Documents filed with it.
    pub documents: Vec<DocRequirement>,
    /// Its deadline.
    pub deadline: Option<DeadlineRule>,
    /// It may not be dated before the first known of these.
    pub not_before: Vec<Ref>,
    /// The vote that decides it (through the decision engine).
    pub decision: Option<DecisionKind>,
    /// The parameter limiting failed votes; at the limit the case goes up ([`Step::escalation_of`]).
    pub attempts_param: Option<String>,
    /// Available only once that step's failed votes reach its limit.
    pub escalation_of: Option<StepCode>,
    /// Rules the server checks with registry data before recording it.
    pub guards: Vec<Guard>,
    /// May be filed on the Cổng Dịch vụ công Quốc gia (when the pack's `transfer_online_portal` is on).
    pub portal: bool,
    /// Where the step comes from.
    pub source: Source,
    /// How sure it is.
    pub confidence: Confidence,
}

impl Step {
    /// The step's citation.
    pub fn citation(&self) -> String {
        self.source.citation()
    }
}

/// When a case may be closed with an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRule {
    /// The outcome.
    pub outcome: CaseOutcome,
    /// Steps that must all be done first.
    pub after: Vec<StepCode>,
    /// Steps of which at least one must be done first.
    pub after_any: Vec<StepCode>,
}

/// A procedure: the state machine of one case kind, as a pack defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    /// The case kind.
    pub kind: CaseKind,
    /// Its title.
    pub title: String,
    /// The text it follows.
    pub source: Source,
    /// How sure it is.
    pub confidence: Confidence,
    /// The pack that defines it.
    pub pack_id: String,
    /// Dates the case supplies.
    pub inputs: Vec<InputDate>,
    /// Dates derived from steps and inputs, in order.
    pub dates: Vec<DerivedDate>,
    /// The steps, each after the steps it depends on.
    pub steps: Vec<Step>,
    /// How the case may end.
    pub outcomes: Vec<OutcomeRule>,
}

impl Procedure {
    /// A step by code.
    pub fn step(&self, code: &StepCode) -> Option<&Step> {
        self.steps.iter().find(|s| &s.code == code)
    }

    /// The rule of an outcome, if the procedure allows it.
    pub fn outcome(&self, outcome: CaseOutcome) -> Option<&OutcomeRule> {
        self.outcomes.iter().find(|o| o.outcome == outcome)
    }

    /// Every form any step files.
    pub fn forms(&self) -> BTreeSet<&FormCode> {
        self.steps
            .iter()
            .flat_map(|s| &s.documents)
            .flat_map(|d| &d.forms)
            .collect()
    }
}

// ---- reading the pack tables ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawForm {
    title: String,
    source: RawSource,
    confidence: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    document: String,
    number: Option<String>,
    article: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn list(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProcedure {
    title: String,
    source: RawSource,
    confidence: String,
    #[serde(default)]
    inputs: Vec<RawInput>,
    #[serde(default)]
    dates: Vec<RawDate>,
    steps: Vec<Spanned<RawStep>>,
    outcomes: Vec<RawOutcome>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    code: String,
    label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDate {
    code: String,
    label: String,
    from: OneOrMany,
    param: String,
    unit: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    code: String,
    label: String,
    performer: String,
    side: Option<String>,
    #[serde(default)]
    after: Vec<String>,
    #[serde(default)]
    after_any: Vec<String>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    documents: Vec<RawDoc>,
    deadline: Option<RawDeadline>,
    not_before: Option<OneOrMany>,
    decision: Option<String>,
    attempts_param: Option<String>,
    escalation_of: Option<String>,
    #[serde(default)]
    guards: Vec<String>,
    #[serde(default)]
    portal: bool,
    source: Option<RawSource>,
    confidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDoc {
    form: OneOrMany,
    signer: String,
    #[serde(default)]
    optional: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
    from: OneOrMany,
    param: Option<String>,
    unit: Option<String>,
    extension: Option<String>,
    late: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutcome {
    outcome: String,
    #[serde(default)]
    after: Vec<String>,
    #[serde(default)]
    after_any: Vec<String>,
}

fn confidence(c: &str) -> Result<Confidence, String> {
    match c {
        "V" => Ok(Confidence::V),
        "S" => Ok(Confidence::S),
        "U" => Ok(Confidence::U),
        _ => Err(format!(
            "confidence phải là \"V\", \"S\" hoặc \"U\", không phải \"{c}\""
        )),
    }
}

fn source(s: &RawSource) -> Result<Source, String> {
    if s.document.trim().is_empty() {
        return Err("source thiếu document".into());
    }
    Ok(Source {
        document: s.document.clone(),
        number: s.number.clone(),
        article: s.article.clone(),
    })
}

fn vocab_code<T: crate::vocab::Code>(text: &str) -> Result<T, String> {
    crate::vocab::parse_code::<T>(text).map_err(|e| e.to_string())
}

/// An integer parameter of the catalogue, or why not.
fn int_param(name: &str) -> Result<String, String> {
    match schema::find(name) {
        Some(def) if def.kind == Kind::Int => Ok(name.to_owned()),
        Some(_) => Err(format!("tham số \"{name}\" không phải số nguyên")),
        None => Err(format!("tham số không có trong danh mục: \"{name}\"")),
    }
}

pub(crate) fn parse_form(code_text: &str, raw: &RawForm) -> Result<Form, String> {
    let code = FormCode::new(code_text).map_err(|e| e.to_string())?;
    if raw.title.trim().is_empty() {
        return Err(format!("biểu mẫu {code}: thiếu title"));
    }
    Ok(Form {
        code,
        title: raw.title.clone(),
        source: source(&raw.source).map_err(|e| format!("biểu mẫu {code_text}: {e}"))?,
        confidence: confidence(&raw.confidence)?,
    })
}

/// Reads one `[procedures.<kind>]` table. Every problem is returned, each with its line
/// (`line_of` turns a byte offset into a line).
pub(crate) fn parse_procedure(
    kind_text: &str,
    raw: &Spanned<RawProcedure>,
    pack_id: &str,
    line_of: &dyn Fn(usize) -> usize,
) -> Result<Procedure, Vec<PackError>> {
    let head_line = line_of(raw.span().start);
    let raw = raw.get_ref();
    let mut errors: Vec<PackError> = Vec::new();
    let mut err = |line: usize, message: String| {
        errors.push(PackError {
            line,
            message: format!("procedures.{kind_text}: {message}"),
        })
    };
    let kind = vocab_code::<CaseKind>(kind_text)
        .map_err(|m| err(head_line, m))
        .ok();
    let proc_source = source(&raw.source).map_err(|m| err(head_line, m)).ok();
    let proc_conf = confidence(&raw.confidence)
        .map_err(|m| err(head_line, m))
        .ok();

    // Dates: inputs first, then derived dates that may only use inputs or earlier dates.
    let mut known_dates: BTreeSet<DateCode> = BTreeSet::new();
    let mut inputs = Vec::new();
    for i in &raw.inputs {
        match DateCode::new(&i.code) {
            Ok(c) if known_dates.insert(c.clone()) => inputs.push(InputDate {
                code: c,
                label: i.label.clone(),
            }),
            Ok(c) => err(head_line, format!("ngày \"{c}\" khai báo hai lần")),
            Err(e) => err(head_line, e.to_string()),
        }
    }

    // Steps are declared in order: a step may only depend on steps declared before it.
    let mut steps: Vec<Step> = Vec::new();
    let mut step_codes: BTreeSet<StepCode> = BTreeSet::new();
    let all_steps: BTreeSet<String> = raw.steps.iter().map(|s| s.get_ref().code.clone()).collect();
    let mut dates = Vec::new();
    for d in &raw.dates {
        let code = match DateCode::new(&d.code) {
            Ok(c) => c,
            Err(e) => {
                err(head_line, e.to_string());
                continue;
            }
        };
        let from = refs(&d.from, &known_dates, &all_steps)
            .map_err(|m| err(head_line, format!("ngày {code}: {m}")));
        let period =
            period(&d.param, &d.unit).map_err(|m| err(head_line, format!("ngày {code}: {m}")));
        if !known_dates.insert(code.clone()) {
            err(head_line, format!("ngày \"{code}\" khai báo hai lần"));
        }
        if let (Ok(from), Ok(period)) = (from, period) {
            dates.push(DerivedDate {
                code,
                label: d.label.clone(),
                from,
                period,
            });
        }
    }

    for spanned in &raw.steps {
        let line = line_of(spanned.span().start);
        let s = spanned.get_ref();
        let mut bad = |m: String| err(line, format!("bước {}: {m}", s.code));
        let Ok(code) = StepCode::new(&s.code) else {
            bad(BadCode(s.code.clone()).to_string());
            continue;
        };
        if step_codes.contains(&code) {
            bad("mã bước trùng".into());
            continue;
        }
        let earlier = |list: &[String], bad: &mut dyn FnMut(String)| -> Vec<StepCode> {
            list.iter()
                .filter_map(|c| match StepCode::new(c) {
                    Ok(c) if step_codes.contains(&c) => Some(c),
                    _ => {
                        bad(format!("\"{c}\" không phải bước khai báo trước bước này"));
                        None
                    }
                })
                .collect()
        };
        let after = earlier(&s.after, &mut bad);
        let after_any = earlier(&s.after_any, &mut bad);
        let escalation_of = s
            .escalation_of
            .as_ref()
            .and_then(|c| earlier(std::slice::from_ref(c), &mut bad).pop());
        let performer = vocab_code::<Performer>(&s.performer).map_err(&mut bad).ok();
        let side = match &s.side {
            Some(t) => vocab_code::<Side>(t).map_err(&mut bad).ok(),
            None => None,
        };
        let documents: Vec<DocRequirement> = s
            .documents
            .iter()
            .filter_map(|d| {
                let forms: Result<Vec<FormCode>, String> = d
                    .form
                    .list()
                    .into_iter()
                    .map(|f| FormCode::new(f).map_err(|e| e.to_string()))
                    .collect();
                let signer = vocab_code::<Performer>(&d.signer);
                match (forms, signer) {
                    (Ok(forms), Ok(signer)) if !forms.is_empty() => Some(DocRequirement {
                        forms,
                        signer,
                        optional: d.optional,
                    }),
                    (Err(m), _) | (_, Err(m)) => {
                        bad(m);
                        None
                    }
                    _ => {
                        bad("tài liệu không có biểu mẫu".into());
                        None
                    }
                }
            })
            .collect();
        let deadline = s.deadline.as_ref().and_then(|d| {
            let from = refs(&d.from, &known_dates, &all_steps)
                .map_err(&mut bad)
                .ok()?;
            let period = match (&d.param, &d.unit) {
                (Some(p), Some(u)) => Some(period(p, u).map_err(&mut bad).ok()?),
                (None, None) => None,
                _ => {
                    bad("deadline cần cả param và unit".into());
                    return None;
                }
            };
            let extension = match &d.extension {
                Some(e) if period.is_some() => Some(int_param(e).map_err(&mut bad).ok()?),
                Some(_) => {
                    bad("deadline có extension nhưng không có param".into());
                    return None;
                }
                None => None,
            };
            let late = match &d.late {
                Some(l) => vocab_code::<LatePolicy>(l).map_err(&mut bad).ok()?,
                None => LatePolicy::Allowed,
            };
            Some(DeadlineRule {
                from,
                period,
                extension,
                late,
            })
        });
        let not_before = match &s.not_before {
            Some(n) => refs(n, &known_dates, &all_steps)
                .map_err(&mut bad)
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let decision = match &s.decision {
            Some(d) => {
                let k = DecisionKind::from_code(d);
                if k.is_none() {
                    bad(format!("decision không hợp lệ: \"{d}\""));
                }
                k
            }
            None => None,
        };
        let attempts_param = match &s.attempts_param {
            Some(_) if decision.is_none() => {
                bad("attempts_param chỉ dùng cho bước có biểu quyết (decision)".into());
                None
            }
            Some(p) => int_param(p).map_err(&mut bad).ok(),
            None => None,
        };
        if let Some(of) = &escalation_of
            && steps
                .iter()
                .find(|x| &x.code == of)
                .is_some_and(|x| x.attempts_param.is_none())
        {
            bad(format!(
                "escalation_of \"{of}\": bước đó không có attempts_param"
            ));
        }
        let guards: Vec<Guard> = s
            .guards
            .iter()
            .filter_map(|g| vocab_code::<Guard>(g).map_err(&mut bad).ok())
            .collect();
        let step_source = match &s.source {
            Some(src) => source(src).map_err(&mut bad).ok(),
            None => proc_source.clone(),
        };
        let step_conf = match &s.confidence {
            Some(c) => confidence(c).map_err(&mut bad).ok(),
            None => proc_conf,
        };
        if s.label.trim().is_empty() {
            bad("thiếu label".into());
        }
        step_codes.insert(code.clone());
        if let (Some(performer), Some(source), Some(confidence)) =
            (performer, step_source, step_conf)
        {
            steps.push(Step {
                code,
                label: s.label.clone(),
                performer,
                side,
                after,
                after_any,
                optional: s.optional,
                documents,
                deadline,
                not_before,
                decision,
                attempts_param,
                escalation_of,
                guards,
                portal: s.portal,
                source,
                confidence,
            });
        }
    }

    let mut outcomes: Vec<OutcomeRule> = Vec::new();
    for o in &raw.outcomes {
        let mut bad = |m: String| err(head_line, format!("kết quả {}: {m}", o.outcome));
        let Ok(outcome) = vocab_code::<CaseOutcome>(&o.outcome).map_err(&mut bad) else {
            continue;
        };
        if outcomes.iter().any(|x| x.outcome == outcome) {
            bad("khai báo hai lần".into());
            continue;
        }
        let listed = |list: &[String], bad: &mut dyn FnMut(String)| -> Vec<StepCode> {
            list.iter()
                .filter_map(|c| match StepCode::new(c) {
                    Ok(c) if step_codes.contains(&c) => Some(c),
                    _ => {
                        bad(format!("\"{c}\" không phải bước của quy trình"));
                        None
                    }
                })
                .collect()
        };
        let after = listed(&o.after, &mut bad);
        let after_any = listed(&o.after_any, &mut bad);
        if outcome == CaseOutcome::HoanThanh && after.is_empty() && after_any.is_empty() {
            bad("hoan_thanh phải nêu bước kết thúc (after hoặc after_any)".into());
        }
        outcomes.push(OutcomeRule {
            outcome,
            after,
            after_any,
        });
    }
    if !outcomes.iter().any(|o| o.outcome == CaseOutcome::HoanThanh) {
        err(head_line, "thiếu kết quả hoan_thanh".into());
    }
    if raw.steps.is_empty() {
        err(head_line, "không có bước nào".into());
    }

    match (kind, proc_source, proc_conf) {
        (Some(kind), Some(source), Some(confidence)) if errors.is_empty() => Ok(Procedure {
            kind,
            title: raw.title.clone(),
            source,
            confidence,
            pack_id: pack_id.to_owned(),
            inputs,
            dates,
            steps,
            outcomes,
        }),
        _ => Err(errors),
    }
}

fn refs(
    from: &OneOrMany,
    dates: &BTreeSet<DateCode>,
    steps: &BTreeSet<String>,
) -> Result<Vec<Ref>, String> {
    let list = from.list();
    if list.is_empty() {
        return Err("from không được rỗng".into());
    }
    list.into_iter()
        .map(|t| {
            let r = Ref::parse(t)?;
            match &r {
                Ref::Step(s) if !steps.contains(s.as_str()) => {
                    Err(format!("\"{t}\": quy trình không có bước này"))
                }
                Ref::Date(d) if !dates.contains(d) => {
                    Err(format!("\"{t}\": ngày chưa được khai báo trước đó"))
                }
                _ => Ok(r),
            }
        })
        .collect()
}

fn period(param: &str, unit: &str) -> Result<Period, String> {
    Ok(Period {
        param: int_param(param)?,
        unit: vocab_code::<Unit>(unit)?,
    })
}

/// Checks a set of procedures against the forms in force with them.
pub(crate) fn check_forms<'a>(
    procedures: impl Iterator<Item = &'a Procedure>,
    forms: &BTreeMap<FormCode, Form>,
) -> Vec<String> {
    let mut missing = Vec::new();
    for p in procedures {
        for f in p.forms() {
            if !forms.contains_key(f) {
                missing.push(format!(
                    "quy trình {} ({}) dùng biểu mẫu \"{f}\" không có trong danh mục",
                    p.kind, p.pack_id
                ));
            }
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use crate::pack::{PackError, parse};

    const HEAD: &str = "id = \"t\"\nvalid_from = 2026-01-01\n";

    fn errors(body: &str) -> Vec<PackError> {
        parse(&format!("{HEAD}{body}")).expect_err("should be refused")
    }

    fn messages(body: &str) -> Vec<String> {
        errors(body).into_iter().map(|e| e.to_string()).collect()
    }

    const GOOD: &str = r#"
[forms]
"A-1" = { title = "Mẫu A", source = { document = "HD" }, confidence = "S" }

[procedures.ket_nap]
title = "Kết nạp"
source = { document = "QĐ", number = "1" }
confidence = "S"
inputs = [{ code = "ngay_a", label = "Ngày A" }]
dates = [{ code = "ngay_b", label = "Ngày B", from = "date:ngay_a", param = "probation_months", unit = "months" }]
outcomes = [{ outcome = "hoan_thanh", after = ["hai"] }, { outcome = "tu_choi" }]

[[procedures.ket_nap.steps]]
code = "mot"
label = "Một"
performer = "chi_uy"
documents = [{ form = ["A-1"], signer = "bi_thu", optional = true }]

[[procedures.ket_nap.steps]]
code = "hai"
label = "Hai"
performer = "chi_bo"
after = ["mot"]
decision = "ket_nap"
attempts_param = "recognition_max_failed_votes_before_escalation"
not_before = ["date:ngay_b", "step:mot"]
deadline = { from = "date:ngay_b", param = "ceremony_deadline_working_days", unit = "working_days", extension = "admission_decision_extension_working_days", late = "refused" }
guards = ["tuoi_ket_nap"]

[[procedures.ket_nap.steps]]
code = "ba"
label = "Ba"
performer = "dang_uy"
escalation_of = "hai"
side = "noi_den"
portal = true
source = { document = "HD", article = "2" }
confidence = "V"
"#;

    #[test]
    fn a_well_formed_procedure_is_read_whole() {
        let pack = parse(&format!("{HEAD}{GOOD}")).unwrap();
        let p = &pack.procedures[&crate::CaseKind::KetNap];
        assert_eq!(p.pack_id, "t");
        assert_eq!(p.inputs[0].code.as_str(), "ngay_a");
        assert_eq!(p.dates[0].period.param, "probation_months");
        let hai = &p.steps[1];
        assert_eq!(hai.not_before.len(), 2);
        let dl = hai.deadline.as_ref().unwrap();
        assert_eq!(dl.late, crate::LatePolicy::Refused);
        assert_eq!(
            dl.extension.as_deref(),
            Some("admission_decision_extension_working_days")
        );
        assert_eq!(hai.confidence, crate::Confidence::S);
        assert_eq!(hai.citation(), "QĐ 1");
        let ba = &p.steps[2];
        assert_eq!(ba.citation(), "HD, 2");
        assert_eq!(ba.confidence, crate::Confidence::V);
        assert!(ba.portal && !p.steps[0].portal);
        assert!(p.steps[0].documents[0].optional);
        assert_eq!(p.outcomes.len(), 2);
        assert_eq!(pack.forms.len(), 1);
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let bad = GOOD
            .replace("performer = \"chi_uy\"", "performer = \"ai_do\"")
            .replace("after = [\"mot\"]", "after = [\"bon\"]")
            .replace("\"ceremony_deadline_working_days\"", "\"doc_font\"")
            .replace("guards = [\"tuoi_ket_nap\"]", "guards = [\"khong_co\"]")
            .replace("side = \"noi_den\"", "side = \"ben_kia\"");
        let m = messages(&bad);
        assert_eq!(m.len(), 5, "{m:#?}");
        assert!(
            m[0].starts_with(
                "dòng 15: procedures.ket_nap: bước mot: người thực hiện không hợp lệ: \"ai_do\""
            ),
            "{m:#?}"
        );
        assert!(m[1].starts_with("dòng 21: procedures.ket_nap: bước hai: \"bon\" không phải bước khai báo trước bước này"), "{m:#?}");
        assert!(
            m[2].starts_with(
                "dòng 21: procedures.ket_nap: bước hai: tham số \"doc_font\" không phải số nguyên"
            ),
            "{m:#?}"
        );
        assert!(
            m[3].starts_with(
                "dòng 21: procedures.ket_nap: bước hai: điều kiện không hợp lệ: \"khong_co\""
            ),
            "{m:#?}"
        );
        assert!(
            m[4].starts_with(
                "dòng 32: procedures.ket_nap: bước ba: phía không hợp lệ: \"ben_kia\""
            ),
            "{m:#?}"
        );
        let m = messages(&GOOD.replace("procedures.ket_nap", "procedures.ket_nap_x"));
        assert!(
            m[0].starts_with(
                "dòng 7: procedures.ket_nap_x: loại hồ sơ không hợp lệ: \"ket_nap_x\""
            ),
            "{m:#?}"
        );
    }

    #[test]
    fn structural_mistakes_are_refused() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "escalation_of = \"hai\"",
                "escalation_of = \"mot\"",
                "bước ba: escalation_of \"mot\": bước đó không có attempts_param",
            ),
            (
                "escalation_of = \"hai\"",
                "escalation_of = \"bay\"",
                "bước ba: \"bay\" không phải bước khai báo trước bước này",
            ),
            ("code = \"ba\"", "code = \"hai\"", "bước hai: mã bước trùng"),
            ("code = \"ba\"", "code = \"Ba\"", "mã không hợp lệ: \"Ba\""),
            (
                "attempts_param = \"recognition_max_failed_votes_before_escalation\"",
                "attempts_param = \"no_such\"",
                "tham số không có trong danh mục: \"no_such\"",
            ),
            (
                "decision = \"ket_nap\"\n",
                "",
                "attempts_param chỉ dùng cho bước có biểu quyết",
            ),
            (
                "decision = \"ket_nap\"",
                "decision = \"bo_phieu\"",
                "decision không hợp lệ: \"bo_phieu\"",
            ),
            (
                "unit = \"working_days\", extension",
                "extension",
                "deadline cần cả param và unit",
            ),
            (
                "param = \"ceremony_deadline_working_days\", unit = \"working_days\", ",
                "",
                "deadline có extension nhưng không có param",
            ),
            (
                "late = \"refused\"",
                "late = \"never\"",
                "quy định khi quá hạn không hợp lệ: \"never\"",
            ),
            (
                "from = \"date:ngay_b\", param = \"ceremony",
                "from = \"date:ngay_c\", param = \"ceremony",
                "\"date:ngay_c\": ngày chưa được khai báo trước đó",
            ),
            (
                "from = \"date:ngay_b\", param = \"ceremony",
                "from = \"step:nam\", param = \"ceremony",
                "\"step:nam\": quy trình không có bước này",
            ),
            (
                "from = \"date:ngay_b\", param = \"ceremony",
                "from = \"ngay_b\", param = \"ceremony",
                "\"ngay_b\" phải có dạng \"step:<mã bước>\" hoặc \"date:<mã ngày>\"",
            ),
            (
                "from = \"date:ngay_b\", param = \"ceremony",
                "from = [], param = \"ceremony",
                "from không được rỗng",
            ),
            (
                "from = \"date:ngay_a\", param = \"probation_months\"",
                "from = \"date:ngay_b\", param = \"probation_months\"",
                "ngày ngay_b: \"date:ngay_b\": ngày chưa được khai báo trước đó",
            ),
            (
                "unit = \"months\" }]",
                "unit = \"weeks\" }]",
                "đơn vị thời gian không hợp lệ: \"weeks\"",
            ),
            (
                "{ code = \"ngay_b\", label",
                "{ code = \"ngay_a\", label",
                "ngày \"ngay_a\" khai báo hai lần",
            ),
            (
                "inputs = [{ code = \"ngay_a\"",
                "inputs = [{ code = \"Ngay\"",
                "mã không hợp lệ: \"Ngay\"",
            ),
            (
                "{ outcome = \"hoan_thanh\", after = [\"hai\"] }, ",
                "",
                "thiếu kết quả hoan_thanh",
            ),
            (
                "{ outcome = \"hoan_thanh\", after = [\"hai\"] }",
                "{ outcome = \"hoan_thanh\" }",
                "hoan_thanh phải nêu bước kết thúc",
            ),
            (
                "{ outcome = \"tu_choi\" }",
                "{ outcome = \"tu_choi\", after_any = [\"sau\"] }",
                "kết quả tu_choi: \"sau\" không phải bước của quy trình",
            ),
            (
                "{ outcome = \"tu_choi\" }",
                "{ outcome = \"hoan_thanh\", after = [\"mot\"] }",
                "kết quả hoan_thanh: khai báo hai lần",
            ),
            (
                "{ outcome = \"tu_choi\" }",
                "{ outcome = \"bo_cuoc\" }",
                "kết quả bo_cuoc: kết quả hồ sơ không hợp lệ",
            ),
            (
                "signer = \"bi_thu\"",
                "signer = \"ai\"",
                "người thực hiện không hợp lệ: \"ai\"",
            ),
            (
                "form = [\"A-1\"]",
                "form = []",
                "tài liệu không có biểu mẫu",
            ),
            (
                "form = [\"A-1\"]",
                "form = [\" A-1\"]",
                "mã biểu mẫu không hợp lệ: \" A-1\"",
            ),
            (
                "side = \"noi_den\"",
                "side = \"ben_kia\"",
                "phía không hợp lệ: \"ben_kia\"",
            ),
            ("label = \"Một\"", "label = \" \"", "bước mot: thiếu label"),
            (
                "confidence = \"V\"\n",
                "confidence = \"X\"\n",
                "confidence phải là \"V\", \"S\" hoặc \"U\", không phải \"X\"",
            ),
            (
                "source = { document = \"HD\", article = \"2\" }",
                "source = { document = \"\" }",
                "bước ba: source thiếu document",
            ),
            (
                "source = { document = \"QĐ\", number = \"1\" }",
                "source = { document = \" \" }",
                "procedures.ket_nap: source thiếu document",
            ),
            (
                "confidence = \"S\"\ninputs",
                "confidence = \"Q\"\ninputs",
                "procedures.ket_nap: confidence phải là",
            ),
            (
                "\"A-1\" = { title = \"Mẫu A\"",
                "\"A-1\" = { title = \"\"",
                "biểu mẫu A-1: thiếu title",
            ),
            (
                "\"A-1\" = { title = \"Mẫu A\", source = { document = \"HD\" }",
                "\"A-1\" = { title = \"Mẫu A\", source = { document = \"\" }",
                "biểu mẫu A-1: source thiếu document",
            ),
            (
                "\"A-1\" = { title = \"Mẫu A\", source = { document = \"HD\" }, confidence = \"S\" }",
                "\"A-1\" = { title = \"Mẫu A\", source = { document = \"HD\" }, confidence = \"s\" }",
                "confidence phải là",
            ),
            ("\"A-1\" =", "\"\" =", "mã biểu mẫu không hợp lệ: \"\""),
        ];
        for (from, to, expected) in cases {
            assert!(GOOD.contains(from), "{from}");
            let m = messages(&GOOD.replacen(from, to, 1));
            assert!(
                m.iter().any(|x| x.contains(expected)),
                "{from} → {to}: {m:#?}"
            );
        }
        // A procedure without steps.
        let m = messages(
            "[procedures.ky_luat]\ntitle = \"x\"\nsource = { document = \"x\" }\nconfidence = \"S\"\nsteps = []\noutcomes = [{ outcome = \"hoan_thanh\" }]\n",
        );
        assert!(m.iter().any(|x| x.contains("không có bước nào")), "{m:#?}");
        // Unknown keys are refused by the reader.
        let m = messages(&GOOD.replacen("portal = true", "portal = true\ncolour = \"red\"", 1));
        assert!(
            m[0].contains("TOML không hợp lệ") && m[0].contains("colour"),
            "{m:#?}"
        );
    }

    #[test]
    fn a_procedure_filing_a_form_out_of_the_catalogue_is_caught_when_the_rules_are_built() {
        let pack = parse(&format!(
            "{HEAD}{}",
            GOOD.replace("\"A-1\" = {", "\"A-2\" = {")
        ))
        .unwrap();
        let built = std::panic::catch_unwind(|| crate::Rules::build(vec![pack], None));
        let msg = *built.unwrap_err().downcast::<String>().unwrap();
        assert_eq!(
            msg,
            "quy trình ket_nap (t) dùng biểu mẫu \"A-1\" không có trong danh mục"
        );
    }
}
