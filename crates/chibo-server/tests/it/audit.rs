//! The records against someone who can write the database: every tamper
//! the field test tried must be found by `chibo audit verify`, and named.

use crate::meetings::held;
use crate::support::{Backend, TestApp, pdf_text};
use chibo_server::service::audit::{Break, Finding, RecordBreak, Scope, SealBreak};
use chibo_server::service::demo::DemoSize;
use chibo_server::store::{self, audit::Fields};
use chibo_test_macros::db_test;

async fn verify(app: &TestApp) -> chibo_server::service::audit::Verdict {
    app.services.verify(&Scope::default()).await.unwrap()
}

async fn verify_code(app: &TestApp, code: &str) -> chibo_server::service::audit::Verdict {
    app.services
        .verify(&Scope {
            code: Some(code.into()),
            ..Scope::default()
        })
        .await
        .unwrap()
}

/// A cell's meeting held and its resolution adopted (sealed): the app, the
/// meeting, the resolution and its check code.
async fn adopted(b: Backend) -> (TestApp, i64, store::meetings::ResolutionRow, String) {
    let app = TestApp::demo(b).await;
    let bithu = app.actor("bithu").await;
    let cell = app.services.org(app.cell_ids().await[0]).await.unwrap();
    let (id, vote) = held(&app, &bithu, &cell, &app.date_in(0)).await;
    app.services
        .adopt_resolution(&bithu, id, vote, app.now())
        .await
        .unwrap();
    let r = app
        .services
        .db
        .read(async |rd| store::meetings::resolution(rd, id).await)
        .await
        .unwrap()
        .unwrap();
    let code = app
        .services
        .db
        .read(async |rd| store::meetings::versions(rd, "resolution", r.id).await)
        .await
        .unwrap()
        .pop()
        .unwrap()
        .check_code;
    (app, id, r, code)
}

async fn resolution_pdf(app: &TestApp, id: i64) -> reqwest::Response {
    let (c, _) = app.login("bithu").await;
    c.get(app.url(&format!("/meetings/{id}/docs/nghi-quyet.pdf")))
        .send()
        .await
        .unwrap()
}

fn records(v: &chibo_server::service::audit::Verdict) -> Vec<(&str, RecordBreak, Vec<&str>)> {
    v.findings
        .iter()
        .filter_map(|f| match f {
            Finding::Record {
                key, why, columns, ..
            } => Some((
                key.as_str(),
                *why,
                columns.iter().map(|c| c.0.as_str()).collect(),
            )),
            _ => None,
        })
        .collect()
}

#[db_test]
async fn a_fresh_demo_with_a_year_of_history_verifies_clean_and_its_seals_are_real(b: Backend) {
    let app = TestApp::empty(b).await;
    app.services
        .generate_demo_with_history(
            DemoSize {
                cells: 2,
                members_per_cell: 12,
            },
            12,
            app.now(),
        )
        .await
        .unwrap();
    let v = verify(&app).await;
    assert!(v.ok(), "{b:?}: {v:?}");
    assert!(v.entries > 100 && v.records > 500, "{b:?}: {v:?}");
    let db = &app.services.db;
    let cell = app.cell_ids().await[0];
    let meetings = db
        .read(async |rd| store::meetings::of_cell(rd, cell, 100).await)
        .await
        .unwrap();
    let held: Vec<_> = meetings.iter().filter(|m| m.status == "closed").collect();
    assert!(held.len() >= 11, "{b:?}: a year of meetings");
    // Every held meeting's minutes are locked and sealed, and every adopted
    // resolution sealed with a real hash, like those the services seal.
    let mut sealed = 0;
    for m in &held {
        assert!(m.minutes_locked_at.is_some(), "{b:?}: {m:?}");
        let minutes = db
            .read(async |rd| store::meetings::versions(rd, "minutes", m.id).await)
            .await
            .unwrap();
        assert_eq!(minutes.last().map(|v| &v.hash), m.minutes_hash.as_ref());
        if let Some(r) = db
            .read(async |rd| store::meetings::resolution(rd, m.id).await)
            .await
            .unwrap()
        {
            let v = db
                .read(async |rd| store::meetings::versions(rd, "resolution", r.id).await)
                .await
                .unwrap()
                .pop()
                .unwrap();
            assert_eq!(Some(&v.hash), r.hash.as_ref(), "{b:?}");
            assert!(
                !r.assignments.contains("\"who\":\"\""),
                "{b:?}: Người thực hiện filled: {}",
                r.assignments
            );
            sealed += 1;
        }
        sealed += 1;
    }
    assert!(v.documents >= sealed, "{b:?}: {v:?}");
    assert_eq!(
        verify_code(
            &app,
            &db.read(async |rd| store::meetings::versions(rd, "minutes", held[0].id).await)
                .await
                .unwrap()[0]
                .check_code
        )
        .await
        .documents,
        1,
        "{b:?}"
    );
    // The last held meeting's resolution prints with its executors and code.
    let last = held[0];
    if let Some(r) = db
        .read(async |rd| store::meetings::resolution(rd, last.id).await)
        .await
        .unwrap()
    {
        let code = db
            .read(async |rd| store::meetings::versions(rd, "resolution", r.id).await)
            .await
            .unwrap()
            .pop()
            .unwrap()
            .check_code;
        let pdf = resolution_pdf(&app, last.id).await.bytes().await.unwrap();
        if let Some(text) = pdf_text(&pdf) {
            let lead: Vec<serde_json::Value> = serde_json::from_str(&r.assignments).unwrap();
            let who = lead[0]["who"].as_str().unwrap();
            assert!(
                text.contains(&code) && text.contains(who) && text.contains("Người thực hiện"),
                "{b:?}: {text}"
            );
        }
    }
}

