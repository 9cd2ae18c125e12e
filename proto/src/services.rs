//! The processes of the Liaison stack, as the contract names them: each service's short name,
//! binary and default HTTP address (CONTRACT.md, "Processes and configuration").
//!
//! These names and ports used to be spelled in many files (the CLI's defaults, `liaison dev`, the
//! end-to-end tests, the bench, each service's configuration); they live here once, so that a new
//! service or a moved port is one change. The functions are `const` so that a default can be
//! written in a `clap` attribute (`default_value = Service::Ingest.default_url()`).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};

/// The default NATS URL of every service and of the CLI: the client port of the shipped
/// single-node configuration (`deploy/nats/single.conf`).
pub const DEFAULT_NATS_URL: &str = "nats://127.0.0.1:4222";

/// One Liaison service process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// `liaison-ingest`: validates events and appends them to the log.
    Ingest,
    /// `liaison-projection`: follows the log, answers queries.
    Projection,
    /// `liaison-notifier`: follows the log, raises and delivers alerts.
    Notifier,
    /// `liaison-reader`: reads news articles and proposes candidate events (v2).
    Reader,
    /// `liaison-console`: the web console, a client of the others (v2).
    Console,
}

impl Service {
    /// Every service, in start order: a service starts after the ones it talks to (the reader
    /// appends through ingest; the console forwards to all the others).
    pub const ALL: [Service; 5] = [
        Self::Ingest,
        Self::Projection,
        Self::Notifier,
        Self::Reader,
        Self::Console,
    ];

    /// The three services of the v1 stack, in start order.
    pub const CORE: [Service; 3] = [Self::Ingest, Self::Projection, Self::Notifier];

    /// The services `liaison dev`, `liaison demo` and the testkit's stack start, in start order:
    /// the v1 services and the reader (the console joins when it lands). Each follows the log.
    pub const STACK: [Service; 4] = [Self::Ingest, Self::Projection, Self::Notifier, Self::Reader];

    /// The short name (`ingest`): log prefixes, data directory names (`./data/<name>`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ingest => "ingest",
            Self::Projection => "projection",
            Self::Notifier => "notifier",
            Self::Reader => "reader",
            Self::Console => "console",
        }
    }

    /// The file name of its binary (`liaison-ingest`).
    pub const fn binary_name(self) -> &'static str {
        match self {
            Self::Ingest => "liaison-ingest",
            Self::Projection => "liaison-projection",
            Self::Notifier => "liaison-notifier",
            Self::Reader => "liaison-reader",
            Self::Console => "liaison-console",
        }
    }

    /// Its default HTTP port (the contract's).
    pub const fn default_port(self) -> u16 {
        match self {
            Self::Console => 7400,
            Self::Ingest => 7401,
            Self::Projection => 7402,
            Self::Notifier => 7403,
            Self::Reader => 7404,
        }
    }

    /// Its default HTTP address, `127.0.0.1:<port>`.
    pub const fn default_addr(self) -> SocketAddr {
        SocketAddr::new(
            std::net::IpAddr::V4(Ipv4Addr::LOCALHOST),
            self.default_port(),
        )
    }

    /// Its default HTTP address as text (`127.0.0.1:7401`), for flag defaults.
    pub const fn default_addr_str(self) -> &'static str {
        match self {
            Self::Console => "127.0.0.1:7400",
            Self::Ingest => "127.0.0.1:7401",
            Self::Projection => "127.0.0.1:7402",
            Self::Notifier => "127.0.0.1:7403",
            Self::Reader => "127.0.0.1:7404",
        }
    }

    /// Its default base URL (`http://127.0.0.1:7401`), where clients find it.
    pub const fn default_url(self) -> &'static str {
        match self {
            Self::Console => "http://127.0.0.1:7400",
            Self::Ingest => "http://127.0.0.1:7401",
            Self::Projection => "http://127.0.0.1:7402",
            Self::Notifier => "http://127.0.0.1:7403",
            Self::Reader => "http://127.0.0.1:7404",
        }
    }

    /// The environment variable through which clients (the CLI, the console, the reader) are
    /// told where it is (`LIAISON_INGEST_URL`).
    pub const fn url_env(self) -> &'static str {
        match self {
            Self::Ingest => "LIAISON_INGEST_URL",
            Self::Projection => "LIAISON_PROJECTION_URL",
            Self::Notifier => "LIAISON_NOTIFIER_URL",
            Self::Reader => "LIAISON_READER_URL",
            Self::Console => "LIAISON_CONSOLE_URL",
        }
    }

    /// The service whose short name or binary name is `name`.
    pub fn from_name(name: &str) -> Option<Service> {
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name || s.binary_name() == name)
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_table() {
        let table: Vec<(&str, &str, u16)> = Service::ALL
            .iter()
            .map(|s| (s.name(), s.binary_name(), s.default_port()))
            .collect();
        assert_eq!(
            table,
            [
                ("ingest", "liaison-ingest", 7401),
                ("projection", "liaison-projection", 7402),
                ("notifier", "liaison-notifier", 7403),
                ("reader", "liaison-reader", 7404),
                ("console", "liaison-console", 7400),
            ]
        );
    }

    #[test]
    fn the_text_forms_agree_with_the_port() {
        for service in Service::ALL {
            let addr = service.default_addr();
            assert_eq!(service.default_addr_str(), addr.to_string());
            assert_eq!(service.default_url(), format!("http://{addr}"));
            assert_eq!(Service::from_name(service.name()), Some(service));
            assert_eq!(Service::from_name(service.binary_name()), Some(service));
            assert_eq!(
                service.url_env(),
                format!("LIAISON_{}_URL", service.name().to_uppercase())
            );
        }
        assert_eq!(Service::from_name("ingestion"), None);
    }
}
