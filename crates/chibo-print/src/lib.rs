//! Official Party documents (rules-vn §8, HD 05-HD/VPTW) as PDF and DOCX.
//!
//! Pure: a [`Document`] and a [`Layout`] in, bytes out. No I/O (the fonts and
//! the typst template are compiled in), no async, no database. Every string of
//! the model is printed literally: member-supplied text is data for the
//! template, never typst markup or Word XML.
//!
//! ```no_run
//! let doc = chibo_print::sample::resolution();
//! let about = chibo_print::Properties::of(&doc);
//! let pdf = chibo_print::render_pdf(&doc, &about, &chibo_print::Layout::default())?;
//! let docx = chibo_print::render_docx(&doc, &about, &chibo_print::Layout::default())?;
//! # Ok::<(), chibo_print::PrintError>(())
//! ```

mod docx;
mod fit;
pub mod fonts;
#[cfg(feature = "inspect")]
pub mod inspect;
mod measure;
mod model;
mod pdf;
mod prepare;
pub mod sample;
mod world;

pub use docx::render_docx;
pub use model::{
    Align, Block, CHECK_CODE_LABEL, Column, Document, Header, Layout, Orientation, PARTY_NAME,
    Properties, RECIPIENTS_LABEL, Signature, Span, Table,
};
pub use pdf::{render_pdf, render_pdf_bundle};

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("nothing to print")]
    Empty,
    #[error("table row {row} has {cells} cells but the table has {columns} columns")]
    RowTooWide {
        row: usize,
        cells: usize,
        columns: usize,
    },
    #[error("typesetting failed: {0}")]
    Typeset(String),
    #[error("PDF export failed: {0}")]
    Pdf(String),
    #[error("DOCX packaging failed: {0}")]
    Docx(String),
    /// A bug in this crate (the model failed to round-trip through JSON).
    #[error("internal error: {0}")]
    Internal(String),
}

impl PrintError {
    fn internal(e: impl std::fmt::Display) -> Self {
        PrintError::Internal(e.to_string())
    }
}
