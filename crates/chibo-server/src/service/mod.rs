//! Use cases. Each change runs in one transaction together with its audit
//! entry, after the actor's right to make it was checked here.

pub mod accounts;
pub mod anchor;
pub mod announcements;
pub mod audit;
pub mod backup;
pub mod badges;
pub mod ballot_print;
pub mod ballots;
pub mod caches;
pub mod calendar;
pub mod case_dues;
pub mod case_reminders;
pub mod cases;
pub mod clock;
pub mod concerns;
pub mod dashboard;
pub mod demo;
pub mod discipline;
pub mod discipline_print;
pub mod documents;
pub mod dues;
pub mod dues_receipts;
pub mod dues_statement;
pub mod home;
pub mod import;
pub mod jobs;
pub mod mail;
pub mod meetings;
pub mod members;
pub mod orgs;
pub mod personal;
pub mod reminders;
pub mod reports;
pub mod study;
pub mod task_print;
pub mod tasks;
pub mod transfers;
pub mod users;

pub use crate::store::count::counted;
pub mod case_documents;
pub mod cell_rating_print;
pub mod cell_ratings;
pub mod elections;
pub mod evaluation_print;
pub mod evaluations;
pub mod growth;
pub mod offline;
pub mod terms;

use crate::model::{Problem, Problems, Role};
use crate::store::{
    self, Db, Reader, StoreError, access::AccessLog, accounts::GrantRow, orgs::OrgRow,
};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input")]
    Invalid(Problems),
    /// The record changed since the form was opened.
    #[error("stale version")]
    Stale,
    #[error("too many attempts")]
    Throttled,
    #[error("wrong login or password")]
    BadCredentials,
    /// As many imports as the server allows are running.
    #[error("busy")]
    Busy,
    /// A secret ballot's cryptography refused the input (a forged token, a
    /// ballot for another vote…): chibo-ballot's stable code and message.
    #[error("{1}")]
    Ballot(&'static str, String),
    #[error("spreadsheet: {0}")]
    Sheet(#[from] chibo_docs::sheet::SheetError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    pub fn invalid(p: Problem) -> Self {
        Self::Invalid(Problems(vec![p]))
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// Today's date where the cells are (all Party deadlines are local dates).
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Ho_Chi_Minh).date_naive()
}

/// Who is acting, with the roles they hold and where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: i64,
    pub login: String,
    pub display_name: String,
    pub member_id: Option<i64>,
    pub grants: Vec<GrantRow>,
    /// The units of the grants, read with the actor in this request.
    pub units: Vec<OrgRow>,
}

