//! Which addresses an outgoing call made for a user may reach: the notifier's webhooks
//! (CONTRACT.md, "Access (v2)"; issue 13) and the reader's feeds — one policy, here.
//!
//! A rule author chooses the webhook URL, and the notifier makes the call from inside the
//! network: without a policy a rule could post to `http://127.0.0.1:7402/v1/admin/rebuild`, to
//! the cloud's metadata service at `169.254.169.254`, or scan private ranges through the
//! attempts' outcomes. So a webhook may only reach a public unicast address; [`classify`] names
//! the class of every other one (IPv4, IPv6, and IPv4 addresses embedded in IPv6 ones).
//!
//! The policy holds where the connection is made, not only where the rule is written:
//!
//! - an address written in the URL is checked before the call ([`TargetPolicy::check_url`]) —
//!   and at rule creation, where it is a `422`;
//! - a name is resolved by [`PolicyResolver`], the only resolver of the webhook client, which
//!   refuses the name when *any* of its addresses is forbidden; the client connects only to the
//!   addresses it returns, so a name that resolves to a public address when the rule is written
//!   and to `127.0.0.1` when it is called (DNS rebinding) is refused at the call.
//!
//! `LIAISON_WEBHOOK_ALLOW_PRIVATE=1` turns the policy off, for local development and tests whose
//! receivers listen on `127.0.0.1`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::{Ipv4Net, Ipv6Net};
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address is not a public unicast one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// `0.0.0.0/8`, `::` — "this host" (connecting to it reaches the local machine).
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// `10/8`, `172.16/12`, `192.168/16`; IPv6 unique local `fc00::/7`, site-local `fec0::/10`
    /// and local-use NAT64 `64:ff9b:1::/48`.
    Private,
    /// `100.64.0.0/10`, carrier-grade NAT: private to the provider's network.
    SharedNat,
    /// `169.254.0.0/16` (with the cloud metadata service `169.254.169.254`), `fe80::/10`.
    LinkLocal,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// `198.18.0.0/15`, `2001:2::/48`.
    Benchmarking,
    /// Reserved or deprecated: `192.0.0.0/24`, `192.88.99.0/24`, `240.0.0.0/4`, IPv4-compatible
    /// `::/96`, discard-only `100::/64`, Teredo `2001::/32` (a tunnel to an IPv4 host the
    /// address hides), and every IPv6 address outside global unicast `2000::/3` not named
    /// otherwise.
    Reserved,
}

impl AddressClass {
    /// The class in words, for problem details and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::SharedNat => "shared (carrier-grade NAT)",
            Self::LinkLocal => "link-local",
            Self::Multicast => "multicast",
            Self::Broadcast => "broadcast",
            Self::Documentation => "documentation",
            Self::Benchmarking => "benchmarking",
            Self::Reserved => "reserved",
        }
    }
}

impl std::fmt::Display for AddressClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), len)
}

#[allow(clippy::too_many_arguments)]
const fn v6(a: u16, b: u16, c: u16, d: u16, e: u16, f: u16, g: u16, h: u16, len: u8) -> Ipv6Net {
    Ipv6Net::new_assert(Ipv6Addr::new(a, b, c, d, e, f, g, h), len)
}

/// Every IPv4 range that is not public unicast (IANA's special-purpose registry, less the
/// globally reachable anycast entries). `255.255.255.255` is checked before this table.
const IPV4: &[(Ipv4Net, AddressClass)] = &[
    (v4(0, 0, 0, 0, 8), AddressClass::Unspecified),
    (v4(10, 0, 0, 0, 8), AddressClass::Private),
    (v4(100, 64, 0, 0, 10), AddressClass::SharedNat),
    (v4(127, 0, 0, 0, 8), AddressClass::Loopback),
    (v4(169, 254, 0, 0, 16), AddressClass::LinkLocal),
    (v4(172, 16, 0, 0, 12), AddressClass::Private),
    (v4(192, 0, 0, 0, 24), AddressClass::Reserved),
    (v4(192, 0, 2, 0, 24), AddressClass::Documentation),
    (v4(192, 88, 99, 0, 24), AddressClass::Reserved),
    (v4(192, 168, 0, 0, 16), AddressClass::Private),
    (v4(198, 18, 0, 0, 15), AddressClass::Benchmarking),
    (v4(198, 51, 100, 0, 24), AddressClass::Documentation),
    (v4(203, 0, 113, 0, 24), AddressClass::Documentation),
    (v4(224, 0, 0, 0, 4), AddressClass::Multicast),
    (v4(240, 0, 0, 0, 4), AddressClass::Reserved),
];

