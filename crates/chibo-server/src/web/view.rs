//! Page templates (askama, checked at build time) and what they share.

use super::assets;
use super::auth::User;
use super::i18n::Tr;
use crate::model::{MemberFields, Problems, Role, Status, format_date};
use crate::service::accounts::{ApiTokenRow, IssuedToken};
use crate::service::audit::EntryRow;
use crate::service::home::MemberHome;
use crate::service::import::Plan;
use crate::service::meetings::{FileRow, MeetingRow, RollEntry, Speech, VoteRow};
use crate::service::members::{AccessRow, MemberRow, MemberSummary, StatusPeriod};
use crate::service::orgs::{CellStat, CommitteePost, OrgRow};
use crate::service::tasks::ReviewRow;
use crate::service::users::{AccountRow, GrantRow};
use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// The navigation of a logged-in person.
pub struct Nav {
    pub name: String,
    pub csrf: String,
    pub unit_id: Option<i64>,
    pub manages: bool,
    pub is_admin: bool,
}

/// What every page carries: language, the person, and where they are.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub nav: Option<Nav>,
    pub large: bool,
    /// Which navigation item is current.
    pub active: &'static str,
    pub path: String,
}

impl Chrome {
    pub fn new(tr: Tr, title: String) -> Self {
        Self {
            tr,
            title,
            nav: None,
            large: false,
            active: "",
            path: "/".into(),
        }
    }

    pub fn for_user(u: &User, title_key: &str, active: &'static str, path: &str) -> Self {
        let primary = u.actor.primary();
        Self {
            tr: u.tr,
            title: u.tr.t(title_key),
            nav: Some(Nav {
                name: u.actor.display_name.clone(),
                csrf: u.csrf.clone(),
                unit_id: primary.and_then(|g| g.org_id),
                manages: primary
                    .and_then(|g| Role::parse(&g.role))
                    .is_some_and(|r| r.manages_cell() || r == Role::Upper),
                is_admin: u.actor.is_admin(),
            }),
            large: u.large,
            active,
            path: path.into(),
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    pub fn css(&self) -> String {
        assets::url("app.css")
    }

    pub fn js(&self) -> String {
        assets::url("app.js")
    }

    pub fn htmx(&self) -> String {
        assets::url("htmx.js")
    }

    pub fn icon(&self) -> String {
        assets::url("favicon.svg")
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang.code()
    }

    pub fn other_lang(&self) -> &'static str {
        match self.tr.lang {
            super::i18n::Lang::Vi => "en",
            super::i18n::Lang::En => "vi",
        }
    }

    pub fn here(&self) -> String {
        urlencode(&self.path)
    }

    pub fn current(&self, item: &str) -> &'static str {
        if self.active == item { "page" } else { "false" }
    }

    pub fn date(&self, d: &Option<NaiveDate>) -> String {
        d.map(format_date).unwrap_or_default()
    }

    pub fn day(&self, d: &NaiveDate) -> String {
        format_date(*d)
    }

    pub fn when(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&Ho_Chi_Minh)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }

    pub fn status(&self, code: &str) -> String {
        self.tr.status(code)
    }

    pub fn opt<'a>(&self, s: &'a Option<String>) -> &'a str {
        s.as_deref().unwrap_or("")
    }

    pub fn sex(&self, s: &Option<String>) -> String {
        s.as_ref()
            .map(|s| self.tr.t(&format!("sex-{s}")))
            .unwrap_or_default()
    }

    pub fn kind(&self, k: &str) -> String {
        self.tr.t(&format!("kind-{k}"))
    }

    pub fn cell_type(&self, k: &Option<String>) -> String {
        k.as_ref()
            .map(|k| self.tr.t(&format!("cell_type-{k}")))
            .unwrap_or_default()
    }

    pub fn role(&self, r: &str) -> String {
        self.tr.t(&format!("role-{r}"))
    }

    pub fn post(&self, r: &str) -> String {
        self.tr.t(&format!("post-{r}"))
    }

    pub fn field(&self, f: &str) -> String {
        self.tr.field(f)
    }

    pub fn statuses(&self) -> Vec<(&'static str, String)> {
        Status::ALL
            .iter()
            .map(|s| (s.as_str(), self.tr.status(s.as_str())))
            .collect()
    }

    pub fn cell_types(&self) -> Vec<(&'static str, String)> {
        crate::model::CellType::ALL
            .iter()
            .map(|c| (c.as_str(), self.tr.t(&format!("cell_type-{}", c.as_str()))))
            .collect()
    }

    pub fn posts(&self) -> Vec<(&'static str, String)> {
        crate::model::CommitteeRole::ALL
            .iter()
            .map(|p| (p.as_str(), self.post(p.as_str())))
            .collect()
    }

    pub fn num(&self, n: &i64) -> String {
        group_thousands(*n)
    }
}

