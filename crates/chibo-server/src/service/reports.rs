//! Reports upward (Báo cáo) of a cell for a month, quarter, half-year or
//! year: the figures come from the records, the text sections are the
//! committee's; a draft is edited, then issued with a number and sealed like
//! a resolution. And the upper committee's roll-up of its cells.

use super::anchor::Checkpoint;
use super::cell_ratings::{CellRatingBrief, latest_by_cell, tier_counts};
use super::concerns::{ConcernFigures, concern_figures};
use super::dashboard::{CellLine, PeriodQuery, TableQuery, arrange, percent, totals, window};
use super::documents::{
    FileName, Printable, bare_number, issuer_line, kind_label, paragraphs, printed_value,
    superior_line,
};
use super::dues::DuesFigures;
use super::evaluations::TierCounts;
use super::growth::{Growth, growth_by_cell};
use super::meetings::seal::{Locking, Printed, lock_document, seal, sealed};
use super::orgs::unit_for;
use super::study::{StudyShare, study_shares};
use super::transfers::TransferCounts;
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, org, today};
use crate::model::{Period, PeriodKind, Problem, format_date};
pub use crate::store::reports::ReportRow;

use crate::store::reports as db;
use crate::store::stats::{self, MeetingStat, Presence, ResolutionStat, StatusChange, TaskCounts};
use crate::store::{self, Reader, audit, meetings, orgs::OrgRow, register};
use chibo_docs::sheet::{self, Export, ExportColumn, Kind, Total, Value};
use chibo_print::{
    Align, Block, Column, Document, Header, Orientation, Properties, Signature, Table,
};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use serde::{Deserialize, Serialize};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;

/// A unit's reports screen.
pub struct ReportList {
    pub unit: OrgRow,
    /// The period a new draft would cover.
    pub period: Period,
    pub reports: Vec<ReportRow>,
    pub may_draft: bool,
}

/// The header of a unit's document, its superior `parent` already read.
fn header(unit: &OrgRow, parent: Option<&OrgRow>, number: Option<String>, on: NaiveDate) -> Header {
    Header {
        superior: superior_line(parent),
        issuer: issuer_line(unit),
        number,
        place_date: chibo_rules::format_date_line(unit.place.as_deref().unwrap_or(""), on),
    }
}

/// A cell reports monthly by default, a committee quarterly.
fn default_period(unit: &OrgRow) -> PeriodKind {
    if unit.kind == "chi_bo" {
        PeriodKind::Month
    } else {
        PeriodKind::Quarter
    }
}

/// A unit's reports, for its committee and those above.
async fn reports_of(r: &mut Reader, actor: &Actor, unit: &OrgRow) -> Result<Vec<ReportRow>> {
    if !actor.can_organise(unit) {
        return Err(ServiceError::Forbidden);
    }
    Ok(db::of_org(r, unit.id).await?)
}

/// What the records say about the period: nothing here is typed by hand.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    pub period: String,
    pub year: i32,
    pub index: u32,
    /// "quý III năm 2026"
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Tasks are read as they stood on this day (the period's end, or the
    /// day of the draft if sooner).
    pub as_of: NaiveDate,
    pub meetings: Vec<MeetingStat>,
    /// The roll-calls of those meetings, summed.
    pub presence: Presence,
    pub resolutions: Vec<ResolutionStat>,
    pub tasks: TaskCounts,
    /// Tasks a meeting of the period carried over to the next.
    pub carried_over: i64,
    pub changes: Vec<StatusChange>,
    /// Residents' concerns of the period (reports drafted before 0019 have none).
    #[serde(default)]
    pub residents: ConcernFigures,
    /// The share of members who studied each document assigned in the period.
    #[serde(default)]
    pub study: Vec<StudyShare>,
    /// Members admitted and recognised in the period, by the decisions'
    /// dates in the case records (reports drafted before have none).
    #[serde(default)]
    pub growth: Growth,
    /// Transfers and dues of the period (reports drafted before 0023 have none).
    #[serde(default)]
    pub transfers: TransferCounts,
    #[serde(default)]
    pub dues: DuesFigures,
    /// The evaluation of the period's year: the cell's own rating and its
    /// members' tiers (reports drafted before 0025 have none).
    #[serde(default)]
    pub rating: Option<RatingFigures>,
}

/// A year's evaluation as the report upward counts it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RatingFigures {
    pub cell: CellRatingBrief,
    /// The members' decided tiers (`pending`: not decided yet).
    pub members: TierCounts,
}

/// The parts of the report the committee writes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Sections {
    /// Đánh giá chung.
    pub assessment: String,
    /// Hạn chế, nguyên nhân.
    pub limits: String,
    /// Phương hướng, nhiệm vụ kỳ tới.
    pub next: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportBody {
    pub figures: Figures,
    pub sections: Sections,
    /// The cell's audit chain at issue, signed with the installation's key
    /// outside the database: the upper committee keeps it with the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
}

/// A report with its unit and its body read back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    #[serde(flatten)]
    pub row: ReportRow,
    pub unit: OrgRow,
    /// A draft shows the figures as they are today; an issued report the
    /// figures it was sealed with.
    pub content: ReportBody,
    pub check_code: Option<String>,
}

/// Text typed in a box of several lines, in NFC: each line trimmed and its
/// spaces collapsed, the lines kept (a numbered list stays a list), blank
/// lines between paragraphs kept once.
fn lines(text: &str) -> String {
    let composed: String = text.nfc().collect();
    let mut out: Vec<String> = vec![];
    for line in composed.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if !(line.is_empty() && out.last().is_none_or(String::is_empty)) {
            out.push(line);
        }
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out.join("\n")
}

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