impl Actor {
    /// An account as an actor, active or not (the console, tests).
    pub async fn load(db: &Db, account_id: i64) -> Result<Self> {
        db.read(async |r| {
            let found = store::actors::by_account(r, account_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            Ok(Self::from_found(found))
        })
        .await
    }

    /// The server itself, for the sweeps and the start-up passes: no
    /// account, no grant; its audit entries name it "Hệ thống (system)".
    pub fn system() -> Self {
        Self {
            account_id: 0,
            login: "system".into(),
            display_name: "Hệ thống".into(),
            member_id: None,
            grants: Vec::new(),
            units: Vec::new(),
        }
    }

    /// The actor a credential lookup found, with the units of their grants
    /// (pages and services start from these without asking again).
    pub fn from_found(f: store::actors::Found) -> Self {
        Self {
            account_id: f.account_id,
            login: f.login,
            display_name: f.display_name,
            member_id: f.member_id,
            grants: f.grants,
            units: f.units,
        }
    }

    /// The strongest role this actor holds over a unit (via the unit or an
    /// ancestor).
    pub fn role_at(&self, org_path: &str) -> Option<Role> {
        self.grants
            .iter()
            .filter(|g| org_path.starts_with(&g.path))
            .filter_map(|g| Role::parse(&g.role))
            .max()
    }

    /// The actor's own strongest grant: where their home page starts.
    pub fn primary(&self) -> Option<&GrantRow> {
        self.grants.iter().max_by_key(|g| Role::parse(&g.role))
    }

    pub fn is_admin(&self) -> bool {
        self.role_at("/").is_some_and(|r| r == Role::Admin)
    }

    pub fn can_manage(&self, org: &OrgRow) -> bool {
        self.role_at(&org.path).is_some_and(Role::manages_cell)
    }

    /// An upper committee (or admin) over this unit: may approve and set up
    /// its organisation.
    pub fn oversees(&self, org: &OrgRow) -> bool {
        self.role_at(&org.path).is_some_and(|r| r >= Role::Upper)
    }

    /// May change the unit's organisation: its own committee or one above it.
    pub fn can_organise(&self, org: &OrgRow) -> bool {
        self.can_manage(org) || self.oversees(org)
    }

    pub fn can_read_members(&self, org: &OrgRow) -> bool {
        self.role_at(&org.path).is_some_and(Role::reads_members)
    }

    /// Sees the unit at all (a member sees their own cell's basics).
    pub fn can_see(&self, org: &OrgRow) -> bool {
        self.role_at(&org.path).is_some()
    }

    /// The label written in audit entries.
    pub fn audit_name(&self) -> String {
        format!("{} ({})", self.display_name, self.login)
    }
}

/// Appends `actor`'s entry about `on` to its chain, inside the transaction
/// that makes the change.
pub(crate) async fn audit_entry(
    tx: &mut store::Tx,
    actor: &Actor,
    on: Subject,
    action: &str,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    audit_entry_with(tx, actor, on, &[], action, summary, now).await
}

/// [`audit_entry`] imaging `parts` too: the records of its subject the act
/// changed besides the subject's own (a meeting's roll, agenda, votes…).
pub(crate) async fn audit_entry_with(
    tx: &mut store::Tx,
    actor: &Actor,
    on: Subject,
    parts: &[store::images::Part],
    action: &str,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    offline::keep_receipt(tx, actor, action, now).await?;
    store::audit::append_with(
        tx,
        &store::audit::NewEntry {
            chain_id: on.chain_id,
            account_id: Some(actor.account_id),
            actor: &actor.audit_name(),
            action,
            entity: on.entity,
            entity_id: Some(on.id),
            summary: &summary,
        },
        parts,
        now,
    )
    .await?;
    Ok(())
}

/// The record an audit entry is about, and the chain (its cell) it goes in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject {
    pub(crate) chain_id: i64,
    entity: &'static str,
    id: i64,
}

impl Subject {
    pub(crate) fn meeting(m: &store::meetings::MeetingRow) -> Self {
        Self {
            chain_id: m.cell_id,
            entity: "meeting",
            id: m.id,
        }
    }

    pub(crate) fn task(cell_id: i64, task_id: i64) -> Self {
        Self {
            chain_id: cell_id,
            entity: "task",
            id: task_id,
        }
    }

    pub(crate) fn report(org_id: i64, report_id: i64) -> Self {
        Self {
            chain_id: org_id,
            entity: "report",
            id: report_id,
        }
    }

    pub(crate) fn case(cell_id: i64, case_id: i64) -> Self {
        Self {
            chain_id: cell_id,
            entity: "case",
            id: case_id,
        }
    }

    pub(crate) fn candidate(cell_id: i64, candidate_id: i64) -> Self {
        Self {
            chain_id: cell_id,
            entity: "candidate",
            id: candidate_id,
        }
    }

    pub(crate) fn concern(cell_id: i64, id: i64) -> Self {
        Self {
            chain_id: cell_id,
            entity: "concern",
            id,
        }
    }

    pub(crate) fn study(cell_id: i64, id: i64) -> Self {
        Self {
            chain_id: cell_id,
            entity: "study",
            id,
        }
    }

    pub(crate) fn study_document(unit_id: i64, id: i64) -> Self {
        Self {
            chain_id: unit_id,
            entity: "study_document",
            id,
        }
    }

    pub(crate) fn announcement(unit_id: i64, id: i64) -> Self {
        Self {
            chain_id: unit_id,
            entity: "announcement",
            id,
        }
    }

    /// A unit's own records (a cell's dues month closed).
    pub(crate) fn unit(org_id: i64) -> Self {
        Self {
            chain_id: org_id,
            entity: "org",
            id: org_id,
        }
    }

