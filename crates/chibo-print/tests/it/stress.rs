//! The longest realistic data, in PDF and DOCX: no text crosses a table's
//! border, codes, dates and names are never broken inside, the signatures
//! never stand alone on a page, and tables too wide for any size still fit.

use chibo_print::inspect::{self, Page, layout_faults, office_pdfs};
use chibo_print::{Align, Block, Column, Document, Header, Orientation, Signature, Table, sample};

use crate::{docx, pdf};

/// Real names at the long end of Vietnamese usage (royal-lineage surnames,
/// compound given names).
pub const LONG_NAMES: [&str; 4] = [
    "Công Tằng Tôn Nữ Thị Hoàng Phương Khuê",
    "Nguyễn Huỳnh Thị Ngọc Phượng Hoàng Yến",
    "Hoàng Phủ Ngọc Tường Vy Anh",
    "Tôn Thất Nguyễn Phước Bửu Long",
];

fn code(i: usize) -> String {
    format!("79.001.000.000.{:03}", i + 1)
}

fn date(i: usize) -> String {
    format!("{:02}/{:02}/2026", 10 + i % 19, 1 + i % 12)
}

fn header() -> Header {
    Header {
        superior: "ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH".into(),
        issuer: "ĐẢNG ỦY PHƯỜNG BẾN NGHÉ".into(),
        number: Some("Số 127-BC/ĐU".into()),
        place_date: "Bến Nghé, ngày 05 tháng 02 năm 2026".into(),
    }
}

fn signed(body: Vec<Block>, orientation: Orientation) -> Document {
    Document {
        orientation,
        header: header(),
        title: "BÁO CÁO".into(),
        subject: Some("tổng hợp tình hình sinh hoạt chi bộ quý IV năm 2026".into()),
        body,
        signatures: vec![Signature {
            on_behalf: Some("T/M ĐẢNG ỦY".into()),
            role: "BÍ THƯ".into(),
            name: LONG_NAMES[0].into(),
        }],
        recipients: vec![
            "- Thành ủy Thành phố Hồ Chí Minh (để báo cáo),".into(),
            "- Các chi bộ trực thuộc,".into(),
            "- Lưu Văn phòng Đảng ủy.".into(),
        ],
        check_code: None,
    }
}

/// A roll-up as wide as the upper committee's: 13 columns, codes, names,
/// dates, figures, 40 cells.
fn rollup(rows: usize) -> Document {
    let one = |t: &str| Column::one_line(t, Align::Center);
    let columns = vec![
        one("Mã"),
        Column::new("Chi bộ", Align::Left),
        Column::new("Trực thuộc", Align::Left),
        one("Sinh hoạt gần nhất"),
        one("Đúng kỳ"),
        one("Số buổi"),
        one("Có mặt"),
        one("Điểm danh"),
        one("Tỷ lệ (%)"),
        one("Nghị quyết"),
        one("Hoàn thành"),
        one("Được giao"),
        one("Quá hạn"),
    ];
    let rows = (0..rows)
        .map(|i| {
            vec![
                code(i),
                format!("Chi bộ Trường Trung học phổ thông {}", LONG_NAMES[i % 4]),
                "Đảng bộ phường Bến Nghé".into(),
                date(i),
                if i % 3 == 0 { "Chậm" } else { "Có" }.into(),
                "3".into(),
                "1234".into(),
                "1250".into(),
                "99".into(),
                "12".into(),
                "120".into(),
                "125".into(),
                "5".into(),
            ]
        })
        .collect();
    signed(
        vec![
            Block::paragraph("Số liệu tổng hợp từ hồ sơ sinh hoạt của các chi bộ trực thuộc."),
            Block::Table(Table { columns, rows }),
        ],
        Orientation::Landscape,
    )
}

/// A task table: long titles and names, dates, document numbers.
fn tasks(rows: usize) -> Document {
    let columns = vec![
        Column::one_line("STT", Align::Center),
        Column::new("Nhiệm vụ", Align::Left),
        Column::new("Người phụ trách", Align::Left),
        Column::new("Người phối hợp", Align::Left),
        Column::one_line("Thời hạn", Align::Center),
        Column::one_line("Nghị quyết", Align::Center),
        Column::new("Tình trạng", Align::Left),
    ];
    let rows = (0..rows)
        .map(|i| {
            vec![
                (i + 1).to_string(),
                "Vận động nhân dân tham gia phong trào bảo vệ môi trường, giữ gìn vệ sinh khu phố"
                    .into(),
                LONG_NAMES[i % 4].into(),
                format!("{}, {}", LONG_NAMES[(i + 1) % 4], LONG_NAMES[(i + 2) % 4]),
                date(i),
                format!("Số {}-NQ/CB", 100 + i),
                "Đang thực hiện".into(),
            ]
        })
        .collect();
    signed(
        vec![Block::Table(Table { columns, rows })],
        Orientation::Portrait,
    )
}

#[track_caller]
fn assert_prints_cleanly(what: &str, doc: &Document, pdf: &[u8]) {
    if let Ok(dir) = std::env::var("DUMP") {
        std::fs::write(format!("{dir}/{what}.pdf"), pdf).unwrap();
    }
    let faults = inspect::print_faults(doc, pdf);
    assert!(faults.is_empty(), "{what}: {faults:#?}");
}

/// The page of the signature also holds the last lines of the body.
#[track_caller]
fn assert_signed_with_body(what: &str, doc: &Document, pages: &[Page]) {
    if let Err(e) = inspect::signed_with_body(doc, pages) {
        panic!("{what}: {e}");
    }
}

