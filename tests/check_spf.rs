//! SPF lint and `deliv spf` end to end: the binary against a loopback DNS server serving
//! fixtures/zones/spf.test.zone, with faults injected where a case needs them.

mod support;

use deliv::dns::RType;
use serde_json::Value;
use support::dns::{Fault, TestDns};
use support::zone_edit::{ZoneText, rank, worst_statuses};
use support::{deliv, finding, findings, has, run, run_faulty, run_json, subject_verdicts};

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
    // A malformed domain evaluates to none; a null or local-part-less sender is
    // postmaster@ the domain (RFC 7208 §4.3), which good.spf.test authorises for 192.0.2.9.
    for (domain, sender, helo, want) in [
        ("[1.2.3.5]", "foo@[1.2.3.5]", "OEMCOMPUTER", "none"),
        (&format!("{}.example", "a".repeat(64)), "x@y", "h", "none"),
        ("good.spf.test", "", "mx.good.spf.test", "pass"),
        ("good.spf.test", "@good.spf.test", "", "pass"),
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
        assert_eq!(json["result"], want, "{domain}");
        assert_eq!(code, if want == "pass" { 0 } else { 1 }, "{domain}");
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

/// The verdict cases of fixtures/zones/spf-verdicts.zone, with the faults some of them meet.
fn verdicts_server() -> TestDns {
    let server = TestDns::with_fixture_zones(&["spf-verdicts.zone"]);
    server.fault("broken-host.spfv.test", None, Fault::ServFail);
    server.fault("slow-host.spfv.test", Some(RType::A), Fault::Timeout);
    server.fault("broken-inc.spfv.test", Some(RType::Txt), Fault::ServFail);
    server
}

/// `check CASE.spfv.test --only spf`: the report's (id, status, summary) and the document.
fn lint_case(server: &TestDns, case: &str) -> (Vec<(String, String, String)>, i32, Value) {
    let name = format!("{case}.spfv.test");
    let run = if case.contains("fail") {
        run_faulty
    } else {
        run
    };
    let (code, json) = run(server, &["check", &name, "--only", "spf"]);
    (subject_verdicts(&json, &name), code, json)
}

/// The worst status among a report's findings of one check.
fn worst(verdicts: &[(String, String, String)], id: &str) -> Option<String> {
    const ORDER: [&str; 5] = ["pass", "info", "warn", "error", "fail"];
    verdicts
        .iter()
        .filter(|(i, _, _)| i == id)
        .map(|(_, s, _)| s.clone())
        .max_by_key(|s| ORDER.iter().position(|o| o == s))
}

fn summaries<'a>(verdicts: &'a [(String, String, String)], id: &str) -> Vec<&'a str> {
    verdicts
        .iter()
        .filter(|(i, _, _)| i == id)
        .map(|(_, _, s)| s.as_str())
        .collect()
}

#[test]
fn terms_that_pass_everyone_fail_anywhere_in_the_tree_with_their_path() {
    let server = verdicts_server();
    let cases = [
        (
            "a0",
            "fail",
            "'a/0' passes every IPv4 address: a0.spfv.test → a/0",
        ),
        ("mx0", "fail", "'mx/0' passes every IPv4 address"),
        ("v6all", "fail", "'ip6:::/0' passes every IPv6 address"),
        (
            "a6",
            "fail",
            "'a:host6.spfv.test//0' passes every IPv6 address",
        ),
        (
            "incall",
            "fail",
            "incall.spfv.test → include:open.spfv.test → +all",
        ),
        (
            "inc4",
            "fail",
            "inc4.spfv.test → include:everyone4.spfv.test → ip4:0.0.0.0/0",
        ),
        (
            "deepall",
            "fail",
            "deepall.spfv.test → include:deep1.spfv.test → include:deep2.spfv.test → include:open.spfv.test → +all",
        ),
        (
            "redirall",
            "fail",
            "redirall.spfv.test → redirect=open.spfv.test → +all",
        ),
        (
            "existslit",
            "fail",
            "'exists:host.spfv.test' passes every address",
        ),
        ("a4", "fail", "a huge IPv4 range (/4) around each address"),
        (
            "a8",
            "warn",
            "a very broad IPv4 range (/8) around each address",
        ),
        ("existsmacro", "info", "depends on each message"),
        // A failing or neutral include of a record that passes everyone authorises no one.
        (
            "minusinc",
            "pass",
            "no term in the tree passes every address",
        ),
        (
            "softall",
            "pass",
            "no term in the tree passes every address",
        ),
    ];
    for (case, status, text) in cases {
        let (verdicts, code, _) = lint_case(&server, case);
        assert_eq!(
            worst(&verdicts, "spf.broad-range").as_deref(),
            Some(status),
            "{case}: {verdicts:?}"
        );
        assert!(
            summaries(&verdicts, "spf.broad-range")
                .iter()
                .any(|s| s.contains(text)),
            "{case}: no summary with {text:?}: {verdicts:?}"
        );
        if status == "fail" {
            assert_eq!(code, 1, "{case}");
        }
    }
}

