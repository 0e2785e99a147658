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
    // Repaired where it is, not replaced by a new record elsewhere.
    assert!(run.text("dmarc.record", "remediation").contains(
        "at _dmarc.vlast.dmarc.test with `v=DMARC1; p=reject; rua=mailto:dmarc@dmarc.test`"
    ));
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

/// The verdict cases of fixtures/zones/dmarc-verdicts.zone, with the report service and the
/// Amazon SES stand-in they name.
const VERDICT_ZONES: [&str; 3] = [
    "dmarc-verdicts.zone",
    "dmarc-reports.zone",
    "dmarc-amazonses.zone",
];

fn verdicts_server() -> TestDns {
    TestDns::with_fixture_zones(&VERDICT_ZONES)
}

#[test]
fn a_second_record_counts_even_when_malformed_and_discarded_records_are_named_as_such() {
    let server = verdicts_server();
    for case in ["multi", "twin"] {
        let run = dmarc(&server, &format!("{case}.dmarcv.test"), &[]);
        assert_eq!(
            run.status("dmarc.record"),
            "fail",
            "{case}: {:?}",
            run.ids()
        );
        assert!(
            run.text("dmarc.record", "summary")
                .contains("holds 2 DMARC records"),
            "{case}"
        );
        assert!(!run.ids().iter().any(|(id, _)| id == "dmarc.policy"));
    }
    let run = dmarc(&server, "twin.dmarcv.test", &[]);
    assert!(
        run.text("dmarc.record", "detail")
            .contains("\"v=DMARC1 p=none\"")
    );
    // Merged into one record; the choice the two records leave is the owner's.
    let changes = &finding(&run.json, 0, "dmarc.record")["changes"];
    assert_eq!(changes[0]["action"], "replace");
    assert_eq!(changes[0]["old"], "v=DMARC1 p=none");
    assert_eq!(
        changes[0]["data"],
        "v=DMARC1; p=<REJECT-OR-NONE>; rua=mailto:dmarc@dmarcv.test"
    );
    assert_eq!(changes[1]["action"], "remove");
    assert_eq!(
        changes[1]["data"],
        "v=DMARC1; p=reject; rua=mailto:dmarc@dmarcv.test"
    );
    // A missing ';' is named for what it is, with the record corrected.
    let run = dmarc(&server, "nosemi.dmarcv.test", &[]);
    let summary = run.text("dmarc.record", "summary");
    assert!(
        summary.contains("tags must be separated by ';'"),
        "{summary}"
    );
    assert!(!summary.contains("does not start with"), "{summary}");
    assert!(
        run.text("dmarc.record", "remediation")
            .contains("`v=DMARC1; p=reject; rua=mailto:dmarc@dmarcv.test`")
    );
}

#[test]
fn records_some_receivers_discard_warn() {
    let server = verdicts_server();
    for (case, id, says) in [
        ("spaced", "dmarc.record", "starts with a space"),
        ("upperv", "dmarc.record", "lower case (v=)"),
        ("upperp", "dmarc.syntax", "lower case (p=)"),
    ] {
        let run = dmarc(&server, &format!("{case}.dmarcv.test"), &[]);
        assert_eq!(run.status(id), "warn", "{case}: {:?}", run.ids());
        assert!(
            run.text(id, "summary").contains(says),
            "{case}: {}",
            run.text(id, "summary")
        );
        let changes = &finding(&run.json, 0, id)["changes"];
        assert_eq!(
            changes[0]["data"], "v=DMARC1; p=reject; rua=mailto:dmarc@dmarcv.test",
            "{case}"
        );
    }
}

