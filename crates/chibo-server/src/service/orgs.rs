//! The organisation tree and committee posts.

pub use crate::store::orgs::{CellStat, CommitteePost, OrgRow};

use super::caches::Change;
use super::members::search_members;
use super::{Actor, Result, ServiceError, Services, org, org_for};
use crate::model::{
    CellType, CommitteeRole, OrgCode, OrgKind, Problem, Problems, fold, format_date, nfc,
};
use crate::store::members::{MemberSummary, SearchQuery};
use crate::store::{self, Reader, Tx, audit, orgs::NewOrg};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

/// The text of an organisation form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct OrgFields {
    pub kind: String,
    pub code: String,
    pub name: String,
    pub cell_type: String,
    pub place: String,
}

struct ValidOrg {
    kind: OrgKind,
    code: Option<OrgCode>,
    name: String,
    cell_type: Option<CellType>,
    place: Option<String>,
}

fn parse(f: &OrgFields) -> Result<ValidOrg> {
    let mut p = Problems::default();
    let kind = OrgKind::parse(&f.kind);
    if kind.is_none() {
        p.push(Problem::new("kind", "org_kind.unknown", f.kind.clone()));
    }
    let name = nfc(&f.name);
    if name.is_empty() {
        p.push(Problem::new("name", "required", ""));
    }
    let code = if f.code.trim().is_empty() {
        if matches!(kind, Some(OrgKind::ChiBo | OrgKind::DangBo)) {
            p.push(Problem::new("code", "required", ""));
        }
        None
    } else {
        p.take(OrgCode::parse(&f.code))
    };
    let cell_type = if kind == Some(OrgKind::ChiBo) {
        p.take(CellType::parse(f.cell_type.trim()))
    } else {
        None
    };
    if !p.is_empty() {
        return Err(ServiceError::Invalid(p));
    }
    let place = nfc(&f.place);
    Ok(ValidOrg {
        kind: kind.expect("checked"),
        code,
        name,
        cell_type,
        place: (!place.is_empty()).then_some(place),
    })
}

/// A unit's page: where it sits, what is under it, its committee, and the
/// members its posts may be given to (for those who run it).
pub struct UnitPage {
    pub unit: OrgRow,
    pub lineage: Vec<OrgRow>,
    pub children: Vec<CellStat>,
    pub groups: Vec<OrgRow>,
    pub committee: Vec<CommitteePost>,
    pub members: Vec<MemberSummary>,
    pub may_manage: bool,
}

/// The unit a page is about: the one asked for, else the actor's own (else
/// the first root, for an administrator without a unit); refused unless the
/// actor sees it.
pub(crate) async fn unit_for(
    r: &mut Reader,
    actor: &Actor,
    requested: Option<i64>,
) -> Result<OrgRow> {
    let id = match requested.or_else(|| actor.primary().and_then(|g| g.org_id)) {
        Some(id) => id,
        None => store::orgs::roots(r)
            .await?
            .first()
            .map(|o| o.id)
            .ok_or(ServiceError::NotFound)?,
    };
    let unit = org_for(r, actor, id).await?;
    if !actor.can_see(&unit) {
        return Err(ServiceError::Forbidden);
    }
    Ok(unit)
}

/// The party groups of a cell.
pub(crate) async fn groups_of(r: &mut Reader, cell_id: i64) -> Result<Vec<OrgRow>> {
    Ok(store::orgs::children(r, cell_id)
        .await?
        .into_iter()
        .filter(|g| g.kind == "to_dang")
        .collect())
}

async fn check_code_free(
    r: &mut Reader,
    code: Option<&OrgCode>,
    except: Option<i64>,
) -> Result<()> {
    if let Some(c) = code
        && let Some(o) = store::orgs::by_code(r, c.as_str()).await?
        && Some(o.id) != except
    {
        return Err(ServiceError::invalid(Problem::new(
            "code",
            "org_code.duplicate",
            c.as_str(),
        )));
    }
    Ok(())
}

impl Services {
    /// The unit a page is about (see [`unit_for`]).
    pub async fn unit_for(&self, actor: &Actor, requested: Option<i64>) -> Result<OrgRow> {
        self.db
            .read(async |r| unit_for(r, actor, requested).await)
            .await
    }

