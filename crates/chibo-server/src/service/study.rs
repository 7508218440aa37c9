//! What members must study (học tập, quán triệt nghị quyết): the library of
//! a cell and of the committees above it, the cell's assignments (which
//! document, for whom, by when, where), each member's reading on the phone,
//! "đã học" and the written reflection, the secretary's reminders and the
//! attendance of a study session. [`progress`] is the one count of who
//! studied that the board, the API and the reports upward show.

use super::orgs::unit_for;
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, today};
use crate::model::{
    AssignmentDraft, Audience, DocumentDraft, Problem, format_date, is_pdf, matches, pages,
    reflection_text,
};
use crate::store::orgs::OrgRow;
use crate::store::study::{self as db, CellRecord};
pub use crate::store::study::{AssignmentRow, DocumentRow};
use crate::store::{self, Reader};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Who did what about one assignment: the one count every screen shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Progress {
    /// Members it is for.
    pub assigned: usize,
    /// Of them, who marked the document studied (by the day counted).
    pub studied: usize,
    /// Reflections submitted, and how many of those after the deadline.
    pub reflections: usize,
    pub late_reflections: usize,
    /// Present at the study session, when one was recorded.
    pub attended: usize,
    /// studied / assigned, in whole percent; none when it is for no one.
    pub share: Option<u32>,
}

/// One member and an assignment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberStudy {
    pub member_id: i64,
    pub name: String,
    pub studied_on: Option<NaiveDate>,
    pub reflection_on: Option<NaiveDate>,
    pub reflection_late: bool,
    /// At the study session: present, absent, or not recorded.
    pub present: Option<bool>,
}

/// An assignment with its progress; the list of members for the committee,
/// the actor's own line for a member.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssignmentView {
    #[serde(flatten)]
    pub row: AssignmentRow,
    pub progress: Progress,
    pub members: Vec<MemberStudy>,
    pub mine: Option<MemberStudy>,
    /// The deadline passed and the actor has not studied it.
    pub late: bool,
}

impl AssignmentView {
    pub fn not_yet(&self) -> impl Iterator<Item = &MemberStudy> {
        self.members.iter().filter(|m| m.studied_on.is_none())
    }

    pub fn done(&self) -> impl Iterator<Item = &MemberStudy> {
        self.members.iter().filter(|m| m.studied_on.is_some())
    }
}

/// The study page of a cell.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StudyBoard {
    pub cell: OrgRow,
    pub assignments: Vec<AssignmentView>,
    /// The library: the cell's documents and those of the committees above,
    /// filtered by the query.
    pub library: Vec<DocumentRow>,
    pub query: String,
    pub may_manage: bool,
    pub is_member: bool,
    /// The roll (id, name), for choosing a group (committee only).
    pub roll: Vec<(i64, String)>,
    /// The cell's meetings still to be held (id, start), for the
    /// assignment's "at which meeting" (committee only).
    pub meetings: Vec<(i64, DateTime<Utc>)>,
}

/// One document read on the phone, a page at a time.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reading {
    pub doc: DocumentRow,
    /// 1-based, within 1..=pages (1 when the text is empty).
    pub page: usize,
    pub pages: usize,
    pub text: String,
    /// The actor's assignments of this document, with their own line.
    pub assignments: Vec<AssignmentView>,
    /// The actor's reflection on the first assignment that asks for one.
    pub reflection: Option<String>,
    /// The actor keeps the document's library (may attach its PDF).
    pub may_upload: bool,
}

/// The share of `part` in `whole`, in whole percent, rounded as every
/// rate chibo shows.
fn percent(part: usize, whole: usize) -> Option<u32> {
    super::dashboard::percent(part as i64, whole as i64).map(|p| p as u32)
}

/// The members an assignment is for, in roll order: everyone active on
/// the roll, its group, or the committee in office.
fn audience_of(
    a: &AssignmentRow,
    roll: &[(i64, String)],
    committee: &HashSet<i64>,
    group: &HashSet<(i64, i64)>,
) -> Vec<(i64, String)> {
    roll.iter()
        .filter(|(id, _)| match Audience::parse(&a.audience) {
            Ok(Audience::Group) => group.contains(&(a.id, *id)),
            Ok(Audience::Committee) => committee.contains(id),
            _ => true,
        })
        .cloned()
        .collect()
}

