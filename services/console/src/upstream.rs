//! The services the console forwards to, and where each one is: `/api/<name>/…` goes to the base
//! URL of the service of that name, as [`crate::Config`] found it.

use liaison_proto::services::Service;

use crate::Config;

/// The services reachable through `/api/<name>/…`, in the contract's order.
pub const FORWARDED: [Service; 4] = [
    Service::Ingest,
    Service::Projection,
    Service::Notifier,
    Service::Reader,
];

/// Where each forwarded service is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstreams {
    bases: Vec<(Service, String)>,
}

impl Upstreams {
    /// The base URLs of `config`, without a trailing `/`.
    pub fn from_config(config: &Config) -> Self {
        let bases = FORWARDED
            .into_iter()
            .map(|s| {
                let url = config.url(s).unwrap_or_else(|| s.default_url());
                (s, url.trim_end_matches('/').to_owned())
            })
            .collect();
        Self { bases }
    }

    /// The forwarded service named `name` (`projection`), if it is one.
    pub fn service(name: &str) -> Option<Service> {
        FORWARDED.into_iter().find(|s| s.name() == name)
    }

    /// The base URL of `service` (`http://127.0.0.1:7402`).
    pub fn base(&self, service: Service) -> Option<&str> {
        self.bases
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, url)| url.as_str())
    }

    /// The URL a request for `rest` (a checked path without its leading `/`) and `query` (the raw
    /// query string) goes to on `service`.
    pub fn target(&self, service: Service, rest: &str, query: Option<&str>) -> Option<String> {
        let base = self.base(service)?;
        Some(match query {
            Some(q) if !q.is_empty() => format!("{base}/{rest}?{q}"),
            _ => format!("{base}/{rest}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_join_the_base_the_path_and_the_query() {
        let config = Config {
            projection_url: "http://127.0.0.1:9/prefix/".into(),
            ..Config::default()
        };
        let up = Upstreams::from_config(&config);
        assert_eq!(
            up.target(Service::Projection, "v1/relationships", Some("topic=xr")),
            Some("http://127.0.0.1:9/prefix/v1/relationships?topic=xr".into())
        );
        assert_eq!(
            up.target(Service::Ingest, "v1/events", None),
            Some("http://127.0.0.1:7401/v1/events".into())
        );
        assert_eq!(Upstreams::service("reader"), Some(Service::Reader));
        assert_eq!(Upstreams::service("console"), None);
    }
}
