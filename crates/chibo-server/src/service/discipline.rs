//! Discipline cases (issue 16, items 2 and 3): a `ky_luat` case on the
//! procedure model — the finding, the member's self-review, the committee's
//! review, the meeting hearing the member, the secret ballot with every level
//! on one ballot (counted cumulatively by the rules' engine), the cell's
//! decision or its proposal upward, hand-over or announcement, the complaint
//! and its settlement, and the lapse one year later (the sweep).
//!
//! Confidential: only the committee members handling the case, the member
//! concerned and the upper committee over the cell see it; each read (and
//! each refused one) goes to the access log as `discipline:<case id>`. The
//! general case lists and dashboards leave these cases out.

use super::cases::{CaseDetail, CloseForm, date_or_today, refused, rules_error, text, violated};
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, org_for, today};
use crate::model::{Problem, Status, nfc};
use crate::store::access::{Access, AccessKind};
use crate::store::cases::{self as cases_db, CaseRow, NewStep};
use crate::store::discipline::{self as db, DisciplineRow, HandlerRow, NewDiscipline};
use crate::store::orgs::OrgRow;
use crate::store::{self, Reader, Tx};
use chibo_rules::{
    CaseKind, CaseOutcome, Code, Discipline, FormCode, Guard, Level, Performer, StepCode,
    StepRecord, StepResult, ViolationKind,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// Who decided the level in force (the `decided_by` column).
const BY_CELL: &str = "chi_bo";
const BY_UPPER: &str = "cap_tren";

/// The steps whose meaning this service applies (the pack's step codes of
/// the `ky_luat` procedure).
mod step {
    pub const FINDING: &str = "phat_hien";
    pub const SUSPENSION: &str = "dinh_chi_sinh_hoat";
    pub const VOTE: &str = "bieu_quyet";
    pub const CELL_DECISION: &str = "quyet_dinh_chi_bo";
    pub const HANDOVER: &str = "giao_quyet_dinh";
    pub const PROPOSAL: &str = "de_nghi_cap_tren";
    pub const UPPER_DECISION: &str = "cap_tren_quyet_dinh";
    pub const ANNOUNCEMENT: &str = "cong_bo";
    pub const COMPLAINT: &str = "khieu_nai";
    pub const SETTLEMENT: &str = "giai_quyet_khieu_nai";
}

/// The date the procedure asks the case for: the day of the violation.
const VIOLATION_DATE: &str = "ngay_vi_pham";

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

/// A discipline case to open: the finding about a member of the cell.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewDisciplineForm {
    pub member_id: i64,
    /// What the report or the committee found.
    pub finding: String,
    /// The level the violation is reported at (`khien_trach`, `canh_cao`,
    /// `cach_chuc`, `khai_tru`): it sets the limitation period.
    pub alleged_level: String,
    /// A violation without limitation period, if it is one
    /// (`chinh_tri_noi_bo`, `an_ninh_quoc_phong_doi_ngoai`, `van_bang_gia`).
    pub violation_kind: String,
    /// The day of the violation (dd/mm/yyyy or yyyy-mm-dd).
    pub violation_on: String,
    /// The day the report was received; today when empty.
    pub opened_on: String,
    /// Accounts of the cell's committee who handle the case with the one
    /// opening it.
    pub handlers: Vec<i64>,
}

/// A step of a discipline case to record.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DisciplineStepForm {
    /// The case's version when the form was opened (0: do not check).
    pub version: i64,
    pub step: String,
    /// The day it was done; the meeting's for the vote. Today when empty.
    pub date: String,
    /// Form codes filed (e.g. "QĐ-KL").
    pub forms: Vec<String>,
    /// The upper committee's decision, or what the complaint's settlement
    /// leaves (`khong_ky_luat`: annulled).
    pub level: String,
    /// At hand-over or announcement: the member refused to receive it
    /// (minuted; the decision takes effect all the same).
    pub refused: bool,
    pub late_reason: String,
    pub note: String,
    pub doc_number: String,
}

/// The secret ballot of the case, opened in the cell's meeting.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DisciplineBallotForm {
    pub meeting_id: i64,
    /// The counting committee elected by the meeting (member ids, head first).
    pub committee: Vec<i64>,
    /// The meeting's adopted open vote that elected the counting committee.
    pub committee_vote: Option<i64>,
}

/// A discipline case as its pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisciplineView {
    pub case: CaseDetail,
    pub discipline: DisciplineRow,
    pub handlers: Vec<HandlerRow>,
    /// The level in force, in words.
    pub level_label: Option<String>,
    /// The ballot's outcome explained (the cumulative count), once counted.
    pub vote_explanation: Option<String>,
    /// The viewer handles the case (records the cell's steps).
    pub handles: bool,
    /// The viewer is the member concerned.
    pub own: bool,
    /// The viewer is the upper committee over the cell.
    pub oversees: bool,
}

