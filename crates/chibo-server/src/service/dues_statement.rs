//! The cell's dues statement (bảng tổng hợp thu, nộp đảng phí) for a month or
//! a year — each member's category, base, amount due, paid and arrears, the
//! share retained and the amount remitted — and the upper committee's table
//! of collection by cell, printed (PDF, DOCX) and exported (XLSX). Every
//! figure comes from the function that computes it on screen: per member the
//! ledger ([`ledger`]), the cell's totals from its summary ([`PeriodTotals`]),
//! the table's lines from [`Services::dues_by_cell`].

use super::documents::{FileName, Printable, printed_value};
use super::dues::{
    DuesByCell, Month, PeriodTotals, first_day, invalid, ledger, month_code, parse_month,
};
use super::{Actor, Result, ServiceError, Services, today};
use crate::model::format_date;
use crate::store::dues::{self as db, CategoryRow, EntryRow};
use crate::store::{self, Reader};
use chibo_docs::sheet::{Export, ExportColumn, Kind, SheetError, Total, Value};
use chibo_print::{
    Align, Block, Column, Document, Header, Orientation, Properties, Signature, Table,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One member's line of the statement.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatementLine {
    pub member_id: i64,
    pub full_name: String,
    /// The category in force in the period's last month (bhxh | pension |
    /// student | other_under_retirement | other_retirement_age | exempt);
    /// empty when the member has none yet.
    pub category: String,
    /// The salary or pension the rate applies to, in đồng.
    pub base_vnd: Option<i64>,
    /// Due for the period's months, from the member's ledger.
    pub due_vnd: i64,
    /// What the cell recorded for the member's months of the period (the sum
    /// of its entries, corrections included).
    pub paid_vnd: i64,
    /// Arrears on the day of the figures (members on the cell's list).
    pub arrears_vnd: i64,
    /// No longer on the cell's list (moved away, left) but paid in the period.
    pub off_list: bool,
}

/// The cell's statement for a month or a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuesStatement {
    pub cell_id: i64,
    pub cell_name: String,
    pub year: i32,
    /// YYYY-MM for a month's statement; the whole year otherwise.
    pub month: Option<String>,
    /// The day of the figures.
    pub as_of: NaiveDate,
    pub lines: Vec<StatementLine>,
    /// The sum of the lines' amounts due.
    pub due_vnd: i64,
    /// The cell's collection: the sum of its entries for the period, equal
    /// to the sum of the lines' amounts paid.
    pub collected_vnd: i64,
    pub retained_vnd: i64,
    pub remitted_vnd: i64,
    /// Every month of the period closed.
    pub closed: bool,
    /// The retained share and its source.
    pub retention: String,
    pub arrears_vnd: i64,
    pub members_in_arrears: usize,
}

/// Vietnamese name of a dues category, as printed.
pub fn category_label(code: &str) -> &'static str {
    match code {
        "bhxh" => "Tham gia BHXH bắt buộc",
        "pension" => "Hưởng lương hưu",
        "student" => "Học sinh, sinh viên",
        "other_under_retirement" => "Khác, chưa đến tuổi nghỉ hưu",
        "other_retirement_age" => "Khác, đến tuổi nghỉ hưu",
        "exempt" => "Miễn đóng",
        _ => "Chưa có mức đóng",
    }
}

/// "tháng 03 năm 2027" or "năm 2027".
pub fn period_label(year: i32, month: Option<Month>) -> String {
    match month {
        Some((y, m)) => format!("tháng {m:02} năm {y}"),
        None => format!("năm {year}"),
    }
}

/// The year and month a request names: a month (YYYY-MM or MM/YYYY), else a
/// year, else this year.
pub(super) fn period_of(
    year: Option<i32>,
    month: Option<&str>,
    on: NaiveDate,
) -> Result<(i32, Option<Month>)> {
    let month = match month.filter(|m| !m.trim().is_empty()) {
        Some(raw) => {
            Some(parse_month(raw).ok_or_else(|| invalid("month", "dues.month", raw.trim()))?)
        }
        None => None,
    };
    let year = month.map_or(year.unwrap_or(on.year()), |m| m.0);
    if !(1900..=9999).contains(&year) {
        return Err(invalid("year", "dues.month", year.to_string()));
    }
    Ok((year, month))
}

