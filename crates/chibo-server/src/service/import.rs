//! Members in and out of spreadsheets: preview, all-or-nothing commit, export.
//!
//! One function reads the file for both: [`Services::plan_import`] streams
//! it and works out what it would change, [`Services::commit_import`] streams
//! it again and makes those changes in one transaction, each with its audit
//! entry, then checks that they are exactly the previewed ones (a digest of
//! every change) before committing. The console, which shows the plan it
//! writes, reads the file once ([`Services::import_at_once`]): the same
//! transaction, rolled back when the plan cannot be written as it stands.
//! None holds the file's rows: they come from a reader thread over a
//! bounded channel and are handled in chunks.
//!
//! What a file does not say is never changed: a column the file lacks
//! leaves that field alone, and a blank cell erases only in a column the
//! user chose to clear, after the preview listed every value it erases. A
//! new member's standing inferred from dates (no "Trạng thái" column) is
//! written only once the user confirmed it, and an existing member's
//! standing is never changed by a file.

mod load;

use super::members::Admission;
use super::{Actor, Result, ServiceError, Services, today};
use crate::model::{
    MemberDraft, MemberFields, Problem, Status, fold, format_date, nfc, parse_date, parse_status,
};
use crate::store::{self, members::MemberRow, members::MemberValues, orgs::OrgRow};
use chibo_docs::sheet::{self, ColumnSpec, Footer, Header, Limits, Sink};
use chrono::{DateTime, Months, NaiveDate, Utc};
use load::{GroupRef, Load, Loader};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc};

/// The member columns of the national templates, with the headers people
/// use; in the order of [`Column::ALL`].
pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "full_name",
        label: "Họ và tên",
        aliases: &[
            "Họ tên",
            "Họ và tên đảng viên",
            "Tên đảng viên",
            "Họ và tên khai sinh",
        ],
    },
    ColumnSpec {
        key: "other_name",
        label: "Tên gọi khác",
        aliases: &["Bí danh", "Tên khác"],
    },
    ColumnSpec {
        key: "sex",
        label: "Giới tính",
        aliases: &["Nam/Nữ", "Phái"],
    },
    ColumnSpec {
        key: "date_of_birth",
        label: "Ngày sinh",
        aliases: &["Ngày tháng năm sinh", "Sinh ngày", "Năm sinh"],
    },
    ColumnSpec {
        key: "ethnicity",
        label: "Dân tộc",
        aliases: &[],
    },
    ColumnSpec {
        key: "religion",
        label: "Tôn giáo",
        aliases: &[],
    },
    ColumnSpec {
        key: "national_id",
        label: "Số định danh cá nhân",
        aliases: &[
            "Số CCCD",
            "CCCD",
            "Số căn cước",
            "Số căn cước công dân",
            "Số định danh",
            "CMND/CCCD",
        ],
    },
    ColumnSpec {
        key: "card_no",
        label: "Số thẻ đảng viên",
        aliases: &["Số thẻ", "Số thẻ đảng", "Số thẻ ĐV"],
    },
    ColumnSpec {
        key: "admission_date",
        label: "Ngày vào Đảng",
        aliases: &[
            "Ngày kết nạp",
            "Ngày vào đảng",
            "Ngày quyết định kết nạp",
            "Ngày vào Đảng dự bị",
            "Ngày vào Đảng (dự bị)",
        ],
    },
    ColumnSpec {
        key: "ceremony_date",
        label: "Ngày lễ kết nạp",
        aliases: &["Ngày tổ chức lễ kết nạp"],
    },
    ColumnSpec {
        key: "official_date",
        label: "Ngày chính thức",
        aliases: &[
            "Ngày công nhận chính thức",
            "Ngày vào Đảng chính thức",
            "Ngày chuyển chính thức",
        ],
    },
    ColumnSpec {
        key: "status",
        label: "Trạng thái",
        aliases: &["Tình trạng", "Loại đảng viên"],
    },
    ColumnSpec {
        key: "group_name",
        label: "Tổ đảng",
        aliases: &["Tổ", "Sinh hoạt tại tổ"],
    },
    ColumnSpec {
        key: "phone",
        label: "Số điện thoại",
        aliases: &["Điện thoại", "SĐT", "Di động"],
    },
    ColumnSpec {
        key: "email",
        label: "Thư điện tử",
        aliases: &["Email", "E-mail"],
    },
    ColumnSpec {
        key: "residence",
        label: "Nơi cư trú",
        aliases: &["Thường trú", "Địa chỉ", "Nơi ở hiện nay", "Chỗ ở hiện nay"],
    },
    ColumnSpec {
        key: "notes",
        label: "Ghi chú",
        aliases: &[],
    },
];

/// A column of the import layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Column {
    FullName,
    OtherName,
    Sex,
    DateOfBirth,
    Ethnicity,
    Religion,
    NationalId,
    CardNo,
    AdmissionDate,
    CeremonyDate,
    OfficialDate,
    Status,
    GroupName,
    Phone,
    Email,
    Residence,
    Notes,
}

impl Column {
    pub const ALL: [Self; 17] = [
        Self::FullName,
        Self::OtherName,
        Self::Sex,
        Self::DateOfBirth,
        Self::Ethnicity,
        Self::Religion,
        Self::NationalId,
        Self::CardNo,
        Self::AdmissionDate,
        Self::CeremonyDate,
        Self::OfficialDate,
        Self::Status,
        Self::GroupName,
        Self::Phone,
        Self::Email,
        Self::Residence,
        Self::Notes,
    ];

    fn spec(self) -> &'static ColumnSpec {
        &COLUMNS[self as usize]
    }

    pub fn key(self) -> &'static str {
        self.spec().key
    }

    /// The Vietnamese header, as exports write it.
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    /// A column by its key ("date_of_birth") or any of its headers
    /// ("Ngày sinh", "ngay sinh"), for the command line.
    pub fn parse(s: &str) -> Option<Self> {
        let f = crate::model::fold(s).replace(['_', '-'], " ");
        Self::ALL.into_iter().find(|c| {
            let spec = c.spec();
            std::iter::once(spec.key)
                .chain(std::iter::once(spec.label))
                .chain(spec.aliases.iter().copied())
                .any(|n| crate::model::fold(n).replace('_', " ") == f)
        })
    }

    /// Whether a blank cell may erase what is stored (the name may not:
    /// every member has one; the standing is never set by a file).
    pub fn can_clear(self) -> bool {
        !matches!(self, Self::FullName | Self::Status)
    }

    fn of_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// What the user chose on the preview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Columns whose blank cells erase the stored value.
    pub clear: BTreeSet<Column>,
    /// The standings inferred for new members were shown and accepted.
    pub confirm_status: bool,
}

