//! Residents' concerns (ý kiến, kiến nghị của nhân dân): what a concern
//! holds, the states it goes through, its tracking code, and the quiet spam
//! check of the public page. Pure: no I/O.

use super::meeting::code_enum;
use super::{Phone, Problem, Problems};
use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

code_enum!(
    /// received → forwarded → answered → closed; the committee may answer
    /// within the cell without forwarding, and close an item as done,
    /// duplicate or spam from any open state (never delete it).
    ConcernState, "state", "concern.state" {
        Received = "received",
        Forwarded = "forwarded",
        Answered = "answered",
        Closed = "closed",
    }
);

code_enum!(
    /// How the concern reached the cell.
    Door, "door", "concern.door" {
        /// The cell's public page, without an account.
        Public = "public",
        /// A member wrote down what a resident told them.
        Member = "member",
        /// The secretary's batch after a residents' meeting.
        Meeting = "meeting",
    }
);

code_enum!(
    /// Why an item was closed.
    CloseReason, "reason", "concern.reason" {
        Done = "done",
        Duplicate = "duplicate",
        Spam = "spam",
    }
);

code_enum!(
    /// The body a concern is forwarded to; the reports upward list what
    /// went to the upper Party committee.
    ForwardBody, "body", "concern.body" {
        /// Trưởng thôn, tổ trưởng tổ dân phố.
        Thon = "thon",
        /// Ủy ban nhân dân xã, phường.
        UbndXa = "ubnd_xa",
        /// Mặt trận Tổ quốc.
        Mttq = "mttq",
        /// Cấp ủy cấp trên.
        CapUy = "cap_uy",
        Khac = "khac",
    }
);

/// What the committee does to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcernAct {
    Forward,
    Answer,
    Close(CloseReason),
}

impl ConcernState {
    /// The state after `act`, or the problem of doing it now.
    pub fn after(self, act: ConcernAct) -> Result<Self, Problem> {
        use ConcernState::*;
        match (self, act) {
            (Received, ConcernAct::Forward) => Ok(Forwarded),
            (Received | Forwarded, ConcernAct::Answer) => Ok(Answered),
            // Duplicate and spam are found on arrival, before any answer.
            // Done means answered first.
            (Received, ConcernAct::Close(CloseReason::Duplicate | CloseReason::Spam))
            | (Forwarded, ConcernAct::Close(CloseReason::Duplicate))
            | (Answered, ConcernAct::Close(CloseReason::Done)) => Ok(Closed),
            _ => Err(Problem::new("state", "concern.not_now", self.as_str())),
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, Self::Received | Self::Forwarded)
    }
}

/// The longest concern, in characters: a page of text, enough for what a
/// resident says at the door; longer belongs in a letter to the committee.
pub const MAX_BODY_CHARS: usize = 2000;
/// The longest area (tổ, xóm, street) and answer or forwarding note.
pub const MAX_AREA_CHARS: usize = 100;
pub const MAX_NOTE_CHARS: usize = 2000;

/// A concern as typed, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct ConcernDraft {
    pub area: String,
    pub body: String,
    pub contact: String,
}

/// A checked concern: NFC text within bounds, markup kept as text (it is
/// escaped wherever it is shown), a contact only if it is a phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedConcern {
    pub area: String,
    pub body: String,
    pub contact: Option<String>,
}

/// Text in NFC with its line breaks kept (a concern may have paragraphs),
/// each line trimmed, blank runs collapsed.
pub fn paragraphs(s: &str) -> String {
    let composed: String = s.nfc().collect();
    let lines: Vec<String> = composed
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let mut out: Vec<&str> = Vec::new();
    for l in &lines {
        if !(l.is_empty() && out.last().is_none_or(|p| p.is_empty())) {
            out.push(l);
        }
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// `value` trimmed, required, at most `max` characters.
pub fn bounded(p: &mut Problems, field: &'static str, value: String, max: usize) -> Option<String> {
    let n = value.chars().count();
    if value.is_empty() {
        p.push(Problem::new(field, "required", ""));
        None
    } else if n > max {
        p.push(Problem::new(field, "text.too_long", format!("{n}/{max}")));
        None
    } else {
        Some(value)
    }
}

/// The committee's text on an act (the body forwarded to, the answer, the
/// reason for closing): required and bounded.
pub fn note_text(p: &mut Problems, text: String) -> Option<String> {
    bounded(p, "text", text, MAX_NOTE_CHARS)
}

impl ConcernDraft {
    pub fn check(&self) -> Result<CheckedConcern, Problems> {
        let mut p = Problems::default();
        let area = bounded(&mut p, "area", super::nfc(&self.area), MAX_AREA_CHARS);
        let body = bounded(&mut p, "body", paragraphs(&self.body), MAX_BODY_CHARS);
        let contact = match self.contact.trim() {
            "" => None,
            c => p
                .take(Phone::parse(c).map_err(|e| Problem {
                    field: "contact",
                    ..e
                }))
                .map(|ph| ph.as_str().to_string()),
        };
        match (area, body) {
            (Some(area), Some(body)) if p.is_empty() => Ok(CheckedConcern {
                area,
                body,
                contact,
            }),
            _ => Err(p),
        }
    }
}

/// The quiet spam check of the public page: a hidden field a person never
/// fills, or a body that is mostly links. Such an item is kept, closed as
/// spam, and the sender is answered as anyone else.
pub fn looks_like_spam(trap: &str, body: &str) -> bool {
    let links = body.matches("http://").count() + body.matches("https://").count();
    !trap.trim().is_empty() || links >= 3
}

/// The alphabet of tracking codes: digits and capitals without I, L, O, U
/// (Crockford), so a code read over the phone or copied by hand survives.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Twelve characters: 60 random bits, beyond guessing at any rate the
/// public page allows.
const CODE_LEN: usize = 12;

/// A tracking code from random bytes, grouped by four (`7K2M-9QXD-4HRT`).
pub fn tracking_code(random: [u8; CODE_LEN]) -> String {
    let mut out = String::with_capacity(CODE_LEN + 2);
    for (i, b) in random.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(b & 31)]));
    }
    out
}

