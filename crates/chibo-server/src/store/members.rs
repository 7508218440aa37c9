//! Member records, their status history and search.

use super::bulk::Val;
use super::{Arg, Reader, Result, Tx, bind_all, in_tx, prefix_range, read};
use crate::model::{CommitteeRole, Status};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MemberRow {
    pub id: i64,
    pub cell_id: i64,
    pub group_id: Option<i64>,
    pub full_name: String,
    pub other_name: Option<String>,
    pub sex: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub national_id: Option<String>,
    pub card_no: Option<String>,
    pub admission_date: Option<NaiveDate>,
    pub ceremony_date: Option<NaiveDate>,
    pub official_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub residence: Option<String>,
    pub notes: Option<String>,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub status: Status,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The columns a list shows; a full record is read only on purpose (and logged).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MemberSummary {
    pub id: i64,
    pub cell_id: i64,
    pub cell_name: String,
    pub group_name: Option<String>,
    pub full_name: String,
    /// Shown to the committee only (null in an ordinary member's list).
    pub card_no: Option<String>,
    /// Shown to the committee only (null in an ordinary member's list).
    pub date_of_birth: Option<NaiveDate>,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub status: Status,
    /// The member's highest current post in the cell or its groups
    /// (`bi_thu`, `pho_bi_thu`, `chi_uy_vien`, `to_truong`, `to_pho`).
    pub post: Option<String>,
}

/// The stored values of a member, as written by the service layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberValues {
    pub group_id: Option<i64>,
    pub full_name: String,
    pub name_fold: String,
    pub other_name: Option<String>,
    pub sex: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub national_id: Option<String>,
    pub card_no: Option<String>,
    pub admission_date: Option<NaiveDate>,
    pub ceremony_date: Option<NaiveDate>,
    pub official_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub residence: Option<String>,
    pub notes: Option<String>,
}

const COLUMNS: &str = "id, cell_id, group_id, full_name, other_name, sex, date_of_birth, ethnicity, religion, \
     national_id, card_no, admission_date, ceremony_date, official_date, phone, email, residence, notes, \
     status, version, created_at, updated_at";

/// The columns of [`bulk_row`], for `store::bulk::Rows`.
pub const BULK_COLUMNS: &[&str] = &[
    "id",
    "cell_id",
    "group_id",
    "full_name",
    "name_fold",
    "other_name",
    "sex",
    "date_of_birth",
    "ethnicity",
    "religion",
    "national_id",
    "card_no",
    "admission_date",
    "ceremony_date",
    "official_date",
    "phone",
    "email",
    "residence",
    "notes",
    "status",
    "version",
    "created_at",
    "updated_at",
];

