//! The monthly meeting: plan → notice → roll-call and quorum → votes →
//! minutes → resolution. Outcomes come from the rule packs; every change is
//! one transaction with its audit entry.
//!
//! Split by stage: the meeting itself, its agenda, notice and roll-call here;
//! [`votes`], [`minutes`] and [`resolution`] beside it; [`seal`] for the
//! locking all sealed documents share.

mod minutes;
mod next;
mod resolution;
mod screens;
pub mod seal;
mod votes;

pub use crate::store::meetings::{
    AgendaItem, Draft, FileRow, MeetingRow, NoticeRow, ResolutionRow, RollEntry, Speech, VoteRow,
};
pub(crate) use minutes::minutes_facts;
pub use next::{NextStep, next_step};
pub use resolution::Assignment;
pub use screens::{Delivery, MeetingList, MeetingPage, PlanForm, ResolutionPage, VotesPage};

use seal::seal_bytes;

use super::{
    Actor, Result, ServiceError, Services, Subject, audit_entry, audit_entry_with, org_for, today,
};
use crate::model::{
    AgendaKind, MeetingKind, MeetingStatus, Presence, Problem, Problems, agenda_template, nfc,
};
use crate::store::images::Part;
use crate::store::meetings::{self as db, MeetingPlan};
use crate::store::{self, Reader, orgs::OrgRow};
use chibo_rules::{Attendance, Ballots, DecisionKind, Lang, Member, Status as RuleStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The text of the meeting form.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MeetingForm {
    pub kind: String,
    pub topic: String,
    /// dd/mm/yyyy
    pub date: String,
    /// Local time (+07), as Vietnamese write it: 19:30, 19h30, 19h, 7g30,
    /// 19.30 or 1930 (kept as HH:MM)
    pub time: String,
    pub place: String,
    pub chair_id: Option<i64>,
    pub secretary_id: Option<i64>,
    pub preparer_id: Option<i64>,
    pub guest: String,
}

/// The figures of a roll: who is on it, who came, who may vote, the base
/// of a resolution vote and the quorum. One function computes them for the
/// roll-call panel, the vote form, the printed documents and the minutes,
/// so every screen and page says the same.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Panel {
    pub on_roll: usize,
    /// Everyone on the roll marked present, whatever their standing.
    pub present: usize,
    pub excused: usize,
    pub unexcused: usize,
    pub unmarked: usize,
    /// Present probationary members (they speak, they do not vote).
    pub probationary_present: usize,
    /// Present members attached temporarily (here from elsewhere, or
    /// elsewhere and visiting): not counted in this cell's votes.
    pub attached_present: usize,
    /// The base of a resolution vote (QĐ 24 item 9.3.2) and the votes it needs.
    pub base: u32,
    pub needed: u32,
    /// Present members entitled to vote, as the rule pack counts them
    /// (exempted members who come do vote).
    pub voters_present: u32,
    pub quorum_met: bool,
    pub explanation: String,
}

impl Panel {
    /// The sentence the documents print: the same figures as the panel.
    pub fn sentence(&self) -> String {
        let mut among = vec![format!(
            "{} đảng viên có quyền biểu quyết",
            self.voters_present
        )];
        if self.probationary_present > 0 {
            among.push(format!("{} đảng viên dự bị", self.probationary_present));
        }
        if self.attached_present > 0 {
            among.push(format!(
                "{} đảng viên sinh hoạt tạm thời",
                self.attached_present
            ));
        }
        format!(
            "Tổng số đảng viên được triệu tập: {} đồng chí; có mặt: {} đồng chí (trong đó {}); vắng có lý do: {} đồng chí; vắng không lý do: {} đồng chí.",
            self.on_roll,
            self.present,
            among.join(", "),
            self.excused,
            self.unexcused
        )
    }
}