/// The first words of the assessment, from the figures; the committee goes on.
pub fn opening(f: &Figures) -> String {
    if f.meetings.is_empty() {
        return format!(
            "Trong {}, chi bộ không có buổi sinh hoạt nào được ghi nhận.",
            f.label
        );
    }
    let rate = percent(f.presence.present, f.presence.marked)
        .map(|p| format!(" (tỷ lệ dự họp {p}%)"))
        .unwrap_or_default();
    format!(
        "Trong {}, chi bộ tổ chức {} buổi sinh hoạt{rate}, thông qua {} nghị quyết; hoàn thành {}/{} công việc được giao.",
        f.label,
        f.meetings.len(),
        f.resolutions.len(),
        f.tasks.done,
        f.tasks.total
    )
}

fn local_day(t: DateTime<Utc>) -> String {
    format_date(t.with_timezone(&Ho_Chi_Minh).date_naive())
}

/// The recorded figures as printed (sections I–V). A period without
/// meetings says so and shows no numbers for them.
pub fn figure_blocks(f: &Figures) -> Vec<Block> {
    let mut out = vec![Block::heading(1, "I. TÌNH HÌNH SINH HOẠT CHI BỘ")];
    if f.meetings.is_empty() {
        out.push(Block::paragraph(
            "Trong kỳ báo cáo, chi bộ không tổ chức buổi sinh hoạt nào; không có số liệu về sinh hoạt và dự họp.",
        ));
    } else {
        let p = &f.presence;
        out.push(Block::paragraph(format!(
            "Chi bộ tổ chức {} buổi sinh hoạt. Tổng số lượt đảng viên được điểm danh: {}; có mặt: {}{}; vắng có lý do: {}; vắng không lý do: {}.",
            f.meetings.len(),
            p.marked,
            p.present,
            percent(p.present, p.marked)
                .map(|r| format!(" ({r}%)"))
                .unwrap_or_default(),
            p.excused,
            p.unexcused
        )));
        out.push(Block::Table(Table {
            columns: vec![
                Column::one_line("TT", Align::Center),
                Column::one_line("Ngày", Align::Center),
                Column::new("Hình thức", Align::Left),
                Column::one_line("Điểm danh", Align::Center),
                Column::one_line("Có mặt", Align::Center),
                Column::one_line("Vắng có lý do", Align::Center),
                Column::one_line("Vắng không lý do", Align::Center),
                Column::one_line("Nghị quyết", Align::Left),
            ],
            rows: f
                .meetings
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    vec![
                        (i + 1).to_string(),
                        local_day(m.starts_at),
                        format!("Sinh hoạt {}", kind_label(&m.kind)),
                        m.presence.marked.to_string(),
                        m.presence.present.to_string(),
                        m.presence.excused.to_string(),
                        m.presence.unexcused.to_string(),
                        m.resolution_number.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        }));
    }
    out.push(Block::heading(1, "II. KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT"));
    if f.resolutions.is_empty() {
        out.push(Block::paragraph(
            "Trong kỳ báo cáo, chi bộ không thông qua nghị quyết nào.",
        ));
    } else {
        out.push(Block::Table(Table {
            columns: vec![
                Column::one_line("Số", Align::Left),
                Column::new("Trích yếu", Align::Left),
                Column::one_line("Công việc", Align::Center),
                Column::one_line("Hoàn thành", Align::Center),
                Column::one_line("Quá hạn", Align::Center),
            ],
            rows: f
                .resolutions
                .iter()
                .map(|r| {
                    vec![
                        r.number_text.clone().unwrap_or_default(),
                        r.subject.clone(),
                        r.tasks.to_string(),
                        r.done.to_string(),
                        r.overdue.to_string(),
                    ]
                })
                .collect(),
        }));
    }
    let t = &f.tasks;
    out.push(Block::paragraph(format!(
        "Công việc (tính đến ngày {}): giao trong kỳ {}; hoàn thành trong kỳ {}; quá hạn {}; chuyển kỳ sau {}; còn đang thực hiện {}; đã hoàn thành {}/{} công việc được giao.",
        format_date(f.as_of),
        t.assigned,
        t.done_in_period,
        t.overdue,
        f.carried_over,
        t.open,
        t.done,
        t.total
    )));
    out.push(Block::heading(1, "III. CÔNG TÁC ĐẢNG VIÊN"));
    out.push(Block::paragraph(format!(
        "Trong kỳ, chi bộ kết nạp {} đảng viên mới; công nhận {} đảng viên chính thức (theo ngày quyết định của cấp ủy có thẩm quyền).",
        f.growth.admitted, f.growth.recognised
    )));
    if f.changes.is_empty() {
        out.push(Block::paragraph(
            "Trong kỳ báo cáo, không có thay đổi về tình trạng đảng viên.",
        ));
    } else {
        out.push(Block::bullets(f.changes.iter().map(|c| {
            let status = c.status.label_vi();
            format!(
                "Đồng chí {}: {} (từ ngày {}).",
                c.full_name,
                status.to_lowercase(),
                format_date(c.start_date)
            )
        })));
    }
    out.extend(resident_blocks(&f.residents));
    out.extend(study_blocks(&f.study));
    out.extend(keeping_blocks(&f.transfers, &f.dues));
    if let Some(r) = &f.rating {
        out.extend(rating_blocks(r));
    }
    out
}

/// Section VII: the year's evaluation, from the evaluation records.
fn rating_blocks(r: &RatingFigures) -> Vec<Block> {
    let m = &r.members;
    let cell = match (r.cell.final_name.as_str(), r.cell.proposed_name.as_str()) {
        ("", "") => "chưa có kết quả".to_string(),
        ("", p) => format!(
            "chi bộ đề xuất {}, chờ cấp ủy cấp trên xếp loại",
            p.to_lowercase()
        ),
        (f, _) => format!("cấp ủy cấp trên xếp loại {}", f.to_lowercase()),
    };
    vec![
        Block::heading(1, "VII. KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG"),
        Block::paragraph(format!(
            "Xếp loại chất lượng chi bộ năm {}: {cell}.",
            r.cell.year
        )),
        Block::paragraph(format!(
            "Xếp loại đảng viên: hoàn thành xuất sắc nhiệm vụ {}; hoàn thành tốt nhiệm vụ {}; hoàn thành nhiệm vụ {}; không hoàn thành nhiệm vụ {}; miễn đánh giá {}; chưa có kết quả {}.",
            m.htxs, m.htt, m.ht, m.kht, m.exempt, m.pending
        )),
    ]
}

/// Section VI: members transferred and dues, from the transfer records and
/// the dues ledger (the same figures as the cell's screens).
fn keeping_blocks(t: &TransferCounts, d: &DuesFigures) -> Vec<Block> {
    vec![
        Block::heading(1, "VI. CHUYỂN SINH HOẠT ĐẢNG, ĐẢNG PHÍ"),
        Block::paragraph(format!(
            "Trong kỳ, chi bộ tiếp nhận {} đảng viên chuyển đến, chuyển đi {} đảng viên; cuối kỳ có {} hồ sơ chuyển sinh hoạt đang giải quyết.",
            t.received, t.sent, t.in_transit
        )),
        Block::paragraph(format!(
            "Đảng phí thu trong kỳ: {} đồng; trích giữ lại {} đồng; nộp cấp trên {} đồng. Đảng viên còn nợ đảng phí: {}, số tiền {} đồng.",
            crate::model::group_thousands(d.collected_vnd),
            crate::model::group_thousands(d.retained_vnd),
            crate::model::group_thousands(d.remitted_vnd),
            d.members_in_arrears,
            crate::model::group_thousands(d.arrears_vnd)
        )),
    ]
}

/// Section IV: what residents raised, and what went to the upper committee.
fn resident_blocks(c: &ConcernFigures) -> Vec<Block> {
    let mut out = vec![Block::heading(
        1,
        "IV. TÌNH HÌNH DƯ LUẬN, Ý KIẾN CỦA NHÂN DÂN",
    )];
    out.push(Block::paragraph(format!(
        "Trong kỳ, chi bộ tiếp nhận {} ý kiến, kiến nghị của nhân dân; đã chuyển cơ quan có thẩm quyền {}; đã trả lời {}; còn đang giải quyết {}, trong đó quá hạn {}.",
        c.received, c.forwarded, c.answered, c.open, c.late
    )));
    if c.to_upper.is_empty() {
        out.push(Block::paragraph(
            "Trong kỳ, chi bộ không chuyển ý kiến nào lên cấp ủy cấp trên.",
        ));
    } else {
        out.push(Block::paragraph("Các ý kiến chuyển cấp ủy cấp trên:"));
        out.push(Block::Table(Table {
            columns: vec![
                Column::one_line("TT", Align::Center),
                Column::one_line("Mã", Align::Left),
                Column::new("Địa bàn", Align::Left),
                Column::one_line("Ngày nhận", Align::Center),
                Column::one_line("Ngày chuyển", Align::Center),
                Column::new("Nơi nhận", Align::Left),
                Column::new("Kết quả", Align::Left),
            ],
            rows: c
                .to_upper
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    vec![
                        (i + 1).to_string(),
                        x.code.clone(),
                        x.area.clone(),
                        format_date(x.received_on),
                        format_date(x.forwarded_on),
                        x.forwarded_to.clone(),
                        match x.answered_on {
                            Some(d) => format!("Đã trả lời ngày {}", format_date(d)),
                            None => "Chưa có trả lời".into(),
                        },
                    ]
                })
                .collect(),
        }));
    }
    if !c.tasks.is_empty() {
        out.push(Block::paragraph(
            "Nhiệm vụ chi bộ giao từ ý kiến của nhân dân:",
        ));
        out.push(Block::Table(Table {
            columns: vec![
                Column::one_line("TT", Align::Center),
                Column::one_line("Mã", Align::Left),
                Column::new("Nhiệm vụ", Align::Left),
                Column::new("Người phụ trách", Align::Left),
                Column::one_line("Thời hạn", Align::Center),
                Column::new("Kết quả", Align::Left),
            ],
            rows: c
                .tasks
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    vec![
                        (i + 1).to_string(),
                        x.code.clone(),
                        x.task.title.clone(),
                        x.task.lead_name.clone(),
                        format_date(x.task.deadline),
                        match x.task.done_on {
                            Some(d) => format!("Hoàn thành ngày {}", format_date(d)),
                            None if x.task.shown == "qua_han" => "Quá hạn".into(),
                            None => "Đang thực hiện".into(),
                        },
                    ]
                })
                .collect(),
        }));
    }
    out
}

