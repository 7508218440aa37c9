//! The three operations peer systems publish figures for, each alone at 1
//! and at 32 connections (`chibo-bench --peer`): reading a meeting's agenda,
//! adding an agenda item, and a named vote cast by 200 distinct members.
//!
//! The harness builds its own cell through the API, so it runs against any
//! `chibo demo` dataset: the upper committee's office (`dangbo`) creates
//! the cell and its secretary's account; the secretary enters the members
//! and their accounts; everyone logs in through the login form; the
//! secretary plans the meeting, sends the notice, opens it and marks every
//! member present. The data stays, so the cell's name, code and logins
//! carry the time of the run.

use crate::fixture::{Api, bounded, id_of};
use crate::lifecycle::Lifecycle;
use crate::ops::{Operation, op, week::next_vote};
use crate::{
    Auth, Body, Config, Ctx, DEMO_PASSWORD, OpStats, Phase, Role, Session, World, check_loopback,
    client, figures, figures_head, log_in_all, login, phase,
};
use rand::seq::IndexedRandom;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// The peer cell, shared by every worker.
pub struct Fixture {
    pub meeting: i64,
    /// The secretary's index in `World::sessions`.
    pub secretary: usize,
    /// The members' sessions, in the order they vote in each round.
    pub voters: Vec<usize>,
    round: Mutex<Round>,
}

/// The vote being cast: how many voters were handed it, how many of their
/// casts are done.
#[derive(Default)]
struct Round {
    vote: Option<i64>,
    handed: usize,
    done: usize,
}

/// The operations, in the order they run.
pub const OPERATIONS: &[Operation] = &[
    op!("agenda_list", 1, agenda_list),
    op!("agenda_create", 1, agenda_create),
    op!("vote_cast", 1, vote_cast),
];

const SURNAMES: &[&str] = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
const MIDDLE: &[&str] = &["Văn", "Thị", "Minh", "Ngọc", "Đức"];
const GIVEN: &[&str] = &["An", "Bình", "Hà", "Lan", "Phúc", "Quang"];

/// A distinct name (letters only, as the server wants) for member `k`.
fn name(k: usize) -> String {
    let (s, m) = (SURNAMES.len(), MIDDLE.len());
    format!(
        "{} {} {}",
        SURNAMES[k % s],
        MIDDLE[(k / s) % m],
        GIVEN[(k / (s * m)) % GIVEN.len()]
    )
}

/// Builds the peer cell through the API and logs its people in.
pub async fn build(cfg: &Config) -> anyhow::Result<World> {
    let base = check_loopback(&cfg.url)?;
    let c = client()?;
    let stamp = chrono::Utc::now().timestamp_millis();
    let prefix = format!("bench{stamp}");
    let (cell, secretary) = new_cell(&c, &base, stamp, &prefix).await?;
    let sec = Api {
        c: &c,
        base: &base,
        s: &secretary,
    };
    let members = enrol(sec, cell, &prefix, cfg.peer_members).await?;
    let logins = (0..members.len())
        .map(|k| (format!("{prefix}.{k}"), Role::Member))
        .collect();
    let mut sessions = log_in_all(&c, &base, logins).await?;
    let meeting = open_meeting(sec, cell, &members).await?;
    let voters = (0..sessions.len()).collect();
    sessions.push(secretary);
    Ok(World {
        base,
        bearers: vec![],
        week: vec![],
        peer: Some(Fixture {
            meeting,
            secretary: sessions.len() - 1,
            voters,
            round: Mutex::default(),
        }),
        sessions,
        lifecycle: Lifecycle::default(),
    })
}

/// The body of `POST /api/v1/users` for an account of the cell.
fn account(login: &str, display: &str, role: &str, cell: i64, member: Option<i64>) -> Value {
    json!({
        "login": login, "display_name": display, "password": DEMO_PASSWORD,
        "role": role, "org_id": cell, "member_id": member,
    })
}

