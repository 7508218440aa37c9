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
    Asset {
        name: "favicon.svg",
        mime: "image/svg+xml",
        body: include_bytes!("assets/favicon.svg"),
    },
    Asset {
        name: "ballot.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("assets/ballot.js"),
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

/// The phones' secret-ballot bundle (chibo-ballot built for WebAssembly,
/// committed with the hash of its sources): served under a folder named by
/// the bundle's own hash, so its module can import `./pkg/…` by relative
/// path and every file is cached for good. Only the voting page loads it.
const BALLOT_BUNDLE: &[Asset] = &[
    Asset {
        name: "chibo-ballot.mjs",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../chibo-ballot/wasm/chibo-ballot.mjs"),
    },
    Asset {
        name: "pkg/chibo_ballot.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../chibo-ballot/wasm/pkg/chibo_ballot.js"),
    },
    Asset {
        name: "pkg/chibo_ballot_bg.wasm",
        mime: "application/wasm",
        body: include_bytes!("../../../chibo-ballot/wasm/pkg/chibo_ballot_bg.wasm"),
    },
];

fn ballot_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let mut h = Sha256::new();
        for a in BALLOT_BUNDLE {
            h.update(a.body);
        }
        h.finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    })
}

/// The URL of the bundle's module, e.g. `/assets/ballot/1a2b…/chibo-ballot.mjs`.
pub fn ballot_module_url() -> String {
    format!("/assets/ballot/{}/chibo-ballot.mjs", ballot_version())
}

pub async fn serve_ballot(Path((version, file)): Path<(String, String)>) -> Response {
    match BALLOT_BUNDLE.iter().find(|a| a.name == file) {
        Some(a) if version == ballot_version() => (
            [
                (header::CONTENT_TYPE, a.mime),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            a.body,
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
