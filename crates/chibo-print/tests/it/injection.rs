//! Member-supplied text is data: typst markup, code and Word XML in it print
//! literally and do nothing.

use chibo_print::inspect::text;
use chibo_print::{Align, Block, Column, Signature, Span, Table, sample};

const HOSTILE: [&str; 9] = [
    "#panic(\"x\")",
    "*bold*",
    "$x$",
    "]",
    "\\",
    "<script>",
    "#set page(width: 1cm)",
    "@ref <label> _em_ `raw` // not a comment",
    "</w:t></w:r><w:r><w:t>",
];

fn hostile_document() -> chibo_print::Document {
    let mut doc = sample::resolution();
    let all = HOSTILE.join(" ");
    doc.header.issuer = format!("CHI BỘ {}", HOSTILE[0]);
    doc.header.number = Some(format!("Số {}", HOSTILE[1]));
    doc.title = HOSTILE[2].into();
    doc.subject = Some(HOSTILE[6].into());
    doc.body = vec![
        Block::heading(1, HOSTILE[3]),
        Block::paragraph(all.clone()),
        Block::Paragraph {
            spans: vec![Span::bold(HOSTILE[4]), Span::italic(HOSTILE[5])],
        },
        Block::bullets(HOSTILE),
        Block::Table(Table {
            columns: vec![Column::new(HOSTILE[0], Align::Left)],
            rows: vec![vec![HOSTILE[7].into()]],
        }),
        Block::vote_line(HOSTILE[8]),
    ];
    doc.signatures = vec![Signature {
        on_behalf: Some(HOSTILE[5].into()),
        role: HOSTILE[3].into(),
        name: "Nguyễn #panic(\"x\") *Văn* $A$ ] \\ <script>".into(),
    }];
    doc.recipients = vec![HOSTILE[7].into()];
    doc.check_code = Some("#panic(\"x\")".into());
    doc
}

#[test]
fn markup_in_member_text_prints_literally_in_the_pdf() {
    let pdf = crate::pdf(&hostile_document());
    let text = text(&pdf);
    let flat = crate::flat(&text);
    assert!(flat.contains(&HOSTILE.join(" ")), "{text}");
    for needle in HOSTILE {
        assert!(
            flat.contains(needle),
            "{needle:?} not printed literally in:\n{text}"
        );
    }
    assert!(flat.contains("Nguyễn #panic(\"x\") *Văn* $A$ ] \\ <script>"));
    assert!(flat.contains("Mã kiểm tra: #panic(\"x\")"));
    // `#set page(width: 1cm)` did not shrink the page: still A4 at 30 mm margin.
    let left = chibo_print::inspect::pages(&pdf)[0]
        .glyphs
        .iter()
        .map(|g| g.x)
        .fold(f64::INFINITY, f64::min);
    assert!((left - 30.0 * 72.0 / 25.4).abs() < 0.5);
}

#[test]
fn markup_in_member_text_is_escaped_in_the_docx() {
    let docx = crate::docx(&hostile_document());
    let xml = crate::docx::part(&docx, "word/document.xml");
    assert!(xml.contains("&lt;/w:t&gt;&lt;/w:r&gt;&lt;w:r&gt;&lt;w:t&gt;"));
    assert!(!xml.contains("<script>"));
    let paragraphs = crate::docx::paragraphs(&xml).join("\n");
    for needle in HOSTILE {
        assert!(
            paragraphs.contains(needle),
            "{needle:?} missing in:\n{paragraphs}"
        );
    }
}
