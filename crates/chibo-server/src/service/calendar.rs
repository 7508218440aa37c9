//! Meetings as iCalendar (RFC 5545): an invitation attached to the notice and
//! a member's personal feed.

use crate::store::meetings::MeetingRow;
use chrono::Duration;

/// Escapes a TEXT value (§3.3.11).
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (§3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
}

const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// A calendar of meetings (with their cells' names), linked back to chibo;
/// `minutes` gives each meeting's length.
pub fn ics(
    meetings: &[(MeetingRow, String)],
    base_url: &str,
    minutes: impl Fn(&MeetingRow) -> i64,
) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//chibo//chi bo//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(l, &mut out);
    }
    for (m, cell) in meetings {
        let end = m.starts_at + Duration::minutes(minutes(m));
        let status = if m.status == "draft" {
            "TENTATIVE"
        } else {
            "CONFIRMED"
        };
        let lines = [
            "BEGIN:VEVENT".to_string(),
            format!("UID:meeting-{}@chibo", m.id),
            format!("DTSTAMP:{}", m.starts_at.format(STAMP)),
            format!("DTSTART:{}", m.starts_at.format(STAMP)),
            format!("DTEND:{}", end.format(STAMP)),
            format!("SUMMARY:{}", text(&format!("Sinh hoạt {cell}"))),
            format!("LOCATION:{}", text(&m.place)),
            format!(
                "DESCRIPTION:{}",
                text(m.topic.as_deref().unwrap_or("Sinh hoạt chi bộ"))
            ),
            format!("URL:{base_url}/meetings/{}", m.id),
            format!("SEQUENCE:{}", m.version),
            format!("STATUS:{status}"),
            "END:VEVENT".to_string(),
        ];
        for l in lines {
            fold(&l, &mut out);
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}

impl super::Services {
    /// A meeting's block in a calendar: the minimum length the rule pack sets
    /// for its kind (HD 42: 90 minutes, 120 when combined with a thematic one).
    pub fn calendar_minutes(&self, m: &MeetingRow) -> i64 {
        let on = super::today(m.starts_at);
        self.rules
            .min_meeting_minutes(m.kind == "ket_hop", on)
            .map(i64::from)
            .inspect_err(|e| tracing::error!("meeting length for the calendar: {e}"))
            .unwrap_or_default()
    }

    /// One meeting as an invitation, for those who may see it.
    pub async fn meeting_invite(
        &self,
        actor: &super::Actor,
        id: i64,
        base_url: &str,
    ) -> super::Result<String> {
        let (m, cell) = self.meeting(actor, id).await?;
        Ok(ics(&[(m, cell.name)], base_url, |m| {
            self.calendar_minutes(m)
        }))
    }

    /// A member's personal feed, by its secret: every meeting of their cell.
    pub async fn member_feed(&self, token: &str, base_url: &str) -> super::Result<String> {
        let (meetings, cell) = self.feed_meetings(token).await?;
        let named: Vec<_> = meetings.into_iter().map(|m| (m, cell.clone())).collect();
        Ok(ics(&named, base_url, |m| self.calendar_minutes(m)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn meeting() -> MeetingRow {
        MeetingRow {
            id: 7,
            cell_id: 1,
            kind: "thuong_ky".into(),
            topic: Some("Học tập Nghị quyết; chuyên đề, tháng 12".into()),
            starts_at: Utc.with_ymd_and_hms(2026, 12, 5, 12, 30, 0).unwrap(),
            place: "Nhà văn hóa khu phố 3, phường Bến Nghé".into(),
            chair_id: None,
            secretary_id: None,
            preparer_id: None,
            guest: None,
            status: "notified".into(),
            opened_at: None,
            closed_at: None,
            minutes_locked_at: None,
            minutes_hash: None,
            version: 2,
            open_reason: None,
            close_reason: None,
        }
    }

    #[test]
    fn events_are_escaped_folded_and_in_utc() {
        let s = ics(
            &[(meeting(), "Chi bộ Khu phố 3".into())],
            "https://chibo.example",
            |_| 90,
        );
        assert!(s.starts_with("BEGIN:VCALENDAR\r\n") && s.ends_with("END:VCALENDAR\r\n"));
        assert!(s.contains("DTSTART:20261205T123000Z\r\n"));
        assert!(s.contains("DTEND:20261205T140000Z\r\n"));
        assert!(s.contains("DESCRIPTION:Học tập Nghị quyết\\; chuyên đề\\, tháng 12"));
        assert!(s.lines().all(|l| l.len() <= 75), "{s}");
        // Unfolding gives back the location.
        let unfolded = s.replace("\r\n ", "");
        assert!(unfolded.contains("LOCATION:Nhà văn hóa khu phố 3\\, phường Bến Nghé"));
    }
}
