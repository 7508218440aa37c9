//! A year of a cell's life for the demo and the province benchmark: monthly
//! meetings with their order of business, roll and attendance, the vote and
//! the adopted resolution, its tasks carried through progress, review,
//! carry-over and closing, and the next meeting's notice. Rows are built in
//! memory with ids assigned here and written by the demo's batch, with the
//! audit entries the services would have written.

use super::Batch;
use crate::model::{CellType, MeetingKind, agenda_template, fold};
use crate::service::Services;
use crate::service::documents::review_line;
use crate::service::meetings::seal::{Printed, seal, sealed_body};
use crate::service::meetings::{Assignment, MeetingView};
use crate::store::bulk::{Rows, Val};
use crate::store::images::Part;
use crate::store::meetings::{AgendaItem, MeetingRow, ResolutionRow, RollEntry, VoteRow};
use crate::store::orgs::OrgRow;
use chibo_rules::{Attendance, Ballots, DecisionKind, Lang, Member, Outcome, Status as RuleStatus};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;

/// The ids the next rows of each table get.
pub(super) struct NextIds {
    pub meeting: i64,
    pub vote: i64,
    pub resolution: i64,
    pub task: i64,
}

pub(super) struct History {
    pub ids: NextIds,
    pub meetings: Rows,
    pub agenda: Rows,
    pub attendance: Rows,
    /// Each meeting's roll-call counts, as `store::meetings::recount_roll`
    /// keeps them.
    pub roll_counts: Rows,
    pub votes: Rows,
    pub resolutions: Rows,
    pub tasks: Rows,
    /// The lowest and highest id among the task rows not yet written: the
    /// flush recounts their cells' kept counters, as every task write does.
    task_span: Option<(i64, i64)>,
    pub owners: Rows,
    pub reviews: Rows,
    pub progress: Rows,
    pub notices: Rows,
    pub sequences: Rows,
}

/// A member on a cell's roll: id, name and standing.
pub(super) struct OnRoll {
    pub id: i64,
    pub name: String,
    pub status: RuleStatus,
}

const TASKS: &[&str] = &[
    "Vận động hội viên đóng góp quỹ khuyến học",
    "Nắm tình hình tư tưởng, dư luận trong khu dân cư",
    "Phối hợp tổ dân phố ra quân vệ sinh môi trường",
    "Thăm hỏi gia đình chính sách nhân dịp lễ",
    "Rà soát, cập nhật hồ sơ đảng viên",
    "Tuyên truyền phòng, chống ma túy trong thanh niên",
    "Vận động nhân dân thực hiện nếp sống văn minh",
    "Theo dõi, giúp đỡ quần chúng ưu tú trong diện phát triển đảng",
    "Thu, nộp đảng phí đúng hạn",
    "Tổ chức học tập, quán triệt nghị quyết của cấp trên",
];

fn local(d: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    // Việt Nam keeps no daylight saving, so every local time exists once.
    Ho_Chi_Minh
        .with_ymd_and_hms(d.year(), d.month(), d.day(), h, m, 0)
        .earliest()
        .expect("a valid local time")
        .with_timezone(&Utc)
}

