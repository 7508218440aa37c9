//! The lifecycle reads of the mixed workload (issue 18 item 6): admission
//! cases, the dues roll, the evaluation round, residents' concerns and
//! study, as their pages are read in a month — all reads; the writes these
//! features make (a payment, a case's step) are rare beside them. What they
//! read was found before the run ([`crate::lifecycle`]).

use crate::{Auth, Ctx, Role};
use rand::seq::IndexedRandom;
use reqwest::{Method, StatusCode};

/// A page as one of `role`'s sessions.
async fn page(c: &mut Ctx, op: &'static str, role: Role, path: &str) {
    let world = c.world.clone();
    let Some(s) = super::pick(c, role) else {
        return;
    };
    let _ = c
        .send(
            op,
            Method::GET,
            path,
            Auth::Session(&world.sessions[s]),
            None,
            StatusCode::OK,
        )
        .await;
}

/// A secretary's list of their cell's admission and recognition cases.
pub(super) async fn case_list(c: &mut Ctx) {
    page(c, "case_list", Role::Secretary, "/cases").await;
}

/// One case with its steps, deadlines and documents, by its cell's secretary.
pub(super) async fn case_page(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(&(s, id)) = world.lifecycle.cases.choose(&mut c.rng) else {
        return;
    };
    let _ = c
        .send(
            "case_page",
            Method::GET,
            &format!("/cases/{id}"),
            Auth::Session(&world.sessions[s]),
            None,
            StatusCode::OK,
        )
        .await;
}

/// A cell's dues roll for the month, by its secretary.
pub(super) async fn dues_cell(c: &mut Ctx) {
    page(c, "dues_cell", Role::Secretary, "/dues").await;
}

/// The committee's dues table by cell (this year), by its office.
pub(super) async fn dues_by_cell(c: &mut Ctx) {
    page(c, "dues_by_cell", Role::Upper, "/dues/cells").await;
}

/// A committee's evaluation round: every cell's ratings and its own.
pub(super) async fn evaluation_round(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(&(s, id)) = world.lifecycle.rounds.choose(&mut c.rng) else {
        return;
    };
    let session = &world.sessions[s];
    let _ = c
        .send(
            "evaluation_round",
            Method::GET,
            &format!("/evaluations/rounds/{id}?unit={}", session.unit),
            Auth::Session(session),
            None,
            StatusCode::OK,
        )
        .await;
}

/// A cell's public page for residents' concerns, by someone not logged in.
pub(super) async fn public_page(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(code) = world.lifecycle.cell_codes.choose(&mut c.rng) else {
        return;
    };
    let _ = c
        .send(
            "public_page",
            Method::GET,
            &format!("/y-kien/{code}"),
            Auth::None,
            None,
            StatusCode::OK,
        )
        .await;
}

/// A secretary's list of their cell's residents' concerns.
pub(super) async fn concerns_cell(c: &mut Ctx) {
    page(c, "concerns_cell", Role::Secretary, "/concerns").await;
}

/// A study document read by someone of its cell (a member, or the
/// secretary).
pub(super) async fn study_doc(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(&(cell, id)) = world.lifecycle.documents.choose(&mut c.rng) else {
        return;
    };
    let readers: Vec<usize> = world
        .sessions
        .iter()
        .enumerate()
        .filter(|(_, s)| s.unit == cell && matches!(s.role, Role::Secretary | Role::Member))
        .map(|(i, _)| i)
        .collect();
    let Some(&s) = readers.choose(&mut c.rng) else {
        return;
    };
    let _ = c
        .send(
            "study_doc",
            Method::GET,
            &format!("/study/docs/{id}"),
            Auth::Session(&world.sessions[s]),
            None,
            StatusCode::OK,
        )
        .await;
}
