//! The member registry: create, edit, status history, read (logged), search.

use super::{
    Actor, Result, ServiceError, Services, Subject, audit_entry, diff, org, org_for, today,
};
use crate::model::{MemberDraft, MemberFields, Problem, Status, fold, format_date};
pub use crate::store::members::{
    AccessRow, MemberRow, MemberSummary, SearchPage, SearchQuery, StatusPeriod,
};

use super::orgs::{groups_of, unit_for};
use crate::model::Role;
use crate::store::access::AccessKind;
use crate::store::audit::EntryRow;
use crate::store::members::MemberValues;
use crate::store::{self, Reader, Tx, audit, orgs::OrgRow};
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

/// A member's page.
pub struct MemberRecord {
    pub view: MemberView,
    /// The record's audit trail, for its committee and the one above.
    pub audit: Option<Vec<EntryRow>>,
    /// Its latest reads, this one first (with the audit trail only).
    pub reads: Vec<AccessRow>,
    pub may_manage: bool,
    /// Their ratings of the last three years (kept in the dossier).
    pub ratings: Vec<super::evaluations::RatingLine>,
    /// Party age, the badges received and the next one due.
    pub badges: super::badges::MemberBadges,
}

/// What a member form is for.
#[derive(Debug, Clone, Copy)]
pub enum FormOf {
    /// A new member of this cell.
    Cell(i64),
    /// This member's record.
    Member(i64),
}