/// A new member as one row for `store::bulk` (the demo, large imports), the
/// caller having assigned its id.
pub fn bulk_row(
    id: i64,
    cell_id: i64,
    v: &MemberValues,
    status: &str,
    version: i64,
    now: DateTime<Utc>,
) -> [Val; 23] {
    [
        id.into(),
        cell_id.into(),
        v.group_id.into(),
        v.full_name.as_str().into(),
        v.name_fold.as_str().into(),
        v.other_name.clone().into(),
        v.sex.clone().into(),
        v.date_of_birth.into(),
        v.ethnicity.clone().into(),
        v.religion.clone().into(),
        v.national_id.clone().into(),
        v.card_no.clone().into(),
        v.admission_date.into(),
        v.ceremony_date.into(),
        v.official_date.into(),
        v.phone.clone().into(),
        v.email.clone().into(),
        v.residence.clone().into(),
        v.notes.clone().into(),
        status.into(),
        version.into(),
        now.into(),
        now.into(),
    ]
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<MemberRow>> {
    super::row_by(r, "member", COLUMNS, "id", id).await
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<MemberRow>> {
    super::row_by_in(tx, "member", COLUMNS, "id", id).await
}

/// Members of one cell, in name order (export and import matching).
pub async fn of_cell(r: &mut Reader, cell_id: i64) -> Result<Vec<MemberRow>> {
    let sql = format!("SELECT {COLUMNS} FROM member WHERE cell_id = $1 ORDER BY name_fold, id");
    Ok(read!(r, |c| {
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(cell_id)
            .fetch_all(c)
            .await
    })?)
}

/// The members now in any cell under a unit's path, by cell (one statement
/// for a table of every cell).
pub async fn of_cells_under(r: &mut Reader, path: &str) -> Result<Vec<MemberRow>> {
    let (lo, hi) = prefix_range(path);
    let sql = format!(
        "SELECT {COLUMNS} FROM member WHERE cell_id IN (SELECT id FROM org_unit WHERE path >= $1 AND path < $2) \
         ORDER BY cell_id, name_fold, id"
    );
    Ok(read!(r, |c| {
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(&lo)
            .bind(&hi)
            .fetch_all(c)
            .await
    })?)
}

pub async fn insert(
    tx: &mut Tx,
    cell_id: i64,
    v: &MemberValues,
    status: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "INSERT INTO member (cell_id, group_id, full_name, name_fold, other_name, sex, date_of_birth, \
         ethnicity, religion, national_id, card_no, admission_date, ceremony_date, official_date, phone, \
         email, residence, notes, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20) \
         RETURNING id";
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(sql)
            .bind(cell_id)
            .bind(v.group_id)
            .bind(&v.full_name)
            .bind(&v.name_fold)
            .bind(&v.other_name)
            .bind(&v.sex)
            .bind(v.date_of_birth)
            .bind(&v.ethnicity)
            .bind(&v.religion)
            .bind(&v.national_id)
            .bind(&v.card_no)
            .bind(v.admission_date)
            .bind(v.ceremony_date)
            .bind(v.official_date)
            .bind(&v.phone)
            .bind(&v.email)
            .bind(&v.residence)
            .bind(&v.notes)
            .bind(status)
            .bind(now)
            .fetch_one(c)
            .await
    })?)
}

/// Writes new values if the record is still at `version` (optimistic
/// locking: two secretaries editing the same member cannot overwrite each
/// other silently). Returns false when the version moved on.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    version: i64,
    v: &MemberValues,
    now: DateTime<Utc>,
) -> Result<bool> {
    let sql = "UPDATE member SET group_id = $1, full_name = $2, name_fold = $3, other_name = $4, sex = $5, \
         date_of_birth = $6, ethnicity = $7, religion = $8, national_id = $9, card_no = $10, \
         admission_date = $11, ceremony_date = $12, official_date = $13, phone = $14, email = $15, \
         residence = $16, notes = $17, updated_at = $18, version = version + 1 \
         WHERE id = $19 AND version = $20";
    let done = in_tx!(tx, |c| {
        sqlx::query(sql)
            .bind(v.group_id)
            .bind(&v.full_name)
            .bind(&v.name_fold)
            .bind(&v.other_name)
            .bind(&v.sex)
            .bind(v.date_of_birth)
            .bind(&v.ethnicity)
            .bind(&v.religion)
            .bind(&v.national_id)
            .bind(&v.card_no)
            .bind(v.admission_date)
            .bind(v.ceremony_date)
            .bind(v.official_date)
            .bind(&v.phone)
            .bind(&v.email)
            .bind(&v.residence)
            .bind(&v.notes)
            .bind(now)
            .bind(id)
            .bind(version)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct StatusPeriod {
    pub id: i64,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub status: Status,
    pub start_date: NaiveDate,
    pub note: Option<String>,
}

pub async fn status_history(r: &mut Reader, member_id: i64) -> Result<Vec<StatusPeriod>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT id, status, start_date, note FROM member_status WHERE member_id = $1 \
             ORDER BY start_date, id",
        )
        .bind(member_id)
        .fetch_all(c)
        .await
    })?)
}