    /// A unit's page.
    pub async fn unit_page(&self, actor: &Actor, id: i64) -> Result<UnitPage> {
        self.db
            .read(async |r| {
                let unit = unit_for(r, actor, Some(id)).await?;
                let lineage = store::orgs::lineage(r, &unit).await?;
                let (children, groups) = match unit.kind.as_str() {
                    "chi_bo" => (vec![], store::orgs::children(r, unit.id).await?),
                    "to_dang" => (vec![], vec![]),
                    _ => (store::orgs::cells_with_counts(r, unit.id).await?, vec![]),
                };
                let in_cell = matches!(unit.kind.as_str(), "chi_bo" | "to_dang");
                let committee = if in_cell {
                    store::orgs::committee(r, unit.id).await?
                } else {
                    vec![]
                };
                let may_manage = actor.can_manage(&unit);
                let members = if may_manage && in_cell {
                    let cell = if unit.kind == "to_dang" {
                        org(r, unit.parent_id.unwrap_or(unit.id)).await?
                    } else {
                        unit.clone()
                    };
                    let q = SearchQuery {
                        status: Some("chinh_thuc".into()),
                        page: 1,
                        per_page: 200,
                        ..Default::default()
                    };
                    search_members(r, actor, &cell, q).await?.rows
                } else {
                    vec![]
                };
                Ok(UnitPage {
                    unit,
                    lineage,
                    children,
                    groups,
                    committee,
                    members,
                    may_manage,
                })
            })
            .await
    }

    /// A unit the actor runs (its committee).
    pub async fn managed_unit(&self, actor: &Actor, id: i64) -> Result<OrgRow> {
        let unit = self.unit_for(actor, Some(id)).await?;
        if !actor.can_manage(&unit) {
            return Err(ServiceError::Forbidden);
        }
        Ok(unit)
    }

    /// The units directly under one the actor sees, with member counts.
    pub async fn unit_children(&self, actor: &Actor, id: i64) -> Result<Vec<CellStat>> {
        self.db
            .read(async |r| {
                let unit = unit_for(r, actor, Some(id)).await?;
                Ok(store::orgs::cells_with_counts(r, unit.id).await?)
            })
            .await
    }

    /// Creates a unit under `parent` (None: a root, admins only).
    pub async fn create_org(
        &self,
        actor: &Actor,
        parent: Option<i64>,
        f: &OrgFields,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (parent, v) = self
            .db
            .read(async |r| {
                let parent = match parent {
                    Some(id) => Some(org(r, id).await?),
                    None => None,
                };
                let allowed = match &parent {
                    Some(p) => actor.can_organise(p),
                    None => actor.is_admin(),
                };
                if !allowed {
                    return Err(ServiceError::Forbidden);
                }
                let v = parse(f)?;
                if let Some(p) = &parent {
                    let pk = OrgKind::parse(&p.kind).ok_or(ServiceError::NotFound)?;
                    if !pk.may_contain(v.kind) {
                        return Err(ServiceError::invalid(Problem::new(
                            "kind",
                            "org_kind.placement",
                            f.kind.clone(),
                        )));
                    }
                }
                check_code_free(r, v.code.as_ref(), None).await?;
                Ok((parent, v))
            })
            .await?;
        let mut tx = self.db.begin().await?;
        let id = insert_org(&mut tx, actor, parent.as_ref(), &v_new(&v), now).await?;
        self.commit_changing(tx, Change::Units).await?;
        Ok(id)
    }

    pub async fn update_org(
        &self,
        actor: &Actor,
        id: i64,
        f: &OrgFields,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (before, v) = self
            .db
            .read(async |r| {
                let before = org(r, id).await?;
                if !actor.can_organise(&before) {
                    return Err(ServiceError::Forbidden);
                }
                let f = OrgFields {
                    kind: before.kind.clone(),
                    ..f.clone()
                };
                let v = parse(&f)?;
                check_code_free(r, v.code.as_ref(), Some(id)).await?;
                Ok((before, v))
            })
            .await?;
        let code = v.code.as_ref().map(|c| c.as_str());
        let cell_type = v.cell_type.map(CellType::as_str);
        let mut tx = self.db.begin().await?;
        store::orgs::update(
            &mut tx,
            id,
            &v.name,
            &fold(&v.name),
            code,
            cell_type,
            v.place.as_deref(),
        )
        .await?;
        let summary = super::diff(
            &json!({"name": before.name, "code": before.code, "cell_type": before.cell_type, "place": before.place}),
            &json!({"name": v.name, "code": code, "cell_type": cell_type, "place": v.place}),
        );
        org_audit(&mut tx, actor, &before, "org.update", summary, now).await?;
        self.commit_changing(tx, Change::Units).await?;
        Ok(())
    }

