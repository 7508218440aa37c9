//! Images of the records chibo vouches for. Every audit entry carries the
//! image of the records its change left behind (read back in the same
//! transaction), so `chibo audit verify` can hold each live record against
//! the last image the trail holds of it: a row changed, added or deleted
//! behind chibo's back no longer matches.
//!
//! An image is the record's columns read as text by the database itself
//! (`CAST(… AS TEXT)`), so it reads the same at write time and at
//! verification on one backend whatever wrote the row (a service, the bulk
//! demo, an import). Columns that only schedule or index (versions,
//! `updated_at`, `name_fold`, the meeting a task reports to next) are left
//! out: they change without an audited act and prove nothing.

use super::{Result, Tx, in_tx};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// A table whose records are imaged.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    /// Integer key columns; a child table's first key is its parent's id.
    pub keys: &'static [&'static str],
    pub columns: &'static [&'static str],
    /// Columns imaged as a digest only: personal identifiers and secrets
    /// are not copied into the trail, a change to them still shows.
    pub hidden: &'static [&'static str],
}

/// Every imaged table. A table here must only change inside a transaction
/// that appends an entry imaging the records it changed.
pub const TABLES: &[Table] = &[
    Table {
        name: "org_unit",
        keys: &["id"],
        columns: &[
            "parent_id",
            "kind",
            "code",
            "name",
            "short_name",
            "cell_type",
            "place",
        ],
        hidden: &[],
    },
    Table {
        name: "committee_role",
        keys: &["org_id", "id"],
        columns: &["member_id", "role", "start_date", "end_date"],
        hidden: &[],
    },
    Table {
        name: "org_term",
        keys: &["org_id", "id"],
        columns: &["start_date", "note"],
        hidden: &[],
    },
    Table {
        name: "member",
        keys: &["id"],
        columns: &[
            "cell_id",
            "group_id",
            "full_name",
            "other_name",
            "sex",
            "date_of_birth",
            "ethnicity",
            "religion",
            "national_id",
            "card_no",
            "admission_date",
            "ceremony_date",
            "official_date",
            "phone",
            "email",
            "residence",
            "notes",
            "status",
        ],
        hidden: &["national_id", "phone", "email", "residence"],
    },
    Table {
        name: "member_status",
        keys: &["member_id", "id"],
        columns: &["status", "start_date", "note"],
        hidden: &[],
    },
    Table {
        name: "account",
        keys: &["id"],
        columns: &[
            "login",
            "display_name",
            "password_hash",
            "member_id",
            "active",
        ],
        hidden: &["password_hash"],
    },
    Table {
        name: "role_grant",
        keys: &["account_id", "id"],
        columns: &["org_id", "role"],
        hidden: &[],
    },
    Table {
        name: "meeting",
        keys: &["id"],
        columns: &[
            "cell_id",
            "kind",
            "topic",
            "starts_at",
            "place",
            "chair_id",
            "secretary_id",
            "preparer_id",
            "guest",
            "status",
            "opened_at",
            "closed_at",
            "open_reason",
            "close_reason",
            "minutes_locked_at",
            "minutes_hash",
        ],
        hidden: &[],
    },
    Table {
        name: "agenda_item",
        keys: &["meeting_id", "id"],
        columns: &["position", "kind", "title", "minutes"],
        hidden: &[],
    },
    Table {
        name: "speech",
        keys: &["agenda_item_id", "id"],
        columns: &["member_id", "speaker", "body"],
        hidden: &[],
    },
    Table {
        name: "attendance",
        keys: &["meeting_id", "member_id"],
        columns: &[
            "member_status",
            "presence",
            "reason",
            "arrived_at",
            "left_at",
        ],
        hidden: &[],
    },
    Table {
        name: "vote",
        keys: &["meeting_id", "id"],
        columns: &[
            "kind",
            "subject",
            "mode",
            "status",
            "roll",
            "tan_thanh",
            "khong_tan_thanh",
            "khong_bieu_quyet",
            "outcome",
            "needed",
            "got",
            "base",
            "explanation",
        ],
        hidden: &[],
    },
    Table {
        name: "vote_cast",
        keys: &["vote_id", "member_id"],
        columns: &["choice"],
        hidden: &[],
    },
    Table {
        name: "resolution",
        keys: &["meeting_id"],
        columns: &[
            "id",
            "cell_id",
            "subject",
            "results",
            "tasks",
            "assignments",
            "no_tasks",
            "status",
            "vote_id",
            "number",
            "number_text",
            "adopted_at",
            "hash",
        ],
        hidden: &[],
    },
    Table {
        name: "meeting_file",
        keys: &["meeting_id", "id"],
        columns: &["file_name", "mime", "size"],
        hidden: &[],
    },
    Table {
        name: "task",
        keys: &["id"],
        columns: &[
            "cell_id",
            "resolution_id",
            "item_no",
            "source",
            "title",
            "lead_id",
            "assigned_on",
            "deadline",
            "status",
            "progress",
            "completed_on",
            "closed_on",
            "closed_meeting_id",
            "closing_note",
        ],
        hidden: &[],
    },
    Table {
        name: "task_owner",
        keys: &["task_id", "member_id"],
        columns: &[],
        hidden: &[],
    },
    Table {
        name: "task_review",
        keys: &["task_id", "meeting_id"],
        columns: &["status", "decision", "new_deadline", "note"],
        hidden: &[],
    },
    Table {
        name: "task_progress",
        keys: &["task_id", "id"],
        columns: &[
            "author",
            "on_date",
            "status",
            "progress",
            "note",
            "link",
            "file_name",
        ],
        hidden: &[],
    },
    Table {
        name: "concern",
        keys: &["id"],
        columns: &[
            "cell_id",
            "code",
            "door",
            "area",
            "body",
            "contact",
            "received_on",
            "recorded_by",
            "state",
            "forward_due",
            "answer_due",
            "forwarded_to",
            "forwarded_on",
            "answer",
            "answered_on",
            "closed_on",
            "close_reason",
            "close_note",
        ],
        // A resident's phone stays out of the trail; a change to it shows.
        hidden: &["contact"],
    },
    Table {
        name: "study_document",
        keys: &["id"],
        columns: &[
            "unit_id",
            "kind",
            "number",
            "issued_on",
            "issuer",
            "title",
            "body",
            "pdf_name",
            "pdf_size",
        ],
        hidden: &[],
    },
    Table {
        name: "study_assignment",
        keys: &["id"],
        columns: &[
            "cell_id",
            "document_id",
            "audience",
            "deadline",
            "place",
            "meeting_id",
            "reflection",
        ],
        hidden: &[],
    },
    Table {
        name: "study_assignee",
        keys: &["assignment_id", "member_id"],
        columns: &[],
        hidden: &[],
    },
    Table {
        name: "study_done",
        keys: &["assignment_id", "member_id"],
        columns: &["studied_on"],
        hidden: &[],
    },
    Table {
        name: "study_reflection",
        keys: &["assignment_id", "member_id"],
        columns: &["body", "submitted_on", "late"],
        // The reflection's text is the member's own writing: its digest
        // shows a change without copying it into the trail.
        hidden: &["body"],
    },
    Table {
        name: "study_attendance",
        keys: &["assignment_id", "member_id"],
        columns: &["present", "held_on"],
        hidden: &[],
    },
    Table {
        name: "announcement",
        keys: &["id"],
        columns: &["unit_id", "title", "body", "sent_by"],
        hidden: &[],
    },
    Table {
        name: "report",
        keys: &["id"],
        columns: &[
            "org_id",
            "period",
            "period_start",
            "period_end",
            "body",
            "status",
            "number",
            "number_text",
            "issued_at",
            "hash",
        ],
        hidden: &[],
    },
    Table {
        name: "candidate",
        keys: &["id"],
        columns: &[
            "cell_id",
            "full_name",
            "date_of_birth",
            "sex",
            "phone",
            "residence",
            "member_id",
        ],
        hidden: &["date_of_birth", "phone", "residence"],
    },
    Table {
        name: "case_file",
        keys: &["id"],
        columns: &[
            "cell_id",
            "kind",
            "candidate_id",
            "member_id",
            "opened_on",
            "input_dates",
            "age_exception",
            "outcome",
            "closed_on",
            "close_reason",
            "request",
            "request_on",
        ],
        hidden: &[],
    },
    Table {
        name: "case_step",
        keys: &["case_id", "id"],
        columns: &[
            "step",
            "on_date",
            "result",
            "performer",
            "forms",
            "late_reason",
            "note",
            "vote_id",
            "doc_number",
            "actor",
        ],
        hidden: &[],
    },
    Table {
        name: "case_person",
        keys: &["case_id", "id"],
        columns: &["member_id", "role", "known_since"],
        hidden: &[],
    },
    Table {
        name: "case_extension",
        keys: &["case_id", "id"],
        columns: &["step", "granted_on", "reason"],
        hidden: &[],
    },
    Table {
        name: "transfer",
        keys: &["case_id"],
        columns: &[
            "member_id",
            "origin_cell_id",
            "origin_outside",
            "dest_cell_id",
            "dest_outside",
            "reason",
            "return_on",
            "prior_status",
            "portal_ref",
            "letter_no",
            "history_no",
            "register_no",
            "letter_on",
            "dues_paid_through",
            "attached",
            "refusal",
        ],
        hidden: &[],
    },
    Table {
        name: "badge_case",
        keys: &["case_id"],
        columns: &["member_id", "milestone", "ceremony_on", "early"],
        hidden: &[],
    },
    Table {
        name: "badge_award",
        keys: &["member_id", "id"],
        columns: &["milestone", "awarded_on", "case_id", "decision_no", "actor"],
        hidden: &[],
    },
    Table {
        name: "evaluation",
        keys: &["id"],
        columns: &[
            "round_id",
            "cell_id",
            "member_id",
            "case_id",
            "exempt",
            "form",
            "scores",
            "self_points",
            "self_tier",
            "self_text",
            "tasks_exceeding",
            "evidence",
            "submitted_on",
            "late_permission",
            "opinions",
            "proposed_tier",
            "vote_id",
            "final_tier",
            "final_reason",
            "decided_on",
        ],
        hidden: &[],
    },
    Table {
        name: "cell_evaluation",
        keys: &["case_id"],
        columns: &[
            "id",
            "round_id",
            "cell_id",
            "self_points",
            "tasks_exceeding",
            "self_tier",
            "report",
            "figures",
            "submitted_on",
            "opinions",
            "proposed_tier",
            "vote_id",
            "final_tier",
            "final_reason",
            "decided_on",
            "announced_on",
        ],
        hidden: &[],
    },
];