/// What an IPv6 range is: a class of its own, or a carrier of an IPv4 address, which decides.
#[derive(Debug, Clone, Copy)]
enum V6Range {
    Is(AddressClass),
    /// The IPv4 address is the last 32 bits (v4-mapped, v4-translated, NAT64).
    EmbedsLast32,
    /// 6to4: the IPv4 address is bits 16 to 47.
    EmbedsSixToFour,
}

/// IPv6 global unicast, the only IPv6 space a webhook may reach besides the ranges below that
/// carry a public IPv4 address.
const IPV6_GLOBAL_UNICAST: Ipv6Net = v6(0x2000, 0, 0, 0, 0, 0, 0, 0, 3);

/// Every IPv6 range that is not public unicast, or that carries an IPv4 address; the first
/// match decides (the exact `::` and `::1` before `::/96`). Outside them, anything not in
/// [`IPV6_GLOBAL_UNICAST`] is reserved.
const IPV6: &[(Ipv6Net, V6Range)] = &[
    (
        v6(0, 0, 0, 0, 0, 0, 0, 0, 128),
        V6Range::Is(AddressClass::Unspecified),
    ),
    (
        v6(0, 0, 0, 0, 0, 0, 0, 1, 128),
        V6Range::Is(AddressClass::Loopback),
    ),
    (v6(0, 0, 0, 0, 0, 0xffff, 0, 0, 96), V6Range::EmbedsLast32),
    (v6(0, 0, 0, 0, 0xffff, 0, 0, 0, 96), V6Range::EmbedsLast32),
    (
        v6(0, 0, 0, 0, 0, 0, 0, 0, 96),
        V6Range::Is(AddressClass::Reserved),
    ),
    (
        v6(0x64, 0xff9b, 0, 0, 0, 0, 0, 0, 96),
        V6Range::EmbedsLast32,
    ),
    (
        v6(0x64, 0xff9b, 1, 0, 0, 0, 0, 0, 48),
        V6Range::Is(AddressClass::Private),
    ),
    (
        v6(0x100, 0, 0, 0, 0, 0, 0, 0, 64),
        V6Range::Is(AddressClass::Reserved),
    ),
    (
        v6(0x2001, 0, 0, 0, 0, 0, 0, 0, 32),
        V6Range::Is(AddressClass::Reserved),
    ),
    (
        v6(0x2001, 2, 0, 0, 0, 0, 0, 0, 48),
        V6Range::Is(AddressClass::Benchmarking),
    ),
    (
        v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0, 32),
        V6Range::Is(AddressClass::Documentation),
    ),
    (
        v6(0x2002, 0, 0, 0, 0, 0, 0, 0, 16),
        V6Range::EmbedsSixToFour,
    ),
    (
        v6(0x3fff, 0, 0, 0, 0, 0, 0, 0, 20),
        V6Range::Is(AddressClass::Documentation),
    ),
    (
        v6(0xfc00, 0, 0, 0, 0, 0, 0, 0, 7),
        V6Range::Is(AddressClass::Private),
    ),
    (
        v6(0xfe80, 0, 0, 0, 0, 0, 0, 0, 10),
        V6Range::Is(AddressClass::LinkLocal),
    ),
    (
        v6(0xfec0, 0, 0, 0, 0, 0, 0, 0, 10),
        V6Range::Is(AddressClass::Private),
    ),
    (
        v6(0xff00, 0, 0, 0, 0, 0, 0, 0, 8),
        V6Range::Is(AddressClass::Multicast),
    ),
];

/// The class of `ip` when it is not a public unicast address; `None` when a webhook may reach it.
pub fn classify(ip: IpAddr) -> Option<AddressClass> {
    match ip {
        IpAddr::V4(ip) => classify_v4(ip),
        IpAddr::V6(ip) => classify_v6(ip),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<AddressClass> {
    if ip.is_broadcast() {
        return Some(AddressClass::Broadcast);
    }
    IPV4.iter()
        .find(|(net, _)| net.contains(&ip))
        .map(|(_, class)| *class)
}

fn classify_v6(ip: Ipv6Addr) -> Option<AddressClass> {
    let Some((_, range)) = IPV6.iter().find(|(net, _)| net.contains(&ip)) else {
        return (!IPV6_GLOBAL_UNICAST.contains(&ip)).then_some(AddressClass::Reserved);
    };
    match *range {
        V6Range::Is(class) => Some(class),
        V6Range::EmbedsLast32 => {
            let [.., a, b, c, d] = ip.octets();
            classify_v4(Ipv4Addr::new(a, b, c, d))
        }
        V6Range::EmbedsSixToFour => {
            let [_, _, a, b, c, d, ..] = ip.octets();
            classify_v4(Ipv4Addr::new(a, b, c, d))
        }
    }
}

/// A webhook target on an address the policy forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a {class} address: webhooks may not target loopback, private, link-local, multicast, \
     unspecified or reserved addresses"
)]
pub struct ForbiddenAddress {
    /// Which class the address is in.
    pub class: AddressClass,
}