/// Who studied an assignment's document by `as_of`, who wrote a
/// reflection, who attended: the progress and each member's line.
pub fn progress(
    a: &AssignmentRow,
    audience: &[(i64, String)],
    rec: &CellRecord,
    as_of: NaiveDate,
) -> (Progress, Vec<MemberStudy>) {
    let reads: HashMap<i64, NaiveDate> = rec
        .reads
        .iter()
        .filter(|(id, _, on)| *id == a.id && *on <= as_of)
        .map(|(_, m, on)| (*m, *on))
        .collect();
    let refl: HashMap<i64, (NaiveDate, bool)> = rec
        .reflections
        .iter()
        .filter(|(id, _, on, _)| *id == a.id && *on <= as_of)
        .map(|(_, m, on, late)| (*m, (*on, *late)))
        .collect();
    let present: HashMap<i64, bool> = rec
        .attendance
        .iter()
        .filter(|(id, ..)| *id == a.id)
        .map(|(_, m, here)| (*m, *here))
        .collect();
    let lines: Vec<MemberStudy> = audience
        .iter()
        .map(|(id, name)| MemberStudy {
            member_id: *id,
            name: name.clone(),
            studied_on: reads.get(id).copied(),
            reflection_on: refl.get(id).map(|r| r.0),
            reflection_late: refl.get(id).is_some_and(|r| r.1),
            present: present.get(id).copied(),
        })
        .collect();
    let studied = lines.iter().filter(|l| l.studied_on.is_some()).count();
    let p = Progress {
        assigned: lines.len(),
        studied,
        reflections: lines.iter().filter(|l| l.reflection_on.is_some()).count(),
        late_reflections: lines.iter().filter(|l| l.reflection_late).count(),
        attended: lines.iter().filter(|l| l.present == Some(true)).count(),
        share: percent(studied, lines.len()),
    };
    (p, lines)
}

/// The ids of a unit and the units above it, from its path (`/1/7/42/`).
fn lineage_ids(unit: &OrgRow) -> Vec<i64> {
    unit.path
        .split('/')
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// Everything about a cell's assignments, read on one snapshot.
pub(crate) struct CellStudy {
    pub roll: Vec<(i64, String)>,
    pub assignments: Vec<AssignmentRow>,
    committee: HashSet<i64>,
    group: HashSet<(i64, i64)>,
    pub record: CellRecord,
}

impl CellStudy {
    pub(crate) async fn read(r: &mut Reader, cell_id: i64) -> Result<Self> {
        let roll = store::members::of_cell(r, cell_id)
            .await?
            .into_iter()
            .filter(|m| m.status.on_list())
            .map(|m| (m.id, m.full_name))
            .collect();
        let committee = store::orgs::committee(r, cell_id)
            .await?
            .into_iter()
            .filter(|p| p.end_date.is_none())
            .map(|p| p.member_id)
            .collect();
        let record = db::record_of_cell(r, cell_id).await?;
        Ok(Self {
            roll,
            assignments: db::assignments_of_cell(r, cell_id).await?,
            committee,
            group: record.assignees.iter().copied().collect(),
            record,
        })
    }

    pub(crate) fn audience(&self, a: &AssignmentRow) -> Vec<(i64, String)> {
        audience_of(a, &self.roll, &self.committee, &self.group)
    }

    /// An assignment as the actor sees it: every member for the committee,
    /// their own line for a member.
    fn view(
        &self,
        a: &AssignmentRow,
        me: Option<i64>,
        manage: bool,
        on: NaiveDate,
    ) -> AssignmentView {
        let (progress, lines) = progress(a, &self.audience(a), &self.record, on);
        let mine = me.and_then(|me| lines.iter().find(|l| l.member_id == me).cloned());
        AssignmentView {
            row: a.clone(),
            progress,
            late: mine.as_ref().is_some_and(|m| m.studied_on.is_none()) && a.deadline < on,
            mine,
            members: if manage { lines } else { Vec::new() },
        }
    }
}

/// The study figures of a cell's period for the reports upward: every
/// assignment open during it, counted as the records stood on `as_of`.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StudyShare {
    pub title: String,
    pub number: String,
    pub deadline: NaiveDate,
    pub assigned: usize,
    pub studied: usize,
    pub reflections: usize,
    pub share: Option<u32>,
}