impl History {
    pub fn new(ids: NextIds) -> Self {
        Self {
            ids,
            meetings: Rows::new(
                "meeting",
                &[
                    "id",
                    "cell_id",
                    "kind",
                    "topic",
                    "starts_at",
                    "place",
                    "chair_id",
                    "secretary_id",
                    "status",
                    "opened_at",
                    "closed_at",
                    "minutes_locked_at",
                    "minutes_hash",
                    "version",
                    "created_at",
                ],
            ),
            agenda: Rows::new(
                "agenda_item",
                &["meeting_id", "position", "kind", "title", "minutes"],
            ),
            attendance: Rows::new(
                "attendance",
                &[
                    "meeting_id",
                    "member_id",
                    "member_status",
                    "presence",
                    "reason",
                    "updated_at",
                ],
            ),
            roll_counts: Rows::new(
                "meeting_roll_count",
                &["meeting_id", "marked", "present", "excused", "unexcused"],
            ),
            votes: Rows::new(
                "vote",
                &[
                    "id",
                    "meeting_id",
                    "kind",
                    "subject",
                    "mode",
                    "status",
                    "roll",
                    "tan_thanh",
                    "khong_tan_thanh",
                    "khong_bieu_quyet",
                    "outcome",
                    "needed",
                    "got",
                    "base",
                    "explanation",
                    "citations",
                    "opened_at",
                    "closed_at",
                ],
            ),
            resolutions: Rows::new(
                "resolution",
                &[
                    "id",
                    "meeting_id",
                    "cell_id",
                    "subject",
                    "results",
                    "tasks",
                    "assignments",
                    "status",
                    "vote_id",
                    "number",
                    "number_text",
                    "adopted_at",
                    "hash",
                    "version",
                    "created_at",
                ],
            ),
            tasks: Rows::new(
                "task",
                &[
                    "id",
                    "cell_id",
                    "resolution_id",
                    "item_no",
                    "source",
                    "title",
                    "lead_id",
                    "assigned_on",
                    "deadline",
                    "report_meeting_id",
                    "status",
                    "progress",
                    "completed_on",
                    "closed_on",
                    "closed_meeting_id",
                    "closing_note",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            ),
            task_span: None,
            owners: Rows::new("task_owner", &["task_id", "member_id"]),
            reviews: Rows::new(
                "task_review",
                &[
                    "task_id",
                    "meeting_id",
                    "status",
                    "decision",
                    "new_deadline",
                    "note",
                    "created_at",
                ],
            ),
            progress: Rows::new(
                "task_progress",
                &[
                    "task_id",
                    "author",
                    "on_date",
                    "status",
                    "progress",
                    "note",
                    "created_at",
                ],
            ),
            notices: Rows::new(
                "notice",
                &[
                    "meeting_id",
                    "member_id",
                    "channel",
                    "subject",
                    "body",
                    "status",
                    "next_attempt_at",
                    "created_at",
                ],
            ),
            sequences: Rows::new(
                "doc_sequence",
                &["org_id", "doc_type", "term_start", "last_no"],
            ),
        }
    }

    /// Writes every table in the caller's transaction, parents first.
    pub async fn flush(&mut self, tx: &mut crate::store::Tx) -> crate::store::Result<()> {
        for rows in [
            &mut self.meetings,
            &mut self.agenda,
            &mut self.attendance,
            &mut self.roll_counts,
            &mut self.votes,
            &mut self.resolutions,
            &mut self.tasks,
            &mut self.owners,
            &mut self.reviews,
            &mut self.progress,
            &mut self.notices,
            &mut self.sequences,
        ] {
            rows.flush(tx).await?;
        }
        if let Some((first, last)) = self.task_span.take() {
            crate::store::tasks::keep_counts(tx, first, last).await?;
        }
        Ok(())
    }
}

/// A task waiting for the next meeting's review.
struct OpenTask {
    id: i64,
    lead: i64,
    assigned_on: NaiveDate,
    deadline: NaiveDate,
    resolution: i64,
    item_no: i64,
    title: String,
    /// Reviews left before it is finished (0: done by the next meeting).
    carries: u8,
    /// Never finished: overdue and still open.
    stuck: bool,
}

/// Who and where a cell's history happens: the names its documents print.
pub(super) struct CellLife<'a> {
    pub cell: &'a OrgRow,
    pub cell_type: CellType,
    /// The upper committee's name (the documents' superior).
    pub superior: &'a str,
    /// The cell's secretary, who signs its resolutions.
    pub secretary: &'a str,
    pub roll: &'a [OnRoll],
    pub chair: i64,
    pub minute_taker: i64,
}