    pub(crate) fn member(cell_id: i64, member_id: i64) -> Self {
        Self {
            chain_id: cell_id,
            entity: "member",
            id: member_id,
        }
    }
}

/// An API token's lifetime when the configuration does not say.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;

/// The services over one database, shared by the web layer and the CLI.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub rules: std::sync::Arc<chibo_rules::Rules>,
    /// Record views are logged through one group-committing writer.
    pub access: AccessLog,
    pub clock: clock::Clock,
    /// How long an API token lives unless its owner chose otherwise.
    pub token_lifetime: chrono::Duration,
    /// This process's counters for `/metrics`.
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// Limits on imports, and the permits of those running.
    pub imports: import::ImportGate,
    /// The key that signs the audit chains' checkpoints, and their log.
    pub anchor: std::sync::Arc<anchor::Anchor>,
    /// Secret ballots being cast: in memory only, by design.
    pub ballots: std::sync::Arc<ballots::BallotRoom>,
    /// What nearly every request reads and rare writes change.
    pub caches: std::sync::Arc<caches::Caches>,
}

impl Services {
    /// Needs a Tokio runtime: it starts the access log's writer task.
    pub fn new(
        db: Db,
        rules: chibo_rules::Rules,
        clock: clock::Clock,
        anchor: anchor::Anchor,
    ) -> Self {
        let backend = match db.backend() {
            store::Backend::Sqlite => "sqlite",
            store::Backend::Postgres => "postgres",
        };
        Self {
            access: AccessLog::start(db.clone()),
            caches: caches::start(&db),
            metrics: std::sync::Arc::new(crate::metrics::Metrics::new(backend)),
            db,
            rules: std::sync::Arc::new(rules),
            clock,
            token_lifetime: chrono::Duration::days(DEFAULT_TOKEN_DAYS),
            imports: import::ImportGate::default(),
            anchor: std::sync::Arc::new(anchor),
            ballots: std::sync::Arc::default(),
        }
    }

    /// The same services with these import limits.
    pub fn with_imports(mut self, imports: import::ImportGate) -> Self {
        self.imports = imports;
        self
    }

    /// The instant a request or a sweep acts at.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The person behind a session cookie's token, with the session's id
    /// and CSRF token; nobody for an expired session or a deactivated
    /// account.
    pub async fn session_actor(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Actor, i64, String)>> {
        let found = self
            .actor_by_session(&accounts::token_hash(token), now)
            .await?;
        Ok(found.and_then(|f| {
            let (id, csrf) = f.session.clone()?;
            Some((Actor::from_found((*f).clone()), id, csrf))
        }))
    }

    /// The account behind an API token, if the token is neither expired nor
    /// revoked and the account is active.
    pub async fn token_actor(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Actor>> {
        let found = self
            .actor_by_token(&accounts::token_hash(token), now)
            .await?;
        Ok(found.map(|f| Actor::from_found((*f).clone())))
    }

    /// Whether the database answers (`/readyz`).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.db.ping().await?)
    }

    /// A unit by id, in a reader of its own.
    pub async fn org(&self, id: i64) -> Result<OrgRow> {
        self.db.read(async |r| org(r, id).await).await
    }
}

/// A unit, read in the request's reader.
pub(crate) async fn org(r: &mut Reader, id: i64) -> Result<OrgRow> {
    store::orgs::get(r, id).await?.ok_or(ServiceError::NotFound)
}

/// A unit as [`org`], taken from the actor's own units when it is one of
/// them (most requests are about one's own cell).
pub(crate) async fn org_for(r: &mut Reader, actor: &Actor, id: i64) -> Result<OrgRow> {
    match actor.units.iter().find(|u| u.id == id) {
        Some(u) => Ok(u.clone()),
        None => org(r, id).await,
    }
}

/// The fields that differ between two JSON objects, as `{field: [before, after]}`.
pub fn diff(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (k, av) in a {
            let bv = b.get(k).unwrap_or(&serde_json::Value::Null);
            if bv != av {
                out.insert(k.clone(), serde_json::json!([bv, av]));
            }
        }
    }
    serde_json::Value::Object(out)
}
