//! # chibo-rules: the Party's rules as dated, cited data, and pure evaluators
//!
//! Every threshold, deadline and rate lives in a **rule pack** (TOML in `packs/`, embedded in
//! the binary) with its source document and a confidence tag (V verified, S secondary,
//! U unverified). National packs are layered by `valid_from`: the rules in force on a date are
//! the earliest pack overlaid by every later pack in force on that date, then the đảng ủy's
//! local pack, which may override named parameters only. Nothing here does I/O.
//!
//! ```
//! use chibo_rules::{Attendance, Ballots, DecisionKind, Member, Outcome, Rules, Status, Timer};
//! use chrono::NaiveDate;
//!
//! let rules = Rules::embedded();
//! let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
//!
//! // Who passed? 7 of 12 (15 convened, 2 excused, 1 exempted absent): more than 1/2 needs 7.
//! let mut roll = vec![Member::new(Status::ChinhThuc, Attendance::CoMat); 12];
//! roll.extend([Member::new(Status::ChinhThuc, Attendance::VangCoLyDo); 2]);
//! roll.push(Member::new(Status::MienSinhHoat, Attendance::VangCoLyDo));
//! let d = rules
//!     .decide(DecisionKind::NghiQuyet, &roll, &Ballots::counts(7, 3, 2), day)
//!     .unwrap();
//! assert_eq!((d.outcome, d.needed, d.got, d.base), (Outcome::Dat, 7, 7, 12));
//! println!("{}", d.explain(chibo_rules::Lang::Vi));
//!
//! // When is the admission ceremony due? 30 working days after the decision.
//! let due = rules.deadline(Timer::CeremonyAfterDecision, day).unwrap();
//! assert_eq!(due.date, NaiveDate::from_ymd_opt(2026, 4, 21).unwrap());
//! ```
//!
//!
//! Procedures are pack data too: per [`CaseKind`], the steps of its state machine (who acts,
//! what comes first, the forms and their signers, the deadline, the vote). The server keeps a
//! case's dated steps and asks what comes next:
//!
//! ```
//! use chibo_rules::{Case, CaseKind, FormCode, Rules, StepCode, StepRecord, Urgency};
//! use chrono::NaiveDate;
//!
//! let rules = Rules::embedded();
//! let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
//! let mut case = Case::new(CaseKind::KetNap, day("2025-11-03"));
//! let step = StepRecord::done(
//!     StepCode::new("don_xin_vao_dang").unwrap(),
//!     day("2025-11-10"),
//!     vec![FormCode::new("1-KNĐ").unwrap()],
//! );
//! // Refused with every reason and its rule, or accepted (with its deadline and lateness).
//! rules.check_step(&case, &step, day("2025-11-10")).unwrap();
//! case.records.push(step);
//! let view = rules.case_view(&case, day("2025-11-10")).unwrap();
//! let next: Vec<&str> = view.next.iter().map(|s| s.as_str()).collect();
//! assert_eq!(next, ["bdnt", "ly_lich", "gioi_thieu", "lay_y_kien"]);
//! for (step, due) in view.open_deadlines() {
//!     let _late = matches!(step.urgency, Some(Urgency::Late { .. }));
//!     println!("{}", due.explanation);
//! }
//! ```
//!
//! Main entry points (all methods of [`Rules`] take the date whose rules apply):
//! - [`Rules::embedded`], [`Rules::with_local_pack`], [`Rules::pack_at`], [`Rules::param`]
//! - [`Rules::decide`] (+ [`Rules::decide_recognition`]) → [`Decision`] with [`Decision::explain`]
//! - [`Rules::deadline`], [`Rules::working_days_between`], [`Rules::is_due_soon`],
//!   [`Rules::meeting_due`], [`Rules::min_meeting_minutes`], [`Rules::xoa_ten_review`],
//!   [`Rules::transfer_kind`], [`Rules::admission_age_ok`]
//! - [`party_age`], [`Rules::badges_due`], [`Rules::next_badge_ceremony`]
//! - [`Rules::evaluate`], [`Rules::htxs_quota`], [`Rules::meeting_quality`], [`Rules::dues`]
//! - [`format_doc_number`], [`format_date_line`]
//! - procedures: [`Rules::procedure`], [`Rules::case_view`], [`Rules::check_step`],
//!   [`Rules::check_close`], [`Rules::check_extension`], [`Rules::urgency`]; the forms catalogue
//!   through [`PackView::form`]
//! - guards: [`Rules::check_admission_age`], [`Rules::check_awareness_certificate`],
//!   [`Rules::check_introducers`], [`Rules::check_no_blocking_case`],
//!   [`Rules::check_dues_paid_through`], [`Rules::badge_eligibility`],
//!   [`Rules::discipline_limitation`], [`Rules::discipline_lapse`],
//!   [`Rules::check_discipline_level`], [`Rules::discipline_tier_cap`], [`Rules::transfer_case_kind`],
//!   [`Rules::evaluation_form`]
//! - the shared vocabulary ([`Code`]): [`Status`], [`CaseKind`], [`Performer`], [`CaseOutcome`],
//!   [`Level`], [`Side`], [`Guard`], [`StepResult`]…
//! - tools for the CLI: [`show`], [`check_local_pack`], [`decide_json`]

