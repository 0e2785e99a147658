//! STARTTLS as a sending MTA does it: opportunistic. The handshake completes whatever the
//! certificate is (an MTA without MTA-STS or DANE still encrypts to a self-signed server), and
//! the web PKI verdict is recorded beside it: chain to a trusted root and validity dates on one
//! side, the name on the other, so a check can tell "self-signed" from "wrong name".
//! Revocation is not checked.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use x509_parser::extensions::GeneralName;

use super::ProbeFailure;
use super::ehlo::Greeting;
use crate::trust::{CertProblem, TrustRoots};

/// A TLS session set up after STARTTLS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsSession {
    /// `TLSv1.3`, `TLSv1.2`.
    pub protocol: String,
    /// The IANA name, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: String,
    /// The certificates as the server sent them, its own first.
    pub chain: Vec<Certificate>,
    /// Whether the chain leads to a trusted root and every certificate is within its dates;
    /// the name is judged apart, in `name_matches`.
    pub chain_verdict: Verdict,
    /// Whether the server's certificate is valid for the server name given to the probe;
    /// `None` when no name was given (an IP address target).
    pub name_matches: Option<bool>,
    /// EHLO again over TLS (RFC 3207 §4.2: the server forgets what was said in plain).
    pub ehlo: Result<Greeting, ProbeFailure>,
}

impl TlsSession {
    /// What a strict client (MTA-STS `enforce`) would accept: a trusted chain and the name.
    pub fn verified(&self) -> bool {
        self.chain_verdict == Verdict::Valid && self.name_matches != Some(false)
    }
}

/// The web PKI verdict on a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Valid,
    Invalid {
        problem: CertProblem,
        /// The verifier's own words.
        detail: String,
    },
}

/// What a certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// RFC 4514 form, e.g. `CN=mx.example.com`.
    pub subject: String,
    pub issuer: String,
    /// `dNSName` entries of the subject alternative names.
    pub dns_names: Vec<String>,
    /// `iPAddress` entries of the subject alternative names.
    pub ip_addresses: Vec<IpAddr>,
    /// Validity, in seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// Subject and issuer are the same name.
    pub self_issued: bool,
    /// Set when the certificate could not be decoded; the other fields are then empty.
    pub unreadable: Option<String>,
}

impl Certificate {
    pub fn from_der(der: &[u8]) -> Certificate {
        match x509_parser::parse_x509_certificate(der) {
            Ok((_, cert)) => {
                let mut dns_names = Vec::new();
                let mut ip_addresses = Vec::new();
                if let Ok(Some(san)) = cert.subject_alternative_name() {
                    for name in &san.value.general_names {
                        match name {
                            GeneralName::DNSName(n) => dns_names.push(n.to_string()),
                            GeneralName::IPAddress(bytes) => {
                                if let Some(ip) = ip_from_bytes(bytes) {
                                    ip_addresses.push(ip);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                let subject = cert.subject().to_string();
                let issuer = cert.issuer().to_string();
                Certificate {
                    self_issued: subject == issuer,
                    subject,
                    issuer,
                    dns_names,
                    ip_addresses,
                    not_before: cert.validity().not_before.timestamp(),
                    not_after: cert.validity().not_after.timestamp(),
                    unreadable: None,
                }
            }
            Err(e) => Certificate {
                subject: String::new(),
                issuer: String::new(),
                dns_names: Vec::new(),
                ip_addresses: Vec::new(),
                not_before: 0,
                not_after: 0,
                self_issued: false,
                unreadable: Some(e.to_string()),
            },
        }
    }
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

/// What the verifier saw during one handshake.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    chain: Option<Verdict>,
    name_matches: Option<bool>,
}

/// Accepts every certificate and writes down what the web PKI thinks of it. The handshake
/// signatures are still checked: the server must hold the key of the certificate it shows.
#[derive(Debug)]
pub(crate) struct RecordingVerifier {
    roots: TrustRoots,
    provider: Arc<CryptoProvider>,
    /// Whether the name in the handshake is one the caller gave (not the address stand-in).
    judge_name: bool,
    seen: Mutex<Seen>,
}

impl RecordingVerifier {
    /// A client configuration for one handshake, and the verifier to read afterwards.
    pub(crate) fn config(
        roots: &TrustRoots,
        judge_name: bool,
    ) -> Result<(Arc<ClientConfig>, Arc<RecordingVerifier>), rustls::Error> {
        let provider = TrustRoots::provider();
        let verifier = Arc::new(RecordingVerifier {
            roots: roots.clone(),
            provider: provider.clone(),
            judge_name,
            seen: Mutex::new(Seen::default()),
        });
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        Ok((Arc::new(config), verifier))
    }

    /// The chain verdict and the name match of the last handshake.
    pub(crate) fn seen(&self) -> (Verdict, Option<bool>) {
        let seen = self.seen.lock().map(|s| (s.chain.clone(), s.name_matches));
        match seen {
            Ok((Some(chain), name)) => (chain, name),
            _ => (
                Verdict::Invalid {
                    problem: CertProblem::Other,
                    detail: "the server's certificate was not examined".into(),
                },
                None,
            ),
        }
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let parsed = ParsedCertificate::try_from(end_entity);
        let chain = parsed.as_ref().map_err(Clone::clone).and_then(|cert| {
            verify_server_cert_signed_by_trust_anchor(
                cert,
                self.roots.store(),
                intermediates,
                now,
                self.provider.signature_verification_algorithms.all,
            )
        });
        let name_matches = self.judge_name.then(|| {
            parsed
                .as_ref()
                .is_ok_and(|cert| verify_server_name(cert, server_name).is_ok())
        });
        let verdict = match chain {
            Ok(()) => Verdict::Valid,
            Err(e) => Verdict::Invalid {
                problem: problem_of(&e, Certificate::from_der(end_entity).self_issued),
                detail: e.to_string(),
            },
        };
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Seen {
                chain: Some(verdict),
                name_matches,
            };
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The problem with a chain. A self-issued certificate fails for want of a trusted issuer,
/// whatever the verifier met first: `openssl req -x509` (and so most self-signed MTA
/// certificates) marks the certificate a CA, which the verifier reports as a CA certificate
/// used by a server. Only its dates are worth naming apart.
fn problem_of(error: &rustls::Error, self_issued: bool) -> CertProblem {
    match CertProblem::of(error) {
        p @ (CertProblem::Expired | CertProblem::NotYetValid) => p,
        _ if self_issued => CertProblem::UnknownIssuer,
        p => p,
    }
}

/// `TLSv1.3` for rustls' `TLSv1_3`.
pub(crate) fn protocol_name(version: rustls::ProtocolVersion) -> String {
    format!("{version:?}").replace('_', ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_names() {
        assert_eq!(protocol_name(rustls::ProtocolVersion::TLSv1_3), "TLSv1.3");
        assert_eq!(protocol_name(rustls::ProtocolVersion::TLSv1_2), "TLSv1.2");
    }

    #[test]
    fn an_unreadable_certificate_says_so() {
        let cert = Certificate::from_der(b"not a certificate");
        assert!(cert.unreadable.is_some());
    }
}
