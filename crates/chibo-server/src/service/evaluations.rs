//! The annual evaluation (kiểm điểm, đánh giá, xếp loại chất lượng; QĐ
//! 366-QĐ/TW, HD 43-HD/BTCTW) on the case model: the upper committee opens a
//! round for a year with its deadlines, which opens a `danh_gia_dang_vien`
//! case for each member of its cells; each member fills the self-review in
//! the form the pack assigns, against the pack's criteria, with the evidence
//! of chibo's own records; the cell's meeting proposes a tier by a vote, the
//! engine refusing a tier above the points' band or the tasks' conditions and
//! HTXS beyond the quota; the upper committee decides; the cell announces.
//! Every act is one transaction: the case's step and the evaluation's row
//! with one audit entry imaging both.

use super::cases::{refused, rules_error, text};
use super::dashboard::window;
use super::study::{StudyRecord, member_study};
use super::tasks::{TaskItem, cell_tasks};
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry_with, org_for, today};
use crate::model::{Period, PeriodKind, Problem, Problems, Shown, Status, parse_date};
use crate::store::cases::{self as cases_db, CaseRow, NewStep};
use crate::store::evaluations::{self as db, EvaluationRow, NewEvaluation, NewRound, RoundRow};
use crate::store::images::Part;
use crate::store::orgs::OrgRow;
use crate::store::stats::{self, Presence};
use crate::store::tasks::Filter;
use crate::store::{self, Reader, Tx};
use chibo_rules::{
    CaseKind, Criterion, DecisionKind, EvaluationGroup, EvaluationInput, FormCode, StepCode,
    StepRecord, StepResult, Tier, TierRefusal,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// The longest text of a self-review or of the cell's opinions.
const MAX_REVIEW: usize = 4000;

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

/// A refusal of the engine, its message naming the rule.
fn tier_refused(r: TierRefusal) -> ServiceError {
    ServiceError::invalid(Problem::new("rule", r.code, r.message))
}

fn tier_of(raw: &str, field: &'static str) -> Result<Tier> {
    Tier::from_code(raw.trim()).ok_or_else(|| invalid(field, "evaluation.tier", raw.trim()))
}

/// A round as the upper committee opens it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RoundForm {
    /// The year rated.
    pub year: i32,
    /// nam (the year) or quy_1 … quy_4.
    pub period: String,
    /// The last day of the self-reviews (dd/mm/yyyy or yyyy-mm-dd).
    pub self_review_due: String,
    /// The last day of the round: the upper committee's decisions.
    pub round_due: String,
}

/// What chibo's own records say of a member's year: the attendance and
/// tasks figures the dashboards compute, for the member's self-review.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Evidence {
    /// The first and last day counted.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Roll-calls of the cell's meetings held in the period.
    pub presence: Presence,
    /// Tasks the member leads or shares, assigned in the period.
    pub tasks_assigned: i64,
    /// Of those, finished, and finished by their deadline.
    pub tasks_done: i64,
    pub tasks_on_time: i64,
    /// Unfinished past their deadline.
    pub tasks_overdue: i64,
    /// Unfinished, not yet due: not counted in the rating.
    pub tasks_not_due: i64,
    /// The documents the member was to study, as the study page counts
    /// them (evaluations submitted before it was kept show none).
    #[serde(default)]
    pub study: StudyRecord,
    /// The best tier a discipline that took effect in the period allows
    /// (a tier code), and the rule.
    #[serde(default)]
    pub discipline_cap: Option<String>,
    #[serde(default)]
    pub discipline_cap_citation: Option<String>,
}

impl Evidence {
    /// The cap a discipline in the period sets, if any.
    fn cap(&self) -> Option<(Tier, &str)> {
        let cap = self.discipline_cap.as_deref().and_then(Tier::from_code)?;
        Some((
            cap,
            self.discipline_cap_citation.as_deref().unwrap_or_default(),
        ))
    }

    /// Refuses a tier better than a discipline in the period allows, citing the rule.
    pub(crate) fn check_cap(&self, tier: Tier) -> Result<()> {
        match self.cap() {
            Some((cap, citation)) if tier < cap => Err(tier_refused(TierRefusal {
                code: "tier.disciplined",
                message: format!(
                    "Không thể xếp loại \"{}\": đảng viên bị thi hành kỷ luật trong kỳ đánh giá chỉ được xếp loại \"{}\" — {citation}",
                    tier.name(),
                    cap.name()
                ),
            })),
            _ => Ok(()),
        }
    }

    /// The engine's input: the tasks due in the period and the points.
    pub(crate) fn input(&self, points: u32, exceeding: u32) -> EvaluationInput {
        let n = |v: i64| u32::try_from(v).unwrap_or(0);
        EvaluationInput {
            points,
            tasks_total: n(self.tasks_assigned - self.tasks_not_due),
            tasks_done: n(self.tasks_done),
            tasks_on_time: n(self.tasks_on_time),
            tasks_exceeding: exceeding.min(n(self.tasks_on_time)),
            disqualified: false,
            collective: false,
        }
    }
}

/// Tasks of a period as an evaluation counts them on its last day: done (on
/// time or late), unfinished past their deadline, not yet due.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TaskTally {
    pub assigned: i64,
    pub done: i64,
    pub on_time: i64,
    pub overdue: i64,
    pub not_due: i64,
}

