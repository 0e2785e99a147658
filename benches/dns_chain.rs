//! Wall time against DNS latency: every answer from a loopback server is delayed by 50 ms,
//! and `deliv check deep.spf.test --only mx,spf` (an SPF include chain four deep, plus MX
//! and MX hosts) is timed. With lookups started as soon as their parent answers, the time
//! follows the longest chain of dependent answers (here six: the domain's TXT, four
//! includes, the last record's `a:` targets), not the number of queries.
//!
//! When `checkdmarc` (PyPI) is installed, it is timed on the same server in the same run.
//! It only speaks to port 53, so the server then listens on 127.0.0.1:53 (needs root).
//!
//! Run: `cargo bench --bench dns_chain` (optionally `DELIV_BENCH_RUNS=N`).

#[path = "../tests/support/dns.rs"]
mod dns;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use dns::TestDns;

const DELAY: Duration = Duration::from_millis(50);
const DOMAIN: &str = "deep.spf.test";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs `cmd` `runs` times; the median wall time and the questions the server saw per run.
fn measure(
    server: &TestDns,
    runs: usize,
    mut cmd: impl FnMut() -> Command,
) -> (Duration, usize, usize) {
    let mut times = Vec::new();
    let (mut total, mut distinct) = (0, 0);
    for _ in 0..runs {
        server.clear_log();
        let start = Instant::now();
        let out = cmd().output().expect("run the command");
        times.push(start.elapsed());
        assert!(out.status.code().is_some(), "the command was killed");
        let log = server.queries();
        total = log.len();
        distinct = log.iter().collect::<BTreeSet<_>>().len();
    }
    (median(times), total, distinct)
}

fn main() {
    let runs: usize = std::env::var("DELIV_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let zones = vec![dns::fixture_zone("spf.test.zone")];
    let checkdmarc = Command::new("checkdmarc")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let port53: SocketAddr = "127.0.0.1:53".parse().expect("address");
    let server = if checkdmarc && std::net::UdpSocket::bind(port53).is_ok() {
        TestDns::start_at(Some(port53), zones)
    } else {
        TestDns::start(zones)
    };
    server.set_delay(DELAY);

    println!(
        "every DNS answer delayed by {} ms; median of {runs} runs",
        DELAY.as_millis()
    );
    println!(
        "{:<44} {:>9} {:>9} {:>9}",
        "command", "wall ms", "queries", "distinct"
    );
    let deliv = measure(&server, runs, || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_deliv"));
        c.args([
            "check",
            DOMAIN,
            "--only",
            "mx,spf",
            "--format",
            "json",
            "--resolver",
            &server.resolver_arg(),
        ]);
        c
    });
    println!(
        "{:<44} {:>9} {:>9} {:>9}",
        "deliv check --only mx,spf",
        deliv.0.as_millis(),
        deliv.1,
        deliv.2
    );

    if server.addr.port() == 53 {
        let peer = measure(&server, runs.min(3), || {
            let mut c = Command::new("checkdmarc");
            c.args([DOMAIN, "-n", "127.0.0.1", "-t", "5"]);
            c
        });
        println!(
            "{:<44} {:>9} {:>9} {:>9}",
            "checkdmarc (all of its checks)",
            peer.0.as_millis(),
            peer.1,
            peer.2
        );
    } else {
        println!(
            "checkdmarc not measured: install it (`pip install checkdmarc`) and run as root so port 53 is free"
        );
    }
}
