//! Bearer tokens and the scopes they open (CONTRACT.md, "Access (v2)").
//!
//! Two tokens, both optional: `LIAISON_API_TOKEN` (the *write* token) for writes and admin
//! endpoints, and `LIAISON_READ_TOKEN` (the *read* token), which makes every read require the
//! read or the write token. Each route has a [`Scope`]:
//!
//! | scope | required when | accepted tokens |
//! |---|---|---|
//! | [`Scope::Read`] | the read token is set | read, write |
//! | [`Scope::Confidential`] (rules, alerts: they hold webhook URLs) | either token is set | read, write |
//! | [`Scope::Write`] (writes, admin) | the write token is set | write |
//!
//! The service skeleton puts [`Scope::Read`] around every route a service returns and the
//! shared admin routes behind [`Scope::Write`]; a service marks its write routes (and the
//! confidential reads) with the layer of their scope. A write route under the skeleton's read
//! scope loses nothing: the write token opens both. Health, readiness and metrics stay open.
//!
//! Tokens are compared as SHA-256 digests in constant time, each presented token against every
//! configured one, so neither the content, the length nor which token matched leaks through
//! response timing.

use std::sync::Arc;
use std::task::{Context, Poll};

use axum::http::{Request, header};
use axum::response::{IntoResponse, Response};
use futures::future::{Either, Ready, ready};
use sha2::{Digest, Sha256};
use tower::{Layer, Service};

use crate::problem::Problem;

/// What a route gives access to, and so which token it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A query: open unless the read token is set; then the read or the write token.
    Read,
    /// A read of what holds credentials (rules and alerts show webhook URLs, which often carry
    /// a token of their own): a token whenever one is configured, the read or the write token.
    Confidential,
    /// A write or an admin endpoint: the write token when it is set.
    Write,
}

/// The configured tokens, as digests. Empty strings count as not set.
#[derive(Clone, Default)]
pub struct Tokens {
    write: Option<Arc<[u8; 32]>>,
    read: Option<Arc<[u8; 32]>>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("write", &self.write.is_some())
            .field("read", &self.read.is_some())
            .finish()
    }
}

impl Tokens {
    /// The write (API) token and the read token, each when set and not empty.
    pub fn new(write: Option<&str>, read: Option<&str>) -> Self {
        let digest_of = |t: Option<&str>| {
            t.filter(|t| !t.is_empty())
                .map(|t| Arc::new(digest(t.as_bytes())))
        };
        Self {
            write: digest_of(write),
            read: digest_of(read),
        }
    }

    /// Whether a write token is configured.
    pub fn has_write(&self) -> bool {
        self.write.is_some()
    }

    /// Whether a read token is configured.
    pub fn has_read(&self) -> bool {
        self.read.is_some()
    }
}

/// A layer requiring `Authorization: Bearer <token>` as its [`Scope`] says.
///
/// With no token configured it lets every request through, so services can wrap their routes
/// unconditionally:
///
/// ```
/// use axum::{Router, routing::{get, post}};
/// use liaison_runtime::auth::{BearerAuthLayer, Scope, Tokens};
///
/// let tokens = Tokens::new(Some("wr1te"), Some("r3ad"));
/// let writes: Router = Router::new()
///     .route("/v1/events", post(|| async { "appended" }))
///     .layer(BearerAuthLayer::scoped(tokens.clone(), Scope::Write));
/// let secrets: Router = Router::new()
///     .route("/v1/rules", get(|| async { "rules" }))
///     .layer(BearerAuthLayer::scoped(tokens, Scope::Confidential));
/// ```
#[derive(Clone)]
pub struct BearerAuthLayer {
    tokens: Tokens,
    scope: Scope,
}

impl std::fmt::Debug for BearerAuthLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerAuthLayer")
            .field("scope", &self.scope)
            .field("tokens", &self.tokens)
            .finish()
    }
}

impl Default for BearerAuthLayer {
    /// No token: everything passes.
    fn default() -> Self {
        Self::scoped(Tokens::default(), Scope::Write)
    }
}

impl BearerAuthLayer {
    /// A [`Scope::Write`] guard with `token` as the only token (when `Some` and not empty);
    /// lets everything through otherwise.
    pub fn new(token: Option<String>) -> Self {
        Self::scoped(Tokens::new(token.as_deref(), None), Scope::Write)
    }

    /// A guard of `scope` over `tokens`.
    pub fn scoped(tokens: Tokens, scope: Scope) -> Self {
        Self { tokens, scope }
    }

    /// The scope it guards.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Whether a token is required.
    pub fn is_enabled(&self) -> bool {
        match self.scope {
            Scope::Read => self.tokens.has_read(),
            Scope::Confidential => self.tokens.has_read() || self.tokens.has_write(),
            Scope::Write => self.tokens.has_write(),
        }
    }

