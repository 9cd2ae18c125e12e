//! A JSON request-body extractor whose every failure is a helpful problem document.
//!
//! axum's own `Json` answers failures in plain text, has no nesting limit of its own and
//! lets a huge body reach the parser. The contract needs `415` for a wrong content type,
//! `413` for a body too large, `400` for anything that is not well-formed JSON, and
//! never lets a bad request harm the service — so a deeply nested `[[[[…` is refused by a
//! linear, non-recursive scan before the (recursive) parser ever sees it.
//!
//! Limits come from a [`JsonLimits`] request extension (`router.layer(Extension(limits))`),
//! falling back to [`JsonLimits::default`]. [`parse_json`] applies the same checks to bytes
//! that arrive another way (NATS request-reply).

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, header};
use futures::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::problem::{FieldError, Problem};

/// The deepest nesting serde_json parses (its recursion limit of 128 admits 127 levels);
/// our limit may not exceed it.
pub const SERDE_JSON_MAX_DEPTH: usize = 127;

/// Size, nesting and value-count limits for JSON request bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonLimits {
    /// The largest accepted body, in bytes.
    pub max_bytes: usize,
    /// The deepest accepted nesting of arrays and objects (at most [`SERDE_JSON_MAX_DEPTH`]).
    pub max_depth: usize,
    /// The most JSON values (scalars, arrays, objects; keys not counted) a body may hold.
    ///
    /// Parsed, a JSON value takes 32 bytes or more however short its text: 33 MB of
    /// `[1,1,1,…]` would become more than 500 MB of `serde_json::Value`. A body over the bound
    /// is refused (`413`) by the same linear scan that checks the nesting, before anything is
    /// allocated for it.
    pub max_values: usize,
}

impl JsonLimits {
    /// The default body limit: 1 MiB.
    pub const DEFAULT_MAX_BYTES: usize = 1024 * 1024;
    /// The default nesting limit: 64 levels.
    pub const DEFAULT_MAX_DEPTH: usize = 64;
    /// The default value bound: a million, ten times what a batch of 500 events of the
    /// contract's limits can hold (about 100,000).
    pub const DEFAULT_MAX_VALUES: usize = 1_000_000;

    /// Limits of `max_bytes` and `max_depth` (lowered to [`SERDE_JSON_MAX_DEPTH`]), and
    /// [`JsonLimits::DEFAULT_MAX_VALUES`] values.
    pub fn new(max_bytes: usize, max_depth: usize) -> Self {
        Self {
            max_bytes,
            max_depth: max_depth.min(SERDE_JSON_MAX_DEPTH),
            max_values: Self::DEFAULT_MAX_VALUES,
        }
    }
}

impl Default for JsonLimits {
    fn default() -> Self {
        Self::new(Self::DEFAULT_MAX_BYTES, Self::DEFAULT_MAX_DEPTH)
    }
}

/// Extracts and deserialises a JSON body into `T`, rejecting with a [`Problem`]:
///
/// - `415` when `Content-Type` is missing or is not `application/json` / `application/*+json`
///   (a `charset` parameter, if any, must be UTF-8);
/// - `413` when the body is larger than [`JsonLimits::max_bytes`];
/// - `400` when the body is empty, not UTF-8, not well-formed JSON (with line and column)
///   or nested deeper than [`JsonLimits::max_depth`];
/// - `422` when it is well-formed JSON of the wrong shape for `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

/// A JSON body kept as an untyped [`serde_json::Value`], for handlers that validate it
/// themselves; destructure it as `JsonBody(value): JsonValue`.
pub type JsonValue = JsonBody<serde_json::Value>;

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let limits = req
            .extensions()
            .get::<JsonLimits>()
            .copied()
            .unwrap_or_default();
        check_content_type(req.headers())?;
        let bytes = read_body(req, limits.max_bytes).await?;
        parse_json(&bytes, &limits).map(JsonBody)
    }
}

