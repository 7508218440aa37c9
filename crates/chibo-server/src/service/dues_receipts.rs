//! Receipts of party dues (biên lai thu đảng phí): what a member paid the
//! cell for a month or a span of months, from the ledger's entries — the
//! months covered, the amount in figures and in words, who collected it, and
//! any correction of those payments. A receipt is numbered the first time it
//! is printed (the next BL number of the cell's year, with an audit entry);
//! printing the same entries again gives the same number and date. Once a
//! correction changes what the months hold, the receipt printed then is a
//! new one that names the one it replaces.

use super::documents::{FileName, Printable};
use super::dues::{invalid, month_code, month_label, parse_month};
use super::{Actor, Result, Services, Subject, audit_entry, org_for, today};
use crate::model::{amount_in_words, format_date, group_thousands};
use crate::store::dues::{self as db, EntryRow};
use crate::store::members::MemberRow;
use crate::store::orgs::OrgRow;
use crate::store::register::{self, Registered};
use crate::store::{self, Reader};
use chibo_print::{Align, Block, Column, Document, Properties, Signature, Table};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::json;

/// The document type of receipts in the cell's register.
const DOC_TYPE: &str = "BL";

/// The longest span one receipt covers: a year's advance with its arrears.
const MAX_MONTHS: i32 = 36;

/// What a receipt covers, read and checked.
struct Covered {
    member: MemberRow,
    cell: OrgRow,
    from: String,
    to: String,
    entries: Vec<EntryRow>,
    /// The receipts printed before for the same months, with other entries.
    earlier: Vec<Registered>,
}

impl Covered {
    fn subject(&self) -> String {
        format!("dues:{}:{}:{}", self.member.id, self.from, self.to)
    }

    /// The entries the receipt shows: the same list prints the same number.
    fn fingerprint(&self) -> String {
        let ids: Vec<String> = self.entries.iter().map(|e| e.id.to_string()).collect();
        ids.join(",")
    }

    fn total(&self) -> i64 {
        self.entries.iter().map(|e| e.amount_vnd).sum()
    }
}

/// "Nguyễn Văn A" from an audit name "Nguyễn Văn A (login)".
fn person(audit_name: &str) -> &str {
    audit_name
        .rsplit_once(" (")
        .map_or(audit_name, |(name, _)| name)
}

fn span_months((fy, fm): (i32, u32), (ty, tm): (i32, u32)) -> i32 {
    (ty - fy) * 12 + tm as i32 - fm as i32 + 1
}

impl Services {
    /// A member's receipt for the months `from..=to` (`to` defaults to
    /// `from`), for the member or someone who reads their cell.
    pub async fn dues_receipt(
        &self,
        actor: &Actor,
        member_id: i64,
        from: &str,
        to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let on = today(now);
        let first = parse_month(from).ok_or_else(|| invalid("from", "dues.month", from.trim()))?;
        let last = match to.filter(|t| !t.trim().is_empty()) {
            Some(t) => parse_month(t).ok_or_else(|| invalid("to", "dues.month", t.trim()))?,
            None => first,
        };
        let span = span_months(first, last);
        if !(1..=MAX_MONTHS).contains(&span) {
            return Err(invalid(
                "to",
                "dues.receipt_span",
                format!(
                    "{} – {} (tối đa {MAX_MONTHS} tháng, từ tháng trước đến tháng sau)",
                    month_label(first),
                    month_label(last)
                ),
            ));
        }
        let (from, to) = (month_code(first), month_code(last));
        let covered = self
            .db
            .read(async |r| self.covered(r, actor, member_id, &from, &to).await)
            .await?;
        let subject = covered.subject();
        let fingerprint = covered.fingerprint();
        let key = register::Key {
            org_id: covered.cell.id,
            doc_type: DOC_TYPE,
            subject: &subject,
            fingerprint: &fingerprint,
        };
        let found = self
            .db
            .read(async |r| register::find(r, &key).await)
            .await?;
        let issued = match found {
            Some(done) => done,
            None => self.number_receipt(actor, &covered, &key, on, now).await?,
        };
        let issued_on = today(issued.issued_at);
        let header = self
            .db
            .read(async |r| {
                self.letterhead(
                    r,
                    &covered.cell,
                    Some(issued.number_text.clone()),
                    issued_on,
                )
                .await
            })
            .await?;
        let doc = receipt_document(&covered, header, &issued);
        Ok(Printable {
            properties: Properties {
                title: format!(
                    "Biên lai thu đảng phí {} — {}",
                    issued.number_text, covered.member.full_name
                ),
                author: covered.cell.name.clone(),
                created: Some(now),
            },
            name: FileName::of(&[
                "Biên lai đảng phí",
                &issued.number_text,
                &covered.member.full_name,
                &format_date(issued_on),
            ]),
            docs: vec![doc],
            layout: self.layout(issued_on),
        })
    }

