//! Discipline cases (issue 16): what a `ky_luat` case's steps decide beyond
//! the step rows, and who handles it.

use super::{Reader, Result, Tx, in_tx, read};
use chibo_rules::{Level, ViolationKind};
use chrono::NaiveDate;
use serde::Serialize;

/// A discipline case's own record.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct DisciplineRow {
    pub case_id: i64,
    pub member_id: i64,
    /// What the report or the committee found.
    pub finding: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub alleged_level: Level,
    /// A violation without limitation period (QĐ 69 Art. 4), if it is one.
    pub violation_kind: Option<String>,
    pub violation_on: NaiveDate,
    /// The secret ballot bound to the case.
    pub sv_id: Option<i64>,
    /// The level the ballot reached (none: no level reached).
    pub voted_level: Option<String>,
    /// The level in force.
    pub level: Option<String>,
    /// chi_bo | cap_tren
    pub decided_by: Option<String>,
    pub effective_on: Option<NaiveDate>,
    pub handover_refused: bool,
    pub complained_on: Option<NaiveDate>,
    pub lapses_on: Option<NaiveDate>,
    pub lapsed_on: Option<NaiveDate>,
    pub suspended_on: Option<NaiveDate>,
    pub prior_status: Option<String>,
}

impl DisciplineRow {
    /// The level in force, typed (the column holds a CHECKed Level code).
    pub fn level(&self) -> Option<Level> {
        self.level.as_deref().and_then(|l| l.parse().ok())
    }

    pub fn voted_level(&self) -> Option<Level> {
        self.voted_level.as_deref().and_then(|l| l.parse().ok())
    }

    pub fn violation_kind(&self) -> Option<ViolationKind> {
        self.violation_kind.as_deref().and_then(|k| k.parse().ok())
    }
}

const COLS: &str = "case_id, member_id, finding, alleged_level, violation_kind, violation_on, sv_id, \
     voted_level, level, decided_by, effective_on, handover_refused, complained_on, lapses_on, \
     lapsed_on, suspended_on, prior_status";

pub struct NewDiscipline<'a> {
    pub case_id: i64,
    pub member_id: i64,
    pub finding: &'a str,
    pub alleged_level: Level,
    pub violation_kind: Option<ViolationKind>,
    pub violation_on: NaiveDate,
}

pub async fn insert(tx: &mut Tx, n: &NewDiscipline<'_>) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO discipline (case_id, member_id, finding, alleged_level, violation_kind, violation_on) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(n.case_id)
    .bind(n.member_id)
    .bind(n.finding)
    .bind(n.alleged_level.as_str())
    .bind(n.violation_kind.map(|k| k.as_str()))
    .bind(n.violation_on)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn get(r: &mut Reader, case_id: i64) -> Result<Option<DisciplineRow>> {
    super::row_by(r, "discipline", COLS, "case_id", case_id).await
}

pub async fn get_in(tx: &mut Tx, case_id: i64) -> Result<Option<DisciplineRow>> {
    super::row_by_in(tx, "discipline", COLS, "case_id", case_id).await
}

/// Every discipline case of a member, oldest first.
pub async fn of_member(r: &mut Reader, member_id: i64) -> Result<Vec<DisciplineRow>> {
    let sql = format!("SELECT {COLS} FROM discipline WHERE member_id = $1 ORDER BY case_id");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(member_id)
        .fetch_all(c)
        .await)?)
}

/// The cases a ballot may already be bound to.
pub async fn by_ballot(r: &mut Reader, sv_id: i64) -> Result<Option<DisciplineRow>> {
    super::row_by(r, "discipline", COLS, "sv_id", sv_id).await
}

/// Decisions in force that have a lapse date, not lapsed yet.
pub async fn lapsing(r: &mut Reader, on: NaiveDate) -> Result<Vec<DisciplineRow>> {
    let sql = format!(
        "SELECT {COLS} FROM discipline WHERE lapses_on IS NOT NULL AND lapses_on <= $1 \
         AND lapsed_on IS NULL ORDER BY case_id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(on)
        .fetch_all(c)
        .await)?)
}

