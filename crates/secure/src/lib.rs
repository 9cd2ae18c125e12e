//! Who may do what on Liaison's NATS, and how a client proves who it is (issue 13).
//!
//! The shipped nats-server configurations (`deploy/nats/`) define one user per [`Role`] with the
//! least permissions it needs (`deploy/nats/roles.conf`), require TLS from every client, and
//! authenticate cluster routes by certificate. This crate holds what both sides of that need:
//!
//! - [`Role`]: the roles, their names, their inbox prefixes and their nkey seed files;
//! - [`NatsAccess`] and [`Servers`]: a client's credentials (credentials file, nkey seed file,
//!   user and password, token) and TLS settings turned into `async_nats::ConnectOptions`, used by
//!   every service (`liaison-runtime`) and by `liaison`. Credentials in a URL
//!   (`nats://user:pass@host`) are taken out of it before async-nats sees it, so that no log line
//!   shows them;
//! - with the `generate` feature, [`NatsSecrets`]: the directory `liaison dev`, `liaison demo`,
//!   the testkit and `liaison admin nats-config` generate on first use and reuse afterwards — a
//!   local CA and a server certificate, an nkey seed per role (files `0600`), the users file that
//!   binds each role's public key to its permissions.
//!
//! It lives in a crate of its own because the services (which must not depend on the testkit)
//! and the testkit and `liaison` (which generate) all need it, and the generator's dependencies
//! stay out of the services behind the feature.

mod access;
mod error;
mod role;
mod seed;
mod urls;

#[cfg(feature = "generate")]
mod generate;

pub use access::NatsAccess;
pub use error::AccessError;
pub use role::{CLI_CLIENT, Role, inbox_prefix};
pub use seed::read_seed;
pub use urls::{Servers, redact_url};

#[cfg(feature = "generate")]
pub use generate::{DEV_HOSTS, NatsSecrets, ROLES_CONF, SECRETS_DIR, SecretsError};

/// The environment variables of a client's NATS access, as every service and `liaison` read
/// them; a launcher removes inherited ones before it sets a child's own.
pub const ACCESS_ENV: [&str; 9] = [
    "LIAISON_NATS_CREDS",
    "LIAISON_NATS_NKEY",
    "LIAISON_NATS_USER",
    "LIAISON_NATS_PASSWORD",
    "LIAISON_NATS_TOKEN",
    "LIAISON_NATS_TLS_CA",
    "LIAISON_NATS_TLS_CERT",
    "LIAISON_NATS_TLS_KEY",
    "LIAISON_NATS_TLS_REQUIRED",
];
