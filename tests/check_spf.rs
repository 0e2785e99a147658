//! SPF lint and `deliv spf` end to end: the binary against a loopback DNS server serving
//! fixtures/zones/spf.test.zone, with faults injected where a case needs them.

mod support;

use deliv::dns::RType;
use serde_json::Value;
use support::dns::{Fault, TestDns};
use support::{deliv, finding, findings, has, run, run_faulty, run_json};

fn server() -> TestDns {
    let server = TestDns::with_fixture_zones(&["spf.test.zone"]);
    server.fault("slow.spf.test", Some(RType::Txt), Fault::Timeout);
    server.fault("servfail.spf.test", Some(RType::Txt), Fault::ServFail);
    server.fault("refused.spf.test", Some(RType::Txt), Fault::Refused);
    server
}

/// The `timeout-inc` case meets an injected timeout.
fn run_spf(server: &TestDns, args: &[&str]) -> (i32, Value) {
    if args.iter().any(|a| a.starts_with("timeout-inc.")) {
        run_faulty(server, args)
    } else {
        run(server, args)
    }
}

fn lint(server: &TestDns, domain: &str) -> (Vec<(String, String)>, i32, Value) {
    let name = format!("{domain}.spf.test");
    let (code, json) = run_spf(server, &["check", &name, "--only", "spf"]);
    (findings(&json, 0), code, json)
}

#[test]
fn healthy_record_passes_every_check() {
    let server = server();
    let (checks, code, _) = lint(&server, "good");
    assert_eq!(code, 0);
    assert!(checks.iter().all(|(_, s)| s == "pass"), "{checks:?}");
    for id in [
        "spf.record",
        "spf.syntax",
        "spf.lookup-limit",
        "spf.void-lookups",
        "spf.all",
    ] {
        assert!(has(&checks, id, "pass"), "{id} missing: {checks:?}");
    }
}

#[test]
fn each_spf_defect_has_its_id_and_status() {
    let server = server();
    let cases = [
        ("none", "spf.record", "fail"),
        ("multi", "spf.record", "fail"),
        ("syntax", "spf.syntax", "fail"),
        ("brokeninc", "spf.syntax", "fail"),
        ("plusall", "spf.all", "fail"),
        ("neutral", "spf.all", "warn"),
        ("noall", "spf.all", "warn"),
        ("void", "spf.void-lookups", "fail"),
        ("loop", "spf.include-loop", "fail"),
        ("missinginc", "spf.include-target", "fail"),
        ("ptr", "spf.ptr", "warn"),
        ("macro", "spf.macros", "info"),
        ("spftype", "spf.rr-type", "warn"),
        ("broad", "spf.broad-range", "warn"),
        ("redirect", "spf.all", "pass"),
        ("shadowed", "spf.redirect-ignored", "warn"),
        ("deep", "spf.lookup-limit", "warn"),
        ("toomany", "spf.lookup-limit", "fail"),
    ];
    for (domain, id, status) in cases {
        let (checks, _, _) = lint(&server, domain);
        assert!(
            has(&checks, id, status),
            "{domain}: want {id}={status}, got {checks:?}"
        );
    }
}

