//! Party badges (Huy hiệu Đảng): the proposals (a `huy_hieu` case with its
//! milestone and ceremony) and the awards recorded on members; and the few
//! member columns the badge lists read over a whole unit in three queries.

use super::{Reader, Result, Tx, in_tx, prefix_range, read, status_list};
use crate::model::Status;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::AssertSqlSafe;

/// A member as the badge lists read them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BadgeMember {
    pub id: i64,
    pub cell_id: i64,
    pub cell_name: String,
    pub full_name: String,
    pub admission_date: Option<NaiveDate>,
    #[sqlx(try_from = "String")]
    pub status: Status,
}

/// A badge a member received.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AwardRow {
    pub id: i64,
    pub member_id: i64,
    /// Years of party age.
    pub milestone: i64,
    pub awarded_on: NaiveDate,
    /// The proposal it completed.
    pub case_id: Option<i64>,
    /// The number of the competent committee's decision.
    pub decision_no: Option<String>,
}

/// What a proposal is for.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ProposalRow {
    pub case_id: i64,
    pub member_id: i64,
    pub milestone: i64,
    pub ceremony_on: NaiveDate,
    pub early: bool,
}

const MEMBER: &str =
    "m.id, m.cell_id, o.name AS cell_name, m.full_name, m.admission_date, m.status";
const AWARD: &str = "a.id, a.member_id, a.milestone, a.awarded_on, a.case_id, a.decision_no";
const PROPOSAL: &str = "b.case_id, b.member_id, b.milestone, b.ceremony_on, b.early";

/// The members on the lists of the cells under a path ("/1/7/").
pub async fn members_under(r: &mut Reader, path: &str) -> Result<Vec<BadgeMember>> {
    let (from, to) = prefix_range(path);
    let sql = format!(
        "SELECT {MEMBER} FROM member m JOIN org_unit o ON o.id = m.cell_id \
         WHERE o.path >= $1 AND o.path < $2 AND m.status IN {} ORDER BY o.path, m.name_fold, m.id",
        status_list(&Status::ON_LIST)
    );
    Ok(read!(r, |c| sqlx::query_as(AssertSqlSafe(sql))
        .bind(&from)
        .bind(&to)
        .fetch_all(c)
        .await)?)
}

/// What can interrupt party age or block a badge, for the members under a
/// path, in one statement: the whole standing history of those who ever
/// held one of `statuses` (the ones that interrupt party age; everyone
/// else's history cannot interrupt anything) as (member, status, from), and
/// the discipline decisions that took effect as (member, level, effective).
pub async fn histories_under(
    r: &mut Reader,
    path: &str,
    statuses: &[Status],
) -> Result<(Vec<(i64, String, NaiveDate)>, Vec<(i64, String, NaiveDate)>)> {
    let (from, to) = prefix_range(path);
    let disciplines = "SELECT 'd' AS k, d.member_id AS m, d.level AS c, d.effective_on AS f, \
         d.case_id AS o FROM discipline d JOIN member m ON m.id = d.member_id \
         JOIN org_unit o ON o.id = m.cell_id WHERE o.path >= $1 AND o.path < $2 \
         AND d.level IS NOT NULL AND d.effective_on IS NOT NULL";
    let sql = if statuses.is_empty() {
        format!("{disciplines} ORDER BY 2, 4, 5")
    } else {
        format!(
            "SELECT 's' AS k, s.member_id AS m, s.status AS c, s.start_date AS f, s.id AS o \
             FROM member_status s WHERE s.member_id IN (SELECT x.member_id FROM member_status x \
             JOIN member m ON m.id = x.member_id JOIN org_unit o ON o.id = m.cell_id \
             WHERE o.path >= $1 AND o.path < $2 AND x.status IN {}) \
             UNION ALL {disciplines} ORDER BY 1, 2, 4, 5",
            status_list(statuses)
        )
    };
    let rows: Vec<(String, i64, String, NaiveDate, i64)> =
        read!(r, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
            .bind(&from)
            .bind(&to)
            .fetch_all(c)
            .await)?;
    let (mut histories, mut disciplines) = (Vec::new(), Vec::new());
    for (k, m, code, on, _) in rows {
        if k == "s" {
            histories.push((m, code, on));
        } else {
            disciplines.push((m, code, on));
        }
    }
    Ok((histories, disciplines))
}

/// The awards of the members of the cells under a path.
pub async fn awards_under(r: &mut Reader, path: &str) -> Result<Vec<AwardRow>> {
    let (from, to) = prefix_range(path);
    let sql = format!(
        "SELECT {AWARD} FROM badge_award a JOIN member m ON m.id = a.member_id \
         JOIN org_unit o ON o.id = m.cell_id WHERE o.path >= $1 AND o.path < $2 \
         ORDER BY a.member_id, a.milestone"
    );
    Ok(read!(r, |c| sqlx::query_as(AssertSqlSafe(sql))
        .bind(&from)
        .bind(&to)
        .fetch_all(c)
        .await)?)
}

