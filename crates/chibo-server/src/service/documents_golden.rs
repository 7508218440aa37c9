//! Golden documents: every kind chibo prints, filled with the longest
//! realistic data (the longest Vietnamese names, 14-digit codes, 40 rows),
//! in PDF and in DOCX as LibreOffice prints it, and the spreadsheets read
//! back. Nothing crosses a table's border, no code, date or number breaks,
//! the signature shares its page with the body, typed lines stay lines.

use super::*;
use crate::service::concerns::{ConcernFigures, ConcernTask, ConcernTaskLine, ForwardedItem};
use crate::service::dashboard::{CellLine, totals};
use crate::service::reports::{Figures, ReportBody, Rollup, Sections, report_blocks};
use crate::service::study::StudyShare;
use crate::service::task_print;
use crate::service::tasks::TaskItem;
use crate::store::meetings::{AgendaItem, MeetingRow, ResolutionRow, RollEntry, Speech, VoteRow};
use crate::store::orgs::OrgRow;
use crate::store::stats::{MeetingStat, Presence, ResolutionStat, TaskCounts};
use crate::store::tasks::{Owner, TaskRow};
use chibo_docs::sheet::Value;
use chibo_print::inspect::{self, Page, office_pdfs};
use chrono::TimeZone;

/// Real names at the long end of Vietnamese usage.
const NAMES: [&str; 4] = [
    "Công Tằng Tôn Nữ Thị Hoàng Phương Khuê",
    "Nguyễn Huỳnh Thị Ngọc Phượng Hoàng Yến",
    "Hoàng Phủ Ngọc Tường Vy Anh",
    "Tôn Thất Nguyễn Phước Bửu Long",
];
const CELL: &str = "Chi bộ Trường Trung học phổ thông Nguyễn Thị Minh Khai";
const ROWS: usize = 40;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn date_of(i: usize) -> NaiveDate {
    d(2026, 1 + (i % 12) as u32, 10 + (i % 19) as u32)
}

fn name(i: usize) -> String {
    NAMES[i % NAMES.len()].to_owned()
}

fn cell() -> OrgRow {
    OrgRow {
        id: 12,
        parent_id: Some(2),
        kind: "chi_bo".into(),
        code: Some("79.001.000.000.012".into()),
        name: CELL.into(),
        short_name: None,
        cell_type: Some("truong_hoc".into()),
        place: Some("Bến Nghé".into()),
        path: "/1/2/12/".into(),
    }
}

fn context() -> Context {
    Context {
        superior: "ĐẢNG BỘ PHƯỜNG BẾN NGHÉ".into(),
        issuer: issuer_line(&cell()),
        unit: CELL.into(),
        place: "Bến Nghé".into(),
        day: d(2026, 12, 11),
        // The roll of [`view`]: every other member present.
        counts: Panel {
            on_roll: ROWS,
            present: ROWS / 2,
            excused: ROWS / 4,
            unexcused: ROWS / 4,
            voters_present: (ROWS / 2) as u32,
            base: ROWS as u32,
            needed: (ROWS / 2 + 1) as u32,
            ..Panel::default()
        },
        secretary_name: name(0),
        chair: name(1),
        minute_taker: name(2),
        layout: Layout::default(),
        symbol: "CB".into(),
    }
}

const TOPIC: &str =
    "Học tập, quán triệt Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng";

