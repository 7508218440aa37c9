//! The monthly meeting: plan → notice → roll-call and quorum → votes →
//! minutes → resolution. Outcomes come from the rule packs; every change is
//! one transaction with its audit entry.

use super::{Actor, Result, ServiceError, Services, today};
use crate::model::{
    AgendaKind, Choice, MeetingKind, MeetingStatus, Presence, Problem, Problems, VoteMode,
    agenda_template, nfc,
};
use crate::store::meetings::{
    self as db, AgendaItem, MeetingPlan, MeetingRow, ResolutionRow, RollEntry, VoteRow,
};
use crate::store::{self, Tx, audit, orgs::OrgRow};
use chibo_rules::{Attendance, Ballots, DecisionKind, Lang, Member, Outcome, Status as RuleStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

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

/// One assignment of the resolution: who does what, by when.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Assignment {
    pub who: String,
    pub what: String,
    pub deadline: String,
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

/// The hash of a locked document and the short code printed on its pages.
pub fn seal(body: &str) -> (String, String) {
    seal_bytes(body.as_bytes())
}

fn seal_bytes(body: &[u8]) -> (String, String) {
    let hash = audit::hex(&Sha256::digest(body));
    let code = format!("{}-{}", &hash[..4], &hash[4..8]).to_uppercase();
    (hash, code)
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

#[derive(Serialize, Deserialize)]
struct Frozen {
    member_id: i64,
    status: String,
    attendance: String,
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

async fn log(
    tx: &mut Tx,
    actor: &Actor,
    m: &MeetingRow,
    action: &str,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::append(
        tx,
        &audit::NewEntry {
            chain_id: m.cell_id,
            account_id: Some(actor.account_id),
            actor: &actor.audit_name(),
            action,
            entity: "meeting",
            entity_id: Some(m.id),
            summary: &summary,
        },
        now,
    )
    .await?;
    Ok(())
}

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

impl Services {
    /// The meeting and its cell, if the actor may see it.
    pub async fn meeting(&self, actor: &Actor, id: i64) -> Result<(MeetingRow, OrgRow)> {
        let m = db::get(&self.db, id).await?.ok_or(ServiceError::NotFound)?;
        let cell = self.org(m.cell_id).await?;
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
        log(
            &mut tx,
            actor,
            &m,
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
        log(
            &mut tx,
            actor,
            &m,
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
        log(
            &mut tx,
            actor,
            &m,
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
        log(
            &mut tx,
            actor,
            &m,
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
        log(
            &mut tx,
            actor,
            &m,
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
        for member in members
            .iter()
            .filter(|x| crate::model::Status::parse(&x.status).is_ok_and(|s| s.is_active()))
        {
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
        log(
            &mut tx,
            actor,
            &m,
            "meeting.notice",
            json!({"members": sent}),
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
        log(&mut tx, actor, &m, "meeting.open", json!({}), now).await?;
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
        log(
            &mut tx,
            actor,
            &m,
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
        log(&mut tx, actor, &m, "meeting.attendance", json!({"member_id": member_id, "member": entry.full_name, "presence": presence.as_str(), "reason": reason}), now).await?;
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
        log(
            &mut tx,
            actor,
            &m,
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
                    r.presence.as_deref() == Some(p)
                        && r.member_status != "mien_sinh_hoat"
                        && r.member_status != "tam_thoi_den"
                        && r.member_status != "tam_thoi_di"
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
                .filter(|r| {
                    matches!(
                        r.member_status.as_str(),
                        "mien_sinh_hoat" | "tam_thoi_den" | "tam_thoi_di"
                    )
                })
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

    /// Autosave of one section of the minutes. Conflicting saves are refused
    /// (Stale) so nobody's text silently replaces another's.
    pub async fn save_minutes(
        &self,
        actor: &Actor,
        id: i64,
        item_id: i64,
        version: i64,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        if m.minutes_locked_at.is_some() {
            return Err(invalid("minutes", "minutes.locked", ""));
        }
        let items = db::items(&self.db, id).await?;
        let item = items
            .iter()
            .find(|i| i.id == item_id)
            .ok_or(ServiceError::NotFound)?;
        let text = text.replace("\r\n", "\n");
        let text =
            unicode_normalization::UnicodeNormalization::nfc(text.as_str()).collect::<String>();
        if text == item.minutes {
            return Ok(item.minutes_version);
        }
        let mut tx = self.db.begin().await?;
        let Some(v) = db::save_minutes(&mut tx, item_id, version, &text, now).await? else {
            return Err(ServiceError::Stale);
        };
        log(
            &mut tx,
            actor,
            &m,
            "meeting.minutes",
            json!({"item": item.title, "chars": text.chars().count(), "version": v}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn add_speech(
        &self,
        actor: &Actor,
        id: i64,
        item_id: i64,
        member_id: Option<i64>,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        if m.minutes_locked_at.is_some() {
            return Err(invalid("body", "minutes.locked", ""));
        }
        let body = nfc(body);
        if body.is_empty() {
            return Err(invalid("body", "required", ""));
        }
        let items = db::items(&self.db, id).await?;
        let item = items
            .iter()
            .find(|i| i.id == item_id)
            .ok_or(ServiceError::NotFound)?;
        let speaker = match member_id {
            Some(mid) => db::roll(&self.db, id)
                .await?
                .into_iter()
                .find(|r| r.member_id == mid)
                .map(|r| r.full_name)
                .ok_or(ServiceError::NotFound)?,
            None => m.guest.clone().unwrap_or_else(|| "Đại biểu".into()),
        };
        let mut tx = self.db.begin().await?;
        db::add_speech(&mut tx, item.id, member_id, &speaker, &body, now).await?;
        log(
            &mut tx,
            actor,
            &m,
            "meeting.speech",
            json!({"item": item.title, "speaker": speaker}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a vote and freezes its roll. Kinds the rules reserve for secret
    /// ballots are refused here.
    pub async fn open_vote(
        &self,
        actor: &Actor,
        id: i64,
        kind: DecisionKind,
        subject: &str,
        mode: VoteMode,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        if m.status != "open" {
            return Err(invalid("kind", "meeting.not_open", ""));
        }
        let on = today(now);
        let secret: bool = self
            .rules
            .param(&format!("{}_secret_ballot", kind.code()), on)
            .map_err(|_| invalid("kind", "vote.kind", kind.code()))?;
        if secret {
            return Err(invalid("kind", "vote.secret_required", kind.code()));
        }
        let subject = nfc(subject);
        if subject.is_empty() {
            return Err(invalid("subject", "required", ""));
        }
        let roll = db::roll(&self.db, id).await?;
        let frozen: Vec<Frozen> = roll
            .iter()
            .filter(|r| rule_status(&r.member_status).is_some())
            .map(|r| Frozen {
                member_id: r.member_id,
                status: r.member_status.clone(),
                attendance: r
                    .presence
                    .clone()
                    .unwrap_or_else(|| "vang_khong_ly_do".into()),
            })
            .collect();
        let frozen = serde_json::to_string(&frozen).unwrap_or_default();
        let mut tx = self.db.begin().await?;
        let vid = db::open_vote(
            &mut tx,
            id,
            kind.code(),
            &subject,
            mode.as_str(),
            &frozen,
            now,
        )
        .await?;
        log(
            &mut tx,
            actor,
            &m,
            "vote.open",
            json!({"vote_id": vid, "kind": kind.code(), "subject": subject, "mode": mode.as_str()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(vid)
    }

    fn frozen_roll(v: &VoteRow) -> Vec<(i64, Member)> {
        serde_json::from_str::<Vec<Frozen>>(&v.roll)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|f| {
                Some((
                    f.member_id,
                    Member::new(rule_status(&f.status)?, attendance_of(Some(&f.attendance))),
                ))
            })
            .collect()
    }

    async fn vote_of(
        &self,
        actor: &Actor,
        meeting_id: i64,
        vote_id: i64,
    ) -> Result<(MeetingRow, OrgRow, VoteRow)> {
        let (m, cell) = self.meeting(actor, meeting_id).await?;
        let v = db::vote(&self.db, vote_id)
            .await?
            .filter(|v| v.meeting_id == meeting_id)
            .ok_or(ServiceError::NotFound)?;
        Ok((m, cell, v))
    }

    /// Closes a vote with counts the secretary entered (show of hands).
    pub async fn enter_counts(
        &self,
        actor: &Actor,
        meeting_id: i64,
        vote_id: i64,
        counts: (u32, u32, u32),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, cell, v) = self.vote_of(actor, meeting_id, vote_id).await?;
        if !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        if v.status != "open" {
            return Err(invalid("vote", "vote.closed", ""));
        }
        if v.mode != VoteMode::Counts.as_str() {
            return Err(invalid("vote", "vote.mode", v.mode.clone()));
        }
        self.decide_and_close(actor, &m, &v, counts, now).await
    }

    async fn decide_and_close(
        &self,
        actor: &Actor,
        m: &MeetingRow,
        v: &VoteRow,
        (yes, no, abstain): (u32, u32, u32),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let kind = DecisionKind::from_code(&v.kind).ok_or(ServiceError::NotFound)?;
        let roll: Vec<Member> = Self::frozen_roll(v).into_iter().map(|(_, m)| m).collect();
        let voters = roll
            .iter()
            .filter(|x| x.status == RuleStatus::ChinhThuc && x.attendance == Attendance::CoMat)
            .count() as u32;
        if yes + no + abstain > voters {
            return Err(invalid(
                "tan_thanh",
                "vote.too_many",
                format!("{} > {voters}", yes + no + abstain),
            ));
        }
        let d = self
            .rules
            .decide(
                kind,
                &roll,
                &Ballots::counts(yes, no, abstain),
                today(m.starts_at),
            )
            .map_err(|e| invalid("tan_thanh", "vote.rules", e.to_string()))?;
        let explanation = d.explain(Lang::Vi);
        let citations = serde_json::to_string(&d.citations).unwrap_or_default();
        let r = db::VoteResult {
            tan_thanh: yes.into(),
            khong_tan_thanh: no.into(),
            khong_bieu_quyet: abstain.into(),
            outcome: d.outcome.code(),
            needed: d.needed.into(),
            got: d.got.into(),
            base: d.base.into(),
            explanation: &explanation,
            citations: &citations,
        };
        let mut tx = self.db.begin().await?;
        if !db::close_vote(&mut tx, v.id, &r, now).await? {
            return Err(invalid("vote", "vote.closed", ""));
        }
        log(&mut tx, actor, m, "vote.close", json!({"vote_id": v.id, "counts": [yes, no, abstain], "outcome": d.outcome.code(), "explanation": explanation}), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A member's own vote, from their phone.
    pub async fn cast_vote(
        &self,
        actor: &Actor,
        meeting_id: i64,
        vote_id: i64,
        choice: Choice,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, _, v) = self.vote_of(actor, meeting_id, vote_id).await?;
        if v.status != "open" || v.mode != VoteMode::Named.as_str() {
            return Err(invalid("choice", "vote.closed", ""));
        }
        let me = actor.member_id.ok_or(ServiceError::Forbidden)?;
        let eligible = Self::frozen_roll(&v).iter().any(|(id, x)| {
            *id == me && x.status == RuleStatus::ChinhThuc && x.attendance == Attendance::CoMat
        });
        if !eligible {
            return Err(invalid("choice", "vote.not_eligible", ""));
        }
        let mut tx = self.db.begin().await?;
        if !db::cast(&mut tx, vote_id, me, choice.as_str(), now).await? {
            return Err(invalid("choice", "vote.already", ""));
        }
        log(
            &mut tx,
            actor,
            &m,
            "vote.cast",
            json!({"vote_id": vote_id, "choice": choice.as_str()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes a named vote: eligible members who did not vote count as not voting.
    pub async fn close_named_vote(
        &self,
        actor: &Actor,
        meeting_id: i64,
        vote_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, cell, v) = self.vote_of(actor, meeting_id, vote_id).await?;
        if !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        if v.status != "open" {
            return Err(invalid("vote", "vote.closed", ""));
        }
        let casts = db::casts(&self.db, vote_id).await?;
        let count = |c: Choice| casts.iter().filter(|(_, x)| x == c.as_str()).count() as u32;
        self.decide_and_close(
            actor,
            &m,
            &v,
            (
                count(Choice::TanThanh),
                count(Choice::KhongTanThanh),
                count(Choice::KhongBieuQuyet),
            ),
            now,
        )
        .await
    }

    pub async fn save_resolution(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        d: &db::Draft<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, cell) = self.managed_meeting(actor, id).await?;
        let subject = nfc(d.subject);
        if subject.is_empty() {
            return Err(invalid("subject", "required", ""));
        }
        let assignments: Vec<Assignment> = serde_json::from_str(d.assignments)
            .map_err(|_| invalid("assignments", "required", ""))?;
        let assignments = serde_json::to_string(
            &assignments
                .into_iter()
                .filter(|a| !a.what.trim().is_empty())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        let draft = db::Draft {
            subject: &subject,
            results: &nfc_text(d.results),
            tasks: &nfc_text(d.tasks),
            assignments: &assignments,
        };
        let mut tx = self.db.begin().await?;
        if !db::save_draft(&mut tx, id, cell.id, version, &draft, now).await? {
            return Err(ServiceError::Stale);
        }
        log(
            &mut tx,
            actor,
            &m,
            "resolution.draft",
            json!({"subject": subject}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adopts the draft with a passed vote: numbers it, locks it, seals it.
    pub async fn adopt_resolution(
        &self,
        actor: &Actor,
        id: i64,
        vote_id: i64,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let (m, cell) = self.managed_meeting(actor, id).await?;
        let r = db::resolution(&self.db, id)
            .await?
            .ok_or_else(|| invalid("subject", "resolution.missing", ""))?;
        if r.status != "draft" {
            return Err(invalid(
                "subject",
                "resolution.adopted",
                r.number_text.unwrap_or_default(),
            ));
        }
        let v = db::vote(&self.db, vote_id)
            .await?
            .filter(|v| v.meeting_id == id)
            .ok_or(ServiceError::NotFound)?;
        if v.kind != DecisionKind::NghiQuyet.code()
            || v.outcome.as_deref() != Some(Outcome::Dat.code())
        {
            return Err(invalid("vote", "resolution.vote_not_passed", v.subject));
        }
        let on = today(m.starts_at);
        let symbol: String = self
            .rules
            .param("doc_org_symbol_cell", on)
            .unwrap_or_else(|_| "CB".into());
        let mut tx = self.db.begin().await?;
        let term = db::term_start(&mut tx, cell.id, on)
            .await?
            // No recorded term: numbers run from the cell's first document.
            .unwrap_or(chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date"));
        let number = db::next_number(&mut tx, cell.id, "NQ", term).await?;
        let number_text = chibo_rules::format_doc_number(
            u32::try_from(number).unwrap_or(u32::MAX),
            "NQ",
            &symbol,
        );
        let body = json!({
            "number": number_text, "subject": r.subject, "results": r.results, "tasks": r.tasks,
            "assignments": serde_json::from_str::<serde_json::Value>(&r.assignments).unwrap_or_default(),
            "vote": {"tan_thanh": v.tan_thanh, "khong_tan_thanh": v.khong_tan_thanh, "khong_bieu_quyet": v.khong_bieu_quyet,
                     "base": v.base, "explanation": v.explanation},
            "meeting": {"id": m.id, "starts_at": m.starts_at, "place": m.place},
        })
        .to_string();
        let (hash, code) = seal(&body);
        db::adopt(&mut tx, r.id, vote_id, number, &number_text, &hash, now).await?;
        db::add_version(
            &mut tx,
            &db::NewVersion {
                doc_type: "resolution",
                doc_id: r.id,
                body: &body,
                hash: &hash,
                check_code: &code,
                reason: None,
                account_id: Some(actor.account_id),
            },
            now,
        )
        .await?;
        log(
            &mut tx,
            actor,
            &m,
            "resolution.adopt",
            json!({"number": number_text, "hash": hash, "check_code": code}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(number_text)
    }

    /// Locks the minutes of a closed meeting; later corrections are versions.
    pub async fn finalize_minutes(
        &self,
        actor: &Actor,
        id: i64,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        if m.status != "closed" {
            return Err(invalid("status", "meeting.not_closed", ""));
        }
        let view = self.meeting_view(actor, id).await?;
        let body = minutes_body(&view);
        let (hash, code) = seal(&body);
        let mut tx = self.db.begin().await?;
        db::lock_minutes(&mut tx, id, &hash, now).await?;
        let reason = reason.map(nfc).filter(|r| !r.is_empty());
        db::add_version(
            &mut tx,
            &db::NewVersion {
                doc_type: "minutes",
                doc_id: id,
                body: &body,
                hash: &hash,
                check_code: &code,
                reason: reason.as_deref(),
                account_id: Some(actor.account_id),
            },
            now,
        )
        .await?;
        log(
            &mut tx,
            actor,
            &m,
            "minutes.lock",
            json!({"hash": hash, "check_code": code, "reason": reason}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// Reopens locked minutes for a correction (who and why are recorded);
    /// locking again makes a new version.
    pub async fn unlock_minutes(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        let reason = nfc(reason);
        if reason.is_empty() {
            return Err(invalid("reason", "required", ""));
        }
        let mut tx = self.db.begin().await?;
        in_tx_unlock(&mut tx, id).await?;
        log(
            &mut tx,
            actor,
            &m,
            "minutes.unlock",
            json!({"reason": reason}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks locked documents against their seals; with a code, only those.
    pub async fn verify_documents(
        &self,
        code: Option<&str>,
    ) -> Result<Vec<(db::DocVersion, bool)>> {
        let versions = match code {
            Some(c) => db::version_by_code(&self.db, &c.trim().to_uppercase()).await?,
            None => db::all_versions(&self.db).await?,
        };
        Ok(versions
            .into_iter()
            .map(|v| {
                let (hash, code) = seal(&v.body);
                let ok = hash == v.hash && code == v.check_code;
                (v, ok)
            })
            .collect())
    }
}

async fn in_tx_unlock(tx: &mut Tx, id: i64) -> Result<()> {
    crate::store::in_tx!(tx, |c| sqlx::query(
        "UPDATE meeting SET minutes_locked_at = NULL, version = version + 1 WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

fn nfc_text(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    unicode_normalization::UnicodeNormalization::nfc(s.trim()).collect()
}

/// The minutes as sealed: everything the printed minutes show.
pub fn minutes_body(v: &MeetingView) -> String {
    json!({
        "meeting": {"id": v.meeting.id, "kind": v.meeting.kind, "topic": v.meeting.topic, "starts_at": v.meeting.starts_at,
                    "opened_at": v.meeting.opened_at, "closed_at": v.meeting.closed_at, "place": v.meeting.place,
                    "chair_id": v.meeting.chair_id, "secretary_id": v.meeting.secretary_id, "guest": v.meeting.guest},
        "roll": v.roll.iter().map(|r| json!({"member_id": r.member_id, "name": r.full_name, "status": r.member_status, "presence": r.presence, "reason": r.reason})).collect::<Vec<_>>(),
        "items": v.items.iter().map(|i| json!({"title": i.title, "minutes": i.minutes,
            "speeches": v.speeches.iter().filter(|s| s.agenda_item_id == i.id).map(|s| json!({"speaker": s.speaker, "body": s.body})).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "votes": v.votes.iter().map(|x| json!({"subject": x.subject, "kind": x.kind, "counts": [x.tan_thanh, x.khong_tan_thanh, x.khong_bieu_quyet], "outcome": x.outcome, "explanation": x.explanation})).collect::<Vec<_>>(),
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_are_stable_and_short() {
        let (h, c) = seal("{\"a\":1}");
        assert_eq!(h.len(), 64);
        assert_eq!(c.len(), 9);
        assert_eq!(&c[4..5], "-");
        assert_eq!(seal("{\"a\":1}"), (h.clone(), c));
        assert_ne!(seal("{\"a\":2}").0, h);
    }
}
