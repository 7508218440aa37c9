//! The summary list of an evaluation round (danh sách tổng hợp kết quả xếp
//! loại) printed in the Party's format (PDF, DOCX) and exported (XLSX): the
//! figures are the summary's, read from the records in one request.

use super::documents::{FileName, Printable, printed_value};
use super::evaluations::{RoundSummary, period_label, tier_name};
use super::{Actor, Result, ServiceError, Services, org_for, today};
use crate::model::format_date;
use chibo_docs::sheet::{Export, ExportColumn, Kind, SheetError, Value};
use chibo_print::{
    Align, Block, Column, Document, Header, Orientation, Properties, Signature, Table,
};
use chrono::{DateTime, NaiveDate, Utc};

/// The list's columns: label, what they hold, whether a cell stays on one
/// line when printed.
const COLUMNS: [(&str, Kind, bool); 8] = [
    ("STT", Kind::Count, true),
    ("Họ và tên", Kind::Text, false),
    ("Chi bộ", Kind::Text, false),
    ("Mẫu", Kind::Text, true),
    ("Tự chấm điểm", Kind::Count, true),
    ("Tự xếp loại", Kind::Text, false),
    ("Chi bộ đề xuất", Kind::Text, false),
    ("Cấp ủy quyết định", Kind::Text, false),
];

fn tier_value(code: Option<&str>) -> Value {
    code.map_or(Value::Empty, |c| Value::Text(tier_name(c).to_string()))
}

/// One row per member, in the columns above.
pub fn rows(s: &RoundSummary) -> Vec<Vec<Value>> {
    s.lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let decided = if l.exempt {
                Value::Text("Miễn đánh giá, xếp loại".into())
            } else {
                match (&l.final_tier, &l.final_reason) {
                    (Some(t), Some(why)) => Value::Text(format!("{} (lý do: {why})", tier_name(t))),
                    (t, _) => tier_value(t.as_deref()),
                }
            };
            vec![
                Value::Number(i as i64 + 1),
                Value::Text(l.full_name.clone()),
                Value::Text(l.cell_name.clone()),
                Value::Text(l.form.clone()),
                l.self_points.map_or(Value::Empty, Value::Number),
                tier_value(l.self_tier.as_deref()),
                tier_value(l.proposed_tier.as_deref()),
                decided,
            ]
        })
        .collect()
}

/// The totals under the list, as printed and exported.
pub fn totals_lines(s: &RoundSummary) -> Vec<String> {
    let t = &s.totals;
    vec![
        format!("Tổng số đảng viên: {}", t.total),
        format!("Hoàn thành xuất sắc nhiệm vụ: {}", t.htxs),
        format!("Hoàn thành tốt nhiệm vụ: {}", t.htt),
        format!("Hoàn thành nhiệm vụ: {}", t.ht),
        format!("Không hoàn thành nhiệm vụ: {}", t.kht),
        format!("Miễn đánh giá, xếp loại: {}", t.exempt),
        format!("Chưa có kết quả: {}", t.pending),
        format!(
            "Tỷ lệ Hoàn thành xuất sắc nhiệm vụ tối đa: {} ({})",
            s.max_htxs, s.quota_citation
        ),
    ]
}

fn title() -> &'static str {
    "DANH SÁCH TỔNG HỢP KẾT QUẢ XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN"
}

fn subject(s: &RoundSummary) -> String {
    format!("{}, {}", s.unit_name, period_label(&s.round))
}

/// The file's name: "danh-sach-xep-loai-dang-bo-phuong-1-nam-2026".
pub fn file_name(s: &RoundSummary) -> FileName {
    FileName::of(&["Danh sách xếp loại", &s.unit_name, &period_label(&s.round)])
}

/// The heading of the cells' own ratings under the members' list.
const CELLS_TITLE: &str = "XẾP LOẠI CHẤT LƯỢNG CHI BỘ";

/// Each cell's own rating, in the list's columns (name, points, the cell's
/// own tier, its proposal, the decision).
fn cell_rows(s: &RoundSummary) -> Vec<Vec<Value>> {
    s.cells
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let decided = match (&l.final_tier, &l.final_reason) {
                (Some(t), Some(why)) => Value::Text(format!("{} (lý do: {why})", tier_name(t))),
                (t, _) => tier_value(t.as_deref()),
            };
            vec![
                Value::Number(i as i64 + 1),
                Value::Text(l.cell_name.clone()),
                Value::Empty,
                Value::Text(l.form.clone()),
                l.self_points.map_or(Value::Empty, Value::Number),
                tier_value(l.self_tier.as_deref()),
                tier_value(l.proposed_tier.as_deref()),
                decided,
            ]
        })
        .collect()
}

