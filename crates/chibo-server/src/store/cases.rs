//! Cases (hồ sơ) on the procedure model: candidates, cases, their dated steps,
//! the members named in them and the deadlines extended.

use super::{Db, Reader, Result, Tx, in_tx, read};
use chibo_rules::{CaseKind, CaseOutcome, Code, Performer, StepResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CandidateRow {
    pub id: i64,
    pub cell_id: i64,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub residence: Option<String>,
    /// The member record created at the ceremony.
    pub member_id: Option<i64>,
}

const CANDIDATE: &str = "id, cell_id, full_name, date_of_birth, sex, phone, residence, member_id";

pub struct NewCandidate<'a> {
    pub cell_id: i64,
    pub full_name: &'a str,
    pub name_fold: &'a str,
    pub date_of_birth: NaiveDate,
    pub sex: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub residence: Option<&'a str>,
}

pub async fn insert_candidate(
    tx: &mut Tx,
    c: &NewCandidate<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(in_tx!(tx, |x| {
        sqlx::query_scalar(
            "INSERT INTO candidate (cell_id, full_name, name_fold, date_of_birth, sex, phone, residence, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(c.cell_id)
        .bind(c.full_name)
        .bind(c.name_fold)
        .bind(c.date_of_birth)
        .bind(c.sex)
        .bind(c.phone)
        .bind(c.residence)
        .bind(now)
        .fetch_one(x)
        .await
    })?)
}

pub async fn candidate(r: &mut Reader, id: i64) -> Result<Option<CandidateRow>> {
    super::row_by(r, "candidate", CANDIDATE, "id", id).await
}

/// [`candidate`] inside a write transaction.
pub async fn candidate_in(tx: &mut Tx, id: i64) -> Result<Option<CandidateRow>> {
    super::row_by_in(tx, "candidate", CANDIDATE, "id", id).await
}

pub async fn set_candidate_member(tx: &mut Tx, id: i64, member_id: i64) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE candidate SET member_id = $1 WHERE id = $2"
    )
    .bind(member_id)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Logs one attempt to read a candidate's personal data (durable before it is shown).
pub async fn log_candidate_access(
    db: &Db,
    account_id: i64,
    candidate_id: i64,
    granted: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    in_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO candidate_access (at, account_id, candidate_id, granted) VALUES ($1, $2, $3, $4)",
        )
        .bind(now)
        .bind(account_id)
        .bind(candidate_id)
        .bind(granted)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(())
}

/// How many times a candidate's data was read (granted or not).
pub async fn candidate_accesses(r: &mut Reader, candidate_id: i64) -> Result<i64> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM candidate_access WHERE candidate_id = $1"
    )
    .bind(candidate_id)
    .fetch_one(c)
    .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CaseRow {
    pub id: i64,
    pub cell_id: i64,
    pub cell_name: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub kind: CaseKind,
    pub candidate_id: Option<i64>,
    pub member_id: Option<i64>,
    /// The person's name (the candidate's, or the member's).
    pub person_name: String,
    pub opened_on: NaiveDate,
    /// The dates the procedure asks the case to supply, as JSON `{code: date}`.
    pub input_dates: String,
    pub age_exception: Option<String>,
    pub outcome: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub request: Option<String>,
    pub request_on: Option<NaiveDate>,
    pub version: i64,
}

impl CaseRow {
    /// How the case closed (the column holds a `CaseOutcome` code, CHECKed).
    pub fn outcome(&self) -> Option<CaseOutcome> {
        self.outcome.as_deref().and_then(CaseOutcome::parse)
    }
}

const CASE: &str = "k.id, k.cell_id, o.name AS cell_name, k.kind, k.candidate_id, k.member_id, \
     COALESCE(m.full_name, c.full_name, o.name) AS person_name, k.opened_on, k.input_dates, k.age_exception, \
     k.outcome, k.closed_on, k.close_reason, k.request, k.request_on, k.version";
const CASE_FROM: &str = "case_file k JOIN org_unit o ON o.id = k.cell_id \
     LEFT JOIN candidate c ON c.id = k.candidate_id LEFT JOIN member m ON m.id = k.member_id";