    async fn covered(
        &self,
        r: &mut Reader,
        actor: &Actor,
        member_id: i64,
        from: &str,
        to: &str,
    ) -> Result<Covered> {
        let member = store::members::get(r, member_id)
            .await?
            .ok_or_else(|| invalid("member_id", "member.unknown", member_id.to_string()))?;
        let cell = org_for(r, actor, member.cell_id).await?;
        if actor.member_id != Some(member.id) && !actor.can_read_members(&cell) {
            // Receipts are the collecting cell's: name neither the member
            // nor their cell to someone outside it.
            return Err(invalid(
                "member_id",
                "dues.receipt_other_cell",
                member_id.to_string(),
            ));
        }
        let entries: Vec<EntryRow> = db::entries_of(r, member.id)
            .await?
            .into_iter()
            .filter(|e| e.cell_id == cell.id && from <= e.month.as_str() && e.month.as_str() <= to)
            .collect();
        if entries.iter().map(|e| e.amount_vnd).sum::<i64>() <= 0 {
            let (f, t) = (
                parse_month(from).map(month_label).unwrap_or_default(),
                parse_month(to).map(month_label).unwrap_or_default(),
            );
            let months = if f == t {
                format!("tháng {f}")
            } else {
                format!("từ tháng {f} đến tháng {t}")
            };
            return Err(invalid(
                "from",
                "dues.receipt_nothing_paid",
                format!(
                    "{months}, đồng chí {} chưa nộp đảng phí cho {}",
                    member.full_name, cell.name
                ),
            ));
        }
        let mut covered = Covered {
            member,
            cell,
            from: from.to_owned(),
            to: to.to_owned(),
            entries,
            earlier: Vec::new(),
        };
        covered.earlier =
            register::numbers_of(r, covered.cell.id, DOC_TYPE, &covered.subject()).await?;
        Ok(covered)
    }