impl TaskTally {
    pub(crate) fn of<'a>(tasks: impl Iterator<Item = &'a TaskItem>, as_of: NaiveDate) -> Self {
        let mut n = TaskTally::default();
        for t in tasks {
            n.assigned += 1;
            match t.task.completed_on {
                Some(d) if d <= as_of => {
                    n.done += 1;
                    if d <= t.task.deadline {
                        n.on_time += 1;
                    }
                }
                _ if t.shown() == Shown::QuaHan || t.task.deadline < as_of => n.overdue += 1,
                _ => n.not_due += 1,
            }
        }
        n
    }
}

/// One criterion of the frame, with the member's points when given.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CriterionLine {
    pub code: String,
    pub label: String,
    pub max: u32,
    pub points: Option<u32>,
}

/// One member's evaluation as the pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationView {
    #[serde(flatten)]
    pub evaluation: EvaluationRow,
    pub round: RoundRow,
    pub cell_name: String,
    /// The form's title in the pack (e.g. "Bản kiểm điểm … (2C)").
    pub form_title: String,
    pub criteria: Vec<CriterionLine>,
    /// The frame's source.
    pub citation: String,
    /// The records today (before the submission; as submitted after).
    pub evidence: Evidence,
    /// The best tier the engine allows with the self-review's points and
    /// the records, explained with the rule.
    pub allowed: Option<String>,
    pub allowed_explanation: Option<String>,
    /// The self-review's deadline passed.
    pub late: bool,
    /// The viewer may submit the self-review now.
    pub may_submit: bool,
    /// The viewer runs the cell (permission, proposal).
    pub manages: bool,
    /// The viewer is the upper committee (decision).
    pub oversees: bool,
}

/// The self-review a member submits.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SelfReviewForm {
    /// The evaluation's version when the form was opened (0: do not check).
    pub version: i64,
    /// Points for each criterion of the frame, by code.
    pub scores: BTreeMap<String, u32>,
    /// The tier the member gives themselves: htxs | htt | ht | kht.
    pub self_tier: String,
    /// Tasks the member says exceeded the requirement (HTXS needs 30 %).
    pub tasks_exceeding: u32,
    /// The written self-review: strengths, shortcomings, causes, remedies.
    pub text: String,
}

/// The cell's proposal, voted at its evaluation meeting.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProposalForm {
    pub version: i64,
    /// htxs | htt | ht | kht
    pub tier: String,
    /// The opinions given at the meeting.
    pub opinions: String,
    /// The closed vote (nghị quyết) of the cell's meeting on this proposal.
    pub vote_id: Option<i64>,
}

/// One of the upper committee's decisions.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionItem {
    pub evaluation_id: i64,
    /// The tier decided; the cell's proposal when empty.
    pub tier: String,
    /// Required when the tier differs from the proposal.
    pub reason: String,
}

/// The upper committee's decisions on a round, written together.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionsForm {
    pub items: Vec<DecisionItem>,
}

/// One line of the summary list (danh sách tổng hợp kết quả xếp loại).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SummaryLine {
    pub evaluation_id: i64,
    pub cell_id: i64,
    pub cell_name: String,
    pub member_id: i64,
    pub full_name: String,
    pub form: String,
    pub exempt: bool,
    pub self_points: Option<i64>,
    pub self_tier: Option<String>,
    pub proposed_tier: Option<String>,
    pub final_tier: Option<String>,
    pub final_reason: Option<String>,
    /// exempt | self_review | cell | upper | decided
    pub stage: String,
}

/// How many members each tier holds (the decided tier, else none).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TierCounts {
    pub htxs: i64,
    pub htt: i64,
    pub ht: i64,
    pub kht: i64,
    /// Exempt, not rated.
    pub exempt: i64,
    /// Not decided yet.
    pub pending: i64,
    pub total: i64,
}

impl TierCounts {
    fn add(&mut self, l: &SummaryLine) {
        self.total += 1;
        match (l.exempt, l.final_tier.as_deref()) {
            (true, _) => self.exempt += 1,
            (_, Some("htxs")) => self.htxs += 1,
            (_, Some("htt")) => self.htt += 1,
            (_, Some("ht")) => self.ht += 1,
            (_, Some("kht")) => self.kht += 1,
            _ => self.pending += 1,
        }
    }
}

/// A round's summary list under a unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundSummary {
    pub round: RoundRow,
    pub unit_id: i64,
    pub unit_name: String,
    pub lines: Vec<SummaryLine>,
    pub totals: TierCounts,
    /// The HTXS quota of the decided tiers (the pack's share of HTT).
    pub max_htxs: i64,
    pub quota_citation: String,
    /// The cells' own ratings under the unit, and how many cells each
    /// decided tier holds.
    pub cells: Vec<super::cell_ratings::CellRatingLine>,
    pub cell_totals: TierCounts,
}

/// One year of a member's rating history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RatingLine {
    pub evaluation_id: i64,
    pub year: i64,
    pub period: String,
    pub exempt: bool,
    pub self_tier: Option<String>,
    pub proposed_tier: Option<String>,
    pub final_tier: Option<String>,
    pub decided_on: Option<NaiveDate>,
}

/// The name of a tier code, for pages and documents.
pub fn tier_name(code: &str) -> &'static str {
    Tier::from_code(code).map_or("", Tier::name)
}

