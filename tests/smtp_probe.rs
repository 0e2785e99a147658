//! The SMTP prober against the fault server of `support::smtp`: every outcome, the bounds on
//! time and size, and that no message is ever sent (no DATA, no BDAT) and every conversation
//! the prober ends closes with RSET (after a transaction) and QUIT.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use deliv::dns::Name;
use deliv::smtp::{
    CertProblem, Channel, FailureKind, Hello, Probe, ProbeConfig, RecipientForm, RelayVerdict,
    ReplyError, Size, StartTls, Step, TlsSession, Verdict, probe,
};
use deliv::trust::TrustRoots;
use support::smtp::{Banner, Behaviour, HOST, Rcpt, StartTls as ServerTls, TestSmtp};
use support::tls::{TestCa, Validity, self_signed, self_signed_ca};

fn config(addr: SocketAddr, timeout_secs: u64) -> ProbeConfig {
    let mut config = ProbeConfig::new(
        addr,
        "probe.deliv.example",
        Duration::from_secs(timeout_secs),
    );
    config.server_name = Some(Name::parse(HOST).unwrap());
    config
}

fn run(config: &ProbeConfig) -> Probe {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(probe(config))
}

/// Probes a server with this behaviour; checks no message was sent and every conversation
/// the server did not cut ended cleanly.
fn probe_server(behaviour: Behaviour) -> (Probe, TestSmtp) {
    let server = TestSmtp::start(behaviour);
    let probe = run(&config(server.addr, 5));
    server.assert_no_message_sent();
    (probe, server)
}

fn tls_session(probe: &Probe) -> &TlsSession {
    match &probe.starttls {
        Some(StartTls::Established { session }) => session,
        other => panic!("no TLS session: {other:?}\n{:#?}", probe.transcript),
    }
}

fn ends_cleanly(server: &TestSmtp) {
    let conversations = server.conversations();
    assert!(!conversations.is_empty());
    for conversation in &conversations {
        support::smtp::assert_clean_ending(conversation);
    }
}

#[test]
fn a_closed_server_refuses_every_form_of_relay() {
    let (probe, server) = probe_server(Behaviour::default());
    assert!(probe.failure.is_none(), "{:?}", probe.failure);
    assert!(probe.connected);
    let banner = probe.banner.as_ref().unwrap();
    assert_eq!(banner.code, 220);
    assert_eq!(banner.first_word(), Some(HOST));

    let greeting = probe.greeting.as_ref().unwrap();
    assert_eq!(greeting.command, Hello::Ehlo);
    let ext = &greeting.extensions;
    assert!(ext.pipelining && ext.eightbitmime && ext.smtputf8);
    assert!(!ext.starttls && !ext.chunking && !ext.requiretls);
    assert_eq!(ext.size, Some(Size::Limit(10_240_000)));
    assert_eq!(probe.starttls, Some(StartTls::NotOffered));

    let relay = probe.relay.as_ref().unwrap();
    assert_eq!(relay.verdict, RelayVerdict::Refused);
    assert_eq!(relay.channel, Channel::Plain);
    assert!(relay.stopped.is_none());
    assert_eq!(relay.attempts.len(), 1 + RecipientForm::ALL.len());
    assert_eq!(
        relay.attempts[0].command,
        "MAIL FROM:<relay-test@example.org>"
    );
    assert!(relay.attempts[1..].iter().all(|a| a.reply.code == 554));
    assert!(
        relay
            .attempts
            .iter()
            .any(|a| a.command == format!("RCPT TO:<relay-test%example.net@{HOST}>"))
    );

    // Commands went one at a time, in this order, and the server saw exactly them.
    let conversation = &server.conversations()[0];
    assert_eq!(conversation[0], "EHLO probe.deliv.example");
    assert_eq!(conversation.len(), 1 + 1 + 6 + 2);
    assert_eq!(
        probe.transcript.commands().collect::<Vec<_>>(),
        conversation.iter().map(String::as_str).collect::<Vec<_>>()
    );
    ends_cleanly(&server);
}

#[test]
fn an_open_relay_is_caught_without_sending_anything() {
    let (probe, server) = probe_server(Behaviour {
        rcpt: Rcpt::Accept,
        ..Behaviour::default()
    });
    let relay = probe.relay.unwrap();
    assert_eq!(relay.verdict, RelayVerdict::Open);
    assert_eq!(relay.accepted().count(), RecipientForm::ALL.len());
    ends_cleanly(&server);
}

