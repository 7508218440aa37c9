//! Each open case's earliest open deadline, kept on its row (`case_file.due_on`)
//! and counted per cell (`case_due_count`) in the same transaction as every
//! write that can move it: the case opened, a step recorded, a deadline
//! extended, the case closed. The upper committee's table then counts a
//! province's late cases from a few rows a cell instead of working every
//! open case through the calendar on each read (issue 18 item 5).
//!
//! The date is the one the case's own page and the secretary's dashboard
//! show (`CaseDetail::next_due`): the rules' view of the case, its open steps'
//! deadlines, the earliest. It depends on the case's rows and on the rule
//! packs (the procedure in force on the opening day, each deadline's
//! parameter in force on its anchor, the calendar's days off), not on the
//! reading day: a case is late on any day after it. A pack dated later than
//! a deadline's anchor does not move it; different packs loaded (a new
//! binary, a local pack changed) may, so the fingerprint of the packs the
//! dates were computed with is kept beside them and a start-up that finds
//! other packs computes every open case's date again.

use super::cases::rules_case;
use super::{Actor, Result, Services, Subject, audit_entry, today};
use crate::store::cases::{self as db, CaseRow, ExtensionRow, NewStep, StepRow};
use crate::store::{Tx, orgs};
use chibo_rules::{Case, CaseKind, DateCode};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// The name of the figure in `kept_basis`.
const BASIS: &str = "case_due";

impl Services {
    /// The earliest deadline among a case's open steps on `on`, as its page
    /// shows it; none when closed or when no deadline runs yet. A case the
    /// rules cannot read (a pack without its procedure) has none, and is
    /// said in the log.
    pub(crate) fn next_due(&self, id: i64, case: &Case, on: NaiveDate) -> Option<NaiveDate> {
        match self.rules.case_view(case, on) {
            Ok(view) => view.open_deadlines().first().map(|(_, d)| d.date),
            Err(e) => {
                tracing::warn!("case {id}: no deadline kept: {e}");
                None
            }
        }
    }

    /// The deadline of a case about to be opened (no step yet).
    pub(crate) fn opening_due(
        &self,
        kind: CaseKind,
        opened: NaiveDate,
        dates: &BTreeMap<String, NaiveDate>,
        on: NaiveDate,
    ) -> Option<NaiveDate> {
        let mut case = Case::new(kind, opened);
        for (k, v) in dates {
            if let Ok(code) = DateCode::new(k) {
                case.dates.insert(code, *v);
            }
        }
        self.next_due(0, &case, on)
    }

    /// Computes a case's deadline again from its rows as this transaction
    /// sees them and keeps it, with its cell's count: after a step or an
    /// extension is written.
    pub(crate) async fn keep_due(
        &self,
        tx: &mut Tx,
        case_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Some(row) = db::get_in(tx, case_id).await? else {
            return Ok(());
        };
        if row.closed_on.is_some() {
            return Ok(());
        }
        let steps = db::steps_in(tx, case_id).await?;
        let ext = db::extensions_in(tx, case_id).await?;
        let due = self.due_of_rows(&row, &steps, &ext, today(now));
        db::set_due(tx, case_id, due).await?;
        Ok(())
    }

    /// Records a step of a case and keeps its deadline: every step goes
    /// through here, whichever service records it.
    pub(crate) async fn insert_step(
        &self,
        tx: &mut Tx,
        step: &NewStep<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let id = db::insert_step(tx, step, now).await?;
        self.keep_due(tx, step.case_id, now).await?;
        Ok(id)
    }

    fn due_of_rows(
        &self,
        row: &CaseRow,
        steps: &[StepRow],
        ext: &[ExtensionRow],
        on: NaiveDate,
    ) -> Option<NaiveDate> {
        match rules_case(row, steps, ext) {
            Ok(case) => self.next_due(row.id, &case, on),
            Err(_) => None,
        }
    }

    /// The fingerprint of the rule packs loaded: every parameter, procedure,
    /// form and calendar day they hold (the rules keep them in ordered maps,
    /// so the same packs print the same).
    pub(crate) fn rules_fingerprint(&self) -> String {
        crate::store::audit::hex(&Sha256::digest(format!("{:?}", self.rules).as_bytes()))
    }

    /// At start-up: when the kept deadlines were computed with other packs
    /// than the ones loaded (or never, right after migration 0028), every
    /// open case's deadline is computed again and every cell's count redone,
    /// in one transaction by the system, audited when a date changed.
    /// Idempotent: with the same packs it reads one row. Returns how many
    /// cases' dates changed.
    pub async fn keep_case_dues(&self, now: DateTime<Utc>) -> Result<usize> {
        let fingerprint = self.rules_fingerprint();
        let on = today(now);
        let found = self
            .db
            .read(async |r| {
                if db::kept_basis(r, BASIS).await?.as_deref() == Some(fingerprint.as_str()) {
                    return Ok::<_, super::ServiceError>(None);
                }
                let rows = db::under(r, "/", false).await?;
                let mut steps: HashMap<i64, Vec<StepRow>> = HashMap::new();
                for s in db::steps_under(r, "/", false).await? {
                    steps.entry(s.case_id).or_default().push(s);
                }
                let mut ext: HashMap<i64, Vec<ExtensionRow>> = HashMap::new();
                for e in db::extensions_under(r, "/", false).await? {
                    ext.entry(e.case_id).or_default().push(e);
                }
                let kept = db::kept_dues(r).await?;
                let roots = orgs::roots(r).await?;
                Ok(Some((rows, steps, ext, kept, roots)))
            })
            .await?;
        let Some((rows, mut steps, mut ext, kept, roots)) = found else {
            return Ok(0);
        };
        // A case nobody has acted on is its procedure, opening day and
        // dates: a round's thousands share one computation.
        let mut untouched: HashMap<(CaseKind, NaiveDate, String), Option<NaiveDate>> =
            HashMap::new();
        let mut by_due: BTreeMap<Option<NaiveDate>, Vec<i64>> = BTreeMap::new();
        for row in rows {
            let s = steps.remove(&row.id).unwrap_or_default();
            let e = ext.remove(&row.id).unwrap_or_default();
            let due = if s.is_empty() && e.is_empty() {
                *untouched
                    .entry((row.kind, row.opened_on, row.input_dates.clone()))
                    .or_insert_with(|| self.due_of_rows(&row, &s, &e, on))
            } else {
                self.due_of_rows(&row, &s, &e, on)
            };
            if kept.get(&row.id) != Some(&due) {
                by_due.entry(due).or_default().push(row.id);
            }
        }
        let changed: usize = by_due.values().map(Vec::len).sum();
        let mut tx = self.db.begin().await?;
        for (due, ids) in &by_due {
            db::set_dues(&mut tx, *due, ids).await?;
        }
        db::recount_all_dues(&mut tx).await?;
        // Other packs may move deadlines and the "due soon" window: every
        // open case is looked at by the next reminder sweep.
        db::remind_all_again(&mut tx).await?;
        db::set_kept_basis(&mut tx, BASIS, &fingerprint, now).await?;
        if changed > 0
            && let Some(root) = roots.first()
        {
            audit_entry(
                &mut tx,
                &Actor::system(),
                Subject::unit(root.id),
                "case.deadlines_kept",
                json!({"cases": changed, "rules": fingerprint}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }
}
