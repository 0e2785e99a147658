//! The MTA-STS policy fetch against the loopback HTTPS server of `support::https`, with a test
//! CA: a served policy, and each way the fetch must refuse one (certificate, status, redirect,
//! content type, size, time).

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deliv::dns::Name;
use deliv::mta_sts::{
    FetchConfig, FetchError, FetchErrorKind, FetchedPolicy, Mode, Policy, fetch_policy, policy_url,
};
use deliv::trust::{CertProblem, TrustRoots};
use support::https::{Body, Response, TestHttps};
use support::tls::{Identity, TestCa, Validity, self_signed};

const DOMAIN: &str = "example.com";
const POLICY_HOST: &str = "mta-sts.example.com";
const POLICY: &str = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.mail.example.com\r\nmax_age: 604800\r\n";

fn fetch(
    addr: SocketAddr,
    trust: TrustRoots,
    timeout: Duration,
) -> Result<FetchedPolicy, FetchError> {
    let mut config = FetchConfig::new(timeout);
    config.trust = trust;
    config.addresses = vec![addr];
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(fetch_policy(&Name::parse(DOMAIN).unwrap(), &config))
}

/// Serves `response` with a certificate from `ca` for the policy host and fetches it, trusting
/// `ca`.
fn serve_and_fetch(
    ca: &TestCa,
    identity: &Identity,
    response: Response,
) -> (Result<FetchedPolicy, FetchError>, TestHttps) {
    let server = TestHttps::start(identity.server_config(), response);
    let trust = TrustRoots::with_extra([ca.root()]).unwrap();
    (fetch(server.addr, trust, Duration::from_secs(5)), server)
}

fn kind(result: Result<FetchedPolicy, FetchError>) -> FetchErrorKind {
    let error = result.expect_err("the fetch should fail");
    assert_eq!(error.url, policy_url(&Name::parse(DOMAIN).unwrap()));
    error.kind
}

#[test]
fn a_served_policy_is_fetched_and_parses() {
    let ca = TestCa::new();
    let (result, server) =
        serve_and_fetch(&ca, &ca.issue(&[POLICY_HOST]), Response::policy(POLICY));
    let fetched = result.unwrap();
    assert_eq!(
        fetched.url,
        "https://mta-sts.example.com/.well-known/mta-sts.txt"
    );
    assert_eq!(fetched.content_type, "text/plain");
    assert_eq!(fetched.body, POLICY);
    assert_eq!(
        server.requests(),
        ["GET /.well-known/mta-sts.txt HTTP/1.1 host=mta-sts.example.com"]
    );

    let policy = Policy::parse(&fetched.body);
    assert!(policy.is_valid(), "{:?}", policy.problems);
    assert_eq!(policy.mode, Some(Mode::Enforce));
    assert!(policy.allows(&Name::parse("mx1.example.com").unwrap()));
    assert!(policy.allows(&Name::parse("a.mail.example.com").unwrap()));
    assert!(!policy.allows(&Name::parse("mx2.example.com").unwrap()));
}

#[test]
fn text_plain_with_a_charset_is_accepted() {
    let ca = TestCa::new();
    let mut response = Response::policy(POLICY);
    response.content_type = Some("text/plain; charset=utf-8".into());
    let (result, _server) = serve_and_fetch(&ca, &ca.issue(&[POLICY_HOST]), response);
    assert_eq!(result.unwrap().content_type, "text/plain; charset=utf-8");
}

#[test]
fn certificates_must_be_trusted_for_the_policy_host_and_current() {
    let ca = TestCa::new();
    let tls_problem = |identity: Identity| {
        let (result, server) = serve_and_fetch(&ca, &identity, Response::policy(POLICY));
        assert!(
            server.requests().is_empty(),
            "no request over an untrusted connection"
        );
        match kind(result) {
            FetchErrorKind::Tls { problem, .. } => problem,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        tls_problem(self_signed(&[POLICY_HOST])),
        Some(CertProblem::UnknownIssuer)
    );
    assert_eq!(
        tls_problem(ca.issue(&["www.example.com"])),
        Some(CertProblem::NameMismatch)
    );
    assert_eq!(
        tls_problem(ca.issue_with(&[POLICY_HOST], Validity::Expired)),
        Some(CertProblem::Expired)
    );

    // The test CA is trusted only when added.
    let server = TestHttps::start(
        ca.issue(&[POLICY_HOST]).server_config(),
        Response::policy(POLICY),
    );
    let result = fetch(server.addr, TrustRoots::web_pki(), Duration::from_secs(5));
    assert!(matches!(
        kind(result),
        FetchErrorKind::Tls {
            problem: Some(CertProblem::UnknownIssuer),
            ..
        }
    ));
}

#[test]
fn redirects_are_not_followed() {
    let ca = TestCa::new();
    let response = Response {
        status: 301,
        location: Some("https://www.example.com/mta-sts.txt".into()),
        ..Response::policy("")
    };
    let (result, server) = serve_and_fetch(&ca, &ca.issue(&[POLICY_HOST]), response);
    assert_eq!(
        kind(result),
        FetchErrorKind::Status {
            code: 301,
            location: Some("https://www.example.com/mta-sts.txt".into())
        }
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn only_status_200_counts() {
    let ca = TestCa::new();
    let response = Response {
        status: 404,
        ..Response::policy("not found")
    };
    let (result, _server) = serve_and_fetch(&ca, &ca.issue(&[POLICY_HOST]), response);
    assert_eq!(
        kind(result),
        FetchErrorKind::Status {
            code: 404,
            location: None
        }
    );
}

#[test]
fn the_content_type_must_be_text_plain() {
    let ca = TestCa::new();
    let identity = ca.issue(&[POLICY_HOST]);
    for (content_type, found) in [
        (Some("text/html"), Some("text/html".to_string())),
        (None, None),
    ] {
        let response = Response {
            content_type: content_type.map(str::to_string),
            ..Response::policy(POLICY)
        };
        let (result, _server) = serve_and_fetch(&ca, &identity, response);
        assert_eq!(kind(result), FetchErrorKind::ContentType { found });
    }
}

#[test]
fn a_huge_body_is_cut_off_at_the_bound() {
    let ca = TestCa::new();
    let response = Response {
        body: Body::Huge(8 * 1024 * 1024),
        ..Response::policy("")
    };
    let start = Instant::now();
    let (result, _server) = serve_and_fetch(&ca, &ca.issue(&[POLICY_HOST]), response);
    assert_eq!(kind(result), FetchErrorKind::TooLarge { limit: 64 * 1024 });
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_slow_server_costs_the_timeout() {
    let ca = TestCa::new();
    let server = TestHttps::start(
        ca.issue(&[POLICY_HOST]).server_config(),
        Response {
            delay: Duration::from_secs(30),
            ..Response::policy(POLICY)
        },
    );
    let start = Instant::now();
    let result = fetch(
        server.addr,
        TrustRoots::with_extra([ca.root()]).unwrap(),
        Duration::from_secs(1),
    );
    assert!(matches!(kind(result), FetchErrorKind::Timeout { .. }));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn nothing_listening_is_a_connect_error() {
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let result = fetch(addr, TrustRoots::web_pki(), Duration::from_secs(2));
    assert!(matches!(kind(result), FetchErrorKind::Connect { .. }));
}
