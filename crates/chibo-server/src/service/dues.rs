//! The dues ledger (đảng phí, QĐ 01-QĐ/TW 2026): each member's dated
//! category, the amount due each month from the pack (chibo-rules `dues`),
//! the treasurer's monthly roll, payments and corrections (append-only, in
//! đồng), arrears derived from the entries (never stored), the month "paid
//! through" a transfer letter states, and the cell's summary with the share
//! retained and remitted (pack parameters).

use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, org_for, today};
use crate::model::{Problem, Status, format_date, nfc};
use crate::store::dues::{self as db, CategoryRow, CloseRow, EntryRow, NewCategory, NewEntry};
use crate::store::members::MemberRow;
use crate::store::orgs::OrgRow;
use crate::store::{self, Reader};
use chibo_rules::{DuesCategory, DuesInput, Zone};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// A month as (year, month).
pub type Month = (i32, u32);

/// "YYYY-MM".
pub fn month_code(m: Month) -> String {
    format!("{:04}-{:02}", m.0, m.1)
}

/// "03/2026".
pub fn month_label(m: Month) -> String {
    format!("{:02}/{}", m.1, m.0)
}

/// Reads "YYYY-MM" or "MM/YYYY".
pub fn parse_month(raw: &str) -> Option<Month> {
    let t = raw.trim();
    let (y, m) = match t.split_once('-') {
        Some((y, m)) => (y.parse().ok()?, m.parse().ok()?),
        None => {
            let (m, y) = t.split_once('/')?;
            (y.parse().ok()?, m.parse().ok()?)
        }
    };
    ((1900..=9999).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

pub(super) fn next(m: Month) -> Month {
    if m.1 == 12 {
        (m.0 + 1, 1)
    } else {
        (m.0, m.1 + 1)
    }
}

pub(super) fn first_day(m: Month) -> NaiveDate {
    NaiveDate::from_ymd_opt(m.0, m.1, 1).unwrap_or(NaiveDate::MIN)
}

pub(super) fn month_of(d: NaiveDate) -> Month {
    (d.year(), d.month())
}

pub(super) fn invalid(
    field: &'static str,
    code: &'static str,
    value: impl Into<String>,
) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

/// The rules' category from a stored one; `None` for an exemption.
fn rules_category(c: &CategoryRow) -> Option<DuesCategory> {
    let zone = match c.zone {
        Some(2) => Zone::II,
        Some(3) => Zone::III,
        Some(4) => Zone::IV,
        _ => Zone::I,
    };
    let base = c.base_vnd.unwrap_or(0).max(0) as u64;
    Some(match c.category.as_str() {
        "bhxh" => DuesCategory::Bhxh { salary_vnd: base },
        "pension" => DuesCategory::Pension { pension_vnd: base },
        "student" => DuesCategory::Student,
        "other_under_retirement" => DuesCategory::OtherUnderRetirement { zone },
        "other_retirement_age" => DuesCategory::OtherRetirementAge { zone },
        _ => return None,
    })
}

/// One month of a member's ledger.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonthLine {
    /// YYYY-MM
    pub month: String,
    /// Due for the month (the pack's amount for the category in force).
    pub due_vnd: i64,
    /// The sum of the month's entries.
    pub paid_vnd: i64,
    /// paid | unpaid | partial | exempt | advance (paid before its month)
    pub state: String,
    /// How the amount due was computed, with the rules cited.
    pub explanation: String,
}

/// A member's ledger as derived from their categories and entries.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberDues {
    pub member_id: i64,
    pub full_name: String,
    pub months: Vec<MonthLine>,
    /// YYYY-MM: the last month with every month before it paid.
    pub paid_through: Option<String>,
    /// Months before the current one not (fully) paid.
    pub arrears_months: Vec<String>,
    pub arrears_vnd: i64,
    /// Unpaid months in the current calendar year.
    pub unpaid_this_year: u32,
    /// The cell must consider the member (unpaid months in the year reached the pack's limit).
    pub review: bool,
    pub review_rule: String,
    pub entries: Vec<EntryRow>,
    pub categories: Vec<CategoryRow>,
}

/// A member's amount due month after month under the category in force.
/// The pack is asked again only when the category, the party age or the
/// packs in force change: a province's table derives millions of
/// member-months from a few answers per member.
pub(super) struct DueByMonth<'a> {
    rules: &'a chibo_rules::Rules,
    cats: &'a [CategoryRow],
    admission: Option<NaiveDate>,
    last: Option<(DueKey<'a>, i64, String)>,
}

/// Everything the amount due depends on.
#[derive(PartialEq)]
struct DueKey<'a> {
    category: usize,
    party_age: u32,
    packs: &'a [String],
}

impl<'a> DueByMonth<'a> {
    pub(super) fn new(
        rules: &'a chibo_rules::Rules,
        cats: &'a [CategoryRow],
        admission: Option<NaiveDate>,
    ) -> Self {
        Self {
            rules,
            cats,
            admission,
            last: None,
        }
    }

