//! End-to-end tests on files built here: the shapes real secretaries' files
//! take, and the files that must be refused.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use unicode_normalization::UnicodeNormalization;

use super::*;

/// The member columns, as the server passes them.
const MEMBER: &[ColumnSpec] = &[
    ColumnSpec {
        key: "ho_ten",
        label: "Họ và tên",
        aliases: &["Họ tên", "Họ và tên đảng viên", "Tên đảng viên"],
    },
    ColumnSpec {
        key: "ten_goi_khac",
        label: "Tên gọi khác",
        aliases: &[],
    },
    ColumnSpec {
        key: "gioi_tinh",
        label: "Giới tính",
        aliases: &[],
    },
    ColumnSpec {
        key: "ngay_sinh",
        label: "Ngày sinh",
        aliases: &["Ngày tháng năm sinh"],
    },
    ColumnSpec {
        key: "dan_toc",
        label: "Dân tộc",
        aliases: &[],
    },
    ColumnSpec {
        key: "so_dinh_danh",
        label: "Số định danh cá nhân",
        aliases: &["Số CCCD", "CCCD", "Số căn cước"],
    },
    ColumnSpec {
        key: "so_the",
        label: "Số thẻ đảng viên",
        aliases: &["Số thẻ", "Số thẻ đảng"],
    },
    ColumnSpec {
        key: "ngay_vao_dang",
        label: "Ngày vào Đảng",
        aliases: &["Ngày kết nạp"],
    },
    ColumnSpec {
        key: "dia_chi",
        label: "Nơi cư trú",
        aliases: &["Địa chỉ"],
    },
];

const NAME: &[&str] = &["ho_ten"];

fn save(fill: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
    let mut book = Workbook::new();
    fill(book.add_worksheet());
    book.save_to_buffer().unwrap()
}

fn nfd(s: &str) -> String {
    s.nfd().collect()
}

/// A secretary's own sheet: two title lines and a blank row above a header
/// that starts in column B and spells names its own way, a row of column
/// numbers, Excel dates, numbers, NFD text and blank rows.
fn secretary_workbook() -> Vec<u8> {
    save(|ws| {
        let date = Format::new().set_num_format("dd/mm/yyyy");
        let date_time = Format::new().set_num_format("dd/mm/yyyy hh:mm");
        let title = "DANH SÁCH ĐẢNG VIÊN CHI BỘ KHU PHỐ 3";
        ws.write(0, 1, title).unwrap();
        ws.write(1, 1, "(Kèm theo báo cáo ngày 05/01/2026)")
            .unwrap();
        let header = [
            "STT",
            "HỌ VÀ TÊN (*)",
            "Ngay thang nam sinh",
            "giới tính:",
            "Số CCCD",
            "so the dang",
            "Ngày kết nạp",
            "Ghi chú khác",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write(3, 1 + c as u16, *h).unwrap();
            ws.write(4, 1 + c as u16, format!("({})", c + 1)).unwrap();
        }
        // Row 6: NFD name, date cells, ID typed as text with a leading zero.
        ws.write(5, 1, 1).unwrap();
        ws.write(5, 2, nfd("Nguyễn Văn Đạt")).unwrap();
        let born = ExcelDateTime::from_ymd(1975, 4, 30).unwrap();
        ws.write_datetime_with_format(5, 3, &born, &date).unwrap();
        ws.write(5, 4, "Nam").unwrap();
        ws.write(5, 5, "001075012345").unwrap();
        ws.write(5, 6, "093012345678").unwrap();
        let admitted = ExcelDateTime::from_ymd(2001, 2, 3)
            .unwrap()
            .and_hms(14, 30, 0)
            .unwrap();
        ws.write_datetime_with_format(5, 7, &admitted, &date_time)
            .unwrap();
        // Row 7 is blank except for its running number: skipped.
        ws.write(6, 1, 2).unwrap();
        // Row 8: dates typed as text, an ID typed as a number.
        ws.write(7, 1, 3).unwrap();
        ws.write(7, 2, "  Trần Thị Ánh\u{a0}").unwrap();
        ws.write(7, 3, "07/11/1990").unwrap();
        ws.write(7, 4, "Nữ").unwrap();
        ws.write(7, 5, 12345).unwrap();
        ws.write(7, 8, "chuyển đến").unwrap();
    })
}

