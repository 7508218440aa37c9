//! chibo's documents: pure conversions between bytes and data, with no I/O
//! of their own, so the server, the CLI and tests share one implementation.
//!
//! - [`sheet`]: member tables in and out of XLSX/XLS/ODS/CSV.

pub mod sheet;
