//! The SMTP prober: what a sending MTA sees when it connects to a server, without sending mail.
//!
//! One connection per target: banner, EHLO (HELO when EHLO is refused), STARTTLS when offered
//! (opportunistic: a self-signed certificate is recorded, not refused), EHLO again, then the
//! open-relay test ([`relay`]) and `QUIT`. When STARTTLS breaks the connection, a second, plain
//! connection runs the relay test. Commands go one at a time (never pipelined); each reply is
//! read with bounds ([`reply`]); every step is bounded by [`ProbeConfig::step_timeout`] and the
//! whole probe by [`ProbeConfig::total_timeout`]. Both sides of the conversation are kept in a
//! [`Transcript`]. `DATA` and `BDAT` are never sent.
//!
//! The result is plain data for pure checks to judge: [`Probe`].

pub mod ehlo;
pub mod relay;
pub mod reply;
mod session;
pub mod tls;
pub mod transcript;

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use rustls::pki_types::ServerName;
use serde::Serialize;
use tokio::time::Instant;

use crate::dns::Name;
use crate::trust::TrustRoots;

pub use crate::trust::CertProblem;
pub use ehlo::{Extensions, Greeting, Hello, Size};
pub use relay::{Channel, RecipientForm, RelayOutcome, RelayVerdict};
pub use reply::{Reply, ReplyError};
pub use tls::{Certificate, TlsSession, Verdict};
pub use transcript::{Direction, Transcript};

use session::{Clock, Session};
use tls::RecordingVerifier;

/// How many step timeouts the whole probe may take. A server that stalls costs one step
/// timeout (two when it also stalls the plain reconnection after a broken STARTTLS); a server
/// that answers every command slowly is cut off here rather than after the ~15 steps of a
/// full probe.
pub const TOTAL_STEPS: u32 = 4;

/// What to probe and how.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// The address to connect to.
    pub target: SocketAddr,
    /// The server's host name (the MX host): sent as SNI, matched against the certificate and
    /// used as the host part of the relay test's addresses. `None` for an IP address target.
    pub server_name: Option<Name>,
    /// The name deliv gives in EHLO/HELO.
    pub ehlo_name: String,
    /// Bound on each step: the connection, each reply, the TLS handshake.
    pub step_timeout: Duration,
    /// Bound on the whole probe, reconnection included.
    pub total_timeout: Duration,
    /// Whether to run the open-relay test.
    pub relay_test: bool,
    /// The roots the server's certificate is judged against (the verdict is recorded; the
    /// handshake goes on either way).
    pub trust: TrustRoots,
}

impl ProbeConfig {
    /// A probe of `target` with the relay test, the web PKI roots, and a total bound of
    /// [`TOTAL_STEPS`] step timeouts.
    pub fn new(target: SocketAddr, ehlo_name: impl Into<String>, step_timeout: Duration) -> Self {
        ProbeConfig {
            target,
            server_name: None,
            ehlo_name: ehlo_name.into(),
            step_timeout,
            total_timeout: step_timeout * TOTAL_STEPS,
            relay_test: true,
            trust: TrustRoots::web_pki(),
        }
    }
}

/// A step of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Connect,
    Banner,
    Ehlo,
    Helo,
    StartTls,
    TlsHandshake,
    EhloAfterTls,
    MailFrom,
    RcptTo,
    Rset,
    Quit,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Connect => "connect",
            Step::Banner => "banner",
            Step::Ehlo => "EHLO",
            Step::Helo => "HELO",
            Step::StartTls => "STARTTLS",
            Step::TlsHandshake => "TLS handshake",
            Step::EhloAfterTls => "EHLO after STARTTLS",
            Step::MailFrom => "MAIL FROM",
            Step::RcptTo => "RCPT TO",
            Step::Rset => "RSET",
            Step::Quit => "QUIT",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong at a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum FailureKind {
    /// Nothing listens there (TCP reset).
    ConnectionRefused,
    /// No answer within the step timeout.
    Timeout,
    /// The probe's total time ran out.
    Deadline,
    /// The server closed the connection.
    Closed,
    /// A reply that could not be read (too long, junk, mixed codes).
    Reply(ReplyError),
    /// A well-formed reply with a code this step cannot go on with (`seen` holds it).
    UnexpectedReply,
    /// The TLS handshake failed.
    Tls(String),
    /// Any other network error.
    Io(String),
    /// A command deliv refuses to send.
    NotSent(String),
}

