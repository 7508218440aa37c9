//! The harness against a real chibo with a tiny demo, for a few seconds, on
//! SQLite (and PostgreSQL when `CHIBO_TEST_DATABASE_URL` is set): every
//! operation of the mixed workload and of `--peer` runs and none fails.
//! Speed is not checked here.

use chibo_bench::{Config, run};
use chibo_server::app::App;
use chibo_server::config::Config as ServerConfig;
use chibo_server::service::demo::{DemoSize, secretary_login};
use chrono::Utc;
use sqlx::Connection;
use std::time::Duration;

async fn fresh_pg_database(admin: &str) -> String {
    let name = format!(
        "chibo_bench_{}",
        &chibo_server::service::accounts::random_token()
            .to_lowercase()
            .replace(['-', '_'], "")[..12]
    );
    let mut c = sqlx::PgConnection::connect(admin).await.expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await
        .expect("create database");
    let (prefix, _) = admin.rsplit_once('/').expect("URL has a database name");
    let query = admin
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{prefix}/{name}{query}")
}

async fn smoke(database_url: Option<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = ServerConfig {
        data_dir: dir.path().join("data"),
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url,
        // Each response says how many statements it sent: the harness's
        // statements-per-request column.
        count_queries: true,
        ..ServerConfig::default()
    };
    let app = App::build(cfg).await.expect("app builds");
    let url = format!("http://{}", app.addr);
    let services = app.services.clone();
    let size = DemoSize {
        cells: 6,
        members_per_cell: 14,
    };
    services
        .generate_demo(size, Utc::now())
        .await
        .expect("demo");
    // What the lifecycle reads read: the first cell's cases, concerns and
    // study, the committee's evaluation round.
    services
        .generate_demo_cases(Utc::now())
        .await
        .expect("demo cases");
    services
        .generate_demo_residents(Utc::now())
        .await
        .expect("demo residents");
    services
        .generate_demo_evaluations(Utc::now(), 2)
        .await
        .expect("demo evaluations");
    let mut tokens = vec![];
    for n in 1..=2 {
        let login = secretary_login(n);
        let account = services
            .db
            .read(async |r| chibo_server::store::accounts::by_login(r, &login).await)
            .await
            .expect("account")
            .expect("demo secretary");
        tokens.push(
            services
                .issue_api_token(account.id, "chibo-bench", Utc::now())
                .await
                .expect("token"),
        );
    }
    tokio::spawn(app.run());
    let cfg = Config {
        url,
        cells: size.cells,
        connections: 4,
        users: 10,
        warmup: Duration::from_millis(200),
        ceiling: Duration::from_millis(500),
        mixed: Duration::from_millis(2000),
        tokens,
        sweep: true,
        ..Config::default()
    };
    let report = run(&cfg).await.expect("harness runs");
    let table = report.table();
    println!("{table}");
    assert_eq!(report.mixed.total_errors(), 0, "{table}");
    assert_eq!(report.ceiling.total_errors(), 0, "{table}");
    for op in chibo_bench::ops::OPERATIONS {
        assert!(
            report.mixed.ops.get(op.name).is_some_and(|s| s.count() > 0),
            "{} never ran:\n{table}",
            op.name
        );
        assert!(
            report.mixed.ops[op.name].counted == report.mixed.ops[op.name].count(),
            "{}: a response without X-Chibo-Queries:\n{table}",
            op.name
        );
    }
    assert!(table.contains("stmts/req"), "{table}");
    assert!(
        report.mixed.all().queries > 0,
        "no statement counted:\n{table}"
    );
    assert!(report.ceiling.total_ok() > 0, "{table}");

    // A soak of two one-second windows, the server being this process.
    let soak_cfg = Config {
        soak_window: Duration::from_secs(1),
        ..cfg.clone()
    };
    let soak = chibo_bench::soak::run(&soak_cfg, 2, Some(std::process::id()))
        .await
        .expect("soak runs");
    let summary = soak.summary();
    println!("{summary}");
    assert_eq!(soak.total_errors(), 0, "{summary}");
    assert_eq!(soak.minutes.len(), 2, "{summary}");
    assert!(
        soak.minutes
            .iter()
            .all(|m| m.requests > 0 && m.rss_kb.is_some_and(|kb| kb > 0)),
        "{summary}"
    );
    assert!(summary.contains("drift RSS"), "{summary}");

    // The peer-comparable operations on a cell the harness builds, with
    // fewer voters than the real run's 200 (the rounds turn over faster).
    let cfg = Config {
        peer_members: 12,
        peer: Duration::from_millis(500),
        ..cfg
    };
    let peer = chibo_bench::peer::run(&cfg).await.expect("peer run");
    let table = peer.table();
    println!("{table}");
    assert_eq!(peer.total_errors(), 0, "{table}");
    for op in chibo_bench::peer::OPERATIONS {
        for &n in &cfg.peer_connections {
            assert!(
                peer.rows.iter().any(|r| r.op == op.name
                    && r.connections == n
                    && r.phase.ops.get(op.name).is_some_and(|s| s.count() > 0)),
                "{} at {n} connections never ran:\n{table}",
                op.name
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_smoke_sqlite() {
    smoke(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_smoke_postgres() {
    let Ok(admin) = std::env::var("CHIBO_TEST_DATABASE_URL") else {
        eprintln!("CHIBO_TEST_DATABASE_URL not set: PostgreSQL arm skipped");
        return;
    };
    smoke(Some(fresh_pg_database(&admin).await)).await;
}
