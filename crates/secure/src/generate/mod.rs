//! The credentials and certificates of a deployment, in one directory (`<data-dir>/nats-secrets`
//! for `liaison dev`): generated on first use, reused afterwards, completed when a file is
//! missing.
//!
//! | file | what | mode |
//! |---|---|---|
//! | `ca.pem` | the local CA's certificate: clients verify the server with it | `0644` |
//! | `server.pem`, `server-key.pem` | nats-server's certificate (clients and routes) and key | `0644`, `0600` |
//! | `server.hosts` | the hosts the certificate names; other hosts asked for → a new set | `0644` |
//! | `<role>.nk` | each role's nkey seed: its identity, the secret a service is given | `0600` |
//! | `users.conf` | each role's public key bound to its permissions, written at every call | `0644` |
//! | `roles.conf` | the permissions (`deploy/nats/roles.conf`), written at every call | `0644` |
//! | `cli.env` | `LIAISON_NATS_*` for `liaison` as the read-only user, to `source` | `0644` |
//!
//! The directory is `0700`. Rotation is deletion: remove a seed (or the TLS files) and call again.

mod files;
mod tls;
mod users;

use std::path::{Path, PathBuf};

use crate::access::NatsAccess;
use crate::role::Role;
use crate::seed::read_seed;

use files::{PUBLIC, SECRET};

/// The name of the directory, under a stack's data directory.
pub const SECRETS_DIR: &str = "nats-secrets";

/// The shipped role permissions, copied beside the users file that includes them.
pub const ROLES_CONF: &str = include_str!("../../../../deploy/nats/roles.conf");

/// The hosts of a stack on this machine: what the server certificate names by default.
pub const DEV_HOSTS: [&str; 3] = ["127.0.0.1", "localhost", "::1"];

const CA: &str = "ca.pem";
const SERVER_CERT: &str = "server.pem";
const SERVER_KEY: &str = "server-key.pem";
const SERVER_HOSTS: &str = "server.hosts";
const USERS: &str = "users.conf";
const ROLES: &str = "roles.conf";
const CLI_ENV: &str = "cli.env";