/// An assignment open during `[start, end]`: given by its end, due from
/// its start. What the reports and the evaluation's evidence count.
fn open_during(a: &AssignmentRow, start: NaiveDate, end: NaiveDate) -> bool {
    a.deadline >= start && today(a.created_at) <= end
}

/// A member's study over a period, as the annual evaluation's evidence
/// shows it: counted by [`progress`], as the study page counts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StudyRecord {
    /// Assignments for the member open during the period.
    pub assigned: usize,
    /// Of those, studied by the day counted.
    pub studied: usize,
    /// Reflections asked for, submitted, and submitted late.
    pub reflections_required: usize,
    pub reflections: usize,
    pub late_reflections: usize,
}

/// The study record of a member of a cell over `[start, end]`, as the
/// records stood on `as_of`.
pub(crate) async fn member_study(
    r: &mut Reader,
    cell_id: i64,
    member_id: i64,
    (start, end): (NaiveDate, NaiveDate),
    as_of: NaiveDate,
) -> Result<StudyRecord> {
    let s = CellStudy::read(r, cell_id).await?;
    let mut out = StudyRecord::default();
    for a in s.assignments.iter().filter(|a| open_during(a, start, end)) {
        let (_, lines) = progress(a, &s.audience(a), &s.record, as_of);
        let Some(l) = lines.iter().find(|l| l.member_id == member_id) else {
            continue;
        };
        out.assigned += 1;
        out.studied += usize::from(l.studied_on.is_some());
        out.reflections_required += usize::from(a.reflection);
        out.reflections += usize::from(l.reflection_on.is_some());
        out.late_reflections += usize::from(l.reflection_late);
    }
    Ok(out)
}

pub(crate) async fn study_shares(
    r: &mut Reader,
    cell_id: i64,
    start: NaiveDate,
    end: NaiveDate,
    as_of: NaiveDate,
) -> Result<Vec<StudyShare>> {
    let s = CellStudy::read(r, cell_id).await?;
    let mut out: Vec<StudyShare> = s
        .assignments
        .iter()
        .filter(|a| open_during(a, start, end))
        .map(|a| {
            let (p, _) = progress(a, &s.audience(a), &s.record, as_of);
            StudyShare {
                title: a.title.clone(),
                number: a.number.clone(),
                deadline: a.deadline,
                assigned: p.assigned,
                studied: p.studied,
                reflections: p.reflections,
                share: p.share,
            }
        })
        .collect();
    out.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.title.cmp(&b.title)));
    Ok(out)
}

/// How many of a cell's latest meetings the assignment form looks through
/// for those still to be held (a cell plans a few months ahead at most).
const COMING_MEETINGS: i64 = 12;

/// A cell's meetings not yet held, from `on`, soonest first.
async fn coming_meetings(
    r: &mut Reader,
    cell_id: i64,
    on: NaiveDate,
) -> Result<Vec<(i64, DateTime<Utc>)>> {
    let mut out: Vec<(i64, DateTime<Utc>)> = store::meetings::of_cell(r, cell_id, COMING_MEETINGS)
        .await?
        .into_iter()
        .filter(|m| m.status != "closed" && today(m.starts_at) >= on)
        .map(|m| (m.id, m.starts_at))
        .collect();
    out.reverse();
    Ok(out)
}

/// A unit whose library the actor keeps: a cell they run, or a committee
/// above that oversees it.
async fn library_unit(r: &mut Reader, actor: &Actor, unit: Option<i64>) -> Result<OrgRow> {
    let u = unit_for(r, actor, unit).await?;
    if !actor.can_organise(&u) {
        return Err(ServiceError::Forbidden);
    }
    Ok(u)
}