fn table(name: &str) -> &'static Table {
    TABLES
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("{name} is not an imaged table"))
}

/// What an entry images besides its subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// One record by its keys (absent if it was deleted).
    Row(&'static str, Vec<i64>),
    /// Every record of a child table under one parent (its first key).
    Under(&'static str, i64),
}

/// The records an entry about `entity` #`id` images by default: the record
/// and the children only its own acts change. A meeting's children change
/// one at a time; the meeting's acts name them.
pub fn parts_of(entity: &str, id: i64) -> Vec<Part> {
    use Part::{Row, Under};
    match entity {
        "member" => vec![
            Row("member", vec![id]),
            Under("member_status", id),
            Under("badge_award", id),
        ],
        "task" => vec![
            Row("task", vec![id]),
            Under("task_owner", id),
            Under("task_review", id),
            Under("task_progress", id),
        ],
        "meeting" => vec![Row("meeting", vec![id])],
        "report" => vec![Row("report", vec![id])],
        "candidate" => vec![Row("candidate", vec![id])],
        "case" => vec![
            Row("case_file", vec![id]),
            Under("case_step", id),
            Under("case_person", id),
            Under("case_extension", id),
            Row("transfer", vec![id]),
            Row("badge_case", vec![id]),
            Row("cell_evaluation", vec![id]),
        ],
        "concern" => vec![Row("concern", vec![id])],
        "study" => vec![
            Row("study_assignment", vec![id]),
            Under("study_assignee", id),
            Under("study_done", id),
            Under("study_reflection", id),
            Under("study_attendance", id),
        ],
        "study_document" => vec![Row("study_document", vec![id])],
        "announcement" => vec![Row("announcement", vec![id])],
        "account" => vec![Row("account", vec![id]), Under("role_grant", id)],
        "org" => vec![
            Row("org_unit", vec![id]),
            Under("committee_role", id),
            Under("org_term", id),
        ],
        _ => vec![],
    }
}

/// One record's columns; `None` is SQL NULL.
pub type Image = BTreeMap<String, Option<String>>;

/// The images an entry carries: record key (`attendance:5:42`) → its image,
/// or `None` for a record that no longer exists; and the prefixes
/// (`attendance:5:`) under which every existing record is listed.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub rows: BTreeMap<String, Option<Image>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<String>,
}

