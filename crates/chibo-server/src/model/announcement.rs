//! An announcement to members (thông báo): a title and a text. Pure: no I/O.

use super::Problems;
use super::concern::{bounded, paragraphs};

/// The longest title, and the longest text (a page or two).
pub const MAX_ANNOUNCEMENT_TITLE: usize = 200;
pub const MAX_ANNOUNCEMENT_BODY: usize = 10_000;

#[derive(Debug, Clone, Default)]
pub struct AnnouncementDraft {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAnnouncement {
    pub title: String,
    pub body: String,
}

impl AnnouncementDraft {
    pub fn check(&self) -> Result<CheckedAnnouncement, Problems> {
        let mut p = Problems::default();
        let title = bounded(
            &mut p,
            "title",
            super::nfc(&self.title),
            MAX_ANNOUNCEMENT_TITLE,
        );
        let body = bounded(
            &mut p,
            "body",
            paragraphs(&self.body),
            MAX_ANNOUNCEMENT_BODY,
        );
        match (title, body) {
            (Some(title), Some(body)) if p.is_empty() => Ok(CheckedAnnouncement { title, body }),
            _ => Err(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_needs_a_title_and_a_bounded_text() {
        let ok = AnnouncementDraft {
            title: "  Lịch  sinh hoạt tháng 12 ".into(),
            body: "Chi bộ sinh hoạt lúc 19 giờ.\n\n\nĐề nghị đồng chí đến đúng giờ.".into(),
        }
        .check()
        .unwrap();
        assert_eq!(ok.title, "Lịch sinh hoạt tháng 12");
        assert_eq!(ok.body.matches('\n').count(), 2);
        let bad = AnnouncementDraft {
            title: String::new(),
            body: "x".repeat(MAX_ANNOUNCEMENT_BODY + 1),
        }
        .check()
        .unwrap_err();
        let codes: Vec<_> = bad.0.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(codes, [("title", "required"), ("body", "text.too_long")]);
    }
}
