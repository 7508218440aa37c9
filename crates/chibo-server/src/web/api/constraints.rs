//! What the API accepts, written into its OpenAPI document: the codes a
//! field takes (listed from the Rust enums that parse them), the fields a
//! request cannot do without, and the shape of dates, times and numbers.
//! A client (or schemathesis) that keeps to the document sends nothing the
//! server refuses for its form; what remains are the rules no schema can
//! state (one date before another, a count that must match the roll), which
//! answer 422, and the record's state, which answers 409.

use crate::model::{
    CellType, Choice, MeetingKind, OrgKind, PeriodKind, Presence, ReviewDecision, Role, Status,
    TaskStatus, VoteMode,
};
use chibo_rules::DecisionKind;
use serde_json::Value;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{KnownFormat, Object, Schema, SchemaFormat};
use utoipa::openapi::{OpenApi, RefOr};

/// Text without control characters other than tab and line breaks
/// (`web::input` refuses them).
const PLAIN: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
/// Plain text that is not only spaces.
const TEXT: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
/// An ISO date in the years `model::parse_date` accepts (1900–2100).
const DATE: &str = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$";
/// A time of day as `model::parse_time` reads it: `19:30`, `19.30`,
/// `19h30`, `19g30`, `19 giờ 30`, `19h`, `1930`, `19`.
const TIME: &str = "^ *(([01]?[0-9]|2[0-3])( *[:.] *[0-5][0-9]| *([hHgG]|giờ)( *[0-5][0-9])?)?|([01]?[0-9]|2[0-3])[0-5][0-9]) *$";
/// Twelve digits, or nothing.
const TWELVE_DIGITS_OR_EMPTY: &str = "^([0-9]{12})?$";
/// A login as typed (it is lower-cased).
const LOGIN: &str = "^[A-Za-z0-9._-]{3,64}$";
/// The shortest password (as `service::accounts` checks it).
const MIN_PASSWORD: usize = 8;

/// The meeting steps `POST /meetings/{id}/steps` takes.
pub const STEP_ACTIONS: [&str; 4] = ["notice", "open", "close", "lock_minutes"];

/// One constraint on a property of a named schema.
enum Rule {
    Codes(Vec<&'static str>),
    Pattern(&'static str),
    MinLength(usize),
    Date,
    Range(i64, i64),
    Required,
}

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Rule {
    Rule::Codes(all.iter().map(|t| code(*t)).collect())
}

/// (schema, property, rule), for the request bodies.
fn body_rules() -> Vec<(&'static str, &'static str, Rule)> {
    use Rule::*;
    vec![
        ("Step", "action", Codes(STEP_ACTIONS.to_vec())),
        ("NewItem", "title", Pattern(TEXT)),
        ("Mark", "presence", codes(Presence::ALL, Presence::as_str)),
        (
            "NewVote",
            "kind",
            codes(&DecisionKind::ALL, DecisionKind::code),
        ),
        ("NewVote", "mode", codes(VoteMode::ALL, VoteMode::as_str)),
        ("NewVote", "subject", Pattern(TEXT)),
        ("Cast", "choice", codes(Choice::ALL, Choice::as_str)),
        (
            "Decision",
            "decision",
            codes(ReviewDecision::ALL, ReviewDecision::as_str),
        ),
        ("Draft", "subject", Pattern(TEXT)),
        ("Assignment", "what", Pattern(TEXT)),
        ("Assignment", "deadline", Date),
        ("NewStatus", "status", codes(Status::ALL, Status::as_str)),
        ("NewStatus", "start_date", Date),
        ("NewUnit", "kind", codes(&OrgKind::ALL, OrgKind::as_str)),
        ("NewUnit", "name", Pattern(TEXT)),
        ("NewUnit", "cell_type", {
            let mut c = vec![""];
            c.extend(CellType::ALL.iter().map(|t| t.as_str()));
            Codes(c)
        }),
        ("NewUser", "login", Pattern(LOGIN)),
        ("NewUser", "display_name", Pattern(TEXT)),
        ("NewUser", "password", MinLength(MIN_PASSWORD)),
        ("NewUser", "role", codes(&Role::ALL, Role::as_str)),
        ("NewDuty", "title", Pattern(TEXT)),
        ("NewDuty", "deadline", Date),
        (
            "MeetingForm",
            "kind",
            codes(MeetingKind::ALL, MeetingKind::as_str),
        ),
        ("MeetingForm", "kind", Required),
        ("MeetingForm", "date", Date),
        ("MeetingForm", "date", Required),
        ("MeetingForm", "time", Pattern(TIME)),
        ("MeetingForm", "time", Required),
        ("MeetingForm", "place", Pattern(TEXT)),
        ("MeetingForm", "place", Required),
        ("MemberFields", "full_name", Pattern(TEXT)),
        ("MemberFields", "full_name", Required),
        ("MemberFields", "card_no", Pattern(TWELVE_DIGITS_OR_EMPTY)),
        (
            "MemberFields",
            "national_id",
            Pattern(TWELVE_DIGITS_OR_EMPTY),
        ),
        (
            "MemberFields",
            "sex",
            Codes(vec!["", "Nam", "Nữ", "nam", "nu"]),
        ),
        (
            "ProgressForm",
            "status",
            codes(TaskStatus::ALL, TaskStatus::as_str),
        ),
        ("ProgressForm", "status", Required),
        ("ProgressForm", "progress", Range(0, 100)),
        (
            "PeriodQuery",
            "period",
            codes(PeriodKind::ALL, PeriodKind::as_str),
        ),
        ("PeriodQuery", "index", Range(1, 12)),
        ("PeriodQuery", "year", Range(1900, 2100)),
    ]
}

/// (path, parameter, rule), for query parameters.
fn parameter_rules() -> Vec<(&'static str, &'static str, Rule)> {
    use Rule::*;
    vec![
        (
            "/api/v1/members",
            "status",
            codes(Status::ALL, Status::as_str),
        ),
        (
            "/api/v1/units/{id}/cell-table",
            "period",
            codes(PeriodKind::ALL, PeriodKind::as_str),
        ),
        ("/api/v1/units/{id}/cell-table", "index", Range(1, 12)),
        ("/api/v1/units/{id}/cell-table", "year", Range(1900, 2100)),
    ]
}

pub struct Constraints;

impl utoipa::Modify for Constraints {
    fn modify(&self, openapi: &mut OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            for (schema, property, rule) in body_rules() {
                if let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(schema) {
                    apply(o, property, &rule);
                }
            }
        }
        for (path, name, rule) in parameter_rules() {
            let Some(item) = openapi.paths.paths.get_mut(path) else {
                continue;
            };
            for op in [&mut item.get].into_iter().flatten() {
                constrain_parameter(op, name, &rule);
            }
        }
        // Every other free-text field of a request, and every parameter,
        // says it takes no control character. Answers are left alone: a
        // record stored before the edge refused these may still hold one.
        let requests = request_schemas(openapi);
        if let Some(components) = openapi.components.as_mut() {
            for (name, schema) in components.schemas.iter_mut() {
                if let RefOr::T(Schema::Object(o)) = schema
                    && requests.contains(name)
                {
                    o.properties.values_mut().for_each(plain_text);
                }
            }
        }
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                for p in op.parameters.iter_mut().flatten() {
                    if let RefOr::T(p) = p
                        && let Some(schema) = p.schema.as_mut()
                    {
                        plain_text(schema);
                    }
                }
            }
        }
    }
}

