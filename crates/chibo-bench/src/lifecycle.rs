//! What the lifecycle reads of the mixed workload ([`crate::ops::lifecycle`])
//! need to know before the run, asked through the API as the people who
//! read them: each secretary's cell code (its residents' public page), the
//! admission cases and study documents of their cells, and each upper
//! committee office's evaluation rounds. `chibo demo` puts the cases, the
//! concerns and the study campaigns in its first cell and a year's
//! evaluation round in every committee; the other cells' lists are read as
//! they are, often empty, as most cells' are in a given month.

use crate::fixture::{Api, bounded, id_of};
use crate::{Role, Session};
use reqwest::Client;

/// Found before the run; read-only during it.
#[derive(Debug, Default)]
pub struct Lifecycle {
    /// The secretaries' cells' codes without dots, as the public page's
    /// address writes them (`/y-kien/79001000000001`).
    pub cell_codes: Vec<String>,
    /// (secretary's session, case id): an admission or recognition case of
    /// the secretary's cell.
    pub cases: Vec<(usize, i64)>,
    /// (cell, document id): a study document of the cell's campaigns or
    /// library.
    pub documents: Vec<(i64, i64)>,
    /// (office's session, round id): an evaluation round of the committee.
    pub rounds: Vec<(usize, i64)>,
}

/// What one person's unit has.
#[derive(Default)]
struct Found {
    code: Option<String>,
    cases: Vec<i64>,
    documents: Vec<i64>,
    rounds: Vec<i64>,
}

/// Asks, a few people at a time.
pub async fn prepare(c: &Client, base: &str, sessions: &[Session]) -> anyhow::Result<Lifecycle> {
    let people = sessions
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.role, Role::Secretary | Role::Upper));
    let found = bounded(4, people, |(i, s)| async move {
        anyhow::Ok((i, s, of_unit(Api { c, base, s }).await?))
    })
    .await?;
    let mut l = Lifecycle::default();
    for (i, s, f) in found {
        l.cell_codes.extend(f.code);
        l.cases.extend(f.cases.into_iter().map(|id| (i, id)));
        l.documents
            .extend(f.documents.into_iter().map(|id| (s.unit, id)));
        l.rounds.extend(f.rounds.into_iter().map(|id| (i, id)));
    }
    Ok(l)
}

async fn of_unit(a: Api<'_>) -> anyhow::Result<Found> {
    let unit = a.s.unit;
    let mut f = Found::default();
    if a.s.role == Role::Upper {
        let rounds = a
            .get(&format!("/api/v1/evaluations/rounds?unit={unit}"))
            .await?;
        for r in rounds.as_array().into_iter().flatten() {
            f.rounds.push(id_of(r, "id")?);
        }
        return Ok(f);
    }
    let cell = a.get(&format!("/api/v1/units/{unit}")).await?;
    f.code = cell["code"].as_str().map(|c| c.replace('.', ""));
    let cases = a.get(&format!("/api/v1/cases?unit={unit}")).await?;
    for k in cases.as_array().into_iter().flatten() {
        f.cases.push(id_of(k, "id")?);
    }
    let study = a.get(&format!("/api/v1/study?unit={unit}")).await?;
    let assigned = study["assignments"].as_array().into_iter().flatten();
    let ids = assigned.filter_map(|x| x["document_id"].as_i64()).chain(
        study["library"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["id"].as_i64()),
    );
    for id in ids {
        if !f.documents.contains(&id) {
            f.documents.push(id);
        }
    }
    Ok(f)
}
