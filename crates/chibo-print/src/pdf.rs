//! PDF through typst: the model becomes JSON data for the constant template.

use serde::Serialize;
use typst::diag::SourceDiagnostic;
use typst::ecow::EcoVec;
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

use crate::PrintError;
use crate::model::{CHECK_CODE_LABEL, Document, Layout, PARTY_NAME, RECIPIENTS_LABEL};
use crate::prepare::prepare;
use crate::world::PrintWorld;

/// The memoised results a render may leave behind: enough for the next render
/// to reuse the template's evaluation, few enough that a long-running server
/// does not grow without bound.
const CACHE_MAX_AGE: usize = 10;

/// The `/data.json` the template reads.
#[derive(Serialize)]
struct TemplateData<'a> {
    title: String,
    layout: &'a Layout,
    labels: Labels,
    documents: Vec<Document>,
}

#[derive(Serialize)]
struct Labels {
    party: &'static str,
    check_code: &'static str,
    recipients: &'static str,
}

/// One document as a PDF (A4, fonts embedded).
pub fn render_pdf(doc: &Document, layout: &Layout) -> Result<Vec<u8>, PrintError> {
    render_pdf_bundle(std::slice::from_ref(doc), layout)
}

/// Several documents in one PDF, each starting on a new page with its own page
/// numbers and check code: the meeting dossier (notice, attendance sheet,
/// minutes, resolution, vote records).
pub fn render_pdf_bundle(docs: &[Document], layout: &Layout) -> Result<Vec<u8>, PrintError> {
    let first = docs.first().ok_or(PrintError::Empty)?;
    let title = match &first.subject {
        Some(subject) => format!("{} {subject}", first.title),
        None => first.title.clone(),
    };
    let data = TemplateData {
        title,
        layout,
        labels: Labels {
            party: PARTY_NAME,
            check_code: CHECK_CODE_LABEL,
            recipients: RECIPIENTS_LABEL,
        },
        documents: docs.iter().map(prepare).collect::<Result<_, _>>()?,
    };
    let json = serde_json::to_vec(&data).map_err(PrintError::internal)?;
    let world = PrintWorld::new(json);
    let compiled = typst::compile::<PagedDocument>(&world).output;
    typst::comemo::evict(CACHE_MAX_AGE);
    let document = compiled.map_err(|e| PrintError::Typeset(messages(&e)))?;
    typst_pdf::pdf(&document, &PdfOptions::default()).map_err(|e| PrintError::Pdf(messages(&e)))
}

fn messages(diagnostics: &EcoVec<SourceDiagnostic>) -> String {
    diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}
