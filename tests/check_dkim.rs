//! DKIM end to end: `deliv dkim` and `deliv check --only dkim` against a loopback DNS server
//! serving fixtures/zones/dkim.test.zone, whose keys are real (fixtures/dkim/).

mod support;

use deliv::dns::RType;
use serde_json::Value;
use support::dns::{Fault, TestDns};
use support::{deliv, find, finding, findings, run, run_faulty};

fn server() -> TestDns {
    let server = TestDns::with_fixture_zones(&["dkim.test.zone"]);
    server.fault(
        "default._domainkey.slow.dkim.test",
        Some(RType::Txt),
        Fault::Timeout,
    );
    server.fault(
        "google._domainkey.slow.dkim.test",
        Some(RType::Txt),
        Fault::ServFail,
    );
    server
}

/// (id, status) of every finding, the exit code and the document.
fn dkim(server: &TestDns, case: &str, extra: &[&str]) -> (Vec<(String, String)>, i32, Value) {
    let domain = format!("{case}.dkim.test");
    let args = [&["dkim", domain.as_str()], extra].concat();
    // The `slow` case meets injected timeouts.
    let (code, json) = if case == "slow" {
        run_faulty(server, &args)
    } else {
        run(server, &args)
    };
    (findings(&json, 0), code, json)
}

/// The summary of the first finding with this id and status (a check may emit one per key).
fn summary<'a>(json: &'a Value, id: &str, status: &str) -> Option<&'a str> {
    find(&json["reports"][0], id, Some(status))?["summary"].as_str()
}

#[test]
fn a_good_key_passes_with_its_size_read_from_the_key() {
    let server = server();
    let (checks, code, json) = dkim(&server, "good", &[]);
    assert_eq!(code, 0, "{checks:?}");
    assert!(checks.iter().all(|(_, s)| s == "pass"), "{checks:?}");
    assert!(
        summary(&json, "dkim.key-size", "pass")
            .unwrap()
            .contains("2048 bits")
    );
    assert!(
        summary(&json, "dkim.selectors", "pass")
            .unwrap()
            .contains("google")
    );
    // Only the dkim area is reported.
    let areas: Vec<&str> = json["reports"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["area"].as_str().unwrap())
        .collect();
    assert!(areas.iter().all(|a| *a == "dkim"), "{areas:?}");
}

#[test]
fn each_key_defect_has_its_id_and_status() {
    let server = server();
    let cases: &[(&str, &str, &str, &str)] = &[
        ("pkcs1", "dkim.key-size", "pass", "2048 bits"),
        ("rsa1024", "dkim.key-size", "warn", "1024 bits"),
        ("rsa512", "dkim.key-size", "fail", "512 bits"),
        ("ed25519", "dkim.key", "pass", "Ed25519"),
        ("ed25519", "dkim.algorithms", "warn", "only Ed25519"),
        ("dual", "dkim.algorithms", "pass", "Ed25519"),
        ("revoked", "dkim.key", "fail", "revoked"),
        ("badkey", "dkim.key", "fail", "does not load"),
        ("badbase64", "dkim.key", "fail", "not valid base64"),
        ("unknownk", "dkim.key", "fail", "k=dsa"),
        ("notemail", "dkim.key", "fail", "s=tlsrpt"),
        ("syntax", "dkim.key", "fail", "k rsa"),
        ("testing", "dkim.testing", "warn", "t=y"),
        ("sha1", "dkim.hash", "fail", "h=sha1"),
        // Verifiers must refuse rsa-sha1 (RFC 8301 §3.1): such a key is not usable.
        ("sha1", "dkim.key", "fail", "rsa-sha1"),
        ("md5", "dkim.hash", "fail", "h=md5 does not allow sha256"),
        ("md5", "dkim.key", "fail", "h=md5"),
        // Verifiers need handle keys up to 4096 bits only (RFC 8301 §3.2).
        ("huge", "dkim.key", "warn", "4608 bits"),
        ("huge", "dkim.key-size", "warn", "4608 bits"),
        ("twokeys", "dkim.key", "warn", "2 key records"),
        ("alias", "dkim.key", "pass", "selector1"),
        ("deadalias", "dkim.key", "warn", "holds no key"),
        ("custom", "dkim.selectors", "warn", "28 common selectors"),
        (
            "none",
            "dkim.selectors",
            "warn",
            "cannot verify DKIM without the selector",
        ),
    ];
    for (case, id, status, text) in cases {
        let (checks, _, json) = dkim(&server, case, &[]);
        let found = summary(&json, id, status)
            .unwrap_or_else(|| panic!("{case}: want {id}={status}, got {checks:?}"));
        assert!(found.contains(text), "{case}: {found:?} lacks {text:?}");
    }
    // A key verifiers will not use is never also reported as a usable one.
    for case in ["rsa512", "sha1", "md5", "huge", "revoked"] {
        let (checks, _, json) = dkim(&server, case, &[]);
        assert!(
            summary(&json, "dkim.key", "pass").is_none(),
            "{case}: {checks:?}"
        );
    }
}