/// A document the actor may read: in the library of one of their units or
/// of a unit above them.
async fn readable_document(r: &mut Reader, actor: &Actor, id: i64) -> Result<DocumentRow> {
    let doc = db::document(r, id).await?.ok_or(ServiceError::NotFound)?;
    let unit = super::org_for(r, actor, doc.unit_id).await?;
    let below = actor
        .units
        .iter()
        .any(|u| u.path.starts_with(&unit.path) || unit.path.starts_with(&u.path));
    if !(actor.can_see(&unit) || below) {
        return Err(ServiceError::Forbidden);
    }
    Ok(doc)
}

/// An assignment and the member acting on it (active, on its cell's roll,
/// and in its audience).
async fn own_assignment(r: &mut Reader, actor: &Actor, id: i64) -> Result<(AssignmentRow, i64)> {
    let me = actor.member_id.ok_or(ServiceError::Forbidden)?;
    let a = db::assignment(r, id).await?.ok_or(ServiceError::NotFound)?;
    let s = CellStudy::read(r, a.cell_id).await?;
    if !s.audience(&a).iter().any(|(m, _)| *m == me) {
        return Err(ServiceError::Forbidden);
    }
    Ok((a, me))
}

/// An assignment of a cell the actor runs.
async fn managed_assignment(
    r: &mut Reader,
    actor: &Actor,
    id: i64,
) -> Result<(AssignmentRow, OrgRow)> {
    let a = db::assignment(r, id).await?.ok_or(ServiceError::NotFound)?;
    let cell = super::org_for(r, actor, a.cell_id).await?;
    if !actor.can_manage(&cell) {
        return Err(ServiceError::Forbidden);
    }
    Ok((a, cell))
}

impl Services {
    /// The study page: the cell's assignments with who has and has not
    /// (for the committee) or one's own line (for a member), and the
    /// library searched without diacritics.
    pub async fn study_board(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        query: &str,
        now: DateTime<Utc>,
    ) -> Result<StudyBoard> {
        let on = today(now);
        self.db
            .read(async |r| {
                let cell = unit_for(r, actor, unit).await?;
                if !actor.can_see(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let may_manage = actor.can_organise(&cell);
                let library: Vec<DocumentRow> = db::documents_of(r, &lineage_ids(&cell))
                    .await?
                    .into_iter()
                    .filter(|d| {
                        query.trim().is_empty()
                            || matches(
                                query,
                                &format!("{} {} {} {}", d.number, d.title, d.issuer, d.body),
                            )
                    })
                    .collect();
                if cell.kind != "chi_bo" {
                    // An upper committee keeps a library; cells assign.
                    return Ok(StudyBoard {
                        cell,
                        assignments: Vec::new(),
                        library,
                        query: query.trim().to_string(),
                        may_manage,
                        is_member: false,
                        roll: Vec::new(),
                        meetings: Vec::new(),
                    });
                }
                let s = CellStudy::read(r, cell.id).await?;
                let me = actor.member_id;
                let manage = actor.can_manage(&cell);
                let assignments = s
                    .assignments
                    .iter()
                    .map(|a| s.view(a, me, manage, on))
                    .filter(|v| manage || v.mine.is_some())
                    .collect();
                let meetings = if manage {
                    coming_meetings(r, cell.id, on).await?
                } else {
                    Vec::new()
                };
                Ok(StudyBoard {
                    is_member: me.is_some_and(|me| s.roll.iter().any(|m| m.0 == me)),
                    roll: if manage { s.roll.clone() } else { Vec::new() },
                    meetings,
                    cell,
                    assignments,
                    library,
                    query: query.trim().to_string(),
                    may_manage: manage,
                })
            })
            .await
    }

    /// A document into a library (the cell's, or an upper committee's), and
    /// for a cell, when a deadline is given, its assignment, in one
    /// transaction.
    pub async fn add_study(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        doc: &DocumentDraft,
        assign: Option<&AssignmentDraft>,
        now: DateTime<Utc>,
    ) -> Result<(i64, Option<i64>)> {
        let on = today(now);
        let unit = self
            .db
            .read(async |r| library_unit(r, actor, unit).await)
            .await?;
        let d = doc.check(on);
        let a = assign.map(|a| a.check(on));
        let (d, a) = match (d, a) {
            (Ok(d), None) => (d, None),
            (Ok(d), Some(Ok(a))) => (d, Some(a)),
            (Err(mut p), Some(Err(q))) => {
                p.0.extend(q.0);
                return Err(ServiceError::Invalid(p));
            }
            (Err(p), _) | (_, Some(Err(p))) => return Err(ServiceError::Invalid(p)),
        };
        if a.is_some() && (unit.kind != "chi_bo" || !actor.can_manage(&unit)) {
            return Err(ServiceError::invalid(Problem::new(
                "deadline",
                "study.not_cell",
                unit.name.clone(),
            )));
        }
        let mut tx = self.db.begin().await?;
        let id = db::insert_document(&mut tx, unit.id, &d, now).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::study_document(unit.id, id),
            "study.document",
            json!({"title": d.title, "number": d.number, "issuer": d.issuer,
                   "issued_on": d.issued_on, "kind": d.kind.as_str()}),
            now,
        )
        .await?;
        let assignment = match a {
            Some(a) => Some(
                self.insert_assignment(&mut tx, actor, &unit, id, &a, now)
                    .await?,
            ),
            None => None,
        };
        tx.commit().await?;
        Ok((id, assignment))
    }