#[test]
fn reads_a_secretarys_workbook() {
    let table = read_table(&secretary_workbook(), "ds.xlsx", MEMBER, NAME).unwrap();
    assert_eq!(table.format, SheetFormat::Xlsx);
    assert_secretary_table(&table);
}

/// The same workbook saved by LibreOffice Calc 7.4 as XLS, ODS and XLSX
/// (`soffice --headless --convert-to xls|ods|xlsx`): no Rust crate writes
/// XLS or ODS, and LibreOffice's XLSX differs from rust_xlsxwriter's.
#[test]
fn reads_the_workbook_as_saved_by_libreoffice() {
    for (file, format) in [
        ("secretary.xls", SheetFormat::Xls),
        ("secretary.ods", SheetFormat::Ods),
        ("secretary-libreoffice.xlsx", SheetFormat::Xlsx),
    ] {
        let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap();
        // The name says nothing: the content decides.
        let table = read_table(&bytes, "upload", MEMBER, NAME).unwrap();
        assert_eq!(table.format, format, "{file}");
        assert_secretary_table(&table);
    }
}

fn assert_secretary_table(table: &Table) {
    assert_eq!(table.sheet_name.as_deref(), Some("Sheet1"));
    assert_eq!(table.header_row, 4);
    let found: Vec<_> = table
        .columns
        .iter()
        .map(|c| (c.key, c.column_letter.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("ho_ten", "C"),
            ("ngay_sinh", "D"),
            ("gioi_tinh", "E"),
            ("so_dinh_danh", "F"),
            ("so_the", "G"),
            ("ngay_vao_dang", "H"),
        ]
    );
    assert_eq!(table.columns[0].header_text, "HỌ VÀ TÊN (*)");
    let ignored: Vec<_> = table
        .ignored_headers
        .iter()
        .map(|c| (c.header_text.as_str(), c.column_letter.as_str()))
        .collect();
    assert_eq!(ignored, [("STT", "B"), ("Ghi chú khác", "I")]);
    assert_eq!(table.column("so_the").unwrap().column_letter, "G");

    let numbers: Vec<_> = table.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [6, 8]);
    let first = &table.rows[0];
    assert_eq!(first.get("ho_ten"), Some("Nguyễn Văn Đạt"));
    assert_eq!(
        first.get("ho_ten").unwrap(),
        "Nguyễn Văn Đạt".nfc().collect::<String>()
    );
    assert_eq!(first.get("ngay_sinh"), Some("30/04/1975"));
    assert_eq!(first.get("gioi_tinh"), Some("Nam"));
    assert_eq!(first.get("so_dinh_danh"), Some("001075012345"));
    assert_eq!(first.get("so_the"), Some("093012345678"));
    assert_eq!(first.get("ngay_vao_dang"), Some("03/02/2001"));
    assert_eq!(first.get("dan_toc"), None);
    let second = &table.rows[1];
    assert_eq!(second.get("ho_ten"), Some("Trần Thị Ánh"));
    assert_eq!(second.get("ngay_sinh"), Some("07/11/1990"));
    assert_eq!(second.get("so_dinh_danh"), Some("12345"));
    assert_eq!(second.get("so_the"), None);
    assert_eq!(
        second.cells,
        [
            Some("Trần Thị Ánh".into()),
            Some("07/11/1990".into()),
            Some("Nữ".into()),
            Some("12345".into()),
            None,
            None
        ]
    );
}

#[test]
fn skips_sheets_without_the_header() {
    let mut book = Workbook::new();
    let guide = book.add_worksheet().set_name("Hướng dẫn").unwrap();
    guide.write(0, 0, "Điền mỗi đảng viên một dòng").unwrap();
    book.add_worksheet().set_name("Trống").unwrap();
    let hidden = book.add_worksheet().set_name("Ẩn").unwrap();
    hidden.write(0, 0, "Họ tên").unwrap();
    hidden.write(1, 0, "Người ẩn").unwrap();
    hidden.set_hidden(true);
    let data = book.add_worksheet().set_name("Đảng viên").unwrap();
    data.write(0, 0, "Họ tên").unwrap();
    data.write(1, 0, "Lê Văn Bình").unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let table = read_table(&bytes, "ds.xlsx", MEMBER, NAME).unwrap();
    assert_eq!(table.sheet_name.as_deref(), Some("Đảng viên"));
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].get("ho_ten"), Some("Lê Văn Bình"));
    assert_eq!(table.rows[0].number, 2);
}