#[db_test]
async fn a_row_changed_behind_chibo_is_not_printed_and_is_named(b: Backend) {
    let (app, id, r, code) = adopted(b).await;
    let before = resolution_pdf(&app, id).await.bytes().await.unwrap();
    app.tamper(format!(
        "UPDATE resolution SET subject = 'về việc sửa lén' WHERE id = {}",
        r.id
    ))
    .await;
    // The PDF is printed from the sealed version: the same words, the same code.
    let after = resolution_pdf(&app, id).await;
    assert_eq!(after.status(), 200, "{b:?}");
    let after = after.bytes().await.unwrap();
    if let (Some(before), Some(after)) = (pdf_text(&before), pdf_text(&after)) {
        assert_eq!(before, after, "{b:?}");
        assert!(
            after.contains("về nhiệm vụ tháng tới") && after.contains(&code),
            "{b:?}: {after}"
        );
        assert!(!after.contains("sửa lén"), "{b:?}");
    }
    // And verify names the record and the column, with and without the code.
    let key = format!("resolution:{id}");
    for v in [verify(&app).await, verify_code(&app, &code).await] {
        assert!(!v.ok(), "{b:?}: {v:?}");
        assert_eq!(
            records(&v),
            [(key.as_str(), RecordBreak::Changed, vec!["subject"])],
            "{b:?}: {v:?}"
        );
        let line = v.findings[0].describe();
        assert!(
            line.contains("về nhiệm vụ tháng tới") && line.contains("về việc sửa lén"),
            "{b:?}: {line}"
        );
    }
}

#[db_test]
async fn members_changed_added_or_removed_behind_chibo_are_named(b: Backend) {
    let app = TestApp::demo(b).await;
    assert!(verify(&app).await.ok(), "{b:?}");
    let db = &app.services.db;
    let cell = app.cell_ids().await[0];
    let members = db
        .read(async |rd| store::members::of_cell(rd, cell).await)
        .await
        .unwrap();
    let (a, z) = (&members[0], &members[1]);
    app.tamper(format!(
        "UPDATE member SET full_name = 'Nguyễn Văn Giả', phone = '0900000000' WHERE id = {}",
        a.id
    ))
    .await;
    app.tamper(format!(
        "DELETE FROM member_status WHERE member_id = {}",
        z.id
    ))
    .await;
    app.tamper(format!(
        "INSERT INTO member (cell_id, full_name, name_fold, status, created_at, updated_at) \
         VALUES ({cell}, 'Người Lạ', 'nguoi la', 'chinh_thuc', '2026-12-03', '2026-12-03')"
    ))
    .await;
    let v = verify(&app).await;
    let found = records(&v);
    assert!(
        found.contains(&(
            format!("member:{}", a.id).as_str(),
            RecordBreak::Changed,
            vec!["full_name", "phone"]
        )),
        "{b:?}: {v:?}"
    );
    assert!(
        found.iter().any(
            |(k, why, _)| k.starts_with(&format!("member_status:{}:", z.id))
                && *why == RecordBreak::Removed
        ),
        "{b:?}: {v:?}"
    );
    assert!(
        found
            .iter()
            .any(|(k, why, _)| k.starts_with("member:") && *why == RecordBreak::Unrecorded),
        "{b:?}: {v:?}"
    );
    // The phone is named, its values are not copied into the trail.
    let text: Vec<String> = v.findings.iter().map(Finding::describe).collect();
    assert!(
        text.iter().any(|l| l.contains("Nguyễn Văn Giả")),
        "{b:?}: {text:?}"
    );
    assert!(!text.iter().any(|l| l.contains("0900000000")), "{b:?}");
}

