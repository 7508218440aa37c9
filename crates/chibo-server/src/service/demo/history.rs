//! A year of a cell's life for the demo and the province benchmark: monthly
//! meetings with their order of business, roll and attendance, the vote and
//! the adopted resolution, its tasks carried through progress, review,
//! carry-over and closing, and the next meeting's notice. Rows are built in
//! memory with ids assigned here and written by the demo's batch, with the
//! audit entries the services would have written.

use super::Batch;
use crate::model::{CellType, MeetingKind, agenda_template};
use crate::store::bulk::{Rows, Val};
use crate::store::orgs::OrgRow;
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
    pub votes: Rows,
    pub resolutions: Rows,
    pub tasks: Rows,
    pub owners: Rows,
    pub reviews: Rows,
    pub progress: Rows,
    pub notices: Rows,
    pub sequences: Rows,
}

/// A member on a cell's roll: id and standing.
pub(super) struct OnRoll {
    pub id: i64,
    pub status: &'static str,
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

impl Batch {
    /// Monthly meetings over the last `months` months (this one included)
    /// up to `today`, and the next one notified,
    /// for one cell whose roll is `roll` and whose secretary is `chair`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn history(
        &mut self,
        rng: &mut StdRng,
        cell: &OrgRow,
        cell_type: CellType,
        roll: &[OnRoll],
        chair: i64,
        minute_taker: i64,
        months: u32,
        today: NaiveDate,
    ) {
        let Some(h) = self.history.as_mut() else {
            return;
        };
        let place = format!("Nhà văn hóa {}", cell.name);
        let first = today
            .with_day(1)
            .and_then(|d| d.checked_sub_months(chrono::Months::new(months.saturating_sub(1))))
            .unwrap_or(today);
        let mut open: Vec<OpenTask> = Vec::new();
        let mut number = 0i64;
        let mut audit: Vec<(&'static str, &'static str, i64, serde_json::Value)> = Vec::new();
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
            h.meetings.push([
                id.into(),
                cell.id.into(),
                kind.as_str().into(),
                Val::Null,
                starts.into(),
                place.as_str().into(),
                chair.into(),
                minute_taker.into(),
                (if held { "closed" } else { "notified" }).into(),
                if held { starts.into() } else { Val::Null },
                if held {
                    (starts + Duration::minutes(125)).into()
                } else {
                    Val::Null
                },
                1i64.into(),
                (starts - Duration::days(7)).into(),
            ]);
            for (pos, (akind, title)) in agenda_template(kind, Some(cell_type))
                .into_iter()
                .enumerate()
            {
                h.agenda.push([
                    id.into(),
                    i64::try_from(pos + 1).unwrap_or(0).into(),
                    akind.as_str().into(),
                    title.into(),
                    "".into(),
                ]);
            }
            if !held {
                // The next meeting: notice sent, roll drawn up, answers pending.
                for m in roll {
                    h.attendance.push([
                        id.into(),
                        m.id.into(),
                        m.status.into(),
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
                audit.push((
                    "meeting.notice",
                    "meeting",
                    id,
                    json!({"members": roll.len()}),
                ));
                for t in open.drain(..) {
                    h.write_task(&t, None, Some(id), cell.id, self.at);
                }
                break;
            }
            // The roll and who came.
            let mut present_full = 0i64;
            let mut full = 0i64;
            let mut frozen = Vec::with_capacity(roll.len());
            for m in roll {
                let p: f64 = rng.random();
                let presence = if p < 0.86 {
                    "co_mat"
                } else if p < 0.96 {
                    "vang_co_ly_do"
                } else {
                    "vang_khong_ly_do"
                };
                h.attendance.push([
                    id.into(),
                    m.id.into(),
                    m.status.into(),
                    presence.into(),
                    (presence == "vang_co_ly_do")
                        .then_some("Bận công tác")
                        .into(),
                    starts.into(),
                ]);
                if m.status == "chinh_thuc" {
                    full += 1;
                    if presence == "co_mat" {
                        present_full += 1;
                    }
                }
                frozen.push(json!({"member_id": m.id, "status": m.status, "attendance": presence}));
            }
            // Review of the tasks still open: finish, carry over, or leave overdue.
            let mut still = Vec::new();
            for mut t in open.drain(..) {
                if t.stuck {
                    still.push(t);
                } else if t.carries > 0 {
                    t.carries -= 1;
                    let new_deadline = day + Duration::days(25);
                    h.reviews.push([
                        t.id.into(),
                        id.into(),
                        (if t.deadline < day {
                            "qua_han"
                        } else {
                            "dang_thuc_hien"
                        })
                        .into(),
                        "chuyen_ky_sau".into(),
                        new_deadline.into(),
                        "Chuyển sang tháng sau".into(),
                        starts.into(),
                    ]);
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
            // The vote and the resolution it adopts.
            let vote = h.ids.vote;
            h.ids.vote += 1;
            let needed = full / 2 + 1;
            h.votes.push([
                vote.into(),
                id.into(),
                "nghi_quyet".into(),
                format!("Thông qua nghị quyết tháng {}", month.format("%m/%Y")).into(),
                "counts".into(),
                "closed".into(),
                serde_json::Value::Array(frozen).to_string().into(),
                present_full.into(),
                0i64.into(),
                0i64.into(),
                "dat".into(),
                needed.into(),
                present_full.into(),
                full.into(),
                format!("{present_full}/{full} đảng viên chính thức tán thành, cần {needed}: đạt.")
                    .into(),
                "[]".into(),
                (starts + Duration::minutes(100)).into(),
                (starts + Duration::minutes(105)).into(),
            ]);
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
                rows.push(json!({"who": "", "what": title, "deadline": deadline.format("%d/%m/%Y").to_string(), "lead_id": lead}));
                let t = OpenTask {
                    id: h.ids.task,
                    lead,
                    assigned_on: day,
                    deadline,
                    resolution,
                    item_no: item + 1,
                    title,
                    carries: u8::from(roll_dice > 0.78),
                    stuck: roll_dice > 0.93,
                };
                h.ids.task += 1;
                if rng.random_bool(0.3) {
                    let co = roll[rng.random_range(0..roll.len())].id;
                    if co != lead {
                        h.owners.push([t.id.into(), co.into()]);
                    }
                }
                audit.push((
                    "task.assign",
                    "task",
                    t.id,
                    json!({"title": t.title, "lead_id": lead, "deadline": deadline}),
                ));
                open.push(t);
            }
            let subject = format!(
                "về nhiệm vụ tháng {}",
                (month + Duration::days(40)).format("%m năm %Y")
            );
            h.resolutions.push([
                resolution.into(),
                id.into(),
                cell.id.into(),
                subject.as_str().into(),
                "Chi bộ đã lãnh đạo hoàn thành các nhiệm vụ trọng tâm trong tháng.".into(),
                "Tiếp tục thực hiện các nhiệm vụ được phân công.".into(),
                serde_json::Value::Array(rows).to_string().into(),
                "adopted".into(),
                vote.into(),
                number.into(),
                number_text.as_str().into(),
                (starts + Duration::minutes(110)).into(),
                format!("{:064x}", resolution).into(),
                1i64.into(),
                starts.into(),
            ]);
            audit.push(("meeting.close", "meeting", id, json!({"minutes": 125})));
            audit.push((
                "resolution.adopt",
                "meeting",
                id,
                json!({"number": number_text}),
            ));
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
        for (action, entity, id, summary) in audit {
            self.audit(cell.id, action, entity, id, &summary);
        }
    }
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