#[test]
fn send_data_now_and_chunking_do_not_tempt_the_prober() {
    let (probe, server) = probe_server(Behaviour {
        rcpt: Rcpt::Accept,
        data_now: true,
        ..Behaviour::default()
    });
    assert!(probe.greeting.as_ref().unwrap().extensions.chunking);
    let relay = probe.relay.unwrap();
    assert_eq!(relay.verdict, RelayVerdict::Open);
    assert!(relay.attempts[1].reply.text().contains("send DATA now"));
    ends_cleanly(&server);
}

#[test]
fn a_go_ahead_to_rcpt_is_inconclusive_and_still_no_data() {
    let (probe, server) = probe_server(Behaviour {
        rcpt: Rcpt::GoAhead,
        data_now: true,
        ..Behaviour::default()
    });
    let relay = probe.relay.unwrap();
    assert_eq!(relay.verdict, RelayVerdict::Inconclusive);
    assert!(relay.attempts[1..].iter().all(|a| a.reply.code == 354));
    ends_cleanly(&server);
}

#[test]
fn temporary_refusals_are_inconclusive() {
    let (probe, server) = probe_server(Behaviour {
        rcpt: Rcpt::TempFail,
        ..Behaviour::default()
    });
    let relay = probe.relay.unwrap();
    assert_eq!(relay.verdict, RelayVerdict::Inconclusive);
    assert!(relay.stopped.is_none());
    ends_cleanly(&server);
}

#[test]
fn a_refused_sender_domain_falls_back_to_the_null_sender() {
    let (probe, server) = probe_server(Behaviour {
        refuse_example_sender: true,
        ..Behaviour::default()
    });
    let relay = probe.relay.unwrap();
    assert_eq!(relay.attempts[0].reply.code, 550);
    assert_eq!(relay.attempts[1].command, "MAIL FROM:<>");
    assert_eq!(relay.attempts[1].reply.code, 250);
    assert_eq!(relay.verdict, RelayVerdict::Refused);
    ends_cleanly(&server);
}

#[test]
fn ehlo_refused_falls_back_to_helo() {
    let (probe, server) = probe_server(Behaviour {
        refuse_ehlo: true,
        ..Behaviour::default()
    });
    let greeting = probe.greeting.unwrap();
    assert_eq!(greeting.command, Hello::Helo);
    assert_eq!(greeting.ehlo_refused.unwrap().code, 500);
    assert_eq!(probe.starttls, Some(StartTls::NotOffered));
    assert_eq!(probe.relay.unwrap().verdict, RelayVerdict::Refused);
    assert_eq!(server.conversations()[0][1], "HELO probe.deliv.example");
    ends_cleanly(&server);
}

#[test]
fn without_the_relay_test_only_the_greeting_is_sent() {
    let server = TestSmtp::start(Behaviour::default());
    let mut config = config(server.addr, 5);
    config.relay_test = false;
    let probe = run(&config);
    assert!(probe.relay.is_none());
    assert_eq!(
        server.conversations(),
        [["EHLO probe.deliv.example", "QUIT"]]
    );
}

#[test]
fn self_signed_starttls_is_recorded_and_the_relay_test_runs_over_tls() {
    let identity = self_signed(&[HOST]);
    let (probe, server) = probe_server(Behaviour {
        starttls: ServerTls::On(identity.server_config()),
        ..Behaviour::default()
    });
    assert!(probe.greeting.as_ref().unwrap().extensions.starttls);
    let tls = tls_session(&probe);
    assert!(tls.protocol.starts_with("TLSv1."), "{}", tls.protocol);
    assert!(!tls.cipher_suite.is_empty());
    assert!(matches!(
        tls.chain_verdict,
        Verdict::Invalid {
            problem: CertProblem::UnknownIssuer,
            ..
        }
    ));
    assert_eq!(tls.name_matches, Some(true));
    assert!(!tls.verified());
    assert_eq!(tls.chain.len(), 1);
    assert!(tls.chain[0].self_issued);
    assert_eq!(tls.chain[0].dns_names, [HOST]);
    assert!(tls.chain[0].not_after > tls.chain[0].not_before);
    // After TLS the server no longer offers STARTTLS.
    let after = tls.ehlo.as_ref().unwrap();
    assert!(!after.extensions.starttls);

    let relay = probe.relay.as_ref().unwrap();
    assert_eq!(relay.channel, Channel::Tls);
    assert_eq!(relay.verdict, RelayVerdict::Refused);
    let conversation = &server.conversations()[0];
    assert_eq!(conversation[1], "STARTTLS");
    assert_eq!(conversation[2], "EHLO probe.deliv.example");
    ends_cleanly(&server);
}

