//! The member registry: create, edit, status history, read (logged), search.

use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, diff, today};
use crate::model::{MemberDraft, MemberFields, Problem, Status, fold, format_date};
use crate::store::members::{MemberRow, MemberValues, SearchPage, SearchQuery, StatusPeriod};
use crate::store::{self, Tx, access::AccessKind, audit, orgs::OrgRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

impl MemberValues {
    pub fn from_draft(d: &MemberDraft, group_id: Option<i64>) -> Self {
        Self {
            group_id,
            full_name: d.full_name.as_str().to_string(),
            name_fold: fold(d.full_name.as_str()),
            other_name: d.other_name.clone(),
            sex: d.sex.map(|s| s.as_str().to_string()),
            date_of_birth: d.date_of_birth,
            ethnicity: d.ethnicity.clone(),
            religion: d.religion.clone(),
            national_id: d.national_id.as_ref().map(|v| v.as_str().to_string()),
            card_no: d.card_no.as_ref().map(|v| v.as_str().to_string()),
            admission_date: d.admission_date,
            ceremony_date: d.ceremony_date,
            official_date: d.official_date,
            phone: d.phone.as_ref().map(|v| v.as_str().to_string()),
            email: d.email.as_ref().map(|v| v.as_str().to_string()),
            residence: d.residence.clone(),
            notes: d.notes.clone(),
        }
    }

    pub fn from_row(r: &MemberRow) -> Self {
        Self {
            group_id: r.group_id,
            full_name: r.full_name.clone(),
            name_fold: fold(&r.full_name),
            other_name: r.other_name.clone(),
            sex: r.sex.clone(),
            date_of_birth: r.date_of_birth,
            ethnicity: r.ethnicity.clone(),
            religion: r.religion.clone(),
            national_id: r.national_id.clone(),
            card_no: r.card_no.clone(),
            admission_date: r.admission_date,
            ceremony_date: r.ceremony_date,
            official_date: r.official_date,
            phone: r.phone.clone(),
            email: r.email.clone(),
            residence: r.residence.clone(),
            notes: r.notes.clone(),
        }
    }

    /// What the audit trail records: every field but the search key.
    pub fn audit_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("name_fold");
        }
        v
    }
}

impl MemberFields {
    /// The form/spreadsheet text of a stored record (edit forms, export).
    pub fn from_row(r: &MemberRow, group_name: Option<&str>) -> Self {
        let d = |d: Option<NaiveDate>| d.map(format_date).unwrap_or_default();
        let s = |s: &Option<String>| s.clone().unwrap_or_default();
        Self {
            full_name: r.full_name.clone(),
            other_name: s(&r.other_name),
            sex: match r.sex.as_deref() {
                Some("nam") => "Nam".into(),
                Some("nu") => "Nữ".into(),
                _ => String::new(),
            },
            date_of_birth: d(r.date_of_birth),
            ethnicity: s(&r.ethnicity),
            religion: s(&r.religion),
            national_id: s(&r.national_id),
            card_no: s(&r.card_no),
            admission_date: d(r.admission_date),
            ceremony_date: d(r.ceremony_date),
            official_date: d(r.official_date),
            group_name: group_name.unwrap_or_default().to_string(),
            phone: s(&r.phone),
            email: s(&r.email),
            residence: s(&r.residence),
            notes: s(&r.notes),
        }
    }
}

/// A member as the detail page shows it.
pub struct MemberView {
    pub member: MemberRow,
    pub cell: OrgRow,
    pub group_name: Option<String>,
    pub history: Vec<StatusPeriod>,
}

/// The initial standing of a new record.
pub struct Admission {
    pub status: Status,
    pub since: NaiveDate,
}

impl Admission {
    /// Default standing from the dates given: full member once official,
    /// probationary from the ceremony (or decision) otherwise.
    pub fn infer(d: &MemberDraft, today: NaiveDate) -> Self {
        match (d.official_date, d.ceremony_date.or(d.admission_date)) {
            (Some(o), _) if o <= today => Self {
                status: Status::ChinhThuc,
                since: o,
            },
            (_, Some(s)) => Self {
                status: Status::DuBi,
                since: s,
            },
            _ => Self {
                status: Status::ChinhThuc,
                since: today,
            },
        }
    }
}

