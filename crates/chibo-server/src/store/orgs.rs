//! The organisation tree and the committee posts held in it.

use super::{Reader, Result, Tx, in_tx, read};
use crate::model::Status;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct OrgRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub code: Option<String>,
    pub name: String,
    pub short_name: Option<String>,
    pub cell_type: Option<String>,
    pub place: Option<String>,
    /// Ancestor ids, `/1/7/42/`: the unit and everything below it share the prefix.
    pub path: String,
}

const COLUMNS: &str = "id, parent_id, kind, code, name, short_name, cell_type, place, path";

pub struct NewOrg<'a> {
    pub parent: Option<&'a OrgRow>,
    pub kind: &'a str,
    pub code: Option<&'a str>,
    pub name: &'a str,
    pub name_fold: &'a str,
    pub short_name: Option<&'a str>,
    pub cell_type: Option<&'a str>,
    pub place: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, o: &NewOrg<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id: i64 = in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO org_unit (parent_id, kind, code, name, name_fold, short_name, cell_type, place, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(o.parent.map(|p| p.id))
        .bind(o.kind)
        .bind(o.code)
        .bind(o.name)
        .bind(o.name_fold)
        .bind(o.short_name)
        .bind(o.cell_type)
        .bind(o.place)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    let path = format!("{}{id}/", o.parent.map_or("/", |p| p.path.as_str()));
    in_tx!(tx, |c| {
        sqlx::query("UPDATE org_unit SET path = $1 WHERE id = $2")
            .bind(&path)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    id: i64,
    name: &str,
    name_fold: &str,
    code: Option<&str>,
    cell_type: Option<&str>,
    place: Option<&str>,
) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE org_unit SET name = $1, name_fold = $2, code = $3, cell_type = $4, place = $5 WHERE id = $6",
        )
        .bind(name)
        .bind(name_fold)
        .bind(code)
        .bind(cell_type)
        .bind(place)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Units kept in memory by a server process, read by nearly every page (a
/// member's cell, a page's unit and its ancestors, a cell's groups) and
/// changed only by rare writes, which drop them all (`service::caches`).
/// [`get`] and [`children`] consult them when the request runs inside
/// [`keeping`]; outside a request (sweeps, the console) they read the
/// database.
pub struct Kept {
    units: Mutex<Units>,
    /// Bumped by every change: what was read before it is not kept.
    generation: AtomicU64,
    /// Whether anything may be kept (see `service::caches`).
    on: AtomicBool,
}

#[derive(Default)]
struct Units {
    by_id: HashMap<i64, OrgRow>,
    children: HashMap<i64, Vec<OrgRow>>,
}

/// Past this many rows kept, all are dropped and kept anew: a province's
/// 15,000 cells with their groups fit several times over.
const KEPT_ROWS: usize = 200_000;

impl Kept {
    pub fn new(on: bool) -> Self {
        Self {
            units: Mutex::default(),
            generation: AtomicU64::new(0),
            on: AtomicBool::new(on),
        }
    }

    fn units(&self) -> MutexGuard<'_, Units> {
        self.units.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops every unit kept (a unit created, renamed, moved or closed).
    pub fn clear(&self) {
        let mut u = self.units();
        self.generation.fetch_add(1, Ordering::AcqRel);
        *u = Units::default();
    }

    /// Whether anything may be kept from now on; drops what was.
    pub fn set_on(&self, on: bool) {
        self.on.store(on, Ordering::Release);
        self.clear();
    }

    fn mark(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps what `put` adds if nothing changed since `mark` and the read
    /// was not made on a replica (which may lag behind a change).
    fn keep(&self, mark: u64, put: impl FnOnce(&mut Units)) {
        if !self.on.load(Ordering::Acquire) || super::replica::in_use() {
            return;
        }
        let mut u = self.units();
        if self.generation.load(Ordering::Acquire) != mark {
            return;
        }
        if u.by_id.len() + u.children.len() > KEPT_ROWS {
            *u = Units::default();
        }
        put(&mut u);
    }

    /// How many units are kept by id (tests).
    pub fn len(&self) -> usize {
        self.units().by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

tokio::task_local! {
    static KEPT: Arc<Kept>;
}

/// Runs a request with `kept` consulted by its reads of units.
pub async fn keeping<F: Future>(kept: Arc<Kept>, f: F) -> F::Output {
    KEPT.scope(kept, f).await
}

fn kept() -> Option<Arc<Kept>> {
    KEPT.try_with(Arc::clone).ok()
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<OrgRow>> {
    let Some(kept) = kept() else {
        return super::row_by(r, "org_unit", COLUMNS, "id", id).await;
    };
    if let Some(o) = kept.units().by_id.get(&id) {
        return Ok(Some(o.clone()));
    }
    let mark = kept.mark();
    let found: Option<OrgRow> = super::row_by(r, "org_unit", COLUMNS, "id", id).await?;
    if let Some(o) = &found {
        kept.keep(mark, |u| {
            u.by_id.insert(o.id, o.clone());
        });
    }
    Ok(found)
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<OrgRow>> {
    super::row_by_in(tx, "org_unit", COLUMNS, "id", id).await
}

pub async fn by_code(r: &mut Reader, code: &str) -> Result<Option<OrgRow>> {
    let sql = format!("SELECT {COLUMNS} FROM org_unit WHERE code = $1");
    Ok(read!(r, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(code)
            .fetch_optional(c)
            .await
    })?)
}

pub async fn children(r: &mut Reader, parent_id: i64) -> Result<Vec<OrgRow>> {
    let kept = kept();
    if let Some(list) = kept
        .as_ref()
        .and_then(|k| k.units().children.get(&parent_id).cloned())
    {
        return Ok(list);
    }
    let mark = kept.as_ref().map(|k| k.mark());
    let sql = format!("SELECT {COLUMNS} FROM org_unit WHERE parent_id = $1 ORDER BY code, name");
    let list: Vec<OrgRow> = read!(r, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(parent_id)
            .fetch_all(c)
            .await
    })?;
    if let (Some(k), Some(mark)) = (kept, mark) {
        k.keep(mark, |u| {
            for o in &list {
                u.by_id.insert(o.id, o.clone());
            }
            u.children.insert(parent_id, list.clone());
        });
    }
    Ok(list)
}

pub async fn roots(r: &mut Reader) -> Result<Vec<OrgRow>> {
    let sql = format!("SELECT {COLUMNS} FROM org_unit WHERE parent_id IS NULL ORDER BY code, name");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(c)
        .await)?)
}

/// The unit and its ancestors, root first (breadcrumbs, permission checks).
pub async fn lineage(r: &mut Reader, org: &OrgRow) -> Result<Vec<OrgRow>> {
    let ids: Vec<i64> = org.path.split('/').filter_map(|s| s.parse().ok()).collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(o) = get(r, id).await? {
            out.push(o);
        }
    }
    Ok(out)
}

/// Finds a party group of a cell by its (folded) name.
pub async fn group_by_name(tx: &mut Tx, cell_id: i64, name_fold: &str) -> Result<Option<i64>> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT id FROM org_unit WHERE parent_id = $1 AND kind = 'to_dang' AND name_fold = $2",
        )
        .bind(cell_id)
        .bind(name_fold)
        .fetch_optional(c)
        .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CommitteePost {
    pub id: i64,
    pub org_id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub role: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

/// Every post ever held in the unit, current ones first.
pub async fn committee(r: &mut Reader, org_id: i64) -> Result<Vec<CommitteePost>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT r.id, r.org_id, r.member_id, m.full_name AS member_name, r.role, r.start_date, r.end_date \
             FROM committee_role r JOIN member m ON m.id = r.member_id WHERE r.org_id = $1 \
             ORDER BY (r.end_date IS NULL) DESC, r.start_date DESC, r.id",
        )
        .bind(org_id)
        .fetch_all(c)
        .await
    })?)
}