pub struct MeetingView {
    pub meeting: MeetingRow,
    pub cell: OrgRow,
    /// The actor runs the cell: the page offers its steps.
    pub may_manage: bool,
    pub items: Vec<AgendaItem>,
    pub roll: Vec<RollEntry>,
    pub votes: Vec<VoteRow>,
    pub resolution: Option<ResolutionRow>,
    pub speeches: Vec<db::Speech>,
}

/// The media type of an attachment, from its name (served as a download).
fn mime_of(name: &str) -> &'static str {
    match name.rsplit('.').next().map(str::to_lowercase).as_deref() {
        Some("pdf") => "application/pdf",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("doc") => "application/msword",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The stored status of a member the decision engine counts in this cell's
/// membership: the cell's own list (suspended members are on it, out of the
/// base). Members attached here temporarily are not counted in the host
/// cell's membership (QĐ 29/24 item 6.3).
pub(crate) fn rule_status(s: &str) -> Option<RuleStatus> {
    RuleStatus::from_code(s).filter(|s| s.on_list() && *s != RuleStatus::TamThoiDen)
}

pub(crate) fn attendance_of(p: Option<&str>) -> Attendance {
    match p {
        Some("co_mat") => Attendance::CoMat,
        Some("vang_co_ly_do") => Attendance::VangCoLyDo,
        _ => Attendance::VangKhongLyDo,
    }
}

fn parse_plan(f: &MeetingForm) -> std::result::Result<MeetingPlan, Problems> {
    let mut p = Problems::default();
    let kind = p.take(MeetingKind::parse(&f.kind));
    let date = p.take(crate::model::parse_date("date", &f.date));
    let time = p.take(crate::model::parse_time("time", &f.time));
    let place = nfc(&f.place);
    if place.is_empty() {
        p.push(Problem::new("place", "required", ""));
    }
    let topic = nfc(&f.topic);
    if matches!(kind, Some(MeetingKind::ChuyenDe | MeetingKind::KetHop)) && topic.is_empty() {
        p.push(Problem::new("topic", "required", ""));
    }
    if !p.is_empty() {
        return Err(p);
    }
    let local = date.expect("checked").and_time(time.expect("checked"));
    let starts_at = local
        .and_local_timezone(chrono_tz::Asia::Ho_Chi_Minh)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Problems(vec![Problem::new("time", "time.invalid", f.time.clone())]))?;
    let guest = nfc(&f.guest);
    Ok(MeetingPlan {
        kind: kind.expect("checked").as_str().to_string(),
        topic: (!topic.is_empty()).then_some(topic),
        starts_at,
        place,
        chair_id: f.chair_id,
        secretary_id: f.secretary_id,
        preparer_id: f.preparer_id,
        guest: (!guest.is_empty()).then_some(guest),
    })
}

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

/// A member's line of a meeting's roll.
async fn roll_entry(r: &mut Reader, id: i64, member_id: i64) -> Result<RollEntry> {
    db::roll(r, id)
        .await?
        .into_iter()
        .find(|e| e.member_id == member_id)
        .ok_or(ServiceError::NotFound)
}

/// The meeting and its cell, if the actor may see it.
pub(crate) async fn meeting(
    r: &mut Reader,
    actor: &Actor,
    id: i64,
) -> Result<(MeetingRow, OrgRow)> {
    let m = db::get(r, id).await?.ok_or(ServiceError::NotFound)?;
    let cell = org_for(r, actor, m.cell_id).await?;
    if !actor.can_see(&cell) {
        return Err(ServiceError::Forbidden);
    }
    Ok((m, cell))
}

/// The meeting and its cell, if the actor runs the cell.
pub(crate) async fn managed_meeting(
    r: &mut Reader,
    actor: &Actor,
    id: i64,
) -> Result<(MeetingRow, OrgRow)> {
    let (m, cell) = meeting(r, actor, id).await?;
    if !actor.can_manage(&cell) {
        return Err(ServiceError::Forbidden);
    }
    Ok((m, cell))
}