#[test]
fn reads_csv_with_semicolons_and_bom() {
    // Excel's "CSV UTF-8" where `,` is the decimal mark: `;` between fields,
    // commas inside addresses, a title line, CRLF, a blank line.
    let text = "\u{feff}DANH SÁCH ĐẢNG VIÊN;;;\r\n\
                ;;;\r\n\
                STT;Họ và tên;Ngày sinh;Số thẻ đảng viên;Địa chỉ\r\n\
                1;Phạm Thị Hoa;01/02/1960;000111222333;Tổ 5, khu phố 3, phường Bến Nghé\r\n\
                \r\n\
                2;\"Võ Văn \"\"Tư\"\"\";;;\r\n";
    let table = read_table(text.as_bytes(), "ds.csv", MEMBER, NAME).unwrap();
    assert_eq!(table.format, SheetFormat::Csv);
    assert_eq!(table.sheet_name, None);
    assert_eq!(table.header_row, 3);
    let keys: Vec<_> = table.columns.iter().map(|c| c.key).collect();
    assert_eq!(keys, ["ho_ten", "ngay_sinh", "so_the", "dia_chi"]);
    assert_eq!(table.rows.len(), 2);
    let hoa = &table.rows[0];
    assert_eq!(hoa.number, 4);
    assert_eq!(hoa.get("so_the"), Some("000111222333"));
    assert_eq!(hoa.get("dia_chi"), Some("Tổ 5, khu phố 3, phường Bến Nghé"));
    assert_eq!(table.rows[1].number, 6);
    assert_eq!(table.rows[1].get("ho_ten"), Some("Võ Văn \"Tư\""));
    assert_eq!(table.rows[1].get("ngay_sinh"), None);
}

#[test]
fn reads_csv_with_commas_and_tabs() {
    let comma = format!("Họ tên,Giới tính\n{},Nữ\n", nfd("Đỗ Thị Thủy"));
    let table = read_table(comma.as_bytes(), "upload", MEMBER, NAME).unwrap();
    assert_eq!(table.rows[0].get("ho_ten"), Some("Đỗ Thị Thủy"));
    assert_eq!(table.rows[0].get("gioi_tinh"), Some("Nữ"));

    // Excel's "Unicode Text": UTF-16LE with a BOM, tab-separated.
    let tsv = "Họ tên\tSố CCCD\r\nHồ Văn Nam\t079201000001\r\n";
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(tsv.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let table = read_table(&bytes, "ds.txt", MEMBER, NAME).unwrap();
    assert_eq!(table.rows[0].get("so_dinh_danh"), Some("079201000001"));
}

#[test]
fn refuses_what_is_not_a_spreadsheet() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj";
    let zip = b"PK\x03\x04\x14\0\0\0\x08\0garbage";
    let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0\0\0\0\0";
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let html = b"<html><body><table><tr><td>H\xE1\xBB\x8D t\xC3\xAAn</td></tr></table>";
    for (bytes, name) in [
        (&png[..], "anh.png"),
        (&png[..], "ds.xlsx"),
        (&pdf[..], "ds.csv"),
        (&zip[..], "ds.xlsx"),
        (&ole[..], "ds.xls"),
        (&noise[..], "ds.csv"),
        (&html[..], "ds.csv"),
        (&b"Ho ten\nA\n"[..], "ds.xlsx"),
    ] {
        let got = read_table(bytes, name, MEMBER, NAME);
        assert_eq!(
            got,
            Err(SheetError::NotASpreadsheet),
            "{name} {:?}",
            &bytes[..4]
        );
    }
    // Windows-1258 text is a CSV, but its letters cannot be trusted.
    let ansi = b"H\xE4 t\xEAn\r\nNguy\xEAn\r\n";
    assert_eq!(
        read_table(ansi, "ds.csv", MEMBER, NAME),
        Err(SheetError::NotUtf8)
    );
}

#[test]
fn refuses_empty_files() {
    for (bytes, name) in [
        (&b""[..], "ds.csv"),
        (&b""[..], "ds.xlsx"),
        (&b"\xEF\xBB\xBF \r\n\t\r\n"[..], "ds.csv"),
        (&b";;;\r\n,,\r\n"[..], "ds.csv"),
    ] {
        let got = read_table(bytes, name, MEMBER, NAME);
        let expected = if bytes.starts_with(b";") {
            // Delimiters alone are text without a header.
            Err(SheetError::MissingColumns(vec!["Họ và tên".into()]))
        } else {
            Err(SheetError::Empty)
        };
        assert_eq!(got, expected, "{name} {bytes:?}");
    }
    let blank_book = save(|ws| {
        ws.write(3, 3, "   ").unwrap();
    });
    assert_eq!(
        read_table(&blank_book, "ds.xlsx", MEMBER, NAME),
        Err(SheetError::Empty)
    );
}

