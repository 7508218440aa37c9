//! The meeting's official documents, built from what was recorded and
//! printed in the Party format by chibo-print; and what every printed file
//! of chibo shares: its name and the properties it carries.

use super::meetings::seal::{Printed, seal, sealed};
use super::meetings::{Assignment, MeetingView, Panel, meeting_view};
use super::tasks::review_board;
use super::{Actor, Result, ServiceError, Services, org, today};
use crate::model::format_date;
use crate::store::{self, Reader, Tx, meetings as db, register};
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

/// A spreadsheet's value as the PDF and the DOCX print it: one text for a
/// table exported both ways.
pub(crate) fn printed_value(v: &chibo_docs::sheet::Value) -> String {
    use chibo_docs::sheet::Value;
    match v {
        Value::Empty => String::new(),
        Value::Text(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Date(d) => format_date(*d),
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
fn fingerprint(doc: &Document) -> String {
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

/// One line of a resolution's review of last month's tasks.
pub(crate) fn review_line(
    n: usize,
    what: String,
    lead: String,
    status: &str,
    decision: Option<&str>,
) -> Vec<String> {
    let shown = super::task_print::shown_vi(status);
    let outcome = match decision {
        Some("dong") => format!("{shown}; đóng"),
        Some(_) => format!("{shown}; chuyển kỳ sau"),
        None => shown,
    };
    vec![n.to_string(), what, lead, outcome]
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
    pub(crate) superior: String,
    pub(crate) issuer: String,
    /// The cell's name as written ("Chi bộ Khu phố 3"): author and file names.
    pub(crate) unit: String,
    pub(crate) place: String,
    /// The day the meeting was held (opened), else the day it is planned for.
    pub(crate) day: NaiveDate,
    /// The roll's figures, as the roll-call panel shows them.
    pub(crate) counts: Panel,
    pub(crate) secretary_name: String,
    pub(crate) chair: String,
    pub(crate) minute_taker: String,
    pub(crate) layout: Layout,
    /// The symbol of the cell's documents ("CB").
    pub(crate) symbol: String,
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

    pub(crate) async fn context(&self, r: &mut Reader, v: &MeetingView) -> Result<Context> {
        let superior = match v.cell.parent_id {
            Some(p) => org(r, p).await?.name,
            None => String::new(),
        };
        let secretary = store::orgs::committee(r, v.cell.id)
            .await?
            .into_iter()
            .find(|p| p.role == "bi_thu" && p.end_date.is_none())
            .map(|p| p.member_name)
            .unwrap_or_default();
        Ok(self.context_of(&superior, &secretary, v))
    }

    /// The context of a meeting's documents, given the names the records
    /// hold elsewhere (the upper committee's, the secretary's).
    fn context_of(&self, superior: &str, secretary: &str, v: &MeetingView) -> Context {
        // Documents carry what happened: a meeting held before its planned
        // day is dated the day it was held.
        let day = v
            .meeting
            .opened_at
            .unwrap_or(v.meeting.starts_at)
            .with_timezone(&Ho_Chi_Minh)
            .date_naive();
        let name_of = |id: Option<i64>| {
            id.and_then(|id| v.roll.iter().find(|r| r.member_id == id))
                .map(|r| r.full_name.clone())
                .unwrap_or_default()
        };
        Context {
            superior: superior.to_uppercase(),
            issuer: issuer_line(&v.cell),
            unit: v.cell.name.clone(),
            place: v
                .cell
                .place
                .clone()
                .unwrap_or_else(|| v.meeting.place.clone()),
            day,
            counts: self.panel(&v.roll, day, chibo_rules::Lang::Vi),
            chair: name_of(v.meeting.chair_id),
            minute_taker: name_of(v.meeting.secretary_id),
            secretary_name: secretary.to_string(),
            layout: self.layout(day),
            symbol: self
                .rules
                .param("doc_org_symbol_cell", day)
                .unwrap_or_else(|_| "CB".into()),
        }
    }

    /// A held meeting's resolution and minutes as sealed, from records
    /// held in memory (the demo's history): the same pages the services
    /// seal, with the review lines as [`review_line`] writes them.
    pub(crate) fn printed_from_records(
        &self,
        superior: &str,
        secretary: &str,
        v: &MeetingView,
        review: &[Vec<String>],
    ) -> (Option<Printed>, Printed) {
        let c = self.context_of(superior, secretary, v);
        let resolution = Self::resolution_doc(&c, v, review, None).map(|document| Printed {
            document,
            layout: c.layout.clone(),
        });
        let minutes = Printed {
            document: Self::minutes_doc(&c, v, None),
            layout: c.layout.clone(),
        };
        (resolution, minutes)
    }

    pub(crate) fn header(c: &Context, number: Option<String>) -> Header {
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
        let (v, c) = self
            .db
            .read(async |r| {
                let v = meeting_view(r, actor, id).await?;
                let c = self.context(r, &v).await?;
                Ok::<_, ServiceError>((v, c))
            })
            .await?;
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
        let numbering = self.numbering_start(tx, v.cell.id, on).await?;
        let number = db::next_number(tx, v.cell.id, "TB", numbering).await?;
        let text = chibo_rules::format_doc_number(
            u32::try_from(number).unwrap_or(u32::MAX),
            "TB",
            &c.symbol,
        );
        register::insert(tx, &key, number, &text, now).await?;
        Ok(text)
    }

    /// The notice as sent, or as it would be sent today.
    async fn notice(
        r: &mut Reader,
        c: &Context,
        v: &MeetingView,
        now: DateTime<Utc>,
    ) -> Result<Document> {
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
        Ok(match register::find(r, &key).await? {
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
                let status = r.member_status.label_vi();
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
                Block::paragraph(c.counts.sentence()),
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
            Block::paragraph(c.counts.sentence()),
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
        if let Some(r) = &v.meeting.open_reason {
            let planned = v.meeting.starts_at.with_timezone(&Ho_Chi_Minh).date_naive();
            body.push(Block::paragraph(format!(
                "Buổi sinh hoạt dự kiến ngày {}, tổ chức sớm hơn, lý do: {r}.",
                format_date(planned)
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
            let end_day = end.with_timezone(&Ho_Chi_Minh).date_naive();
            let when = if end_day == c.day {
                format!("{} cùng ngày", local(end))
            } else {
                format!("{} ngày {}", local(end), format_date(end_day))
            };
            body.push(Block::paragraph(format!("Buổi sinh hoạt kết thúc lúc {when} (thời lượng {minutes} phút). Biên bản đã được đọc lại cho chi bộ nghe và thông qua.")));
            if let Some(r) = &v.meeting.close_reason {
                body.push(Block::paragraph(format!(
                    "Buổi sinh hoạt kết thúc trước thời lượng tối thiểu, lý do: {r}."
                )));
            }
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

    /// The review of last month's tasks as recorded so far (an adopted
    /// resolution prints the review it was sealed with).
    async fn review_rows(
        &self,
        r: &mut Reader,
        actor: &Actor,
        v: &MeetingView,
    ) -> Result<Vec<Vec<String>>> {
        let lines: Vec<(String, String, String, Option<String>)> =
            review_board(r, actor, v.meeting.id)
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
                .collect();
        Ok(lines
            .into_iter()
            .enumerate()
            .map(|(n, (what, lead, status, decision))| {
                review_line(n + 1, what, lead, &status, decision.as_deref())
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
                c.counts.sentence()
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
            let present = c.counts.present;
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

    /// The resolution as it will be sealed: built from the meeting as
    /// recorded at adoption (`v` carries its number), without a code.
    pub(crate) async fn printed_resolution(
        &self,
        actor: &Actor,
        v: &MeetingView,
    ) -> Result<Printed> {
        let (c, review) = self
            .db
            .read(async |r| {
                let c = self.context(r, v).await?;
                Ok::<_, ServiceError>((c, self.review_rows(r, actor, v).await?))
            })
            .await?;
        let document = Self::resolution_doc(&c, v, &review, None).ok_or_else(|| {
            ServiceError::invalid(crate::model::Problem::new(
                "document",
                "resolution.missing",
                "",
            ))
        })?;
        Ok(Printed {
            document,
            layout: c.layout,
        })
    }

    /// The minutes as they will be sealed.
    pub(crate) async fn printed_minutes(&self, r: &mut Reader, v: &MeetingView) -> Result<Printed> {
        let c = self.context(r, v).await?;
        Ok(Printed {
            document: Self::minutes_doc(&c, v, None),
            layout: c.layout,
        })
    }

    /// A sealed document as it was sealed, with its check code; `None`
    /// while it is not sealed. Refused if the seal does not hold.
    async fn sealed_print(r: &mut Reader, doc_type: &str, id: i64) -> Result<Option<Printed>> {
        let Some(sealed) = sealed(r, doc_type, id).await? else {
            return Ok(None);
        };
        match sealed.printed() {
            Some(p) => Ok(Some(p)),
            // Sealed before documents were sealed as printed: printed from
            // the records (the seal still names and checks that version).
            None => {
                tracing::warn!(
                    "{doc_type} #{id} was sealed without its printed form; printing from the records"
                );
                Ok(None)
            }
        }
    }

    /// The documents of a meeting, ready to print. The minutes once locked
    /// and the resolution once adopted are printed from their sealed
    /// version, never from the live records.
    ///
    /// The file's name and properties come with them; `now` dates a notice
    /// not sent yet and the file itself.
    pub async fn meeting_documents(
        &self,
        actor: &Actor,
        id: i64,
        kind: DocKind,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let (v, c, minutes, resolution, review, notice) = self
            .db
            .read(async |r| {
                let v = meeting_view(r, actor, id).await?;
                let c = self.context(r, &v).await?;
                let minutes = if v.meeting.minutes_locked_at.is_some() {
                    Self::sealed_print(r, "minutes", id).await?
                } else {
                    None
                };
                let resolution = match &v.resolution {
                    Some(res) if res.status == "adopted" => {
                        Self::sealed_print(r, "resolution", res.id).await?
                    }
                    _ => None,
                };
                // The review is printed from the records only while the
                // resolution is not sealed.
                let review = if resolution.is_none()
                    && matches!(kind, DocKind::Resolution | DocKind::Dossier)
                {
                    self.review_rows(r, actor, &v).await?
                } else {
                    vec![]
                };
                // The notice as numbered when it was sent, if it was.
                let notice = if matches!(kind, DocKind::Notice | DocKind::Dossier) {
                    Some(Self::notice(r, &c, &v, now).await?)
                } else {
                    None
                };
                Ok::<_, ServiceError>((v, c, minutes, resolution, review, notice))
            })
            .await?;
        let missing = || {
            ServiceError::invalid(crate::model::Problem::new(
                "document",
                "resolution.missing",
                "",
            ))
        };
        let minutes_doc = || match &minutes {
            Some(p) => p.document.clone(),
            None => Self::minutes_doc(&c, &v, None),
        };
        // A sealed document is printed on the page it was sealed with.
        let mut layout = c.layout.clone();
        let docs = match kind {
            DocKind::Notice => notice.into_iter().collect(),
            DocKind::Attendance => vec![Self::attendance_doc(&c, &v)],
            DocKind::Minutes => match minutes {
                Some(p) => {
                    layout = p.layout;
                    vec![p.document]
                }
                None => vec![minutes_doc()],
            },
            DocKind::Votes => vec![Self::votes_doc(&c, &v)],
            DocKind::Resolution => match resolution {
                Some(p) => {
                    layout = p.layout;
                    vec![p.document]
                }
                None => {
                    vec![Self::resolution_doc(&c, &v, &review, None).ok_or_else(missing)?]
                }
            },
            DocKind::Dossier => {
                let mut d: Vec<Document> = notice.into_iter().collect();
                d.extend([Self::attendance_doc(&c, &v), minutes_doc()]);
                match resolution {
                    Some(p) => d.push(p.document),
                    None => d.extend(Self::resolution_doc(&c, &v, &review, None)),
                }
                d.push(Self::votes_doc(&c, &v));
                d
            }
        };
        Ok(Self::printable(&c, kind, docs, layout, now))
    }

    /// Names the file and fills in its properties: kind, number, unit and
    /// the meeting's day.
    fn printable(
        c: &Context,
        kind: DocKind,
        docs: Vec<Document>,
        layout: Layout,
        now: DateTime<Utc>,
    ) -> Printable {
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
            layout,
            properties: Properties {
                title,
                author: c.unit.clone(),
                created: Some(now),
            },
            name,
        }
    }
}