pub struct NewCase<'a> {
    pub cell_id: i64,
    pub kind: CaseKind,
    pub candidate_id: Option<i64>,
    pub member_id: Option<i64>,
    pub opened_on: NaiveDate,
    pub input_dates: &'a str,
    /// Its earliest deadline as the rule packs compute it (`due_on`).
    pub due_on: Option<NaiveDate>,
}

/// Inserts an open case (and counts it in its cell's deadlines); `None` when the person already has an open case of
/// that kind (the unique index refused it).
pub async fn insert_case(tx: &mut Tx, k: &NewCase<'_>, now: DateTime<Utc>) -> Result<Option<i64>> {
    let r = in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO case_file (cell_id, kind, candidate_id, member_id, opened_on, input_dates, due_on, created_at, \
             remind_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $5) RETURNING id",
        )
        .bind(k.cell_id)
        .bind(k.kind.as_str())
        .bind(k.candidate_id)
        .bind(k.member_id)
        .bind(k.opened_on)
        .bind(k.input_dates)
        .bind(k.due_on)
        .bind(now)
        .fetch_one(c)
        .await
    });
    match r {
        Ok(id) => {
            if k.due_on.is_some() {
                recount_due(tx, k.cell_id).await?;
            }
            Ok(Some(id))
        }
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<CaseRow>> {
    super::row_by(r, CASE_FROM, CASE, "k.id", id).await
}

/// Open cases of a kind for a member or a candidate.
pub async fn open_for(
    tx: &mut Tx,
    kind: CaseKind,
    candidate_id: Option<i64>,
    member_id: Option<i64>,
) -> Result<Option<i64>> {
    Ok(in_tx!(tx, |c| sqlx::query_scalar(
        // Two lookups, each on its partial unique index (an OR of the two
        // columns scanned every case: opening a province's evaluation round
        // was quadratic in its cases).
        "SELECT id FROM case_file WHERE kind = $1 AND closed_on IS NULL \
         AND candidate_id IS NOT NULL AND candidate_id = $2 \
         UNION ALL SELECT id FROM case_file WHERE kind = $1 AND closed_on IS NULL \
         AND member_id IS NOT NULL AND member_id = $3 LIMIT 1"
    )
    .bind(kind.as_str())
    .bind(candidate_id)
    .bind(member_id)
    .fetch_optional(c)
    .await)?)
}

/// The cases of the cells under a path ("/1/7/"), open ones unless `closed`.
pub async fn under(r: &mut Reader, path: &str, closed: bool) -> Result<Vec<CaseRow>> {
    let (from, to) = super::prefix_range(path);
    let open = if closed {
        ""
    } else {
        " AND k.closed_on IS NULL"
    };
    let sql = format!(
        "SELECT {CASE} FROM {CASE_FROM} WHERE o.path >= $1 AND o.path < $2{open} ORDER BY k.opened_on, k.id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&from)
        .bind(&to)
        .fetch_all(c)
        .await)?)
}

/// The cases of one kind under a unit (open ones, or all).
pub async fn under_kind(
    r: &mut Reader,
    path: &str,
    kind: CaseKind,
    closed: bool,
) -> Result<Vec<CaseRow>> {
    let (from, to) = super::prefix_range(path);
    let open = if closed {
        ""
    } else {
        " AND k.closed_on IS NULL"
    };
    let sql = format!(
        "SELECT {CASE} FROM {CASE_FROM} WHERE o.path >= $1 AND o.path < $2 AND k.kind = $3{open} ORDER BY k.opened_on, k.id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&from)
        .bind(&to)
        .bind(kind.as_str())
        .fetch_all(c)
        .await)?)
}

/// Open cases about one member.
pub async fn of_member(r: &mut Reader, member_id: i64) -> Result<Vec<CaseRow>> {
    let sql = format!(
        "SELECT {CASE} FROM {CASE_FROM} WHERE k.member_id = $1 AND k.closed_on IS NULL ORDER BY k.id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(member_id)
        .fetch_all(c)
        .await)?)
}