#[test]
fn overlong_strings_are_caught_before_publishing() {
    // No DNS server can send a string over 255 octets; a zone file about to be published can
    // hold one, so this is checked through --zone.
    let (out, json) = run_json(deliv().args([
        "check",
        "long.draft.test",
        "--only",
        "spf",
        "--zone",
        "fixtures/zones/draft.test.zone",
        "--offline",
        "--format",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(1));
    let size = finding(&json, 0, "spf.txt-size");
    assert_eq!(size["status"], "fail");
    assert!(size["summary"].as_str().unwrap().contains("362 characters"));
}

#[test]
fn syntax_errors_give_position_and_term() {
    let server = server();
    let (_, _, json) = lint(&server, "syntax");
    let finding = finding(&json, 0, "spf.syntax");
    let summary = finding["summary"].as_str().unwrap();
    assert!(
        summary.contains("column 12") && summary.contains("ip4:192.0.2.300"),
        "{summary}"
    );
}

#[test]
fn lookup_tree_is_evidence() {
    let server = server();
    let (_, _, json) = lint(&server, "toomany");
    let finding = finding(&json, 0, "spf.lookup-limit");
    assert!(
        finding["summary"]
            .as_str()
            .unwrap()
            .starts_with("15 DNS lookups")
    );
    let tree = finding["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "include tree")
        .expect("tree")["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        tree.contains("include:d1.spf.test — 8 lookup(s) below"),
        "{tree}"
    );
    assert!(
        tree.contains("include:d4.spf.test — 2 lookup(s) below"),
        "{tree}"
    );
}

#[test]
fn dns_faults_are_errors_never_missing() {
    let server = server();
    for domain in ["servfail", "refused"] {
        let (checks, code, _) = lint(&server, domain);
        assert_eq!(
            checks,
            vec![("spf.record".to_string(), "error".to_string())],
            "{domain}"
        );
        assert_eq!(code, 3, "{domain}");
    }
    // A timeout deep in the tree leaves the lookup count unknown: error, not pass.
    let (checks, code, json) = lint(&server, "timeout-inc");
    assert!(has(&checks, "spf.lookup-limit", "error"), "{checks:?}");
    assert!(has(&checks, "spf.include-target", "error"), "{checks:?}");
    assert!(
        !checks
            .iter()
            .any(|(i, s)| i == "spf.lookup-limit" && s == "pass")
    );
    assert_eq!(code, 3);
    assert!(json.to_string().contains("slow.spf.test"));
}

#[test]
fn check_host_reports_result_mechanism_and_explanation() {
    let server = server();
    let run = |args: &[&str]| run_spf(&server, args);
    let (code, json) = run(&[
        "spf",
        "good.spf.test",
        "--ip",
        "198.51.100.9",
        "--sender",
        "a@good.spf.test",
        "--helo",
        "mx.good.spf.test",
    ]);
    assert_eq!(json["result"], "pass");
    assert_eq!(json["mechanism"], "include:_spf.provider.spf.test");
    assert_eq!(json["matched_in"], "good.spf.test");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(code, 0);

    let (code, json) = run(&[
        "spf",
        "good.spf.test",
        "--ip",
        "203.0.113.1",
        "--sender",
        "a@good.spf.test",
    ]);
    assert_eq!(json["result"], "fail");
    assert_eq!(json["mechanism"], "-all");
    assert!(
        json["remediation"]
            .as_str()
            .unwrap()
            .contains("`ip4:203.0.113.1`")
    );
    assert_eq!(code, 1);

    let (code, json) = run(&["spf", "timeout-inc.spf.test", "--ip", "203.0.113.1"]);
    assert_eq!(json["result"], "temperror");
    assert!(json["problem"].as_str().unwrap().contains("timeout"));
    assert_eq!(code, 3);

    let (_, json) = run(&["spf", "toomany.spf.test", "--ip", "203.0.113.1"]);
    assert_eq!(json["result"], "permerror");
    assert_eq!(json["dns_lookups"], 11);

    // Odd input is SPF input (RFC 7208 §4.3), not a usage error.
    for (domain, sender, helo) in [
        ("[1.2.3.5]", "foo@[1.2.3.5]", "OEMCOMPUTER"),
        (&format!("{}.example", "a".repeat(64)), "x@y", "h"),
        ("good.spf.test", "", "mx.good.spf.test"),
        ("good.spf.test", "@good.spf.test", ""),
    ] {
        let (code, json) = run(&[
            "spf",
            domain,
            "--ip",
            "::ffff:192.0.2.9",
            "--sender",
            sender,
            "--helo",
            helo,
        ]);
        assert!([0, 1].contains(&code), "{domain}: {code}");
        assert!(json["result"].is_string(), "{domain}");
    }
    let (_, json) = run(&[
        "spf",
        "good.spf.test",
        "--ip",
        "::ffff:192.0.2.9",
        "--sender",
        "",
    ]);
    assert_eq!(
        json["result"], "pass",
        "IPv4-mapped IPv6 is evaluated as IPv4"
    );
    assert_eq!(json["ip"], "192.0.2.9");
}
