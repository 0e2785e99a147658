//! MX checks end to end: the binary against a loopback DNS server serving
//! fixtures/zones/mx.test.zone, with faults injected where a case needs them.

mod support;

use deliv::dns::RType;
use serde_json::Value;
use support::dns::{Fault, TestDns};
use support::{finding, findings, has, run, run_faulty};

fn server() -> TestDns {
    let server = TestDns::with_fixture_zones(&["mx.test.zone"]);
    server.fault("slow.mx.test", Some(RType::Mx), Fault::Timeout);
    server.fault("broken.hostfail.mx.test", Some(RType::A), Fault::ServFail);
    server
}

/// (id, status) of every finding for `domain`, the exit code and the document.
fn check(server: &TestDns, domain: &str) -> (Vec<(String, String)>, i32, Value) {
    let name = format!("{domain}.mx.test");
    let args = ["check", name.as_str(), "--only", "mx"];
    // The `slow` case meets an injected timeout.
    let (code, json) = if domain == "slow" {
        run_faulty(server, &args)
    } else {
        run(server, &args)
    };
    (findings(&json, 0), code, json)
}

#[test]
fn healthy_mx_passes_with_hosts_and_addresses_in_evidence() {
    let server = server();
    let (checks, code, json) = check(&server, "good");
    assert_eq!(code, 0, "{checks:?}");
    assert!(checks.iter().all(|(_, s)| s == "pass"), "{checks:?}");
    let hosts = finding(&json, 0, "mx.host-address");
    let evidence = hosts["evidence"].to_string();
    assert!(
        evidence.contains("192.0.2.1") && evidence.contains("2001:db8::2"),
        "{evidence}"
    );
}

#[test]
fn each_mx_defect_has_its_id_and_status() {
    let server = server();
    let cases = [
        ("null", "mx.null", "info"),
        ("null", "mx.null-spf", "pass"),
        ("null-nospf", "mx.null-spf", "warn"),
        ("null-badspf", "mx.null-spf", "fail"),
        ("null-mixed", "mx.null", "fail"),
        ("implicit", "mx.records", "warn"),
        ("nothing", "mx.records", "fail"),
        ("nonexistent", "mx.records", "fail"),
        ("cname", "mx.target-cname", "warn"),
        ("iplit", "mx.target-ip", "fail"),
        ("noaddr", "mx.host-address", "fail"),
        ("nxhost", "mx.host-address", "fail"),
        ("dup", "mx.duplicates", "warn"),
        ("samepref", "mx.duplicates", "info"),
    ];
    for (domain, id, status) in cases {
        let (checks, _, _) = check(&server, domain);
        assert!(
            has(&checks, id, status),
            "{domain}: want {id}={status}, got {checks:?}"
        );
    }
}

#[test]
fn failed_lookups_are_errors_never_passes() {
    let server = server();
    let (checks, code, json) = check(&server, "slow");
    assert_eq!(
        checks,
        vec![("mx.records".to_string(), "error".to_string())]
    );
    assert_eq!(code, 3, "inconclusive, nothing failing");
    let evidence = &json["reports"][0]["checks"][0]["evidence"][0];
    assert_eq!(evidence["name"], "slow.mx.test");
    assert_eq!(evidence["type"], "MX");
    assert_eq!(evidence["result"], "error");
    assert_eq!(evidence["error"], "timeout");

    let (checks, code, json) = check(&server, "hostfail");
    assert!(has(&checks, "mx.host-address", "error"), "{checks:?}");
    assert!(!has(&checks, "mx.host-address", "pass"), "{checks:?}");
    assert_eq!(code, 3);
    assert!(json.to_string().contains("SERVFAIL"));
}
