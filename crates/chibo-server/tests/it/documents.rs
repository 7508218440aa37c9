//! Printed files as an office receives them, on both backends: notices
//! numbered and dated when sent, the roll-up numbered once per text, files
//! named by kind, number, unit and date, calendars with this installation's
//! UIDs, typed lines kept in reports. Dates come from a fixed clock.

use crate::support::{Backend, TestApp};
use chibo_print::inspect;
use chibo_server::service::dashboard::PeriodQuery;
use chibo_server::service::documents::DocKind;
use chibo_server::service::meetings::MeetingForm;
use chibo_server::service::reports::Sections;
use chibo_server::store;
use chibo_test_macros::db_test;

/// A meeting on `day` (dd/mm/yyyy).
fn form(day: &str, place: &str) -> MeetingForm {
    MeetingForm {
        kind: "ket_hop".into(),
        topic: "Học tập Nghị quyết Đại hội XIV của Đảng".into(),
        date: day.into(),
        time: "19:30".into(),
        place: place.into(),
        ..MeetingForm::default()
    }
}

fn disposition(res: &reqwest::Response) -> String {
    res.headers()["content-disposition"]
        .to_str()
        .expect("ASCII header")
        .to_owned()
}

#[db_test]
async fn a_notice_is_numbered_and_dated_the_day_it_is_sent(b: Backend) {
    {
        let app = TestApp::demo(b).await;
        let sent_at = app.now();
        // Eight days on (the app's today is 3 December: the 11th).
        let day = app.date_in(8);
        let actor = app.actor("bithu").await;
        let cell = app.services.org(app.cell_ids().await[0]).await.unwrap();
        let s = &app.services;
        let id = s
            .plan_meeting(
                &actor,
                cell.id,
                &form(&day, "Nhà văn hóa khu phố 1"),
                sent_at,
            )
            .await
            .unwrap();
        // Not sent yet: a draft, dated the day it is printed.
        let draft = s
            .meeting_documents(&actor, id, DocKind::Notice, sent_at)
            .await
            .unwrap();
        assert_eq!(
            draft.docs[0].header.number.as_deref(),
            Some("Số     -TB/CB"),
            "{b:?}"
        );

        s.send_notice(&actor, id, sent_at).await.unwrap();
        app.clock.advance(chrono::Duration::days(2));
        let later = app.now();
        let p = s
            .meeting_documents(&actor, id, DocKind::Notice, later)
            .await
            .unwrap();
        let notice = &p.docs[0];
        assert_eq!(
            notice.header.number.as_deref(),
            Some("Số 01-TB/CB"),
            "{b:?}"
        );
        assert!(
            notice
                .header
                .place_date
                .ends_with("ngày 03 tháng 12 năm 2026"),
            "{b:?}: dated when sent, not on the meeting's day: {}",
            notice.header.place_date
        );
        assert!(
            p.name.ascii.starts_with("thong-bao-01-tb-cb-chi-bo-")
                && p.name.ascii.ends_with("-2026-12-11"),
            "{b:?}: {}",
            p.name.ascii
        );
        let text =
            inspect::text(&chibo_print::render_pdf(notice, &p.properties, &p.layout).unwrap());
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("Chuyên đề: Học tập Nghị quyết Đại hội XIV của Đảng."),
            "{b:?}: {flat}"
        );

        // Sent again unchanged: the same notice. Changed, then sent: a new one.
        s.send_notice(&actor, id, later).await.unwrap();
        let again = s
            .meeting_documents(&actor, id, DocKind::Notice, later)
            .await
            .unwrap();
        assert_eq!(again.docs[0].header, notice.header, "{b:?}");
        s.update_meeting(&actor, id, &form(&day, "Hội trường phường Bến Nghé"), later)
            .await
            .unwrap();
        s.send_notice(&actor, id, later).await.unwrap();
        let changed = s
            .meeting_documents(&actor, id, DocKind::Notice, later)
            .await
            .unwrap();
        assert_eq!(
            changed.docs[0].header.number.as_deref(),
            Some("Số 02-TB/CB"),
            "{b:?}"
        );
        assert!(
            changed.docs[0]
                .header
                .place_date
                .ends_with("ngày 05 tháng 12 năm 2026"),
            "{b:?}"
        );

        // Downloaded: saved under its own name, in ASCII and in Vietnamese.
        let (c, _) = app.login("bithu").await;
        let res = c
            .get(app.url(&format!("/meetings/{id}/docs/thong-bao.docx")))
            .send()
            .await
            .unwrap();
        let d = disposition(&res);
        assert!(
            d.starts_with("attachment; filename=\"thong-bao-02-tb-cb-chi-bo-")
                && d.contains("-2026-12-11.docx\"; filename*=UTF-8''Th%C3%B4ng%20b%C3%A1o%2002-TB-CB%20Chi%20b%E1%BB%99%20"),
            "{b:?}: {d}"
        );
        let res = c
            .get(app.url(&format!("/meetings/{id}/docs/ho-so.pdf")))
            .send()
            .await
            .unwrap();
        assert!(
            disposition(&res).starts_with("inline; filename=\"ho-so-sinh-hoat-chi-bo-chi-bo-"),
            "{b:?}"
        );
    }
}

