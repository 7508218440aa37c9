//! What the meeting screens show: each read in one reader, with the
//! actor's rights decided here.

use super::{Assignment, MeetingView, Panel, managed_meeting, meeting, meeting_view};
use crate::service::concerns::{ConcernItem, meeting_list};
use crate::service::dashboard::Due;
use crate::service::orgs::unit_for;
use crate::service::tasks::{ReviewBoard, review_board, review_summary};
use crate::service::{Actor, Result, ServiceError, Services, org, today};
use crate::store::meetings::{self as db, FileRow, MeetingRow};
use crate::store::members::{MemberSummary, SearchQuery};
use crate::store::orgs::OrgRow;
use crate::store::{self, Reader};
use chibo_rules::{DecisionKind, Lang, MeetingKind};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// A cell's meetings, and when the next ones are due under the rule pack.
pub struct MeetingList {
    pub cell: OrgRow,
    pub meetings: Vec<MeetingRow>,
    pub regular: Option<Due>,
    pub thematic: Option<Due>,
    pub may_manage: bool,
}

/// What the planning form offers: the cell's full members (chair,
/// secretary, preparer) and the last meeting, whose place and people a new
/// one starts from.
pub struct PlanForm {
    pub cell: OrgRow,
    pub members: Vec<MemberSummary>,
    pub last: Option<MeetingRow>,
}

/// The notice's delivery so far.
#[derive(Debug, Default)]
pub struct Delivery {
    pub in_app: usize,
    pub emails_queued: usize,
    pub emails_sent: usize,
    pub emails_failed: usize,
    pub last_error: Option<String>,
}

/// The meeting's own page.
pub struct MeetingPage {
    pub view: MeetingView,
    pub delivery: Delivery,
    pub files: Vec<FileRow>,
    /// The tasks this meeting reviews, with its decision on each so far.
    pub review: ReviewBoard,
    /// The rule pack's shortest meeting, in minutes.
    pub min_minutes: Option<u32>,
    /// Opening now would be before the planned day: a reason is asked.
    pub open_early: bool,
    /// Closing now would be before the minimum length: a reason is asked.
    pub close_early: bool,
    /// What the secretary does next.
    pub next: super::NextStep,
}

/// The votes screen: each vote's casts (member, choice), and the kinds of
/// vote the rule pack allows by show of hands or by name.
pub struct VotesPage {
    pub view: MeetingView,
    pub casts: Vec<(i64, Vec<(i64, String)>)>,
    /// Each vote's members entitled to vote on its frozen roll.
    pub voters: Vec<(i64, Vec<i64>)>,
    pub open_kinds: Vec<DecisionKind>,
}

/// The resolution screen: the draft (or the adopted text), the members
/// tasks may be given to, the votes it may be adopted with, its seal.
pub struct ResolutionPage {
    pub view: MeetingView,
    pub subject: String,
    pub results: String,
    pub tasks: String,
    /// The rows so far, and blank ones to add to.
    pub assignments: Vec<Assignment>,
    /// (id, name) of the cell's members on the roll.
    pub members: Vec<(i64, String)>,
    /// (vote id, subject) of the passed resolution votes.
    pub passed: Vec<(i64, String)>,
    pub version: i64,
    pub no_tasks: bool,
    /// The check code of the adopted, sealed text.
    pub code: Option<String>,
    /// The concerns of the meeting's "dư luận nhân dân" item a row may
    /// assign a task from (those not closed), for the committee.
    pub concerns: Vec<ConcernItem>,
}

/// Blank rows the resolution form offers for new assignments.
const BLANK_ROWS: usize = 3;

