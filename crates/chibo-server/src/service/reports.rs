//! Reports upward (Báo cáo) of a cell for a month, quarter, half-year or
//! year: the figures come from the records, the text sections are the
//! committee's; a draft is edited, then issued with a number and sealed like
//! a resolution. And the upper committee's roll-up of its cells.

use super::anchor::Checkpoint;
use super::dashboard::{CellLine, PeriodQuery, TableQuery, arrange, percent, totals, window};
use super::documents::{kind_label, paragraphs};
use super::meetings::seal::{Locking, Printed, lock_document, sealed};
use super::orgs::unit_for;
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, org, today};
use crate::model::{Period, PeriodKind, Problem, Status, format_date, nfc};
pub use crate::store::reports::ReportRow;

use crate::store::reports as db;
use crate::store::stats::{self, MeetingStat, Presence, ResolutionStat, StatusChange, TaskCounts};
use crate::store::{self, Reader, audit, meetings, orgs::OrgRow};
use chibo_docs::sheet::{self, ColumnSpec};
use chibo_print::{Align, Block, Column, Document, Header, Layout, Signature, Table};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A unit's reports screen.
pub struct ReportList {
    pub unit: OrgRow,
    /// The period a new draft would cover.
    pub period: Period,
    pub reports: Vec<ReportRow>,
    pub may_draft: bool,
}

/// A cell reports monthly by default, a committee quarterly.
fn default_period(unit: &OrgRow) -> PeriodKind {
    if unit.kind == "chi_bo" {
        PeriodKind::Month
    } else {
        PeriodKind::Quarter
    }
}

/// A unit's reports, for its committee and those above.
async fn reports_of(r: &mut Reader, actor: &Actor, unit: &OrgRow) -> Result<Vec<ReportRow>> {
    if !actor.can_organise(unit) {
        return Err(ServiceError::Forbidden);
    }
    Ok(db::of_org(r, unit.id).await?)
}

/// What the records say about the period: nothing here is typed by hand.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    pub period: String,
    pub year: i32,
    pub index: u32,
    /// "quý III năm 2026"
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Tasks are read as they stood on this day (the period's end, or the
    /// day of the draft if sooner).
    pub as_of: NaiveDate,
    pub meetings: Vec<MeetingStat>,
    /// The roll-calls of those meetings, summed.
    pub presence: Presence,
    pub resolutions: Vec<ResolutionStat>,
    pub tasks: TaskCounts,
    /// Tasks a meeting of the period carried over to the next.
    pub carried_over: i64,
    pub changes: Vec<StatusChange>,
}

/// The parts of the report the committee writes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Sections {
    /// Đánh giá chung.
    pub assessment: String,
    /// Hạn chế, nguyên nhân.
    pub limits: String,
    /// Phương hướng, nhiệm vụ kỳ tới.
    pub next: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportBody {
    pub figures: Figures,
    pub sections: Sections,
    /// The cell's audit chain at issue, signed with the installation's key
    /// outside the database: the upper committee keeps it with the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
}

/// A report with its unit and its body read back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    #[serde(flatten)]
    pub row: ReportRow,
    pub unit: OrgRow,
    /// A draft shows the figures as they are today; an issued report the
    /// figures it was sealed with.
    pub content: ReportBody,
    pub check_code: Option<String>,
}

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

/// The first words of the assessment, from the figures; the committee goes on.
pub fn opening(f: &Figures) -> String {
    if f.meetings.is_empty() {
        return format!(
            "Trong {}, chi bộ không có buổi sinh hoạt nào được ghi nhận.",
            f.label
        );
    }
    let rate = percent(f.presence.present, f.presence.marked)
        .map(|p| format!(" (tỷ lệ dự họp {p}%)"))
        .unwrap_or_default();
    format!(
        "Trong {}, chi bộ tổ chức {} buổi sinh hoạt{rate}, thông qua {} nghị quyết; hoàn thành {}/{} công việc được giao.",
        f.label,
        f.meetings.len(),
        f.resolutions.len(),
        f.tasks.done,
        f.tasks.total
    )
}