#[test]
fn discovery_reports_the_selectors_tried_and_asks_each_once() {
    let server = server();
    let (checks, code, json) = dkim(&server, "none", &[]);
    assert_eq!(code, 0, "a warning only: {checks:?}");
    let finding = &json["reports"][0]["checks"][0];
    let tried = finding["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "selectors tried")
        .expect("the list of selectors tried");
    for selector in [
        "google",
        "selector1",
        "selector2",
        "k1",
        "s1",
        "default",
        "mandrill",
    ] {
        assert!(tried["text"].as_str().unwrap().contains(selector));
    }
    assert!(finding["detail"].as_str().unwrap().contains("Amazon SES"));
    // RFC 8020: nothing exists below _domainkey.none.dkim.test.
    assert!(finding["detail"].as_str().unwrap().contains("NXDOMAIN"));
    let mut asked = server.queries();
    let total = asked.len();
    asked.sort();
    asked.dedup();
    assert_eq!(asked.len(), total, "a question was asked twice");
    assert!(asked.contains(&("selector1._domainkey.none.dkim.test".into(), 16)));
}

#[test]
fn names_below_domainkey_point_at_unguessed_selectors() {
    let server = server();
    let (_, _, json) = dkim(&server, "custom", &[]);
    let detail = json["reports"][0]["checks"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("selectors not in this list"), "{detail}");
    let (_, _, json) = dkim(&server, "deadalias", &[]);
    let finding = &json["reports"][0]["checks"][0];
    assert!(
        finding["summary"]
            .as_str()
            .unwrap()
            .contains("selector1: CNAME without a key")
    );
    assert!(
        !finding["detail"]
            .as_str()
            .unwrap()
            .contains("selectors not in this list")
    );
}

#[test]
fn a_named_selector_is_found_or_fails() {
    let server = server();
    let (checks, code, json) = dkim(&server, "custom", &["--selector", "x7k2m9"]);
    assert_eq!(code, 0, "{checks:?}");
    assert!(
        summary(&json, "dkim.selectors", "pass")
            .unwrap()
            .contains("x7k2m9")
    );
    server.clear_log();
    let (checks, code, _) = dkim(&server, "none", &["--selector", "s1", "--selector", "s2"]);
    assert_eq!(code, 1);
    let missing = checks
        .iter()
        .filter(|(i, s)| i == "dkim.selectors" && s == "fail")
        .count();
    assert_eq!(missing, 2, "{checks:?}");
    // Only the named selectors are asked (TXT, then CNAME to explain the empty answer).
    let asked: std::collections::BTreeSet<String> =
        server.queries().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        asked,
        [
            "s1._domainkey.none.dkim.test",
            "s2._domainkey.none.dkim.test"
        ]
        .map(String::from)
        .into()
    );
    let (_, _, json) = dkim(&server, "deadalias", &["--selector", "selector1"]);
    assert!(
        summary(&json, "dkim.selectors", "fail")
            .unwrap()
            .contains("CNAME")
    );
}

#[test]
fn keys_behind_cnames_are_followed() {
    let server = server();
    let (_, _, json) = dkim(&server, "alias", &[]);
    let key = finding(&json, 0, "dkim.key");
    assert_eq!(key["status"], "pass");
    assert_eq!(
        key["evidence"][0]["aliases"][0],
        "selector1-alias-dkim-test._domainkey.tenant.dkim.test"
    );
}

#[test]
fn failed_selector_lookups_are_errors_not_missing_keys() {
    let server = server();
    // A named selector that times out.
    let (checks, code, _) = dkim(&server, "slow", &["--selector", "default"]);
    assert_eq!(code, 3, "{checks:?}");
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].1, "error");
    // Discovery where one guess SERVFAILs and none finds a key: undecided, not "none found".
    let (checks, code, json) = dkim(&server, "slow", &[]);
    assert_eq!(code, 3, "{checks:?}");
    assert!(
        summary(&json, "dkim.selectors", "error")
            .unwrap()
            .contains("SERVFAIL")
    );
}

#[test]
fn check_uses_the_dkim_domain_for_keys() {
    let server = server();
    let (code, json) = run(
        &server,
        &[
            "check",
            "example.dkim.test",
            "--only",
            "dkim",
            "--dkim-domain",
            "good.dkim.test",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(json["reports"][0]["domain"], "example.dkim.test");
    let selectors = &json["reports"][0]["checks"][0];
    assert_eq!(selectors["status"], "pass");
    assert!(selectors["summary"].as_str().unwrap().contains("google"));
}

#[test]
fn bad_selectors_are_usage_errors() {
    for selector in ["", "a b", "x;y", &"a".repeat(64)] {
        let out = deliv()
            .args(["dkim", "example.com", "--offline", "--selector", selector])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{selector:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("deliv: error: --selector"), "{stderr}");
    }
}

#[test]
fn dmarc_alignment_never_rests_on_a_key_verifiers_refuse() {
    let server = server();
    // These domains publish no SPF, so a DKIM key verifiers refuse leaves nothing to align.
    for (case, want) in [
        ("sha1", "fail"),
        ("md5", "fail"),
        ("huge", "warn"),
        ("good", "pass"),
    ] {
        let domain = format!("{case}.dkim.test");
        let (_, json) = run(&server, &["check", &domain, "--only", "dmarc"]);
        let alignment = finding(&json, 0, "dmarc.dkim-alignment");
        assert_eq!(alignment["status"], want, "{case}: {alignment}");
    }
}
