//! The settings of `liaison-notifier`: the flags and environment every service shares plus the
//! delivery settings, `LIAISON_NOTIFIER_*` with their units in the name, and
//! `LIAISON_WEBHOOK_ALLOW_PRIVATE` (named so by the contract). They are checked and clamped in
//! one place, [`Config::delivery`], which the service and its tests both go through. The keys
//! that seal webhook secrets ([`SecretsArgs`]) are read by [`crate::secrets::Secrets::load`].

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use liaison_runtime::config::CommonArgs;

use crate::delivery::DeliveryConfig;
use crate::delivery::backoff::Backoff;
use crate::delivery::target_policy::TargetPolicy;

/// Every setting of `liaison-notifier`.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// The settings every Liaison service shares.
    #[command(flatten)]
    pub common: CommonArgs,
    /// How alerts are delivered and retried.
    #[command(flatten)]
    pub delivery: DeliveryArgs,
    /// The keys that seal webhook secrets.
    #[command(flatten)]
    pub secrets: SecretsArgs,
}

/// Where the keys that seal webhook secrets come from (`crate::secrets::keyring` has the
/// format). Its `Debug` never shows a key.
#[derive(Clone, Default, Args)]
pub struct SecretsArgs {
    /// A file of the keys that seal webhook secrets: one `key_id:base64-key` a line, the newest
    /// first (new secrets are sealed with it; the others open older secrets). A key is 32
    /// random bytes (`openssl rand -base64 32`). The same lines may instead be given in
    /// LIAISON_NOTIFIER_SECRETS_KEYS (environment only: a command line is visible to every user
    /// of the machine). Without keys, webhook rules cannot be created.
    #[arg(
        long = "secrets-key-file",
        env = "LIAISON_NOTIFIER_SECRETS_KEY_FILE",
        value_name = "FILE"
    )]
    pub key_file: Option<PathBuf>,
    /// `LIAISON_NOTIFIER_SECRETS_KEYS`: the keys themselves, in the key file's format (entries
    /// separated by line breaks or commas). Read from the environment only.
    #[arg(skip = std::env::var(crate::secrets::KEYS_ENV).ok())]
    pub keys: Option<String>,
}

impl std::fmt::Debug for SecretsArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsArgs")
            .field("key_file", &self.key_file)
            .field(
                "keys",
                &self
                    .keys
                    .as_ref()
                    .map(|k| if k.is_empty() { "" } else { "<redacted>" }),
            )
            .finish()
    }
}

/// The delivery settings as flags and environment.
#[derive(Debug, Clone, Args)]
pub struct DeliveryArgs {
    /// Webhook attempts per round before an alert is `failed` (dead-lettered).
    #[arg(
        long = "webhook-attempts",
        env = "LIAISON_NOTIFIER_WEBHOOK_ATTEMPTS",
        default_value_t = 8,
        value_parser = clap::value_parser!(u32).range(1..=100),
        value_name = "N"
    )]
    pub webhook_attempts: u32,
    /// How long one webhook call may take, in milliseconds.
    #[arg(
        long = "webhook-timeout-ms",
        env = "LIAISON_NOTIFIER_WEBHOOK_TIMEOUT_MS",
        default_value_t = 10_000,
        value_name = "MS"
    )]
    pub webhook_timeout_ms: u64,
    /// The delay after a first failed delivery, in milliseconds (doubles each time, with jitter).
    #[arg(
        long = "backoff-base-ms",
        env = "LIAISON_NOTIFIER_BACKOFF_BASE_MS",
        default_value_t = 500,
        value_name = "MS"
    )]
    pub backoff_base_ms: u64,
    /// The longest delay between two delivery attempts, in milliseconds (at least the base).
    #[arg(
        long = "backoff-max-ms",
        env = "LIAISON_NOTIFIER_BACKOFF_MAX_MS",
        default_value_t = 300_000,
        value_name = "MS"
    )]
    pub backoff_max_ms: u64,
    /// Let webhooks reach loopback, private, link-local and other non-public addresses (for
    /// local development and tests). Off, a rule whose URL names such an address is refused
    /// (`422`) and an attempt on a name that resolves to one fails as `forbidden_address`.
    #[arg(
        long = "webhook-allow-private",
        env = "LIAISON_WEBHOOK_ALLOW_PRIVATE",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub webhook_allow_private: bool,
}

impl Default for DeliveryArgs {
    fn default() -> Self {
        Self {
            webhook_attempts: 8,
            webhook_timeout_ms: 10_000,
            backoff_base_ms: 500,
            backoff_max_ms: 300_000,
            webhook_allow_private: false,
        }
    }
}

impl Default for Config {
    /// The documented defaults, ignoring flags and environment (for tests).
    fn default() -> Self {
        Self {
            common: CommonArgs::default(),
            delivery: DeliveryArgs::default(),
            secrets: SecretsArgs::default(),
        }
    }
}

/// The shortest webhook timeout: a receiver must get a chance to answer.
pub const MIN_WEBHOOK_TIMEOUT_MS: u64 = 100;
/// The longest webhook timeout: a receiver that hangs must not hold a delivery slot for long.
pub const MAX_WEBHOOK_TIMEOUT_MS: u64 = 120_000;

