//! A client's NATS access: how it proves who it is, and how it checks the server, turned into
//! `async_nats::ConnectOptions` the same way for every service and for `liaison`.
//!
//! Files are read and checked here, before the first connection attempt, so that a wrong path or
//! a file that is not a seed or a certificate stops a service at start with a message naming it,
//! instead of a connection that retries forever.

use std::path::{Path, PathBuf};

use async_nats::ConnectOptions;

use crate::error::AccessError;
use crate::seed::read_seed;
use crate::urls::{Servers, UrlAuth};

/// How a client authenticates to NATS and verifies it; every field is optional, as in the
/// contract's `LIAISON_NATS_*` settings. One way of authenticating at a time: a credentials file,
/// an nkey seed file, a user and password, a token — or the user information of the URLs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NatsAccess {
    /// A credentials file (JWT and nkey seed, as `nsc` writes them).
    pub creds: Option<PathBuf>,
    /// An nkey seed file (`SU…`): the user whose public key the server's users file lists.
    pub nkey: Option<PathBuf>,
    /// A user name (with `password`).
    pub user: Option<String>,
    /// A password (with `user`).
    pub password: Option<String>,
    /// An authentication token.
    pub token: Option<String>,
    /// A CA certificate (PEM) to verify the server with. Implies TLS.
    pub tls_ca: Option<PathBuf>,
    /// A client certificate (PEM) for mutual TLS (with `tls_key`).
    pub tls_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// Refuse a connection without TLS.
    pub tls_required: bool,
}

impl std::fmt::Debug for NatsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("NatsAccess")
            .field("creds", &self.creds)
            .field("nkey", &self.nkey)
            .field("user", &self.user)
            .field("password", &hidden(&self.password))
            .field("token", &hidden(&self.token))
            .field("tls_ca", &self.tls_ca)
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .field("tls_required", &self.tls_required)
            .finish()
    }
}

impl NatsAccess {
    /// Connect options with these credentials and TLS settings (or the credentials the URLs of
    /// `servers` carried), and `inbox_prefix` for replies (see [`crate::inbox_prefix`]: a role
    /// may read its own inbox only). Fails when a file cannot be used or two ways of
    /// authenticating are given.
    pub async fn connect_options(
        &self,
        servers: &Servers,
        inbox_prefix: &str,
    ) -> Result<ConnectOptions, AccessError> {
        let options = self.authenticated(servers).await?;
        let options = self.with_tls(options)?;
        Ok(options.custom_inbox_prefix(inbox_prefix))
    }

    /// How the client authenticates, for logs (never the secret): `nkey seed file /x/ingest.nk`,
    /// `user svc`, `token`, `credentials file …`, `none`.
    pub fn method(&self, servers: &Servers) -> String {
        if let Some(path) = &self.creds {
            return format!("credentials file {}", path.display());
        }
        if let Some(path) = &self.nkey {
            return format!("nkey seed file {}", path.display());
        }
        if let Some(user) = &self.user {
            return format!("user {user}");
        }
        if self.token.is_some() {
            return "token".to_owned();
        }
        match servers.url_auth() {
            Some(UrlAuth::UserPassword(user, _)) => format!("user {user} (from the URL)"),
            Some(UrlAuth::Token(_)) => "token (from the URL)".to_owned(),
            None => "none".to_owned(),
        }
    }

    /// Whether the connection will be TLS whatever the server says.
    pub fn requires_tls(&self) -> bool {
        self.tls_required || self.tls_ca.is_some()
    }