#[test]
fn a_self_signed_ca_certificate_is_an_unknown_issuer_too() {
    let (probe, server) = probe_server(Behaviour {
        starttls: ServerTls::On(self_signed_ca(&[HOST]).server_config()),
        ..Behaviour::default()
    });
    let tls = tls_session(&probe);
    assert!(
        matches!(
            &tls.chain_verdict,
            Verdict::Invalid {
                problem: CertProblem::UnknownIssuer,
                detail,
            } if detail.contains("CaUsedAsEndEntity")
        ),
        "{:?}",
        tls.chain_verdict
    );
    assert!(tls.chain[0].self_issued);
    ends_cleanly(&server);
}

#[test]
fn a_certificate_from_a_trusted_ca_verifies() {
    let ca = TestCa::new();
    let server = TestSmtp::start(Behaviour {
        starttls: ServerTls::On(ca.issue(&[HOST]).server_config()),
        ..Behaviour::default()
    });
    let mut config = config(server.addr, 5);

    // Under the web PKI roots alone the test CA is unknown.
    let untrusted = run(&config);
    assert!(matches!(
        tls_session(&untrusted).chain_verdict,
        Verdict::Invalid {
            problem: CertProblem::UnknownIssuer,
            ..
        }
    ));

    config.trust = TrustRoots::with_extra([ca.root()]).unwrap();
    let probe = run(&config);
    let tls = tls_session(&probe);
    assert_eq!(tls.chain_verdict, Verdict::Valid);
    assert_eq!(tls.name_matches, Some(true));
    assert!(tls.verified());
    assert_eq!(tls.chain.len(), 2);
    assert_eq!(tls.chain[1].subject, "CN=deliv test CA");
    assert_eq!(tls.chain[0].issuer, "CN=deliv test CA");
    server.assert_no_message_sent();
    ends_cleanly(&server);
}

#[test]
fn name_mismatch_expiry_and_address_targets() {
    let ca = TestCa::new();
    let trust = TrustRoots::with_extra([ca.root()]).unwrap();
    let session_with = |identity: support::tls::Identity, name: Option<&str>| {
        let server = TestSmtp::start(Behaviour {
            starttls: ServerTls::On(identity.server_config()),
            ..Behaviour::default()
        });
        let mut config = config(server.addr, 5);
        config.trust = trust.clone();
        config.server_name = name.map(|n| Name::parse(n).unwrap());
        let probe = run(&config);
        server.assert_no_message_sent();
        ends_cleanly(&server);
        tls_session(&probe).clone()
    };

    let other = session_with(ca.issue(&["other.test.example"]), Some(HOST));
    assert_eq!(other.chain_verdict, Verdict::Valid);
    assert_eq!(other.name_matches, Some(false));
    assert!(!other.verified());

    let expired = session_with(ca.issue_with(&[HOST], Validity::Expired), Some(HOST));
    assert!(matches!(
        expired.chain_verdict,
        Verdict::Invalid {
            problem: CertProblem::Expired,
            ..
        }
    ));
    assert_eq!(expired.name_matches, Some(true));

    let future = session_with(ca.issue_with(&[HOST], Validity::Future), Some(HOST));
    assert!(matches!(
        future.chain_verdict,
        Verdict::Invalid {
            problem: CertProblem::NotYetValid,
            ..
        }
    ));

    // An address target: no name to judge.
    let by_address = session_with(ca.issue(&[HOST]), None);
    assert_eq!(by_address.chain_verdict, Verdict::Valid);
    assert_eq!(by_address.name_matches, None);
}