#[test]
fn check_host_pass_from_a_tree_that_passes_everyone_is_not_a_clean_pass() {
    let server = verdicts_server();
    // The pass comes from the match-all term itself.
    let (code, json) = run(&server, &["spf", "a0.spfv.test", "--ip", "203.0.113.7"]);
    assert_eq!(
        json["result"], "pass",
        "the RFC result is reported as it is"
    );
    assert_eq!(json["status"], "fail");
    assert_eq!(json["permissive"]["term"], "a/0");
    assert_eq!(json["permissive"]["decided"], true);
    assert_eq!(code, 1);
    // Through an include, at depth.
    let (_, json) = run(
        &server,
        &["spf", "deepall.spfv.test", "--ip", "203.0.113.7"],
    );
    assert_eq!(
        (json["result"].as_str(), json["status"].as_str()),
        (Some("pass"), Some("fail"))
    );
    assert!(
        json["path"]
            .as_str()
            .unwrap()
            .ends_with("include:open.spfv.test → +all"),
        "{json}"
    );
    // The address is listed, but the tree passes everyone elsewhere.
    let (code, json) = run(&server, &["spf", "incall.spfv.test", "--ip", "192.0.2.5"]);
    assert_eq!(json["result"], "pass");
    assert_eq!(json["mechanism"], "ip4:192.0.2.0/24");
    assert_eq!(json["status"], "fail");
    assert_eq!(json["permissive"]["decided"], false);
    assert_eq!(
        json["permissive"]["path"],
        "incall.spfv.test → include:open.spfv.test → +all"
    );
    assert_eq!(code, 1);
    let out = deliv()
        .args(["spf", "incall.spfv.test", "--ip", "192.0.2.5", "--resolver"])
        .arg(server.resolver_arg())
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("not a clean pass"), "{human}");
    // A neutral include of the same record leaves a clean pass.
    let (code, json) = run(&server, &["spf", "softall.spfv.test", "--ip", "192.0.2.1"]);
    assert_eq!(
        (json["result"].as_str(), json["status"].as_str()),
        (Some("pass"), Some("pass"))
    );
    assert!(json["permissive"].is_null());
    assert_eq!(code, 0);
}

#[test]
fn lookups_that_failed_make_the_checks_that_need_them_error() {
    let server = verdicts_server();
    // An MX host's addresses SERVFAIL: evaluation says temperror, the lint cannot pass.
    let (verdicts, code, json) = lint_case(&server, "mxfail");
    assert_eq!(
        worst(&verdicts, "spf.never-matches").as_deref(),
        Some("error"),
        "{verdicts:?}"
    );
    assert!(json.to_string().contains("broken-host.spfv.test"));
    assert_eq!(code, 3);
    let (code, json) = run(&server, &["spf", "mxfail.spfv.test", "--ip", "203.0.113.7"]);
    assert_eq!(json["result"], "temperror");
    assert_eq!(code, 3);
    // An `a` target times out.
    let (verdicts, code, _) = lint_case(&server, "afail");
    for id in ["spf.void-lookups", "spf.never-matches"] {
        assert_eq!(
            worst(&verdicts, id).as_deref(),
            Some("error"),
            "{id}: {verdicts:?}"
        );
    }
    assert_eq!(code, 3);
    // An included record SERVFAILs: what it authorises is unknown.
    let (verdicts, code, _) = lint_case(&server, "incfail");
    for id in ["spf.include-target", "spf.broad-range", "spf.lookup-limit"] {
        assert_eq!(
            worst(&verdicts, id).as_deref(),
            Some("error"),
            "{id}: {verdicts:?}"
        );
    }
    assert_eq!(code, 3);
}

