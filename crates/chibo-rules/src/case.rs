//! Cases on the procedure model. Given a case (its kind, the day it opened, the dates it
//! supplies, its dated steps and the extensions granted), the rules say what can be done next,
//! when each open step is due on the working-day calendar, whether it is due soon or late, and
//! why a step or an outcome is refused, citing the rule. Pure: `today` is always passed in.
//!
//! The procedure is the one in force on the day the case opened (a case never changes state
//! machine half-way); each deadline's length is read from the pack in force on the day it
//! starts, like every other timer.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::procedure::{DateCode, DocRequirement, FormCode, Procedure, Ref, Step, StepCode};
use crate::vocab::{CaseKind, CaseOutcome, LatePolicy, StepResult, Unit};
use crate::{PackView, Rules, RulesError};

/// One recorded step of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    /// The step.
    pub step: StepCode,
    /// The day it was done (the vote's, the document's, the decision's date).
    pub date: NaiveDate,
    /// Done, or a vote that failed.
    pub result: StepResult,
    /// The forms filed with it.
    pub forms: Vec<FormCode>,
    /// Why it is late, when it is (required where the rule says so).
    pub late_reason: Option<String>,
}

impl StepRecord {
    /// A step done on `date` with the given forms.
    pub fn done(step: StepCode, date: NaiveDate, forms: Vec<FormCode>) -> StepRecord {
        StepRecord {
            step,
            date,
            result: StepResult::Done,
            forms,
            late_reason: None,
        }
    }

    /// A vote on `date` that did not pass.
    pub fn failed(step: StepCode, date: NaiveDate) -> StepRecord {
        StepRecord {
            step,
            date,
            result: StepResult::Failed,
            forms: Vec::new(),
            late_reason: None,
        }
    }
}

/// What the rules need to know of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Its kind.
    pub kind: CaseKind,
    /// The day it opened: the procedure in force then applies.
    pub opened: NaiveDate,
    /// The dates the procedure asks the case to supply (e.g. `ngay_ket_nap`).
    pub dates: BTreeMap<DateCode, NaiveDate>,
    /// The steps recorded, in any order.
    pub records: Vec<StepRecord>,
    /// Steps whose deadline the competent body extended.
    pub extensions: BTreeSet<StepCode>,
    /// How and when it was closed.
    pub closed: Option<(CaseOutcome, NaiveDate)>,
}

impl Case {
    /// An open case with nothing recorded.
    pub fn new(kind: CaseKind, opened: NaiveDate) -> Case {
        Case {
            kind,
            opened,
            dates: BTreeMap::new(),
            records: Vec::new(),
            extensions: BTreeSet::new(),
            closed: None,
        }
    }
}

/// How close an open step is to its deadline, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// More than the pack's `due_soon_working_days` left.
    OnTrack {
        /// Working days from today to the deadline.
        working_days_left: i64,
    },
    /// Within the pack's `due_soon_working_days`.
    DueSoon {
        /// Working days from today to the deadline (0 = due today).
        working_days_left: i64,
    },
    /// Past the deadline.
    Late {
        /// Working days after the deadline.
        working_days_late: i64,
    },
}

/// A step's deadline, computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The last day (with the extension when one was granted).
    pub date: NaiveDate,
    /// The day the period started.
    pub anchor: NaiveDate,
    /// An extension was granted and is counted.
    pub extended: bool,
    /// What a late record needs.
    pub late: LatePolicy,
    /// The rule's source.
    pub citation: String,
    /// The deadline explained, in Vietnamese.
    pub explanation: String,
}

/// Where a step stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    /// Done on `date`; `late_by` working days after its deadline, if it was late.
    Done {
        /// The day it was done.
        date: NaiveDate,
        /// Working days after the deadline.
        late_by: Option<i64>,
    },
    /// Can be done now.
    Available,
    /// Cannot be done yet, with the reasons.
    Blocked(Vec<Refusal>),
    /// The case closed before it was done.
    Closed,
}

/// One step of a case, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepView<'r> {
    /// The step as the pack defines it.
    pub step: &'r Step,
    /// Where it stands.
    pub state: StepState,
    /// Its deadline, once its start is known.
    pub due: Option<Due>,
    /// How close the deadline is, for a step not yet done.
    pub urgency: Option<Urgency>,
    /// Failed votes so far.
    pub failed_attempts: u32,
    /// It may be filed on the Cổng Dịch vụ công Quốc gia now.
    pub portal: bool,
}

