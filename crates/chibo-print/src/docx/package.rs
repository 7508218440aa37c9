//! The parts of a .docx package around the document's body: content types,
//! relationships, styles, settings, headers and footers, and the core
//! properties (title, author, dates, language) Word shows under File › Info.

use std::io::Write;

use chrono::{DateTime, Utc};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::xml::esc;
use crate::PrintError;
use crate::fonts::DOCX_FAMILY;

const XML_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
/// Every part of the package is in Vietnamese.
pub const LANGUAGE: &str = "vi-VN";

/// What the package holds besides the body.
pub struct Parts<'a> {
    /// `<w:body>` content, the section properties included.
    pub body: String,
    /// Header of pages 2 and on (the page number); the first page has none.
    pub header: String,
    /// Footer of every page (the check code), if any.
    pub footer: Option<String>,
    pub body_half_points: i32,
    pub title: &'a str,
    pub author: &'a str,
    pub created: Option<DateTime<Utc>>,
}

/// The relationship ids the section properties refer to.
pub const HEADER_ID: &str = "rIdHeader";
pub const FIRST_HEADER_ID: &str = "rIdFirstHeader";
pub const FOOTER_ID: &str = "rIdFooter";
pub const FIRST_FOOTER_ID: &str = "rIdFirstFooter";

pub fn package(parts: &Parts) -> Result<Vec<u8>, PrintError> {
    let mut files: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", content_types(parts.footer.is_some())),
        ("_rels/.rels", package_rels()),
        ("docProps/core.xml", core(parts)),
        ("docProps/app.xml", app()),
        (
            "word/_rels/document.xml.rels",
            document_rels(parts.footer.is_some()),
        ),
        (
            "word/document.xml",
            format!(
                r#"{XML_HEAD}<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{}</w:body></w:document>"#,
                parts.body
            ),
        ),
        ("word/styles.xml", styles(parts.body_half_points)),
        ("word/settings.xml", settings()),
        ("word/header1.xml", header_part(&parts.header)),
        ("word/header2.xml", header_part("<w:p/>")),
    ];
    if let Some(footer) = &parts.footer {
        files.push(("word/footer1.xml", footer_part(footer)));
        files.push(("word/footer2.xml", footer_part(footer)));
    }
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // A fixed time in the zip directory: the same document gives the same
    // bytes (the dates that matter are in the core properties).
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let failed = |e: &dyn std::fmt::Display| PrintError::Docx(e.to_string());
    for (name, text) in files {
        zip.start_file(name, options).map_err(|e| failed(&e))?;
        zip.write_all(text.as_bytes()).map_err(|e| failed(&e))?;
    }
    Ok(zip.finish().map_err(|e| failed(&e))?.into_inner())
}

fn content_types(footer: bool) -> String {
    let part = |name: &str, kind: &str| {
        format!(
            r#"<Override PartName="/{name}" ContentType="application/vnd.openxmlformats-{kind}+xml"/>"#
        )
    };
    let wml = "officedocument.wordprocessingml";
    let mut out = format!(
        r#"{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>"#
    );
    out.push_str(&part("word/document.xml", &format!("{wml}.document.main")));
    out.push_str(&part("word/styles.xml", &format!("{wml}.styles")));
    out.push_str(&part("word/settings.xml", &format!("{wml}.settings")));
    out.push_str(&part("word/header1.xml", &format!("{wml}.header")));
    out.push_str(&part("word/header2.xml", &format!("{wml}.header")));
    if footer {
        out.push_str(&part("word/footer1.xml", &format!("{wml}.footer")));
        out.push_str(&part("word/footer2.xml", &format!("{wml}.footer")));
    }
    out.push_str(&part("docProps/core.xml", "package.core-properties"));
    out.push_str(&part(
        "docProps/app.xml",
        "officedocument.extended-properties",
    ));
    out.push_str("</Types>");
    out
}

fn relationship(id: &str, kind: &str, target: &str) -> String {
    format!(r#"<Relationship Id="{id}" Type="{kind}" Target="{target}"/>"#)
}

fn package_rels() -> String {
    let office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    format!(
        r#"{XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}{}{}</Relationships>"#,
        relationship(
            "rId1",
            &format!("{office}/officeDocument"),
            "word/document.xml"
        ),
        relationship(
            "rId2",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml"
        ),
        relationship(
            "rId3",
            &format!("{office}/extended-properties"),
            "docProps/app.xml"
        ),
    )
}

fn document_rels(footer: bool) -> String {
    let kind = |k: &str| format!("{R}/{k}");
    let mut out = format!(
        r#"{XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
    );
    out.push_str(&relationship("rIdStyles", &kind("styles"), "styles.xml"));
    out.push_str(&relationship(
        "rIdSettings",
        &kind("settings"),
        "settings.xml",
    ));
    out.push_str(&relationship(HEADER_ID, &kind("header"), "header1.xml"));
    out.push_str(&relationship(
        FIRST_HEADER_ID,
        &kind("header"),
        "header2.xml",
    ));
    if footer {
        out.push_str(&relationship(FOOTER_ID, &kind("footer"), "footer1.xml"));
        out.push_str(&relationship(
            FIRST_FOOTER_ID,
            &kind("footer"),
            "footer2.xml",
        ));
    }
    out.push_str("</Relationships>");
    out
}

fn core(parts: &Parts) -> String {
    let dates = match parts.created {
        Some(t) => {
            let t = t.format("%Y-%m-%dT%H:%M:%SZ");
            format!(
                r#"<dcterms:created xsi:type="dcterms:W3CDTF">{t}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{t}</dcterms:modified>"#
            )
        }
        None => String::new(),
    };
    let (title, author) = (esc(parts.title), esc(parts.author));
    format!(
        r#"{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title><dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy><dc:language>{LANGUAGE}</dc:language>{dates}</cp:coreProperties>"#
    )
}

fn app() -> String {
    format!(
        r#"{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>chibo</Application></Properties>"#
    )
}

fn styles(body_half_points: i32) -> String {
    let f = DOCX_FAMILY;
    format!(
        r#"{XML_HEAD}<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}"/><w:sz w:val="{body_half_points}"/><w:szCs w:val="{body_half_points}"/><w:lang w:val="{LANGUAGE}" w:eastAsia="{LANGUAGE}" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#
    )
}

fn settings() -> String {
    format!(
        r#"{XML_HEAD}<w:settings xmlns:w="{W}"><w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat><w:themeFontLang w:val="{LANGUAGE}"/></w:settings>"#
    )
}

fn header_part(content: &str) -> String {
    format!(r#"{XML_HEAD}<w:hdr xmlns:w="{W}" xmlns:r="{R}">{content}</w:hdr>"#)
}

fn footer_part(content: &str) -> String {
    format!(r#"{XML_HEAD}<w:ftr xmlns:w="{W}" xmlns:r="{R}">{content}</w:ftr>"#)
}