fn view() -> MeetingView {
    let starts_at = Utc.with_ymd_and_hms(2026, 12, 11, 12, 0, 0).unwrap();
    let meeting = MeetingRow {
        id: 5,
        cell_id: 12,
        kind: "ket_hop".into(),
        topic: Some(TOPIC.into()),
        starts_at,
        place: "Phòng họp Hội đồng sư phạm, tầng 2, nhà A".into(),
        chair_id: Some(2),
        secretary_id: Some(3),
        preparer_id: None,
        guest: Some(name(3)),
        status: "closed".into(),
        opened_at: Some(starts_at),
        closed_at: Some(starts_at + chrono::Duration::minutes(125)),
        minutes_locked_at: None,
        minutes_hash: None,
        version: 9,
        open_reason: None,
        close_reason: None,
    };
    let items = (0..6)
        .map(|i| AgendaItem {
            id: 100 + i,
            meeting_id: 5,
            position: i,
            kind: "khac".into(),
            title: format!("Kiểm điểm kết quả thực hiện nhiệm vụ chính trị, công tác xây dựng Đảng, phần {}", i + 1),
            minutes: "Chi bộ thống nhất các nội dung sau:\n1. Tổ chức học tập Nghị quyết.\n2. Thu nộp đảng phí đúng hạn.\n3. Thăm hỏi gia đình chính sách.".into(),
            minutes_version: 1,
        })
        .collect();
    let presence = ["co_mat", "vang_co_ly_do", "co_mat", "vang_khong_ly_do"];
    let roll = (0..ROWS)
        .map(|i| RollEntry {
            member_id: i as i64 + 1,
            full_name: name(i),
            member_status: crate::model::Status::ChinhThuc,
            presence: Some(presence[i % 4].into()),
            reason: (i % 4 == 1).then(|| "Đi công tác theo Quyết định số 1234/QĐ-UBND".into()),
            arrived_at: None,
            left_at: None,
        })
        .collect();
    let votes = (0..3)
        .map(|i| VoteRow {
            id: 50 + i,
            meeting_id: 5,
            kind: "nghi_quyet".into(),
            subject: format!(
                "Thông qua Nghị quyết sinh hoạt chi bộ tháng 12 năm 2026, lần {}",
                i + 1
            ),
            mode: "gio_tay".into(),
            status: "closed".into(),
            roll: "[]".into(),
            tan_thanh: 38,
            khong_tan_thanh: 1,
            khong_bieu_quyet: 1,
            outcome: Some("thong_qua".into()),
            needed: Some(21),
            got: Some(38),
            base: Some(40),
            explanation: Some("Thông qua: 38/40 đồng chí tán thành, đạt 95%".into()),
            citations: None,
            opened_at: starts_at,
            closed_at: Some(starts_at),
        })
        .collect();
    let assignments: Vec<serde_json::Value> = (0..ROWS)
        .map(|i| {
            serde_json::json!({
                "what": "Vận động nhân dân tham gia phong trào bảo vệ môi trường, giữ gìn vệ sinh khu phố",
                "who": format!("{}, {}", name(i), name(i + 1)),
                "deadline": format_date(date_of(i)),
            })
        })
        .collect();
    let resolution = ResolutionRow {
        id: 7,
        meeting_id: 5,
        cell_id: 12,
        subject: "về nhiệm vụ tháng 01 năm 2027".into(),
        results: "Kết quả nổi bật:\n1. Hoàn thành 100% chỉ tiêu thu đảng phí.\n2. Tổ chức thành công hội thi giáo viên dạy giỏi.".into(),
        tasks: "- Tổ chức học tập Nghị quyết.\n- Chuẩn bị kiểm điểm cuối năm.".into(),
        assignments: serde_json::Value::Array(assignments).to_string(),
        no_tasks: false,
        status: "adopted".into(),
        vote_id: Some(50),
        number: Some(127),
        number_text: Some("Số 127-NQ/CB".into()),
        adopted_at: Some(starts_at),
        hash: None,
        version: 2,
    };
    let speeches = (0..4)
        .map(|i| Speech {
            id: i,
            agenda_item_id: 100,
            member_id: None,
            speaker: name(i as usize),
            body: "Đề nghị chi ủy sớm phân công đảng viên theo dõi các hộ gia đình chính sách."
                .into(),
        })
        .collect();
    MeetingView {
        meeting,
        cell: cell(),
        may_manage: true,
        items,
        roll,
        votes,
        resolution: Some(resolution),
        speeches,
    }
}

fn review() -> Vec<Vec<String>> {
    (0..ROWS)
        .map(|i| {
            vec![
                (i + 1).to_string(),
                "Rà soát, cập nhật hồ sơ đảng viên và danh sách đảng viên được miễn sinh hoạt"
                    .into(),
                name(i),
                "Hoàn thành; đóng".into(),
            ]
        })
        .collect()
}

