//! Party badges (Huy hiệu Đảng): each member's party age from the admission
//! decision less the time spent removed or expelled (chibo-rules), the
//! milestone they reach and the ceremony it is presented at (pack data), the
//! lists of members due this year and next, the proposal as a `huy_hieu` case
//! from the cell through the upper committee (its guard checked at each step),
//! and the award recorded on the member when the badge is presented.

use super::cases::{CaseDetail, rules_error, violated};
use super::documents::{FileName, Printable};
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, org, org_for, today};
use crate::model::{Problem, Status, format_date, parse_date};
use crate::store::badges::{self as db, AwardRow, BadgeMember, ProposalRow};
use crate::store::members::MemberRow;
use crate::store::orgs::OrgRow;
use crate::store::{self, Reader, Tx};
use chibo_print::{Align, Block, Column, Document, Orientation, Properties, Signature, Table};
use chibo_rules::{BadgeCandidate, CaseKind, Discipline, Interruption, Violation};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// The years a badge list can be asked for.
const BADGE_YEARS: std::ops::RangeInclusive<i32> = 1930..=2100;

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

/// A member due for a badge at a ceremony.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BadgeLine {
    pub member_id: i64,
    pub full_name: String,
    pub cell_id: i64,
    pub cell_name: String,
    /// Years of party age.
    pub milestone: u32,
    /// The day the party age reaches it.
    pub reached_on: NaiveDate,
    /// The ceremony (3/2, 19/5, 2/9, 7/11 as the pack says) it is presented at.
    pub ceremony_on: NaiveDate,
    /// Presented before the milestone is reached (posthumous award).
    pub early: bool,
    /// Days left out of the party age (time removed or expelled).
    pub days_interrupted: u64,
    /// The open proposal (a `huy_hieu` case), if the cell proposed it.
    pub case_id: Option<i64>,
    pub citation: String,
}

/// The badges due under a unit (a cell, or an upper committee's cells).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BadgeList {
    pub unit_id: i64,
    pub unit_name: String,
    /// Due from today to the end of this year.
    pub year: i32,
    pub this_year: Vec<BadgeLine>,
    /// Due next year.
    pub next_year: Vec<BadgeLine>,
    /// The proposals under way (the upper committee approves these).
    pub proposals: Vec<ProposalRow>,
    /// The actor runs this cell (may propose).
    pub manages: bool,
    /// The actor is the upper committee of these cells (approves).
    pub oversees: bool,
}

/// One member's badges: party age, awards and the next one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberBadges {
    pub member_id: i64,
    pub full_name: String,
    pub admission_date: Option<NaiveDate>,
    /// Party age today: full years and months beyond them.
    pub party_age_years: u32,
    pub party_age_months: u32,
    /// Days left out (removed or expelled), and the periods.
    pub days_interrupted: u64,
    pub interruptions: Vec<Period>,
    pub awards: Vec<AwardRow>,
    /// The next badge within this year and next, if any.
    pub next: Option<BadgeLine>,
    /// The open proposal, if any.
    pub proposal: Option<ProposalRow>,
}

/// A period without party activity.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A proposal to open.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BadgeProposalForm {
    pub member_id: i64,
    /// The ceremony (dd/mm/yyyy or yyyy-mm-dd); empty: the next one at which
    /// the badge is due.
    pub ceremony_on: String,
}

/// The papers of a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeForm {
    /// Tờ khai đề nghị tặng Huy hiệu Đảng (6-HHĐ).
    Declaration,
    /// Danh sách đề nghị tặng Huy hiệu Đảng (4-HHĐ).
    List,
    /// Phiếu đảng viên (2-HSĐV): the member's data sheet.
    DataSheet,
}

impl BadgeForm {
    /// From the form's code ("6-HHĐ") or its ASCII name in a URL ("6-hhd").
    pub fn parse(raw: &str) -> Option<BadgeForm> {
        match raw.trim().to_lowercase().as_str() {
            "6-hhđ" | "6-hhd" => Some(BadgeForm::Declaration),
            "4-hhđ" | "4-hhd" => Some(BadgeForm::List),
            "2-hsđv" | "2-hsdv" => Some(BadgeForm::DataSheet),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            BadgeForm::Declaration => "6-HHĐ",
            BadgeForm::List => "4-HHĐ",
            BadgeForm::DataSheet => "2-HSĐV",
        }
    }
}

