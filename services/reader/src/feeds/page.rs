//! Fetching the page of an article posted by its url alone, with the feeds' client: the same
//! target policy (private addresses refused unless `LIAISON_READER_FEED_ALLOW_PRIVATE`), timeout
//! and redirects, a body of at most 5 MiB (and at most the feeds' bound), http or https only, and
//! only `text/html` or `text/plain`. A failure is told by its class ([`PageError`]), never by the
//! transport's own words.

use std::io;

use liaison_proto::reader::MAX_ARTICLE_HTML_BYTES;
use liaison_runtime::target_policy::{AddressClass, ForbiddenAddress, Unresolvable};
use liaison_runtime::{FieldError, Problem};
use reqwest::header::CONTENT_TYPE;

use super::fetch::{BodyError, FeedClient, bounded_body};

/// A fetched page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// A `text/html` page.
    Html(String),
    /// A `text/plain` document.
    Text(String),
}

/// Why a page was not fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// Not an http or https URL.
    #[error("not an http or https address")]
    BadUrl,
    /// Its address, or one its name resolves to (or a redirect leads to), is refused.
    #[error(
        "a {0} address, which the reader may not fetch (LIAISON_READER_FEED_ALLOW_PRIVATE allows it)"
    )]
    Refused(AddressClass),
    /// Its host name does not resolve.
    #[error("its host name does not resolve")]
    Dns,
    /// No answer within the timeout.
    #[error("no answer within the reader's timeout")]
    Timeout,
    /// No connection could be made.
    #[error("no connection could be made")]
    Connect,
    /// More redirects than followed.
    #[error("too many redirects")]
    Redirects,
    /// The server answered a status other than 2xx.
    #[error("the server answered HTTP {0}")]
    Status(u16),
    /// The body is larger than read.
    #[error("the page is larger than {0} bytes")]
    TooLarge(usize),
    /// Neither HTML nor plain text.
    #[error("the page is {0}, not text/html or text/plain")]
    ContentType(String),
    /// Anything else on the way (a broken connection, an answer that is not HTTP).
    #[error("the page could not be fetched")]
    Request,
}

impl PageError {
    /// The class, as the problem's `reason`.
    pub fn class(&self) -> &'static str {
        match self {
            Self::BadUrl => "bad_url",
            Self::Refused(_) => "forbidden_address",
            Self::Dns => "dns",
            Self::Timeout => "timeout",
            Self::Connect => "connect",
            Self::Redirects => "redirects",
            Self::Status(_) => "status",
            Self::TooLarge(_) => "too_large",
            Self::ContentType(_) => "content_type",
            Self::Request => "request",
        }
    }

    /// The answer: `422` when the address or what it holds is at fault (refused, `4xx`, too
    /// large, not text), `502` when the other side failed (unreachable, timeout, `5xx`); its
    /// error names `/url`, its `reason` the class.
    pub fn problem(&self) -> Problem {
        let unprocessable = matches!(
            self,
            Self::BadUrl | Self::Refused(_) | Self::TooLarge(_) | Self::ContentType(_)
        ) || matches!(self, Self::Status(code) if *code < 500);
        let error = FieldError::new("/url", format!("{}: {self}", self.class()));
        let detail = format!("the page at url could not be read: {self}");
        let problem = if unprocessable {
            Problem::unprocessable(vec![error])
        } else {
            Problem::new(axum::http::StatusCode::BAD_GATEWAY, String::new())
                .with_errors(vec![error], 0)
        };
        problem
            .with_detail(detail)
            .with_extension("reason", self.class())
    }

    /// The class of a failed request.
    fn of(error: &reqwest::Error) -> Self {
        let chain = || std::iter::successors(Some(error as &dyn std::error::Error), |e| e.source());
        if let Some(f) = chain().find_map(|e| e.downcast_ref::<ForbiddenAddress>()) {
            return Self::Refused(f.class);
        }
        if chain().any(|e| e.is::<Unresolvable>()) {
            return Self::Dns;
        }
        if error.is_timeout()
            || chain().any(|e| {
                e.downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::TimedOut)
            })
        {
            return Self::Timeout;
        }
        if error.is_redirect() {
            return Self::Redirects;
        }
        if error.is_connect() {
            return Self::Connect;
        }
        Self::Request
    }
}

impl FeedClient {
    /// Fetches the page at `url`.
    pub async fn page(&self, url: &str) -> Result<Page, PageError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| PageError::BadUrl)?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(PageError::BadUrl);
        }
        self.policy
            .check_url(&parsed)
            .map_err(|e| PageError::Refused(e.class))?;
        let response = self
            .http
            .get(parsed)
            .header(
                reqwest::header::ACCEPT,
                "text/html, text/plain;q=0.9, */*;q=0.1",
            )
            .send()
            .await
            .map_err(|e| PageError::of(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(PageError::Status(status.as_u16()));
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let (essence, charset) = media_type(&content_type);
        let html = match essence.as_str() {
            "text/html" | "application/xhtml+xml" => true,
            "text/plain" => false,
            "" => return Err(PageError::ContentType("without a content type".to_owned())),
            other => return Err(PageError::ContentType(other.chars().take(100).collect())),
        };
        let max = self.max_bytes.min(MAX_ARTICLE_HTML_BYTES);
        let body = bounded_body(response, max).await.map_err(|e| match e {
            BodyError::TooLarge(n) => PageError::TooLarge(n),
            BodyError::Broken(e) => PageError::of(&e),
        })?;
        let text = decode(&body, charset.as_deref());
        Ok(if html {
            Page::Html(text)
        } else {
            Page::Text(text)
        })
    }
}

/// The media type of a `Content-Type` (lowercase) without its parameters, and its charset.
fn media_type(content_type: &str) -> (String, Option<String>) {
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_owned();
    let charset = parts.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        (name.trim() == "charset").then(|| value.trim().trim_matches('"').to_owned())
    });
    (essence, charset)
}

/// `body` as text: byte for character when the charset says Latin-1 (ISO-8859-1, and
/// windows-1252 but for its few characters at 0x80–0x9F), UTF-8 otherwise (what is not UTF-8 becomes replacement characters, and a body
/// made of them is then refused as not text).
fn decode(body: &[u8], charset: Option<&str>) -> String {
    match charset {
        Some("iso-8859-1" | "latin1" | "latin-1" | "windows-1252" | "cp1252" | "us-ascii") => {
            body.iter().map(|&b| char::from(b)).collect()
        }
        _ => {
            String::from_utf8_lossy(body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)).into_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_charsets() {
        assert_eq!(
            media_type("text/html; charset=\"utf-8\""),
            ("text/html".to_owned(), Some("utf-8".to_owned()))
        );
        assert_eq!(media_type("text/plain"), ("text/plain".to_owned(), None));
        assert_eq!(decode(b"Stra\xdfe", Some("iso-8859-1")), "Straße");
        assert_eq!(decode("Straße".as_bytes(), None), "Straße");
    }

    #[test]
    fn classes_choose_the_status() {
        assert_eq!(PageError::Status(404).problem().status, 422);
        assert_eq!(PageError::Status(503).problem().status, 502);
        assert_eq!(PageError::Timeout.problem().status, 502);
        let refused = PageError::Refused(AddressClass::Loopback).problem();
        assert_eq!(refused.status, 422);
        assert_eq!(refused.errors[0].pointer, "/url");
    }
}
