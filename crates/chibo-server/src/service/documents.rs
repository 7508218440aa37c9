//! The meeting's official documents, built from what was recorded and
//! printed in the Party format by chibo-print; and what every printed file
//! of chibo shares: its name and the properties it carries.

use super::meetings::seal::seal;
use super::meetings::{Assignment, MeetingView};
use super::{Actor, Result, ServiceError, Services, today};
use crate::model::format_date;
use crate::store::{self, Tx, meetings as db, register};
use chibo_print::{
    Align, Block, Column, Document, Header, Layout, Orientation, Properties, Signature, Table,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Notice,
    Attendance,
    Minutes,
    Resolution,
    Votes,
    Dossier,
}

impl DocKind {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "thong-bao" => Self::Notice,
            "diem-danh" => Self::Attendance,
            "bien-ban" => Self::Minutes,
            "nghi-quyet" => Self::Resolution,
            "bieu-quyet" => Self::Votes,
            "ho-so" => Self::Dossier,
            _ => return None,
        })
    }

    /// How a file of this kind is named.
    fn name(self) -> &'static str {
        match self {
            Self::Notice => "Thông báo",
            Self::Attendance => "Danh sách điểm danh",
            Self::Minutes => "Biên bản",
            Self::Resolution => "Nghị quyết",
            Self::Votes => "Kết quả biểu quyết",
            Self::Dossier => "Hồ sơ sinh hoạt chi bộ",
        }
    }
}

/// A download's name without its extension: the Vietnamese one, and its
/// ASCII fold for the `filename` every browser reads (RFC 6266).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    /// "Nghị quyết 05-NQ-CB Chi bộ Khu phố 3 2026-02-05"
    pub utf8: String,
    /// "nghi-quyet-05-nq-cb-chi-bo-khu-pho-3-2026-02-05"
    pub ascii: String,
}

impl FileName {
    /// From its parts, in order: kind, number, unit, date or period (empty
    /// parts are left out). Characters no file system takes become dashes.
    pub fn of(parts: &[&str]) -> Self {
        let utf8 = parts
            .iter()
            .map(|p| {
                p.trim()
                    .chars()
                    .filter(|c| !c.is_control() && !matches!(c, '"' | '*' | '?' | '<' | '>' | '|'))
                    .map(|c| {
                        if matches!(c, '/' | '\\' | ':') {
                            '-'
                        } else {
                            c
                        }
                    })
                    .collect::<String>()
            })
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let mut ascii = String::new();
        for c in crate::model::fold(&utf8).chars() {
            if c.is_ascii_alphanumeric() {
                ascii.push(c);
            } else if !ascii.is_empty() && !ascii.ends_with('-') {
                ascii.push('-');
            }
        }
        let ascii = ascii.trim_end_matches('-').to_owned();
        FileName { utf8, ascii }
    }
}

/// A number as a file name shows it: "Số 05-NQ/CB" → "05-NQ/CB".
pub(crate) fn bare_number(number: &str) -> &str {
    number.trim().trim_start_matches("Số").trim()
}

/// What a download holds: the documents (one, or a dossier), how they are
/// laid out, what the file says about itself, and its name.
pub struct Printable {
    pub docs: Vec<Document>,
    pub layout: Layout,
    pub properties: Properties,
    pub name: FileName,
}

/// The hash of what a document says (its header aside): a document printed
/// again with the same text is the same document, with the same number.
pub(crate) fn fingerprint(doc: &Document) -> String {
    let mut text = doc.clone();
    text.header = Header {
        superior: String::new(),
        issuer: String::new(),
        number: None,
        place_date: String::new(),
    };
    seal(&serde_json::to_string(&text).unwrap_or_default()).0
}

/// The issuing organisation as a header prints it: "CHI BỘ KHU PHỐ 3". A
/// đảng bộ issues through its committee, the đảng ủy (rules-vn §8):
/// "Đảng bộ phường Bến Nghé" → "ĐẢNG ỦY PHƯỜNG BẾN NGHÉ".
pub(crate) fn issuer_line(unit: &store::orgs::OrgRow) -> String {
    let name = unit.name.trim();
    let committee = unit.kind == "dang_bo" && crate::model::fold(name).starts_with("dang bo ");
    let issuer = if committee {
        // "Đảng bộ" is seven letters, in whichever case it was typed.
        format!("Đảng ủy{}", name.chars().skip(7).collect::<String>())
    } else {
        name.to_owned()
    };
    issuer.to_uppercase()
}