/// Rewrites chain `chain` from entry `seq` on as a database administrator
/// would: `change` edits the entry, then every later hash and the head are
/// recomputed, so the chain checks out on its own.
async fn rewrite_chain(
    app: &TestApp,
    chain: i64,
    seq: i64,
    change: impl Fn(&mut store::audit::StoredEntry),
) {
    let entries = app
        .services
        .db
        .read(async |rd| store::audit::page_after(rd, Some(chain), chain, 0, 100_000).await)
        .await
        .unwrap();
    let mut prev = entries
        .iter()
        .find(|e| e.seq == seq - 1)
        .map(|e| e.hash.clone())
        .unwrap_or_default();
    let q = |s: &str| s.replace('\'', "''");
    for mut e in entries.into_iter().filter(|e| e.seq >= seq) {
        if e.seq == seq {
            change(&mut e);
        }
        e.prev_hash = prev.clone();
        e.hash = store::audit::entry_hash(&Fields {
            chain_id: e.chain_id,
            seq: e.seq,
            at: e.time().unwrap(),
            account_id: e.account_id,
            actor: &e.actor,
            action: &e.action,
            entity: &e.entity,
            entity_id: e.entity_id,
            summary: &e.summary,
            state: e.state.as_deref(),
            prev_hash: &e.prev_hash,
        });
        app.tamper(format!(
            "UPDATE audit SET summary = '{}', state = {}, prev_hash = '{}', hash = '{}' WHERE id = {}",
            q(&e.summary),
            e.state
                .as_deref()
                .map_or("NULL".into(), |s| format!("'{}'", q(s))),
            e.prev_hash,
            e.hash,
            e.id
        ))
        .await;
        prev = e.hash.clone();
    }
    app.tamper(format!(
        "UPDATE audit_head SET hash = '{prev}' WHERE chain_id = {chain}"
    ))
    .await;
}

#[db_test]
async fn an_audit_row_rewritten_with_every_later_hash_is_caught_by_the_signed_checkpoint(
    b: Backend,
) {
    let app = TestApp::demo(b).await;
    let db = &app.services.db;
    let cell = app.cell_ids().await[0];
    let member = db
        .read(async |rd| store::members::of_cell(rd, cell).await)
        .await
        .unwrap()[2]
        .clone();
    let entry = db
        .read(async |rd| store::audit::for_entity(rd, "member", member.id).await)
        .await
        .unwrap()
        .remove(0);
    // The heads are signed (the server does so every minute and at each seal).
    let cps = app.services.checkpoint(None, app.now()).await.unwrap();
    assert!(cps.iter().any(|c| c.chain == cell), "{b:?}: {cps:?}");
    assert!(verify(&app).await.ok(), "{b:?}");

    // The administrator edits the member and the entry that imaged it, so
    // the record matches the trail, then re-hashes the chain.
    app.tamper(format!(
        "UPDATE member SET full_name = 'Nguyễn Văn Giả' WHERE id = {}",
        member.id
    ))
    .await;
    let old = member.full_name.clone();
    rewrite_chain(&app, entry.chain_id, entry.seq, |e| {
        e.summary = e.summary.replace(&old, "Nguyễn Văn Giả");
        e.state = e.state.as_ref().map(|s| s.replace(&old, "Nguyễn Văn Giả"));
    })
    .await;
    let v = verify(&app).await;
    // The chain checks out on its own and the record matches its (rewritten)
    // image: only the signature outside the database catches it, and names it.
    assert!(v.first_break().is_none(), "{b:?}: {v:?}");
    assert!(records(&v).is_empty(), "{b:?}: {v:?}");
    let rewritten: Vec<(i64, i64)> = v
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::Checkpoint {
                chain,
                seq,
                found: Some(_),
                ..
            } => Some((*chain, *seq)),
            _ => None,
        })
        .collect();
    assert_eq!(
        rewritten,
        [(cell, cps.iter().find(|c| c.chain == cell).unwrap().seq)],
        "{b:?}: {v:?}"
    );
    assert!(v.findings[0].describe().contains("viết lại"), "{b:?}");
}

