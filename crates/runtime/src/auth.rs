//! Bearer-token protection for write endpoints.
//!
//! The contract: when `LIAISON_API_TOKEN` is set, every write endpoint requires
//! `Authorization: Bearer <token>`; health, readiness and metrics stay open. Services wrap
//! only their write routes in [`BearerAuthLayer`]. Tokens are compared as SHA-256 digests
//! in constant time, so neither the content nor the length of the token leaks through
//! response timing.

use std::sync::Arc;
use std::task::{Context, Poll};

use axum::http::{Request, header};
use axum::response::{IntoResponse, Response};
use futures::future::{Either, Ready, ready};
use sha2::{Digest, Sha256};
use tower::{Layer, Service};

use crate::problem::Problem;

/// A layer requiring `Authorization: Bearer <token>` when a token is configured.
///
/// With no token (`None`) it lets every request through, so services can wrap their write
/// routes unconditionally:
///
/// ```
/// use axum::{Router, routing::post};
/// use liaison_runtime::auth::BearerAuthLayer;
///
/// let writes: Router = Router::new()
///     .route("/v1/events", post(|| async { "appended" }))
///     .layer(BearerAuthLayer::new(Some("s3cret".to_owned())));
/// ```
#[derive(Clone, Default)]
pub struct BearerAuthLayer {
    expected: Option<Arc<[u8; 32]>>,
}

impl std::fmt::Debug for BearerAuthLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerAuthLayer")
            .field("token_configured", &self.expected.is_some())
            .finish()
    }
}

impl BearerAuthLayer {
    /// Requires `token` when it is `Some` and not empty; lets everything through otherwise.
    pub fn new(token: Option<String>) -> Self {
        Self {
            expected: token
                .filter(|t| !t.is_empty())
                .map(|t| Arc::new(digest(t.as_bytes()))),
        }
    }

    /// Whether a token is required.
    pub fn is_enabled(&self) -> bool {
        self.expected.is_some()
    }

    /// Checks an `Authorization` header value; `Err` is the `401` problem to answer.
    pub fn authorize(&self, authorization: Option<&[u8]>) -> Result<(), Problem> {
        let Some(expected) = &self.expected else {
            return Ok(());
        };
        let Some(value) = authorization else {
            return Err(Problem::unauthorized(
                "this endpoint requires `Authorization: Bearer <token>`",
            ));
        };
        let token = match value.split_at_checked(7) {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case(b"bearer ") => token,
            _ => {
                return Err(Problem::unauthorized(
                    "the Authorization header must use the Bearer scheme: `Authorization: Bearer <token>`",
                ));
            }
        };
        if constant_time_eq(&digest(token.trim_ascii()), expected) {
            Ok(())
        } else {
            Err(Problem::unauthorized("the bearer token is not valid"))
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

    #[test]
    fn no_token_lets_everything_through() {
        let layer = BearerAuthLayer::new(None);
        assert!(!layer.is_enabled());
        assert!(layer.authorize(None).is_ok());
        assert!(!BearerAuthLayer::new(Some(String::new())).is_enabled());
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
}
