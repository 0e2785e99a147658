//! The certificate authorities deliv trusts, shared by the STARTTLS prober (which records the
//! verdict and goes on) and the MTA-STS policy fetch (which refuses an untrusted server).
//!
//! The roots are Mozilla's list compiled in through `webpki-roots`, not the machine's store, so
//! a verdict is the same on every machine. A caller may add roots of its own (the tests add a
//! CA they generate). Crypto is rustls with the `ring` provider, the project's one TLS stack.

use std::fmt;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::{CertificateError, ClientConfig, RootCertStore};
use serde::Serialize;

pub use rustls::pki_types::CertificateDer;

/// A set of trust anchors: the web PKI roots plus any added ones. Cheap to clone.
#[derive(Clone)]
pub struct TrustRoots {
    store: Arc<RootCertStore>,
    extra: usize,
}

/// An added root that cannot serve as a trust anchor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "root certificate {index} cannot be used as a trust anchor ({reason}); give a DER-encoded CA certificate"
)]
pub struct TrustError {
    /// 0-based position in the list given.
    pub index: usize,
    pub reason: String,
}

impl TrustRoots {
    /// Mozilla's roots, as compiled into this build.
    pub fn web_pki() -> TrustRoots {
        TrustRoots {
            store: Arc::new(web_pki_store()),
            extra: 0,
        }
    }

    /// The web PKI roots and these certificates (DER) as further trust anchors.
    pub fn with_extra<I>(extra: I) -> Result<TrustRoots, TrustError>
    where
        I: IntoIterator<Item = CertificateDer<'static>>,
    {
        let mut store = web_pki_store();
        let mut count = 0;
        for (index, cert) in extra.into_iter().enumerate() {
            store.add(cert).map_err(|e| TrustError {
                index,
                reason: e.to_string(),
            })?;
            count += 1;
        }
        Ok(TrustRoots {
            store: Arc::new(store),
            extra: count,
        })
    }

    /// The crypto provider every TLS connection of deliv uses.
    pub(crate) fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// The trust anchors.
    pub(crate) fn store(&self) -> &RootCertStore {
        &self.store
    }

    /// A client configuration that refuses any certificate these roots do not vouch for.
    pub(crate) fn strict_client_config(&self) -> Result<ClientConfig, rustls::Error> {
        Ok(ClientConfig::builder_with_provider(Self::provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(self.store.clone())
            .with_no_client_auth())
    }
}

impl Default for TrustRoots {
    fn default() -> Self {
        TrustRoots::web_pki()
    }
}

impl fmt::Debug for TrustRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TrustRoots({} roots, {} added)",
            self.store.len(),
            self.extra
        )
    }
}

/// Why a chain is not trusted, in the classes a person acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertProblem {
    /// No path to a trusted root: self-signed, a private CA, or a missing intermediate.
    UnknownIssuer,
    Expired,
    NotYetValid,
    /// The certificate does not name the host.
    NameMismatch,
    Revoked,
    /// Not issued for TLS servers (extended key usage).
    WrongPurpose,
    /// A signature in the chain is bad or uses an algorithm the verifier does not accept.
    BadSignature,
    /// A certificate could not be decoded.
    BadEncoding,
    Other,
}

impl CertProblem {
    /// The class of a verification error.
    pub fn of(error: &rustls::Error) -> CertProblem {
        let rustls::Error::InvalidCertificate(error) = error else {
            return CertProblem::Other;
        };
        match error {
            CertificateError::UnknownIssuer => CertProblem::UnknownIssuer,
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                CertProblem::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                CertProblem::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                CertProblem::NameMismatch
            }
            CertificateError::Revoked => CertProblem::Revoked,
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                CertProblem::WrongPurpose
            }
            CertificateError::BadSignature
            | CertificateError::UnsupportedSignatureAlgorithmContext { .. }
            | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                CertProblem::BadSignature
            }
            CertificateError::BadEncoding => CertProblem::BadEncoding,
            _ => CertProblem::Other,
        }
    }
}

/// The rustls error somewhere in a chain of causes. I/O errors are looked into, however deeply
/// nested: the HTTP and TLS layers wrap the rustls error in them.
pub(crate) fn find_tls_error<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        cause = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

fn web_pki_store() -> RootCertStore {
    RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_classified() {
        let of = |e: CertificateError| CertProblem::of(&rustls::Error::InvalidCertificate(e));
        assert_eq!(
            of(CertificateError::UnknownIssuer),
            CertProblem::UnknownIssuer
        );
        assert_eq!(of(CertificateError::Expired), CertProblem::Expired);
        assert_eq!(of(CertificateError::NotValidYet), CertProblem::NotYetValid);
        assert_eq!(
            of(CertificateError::NotValidForName),
            CertProblem::NameMismatch
        );
        assert_eq!(
            CertProblem::of(&rustls::Error::General("x".into())),
            CertProblem::Other
        );
    }

    #[test]
    fn web_pki_has_roots_and_builds_configs() {
        let roots = TrustRoots::web_pki();
        assert!(roots.store.len() > 100);
        assert!(roots.strict_client_config().is_ok());
    }

    #[test]
    fn a_root_that_is_not_a_certificate_is_refused() {
        let err = TrustRoots::with_extra([CertificateDer::from(vec![1u8, 2, 3])]).unwrap_err();
        assert_eq!(err.index, 0);
    }
}