/// How many of each kind of item a preview lists; the counts are always
/// complete, and the digest covers every change.
const LISTED: usize = 500;

/// The first items of a kind, and how many there are.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub total: usize,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            total: 0,
        }
    }
}

impl<T> Listing<T> {
    fn push(&mut self, item: T) {
        self.total += 1;
        if self.items.len() < LISTED {
            self.items.push(item);
        }
    }

    /// How many are counted but not listed.
    pub fn more(&self) -> usize {
        self.total - self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// A problem in one cell of the file: row and column as the user sees them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RowProblem {
    pub row: usize,
    /// "C" and "Ngày sinh", when the problem belongs to a column.
    pub column: Option<(String, &'static str)>,
    pub problem: Problem,
}

/// One field an update changes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FieldChange {
    pub column: Column,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PlannedChange {
    pub row: usize,
    pub full_name: String,
    /// The existing member for an update.
    pub member_id: Option<i64>,
    /// What changes (updates only).
    pub changes: Vec<FieldChange>,
}

/// A stored value a blank cell erases.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Erasure {
    pub row: usize,
    pub full_name: String,
    pub column: Column,
    pub value: String,
}

/// The standing a new member would get from the dates alone.
#[derive(Debug, Clone)]
pub struct Inferred {
    pub row: usize,
    pub full_name: String,
    pub status: Status,
    pub since: NaiveDate,
    /// Why: the dates it comes from.
    pub basis: Basis,
    /// Probationary for longer than the probation lasts: most likely a full
    /// member whose official date the file lacks.
    pub overdue: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    OfficialDate,
    AdmissionWithoutOfficial,
    NoDates,
}

/// A standing the file gives that differs from the stored one: shown,
/// never applied (a change of standing is a dated decision, recorded on the
/// member's page).
#[derive(Debug, Clone)]
pub struct StatusNote {
    pub row: usize,
    pub full_name: String,
    pub stored: String,
    pub in_file: Status,
}

/// A column the file has, and what the user chose for it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanColumn {
    pub column: Column,
    pub letter: String,
    pub header_text: String,
    /// Blank cells erase what is stored.
    pub clear: bool,
    /// Stored values over blank cells of this column: what clearing it
    /// would erase.
    pub blanks_over_values: usize,
}

/// What committing the file would do.
#[derive(Debug, Default)]
pub struct Plan {
    pub file_name: String,
    pub sheet_name: Option<String>,
    pub header_row: usize,
    pub data_from: usize,
    pub columns: Vec<PlanColumn>,
    /// Columns the file lacks: those fields stay as they are.
    pub absent: Vec<Column>,
    pub ignored_headers: Vec<String>,
    pub footer: Option<Footer>,
    /// Data rows read.
    pub rows: usize,
    pub creates: Listing<PlannedChange>,
    pub updates: Listing<PlannedChange>,
    pub unchanged: usize,
    /// Per column, how many members it changes.
    pub field_counts: Vec<(Column, usize)>,
    pub erasures: Listing<Erasure>,
    /// Rows refused (each may have several problems).
    pub rejected_rows: usize,
    pub problems: Listing<RowProblem>,
    pub inferred: Listing<Inferred>,
    /// How many new members get each inferred standing.
    pub inferred_counts: Vec<(Status, usize)>,
    pub status_notes: Listing<StatusNote>,
    pub new_groups: Vec<String>,
    pub options: ImportOptionsView,
    /// SHA-256 of every change, in file order: what a confirmation commits.
    pub digest: String,
}

/// The options a plan was made with (for the confirmation form).
#[derive(Debug, Default, Clone)]
pub struct ImportOptionsView {
    pub clear: Vec<Column>,
    pub confirm_status: bool,
}

impl Plan {
    /// Inferred standings need the user's confirmation first.
    pub fn needs_confirmation(&self) -> bool {
        !self.inferred.is_empty() && !self.options.confirm_status
    }

    pub fn can_commit(&self) -> bool {
        self.rejected_rows == 0
            && !self.needs_confirmation()
            && (!self.creates.is_empty() || !self.updates.is_empty())
    }
}

/// What a commit wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub created: usize,
    pub updated: usize,
}

/// A file written in a transaction not committed yet: [`Written::commit`]
/// it, or drop it and nothing is written.
pub struct Written<'s> {
    services: &'s Services,
    tx: store::Tx,
    counts: Committed,
}

impl Written<'_> {
    pub async fn commit(self) -> Result<Committed> {
        // The groups the file named that did not exist yet are new units.
        self.services
            .commit_changing(self.tx, super::caches::Change::Units)
            .await?;
        Ok(self.counts)
    }
}

/// What became of an uploaded file.
pub enum Uploaded {
    /// Read and previewed; the upload is kept under `id` for its
    /// confirmation.
    Previewed {
        cell: OrgRow,
        id: i64,
        plan: Box<Plan>,
    },
    /// The file itself refused (what it is, a server too busy to read it):
    /// nothing stored.
    Refused { cell: OrgRow, why: ServiceError },
}

/// What became of a confirmation.
pub enum Confirmed {
    Done {
        cell: OrgRow,
        written: Committed,
    },
    /// Not applied: the file as it reads now, and what stands in the way.
    Refused {
        cell: OrgRow,
        plan: Box<Plan>,
        why: ServiceError,
    },
}

/// Bounds on imports: the reader's limits, how many run at once, how long
/// an upload waits for its confirmation.
#[derive(Clone)]
pub struct ImportGate {
    pub limits: Limits,
    permits: Arc<Semaphore>,
    pub concurrent: usize,
    pub keep: chrono::Duration,
}