/// One case in a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisciplineLine {
    pub case_id: i64,
    pub cell_name: String,
    pub member_name: String,
    pub opened_on: NaiveDate,
    /// The step it is at.
    pub at: String,
    pub next_due: Option<super::cases::DueLine>,
    pub level: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub lapses_on: Option<NaiveDate>,
    pub lapsed_on: Option<NaiveDate>,
}

/// How the actor stands to a case.
#[derive(Debug, Clone, Copy)]
struct Standing {
    handles: bool,
    own: bool,
    oversees: bool,
}

impl Standing {
    fn sees(self) -> bool {
        self.handles || self.own || self.oversees
    }
}

/// A case, its record, its cell and how the actor stands to it.
struct Loaded {
    row: CaseRow,
    d: DisciplineRow,
    cell: OrgRow,
    standing: Standing,
}

impl Services {
    /// The case if it is a discipline case; how the actor stands to it.
    async fn load(&self, r: &mut Reader, actor: &Actor, id: i64) -> Result<Loaded> {
        let row = cases_db::get(r, id).await?.ok_or(ServiceError::NotFound)?;
        if row.kind != CaseKind::KyLuat {
            return Err(ServiceError::NotFound);
        }
        let d = db::get(r, id).await?.ok_or(ServiceError::NotFound)?;
        let cell = org_for(r, actor, row.cell_id).await?;
        let handles = actor.can_manage(&cell)
            && db::handlers(r, id)
                .await?
                .iter()
                .any(|h| h.account_id == actor.account_id);
        let standing = Standing {
            handles,
            own: actor.member_id == Some(d.member_id),
            // The upper committee over the cell: the role above the cell's own.
            oversees: actor.oversees(&cell),
        };
        Ok(Loaded {
            row,
            d,
            cell,
            standing,
        })
    }

    /// Logs a read of a case (or its refusal).
    async fn log_discipline_read(
        &self,
        actor: &Actor,
        case_id: i64,
        member_id: Option<i64>,
        granted: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.access
            .log(Access {
                at: now,
                account_id: actor.account_id,
                member_id,
                granted,
                kind: AccessKind::Read,
                detail: Some(format!("discipline:{case_id}")),
            })
            .await?;
        Ok(())
    }