impl Batch {
    /// Monthly meetings over the last `months` months (this one included)
    /// up to `today`, and the next one notified, for one cell. Held meetings
    /// are what the services leave: roll-call, a vote the rule pack decides,
    /// the resolution adopted, numbered and sealed as printed, its tasks, the
    /// minutes locked and sealed, each with its audit entry.
    pub(super) fn history(
        &mut self,
        s: &Services,
        rng: &mut StdRng,
        life: &CellLife<'_>,
        months: u32,
        today: NaiveDate,
    ) {
        let Some(h) = self.history.as_mut() else {
            return;
        };
        let (cell, roll) = (life.cell, life.roll);
        let name_of = |id: i64| {
            roll.iter()
                .find(|m| m.id == id)
                .map(|m| m.name.clone())
                .unwrap_or_default()
        };
        let place = format!("Nhà văn hóa {}", cell.name);
        let first = today
            .with_day(1)
            .and_then(|d| d.checked_sub_months(chrono::Months::new(months.saturating_sub(1))))
            .unwrap_or(today);
        let mut open: Vec<OpenTask> = Vec::new();
        let mut number = 0i64;
        let mut audit: Vec<Entry> = Vec::new();
        let mut versions: Vec<[Val; 8]> = Vec::new();
        for k in 0..=months {
            let month = first
                .checked_add_months(chrono::Months::new(k))
                .unwrap_or(first);
            let day = month + Duration::days(rng.random_range(2..9));
            // Past meetings were held; the first one ahead is notified, and
            // nothing is made after it.
            let held = day < today;
            let kind = if month.month().is_multiple_of(3) {
                MeetingKind::KetHop
            } else {
                MeetingKind::ThuongKy
            };
            let id = h.ids.meeting;
            h.ids.meeting += 1;
            let starts = local(day, 19, 30);
            let agenda = agenda_template(kind, Some(life.cell_type));
            for (pos, (akind, title)) in agenda.iter().enumerate() {
                h.agenda.push([
                    id.into(),
                    i64::try_from(pos + 1).unwrap_or(0).into(),
                    akind.as_str().into(),
                    title.as_str().into(),
                    "".into(),
                ]);
            }
            if !held {
                // The next meeting: notice sent, roll drawn up, answers pending.
                push_meeting(h, id, cell.id, kind, starts, &place, life, None);
                h.roll_counts.push([
                    id.into(),
                    Val::Int(0),
                    Val::Int(0),
                    Val::Int(0),
                    Val::Int(0),
                ]);
                for m in roll {
                    h.attendance.push([
                        id.into(),
                        m.id.into(),
                        m.status.as_str().into(),
                        Val::Null,
                        Val::Null,
                        Val::Null,
                    ]);
                    h.notices.push([
                        id.into(),
                        m.id.into(),
                        "app".into(),
                        format!("Thông báo triệu tập sinh hoạt {}", cell.name).into(),
                        format!(
                            "Chi bộ triệu tập đồng chí dự sinh hoạt lúc 19:30 ngày {}.",
                            day.format("%d/%m/%Y")
                        )
                        .into(),
                        "sent".into(),
                        (starts - Duration::days(5)).into(),
                        (starts - Duration::days(5)).into(),
                    ]);
                }
                audit.push(Entry {
                    action: "meeting.notice",
                    entity: "meeting",
                    id,
                    summary: json!({"members": roll.len()}),
                    parts: vec![
                        Part::Under("attendance", id),
                        Part::Under("agenda_item", id),
                    ],
                });
                for t in open.drain(..) {
                    h.write_task(&t, None, Some(id), cell.id, self.at);
                }
                break;
            }
            let (opened, closed) = (starts, starts + Duration::minutes(125));
            // The roll and who came.
            let mut entries = Vec::with_capacity(roll.len());
            let mut frozen = Vec::with_capacity(roll.len());
            // Present, excused, unexcused: everyone on the roll is marked.
            let mut counts = [0i64; 3];
            for m in roll {
                let p: f64 = rng.random();
                let (presence, n) = if p < 0.86 {
                    ("co_mat", 0)
                } else if p < 0.96 {
                    ("vang_co_ly_do", 1)
                } else {
                    ("vang_khong_ly_do", 2)
                };
                counts[n] += 1;
                let reason = (presence == "vang_co_ly_do").then_some("Bận công tác");
                h.attendance.push([
                    id.into(),
                    m.id.into(),
                    m.status.as_str().into(),
                    presence.into(),
                    reason.into(),
                    starts.into(),
                ]);
                entries.push(RollEntry {
                    member_id: m.id,
                    full_name: m.name.clone(),
                    member_status: m.status,
                    presence: Some(presence.into()),
                    reason: reason.map(Into::into),
                    arrived_at: None,
                    left_at: None,
                });
                frozen.push(
                    json!({"member_id": m.id, "status": m.status.as_str(), "attendance": presence}),
                );
            }
            h.roll_counts.push([
                id.into(),
                counts.iter().sum::<i64>().into(),
                counts[0].into(),
                counts[1].into(),
                counts[2].into(),
            ]);
            // The roll as the services read it back: by name.
            entries.sort_by(|a, b| {
                (fold(&a.full_name), a.member_id).cmp(&(fold(&b.full_name), b.member_id))
            });
            // Review of the tasks still open: finish, carry over, or leave overdue.
            let mut still = Vec::new();
            let mut review = Vec::new();
            let mut review_facts = Vec::new();
            for mut t in open.drain(..) {
                let late = if t.deadline < day {
                    "qua_han"
                } else {
                    "dang_thuc_hien"
                };
                let decided = if t.stuck {
                    None
                } else if t.carries > 0 {
                    Some((late, "chuyen_ky_sau"))
                } else {
                    Some(("hoan_thanh", "dong"))
                };
                review_facts.push(
                    json!({"task_id": t.id, "what": t.title, "lead": name_of(t.lead),
                    "status": decided.map_or(late, |d| d.0), "decision": decided.map(|d| d.1)}),
                );
                if t.stuck {
                    review.push(review_line(
                        review.len() + 1,
                        t.title.clone(),
                        name_of(t.lead),
                        late,
                        None,
                    ));
                    still.push(t);
                } else if t.carries > 0 {
                    t.carries -= 1;
                    let new_deadline = day + Duration::days(25);
                    h.reviews.push([
                        t.id.into(),
                        id.into(),
                        late.into(),
                        "chuyen_ky_sau".into(),
                        new_deadline.into(),
                        "Chuyển sang tháng sau".into(),
                        starts.into(),
                    ]);
                    review.push(review_line(
                        review.len() + 1,
                        t.title.clone(),
                        name_of(t.lead),
                        late,
                        Some("chuyen_ky_sau"),
                    ));
                    t.deadline = new_deadline;
                    still.push(t);
                } else {
                    let done = (t.assigned_on + Duration::days(rng.random_range(5..20))).min(day);
                    h.write_task(&t, Some((done, id, day)), None, cell.id, self.at);
                    h.reviews.push([
                        t.id.into(),
                        id.into(),
                        "hoan_thanh".into(),
                        "dong".into(),
                        Val::Null,
                        "".into(),
                        starts.into(),
                    ]);
                    review.push(review_line(
                        review.len() + 1,
                        t.title.clone(),
                        name_of(t.lead),
                        "hoan_thanh",
                        Some("dong"),
                    ));
                    h.progress.push([
                        t.id.into(),
                        "Dữ liệu mẫu".into(),
                        done.into(),
                        "hoan_thanh".into(),
                        100i64.into(),
                        "Đã hoàn thành".into(),
                        self.at.into(),
                    ]);
                }
            }
            open = still;
            // The vote, decided by the rule pack on the roll: every voter
            // present votes for.
            let members: Vec<Member> = entries
                .iter()
                .filter_map(|r| {
                    Some(Member::new(
                        Some(r.member_status)?,
                        Attendance::from_code(r.presence.as_deref()?)?,
                    ))
                })
                .collect();
            let voters = s.panel(&entries, day, Lang::Vi).voters_present;
            let Ok(d) = s.rules.decide(
                DecisionKind::NghiQuyet,
                &members,
                &Ballots::counts(voters, 0, 0),
                day,
            ) else {
                continue;
            };
            let vote = VoteRow {
                id: h.ids.vote,
                meeting_id: id,
                kind: DecisionKind::NghiQuyet.code().into(),
                subject: format!("Thông qua nghị quyết tháng {}", month.format("%m/%Y")),
                mode: "counts".into(),
                status: "closed".into(),
                roll: serde_json::Value::Array(frozen).to_string(),
                tan_thanh: voters.into(),
                khong_tan_thanh: 0,
                khong_bieu_quyet: 0,
                outcome: Some(d.outcome.code().into()),
                needed: Some(d.needed.into()),
                got: Some(d.got.into()),
                base: Some(d.base.into()),
                explanation: Some(d.explain(Lang::Vi)),
                citations: Some(serde_json::to_string(&d.citations).unwrap_or_default()),
                opened_at: starts + Duration::minutes(100),
                closed_at: Some(starts + Duration::minutes(105)),
            };
            h.ids.vote += 1;
            h.votes.push([
                vote.id.into(),
                id.into(),
                vote.kind.as_str().into(),
                vote.subject.as_str().into(),
                "counts".into(),
                "closed".into(),
                vote.roll.as_str().into(),
                vote.tan_thanh.into(),
                0i64.into(),
                0i64.into(),
                vote.outcome.clone().into(),
                vote.needed.into(),
                vote.got.into(),
                vote.base.into(),
                vote.explanation.clone().into(),
                vote.citations.clone().into(),
                vote.opened_at.into(),
                vote.closed_at.into(),
            ]);
            let mut meeting = MeetingRow {
                id,
                cell_id: cell.id,
                kind: kind.as_str().into(),
                topic: None,
                starts_at: starts,
                place: place.clone(),
                chair_id: Some(life.chair),
                secretary_id: Some(life.minute_taker),
                preparer_id: None,
                guest: None,
                status: "closed".into(),
                opened_at: Some(opened),
                closed_at: Some(closed),
                minutes_locked_at: None,
                minutes_hash: None,
                version: 1,
                open_reason: None,
                close_reason: None,
            };
            let mut view = MeetingView {
                meeting: meeting.clone(),
                cell: cell.clone(),
                items: agenda
                    .iter()
                    .enumerate()
                    .map(|(pos, (akind, title))| AgendaItem {
                        id: 0,
                        meeting_id: id,
                        position: i64::try_from(pos + 1).unwrap_or(0),
                        kind: akind.as_str().into(),
                        title: title.clone(),
                        minutes: String::new(),
                        minutes_version: 0,
                    })
                    .collect(),
                roll: entries,
                votes: vec![vote.clone()],
                resolution: None,
                speeches: vec![],
                may_manage: true,
            };
            audit.push(Entry {
                action: "meeting.close",
                entity: "meeting",
                id,
                summary: json!({"minutes": 125}),
                parts: vec![
                    Part::Under("agenda_item", id),
                    Part::Under("attendance", id),
                    Part::Row("vote", vec![id, vote.id]),
                ],
            });
            // The resolution it adopts, when the vote passed.
            if d.outcome == Outcome::Dat {
                number += 1;
                let resolution = h.ids.resolution;
                h.ids.resolution += 1;
                let number_text =
                    chibo_rules::format_doc_number(u32::try_from(number).unwrap_or(0), "NQ", "CB");
                let count = rng.random_range(2..=3);
                let mut rows = Vec::new();
                for item in 0..count {
                    let title = TASKS[rng.random_range(0..TASKS.len())].to_string();
                    let lead = roll[rng.random_range(0..roll.len())].id;
                    let deadline = day + Duration::days(rng.random_range(15..40));
                    let roll_dice: f64 = rng.random();
                    let t = OpenTask {
                        id: h.ids.task,
                        lead,
                        assigned_on: day,
                        deadline,
                        resolution,
                        item_no: item + 1,
                        title: title.clone(),
                        carries: u8::from(roll_dice > 0.78),
                        stuck: roll_dice > 0.93,
                    };
                    h.ids.task += 1;
                    let mut owners = vec![lead];
                    if rng.random_bool(0.3) {
                        let co = roll[rng.random_range(0..roll.len())].id;
                        if co != lead {
                            h.owners.push([t.id.into(), co.into()]);
                            owners.push(co);
                        }
                    }
                    let who: Vec<String> = owners.iter().map(|o| name_of(*o)).collect();
                    rows.push(Assignment {
                        what: title,
                        who: who.join(", "),
                        deadline: deadline.format("%d/%m/%Y").to_string(),
                        lead_id: Some(lead),
                        co_owner_ids: owners[1..].to_vec(),
                        concern_id: None,
                    });
                    audit.push(Entry {
                        action: "task.assign",
                        entity: "task",
                        id: t.id,
                        summary: json!({"title": t.title, "lead_id": lead, "deadline": deadline}),
                        parts: vec![],
                    });
                    open.push(t);
                }
                let subject = format!(
                    "về nhiệm vụ tháng {}",
                    (month + Duration::days(40)).format("%m năm %Y")
                );
                let adopted_at = starts + Duration::minutes(110);
                let mut r = ResolutionRow {
                    id: resolution,
                    meeting_id: id,
                    cell_id: cell.id,
                    subject,
                    results: "Chi bộ đã lãnh đạo hoàn thành các nhiệm vụ trọng tâm trong tháng."
                        .into(),
                    tasks: "Tiếp tục thực hiện các nhiệm vụ được phân công.".into(),
                    assignments: serde_json::to_string(&rows).unwrap_or_default(),
                    no_tasks: false,
                    status: "adopted".into(),
                    vote_id: Some(vote.id),
                    number: Some(number),
                    number_text: Some(number_text.clone()),
                    adopted_at: Some(adopted_at),
                    hash: None,
                    version: 1,
                };
                view.resolution = Some(r.clone());
                let (printed, _) =
                    s.printed_from_records(life.superior, life.secretary, &view, &review);
                let facts = json!({
                    "number": number_text, "subject": r.subject, "results": r.results, "tasks": r.tasks,
                    "assignments": rows, "no_tasks": false,
                    "review": review_facts,
                    "vote": {"tan_thanh": vote.tan_thanh, "khong_tan_thanh": 0, "khong_bieu_quyet": 0,
                             "base": vote.base, "explanation": vote.explanation},
                    "meeting": {"id": id, "starts_at": starts, "opened_at": opened, "closed_at": closed, "place": place},
                });
                if let Some(printed) = printed {
                    let (hash, code) = sealed(
                        &mut versions,
                        "resolution",
                        resolution,
                        facts,
                        &printed,
                        adopted_at,
                    );
                    audit.push(Entry {
                        action: "resolution.adopt",
                        entity: "meeting",
                        id,
                        summary: json!({"number": number_text, "doc_type": "resolution", "doc_id": resolution,
                                        "version": 1, "hash": hash, "check_code": code}),
                        parts: vec![Part::Row("resolution", vec![id])],
                    });
                    r.hash = Some(hash);
                }
                h.resolutions.push([
                    r.id.into(),
                    id.into(),
                    cell.id.into(),
                    r.subject.as_str().into(),
                    r.results.as_str().into(),
                    r.tasks.as_str().into(),
                    r.assignments.as_str().into(),
                    "adopted".into(),
                    vote.id.into(),
                    number.into(),
                    number_text.as_str().into(),
                    adopted_at.into(),
                    r.hash.clone().into(),
                    1i64.into(),
                    starts.into(),
                ]);
                view.resolution = Some(r);
            }
            // The minutes, locked and sealed after the meeting.
            let locked_at = closed + Duration::minutes(15);
            let (_, printed) =
                s.printed_from_records(life.superior, life.secretary, &view, &review);
            let (hash, code) = sealed(
                &mut versions,
                "minutes",
                id,
                crate::service::meetings::minutes_facts(&view),
                &printed,
                locked_at,
            );
            audit.push(Entry {
                action: "minutes.lock",
                entity: "meeting",
                id,
                summary: json!({"reason": null, "doc_type": "minutes", "doc_id": id, "version": 1,
                                "hash": hash, "check_code": code}),
                parts: vec![],
            });
            meeting.minutes_locked_at = Some(locked_at);
            meeting.minutes_hash = Some(hash);
            push_meeting(h, id, cell.id, kind, starts, &place, life, Some(&meeting));
        }
        // Tasks the last meeting could not leave to a next one (none notified).
        if let Some(h) = self.history.as_mut() {
            for t in open.drain(..) {
                h.write_task(&t, None, None, cell.id, self.at);
            }
            if number > 0 {
                h.sequences.push([
                    cell.id.into(),
                    "NQ".into(),
                    NaiveDate::from_ymd_opt(1900, 1, 1).into(),
                    number.into(),
                ]);
            }
        }
        for v in versions {
            self.versions.push(v);
        }
        for e in audit {
            self.audit_with(cell.id, e.action, e.entity, e.id, &e.summary, e.parts);
        }
    }
}