impl State {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.sets.is_empty()
    }

    /// The images of `parts` taken from a state read for many entries at once.
    pub fn subset(&self, parts: &[Part]) -> State {
        let mut out = State::default();
        for p in parts {
            match p {
                Part::Row(name, keys) => {
                    let k = record_key(name, keys);
                    let image = self.rows.get(&k).cloned().flatten();
                    out.rows.insert(k, image);
                }
                Part::Under(name, parent) => {
                    let prefix = set_prefix(name, *parent);
                    for (k, v) in self.rows.range(prefix.clone()..) {
                        if !k.starts_with(&prefix) {
                            break;
                        }
                        out.rows.insert(k.clone(), v.clone());
                    }
                    out.sets.push(prefix);
                }
            }
        }
        out.sets.sort();
        out.sets.dedup();
        out
    }

    /// The canonical text stored with the entry and hashed with it.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("plain data serialises")
    }
}

/// The key of a record as images name it.
pub fn record_key(table: &str, keys: &[i64]) -> String {
    let mut k = table.to_string();
    for v in keys {
        k.push(':');
        k.push_str(&v.to_string());
    }
    k
}

/// The prefix of every record of `table` under `parent`.
pub fn set_prefix(table: &str, parent: i64) -> String {
    format!("{table}:{parent}:")
}

