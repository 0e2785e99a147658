//! Shared by the integration tests: a loopback DNS server and a way to run the binary.

#![allow(dead_code)] // each test binary uses part of this module

pub mod dns;

use std::process::{Command, Output};

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

/// (id, status) of each finding of the report at `index`.
pub fn findings(json: &serde_json::Value, index: usize) -> Vec<(String, String)> {
    json["reports"][index]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                c["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The finding of the report at `index` with this id.
pub fn finding(json: &serde_json::Value, index: usize, id: &str) -> serde_json::Value {
    json["reports"][index]["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("no finding {id} in {json}"))
}

pub fn has(findings: &[(String, String)], id: &str, status: &str) -> bool {
    findings.iter().any(|(i, s)| i == id && s == status)
}
