//! The requests the setup makes before a phase (logins aside): JSON through
//! the API with a session's cookie and CSRF token, not measured. Any
//! unexpected status stops the run with the server's answer, so a fixture
//! that cannot be built is reported instead of skewing the figures.

use crate::Session;
use anyhow::{Context, bail};
use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::{Client, Method, StatusCode, header};
use serde_json::Value;
use std::future::Future;

/// Setup requests as one person.
#[derive(Clone, Copy)]
pub(crate) struct Api<'a> {
    pub c: &'a Client,
    pub base: &'a str,
    pub s: &'a Session,
}

impl Api<'_> {
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.send(Method::GET, path, None, StatusCode::OK).await
    }

    /// One request; the parsed answer (`Null` when it has no body).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        expect: StatusCode,
    ) -> anyhow::Result<Value> {
        let mut rb = self
            .c
            .request(method.clone(), format!("{}{path}", self.base))
            .header(header::COOKIE, &self.s.cookie)
            .header("x-csrf-token", &self.s.csrf);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb
            .send()
            .await
            .with_context(|| format!("{method} {path}"))?;
        let status = r.status();
        let text = r.text().await?;
        if status != expect {
            bail!(
                "{method} {path} as {}: HTTP {status}, expected {expect}: {text}",
                self.s.login
            );
        }
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).with_context(|| format!("{method} {path}: not JSON"))
    }
}

impl Api<'_> {
    /// Plans a regular meeting of `cell` for tomorrow: its id.
    pub async fn plan_meeting(&self, cell: i64, time: &str, place: &str) -> anyhow::Result<i64> {
        let plan = serde_json::json!({
            "cell_id": cell, "kind": "thuong_ky", "date": vn_date(1), "time": time, "place": place,
        });
        let r = self
            .send(
                Method::POST,
                "/api/v1/meetings",
                Some(plan),
                StatusCode::CREATED,
            )
            .await?;
        id_of(&r, "id")
    }
}

/// Runs `f` on every item, `n` at a time, results in the items' order.
/// Writes and Argon2 checks are what the setup waits on, and the server
/// runs only a few of those at once anyway.
pub(crate) async fn bounded<T, R, Fut>(
    n: usize,
    items: impl IntoIterator<Item = T>,
    f: impl FnMut(T) -> Fut,
) -> anyhow::Result<Vec<R>>
where
    Fut: Future<Output = anyhow::Result<R>>,
{
    stream::iter(items).map(f).buffered(n).try_collect().await
}

/// A date `days` from today in Vietnam (UTC+7), as the forms write it.
pub(crate) fn vn_date(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(7) + chrono::Duration::days(days))
        .format("%d/%m/%Y")
        .to_string()
}

/// The number of an id field of an answer.
pub(crate) fn id_of(v: &Value, key: &str) -> anyhow::Result<i64> {
    v[key].as_i64().with_context(|| format!("no {key} in {v}"))
}
