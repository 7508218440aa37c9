//! What members must study (học tập, quán triệt nghị quyết): the library's
//! documents, the assignments that say who studies what by when, the
//! written reflection (bài thu hoạch), and the document's text paged for a
//! phone. Pure: no I/O.

use super::concern::{bounded, paragraphs};
use super::meeting::code_enum;
use super::{Problem, Problems};
use chrono::NaiveDate;

/// The longest title, number or issuing body, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// The longest text of a document: about forty printed pages, a long
/// resolution with its appendix (a longer one goes in as a PDF); it also
/// keeps the form within the server's 1 MB form bound.
pub const MAX_DOCUMENT_CHARS: usize = 100_000;
/// The longest reflection: some pages of handwriting, typed.
pub const MAX_REFLECTION_CHARS: usize = 20_000;
/// The characters of a page read on a phone: about one screen and a half
/// at the default size, so a member pages rather than scrolls a long text.
pub const PAGE_CHARS: usize = 1_800;

code_enum!(
    /// What a library document is.
    DocKind, "kind", "study.kind" {
        NghiQuyet = "nghi_quyet",
        ChiThi = "chi_thi",
        KetLuan = "ket_luan",
        HuongDan = "huong_dan",
        Khac = "khac",
    }
);

code_enum!(
    /// For whom an assignment is.
    Audience, "audience", "study.audience" {
        /// Every member on the cell's roll.
        All = "all",
        /// The members named with the assignment.
        Group = "group",
        /// The cell's committee (chi ủy, or the secretary where there is none).
        Committee = "committee",
    }
);

code_enum!(
    /// Where the study happens.
    Place, "place", "study.place" {
        /// At a meeting of the cell (its attendance is recorded).
        Meeting = "meeting",
        /// Each member on their own.
        Home = "home",
    }
);

/// A library document as typed.
#[derive(Debug, Clone, Default)]
pub struct DocumentDraft {
    pub kind: String,
    /// "57-NQ/TW"; may be empty for a guide without one.
    pub number: String,
    /// dd/mm/yyyy
    pub issued_on: String,
    /// "Bộ Chính trị", "Ban Tuyên giáo Tỉnh ủy".
    pub issuer: String,
    pub title: String,
    /// The text read on the phone; may be empty when a PDF follows.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedDocument {
    pub kind: DocKind,
    pub number: String,
    pub issued_on: NaiveDate,
    pub issuer: String,
    pub title: String,
    pub body: String,
}

/// An optional text within `max` characters.
fn optional(p: &mut Problems, field: &'static str, value: String, max: usize) -> Option<String> {
    if value.is_empty() {
        Some(value)
    } else {
        bounded(p, field, value, max)
    }
}

impl DocumentDraft {
    /// A document issued after `today` is refused (a typo in the year).
    pub fn check(&self, today: NaiveDate) -> Result<CheckedDocument, Problems> {
        let mut p = Problems::default();
        let kind = if self.kind.trim().is_empty() {
            Some(DocKind::Khac)
        } else {
            p.take(DocKind::parse(&self.kind))
        };
        let number = optional(&mut p, "number", super::nfc(&self.number), MAX_TITLE_CHARS);
        let issuer = bounded(&mut p, "issuer", super::nfc(&self.issuer), MAX_TITLE_CHARS);
        let title = bounded(&mut p, "title", super::nfc(&self.title), MAX_TITLE_CHARS);
        let body = optional(&mut p, "body", paragraphs(&self.body), MAX_DOCUMENT_CHARS);
        let issued_on = if self.issued_on.trim().is_empty() {
            p.push(Problem::new("issued_on", "required", ""));
            None
        } else {
            p.take(super::parse_date("issued_on", &self.issued_on))
        };
        if let Some(d) = issued_on
            && d > today
        {
            p.push(Problem::new(
                "issued_on",
                "date.future",
                super::format_date(d),
            ));
        }
        match (kind, number, issuer, title, body, issued_on) {
            (Some(kind), Some(number), Some(issuer), Some(title), Some(body), Some(issued_on))
                if p.is_empty() =>
            {
                Ok(CheckedDocument {
                    kind,
                    number,
                    issued_on,
                    issuer,
                    title,
                    body,
                })
            }
            _ => Err(p),
        }
    }
}

