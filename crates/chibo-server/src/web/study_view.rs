//! The study pages and the announcements pages.

use super::view::{Chrome, FieldErrors};
use crate::model::format_date;
use crate::service::announcements::{AnnouncementBoard, AnnouncementView};
use crate::service::study::{Reading, StudyBoard};
use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// Words and dates the study and announcement pages share.
pub trait StudyWords {
    fn chrome(&self) -> &Chrome;

    /// The label of a code under a prefix ("study-place" + "home").
    fn word(&self, prefix: &str, code: &str) -> String {
        self.chrome().t(&format!("{prefix}-{code}"))
    }

    fn date(&self, d: &NaiveDate) -> String {
        format_date(*d)
    }

    fn maybe_date(&self, d: &Option<NaiveDate>) -> String {
        d.map(format_date).unwrap_or_default()
    }

    fn time(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&Ho_Chi_Minh)
            .format("%H:%M %d/%m/%Y")
            .to_string()
    }

    fn csrf(&self) -> String {
        self.chrome()
            .nav
            .as_ref()
            .map(|n| n.csrf.clone())
            .unwrap_or_default()
    }
}

macro_rules! words {
    ($($t:ty),*) => {$(
        impl StudyWords for $t {
            fn chrome(&self) -> &Chrome {
                &self.c
            }
        }
    )*};
}

words!(
    StudyPage,
    ReadingPage,
    ReflectionPage,
    AnnouncementsPage,
    AnnouncementPage
);

/// What the add-a-document form holds, to show it again with its problems.
#[derive(Debug, Clone, Default)]
pub struct StudyFormValues {
    pub kind: String,
    pub number: String,
    pub issued_on: String,
    pub issuer: String,
    pub title: String,
    pub body: String,
    pub deadline: String,
    pub audience: String,
    pub members: Vec<i64>,
    pub place: String,
    pub reflection: bool,
    pub meeting_id: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "study.html")]
pub struct StudyPage {
    pub c: Chrome,
    pub board: StudyBoard,
    pub flash: Option<String>,
    pub errors: FieldErrors,
    pub form: StudyFormValues,
}

#[derive(Template, WebTemplate)]
#[template(path = "study_doc.html")]
pub struct ReadingPage {
    pub c: Chrome,
    pub r: Reading,
    pub flash: Option<String>,
    pub errors: FieldErrors,
    /// The reflection as typed (or as kept).
    pub reflection: String,
    pub may_upload: bool,
    pub max_mb: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "study_reflection.html")]
pub struct ReflectionPage {
    pub c: Chrome,
    pub title: String,
    pub body: String,
    pub on: NaiveDate,
    pub late: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "announcements.html")]
pub struct AnnouncementsPage {
    pub c: Chrome,
    pub board: AnnouncementBoard,
    pub flash: Option<String>,
    pub errors: FieldErrors,
    pub title: String,
    pub body: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "announcement.html")]
pub struct AnnouncementPage {
    pub c: Chrome,
    pub a: AnnouncementView,
}