/// The superior organisation's line of a unit's header: its parent's name.
pub(crate) fn superior_line(parent: Option<&store::orgs::OrgRow>) -> String {
    parent.map(|p| p.name.to_uppercase()).unwrap_or_default()
}

#[cfg(test)]
#[path = "documents_golden.rs"]
mod golden;

/// The kind of a meeting as documents name it: "sinh hoạt {kind_label}".
pub(crate) fn kind_label(kind: &str) -> &'static str {
    match kind {
        "chuyen_de" => "chuyên đề",
        "ket_hop" => "thường kỳ kết hợp chuyên đề",
        "bat_thuong" => "bất thường",
        "chi_uy" => "chi ủy",
        _ => "thường kỳ",
    }
}

fn presence_label(p: Option<&str>) -> &'static str {
    match p {
        Some("co_mat") => "Có mặt",
        Some("vang_co_ly_do") => "Vắng có lý do",
        Some("vang_khong_ly_do") => "Vắng không lý do",
        _ => "Chưa điểm danh",
    }
}

/// Paragraphs of free text, one block per non-empty line.
pub(crate) fn paragraphs(text: &str) -> Vec<Block> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(Block::paragraph)
        .collect()
}

/// What every document of a meeting shares: who issues it, where and when,
/// who signs.
pub(crate) struct Context {
    superior: String,
    issuer: String,
    /// The cell's name as written ("Chi bộ Khu phố 3"): author and file names.
    unit: String,
    place: String,
    /// The meeting's day.
    day: NaiveDate,
    secretary_name: String,
    chair: String,
    minute_taker: String,
    layout: Layout,
    /// The symbol of the cell's documents ("CB").
    symbol: String,
}

/// A notice's number and date: those it was sent with. A notice not sent
/// yet (or changed since) prints as a draft dated the day it is printed.
struct NoticeIssue {
    number: Option<String>,
    on: NaiveDate,
}

impl Services {
    pub(crate) fn layout(&self, on: NaiveDate) -> Layout {
        let mut l = Layout::default();
        if let Ok(m) = self.rules.param::<Vec<u64>>("doc_margins_mm", on)
            && let [t, b, left, r] = m.as_slice()
        {
            (
                l.margin_top_mm,
                l.margin_bottom_mm,
                l.margin_left_mm,
                l.margin_right_mm,
            ) = (*t as f32, *b as f32, *left as f32, *r as f32);
        }
        if let Ok(pt) = self.rules.param::<u64>("doc_body_font_pt", on) {
            l.body_pt = pt as f32;
        }
        l
    }

    async fn context(&self, v: &MeetingView) -> Result<Context> {
        let parent = match v.cell.parent_id {
            Some(p) => Some(self.org(p).await?),
            None => None,
        };
        let day = v.meeting.starts_at.with_timezone(&Ho_Chi_Minh).date_naive();
        let name_of = |id: Option<i64>| {
            id.and_then(|id| v.roll.iter().find(|r| r.member_id == id))
                .map(|r| r.full_name.clone())
                .unwrap_or_default()
        };
        let secretary_name = store::orgs::committee(&self.db, v.cell.id)
            .await?
            .into_iter()
            .find(|p| p.role == "bi_thu" && p.end_date.is_none())
            .map(|p| p.member_name)
            .unwrap_or_default();
        Ok(Context {
            superior: superior_line(parent.as_ref()),
            issuer: issuer_line(&v.cell),
            unit: v.cell.name.clone(),
            place: v
                .cell
                .place
                .clone()
                .unwrap_or_else(|| v.meeting.place.clone()),
            day,
            chair: name_of(v.meeting.chair_id),
            minute_taker: name_of(v.meeting.secretary_id),
            secretary_name,
            layout: self.layout(day),
            symbol: self
                .rules
                .param("doc_org_symbol_cell", day)
                .unwrap_or_else(|_| "CB".into()),
        })
    }

