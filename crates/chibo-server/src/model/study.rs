//! Documents members must study (học tập, quán triệt nghị quyết): what the
//! committee enters, checked.

use super::concern::bounded;
use super::{Problem, Problems};
use chrono::NaiveDate;

/// The longest title or source of a study document, in characters.
pub const MAX_TITLE_CHARS: usize = 300;

#[derive(Debug, Clone, Default)]
pub struct StudyDraft {
    pub title: String,
    /// The issuing body and number ("Ban Chấp hành Trung ương, Nghị quyết 57-NQ/TW").
    pub source: String,
    /// dd/mm/yyyy
    pub deadline: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedStudy {
    pub title: String,
    pub source: String,
    pub deadline: NaiveDate,
}

impl StudyDraft {
    /// A deadline before `today` is refused: members cannot study in the past.
    pub fn check(&self, today: NaiveDate) -> Result<CheckedStudy, Problems> {
        let mut p = Problems::default();
        let title = bounded(&mut p, "title", super::nfc(&self.title), MAX_TITLE_CHARS);
        let source = bounded(&mut p, "source", super::nfc(&self.source), MAX_TITLE_CHARS);
        let deadline = if self.deadline.trim().is_empty() {
            p.push(Problem::new("deadline", "required", ""));
            None
        } else {
            p.take(super::parse_date("deadline", &self.deadline))
        };
        if let Some(d) = deadline
            && d < today
        {
            p.push(Problem::new(
                "deadline",
                "study.deadline_past",
                super::format_date(d),
            ));
        }
        match (title, source, deadline) {
            (Some(title), Some(source), Some(deadline)) if p.is_empty() => Ok(CheckedStudy {
                title,
                source,
                deadline,
            }),
            _ => Err(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_study_document_needs_title_source_and_a_coming_deadline() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let ok = StudyDraft {
            title: " Nghị quyết   về phát triển khoa học ".into(),
            source: "57-NQ/TW".into(),
            deadline: "31/03/2026".into(),
        }
        .check(today)
        .unwrap();
        assert_eq!(ok.title, "Nghị quyết về phát triển khoa học");
        let bad = StudyDraft {
            title: String::new(),
            source: "x".repeat(MAX_TITLE_CHARS + 1),
            deadline: "09/03/2026".into(),
        }
        .check(today)
        .unwrap_err();
        let codes: Vec<_> = bad.0.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            codes,
            [
                ("title", "required"),
                ("source", "text.too_long"),
                ("deadline", "study.deadline_past")
            ]
        );
    }
}