pub async fn open_posts(tx: &mut Tx, org_id: i64, role: &str) -> Result<Vec<(i64, NaiveDate)>> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_as("SELECT id, start_date FROM committee_role WHERE org_id = $1 AND role = $2 AND end_date IS NULL")
            .bind(org_id)
            .bind(role)
            .fetch_all(c)
            .await
    })?)
}

pub async fn add_post(
    tx: &mut Tx,
    org_id: i64,
    member_id: i64,
    role: &str,
    start: NaiveDate,
) -> Result<i64> {
    let id = in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO committee_role (org_id, member_id, role, start_date) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(org_id)
        .bind(member_id)
        .bind(role)
        .bind(start)
        .fetch_one(c)
        .await
    })?;
    // Someone new on a committee hears of its cases from the next sweep.
    super::cases::remind_cell_again(tx, org_id).await?;
    Ok(id)
}

pub async fn end_post(tx: &mut Tx, post_id: i64, end: NaiveDate) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("UPDATE committee_role SET end_date = $1 WHERE id = $2")
            .bind(end)
            .bind(post_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CellStat {
    pub id: i64,
    pub code: Option<String>,
    pub name: String,
    pub cell_type: Option<String>,
    pub members: i64,
    pub probationary: i64,
}

/// One cell's member count and probationary members (its own home page).
pub async fn cell_counts(r: &mut Reader, cell_id: i64) -> Result<(i64, i64)> {
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'du_bi' THEN 1 ELSE 0 END), 0) \
         FROM member WHERE cell_id = $1 AND status IN {}",
        super::status_list(&Status::ON_LIST)
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(cell_id)
        .fetch_one(c)
        .await)?)
}

/// The cells directly under a unit with their member counts, in one query.
pub async fn cells_with_counts(r: &mut Reader, parent_id: i64) -> Result<Vec<CellStat>> {
    let sql = format!(
        "SELECT o.id, o.code, o.name, o.cell_type, \
         COUNT(m.id) AS members, \
         COALESCE(SUM(CASE WHEN m.status = 'du_bi' THEN 1 ELSE 0 END), 0) AS probationary \
         FROM org_unit o LEFT JOIN member m ON m.cell_id = o.id AND m.status IN {} \
         WHERE o.parent_id = $1 AND o.kind IN ('chi_bo', 'dang_bo') \
         GROUP BY o.id, o.code, o.name, o.cell_type ORDER BY o.code, o.name",
        super::status_list(&Status::ON_LIST)
    );
    Ok(read!(r, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(parent_id)
            .fetch_all(c)
            .await
    })?)
}

/// Every cell under a unit's path ("/1/7/"), at any depth, in path order.
pub async fn cells_under(r: &mut Reader, path: &str) -> Result<Vec<OrgRow>> {
    let (from, to) = super::prefix_range(path);
    let sql = format!(
        "SELECT {COLUMNS} FROM org_unit WHERE path >= $1 AND path < $2 AND kind = 'chi_bo' ORDER BY path"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&from)
        .bind(&to)
        .fetch_all(c)
        .await)?)
}