#[test]
fn an_invalid_repeated_or_mistyped_policy_is_never_a_pass() {
    let server = verdicts_server();
    for (case, status, says) in [
        ("spbogus", "fail", "treat it as p=none"),
        ("npbogus", "fail", "apply no DMARC at all"),
        ("dup", "fail", "the last p=none"),
        ("dupsame", "warn", "reject a repeated tag"),
        ("rejected", "fail", "p=rejected is not a policy"),
        ("pblock", "fail", "p=block is not a policy"),
        ("nop", "fail", "no p= tag"),
    ] {
        let run = dmarc(&server, &format!("{case}.dmarcv.test"), &[]);
        assert_eq!(
            run.status("dmarc.policy"),
            status,
            "{case}: {:?}",
            run.ids()
        );
        let said = format!(
            "{} {}",
            run.text("dmarc.policy", "summary"),
            run.text("dmarc.policy", "detail")
        );
        assert!(said.contains(says), "{case}: {said}");
    }
    // The fix is unambiguous: the whole record with p=reject, in the text and the change.
    let run = dmarc(&server, "rejected.dmarcv.test", &[]);
    let fixed = "v=DMARC1; p=reject; rua=mailto:dmarc@dmarcv.test";
    for id in ["dmarc.policy", "dmarc.syntax"] {
        assert!(run.text(id, "remediation").contains(fixed), "{id}");
        assert_eq!(
            finding(&run.json, 0, id)["changes"][0]["data"],
            fixed,
            "{id}"
        );
    }
    // Not so here: the choices are shown, and a record holding them fails as it stands.
    let run = dmarc(&server, "pblock.dmarcv.test", &[]);
    assert_eq!(
        finding(&run.json, 0, "dmarc.policy")["changes"][0]["data"],
        "v=DMARC1; p=<REJECT-OR-QUARANTINE-OR-NONE>; rua=mailto:dmarc@dmarcv.test"
    );
}

#[test]
fn reports_to_a_domain_that_takes_no_mail_never_arrive() {
    let server = verdicts_server();
    for (case, says) in [
        ("nullrua", "null MX"),
        ("gonerua", "NXDOMAIN"),
        ("barerua", "no MX record and no address"),
        ("spacerua", "not valid"),
        ("norua", "no rua="),
    ] {
        let run = dmarc(&server, &format!("{case}.dmarcv.test"), &[]);
        assert_eq!(
            run.status("dmarc.reporting"),
            "warn",
            "{case}: {:?}",
            run.ids()
        );
        let summary = run.text("dmarc.reporting", "summary");
        assert!(summary.contains(says), "{case}: {summary}");
    }
    // Only the dead address goes; the live one stays.
    let run = dmarc(&server, "gonerua.dmarcv.test", &[]);
    assert_eq!(
        finding(&run.json, 0, "dmarc.reporting")["changes"][0]["data"],
        "v=DMARC1; p=reject; rua=mailto:dmarc@dmarcv.test"
    );
    // A space in the URI is a syntax error, and its correction the fix.
    let run = dmarc(&server, "spacerua.dmarcv.test", &[]);
    assert_eq!(run.status("dmarc.syntax"), "fail");
    assert!(
        run.text("dmarc.syntax", "remediation")
            .contains("rua=mailto:dmarc@dmarcv.test`")
    );
}

#[test]
fn spf_that_is_missing_broken_or_open_never_aligns() {
    let server = verdicts_server();
    for (case, status, says) in [
        ("nospf", "warn", "publishes no SPF record"),
        ("spfbad", "warn", "permerror"),
        ("spfopen", "fail", "passes every address"),
    ] {
        let run = dmarc(&server, &format!("{case}.dmarcv.test"), &[]);
        assert_eq!(
            run.status("dmarc.spf-alignment"),
            status,
            "{case}: {:?}",
            run.ids()
        );
        let summary = run.text("dmarc.spf-alignment", "summary");
        assert!(summary.contains(says), "{case}: {summary}");
    }
    // The fix is the SPF area's: its record, here as there.
    let run = dmarc(&server, "spfbad.dmarcv.test", &[]);
    let changes = &finding(&run.json, 0, "dmarc.spf-alignment")["changes"];
    assert_eq!(changes[0]["data"], "v=spf1 ip4:192.0.2.1 ~all", "{changes}");
}