/// A case as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseView<'r> {
    /// The procedure followed.
    pub procedure: &'r Procedure,
    /// Every step, in the procedure's order.
    pub steps: Vec<StepView<'r>>,
    /// The dates the case supplied and the ones derived (e.g. the end of probation).
    pub dates: BTreeMap<DateCode, NaiveDate>,
    /// Steps that can be done now.
    pub next: Vec<StepCode>,
    /// Outcomes the case may be closed with now.
    pub outcomes: Vec<CaseOutcome>,
    /// How and when it was closed.
    pub closed: Option<(CaseOutcome, NaiveDate)>,
}

impl CaseView<'_> {
    /// A step's view.
    pub fn step(&self, code: &StepCode) -> Option<&StepView<'_>> {
        self.steps.iter().find(|s| &s.step.code == code)
    }

    /// The open steps with a deadline, earliest first (the dashboards' "next deadline").
    pub fn open_deadlines(&self) -> Vec<(&StepView<'_>, &Due)> {
        let mut v: Vec<_> = self
            .steps
            .iter()
            .filter(|s| matches!(s.state, StepState::Available | StepState::Blocked(_)))
            .filter_map(|s| s.due.as_ref().map(|d| (s, d)))
            .collect();
        v.sort_by_key(|(_, d)| d.date);
        v
    }
}

/// A step that was done in time or late.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepCheck {
    /// Its deadline, if it has one.
    pub due: Option<Due>,
    /// Working days after the deadline, when late.
    pub late_by: Option<i64>,
}

/// Why a step, an outcome or an extension is refused. Each has a stable [`Refusal::code`] and
/// a Vietnamese message that names the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The case is closed.
    CaseClosed {
        /// How it closed.
        outcome: CaseOutcome,
        /// When.
        date: NaiveDate,
    },
    /// The procedure has no such step.
    UnknownStep(StepCode),
    /// The step was already done.
    AlreadyDone {
        /// The step.
        step: String,
        /// When it was done.
        date: NaiveDate,
    },
    /// A date after today.
    FutureDate {
        /// The date given.
        date: NaiveDate,
    },
    /// A date before the case opened.
    BeforeOpening {
        /// The date given.
        date: NaiveDate,
        /// The day the case opened.
        opened: NaiveDate,
    },
    /// Steps that must be done first.
    MissingPrerequisites {
        /// The step refused.
        step: String,
        /// The steps missing (labels).
        missing: Vec<String>,
        /// The rule.
        citation: String,
    },
    /// None of the alternatives that must come first is done.
    MissingAlternative {
        /// The step refused.
        step: String,
        /// The alternatives (labels).
        options: Vec<String>,
        /// The rule.
        citation: String,
    },
    /// The step is only for a case the cell could not decide.
    NotEscalated {
        /// The step refused.
        step: String,
        /// The vote step.
        vote: String,
        /// Failed votes so far.
        failed: u32,
        /// The limit.
        limit: u32,
        /// The rule.
        citation: String,
    },
    /// The failed votes reached the limit: the case goes to the upper committee.
    AttemptsExhausted {
        /// The vote step.
        step: String,
        /// Failed votes.
        failed: u32,
        /// The rule.
        citation: String,
    },
    /// Only a vote can fail.
    NotAVote(String),
    /// Documents that must be filed with the step.
    MissingDocuments {
        /// The step refused.
        step: String,
        /// What is missing: forms (any one of) and who signs.
        missing: Vec<DocRequirement>,
        /// The rule.
        citation: String,
    },
    /// Forms that are not in the catalogue.
    UnknownForms(Vec<FormCode>),
    /// Dated before a step it depends on (e.g. a decision before the cell's resolution).
    BeforePrerequisite {
        /// The step refused.
        step: String,
        /// The earlier step.
        prerequisite: String,
        /// Its date.
        prerequisite_date: NaiveDate,
        /// The rule.
        citation: String,
    },
    /// Before the earliest day the rule allows.
    TooEarly {
        /// The step refused.
        step: String,
        /// The earliest day.
        not_before: NaiveDate,
        /// The rule.
        citation: String,
    },
    /// A date the case must supply is missing.
    MissingDate {
        /// The date's code.
        date: DateCode,
        /// What it is.
        label: String,
    },
    /// Late, and the rule wants the reason recorded.
    LateWithoutReason {
        /// The step refused.
        step: String,
        /// The deadline.
        due: NaiveDate,
        /// Working days late.
        late_by: i64,
        /// The rule.
        citation: String,
    },
    /// Late, and the rule does not accept it any more.
    TooLate {
        /// The step refused.
        step: String,
        /// The deadline.
        due: NaiveDate,
        /// The rule.
        citation: String,
    },
    /// The procedure does not end this way.
    OutcomeNotAllowed {
        /// The outcome.
        outcome: CaseOutcome,
        /// The case kind.
        kind: CaseKind,
    },
    /// Steps that must be done before the case can end this way.
    OutcomeTooEarly {
        /// The outcome.
        outcome: CaseOutcome,
        /// The steps missing (labels).
        missing: Vec<String>,
    },
    /// The step's deadline cannot be extended.
    NoExtension(String),
    /// The extension was already granted.
    AlreadyExtended(String),
    /// The deadline has not started yet, so there is nothing to extend.
    NoDeadlineYet(String),
    /// The rules could not answer (no pack, date outside the calendar…).
    Rules(RulesError),
}