fn local_day(t: DateTime<Utc>) -> String {
    format_date(t.with_timezone(&Ho_Chi_Minh).date_naive())
}

/// The recorded figures as printed (sections I–III). A period without
/// meetings says so and shows no numbers for them.
pub fn figure_blocks(f: &Figures) -> Vec<Block> {
    let mut out = vec![Block::heading(1, "I. TÌNH HÌNH SINH HOẠT CHI BỘ")];
    if f.meetings.is_empty() {
        out.push(Block::paragraph(
            "Trong kỳ báo cáo, chi bộ không tổ chức buổi sinh hoạt nào; không có số liệu về sinh hoạt và dự họp.",
        ));
    } else {
        let p = &f.presence;
        out.push(Block::paragraph(format!(
            "Chi bộ tổ chức {} buổi sinh hoạt. Tổng số lượt đảng viên được điểm danh: {}; có mặt: {}{}; vắng có lý do: {}; vắng không lý do: {}.",
            f.meetings.len(),
            p.marked,
            p.present,
            percent(p.present, p.marked)
                .map(|r| format!(" ({r}%)"))
                .unwrap_or_default(),
            p.excused,
            p.unexcused
        )));
        out.push(Block::Table(Table {
            columns: vec![
                Column::new("TT", 1, Align::Center),
                Column::new("Ngày", 3, Align::Center),
                Column::new("Hình thức", 4, Align::Left),
                Column::new("Có mặt", 2, Align::Center),
                Column::new("Vắng có lý do", 2, Align::Center),
                Column::new("Vắng không lý do", 2, Align::Center),
                Column::new("Nghị quyết", 3, Align::Left),
            ],
            rows: f
                .meetings
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    vec![
                        (i + 1).to_string(),
                        local_day(m.starts_at),
                        format!("Sinh hoạt {}", kind_label(&m.kind)),
                        format!("{}/{}", m.presence.present, m.presence.marked),
                        m.presence.excused.to_string(),
                        m.presence.unexcused.to_string(),
                        m.resolution_number.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        }));
    }
    out.push(Block::heading(1, "II. KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT"));
    if f.resolutions.is_empty() {
        out.push(Block::paragraph(
            "Trong kỳ báo cáo, chi bộ không thông qua nghị quyết nào.",
        ));
    } else {
        out.push(Block::Table(Table {
            columns: vec![
                Column::new("Số", 3, Align::Left),
                Column::new("Trích yếu", 7, Align::Left),
                Column::new("Công việc", 2, Align::Center),
                Column::new("Hoàn thành", 2, Align::Center),
                Column::new("Quá hạn", 2, Align::Center),
            ],
            rows: f
                .resolutions
                .iter()
                .map(|r| {
                    vec![
                        r.number_text.clone().unwrap_or_default(),
                        r.subject.clone(),
                        r.tasks.to_string(),
                        r.done.to_string(),
                        r.overdue.to_string(),
                    ]
                })
                .collect(),
        }));
    }
    let t = &f.tasks;
    out.push(Block::paragraph(format!(
        "Công việc (tính đến ngày {}): giao trong kỳ {}; hoàn thành trong kỳ {}; quá hạn {}; chuyển kỳ sau {}; còn đang thực hiện {}; đã hoàn thành {}/{} công việc được giao.",
        format_date(f.as_of),
        t.assigned,
        t.done_in_period,
        t.overdue,
        f.carried_over,
        t.open,
        t.done,
        t.total
    )));
    out.push(Block::heading(1, "III. CÔNG TÁC ĐẢNG VIÊN"));
    if f.changes.is_empty() {
        out.push(Block::paragraph(
            "Trong kỳ báo cáo, không có thay đổi về tình trạng đảng viên.",
        ));
    } else {
        out.push(Block::bullets(f.changes.iter().map(|c| {
            let status = Status::parse(&c.status)
                .map(Status::label_vi)
                .unwrap_or(c.status.as_str());
            format!(
                "Đồng chí {}: {} (từ ngày {}).",
                c.full_name,
                status.to_lowercase(),
                format_date(c.start_date)
            )
        })));
    }
    out
}

/// The body of the printed report: the recorded figures, then the
/// committee's sections.
pub fn report_blocks(b: &ReportBody) -> Vec<Block> {
    let mut out = figure_blocks(&b.figures);
    for (title, text) in [
        ("IV. ĐÁNH GIÁ CHUNG", &b.sections.assessment),
        ("V. HẠN CHẾ, NGUYÊN NHÂN", &b.sections.limits),
        ("VI. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", &b.sections.next),
    ] {
        let blocks = paragraphs(text);
        if !blocks.is_empty() {
            out.push(Block::heading(1, title));
            out.extend(blocks);
        }
    }
    out
}

/// The roll-up table's columns, shared by the PDF and the XLSX.
const ROLLUP: &[ColumnSpec] = &[
    ColumnSpec {
        key: "code",
        label: "Mã",
        aliases: &[],
    },
    ColumnSpec {
        key: "name",
        label: "Chi bộ",
        aliases: &[],
    },
    ColumnSpec {
        key: "committee",
        label: "Trực thuộc",
        aliases: &[],
    },
    ColumnSpec {
        key: "last",
        label: "Sinh hoạt gần nhất",
        aliases: &[],
    },
    ColumnSpec {
        key: "on_time",
        label: "Đúng kỳ",
        aliases: &[],
    },
    ColumnSpec {
        key: "held",
        label: "Số buổi sinh hoạt",
        aliases: &[],
    },
    ColumnSpec {
        key: "present",
        label: "Có mặt / điểm danh",
        aliases: &[],
    },
    ColumnSpec {
        key: "rate",
        label: "Tỷ lệ dự họp (%)",
        aliases: &[],
    },
    ColumnSpec {
        key: "adopted",
        label: "Nghị quyết",
        aliases: &[],
    },
    ColumnSpec {
        key: "done",
        label: "Việc hoàn thành / giao",
        aliases: &[],
    },
    ColumnSpec {
        key: "overdue",
        label: "Việc quá hạn",
        aliases: &[],
    },
];

/// One line of the roll-up, cell by cell in the order of [`ROLLUP`].
pub fn rollup_row(l: &CellLine) -> Vec<String> {
    vec![
        l.code.clone().unwrap_or_default(),
        l.name.clone(),
        l.committee.clone().unwrap_or_default(),
        l.last_meeting.map(format_date).unwrap_or_default(),
        if l.on_time { "Có" } else { "Chậm" }.into(),
        l.held.to_string(),
        format!("{}/{}", l.presence.present, l.presence.marked),
        l.attendance.map(|r| r.to_string()).unwrap_or_default(),
        l.adopted.to_string(),
        format!("{}/{}", l.tasks.done, l.tasks.total),
        l.tasks.overdue.to_string(),
    ]
}

/// The upper committee's roll-up of its cells for a period.
pub struct Rollup {
    pub unit: OrgRow,
    pub period: Period,
    pub as_of: NaiveDate,
    pub lines: Vec<CellLine>,
    pub totals: CellLine,
}

impl Rollup {
    fn title(&self) -> String {
        format!(
            "tổng hợp tình hình sinh hoạt chi bộ {}",
            self.period.label_vi()
        )
    }

    fn total_row(&self) -> Vec<String> {
        let mut r = rollup_row(&self.totals);
        r[1] = format!("Cộng ({} chi bộ)", self.lines.len());
        r[4] = format!("{} chậm", self.lines.iter().filter(|l| !l.on_time).count());
        r
    }

    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let mut rows: Vec<Vec<Option<String>>> = self
            .lines
            .iter()
            .map(|l| rollup_row(l).into_iter().map(Some).collect())
            .collect();
        rows.push(self.total_row().into_iter().map(Some).collect());
        let title = format!("{} — {}", self.unit.name.to_uppercase(), self.title());
        Ok(sheet::write_xlsx(Some(&title), ROLLUP, &rows)?)
    }
}