    async fn insert_assignment(
        &self,
        tx: &mut store::Tx,
        actor: &Actor,
        cell: &OrgRow,
        document_id: i64,
        a: &crate::model::CheckedAssignment,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        // The meeting it is studied at: one of the cell's, not yet held,
        // on or before the deadline.
        if let Some(mid) = a.meeting_id {
            let held = store::meetings::get_in(tx, mid)
                .await?
                .filter(|m| m.cell_id == cell.id);
            match held {
                Some(m) if m.status != "closed" && today(m.starts_at) <= a.deadline => {}
                _ => {
                    return Err(ServiceError::invalid(Problem::new(
                        "meeting_id",
                        "residents.study_meeting",
                        format_date(a.deadline),
                    )));
                }
            }
        }
        // Only members of the cell's roll can be in its group.
        for m in &a.members {
            let member = store::members::get_in(tx, *m).await?;
            if member.is_none_or(|x| x.cell_id != cell.id) {
                return Err(ServiceError::invalid(Problem::new(
                    "members",
                    "study.not_on_roll",
                    m.to_string(),
                )));
            }
        }
        let id = db::insert_assignment(tx, cell.id, document_id, a, now).await?;
        audit_entry(
            tx,
            actor,
            Subject::study(cell.id, id),
            "study.assign",
            json!({"document_id": document_id, "audience": a.audience.as_str(),
                   "members": a.members, "deadline": a.deadline, "place": a.place.as_str(),
                   "meeting_id": a.meeting_id, "reflection": a.reflection}),
            now,
        )
        .await?;
        Ok(id)
    }