fn constrain_parameter(op: &mut Operation, name: &str, rule: &Rule) {
    for p in op.parameters.iter_mut().flatten() {
        if let RefOr::T(p) = p
            && p.name == name
            && let Some(RefOr::T(Schema::Object(o))) = p.schema.as_mut()
        {
            constrain(o, rule);
        }
    }
}

fn apply(o: &mut Object, property: &str, rule: &Rule) {
    if matches!(rule, Rule::Required) {
        if !o.required.iter().any(|r| r == property) {
            o.required.push(property.to_string());
        }
        if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut(property) {
            // A required field has no default to fall back on.
            p.default = None;
        }
        return;
    }
    if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut(property) {
        constrain(p, rule);
    }
}

/// The component schemas a request body uses, directly or through another.
fn request_schemas(openapi: &OpenApi) -> std::collections::BTreeSet<String> {
    const PREFIX: &str = "#/components/schemas/";
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get("$ref")
                    && let Some(name) = r.strip_prefix(PREFIX)
                {
                    out.push(name.to_string());
                }
                o.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    for item in openapi.paths.paths.values() {
        let ops = [&item.get, &item.put, &item.post, &item.delete];
        for body in ops
            .into_iter()
            .flatten()
            .filter_map(|op| op.request_body.as_ref())
        {
            refs(&serde_json::to_value(body).unwrap_or_default(), &mut todo);
        }
    }
    let schemas = openapi.components.as_ref().map(|c| &c.schemas);
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if let Some(schema) = schemas.and_then(|s| s.get(&name))
            && seen.insert(name)
        {
            refs(&serde_json::to_value(schema).unwrap_or_default(), &mut todo);
        }
    }
    seen
}

/// A string property with no codes, format or pattern of its own gets
/// [`PLAIN`].
fn plain_text(schema: &mut RefOr<Schema>) {
    if let RefOr::T(Schema::Object(p)) = schema
        && is_string(p)
        && p.enum_values.is_none()
        && p.format.is_none()
        && p.pattern.is_none()
    {
        p.pattern = Some(PLAIN.to_string());
    }
}

fn is_string(p: &Object) -> bool {
    use utoipa::openapi::schema::{SchemaType, Type};
    match &p.schema_type {
        SchemaType::Type(t) => *t == Type::String,
        SchemaType::Array(ts) => ts.contains(&Type::String),
        SchemaType::AnyValue => false,
    }
}

fn constrain(p: &mut Object, rule: &Rule) {
    match rule {
        Rule::Codes(c) => {
            p.enum_values = Some(c.iter().map(|s| Value::from(*s)).collect());
        }
        Rule::Pattern(re) => p.pattern = Some((*re).to_string()),
        Rule::MinLength(n) => p.min_length = Some(*n),
        Rule::Date => {
            p.format = Some(SchemaFormat::KnownFormat(KnownFormat::Date));
            p.pattern = Some(DATE.to_string());
            if let Some(d) = p.description.as_mut() {
                d.push_str(" (also dd/mm/yyyy)");
            }
        }
        Rule::Range(lo, hi) => {
            p.minimum = Some((*lo).into());
            p.maximum = Some((*hi).into());
        }
        Rule::Required => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi as _;

    /// A rule naming a schema, property or parameter that is not in the
    /// document would silently constrain nothing.
    #[test]
    fn every_rule_names_something_in_the_document() {
        let doc = super::super::ApiDoc::openapi();
        let schemas = &doc.components.as_ref().expect("components").schemas;
        for (schema, property, _) in body_rules() {
            let Some(RefOr::T(Schema::Object(o))) = schemas.get(schema) else {
                panic!("no object schema {schema}");
            };
            assert!(o.properties.contains_key(property), "{schema}.{property}");
        }
        for (path, name, _) in parameter_rules() {
            let op = doc.paths.paths[path].get.as_ref().expect("a GET");
            assert!(
                op.parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.name == name)),
                "{path} {name}"
            );
        }
    }
}
