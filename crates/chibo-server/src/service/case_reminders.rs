//! The reminder sweep's reminders of cases: each open step due within the
//! pack's "due soon" working days or late, and the end of a probation
//! coming, to the cell's secretary (and the probationer for their own
//! report), once per deadline and urgency.
//!
//! A province holds hundreds of thousands of open cases, almost all waiting
//! on nothing new (an evaluation round's cases are all late for the same
//! deadline, reminded once). So each case keeps the next day on which it may
//! owe a reminder it has not had (`case_file.remind_on`), written in the
//! transaction of its reminders; a pass works through the rule packs only the
//! cases whose day has come, and every write of a case sets its day back to
//! one already come (`store::cases::touch`, `set_due`).

use super::cases::{CaseDetail, listed, rules_error};
use super::{Result, ServiceError, Services, today};
use crate::model::format_date;
use crate::store::{self, cases as db};
use chibo_rules::Performer;
use chrono::{DateTime, Days, NaiveDate, Utc};
use std::collections::BTreeMap;

/// One reminder a case owes: its key (once-only per member), subject, body,
/// and whether the case's member hears of it too.
struct Owed {
    key: String,
    subject: String,
    body: String,
    to_member: bool,
}

/// A case read for the pass, with whom it reminds, what it owes today, and
/// the next day it may owe more.
struct Worked {
    detail: CaseDetail,
    to: Vec<i64>,
    owed: Vec<Owed>,
    next: Option<NaiveDate>,
    guard: (i64, i64, i64),
}

impl Services {
    /// Queues the reminders the open cases owe on `now`'s day, `batch` cases
    /// a transaction. Returns how many were queued.
    pub async fn remind_cases(&self, now: DateTime<Utc>, batch: i64) -> Result<usize> {
        let on = today(now);
        let window: u32 = self
            .rules
            .param("due_soon_working_days", on)
            .map_err(rules_error)?;
        let mut sent = 0;
        let mut by_cell: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        let mut after = None;
        loop {
            // A batch of the cases whose reminder day has come, with their
            // recipients, on one snapshot.
            let (worked, last) = self
                .db
                .read(async |r| {
                    let mut out = Vec::new();
                    let rows = db::to_remind(r, on, after, batch).await?;
                    let last = rows.last().map(|c| (c.remind_on, c.row.id));
                    for due in rows {
                        let guard = (due.row.id, due.row.version, due.last_step);
                        let Ok(d) = self.detail_of(r, due.row, on).await else {
                            // A case the rules cannot read (no pack for its
                            // dates) is shown on its page; the sweep goes on,
                            // and looks at it again tomorrow.
                            out.push(Err(guard));
                            continue;
                        };
                        let cell = d.case.cell_id;
                        if let std::collections::btree_map::Entry::Vacant(e) = by_cell.entry(cell) {
                            let ids = store::orgs::committee(r, cell)
                                .await?
                                .into_iter()
                                .filter(|p| p.end_date.is_none() && p.role == "bi_thu")
                                .map(|p| p.member_id)
                                .collect();
                            e.insert(ids);
                        }
                        // A discipline case reminds those handling it, not the cell.
                        let mut to = if listed(d.case.kind) {
                            by_cell.get(&cell).cloned().unwrap_or_default()
                        } else {
                            store::discipline::handlers(r, d.case.id)
                                .await?
                                .into_iter()
                                .filter_map(|h| h.member_id)
                                .collect()
                        };
                        // A transfer alerts both sides and the committees above.
                        to.extend(self.transfer_recipients(r, &d.case).await?);
                        to.sort_unstable();
                        to.dedup();
                        let owed = self.owed(&d, on, window);
                        let next = self.next_reminder_day(&d, on);
                        out.push(Ok(Worked {
                            detail: d,
                            to,
                            owed,
                            next,
                            guard,
                        }));
                    }
                    Ok::<_, ServiceError>((out, last))
                })
                .await?;
            let Some(last) = last else { break };
            // The batch's reminders and each case's next day, in one
            // transaction: a case is not read again before its day unless
            // written meanwhile.
            let mut next_days: BTreeMap<Option<NaiveDate>, Vec<(i64, i64, i64)>> = BTreeMap::new();
            let mut tx = self.db.begin().await?;
            for w in worked {
                let w = match w {
                    Ok(w) => w,
                    Err(guard) => {
                        next_days.entry(on.succ_opt()).or_default().push(guard);
                        continue;
                    }
                };
                for o in &w.owed {
                    let mut to = w.to.clone();
                    if o.to_member
                        && let Some(m) = w.detail.case.member_id
                    {
                        to.push(m);
                    }
                    for m in to {
                        let fresh = db::queue_reminder(
                            &mut tx,
                            m,
                            w.detail.case.id,
                            &o.key,
                            &o.subject,
                            &o.body,
                            now,
                        )
                        .await?;
                        sent += usize::from(fresh);
                    }
                }
                next_days.entry(w.next).or_default().push(w.guard);
            }
            for (next, cases) in &next_days {
                db::set_remind_on(&mut tx, *next, cases).await?;
            }
            tx.commit().await?;
            after = Some(last);
        }
        Ok(sent)
    }