/// A code as a resident typed it, in the stored form; None when it cannot
/// be one (so a lookup is not even tried).
pub fn normal_code(typed: &str) -> Option<String> {
    let chars: Vec<char> = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if chars.len() != CODE_LEN || !chars.iter().all(|c| ALPHABET.contains(&(*c as u8))) {
        return None;
    }
    let mut out = String::new();
    for (i, c) in chars.into_iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    Some(out)
}

/// What an open item shows on a day: due to forward or answer, or late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    OnTime,
    Late,
}

/// Late when still received past the forwarding day, or still unanswered
/// past the answer day.
pub fn due_on(
    state: ConcernState,
    forward_due: NaiveDate,
    answer_due: NaiveDate,
    on: NaiveDate,
) -> Option<Due> {
    match state {
        ConcernState::Received if on > forward_due || on > answer_due => Some(Due::Late),
        ConcernState::Forwarded if on > answer_due => Some(Due::Late),
        s if s.is_open() => Some(Due::OnTime),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConcernState::*;

    #[test]
    fn the_state_machine_goes_forward_only() {
        assert_eq!(Received.after(ConcernAct::Forward), Ok(Forwarded));
        assert_eq!(Received.after(ConcernAct::Answer), Ok(Answered));
        assert_eq!(Forwarded.after(ConcernAct::Answer), Ok(Answered));
        assert_eq!(
            Answered.after(ConcernAct::Close(CloseReason::Done)),
            Ok(Closed)
        );
        assert_eq!(
            Received.after(ConcernAct::Close(CloseReason::Spam)),
            Ok(Closed)
        );
        assert_eq!(
            Forwarded.after(ConcernAct::Close(CloseReason::Duplicate)),
            Ok(Closed)
        );
        for (s, a) in [
            (Forwarded, ConcernAct::Forward),
            (Answered, ConcernAct::Forward),
            (Answered, ConcernAct::Answer),
            (Closed, ConcernAct::Answer),
            (Closed, ConcernAct::Close(CloseReason::Done)),
            (Received, ConcernAct::Close(CloseReason::Done)),
            (Forwarded, ConcernAct::Close(CloseReason::Spam)),
            (Answered, ConcernAct::Close(CloseReason::Spam)),
        ] {
            let e = s.after(a).unwrap_err();
            assert_eq!(
                (e.field, e.code),
                ("state", "concern.not_now"),
                "{s:?} {a:?}"
            );
        }
    }

    #[test]
    fn a_concern_is_bounded_and_keeps_markup_as_text() {
        let d = ConcernDraft {
            area: "  Tổ 5 ".into(),
            body: "<script>alert(1)</script>\r\n\r\n\r\nĐèn đường   hỏng".into(),
            contact: "0912 345 678".into(),
        };
        let c = d.check().unwrap();
        assert_eq!(c.area, "Tổ 5");
        assert_eq!(c.body, "<script>alert(1)</script>\n\nĐèn đường hỏng");
        assert_eq!(c.contact.as_deref(), Some("0912345678"));

        let long = ConcernDraft {
            area: String::new(),
            body: "a".repeat(MAX_BODY_CHARS + 1),
            contact: "abc".into(),
        };
        let p = long.check().unwrap_err();
        let codes: Vec<_> = p.0.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            codes,
            [
                ("area", "required"),
                ("body", "text.too_long"),
                ("contact", "phone.format")
            ]
        );
        assert!(
            ConcernDraft {
                area: "Tổ 1".into(),
                body: " \n ".into(),
                contact: String::new()
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn codes_are_grouped_and_read_back_as_typed() {
        let code = tracking_code([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 31]);
        assert_eq!(code, "1234-5678-9ABZ");
        assert_eq!(
            normal_code(" 1234 5678 9abz ").as_deref(),
            Some("1234-5678-9ABZ")
        );
        assert_eq!(
            normal_code("I234-5678-9ABZ").as_deref(),
            Some("1234-5678-9ABZ")
        );
        assert_eq!(normal_code("1234-5678"), None);
        assert_eq!(normal_code("1234-5678-9ABU"), None);
        assert_eq!(normal_code("1234-5678-9AB%"), None);
    }

    #[test]
    fn spam_is_a_filled_trap_or_a_page_of_links() {
        assert!(!looks_like_spam("", "Đường ngập khi mưa, xem https://a.vn"));
        assert!(looks_like_spam("x", "Đường ngập"));
        assert!(looks_like_spam(
            "",
            "https://a.vn https://b.vn http://c.vn mua ngay"
        ));
    }

    #[test]
    fn late_items_are_the_open_ones_past_their_day() {
        let d = |n| NaiveDate::from_ymd_opt(2026, 3, n).unwrap();
        assert_eq!(due_on(Received, d(5), d(20), d(5)), Some(Due::OnTime));
        assert_eq!(due_on(Received, d(5), d(20), d(6)), Some(Due::Late));
        assert_eq!(due_on(Forwarded, d(5), d(20), d(6)), Some(Due::OnTime));
        assert_eq!(due_on(Forwarded, d(5), d(20), d(21)), Some(Due::Late));
        assert_eq!(due_on(Answered, d(5), d(20), d(30)), None);
        assert_eq!(due_on(Closed, d(5), d(20), d(30)), None);
    }
}