pub use crate::model::group_thousands;

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e[1..].to_string())
        .unwrap_or_default()
}

/// Problems shown next to the fields they concern.
pub struct FieldErrors {
    pub problems: Problems,
    pub tr: Tr,
}

impl FieldErrors {
    pub fn none(tr: Tr) -> Self {
        Self {
            problems: Problems::default(),
            tr,
        }
    }

    pub fn of(&self, field: &str) -> String {
        self.problems
            .for_field(field)
            .map(|p| self.tr.problem(p))
            .unwrap_or_default()
    }

    pub fn invalid(&self, field: &str) -> &'static str {
        if self.problems.for_field(field).is_some() {
            "true"
        } else {
            "false"
        }
    }

    /// Problems about no visible field (listed at the top of the form).
    pub fn all(&self) -> Vec<String> {
        self.other::<[&str; 0]>(&[])
    }

    pub fn other<T: AsRef<[&'static str]> + ?Sized>(&self, shown: &T) -> Vec<String> {
        let shown = shown.as_ref();
        self.problems
            .0
            .iter()
            .filter(|p| !shown.contains(&p.field))
            .map(|p| format!("{}: {}", self.tr.field(p.field), self.tr.problem(p)))
            .collect()
    }

    pub fn any(&self) -> bool {
        !self.problems.is_empty()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub c: Chrome,
    pub message: String,
}

