//! Golden tests of the PDF: the text a reader gets back, in reading order.

use chibo_print::inspect::{self, page_texts as pages, text};
use chibo_print::{Block, Document, Layout, Properties, render_pdf, render_pdf_bundle, sample};

use crate::{assert_in_order, assert_nfc, flat, pdf};

/// The leftmost glyph origin on the first page, in points from the page's
/// left edge.
fn left_edge(pdf: &[u8]) -> f64 {
    inspect::pages(pdf)[0]
        .glyphs
        .iter()
        .map(|g| g.x)
        .fold(f64::INFINITY, f64::min)
}

/// The fonts the glyphs of all pages are drawn with.
fn fonts(pdf: &[u8]) -> std::collections::BTreeSet<String> {
    inspect::pages(pdf)
        .into_iter()
        .flat_map(|p| p.fonts)
        .collect()
}

fn dossier_properties() -> Properties {
    Properties {
        title: "Hồ sơ sinh hoạt chi bộ tháng 02 năm 2026".into(),
        author: "Chi bộ Khu phố 3".into(),
        created: None,
    }
}

const MM: f64 = 72.0 / 25.4;

#[test]
fn resolution_reads_in_the_official_order() {
    let pdf = pdf(&sample::resolution());
    assert!(pdf.starts_with(b"%PDF-"));
    let text = text(&pdf);
    assert!(
        !text.contains('\u{fffd}'),
        "a glyph without Unicode:\n{text}"
    );
    assert_nfc(&text);
    let lines: Vec<&str> = text.lines().collect();
    // The two-column header: each left line shares its baseline with the right one.
    assert_eq!(lines[0], "ĐẢNG BỘ PHƯỜNG BẾN NGHÉ ĐẢNG CỘNG SẢN VIỆT NAM");
    assert_eq!(lines[1], "CHI BỘ KHU PHỐ 3");
    assert_eq!(lines[2], "*");
    assert_eq!(lines[3], "Số 05-NQ/CB Bến Nghé, ngày 05 tháng 02 năm 2026");
    assert_eq!(lines[4], "NGHỊ QUYẾT");
    assert_eq!(lines[5], "về nhiệm vụ tháng 02 năm 2026");
    assert_in_order(
        &flat(&text),
        &[
            "Ngày 05 tháng 02 năm 2026, tại Nhà văn hóa khu phố 3, Chi bộ họp thường kỳ.",
            "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 01 NĂM 2026",
            "TT Nhiệm vụ theo Nghị quyết tháng 01 Kết quả",
            "1 Vận động thu Quỹ vì người nghèo Hoàn thành",
            "3 Thăm hỏi gia đình chính sách Đang thực hiện",
            "II. NHIỆM VỤ THÁNG 02 NĂM 2026",
            "- Tổ chức cho đảng viên học tập",
            "- Hoàn thành thu đảng phí quý I năm 2026.",
            "III. PHÂN CÔNG THỰC HIỆN",
            "Đồng chí Lê Thị Ánh Tuyết phụ trách công tác dân vận",
            "Nghị quyết được 20/20 đồng chí có mặt tán thành, đạt 100%.",
            "T/M CHI BỘ",
            "BÍ THƯ",
            "Nguyễn Thị Hồng Nhung",
            "Mã kiểm tra: 3F9A-21C7",
        ],
    );
    // "Nơi nhận" sits at the left of the signature, below "T/M CHI BỘ".
    assert_in_order(
        &flat(&text),
        &[
            "T/M CHI BỘ",
            "Nơi nhận:",
            "- Đảng ủy phường (để báo cáo),",
            "- Lưu Chi bộ.",
            "Nguyễn Thị Hồng Nhung",
        ],
    );
    assert_eq!(pages(&pdf).len(), 1, "the sample resolution fits one page");
}

#[test]
fn the_four_embedded_faces_and_only_they_are_used() {
    let pdf = pdf(&sample::resolution());
    let expected: Vec<String> = ["", "-Bold", "-BoldItalic", "-Italic"]
        .iter()
        .map(|face| format!("LiberationSerif{face}"))
        .collect();
    assert_eq!(fonts(&pdf).into_iter().collect::<Vec<_>>(), expected);
}

#[test]
fn margins_come_from_the_layout() {
    let doc = sample::resolution();
    let default = pdf(&doc);
    assert!((left_edge(&default) - 30.0 * MM).abs() < 0.5);
    let old_rules = Layout {
        margin_top_mm: 25.0,
        margin_bottom_mm: 25.0,
        margin_left_mm: 35.0,
        body_pt: 13.0,
        ..Layout::default()
    };
    let moved = render_pdf(&doc, &Properties::of(&doc), &old_rules).unwrap();
    assert!((left_edge(&moved) - 35.0 * MM).abs() < 0.5);
}

#[test]
fn long_documents_number_pages_from_two_and_carry_the_code_on_each() {
    let mut doc = sample::minutes();
    let filler = "Đồng chí phát biểu ý kiến về việc thực hiện nhiệm vụ của Chi bộ trong tháng, \
                  đề nghị tăng cường công tác kiểm tra, giám sát và vận động nhân dân.";
    doc.body.extend((0..60).map(|_| Block::paragraph(filler)));
    let pages = pages(&pdf(&doc));
    assert!(pages.len() >= 3, "{} pages", pages.len());
    assert!(
        pages[0].starts_with("ĐẢNG BỘ PHƯỜNG BẾN NGHÉ"),
        "no number on page 1"
    );
    for (i, page) in pages.iter().enumerate().skip(1) {
        let first = page.lines().next().unwrap();
        assert_eq!(
            first,
            (i + 1).to_string(),
            "page {} starts with its number",
            i + 1
        );
    }
    for page in &pages {
        assert_eq!(page.lines().last().unwrap(), "Mã kiểm tra: 5E6F-77A0");
    }
    // The two signatures share a line: minute-taker left, chair right.
    let last = pages.last().unwrap();
    assert!(last.contains("NGƯỜI GHI BIÊN BẢN CHỦ TRÌ"), "{last}");
    assert!(
        last.contains("Trần Văn Đức Nguyễn Thị Hồng Nhung"),
        "{last}"
    );
}