/// Everything about a meeting the actor may see.
pub(crate) async fn meeting_view(r: &mut Reader, actor: &Actor, id: i64) -> Result<MeetingView> {
    let (meeting, cell) = meeting(r, actor, id).await?;
    Ok(MeetingView {
        items: db::items(r, id).await?,
        roll: db::roll(r, id).await?,
        votes: db::votes(r, id).await?,
        resolution: db::resolution(r, id).await?,
        speeches: db::speeches(r, id).await?,
        may_manage: actor.can_manage(&cell),
        meeting,
        cell,
    })
}

impl Services {
    /// The meeting and its cell, if the actor may see it.
    pub async fn meeting(&self, actor: &Actor, id: i64) -> Result<(MeetingRow, OrgRow)> {
        self.db.read(async |r| meeting(r, actor, id).await).await
    }

    async fn managed_meeting(&self, actor: &Actor, id: i64) -> Result<(MeetingRow, OrgRow)> {
        self.db
            .read(async |r| managed_meeting(r, actor, id).await)
            .await
    }

    pub async fn meeting_view(&self, actor: &Actor, id: i64) -> Result<MeetingView> {
        self.db
            .read(async |r| meeting_view(r, actor, id).await)
            .await
    }

    /// Plans a meeting with the order of business for the cell's type.
    pub async fn plan_meeting(
        &self,
        actor: &Actor,
        cell_id: i64,
        f: &MeetingForm,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let cell = self
            .db
            .read(async |r| org_for(r, actor, cell_id).await)
            .await?;
        if cell.kind != "chi_bo" || !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let plan = parse_plan(f).map_err(ServiceError::Invalid)?;
        let kind = MeetingKind::parse(&plan.kind).map_err(ServiceError::invalid)?;
        let cell_type = cell
            .cell_type
            .as_deref()
            .and_then(|t| crate::model::CellType::parse(t).ok());
        let mut tx = self.db.begin().await?;
        let id = db::insert(&mut tx, cell.id, &plan, now).await?;
        for (k, title) in agenda_template(kind, cell_type) {
            db::add_item(&mut tx, id, k.as_str(), &title).await?;
        }
        let m = db::get_in(&mut tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        // Open tasks report to the next meeting planned after they were given.
        crate::store::tasks::set_report_meeting(
            &mut tx,
            cell.id,
            id,
            crate::service::today(m.starts_at),
        )
        .await?;
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Under("agenda_item", id)],
            "meeting.plan",
            json!({"kind": plan.kind, "starts_at": plan.starts_at, "place": plan.place}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_meeting(
        &self,
        actor: &Actor,
        id: i64,
        f: &MeetingForm,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        if matches!(m.status.as_str(), "closed") {
            return Err(invalid("status", "meeting.closed", ""));
        }
        let plan = parse_plan(f).map_err(ServiceError::Invalid)?;
        let mut tx = self.db.begin().await?;
        db::update_plan(&mut tx, id, &plan).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
            "meeting.update",
            json!({"starts_at": [m.starts_at, plan.starts_at], "place": [m.place, plan.place]}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_agenda_item(
        &self,
        actor: &Actor,
        id: i64,
        title: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        let title = nfc(title);
        if title.is_empty() {
            return Err(invalid("title", "required", ""));
        }
        if m.minutes_locked_at.is_some() {
            return Err(invalid("title", "minutes.locked", ""));
        }
        let mut tx = self.db.begin().await?;
        let item = db::add_item(&mut tx, id, AgendaKind::Other.as_str(), &title).await?;
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Row("agenda_item", vec![id, item])],
            "meeting.agenda_add",
            json!({"item_id": item, "title": title}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(item)
    }

    /// Moves an item one place up (`-1`) or down (`1`), or removes it (`0`).
    pub async fn change_agenda(
        &self,
        actor: &Actor,
        id: i64,
        item_id: i64,
        step: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        if m.minutes_locked_at.is_some() {
            return Err(invalid("title", "minutes.locked", ""));
        }
        let mut tx = self.db.begin().await?;
        let mut items = db::items_in(&mut tx, id).await?;
        let Some(at) = items.iter().position(|i| i.id == item_id) else {
            return Err(ServiceError::NotFound);
        };
        let title = items[at].title.clone();
        if step == 0 {
            db::remove_item(&mut tx, item_id).await?;
        } else {
            let to = at as i64 + step.signum();
            if (0..items.len() as i64).contains(&to) {
                items.swap(at, to as usize);
                for (pos, item) in items.iter().enumerate() {
                    db::set_position(&mut tx, item.id, pos as i64 + 1).await?;
                }
            }
        }
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            // A removed item takes its speeches with it.
            &[
                Part::Under("agenda_item", id),
                Part::Under("speech", item_id),
            ],
            "meeting.agenda_change",
            json!({"title": title, "step": step}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Posts a document for the meeting (draft resolution, report, study
    /// material) for members to read before it.
    pub async fn attach_file(
        &self,
        actor: &Actor,
        id: i64,
        file_name: &str,
        data: &[u8],
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        let name = nfc(file_name.rsplit(['/', '\\']).next().unwrap_or_default());
        if name.is_empty() || data.is_empty() {
            return Err(invalid("file", "required", ""));
        }
        let mime = mime_of(&name);
        let mut tx = self.db.begin().await?;
        let fid = db::add_file(&mut tx, id, &name, mime, data, actor.account_id, now).await?;
        let (hash, _) = seal_bytes(data);
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Row("meeting_file", vec![id, fid])],
            "meeting.file",
            json!({"file_id": fid, "name": name, "bytes": data.len(), "sha256": hash}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(fid)
    }

    /// Sends the convening notice to every member on the roll (in the app,
    /// and by e-mail to those with an address) and draws up the roll.
    pub async fn send_notice(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<usize> {
        let (m, cell, items, members) = self
            .db
            .read(async |r| {
                let (m, cell) = managed_meeting(r, actor, id).await?;
                if m.starts_at <= now {
                    return Err(invalid("date", "meeting.in_past", ""));
                }
                if !matches!(m.status.as_str(), "draft" | "notified") {
                    return Err(invalid("status", "meeting.closed", ""));
                }
                let items = db::items(r, id).await?;
                let members = store::members::of_cell(r, cell.id).await?;
                Ok((m, cell, items, members))
            })
            .await?;
        let when = m
            .starts_at
            .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
            .format("%H:%M ngày %d/%m/%Y")
            .to_string();
        let subject = format!("Thông báo triệu tập sinh hoạt {} — {}", cell.name, when);
        let agenda: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, a)| format!("{}. {}", i + 1, a.title))
            .collect();
        let body = format!(
            "Chi bộ triệu tập đồng chí dự sinh hoạt chi bộ.\nThời gian: {when}\nĐịa điểm: {}\nNội dung:\n{}",
            m.place,
            agenda.join("\n")
        );
        let mut tx = self.db.begin().await?;
        db::init_roll(&mut tx, id, cell.id).await?;
        let mut sent = 0;
        for member in members.iter().filter(|x| x.status.on_list()) {
            let n = db::NewNotice {
                meeting_id: Some(id),
                member_id: Some(member.id),
                channel: "app",
                address: None,
                subject: &subject,
                body: &body,
            };
            db::queue_notice(&mut tx, &n, now).await?;
            if let Some(email) = &member.email {
                let e = db::NewNotice {
                    channel: "email",
                    address: Some(email),
                    ..n
                };
                db::queue_notice(&mut tx, &e, now).await?;
            }
            sent += 1;
        }
        db::set_status(&mut tx, id, MeetingStatus::Notified.as_str()).await?;
        let number = self.number_notice(&mut tx, actor, id, now).await?;
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Under("attendance", id)],
            "meeting.notice",
            json!({"members": sent, "number": number}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// Opens the meeting. Opening before the planned day needs a reason,
    /// which the minutes print.
    pub async fn open_meeting(
        &self,
        actor: &Actor,
        id: i64,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, cell) = self.managed_meeting(actor, id).await?;
        if !matches!(m.status.as_str(), "draft" | "notified") {
            return Err(invalid("status", "meeting.closed", ""));
        }
        let reason = reason.map(nfc).filter(|r| !r.is_empty());
        let planned = today(m.starts_at);
        let early = today(now) < planned;
        if early && reason.is_none() {
            return Err(invalid(
                "reason",
                "meeting.early_reason",
                crate::model::format_date(planned),
            ));
        }
        let mut tx = self.db.begin().await?;
        db::init_roll(&mut tx, id, cell.id).await?;
        db::open(&mut tx, id, reason.as_deref().filter(|_| early), now).await?;
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Under("attendance", id)],
            "meeting.open",
            json!({"planned": planned, "reason": reason.filter(|_| early)}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The minimum length of a meeting of this kind on its day, if the rule
    /// pack sets one.
    pub fn min_minutes(&self, m: &MeetingRow) -> Option<i64> {
        let on = today(m.opened_at.unwrap_or(m.starts_at));
        self.rules
            .min_meeting_minutes(m.kind == MeetingKind::KetHop.as_str(), on)
            .ok()
            .map(i64::from)
    }

    /// Closes the meeting. Closing before the rule pack's minimum length
    /// needs a reason, which the minutes print.
    pub async fn close_meeting(
        &self,
        actor: &Actor,
        id: i64,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let m = self
            .db
            .read(async |r| {
                let (m, _) = managed_meeting(r, actor, id).await?;
                if m.status != "open" {
                    return Err(invalid("status", "meeting.not_open", ""));
                }
                if db::votes(r, id).await?.iter().any(|v| v.status == "open") {
                    return Err(invalid("status", "meeting.vote_open", ""));
                }
                Ok(m)
            })
            .await?;
        let reason = reason.map(nfc).filter(|r| !r.is_empty());
        let minutes = m.opened_at.map(|o| (now - o).num_minutes());
        let min = self.min_minutes(&m);
        let short = minutes.zip(min).is_some_and(|(held, min)| held < min);
        if short && reason.is_none() {
            return Err(invalid(
                "reason",
                "meeting.short_reason",
                format!("{} / {}", minutes.unwrap_or(0), min.unwrap_or(0)),
            ));
        }
        let mut tx = self.db.begin().await?;
        db::close(&mut tx, id, reason.as_deref().filter(|_| short), now).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
            "meeting.close",
            json!({"minutes": minutes, "min_minutes": min, "reason": reason.filter(|_| short)}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One tap of the roll-call.
    pub async fn mark_attendance(
        &self,
        actor: &Actor,
        id: i64,
        member_id: i64,
        presence: Presence,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.mark(actor, id, member_id, presence, reason, now)
            .await
            .map(|_| ())
    }

    /// One tap of the roll-call, answering the member's line and the live
    /// figures as the mark left them: counted from the roll read before the
    /// mark with the mark applied, not read again (a tap used to read the
    /// meeting and its whole roll a second time after its commit).
    #[allow(clippy::too_many_arguments)]
    pub async fn mark_attendance_line(
        &self,
        actor: &Actor,
        id: i64,
        member_id: i64,
        presence: Presence,
        reason: Option<&str>,
        lang: Lang,
        now: DateTime<Utc>,
    ) -> Result<(RollEntry, Panel)> {
        let (m, roll) = self
            .mark(actor, id, member_id, presence, reason, now)
            .await?;
        let panel = self.panel(&roll, today(m.starts_at), lang);
        let line = roll
            .into_iter()
            .find(|e| e.member_id == member_id)
            .ok_or(ServiceError::NotFound)?;
        Ok((line, panel))
    }

    /// Marks one member; the meeting and its roll with the mark applied.
    async fn mark(
        &self,
        actor: &Actor,
        id: i64,
        member_id: i64,
        presence: Presence,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(MeetingRow, Vec<RollEntry>)> {
        let (m, mut roll) = self
            .db
            .read(async |r| {
                let (m, _) = managed_meeting(r, actor, id).await?;
                if m.status == "closed" {
                    return Err(invalid("presence", "meeting.closed", ""));
                }
                Ok((m, db::roll(r, id).await?))
            })
            .await?;
        let entry = roll
            .iter_mut()
            .find(|e| e.member_id == member_id)
            .ok_or(ServiceError::NotFound)?;
        let reason = reason.map(nfc).filter(|r| !r.is_empty());
        // Arrival is the time of the first "present" mark after the meeting opened.
        let arrived = (presence == Presence::CoMat && m.status == "open").then_some(now);
        let keep_arrival = entry
            .arrived_at
            .as_deref()
            .and_then(|t| t.parse::<DateTime<Utc>>().ok());
        let mut tx = self.db.begin().await?;
        let mark = db::Mark {
            presence: presence.as_str(),
            reason: reason.as_deref(),
            arrived_at: keep_arrival.or(arrived),
            left_at: None,
        };
        if !db::mark(&mut tx, id, member_id, &mark, now).await? {
            return Err(ServiceError::NotFound);
        }
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Row("attendance", vec![id, member_id])],
            "meeting.attendance",
            json!({"member_id": member_id, "member": entry.full_name, "presence": presence.as_str(), "reason": reason}),
            now,
        )
        .await?;
        tx.commit().await?;
        // The line as the statement above wrote it.
        if keep_arrival.is_none() {
            entry.arrived_at = arrived.map(|t| t.to_rfc3339());
        }
        entry.presence = Some(presence.as_str().to_string());
        entry.reason = reason;
        entry.left_at = None;
        Ok((m, roll))
    }

    /// "Everyone present": marks present, in one transaction with one audit
    /// entry, every member expected in the room who is not marked yet; the
    /// secretary then marks the exceptions. Returns how many were marked.
    pub async fn mark_all_present(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let (m, roll) = self
            .db
            .read(async |r| {
                let (m, _) = managed_meeting(r, actor, id).await?;
                if m.status == "closed" {
                    return Err(invalid("presence", "meeting.closed", ""));
                }
                Ok((m, db::roll(r, id).await?))
            })
            .await?;
        let todo: Vec<&RollEntry> = roll
            .iter()
            .filter(|e| e.presence.is_none() && !e.apart())
            .collect();
        if todo.is_empty() {
            return Ok(0);
        }
        let arrived = (m.status == "open").then_some(now);
        let mut tx = self.db.begin().await?;
        for e in &todo {
            let mark = db::Mark {
                presence: Presence::CoMat.as_str(),
                reason: None,
                arrived_at: arrived,
                left_at: None,
            };
            if !db::mark(&mut tx, id, e.member_id, &mark, now).await? {
                return Err(ServiceError::NotFound);
            }
        }
        let parts: Vec<Part> = todo
            .iter()
            .map(|e| Part::Row("attendance", vec![id, e.member_id]))
            .collect();
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &parts,
            "meeting.attendance_all",
            json!({
                "presence": Presence::CoMat.as_str(),
                "members": todo.iter().map(|e| json!({"member_id": e.member_id, "member": e.full_name})).collect::<Vec<_>>(),
            }),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(todo.len())
    }

    /// A member leaving before the end (their later votes are not counted).
    pub async fn mark_left(
        &self,
        actor: &Actor,
        id: i64,
        member_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, entry) = self
            .db
            .read(async |r| {
                let (m, _) = managed_meeting(r, actor, id).await?;
                Ok::<_, ServiceError>((m, roll_entry(r, id, member_id).await?))
            })
            .await?;
        let arrived = entry
            .arrived_at
            .as_deref()
            .and_then(|t| t.parse::<DateTime<Utc>>().ok());
        let mut tx = self.db.begin().await?;
        let mark = db::Mark {
            presence: entry.presence.as_deref().unwrap_or("co_mat"),
            reason: entry.reason.as_deref(),
            arrived_at: arrived,
            left_at: Some(now),
        };
        db::mark(&mut tx, id, member_id, &mark, now).await?;
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Row("attendance", vec![id, member_id])],
            "meeting.left",
            json!({"member_id": member_id, "member": entry.full_name}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The figures of a meeting's roll as it stands (see [`Panel`]).
    pub fn panel(&self, roll: &[RollEntry], on: chrono::NaiveDate, lang: Lang) -> Panel {
        self.tally(
            roll.iter()
                .map(|r| (r.member_status.as_str(), r.presence.as_deref())),
            on,
            lang,
        )
    }

    /// The one count behind [`Services::panel`], over (standing, presence)
    /// pairs: a meeting's roll or a vote's frozen one.
    pub(crate) fn tally<'a>(
        &self,
        roll: impl Iterator<Item = (&'a str, Option<&'a str>)>,
        on: chrono::NaiveDate,
        lang: Lang,
    ) -> Panel {
        let roll: Vec<(&str, Option<&str>)> = roll.collect();
        let count =
            |f: &dyn Fn(&str, Option<&str>) -> bool| roll.iter().filter(|(s, p)| f(s, *p)).count();
        let present = |p: Option<&str>| p == Some("co_mat");
        let mut p = Panel {
            on_roll: roll.len(),
            present: count(&|_, p| present(p)),
            excused: count(&|_, p| p == Some("vang_co_ly_do")),
            unexcused: count(&|_, p| p == Some("vang_khong_ly_do")),
            unmarked: count(&|_, p| p.is_none()),
            probationary_present: count(&|s, p| s == "du_bi" && present(p)),
            attached_present: count(&|s, p| {
                matches!(s, "tam_thoi_den" | "tam_thoi_di") && present(p)
            }),
            ..Panel::default()
        };
        let members: Vec<Member> = roll
            .iter()
            .filter_map(|(s, a)| Some(Member::new(rule_status(s)?, attendance_of(*a))))
            .collect();
        match self.rules.decide(
            DecisionKind::NghiQuyet,
            &members,
            &Ballots::counts(0, 0, 0),
            on,
        ) {
            Ok(d) => {
                p.base = d.base;
                p.needed = d.needed;
                p.voters_present = d.tally.voters_present;
                p.quorum_met = !matches!(
                    d.invalid,
                    Some(chibo_rules::Invalid::Quorum { .. } | chibo_rules::Invalid::EmptyBase)
                );
                p.explanation = match d.invalid {
                    Some(_) => d.explain(lang),
                    None => self
                        .rules
                        .pack_at(on)
                        .and_then(|v| v.cite("meeting_quorum"))
                        .map(|c| {
                            format!(
                                "{}: {c}",
                                if lang == Lang::Vi {
                                    "Số lượng tối thiểu theo"
                                } else {
                                    "Quorum per"
                                }
                            )
                        })
                        .unwrap_or_default(),
                };
            }
            Err(e) => p.explanation = e.to_string(),
        }
        p
    }

    /// Whether a member of this standing and presence votes, as the rule
    /// pack counts voters (the same count as [`Services::tally`]).
    pub(crate) fn votes(
        &self,
        status: &str,
        presence: Option<&str>,
        on: chrono::NaiveDate,
    ) -> bool {
        self.tally(std::iter::once((status, presence)), on, Lang::Vi)
            .voters_present
            == 1
    }
}