impl From<RulesError> for Refusal {
    fn from(e: RulesError) -> Refusal {
        Refusal::Rules(e)
    }
}

impl Refusal {
    /// A stable code for the API and the logs.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::CaseClosed { .. } => "case.closed",
            Refusal::UnknownStep(_) => "step.unknown",
            Refusal::AlreadyDone { .. } => "step.already_done",
            Refusal::FutureDate { .. } => "date.future",
            Refusal::BeforeOpening { .. } => "date.before_opening",
            Refusal::MissingPrerequisites { .. } => "step.missing_prerequisite",
            Refusal::MissingAlternative { .. } => "step.missing_alternative",
            Refusal::NotEscalated { .. } => "step.not_escalated",
            Refusal::AttemptsExhausted { .. } => "step.attempts_exhausted",
            Refusal::NotAVote(_) => "step.not_a_vote",
            Refusal::MissingDocuments { .. } => "step.missing_document",
            Refusal::UnknownForms(_) => "form.unknown",
            Refusal::BeforePrerequisite { .. } => "date.before_prerequisite",
            Refusal::TooEarly { .. } => "date.too_early",
            Refusal::MissingDate { .. } => "case.missing_date",
            Refusal::LateWithoutReason { .. } => "step.late_without_reason",
            Refusal::TooLate { .. } => "step.too_late",
            Refusal::OutcomeNotAllowed { .. } => "outcome.not_allowed",
            Refusal::OutcomeTooEarly { .. } => "outcome.too_early",
            Refusal::NoExtension(_) => "extension.none",
            Refusal::AlreadyExtended(_) => "extension.already",
            Refusal::NoDeadlineYet(_) => "extension.no_deadline",
            Refusal::Rules(_) => "rules.error",
        }
    }
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::CaseClosed { outcome, date } => write!(
                f,
                "hồ sơ đã kết thúc ngày {} ({})",
                dmy(*date),
                outcome.label_vi()
            ),
            Refusal::UnknownStep(s) => write!(f, "quy trình không có bước \"{s}\""),
            Refusal::AlreadyDone { step, date } => {
                write!(f, "bước \"{step}\" đã thực hiện ngày {}", dmy(*date))
            }
            Refusal::FutureDate { date } => {
                write!(f, "ngày {} chưa đến: không ghi trước sự việc", dmy(*date))
            }
            Refusal::BeforeOpening { date, opened } => write!(
                f,
                "ngày {} trước ngày mở hồ sơ ({})",
                dmy(*date),
                dmy(*opened)
            ),
            Refusal::MissingPrerequisites {
                step,
                missing,
                citation,
            } => write!(
                f,
                "chưa thể \"{step}\": còn thiếu {} — {citation}",
                missing.join("; ")
            ),
            Refusal::MissingAlternative {
                step,
                options,
                citation,
            } => write!(
                f,
                "chưa thể \"{step}\": cần xong một trong các bước {} — {citation}",
                options.join("; ")
            ),
            Refusal::NotEscalated {
                step,
                vote,
                failed,
                limit,
                citation,
            } => write!(
                f,
                "\"{step}\" chỉ khi \"{vote}\" đã {limit} lần không đạt (mới {failed} lần) — {citation}"
            ),
            Refusal::AttemptsExhausted {
                step,
                failed,
                citation,
            } => write!(
                f,
                "\"{step}\" đã {failed} lần không đạt: báo cáo cấp ủy cấp trên xem xét, quyết định — {citation}"
            ),
            Refusal::NotAVote(step) => {
                write!(
                    f,
                    "\"{step}\" không phải bước biểu quyết nên không thể \"không đạt\""
                )
            }
            Refusal::MissingDocuments {
                step,
                missing,
                citation,
            } => {
                let list: Vec<String> = missing
                    .iter()
                    .map(|d| {
                        let forms: Vec<&str> = d.forms.iter().map(FormCode::as_str).collect();
                        format!("{} ({} ký)", forms.join(" hoặc "), d.signer.label_vi())
                    })
                    .collect();
                write!(f, "\"{step}\" cần nộp: {} — {citation}", list.join("; "))
            }
            Refusal::UnknownForms(forms) => {
                let list: Vec<&str> = forms.iter().map(FormCode::as_str).collect();
                write!(f, "biểu mẫu không có trong danh mục: {}", list.join(", "))
            }
            Refusal::BeforePrerequisite {
                step,
                prerequisite,
                prerequisite_date,
                citation,
            } => write!(
                f,
                "\"{step}\" không thể ghi ngày trước \"{prerequisite}\" ({}) — {citation}",
                dmy(*prerequisite_date)
            ),
            Refusal::TooEarly {
                step,
                not_before,
                citation,
            } => write!(
                f,
                "\"{step}\" chỉ được thực hiện từ ngày {} — {citation}",
                dmy(*not_before)
            ),
            Refusal::MissingDate { date, label } => {
                write!(f, "hồ sơ chưa có \"{label}\" ({date})")
            }
            Refusal::LateWithoutReason {
                step,
                due,
                late_by,
                citation,
            } => write!(
                f,
                "\"{step}\" quá hạn {late_by} ngày làm việc (hạn {}): phải ghi rõ lý do — {citation}",
                dmy(*due)
            ),
            Refusal::TooLate {
                step,
                due,
                citation,
            } => write!(
                f,
                "\"{step}\" đã hết hạn ngày {}: không còn được chấp nhận — {citation}",
                dmy(*due)
            ),
            Refusal::OutcomeNotAllowed { outcome, kind } => write!(
                f,
                "hồ sơ \"{}\" không kết thúc bằng \"{}\"",
                kind.label_vi(),
                outcome.label_vi()
            ),
            Refusal::OutcomeTooEarly { outcome, missing } => write!(
                f,
                "chưa thể kết thúc \"{}\": còn thiếu {}",
                outcome.label_vi(),
                missing.join("; ")
            ),
            Refusal::NoExtension(step) => write!(f, "hạn của \"{step}\" không được gia hạn"),
            Refusal::AlreadyExtended(step) => write!(f, "hạn của \"{step}\" đã được gia hạn"),
            Refusal::NoDeadlineYet(step) => {
                write!(f, "hạn của \"{step}\" chưa bắt đầu tính")
            }
            Refusal::Rules(e) => write!(f, "{e}"),
        }
    }
}