/// The disciplines that block a member's badge (cảnh cáo, cách chức, for
/// the months the pack says): the decisions that had taken effect by `on`,
/// as the discipline cases recorded them. The rules decide which levels
/// block and for how long; a lapsed decision still counts for its months.
pub(crate) fn badge_blocks(decisions: &[Discipline], on: NaiveDate) -> Vec<Discipline> {
    decisions
        .iter()
        .filter(|d| d.effective <= on)
        .copied()
        .collect()
}

/// Everything the badge rules read about the members under a unit, on one
/// snapshot: who, their standing histories (only those that may interrupt),
/// their awards and the open proposals.
struct Registry {
    members: Vec<BadgeMember>,
    histories: BTreeMap<i64, Vec<(Status, NaiveDate)>>,
    awards: BTreeMap<i64, Vec<AwardRow>>,
    proposals: Vec<ProposalRow>,
    disciplines: BTreeMap<i64, Vec<Discipline>>,
}

impl Services {
    async fn registry(&self, r: &mut Reader, path: &str, on: NaiveDate) -> Result<Registry> {
        let codes: Vec<String> = self
            .rules
            .param("party_age_interrupting_statuses", on)
            .map_err(rules_error)?;
        let interrupting: Vec<Status> = codes.iter().filter_map(|c| Status::from_code(c)).collect();
        let (history_rows, discipline_rows) = db::histories_under(r, path, &interrupting).await?;
        let mut histories: BTreeMap<i64, Vec<(Status, NaiveDate)>> = BTreeMap::new();
        for (m, s, from) in history_rows {
            if let Some(s) = Status::from_code(&s) {
                histories.entry(m).or_default().push((s, from));
            }
        }
        let mut disciplines: BTreeMap<i64, Vec<Discipline>> = BTreeMap::new();
        for (m, level, effective) in discipline_rows {
            if let Ok(level) = level.parse() {
                disciplines
                    .entry(m)
                    .or_default()
                    .push(Discipline { level, effective });
            }
        }
        let mut awards: BTreeMap<i64, Vec<AwardRow>> = BTreeMap::new();
        for a in db::awards_under(r, path).await? {
            awards.entry(a.member_id).or_default().push(a);
        }
        Ok(Registry {
            members: db::members_under(r, path).await?,
            histories,
            awards,
            proposals: db::open_under(r, path).await?,
            disciplines,
        })
    }

    /// A member as the badge rules see them on `on`; None without an
    /// admission date (nothing to count from).
    fn badge_candidate(
        &self,
        m: &BadgeMember,
        history: &[(Status, NaiveDate)],
        awards: &[AwardRow],
        disciplines: &[Discipline],
        on: NaiveDate,
    ) -> Result<Option<BadgeCandidate>> {
        let Some(admission) = m.admission_date else {
            return Ok(None);
        };
        let interruptions = self
            .rules
            .party_interruptions(history, on)
            .map_err(rules_error)?;
        Ok(Some(BadgeCandidate {
            id: m.id.to_string(),
            admission,
            interruptions,
            awarded: awards
                .iter()
                .filter_map(|a| u32::try_from(a.milestone).ok())
                .collect(),
            seriously_ill: false,
            deceased: m.status == Status::TuTran,
            disciplines: badge_blocks(disciplines, on),
        }))
    }

    /// The member's next badge at a ceremony from `from` to `to`.
    fn badge_line(
        &self,
        m: &BadgeMember,
        c: &BadgeCandidate,
        (from, to): (NaiveDate, NaiveDate),
        proposals: &[ProposalRow],
    ) -> Result<Option<BadgeLine>> {
        let Some((ceremony, due)) = self.rules.next_badge(c, from, to).map_err(rules_error)? else {
            return Ok(None);
        };
        let days_interrupted =
            chibo_rules::party_age(c.admission, &c.interruptions, ceremony).days_interrupted;
        Ok(Some(BadgeLine {
            member_id: m.id,
            full_name: m.full_name.clone(),
            cell_id: m.cell_id,
            cell_name: m.cell_name.clone(),
            milestone: due.milestone,
            reached_on: due.reached_on,
            ceremony_on: ceremony,
            early: due.early,
            days_interrupted,
            case_id: proposals
                .iter()
                .find(|p| p.member_id == m.id)
                .map(|p| p.case_id),
            citation: due.citation,
        }))
    }

