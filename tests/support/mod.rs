//! Shared by the integration tests: a loopback DNS server and a way to run the binary.

#![allow(dead_code)] // each test binary uses part of this module

pub mod dns;
pub mod https;
pub mod smtp;
pub mod tls;
pub mod zone_edit;

use std::process::{Command, Output};

use dns::TestDns;

/// Seconds each DNS answer may take in a run against the loopback server: generous, because a
/// loaded machine is slow and the resolver resends after half of it.
pub const TIMEOUT: &str = "5";
/// For runs that meet an injected timeout, so that they end quickly.
pub const FAULT_TIMEOUT: &str = "1";

/// The built `deliv` binary, with an environment that cannot leak in settings or colour.
pub fn deliv() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deliv"));
    cmd.env_remove("DELIV_RESOLVER")
        .env_remove("DELIV_SPAMHAUS_KEY")
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs the binary and parses its stdout as JSON.
pub fn run_json(cmd: &mut Command) -> (Output, serde_json::Value) {
    let out = cmd.output().expect("run deliv");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, json)
}

/// `deliv ARGS --format json` asking the DNS server at `resolver` (a loopback address) with
/// `timeout` seconds per answer: the exit code and the document.
pub fn run_with(resolver: &str, timeout: &str, args: &[&str]) -> (i32, serde_json::Value) {
    let (out, json) = run_json(deliv().args(args).args([
        "--resolver",
        resolver,
        "--timeout",
        timeout,
        "--format",
        "json",
    ]));
    (out.status.code().unwrap_or(-1), json)
}

/// [`run_with`] for runs that meet no injected timeout.
pub fn run(server: &TestDns, args: &[&str]) -> (i32, serde_json::Value) {
    run_with(&server.resolver_arg(), TIMEOUT, args)
}

/// [`run_with`] for runs that meet an injected timeout.
pub fn run_faulty(server: &TestDns, args: &[&str]) -> (i32, serde_json::Value) {
    run_with(&server.resolver_arg(), FAULT_TIMEOUT, args)
}

/// The report whose `target` is `subject` (a domain, or an address for `deliv ip`).
pub fn report<'a>(json: &'a serde_json::Value, subject: &str) -> &'a serde_json::Value {
    json["reports"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["target"] == subject))
        .unwrap_or_else(|| panic!("no report for {subject}: {json}"))
}

/// (id, status, summary) of each finding of a report.
pub fn verdicts(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (field("id"), field("status"), field("summary"))
        })
        .collect()
}

/// (id, status) of each finding of the report at `index`.
pub fn findings(json: &serde_json::Value, index: usize) -> Vec<(String, String)> {
    verdicts(&json["reports"][index])
        .into_iter()
        .map(|(id, status, _)| (id, status))
        .collect()
}

/// The first finding of a report with this id and, when given, this status.
pub fn find<'a>(
    report: &'a serde_json::Value,
    id: &str,
    status: Option<&str>,
) -> Option<&'a serde_json::Value> {
    report["checks"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == id && status.is_none_or(|s| c["status"] == s))
}

/// The finding of the report at `index` with this id.
pub fn finding(json: &serde_json::Value, index: usize, id: &str) -> serde_json::Value {
    find(&json["reports"][index], id, None)
        .cloned()
        .unwrap_or_else(|| panic!("no finding {id} in {json}"))
}

/// The (id, status) of a finding as the helpers above give it.
pub trait Verdict {
    fn id_status(&self) -> (&str, &str);
}

impl Verdict for (String, String) {
    fn id_status(&self) -> (&str, &str) {
        (&self.0, &self.1)
    }
}

impl Verdict for (String, String, String) {
    fn id_status(&self) -> (&str, &str) {
        (&self.0, &self.1)
    }
}

pub fn has(findings: &[impl Verdict], id: &str, status: &str) -> bool {
    findings.iter().any(|f| f.id_status() == (id, status))
}

/// (id, status, summary) of each finding in the report for `subject`.
pub fn subject_verdicts(json: &serde_json::Value, subject: &str) -> Vec<(String, String, String)> {
    verdicts(report(json, subject))
}

/// The first finding with this id and status in the report for `subject`.
pub fn finding_of<'a>(
    json: &'a serde_json::Value,
    subject: &str,
    id: &str,
    status: &str,
) -> &'a serde_json::Value {
    find(report(json, subject), id, Some(status))
        .unwrap_or_else(|| panic!("{subject}: no {id}={status} in {json}"))
}