/// What is known of a case, computed once per question.
struct Facts<'r> {
    procedure: &'r Procedure,
    /// The pack in force on the opening day (the forms catalogue of the case).
    opening: PackView<'r>,
    done: BTreeMap<StepCode, NaiveDate>,
    /// Failed votes: how many and the last one's date.
    failed: BTreeMap<StepCode, (u32, NaiveDate)>,
    dates: BTreeMap<DateCode, NaiveDate>,
}

impl<'r> Facts<'r> {
    fn ref_date(&self, r: &Ref) -> Option<NaiveDate> {
        match r {
            Ref::Step(s) => self.done.get(s).copied(),
            Ref::Date(d) => self.dates.get(d).copied(),
        }
    }

    fn first_known(&self, refs: &[Ref]) -> Option<NaiveDate> {
        refs.iter().find_map(|r| self.ref_date(r))
    }

    fn label(&self, code: &StepCode) -> String {
        self.procedure
            .step(code)
            .map_or_else(|| code.to_string(), |s| s.label.clone())
    }

    fn failures(&self, code: &StepCode) -> u32 {
        self.failed.get(code).map_or(0, |f| f.0)
    }

    /// When none of `refs` is known: the date the case must supply to know one (following a
    /// derived date back to its inputs), if that is what is missing.
    fn missing_input(&self, refs: &[Ref]) -> Option<Refusal> {
        if self.first_known(refs).is_some() {
            return None;
        }
        refs.iter().find_map(|r| match r {
            Ref::Date(d) => {
                if let Some(i) = self.procedure.inputs.iter().find(|i| &i.code == d) {
                    return Some(Refusal::MissingDate {
                        date: d.clone(),
                        label: i.label.clone(),
                    });
                }
                // Derived dates only use inputs and earlier dates, so this ends.
                let derived = self.procedure.dates.iter().find(|x| &x.code == d)?;
                self.missing_input(&derived.from)
            }
            Ref::Step(_) => None,
        })
    }
}

