//! The cell's own evaluation in a round (kiểm điểm, đánh giá, xếp loại chất
//! lượng chi bộ; QĐ 366-QĐ/TW Art. 11, HD 43-HD/BTCTW form 01-HD KĐ.ĐG) on
//! its `danh_gia_chi_bo` case: the cell's committee submits the collective
//! self-review with the figures of chibo's own records for the period (its
//! members' tiers, meetings held against those due, resolutions and tasks,
//! dues, discipline, residents' concerns); the cell's conference votes the
//! tier it proposes; the upper committee approves or changes it with a
//! reason, then announces. The engine refuses any tier the points, the
//! tasks or a disciplined committee member forbid, citing the rule. Every
//! act is one transaction: the case's step and the rating's row, imaged by
//! the case's audit entry.

use super::cases::{rules_error, text};
use super::concerns::concern_figures;
use super::dashboard::window;
use super::dues::DuesFigures;
use super::evaluations::{TaskTally, TierCounts, done_step, round_period, tier_name, touch};
use super::tasks::cell_tasks;
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, org_for, today};
use crate::model::{Problem, Problems};
use crate::store::cases::{self as cases_db, CaseRow};
use crate::store::cell_ratings::{self as db, CellRatingRow};
use crate::store::evaluations::{self as evaluations_db, RoundRow};
use crate::store::orgs::OrgRow;
use crate::store::stats::{self, Presence};
use crate::store::tasks::Filter;
use crate::store::{self, Reader, Tx};
use chibo_rules::{
    CaseKind, CaseOutcome, CollectiveInput, DecisionKind, Evaluation, FormCode, MeetingKind,
    StepCode, StepRecord, StepResult, Tier, TierRefusal,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// The longest collective report.
const MAX_REPORT: usize = 8000;

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

fn tier_refused(cell: &str, r: TierRefusal) -> ServiceError {
    ServiceError::invalid(Problem::new(
        "rule",
        r.code,
        format!("{cell}: {}", r.message),
    ))
}

fn tier_of(raw: &str, field: &'static str) -> Result<Tier> {
    Tier::from_code(raw.trim()).ok_or_else(|| invalid(field, "evaluation.tier", raw.trim()))
}

/// What chibo's records say of a cell's period: what its collective report
/// (form 01) is written from, each figure read as the dashboards and the
/// report upward read it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CellFigures {
    /// The first and last day counted.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The members' tiers in the round: the upper committee's decision,
    /// else the cell's proposal; `pending` when neither is recorded.
    pub members: TierCounts,
    /// Meetings held (closed) against those due by the pack's frequency.
    pub regular_held: i64,
    pub regular_due: i64,
    pub thematic_held: i64,
    pub thematic_due: i64,
    pub meetings_citation: String,
    /// The roll-calls of those meetings.
    pub presence: Presence,
    /// Resolutions adopted.
    pub resolutions: i64,
    /// The cell's tasks assigned in the period, as of its last day.
    pub tasks_assigned: i64,
    pub tasks_done: i64,
    pub tasks_on_time: i64,
    pub tasks_overdue: i64,
    /// Not yet due: not counted in the rating.
    pub tasks_not_due: i64,
    /// Dues collected in the period and the arrears on its last day.
    pub dues: DuesFigures,
    /// Members whose discipline took effect in the period, and of them the
    /// members of the cell's committee in it.
    pub disciplined: i64,
    pub leaders_disciplined: i64,
    /// Residents' concerns received in the period and their state.
    pub concerns_received: i64,
    pub concerns_answered: i64,
    pub concerns_open: i64,
    pub concerns_late: i64,
}

impl CellFigures {
    /// The engine's input: the tasks due in the period and the points.
    pub(crate) fn input(&self, points: u32, exceeding: u32) -> CollectiveInput {
        let n = |v: i64| u32::try_from(v).unwrap_or(0);
        CollectiveInput {
            points,
            tasks_total: n(self.tasks_assigned - self.tasks_not_due),
            tasks_done: n(self.tasks_done),
            tasks_on_time: n(self.tasks_on_time),
            tasks_exceeding: exceeding.min(n(self.tasks_on_time)),
            leaders_disciplined: n(self.leaders_disciplined),
        }
    }
}

