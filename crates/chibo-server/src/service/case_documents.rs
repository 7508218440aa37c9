//! The documents the cell and the upper committee issue in a case: the
//! cell's resolution proposing admission (6-KNĐ) or recognition (13-KNĐ),
//! the đảng ủy's resolution (8-KNĐ, 15-KNĐ), the standing committee's
//! decision (9-KNĐ, 16-KNĐ) and the minutes of the admission ceremony,
//! prefilled from the case and printed in the Party format by chibo-print;
//! and the whole dossier as one PDF.
//!
//! Which forms are issued here is read from the pack: a step's document
//! signed by the cell's secretary, the đảng ủy or its standing committee
//! whose title is a resolution or a decision. Its number is given by the
//! issuing unit's register when the step is recorded (per type, over the
//! scope the pack's `doc_number_scope` says), unless the step brought the
//! number the committee gave it.

use super::cases::{CaseDetail, rules_error};
use super::documents::{FileName, Printable, bare_number, issuer_line};
use super::{Actor, Result, ServiceError, Services, org, today};
use crate::model::format_date;
use crate::store::cases::{self as db, CandidateRow, StepRow};
use crate::store::meetings::VoteRow;
use crate::store::members::MemberRow;
use crate::store::orgs::OrgRow;
use crate::store::{self, Reader, Tx, register};
use chibo_print::{Align, Block, Column, Document, Header, Orientation, Properties, Signature};
use chibo_rules::{CaseKind, Performer, Procedure, Step, StepResult};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// The ceremony's step: its minutes are the cell's own paper (no form code,
/// no number), and its date is the one printed as "ngày vào Đảng".
const CEREMONY: &str = "le_ket_nap";

/// A document a step issues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issue {
    /// The form's code ("6-KNĐ"); none for the ceremony minutes.
    pub form: Option<String>,
    /// The form's title in the pack.
    pub title: String,
    /// "NQ", "QĐ" or "BB".
    pub doc_type: &'static str,
    /// Issued by the bodies above the cell (numbered in the đảng ủy's register).
    pub upper: bool,
    /// Who signs, as the pack says.
    pub signer: Performer,
}

impl Issue {
    /// Minutes carry no number.
    fn numbered(&self) -> bool {
        self.doc_type != "BB"
    }
}

/// Which file of a case to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseFile {
    /// The document a step issued, by the step's code.
    Step(String),
    /// The list of the dossier's papers, then every document issued so far.
    Dossier,
}

impl CaseFile {
    /// `ho-so` or a step's code.
    pub fn parse(name: &str) -> CaseFile {
        match name {
            "ho-so" => CaseFile::Dossier,
            step => CaseFile::Step(step.to_owned()),
        }
    }
}

/// Everything a case's papers print, read on one snapshot.
struct Papers {
    detail: CaseDetail,
    procedure: Procedure,
    cell: OrgRow,
    upper: Option<OrgRow>,
    /// The upper unit's own superior line (its parent's name).
    upper_superior: String,
    cell_secretary: String,
    upper_secretary: String,
    candidate: Option<CandidateRow>,
    member: Option<MemberRow>,
    votes: BTreeMap<i64, VoteRow>,
}

impl Papers {
    fn person(&self) -> (String, Option<NaiveDate>, Option<String>) {
        match (&self.candidate, &self.member) {
            (Some(c), _) => (
                c.full_name.clone(),
                Some(c.date_of_birth),
                c.residence.clone(),
            ),
            (None, Some(m)) => (m.full_name.clone(), m.date_of_birth, m.residence.clone()),
            _ => (self.detail.case.person_name.clone(), None, None),
        }
    }

    fn record(&self, step: &str) -> Option<&StepRow> {
        self.detail
            .records
            .iter()
            .rev()
            .find(|r| r.step == step && r.result == StepResult::Done)
    }