#[db_test]
async fn a_document_resealed_with_its_hash_and_code_recomputed_is_caught(b: Backend) {
    let (app, id, r, code) = adopted(b).await;
    let db = &app.services.db;
    // The adoption signed the cell's head at once.
    assert!(verify(&app).await.ok(), "{b:?}");
    let v0 = db
        .read(async |rd| store::meetings::versions(rd, "resolution", r.id).await)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let forged = v0.body.replace("về nhiệm vụ tháng tới", "về việc sửa lén");
    assert_ne!(forged, v0.body);
    let (hash, new_code) = chibo_server::service::meetings::seal::seal(&forged);
    app.tamper(format!(
        "UPDATE document_version SET body = '{}', hash = '{hash}', check_code = '{new_code}' WHERE id = {}",
        forged.replace('\'', "''"),
        v0.id
    ))
    .await;
    app.tamper(format!(
        "UPDATE resolution SET subject = 'về việc sửa lén', hash = '{hash}' WHERE id = {}",
        r.id
    ))
    .await;
    // Nothing is printed under a seal no entry recorded.
    let res = resolution_pdf(&app, id).await;
    assert_eq!(res.status(), 422, "{b:?}");
    let v = verify(&app).await;
    let seals: Vec<_> = v
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::Seal {
                doc_type,
                doc_id,
                why,
                check_code,
                ..
            } => Some((doc_type.as_str(), *doc_id, *why, check_code.as_str())),
            _ => None,
        })
        .collect();
    assert!(
        seals.contains(&(
            "resolution",
            r.id,
            SealBreak::NotRecorded,
            new_code.as_str()
        )),
        "{b:?}: {v:?}"
    );
    assert!(
        seals
            .iter()
            .any(|s| s.2 == SealBreak::Missing && s.3 == code),
        "{b:?}: the seal recorded has no version: {v:?}"
    );
    assert_eq!(
        records(&v),
        [(
            format!("resolution:{id}").as_str(),
            RecordBreak::Changed,
            vec!["hash", "subject"]
        )],
        "{b:?}"
    );
    assert!(!verify_code(&app, &new_code).await.ok(), "{b:?}");

    // Then the administrator rewrites the sealing entry and the records'
    // images too, and re-hashes the chain: the signed checkpoint names it.
    let seal = db
        .read(async |rd| store::audit::seals_of(rd, "meeting", id).await)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let (old_hash, old_code) = (v0.hash.clone(), code.clone());
    rewrite_chain(&app, seal.chain_id, seal.seq, |e| {
        e.summary = e
            .summary
            .replace(&old_hash, &hash)
            .replace(&old_code, &new_code);
        e.state = e.state.as_ref().map(|s| {
            s.replace(&old_hash, &hash)
                .replace("về nhiệm vụ tháng tới", "về việc sửa lén")
        });
    })
    .await;
    let v = verify(&app).await;
    assert!(
        v.findings
            .iter()
            .all(|f| matches!(f, Finding::Checkpoint { .. })),
        "{b:?}: only the anchor can tell: {v:?}"
    );
    assert!(
        v.findings
            .iter()
            .any(|f| matches!(f, Finding::Checkpoint { chain, .. } if *chain == seal.chain_id)),
        "{b:?}: {v:?}"
    );
}