/// Bumps the version when the expected one is current; false when it moved.
/// A case written may owe new reminders: the next sweep works it again
/// (`remind_on` back to its opening day, a day already come).
pub async fn touch(tx: &mut Tx, id: i64, version: i64) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE case_file SET version = version + 1, remind_on = opened_on \
         WHERE id = $1 AND version = $2 AND closed_on IS NULL",
        )
        .bind(id)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn close(
    tx: &mut Tx,
    id: i64,
    outcome: CaseOutcome,
    on: NaiveDate,
    reason: Option<&str>,
) -> Result<()> {
    let cell_id: i64 = in_tx!(tx, |c| {
        sqlx::query_scalar(
        "UPDATE case_file SET outcome = $1, closed_on = $2, close_reason = $3, request = NULL, request_on = NULL, \
         due_on = NULL WHERE id = $4 RETURNING cell_id"
    )
    .bind(outcome.as_str())
    .bind(on)
    .bind(reason)
    .bind(id)
    .fetch_one(c)
    .await
    })?;
    // A closed case has no deadline left: it leaves its cell's count.
    recount_due(tx, cell_id).await
}

/// Sets an open case's kept earliest deadline (the service computes it from
/// the case's rows through the rule packs) and recounts its cell's. Its
/// steps or extensions changed, so its deadlines may have: the next sweep
/// works it again (`remind_on`, see `touch`).
pub async fn set_due(tx: &mut Tx, id: i64, due: Option<NaiveDate>) -> Result<()> {
    let cell_id: Option<i64> = in_tx!(tx, |c| {
        sqlx::query_scalar(
        "UPDATE case_file SET due_on = $1, remind_on = opened_on WHERE id = $2 AND closed_on IS NULL RETURNING cell_id"
    )
    .bind(due)
    .bind(id)
    .fetch_optional(c)
    .await
    })?;
    match cell_id {
        Some(cell) => recount_due(tx, cell).await,
        None => Ok(()),
    }
}

/// The listed open cases of one cell by kept deadline, counted again from
/// its rows (a recount rather than a delta: it reads the cell's open cases
/// by `case_file_cell`, a few dozen, and cannot drift from them).
/// Discipline cases stay out, as from every general list.
pub async fn recount_due(tx: &mut Tx, cell_id: i64) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "DELETE FROM case_due_count WHERE cell_id = $1"
    )
    .bind(cell_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    in_tx!(tx, |c| sqlx::query(
        "INSERT INTO case_due_count (cell_id, due_on, cases) \
         SELECT cell_id, due_on, COUNT(*) FROM case_file \
         WHERE cell_id = $1 AND closed_on IS NULL AND due_on IS NOT NULL AND kind <> 'ky_luat' \
         GROUP BY cell_id, due_on"
    )
    .bind(cell_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every cell's count recounted at once (after the start-up refill).
pub async fn recount_all_dues(tx: &mut Tx) -> Result<()> {
    in_tx!(tx, |c| sqlx::query("DELETE FROM case_due_count")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    in_tx!(tx, |c| sqlx::query(
        "INSERT INTO case_due_count (cell_id, due_on, cases) \
         SELECT cell_id, due_on, COUNT(*) FROM case_file \
         WHERE closed_on IS NULL AND due_on IS NOT NULL AND kind <> 'ky_luat' \
         GROUP BY cell_id, due_on"
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets the kept deadline of many open cases at once: one statement per
/// date and 500 cases (a province refills 300,000). The caller recounts.
pub async fn set_dues(tx: &mut Tx, due: Option<NaiveDate>, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!("UPDATE case_file SET due_on = $1 WHERE id IN ({list})");
        in_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(due)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The kept deadline of every open case.
pub async fn kept_dues(
    r: &mut Reader,
) -> Result<std::collections::HashMap<i64, Option<NaiveDate>>> {
    let rows: Vec<(i64, Option<NaiveDate>)> = read!(r, |c| sqlx::query_as(
        "SELECT id, due_on FROM case_file WHERE closed_on IS NULL"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().collect())
}

/// Per cell under a path, its listed open cases whose kept deadline is
/// before `on`: late on that day (the table's "hồ sơ quá hạn").
pub async fn late_by_cell(r: &mut Reader, path: &str, on: NaiveDate) -> Result<Vec<(i64, i64)>> {
    let (from, to) = super::prefix_range(path);
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT d.cell_id, CAST(SUM(d.cases) AS BIGINT) FROM org_unit o JOIN case_due_count d ON d.cell_id = o.id \
         WHERE o.path >= $1 AND o.path < $2 AND o.kind = 'chi_bo' AND d.due_on < $3 GROUP BY d.cell_id"
    )
    .bind(&from)
    .bind(&to)
    .bind(on)
    .fetch_all(c)
    .await
    })?)
}

/// The fingerprint of the rule packs a kept figure was computed with.
pub async fn kept_basis(r: &mut Reader, name: &str) -> Result<Option<String>> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT fingerprint FROM kept_basis WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(c)
    .await)?)
}

pub async fn set_kept_basis(
    tx: &mut Tx,
    name: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "INSERT INTO kept_basis (name, fingerprint, kept_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET fingerprint = $2, kept_at = $3"
    )
    .bind(name)
    .bind(fingerprint)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A case by id inside a write transaction, which sees its own changes.
pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<CaseRow>> {
    super::row_by_in(tx, CASE_FROM, CASE, "k.id", id).await
}

/// A case's steps inside a write transaction.
pub async fn steps_in(tx: &mut Tx, case_id: i64) -> Result<Vec<StepRow>> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, case_id, step, on_date, result, performer, forms, late_reason, note, vote_id, doc_number, actor \
         FROM case_step WHERE case_id = $1 ORDER BY on_date, id"
    )
    .bind(case_id)
    .fetch_all(c)
    .await
    })?)
}