impl Rules {
    /// The procedure of `kind` in force on `on` (a case follows the one in force when it opened).
    pub fn procedure(&self, kind: CaseKind, on: NaiveDate) -> Result<&Procedure, RulesError> {
        self.pack_at(on)?.procedure(kind)
    }

    fn facts<'r>(&'r self, case: &Case) -> Result<Facts<'r>, RulesError> {
        let opening = self.pack_at(case.opened)?;
        let procedure = opening.procedure(case.kind)?;
        let mut done: BTreeMap<StepCode, NaiveDate> = BTreeMap::new();
        let mut failed: BTreeMap<StepCode, (u32, NaiveDate)> = BTreeMap::new();
        for r in &case.records {
            if procedure.step(&r.step).is_none() {
                return Err(RulesError::Invalid(format!(
                    "hồ sơ ghi bước \"{}\" không thuộc quy trình \"{}\" ({})",
                    r.step, case.kind, procedure.pack_id
                )));
            }
            match r.result {
                StepResult::Done => {
                    let d = done.entry(r.step.clone()).or_insert(r.date);
                    *d = (*d).min(r.date);
                }
                StepResult::Failed => {
                    let f = failed.entry(r.step.clone()).or_insert((0, r.date));
                    f.0 += 1;
                    f.1 = f.1.max(r.date);
                }
            }
        }
        let mut dates = BTreeMap::new();
        for (code, date) in &case.dates {
            if !procedure.inputs.iter().any(|i| &i.code == code) {
                return Err(RulesError::Invalid(format!(
                    "quy trình \"{}\" không dùng ngày \"{code}\"",
                    case.kind
                )));
            }
            dates.insert(code.clone(), *date);
        }
        let mut facts = Facts {
            procedure,
            opening,
            done,
            failed,
            dates,
        };
        for d in &procedure.dates {
            if let Some(anchor) = facts.first_known(&d.from) {
                let n: u32 = self.pack_at(anchor)?.get(&d.period.param)?;
                let date = self.shift(anchor, n, d.period.unit, false)?;
                facts.dates.insert(d.code.clone(), date);
            }
        }
        Ok(facts)
    }

    fn due(&self, facts: &Facts<'_>, case: &Case, step: &Step) -> Result<Option<Due>, RulesError> {
        let Some(rule) = &step.deadline else {
            return Ok(None);
        };
        let Some(anchor) = facts.first_known(&rule.from) else {
            return Ok(None);
        };
        let mut explanation = format!("Hạn \"{}\": ", step.label);
        let (mut date, citation) = match &rule.period {
            None => {
                explanation.push_str(&format!("{} — ", dmy(anchor)));
                (anchor, step.citation())
            }
            Some(p) => {
                let view = self.pack_at(anchor)?;
                let n: u32 = view.get(&p.param)?;
                let date = self.shift(anchor, n, p.unit, false)?;
                explanation.push_str(&format!(
                    "{} ({n} {} kể từ {})",
                    dmy(date),
                    p.unit.label_vi(),
                    dmy(anchor)
                ));
                (date, view.cite(&p.param)?)
            }
        };
        let mut citations = vec![citation.clone()];
        let extended = case.extensions.contains(&step.code);
        if let (true, Some(ext), Some(p)) = (extended, &rule.extension, &rule.period) {
            let view = self.pack_at(anchor)?;
            let m: u32 = view.get(ext)?;
            date = self.shift(date, m, p.unit, false)?;
            explanation.push_str(&format!(
                ", gia hạn thêm {m} {}: đến {}",
                p.unit.label_vi(),
                dmy(date)
            ));
            citations.push(view.cite(ext)?);
        }
        if rule
            .period
            .as_ref()
            .is_some_and(|p| p.unit == Unit::WorkingDays)
        {
            let mut names: Vec<&str> = self
                .calendar()
                .days_off_between(anchor, date)
                .into_iter()
                .map(|(_, n)| n)
                .collect();
            let count = names.len();
            names.dedup();
            if count > 0 {
                explanation.push_str(&format!(
                    ", không tính {count} ngày nghỉ: {}",
                    names.join(", ")
                ));
            }
            if let Some(y) = (anchor.year()..=date.year()).find(|y| {
                matches!(
                    self.calendar().year_source(*y),
                    Some((crate::Confidence::U, _))
                )
            }) {
                explanation.push_str(&format!(
                    "; lịch nghỉ năm {y} là dự kiến, cần đối chiếu thông báo chính thức"
                ));
            }
        }
        if rule.period.is_some() {
            explanation.push_str(&format!(" — {}", citations.join("; ")));
        } else {
            explanation.push_str(&citation);
        }
        Ok(Some(Due {
            date,
            anchor,
            extended,
            late: rule.late,
            citation: citations.join("; "),
            explanation,
        }))
    }

    /// How close `due` is on `today`, in working days.
    pub fn urgency(&self, due: NaiveDate, today: NaiveDate) -> Result<Urgency, RulesError> {
        let cal = self.calendar();
        Ok(if today > due {
            Urgency::Late {
                working_days_late: cal.working_days_between(due, today)?,
            }
        } else if self.is_due_soon(due, today)? {
            Urgency::DueSoon {
                working_days_left: cal.working_days_between(today, due)?,
            }
        } else {
            Urgency::OnTrack {
                working_days_left: cal.working_days_between(today, due)?,
            }
        })
    }

    /// Why `step` cannot be done on `on`, given what is done (empty when it can).
    fn blockers(
        &self,
        facts: &Facts<'_>,
        case: &Case,
        step: &Step,
        on: NaiveDate,
    ) -> Result<Vec<Refusal>, RulesError> {
        let mut out = Vec::new();
        let missing: Vec<String> = step
            .after
            .iter()
            .filter(|c| !facts.done.contains_key(*c))
            .map(|c| facts.label(c))
            .collect();
        if !missing.is_empty() {
            out.push(Refusal::MissingPrerequisites {
                step: step.label.clone(),
                missing,
                citation: step.citation(),
            });
        }
        if !step.after_any.is_empty() && !step.after_any.iter().any(|c| facts.done.contains_key(c))
        {
            out.push(Refusal::MissingAlternative {
                step: step.label.clone(),
                options: step.after_any.iter().map(|c| facts.label(c)).collect(),
                citation: step.citation(),
            });
        }
        if let Some(vote) = &step.escalation_of {
            let vote_step = facts
                .procedure
                .step(vote)
                .expect("checked when the pack was read");
            let (limit, citation) = self.attempts_limit(facts, vote_step)?;
            let failed = facts.failures(vote);
            if failed < limit {
                out.push(Refusal::NotEscalated {
                    step: step.label.clone(),
                    vote: vote_step.label.clone(),
                    failed,
                    limit,
                    citation,
                });
            }
        }
        if step.attempts_param.is_some() {
            let (limit, citation) = self.attempts_limit(facts, step)?;
            let failed = facts.failures(&step.code);
            if failed >= limit {
                out.push(Refusal::AttemptsExhausted {
                    step: step.label.clone(),
                    failed,
                    citation,
                });
            }
        }
        if !step.not_before.is_empty() {
            match facts.first_known(&step.not_before) {
                Some(earliest) if on < earliest => out.push(Refusal::TooEarly {
                    step: step.label.clone(),
                    not_before: earliest,
                    citation: step.citation(),
                }),
                Some(_) => {}
                None => out.extend(facts.missing_input(&step.not_before)),
            }
        }
        if let Some(due) = self.due(facts, case, step)?
            && due.late == LatePolicy::Refused
            && on > due.date
        {
            out.push(Refusal::TooLate {
                step: step.label.clone(),
                due: due.date,
                citation: due.citation,
            });
        }
        Ok(out)
    }

    fn attempts_limit(&self, facts: &Facts<'_>, step: &Step) -> Result<(u32, String), RulesError> {
        let param = step
            .attempts_param
            .as_deref()
            .expect("only called for vote steps with a limit");
        // The limit in force on the latest failed vote (or on opening, before any).
        let on = facts
            .failed
            .get(&step.code)
            .map_or(facts.opening.date(), |f| f.1);
        let view = self.pack_at(on)?;
        Ok((view.get(param)?, view.cite(param)?))
    }

    /// The case as it stands on `today`: every step's state, deadline and urgency, what can
    /// be done next and how the case may end now.
    pub fn case_view<'r>(
        &'r self,
        case: &Case,
        today: NaiveDate,
    ) -> Result<CaseView<'r>, RulesError> {
        let facts = self.facts(case)?;
        let portal_on = |d: NaiveDate| -> Result<bool, RulesError> {
            self.param::<bool>("transfer_online_portal", d)
        };
        let mut steps = Vec::new();
        let mut next = Vec::new();
        for step in &facts.procedure.steps {
            let due = self.due(&facts, case, step)?;
            let failed_attempts = facts.failures(&step.code);
            let (state, urgency) = if let Some(&date) = facts.done.get(&step.code) {
                let late_by = match &due {
                    Some(d) if date > d.date => {
                        Some(self.calendar().working_days_between(d.date, date)?)
                    }
                    _ => None,
                };
                (StepState::Done { date, late_by }, None)
            } else if case.closed.is_some() {
                (StepState::Closed, None)
            } else {
                let blockers = self.blockers(&facts, case, step, today)?;
                let urgency = due
                    .as_ref()
                    .map(|d| self.urgency(d.date, today))
                    .transpose()?;
                if blockers.is_empty() {
                    next.push(step.code.clone());
                    (StepState::Available, urgency)
                } else {
                    (StepState::Blocked(blockers), urgency)
                }
            };
            steps.push(StepView {
                step,
                state,
                due,
                urgency,
                failed_attempts,
                portal: step.portal && portal_on(today)?,
            });
        }
        let outcomes = if case.closed.is_some() {
            Vec::new()
        } else {
            facts
                .procedure
                .outcomes
                .iter()
                .filter(|o| outcome_missing(&facts, o.outcome).is_empty())
                .map(|o| o.outcome)
                .collect()
        };
        Ok(CaseView {
            procedure: facts.procedure,
            steps,
            dates: facts.dates.clone(),
            next,
            outcomes,
            closed: case.closed,
        })
    }

    /// Whether `record` may be added to `case` on `today`: every refusal found (with its rule),
    /// or the deadline it meets or misses.
    pub fn check_step(
        &self,
        case: &Case,
        record: &StepRecord,
        today: NaiveDate,
    ) -> Result<StepCheck, Vec<Refusal>> {
        let facts = self.facts(case).map_err(|e| vec![e.into()])?;
        if let Some((outcome, date)) = case.closed {
            return Err(vec![Refusal::CaseClosed { outcome, date }]);
        }
        let Some(step) = facts.procedure.step(&record.step) else {
            return Err(vec![Refusal::UnknownStep(record.step.clone())]);
        };
        if let Some(&date) = facts.done.get(&step.code) {
            return Err(vec![Refusal::AlreadyDone {
                step: step.label.clone(),
                date,
            }]);
        }
        let mut refusals = Vec::new();
        if record.date > today {
            refusals.push(Refusal::FutureDate { date: record.date });
        }
        if record.date < case.opened {
            refusals.push(Refusal::BeforeOpening {
                date: record.date,
                opened: case.opened,
            });
        }
        if record.result == StepResult::Failed && step.decision.is_none() {
            refusals.push(Refusal::NotAVote(step.label.clone()));
        }
        let unknown: Vec<FormCode> = record
            .forms
            .iter()
            .filter(|f| facts.opening.form(f).is_err())
            .cloned()
            .collect();
        if !unknown.is_empty() {
            refusals.push(Refusal::UnknownForms(unknown));
        }
        refusals.extend(
            self.blockers(&facts, case, step, record.date)
                .map_err(|e| vec![e.into()])?,
        );
        if record.result == StepResult::Done {
            let missing: Vec<DocRequirement> = step
                .documents
                .iter()
                .filter(|d| !d.optional && !d.forms.iter().any(|f| record.forms.contains(f)))
                .cloned()
                .collect();
            if !missing.is_empty() {
                refusals.push(Refusal::MissingDocuments {
                    step: step.label.clone(),
                    missing,
                    citation: step.citation(),
                });
            }
        }
        // Never dated before what it depends on (a decision before the cell's resolution…).
        let mut earlier: Vec<(&StepCode, NaiveDate)> = step
            .after
            .iter()
            .filter_map(|c| facts.done.get(c).map(|d| (c, *d)))
            .collect();
        if let Some(first_alt) = step
            .after_any
            .iter()
            .filter_map(|c| facts.done.get(c).map(|d| (c, *d)))
            .min_by_key(|(_, d)| *d)
        {
            earlier.push(first_alt);
        }
        if let Some(vote) = &step.escalation_of
            && let Some(&(_, last)) = facts.failed.get(vote)
        {
            earlier.push((vote, last));
        }
        for (code, date) in earlier {
            if record.date < date {
                refusals.push(Refusal::BeforePrerequisite {
                    step: step.label.clone(),
                    prerequisite: facts.label(code),
                    prerequisite_date: date,
                    citation: step.citation(),
                });
            }
        }
        let due = self.due(&facts, case, step).map_err(|e| vec![e.into()])?;
        let mut late_by = None;
        if let Some(d) = &due
            && record.date > d.date
            && record.result == StepResult::Done
        {
            let n = self
                .calendar()
                .working_days_between(d.date, record.date)
                .map_err(|e| vec![e.into()])?;
            late_by = Some(n);
            let has_reason = record
                .late_reason
                .as_deref()
                .is_some_and(|r| !r.trim().is_empty());
            if d.late == LatePolicy::Reason && !has_reason {
                refusals.push(Refusal::LateWithoutReason {
                    step: step.label.clone(),
                    due: d.date,
                    late_by: n,
                    citation: d.citation.clone(),
                });
            }
        }
        if refusals.is_empty() {
            Ok(StepCheck { due, late_by })
        } else {
            Err(refusals)
        }
    }

    /// Whether `case` may be closed with `outcome` on `date`.
    pub fn check_close(
        &self,
        case: &Case,
        outcome: CaseOutcome,
        date: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), Vec<Refusal>> {
        let facts = self.facts(case).map_err(|e| vec![e.into()])?;
        if let Some((outcome, date)) = case.closed {
            return Err(vec![Refusal::CaseClosed { outcome, date }]);
        }
        let mut refusals = Vec::new();
        if date > today {
            refusals.push(Refusal::FutureDate { date });
        }
        if date < case.opened {
            refusals.push(Refusal::BeforeOpening {
                date,
                opened: case.opened,
            });
        }
        if let Some((code, last)) = facts.done.iter().max_by_key(|(_, d)| **d)
            && date < *last
        {
            refusals.push(Refusal::BeforePrerequisite {
                step: outcome.label_vi().to_owned(),
                prerequisite: facts.label(code),
                prerequisite_date: *last,
                citation: facts.procedure.source.citation(),
            });
        }
        if facts.procedure.outcome(outcome).is_none() {
            refusals.push(Refusal::OutcomeNotAllowed {
                outcome,
                kind: case.kind,
            });
        } else {
            let missing = outcome_missing(&facts, outcome);
            if !missing.is_empty() {
                refusals.push(Refusal::OutcomeTooEarly { outcome, missing });
            }
        }
        if refusals.is_empty() {
            Ok(())
        } else {
            Err(refusals)
        }
    }

    /// Whether the competent body may extend `step`'s deadline: the new deadline, or why not.
    pub fn check_extension(&self, case: &Case, step: &StepCode) -> Result<Due, Vec<Refusal>> {
        let facts = self.facts(case).map_err(|e| vec![e.into()])?;
        if let Some((outcome, date)) = case.closed {
            return Err(vec![Refusal::CaseClosed { outcome, date }]);
        }
        let Some(s) = facts.procedure.step(step) else {
            return Err(vec![Refusal::UnknownStep(step.clone())]);
        };
        if let Some(&date) = facts.done.get(step) {
            return Err(vec![Refusal::AlreadyDone {
                step: s.label.clone(),
                date,
            }]);
        }
        if s.deadline.as_ref().is_none_or(|d| d.extension.is_none()) {
            return Err(vec![Refusal::NoExtension(s.label.clone())]);
        }
        if case.extensions.contains(step) {
            return Err(vec![Refusal::AlreadyExtended(s.label.clone())]);
        }
        let mut extended = case.clone();
        extended.extensions.insert(step.clone());
        match self.due(&facts, &extended, s) {
            Ok(Some(due)) => Ok(due),
            Ok(None) => Err(vec![Refusal::NoDeadlineYet(s.label.clone())]),
            Err(e) => Err(vec![e.into()]),
        }
    }
}

/// The steps (labels) still missing before the case may end with `outcome`.
fn outcome_missing(facts: &Facts<'_>, outcome: CaseOutcome) -> Vec<String> {
    let Some(rule) = facts.procedure.outcome(outcome) else {
        return Vec::new();
    };
    let mut missing: Vec<String> = rule
        .after
        .iter()
        .filter(|c| !facts.done.contains_key(*c))
        .map(|c| facts.label(c))
        .collect();
    if !rule.after_any.is_empty() && !rule.after_any.iter().any(|c| facts.done.contains_key(c)) {
        let options: Vec<String> = rule.after_any.iter().map(|c| facts.label(c)).collect();
        missing.push(format!("một trong: {}", options.join(" / ")));
    }
    missing
}
