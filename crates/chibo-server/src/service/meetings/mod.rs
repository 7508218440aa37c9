//! The monthly meeting: plan → notice → roll-call and quorum → votes →
//! minutes → resolution. Outcomes come from the rule packs; every change is
//! one transaction with its audit entry.
//!
//! Split by stage: the meeting itself, its agenda, notice and roll-call here;
//! [`votes`], [`minutes`] and [`resolution`] beside it; [`seal`] for the
//! locking all sealed documents share.

mod minutes;
mod resolution;
pub(crate) mod seal;
mod votes;

pub use resolution::Assignment;

use seal::seal_bytes;

use super::{Actor, Result, ServiceError, Services, Subject, audit_entry};
use crate::model::{
    AgendaKind, MeetingKind, MeetingStatus, Presence, Problem, Problems, Status, agenda_template,
    nfc,
};
use crate::store::meetings::{
    self as db, AgendaItem, MeetingPlan, MeetingRow, ResolutionRow, RollEntry, VoteRow,
};
use crate::store::{self, orgs::OrgRow};
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
    /// HH:MM, local time (+07)
    pub time: String,
    pub place: String,
    pub chair_id: Option<i64>,
    pub secretary_id: Option<i64>,
    pub preparer_id: Option<i64>,
    pub guest: String,
}

/// The live figures of the roll-call.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Panel {
    pub on_roll: usize,
    pub present: usize,
    pub excused: usize,
    pub unexcused: usize,
    pub unmarked: usize,
    pub probationary_present: usize,
    /// Exempted and temporarily attached members, counted apart.
    pub apart: usize,
    /// The base of a resolution vote (QĐ 24 item 9.3.2) and the votes it needs.
    pub base: u32,
    pub needed: u32,
    pub voters_present: u32,
    pub quorum_met: bool,
    pub explanation: String,
}