/// The months of a statement (YYYY-MM, inclusive), the day its ledgers are
/// read at and the day of its arrears.
struct Window<'a> {
    from: &'a str,
    to: &'a str,
    at: NaiveDate,
    on: NaiveDate,
}

fn category_at<'a>(cats: &'a [CategoryRow], code: &str) -> Option<&'a CategoryRow> {
    cats.iter().rev().find(|c| c.from_month.as_str() <= code)
}

impl Services {
    /// The statement of a cell for a month or a year.
    pub async fn dues_statement(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        year: Option<i32>,
        month: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<DuesStatement> {
        let on = today(now);
        let (year, month) = period_of(year, month, on)?;
        self.db
            .read(async |r| {
                let cell = super::orgs::unit_for(r, actor, unit).await?;
                if cell.kind != "chi_bo" || !actor.can_read_members(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                self.statement_in(r, &cell, year, month, on).await
            })
            .await
    }

    async fn statement_in(
        &self,
        r: &mut Reader,
        cell: &store::orgs::OrgRow,
        year: i32,
        month: Option<Month>,
        on: NaiveDate,
    ) -> Result<DuesStatement> {
        let summary = self.dues_summary_in(r, cell, year, on).await?;
        let totals = PeriodTotals::of(&summary, month);
        let (from, to) = match month {
            Some(m) => (month_code(m), month_code(m)),
            None => (month_code((year, 1)), month_code((year, 12))),
        };
        let mut paid: BTreeMap<i64, i64> = BTreeMap::new();
        for e in db::entries_of_cell(r, cell.id, &from, &to).await? {
            *paid.entry(e.member_id).or_default() += e.amount_vnd;
        }
        let mut cats: BTreeMap<i64, Vec<CategoryRow>> = BTreeMap::new();
        for c in db::categories_of_cell(r, cell.id).await? {
            cats.entry(c.member_id).or_default().push(c);
        }
        let mut ents: BTreeMap<i64, Vec<EntryRow>> = BTreeMap::new();
        for e in db::entries_of_members(r, cell.id).await? {
            ents.entry(e.member_id).or_default().push(e);
        }
        // A month ahead shows its months as the roll does; arrears are the day's.
        let w = Window {
            from: &from,
            to: &to,
            at: month.map_or(on, |m| on.max(first_day(m))),
            on,
        };
        let mut lines = Vec::new();
        let members = store::members::of_cell(r, cell.id).await?;
        for m in members.iter().filter(|m| m.status.on_list()) {
            let mc = cats.remove(&m.id).unwrap_or_default();
            let me = ents.remove(&m.id).unwrap_or_default();
            let p = paid.get(&m.id).copied().unwrap_or(0);
            lines.push(self.statement_line(m, mc, me, p, &w, false));
        }
        // Who paid the cell for the period and has since left its list.
        let listed: Vec<i64> = lines.iter().map(|l| l.member_id).collect();
        for id in paid.keys().filter(|id| !listed.contains(id)) {
            let Some(m) = store::members::get(r, *id).await? else {
                continue;
            };
            let mc = db::categories(r, m.id).await?;
            let me = db::entries_of(r, m.id).await?;
            let p = paid.get(&m.id).copied().unwrap_or(0);
            lines.push(self.statement_line(&m, mc, me, p, &w, true));
        }
        Ok(DuesStatement {
            cell_id: cell.id,
            cell_name: cell.name.clone(),
            year,
            month: month.map(month_code),
            as_of: on,
            due_vnd: lines.iter().map(|l| l.due_vnd).sum(),
            collected_vnd: totals.collected_vnd,
            retained_vnd: totals.retained_vnd,
            remitted_vnd: totals.remitted_vnd,
            closed: totals.closed,
            retention: summary.retention,
            arrears_vnd: summary.arrears_vnd,
            members_in_arrears: summary.members_in_arrears,
            lines,
        })
    }

    fn statement_line(
        &self,
        m: &store::members::MemberRow,
        cats: Vec<CategoryRow>,
        entries: Vec<EntryRow>,
        paid: i64,
        w: &Window<'_>,
        off_list: bool,
    ) -> StatementLine {
        let cat = category_at(&cats, w.to).cloned();
        let l = ledger(&self.rules, m, cats.clone(), entries.clone(), w.at);
        let due = l
            .months
            .iter()
            .filter(|x| w.from <= x.month.as_str() && x.month.as_str() <= w.to)
            .map(|x| x.due_vnd)
            .sum();
        let arrears = if off_list {
            0
        } else if w.at == w.on {
            l.arrears_vnd
        } else {
            ledger(&self.rules, m, cats, entries, w.on).arrears_vnd
        };
        StatementLine {
            member_id: m.id,
            full_name: m.full_name.clone(),
            category: cat.as_ref().map(|c| c.category.clone()).unwrap_or_default(),
            base_vnd: cat.and_then(|c| c.base_vnd),
            due_vnd: due,
            paid_vnd: paid,
            arrears_vnd: arrears,
            off_list,
        }
    }

    /// The statement in the Party's format, signed by whoever prints it and
    /// the cell's secretary.
    pub async fn dues_statement_document(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        year: Option<i32>,
        month: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let on = today(now);
        let (year, month) = period_of(year, month, on)?;
        let (s, header, secretary) = self
            .db
            .read(async |r| {
                let cell = super::orgs::unit_for(r, actor, unit).await?;
                if cell.kind != "chi_bo" || !actor.can_read_members(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let s = self.statement_in(r, &cell, year, month, on).await?;
                let header = self.letterhead(r, &cell, None, on).await?;
                let secretary = self.secretary_of(r, &cell).await?;
                Ok::<_, ServiceError>((s, header, secretary))
            })
            .await?;
        let doc = statement_document(&s, header, actor.display_name.clone(), secretary);
        Ok(Printable {
            properties: Properties {
                title: format!("{} {}", STATEMENT_TITLE, statement_subject(&s)),
                author: s.cell_name.clone(),
                created: Some(now),
            },
            name: statement_file_name(&s),
            docs: vec![doc],
            layout: self.layout(on),
        })
    }

    /// The upper committee's table of collection by cell in the Party's
    /// format, signed by the committee's secretary.
    pub async fn dues_cells_document(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        year: Option<i32>,
        month: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let on = today(now);
        let t = self.dues_by_cell(actor, unit, year, month, now).await?;
        let (header, secretary) = self
            .db
            .read(async |r| {
                let u = super::org_for(r, actor, t.unit_id).await?;
                let header = self.letterhead(r, &u, None, on).await?;
                let secretary = self.secretary_of(r, &u).await?;
                Ok::<_, ServiceError>((header, secretary))
            })
            .await?;
        Ok(Printable {
            properties: Properties {
                title: format!("{} {}", CELLS_TITLE, cells_subject(&t)),
                author: t.unit_name.clone(),
                created: Some(now),
            },
            name: cells_file_name(&t),
            docs: vec![cells_document(&t, header, secretary)],
            layout: self.layout(on),
        })
    }
}

const STATEMENT_TITLE: &str = "BẢNG TỔNG HỢP THU, NỘP ĐẢNG PHÍ";
const CELLS_TITLE: &str = "BẢNG TỔNG HỢP THU, NỘP ĐẢNG PHÍ CỦA CÁC CHI BỘ";

/// The statement's columns: label, kind, kept on one line when printed.
const STATEMENT_COLUMNS: [(&str, Kind, bool); 7] = [
    ("STT", Kind::Count, true),
    ("Họ và tên", Kind::Text, false),
    ("Đối tượng", Kind::Text, false),
    ("Căn cứ tính (đồng)", Kind::Count, true),
    ("Phải đóng (đồng)", Kind::Count, true),
    ("Đã đóng (đồng)", Kind::Count, true),
    ("Còn nợ (đồng)", Kind::Count, true),
];

const CELLS_COLUMNS: [(&str, Kind, bool); 7] = [
    ("STT", Kind::Count, true),
    ("Chi bộ", Kind::Text, false),
    ("Đã thu (đồng)", Kind::Count, true),
    ("Trích giữ lại (đồng)", Kind::Count, true),
    ("Nộp cấp trên (đồng)", Kind::Count, true),
    ("Còn nợ (đồng)", Kind::Count, true),
    ("Khóa sổ", Kind::Text, true),
];

fn statement_subject(s: &DuesStatement) -> String {
    let month = s.month.as_deref().and_then(parse_month);
    format!("{}, {}", s.cell_name, period_label(s.year, month))
}

fn cells_subject(t: &DuesByCell) -> String {
    let month = t.month.as_deref().and_then(parse_month);
    format!("{}, {}", t.unit_name, period_label(t.year, month))
}

/// "Bảng tổng hợp đảng phí Chi bộ Khu phố 3 tháng 03 năm 2027".
pub fn statement_file_name(s: &DuesStatement) -> FileName {
    let month = s.month.as_deref().and_then(parse_month);
    FileName::of(&[
        "Bảng tổng hợp đảng phí",
        &s.cell_name,
        &period_label(s.year, month),
    ])
}

pub fn cells_file_name(t: &DuesByCell) -> FileName {
    let month = t.month.as_deref().and_then(parse_month);
    FileName::of(&[
        "Thu nộp đảng phí các chi bộ",
        &t.unit_name,
        &period_label(t.year, month),
    ])
}

/// One row per member, in the statement's columns.
pub fn statement_rows(s: &DuesStatement) -> Vec<Vec<Value>> {
    s.lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut name = l.full_name.clone();
            if l.off_list {
                name.push_str(" (ngoài danh sách sinh hoạt của chi bộ)");
            }
            vec![
                Value::Number(i as i64 + 1),
                Value::Text(name),
                Value::Text(category_label(&l.category).into()),
                l.base_vnd.map_or(Value::Empty, Value::Number),
                Value::Number(l.due_vnd),
                Value::Number(l.paid_vnd),
                Value::Number(l.arrears_vnd),
            ]
        })
        .collect()
}

/// The lines under the statement's table, as printed and exported.
pub fn statement_totals(s: &DuesStatement) -> Vec<String> {
    let n = crate::model::group_thousands;
    vec![
        format!("Tổng số đã thu: {} đồng.", n(s.collected_vnd)),
        format!(
            "Trích giữ lại tại chi bộ: {} đồng ({}).",
            n(s.retained_vnd),
            s.retention
        ),
        format!("Nộp lên cấp trên: {} đồng.", n(s.remitted_vnd)),
        format!(
            "Số đảng viên còn nợ đảng phí: {}; số tiền còn nợ đến ngày {}: {} đồng.",
            s.members_in_arrears,
            format_date(s.as_of),
            n(s.arrears_vnd)
        ),
    ]
}

fn table_of(columns: &[(&str, Kind, bool)], rows: &[Vec<Value>], total: Vec<String>) -> Table {
    let mut printed: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(printed_value).collect())
        .collect();
    printed.push(total);
    Table {
        columns: columns
            .iter()
            .map(|(title, kind, one_line)| {
                let align = match kind {
                    Kind::Count if *title != "STT" => Align::Right,
                    Kind::Text if !*one_line => Align::Left,
                    _ => Align::Center,
                };
                if *one_line {
                    Column::one_line(*title, align)
                } else {
                    Column::new(*title, align)
                }
            })
            .collect(),
        rows: printed,
    }
}