/// A JSON request body as raw bytes, with the checks of [`JsonBody`] that need no parsing
/// (`415` for a wrong content type, `413` over [`JsonLimits::max_bytes`]), for handlers that
/// parse it elsewhere with [`parse_json`] — off the async workers, for a large body.
#[derive(Debug, Clone, Default)]
pub struct JsonBytes(pub Vec<u8>);

impl<S> FromRequest<S> for JsonBytes
where
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let limits = req
            .extensions()
            .get::<JsonLimits>()
            .copied()
            .unwrap_or_default();
        check_content_type(req.headers())?;
        read_body(req, limits.max_bytes).await.map(JsonBytes)
    }
}

/// Checks that `headers` declare a JSON body; otherwise a `415` problem saying what to send.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), Problem> {
    const HINT: &str = "send `Content-Type: application/json`";
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(Problem::unsupported_media_type(format!(
            "missing Content-Type; {HINT}"
        )));
    };
    let Ok(value) = value.to_str() else {
        return Err(Problem::unsupported_media_type(format!(
            "unreadable Content-Type; {HINT}"
        )));
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let is_json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if !is_json {
        return Err(Problem::unsupported_media_type(format!(
            "Content-Type `{value}` is not JSON; {HINT}"
        )));
    }
    for parameter in parts {
        if let Some((name, charset)) = parameter.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
        {
            let charset = charset.trim().trim_matches('"');
            if !charset.eq_ignore_ascii_case("utf-8") && !charset.eq_ignore_ascii_case("utf8") {
                return Err(Problem::unsupported_media_type(format!(
                    "charset `{charset}` is not supported; JSON must be UTF-8"
                )));
            }
        }
    }
    Ok(())
}

fn too_large(max_bytes: usize) -> Problem {
    Problem::payload_too_large(format!(
        "the request body is larger than the limit of {max_bytes} bytes"
    ))
    .with_extension("limit_bytes", max_bytes)
}

/// Reads the body of `req`, refusing (`413`) as soon as it exceeds `max_bytes`.
async fn read_body(req: Request, max_bytes: usize) -> Result<Vec<u8>, Problem> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_bytes as u64) {
        return Err(too_large(max_bytes));
    }
    let capacity = declared.map_or(0, |n| n as usize);
    let mut body = Vec::with_capacity(capacity);
    let mut stream = req.into_body().into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| Problem::bad_request(format!("could not read the request body: {e}")))?;
        if body.len() + chunk.len() > max_bytes {
            return Err(too_large(max_bytes));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Parses `bytes` as JSON into `T` with the checks of [`JsonBody`] (all but the content type and size).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8], limits: &JsonLimits) -> Result<T, Problem> {
    if bytes.len() > limits.max_bytes {
        return Err(too_large(limits.max_bytes));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::bad_request(
            "the request body is empty; expected a JSON document",
        ));
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let (line, column) = line_column(bytes, e.valid_up_to());
        return Err(Problem::bad_request(format!(
            "the request body is not valid UTF-8 (invalid byte at line {line}, column {column})"
        ))
        .with_extension("line", line)
        .with_extension("column", column));
    }
    let max_depth = limits.max_depth.min(SERDE_JSON_MAX_DEPTH);
    let shape = scan(bytes, max_depth);
    if let Some(offset) = shape.too_deep_at {
        let (line, column) = line_column(bytes, offset);
        return Err(Problem::bad_request(format!(
            "JSON nested deeper than the limit of {max_depth} levels (at line {line}, column {column})"
        ))
        .with_extension("limit_depth", max_depth)
        .with_extension("line", line)
        .with_extension("column", column));
    }
    if shape.values > limits.max_values {
        return Err(Problem::payload_too_large(format!(
            "the request body holds about {} JSON values, more than the limit of {}",
            shape.values, limits.max_values
        ))
        .with_extension("limit_values", limits.max_values));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let problem = match e.classify() {
            Category::Data => Problem::unprocessable(vec![FieldError::new("", e.to_string())])
                .with_detail(format!(
                    "the JSON document does not have the expected shape: {e}"
                )),
            Category::Syntax | Category::Eof | Category::Io => {
                Problem::bad_request(format!("malformed JSON: {e}"))
            }
        };
        problem
            .with_extension("line", line)
            .with_extension("column", column)
    })
}