pub struct MeetingView {
    pub meeting: MeetingRow,
    pub cell: OrgRow,
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

fn rule_status(s: &str) -> Option<RuleStatus> {
    match s {
        "chinh_thuc" => Some(RuleStatus::ChinhThuc),
        "du_bi" => Some(RuleStatus::DuBi),
        "mien_sinh_hoat" => Some(RuleStatus::MienSinhHoat),
        "tam_thoi_di" => Some(RuleStatus::TamThoiDi),
        // Members attached here temporarily are not counted in the host
        // cell's membership (QĐ 29/24 item 6.3).
        _ => None,
    }
}

fn attendance_of(p: Option<&str>) -> Attendance {
    match p {
        Some("co_mat") => Attendance::CoMat,
        Some("vang_co_ly_do") => Attendance::VangCoLyDo,
        _ => Attendance::VangKhongLyDo,
    }
}

/// The roll as the decision engine reads it, with member ids.
fn rule_roll(roll: &[RollEntry]) -> Vec<(i64, Member)> {
    roll.iter()
        .filter_map(|r| {
            Some((
                r.member_id,
                Member::new(
                    rule_status(&r.member_status)?,
                    attendance_of(r.presence.as_deref()),
                ),
            ))
        })
        .collect()
}

fn parse_plan(f: &MeetingForm) -> std::result::Result<MeetingPlan, Problems> {
    let mut p = Problems::default();
    let kind = p.take(MeetingKind::parse(&f.kind));
    let date = p.take(crate::model::parse_date("date", &f.date));
    let time = chrono::NaiveTime::parse_from_str(f.time.trim(), "%H:%M")
        .map_err(|_| Problem::new("time", "time.invalid", f.time.trim()));
    let time = p.take(time);
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

impl Services {
    /// The meeting and its cell, if the actor may see it.
    pub async fn meeting(&self, actor: &Actor, id: i64) -> Result<(MeetingRow, OrgRow)> {
        let m = db::get(&self.db, id).await?.ok_or(ServiceError::NotFound)?;
        let cell = self.org_for(actor, m.cell_id).await?;
        if !actor.can_see(&cell) {
            return Err(ServiceError::Forbidden);
        }
        Ok((m, cell))
    }

    async fn managed_meeting(&self, actor: &Actor, id: i64) -> Result<(MeetingRow, OrgRow)> {
        let (m, cell) = self.meeting(actor, id).await?;
        if !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        Ok((m, cell))
    }

    pub async fn meeting_view(&self, actor: &Actor, id: i64) -> Result<MeetingView> {
        let (meeting, cell) = self.meeting(actor, id).await?;
        Ok(MeetingView {
            items: db::items(&self.db, id).await?,
            roll: db::roll(&self.db, id).await?,
            votes: db::votes(&self.db, id).await?,
            resolution: db::resolution(&self.db, id).await?,
            speeches: db::speeches(&self.db, id).await?,
            meeting,
            cell,
        })
    }

    /// Plans a meeting with the order of business for the cell's type.
    pub async fn plan_meeting(
        &self,
        actor: &Actor,
        cell: &OrgRow,
        f: &MeetingForm,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        if cell.kind != "chi_bo" || !actor.can_manage(cell) {
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
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
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
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
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
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
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
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
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
        let (m, cell) = self.managed_meeting(actor, id).await?;
        if m.starts_at <= now {
            return Err(invalid("date", "meeting.in_past", ""));
        }
        if !matches!(m.status.as_str(), "draft" | "notified") {
            return Err(invalid("status", "meeting.closed", ""));
        }
        let items = db::items(&self.db, id).await?;
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
        let members = store::members::of_cell(&self.db, cell.id).await?;
        let mut sent = 0;
        for member in members.iter().filter(|x| Status::is_active_str(&x.status)) {
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
        db::set_status(&mut tx, id, MeetingStatus::Notified.as_str(), now).await?;
        let number = self.number_notice(&mut tx, actor, id, now).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
            "meeting.notice",
            json!({"members": sent, "number": number}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(sent)
    }

    pub async fn open_meeting(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<()> {
        let (m, cell) = self.managed_meeting(actor, id).await?;
        if !matches!(m.status.as_str(), "draft" | "notified") {
            return Err(invalid("status", "meeting.closed", ""));
        }
        let mut tx = self.db.begin().await?;
        db::init_roll(&mut tx, id, cell.id).await?;
        db::set_status(&mut tx, id, MeetingStatus::Open.as_str(), now).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
            "meeting.open",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn close_meeting(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<()> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        if m.status != "open" {
            return Err(invalid("status", "meeting.not_open", ""));
        }
        if db::votes(&self.db, id)
            .await?
            .iter()
            .any(|v| v.status == "open")
        {
            return Err(invalid("status", "meeting.vote_open", ""));
        }
        let mut tx = self.db.begin().await?;
        db::set_status(&mut tx, id, MeetingStatus::Closed.as_str(), now).await?;
        let minutes = m.opened_at.map(|o| (now - o).num_minutes());
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
            "meeting.close",
            json!({"minutes": minutes}),
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
        let (m, _) = self.managed_meeting(actor, id).await?;
        if m.status == "closed" {
            return Err(invalid("presence", "meeting.closed", ""));
        }
        let reason = reason.map(nfc).filter(|r| !r.is_empty());
        let entry = db::roll(&self.db, id)
            .await?
            .into_iter()
            .find(|r| r.member_id == member_id)
            .ok_or(ServiceError::NotFound)?;
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
        audit_entry(&mut tx, actor, Subject::meeting(&m), "meeting.attendance", json!({"member_id": member_id, "member": entry.full_name, "presence": presence.as_str(), "reason": reason}), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A member leaving before the end (their later votes are not counted).
    pub async fn mark_left(
        &self,
        actor: &Actor,
        id: i64,
        member_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        let entry = db::roll(&self.db, id)
            .await?
            .into_iter()
            .find(|r| r.member_id == member_id)
            .ok_or(ServiceError::NotFound)?;
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
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
            "meeting.left",
            json!({"member_id": member_id, "member": entry.full_name}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Counts, the base of a resolution vote, and the quorum, as of now.
    pub fn panel(&self, roll: &[RollEntry], on: chrono::NaiveDate, lang: Lang) -> Panel {
        let count = |p: &str| {
            roll.iter()
                .filter(|r| {
                    r.presence.as_deref() == Some(p) && !Status::is_apart_str(&r.member_status)
                })
                .count()
        };
        let members = rule_roll(roll);
        let roll_only: Vec<Member> = members.iter().map(|(_, m)| *m).collect();
        let mut p = Panel {
            on_roll: roll.len(),
            present: count("co_mat"),
            excused: count("vang_co_ly_do"),
            unexcused: count("vang_khong_ly_do"),
            unmarked: roll.iter().filter(|r| r.presence.is_none()).count(),
            probationary_present: roll
                .iter()
                .filter(|r| r.member_status == "du_bi" && r.presence.as_deref() == Some("co_mat"))
                .count(),
            apart: roll
                .iter()
                .filter(|r| Status::is_apart_str(&r.member_status))
                .count(),
            ..Panel::default()
        };
        let voters = roll_only
            .iter()
            .filter(|m| m.status == RuleStatus::ChinhThuc && m.attendance == Attendance::CoMat)
            .count() as u32;
        if let Ok(d) = self.rules.decide(
            DecisionKind::NghiQuyet,
            &roll_only,
            &Ballots::counts(voters, 0, 0),
            on,
        ) {
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
        p
    }
}