/// A step that failed, with what the server had sent (bounded; empty when nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{step}: {}{}", describe(kind), seen_suffix(seen))]
pub struct ProbeFailure {
    pub step: Step,
    pub kind: FailureKind,
    pub seen: String,
}

fn describe(kind: &FailureKind) -> String {
    match kind {
        FailureKind::ConnectionRefused => "connection refused; nothing listens on that port".into(),
        FailureKind::Timeout => "no answer within the timeout".into(),
        FailureKind::Deadline => "the probe ran out of time".into(),
        FailureKind::Closed => "the server closed the connection".into(),
        FailureKind::Reply(e) => e.to_string(),
        FailureKind::UnexpectedReply => "unexpected reply".into(),
        FailureKind::Tls(e) => format!("TLS failed: {e}"),
        FailureKind::Io(e) => e.clone(),
        FailureKind::NotSent(e) => e.clone(),
    }
}

fn seen_suffix(seen: &str) -> String {
    if seen.is_empty() {
        String::new()
    } else {
        format!(" ({seen:?})")
    }
}

impl ProbeFailure {
    pub(crate) fn new(step: Step, kind: FailureKind, seen: impl Into<String>) -> ProbeFailure {
        ProbeFailure {
            step,
            kind,
            seen: seen.into(),
        }
    }

    pub(crate) fn io(step: Step, error: &io::Error) -> ProbeFailure {
        let kind = if let Some(tls) = crate::trust::find_tls_error(error) {
            FailureKind::Tls(tls.to_string())
        } else {
            match error.kind() {
                io::ErrorKind::ConnectionRefused => FailureKind::ConnectionRefused,
                io::ErrorKind::UnexpectedEof
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe => FailureKind::Closed,
                _ => FailureKind::Io(error.to_string()),
            }
        };
        ProbeFailure::new(step, kind, "")
    }
}

/// What happened to STARTTLS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StartTls {
    /// EHLO did not list STARTTLS (or the server only accepted HELO).
    NotOffered,
    /// The server answered STARTTLS with something other than 220; the session went on in
    /// plain.
    Refused { reply: Reply },
    /// The server said 220 but no TLS session came of it (handshake failure, dropped
    /// connection, no answer); the connection is lost.
    Failed { failure: ProbeFailure },
    /// A TLS session was set up.
    Established { session: Box<TlsSession> },
}

/// Everything the probe saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probe {
    pub target: SocketAddr,
    pub server_name: Option<Name>,
    /// A TCP connection was made.
    pub connected: bool,
    /// The greeting, whatever its code.
    pub banner: Option<Reply>,
    /// EHLO (or HELO) in plain.
    pub greeting: Option<Greeting>,
    /// `None` when the probe stopped before it could ask.
    pub starttls: Option<StartTls>,
    /// `None` when not asked for, or when the probe stopped before it.
    pub relay: Option<RelayOutcome>,
    pub transcript: Transcript,
    /// Why the probe stopped before the relay test, when it did (connection, banner, EHLO).
    pub failure: Option<ProbeFailure>,
    pub elapsed: Duration,
}

/// Probes one SMTP server. Never fails as a function: what went wrong is in the result.
pub async fn probe(config: &ProbeConfig) -> Probe {
    let start = Instant::now();
    let clock = Clock {
        step: config.step_timeout,
        deadline: start + config.total_timeout,
    };
    let mut probe = Probe {
        target: config.target,
        server_name: config.server_name.clone(),
        connected: false,
        banner: None,
        greeting: None,
        starttls: None,
        relay: None,
        transcript: Transcript::default(),
        failure: None,
        elapsed: Duration::ZERO,
    };
    if let Err(failure) = converse(config, clock, &mut probe).await {
        probe.failure = Some(failure);
    }
    probe.elapsed = start.elapsed();
    probe
}

