//! Interop with BIND 9: the fixture zones are real master files that `named` loads and
//! serves on loopback, and deliv reaches the same verdicts from the real server as from
//! `--zone --offline`. Needs `named` and `named-checkzone` (Debian's bind9, bind9-utils):
//! `.ci/run` installs them and runs these with `--ignored`.

mod support;

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{FAULT_TIMEOUT, TIMEOUT, deliv, run_json, run_with, verdicts};

/// Every fixture zone BIND serves: (apex, file), the apex from the file's `$ORIGIN`. The
/// draft zone is left out: it holds what a server refuses, for deliv to say why.
fn zones() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(fixture(""))
        .unwrap()
        .filter_map(|e| {
            let file = e.ok()?.file_name().into_string().ok()?;
            if !file.ends_with(".zone") || file == "draft.test.zone" {
                return None;
            }
            let text = std::fs::read_to_string(fixture(&file)).ok()?;
            let origin = text
                .lines()
                .find_map(|l| l.strip_prefix("$ORIGIN"))?
                .trim()
                .trim_end_matches('.')
                .to_string();
            let apex = if origin.is_empty() {
                ".".to_string()
            } else {
                origin
            };
            Some((apex, file))
        })
        .collect();
    out.sort();
    assert!(out.len() >= 13, "fixture zones: {out:?}");
    out
}

fn fixture(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/zones")
        .join(file)
}

struct Named {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Named {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start_named() -> Named {
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("deliv-named-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let zones: String = zones()
        .iter()
        .map(|(apex, file)| {
            format!(
                "zone \"{apex}\" {{ type primary; file \"{}\"; }};\n",
                fixture(file).display()
            )
        })
        .collect();
    let conf = format!(
        "options {{ directory \"{dir}\"; pid-file none; session-keyfile \"{dir}/session.key\";\n\
         listen-on port {port} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }};\n\
         recursion no; dnssec-validation no; check-mx warn; }};\n{zones}",
        dir = dir.display()
    );
    let conf_path = dir.join("named.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let child = Command::new("named")
        .args(["-g", "-4", "-c"])
        .arg(&conf_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("named (Debian package bind9) must be installed: .ci/run installs it");
    let named = Named { child, port, dir };
    // Ready when it answers authoritatively for a fixture name.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (code, json) = run_with(
            &named.addr(),
            FAULT_TIMEOUT,
            &["check", "good.mx.test", "--only", "mx"],
        );
        if code == 0 && json["reports"][0]["checks"][0]["status"] == "pass" {
            return named;
        }
        assert!(
            Instant::now() < deadline,
            "named did not start serving the fixture zones"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

impl Named {
    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// (id, status, summary) of every finding: what must not depend on where answers came from.
fn all_verdicts(json: &Value) -> Vec<Vec<(String, String, String)>> {
    json["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(verdicts)
        .collect()
}

#[test]
#[ignore = "needs BIND (named); run by .ci/run"]
fn fixture_zones_are_valid_master_files() {
    for (apex, file) in zones() {
        let out = Command::new("named-checkzone")
            .args(["-q", &apex])
            .arg(fixture(&file))
            .output()
            .expect("named-checkzone");
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // The draft zone is the one a server refuses and deliv reads anyway, to say why.
    let out = Command::new("named-checkzone")
        .args(["-q", "draft.test"])
        .arg(fixture("draft.test.zone"))
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "BIND should refuse the over-long TXT string"
    );
}

#[test]
#[ignore = "needs BIND (named); run by .ci/run"]
fn a_real_server_and_the_zone_overlay_give_the_same_verdicts() {
    let named = start_named();
    let domains = [
        "healthy.example",
        "broken.example",
        "good.mx.test",
        "cname.mx.test",
        "null-badspf.mx.test",
        "nxhost.mx.test",
        "toomany.spf.test",
        "loop.spf.test",
        "spftype.spf.test",
        "void.spf.test",
        "good.dkim.test",
        "rsa512.dkim.test",
        "ed25519.dkim.test",
        "alias.dkim.test",
        "deadalias.dkim.test",
        "twokeys.dkim.test",
        "good.dmarc.test",
        "multi.dmarc.test",
        "bad-rua.dmarc.test",
        "extok.dmarc.test",
        "extmissing.dmarc.test",
        "mail.example.co.uk",
        "derive.ip.test",
        "listed.ip.test",
        "deepall.spfv.test",
        "mxnoaddr.spfv.test",
        "loopa.spfv.test",
        "fan.test",
        "hostile.test",
    ];
    let (_, live) = run_with(&named.addr(), TIMEOUT, &[&["check"], &domains[..]].concat());
    let mut offline = deliv();
    offline
        .args(["check", "--format", "json", "--offline"])
        .args(domains);
    for (_, file) in zones() {
        offline.arg("--zone").arg(fixture(&file));
    }
    let (_, from_files) = run_json(&mut offline);
    assert_eq!(all_verdicts(&live), all_verdicts(&from_files));
    assert!(live["stats"]["network_queries"].as_u64().unwrap() > 20);
    assert_eq!(from_files["stats"]["network_queries"], 0);
}

#[test]
#[ignore = "needs BIND (named); run by .ci/run"]
fn check_host_against_a_real_server() {
    let named = start_named();
    let (code, json) = run_with(
        &named.addr(),
        TIMEOUT,
        &[
            "spf",
            "good.spf.test",
            "--ip",
            "198.51.100.20",
            "--sender",
            "bounce@good.spf.test",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(json["result"], "pass");
    let (_, json) = run_with(
        &named.addr(),
        TIMEOUT,
        &["spf", "toomany.spf.test", "--ip", "203.0.113.5"],
    );
    assert_eq!(json["result"], "permerror");
}