/// Section V: the share of members who studied each document.
fn study_blocks(s: &[StudyShare]) -> Vec<Block> {
    let mut out = vec![Block::heading(1, "V. HỌC TẬP, QUÁN TRIỆT NGHỊ QUYẾT")];
    if s.is_empty() {
        out.push(Block::paragraph(
            "Trong kỳ, chi bộ không có tài liệu nào phải học tập, quán triệt.",
        ));
        return out;
    }
    out.push(Block::Table(Table {
        columns: vec![
            Column::one_line("TT", Align::Center),
            Column::new("Tài liệu", Align::Left),
            Column::one_line("Hạn", Align::Center),
            Column::one_line("Phải học", Align::Center),
            Column::one_line("Đã học", Align::Center),
            Column::one_line("Tỷ lệ", Align::Center),
            Column::one_line("Bài thu hoạch", Align::Center),
        ],
        rows: s
            .iter()
            .enumerate()
            .map(|(i, x)| {
                vec![
                    (i + 1).to_string(),
                    if x.number.is_empty() {
                        x.title.clone()
                    } else {
                        format!("{} ({})", x.title, x.number)
                    },
                    format_date(x.deadline),
                    x.assigned.to_string(),
                    x.studied.to_string(),
                    x.share
                        .map(|p| format!("{p}%"))
                        .unwrap_or_else(|| "—".into()),
                    x.reflections.to_string(),
                ]
            })
            .collect(),
    }));
    out
}