    /// Every member under a path due for a badge at a ceremony from `from`
    /// to `to`, the earliest ceremony first: the one computation behind the
    /// lists, the dashboard's count and the API.
    pub(crate) async fn badges_due_in(
        &self,
        r: &mut Reader,
        path: &str,
        (from, to): (NaiveDate, NaiveDate),
    ) -> Result<(Vec<BadgeLine>, Vec<ProposalRow>)> {
        let reg = self.registry(r, path, from).await?;
        let none = Vec::new();
        let mut out = Vec::new();
        for m in &reg.members {
            let history = reg.histories.get(&m.id).unwrap_or(&none);
            let awards = reg.awards.get(&m.id).map_or(&[][..], Vec::as_slice);
            let disciplines = reg.disciplines.get(&m.id).map_or(&[][..], Vec::as_slice);
            let Some(c) = self.badge_candidate(m, history, awards, disciplines, from)? else {
                continue;
            };
            if let Some(line) = self.badge_line(m, &c, (from, to), &reg.proposals)? {
                out.push(line);
            }
        }
        out.sort_by(|a, b| {
            (a.ceremony_on, &a.cell_name, &a.full_name).cmp(&(
                b.ceremony_on,
                &b.cell_name,
                &b.full_name,
            ))
        });
        Ok((out, reg.proposals))
    }