impl ErrorPage {
    pub fn new(tr: Tr, message: String) -> Self {
        Self {
            c: Chrome::new(tr, tr.t("error-title")),
            message,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub c: Chrome,
    pub csrf: String,
    pub next: String,
    pub login: String,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
pub struct SetupPage {
    pub c: Chrome,
    pub csrf: String,
    pub token: String,
    pub valid: bool,
    pub login: String,
    pub name: String,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub c: Chrome,
    pub mine: Option<MemberHome>,
    /// Where the calendar feed is served from.
    pub base_url: String,
    pub unit: Option<OrgRow>,
    pub active_members: i64,
    pub probationary: i64,
    pub cells: Vec<CellStat>,
    pub own_member_id: Option<i64>,
    pub manages: bool,
    pub flash: Option<String>,
    /// The meeting that needs the secretary now, and its next step.
    pub due: Option<(
        crate::store::meetings::MeetingRow,
        crate::service::meetings::NextStep,
    )>,
}

impl HomePage {
    pub fn shown(&self, code: &str) -> String {
        self.c.t(&format!("task-shown-{code}"))
    }

    pub fn tone(&self, code: &str) -> &'static str {
        super::task_view::tone(code)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "members.html")]
pub struct MembersPage {
    pub c: Chrome,
    pub unit: OrgRow,
    pub q: String,
    pub status: String,
    pub group: Option<i64>,
    pub groups: Vec<OrgRow>,
    pub rows: Vec<MemberSummary>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub manages: bool,
    pub is_cell: bool,
    /// The committee's view: card numbers and dates of birth are shown and
    /// searched.
    pub identifiers: bool,
    pub flash: Option<String>,
}

impl MembersPage {
    pub fn page_link(&self, page: u32) -> String {
        let mut q = vec![
            ("unit", self.unit.id.to_string()),
            ("page", page.to_string()),
        ];
        if !self.q.is_empty() {
            q.push(("q", self.q.clone()));
        }
        if !self.status.is_empty() {
            q.push(("status", self.status.clone()));
        }
        if let Some(g) = self.group {
            q.push(("group", g.to_string()));
        }
        format!(
            "/members?{}",
            serde_urlencoded::to_string(q).unwrap_or_default()
        )
    }

    pub fn pager_text(&self) -> String {
        self.c.tr.t2(
            "members-page",
            ("page", self.page.into()),
            ("pages", self.pages.into()),
        )
    }

    pub fn prev(&self) -> u32 {
        self.page.saturating_sub(1)
    }

    pub fn next(&self) -> u32 {
        self.page + 1
    }

    pub fn group_selected(&self, id: &i64) -> bool {
        self.group == Some(*id)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "member.html")]
pub struct MemberPage {
    pub c: Chrome,
    pub m: MemberRow,
    pub cell: OrgRow,
    pub group_name: Option<String>,
    pub history: Vec<StatusPeriod>,
    pub audit: Option<Vec<EntryRow>>,
    pub reads: Vec<AccessRow>,
    pub manages: bool,
    pub flash: Option<String>,
    pub errors: FieldErrors,
    pub today: String,
    pub ratings: Vec<crate::service::evaluations::RatingLine>,
    pub badges: crate::service::badges::MemberBadges,
}

impl MemberPage {
    /// The name of a tier code.
    pub fn tier(&self, code: &Option<String>) -> &'static str {
        code.as_deref()
            .map_or("", crate::service::evaluations::tier_name)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "member_form.html")]
pub struct MemberFormPage {
    pub c: Chrome,
    pub cell: OrgRow,
    pub member_id: Option<i64>,
    pub version: i64,
    pub f: MemberFields,
    pub group_id: Option<i64>,
    pub groups: Vec<OrgRow>,
    pub errors: FieldErrors,
}

impl MemberFormPage {
    pub fn action(&self) -> String {
        match self.member_id {
            Some(id) => format!("/members/{id}"),
            None => format!("/members/new?cell={}", self.cell.id),
        }
    }

    pub fn group_selected(&self, id: &i64) -> bool {
        self.group_id == Some(*id)
    }

    pub fn shown() -> &'static [&'static str] {
        &[
            "full_name",
            "other_name",
            "sex",
            "date_of_birth",
            "ethnicity",
            "religion",
            "national_id",
            "card_no",
            "admission_date",
            "ceremony_date",
            "official_date",
            "group_id",
            "phone",
            "email",
            "residence",
            "notes",
        ]
    }

    pub fn others(&self) -> Vec<String> {
        self.errors.other(Self::shown())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub c: Chrome,
    pub cell: OrgRow,
    pub error: Option<String>,
    pub max_mb: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "import_preview.html")]
