//! Messages in Vietnamese (first) and English, from embedded Fluent files.

use crate::model::Problem;
use crate::service::{ServiceError, import::RowProblem};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "vi" => Some(Self::Vi),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

pub const VI_FTL: &str = include_str!("i18n/vi.ftl");
pub const EN_FTL: &str = include_str!("i18n/en.ftl");

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: &str, src: &str) -> Bundle {
    let id = lang.parse().expect("valid language id");
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // Bidi isolation marks would show up in plain-text exports and tests.
    b.set_use_isolating(false);
    let res = FluentResource::try_new(src.to_string()).expect("the embedded .ftl files parse");
    b.add_resource(res).expect("no duplicate message ids");
    b
}

fn bundles() -> &'static (Bundle, Bundle) {
    static B: OnceLock<(Bundle, Bundle)> = OnceLock::new();
    B.get_or_init(|| (bundle("vi", VI_FTL), bundle("en", EN_FTL)))
}

/// The translator handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn vi() -> Self {
        Self { lang: Lang::Vi }
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let (vi, en) = bundles();
        let b = if self.lang == Lang::En { en } else { vi };
        let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = vec![];
        b.format_pattern(pattern, args, &mut errors).into_owned()
    }

    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    pub fn t1<'a>(&self, key: &str, name: &'a str, value: impl Into<FluentValue<'a>>) -> String {
        let mut args = FluentArgs::new();
        args.set(name, value);
        self.format(key, Some(&args))
    }

    pub fn t2<'a>(
        &self,
        key: &str,
        a: (&'a str, FluentValue<'a>),
        b: (&'a str, FluentValue<'a>),
    ) -> String {
        let mut args = FluentArgs::new();
        args.set(a.0, a.1);
        args.set(b.0, b.1);
        self.format(key, Some(&args))
    }

    /// A message with any number of arguments.
    pub fn args(&self, key: &str, args: &FluentArgs) -> String {
        self.format(key, Some(args))
    }

    pub fn has(&self, key: &str) -> bool {
        let (vi, en) = bundles();
        let b = if self.lang == Lang::En { en } else { vi };
        b.has_message(key)
    }

    pub fn problem(&self, p: &Problem) -> String {
        // The rule packs word their refusals themselves (Vietnamese, with
        // the rule cited): the message is the value.
        if p.field == "rule" {
            return p.value.clone().unwrap_or_default();
        }
        let key = format!("problem-{}", p.code.replace('.', "-"));
        self.t1(&key, "value", p.value.clone().unwrap_or_default())
    }

    pub fn field(&self, field: &str) -> String {
        self.t(&format!("field-{field}"))
    }

    /// "Dòng 17, cột C (Ngày sinh): Ngày không hợp lệ: …"
    pub fn row_problem(&self, r: &RowProblem) -> String {
        let message = self.problem(&r.problem);
        let mut args = FluentArgs::new();
        args.set("row", r.row);
        args.set("message", message);
        match &r.column {
            Some((letter, _)) => {
                args.set("column", letter.clone());
                args.set("label", self.field(r.problem.field));
                self.format("row-problem", Some(&args))
            }
            None => self.format("row-problem-nocol", Some(&args)),
        }
    }

    pub fn service_error(&self, e: &ServiceError) -> String {
        match e {
            ServiceError::NotFound => self.t("error-not-found"),
            ServiceError::Forbidden => self.t("error-forbidden"),
            ServiceError::Invalid(ps) => {
                ps.0.iter()
                    .map(|p| format!("{}: {}", self.field(p.field), self.problem(p)))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            ServiceError::Stale => self.t("member-stale"),
            ServiceError::Throttled => self.t("login-throttled"),
            ServiceError::BadCredentials => self.t("login-failed"),
            ServiceError::Busy => self.t("import-busy"),
            ServiceError::Sheet(s) => match self.lang {
                Lang::Vi => s.to_string(),
                Lang::En => s.english(),
            },
            // chibo-ballot's messages are Vietnamese only.
            ServiceError::Ballot(_, message) => message.clone(),
            ServiceError::Store(e) if e.is_disk_full() => self.t("error-storage-full"),
            ServiceError::Store(s) if s.is_unavailable() => self.t("error-unavailable"),
            ServiceError::Store(_) => self.t("error-internal"),
        }
    }

    pub fn status(&self, code: &str) -> String {
        self.t(&format!("status-{code}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(src: &str) -> BTreeSet<String> {
        src.lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_string()))
            .filter(|k| !k.is_empty() && !k.starts_with('#'))
            .collect()
    }

    #[test]
    fn vietnamese_and_english_have_the_same_keys() {
        assert_eq!(keys(VI_FTL), keys(EN_FTL));
    }

    #[test]
    fn every_problem_code_has_a_message() {
        let codes = [
            "required",
            "name.too_long",
            "name.chars",
            "date.invalid",
            "date.out_of_range",
            "date.future",
            "card_no.format",
            "national_id.format",
            "phone.format",
            "email.format",
            "sex.unknown",
            "status.unknown",
            "admission_date.before_birth",
            "ceremony_date.before_admission",
            "official_date.before_admission",
            "official_date.before_ceremony",
            "card_no.duplicate",
            "national_id.duplicate",
            "group.unknown",
            "status.before_last",
            "status.transition",
            "org_code.format",
            "org_code.duplicate",
            "org_kind.unknown",
            "org_kind.placement",
            "cell_type.unknown",
            "post.member_elsewhere",
            "post.overlap",
            "post.end_before_start",
            "login.format",
            "login.taken",
            "password.short",
            "password.wrong",
            "import.duplicate_in_file",
            "import.has_rejections",
            "import.same_member",
            "import.status_cannot_start",
            "import.changed_since_preview",
            "import.upload_expired",
            "import.status_not_confirmed",
            "file.too_large",
        ];
        for lang in [Lang::Vi, Lang::En] {
            let tr = Tr { lang };
            for c in codes {
                assert!(
                    tr.has(&format!("problem-{}", c.replace('.', "-"))),
                    "{c} in {lang:?}"
                );
            }
        }
    }

    #[test]
    fn messages_name_the_value() {
        let p = Problem::new("date_of_birth", "date.invalid", "31/02/1970");
        assert_eq!(
            Tr::vi().problem(&p),
            "Ngày không hợp lệ: “31/02/1970” (viết theo ngày/tháng/năm, ví dụ 05/02/1970)."
        );
        let r = RowProblem {
            row: 17,
            column: Some(("D".into(), "Ngày sinh")),
            problem: p,
        };
        assert!(
            Tr::vi()
                .row_problem(&r)
                .starts_with("Dòng 17, cột D (Ngày sinh): ")
        );
    }
}