/// A webhook host whose name does not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the webhook's host name does not resolve")]
pub struct Unresolvable;

/// Where webhooks may go: public unicast addresses only, unless private ones are allowed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    allow_private: bool,
}

impl TargetPolicy {
    /// Public addresses only (the default).
    pub const STRICT: Self = Self {
        allow_private: false,
    };
    /// Every address (`LIAISON_WEBHOOK_ALLOW_PRIVATE=1`).
    pub const ALLOW_PRIVATE: Self = Self {
        allow_private: true,
    };

    /// The policy with private addresses allowed or not.
    pub fn new(allow_private: bool) -> Self {
        Self { allow_private }
    }

    /// Whether every address is allowed.
    pub fn allows_private(&self) -> bool {
        self.allow_private
    }

    /// Whether a webhook may connect to `ip`.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), ForbiddenAddress> {
        match classify(ip) {
            Some(class) if !self.allow_private => Err(ForbiddenAddress { class }),
            _ => Ok(()),
        }
    }

    /// Whether a webhook may call `url` as far as its text tells: an address written in it (in
    /// any form the URL standard reads as one: `127.1`, `0x7f000001`, `[::ffff:127.0.0.1]`) is
    /// checked; a name passes here and is checked when it is resolved ([`PolicyResolver`]).
    pub fn check_url(&self, url: &Url) -> Result<(), ForbiddenAddress> {
        // The parser wrote an address host in its normal form (`127.0.0.1`, `[::1]`).
        let host = url.host_str().unwrap_or_default();
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        match bare.parse::<IpAddr>() {
            Ok(ip) => self.check_ip(ip),
            Err(_) => Ok(()),
        }
    }

    /// The resolver that applies this policy to every name the webhook client looks up.
    pub fn resolver(&self) -> Arc<PolicyResolver> {
        Arc::new(PolicyResolver { policy: *self })
    }
}

/// The webhook client's resolver: the system's resolution (as reqwest's default), then the
/// policy on every address found.
#[derive(Debug, Clone)]
pub struct PolicyResolver {
    policy: TargetPolicy,
}

impl PolicyResolver {
    /// The addresses of `host` that the client may connect to: all of them, or an error when
    /// the name does not resolve or one of them is forbidden.
    pub async fn addresses(&self, host: &str) -> Result<Vec<SocketAddr>, ResolveError> {
        let found: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
            .await
            .map_err(|_| ResolveError::Unresolvable(Unresolvable))?
            .collect();
        if found.is_empty() {
            return Err(ResolveError::Unresolvable(Unresolvable));
        }
        for address in &found {
            self.policy
                .check_ip(address.ip())
                .map_err(ResolveError::Forbidden)?;
        }
        Ok(found)
    }
}

