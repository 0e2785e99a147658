//! Provider compliance end to end: ordinary checks of area `compliance` in JSON, one table in
//! human output, judged from the SPF, DKIM, DMARC and PTR verdicts of the fixture zones.

mod support;

use std::collections::BTreeMap;

use deliv::dns::RType;
use support::dns::{Fault, TestDns};
use support::{deliv, findings, run, run_faulty};

/// id → status of the compliance checks.
fn compliance(server: &TestDns, domain: &str, extra: &[&str]) -> BTreeMap<String, String> {
    let args = [&["check", domain, "--only", "compliance"], extra].concat();
    let (_, json) = run(server, &args);
    let statuses = findings(&json, 0);
    assert!(
        statuses.iter().all(|(id, _)| id.starts_with("compliance.")),
        "--only compliance reports only it"
    );
    statuses.into_iter().collect()
}

#[test]
fn a_compliant_domain_meets_every_rule_dns_can_show() {
    let server =
        TestDns::with_fixture_zones(&["dmarc.test.zone", "ip.test.zone", "rdns-192.0.2.zone"]);
    // 192.0.2.10 has forward-confirmed reverse DNS (fixtures/zones/rdns-192.0.2.zone).
    let statuses = compliance(&server, "good.dmarc.test", &["--ip", "192.0.2.10"]);
    assert_eq!(statuses.len(), 23, "{statuses:?}");
    for (id, status) in &statuses {
        let not_visible = [
            ".spam-rate",
            ".one-click-unsubscribe",
            ".unsubscribe-honoured",
        ]
        .iter()
        .any(|s| id.ends_with(s));
        let want = if not_visible { "info" } else { "pass" };
        assert_eq!(status, want, "{id}");
    }
}

#[test]
fn reverse_dns_rules_follow_the_ptr_area() {
    let server =
        TestDns::with_fixture_zones(&["dmarc.test.zone", "ip.test.zone", "rdns-192.0.2.zone"]);
    // 192.0.2.11's PTR name resolves to another address; 192.0.2.15 has none.
    for ip in ["192.0.2.11", "192.0.2.15"] {
        let statuses = compliance(&server, "good.dmarc.test", &["--ip", ip]);
        assert_eq!(statuses["compliance.gmail.ptr"], "fail", "{ip}");
        assert_eq!(statuses["compliance.yahoo.ptr"], "fail", "{ip}");
    }
    // No address given and none to derive from good.dmarc.test: not confirmed either way.
    let statuses = compliance(&server, "good.dmarc.test", &[]);
    assert_eq!(statuses["compliance.gmail.ptr"], "warn");
}

#[test]
fn missing_dmarc_and_unknown_dkim_show_in_the_provider_rules() {
    let server = TestDns::with_fixture_zones(&["dmarc.test.zone"]);
    let statuses = compliance(&server, "missing.dmarc.test", &[]);
    for id in [
        "compliance.gmail-bulk.dmarc",
        "compliance.yahoo-bulk.dmarc",
        "compliance.outlook.dmarc",
        "compliance.outlook.spf",
    ] {
        assert_eq!(statuses[id], "fail", "{id}");
    }
    // No key under the common selectors: not confirmed either way.
    assert_eq!(statuses["compliance.outlook.dkim"], "warn");
    assert_eq!(statuses["compliance.gmail.spf-or-dkim"], "warn");
}

#[test]
fn weak_keys_fail_gmail_and_a_relay_bounce_domain_still_aligns_through_dkim() {
    let server = TestDns::with_fixture_zones(&["dkim.test.zone", "dmarc.test.zone"]);
    let statuses = compliance(&server, "rsa512.dkim.test", &[]);
    assert_eq!(statuses["compliance.gmail.dkim-key-size"], "fail");
    assert_eq!(
        statuses["compliance.outlook.dkim"], "fail",
        "a 512-bit key is no usable key"
    );
    let statuses = compliance(
        &server,
        "good.dmarc.test",
        &["--return-path", "us-east-1.amazonses.com"],
    );
    assert_eq!(statuses["compliance.gmail-bulk.alignment"], "pass");
    let statuses = compliance(
        &server,
        "good.dmarc.test",
        &[
            "--return-path",
            "us-east-1.amazonses.com",
            "--dkim-domain",
            "amazonses.com",
        ],
    );
    assert_eq!(statuses["compliance.gmail-bulk.alignment"], "fail");
}