fn report() -> Document {
    let starts = |i: usize| {
        Utc.with_ymd_and_hms(2026, 10, 1 + i as u32 % 28, 12, 0, 0)
            .unwrap()
    };
    let figures = Figures {
        period: "quy".into(),
        year: 2026,
        index: 4,
        label: "quý IV năm 2026".into(),
        start: d(2026, 10, 1),
        end: d(2026, 12, 31),
        as_of: d(2026, 12, 31),
        meetings: (0..12)
            .map(|i| MeetingStat {
                id: i as i64,
                kind: "ket_hop".into(),
                starts_at: starts(i),
                presence: Presence {
                    marked: 1250,
                    present: 1234,
                    excused: 10,
                    unexcused: 6,
                },
                resolution_id: Some(i as i64),
                resolution_number: Some(format!("Số {}-NQ/CB", 100 + i)),
            })
            .collect(),
        presence: Presence {
            marked: 15000,
            present: 14808,
            excused: 120,
            unexcused: 72,
        },
        resolutions: (0..ROWS)
            .map(|i| ResolutionStat {
                id: i as i64,
                meeting_id: i as i64,
                number_text: Some(format!("Số {}-NQ/CB", 100 + i)),
                subject: "về nhiệm vụ chính trị, công tác xây dựng Đảng trong sạch, vững mạnh"
                    .into(),
                meeting_at: starts(i),
                tasks: 120,
                done: 118,
                overdue: 2,
                no_tasks: false,
            })
            .collect(),
        tasks: TaskCounts::default(),
        carried_over: 3,
        changes: vec![],
        residents: ConcernFigures {
            received: 120,
            forwarded: 40,
            answered: 70,
            open: 50,
            late: 3,
            to_upper: (0..ROWS)
                .map(|i| ForwardedItem {
                    code: "7KQ2-9XW4-M3PD-HT6R".into(),
                    area: "Tổ dân phố số 12, khu phố Nguyễn Thị Minh Khai".into(),
                    received_on: date_of(i),
                    forwarded_on: date_of(i),
                    forwarded_to: "Ban Thường vụ Đảng ủy phường, Ủy ban Kiểm tra Đảng ủy".into(),
                    state: "forwarded".into(),
                    answered_on: (i % 2 == 0).then(|| date_of(i)),
                })
                .collect(),
            tasks: (0..ROWS)
                .map(|i| ConcernTaskLine {
                    code: "7KQ2-9XW4-M3PD-HT6R".into(),
                    area: "Tổ dân phố số 12, khu phố Nguyễn Thị Minh Khai".into(),
                    task: ConcernTask {
                        task_id: i as i64,
                        title: "Giải quyết ý kiến của nhân dân (Tổ dân phố số 12): đèn chiếu sáng ngõ 34 hỏng kéo dài, đề nghị phối hợp Ủy ban nhân dân phường thay thế".into(),
                        lead_name: name(i),
                        deadline: date_of(i),
                        shown: "dang_thuc_hien".into(),
                        resolution_number: Some(format!("Số {}-NQ/CB", 100 + i)),
                        done_on: (i % 2 == 0).then(|| date_of(i)),
                    },
                })
                .collect(),
        },
        study: (0..ROWS)
            .map(|i| StudyShare {
                title: "Nghị quyết về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia".into(),
                number: format!("{}-NQ/TW", 57 + i),
                deadline: date_of(i),
                assigned: 1250,
                studied: 1234,
                reflections: 1200,
                share: Some(99),
            })
            .collect(),
        growth: crate::service::growth::Growth {
            admitted: 1250,
            recognised: 1234,
        },
        transfers: crate::service::transfers::TransferCounts {
            received: 12,
            sent: 9,
            in_transit: 3,
        },
        dues: crate::service::dues::DuesFigures {
            collected_vnd: 123_456_000,
            retained_vnd: 37_036_800,
            remitted_vnd: 86_419_200,
            arrears_vnd: 4_560_000,
            members_in_arrears: 17,
        },
        rating: None,
    };
    let body = ReportBody {
        checkpoint: None,
        figures,
        sections: Sections {
            assessment:
                "Chi bộ đạt các kết quả sau:\n1. Sinh hoạt đều đặn.\n2. Đảng viên gương mẫu.".into(),
            limits: "Một số đảng viên còn vắng họp.".into(),
            next:
                "Trong quý tới:\n1. Học tập Nghị quyết.\n2. Kiểm điểm cuối năm.\n3. Thu đảng phí."
                    .into(),
        },
    };
    let c = context();
    Document {
        orientation: Orientation::Portrait,
        header: Services::header(&c, Some("Số 27-BC/CB".into())),
        title: "BÁO CÁO".into(),
        subject: Some("kết quả công tác quý IV năm 2026".into()),
        body: report_blocks(&body),
        signatures: vec![Signature {
            on_behalf: Some("T/M CHI BỘ".into()),
            role: "BÍ THƯ".into(),
            name: name(0),
        }],
        recipients: vec!["- Đảng ủy (để báo cáo),".into(), "- Lưu Chi bộ.".into()],
        check_code: Some("3F9A-21C7".into()),
    }
}