/// An audit entry of the history, pushed once the cell's rows are made.
struct Entry {
    action: &'static str,
    entity: &'static str,
    id: i64,
    summary: serde_json::Value,
    parts: Vec<Part>,
}

/// Seals a document as `lock_document` does, adding its version to
/// `versions`: its hash and check code.
fn sealed(
    versions: &mut Vec<[Val; 8]>,
    doc_type: &'static str,
    doc_id: i64,
    facts: serde_json::Value,
    printed: &Printed,
    at: DateTime<Utc>,
) -> (String, String) {
    let body = sealed_body(facts, printed);
    let (hash, code) = seal(&body);
    versions.push([
        doc_type.into(),
        doc_id.into(),
        1i64.into(),
        body.into(),
        hash.as_str().into(),
        code.as_str().into(),
        0i64.into(),
        at.into(),
    ]);
    (hash, code)
}

/// A meeting's row: planned and notified (`held` is `None`), or held,
/// closed and with its minutes locked as `held` says.
#[allow(clippy::too_many_arguments)]
fn push_meeting(
    h: &mut History,
    id: i64,
    cell_id: i64,
    kind: MeetingKind,
    starts: DateTime<Utc>,
    place: &str,
    life: &CellLife<'_>,
    held: Option<&MeetingRow>,
) {
    h.meetings.push([
        id.into(),
        cell_id.into(),
        kind.as_str().into(),
        Val::Null,
        starts.into(),
        place.into(),
        life.chair.into(),
        life.minute_taker.into(),
        (if held.is_some() { "closed" } else { "notified" }).into(),
        held.and_then(|m| m.opened_at).into(),
        held.and_then(|m| m.closed_at).into(),
        held.and_then(|m| m.minutes_locked_at).into(),
        held.and_then(|m| m.minutes_hash.clone()).into(),
        1i64.into(),
        (starts - Duration::days(7)).into(),
    ]);
}