impl Config {
    /// The delivery settings, clamped: at least one attempt, a timeout from
    /// [`MIN_WEBHOOK_TIMEOUT_MS`] to [`MAX_WEBHOOK_TIMEOUT_MS`], a base of at least 1 ms and a
    /// maximum of at least the base.
    pub fn delivery(&self) -> DeliveryConfig {
        let d = &self.delivery;
        let base = d.backoff_base_ms.max(1);
        DeliveryConfig {
            webhook_attempts: d.webhook_attempts.clamp(1, 100),
            webhook_timeout: Duration::from_millis(
                d.webhook_timeout_ms
                    .clamp(MIN_WEBHOOK_TIMEOUT_MS, MAX_WEBHOOK_TIMEOUT_MS),
            ),
            backoff: Backoff {
                base: Duration::from_millis(base),
                max: Duration::from_millis(d.backoff_max_ms.max(base)),
            },
            targets: TargetPolicy::new(d.webhook_allow_private),
            ..DeliveryConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    const CHILD: &str = "LIAISON_NOTIFIER_CONFIG_TEST_CHILD";

    /// Not a test of its own: run in a child process by [`allow_private_from_env`], prints what
    /// the environment it was given parses to.
    #[test]
    fn child_parse_allow_private() {
        if std::env::var(CHILD).is_err() {
            return;
        }
        match Cli::try_parse_from(["liaison-notifier"]) {
            Ok(cli) => println!("\nALLOW {}", cli.config.delivery.webhook_allow_private),
            Err(e) => println!("\nREFUSED {}", e.kind()),
        }
    }

    /// What `LIAISON_WEBHOOK_ALLOW_PRIVATE=value` parses to, in a child process (the workspace
    /// forbids the `unsafe` of `std::env::set_var`).
    fn allow_private_from_env(value: &str) -> String {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "config::tests::child_parse_allow_private",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env("LIAISON_WEBHOOK_ALLOW_PRIVATE", value)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        stdout
            .lines()
            .find_map(|l| {
                l.strip_prefix("ALLOW ")
                    .or_else(|| l.strip_prefix("REFUSED ").map(|_| "refused"))
            })
            .unwrap_or_else(|| panic!("the child printed no result: {stdout}"))
            .to_owned()
    }

    #[test]
    fn allow_private_is_read_from_the_environment_and_off_by_default() {
        assert!(!Config::default().delivery.webhook_allow_private);
        assert!(!Config::default().delivery().targets.allows_private());
        for (value, parsed) in [
            ("1", "true"),
            ("true", "true"),
            ("yes", "true"),
            ("0", "false"),
            ("false", "false"),
            ("off", "false"),
            ("perhaps", "refused"),
        ] {
            assert_eq!(allow_private_from_env(value), parsed, "{value}");
        }
        let cli = Cli::try_parse_from(["liaison-notifier", "--webhook-allow-private"]).unwrap();
        assert!(cli.config.delivery().targets.allows_private());
    }

    /// Not a test of its own: run in a child process by [`secrets_from_env`], prints how the
    /// secrets settings of its environment parse, as `Debug` shows them.
    #[test]
    fn child_parse_secrets() {
        if std::env::var(CHILD).is_err() {
            return;
        }
        let cli = Cli::try_parse_from(["liaison-notifier"]).unwrap();
        let length = cli.config.secrets.keys.as_ref().map_or(0, String::len);
        println!("\nSECRETS {length} {:?}", cli.config.secrets);
    }

    /// How the secrets settings of `env` parse, in a child process.
    fn secrets_from_env(env: &[(&str, &str)]) -> String {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "config::tests::child_parse_secrets",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env_remove("LIAISON_NOTIFIER_SECRETS_KEYS")
            .env_remove("LIAISON_NOTIFIER_SECRETS_KEY_FILE");
        command.envs(env.iter().copied());
        let output = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        stdout
            .lines()
            .find_map(|l| l.strip_prefix("SECRETS "))
            .unwrap_or_else(|| panic!("the child printed no result: {stdout}"))
            .to_owned()
    }

    #[test]
    fn secrets_keys_come_from_the_environment_and_never_show() {
        let key = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        let parsed = secrets_from_env(&[("LIAISON_NOTIFIER_SECRETS_KEYS", key)]);
        // The value reached the settings (its length), and Debug (what the service logs at
        // start) redacts it.
        assert!(parsed.starts_with(&format!("{} ", key.len())), "{parsed}");
        assert!(parsed.contains(r#"keys: Some("<redacted>")"#), "{parsed}");
        assert!(!parsed.contains("MDEyMzQ1"), "{parsed}");
        let parsed = secrets_from_env(&[("LIAISON_NOTIFIER_SECRETS_KEY_FILE", "/run/keys")]);
        assert!(
            parsed.contains(r#"key_file: Some("/run/keys"), keys: None"#),
            "{parsed}"
        );
        // There is no flag for the keys themselves.
        let cli = Cli::try_parse_from(["liaison-notifier", "--secrets-keys", key]);
        assert!(cli.is_err());
    }

    #[test]
    fn delivery_settings_are_clamped_in_one_place() {
        let config = Config {
            delivery: DeliveryArgs {
                webhook_attempts: 0,
                webhook_timeout_ms: 1,
                backoff_base_ms: 900,
                backoff_max_ms: 10,
                webhook_allow_private: false,
            },
            ..Config::default()
        };
        let delivery = config.delivery();
        assert_eq!(delivery.webhook_attempts, 1);
        assert_eq!(
            delivery.webhook_timeout,
            Duration::from_millis(MIN_WEBHOOK_TIMEOUT_MS)
        );
        assert_eq!(delivery.backoff.max, Duration::from_millis(900));
    }
}
