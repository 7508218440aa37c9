//! Text entering over HTTP is refused at the edge when it carries a control
//! character (other than tab and line breaks): a JSON body, a form, or a
//! query string. Such a character is never typed by a person, PostgreSQL
//! cannot store a NUL, and a refusal that names the field is the clear answer
//! the principles ask for — instead of a 500 on one backend and hidden bytes
//! on the other.

use super::error::{ApiError, PageError};
use crate::model::{Problem, Problems, control_char};
use crate::service::ServiceError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// Where a control character was found: the field (a JSON path, a form or
/// query key) and the character.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    pub field: String,
    pub ch: char,
}

impl Found {
    /// The refusal, as a field problem the pages and the API both render
    /// ("Nội dung: Ô “subject” có ký tự điều khiển U+0000 …").
    pub fn refusal(&self) -> ServiceError {
        // The field name came from the request and may hold controls too.
        let field: String = self
            .field
            .chars()
            .map(|c| if c.is_control() { '�' } else { c })
            .collect();
        let value = format!("{field} (U+{:04X})", u32::from(self.ch));
        ServiceError::Invalid(Problems(vec![Problem::new(
            "text",
            "text.control_char",
            value,
        )]))
    }
}

/// The first control character in a JSON value, keys included, outside the
/// `ignored` paths (fields the request does not read).
pub fn in_json(v: &Value, ignored: &[Vec<String>]) -> Option<Found> {
    fn walk(v: &Value, path: &mut Vec<String>, ignored: &[Vec<String>]) -> Option<Found> {
        if ignored.iter().any(|p| p == path) {
            return None;
        }
        let found = |ch| {
            Some(Found {
                field: path.join("."),
                ch,
            })
        };
        match v {
            Value::String(s) => control_char(s).and_then(found),
            Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| {
                path.push(i.to_string());
                let r = walk(x, path, ignored);
                path.pop();
                r
            }),
            Value::Object(o) => o.iter().find_map(|(k, x)| {
                path.push(k.clone());
                let read = !ignored.iter().any(|p| p == path);
                let r = match control_char(k).filter(|_| read) {
                    Some(ch) => Some(Found {
                        field: path.join("."),
                        ch,
                    }),
                    None => walk(x, path, ignored),
                };
                path.pop();
                r
            }),
            _ => None,
        }
    }
    walk(v, &mut Vec::new(), ignored)
}

/// A path `serde_ignored` reports, as the keys and indexes [`in_json`] walks.
pub fn segments(path: &serde_ignored::Path<'_>) -> Vec<String> {
    use serde_ignored::Path;
    let mut out = match path {
        Path::Root => return Vec::new(),
        Path::Seq { parent, .. }
        | Path::Map { parent, .. }
        | Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => segments(parent),
    };
    match path {
        Path::Seq { index, .. } => out.push(index.to_string()),
        Path::Map { key, .. } => out.push(key.clone()),
        _ => {}
    }
    out
}

/// The first control character in `application/x-www-form-urlencoded`
/// text (a form body or a query string), keys included.
pub fn in_form(bytes: &[u8]) -> Option<Found> {
    form_urlencoded::parse(bytes).find_map(|(k, v)| {
        control_char(&k)
            .or_else(|| control_char(&v))
            .map(|ch| Found {
                field: k.into_owned(),
                ch,
            })
    })
}

/// The first control character among named text fields (a multipart
/// form's, read one by one).
pub fn in_fields(fields: &[(&str, &str)]) -> Option<Found> {
    fields.iter().find_map(|(k, v)| {
        control_char(v).map(|ch| Found {
            field: (*k).to_string(),
            ch,
        })
    })
}

/// Refuses a page request whose query string carries a control character.
pub async fn page_queries(req: Request, next: Next) -> Response {
    match req.uri().query().and_then(|q| in_form(q.as_bytes())) {
        Some(found) => PageError::Service(found.refusal()).into_response(),
        None => next.run(req).await,
    }
}

/// Refuses an API request whose query string carries a control character.
pub async fn api_queries(req: Request, next: Next) -> Response {
    match req.uri().query().and_then(|q| in_form(q.as_bytes())) {
        Some(found) => ApiError::Service(found.refusal()).into_response(),
        None => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_inside_a_json_body_is_found_with_its_path() {
        let v: Value =
            serde_json::from_str(r#"{"subject":"a\u0000b","tasks":["ok","x\u001a"]}"#).unwrap();
        assert_eq!(
            in_json(&v, &[]),
            Some(Found {
                field: "subject".into(),
                ch: '\0'
            })
        );
        let v: Value = serde_json::from_str(r#"{"tasks":["ok","x\u001a"]}"#).unwrap();
        assert_eq!(in_json(&v, &[]).unwrap().field, "tasks.1");
        let v: Value = serde_json::from_str(r#"{"a\u0001":1}"#).unwrap();
        assert_eq!(in_json(&v, &[]).unwrap().ch, '\u{1}');
    }

    #[test]
    fn a_field_the_request_does_not_read_may_hold_anything() {
        #[derive(serde::Deserialize)]
        struct Body {
            #[allow(dead_code)]
            subject: String,
        }
        let v: Value =
            serde_json::from_str(r#"{"subject":"Họp","extra":["\u0000"],"x\u0001":1}"#).unwrap();
        let mut ignored = Vec::new();
        let _: Body = serde_ignored::deserialize(&v, |p| ignored.push(segments(&p))).unwrap();
        assert_eq!(in_json(&v, &ignored), None);
        let v: Value = serde_json::from_str(r#"{"subject":"H\u0000p","extra":1}"#).unwrap();
        let _: Body = serde_ignored::deserialize(&v, |p| ignored.push(segments(&p))).unwrap();
        assert_eq!(in_json(&v, &ignored).unwrap().field, "subject");
    }

    #[test]
    fn line_breaks_and_vietnamese_pass() {
        let v: Value = serde_json::from_str(r#"{"body":"Dòng 1\r\nDòng 2\tđủ"}"#).unwrap();
        assert_eq!(in_json(&v, &[]), None);
        assert_eq!(in_form("q=nguy%E1%BB%85n+mai&x=a%0D%0Ab".as_bytes()), None);
    }

    #[test]
    fn a_percent_encoded_nul_in_a_form_is_found() {
        let found = in_form(b"csrf=t&place=Nh%C3%A0+v%C4%83n+h%C3%B3a%00").unwrap();
        assert_eq!(found.field, "place");
        assert_eq!(found.ch, '\0');
    }
}
