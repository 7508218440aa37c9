//! Values that cannot be invalid once constructed ("parse, don't validate").
//! Every parser returns a [`Problem`] naming the field and a message code that
//! the web layer translates; nothing here knows HTTP or SQL.

mod announcement;
mod ballot;
mod concern;
mod date;
mod ids;
mod meeting;
mod member;
mod money;
mod org;
mod problem;
mod role;
mod study;
mod task;
mod text;
mod time;

pub use announcement::{AnnouncementDraft, CheckedAnnouncement};
pub use ballot::{SvKind, SvStatus};
pub use concern::{
    CheckedConcern, CloseReason, ConcernAct, ConcernDraft, ConcernState, Door, Due, ForwardBody,
    MAX_BODY_CHARS, due_on, looks_like_spam, normal_code, note_text, paragraphs, tracking_code,
};
pub use date::{format_date, parse_date};
pub use ids::{CardNo, Email, NationalId, Phone};
pub use meeting::{
    AgendaKind, Choice, MeetingKind, MeetingStatus, Presence, VoteMode, agenda_template,
};
pub use member::{MemberDraft, MemberFields, Sex, Status, parse_status};
pub use money::amount_in_words;
pub use org::{CellType, OrgCode, OrgKind};
pub use problem::{Problem, Problems};
pub use role::{CommitteeRole, Role};
pub use study::{
    AssignmentDraft, Audience, CheckedAssignment, CheckedDocument, DocKind, DocumentDraft, Place,
    is_pdf, matches, pages, reflection_text,
};
pub use task::{
    CheckedTask, Period, PeriodKind, ReviewDecision, Shown, TaskDraft, TaskSource, TaskStatus,
    TaskTimes,
};
pub use text::{PersonName, control_char, fold, group_thousands, nfc};
pub use time::parse_time;
