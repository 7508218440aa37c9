//! Meetings as iCalendar (RFC 5545): an invitation attached to the notice and
//! a member's personal feed.

use super::documents::{FileName, kind_label};
use super::{Result, Services};
use crate::store::meetings::MeetingRow;
use crate::store::register;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// When calendars remind of a meeting: two hours ahead, time to get there
/// from work for an evening meeting (a phone's own default is often none).
const REMIND_BEFORE: &str = "-PT2H";

/// Escapes a TEXT value (§3.3.11).
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace(['\n', '\r'], "\\n")
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

/// What a calendar file says about itself.
pub struct Feed<'a> {
    /// Shown as the calendar's name (`X-WR-CALNAME`).
    pub name: &'a str,
    /// chibo's address: links back, and the host part of the UIDs.
    pub base_url: &'a str,
    /// This installation's id: two installations never share a UID.
    pub installation: &'a str,
    /// When the file is made (`DTSTAMP`).
    pub now: DateTime<Utc>,
}

/// The host of chibo's address, for UIDs ("chibo.example").
fn host(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    if host.is_empty() { "chibo" } else { host }
}

/// The event's title: the kind of meeting, its topic, the cell.
fn summary(m: &MeetingRow, cell: &str) -> String {
    let kind = kind_label(&m.kind);
    match m.topic.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(topic) => format!("Sinh hoạt {kind}: {topic} — {cell}"),
        None => format!("Sinh hoạt {kind} — {cell}"),
    }
}