/// A case's extensions inside a write transaction.
pub async fn extensions_in(tx: &mut Tx, case_id: i64) -> Result<Vec<ExtensionRow>> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT case_id, step, granted_on, reason FROM case_extension WHERE case_id = $1 ORDER BY step"
    )
    .bind(case_id)
    .fetch_all(c)
    .await
    })?)
}

pub async fn set_member(tx: &mut Tx, id: i64, member_id: i64) -> Result<()> {
    // The member is reminded of their own steps: the next sweep works it.
    in_tx!(tx, |c| sqlx::query(
        "UPDATE case_file SET member_id = $1, remind_on = opened_on WHERE id = $2"
    )
    .bind(member_id)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_age_exception(tx: &mut Tx, id: i64, text: &str) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE case_file SET age_exception = $1 WHERE id = $2"
    )
    .bind(text)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The upper committee's request for more (or `None`: answered).
pub async fn set_request(tx: &mut Tx, id: i64, request: Option<(&str, NaiveDate)>) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE case_file SET request = $1, request_on = $2 WHERE id = $3"
    )
    .bind(request.map(|r| r.0))
    .bind(request.map(|r| r.1))
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct StepRow {
    pub id: i64,
    pub case_id: i64,
    pub step: String,
    pub on_date: NaiveDate,
    /// done | failed
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub result: StepResult,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub performer: Performer,
    /// The forms filed, as a JSON list of codes.
    pub forms: String,
    pub late_reason: Option<String>,
    pub note: Option<String>,
    pub vote_id: Option<i64>,
    pub doc_number: Option<String>,
    pub actor: String,
}

pub struct NewStep<'a> {
    pub case_id: i64,
    pub step: &'a str,
    pub on_date: NaiveDate,
    pub result: StepResult,
    pub performer: Performer,
    pub forms: &'a str,
    pub late_reason: Option<&'a str>,
    pub note: Option<&'a str>,
    pub vote_id: Option<i64>,
    pub doc_number: Option<&'a str>,
    pub actor: &'a str,
}

