//! Fetching the policy as a sending MTA does (RFC 8461 §3.3): HTTPS to
//! `mta-sts.<domain>`, a certificate valid for that name under the web PKI, status 200, no
//! redirects followed, `text/plain`, a bounded body, a short timeout.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Serialize;

use super::policy::MAX_POLICY_BYTES;
use crate::dns::Name;
use crate::smtp::transcript::bounded_text;
use crate::trust::{CertProblem, TrustRoots, find_tls_error};

/// How much of a header or an error text is kept for a message.
const MESSAGE_BYTES: usize = 300;

/// How to fetch.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Bound on the whole fetch: connection, TLS, headers and body.
    pub timeout: Duration,
    /// The roots the policy server's certificate must chain to.
    pub trust: TrustRoots,
    /// Where `mta-sts.<domain>` lives, as deliv's resolver found it (port 0 means 443). Empty:
    /// the HTTP client resolves the name itself, through the system resolver.
    pub addresses: Vec<SocketAddr>,
}

impl FetchConfig {
    pub fn new(timeout: Duration) -> FetchConfig {
        FetchConfig {
            timeout,
            trust: TrustRoots::web_pki(),
            addresses: Vec::new(),
        }
    }
}

/// The host serving the policy of `domain`.
pub fn policy_host(domain: &Name) -> String {
    format!("mta-sts.{domain}")
}

/// `https://mta-sts.<domain>/.well-known/mta-sts.txt`
pub fn policy_url(domain: &Name) -> String {
    format!("https://{}/.well-known/mta-sts.txt", policy_host(domain))
}

/// A policy as served; parse `body` with [`super::Policy::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FetchedPolicy {
    pub url: String,
    pub content_type: String,
    /// At most [`MAX_POLICY_BYTES`]; bytes that are not UTF-8 become U+FFFD.
    pub body: String,
}

/// Why no policy could be fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{url}: {kind}")]
pub struct FetchError {
    pub url: String,
    pub kind: FetchErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum FetchErrorKind {
    /// The TLS handshake failed; `problem` says why when it is the certificate.
    Tls {
        problem: Option<CertProblem>,
        detail: String,
    },
    /// A status other than 200; `location` for a redirect, which is not followed.
    Status {
        code: u16,
        location: Option<String>,
    },
    /// Not `text/plain` (`None`: no Content-Type at all).
    ContentType {
        found: Option<String>,
    },
    /// The body is larger than [`MAX_POLICY_BYTES`]; reading stopped there.
    TooLarge {
        limit: usize,
    },
    /// No complete answer within the timeout.
    Timeout {
        after: Duration,
    },
    /// No connection to the policy host.
    Connect {
        detail: String,
    },
    Other {
        detail: String,
    },
}

impl fmt::Display for FetchErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchErrorKind::Tls {
                problem: Some(problem),
                detail,
            } => write!(
                f,
                "the policy server's certificate is not valid ({problem:?}: {detail}); it needs a publicly trusted certificate for the mta-sts host name"
            ),
            FetchErrorKind::Tls {
                problem: None,
                detail,
            } => write!(f, "TLS failed: {detail}"),
            FetchErrorKind::Status {
                code,
                location: Some(location),
            } => write!(
                f,
                "HTTP {code} redirect to {location:?}; senders do not follow redirects, serve the policy at this URL"
            ),
            FetchErrorKind::Status {
                code,
                location: None,
            } => write!(
                f,
                "HTTP {code}; serve the policy at this URL with status 200"
            ),
            FetchErrorKind::ContentType { found: Some(found) } => write!(
                f,
                "Content-Type is {found:?}; serve the policy as text/plain"
            ),
            FetchErrorKind::ContentType { found: None } => {
                f.write_str("no Content-Type; serve the policy as text/plain")
            }
            FetchErrorKind::TooLarge { limit } => write!(
                f,
                "the answer is larger than {limit} bytes; a policy is a few lines"
            ),
            FetchErrorKind::Timeout { after } => {
                write!(f, "no complete answer within {} s", after.as_secs_f64())
            }
            FetchErrorKind::Connect { detail } => {
                write!(f, "cannot connect to the policy host: {detail}")
            }
            FetchErrorKind::Other { detail } => f.write_str(detail),
        }
    }
}

/// Fetches the policy of `domain`.
pub async fn fetch_policy(
    domain: &Name,
    config: &FetchConfig,
) -> Result<FetchedPolicy, FetchError> {
    let url = policy_url(domain);
    let error = |kind| FetchError {
        url: url.clone(),
        kind,
    };
    let client = client(&policy_host(domain), config)
        .map_err(|detail| error(FetchErrorKind::Other { detail }))?;
    let mut response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| error(classify(&e, config.timeout)))?;
    let status = response.status().as_u16();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v| bounded_text(v.as_bytes(), MESSAGE_BYTES))
    };
    if status != 200 {
        return Err(error(FetchErrorKind::Status {
            code: status,
            location: header(reqwest::header::LOCATION),
        }));
    }
    let content_type = header(reqwest::header::CONTENT_TYPE);
    if !content_type.as_deref().is_some_and(is_text_plain) {
        return Err(error(FetchErrorKind::ContentType {
            found: content_type,
        }));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| error(classify(&e, config.timeout)))?
    {
        if body.len() + chunk.len() > MAX_POLICY_BYTES {
            return Err(error(FetchErrorKind::TooLarge {
                limit: MAX_POLICY_BYTES,
            }));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(FetchedPolicy {
        url: url.clone(),
        content_type: content_type.unwrap_or_default(),
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn client(host: &str, config: &FetchConfig) -> Result<reqwest::Client, String> {
    let tls = config
        .trust
        .strict_client_config()
        .map_err(|e| e.to_string())?;
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        .https_only(true)
        // Straight to the policy host, as an MTA fetches it; a proxy would change the answer.
        .no_proxy()
        .user_agent(concat!("deliv/", env!("CARGO_PKG_VERSION")));
    if !config.addresses.is_empty() {
        builder = builder.resolve_to_addrs(host, &config.addresses);
    }
    builder.build().map_err(|e| e.to_string())
}

/// `text/plain`, with or without parameters (`; charset=utf-8`), any case.
fn is_text_plain(value: &str) -> bool {
    value
        .split(';')
        .next()
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("text/plain"))
}

fn classify(error: &reqwest::Error, timeout: Duration) -> FetchErrorKind {
    if error.is_timeout() {
        return FetchErrorKind::Timeout { after: timeout };
    }
    let detail = bounded_text(chain(error).as_bytes(), MESSAGE_BYTES);
    if let Some(tls) = find_tls_error(error) {
        let problem =
            matches!(tls, rustls::Error::InvalidCertificate(_)).then(|| CertProblem::of(tls));
        return FetchErrorKind::Tls { problem, detail };
    }
    if error.is_connect() {
        FetchErrorKind::Connect { detail }
    } else {
        FetchErrorKind::Other { detail }
    }
}

/// The error and its causes on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let next = e.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        cause = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let domain = Name::parse("Example.com").unwrap();
        assert_eq!(
            policy_url(&domain),
            "https://mta-sts.example.com/.well-known/mta-sts.txt"
        );
    }

    #[test]
    fn content_types() {
        assert!(is_text_plain("text/plain"));
        assert!(is_text_plain("Text/Plain; charset=utf-8"));
        assert!(!is_text_plain("text/html"));
        assert!(!is_text_plain("text/plainx"));
        assert!(!is_text_plain(""));
    }
}