#[test]
fn names_the_missing_required_columns() {
    let book = save(|ws| {
        ws.write(0, 0, "DANH SÁCH").unwrap();
        ws.write(2, 0, "Ngày sinh").unwrap();
        ws.write(2, 1, "Số thẻ").unwrap();
        ws.write(3, 0, "01/01/1970").unwrap();
    });
    let err = read_table(&book, "ds.xlsx", MEMBER, NAME).unwrap_err();
    assert_eq!(err, SheetError::MissingColumns(vec!["Họ và tên".into()]));
    assert_eq!(err.to_string(), "Không tìm thấy cột bắt buộc: Họ và tên");
    assert_eq!(err.code(), "sheet.missing_columns");

    let csv = "Ngày sinh;Giới tính\n01/01/1970;Nam\n";
    let err = read_table(csv.as_bytes(), "ds.csv", MEMBER, &["ho_ten", "so_the"]).unwrap_err();
    assert_eq!(
        err,
        SheetError::MissingColumns(vec!["Họ và tên".into(), "Số thẻ đảng viên".into()])
    );
}

/// Every member column, with what is hard to keep: NFC names, leading
/// zeros, dates as text, empty cells, commas, quotes, line breaks.
fn member_rows() -> Vec<Vec<Option<String>>> {
    let s = |v: &str| Some(v.to_owned());
    vec![
        vec![
            s("Nguyễn Văn Đạt"),
            None,
            s("Nam"),
            s("30/04/1975"),
            s("Kinh"),
            s("001075012345"),
            s("093012345678"),
            s("03/02/2001"),
            s("Số 12, ngõ 3, phố Hàng Bạc"),
        ],
        vec![
            s("Hà Thị \"Út\" Nhỏ"),
            s("Út"),
            s("Nữ"),
            s("01/01/1950"),
            s("Tày"),
            None,
            s("000000000001"),
            None,
            s("Bản Phiêng\nxã Chiềng Ngần"),
        ],
        vec![
            s("Ông Ích Khiêm"),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
    ]
}

#[test]
fn xlsx_export_reads_back_unchanged() {
    let rows = member_rows();
    for title in [Some("DANH SÁCH ĐẢNG VIÊN CHI BỘ KHU PHỐ 3"), None] {
        let bytes = write_xlsx(title, MEMBER, &rows).unwrap();
        let table = read_table(&bytes, "export.xlsx", MEMBER, NAME).unwrap();
        assert_eq!(table.header_row, if title.is_some() { 3 } else { 1 });
        let keys: Vec<_> = table.columns.iter().map(|c| c.key).collect();
        let all: Vec<_> = MEMBER.iter().map(|c| c.key).collect();
        assert_eq!(keys, all);
        assert!(table.ignored_headers.is_empty());
        let got: Vec<_> = table.rows.iter().map(|r| r.cells.clone()).collect();
        assert_eq!(got, rows);
        let first = if title.is_some() { 4 } else { 2 };
        let numbers: Vec<_> = table.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [first, first + 1, first + 2]);
    }
}

#[test]
fn csv_export_reads_back_unchanged() {
    let rows = member_rows();
    let bytes = write_csv(MEMBER, &rows);
    assert!(bytes.starts_with(b"\xEF\xBB\xBFH\xE1\xBB\x8D v\xC3\xA0 t\xC3\xAAn,"));
    let table = read_table(&bytes, "export.csv", MEMBER, NAME).unwrap();
    let got: Vec<_> = table.rows.iter().map(|r| r.cells.clone()).collect();
    assert_eq!(got, rows);
    // The row after the two-line address is still numbered as Excel shows it.
    let numbers: Vec<_> = table.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [2, 3, 4]);
}

#[test]
fn export_refuses_what_excel_cannot_hold() {
    let long = vec![vec![Some("x".repeat(32_768))]];
    assert_eq!(write_xlsx(None, MEMBER, &long), Err(SheetError::TooLarge));
    assert!(write_xlsx(None, &[], &[]).is_ok());
}

