//! The meeting's resolution: the draft, then adoption with a passed vote.

use super::seal::{Locking, lock_document};
use super::{invalid, managed_meeting};
use crate::model::{TaskSource, nfc};
use crate::service::tasks::review_board;
use crate::service::{Actor, Result, ServiceError, Services, Subject, audit_entry_with, today};
use crate::store::images::Part;
use crate::store::meetings as db;
use chibo_rules::{DecisionKind, Outcome};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// One row of the resolution's assignment table: what, the lead and
/// co-owners (members of the cell), by when. Each becomes a task when the
/// resolution is adopted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Assignment {
    pub what: String,
    /// The lead's and co-owners' names as printed; filled in from the ids.
    #[serde(default)]
    pub who: String,
    /// dd/mm/yyyy
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub lead_id: Option<i64>,
    #[serde(default)]
    pub co_owner_ids: Vec<i64>,
    /// The resident's concern the row answers (from the meeting's "dư luận
    /// nhân dân" item); its task is linked to it.
    #[serde(default)]
    pub concern_id: Option<i64>,
}

/// A concern a resolution's row may assign a task from: one of the cell's,
/// not closed (as settled, a duplicate or spam).
async fn task_concern(
    r: &mut crate::store::Reader,
    cell_id: i64,
    id: i64,
) -> Result<crate::store::concerns::ConcernRow> {
    match crate::store::concerns::get(r, id).await? {
        Some(k) if k.cell_id == cell_id && k.state != "closed" => Ok(k),
        Some(k) if k.cell_id == cell_id => {
            Err(invalid("assignments", "residents.concern_closed", k.code))
        }
        _ => Err(invalid(
            "assignments",
            "residents.concern_unknown",
            id.to_string(),
        )),
    }
}

