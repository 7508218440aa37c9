//! The counting record of a secret ballot (biên bản kiểm phiếu), printed in
//! the Party's format from the published record: every figure comes from
//! `chibo_ballot::verify_record` on the stored bytes, and the record's hash
//! is printed so anyone can check the paper against what `chibo ballot
//! verify` checks.

use super::ballots::secret_ballot;
use super::documents::{FileName, Printable};
use super::meetings::meeting_view;
use super::{Actor, Result, ServiceError, Services};
use crate::model::{Problem, format_date};
use crate::store::ballots as db;
use chibo_ballot::{BallotSpec, Counts, Manifest, OutcomeRecord, TallyResult, verify_record};
use chibo_print::{Align, Block, Column, Document, Orientation, Properties, Signature, Table};
use chrono::{DateTime, Utc};

impl Services {
    /// The biên bản kiểm phiếu of a tallied secret ballot (decrypted, or
    /// failed for want of shares), refused before the tally.
    pub async fn ballot_count_record(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Printable> {
        let (sv, record, trustees, c) = self
            .db
            .read(async |r| {
                let (sv, _) = secret_ballot(r, actor, id).await?;
                let record = db::record(r, id).await?;
                let trustees = db::trustees(r, id).await?;
                let v = meeting_view(r, actor, sv.meeting_id).await?;
                let c = self.context(r, &v).await?;
                Ok::<_, ServiceError>((sv, record, trustees, c))
            })
            .await?;
        let not_yet = || ServiceError::invalid(Problem::new("ballot", "ballot.stage", ""));
        let record = record.ok_or_else(not_yet)?;
        let verified = verify_record(&record)
            .map_err(|e| ServiceError::Ballot("record_invalid", e.to_string()))?;
        let manifest: Manifest = sv
            .manifest
            .as_deref()
            .and_then(|m| serde_json::from_slice(m).ok())
            .ok_or_else(not_yet)?;
        let labels = labels(&manifest.ballot);
        let mut body = vec![Block::paragraph(format!(
            "Ngày {}, tại {}, Ban kiểm phiếu do hội nghị {} bầu, gồm các đồng chí: {}, đã kiểm phiếu bầu kín \"{}\".",
            format_date(c.day),
            c.place,
            c.unit,
            trustees
                .iter()
                .map(|t| t.full_name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            sv.title
        ))];
        match &verified.result {
            TallyResult::Decrypted { counts, outcome } => {
                body.extend(count_blocks(counts, outcome, &labels));
                if let Some(text) = &sv.explanation {
                    body.push(Block::paragraph(text.clone()));
                }
            }
            TallyResult::Failed { shares, needed } => {
                body.push(Block::paragraph(format!(
                    "Ban kiểm phiếu chỉ gửi được {shares}/{needed} phần giải mã cần thiết: không giải mã được kết quả, cuộc bỏ phiếu phải tiến hành lại bằng phiếu giấy theo quy chế."
                )));
            }
        }
        body.push(Block::paragraph(format!(
            "Mã kiểm tra của biên bản điện tử (SHA-256): {}. Hộp phiếu đã đóng: {}. Mọi người đều kiểm tra được kết quả bằng lệnh \"chibo ballot verify\" trên biên bản điện tử công bố tại /api/v1/ballots/{}/record; mỗi đảng viên tìm thấy mã phiếu của mình trên bảng phiếu.",
            verified.record_hash.to_hex(),
            verified.board_hash.to_hex(),
            sv.id
        )));
        let mut signatures: Vec<Signature> = trustees
            .iter()
            .enumerate()
            .map(|(i, t)| Signature {
                on_behalf: None,
                role: if i == 0 {
                    "TRƯỞNG BAN KIỂM PHIẾU".into()
                } else {
                    "THÀNH VIÊN".into()
                },
                name: t.full_name.clone(),
            })
            .collect();
        signatures.truncate(3);
        let document = Document {
            orientation: Orientation::Portrait,
            header: Self::header(&c, None),
            title: "BIÊN BẢN KIỂM PHIẾU".into(),
            subject: Some(sv.title.clone()),
            body,
            signatures,
            recipients: vec!["- Lưu Chi bộ.".into()],
            check_code: None,
        };
        let day = c.day.format("%Y-%m-%d").to_string();
        Ok(Printable {
            docs: vec![document],
            layout: c.layout.clone(),
            properties: Properties {
                title: format!("Biên bản kiểm phiếu {}", sv.title),
                author: c.unit.clone(),
                created: Some(now),
            },
            name: FileName::of(&["Biên bản kiểm phiếu", &c.unit, &day]),
        })
    }
}

/// The names on the ballot, in ballot order.
fn labels(spec: &BallotSpec) -> Vec<String> {
    match spec {
        BallotSpec::SingleChoice { options } => options.iter().map(|o| o.label.clone()).collect(),
        BallotSpec::StrikeOut { candidates, .. } => candidates.clone(),
    }
}

/// The figures of the count, the votes per name and the outcome.
fn count_blocks(counts: &Counts, outcome: &OutcomeRecord, labels: &[String]) -> Vec<Block> {
    let issued = counts.issued.phone + counts.issued.paper;
    let received = counts.cast.phone + counts.cast.paper + counts.paper_invalid;
    let mut blocks = vec![
        Block::bullets([
            format!(
                "Số đảng viên được tính để xác định kết quả (cơ sở tính): {}; số phiếu cần đạt: {}.",
                outcome.base, outcome.needed
            ),
            format!(
                "Số phiếu phát ra: {issued} ({} trên điện thoại, {} phiếu giấy).",
                counts.issued.phone, counts.issued.paper
            ),
            format!(
                "Số phiếu thu vào: {received} ({} trên điện thoại, {} phiếu giấy).",
                counts.cast.phone,
                counts.cast.paper + counts.paper_invalid
            ),
            format!("Số phiếu hợp lệ: {}.", counts.valid),
            format!(
                "Số phiếu không hợp lệ: {} ({} phiếu gạch hết tên, {} phiếu giấy không hợp lệ).",
                counts.invalid, counts.all_struck, counts.paper_invalid
            ),
        ]),
        Block::Table(Table {
            columns: vec![
                Column::one_line("TT", Align::Center),
                Column::new("Họ và tên / phương án", Align::Left),
                Column::one_line("Số phiếu", Align::Right),
                Column::one_line("Tỷ lệ / cơ sở tính", Align::Right),
                Column::one_line("Tỷ lệ / phiếu hợp lệ", Align::Right),
            ],
            rows: labels
                .iter()
                .zip(&counts.options)
                .enumerate()
                .map(|(i, (name, n))| {
                    vec![
                        (i + 1).to_string(),
                        name.clone(),
                        n.to_string(),
                        percent(*n, outcome.base),
                        percent(*n, counts.valid),
                    ]
                })
                .collect(),
        }),
    ];
    if !outcome.elected.is_empty() {
        blocks.push(Block::paragraph(format!(
            "Các đồng chí trúng cử (quá một nửa cơ sở tính): {}.",
            outcome.elected.join(", ")
        )));
    }
    if outcome.revote {
        blocks.push(Block::paragraph(format!(
            "Các đồng chí có số phiếu bằng nhau ở suất cuối: {}; bầu tiếp trong số các đồng chí này.",
            outcome.tied_at_last_seat.join(", ")
        )));
    }
    blocks
}

/// "54,55%": a share of `of`, two decimals, Vietnamese comma.
fn percent(n: u32, of: u32) -> String {
    if of == 0 {
        return "—".into();
    }
    let hundredths = (u64::from(n) * 10_000 + u64::from(of) / 2) / u64::from(of);
    format!("{},{:02}%", hundredths / 100, hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percent_is_rounded_to_hundredths_with_a_comma() {
        assert_eq!(percent(6, 11), "54,55%");
        assert_eq!(percent(5, 5), "100,00%");
        assert_eq!(percent(1, 0), "—");
    }
}