/// Values longer than this are imaged by their digest: minutes and bodies
/// would otherwise be copied into the trail at every autosave.
const LONG: usize = 120;

fn digest(v: &str) -> String {
    format!(
        "sha256:{}",
        super::audit::hex(&Sha256::digest(v.as_bytes()))
    )
}

/// The digest of an image, for comparing without keeping it.
pub fn image_digest(i: &Option<Image>) -> [u8; 32] {
    Sha256::digest(serde_json::to_vec(i).expect("plain data serialises")).into()
}

/// The SQL that reads `t`'s records with their keys first, each as text.
/// The text columns are renamed: PostgreSQL would otherwise sort `ORDER BY
/// id` by the text column named `id` ("10" before "9").
fn select(t: &Table) -> String {
    let cols: Vec<String> = t
        .keys
        .iter()
        .chain(t.columns)
        .enumerate()
        .map(|(i, c)| format!("CAST({c} AS TEXT) AS v{i}"))
        .collect();
    format!("SELECT {} FROM {}", cols.join(", "), t.name)
}

/// One row read by [`select`]: its keys and image.
fn decode<R: sqlx::Row>(t: &Table, row: &R) -> Result<(Vec<i64>, Image)>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut keys = Vec::with_capacity(t.keys.len());
    for i in 0..t.keys.len() {
        let v: Option<String> = row.try_get(i)?;
        keys.push(v.and_then(|v| v.parse().ok()).unwrap_or_default());
    }
    let mut image = Image::new();
    for (i, c) in t.columns.iter().enumerate() {
        let v: Option<String> = row.try_get(t.keys.len() + i)?;
        let v = v.map(|v| {
            if t.hidden.contains(c) || v.chars().count() > LONG {
                digest(&v)
            } else {
                v
            }
        });
        image.insert((*c).to_string(), v);
    }
    Ok((keys, image))
}

/// Bind values of an `IN (…)` list, at most this many per statement.
const CHUNK: usize = 500;