impl Services {
    pub async fn save_resolution(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        d: &db::Draft<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let assignments: Vec<Assignment> = serde_json::from_str(d.assignments)
            .map_err(|_| invalid("assignments", "required", ""))?;
        let (m, cell, members, concerns) = self
            .db
            .read(async |r| {
                let (m, cell) = managed_meeting(r, actor, id).await?;
                let members = crate::store::members::of_cell(r, cell.id).await?;
                let mut concerns = Vec::new();
                for k in assignments.iter().filter_map(|a| a.concern_id) {
                    concerns.push(task_concern(r, cell.id, k).await?);
                }
                Ok::<_, crate::service::ServiceError>((m, cell, members, concerns))
            })
            .await?;
        let subject = nfc(d.subject);
        if subject.is_empty() {
            return Err(invalid("subject", "required", ""));
        }
        // A row that names a concern and nothing else is the task of
        // settling it.
        let assignments: Vec<Assignment> = assignments
            .into_iter()
            .map(
                |a| match concerns.iter().find(|k| Some(k.id) == a.concern_id) {
                    Some(k) if a.what.trim().is_empty() => Assignment {
                        what: crate::service::concerns::task_title(k),
                        ..a
                    },
                    _ => a,
                },
            )
            .collect();
        let name = |id: &i64| {
            members
                .iter()
                .find(|m| m.id == *id)
                .map(|m| m.full_name.clone())
        };
        let rows: Vec<Assignment> = assignments
            .into_iter()
            .filter(|a| !a.what.trim().is_empty())
            .map(|a| {
                let names: Vec<String> = a
                    .lead_id
                    .iter()
                    .chain(&a.co_owner_ids)
                    .filter_map(name)
                    .collect();
                Assignment {
                    what: nfc(a.what.trim()),
                    who: if names.is_empty() {
                        nfc(a.who.trim())
                    } else {
                        names.join(", ")
                    },
                    deadline: a.deadline.trim().to_string(),
                    ..a
                }
            })
            .collect();
        let assignments = serde_json::to_string(&rows).unwrap_or_default();
        let draft = db::Draft {
            subject: &subject,
            results: &nfc_text(d.results),
            tasks: &nfc_text(d.tasks),
            assignments: &assignments,
            // An explicit "no task" only stands while there is none.
            no_tasks: d.no_tasks && rows.is_empty(),
        };
        let mut tx = self.db.begin().await?;
        if !db::save_draft(&mut tx, id, cell.id, version, &draft, now).await? {
            return Err(ServiceError::Stale);
        }
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Row("resolution", vec![id])],
            "resolution.draft",
            json!({"subject": subject}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adopts the draft with a passed vote: numbers it, locks it, seals it.
    pub async fn adopt_resolution(
        &self,
        actor: &Actor,
        id: i64,
        vote_id: i64,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let (m, cell, r, v, review, members) = self
            .db
            .read(async |rd| {
                let (m, cell) = managed_meeting(rd, actor, id).await?;
                let r = db::resolution(rd, id)
                    .await?
                    .ok_or_else(|| invalid("subject", "resolution.missing", ""))?;
                if r.status != "draft" {
                    return Err(invalid(
                        "subject",
                        "resolution.adopted",
                        r.number_text.unwrap_or_default(),
                    ));
                }
                let v = db::vote(rd, vote_id)
                    .await?
                    .filter(|v| v.meeting_id == id)
                    .ok_or(ServiceError::NotFound)?;
                let review = review_board(rd, actor, id).await?;
                let members = crate::store::members::of_cell(rd, cell.id).await?;
                // A concern closed since the draft was saved gets no task.
                let rows: Vec<Assignment> =
                    serde_json::from_str(&r.assignments).unwrap_or_default();
                for k in rows.iter().filter_map(|a| a.concern_id) {
                    task_concern(rd, cell.id, k).await?;
                }
                Ok((m, cell, r, v, review, members))
            })
            .await?;
        if v.kind != DecisionKind::NghiQuyet.code()
            || v.outcome.as_deref() != Some(Outcome::Dat.code())
        {
            return Err(invalid("vote", "resolution.vote_not_passed", v.subject));
        }
        let on = today(m.starts_at);
        // Every adopted resolution has its tasks, or says it has none.
        let rows: Vec<Assignment> = serde_json::from_str(&r.assignments).unwrap_or_default();
        let tasks =
            crate::service::tasks::check_assignments(&rows, on).map_err(ServiceError::Invalid)?;
        if tasks.is_empty() && !r.no_tasks {
            return Err(invalid("assignments", "resolution.no_tasks", ""));
        }
        let review_rows: Vec<serde_json::Value> = review
            .items
            .iter()
            .map(|(i, d)| {
                json!({"task_id": i.task.id, "what": i.task.title, "lead": i.task.lead_name,
                       "status": d.as_ref().map_or(i.shown.as_str(), |d| d.status.as_str()),
                       "decision": d.as_ref().map(|d| d.decision.clone()),
                       "new_deadline": d.as_ref().and_then(|d| d.new_deadline)})
            })
            .collect();
        let symbol: String = self
            .rules
            .param("doc_org_symbol_cell", on)
            .unwrap_or_else(|_| "CB".into());
        let mut view = self.meeting_view(actor, id).await?;
        let mut tx = self.db.begin().await?;
        let numbering = self.numbering_start(&mut tx, cell.id, on).await?;
        let number = db::next_number(&mut tx, cell.id, "NQ", numbering).await?;
        let number_text = chibo_rules::format_doc_number(
            u32::try_from(number).unwrap_or(u32::MAX),
            "NQ",
            &symbol,
        );
        // The resolution as printed: the meeting as recorded, with the
        // number and the vote this adoption gives it.
        if let Some(res) = view.resolution.as_mut() {
            res.status = "adopted".into();
            res.vote_id = Some(vote_id);
            res.number = Some(number);
            res.number_text = Some(number_text.clone());
            res.adopted_at = Some(now);
        }
        let printed = self.printed_resolution(actor, &view).await?;
        let facts = json!({
            "number": number_text, "subject": r.subject, "results": r.results, "tasks": r.tasks,
            "assignments": serde_json::from_str::<serde_json::Value>(&r.assignments).unwrap_or_default(),
            "no_tasks": r.no_tasks, "review": review_rows,
            "vote": {"tan_thanh": v.tan_thanh, "khong_tan_thanh": v.khong_tan_thanh, "khong_bieu_quyet": v.khong_bieu_quyet,
                     "base": v.base, "explanation": v.explanation},
            "meeting": {"id": m.id, "starts_at": m.starts_at, "opened_at": m.opened_at, "closed_at": m.closed_at, "place": m.place},
        });
        lock_document(
            &mut tx,
            actor,
            Subject::meeting(&m),
            Locking {
                doc_type: "resolution",
                doc_id: r.id,
                facts,
                printed,
                reason: None,
                action: "resolution.adopt",
                summary: json!({"number": number_text}),
                parts: vec![Part::Row("resolution", vec![id])],
            },
            async |tx, hash| {
                // Two adoptions of one draft at once: the second finds it
                // adopted and its number goes back with its transaction.
                if db::adopt(tx, r.id, vote_id, number, &number_text, hash, now).await? {
                    Ok(())
                } else {
                    Err(invalid("subject", "resolution.adopted", ""))
                }
            },
            now,
        )
        .await?;
        self.assign_tasks(
            &mut tx,
            actor,
            &cell,
            &members,
            Some(r.id),
            TaskSource::Resolution,
            on,
            &tasks,
            now,
        )
        .await?;
        tx.commit().await?;
        self.anchor_after_seal(cell.id).await;
        Ok(number_text)
    }

    /// Where a unit's document numbers start again, per the rule pack's
    /// numbering rule on `on`: at each term of its committee (the national
    /// rule), each calendar year, or never.
    pub(crate) async fn numbering_start(
        &self,
        tx: &mut crate::store::Tx,
        org_id: i64,
        on: chrono::NaiveDate,
    ) -> Result<chrono::NaiveDate> {
        // Numbers of a unit with no recorded term run from its first document.
        let origin = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");
        let scope: String = self
            .rules
            .param("doc_number_scope", on)
            .map_err(|e| invalid("number", "vote.rules", e.to_string()))?;
        Ok(match scope.as_str() {
            "per_type_per_term" => db::term_start(tx, org_id, on).await?.unwrap_or(origin),
            "per_type_per_year" => {
                chrono::NaiveDate::from_ymd_opt(on.year(), 1, 1).unwrap_or(origin)
            }
            "per_type" => origin,
            other => return Err(invalid("number", "rules.numbering", other)),
        })
    }
}

fn nfc_text(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    unicode_normalization::UnicodeNormalization::nfc(s.trim()).collect()
}
