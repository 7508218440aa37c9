//! Where a server process is in its life, for `/readyz` and the drain.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// Listening, connecting to the database.
    Starting = 0,
    /// Waiting for or applying migrations.
    Migrating = 1,
    /// Taking traffic.
    Ready = 2,
    /// SIGTERM received: finishing what is in flight, taking nothing new.
    Draining = 3,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Migrating => "migrating",
            Self::Ready => "ready",
            Self::Draining => "draining",
        }
    }
}

/// The phase, shared by the server's tasks; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Life(Arc<AtomicU8>);

impl Life {
    pub fn get(&self) -> Phase {
        match self.0.load(Ordering::Acquire) {
            0 => Phase::Starting,
            1 => Phase::Migrating,
            2 => Phase::Ready,
            _ => Phase::Draining,
        }
    }

    pub fn set(&self, p: Phase) {
        self.0.store(p as u8, Ordering::Release);
    }
}