/// The upper committee's office creates the cell and its secretary's
/// account; the secretary logs in.
async fn new_cell(
    c: &Client,
    base: &str,
    stamp: i64,
    prefix: &str,
) -> anyhow::Result<(i64, Session)> {
    let upper = login(c, base, "dangbo", Role::Upper).await?;
    let office = Api { c, base, s: &upper };
    let unit = json!({
        "kind": "chi_bo",
        // 14 digits unique to the run.
        "code": format!("99{:012}", stamp % 1_000_000_000_000),
        "name": format!("Chi bộ đo tải {stamp}"),
        "cell_type": "co_quan",
        "place": "Phòng họp tầng 2",
    });
    let path = format!("/api/v1/units/{}/children", upper.unit);
    let cell = office
        .send(Method::POST, &path, Some(unit), StatusCode::CREATED)
        .await?;
    let cell = id_of(&cell, "id")?;
    let bithu = format!("{prefix}.bithu");
    let body = account(&bithu, "Bí thư chi bộ đo tải", "bi_thu", cell, None);
    office
        .send(
            Method::POST,
            "/api/v1/users",
            Some(body),
            StatusCode::CREATED,
        )
        .await?;
    Ok((cell, login(c, base, &bithu, Role::Secretary).await?))
}

/// The secretary enters `n` full members and an account for each; their ids.
async fn enrol(sec: Api<'_>, cell: i64, prefix: &str, n: usize) -> anyhow::Result<Vec<i64>> {
    let members = bounded(4, 0..n, |k| async move {
        let m = json!({
            "cell_id": cell,
            "full_name": name(k),
            "date_of_birth": "12/05/1980",
            "admission_date": "03/02/2010",
            "official_date": "03/02/2011",
        });
        let r = sec
            .send(
                Method::POST,
                "/api/v1/members",
                Some(m),
                StatusCode::CREATED,
            )
            .await?;
        id_of(&r, "id")
    })
    .await?;
    // Two at a time: the server hashes each new password (Argon2).
    bounded(2, members.iter().enumerate(), |(k, &id)| {
        let body = account(&format!("{prefix}.{k}"), &name(k), "member", cell, Some(id));
        async move {
            sec.send(
                Method::POST,
                "/api/v1/users",
                Some(body),
                StatusCode::CREATED,
            )
            .await
        }
    })
    .await?;
    Ok(members)
}

/// Plans tomorrow's meeting, sends the notice, opens it and marks every
/// member present (before any vote: a vote freezes the roll it opens on).
async fn open_meeting(sec: Api<'_>, cell: i64, members: &[i64]) -> anyhow::Result<i64> {
    let id = sec.plan_meeting(cell, "08:00", "Phòng họp tầng 2").await?;
    for action in ["notice", "open"] {
        let path = format!("/api/v1/meetings/{id}/steps");
        // Tomorrow's meeting held today: the reason the rules ask for.
        let body = json!({"action": action, "reason": "Chạy đo hiệu năng"});
        sec.send(Method::POST, &path, Some(body), StatusCode::OK)
            .await?;
    }
    bounded(4, members, |member| async move {
        let path = format!("/api/v1/meetings/{id}/attendance/{member}");
        let body = json!({"presence": "co_mat"});
        sec.send(Method::PUT, &path, Some(body), StatusCode::OK)
            .await
    })
    .await?;
    Ok(id)
}

/// A member reading the agenda on their phone.
async fn agenda_list(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(p) = &world.peer else { return };
    let Some(&m) = p.voters.choose(&mut c.rng) else {
        return;
    };
    let _ = c
        .send(
            "agenda_list",
            Method::GET,
            &format!("/api/v1/meetings/{}/agenda", p.meeting),
            Auth::Session(&world.sessions[m]),
            None,
            StatusCode::OK,
        )
        .await;
}

/// The secretary adding an item to the agenda (the server has no cap on
/// items, so all go to the one meeting).
async fn agenda_create(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(p) = &world.peer else { return };
    let title = format!("Ý kiến bổ sung số {}", c.counter);
    let _ = c
        .send(
            "agenda_create",
            Method::POST,
            &format!("/api/v1/meetings/{}/agenda", p.meeting),
            Auth::Session(&world.sessions[p.secretary]),
            Some(Body::Json(json!({"title": title}))),
            StatusCode::CREATED,
        )
        .await;
}