pub struct ImportPreviewPage {
    pub c: Chrome,
    pub cell: OrgRow,
    pub upload_id: i64,
    pub plan: Plan,
    /// What the preview says, as the command line prints it too.
    pub sections: Vec<crate::web::import_preview::Section>,
    /// The columns whose blank cells may erase: (key, what clearing it
    /// erases, chosen).
    pub clearable: Vec<(&'static str, String, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "unit.html")]
pub struct UnitPage {
    pub c: Chrome,
    pub unit: OrgRow,
    pub lineage: Vec<OrgRow>,
    pub children: Vec<CellStat>,
    pub groups: Vec<OrgRow>,
    pub committee: Vec<CommitteePost>,
    pub members: Vec<MemberSummary>,
    pub manages: bool,
    pub flash: Option<String>,
    pub errors: FieldErrors,
    pub today: String,
}

impl UnitPage {
    pub fn child_kind(&self) -> &'static str {
        match self.unit.kind.as_str() {
            "tinh" => "dang_bo",
            "dang_bo" => "chi_bo",
            _ => "to_dang",
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub c: Chrome,
    pub unit: OrgRow,
    pub rows: Vec<(AccountRow, GrantRow)>,
    pub units: Vec<OrgRow>,
    /// The roles the user may give (no more than they hold).
    pub roles: Vec<Role>,
    pub errors: FieldErrors,
    pub flash: Option<String>,
    pub login: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub c: Chrome,
    pub flash: Option<String>,
    pub errors: FieldErrors,
    pub tokens: TokenList,
    /// A token just created: its secret, shown this once.
    pub new_token: Option<IssuedToken>,
    /// What the token form typed, shown again with its problems.
    pub label: String,
    pub days: String,
    pub default_days: i64,
}

/// An account's API tokens with what each is now.
pub struct TokenList {
    pub rows: Vec<ApiTokenRow>,
    pub now: DateTime<Utc>,
}

impl TokenList {
    pub fn active(&self, t: &ApiTokenRow) -> bool {
        t.revoked_at.is_none() && t.expires_at > self.now
    }

    /// The message key of what the token is now.
    pub fn state(&self, t: &ApiTokenRow) -> &'static str {
        if t.revoked_at.is_some() {
            "account-token-revoked"
        } else if t.expires_at <= self.now {
            "account-token-expired"
        } else {
            "account-token-active"
        }
    }
}

/// An account's API tokens, for an admin.
#[derive(Template, WebTemplate)]
#[template(path = "user_tokens.html")]
pub struct UserTokensPage {
    pub c: Chrome,
    pub account: AccountRow,
    pub tokens: TokenList,
    pub flash: Option<String>,
}

#[derive(Debug, Default)]
pub struct VoteResult {
    pub outcome: String,
    pub needed: u32,
    pub got: u32,
    pub base: u32,
    pub explanation: String,
    pub citations: Vec<String>,
    pub secret: bool,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "vote.html")]
pub struct VotePage {
    pub c: Chrome,
    pub kind: String,
    pub date: String,
    pub q: std::collections::HashMap<String, String>,
    pub result: Option<VoteResult>,
}

impl VotePage {
    pub fn v(&self, key: &str) -> &str {
        self.q.get(key).map_or("", String::as_str)
    }

    pub fn n(&self, status: &str, att: &str) -> &str {
        self.q
            .get(&format!("n_{status}_{att}"))
            .map_or("0", String::as_str)
    }

    pub fn kinds(&self) -> Vec<(&'static str, String)> {
        chibo_rules::DecisionKind::ALL
            .iter()
            .map(|k| (k.code(), self.c.t(&format!("vote-kind-{}", k.code()))))
            .collect()
    }

    pub fn statuses(&self) -> &'static [&'static str] {
        &super::pages::rules::STATUSES
    }