impl ImportGate {
    pub fn new(limits: Limits, concurrent: usize, keep: chrono::Duration) -> Self {
        Self {
            limits,
            permits: Arc::new(Semaphore::new(concurrent)),
            concurrent,
            keep,
        }
    }
}

impl ImportGate {
    /// A place among the imports running, or `Busy` when all are taken
    /// (held until dropped).
    pub fn try_permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit> {
        self.permits
            .clone()
            .try_acquire_owned()
            .map_err(|_| ServiceError::Busy)
    }
}

impl Default for ImportGate {
    fn default() -> Self {
        Self::new(Limits::default(), 2, chrono::Duration::hours(2))
    }
}

/// Rows handled per round trip to the database.
const CHUNK: usize = 1_000;

enum Msg {
    Header(Header),
    Row(sheet::Row),
}

/// Hands the reader thread's rows to the planner, waiting while it is a
/// chunk or two behind.
struct Channel(mpsc::Sender<Msg>);

impl Sink for Channel {
    fn header(&mut self, header: &Header) -> bool {
        self.0.blocking_send(Msg::Header(header.clone())).is_ok()
    }
    fn row(&mut self, row: sheet::Row) -> bool {
        self.0.blocking_send(Msg::Row(row)).is_ok()
    }
}

/// A group name as groups are told apart: NFC, lowercase, spaces collapsed;
/// diacritics count ("Tổ Hòa" is not "Tổ Hoa").
pub fn group_key(name: &str) -> String {
    nfc(name)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A group name as it is written: NFC, spaces collapsed.
fn group_spelling(name: &str) -> String {
    nfc(name).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether the planner only looks or also writes.
struct Planner<'a> {
    services: &'a Services,
    cell: &'a OrgRow,
    options: &'a ImportOptions,
    today: NaiveDate,
    probation: Option<u32>,
    header: Header,
    present: Vec<Column>,
    /// Group key → (id once it exists, name).
    groups: HashMap<String, (Option<i64>, String)>,
    group_names: HashMap<i64, String>,
    seen_cards: HashMap<String, usize>,
    seen_ids: HashMap<String, usize>,
    /// The cell's members without card number or national ID, once read.
    keyless: Option<Keyless>,
    /// Where a committing read sends what it writes.
    load: Option<mpsc::Sender<Load>>,
    matched: HashMap<i64, usize>,
    field_counts: HashMap<Column, usize>,
    blanks_over_values: HashMap<Column, usize>,
    hasher: Sha256,
    plan: Plan,
}

/// Members by folded name and date of birth.
type Keyless = HashMap<(String, NaiveDate), Vec<MemberRow>>;

/// A new member waiting for its chunk to be written.
struct NewMember {
    values: MemberValues,
    group_key: Option<String>,
    status: Status,
    since: NaiveDate,
}

impl Services {
    /// Reads the file and works out, row by row, what it would change. Pure
    /// with respect to storage: nothing is written.
    pub async fn plan_import(
        &self,
        actor: &Actor,
        cell: &OrgRow,
        bytes: Arc<[u8]>,
        file_name: &str,
        options: &ImportOptions,
        now: DateTime<Utc>,
    ) -> Result<Plan> {
        self.run_import(actor, cell, bytes, file_name, options, false, now)
            .await
            .map(|(plan, _)| plan)
    }

    /// Applies the file in one transaction, every row or none, if it still
    /// makes exactly the changes previewed (`digest`).
    #[allow(clippy::too_many_arguments)]
    pub async fn commit_import(
        &self,
        actor: &Actor,
        cell: &OrgRow,
        bytes: Arc<[u8]>,
        file_name: &str,
        options: &ImportOptions,
        digest: &str,
        now: DateTime<Utc>,
    ) -> Result<(Plan, Committed)> {
        let (plan, written) = self
            .run_import(actor, cell, bytes, file_name, options, true, now)
            .await?;
        let written = written.expect("a committing read writes");
        if plan.rejected_rows > 0 {
            return Err(ServiceError::invalid(Problem::new(
                "file",
                "import.has_rejections",
                plan.rejected_rows.to_string(),
            )));
        }
        if plan.needs_confirmation() {
            return Err(ServiceError::invalid(Problem::new(
                "status",
                "import.status_not_confirmed",
                plan.inferred.total.to_string(),
            )));
        }
        if plan.digest != digest {
            return Err(ServiceError::invalid(Problem::new(
                "file",
                "import.changed_since_preview",
                "",
            )));
        }
        Ok((plan, written.commit().await?))
    }

    /// Reads the file once and writes it in one transaction, left open for
    /// the caller: the console prints the plan, then commits — or writes
    /// nothing when the plan has rejected rows, standings to confirm or
    /// nothing to write (`None`), or when the plan could not be shown. Half
    /// the reading of a preview followed by its commit.
    pub async fn import_at_once(
        &self,
        actor: &Actor,
        cell: &OrgRow,
        bytes: Arc<[u8]>,
        file_name: &str,
        options: &ImportOptions,
        now: DateTime<Utc>,
    ) -> Result<(Plan, Option<Written<'_>>)> {
        let (plan, written) = self
            .run_import(actor, cell, bytes, file_name, options, true, now)
            .await?;
        // Dropped, the transaction rolls back.
        let written = written.filter(|_| plan.can_commit());
        Ok((plan, written))
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_import(
        &self,
        actor: &Actor,
        cell: &OrgRow,
        bytes: Arc<[u8]>,
        file_name: &str,
        options: &ImportOptions,
        commit: bool,
        now: DateTime<Utc>,
    ) -> Result<(Plan, Option<Written<'_>>)> {
        if cell.kind != "chi_bo" || !actor.can_manage(cell) {
            return Err(ServiceError::Forbidden);
        }
        let _permit = self.imports.try_permit()?;
        let (tx, mut rx) = mpsc::channel::<Msg>(2 * CHUNK);
        let limits = self.imports.limits;
        let name = file_name.to_string();
        let reader = tokio::task::spawn_blocking(move || {
            let mut sink = Channel(tx);
            sheet::read_rows(&bytes, &name, COLUMNS, &["full_name"], &limits, &mut sink)
        });
        let header = match rx.recv().await {
            Some(Msg::Header(h)) => h,
            // No header: the reader says why.
            _ => {
                drop(rx);
                return Err(match join(reader).await? {
                    Err(e) => e,
                    Ok(_) => ServiceError::Sheet(sheet::SheetError::Empty),
                });
            }
        };
        let mut planner = Planner::new(self, cell, options, &header, file_name, now).await?;
        // Committing, the writing runs beside the reading (`load`).
        let loading = match commit {
            true => {
                let groups = planner
                    .groups
                    .iter()
                    .filter_map(|(k, (id, _))| Some((k.clone(), (*id)?)))
                    .collect();
                let tx = self.db.begin_long().await?;
                let l = Loader::start(tx, actor.clone(), cell.clone(), now, groups);
                planner.load = Some(l.send);
                Some(l.done)
            }
            false => None,
        };
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut done = false;
        while !done {
            match rx.recv().await {
                Some(Msg::Row(row)) => chunk.push(row),
                Some(Msg::Header(_)) => {}
                None => done = true,
            }
            if chunk.len() >= CHUNK || (done && !chunk.is_empty()) {
                let rows = std::mem::take(&mut chunk);
                if let Err(e) = planner.chunk(rows).await {
                    drop(rx);
                    let _ = join(reader).await;
                    planner.load = None;
                    // A writer that stopped says why (the planner only saw it go).
                    if let Some(done) = loading
                        && let Err(why) = load::finish(done).await
                    {
                        return Err(why);
                    }
                    return Err(e);
                }
            }
        }
        let outline = join(reader).await??;
        planner.load = None;
        planner.plan.footer = outline.footer;
        planner.plan.rows = outline.rows;
        let plan = planner.finish();
        let written = match loading {
            Some(done) => {
                let (tx, counts) = load::finish(done).await?;
                Some(Written {
                    services: self,
                    tx,
                    counts,
                })
            }
            None => None,
        };
        Ok((plan, written))
    }

    /// An uploaded file, previewed for the unit `cell_id` (the upload kept
    /// for its confirmation), or refused as a whole (what it is, a server
    /// too busy to read it) with nothing stored.
    pub async fn upload_import(
        &self,
        actor: &Actor,
        cell_id: i64,
        file_name: &str,
        data: Arc<[u8]>,
        now: DateTime<Utc>,
    ) -> Result<Uploaded> {
        let cell = self.unit_for(actor, Some(cell_id)).await?;
        let options = ImportOptions::default();
        match self
            .plan_import(actor, &cell, data.clone(), file_name, &options, now)
            .await
        {
            Ok(plan) => {
                let id = self
                    .stash_upload(actor, &cell, file_name, &data, now)
                    .await?;
                Ok(Uploaded::Previewed {
                    cell,
                    id,
                    plan: Box::new(plan),
                })
            }
            Err(why @ (ServiceError::Sheet(_) | ServiceError::Busy)) => {
                Ok(Uploaded::Refused { cell, why })
            }
            Err(e) => Err(e),
        }
    }

    /// The actor's stored upload previewed again with their choices.
    pub async fn review_import(
        &self,
        actor: &Actor,
        id: i64,
        options: &ImportOptions,
        now: DateTime<Utc>,
    ) -> Result<(OrgRow, Plan)> {
        let (upload, cell) = self.stashed_upload(actor, id, now).await?;
        let plan = self
            .plan_import(
                actor,
                &cell,
                upload.data.into(),
                &upload.file_name,
                options,
                now,
            )
            .await?;
        Ok((cell, plan))
    }

    /// Applies the actor's stored upload if it still makes exactly the
    /// changes previewed (`digest`), then forgets the upload; refused, the
    /// file as it reads now and why.
    pub async fn confirm_import(
        &self,
        actor: &Actor,
        id: i64,
        options: &ImportOptions,
        digest: &str,
        now: DateTime<Utc>,
    ) -> Result<Confirmed> {
        let (upload, cell) = self.stashed_upload(actor, id, now).await?;
        let data: Arc<[u8]> = upload.data.into();
        let name = upload.file_name;
        match self
            .commit_import(actor, &cell, data.clone(), &name, options, digest, now)
            .await
        {
            Ok((_, written)) => {
                self.drop_upload(id).await?;
                Ok(Confirmed::Done { cell, written })
            }
            Err(why @ (ServiceError::Invalid(_) | ServiceError::Stale)) => {
                let plan = self
                    .plan_import(actor, &cell, data, &name, options, now)
                    .await?;
                Ok(Confirmed::Refused {
                    cell,
                    plan: Box::new(plan),
                    why,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Forgets the actor's upload, expired or not; the unit it was for.
    pub async fn cancel_import(&self, actor: &Actor, id: i64) -> Result<i64> {
        let u = self
            .db
            .read(async |r| store::imports::get(r, id).await)
            .await?
            .filter(|u| u.account_id == actor.account_id)
            .ok_or(ServiceError::NotFound)?;
        self.drop_upload(id).await?;
        Ok(u.cell_id)
    }

    /// Stores an upload between preview and confirmation.
    async fn stash_upload(
        &self,
        actor: &Actor,
        cell: &OrgRow,
        file_name: &str,
        data: &[u8],
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.db.begin().await?;
        let id = store::imports::insert(&mut tx, actor.account_id, cell.id, file_name, data, now)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The actor's own upload, if it has not expired (an upload holds
    /// national ID numbers: it is kept only as long as a preview needs).
    async fn stashed_upload(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(store::imports::Upload, OrgRow)> {
        self.db
            .read(async |r| {
                let u = store::imports::get(r, id)
                    .await?
                    .filter(|u| u.account_id == actor.account_id)
                    .ok_or(ServiceError::NotFound)?;
                if u.created_at + self.imports.keep <= now {
                    return Err(ServiceError::invalid(Problem::new(
                        "file",
                        "import.upload_expired",
                        "",
                    )));
                }
                let cell = super::org(r, u.cell_id).await?;
                Ok((u, cell))
            })
            .await
    }

    async fn drop_upload(&self, id: i64) -> Result<()> {
        let mut tx = self.db.begin().await?;
        store::imports::delete(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes the uploads left without a confirmation for longer than an
    /// upload is kept; run by the sweep.
    pub async fn purge_abandoned_uploads(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.db.begin().await?;
        let n = store::imports::delete_before(&mut tx, now - self.imports.keep).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The cell's members in the import layout (XLSX), so export → import
    /// changes nothing.
    /// The unit comes back with the file, to name it.
    pub async fn export_members(&self, actor: &Actor, cell_id: i64) -> Result<(OrgRow, Vec<u8>)> {
        let (cell, members, groups) = self
            .db
            .read(async |r| {
                let cell = super::orgs::unit_for(r, actor, Some(cell_id)).await?;
                if !actor.can_read_members(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let members = store::members::of_cell(r, cell.id).await?;
                let groups = store::orgs::children(r, cell.id).await?;
                Ok((cell, members, groups))
            })
            .await?;
        let groups: HashMap<i64, String> = groups.into_iter().map(|g| (g.id, g.name)).collect();
        let rows: Vec<Vec<Option<String>>> = members
            .iter()
            .map(|m| {
                let f = MemberFields::from_row(
                    m,
                    m.group_id.and_then(|g| groups.get(&g)).map(String::as_str),
                );
                let status = m.status.label_vi();
                Column::ALL
                    .iter()
                    .map(|c| {
                        let v = match c {
                            Column::Status => status.to_string(),
                            c => field(&f, *c).to_string(),
                        };
                        (!v.is_empty()).then_some(v)
                    })
                    .collect()
            })
            .collect();
        let title = format!("DANH SÁCH ĐẢNG VIÊN {}", cell.name.to_uppercase());
        let bytes = sheet::write_xlsx(Some(&title), COLUMNS, &rows)?;
        Ok((cell, bytes))
    }
}

async fn join<T>(
    reader: tokio::task::JoinHandle<Result<T, sheet::SheetError>>,
) -> Result<Result<T>> {
    match reader.await {
        Ok(r) => Ok(r.map_err(ServiceError::Sheet)),
        Err(e) => Err(ServiceError::Store(store::StoreError::Io(
            std::io::Error::other(format!("spreadsheet reader: {e}")),
        ))),
    }
}

impl<'a> Planner<'a> {
    async fn new(
        services: &'a Services,
        cell: &'a OrgRow,
        options: &'a ImportOptions,
        header: &Header,
        file_name: &str,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        let today = today(now);
        let present: Vec<Column> = header
            .columns
            .iter()
            .filter_map(|c| Column::of_key(c.key))
            .collect();
        let mut groups = HashMap::new();
        let mut group_names = HashMap::new();
        for g in services
            .db
            .read(async |r| store::orgs::children(r, cell.id).await)
            .await?
            .into_iter()
            .filter(|g| g.kind == "to_dang")
        {
            groups
                .entry(group_key(&g.name))
                .or_insert((Some(g.id), g.name.clone()));
            group_names.insert(g.id, g.name);
        }
        let plan = Plan {
            file_name: file_name.to_string(),
            sheet_name: header.sheet_name.clone(),
            header_row: header.header_row,
            data_from: header.data_from,
            columns: header
                .columns
                .iter()
                .filter_map(|c| {
                    let column = Column::of_key(c.key)?;
                    Some(PlanColumn {
                        column,
                        letter: c.column_letter.clone(),
                        header_text: c.header_text.clone(),
                        clear: column.can_clear() && options.clear.contains(&column),
                        blanks_over_values: 0,
                    })
                })
                .collect(),
            absent: Column::ALL
                .into_iter()
                .filter(|c| !present.contains(c))
                .collect(),
            ignored_headers: header
                .ignored_headers
                .iter()
                .map(|h| format!("{} ({})", h.header_text, h.column_letter))
                .collect(),
            options: ImportOptionsView {
                clear: options
                    .clear
                    .iter()
                    .copied()
                    .filter(|c| c.can_clear() && present.contains(c))
                    .collect(),
                confirm_status: options.confirm_status,
            },
            ..Plan::default()
        };
        Ok(Self {
            services,
            cell,
            options,
            today,
            probation: services.rules.param::<u32>("probation_months", today).ok(),
            header: header.clone(),
            present,
            groups,
            group_names,
            seen_cards: HashMap::new(),
            seen_ids: HashMap::new(),
            keyless: None,
            load: None,
            matched: HashMap::new(),
            field_counts: HashMap::new(),
            blanks_over_values: HashMap::new(),
            hasher: Sha256::new(),
            plan,
        })
    }

    fn has(&self, c: Column) -> bool {
        self.present.contains(&c)
    }

    fn clears(&self, c: Column) -> bool {
        c.can_clear() && self.has(c) && self.options.clear.contains(&c)
    }

    fn reject(&mut self, row: usize, problems: Vec<Problem>) {
        self.plan.rejected_rows += 1;
        for p in problems {
            let column = self
                .header
                .column(p.field)
                .and_then(|c| Column::of_key(c.key).map(|k| (c.column_letter.clone(), k.label())));
            self.plan.problems.push(RowProblem {
                row,
                column,
                problem: p,
            });
        }
    }

    /// One chunk of rows: the members they name read at once, then each
    /// row planned (and, committing, written).
    async fn chunk(&mut self, rows: Vec<sheet::Row>) -> Result<()> {
        let key = |row: &sheet::Row, c: Column, parse: fn(&str) -> Option<String>| {
            row.get(c.key()).and_then(parse)
        };
        let card = |s: &str| {
            crate::model::CardNo::parse(s)
                .ok()
                .map(|c| c.as_str().to_string())
        };
        let nid = |s: &str| {
            crate::model::NationalId::parse(s)
                .ok()
                .map(|c| c.as_str().to_string())
        };
        let cards: Vec<String> = rows
            .iter()
            .filter_map(|r| key(r, Column::CardNo, card))
            .collect();
        let ids: Vec<String> = rows
            .iter()
            .filter_map(|r| key(r, Column::NationalId, nid))
            .collect();
        let known = self
            .services
            .db
            .read(async |r| store::imports::members_by_keys(r, &cards, &ids).await)
            .await?;
        let by_card: HashMap<&str, &MemberRow> = known
            .iter()
            .filter_map(|m| Some((m.card_no.as_deref()?, m)))
            .collect();
        let by_id: HashMap<&str, &MemberRow> = known
            .iter()
            .filter_map(|m| Some((m.national_id.as_deref()?, m)))
            .collect();
        let cell_id = self.cell.id;
        let unknown = |row: &sheet::Row| {
            let c = key(row, Column::CardNo, card);
            let n = key(row, Column::NationalId, nid);
            c.is_none_or(|c| !by_card.contains_key(c.as_str()))
                && n.is_none_or(|n| !by_id.contains_key(n.as_str()))
        };
        // Members without either number, by folded name and date of birth;
        // read once, when a row first names nobody by its numbers (what the
        // import itself writes is not among them: it reads what was stored
        // before it).
        if self.keyless.is_none() && rows.iter().any(unknown) {
            let keyless = self
                .services
                .db
                .read(async |r| store::imports::keyless_members(r, cell_id).await)
                .await?;
            let mut by_name: Keyless = HashMap::new();
            for m in keyless {
                if let Some(born) = m.date_of_birth {
                    by_name
                        .entry((fold(&m.full_name), born))
                        .or_default()
                        .push(m);
                }
            }
            self.keyless = Some(by_name);
        }
        // Held apart from the planner while its rows are planned.
        let by_name = self.keyless.take();
        let mut creates: Vec<NewMember> = Vec::new();
        for row in rows {
            let card = key(&row, Column::CardNo, card);
            let nid = key(&row, Column::NationalId, nid);
            let found_card = card.as_deref().and_then(|c| by_card.get(c)).copied();
            let found_id = nid.as_deref().and_then(|n| by_id.get(n)).copied();
            let mine = |m: &&MemberRow| m.cell_id == cell_id;
            // Match by card number first, then by national ID, in this cell;
            // a row that names nobody by its numbers, by name and date of
            // birth among the cell's members who have neither (one only).
            let named = (found_card.is_none() && found_id.is_none())
                .then(|| {
                    let name = fold(row.get(Column::FullName.key())?);
                    let born =
                        parse_date("date_of_birth", row.get(Column::DateOfBirth.key())?).ok()?;
                    match by_name.as_ref()?.get(&(name, born))?.as_slice() {
                        [one] => Some(one),
                        _ => None,
                    }
                })
                .flatten();
            let member = found_card.filter(mine).or(found_id.filter(mine)).or(named);
            if let Some(problem) = self.duplicate(
                row.number,
                card.as_deref(),
                nid.as_deref(),
                found_card,
                found_id,
                member,
            ) {
                self.reject(row.number, vec![problem]);
                continue;
            }
            match member {
                Some(before) => self.update(&row, before).await?,
                None => {
                    if let Some(new) = self.create(&row) {
                        creates.push(new);
                    }
                }
            }
        }
        self.keyless = by_name;
        if self.load.is_some() && !creates.is_empty() {
            let creates = creates
                .into_iter()
                .map(|new| {
                    let group = self.group_ref(new.group_key.as_deref());
                    (new, group)
                })
                .collect();
            self.send(Load::Creates(creates)).await?;
        }
        Ok(())
    }

    /// Hands a change to the writer; fails only when the writer stopped
    /// (the caller then reports the writer's own error).
    async fn send(&mut self, load: Load) -> Result<()> {
        if let Some(s) = &self.load
            && s.send(load).await.is_err()
        {
            return Err(ServiceError::Store(store::StoreError::WriterGone));
        }
        Ok(())
    }

    fn group_ref(&self, key: Option<&str>) -> Option<GroupRef> {
        let key = key?;
        let (_, name) = self.groups.get(key)?;
        Some(GroupRef {
            key: key.to_string(),
            name: name.clone(),
        })
    }

    /// A card number or national ID that another row of the file, another
    /// member of the cell or a member elsewhere already has.
    fn duplicate(
        &mut self,
        row: usize,
        card: Option<&str>,
        nid: Option<&str>,
        by_card: Option<&MemberRow>,
        by_id: Option<&MemberRow>,
        member: Option<&MemberRow>,
    ) -> Option<Problem> {
        if let Some(c) = card
            && let Some(first) = self.seen_cards.insert(c.to_string(), row)
        {
            return Some(Problem::new(
                "card_no",
                "import.duplicate_in_file",
                format!("{c} (dòng {first})"),
            ));
        }
        if let Some(n) = nid
            && let Some(first) = self.seen_ids.insert(n.to_string(), row)
        {
            return Some(Problem::new(
                "national_id",
                "import.duplicate_in_file",
                format!("{n} (dòng {first})"),
            ));
        }
        let other =
            |m: Option<&MemberRow>| m.is_some_and(|m| member.is_none_or(|me| me.id != m.id));
        if other(by_card) {
            return Some(Problem::new(
                "card_no",
                "card_no.duplicate",
                card.unwrap_or_default(),
            ));
        }
        if other(by_id) {
            return Some(Problem::new(
                "national_id",
                "national_id.duplicate",
                nid.unwrap_or_default(),
            ));
        }
        if let Some(m) = member
            && let Some(first) = self.matched.insert(m.id, row)
        {
            return Some(Problem::new(
                "full_name",
                "import.same_member",
                format!("{} (dòng {first})", m.full_name),
            ));
        }
        None
    }

    /// The text of the file's cells, over `base` (a stored member, or
    /// nothing): a column the file lacks leaves the field, a blank cell
    /// leaves it unless the column is cleared.
    fn fields(&self, row: &sheet::Row, base: MemberFields) -> MemberFields {
        let mut f = base;
        for c in self.present.iter().copied() {
            if matches!(c, Column::Status | Column::GroupName) {
                continue;
            }
            match row.get(c.key()) {
                Some(v) => *field_mut(&mut f, c) = v.to_string(),
                None if self.clears(c) => field_mut(&mut f, c).clear(),
                None => {}
            }
        }
        f
    }

    /// The group a row names: an existing one (spelt any way), one this
    /// import creates, or none.
    fn group_of(&mut self, row: &sheet::Row) -> Option<Option<String>> {
        if !self.has(Column::GroupName) {
            return None;
        }
        match row.get(Column::GroupName.key()) {
            Some(name) => {
                let key = group_key(name);
                if !self.groups.contains_key(&key) {
                    let spelling = group_spelling(name);
                    self.plan.new_groups.push(spelling.clone());
                    self.groups.insert(key.clone(), (None, spelling));
                }
                Some(Some(key))
            }
            None if self.clears(Column::GroupName) => Some(None),
            None => None,
        }
    }

    fn group_name(&self, key: Option<&str>) -> Option<String> {
        key.and_then(|k| self.groups.get(k)).map(|(_, n)| n.clone())
    }

    async fn update(&mut self, row: &sheet::Row, before: &MemberRow) -> Result<()> {
        let stored_group = before
            .group_id
            .and_then(|g| self.group_names.get(&g).cloned());
        let fields = self.fields(row, MemberFields::from_row(before, stored_group.as_deref()));
        let draft = match MemberDraft::parse(&fields, self.today) {
            Ok(d) => d,
            Err(ps) => {
                self.reject(row.number, ps.0);
                return Ok(());
            }
        };
        let status = match self.status_cell(row) {
            Ok(s) => s,
            Err(p) => {
                self.reject(row.number, vec![p]);
                return Ok(());
            }
        };
        // The group: by key, resolved to an id when it exists.
        let stored_key = stored_group.as_deref().map(group_key);
        let gkey = match self.group_of(row) {
            Some(k) => k,
            None => stored_key.clone(),
        };
        let group_id = gkey
            .as_deref()
            .and_then(|k| self.groups.get(k))
            .and_then(|(id, _)| *id);
        let old = MemberValues::from_row(before);
        let mut new = MemberValues::from_draft(&draft, group_id);
        // A new group has no id before the commit creates it.
        let group_changes = gkey != stored_key;
        if !group_changes {
            new.group_id = before.group_id;
        }
        let name = draft.full_name.as_str().to_string();
        for c in Column::ALL {
            if !c.can_clear() || !self.has(c) {
                continue;
            }
            if row.get(c.key()).is_none()
                && stored_text(before, c, stored_group.as_deref()).is_some()
            {
                *self.blanks_over_values.entry(c).or_default() += 1;
            }
        }
        if let Some(s) = status
            && s != before.status
        {
            self.plan.status_notes.push(StatusNote {
                row: row.number,
                full_name: name.clone(),
                stored: before.status.as_str().to_owned(),
                in_file: s,
            });
        }
        let changes = self.changes(&old, &new, stored_group.clone(), gkey.as_deref());
        if changes.is_empty() {
            self.plan.unchanged += 1;
            return Ok(());
        }
        for ch in &changes {
            *self.field_counts.entry(ch.column).or_default() += 1;
            if ch.after.is_none()
                && let Some(value) = &ch.before
            {
                self.plan.erasures.push(Erasure {
                    row: row.number,
                    full_name: name.clone(),
                    column: ch.column,
                    value: value.clone(),
                });
            }
        }
        self.hash(
            "update",
            row.number,
            Some((before.id, before.version)),
            &new,
            gkey.as_deref(),
            None,
        );
        self.plan.updates.push(PlannedChange {
            row: row.number,
            full_name: name,
            member_id: Some(before.id),
            changes,
        });
        if self.load.is_some() {
            let regroup = group_changes.then(|| self.group_ref(gkey.as_deref()));
            self.send(Load::Update {
                before: Box::new(before.clone()),
                new: Box::new(new),
                regroup,
            })
            .await?;
        }
        Ok(())
    }

    /// The fields that differ, as the user reads them.
    fn changes(
        &self,
        old: &MemberValues,
        new: &MemberValues,
        old_group: Option<String>,
        new_group: Option<&str>,
    ) -> Vec<FieldChange> {
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(
                s.parse::<NaiveDate>()
                    .map(format_date)
                    .unwrap_or_else(|_| s.clone()),
            ),
            v => Some(v.to_string()),
        };
        let (a, b) = (old.audit_json(), new.audit_json());
        let mut out = Vec::new();
        for c in Column::ALL {
            match c {
                Column::Status => {}
                Column::GroupName => {
                    let after = self.group_name(new_group);
                    if after != old_group {
                        out.push(FieldChange {
                            column: c,
                            before: old_group.clone(),
                            after,
                        });
                    }
                }
                c => {
                    let (x, y) = (
                        a.get(c.key()).unwrap_or(&serde_json::Value::Null),
                        b.get(c.key()).unwrap_or(&serde_json::Value::Null),
                    );
                    if x != y {
                        out.push(FieldChange {
                            column: c,
                            before: text(x),
                            after: text(y),
                        });
                    }
                }
            }
        }
        out
    }

    /// The standing a row's "Trạng thái" cell gives, if any.
    fn status_cell(&self, row: &sheet::Row) -> Result<Option<Status>, Problem> {
        match row.get(Column::Status.key()) {
            Some(s) => parse_status(s).map(Some),
            None => Ok(None),
        }
    }

    fn create(&mut self, row: &sheet::Row) -> Option<NewMember> {
        let fields = self.fields(row, MemberFields::default());
        let draft = match MemberDraft::parse(&fields, self.today) {
            Ok(d) => d,
            Err(ps) => {
                self.reject(row.number, ps.0);
                return None;
            }
        };
        let status = match self.status_cell(row) {
            Ok(s) => s,
            Err(p) => {
                self.reject(row.number, vec![p]);
                return None;
            }
        };
        let name = draft.full_name.as_str().to_string();
        let gkey = self.group_of(row).flatten();
        let inferred = Admission::infer(&draft, self.today);
        let (status, since) = match status {
            Some(s) if !s.may_start() => {
                self.reject(
                    row.number,
                    vec![Problem::new(
                        "status",
                        "import.status_cannot_start",
                        s.label_vi(),
                    )],
                );
                return None;
            }
            Some(s) => {
                let since = match s {
                    Status::ChinhThuc => draft.official_date,
                    _ => draft.ceremony_date.or(draft.admission_date),
                };
                (s, since.unwrap_or(inferred.since))
            }
            None => {
                let basis = match (
                    draft.official_date,
                    draft.admission_date.or(draft.ceremony_date),
                ) {
                    (Some(o), _) if o <= self.today => Basis::OfficialDate,
                    (_, Some(_)) => Basis::AdmissionWithoutOfficial,
                    _ => Basis::NoDates,
                };
                let overdue = inferred.status == Status::DuBi
                    && self.probation.is_some_and(|months| {
                        inferred
                            .since
                            .checked_add_months(Months::new(months))
                            .is_some_and(|end| end < self.today)
                    });
                match self
                    .plan
                    .inferred_counts
                    .iter_mut()
                    .find(|(s, _)| *s == inferred.status)
                {
                    Some((_, n)) => *n += 1,
                    None => self.plan.inferred_counts.push((inferred.status, 1)),
                }
                self.plan.inferred.push(Inferred {
                    row: row.number,
                    full_name: name.clone(),
                    status: inferred.status,
                    since: inferred.since,
                    basis,
                    overdue,
                });
                (inferred.status, inferred.since)
            }
        };
        let values = MemberValues::from_draft(&draft, None);
        self.hash(
            "create",
            row.number,
            None,
            &values,
            gkey.as_deref(),
            Some((status, since)),
        );
        self.plan.creates.push(PlannedChange {
            row: row.number,
            full_name: name,
            member_id: None,
            changes: Vec::new(),
        });
        Some(NewMember {
            values,
            group_key: gkey,
            status,
            since,
        })
    }

    /// Adds one change to the digest: what is written, with groups by name
    /// (a new group's id is only known once the commit creates it).
    fn hash(
        &mut self,
        kind: &str,
        row: usize,
        member: Option<(i64, i64)>,
        values: &MemberValues,
        group: Option<&str>,
        status: Option<(Status, NaiveDate)>,
    ) {
        let mut v = values.audit_json();
        if let Some(o) = v.as_object_mut() {
            o.remove("group_id");
        }
        let line = serde_json::json!([
            kind,
            row,
            member,
            v,
            group,
            status.map(|(s, d)| (s.as_str(), d))
        ]);
        self.hasher.update(line.to_string().as_bytes());
        self.hasher.update(b"\n");
    }

    fn finish(mut self) -> Plan {
        let mut counts: Vec<(Column, usize)> = self.field_counts.into_iter().collect();
        counts.sort();
        self.plan.field_counts = counts;
        for c in &mut self.plan.columns {
            c.blanks_over_values = self
                .blanks_over_values
                .get(&c.column)
                .copied()
                .unwrap_or_default();
        }
        self.plan.problems.items.sort_by_key(|p| p.row);
        let options = format!(
            "{:?}{}",
            self.plan.options.clear, self.plan.options.confirm_status
        );
        self.hasher.update(options.as_bytes());
        self.plan.digest = format!("{:x}", self.hasher.finalize());
        self.plan
    }
}

/// A stored field as text (`None` when empty), for "what a clear erases".
fn stored_text(m: &MemberRow, c: Column, group: Option<&str>) -> Option<String> {
    let f = MemberFields::from_row(m, group);
    let v = field(&f, c);
    (!v.is_empty()).then(|| v.to_string())
}

fn field(f: &MemberFields, c: Column) -> &str {
    match c {
        Column::FullName => &f.full_name,
        Column::OtherName => &f.other_name,
        Column::Sex => &f.sex,
        Column::DateOfBirth => &f.date_of_birth,
        Column::Ethnicity => &f.ethnicity,
        Column::Religion => &f.religion,
        Column::NationalId => &f.national_id,
        Column::CardNo => &f.card_no,
        Column::AdmissionDate => &f.admission_date,
        Column::CeremonyDate => &f.ceremony_date,
        Column::OfficialDate => &f.official_date,
        Column::GroupName => &f.group_name,
        Column::Phone => &f.phone,
        Column::Email => &f.email,
        Column::Residence => &f.residence,
        Column::Notes => &f.notes,
        Column::Status => "",
    }
}

fn field_mut(f: &mut MemberFields, c: Column) -> &mut String {
    match c {
        Column::FullName => &mut f.full_name,
        Column::OtherName => &mut f.other_name,
        Column::Sex => &mut f.sex,
        Column::DateOfBirth => &mut f.date_of_birth,
        Column::Ethnicity => &mut f.ethnicity,
        Column::Religion => &mut f.religion,
        Column::NationalId => &mut f.national_id,
        Column::CardNo => &mut f.card_no,
        Column::AdmissionDate => &mut f.admission_date,
        Column::CeremonyDate => &mut f.ceremony_date,
        Column::OfficialDate => &mut f.official_date,
        Column::GroupName | Column::Status => &mut f.group_name,
        Column::Phone => &mut f.phone,
        Column::Email => &mut f.email,
        Column::Residence => &mut f.residence,
        Column::Notes => &mut f.notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_the_specs() {
        for (i, c) in Column::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
            assert_eq!(c.key(), COLUMNS[i].key);
        }
        assert_eq!(Column::parse("date_of_birth"), Some(Column::DateOfBirth));
        assert_eq!(Column::parse("Ngày sinh"), Some(Column::DateOfBirth));
        assert_eq!(Column::parse("ngay sinh"), Some(Column::DateOfBirth));
        assert_eq!(Column::parse("CCCD"), Some(Column::NationalId));
        assert_eq!(Column::parse("chiều cao"), None);
    }

    #[test]
    fn group_names_match_whatever_their_case_and_spacing() {
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Tổ 1").collect();
        let keys: BTreeSet<String> = ["Tổ 1", "tổ 1", "TỔ 1", " Tổ  1 ", nfd.as_str()]
            .iter()
            .map(|n| group_key(n))
            .collect();
        assert_eq!(keys.len(), 1, "{keys:?}");
        assert_ne!(group_key("Tổ Hòa"), group_key("Tổ Hoa"));
        assert_eq!(group_spelling(" Tổ   1 "), "Tổ 1");
    }
}