/// The open proposals of the cells under a path.
pub async fn open_under(r: &mut Reader, path: &str) -> Result<Vec<ProposalRow>> {
    let (from, to) = prefix_range(path);
    let sql = format!(
        "SELECT {PROPOSAL} FROM badge_case b JOIN case_file k ON k.id = b.case_id \
         JOIN org_unit o ON o.id = k.cell_id WHERE o.path >= $1 AND o.path < $2 \
         AND k.closed_on IS NULL ORDER BY b.ceremony_on, b.case_id"
    );
    Ok(read!(r, |c| sqlx::query_as(AssertSqlSafe(sql))
        .bind(&from)
        .bind(&to)
        .fetch_all(c)
        .await)?)
}

/// What a proposal is for.
pub async fn proposal(r: &mut Reader, case_id: i64) -> Result<Option<ProposalRow>> {
    super::row_by(r, "badge_case b", PROPOSAL, "b.case_id", case_id).await
}

/// [`proposal`] inside a write transaction.
pub async fn proposal_in(tx: &mut Tx, case_id: i64) -> Result<Option<ProposalRow>> {
    let sql = format!("SELECT {PROPOSAL} FROM badge_case b WHERE b.case_id = $1");
    Ok(in_tx!(tx, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(case_id)
        .fetch_optional(c)
        .await)?)
}

pub async fn insert_proposal(tx: &mut Tx, p: &ProposalRow, now: DateTime<Utc>) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO badge_case (case_id, member_id, milestone, ceremony_on, early, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(p.case_id)
        .bind(p.member_id)
        .bind(p.milestone)
        .bind(p.ceremony_on)
        .bind(p.early)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Records an award; false when the member already has this milestone's.
pub async fn insert_award(
    tx: &mut Tx,
    a: &AwardRow,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO badge_award (member_id, milestone, awarded_on, case_id, decision_no, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (member_id, milestone) DO NOTHING",
        )
        .bind(a.member_id)
        .bind(a.milestone)
        .bind(a.awarded_on)
        .bind(a.case_id)
        .bind(a.decision_no.as_deref())
        .bind(actor)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// The number given with a case's step (the competent committee's decision).
pub async fn decision_no_in(tx: &mut Tx, case_id: i64, step: &str) -> Result<Option<String>> {
    let n: Option<Option<String>> = in_tx!(tx, |c| sqlx::query_scalar(
        "SELECT doc_number FROM case_step WHERE case_id = $1 AND step = $2 AND result = 'done' \
         ORDER BY id DESC LIMIT 1"
    )
    .bind(case_id)
    .bind(step)
    .fetch_optional(c)
    .await)?;
    Ok(n.flatten())
}

/// What the badge rules read of one member, in one statement: their whole
/// standing history (status, from), their awards and their open proposal.
pub struct MemberRecord {
    pub history: Vec<(String, NaiveDate)>,
    pub awards: Vec<AwardRow>,
    pub proposal: Option<ProposalRow>,
    /// Discipline decisions that took effect: (level, effective).
    pub disciplines: Vec<(String, NaiveDate)>,
}

pub async fn record_of(r: &mut Reader, member_id: i64) -> Result<MemberRecord> {
    type Row = (
        String,
        Option<i64>,
        Option<i64>,
        NaiveDate,
        Option<String>,
        Option<i64>,
        i64,
    );
    let rows: Vec<Row> = read!(r, |c| {
        sqlx::query_as(
        "SELECT 's' AS k, NULL AS n1, NULL AS n2, s.start_date AS d, s.status AS t, NULL AS n3, s.id AS o \
         FROM member_status s WHERE s.member_id = $1 \
         UNION ALL SELECT 'a', a.milestone, a.case_id, a.awarded_on, a.decision_no, a.id, a.id \
         FROM badge_award a WHERE a.member_id = $1 \
         UNION ALL SELECT 'p', b.milestone, b.case_id, b.ceremony_on, NULL, \
         CASE WHEN b.early THEN 1 ELSE 0 END, b.case_id \
         FROM badge_case b JOIN case_file k ON k.id = b.case_id \
         WHERE b.member_id = $1 AND k.closed_on IS NULL \
         UNION ALL SELECT 'd', NULL, d.case_id, d.effective_on, d.level, NULL, d.case_id \
         FROM discipline d WHERE d.member_id = $1 AND d.level IS NOT NULL \
         AND d.effective_on IS NOT NULL \
         ORDER BY 1, 4, 7"
    )
    .bind(member_id)
    .fetch_all(c)
    .await
    })?;
    let mut out = MemberRecord {
        history: Vec::new(),
        awards: Vec::new(),
        proposal: None,
        disciplines: Vec::new(),
    };
    for (k, n1, n2, d, t, n3, _) in rows {
        match k.as_str() {
            "s" => out.history.push((t.unwrap_or_default(), d)),
            "a" => out.awards.push(AwardRow {
                id: n3.unwrap_or_default(),
                member_id,
                milestone: n1.unwrap_or_default(),
                awarded_on: d,
                case_id: n2,
                decision_no: t,
            }),
            "d" => out.disciplines.push((t.unwrap_or_default(), d)),
            _ => {
                out.proposal = Some(ProposalRow {
                    case_id: n2.unwrap_or_default(),
                    member_id,
                    milestone: n1.unwrap_or_default(),
                    ceremony_on: d,
                    early: n3 == Some(1),
                })
            }
        }
    }
    Ok(out)
}