fn statement_document(
    s: &DuesStatement,
    header: Header,
    preparer: String,
    secretary: String,
) -> Document {
    let n = crate::model::group_thousands;
    let total = vec![
        String::new(),
        "Cộng".into(),
        String::new(),
        String::new(),
        n(s.due_vnd),
        n(s.lines.iter().map(|l| l.paid_vnd).sum()),
        n(s.lines.iter().map(|l| l.arrears_vnd).sum()),
    ];
    let mut body = vec![Block::Table(table_of(
        &STATEMENT_COLUMNS,
        &statement_rows(s),
        total,
    ))];
    body.extend(statement_totals(s).into_iter().map(Block::paragraph));
    Document {
        orientation: Orientation::Landscape,
        header,
        title: STATEMENT_TITLE.into(),
        subject: Some(statement_subject(s)),
        body,
        signatures: vec![
            Signature {
                on_behalf: None,
                role: "NGƯỜI LẬP BẢNG".into(),
                name: preparer,
            },
            Signature {
                on_behalf: Some("T/M CHI BỘ".into()),
                role: "BÍ THƯ".into(),
                name: secretary,
            },
        ],
        recipients: vec![],
        check_code: None,
    }
}

/// The statement as a spreadsheet: the figures as numbers, a summed total row.
pub fn statement_xlsx(s: &DuesStatement) -> Result<Vec<u8>, SheetError> {
    let mut title = vec![
        s.cell_name.to_uppercase(),
        format!("{STATEMENT_TITLE} {}", statement_subject(s).to_uppercase()),
        format!("Số liệu đến ngày {}", format_date(s.as_of)),
    ];
    title.extend(statement_totals(s));
    chibo_docs::sheet::write_table(&Export {
        sheet: "Đảng phí",
        title,
        columns: STATEMENT_COLUMNS
            .iter()
            .map(|(label, kind, _)| ExportColumn { label, kind: *kind })
            .collect(),
        rows: statement_rows(s),
        totals: Some(vec![
            Total::Value(Value::Empty),
            Total::Value(Value::Text("Cộng".into())),
            Total::Value(Value::Empty),
            Total::Value(Value::Empty),
            Total::Sum,
            Total::Sum,
            Total::Sum,
        ]),
    })
}

