//! The study library (documents of a cell or an upper committee), the
//! assignments of a cell with their group, who studied which document, the
//! written reflections and the attendance of study sessions.

use super::{Reader, Result, Tx, in_tx, read};
use crate::model::{CheckedAssignment, CheckedDocument};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct DocumentRow {
    pub id: i64,
    /// The unit whose library holds it: a cell, or an upper committee.
    pub unit_id: i64,
    /// nghi_quyet | chi_thi | ket_luan | huong_dan | khac
    pub kind: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub issuer: String,
    pub title: String,
    /// The text read on the phone (empty when there is only a PDF).
    pub body: String,
    pub pdf_name: Option<String>,
    pub pdf_size: Option<i64>,
}

const DOCUMENT: &str =
    "id, unit_id, kind, number, issued_on, issuer, title, body, pdf_name, pdf_size";

pub async fn insert_document(
    tx: &mut Tx,
    unit_id: i64,
    d: &CheckedDocument,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO study_document (unit_id, kind, number, issued_on, issuer, title, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(unit_id)
    .bind(d.kind.as_str())
    .bind(&d.number)
    .bind(d.issued_on)
    .bind(&d.issuer)
    .bind(&d.title)
    .bind(&d.body)
    .bind(now)
    .fetch_one(c)
    .await
    })?)
}

/// Attaches (or replaces) the document's PDF.
pub async fn set_pdf(tx: &mut Tx, id: i64, name: &str, data: &[u8]) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE study_document SET pdf = $1, pdf_name = $2, pdf_size = $3 WHERE id = $4"
    )
    .bind(data)
    .bind(name)
    .bind(data.len() as i64)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn document(r: &mut Reader, id: i64) -> Result<Option<DocumentRow>> {
    super::row_by(r, "study_document", DOCUMENT, "id", id).await
}

/// The PDF of a document, with its name.
pub async fn pdf(r: &mut Reader, id: i64) -> Result<Option<(String, Vec<u8>)>> {
    let row: Option<(Option<String>, Option<Vec<u8>>)> =
        super::row_by(r, "study_document", "pdf_name, pdf", "id", id).await?;
    Ok(row.and_then(|(n, d)| Some((n?, d?))))
}

/// The libraries of these units, newest first.
pub async fn documents_of(r: &mut Reader, units: &[i64]) -> Result<Vec<DocumentRow>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = units.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT {DOCUMENT} FROM study_document WHERE unit_id IN ({}) ORDER BY issued_on DESC, id DESC",
        list.join(", ")
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(c)
        .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AssignmentRow {
    pub id: i64,
    pub cell_id: i64,
    pub document_id: i64,
    /// all | group | committee
    pub audience: String,
    pub deadline: NaiveDate,
    /// meeting | home
    pub place: String,
    pub meeting_id: Option<i64>,
    /// When that meeting starts.
    pub meeting_at: Option<DateTime<Utc>>,
    /// A written reflection is required.
    pub reflection: bool,
    pub created_at: DateTime<Utc>,
    pub title: String,
    pub number: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
}

const ASSIGNMENT: &str = "a.id, a.cell_id, a.document_id, a.audience, a.deadline, a.place, a.meeting_id, \
     (SELECT mt.starts_at FROM meeting mt WHERE mt.id = a.meeting_id) AS meeting_at, \
     a.reflection, a.created_at, d.title, d.number, d.issuer, d.issued_on";