    /// The amount due for the month and how it was computed, with the rules
    /// cited; `None` before the member's first category.
    pub(super) fn at(&mut self, m: Month) -> Option<(i64, &str)> {
        let code = month_code(m);
        let category = self.cats.iter().rposition(|c| c.from_month <= code)?;
        let day = first_day(m);
        let key = DueKey {
            category,
            party_age: self
                .admission
                .map_or(0, |a| chibo_rules::party_age(a, &[], day).years),
            packs: self.rules.pack_at(day).map_or(&[][..], |v| v.pack_ids()),
        };
        if self.last.as_ref().is_none_or(|(k, ..)| *k != key) {
            let (due, why) = due_for(self.rules, &self.cats[category], key.party_age, day);
            self.last = Some((key, due, why));
        }
        self.last.as_ref().map(|(_, due, why)| (*due, why.as_str()))
    }
}

/// The amount due under one category for a month starting on `day`.
fn due_for(
    rules: &chibo_rules::Rules,
    cat: &CategoryRow,
    party_age_years: u32,
    day: NaiveDate,
) -> (i64, String) {
    let Some(category) = rules_category(cat) else {
        return (
            0,
            format!("Miễn đóng: {}", cat.reason.clone().unwrap_or_default()),
        );
    };
    let input = DuesInput {
        category,
        party_age_years,
        exempt: false,
        reduction_pct: cat.reduction_pct.map(|p| p as u32),
    };
    match rules.dues(&input, day) {
        Ok(d) => (d.amount_vnd as i64, d.explanation),
        Err(e) => (0, e.to_string()),
    }
}

/// The ledger of one member up to `on` (and any month paid in advance).
pub fn ledger(
    rules: &chibo_rules::Rules,
    m: &MemberRow,
    cats: Vec<CategoryRow>,
    entries: Vec<EntryRow>,
    on: NaiveDate,
) -> MemberDues {
    let mut paid: BTreeMap<String, i64> = BTreeMap::new();
    for e in &entries {
        *paid.entry(e.month.clone()).or_default() += e.amount_vnd;
    }
    let mut out = ledger_of_sums(rules, m, cats, &paid, on);
    out.entries = entries;
    out
}

/// The sums paid for each month from [`db::PaidMonths`]' "YYYY-MM:amount" list.
fn paid_sums(months: &str) -> BTreeMap<String, i64> {
    months
        .split(',')
        .filter_map(|pair| {
            let (month, amount) = pair.split_once(':')?;
            Some((month.to_string(), amount.parse().ok()?))
        })
        .collect()
}

/// [`ledger`] from the sums paid for each month (its entries left out).
fn ledger_of_sums(
    rules: &chibo_rules::Rules,
    m: &MemberRow,
    cats: Vec<CategoryRow>,
    paid: &BTreeMap<String, i64>,
    on: NaiveDate,
) -> MemberDues {
    let current = month_of(on);
    let limit: u32 = rules
        .param("xoa_ten_unpaid_months_per_year", on)
        .unwrap_or(3);
    let review_rule = rules
        .pack_at(on)
        .and_then(|v| v.cite("xoa_ten_unpaid_months_per_year"))
        .unwrap_or_default();
    let mut out = MemberDues {
        member_id: m.id,
        full_name: m.full_name.clone(),
        months: Vec::new(),
        paid_through: None,
        arrears_months: Vec::new(),
        arrears_vnd: 0,
        unpaid_this_year: 0,
        review: false,
        review_rule,
        entries: Vec::new(),
        categories: Vec::new(),
    };
    let Some(start) = cats.first().and_then(|c| parse_month(&c.from_month)) else {
        return out;
    };
    let last_entry = paid
        .keys()
        .last()
        .and_then(|k| parse_month(k))
        .unwrap_or(start);
    let end = current.max(last_entry);
    let mut month = start;
    let mut gap = false;
    let mut due_by_month = DueByMonth::new(rules, &cats, m.admission_date);
    while month <= end {
        let code = month_code(month);
        let (due, explanation) = due_by_month
            .at(month)
            .map_or((0, String::new()), |(d, why)| (d, why.to_string()));
        let got = paid.get(&code).copied().unwrap_or(0);
        let state = if due == 0 && got == 0 {
            "exempt"
        } else if got >= due && month > current {
            "advance"
        } else if got >= due {
            "paid"
        } else if got > 0 {
            "partial"
        } else {
            "unpaid"
        };
        let settled = got >= due;
        if settled && !gap {
            out.paid_through = Some(code.clone());
        } else if !settled {
            gap = true;
        }
        if !settled && month < current {
            out.arrears_months.push(code.clone());
            out.arrears_vnd += due - got;
            if month.0 == current.0 {
                out.unpaid_this_year += 1;
            }
        }
        out.months.push(MonthLine {
            month: code,
            due_vnd: due,
            paid_vnd: got,
            state: state.into(),
            explanation,
        });
        month = next(month);
    }
    out.review = out.unpaid_this_year >= limit;
    out.categories = cats;
    out
}

/// A payment to record (one tap on the roll: the amount prefilled).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PaymentForm {
    pub member_id: i64,
    /// YYYY-MM (or MM/YYYY): the month the dues are for.
    pub month: String,
    /// In đồng; empty: the amount due. Another amount needs a reason.
    pub amount_vnd: Option<i64>,
    /// cash | portal (cash when empty)
    pub channel: String,
    pub reason: String,
    pub receipt_no: String,
    /// The entry this one corrects (its amount is then the signed difference).
    pub corrects_id: Option<i64>,
}

