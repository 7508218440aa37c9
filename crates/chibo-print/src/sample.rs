//! A fictitious cell's February meeting: the documents of one dossier, for
//! tests, the bench, previews and demo data. Names and figures are invented.

use crate::model::{Align, Block, Column, Document, Header, Orientation, Signature, Span, Table};

const SUPERIOR: &str = "ĐẢNG BỘ PHƯỜNG BẾN NGHÉ";
const ISSUER: &str = "CHI BỘ KHU PHỐ 3";
const SECRETARY: &str = "Nguyễn Thị Hồng Nhung";
const MINUTE_TAKER: &str = "Trần Văn Đức";
const CHECK_CODE: &str = "3F9A-21C7";

fn header(number: Option<&str>, day: &str) -> Header {
    Header {
        superior: SUPERIOR.into(),
        issuer: ISSUER.into(),
        number: number.map(Into::into),
        place_date: format!("Bến Nghé, ngày {day} tháng 02 năm 2026"),
    }
}

fn secretary_signs() -> Vec<Signature> {
    vec![Signature {
        on_behalf: Some("T/M CHI BỘ".into()),
        role: "BÍ THƯ".into(),
        name: SECRETARY.into(),
    }]
}

fn minutes_sign() -> Vec<Signature> {
    vec![
        Signature {
            on_behalf: None,
            role: "NGƯỜI GHI BIÊN BẢN".into(),
            name: MINUTE_TAKER.into(),
        },
        Signature {
            on_behalf: None,
            role: "CHỦ TRÌ".into(),
            name: SECRETARY.into(),
        },
    ]
}

/// The monthly resolution (Nghị quyết), one page.
pub fn resolution() -> Document {
    Document {
        orientation: Orientation::Portrait,
        header: header(Some("Số 05-NQ/CB"), "05"),
        title: "NGHỊ QUYẾT".into(),
        subject: Some("về nhiệm vụ tháng 02 năm 2026".into()),
        body: vec![
            Block::paragraph(
                "Ngày 05 tháng 02 năm 2026, tại Nhà văn hóa khu phố 3, Chi bộ họp thường kỳ. \
                 Tổng số đảng viên 22 đồng chí; có mặt 20 đồng chí; vắng 2 đồng chí \
                 (có lý do 2). Chủ trì: đồng chí Nguyễn Thị Hồng Nhung, Bí thư Chi bộ; \
                 thư ký: đồng chí Trần Văn Đức.",
            ),
            Block::heading(1, "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 01 NĂM 2026"),
            Block::paragraph(
                "Đảng viên trong Chi bộ chấp hành tốt chủ trương của Đảng, chính sách, \
                 pháp luật của Nhà nước; tham gia đầy đủ các phong trào ở khu dân cư. \
                 Công tác vận động nhân dân giữ gìn vệ sinh môi trường, trật tự đô thị \
                 được thực hiện thường xuyên.",
            ),
            Block::Table(Table {
                columns: vec![
                    Column::one_line("TT", Align::Center),
                    Column::new("Nhiệm vụ theo Nghị quyết tháng 01", Align::Left),
                    Column::new("Kết quả", Align::Center),
                ],
                rows: vec![
                    vec![
                        "1".into(),
                        "Vận động thu Quỹ vì người nghèo".into(),
                        "Hoàn thành".into(),
                    ],
                    vec![
                        "2".into(),
                        "Tổng vệ sinh hẻm 42 trước Tết".into(),
                        "Hoàn thành".into(),
                    ],
                    vec![
                        "3".into(),
                        "Thăm hỏi gia đình chính sách".into(),
                        "Đang thực hiện".into(),
                    ],
                ],
            }),
            Block::heading(1, "II. NHIỆM VỤ THÁNG 02 NĂM 2026"),
            Block::bullets([
                "Tổ chức cho đảng viên học tập, quán triệt Nghị quyết của Đảng ủy phường;",
                "Phối hợp Ban điều hành khu phố bảo đảm an ninh, trật tự dịp sau Tết;",
                "Hoàn thành thu đảng phí quý I năm 2026.",
            ]),
            Block::heading(1, "III. PHÂN CÔNG THỰC HIỆN"),
            Block::Paragraph {
                spans: vec![
                    Span::plain("Đồng chí "),
                    Span::bold("Lê Thị Ánh Tuyết"),
                    Span::plain(" phụ trách công tác dân vận, báo cáo tại kỳ họp tháng 03; "),
                    Span::italic("các đảng viên"),
                    Span::plain(" thực hiện nhiệm vụ được phân công nơi cư trú."),
                ],
            },
            Block::vote_line("Nghị quyết được 20/20 đồng chí có mặt tán thành, đạt 100%."),
        ],
        signatures: secretary_signs(),
        recipients: vec![
            "- Đảng ủy phường (để báo cáo),".into(),
            "- Đồng chí đảng ủy viên phụ trách,".into(),
            "- Các đảng viên trong Chi bộ,".into(),
            "- Lưu Chi bộ.".into(),
        ],
        check_code: Some(CHECK_CODE.into()),
    }
}

