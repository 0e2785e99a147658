//! The public contract of the binary: JSON shape, exit codes, one-line usage errors,
//! `explain`, output styles and completions.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::{deliv, findings, run_json};

const DEMO: &[&str] = &["--zone", "fixtures/zones/demo.zone", "--offline"];

fn demo(args: &[&str]) -> std::process::Output {
    deliv().args(args).args(DEMO).output().expect("run deliv")
}

#[test]
fn json_document_has_the_documented_shape() {
    let (out, json) = run_json(
        deliv()
            .args([
                "check",
                "healthy.example",
                "broken.example",
                "--format",
                "json",
            ])
            .args(DEMO),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["deliv_version"], env!("CARGO_PKG_VERSION"));
    for key in [
        "queries",
        "network_queries",
        "zone_answers",
        "cache_hits",
        "wall_time_ms",
    ] {
        assert!(json["stats"][key].is_u64(), "stats.{key}");
    }
    assert_eq!(
        json["stats"]["network_queries"], 0,
        "offline asks no server"
    );
    let reports = json["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["domain"], "healthy.example");
    for (report, domain) in reports.iter().zip(["healthy.example", "broken.example"]) {
        assert_eq!(report["target"], domain);
        assert_eq!(report["kind"], "domain");
        assert_eq!(report["domain"], domain);
    }
    for report in reports {
        let checks = report["checks"].as_array().unwrap();
        let mut counted = std::collections::BTreeMap::new();
        for c in checks {
            let keys: BTreeSet<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from([
                    "id",
                    "area",
                    "status",
                    "summary",
                    "detail",
                    "evidence",
                    "remediation",
                    "changes",
                    "references"
                ]),
            );
            for change in c["changes"].as_array().unwrap() {
                for key in ["action", "name", "type", "data"] {
                    assert!(change[key].is_string(), "changes[].{key}: {change}");
                }
                assert!(["add", "replace", "remove"].contains(&change["action"].as_str().unwrap()));
            }
            let id = c["id"].as_str().unwrap();
            assert!(id.starts_with(&format!("{}.", c["area"].as_str().unwrap())));
            let status = c["status"].as_str().unwrap();
            assert!(["pass", "info", "warn", "fail", "error"].contains(&status));
            assert!(!c["summary"].as_str().unwrap().is_empty());
            assert!(c["references"].as_array().is_some_and(|r| !r.is_empty()));
            if status != "pass" {
                assert!(c["remediation"].is_string(), "{id} needs a remediation");
                assert!(
                    !c["evidence"].as_array().unwrap().is_empty(),
                    "{id} needs evidence"
                );
            }
            for e in c["evidence"].as_array().unwrap() {
                match e["kind"].as_str() {
                    Some("dns") => {
                        assert!(
                            e["name"].is_string()
                                && e["type"].is_string()
                                && e["result"].is_string()
                        );
                        assert_eq!(e["source"], "zone");
                    }
                    Some("note") => assert!(e["label"].is_string() && e["text"].is_string()),
                    other => panic!("evidence kind {other:?}"),
                }
            }
            *counted.entry(status.to_string()).or_insert(0u64) += 1;
        }
        for status in ["pass", "info", "warn", "fail", "error"] {
            assert_eq!(
                report["summary"][status].as_u64(),
                Some(*counted.get(status).unwrap_or(&0))
            );
        }
    }
}

