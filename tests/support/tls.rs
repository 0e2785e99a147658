//! Certificates made at test time: a test CA and server identities it issues, or self-signed
//! ones, with the rustls server configuration to serve them.

#![allow(dead_code)] // each test binary uses part of this module

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A certificate authority that exists only for the test; trust its [`TestCa::root`].
pub struct TestCa {
    root: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

/// A server's certificate chain (its own first) and key.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

/// When a certificate is valid.
#[derive(Clone, Copy)]
pub enum Validity {
    /// From 1975 to 4096.
    Current,
    /// 2000 to 2001.
    Expired,
    /// From 4000 on.
    Future,
}

impl TestCa {
    pub fn new() -> TestCa {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "deliv test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let root = params.self_signed(&key).expect("CA certificate");
        TestCa {
            root: root.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// The CA certificate, to add to the trusted roots.
    pub fn root(&self) -> CertificateDer<'static> {
        self.root.clone()
    }

    /// A server certificate for `names`, valid now.
    pub fn issue(&self, names: &[&str]) -> Identity {
        self.issue_with(names, Validity::Current)
    }

    pub fn issue_with(&self, names: &[&str], validity: Validity) -> Identity {
        let key = KeyPair::generate().expect("server key");
        let cert = leaf_params(names, validity)
            .signed_by(&key, &self.issuer)
            .expect("server certificate");
        Identity {
            chain: vec![cert.der().clone(), self.root.clone()],
            key: key.into(),
        }
    }
}

impl Default for TestCa {
    fn default() -> Self {
        TestCa::new()
    }
}

/// A self-signed server certificate for `names`.
pub fn self_signed(names: &[&str]) -> Identity {
    let key = KeyPair::generate().expect("key");
    let cert = leaf_params(names, Validity::Current)
        .self_signed(&key)
        .expect("self-signed certificate");
    Identity {
        chain: vec![cert.der().clone()],
        key: key.into(),
    }
}

/// A self-signed certificate that says it is a CA, as `openssl req -x509` makes them (and so
/// most self-signed mail servers).
pub fn self_signed_ca(names: &[&str]) -> Identity {
    let key = KeyPair::generate().expect("key");
    let mut params = leaf_params(names, Validity::Current);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).expect("self-signed certificate");
    Identity {
        chain: vec![cert.der().clone()],
        key: key.into(),
    }
}

fn leaf_params(names: &[&str], validity: Validity) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names.clone()).expect("names");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().cloned().unwrap_or_default(),
    );
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    match validity {
        Validity::Current => {}
        Validity::Expired => {
            params.not_before = date_time_ymd(2000, 1, 1);
            params.not_after = date_time_ymd(2001, 1, 1);
        }
        Validity::Future => {
            params.not_before = date_time_ymd(4000, 1, 1);
        }
    }
    params
}

impl Identity {
    /// A rustls server configuration presenting this identity (ring provider).
    pub fn server_config(&self) -> Arc<ServerConfig> {
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("protocol versions")
                .with_no_client_auth()
                .with_single_cert(self.chain.clone(), self.key.clone_key())
                .expect("server certificate and key");
        Arc::new(config)
    }
}