pub async fn insert_assignment(
    tx: &mut Tx,
    cell_id: i64,
    document_id: i64,
    a: &CheckedAssignment,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id: i64 = in_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO study_assignment (cell_id, document_id, audience, deadline, place, meeting_id, reflection, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(cell_id)
    .bind(document_id)
    .bind(a.audience.as_str())
    .bind(a.deadline)
    .bind(a.place.as_str())
    .bind(a.meeting_id)
    .bind(a.reflection)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    for m in &a.members {
        in_tx!(tx, |c| sqlx::query(
            "INSERT INTO study_assignee (assignment_id, member_id) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(*m)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(id)
}

pub async fn assignment(r: &mut Reader, id: i64) -> Result<Option<AssignmentRow>> {
    let sql = format!(
        "SELECT {ASSIGNMENT} FROM study_assignment a JOIN study_document d ON d.id = a.document_id \
         WHERE a.id = $1"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// A cell's assignments, the latest deadline first.
pub async fn assignments_of_cell(r: &mut Reader, cell_id: i64) -> Result<Vec<AssignmentRow>> {
    let sql = format!(
        "SELECT {ASSIGNMENT} FROM study_assignment a JOIN study_document d ON d.id = a.document_id \
         WHERE a.cell_id = $1 ORDER BY a.deadline DESC, a.id DESC"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(cell_id)
        .fetch_all(c)
        .await)?)
}

/// What a cell's members did about its assignments, read at once.
#[derive(Debug, Clone, Default)]
pub struct CellRecord {
    /// (assignment, member) of every group.
    pub assignees: Vec<(i64, i64)>,
    /// (assignment, member, day studied).
    pub reads: Vec<(i64, i64, NaiveDate)>,
    /// (assignment, member, day submitted, late).
    pub reflections: Vec<(i64, i64, NaiveDate, bool)>,
    /// (assignment, member, present).
    pub attendance: Vec<(i64, i64, bool)>,
}

pub async fn record_of_cell(r: &mut Reader, cell_id: i64) -> Result<CellRecord> {
    let assignees = read!(r, |c| sqlx::query_as(
        "SELECT s.assignment_id, s.member_id FROM study_assignee s \
         JOIN study_assignment a ON a.id = s.assignment_id WHERE a.cell_id = $1"
    )
    .bind(cell_id)
    .fetch_all(c)
    .await)?;
    let reads = read!(r, |c| sqlx::query_as(
        "SELECT s.assignment_id, s.member_id, s.studied_on FROM study_done s \
         JOIN study_assignment a ON a.id = s.assignment_id WHERE a.cell_id = $1"
    )
    .bind(cell_id)
    .fetch_all(c)
    .await)?;
    let reflections = read!(r, |c| sqlx::query_as(
        "SELECT s.assignment_id, s.member_id, s.submitted_on, s.late FROM study_reflection s \
         JOIN study_assignment a ON a.id = s.assignment_id WHERE a.cell_id = $1"
    )
    .bind(cell_id)
    .fetch_all(c)
    .await)?;
    let attendance = read!(r, |c| sqlx::query_as(
        "SELECT s.assignment_id, s.member_id, s.present FROM study_attendance s \
         JOIN study_assignment a ON a.id = s.assignment_id WHERE a.cell_id = $1"
    )
    .bind(cell_id)
    .fetch_all(c)
    .await)?;
    Ok(CellRecord {
        assignees,
        reads,
        reflections,
        attendance,
    })
}

/// A member's reflection on an assignment: text, day, late.
pub async fn reflection(
    r: &mut Reader,
    assignment_id: i64,
    member_id: i64,
) -> Result<Option<(String, NaiveDate, bool)>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT body, submitted_on, late FROM study_reflection WHERE assignment_id = $1 AND member_id = $2"
    )
    .bind(assignment_id)
    .bind(member_id)
    .fetch_optional(c)
    .await
    })?)
}

/// Marks an assignment studied; false when the member had already marked it.
pub async fn mark_done(
    tx: &mut Tx,
    assignment_id: i64,
    member_id: i64,
    on: NaiveDate,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO study_done (assignment_id, member_id, studied_on) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    )
    .bind(assignment_id)
    .bind(member_id)
    .bind(on)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Keeps a reflection; a second one replaces the text and the day.
pub async fn put_reflection(
    tx: &mut Tx,
    assignment_id: i64,
    member_id: i64,
    body: &str,
    on: NaiveDate,
    late: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO study_reflection (assignment_id, member_id, body, submitted_on, late, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (assignment_id, member_id) DO UPDATE SET \
         body = excluded.body, submitted_on = excluded.submitted_on, late = excluded.late, \
         submitted_at = excluded.submitted_at"
    )
    .bind(assignment_id)
    .bind(member_id)
    .bind(body)
    .bind(on)
    .bind(late)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Records who attended a study session (replacing an earlier record).
pub async fn set_attendance(
    tx: &mut Tx,
    assignment_id: i64,
    present: &[(i64, bool)],
    held_on: NaiveDate,
) -> Result<()> {
    for (member_id, here) in present {
        in_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO study_attendance (assignment_id, member_id, present, held_on) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (assignment_id, member_id) DO UPDATE SET present = excluded.present, \
             held_on = excluded.held_on"
        )
        .bind(assignment_id)
        .bind(*member_id)
        .bind(*here)
        .bind(held_on)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// The cells with an assignment whose deadline falls between two days.
pub async fn cells_with_open_assignments(
    r: &mut Reader,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<i64>> {
    Ok(read!(r, |c| {
        sqlx::query_scalar(
        "SELECT DISTINCT cell_id FROM study_assignment WHERE deadline >= $1 AND deadline <= $2 ORDER BY cell_id"
    )
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await
    })?)
}