pub async fn insert_step(tx: &mut Tx, s: &NewStep<'_>, now: DateTime<Utc>) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO case_step (case_id, step, on_date, result, performer, forms, late_reason, note, vote_id, \
             doc_number, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(s.case_id)
        .bind(s.step)
        .bind(s.on_date)
        .bind(s.result.as_str())
        .bind(s.performer.as_str())
        .bind(s.forms)
        .bind(s.late_reason)
        .bind(s.note)
        .bind(s.vote_id)
        .bind(s.doc_number)
        .bind(s.actor)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn steps(r: &mut Reader, case_id: i64) -> Result<Vec<StepRow>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT id, case_id, step, on_date, result, performer, forms, late_reason, note, vote_id, doc_number, actor \
         FROM case_step WHERE case_id = $1 ORDER BY on_date, id"
    )
    .bind(case_id)
    .fetch_all(c)
    .await
    })?)
}

/// The steps of the cases of the cells under a path (the open ones, or all
/// with `closed`), by case then date: one read for a whole table of cases.
pub async fn steps_under(r: &mut Reader, path: &str, closed: bool) -> Result<Vec<StepRow>> {
    let (from, to) = super::prefix_range(path);
    let sql = format!(
        "SELECT s.id, s.case_id, s.step, s.on_date, s.result, s.performer, s.forms, s.late_reason, s.note, \
         s.vote_id, s.doc_number, s.actor FROM case_step s JOIN case_file k ON k.id = s.case_id \
         JOIN org_unit o ON o.id = k.cell_id \
         WHERE o.path >= $1 AND o.path < $2{} ORDER BY s.case_id, s.on_date, s.id",
        only_open(closed)
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&from)
        .bind(&to)
        .fetch_all(c)
        .await)?)
}

/// The condition that keeps open cases only, unless closed ones are asked for.
fn only_open(closed: bool) -> &'static str {
    if closed {
        ""
    } else {
        " AND k.closed_on IS NULL"
    }
}

/// Cases of a kind under a path whose step `step` was done between two days
/// (both included), counted per cell; a case that closed another way than
/// completed (a death before the ceremony) does not count.
pub async fn decided_by_cell(
    r: &mut Reader,
    path: &str,
    kind: CaseKind,
    step: &str,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(i64, i64)>> {
    let (lo, hi) = super::prefix_range(path);
    Ok(read!(r, |c| {
        sqlx::query_as(
        // The cells first, then their cases: joined the other way round,
        // a single cell's report scanned every case of the province.
        "SELECT k.cell_id, COUNT(DISTINCT k.id) FROM case_step s JOIN case_file k ON k.id = s.case_id \
         WHERE k.cell_id IN (SELECT id FROM org_unit WHERE path >= $1 AND path < $2) AND k.kind = $3 AND s.step = $4 AND s.result = 'done' \
         AND s.on_date >= $5 AND s.on_date <= $6 AND (k.outcome IS NULL OR k.outcome = 'hoan_thanh') \
         GROUP BY k.cell_id"
    )
    .bind(&lo)
    .bind(&hi)
    .bind(kind.as_str())
    .bind(step)
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await
    })?)
}

/// Whether a vote already decided a step of some case.
pub async fn vote_used(r: &mut Reader, vote_id: i64) -> Result<bool> {
    let n: i64 = read!(r, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM case_step WHERE vote_id = $1"
    )
    .bind(vote_id)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PersonRow {
    pub case_id: i64,
    pub member_id: i64,
    pub full_name: String,
    /// nguoi_gioi_thieu | nguoi_giup_do
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub role: Performer,
    pub known_since: Option<NaiveDate>,
}

pub async fn add_person(
    tx: &mut Tx,
    case_id: i64,
    member_id: i64,
    role: Performer,
    known_since: Option<NaiveDate>,
) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "INSERT INTO case_person (case_id, member_id, role, known_since) VALUES ($1, $2, $3, $4)"
    )
    .bind(case_id)
    .bind(member_id)
    .bind(role.as_str())
    .bind(known_since)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn people(r: &mut Reader, case_id: i64) -> Result<Vec<PersonRow>> {
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT p.case_id, p.member_id, m.full_name, p.role, p.known_since FROM case_person p \
         JOIN member m ON m.id = p.member_id WHERE p.case_id = $1 ORDER BY p.role, m.full_name"
    )
    .bind(case_id)
    .fetch_all(c)
    .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ExtensionRow {
    pub case_id: i64,
    pub step: String,
    pub granted_on: NaiveDate,
    pub reason: String,
}

pub async fn add_extension(
    tx: &mut Tx,
    case_id: i64,
    step: &str,
    on: NaiveDate,
    reason: &str,
) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "INSERT INTO case_extension (case_id, step, granted_on, reason) VALUES ($1, $2, $3, $4)"
    )
    .bind(case_id)
    .bind(step)
    .bind(on)
    .bind(reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn extensions(r: &mut Reader, case_id: i64) -> Result<Vec<ExtensionRow>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT case_id, step, granted_on, reason FROM case_extension WHERE case_id = $1 ORDER BY step"
    )
    .bind(case_id)
    .fetch_all(c)
    .await
    })?)
}