/// A closed vote of the cell's meetings that may record the proposal.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VoteChoice {
    pub id: i64,
    pub label: String,
}

/// A cell's rating as its page and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellRatingView {
    #[serde(flatten)]
    pub rating: CellRatingRow,
    pub round: RoundRow,
    /// The collective form (01-HD KĐ.ĐG) and its title in the pack.
    pub form: String,
    pub form_title: String,
    /// The records today before the submission; as submitted after.
    pub figures: CellFigures,
    /// The best tier the engine allows with the report's points and the
    /// figures, explained with the rule.
    pub allowed: Option<String>,
    pub allowed_explanation: Option<String>,
    /// self_review | cell | upper | decided | announced
    pub stage: String,
    /// The round's last day passed: a report now needs its reason.
    pub late: bool,
    /// The viewer runs the cell (report, proposal).
    pub manages: bool,
    /// The viewer is the upper committee (decision, announcement).
    pub oversees: bool,
    /// Closed votes of the cell's meetings not yet bound to a case, for
    /// the proposal (to its committee only).
    pub votes: Vec<VoteChoice>,
}

/// The collective self-review the cell's committee submits.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CellReviewForm {
    /// The rating's version when the form was opened (0: do not check).
    pub version: i64,
    /// Points on the 100-point frame.
    pub points: u32,
    /// Tasks the cell says exceeded the requirement (HTXS needs 30 %).
    pub tasks_exceeding: u32,
    /// The tier the cell gives itself: htxs | htt | ht | kht.
    pub self_tier: String,
    /// The report: results, shortcomings, causes, remedies.
    pub report: String,
    /// Why the report comes after its deadline (required then).
    pub late_reason: String,
}

/// The tier the cell's conference proposes, with its closed vote.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CellProposalForm {
    pub version: i64,
    /// htxs | htt | ht | kht
    pub tier: String,
    /// The opinions given on the report.
    pub opinions: String,
    /// The closed vote (nghị quyết) of the cell's meeting on the proposal.
    pub vote_id: Option<i64>,
}

/// One of the upper committee's decisions on a cell.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CellDecisionItem {
    pub cell_id: i64,
    /// The tier decided; the cell's proposal when empty.
    pub tier: String,
    /// Required when the tier differs from the proposal.
    pub reason: String,
}

/// The upper committee's decisions on its cells, written together.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CellDecisionsForm {
    pub items: Vec<CellDecisionItem>,
}

/// A round's cell ratings under a unit: the upper committee's queue, the
/// summary's second list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellRatingList {
    pub round: RoundRow,
    pub unit_id: i64,
    pub unit_name: String,
    pub lines: Vec<CellRatingLine>,
    /// How many cells each decided tier holds (`pending`: not decided).
    pub totals: TierCounts,
    /// The viewer may decide (the upper committee).
    pub oversees: bool,
    /// Cells awaiting the decision, and decided ones not yet announced.
    pub awaiting: usize,
    pub to_announce: usize,
}

/// One cell's rating in the list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellRatingLine {
    pub cell_id: i64,
    /// The collective form (01-HD KĐ.ĐG).
    pub form: String,
    pub cell_name: String,
    pub self_points: Option<i64>,
    pub self_tier: Option<String>,
    pub proposed_tier: Option<String>,
    pub final_tier: Option<String>,
    pub final_reason: Option<String>,
    pub stage: String,
    /// The figures the report was submitted with (none before).
    pub figures: Option<CellFigures>,
}

/// The newest rating of a cell, for its dashboard and the upper table.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CellRatingBrief {
    pub round_id: i64,
    pub year: i64,
    pub stage: String,
    pub proposed_tier: Option<String>,
    pub final_tier: Option<String>,
    /// The tiers' names ("" when none), for the pages.
    pub proposed_name: String,
    pub final_name: String,
}

