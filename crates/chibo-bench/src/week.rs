//! The meeting week of the mixed workload. Before it starts, each
//! logged-in secretary's cell has its monthly meeting in session: the
//! demo's next meeting opened (or, where there is none — a dataset without
//! history, or a later run — a new one planned and opened), the cell's
//! logged-in members (the secretary among them) marked present so they may
//! vote, and each of them leading an open task (one is assigned where they
//! lead none).
//! Everything goes through the API as the secretary or the member.

use crate::fixture::{Api, bounded, id_of, vn_date};
use crate::{Role, Session};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

/// A secretary's cell in session, and what one worker knows of it.
#[derive(Debug, Clone)]
pub struct CellWeek {
    /// The secretary's index in `World::sessions`.
    pub secretary: usize,
    pub meeting: i64,
    /// Agenda items with the minutes version last seen.
    pub items: Vec<(i64, i64)>,
    /// Members the roll-call marks: everyone on the roll but the voters,
    /// who stay present so the next vote's frozen roll counts them.
    pub roll: Vec<i64>,
    /// Sessions of the cell's people entitled to vote (full members on the
    /// roll, marked present).
    pub voters: Vec<usize>,
    /// The open named vote and the voters who cast in it; the operation
    /// opens the next one when everyone has.
    pub vote: Option<i64>,
    pub cast: Vec<usize>,
    pub tasks: Vec<OwnedTask>,
}

/// A task led by a logged-in member (or the secretary), with the version
/// last seen.
#[derive(Debug, Clone)]
pub struct OwnedTask {
    pub session: usize,
    pub id: i64,
    pub version: i64,
}

/// Every secretary's cell in session, a few cells at a time.
pub async fn prepare(
    c: &Client,
    base: &str,
    sessions: &[Session],
) -> anyhow::Result<Vec<CellWeek>> {
    let secretaries = sessions
        .iter()
        .enumerate()
        .filter(|(_, s)| s.role == Role::Secretary)
        .map(|(i, _)| i);
    bounded(4, secretaries, |i| cell_week(c, base, sessions, i)).await
}

async fn cell_week(
    c: &Client,
    base: &str,
    sessions: &[Session],
    secretary: usize,
) -> anyhow::Result<CellWeek> {
    let s = &sessions[secretary];
    let sec = Api { c, base, s };
    let meeting = meeting_in_session(sec).await?;
    let detail = sec.get(&format!("/api/v1/meetings/{meeting}")).await?;
    let roll = detail["roll"].as_array().cloned().unwrap_or_default();
    let on_roll_as = |member: i64| {
        roll.iter()
            .find(|r| r["member_id"].as_i64() == Some(member))
            .map(|r| (r["member_status"].as_str(), r["presence"].as_str()))
    };
    // The cell's logged-in people with a member record: its members, and
    // the secretary, who votes and carries tasks like any member.
    let members: Vec<usize> = sessions
        .iter()
        .enumerate()
        .filter(|&(i, m)| {
            (i == secretary || m.role == Role::Member) && m.unit == s.unit && m.member_id.is_some()
        })
        .map(|(i, _)| i)
        .collect();
    let mut voters = vec![];
    for &m in &members {
        let id = sessions[m].member_id.unwrap_or_default();
        let Some((Some("chinh_thuc"), presence)) = on_roll_as(id) else {
            continue;
        };
        if presence != Some("co_mat") {
            sec.send(
                Method::PUT,
                &format!("/api/v1/meetings/{meeting}/attendance/{id}"),
                Some(json!({"presence": "co_mat"})),
                StatusCode::OK,
            )
            .await?;
        }
        voters.push(m);
    }
    let voter_ids: Vec<Option<i64>> = voters.iter().map(|&v| sessions[v].member_id).collect();
    let mut tasks = vec![];
    for &m in &members {
        let member = Api {
            c,
            base,
            s: &sessions[m],
        };
        tasks.push(owned_task(sec, member, m).await?);
    }
    Ok(CellWeek {
        secretary,
        meeting,
        items: detail["agenda"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| Some((i["id"].as_i64()?, i["minutes_version"].as_i64()?)))
            .collect(),
        roll: roll
            .iter()
            .filter_map(|r| r["member_id"].as_i64())
            .filter(|id| !voter_ids.contains(&Some(*id)))
            .collect(),
        voters,
        vote: None,
        cast: vec![],
        tasks,
    })
}

/// A meeting in session for this run: the next one planned (the demo
/// notifies it), else a new one for tomorrow. A meeting an earlier run left
/// open is closed first, its votes with it: votes pile up in a meeting, and
/// what a run measures should not depend on how many ran before.
async fn meeting_in_session(sec: Api<'_>) -> anyhow::Result<i64> {
    let list = sec
        .get(&format!("/api/v1/meetings?cell={}", sec.s.unit))
        .await?;
    let list = list.as_array().cloned().unwrap_or_default();
    let step = |id: i64, action: &'static str| async move {
        let path = format!("/api/v1/meetings/{id}/steps");
        // A benchmark's meeting opens early and ends short: the reason
        // the rules then ask for (ignored otherwise).
        let body = json!({"action": action, "reason": "Chạy đo hiệu năng"});
        sec.send(Method::POST, &path, Some(body), StatusCode::OK)
            .await
    };
    let mut planned = None;
    for m in &list {
        let id = id_of(m, "id")?;
        match m["status"].as_str() {
            Some("open") => {
                close_votes(sec, id).await?;
                step(id, "close").await?;
            }
            Some("notified" | "draft") => planned = planned.or(Some(id)),
            _ => {}
        }
    }
    let id = match planned {
        Some(id) => id,
        None => {
            sec.plan_meeting(sec.s.unit, "19:30", "Hội trường khu phố")
                .await?
        }
    };
    step(id, "open").await?;
    Ok(id)
}

/// Closes a meeting's open named votes (a meeting with an open vote cannot
/// be closed).
async fn close_votes(sec: Api<'_>, meeting: i64) -> anyhow::Result<()> {
    let detail = sec.get(&format!("/api/v1/meetings/{meeting}")).await?;
    for v in detail["votes"].as_array().into_iter().flatten() {
        if v["status"] == "open" && v["mode"] == "named" {
            let path = format!("/api/v1/meetings/{meeting}/votes/{}/close", id_of(v, "id")?);
            sec.send(Method::POST, &path, None, StatusCode::NO_CONTENT)
                .await?;
        }
    }
    Ok(())
}

/// An open task the member leads, assigned by the secretary if there is none.
async fn owned_task(sec: Api<'_>, member: Api<'_>, session: usize) -> anyhow::Result<OwnedTask> {
    let me = member.s.member_id;
    let mine = member.get("/api/v1/me/tasks").await?;
    let led = mine
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["lead_id"].as_i64() == me && t["closed_on"].is_null());
    let task: Value = match led {
        Some(t) => t.clone(),
        None => {
            let duty = json!({
                "cell_id": sec.s.unit,
                "title": "Nắm tình hình tư tưởng, dư luận trong khu dân cư",
                "lead_id": me,
                "deadline": vn_date(30),
            });
            sec.send(
                Method::POST,
                "/api/v1/tasks",
                Some(duty),
                StatusCode::CREATED,
            )
            .await?
        }
    };
    Ok(OwnedTask {
        session,
        id: id_of(&task, "id")?,
        version: id_of(&task, "version")?,
    })
}