/// The deadline extensions of the cases of the cells under a path (the open
/// ones, or all with `closed`).
pub async fn extensions_under(
    r: &mut Reader,
    path: &str,
    closed: bool,
) -> Result<Vec<ExtensionRow>> {
    let (from, to) = super::prefix_range(path);
    let sql = format!(
        "SELECT e.case_id, e.step, e.granted_on, e.reason FROM case_extension e \
         JOIN case_file k ON k.id = e.case_id JOIN org_unit o ON o.id = k.cell_id \
         WHERE o.path >= $1 AND o.path < $2{} ORDER BY e.case_id, e.step",
        only_open(closed)
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&from)
        .bind(&to)
        .fetch_all(c)
        .await)?)
}

/// The introducers and helpers of the cases of the cells under a path (the
/// open ones, or all with `closed`), by case.
pub async fn people_under(r: &mut Reader, path: &str, closed: bool) -> Result<Vec<PersonRow>> {
    let (from, to) = super::prefix_range(path);
    let sql = format!(
        "SELECT p.case_id, p.member_id, m.full_name, p.role, p.known_since FROM case_person p \
         JOIN member m ON m.id = p.member_id JOIN case_file k ON k.id = p.case_id \
         JOIN org_unit o ON o.id = k.cell_id \
         WHERE o.path >= $1 AND o.path < $2{} ORDER BY p.case_id, p.role, m.full_name",
        only_open(closed)
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&from)
        .bind(&to)
        .fetch_all(c)
        .await)?)
}

/// The closed votes of a cell's meetings on these kinds not yet recorded
/// for a step: `(vote id, "dd/mm/yyyy — subject: outcome")`, latest first.
pub async fn votes_to_record(
    r: &mut Reader,
    cell_id: i64,
    kinds: &[&str],
) -> Result<Vec<(i64, String)>> {
    #[derive(sqlx::FromRow)]
    struct V {
        id: i64,
        kind: String,
        subject: String,
        outcome: Option<String>,
        starts_at: DateTime<Utc>,
    }
    let rows: Vec<V> = read!(r, |c| {
        sqlx::query_as(
            "SELECT v.id, v.kind, v.subject, v.outcome, m.starts_at FROM vote v JOIN meeting m ON m.id = v.meeting_id \
             WHERE m.cell_id = $1 AND v.status <> 'open' \
             AND NOT EXISTS (SELECT 1 FROM case_step s WHERE s.vote_id = v.id) ORDER BY m.starts_at DESC, v.id DESC LIMIT 50",
        )
        .bind(cell_id)
        .fetch_all(c)
        .await
    })?;
    Ok(rows
        .into_iter()
        .filter(|v| kinds.contains(&v.kind.as_str()))
        .map(|v| {
            let day = crate::service::today(v.starts_at).format("%d/%m/%Y");
            let outcome = v.outcome.unwrap_or_default();
            (v.id, format!("{day} — {}: {outcome}", v.subject))
        })
        .collect())
}

/// An open case whose next reminder day has come, with the last step
/// recorded when it was read (with its version, what the sweep's write of
/// the next day checks: a case written meanwhile is worked again).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ToRemind {
    #[sqlx(flatten)]
    pub row: CaseRow,
    pub remind_on: NaiveDate,
    pub last_step: i64,
}