/// Why the directory could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// A file or the directory could not be written or read.
    #[error("cannot prepare {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// An existing file is not what it must be (a seed that is not a seed).
    #[error("{0}; delete it to have a new one generated")]
    Invalid(String),
    /// The certificates could not be generated.
    #[error("cannot generate the NATS certificates: {0}")]
    Tls(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SecretsError + '_ {
    move |source| SecretsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The credentials and certificates in one directory (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsSecrets {
    dir: PathBuf,
    generated: Vec<String>,
}

impl NatsSecrets {
    /// Prepares `dir` (made absolute): reuses what is there, generates what is missing — the
    /// TLS set when a file of it is missing or it names other `hosts`, a seed per role that has
    /// none — and writes the users, roles and `cli.env` files again.
    pub fn ensure(dir: impl Into<PathBuf>, hosts: &[&str]) -> Result<NatsSecrets, SecretsError> {
        let dir = dir.into();
        let dir = std::path::absolute(&dir).map_err(io(&dir))?;
        files::private_dir(&dir).map_err(io(&dir))?;
        let mut secrets = NatsSecrets {
            dir,
            generated: Vec::new(),
        };
        secrets.ensure_tls(hosts)?;
        let mut keys = Vec::with_capacity(Role::ALL.len());
        for role in Role::ALL {
            keys.push((role, secrets.ensure_seed(role)?));
        }
        secrets.write(ROLES, ROLES_CONF, PUBLIC)?;
        secrets.write(USERS, &users::users_conf(&keys), PUBLIC)?;
        secrets.write(CLI_ENV, &secrets.cli_env_text(), PUBLIC)?;
        Ok(secrets)
    }

    /// The files this [`ensure`](Self::ensure) generated (none when everything was reused).
    pub fn generated(&self) -> &[String] {
        &self.generated
    }

    /// The directory (absolute).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The CA certificate clients verify the server with.
    pub fn ca(&self) -> PathBuf {
        self.dir.join(CA)
    }

    /// nats-server's certificate.
    pub fn server_cert(&self) -> PathBuf {
        self.dir.join(SERVER_CERT)
    }

    /// nats-server's private key.
    pub fn server_key(&self) -> PathBuf {
        self.dir.join(SERVER_KEY)
    }

    /// The users file a server configuration includes.
    pub fn users_conf(&self) -> PathBuf {
        self.dir.join(USERS)
    }

    /// The file to `source` for `liaison` as the read-only user.
    pub fn cli_env(&self) -> PathBuf {
        self.dir.join(CLI_ENV)
    }

    /// The nkey seed file of `role`.
    pub fn seed(&self, role: Role) -> PathBuf {
        self.dir.join(role.seed_file())
    }

    /// What a client of `role` connects with: its seed, the CA, TLS required.
    pub fn access(&self, role: Role) -> NatsAccess {
        NatsAccess {
            nkey: Some(self.seed(role)),
            tls_ca: Some(self.ca()),
            tls_required: true,
            ..NatsAccess::default()
        }
    }

    fn ensure_tls(&mut self, hosts: &[&str]) -> Result<(), SecretsError> {
        let wanted = hosts.join("\n") + "\n";
        let hosts_path = self.dir.join(SERVER_HOSTS);
        let complete = [CA, SERVER_CERT, SERVER_KEY]
            .iter()
            .all(|f| self.dir.join(f).is_file());
        let same_hosts = std::fs::read_to_string(&hosts_path).is_ok_and(|h| h == wanted);
        if complete && same_hosts {
            let key = self.server_key();
            return files::set_mode(&key, SECRET).map_err(io(&key));
        }
        let hosts: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
        let set = tls::issue(&hosts).map_err(|e| SecretsError::Tls(e.to_string()))?;
        self.write(SERVER_KEY, &set.key, SECRET)?;
        self.write(SERVER_CERT, &set.cert, PUBLIC)?;
        self.write(CA, &set.ca, PUBLIC)?;
        self.write(SERVER_HOSTS, &wanted, PUBLIC)?;
        self.generated
            .extend([CA, SERVER_CERT, SERVER_KEY].map(str::to_owned));
        Ok(())
    }

    /// The public key of `role`'s seed, generating the seed when there is none.
    fn ensure_seed(&mut self, role: Role) -> Result<String, SecretsError> {
        let path = self.seed(role);
        if path.exists() {
            let seed = read_seed(&path).map_err(|e| SecretsError::Invalid(e.to_string()))?;
            files::set_mode(&path, SECRET).map_err(io(&path))?;
            let key = nkeys::KeyPair::from_seed(&seed)
                .map_err(|e| SecretsError::Invalid(format!("{}: {e}", path.display())))?;
            return Ok(key.public_key());
        }
        let key = nkeys::KeyPair::new_user();
        let seed = key
            .seed()
            .map_err(|e| SecretsError::Invalid(format!("a new nkey: {e}")))?;
        self.write(
            &role.seed_file(),
            &format!("# The nkey seed of Liaison's NATS role `{role}`: keep it secret.\n{seed}\n"),
            SECRET,
        )?;
        self.generated.push(role.seed_file());
        Ok(key.public_key())
    }

    fn write(&self, name: &str, text: &str, mode: u32) -> Result<(), SecretsError> {
        let path = self.dir.join(name);
        files::write_file(&path, text.as_bytes(), mode).map_err(io(&path))
    }

    fn cli_env_text(&self) -> String {
        let quote = |p: PathBuf| format!("'{}'", p.display().to_string().replace('\'', r"'\''"));
        format!(
            "# `source` this file to run `liaison tail`, `liaison status` (evidence) and\n\
             # `liaison alerts --follow` as the read-only user against this stack.\n\
             export LIAISON_NATS_NKEY={}\n\
             export LIAISON_NATS_TLS_CA={}\n",
            quote(self.seed(Role::Cli)),
            quote(self.ca())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn secrets_are_generated_once_private_and_reused() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("data").join(SECRETS_DIR);
        let first = NatsSecrets::ensure(&dir, &DEV_HOSTS).unwrap();
        assert_eq!(
            first.generated().len(),
            3 + Role::ALL.len(),
            "{:?}",
            first.generated()
        );
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&first.server_key()), 0o600);
        assert_eq!(mode(&first.ca()), 0o644);
        for role in Role::ALL {
            assert_eq!(mode(&first.seed(role)), 0o600, "{role}");
        }
        let read = |p: PathBuf| std::fs::read_to_string(p).unwrap();
        assert!(read(first.ca()).starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(read(first.server_key()).starts_with("-----BEGIN PRIVATE KEY-----"));
        let users = read(first.users_conf());
        for role in Role::ALL {
            let seed = read_seed(&first.seed(role)).unwrap();
            let public = nkeys::KeyPair::from_seed(&seed).unwrap().public_key();
            assert!(users.contains(&format!(
                "nkey: \"{public}\", permissions: ${}",
                role.variable()
            )));
            assert!(!users.contains(&seed));
        }
        assert!(read(first.cli_env()).contains(&first.seed(Role::Cli).display().to_string()));

        // Everything is reused; a loosened seed is made private again.
        let before: Vec<String> = Role::ALL.iter().map(|r| read(first.seed(*r))).collect();
        let ca = read(first.ca());
        files::set_mode(&first.seed(Role::Ingest), 0o644).unwrap();
        let again = NatsSecrets::ensure(&dir, &DEV_HOSTS).unwrap();
        assert!(again.generated().is_empty(), "{:?}", again.generated());
        let after: Vec<String> = Role::ALL.iter().map(|r| read(again.seed(*r))).collect();
        assert_eq!(before, after);
        assert_eq!(read(again.ca()), ca);
        assert_eq!(mode(&again.seed(Role::Ingest)), 0o600);

        // A deleted seed is a rotated key; other hosts are a new TLS set.
        std::fs::remove_file(again.seed(Role::Projection)).unwrap();
        let rotated = NatsSecrets::ensure(&dir, &["127.0.0.1", "nats.example.com"]).unwrap();
        assert_eq!(
            rotated.generated(),
            ["ca.pem", "server.pem", "server-key.pem", "projection.nk"]
        );
        assert_ne!(read(rotated.ca()), ca);
        assert_ne!(read(rotated.seed(Role::Projection)), before[2]);
        assert_eq!(read(rotated.seed(Role::Ingest)), before[1]);
    }

    #[test]
    fn a_seed_file_that_is_not_a_seed_is_reported_not_replaced() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("admin.nk"), "not a seed\n").unwrap();
        let err = NatsSecrets::ensure(temp.path(), &DEV_HOSTS)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("admin.nk") && err.contains("delete it"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(temp.path().join("admin.nk")).unwrap(),
            "not a seed\n"
        );
    }

    #[test]
    fn the_roles_file_defines_the_permissions_of_every_role_and_nothing_else() {
        let defined: Vec<&str> = ROLES_CONF
            .lines()
            .filter(|l| !l.starts_with(char::is_whitespace) && !l.starts_with('#'))
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim()))
            .collect();
        let expected: Vec<&str> = Role::ALL.iter().map(|r| r.variable()).collect();
        assert_eq!(defined, expected);
    }
}