/// The meeting notice (Thông báo triệu tập).
pub fn notice() -> Document {
    Document {
        orientation: Orientation::Portrait,
        header: header(Some("Số 03-TB/CB"), "01"),
        title: "THÔNG BÁO".into(),
        subject: Some("triệu tập sinh hoạt Chi bộ thường kỳ tháng 02 năm 2026".into()),
        body: vec![
            Block::paragraph(
                "Chi ủy Chi bộ khu phố 3 thông báo triệu tập đảng viên dự sinh hoạt \
                 Chi bộ thường kỳ tháng 02 năm 2026, cụ thể như sau:",
            ),
            Block::bullets([
                "Thời gian: 19 giờ 00, thứ Năm, ngày 05 tháng 02 năm 2026.",
                "Địa điểm: Nhà văn hóa khu phố 3.",
                "Nội dung: kiểm điểm việc thực hiện Nghị quyết tháng 01; bàn nhiệm vụ tháng 02.",
            ]),
            Block::paragraph(
                "Đề nghị các đồng chí đảng viên tham dự đầy đủ, đúng giờ; trường hợp vắng \
                 mặt báo cáo Bí thư Chi bộ trước buổi sinh hoạt.",
            ),
        ],
        signatures: secretary_signs(),
        recipients: vec![
            "- Đồng chí đảng ủy viên phụ trách (để dự),".into(),
            "- Các đảng viên trong Chi bộ,".into(),
            "- Lưu Chi bộ.".into(),
        ],
        check_code: Some("7B02-9E41".into()),
    }
}

/// The attendance sheet: invited versus present.
pub fn attendance() -> Document {
    let members = [
        ("Nguyễn Thị Hồng Nhung", "Có mặt", ""),
        ("Trần Văn Đức", "Có mặt", ""),
        ("Lê Thị Ánh Tuyết", "Có mặt", ""),
        ("Phạm Quốc Hưng", "Vắng có lý do", "Công tác"),
        ("Võ Minh Khôi", "Có mặt", "Đến muộn 19 giờ 20"),
        ("Đặng Thị Ngọc Ý", "Vắng có lý do", "Ốm"),
    ];
    Document {
        orientation: Orientation::Portrait,
        header: header(None, "05"),
        title: "DANH SÁCH ĐẢNG VIÊN DỰ SINH HOẠT".into(),
        subject: Some("kỳ sinh hoạt Chi bộ thường kỳ tháng 02 năm 2026".into()),
        body: vec![Block::Table(Table {
            columns: vec![
                Column::one_line("TT", Align::Center),
                Column::new("Họ và tên", Align::Left),
                Column::new("Tình trạng", Align::Center),
                Column::new("Ghi chú", Align::Left),
            ],
            rows: members
                .iter()
                .enumerate()
                .map(|(i, (name, state, note))| {
                    vec![
                        (i + 1).to_string(),
                        (*name).into(),
                        (*state).into(),
                        (*note).into(),
                    ]
                })
                .collect(),
        })],
        signatures: minutes_sign(),
        recipients: vec![],
        check_code: Some("C4D1-0A58".into()),
    }
}

/// The minutes (Biên bản), signed by the minute-taker and the chair.
pub fn minutes() -> Document {
    Document {
        orientation: Orientation::Portrait,
        header: header(Some("Số 02-BB/CB"), "05"),
        title: "BIÊN BẢN".into(),
        subject: Some("sinh hoạt Chi bộ thường kỳ tháng 02 năm 2026".into()),
        body: vec![
            Block::paragraph(
                "Thời gian: bắt đầu lúc 19 giờ 00, ngày 05 tháng 02 năm 2026. \
                 Địa điểm: Nhà văn hóa khu phố 3.",
            ),
            Block::paragraph(
                "Chủ trì: đồng chí Nguyễn Thị Hồng Nhung, Bí thư Chi bộ. \
                 Thư ký: đồng chí Trần Văn Đức.",
            ),
            Block::heading(1, "I. NỘI DUNG SINH HOẠT"),
            Block::heading(2, "1. Đánh giá kết quả thực hiện Nghị quyết tháng 01"),
            Block::paragraph("Đồng chí Bí thư báo cáo kết quả; các nhiệm vụ cơ bản hoàn thành."),
            Block::heading(2, "2. Ý kiến thảo luận"),
            Block::bullets([
                "Đồng chí Võ Minh Khôi: đề nghị sớm thăm hỏi các gia đình chính sách còn lại.",
                "Đồng chí Lê Thị Ánh Tuyết: thống nhất với dự thảo Nghị quyết.",
            ]),
            Block::heading(1, "II. KẾT LUẬN VÀ BIỂU QUYẾT"),
            Block::vote_line(
                "Chi bộ biểu quyết thông qua Nghị quyết tháng 02: 20/20 đồng chí có mặt tán thành, đạt 100%.",
            ),
            Block::paragraph(
                "Buổi sinh hoạt kết thúc lúc 21 giờ 00 cùng ngày. Biên bản đã được đọc \
                 lại cho Chi bộ nghe và nhất trí thông qua.",
            ),
        ],
        signatures: minutes_sign(),
        recipients: vec![],
        check_code: Some("5E6F-77A0".into()),
    }
}

/// The record of the meeting's open votes.
pub fn votes() -> Document {
    Document {
        orientation: Orientation::Portrait,
        header: header(None, "05"),
        title: "KẾT QUẢ BIỂU QUYẾT".into(),
        subject: Some("tại kỳ sinh hoạt Chi bộ thường kỳ tháng 02 năm 2026".into()),
        body: vec![Block::Table(Table {
            columns: vec![
                Column::new("Nội dung biểu quyết", Align::Left),
                Column::one_line("Tán thành", Align::Center),
                Column::new("Không tán thành", Align::Center),
                Column::new("Không biểu quyết", Align::Center),
                Column::new("Kết quả", Align::Center),
            ],
            rows: vec![vec![
                "Thông qua Nghị quyết tháng 02 năm 2026".into(),
                "20/20".into(),
                "0".into(),
                "0".into(),
                "Thông qua".into(),
            ]],
        })],
        signatures: minutes_sign(),
        recipients: vec![],
        check_code: Some("91BC-3D2E".into()),
    }
}

/// The whole meeting dossier, in its printing order.
pub fn dossier() -> Vec<Document> {
    vec![notice(), attendance(), minutes(), resolution(), votes()]
}