/// What one pass over a JSON text (strings and escapes skipped, no recursion) tells before it is
/// parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// The byte offset of the first `[` or `{` that opens a level deeper than the limit.
    pub too_deep_at: Option<usize>,
    /// An upper bound on the values it holds: one, plus one per `,`, `[` and `{` outside
    /// strings (meaningful only for well-formed JSON; the parser reports the rest).
    pub values: usize,
}

/// Scans `bytes` once: its nesting against `max_depth` (stopping at the first level too deep)
/// and how many values it holds.
pub fn scan(bytes: &[u8], max_depth: usize) -> Shape {
    let mut depth = 0usize;
    let mut values = 1usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                values += 1;
                depth += 1;
                if depth > max_depth {
                    return Shape {
                        too_deep_at: Some(i),
                        values,
                    };
                }
            }
            b',' => values += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Shape {
        too_deep_at: None,
        values,
    }
}

/// 1-based line and column (in characters, as serde_json counts) of byte `offset`.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::Value;

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        h
    }

    #[test]
    fn accepts_json_media_types() {
        for ok in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=\"UTF-8\"",
            "application/cloudevents+json",
            "application/cloudevents-batch+json; charset=utf-8",
        ] {
            assert!(check_content_type(&headers(ok)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_other_media_types() {
        for bad in [
            "text/plain",
            "application/xml",
            "text/json",
            "application/json; charset=latin1",
        ] {
            let p = check_content_type(&headers(bad)).unwrap_err();
            assert_eq!(p.status, 415, "{bad}");
        }
        assert!(
            check_content_type(&HeaderMap::new())
                .unwrap_err()
                .detail
                .contains("missing")
        );
    }

    fn exceeds_depth(bytes: &[u8], max_depth: usize) -> Option<usize> {
        scan(bytes, max_depth).too_deep_at
    }

    fn count_values(bytes: &[u8]) -> usize {
        scan(bytes, SERDE_JSON_MAX_DEPTH).values
    }

    #[test]
    fn depth_scan_ignores_brackets_in_strings() {
        assert_eq!(exceeds_depth(br#"{"a": "[[[[[[", "b": [1]}"#, 2), None);
        assert_eq!(exceeds_depth(br#"{"a": "\"[[[", "b": [[1]]}"#, 2), Some(21));
        assert_eq!(exceeds_depth(b"[[[]]]", 3), None);
        assert_eq!(exceeds_depth(b"[[[[]]]]", 3), Some(3));
    }

    #[test]
    fn counts_values_outside_strings() {
        assert_eq!(count_values(b"1"), 1);
        assert_eq!(count_values(b"[]"), 2);
        assert_eq!(count_values(b"[1,2,3]"), 4);
        assert_eq!(count_values(br#"{"a": [1, {"b": 2}], "c": null}"#), 6);
        // Brackets and commas inside strings, and escaped quotes, do not count.
        assert_eq!(count_values(br#"["a,[{", "\",[", "\\"]"#), 4);
    }

    #[test]
    fn a_bound_above_every_value_of_the_parsed_document() {
        let doc = serde_json::json!([{"type": "meeting.held", "data": {"organizations":
            ["meta", "lg-electronics"], "topics": [], "evidence": {"quote": "a, [b] {c}"}}}, 1, null]);
        let text = serde_json::to_vec_pretty(&doc).unwrap();
        fn values(v: &serde_json::Value) -> usize {
            1 + match v {
                serde_json::Value::Array(items) => items.iter().map(values).sum(),
                serde_json::Value::Object(map) => map.values().map(values).sum(),
                _ => 0,
            }
        }
        assert!(count_values(&text) >= values(&doc));
    }

    #[test]
    fn a_body_of_two_million_numbers_is_refused_before_it_is_parsed() {
        let mut body = vec![b'['];
        body.extend(std::iter::repeat_n(&b"0,"[..], 2_000_000).flatten());
        body.extend(b"0]");
        let limits = JsonLimits::new(8 * 1024 * 1024, 64);
        let problem = parse_json::<serde_json::Value>(&body, &limits).unwrap_err();
        assert_eq!(problem.status, 413);
        assert_eq!(
            problem.extensions["limit_values"],
            JsonLimits::DEFAULT_MAX_VALUES
        );
        assert!(parse_json::<serde_json::Value>(b"[0,0,0]", &limits).is_ok());
    }

    #[test]
    fn a_megabyte_of_brackets_is_refused_without_recursion() {
        let body = vec![b'['; 1024 * 1024];
        let limits = JsonLimits::new(2 * 1024 * 1024, 64);
        let p = parse_json::<Value>(&body, &limits).unwrap_err();
        assert_eq!(p.status, 400);
        assert!(p.detail.contains("limit of 64 levels"), "{}", p.detail);
        assert_eq!(p.extensions["column"], 65);
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let p = parse_json::<Value>(b"{\n  \"a\": }", &JsonLimits::default()).unwrap_err();
        assert_eq!(p.status, 400);
        assert!(p.detail.contains("line 2 column 8"), "{}", p.detail);
        assert_eq!(p.extensions["line"], 2);
    }

    #[test]
    fn invalid_utf8_is_a_bad_request() {
        let p = parse_json::<Value>(b"{\"a\": \"\xff\"}", &JsonLimits::default()).unwrap_err();
        assert_eq!(p.status, 400);
        assert!(p.detail.contains("UTF-8"), "{}", p.detail);
        assert_eq!(p.extensions["column"], 8);
    }

    #[test]
    fn wrong_shape_is_unprocessable() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Event {
            r#type: String,
        }
        let p = parse_json::<Event>(b"{\"id\": 1}", &JsonLimits::default()).unwrap_err();
        assert_eq!(p.status, 422);
        assert!(p.detail.contains("missing field `type`"), "{}", p.detail);
    }

    #[test]
    fn empty_body_is_a_bad_request() {
        let p = parse_json::<Value>(b"  \n", &JsonLimits::default()).unwrap_err();
        assert_eq!(p.status, 400);
        assert!(p.detail.contains("empty"));
    }

    #[tokio::test]
    async fn raw_bytes_are_read_with_the_type_and_size_checks() {
        use axum::body::Body;
        let request = |content_type: &str, body: &'static str| {
            let mut req = Request::builder()
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))
                .unwrap();
            req.extensions_mut().insert(JsonLimits::new(8, 4));
            req
        };
        let JsonBytes(bytes) = JsonBytes::from_request(request("application/json", "[1,2]"), &())
            .await
            .unwrap();
        assert_eq!(bytes, b"[1,2]");
        let p = JsonBytes::from_request(request("application/json", "[1,2,3,4,5]"), &())
            .await
            .unwrap_err();
        assert_eq!(p.status, 413);
        assert_eq!(p.extensions["limit_bytes"], 8);
        let p = JsonBytes::from_request(request("text/plain", "[]"), &())
            .await
            .unwrap_err();
        assert_eq!(p.status, 415);
    }

    #[test]
    fn depth_limit_is_capped_at_serde_json_limit() {
        assert_eq!(JsonLimits::new(10, 1000).max_depth, SERDE_JSON_MAX_DEPTH);
        let limits = JsonLimits::new(1 << 20, 1000);
        let deepest = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(parse_json::<Value>(deepest.as_bytes(), &limits).is_ok());
        let deeper = format!("{}{}", "[".repeat(128), "]".repeat(128));
        let p = parse_json::<Value>(deeper.as_bytes(), &limits).unwrap_err();
        assert!(p.detail.contains("limit of 127 levels"), "{}", p.detail);
    }
}
