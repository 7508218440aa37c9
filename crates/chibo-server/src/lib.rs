//! chibo: the workbench of a Vietnamese Party cell (chi bộ).
//!
//! Layers, arrows pointing one way: `web → service → store → model`;
//! `service` also uses the pure `chibo-rules` and `chibo-docs` crates.

pub mod app;
pub mod cli;
pub mod config;
pub mod lifecycle;
pub mod metrics;
pub mod model;
pub mod service;
pub mod store;
pub mod web;
