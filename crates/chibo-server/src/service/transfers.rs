//! Transfers (chuyển sinh hoạt đảng) on the case model: the four kinds of the
//! pack, each a case whose steps, documents and deadlines come from the pack
//! (recorded through the case service like any other case). This module adds
//! what a transfer has beyond a case: its two sides and the two-sided
//! handshake — the origin proposes and the member is "đang chuyển" (on neither
//! roll, owned by the case); the destination receives by its meeting's
//! resolution and the member joins its registry with the whole history; a
//! refusal returns the member to the origin with the reason — the temporary
//! kind's "tạm thời đi" and attachment, the guards (no transfer while a case
//! the pack lists is open; no letter before dues are paid up to its month),
//! the letter itself (PDF, DOCX) and members received by letter from outside.

use super::cases::{CaseDetail, DueLine};
use super::documents::{FileName, Printable};
use super::dues::month_code;
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, org, org_for, today};
use crate::model::{Problem, Problems, Status, format_date, nfc, parse_date};
use crate::store::cases::CaseRow;
use crate::store::members::MemberRow;
use crate::store::orgs::OrgRow;
use crate::store::transfers::{self as db, Letter, NewTransfer, TransferRow};
use crate::store::{self, Reader, Tx};
use chibo_print::{Block, Document, Orientation, Properties, Signature};
use chibo_rules::{CaseKind, Code, DecisionKind, Performer, Side, Step, Violation};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// The longest free text a transfer keeps (reason, names, references).
const MAX_TEXT: usize = 500;

/// A transfer to propose (the origin cell's committee).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TransferForm {
    pub member_id: i64,
    /// chuyen_chinh_thuc | chuyen_tam_thoi | chuyen_noi_bo | chuyen_nuoc_ngoai
    pub kind: String,
    /// The destination cell in this instance.
    pub dest_cell_id: Option<i64>,
    /// Or the destination outside this instance (đảng bộ, country).
    pub dest_outside: String,
    pub reason: String,
    /// Temporary: the planned return (dd/mm/yyyy).
    pub return_on: String,
    /// Official: the day of the decision or the move the 60 working days run from.
    pub decision_date: String,
    /// The day the transfer is opened; today when empty.
    pub opened_on: String,
}

/// The letter's numbers and the national portal's reference.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LetterForm {
    pub portal_ref: String,
    /// Số GTSHĐ
    pub letter_no: String,
    /// Số LL
    pub history_no: String,
    /// Số SĐV
    pub register_no: String,
}

/// A member arriving with a letter from an organisation outside this instance.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct IncomingForm {
    pub cell_id: i64,
    /// chuyen_chinh_thuc | chuyen_noi_bo | chuyen_tam_thoi
    pub kind: String,
    pub full_name: String,
    pub date_of_birth: String,
    pub sex: String,
    pub card_no: String,
    /// Ngày vào Đảng (the admission decision).
    pub admission_date: String,
    /// Ngày chính thức; empty for a probationary member.
    pub official_date: String,
    /// The organisation that issued the letter.
    pub origin: String,
    /// Số GTSHĐ of the received letter.
    pub letter_no: String,
    pub letter_date: String,
    pub portal_ref: String,
    /// Temporary: the planned return.
    pub return_on: String,
}

/// A transfer as both sides see it: the case and its two sides.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransferDetail {
    pub transfer: TransferRow,
    pub case: CaseDetail,
}

/// A transfer in one line: who, where from and to, the step, the deadline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransferLine {
    pub transfer: TransferRow,
    /// The step it is at.
    pub at: String,
    pub next_due: Option<DueLine>,
    /// outgoing | incoming | both (between two cells under the unit)
    pub direction: String,
}

/// A cell's transfers over a period, counted from the transfer records.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransferCounts {
    /// Members received from another cell or organisation (completed in the period).
    pub received: i64,
    /// Members who left for another cell or organisation (completed in the period).
    pub sent: i64,
    /// Transfers under way, either way, at the period's end.
    pub in_transit: i64,
}

/// A unit's transfers page.
pub struct TransfersView {
    pub unit: OrgRow,
    pub open: Vec<TransferLine>,
    pub closed: Vec<TransferLine>,
    /// Temporary members attached here from another cell.
    pub attached: Vec<TransferRow>,
    /// The cell's members who may be transferred (for its committee).
    pub members: Vec<MemberRow>,
    /// Other cells of the instance (the destination's menu).
    pub cells: Vec<OrgRow>,
    pub manages: bool,
}

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

fn rules_error(e: chibo_rules::RulesError) -> ServiceError {
    invalid("rule", "rules.error", e.to_string())
}

fn text(raw: &str, field: &'static str) -> Result<Option<String>> {
    let t = nfc(raw);
    let n = t.chars().count();
    if n > MAX_TEXT {
        return Err(invalid(field, "text.too_long", format!("{n}/{MAX_TEXT}")));
    }
    Ok((!t.is_empty()).then_some(t))
}

fn date_opt(raw: &str, field: &'static str) -> Result<Option<NaiveDate>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    parse_date(field, raw)
        .map(Some)
        .map_err(ServiceError::invalid)
}