impl Services {
    /// Checks a unique field before writing, so the user gets a message
    /// naming the field instead of a constraint error.
    async fn check_unique(&self, v: &MemberValues, except: Option<i64>) -> Result<()> {
        let mut problems = crate::model::Problems::default();
        if let Some(card) = &v.card_no
            && let Some(id) = store::members::find_by_card(&self.db, card).await?
            && Some(id) != except
        {
            problems.push(Problem::new("card_no", "card_no.duplicate", card.clone()));
        }
        if let Some(nid) = &v.national_id
            && let Some(id) = store::members::find_by_national_id(&self.db, nid).await?
            && Some(id) != except
        {
            problems.push(Problem::new(
                "national_id",
                "national_id.duplicate",
                nid.clone(),
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(problems))
        }
    }

    pub async fn create_member(
        &self,
        actor: &Actor,
        cell: &OrgRow,
        fields: &MemberFields,
        group_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        if cell.kind != "chi_bo" || !actor.can_manage(cell) {
            return Err(ServiceError::Forbidden);
        }
        let draft = MemberDraft::parse(fields, today(now)).map_err(ServiceError::Invalid)?;
        let values = MemberValues::from_draft(&draft, self.valid_group(cell, group_id).await?);
        self.check_unique(&values, None).await?;
        let mut tx = self.db.begin().await?;
        let id = insert_member(
            &mut tx,
            actor,
            cell,
            &values,
            Admission::infer(&draft, today(now)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn valid_group(&self, cell: &OrgRow, group_id: Option<i64>) -> Result<Option<i64>> {
        let Some(g) = group_id else { return Ok(None) };
        let group = self.org(g).await?;
        if group.parent_id != Some(cell.id) || group.kind != "to_dang" {
            return Err(ServiceError::invalid(Problem::new(
                "group_id",
                "group.unknown",
                group.name,
            )));
        }
        Ok(Some(g))
    }

    pub async fn update_member(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        fields: &MemberFields,
        group_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let before = store::members::get(&self.db, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let cell = self.org_for(actor, before.cell_id).await?;
        if !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let draft = MemberDraft::parse(fields, today(now)).map_err(ServiceError::Invalid)?;
        let values = MemberValues::from_draft(&draft, self.valid_group(&cell, group_id).await?);
        self.check_unique(&values, Some(id)).await?;
        let mut tx = self.db.begin().await?;
        update_member_in(&mut tx, actor, &before, version, &values, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_status(
        &self,
        actor: &Actor,
        id: i64,
        status: Status,
        since: NaiveDate,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let m = store::members::get(&self.db, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let cell = self.org_for(actor, m.cell_id).await?;
        if !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        if since > today(now) {
            return Err(ServiceError::invalid(Problem::new(
                "start_date",
                "date.future",
                format_date(since),
            )));
        }
        let history = store::members::status_history(&self.db, id).await?;
        if let Some(last) = history.last() {
            if since < last.start_date {
                return Err(ServiceError::invalid(Problem::new(
                    "start_date",
                    "status.before_last",
                    format_date(since),
                )));
            }
            let current = Status::parse(&last.status).map_err(ServiceError::invalid)?;
            if !current.may_become(status) {
                return Err(ServiceError::invalid(Problem::new(
                    "status",
                    "status.transition",
                    status.label_vi(),
                )));
            }
        }
        let note = note.map(crate::model::nfc).filter(|n| !n.is_empty());
        let mut tx = self.db.begin().await?;
        store::members::add_status(&mut tx, id, status.as_str(), since, note.as_deref(), now)
            .await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::member(cell.id, id),
            "member.status",
            status_summary(&m.status, status, since, note.as_deref()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads a full record. Every attempt is logged, refused ones included.
    pub async fn read_member(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<MemberView> {
        let member = store::members::get(&self.db, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let cell = self.org_for(actor, member.cell_id).await?;
        let granted = actor.can_read_members(&cell) || actor.member_id == Some(id);
        // Logged (durably) before anything of the record is shown.
        self.access
            .log(store::access::Access {
                at: now,
                account_id: actor.account_id,
                member_id: Some(id),
                granted,
                kind: AccessKind::Read,
                detail: None,
            })
            .await?;
        if !granted {
            tracing::warn!(
                account = actor.account_id,
                member = id,
                "refused read of a member record"
            );
            return Err(ServiceError::Forbidden);
        }
        let group_name = match member.group_id {
            Some(g) => store::orgs::get(&self.db, g).await?.map(|o| o.name),
            None => None,
        };
        let history = store::members::status_history(&self.db, id).await?;
        Ok(MemberView {
            member,
            cell,
            group_name,
            history,
        })
    }

    pub async fn member_audit(&self, actor: &Actor, id: i64) -> Result<Vec<audit::EntryRow>> {
        let m = store::members::get(&self.db, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let cell = self.org_for(actor, m.cell_id).await?;
        if !actor.can_manage(&cell) && actor.role_at(&cell.path) != Some(crate::model::Role::Upper)
        {
            return Err(ServiceError::Forbidden);
        }
        Ok(audit::for_entity(&self.db, "member", id).await?)
    }

    /// Searches the members visible in `unit` (a cell, or an upper committee
    /// and all its cells). An ordinary member sees the others' basics only
    /// (name, group, status, committee post) and searches by name; the
    /// committee also sees and searches identifiers, and every search by an
    /// identifier is logged, with the members it found, before they are shown.
    pub async fn search_members(
        &self,
        actor: &Actor,
        unit: &OrgRow,
        mut q: SearchQuery,
    ) -> Result<SearchPage> {
        if !actor.can_see(unit) {
            return Err(ServiceError::Forbidden);
        }
        q.scope_path = unit.path.clone();
        if unit.kind == "chi_bo" {
            q.cell_id = Some(unit.id);
        }
        q.text = fold(&q.text);
        q.identifiers = actor.can_read_members(unit);
        let Some(digits) = store::members::identifier_digits(&q.text) else {
            return Ok(store::members::search(&self.db, &q).await?);
        };
        let now = self.now();
        let row = |member_id, granted| store::access::Access {
            at: now,
            account_id: actor.account_id,
            member_id,
            granted,
            kind: AccessKind::Search,
            detail: Some(digits.clone()),
        };
        if !q.identifiers {
            self.access.log(row(None, false)).await?;
            tracing::warn!(
                account = actor.account_id,
                "refused search of members by an identifier"
            );
            return Err(ServiceError::Forbidden);
        }
        let found = store::members::search(&self.db, &q).await?;
        let mut rows: Vec<_> = found.rows.iter().map(|m| row(Some(m.id), true)).collect();
        if rows.is_empty() {
            rows.push(row(None, true));
        }
        self.access.log_all(rows).await?;
        Ok(found)
    }
}

/// What the audit entry of a new member records (shared with the bulk demo).
pub(crate) fn create_summary(values: &MemberValues, status: Status) -> serde_json::Value {
    json!({"after": values.audit_json(), "status": status.as_str()})
}

/// What the audit entry of a change of status records.
pub(crate) fn status_summary(
    before: &str,
    status: Status,
    since: NaiveDate,
    note: Option<&str>,
) -> serde_json::Value {
    json!({"status": [before, status.as_str()], "since": since, "note": note})
}

/// Inserts a member with its first status period and audit entry, inside the
/// caller's transaction (shared by the form, the API, import and demo).
pub async fn insert_member(
    tx: &mut Tx,
    actor: &Actor,
    cell: &OrgRow,
    values: &MemberValues,
    admission: Admission,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id = store::members::insert(tx, cell.id, values, admission.status.as_str(), now)
        .await
        .map_err(unique_problem)?;
    store::members::add_status(
        tx,
        id,
        admission.status.as_str(),
        admission.since,
        None,
        now,
    )
    .await?;
    audit_entry(
        tx,
        actor,
        Subject::member(cell.id, id),
        "member.create",
        create_summary(values, admission.status),
        now,
    )
    .await?;
    Ok(id)
}

/// Writes changed values with the audit entry of what changed; nothing when
/// nothing changed (re-importing the same file is a no-op).
pub async fn update_member_in(
    tx: &mut Tx,
    actor: &Actor,
    before: &MemberRow,
    version: i64,
    values: &MemberValues,
    now: DateTime<Utc>,
) -> Result<bool> {
    let old = MemberValues::from_row(before);
    if &old == values {
        return Ok(false);
    }
    if !store::members::update(tx, before.id, version, values, now)
        .await
        .map_err(unique_problem)?
    {
        return Err(ServiceError::Stale);
    }
    audit_entry(
        tx,
        actor,
        Subject::member(before.cell_id, before.id),
        "member.update",
        diff(&old.audit_json(), &values.audit_json()),
        now,
    )
    .await?;
    Ok(true)
}

/// A race past `check_unique` still ends with a field message.
pub(super) fn unique_problem(e: store::StoreError) -> ServiceError {
    if e.is_unique_violation() {
        let msg = e.to_string();
        let field = if msg.contains("national_id") {
            "national_id"
        } else {
            "card_no"
        };
        let code = if field == "card_no" {
            "card_no.duplicate"
        } else {
            "national_id.duplicate"
        };
        ServiceError::invalid(Problem::new(field, code, ""))
    } else {
        e.into()
    }
}
