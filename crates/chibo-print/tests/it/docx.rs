//! DOCX structure: the parts Word reads, the page set-up, the paragraphs in
//! order, the tables.

use std::io::Read;

use chibo_print::sample;

use crate::{assert_in_order, assert_nfc, docx};

/// One part of the package, as text.
pub fn part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip package");
    let mut out = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut out)
        .unwrap();
    out
}

/// The text of each `<w:p>`, in document order (table cells included).
pub fn paragraphs(xml: &str) -> Vec<String> {
    xml.split("<w:p>")
        .flat_map(|s| s.split("<w:p "))
        .skip(1)
        .map(|p| {
            let p = p.split("</w:p>").next().unwrap_or_default();
            let mut text = String::new();
            for piece in p.split("<w:t").skip(1) {
                // `<w:t>` or `<w:t xml:space="preserve">`, not `<w:tbl>`, `<w:tc>`…
                let content = match piece.as_bytes().first() {
                    Some(b'>') => &piece[1..],
                    Some(b' ') => match piece.split_once('>') {
                        Some((attrs, _)) if attrs.ends_with('/') => "",
                        Some((_, body)) => body,
                        None => "",
                    },
                    _ => continue,
                };
                text.push_str(&unescape(
                    content.split("</w:t>").next().unwrap_or_default(),
                ));
            }
            text
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn resolution_docx_has_the_official_structure() {
    let docx = docx(&sample::resolution());
    let xml = part(&docx, "word/document.xml");
    // A4 and the rule-pack margins (20/20/30/15 mm) in twips.
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "{xml}");
    for margin in [
        r#"w:top="1134""#,
        r#"w:bottom="1134""#,
        r#"w:left="1701""#,
        r#"w:right="850""#,
    ] {
        assert!(xml.contains(margin), "{margin}");
    }
    assert!(xml.contains(r#"<w:jc w:val="both"/>"#), "justified body");
    assert!(
        xml.contains("<w:titlePg"),
        "first page without a page number"
    );
    // Header table, review table, signature table.
    assert_eq!(xml.matches("<w:tbl>").count(), 3);

    let paragraphs = paragraphs(&xml);
    let all = paragraphs.join("\n");
    assert_nfc(&all);
    assert_in_order(
        &all,
        &[
            "ĐẢNG BỘ PHƯỜNG BẾN NGHÉ",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "CHI BỘ KHU PHỐ 3",
            "*",
            "Số 05-NQ/CB",
            "Bến Nghé, ngày 05 tháng 02 năm 2026",
            "NGHỊ QUYẾT",
            "về nhiệm vụ tháng 02 năm 2026",
            "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 01 NĂM 2026",
            "Nhiệm vụ theo Nghị quyết tháng 01",
            "Tổng vệ sinh hẻm 42 trước Tết",
            "- Phối hợp Ban điều hành khu phố",
            "Đồng chí Lê Thị Ánh Tuyết phụ trách",
            "Nghị quyết được 20/20 đồng chí có mặt tán thành, đạt 100%.",
            "Nơi nhận:",
            "- Lưu Chi bộ.",
            "T/M CHI BỘ",
            "BÍ THƯ",
            "Nguyễn Thị Hồng Nhung",
        ],
    );
    assert!(paragraphs.iter().any(|p| p == "Đồng chí Lê Thị Ánh Tuyết phụ trách công tác dân vận, báo cáo tại kỳ họp tháng 03; các đảng viên thực hiện nhiệm vụ được phân công nơi cư trú."));

    let styles = part(&docx, "word/styles.xml");
    assert!(
        styles.contains(r#"w:ascii="Times New Roman""#),
        "Word's font name"
    );
    assert!(styles.contains(r#"<w:sz w:val="28"/>"#), "14 pt body");
    let footers: String = (1..=2)
        .filter_map(|i| {
            let name = format!("word/footer{i}.xml");
            zip::ZipArchive::new(std::io::Cursor::new(&docx))
                .unwrap()
                .by_name(&name)
                .is_ok()
                .then(|| part(&docx, &name))
        })
        .collect();
    assert!(footers.contains("Mã kiểm tra: 3F9A-21C7"));
}

#[test]
fn minutes_docx_signs_in_two_columns() {
    let docx = docx(&sample::minutes());
    let xml = part(&docx, "word/document.xml");
    let signatures = &xml[xml.rfind("<w:tbl>").unwrap()..];
    assert_eq!(signatures.matches("<w:tc>").count(), 2);
    assert_in_order(
        &paragraphs(signatures).join("\n"),
        &[
            "NGƯỜI GHI BIÊN BẢN",
            "Trần Văn Đức",
            "CHỦ TRÌ",
            "Nguyễn Thị Hồng Nhung",
        ],
    );
}

#[test]
fn docx_files_describe_themselves_in_vietnamese() {
    let doc = sample::resolution();
    let about = chibo_print::Properties {
        title: "Nghị quyết số 05-NQ/CB về nhiệm vụ tháng 02 năm 2026".into(),
        author: "Chi bộ Khu phố 3 & <Ban>".into(),
        created: Some(chrono::DateTime::from_timestamp(1_770_266_400, 0).unwrap()),
    };
    let docx = chibo_print::render_docx(&doc, &about, &chibo_print::Layout::default()).unwrap();
    let core = part(&docx, "docProps/core.xml");
    for expected in [
        "<dc:title>Nghị quyết số 05-NQ/CB về nhiệm vụ tháng 02 năm 2026</dc:title>",
        "<dc:creator>Chi bộ Khu phố 3 &amp; &lt;Ban&gt;</dc:creator>",
        "<dc:language>vi-VN</dc:language>",
        r#"<dcterms:created xsi:type="dcterms:W3CDTF">2026-02-05T04:40:00Z</dcterms:created>"#,
        r#"<dcterms:modified xsi:type="dcterms:W3CDTF">2026-02-05T04:40:00Z</dcterms:modified>"#,
    ] {
        assert!(core.contains(expected), "{expected} missing in {core}");
    }
    assert!(
        !core.contains("unknown") && !core.contains("1970"),
        "{core}"
    );
    let styles = part(&docx, "word/styles.xml");
    assert!(styles.contains(r#"<w:lang w:val="vi-VN""#), "{styles}");
    // Without a date the file is the same, byte for byte, each time.
    assert_eq!(crate::docx(&doc), crate::docx(&doc));
}

#[test]
fn docx_tables_have_margins_fixed_columns_and_repeating_headers() {
    let doc = sample::resolution();
    let xml = part(&docx(&doc), "word/document.xml");
    let tables: Vec<&str> = xml.split("<w:tbl>").skip(1).collect();
    let review = tables[1];
    assert!(
        review.contains(r#"<w:tblLayout w:type="fixed"/>"#),
        "{review}"
    );
    assert!(
        review.contains(r#"<w:left w:w="100" w:type="dxa"/>"#)
            && review.contains(r#"<w:right w:w="100" w:type="dxa"/>"#),
        "cell margins of 5 pt: {review}"
    );
    let header_row = review.split("<w:tr>").nth(1).unwrap();
    assert!(header_row.contains("<w:tblHeader/>"), "{header_row}");
    let widths: i32 = review
        .split("<w:gridCol w:w=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse::<i32>().unwrap())
        .sum();
    // 165 mm between the margins, in twips.
    assert!(widths <= 9355 && widths > 9300, "{widths}");
    // Space after the table, headings at the margin.
    let after = &xml[xml.find("</w:tbl>").unwrap()..];
    assert!(after.contains(r#"<w:spacing w:before="0" w:after="60"/>"#));
    let heading = xml
        .split("<w:p>")
        .find(|p| p.contains("I. KẾT QUẢ"))
        .unwrap();
    assert!(!heading.contains("w:firstLine"), "{heading}");
    assert!(heading.contains("<w:keepNext/>"), "{heading}");
}

#[test]
fn a_wide_document_is_landscape_in_word_too() {
    let mut doc = sample::votes();
    doc.orientation = chibo_print::Orientation::Landscape;
    let xml = part(&docx(&doc), "word/document.xml");
    assert!(
        xml.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#),
        "{xml}"
    );
}