    /// Which tokens are needed, for the problem's detail.
    fn wanted(&self) -> &'static str {
        match (self.scope, self.tokens.has_read(), self.tokens.has_write()) {
            (Scope::Write, _, _) | (_, false, true) => "the API token",
            (_, true, false) => "the read token",
            _ => "the read token or the API token",
        }
    }

    /// Checks an `Authorization` header value; `Err` is the `401` problem to answer.
    pub fn authorize(&self, authorization: Option<&[u8]>) -> Result<(), Problem> {
        if !self.is_enabled() {
            return Ok(());
        }
        let Some(value) = authorization else {
            return Err(Problem::unauthorized(format!(
                "this endpoint requires `Authorization: Bearer <token>` with {}",
                self.wanted()
            )));
        };
        let token = match value.split_at_checked(7) {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case(b"bearer ") => token,
            _ => {
                return Err(Problem::unauthorized(
                    "the Authorization header must use the Bearer scheme: `Authorization: Bearer <token>`",
                ));
            }
        };
        let presented = digest(token.trim_ascii());
        // Both comparisons run whatever the first finds (`&`, `|`, not `&&`, `||`).
        let is_write = self
            .tokens
            .write
            .as_deref()
            .is_some_and(|w| constant_time_eq(&presented, w));
        let is_read = self
            .tokens
            .read
            .as_deref()
            .is_some_and(|r| constant_time_eq(&presented, r));
        let accepted = match self.scope {
            Scope::Write => is_write,
            Scope::Read | Scope::Confidential => is_write | is_read,
        };
        if accepted {
            Ok(())
        } else {
            Err(Problem::unauthorized(format!(
                "the bearer token is not valid here: this endpoint needs {}",
                self.wanted()
            )))
        }
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

impl<S> Layer<S> for BearerAuthLayer {
    type Service = BearerAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BearerAuth {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service produced by [`BearerAuthLayer`].
#[derive(Clone, Debug)]
pub struct BearerAuth<S> {
    inner: S,
    layer: BearerAuthLayer,
}

impl<S, B> Service<Request<B>> for BearerAuth<S>
where
    S: Service<Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let authorization = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.as_bytes());
        match self.layer.authorize(authorization) {
            Ok(()) => Either::Right(self.inner.call(req)),
            Err(problem) => Either::Left(ready(Ok(problem.into_response()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRITE: &[u8] = b"Bearer wr1te-t0ken";
    const READ: &[u8] = b"Bearer r3ad-t0ken";
    const OTHER: &[u8] = b"Bearer n0t-a-t0ken";

    fn layer(write: bool, read: bool, scope: Scope) -> BearerAuthLayer {
        BearerAuthLayer::scoped(
            Tokens::new(write.then_some("wr1te-t0ken"), read.then_some("r3ad-t0ken")),
            scope,
        )
    }

    /// Which of no header, the write token, the read token and another token pass.
    fn passes(layer: &BearerAuthLayer) -> [bool; 4] {
        [None, Some(WRITE), Some(READ), Some(OTHER)].map(|h| layer.authorize(h).is_ok())
    }

    #[test]
    fn no_token_lets_everything_through() {
        let layer = BearerAuthLayer::new(None);
        assert!(!layer.is_enabled());
        assert!(layer.authorize(None).is_ok());
        assert!(!BearerAuthLayer::new(Some(String::new())).is_enabled());
        for scope in [Scope::Read, Scope::Confidential, Scope::Write] {
            assert_eq!(passes(&layer_of_none(scope)), [true; 4], "{scope:?}");
        }
    }

    fn layer_of_none(scope: Scope) -> BearerAuthLayer {
        BearerAuthLayer::scoped(Tokens::new(Some(""), None), scope)
    }

    #[test]
    fn token_is_required_and_checked() {
        let layer = BearerAuthLayer::new(Some("s3cret".into()));
        assert!(layer.authorize(Some(b"Bearer s3cret")).is_ok());
        assert!(layer.authorize(Some(b"bearer s3cret")).is_ok());
        assert_eq!(layer.authorize(None).unwrap_err().status, 401);
        assert_eq!(
            layer.authorize(Some(b"Bearer s3cre")).unwrap_err().status,
            401
        );
        assert_eq!(
            layer.authorize(Some(b"Bearer s3cretx")).unwrap_err().status,
            401
        );
        let p = layer.authorize(Some(b"Basic czNjcmV0")).unwrap_err();
        assert!(p.detail.contains("Bearer scheme"), "{}", p.detail);
        assert!(layer.authorize(Some(b"Bear")).is_err());
    }

    #[test]
    fn each_scope_opens_to_its_tokens() {
        // [no header, write token, read token, another token]
        // Only the write token configured: reads open, rules and alerts need it, writes need it.
        assert_eq!(passes(&layer(true, false, Scope::Read)), [true; 4]);
        assert_eq!(
            passes(&layer(true, false, Scope::Confidential)),
            [false, true, false, false]
        );
        assert_eq!(
            passes(&layer(true, false, Scope::Write)),
            [false, true, false, false]
        );
        // Both: every read needs one of them; writes need the write token.
        assert_eq!(
            passes(&layer(true, true, Scope::Read)),
            [false, true, true, false]
        );
        assert_eq!(
            passes(&layer(true, true, Scope::Confidential)),
            [false, true, true, false]
        );
        assert_eq!(
            passes(&layer(true, true, Scope::Write)),
            [false, true, false, false]
        );
        // Only the read token (the services refuse to start so; the layer stays coherent).
        assert_eq!(
            passes(&layer(false, true, Scope::Read)),
            [false, false, true, false]
        );
        assert_eq!(passes(&layer(false, true, Scope::Write)), [true; 4]);
    }

    #[test]
    fn the_refusal_says_which_token_is_needed() {
        let p = layer(true, true, Scope::Write)
            .authorize(Some(READ))
            .unwrap_err();
        assert_eq!(p.status, 401);
        assert!(p.detail.contains("needs the API token"), "{}", p.detail);
        let p = layer(true, true, Scope::Read).authorize(None).unwrap_err();
        assert!(
            p.detail.contains("the read token or the API token"),
            "{}",
            p.detail
        );
        let p = layer(true, false, Scope::Confidential)
            .authorize(None)
            .unwrap_err();
        assert!(p.detail.ends_with("with the API token"), "{}", p.detail);
    }

    #[test]
    fn debug_shows_no_digest() {
        let shown = format!("{:?}", layer(true, true, Scope::Read));
        assert!(
            shown.contains("write: true") && shown.contains("read: true"),
            "{shown}"
        );
        assert!(!shown.contains('['), "{shown}");
    }
}