    /// The `LIAISON_NATS_*` variables that give a child process this access.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        [
            ("LIAISON_NATS_CREDS", path(&self.creds)),
            ("LIAISON_NATS_NKEY", path(&self.nkey)),
            ("LIAISON_NATS_USER", self.user.clone()),
            ("LIAISON_NATS_PASSWORD", self.password.clone()),
            ("LIAISON_NATS_TOKEN", self.token.clone()),
            ("LIAISON_NATS_TLS_CA", path(&self.tls_ca)),
            ("LIAISON_NATS_TLS_CERT", path(&self.tls_cert)),
            ("LIAISON_NATS_TLS_KEY", path(&self.tls_key)),
            (
                "LIAISON_NATS_TLS_REQUIRED",
                self.tls_required.then(|| "true".to_owned()),
            ),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.map(|v| (key, v)))
        .collect()
    }

    async fn authenticated(&self, servers: &Servers) -> Result<ConnectOptions, AccessError> {
        let mut given = Vec::new();
        if self.creds.is_some() {
            given.push("a credentials file");
        }
        if self.nkey.is_some() {
            given.push("an nkey seed file");
        }
        if self.user.is_some() || self.password.is_some() {
            given.push("a user and password");
        }
        if self.token.is_some() {
            given.push("a token");
        }
        if servers.url_auth().is_some() {
            given.push("credentials in the NATS URL");
        }
        if given.len() > 1 {
            return Err(AccessError::Conflict(format!(
                "{} were given; use one",
                given.join(" and ")
            )));
        }
        if let Some(path) = &self.creds {
            return ConnectOptions::with_credentials_file(path)
                .await
                .map_err(|e| AccessError::file("NATS credentials file", path, e.to_string()));
        }
        if let Some(path) = &self.nkey {
            return Ok(ConnectOptions::with_nkey(read_seed(path)?));
        }
        match (&self.user, &self.password) {
            (Some(user), Some(password)) => {
                return Ok(ConnectOptions::with_user_and_password(
                    user.clone(),
                    password.clone(),
                ));
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(AccessError::Conflict(
                    "a NATS user needs its password and a password its user".to_owned(),
                ));
            }
            (None, None) => {}
        }
        if let Some(token) = &self.token {
            return Ok(ConnectOptions::with_token(token.clone()));
        }
        Ok(match servers.url_auth() {
            Some(UrlAuth::UserPassword(user, password)) => {
                ConnectOptions::with_user_and_password(user.clone(), password.clone())
            }
            Some(UrlAuth::Token(token)) => ConnectOptions::with_token(token.clone()),
            None => ConnectOptions::new(),
        })
    }

    fn with_tls(&self, mut options: ConnectOptions) -> Result<ConnectOptions, AccessError> {
        if let Some(ca) = &self.tls_ca {
            check_pem(ca, "NATS TLS CA file", "CERTIFICATE")?;
            options = options.add_root_certificates(ca.clone());
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => {
                check_pem(cert, "NATS TLS client certificate", "CERTIFICATE")?;
                check_pem(key, "NATS TLS client key", "PRIVATE KEY")?;
                options = options.add_client_certificate(cert.clone(), key.clone());
            }
            (None, None) => {}
            _ => {
                return Err(AccessError::Conflict(
                    "a NATS TLS client certificate needs its key and a key its certificate"
                        .to_owned(),
                ));
            }
        }
        Ok(options.require_tls(self.requires_tls()))
    }
}

/// Fails unless `path` is a readable PEM file holding a `kind` block (`CERTIFICATE`, or any
/// `… PRIVATE KEY`).
fn check_pem(path: &Path, what: &'static str, kind: &str) -> Result<(), AccessError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| AccessError::file(what, path, e.to_string()))?;
    let found = text
        .lines()
        .any(|l| l.starts_with("-----BEGIN ") && l.trim_end().ends_with(&format!("{kind}-----")));
    if found {
        Ok(())
    } else {
        Err(AccessError::file(
            what,
            path,
            format!("it holds no PEM `{kind}` block"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(url: &str) -> Servers {
        Servers::parse(&[url]).unwrap()
    }

    #[tokio::test]
    async fn one_way_of_authenticating_at_a_time() {
        let both = NatsAccess {
            token: Some("t".into()),
            user: Some("u".into()),
            password: Some("p".into()),
            ..NatsAccess::default()
        };
        let err = both
            .connect_options(&servers("nats://h"), "_INBOX.x")
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("a user and password and a token"),
            "{err}"
        );

        let token = NatsAccess {
            token: Some("t".into()),
            ..NatsAccess::default()
        };
        let err = token
            .connect_options(&servers("nats://u:p@h"), "_INBOX.x")
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("credentials in the NATS URL"),
            "{err}"
        );

        let lonely = NatsAccess {
            user: Some("u".into()),
            ..NatsAccess::default()
        };
        assert!(
            lonely
                .connect_options(&servers("nats://h"), "_INBOX.x")
                .await
                .is_err()
        );
        assert!(
            NatsAccess::default()
                .connect_options(&servers("nats://u:p@h"), "_INBOX.x")
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn files_are_checked_before_connecting() {
        let dir = tempfile::tempdir().unwrap();
        let not_pem = dir.path().join("ca.pem");
        std::fs::write(&not_pem, "hello").unwrap();
        let access = NatsAccess {
            tls_ca: Some(not_pem),
            ..NatsAccess::default()
        };
        let err = access
            .connect_options(&servers("nats://h"), "_INBOX.x")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("NATS TLS CA file") && err.contains("CERTIFICATE"),
            "{err}"
        );

        let access = NatsAccess {
            nkey: Some(dir.path().join("absent.nk")),
            ..NatsAccess::default()
        };
        let err = access
            .connect_options(&servers("nats://h"), "_INBOX.x")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("nkey seed file") && err.contains("absent.nk"),
            "{err}"
        );
    }

    #[test]
    fn a_ca_implies_tls_and_secrets_stay_out_of_debug_and_go_into_env() {
        let access = NatsAccess {
            user: Some("svc".into()),
            password: Some("hunter2".into()),
            tls_ca: Some("/x/ca.pem".into()),
            ..NatsAccess::default()
        };
        assert!(access.requires_tls());
        assert!(!format!("{access:?}").contains("hunter2"));
        let env = access.env();
        assert!(env.contains(&("LIAISON_NATS_PASSWORD", "hunter2".to_owned())));
        assert!(env.contains(&("LIAISON_NATS_TLS_CA", "/x/ca.pem".to_owned())));
        assert_eq!(env.len(), 3);
    }
}