/// A category from a month on.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CategoryForm {
    pub member_id: i64,
    /// YYYY-MM
    pub from_month: String,
    /// bhxh | pension | student | other_under_retirement | other_retirement_age | exempt
    pub category: String,
    pub base_vnd: Option<i64>,
    pub zone: Option<i64>,
    pub reduction_pct: Option<i64>,
    pub reason: String,
}

/// One row of the monthly roll.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RollLine {
    pub member_id: i64,
    pub full_name: String,
    pub due_vnd: i64,
    pub paid_vnd: i64,
    /// paid | unpaid | partial | exempt | advance | no_category
    pub state: String,
    /// The month's payment, if any (a correction refers to it).
    pub entry_id: Option<i64>,
    pub arrears_months: usize,
    pub review: bool,
}

/// The cell's month: the roll and its totals.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuesRoll {
    pub cell_id: i64,
    pub cell_name: String,
    /// YYYY-MM
    pub month: String,
    pub lines: Vec<RollLine>,
    pub due_vnd: i64,
    pub collected_vnd: i64,
    pub closed: bool,
}

/// The cell's summary over months: collected (the sum of entries), the
/// share retained and the amount remitted upward.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuesSummary {
    pub cell_id: i64,
    pub cell_name: String,
    pub year: i32,
    pub months: Vec<SummaryMonth>,
    pub collected_vnd: i64,
    pub retained_vnd: i64,
    pub remitted_vnd: i64,
    /// The retained share and its source (an upper committee's local pack).
    pub retention: String,
    pub arrears_vnd: i64,
    pub members_in_arrears: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SummaryMonth {
    pub month: String,
    pub entries: usize,
    pub collected_vnd: i64,
    pub retained_vnd: i64,
    pub remitted_vnd: i64,
    pub closed: bool,
}

/// A summary's figures over one of its months, or the whole year: the one
/// computation the cell's statement and the upper committee's table share.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodTotals {
    pub collected_vnd: i64,
    pub retained_vnd: i64,
    pub remitted_vnd: i64,
    /// Every month of the period closed by the cell.
    pub closed: bool,
}

impl PeriodTotals {
    pub fn of(s: &DuesSummary, month: Option<Month>) -> Self {
        let code = month.map(month_code);
        let of: Vec<&SummaryMonth> = s
            .months
            .iter()
            .filter(|m| code.as_ref().is_none_or(|c| *c == m.month))
            .collect();
        PeriodTotals {
            collected_vnd: of.iter().map(|m| m.collected_vnd).sum(),
            retained_vnd: of.iter().map(|m| m.retained_vnd).sum(),
            remitted_vnd: of.iter().map(|m| m.remitted_vnd).sum(),
            closed: of.iter().all(|m| m.closed),
        }
    }
}

/// One cell's line in the upper committee's table: the figures of the
/// cell's own summary ([`Services::dues_summary`]) for the month or the year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellDues {
    pub cell_id: i64,
    pub cell_name: String,
    pub collected_vnd: i64,
    pub retained_vnd: i64,
    pub remitted_vnd: i64,
    /// Every month of the span closed by the cell.
    pub closed: bool,
    /// Arrears today (the ledger of each member on the roll).
    pub arrears_vnd: i64,
    pub members_in_arrears: usize,
}

/// Every cell's collection and remittance under an upper committee.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuesByCell {
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i32,
    /// YYYY-MM when the table is for one month; the whole year otherwise.
    pub month: Option<String>,
    pub cells: Vec<CellDues>,
    /// The sums of the cells' lines.
    pub collected_vnd: i64,
    pub retained_vnd: i64,
    pub remitted_vnd: i64,
    pub arrears_vnd: i64,
}

/// A cell's dues over a period, for the report upward: the months of the
/// cell's own summary that fall in it, and the arrears on the day.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DuesFigures {
    pub collected_vnd: i64,
    pub retained_vnd: i64,
    pub remitted_vnd: i64,
    pub arrears_vnd: i64,
    pub members_in_arrears: i64,
}

impl Services {
    /// [`DuesFigures`] of a cell from `start` to `end`, arrears on `as_of`.
    pub(crate) async fn dues_figures(
        &self,
        r: &mut Reader,
        cell: &OrgRow,
        (start, end): (NaiveDate, NaiveDate),
        as_of: NaiveDate,
    ) -> Result<DuesFigures> {
        let (from, to) = (month_code(month_of(start)), month_code(month_of(end)));
        let mut out = DuesFigures::default();
        for year in start.year()..=end.year() {
            let s = self.dues_summary_in(r, cell, year, as_of).await?;
            for m in s.months.iter().filter(|m| from <= m.month && m.month <= to) {
                out.collected_vnd += m.collected_vnd;
                out.retained_vnd += m.retained_vnd;
                out.remitted_vnd += m.remitted_vnd;
            }
            out.arrears_vnd = s.arrears_vnd;
            out.members_in_arrears = s.members_in_arrears as i64;
        }
        Ok(out)
    }