#[test]
fn amazon_ses_seen_in_the_spf_tree_or_dkim_cnames_needs_a_custom_mail_from() {
    let server = verdicts_server();
    for (case, extra, seen) in [
        ("sesspf", &[][..], "include:amazonses.com"),
        (
            "sesdeep",
            &[][..],
            "include:_spf.sesdeep.dmarcv.test → include:amazonses.com",
        ),
        (
            "sesdkim",
            &["--selector", "tok1"][..],
            "CNAME tok1.dkim.amazonses.com",
        ),
    ] {
        let run = dmarc(&server, &format!("{case}.dmarcv.test"), extra);
        assert_eq!(
            run.status("dmarc.spf-alignment"),
            "warn",
            "{case}: {:?}",
            run.ids()
        );
        let summary = run.text("dmarc.spf-alignment", "summary");
        assert!(
            summary.contains("Amazon SES") && summary.contains(seen),
            "{case}: {summary}"
        );
        let remediation = run.text("dmarc.spf-alignment", "remediation");
        assert!(
            remediation.contains("custom MAIL FROM domain"),
            "{remediation}"
        );
        assert!(remediation.contains("--return-path"), "{remediation}");
        let changes = &finding(&run.json, 0, "dmarc.spf-alignment")["changes"];
        assert_eq!(changes[0]["type"], "MX");
        assert_eq!(
            changes[0]["data"],
            "10 feedback-smtp.<AMAZON-SES-REGION>.amazonses.com."
        );
        assert_eq!(changes[1]["data"], "v=spf1 include:amazonses.com ~all");
    }
    // Signed through SES's CNAMEs with d= the domain: DMARC rests on DKIM.
    let run = dmarc(&server, "sesdkim.dmarcv.test", &["--selector", "tok1"]);
    assert_eq!(
        run.status("dmarc.dkim-alignment"),
        "pass",
        "{:?}",
        run.ids()
    );
    // With the custom MAIL FROM given, SPF aligns.
    let run = dmarc(
        &server,
        "sesspf.dmarcv.test",
        &["--return-path", "sesspf.dmarcv.test"],
    );
    assert_eq!(run.status("dmarc.spf-alignment"), "pass", "{:?}", run.ids());
}

#[test]
fn failed_lookups_behind_reports_and_alignment_are_errors() {
    let server = verdicts_server();
    for fault in [Fault::ServFail, Fault::Timeout] {
        let server = verdicts_server();
        server.fault(
            "extauth.dmarcv.test._report._dmarc.reports.test",
            Some(RType::Txt),
            fault,
        );
        server.fault("reports.test", Some(RType::Mx), fault);
        server.fault("clean.dmarcv.test", Some(RType::Txt), fault);
        server.fault(
            "google._domainkey.clean.dmarcv.test",
            Some(RType::Txt),
            fault,
        );
        let go = |domain: &str| {
            let args = ["dmarc", domain];
            let (code, json) = match fault {
                Fault::Timeout => support::run_faulty(&server, &args),
                _ => run(&server, &args),
            };
            Run { json, code }
        };
        let run = go("extauth.dmarcv.test");
        assert_eq!(
            run.status("dmarc.report-authorization"),
            "error",
            "{fault:?}"
        );
        assert_eq!(run.status("dmarc.reporting"), "error", "{fault:?}");
        let run = go("clean.dmarcv.test");
        assert_eq!(run.status("dmarc.spf-alignment"), "error", "{fault:?}");
        assert_eq!(run.status("dmarc.dkim-alignment"), "error", "{fault:?}");
        assert_eq!(run.code, 3, "{fault:?}: {:?}", run.ids());
    }
    drop(server);
}

