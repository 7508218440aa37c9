//! Checks a document and puts its text in the form both writers print.

use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use crate::PrintError;
use crate::fit::{Fitted, fit};
use crate::model::{Block, Document, Layout, Table};

const PT_PER_MM: f32 = 72.0 / 25.4;

/// A copy of `doc` with every string in Unicode NFC and every table row padded
/// to the table's width.
///
/// NFC because text typed on some phones and Macs arrives decomposed ("e" +
/// U+0302 + U+0301): drawn as base letter plus combining marks, the tones
/// collide with the circumflex, and the text no longer matches in searches.
/// Liberation Serif has every precomposed Vietnamese letter.
pub fn prepare(doc: &Document) -> Result<Document, PrintError> {
    let mut value = serde_json::to_value(doc).map_err(PrintError::internal)?;
    nfc_in_place(&mut value);
    let mut doc: Document = serde_json::from_value(value).map_err(PrintError::internal)?;
    for block in &mut doc.body {
        if let Block::Table(table) = block {
            let columns = table.columns.len();
            for (row, cells) in table.rows.iter_mut().enumerate() {
                if cells.len() > columns {
                    return Err(PrintError::RowTooWide {
                        row,
                        cells: cells.len(),
                        columns,
                    });
                }
                cells.resize(columns, String::new());
            }
        }
    }
    Ok(doc)
}

/// The width between the margins, in points.
pub fn text_width_pt(doc: &Document, layout: &Layout) -> f32 {
    let (page, _) = doc.orientation.page_mm();
    (page - layout.margin_left_mm - layout.margin_right_mm) * PT_PER_MM
}

/// The height between the margins, in points.
pub fn text_height_pt(doc: &Document, layout: &Layout) -> f32 {
    let (_, page) = doc.orientation.page_mm();
    (page - layout.margin_top_mm - layout.margin_bottom_mm) * PT_PER_MM
}

/// A table of `doc` fitted to its text width (see [`fit`]).
pub fn fit_table(table: &Table, doc: &Document, layout: &Layout) -> Fitted {
    fit(
        table,
        text_width_pt(doc, layout),
        layout.body_pt,
        layout.table_min_pt.min(layout.body_pt),
    )
}

/// Every string in the tree, whatever field it sits in, so a field added to
/// the model later cannot escape normalisation.
fn nfc_in_place(value: &mut Value) {
    match value {
        Value::String(s) => *s = s.nfc().collect(),
        Value::Array(items) => items.iter_mut().for_each(nfc_in_place),
        Value::Object(map) => map.values_mut().for_each(nfc_in_place),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}
