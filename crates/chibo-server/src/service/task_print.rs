//! The assignment table printed (Party format) and exported (XLSX).

use super::tasks::TaskItem;
use super::{Actor, Result, Services, today};
use crate::store::tasks::Filter;
use chibo_docs::sheet::{ColumnSpec, SheetError};
use chibo_print::{Align, Block, Column, Document, Header, Layout, Table};
use chrono::{DateTime, Utc};

const COLUMNS: [(&str, &str, u16); 7] = [
    ("stt", "STT", 1),
    ("nhiem_vu", "Nhiệm vụ", 6),
    ("phu_trach", "Người phụ trách", 3),
    ("phoi_hop", "Người phối hợp", 3),
    ("thoi_han", "Thời hạn", 2),
    ("nghi_quyet", "Nghị quyết", 2),
    ("tinh_trang", "Tình trạng", 2),
];

/// One row per task, in the columns above; `shown` names a status.
pub fn table_rows(items: &[TaskItem], shown: impl Fn(&str) -> String) -> Vec<Vec<String>> {
    items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            vec![
                (i + 1).to_string(),
                t.task.title.clone(),
                t.task.lead_name.clone(),
                t.owners
                    .iter()
                    .map(|o| o.full_name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                crate::model::format_date(t.task.deadline),
                t.task.resolution_number.clone().unwrap_or_default(),
                shown(&t.shown),
            ]
        })
        .collect()
}

pub fn xlsx(cell_name: &str, rows: &[Vec<String>]) -> Result<Vec<u8>, SheetError> {
    let cols: Vec<ColumnSpec> = COLUMNS
        .iter()
        .map(|(key, label, _)| ColumnSpec {
            key,
            label,
            aliases: &[],
        })
        .collect();
    let rows: Vec<Vec<Option<String>>> = rows
        .iter()
        .map(|r| r.iter().map(|c| Some(c.clone())).collect())
        .collect();
    chibo_docs::sheet::write_xlsx(
        Some(&format!("Bảng phân công công việc — {cell_name}")),
        &cols,
        &rows,
    )
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

impl Services {
    pub async fn task_table_document(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        f: &Filter,
        now: DateTime<Utc>,
    ) -> Result<(Document, Layout)> {
        let (cell, items, superior) = self
            .db
            .read(async |r| {
                let (cell, items) = super::tasks::unit_tasks(r, actor, unit, f, now).await?;
                let superior = match cell.parent_id {
                    Some(p) => super::org(r, p).await?.name.to_uppercase(),
                    None => String::new(),
                };
                Ok::<_, super::ServiceError>((cell, items, superior))
            })
            .await?;
        let on = today(now);
        let table = Table {
            columns: COLUMNS
                .iter()
                .map(|(_, title, width)| Column {
                    title: (*title).to_string(),
                    width: *width,
                    align: if *width == 1 {
                        Align::Center
                    } else {
                        Align::Left
                    },
                })
                .collect(),
            rows: table_rows(&items, shown_vi),
        };
        let body = if items.is_empty() {
            vec![Block::paragraph(
                "Không có nhiệm vụ nào theo điều kiện đã chọn.",
            )]
        } else {
            vec![Block::Table(table)]
        };
        let doc = Document {
            header: Header {
                superior,
                issuer: cell.name.to_uppercase(),
                number: None,
                place_date: chibo_rules::format_date_line(cell.place.as_deref().unwrap_or(""), on),
            },
            title: "BẢNG PHÂN CÔNG CÔNG VIỆC".into(),
            subject: Some(format!(
                "tình hình thực hiện đến ngày {}",
                crate::model::format_date(on)
            )),
            body,
            signatures: vec![],
            recipients: vec![],
            check_code: None,
        };
        Ok((doc, self.layout(on)))
    }
}