#[db_test]
async fn the_roll_up_is_numbered_once_and_named_for_its_period(b: Backend) {
    {
        let app = TestApp::demo(b).await;
        let (c, _) = app.login("dangbo").await;
        let query = "period=quy&year=2026&index=3";
        let get = |file: &str| {
            let c = c.clone();
            let url = app.url(&format!("/rollup/{file}?{query}"));
            async move { c.get(url).send().await.unwrap() }
        };
        let pdf = get("tong-hop.pdf").await;
        assert_eq!(pdf.status(), 200, "{b:?}");
        assert!(
            disposition(&pdf).starts_with(
                "inline; filename=\"tong-hop-quy-3-2026-01-bc-du-dang-bo-phuong-ben-nghe.pdf\"; filename*=UTF-8''T%E1%BB%95ng%20h%E1%BB%A3p%20qu%C3%BD%203%202026%2001-BC-%C4%90U"
            ),
            "{b:?}: {}",
            disposition(&pdf)
        );
        let text = inspect::text(&pdf.bytes().await.unwrap());
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("ĐẢNG ỦY PHƯỜNG BẾN NGHÉ")
                && flat.contains("Số 01-BC/ĐU")
                && flat.contains("T/M ĐẢNG ỦY"),
            "{b:?}: {flat}"
        );
        assert!(
            !flat.contains("ĐẢNG BỘ PHƯỜNG BẾN NGHÉ"),
            "{b:?}: the committee issues it"
        );
        // The same figures in Word: the same report, the same number.
        let docx = get("tong-hop.docx").await;
        assert!(
            disposition(&docx).starts_with(
                "attachment; filename=\"tong-hop-quy-3-2026-01-bc-du-dang-bo-phuong-ben-nghe.docx\""
            ),
            "{b:?}: {}",
            disposition(&docx)
        );
        let xlsx = get("tong-hop.xlsx").await;
        assert!(
            disposition(&xlsx).starts_with(
                "attachment; filename=\"tong-hop-quy-3-2026-dang-bo-phuong-ben-nghe.xlsx\""
            ),
            "{b:?}: {}",
            disposition(&xlsx)
        );
        let db = &app.services.db;
        let first = db
            .read(async |r| store::audit::for_entity(r, "rollup", 1).await)
            .await
            .unwrap();
        assert_eq!(first.len(), 1, "{b:?}: numbered once, with its audit entry");
        assert_eq!(first[0].action, "rollup.issue");
        assert!(
            db.read(async |r| store::audit::for_entity(r, "rollup", 2).await)
                .await
                .unwrap()
                .is_empty(),
            "{b:?}"
        );
    }
}