#[test]
fn a_forty_cell_roll_up_fits_its_landscape_pages() {
    let doc = rollup(40);
    let pdf = pdf(&doc);
    assert_prints_cleanly("roll-up", &doc, &pdf);
    let pages = inspect::pages(&pdf);
    assert!(pages.iter().all(|p| p.width > p.height), "landscape");
    // The header row repeats on every page of the table.
    for page in &pages {
        assert!(page.text().contains("Mã Chi bộ"), "{}", page.text());
    }
}

#[test]
fn a_forty_task_table_fits_a_portrait_page_width() {
    let doc = tasks(40);
    assert_prints_cleanly("task table", &doc, &pdf(&doc));
}

/// The first `n` in `lo..hi` at which `doc(n)` takes a second page: there,
/// the closing no longer fits after the body, and is most tempted to leave
/// alone.
fn second_page_at(lo: usize, hi: usize, doc: impl Fn(usize) -> Document) -> usize {
    let (mut lo, mut hi) = (lo, hi);
    assert_eq!(
        inspect::pages(&pdf(&doc(lo))).len(),
        1,
        "{lo} fits one page"
    );
    assert!(
        inspect::pages(&pdf(&doc(hi))).len() > 1,
        "{hi} takes two pages"
    );
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if inspect::pages(&pdf(&doc(mid))).len() > 1 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

#[test]
fn the_signature_never_stands_alone_whatever_the_length() {
    let filler = "Đồng chí phát biểu ý kiến về việc thực hiện nhiệm vụ của Chi bộ trong tháng, \
                  đề nghị tăng cường công tác kiểm tra, giám sát và vận động nhân dân.";
    // A body ending with a paragraph, and one ending with a table, each at
    // the lengths around the one where the closing first leaves page one.
    let paragraphs = |n: usize| {
        let mut doc = sample::resolution();
        doc.body = (0..n).map(|_| Block::paragraph(filler)).collect();
        doc.body.push(Block::paragraph(
            "Nghị quyết có hiệu lực từ ngày ký, kết thúc tại đây.",
        ));
        doc
    };
    let rows = |n: usize| {
        let mut doc = tasks(n);
        doc.body.insert(0, Block::paragraph(filler));
        doc
    };
    for (what, doc, at) in [
        (
            "paragraphs",
            &paragraphs as &dyn Fn(usize) -> Document,
            second_page_at(2, 20, paragraphs),
        ),
        ("rows", &rows, second_page_at(1, 8, rows)),
    ] {
        for n in at - 1..=at + 1 {
            let doc = doc(n);
            let pdf = pdf(&doc);
            assert_signed_with_body(&format!("{n} {what}"), &doc, &inspect::pages(&pdf));
            assert!(layout_faults(&pdf).is_empty(), "{n} {what}");
        }
    }
}

#[test]
fn a_table_too_wide_for_any_size_breaks_its_longest_words_inside_their_columns() {
    let long = "W".repeat(60);
    let columns: Vec<Column> = (0..8)
        .map(|i| Column::one_line(format!("Cột {i}"), Align::Left))
        .collect();
    let doc = signed(
        vec![Block::Table(Table {
            columns,
            rows: vec![vec![long.clone(); 8]; 3],
        })],
        Orientation::Portrait,
    );
    let pdf = pdf(&doc);
    assert!(layout_faults(&pdf).is_empty(), "{:#?}", layout_faults(&pdf));
    let text: String = inspect::text(&pdf).chars().filter(|c| *c == 'W').collect();
    assert_eq!(text.chars().count(), 60 * 8 * 3, "every letter printed");
}

#[test]
fn typed_line_breaks_and_numbered_lists_survive() {
    let mut doc = sample::minutes();
    doc.body = vec![Block::paragraph(
        "Phương hướng quý tới:\n1. Học tập Nghị quyết.\n2. Thu đảng phí đúng hạn.\n3. Thăm hỏi gia đình chính sách.",
    )];
    let text = inspect::text(&pdf(&doc));
    for line in [
        "1. Học tập Nghị quyết.",
        "2. Thu đảng phí đúng hạn.",
        "3. Thăm hỏi gia đình chính sách.",
    ] {
        assert!(
            text.lines().any(|l| l.trim() == line),
            "{line:?} not a line of its own:\n{text}"
        );
    }
}

/// The same documents opened in LibreOffice (standing in for Word): the
/// columns hold their text, nothing is broken inside a word, the header row
/// repeats, the signatures keep the body's last rows.
#[test]
fn docx_tables_print_cleanly_in_an_office_suite() {
    let docs = [
        ("roll-up", rollup(40)),
        ("task-table", tasks(40)),
        ("attendance", sample::attendance()),
    ];
    let files: Vec<(String, Vec<u8>)> =
        docs.iter().map(|(n, d)| (n.to_string(), docx(d))).collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let Some(pdfs) = office_pdfs(&refs) else {
        return;
    };
    for ((what, doc), pdf) in docs.iter().zip(&pdfs) {
        assert_prints_cleanly(&format!("{what} (LibreOffice)"), doc, pdf);
        let pages = inspect::pages(pdf);
        for (i, page) in pages.iter().enumerate() {
            let header_row = ["Mã", "STT", "TT"];
            if i > 0 && doc.body.iter().any(|b| matches!(b, Block::Table(_))) {
                assert!(
                    header_row
                        .iter()
                        .any(|h| page.text().lines().any(|l| l.starts_with(h))),
                    "{what}: no header row on page {}:\n{}",
                    i + 1,
                    page.text()
                );
            }
        }
    }
}
