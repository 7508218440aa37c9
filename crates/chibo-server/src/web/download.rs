//! Files handed out: their type and the name a browser saves them under.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::service::documents::{FileName, Printable};
use crate::web::error::PageError;

pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const ICS: &str = "text/calendar; charset=utf-8";

/// How a file is handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Opened in the browser (a PDF on a phone), saved under its name.
    Inline,
    /// Saved straight away.
    Attachment,
}

/// `Content-Disposition` (RFC 6266): the ASCII name for every browser and
/// the Vietnamese one, percent-encoded as RFC 5987 says, for those that
/// read `filename*`.
pub fn disposition(show: Show, name: &FileName, ext: &str) -> String {
    let kind = match show {
        Show::Inline => "inline",
        Show::Attachment => "attachment",
    };
    let ascii = if name.ascii.is_empty() {
        "chibo"
    } else {
        &name.ascii
    };
    format!(
        "{kind}; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{}.{ext}",
        rfc5987(&name.utf8)
    )
}

/// Every byte outside RFC 5987's `attr-char` percent-encoded.
fn rfc5987(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The file as a response.
pub fn file(mime: &str, show: Show, name: &FileName, ext: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CONTENT_DISPOSITION, disposition(show, name, ext)),
        ],
        bytes,
    )
        .into_response()
}

/// Prints a document off the async workers (typst is CPU work), and hands it
/// out under its name: a PDF to open, a DOCX (one document) to save.
pub async fn printed(p: Printable, pdf: bool) -> Result<Response, PageError> {
    let name = p.name.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        if pdf {
            chibo_print::render_pdf_bundle(&p.docs, &p.properties, &p.layout)
        } else {
            chibo_print::render_docx(&p.docs[0], &p.properties, &p.layout)
        }
    })
    .await
    .map_err(|_| PageError::BadRequest)?
    .map_err(|e| {
        tracing::error!("{}: {e}", name.ascii);
        PageError::BadRequest
    })?;
    Ok(if pdf {
        file(PDF, Show::Inline, &name, "pdf", bytes)
    } else {
        file(DOCX, Show::Attachment, &name, "docx", bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_ascii_and_rfc5987() {
        let name = FileName::of(&[
            "Tổng hợp",
            "quý 4",
            "2026",
            "07-BC/ĐU",
            "Đảng ủy phường Bến Nghé",
        ]);
        assert_eq!(
            disposition(Show::Inline, &name, "pdf"),
            "inline; filename=\"tong-hop-quy-4-2026-07-bc-du-dang-uy-phuong-ben-nghe.pdf\"; \
             filename*=UTF-8''T%E1%BB%95ng%20h%E1%BB%A3p%20qu%C3%BD%204%202026%2007-BC-%C4%90U%20%C4%90%E1%BA%A3ng%20%E1%BB%A7y%20ph%C6%B0%E1%BB%9Dng%20B%E1%BA%BFn%20Ngh%C3%A9.pdf"
        );
    }

    #[test]
    fn quotes_and_slashes_cannot_break_the_header() {
        let name = FileName::of(&["Biên bản", "\"x\"; y=z", "a/b\\c", "\r\nSet-Cookie: 1"]);
        let d = disposition(Show::Attachment, &name, "docx");
        assert_eq!(d.matches('"').count(), 2, "{d}");
        assert!(
            !d.contains('\r') && !d.contains('\n') && !d.contains('/'),
            "{d}"
        );
    }
}