/// An assignment as typed.
#[derive(Debug, Clone, Default)]
pub struct AssignmentDraft {
    pub audience: String,
    /// The group's members, for `Audience::Group`.
    pub members: Vec<i64>,
    /// dd/mm/yyyy
    pub deadline: String,
    pub place: String,
    /// A written reflection is required.
    pub reflection: bool,
    /// The cell's meeting it is studied at ("in which meeting").
    pub meeting_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAssignment {
    pub audience: Audience,
    pub members: Vec<i64>,
    pub deadline: NaiveDate,
    pub place: Place,
    pub reflection: bool,
    /// Set only with `Place::Meeting` (whether it is the cell's coming
    /// meeting is the service's to check).
    pub meeting_id: Option<i64>,
}

impl AssignmentDraft {
    /// A deadline before `today` is refused: members cannot study in the
    /// past. A group names at least one member.
    pub fn check(&self, today: NaiveDate) -> Result<CheckedAssignment, Problems> {
        let mut p = Problems::default();
        let audience = if self.audience.trim().is_empty() {
            Some(Audience::All)
        } else {
            p.take(Audience::parse(&self.audience))
        };
        // A meeting chosen is where it is studied, whatever the place says.
        let place = if self.meeting_id.is_some() {
            Some(Place::Meeting)
        } else if self.place.trim().is_empty() {
            Some(Place::Home)
        } else {
            p.take(Place::parse(&self.place))
        };
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
        let mut members = self.members.clone();
        members.sort_unstable();
        members.dedup();
        if audience == Some(Audience::Group) && members.is_empty() {
            p.push(Problem::new("members", "study.group_empty", ""));
        }
        if audience != Some(Audience::Group) {
            members.clear();
        }
        match (audience, place, deadline) {
            (Some(audience), Some(place), Some(deadline)) if p.is_empty() => {
                Ok(CheckedAssignment {
                    audience,
                    members,
                    deadline,
                    place,
                    reflection: self.reflection,
                    meeting_id: self.meeting_id,
                })
            }
            _ => Err(p),
        }
    }
}

/// A reflection's text: required, bounded, paragraphs kept.
pub fn reflection_text(body: &str) -> Result<String, Problems> {
    let mut p = Problems::default();
    match bounded(&mut p, "body", paragraphs(body), MAX_REFLECTION_CHARS) {
        Some(b) => Ok(b),
        None => Err(p),
    }
}

/// The document's text cut into pages for a small screen, at paragraph
/// ends where it can (a paragraph longer than a page is cut between words).
pub fn pages(text: &str) -> Vec<String> {
    fn push(page: &mut String, out: &mut Vec<String>) {
        if !page.trim().is_empty() {
            out.push(std::mem::take(page));
        }
        page.clear();
    }
    let mut out: Vec<String> = Vec::new();
    let mut page = String::new();
    for para in text.split('\n').filter(|l| !l.trim().is_empty()) {
        let len = para.chars().count();
        if page.chars().count() + len > PAGE_CHARS {
            push(&mut page, &mut out);
        }
        if len <= PAGE_CHARS {
            if !page.is_empty() {
                page.push('\n');
            }
            page.push_str(para);
            continue;
        }
        for word in para.split(' ') {
            if page.chars().count() + word.chars().count() + 1 > PAGE_CHARS {
                push(&mut page, &mut out);
            }
            if !page.is_empty() {
                page.push(' ');
            }
            page.push_str(word);
        }
        push(&mut page, &mut out);
    }
    push(&mut page, &mut out);
    out
}

/// A PDF starts with its signature; anything else is not one, whatever its
/// name says.
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

/// Whether every word of `query` is in `text`, both folded (case and
/// diacritics ignored: "nghi quyet" finds "Nghị quyết").
pub fn matches(query: &str, text: &str) -> bool {
    let hay = super::fold(text);
    super::fold(query)
        .split_whitespace()
        .all(|w| hay.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn a_document_needs_issuer_title_and_a_past_date() {
        let ok = DocumentDraft {
            kind: "nghi_quyet".into(),
            number: " 57-NQ/TW ".into(),
            issued_on: "22/12/2024".into(),
            issuer: "Bộ Chính trị".into(),
            title: " Nghị quyết   về phát triển khoa học ".into(),
            body: "Điều 1.\n\n\nĐiều 2.".into(),
        }
        .check(day(10))
        .unwrap();
        assert_eq!(ok.title, "Nghị quyết về phát triển khoa học");
        assert_eq!(ok.number, "57-NQ/TW");
        assert_eq!(ok.body, "Điều 1.\n\nĐiều 2.");
        let bad = DocumentDraft {
            kind: "thu".into(),
            issued_on: "11/03/2026".into(),
            issuer: "x".repeat(MAX_TITLE_CHARS + 1),
            ..DocumentDraft::default()
        }
        .check(day(10))
        .unwrap_err();
        let codes: Vec<_> = bad.0.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            codes,
            [
                ("kind", "study.kind"),
                ("issuer", "text.too_long"),
                ("title", "required"),
                ("issued_on", "date.future")
            ]
        );
    }

    #[test]
    fn an_assignment_needs_a_coming_deadline_and_a_group_its_members() {
        let ok = AssignmentDraft {
            audience: "group".into(),
            members: vec![3, 1, 3],
            deadline: "31/03/2026".into(),
            place: "meeting".into(),
            reflection: true,
            meeting_id: None,
        }
        .check(day(10))
        .unwrap();
        assert_eq!(ok.members, [1, 3]);
        assert_eq!(ok.place, Place::Meeting);
        let at = AssignmentDraft {
            deadline: "31/03/2026".into(),
            place: "home".into(),
            meeting_id: Some(4),
            ..AssignmentDraft::default()
        }
        .check(day(10))
        .unwrap();
        assert_eq!((at.place, at.meeting_id), (Place::Meeting, Some(4)));
        let all = AssignmentDraft {
            members: vec![5],
            deadline: "10/03/2026".into(),
            ..AssignmentDraft::default()
        }
        .check(day(10))
        .unwrap();
        assert_eq!((all.audience, all.members.len()), (Audience::All, 0));
        let bad = AssignmentDraft {
            audience: "group".into(),
            deadline: "09/03/2026".into(),
            ..AssignmentDraft::default()
        }
        .check(day(10))
        .unwrap_err();
        let codes: Vec<_> = bad.0.iter().map(|p| p.code).collect();
        assert_eq!(codes, ["study.deadline_past", "study.group_empty"]);
    }

    #[test]
    fn a_long_text_is_paged_at_paragraphs_and_a_long_paragraph_between_words() {
        let para = "chữ ".repeat(200).trim().to_string(); // 799 characters
        let text = [para.as_str(); 5].join("\n");
        let p = pages(&text);
        assert_eq!(p.len(), 3);
        assert!(p.iter().all(|x| x.chars().count() <= PAGE_CHARS));
        assert_eq!(p.join("\n"), text);
        let long = "từ ".repeat(1500);
        let p = pages(long.trim());
        assert!(p.len() >= 3 && p.iter().all(|x| x.chars().count() <= PAGE_CHARS));
        assert!(pages("").is_empty());
    }

    #[test]
    fn search_ignores_case_and_diacritics_and_a_pdf_is_known_by_its_signature() {
        assert!(matches("nghi quyet 57", "Nghị quyết 57-NQ/TW"));
        assert!(matches("KHOA HỌC", "về khoa học, công nghệ"));
        assert!(!matches("chi thi", "Nghị quyết"));
        assert!(is_pdf(b"%PDF-1.7\n..."));
        assert!(!is_pdf(b"<html>"));
    }
}
