//! What the API answers when a request cannot be served: always a JSON body
//! `{code, message}` with a stable code, and every status it can answer
//! written in the OpenAPI document.

use crate::web::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

/// A JSON request body. Unlike `axum::Json` it answers in the API's own
/// error format, and it reads a whole number written with a fraction
/// (`2.0`) as the integer it is, as JSON Schema does.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::request(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::request(e.status(), e.body_text()))?;
        let mut value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::request(StatusCode::BAD_REQUEST, e.to_string()))?;
        whole_numbers_as_integers(&mut value);
        // Fields the body carries but the request does not read are let
        // through whatever they hold; the rest may not carry a control.
        let mut ignored = Vec::new();
        let mut note = |path: serde_ignored::Path<'_>| {
            ignored.push(crate::web::input::segments(&path));
        };
        let body =
            serde_path_to_error::deserialize(serde_ignored::Deserializer::new(&value, &mut note))
                .map_err(|e| ApiError::request(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
        if let Some(found) = crate::web::input::in_json(&value, &ignored) {
            return Err(ApiError::Service(found.refusal()));
        }
        Ok(Self(body))
    }
}

/// `2.0` becomes `2`, so that an integer field accepts it.
fn whole_numbers_as_integers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && (-9_007_199_254_740_992.0..=9_007_199_254_740_992.0).contains(&f)
            {
                // Exact: whole and within 2^53.
                #[allow(clippy::cast_possible_truncation)]
                let i = f as i64;
                *n = i.into();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(o) => o.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// `Content-Type: application/json` (or a `+json` type), parameters aside.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(essence) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
    else {
        return false;
    };
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|t| t.ends_with("+json"))
}

/// Any error the API's handlers did not write themselves (a path or query
/// that does not parse, an unknown route, a wrong method, a body too large,
/// a timeout) is rewritten as the API's JSON error, keeping its status and
/// headers (`Allow` on 405).
pub async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(res.headers()) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // These bodies are a line of text from a parser or empty.
    let detail = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let fresh = ApiError::request(status, detail).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    let (fresh_parts, body) = fresh.into_parts();
    parts.headers.extend(fresh_parts.headers);
    Response::from_parts(parts, body)
}

/// Unknown paths under `/api/v1`.
pub async fn not_found() -> ApiError {
    ApiError::request(StatusCode::NOT_FOUND, "")
}

/// Documents the answers every operation can give besides its own: a
/// request that cannot be read (400, 413, 415, 422), missing credentials
/// (401), a refused CSRF token on writes (403), an unknown id in the path
/// (404), a record whose state refuses a write (409), and the server's
/// own trouble (500, 503). Each handler documents
/// the rest (its success, and the 403, 404, 409 and 422 of its rules).
pub struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let writes = [&mut item.put, &mut item.post, &mut item.delete];
            for op in writes.into_iter().flatten() {
                add(
                    op,
                    "403",
                    "Refused: no right to this, or (for a browser session) no valid X-CSRF-Token.",
                );
                add(
                    op,
                    "409",
                    "The record's current state refuses this (a closed meeting or vote, an issued report, a taken login, a unit that cannot hold this kind); the same request may succeed on another record or later.",
                );
            }
            let all = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for op in all.into_iter().flatten() {
                let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let has_body = op.request_body.is_some();
                if has_params || has_body {
                    add(
                        op,
                        "400",
                        "The request could not be read: a path or query parameter, or the JSON body, is malformed.",
                    );
                }
                add(
                    op,
                    "401",
                    "No valid credentials: a bearer token (`chibo user token`) or a session.",
                );
                if has_params || has_body {
                    add(
                        op,
                        "404",
                        "A record named in the path, the query or the body does not exist.",
                    );
                }
                if has_body {
                    add(op, "413", "The body is too large.");
                    add(op, "415", "The body is not `application/json`.");
                }
                // Any query string may carry a control character, which is
                // refused before the handler (`web::input`), so every
                // operation can answer 422.
                add(
                    op,
                    "422",
                    "A field or parameter is not valid (also for rules a schema cannot state, such as a period's number for its kind), the body does not match its schema, or a text (body, form or query string) carries a control character other than tab and line breaks.",
                );
                add(
                    op,
                    "500",
                    "An internal error (logged on the server; nothing was changed).",
                );
                add(
                    op,
                    "503",
                    "The database is unavailable; retry after the `Retry-After` seconds.",
                );
            }
        }
    }
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ApiErrorBody")))
                        .build(),
                )
                .build()
                .into()
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_read_as_integers() {
        let mut v = serde_json::json!({"version": 39332461.0, "n": [2.5, -0.0, 1e300], "s": "1.0"});
        whole_numbers_as_integers(&mut v);
        assert_eq!(v["version"], serde_json::json!(39332461));
        assert!(v["version"].is_i64());
        assert_eq!(v["n"][0], serde_json::json!(2.5));
        assert!(v["n"][1].is_i64());
        assert!(v["n"][2].is_f64(), "too large to be exact");
        assert_eq!(v["s"], "1.0");
    }
}
