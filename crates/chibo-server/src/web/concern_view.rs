//! Templates of the residents' concerns and the study documents.

use super::view::{Chrome, FieldErrors};
use crate::model::format_date;
use crate::service::concerns::{ConcernItem, ConcernList, Tracked};
use askama::Template;
use askama_web::WebTemplate;
use chrono::NaiveDate;

/// The words of states, doors and close reasons.
pub trait ConcernWords {
    fn chrome(&self) -> &Chrome;

    fn state(&self, code: &str) -> String {
        self.chrome().t(&format!("concern-state-{code}"))
    }

    fn door(&self, code: &str) -> String {
        self.chrome().t(&format!("concern-door-{code}"))
    }

    fn body_kind(&self, code: &str) -> String {
        self.chrome().t(&format!("concern-body-{code}"))
    }

    fn reason(&self, code: &str) -> String {
        self.chrome().t(&format!("concern-reason-{code}"))
    }

    fn date(&self, d: &NaiveDate) -> String {
        format_date(*d)
    }

    fn maybe_date(&self, d: &Option<NaiveDate>) -> String {
        d.map(format_date).unwrap_or_default()
    }

    /// A task's state as the task table words it.
    fn task_state(&self, shown: &str) -> String {
        self.chrome().t(&format!("task-shown-{shown}"))
    }
}

macro_rules! words {
    ($($t:ty),*) => {$(
        impl ConcernWords for $t {
            fn chrome(&self) -> &Chrome {
                &self.c
            }
        }
    )*};
}

words!(PublicPage, TrackPage, ConcernsPage, ConcernPage);

/// The cell's public page: the form, or the code of what was just sent.
#[derive(Template, WebTemplate)]
#[template(path = "concern_public.html")]
pub struct PublicPage {
    pub c: Chrome,
    pub cell_code: String,
    pub cell_name: String,
    pub csrf: String,
    pub area: String,
    pub body: String,
    pub contact: String,
    pub errors: FieldErrors,
    /// A refusal that is no field's (the rate limit).
    pub refusal: Option<String>,
    /// The tracking code of the concern just received.
    pub sent: Option<String>,
    pub max_body: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "concern_track.html")]
pub struct TrackPage {
    pub c: Chrome,
    pub code: String,
    pub found: Option<Tracked>,
    /// A code was asked for and nothing has it.
    pub missing: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "concerns.html")]
pub struct ConcernsPage {
    pub c: Chrome,
    pub list: ConcernList,
    /// The meeting whose "dư luận nhân dân" item this is.
    pub meeting: Option<i64>,
    pub month: String,
    pub flash: Option<String>,
    /// Codes of what was just recorded.
    pub codes: Vec<String>,
    pub errors: FieldErrors,
    pub area: String,
    pub body: String,
    pub contact: String,
    pub today: String,
}

impl ConcernsPage {
    pub fn title_month(&self) -> String {
        self.list.month.format("%m/%Y").to_string()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "concern.html")]
pub struct ConcernPage {
    pub c: Chrome,
    pub item: ConcernItem,
    pub flash: Option<String>,
    pub errors: FieldErrors,
    pub today: String,
}

impl ConcernPage {
    pub fn is(&self, state: &str) -> bool {
        self.item.row.state == state
    }
}