/// Adds a period and refreshes the derived current status in the same
/// transaction (the latest period that has begun wins).
pub async fn add_status(
    tx: &mut Tx,
    member_id: i64,
    status: &str,
    start: NaiveDate,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO member_status (member_id, status, start_date, note, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(member_id)
        .bind(status)
        .bind(start)
        .bind(note)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE member SET status = (SELECT status FROM member_status WHERE member_id = $1 \
             ORDER BY start_date DESC, id DESC LIMIT 1), version = version + 1, updated_at = $2 WHERE id = $1",
        )
        .bind(member_id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// What the member list asks for.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Path prefix of the unit whose members are visible ("/1/7/").
    pub scope_path: String,
    /// Restrict to one cell (the usual case for a secretary).
    pub cell_id: Option<i64>,
    /// Folded text: matches names; digits also match card, ID and phone
    /// when `identifiers` is set.
    pub text: String,
    /// The committee's view: identifiers are searched and shown. Without it
    /// only names match and card numbers and dates of birth stay out.
    pub identifiers: bool,
    pub status: Option<String>,
    pub group_id: Option<i64>,
    pub page: u32,
    pub per_page: u32,
}

pub struct SearchPage {
    pub rows: Vec<MemberSummary>,
    pub total: i64,
    /// The rows carry identifiers (the committee's view).
    pub identifiers: bool,
}

/// The digits of a search that looks for an identifier (card number,
/// national ID or phone): three digits or more, and nothing else but spaces.
pub fn identifier_digits(text: &str) -> Option<String> {
    let text = text.trim();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 3 && digits.len() == text.chars().filter(|c| !c.is_whitespace()).count())
        .then_some(digits)
}

/// Ranks posts for [`MemberSummary::post`]: the first in
/// [`CommitteeRole::ALL`] is the highest.
fn post_rank() -> String {
    let arms: String = CommitteeRole::ALL
        .iter()
        .enumerate()
        .map(|(i, r)| format!(" WHEN '{}' THEN {i}", r.as_str()))
        .collect();
    format!("CASE r.role{arms} ELSE {} END", CommitteeRole::ALL.len())
}

/// The words of a name search read (more are ignored: a name has fewer).
const MAX_SEARCH_WORDS: usize = 6;