/// The open cases whose next reminder day (`remind_on`) is `on` or before,
/// by that day and id after `after`, at most `limit`: a pass reads the cases
/// that may owe a reminder (`case_remind`), not every open case.
pub async fn to_remind(
    r: &mut Reader,
    on: NaiveDate,
    after: Option<(NaiveDate, i64)>,
    limit: i64,
) -> Result<Vec<ToRemind>> {
    let from = if after.is_some() {
        "AND k.remind_on >= $3 AND (k.remind_on > $3 OR k.id > $4)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {CASE}, k.remind_on, (SELECT COALESCE(MAX(s.id), 0) FROM case_step s WHERE s.case_id = k.id) AS last_step \
         FROM {CASE_FROM} WHERE k.closed_on IS NULL AND k.remind_on <= $1 {from} \
         ORDER BY k.remind_on, k.id LIMIT $2"
    );
    Ok(read!(r, |c| {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(on)
            .bind(limit);
        match after {
            Some((day, id)) => q.bind(day).bind(id),
            None => q,
        }
        .fetch_all(c)
        .await
    })?)
}

/// Keeps the next reminder day of the cases `(id, version, last step)` as
/// the sweep read them; a case written since (its version or its last step
/// moved) keeps the day its write set, so the next pass reads it again.
pub async fn set_remind_on(
    tx: &mut Tx,
    next: Option<NaiveDate>,
    cases: &[(i64, i64, i64)],
) -> Result<()> {
    for chunk in cases.chunks(500) {
        // Integers written into the text, not bound (SQLite's parameter limit).
        let list = chunk
            .iter()
            .map(|(id, version, step)| format!("({id}, {version}, {step})"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE case_file SET remind_on = $1 WHERE closed_on IS NULL AND (id, version, \
             (SELECT COALESCE(MAX(s.id), 0) FROM case_step s WHERE s.case_id = case_file.id)) IN (VALUES {list})"
        );
        in_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(next)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The open cases a new committee post may remind, worked by the next sweep
/// again: a new secretary hears of the cell's cases, and a transfer's
/// deadlines alert both sides' secretaries and the committees above them.
/// Each member still has each reminder once.
pub async fn remind_cell_again(tx: &mut Tx, org_id: i64) -> Result<()> {
    let transfers = CaseKind::TRANSFERS
        .iter()
        .map(|k| format!("'{}'", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "UPDATE case_file SET remind_on = opened_on WHERE closed_on IS NULL \
         AND (cell_id = $1 OR kind IN ({transfers}))"
    );
    in_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A case worked by the next sweep again (someone new hears of it).
pub async fn remind_case_again(tx: &mut Tx, case_id: i64) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE case_file SET remind_on = opened_on WHERE id = $1 AND closed_on IS NULL"
    )
    .bind(case_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every open case worked by the next sweep again: the rule packs changed,
/// and with them deadlines and reminder windows.
pub async fn remind_all_again(tx: &mut Tx) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE case_file SET remind_on = opened_on WHERE closed_on IS NULL"
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The open cases of one kind, oldest first.
pub async fn open_of_kind(r: &mut Reader, kind: CaseKind) -> Result<Vec<CaseRow>> {
    let sql = format!(
        "SELECT {CASE} FROM {CASE_FROM} WHERE k.closed_on IS NULL AND k.kind = $1 ORDER BY k.opened_on, k.id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(kind.as_str())
    .fetch_all(c)
    .await)?)
}

/// Queues one in-app reminder about a case; false when this member already
/// had it (the key makes each reminder once-only).
pub async fn queue_reminder(
    tx: &mut Tx,
    member_id: i64,
    case_id: i64,
    key: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let added = in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO notice (member_id, channel, subject, body, status, next_attempt_at, created_at, case_id, \
             reminder_key) VALUES ($1, 'app', $2, $3, 'sent', $4, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(member_id)
        .bind(subject)
        .bind(body)
        .bind(now)
        .bind(case_id)
        .bind(key)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(added == 1)
}

/// The reminders sent about a case.
pub async fn reminders(r: &mut Reader, case_id: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT member_id, reminder_key, subject FROM notice WHERE case_id = $1 ORDER BY id"
    )
    .bind(case_id)
    .fetch_all(c)
    .await)?)
}
