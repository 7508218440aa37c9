//! Cases (hồ sơ) on one procedure model: admission (kết nạp) and recognition
//! (công nhận chính thức) now, the other kinds of `CaseKind` by adding pack
//! data. The procedure, its steps, documents, signers and deadlines come from
//! the pack in force (chibo-rules `case.rs`); this service reads the registry
//! for the guards, records each step in one transaction with its audit entry,
//! and applies what a step means for the registry (the member record created
//! at the ceremony, full membership from the end of probation).

use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, org, org_for, today};
use crate::model::{Problem, Problems, Status, fold, format_date, nfc, parse_date};
pub use crate::store::cases::CandidateRow;
use crate::store::cases::{
    self as db, CaseRow, ExtensionRow, NewCandidate, NewStep, PersonRow, StepRow,
};
use crate::store::members::{MemberRow, MemberValues};
use crate::store::{self, Reader, Tx, orgs::OrgRow};
use chibo_rules::{
    Case, CaseKind, CaseOutcome, Code, DateCode, DecisionKind, FormCode, Guard, Introducer,
    Performer, Refusal, StepCode, StepRecord, StepResult, StepState, Urgency, Violation,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// The competent committee's decision admitting a candidate (9-KNĐ): party
/// age counts from its date, and admissions are counted by it.
pub(crate) const ADMISSION_DECISION: &str = "quyet_dinh_ket_nap";
/// The decision recognising a probationer as a full member (16-KNĐ).
pub(crate) const RECOGNITION_DECISION: &str = "quyet_dinh_cong_nhan";

/// The longest free text a case keeps (reasons, notes, requests).
const MAX_TEXT: usize = 2000;

/// A case as the pages and the API show it: the record, the person, and
/// every step of its procedure as it stands today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseRow,
    /// The procedure's title.
    pub procedure: String,
    /// The newest rule pack in force on the day the case opened: the rules
    /// the case follows (its state machine, and every parameter as of then).
    pub pack: String,
    /// The pack that defines the procedure's steps, which later packs may
    /// keep in force while they change parameters (e.g. HD 38's steps under
    /// QĐ 208), and the text the procedure follows.
    pub procedure_pack: String,
    pub procedure_source: String,
    pub steps: Vec<StepLine>,
    /// Steps that can be recorded now.
    pub next: Vec<String>,
    /// Outcomes the case may close with now.
    pub outcomes: Vec<String>,
    /// The dates supplied and derived (e.g. het_du_bi), `{code: date}`.
    pub dates: BTreeMap<String, NaiveDate>,
    /// The earliest open deadline.
    pub next_due: Option<DueLine>,
    pub records: Vec<StepRow>,
    pub people: Vec<PersonRow>,
    pub extensions: Vec<ExtensionRow>,
}

/// A case in one line: who, the step it is at, the next deadline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseLine {
    pub id: i64,
    pub cell_id: i64,
    #[schema(value_type = String)]
    pub kind: CaseKind,
    pub person_name: String,
    /// The step it is at (the first step that can be recorded).
    pub at: String,
    pub next_due: Option<DueLine>,
}

impl CaseDetail {
    /// The step the case is at: the first required step available, or the
    /// first required one still blocked (optional steps apply only where
    /// their body exists).
    pub fn at(&self) -> String {
        let required = |state: &str| self.steps.iter().find(|s| s.state == state && !s.optional);
        required("available")
            .or_else(|| required("blocked"))
            .map(|s| s.label.clone())
            .unwrap_or_default()
    }

    pub fn line(&self) -> CaseLine {
        CaseLine {
            id: self.case.id,
            cell_id: self.case.cell_id,
            kind: self.case.kind,
            person_name: self.case.person_name.clone(),
            at: self.at(),
            next_due: self.next_due.clone(),
        }
    }
}

impl CaseLine {
    /// Working days the case is past its earliest open deadline ("quá hạn N
    /// ngày làm việc" on the secretary's dashboard); none when it is not late.
    pub fn late_by(&self) -> Option<i64> {
        self.next_due
            .as_ref()
            .filter(|d| d.urgency == "late")
            .map(|d| -d.working_days)
    }
}

/// What a probationary member sees of their own recognition.
#[derive(Debug, Clone)]
pub struct ProbationLine {
    pub case_id: i64,
    /// The end of the 12 months: they are full members from this day.
    pub ends_on: Option<NaiveDate>,
    /// The step the case is at.
    pub at: String,
    pub next_due: Option<DueLine>,
    /// Their helpers' names.
    pub mentors: Vec<String>,
}

/// One step of a case's procedure.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepLine {
    pub code: String,
    pub label: String,
    #[schema(value_type = String)]
    pub performer: Performer,
    pub performer_label: String,
    /// done | available | blocked | closed
    pub state: String,
    pub done_on: Option<NaiveDate>,
    /// Working days after its deadline it was done.
    pub late_by: Option<i64>,
    pub optional: bool,
    /// The vote deciding it, if any (a DecisionKind code).
    pub decision: Option<String>,
    pub failed_attempts: u32,
    /// Forms to file: each entry is any one of its forms, signed by its signer.
    pub documents: Vec<DocLine>,
    /// Why it cannot be recorded yet (the rule cited).
    pub blockers: Vec<String>,
    pub due: Option<DueLine>,
    pub citation: String,
    /// The document the step issued, once done (its title): printed at
    /// `/cases/{id}/docs/{code}.pdf`.
    pub document: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocLine {
    pub forms: Vec<String>,
    pub signer: String,
    pub optional: bool,
}

/// A deadline and how close it is, in working days.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueLine {
    pub step: String,
    pub label: String,
    pub date: NaiveDate,
    pub extended: bool,
    /// on_track | due_soon | late
    pub urgency: String,
    /// Working days left (negative: late by).
    pub working_days: i64,
    /// "còn 5 ngày làm việc" / "quá hạn 3 ngày làm việc"
    pub text: String,
    /// The deadline explained (days off skipped, rule cited).
    pub explanation: String,
}

/// A case to open: a candidate proposed (`ket_nap`), or the recognition of
/// a probationary member admitted before chibo kept cases.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewCase {
    /// `ket_nap` (a new candidate), `cong_nhan_chinh_thuc` (a probationary
    /// member) or `huy_hieu` (a member proposed for the next badge due).
    pub kind: String,
    /// The cell, for `ket_nap`.
    pub cell_id: Option<i64>,
    /// The member, for `cong_nhan_chinh_thuc` and `huy_hieu`.
    pub member_id: Option<i64>,
    /// The candidate, for `ket_nap`.
    pub candidate: Option<CandidateForm>,
}

/// The upper committee's acts other than recording its steps.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CaseDecision {
    /// extend | age_exception | request
    pub action: String,
    /// The step whose deadline is extended.
    #[serde(default)]
    pub step: String,
    /// The reason, the committee's decision, or what the cell must add.
    pub text: String,
}

/// A new candidate: the little the procedure needs.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CandidateForm {
    pub full_name: String,
    /// dd/mm/yyyy or yyyy-mm-dd
    pub date_of_birth: String,
    /// nam | nu (optional)
    pub sex: String,
    pub phone: String,
    pub residence: String,
    /// The day the cell proposed the candidate; today when empty.
    pub opened_on: String,
}