/// Why [`PolicyResolver`] gave no address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The name resolves to a forbidden address.
    #[error(transparent)]
    Forbidden(ForbiddenAddress),
    /// The name does not resolve.
    #[error(transparent)]
    Unresolvable(Unresolvable),
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let resolver = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // The error goes into reqwest's error chain as is, where the webhook sender finds
            // it by type to record the attempt's class.
            match resolver.addresses(&host).await {
                Ok(found) => Ok(Box::new(found.into_iter()) as Addrs),
                Err(ResolveError::Forbidden(e)) => Err(e.into()),
                Err(ResolveError::Unresolvable(e)) => Err(e.into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class_of(ip: &str) -> Option<AddressClass> {
        classify(ip.parse().unwrap())
    }

    #[test]
    fn every_forbidden_ipv4_class_is_named() {
        use AddressClass::*;
        for (ip, class) in [
            ("0.0.0.0", Unspecified),
            ("0.1.2.3", Unspecified),
            ("127.0.0.1", Loopback),
            ("127.255.255.254", Loopback),
            ("10.0.0.1", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("192.168.1.1", Private),
            ("100.64.0.1", SharedNat),
            ("100.127.255.255", SharedNat),
            ("169.254.169.254", LinkLocal),
            ("169.254.0.1", LinkLocal),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("255.255.255.255", Broadcast),
            ("192.0.2.10", Documentation),
            ("198.51.100.7", Documentation),
            ("203.0.113.99", Documentation),
            ("198.18.0.1", Benchmarking),
            ("198.19.255.255", Benchmarking),
            ("192.0.0.8", Reserved),
            ("192.88.99.1", Reserved),
            ("240.0.0.1", Reserved),
        ] {
            assert_eq!(class_of(ip), Some(class), "{ip}");
        }
    }

    #[test]
    fn public_ipv4_addresses_pass_right_next_to_the_ranges() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
        ] {
            assert_eq!(class_of(ip), None, "{ip}");
        }
    }

    #[test]
    fn every_forbidden_ipv6_class_is_named_with_ipv4_inside_ipv6() {
        use AddressClass::*;
        for (ip, class) in [
            ("::", Unspecified),
            ("::1", Loopback),
            ("::ffff:127.0.0.1", Loopback),
            ("::ffff:169.254.169.254", LinkLocal),
            ("::ffff:10.1.2.3", Private),
            ("::ffff:0:192.168.0.1", Private),
            ("::127.0.0.1", Reserved),
            ("64:ff9b::7f00:1", Loopback),
            ("64:ff9b::a9fe:a9fe", LinkLocal),
            ("64:ff9b:1::1", Private),
            ("2002:7f00:1::", Loopback),
            ("2002:c0a8:101::1", Private),
            ("fc00::1", Private),
            ("fd12:3456:789a::1", Private),
            ("fec0::1", Private),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("ff02::1", Multicast),
            ("2001:db8::1", Documentation),
            ("3fff::1", Documentation),
            ("2001:2::1", Benchmarking),
            ("2001::1", Reserved),
            ("100::1", Reserved),
            ("fe00::1", Reserved),
            ("4000::1", Reserved),
            ("1::1", Reserved),
        ] {
            assert_eq!(class_of(ip), Some(class), "{ip}");
        }
    }

    #[test]
    fn public_ipv6_addresses_pass_also_when_they_carry_a_public_ipv4() {
        for ip in [
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:200::1",
            "3fff:ffff::1",
        ] {
            assert_eq!(class_of(ip), None, "{ip}");
        }
    }

    #[test]
    fn addresses_written_in_a_url_are_read_as_the_client_reads_them() {
        let strict = TargetPolicy::STRICT;
        for url in [
            "http://127.0.0.1:7402/v1/admin/rebuild",
            "http://127.1/",
            "http://2130706433/",
            "http://0x7f.0.0.1/",
            "http://0177.0.0.1/",
            "http://[::1]:7403/",
            "http://[::ffff:127.0.0.1]/",
            "http://169.254.169.254/latest/meta-data/",
            "https://10.0.0.8/hook",
            "http://0.0.0.0:7401/v1/events",
            "http://[fd00::5]/",
        ] {
            let parsed = Url::parse(url).unwrap();
            assert!(strict.check_url(&parsed).is_err(), "{url} passed");
            assert!(
                TargetPolicy::ALLOW_PRIVATE.check_url(&parsed).is_ok(),
                "{url}"
            );
        }
        for url in [
            "https://hooks.example.com/x",
            "http://localhost:9/",
            "https://1.1.1.1/",
        ] {
            assert!(strict.check_url(&Url::parse(url).unwrap()).is_ok(), "{url}");
        }
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_unless_private_is_allowed() {
        let refused = TargetPolicy::STRICT
            .resolver()
            .addresses("localhost")
            .await
            .unwrap_err();
        assert!(
            matches!(refused, ResolveError::Forbidden(ForbiddenAddress { class }) if class == AddressClass::Loopback),
            "{refused:?}"
        );
        let found = TargetPolicy::ALLOW_PRIVATE
            .resolver()
            .addresses("localhost")
            .await
            .unwrap();
        assert!(found.iter().all(|a| a.ip().is_loopback()), "{found:?}");
        let none = TargetPolicy::STRICT
            .resolver()
            .addresses("no-such-host.invalid")
            .await
            .unwrap_err();
        assert_eq!(none, ResolveError::Unresolvable(Unresolvable));
    }
}