mod badges;
mod calendar;
mod case;
mod decision;
mod decision_text;
mod docnum;
mod dues;
mod evaluation;
mod fraction;
mod guards;
mod pack;
mod procedure;
mod schema;
mod timers;
mod tools;
mod vocab;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;

use crate::pack::Pack;

pub use badges::{BadgeCandidate, BadgeDue, Discipline, Interruption, PartyAge, party_age};
pub use calendar::Calendar;
pub use case::{Case, CaseView, Due, Refusal, StepCheck, StepRecord, StepState, StepView, Urgency};
pub use decision::{
    Attendance, Ballots, BaseRule, CandidateResult, DecideError, Decision, DecisionKind, Invalid,
    Member, Outcome, Tally,
};
pub use docnum::{format_date_line, format_doc_number};
pub use dues::{Dues, DuesCategory, DuesInput, Zone};
pub use evaluation::{
    CollectiveInput, Criteria, Criterion, Evaluation, EvaluationInput, MeetingGrade, MeetingScores,
    QuotaCheck, Tier, TierRefusal,
};
pub use fraction::{Fraction, Threshold};
pub use guards::{AgeCheck, GuardResult, Introducer, Limitation, Violation};
pub use pack::{Confidence, PackError, Param, Source, Value};
pub use procedure::{
    BadCode, BadForm, DateCode, DeadlineRule, DerivedDate, DocRequirement, InputDate, OutcomeRule,
    Period, Ref, Step, StepCode,
};
pub use procedure::{Form, FormCode, Procedure};
pub use schema::{Kind, PARAMS, ParamDef};
pub use timers::{Deadline, MeetingDue, MeetingKind, ReviewFlag, Timer, TransferKind};
pub use tools::{check_local_pack, decide_json, show};
pub use vocab::{
    CaseKind, CaseOutcome, Code, EvaluationGroup, Guard, LatePolicy, Level, Performer, Side,
    Status, StepResult, Unit, UnknownCode, ViolationKind, parse_code,
};

/// Output language of explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Vietnamese (default).
    #[default]
    Vi,
    /// English.
    En,
}