/// The body of the printed report: the recorded figures, then the
/// committee's sections.
pub fn report_blocks(b: &ReportBody) -> Vec<Block> {
    let mut out = figure_blocks(&b.figures);
    for (title, text) in [
        ("VI. ĐÁNH GIÁ CHUNG", &b.sections.assessment),
        ("VII. HẠN CHẾ, NGUYÊN NHÂN", &b.sections.limits),
        ("VIII. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", &b.sections.next),
    ] {
        let blocks = paragraphs(text);
        if !blocks.is_empty() {
            out.push(Block::heading(1, title));
            out.extend(blocks);
        }
    }
    out
}

/// A column of the roll-up, shared by the PDF, the DOCX and the XLSX.
struct RollupColumn {
    label: &'static str,
    kind: Kind,
}

const fn column(label: &'static str, kind: Kind) -> RollupColumn {
    RollupColumn { label, kind }
}

/// The roll-up's columns: each figure in a column of its own (no "10/12").
const ROLLUP: &[RollupColumn] = &[
    column("Mã", Kind::Id),
    column("Chi bộ", Kind::Text),
    column("Trực thuộc", Kind::Text),
    column("Sinh hoạt gần nhất", Kind::Date),
    column("Đúng kỳ", Kind::Text),
    column("Số buổi sinh hoạt", Kind::Count),
    column("Lượt có mặt", Kind::Count),
    column("Lượt điểm danh", Kind::Count),
    column("Tỷ lệ dự họp (%)", Kind::Percent),
    column("Nghị quyết", Kind::Count),
    column("Việc hoàn thành", Kind::Count),
    column("Việc được giao", Kind::Count),
    column("Việc quá hạn", Kind::Count),
    column("Kết nạp trong năm", Kind::Count),
    column("Hồ sơ quá hạn", Kind::Count),
    column("Xếp loại chi bộ", Kind::Text),
];

/// The cell's own rating: the last column of [`ROLLUP`].
const RATING: usize = ROLLUP.len() - 1;

/// One line of the roll-up, cell by cell in the order of [`ROLLUP`].
pub fn rollup_row(l: &CellLine) -> Vec<Value> {
    let text = |s: &str| Value::Text(s.to_owned());
    vec![
        l.code.as_deref().map_or(Value::Empty, text),
        text(&l.name),
        l.committee.as_deref().map_or(Value::Empty, text),
        l.last_meeting.map_or(Value::Empty, Value::Date),
        text(if l.on_time { "Có" } else { "Chậm" }),
        Value::Number(l.held),
        Value::Number(l.presence.present),
        Value::Number(l.presence.marked),
        l.attendance.map_or(Value::Empty, Value::Number),
        Value::Number(l.adopted),
        Value::Number(l.tasks.done),
        Value::Number(l.tasks.total),
        Value::Number(l.tasks.overdue),
        Value::Number(l.admitted),
        Value::Number(l.cases_overdue),
        text(l.rating_name()),
    ]
}

/// "quý 4 2026": a period as file names give it.
fn period_name(p: &Period) -> String {
    let kind = match p.kind {
        PeriodKind::Month => "tháng",
        PeriodKind::Quarter => "quý",
        PeriodKind::Half => "6 tháng",
        PeriodKind::Year => "năm",
    };
    match p.kind {
        PeriodKind::Year => format!("{kind} {}", p.year),
        _ => format!("{kind} {} {}", p.index, p.year),
    }
}

/// The upper committee's roll-up of its cells for a period.
pub struct Rollup {
    pub unit: OrgRow,
    pub period: Period,
    pub as_of: NaiveDate,
    pub lines: Vec<CellLine>,
    pub totals: CellLine,
}

impl Rollup {
    fn title(&self) -> String {
        format!(
            "tổng hợp tình hình sinh hoạt chi bộ {}",
            self.period.label_vi()
        )
    }

    /// The total line: the figures summed by the one function the screens
    /// use, the rate computed from the sums.
    fn total_row(&self) -> Vec<Value> {
        let mut r = rollup_row(&self.totals);
        r[1] = Value::Text(format!("Cộng ({} chi bộ)", self.lines.len()));
        r[4] = Value::Text(format!(
            "{} chậm",
            self.lines.iter().filter(|l| !l.on_time).count()
        ));
        r[RATING] = Value::Text(format!(
            "{} đã xếp loại",
            self.lines.iter().filter(|l| l.rating.is_some()).count()
        ));
        r
    }

    /// The hash of the roll-up's figures, whatever order the table was
    /// sorted in: the same figures are the same report, with one number.
    fn fingerprint(&self) -> String {
        let mut lines: Vec<&CellLine> = self.lines.iter().collect();
        lines.sort_by_key(|l| l.id);
        let rows: Vec<Vec<String>> = lines
            .iter()
            .map(|l| rollup_row(l).iter().map(printed_value).collect())
            .collect();
        let text = json!({
            "period": self.period.label_vi(),
            "as_of": self.as_of,
            "rows": rows,
        });
        seal(&text.to_string()).0
    }

    /// The file's name: "tong-hop-quy-4-2026", then the number and the unit
    /// when the document has them.
    pub fn file_name(&self, number: Option<&str>) -> FileName {
        FileName::of(&[
            "Tổng hợp",
            &period_name(&self.period),
            number.map(bare_number).unwrap_or(""),
            &self.unit.name,
        ])
    }