/// A calendar of meetings (with their cells' names), linked back to chibo;
/// `minutes` gives each meeting's length.
pub fn ics(
    feed: &Feed,
    meetings: &[(MeetingRow, String)],
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
    fold(&format!("X-WR-CALNAME:{}", text(feed.name)), &mut out);
    let host = host(feed.base_url);
    for (m, cell) in meetings {
        let end = m.starts_at + Duration::minutes(minutes(m));
        let status = if m.status == "draft" {
            "TENTATIVE"
        } else {
            "CONFIRMED"
        };
        let title = summary(m, cell);
        let url = format!("{}/meetings/{}", feed.base_url, m.id);
        let description = match m.topic.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(topic) => format!("Chuyên đề: {topic}\n{url}"),
            None => url.clone(),
        };
        let lines = [
            "BEGIN:VEVENT".to_string(),
            format!("UID:meeting-{}-{}@{host}", m.id, feed.installation),
            format!("DTSTAMP:{}", feed.now.format(STAMP)),
            format!("DTSTART:{}", m.starts_at.format(STAMP)),
            format!("DTEND:{}", end.format(STAMP)),
            format!("SUMMARY:{}", text(&title)),
            format!("LOCATION:{}", text(&m.place)),
            format!("DESCRIPTION:{}", text(&description)),
            format!("URL:{url}"),
            format!("SEQUENCE:{}", m.version),
            format!("STATUS:{status}"),
            "BEGIN:VALARM".to_string(),
            "ACTION:DISPLAY".to_string(),
            format!("DESCRIPTION:{}", text(&title)),
            format!("TRIGGER:{REMIND_BEFORE}"),
            "END:VALARM".to_string(),
            "END:VEVENT".to_string(),
        ];
        for l in lines {
            fold(&l, &mut out);
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}

/// An invitation's file name: "sinh-hoat-chi-bo-khu-pho-3-2026-12-05".
pub fn invitation_name(m: &MeetingRow, cell: &str) -> FileName {
    let day = m.starts_at.with_timezone(&Ho_Chi_Minh).format("%Y-%m-%d");
    FileName::of(&["Sinh hoạt", cell, &day.to_string()])
}

impl Services {
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

    /// The calendar file of these meetings of `cell`, made at `now` by the
    /// installation `installation` ([`register::installation_id`]).
    pub fn calendar(
        &self,
        meetings: &[(MeetingRow, String)],
        cell: &str,
        installation: &str,
        base_url: &str,
        now: DateTime<Utc>,
    ) -> String {
        let name = format!("Sinh hoạt chi bộ — {cell}");
        let feed = Feed {
            name: &name,
            base_url,
            installation,
            now,
        };
        ics(&feed, meetings, |m| self.calendar_minutes(m))
    }

    /// One meeting as an invitation (its file name and the calendar), for
    /// those who may see it.
    pub async fn meeting_invite(
        &self,
        actor: &super::Actor,
        id: i64,
        base_url: &str,
    ) -> Result<(FileName, String)> {
        let (m, cell, installation) = self
            .db
            .read(async |r| {
                let (m, cell) = super::meetings::meeting(r, actor, id).await?;
                let installation = register::installation_id(r).await?;
                Ok::<_, super::ServiceError>((m, cell.name, installation))
            })
            .await?;
        let name = invitation_name(&m, &cell);
        let ics = self.calendar(
            &[(m, cell.clone())],
            &cell,
            &installation,
            base_url,
            self.now(),
        );
        Ok((name, ics))
    }

    /// A member's personal feed, by its secret: every meeting of their cell.
    pub async fn member_feed(&self, token: &str, base_url: &str) -> Result<String> {
        let (meetings, cell, installation) = self.feed_meetings(token).await?;
        let named: Vec<_> = meetings.into_iter().map(|m| (m, cell.clone())).collect();
        Ok(self.calendar(&named, &cell, &installation, base_url, self.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::collections::HashSet;

    fn meeting(id: i64) -> MeetingRow {
        MeetingRow {
            id,
            cell_id: 1,
            kind: "chuyen_de".into(),
            topic: Some(
                "Học tập Nghị quyết; chuyên đề, tháng 12 về xây dựng Đảng trong sạch, vững mạnh"
                    .into(),
            ),
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

    /// Made on 3 December, a week and more before the meetings.
    fn feed(installation: &str) -> Feed<'_> {
        Feed {
            name: "Sinh hoạt chi bộ — Chi bộ Khu phố 3",
            base_url: "https://chibo.example:8443/app",
            installation,
            now: Utc.with_ymd_and_hms(2026, 12, 3, 2, 15, 9).unwrap(),
        }
    }

    /// The RFC 5545 rules a calendar program relies on, checked strictly: a
    /// failure names the rule.
    fn validate(s: &str) -> Vec<(String, Vec<(String, String)>)> {
        assert!(s.ends_with("\r\n"), "§3.1: lines end with CRLF");
        let physical: Vec<&str> = s.split("\r\n").collect();
        for l in &physical {
            assert!(l.len() <= 75, "§3.1: {} octets: {l:?}", l.len());
            assert!(
                !l.contains('\n') && !l.contains('\r'),
                "§3.1: bare line break in {l:?}"
            );
        }
        let unfolded = s.replace("\r\n ", "").replace("\r\n\t", "");
        let mut stack: Vec<(String, Vec<(String, String)>)> = vec![];
        let mut done = vec![];
        for line in unfolded.split("\r\n").filter(|l| !l.is_empty()) {
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("§3.1: no ':' in {line:?}"));
            let name = name.split(';').next().unwrap();
            assert!(
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'),
                "§3.1: name {name:?}"
            );
            match name {
                "BEGIN" => stack.push((value.to_owned(), vec![])),
                "END" => {
                    let c = stack.pop().expect("END without BEGIN");
                    assert_eq!(c.0, value, "§3.4: BEGIN/END pairs");
                    done.push(c);
                }
                _ => stack
                    .last_mut()
                    .expect("property outside a component")
                    .1
                    .push((name.to_owned(), value.to_owned())),
            }
        }
        assert!(stack.is_empty(), "§3.4: every BEGIN has its END");
        let utc = |v: &str| {
            v.len() == 16
                && v.as_bytes()[8] == b'T'
                && v.ends_with('Z')
                && v.bytes()
                    .enumerate()
                    .all(|(i, b)| i == 8 || i == 15 || b.is_ascii_digit())
        };
        let mut uids = HashSet::new();
        for (kind, props) in &done {
            let get = |n: &str| {
                props
                    .iter()
                    .filter(|(k, _)| k == n)
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
            };
            match kind.as_str() {
                "VCALENDAR" => {
                    assert_eq!(get("VERSION"), ["2.0"], "§3.7.4");
                    assert_eq!(get("PRODID").len(), 1, "§3.7.3");
                }
                "VEVENT" => {
                    let uid = get("UID");
                    assert_eq!(uid.len(), 1, "§3.8.4.7: one UID");
                    assert!(uids.insert(uid[0].to_owned()), "§3.8.4.7: UIDs unique");
                    let stamp = get("DTSTAMP");
                    assert!(
                        stamp.len() == 1 && utc(stamp[0]),
                        "§3.8.7.2: DTSTAMP in UTC: {stamp:?}"
                    );
                    assert!(
                        get("DTSTART").len() == 1 && utc(get("DTSTART")[0]),
                        "§3.8.2.4"
                    );
                }
                "VALARM" => {
                    assert_eq!(get("ACTION"), ["DISPLAY"], "§3.6.6");
                    assert_eq!(get("TRIGGER").len(), 1, "§3.6.6: a TRIGGER");
                    assert_eq!(
                        get("DESCRIPTION").len(),
                        1,
                        "§3.6.6: DISPLAY needs DESCRIPTION"
                    );
                }
                other => panic!("unexpected component {other}"),
            }
        }
        done
    }

    fn prop<'a>(c: &'a (String, Vec<(String, String)>), name: &str) -> &'a str {
        &c.1.iter().find(|(k, _)| k == name).unwrap().1
    }

    #[test]
    fn calendars_follow_rfc_5545_with_a_reminder_a_name_and_the_topic() {
        let s = ics(
            &feed("4f1c0e"),
            &[
                (meeting(7), "Chi bộ Khu phố 3".into()),
                (meeting(8), "Chi bộ Khu phố 3".into()),
            ],
            |_| 90,
        );
        let components = validate(&s);
        let events: Vec<_> = components.iter().filter(|c| c.0 == "VEVENT").collect();
        assert_eq!(events.len(), 2);
        let e = events[0];
        // Stamped when the file was made, not when the meeting starts.
        assert_eq!(prop(e, "DTSTAMP"), "20261203T021509Z");
        assert_eq!(prop(e, "DTSTART"), "20261205T123000Z");
        assert_eq!(prop(e, "DTEND"), "20261205T140000Z");
        assert_eq!(prop(e, "UID"), "meeting-7-4f1c0e@chibo.example");
        assert_eq!(
            prop(e, "SUMMARY"),
            "Sinh hoạt chuyên đề: Học tập Nghị quyết\\; chuyên đề\\, tháng 12 về xây dựng Đảng trong sạch\\, vững mạnh — Chi bộ Khu phố 3"
        );
        assert_eq!(
            prop(e, "LOCATION"),
            "Nhà văn hóa khu phố 3\\, phường Bến Nghé"
        );
        assert_eq!(components.iter().filter(|c| c.0 == "VALARM").count(), 2);
        let calendar = components.iter().find(|c| c.0 == "VCALENDAR").unwrap();
        assert_eq!(
            prop(calendar, "X-WR-CALNAME"),
            "Sinh hoạt chi bộ — Chi bộ Khu phố 3"
        );
        assert!(s.contains("TRIGGER:-PT2H\r\n"));
    }

    #[test]
    fn two_installations_never_share_a_uid() {
        let one = ics(&feed("aaaa"), &[(meeting(5), "Chi bộ 1".into())], |_| 90);
        let two = ics(&feed("bbbb"), &[(meeting(5), "Chi bộ 1".into())], |_| 90);
        let uid =
            |s: &str| prop(validate(s).iter().find(|c| c.0 == "VEVENT").unwrap(), "UID").to_owned();
        assert_ne!(uid(&one), uid(&two));
    }

    #[test]
    fn hosts_come_from_the_address() {
        assert_eq!(host("https://chibo.example:8443/app"), "chibo.example");
        assert_eq!(host("http://127.0.0.1:3000"), "127.0.0.1");
        assert_eq!(host("http://user@chi-bo.vn"), "chi-bo.vn");
        assert_eq!(host(""), "chibo");
    }
}