#[db_test]
async fn a_sealed_text_edited_in_place_is_refused_at_print_and_named(b: Backend) {
    let (app, id, r, code) = adopted(b).await;
    app.tamper(format!(
        "UPDATE document_version SET body = replace(body, 'về nhiệm vụ tháng tới', 'về việc sửa lén') \
         WHERE doc_type = 'resolution' AND doc_id = {}",
        r.id
    ))
    .await;
    assert_eq!(resolution_pdf(&app, id).await.status(), 422, "{b:?}");
    // A check that always said yes would let this through.
    for v in [verify(&app).await, verify_code(&app, &code).await] {
        assert!(
            v.findings.iter().any(|f| matches!(
                f,
                Finding::Seal { doc_id, why: SealBreak::Body, .. } if *doc_id == r.id
            )),
            "{b:?}: {v:?}"
        );
    }
}

#[db_test]
async fn gaps_truncation_and_a_rolled_back_head_are_named(b: Backend) {
    let app = TestApp::demo(b).await;
    let db = &app.services.db;
    let cell = app.cell_ids().await[0];
    let heads = db
        .read(async |rd| store::audit::heads(rd).await)
        .await
        .unwrap();
    let (_, last, _) = heads.iter().find(|h| h.0 == cell).cloned().unwrap();
    app.services.checkpoint(None, app.now()).await.unwrap();

    // A middle entry removed.
    app.tamper(format!(
        "DELETE FROM audit WHERE chain_id = {cell} AND seq = 3"
    ))
    .await;
    let v = verify(&app).await;
    assert_eq!(
        v.first_break().map(|b| (b.0, b.1, b.3)),
        Some((cell, 4, Break::Gap)),
        "{b:?}: {v:?}"
    );

    // The last entry removed, the head left: truncated.
    let app = TestApp::demo(b).await;
    let db = &app.services.db;
    app.services.checkpoint(None, app.now()).await.unwrap();
    app.tamper(format!(
        "DELETE FROM audit WHERE chain_id = {cell} AND seq = {last}"
    ))
    .await;
    let v = verify(&app).await;
    assert!(
        v.findings.contains(&Finding::Chain {
            chain: cell,
            seq: last,
            entry: 0,
            why: Break::Truncated
        }),
        "{b:?}: {v:?}"
    );

    // And the head moved back too, so the chain checks out on its own: the
    // checkpoint says the chain was longer.
    let prev = db
        .read(async |rd| store::audit::page_after(rd, Some(cell), cell, last - 2, 1).await)
        .await
        .unwrap()
        .remove(0);
    app.tamper(format!(
        "UPDATE audit_head SET seq = {}, hash = '{}' WHERE chain_id = {cell}",
        prev.seq, prev.hash
    ))
    .await;
    let v = verify(&app).await;
    assert!(v.first_break().is_none(), "{b:?}: {v:?}");
    assert!(
        v.findings.iter().any(|f| matches!(
            f,
            Finding::Checkpoint { chain, seq, found: None, .. } if *chain == cell && *seq == last
        )),
        "{b:?}: {v:?}"
    );
}

#[db_test]
async fn an_unreadable_or_moved_audit_time_names_the_entry(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let e = app
        .services
        .db
        .read(async |rd| store::audit::page_after(rd, Some(cell), cell, 1, 1).await)
        .await
        .unwrap()
        .remove(0);
    let v = match b {
        // SQLite keeps whatever text it is given.
        Backend::Sqlite => {
            app.tamper(format!(
                "UPDATE audit SET at = 'hôm qua' WHERE id = {}",
                e.id
            ))
            .await;
            let v = verify(&app).await;
            assert!(
                v.findings.contains(&Finding::Time {
                    chain: cell,
                    seq: e.seq,
                    entry: e.id,
                    raw: "hôm qua".into()
                }),
                "{b:?}: {v:?}"
            );
            v
        }
        // PostgreSQL keeps only times; a moved one breaks the entry's hash.
        Backend::Postgres => {
            app.tamper(format!(
                "UPDATE audit SET at = at - interval '1 day' WHERE id = {}",
                e.id
            ))
            .await;
            let v = verify(&app).await;
            assert_eq!(
                v.first_break(),
                Some((cell, e.seq, e.id, Break::Altered)),
                "{b:?}: {v:?}"
            );
            v
        }
    };
    assert!(
        v.findings[0]
            .describe()
            .contains(&format!("mục số {} (id {})", e.seq, e.id)),
        "{b:?}: {v:?}"
    );
}