/// Errors from asking the rules a question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// No national pack is in force on the date.
    #[error(
        "không có bộ quy tắc nào có hiệu lực vào ngày {}",
        .0.format("%d/%m/%Y")
    )]
    NoPackInForce(NaiveDate),
    /// The parameter is not in the catalogue.
    #[error("tham số không có trong danh mục: {0}")]
    UnknownParam(String),
    /// The parameter exists but no pack in force on the date sets it.
    #[error("tham số {name} chưa được quy định vào ngày {date}")]
    NotInForce {
        /// Parameter name.
        name: String,
        /// Date asked about.
        date: NaiveDate,
    },
    /// The parameter was read as the wrong Rust type.
    #[error("tham số {name} không phải kiểu {expected}")]
    WrongType {
        /// Parameter name.
        name: String,
        /// The Rust type asked for.
        expected: &'static str,
    },
    /// The working-day calendar has no data for the date.
    #[error(
        "lịch ngày làm việc chỉ có dữ liệu từ năm {first} đến năm {last}; ngày {date} nằm ngoài"
    )]
    OutsideCalendar {
        /// Date asked about.
        date: NaiveDate,
        /// First year with data.
        first: i32,
        /// Last year with data.
        last: i32,
    },
    /// No procedure for this case kind is in force on the date.
    #[error("chưa có quy trình \"{}\" có hiệu lực vào ngày {}", .kind.label_vi(), .date.format("%d/%m/%Y"))]
    NoProcedure {
        /// The case kind.
        kind: CaseKind,
        /// Date asked about.
        date: NaiveDate,
    },
    /// The form is not in the catalogue in force.
    #[error("biểu mẫu \"{0}\" không có trong danh mục biểu mẫu đang có hiệu lực")]
    UnknownForm(String),
    /// The question itself is not valid (e.g. a reduction rate the pack does not allow).
    #[error("{0}")]
    Invalid(String),
}

/// A parameter in force, with the pack that set it.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Value, source and confidence.
    pub param: Param,
    /// The pack that set it.
    pub pack_id: String,
}

#[derive(Debug, Clone)]
struct Snapshot {
    from: NaiveDate,
    pack_ids: Vec<String>,
    pack_titles: Vec<String>,
    params: BTreeMap<String, Resolved>,
    forms: BTreeMap<FormCode, Form>,
    procedures: BTreeMap<CaseKind, Arc<Procedure>>,
}

/// The rules in force on one date: every parameter with its value, source and pack.
#[derive(Debug, Clone, Copy)]
pub struct PackView<'a> {
    date: NaiveDate,
    snapshot: &'a Snapshot,
}

impl<'a> PackView<'a> {
    /// The date this view answers for.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The packs in force, oldest first (the local pack last).
    pub fn pack_ids(&self) -> &'a [String] {
        &self.snapshot.pack_ids
    }

    /// The titles of the packs in force, in the order of [`PackView::pack_ids`].
    pub fn pack_titles(&self) -> &'a [String] {
        &self.snapshot.pack_titles
    }

    /// Every parameter in force, by name.
    pub fn params(&self) -> impl Iterator<Item = (&'a str, &'a Resolved)> + 'a {
        self.snapshot.params.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// One parameter in force.
    pub fn resolved(&self, name: &str) -> Result<&'a Resolved, RulesError> {
        if schema::find(name).is_none() {
            return Err(RulesError::UnknownParam(name.into()));
        }
        self.snapshot
            .params
            .get(name)
            .ok_or(RulesError::NotInForce {
                name: name.into(),
                date: self.date,
            })
    }

    /// A parameter's value as `T`.
    pub fn get<T: FromValue>(&self, name: &str) -> Result<T, RulesError> {
        T::from_value(&self.resolved(name)?.param.value).ok_or(RulesError::WrongType {
            name: name.into(),
            expected: T::EXPECTED,
        })
    }

    /// The citation of a parameter's source.
    pub fn cite(&self, name: &str) -> Result<String, RulesError> {
        Ok(self.resolved(name)?.param.source.citation())
    }

    /// The procedure of a case kind in force.
    pub fn procedure(&self, kind: CaseKind) -> Result<&'a Procedure, RulesError> {
        self.snapshot
            .procedures
            .get(&kind)
            .map(|p| &**p)
            .ok_or(RulesError::NoProcedure {
                kind,
                date: self.date,
            })
    }

    /// Every procedure in force, by kind.
    pub fn procedures(&self) -> impl Iterator<Item = &'a Procedure> + 'a {
        self.snapshot.procedures.values().map(|p| &**p)
    }

    /// A form of the catalogue in force.
    pub fn form(&self, code: &FormCode) -> Result<&'a Form, RulesError> {
        self.snapshot
            .forms
            .get(code)
            .ok_or_else(|| RulesError::UnknownForm(code.as_str().to_owned()))
    }

    /// The forms catalogue in force, by code.
    pub fn forms(&self) -> impl Iterator<Item = &'a Form> + 'a {
        self.snapshot.forms.values()
    }
}

