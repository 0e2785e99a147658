//! DMARC end to end: `deliv dmarc` against a loopback DNS server serving
//! fixtures/zones/dmarc.test.zone and fixtures/zones/example.co.uk.zone.

mod support;

use deliv::dns::RType;
use serde_json::Value;
use support::dns::{Fault, TestDns};
use support::{finding, findings, run, run_faulty};

fn server() -> TestDns {
    let server = TestDns::with_fixture_zones(&["dmarc.test.zone", "example.co.uk.zone"]);
    server.fault(
        "_dmarc.timeout.dmarc.test",
        Some(RType::Txt),
        Fault::Timeout,
    );
    server.fault(
        "_dmarc.servfail.dmarc.test",
        Some(RType::Txt),
        Fault::ServFail,
    );
    server
}

/// One run's document and exit code.
struct Run {
    json: Value,
    code: i32,
}

impl Run {
    fn checks(&self) -> &Vec<Value> {
        self.json["reports"][0]["checks"]
            .as_array()
            .expect("checks")
    }

    fn status(&self, id: &str) -> String {
        self.text(id, "status")
    }

    fn text(&self, id: &str, field: &str) -> String {
        finding(&self.json, 0, id)[field]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn ids(&self) -> Vec<(String, String)> {
        findings(&self.json, 0)
    }
}

fn dmarc(server: &TestDns, domain: &str, extra: &[&str]) -> Run {
    let args = [&["dmarc", domain], extra].concat();
    // The `timeout` case meets an injected timeout.
    let (code, json) = if domain.starts_with("timeout.") {
        run_faulty(server, &args)
    } else {
        run(server, &args)
    };
    Run { json, code }
}

#[test]
fn a_good_record_passes_and_only_dmarc_is_reported() {
    let server = server();
    let run = dmarc(&server, "good.dmarc.test", &[]);
    assert_eq!(run.code, 0, "{:?}", run.ids());
    assert!(
        run.checks().iter().all(|c| c["status"] == "pass"),
        "{:?}",
        run.ids()
    );
    assert!(run.checks().iter().all(|c| c["area"] == "dmarc"));
    assert_eq!(
        run.text("dmarc.record", "summary"),
        "DMARC record at _dmarc.good.dmarc.test"
    );
    assert!(
        run.text("dmarc.dkim-alignment", "summary")
            .contains("google")
    );
}

#[test]
fn each_record_defect_has_its_id_and_status() {
    let server = server();
    let cases = [
        ("missing.dmarc.test", "dmarc.record", "fail"),
        ("multi.dmarc.test", "dmarc.record", "fail"),
        ("unrelated.dmarc.test", "dmarc.record", "fail"),
        ("lowercase.dmarc.test", "dmarc.record", "fail"),
        ("vlast.dmarc.test", "dmarc.record", "fail"),
        ("split.dmarc.test", "dmarc.policy", "pass"),
        ("pnone.dmarc.test", "dmarc.policy", "warn"),
        ("nop.dmarc.test", "dmarc.policy", "fail"),
        ("pct.dmarc.test", "dmarc.pct", "warn"),
        ("testing.dmarc.test", "dmarc.pct", "warn"),
        ("weaksp.dmarc.test", "dmarc.subdomain-policy", "warn"),
        ("weaknp.dmarc.test", "dmarc.subdomain-policy", "info"),
        ("norua.dmarc.test", "dmarc.reporting", "warn"),
        ("unknown.dmarc.test", "dmarc.unknown-tag", "info"),
        ("unknown.dmarc.test", "dmarc.reporting", "warn"),
    ];
    for (domain, id, status) in cases {
        let run = dmarc(&server, domain, &[]);
        assert_eq!(run.status(id), status, "{domain}: {:?}", run.ids());
    }
    let run = dmarc(&server, "lowercase.dmarc.test", &[]);
    assert!(run.text("dmarc.record", "summary").contains("v=dmarc1"));
    let run = dmarc(&server, "vlast.dmarc.test", &[]);
    assert!(
        run.text("dmarc.record", "summary")
            .contains("not the first tag")
    );
    assert!(
        run.text("dmarc.record", "remediation")
            .contains("_dmarc.dmarc.test. IN TXT")
    );
    let run = dmarc(&server, "nop.dmarc.test", &[]);
    assert!(
        run.text("dmarc.policy", "detail")
            .contains("p=none when rua= is valid")
    );
}

#[test]
fn every_tag_error_names_the_offending_text() {
    let server = server();
    let cases = [
        ("bad-p", "p=rejected"),
        ("bad-sp", "sp=block"),
        ("bad-np", "np=maybe"),
        ("bad-pct", "pct=150"),
        ("bad-adkim", "adkim=x"),
        ("bad-aspf", "aspf=relaxed"),
        ("bad-fo", "fo=2"),
        ("bad-rf", "rf=iodef"),
        ("bad-ri", "ri=daily"),
        ("bad-rua", "rua=dmarc@dmarc.test"),
        ("bad-ruf", "ruf=https://dmarc.test/ruf"),
        ("bad-size", "rua=mailto:dmarc@dmarc.test!10x"),
        ("bad-psd", "psd=yes"),
        ("bad-t", "t=true"),
        ("bad-dup", "p=none"),
        ("bad-tag", "'fo'"),
    ];
    for (case, text) in cases {
        let run = dmarc(&server, &format!("{case}.dmarc.test"), &[]);
        assert_eq!(
            run.status("dmarc.syntax"),
            "fail",
            "{case}: {:?}",
            run.ids()
        );
        let summary = run.text("dmarc.syntax", "summary");
        assert!(summary.contains(text), "{case}: {summary}");
        let position = finding(&run.json, 0, "dmarc.syntax")["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["label"] == "position" && e["text"].as_str().unwrap().ends_with('^'));
        assert!(position, "{case}: no caret under the offending tag");
    }
    // A bad rua means no reports, said as such.
    let run = dmarc(&server, "bad-rua.dmarc.test", &[]);
    assert!(run.text("dmarc.reporting", "summary").contains("not valid"));
}

#[test]
fn subdomains_fall_back_to_the_organizational_domain_past_a_two_label_suffix() {
    let server = server();
    let run = dmarc(&server, "mail.example.co.uk", &[]);
    assert_eq!(run.status("dmarc.record"), "pass", "{:?}", run.ids());
    assert!(
        run.text("dmarc.record", "summary")
            .contains("example.co.uk applies")
    );
    assert!(
        run.text("dmarc.policy", "summary")
            .starts_with("sp=quarantine applies")
    );
    let asked: Vec<String> = server.queries().into_iter().map(|(n, _)| n).collect();
    assert!(asked.contains(&"_dmarc.mail.example.co.uk".to_string()));
    assert!(asked.contains(&"_dmarc.example.co.uk".to_string()));
    assert!(!asked.contains(&"_dmarc.co.uk".to_string()), "{asked:?}");
}

#[test]
fn external_report_destinations_need_authorization() {
    let server = server();
    let run = dmarc(&server, "extok.dmarc.test", &[]);
    assert_eq!(
        run.status("dmarc.report-authorization"),
        "pass",
        "{:?}",
        run.ids()
    );
    let run = dmarc(&server, "extmissing.dmarc.test", &[]);
    assert_eq!(run.status("dmarc.report-authorization"), "warn");
    assert!(
        run.text("dmarc.report-authorization", "remediation")
            .contains("extmissing.dmarc.test._report._dmarc.example.co.uk. IN TXT \"v=DMARC1\"")
    );
    // Reports within the organizational domain need no authorization.
    let run = dmarc(&server, "good.dmarc.test", &[]);
    assert!(
        !run.checks()
            .iter()
            .any(|c| c["id"] == "dmarc.report-authorization")
    );
}

#[test]
fn failed_dmarc_lookups_are_errors_not_missing_records() {
    let server = server();
    for domain in ["timeout.dmarc.test", "servfail.dmarc.test"] {
        let run = dmarc(&server, domain, &[]);
        assert_eq!(run.status("dmarc.record"), "error", "{domain}");
        assert_eq!(run.code, 3, "{domain}: {:?}", run.ids());
        assert!(!run.checks().iter().any(|c| c["id"] == "dmarc.policy"));
    }
    // A failure at the organizational domain, after the subdomain had no record, is no
    // proof of absence either.
    server.fault("_dmarc.example.co.uk", Some(RType::Txt), Fault::ServFail);
    let run = dmarc(&server, "mail.example.co.uk", &[]);
    assert_eq!(run.status("dmarc.record"), "error");
    assert!(run.text("dmarc.record", "summary").contains("SERVFAIL"));
}

#[test]
fn a_relay_bounce_domain_leaves_dmarc_resting_on_dkim() {
    let server = server();
    let run = dmarc(
        &server,
        "good.dmarc.test",
        &["--return-path", "us-east-1.amazonses.com"],
    );
    assert_eq!(run.status("dmarc.spf-alignment"), "warn", "{:?}", run.ids());
    assert!(
        run.text("dmarc.spf-alignment", "detail")
            .contains("DKIM alone")
    );
    assert!(
        run.text("dmarc.spf-alignment", "remediation")
            .contains("custom MAIL FROM domain")
    );
    assert_eq!(run.status("dmarc.dkim-alignment"), "pass");
    // The relay's domain need not be asked to know it does not align.
    assert!(
        !server
            .queries()
            .iter()
            .any(|(n, _)| n.ends_with("amazonses.com"))
    );
    // Signed by the relay too: nothing can align.
    let run = dmarc(
        &server,
        "good.dmarc.test",
        &[
            "--return-path",
            "bounce.relay.example",
            "--dkim-domain",
            "relay.example",
        ],
    );
    assert_eq!(run.status("dmarc.spf-alignment"), "fail");
    assert_eq!(run.status("dmarc.dkim-alignment"), "fail");
    assert_eq!(run.code, 1);
    // A bounce subdomain of the From domain aligns (relaxed) once it publishes SPF.
    let run = dmarc(
        &server,
        "example.co.uk",
        &["--return-path", "mail.example.co.uk"],
    );
    assert_eq!(run.status("dmarc.spf-alignment"), "pass", "{:?}", run.ids());
}