/// The cells' totals under their list.
pub fn cell_totals_lines(s: &RoundSummary) -> Vec<String> {
    let t = &s.cell_totals;
    vec![
        format!("Tổng số chi bộ: {}", t.total),
        format!("Chi bộ hoàn thành xuất sắc nhiệm vụ: {}", t.htxs),
        format!("Chi bộ hoàn thành tốt nhiệm vụ: {}", t.htt),
        format!("Chi bộ hoàn thành nhiệm vụ: {}", t.ht),
        format!("Chi bộ không hoàn thành nhiệm vụ: {}", t.kht),
        format!("Chi bộ chưa có kết quả: {}", t.pending),
    ]
}

/// The list as a spreadsheet: the members, their totals, then the cells'
/// own ratings and theirs.
pub fn xlsx(s: &RoundSummary, on: NaiveDate) -> Result<Vec<u8>, SheetError> {
    let mut rows = rows(s);
    let line = |text: String| {
        let mut r = vec![Value::Empty; COLUMNS.len()];
        r[1] = Value::Text(text);
        r
    };
    for l in totals_lines(s) {
        rows.push(line(l));
    }
    if !s.cells.is_empty() {
        rows.push(line(CELLS_TITLE.into()));
        rows.extend(cell_rows(s));
        for l in cell_totals_lines(s) {
            rows.push(line(l));
        }
    }
    chibo_docs::sheet::write_table(&Export {
        sheet: "Xếp loại",
        title: vec![
            s.unit_name.to_uppercase(),
            format!("{} {}", title(), period_label(&s.round).to_uppercase()),
            format!("Số liệu đến ngày {}", format_date(on)),
        ],
        columns: COLUMNS
            .iter()
            .map(|(label, kind, _)| ExportColumn { label, kind: *kind })
            .collect(),
        rows,
        totals: None,
    })
}

fn document(header: Header, signer: String, s: &RoundSummary) -> Document {
    let rows = rows(s);
    let table = Table {
        columns: COLUMNS
            .iter()
            .map(|(title, _, one_line)| {
                if *one_line {
                    Column::one_line(*title, Align::Center)
                } else {
                    Column::new(*title, Align::Left)
                }
            })
            .collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(printed_value).collect())
            .collect(),
    };
    let mut body = vec![Block::Table(table)];
    body.extend(totals_lines(s).into_iter().map(Block::paragraph));
    if !s.cells.is_empty() {
        body.push(Block::heading(1, CELLS_TITLE));
        body.push(Block::Table(Table {
            columns: COLUMNS
                .iter()
                .map(|(title, _, one_line)| {
                    if *one_line {
                        Column::one_line(*title, Align::Center)
                    } else {
                        Column::new(*title, Align::Left)
                    }
                })
                .collect(),
            rows: cell_rows(s)
                .iter()
                .map(|r| r.iter().map(printed_value).collect())
                .collect(),
        }));
        body.extend(cell_totals_lines(s).into_iter().map(Block::paragraph));
    }
    Document {
        orientation: Orientation::Landscape,
        header,
        title: title().into(),
        subject: Some(subject(s)),
        body,
        signatures: vec![Signature {
            on_behalf: Some("T/M CẤP ỦY".into()),
            role: "BÍ THƯ".into(),
            name: signer,
        }],
        recipients: vec![],
        check_code: None,
    }
}

impl Services {
    /// The summary list in the Party's format, signed by the unit's secretary.
    pub async fn round_summary_document(
        &self,
        actor: &Actor,
        round_id: i64,
        unit_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let on = today(now);
        let (summary, header, signer) = self
            .db
            .read(async |r| {
                let unit = org_for(r, actor, unit_id).await?;
                if !actor.can_read_members(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                let summary = self.evaluation_summary_in(r, round_id, &unit).await?;
                let header = self.letterhead(r, &unit, None, on).await?;
                let signer = self.secretary_of(r, &unit).await?;
                Ok::<_, ServiceError>((summary, header, signer))
            })
            .await?;
        Ok(Printable {
            docs: vec![document(header, signer, &summary)],
            layout: self.layout(on),
            properties: Properties {
                title: format!("{}, {}", title(), subject(&summary)),
                author: summary.unit_name.clone(),
                created: Some(now),
            },
            name: file_name(&summary),
        })
    }
}