async fn converse(
    config: &ProbeConfig,
    clock: Clock,
    probe: &mut Probe,
) -> Result<(), ProbeFailure> {
    let transcript = &mut probe.transcript;
    let mut session = Session::connect(config.target, clock, transcript).await?;
    probe.connected = true;
    let (banner, greeting) = open(&mut session, config, transcript).await;
    probe.banner = banner;
    let greeting = match greeting {
        Ok(g) => g,
        Err(e) => {
            // The server answered, so it can hear QUIT.
            if e.kind == FailureKind::UnexpectedReply {
                quit(&mut session, transcript).await;
            }
            return Err(e);
        }
    };
    let offered = greeting.command == Hello::Ehlo && greeting.extensions.starttls;
    probe.greeting = Some(greeting);

    let mut channel = Channel::Plain;
    let mut session = Some(session);
    if !offered {
        probe.starttls = Some(StartTls::NotOffered);
    } else if let Some(plain) = session.take() {
        let (outcome, after) = start_tls(plain, config, transcript).await;
        if matches!(outcome, StartTls::Established { .. }) {
            channel = Channel::Tls;
        }
        probe.starttls = Some(outcome);
        session = after;
    }

    if config.relay_test {
        probe.relay = Some(match session.as_mut() {
            Some(s) => relay::run(s, channel, &relay_host(config), transcript).await,
            None => {
                transcript.event("reconnecting in plain for the relay test");
                match reconnect(config, clock, transcript).await {
                    Ok(s) => {
                        let s = session.insert(s);
                        let host = relay_host(config);
                        relay::run(s, Channel::PlainReconnection, &host, transcript).await
                    }
                    Err(e) => RelayOutcome::not_run(Channel::PlainReconnection, e),
                }
            }
        });
    }
    if let Some(s) = session.as_mut() {
        quit(s, transcript).await;
    }
    Ok(())
}

/// Banner and greeting. The banner is returned even when the greeting fails.
async fn open(
    session: &mut Session,
    config: &ProbeConfig,
    transcript: &mut Transcript,
) -> (Option<Reply>, Result<Greeting, ProbeFailure>) {
    let banner = match session.reply(Step::Banner, transcript).await {
        Ok(b) => b,
        Err(e) => return (None, Err(e)),
    };
    if banner.code != 220 {
        let failure = ProbeFailure::new(
            Step::Banner,
            FailureKind::UnexpectedReply,
            banner.to_string(),
        );
        return (Some(banner), Err(failure));
    }
    let greeting = greet(session, config, Step::Ehlo, transcript).await;
    (Some(banner), greeting)
}

/// EHLO, and HELO when EHLO gets a 5xx (RFC 5321 §3.2).
async fn greet(
    session: &mut Session,
    config: &ProbeConfig,
    step: Step,
    transcript: &mut Transcript,
) -> Result<Greeting, ProbeFailure> {
    let ehlo = format!("EHLO {}", config.ehlo_name);
    let reply = session.command(step, &ehlo, transcript).await?;
    if reply.code == 250 {
        return Ok(Greeting {
            command: Hello::Ehlo,
            extensions: Extensions::parse(&reply),
            reply,
            ehlo_refused: None,
        });
    }
    if !reply.is_permanent() || step == Step::EhloAfterTls {
        return Err(ProbeFailure::new(
            step,
            FailureKind::UnexpectedReply,
            reply.to_string(),
        ));
    }
    let helo = format!("HELO {}", config.ehlo_name);
    let helo_reply = session.command(Step::Helo, &helo, transcript).await?;
    if helo_reply.code != 250 {
        return Err(ProbeFailure::new(
            Step::Helo,
            FailureKind::UnexpectedReply,
            helo_reply.to_string(),
        ));
    }
    Ok(Greeting {
        command: Hello::Helo,
        reply: helo_reply,
        extensions: Extensions::default(),
        ehlo_refused: Some(reply),
    })
}