/// Rust types a parameter value can be read as.
pub trait FromValue: Sized {
    /// The type's name in errors.
    const EXPECTED: &'static str;
    /// Converts, or `None` when the value has another shape.
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for u64 {
    const EXPECTED: &'static str = "u64";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromValue for u32 {
    const EXPECTED: &'static str = "u32";
    fn from_value(v: &Value) -> Option<Self> {
        u64::from_value(v).and_then(|n| u32::try_from(n).ok())
    }
}

impl FromValue for bool {
    const EXPECTED: &'static str = "bool";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl FromValue for String {
    const EXPECTED: &'static str = "String";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<String> {
    const EXPECTED: &'static str = "Vec<String>";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Words(w) => Some(w.clone()),
            _ => None,
        }
    }
}

impl FromValue for Fraction {
    const EXPECTED: &'static str = "Fraction";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Ratio(r) | Value::Percent(r) => Some(*r),
            _ => None,
        }
    }
}

impl FromValue for Option<Fraction> {
    const EXPECTED: &'static str = "Option<Fraction>";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Ratio(r) | Value::Percent(r) => Some(Some(*r)),
            Value::NoRatio => Some(None),
            _ => None,
        }
    }
}

impl FromValue for Threshold {
    const EXPECTED: &'static str = "Threshold";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Threshold(t) => Some(*t),
            _ => None,
        }
    }
}

impl FromValue for Vec<u64> {
    const EXPECTED: &'static str = "Vec<u64>";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Ints(n) => Some(n.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<(u32, u32)> {
    const EXPECTED: &'static str = "Vec<(month, day)>";
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::MonthDays(d) => Some(d.clone()),
            _ => None,
        }
    }
}

/// The national packs shipped in the binary, oldest first.
const EMBEDDED: &[(&str, &str)] = &[
    ("vn/2021-07.toml", include_str!("../packs/vn/2021-07.toml")),
    ("vn/2025-07.toml", include_str!("../packs/vn/2025-07.toml")),
    ("vn/2025-08.toml", include_str!("../packs/vn/2025-08.toml")),
    ("vn/2025-09.toml", include_str!("../packs/vn/2025-09.toml")),
    ("vn/2025-10.toml", include_str!("../packs/vn/2025-10.toml")),
    (
        "vn/2025-10-31.toml",
        include_str!("../packs/vn/2025-10-31.toml"),
    ),
    ("vn/2025-12.toml", include_str!("../packs/vn/2025-12.toml")),
    ("vn/2026-02.toml", include_str!("../packs/vn/2026-02.toml")),
    ("vn/2026-05.toml", include_str!("../packs/vn/2026-05.toml")),
    ("vn/2026-07.toml", include_str!("../packs/vn/2026-07.toml")),
    ("vn/2028-01.toml", include_str!("../packs/vn/2028-01.toml")),
];

/// The rule set: national packs, an optional local pack, and the working-day calendar.
#[derive(Debug, Clone)]
pub struct Rules {
    snapshots: Vec<Snapshot>,
    calendar: Calendar,
}

impl Rules {
    /// The national packs embedded in the binary (checked by the crate's tests).
    pub fn embedded() -> Rules {
        // Parsed once per process: the packs are constants.
        static EMBEDDED_RULES: OnceLock<Rules> = OnceLock::new();
        EMBEDDED_RULES
            .get_or_init(|| Rules::build(embedded_packs(), None))
            .clone()
    }

