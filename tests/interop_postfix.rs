//! Interop with Postfix: the prober against a real MTA on loopback (`.ci/postfix.sh`), one
//! listener an open relay, one closed with STARTTLS and a self-signed certificate, every
//! transport set to discard. Postfix's own log proves the prober never had a message queued
//! and ended each session with RSET and QUIT. Needs root and Debian's postfix
//! (`.ci/postfix.sh install`); run with `--ignored`. Without Postfix each test says it was
//! skipped.

mod support;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use deliv::dns::Name;
use deliv::smtp::{
    CertProblem, Channel, Probe, ProbeConfig, RecipientForm, RelayVerdict, StartTls, Verdict, probe,
};

/// The name the instance gives itself and puts in its certificate.
const HOST: &str = "mx.postfix.test.example";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/postfix.sh")
}

struct Postfix {
    dir: PathBuf,
    open: SocketAddr,
    closed: SocketAddr,
}

impl Postfix {
    /// Starts a private instance, or says why not and returns `None` when Postfix is absent.
    fn start() -> Option<Postfix> {
        if !Path::new("/usr/sbin/postfix").exists() {
            eprintln!(
                "SKIPPED: Postfix is not installed; `.ci/postfix.sh install` installs it (as root)"
            );
            return None;
        }
        let free_port = || {
            TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
        };
        let (open, closed) = (free_port(), free_port());
        let dir = std::env::temp_dir().join(format!(
            "deliv-postfix-{}-{}",
            std::process::id(),
            open.port()
        ));
        let status = Command::new(script())
            .arg("start")
            .arg(&dir)
            .arg(open.port().to_string())
            .arg(closed.port().to_string())
            .status()
            .expect("run .ci/postfix.sh");
        let postfix = Postfix { dir, open, closed };
        assert!(
            status.success(),
            "postfix did not start:\n{}",
            postfix.log()
        );
        // Ready when both listeners accept connections.
        let deadline = Instant::now() + Duration::from_secs(20);
        while [open, closed]
            .iter()
            .any(|a| TcpStream::connect(a).is_err())
        {
            assert!(
                Instant::now() < deadline,
                "postfix is not listening:\n{}",
                postfix.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(postfix)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("maillog")).unwrap_or_default()
    }

    /// The log lines of one listener (`open` or `closed`), once its session has ended.
    fn session_log(&self, listener: &str) -> Vec<String> {
        let tag = format!("postfix/{listener}/smtpd[");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let lines: Vec<String> = self
                .log()
                .lines()
                .filter(|l| l.contains(&tag))
                .map(str::to_string)
                .collect();
            // The probe's session, not the readiness check's bare connection.
            if lines
                .iter()
                .any(|l| l.contains("disconnect from") && l.contains(" ehlo="))
            {
                return lines;
            }
            assert!(
                Instant::now() < deadline,
                "no end of session in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Panics if the log shows a message entering the queue or being delivered. smtpd names a
    /// queue file when it accepts the first recipient (`ID: client=…`); a message that never
    /// comes leaves that the only line with the ID: no cleanup, no qmgr `from=`, no delivery.
    fn assert_nothing_queued(&self) {
        let log = self.log();
        for line in log.lines() {
            let queued = line.contains("queued as")
                || (line.contains("/qmgr[") && line.contains("from=<"))
                || line.contains("status=sent")
                || line.contains("/cleanup[");
            assert!(!queued, "a message reached the queue: {line}\n{log}");
        }
        let ids = log.lines().filter_map(|l| {
            let (_, rest) = l.split_once("]: ")?;
            let (id, what) = rest.split_once(": ")?;
            what.starts_with("client=").then_some(id)
        });
        for id in ids {
            let mentions = log.lines().filter(|l| l.contains(id)).count();
            assert_eq!(mentions, 1, "queue file {id} went further:\n{log}");
        }
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(target: SocketAddr) -> Probe {
    let mut config = ProbeConfig::new(target, "probe.deliv.example", Duration::from_secs(10));
    config.server_name = Some(Name::parse(HOST).unwrap());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(probe(&config))
}

/// The counters Postfix logs at disconnect, e.g. `ehlo=1 mail=1 rcpt=6 rset=1 quit=1 commands=10`.
fn disconnect_counters(lines: &[String]) -> String {
    let line = lines
        .iter()
        .find(|l| l.contains("disconnect from") && l.contains(" ehlo="))
        .expect("disconnect line");
    line.split_once("disconnect from")
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

#[test]
#[ignore = "needs Postfix and root: .ci/postfix.sh install"]
fn the_open_listener_is_an_open_relay_and_nothing_is_queued() {
    let Some(postfix) = Postfix::start() else {
        return;
    };
    let probe = run(postfix.open);
    assert!(probe.failure.is_none(), "{:?}", probe.failure);
    assert_eq!(probe.banner.as_ref().unwrap().first_word(), Some(HOST));
    assert_eq!(probe.starttls, Some(StartTls::NotOffered));
    let relay = probe.relay.as_ref().unwrap();
    assert_eq!(relay.channel, Channel::Plain);
    assert_eq!(relay.verdict, RelayVerdict::Open);
    assert!(
        relay
            .accepted()
            .any(|a| a.recipient == Some(RecipientForm::Plain))
    );

    let session = postfix.session_log("open");
    eprintln!("postfix log:\n{}", session.join("\n"));
    let counters = disconnect_counters(&session);
    assert!(
        counters.contains(" rset=1 ") && counters.contains(" quit=1 "),
        "{counters}"
    );
    assert!(
        !counters.contains("data=") && !counters.contains("bdat="),
        "{counters}"
    );
    postfix.assert_nothing_queued();
}

#[test]
#[ignore = "needs Postfix and root: .ci/postfix.sh install"]
fn the_closed_listener_refuses_relay_over_self_signed_starttls_and_nothing_is_queued() {
    let Some(postfix) = Postfix::start() else {
        return;
    };
    let probe = run(postfix.closed);
    assert!(probe.failure.is_none(), "{:?}", probe.failure);
    assert!(probe.greeting.as_ref().unwrap().extensions.starttls);
    let Some(StartTls::Established { session }) = &probe.starttls else {
        panic!("no TLS session: {:?}", probe.starttls);
    };
    assert!(
        session.protocol.starts_with("TLSv1."),
        "{}",
        session.protocol
    );
    assert!(
        matches!(
            session.chain_verdict,
            Verdict::Invalid {
                problem: CertProblem::UnknownIssuer,
                ..
            }
        ),
        "{:?}",
        session.chain_verdict
    );
    assert_eq!(session.name_matches, Some(true));
    assert!(session.chain[0].self_issued);
    assert!(session.ehlo.is_ok());

    let relay = probe.relay.as_ref().unwrap();
    assert_eq!(relay.channel, Channel::Tls);
    assert_eq!(relay.verdict, RelayVerdict::Refused, "{relay:#?}");

    let session = postfix.session_log("closed");
    eprintln!("postfix log:\n{}", session.join("\n"));
    let counters = disconnect_counters(&session);
    assert!(counters.contains(" starttls=1 "), "{counters}");
    assert!(
        counters.contains(" rset=1 ") && counters.contains(" quit=1 "),
        "{counters}"
    );
    assert!(
        !counters.contains("data=") && !counters.contains("bdat="),
        "{counters}"
    );
    postfix.assert_nothing_queued();
}