    /// The last month a member's dues are paid through, from the ledger.
    pub(super) async fn dues_paid_through(
        &self,
        r: &mut Reader,
        member_id: i64,
    ) -> Result<Option<Month>> {
        let m = store::members::get(r, member_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let d = self.member_dues_in(r, &m, self.today()).await?;
        Ok(d.paid_through.as_deref().and_then(parse_month))
    }

    pub(super) fn today(&self) -> NaiveDate {
        today(self.now())
    }

    async fn member_dues_in(
        &self,
        r: &mut Reader,
        m: &MemberRow,
        on: NaiveDate,
    ) -> Result<MemberDues> {
        let cats = db::categories(r, m.id).await?;
        let entries = db::entries_of(r, m.id).await?;
        Ok(ledger(&self.rules, m, cats, entries, on))
    }

    /// A member's own dues line: paid through, months and amount in arrears
    /// (None before the cell keeps their dues in chibo).
    pub(super) async fn my_dues(
        &self,
        r: &mut Reader,
        member_id: i64,
        on: NaiveDate,
    ) -> Result<Option<(String, usize, i64)>> {
        let Some(m) = store::members::get(r, member_id).await? else {
            return Ok(None);
        };
        let d = self.member_dues_in(r, &m, on).await?;
        if d.categories.is_empty() {
            return Ok(None);
        }
        let through = d
            .paid_through
            .as_deref()
            .and_then(parse_month)
            .map(month_label)
            .unwrap_or_default();
        Ok(Some((through, d.arrears_months.len(), d.arrears_vnd)))
    }

    /// A member's dues: their own, or a member of a cell the actor reads.
    pub async fn member_dues(
        &self,
        actor: &Actor,
        member_id: i64,
        now: DateTime<Utc>,
    ) -> Result<MemberDues> {
        self.db
            .read(async |r| {
                let m = store::members::get(r, member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let cell = org_for(r, actor, m.cell_id).await?;
                if !(actor.can_read_members(&cell) || actor.member_id == Some(m.id)) {
                    return Err(ServiceError::Forbidden);
                }
                self.member_dues_in(r, &m, today(now)).await
            })
            .await
    }

    /// The monthly roll of a cell.
    pub async fn dues_roll(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        month: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<DuesRoll> {
        let on = today(now);
        let month = match month.filter(|m| !m.trim().is_empty()) {
            Some(raw) => {
                parse_month(raw).ok_or_else(|| invalid("month", "dues.month", raw.trim()))?
            }
            None => month_of(on),
        };
        self.db
            .read(async |r| {
                let cell = super::orgs::unit_for(r, actor, unit).await?;
                if cell.kind != "chi_bo" || !actor.can_read_members(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                self.roll_in(r, &cell, month, on).await
            })
            .await
    }

    async fn roll_in(
        &self,
        r: &mut Reader,
        cell: &OrgRow,
        month: Month,
        on: NaiveDate,
    ) -> Result<DuesRoll> {
        let code = month_code(month);
        let members = store::members::of_cell(r, cell.id).await?;
        let mut cats: BTreeMap<i64, Vec<CategoryRow>> = BTreeMap::new();
        for c in db::categories_of_cell(r, cell.id).await? {
            cats.entry(c.member_id).or_default().push(c);
        }
        let mut entries: BTreeMap<i64, Vec<EntryRow>> = BTreeMap::new();
        for e in db::entries_of_members(r, cell.id).await? {
            entries.entry(e.member_id).or_default().push(e);
        }
        let closed = db::last_closed(r, cell.id)
            .await?
            .is_some_and(|c| c >= code);
        let mut lines = Vec::new();
        for m in members.iter().filter(|m| m.status.on_list()) {
            let mc = cats.remove(&m.id).unwrap_or_default();
            let me = entries.remove(&m.id).unwrap_or_default();
            let entry_id = me
                .iter()
                .find(|e| e.month == code && e.corrects_id.is_none())
                .map(|e| e.id);
            let l = ledger(&self.rules, m, mc, me, on.max(first_day(month)));
            let line = l.months.iter().find(|x| x.month == code);
            lines.push(RollLine {
                member_id: m.id,
                full_name: m.full_name.clone(),
                due_vnd: line.map_or(0, |x| x.due_vnd),
                paid_vnd: line.map_or(0, |x| x.paid_vnd),
                state: line.map_or("no_category".into(), |x| x.state.clone()),
                entry_id,
                arrears_months: l.arrears_months.len(),
                review: l.review,
            });
        }
        Ok(DuesRoll {
            cell_id: cell.id,
            cell_name: cell.name.clone(),
            month: code,
            due_vnd: lines.iter().map(|l| l.due_vnd).sum(),
            collected_vnd: lines.iter().map(|l| l.paid_vnd).sum(),
            lines,
            closed,
        })
    }

    /// Records a payment or a correction: the amount due prefilled, any
    /// other amount with its reason; one payment per member-month (a second
    /// one, even at the same moment, is refused and nothing is written).
    pub async fn record_payment(
        &self,
        actor: &Actor,
        f: &PaymentForm,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let on = today(now);
        let month =
            parse_month(&f.month).ok_or_else(|| invalid("month", "dues.month", f.month.trim()))?;
        let code = month_code(month);
        let channel = match f.channel.trim() {
            "" | "cash" => "cash",
            "portal" => "portal",
            other => return Err(invalid("channel", "dues.channel", other)),
        };
        let reason = Some(nfc(&f.reason)).filter(|r| !r.is_empty());
        if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            return Err(invalid("reason", "text.too_long", "500"));
        }
        let receipt = Some(nfc(&f.receipt_no)).filter(|r| !r.is_empty() && r.chars().count() <= 60);
        let (m, cell, dues, corrected, closed) = self
            .db
            .read(async |r| {
                let m = store::members::get(r, f.member_id).await?.ok_or_else(|| {
                    invalid("member_id", "member.unknown", f.member_id.to_string())
                })?;
                let cell = org_for(r, actor, m.cell_id).await?;
                let dues = self.member_dues_in(r, &m, on).await?;
                let corrected = match f.corrects_id {
                    Some(id) => Some(db::entry(r, id).await?.ok_or_else(|| {
                        invalid("corrects_id", "dues.unknown_entry", id.to_string())
                    })?),
                    None => None,
                };
                let closed = db::last_closed(r, cell.id).await?;
                Ok::<_, ServiceError>((m, cell, dues, corrected, closed))
            })
            .await?;
        if !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let cite = self
            .rules
            .pack_at(first_day(month).max(on.with_day(1).unwrap_or(on)))
            .and_then(|v| v.cite("dues_rate_bhxh"))
            .unwrap_or_default();
        if let Some(adm) = m.admission_date
            && month < month_of(adm)
        {
            return Err(invalid(
                "month",
                "dues.before_joining",
                format!(
                    "tháng {} trước khi đồng chí {} vào Đảng ({}) — {cite}",
                    month_label(month),
                    m.full_name,
                    format_date(adm)
                ),
            ));
        }
        if !m.status.on_list() && m.status != Status::DangChuyen {
            let left = self
                .db
                .read(async |r| store::members::status_history(r, m.id).await)
                .await?
                .last()
                .map(|p| p.start_date);
            if let Some(left) = left
                && month > month_of(left)
            {
                return Err(invalid(
                    "month",
                    "dues.after_leaving",
                    format!(
                        "tháng {} sau khi đồng chí {} ra khỏi danh sách ({}) — {cite}",
                        month_label(month),
                        m.full_name,
                        format_date(left)
                    ),
                ));
            }
        }
        let line = dues.months.iter().find(|x| x.month == code);
        let due = match line {
            Some(l) => l.due_vnd,
            None if dues.categories.is_empty() => {
                return Err(invalid(
                    "member_id",
                    "dues.no_category",
                    m.full_name.clone(),
                ));
            }
            None => {
                // An advance beyond the months the ledger shows.
                DueByMonth::new(&self.rules, &dues.categories, m.admission_date)
                    .at(month)
                    .map_or(0, |d| d.0)
            }
        };
        let amount = match (f.corrects_id, f.amount_vnd) {
            (Some(_), Some(a)) => a,
            (Some(_), None) => return Err(invalid("amount_vnd", "required", "")),
            (None, None) => due,
            (None, Some(a)) => a,
        };
        if let Some(c) = &corrected {
            if c.member_id != m.id || c.month != code {
                return Err(invalid(
                    "corrects_id",
                    "dues.unknown_entry",
                    c.id.to_string(),
                ));
            }
            if amount == 0 {
                return Err(invalid("amount_vnd", "dues.amount", "0"));
            }
            if reason.is_none() {
                return Err(invalid("reason", "dues.reason_required", "corrects_id"));
            }
        } else {
            if amount <= 0 {
                return Err(invalid(
                    "amount_vnd",
                    "dues.amount",
                    format!("{amount}: số tiền đảng phí là số nguyên dương, tính bằng đồng"),
                ));
            }
            if amount != due && reason.is_none() {
                return Err(invalid(
                    "reason",
                    "dues.reason_required",
                    format!("{amount} đ khác mức phải đóng {due} đ: ghi rõ lý do — {cite}"),
                ));
            }
            if let Some(prev) = dues
                .entries
                .iter()
                .find(|e| e.month == code && e.corrects_id.is_none())
            {
                return Err(invalid(
                    "month",
                    "dues.already_paid",
                    format!(
                        "tháng {} đã ghi {} đ ngày {}: không ghi hai lần (điều chỉnh bằng một bút toán sửa) — {cite}",
                        month_label(month),
                        prev.amount_vnd,
                        format_date(prev.paid_on)
                    ),
                ));
            }
        }
        if corrected.is_some() && closed.as_ref().is_some_and(|c| *c >= code) {
            return Err(invalid("month", "dues.month_closed", month_label(month)));
        }
        let mut tx = self.db.begin().await?;
        let id = db::insert_entry(
            &mut tx,
            &NewEntry {
                member_id: m.id,
                cell_id: cell.id,
                month: &code,
                amount_vnd: amount,
                due_vnd: due,
                paid_on: on,
                channel,
                corrects_id: f.corrects_id,
                reason: reason.as_deref(),
                receipt_no: receipt.as_deref(),
                actor: &actor.audit_name(),
            },
            now,
        )
        .await?
        .ok_or_else(|| {
            invalid(
                "month",
                "dues.already_paid",
                format!(
                    "tháng {} đã ghi: không ghi hai lần — {cite}",
                    month_label(month)
                ),
            )
        })?;
        audit_entry(
            &mut tx,
            actor,
            Subject::member(cell.id, m.id),
            if f.corrects_id.is_some() { "dues.correct" } else { "dues.pay" },
            json!({"entry_id": id, "month": code, "amount_vnd": amount, "due_vnd": due, "channel": channel,
                   "corrects_id": f.corrects_id, "reason": reason, "receipt_no": receipt}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sets a member's category from a month on; never before the last month
    /// the cell closed.
    pub async fn set_dues_category(
        &self,
        actor: &Actor,
        f: &CategoryForm,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let month = parse_month(&f.from_month)
            .ok_or_else(|| invalid("from_month", "dues.month", f.from_month.trim()))?;
        let code = month_code(month);
        let cat = f.category.trim();
        const CATS: [&str; 6] = [
            "bhxh",
            "pension",
            "student",
            "other_under_retirement",
            "other_retirement_age",
            "exempt",
        ];
        if !CATS.contains(&cat) {
            return Err(invalid("category", "dues.category", cat));
        }
        if matches!(cat, "bhxh" | "pension") && f.base_vnd.is_none_or(|b| b <= 0) {
            return Err(invalid("base_vnd", "dues.amount", "base_vnd"));
        }
        if f.zone.is_some_and(|z| !(1..=4).contains(&z)) {
            return Err(invalid(
                "zone",
                "dues.zone",
                f.zone.unwrap_or(0).to_string(),
            ));
        }
        let reason = Some(nfc(&f.reason)).filter(|r| !r.is_empty());
        if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            return Err(invalid("reason", "text.too_long", "500"));
        }
        if let Some(p) = f.reduction_pct {
            let options: Vec<u64> = self
                .rules
                .param("dues_reduction_options_pct", first_day(month))
                .unwrap_or_default();
            if !options.contains(&(p.max(0) as u64)) {
                return Err(invalid(
                    "reduction_pct",
                    "dues.reduction",
                    format!("{p}% (chỉ: {options:?})"),
                ));
            }
        }
        let (m, cell, closed) = self
            .db
            .read(async |r| {
                let m = store::members::get(r, f.member_id).await?.ok_or_else(|| {
                    invalid("member_id", "member.unknown", f.member_id.to_string())
                })?;
                let cell = org_for(r, actor, m.cell_id).await?;
                let closed = db::last_closed(r, cell.id).await?;
                Ok::<_, ServiceError>((m, cell, closed))
            })
            .await?;
        if !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        if let Some(c) = closed
            && code <= c
        {
            return Err(invalid(
                "from_month",
                "dues.month_closed",
                format!(
                    "tháng {} đã khóa sổ (đến tháng {}): không đổi mức đóng về trước — sổ đảng phí chỉ ghi thêm",
                    month_label(month),
                    parse_month(&c).map(month_label).unwrap_or(c.clone())
                ),
            ));
        }
        let mut tx = self.db.begin().await?;
        let added = db::insert_category(
            &mut tx,
            &NewCategory {
                member_id: m.id,
                from_month: &code,
                category: cat,
                base_vnd: f.base_vnd,
                zone: f.zone,
                reduction_pct: f.reduction_pct,
                reason: reason.as_deref(),
                actor: &actor.audit_name(),
            },
            now,
        )
        .await?;
        if !added {
            return Err(invalid(
                "from_month",
                "dues.category_exists",
                month_label(month),
            ));
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::member(cell.id, m.id),
            "dues.category",
            json!({"from_month": code, "category": cat, "base_vnd": f.base_vnd, "zone": f.zone,
                   "reduction_pct": f.reduction_pct, "reason": reason}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The retained share (a fraction of the collection) and its source.
    fn retention(&self, on: NaiveDate) -> (Option<chibo_rules::Fraction>, String) {
        let share: Option<chibo_rules::Fraction> =
            self.rules.param("dues_cell_retention", on).unwrap_or(None);
        let cite = self
            .rules
            .pack_at(on)
            .and_then(|v| v.cite("dues_cell_retention"))
            .unwrap_or_default();
        (share, cite)
    }

    fn split(&self, collected: i64, on: NaiveDate) -> (i64, i64) {
        let retained = match self.retention(on).0 {
            Some(f) if collected > 0 => f.floor_of(collected as u64) as i64,
            _ => 0,
        };
        (retained, collected - retained)
    }

    /// A cell's summary for a year (every month to the current one): the
    /// collection is the sum of the entries, month by month.
    pub async fn dues_summary(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        year: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<DuesSummary> {
        let on = today(now);
        let year = year.unwrap_or(on.year());
        self.db
            .read(async |r| {
                let cell = super::orgs::unit_for(r, actor, unit).await?;
                if cell.kind != "chi_bo" || !actor.can_read_members(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                self.dues_summary_in(r, &cell, year, on).await
            })
            .await
    }

    pub(super) async fn dues_summary_in(
        &self,
        r: &mut Reader,
        cell: &OrgRow,
        year: i32,
        on: NaiveDate,
    ) -> Result<DuesSummary> {
        let collected =
            db::collected_of(r, cell.id, &month_code((year, 1)), &month_code((year, 12))).await?;
        let closes = db::closes(r, cell.id).await?;
        let arrears = self.arrears_of(r, cell, on).await?;
        Ok(self.summary_from(cell, year, on, &collected, closes, arrears))
    }

    /// A cell's summary from its entries of the year (counted and summed by
    /// month), the months it closed
    /// and its arrears: the one computation of the cell's screen, its
    /// statement, the report upward and the upper committee's table.
    fn summary_from(
        &self,
        cell: &OrgRow,
        year: i32,
        on: NaiveDate,
        collected: &[db::CellMonth],
        closes: Vec<CloseRow>,
        (arrears, in_arrears): (i64, usize),
    ) -> DuesSummary {
        let closes: BTreeMap<String, CloseRow> =
            closes.into_iter().map(|c| (c.month.clone(), c)).collect();
        let mut months = Vec::new();
        for mo in 1..=12 {
            let code = month_code((year, mo));
            let of = collected.iter().find(|c| c.month == code);
            let (entries, collected) = of.map_or((0, 0), |c| (c.entries, c.collected_vnd));
            let (retained, remitted) = match closes.get(&code) {
                Some(c) => (c.retained_vnd, c.remitted_vnd),
                None => self.split(collected, first_day((year, mo))),
            };
            months.push(SummaryMonth {
                month: code.clone(),
                entries: usize::try_from(entries).unwrap_or(0),
                collected_vnd: collected,
                retained_vnd: retained,
                remitted_vnd: remitted,
                closed: closes.contains_key(&code),
            });
        }
        let (share, cite) = self.retention(on);
        let retention = match share {
            Some(f) => format!("{} — {cite}", f.percent_string()),
            None => format!("Chưa quy định tỉ lệ trích giữ lại: nộp toàn bộ lên cấp trên — {cite}"),
        };
        DuesSummary {
            cell_id: cell.id,
            cell_name: cell.name.clone(),
            year,
            collected_vnd: months.iter().map(|m| m.collected_vnd).sum(),
            retained_vnd: months.iter().map(|m| m.retained_vnd).sum(),
            remitted_vnd: months.iter().map(|m| m.remitted_vnd).sum(),
            months,
            retention,
            arrears_vnd: arrears,
            members_in_arrears: in_arrears,
        }
    }

    /// Every cell's summary under an upper committee, read in a fixed number
    /// of statements whatever the number of cells (the same figures as
    /// [`Self::dues_summary_in`] cell by cell).
    pub(super) async fn dues_summaries_under(
        &self,
        r: &mut Reader,
        unit: &OrgRow,
        year: i32,
        on: NaiveDate,
    ) -> Result<Vec<DuesSummary>> {
        let cells = store::orgs::cells_under(r, &unit.path).await?;
        let (from, to) = (month_code((year, 1)), month_code((year, 12)));
        let mut collected: BTreeMap<i64, Vec<db::CellMonth>> = BTreeMap::new();
        for c in db::collected_under(r, &unit.path, &from, &to).await? {
            collected.entry(c.cell_id).or_default().push(c);
        }
        let mut closes: BTreeMap<i64, Vec<CloseRow>> = BTreeMap::new();
        for c in db::closes_under(r, &unit.path).await? {
            closes.entry(c.cell_id).or_default().push(c);
        }
        let mut members: BTreeMap<i64, Vec<MemberRow>> = BTreeMap::new();
        for m in store::members::of_cells_under(r, &unit.path).await? {
            members.entry(m.cell_id).or_default().push(m);
        }
        let mut cats: BTreeMap<i64, Vec<CategoryRow>> = BTreeMap::new();
        for c in db::categories_under(r, &unit.path).await? {
            cats.entry(c.member_id).or_default().push(c);
        }
        let mut paid: BTreeMap<i64, db::PaidMonths> = BTreeMap::new();
        for p in db::paid_months_under(r, &unit.path).await? {
            paid.insert(p.member_id, p);
        }
        Ok(cells
            .iter()
            .map(|cell| {
                let of = members.remove(&cell.id).unwrap_or_default();
                let arrears = self.arrears_from(&of, &mut cats, &mut paid, on);
                self.summary_from(
                    cell,
                    year,
                    on,
                    &collected.remove(&cell.id).unwrap_or_default(),
                    closes.remove(&cell.id).unwrap_or_default(),
                    arrears,
                )
            })
            .collect())
    }

    /// The upper committee's table: each cell under the unit with its
    /// collection, retained share, remittance and arrears for a month (or
    /// the year), each figure computed as the cell's own summary computes
    /// it, every cell read in the same few statements.
    pub async fn dues_by_cell(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        year: Option<i32>,
        month: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<DuesByCell> {
        let on = today(now);
        let (year, month) = super::dues_statement::period_of(year, month, on)?;
        self.db
            .read(async |r| {
                let unit = super::orgs::unit_for(r, actor, unit).await?;
                if !actor.can_read_members(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                let summaries = if unit.kind == "chi_bo" {
                    vec![self.dues_summary_in(r, &unit, year, on).await?]
                } else {
                    self.dues_summaries_under(r, &unit, year, on).await?
                };
                let lines: Vec<CellDues> = summaries
                    .iter()
                    .map(|s| {
                        let t = PeriodTotals::of(s, month);
                        CellDues {
                            cell_id: s.cell_id,
                            cell_name: s.cell_name.clone(),
                            collected_vnd: t.collected_vnd,
                            retained_vnd: t.retained_vnd,
                            remitted_vnd: t.remitted_vnd,
                            closed: t.closed,
                            arrears_vnd: s.arrears_vnd,
                            members_in_arrears: s.members_in_arrears,
                        }
                    })
                    .collect();
                Ok(DuesByCell {
                    unit_id: unit.id,
                    unit_name: unit.name.clone(),
                    year,
                    month: month.map(month_code),
                    collected_vnd: lines.iter().map(|l| l.collected_vnd).sum(),
                    retained_vnd: lines.iter().map(|l| l.retained_vnd).sum(),
                    remitted_vnd: lines.iter().map(|l| l.remitted_vnd).sum(),
                    arrears_vnd: lines.iter().map(|l| l.arrears_vnd).sum(),
                    cells: lines,
                })
            })
            .await
    }

    /// A cell's dues in arrears on `on`, derived from the ledger of each
    /// member on its roll: the amount and how many members owe.
    pub(super) async fn arrears_of(
        &self,
        r: &mut Reader,
        cell: &OrgRow,
        on: NaiveDate,
    ) -> Result<(i64, usize)> {
        let members = store::members::of_cell(r, cell.id).await?;
        let mut cats: BTreeMap<i64, Vec<CategoryRow>> = BTreeMap::new();
        for c in db::categories_of_cell(r, cell.id).await? {
            cats.entry(c.member_id).or_default().push(c);
        }
        let mut paid: BTreeMap<i64, db::PaidMonths> = BTreeMap::new();
        for p in db::paid_months_of_cell(r, cell.id).await? {
            paid.insert(p.member_id, p);
        }
        Ok(self.arrears_from(&members, &mut cats, &mut paid, on))
    }

    /// The arrears of a cell's members on `on` from their categories and
    /// sums paid by month (taken out of the maps): the amount and how many
    /// owe, as each member's [`ledger`] has it.
    fn arrears_from(
        &self,
        members: &[MemberRow],
        cats: &mut BTreeMap<i64, Vec<CategoryRow>>,
        paid: &mut BTreeMap<i64, db::PaidMonths>,
        on: NaiveDate,
    ) -> (i64, usize) {
        let (mut amount, mut owing) = (0, 0);
        for m in members.iter().filter(|m| m.status.on_list()) {
            let Some(c) = cats.remove(&m.id) else {
                continue;
            };
            let sums = paid
                .remove(&m.id)
                .map(|p| paid_sums(&p.months))
                .unwrap_or_default();
            let l = ledger_of_sums(&self.rules, m, c, &sums, on);
            if l.arrears_vnd > 0 {
                owing += 1;
                amount += l.arrears_vnd;
            }
        }
        (amount, owing)
    }

    /// Closes a month: its collection counted, the share retained and the
    /// amount remitted written down; corrections and category changes may
    /// no longer reach it.
    pub async fn close_dues_month(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        month: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let on = today(now);
        let mo = parse_month(month).ok_or_else(|| invalid("month", "dues.month", month.trim()))?;
        if mo >= month_of(on) {
            return Err(invalid("month", "dues.month_open", month_label(mo)));
        }
        let (cell, collected) = self
            .db
            .read(async |r| {
                let cell = super::orgs::unit_for(r, actor, unit).await?;
                let code = month_code(mo);
                let entries = db::entries_of_cell(r, cell.id, &code, &code).await?;
                Ok::<_, ServiceError>((cell, entries.iter().map(|e| e.amount_vnd).sum::<i64>()))
            })
            .await?;
        if cell.kind != "chi_bo" || !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let (retained, remitted) = self.split(collected, first_day(mo));
        let row = CloseRow {
            cell_id: cell.id,
            month: month_code(mo),
            closed_on: on,
            collected_vnd: collected,
            retained_vnd: retained,
            remitted_vnd: remitted,
            actor: actor.audit_name(),
        };
        let mut tx = self.db.begin().await?;
        if !db::close_month(&mut tx, &row, now).await? {
            return Err(invalid("month", "dues.month_closed", month_label(mo)));
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::unit(cell.id),
            "dues.close",
            json!({"month": row.month, "collected_vnd": collected, "retained_vnd": retained, "remitted_vnd": remitted}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sums_paid_are_read_back_from_their_list() {
        let sums = paid_sums("2026-01:240000,2026-02:-5000,2026-03:0");
        assert_eq!(sums.get("2026-01"), Some(&240_000));
        assert_eq!(sums.get("2026-02"), Some(&-5_000));
        assert_eq!(sums.get("2026-03"), Some(&0));
        assert_eq!(sums.len(), 3);
        assert!(paid_sums("").is_empty());
    }

    use super::*;

    #[test]
    fn months_read_both_ways() {
        assert_eq!(parse_month("2026-03"), Some((2026, 3)));
        assert_eq!(parse_month("03/2026"), Some((2026, 3)));
        assert_eq!(parse_month("13/2026"), None);
        assert_eq!(next((2026, 12)), (2027, 1));
    }
}
