//! The decision of a discipline case (form QĐ-KL of the pack): the cell's
//! own decision on khiển trách or cảnh cáo, or the competent committee's,
//! prefilled from the case and printed in the Party format by chibo-print.
//! Printing is a read of the case: it is logged like any other.

use super::documents::{FileName, Printable, issuer_line};
use super::{Actor, Result, ServiceError, Services, org, today};
use crate::model::format_date;
use chibo_print::{Block, Document, Header, Orientation, Properties, Signature};
use chrono::{DateTime, Utc};

/// The steps that issue the decision.
const DECISIONS: [&str; 2] = ["quyet_dinh_chi_bo", "cap_tren_quyet_dinh"];

impl Services {
    /// The decision a step of the case issued, ready to print.
    pub async fn discipline_document(
        &self,
        actor: &Actor,
        id: i64,
        step: &str,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        if !DECISIONS.contains(&step) {
            return Err(ServiceError::NotFound);
        }
        let v = self.discipline_case(actor, id, now).await?;
        let rec = v
            .case
            .records
            .iter()
            .rev()
            .find(|r| r.step == step)
            .cloned()
            .ok_or(ServiceError::NotFound)?;
        let upper_issued = step == "cap_tren_quyet_dinh";
        let (cell, upper, secretary, upper_secretary, member) = self
            .db
            .read(async |r| {
                let cell = org(r, v.case.case.cell_id).await?;
                let upper = match cell.parent_id {
                    Some(p) => Some(org(r, p).await?),
                    None => None,
                };
                let secretary = async |r: &mut crate::store::Reader, unit: i64| -> Result<String> {
                    Ok(crate::store::orgs::committee(r, unit)
                        .await?
                        .into_iter()
                        .find(|p| p.role == "bi_thu" && p.end_date.is_none())
                        .map(|p| p.member_name)
                        .unwrap_or_default())
                };
                let s = secretary(r, cell.id).await?;
                let us = match &upper {
                    Some(u) => secretary(r, u.id).await?,
                    None => String::new(),
                };
                let m = crate::store::members::get(r, v.discipline.member_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                Ok::<_, ServiceError>((cell, upper, s, us, m))
            })
            .await?;
        let level = v
            .discipline
            .level()
            .or_else(|| v.discipline.voted_level())
            .ok_or(ServiceError::NotFound)?;
        let cell_name = cell.name.trim_start_matches("Chi bộ ").to_owned();
        let (superior, issuer, place) = match (&upper, upper_issued) {
            (Some(u), true) => (String::new(), issuer_line(u), u.place.clone()),
            (u, _) => (
                u.as_ref()
                    .map(|u| u.name.to_uppercase())
                    .unwrap_or_default(),
                issuer_line(&cell),
                cell.place.clone(),
            ),
        };
        let place = place.unwrap_or_else(|| cell.name.clone());
        let mut about = format!("Đồng chí {}", member.full_name);
        if let Some(b) = member.date_of_birth {
            about.push_str(&format!(", sinh ngày {}", format_date(b)));
        }
        about.push_str(&format!(", đảng viên Chi bộ {cell_name}."));
        let mut body = vec![Block::paragraph(format!(
            "Căn cứ Điều lệ Đảng Cộng sản Việt Nam; căn cứ {}.",
            v.case.procedure_source
        ))];
        if let Some(e) = &v.vote_explanation {
            body.push(Block::paragraph(format!(
                "Căn cứ kết quả bỏ phiếu kín của hội nghị chi bộ: {e}."
            )));
        }
        let who = if upper_issued {
            match &upper {
                Some(u) => u.name.to_uppercase(),
                None => "CẤP ỦY CÓ THẨM QUYỀN".into(),
            }
        } else {
            format!("CHI BỘ {}", cell_name.to_uppercase())
        };
        body.push(Block::heading(1, format!("{who} QUYẾT ĐỊNH:")));
        body.push(Block::paragraph(format!(
            "Điều 1. Thi hành kỷ luật bằng hình thức {} đối với {about}",
            level.label_vi().to_lowercase()
        )));
        body.push(Block::paragraph(format!("Lý do: {}", v.discipline.finding)));
        let handover = self
            .rules
            .param::<u64>("discipline_handover_days", rec.on_date)
            .map(|n| format!(" Quyết định được giao cho đảng viên trong thời hạn {n} ngày."))
            .unwrap_or_default();
        let complaint = self
            .rules
            .param::<u64>("discipline_complaint_months", rec.on_date)
            .map(|n| {
                format!(
                    " Đảng viên có quyền khiếu nại trong thời hạn {n} tháng kể từ ngày nhận quyết định."
                )
            })
            .unwrap_or_default();
        body.push(Block::paragraph(format!(
            "Điều 2. Quyết định có hiệu lực kể từ ngày công bố.{handover}{complaint}"
        )));
        body.push(Block::paragraph(format!(
            "Điều 3. Chi ủy Chi bộ {cell_name} và đồng chí {} chịu trách nhiệm thi hành quyết định này.",
            member.full_name
        )));
        let signature = if upper_issued {
            Signature {
                on_behalf: Some("T/M BAN THƯỜNG VỤ".into()),
                role: "BÍ THƯ".into(),
                name: upper_secretary,
            }
        } else {
            Signature {
                on_behalf: Some("T/M CHI BỘ".into()),
                role: "BÍ THƯ".into(),
                name: secretary,
            }
        };
        let doc = Document {
            header: Header {
                superior,
                issuer,
                number: rec.doc_number.as_ref().map(|n| format!("Số {n}")),
                place_date: chibo_rules::format_date_line(&place, rec.on_date),
            },
            orientation: Orientation::Portrait,
            title: "QUYẾT ĐỊNH".into(),
            subject: Some(format!(
                "về việc thi hành kỷ luật đảng viên (mẫu QĐ-KL) — {}",
                level.label_vi().to_lowercase()
            )),
            body,
            signatures: vec![signature],
            recipients: vec![
                format!("- Đồng chí {},", member.full_name),
                format!("- Chi bộ {cell_name},"),
                "- Lưu hồ sơ đảng viên.".into(),
            ],
            check_code: None,
        };
        let name = FileName::of(&[
            "Quyết định kỷ luật",
            rec.doc_number.as_deref().unwrap_or(""),
            &member.full_name,
            &rec.on_date.format("%Y-%m-%d").to_string(),
        ]);
        Ok(Printable {
            layout: self.layout(today(now)),
            properties: Properties {
                title: format!("Quyết định thi hành kỷ luật — {}", member.full_name),
                author: cell.name.clone(),
                created: Some(now),
            },
            name,
            docs: vec![doc],
        })
    }
}
