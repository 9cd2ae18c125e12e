//! The local certificate authority and the nats-server certificate it signs.
//!
//! One certificate serves both sides of the server: clients check it against the CA
//! (`LIAISON_NATS_TLS_CA`), and cluster nodes present it to each other on their routes, where
//! each also checks the peer's against the CA (route authentication). So it is valid for server
//! and client authentication, and names every host clients and routes use.
//!
//! The CA's private key is used once, here, and never written: whoever holds the directory can
//! use the certificates but cannot issue new ones. A new certificate (other hosts, expiry, a
//! suspected leak) means a new CA: the whole set is generated again.

use chrono::{Datelike, Duration, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, date_time_ymd,
};

/// How long the CA and the server certificate are valid, in days (about five years).
pub(crate) const VALID_DAYS: i64 = 5 * 365;

/// A CA certificate, and a server certificate it signed with its private key (PEM).
pub(crate) struct TlsSet {
    pub(crate) ca: String,
    pub(crate) cert: String,
    pub(crate) key: String,
}

/// A new CA and a server certificate for `hosts` (DNS names or IP addresses).
pub(crate) fn issue(hosts: &[String]) -> Result<TlsSet, rcgen::Error> {
    let yesterday = Utc::now() - Duration::days(1);
    let until = yesterday + Duration::days(VALID_DAYS);
    let day = |d: chrono::DateTime<Utc>| date_time_ymd(d.year(), d.month() as u8, d.day() as u8);

    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name
        .push(DnType::CommonName, "Liaison NATS local CA");
    ca.distinguished_name
        .push(DnType::OrganizationName, "Liaison");
    ca.not_before = day(yesterday);
    ca.not_after = day(until);
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate()?)?;

    let mut server = CertificateParams::new(hosts.to_vec())?;
    server
        .distinguished_name
        .push(DnType::CommonName, "Liaison nats-server");
    server
        .distinguished_name
        .push(DnType::OrganizationName, "Liaison");
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    server.not_before = day(yesterday);
    server.not_after = day(until);
    let key = KeyPair::generate()?;
    let cert = server.signed_by(&key, &ca)?;
    Ok(TlsSet {
        ca: ca.pem(),
        cert: cert.pem(),
        key: key.serialize_pem(),
    })
}