/// A test-size version of the 300,000-row benchmark (examples/sheet_bench.rs).
#[test]
fn round_trips_thousands_of_rows() {
    let rows: Vec<Vec<Option<String>>> = (0..5_000)
        .map(|i| {
            let mut row = member_rows()[i % 3].clone();
            row[6] = Some(format!("{i:012}"));
            row
        })
        .collect();
    let bytes = write_xlsx(Some("Danh sách"), MEMBER, &rows).unwrap();
    let table = read_table(&bytes, "big.xlsx", MEMBER, NAME).unwrap();
    assert_eq!(table.rows.len(), rows.len());
    assert!(
        table
            .rows
            .iter()
            .zip(&rows)
            .all(|(got, want)| got.cells == *want)
    );
    assert_eq!(table.rows.last().unwrap().number, 3 + rows.len());
}

/// A zip holding these files, stored uncompressed.
fn zipped(files: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in files {
        out.start_file(*name, stored).unwrap();
        out.write_all(content.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#;

#[test]
fn reads_an_ods_from_libreoffice() {
    let cell = |attrs: &str, text: &str| {
        format!("<table:table-cell {attrs}><text:p>{text}</text:p></table:table-cell>")
    };
    let string = |text: &str| cell(r#"office:value-type="string""#, text);
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>
<table:table table:name="Đảng viên">
<table:table-row>{title}</table:table-row>
<table:table-row>{h1}{h2}{h3}</table:table-row>
<table:table-row>{name}{born}{id}</table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#,
        title = string("DANH SÁCH ĐẢNG VIÊN"),
        h1 = string("Họ tên"),
        h2 = string("Ngày sinh"),
        h3 = string("CCCD"),
        name = string(&nfd("Lò Văn Pảo")),
        born = cell(
            r#"office:value-type="date" office:date-value="1975-04-30""#,
            "30/04/1975"
        ),
        id = cell(r#"office:value-type="float" office:value="12345""#, "12345"),
    );
    let bytes = zipped(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", MANIFEST),
        ("content.xml", &content),
    ]);
    let table = read_table(&bytes, "ds.ods", MEMBER, NAME).unwrap();
    assert_eq!(table.format, SheetFormat::Ods);
    assert_eq!(table.sheet_name.as_deref(), Some("Đảng viên"));
    assert_eq!(table.header_row, 2);
    let row = &table.rows[0];
    assert_eq!(row.number, 3);
    assert_eq!(row.get("ho_ten"), Some("Lò Văn Pảo"));
    assert_eq!(row.get("ngay_sinh"), Some("30/04/1975"));
    assert_eq!(row.get("so_dinh_danh"), Some("12345"));
}

#[test]
fn refuses_a_zip_that_is_not_a_workbook() {
    let docx = zipped(&[
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", "<w:document/>"),
    ]);
    assert_eq!(
        read_table(&docx, "ds.xlsx", MEMBER, NAME),
        Err(SheetError::NotASpreadsheet)
    );
}

/// The workbook encrypted with the password "matkhau", as Excel does
/// (`msoffcrypto-tool -e -p matkhau`): an OLE container, not a zip.
#[test]
fn refuses_a_password_protected_workbook() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/encrypted.xlsx");
    let bytes = std::fs::read(path).unwrap();
    let err = read_table(&bytes, "ds.xlsx", MEMBER, NAME).unwrap_err();
    assert_eq!(err, SheetError::Encrypted);
    assert_eq!(err.code(), "sheet.encrypted");
}

/// A member list as the cell files it: a header, the members, then the
/// footer with the count, the place and date (in the birth-date column),
/// the signers' titles and their names (which look like members).
#[test]
fn the_footer_is_neither_a_member_nor_an_error() {
    let bytes = save(|ws| {
        let header = ["STT", "Họ và tên", "Ngày sinh", "Số thẻ"];
        for (c, h) in header.iter().enumerate() {
            ws.write(0, c as u16, *h).unwrap();
        }
        for (r, name) in [
            "Nguyễn Văn An",
            "Trần Thị Bình",
            "Lê Văn Cường",
            "Phạm Thị Dung",
        ]
        .iter()
        .enumerate()
        {
            let r = 1 + r as u32;
            ws.write(r, 0, r).unwrap();
            ws.write(r, 1, *name).unwrap();
            ws.write(r, 2, format!("0{r}/01/1970")).unwrap();
        }
        ws.write(6, 1, "Tổng số: 4 đảng viên").unwrap();
        ws.write(7, 2, "Phường 5, ngày 05 tháng 01 năm 2026")
            .unwrap();
        ws.write(8, 1, "Người lập biểu").unwrap();
        ws.write(8, 3, "T/M CHI BỘ - BÍ THƯ").unwrap();
        ws.write(9, 1, "(Ký, ghi rõ họ tên)").unwrap();
        ws.write(12, 1, "Võ Thị Thu").unwrap();
        ws.write(12, 3, "Hoàng Văn Nam").unwrap();
    });
    let table = read_table(&bytes, "ds.xlsx", MEMBER, NAME).unwrap();
    let names: Vec<_> = table
        .rows
        .iter()
        .map(|r| r.get("ho_ten").unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Nguyễn Văn An",
            "Trần Thị Bình",
            "Lê Văn Cường",
            "Phạm Thị Dung"
        ]
    );
    let footer = table.footer.expect("footer found");
    assert_eq!(footer.row, 7);
    assert_eq!(footer.stated_total, Some(4));
    assert_eq!(
        footer.lines,
        [
            "Tổng số: 4 đảng viên",
            "Phường 5, ngày 05 tháng 01 năm 2026",
            "Người lập biểu · T/M CHI BỘ - BÍ THƯ",
            "(Ký, ghi rõ họ tên)",
            "Võ Thị Thu · Hoàng Văn Nam",
        ]
    );
}

/// "Ngày vào Đảng" merged over "Dự bị" and "Chính thức", the other headers
/// merged down over both rows, a row of column numbers under them.
#[test]
fn reads_a_two_row_header_with_merged_cells() {
    let bytes = save(|ws| {
        let plain = Format::new();
        ws.write(0, 0, "DANH SÁCH ĐẢNG VIÊN").unwrap();
        ws.merge_range(2, 0, 3, 0, "STT", &plain).unwrap();
        ws.merge_range(2, 1, 3, 1, "Họ và tên", &plain).unwrap();
        ws.merge_range(2, 2, 3, 2, "Ngày sinh", &plain).unwrap();
        ws.merge_range(2, 3, 2, 4, "Ngày vào Đảng", &plain).unwrap();
        ws.write(3, 3, "Dự bị").unwrap();
        ws.write(3, 4, "Chính thức").unwrap();
        for c in 0..5u16 {
            ws.write(4, c, format!("({})", c + 1)).unwrap();
        }
        ws.write(5, 0, 1).unwrap();
        ws.write(5, 1, "Nguyễn Văn An").unwrap();
        ws.write(5, 2, "01/01/1950").unwrap();
        ws.write(5, 3, "03/02/1986").unwrap();
        ws.write(5, 4, "03/02/1987").unwrap();
    });
    const SPECS: &[ColumnSpec] = &[
        MEMBER[0],
        MEMBER[3],
        MEMBER[7],
        ColumnSpec {
            key: "ngay_chinh_thuc",
            label: "Ngày chính thức",
            aliases: &["Ngày vào Đảng chính thức"],
        },
    ];
    let table = read_table(&bytes, "ds.xlsx", SPECS, NAME).unwrap();
    assert_eq!(table.header_row, 3);
    let found: Vec<_> = table
        .columns
        .iter()
        .map(|c| (c.key, c.column_letter.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("ho_ten", "B"),
            ("ngay_sinh", "C"),
            ("ngay_vao_dang", "D"),
            ("ngay_chinh_thuc", "E"),
        ]
    );
    assert_eq!(table.rows.len(), 1, "the sub-header is not a member");
    let row = &table.rows[0];
    assert_eq!(row.number, 6);
    assert_eq!(row.get("ngay_vao_dang"), Some("03/02/1986"));
    assert_eq!(row.get("ngay_chinh_thuc"), Some("03/02/1987"));
}

/// What Excel shows, not the bare number: a CCCD typed as a number in a
/// cell formatted `000000000000`, a date typed as digits under
/// `00"/"00"/"0000`.
#[test]
fn numbers_read_as_their_format_shows_them() {
    let bytes = save(|ws| {
        let id = Format::new().set_num_format("000000000000");
        let day = Format::new().set_num_format("00\"/\"00\"/\"0000");
        ws.write(0, 0, "Họ tên").unwrap();
        ws.write(0, 1, "Số CCCD").unwrap();
        ws.write(0, 2, "Ngày sinh").unwrap();
        ws.write(0, 3, "Số thẻ").unwrap();
        ws.write(1, 0, "Lò Văn Pảo").unwrap();
        ws.write_number_with_format(1, 1, 1_075_012_345.0, &id)
            .unwrap();
        ws.write_number_with_format(1, 2, 30_041_975.0, &day)
            .unwrap();
        ws.write_number(1, 3, 93_012_345_678.0).unwrap();
    });
    let table = read_table(&bytes, "ds.xlsx", MEMBER, NAME).unwrap();
    let row = &table.rows[0];
    assert_eq!(row.get("so_dinh_danh"), Some("001075012345"));
    assert_eq!(row.get("ngay_sinh"), Some("30/04/1975"));
    // No format: the number as it is (the card number check will say it
    // has 11 digits).
    assert_eq!(row.get("so_the"), Some("93012345678"));
}

/// A 2 KB workbook whose cells span A1:XFD1048576: calamine's range would
/// be 17 billion cells (the whole server aborted on a 512 GiB allocation).
/// Read cell by cell, it costs what its three cells cost.
#[test]
fn a_sheet_spanning_the_whole_grid_is_read_cell_by_cell() {
    let bytes = save(|ws| {
        ws.write(0, 0, "Họ tên").unwrap();
        ws.write(1, 0, "Lê Văn Bình").unwrap();
        ws.write(1_048_575, 16_383, "x").unwrap();
    });
    assert!(bytes.len() < 8 * 1024, "{} bytes", bytes.len());
    let table = read_table(&bytes, "ds.xlsx", MEMBER, NAME).unwrap();
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].get("ho_ten"), Some("Lê Văn Bình"));
}

