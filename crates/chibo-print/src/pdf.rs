//! PDF through typst: the model becomes JSON data for the constant template.

use serde::Serialize;
use serde_json::Value;
use typst::diag::SourceDiagnostic;
use typst::ecow::EcoVec;
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::PrintError;
use crate::fit::INSET_X_PT;
use crate::model::{
    Block, CHECK_CODE_LABEL, Document, Layout, PARTY_NAME, Properties, RECIPIENTS_LABEL,
};
use crate::prepare::{fit_table, prepare, text_height_pt, text_width_pt};
use crate::world::PrintWorld;

/// The memoised results a render may leave behind: enough for the next render
/// to reuse the template's evaluation, few enough that a long-running server
/// does not grow without bound.
const CACHE_MAX_AGE: usize = 10;

/// The `/data.json` the template reads.
#[derive(Serialize)]
struct TemplateData<'a> {
    title: &'a str,
    author: &'a str,
    layout: &'a Layout,
    labels: Labels,
    inset_x: f32,
    documents: Vec<Value>,
}

#[derive(Serialize)]
struct Labels {
    party: &'static str,
    check_code: &'static str,
    recipients: &'static str,
}

/// One document as a PDF (A4, fonts embedded).
pub fn render_pdf(
    doc: &Document,
    properties: &Properties,
    layout: &Layout,
) -> Result<Vec<u8>, PrintError> {
    render_pdf_bundle(std::slice::from_ref(doc), properties, layout)
}

/// Several documents in one PDF, each starting on a new page with its own page
/// numbers and check code: the meeting dossier (notice, attendance sheet,
/// minutes, resolution, vote records). `properties` describe the file as a
/// whole (the dossier has a title of its own).
pub fn render_pdf_bundle(
    docs: &[Document],
    properties: &Properties,
    layout: &Layout,
) -> Result<Vec<u8>, PrintError> {
    if docs.is_empty() {
        return Err(PrintError::Empty);
    }
    let documents = docs
        .iter()
        .map(|doc| template_document(doc, layout))
        .collect::<Result<_, _>>()?;
    let data = TemplateData {
        title: &properties.title,
        author: &properties.author,
        layout,
        labels: Labels {
            party: PARTY_NAME,
            check_code: CHECK_CODE_LABEL,
            recipients: RECIPIENTS_LABEL,
        },
        inset_x: INSET_X_PT,
        documents,
    };
    let json = serde_json::to_vec(&data).map_err(PrintError::internal)?;
    let world = PrintWorld::new(json);
    let compiled = typst::compile::<PagedDocument>(&world).output;
    typst::comemo::evict(CACHE_MAX_AGE);
    let document = compiled.map_err(|e| PrintError::Typeset(messages(&e)))?;
    let options = PdfOptions {
        creator: Smart::Custom(Some("chibo".into())),
        timestamp: properties.created.and_then(timestamp),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|e| PrintError::Pdf(messages(&e)))
}

/// The document as the template reads it: the model, NFC, with each table's
/// fitted columns beside it and the text area's size.
fn template_document(doc: &Document, layout: &Layout) -> Result<Value, PrintError> {
    let doc = prepare(doc)?;
    let mut value = serde_json::to_value(&doc).map_err(PrintError::internal)?;
    let blocks = value["body"]
        .as_array_mut()
        .ok_or_else(|| PrintError::internal("a document body is a list"))?;
    for (block, json) in doc.body.iter().zip(blocks) {
        if let Block::Table(table) = block {
            json["fit"] = serde_json::to_value(fit_table(table, &doc, layout))
                .map_err(PrintError::internal)?;
        }
    }
    value["text_width"] = text_width_pt(&doc, layout).into();
    value["text_height"] = text_height_pt(&doc, layout).into();
    Ok(value)
}

fn timestamp(t: chrono::DateTime<chrono::Utc>) -> Option<Timestamp> {
    use chrono::{Datelike, Timelike};
    let datetime = Datetime::from_ymd_hms(
        t.year(),
        u8::try_from(t.month()).ok()?,
        u8::try_from(t.day()).ok()?,
        u8::try_from(t.hour()).ok()?,
        u8::try_from(t.minute()).ok()?,
        u8::try_from(t.second()).ok()?,
    )?;
    Some(Timestamp::new_utc(datetime))
}

fn messages(diagnostics: &EcoVec<SourceDiagnostic>) -> String {
    diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}