    fn upper_name(&self) -> String {
        self.upper
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "cấp ủy cấp trên".into())
    }

    fn names(&self, role: Performer) -> String {
        self.detail
            .people
            .iter()
            .filter(|p| p.role == role)
            .map(|p| format!("đồng chí {}", p.full_name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// "Nghị quyết của chi bộ đề nghị kết nạp đảng viên" → "đề nghị kết nạp đảng
/// viên"; "Quyết định kết nạp đảng viên" → "về việc kết nạp đảng viên".
fn subject_of(title: &str) -> String {
    match title.find("đề nghị") {
        Some(i) => title[i..].to_owned(),
        None => {
            let rest = title
                .trim_start_matches("Quyết định")
                .trim_start_matches("Nghị quyết")
                .trim_start_matches("Biên bản")
                .trim();
            format!("về việc {rest}")
        }
    }
}

/// "18/20 (đạt 90%)" from a closed vote.
fn vote_text(v: &VoteRow) -> String {
    let base = v.base.unwrap_or(0);
    let pct = if base > 0 {
        format!(" (đạt {}%)", v.tan_thanh * 100 / base)
    } else {
        String::new()
    };
    format!(
        "Tổng số đảng viên chính thức được tính: {base}; tán thành: {}{pct}; không tán thành: {}; không biểu quyết: {}.",
        v.tan_thanh, v.khong_tan_thanh, v.khong_bieu_quyet
    )
}

impl Services {
    /// The document `step` issues under the procedure, read from the pack
    /// in force on `on`: a resolution or decision signed by the cell's
    /// secretary or a body above it, or the ceremony's minutes.
    pub(crate) fn issue_of(&self, kind: CaseKind, step: &Step, on: NaiveDate) -> Option<Issue> {
        if kind == CaseKind::KetNap && step.code.as_str() == CEREMONY {
            return Some(Issue {
                form: None,
                title: "Biên bản lễ kết nạp đảng viên".into(),
                doc_type: "BB",
                upper: false,
                signer: Performer::BiThu,
            });
        }
        let view = self.rules.pack_at(on).ok()?;
        step.documents.iter().find_map(|d| {
            let issuer = matches!(
                d.signer,
                Performer::BiThu | Performer::DangUy | Performer::BanThuongVu
            );
            if !issuer {
                return None;
            }
            d.forms.iter().find_map(|code| {
                let form = view.form(code).ok()?;
                let doc_type = if form.title.starts_with("Nghị quyết") {
                    "NQ"
                } else if form.title.starts_with("Quyết định") {
                    "QĐ"
                } else {
                    return None;
                };
                Some(Issue {
                    form: Some(code.as_str().to_owned()),
                    title: form.title.clone(),
                    doc_type,
                    upper: d.signer.is_upper(),
                    signer: d.signer,
                })
            })
        })
    }

    /// Numbers the document a step issues, in the step's transaction: the
    /// next number of its type in the issuing unit's register ("Số 03-NQ/CB"
    /// for the cell, "Số 12-QĐ/ĐU" for the đảng ủy). Recording the same step
    /// again (a vote held again) keeps the number given the first time.
    pub(crate) async fn number_case_doc(
        &self,
        tx: &mut Tx,
        cell: &OrgRow,
        case_id: i64,
        issue: &Issue,
        step: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        if !issue.numbered() {
            return Ok(None);
        }
        let on = today(now);
        let (org_id, symbol_param) = match (issue.upper, cell.parent_id) {
            (true, Some(p)) => (p, "doc_org_symbol_upper"),
            (true, None) => return Ok(None),
            (false, _) => (cell.id, "doc_org_symbol_cell"),
        };
        let symbol: String = self.rules.param(symbol_param, on).map_err(rules_error)?;
        let subject = format!("case:{case_id}:{step}");
        let key = register::Key {
            org_id,
            doc_type: issue.doc_type,
            subject: &subject,
            fingerprint: "",
        };
        if let Some(done) = register::find_in(tx, &key).await? {
            return Ok(Some(bare_number(&done.number_text).to_owned()));
        }
        let start = self.numbering_start(tx, org_id, on).await?;
        let n = store::meetings::next_number(tx, org_id, issue.doc_type, start).await?;
        let text = chibo_rules::format_doc_number(
            u32::try_from(n).unwrap_or(u32::MAX),
            issue.doc_type,
            &symbol,
        );
        register::insert(tx, &key, n, &text, now).await?;
        Ok(Some(bare_number(&text).to_owned()))
    }

    /// A case's document, or its whole dossier, ready to print. Reading a
    /// candidate's papers is a read of their personal data: it is logged.
    pub async fn case_documents(
        &self,
        actor: &Actor,
        id: i64,
        file: &CaseFile,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let p = self
            .db
            .read(async |r| self.papers(r, actor, id, today(now)).await)
            .await?;
        if let Some(c) = &p.candidate {
            db::log_candidate_access(&self.db, actor.account_id, c.id, true, now).await?;
        }
        let issued = self.issued_docs(&p);
        let docs: Vec<Document> = match file {
            CaseFile::Step(step) => {
                let (_, doc) = issued
                    .into_iter()
                    .find(|(s, _)| s == step)
                    .ok_or(ServiceError::NotFound)?;
                vec![doc]
            }
            CaseFile::Dossier => {
                let mut d = vec![self.dossier_list(&p)];
                d.extend(issued.into_iter().map(|(_, doc)| doc));
                d
            }
        };
        let first = &docs[0];
        let number = match file {
            CaseFile::Dossier => "",
            CaseFile::Step(_) => first
                .header
                .number
                .as_deref()
                .map(bare_number)
                .unwrap_or(""),
        };
        let kind_name = match file {
            CaseFile::Dossier => "Hồ sơ".to_owned(),
            CaseFile::Step(_) => first.title.clone(),
        };
        let name = FileName::of(&[
            &kind_name,
            number,
            &p.detail.case.person_name,
            &p.detail.case.opened_on.format("%Y-%m-%d").to_string(),
        ]);
        let title = match file {
            CaseFile::Dossier => format!(
                "Hồ sơ {} — {}",
                p.detail.case.kind.label_vi().to_lowercase(),
                p.detail.case.person_name
            ),
            CaseFile::Step(_) => Properties::of(first).title,
        };
        Ok(Printable {
            layout: self.layout(today(now)),
            properties: Properties {
                title,
                author: p.cell.name.clone(),
                created: Some(now),
            },
            name,
            docs,
        })
    }

    async fn papers(
        &self,
        r: &mut Reader,
        actor: &Actor,
        id: i64,
        on: NaiveDate,
    ) -> Result<Papers> {
        let detail = self.case_detail_in(r, actor, id, on).await?;
        let procedure = self
            .rules
            .procedure(detail.case.kind, detail.case.opened_on)
            .map_err(rules_error)?
            .clone();
        let cell = org(r, detail.case.cell_id).await?;
        let upper = match cell.parent_id {
            Some(p) => Some(org(r, p).await?),
            None => None,
        };
        let upper_superior = match upper.as_ref().and_then(|u| u.parent_id) {
            Some(p) => org(r, p).await?.name.to_uppercase(),
            None => String::new(),
        };
        let secretary = async |r: &mut Reader, unit: i64| -> Result<String> {
            Ok(store::orgs::committee(r, unit)
                .await?
                .into_iter()
                .find(|p| p.role == "bi_thu" && p.end_date.is_none())
                .map(|p| p.member_name)
                .unwrap_or_default())
        };
        let cell_secretary = secretary(r, cell.id).await?;
        let upper_secretary = match &upper {
            Some(u) => secretary(r, u.id).await?,
            None => String::new(),
        };
        let candidate = match detail.case.candidate_id {
            Some(c) => db::candidate(r, c).await?,
            None => None,
        };
        let member = match detail.case.member_id {
            Some(m) => store::members::get(r, m).await?,
            None => None,
        };
        let mut votes = BTreeMap::new();
        for vid in detail.records.iter().filter_map(|s| s.vote_id) {
            if let Some(v) = store::meetings::vote(r, vid).await? {
                votes.insert(vid, v);
            }
        }
        Ok(Papers {
            detail,
            procedure,
            cell,
            upper,
            upper_superior,
            cell_secretary,
            upper_secretary,
            candidate,
            member,
            votes,
        })
    }

    /// Every document issued so far, in the procedure's order, by step.
    fn issued_docs(&self, p: &Papers) -> Vec<(String, Document)> {
        p.procedure
            .steps
            .iter()
            .filter_map(|step| {
                let rec = p.record(step.code.as_str())?;
                let issue = self.issue_of(p.detail.case.kind, step, rec.on_date)?;
                Some((step.code.to_string(), self.paper(p, &issue, rec)))
            })
            .collect()
    }

    fn case_header(&self, p: &Papers, issue: &Issue, rec: &StepRow) -> Header {
        let (superior, issuer, place) = match (&p.upper, issue.upper) {
            (Some(u), true) => (p.upper_superior.clone(), issuer_line(u), u.place.clone()),
            (u, _) => (
                u.as_ref()
                    .map(|u| u.name.to_uppercase())
                    .unwrap_or_default(),
                issuer_line(&p.cell),
                p.cell.place.clone(),
            ),
        };
        let place = place.unwrap_or_else(|| p.cell.name.clone());
        Header {
            superior,
            issuer,
            number: rec.doc_number.as_ref().map(|n| format!("Số {n}")),
            place_date: chibo_rules::format_date_line(&place, rec.on_date),
        }
    }

    /// One document, prefilled from the case.
    fn paper(&self, p: &Papers, issue: &Issue, rec: &StepRow) -> Document {
        let (name, born, residence) = p.person();
        let kind = p.detail.case.kind;
        let admission = kind == CaseKind::KetNap;
        let who = if admission {
            format!("quần chúng {name}")
        } else {
            format!("đồng chí {name}")
        };
        let mut about = capitalise(&who);
        if let Some(b) = born {
            about.push_str(&format!(", sinh ngày {}", format_date(b)));
        }
        if let Some(res) = residence.filter(|r| !r.trim().is_empty()) {
            about.push_str(&format!(", nơi cư trú: {res}"));
        }
        about.push('.');
        let het_du_bi = p.detail.dates.get("het_du_bi").copied();
        let ceremony = p
            .member
            .as_ref()
            .and_then(|m| m.ceremony_date)
            .or_else(|| p.detail.dates.get("ngay_ket_nap").copied());
        let cell_resolution = p.record("chi_bo_xet");
        let cell_ref = cell_resolution
            .map(|r| {
                let n = r
                    .doc_number
                    .as_deref()
                    .map(|n| format!("số {n} "))
                    .unwrap_or_default();
                format!(
                    "Nghị quyết {n}ngày {} của Chi bộ {}",
                    format_date(r.on_date),
                    strip_cell(&p.cell.name)
                )
            })
            .unwrap_or_default();
        let purpose = if admission {
            format!("kết nạp {who} vào Đảng Cộng sản Việt Nam")
        } else {
            let from = het_du_bi
                .map(|d| format!(" kể từ ngày {}", format_date(d)))
                .unwrap_or_default();
            format!("công nhận {who} là đảng viên chính thức{from}")
        };
        let mut body = vec![Block::paragraph(format!(
            "Căn cứ Điều lệ Đảng Cộng sản Việt Nam; căn cứ {}.",
            p.procedure.source.citation()
        ))];
        let mut signatures = Vec::new();
        let mut recipients = Vec::new();
        let title;
        match issue.doc_type {
            "BB" => {
                title = "BIÊN BẢN".to_owned();
                let decision = p.record(super::cases::ADMISSION_DECISION);
                let decided = decision
                    .map(|d| {
                        let n = d
                            .doc_number
                            .as_deref()
                            .map(|n| format!("số {n} "))
                            .unwrap_or_default();
                        format!(
                            " theo Quyết định {n}ngày {} của {}",
                            format_date(d.on_date),
                            p.upper_name()
                        )
                    })
                    .unwrap_or_default();
                body.push(Block::paragraph(format!(
                    "Ngày {}, tại {}, Chi bộ {} tổ chức lễ kết nạp {who} vào Đảng Cộng sản Việt Nam{decided}.",
                    format_date(rec.on_date),
                    p.cell.place.clone().unwrap_or_else(|| p.cell.name.clone()),
                    strip_cell(&p.cell.name),
                )));
                body.push(Block::paragraph(about));
                let mut items = vec![
                    "Chào cờ (hát Quốc ca, Quốc tế ca);".to_owned(),
                    "Tuyên bố lý do, giới thiệu đại biểu;".to_owned(),
                    format!("Công bố quyết định kết nạp{decided};"),
                    format!("Đồng chí {name} đọc lời tuyên thệ;"),
                    "Đại diện chi ủy nói rõ nhiệm vụ của đảng viên, phân công đảng viên chính thức giúp đỡ;".to_owned(),
                    "Đại diện cấp ủy cấp trên phát biểu; bế mạc (chào cờ).".to_owned(),
                ];
                let intro = p.names(Performer::NguoiGioiThieu);
                if !intro.is_empty() {
                    items.push(format!("Đảng viên giới thiệu: {intro}."));
                }
                body.push(Block::heading(2, "Chương trình buổi lễ"));
                body.push(Block::bullets(items));
                let mut dates = format!(
                    "Ngày vào Đảng (ngày tổ chức lễ kết nạp): {}.",
                    format_date(rec.on_date)
                );
                if let Some(d) = decision {
                    dates.push_str(&format!(
                        " Tuổi đảng tính từ ngày ký quyết định kết nạp: {}.",
                        format_date(d.on_date)
                    ));
                }
                body.push(Block::paragraph(dates));
                if let Some(l) = &rec.late_reason {
                    body.push(Block::paragraph(format!(
                        "Lễ kết nạp tổ chức sau thời hạn quy định. Lý do: {l}"
                    )));
                }
                signatures = vec![
                    Signature {
                        on_behalf: None,
                        role: "NGƯỜI GHI BIÊN BẢN".into(),
                        name: String::new(),
                    },
                    Signature {
                        on_behalf: Some("T/M CHI BỘ".into()),
                        role: "BÍ THƯ".into(),
                        name: p.cell_secretary.clone(),
                    },
                ];
            }
            "QĐ" => {
                title = "QUYẾT ĐỊNH".to_owned();
                if !cell_ref.is_empty() {
                    let upper_res = p
                        .record("nghi_quyet_dang_uy")
                        .and_then(|r| r.doc_number.clone())
                        .map(|n| format!(" và Nghị quyết số {n} của {}", p.upper_name()))
                        .unwrap_or_default();
                    body.push(Block::paragraph(format!("Xét {cell_ref}{upper_res},")));
                }
                body.push(Block::heading(
                    1,
                    format!("BAN THƯỜNG VỤ {} QUYẾT ĐỊNH:", issuer_tail(p)),
                ));
                body.push(Block::paragraph(format!(
                    "Điều 1. {}. {about}",
                    capitalise(&purpose)
                )));
                if admission {
                    let months = self
                        .rules
                        .param::<u64>("probation_months", rec.on_date)
                        .unwrap_or(12);
                    let deadline = self
                        .rules
                        .param::<u64>("ceremony_deadline_working_days", rec.on_date)
                        .map(|d| {
                            format!(" trong thời hạn {d} ngày làm việc kể từ ngày ký quyết định")
                        })
                        .unwrap_or_default();
                    body.push(Block::paragraph(format!(
                        "Thời gian dự bị {months} tháng, kể từ ngày chi bộ tổ chức lễ kết nạp. Chi bộ {} tổ chức lễ kết nạp{deadline}.",
                        strip_cell(&p.cell.name)
                    )));
                }
                body.push(Block::paragraph(format!(
                    "Điều 2. Chi ủy Chi bộ {} và đồng chí {name} chịu trách nhiệm thi hành quyết định này.",
                    strip_cell(&p.cell.name)
                )));
                signatures.push(Signature {
                    on_behalf: Some("T/M BAN THƯỜNG VỤ".into()),
                    role: "BÍ THƯ".into(),
                    name: p.upper_secretary.clone(),
                });
                recipients = vec![
                    format!("- Chi bộ {},", strip_cell(&p.cell.name)),
                    format!("- Đồng chí {name},"),
                    "- Lưu hồ sơ đảng viên.".into(),
                ];
            }
            _ if issue.upper => {
                title = "NGHỊ QUYẾT".to_owned();
                if !cell_ref.is_empty() {
                    body.push(Block::paragraph(format!(
                        "Xét {cell_ref} và hồ sơ kèm theo,"
                    )));
                }
                body.push(Block::paragraph(about));
                body.push(Block::heading(
                    1,
                    format!(
                        "{} QUYẾT NGHỊ:",
                        issuer_line(p.upper.as_ref().unwrap_or(&p.cell))
                    ),
                ));
                body.push(Block::paragraph(format!(
                    "Đề nghị Ban Thường vụ xem xét, quyết định {purpose}."
                )));
                signatures.push(Signature {
                    on_behalf: Some("T/M ĐẢNG ỦY".into()),
                    role: "BÍ THƯ".into(),
                    name: p.upper_secretary.clone(),
                });
                recipients = vec!["- Ban Thường vụ (để quyết định),".into(), "- Lưu.".into()];
            }
            _ => {
                title = "NGHỊ QUYẾT".to_owned();
                body.push(Block::paragraph(format!(
                    "Ngày {}, Chi bộ {} họp xét {purpose}.",
                    format_date(rec.on_date),
                    strip_cell(&p.cell.name)
                )));
                body.push(Block::paragraph(about));
                let intro = p.names(Performer::NguoiGioiThieu);
                if admission && !intro.is_empty() {
                    body.push(Block::paragraph(format!("Đảng viên giới thiệu: {intro}.")));
                }
                if !admission {
                    if let Some(c) = ceremony {
                        body.push(Block::paragraph(format!(
                            "Ngày vào Đảng: {}; hết thời gian dự bị: {}.",
                            format_date(c),
                            het_du_bi.map(format_date).unwrap_or_default()
                        )));
                    }
                    let mentors = p.names(Performer::NguoiGiupDo);
                    if !mentors.is_empty() {
                        body.push(Block::paragraph(format!("Đảng viên giúp đỡ: {mentors}.")));
                    }
                }
                if let Some(v) = rec.vote_id.and_then(|id| p.votes.get(&id)) {
                    body.push(Block::vote_line(vote_text(v)));
                }
                body.push(Block::heading(1, "CHI BỘ QUYẾT NGHỊ:"));
                body.push(Block::paragraph(format!(
                    "Đề nghị {} xem xét, {purpose}.",
                    p.upper_name()
                )));
                signatures.push(Signature {
                    on_behalf: Some("T/M CHI BỘ".into()),
                    role: "BÍ THƯ".into(),
                    name: p.cell_secretary.clone(),
                });
                recipients = vec![
                    format!("- {} (để báo cáo),", p.upper_name()),
                    "- Lưu Chi bộ.".into(),
                ];
            }
        }
        let form = issue
            .form
            .as_deref()
            .map(|f| format!(" (mẫu {f})"))
            .unwrap_or_default();
        Document {
            header: self.case_header(p, issue, rec),
            orientation: Orientation::Portrait,
            title,
            subject: Some(format!("{}{form}", subject_of(&issue.title))),
            body,
            signatures,
            recipients,
            check_code: None,
        }
    }

    /// The dossier's first page: every step with its date, the forms filed
    /// and the numbers of the documents issued.
    fn dossier_list(&self, p: &Papers) -> Document {
        let mut rows = Vec::new();
        for (i, step) in p.procedure.steps.iter().enumerate() {
            let rec = p.record(step.code.as_str());
            let forms = rec
                .map(|r| {
                    serde_json::from_str::<Vec<String>>(&r.forms)
                        .unwrap_or_default()
                        .join(", ")
                })
                .unwrap_or_default();
            rows.push(vec![
                (i + 1).to_string(),
                step.label.clone(),
                rec.map(|r| format_date(r.on_date))
                    .unwrap_or_else(|| "—".into()),
                forms,
                rec.and_then(|r| r.doc_number.clone()).unwrap_or_default(),
            ]);
        }
        let (name, born, _) = p.person();
        let mut body = vec![Block::paragraph(format!(
            "{}: {name}{}. Chi bộ {}. Mở hồ sơ ngày {}; quy định áp dụng: {}; các bước theo {}.",
            p.detail.case.kind.label_vi(),
            born.map(|b| format!(", sinh ngày {}", format_date(b)))
                .unwrap_or_default(),
            strip_cell(&p.cell.name),
            format_date(p.detail.case.opened_on),
            p.detail.pack,
            p.detail.procedure_source,
        ))];
        body.push(Block::Table(chibo_print::Table {
            columns: vec![
                Column::one_line("TT", Align::Center),
                Column::new("Bước", Align::Left),
                Column::one_line("Ngày", Align::Center),
                Column::new("Biểu mẫu", Align::Left),
                Column::one_line("Số văn bản", Align::Left),
            ],
            rows,
        }));
        if let (Some(o), Some(on)) = (p.detail.case.outcome(), p.detail.case.closed_on) {
            body.push(Block::paragraph(format!(
                "Kết thúc hồ sơ ngày {}: {}.",
                format_date(on),
                o.label_vi()
            )));
        }
        let place = p.cell.place.clone().unwrap_or_else(|| p.cell.name.clone());
        Document {
            header: Header {
                superior: p
                    .upper
                    .as_ref()
                    .map(|u| u.name.to_uppercase())
                    .unwrap_or_default(),
                issuer: issuer_line(&p.cell),
                number: None,
                place_date: chibo_rules::format_date_line(&place, p.detail.case.opened_on),
            },
            orientation: Orientation::Portrait,
            title: "DANH MỤC HỒ SƠ".into(),
            subject: Some(p.detail.procedure.to_lowercase()),
            body,
            signatures: vec![Signature {
                on_behalf: Some("T/M CHI BỘ".into()),
                role: "BÍ THƯ".into(),
                name: p.cell_secretary.clone(),
            }],
            recipients: Vec::new(),
            check_code: None,
        }
    }
}

/// "Chi bộ Khu phố 3" → "Khu phố 3" (the text says "Chi bộ …" itself).
fn strip_cell(name: &str) -> &str {
    let n = name.trim();
    let head: String = n.chars().take(6).collect();
    let rest = &n[head.len()..];
    if crate::model::fold(&head) == "chi bo" && rest.starts_with(' ') {
        rest.trim()
    } else {
        n
    }
}

/// The upper unit's name after "Đảng ủy"/"Đảng bộ", in capitals.
fn issuer_tail(p: &Papers) -> String {
    p.upper.as_ref().map(issuer_line).unwrap_or_default()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_read_from_the_form_titles() {
        assert_eq!(
            subject_of("Nghị quyết của chi bộ đề nghị kết nạp đảng viên"),
            "đề nghị kết nạp đảng viên"
        );
        assert_eq!(
            subject_of("Quyết định công nhận đảng viên chính thức"),
            "về việc công nhận đảng viên chính thức"
        );
        assert_eq!(strip_cell("Chi bộ Khu phố 3"), "Khu phố 3");
        assert_eq!(strip_cell("Tổ dân phố 5"), "Tổ dân phố 5");
    }
}