#[db_test]
async fn checkpoints_not_signed_by_the_installation_key_are_named(b: Backend) {
    let app = TestApp::demo(b).await;
    let cps = app.services.checkpoint(None, app.now()).await.unwrap();
    assert!(verify(&app).await.ok(), "{b:?}");
    // A forged line (another seq under the same signature) and a torn one.
    let log = app.services.anchor.log_path().to_path_buf();
    let mut forged = cps[0].clone();
    forged.seq += 1;
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, format!("{text}{}\n{{\"chain\": 1\n", forged.line())).unwrap();
    let lines = text.lines().count();
    let v = verify(&app).await;
    let bad: Vec<usize> = v
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::Signature { line, .. } => Some(*line),
            _ => None,
        })
        .collect();
    assert_eq!(bad, [lines + 2, lines + 1], "{b:?}: {v:?}");
}

#[db_test]
async fn the_quarterly_report_carries_its_cells_signed_checkpoint(b: Backend) {
    let app = TestApp::demo(b).await;
    let s = &app.services;
    let bithu = app.actor("bithu").await;
    let cell = s.org(app.cell_ids().await[0]).await.unwrap();
    let period = chibo_server::model::Period::containing(
        chibo_server::model::PeriodKind::Quarter,
        app.today(),
    );
    let id = s
        .create_report(
            &bithu,
            Some(cell.id),
            &chibo_server::service::dashboard::PeriodQuery {
                period: Some("quy".into()),
                year: Some(period.year),
                index: Some(period.index),
            },
            app.now(),
        )
        .await
        .unwrap();
    let head =
        s.db.read(async |rd| store::audit::heads(rd).await)
            .await
            .unwrap()
            .into_iter()
            .find(|h| h.0 == cell.id)
            .unwrap();
    s.issue_report(&bithu, id, 1, app.now()).await.unwrap();
    let r = s.report(&bithu, id, app.now()).await.unwrap();
    let cp = r.content.checkpoint.expect("the issued report carries one");
    assert_eq!(
        (cp.chain, cp.seq, cp.hash.as_str()),
        (head.0, head.1, head.2.as_str())
    );
    assert!(cp.signed_by(&s.anchor.verifying_key()), "{b:?}");
    // It is printed for the upper committee, and it is in the log.
    let p = s.report_document(&bithu, id, app.now()).await.unwrap();
    let printed = serde_json::to_string(&p.docs[0]).unwrap();
    assert!(
        printed.contains("Điểm neo nhật ký") && printed.contains(&cp.sig),
        "{b:?}"
    );
    let (log, _) = chibo_server::service::anchor::read_log(s.anchor.log_path()).unwrap();
    assert!(log.iter().any(|(_, c)| *c == cp), "{b:?}");
    let v = verify(&app).await;
    assert!(v.ok() && v.checkpoints >= 2, "{b:?}: {v:?}");

    // The upper committee's roll-up of the quarter carries each cell's.
    let (c, _) = app.login("dangbo").await;
    let pdf = c
        .get(app.url(&format!(
            "/rollup/tong-hop.pdf?unit={}&period=quy&year={}&index={}",
            cell.parent_id.unwrap(),
            period.year,
            period.index
        )))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let heads =
        s.db.read(async |rd| store::audit::heads(rd).await)
            .await
            .unwrap();
    if let Some(text) = pdf_text(&pdf) {
        assert!(
            text.contains("ĐIỂM NEO NHẬT KÝ CỦA CÁC CHI BỘ"),
            "{b:?}: {text}"
        );
        // (pdftotext reads the table column by column.)
        for id in app.cell_ids().await {
            let (_, seq, hash) = heads.iter().find(|h| h.0 == id).unwrap();
            assert!(
                text.contains(&format!("{}…", &hash[..16])) && text.contains(&format!(" {seq} ")),
                "{b:?}: chain {id} at {seq}: {text}"
            );
        }
    }
    let v = verify(&app).await;
    let cells = app.cell_ids().await;
    assert!(
        v.ok() && !v.unanchored.iter().any(|(c, _)| cells.contains(c)),
        "{b:?}: every cell's chain anchored: {v:?}"
    );
}