    /// The reminders a case owes on `on`: its open steps due soon or late,
    /// and the end of its probation within the window.
    fn owed(&self, d: &CaseDetail, on: NaiveDate, window: u32) -> Vec<Owed> {
        let mut owed = Vec::new();
        for s in d
            .steps
            .iter()
            .filter(|s| s.state == "available" || s.state == "blocked")
        {
            let Some(x) = &s.due else { continue };
            if x.urgency != "due_soon" && x.urgency != "late" {
                continue;
            }
            owed.push(Owed {
                key: format!("case:{}:{}:{}:{}", d.case.id, s.code, x.urgency, x.date),
                subject: format!("Hồ sơ {}: {} — {}", d.case.person_name, s.label, x.text),
                body: format!("{}. {}", d.procedure, x.explanation),
                to_member: s.performer == Performer::DangVien,
            });
        }
        if let Some(end) = d.dates.get("het_du_bi").copied()
            && on <= end
            && self
                .rules
                .calendar()
                .working_days_between(on, end)
                .is_ok_and(|n| n <= i64::from(window))
        {
            owed.push(Owed {
                key: format!("case:{}:het_du_bi:{end}", d.case.id),
                subject: format!(
                    "Đồng chí {} hết 12 tháng dự bị ngày {}",
                    d.case.person_name,
                    format_date(end)
                ),
                body: format!(
                    "Chi bộ xét công nhận đảng viên chính thức từ ngày {} (trong thời hạn quy định sau ngày hết dự bị).",
                    format_date(end)
                ),
                to_member: true,
            });
        }
        owed
    }

    /// The first day after `on` on which the case, unchanged, may owe a
    /// reminder it does not owe on `on`: an open step's deadline entering the
    /// "due soon" window, or passed; the end of the probation entering it.
    /// None when no such day comes (every deadline passed and reminded).
    /// Deadlines do not move with the reading day (see `case_dues`), so only
    /// these days can change what the case owes; a write of the case sets
    /// its day back itself.
    fn next_reminder_day(&self, d: &CaseDetail, on: NaiveDate) -> Option<NaiveDate> {
        let open_deadlines = d
            .steps
            .iter()
            .filter(|s| s.state == "available" || s.state == "blocked")
            .filter_map(|s| s.due.as_ref().map(|x| x.date));
        let mut days = Vec::new();
        for deadline in open_deadlines {
            days.extend(self.window_opens(deadline, on));
            if on <= deadline {
                // Late from the day after.
                days.extend(deadline.checked_add_days(Days::new(1)));
            }
        }
        if let Some(end) = d.dates.get("het_du_bi").copied() {
            days.extend(self.window_opens(end, on));
        }
        days.into_iter().filter(|day| *day > on).min()
    }

    /// The first day after `on` on which `deadline` is "due soon" by the
    /// packs (their window, in working days, in force on that day), when it
    /// is not already on `on`. A window the packs cannot tell (no pack for
    /// the day) is looked at again tomorrow.
    fn window_opens(&self, deadline: NaiveDate, on: NaiveDate) -> Option<NaiveDate> {
        let tomorrow = on.succ_opt()?;
        if deadline < tomorrow {
            return None;
        }
        let soon = |day: NaiveDate| self.rules.is_due_soon(deadline, day);
        match soon(on) {
            Ok(true) => return None,
            Ok(false) => {}
            Err(_) => return Some(tomorrow),
        }
        // The window ends on the deadline and reaches back `due_soon_working_days`
        // working days: walk back from the deadline while still in it.
        let mut first = deadline;
        while first > tomorrow {
            let before = first.pred_opt()?;
            match soon(before) {
                Ok(true) => first = before,
                Ok(false) => break,
                Err(_) => return Some(tomorrow),
            }
        }
        match soon(first) {
            Ok(true) => Some(first),
            Ok(false) => None,
            Err(_) => Some(tomorrow),
        }
    }
}
