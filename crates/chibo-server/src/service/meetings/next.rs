//! What the secretary does next with a meeting, read from its state: the
//! meeting page and the home page both ask [`next_step`].

use super::{MeetingRow, ResolutionRow, RollEntry, VoteRow};

/// The next step of a meeting's month, in the order the steps come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Planned, not announced, its day still ahead.
    SendNotice,
    /// Announced (or its day has come): open it and call the roll.
    Open,
    /// Open, with members expected in the room not marked yet.
    RollCall,
    /// Open, the roll called, no vote counted yet.
    Votes,
    /// A vote is counted; the resolution is not adopted.
    Resolution,
    /// Open with the resolution adopted: close the meeting.
    Close,
    /// Closed with the resolution adopted; the minutes are not locked.
    LockMinutes,
    /// Nothing is left to do.
    Done,
}

impl NextStep {
    /// Its code, as the templates test it.
    pub fn as_str(self) -> &'static str {
        match self {
            NextStep::SendNotice => "send_notice",
            NextStep::Open => "open",
            NextStep::RollCall => "roll_call",
            NextStep::Votes => "votes",
            NextStep::Resolution => "resolution",
            NextStep::Close => "close",
            NextStep::LockMinutes => "lock_minutes",
            NextStep::Done => "done",
        }
    }

    /// The message key that names it.
    pub fn key(self) -> &'static str {
        match self {
            NextStep::SendNotice => "meeting-send-notice",
            NextStep::Open => "meeting-open",
            NextStep::RollCall => "roll-title",
            NextStep::Votes => "votes-title",
            NextStep::Resolution => "resolution-title",
            NextStep::Close => "meeting-close",
            NextStep::LockMinutes => "minutes-lock",
            NextStep::Done => "minutes-locked",
        }
    }
}

/// The next step of meeting `m`, from its roll, votes and resolution;
/// `in_future`: its planned start is still ahead.
pub fn next_step(
    m: &MeetingRow,
    roll: &[RollEntry],
    votes: &[VoteRow],
    resolution: Option<&ResolutionRow>,
    in_future: bool,
) -> NextStep {
    let adopted = resolution.is_some_and(|r| r.status == "adopted");
    match m.status.as_str() {
        "draft" if in_future => NextStep::SendNotice,
        "draft" | "notified" => NextStep::Open,
        "open" => {
            if adopted {
                NextStep::Close
            } else if roll.iter().any(|e| e.presence.is_none() && !e.apart()) {
                NextStep::RollCall
            } else if votes.iter().all(|v| v.status != "closed") {
                NextStep::Votes
            } else {
                NextStep::Resolution
            }
        }
        _ if !adopted => NextStep::Resolution,
        _ if m.minutes_locked_at.is_none() => NextStep::LockMinutes,
        _ => NextStep::Done,
    }
}