#[test]
fn human_output_draws_compliance_as_one_table() {
    let out = deliv()
        .args(["check", "broken.example", "healthy.example"])
        .args(["--zone", "fixtures/zones/demo.zone", "--offline"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.matches("Provider requirement").count(),
        2,
        "one table per domain"
    );
    assert!(
        !text.contains("compliance."),
        "no compliance ids as rows: {text}"
    );
    for header in ["Gmail", "Gmail bulk", "Yahoo", "Yahoo bulk", "Outlook.com"] {
        assert!(text.contains(header));
    }
    assert!(
        text.contains("✘ SPF valid (Gmail bulk, Yahoo bulk, Outlook.com)"),
        "{text}"
    );
    assert!(text.contains("✘ DKIM key ≥ 1024 bits (Gmail)"), "{text}");
    assert!(text.contains("Postmaster Tools"));
    assert!(text.contains("https://senders.yahooinc.com/best-practices/"));
    // --only dmarc stays about the DMARC record: no compliance table.
    let out = deliv()
        .args(["check", "healthy.example", "--only", "dmarc"])
        .args(["--zone", "fixtures/zones/demo.zone", "--offline"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Provider requirement") && text.contains("dmarc.policy"));
}

#[test]
fn keys_verifiers_refuse_never_meet_the_dkim_rules() {
    let server = TestDns::with_fixture_zones(&["dkim.test.zone"]);
    // h=sha1 alone: no verifier may use it (RFC 8301 §3.1).
    for case in ["sha1.dkim.test", "md5.dkim.test"] {
        let statuses = compliance(&server, case, &[]);
        for rule in ["compliance.outlook.dkim", "compliance.gmail-bulk.dkim"] {
            assert_eq!(statuses[rule], "fail", "{case} {rule}");
        }
    }
    // Over 4096 bits: only some verifiers handle it (RFC 8301 §3.2).
    let statuses = compliance(&server, "huge.dkim.test", &[]);
    assert_eq!(statuses["compliance.outlook.dkim"], "warn");
}

#[test]
fn a_dns_failure_behind_each_rule_never_meets_it() {
    let zones = ["dmarc.test.zone", "ip.test.zone", "rdns-192.0.2.zone"];
    let args = [
        "check",
        "good.dmarc.test",
        "--only",
        "compliance",
        "--ip",
        "192.0.2.10",
    ];
    let baseline = compliance(
        &TestDns::with_fixture_zones(&zones),
        "good.dmarc.test",
        &["--ip", "192.0.2.10"],
    );
    let inputs: [(&str, RType, &[&str]); 4] = [
        (
            "good.dmarc.test",
            RType::Txt,
            &[
                "compliance.gmail-bulk.spf",
                "compliance.yahoo-bulk.spf",
                "compliance.outlook.spf",
            ],
        ),
        (
            "google._domainkey.good.dmarc.test",
            RType::Txt,
            &[
                "compliance.gmail-bulk.dkim",
                "compliance.yahoo-bulk.dkim",
                "compliance.outlook.dkim",
                "compliance.gmail.dkim-key-size",
            ],
        ),
        (
            "_dmarc.good.dmarc.test",
            RType::Txt,
            &[
                "compliance.gmail-bulk.dmarc",
                "compliance.yahoo-bulk.dmarc",
                "compliance.outlook.dmarc",
            ],
        ),
        (
            "10.2.0.192.in-addr.arpa",
            RType::Ptr,
            &["compliance.gmail.ptr", "compliance.yahoo.ptr"],
        ),
    ];
    for (name, rtype, rows) in inputs {
        for fault in [Fault::Timeout, Fault::ServFail] {
            let server = TestDns::with_fixture_zones(&zones);
            server.fault(name, Some(rtype), fault);
            let (code, json) = match fault {
                Fault::Timeout => run_faulty(&server, &args),
                _ => run(&server, &args),
            };
            let statuses: BTreeMap<String, String> = findings(&json, 0).into_iter().collect();
            for (id, before) in &baseline {
                // The rules resting on the failed answer are undecided; the others, resting on
                // answers that came, stand (SPF or DKIM, and alignment, hold through the other).
                let want = if rows.contains(&id.as_str()) {
                    "error"
                } else {
                    before
                };
                assert_eq!(statuses[id], want, "{name} {rtype} {fault:?}: {id}");
            }
            assert_eq!(code, 3, "{name} {fault:?}: {statuses:?}");
        }
    }
}

#[test]
fn a_relay_seen_in_the_evidence_makes_alignment_rest_on_dkim() {
    let server = TestDns::with_fixture_zones(&[
        "dmarc-verdicts.zone",
        "dmarc-reports.zone",
        "dmarc-amazonses.zone",
    ]);
    let rows = [
        "compliance.gmail-bulk.alignment",
        "compliance.yahoo-bulk.alignment",
        "compliance.outlook.alignment",
    ];
    // Amazon SES in the SPF tree, no DKIM key found: From alignment is not confirmed.
    let statuses = compliance(&server, "sesspf.dmarcv.test", &[]);
    for row in rows {
        assert_eq!(statuses[row], "warn", "{row}: {statuses:?}");
    }
    // Signed through SES's CNAMEs with d= the domain: DKIM carries it.
    let statuses = compliance(&server, "sesdkim.dmarcv.test", &["--selector", "tok1"]);
    for row in rows {
        assert_eq!(statuses[row], "pass", "{row}: {statuses:?}");
    }
    // A broken SPF record neither counts as SPF nor aligns.
    let statuses = compliance(&server, "spfbad.dmarcv.test", &[]);
    assert_eq!(statuses["compliance.outlook.spf"], "fail");
    assert_eq!(statuses["compliance.outlook.alignment"], "warn");
    // SPF passing anyone is no SPF a provider counts.
    let statuses = compliance(&server, "spfopen.dmarcv.test", &[]);
    assert_eq!(statuses["compliance.gmail-bulk.spf"], "fail");
}