/// The standing a transfer restores (a member on the list before it).
fn standing(status: Status) -> Option<Status> {
    matches!(
        status,
        Status::DuBi | Status::ChinhThuc | Status::MienSinhHoat
    )
    .then_some(status)
}

impl Services {
    /// The transfer of a case, if it is one.
    pub(super) async fn transfer_of(
        &self,
        r: &mut Reader,
        row: &CaseRow,
    ) -> Result<Option<TransferRow>> {
        if !row.kind.is_transfer() {
            return Ok(None);
        }
        Ok(db::get(r, row.id).await?)
    }

    /// Whether the actor reads a transfer case from its other side (the
    /// destination cell, or the committees above it).
    pub(super) async fn sees_other_side(
        &self,
        r: &mut Reader,
        actor: &Actor,
        row: &CaseRow,
    ) -> Result<bool> {
        let Some(t) = self.transfer_of(r, row).await? else {
            return Ok(false);
        };
        for side in [t.origin_cell_id, t.dest_cell_id].into_iter().flatten() {
            if side != row.cell_id && actor.can_read_members(&org_for(r, actor, side).await?) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The cell that acts in a step: the destination's for a step of its
    /// side when the destination is in this instance, the case's otherwise.
    pub(super) async fn acting_cell(
        &self,
        r: &mut Reader,
        row: &CaseRow,
        step: &Step,
        cell: &OrgRow,
    ) -> Result<OrgRow> {
        let Some(t) = self.transfer_of(r, row).await? else {
            return Ok(cell.clone());
        };
        let id = match step.side {
            Some(Side::NoiDen) => t.dest_cell_id,
            Some(Side::NoiDi) => t.origin_cell_id,
            None => None,
        };
        match id {
            Some(id) if id != cell.id => org(r, id).await,
            _ => Ok(cell.clone()),
        }
    }

    /// The guard on open cases: the kinds the pack lists (a discipline,
    /// a complaint…) block a transfer while open.
    pub(super) async fn blocking_cases(
        &self,
        r: &mut Reader,
        member_id: i64,
        on: NaiveDate,
    ) -> Result<Vec<Violation>> {
        let kinds: Vec<CaseKind> = db::open_kinds(r, member_id)
            .await?
            .iter()
            .filter_map(|k| CaseKind::parse(k))
            .filter(|k| !k.is_transfer())
            .collect();
        Ok(self
            .rules
            .check_no_blocking_case(&kinds, false, on)
            .err()
            .unwrap_or_default())
    }

    /// The guard on the letter: dues paid up to the month of `letter`.
    pub(super) async fn letter_dues(
        &self,
        r: &mut Reader,
        member_id: i64,
        letter: NaiveDate,
    ) -> Result<Vec<Violation>> {
        let through = self.dues_paid_through(r, member_id).await?;
        Ok(self
            .rules
            .check_dues_paid_through(letter, through)
            .err()
            .unwrap_or_default())
    }

    /// The destination's reception is decided by its meeting: a resolution
    /// (nghị quyết) voted there, when the destination is in this instance.
    pub(super) async fn reception_by_vote(
        &self,
        r: &mut Reader,
        row: &CaseRow,
        step: &Step,
    ) -> Result<Option<DecisionKind>> {
        if step.code.as_str() != "tiep_nhan" || step.performer != Performer::ChiBo {
            return Ok(None);
        }
        Ok(self
            .transfer_of(r, row)
            .await?
            .and_then(|t| t.dest_cell_id)
            .map(|_| DecisionKind::NghiQuyet))
    }

    /// Whether the actor runs the other side of a transfer (its committee
    /// or one above it): they may refuse it.
    pub(super) async fn acts_on_other_side(
        &self,
        r: &mut Reader,
        actor: &Actor,
        row: &CaseRow,
    ) -> Result<bool> {
        let Some(t) = self.transfer_of(r, row).await? else {
            return Ok(false);
        };
        for side in [t.origin_cell_id, t.dest_cell_id].into_iter().flatten() {
            let cell = org_for(r, actor, side).await?;
            if side != row.cell_id && (actor.can_manage(&cell) || actor.oversees(&cell)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// On a transfer's page, what its other side may do: record the steps
    /// of its cell (its committee) or of the committee above it, and the
    /// resolutions of its meetings that may decide the reception.
    pub(super) async fn other_side_forms(
        &self,
        r: &mut Reader,
        actor: &Actor,
        d: &CaseDetail,
    ) -> Result<Option<(bool, bool, Vec<(i64, String)>)>> {
        let Some(t) = self.transfer_of(r, &d.case).await? else {
            return Ok(None);
        };
        let Some(dest) = t.dest_cell_id.filter(|id| *id != d.case.cell_id) else {
            return Ok(None);
        };
        let cell = org_for(r, actor, dest).await?;
        let manages = actor.can_manage(&cell);
        let receiving = d
            .steps
            .iter()
            .any(|s| s.code == "tiep_nhan" && s.state == "available");
        let votes = if manages && receiving {
            store::cases::votes_to_record(r, cell.id, &[DecisionKind::NghiQuyet.code()]).await?
        } else {
            Vec::new()
        };
        Ok(Some((manages, actor.oversees(&cell), votes)))
    }

    /// Who a transfer's deadlines alert besides the case cell's secretary:
    /// the other side's secretary and the committee members of the upper
    /// committees of both sides.
    pub(super) async fn transfer_recipients(
        &self,
        r: &mut Reader,
        row: &CaseRow,
    ) -> Result<Vec<i64>> {
        let Some(t) = self.transfer_of(r, row).await? else {
            return Ok(Vec::new());
        };
        let mut units = Vec::new();
        for side in [t.origin_cell_id, t.dest_cell_id].into_iter().flatten() {
            let cell = org(r, side).await?;
            units.push((cell.id, true));
            if let Some(p) = cell.parent_id {
                units.push((p, false));
            }
        }
        let mut out = Vec::new();
        for (unit, secretary_only) in units {
            for p in store::orgs::committee(r, unit).await? {
                if p.end_date.is_none() && (!secretary_only || p.role == "bi_thu") {
                    out.push(p.member_id);
                }
            }
        }
        Ok(out)
    }

    /// Proposes a transfer: the case opened at the origin under the
    /// procedure of its kind in force, the member "đang chuyển" (or "tạm
    /// thời đi" for a temporary transfer), in one transaction with the
    /// audit entries. Every refusal cites its rule; nothing is written.
    pub async fn propose_transfer(
        &self,
        actor: &Actor,
        f: &TransferForm,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let on = today(now);
        let kind = CaseKind::parse(f.kind.trim())
            .filter(|k| k.is_transfer())
            .ok_or_else(|| invalid("kind", "transfer.kind", f.kind.trim()))?;
        let opened = date_opt(&f.opened_on, "opened_on")?.unwrap_or(on);
        if opened > on {
            return Err(invalid("opened_on", "date.future", format_date(opened)));
        }
        let reason = text(&f.reason, "reason")?.ok_or_else(|| invalid("reason", "required", ""))?;
        let dest_outside = text(&f.dest_outside, "dest_outside")?;
        let return_on = date_opt(&f.return_on, "return_on")?;
        let decision = date_opt(&f.decision_date, "decision_date")?;
        let (m, origin, dest, blocking) = self
            .db
            .read(async |r| {
                let m = store::members::get(r, f.member_id).await?.ok_or_else(|| {
                    invalid("member_id", "member.unknown", f.member_id.to_string())
                })?;
                let origin = org_for(r, actor, m.cell_id).await?;
                let dest = match f.dest_cell_id {
                    Some(id) => Some(
                        store::orgs::get(r, id)
                            .await?
                            .filter(|o| o.kind == "chi_bo")
                            .ok_or_else(|| {
                                invalid("dest_cell_id", "transfer.dest_unknown", id.to_string())
                            })?,
                    ),
                    None => None,
                };
                let blocking = self.blocking_cases(r, m.id, opened).await?;
                Ok::<_, ServiceError>((m, origin, dest, blocking))
            })
            .await?;
        if !actor.can_manage(&origin) {
            return Err(ServiceError::Forbidden);
        }
        if !blocking.is_empty() {
            return Err(super::cases::violated(blocking));
        }
        let view = self.rules.pack_at(opened).map_err(rules_error)?;
        let kinds: Vec<String> = view.get("transfer_kinds").map_err(rules_error)?;
        let procedure = view.procedure(kind).map_err(rules_error)?;
        let cite = procedure.source.citation();
        if !kinds.iter().any(|k| k == kind.as_str()) {
            return Err(invalid("kind", "transfer.kind", kind.label_vi()));
        }
        if m.status == Status::DangChuyen.as_str()
            || m.status == Status::TamThoiDi.as_str()
            || m.status == Status::TamThoiDen.as_str()
        {
            return Err(invalid(
                "member_id",
                "transfer.in_transit",
                format!(
                    "{} đang chuyển sinh hoạt (hoặc sinh hoạt tạm thời): mỗi lúc chỉ một hồ sơ chuyển — {cite}",
                    m.full_name
                ),
            ));
        }
        let prior = standing(m.status).ok_or_else(|| {
            invalid(
                "member_id",
                "transfer.not_on_list",
                format!("{}: {}", m.full_name, m.status),
            )
        })?;
        match (&dest, &dest_outside) {
            (Some(d), _) if d.id == origin.id => {
                return Err(invalid(
                    "dest_cell_id",
                    "transfer.same_cell",
                    format!("nơi đến trùng chi bộ nơi đi ({}) — {cite}", origin.name),
                ));
            }
            (None, None) => return Err(invalid("dest_cell_id", "required", "")),
            _ => {}
        }
        if kind == CaseKind::ChuyenNoiBo
            && dest
                .as_ref()
                .is_none_or(|d| d.parent_id != origin.parent_id)
        {
            return Err(invalid(
                "kind",
                "transfer.not_internal",
                format!("chuyển sinh hoạt nội bộ chỉ giữa các chi bộ trong cùng đảng bộ — {cite}"),
            ));
        }
        if kind == CaseKind::ChuyenNuocNgoai && dest_outside.is_none() {
            return Err(invalid("dest_outside", "required", kind.label_vi()));
        }
        let mut dates = BTreeMap::new();
        if kind == CaseKind::ChuyenTamThoi {
            let back = return_on.ok_or_else(|| invalid("return_on", "required", ""))?;
            let min: u32 = view.get("temp_transfer_min_months").map_err(rules_error)?;
            let max: u32 = view
                .get("temp_transfer_study_max_months")
                .map_err(rules_error)?;
            let earliest = opened
                .checked_add_months(Months::new(min))
                .unwrap_or(opened);
            let latest = opened
                .checked_add_months(Months::new(max))
                .unwrap_or(opened);
            if back < earliest || back > latest {
                return Err(invalid(
                    "return_on",
                    "transfer.temporary_length",
                    format!(
                        "sinh hoạt tạm thời từ {min} tháng đến {max} tháng (ngày trở về từ {} đến {}) — {}",
                        format_date(earliest),
                        format_date(latest),
                        view.cite("temp_transfer_min_months").map_err(rules_error)?
                    ),
                ));
            }
            dates.insert("ngay_tro_ve".to_string(), back);
        }
        if procedure
            .inputs
            .iter()
            .any(|i| i.code.as_str() == "ngay_quyet_dinh")
        {
            let d = decision.unwrap_or(opened);
            if d > on {
                return Err(invalid("decision_date", "date.future", format_date(d)));
            }
            dates.insert("ngay_quyet_dinh".to_string(), d);
        }
        let mut tx = self.db.begin().await?;
        if let Some(open) = db::open_of_member_in(&mut tx, m.id).await? {
            return Err(invalid(
                "member_id",
                "transfer.in_transit",
                format!(
                    "{} đã có hồ sơ chuyển sinh hoạt số {open} chưa kết thúc — {cite}",
                    m.full_name
                ),
            ));
        }
        let id = self
            .open_case_in(
                &mut tx,
                actor,
                &origin,
                kind,
                (None, Some(m.id)),
                opened,
                &dates,
                now,
            )
            .await?;
        db::insert(
            &mut tx,
            &NewTransfer {
                case_id: id,
                member_id: m.id,
                origin_cell_id: Some(origin.id),
                origin_outside: None,
                dest_cell_id: dest.as_ref().map(|d| d.id),
                dest_outside: dest_outside.as_deref(),
                reason: &reason,
                return_on,
                prior_status: prior.as_str(),
                portal_ref: None,
                letter_no: None,
                letter_on: None,
            },
            now,
        )
        .await?;
        let to = dest
            .as_ref()
            .map(|d| d.name.clone())
            .or(dest_outside.clone())
            .unwrap_or_default();
        let (status, note) = if kind == CaseKind::ChuyenTamThoi {
            (Status::TamThoiDi, format!("Sinh hoạt tạm thời tại {to}"))
        } else {
            (Status::DangChuyen, format!("Chuyển sinh hoạt đến {to}"))
        };
        self.set_status_in(
            &mut tx,
            actor,
            &origin,
            (m.id, id),
            status,
            opened,
            &note,
            now,
        )
        .await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::case(origin.id, id),
            "transfer.propose",
            json!({"member_id": m.id, "kind": kind.as_str(), "dest_cell_id": dest.as_ref().map(|d| d.id),
                   "dest_outside": dest_outside, "reason": reason, "return_on": return_on}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// What a transfer's step means for the registry, inside its
    /// transaction: the letter's date and dues month; the reception (the
    /// member joins the destination, or is attached there for a temporary
    /// transfer); the return home.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn after_transfer_step(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        row: &CaseRow,
        kind: CaseKind,
        code: &str,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Some(t) = db::get_in(tx, row.id).await? else {
            return Ok(());
        };
        let origin_id = t.origin_cell_id.unwrap_or(row.cell_id);
        let prior = Status::from_code(&t.prior_status)
            .and_then(standing)
            .unwrap_or(Status::ChinhThuc);
        match (kind, code) {
            (_, "cap_giay_gioi_thieu") => {
                // The guard checked the month of the letter is paid.
                let paid = month_code((date.year(), date.month()));
                db::set_issued(tx, row.id, date, &paid).await?;
                audit_entry(
                    tx,
                    actor,
                    Subject::case(row.cell_id, row.id),
                    "transfer.letter_issued",
                    json!({"letter_on": date, "dues_paid_through": paid}),
                    now,
                )
                .await?;
            }
            (CaseKind::ChuyenTamThoi, "tiep_nhan") => {
                db::set_attached(tx, row.id, true).await?;
                audit_entry(
                    tx,
                    actor,
                    Subject::case(row.cell_id, row.id),
                    "transfer.attached",
                    json!({"dest_cell_id": t.dest_cell_id, "on": date}),
                    now,
                )
                .await?;
            }
            (CaseKind::ChuyenTamThoi, "tro_ve") => {
                db::set_attached(tx, row.id, false).await?;
                let cell = self.org_in(tx, origin_id).await?;
                self.set_status_in(
                    tx,
                    actor,
                    &cell,
                    (t.member_id, row.id),
                    prior,
                    date,
                    "Trở về sinh hoạt ở chi bộ chính thức",
                    now,
                )
                .await?;
                self.close_in(
                    tx,
                    actor,
                    &cell,
                    row.id,
                    chibo_rules::CaseOutcome::HoanThanh,
                    date,
                    None,
                    now,
                )
                .await?;
            }
            (_, "tiep_nhan") => {
                let cell = self.org_in(tx, origin_id).await?;
                match t.dest_cell_id {
                    Some(dest_id) => {
                        let dest = self.org_in(tx, dest_id).await?;
                        db::move_member(tx, t.member_id, dest_id, now).await?;
                        self.set_status_in(
                            tx,
                            actor,
                            &dest,
                            (t.member_id, row.id),
                            prior,
                            date,
                            &format!("Tiếp nhận từ {}", t.origin_name),
                            now,
                        )
                        .await?;
                    }
                    None => {
                        self.set_status_in(
                            tx,
                            actor,
                            &cell,
                            (t.member_id, row.id),
                            Status::ChuyenDi,
                            date,
                            &format!("Đã chuyển sinh hoạt đến {}", t.dest_name),
                            now,
                        )
                        .await?;
                    }
                }
                self.close_in(
                    tx,
                    actor,
                    &cell,
                    row.id,
                    chibo_rules::CaseOutcome::HoanThanh,
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

    /// A transfer closed without reception (refused by the destination,
    /// withdrawn): the member returns to the origin's list in their former
    /// standing, with the reason.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn after_transfer_close(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        row: &CaseRow,
        outcome: chibo_rules::CaseOutcome,
        date: NaiveDate,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        use chibo_rules::CaseOutcome as O;
        if !matches!(outcome, O::TuChoi | O::RutHoSo) {
            return Ok(());
        }
        let Some(t) = db::get_in(tx, row.id).await? else {
            return Ok(());
        };
        let cell = self
            .org_in(tx, t.origin_cell_id.unwrap_or(row.cell_id))
            .await?;
        db::set_refusal(tx, row.id, reason).await?;
        db::set_attached(tx, row.id, false).await?;
        if t.origin_cell_id.is_some() {
            let prior = Status::from_code(&t.prior_status)
                .and_then(standing)
                .unwrap_or(Status::ChinhThuc);
            let note = format!("{}: {reason}", outcome.label_vi());
            self.set_status_in(
                tx,
                actor,
                &cell,
                (t.member_id, row.id),
                prior,
                date,
                &note,
                now,
            )
            .await?;
        }
        audit_entry(
            tx,
            actor,
            Subject::case(row.cell_id, row.id),
            "transfer.returned",
            json!({"outcome": outcome.as_str(), "reason": reason, "status": t.prior_status}),
            now,
        )
        .await
    }

    async fn org_in(&self, tx: &mut Tx, id: i64) -> Result<OrgRow> {
        store::orgs::get_in(tx, id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Records the letter's numbers and the portal's reference (the
    /// committee above the origin, or the origin's committee).
    pub async fn set_transfer_letter(
        &self,
        actor: &Actor,
        id: i64,
        f: &LetterForm,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (row, t) = self
            .db
            .read(async |r| {
                let row = store::cases::get(r, id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let t = self
                    .transfer_of(r, &row)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                Ok::<_, ServiceError>((row, t))
            })
            .await?;
        let cells = self.transfer_sides(&t).await?;
        if !cells
            .iter()
            .any(|c| actor.can_manage(c) || actor.oversees(c))
        {
            return Err(ServiceError::Forbidden);
        }
        if row.closed_on.is_some() {
            return Err(invalid("case", "case.closed", ""));
        }
        let portal_ref = text(&f.portal_ref, "portal_ref")?;
        let letter_no = text(&f.letter_no, "letter_no")?;
        let history_no = text(&f.history_no, "history_no")?;
        let register_no = text(&f.register_no, "register_no")?;
        let mut tx = self.db.begin().await?;
        if !store::cases::touch(&mut tx, id, row.version).await? {
            return Err(ServiceError::Stale);
        }
        db::set_letter(
            &mut tx,
            id,
            &Letter {
                portal_ref: portal_ref.as_deref(),
                letter_no: letter_no.as_deref(),
                history_no: history_no.as_deref(),
                register_no: register_no.as_deref(),
            },
        )
        .await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::case(row.cell_id, id),
            "transfer.letter",
            json!({"portal_ref": portal_ref, "letter_no": letter_no, "history_no": history_no, "register_no": register_no}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn transfer_sides(&self, t: &TransferRow) -> Result<Vec<OrgRow>> {
        self.db
            .read(async |r| {
                let mut out = Vec::new();
                for id in [t.origin_cell_id, t.dest_cell_id].into_iter().flatten() {
                    out.push(org(r, id).await?);
                }
                Ok(out)
            })
            .await
    }

    /// One transfer as both sides see it.
    pub async fn transfer_detail(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<TransferDetail> {
        let case = self.case_detail(actor, id, now).await?;
        let transfer = self
            .db
            .read(async |r| db::get(r, id).await)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(TransferDetail { transfer, case })
    }

    /// The transfers leaving or reaching the cells under a unit (a cell, or
    /// an upper committee: the transfers between its cells and with others).
    pub async fn transfers_under(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<TransfersView> {
        let on = today(now);
        self.db
            .read(async |r| {
                let unit = super::orgs::unit_for(r, actor, unit).await?;
                if !actor.can_read_members(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                let mut open = Vec::new();
                let mut closed = Vec::new();
                let mut attached = Vec::new();
                for line in self.transfer_lines(r, &unit, true, on).await? {
                    let here = line.direction != "outgoing";
                    if line.transfer.attached && here && line.transfer.closed_on.is_none() {
                        attached.push(line.transfer.clone());
                    }
                    if line.transfer.closed_on.is_none() {
                        open.push(line);
                    } else {
                        closed.push(line);
                    }
                }
                open.sort_by_key(|l| {
                    (
                        l.next_due.as_ref().map_or(NaiveDate::MAX, |d| d.date),
                        l.transfer.case_id,
                    )
                });
                let manages = unit.kind == "chi_bo" && actor.can_manage(&unit);
                let (members, cells) = if manages {
                    let members = store::members::of_cell(r, unit.id)
                        .await?
                        .into_iter()
                        .filter(|m| standing(m.status).is_some())
                        .collect();
                    // The cells of the same đảng bộ; another one by its number.
                    let cells = match unit.parent_id {
                        Some(p) => store::orgs::children(r, p)
                            .await?
                            .into_iter()
                            .filter(|c| c.id != unit.id && c.kind == "chi_bo")
                            .collect(),
                        None => Vec::new(),
                    };
                    (members, cells)
                } else {
                    (Vec::new(), Vec::new())
                };
                Ok(TransfersView {
                    unit,
                    open,
                    closed,
                    attached,
                    members,
                    cells,
                    manages,
                })
            })
            .await
    }

    /// The transfers leaving or reaching the cells under a unit, each with
    /// its step, next deadline and direction (open ones unless `closed`).
    pub(super) async fn transfer_lines(
        &self,
        r: &mut Reader,
        unit: &OrgRow,
        closed: bool,
        on: NaiveDate,
    ) -> Result<Vec<TransferLine>> {
        let mut out = Vec::new();
        for t in db::under(r, &unit.path, closed).await? {
            let row = store::cases::get(r, t.case_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let d = self.detail_of(r, row, on).await?;
            let mut inside = [false, false];
            for (i, id) in [t.origin_cell_id, t.dest_cell_id].into_iter().enumerate() {
                if let Some(id) = id {
                    inside[i] = org(r, id).await?.path.starts_with(&unit.path);
                }
            }
            let direction = match inside {
                [true, true] => "both",
                [true, false] => "outgoing",
                _ => "incoming",
            };
            out.push(TransferLine {
                at: d.at(),
                next_due: d.next_due.clone(),
                direction: direction.into(),
                transfer: t,
            });
        }
        Ok(out)
    }

    /// A cell's transfers from `start` to `end`: received and sent (a
    /// temporary stay is neither: the member stays on the home list), and
    /// those under way on `as_of`. The report upward reads these.
    pub(crate) async fn transfer_counts(
        &self,
        r: &mut Reader,
        cell: &OrgRow,
        (start, end): (NaiveDate, NaiveDate),
        as_of: NaiveDate,
    ) -> Result<TransferCounts> {
        let mut out = TransferCounts::default();
        for t in db::under(r, &cell.path, true).await? {
            let done = t.outcome.as_deref() == Some(chibo_rules::CaseOutcome::HoanThanh.as_str());
            let permanent = t.kind != CaseKind::ChuyenTamThoi.as_str();
            let in_period = t.closed_on.is_some_and(|d| start <= d && d <= end);
            if done && permanent && in_period {
                if t.dest_cell_id == Some(cell.id) {
                    out.received += 1;
                }
                if t.origin_cell_id == Some(cell.id) {
                    out.sent += 1;
                }
            }
            if t.opened_on <= as_of && t.closed_on.is_none_or(|d| d > as_of) {
                out.in_transit += 1;
            }
        }
        Ok(out)
    }

    /// A member's own transfer (the home page line), the latest open one.
    pub(super) async fn my_transfer(
        &self,
        r: &mut Reader,
        member_id: i64,
        on: NaiveDate,
    ) -> Result<Option<TransferLine>> {
        let Some(t) = db::of_member(r, member_id)
            .await?
            .into_iter()
            .find(|t| t.closed_on.is_none())
        else {
            return Ok(None);
        };
        let row = store::cases::get(r, t.case_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let d = self.detail_of(r, row, on).await?;
        Ok(Some(TransferLine {
            at: d.at(),
            next_due: d.next_due.clone(),
            direction: "outgoing".into(),
            transfer: t,
        }))
    }

    /// A member received with a letter from an organisation outside this
    /// instance: the member record in the cell, with the letter's reference
    /// kept on a transfer case whose origin steps are the letter's.
    pub async fn receive_by_letter(
        &self,
        actor: &Actor,
        f: &IncomingForm,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let on = today(now);
        let cell = self
            .db
            .read(async |r| org_for(r, actor, f.cell_id).await)
            .await?;
        if cell.kind != "chi_bo" || !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let kind = CaseKind::parse(f.kind.trim())
            .filter(|k| k.is_transfer() && *k != CaseKind::ChuyenNuocNgoai)
            .ok_or_else(|| invalid("kind", "transfer.kind", f.kind.trim()))?;
        let mut problems = Problems::default();
        let name = problems.take(crate::model::PersonName::parse("full_name", &f.full_name));
        let birth = problems
            .take(date_opt(&f.date_of_birth, "date_of_birth").map_err(|_| {
                Problem::new("date_of_birth", "date.invalid", f.date_of_birth.trim())
            }));
        let admission =
            problems.take(date_opt(&f.admission_date, "admission_date").map_err(|_| {
                Problem::new("admission_date", "date.invalid", f.admission_date.trim())
            }));
        let official = problems
            .take(date_opt(&f.official_date, "official_date").map_err(|_| {
                Problem::new("official_date", "date.invalid", f.official_date.trim())
            }));
        let letter_date =
            problems
                .take(date_opt(&f.letter_date, "letter_date").map_err(|_| {
                    Problem::new("letter_date", "date.invalid", f.letter_date.trim())
                }));
        let card = if f.card_no.trim().is_empty() {
            None
        } else {
            problems.take(crate::model::CardNo::parse(&f.card_no))
        };
        let sex = if f.sex.trim().is_empty() {
            None
        } else {
            problems.take(crate::model::Sex::parse(&f.sex))
        };
        let origin = text(&f.origin, "origin")?;
        let letter_no = text(&f.letter_no, "letter_no")?;
        let portal_ref = text(&f.portal_ref, "portal_ref")?;
        let return_on = date_opt(&f.return_on, "return_on")?;
        if origin.is_none() {
            problems.push(Problem::new("origin", "required", ""));
        }
        if letter_no.is_none() {
            problems.push(Problem::new("letter_no", "required", ""));
        }
        let (
            Some(name),
            Some(Some(admission)),
            Some(Some(letter_on)),
            Some(origin),
            Some(letter_no),
        ) = (name, admission, letter_date, origin, letter_no)
        else {
            if problems.is_empty() {
                problems.push(Problem::new("letter_date", "required", ""));
            }
            return Err(ServiceError::Invalid(problems));
        };
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        if letter_on > on {
            return Err(invalid(
                "letter_date",
                "date.future",
                format_date(letter_on),
            ));
        }
        let official = official.flatten();
        let status = if kind == CaseKind::ChuyenTamThoi {
            Status::TamThoiDen
        } else if official.is_some() {
            Status::ChinhThuc
        } else {
            Status::DuBi
        };
        let mut dates = BTreeMap::new();
        if kind == CaseKind::ChuyenTamThoi {
            dates.insert(
                "ngay_tro_ve".to_string(),
                return_on.ok_or_else(|| invalid("return_on", "required", ""))?,
            );
        }
        let procedure = self.rules.procedure(kind, letter_on).map_err(rules_error)?;
        if procedure
            .inputs
            .iter()
            .any(|i| i.code.as_str() == "ngay_quyet_dinh")
        {
            dates.insert("ngay_quyet_dinh".to_string(), letter_on);
        }
        let values = store::members::MemberValues {
            group_id: None,
            full_name: name.as_str().to_string(),
            name_fold: crate::model::fold(name.as_str()),
            other_name: None,
            sex: sex.map(|s| s.as_str().to_string()),
            date_of_birth: birth.flatten(),
            ethnicity: None,
            religion: None,
            national_id: None,
            card_no: card.map(|c| c.as_str().to_string()),
            admission_date: Some(admission),
            ceremony_date: None,
            official_date: official,
            phone: None,
            email: None,
            residence: None,
            notes: Some(format!(
                "Tiếp nhận theo giấy giới thiệu số {letter_no} ngày {} của {origin}",
                format_date(letter_on)
            )),
        };
        let mut tx = self.db.begin().await?;
        let member_id = super::members::insert_member(
            &mut tx,
            actor,
            &cell,
            &values,
            super::members::Admission { status, since: on },
            now,
        )
        .await?;
        let id = self
            .open_case_in(
                &mut tx,
                actor,
                &cell,
                kind,
                (None, Some(member_id)),
                letter_on,
                &dates,
                now,
            )
            .await?;
        db::insert(
            &mut tx,
            &NewTransfer {
                case_id: id,
                member_id,
                origin_cell_id: None,
                origin_outside: Some(&origin),
                dest_cell_id: Some(cell.id),
                dest_outside: None,
                reason: "Tiếp nhận theo giấy giới thiệu sinh hoạt đảng",
                return_on,
                prior_status: if official.is_some() {
                    "chinh_thuc"
                } else {
                    "du_bi"
                },
                portal_ref: portal_ref.as_deref(),
                letter_no: Some(&letter_no),
                letter_on: Some(letter_on),
            },
            now,
        )
        .await?;
        // The origin's steps are the letter's: recorded as it states them.
        for step in procedure
            .steps
            .iter()
            .filter(|s| s.side == Some(Side::NoiDi))
        {
            let forms: Vec<String> = step
                .documents
                .iter()
                .filter(|d| !d.optional)
                .filter_map(|d| d.forms.first().map(|x| x.as_str().to_string()))
                .collect();
            self.insert_step(
                &mut tx,
                &store::cases::NewStep {
                    case_id: id,
                    step: step.code.as_str(),
                    on_date: letter_on,
                    result: chibo_rules::StepResult::Done,
                    performer: step.performer,
                    forms: &serde_json::to_string(&forms).unwrap_or_else(|_| "[]".into()),
                    late_reason: None,
                    note: Some(&format!("Theo giấy giới thiệu số {letter_no} của {origin}")),
                    vote_id: None,
                    doc_number: Some(&letter_no),
                    actor: &actor.audit_name(),
                },
                now,
            )
            .await?;
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::case(cell.id, id),
            "transfer.incoming",
            json!({"member_id": member_id, "origin": origin, "letter_no": letter_no, "letter_date": letter_on, "portal_ref": portal_ref}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The letter (giấy giới thiệu sinh hoạt đảng) as printed, once issued.
    pub async fn transfer_letter(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let d = self.transfer_detail(actor, id, now).await?;
        let t = &d.transfer;
        let Some(letter_on) = t.letter_on else {
            return Err(invalid(
                "letter",
                "transfer.no_letter",
                "cap_giay_gioi_thieu",
            ));
        };
        let (header, m, kind_title) = self
            .db
            .read(async |r| {
                let origin = org(r, t.origin_cell_id.ok_or(ServiceError::NotFound)?).await?;
                let issuer = match origin.parent_id {
                    Some(p) => org(r, p).await?,
                    None => origin.clone(),
                };
                let header = self
                    .letterhead(r, &issuer, t.letter_no.clone(), letter_on)
                    .await?;
                let m = store::members::get(r, t.member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let kind = CaseKind::parse(&t.kind).ok_or(ServiceError::NotFound)?;
                Ok::<_, ServiceError>((header, m, kind.label_vi().to_uppercase()))
            })
            .await?;
        let dash = "…".to_string();
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| dash.clone());
        let paid = t
            .dues_paid_through
            .as_deref()
            .and_then(|p| p.split_once('-'))
            .map(|(y, mo)| format!("{mo}/{y}"))
            .unwrap_or_else(|| dash.clone());
        let mut body = vec![
            Block::paragraph(format!(
                "Giới thiệu đồng chí: {}, sinh ngày {}",
                m.full_name,
                m.date_of_birth
                    .map(format_date)
                    .unwrap_or_else(|| dash.clone())
            )),
            Block::paragraph(format!(
                "Ngày vào Đảng: {}; ngày chính thức: {}",
                m.admission_date
                    .map(format_date)
                    .unwrap_or_else(|| dash.clone()),
                m.official_date
                    .map(format_date)
                    .unwrap_or_else(|| "đảng viên dự bị".into())
            )),
            Block::paragraph(format!(
                "Số thẻ đảng viên (Số TĐV): {}; Số lý lịch (Số LL): {}; Số danh sách đảng viên (Số SĐV): {}; Số giấy giới thiệu (Số GTSHĐ): {}",
                m.card_no.clone().unwrap_or_else(|| dash.clone()),
                or_dash(&t.history_no),
                or_dash(&t.register_no),
                or_dash(&t.letter_no)
            )),
            Block::paragraph(format!("Đang sinh hoạt tại: {}", t.origin_name)),
            Block::paragraph(format!("Được chuyển đến sinh hoạt tại: {}", t.dest_name)),
            Block::paragraph(format!("Lý do: {}", t.reason)),
            Block::paragraph(format!("Đã đóng đảng phí hết tháng {paid}")),
        ];
        if let Some(back) = t.return_on {
            body.push(Block::paragraph(format!(
                "Thời gian sinh hoạt tạm thời đến ngày {}",
                format_date(back)
            )));
        }
        if let Some(p) = &t.portal_ref {
            body.push(Block::paragraph(format!(
                "Mã hồ sơ trên Cổng Dịch vụ công Quốc gia: {p}"
            )));
        }
        body.push(Block::paragraph(format!(
            "Đề nghị cấp ủy nơi đến tiếp nhận và quản lý đảng viên; giấy có giá trị xuất trình đến hết ngày {}.",
            d.case
                .steps
                .iter()
                .find(|s| s.code == "xuat_trinh")
                .and_then(|s| s.due.as_ref())
                .map(|due| format_date(due.date))
                .unwrap_or_else(|| dash.clone())
        )));
        let doc = Document {
            orientation: Orientation::Portrait,
            header,
            title: "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG".into(),
            subject: Some(kind_title.to_lowercase()),
            body,
            signatures: vec![Signature {
                on_behalf: Some("T/M CẤP ỦY".into()),
                role: String::new(),
                name: String::new(),
            }],
            recipients: vec![],
            check_code: None,
        };
        Ok(Printable {
            docs: vec![doc],
            layout: self.layout(letter_on),
            properties: Properties {
                title: format!("Giấy giới thiệu sinh hoạt đảng — {}", m.full_name),
                author: t.origin_name.clone(),
                created: Some(now),
            },
            name: FileName::of(&[
                "Giấy giới thiệu sinh hoạt đảng",
                &m.full_name,
                &letter_on.format("%Y-%m-%d").to_string(),
            ]),
        })
    }
}