/// One row per cell, in the table's columns.
pub fn cells_rows(t: &DuesByCell) -> Vec<Vec<Value>> {
    t.cells
        .iter()
        .enumerate()
        .map(|(i, l)| {
            vec![
                Value::Number(i as i64 + 1),
                Value::Text(l.cell_name.clone()),
                Value::Number(l.collected_vnd),
                Value::Number(l.retained_vnd),
                Value::Number(l.remitted_vnd),
                Value::Number(l.arrears_vnd),
                Value::Text(
                    if l.closed {
                        "Đã khóa sổ"
                    } else {
                        "Chưa khóa sổ"
                    }
                    .into(),
                ),
            ]
        })
        .collect()
}

fn cells_document(t: &DuesByCell, header: Header, secretary: String) -> Document {
    let n = crate::model::group_thousands;
    let total = vec![
        String::new(),
        "Cộng".into(),
        n(t.collected_vnd),
        n(t.retained_vnd),
        n(t.remitted_vnd),
        n(t.arrears_vnd),
        String::new(),
    ];
    Document {
        orientation: Orientation::Landscape,
        header,
        title: CELLS_TITLE.into(),
        subject: Some(cells_subject(t)),
        body: vec![Block::Table(table_of(
            &CELLS_COLUMNS,
            &cells_rows(t),
            total,
        ))],
        signatures: vec![Signature {
            on_behalf: Some("T/M CẤP ỦY".into()),
            role: "BÍ THƯ".into(),
            name: secretary,
        }],
        recipients: vec![],
        check_code: None,
    }
}

