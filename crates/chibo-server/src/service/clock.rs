//! The one source of "now" for the server. Production reads the system
//! clock; tests hand the app a clock they set and move, so every date a test
//! writes follows from the clock it controls, not from the calendar on the wall.

use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<Mutex<DateTime<Utc>>>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock standing at `at` until it is set or advanced.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self(Some(Arc::new(Mutex::new(at))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(at) => *at.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves a fixed clock to `at`; the system clock cannot be moved.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(cell) = &self.0 {
            *cell.lock().unwrap_or_else(|e| e.into_inner()) = at;
        }
    }

    /// Moves a fixed clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        if let Some(cell) = &self.0 {
            let mut at = cell.lock().unwrap_or_else(|e| e.into_inner());
            *at += by;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_fixed_clock_stands_until_moved_and_its_clones_move_together() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 8, 0, 0).unwrap();
        let c = Clock::fixed(at);
        let seen_by_server = c.clone();
        assert_eq!(seen_by_server.now(), at);
        c.advance(Duration::days(400));
        assert_eq!(seen_by_server.now(), at + Duration::days(400));
        c.set(at);
        assert_eq!(seen_by_server.now(), at);
    }

    #[test]
    fn the_system_clock_ignores_set() {
        let c = Clock::system();
        let before = c.now();
        c.set(before - Duration::days(3650));
        assert!(c.now() >= before);
    }
}
