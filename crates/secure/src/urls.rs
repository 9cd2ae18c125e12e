//! NATS server URLs, without the credentials they may carry.
//!
//! `nats://user:pass@host:4222` is a common way to give a password, but a URL is also what gets
//! logged: the services' start-up line, async-nats's own debug lines (which print the server
//! address), error messages. So the user information is taken out of every URL here, before
//! anything else sees it, and handed to the connection as credentials instead (async-nats 0.51
//! would not use it from the URL anyway). [`redact_url`] is the form for messages.

use async_nats::ServerAddr;

use crate::error::AccessError;

/// Credentials found in the user information of the URLs.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum UrlAuth {
    /// `nats://user:password@host`.
    UserPassword(String, String),
    /// `nats://token@host`.
    Token(String),
}

/// The servers a client connects to, parsed and stripped of credentials.
#[derive(Clone)]
pub struct Servers {
    addrs: Vec<ServerAddr>,
    auth: Option<UrlAuth>,
}

impl std::fmt::Debug for Servers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Servers")
            .field("servers", &self.shown())
            .field("url_credentials", &self.auth.is_some())
            .finish()
    }
}

impl Servers {
    /// Parses `urls`, each of which may be a comma-separated list. The URLs may carry one set of
    /// credentials (the same in each URL that has any).
    pub fn parse(urls: &[impl AsRef<str>]) -> Result<Servers, AccessError> {
        let mut addrs = Vec::new();
        let mut auth: Option<UrlAuth> = None;
        for url in urls
            .iter()
            .flat_map(|u| u.as_ref().split(','))
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            let (bare, found) = split_user_info(url);
            let addr = bare
                .parse::<ServerAddr>()
                .map_err(|e| AccessError::InvalidUrl {
                    url: redact_url(url),
                    reason: e.to_string(),
                })?;
            if let Some(found) = found {
                match &auth {
                    Some(existing) if *existing != found => {
                        return Err(AccessError::Conflict(
                            "the NATS URLs carry different credentials; give them once, with \
                             --nats-user/--nats-password or --nats-token"
                                .to_owned(),
                        ));
                    }
                    _ => auth = Some(found),
                }
            }
            addrs.push(addr);
        }
        if addrs.is_empty() {
            return Err(AccessError::NoUrl);
        }
        Ok(Servers { addrs, auth })
    }

    /// The addresses, without user information.
    pub fn addrs(&self) -> &[ServerAddr] {
        &self.addrs
    }

    /// The servers as a comma-separated list of `scheme://host:port`, for logs.
    pub fn shown(&self) -> String {
        self.addrs
            .iter()
            .map(|a| format!("{}://{}:{}", a.scheme(), a.host(), a.port()))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether a URL carried credentials.
    pub fn has_url_credentials(&self) -> bool {
        self.auth.is_some()
    }

    pub(crate) fn url_auth(&self) -> Option<&UrlAuth> {
        self.auth.as_ref()
    }
}

/// `url` with its password (or token) replaced by `***`, for messages and logs:
/// `nats://svc:***@host:4222`.
pub fn redact_url(url: &str) -> String {
    match user_info_span(url) {
        Some((start, at)) => {
            let info = &url[start..at];
            let shown = match info.split_once(':') {
                Some((user, _)) => format!("{user}:***"),
                None => "***".to_owned(),
            };
            format!("{}{shown}{}", &url[..start], &url[at..])
        }
        None => url.to_owned(),
    }
}

/// Where the user information of `url` is: from its start to the `@` that ends it.
fn user_info_span(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest[..authority_end]
        .rfind('@')
        .map(|at| (start, start + at))
}

/// `url` without user information, and the credentials it held.
fn split_user_info(url: &str) -> (String, Option<UrlAuth>) {
    let Some((start, at)) = user_info_span(url) else {
        return (url.to_owned(), None);
    };
    let info = &url[start..at];
    let bare = format!("{}{}", &url[..start], &url[at + 1..]);
    let auth = match info.split_once(':') {
        Some((user, password)) => UrlAuth::UserPassword(decode(user), decode(password)),
        None => UrlAuth::Token(decode(info)),
    };
    (bare, Some(auth))
}

/// Percent-decodes `s` (a password with `@` or `:` is written `%40`, `%3A` in a URL).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_taken_out_of_the_urls() {
        let servers =
            Servers::parse(&["nats://svc:s%40cret@127.0.0.1:4222, nats://svc:s%40cret@b:4223"])
                .unwrap();
        assert_eq!(servers.shown(), "nats://127.0.0.1:4222,nats://b:4223");
        assert!(
            servers
                .addrs()
                .iter()
                .all(|a| a.username().is_none() && a.password().is_none())
        );
        assert!(matches!(
            servers.url_auth(),
            Some(UrlAuth::UserPassword(u, p)) if u == "svc" && p == "s@cret"
        ));
        let shown = format!("{servers:?}");
        assert!(!shown.contains("cret"), "{shown}");

        let token = Servers::parse(&["tls://t0ken@host"]).unwrap();
        assert!(matches!(token.url_auth(), Some(UrlAuth::Token(t)) if t == "t0ken"));
        assert_eq!(token.shown(), "tls://host:4222");
        assert!(
            !Servers::parse(&["nats://a:4222"])
                .unwrap()
                .has_url_credentials()
        );
    }

    #[test]
    fn bad_and_conflicting_urls_are_refused_without_showing_a_password() {
        let err = Servers::parse(&["http://u:hunter2@host"]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("invalid NATS URL"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("u:***@host"), "{text}");
        let err = Servers::parse(&["nats://a:1@x", "nats://a:2@y"]).unwrap_err();
        assert!(matches!(err, AccessError::Conflict(_)), "{err}");
        assert!(matches!(Servers::parse(&[" , "]), Err(AccessError::NoUrl)));
    }

    #[test]
    fn redaction_keeps_everything_but_the_secret() {
        assert_eq!(redact_url("nats://svc:pw@h:4222"), "nats://svc:***@h:4222");
        assert_eq!(redact_url("nats://tok@h"), "nats://***@h");
        assert_eq!(redact_url("svc:pw@h:4222"), "svc:***@h:4222");
        assert_eq!(redact_url("nats://h:4222/x@y"), "nats://h:4222/x@y");
        assert_eq!(redact_url("nats://h:4222"), "nats://h:4222");
    }
}