impl History {
    /// A task's row: closed at a meeting when `done` is given (completed
    /// on, meeting id, meeting day), else still open and reporting to
    /// `report_to`.
    fn write_task(
        &mut self,
        t: &OpenTask,
        done: Option<(NaiveDate, i64, NaiveDate)>,
        report_to: Option<i64>,
        cell_id: i64,
        at: DateTime<Utc>,
    ) {
        let (status, progress) = match done {
            Some(_) => ("hoan_thanh", 100i64),
            None if t.stuck => ("dang_thuc_hien", 50),
            None => ("chua_bat_dau", 0),
        };
        self.task_span = Some(match self.task_span {
            Some((lo, hi)) => (lo.min(t.id), hi.max(t.id)),
            None => (t.id, t.id),
        });
        self.tasks.push([
            t.id.into(),
            cell_id.into(),
            t.resolution.into(),
            t.item_no.into(),
            "resolution".into(),
            t.title.as_str().into(),
            t.lead.into(),
            t.assigned_on.into(),
            t.deadline.into(),
            report_to.into(),
            status.into(),
            progress.into(),
            done.map(|d| d.0).into(),
            done.map(|d| d.2).into(),
            done.map(|d| d.1).into(),
            Val::Null,
            1i64.into(),
            at.into(),
            at.into(),
        ]);
    }
}