    fn header(c: &Context, number: Option<String>) -> Header {
        Self::header_on(c, number, c.day)
    }

    fn header_on(c: &Context, number: Option<String>, on: NaiveDate) -> Header {
        Header {
            superior: c.superior.clone(),
            issuer: c.issuer.clone(),
            number,
            place_date: chibo_rules::format_date_line(&c.place, on),
        }
    }

    fn counts_line(v: &MeetingView) -> String {
        let n = |p: &str| {
            v.roll
                .iter()
                .filter(|r| r.presence.as_deref() == Some(p))
                .count()
        };
        format!(
            "Tổng số đảng viên được triệu tập: {} đồng chí; có mặt: {} đồng chí; vắng có lý do: {} đồng chí; vắng không lý do: {} đồng chí.",
            v.roll.len(),
            n("co_mat"),
            n("vang_co_ly_do"),
            n("vang_khong_ly_do")
        )
    }

    /// The convening notice: dated the day it is sent, numbered like the
    /// cell's other documents, naming the meeting's topic.
    fn notice_doc(c: &Context, v: &MeetingView, issue: &NoticeIssue) -> Document {
        let when = v.meeting.starts_at.with_timezone(&Ho_Chi_Minh);
        let kind = kind_label(&v.meeting.kind);
        let mut details = vec![
            format!(
                "Thời gian: {} ngày {}.",
                when.format("%H giờ %M"),
                format_date(when.date_naive())
            ),
            format!("Địa điểm: {}.", v.meeting.place),
        ];
        if let Some(topic) = v.meeting.topic.as_deref().filter(|t| !t.trim().is_empty()) {
            details.push(format!("Chuyên đề: {topic}."));
        }
        let mut body = vec![
            Block::paragraph(format!(
                "Chi ủy {} thông báo triệu tập đảng viên dự sinh hoạt chi bộ {kind} tháng {:02} năm {}, cụ thể như sau:",
                c.unit,
                when.month(),
                when.year()
            )),
            Block::bullets(details),
            Block::paragraph("Nội dung:"),
            Block::bullets(
                v.items
                    .iter()
                    .enumerate()
                    .map(|(i, a)| format!("{}. {}", i + 1, a.title)),
            ),
        ];
        if let Some(g) = &v.meeting.guest {
            body.push(Block::paragraph(format!(
                "Kính mời đồng chí {g}, đại diện cấp ủy cấp trên theo dõi chi bộ, dự."
            )));
        }
        body.push(Block::paragraph("Đề nghị các đồng chí đảng viên dự đầy đủ, đúng giờ; trường hợp vắng phải báo cáo lý do với chi ủy."));
        let number = issue
            .number
            .clone()
            .unwrap_or_else(|| format!("Số     -TB/{}", c.symbol));
        Document {
            orientation: Orientation::Portrait,
            header: Self::header_on(c, Some(number), issue.on),
            title: "THÔNG BÁO".into(),
            subject: Some(format!(
                "triệu tập sinh hoạt chi bộ {kind} tháng {:02} năm {}",
                when.month(),
                when.year()
            )),
            body,
            signatures: vec![Signature {
                on_behalf: Some("T/M CHI BỘ".into()),
                role: "BÍ THƯ".into(),
                name: c.secretary_name.clone(),
            }],
            recipients: vec![
                "- Các đồng chí đảng viên,".into(),
                "- Đảng ủy (để báo cáo),".into(),
                "- Lưu Chi bộ.".into(),
            ],
            check_code: None,
        }
    }