/// A unit's member list, one page of it.
pub struct MemberList {
    pub unit: OrgRow,
    /// The cell's party groups (a cell's list only).
    pub groups: Vec<OrgRow>,
    pub page: SearchPage,
    pub is_cell: bool,
    pub may_manage: bool,
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

/// Checks a unique field before writing, so the user gets a message naming
/// the field instead of a constraint error.
async fn check_unique(r: &mut Reader, v: &MemberValues, except: Option<i64>) -> Result<()> {
    let mut problems = crate::model::Problems::default();
    if let Some(card) = &v.card_no
        && let Some(id) = store::members::find_by_card(r, card).await?
        && Some(id) != except
    {
        problems.push(Problem::new("card_no", "card_no.duplicate", card.clone()));
    }
    if let Some(nid) = &v.national_id
        && let Some(id) = store::members::find_by_national_id(r, nid).await?
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

/// The group chosen for a member of `cell`, if it is one of its groups.
async fn valid_group(r: &mut Reader, cell: &OrgRow, group_id: Option<i64>) -> Result<Option<i64>> {
    let Some(g) = group_id else { return Ok(None) };
    let group = org(r, g).await?;
    if group.parent_id != Some(cell.id) || group.kind != "to_dang" {
        return Err(ServiceError::invalid(Problem::new(
            "group_id",
            "group.unknown",
            group.name,
        )));
    }
    Ok(Some(g))
}

/// How many of a record's latest reads its page lists.
const READS_SHOWN: i64 = 20;

/// A record with its cell, group and history, if the actor may read it
/// (none if refused: the caller logs the attempt either way).
async fn member_view(r: &mut Reader, actor: &Actor, id: i64) -> Result<Option<MemberView>> {
    let member = store::members::get(r, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let cell = org_for(r, actor, member.cell_id).await?;
    if !(actor.can_read_members(&cell) || actor.member_id == Some(id)) {
        return Ok(None);
    }
    let group_name = match member.group_id {
        Some(g) => store::orgs::get(r, g).await?.map(|o| o.name),
        None => None,
    };
    let history = store::members::status_history(r, id).await?;
    Ok(Some(MemberView {
        member,
        cell,
        group_name,
        history,
    }))
}

/// A member record and its cell, which the actor must manage.
async fn managed_member(r: &mut Reader, actor: &Actor, id: i64) -> Result<(MemberRow, OrgRow)> {
    let m = store::members::get(r, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let cell = org_for(r, actor, m.cell_id).await?;
    if !actor.can_manage(&cell) {
        return Err(ServiceError::Forbidden);
    }
    Ok((m, cell))
}

impl Services {
    pub async fn create_member(
        &self,
        actor: &Actor,
        cell_id: i64,
        fields: &MemberFields,
        group_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (cell, draft, values) = self
            .db
            .read(async |r| {
                let cell = org_for(r, actor, cell_id).await?;
                if cell.kind != "chi_bo" || !actor.can_manage(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let draft =
                    MemberDraft::parse(fields, today(now)).map_err(ServiceError::Invalid)?;
                let values =
                    MemberValues::from_draft(&draft, valid_group(r, &cell, group_id).await?);
                check_unique(r, &values, None).await?;
                Ok((cell, draft, values))
            })
            .await?;
        let mut tx = self.db.begin().await?;
        let id = insert_member(
            &mut tx,
            actor,
            &cell,
            &values,
            Admission::infer(&draft, today(now)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
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
        let (before, values) = self
            .db
            .read(async |r| {
                let (before, cell) = managed_member(r, actor, id).await?;
                let draft =
                    MemberDraft::parse(fields, today(now)).map_err(ServiceError::Invalid)?;
                let values =
                    MemberValues::from_draft(&draft, valid_group(r, &cell, group_id).await?);
                check_unique(r, &values, Some(id)).await?;
                Ok::<_, ServiceError>((before, values))
            })
            .await?;
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
        let (m, cell) = self
            .db
            .read(async |r| {
                let (m, cell) = managed_member(r, actor, id).await?;
                if since > today(now) {
                    return Err(ServiceError::invalid(Problem::new(
                        "start_date",
                        "date.future",
                        format_date(since),
                    )));
                }
                let history = store::members::status_history(r, id).await?;
                if let Some(last) = history.last() {
                    if since < last.start_date {
                        return Err(ServiceError::invalid(Problem::new(
                            "start_date",
                            "status.before_last",
                            format_date(since),
                        )));
                    }
                    let current = last.status;
                    if !current.may_become(status) {
                        return Err(ServiceError::invalid(Problem::new(
                            "status",
                            "status.transition",
                            status.label_vi(),
                        )));
                    }
                }
                Ok((m, cell))
            })
            .await?;
        let note = note.map(crate::model::nfc).filter(|n| !n.is_empty());
        let mut tx = self.db.begin().await?;
        store::members::add_status(&mut tx, id, status.as_str(), since, note.as_deref(), now)
            .await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::member(cell.id, id),
            "member.status",
            status_summary(m.status.as_str(), status, since, note.as_deref()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads a full record. Every attempt is logged, refused ones included,
    /// and the log is on disk before anything of the record is shown.
    pub async fn read_member(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<MemberView> {
        let view = self
            .db
            .read(async |r| member_view(r, actor, id).await)
            .await?;
        self.log_read(actor, id, view, now).await
    }

    /// Logs a read of a record (refused if `view` is none) and gives it.
    async fn log_read<T>(
        &self,
        actor: &Actor,
        id: i64,
        view: Option<T>,
        now: DateTime<Utc>,
    ) -> Result<T> {
        self.access
            .log(store::access::Access {
                at: now,
                account_id: actor.account_id,
                member_id: Some(id),
                granted: view.is_some(),
                kind: AccessKind::Read,
                detail: None,
            })
            .await?;
        view.ok_or_else(|| {
            tracing::warn!(
                account = actor.account_id,
                member = id,
                "refused read of a member record"
            );
            ServiceError::Forbidden
        })
    }

    /// A member's page: the record (a logged read), and for those who run
    /// the cell or oversee it, its audit trail and who read it.
    pub async fn member_record(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<MemberRecord> {
        let record = self
            .db
            .read(async |r| {
                let Some(view) = member_view(r, actor, id).await? else {
                    return Ok::<_, ServiceError>(None);
                };
                let may_manage = actor.can_manage(&view.cell);
                let (audit, mut reads) =
                    if may_manage || actor.role_at(&view.cell.path) == Some(Role::Upper) {
                        (
                            Some(audit::for_entity(r, "member", id).await?),
                            store::members::access_log(r, id, READS_SHOWN).await?,
                        )
                    } else {
                        (None, Vec::new())
                    };
                if audit.is_some() {
                    // This very read, logged below before the page is shown.
                    reads.insert(
                        0,
                        AccessRow {
                            at: now,
                            account_id: actor.account_id,
                            who: Some(actor.display_name.clone()),
                            granted: true,
                            kind: AccessKind::Read.as_str().to_string(),
                            detail: None,
                        },
                    );
                    reads.truncate(READS_SHOWN as usize);
                }
                let ratings = super::evaluations::recent_ratings(r, id, super::today(now)).await?;
                let badges = self
                    .member_badges_of(r, &view.member, &view.cell.name, super::today(now))
                    .await?
                    .0;
                Ok(Some(MemberRecord {
                    view,
                    audit,
                    reads,
                    may_manage,
                    ratings,
                    badges,
                }))
            })
            .await?;
        self.log_read(actor, id, record, now).await
    }

    /// The edit form of a record (a logged read), for those who run its cell.
    pub async fn member_edit_form(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(MemberView, Vec<OrgRow>)> {
        let found = self
            .db
            .read(async |r| {
                let Some(view) = member_view(r, actor, id).await? else {
                    return Ok::<_, ServiceError>(None);
                };
                let groups = groups_of(r, view.cell.id).await?;
                Ok(Some((view, groups)))
            })
            .await?;
        let (view, groups) = self.log_read(actor, id, found, now).await?;
        if !actor.can_manage(&view.cell) {
            return Err(ServiceError::Forbidden);
        }
        Ok((view, groups))
    }

    /// The cell a member form is about and its party groups: a new member
    /// of `Cell(id)`, or the record `Member(id)`; for those who run the cell.
    pub async fn member_form(&self, actor: &Actor, of: FormOf) -> Result<(OrgRow, Vec<OrgRow>)> {
        self.db
            .read(async |r| {
                let cell = match of {
                    FormOf::Cell(id) => unit_for(r, actor, Some(id)).await?,
                    FormOf::Member(id) => managed_member(r, actor, id).await?.1,
                };
                if !actor.can_manage(&cell) || cell.kind != "chi_bo" {
                    return Err(ServiceError::Forbidden);
                }
                let groups = groups_of(r, cell.id).await?;
                Ok((cell, groups))
            })
            .await
    }

    /// How many of the actor's own cell stand in each status a meeting
    /// convenes (the vote calculator starts from them); nothing if their
    /// unit is not a cell whose members they may read.
    pub async fn own_cell_standing(&self, actor: &Actor) -> Result<Vec<(Status, i64)>> {
        const CONVENED: [Status; 4] = [
            Status::ChinhThuc,
            Status::DuBi,
            Status::MienSinhHoat,
            Status::TamThoiDi,
        ];
        self.db
            .read(async |r| {
                let cell = match unit_for(r, actor, None).await {
                    Ok(c) if c.kind == "chi_bo" && actor.can_read_members(&c) => c,
                    Ok(_) | Err(ServiceError::NotFound | ServiceError::Forbidden) => {
                        return Ok(Vec::new());
                    }
                    Err(e) => return Err(e),
                };
                let counts = store::members::status_counts(r, cell.id).await?;
                Ok(CONVENED
                    .iter()
                    .map(|s| {
                        let n = counts.iter().find(|(c, _)| c == s.as_str());
                        (*s, n.map_or(0, |(_, n)| *n))
                    })
                    .collect())
            })
            .await
    }

    /// The member list or search of a unit (the actor's own by default),
    /// with the party groups to filter by in a cell.
    pub async fn member_list(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        q: SearchQuery,
    ) -> Result<MemberList> {
        let text = q.text.clone();
        let list = self
            .db
            .read(async |r| {
                let unit = unit_for(r, actor, unit).await?;
                let page = search_members(r, actor, &unit, q).await?;
                let is_cell = unit.kind == "chi_bo";
                let groups = if is_cell {
                    groups_of(r, unit.id).await?
                } else {
                    vec![]
                };
                Ok(MemberList {
                    may_manage: actor.can_manage(&unit),
                    unit,
                    groups,
                    page,
                    is_cell,
                })
            })
            .await;
        self.log_search(actor, &text, list, |l| &l.page).await
    }

    /// Searches the members visible in `unit` (a cell, or an upper committee
    /// and all its cells). An ordinary member sees the others' basics only
    /// (name, group, status, committee post) and searches by name; the
    /// committee also sees and searches identifiers, and every search by an
    /// identifier is logged, with the members it found, before they are shown.
    pub async fn search_members(
        &self,
        actor: &Actor,
        unit_id: i64,
        q: SearchQuery,
    ) -> Result<SearchPage> {
        let text = q.text.clone();
        let found = self
            .db
            .read(async |r| {
                let unit = unit_for(r, actor, Some(unit_id)).await?;
                search_members(r, actor, &unit, q).await
            })
            .await;
        self.log_search(actor, &text, found, |p| p).await
    }

    /// Logs a search by an identifier (`text` as typed) before its result is
    /// shown: one row per member found, or one refused row. Other searches
    /// are not logged.
    async fn log_search<T>(
        &self,
        actor: &Actor,
        text: &str,
        result: Result<T>,
        page: impl FnOnce(&T) -> &SearchPage,
    ) -> Result<T> {
        let Some(digits) = store::members::identifier_digits(&fold(text)) else {
            return result;
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
        match &result {
            Ok(found) => {
                let mut rows: Vec<_> = page(found)
                    .rows
                    .iter()
                    .map(|m| row(Some(m.id), true))
                    .collect();
                if rows.is_empty() {
                    rows.push(row(None, true));
                }
                self.access.log_all(rows).await?;
            }
            Err(ServiceError::Forbidden) => {
                self.access.log(row(None, false)).await?;
                tracing::warn!(
                    account = actor.account_id,
                    "refused search of members by an identifier"
                );
            }
            Err(_) => {}
        }
        result
    }
}

/// Searches the members visible in `unit` (a cell, or an upper committee and
/// all its cells). An ordinary member sees the others' basics only (name,
/// group, status, committee post) and searches by name; the committee also
/// sees and searches identifiers. The caller logs a search by an identifier
/// ([`Services::log_search`]).
pub(crate) async fn search_members(
    r: &mut Reader,
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
    if !q.identifiers && store::members::identifier_digits(&q.text).is_some() {
        return Err(ServiceError::Forbidden);
    }
    Ok(store::members::search(r, &q).await?)
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
