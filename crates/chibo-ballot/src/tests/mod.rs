//! The crate's tests: the design's secrecy (S4) and verifiability (V1–V4) properties at the
//! crypto level, with seeded randomness so every run makes the same keys and ballots.

mod attacks;
mod fixture;
mod flow;
mod mutations;
mod validity;
