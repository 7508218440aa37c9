//! One integration-test binary: the real app on 127.0.0.1:0 over a fresh
//! SQLite file, and over a fresh PostgreSQL database when
//! `CHIBO_TEST_DATABASE_URL` is set. Tests talk HTTP like a browser would.

mod access;
mod api;
mod audit;
mod auth;
mod badges;
mod ballot_browser;
mod ballots;
mod browser;
mod budget;
mod cases;
mod cell_rating;
mod cli;
mod concerns;
mod dashboard;
mod discipline;
mod documents;
mod dues;
mod dues_papers;
mod elections;
mod evaluations;
mod failover;
mod faults;
mod hygiene;
mod import;
mod input;
mod lifecycle_phone;
mod meetings;
mod members;
mod offline;
mod ops;
mod pgcluster;
mod pgtls;
mod phone;
mod quarter;
mod replica;
mod residents;
mod rules;
mod schema;
mod smtp;
mod study;
mod support;
mod tasks;
mod transfers;
mod writes;
