//! The demo's finished evaluation year: last year's round in every upper
//! committee, run through the services as the people would record it, on
//! the days they would (the self-reviews early in December, the cell's
//! meeting voting each proposal, the committee's decisions, the
//! announcement), so the dashboards and the members' pages show tiers; and
//! each cell's own rating from its report to the upper committee's decision.

use super::super::cell_ratings::{
    CellDecisionItem, CellDecisionsForm, CellProposalForm, CellReviewForm,
};
use super::super::evaluations::{
    DecisionItem, DecisionsForm, ProposalForm, RoundForm, SelfReviewForm,
};
use super::super::meetings::MeetingForm;
use super::super::{Actor, Result, Services};
use crate::model::{Presence, VoteMode};
use crate::store;
use chibo_rules::{DecisionKind, Tier};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use std::collections::BTreeMap;

/// 09:30 in Hà Nội on a day of last year's December.
fn at(year: i32, day: u32) -> DateTime<Utc> {
    let d = NaiveDate::from_ymd_opt(year, 12, day).expect("a December day");
    Ho_Chi_Minh
        .from_local_datetime(&d.and_hms_opt(9, 30, 0).expect("a time"))
        .single()
        .expect("no gap in Hà Nội")
        .with_timezone(&Utc)
}

/// A member's points on the frame, varied by their place on the roll.
fn points(i: usize) -> ([u32; 4], u32) {
    match i % 9 {
        0 => ([10, 10, 10, 65], 1),
        4 => ([8, 7, 7, 40], 0),
        _ => ([9, 9, 8, 54], 0),
    }
}

async fn actor(s: &Services, login: &str) -> Result<Option<Actor>> {
    let Some(a) =
        s.db.read(async |r| store::accounts::by_login(r, login).await)
            .await?
    else {
        return Ok(None);
    };
    Ok(Some(Actor::load(&s.db, a.id).await?))
}

impl Services {
    /// Runs last year's evaluation in every cell of the demo (up to
    /// `max_cells`: a province-sized demo keeps its generation in seconds).
    /// Returns how many members were rated.
    pub async fn generate_demo_evaluations(
        &self,
        now: DateTime<Utc>,
        max_cells: u32,
    ) -> Result<usize> {
        let year = super::super::today(now).year() - 1;
        let secretaries = self.demo_secretaries().await?;
        let form = RoundForm {
            year,
            period: "nam".into(),
            self_review_due: format!("10/12/{year}"),
            round_due: format!("25/12/{year}"),
        };
        let mut rated = 0;
        let mut n = 1;
        while let Some(upper) = actor(self, &super::upper_login(n)).await? {
            n += 1;
            let Some(unit) = upper.units.first().map(|u| u.id) else {
                continue;
            };
            // Each committee opens its own round: one round for a whole
            // province is one change of 300,000 cases, which SQLite's
            // statement savepoints make quadratic (see PERFORMANCE.md).
            let started = std::time::Instant::now();
            let round = self
                .open_evaluation_round(&upper, unit, &form, at(year, 1))
                .await?;
            let opened = started.elapsed();
            let summary = self.round_summary(&upper, round, unit).await?;
            let mut by_cell: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
            for l in summary.lines.iter().filter(|l| !l.exempt) {
                by_cell
                    .entry(l.cell_id)
                    .or_default()
                    .push((l.member_id, l.evaluation_id));
            }
            let mut decisions = Vec::new();
            for (cell_no, (cell, lines)) in (1u32..).zip(by_cell) {
                if cell_no > max_cells {
                    break;
                }
                let Some(secretary) = secretaries.get(&cell) else {
                    continue;
                };
                decisions.extend(
                    self.demo_cell_evaluation(year, secretary, (round, cell), &lines)
                        .await?,
                );
            }
            let run = started.elapsed();
            rated += decisions.len();
            tracing::info!(
                committee = n - 1,
                opened_ms = opened.as_millis(),
                cells_ms = (run - opened).as_millis(),
                "demo: evaluation"
            );
            if decisions.is_empty() {
                continue;
            }
            let cells: Vec<i64> = {
                let mut c: Vec<i64> = decisions.iter().map(|(c, _)| *c).collect();
                c.dedup();
                c
            };
            let items = decisions
                .into_iter()
                .map(|(_, id)| DecisionItem {
                    evaluation_id: id,
                    ..DecisionItem::default()
                })
                .collect();
            self.decide_tiers(&upper, round, &DecisionsForm { items }, at(year, 20))
                .await?;
            // The cells' own ratings: each proposal approved, then announced.
            let items = cells
                .iter()
                .map(|c| CellDecisionItem {
                    cell_id: *c,
                    ..CellDecisionItem::default()
                })
                .collect();
            self.decide_cell_tiers(&upper, round, &CellDecisionsForm { items }, at(year, 20))
                .await?;
            self.announce_cell_tiers(&upper, round, unit, at(year, 22))
                .await?;
            for cell in cells {
                if let Some(secretary) = secretaries.get(&cell) {
                    self.announce_tiers(secretary, round, cell, at(year, 22))
                        .await?;
                }
            }
        }
        Ok(rated)
    }