    /// The members under a unit due for a badge from today to the end of
    /// `year` (this year when absent), and in the year after it.
    pub async fn badge_list(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        year: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<BadgeList> {
        let on = today(now);
        let year = year.unwrap_or(on.year());
        // From the Party's founding to a year whose "next year" still has
        // four digits: a date past 9999 is not an ISO date (the API's
        // `date` fields would carry "+55986-02-03").
        if !BADGE_YEARS.contains(&year) {
            return Err(invalid("year", "badge.year", year.to_string()));
        }
        let start = NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| invalid("year", "badge.year", year.to_string()))?
            .max(on);
        let end_this = NaiveDate::from_ymd_opt(year, 12, 31)
            .ok_or_else(|| invalid("year", "badge.year", year.to_string()))?;
        let end_next = NaiveDate::from_ymd_opt(year + 1, 12, 31)
            .ok_or_else(|| invalid("year", "badge.year", year.to_string()))?;
        self.db
            .read(async |r| {
                let unit = super::orgs::unit_for(r, actor, unit).await?;
                if !actor.can_read_members(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                let (lines, proposals) = if start > end_next {
                    (Vec::new(), Vec::new())
                } else {
                    self.badges_due_in(r, &unit.path, (start, end_next)).await?
                };
                let (this_year, next_year) =
                    lines.into_iter().partition(|l| l.ceremony_on <= end_this);
                Ok(BadgeList {
                    unit_id: unit.id,
                    unit_name: unit.name.clone(),
                    year,
                    this_year,
                    next_year,
                    proposals,
                    manages: unit.kind == "chi_bo" && actor.can_manage(&unit),
                    oversees: actor.oversees(&unit),
                })
            })
            .await
    }

    /// One member's badge record in the request's reader.
    async fn member_badges_in(
        &self,
        r: &mut Reader,
        member_id: i64,
        on: NaiveDate,
    ) -> Result<(MemberBadges, Option<BadgeCandidate>)> {
        let m = store::members::get(r, member_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let cell = org(r, m.cell_id).await?;
        self.member_badges_of(r, &m, &cell.name, on).await
    }

    /// [`Self::member_badges_in`] of a member already read.
    pub(super) async fn member_badges_of(
        &self,
        r: &mut Reader,
        m: &MemberRow,
        cell_name: &str,
        on: NaiveDate,
    ) -> Result<(MemberBadges, Option<BadgeCandidate>)> {
        let record = db::record_of(r, m.id).await?;
        let history: Vec<(Status, NaiveDate)> = record
            .history
            .iter()
            .filter_map(|(s, d)| Status::from_code(s).map(|s| (s, *d)))
            .collect();
        let (awards, proposal) = (record.awards, record.proposal);
        let bm = BadgeMember {
            id: m.id,
            cell_id: m.cell_id,
            cell_name: cell_name.to_string(),
            full_name: m.full_name.clone(),
            admission_date: m.admission_date,
            status: m.status,
        };
        let disciplines: Vec<Discipline> = record
            .disciplines
            .iter()
            .filter_map(|(level, effective)| {
                Some(Discipline {
                    level: level.parse().ok()?,
                    effective: *effective,
                })
            })
            .collect();
        let candidate = self.badge_candidate(&bm, &history, &awards, &disciplines, on)?;
        let end = NaiveDate::from_ymd_opt(on.year() + 1, 12, 31).unwrap_or(on);
        let (age, next) = match &candidate {
            Some(c) if bm.status.on_list() => {
                let age = chibo_rules::party_age(c.admission, &c.interruptions, on);
                let proposals: Vec<ProposalRow> = proposal.iter().cloned().collect();
                (Some(age), self.badge_line(&bm, c, (on, end), &proposals)?)
            }
            Some(c) => (
                Some(chibo_rules::party_age(c.admission, &c.interruptions, on)),
                None,
            ),
            None => (None, None),
        };
        let mb = MemberBadges {
            member_id: m.id,
            full_name: m.full_name.clone(),
            admission_date: m.admission_date,
            party_age_years: age.map_or(0, |a| a.years),
            party_age_months: age.map_or(0, |a| a.months),
            days_interrupted: age.map_or(0, |a| a.days_interrupted),
            interruptions: candidate
                .as_ref()
                .map(|c| {
                    c.interruptions
                        .iter()
                        .map(|i: &Interruption| Period {
                            from: i.from,
                            to: i.to,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            awards,
            next,
            proposal,
        };
        Ok((mb, candidate))
    }

    /// A member's badges: their own, or a member of a cell the actor reads.
    pub async fn member_badges(
        &self,
        actor: &Actor,
        member_id: i64,
        now: DateTime<Utc>,
    ) -> Result<MemberBadges> {
        self.db
            .read(async |r| {
                let m = store::members::get(r, member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let cell = org_for(r, actor, m.cell_id).await?;
                if !(actor.can_read_members(&cell) || actor.member_id == Some(m.id)) {
                    return Err(ServiceError::Forbidden);
                }
                Ok(self.member_badges_in(r, member_id, today(now)).await?.0)
            })
            .await
    }

    /// A member's own next badge (their home page).
    pub(super) async fn my_badge(
        &self,
        r: &mut Reader,
        m: &MemberRow,
        on: NaiveDate,
    ) -> Result<Option<BadgeLine>> {
        if m.admission_date.is_none() {
            return Ok(None);
        }
        Ok(self.member_badges_of(r, m, "", on).await?.0.next)
    }

    /// Whether the member may be proposed for the badge of `ceremony`, with
    /// the registry as it stands (the guard of the case's steps).
    pub(super) async fn badge_guard(
        &self,
        r: &mut Reader,
        case_id: i64,
        member_id: i64,
    ) -> Result<Vec<Violation>> {
        let Some(p) = db::proposal(r, case_id).await? else {
            return Err(ServiceError::NotFound);
        };
        let (_, candidate) = self.member_badges_in(r, member_id, p.ceremony_on).await?;
        let Some(c) = candidate else {
            return Err(invalid(
                "member_id",
                "badge.no_admission_date",
                member_id.to_string(),
            ));
        };
        Ok(match self.rules.badge_eligibility(&c, p.ceremony_on) {
            Ok(due) if i64::from(due.milestone) == p.milestone => Vec::new(),
            Ok(due) => vec![Violation {
                guard: chibo_rules::Guard::HuyHieu,
                code: "huy_hieu.milestone_changed",
                message: format!(
                    "đề nghị Huy hiệu {} năm tuổi Đảng, nhưng mốc đến ngày {} là {} năm",
                    p.milestone,
                    format_date(p.ceremony_on),
                    due.milestone
                ),
                citation: due.citation,
            }],
            Err(v) => v,
        })
    }

    /// The cell proposes a member for the badge of a ceremony: refused, with
    /// the rule cited and nothing written, unless the milestone is reached
    /// by then and no discipline blocks it. Opens the `huy_hieu` case.
    pub async fn propose_badge(
        &self,
        actor: &Actor,
        f: &BadgeProposalForm,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let on = today(now);
        let asked = if f.ceremony_on.trim().is_empty() {
            None
        } else {
            Some(parse_date("ceremony_on", &f.ceremony_on).map_err(ServiceError::invalid)?)
        };
        let (cell, mb, candidate) = self
            .db
            .read(async |r| {
                let m = store::members::get(r, f.member_id).await?.ok_or_else(|| {
                    invalid("member_id", "member.unknown", f.member_id.to_string())
                })?;
                let cell = org_for(r, actor, m.cell_id).await?;
                let (mb, c) = self.member_badges_in(r, m.id, on).await?;
                Ok::<_, ServiceError>((cell, mb, c))
            })
            .await?;
        if cell.kind != "chi_bo" || !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let Some(mut candidate) = candidate else {
            return Err(invalid(
                "member_id",
                "badge.no_admission_date",
                mb.full_name,
            ));
        };
        if let Some(p) = &mb.proposal {
            return Err(invalid(
                "member_id",
                "case.already_open",
                format!(
                    "{}: đã đề nghị Huy hiệu {} năm tuổi Đảng (hồ sơ #{})",
                    mb.full_name, p.milestone, p.case_id
                ),
            ));
        }
        let ceremony = match asked {
            Some(d) => {
                if d < on {
                    return Err(invalid("ceremony_on", "date.past", format_date(d)));
                }
                let days = self.rules.badge_ceremonies(d, d).map_err(rules_error)?;
                if days.is_empty() {
                    let cite = self
                        .rules
                        .pack_at(d)
                        .and_then(|v| v.cite("badge_ceremony_dates"))
                        .map_err(rules_error)?;
                    return Err(invalid(
                        "ceremony_on",
                        "badge.not_a_ceremony",
                        format!(
                            "{} không phải ngày trao Huy hiệu Đảng — {cite}",
                            format_date(d)
                        ),
                    ));
                }
                d
            }
            None => match &mb.next {
                Some(n) => n.ceremony_on,
                None => self.rules.next_badge_ceremony(on).map_err(rules_error)?,
            },
        };
        // The history is read again as of the ceremony (an interruption
        // still running is counted up to it).
        let history = self
            .db
            .read(async |r| store::members::status_history(r, mb.member_id).await)
            .await?;
        let history: Vec<(Status, NaiveDate)> = history
            .into_iter()
            .map(|p| (p.status, p.start_date))
            .collect();
        candidate.interruptions = self
            .rules
            .party_interruptions(&history, ceremony)
            .map_err(rules_error)?;
        let due = self
            .rules
            .badge_eligibility(&candidate, ceremony)
            .map_err(|v| {
                violated(
                    v.into_iter()
                        .map(|mut v| {
                            v.message = format!("{}: {}", mb.full_name, v.message);
                            v
                        })
                        .collect(),
                )
            })?;
        let mut tx = self.db.begin().await?;
        let id = self
            .open_case_in(
                &mut tx,
                actor,
                &cell,
                CaseKind::HuyHieu,
                (None, Some(mb.member_id)),
                on,
                &BTreeMap::new(),
                now,
            )
            .await?;
        let p = ProposalRow {
            case_id: id,
            member_id: mb.member_id,
            milestone: i64::from(due.milestone),
            ceremony_on: ceremony,
            early: due.early,
        };
        db::insert_proposal(&mut tx, &p, now).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::case(cell.id, id),
            "badge.propose",
            json!({"member_id": p.member_id, "milestone": p.milestone, "ceremony_on": ceremony,
                   "reached_on": due.reached_on, "early": due.early, "citation": due.citation}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// [`Self::propose_badge`], returning the case as it stands.
    pub async fn open_badge_case(
        &self,
        actor: &Actor,
        f: &BadgeProposalForm,
        now: DateTime<Utc>,
    ) -> Result<CaseDetail> {
        let id = self.propose_badge(actor, f, now).await?;
        self.case_detail(actor, id, now).await
    }

    /// The badge presented (the case's last step): the award recorded on the
    /// member with the decision's number, in the step's transaction.
    pub(super) async fn award_badge_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        cell: &OrgRow,
        case_id: i64,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let p = db::proposal_in(tx, case_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let decision_no = db::decision_no_in(tx, case_id, "quyet_dinh").await?;
        let award = AwardRow {
            id: 0,
            member_id: p.member_id,
            milestone: p.milestone,
            awarded_on: date,
            case_id: Some(case_id),
            decision_no,
        };
        if !db::insert_award(tx, &award, &actor.audit_name(), now).await? {
            return Err(invalid(
                "step",
                "badge.already_awarded",
                format!("Huy hiệu {} năm tuổi Đảng", p.milestone),
            ));
        }
        audit_entry(
            tx,
            actor,
            Subject::member(cell.id, p.member_id),
            "badge.award",
            json!({"case_id": case_id, "milestone": p.milestone, "awarded_on": date,
                   "decision_no": award.decision_no}),
            now,
        )
        .await
    }

    /// A proposal's papers: the member's declaration (6-HHĐ), the upper
    /// committee's list for the ceremony (4-HHĐ) or the member's data sheet
    /// (2-HSĐV), prefilled from the registry.
    pub async fn badge_document(
        &self,
        actor: &Actor,
        case_id: i64,
        form: BadgeForm,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let on = today(now);
        let d = self.case_detail(actor, case_id, now).await?;
        if d.case.kind != CaseKind::HuyHieu {
            return Err(ServiceError::NotFound);
        }
        let member_id = d.case.member_id.ok_or(ServiceError::NotFound)?;
        let (p, m, mb, cell, upper, header, listed) = self
            .db
            .read(async |r| {
                let p = db::proposal(r, case_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let m = store::members::get(r, member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let (mb, _) = self.member_badges_in(r, member_id, p.ceremony_on).await?;
                let cell = org(r, d.case.cell_id).await?;
                let upper = match cell.parent_id {
                    Some(u) => org(r, u).await?,
                    None => cell.clone(),
                };
                let issuer = if form == BadgeForm::List {
                    &upper
                } else {
                    &cell
                };
                let header = self.letterhead(r, issuer, None, on).await?;
                // The list: every proposal of the committee's cells for the ceremony.
                let mut listed = Vec::new();
                if form == BadgeForm::List {
                    for q in db::open_under(r, &upper.path)
                        .await?
                        .into_iter()
                        .filter(|q| q.ceremony_on == p.ceremony_on)
                    {
                        if let Some(x) = store::members::get(r, q.member_id).await? {
                            let c = org(r, x.cell_id).await?;
                            listed.push((q, x, c.name));
                        }
                    }
                    if !listed.iter().any(|(q, _, _)| q.case_id == p.case_id) {
                        listed.push((p.clone(), m.clone(), cell.name.clone()));
                    }
                }
                Ok::<_, ServiceError>((p, m, mb, cell, upper, header, listed))
            })
            .await?;
        let dash = || "…".to_string();
        let date = |d: Option<NaiveDate>| d.map(format_date).unwrap_or_else(dash);
        let opt = |s: &Option<String>| s.clone().filter(|s| !s.is_empty()).unwrap_or_else(dash);
        let awarded = if mb.awards.is_empty() {
            "chưa".to_string()
        } else {
            mb.awards
                .iter()
                .map(|a| format!("{} năm ({})", a.milestone, format_date(a.awarded_on)))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let age = format!(
            "{} năm {} tháng (đến ngày {}; đã trừ {} ngày không sinh hoạt đảng)",
            mb.party_age_years,
            mb.party_age_months,
            format_date(p.ceremony_on),
            mb.days_interrupted
        );
        let title_form = chibo_rules::FormCode::new(form.code())
            .ok()
            .and_then(|code| {
                let view = self.rules.pack_at(d.case.opened_on).ok()?;
                view.form(&code).ok().map(|f| f.title.clone())
            })
            .unwrap_or_else(|| form.code().to_string());
        let (title, body, signatures) = match form {
            BadgeForm::Declaration => (
                "TỜ KHAI ĐỀ NGHỊ TẶNG HUY HIỆU ĐẢNG".to_string(),
                vec![
                    Block::paragraph(format!("Họ và tên: {}", m.full_name)),
                    Block::paragraph(format!("Ngày sinh: {}", date(m.date_of_birth))),
                    Block::paragraph(format!("Nơi cư trú: {}", opt(&m.residence))),
                    Block::paragraph(format!(
                        "Ngày vào Đảng: {}; ngày chính thức: {}",
                        date(m.ceremony_date.or(m.admission_date)),
                        date(m.official_date)
                    )),
                    Block::paragraph(format!("Số thẻ đảng viên: {}", opt(&m.card_no))),
                    Block::paragraph(format!("Đang sinh hoạt tại: {}", cell.name)),
                    Block::paragraph(format!("Tuổi Đảng: {age}")),
                    Block::paragraph(format!("Huy hiệu Đảng đã được tặng: {awarded}")),
                    Block::paragraph(format!(
                        "Đề nghị được tặng Huy hiệu {} năm tuổi Đảng, trao vào dịp {}.",
                        p.milestone,
                        format_date(p.ceremony_on)
                    )),
                    Block::paragraph(
                        "Tôi xin cam đoan những điều khai trên là đúng sự thật.".to_string(),
                    ),
                ],
                vec![Signature {
                    on_behalf: None,
                    role: "NGƯỜI KHAI".into(),
                    name: m.full_name.clone(),
                }],
            ),
            BadgeForm::DataSheet => (
                "PHIẾU ĐẢNG VIÊN".to_string(),
                vec![
                    Block::paragraph(format!("Họ và tên: {}", m.full_name)),
                    Block::paragraph(format!(
                        "Giới tính: {}; ngày sinh: {}",
                        opt(&m.sex),
                        date(m.date_of_birth)
                    )),
                    Block::paragraph(format!(
                        "Dân tộc: {}; tôn giáo: {}",
                        opt(&m.ethnicity),
                        opt(&m.religion)
                    )),
                    Block::paragraph(format!("Nơi cư trú: {}", opt(&m.residence))),
                    Block::paragraph(format!(
                        "Ngày quyết định kết nạp: {}; ngày vào Đảng: {}; ngày chính thức: {}",
                        date(m.admission_date),
                        date(m.ceremony_date),
                        date(m.official_date)
                    )),
                    Block::paragraph(format!("Số thẻ đảng viên: {}", opt(&m.card_no))),
                    Block::paragraph(format!(
                        "Thời gian không sinh hoạt đảng: {}",
                        if mb.interruptions.is_empty() {
                            "không".to_string()
                        } else {
                            mb.interruptions
                                .iter()
                                .map(|i| {
                                    format!("từ {} đến {}", format_date(i.from), format_date(i.to))
                                })
                                .collect::<Vec<_>>()
                                .join("; ")
                        }
                    )),
                    Block::paragraph(format!("Tuổi Đảng: {age}")),
                    Block::paragraph(format!("Huy hiệu Đảng đã được tặng: {awarded}")),
                    Block::paragraph(format!("Chi bộ: {}", cell.name)),
                ],
                vec![Signature {
                    on_behalf: Some("T/M CHI ỦY".into()),
                    role: "BÍ THƯ".into(),
                    name: String::new(),
                }],
            ),
            BadgeForm::List => {
                let rows = listed
                    .iter()
                    .enumerate()
                    .map(|(i, (q, x, c))| {
                        vec![
                            (i + 1).to_string(),
                            x.full_name.clone(),
                            date(x.date_of_birth),
                            date(x.admission_date),
                            c.clone(),
                            format!("{} năm", q.milestone),
                        ]
                    })
                    .collect();
                (
                    "DANH SÁCH ĐỀ NGHỊ TẶNG HUY HIỆU ĐẢNG".to_string(),
                    vec![
                        Block::paragraph(format!(
                            "Đợt trao tặng ngày {}; {} đảng viên.",
                            format_date(p.ceremony_on),
                            listed.len()
                        )),
                        Block::Table(Table {
                            columns: vec![
                                Column::one_line("STT", Align::Center),
                                Column::new("Họ và tên", Align::Left),
                                Column::one_line("Ngày sinh", Align::Center),
                                Column::one_line("Ngày vào Đảng", Align::Center),
                                Column::new("Chi bộ", Align::Left),
                                Column::one_line("Huy hiệu", Align::Center),
                            ],
                            rows,
                        }),
                    ],
                    vec![Signature {
                        on_behalf: Some("T/M ĐẢNG ỦY".into()),
                        role: "BÍ THƯ".into(),
                        name: String::new(),
                    }],
                )
            }
        };
        let doc = Document {
            orientation: Orientation::Portrait,
            header,
            title,
            subject: Some(format!("({} — {title_form})", form.code())),
            body,
            signatures,
            recipients: vec![],
            check_code: None,
        };
        let author = if form == BadgeForm::List {
            upper.name.clone()
        } else {
            cell.name.clone()
        };
        Ok(Printable {
            docs: vec![doc],
            layout: self.layout(on),
            properties: Properties {
                title: format!("{title_form} — {}", m.full_name),
                author,
                created: Some(now),
            },
            name: FileName::of(&[
                form.code(),
                &m.full_name,
                &p.ceremony_on.format("%Y-%m-%d").to_string(),
            ]),
        })
    }
}