/// The parts of a small real workbook, with `sheet` in place of its sheet.
fn workbook_with_sheet(sheet: &[u8], method: zip::CompressionMethod) -> Vec<u8> {
    use std::io::{Read, Write};
    let base = save(|ws| {
        ws.write(0, 0, "Họ tên").unwrap();
    });
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(base)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(sheet.len() > u32::MAX as usize / 2);
    for i in 0..src.len() {
        let mut part = src.by_index(i).unwrap();
        let name = part.name().unwrap().into_owned();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        out.start_file(name.as_str(), options).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            out.write_all(sheet).unwrap();
        } else {
            out.write_all(&data).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// A sheet of 64 MB of blanks deflates to 64 KB (a ratio of 1000, deflate's
/// best): refused from the sizes the zip declares, before a byte is
/// inflated.
#[test]
fn a_zip_bomb_is_refused_before_it_is_inflated() {
    let mut sheet = b"<worksheet><sheetData>".to_vec();
    sheet.resize(64 * 1024 * 1024, b' ');
    sheet.extend_from_slice(b"</sheetData></worksheet>");
    let bytes = workbook_with_sheet(&sheet, zip::CompressionMethod::Deflated);
    assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
    let err = read_table(&bytes, "bom.xlsx", MEMBER, NAME).unwrap_err();
    assert_eq!(
        err,
        SheetError::Bomb {
            part: "xl/worksheets/sheet1.xml".into(),
            ratio: 250
        }
    );
    assert!(
        err.to_string().contains("xl/worksheets/sheet1.xml"),
        "{err}"
    );

    // Within the ratio but past the total: refused as well.
    let limits = Limits {
        max_unpacked_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let mut small = sheet[..2 * 1024 * 1024].to_vec();
    small.extend_from_slice(b"</sheetData></worksheet>");
    let stored = workbook_with_sheet(&small, zip::CompressionMethod::Stored);
    let err = read_rows(&stored, "x.xlsx", MEMBER, NAME, &limits, &mut Discard).unwrap_err();
    assert_eq!(err, SheetError::Unpacked { limit: 1024 * 1024 });
}

/// calamine reserves room for as many strings as the workbook announces.
#[test]
fn an_announced_string_count_the_part_cannot_hold_is_refused() {
    use std::io::{Read, Write};
    let base = save(|ws| {
        ws.write(0, 0, "Họ tên").unwrap();
        ws.write(1, 0, "Lê Văn Bình").unwrap();
    });
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(base)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..src.len() {
        let mut part = src.by_index(i).unwrap();
        let name = part.name().unwrap().into_owned();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        if name == "xl/sharedStrings.xml" {
            let text = String::from_utf8(data).unwrap();
            data = text
                .replace("count=\"2\"", "count=\"4000000000\"")
                .replace("uniqueCount=\"2\"", "uniqueCount=\"4000000000\"")
                .into_bytes();
        }
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(&data).unwrap();
    }
    let bytes = out.finish().unwrap().into_inner();
    let err = read_table(&bytes, "ds.xlsx", MEMBER, NAME).unwrap_err();
    assert!(matches!(err, SheetError::Corrupt(_)), "{err:?}");
}

/// An ODS row repeated a million times over a hundred columns: calamine
/// would lay out 10⁸ cells.
#[test]
fn an_ods_that_repeats_its_rows_is_measured_first() {
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>
<table:table table:name="Bom">
<table:table-row><table:table-cell office:value-type="string"><text:p>Họ tên</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
    let bytes = zipped(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", MANIFEST),
        ("content.xml", content),
    ]);
    let err = read_table(&bytes, "bom.ods", MEMBER, NAME).unwrap_err();
    assert_eq!(
        err,
        SheetError::TooManyCells {
            sheet: "Bom".into(),
            limit: 1_000_000
        }
    );
}

/// A legacy XLS with one cell at A1 and one at IV65536: calamine lays out
/// the 16.7 million cells between them when the workbook is opened.
#[test]
fn an_xls_spanning_its_whole_grid_is_measured_first() {
    use std::io::Write;
    fn record(out: &mut Vec<u8>, typ: u16, body: &[u8]) {
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&(body.len() as u16).to_le_bytes());
        out.extend_from_slice(body);
    }
    let number = |row: u16, col: u16| {
        let mut b = Vec::new();
        b.extend_from_slice(&row.to_le_bytes());
        b.extend_from_slice(&col.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&1.0f64.to_le_bytes());
        b
    };
    let bof = [0x00, 0x06, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut stream = Vec::new();
    record(&mut stream, 0x0809, &bof);
    let mut sheet = vec![0u8; 6];
    sheet.extend_from_slice(&[4, 0]);
    sheet.extend_from_slice(b"Lung");
    record(&mut stream, 0x0085, &sheet);
    record(&mut stream, 0x000A, &[]);
    record(&mut stream, 0x0809, &bof);
    record(&mut stream, 0x0203, &number(0, 0));
    record(&mut stream, 0x0203, &number(65_535, 255));
    record(&mut stream, 0x000A, &[]);
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    file.create_stream("/Workbook")
        .unwrap()
        .write_all(&stream)
        .unwrap();
    let bytes = file.into_inner().into_inner();
    let err = read_table(&bytes, "ds.xls", MEMBER, NAME).unwrap_err();
    assert_eq!(
        err,
        SheetError::TooManyCells {
            sheet: "Lung".into(),
            limit: 1_000_000
        }
    );
}

struct Discard;

impl Sink for Discard {
    fn header(&mut self, _: &Header) -> bool {
        true
    }
    fn row(&mut self, _: Row) -> bool {
        true
    }
}

/// Counts what it is handed, to show rows arrive one by one.
#[derive(Default)]
struct Count(usize);

impl Sink for Count {
    fn header(&mut self, _: &Header) -> bool {
        true
    }
    fn row(&mut self, _: Row) -> bool {
        self.0 += 1;
        true
    }
}

#[test]
fn rows_past_the_limit_are_refused_as_they_come() {
    let mut csv = String::from("Họ tên;Ngày sinh\n");
    for i in 0..25 {
        csv.push_str(&format!("Người {i};01/01/1970\n"));
    }
    let limits = Limits {
        max_rows: 20,
        ..Limits::default()
    };
    let mut seen = Count::default();
    let err = read_rows(csv.as_bytes(), "ds.csv", MEMBER, NAME, &limits, &mut seen).unwrap_err();
    assert_eq!(err, SheetError::TooManyRows { limit: 20 });
    assert_eq!(seen.0, 20, "stopped at the limit");

    let limits = Limits {
        max_file_bytes: 100,
        ..Limits::default()
    };
    let err = read_rows(csv.as_bytes(), "ds.csv", MEMBER, NAME, &limits, &mut seen).unwrap_err();
    assert_eq!(err, SheetError::FileTooLarge { limit: 100 });
}

#[test]
fn a_cell_longer_than_excel_allows_is_named() {
    let csv = format!("Họ tên;Địa chỉ\nLê Văn Bình;{}\n", "x".repeat(40_000));
    let err = read_table(csv.as_bytes(), "ds.csv", MEMBER, NAME).unwrap_err();
    assert_eq!(err, SheetError::CellTooLong { cell: "B2".into() });
    assert_eq!(
        err.to_string(),
        "Ô B2 dài hơn 32.767 ký tự, giới hạn của Excel"
    );
}