/// The records of `t` whose first key is one of `ids` or, given a parent,
/// those of a two-key table under it whose second key is one of `ids`.
async fn rows_in(
    tx: &mut Tx,
    t: &Table,
    parent: Option<i64>,
    ids: &[i64],
) -> Result<Vec<(Vec<i64>, Image)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let first = usize::from(parent.is_some()) + 1;
        let marks: Vec<String> = (first..first + chunk.len())
            .map(|i| format!("${i}"))
            .collect();
        let filter = match parent {
            Some(_) => format!("{} = $1 AND {}", t.keys[0], t.keys[1]),
            None => t.keys[0].to_string(),
        };
        let sql = format!("{} WHERE {filter} IN ({})", select(t), marks.join(", "));
        let rows = in_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for k in parent.iter().chain(chunk) {
                q = q.bind(*k);
            }
            match q.fetch_all(&mut *c).await {
                Ok(rows) => rows
                    .iter()
                    .map(|r| decode(t, r))
                    .collect::<Result<Vec<_>>>(),
                Err(e) => Err(e.into()),
            }
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// What [`read`] reads of one table: every record under some parents, and
/// single records of a two-key table by parent.
#[derive(Default)]
struct Wanted {
    parents: Vec<i64>,
    rows: BTreeMap<i64, Vec<i64>>,
}

/// Reads the images of `parts` inside the transaction that changed them:
/// one query per table and few hundred parents, however many parts. A single
/// record of a two-key table is read by both its keys, not with every record
/// under its parent: an agenda item, a cast or a roll-call mark would
/// otherwise cost as much as the meeting's or the vote's whole set, so each
/// write got slower as its meeting filled.
pub async fn read(tx: &mut Tx, parts: &[Part]) -> Result<State> {
    let mut state = State::default();
    if parts.is_empty() {
        return Ok(state);
    }
    let mut wanted: BTreeMap<&'static str, Wanted> = BTreeMap::new();
    for p in parts {
        match p {
            Part::Row(name, keys) if keys.len() == 2 => wanted
                .entry(name)
                .or_default()
                .rows
                .entry(keys[0])
                .or_default()
                .push(keys[1]),
            Part::Row(name, keys) => wanted.entry(name).or_default().parents.push(keys[0]),
            Part::Under(name, parent) => wanted.entry(name).or_default().parents.push(*parent),
        }
    }
    for (name, mut w) in wanted {
        w.parents.sort_unstable();
        w.parents.dedup();
        let t = table(name);
        let mut rows = rows_in(tx, t, None, &w.parents).await?;
        for (parent, mut seconds) in w.rows {
            // Already read whole.
            if w.parents.binary_search(&parent).is_ok() {
                continue;
            }
            seconds.sort_unstable();
            seconds.dedup();
            rows.extend(rows_in(tx, t, Some(parent), &seconds).await?);
        }
        let mut found: BTreeMap<Vec<i64>, Image> = rows.into_iter().collect();
        for p in parts {
            match p {
                Part::Row(n, keys) if *n == name => {
                    let image = found.get(keys).cloned();
                    state.rows.insert(record_key(name, keys), image);
                }
                Part::Under(n, parent) if *n == name => {
                    state.sets.push(set_prefix(name, *parent));
                    for (keys, image) in found.range(vec![*parent]..) {
                        if keys[0] != *parent {
                            break;
                        }
                        state
                            .rows
                            .insert(record_key(name, keys), Some(image.clone()));
                    }
                }
                _ => {}
            }
        }
        found.clear();
    }
    state.sets.sort();
    state.sets.dedup();
    Ok(state)
}

/// A page of every record of `t` after `after` (keys in order), for
/// verification. On a reading connection: it sees committed records only.
pub async fn page(
    r: &mut super::Reader,
    t: &Table,
    after: Option<&[i64]>,
    limit: i64,
) -> Result<Vec<(Vec<i64>, Image)>> {
    let order: Vec<String> = t.keys.iter().map(|k| k.to_string()).collect();
    let (filter, binds): (String, Vec<i64>) = match (after, t.keys) {
        (None, _) => (String::new(), vec![]),
        (Some(a), [k]) => (format!(" WHERE {k} > $1"), vec![a[0]]),
        (Some(a), [k1, k2]) => (
            format!(" WHERE {k1} > $1 OR ({k1} = $2 AND {k2} > $3)"),
            vec![a[0], a[0], a[1]],
        ),
        (Some(_), _) => unreachable!("one or two keys"),
    };
    let sql = format!(
        "{}{filter} ORDER BY {} LIMIT ${}",
        select(t),
        order.join(", "),
        binds.len() + 1
    );
    super::read!(r, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(*b);
        }
        match q.bind(limit).fetch_all(c).await {
            Ok(rows) => rows
                .iter()
                .map(|r| decode(t, r))
                .collect::<Result<Vec<_>>>(),
            Err(e) => Err(e.into()),
        }
    })
}

