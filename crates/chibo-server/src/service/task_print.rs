//! The assignment table printed (Party format) and exported (XLSX).

use super::documents::{FileName, Printable, printed_value};
use super::tasks::TaskItem;
use super::{Actor, Result, Services, today};
use crate::model::format_date;
use crate::store::orgs::OrgRow;
use crate::store::tasks::Filter;
use chibo_docs::sheet::{Export, ExportColumn, Kind, SheetError, Value};
use chibo_print::{
    Align, Block, Column, Document, Header, Orientation, Properties, Signature, Table,
};
use chrono::{DateTime, NaiveDate, Utc};

/// The table's columns: label, what they hold, whether a cell stays on one
/// line when printed.
const COLUMNS: [(&str, Kind, bool); 7] = [
    ("STT", Kind::Count, true),
    ("Nhiệm vụ", Kind::Text, false),
    ("Người phụ trách", Kind::Text, false),
    ("Người phối hợp", Kind::Text, false),
    ("Thời hạn", Kind::Date, true),
    ("Nghị quyết", Kind::Text, true),
    ("Tình trạng", Kind::Text, false),
];

/// One row per task, in the columns above; `shown` names a status.
pub fn table_rows(items: &[TaskItem], shown: impl Fn(&str) -> String) -> Vec<Vec<Value>> {
    items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let owners = t
                .owners
                .iter()
                .map(|o| o.full_name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                Value::Number(i as i64 + 1),
                Value::Text(t.task.title.clone()),
                Value::Text(t.task.lead_name.clone()),
                Value::Text(owners),
                Value::Date(t.task.deadline),
                t.task
                    .resolution_number
                    .clone()
                    .map_or(Value::Empty, Value::Text),
                Value::Text(shown(&t.shown)),
            ]
        })
        .collect()
}

/// The file's name: "bang-phan-cong-chi-bo-khu-pho-3-2026-12-03".
pub fn file_name(cell: &OrgRow, on: NaiveDate) -> FileName {
    FileName::of(&[
        "Bảng phân công",
        &cell.name,
        &on.format("%Y-%m-%d").to_string(),
    ])
}

/// The table as a spreadsheet: numbers, real deadlines, printed landscape.
pub fn xlsx(cell: &OrgRow, rows: Vec<Vec<Value>>, on: NaiveDate) -> Result<Vec<u8>, SheetError> {
    chibo_docs::sheet::write_table(&Export {
        sheet: "Phân công",
        title: vec![
            cell.name.to_uppercase(),
            format!(
                "Bảng phân công công việc, tình hình thực hiện đến ngày {}",
                format_date(on)
            ),
        ],
        columns: COLUMNS
            .iter()
            .map(|(label, kind, _)| ExportColumn { label, kind: *kind })
            .collect(),
        rows,
        totals: None,
    })
}

/// Vietnamese names of what a task shows, for printed documents.
pub fn shown_vi(code: &str) -> String {
    match code {
        "chua_bat_dau" => "Chưa bắt đầu",
        "dang_thuc_hien" => "Đang thực hiện",
        "hoan_thanh" => "Hoàn thành",
        "qua_han" => "Quá hạn",
        "chuyen_ky_sau" => "Chuyển kỳ sau",
        "da_dong" => "Đã đóng",
        other => other,
    }
    .to_string()
}

/// The table as printed, signed by the secretary: `rows` from
/// [`table_rows`].
pub(crate) fn document(
    header: Header,
    secretary: String,
    rows: &[Vec<Value>],
    on: NaiveDate,
) -> Document {
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
    let body = if rows.is_empty() {
        vec![Block::paragraph(
            "Không có nhiệm vụ nào theo điều kiện đã chọn.",
        )]
    } else {
        vec![Block::Table(table)]
    };
    Document {
        orientation: Orientation::Portrait,
        header,
        title: "BẢNG PHÂN CÔNG CÔNG VIỆC".into(),
        subject: Some(subject(on)),
        body,
        signatures: vec![Signature {
            on_behalf: Some("T/M CHI BỘ".into()),
            role: "BÍ THƯ".into(),
            name: secretary,
        }],
        recipients: vec![],
        check_code: None,
    }
}

fn subject(on: NaiveDate) -> String {
    format!("tình hình thực hiện đến ngày {}", format_date(on))
}

impl Services {
    /// The assignment table in the Party format, signed by the secretary.
    pub async fn task_table_document(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        f: &Filter,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let on = today(now);
        let (cell, items, header, secretary) = self
            .db
            .read(async |r| {
                let (cell, items) = super::tasks::unit_tasks(r, actor, unit, f, now).await?;
                let header = self.letterhead(r, &cell, None, on).await?;
                let secretary = self.secretary_of(r, &cell).await?;
                Ok::<_, super::ServiceError>((cell, items, header, secretary))
            })
            .await?;
        let doc = document(header, secretary, &table_rows(&items, shown_vi), on);
        Ok(Printable {
            docs: vec![doc],
            layout: self.layout(on),
            properties: Properties {
                title: format!("Bảng phân công công việc, {}", subject(on)),
                author: cell.name.clone(),
                created: Some(now),
            },
            name: file_name(&cell, on),
        })
    }
}
