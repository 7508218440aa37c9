//! The meeting's official documents, built from what was recorded and
//! printed in the Party format by chibo-print.

use super::meetings::{Assignment, MeetingView};
use super::{Actor, Result, ServiceError, Services};
use crate::model::format_date;
use crate::store::{self, meetings as db};
use chibo_print::{Align, Block, Column, Document, Header, Layout, Orientation, Signature, Table};
use chrono::{Datelike, NaiveDate};
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
}

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

struct Context {
    superior: String,
    issuer: String,
    place: String,
    day: NaiveDate,
    secretary_name: String,
    chair: String,
    minute_taker: String,
    layout: Layout,
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
        let upper = match v.cell.parent_id {
            Some(p) => self.org(p).await?.name,
            None => String::new(),
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
            superior: upper.to_uppercase(),
            issuer: v.cell.name.to_uppercase(),
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
        })
    }

    fn header(c: &Context, number: Option<String>) -> Header {
        Header {
            superior: c.superior.clone(),
            issuer: c.issuer.clone(),
            number,
            place_date: chibo_rules::format_date_line(&c.place, c.day),
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

    fn notice_doc(c: &Context, v: &MeetingView) -> Document {
        let when = v.meeting.starts_at.with_timezone(&Ho_Chi_Minh);
        let mut body = vec![
            Block::paragraph(format!(
                "Chi bộ thông báo triệu tập sinh hoạt chi bộ {} tháng {:02} năm {}:",
                kind_label(&v.meeting.kind),
                when.month(),
                when.year()
            )),
            Block::bullets([
                format!(
                    "Thời gian: {} ngày {}.",
                    when.format("%H giờ %M"),
                    format_date(when.date_naive())
                ),
                format!("Địa điểm: {}.", v.meeting.place),
            ]),
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
        Document {
            orientation: Orientation::Portrait,
            header: Self::header(c, Some("Số     -TB/CB".into())),
            title: "THÔNG BÁO".into(),
            subject: Some("triệu tập sinh hoạt chi bộ".into()),
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
                        Column::new("Ký tên", Align::Left),
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

    /// The documents of a meeting, ready to print.
    pub async fn meeting_documents(
        &self,
        actor: &Actor,
        id: i64,
        kind: DocKind,
    ) -> Result<(Vec<Document>, Layout)> {
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
            DocKind::Notice => vec![Self::notice_doc(&c, &v)],
            DocKind::Attendance => vec![Self::attendance_doc(&c, &v)],
            DocKind::Minutes => vec![Self::minutes_doc(&c, &v, minutes_code)],
            DocKind::Votes => vec![Self::votes_doc(&c, &v)],
            DocKind::Resolution => {
                let review = self.review_rows(actor, &v).await?;
                vec![Self::resolution_doc(&c, &v, &review, resolution_code).ok_or_else(missing)?]
            }
            DocKind::Dossier => {
                let mut d = vec![
                    Self::notice_doc(&c, &v),
                    Self::attendance_doc(&c, &v),
                    Self::minutes_doc(&c, &v, minutes_code),
                ];
                let review = self.review_rows(actor, &v).await?;
                d.extend(Self::resolution_doc(&c, &v, &review, resolution_code));
                d.push(Self::votes_doc(&c, &v));
                d
            }
        };
        Ok((docs, c.layout))
    }
}
