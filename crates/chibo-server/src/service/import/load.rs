//! The writing half of a committing import. The planner sends what each
//! chunk of rows changes; this task writes it, in order, in the import's
//! transaction while the planner reads and plans the next chunk — on two
//! cores the reading and the writing of a large file overlap instead of
//! taking turns. It holds the transaction and gives it back at the end,
//! uncommitted: the caller decides.

use super::{Committed, NewMember};
use crate::model::OrgKind;
use crate::service::members::{create_summary, unique_problem, update_member_in};
use crate::service::orgs::{OwnedOrg, insert_org};
use crate::service::{Actor, Result, ServiceError};
use crate::store::bulk::{self, Rows, Val};
use crate::store::{self, audit, members::MemberRow, members::MemberValues, orgs::OrgRow};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A party group a written member belongs to: by key, with the spelling a
/// group created for it takes.
pub(super) struct GroupRef {
    pub key: String,
    pub name: String,
}

/// What one part of the file writes.
pub(super) enum Load {
    /// The new members of a chunk, in file order.
    Creates(Vec<(NewMember, Option<GroupRef>)>),
    /// A stored member the file changes; `regroup` when it moves to another
    /// group (or out of any).
    Update {
        before: Box<MemberRow>,
        new: Box<MemberValues>,
        regroup: Option<Option<GroupRef>>,
    },
}

/// Chunks planned ahead of the writing: memory stays bounded.
const AHEAD: usize = 2;

pub(super) struct Loader {
    tx: store::Tx,
    actor: Actor,
    cell: OrgRow,
    now: DateTime<Utc>,
    /// Group ids by key: the cell's groups, then those this import creates.
    groups: HashMap<String, i64>,
    counts: Committed,
}

/// The running loader: where to send, and what it returns.
pub(super) struct Loading {
    pub send: mpsc::Sender<Load>,
    pub done: JoinHandle<Result<(store::Tx, Committed)>>,
}

impl Loader {
    pub(super) fn start(
        tx: store::Tx,
        actor: Actor,
        cell: OrgRow,
        now: DateTime<Utc>,
        groups: HashMap<String, i64>,
    ) -> Loading {
        let (send, rx) = mpsc::channel(AHEAD);
        let loader = Self {
            tx,
            actor,
            cell,
            now,
            groups,
            counts: Committed {
                created: 0,
                updated: 0,
            },
        };
        Loading {
            send,
            done: tokio::spawn(loader.run(rx)),
        }
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Load>) -> Result<(store::Tx, Committed)> {
        while let Some(load) = rx.recv().await {
            match load {
                Load::Creates(creates) => self.creates(creates).await?,
                Load::Update {
                    before,
                    mut new,
                    regroup,
                } => {
                    if let Some(group) = regroup {
                        new.group_id = self.group(group).await?;
                    }
                    if update_member_in(
                        &mut self.tx,
                        &self.actor,
                        &before,
                        before.version,
                        &new,
                        self.now,
                    )
                    .await?
                    {
                        self.counts.updated += 1;
                    }
                }
            }
        }
        Ok((self.tx, self.counts))
    }

    /// The id of a group, creating it (with its audit entry) on first use.
    async fn group(&mut self, group: Option<GroupRef>) -> Result<Option<i64>> {
        let Some(GroupRef { key, name }) = group else {
            return Ok(None);
        };
        if let Some(id) = self.groups.get(&key) {
            return Ok(Some(*id));
        }
        let o = OwnedOrg {
            kind: OrgKind::ToDang,
            code: None,
            name,
            cell_type: None,
            place: None,
        };
        let id = insert_org(&mut self.tx, &self.actor, Some(&self.cell), &o, self.now).await?;
        self.groups.insert(key, id);
        Ok(Some(id))
    }

    /// Writes a chunk's new members at once, as `chibo demo` does: ids
    /// reserved here, the cell's audit chain continued in memory, a few
    /// multi-row statements (COPY on PostgreSQL). Row by row, 300,000
    /// members took 85 s on SQLite and over 15 min on PostgreSQL.
    async fn creates(&mut self, creates: Vec<(NewMember, Option<GroupRef>)>) -> Result<()> {
        if creates.is_empty() {
            return Ok(());
        }
        let ids = bulk::reserve_ids(&mut self.tx, "member", creates.len()).await?;
        let mut members = Rows::new("member", store::members::BULK_COLUMNS);
        let mut statuses = Rows::new(
            "member_status",
            &["member_id", "status", "start_date", "note", "created_at"],
        );
        let mut placed = Vec::with_capacity(creates.len());
        for (new, group) in creates {
            let group = self.group(group).await?;
            placed.push((new, group));
        }
        let mut chain = audit::ChainWriter::open(&mut self.tx, self.cell.id).await?;
        let actor_name = self.actor.audit_name();
        self.counts.created += placed.len();
        for (id, (mut new, group)) in ids.iter().copied().zip(placed) {
            new.values.group_id = group;
            // Version 2: created, then its first status period (as
            // `insert_member` leaves it).
            members.push(store::members::bulk_row(
                id,
                self.cell.id,
                &new.values,
                new.status.as_str(),
                2,
                self.now,
            ));
            statuses.push([
                id.into(),
                new.status.as_str().into(),
                new.since.into(),
                Val::Null,
                self.now.into(),
            ]);
            chain.push(
                &audit::NewEntry {
                    chain_id: self.cell.id,
                    account_id: Some(self.actor.account_id),
                    actor: &actor_name,
                    action: "member.create",
                    entity: "member",
                    entity_id: Some(id),
                    summary: &create_summary(&new.values, new.status),
                },
                self.now,
            );
        }
        members.flush(&mut self.tx).await.map_err(unique_problem)?;
        statuses.flush(&mut self.tx).await?;
        chain.finish(&mut self.tx).await?;
        Ok(())
    }
}

/// The loader's outcome, once its sender is dropped.
pub(super) async fn finish(
    done: JoinHandle<Result<(store::Tx, Committed)>>,
) -> Result<(store::Tx, Committed)> {
    match done.await {
        Ok(r) => r,
        Err(e) => Err(ServiceError::Store(store::StoreError::Io(
            std::io::Error::other(format!("import writer: {e}")),
        ))),
    }
}