/// Where a cell's rating stands.
fn stage(e: &CellRatingRow) -> &'static str {
    if e.announced_on.is_some() {
        "announced"
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

fn figures_of(e: &CellRatingRow) -> Option<CellFigures> {
    e.submitted_on
        .and_then(|_| serde_json::from_str(&e.figures).ok())
}

pub(crate) fn brief((year, e): (i64, CellRatingRow)) -> CellRatingBrief {
    CellRatingBrief {
        round_id: e.round_id,
        year,
        stage: stage(&e).into(),
        proposed_name: tier_label(e.proposed_tier.as_deref()).into(),
        final_name: tier_label(e.final_tier.as_deref()).into(),
        proposed_tier: e.proposed_tier,
        final_tier: e.final_tier,
    }
}

/// The newest rating of each cell under a path, by cell.
pub(crate) async fn latest_by_cell(
    r: &mut Reader,
    path: &str,
) -> Result<std::collections::HashMap<i64, CellRatingBrief>> {
    Ok(db::latest_under(r, path)
        .await?
        .into_iter()
        .map(|(year, e)| (e.cell_id, brief((year, e))))
        .collect())
}

/// A cell's rating of a year as the roll-up reports it: the upper
/// committee's decision in the latest round of that year that has one (a
/// proposal is not a rating).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct YearRating {
    pub round_id: i64,
    /// htxs | htt | ht | kht
    pub tier: String,
    /// The tier's name ("Hoàn thành tốt nhiệm vụ").
    pub name: String,
}

/// The rating of `year` of each cell under a path that has one, by cell.
pub(crate) async fn decided_by_cell(
    r: &mut Reader,
    path: &str,
    year: i32,
) -> Result<std::collections::HashMap<i64, YearRating>> {
    let mut out = std::collections::HashMap::new();
    for d in db::decided_under(r, path, i64::from(year)).await? {
        // Newest first within a cell: keep the first.
        out.entry(d.cell_id).or_insert_with(|| YearRating {
            round_id: d.round_id,
            name: tier_name(&d.final_tier).into(),
            tier: d.final_tier,
        });
    }
    Ok(out)
}

/// The count of each tier among `tiers` (`None`: pending).
pub(crate) fn tier_counts<'a>(tiers: impl Iterator<Item = (bool, Option<&'a str>)>) -> TierCounts {
    let mut t = TierCounts::default();
    for (exempt, tier) in tiers {
        t.total += 1;
        match (exempt, tier) {
            (true, _) => t.exempt += 1,
            (_, Some("htxs")) => t.htxs += 1,
            (_, Some("htt")) => t.htt += 1,
            (_, Some("ht")) => t.ht += 1,
            (_, Some("kht")) => t.kht += 1,
            _ => t.pending += 1,
        }
    }
    t
}

/// "Hoàn thành tốt nhiệm vụ" or "" for a tier code.
pub fn tier_label(code: Option<&str>) -> &'static str {
    code.map_or("", tier_name)
}

impl Services {
    /// Opens a cell's own rating in a round, as the round's opening does:
    /// the cell's case, dated from the round (its report due with the
    /// round: the conference that votes it follows the members'
    /// self-reviews), the rating's row and the `cell_rating.open` entry.
    pub(super) async fn open_cell_rating(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        round: &RoundRow,
        cell: &OrgRow,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let dates = BTreeMap::from([
            ("han_bao_cao".to_string(), round.round_due),
            ("han_dot".to_string(), round.round_due),
        ]);
        let case_id = self
            .open_case_in(
                tx,
                actor,
                cell,
                CaseKind::DanhGiaChiBo,
                (None, None),
                round.opened_on,
                &dates,
                now,
            )
            .await?;
        let id = db::insert(tx, (round.id, cell.id, case_id), now).await?;
        audit_entry(
            tx,
            actor,
            Subject::case(cell.id, case_id),
            "cell_rating.open",
            json!({"round_id": round.id, "cell_rating_id": id, "year": round.year, "period": round.period}),
            now,
        )
        .await?;
        Ok(id)
    }