#[test]
fn terms_that_can_never_match_warn_naming_the_term() {
    let server = verdicts_server();
    let cases = [
        (
            "mxnoaddr",
            "spf.never-matches",
            "'mx' can never match: no MX host of mxnoaddr.spfv.test has an address (noaddr.spfv.test)",
        ),
        (
            "mxnull",
            "spf.never-matches",
            "'mx' can never match: mxnull.spfv.test has a null MX",
        ),
        ("anoaddr", "spf.void-lookups", "'a:noaddr.spfv.test'"),
        (
            "late",
            "spf.never-matches",
            "'include:provider.spfv.test', '-all' after '-all' never evaluated",
        ),
    ];
    for (case, id, text) in cases {
        let (verdicts, _, _) = lint_case(&server, case);
        assert_eq!(
            worst(&verdicts, id).as_deref(),
            Some("warn"),
            "{case}: {verdicts:?}"
        );
        assert!(
            summaries(&verdicts, id).iter().any(|s| s.contains(text)),
            "{case}: {verdicts:?}"
        );
    }
    // Evaluation agrees: the term authorises nothing.
    let (_, json) = run(
        &server,
        &["spf", "mxnoaddr.spfv.test", "--ip", "192.0.2.10"],
    );
    assert_eq!(json["result"], "fail");
}

#[test]
fn records_that_look_like_spf_are_never_silently_accepted() {
    let server = verdicts_server();
    let cases = [
        ("oddcase", "warn", "most receivers read it"),
        (
            "twinlead",
            "warn",
            "beside it, \" v=spf1 +all\": every receiver discards it",
        ),
        ("senderid", "info", "Sender ID"),
        (
            "glued",
            "fail",
            "no SPF record receivers read: \"v=spf1ip4:192.0.2.1 -all\"",
        ),
        (
            "nov",
            "fail",
            "no SPF record receivers read: \"spf1 ip4:192.0.2.1 -all\"",
        ),
        ("quoted", "fail", "no SPF record receivers read"),
        ("twocase", "fail", "publishes 2 SPF records"),
    ];
    for (case, status, text) in cases {
        let (verdicts, _, _) = lint_case(&server, case);
        assert_eq!(
            worst(&verdicts, "spf.record").as_deref(),
            Some(status),
            "{case}: {verdicts:?}"
        );
        assert!(
            summaries(&verdicts, "spf.record")
                .iter()
                .any(|s| s.contains(text)),
            "{case}: {verdicts:?}"
        );
    }
    // Evaluation reads them the same way: a version in another case is a record (so two of
    // them are permerror), a mistyped version is none.
    for (case, result) in [
        ("oddcase", "pass"),
        ("twocase", "permerror"),
        ("glued", "none"),
    ] {
        let (_, json) = run(
            &server,
            &["spf", &format!("{case}.spfv.test"), "--ip", "192.0.2.1"],
        );
        assert_eq!(json["result"], result, "{case}");
    }
}

/// `deliv check DOMAIN --only spf --zone FILE --offline --format json`: exit code, document
/// and the byte sizes of the JSON and of the human output.
fn offline(domain: &str, zone: &str) -> (i32, Value, usize, usize) {
    let args = [
        "check",
        domain,
        "--only",
        "spf",
        "--zone",
        zone,
        "--offline",
    ];
    let (out, json) = support::run_json(deliv().args(args).args(["--format", "json"]));
    let human = deliv().args(args).output().unwrap();
    assert!(human.status.code().is_some(), "human run ended by a signal");
    (
        out.status.code().unwrap_or(-1),
        json,
        out.stdout.len(),
        human.stdout.len(),
    )
}

#[test]
fn a_fan_out_of_shared_includes_is_walked_once_and_printed_once() {
    // 15 records, each including the next four times: 4^14 paths through 15 records.
    let (code, json, json_size, human_size) = offline("fan.test", "fixtures/zones/spf-fanout.zone");
    assert_eq!(code, 1);
    assert!(json_size < 100_000, "JSON is {json_size} bytes");
    assert!(human_size < 50_000, "human output is {human_size} bytes");
    let limit = finding(&json, 0, "spf.lookup-limit");
    assert_eq!(limit["status"], "fail");
    assert!(
        limit["summary"]
            .as_str()
            .unwrap()
            .starts_with("more than 10 DNS lookups"),
        "{limit}"
    );
    let tree = limit.to_string();
    assert!(tree.contains("include:r1.fan.test — more than 10 lookup(s) below (shown above)"));
    // Each record is asked for once, and only those evaluation could reach within the limit.
    let queries = json["stats"]["queries"].as_u64().unwrap();
    assert!(queries <= 15, "{queries} questions");
    assert!(
        !has(&findings(&json, 0), "spf.include-loop", "fail"),
        "no loop here"
    );
    // check_host stops at the limit too.
    let (out, json) = support::run_json(deliv().args([
        "spf",
        "fan.test",
        "--ip",
        "192.0.2.1",
        "--zone",
        "fixtures/zones/spf-fanout.zone",
        "--offline",
        "--format",
        "json",
    ]));
    assert_eq!(json["result"], "permerror");
    assert!(out.stdout.len() < 100_000);
}