impl Services {
    /// The figures of a cell's period, read from the records on `on`.
    pub(crate) async fn report_figures(
        &self,
        r: &mut Reader,
        cell: &OrgRow,
        period: &Period,
        on: NaiveDate,
    ) -> Result<Figures> {
        let w = window(period, on);
        let meetings = stats::meetings(r, cell.id, &w).await?;
        let mut presence = Presence::default();
        for m in &meetings {
            presence.add(&m.presence);
        }
        let tasks = stats::cell_tasks(r, &cell.path, &w)
            .await?
            .into_iter()
            .find(|t| t.cell_id == cell.id)
            .map(|t| t.t)
            .unwrap_or_default();
        Ok(Figures {
            period: period.kind.as_str().into(),
            year: period.year,
            index: period.index,
            label: period.label_vi(),
            start: period.start,
            end: period.end,
            as_of: w.as_of,
            resolutions: stats::resolutions(r, cell.id, &w).await?,
            carried_over: stats::carried_over(r, cell.id, &w).await?,
            changes: stats::status_changes(r, cell.id, period.start, period.end).await?,
            meetings,
            presence,
            tasks,
        })
    }

    /// Drafts the report of a cell (the actor's own by default) for a
    /// period (the current month by default) from its records.
    pub async fn create_report(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        period: &PeriodQuery,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let on = today(now);
        let (cell, period, figures) = self
            .db
            .read(async |r| {
                let cell = unit_for(r, actor, unit).await?;
                if !actor.can_manage(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let period = period.resolve(default_period(&cell), on)?;
                if cell.kind != "chi_bo" {
                    return Err(invalid("unit", "dashboard.not_cell", cell.name.clone()));
                }
                if period.start > on {
                    return Err(invalid("period", "report.future", period.label_vi()));
                }
                let figures = self.report_figures(r, &cell, &period, on).await?;
                Ok((cell, period, figures))
            })
            .await?;
        let body = ReportBody {
            sections: Sections {
                assessment: opening(&figures),
                ..Sections::default()
            },
            figures,
            checkpoint: None,
        };
        let text = serde_json::to_string(&body).unwrap_or_default();
        let mut tx = self.db.begin().await?;
        let id = match db::insert(
            &mut tx,
            &db::NewReport {
                org_id: cell.id,
                period: period.kind.as_str(),
                start: period.start,
                end: period.end,
                body: &text,
            },
            now,
        )
        .await
        {
            Ok(id) => id,
            Err(e) if e.is_unique_violation() => {
                return Err(invalid("period", "report.exists", period.label_vi()));
            }
            Err(e) => return Err(e.into()),
        };
        audit_entry(
            &mut tx,
            actor,
            Subject::report(cell.id, id),
            "report.draft",
            json!({"period": period.label_vi()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A unit's reports, for its committee and those above.
    pub async fn reports_of(&self, actor: &Actor, unit_id: i64) -> Result<Vec<ReportRow>> {
        self.db
            .read(async |r| {
                let unit = org(r, unit_id).await?;
                reports_of(r, actor, &unit).await
            })
            .await
    }

    /// The reports screen of a unit (the actor's own by default), with the
    /// period a new draft would cover.
    pub async fn report_list(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        period: &PeriodQuery,
        now: DateTime<Utc>,
    ) -> Result<ReportList> {
        self.db
            .read(async |r| {
                let unit = unit_for(r, actor, unit).await?;
                let period = period.resolve(default_period(&unit), today(now))?;
                let reports = reports_of(r, actor, &unit).await?;
                Ok(ReportList {
                    may_draft: actor.can_manage(&unit),
                    unit,
                    period,
                    reports,
                })
            })
            .await
    }

    /// A report and whether the actor may edit it (its cell's committee).
    pub async fn report_page(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(Report, bool)> {
        let r = self.report(actor, id, now).await?;
        let may_edit = actor.can_manage(&r.unit);
        Ok((r, may_edit))
    }

    pub async fn report(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<Report> {
        self.db
            .read(async |r| self.report_in(r, actor, id, now).await)
            .await
    }

    async fn report_in(
        &self,
        r: &mut Reader,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Report> {
        let row = db::get(r, id).await?.ok_or(ServiceError::NotFound)?;
        let unit = org(r, row.org_id).await?;
        if !actor.can_organise(&unit) {
            return Err(ServiceError::Forbidden);
        }
        let unreadable = |e: serde_json::Error| {
            ServiceError::Store(store::StoreError::Io(std::io::Error::other(e)))
        };
        let (content, check_code) = if row.status == "draft" {
            let mut content: ReportBody = serde_json::from_str(&row.body).map_err(unreadable)?;
            let period = self.period_of(&row)?;
            content.figures = self.report_figures(r, &unit, &period, today(now)).await?;
            (content, None)
        } else {
            // An issued report is what was sealed, not what the row says now.
            match sealed(r, "report", id).await? {
                Some(s) => (
                    serde_json::from_value(s.body.clone()).map_err(unreadable)?,
                    Some(s.version.check_code),
                ),
                None => (serde_json::from_str(&row.body).map_err(unreadable)?, None),
            }
        };
        Ok(Report {
            row,
            unit,
            content,
            check_code,
        })
    }

    fn period_of(&self, row: &ReportRow) -> Result<Period> {
        let kind = PeriodKind::parse(&row.period).map_err(ServiceError::invalid)?;
        Ok(Period::containing(kind, row.period_start))
    }

    /// Saves the committee's sections of a draft.
    pub async fn save_report(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        sections: &Sections,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let r = self.report(actor, id, now).await?;
        if !actor.can_manage(&r.unit) {
            return Err(ServiceError::Forbidden);
        }
        if r.row.status != "draft" {
            return Err(invalid(
                "status",
                "report.issued",
                r.row.number_text.unwrap_or_default(),
            ));
        }
        let body = ReportBody {
            figures: r.content.figures,
            sections: Sections {
                assessment: nfc(sections.assessment.trim()),
                limits: nfc(sections.limits.trim()),
                next: nfc(sections.next.trim()),
            },
            checkpoint: None,
        };
        let text = serde_json::to_string(&body).unwrap_or_default();
        let mut tx = self.db.begin().await?;
        if !db::save_draft(&mut tx, id, version, &text).await? {
            return Err(ServiceError::Stale);
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::report(r.row.org_id, id),
            "report.save",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Issues a draft: the figures as they stand, a number from the same
    /// sequence as the cell's other documents (type BC), a seal, a locked
    /// version and an audit entry, in one transaction, by the path resolutions
    /// and minutes are locked.
    pub async fn issue_report(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let r = self.report(actor, id, now).await?;
        if !actor.can_manage(&r.unit) {
            return Err(ServiceError::Forbidden);
        }
        if r.row.status != "draft" {
            return Err(invalid(
                "status",
                "report.issued",
                r.row.number_text.unwrap_or_default(),
            ));
        }
        let on = today(now);
        let symbol: String = self
            .rules
            .param("doc_org_symbol_cell", on)
            .unwrap_or_else(|_| "CB".into());
        let mut tx = self.db.begin().await?;
        let numbering = self.numbering_start(&mut tx, r.unit.id, on).await?;
        let number = meetings::next_number(&mut tx, r.unit.id, "BC", numbering).await?;
        let number_text = chibo_rules::format_doc_number(
            u32::try_from(number).unwrap_or(u32::MAX),
            "BC",
            &symbol,
        );
        // The cell's chain as it stands before this issue, signed.
        let checkpoint = audit::head_in(&mut tx, r.unit.id)
            .await?
            .filter(|(seq, _)| *seq > 0)
            .map(|(seq, hash)| self.anchor.sign(r.unit.id, seq, &hash, now));
        let content = ReportBody {
            checkpoint: checkpoint.clone(),
            ..r.content.clone()
        };
        let printed = self
            .db
            .read(async |rd| {
                self.report_printed(rd, &r.unit, &content, Some(number_text.clone()), on)
                    .await
            })
            .await?;
        let facts = json!({
            "number": number_text, "unit": r.unit.name, "issued_on": on,
            "figures": content.figures, "sections": content.sections, "checkpoint": checkpoint,
        });
        let body = facts.to_string();
        lock_document(
            &mut tx,
            actor,
            Subject::report(r.unit.id, id),
            Locking {
                doc_type: "report",
                doc_id: id,
                facts,
                printed,
                reason: None,
                action: "report.issue",
                summary: json!({"number": number_text}),
                parts: vec![],
            },
            async |tx, hash| {
                let issued = db::Issue {
                    id,
                    version,
                    body: &body,
                    number,
                    number_text: &number_text,
                    hash,
                };
                if db::issue(tx, &issued, now).await? {
                    Ok(())
                } else {
                    Err(ServiceError::Stale)
                }
            },
            now,
        )
        .await?;
        tx.commit().await?;
        if let Some(c) = checkpoint
            && let Err(e) = self.anchor.record(&[c])
        {
            tracing::error!("checkpoint log: {e}");
        }
        self.anchor_after_seal(r.unit.id).await;
        Ok(number_text)
    }

    async fn letterhead(
        &self,
        r: &mut Reader,
        unit: &OrgRow,
        number: Option<String>,
        on: NaiveDate,
    ) -> Result<Header> {
        let superior = match unit.parent_id {
            Some(p) => org(r, p).await?.name,
            None => String::new(),
        };
        Ok(Header {
            superior: superior.to_uppercase(),
            issuer: unit.name.to_uppercase(),
            number,
            place_date: chibo_rules::format_date_line(unit.place.as_deref().unwrap_or(""), on),
        })
    }

    async fn secretary_of(&self, r: &mut Reader, unit: &OrgRow) -> Result<String> {
        Ok(store::orgs::committee(r, unit.id)
            .await?
            .into_iter()
            .find(|p| p.role == "bi_thu" && p.end_date.is_none())
            .map(|p| p.member_name)
            .unwrap_or_default())
    }

    /// The report in the Party's document format: as sealed once issued.
    pub async fn report_document(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(Document, Layout)> {
        self.db
            .read(async |rd| {
                let r = self.report_in(rd, actor, id, now).await?;
                if r.row.status != "draft"
                    && let Some(p) = sealed(rd, "report", id).await?.and_then(|s| s.printed())
                {
                    return Ok((p.document, p.layout));
                }
                let on = r.row.issued_at.map(today).unwrap_or_else(|| today(now));
                let number = r
                    .row
                    .number_text
                    .clone()
                    .or_else(|| Some("Số     -BC/CB".into()));
                let mut p = self
                    .report_printed(rd, &r.unit, &r.content, number, on)
                    .await?;
                p.document.check_code = r.check_code;
                Ok((p.document, p.layout))
            })
            .await
    }

    /// A report as printed (without its check code).
    async fn report_printed(
        &self,
        r: &mut Reader,
        unit: &OrgRow,
        content: &ReportBody,
        number: Option<String>,
        on: NaiveDate,
    ) -> Result<Printed> {
        let mut body = report_blocks(content);
        if let Some(c) = &content.checkpoint {
            body.push(Block::paragraph(format!(
                "Điểm neo nhật ký của chi bộ (kiểm tra bằng chibo audit verify): chuỗi {}, mục số {}, mã băm {}, ký lúc {} bằng khóa {}; chữ ký {}.",
                c.chain,
                c.seq,
                c.hash,
                c.at.format("%d/%m/%Y %H:%M UTC"),
                c.key,
                c.sig
            )));
        }
        let document = Document {
            header: self.letterhead(r, unit, number, on).await?,
            title: "BÁO CÁO".into(),
            subject: Some(format!("kết quả công tác {}", content.figures.label)),
            body,
            signatures: vec![Signature {
                on_behalf: Some("T/M CHI BỘ".into()),
                role: "BÍ THƯ".into(),
                name: self.secretary_of(r, unit).await?,
            }],
            recipients: vec!["- Đảng ủy (để báo cáo),".into(), "- Lưu Chi bộ.".into()],
            check_code: None,
        };
        Ok(Printed {
            document,
            layout: self.layout(on),
        })
    }

    /// The roll-up of the cells under a unit (the actor's own by default)
    /// for a period (the current quarter by default), filtered and ordered
    /// as the table shows them.
    pub async fn rollup(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        period: &PeriodQuery,
        q: &TableQuery,
        now: DateTime<Utc>,
    ) -> Result<Rollup> {
        let period = period.resolve(PeriodKind::Quarter, today(now))?;
        let (unit, lines, w) = self
            .db
            .read(async |r| {
                let unit = unit_for(r, actor, unit).await?;
                if !actor.can_organise(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                let (lines, w) = self.cell_lines(r, &unit, &period, today(now)).await?;
                Ok((unit, lines, w))
            })
            .await?;
        let lines = arrange(lines, q);
        Ok(Rollup {
            totals: totals(&lines),
            as_of: w.as_of,
            lines,
            unit,
            period,
        })
    }

    pub async fn rollup_document(
        &self,
        r: &Rollup,
        now: DateTime<Utc>,
    ) -> Result<(Document, Layout)> {
        let on = today(now);
        let mut rows: Vec<Vec<String>> = r.lines.iter().map(rollup_row).collect();
        rows.push(r.total_row());
        let widths = [2, 5, 4, 3, 2, 2, 3, 2, 2, 3, 2];
        // Each cell's audit chain as it stands, signed: the upper committee
        // keeps these with the report and can hold the records against them.
        let ids: Vec<i64> = r.lines.iter().map(|l| l.id).collect();
        let anchors = self.anchors(&ids, now).await?;
        let anchor_rows: Vec<Vec<String>> = r
            .lines
            .iter()
            .filter_map(|l| {
                let c = anchors.iter().find(|c| c.chain == l.id)?;
                Some(vec![
                    l.name.clone(),
                    c.seq.to_string(),
                    format!("{}…", &c.hash[..16]),
                    format!("{}…", &c.sig[..16]),
                ])
            })
            .collect();
        let doc = Document {
            header: self
                .db
                .read(async |rd| self.letterhead(rd, &r.unit, None, on).await)
                .await?,
            title: "BÁO CÁO".into(),
            subject: Some(r.title()),
            body: vec![
                Block::paragraph(format!(
                    "Số liệu tổng hợp từ hồ sơ sinh hoạt của {} chi bộ trực thuộc, từ ngày {} đến ngày {}; công việc tính đến ngày {}.",
                    r.lines.len(),
                    format_date(r.period.start),
                    format_date(r.period.end),
                    format_date(r.as_of)
                )),
                Block::Table(Table {
                    columns: ROLLUP
                        .iter()
                        .zip(widths)
                        .map(|(c, w)| {
                            let align = if matches!(c.key, "name" | "committee") {
                                Align::Left
                            } else {
                                Align::Center
                            };
                            Column::new(c.label, w, align)
                        })
                        .collect(),
                    rows,
                }),
                Block::heading(1, "ĐIỂM NEO NHẬT KÝ CỦA CÁC CHI BỘ"),
                Block::paragraph(format!(
                    "Đầu chuỗi nhật ký của từng chi bộ lúc {}, ký bằng khóa {}… của hệ thống (đầy đủ trong nhật ký điểm neo; kiểm tra bằng chibo audit verify).",
                    now.with_timezone(&Ho_Chi_Minh)
                        .format("%H:%M ngày %d/%m/%Y"),
                    &self.anchor.public_hex()[..16]
                )),
                Block::Table(Table {
                    columns: vec![
                        Column::new("Chi bộ", 5, Align::Left),
                        Column::new("Mục số", 2, Align::Center),
                        Column::new("Mã băm", 4, Align::Left),
                        Column::new("Chữ ký", 4, Align::Left),
                    ],
                    rows: anchor_rows,
                }),
            ],
            signatures: vec![],
            recipients: vec![],
            check_code: None,
        };
        Ok((doc, self.layout(on)))
    }
}