    /// Numbers the meeting's notice as it is being sent, in the sending's
    /// transaction: the first sending of a text takes the next TB number of
    /// the cell's term and is dated that day; sending the same text again
    /// keeps both, a changed notice is a new one. Returns the number.
    pub(crate) async fn number_notice(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let v = self.meeting_view(actor, id).await?;
        let c = self.context(&v).await?;
        let on = today(now);
        let draft = Self::notice_doc(&c, &v, &NoticeIssue { number: None, on });
        let subject = format!("meeting:{id}");
        let fingerprint = fingerprint(&draft);
        let key = register::Key {
            org_id: v.cell.id,
            doc_type: "TB",
            subject: &subject,
            fingerprint: &fingerprint,
        };
        if let Some(done) = register::find_in(tx, &key).await? {
            return Ok(done.number_text);
        }
        let term = db::term_start(tx, v.cell.id, on)
            .await?
            // No recorded term: numbers run from the cell's first document.
            .unwrap_or(NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date"));
        let number = db::next_number(tx, v.cell.id, "TB", term).await?;
        let text = chibo_rules::format_doc_number(
            u32::try_from(number).unwrap_or(u32::MAX),
            "TB",
            &c.symbol,
        );
        register::insert(tx, &key, number, &text, now).await?;
        Ok(text)
    }

    /// The notice as sent, or as it would be sent today.
    async fn notice(&self, c: &Context, v: &MeetingView, now: DateTime<Utc>) -> Result<Document> {
        let draft = Self::notice_doc(
            c,
            v,
            &NoticeIssue {
                number: None,
                on: today(now),
            },
        );
        let subject = format!("meeting:{}", v.meeting.id);
        let fingerprint = fingerprint(&draft);
        let key = register::Key {
            org_id: v.cell.id,
            doc_type: "TB",
            subject: &subject,
            fingerprint: &fingerprint,
        };
        Ok(match register::find(&self.db, &key).await? {
            Some(sent) => Self::notice_doc(
                c,
                v,
                &NoticeIssue {
                    number: Some(sent.number_text),
                    on: today(sent.issued_at),
                },
            ),
            None => draft,
        })
    }

    fn attendance_doc(c: &Context, v: &MeetingView) -> Document {
        let mut rows: Vec<Vec<String>> = v
            .roll
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let status = crate::model::Status::parse(&r.member_status)
                    .map(|s| s.label_vi())
                    .unwrap_or_default();
                vec![
                    (i + 1).to_string(),
                    r.full_name.clone(),
                    status.to_string(),
                    presence_label(r.presence.as_deref()).into(),
                    r.reason.clone().unwrap_or_default(),
                    String::new(),
                ]
            })
            .collect();
        if let Some(g) = &v.meeting.guest {
            rows.push(vec![
                (rows.len() + 1).to_string(),
                g.clone(),
                "Đại biểu cấp trên".into(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        Document {
            orientation: Orientation::Portrait,
            header: Self::header(c, None),
            title: "DANH SÁCH ĐIỂM DANH".into(),
            subject: Some(format!("sinh hoạt chi bộ ngày {}", format_date(c.day))),
            body: vec![
                Block::paragraph(Self::counts_line(v)),
                Block::Table(Table {
                    columns: vec![
                        Column::one_line("STT", Align::Center),
                        Column::new("Họ và tên", Align::Left),
                        Column::new("Đảng viên", Align::Left),
                        Column::new("Điểm danh", Align::Left),
                        Column::new("Lý do", Align::Left),
                        Column::new("Ký tên", Align::Left).with_room_mm(30.0),
                    ],
                    rows,
                }),
            ],
            signatures: vec![
                Signature {
                    on_behalf: None,
                    role: "NGƯỜI GHI BIÊN BẢN".into(),
                    name: c.minute_taker.clone(),
                },
                Signature {
                    on_behalf: None,
                    role: "CHỦ TRÌ".into(),
                    name: c.chair.clone(),
                },
            ],
            recipients: vec![],
            check_code: None,
        }
    }

    fn votes_table(v: &MeetingView) -> Table {
        Table {
            columns: vec![
                Column::new("Nội dung biểu quyết", Align::Left),
                Column::one_line("Tán thành", Align::Center),
                Column::one_line("Không tán thành", Align::Center),
                Column::one_line("Không biểu quyết", Align::Center),
                Column::new("Kết quả", Align::Left),
            ],
            rows: v
                .votes
                .iter()
                .map(|x| {
                    vec![
                        x.subject.clone(),
                        x.tan_thanh.to_string(),
                        x.khong_tan_thanh.to_string(),
                        x.khong_bieu_quyet.to_string(),
                        x.explanation
                            .clone()
                            .unwrap_or_else(|| "Đang biểu quyết".into()),
                    ]
                })
                .collect(),
        }
    }

    fn votes_doc(c: &Context, v: &MeetingView) -> Document {
        Document {
            orientation: Orientation::Portrait,
            header: Self::header(c, None),
            title: "KẾT QUẢ BIỂU QUYẾT".into(),
            subject: Some(format!(
                "tại buổi sinh hoạt chi bộ ngày {}",
                format_date(c.day)
            )),
            body: vec![Block::Table(Self::votes_table(v))],
            signatures: vec![
                Signature {
                    on_behalf: None,
                    role: "NGƯỜI GHI BIÊN BẢN".into(),
                    name: c.minute_taker.clone(),
                },
                Signature {
                    on_behalf: None,
                    role: "CHỦ TRÌ".into(),
                    name: c.chair.clone(),
                },
            ],
            recipients: vec![],
            check_code: None,
        }
    }

    fn minutes_doc(c: &Context, v: &MeetingView, code: Option<String>) -> Document {
        let local = |t: chrono::DateTime<chrono::Utc>| {
            t.with_timezone(&Ho_Chi_Minh)
                .format("%H giờ %M")
                .to_string()
        };
        let start = v.meeting.opened_at.unwrap_or(v.meeting.starts_at);
        let mut body = vec![
            Block::paragraph(format!(
                "Vào lúc {} ngày {}, tại {}, Chi bộ tiến hành sinh hoạt {}{}.",
                local(start),
                format_date(c.day),
                v.meeting.place,
                kind_label(&v.meeting.kind),
                v.meeting
                    .topic
                    .as_ref()
                    .map(|t| format!(" (chuyên đề: {t})"))
                    .unwrap_or_default()
            )),
            Block::paragraph(Self::counts_line(v)),
            Block::paragraph(format!(
                "Chủ trì: đồng chí {}. Thư ký: đồng chí {}.",
                c.chair, c.minute_taker
            )),
        ];
        if let Some(g) = &v.meeting.guest {
            body.push(Block::paragraph(format!(
                "Đại biểu cấp ủy cấp trên dự: đồng chí {g}."
            )));
        }
        let absent: Vec<String> = v
            .roll
            .iter()
            .filter(|r| r.presence.as_deref() != Some("co_mat"))
            .map(|r| {
                format!(
                    "{} ({})",
                    r.full_name,
                    presence_label(r.presence.as_deref()).to_lowercase()
                )
            })
            .collect();
        if !absent.is_empty() {
            body.push(Block::paragraph(format!("Vắng: {}.", absent.join("; "))));
        }
        body.push(Block::heading(1, "NỘI DUNG"));
        for (i, item) in v.items.iter().enumerate() {
            body.push(Block::heading(2, format!("{}. {}", i + 1, item.title)));
            body.extend(paragraphs(&item.minutes));
            let speeches: Vec<String> = v
                .speeches
                .iter()
                .filter(|s| s.agenda_item_id == item.id)
                .map(|s| format!("Đồng chí {}: {}", s.speaker, s.body))
                .collect();
            if !speeches.is_empty() {
                body.push(Block::bullets(speeches));
            }
        }
        if !v.votes.is_empty() {
            body.push(Block::heading(1, "KẾT QUẢ BIỂU QUYẾT"));
            body.push(Block::Table(Self::votes_table(v)));
        }
        if let Some(end) = v.meeting.closed_at {
            let minutes = (end - start).num_minutes();
            body.push(Block::paragraph(format!("Buổi sinh hoạt kết thúc lúc {} cùng ngày (thời lượng {minutes} phút). Biên bản đã được đọc lại cho chi bộ nghe và thông qua.", local(end))));
        }
        Document {
            orientation: Orientation::Portrait,
            header: Self::header(c, None),
            title: "BIÊN BẢN".into(),
            subject: Some(format!(
                "sinh hoạt chi bộ {} tháng {:02} năm {}",
                kind_label(&v.meeting.kind),
                c.day.month(),
                c.day.year()
            )),
            body,
            signatures: vec![
                Signature {
                    on_behalf: None,
                    role: "NGƯỜI GHI BIÊN BẢN".into(),
                    name: c.minute_taker.clone(),
                },
                Signature {
                    on_behalf: None,
                    role: "CHỦ TRÌ".into(),
                    name: c.chair.clone(),
                },
            ],
            recipients: vec!["- Lưu Chi bộ.".into()],
            check_code: code,
        }
    }

    /// The review of last month's tasks as printed: from the sealed text of
    /// an adopted resolution, else from the review recorded so far.
    async fn review_rows(&self, actor: &Actor, v: &MeetingView) -> Result<Vec<Vec<String>>> {
        let sealed = match &v.resolution {
            Some(r) if r.status == "adopted" => db::versions(&self.db, "resolution", r.id)
                .await?
                .last()
                .and_then(|x| serde_json::from_str::<serde_json::Value>(&x.body).ok()),
            _ => None,
        };
        let lines: Vec<(String, String, String, Option<String>)> = match sealed {
            Some(body) => body["review"]
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .map(|x| {
                            let text = |k: &str| x[k].as_str().unwrap_or_default().to_string();
                            (
                                text("what"),
                                text("lead"),
                                text("status"),
                                x["decision"].as_str().map(String::from),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            None => self
                .review_board(actor, v.meeting.id)
                .await?
                .items
                .into_iter()
                .map(|(i, r)| {
                    let status = r.as_ref().map_or(i.shown.clone(), |r| r.status.clone());
                    (
                        i.task.title,
                        i.task.lead_name,
                        status,
                        r.map(|r| r.decision),
                    )
                })
                .collect(),
        };
        Ok(lines
            .into_iter()
            .enumerate()
            .map(|(n, (what, lead, status, decision))| {
                let outcome = match decision.as_deref() {
                    Some("dong") => format!("{}; đóng", super::task_print::shown_vi(&status)),
                    Some(_) => format!("{}; chuyển kỳ sau", super::task_print::shown_vi(&status)),
                    None => super::task_print::shown_vi(&status),
                };
                vec![(n + 1).to_string(), what, lead, outcome]
            })
            .collect())
    }

    fn resolution_doc(
        c: &Context,
        v: &MeetingView,
        review: &[Vec<String>],
        code: Option<String>,
    ) -> Option<Document> {
        let r = v.resolution.as_ref()?;
        let assignments: Vec<Assignment> = serde_json::from_str(&r.assignments).unwrap_or_default();
        let mut body = vec![
            Block::paragraph(format!(
                "Ngày {}, tại {}, Chi bộ họp {}. {}",
                format_date(c.day),
                v.meeting.place,
                kind_label(&v.meeting.kind),
                Self::counts_line(v)
            )),
            Block::heading(1, "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG QUA"),
        ];
        body.extend(paragraphs(&r.results));
        if !review.is_empty() {
            body.push(Block::Table(Table {
                columns: vec![
                    Column::one_line("TT", Align::Center),
                    Column::new("Nhiệm vụ", Align::Left),
                    Column::new("Người phụ trách", Align::Left),
                    Column::new("Kết quả", Align::Left),
                ],
                rows: review.to_vec(),
            }));
        }
        body.push(Block::heading(1, "II. NHIỆM VỤ THÁNG TỚI"));
        body.extend(paragraphs(&r.tasks));
        if !assignments.is_empty() {
            body.push(Block::heading(1, "III. PHÂN CÔNG THỰC HIỆN"));
            body.push(Block::Table(Table {
                columns: vec![
                    Column::one_line("TT", Align::Center),
                    Column::new("Nội dung", Align::Left),
                    Column::new("Người thực hiện", Align::Left),
                    Column::one_line("Thời hạn", Align::Center),
                ],
                rows: assignments
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        vec![
                            (i + 1).to_string(),
                            a.what.clone(),
                            a.who.clone(),
                            a.deadline.clone(),
                        ]
                    })
                    .collect(),
            }));
        }
        if let Some(vote) = r.vote_id.and_then(|id| v.votes.iter().find(|x| x.id == id)) {
            let present = v
                .roll
                .iter()
                .filter(|x| x.presence.as_deref() == Some("co_mat"))
                .count();
            let pct = if vote.base.unwrap_or(0) > 0 {
                vote.tan_thanh * 100 / vote.base.unwrap_or(1)
            } else {
                0
            };
            body.push(Block::vote_line(format!(
                "Nghị quyết được {}/{} đồng chí trong tổng số đảng viên được tính biểu quyết tán thành, đạt {pct}% ({present} đồng chí có mặt).",
                vote.tan_thanh,
                vote.base.unwrap_or(0)
            )));
        }
        Some(Document {
            orientation: Orientation::Portrait,
            header: Self::header(
                c,
                r.number_text
                    .clone()
                    .or_else(|| Some("Số     -NQ/CB".into())),
            ),
            title: "NGHỊ QUYẾT".into(),
            subject: Some(r.subject.clone()),
            body,
            signatures: vec![Signature {
                on_behalf: Some("T/M CHI BỘ".into()),
                role: "BÍ THƯ".into(),
                name: c.secretary_name.clone(),
            }],
            recipients: vec![
                "- Đảng ủy (để báo cáo),".into(),
                "- Đồng chí cấp ủy viên theo dõi chi bộ,".into(),
                "- Các đồng chí đảng viên,".into(),
                "- Lưu Chi bộ.".into(),
            ],
            check_code: code,
        })
    }

    async fn latest_code(&self, doc_type: &str, id: i64) -> Result<Option<String>> {
        Ok(db::versions(&self.db, doc_type, id)
            .await?
            .last()
            .map(|v| v.check_code.clone()))
    }

    /// The documents of a meeting, ready to print, with the file's name and
    /// properties; `now` dates a notice not sent yet and the file itself.
    pub async fn meeting_documents(
        &self,
        actor: &Actor,
        id: i64,
        kind: DocKind,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let v = self.meeting_view(actor, id).await?;
        let c = self.context(&v).await?;
        let minutes_code = if v.meeting.minutes_locked_at.is_some() {
            self.latest_code("minutes", id).await?
        } else {
            None
        };
        let resolution_code = match &v.resolution {
            Some(r) if r.status == "adopted" => self.latest_code("resolution", r.id).await?,
            _ => None,
        };
        let missing = || {
            ServiceError::invalid(crate::model::Problem::new(
                "document",
                "resolution.missing",
                "",
            ))
        };
        let docs = match kind {
            DocKind::Notice => vec![self.notice(&c, &v, now).await?],
            DocKind::Attendance => vec![Self::attendance_doc(&c, &v)],
            DocKind::Minutes => vec![Self::minutes_doc(&c, &v, minutes_code)],
            DocKind::Votes => vec![Self::votes_doc(&c, &v)],
            DocKind::Resolution => {
                let review = self.review_rows(actor, &v).await?;
                vec![Self::resolution_doc(&c, &v, &review, resolution_code).ok_or_else(missing)?]
            }
            DocKind::Dossier => {
                let mut d = vec![
                    self.notice(&c, &v, now).await?,
                    Self::attendance_doc(&c, &v),
                    Self::minutes_doc(&c, &v, minutes_code),
                ];
                let review = self.review_rows(actor, &v).await?;
                d.extend(Self::resolution_doc(&c, &v, &review, resolution_code));
                d.push(Self::votes_doc(&c, &v));
                d
            }
        };
        Ok(Self::printable(&c, kind, docs, now))
    }

    /// Names the file and fills in its properties: kind, number, unit and
    /// the meeting's day.
    fn printable(c: &Context, kind: DocKind, docs: Vec<Document>, now: DateTime<Utc>) -> Printable {
        let number = match kind {
            DocKind::Dossier => None,
            _ => docs[0].header.number.as_deref().map(bare_number),
        }
        // A number not given yet ("Số     -TB/CB") names nothing.
        .filter(|n| !n.starts_with('-') && !n.is_empty());
        let day = c.day.format("%Y-%m-%d").to_string();
        let name = FileName::of(&[kind.name(), number.unwrap_or(""), &c.unit, &day]);
        let title = match (kind, &docs[0].subject) {
            (DocKind::Dossier, _) => {
                format!("{} ngày {} — {}", kind.name(), format_date(c.day), c.unit)
            }
            (_, Some(subject)) => match number {
                Some(n) => format!("{} số {n} {subject}", kind.name()),
                None => format!("{} {subject}", kind.name()),
            },
            (_, None) => kind.name().to_owned(),
        };
        Printable {
            docs,
            layout: c.layout.clone(),
            properties: Properties {
                title,
                author: c.unit.clone(),
                created: Some(now),
            },
            name,
        }
    }
}