/// One record's image as committed (`None` if there is no such record).
pub async fn one(r: &mut super::Reader, t: &Table, keys: &[i64]) -> Result<Option<Image>> {
    let filter: Vec<String> = t
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} = ${}", i + 1))
        .collect();
    let sql = format!("{} WHERE {}", select(t), filter.join(" AND "));
    let found = super::read!(r, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for k in keys {
            q = q.bind(*k);
        }
        match q.fetch_optional(c).await {
            Ok(Some(r)) => decode(t, &r).map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(e.into()),
        }
    })?;
    Ok(found.map(|(_, image)| image))
}

/// The table a record key names, and its keys.
pub fn parse_key(key: &str) -> Option<(&'static Table, Vec<i64>)> {
    let mut it = key.split(':');
    let name = it.next()?;
    let t = TABLES.iter().find(|t| t.name == name)?;
    let keys: Option<Vec<i64>> = it.map(|k| k.parse().ok()).collect();
    let keys = keys?;
    (keys.len() == t.keys.len()).then_some((t, keys))
}

/// The columns whose values differ between two images, with both values
/// (hidden columns show their digests, never their values).
pub fn differences(was: &Option<Image>, is: &Option<Image>) -> Vec<(String, String, String)> {
    let show = |v: Option<&Option<String>>| match v {
        Some(Some(v)) => v.clone(),
        Some(None) => "NULL".into(),
        None => "—".into(),
    };
    match (was, is) {
        (Some(a), Some(b)) => {
            let mut cols: Vec<&String> = a.keys().chain(b.keys()).collect();
            cols.sort();
            cols.dedup();
            cols.into_iter()
                .filter(|c| a.get(*c) != b.get(*c))
                .map(|c| ((*c).clone(), show(a.get(c)), show(b.get(c))))
                .collect()
        }
        _ => vec![],
    }
}

/// A record the trail holds no image of, as a baseline entry names it: the
/// chain it belongs to, its entity and id, and what to image besides the
/// entity's own parts.
pub struct Unimaged {
    pub chain: i64,
    pub entity: &'static str,
    pub id: i64,
    pub more: Vec<Part>,
}