    /// The embedded national packs overlaid by a local pack (a đảng ủy's quy chế). The local
    /// pack may only override parameters of the catalogue; every problem is returned with its line.
    pub fn with_local_pack(text: &str) -> Result<Rules, Vec<PackError>> {
        let local = pack::parse_local(text)?;
        Ok(Rules::build(embedded_packs(), Some(local)))
    }

    fn build(national: Vec<Pack>, local: Option<Pack>) -> Rules {
        // A snapshot starts wherever some pack starts or stops being in force.
        let mut bounds: Vec<NaiveDate> = national
            .iter()
            .chain(local.iter())
            .flat_map(|p| [p.valid_from, p.valid_to.and_then(|t| t.succ_opt())])
            .flatten()
            .collect();
        bounds.sort();
        bounds.dedup();
        // One copy of each pack's procedure, shared by every snapshot it is in force in.
        let mut shared_procs: BTreeMap<(String, CaseKind), Arc<Procedure>> = BTreeMap::new();
        let snapshots = bounds
            .into_iter()
            .map(|from| {
                let mut snap = Snapshot {
                    from,
                    pack_ids: Vec::new(),
                    pack_titles: Vec::new(),
                    params: BTreeMap::new(),
                    forms: BTreeMap::new(),
                    procedures: BTreeMap::new(),
                };
                // A date with no national pack in force is a gap: the local pack alone is no rule set.
                if !national.iter().any(|p| p.in_force(from)) {
                    return snap;
                }
                let active = national
                    .iter()
                    .chain(local.iter())
                    .filter(|p| p.in_force(from));
                for p in active {
                    snap.pack_ids.push(p.id.clone());
                    snap.pack_titles.push(p.title.clone());
                    for (name, param) in &p.params {
                        let r = Resolved {
                            param: param.clone(),
                            pack_id: p.id.clone(),
                        };
                        snap.params.insert(name.clone(), r);
                    }
                    snap.forms
                        .extend(p.forms.iter().map(|(c, f)| (c.clone(), f.clone())));
                    for (kind, proc) in &p.procedures {
                        let shared = shared_procs
                            .entry((p.id.clone(), *kind))
                            .or_insert_with(|| Arc::new(proc.clone()));
                        snap.procedures.insert(*kind, Arc::clone(shared));
                    }
                }
                // Only national packs carry forms and procedures, so a gap here is a bug in
                // an embedded pack, which the crate's tests catch.
                let missing =
                    procedure::check_forms(snap.procedures.values().map(|p| &**p), &snap.forms);
                assert!(missing.is_empty(), "{}", missing.join("; "));
                snap
            })
            .collect();
        Rules {
            snapshots,
            calendar: Calendar::vn(),
        }
    }

    /// The rules in force on `date`.
    pub fn pack_at(&self, date: NaiveDate) -> Result<PackView<'_>, RulesError> {
        self.snapshots
            .iter()
            .rev()
            .find(|s| s.from <= date)
            .filter(|s| !s.pack_ids.is_empty())
            .map(|snapshot| PackView { date, snapshot })
            .ok_or(RulesError::NoPackInForce(date))
    }

    /// The first day some national pack is in force.
    pub fn first_day(&self) -> Option<NaiveDate> {
        self.snapshots
            .iter()
            .find(|s| !s.pack_ids.is_empty())
            .map(|s| s.from)
    }

    /// One parameter in force on `date`, as `T` (e.g. `rules.param::<u32>("probation_months", d)`).
    pub fn param<T: FromValue>(&self, name: &str, date: NaiveDate) -> Result<T, RulesError> {
        self.pack_at(date)?.get(name)
    }

    /// The working-day calendar.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Working days `d` with `a < d ≤ b` (negative when `b < a`).
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, RulesError> {
        self.calendar.working_days_between(a, b)
    }
}

fn embedded_packs() -> Vec<Pack> {
    let mut packs: Vec<Pack> = EMBEDDED
        .iter()
        .map(|(file, text)| {
            pack::parse(text).unwrap_or_else(|e| panic!("embedded pack {file} is invalid: {e:?}"))
        })
        .collect();
    packs.sort_by_key(|p| p.valid_from);
    packs
}