fn rollup() -> Rollup {
    let unit = OrgRow {
        id: 2,
        parent_id: Some(1),
        kind: "dang_bo".into(),
        code: Some("79.001.000.000.000".into()),
        name: "Đảng bộ phường Bến Nghé".into(),
        short_name: None,
        cell_type: None,
        place: Some("Bến Nghé".into()),
        path: "/1/2/".into(),
    };
    let lines: Vec<CellLine> = (0..ROWS)
        .map(|i| CellLine {
            id: i as i64,
            code: Some(format!("79.001.000.000.{:03}", i + 1)),
            name: format!("Chi bộ Trường Trung học phổ thông {}", name(i)),
            committee: Some("Đảng bộ phường Bến Nghé".into()),
            last_meeting: Some(date_of(i)),
            on_time: i % 3 != 0,
            held: 3,
            presence: Presence {
                marked: 1250,
                present: 1234,
                excused: 10,
                unexcused: 6,
            },
            attendance: Some(99),
            adopted: 12,
            tasks: TaskCounts {
                total: 125,
                assigned: 125,
                done: 120,
                done_in_period: 40,
                overdue: 5,
                open: 5,
            },
            completion: Some(96),
            admitted: 12,
            cases_overdue: 3,
            // The longest tier's name, and a cell not yet rated.
            rating: (i % 4 != 3).then(|| crate::service::cell_ratings::YearRating {
                round_id: 1,
                tier: "htxs".into(),
                name: "Hoàn thành xuất sắc nhiệm vụ".into(),
            }),
        })
        .collect();
    Rollup {
        totals: totals(&lines),
        unit,
        period: crate::model::Period::new(crate::model::PeriodKind::Quarter, 2026, 4).unwrap(),
        as_of: d(2026, 12, 31),
        lines,
    }
}

fn rollup_doc() -> Document {
    rollup().document(
        Header {
            superior: "ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH".into(),
            issuer: issuer_line(&rollup().unit),
            number: Some("Số 127-BC/ĐU".into()),
            place_date: chibo_rules::format_date_line("Bến Nghé", d(2027, 1, 5)),
        },
        Signature {
            on_behalf: Some("T/M ĐẢNG ỦY".into()),
            role: "BÍ THƯ".into(),
            name: name(0),
        },
        vec![
            "- Đảng bộ Thành phố Hồ Chí Minh (để báo cáo),".into(),
            "- Các chi bộ trực thuộc,".into(),
            "- Lưu Văn phòng Đảng ủy.".into(),
        ],
    )
}

fn task_items() -> Vec<TaskItem> {
    (0..ROWS)
        .map(|i| TaskItem {
            task: TaskRow {
                id: i as i64,
                cell_id: 12,
                resolution_id: Some(7),
                item_no: i as i64,
                source: "resolution".into(),
                title: "Vận động nhân dân tham gia phong trào bảo vệ môi trường, giữ gìn vệ sinh khu phố".into(),
                lead_id: 1,
                lead_name: name(i),
                lead_status: crate::model::Status::ChinhThuc,
                assigned_on: d(2026, 1, 5),
                deadline: date_of(i),
                report_meeting_id: None,
                status: "dang_thuc_hien".into(),
                progress: 50,
                completed_on: None,
                closed_on: None,
                closed_meeting_id: None,
                closing_note: None,
                version: 1,
                resolution_number: Some(format!("Số {}-NQ/CB", 100 + i)),
                concern_id: None,
            },
            owners: vec![
                Owner { task_id: i as i64, member_id: 2, full_name: name(i + 1) },
                Owner { task_id: i as i64, member_id: 3, full_name: name(i + 2) },
            ],
            shown: "dang_thuc_hien".into(),
            needs_reassign: false,
        })
        .collect()
}

fn task_table() -> Document {
    let c = context();
    task_print::document(
        Services::header(&c, None),
        name(0),
        &task_print::table_rows(&task_items(), task_print::shown_vi),
        d(2026, 12, 3),
    )
}