/// Every record of the imaged tables by the entity whose entries image it
/// (a meeting with its children), on the chain its entries go into: what
/// the one baseline of a database written before images existed covers.
pub async fn all_subjects(db: &super::Db) -> Result<Vec<Unimaged>> {
    async fn pairs(db: &super::Db, sql: &'static str) -> Result<Vec<(i64, i64)>> {
        Ok(super::pooled!(db, |c| sqlx::query_as(sql)
            .fetch_all(c)
            .await)?)
    }
    let subjects = |rows: Vec<(i64, i64)>, entity: &'static str| {
        rows.into_iter().map(move |(id, chain)| Unimaged {
            chain,
            entity,
            id,
            more: vec![],
        })
    };
    let mut out = vec![];
    // A party group's changes go into its cell's chain (`orgs::chain_of`).
    let orgs = "SELECT id, CASE WHEN kind = 'to_dang' THEN COALESCE(parent_id, id) ELSE id END AS chain \
                FROM org_unit ORDER BY id";
    out.extend(subjects(pairs(db, orgs).await?, "org"));
    // A member's evaluations are imaged with the member (issue 16).
    let mut evaluations: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (id, member) in pairs(db, "SELECT id, member_id FROM evaluation ORDER BY id").await? {
        evaluations.entry(member).or_default().push(id);
    }
    for mut m in subjects(
        pairs(db, "SELECT id, cell_id FROM member ORDER BY id").await?,
        "member",
    ) {
        for e in evaluations.get(&m.id).into_iter().flatten() {
            m.more.push(Part::Row("evaluation", vec![*e]));
        }
        out.push(m);
    }
    // Accounts are installation-wide: chain 0.
    out.extend(subjects(
        pairs(db, "SELECT id, CAST(0 AS BIGINT) FROM account ORDER BY id").await?,
        "account",
    ));
    let under = |rows: Vec<(i64, i64)>| {
        let mut by: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (id, parent) in rows {
            by.entry(parent).or_default().push(id);
        }
        by
    };
    let items = under(pairs(db, "SELECT id, meeting_id FROM agenda_item").await?);
    let votes = under(pairs(db, "SELECT id, meeting_id FROM vote").await?);
    let meetings = pairs(db, "SELECT id, cell_id FROM meeting ORDER BY id").await?;
    for mut m in subjects(meetings, "meeting") {
        let id = m.id;
        m.more = vec![
            Part::Under("agenda_item", id),
            Part::Under("attendance", id),
            Part::Under("vote", id),
            Part::Under("meeting_file", id),
            Part::Row("resolution", vec![id]),
        ];
        for i in items.get(&id).into_iter().flatten() {
            m.more.push(Part::Under("speech", *i));
        }
        for v in votes.get(&id).into_iter().flatten() {
            m.more.push(Part::Under("vote_cast", *v));
        }
        out.push(m);
    }
    out.extend(subjects(
        pairs(db, "SELECT id, cell_id FROM task ORDER BY id").await?,
        "task",
    ));
    out.extend(subjects(
        pairs(db, "SELECT id, org_id FROM report ORDER BY id").await?,
        "report",
    ));
    out.extend(subjects(
        pairs(db, "SELECT id, cell_id FROM candidate ORDER BY id").await?,
        "candidate",
    ));
    // A case's steps, people and extensions are its parts (`parts_of`).
    out.extend(subjects(
        pairs(db, "SELECT id, cell_id FROM case_file ORDER BY id").await?,
        "case",
    ));
    out.extend(subjects(
        pairs(db, "SELECT id, cell_id FROM concern ORDER BY id").await?,
        "concern",
    ));
    out.extend(subjects(
        pairs(db, "SELECT id, cell_id FROM study_assignment ORDER BY id").await?,
        "study",
    ));
    out.extend(subjects(
        pairs(db, "SELECT id, unit_id FROM study_document ORDER BY id").await?,
        "study_document",
    ));
    out.extend(subjects(
        pairs(db, "SELECT id, unit_id FROM announcement ORDER BY id").await?,
        "announcement",
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_records_and_parse_back() {
        assert_eq!(record_key("attendance", &[5, 42]), "attendance:5:42");
        assert!(record_key("attendance", &[5, 42]).starts_with(&set_prefix("attendance", 5)));
        assert!(!record_key("attendance", &[55, 42]).starts_with(&set_prefix("attendance", 5)));
        let (t, k) = parse_key("attendance:5:42").unwrap();
        assert_eq!((t.name, k), ("attendance", vec![5, 42]));
        assert!(parse_key("attendance:5").is_none());
        assert!(parse_key("nothing:1").is_none());
    }

    #[test]
    fn every_hidden_column_is_imaged_and_every_default_part_is_a_table() {
        for t in TABLES {
            for h in t.hidden {
                assert!(t.columns.contains(h), "{}.{h}", t.name);
            }
            assert!(!t.keys.is_empty() && t.keys.len() <= 2, "{}", t.name);
        }
        for e in [
            "member",
            "task",
            "meeting",
            "report",
            "account",
            "org",
            "concern",
            "study",
            "candidate",
            "case",
        ] {
            for p in parts_of(e, 1) {
                let (Part::Row(n, _) | Part::Under(n, _)) = p;
                table(n);
            }
        }
    }

    #[test]
    fn differences_name_columns_with_both_values() {
        let a: Image = [("subject".to_string(), Some("cũ".to_string()))].into();
        let b: Image = [("subject".to_string(), Some("mới".to_string()))].into();
        assert_eq!(
            differences(&Some(a.clone()), &Some(b)),
            vec![("subject".into(), "cũ".into(), "mới".into())]
        );
        assert!(differences(&Some(a.clone()), &Some(a)).is_empty());
    }
}