    /// Each cell's secretary account the demo made, read once: looking
    /// one up by walking the logins made a province's demo quadratic.
    async fn demo_secretaries(&self) -> Result<BTreeMap<i64, Actor>> {
        let mut out = BTreeMap::new();
        let mut n = 1;
        while let Some(a) = actor(self, &super::secretary_login(n)).await? {
            for u in &a.units {
                out.entry(u.id).or_insert_with(|| a.clone());
            }
            n += 1;
        }
        Ok(out)
    }

    /// One cell's part: each member's self-review at the best tier the
    /// engine allows, the meeting voting each proposal (HTXS beyond the
    /// quota proposed HTT instead). Returns (cell, evaluation) to decide.
    async fn demo_cell_evaluation(
        &self,
        year: i32,
        secretary: &Actor,
        (round, cell): (i64, i64),
        lines: &[(i64, i64)],
    ) -> Result<Vec<(i64, i64)>> {
        // The demo has no account per member: each self-review is recorded
        // as the member (their id) in the cell's session.
        let review_day = at(year, 5);
        for (i, (member_id, id)) in lines.iter().enumerate() {
            let me = Actor {
                member_id: Some(*member_id),
                ..secretary.clone()
            };
            let (scores, exceeding) = points(i);
            let view = self.evaluation(&me, *id, review_day).await?;
            let frame: BTreeMap<String, u32> = view
                .criteria
                .iter()
                .zip(scores)
                .map(|(c, p)| (c.code.clone(), p.min(c.max)))
                .collect();
            let total: u32 = frame.values().sum();
            let allowed = self
                .rules
                .evaluate(&view.evidence.input(total, exceeding), view.round.opened_on)
                .map(|e| e.tier)
                .unwrap_or(Tier::Kht);
            let f = SelfReviewForm {
                scores: frame,
                self_tier: allowed.code().into(),
                tasks_exceeding: exceeding,
                text: "Giữ vững phẩm chất chính trị, đạo đức, lối sống; tham gia đầy đủ sinh hoạt chi bộ và các phong trào của khu dân cư.".into(),
                ..SelfReviewForm::default()
            };
            self.submit_self_review(&me, *id, &f, review_day).await?;
        }
        let meeting_day = at(year, 12);
        let meeting = self
            .plan_meeting(
                secretary,
                cell,
                &MeetingForm {
                    kind: "chuyen_de".into(),
                    topic: format!("Kiểm điểm, đánh giá, xếp loại chất lượng đảng viên năm {year}"),
                    date: format!("12/12/{year}"),
                    time: "19:30".into(),
                    place: "Nhà văn hóa khu phố".into(),
                    ..MeetingForm::default()
                },
                meeting_day,
            )
            .await?;
        self.open_meeting(
            secretary,
            meeting,
            Some("Họp theo lịch của đảng ủy"),
            meeting_day,
        )
        .await?;
        let roll = self
            .db
            .read(async |r| store::meetings::roll(r, meeting).await)
            .await?;
        for r in &roll {
            self.mark_attendance(
                secretary,
                meeting,
                r.member_id,
                Presence::CoMat,
                None,
                meeting_day,
            )
            .await?;
        }
        let vote = async |subject: String| -> Result<i64> {
            let vote = self
                .open_vote(
                    secretary,
                    meeting,
                    DecisionKind::NghiQuyet,
                    &subject,
                    VoteMode::Counts,
                    meeting_day,
                )
                .await?;
            let (m, _) = self.meeting(secretary, meeting).await?;
            let v = self
                .db
                .read(async |r| store::meetings::vote(r, vote).await)
                .await?
                .ok_or(super::super::ServiceError::NotFound)?;
            let voters = u32::try_from(self.vote_voters(&m, &v).len()).unwrap_or(0);
            self.enter_counts(secretary, meeting, vote, (voters, 0, 0), meeting_day)
                .await?;
            Ok(vote)
        };
        let mut out = Vec::new();
        // The HTT proposals first, so the quota counts them.
        let mut order: Vec<(i64, i64, Tier)> = Vec::new();
        for (member_id, id) in lines {
            let e = self.evaluation(secretary, *id, meeting_day).await?;
            let tier = e
                .evaluation
                .self_tier
                .as_deref()
                .and_then(Tier::from_code)
                .unwrap_or(Tier::Kht);
            order.push((*member_id, *id, tier));
        }
        order.sort_by_key(|(_, _, t)| *t == Tier::Htxs);
        for (member_id, id, tier) in order {
            let mut proposed = tier;
            loop {
                let vote = vote(format!(
                    "Đề xuất xếp loại đảng viên (mã {member_id}): {}",
                    proposed.name()
                ))
                .await?;
                let f = ProposalForm {
                    tier: proposed.code().into(),
                    opinions: "Chi bộ thống nhất với bản tự kiểm điểm.".into(),
                    vote_id: Some(vote),
                    ..ProposalForm::default()
                };
                match self.propose_tier(secretary, id, &f, meeting_day).await {
                    Ok(()) => break,
                    Err(_) if proposed == Tier::Htxs => proposed = Tier::Htt,
                    Err(e) => return Err(e),
                }
            }
            out.push((cell, id));
        }
        // The cell's own report (form 01) from its records, at the best tier
        // they allow, and the conference's vote on it.
        let view = self
            .cell_rating(secretary, round, cell, meeting_day)
            .await?;
        let points = 88;
        let tier = self
            .rules
            .evaluate_collective(&view.figures.input(points, 0), view.round.opened_on)
            .map(|e| e.tier)
            .unwrap_or(Tier::Kht);
        self.submit_cell_review(
            secretary,
            (round, cell),
            &CellReviewForm {
                points,
                self_tier: tier.code().into(),
                report: format!("Năm {year}, chi bộ duy trì sinh hoạt định kỳ, lãnh đạo đảng viên thực hiện nghị quyết của chi bộ và các phong trào của khu dân cư.\nHạn chế: một số đảng viên tham gia sinh hoạt chưa đều; cần nâng cao chất lượng sinh hoạt chuyên đề."),
                ..CellReviewForm::default()
            },
            meeting_day,
        )
        .await?;
        let v = vote(format!(
            "Đề xuất xếp loại chi bộ năm {year}: {}",
            tier.name()
        ))
        .await?;
        self.propose_cell_tier(
            secretary,
            (round, cell),
            &CellProposalForm {
                tier: tier.code().into(),
                opinions: "Thống nhất với báo cáo kiểm điểm của chi ủy.".into(),
                vote_id: Some(v),
                ..CellProposalForm::default()
            },
            meeting_day,
        )
        .await?;
        // The conference ends with its votes (a meeting left open would
        // stay on the cell's screens as under way).
        self.close_meeting(
            secretary,
            meeting,
            None,
            meeting_day + chrono::Duration::minutes(150),
        )
        .await?;
        Ok(out)
    }
}