/// STARTTLS, the handshake and EHLO again. Returns the session to go on with, if any.
async fn start_tls(
    mut session: Session,
    config: &ProbeConfig,
    transcript: &mut Transcript,
) -> (StartTls, Option<Session>) {
    let failed = |failure| StartTls::Failed { failure };
    let reply = match session
        .command(Step::StartTls, "STARTTLS", transcript)
        .await
    {
        Ok(r) => r,
        Err(e) => return (failed(e), None),
    };
    if reply.code != 220 {
        return (StartTls::Refused { reply }, Some(session));
    }
    let (server_name, judge_name) = sni(config);
    let (tls_config, verifier) = match RecordingVerifier::config(&config.trust, judge_name) {
        Ok(c) => c,
        Err(e) => {
            let failure =
                ProbeFailure::new(Step::TlsHandshake, FailureKind::Tls(e.to_string()), "");
            return (failed(failure), None);
        }
    };
    let mut session = match session.start_tls(tls_config, server_name, transcript).await {
        Ok(s) => s,
        Err(e) => {
            transcript.event(&format!("TLS handshake failed: {e}"));
            return (failed(e), None);
        }
    };
    let (chain_verdict, name_matches) = verifier.seen();
    let Some(conn) = session.tls() else {
        return (
            failed(ProbeFailure::new(
                Step::TlsHandshake,
                FailureKind::Tls("no TLS state".into()),
                "",
            )),
            None,
        );
    };
    let protocol = conn
        .protocol_version()
        .map(tls::protocol_name)
        .unwrap_or_default();
    let cipher_suite = conn
        .negotiated_cipher_suite()
        .map(|s| {
            let suite = s.suite();
            suite
                .as_str()
                .map_or_else(|| format!("{suite:?}"), str::to_string)
        })
        .unwrap_or_default();
    let chain = conn
        .peer_certificates()
        .unwrap_or_default()
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect();
    transcript.event(&format!("TLS set up: {protocol}, {cipher_suite}"));
    let ehlo = greet(&mut session, config, Step::EhloAfterTls, transcript).await;
    let alive = ehlo.as_ref().is_ok()
        || ehlo
            .as_ref()
            .is_err_and(|e| e.kind == FailureKind::UnexpectedReply);
    let outcome = StartTls::Established {
        session: Box::new(TlsSession {
            protocol,
            cipher_suite,
            chain,
            chain_verdict,
            name_matches,
            ehlo,
        }),
    };
    (outcome, alive.then_some(session))
}

/// The name for SNI and the certificate check: the server name when it is a DNS name, else the
/// target address (no SNI is sent for an address, and its match is not judged).
fn sni(config: &ProbeConfig) -> (ServerName<'static>, bool) {
    config
        .server_name
        .as_ref()
        .and_then(|n| ServerName::try_from(n.as_str().to_string()).ok())
        .map_or(
            (ServerName::IpAddress(config.target.ip().into()), false),
            |n| (n, true),
        )
}

/// The host part of the relay test's addresses: the server's name when it is a plain host name,
/// else its address literal (RFC 5321 §4.1.3).
fn relay_host(config: &ProbeConfig) -> String {
    let is_host_name = |n: &&Name| {
        n.labels().all(|l| {
            !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }) && n.label_count() > 1
    };
    match config.server_name.as_ref().filter(is_host_name) {
        Some(name) => name.to_string(),
        None => match config.target.ip() {
            IpAddr::V4(ip) => format!("[{ip}]"),
            IpAddr::V6(ip) => format!("[IPv6:{ip}]"),
        },
    }
}

/// A plain connection for the relay test after STARTTLS broke the first one.
async fn reconnect(
    config: &ProbeConfig,
    clock: Clock,
    transcript: &mut Transcript,
) -> Result<Session, ProbeFailure> {
    let mut session = Session::connect(config.target, clock, transcript).await?;
    match open(&mut session, config, transcript).await.1 {
        Ok(_) => Ok(session),
        Err(e) => {
            if e.kind == FailureKind::UnexpectedReply {
                quit(&mut session, transcript).await;
            }
            Err(e)
        }
    }
}

/// `QUIT`; its reply is read for the transcript but not needed.
async fn quit(session: &mut Session, transcript: &mut Transcript) {
    let _ = session.command(Step::Quit, "QUIT", transcript).await;
}