    /// Assigns a library document (the cell's or one from above) to the
    /// cell's members.
    pub async fn assign_study(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        document_id: i64,
        draft: &AssignmentDraft,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (cell, _) = self
            .db
            .read(async |r| {
                let cell = unit_for(r, actor, unit).await?;
                if !actor.can_manage(&cell) || cell.kind != "chi_bo" {
                    return Err(ServiceError::Forbidden);
                }
                let doc = db::document(r, document_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                if !lineage_ids(&cell).contains(&doc.unit_id) {
                    return Err(ServiceError::NotFound);
                }
                Ok((cell, doc))
            })
            .await?;
        let a = draft.check(today(now)).map_err(ServiceError::Invalid)?;
        let mut tx = self.db.begin().await?;
        let id = self
            .insert_assignment(&mut tx, actor, &cell, document_id, &a, now)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Attaches a PDF to a library document: a PDF by its signature, within
    /// the upload bound (the page stops reading past it).
    pub async fn attach_study_pdf(
        &self,
        actor: &Actor,
        document_id: i64,
        name: &str,
        data: &[u8],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let doc = self
            .db
            .read(async |r| {
                let doc = db::document(r, document_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let unit = super::org_for(r, actor, doc.unit_id).await?;
                if !actor.can_organise(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                Ok(doc)
            })
            .await?;
        if !is_pdf(data) {
            return Err(ServiceError::invalid(Problem::new(
                "file",
                "study.not_pdf",
                crate::model::nfc(name),
            )));
        }
        let name = crate::model::nfc(name);
        let mut tx = self.db.begin().await?;
        db::set_pdf(&mut tx, document_id, &name, data).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::study_document(doc.unit_id, document_id),
            "study.pdf",
            json!({"name": name, "size": data.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A library document's PDF, for a reader.
    pub async fn study_pdf(&self, actor: &Actor, document_id: i64) -> Result<(String, Vec<u8>)> {
        self.db
            .read(async |r| {
                readable_document(r, actor, document_id).await?;
                db::pdf(r, document_id).await?.ok_or(ServiceError::NotFound)
            })
            .await
    }

    /// One page of a document's text, with the actor's assignments of it.
    pub async fn read_study(
        &self,
        actor: &Actor,
        document_id: i64,
        page: usize,
        now: DateTime<Utc>,
    ) -> Result<Reading> {
        let on = today(now);
        self.db
            .read(async |r| {
                let doc = readable_document(r, actor, document_id).await?;
                let unit = super::org_for(r, actor, doc.unit_id).await?;
                let may_upload = actor.can_organise(&unit);
                let mut assignments = Vec::new();
                let mut reflection = None;
                if let Some(me) = actor.member_id
                    && let Some(m) = store::members::get(r, me).await?
                {
                    let s = CellStudy::read(r, m.cell_id).await?;
                    for a in s.assignments.iter().filter(|a| a.document_id == doc.id) {
                        let v = s.view(a, Some(me), false, on);
                        if v.mine.is_some() {
                            if a.reflection && reflection.is_none() {
                                reflection = db::reflection(r, a.id, me).await?.map(|x| x.0);
                            }
                            assignments.push(v);
                        }
                    }
                }
                let all = pages(&doc.body);
                let n = all.len().max(1);
                let page = page.clamp(1, n);
                Ok(Reading {
                    text: all.get(page - 1).cloned().unwrap_or_default(),
                    page,
                    pages: n,
                    doc,
                    assignments,
                    reflection,
                    may_upload,
                })
            })
            .await
    }

    /// "Đã học": the actor, in the assignment's audience, studied its
    /// document today. A second mark changes nothing. The document's id.
    pub async fn mark_studied(
        &self,
        actor: &Actor,
        assignment_id: i64,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (a, me) = self
            .db
            .read(async |r| own_assignment(r, actor, assignment_id).await)
            .await?;
        let on = today(now);
        let mut tx = self.db.begin().await?;
        if db::mark_done(&mut tx, a.id, me, on).await? {
            audit_entry(
                &mut tx,
                actor,
                Subject::study(a.cell_id, assignment_id),
                "study.studied",
                json!({"member_id": me, "document_id": a.document_id, "on": on,
                       "late": on > a.deadline}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(a.document_id)
    }

    /// The written reflection (bài thu hoạch): kept whenever it comes, marked
    /// late after the deadline; submitting it also marks the document
    /// studied. The document's id, and whether it was late.
    pub async fn submit_reflection(
        &self,
        actor: &Actor,
        assignment_id: i64,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(i64, bool)> {
        let (a, me) = self
            .db
            .read(async |r| own_assignment(r, actor, assignment_id).await)
            .await?;
        let text = reflection_text(body).map_err(ServiceError::Invalid)?;
        let on = today(now);
        let late = on > a.deadline;
        let mut tx = self.db.begin().await?;
        db::put_reflection(&mut tx, a.id, me, &text, on, late, now).await?;
        db::mark_done(&mut tx, a.id, me, on).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::study(a.cell_id, assignment_id),
            "study.reflection",
            json!({"member_id": me, "on": on, "late": late, "chars": text.chars().count()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((a.document_id, late))
    }

    /// The secretary reminds everyone who has not studied yet (in the app
    /// and by e-mail); once a day per member. The cell, and how many were
    /// reminded.
    pub async fn remind_study(
        &self,
        actor: &Actor,
        assignment_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(i64, usize)> {
        let on = today(now);
        let (a, cell, to) = self
            .db
            .read(async |r| {
                let (a, cell) = managed_assignment(r, actor, assignment_id).await?;
                let s = CellStudy::read(r, a.cell_id).await?;
                let (_, lines) = progress(&a, &s.audience(&a), &s.record, on);
                let mut to = Vec::new();
                for l in lines.iter().filter(|l| l.studied_on.is_none()) {
                    let email = store::members::get(r, l.member_id)
                        .await?
                        .and_then(|m| m.email);
                    to.push((l.member_id, email));
                }
                Ok::<_, ServiceError>((a, cell, to))
            })
            .await?;
        let mut tx = self.db.begin().await?;
        let sent = self
            .queue_study_reminders(&mut tx, &a, &to, &format!("study:{}:{on}", a.id), now)
            .await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::study(cell.id, a.id),
            "study.remind",
            json!({"reminded": sent}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((cell.id, sent))
    }

    async fn queue_study_reminders(
        &self,
        tx: &mut store::Tx,
        a: &AssignmentRow,
        to: &[(i64, Option<String>)],
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let subject = format!("Nhắc học tập: {}", a.title);
        let body = format!(
            "Đề nghị đồng chí học tập, quán triệt {}{} (hạn {}). Đọc tài liệu trong mục Học tập của chibo.",
            a.title,
            if a.number.is_empty() {
                String::new()
            } else {
                format!(" (số {})", a.number)
            },
            format_date(a.deadline)
        );
        let mut sent = 0;
        for (m, email) in to {
            sent += usize::from(
                store::reminders::queue_keyed(tx, *m, email.as_deref(), key, &subject, &body, now)
                    .await?,
            );
        }
        Ok(sent)
    }

    /// The sweep's part: members who have not studied an assignment due
    /// within the pack's due-soon window are reminded once, and once more
    /// the day after the deadline.
    pub async fn remind_study_due(&self, now: DateTime<Utc>, until: NaiveDate) -> Result<usize> {
        let on = today(now);
        let yesterday = on.pred_opt().unwrap_or(on);
        let due = self
            .db
            .read(async |r| {
                let cells = store::study::cells_with_open_assignments(r, yesterday, until).await?;
                let mut out = Vec::new();
                for cell in cells {
                    let s = CellStudy::read(r, cell).await?;
                    for a in s
                        .assignments
                        .iter()
                        .filter(|a| a.deadline >= yesterday && a.deadline <= until)
                    {
                        let (_, lines) = progress(a, &s.audience(a), &s.record, on);
                        let mut to = Vec::new();
                        for l in lines.iter().filter(|l| l.studied_on.is_none()) {
                            let email = store::members::get(r, l.member_id)
                                .await?
                                .and_then(|m| m.email);
                            to.push((l.member_id, email));
                        }
                        let which = if a.deadline < on { "late" } else { "soon" };
                        out.push((a.clone(), to, format!("study:{}:{which}", a.id)));
                    }
                }
                Ok::<_, ServiceError>(out)
            })
            .await?;
        let mut sent = 0;
        for (a, to, key) in due {
            if to.is_empty() {
                continue;
            }
            let mut tx = self.db.begin().await?;
            sent += self
                .queue_study_reminders(&mut tx, &a, &to, &key, now)
                .await?;
            tx.commit().await?;
        }
        Ok(sent)
    }

    /// Records who attended the study session of an assignment (present
    /// are the ids given, and have studied it that day; the rest of its
    /// audience absent). The cell.
    pub async fn record_study_attendance(
        &self,
        actor: &Actor,
        assignment_id: i64,
        present: &[i64],
        held_on: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (a, audience) = self
            .db
            .read(async |r| {
                let (a, _) = managed_assignment(r, actor, assignment_id).await?;
                let s = CellStudy::read(r, a.cell_id).await?;
                let audience = s.audience(&a);
                Ok::<_, ServiceError>((a, audience))
            })
            .await?;
        let on = if held_on.trim().is_empty() {
            today(now)
        } else {
            crate::model::parse_date("held_on", held_on).map_err(ServiceError::invalid)?
        };
        if on > today(now) {
            return Err(ServiceError::invalid(Problem::new(
                "held_on",
                "date.future",
                format_date(on),
            )));
        }
        if let Some(x) = present
            .iter()
            .find(|x| !audience.iter().any(|m| m.0 == **x))
        {
            return Err(ServiceError::invalid(Problem::new(
                "present",
                "study.not_on_roll",
                x.to_string(),
            )));
        }
        let marks: Vec<(i64, bool)> = audience
            .iter()
            .map(|(m, _)| (*m, present.contains(m)))
            .collect();
        let mut tx = self.db.begin().await?;
        db::set_attendance(&mut tx, a.id, &marks, on).await?;
        // Present at the session is having studied it, on that day.
        for m in present {
            db::mark_done(&mut tx, a.id, *m, on).await?;
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::study(a.cell_id, a.id),
            "study.attendance",
            json!({"held_on": on, "present": present, "of": marks.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(a.cell_id)
    }

    /// A member's reflection, for the committee of its cell (or the member).
    pub async fn study_reflection(
        &self,
        actor: &Actor,
        assignment_id: i64,
        member_id: i64,
    ) -> Result<(AssignmentRow, String, NaiveDate, bool)> {
        self.db
            .read(async |r| {
                let a = db::assignment(r, assignment_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let cell = super::org_for(r, actor, a.cell_id).await?;
                if !(actor.can_manage(&cell) || actor.member_id == Some(member_id)) {
                    return Err(ServiceError::Forbidden);
                }
                let (body, on, late) = db::reflection(r, assignment_id, member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                Ok((a, body, on, late))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn assignment(audience: &str) -> AssignmentRow {
        AssignmentRow {
            id: 7,
            cell_id: 1,
            document_id: 3,
            audience: audience.into(),
            deadline: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            place: "home".into(),
            meeting_id: None,
            meeting_at: None,
            reflection: true,
            created_at: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
            title: "Nghị quyết".into(),
            number: "57-NQ/TW".into(),
            issuer: "Bộ Chính trị".into(),
            issued_on: NaiveDate::from_ymd_opt(2024, 12, 22).unwrap(),
        }
    }

    #[test]
    fn progress_counts_the_audience_by_the_day_counted() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        let roll: Vec<(i64, String)> = (1..=4).map(|i| (i, format!("M{i}"))).collect();
        let rec = CellRecord {
            assignees: vec![(7, 1), (7, 2)],
            reads: vec![(7, 1, d(5)), (7, 2, d(20)), (7, 3, d(6)), (9, 4, d(2))],
            reflections: vec![(7, 1, d(5), false), (7, 3, d(6), false)],
            attendance: vec![(7, 1, true), (7, 2, false)],
        };
        let all = assignment("all");
        let (p, lines) = progress(
            &all,
            &audience_of(&all, &roll, &HashSet::new(), &HashSet::new()),
            &rec,
            d(10),
        );
        assert_eq!(
            (p.assigned, p.studied, p.reflections, p.attended),
            (4, 2, 2, 1)
        );
        assert_eq!(p.share, Some(50));
        assert_eq!(lines[1].studied_on, None, "read after the day counted");
        let group: HashSet<_> = rec.assignees.iter().copied().collect();
        let g = assignment("group");
        let (p, _) = progress(
            &g,
            &audience_of(&g, &roll, &HashSet::new(), &group),
            &rec,
            d(31),
        );
        assert_eq!((p.assigned, p.studied, p.share), (2, 2, Some(100)));
        let c = assignment("committee");
        let (p, _) = progress(
            &c,
            &audience_of(&c, &roll, &HashSet::new(), &group),
            &rec,
            d(31),
        );
        assert_eq!((p.assigned, p.share), (0, None));
    }
}
