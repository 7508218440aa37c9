//! Static assets embedded in the binary. URLs carry a content hash, so they
//! are cached for a year; pages themselves are `no-cache`.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("assets/app.css"),
    },
    Asset {
        name: "app.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("assets/app.js"),
    },
    Asset {
        name: "htmx.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("assets/htmx-2.0.11.min.js"),
    },
];

fn hashed() -> &'static Vec<(String, &'static Asset)> {
    static H: OnceLock<Vec<(String, &'static Asset)>> = OnceLock::new();
    H.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let h = Sha256::digest(a.body);
                let short: String = h.iter().take(5).map(|b| format!("{b:02x}")).collect();
                let (stem, ext) = a.name.rsplit_once('.').unwrap_or((a.name, ""));
                (format!("{stem}.{short}.{ext}"), a)
            })
            .collect()
    })
}

/// The URL of an asset by its plain name, e.g. `/assets/app.3f2a9c1b0d.css`.
pub fn url(name: &str) -> String {
    hashed().iter().find(|(_, a)| a.name == name).map_or_else(
        || format!("/assets/{name}"),
        |(h, _)| format!("/assets/{h}"),
    )
}

pub async fn serve(Path(name): Path<String>) -> Response {
    match hashed().iter().find(|(h, _)| *h == name) {
        Some((_, a)) => (
            [
                (header::CONTENT_TYPE, a.mime),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            a.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