/// Binds the cell's secret ballot to the case; false if either is bound.
pub async fn bind_ballot(tx: &mut Tx, case_id: i64, sv_id: i64) -> Result<bool> {
    let r = in_tx!(tx, |c| sqlx::query(
        "UPDATE discipline SET sv_id = $2 WHERE case_id = $1 AND sv_id IS NULL"
    )
    .bind(case_id)
    .bind(sv_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()));
    match r {
        Ok(n) => Ok(n == 1),
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_voted(tx: &mut Tx, case_id: i64, level: Option<Level>) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE discipline SET voted_level = $2 WHERE case_id = $1"
    )
    .bind(case_id)
    .bind(level.map(|l| l.as_str()))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The level in force and who decided it (none: no discipline any more).
pub async fn set_level(tx: &mut Tx, case_id: i64, level: Option<(Level, &str)>) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE discipline SET level = $2, decided_by = $3 WHERE case_id = $1"
    )
    .bind(case_id)
    .bind(level.map(|(l, _)| l.as_str()))
    .bind(level.map(|(_, by)| by))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The decision announced or handed over: in force from `on`, lapsing on
/// `lapses` (none: it never lapses by itself).
pub async fn set_effective(
    tx: &mut Tx,
    case_id: i64,
    on: NaiveDate,
    refused: bool,
    lapses: Option<NaiveDate>,
) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE discipline SET effective_on = $2, handover_refused = $3, lapses_on = $4 WHERE case_id = $1"
    )
    .bind(case_id)
    .bind(on)
    .bind(refused)
    .bind(lapses)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn set_complaint(tx: &mut Tx, case_id: i64, on: NaiveDate) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE discipline SET complained_on = $2, lapses_on = NULL WHERE case_id = $1"
    )
    .bind(case_id)
    .bind(on)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_lapses(tx: &mut Tx, case_id: i64, lapses: Option<NaiveDate>) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE discipline SET lapses_on = $2 WHERE case_id = $1"
    )
    .bind(case_id)
    .bind(lapses)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks the lapse; false if another sweep did it first.
pub async fn set_lapsed(tx: &mut Tx, case_id: i64, on: NaiveDate) -> Result<bool> {
    let done = in_tx!(tx, |c| sqlx::query(
        "UPDATE discipline SET lapsed_on = $2 WHERE case_id = $1 AND lapsed_on IS NULL"
    )
    .bind(case_id)
    .bind(on)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

pub async fn set_suspended(
    tx: &mut Tx,
    case_id: i64,
    on: Option<NaiveDate>,
    prior: Option<&str>,
) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE discipline SET suspended_on = $2, prior_status = $3 WHERE case_id = $1"
    )
    .bind(case_id)
    .bind(on)
    .bind(prior)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn add_handler(tx: &mut Tx, case_id: i64, account_id: i64) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO discipline_handler (case_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    )
    .bind(case_id)
    .bind(account_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    // Its reminders go to those handling it: the next sweep tells the new one.
    super::cases::remind_case_again(tx, case_id).await
}

/// The accounts handling a case, with their names and member ids.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct HandlerRow {
    pub account_id: i64,
    pub display_name: String,
    pub member_id: Option<i64>,
}

pub async fn handlers(r: &mut Reader, case_id: i64) -> Result<Vec<HandlerRow>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT h.account_id, a.display_name, a.member_id FROM discipline_handler h \
         JOIN account a ON a.id = h.account_id WHERE h.case_id = $1 ORDER BY a.display_name, h.account_id"
    )
    .bind(case_id)
    .fetch_all(c)
    .await
    })?)
}

/// The cases an account handles.
pub async fn handled_by(r: &mut Reader, account_id: i64) -> Result<Vec<i64>> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT case_id FROM discipline_handler WHERE account_id = $1 ORDER BY case_id"
    )
    .bind(account_id)
    .fetch_all(c)
    .await)?)
}