#[db_test]
async fn calendars_carry_this_installations_uids(b: Backend) {
    let mut ids = vec![];
    {
        let app = TestApp::demo(b).await;
        let sent_at = app.now();
        // Eight days on (the app's today is 3 December: the 11th).
        let day = app.date_in(8);
        let actor = app.actor("bithu").await;
        let cell = app.services.org(app.cell_ids().await[0]).await.unwrap();
        let id = app
            .services
            .plan_meeting(
                &actor,
                cell.id,
                &form(&day, "Nhà văn hóa khu phố 1"),
                sent_at,
            )
            .await
            .unwrap();
        let installation = app
            .services
            .db
            .read(async |r| store::register::installation_id(r).await)
            .await
            .unwrap();
        assert_eq!(installation.len(), 32, "{b:?}: {installation}");
        let (c, _) = app.login("bithu").await;
        let res = c
            .get(app.url(&format!("/meetings/{id}/invite.ics")))
            .send()
            .await
            .unwrap();
        assert!(
            disposition(&res).starts_with("attachment; filename=\"sinh-hoat-chi-bo-")
                && disposition(&res).contains("-2026-12-11.ics\""),
            "{b:?}: {}",
            disposition(&res)
        );
        let ics = res.text().await.unwrap().replace("\r\n ", "");
        assert!(
            ics.contains(&format!("UID:meeting-{id}-{installation}@127.0.0.1\r\n")),
            "{b:?}: {ics}"
        );
        assert!(
            ics.contains("BEGIN:VALARM\r\n") && ics.contains("X-WR-CALNAME:"),
            "{b:?}"
        );
        assert!(ics.contains("SUMMARY:Sinh hoạt thường kỳ kết hợp chuyên đề: Học tập Nghị quyết Đại hội XIV của Đảng — "), "{b:?}: {ics}");
        assert!(
            ics.contains(&format!("DTSTAMP:{}\r\n", sent_at.format("%Y%m%dT%H%M%SZ")))
                && ics.contains("DTSTART:20261211T123000Z\r\n"),
            "{b:?}: stamped when made, not at the start: {ics}"
        );
        // The id stays what it was made.
        assert_eq!(
            app.services
                .db
                .read(async |r| store::register::installation_id(r).await)
                .await
                .unwrap(),
            installation
        );
        ids.push(installation);
    }
    let other = TestApp::empty(Backend::Sqlite).await;
    let theirs = other
        .services
        .db
        .read(async |r| store::register::installation_id(r).await)
        .await
        .unwrap();
    assert!(!ids.contains(&theirs), "each installation has its own id");
}

#[db_test]
async fn a_reports_typed_lines_survive(b: Backend) {
    {
        let app = TestApp::demo(b).await;
        let sent_at = app.now();
        let actor = app.actor("bithu").await;
        let cell = app.services.org(app.cell_ids().await[0]).await.unwrap();
        let period = PeriodQuery {
            period: Some("quy".into()),
            year: Some(2026),
            index: Some(3),
        };
        let s = &app.services;
        let id = s
            .create_report(&actor, Some(cell.id), &period, sent_at)
            .await
            .unwrap();
        let sections = Sections {
            assessment: "Chi bộ đạt kết quả:\r\n1. Sinh hoạt đều đặn.\r\n2.   Đảng viên gương mẫu.\r\n\r\n\r\nNhìn chung tốt.".into(),
            limits: String::new(),
            next: "  \n".into(),
        };
        s.save_report(&actor, id, 1, &sections, sent_at)
            .await
            .unwrap();
        let r = s.report(&actor, id, sent_at).await.unwrap();
        assert_eq!(
            r.content.sections.assessment,
            "Chi bộ đạt kết quả:\n1. Sinh hoạt đều đặn.\n2. Đảng viên gương mẫu.\n\nNhìn chung tốt.",
            "{b:?}"
        );
        let p = s.report_document(&actor, id, sent_at).await.unwrap();
        let text =
            inspect::text(&chibo_print::render_pdf(&p.docs[0], &p.properties, &p.layout).unwrap());
        for line in ["1. Sinh hoạt đều đặn.", "2. Đảng viên gương mẫu."] {
            assert!(
                text.lines().any(|l| l.trim() == line),
                "{b:?}: {line:?} in\n{text}"
            );
        }
        assert!(
            p.name.ascii.starts_with("bao-cao-chi-bo-") && p.name.ascii.ends_with("-quy-3-2026"),
            "{b:?}: {}",
            p.name.ascii
        );
    }
}