impl Services {
    /// A cell's meetings (the actor's own cell by default).
    pub async fn meeting_list(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<MeetingList> {
        let on = today(now);
        self.db
            .read(async |r| {
                let cell = unit_for(r, actor, unit).await?;
                let meetings = db::of_cell(r, cell.id, 50).await?;
                let (regular, thematic) = if cell.kind == "chi_bo" {
                    let regular = &["thuong_ky", "ket_hop"];
                    let thematic = &["chuyen_de", "ket_hop"];
                    (
                        self.due(r, &cell, regular, MeetingKind::Regular, on)
                            .await?,
                        self.due(r, &cell, thematic, MeetingKind::Thematic, on)
                            .await?,
                    )
                } else {
                    (None, None)
                };
                Ok(MeetingList {
                    may_manage: actor.can_manage(&cell),
                    cell,
                    meetings,
                    regular,
                    thematic,
                })
            })
            .await
    }

    /// The planning form of a meeting of `cell_id`, for those who run it.
    pub async fn plan_form(&self, actor: &Actor, cell_id: i64) -> Result<PlanForm> {
        self.db
            .read(async |r| {
                let cell = unit_for(r, actor, Some(cell_id)).await?;
                if !actor.can_manage(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let q = SearchQuery {
                    status: Some("chinh_thuc".into()),
                    page: 1,
                    per_page: 200,
                    ..Default::default()
                };
                let members = crate::service::members::search_members(r, actor, &cell, q)
                    .await?
                    .rows;
                let last = db::of_cell(r, cell.id, 1).await?.into_iter().next();
                Ok(PlanForm {
                    cell,
                    members,
                    last,
                })
            })
            .await
    }

    pub async fn meeting_page(&self, actor: &Actor, id: i64) -> Result<MeetingPage> {
        self.db
            .read(async |r| {
                let view = meeting_view(r, actor, id).await?;
                let notices = db::notices_of_meeting(r, id).await?;
                let files = db::files(r, id).await?;
                let review = review_board(r, actor, id).await?;
                let email = |status: &[&str]| {
                    notices
                        .iter()
                        .filter(|n| n.channel == "email" && status.contains(&n.status.as_str()))
                        .count()
                };
                let delivery = Delivery {
                    in_app: notices.iter().filter(|n| n.channel == "app").count(),
                    emails_queued: email(&["queued", "sending"]),
                    emails_sent: email(&["sent"]),
                    emails_failed: email(&["failed"]),
                    last_error: notices.iter().rev().find_map(|n| n.last_error.clone()),
                };
                let local = view.meeting.starts_at.with_timezone(&Ho_Chi_Minh);
                let min_minutes = self
                    .rules
                    .min_meeting_minutes(view.meeting.kind == "ket_hop", local.date_naive())
                    .ok();
                let now = self.now();
                let m = &view.meeting;
                let open_early = today(now) < today(m.starts_at);
                let next = super::next_step(
                    m,
                    &view.roll,
                    &view.votes,
                    view.resolution.as_ref(),
                    m.starts_at > now,
                );
                let close_early = m.status == "open"
                    && m.opened_at.is_some_and(|o| {
                        self.min_minutes(m)
                            .is_some_and(|min| (now - o).num_minutes() < min)
                    });
                Ok(MeetingPage {
                    next,
                    open_early,
                    close_early,
                    view,
                    delivery,
                    files,
                    review,
                    min_minutes,
                })
            })
            .await
    }

    /// The roll-call screen: the meeting and its live figures.
    pub async fn roll_page(
        &self,
        actor: &Actor,
        id: i64,
        lang: Lang,
    ) -> Result<(MeetingView, Panel)> {
        let view = self.meeting_view(actor, id).await?;
        let panel = self.panel(&view.roll, today(view.meeting.starts_at), lang);
        Ok((view, panel))
    }

    /// The version of one section of the minutes as saved now.
    pub async fn minutes_version(&self, actor: &Actor, id: i64, item_id: i64) -> Result<i64> {
        self.db
            .read(async |r| {
                managed_meeting(r, actor, id).await?;
                Ok(db::items(r, id)
                    .await?
                    .into_iter()
                    .find(|i| i.id == item_id)
                    .map_or(0, |i| i.minutes_version))
            })
            .await
    }

    pub async fn votes_page(&self, actor: &Actor, id: i64) -> Result<VotesPage> {
        let (view, all) = self
            .db
            .read(async |r| {
                let view = meeting_view(r, actor, id).await?;
                let all = db::casts_of_meeting(r, id).await?;
                Ok::<_, ServiceError>((view, all))
            })
            .await?;
        let casts = view
            .votes
            .iter()
            .map(|v| {
                let of_vote = all
                    .iter()
                    .filter(|(vote, _, _)| *vote == v.id)
                    .map(|(_, member, choice)| (*member, choice.clone()))
                    .collect();
                (v.id, of_vote)
            })
            .collect();
        let voters = view
            .votes
            .iter()
            .map(|x| (x.id, self.vote_voters(&view.meeting, x)))
            .collect();
        let on = today(view.meeting.starts_at);
        let open_kinds = DecisionKind::ALL
            .iter()
            .copied()
            .filter(|k| {
                !self
                    .rules
                    .param::<bool>(&format!("{}_secret_ballot", k.code()), on)
                    .unwrap_or(true)
            })
            .collect();
        Ok(VotesPage {
            view,
            casts,
            voters,
            open_kinds,
        })
    }

    /// The resolution screen. A new draft starts from the review of last
    /// month's tasks and what the minutes recorded under review and tasks;
    /// `concern` (picked on the meeting's "dư luận nhân dân" item) fills
    /// the first blank row.
    pub async fn resolution_page(
        &self,
        actor: &Actor,
        id: i64,
        concern: Option<i64>,
    ) -> Result<ResolutionPage> {
        self.db
            .read(async |r| {
                let view = meeting_view(r, actor, id).await?;
                let code = match &view.resolution {
                    Some(res) if res.status == "adopted" => db::versions(r, "resolution", res.id)
                        .await?
                        .last()
                        .map(|x| x.check_code.clone()),
                    _ => None,
                };
                let from_minutes = |kind: &str| {
                    view.items
                        .iter()
                        .filter(|i| i.kind == kind)
                        .map(|i| i.minutes.clone())
                        .filter(|m| !m.trim().is_empty())
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                let (subject, results, tasks) = match &view.resolution {
                    Some(res) => (res.subject.clone(), res.results.clone(), res.tasks.clone()),
                    None => {
                        let local = view.meeting.starts_at.with_timezone(&Ho_Chi_Minh);
                        let board = review_board(r, actor, id).await?;
                        let review = review_summary(&board);
                        let minutes = from_minutes("review");
                        (
                            format!(
                                "về nhiệm vụ tháng {}",
                                (local + Duration::days(31)).format("%m năm %Y")
                            ),
                            [review, minutes]
                                .into_iter()
                                .filter(|x| !x.is_empty())
                                .collect::<Vec<_>>()
                                .join("\n"),
                            from_minutes("tasks"),
                        )
                    }
                };
                let members = store::members::of_cell(r, view.cell.id)
                    .await?
                    .into_iter()
                    .filter(|m| m.status.on_list())
                    .map(|m| (m.id, m.full_name))
                    .collect();
                let mut assignments: Vec<Assignment> = view
                    .resolution
                    .as_ref()
                    .map(|res| serde_json::from_str(&res.assignments).unwrap_or_default())
                    .unwrap_or_default();
                let concerns: Vec<ConcernItem> = if view.may_manage {
                    meeting_list(r, actor, id)
                        .await?
                        .items
                        .into_iter()
                        .filter(|i| i.row.state != "closed")
                        .collect()
                } else {
                    Vec::new()
                };
                let picked = concern
                    .filter(|k| concerns.iter().any(|i| i.row.id == *k))
                    .filter(|k| !assignments.iter().any(|a| a.concern_id == Some(*k)));
                assignments.push(Assignment {
                    concern_id: picked,
                    ..Assignment::default()
                });
                assignments.extend(std::iter::repeat_n(Assignment::default(), BLANK_ROWS - 1));
                Ok(ResolutionPage {
                    passed: view
                        .votes
                        .iter()
                        .filter(|x| x.kind == "nghi_quyet" && x.outcome.as_deref() == Some("dat"))
                        .map(|x| (x.id, x.subject.clone()))
                        .collect(),
                    version: view.resolution.as_ref().map_or(0, |res| res.version),
                    no_tasks: view.resolution.as_ref().is_some_and(|res| res.no_tasks),
                    subject,
                    results,
                    tasks,
                    assignments,
                    members,
                    code,
                    concerns,
                    view,
                })
            })
            .await
    }

    /// A member's calendar feed, by its secret: every meeting of their
    /// cell, the cell's name and this installation's id (for the UIDs).
    pub(crate) async fn feed_meetings(
        &self,
        token: &str,
    ) -> Result<(Vec<MeetingRow>, String, String)> {
        self.db
            .read(async |r| {
                let member_id = db::member_by_feed(r, token)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let member = store::members::get(r, member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let cell = org(r, member.cell_id).await?;
                let meetings = db::of_cell(r, cell.id, 100).await?;
                let installation = store::register::installation_id(r).await?;
                Ok((meetings, cell.name, installation))
            })
            .await
    }

    /// A document posted for the meeting: (name, media type, bytes).
    pub async fn meeting_file(
        &self,
        actor: &Actor,
        id: i64,
        file_id: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        self.db
            .read(async |r| {
                meeting(r, actor, id).await?;
                db::file_data(r, id, file_id)
                    .await?
                    .ok_or(ServiceError::NotFound)
            })
            .await
    }

    /// When the cell's next meeting of a kind is due, from the last of
    /// `kinds` it held.
    async fn due(
        &self,
        r: &mut Reader,
        cell: &OrgRow,
        kinds: &[&str],
        k: MeetingKind,
        on: chrono::NaiveDate,
    ) -> Result<Option<Due>> {
        let last = db::last_held(r, cell.id, kinds)
            .await?
            .map(|t| t.with_timezone(&Ho_Chi_Minh).date_naive());
        Ok(self.rules.meeting_due(k, last, on).ok().map(|d| Due {
            due_by: d.due_by,
            overdue: d.overdue,
            last_held: last,
            citation: d.citation,
        }))
    }

    /// A cell's meetings, newest first (the API).
    pub async fn meetings_of(&self, actor: &Actor, cell_id: i64) -> Result<Vec<MeetingRow>> {
        self.db
            .read(async |r| {
                let cell = unit_for(r, actor, Some(cell_id)).await?;
                Ok(db::of_cell(r, cell.id, 100).await?)
            })
            .await
    }

    /// A meeting's agenda, in order (the API).
    pub async fn agenda(&self, actor: &Actor, id: i64) -> Result<Vec<db::AgendaItem>> {
        self.db
            .read(async |r| {
                meeting(r, actor, id).await?;
                Ok(db::items(r, id).await?)
            })
            .await
    }
}