/// Every warn/fail finding of the verdict cases that carries changes: applied to a copy of the
/// zones (placeholders filled), the finding is fixed and no other finding got worse. `p=none`,
/// deliv's advice for a record that had no policy, brings its own monitoring warn: that warn is
/// what the change rightly brings.
#[test]
fn remediations_applied_as_written_fix_their_finding_and_worsen_nothing() {
    use support::zone_edit::{ZoneText, rank, worst_statuses};
    let cases: &[(&str, &[&str])] = &[
        ("missing", &[]),
        ("multi", &[]),
        ("twin", &[]),
        ("nosemi", &[]),
        ("lower", &[]),
        ("spaced", &[]),
        ("upperv", &[]),
        ("upperp", &[]),
        ("spbogus", &[]),
        ("npbogus", &[]),
        ("dup", &[]),
        ("dupsame", &[]),
        ("rejected", &[]),
        ("pblock", &[]),
        ("nop", &[]),
        ("pnone", &[]),
        ("pct", &[]),
        ("weaksp", &[]),
        ("norua", &[]),
        ("spacerua", &[]),
        ("nullrua", &[]),
        ("gonerua", &[]),
        ("barerua", &[]),
        ("extauth", &[]),
        ("nospf", &[]),
        ("spfbad", &[]),
        ("spfopen", &[]),
        ("sesspf", &[]),
        ("sesdeep", &[]),
        ("sesdkim", &["--selector", "tok1"]),
    ];
    let originals: Vec<ZoneText> = VERDICT_ZONES
        .iter()
        .map(|z| ZoneText::read(&format!("fixtures/zones/{z}")))
        .collect();
    let value = |placeholder: &str| {
        if placeholder.contains("REGION") {
            "us-east-1"
        } else if placeholder.contains("ADDRESS") {
            "dmarc@dmarcv.test"
        } else {
            "amazonses.com"
        }
        .to_string()
    };
    let check = |domain: &str, zones: &[std::path::PathBuf], extra: &[&str]| {
        let mut cmd = support::deliv();
        cmd.args([
            "check",
            domain,
            "--only",
            "dmarc",
            "--offline",
            "--format",
            "json",
        ]);
        for z in zones {
            cmd.arg("--zone").arg(z);
        }
        support::run_json(cmd.args(extra)).1
    };
    let fixtures: Vec<std::path::PathBuf> = VERDICT_ZONES
        .iter()
        .map(|z| format!("fixtures/zones/{z}").into())
        .collect();
    let dir = std::env::temp_dir();
    let mut applied = 0;
    for (case, extra) in cases {
        let domain = format!("{case}.dmarcv.test");
        let json = check(&domain, &fixtures, extra);
        let before = worst_statuses(&json);
        let with_changes: Vec<&Value> = json["reports"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| ["warn", "fail"].contains(&c["status"].as_str().unwrap()))
            .filter(|c| c["changes"].as_array().is_some_and(|a| !a.is_empty()))
            .collect();
        assert!(
            !with_changes.is_empty(),
            "{case}: no remediation with changes: {before:?}"
        );
        for finding in with_changes {
            let changes = finding["changes"].as_array().unwrap();
            let mut zones = originals.clone();
            let mut again: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
            for change in changes {
                let name = change["name"].as_str().unwrap();
                let zone = zones
                    .iter_mut()
                    .find(|z| z.holds(name))
                    .unwrap_or_else(|| panic!("{case}: {name} is in no zone"));
                zone.apply(change, &value);
                // A relay's custom MAIL FROM: set at the relay, given to the check.
                if change["type"] == "MX" {
                    again.extend(["--return-path".to_string(), name.to_string()]);
                }
            }
            let paths: Vec<std::path::PathBuf> = zones
                .iter()
                .enumerate()
                .map(|(i, z)| {
                    let path = dir.join(format!(
                        "deliv-dmarc-{}-{case}-{applied}-{i}.zone",
                        std::process::id()
                    ));
                    z.write(&path);
                    path
                })
                .collect();
            let again: Vec<&str> = again.iter().map(String::as_str).collect();
            let json = check(&domain, &paths, &again);
            for p in &paths {
                std::fs::remove_file(p).ok();
            }
            let after = worst_statuses(&json);
            let id = finding["id"].as_str().unwrap();
            let of = |list: &[(String, String)], id: &str| {
                list.iter()
                    .find(|(i, _)| i == id)
                    .map_or(0, |(_, s)| rank(s))
            };
            // p=none advised where no policy applied: its own warn is expected.
            let monitoring = changes
                .iter()
                .any(|c| c["data"].as_str().unwrap_or_default().contains("p=none"))
                && support::find(&json["reports"][0], "dmarc.policy", Some("warn"))
                    .is_some_and(|f| f["summary"].as_str().unwrap().starts_with("p=none"));
            let allowed = |other: &str| {
                if monitoring && other == "dmarc.policy" {
                    rank("warn")
                } else {
                    1
                }
            };
            assert!(
                of(&after, id) <= allowed(id),
                "{case}: {id} not fixed by {}: {after:?}",
                finding["changes"]
            );
            for (other, _) in &after {
                assert!(
                    of(&after, other) <= of(&before, other).max(allowed(other)),
                    "{case}: fixing {id} made {other} worse: {before:?} → {after:?}"
                );
            }
            applied += 1;
        }
    }
    assert!(applied >= cases.len(), "{applied}");
}
