//! Reads from a streaming replica, end to end: a PostgreSQL primary and an
//! asynchronous standby, one chibo server with `database_replica_url`. The
//! dashboard (a page allowed on the replica) is read there while the replica
//! is caught up; never by a person whose own write it has not replayed; by
//! nobody once it has lagged past `replica_max_lag_secs`; and again once it
//! replays. The standby's replay is paused and resumed by hand, so what the
//! test waits for is a state, not a guess at timing.

use crate::failover::free_port;
use crate::pgcluster::{self, Cluster};
use crate::support::{csrf_of, epoch, hidden};
use chibo_server::app::App;
use chibo_server::config::Config;
use chibo_server::service::demo::{DEMO_PASSWORD, DemoSize};
use reqwest::{Client, StatusCode, redirect};
use sqlx::Connection;
use std::time::{Duration, Instant};

const PRIMARY_CONF: &str = "wal_level = replica
max_wal_senders = 5
hot_standby = on
";

const HBA: &str = "local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
";

/// The replica's lag limit for this test.
const MAX_LAG: Duration = Duration::from_secs(2);

async fn login(base: &str, login: &str) -> (Client, String) {
    let c = Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    let page = c.get(format!("{base}/login")).send().await.unwrap();
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    let res = c
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", login),
            ("password", DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "login as {login}");
    let home = c.get(format!("{base}/")).send().await.unwrap();
    let csrf = csrf_of(&home.text().await.unwrap());
    (c, csrf)
}

async fn on_standby(standby: &Cluster, sql: &str) {
    let mut c = sqlx::PgConnection::connect(&standby.url("chibo"))
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_reads_from_the_replica_only_while_that_is_safe() {
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
    let cfg = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: Some(primary.url("chibo")),
        database_replica_url: Some(standby.url("chibo")),
        replica_max_lag_secs: MAX_LAG.as_secs(),
        remind_every_secs: 0,
        clock: chibo_server::service::clock::Clock::fixed(epoch()),
        ..Config::default()
    };
    let app = App::build(cfg).await.unwrap();
    app.services
        .generate_demo(
            DemoSize {
                cells: 1,
                members_per_cell: 8,
            },
            app.services.now(),
        )
        .await
        .unwrap();
    let cell = app
        .services
        .db
        .read(async |r| chibo_server::store::orgs::by_code(r, "79.001.000.000.001").await)
        .await
        .unwrap()
        .unwrap()
        .id;
    let reads = app.services.metrics.replica_reads.clone();
    let base = format!("http://{}", app.addr);
    tokio::spawn(app.run());

    let (writer, csrf) = login(&base, "bithu").await;
    let (other, _) = login(&base, "dangbo").await;
    let dashboard = async |c: &Client| {
        let before = reads.get();
        let res = c.get(format!("{base}/dashboard")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.unwrap();
        reads.get() > before
    };

    // Caught up after the demo data: the page is read on the replica.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dashboard(&writer).await {
        assert!(Instant::now() < deadline, "the replica never served a read");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The replica stops replaying; the secretary plans a meeting.
    on_standby(&standby, "SELECT pg_wal_replay_pause()").await;
    let date = (epoch().date_naive() + chrono::Days::new(7))
        .format("%d/%m/%Y")
        .to_string();
    let res = writer
        .post(format!("{base}/meetings/new?cell={cell}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "thuong_ky"),
            ("date", &date),
            ("time", "19:30"),
            ("place", "Nhà văn hóa khu phố 1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Their own next read goes to the primary: the replica lacks their write.
    assert!(!dashboard(&writer).await, "read own write from the replica");

    // Past the lag limit nobody reads there, not even who wrote nothing.
    tokio::time::sleep(MAX_LAG + Duration::from_millis(500)).await;
    assert!(
        !dashboard(&other).await,
        "read from a replica behind its limit"
    );
    assert!(!dashboard(&writer).await);

    // Replaying again, it serves both once it has the write.
    on_standby(&standby, "SELECT pg_wal_replay_resume()").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dashboard(&writer).await {
        assert!(Instant::now() < deadline, "the replica never caught up");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(dashboard(&other).await);
}