/// Every kind of document, with what its check needs.
fn documents() -> Vec<(&'static str, Document)> {
    let (c, v) = (context(), view());
    let sent = NoticeIssue {
        number: Some("Số 127-TB/CB".into()),
        on: d(2026, 12, 3),
    };
    vec![
        ("notice", Services::notice_doc(&c, &v, &sent)),
        ("attendance", Services::attendance_doc(&c, &v)),
        (
            "minutes",
            Services::minutes_doc(&c, &v, Some("5E6F-77A0".into())),
        ),
        (
            "resolution",
            Services::resolution_doc(&c, &v, &review(), Some("3F9A-21C7".into())).unwrap(),
        ),
        ("votes", Services::votes_doc(&c, &v)),
        ("report", report()),
        ("roll-up", rollup_doc()),
        ("task table", task_table()),
    ]
}

#[track_caller]
fn assert_prints_cleanly(what: &str, doc: &Document, pdf: &[u8]) -> Vec<Page> {
    let faults = inspect::print_faults(doc, pdf);
    assert!(faults.is_empty(), "{what}: {faults:#?}");
    inspect::pages(pdf)
}

fn lines_of(pages: &[Page]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| {
            p.text()
                .lines()
                .map(|l| l.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn about(doc: &Document) -> Properties {
    Properties::of(doc)
}

#[test]
fn every_document_kind_prints_cleanly_as_pdf() {
    for (what, doc) in documents() {
        let pdf = chibo_print::render_pdf(&doc, &about(&doc), &Layout::default()).unwrap();
        let pages = assert_prints_cleanly(what, &doc, &pdf);
        let lines = lines_of(&pages);
        // Lines typed in the text stay lines; a numbered list stays a list.
        let typed = match what {
            "minutes" => "1. Tổ chức học tập Nghị quyết.",
            "report" => "2. Kiểm điểm cuối năm.",
            "resolution" => "2. Tổ chức thành công hội thi giáo viên dạy giỏi.",
            _ => continue,
        };
        assert!(
            lines.iter().any(|l| l == typed),
            "{what}: {typed:?} not a line of its own"
        );
    }
}

#[test]
fn every_document_kind_prints_cleanly_from_word() {
    let docs = documents();
    let files: Vec<(String, Vec<u8>)> = docs
        .iter()
        .map(|(what, doc)| {
            let bytes = chibo_print::render_docx(doc, &about(doc), &Layout::default()).unwrap();
            (what.replace(' ', "-"), bytes)
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let Some(pdfs) = office_pdfs(&refs) else {
        return;
    };
    for ((what, doc), pdf) in docs.iter().zip(&pdfs) {
        let pages = assert_prints_cleanly(&format!("{what} (DOCX in LibreOffice)"), doc, pdf);
        let lines = lines_of(&pages);
        if *what == "report" {
            assert!(
                lines.iter().any(|l| l == "2. Kiểm điểm cuối năm."),
                "{what}: typed lines lost"
            );
        }
    }
}

#[test]
fn the_notice_is_dated_when_sent_numbered_and_names_its_topic() {
    let (c, v) = (context(), view());
    let sent = NoticeIssue {
        number: Some("Số 127-TB/CB".into()),
        on: d(2026, 12, 3),
    };
    let doc = Services::notice_doc(&c, &v, &sent);
    // Sent on 3 December for a meeting on 11 December.
    assert_eq!(doc.header.place_date, "Bến Nghé, ngày 03 tháng 12 năm 2026");
    assert_eq!(doc.header.number.as_deref(), Some("Số 127-TB/CB"));
    let text =
        inspect::text(&chibo_print::render_pdf(&doc, &about(&doc), &Layout::default()).unwrap());
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&format!("Chuyên đề: {TOPIC}.")), "{flat}");
    assert!(
        flat.contains("ngày 11/12/2026"),
        "the meeting's day in the body: {flat}"
    );
    // Not sent: a draft with its number to be given, dated the day printed.
    let draft = Services::notice_doc(
        &c,
        &v,
        &NoticeIssue {
            number: None,
            on: d(2026, 12, 1),
        },
    );
    assert_eq!(draft.header.number.as_deref(), Some("Số     -TB/CB"));
    assert_eq!(
        fingerprint(&draft),
        fingerprint(&doc),
        "the same text, whatever its number"
    );
}

#[test]
fn the_roll_up_is_issued_by_the_committee_and_named_for_its_period() {
    let r = rollup();
    assert_eq!(issuer_line(&r.unit), "ĐẢNG ỦY PHƯỜNG BẾN NGHÉ");
    assert_eq!(issuer_line(&cell()), CELL.to_uppercase());
    let name = r.file_name(Some("Số 07-BC/ĐU"));
    assert_eq!(
        name.ascii,
        "tong-hop-quy-4-2026-07-bc-du-dang-bo-phuong-ben-nghe"
    );
    assert_eq!(
        name.utf8,
        "Tổng hợp quý 4 2026 07-BC-ĐU Đảng bộ phường Bến Nghé"
    );
    assert_eq!(
        r.file_name(None).ascii,
        "tong-hop-quy-4-2026-dang-bo-phuong-ben-nghe"
    );
    let doc = rollup_doc();
    assert_eq!(doc.orientation, Orientation::Landscape);
}

#[test]
fn meeting_files_are_named_by_kind_number_unit_and_day() {
    let c = context();
    let (docs, now) = (
        documents(),
        Utc.with_ymd_and_hms(2026, 12, 12, 1, 0, 0).unwrap(),
    );
    let resolution = docs.iter().find(|d| d.0 == "resolution").unwrap().1.clone();
    let p = Services::printable(
        &c,
        DocKind::Resolution,
        vec![resolution],
        Layout::default(),
        now,
    );
    assert_eq!(
        p.name.ascii,
        "nghi-quyet-127-nq-cb-chi-bo-truong-trung-hoc-pho-thong-nguyen-thi-minh-khai-2026-12-11"
    );
    assert_eq!(
        p.properties.title,
        "Nghị quyết số 127-NQ/CB về nhiệm vụ tháng 01 năm 2027"
    );
    assert_eq!(p.properties.author, CELL);
    assert_eq!(p.properties.created, Some(now));
    let dossier = Services::printable(
        &c,
        DocKind::Dossier,
        docs.into_iter().map(|d| d.1).collect(),
        Layout::default(),
        now,
    );
    assert_eq!(
        dossier.properties.title,
        format!("Hồ sơ sinh hoạt chi bộ ngày 11/12/2026 — {CELL}")
    );
    assert!(
        dossier
            .name
            .ascii
            .starts_with("ho-so-sinh-hoat-chi-bo-chi-bo-truong")
    );
}

#[test]
fn the_roll_up_and_the_task_table_export_numbers_and_dates() {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let r = rollup();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(r.xlsx().unwrap())).unwrap();
    let range = book.worksheet_range("Tổng hợp").unwrap();
    let formulas = book.worksheet_formula("Tổng hợp").unwrap();
    // Three lines of title, a blank row, the header: the data from row 6.
    let (first, total) = (5u32, 5 + ROWS as u32);
    assert_eq!(
        range.get_value((first, 0)),
        Some(&Data::String("79.001.000.000.001".into()))
    );
    assert!(matches!(
        range.get_value((first, 3)),
        Some(Data::DateTime(_))
    ));
    // Present and marked in columns of their own, as numbers.
    assert_eq!(range.get_value((first, 6)), Some(&Data::Float(1234.0)));
    assert_eq!(range.get_value((first, 7)), Some(&Data::Float(1250.0)));
    assert_eq!(
        formulas.get_value((total, 6)).map(String::as_str),
        Some("SUM(G6:G45)")
    );
    assert_eq!(
        range.get_value((total, 6)),
        Some(&Data::Float(1234.0 * ROWS as f64))
    );
    assert_eq!(
        range.get_value((total, 8)),
        Some(&Data::Float(99.0)),
        "the screens' rate"
    );
    // The cell's own rating: the decided tier, "—" when none, and how many
    // cells are rated on the total line.
    for (row, tier) in [
        (first, "Hoàn thành xuất sắc nhiệm vụ"),
        (first + 3, "—"),
        (total, "30 đã xếp loại"),
    ] {
        assert_eq!(range.get_value((row, 15)), Some(&Data::String(tier.into())));
    }

    let rows = task_print::table_rows(&task_items(), task_print::shown_vi);
    let bytes = task_print::xlsx(&cell(), rows, d(2026, 12, 3)).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("Phân công").unwrap();
    // Two lines of title, a blank row, the header: the data from row 5.
    assert_eq!(range.get_value((4, 0)), Some(&Data::Float(1.0)));
    assert!(matches!(range.get_value((4, 4)), Some(Data::DateTime(_))));
    assert_eq!(
        range.get_value((4, 5)),
        Some(&Data::String("Số 100-NQ/CB".into()))
    );
    assert!(matches!(
        task_print::table_rows(&task_items(), task_print::shown_vi)[0][4],
        Value::Date(_)
    ));
}