#[test]
fn a_dropped_starttls_is_recorded_and_relay_is_tested_on_a_plain_reconnection() {
    let (probe, server) = probe_server(Behaviour {
        starttls: ServerTls::DropAfterReady,
        ..Behaviour::default()
    });
    assert!(probe.failure.is_none(), "{:?}", probe.failure);
    match &probe.starttls {
        Some(StartTls::Failed { failure }) => {
            assert_eq!(failure.step, Step::TlsHandshake);
            assert!(
                matches!(failure.kind, FailureKind::Closed | FailureKind::Tls(_)),
                "{failure:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let relay = probe.relay.unwrap();
    assert_eq!(relay.channel, Channel::PlainReconnection);
    assert_eq!(relay.verdict, RelayVerdict::Refused);

    let conversations = server.conversations();
    assert_eq!(conversations.len(), 2);
    assert_eq!(conversations[0].last().unwrap(), "STARTTLS");
    // The reconnection does not try STARTTLS again.
    assert!(!conversations[1].iter().any(|c| c == "STARTTLS"));
    support::smtp::assert_clean_ending(&conversations[1]);
}

#[test]
fn a_refused_starttls_leaves_the_session_in_plain() {
    let (probe, server) = probe_server(Behaviour {
        starttls: ServerTls::Refuse,
        ..Behaviour::default()
    });
    assert!(matches!(
        &probe.starttls,
        Some(StartTls::Refused { reply }) if reply.code == 454
    ));
    let relay = probe.relay.unwrap();
    assert_eq!(relay.channel, Channel::Plain);
    assert_eq!(relay.verdict, RelayVerdict::Refused);
    assert_eq!(server.conversations().len(), 1);
    ends_cleanly(&server);
}

#[test]
fn a_stalled_handshake_costs_one_timeout() {
    let server = TestSmtp::start(Behaviour {
        starttls: ServerTls::StallAfterReady,
        ..Behaviour::default()
    });
    let probe = run(&config(server.addr, 1));
    server.assert_no_message_sent();
    assert!(matches!(
        &probe.starttls,
        Some(StartTls::Failed { failure }) if failure.kind == FailureKind::Timeout
    ));
    assert_eq!(probe.relay.unwrap().verdict, RelayVerdict::Refused);
    assert!(
        probe.elapsed < Duration::from_secs(10),
        "{:?}",
        probe.elapsed
    );
    support::smtp::assert_clean_ending(&server.conversations()[1]);
}

#[test]
fn banner_faults_are_errors_with_the_step_and_what_was_seen() {
    let banner_failure = |banner: Banner, timeout: u64| {
        let server = TestSmtp::start(Behaviour {
            banner,
            ..Behaviour::default()
        });
        let probe = run(&config(server.addr, timeout));
        assert!(probe.connected);
        assert!(probe.relay.is_none() && probe.starttls.is_none());
        assert!(
            probe.elapsed < Duration::from_secs(10),
            "{:?}",
            probe.elapsed
        );
        let failure = probe.failure.clone().expect("a failure");
        assert_eq!(failure.step, Step::Banner);
        (probe, failure, server)
    };

    let (_, failure, _) = banner_failure(Banner::Slow(Duration::from_secs(3)), 1);
    assert_eq!(failure.kind, FailureKind::Timeout);

    let (_, failure, _) = banner_failure(Banner::Silent, 1);
    assert_eq!(failure.kind, FailureKind::Timeout);

    let (probe, failure, _) = banner_failure(Banner::Junk, 5);
    assert!(matches!(
        failure.kind,
        FailureKind::Reply(ReplyError::NotAReply { .. })
    ));
    assert!(
        failure
            .seen
            .starts_with("SSH-2.0-OpenSSH_9.6 \u{fffd}\u{fffd}"),
        "{}",
        failure.seen
    );
    assert!(
        probe
            .transcript
            .lines
            .iter()
            .any(|l| l.text.contains('\u{fffd}'))
    );

    // A megabyte without a line ending is refused at the line bound, not waited out.
    let (probe, failure, _) = banner_failure(Banner::EndlessLine, 30);
    assert_eq!(
        failure.kind,
        FailureKind::Reply(ReplyError::LineTooLong { limit: 4096 })
    );
    assert!(failure.seen.len() < 1024);
    assert!(probe.elapsed < Duration::from_secs(10));
    assert!(probe.transcript.lines.iter().all(|l| l.text.len() < 2048));

    let (probe, failure, server) = banner_failure(Banner::ServiceNotAvailable, 5);
    assert_eq!(failure.kind, FailureKind::UnexpectedReply);
    assert_eq!(probe.banner.unwrap().code, 421);
    assert!(failure.seen.starts_with("421 4.3.2"));
    server.assert_no_message_sent();
}

#[test]
fn a_refused_connection_is_an_error_at_connect() {
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let probe = run(&config(addr, 2));
    assert!(!probe.connected);
    let failure = probe.failure.unwrap();
    assert_eq!(failure.step, Step::Connect);
    assert_eq!(failure.kind, FailureKind::ConnectionRefused);
}

#[test]
fn a_slow_server_is_cut_off_by_the_total_deadline() {
    // Every reply comes just inside the step timeout; the ~10 steps of a probe would take
    // far longer than the total bound of four step timeouts.
    let server = TestSmtp::start(Behaviour {
        reply_delay: Duration::from_millis(700),
        ..Behaviour::default()
    });
    let probe = run(&config(server.addr, 1));
    server.assert_no_message_sent();
    assert!(
        probe.elapsed < Duration::from_secs(10),
        "{:?}",
        probe.elapsed
    );
    let relay = probe.relay.expect("the relay test started");
    assert_eq!(relay.verdict, RelayVerdict::Inconclusive);
    assert_eq!(relay.stopped.unwrap().kind, FailureKind::Deadline);
}
