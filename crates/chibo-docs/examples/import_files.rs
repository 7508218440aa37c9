//! Writes the files the import's memory is measured on (PERFORMANCE.md):
//!
//! cargo run -p chibo-docs --example import_files -- DIR [ROWS]
//! (or crates/chibo-bench/import-memory.sh, which measures with them)
//!
//! - `members-ROWS.xlsx`: a member list as Excel saves it (shared strings),
//!   ROWS rows (default 1,000,000) of ten columns under a title;
//! - `grid.xlsx`: three cells, at A1, A2 and XFD1048576;
//! - `bomb.xlsx`: a workbook whose sheet is 1 GiB of blanks, ~1 MB zipped.

use std::io::Write;

use rust_xlsxwriter::Workbook;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("DIR"));
    let rows: u32 = args.next().map_or(1_000_000, |n| n.parse().expect("ROWS"));
    std::fs::create_dir_all(&dir).expect("dir");

    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write(0, 0, "DANH SÁCH ĐẢNG VIÊN").unwrap();
    let header = [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số CCCD",
        "Số thẻ đảng viên",
        "Ngày vào Đảng",
        "Ngày chính thức",
        "Tổ đảng",
        "Số điện thoại",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write(2, c as u16, *h).unwrap();
    }
    const FAMILY: [&str; 8] = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng",
    ];
    const GIVEN: [&str; 9] = [
        "An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Lộc", "Mỹ", "Đạt",
    ];
    for i in 0..rows {
        let r = 3 + i;
        let date =
            |n: u32, base: u32| format!("{:02}/{:02}/{}", n % 28 + 1, n % 12 + 1, base + n % 30);
        ws.write(r, 0, i + 1).unwrap();
        ws.write(
            r,
            1,
            format!(
                "{} Văn {} {i}",
                FAMILY[i as usize % 8],
                GIVEN[i as usize % 9]
            ),
        )
        .unwrap();
        ws.write(r, 2, date(i, 1950)).unwrap();
        ws.write(r, 3, if i % 2 == 0 { "Nam" } else { "Nữ" })
            .unwrap();
        ws.write(r, 4, format!("{:012}", 1_000_000_000 + u64::from(i)))
            .unwrap();
        ws.write(r, 5, format!("{:012}", 79_000_000_000 + u64::from(i)))
            .unwrap();
        ws.write(r, 6, date(i / 3, 1985)).unwrap();
        ws.write(r, 7, date(i / 3 + 1, 1986)).unwrap();
        ws.write(r, 8, format!("Tổ {}", i % 5 + 1)).unwrap();
        ws.write(r, 9, format!("09{:08}", i)).unwrap();
    }
    let path = dir.join(format!("members-{rows}.xlsx"));
    book.save(&path).expect("save");
    println!("{}", path.display());

    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write(0, 0, "Họ và tên").unwrap();
    ws.write(1, 0, "Lê Văn Bình").unwrap();
    ws.write(1_048_575, 16_383, "x").unwrap();
    let path = dir.join("grid.xlsx");
    book.save(&path).expect("save");
    println!("{}", path.display());

    let path = dir.join("bomb.xlsx");
    std::fs::write(&path, bomb(1024)).expect("save");
    println!("{}", path.display());
}

/// A minimal workbook whose one sheet is `mib` MiB of blanks.
fn bomb(mib: usize) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, text) in parts {
        out.start_file(name, deflated).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.start_file("xl/worksheets/sheet1.xml", deflated)
        .unwrap();
    out.write_all(b"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>")
        .unwrap();
    let blanks = vec![b' '; 1 << 20];
    for _ in 0..mib {
        out.write_all(&blanks).unwrap();
    }
    out.write_all(b"</sheetData></worksheet>").unwrap();
    out.finish().unwrap().into_inner()
}
