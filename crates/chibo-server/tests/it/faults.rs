//! Faults an operator will meet: a server killed in the middle of writes
//! while another goes on, and the disk under SQLite filling up.

use crate::ops::{Served, call, serve, signal};
use crate::support::*;
use chibo_server::store;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A meeting of the first cell planned in a week: its id.
async fn new_meeting(app: &TestApp, token: &str) -> i64 {
    let cell = app.cell_ids().await[0];
    let (s, m) = call(
        &TestApp::client(),
        token,
        "POST",
        app.url("/api/v1/meetings"),
        json!({"cell_id": cell, "kind": "thuong_ky", "date": app.date_in(7), "time": "19:30", "place": "Nhà văn hóa"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    m["id"].as_i64().unwrap()
}

/// One server (a `chibo serve` process) is killed with SIGKILL while four
/// clients write through it and another server: what it acknowledged is
/// stored, the other server takes every write after the kill, and a client
/// whose request died retries it there, as a load balancer would.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_during_writes_loses_no_acknowledged_write() {
    if !postgres_available() {
        return;
    }
    let a = TestApp::demo(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let url = a.database_url.clone().unwrap();
    let data = dir.path().join("data");
    let mut b: Served = serve(
        &["--data", data.to_str().unwrap()],
        &[
            ("CHIBO_DATABASE_URL", &url),
            ("CHIBO_REMIND_EVERY_SECS", "0"),
            ("CHIBO_ANCHOR_EVERY_SECS", "0"),
        ],
    );
    let token = a.token_for("bithu").await;
    let meeting = new_meeting(&a, &token).await;
    let bases = [a.base.clone(), format!("http://{}", b.addr)];

    let acked = Arc::new(Mutex::new(Vec::<(String, Instant)>::new()));
    let errors = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..4 {
        let (acked, errors, stop, token, bases) = (
            acked.clone(),
            errors.clone(),
            stop.clone(),
            token.clone(),
            bases.clone(),
        );
        workers.push(tokio::spawn(async move {
            let c = reqwest::Client::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 3000 {
                let title = format!("w{w}-{n}");
                // Alternately through each server; after a failure, the
                // same write through the other.
                let mut server = n % 2;
                for _attempt in 0..3 {
                    let res = c
                        .post(format!(
                            "{}/api/v1/meetings/{meeting}/agenda",
                            bases[server]
                        ))
                        .bearer_auth(&token)
                        .timeout(Duration::from_secs(15))
                        .json(&json!({"title": title}))
                        .send()
                        .await;
                    if res.is_ok_and(|r| r.status() == StatusCode::CREATED) {
                        acked.lock().unwrap().push((title.clone(), Instant::now()));
                        break;
                    }
                    errors.fetch_add(1, Ordering::Relaxed);
                    server = 0;
                }
                n += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = acked.lock().unwrap().len();
    assert!(before > 20, "the load runs before the kill: {before}");
    signal(&b.child, "-KILL");
    let killed_at = Instant::now();
    let status = b.child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal");
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let after = acked.iter().filter(|(_, t)| *t > killed_at).count();
    let items = a
        .services
        .db
        .read(async |r| store::meetings::items(r, meeting).await)
        .await
        .unwrap();
    let stored: BTreeSet<&str> = items.iter().map(|i| i.title.as_str()).collect();
    let lost: Vec<&String> = acked
        .iter()
        .map(|(t, _)| t)
        .filter(|t| !stored.contains(t.as_str()))
        .collect();
    eprintln!(
        "sigkill: {} writes acknowledged ({before} before the kill, {after} after it, by the other server), \
         {} failed attempts retried, {} acknowledged writes lost",
        acked.len(),
        errors.load(Ordering::Relaxed),
        lost.len()
    );
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
    assert!(after > 20, "the other server went on: {after}");
    let positions: BTreeSet<i64> = items.iter().map(|i| i.position).collect();
    assert_eq!(positions.len(), items.len(), "no position given twice");
    let report = a.services.verify(&Default::default()).await.unwrap();
    assert!(report.ok(), "{:?}", report);
}

/// A small tmpfs mounted for one test (root only), unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` (the test says why and passes) where mounting is not allowed.
    fn mount(megabytes: u32) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var("CHIBO_REQUIRE_MOUNT").is_err(),
                "CHIBO_REQUIRE_MOUNT is set but a tmpfs cannot be mounted here"
            );
            eprintln!("cannot mount a tmpfs here (not root?): full-disk test skipped");
            return None;
        }
        Some(Self { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Fills what is left with one file; its path.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.path().join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 64 * 1024];
        loop {
            match f.write(&block) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
        // Whatever is smaller than a block.
        let mut byte = [0u8; 1];
        while f.write(&byte).is_ok_and(|n| n == 1) {
            byte[0] = byte[0].wrapping_add(1);
        }
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .args(["-l"])
            .arg(self.dir.path())
            .status();
    }
}

/// The disk under SQLite's folder fills up: a write is refused with 507 and
/// a message saying so (nothing of it stored), pages still read, and once
/// space is freed the database is whole and takes writes again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_clearly_and_reads_go_on() {
    let Some(disk) = SmallDisk::mount(48) else {
        return;
    };
    let data = disk.path().join("data");
    let app = TestApp::configured_demo(Backend::Sqlite, |c| c.data_dir = data.clone()).await;
    let token = app.token_for("bithu").await;
    let (browser, _) = app.login("bithu").await;
    let meeting = new_meeting(&app, &token).await;
    let c = TestApp::client();
    let add = |title: &str| {
        call(
            &c,
            &token,
            "POST",
            app.url(&format!("/api/v1/meetings/{meeting}/agenda")),
            json!({ "title": title }),
        )
    };
    let (s, v) = add("Trước khi đầy đĩa").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // The write-ahead log emptied into the database file, so the next
    // write needs new space on the disk.
    let file = data.join("chibo.sqlite");
    let mut direct = sqlx::sqlite::SqliteConnection::connect_with(
        &sqlx::sqlite::SqliteConnectOptions::new().filename(&file),
    )
    .await
    .unwrap();
    sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut direct)
        .await
        .unwrap();
    let filler = disk.fill();

    let (s, v) = add("Khi đĩa đầy").await;
    assert_eq!(s, StatusCode::INSUFFICIENT_STORAGE, "{v}");
    assert_eq!(v["code"], "storage_full", "{v}");
    let message = v["message"].as_str().unwrap();
    assert!(message.contains("hết chỗ lưu"), "{message}");
    // Reads go on.
    let page = browser
        .get(app.url(&format!("/meetings/{meeting}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Trước khi đầy đĩa"), "the meeting reads");
    let home = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);

    std::fs::remove_file(filler).unwrap();
    let (s, v) = add("Sau khi dọn đĩa").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let titles: Vec<String> = app
        .services
        .db
        .read(async |r| store::meetings::items(r, meeting).await)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect();
    assert!(titles.contains(&"Trước khi đầy đĩa".to_string()));
    assert!(titles.contains(&"Sau khi dọn đĩa".to_string()));
    assert!(
        !titles.contains(&"Khi đĩa đầy".to_string()),
        "nothing of the refused write is stored"
    );
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut direct)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    direct.close().await.unwrap();
    let report = app.services.verify(&Default::default()).await.unwrap();
    assert!(report.ok(), "{:?}", report);
}