/// An introducer named with the introduction step.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct IntroducerForm {
    pub member_id: i64,
    /// Since when they worked, studied or lived with the candidate (dd/mm/yyyy).
    pub known_since: String,
}

/// A step to record.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepForm {
    /// The case's version when the form was opened (0: do not check).
    pub version: i64,
    /// The step's code in the procedure.
    pub step: String,
    /// The day it was done (the document's, the decision's); ignored for a
    /// vote step, whose date is the meeting's. Today when empty.
    pub date: String,
    /// Form codes filed (e.g. "1-KNĐ").
    pub forms: Vec<String>,
    /// For a vote step: the closed vote of the cell's meeting that decided it.
    pub vote_id: Option<i64>,
    /// For the introduction: the introducing full members.
    pub introducers: Vec<IntroducerForm>,
    /// For the assignment of helpers: the full members who help the probationer.
    pub mentors: Vec<i64>,
    /// Why it is late, where the rule asks.
    pub late_reason: String,
    pub note: String,
    /// The number of the document issued with it (decision, resolution).
    pub doc_number: String,
}

/// How a case ends.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CloseForm {
    pub version: i64,
    /// A CaseOutcome code (tu_choi, rut_ho_so, xoa_ten, tu_tran…).
    pub outcome: String,
    pub date: String,
    /// Required for every outcome but hoan_thanh.
    pub reason: String,
}

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

/// Each refusal of the rules as a problem: its stable code and its message
/// naming the rule.
pub(super) fn refused(refusals: Vec<Refusal>) -> ServiceError {
    ServiceError::Invalid(Problems(
        refusals
            .iter()
            .map(|r| Problem::new("rule", r.code(), r.to_string()))
            .collect(),
    ))
}

pub(super) fn violated(violations: Vec<Violation>) -> ServiceError {
    ServiceError::Invalid(Problems(
        violations
            .iter()
            .map(|v| Problem::new("rule", v.code, v.to_string()))
            .collect(),
    ))
}

pub(crate) fn rules_error(e: chibo_rules::RulesError) -> ServiceError {
    invalid("rule", "rules.error", e.to_string())
}

pub(super) fn text(raw: &str, field: &'static str) -> Result<Option<String>> {
    let t = nfc(raw);
    let n = t.chars().count();
    if n > MAX_TEXT {
        // The same "written/allowed" value as every other text bound.
        return Err(invalid(field, "text.too_long", format!("{n}/{MAX_TEXT}")));
    }
    Ok((!t.is_empty()).then_some(t))
}

pub(super) fn date_or_today(raw: &str, field: &'static str, on: NaiveDate) -> Result<NaiveDate> {
    if raw.trim().is_empty() {
        return Ok(on);
    }
    parse_date(field, raw).map_err(ServiceError::invalid)
}

/// The rules' view of a stored case.
pub(super) fn rules_case(row: &CaseRow, steps: &[StepRow], ext: &[ExtensionRow]) -> Result<Case> {
    let mut case = Case::new(row.kind, row.opened_on);
    let dates: BTreeMap<String, NaiveDate> =
        serde_json::from_str(&row.input_dates).unwrap_or_default();
    for (k, v) in dates {
        if let Ok(code) = DateCode::new(&k) {
            case.dates.insert(code, v);
        }
    }
    for s in steps {
        let Ok(step) = StepCode::new(&s.step) else {
            continue;
        };
        let forms: Vec<String> = serde_json::from_str(&s.forms).unwrap_or_default();
        case.records.push(StepRecord {
            step,
            date: s.on_date,
            result: s.result,
            forms: forms.iter().filter_map(|f| FormCode::new(f).ok()).collect(),
            late_reason: s.late_reason.clone(),
        });
    }
    case.extensions = ext
        .iter()
        .filter_map(|e| StepCode::new(&e.step).ok())
        .collect();
    if let (Some(o), Some(d)) = (&row.outcome, row.closed_on) {
        case.closed = CaseOutcome::parse(o).map(|o| (o, d));
    }
    Ok(case)
}

/// Whether a kind of case shows in the general lists, dashboards and case
/// pages: a discipline case only to those handling it, the member and the
/// upper committee (service/discipline.rs).
pub(super) fn listed(kind: CaseKind) -> bool {
    kind != CaseKind::KyLuat
}

/// "còn 5 ngày làm việc", "đến hạn hôm nay", "quá hạn 3 ngày làm việc".
pub fn urgency_text(u: Urgency) -> (String, &'static str, i64) {
    match u {
        Urgency::Late { working_days_late } => (
            format!("quá hạn {working_days_late} ngày làm việc"),
            "late",
            -working_days_late,
        ),
        Urgency::DueSoon {
            working_days_left: 0,
        } => ("đến hạn hôm nay".into(), "due_soon", 0),
        Urgency::DueSoon { working_days_left } => (
            format!("còn {working_days_left} ngày làm việc"),
            "due_soon",
            working_days_left,
        ),
        Urgency::OnTrack { working_days_left } => (
            format!("còn {working_days_left} ngày làm việc"),
            "on_track",
            working_days_left,
        ),
    }
}

/// The cases page: a unit's open cases and, for an upper committee, the
/// cases waiting for its decision.
pub struct CasesView {
    pub unit: OrgRow,
    pub cases: Vec<CaseDetail>,
    pub queue: Vec<CaseDetail>,
    /// The actor runs this cell (may propose a candidate).
    pub manages: bool,
    pub oversees: bool,
}

/// One case's page: the case, and what its forms offer the viewer.
pub struct CaseView {
    pub d: CaseDetail,
    /// Full members of the cell (introducers, helpers), for its committee.
    pub members: Vec<MemberRow>,
    /// Closed votes of the cell's meetings on an available decision step,
    /// not yet used by a step.
    pub votes: Vec<(i64, String)>,
    pub manages: bool,
    pub oversees: bool,
    /// The steps the viewer may record now: the upper committee its own,
    /// the cell's committee the cell's, a probationer their self-review.
    pub recordable: Vec<String>,
}

/// The listed cases of the cells under a path (the open ones, or all) with
/// their steps and extensions.
struct Listed {
    rows: Vec<CaseRow>,
    steps: HashMap<i64, Vec<StepRow>>,
    extensions: HashMap<i64, Vec<ExtensionRow>>,
}

/// Reads [`Listed`]: each kind of fact once for every case, not once per
/// case (a committee's list would grow by statements a case); nothing more
/// when there is no case.
async fn listed_under(r: &mut Reader, path: &str, closed: bool) -> Result<Listed> {
    let rows: Vec<_> = db::under(r, path, closed)
        .await?
        .into_iter()
        .filter(|row| listed(row.kind))
        .collect();
    if rows.is_empty() {
        return Ok(Listed {
            rows,
            steps: HashMap::new(),
            extensions: HashMap::new(),
        });
    }
    Ok(Listed {
        rows,
        steps: by_case(db::steps_under(r, path, closed).await?, |s| s.case_id),
        extensions: by_case(db::extensions_under(r, path, closed).await?, |e| e.case_id),
    })
}

/// Rows grouped by their case, in the order read.
fn by_case<T>(rows: Vec<T>, case: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    let mut by: HashMap<i64, Vec<T>> = HashMap::new();
    for row in rows {
        by.entry(case(&row)).or_default().push(row);
    }
    by
}