#[test]
fn dossier_starts_each_document_on_a_new_page() {
    let dossier = sample::dossier();
    let pdf = render_pdf_bundle(&dossier, &dossier_properties(), &Layout::default()).unwrap();
    let pages = pages(&pdf);
    let mut last_page = None;
    for doc in &dossier {
        let (at, page) = pages
            .iter()
            .enumerate()
            .find(|(_, p)| p.lines().any(|l| l == doc.title))
            .unwrap_or_else(|| panic!("{} not found", doc.title));
        assert!(
            last_page.is_none_or(|last| at > last),
            "{} out of order",
            doc.title
        );
        last_page = Some(at);
        assert!(
            page.starts_with("ĐẢNG BỘ PHƯỜNG BẾN NGHÉ"),
            "{} is not on a fresh page",
            doc.title
        );
        let code = doc.check_code.as_deref().unwrap();
        assert!(page.ends_with(&format!("Mã kiểm tra: {code}")));
    }
    let attendance = &pages[1];
    assert_in_order(
        &flat(attendance),
        &[
            "DANH SÁCH ĐẢNG VIÊN DỰ SINH HOẠT",
            "TT Họ và tên Tình trạng Ghi chú",
            "4 Phạm Quốc Hưng Vắng có lý do Công tác",
            "6 Đặng Thị Ngọc Ý Vắng có lý do Ốm",
        ],
    );
}

#[test]
fn decomposed_input_prints_as_composed_letters() {
    let mut doc = sample::resolution();
    // "Nguyễn Thị Ánh" typed with combining marks, as some phones send it.
    let decomposed = "Nguye\u{302}\u{303}n Thi\u{323} A\u{301}nh";
    doc.signatures[0].name = decomposed.into();
    let text = text(&pdf(&doc));
    assert!(text.contains("Nguyễn Thị Ánh"), "{text}");
    assert_nfc(&text);
}

#[test]
fn output_is_reproducible() {
    let doc = sample::notice();
    assert_eq!(pdf(&doc), pdf(&doc));
}

#[test]
fn bad_input_is_refused() {
    assert!(matches!(
        render_pdf_bundle(&[], &dossier_properties(), &Layout::default()),
        Err(chibo_print::PrintError::Empty)
    ));
    let mut doc: Document = sample::votes();
    if let Block::Table(t) = &mut doc.body[0] {
        t.rows[0].push("one too many".into());
    }
    let err = render_pdf(&doc, &Properties::of(&doc), &Layout::default()).unwrap_err();
    assert!(matches!(
        err,
        chibo_print::PrintError::RowTooWide {
            row: 0,
            cells: 6,
            columns: 5
        }
    ));
}

#[test]
fn sparse_documents_render() {
    let mut doc = sample::votes();
    doc.header.number = None;
    doc.subject = None;
    doc.signatures.clear();
    doc.recipients.clear();
    doc.check_code = None;
    doc.body = vec![
        Block::Paragraph { spans: vec![] },
        Block::bullets(Vec::<String>::new()),
        Block::Table(chibo_print::Table {
            columns: vec![chibo_print::Column::new(
                "Họ và tên",
                chibo_print::Align::Left,
            )],
            rows: vec![],
        }),
    ];
    let text = text(&pdf(&doc));
    assert_in_order(
        &flat(&text),
        &["CHI BỘ KHU PHỐ 3", "KẾT QUẢ BIỂU QUYẾT", "Họ và tên"],
    );
    assert!(!text.contains("Mã kiểm tra"), "{text}");
}

#[test]
fn a_newline_in_member_text_breaks_the_line() {
    let mut doc = sample::minutes();
    doc.body = vec![Block::paragraph("Ý kiến thứ nhất.\nÝ kiến thứ hai.")];
    let text = text(&pdf(&doc));
    assert!(text.lines().any(|l| l == "Ý kiến thứ nhất."), "{text}");
    assert!(text.lines().any(|l| l == "Ý kiến thứ hai."), "{text}");
}

#[test]
fn the_dossier_has_a_title_of_its_own_an_author_and_a_date() {
    let about = Properties {
        created: Some(chrono::DateTime::from_timestamp(1_770_266_400, 0).unwrap()),
        ..dossier_properties()
    };
    let pdf = render_pdf_bundle(&sample::dossier(), &about, &Layout::default()).unwrap();
    // The XMP metadata packet is plain UTF-8 XML.
    let raw = String::from_utf8_lossy(&pdf);
    let xmp = &raw[raw.find("<x:xmpmeta").expect("XMP metadata")..];
    assert!(
        xmp.contains("Hồ sơ sinh hoạt chi bộ tháng 02 năm 2026"),
        "{xmp}"
    );
    assert!(!xmp.contains("THÔNG BÁO"), "not the notice's title");
    assert!(xmp.contains("Chi bộ Khu phố 3"), "author");
    assert!(xmp.contains("2026-02-05T04:40:00"), "creation date");
    assert!(
        xmp.contains("<dc:language><rdf:Bag><rdf:li>vi</rdf:li>"),
        "language"
    );
}