    /// Start-up, after the migrations: the rounds opened before cells were
    /// rated (migration 0025) get the cell ratings they lack, each cell
    /// with members in the round opened as the round's opening would have,
    /// by the system, one transaction per round. Nothing is written when
    /// nothing is missing. Returns how many were opened.
    pub async fn open_missing_cell_ratings(&self, now: DateTime<Utc>) -> Result<usize> {
        let missing = self
            .db
            .read(async |r| {
                let mut rounds: Vec<(RoundRow, Vec<OrgRow>)> = Vec::new();
                for (round_id, cell_id) in db::missing(r).await? {
                    let cell = super::org(r, cell_id).await?;
                    match rounds.last_mut() {
                        Some((round, cells)) if round.id == round_id => cells.push(cell),
                        _ => {
                            let round = evaluations_db::round(r, round_id)
                                .await?
                                .ok_or(ServiceError::NotFound)?;
                            rounds.push((round, vec![cell]));
                        }
                    }
                }
                Ok::<_, ServiceError>(rounds)
            })
            .await?;
        let system = Actor::system();
        let mut opened = 0;
        for (round, cells) in missing {
            self.rules
                .procedure(CaseKind::DanhGiaChiBo, round.opened_on)
                .map_err(rules_error)?;
            let mut tx = self.db.begin().await?;
            for cell in &cells {
                self.open_cell_rating(&mut tx, &system, &round, cell, now)
                    .await?;
            }
            tx.commit().await?;
            opened += cells.len();
        }
        Ok(opened)
    }