impl Services {
    /// The cases page of the unit asked for (else the actor's own).
    pub async fn cases_page(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<CasesView> {
        self.db
            .read(async |r| {
                let unit = super::orgs::unit_for(r, actor, unit).await?;
                let on = today(now);
                let cases = self.cases_in(r, actor, &unit, false, on).await?;
                let oversees = actor.oversees(&unit);
                let queue = if oversees {
                    self.queue_in(r, actor, &unit, on).await?
                } else {
                    Vec::new()
                };
                Ok(CasesView {
                    manages: unit.kind == "chi_bo" && actor.can_manage(&unit),
                    oversees,
                    unit,
                    cases,
                    queue,
                })
            })
            .await
    }

    /// One case's page.
    pub async fn case_page(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<CaseView> {
        self.db
            .read(async |r| {
                let (row, cell) = self.case_row(r, actor, id).await?;
                let d = self.detail_of(r, row, today(now)).await?;
                let mut manages = actor.can_manage(&cell);
                let members = if manages {
                    store::members::of_cell(r, cell.id)
                        .await?
                        .into_iter()
                        .filter(|m| m.status == Status::ChinhThuc)
                        .collect()
                } else {
                    Vec::new()
                };
                let decision: Vec<&str> = d
                    .steps
                    .iter()
                    .filter(|s| s.state == "available")
                    .filter_map(|s| s.decision.as_deref())
                    .collect();
                let mut votes = if manages && !decision.is_empty() {
                    db::votes_to_record(r, cell.id, &decision).await?
                } else {
                    Vec::new()
                };
                let mut oversees = actor.oversees(&cell);
                // A transfer's other side records the steps of its side.
                if let Some((m, o, v)) = self.other_side_forms(r, actor, &d).await? {
                    manages |= m;
                    oversees |= o;
                    votes.extend(v);
                }
                let own = d.case.member_id.is_some() && d.case.member_id == actor.member_id;
                let recordable = d
                    .steps
                    .iter()
                    .filter(|s| s.state == "available")
                    .filter(|s| {
                        if s.performer.is_upper() {
                            oversees
                        } else {
                            manages || (own && s.performer == Performer::DangVien)
                        }
                    })
                    .map(|s| s.code.clone())
                    .collect();
                Ok(CaseView {
                    oversees,
                    manages,
                    members,
                    votes,
                    recordable,
                    d,
                })
            })
            .await
    }

    /// A case the actor may see (its cell's members, committee, the levels above).
    async fn case_row(&self, r: &mut Reader, actor: &Actor, id: i64) -> Result<(CaseRow, OrgRow)> {
        let row = db::get(r, id).await?.ok_or(ServiceError::NotFound)?;
        // A discipline case is confidential: only its own service shows it.
        if !listed(row.kind) {
            return Err(ServiceError::NotFound);
        }
        let cell = org_for(r, actor, row.cell_id).await?;
        let own = row.member_id.is_some() && row.member_id == actor.member_id;
        if !(actor.can_read_members(&cell) || own || self.sees_other_side(r, actor, &row).await?) {
            return Err(ServiceError::Forbidden);
        }
        Ok((row, cell))
    }

    /// A stored case as the rules see it, with its recorded steps.
    pub(super) async fn stored_case(
        &self,
        r: &mut Reader,
        row: &CaseRow,
    ) -> Result<(Case, Vec<StepRow>)> {
        let records = db::steps(r, row.id).await?;
        let extensions = db::extensions(r, row.id).await?;
        let case = rules_case(row, &records, &extensions)?;
        Ok((case, records))
    }

    /// A member's new standing set by a case, with its audit entry.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn set_status_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        cell: &OrgRow,
        (member_id, case_id): (i64, i64),
        status: Status,
        since: NaiveDate,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        store::members::add_status(tx, member_id, status.as_str(), since, Some(note), now).await?;
        audit_entry(
            tx,
            actor,
            Subject::member(cell.id, member_id),
            "member.status",
            json!({"status": status.as_str(), "since": since, "case_id": case_id, "note": note}),
            now,
        )
        .await
    }

    /// The case as it stands today.
    pub async fn case_detail(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<CaseDetail> {
        self.db
            .read(async |r| self.case_detail_in(r, actor, id, today(now)).await)
            .await
    }

    /// [`Self::case_detail`] in the request's reader.
    pub(crate) async fn case_detail_in(
        &self,
        r: &mut Reader,
        actor: &Actor,
        id: i64,
        on: NaiveDate,
    ) -> Result<CaseDetail> {
        let (row, _) = self.case_row(r, actor, id).await?;
        self.detail_of(r, row, on).await
    }

    pub(super) async fn detail_of(
        &self,
        r: &mut Reader,
        row: CaseRow,
        on: NaiveDate,
    ) -> Result<CaseDetail> {
        let records = db::steps(r, row.id).await?;
        let extensions = db::extensions(r, row.id).await?;
        let people = db::people(r, row.id).await?;
        self.detail_from(row, records, extensions, people, on)
    }

    /// A case as it stands on `on`, from its rows already read.
    fn detail_from(
        &self,
        row: CaseRow,
        records: Vec<StepRow>,
        extensions: Vec<ExtensionRow>,
        people: Vec<PersonRow>,
        on: NaiveDate,
    ) -> Result<CaseDetail> {
        let case = rules_case(&row, &records, &extensions)?;
        let view = self.rules.case_view(&case, on).map_err(rules_error)?;
        let mut steps = Vec::new();
        for s in &view.steps {
            let (state, done_on, late_by, blockers) = match &s.state {
                StepState::Done { date, late_by } => ("done", Some(*date), *late_by, vec![]),
                StepState::Available => ("available", None, None, vec![]),
                StepState::Blocked(r) => (
                    "blocked",
                    None,
                    None,
                    r.iter().map(ToString::to_string).collect(),
                ),
                StepState::Closed => ("closed", None, None, vec![]),
            };
            let due = match (&s.due, s.urgency) {
                (Some(d), u) => {
                    let (text, urgency, days) = match u {
                        Some(u) => urgency_text(u),
                        None => (String::new(), "done", 0),
                    };
                    Some(DueLine {
                        step: s.step.code.to_string(),
                        label: s.step.label.clone(),
                        date: d.date,
                        extended: d.extended,
                        urgency: urgency.into(),
                        working_days: days,
                        text,
                        explanation: d.explanation.clone(),
                    })
                }
                _ => None,
            };
            steps.push(StepLine {
                code: s.step.code.to_string(),
                label: s.step.label.clone(),
                performer: s.step.performer,
                performer_label: s.step.performer.label_vi().into(),
                state: state.into(),
                done_on,
                late_by,
                optional: s.step.optional,
                decision: s.step.decision.map(|d| d.code().to_string()),
                failed_attempts: s.failed_attempts,
                documents: s
                    .step
                    .documents
                    .iter()
                    .map(|d| DocLine {
                        forms: d.forms.iter().map(|f| f.as_str().to_string()).collect(),
                        signer: d.signer.label_vi().into(),
                        optional: d.optional,
                    })
                    .collect(),
                blockers,
                due,
                citation: s.step.citation(),
                document: done_on
                    .and_then(|on| self.issue_of(row.kind, s.step, on))
                    .map(|i| i.title),
            });
        }
        let next_due = steps
            .iter()
            .filter(|s| s.state == "available" || s.state == "blocked")
            .filter_map(|s| s.due.clone())
            .min_by_key(|d| d.date);
        Ok(CaseDetail {
            procedure: view.procedure.title.clone(),
            pack: self
                .rules
                .pack_at(row.opened_on)
                .map_err(rules_error)?
                .pack_ids()
                .last()
                .cloned()
                .unwrap_or_default(),
            procedure_pack: view.procedure.pack_id.clone(),
            procedure_source: view.procedure.source.citation(),
            next: view.next.iter().map(ToString::to_string).collect(),
            outcomes: view
                .outcomes
                .iter()
                .map(|o| o.as_str().to_string())
                .collect(),
            dates: view
                .dates
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            steps,
            next_due,
            records,
            people,
            extensions,
            case: row,
        })
    }

    /// A probationary member's own line on their home page: the day the
    /// probation ends, where their recognition stands, its next deadline and
    /// their helpers. None when they have no open recognition case.
    pub(super) async fn probation_of(
        &self,
        r: &mut Reader,
        member_id: i64,
        on: NaiveDate,
    ) -> Result<Option<ProbationLine>> {
        let open = db::of_member(r, member_id)
            .await?
            .into_iter()
            .find(|c| c.kind == CaseKind::CongNhanChinhThuc && c.closed_on.is_none());
        let Some(row) = open else {
            return Ok(None);
        };
        let d = self.detail_of(r, row, on).await?;
        Ok(Some(ProbationLine {
            case_id: d.case.id,
            ends_on: d.dates.get("het_du_bi").copied(),
            at: d.at(),
            next_due: d.next_due.clone(),
            mentors: d
                .people
                .iter()
                .filter(|p| p.role == Performer::NguoiGiupDo)
                .map(|p| p.full_name.clone())
                .collect(),
        }))
    }

    /// The open cases of the cells under a unit (a cell, or an upper
    /// committee's đảng bộ), with where each stands.
    pub async fn cases_under(
        &self,
        actor: &Actor,
        unit_id: i64,
        closed: bool,
        now: DateTime<Utc>,
    ) -> Result<(OrgRow, Vec<CaseDetail>)> {
        self.db
            .read(async |r| {
                let unit = org_for(r, actor, unit_id).await?;
                let cases = self.cases_in(r, actor, &unit, closed, today(now)).await?;
                Ok((unit, cases))
            })
            .await
    }

    /// The cases of the cells under a unit the actor may read.
    async fn cases_in(
        &self,
        r: &mut Reader,
        actor: &Actor,
        unit: &OrgRow,
        closed: bool,
        on: NaiveDate,
    ) -> Result<Vec<CaseDetail>> {
        if !actor.can_read_members(unit) {
            return Err(ServiceError::Forbidden);
        }
        let Listed {
            rows,
            mut steps,
            mut extensions,
        } = listed_under(r, &unit.path, closed).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut people = by_case(db::people_under(r, &unit.path, closed).await?, |p| {
            p.case_id
        });
        rows.into_iter()
            .map(|row| {
                let id = row.id;
                self.detail_from(
                    row,
                    steps.remove(&id).unwrap_or_default(),
                    extensions.remove(&id).unwrap_or_default(),
                    people.remove(&id).unwrap_or_default(),
                    on,
                )
            })
            .collect()
    }

    /// The open cases of the cells under a unit in one line each, the
    /// earliest deadline first: the secretary's dashboard reads them here, in
    /// three statements whatever the number of cases; the caller checked the
    /// actor's access. (The upper committee's count of cases overdue reads
    /// the deadlines kept from the same computation, `service::case_dues`.)
    pub(crate) async fn case_lines(
        &self,
        r: &mut Reader,
        unit: &OrgRow,
        on: NaiveDate,
    ) -> Result<Vec<CaseLine>> {
        let Listed {
            rows,
            mut steps,
            mut extensions,
        } = listed_under(r, &unit.path, false).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // A case nobody has acted on yet is its procedure, its opening day
        // and its dates: the 2,000 cases a round opens in a committee share
        // one line but for the person, so it is worked out once for them
        // (a province's table lists 300,000 such cases).
        let mut untouched: HashMap<(CaseKind, NaiveDate, String), CaseLine> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let records = steps.remove(&row.id).unwrap_or_default();
            let ext = extensions.remove(&row.id).unwrap_or_default();
            if !(records.is_empty() && ext.is_empty() && row.closed_on.is_none()) {
                out.push(self.detail_from(row, records, ext, Vec::new(), on)?.line());
                continue;
            }
            let key = (row.kind, row.opened_on, row.input_dates.clone());
            let line = match untouched.get(&key) {
                Some(shared) => CaseLine {
                    id: row.id,
                    cell_id: row.cell_id,
                    person_name: row.person_name,
                    ..shared.clone()
                },
                None => {
                    let line = self.detail_from(row, records, ext, Vec::new(), on)?.line();
                    untouched.insert(key, line.clone());
                    line
                }
            };
            out.push(line);
        }
        out.sort_by_key(|l| (l.next_due.as_ref().map_or(NaiveDate::MAX, |d| d.date), l.id));
        Ok(out)
    }

    /// The cases waiting for the upper committee's decision across its
    /// cells, the earliest deadline first (no deadline last).
    pub async fn approval_queue(
        &self,
        actor: &Actor,
        unit_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(OrgRow, Vec<CaseDetail>)> {
        self.db
            .read(async |r| {
                let unit = org_for(r, actor, unit_id).await?;
                let queue = self.queue_in(r, actor, &unit, today(now)).await?;
                Ok((unit, queue))
            })
            .await
    }

    /// [`Self::approval_queue`] in the request's reader.
    async fn queue_in(
        &self,
        r: &mut Reader,
        actor: &Actor,
        unit: &OrgRow,
        on: NaiveDate,
    ) -> Result<Vec<CaseDetail>> {
        if !actor.oversees(unit) {
            return Err(ServiceError::Forbidden);
        }
        let all = self.cases_in(r, actor, unit, false, on).await?;
        let mut queue: Vec<CaseDetail> = all
            .into_iter()
            .filter(|c| {
                c.steps
                    .iter()
                    .any(|s| s.state == "available" && s.performer.is_upper())
            })
            .collect();
        let key = |c: &CaseDetail| {
            c.steps
                .iter()
                .filter(|s| s.state == "available" && s.performer.is_upper())
                .filter_map(|s| s.due.as_ref().map(|d| d.date))
                .min()
                .unwrap_or(NaiveDate::MAX)
        };
        queue.sort_by_key(|c| (key(c), c.case.id));
        Ok(queue)
    }

    /// A candidate's personal data, the read logged (refused reads too).
    pub async fn read_candidate(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<CandidateRow> {
        let (c, cell) = self
            .db
            .read(async |r| {
                let c = db::candidate(r, id).await?.ok_or(ServiceError::NotFound)?;
                let cell = org_for(r, actor, c.cell_id).await?;
                Ok::<_, ServiceError>((c, cell))
            })
            .await?;
        let granted = actor.can_read_members(&cell);
        db::log_candidate_access(&self.db, actor.account_id, id, granted, now).await?;
        if !granted {
            return Err(ServiceError::Forbidden);
        }
        Ok(c)
    }

    /// Proposes a candidate: the candidate and the admission case, opened
    /// on the given day under the procedure then in force.
    pub async fn propose_candidate(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        f: &CandidateForm,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let cell = self
            .db
            .read(async |r| super::orgs::unit_for(r, actor, unit).await)
            .await?;
        let cell_id = cell.id;
        if cell.kind != "chi_bo" || !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let on = today(now);
        let mut problems = Problems::default();
        let name = problems.take(crate::model::PersonName::parse("full_name", &f.full_name));
        let birth = if f.date_of_birth.trim().is_empty() {
            problems.push(Problem::new("date_of_birth", "required", ""));
            None
        } else {
            problems.take(parse_date("date_of_birth", &f.date_of_birth))
        };
        let sex = if f.sex.trim().is_empty() {
            None
        } else {
            problems.take(crate::model::Sex::parse(&f.sex))
        };
        let phone = if f.phone.trim().is_empty() {
            None
        } else {
            problems.take(crate::model::Phone::parse(&f.phone))
        };
        let opened = problems.take(
            date_or_today(&f.opened_on, "opened_on", on)
                .map_err(|_| Problem::new("opened_on", "date.invalid", f.opened_on.trim())),
        );
        if let Some(d) = opened
            && d > on
        {
            problems.push(Problem::new("opened_on", "date.future", format_date(d)));
        }
        let residence = text(&f.residence, "residence")?;
        let (Some(name), Some(birth), Some(opened)) = (name, birth, opened) else {
            return Err(ServiceError::Invalid(problems));
        };
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        // The procedure in force on the opening day must exist.
        self.rules
            .procedure(CaseKind::KetNap, opened)
            .map_err(rules_error)?;
        let mut tx = self.db.begin().await?;
        let cid = db::insert_candidate(
            &mut tx,
            &NewCandidate {
                cell_id,
                full_name: name.as_str(),
                name_fold: &fold(name.as_str()),
                date_of_birth: birth,
                sex: sex.map(|s| s.as_str()),
                phone: phone.as_ref().map(|p| p.as_str()),
                residence: residence.as_deref(),
            },
            now,
        )
        .await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::candidate(cell_id, cid),
            "candidate.create",
            json!({"full_name": name.as_str()}),
            now,
        )
        .await?;
        let id = self
            .open_case_in(
                &mut tx,
                actor,
                &cell,
                CaseKind::KetNap,
                (Some(cid), None),
                opened,
                &BTreeMap::new(),
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Opens a recognition case for a probationary member of the cell (one
    /// admitted before chibo kept cases; the ceremony opens it otherwise).
    pub async fn open_recognition(
        &self,
        actor: &Actor,
        member_id: i64,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (m, cell) = self
            .db
            .read(async |r| {
                let m = store::members::get(r, member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let cell = org_for(r, actor, m.cell_id).await?;
                Ok::<_, ServiceError>((m, cell))
            })
            .await?;
        if !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        if m.status != Status::DuBi {
            return Err(invalid("member_id", "case.not_probationary", m.full_name));
        }
        let Some(ceremony) = m.ceremony_date else {
            return Err(invalid("member_id", "case.no_ceremony_date", m.full_name));
        };
        let dates = BTreeMap::from([("ngay_ket_nap".to_string(), ceremony)]);
        let mut tx = self.db.begin().await?;
        let id = self
            .open_case_in(
                &mut tx,
                actor,
                &cell,
                CaseKind::CongNhanChinhThuc,
                (None, Some(member_id)),
                today(now).max(ceremony),
                &dates,
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn open_case_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        cell: &OrgRow,
        kind: CaseKind,
        (candidate_id, member_id): (Option<i64>, Option<i64>),
        opened: NaiveDate,
        dates: &BTreeMap<String, NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        if db::open_for(tx, kind, candidate_id, member_id)
            .await?
            .is_some()
        {
            return Err(invalid("kind", "case.already_open", kind.label_vi()));
        }
        let input_dates = serde_json::to_string(dates).unwrap_or_else(|_| "{}".into());
        let id = db::insert_case(
            tx,
            &db::NewCase {
                cell_id: cell.id,
                kind,
                candidate_id,
                member_id,
                opened_on: opened,
                input_dates: &input_dates,
                due_on: self.opening_due(kind, opened, dates, today(now)),
            },
            now,
        )
        .await?
        // Another request opened one since the check above.
        .ok_or_else(|| invalid("kind", "case.already_open", kind.label_vi()))?;
        audit_entry(
            tx,
            actor,
            Subject::case(cell.id, id),
            "case.open",
            json!({"kind": kind.as_str(), "opened_on": opened, "dates": dates}),
            now,
        )
        .await?;
        Ok(id)
    }

    /// Records a step: every rule of the procedure and every guard checked
    /// first (each refusal citing its rule, nothing written); then the step,
    /// what it means for the registry and its audit entry, in one transaction.
    /// Returns the case as it stands after it.
    pub async fn record_step(
        &self,
        actor: &Actor,
        id: i64,
        f: &StepForm,
        now: DateTime<Utc>,
    ) -> Result<CaseDetail> {
        let (row, cell, case, records) = self
            .db
            .read(async |r| {
                let (row, cell) = self.case_row(r, actor, id).await?;
                let (case, records) = self.stored_case(r, &row).await?;
                Ok::<_, ServiceError>((row, cell, case, records))
            })
            .await?;
        let kind = row.kind;
        let on = today(now);
        let procedure = self
            .rules
            .procedure(kind, row.opened_on)
            .map_err(rules_error)?;
        let code = StepCode::new(f.step.trim())
            .map_err(|_| invalid("step", "case.unknown_step", f.step.trim()))?;
        let step = procedure
            .step(&code)
            .ok_or_else(|| invalid("step", "case.unknown_step", f.step.trim()))?
            .clone();
        // A transfer's destination acts in the steps of its side.
        let (acting, reception) = self
            .db
            .read(async |r| {
                let acting = self.acting_cell(r, &row, &step, &cell).await?;
                let reception = self.reception_by_vote(r, &row, &step).await?;
                Ok::<_, ServiceError>((acting, reception))
            })
            .await?;
        self.may_perform(actor, &acting, &row, step.performer)?;
        if f.version != 0 && f.version != row.version {
            return Err(ServiceError::Stale);
        }
        // A vote step is the cell's meeting's vote, decided by the rules.
        let (date, result, vote_id) = match step.decision.or(reception) {
            Some(kind) => {
                self.db
                    .read(async |r| self.vote_result(r, actor, &acting, kind, f.vote_id).await)
                    .await?
            }
            None => (date_or_today(&f.date, "date", on)?, StepResult::Done, None),
        };
        let mut forms = Vec::new();
        for raw in &f.forms {
            let raw = nfc(raw);
            if raw.is_empty() {
                continue;
            }
            let form = FormCode::new(&raw).map_err(|_| invalid("forms", "case.form", raw))?;
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
        if forms.len() > 32 {
            return Err(invalid("forms", "case.form", "> 32"));
        }
        let late_reason = text(&f.late_reason, "late_reason")?;
        let note = text(&f.note, "note")?;
        let doc_number = text(&f.doc_number, "doc_number")?;
        if reception.is_some() && result == StepResult::Failed {
            return Err(invalid(
                "vote_id",
                "transfer.reception_not_passed",
                code.as_str(),
            ));
        }
        let record = StepRecord {
            step: code.clone(),
            date,
            result,
            forms: forms.clone(),
            late_reason: late_reason.clone(),
        };
        let check = self.rules.check_step(&case, &record, on).map_err(refused)?;
        // The guards the step lists, with registry data.
        let mut violations = Vec::new();
        let mut introducers = Vec::new();
        for g in &step.guards {
            match g {
                Guard::TuoiKetNap => {
                    let c = self
                        .db
                        .read(async |r| self.case_candidate(r, &row).await)
                        .await?;
                    if let Err(v) = self.rules.check_admission_age(
                        c.date_of_birth,
                        date,
                        row.age_exception.is_some(),
                    ) {
                        violations.extend(v);
                    }
                }
                Guard::GiayChungNhan => {
                    let issued = records
                        .iter()
                        .find(|r| r.step == "bdnt" && r.result == StepResult::Done)
                        .map(|r| r.on_date);
                    if let Some(issued) = issued
                        && let Err(v) = self.rules.check_awareness_certificate(issued, date)
                    {
                        violations.extend(v);
                    }
                }
                Guard::NguoiGioiThieu => {
                    let union = forms
                        .iter()
                        .any(|x| x.as_str() == "4-KNĐ" || x.as_str() == "4A-KNĐ");
                    let list = self
                        .db
                        .read(async |r| self.introducers(r, &cell, &f.introducers, date).await)
                        .await?;
                    // Each introducer's own problems, named; then the count.
                    for (_, name, i) in &list {
                        if let Err(v) = self.rules.check_introducer(i, date) {
                            violations.extend(v.into_iter().map(|mut v| {
                                v.message = format!("{name}: {}", v.message);
                                v
                            }));
                        }
                    }
                    let rules: Vec<Introducer> = list.iter().map(|(_, _, i)| i.clone()).collect();
                    if let Err(v) = self.rules.check_introducers(&rules, union, date) {
                        violations
                            .extend(v.into_iter().filter(|v| v.code == "nguoi_gioi_thieu.count"));
                    }
                    introducers = list;
                }
                Guard::HoSoMo => {
                    if let Some(m) = row.member_id {
                        violations.extend(
                            self.db
                                .read(async |r| self.blocking_cases(r, m, date).await)
                                .await?,
                        );
                    }
                }
                Guard::DangPhi => {
                    if let Some(m) = row.member_id {
                        violations.extend(
                            self.db
                                .read(async |r| self.letter_dues(r, m, date).await)
                                .await?,
                        );
                    }
                }
                Guard::HuyHieu => {
                    if let Some(m) = row.member_id {
                        violations.extend(
                            self.db
                                .read(async |r| self.badge_guard(r, row.id, m).await)
                                .await?,
                        );
                    }
                }
                // The discipline guard comes with discipline cases.
                _ => {}
            }
        }
        if !violations.is_empty() {
            return Err(violated(violations));
        }
        let mentors = if code.as_str() == "phan_cong_giup_do" {
            self.db
                .read(async |r| self.mentors(r, &cell, &f.mentors).await)
                .await?
        } else {
            Vec::new()
        };
        let forms_json = serde_json::to_string(
            &forms
                .iter()
                .map(|x| x.as_str().to_string())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_else(|_| "[]".into());
        let mut tx = self.db.begin().await?;
        if !db::touch(&mut tx, id, row.version).await? {
            return Err(ServiceError::Stale);
        }
        // The document the step issues takes its number from the issuing
        // unit's register, unless the step brought the number it was given.
        let doc_number = match (doc_number, self.issue_of(kind, &step, date)) {
            (Some(n), _) => Some(n),
            (None, Some(issue)) if result == StepResult::Done => {
                self.number_case_doc(&mut tx, &cell, id, &issue, code.as_str(), now)
                    .await?
            }
            _ => None,
        };
        let step_id = self
            .insert_step(
                &mut tx,
                &NewStep {
                    case_id: id,
                    step: code.as_str(),
                    on_date: date,
                    result,
                    performer: step.performer,
                    forms: &forms_json,
                    late_reason: late_reason.as_deref(),
                    note: note.as_deref(),
                    vote_id,
                    doc_number: doc_number.as_deref(),
                    actor: &actor.audit_name(),
                },
                now,
            )
            .await?;
        for (mid, _, i) in &introducers {
            db::add_person(
                &mut tx,
                id,
                *mid,
                Performer::NguoiGioiThieu,
                Some(i.known_since),
            )
            .await?;
        }
        for m in &mentors {
            db::add_person(&mut tx, id, m.id, Performer::NguoiGiupDo, None).await?;
        }
        if row.request.is_some() && result == StepResult::Done {
            db::set_request(&mut tx, id, None).await?;
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::case(cell.id, id),
            "case.step",
            json!({
                "step_id": step_id, "step": code.as_str(), "date": date, "result": result.as_str(),
                "forms": forms_json, "vote_id": vote_id, "late_by": check.late_by,
                "late_reason": late_reason, "due": check.due.as_ref().map(|d| d.date),
                "doc_number": doc_number,
            }),
            now,
        )
        .await?;
        if result == StepResult::Done {
            self.after_step(&mut tx, actor, &cell, &row, kind, &case, &code, date, now)
                .await?;
        }
        tx.commit().await?;
        self.case_detail(actor, id, now).await
    }

    /// Who may record a step: the upper committee for its own steps, the
    /// cell's committee for the cell's, and the probationer or a helper for
    /// their own report.
    fn may_perform(&self, actor: &Actor, cell: &OrgRow, row: &CaseRow, p: Performer) -> Result<()> {
        let ok = if p.is_upper() {
            actor.oversees(cell)
        } else {
            actor.can_manage(cell)
                || match p {
                    Performer::DangVien => {
                        row.member_id.is_some() && row.member_id == actor.member_id
                    }
                    _ => false,
                }
        };
        if ok {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// The date and result of a vote step: the closed vote of a meeting of
    /// the cell, of the step's kind, not used by another step.
    pub(super) async fn vote_result(
        &self,
        r: &mut Reader,
        actor: &Actor,
        cell: &OrgRow,
        kind: DecisionKind,
        vote_id: Option<i64>,
    ) -> Result<(NaiveDate, StepResult, Option<i64>)> {
        let Some(vid) = vote_id else {
            return Err(invalid("vote_id", "case.vote_required", kind.code()));
        };
        let v = store::meetings::vote(r, vid)
            .await?
            .ok_or_else(|| invalid("vote_id", "case.vote_unknown", vid.to_string()))?;
        let (m, _) = super::meetings::meeting(r, actor, v.meeting_id).await?;
        if m.cell_id != cell.id || v.kind != kind.code() {
            return Err(invalid("vote_id", "case.vote_unknown", vid.to_string()));
        }
        let Some(outcome) = v.outcome.as_deref().filter(|_| v.status != "open") else {
            return Err(invalid("vote_id", "case.vote_open", v.subject));
        };
        if db::vote_used(r, vid).await? {
            return Err(invalid("vote_id", "case.vote_used", v.subject));
        }
        let result = if outcome == chibo_rules::Outcome::Dat.code() {
            StepResult::Done
        } else {
            StepResult::Failed
        };
        Ok((today(m.starts_at), result, Some(vid)))
    }

    async fn case_candidate(&self, r: &mut Reader, row: &CaseRow) -> Result<CandidateRow> {
        let cid = row.candidate_id.ok_or(ServiceError::NotFound)?;
        db::candidate(r, cid).await?.ok_or(ServiceError::NotFound)
    }

    /// The introducers as the registry knows them on `on`.
    async fn introducers(
        &self,
        r: &mut Reader,
        cell: &OrgRow,
        given: &[IntroducerForm],
        on: NaiveDate,
    ) -> Result<Vec<(i64, String, Introducer)>> {
        if given.len() > 4 {
            return Err(invalid("introducers", "case.introducers", "> 4"));
        }
        let mut out: Vec<(i64, String, Introducer)> = Vec::new();
        for i in given {
            if out.iter().any(|(id, _, _)| *id == i.member_id) {
                continue;
            }
            let m = store::members::get(r, i.member_id).await?.ok_or_else(|| {
                invalid(
                    "introducers",
                    "case.member_unknown",
                    i.member_id.to_string(),
                )
            })?;
            let known_since =
                parse_date("known_since", &i.known_since).map_err(ServiceError::invalid)?;
            let Some(admission) = m.admission_date else {
                return Err(invalid(
                    "introducers",
                    "case.introducer_no_admission",
                    m.full_name,
                ));
            };
            let status = self.status_on(r, &m, on).await?;
            let home = org(r, m.cell_id).await?;
            out.push((
                m.id,
                m.full_name.clone(),
                Introducer {
                    status,
                    admission,
                    interruptions: Vec::new(),
                    known_since,
                    same_cell: m.cell_id == cell.id,
                    same_dang_bo: home.parent_id.is_some() && home.parent_id == cell.parent_id,
                },
            ));
        }
        Ok(out)
    }

    /// A member's standing on a day, from their status history.
    async fn status_on(
        &self,
        r: &mut Reader,
        m: &MemberRow,
        on: NaiveDate,
    ) -> Result<chibo_rules::Status> {
        let history = store::members::status_history(r, m.id).await?;
        let code = history
            .iter()
            .rev()
            .find(|p| p.start_date <= on)
            .map_or(m.status.as_str(), |p| p.status.as_str());
        chibo_rules::Status::parse(code).ok_or(ServiceError::NotFound)
    }

    /// The helpers of a probationer: full members on the cell's roll.
    async fn mentors(&self, r: &mut Reader, cell: &OrgRow, ids: &[i64]) -> Result<Vec<MemberRow>> {
        if ids.is_empty() {
            return Err(invalid("mentors", "case.mentor_required", ""));
        }
        if ids.len() > 4 {
            return Err(invalid("mentors", "case.mentor_required", "> 4"));
        }
        let mut out: Vec<MemberRow> = Vec::new();
        for id in ids {
            let m = store::members::get(r, *id)
                .await?
                .ok_or_else(|| invalid("mentors", "case.member_unknown", id.to_string()))?;
            if m.cell_id != cell.id || m.status != Status::ChinhThuc {
                return Err(invalid("mentors", "case.mentor_not_full", m.full_name));
            }
            if !out.iter().any(|o| o.id == m.id) {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// What a step done means for the registry, inside its transaction.
    #[allow(clippy::too_many_arguments)]
    async fn after_step(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        cell: &OrgRow,
        row: &CaseRow,
        kind: CaseKind,
        case: &Case,
        code: &StepCode,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        match (kind, code.as_str()) {
            (CaseKind::KetNap, "le_ket_nap") => {
                let decided = case
                    .records
                    .iter()
                    .find(|r| r.step.as_str() == ADMISSION_DECISION)
                    .map(|r| r.date)
                    .ok_or(ServiceError::NotFound)?;
                let cid = row.candidate_id.ok_or(ServiceError::NotFound)?;
                let c = db::candidate_in(tx, cid)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let values = MemberValues {
                    group_id: None,
                    full_name: c.full_name.clone(),
                    name_fold: fold(&c.full_name),
                    other_name: None,
                    sex: c.sex.clone(),
                    date_of_birth: Some(c.date_of_birth),
                    ethnicity: None,
                    religion: None,
                    national_id: None,
                    card_no: None,
                    // Party age counts from the decision; the ceremony is
                    // "ngày vào Đảng" as printed.
                    admission_date: Some(decided),
                    ceremony_date: Some(date),
                    official_date: None,
                    phone: c.phone.clone(),
                    email: None,
                    residence: c.residence.clone(),
                    notes: None,
                };
                let member_id = super::members::insert_member(
                    tx,
                    actor,
                    cell,
                    &values,
                    super::members::Admission {
                        status: Status::DuBi,
                        since: date,
                    },
                    now,
                )
                .await?;
                db::set_candidate_member(tx, c.id, member_id).await?;
                db::set_member(tx, row.id, member_id).await?;
                audit_entry(
                    tx,
                    actor,
                    Subject::candidate(cell.id, c.id),
                    "candidate.admitted",
                    json!({"member_id": member_id}),
                    now,
                )
                .await?;
                self.close_in(
                    tx,
                    actor,
                    cell,
                    row.id,
                    CaseOutcome::HoanThanh,
                    date,
                    None,
                    now,
                )
                .await?;
                let dates = BTreeMap::from([("ngay_ket_nap".to_string(), date)]);
                self.open_case_in(
                    tx,
                    actor,
                    cell,
                    CaseKind::CongNhanChinhThuc,
                    (None, Some(member_id)),
                    date,
                    &dates,
                    now,
                )
                .await?;
            }
            (CaseKind::CongNhanChinhThuc, RECOGNITION_DECISION) => {
                let member_id = row.member_id.ok_or(ServiceError::NotFound)?;
                let view = self.rules.case_view(case, date).map_err(rules_error)?;
                // Full from the day the 12 months end, however late the decision.
                let full_from = DateCode::new("het_du_bi")
                    .ok()
                    .and_then(|d| view.dates.get(&d).copied())
                    .ok_or(ServiceError::NotFound)?;
                let before = store::members::get_in(tx, member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let mut values = MemberValues::from_row(&before);
                values.official_date = Some(full_from);
                super::members::update_member_in(tx, actor, &before, before.version, &values, now)
                    .await?;
                self.set_status_in(
                    tx,
                    actor,
                    cell,
                    (member_id, row.id),
                    Status::ChinhThuc,
                    full_from,
                    "Quyết định công nhận đảng viên chính thức",
                    now,
                )
                .await?;
                self.close_in(
                    tx,
                    actor,
                    cell,
                    row.id,
                    CaseOutcome::HoanThanh,
                    date,
                    None,
                    now,
                )
                .await?;
            }
            (CaseKind::HuyHieu, "trao_tang") => {
                self.award_badge_in(tx, actor, cell, row.id, date, now)
                    .await?;
                self.close_in(
                    tx,
                    actor,
                    cell,
                    row.id,
                    CaseOutcome::HoanThanh,
                    date,
                    None,
                    now,
                )
                .await?;
            }
            (k, step) if k.is_transfer() => {
                self.after_transfer_step(tx, actor, row, k, step, date, now)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn close_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        cell: &OrgRow,
        id: i64,
        outcome: CaseOutcome,
        date: NaiveDate,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        db::close(tx, id, outcome, date, reason).await?;
        audit_entry(
            tx,
            actor,
            Subject::case(cell.id, id),
            "case.close",
            json!({"outcome": outcome.as_str(), "date": date, "reason": reason}),
            now,
        )
        .await
    }

    /// Closes a case another way than by its last step: refused by the
    /// cell or the committee, withdrawn, xóa tên, death — with its reason;
    /// the history stays.
    pub async fn close_case(
        &self,
        actor: &Actor,
        id: i64,
        f: &CloseForm,
        now: DateTime<Utc>,
    ) -> Result<CaseDetail> {
        let (row, cell, other_side) = self
            .db
            .read(async |r| {
                let (row, cell) = self.case_row(r, actor, id).await?;
                let other = self.acts_on_other_side(r, actor, &row).await?;
                Ok::<_, ServiceError>((row, cell, other))
            })
            .await?;
        if !(actor.can_manage(&cell) || actor.oversees(&cell) || other_side) {
            return Err(ServiceError::Forbidden);
        }
        if f.version != 0 && f.version != row.version {
            return Err(ServiceError::Stale);
        }
        let on = today(now);
        let outcome = CaseOutcome::parse(f.outcome.trim())
            .ok_or_else(|| invalid("outcome", "case.outcome", f.outcome.trim()))?;
        if outcome == CaseOutcome::HoanThanh {
            // Completion is the last step's effect, never a bare close.
            return Err(invalid("outcome", "case.outcome", outcome.label_vi()));
        }
        let date = date_or_today(&f.date, "date", on)?;
        let reason = text(&f.reason, "reason")?
            .ok_or_else(|| invalid("reason", "case.reason_required", outcome.label_vi()))?;
        let (case, _) = self
            .db
            .read(async |r| self.stored_case(r, &row).await)
            .await?;
        self.rules
            .check_close(&case, outcome, date, on)
            .map_err(refused)?;
        let mut tx = self.db.begin().await?;
        if !db::touch(&mut tx, id, row.version).await? {
            return Err(ServiceError::Stale);
        }
        self.close_in(&mut tx, actor, &cell, id, outcome, date, Some(&reason), now)
            .await?;
        if row.kind.is_transfer() {
            self.after_transfer_close(&mut tx, actor, &row, outcome, date, &reason, now)
                .await?;
        }
        let status = match outcome {
            CaseOutcome::XoaTen => Some(Status::XoaTen),
            CaseOutcome::TuTran => Some(Status::TuTran),
            _ => None,
        };
        if let (Some(status), Some(member_id)) = (status, row.member_id) {
            self.set_status_in(
                &mut tx,
                actor,
                &cell,
                (member_id, id),
                status,
                date,
                &reason,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        self.case_detail(actor, id, now).await
    }

    /// The competent committee extends a step's deadline (once, by the
    /// pack's extension), with its reason.
    pub async fn extend_deadline(
        &self,
        actor: &Actor,
        id: i64,
        step: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (row, cell) = self
            .db
            .read(async |r| self.case_row(r, actor, id).await)
            .await?;
        if !actor.oversees(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let code = StepCode::new(step.trim())
            .map_err(|_| invalid("step", "case.unknown_step", step.trim()))?;
        let reason =
            text(reason, "reason")?.ok_or_else(|| invalid("reason", "case.reason_required", ""))?;
        let (case, _) = self
            .db
            .read(async |r| self.stored_case(r, &row).await)
            .await?;
        let due = self.rules.check_extension(&case, &code).map_err(refused)?;
        let on = today(now);
        let mut tx = self.db.begin().await?;
        if !db::touch(&mut tx, id, row.version).await? {
            return Err(ServiceError::Stale);
        }
        db::add_extension(&mut tx, id, code.as_str(), on, &reason).await?;
        self.keep_due(&mut tx, id, now).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::case(cell.id, id),
            "case.extend",
            json!({"step": code.as_str(), "new_due": due.date, "reason": reason}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The competent committee's approval for a candidate over the age
    /// limit, recorded before the cell considers the case.
    pub async fn approve_age_exception(
        &self,
        actor: &Actor,
        id: i64,
        decision: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (row, cell) = self
            .db
            .read(async |r| self.case_row(r, actor, id).await)
            .await?;
        if !actor.oversees(&cell) {
            return Err(ServiceError::Forbidden);
        }
        if row.kind != CaseKind::KetNap || row.closed_on.is_some() {
            return Err(invalid("kind", "case.outcome", row.kind.as_str()));
        }
        let decision = text(decision, "decision")?
            .ok_or_else(|| invalid("decision", "case.reason_required", ""))?;
        let mut tx = self.db.begin().await?;
        if !db::touch(&mut tx, id, row.version).await? {
            return Err(ServiceError::Stale);
        }
        db::set_age_exception(&mut tx, id, &decision).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::case(cell.id, id),
            "case.age_exception",
            json!({"decision": decision}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The upper committee asks the cell for more before deciding; the
    /// request stands until the cell's next step.
    pub async fn request_more(
        &self,
        actor: &Actor,
        id: i64,
        request: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (row, cell) = self
            .db
            .read(async |r| self.case_row(r, actor, id).await)
            .await?;
        if !actor.oversees(&cell) {
            return Err(ServiceError::Forbidden);
        }
        if row.closed_on.is_some() {
            return Err(invalid("request", "case.closed", ""));
        }
        let request = text(request, "request")?
            .ok_or_else(|| invalid("request", "case.reason_required", ""))?;
        let on = today(now);
        let mut tx = self.db.begin().await?;
        if !db::touch(&mut tx, id, row.version).await? {
            return Err(ServiceError::Stale);
        }
        db::set_request(&mut tx, id, Some((&request, on))).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::case(cell.id, id),
            "case.request",
            json!({"request": request}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The API's writes, each returning the case as it stands after it: a
/// handler calls one of these and renders what it returns.
impl Services {
    /// Opens a case of the kind asked: proposes a candidate, or opens the
    /// recognition of a probationary member.
    pub async fn open_case(
        &self,
        actor: &Actor,
        b: &NewCase,
        now: DateTime<Utc>,
    ) -> Result<CaseDetail> {
        let id = match (
            CaseKind::parse(&b.kind),
            b.cell_id,
            b.member_id,
            &b.candidate,
        ) {
            (Some(CaseKind::KetNap), Some(cell), _, Some(c)) => {
                self.propose_candidate(actor, Some(cell), c, now).await?
            }
            (Some(CaseKind::CongNhanChinhThuc), _, Some(m), _) => {
                self.open_recognition(actor, m, now).await?
            }
            (Some(CaseKind::HuyHieu), _, Some(m), _) => {
                let f = super::badges::BadgeProposalForm {
                    member_id: m,
                    ceremony_on: String::new(),
                };
                self.propose_badge(actor, &f, now).await?
            }
            _ => return Err(invalid("kind", "case.kind", b.kind.clone())),
        };
        self.case_detail(actor, id, now).await
    }

    /// One of the upper committee's acts: extend a deadline, approve a
    /// candidate over the age limit, ask the cell for more.
    pub async fn decide_case(
        &self,
        actor: &Actor,
        id: i64,
        d: &CaseDecision,
        now: DateTime<Utc>,
    ) -> Result<CaseDetail> {
        match d.action.as_str() {
            "extend" => {
                self.extend_deadline(actor, id, &d.step, &d.text, now)
                    .await?
            }
            "age_exception" => self.approve_age_exception(actor, id, &d.text, now).await?,
            "request" => self.request_more(actor, id, &d.text, now).await?,
            other => return Err(invalid("action", "case.action", other)),
        }
        self.case_detail(actor, id, now).await
    }
}