    /// Gives the receipt its number in the cell's register of the year, with
    /// its audit entry; a receipt numbered meanwhile by another request keeps
    /// that number (the sequence's row lock orders the two).
    async fn number_receipt(
        &self,
        actor: &Actor,
        c: &Covered,
        key: &register::Key<'_>,
        on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Registered> {
        let symbol: String = self
            .rules
            .param("doc_org_symbol_cell", on)
            .unwrap_or_else(|_| "CB".into());
        let year_start = NaiveDate::from_ymd_opt(on.year(), 1, 1).unwrap_or(on);
        let mut tx = self.db.begin().await?;
        let n = store::meetings::next_number(&mut tx, c.cell.id, DOC_TYPE, year_start).await?;
        if let Some(done) = register::find_in(&mut tx, key).await? {
            return Ok(done);
        }
        let text =
            chibo_rules::format_doc_number(u32::try_from(n).unwrap_or(u32::MAX), DOC_TYPE, &symbol);
        let issued = register::insert(&mut tx, key, n, &text, now).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::member(c.cell.id, c.member.id),
            "dues.receipt",
            json!({"number": text, "from": c.from, "to": c.to, "amount_vnd": c.total(),
                   "entries": c.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
                   "replaces": c.earlier.iter().filter(|e| e.id != issued.id).map(|e| &e.number_text).collect::<Vec<_>>()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(issued)
    }
}

/// The receipt as printed: who paid, the months, each entry (corrections
/// with the entry they correct), the total in figures and in words, who
/// collected it.
fn receipt_document(c: &Covered, header: chibo_print::Header, issued: &Registered) -> Document {
    let total = c.total();
    let mut months: Vec<String> = c
        .entries
        .iter()
        .filter_map(|e| parse_month(&e.month).map(month_label))
        .collect();
    months.dedup();
    let corrected_by = |id: i64| c.entries.iter().filter(move |e| e.corrects_id == Some(id));
    let rows: Vec<Vec<String>> = c
        .entries
        .iter()
        .map(|e| {
            let mut note = Vec::new();
            if let Some(orig) = e.corrects_id {
                let when = c
                    .entries
                    .iter()
                    .find(|o| o.id == orig)
                    .map(|o| format!(" ngày {}", format_date(o.paid_on)))
                    .unwrap_or_default();
                note.push(format!(
                    "Điều chỉnh khoản nộp số {orig}{when}: {}",
                    e.reason.clone().unwrap_or_default()
                ));
            } else if let Some(why) = &e.reason {
                note.push(format!("Lý do: {why}"));
            }
            for k in corrected_by(e.id) {
                note.push(format!(
                    "Đã điều chỉnh ngày {} (khoản số {})",
                    format_date(k.paid_on),
                    k.id
                ));
            }
            if e.channel == "portal" {
                note.push("Nộp qua Cổng Dịch vụ công".into());
            }
            if let Some(no) = &e.receipt_no {
                note.push(format!("Phiếu thu: {no}"));
            }
            vec![
                e.id.to_string(),
                parse_month(&e.month).map(month_label).unwrap_or_default(),
                format_date(e.paid_on),
                group_thousands(e.amount_vnd),
                note.join("; "),
            ]
        })
        .collect();
    let mut collectors: Vec<&str> = c.entries.iter().map(|e| person(&e.actor)).collect();
    collectors.sort_unstable();
    collectors.dedup();
    let mut body = vec![
        Block::paragraph(format!("Họ và tên người nộp: {}", c.member.full_name)),
        Block::paragraph(format!("Chi bộ: {}", c.cell.name)),
        Block::paragraph(format!("Nộp đảng phí tháng: {}", months.join(", "))),
        Block::Table(Table {
            columns: vec![
                Column::one_line("Số khoản", Align::Center),
                Column::one_line("Tháng", Align::Center),
                Column::one_line("Ngày nộp", Align::Center),
                Column::one_line("Số tiền (đồng)", Align::Right),
                Column::new("Ghi chú", Align::Left),
            ],
            rows,
        }),
        Block::paragraph(format!("Số tiền: {} đồng", group_thousands(total))),
        Block::paragraph(format!("Bằng chữ: {}.", amount_in_words(total))),
        Block::paragraph(format!("Người thu: {}", collectors.join(", "))),
    ];
    if c.entries.iter().any(|e| e.corrects_id.is_some()) {
        body.push(Block::paragraph(
            "Khoản nộp đã được điều chỉnh: số tiền trên là số sau điều chỉnh (sổ đảng phí chỉ ghi thêm, khoản điều chỉnh ghi rõ khoản được điều chỉnh).",
        ));
    }
    let replaced: Vec<&str> = c
        .earlier
        .iter()
        .filter(|e| e.id != issued.id && e.issued_at <= issued.issued_at)
        .map(|e| e.number_text.as_str())
        .collect();
    if !replaced.is_empty() {
        body.push(Block::paragraph(format!(
            "Biên lai này thay biên lai {} (lập trước khi điều chỉnh).",
            replaced.join(", ")
        )));
    }
    Document {
        orientation: chibo_print::Orientation::Portrait,
        header,
        title: "BIÊN LAI THU ĐẢNG PHÍ".into(),
        subject: None,
        body,
        signatures: vec![
            Signature {
                on_behalf: None,
                role: "NGƯỜI NỘP".into(),
                name: c.member.full_name.clone(),
            },
            Signature {
                on_behalf: None,
                role: "NGƯỜI THU".into(),
                name: collectors.join(", "),
            },
        ],
        recipients: vec![],
        check_code: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_months_across_years() {
        assert_eq!(span_months((2027, 1), (2027, 1)), 1);
        assert_eq!(span_months((2026, 11), (2027, 2)), 4);
        assert_eq!(span_months((2027, 3), (2027, 1)), -1);
        assert_eq!(person("Nguyễn Thị Thu (thuquy)"), "Nguyễn Thị Thu");
        assert_eq!(person("console"), "console");
    }
}
