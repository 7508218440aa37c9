//! The cell's collective report (form 01-HD KĐ.ĐG, HD 43-HD/BTCTW) printed
//! in the Party's format (PDF, DOCX): the figures of the records it was
//! submitted with, the report, the tiers given, proposed and decided.

use super::cell_ratings::{CellRatingView, tier_label};
use super::documents::{FileName, Printable};
use super::evaluations::period_label;
use super::{Actor, Result, ServiceError, Services, org_for, today};
use crate::model::{format_date, group_thousands};
use chibo_print::{Block, Document, Header, Orientation, Properties, Signature};
use chrono::{DateTime, Utc};

fn title(v: &CellRatingView) -> String {
    format!(
        "BÁO CÁO KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG TẬP THỂ {}",
        period_label(&v.round).to_uppercase()
    )
}

/// The body: the form's code, the figures (I), the report (II), the
/// ratings (III).
pub fn blocks(v: &CellRatingView) -> Vec<Block> {
    let f = &v.figures;
    let e = &v.rating;
    let m = &f.members;
    let mut out = vec![
        Block::paragraph(format!("Mẫu {} — {}", v.form, v.form_title)),
        Block::heading(1, "I. SỐ LIỆU TỪ HỒ SƠ CỦA CHI BỘ"),
        Block::paragraph(format!(
            "Từ ngày {} đến ngày {}.",
            format_date(f.from),
            format_date(f.to)
        )),
        Block::bullets([
            format!(
                "Sinh hoạt thường kỳ: {}/{} buổi theo quy định; sinh hoạt chuyên đề: {}/{}; lượt dự họp: {}/{} ({}).",
                f.regular_held,
                f.regular_due,
                f.thematic_held,
                f.thematic_due,
                f.presence.present,
                f.presence.marked,
                f.meetings_citation
            ),
            format!("Nghị quyết đã thông qua: {}.", f.resolutions),
            format!(
                "Số công việc được giao: {}; hoàn thành: {}, trong đó hoàn thành đúng hạn: {}; quá hạn chưa hoàn thành: {}; chưa đến hạn: {}.",
                f.tasks_assigned, f.tasks_done, f.tasks_on_time, f.tasks_overdue, f.tasks_not_due
            ),
            format!(
                "Xếp loại đảng viên: hoàn thành xuất sắc nhiệm vụ {}; hoàn thành tốt nhiệm vụ {}; hoàn thành nhiệm vụ {}; không hoàn thành nhiệm vụ {}; miễn đánh giá {}; chưa có kết quả {}.",
                m.htxs, m.htt, m.ht, m.kht, m.exempt, m.pending
            ),
            format!(
                "Đảng phí thu trong kỳ: {} đồng; còn nợ: {} đồng ({} đảng viên).",
                group_thousands(f.dues.collected_vnd),
                group_thousands(f.dues.arrears_vnd),
                f.dues.members_in_arrears
            ),
            format!(
                "Đảng viên bị thi hành kỷ luật trong kỳ: {}, trong đó cấp ủy viên: {}.",
                f.disciplined, f.leaders_disciplined
            ),
            format!(
                "Ý kiến, kiến nghị của nhân dân tiếp nhận: {}; đã trả lời: {}; đang giải quyết: {}, trong đó quá hạn: {}.",
                f.concerns_received, f.concerns_answered, f.concerns_open, f.concerns_late
            ),
        ]),
        Block::heading(1, "II. KIỂM ĐIỂM CỦA TẬP THỂ"),
    ];
    match e.report.as_deref() {
        Some(r) => out.extend(
            r.lines()
                .filter(|l| !l.trim().is_empty())
                .map(Block::paragraph),
        ),
        None => out.push(Block::paragraph("Chi bộ chưa nộp báo cáo kiểm điểm.")),
    }
    out.push(Block::heading(1, "III. TỰ ĐÁNH GIÁ, XẾP LOẠI"));
    let mut lines = Vec::new();
    if let Some(p) = e.self_points {
        lines.push(format!("Tự chấm điểm: {p}/100."));
    }
    if let Some(t) = e.self_tier.as_deref() {
        lines.push(format!("Tự xếp loại: {}.", tier_label(Some(t))));
    }
    if let Some(x) = &v.allowed_explanation {
        lines.push(format!("Mức cao nhất theo quy định: {x}."));
    }
    if let Some(t) = e.proposed_tier.as_deref() {
        lines.push(format!("Chi bộ đề xuất: {}.", tier_label(Some(t))));
    }
    if let Some(t) = e.final_tier.as_deref() {
        let why = e
            .final_reason
            .as_deref()
            .map(|r| format!(" (lý do: {r})"))
            .unwrap_or_default();
        let on = e.decided_on.map(format_date).unwrap_or_default();
        lines.push(format!(
            "Cấp ủy cấp trên xếp loại ngày {on}: {}{why}.",
            tier_label(Some(t))
        ));
    }
    out.push(Block::bullets(lines));
    out
}

fn document(header: Header, signer: String, v: &CellRatingView) -> Document {
    Document {
        orientation: Orientation::Portrait,
        header,
        title: title(v),
        subject: Some(v.rating.cell_name.clone()),
        body: blocks(v),
        signatures: vec![Signature {
            on_behalf: Some("T/M CHI BỘ".into()),
            role: "BÍ THƯ".into(),
            name: signer,
        }],
        recipients: vec![],
        check_code: None,
    }
}

impl Services {
    /// Form 01 of a cell's rating, signed by its secretary.
    pub async fn cell_report_document(
        &self,
        actor: &Actor,
        (round_id, cell_id): (i64, i64),
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let on = today(now);
        let v = self.cell_rating(actor, round_id, cell_id, now).await?;
        let (header, signer) = self
            .db
            .read(async |r| {
                let cell = org_for(r, actor, cell_id).await?;
                if !actor.can_organise(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let header = self.letterhead(r, &cell, None, on).await?;
                let signer = self.secretary_of(r, &cell).await?;
                Ok::<_, ServiceError>((header, signer))
            })
            .await?;
        let name = FileName::of(&[
            "Báo cáo kiểm điểm tập thể",
            &v.rating.cell_name,
            &period_label(&v.round),
        ]);
        Ok(Printable {
            docs: vec![document(header, signer, &v)],
            layout: self.layout(on),
            properties: Properties {
                title: title(&v),
                author: v.rating.cell_name.clone(),
                created: Some(now),
            },
            name,
        })
    }
}