    /// Appoints a member to a post from `start`; a single-seat post's previous
    /// holder leaves it the day before, so the history has no overlap.
    pub async fn assign_post(
        &self,
        actor: &Actor,
        org_id: i64,
        member_id: i64,
        role: CommitteeRole,
        start: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (org, member) = self
            .db
            .read(async |r| {
                let org = org(r, org_id).await?;
                if !actor.can_organise(&org) {
                    return Err(ServiceError::Forbidden);
                }
                let member = store::members::get(r, member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                Ok((org, member))
            })
            .await?;
        let cell_id = if org.kind == "to_dang" {
            org.parent_id
        } else {
            Some(org.id)
        };
        if Some(member.cell_id) != cell_id {
            return Err(ServiceError::invalid(Problem::new(
                "member_id",
                "post.member_elsewhere",
                member.full_name,
            )));
        }
        let mut tx = self.db.begin().await?;
        if role.is_single_seat() {
            for (post, since) in store::orgs::open_posts(&mut tx, org.id, role.as_str()).await? {
                if since >= start {
                    return Err(ServiceError::invalid(Problem::new(
                        "start_date",
                        "post.overlap",
                        format_date(start),
                    )));
                }
                store::orgs::end_post(&mut tx, post, start.pred_opt().unwrap_or(start)).await?;
            }
        }
        let id = store::orgs::add_post(&mut tx, org.id, member_id, role.as_str(), start).await?;
        let summary = json!({"member_id": member_id, "member": member.full_name, "role": role.as_str(), "start": start});
        org_audit(&mut tx, actor, &org, "org.post", summary, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn end_post(
        &self,
        actor: &Actor,
        org_id: i64,
        post_id: i64,
        end: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (org, post) = self
            .db
            .read(async |r| {
                let org = org(r, org_id).await?;
                if !actor.can_manage(&org) {
                    return Err(ServiceError::Forbidden);
                }
                let post = store::orgs::committee(r, org_id)
                    .await?
                    .into_iter()
                    .find(|p| p.id == post_id)
                    .ok_or(ServiceError::NotFound)?;
                Ok((org, post))
            })
            .await?;
        if end < post.start_date {
            return Err(ServiceError::invalid(Problem::new(
                "end_date",
                "post.end_before_start",
                format_date(end),
            )));
        }
        let mut tx = self.db.begin().await?;
        store::orgs::end_post(&mut tx, post_id, end).await?;
        org_audit(
            &mut tx,
            actor,
            &org,
            "org.post_end",
            json!({"post_id": post_id, "member": post.member_name, "end": end}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn v_new(v: &ValidOrg) -> OwnedOrg {
    OwnedOrg {
        kind: v.kind,
        code: v.code.as_ref().map(|c| c.as_str().to_string()),
        name: v.name.clone(),
        cell_type: v.cell_type.map(CellType::as_str),
        place: v.place.clone(),
    }
}

/// A unit to insert, owned (shared by the form, demo and import paths).
pub struct OwnedOrg {
    pub kind: OrgKind,
    pub code: Option<String>,
    pub name: String,
    pub cell_type: Option<&'static str>,
    pub place: Option<String>,
}

pub async fn insert_org(
    tx: &mut Tx,
    actor: &Actor,
    parent: Option<&OrgRow>,
    o: &OwnedOrg,
    now: DateTime<Utc>,
) -> Result<i64> {
    let name_fold = fold(&o.name);
    let id = store::orgs::insert(
        tx,
        &NewOrg {
            parent,
            kind: o.kind.as_str(),
            code: o.code.as_deref(),
            name: &o.name,
            name_fold: &name_fold,
            short_name: None,
            cell_type: o.cell_type,
            place: o.place.as_deref(),
        },
        now,
    )
    .await?;
    let org = store::orgs::get_in(tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    org_audit(
        tx,
        actor,
        &org,
        "org.create",
        create_summary(o, parent),
        now,
    )
    .await?;
    Ok(id)
}

/// What the audit entry of a new unit records (shared with the bulk demo).
pub(crate) fn create_summary(o: &OwnedOrg, parent: Option<&OrgRow>) -> serde_json::Value {
    json!({"kind": o.kind.as_str(), "code": o.code, "name": o.name, "cell_type": o.cell_type, "parent_id": parent.map(|p| p.id)})
}

/// The audit chain a unit's changes go into.
pub(crate) fn chain_of(org: &OrgRow) -> i64 {
    if org.kind == "to_dang" {
        org.parent_id.unwrap_or(org.id)
    } else {
        org.id
    }
}

/// Org changes go into the chain of the cell they concern (a party group's
/// into its cell's).
async fn org_audit(
    tx: &mut Tx,
    actor: &Actor,
    org: &OrgRow,
    action: &str,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    let chain_id = chain_of(org);
    audit::append(
        tx,
        &audit::NewEntry {
            chain_id,
            account_id: Some(actor.account_id),
            actor: &actor.audit_name(),
            action,
            entity: "org",
            entity_id: Some(org.id),
            summary: &summary,
        },
        now,
    )
    .await?;
    Ok(())
}
