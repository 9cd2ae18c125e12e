//! The UI, served from files built into the binary (`assets/`, the committed output of
//! `just console-assets`, tabled by `build.rs`): `/` is `index.html`, `/assets/<file>` the rest.
//!
//! Files whose names carry esbuild's content hash (`app-5KQ2XG3L.js`) never change under their
//! name, so browsers keep them for a year without asking again; `index.html`, which names them,
//! is revalidated every time. Every answer carries a content security policy that lets the page
//! load and connect to its own origin only: the console fetches nothing from anywhere else.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use liaison_runtime::Problem;

/// Every built file: its name under `assets/` and its bytes.
pub static FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The page every view starts from.
pub const INDEX: &str = "index.html";

/// The `Cache-Control` of a file with a content hash in its name.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The `Cache-Control` of every other file.
pub const REVALIDATE: &str = "no-cache";

/// The content security policy of every file: this origin only, no inline script.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                       img-src 'self' data:; connect-src 'self'; object-src 'none'; \
                       base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// `/` and `/assets/{file}`.
pub fn routes() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/assets/{file}", get(file))
}

async fn index() -> Response {
    match find(INDEX) {
        Some(bytes) => serve(INDEX, bytes),
        None => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "this liaison-console was built without its UI (services/console/assets is empty); \
             run `just console-assets` and build it again",
        )
        .into_response(),
    }
}

async fn file(Path(name): Path<String>) -> Response {
    match find(&name) {
        Some(bytes) => serve(&name, bytes),
        None => Problem::not_found(format!("no file /assets/{name} in this console"))
            .with_instance(format!("/assets/{name}"))
            .into_response(),
    }
}

/// The bytes of the built file `name`.
pub fn find(name: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

fn serve(name: &str, bytes: &'static [u8]) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(name)),
    );
    let cache = if is_hashed(name) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The content type of a file, by its extension.
pub fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether `name` carries esbuild's content hash: `<stem>-<8 of A–Z, 0–9>.<ext>`.
pub fn is_hashed(name: &str) -> bool {
    let Some((stem, _ext)) = name.rsplit_once('.') else {
        return false;
    };
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    hash.len() == 8
        && hash
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("app-5KQ2XG3L.js"));
        assert!(is_hashed("app-ABCDEFGH.css"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("app-5kq2xg3l.js"));
        assert!(!is_hashed("live-tail.js"));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("app-X.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn the_built_ui_is_in_the_binary_and_names_only_files_that_are() {
        let index = std::str::from_utf8(find(INDEX).expect("index.html built in")).unwrap();
        for (name, _) in FILES {
            if *name != INDEX {
                assert!(is_hashed(name), "{name} has no content hash");
                assert!(index.contains(&format!("/assets/{name}")), "{name} unused");
            }
        }
        assert!(!index.contains("http://") && !index.contains("https://"));
    }
}