    /// The roll-up as a spreadsheet: counts as numbers, dates as dates, the
    /// totals as formulas; printed landscape, one page wide.
    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let columns = ROLLUP
            .iter()
            .map(|c| ExportColumn {
                label: c.label,
                kind: c.kind,
            })
            .collect();
        // Counts are summed by formulas; the rest of the total line is the
        // screens' figures.
        let totals = self
            .total_row()
            .into_iter()
            .zip(ROLLUP)
            .map(|(v, c)| match c.kind {
                Kind::Count => Total::Sum,
                _ => Total::Value(v),
            })
            .collect();
        let export = Export {
            sheet: "Tổng hợp",
            title: vec![
                issuer_line(&self.unit),
                format!("Bảng {}", self.title()),
                format!(
                    "Từ ngày {} đến ngày {}; công việc tính đến ngày {}.",
                    format_date(self.period.start),
                    format_date(self.period.end),
                    format_date(self.as_of)
                ),
            ],
            columns,
            rows: self.lines.iter().map(rollup_row).collect(),
            totals: Some(totals),
        };
        Ok(sheet::write_table(&export)?)
    }

    /// The roll-up as printed: its table, landscape.
    pub(crate) fn document(
        &self,
        header: Header,
        signature: Signature,
        recipients: Vec<String>,
    ) -> Document {
        let mut rows: Vec<Vec<String>> = self
            .lines
            .iter()
            .map(|l| rollup_row(l).iter().map(printed_value).collect())
            .collect();
        rows.push(self.total_row().iter().map(printed_value).collect());
        Document {
            orientation: Orientation::Landscape,
            header,
            title: "BÁO CÁO".into(),
            subject: Some(self.title()),
            body: vec![
                Block::paragraph(format!(
                    "Số liệu tổng hợp từ hồ sơ sinh hoạt của {} chi bộ trực thuộc, từ ngày {} đến ngày {}; công việc tính đến ngày {}.",
                    self.lines.len(),
                    format_date(self.period.start),
                    format_date(self.period.end),
                    format_date(self.as_of)
                )),
                Block::Table(Table {
                    columns: ROLLUP
                        .iter()
                        .map(|c| match c.kind {
                            Kind::Text if c.label != "Đúng kỳ" => {
                                Column::new(c.label, Align::Left)
                            }
                            _ => Column::one_line(c.label, Align::Center),
                        })
                        .collect(),
                    rows,
                }),
            ],
            signatures: vec![signature],
            recipients,
            check_code: None,
        }
    }
}

/// The cell's newest rating of `year` and its members' tiers in that round.
async fn rating_figures(r: &mut Reader, cell: &OrgRow, year: i32) -> Result<Option<RatingFigures>> {
    let Some(brief) = latest_by_cell(r, &cell.path)
        .await?
        .remove(&cell.id)
        .filter(|b| b.year == i64::from(year))
    else {
        return Ok(None);
    };
    let rows = store::evaluations::of_round(r, brief.round_id, &cell.path).await?;
    let members = tier_counts(
        rows.iter()
            .filter(|e| e.cell_id == cell.id)
            .map(|e| (e.exempt, e.final_tier.as_deref())),
    );
    Ok(Some(RatingFigures {
        cell: brief,
        members,
    }))
}

impl Services {
    /// The figures of a cell's period, read from the records on `on`.
    pub(crate) async fn report_figures(
        &self,
        r: &mut Reader,
        cell: &OrgRow,
        period: &Period,
        on: NaiveDate,
    ) -> Result<Figures> {
        let w = window(period, on);
        let meetings = stats::meetings(r, cell.id, &w).await?;
        let mut presence = Presence::default();
        for m in &meetings {
            presence.add(&m.presence);
        }
        let tasks = stats::cell_tasks(r, &cell.path, &w)
            .await?
            .into_iter()
            .find(|t| t.cell_id == cell.id)
            .map(|t| t.t)
            .unwrap_or_default();
        Ok(Figures {
            period: period.kind.as_str().into(),
            year: period.year,
            index: period.index,
            label: period.label_vi(),
            start: period.start,
            end: period.end,
            as_of: w.as_of,
            resolutions: stats::resolutions(r, cell.id, &w).await?,
            carried_over: stats::carried_over(r, cell.id, &w).await?,
            changes: stats::status_changes(r, cell.id, period.start, period.end).await?,
            residents: concern_figures(r, cell.id, period.start, period.end, w.as_of).await?,
            study: study_shares(r, cell.id, period.start, period.end, w.as_of).await?,
            growth: growth_by_cell(r, &cell.path, period.start, w.as_of)
                .await?
                .remove(&cell.id)
                .unwrap_or_default(),
            transfers: self
                .transfer_counts(r, cell, (period.start, period.end), w.as_of)
                .await?,
            dues: self
                .dues_figures(r, cell, (period.start, period.end), w.as_of)
                .await?,
            rating: rating_figures(r, cell, period.year).await?,
            meetings,
            presence,
            tasks,
        })
    }