/// The table as a spreadsheet.
pub fn cells_xlsx(t: &DuesByCell, on: NaiveDate) -> Result<Vec<u8>, SheetError> {
    chibo_docs::sheet::write_table(&Export {
        sheet: "Đảng phí các chi bộ",
        title: vec![
            t.unit_name.to_uppercase(),
            format!("{CELLS_TITLE} {}", cells_subject(t).to_uppercase()),
            format!("Số liệu đến ngày {}", format_date(on)),
        ],
        columns: CELLS_COLUMNS
            .iter()
            .map(|(label, kind, _)| ExportColumn { label, kind: *kind })
            .collect(),
        rows: cells_rows(t),
        totals: Some(vec![
            Total::Value(Value::Empty),
            Total::Value(Value::Text("Cộng".into())),
            Total::Sum,
            Total::Sum,
            Total::Sum,
            Total::Sum,
            Total::Value(Value::Empty),
        ]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_a_month_or_a_year() {
        let on = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        assert_eq!(period_of(None, None, on).unwrap(), (2027, None));
        assert_eq!(period_of(Some(2026), None, on).unwrap(), (2026, None));
        assert_eq!(
            period_of(Some(2026), Some("03/2027"), on).unwrap(),
            (2027, Some((2027, 3)))
        );
        assert!(period_of(None, Some("2027-13"), on).is_err());
        assert!(period_of(Some(20_000), None, on).is_err());
        assert_eq!(period_label(2027, Some((2027, 3))), "tháng 03 năm 2027");
    }
}
