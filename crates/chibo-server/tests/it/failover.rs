//! The primary stops and the replica is promoted while two servers take
//! writes: the servers find the new primary by themselves, the client sees
//! a bounded number of errors (and retries them), and no acknowledged write
//! is lost. Prints the figures OPERATIONS.md quotes.

use crate::pgcluster::{self, Cluster};
use crate::support::epoch;
use chibo_server::app::App;
use chibo_server::config::Config;
use chibo_server::service::demo::DemoSize;
use serde_json::{Value, json};
use sqlx::Connection;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const PRIMARY_CONF: &str = "wal_level = replica
max_wal_senders = 5
hot_standby = on
max_connections = 200
";

const HBA: &str = "local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
";

struct Load {
    acked: Mutex<Vec<String>>,
    errors: AtomicUsize,
    /// Instants of every acknowledged write.
    times: Mutex<Vec<Instant>>,
    stop: AtomicBool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failover_to_the_promoted_replica_loses_no_acknowledged_write() {
    if !pgcluster::available() {
        return;
    }
    let primary = Cluster::primary(free_port(), PRIMARY_CONF, HBA);
    let mut c = sqlx::PgConnection::connect(&primary.url("postgres"))
        .await
        .unwrap();
    sqlx::raw_sql("CREATE DATABASE chibo")
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    let standby = Cluster::standby_of(&primary, free_port());
    // A commit is acknowledged once the replica has it: what makes a
    // failover lose nothing. Set once the replica is there to answer.
    let mut c = sqlx::PgConnection::connect(&primary.url("postgres"))
        .await
        .unwrap();
    for sql in [
        "ALTER SYSTEM SET synchronous_standby_names = 'standby'",
        "SELECT pg_reload_conf()",
    ] {
        sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let sync: Option<String> = sqlx::query_scalar(
            "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'",
        )
        .fetch_optional(&mut c)
        .await
        .unwrap();
        if sync.as_deref() == Some("sync") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the replica never became synchronous: {sync:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.close().await.unwrap();
    let url = format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/chibo?target_session_attrs=read-write",
        primary.port, standby.port
    );
    let cfg = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: Some(url.clone()),
        remind_every_secs: 0,
        clock: chibo_server::service::clock::Clock::fixed(epoch()),
        ..Config::default()
    };
    let a = App::build(cfg.clone()).await.unwrap();
    let b = App::build(cfg.clone()).await.unwrap();
    a.services
        .generate_demo(
            DemoSize {
                cells: 1,
                members_per_cell: 8,
            },
            a.services.now(),
        )
        .await
        .unwrap();
    let bases = [format!("http://{}", a.addr), format!("http://{}", b.addr)];
    let account = a
        .services
        .db
        .read(async |r| chibo_server::store::accounts::by_login(r, "bithu").await)
        .await
        .unwrap()
        .unwrap();
    let token = a
        .services
        .issue_api_token(account.id, "test", a.services.now())
        .await
        .unwrap();
    let cell = a
        .services
        .db
        .read(async |r| chibo_server::store::orgs::by_code(r, "79.001.000.000.001").await)
        .await
        .unwrap()
        .unwrap()
        .id;
    let client = reqwest::Client::new();
    let m: Value = client
        .post(format!("{}/api/v1/meetings", bases[0]))
        .bearer_auth(&token)
        .json(&json!({"cell_id": cell, "kind": "thuong_ky", "date": (epoch().date_naive() + chrono::Days::new(7)).format("%d/%m/%Y").to_string(), "time": "19:30", "place": "Nhà văn hóa"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let meeting = m["id"].as_i64().expect("meeting created");
    tokio::spawn(a.run());
    tokio::spawn(b.run());

    let load = Arc::new(Load {
        acked: Mutex::default(),
        errors: AtomicUsize::new(0),
        times: Mutex::default(),
        stop: AtomicBool::new(false),
    });
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..4 {
        let (load, token, bases, client) =
            (load.clone(), token.clone(), bases.clone(), client.clone());
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            // Bounded: at most 3,000 writes a worker.
            while !load.stop.load(Ordering::Relaxed) && n < 3000 {
                let title = format!("w{w}-{n}");
                let url = format!("{}/api/v1/meetings/{meeting}/agenda", bases[n % 2]);
                let res = client
                    .post(url)
                    .bearer_auth(&token)
                    .timeout(Duration::from_secs(15))
                    .json(&json!({"title": title}))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().as_u16() == 201 => {
                        load.acked.lock().unwrap().push(title);
                        load.times.lock().unwrap().push(Instant::now());
                        n += 1;
                    }
                    // An error: counted, then the same write is tried again.
                    _ => {
                        load.errors.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        n += 1;
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = load.acked.lock().unwrap().len();
    assert!(before > 20, "the load runs before the failover: {before}");
    let errors_before = load.errors.load(Ordering::Relaxed);

    // The primary goes down as `systemctl stop` takes it; one second later
    // the operator (or a failover manager) promotes the replica.
    let stopping = Instant::now();
    let primary = tokio::task::spawn_blocking(move || {
        primary.stop("fast");
        primary
    })
    .await
    .unwrap();
    let stopped_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let standby = tokio::task::spawn_blocking(move || {
        standby.promote();
        standby
    })
    .await
    .unwrap();
    let promoted_at = Instant::now();

    // Writes go on until the servers have run three seconds on the new primary.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let recovered = load
            .times
            .lock()
            .unwrap()
            .iter()
            .any(|t| *t > promoted_at + Duration::from_secs(3));
        if recovered || Instant::now() > deadline {
            break;
        }
    }
    load.stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let times = load.times.lock().unwrap().clone();
    let first_after = times
        .iter()
        .filter(|t| **t > stopped_at)
        .min()
        .copied()
        .expect("writes resumed after the failover");
    let mut sorted = times.clone();
    sorted.sort();
    let gap = sorted
        .windows(2)
        .map(|w| w[1] - w[0])
        .max()
        .unwrap_or_default();
    let acked = load.acked.lock().unwrap().clone();
    let errors = load.errors.load(Ordering::Relaxed) - errors_before;

    let mut c = sqlx::PgConnection::connect(&standby.url("chibo"))
        .await
        .unwrap();
    let stored: BTreeSet<String> =
        sqlx::query_scalar("SELECT title FROM agenda_item WHERE meeting_id = $1")
            .bind(meeting)
            .fetch_all(&mut c)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let lost: Vec<&String> = acked.iter().filter(|t| !stored.contains(*t)).collect();
    eprintln!(
        "failover: {} writes acknowledged ({} before the stop), {} errors seen by the client during the switch (each retried), \
         primary stopped in {} ms, replica promoted {} ms later, first acknowledged write {} ms after the primary was down \
         ({} ms after the promotion), longest gap between acknowledged writes {} ms, {} acknowledged writes lost; run {:.1} s",
        acked.len(),
        before,
        errors,
        (stopped_at - stopping).as_millis(),
        (promoted_at - stopped_at).as_millis(),
        (first_after - stopped_at).as_millis(),
        first_after
            .saturating_duration_since(promoted_at)
            .as_millis(),
        gap.as_millis(),
        lost.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
    assert!(
        first_after - promoted_at < Duration::from_secs(10),
        "the servers found the new primary by themselves"
    );
    assert!(errors <= 40, "errors are bounded: {errors}");
    drop(primary);
}