#[test]
fn exit_codes() {
    assert_eq!(demo(&["check", "healthy.example"]).status.code(), Some(0));
    assert_eq!(demo(&["check", "broken.example"]).status.code(), Some(1));
    // Only warnings: clean by default, failing with --fail-on warn.
    let warn_only = [
        "check",
        "neutral.spf.test",
        "--only",
        "spf",
        "--zone",
        "fixtures/zones/spf.test.zone",
        "--offline",
    ];
    assert_eq!(
        deliv().args(warn_only).output().unwrap().status.code(),
        Some(0)
    );
    assert_eq!(
        deliv()
            .args(warn_only)
            .args(["--fail-on", "warn"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
    // A name outside every zone under --offline cannot be looked up: inconclusive.
    let out = deliv()
        .args([
            "check",
            "elsewhere.test",
            "--format",
            "json",
            "--zone",
            "fixtures/zones/spf.test.zone",
            "--offline",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses: BTreeSet<String> = findings(&json, 0)
        .into_iter()
        .map(|(_, status)| status)
        .collect();
    // Only what no lookup decides remains: the provider rules DNS cannot show are `info`.
    assert_eq!(
        statuses,
        BTreeSet::from(["error", "info"].map(String::from))
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let long_label = format!("{}.example", "a".repeat(64));
    let long_name = vec!["abcdefghij"; 24].join(".");
    let cases: Vec<Vec<String>> = [
        vec!["check", ""],
        vec!["check", "exa mple.com"],
        vec!["check", &long_label],
        vec!["check", &long_name],
        vec!["check", "192.0.2.1"],
        vec!["check", "[2001:db8::1]"],
        vec!["check", "a..b"],
        vec!["check", "example.com", "--resolver", "not-an-ip"],
        vec!["check", "example.com", "--resolver", "1.2.3"],
        vec!["check", "example.com", "--timeout", "0"],
        vec!["check", "example.com", "--only", "dnssec"],
        vec!["check", "example.com", "--only", "relay"],
        vec![
            "check",
            "example.com",
            "--zone",
            "fixtures/zones/does-not-exist.zone",
        ],
        vec!["check", "example.com", "--format", "xml"],
        vec!["check"],
        vec!["spf", "example.com", "--ip", "300.1.1.1"],
        vec!["spf", "example.com", "--sender", "a@b"],
        vec!["explain", "spf.nope"],
        vec!["frobnicate"],
    ]
    .iter()
    .map(|v| v.iter().map(ToString::to_string).collect())
    .collect();
    for args in cases {
        let out = deliv().args(&args).args(["--offline"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("deliv: error: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn zone_file_errors_name_the_line() {
    let dir = std::env::temp_dir().join(format!("deliv-zone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.zone");
    std::fs::write(
        &path,
        "$ORIGIN example.com.\n@ SOA ns h 1 2 3 4 5\nwww A 192.0.2.300\n",
    )
    .unwrap();
    let out = deliv()
        .args(["check", "example.com", "--offline", "--zone"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("bad.zone:3:") && stderr.contains("192.0.2.300"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn idn_and_trailing_dot_are_accepted() {
    let (out, json) = run_json(
        deliv()
            .args([
                "check",
                "bücher.example",
                "HEALTHY.example.",
                "--format",
                "json",
            ])
            .args(DEMO),
    );
    assert_eq!(json["reports"][0]["domain"], "xn--bcher-kva.example");
    assert_eq!(json["reports"][1]["domain"], "healthy.example");
    assert_eq!(
        out.status.code(),
        Some(1),
        "bücher.example does not exist in the demo zone"
    );
}

#[test]
fn areas_select_checks() {
    let (_, json) = run_json(
        deliv()
            .args([
                "check",
                "healthy.example",
                "--only",
                "mx",
                "--format",
                "json",
            ])
            .args(DEMO),
    );
    let areas: BTreeSet<String> = findings(&json, 0)
        .into_iter()
        .map(|(id, _)| id.split('.').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(areas, BTreeSet::from(["mx".to_string()]));
    let (_, json) = run_json(
        deliv()
            .args([
                "check",
                "healthy.example",
                "--skip",
                "mx",
                "--format",
                "json",
            ])
            .args(DEMO),
    );
    let areas: BTreeSet<String> = findings(&json, 0)
        .into_iter()
        .map(|(id, _)| id.split('.').next().unwrap_or_default().to_string())
        .collect();
    let others: BTreeSet<String> = [
        "spf",
        "dkim",
        "dmarc",
        "ptr",
        "dnsbl",
        "network",
        "compliance",
    ]
    .map(String::from)
    .into();
    assert_eq!(areas, others);
}

#[test]
fn explain_documents_every_check() {
    let (_, list) = run_json(deliv().args(["explain", "--list", "--format", "json"]));
    let ids: Vec<String> = list["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 20, "{ids:?}");
    for id in &ids {
        let out = deliv().args(["explain", id]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{id}");
        let text = String::from_utf8_lossy(&out.stdout);
        for section in [
            "## What it checks",
            "## Why it matters",
            "## How to fix",
            "## References",
        ] {
            assert!(text.contains(section), "{id} lacks {section}");
        }
        assert!(text.starts_with(&format!("# {id} ")), "{id}");
    }
    // Every id the demo emits is documented.
    let (_, json) = run_json(
        deliv()
            .args([
                "check",
                "broken.example",
                "healthy.example",
                "--format",
                "json",
            ])
            .args(DEMO),
    );
    for report in json["reports"].as_array().unwrap() {
        for c in report["checks"].as_array().unwrap() {
            assert!(ids.iter().any(|i| i == c["id"].as_str().unwrap()));
        }
    }
}

#[test]
fn human_output_is_plain_off_a_terminal_and_coloured_on_request() {
    let out = demo(&["check", "broken.example"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\u{1b}'), "no escape codes when piped");
    assert!(text.contains("FAIL") && text.contains("spf.lookup-limit") && text.contains("→ "));
    assert!(
        text.lines()
            .any(|l| l.starts_with("broken.example: ") && l.contains(" fail")),
        "{text}"
    );
    let coloured = deliv()
        .args(["check", "broken.example", "--color", "always"])
        .args(DEMO)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&coloured.stdout).contains('\u{1b}'));
    let stats = demo(&["check", "healthy.example", "--stats"]);
    assert!(String::from_utf8_lossy(&stats.stderr).contains("DNS questions"));
}

#[test]
fn committed_completions_match_the_cli() {
    for (shell, file) in [
        ("bash", "deliv.bash"),
        ("zsh", "_deliv"),
        ("fish", "deliv.fish"),
    ] {
        let out = deliv().args(["completions", shell]).output().unwrap();
        let committed = std::fs::read(format!("{}/completions/{file}", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|_| panic!("completions/{file} missing: run `deliv completions {shell} > completions/{file}`"));
        assert!(
            out.stdout == committed,
            "completions/{file} is stale: run `deliv completions {shell} > completions/{file}`"
        );
    }
}

#[test]
fn readme_documents_every_check_id() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let (_, list) = run_json(deliv().args(["explain", "--list", "--format", "json"]));
    for c in list["checks"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        assert!(
            readme.contains(&format!("| `{id}` |")),
            "README's check table lacks {id}"
        );
    }
}

#[test]
fn text_from_dns_never_reaches_the_terminal_raw() {
    let out = deliv()
        .args([
            "check",
            "hostile.test",
            "--zone",
            "fixtures/zones/hostile.test.zone",
            "--offline",
            "--no-dnsbl",
            "--selector",
            "default",
            "--color",
            "never",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    for (raw, what) in [
        ('\u{1b}', "ESC"),
        ('\u{7}', "BEL"),
        ('\u{9b}', "C1 CSI"),
        ('\u{202e}', "right-to-left override"),
    ] {
        assert!(!text.contains(raw), "{what} reached the terminal:\n{text}");
    }
    // Shown, not dropped: the reader sees what the record holds.
    for shown in [r"\x1b]52;c;", r"\x07", r"\x1b[2J", r"\u{202e}", r"\u{9b}"] {
        assert!(text.contains(shown), "{shown} not shown:\n{text}");
    }
    // JSON keeps the text exact, escaped as JSON escapes it.
    let (_, json) = run_json(deliv().args([
        "check",
        "hostile.test",
        "--zone",
        "fixtures/zones/hostile.test.zone",
        "--offline",
        "--no-dnsbl",
        "--format",
        "json",
    ]));
    assert!(json.to_string().contains(r"\u001b]52;c;"), "{json}");
}

#[test]
fn what_is_not_a_domain_is_refused_with_the_domain_meant() {
    for (arg, says) in [
        ("user@example.com", "give its domain: example.com"),
        ("http://example.com/path", "give its domain: example.com"),
        ("example.com:25", "give the domain alone: example.com"),
        ("a/b.com", "path"),
        ("*.example.com", "wildcard"),
        ("foo\"bar.com", "cannot appear"),
        ("xn--zz.example", "punycode"),
        ("_dmarc.example.com", "give the domain: example.com"),
        // An option after `--` is a domain argument, never an option quietly dropped.
        ("--offline", "put it before the domains"),
    ] {
        let out = deliv()
            .args(["check", "--offline", "--", arg])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{arg}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{arg}: {stderr}");
        assert!(stderr.contains(says), "{arg}: {stderr}");
    }
}

#[test]
fn endless_or_binary_zone_input_is_refused_at_once() {
    let out = deliv()
        .args(["check", "example.com", "--offline", "--zone", "/dev/zero"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/dev/zero:1"), "{stderr}");
}