    pub fn attendances(&self) -> &'static [&'static str] {
        &super::pages::rules::ATTENDANCES
    }

    pub fn levels(&self) -> &'static [&'static str] {
        &super::pages::rules::LEVELS
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rules.html")]
pub struct RulesPage {
    pub c: Chrome,
    pub date: String,
    pub text: String,
}

/// Labels for a meeting's kind and status.
impl Chrome {
    pub fn meeting_kind(&self, k: &str) -> String {
        self.tr.t(&format!("meeting-kind-{k}"))
    }

    pub fn meeting_status(&self, s: &str) -> String {
        self.tr.t(&format!("meeting-status-{s}"))
    }

    pub fn presence(&self, p: &Option<String>) -> String {
        p.as_ref().map_or_else(
            || self.tr.t("roll-unmarked"),
            |p| self.tr.t(&format!("vote-att-{p}")),
        )
    }

    /// "19:42" from a stored instant (SQLite and PostgreSQL spell it differently).
    pub fn clock(&self, t: &str) -> String {
        let parsed = DateTime::parse_from_rfc3339(t)
            .map(|d| d.to_utc())
            .or_else(|_| {
                chrono::NaiveDateTime::parse_from_str(
                    t.trim_end_matches("+00"),
                    "%Y-%m-%d %H:%M:%S%.f",
                )
                .map(|n| n.and_utc())
            });
        parsed
            .map(|d| d.with_timezone(&Ho_Chi_Minh).format("%H:%M").to_string())
            .unwrap_or_default()
    }

    pub fn local_time(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&Ho_Chi_Minh)
            .format("%H:%M %d/%m/%Y")
            .to_string()
    }

    pub fn meeting_kinds(&self) -> Vec<(&'static str, String)> {
        crate::model::MeetingKind::ALL
            .iter()
            .map(|k| (k.as_str(), self.meeting_kind(k.as_str())))
            .collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings.html")]
pub struct MeetingsPage {
    pub c: Chrome,
    pub cell: OrgRow,
    pub meetings: Vec<MeetingRow>,
    /// (due by, overdue, citation, last held)
    pub regular: Option<(String, bool, String, Option<String>)>,
    pub thematic: Option<(String, bool, String, Option<String>)>,
    pub manages: bool,
    pub flash: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "meeting_form.html")]
pub struct MeetingFormPage {
    pub c: Chrome,
    pub cell: OrgRow,
    pub f: crate::service::meetings::MeetingForm,
    pub members: Vec<MemberSummary>,
    pub errors: FieldErrors,
}

impl MeetingFormPage {
    pub fn is(&self, a: &Option<i64>, b: &i64) -> bool {
        *a == Some(*b)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meeting.html")]
pub struct MeetingPage {
    pub c: Chrome,
    pub view: crate::service::meetings::MeetingView,
    pub f: crate::service::meetings::MeetingForm,
    pub manages: bool,
    /// The next step's code (`service::meetings::NextStep::as_str`).
    pub next: &'static str,
    pub app_notices: usize,
    pub emails_queued: usize,
    pub emails_sent: usize,
    pub emails_failed: usize,
    pub last_error: Option<String>,
    pub min_minutes: Option<u32>,
    /// Opening now would be before the planned day: a reason is asked.
    pub open_early: bool,
    /// Closing now would be before the minimum length: a reason is asked.
    pub close_early: bool,
    pub files: Vec<FileRow>,
    /// The tasks this meeting reviews, with its decision on each so far.
    pub review: Vec<(crate::service::tasks::TaskItem, Option<ReviewRow>)>,
    pub flash: Option<String>,
    pub error: Option<String>,
    pub errors: FieldErrors,
}

impl MeetingPage {
    pub fn shown(&self, code: &str) -> String {
        self.c.t(&format!("task-shown-{code}"))
    }

    pub fn tone(&self, code: &str) -> &'static str {
        super::task_view::tone(code)
    }

    pub fn is(&self, a: &Option<i64>, b: &i64) -> bool {
        *a == Some(*b)
    }

    pub fn duration(&self) -> Option<i64> {
        let m = &self.view.meeting;
        Some((m.closed_at? - m.opened_at?).num_minutes())
    }

    /// The rule pack's minimum length, when the meeting was shorter.
    pub fn too_short(&self) -> Option<u32> {
        let min = self.min_minutes?;
        (self.duration()? < i64::from(min)).then_some(min)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "roll.html")]
pub struct RollPage {
    pub c: Chrome,
    pub view: crate::service::meetings::MeetingView,
    pub panel: crate::service::meetings::Panel,
    /// The panel is part of the page (not an out-of-band swap).
    pub oob: bool,
    pub manages: bool,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl RollPage {
    /// Someone expected in the room is not marked yet ("everyone present" is offered).
    pub fn any_unmarked(&self) -> bool {
        self.view
            .roll
            .iter()
            .any(|r| r.presence.is_none() && !r.apart())
    }
}

/// One roll-call row, re-rendered after a tap, with the panel out of band.
#[derive(Template, WebTemplate)]
#[template(path = "roll_row_fragment.html")]
pub struct RollRowFragment {
    pub c: Chrome,
    pub meeting_id: i64,
    pub manages: bool,
    pub r: RollEntry,
    pub panel: crate::service::meetings::Panel,
    pub oob: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "minutes.html")]
pub struct MinutesPage {
    pub c: Chrome,
    pub view: crate::service::meetings::MeetingView,
    pub manages: bool,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl MinutesPage {
    pub fn speeches_of(&self, item: &i64) -> Vec<&Speech> {
        self.view
            .speeches
            .iter()
            .filter(|s| s.agenda_item_id == *item)
            .collect()
    }

    pub fn locked(&self) -> bool {
        self.view.meeting.minutes_locked_at.is_some()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "saved_fragment.html")]
pub struct SavedFragment {
    pub item: i64,
    pub version: i64,
    pub message: String,
    pub conflict: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "votes.html")]
pub struct VotesPage {
    pub c: Chrome,
    pub view: crate::service::meetings::MeetingView,
    pub manages: bool,
    pub me: Option<i64>,
    pub casts: Vec<(i64, Vec<(i64, String)>)>,
    /// Each vote's members entitled to vote on its frozen roll, counted as
    /// the roll-call panel counts voters.
    pub voters: Vec<(i64, Vec<i64>)>,
    pub kinds: Vec<(&'static str, String)>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl VotesPage {
    fn casts_of(&self, vote: i64) -> &[(i64, String)] {
        self.casts
            .iter()
            .find(|(v, _)| *v == vote)
            .map_or(&[], |(_, c)| c.as_slice())
    }

    fn voters_of(&self, vote: i64) -> &[i64] {
        self.voters
            .iter()
            .find(|(v, _)| *v == vote)
            .map_or(&[], |(_, m)| m.as_slice())
    }

    pub fn cast_count(&self, vote: &i64) -> usize {
        self.casts_of(*vote).len()
    }

    pub fn my_choice(&self, vote: &i64) -> Option<String> {
        let me = self.me?;
        self.casts_of(*vote)
            .iter()
            .find(|(m, _)| *m == me)
            .map(|(_, c)| c.clone())
    }

    /// Members entitled to vote on the vote's frozen roll.
    pub fn eligible(&self, v: &VoteRow) -> usize {
        self.voters_of(v.id).len()
    }

    pub fn may_cast(&self, v: &VoteRow) -> bool {
        let Some(me) = self.me else { return false };
        v.status == "open"
            && v.mode == "named"
            && self.my_choice(&v.id).is_none()
            && self.voters_of(v.id).contains(&me)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "resolution.html")]
pub struct ResolutionPage {
    pub c: Chrome,
    pub view: crate::service::meetings::MeetingView,
    pub manages: bool,
    pub subject: String,
    pub results: String,
    pub tasks: String,
    pub assignments: Vec<crate::service::meetings::Assignment>,
    /// The cell's members on the roll, to choose leads and co-owners from.
    pub members: Vec<(i64, String)>,
    pub no_tasks: bool,
    pub version: i64,
    pub passed: Vec<(i64, String)>,
    pub code: Option<String>,
    pub flash: Option<String>,
    pub error: Option<String>,
    /// The meeting's concerns a row may assign a task from.
    pub concerns: Vec<crate::service::concerns::ConcernItem>,
}

impl ResolutionPage {
    pub fn picks_concern(&self, a: &crate::service::meetings::Assignment, id: &i64) -> bool {
        a.concern_id == Some(*id)
    }

    /// A row's concern that the item no longer lists (kept when saved again).
    pub fn unlisted(&self, a: &crate::service::meetings::Assignment) -> Option<i64> {
        a.concern_id
            .filter(|k| !self.concerns.iter().any(|i| i.row.id == *k))
    }

    /// A concern as the row's choice names it: code, area, the start of
    /// its text.
    pub fn concern_label(&self, i: &crate::service::concerns::ConcernItem) -> String {
        let text: String = i.row.body.chars().take(60).collect();
        format!("{} · {}: {text}", i.row.code, i.row.area)
    }

    pub fn co_owns(&self, a: &crate::service::meetings::Assignment, id: &i64) -> bool {
        a.co_owner_ids.contains(id)
    }

    pub fn leads(&self, a: &crate::service::meetings::Assignment, id: &i64) -> bool {
        a.lead_id == Some(*id)
    }

    pub fn adopted(&self) -> bool {
        self.view
            .resolution
            .as_ref()
            .is_some_and(|r| r.status == "adopted")
    }
}