    /// A case the actor may see, the read logged first; refused reads are
    /// logged too.
    async fn visible(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<Loaded> {
        let l = self
            .db
            .read(async |r| self.load(r, actor, id).await)
            .await?;
        let granted = l.standing.sees();
        self.log_discipline_read(actor, id, Some(l.d.member_id), granted, now)
            .await?;
        if !granted {
            return Err(ServiceError::Forbidden);
        }
        Ok(l)
    }

    /// One discipline case as it stands today (a logged read).
    pub async fn discipline_case(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<DisciplineView> {
        let l = self.visible(actor, id, now).await?;
        self.db
            .read(async |r| self.view_of(r, l, today(now)).await)
            .await
    }

    async fn view_of(&self, r: &mut Reader, l: Loaded, on: NaiveDate) -> Result<DisciplineView> {
        let handlers = db::handlers(r, l.row.id).await?;
        let vote_explanation = match l.d.sv_id {
            Some(sv) => store::ballots::get(r, sv)
                .await?
                .and_then(|s| s.explanation),
            None => None,
        };
        let case = self.detail_of(r, l.row, on).await?;
        Ok(DisciplineView {
            level_label: l.d.level().map(|x| x.label_vi().to_string()),
            vote_explanation,
            handlers,
            handles: l.standing.handles,
            own: l.standing.own,
            oversees: l.standing.oversees,
            discipline: l.d,
            case,
        })
    }

    /// The discipline cases the actor may see: those they handle, their
    /// own, and every case of the cells under a unit they oversee (closed
    /// ones too when asked). Each case listed is a logged read.
    pub async fn discipline_cases(
        &self,
        actor: &Actor,
        closed: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<DisciplineLine>> {
        let on = today(now);
        let lines = self
            .db
            .read(async |r| {
                let mut ids: Vec<i64> = db::handled_by(r, actor.account_id).await?;
                if let Some(me) = actor.member_id {
                    ids.extend(db::of_member(r, me).await?.iter().map(|d| d.case_id));
                }
                for unit in actor.units.iter().filter(|u| actor.oversees(u)) {
                    ids.extend(
                        cases_db::under_kind(r, &unit.path, CaseKind::KyLuat, closed)
                            .await?
                            .iter()
                            .map(|c| c.id),
                    );
                }
                ids.sort_unstable();
                ids.dedup();
                let mut out = Vec::new();
                for id in ids {
                    let l = self.load(r, actor, id).await?;
                    if !l.standing.sees()
                        || (!closed && l.row.closed_on.is_some() && !l.standing.own)
                    {
                        continue;
                    }
                    let d = l.d;
                    let detail = self.detail_of(r, l.row, on).await?;
                    out.push(DisciplineLine {
                        case_id: id,
                        cell_name: detail.case.cell_name.clone(),
                        member_name: detail.case.person_name.clone(),
                        opened_on: detail.case.opened_on,
                        at: detail.at(),
                        next_due: detail.next_due.clone(),
                        level: d.level().map(|x| x.label_vi().to_string()),
                        closed_on: detail.case.closed_on,
                        lapses_on: d.lapses_on,
                        lapsed_on: d.lapsed_on,
                    });
                    let _ = d.member_id;
                }
                Ok::<_, ServiceError>(out)
            })
            .await?;
        if !lines.is_empty() {
            let rows = lines
                .iter()
                .map(|l| Access {
                    at: now,
                    account_id: actor.account_id,
                    member_id: None,
                    granted: true,
                    kind: AccessKind::Read,
                    detail: Some(format!("discipline:{}", l.case_id)),
                })
                .collect();
            self.access.log_all(rows).await?;
        }
        Ok(lines)
    }

    /// Opens a discipline case on a report or finding about a member of the
    /// cell: the limitation period is checked first (refused past it, with
    /// the rule), then the case, its record, its handlers and the finding
    /// step are written in one transaction.
    pub async fn open_discipline(
        &self,
        actor: &Actor,
        f: &NewDisciplineForm,
        now: DateTime<Utc>,
    ) -> Result<DisciplineView> {
        let (member, cell) = self
            .db
            .read(async |r| {
                let m = store::members::get(r, f.member_id).await?.ok_or_else(|| {
                    invalid("member_id", "case.member_unknown", f.member_id.to_string())
                })?;
                let cell = org_for(r, actor, m.cell_id).await?;
                Ok::<_, ServiceError>((m, cell))
            })
            .await?;
        if !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        if !matches!(
            member.status,
            Status::ChinhThuc | Status::DuBi | Status::MienSinhHoat
        ) {
            return Err(invalid(
                "member_id",
                "discipline.not_member",
                member.status.label_vi(),
            ));
        }
        let on = today(now);
        let finding =
            text(&f.finding, "finding")?.ok_or_else(|| invalid("finding", "required", ""))?;
        let alleged = Level::parse(f.alleged_level.trim())
            .ok_or_else(|| invalid("alleged_level", "discipline.level", f.alleged_level.trim()))?;
        let kind = match f.violation_kind.trim() {
            "" => None,
            k => Some(
                ViolationKind::parse(k)
                    .ok_or_else(|| invalid("violation_kind", "discipline.violation_kind", k))?,
            ),
        };
        if f.violation_on.trim().is_empty() {
            return Err(invalid("violation_on", "required", ""));
        }
        let violation = date_or_today(&f.violation_on, "violation_on", on)?;
        let opened = date_or_today(&f.opened_on, "opened_on", on)?;
        if opened > on {
            return Err(invalid(
                "opened_on",
                "date.future",
                crate::model::format_date(opened),
            ));
        }
        if violation > opened {
            return Err(invalid(
                "violation_on",
                "discipline.violation_after_report",
                crate::model::format_date(violation),
            ));
        }
        // A later violation within the period restarts it: the member's
        // other cases' violations after this one.
        let later: Vec<NaiveDate> = self
            .db
            .read(async |r| db::of_member(r, member.id).await)
            .await?
            .iter()
            .map(|d| d.violation_on)
            .filter(|d| *d > violation)
            .collect();
        self.rules
            .discipline_limitation(alleged, kind, violation, &later, opened)
            .map_err(violated)?;
        if f.handlers.len() > 16 {
            return Err(invalid("handlers", "discipline.handler", "> 16"));
        }
        let mut handlers = vec![actor.account_id];
        for id in &f.handlers {
            if handlers.contains(id) {
                continue;
            }
            let h = Actor::load(&self.db, *id)
                .await
                .map_err(|_| invalid("handlers", "discipline.handler", id.to_string()))?;
            if !h.can_manage(&cell) {
                return Err(invalid("handlers", "discipline.handler", h.display_name));
            }
            handlers.push(*id);
        }
        let dates = BTreeMap::from([(VIOLATION_DATE.to_string(), violation)]);
        let mut tx = self.db.begin().await?;
        let id = self
            .open_case_in(
                &mut tx,
                actor,
                &cell,
                CaseKind::KyLuat,
                (None, Some(member.id)),
                opened,
                &dates,
                now,
            )
            .await?;
        db::insert(
            &mut tx,
            &NewDiscipline {
                case_id: id,
                member_id: member.id,
                finding: &finding,
                alleged_level: alleged,
                violation_kind: kind,
                violation_on: violation,
            },
        )
        .await?;
        for h in &handlers {
            db::add_handler(&mut tx, id, *h).await?;
        }
        let step_id = self
            .insert_step(
                &mut tx,
                &NewStep {
                    case_id: id,
                    step: step::FINDING,
                    on_date: opened,
                    result: StepResult::Done,
                    performer: Performer::ChiUy,
                    forms: "[]",
                    late_reason: None,
                    note: None,
                    vote_id: None,
                    doc_number: None,
                    actor: &actor.audit_name(),
                },
                now,
            )
            .await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::case(cell.id, id),
            "discipline.open",
            json!({"step_id": step_id, "member_id": member.id, "finding": finding,
                   "alleged_level": alleged.as_str(), "violation_kind": kind.map(|k| k.as_str()),
                   "violation_on": violation, "opened_on": opened, "handlers": handlers}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.discipline_case(actor, id, now).await
    }

    /// Opens the case's secret ballot in the cell's open meeting: refused,
    /// with the steps missing, before the member's self-review and before
    /// the meeting heard the member. Every level is on the one ballot.
    pub async fn open_discipline_ballot(
        &self,
        actor: &Actor,
        id: i64,
        f: &DisciplineBallotForm,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (l, case, meeting) = self
            .db
            .read(async |r| {
                let l = self.load(r, actor, id).await?;
                let (case, _) = self.stored_case(r, &l.row).await?;
                let m = store::meetings::get(r, f.meeting_id)
                    .await?
                    .ok_or_else(|| {
                        invalid(
                            "meeting_id",
                            "discipline.meeting_cell",
                            f.meeting_id.to_string(),
                        )
                    })?;
                Ok::<_, ServiceError>((l, case, m))
            })
            .await?;
        if !l.standing.handles {
            return Err(ServiceError::Forbidden);
        }
        if meeting.cell_id != l.cell.id {
            return Err(invalid(
                "meeting_id",
                "discipline.meeting_cell",
                meeting.id.to_string(),
            ));
        }
        if l.d.sv_id.is_some() {
            return Err(invalid("meeting_id", "discipline.ballot_bound", ""));
        }
        let record = StepRecord {
            step: StepCode::new(step::VOTE)
                .map_err(|e| invalid("step", "case.unknown_step", e.to_string()))?,
            date: today(meeting.starts_at),
            result: StepResult::Done,
            forms: Vec::new(),
            late_reason: None,
        };
        self.rules
            .check_step(&case, &record, today(now))
            .map_err(refused)?;
        let form = super::ballots::SvForm {
            kind: "ky_luat".into(),
            title: format!(
                "Biểu quyết hình thức kỷ luật đồng chí {}",
                l.row.person_name
            ),
            committee: f.committee.clone(),
            committee_vote: f.committee_vote,
            ..Default::default()
        };
        let sv = self
            .open_secret_ballot(actor, meeting.id, &form, now)
            .await?;
        let mut tx = self.db.begin().await?;
        if !db::bind_ballot(&mut tx, id, sv).await? {
            return Err(invalid(
                "meeting_id",
                "discipline.ballot_bound",
                sv.to_string(),
            ));
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::case(l.cell.id, id),
            "discipline.ballot",
            json!({"ballot_id": sv, "meeting_id": meeting.id}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(sv)
    }

    /// The level the case's counted ballot reached, its date (the
    /// meeting's) and its explanation; refused while it is not counted.
    async fn ballot_level(
        &self,
        r: &mut Reader,
        actor: &Actor,
        d: &DisciplineRow,
    ) -> Result<(Option<Level>, NaiveDate)> {
        let sv_id = d
            .sv_id
            .ok_or_else(|| invalid("step", "discipline.no_ballot", ""))?;
        let parts = super::ballots::view_parts(r, actor, sv_id).await?;
        if parts.sv.status != "decrypted" {
            return Err(invalid(
                "step",
                "discipline.ballot_not_counted",
                parts.sv.status,
            ));
        }
        let record: serde_json::Value = parts
            .record
            .as_deref()
            .and_then(|b| serde_json::from_slice(b).ok())
            .ok_or_else(|| invalid("step", "discipline.ballot_not_counted", ""))?;
        let level = record["result"]["outcome"]["level"]
            .as_str()
            .and_then(Level::parse);
        let m = store::meetings::get(r, parts.sv.meeting_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok((level, today(m.starts_at)))
    }

    /// Who may record a step: the upper committee its own steps, the
    /// handlers the cell's, the member (or a handler for them) their own.
    fn may_record(&self, l: &Loaded, p: Performer) -> Result<()> {
        let ok = if p.is_upper() {
            l.standing.oversees
        } else if p == Performer::DangVien {
            l.standing.own || l.standing.handles
        } else {
            l.standing.handles
        };
        if ok {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// Records a step of a discipline case: the procedure's rules, the
    /// level's (authority, probation) and the case's path checked first, each
    /// refusal citing its rule and nothing written; then the step, what it
    /// decides and its audit entry in one transaction.
    pub async fn record_discipline_step(
        &self,
        actor: &Actor,
        id: i64,
        f: &DisciplineStepForm,
        now: DateTime<Utc>,
    ) -> Result<DisciplineView> {
        let on = today(now);
        let (l, case, records, member, ballot) = self
            .db
            .read(async |r| {
                let l = self.load(r, actor, id).await?;
                let (case, records) = self.stored_case(r, &l.row).await?;
                let member = store::members::get(r, l.d.member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let ballot = if f.step.trim() == step::VOTE && l.standing.handles {
                    Some(self.ballot_level(r, actor, &l.d).await?)
                } else {
                    None
                };
                Ok::<_, ServiceError>((l, case, records, member, ballot))
            })
            .await?;
        let procedure = self
            .rules
            .procedure(CaseKind::KyLuat, l.row.opened_on)
            .map_err(rules_error)?;
        let code = StepCode::new(f.step.trim())
            .map_err(|_| invalid("step", "case.unknown_step", f.step.trim()))?;
        let st = procedure
            .step(&code)
            .ok_or_else(|| invalid("step", "case.unknown_step", f.step.trim()))?
            .clone();
        if code.as_str() == step::FINDING {
            return Err(invalid("step", "discipline.finding_at_open", code.as_str()));
        }
        self.may_record(&l, st.performer)?;
        if f.version != 0 && f.version != l.row.version {
            return Err(ServiceError::Stale);
        }
        let (date, voted) = match (code.as_str(), ballot) {
            (step::VOTE, Some((level, date))) => (date, Some(level)),
            _ => (date_or_today(&f.date, "date", on)?, None),
        };
        let mut forms = Vec::new();
        for raw in &f.forms {
            let raw = nfc(raw);
            if raw.is_empty() {
                continue;
            }
            let form = FormCode::new(&raw).map_err(|_| invalid("forms", "case.form", raw))?;
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
        if forms.len() > 32 {
            return Err(invalid("forms", "case.form", "> 32"));
        }
        let late_reason = text(&f.late_reason, "late_reason")?;
        let note = text(&f.note, "note")?;
        let doc_number = text(&f.doc_number, "doc_number")?;
        let record = StepRecord {
            step: code.clone(),
            date,
            result: StepResult::Done,
            forms: forms.clone(),
            late_reason: late_reason.clone(),
        };
        let check = self.rules.check_step(&case, &record, on).map_err(refused)?;
        let done = |s: &str| {
            records
                .iter()
                .any(|r| r.step == s && r.result == StepResult::Done)
        };
        // The level this step sets, and the path it takes.
        let level: Option<Level> = match code.as_str() {
            step::CELL_DECISION | step::PROPOSAL => {
                let other = if code.as_str() == step::PROPOSAL {
                    step::CELL_DECISION
                } else {
                    step::PROPOSAL
                };
                if done(other) {
                    return Err(invalid("step", "discipline.path_taken", other));
                }
                Some(
                    l.d.voted_level()
                        .ok_or_else(|| invalid("step", "discipline.no_level", ""))?,
                )
            }
            step::UPPER_DECISION => Some(
                Level::parse(f.level.trim())
                    .ok_or_else(|| invalid("level", "discipline.level", f.level.trim()))?,
            ),
            step::SETTLEMENT => match f.level.trim() {
                "khong_ky_luat" => None,
                "" => l.d.level(),
                x => Some(Level::parse(x).ok_or_else(|| invalid("level", "discipline.level", x))?),
            },
            step::HANDOVER | step::ANNOUNCEMENT => Some(
                l.d.level()
                    .ok_or_else(|| invalid("step", "discipline.no_level", ""))?,
            ),
            _ => None,
        };
        if st.guards.contains(&Guard::ThamQuyenKyLuat)
            && let Some(level) = level
        {
            let by_cell = code.as_str() == step::CELL_DECISION;
            let status = chibo_rules::Status::parse(
                l.d.prior_status
                    .as_deref()
                    .unwrap_or(member.status.as_str()),
            )
            .unwrap_or(chibo_rules::Status::ChinhThuc);
            self.rules
                .check_discipline_level(level, status, by_cell, date)
                .map_err(violated)?;
        }
        let forms_json = serde_json::to_string(
            &forms
                .iter()
                .map(|x| x.as_str().to_string())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_else(|_| "[]".into());
        let mut tx = self.db.begin().await?;
        if !cases_db::touch(&mut tx, id, l.row.version).await? {
            return Err(ServiceError::Stale);
        }
        let doc_number = match (doc_number, self.issue_of(CaseKind::KyLuat, &st, date)) {
            (Some(n), _) => Some(n),
            (None, Some(issue)) => {
                self.number_case_doc(&mut tx, &l.cell, id, &issue, code.as_str(), now)
                    .await?
            }
            _ => None,
        };
        let step_id = self
            .insert_step(
                &mut tx,
                &NewStep {
                    case_id: id,
                    step: code.as_str(),
                    on_date: date,
                    result: StepResult::Done,
                    performer: st.performer,
                    forms: &forms_json,
                    late_reason: late_reason.as_deref(),
                    note: note.as_deref(),
                    vote_id: None,
                    doc_number: doc_number.as_deref(),
                    actor: &actor.audit_name(),
                },
                now,
            )
            .await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::case(l.cell.id, id),
            "case.step",
            json!({
                "step_id": step_id, "step": code.as_str(), "date": date, "result": "done",
                "forms": forms_json, "late_by": check.late_by, "late_reason": late_reason,
                "due": check.due.as_ref().map(|d| d.date), "doc_number": doc_number,
                "level": level.map(|x| x.as_str()), "voted_level": voted.flatten().map(|x| x.as_str()),
                "refused": f.refused,
            }),
            now,
        )
        .await?;
        self.after_discipline_step(
            &mut tx,
            actor,
            &l,
            code.as_str(),
            date,
            level,
            voted,
            f.refused,
            now,
        )
        .await?;
        tx.commit().await?;
        self.discipline_case(actor, id, now).await
    }

    /// What a step decides, inside its transaction.
    #[allow(clippy::too_many_arguments)]
    async fn after_discipline_step(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        l: &Loaded,
        code: &str,
        date: NaiveDate,
        level: Option<Level>,
        voted: Option<Option<Level>>,
        refused: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let id = l.row.id;
        let member = l.d.member_id;
        match code {
            step::SUSPENSION => {
                let m = store::members::get_in(tx, member)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                db::set_suspended(tx, id, Some(date), Some(m.status.as_str())).await?;
                self.set_status_in(
                    tx,
                    actor,
                    &l.cell,
                    (member, id),
                    Status::DinhChi,
                    date,
                    "Đình chỉ sinh hoạt đảng trong thời gian xem xét kỷ luật",
                    now,
                )
                .await?;
            }
            step::VOTE => {
                let voted = voted.flatten();
                db::set_voted(tx, id, voted).await?;
                if voted.is_none() {
                    // No level reached even counted cumulatively: no discipline.
                    self.restore_status(tx, actor, l, date, now).await?;
                    self.close_in(
                        tx,
                        actor,
                        &l.cell,
                        id,
                        CaseOutcome::KhongKyLuat,
                        date,
                        Some("Không hình thức kỷ luật nào đạt quá nửa, kể cả khi cộng dồn"),
                        now,
                    )
                    .await?;
                }
            }
            step::CELL_DECISION => {
                if let Some(x) = level {
                    db::set_level(tx, id, Some((x, BY_CELL))).await?;
                }
            }
            step::UPPER_DECISION => {
                if let Some(x) = level {
                    db::set_level(tx, id, Some((x, BY_UPPER))).await?;
                }
            }
            step::HANDOVER | step::ANNOUNCEMENT => {
                let x = level.ok_or(ServiceError::NotFound)?;
                let lapses = self
                    .rules
                    .discipline_lapse(x, date, false)
                    .map_err(rules_error)?;
                db::set_effective(tx, id, date, refused, lapses).await?;
                if x == Level::KhaiTru {
                    self.set_status_in(
                        tx,
                        actor,
                        &l.cell,
                        (member, id),
                        Status::KhaiTru,
                        date,
                        "Quyết định kỷ luật khai trừ ra khỏi Đảng",
                        now,
                    )
                    .await?;
                } else {
                    self.restore_status(tx, actor, l, date, now).await?;
                }
            }
            step::COMPLAINT => {
                db::set_complaint(tx, id, date).await?;
            }
            step::SETTLEMENT => {
                match level {
                    Some(x) => {
                        db::set_level(tx, id, Some((x, BY_UPPER))).await?;
                        // The decision as settled counts its year from the settlement.
                        let lapses = self
                            .rules
                            .discipline_lapse(x, date, false)
                            .map_err(rules_error)?;
                        db::set_lapses(tx, id, lapses).await?;
                    }
                    None => {
                        db::set_level(tx, id, None).await?;
                        db::set_lapses(tx, id, None).await?;
                    }
                }
                self.close_in(
                    tx,
                    actor,
                    &l.cell,
                    id,
                    CaseOutcome::HoanThanh,
                    date,
                    None,
                    now,
                )
                .await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Back to the standing before a suspension, if the case suspended one.
    async fn restore_status(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        l: &Loaded,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let d = db::get_in(tx, l.row.id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let (Some(_), Some(prior)) = (d.suspended_on, d.prior_status.as_deref()) else {
            return Ok(());
        };
        let status = Status::parse(prior).unwrap_or(Status::ChinhThuc);
        self.set_status_in(
            tx,
            actor,
            &l.cell,
            (d.member_id, l.row.id),
            status,
            date,
            "Hết đình chỉ sinh hoạt đảng",
            now,
        )
        .await?;
        db::set_suspended(tx, l.row.id, None, None)
            .await
            .map_err(Into::into)
    }

    /// Closes a case another way than its steps (withdrawn, the member
    /// died, the limitation period ran out), with the reason.
    pub async fn close_discipline(
        &self,
        actor: &Actor,
        id: i64,
        f: &CloseForm,
        now: DateTime<Utc>,
    ) -> Result<DisciplineView> {
        let (l, case) = self
            .db
            .read(async |r| {
                let l = self.load(r, actor, id).await?;
                let (case, _) = self.stored_case(r, &l.row).await?;
                Ok::<_, ServiceError>((l, case))
            })
            .await?;
        if !(l.standing.handles || l.standing.oversees) {
            return Err(ServiceError::Forbidden);
        }
        if f.version != 0 && f.version != l.row.version {
            return Err(ServiceError::Stale);
        }
        let on = today(now);
        let outcome = CaseOutcome::parse(f.outcome.trim())
            .ok_or_else(|| invalid("outcome", "case.outcome", f.outcome.trim()))?;
        if matches!(outcome, CaseOutcome::HoanThanh | CaseOutcome::KhongKyLuat) {
            // Both are what the steps decide, never a bare close.
            return Err(invalid("outcome", "case.outcome", outcome.label_vi()));
        }
        let date = date_or_today(&f.date, "date", on)?;
        let reason = text(&f.reason, "reason")?
            .ok_or_else(|| invalid("reason", "case.reason_required", outcome.label_vi()))?;
        self.rules
            .check_close(&case, outcome, date, on)
            .map_err(refused)?;
        let mut tx = self.db.begin().await?;
        if !cases_db::touch(&mut tx, id, l.row.version).await? {
            return Err(ServiceError::Stale);
        }
        self.close_in(
            &mut tx,
            actor,
            &l.cell,
            id,
            outcome,
            date,
            Some(&reason),
            now,
        )
        .await?;
        if outcome == CaseOutcome::TuTran {
            self.set_status_in(
                &mut tx,
                actor,
                &l.cell,
                (l.d.member_id, id),
                Status::TuTran,
                date,
                &reason,
                now,
            )
            .await?;
        } else {
            self.restore_status(&mut tx, actor, &l, date, now).await?;
        }
        tx.commit().await?;
        self.discipline_case(actor, id, now).await
    }

    /// The daily sweep: a case whose complaint period ended without a
    /// complaint is complete; a decision reaching its lapse day (one year
    /// after it took effect, with no complaint pending and no new violation
    /// found since) lapses. Each in its own transaction with its audit entry.
    pub async fn sweep_discipline(&self, now: DateTime<Utc>) -> Result<usize> {
        let on = today(now);
        let system = Actor::system();
        let (to_close, to_lapse) = self
            .db
            .read(async |r| {
                let mut to_close = Vec::new();
                for row in cases_db::open_of_kind(r, CaseKind::KyLuat).await? {
                    let Some(d) = db::get(r, row.id).await? else {
                        continue;
                    };
                    if d.effective_on.is_none() || d.complained_on.is_some() {
                        continue;
                    }
                    let Ok(detail) = self.detail_of(r, row, on).await else {
                        continue;
                    };
                    let window = detail
                        .steps
                        .iter()
                        .find(|s| s.code == step::COMPLAINT)
                        .and_then(|s| s.due.as_ref().map(|x| x.date));
                    if let Some(end) = window
                        && end < on
                    {
                        to_close.push((detail.case, d, end));
                    }
                }
                let mut to_lapse = Vec::new();
                for d in db::lapsing(r, on).await? {
                    let Some(row) = cases_db::get(r, d.case_id).await? else {
                        continue;
                    };
                    // A new violation found since the decision took effect
                    // interrupts the lapse.
                    let newer = db::of_member(r, d.member_id).await?.into_iter().any(|o| {
                        o.case_id != d.case_id
                            && d.effective_on.is_some_and(|e| o.violation_on > e)
                            && o.level.is_some()
                    });
                    if row.closed_on.is_some() && !newer {
                        to_lapse.push((row, d));
                    }
                }
                Ok::<_, ServiceError>((to_close, to_lapse))
            })
            .await?;
        let mut n = 0;
        for (row, d, end) in to_close {
            let mut tx = self.db.begin().await?;
            let cell = self.org(row.cell_id).await?;
            if !cases_db::touch(&mut tx, row.id, row.version).await? {
                continue;
            }
            self.close_in(
                &mut tx,
                &system,
                &cell,
                row.id,
                CaseOutcome::HoanThanh,
                end.succ_opt().unwrap_or(end),
                Some("Hết thời hạn khiếu nại, đảng viên không khiếu nại"),
                now,
            )
            .await?;
            let _ = d;
            tx.commit().await?;
            n += 1;
        }
        for (row, d) in to_lapse {
            let Some(lapses) = d.lapses_on else { continue };
            let cell = self.org(row.cell_id).await?;
            let mut tx = self.db.begin().await?;
            if !db::set_lapsed(&mut tx, row.id, lapses).await? {
                continue;
            }
            audit_entry(
                &mut tx,
                &system,
                Subject::case(cell.id, row.id),
                "discipline.lapse",
                json!({"level": d.level, "effective_on": d.effective_on, "lapsed_on": lapses}),
                now,
            )
            .await?;
            tx.commit().await?;
            n += 1;
        }
        Ok(n)
    }

    /// [`discipline_blocks_in`] on its own snapshot.
    pub async fn discipline_blocks(
        &self,
        member_id: i64,
        on: NaiveDate,
    ) -> Result<Vec<Discipline>> {
        self.db
            .read(async |r| discipline_blocks_in(r, member_id, on).await)
            .await
    }
}

/// The disciplines a member received that took effect by `on`, as the rules
/// take them (level, day it took effect): the evaluation's tier cap reads
/// them here (the badge lists read the same decisions in their own
/// statements). Annulled decisions carry no level and count not at all.
pub(crate) async fn discipline_blocks_in(
    r: &mut Reader,
    member_id: i64,
    on: NaiveDate,
) -> Result<Vec<Discipline>> {
    Ok(db::of_member(r, member_id)
        .await?
        .into_iter()
        .filter_map(|d| {
            let level = d.level()?;
            let effective = d.effective_on?;
            (effective <= on).then_some(Discipline { level, effective })
        })
        .collect())
}

/// What the discipline list page shows.
pub struct DisciplineHome {
    pub lines: Vec<DisciplineLine>,
    /// Members of the cells the viewer runs (a case may be opened on them).
    pub members: Vec<(i64, String)>,
}

/// What a case's page shows beyond the case: for those handling it, the
/// cell's open meetings (to open the ballot in) and its full members (the
/// counting committee).
pub struct DisciplinePage {
    pub v: DisciplineView,
    pub meetings: Vec<(i64, String)>,
    pub members: Vec<(i64, String)>,
}

impl Services {
    /// The list page: the cases the viewer may see, and whom they may open
    /// a case on.
    pub async fn discipline_home(
        &self,
        actor: &Actor,
        closed: bool,
        now: DateTime<Utc>,
    ) -> Result<DisciplineHome> {
        let lines = self.discipline_cases(actor, closed, now).await?;
        let members = self
            .db
            .read(async |r| {
                let mut out = Vec::new();
                for u in actor
                    .units
                    .iter()
                    .filter(|u| u.kind == "chi_bo" && actor.can_manage(u))
                {
                    for m in store::members::of_cell(r, u.id).await? {
                        if matches!(
                            m.status,
                            Status::ChinhThuc | Status::DuBi | Status::MienSinhHoat
                        ) {
                            out.push((m.id, m.full_name));
                        }
                    }
                }
                Ok::<_, ServiceError>(out)
            })
            .await?;
        Ok(DisciplineHome { lines, members })
    }

    /// One case's page (a logged read).
    pub async fn discipline_page(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<DisciplinePage> {
        let l = self.visible(actor, id, now).await?;
        self.db
            .read(async |r| {
                let (mut meetings, mut members) = (Vec::new(), Vec::new());
                if l.standing.handles && l.d.sv_id.is_none() {
                    for m in store::meetings::of_cell(r, l.cell.id, 20).await? {
                        if m.status == "open" {
                            let label = format!(
                                "{} — {}",
                                crate::model::format_date(today(m.starts_at)),
                                m.topic.clone().unwrap_or_else(|| m.place.clone())
                            );
                            meetings.push((m.id, label));
                        }
                    }
                    for m in store::members::of_cell(r, l.cell.id).await? {
                        if m.status == Status::ChinhThuc && m.id != l.d.member_id {
                            members.push((m.id, m.full_name));
                        }
                    }
                }
                let v = self.view_of(r, l, today(now)).await?;
                Ok(DisciplinePage {
                    v,
                    meetings,
                    members,
                })
            })
            .await
    }
}