    /// Drafts the report of a cell (the actor's own by default) for a
    /// period (the current month by default) from its records.
    pub async fn create_report(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        period: &PeriodQuery,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let on = today(now);
        let (cell, period, figures) = self
            .db
            .read(async |r| {
                let cell = unit_for(r, actor, unit).await?;
                if !actor.can_manage(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let period = period.resolve(default_period(&cell), on)?;
                if cell.kind != "chi_bo" {
                    return Err(invalid("unit", "dashboard.not_cell", cell.name.clone()));
                }
                if period.start > on {
                    return Err(invalid("period", "report.future", period.label_vi()));
                }
                let figures = self.report_figures(r, &cell, &period, on).await?;
                Ok((cell, period, figures))
            })
            .await?;
        let body = ReportBody {
            sections: Sections {
                assessment: opening(&figures),
                ..Sections::default()
            },
            figures,
            checkpoint: None,
        };
        let text = serde_json::to_string(&body).unwrap_or_default();
        let mut tx = self.db.begin().await?;
        let id = match db::insert(
            &mut tx,
            &db::NewReport {
                org_id: cell.id,
                period: period.kind.as_str(),
                start: period.start,
                end: period.end,
                body: &text,
            },
            now,
        )
        .await
        {
            Ok(id) => id,
            Err(e) if e.is_unique_violation() => {
                return Err(invalid("period", "report.exists", period.label_vi()));
            }
            Err(e) => return Err(e.into()),
        };
        audit_entry(
            &mut tx,
            actor,
            Subject::report(cell.id, id),
            "report.draft",
            json!({"period": period.label_vi()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A unit's reports, for its committee and those above.
    pub async fn reports_of(&self, actor: &Actor, unit_id: i64) -> Result<Vec<ReportRow>> {
        self.db
            .read(async |r| {
                let unit = org(r, unit_id).await?;
                reports_of(r, actor, &unit).await
            })
            .await
    }

    /// The reports screen of a unit (the actor's own by default), with the
    /// period a new draft would cover.
    pub async fn report_list(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        period: &PeriodQuery,
        now: DateTime<Utc>,
    ) -> Result<ReportList> {
        self.db
            .read(async |r| {
                let unit = unit_for(r, actor, unit).await?;
                let period = period.resolve(default_period(&unit), today(now))?;
                let reports = reports_of(r, actor, &unit).await?;
                Ok(ReportList {
                    may_draft: actor.can_manage(&unit),
                    unit,
                    period,
                    reports,
                })
            })
            .await
    }

    /// A report and whether the actor may edit it (its cell's committee).
    pub async fn report_page(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(Report, bool)> {
        let r = self.report(actor, id, now).await?;
        let may_edit = actor.can_manage(&r.unit);
        Ok((r, may_edit))
    }

    pub async fn report(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<Report> {
        self.db
            .read(async |r| self.report_in(r, actor, id, now).await)
            .await
    }

    async fn report_in(
        &self,
        r: &mut Reader,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Report> {
        let row = db::get(r, id).await?.ok_or(ServiceError::NotFound)?;
        let unit = org(r, row.org_id).await?;
        if !actor.can_organise(&unit) {
            return Err(ServiceError::Forbidden);
        }
        let unreadable = |e: serde_json::Error| {
            ServiceError::Store(store::StoreError::Io(std::io::Error::other(e)))
        };
        let (content, check_code) = if row.status == "draft" {
            let mut content: ReportBody = serde_json::from_str(&row.body).map_err(unreadable)?;
            let period = self.period_of(&row)?;
            content.figures = self.report_figures(r, &unit, &period, today(now)).await?;
            (content, None)
        } else {
            // An issued report is what was sealed, not what the row says now.
            match sealed(r, "report", id).await? {
                Some(s) => (
                    serde_json::from_value(s.body.clone()).map_err(unreadable)?,
                    Some(s.version.check_code),
                ),
                None => (serde_json::from_str(&row.body).map_err(unreadable)?, None),
            }
        };
        Ok(Report {
            row,
            unit,
            content,
            check_code,
        })
    }

    fn period_of(&self, row: &ReportRow) -> Result<Period> {
        let kind = PeriodKind::parse(&row.period).map_err(ServiceError::invalid)?;
        Ok(Period::containing(kind, row.period_start))
    }

    /// Saves the committee's sections of a draft.
    pub async fn save_report(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        sections: &Sections,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let r = self.report(actor, id, now).await?;
        if !actor.can_manage(&r.unit) {
            return Err(ServiceError::Forbidden);
        }
        if r.row.status != "draft" {
            return Err(invalid(
                "status",
                "report.issued",
                r.row.number_text.unwrap_or_default(),
            ));
        }
        let body = ReportBody {
            figures: r.content.figures,
            sections: Sections {
                assessment: lines(&sections.assessment),
                limits: lines(&sections.limits),
                next: lines(&sections.next),
            },
            checkpoint: None,
        };
        let text = serde_json::to_string(&body).unwrap_or_default();
        let mut tx = self.db.begin().await?;
        if !db::save_draft(&mut tx, id, version, &text).await? {
            return Err(ServiceError::Stale);
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::report(r.row.org_id, id),
            "report.save",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Issues a draft: the figures as they stand, a number from the same
    /// sequence as the cell's other documents (type BC), a seal, a locked
    /// version and an audit entry, in one transaction, by the path resolutions
    /// and minutes are locked.
    pub async fn issue_report(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let r = self.report(actor, id, now).await?;
        if !actor.can_manage(&r.unit) {
            return Err(ServiceError::Forbidden);
        }
        if r.row.status != "draft" {
            return Err(invalid(
                "status",
                "report.issued",
                r.row.number_text.unwrap_or_default(),
            ));
        }
        let on = today(now);
        let symbol: String = self
            .rules
            .param("doc_org_symbol_cell", on)
            .unwrap_or_else(|_| "CB".into());
        let mut tx = self.db.begin().await?;
        let numbering = self.numbering_start(&mut tx, r.unit.id, on).await?;
        let number = meetings::next_number(&mut tx, r.unit.id, "BC", numbering).await?;
        let number_text = chibo_rules::format_doc_number(
            u32::try_from(number).unwrap_or(u32::MAX),
            "BC",
            &symbol,
        );
        // The cell's chain as it stands before this issue, signed.
        let checkpoint = audit::head_in(&mut tx, r.unit.id)
            .await?
            .filter(|(seq, _)| *seq > 0)
            .map(|(seq, hash)| self.anchor.sign(r.unit.id, seq, &hash, now));
        let content = ReportBody {
            checkpoint: checkpoint.clone(),
            ..r.content.clone()
        };
        let printed = self
            .db
            .read(async |rd| {
                self.report_printed(rd, &r.unit, &content, Some(number_text.clone()), on)
                    .await
            })
            .await?;
        let facts = json!({
            "number": number_text, "unit": r.unit.name, "issued_on": on,
            "figures": content.figures, "sections": content.sections, "checkpoint": checkpoint,
        });
        let body = facts.to_string();
        lock_document(
            &mut tx,
            actor,
            Subject::report(r.unit.id, id),
            Locking {
                doc_type: "report",
                doc_id: id,
                facts,
                printed,
                reason: None,
                action: "report.issue",
                summary: json!({"number": number_text}),
                parts: vec![],
            },
            async |tx, hash| {
                let issued = db::Issue {
                    id,
                    version,
                    body: &body,
                    number,
                    number_text: &number_text,
                    hash,
                };
                if db::issue(tx, &issued, now).await? {
                    Ok(())
                } else {
                    Err(ServiceError::Stale)
                }
            },
            now,
        )
        .await?;
        tx.commit().await?;
        if let Some(c) = checkpoint
            && let Err(e) = self.anchor.record(&[c])
        {
            tracing::error!("checkpoint log: {e}");
        }
        self.anchor_after_seal(r.unit.id).await;
        Ok(number_text)
    }

    /// The header of a unit's document: its superior, the unit as issuer
    /// (a đảng bộ issues as its đảng ủy), the number, the place and date.
    pub(crate) async fn letterhead(
        &self,
        r: &mut Reader,
        unit: &OrgRow,
        number: Option<String>,
        on: NaiveDate,
    ) -> Result<Header> {
        let parent = match unit.parent_id {
            Some(p) => Some(org(r, p).await?),
            None => None,
        };
        Ok(header(unit, parent.as_ref(), number, on))
    }

    pub(crate) async fn secretary_of(&self, r: &mut Reader, unit: &OrgRow) -> Result<String> {
        Ok(store::orgs::committee(r, unit.id)
            .await?
            .into_iter()
            .find(|p| p.role == "bi_thu" && p.end_date.is_none())
            .map(|p| p.member_name)
            .unwrap_or_default())
    }

    /// The report in the Party's document format, as sealed once issued;
    /// named by kind, number, unit and period.
    pub async fn report_document(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let (r, p) = self
            .db
            .read(async |rd| {
                let r = self.report_in(rd, actor, id, now).await?;
                if r.row.status != "draft"
                    && let Some(p) = sealed(rd, "report", id).await?.and_then(|s| s.printed())
                {
                    return Ok::<_, ServiceError>((r, p));
                }
                let on = r.row.issued_at.map(today).unwrap_or_else(|| today(now));
                let number = r.row.number_text.clone().or_else(|| {
                    let symbol: String = self
                        .rules
                        .param("doc_org_symbol_cell", on)
                        .unwrap_or_else(|_| "CB".into());
                    Some(format!("Số     -BC/{symbol}"))
                });
                let mut p = self
                    .report_printed(rd, &r.unit, &r.content, number, on)
                    .await?;
                p.document.check_code = r.check_code.clone();
                Ok((r, p))
            })
            .await?;
        self.report_printable(&r, p, now)
    }

    /// A report's file: its name and properties.
    fn report_printable(&self, r: &Report, p: Printed, now: DateTime<Utc>) -> Result<Printable> {
        let issued = r.row.number_text.as_deref().map(bare_number);
        let subject = format!("kết quả công tác {}", r.content.figures.label);
        let name = FileName::of(&[
            "Báo cáo",
            issued.unwrap_or(""),
            &r.unit.name,
            &period_name(&self.period_of(&r.row)?),
        ]);
        let title = match issued {
            Some(n) => format!("Báo cáo số {n} {subject}"),
            None => format!("Báo cáo {subject}"),
        };
        Ok(Printable {
            docs: vec![p.document],
            layout: p.layout,
            properties: Properties {
                title,
                author: r.unit.name.clone(),
                created: Some(now),
            },
            name,
        })
    }

    /// A report as printed (without its check code).
    async fn report_printed(
        &self,
        r: &mut Reader,
        unit: &OrgRow,
        content: &ReportBody,
        number: Option<String>,
        on: NaiveDate,
    ) -> Result<Printed> {
        let mut body = report_blocks(content);
        if let Some(c) = &content.checkpoint {
            body.push(Block::paragraph(format!(
                "Điểm neo nhật ký của chi bộ (kiểm tra bằng chibo audit verify): chuỗi {}, mục số {}, mã băm {}, ký lúc {} bằng khóa {}; chữ ký {}.",
                c.chain,
                c.seq,
                c.hash,
                c.at.format("%d/%m/%Y %H:%M UTC"),
                c.key,
                c.sig
            )));
        }
        let document = Document {
            orientation: Orientation::Portrait,
            header: self.letterhead(r, unit, number, on).await?,
            title: "BÁO CÁO".into(),
            subject: Some(format!("kết quả công tác {}", content.figures.label)),
            body,
            signatures: vec![Signature {
                on_behalf: Some("T/M CHI BỘ".into()),
                role: "BÍ THƯ".into(),
                name: self.secretary_of(r, unit).await?,
            }],
            recipients: vec!["- Đảng ủy (để báo cáo),".into(), "- Lưu Chi bộ.".into()],
            check_code: None,
        };
        Ok(Printed {
            document,
            layout: self.layout(on),
        })
    }

    /// The roll-up of the cells under a unit (the actor's own by default)
    /// for a period (the current quarter by default), filtered and ordered
    /// as the table shows them.
    pub async fn rollup(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        period: &PeriodQuery,
        q: &TableQuery,
        now: DateTime<Utc>,
    ) -> Result<Rollup> {
        let period = period.resolve(PeriodKind::Quarter, today(now))?;
        let (unit, lines, w) = self
            .db
            .read(async |r| {
                let unit = unit_for(r, actor, unit).await?;
                if !actor.can_organise(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                let (lines, w) = self.cell_lines(r, &unit, &period, today(now)).await?;
                Ok((unit, lines, w))
            })
            .await?;
        let lines = arrange(lines, q);
        Ok(Rollup {
            totals: totals(&lines),
            as_of: w.as_of,
            lines,
            unit,
            period,
        })
    }

    /// The roll-up as a document of its committee, ready to send up: landscape,
    /// signed, numbered. A roll-up is numbered the first time its text is
    /// printed (the next BC number of the committee's term, with an audit
    /// entry); printing the same figures again gives the same number and
    /// date, other figures are another report.
    pub async fn rollup_document(
        &self,
        actor: &Actor,
        r: &Rollup,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let on = today(now);
        let committee = r.unit.kind != "chi_bo";
        // The packs before 2021 carry no symbols: those of 36-HD/VPTW.
        let (symbol_param, fallback, on_behalf) = if committee {
            ("doc_org_symbol_upper", "ĐU", "T/M ĐẢNG ỦY")
        } else {
            ("doc_org_symbol_cell", "CB", "T/M CHI BỘ")
        };
        let symbol: String = self
            .rules
            .param(symbol_param, on)
            .unwrap_or_else(|_| fallback.into());
        let subject = format!(
            "rollup:{}:{}",
            r.period.kind.as_str(),
            r.period.start.format("%Y-%m-%d")
        );
        let fingerprint = r.fingerprint();
        let key = register::Key {
            org_id: r.unit.id,
            doc_type: "BC",
            subject: &subject,
            fingerprint: &fingerprint,
        };
        let (secretary, superior, found) = self
            .db
            .read(async |rd| {
                let secretary = self.secretary_of(rd, &r.unit).await?;
                let superior = match r.unit.parent_id {
                    Some(p) => Some(org(rd, p).await?),
                    None => None,
                };
                let found = register::find(rd, &key).await?;
                Ok::<_, ServiceError>((secretary, superior, found))
            })
            .await?;
        let signature = Signature {
            on_behalf: Some(on_behalf.into()),
            role: "BÍ THƯ".into(),
            name: secretary,
        };
        let mut recipients: Vec<String> = superior
            .iter()
            .map(|p| format!("- {} (để báo cáo),", p.name))
            .collect();
        recipients.push("- Các chi bộ trực thuộc,".into());
        recipients.push(if committee {
            "- Lưu Văn phòng Đảng ủy.".into()
        } else {
            "- Lưu Chi bộ.".into()
        });
        let issued = match found {
            Some(done) => done,
            None => {
                let mut tx = self.db.begin().await?;
                let issued = match register::find_in(&mut tx, &key).await? {
                    Some(done) => done,
                    None => {
                        let numbering = self.numbering_start(&mut tx, r.unit.id, on).await?;
                        let number =
                            meetings::next_number(&mut tx, r.unit.id, "BC", numbering).await?;
                        let text = chibo_rules::format_doc_number(
                            u32::try_from(number).unwrap_or(u32::MAX),
                            "BC",
                            &symbol,
                        );
                        let issued = register::insert(&mut tx, &key, number, &text, now).await?;
                        audit_entry(
                            &mut tx,
                            actor,
                            Subject {
                                chain_id: r.unit.id,
                                entity: "rollup",
                                id: issued.id,
                            },
                            "rollup.issue",
                            json!({"number": text, "period": r.period.label_vi(), "as_of": r.as_of, "cells": r.lines.len()}),
                            now,
                        )
                        .await?;
                        issued
                    }
                };
                tx.commit().await?;
                issued
            }
        };
        let issued_on = today(issued.issued_at);
        let mut doc = r.document(
            header(
                &r.unit,
                superior.as_ref(),
                Some(issued.number_text.clone()),
                issued_on,
            ),
            signature,
            recipients,
        );
        // Each cell's audit chain as it stands, signed: the upper committee
        // keeps these with the report and can hold the records against them.
        // Signed at each print, they are not part of what is numbered.
        let ids: Vec<i64> = r.lines.iter().map(|l| l.id).collect();
        let anchors = self.anchors(&ids, now).await?;
        let anchor_rows: Vec<Vec<String>> = r
            .lines
            .iter()
            .filter_map(|l| {
                let c = anchors.iter().find(|c| c.chain == l.id)?;
                Some(vec![
                    l.name.clone(),
                    c.seq.to_string(),
                    format!("{}…", &c.hash[..16]),
                    format!("{}…", &c.sig[..16]),
                ])
            })
            .collect();
        doc.body.extend([
            Block::heading(1, "ĐIỂM NEO NHẬT KÝ CỦA CÁC CHI BỘ"),
            Block::paragraph(format!(
                "Đầu chuỗi nhật ký của từng chi bộ lúc {}, ký bằng khóa {}… của hệ thống (đầy đủ trong nhật ký điểm neo; kiểm tra bằng chibo audit verify).",
                now.with_timezone(&Ho_Chi_Minh).format("%H:%M ngày %d/%m/%Y"),
                &self.anchor.public_hex()[..16]
            )),
            Block::Table(Table {
                columns: vec![
                    Column::new("Chi bộ", Align::Left),
                    Column::one_line("Mục số", Align::Center),
                    Column::one_line("Mã băm", Align::Left),
                    Column::one_line("Chữ ký", Align::Left),
                ],
                rows: anchor_rows,
            }),
        ]);
        Ok(Printable {
            docs: vec![doc],
            layout: self.layout(issued_on),
            properties: Properties {
                title: format!(
                    "Báo cáo số {} {}",
                    bare_number(&issued.number_text),
                    r.title()
                ),
                author: r.unit.name.clone(),
                created: Some(now),
            },
            name: r.file_name(Some(&issued.number_text)),
        })
    }
}