/// `chibo` run as an operator runs it, on a data folder (and a PostgreSQL
/// database for that backend): exit code and what it printed.
fn chibo(base: &[String], args: &[&str]) -> (Option<i32>, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args(args)
        .args(base)
        .env_remove("CHIBO_DATABASE_URL")
        .output()
        .expect("run chibo");
    (
        o.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

/// SQL run behind the CLI's back: on the app's PostgreSQL database, or on
/// the SQLite file in the CLI's data folder.
async fn cli_tamper(app: &TestApp, data: &std::path::Path, sql: String) {
    if app.database_url.is_some() {
        return app.tamper(sql).await;
    }
    use sqlx::Connection;
    let url = format!("sqlite://{}", data.join("chibo.sqlite").display());
    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut c)
        .await
        .unwrap();
}

#[db_test]
async fn the_cli_verify_exits_non_zero_and_names_what_differs(b: Backend) {
    // The test's app only lends its PostgreSQL database; the CLI works on
    // its own data folder (where its signing key and checkpoint log live).
    let app = TestApp::empty(b).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut base = vec!["--data".to_string(), data.display().to_string()];
    if let Some(url) = &app.database_url {
        base.extend(["--database-url".to_string(), url.clone()]);
    }
    let tamper = |sql: String| cli_tamper(&app, &data, sql);
    let (code, out) = chibo(
        &base,
        &[
            "demo",
            "--cells",
            "1",
            "--members-per-cell",
            "12",
            "--months",
            "2",
        ],
    );
    assert_eq!(code, Some(0), "{b:?}: {out}");
    let (code, out) = chibo(&base, &["audit", "checkpoint"]);
    assert!(
        code == Some(0) && out.contains("điểm neo mới"),
        "{b:?}: {out}"
    );
    let (code, out) = chibo(&base, &["audit", "verify"]);
    assert!(code == Some(0) && out.starts_with("OK"), "{b:?}: {out}");

    let sealed: (String, i64) = {
        let dbs = match b {
            Backend::Postgres => app.services.db.clone(),
            Backend::Sqlite => chibo_server::store::Db::open_sqlite(&data).await.unwrap(),
        };
        let c = dbs
            .read(async |rd| store::meetings::versions_after(rd, 0, 100).await)
            .await
            .unwrap()
            .into_iter()
            .find(|v| v.doc_type == "resolution")
            .expect("the demo's history seals resolutions");
        let r = dbs
            .read(async |rd| store::meetings::resolution_by_id(rd, c.doc_id).await)
            .await
            .unwrap()
            .unwrap();
        (c.check_code, r.meeting_id)
    };
    let (code, out) = chibo(&base, &["audit", "verify", "--code", &sealed.0]);
    assert!(code == Some(0) && out.contains("khớp"), "{b:?}: {out}");
    let (code, out) = chibo(&base, &["audit", "verify", "--code", "ZZZZ-ZZZZ"]);
    assert!(
        code == Some(4) && out.contains("Không có văn bản"),
        "{b:?}: {out}"
    );

    // A resolution's subject edited in the database: both checks fail,
    // naming the record and the column.
    tamper(format!(
        "UPDATE resolution SET subject = 'về việc sửa lén' WHERE meeting_id = {}",
        sealed.1
    ))
    .await;
    for args in [
        vec!["audit", "verify"],
        vec!["audit", "verify", "--code", &sealed.0],
    ] {
        let (code, out) = chibo(&base, &args);
        assert!(
            code == Some(3)
                && out.contains(&format!("bản ghi resolution:{}", sealed.1))
                && out.contains("subject: «")
                && out.contains("«về việc sửa lén»"),
            "{b:?}: {args:?}: {out}"
        );
    }
    // An audit entry's time replaced by text (SQLite) or moved (PostgreSQL):
    // the entry is named, not a generic error.
    let bad = match b {
        Backend::Sqlite => "'hôm qua'",
        Backend::Postgres => "at - interval '1 hour'",
    };
    tamper(format!("UPDATE audit SET at = {bad} WHERE id = 5")).await;
    let (code, out) = chibo(&base, &["audit", "verify"]);
    assert!(code == Some(3) && out.contains("(id 5)"), "{b:?}: {out}");
    if b == Backend::Sqlite {
        assert!(out.contains("thời điểm không đọc được «hôm qua»"), "{out}");
    }
}

/// The SQL that turns a database into one the migrations before 0009 made
/// and chibo wrote before audit entries imaged their records: no images,
/// every hash computed without them, no `state` column.
async fn as_before_images(db: &store::Db) -> String {
    let mut sql = String::from("BEGIN;\n");
    let heads = db
        .read(async |r| store::audit::heads(r).await)
        .await
        .unwrap();
    for (chain, _, _) in heads {
        let entries = db
            .read(async |r| store::audit::page_after(r, Some(chain), chain, 0, 1_000_000).await)
            .await
            .unwrap();
        let mut prev = String::new();
        for e in &entries {
            let hash = store::audit::entry_hash(&Fields {
                chain_id: e.chain_id,
                seq: e.seq,
                at: e.time().unwrap(),
                account_id: e.account_id,
                actor: &e.actor,
                action: &e.action,
                entity: &e.entity,
                entity_id: e.entity_id,
                summary: &e.summary,
                state: None,
                prev_hash: &prev,
            });
            sql += &format!(
                "UPDATE audit SET prev_hash = '{prev}', hash = '{hash}' WHERE id = {};\n",
                e.id
            );
            prev = hash;
        }
        sql += &format!("UPDATE audit_head SET hash = '{prev}' WHERE chain_id = {chain};\n");
    }
    sql += "ALTER TABLE audit DROP COLUMN state;\n\
            ALTER TABLE meeting DROP COLUMN open_reason;\n\
            ALTER TABLE meeting DROP COLUMN close_reason;\n\
            DELETE FROM schema_migration WHERE version = 9;\n\
            COMMIT;\n";
    sql
}

#[db_test]
async fn a_database_from_before_images_is_baselined_once_when_opened(b: Backend) {
    // As the CLI test: the app lends its PostgreSQL database, the CLI works
    // on its own data folder.
    let app = TestApp::empty(b).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut base = vec!["--data".to_string(), data.display().to_string()];
    if let Some(url) = &app.database_url {
        base.extend(["--database-url".to_string(), url.clone()]);
    }
    let db = async || match b {
        Backend::Postgres => app.services.db.clone(),
        Backend::Sqlite => store::Db::open_sqlite(&data).await.unwrap(),
    };
    let baselines = async |db: &store::Db| {
        db.read(async |r| store::audit::page_after(r, None, i64::MIN, 0, 1_000_000).await)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == "audit.baseline")
            .count()
    };
    let (code, out) = chibo(
        &base,
        &[
            "demo",
            "--cells",
            "1",
            "--members-per-cell",
            "12",
            "--months",
            "2",
        ],
    );
    assert_eq!(code, Some(0), "{b:?}: {out}");
    // The installation as an earlier chibo left it: its trail without
    // images, its schema before 0009, no signing key nor checkpoint yet.
    let old = db().await;
    let downgrade = as_before_images(&old).await;
    if b == Backend::Sqlite {
        old.close().await;
    }
    cli_tamper(&app, &data, downgrade).await;
    std::fs::remove_file(data.join("audit-signing.key")).unwrap();
    let _ = std::fs::remove_file(data.join("audit-checkpoints.log"));

    // Opened by this chibo: migrated, baselined, and clean.
    let (code, out) = chibo(&base, &["audit", "verify"]);
    assert!(code == Some(0) && out.starts_with("OK"), "{b:?}: {out}");
    let new = db().await;
    let n = baselines(&new).await;
    let subjects = store::images::all_subjects(&new).await.unwrap();
    let members: Vec<_> = subjects
        .iter()
        .filter(|s| s.entity == "member")
        .map(|s| s.id)
        .collect();
    assert!(
        n == subjects.len() && members.len() >= 12,
        "{b:?}: {n} {members:?}"
    );

    // A row changed afterwards is named, and opening again does not
    // baseline it away.
    let tamper = format!(
        "UPDATE member SET full_name = 'Người Sửa Lén' WHERE id = {}",
        members[0]
    );
    if b == Backend::Sqlite {
        new.close().await;
    }
    cli_tamper(&app, &data, tamper).await;
    for _ in 0..2 {
        let (code, out) = chibo(&base, &["audit", "verify"]);
        assert!(
            code == Some(3)
                && out.contains(&format!("bản ghi member:{}", members[0]))
                && out.contains("«Người Sửa Lén»"),
            "{b:?}: {out}"
        );
    }
    assert_eq!(baselines(&db().await).await, n, "{b:?}");
}