/// A member's named vote: each member once per round, the next round's
/// vote opened when all have cast.
async fn vote_cast(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(p) = &world.peer else { return };
    let Some((vote, voter)) = next_voter(c, p).await else {
        return;
    };
    let _ = c
        .send(
            "vote_cast",
            Method::POST,
            &format!("/api/v1/meetings/{}/votes/{vote}/cast", p.meeting),
            Auth::Session(&world.sessions[voter]),
            Some(Body::Json(json!({"choice": "tan_thanh"}))),
            StatusCode::NO_CONTENT,
        )
        .await;
    p.round.lock().await.done += 1;
}

/// The vote and the member to cast next. Once every member has been handed
/// the round's vote and all their casts are done, the secretary closes it
/// and opens the next (`vote_close`, `vote_open`) while the others wait.
async fn next_voter(c: &mut Ctx, p: &Fixture) -> Option<(i64, usize)> {
    loop {
        let mut r = p.round.lock().await;
        if let Some(vote) = r.vote
            && r.handed < p.voters.len()
        {
            r.handed += 1;
            return Some((vote, p.voters[r.handed - 1]));
        }
        if r.done < r.handed {
            // Closing now would refuse the casts still in flight.
            drop(r);
            tokio::time::sleep(Duration::from_millis(1)).await;
            continue;
        }
        let vote = next_vote(c, p.meeting, p.secretary, r.vote.take()).await;
        *r = Round {
            vote,
            handed: 0,
            done: 0,
        };
        vote?;
    }
}

/// One operation at one number of connections.
pub struct PeerRow {
    pub op: &'static str,
    pub connections: usize,
    pub phase: Phase,
}

pub struct PeerReport {
    pub members: usize,
    pub meeting: i64,
    pub rows: Vec<PeerRow>,
}

/// Builds the cell, then runs each operation alone at each number of
/// connections (`cfg.peer_connections`) for `cfg.peer` after the warm-up.
pub async fn run(cfg: &Config) -> anyhow::Result<PeerReport> {
    let world = Arc::new(build(cfg).await?);
    let mut rows = vec![];
    for op in OPERATIONS {
        for &connections in &cfg.peer_connections {
            let at = Config {
                connections,
                sweep: false,
                ..cfg.clone()
            };
            let phase = phase(&world, &at, op.name, &[*op], cfg.peer).await?;
            rows.push(PeerRow {
                op: op.name,
                connections,
                phase,
            });
        }
    }
    let p = world.peer.as_ref().expect("built with the fixture");
    // The last round's vote, so the meeting is left with none open.
    if let Some(vote) = p.round.lock().await.vote {
        let sec = Api {
            c: &client()?,
            base: &world.base,
            s: &world.sessions[p.secretary],
        };
        let path = format!("/api/v1/meetings/{}/votes/{vote}/close", p.meeting);
        sec.send(Method::POST, &path, None, StatusCode::NO_CONTENT)
            .await?;
    }
    Ok(PeerReport {
        members: p.voters.len(),
        meeting: p.meeting,
        rows,
    })
}

impl PeerReport {
    pub fn total_errors(&self) -> u64 {
        self.rows.iter().map(|r| r.phase.total_errors()).sum()
    }

    /// The "peer-comparable operations" table. Errors count every request
    /// of the phase (a vote's close and open too); the figures are the
    /// operation's own.
    pub fn table(&self) -> String {
        let mut out = format!(
            "peer-comparable operations: one cell of {} members, meeting {}\n",
            self.members, self.meeting
        );
        let _ = writeln!(
            out,
            "{:<16} {:>5} {} {:>7}",
            "operation",
            "conns",
            figures_head(),
            "errors"
        );
        for r in &self.rows {
            let none = OpStats::default();
            let s = r.phase.ops.get(r.op).unwrap_or(&none);
            let _ = writeln!(
                out,
                "{:<16} {:>5} {} {:>7}",
                r.op,
                r.connections,
                figures(s, r.phase.seconds),
                r.phase.total_errors()
            );
        }
        for r in &self.rows {
            for (name, s) in &r.phase.ops {
                if let Some(e) = &s.first_error {
                    let _ = writeln!(out, "first error of {name} ({} conns): {e}", r.connections);
                }
            }
        }
        out
    }
}