#[test]
fn a_long_chain_is_over_the_limit_and_only_a_cycle_is_a_loop() {
    let (code, json, json_size, _) = offline("chain.test", "fixtures/zones/spf-chain.zone");
    assert_eq!(code, 1);
    assert!(json_size < 100_000, "JSON is {json_size} bytes");
    let checks = findings(&json, 0);
    assert!(has(&checks, "spf.lookup-limit", "fail"), "{checks:?}");
    assert!(
        !checks.iter().any(|(id, _)| id == "spf.include-loop"),
        "21 records in a row are not a loop: {checks:?}"
    );
    assert!(
        json.to_string()
            .contains("include:c11.chain.test — not followed: it would be lookup 11 or later")
    );
    let server = verdicts_server();
    let (verdicts, _, json) = lint_case(&server, "loopa");
    assert_eq!(
        worst(&verdicts, "spf.include-loop").as_deref(),
        Some("fail")
    );
    let finding = support::finding_of(&json, "loopa.spfv.test", "spf.include-loop", "fail");
    assert!(
        finding["summary"]
            .as_str()
            .unwrap()
            .contains("loopa.spfv.test → include:loopb.spfv.test → include:loopa.spfv.test"),
        "{finding}"
    );
    assert!(
        finding["remediation"]
            .as_str()
            .unwrap()
            .contains("'include:loopa.spfv.test' from the record of loopb.spfv.test")
    );
}

/// A placeholder's value in this file's zone.
fn value(placeholder: &str) -> String {
    if placeholder.contains("IPV6") {
        "2001:db8::1"
    } else if placeholder.contains("IPV4") {
        "192.0.2.1"
    } else {
        "provider.spfv.test"
    }
    .to_string()
}

/// The worst status of each check id for a domain, checked offline against a zone file.
fn statuses(domain: &str, zone: &std::path::Path) -> (Vec<(String, String)>, Value) {
    let (_, json) = support::run_json(
        deliv()
            .args(["check", domain, "--only", "spf", "--zone"])
            .arg(zone)
            .args(["--offline", "--format", "json"]),
    );
    (worst_statuses(&json), json)
}

#[test]
fn remediations_applied_as_written_fix_their_finding_and_worsen_nothing() {
    let original = ZoneText::read("fixtures/zones/spf-verdicts.zone");
    let dir = std::env::temp_dir();
    let cases = [
        "a0",
        "mx0",
        "v6all",
        "a6",
        "incall",
        "inc4",
        "deepall",
        "redirall",
        "existslit",
        "a4",
        "a8",
        "mxnoaddr",
        "mxnull",
        "anoaddr",
        "late",
        "oddcase",
        "twinlead",
        "glued",
        "nov",
        "quoted",
        "twocase",
        "withmx",
        "onlya",
        "nullmx",
        "nothing",
        "tilde",
        "spaced",
        "nocolon",
        "iphost",
        "tworedirect",
        "loopa",
        "voids",
        "plusend",
        "neutralend",
        "noend",
        "spftype",
    ];
    let fixture = std::path::Path::new("fixtures/zones/spf-verdicts.zone");
    let mut applied = 0;
    for case in cases {
        let domain = format!("{case}.spfv.test");
        let (before, json) = statuses(&domain, fixture);
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
            let mut zone = original.clone();
            for change in finding["changes"].as_array().unwrap() {
                zone.apply(change, &value);
            }
            let path = dir.join(format!(
                "deliv-spf-{}-{case}-{applied}.zone",
                std::process::id()
            ));
            zone.write(&path);
            let (after, _) = statuses(&domain, &path);
            std::fs::remove_file(&path).ok();
            let id = finding["id"].as_str().unwrap();
            let rank = |list: &[(String, String)], id: &str| {
                list.iter()
                    .find(|(i, _)| i == id)
                    .map_or(0, |(_, s)| rank(s))
            };
            assert!(
                rank(&after, id) <= 1,
                "{case}: {id} not fixed by {}: {after:?}",
                finding["changes"]
            );
            for (other, _) in &after {
                assert!(
                    rank(&after, other) <= rank(&before, other).max(1),
                    "{case}: fixing {id} made {other} worse: {before:?} → {after:?}"
                );
            }
            applied += 1;
        }
    }
    assert!(applied >= cases.len());
}