    /// A cell's rating in a round, the round and the cell: its committee
    /// and the committees above only.
    async fn cell_rating_in(
        &self,
        r: &mut Reader,
        actor: &Actor,
        round_id: i64,
        cell_id: i64,
    ) -> Result<(CellRatingRow, RoundRow, OrgRow)> {
        let cell = org_for(r, actor, cell_id).await?;
        if !actor.can_organise(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let round = evaluations_db::round(r, round_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let e = db::of_cell(r, round.id, cell.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok((e, round, cell))
    }

    /// The figures of chibo's records for the cell's period, on `now`.
    async fn cell_figures(
        &self,
        r: &mut Reader,
        actor: &Actor,
        cell: &OrgRow,
        round: &RoundRow,
        now: DateTime<Utc>,
    ) -> Result<CellFigures> {
        let period = round_period(round)?;
        let w = window(&period, today(now));
        let members = evaluations_db::of_round(r, round.id, &cell.path).await?;
        let member_tiers = tier_counts(members.iter().filter(|e| e.cell_id == cell.id).map(|e| {
            (
                e.exempt,
                e.final_tier.as_deref().or(e.proposed_tier.as_deref()),
            )
        }));
        let meetings = stats::meetings(r, cell.id, &w).await?;
        let mut presence = Presence::default();
        for m in &meetings {
            presence.add(&m.presence);
        }
        let held = |kinds: &[&str]| {
            meetings
                .iter()
                .filter(|m| kinds.contains(&m.kind.as_str()))
                .count() as i64
        };
        let due = |kind| {
            self.rules
                .meetings_due(kind, w.start, w.as_of)
                .map_err(rules_error)
        };
        let (regular_due, meetings_citation) = due(MeetingKind::Regular)?;
        let (thematic_due, _) = due(MeetingKind::Thematic)?;
        let (_, tasks) = cell_tasks(r, actor, cell.id, &Filter::default(), now).await?;
        let tally = TaskTally::of(
            tasks
                .iter()
                .filter(|t| t.task.assigned_on >= w.start && t.task.assigned_on <= w.as_of),
            w.as_of,
        );
        // The committee of the period: every post held on a day of it.
        let leaders: BTreeSet<i64> = store::orgs::committee(r, cell.id)
            .await?
            .into_iter()
            .filter(|p| p.start_date <= w.as_of && p.end_date.is_none_or(|e| e >= w.start))
            .map(|p| p.member_id)
            .collect();
        let (mut disciplined, mut leaders_disciplined) = (0, 0);
        for m in store::members::of_cell(r, cell.id).await? {
            let blocks = super::discipline::discipline_blocks_in(r, m.id, w.as_of).await?;
            if blocks
                .iter()
                .any(|d| w.start <= d.effective && d.effective <= w.as_of)
            {
                disciplined += 1;
                leaders_disciplined += i64::from(leaders.contains(&m.id));
            }
        }
        let concerns = concern_figures(r, cell.id, w.start, w.as_of, w.as_of).await?;
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        Ok(CellFigures {
            from: w.start,
            to: w.as_of,
            members: member_tiers,
            regular_held: held(&["thuong_ky", "ket_hop"]),
            regular_due: regular_due.into(),
            thematic_held: held(&["chuyen_de", "ket_hop"]),
            thematic_due: thematic_due.into(),
            meetings_citation,
            presence,
            resolutions: meetings
                .iter()
                .filter(|m| m.resolution_id.is_some())
                .count() as i64,
            tasks_assigned: tally.assigned,
            tasks_done: tally.done,
            tasks_on_time: tally.on_time,
            tasks_overdue: tally.overdue,
            tasks_not_due: tally.not_due,
            dues: self
                .dues_figures(r, cell, (w.start, w.as_of), w.as_of)
                .await?,
            disciplined,
            leaders_disciplined,
            concerns_received: count(concerns.received),
            concerns_answered: count(concerns.answered),
            concerns_open: count(concerns.open),
            concerns_late: count(concerns.late),
        })
    }

    /// The collective form the pack in force at the round's opening names.
    pub(crate) fn collective_form(&self, round: &RoundRow) -> Result<String> {
        self.rules
            .param::<String>("evaluation_form_collective", round.opened_on)
            .map_err(rules_error)
    }

    /// The best tier the figures and the points allow.
    fn cell_allowed(
        &self,
        figures: &CellFigures,
        e: &CellRatingRow,
        on: NaiveDate,
    ) -> Result<Option<Evaluation>> {
        let Some(points) = e.self_points else {
            return Ok(None);
        };
        let input = figures.input(
            u32::try_from(points).unwrap_or(0),
            u32::try_from(e.tasks_exceeding).unwrap_or(0),
        );
        Ok(Some(
            self.rules
                .evaluate_collective(&input, on)
                .map_err(rules_error)?,
        ))
    }

    /// A cell's rating: the figures, the report, the proposal, the decision.
    pub async fn cell_rating(
        &self,
        actor: &Actor,
        round_id: i64,
        cell_id: i64,
        now: DateTime<Utc>,
    ) -> Result<CellRatingView> {
        self.db
            .read(async |r| {
                let (e, round, cell) = self.cell_rating_in(r, actor, round_id, cell_id).await?;
                let figures = match figures_of(&e) {
                    Some(f) => f,
                    None => self.cell_figures(r, actor, &cell, &round, now).await?,
                };
                let allowed = self.cell_allowed(&figures, &e, round.opened_on)?;
                let form = self.collective_form(&round)?;
                let form_title = self
                    .rules
                    .pack_at(round.opened_on)
                    .ok()
                    .and_then(|v| {
                        FormCode::new(&form)
                            .ok()
                            .and_then(|f| v.form(&f).ok().map(|f| f.title.clone()))
                    })
                    .unwrap_or_else(|| form.clone());
                let manages = actor.can_manage(&cell);
                let votes = if manages && e.submitted_on.is_some() && e.proposed_tier.is_none() {
                    cases_db::votes_to_record(r, cell.id, &[DecisionKind::NghiQuyet.code()])
                        .await?
                        .into_iter()
                        .map(|(id, label)| VoteChoice { id, label })
                        .collect()
                } else {
                    Vec::new()
                };
                Ok(CellRatingView {
                    stage: stage(&e).into(),
                    late: today(now) > round.round_due,
                    manages,
                    oversees: actor.oversees(&cell),
                    allowed: allowed.as_ref().map(|a| a.tier.code().to_string()),
                    allowed_explanation: allowed.map(|a| a.explanation),
                    form,
                    form_title,
                    figures,
                    votes,
                    round,
                    rating: e,
                })
            })
            .await
    }

    /// The case of a cell's rating, as the rules see it.
    async fn cell_case(
        &self,
        r: &mut Reader,
        e: &CellRatingRow,
    ) -> Result<(CaseRow, chibo_rules::Case)> {
        let row = cases_db::get(r, e.case_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let (case, _) = self.stored_case(r, &row).await?;
        Ok((row, case))
    }

    /// The cell's collective self-review (form 01), with the figures of the
    /// records as they stand: the tier no better than the points, the tasks
    /// and the committee's discipline allow.
    pub async fn submit_cell_review(
        &self,
        actor: &Actor,
        (round_id, cell_id): (i64, i64),
        f: &CellReviewForm,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let on = today(now);
        let (e, round, cell, figures, (row, mut case)) = self
            .db
            .read(async |r| {
                let (e, round, cell) = self.cell_rating_in(r, actor, round_id, cell_id).await?;
                if !actor.can_manage(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let figures = self.cell_figures(r, actor, &cell, &round, now).await?;
                let case = self.cell_case(r, &e).await?;
                Ok::<_, ServiceError>((e, round, cell, figures, case))
            })
            .await?;
        if f.version != 0 && f.version != e.version {
            return Err(ServiceError::Stale);
        }
        if let Some(d) = e.submitted_on {
            return Err(invalid(
                "rating",
                "cell_rating.submitted",
                crate::model::format_date(d),
            ));
        }
        let mut problems = Problems::default();
        if f.points > 100 {
            problems.push(Problem::new(
                "points",
                "cell_rating.points",
                format!("{}/100", f.points),
            ));
        }
        let tier = Tier::from_code(f.self_tier.trim());
        if tier.is_none() {
            problems.push(Problem::new(
                "self_tier",
                "evaluation.tier",
                f.self_tier.trim(),
            ));
        }
        let report = crate::model::nfc(&f.report);
        let n = report.chars().count();
        if report.is_empty() || n > MAX_REPORT {
            problems.push(Problem::new(
                "report",
                "cell_rating.report",
                format!("{n}/{MAX_REPORT}"),
            ));
        }
        let late_reason = text(&f.late_reason, "late_reason")?;
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let tier = tier.ok_or(ServiceError::NotFound)?;
        let exceeding = f
            .tasks_exceeding
            .min(u32::try_from(figures.tasks_on_time).unwrap_or(0));
        self.rules
            .check_collective_tier(tier, &figures.input(f.points, exceeding), round.opened_on)
            .map_err(rules_error)?
            .map_err(|r| tier_refused(&cell.name, r))?;
        let form = self.collective_form(&round)?;
        let record = StepRecord {
            step: StepCode::new("bao_cao_kiem_diem").map_err(|_| ServiceError::NotFound)?,
            date: on,
            result: StepResult::Done,
            forms: vec![FormCode::new(&form).map_err(|_| invalid("form", "case.form", &form))?],
            late_reason,
        };
        let figures_json = serde_json::to_string(&figures).unwrap_or_else(|_| "{}".into());
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
                self_points: f.points.into(),
                tasks_exceeding: exceeding.into(),
                self_tier: tier.code(),
                report: &report,
                figures: &figures_json,
                submitted_on: on,
            },
        )
        .await?;
        if !saved {
            return Err(ServiceError::Stale);
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::case(cell.id, row.id),
            "cell_rating.self_review",
            json!({"cell_rating_id": e.id, "points": f.points, "tier": tier.code(), "step": step}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The tier the cell's conference proposes: its closed, passed vote;
    /// the opinions collected and the conference recorded as the case's
    /// steps; the engine refusing a tier the figures forbid.
    pub async fn propose_cell_tier(
        &self,
        actor: &Actor,
        (round_id, cell_id): (i64, i64),
        f: &CellProposalForm,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tier = tier_of(&f.tier, "tier")?;
        let (e, round, cell, (row, mut case), (date, result, vote_id)) = self
            .db
            .read(async |r| {
                let (e, round, cell) = self.cell_rating_in(r, actor, round_id, cell_id).await?;
                if !actor.can_manage(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let case = self.cell_case(r, &e).await?;
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
                "rating",
                "cell_rating.no_self_review",
                cell.name.clone(),
            ));
        };
        if e.proposed_tier.is_some() {
            return Err(invalid("rating", "cell_rating.proposed", cell.name.clone()));
        }
        if result != StepResult::Done {
            return Err(invalid(
                "vote_id",
                "evaluation.vote_failed",
                cell.name.clone(),
            ));
        }
        let vote_id = vote_id.ok_or(ServiceError::NotFound)?;
        let opinions = text(&f.opinions, "opinions")?;
        let figures = figures_of(&e).unwrap_or_default();
        let input = figures.input(
            u32::try_from(points).unwrap_or(0),
            u32::try_from(e.tasks_exceeding).unwrap_or(0),
        );
        self.rules
            .check_collective_tier(tier, &input, round.opened_on)
            .map_err(rules_error)?
            .map_err(|r| tier_refused(&cell.name, r))?;
        let mut tx = self.db.begin().await?;
        touch(&mut tx, &row).await?;
        let mut steps = Vec::new();
        for (code, vote) in [("lay_y_kien", None), ("chi_bo_kiem_diem", Some(vote_id))] {
            let record = done_step(code, date)?;
            steps.push(
                self.evaluation_step(&mut tx, actor, &row, &mut case, record, vote, now)
                    .await?,
            );
        }
        if !db::propose(
            &mut tx,
            (e.id, e.version),
            tier.code(),
            opinions.as_deref(),
            vote_id,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::case(cell.id, row.id),
            "cell_rating.propose",
            json!({"cell_rating_id": e.id, "tier": tier.code(), "vote_id": vote_id, "steps": steps}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The upper committee's decisions on its cells: each approves the
    /// cell's proposal or changes it with a reason, the engine checking each
    /// tier against the cell's figures. All or nothing.
    pub async fn decide_cell_tiers(
        &self,
        actor: &Actor,
        round_id: i64,
        f: &CellDecisionsForm,
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
        let items = self
            .db
            .read(async |r| {
                let mut items = Vec::new();
                let mut seen = BTreeSet::new();
                for i in &f.items {
                    if !seen.insert(i.cell_id) {
                        return Err(invalid(
                            "items",
                            "cell_rating.duplicate",
                            i.cell_id.to_string(),
                        ));
                    }
                    let (e, round, cell) =
                        self.cell_rating_in(r, actor, round_id, i.cell_id).await?;
                    if !actor.oversees(&cell) {
                        return Err(ServiceError::Forbidden);
                    }
                    let case = self.cell_case(r, &e).await?;
                    items.push((i, e, round, cell, case));
                }
                Ok::<_, ServiceError>(items)
            })
            .await?;
        let mut tx = self.db.begin().await?;
        for (i, e, round, cell, (row, mut case)) in items {
            if e.submitted_on.is_none() {
                return Err(invalid(
                    "items",
                    "cell_rating.no_self_review",
                    cell.name.clone(),
                ));
            }
            let Some(proposed) = e.proposed_tier.as_deref().and_then(Tier::from_code) else {
                return Err(invalid(
                    "items",
                    "cell_rating.no_proposal",
                    cell.name.clone(),
                ));
            };
            if e.final_tier.is_some() {
                return Err(invalid("items", "cell_rating.decided", cell.name.clone()));
            }
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
                    cell.name.clone(),
                ));
            }
            let figures = figures_of(&e).unwrap_or_default();
            let input = figures.input(
                u32::try_from(e.self_points.unwrap_or(0)).unwrap_or(0),
                u32::try_from(e.tasks_exceeding).unwrap_or(0),
            );
            self.rules
                .check_collective_tier(tier, &input, round.opened_on)
                .map_err(rules_error)?
                .map_err(|r| tier_refused(&cell.name, r))?;
            touch(&mut tx, &row).await?;
            let record = done_step("cap_tren_xep_loai", on)?;
            let step = self
                .evaluation_step(&mut tx, actor, &row, &mut case, record, None, now)
                .await?;
            if !db::decide(
                &mut tx,
                (e.id, e.version),
                tier.code(),
                reason.as_deref(),
                on,
            )
            .await?
            {
                return Err(ServiceError::Stale);
            }
            audit_entry(
                &mut tx,
                actor,
                Subject::case(cell.id, row.id),
                "cell_rating.decide",
                json!({"cell_rating_id": e.id, "proposed": proposed.code(), "tier": tier.code(),
                       "reason": reason, "step": step}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(f.items.len())
    }

    /// The upper committee announces its decided cell ratings under a unit:
    /// each case's last step, closing it.
    pub async fn announce_cell_tiers(
        &self,
        actor: &Actor,
        round_id: i64,
        unit_id: i64,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let on = today(now);
        let (unit, items) = self
            .db
            .read(async |r| {
                let unit = org_for(r, actor, unit_id).await?;
                if !actor.oversees(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                let mut items = Vec::new();
                for e in db::of_round(r, round_id, &unit.path).await? {
                    if e.final_tier.is_none() || e.announced_on.is_some() {
                        continue;
                    }
                    let cell = org_for(r, actor, e.cell_id).await?;
                    let case = self.cell_case(r, &e).await?;
                    items.push((e, cell, case));
                }
                Ok::<_, ServiceError>((unit, items))
            })
            .await?;
        if items.is_empty() {
            return Err(invalid("unit", "evaluation.nothing_to_announce", unit.name));
        }
        let n = items.len();
        let mut tx = self.db.begin().await?;
        for (e, cell, (row, mut case)) in items {
            touch(&mut tx, &row).await?;
            let record = done_step("thong_bao", on)?;
            let step = self
                .evaluation_step(&mut tx, actor, &row, &mut case, record, None, now)
                .await?;
            if !db::announce(&mut tx, (e.id, e.version), on).await? {
                return Err(ServiceError::Stale);
            }
            self.close_in(
                &mut tx,
                actor,
                &cell,
                row.id,
                CaseOutcome::HoanThanh,
                on,
                None,
                now,
            )
            .await?;
            audit_entry(
                &mut tx,
                actor,
                Subject::case(cell.id, row.id),
                "cell_rating.announce",
                json!({"cell_rating_id": e.id, "tier": e.final_tier, "step": step}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// A round's cell ratings under a unit (a committee's queue, or one
    /// cell), with the count of each decided tier.
    pub async fn cell_ratings(
        &self,
        actor: &Actor,
        round_id: i64,
        unit_id: i64,
    ) -> Result<CellRatingList> {
        self.db
            .read(async |r| {
                let unit = org_for(r, actor, unit_id).await?;
                if !actor.can_organise(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                let mut list = self.cell_ratings_in(r, round_id, &unit).await?;
                list.oversees = actor.oversees(&unit);
                Ok(list)
            })
            .await
    }

    pub(crate) async fn cell_ratings_in(
        &self,
        r: &mut Reader,
        round_id: i64,
        unit: &OrgRow,
    ) -> Result<CellRatingList> {
        let round = evaluations_db::round(r, round_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let rows = db::of_round(r, round.id, &unit.path).await?;
        let form = self.collective_form(&round)?;
        let totals = tier_counts(rows.iter().map(|e| (false, e.final_tier.as_deref())));
        let awaiting = rows.iter().filter(|e| stage(e) == "upper").count();
        let to_announce = rows.iter().filter(|e| stage(e) == "decided").count();
        let lines = rows
            .into_iter()
            .map(|e| CellRatingLine {
                form: form.clone(),
                stage: stage(&e).into(),
                figures: figures_of(&e),
                cell_id: e.cell_id,
                cell_name: e.cell_name,
                self_points: e.self_points,
                self_tier: e.self_tier,
                proposed_tier: e.proposed_tier,
                final_tier: e.final_tier,
                final_reason: e.final_reason,
            })
            .collect();
        Ok(CellRatingList {
            round,
            unit_id: unit.id,
            unit_name: unit.name.clone(),
            lines,
            totals,
            oversees: false,
            awaiting,
            to_announce,
        })
    }
}