pub async fn search(r: &mut Reader, q: &SearchQuery) -> Result<SearchPage> {
    let mut args = Vec::new();
    let mut arg = |a: Arg| {
        args.push(a);
        format!("${}", args.len())
    };
    let mut filter = String::new();
    if let Some(cell) = q.cell_id {
        filter.push_str(&format!(" AND m.cell_id = {}", arg(Arg::Int(cell))));
    }
    let (lo, hi) = prefix_range(&q.scope_path);
    filter.push_str(&format!(
        " AND o.path >= {} AND o.path < {}",
        arg(Arg::Text(lo)),
        arg(Arg::Text(hi))
    ));
    let text = q.text.trim();
    if !text.is_empty() {
        // Every word, in any order: "nguyen mai" finds "Nguyễn Thị Mai".
        let name = text
            .split_whitespace()
            .take(MAX_SEARCH_WORDS)
            .map(|w| format!("m.name_fold LIKE {}", arg(Arg::Text(format!("%{w}%")))))
            .collect::<Vec<_>>()
            .join(" AND ");
        let name = format!("({name})");
        if let Some(digits) = identifier_digits(text).filter(|_| q.identifiers) {
            let (dlo, dhi) = prefix_range(&digits);
            let (lo, hi) = (arg(Arg::Text(dlo)), arg(Arg::Text(dhi)));
            let phone = if digits.starts_with('0') {
                digits.clone()
            } else {
                format!("0{digits}")
            };
            let (plo, phi) = prefix_range(&phone);
            let (plo, phi) = (arg(Arg::Text(plo)), arg(Arg::Text(phi)));
            filter.push_str(&format!(
                " AND ({name} OR (m.card_no >= {lo} AND m.card_no < {hi}) \
                 OR (m.national_id >= {lo} AND m.national_id < {hi}) OR (m.phone >= {plo} AND m.phone < {phi}))"
            ));
        } else {
            filter.push_str(&format!(" AND {name}"));
        }
    }
    if let Some(s) = &q.status {
        filter.push_str(&format!(" AND m.status = {}", arg(Arg::Text(s.clone()))));
    }
    if let Some(g) = q.group_id {
        filter.push_str(&format!(" AND m.group_id = {}", arg(Arg::Int(g))));
    }
    let from = format!("FROM member m JOIN org_unit o ON o.id = m.cell_id WHERE 1 = 1{filter}");
    let count_sql = format!("SELECT COUNT(*) {from}");
    let per_page = q.per_page.clamp(1, 200);
    let offset = i64::from(q.page.saturating_sub(1)) * i64::from(per_page);
    // The page's ids first, from the (cell_id, name_fold) index alone, then
    // their rows: sorting a committee's 2,000 full rows to show 25 cost 5×.
    let identifiers = if q.identifiers {
        "m.card_no, m.date_of_birth"
    } else {
        "CAST(NULL AS TEXT) AS card_no, CAST(NULL AS DATE) AS date_of_birth"
    };
    let list_sql = format!(
        "SELECT m.id, m.cell_id, o.name AS cell_name, g.name AS group_name, m.full_name, {identifiers}, \
         m.status, (SELECT r.role FROM committee_role r WHERE r.member_id = m.id AND r.end_date IS NULL \
         ORDER BY {rank} LIMIT 1) AS post FROM member m JOIN org_unit o ON o.id = m.cell_id \
         LEFT JOIN org_unit g ON g.id = m.group_id WHERE m.id IN (SELECT m.id {from} \
         ORDER BY m.name_fold, m.id LIMIT {per_page} OFFSET {offset}) ORDER BY m.name_fold, m.id",
        rank = post_rank()
    );
    let total: i64 = read!(r, |c| {
        bind_all(sqlx::query_as::<_, (i64,)>(AssertSqlSafe(count_sql)), &args)
            .fetch_one(c)
            .await
    })?
    .0;
    let rows = read!(r, |c| {
        bind_all(sqlx::query_as(AssertSqlSafe(list_sql)), &args)
            .fetch_all(c)
            .await
    })?;
    Ok(SearchPage {
        rows,
        total,
        identifiers: q.identifiers,
    })
}

/// Which member already holds this card number or national ID (import
/// matching and friendly duplicate messages).
pub async fn find_by_card(r: &mut Reader, card_no: &str) -> Result<Option<i64>> {
    Ok(read!(r, |c| {
        sqlx::query_scalar("SELECT id FROM member WHERE card_no = $1")
            .bind(card_no)
            .fetch_optional(c)
            .await
    })?)
}

pub async fn find_by_national_id(r: &mut Reader, national_id: &str) -> Result<Option<i64>> {
    Ok(read!(r, |c| {
        sqlx::query_scalar("SELECT id FROM member WHERE national_id = $1")
            .bind(national_id)
            .fetch_optional(c)
            .await
    })?)
}

/// How many members of a cell stand in each status.
pub async fn status_counts(r: &mut Reader, cell_id: i64) -> Result<Vec<(String, i64)>> {
    Ok(read!(r, |c| {
        sqlx::query_as("SELECT status, COUNT(*) FROM member WHERE cell_id = $1 GROUP BY status")
            .bind(cell_id)
            .fetch_all(c)
            .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AccessRow {
    pub at: DateTime<Utc>,
    pub account_id: i64,
    pub who: Option<String>,
    pub granted: bool,
    /// `read` (the record was opened) or `search` (found by an identifier).
    pub kind: String,
    /// The identifier searched, for a search.
    pub detail: Option<String>,
}

/// Who opened this record or found it by an identifier, newest first.
pub async fn access_log(r: &mut Reader, member_id: i64, limit: i64) -> Result<Vec<AccessRow>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT l.at, l.account_id, a.display_name AS who, l.granted, l.kind, l.detail FROM access_log l \
             LEFT JOIN account a ON a.id = l.account_id WHERE l.member_id = $1 ORDER BY l.at DESC, l.id DESC LIMIT $2",
        )
        .bind(member_id)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}