impl Services {
    /// Opens a round: a case per member of every cell under the committee,
    /// exempt members recorded as not rated.
    pub async fn open_evaluation_round(
        &self,
        actor: &Actor,
        unit_id: i64,
        f: &RoundForm,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let on = today(now);
        let (unit, cells) = self
            .db
            .read(async |r| {
                let unit = org_for(r, actor, unit_id).await?;
                if unit.kind == "chi_bo" || !actor.oversees(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                let mut cells = Vec::new();
                for c in stats::cells(r, &unit.path).await? {
                    let cell = org_for(r, actor, c.id).await?;
                    let members = store::members::of_cell(r, c.id).await?;
                    cells.push((cell, members));
                }
                Ok::<_, ServiceError>((unit, cells))
            })
            .await?;
        let mut problems = Problems::default();
        let period = match f.period.trim() {
            "" | "nam" => "nam",
            "quy_1" => "quy_1",
            "quy_2" => "quy_2",
            "quy_3" => "quy_3",
            "quy_4" => "quy_4",
            other => {
                problems.push(Problem::new("period", "evaluation.period", other));
                "nam"
            }
        };
        if !(2000..=2100).contains(&f.year) {
            problems.push(Problem::new("year", "evaluation.year", f.year.to_string()));
        }
        let self_due = problems.take(parse_date("self_review_due", &f.self_review_due));
        let round_due = problems.take(parse_date("round_due", &f.round_due));
        if let (Some(s), Some(d)) = (self_due, round_due) {
            if s < on {
                problems.push(Problem::new(
                    "self_review_due",
                    "evaluation.due_past",
                    crate::model::format_date(s),
                ));
            }
            if d < s {
                problems.push(Problem::new(
                    "round_due",
                    "evaluation.due_order",
                    crate::model::format_date(d),
                ));
            }
        }
        let (Some(self_due), Some(round_due)) = (self_due, round_due) else {
            return Err(ServiceError::Invalid(problems));
        };
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        // The procedures and the form in force on the opening day must exist.
        for kind in [CaseKind::DanhGiaDangVien, CaseKind::DanhGiaChiBo] {
            self.rules.procedure(kind, on).map_err(rules_error)?;
        }
        // HD 43: 2C for members outside the political system, the members
        // of a residential cell; chibo does not record who works where.
        let form = self
            .rules
            .evaluation_form(EvaluationGroup::NgoaiHeThong, on)
            .map_err(rules_error)?
            .as_str()
            .to_string();
        let dates = BTreeMap::from([
            ("han_tu_kiem_diem".to_string(), self_due),
            ("han_dot".to_string(), round_due),
        ]);
        let mut tx = self.db.begin().await?;
        let round_id = db::insert_round(
            &mut tx,
            &NewRound {
                unit_id: unit.id,
                year: f.year.into(),
                period,
                self_review_due: self_due,
                round_due,
                opened_on: on,
            },
            now,
        )
        .await?
        .ok_or_else(|| invalid("year", "evaluation.round_exists", f.year.to_string()))?;
        let round = RoundRow {
            id: round_id,
            unit_id: unit.id,
            year: f.year.into(),
            period: period.into(),
            self_review_due: self_due,
            round_due,
            opened_on: on,
        };
        for (cell, members) in &cells {
            self.open_cell_rating(&mut tx, actor, &round, cell, now)
                .await?;
            for m in members {
                let exempt = m.status == Status::MienSinhHoat.as_str();
                let rated = m.status == Status::ChinhThuc.as_str()
                    || m.status == Status::DuBi.as_str()
                    || m.status == Status::TamThoiDi.as_str();
                // Not yet a member on the opening day (a round recorded late).
                let joined = m.ceremony_date.or(m.admission_date);
                if !(exempt || rated) || joined.is_some_and(|d| d > on) {
                    continue;
                }
                let case_id = if exempt {
                    None
                } else {
                    Some(
                        self.open_case_in(
                            &mut tx,
                            actor,
                            cell,
                            CaseKind::DanhGiaDangVien,
                            (None, Some(m.id)),
                            on,
                            &dates,
                            now,
                        )
                        .await?,
                    )
                };
                let id = db::insert(
                    &mut tx,
                    &NewEvaluation {
                        round_id,
                        cell_id: cell.id,
                        member_id: m.id,
                        case_id,
                        exempt,
                        form: &form,
                    },
                    now,
                )
                .await?;
                audit_entry_with(
                    &mut tx,
                    actor,
                    Subject::member(cell.id, m.id),
                    &[Part::Row("evaluation", vec![id])],
                    "evaluation.open",
                    json!({"round_id": round_id, "evaluation_id": id, "case_id": case_id,
                           "exempt": exempt, "form": form, "year": f.year, "period": period}),
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(round_id)
    }

    /// The rounds the unit or the committees above it opened.
    pub async fn evaluation_rounds(&self, actor: &Actor, unit_id: i64) -> Result<Vec<RoundRow>> {
        self.db
            .read(async |r| {
                let unit = org_for(r, actor, unit_id).await?;
                if !actor.can_see(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                let mut ids = vec![unit.id];
                let mut up = unit.parent_id;
                while let Some(id) = up {
                    let o = super::org(r, id).await?;
                    ids.push(o.id);
                    up = o.parent_id;
                }
                Ok(db::rounds_over(r, &ids).await?)
            })
            .await
    }

    /// What chibo's records say of a member's period: the cell's roll-calls
    /// as the dashboards count them, the tasks as the task table shows them.
    async fn evidence(
        &self,
        r: &mut Reader,
        actor: &Actor,
        e: &EvaluationRow,
        round: &RoundRow,
        now: DateTime<Utc>,
    ) -> Result<Evidence> {
        let period = round_period(round)?;
        let w = window(&period, today(now));
        let presence = stats::members(r, e.cell_id, &w)
            .await?
            .into_iter()
            .find(|p| p.member_id == e.member_id)
            .map(|p| p.presence)
            .unwrap_or_default();
        let (_, tasks) = cell_tasks(r, actor, e.cell_id, &Filter::default(), now).await?;
        let mine = |t: &&TaskItem| {
            (t.task.lead_id == e.member_id || t.owners.iter().any(|o| o.member_id == e.member_id))
                && t.task.assigned_on >= w.start
                && t.task.assigned_on <= w.as_of
        };
        let study = member_study(r, e.cell_id, e.member_id, (w.start, w.as_of), w.as_of).await?;
        let mut ev = Evidence {
            from: w.start,
            to: w.as_of,
            presence,
            study,
            ..Evidence::default()
        };
        let disciplines = super::discipline::discipline_blocks_in(r, e.member_id, w.as_of).await?;
        if let Some((cap, citation)) = self
            .rules
            .discipline_tier_cap(&disciplines, w.start, w.as_of)
            .map_err(rules_error)?
        {
            ev.discipline_cap = Some(cap.code().into());
            ev.discipline_cap_citation = Some(citation);
        }
        let n = TaskTally::of(tasks.iter().filter(mine), w.as_of);
        (
            ev.tasks_assigned,
            ev.tasks_done,
            ev.tasks_on_time,
            ev.tasks_overdue,
            ev.tasks_not_due,
        ) = (n.assigned, n.done, n.on_time, n.overdue, n.not_due);
        Ok(ev)
    }

    /// An evaluation the actor may see: the member themselves, the cell's
    /// committee, the committees above.
    async fn evaluation_in(
        &self,
        r: &mut Reader,
        actor: &Actor,
        id: i64,
    ) -> Result<(EvaluationRow, RoundRow, OrgRow)> {
        let e = db::get(r, id).await?.ok_or(ServiceError::NotFound)?;
        let cell = org_for(r, actor, e.cell_id).await?;
        let own = actor.member_id == Some(e.member_id);
        if !(own || actor.can_read_members(&cell)) {
            return Err(ServiceError::Forbidden);
        }
        let round = db::round(r, e.round_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok((e, round, cell))
    }

    /// One member's evaluation: the form, the frame, the evidence.
    pub async fn evaluation(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<EvaluationView> {
        self.db
            .read(async |r| {
                let (e, round, cell) = self.evaluation_in(r, actor, id).await?;
                let evidence = match e.submitted_on {
                    Some(_) => serde_json::from_str(&e.evidence).unwrap_or_default(),
                    None => self.evidence(r, actor, &e, &round, now).await?,
                };
                let on = today(now);
                let frame = self
                    .rules
                    .evaluation_criteria(round.opened_on)
                    .map_err(rules_error)?;
                let scores: BTreeMap<String, u32> =
                    serde_json::from_str(&e.scores).unwrap_or_default();
                let criteria = frame
                    .items
                    .iter()
                    .map(|(c, max)| CriterionLine {
                        code: c.code().into(),
                        label: c.label().into(),
                        max: *max,
                        points: scores.get(c.code()).copied(),
                    })
                    .collect();
                let allowed = match e.self_points {
                    Some(p) => Some(
                        self.rules
                            .evaluate(
                                &evidence.input(
                                    u32::try_from(p).unwrap_or(0),
                                    u32::try_from(e.tasks_exceeding).unwrap_or(0),
                                ),
                                round.opened_on,
                            )
                            .map_err(rules_error)?,
                    ),
                    None => None,
                };
                // A discipline in the period caps what the points allow.
                let allowed = allowed.map(|mut a| {
                    if let Some((cap, citation)) = evidence.cap()
                        && cap > a.tier
                    {
                        a.tier = cap;
                        a.explanation = format!(
                            "{}: bị thi hành kỷ luật trong kỳ đánh giá — {citation}",
                            cap.name()
                        );
                    }
                    a
                });
                let form_title = self
                    .rules
                    .pack_at(round.opened_on)
                    .ok()
                    .and_then(|v| {
                        FormCode::new(&e.form)
                            .ok()
                            .and_then(|f| v.form(&f).ok().map(|f| f.title.clone()))
                    })
                    .unwrap_or_else(|| e.form.clone());
                let own = actor.member_id == Some(e.member_id);
                let late = on > round.self_review_due;
                Ok(EvaluationView {
                    may_submit: own
                        && !e.exempt
                        && e.submitted_on.is_none()
                        && (!late || e.late_permission.is_some()),
                    manages: actor.can_manage(&cell),
                    oversees: actor.oversees(&cell),
                    late,
                    allowed: allowed.as_ref().map(|a| a.tier.code().to_string()),
                    allowed_explanation: allowed.map(|a| a.explanation),
                    cell_name: cell.name.clone(),
                    form_title,
                    criteria,
                    citation: frame.citation,
                    evidence,
                    round,
                    evaluation: e,
                })
            })
            .await
    }

    /// The member's own evaluation in the newest round, if any is open.
    pub async fn my_open_evaluation(&self, actor: &Actor) -> Result<Option<i64>> {
        let Some(me) = actor.member_id else {
            return Ok(None);
        };
        self.db
            .read(async |r| {
                Ok(db::of_member(r, me)
                    .await?
                    .into_iter()
                    .find(|(_, e)| !e.exempt && e.final_tier.is_none())
                    .map(|(_, e)| e.id))
            })
            .await
    }

    /// The case of an evaluation, as the rules see it.
    async fn case_of(
        &self,
        r: &mut Reader,
        e: &EvaluationRow,
    ) -> Result<(CaseRow, chibo_rules::Case)> {
        let case_id = e
            .case_id
            .ok_or_else(|| invalid("evaluation", "evaluation.exempt", e.full_name.clone()))?;
        let row = cases_db::get(r, case_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let (case, _) = self.stored_case(r, &row).await?;
        Ok((row, case))
    }

    /// A step of an evaluation's case (a member's or a cell's) checked by
    /// the rules and written in the caller's transaction.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn evaluation_step(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        row: &CaseRow,
        case: &mut chibo_rules::Case,
        record: StepRecord,
        vote_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<serde_json::Value> {
        let step = self
            .rules
            .procedure(row.kind, row.opened_on)
            .map_err(rules_error)?
            .step(&record.step)
            .ok_or_else(|| invalid("step", "case.unknown_step", record.step.as_str()))?
            .clone();
        let check = self
            .rules
            .check_step(case, &record, today(now))
            .map_err(refused)?;
        let forms = serde_json::to_string(
            &record
                .forms
                .iter()
                .map(|f| f.as_str().to_string())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_else(|_| "[]".into());
        let step_id = self
            .insert_step(
                tx,
                &NewStep {
                    case_id: row.id,
                    step: record.step.as_str(),
                    on_date: record.date,
                    result: record.result,
                    performer: step.performer,
                    forms: &forms,
                    late_reason: record.late_reason.as_deref(),
                    note: None,
                    vote_id,
                    doc_number: None,
                    actor: &actor.audit_name(),
                },
                now,
            )
            .await?;
        let summary = json!({
            "step_id": step_id, "step": record.step.as_str(), "date": record.date,
            "forms": forms, "vote_id": vote_id, "late_by": check.late_by,
            "late_reason": record.late_reason, "due": check.due.as_ref().map(|d| d.date),
        });
        case.records.push(record);
        Ok(summary)
    }

    /// The member's self-review: every criterion within its points, the
    /// tier within what the points and the records allow, by the deadline
    /// (after it only with the committee's recorded permission).
    pub async fn submit_self_review(
        &self,
        actor: &Actor,
        id: i64,
        f: &SelfReviewForm,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let on = today(now);
        let (e, round, cell, evidence, (row, mut case)) = self
            .db
            .read(async |r| {
                let (e, round, cell) = self.evaluation_in(r, actor, id).await?;
                let evidence = self.evidence(r, actor, &e, &round, now).await?;
                let case = self.case_of(r, &e).await?;
                Ok::<_, ServiceError>((e, round, cell, evidence, case))
            })
            .await?;
        if actor.member_id != Some(e.member_id) {
            return Err(ServiceError::Forbidden);
        }
        if f.version != 0 && f.version != e.version {
            return Err(ServiceError::Stale);
        }
        if e.submitted_on.is_some() {
            return Err(invalid(
                "evaluation",
                "evaluation.submitted",
                crate::model::format_date(e.submitted_on.unwrap_or(on)),
            ));
        }
        if on > round.self_review_due && e.late_permission.is_none() {
            return Err(invalid(
                "evaluation",
                "evaluation.late",
                crate::model::format_date(round.self_review_due),
            ));
        }
        let frame = self
            .rules
            .evaluation_criteria(round.opened_on)
            .map_err(rules_error)?;
        let mut problems = Problems::default();
        for code in f.scores.keys() {
            if Criterion::from_code(code).is_none_or(|c| !frame.items.iter().any(|(x, _)| *x == c))
            {
                problems.push(Problem::new("scores", "evaluation.criterion", code.clone()));
            }
        }
        let mut total = 0;
        for (c, max) in &frame.items {
            match f.scores.get(c.code()) {
                None => problems.push(Problem::new(
                    "scores",
                    "evaluation.score_missing",
                    c.label(),
                )),
                Some(p) if p > max => problems.push(Problem::new(
                    "scores",
                    "evaluation.score_above",
                    format!("{}: {p}/{max}", c.label()),
                )),
                Some(p) => total += p,
            }
        }
        let tier = match Tier::from_code(f.self_tier.trim()) {
            Some(t) => Some(t),
            None => {
                problems.push(Problem::new(
                    "self_tier",
                    "evaluation.tier",
                    f.self_tier.trim(),
                ));
                None
            }
        };
        let body = text(&f.text, "text")?.filter(|t| t.chars().count() <= MAX_REVIEW);
        if body.is_none() {
            problems.push(Problem::new("text", "evaluation.text", ""));
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let tier = tier.ok_or(ServiceError::NotFound)?;
        let exceeding = f
            .tasks_exceeding
            .min(u32::try_from(evidence.tasks_on_time).unwrap_or(0));
        evidence.check_cap(tier)?;
        self.rules
            .check_tier(tier, &evidence.input(total, exceeding), round.opened_on)
            .map_err(rules_error)?
            .map_err(tier_refused)?;
        let form = FormCode::new(&e.form).map_err(|_| invalid("form", "case.form", &e.form))?;
        let record = StepRecord {
            step: StepCode::new("tu_kiem_diem").map_err(|_| ServiceError::NotFound)?,
            date: on,
            result: StepResult::Done,
            forms: vec![form],
            late_reason: e.late_permission.clone(),
        };
        let scores = serde_json::to_string(&f.scores).unwrap_or_else(|_| "{}".into());
        let evidence_json = serde_json::to_string(&evidence).unwrap_or_else(|_| "{}".into());
        let mut tx = self.db.begin().await?;
        touch(&mut tx, &row).await?;
        let step = self
            .evaluation_step(&mut tx, actor, &row, &mut case, record, None, now)
            .await?;
        let saved = db::save_self_review(
            &mut tx,
            e.id,
            e.version,
            &db::SelfReview {
                scores: &scores,
                self_points: total.into(),
                self_tier: tier.code(),
                self_text: body.as_deref(),
                tasks_exceeding: exceeding.into(),
                evidence: &evidence_json,
                submitted_on: on,
            },
        )
        .await?;
        if !saved {
            return Err(ServiceError::Stale);
        }
        audit_entry_with(
            &mut tx,
            actor,
            Subject::case(cell.id, row.id),
            &[Part::Row("evaluation", vec![e.id])],
            "evaluation.self_review",
            json!({"evaluation_id": e.id, "points": total, "tier": tier.code(), "step": step}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The cell's committee lets a member submit after the deadline, with
    /// its reason recorded (the late step cites it).
    pub async fn permit_late_review(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (e, cell) = self
            .db
            .read(async |r| {
                let (e, _, cell) = self.evaluation_in(r, actor, id).await?;
                Ok::<_, ServiceError>((e, cell))
            })
            .await?;
        if !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let Some(reason) = text(reason, "reason")? else {
            return Err(invalid(
                "reason",
                "case.reason_required",
                "cho phép nộp muộn",
            ));
        };
        if e.submitted_on.is_some() {
            return Err(invalid(
                "evaluation",
                "evaluation.submitted",
                crate::model::format_date(e.submitted_on.unwrap_or_default()),
            ));
        }
        let mut tx = self.db.begin().await?;
        if !db::permit_late(&mut tx, e.id, e.version, &reason).await? {
            return Err(ServiceError::Stale);
        }
        audit_entry_with(
            &mut tx,
            actor,
            Subject::member(cell.id, e.member_id),
            &[Part::Row("evaluation", vec![e.id])],
            "evaluation.late_permission",
            json!({"evaluation_id": e.id, "reason": reason}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The cell's meeting proposes a tier: its vote (closed, passed) decides
    /// it; the engine refuses a tier above what the points and the records
    /// allow, and HTXS beyond the quota of the cell's proposals.
    pub async fn propose_tier(
        &self,
        actor: &Actor,
        id: i64,
        f: &ProposalForm,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tier = tier_of(&f.tier, "tier")?;
        let (e, round, cell, (row, mut case), (date, result, vote_id)) = self
            .db
            .read(async |r| {
                let (e, round, cell) = self.evaluation_in(r, actor, id).await?;
                if !actor.can_manage(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let case = self.case_of(r, &e).await?;
                let vote = self
                    .vote_result(r, actor, &cell, DecisionKind::NghiQuyet, f.vote_id)
                    .await?;
                Ok::<_, ServiceError>((e, round, cell, case, vote))
            })
            .await?;
        if f.version != 0 && f.version != e.version {
            return Err(ServiceError::Stale);
        }
        let (Some(points), Some(_)) = (e.self_points, e.submitted_on) else {
            return Err(invalid(
                "evaluation",
                "evaluation.no_self_review",
                e.full_name.clone(),
            ));
        };
        if result != StepResult::Done {
            return Err(invalid(
                "vote_id",
                "evaluation.vote_failed",
                e.full_name.clone(),
            ));
        }
        let vote_id = vote_id.ok_or(ServiceError::NotFound)?;
        let opinions = text(&f.opinions, "opinions")?;
        let evidence: Evidence = serde_json::from_str(&e.evidence).unwrap_or_default();
        let input = evidence.input(
            u32::try_from(points).unwrap_or(0),
            u32::try_from(e.tasks_exceeding).unwrap_or(0),
        );
        evidence.check_cap(tier)?;
        self.rules
            .check_tier(tier, &input, round.opened_on)
            .map_err(rules_error)?
            .map_err(tier_refused)?;
        let mut tx = self.db.begin().await?;
        // The quota counts the cell's proposals as written, this one included.
        let others = db::of_cell_in(&mut tx, round.id, cell.id).await?;
        let count = |t: Tier| {
            u32::try_from(
                others
                    .iter()
                    .filter(|o| o.id != e.id && o.proposed_tier.as_deref() == Some(t.code()))
                    .count(),
            )
            .unwrap_or(u32::MAX)
                + u32::from(tier == t)
        };
        if tier == Tier::Htxs {
            self.rules
                .check_htxs_quota(count(Tier::Htxs), count(Tier::Htt), round.opened_on)
                .map_err(rules_error)?
                .map_err(tier_refused)?;
        }
        touch(&mut tx, &row).await?;
        let mut steps = Vec::new();
        for (code, vote) in [
            ("chi_bo_kiem_diem", None),
            ("chi_bo_de_xuat", Some(vote_id)),
        ] {
            let record = done_step(code, date)?;
            steps.push(
                self.evaluation_step(&mut tx, actor, &row, &mut case, record, vote, now)
                    .await?,
            );
        }
        if !db::propose(
            &mut tx,
            e.id,
            e.version,
            tier.code(),
            opinions.as_deref(),
            vote_id,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        audit_entry_with(
            &mut tx,
            actor,
            Subject::case(cell.id, row.id),
            &[Part::Row("evaluation", vec![e.id])],
            "evaluation.propose",
            json!({"evaluation_id": e.id, "tier": tier.code(), "vote_id": vote_id, "steps": steps}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The upper committee's decisions: each approves the cell's proposal or
    /// changes it with a reason; the engine checks each tier and each cell's
    /// quota on the decided tiers. All or nothing.
    pub async fn decide_tiers(
        &self,
        actor: &Actor,
        round_id: i64,
        f: &DecisionsForm,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        if f.items.is_empty() || f.items.len() > 5000 {
            return Err(invalid(
                "items",
                "evaluation.items",
                f.items.len().to_string(),
            ));
        }
        let on = today(now);
        let (round, items) = self
            .db
            .read(async |r| {
                let round = db::round(r, round_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let mut items = Vec::new();
                for i in &f.items {
                    let (e, _, cell) = self.evaluation_in(r, actor, i.evaluation_id).await?;
                    if e.round_id != round.id {
                        return Err(ServiceError::NotFound);
                    }
                    if !actor.oversees(&cell) {
                        return Err(ServiceError::Forbidden);
                    }
                    let case = self.case_of(r, &e).await?;
                    items.push((i, e, cell, case));
                }
                Ok::<_, ServiceError>((round, items))
            })
            .await?;
        let mut tx = self.db.begin().await?;
        let mut cells: BTreeMap<i64, OrgRow> = BTreeMap::new();
        for (i, e, cell, (row, mut case)) in items {
            let Some(proposed) = e.proposed_tier.as_deref().and_then(Tier::from_code) else {
                return Err(invalid(
                    "items",
                    "evaluation.no_proposal",
                    e.full_name.clone(),
                ));
            };
            let tier = if i.tier.trim().is_empty() {
                proposed
            } else {
                tier_of(&i.tier, "tier")?
            };
            let reason = text(&i.reason, "reason")?;
            if tier != proposed && reason.is_none() {
                return Err(invalid(
                    "reason",
                    "evaluation.reason_required",
                    e.full_name.clone(),
                ));
            }
            let evidence: Evidence = serde_json::from_str(&e.evidence).unwrap_or_default();
            let input = evidence.input(
                u32::try_from(e.self_points.unwrap_or(0)).unwrap_or(0),
                u32::try_from(e.tasks_exceeding).unwrap_or(0),
            );
            evidence.check_cap(tier)?;
            self.rules
                .check_tier(tier, &input, round.opened_on)
                .map_err(rules_error)?
                .map_err(|r| {
                    tier_refused(TierRefusal {
                        message: format!("{}: {}", e.full_name, r.message),
                        ..r
                    })
                })?;
            touch(&mut tx, &row).await?;
            let record = done_step("cap_tren_quyet_dinh", on)?;
            let step = self
                .evaluation_step(&mut tx, actor, &row, &mut case, record, None, now)
                .await?;
            if !db::decide(&mut tx, e.id, e.version, tier.code(), reason.as_deref(), on).await? {
                return Err(ServiceError::Stale);
            }
            audit_entry_with(
                &mut tx,
                actor,
                Subject::case(cell.id, row.id),
                &[Part::Row("evaluation", vec![e.id])],
                "evaluation.decide",
                json!({"evaluation_id": e.id, "proposed": proposed.code(), "tier": tier.code(),
                       "reason": reason, "step": step}),
                now,
            )
            .await?;
            cells.insert(cell.id, cell);
        }
        // Each cell's decided tiers (the proposals where not yet decided)
        // within the quota.
        for cell in cells.values() {
            let all = db::of_cell_in(&mut tx, round.id, cell.id).await?;
            let count = |t: Tier| {
                u32::try_from(
                    all.iter()
                        .filter(|e| {
                            e.final_tier.as_deref().or(e.proposed_tier.as_deref()) == Some(t.code())
                        })
                        .count(),
                )
                .unwrap_or(u32::MAX)
            };
            self.rules
                .check_htxs_quota(count(Tier::Htxs), count(Tier::Htt), round.opened_on)
                .map_err(rules_error)?
                .map_err(|r| {
                    tier_refused(TierRefusal {
                        message: format!("{}: {}", cell.name, r.message),
                        ..r
                    })
                })?;
        }
        tx.commit().await?;
        Ok(f.items.len())
    }

    /// The cell's committee announces the decided tiers: the last step of
    /// each decided case, which closes it.
    pub async fn announce_tiers(
        &self,
        actor: &Actor,
        round_id: i64,
        cell_id: i64,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let on = today(now);
        let (cell, items) = self
            .db
            .read(async |r| {
                let cell = org_for(r, actor, cell_id).await?;
                if !actor.can_manage(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let mut items = Vec::new();
                for e in db::of_round(r, round_id, &cell.path).await? {
                    if e.cell_id != cell.id || e.final_tier.is_none() {
                        continue;
                    }
                    let (row, case) = self.case_of(r, &e).await?;
                    if row.closed_on.is_none() {
                        items.push((e, row, case));
                    }
                }
                Ok::<_, ServiceError>((cell, items))
            })
            .await?;
        if items.is_empty() {
            return Err(invalid(
                "cell_id",
                "evaluation.nothing_to_announce",
                cell.name,
            ));
        }
        let mut tx = self.db.begin().await?;
        let n = items.len();
        for (e, row, mut case) in items {
            touch(&mut tx, &row).await?;
            let record = done_step("thong_bao", on)?;
            let step = self
                .evaluation_step(&mut tx, actor, &row, &mut case, record, None, now)
                .await?;
            audit_entry_with(
                &mut tx,
                actor,
                Subject::case(cell.id, row.id),
                &[Part::Row("evaluation", vec![e.id])],
                "evaluation.announce",
                json!({"evaluation_id": e.id, "tier": e.final_tier, "step": step}),
                now,
            )
            .await?;
            self.close_in(
                &mut tx,
                actor,
                &cell,
                row.id,
                chibo_rules::CaseOutcome::HoanThanh,
                on,
                None,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// A round's summary list under a unit (a cell or a committee), with
    /// the totals by tier and the HTXS quota of the decided tiers.
    pub async fn round_summary(
        &self,
        actor: &Actor,
        round_id: i64,
        unit_id: i64,
    ) -> Result<RoundSummary> {
        self.db
            .read(async |r| {
                let unit = org_for(r, actor, unit_id).await?;
                if !actor.can_read_members(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                self.evaluation_summary_in(r, round_id, &unit).await
            })
            .await
    }

    pub(crate) async fn evaluation_summary_in(
        &self,
        r: &mut Reader,
        round_id: i64,
        unit: &OrgRow,
    ) -> Result<RoundSummary> {
        let round = db::round(r, round_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let names: BTreeMap<i64, String> = stats::cells(r, &unit.path)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let rows = db::of_round(r, round.id, &unit.path).await?;
        let mut totals = TierCounts::default();
        let mut lines = Vec::new();
        for e in rows {
            let stage = stage(&e).into();
            let l = SummaryLine {
                evaluation_id: e.id,
                cell_id: e.cell_id,
                cell_name: names.get(&e.cell_id).cloned().unwrap_or_default(),
                member_id: e.member_id,
                full_name: e.full_name,
                form: e.form,
                exempt: e.exempt,
                self_points: e.self_points,
                self_tier: e.self_tier,
                proposed_tier: e.proposed_tier,
                final_tier: e.final_tier,
                final_reason: e.final_reason,
                stage,
            };
            totals.add(&l);
            lines.push(l);
        }
        let q = self
            .rules
            .htxs_quota(
                u32::try_from(totals.htxs).unwrap_or(u32::MAX),
                u32::try_from(totals.htt).unwrap_or(u32::MAX),
                round.opened_on,
            )
            .map_err(rules_error)?;
        let cells = self.cell_ratings_in(r, round.id, unit).await?;
        Ok(RoundSummary {
            cells: cells.lines,
            cell_totals: cells.totals,
            round,
            unit_id: unit.id,
            unit_name: unit.name.clone(),
            lines,
            totals,
            max_htxs: q.max_htxs.into(),
            quota_citation: q.citation,
        })
    }

    /// A member's ratings, the newest first (the dossier keeps three years).
    pub async fn rating_history(&self, actor: &Actor, member_id: i64) -> Result<Vec<RatingLine>> {
        self.db
            .read(async |r| {
                let m = store::members::get(r, member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let cell = org_for(r, actor, m.cell_id).await?;
                if !(actor.member_id == Some(m.id) || actor.can_read_members(&cell)) {
                    return Err(ServiceError::Forbidden);
                }
                Ok(db::of_member(r, m.id)
                    .await?
                    .into_iter()
                    .map(rating_line)
                    .collect())
            })
            .await
    }
}

/// The period a round rates.
pub(crate) fn round_period(round: &RoundRow) -> Result<Period> {
    let year = i32::try_from(round.year).map_err(|_| ServiceError::NotFound)?;
    let (kind, index) = match round.period.as_str() {
        "quy_1" => (PeriodKind::Quarter, 1),
        "quy_2" => (PeriodKind::Quarter, 2),
        "quy_3" => (PeriodKind::Quarter, 3),
        "quy_4" => (PeriodKind::Quarter, 4),
        _ => (PeriodKind::Year, 1),
    };
    Period::new(kind, year, index).map_err(ServiceError::invalid)
}

/// "năm 2026", "quý IV năm 2026".
pub fn period_label(round: &RoundRow) -> String {
    round_period(round).map_or_else(|_| round.year.to_string(), |p| p.label_vi())
}

/// Where an evaluation stands.
fn stage(e: &EvaluationRow) -> &'static str {
    if e.exempt {
        "exempt"
    } else if e.final_tier.is_some() {
        "decided"
    } else if e.proposed_tier.is_some() {
        "upper"
    } else if e.submitted_on.is_some() {
        "cell"
    } else {
        "self_review"
    }
}

/// A step done on `date`, with no form (the meeting's, the decision's).
pub(super) fn done_step(code: &str, date: NaiveDate) -> Result<StepRecord> {
    Ok(StepRecord {
        step: StepCode::new(code).map_err(|_| ServiceError::NotFound)?,
        date,
        result: StepResult::Done,
        forms: vec![],
        late_reason: None,
    })
}

/// Bumps the case's version as read: another request changed it since, else.
pub(super) async fn touch(tx: &mut Tx, row: &CaseRow) -> Result<()> {
    if cases_db::touch(tx, row.id, row.version).await? {
        Ok(())
    } else {
        Err(ServiceError::Stale)
    }
}

fn rating_line((round, e): (RoundRow, EvaluationRow)) -> RatingLine {
    RatingLine {
        evaluation_id: e.id,
        year: round.year,
        period: round.period,
        exempt: e.exempt,
        self_tier: e.self_tier,
        proposed_tier: e.proposed_tier,
        final_tier: e.final_tier,
        decided_on: e.decided_on,
    }
}

/// A member's ratings of the last three years, the newest first: what the
/// dossier keeps and the member's page shows.
pub(crate) async fn recent_ratings(
    r: &mut Reader,
    member_id: i64,
    on: NaiveDate,
) -> Result<Vec<RatingLine>> {
    let since = i64::from(chrono::Datelike::year(&on)) - 2;
    Ok(db::of_member(r, member_id)
        .await?
        .into_iter()
        .filter(|(round, _)| round.year >= since)
        .map(rating_line)
        .collect())
}
