//! The message library on every fixture of fixtures/messages/ (signed by generate.py with the
//! keys of fixtures/dkim/), DNS served by a loopback server from message.test.zone and
//! esp.test.zone, or by the same zones as `--zone` overlays under `--offline`.

mod support;

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use deliv::dmarc::{Discovery, Mode, Policy};
use deliv::dns::{Failure, RType, Resolver, ResolverConfig};
use deliv::message::auth::{Author, Identity, Origin, PolicyTag, SpfMissing};
use deliv::message::dkim::{KeyProblem, covering};
use deliv::message::header::{ONE_CLICK, Scheme};
use deliv::message::input::{MAX_HEADER_LINE_BYTES, MAX_MESSAGE_BYTES};
use deliv::message::mime::MimeProblem;
use deliv::message::{
    Analysis, BulkSignal, DkimResult, Envelope, Input, InputError, LineEndings, Message, Source,
    Verdict, analyse,
};
use deliv::spf::SpfResult;
use support::dns::{Fault, TestDns, fixture_zone};

const ZONES: [&str; 2] = ["message.test.zone", "esp.test.zone"];
const UNSUBSCRIBE_FIELDS: [&str; 2] = ["List-Unsubscribe", "List-Unsubscribe-Post"];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/messages")
        .join(name)
}

fn read(name: &str) -> Result<Input, InputError> {
    Input::read(Source::Path(fixture(name)))
}

fn resolver(server: &TestDns) -> Resolver {
    Resolver::new(ResolverConfig {
        servers: vec![server.addr],
        timeout: Duration::from_secs(2),
        zones: Vec::new(),
        offline: false,
    })
    .expect("resolver")
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn run(resolver: &Resolver, name: &str, envelope: &Envelope) -> Analysis {
    let input = read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    rt().block_on(analyse(resolver, &input, envelope))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn analysis(name: &str) -> Analysis {
    let server = TestDns::with_fixture_zones(&ZONES);
    run(&resolver(&server), name, &Envelope::default())
}

fn results(a: &Analysis) -> Vec<DkimResult> {
    a.dkim.iter().map(|s| s.result.clone()).collect()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn one_click_done_right() {
    let a = analysis("unsubscribe-one-click.eml");
    let h = &a.message.headers;
    assert_eq!(results(&a), [DkimResult::Pass]);
    let sig = &a.dkim[0];
    let tags = sig.tags.as_ref().unwrap();
    assert_eq!(
        (tags.domain.as_str(), tags.selector.as_str(), tags.algorithm),
        ("message.test", "s2048", "rsa-sha256")
    );
    assert_eq!(tags.timestamp, Some(1_735_732_800));
    assert_eq!(tags.body_length, None);
    assert!(sig.raw.text.starts_with("v=1; a=rsa-sha256;"));
    let key = sig.key.as_ref().unwrap();
    assert_eq!(key.lookup.name.as_str(), "s2048._domainkey.message.test");
    assert_eq!(
        sig.key_record().unwrap().key,
        deliv::dkim::Key::Rsa { bits: 2048 }
    );
    assert!(covering(&a.dkim, &UNSUBSCRIBE_FIELDS).is_some());

    let unsub = &h.list_unsubscribe[0];
    let uris: Vec<(&str, &Scheme)> = unsub
        .uris
        .iter()
        .map(|u| (u.uri.as_str(), &u.scheme))
        .collect();
    assert_eq!(
        uris,
        [
            ("https://message.test/unsubscribe?u=8f3a", &Scheme::Https),
            (
                "mailto:unsubscribe@message.test?subject=unsubscribe-8f3a",
                &Scheme::Mailto
            )
        ]
    );
    assert!(h.one_click());
    assert_eq!(
        h.list_unsubscribe_post().next().unwrap().value.text,
        ONE_CLICK
    );

    // Bulk by its List-Id, Feedback-ID and the unsubscribe link in its text.
    assert!(a.message.looks_bulk());
    assert!(
        matches!(&a.message.bulk[0], BulkSignal::ListId(v) if v.text == "Message Test News <news.message.test>")
    );
    assert!(
        a.message
            .bulk
            .iter()
            .any(|s| matches!(s, BulkSignal::FeedbackId(_)))
    );
    assert!(a.message.bulk.iter().any(
        |s| matches!(s, BulkSignal::BodyUnsubscribe { excerpt, .. } if excerpt.contains("Unsubscribe: https://message.test/unsubscribe?u=8f3a"))
    ));

    // MIME: multipart/alternative with a text and an HTML part, boundary used and closed.
    let types: Vec<(&str, usize)> = a
        .message
        .mime
        .parts
        .iter()
        .map(|p| (p.content_type.as_str(), p.depth))
        .collect();
    assert_eq!(
        types,
        [
            ("multipart/alternative", 0),
            ("text/plain", 1),
            ("text/html", 1)
        ]
    );
    let boundary = a.message.mime.parts[0].boundary.as_ref().unwrap();
    assert_eq!((boundary.delimiters, boundary.closed), (2, true));
    assert_eq!(a.message.mime.problems(), []);

    // The topmost Received names the receiver's internal hop; the one below it is the sender.
    let spf = &a.spf;
    assert_eq!(spf.ip.as_ref().unwrap().value, ip("192.0.2.25"));
    assert_eq!(spf.ip.as_ref().unwrap().origin, Origin::Received(1));
    assert_eq!(h.received[0].from_ip, Some(ip("10.20.30.40")));
    assert_eq!(spf.helo.as_ref().unwrap().value, "mail.message.test");
    assert_eq!(spf.mail_from.as_ref().unwrap().origin, Origin::ReturnPath);
    assert_eq!(spf.identity, Identity::MailFrom);
    assert_eq!(spf.domain.as_ref().unwrap().as_str(), "bounce.message.test");
    assert_eq!(spf.result(), Some(SpfResult::Pass));

    let d = &a.dmarc;
    assert_eq!(d.verdict, Verdict::Pass);
    assert_eq!(
        d.author,
        Author::Domain(deliv::dns::Name::parse("message.test").unwrap())
    );
    assert!(
        matches!(&d.policy.as_ref().unwrap().discovery, Discovery::Found { record, .. } if record.p == Some(Policy::Reject))
    );
    let spf_id = d.spf.as_ref().unwrap();
    assert!(spf_id.aligned && spf_id.alignment.relaxed && !spf_id.alignment.strict);
    assert!(d.dkim[0].aligned && d.dkim[0].alignment.strict);

    // The receiver's own conclusions are kept to show beside these.
    let ar: Vec<&str> = h
        .authentication_results()
        .map(|f| f.value.text.as_str())
        .collect();
    assert_eq!(ar.len(), 1);
    assert!(ar[0].contains("dmarc=pass (p=reject)"), "{ar:?}");
}

#[test]
fn unsubscribe_header_defects() {
    let server = TestDns::with_fixture_zones(&ZONES);
    let resolver = resolver(&server);
    let get = |name| run(&resolver, name, &Envelope::default());

    let a = get("unsubscribe-mailto-only.eml");
    let u = &a.message.headers.list_unsubscribe[0];
    assert!(u.has(&Scheme::Mailto) && !u.has(&Scheme::Https) && !u.has(&Scheme::Http));
    assert_eq!(a.message.headers.list_unsubscribe_post().count(), 0);
    assert!(!a.message.headers.one_click());

    let a = get("unsubscribe-http.eml");
    let u = &a.message.headers.list_unsubscribe[0];
    assert!(u.has(&Scheme::Http) && !u.has(&Scheme::Https));
    assert!(a.message.headers.one_click());

    let a = get("unsubscribe-post-missing.eml");
    assert!(a.message.headers.list_unsubscribe[0].has(&Scheme::Https));
    assert_eq!(a.message.headers.list_unsubscribe_post().count(), 0);

    let a = get("unsubscribe-post-wrong.eml");
    let post: Vec<&str> = a
        .message
        .headers
        .list_unsubscribe_post()
        .map(|f| f.value.text.as_str())
        .collect();
    assert_eq!(post, ["One-Click"]);
    assert!(!a.message.headers.one_click());

    // Signed and passing, but h= leaves List-Unsubscribe-Post out (RFC 8058 §3.1).
    let a = get("unsubscribe-post-unsigned.eml");
    assert_eq!(results(&a), [DkimResult::Pass]);
    assert!(a.message.headers.one_click());
    assert!(a.dkim[0].covers("List-Unsubscribe") && !a.dkim[0].covers("list-unsubscribe-post"));
    assert!(covering(&a.dkim, &UNSUBSCRIBE_FIELDS).is_none());
    assert!(covering(&a.dkim, &UNSUBSCRIBE_FIELDS[..1]).is_some());

    // Every newsletter passes DKIM and DMARC: the defects are in the list headers only.
    for name in [
        "unsubscribe-mailto-only.eml",
        "unsubscribe-http.eml",
        "unsubscribe-post-missing.eml",
        "unsubscribe-post-wrong.eml",
    ] {
        let a = get(name);
        assert_eq!(results(&a), [DkimResult::Pass], "{name}");
        assert_eq!(a.dmarc.verdict, Verdict::Pass, "{name}");
        assert!(a.message.looks_bulk(), "{name}");
    }
}

#[test]
fn bulk_mail_without_list_unsubscribe_and_a_transactional_reset() {
    let server = TestDns::with_fixture_zones(&ZONES);
    let resolver = resolver(&server);

    let a = run(&resolver, "bulk-no-unsubscribe.eml", &Envelope::default());
    assert!(a.message.headers.list_unsubscribe.is_empty());
    let kinds: Vec<String> = a
        .message
        .bulk
        .iter()
        .map(|s| match s {
            BulkSignal::Precedence(v) => format!("precedence {}", v.text),
            BulkSignal::MarketingHeader { name, .. } => format!("header {name}"),
            BulkSignal::BodyUnsubscribe { excerpt, .. } => format!("body {excerpt}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert_eq!(kinds[0], "precedence bulk");
    assert_eq!(kinds[1], "header X-Campaign-ID");
    assert!(
        kinds[2].starts_with("body ") && kinds[2].contains("To unsubscribe from these emails"),
        "{kinds:?}"
    );

    let a = run(
        &resolver,
        "transactional-password-reset.eml",
        &Envelope::default(),
    );
    assert!(!a.message.looks_bulk(), "{:?}", a.message.bulk);
    assert!(a.message.headers.list_unsubscribe.is_empty());
    assert_eq!(results(&a), [DkimResult::Pass]);
    assert_eq!(a.dmarc.verdict, Verdict::Pass);
    assert_eq!(
        a.message
            .headers
            .first("Auto-Submitted")
            .unwrap()
            .value
            .text,
        "auto-generated"
    );
}

#[test]
fn dkim_failures_each_have_their_reason() {
    let server = TestDns::with_fixture_zones(&ZONES);
    let resolver = resolver(&server);
    let get = |name| run(&resolver, name, &Envelope::default());

    let a = get("dkim-body-tampered.eml");
    assert_eq!(results(&a), [DkimResult::BodyHashMismatch]);
    assert!(!a.dkim[0].body.as_ref().unwrap().hash_matches);
    assert!(a.dkim[0].key_record().unwrap().usable());
    // SPF still passes aligned, so DMARC passes.
    assert_eq!(a.dmarc.verdict, Verdict::Pass);

    // The Subject changed after signing, and the message came from an address SPF refuses.
    let a = get("dkim-header-tampered.eml");
    assert_eq!(results(&a), [DkimResult::SignatureMismatch]);
    assert!(a.dkim[0].body.as_ref().unwrap().hash_matches);
    assert_eq!(a.spf.ip.as_ref().unwrap().value, ip("203.0.113.9"));
    assert_eq!(a.spf.result(), Some(SpfResult::Fail));
    assert_eq!(
        a.dmarc.verdict,
        Verdict::Fail {
            policy: Policy::Reject,
            tag: PolicyTag::P,
            pct: 100,
            testing: false
        }
    );

    let a = get("dkim-selector-missing.eml");
    assert_eq!(results(&a), [DkimResult::KeyMissing]);
    let key = a.dkim[0].key.as_ref().unwrap();
    assert_eq!(key.lookup.name.as_str(), "gone._domainkey.message.test");
    assert!(key.lookup.is_empty_answer());

    let a = get("dkim-revoked.eml");
    assert_eq!(results(&a), [DkimResult::KeyRevoked]);

    let a = get("dkim-expired.eml");
    assert_eq!(
        results(&a),
        [DkimResult::Expired {
            expired_at: 1_735_819_200
        }]
    );
    assert_eq!(
        a.dkim[0].tags.as_ref().unwrap().expiration,
        Some(1_735_819_200)
    );
    // Refused before the key mattered; the key is still shown.
    assert_eq!(
        a.dkim[0].key_record().unwrap().key,
        deliv::dkim::Key::Rsa { bits: 2048 }
    );

    // l= covers the original body; the P.S. added after it is outside the signature.
    let a = get("dkim-length-appended.eml");
    assert_eq!(results(&a), [DkimResult::Pass]);
    let tags = a.dkim[0].tags.as_ref().unwrap();
    let body = a.dkim[0].body.as_ref().unwrap();
    assert_eq!(tags.body_length, Some(150));
    assert_eq!(body.unsigned_bytes, body.canonical_length - 150);
    // "\r\nP.S. Verify your payment details now: https://pay.example.net/verify\r\n"
    assert_eq!(body.unsigned_bytes, 72);

    let a = get("dkim-ed25519.eml");
    assert_eq!(results(&a), [DkimResult::Pass]);
    assert_eq!(a.dkim[0].tags.as_ref().unwrap().algorithm, "ed25519-sha256");
    assert_eq!(
        a.dkim[0].key_record().unwrap().key,
        deliv::dkim::Key::Ed25519
    );

    // Two signatures, topmost first: the service's, which does not align, and the sender's.
    let a = get("dkim-two-signatures.eml");
    assert_eq!(results(&a), [DkimResult::Pass, DkimResult::Pass]);
    let domains: Vec<String> = a
        .dkim
        .iter()
        .map(|s| s.domain().unwrap().to_string())
        .collect();
    assert_eq!(domains, ["esp.test", "message.test"]);
    assert_eq!(a.dmarc.verdict, Verdict::Pass);
    let (_, unaligned) = a.dmarc.passed_unaligned();
    assert_eq!(unaligned.len(), 1);
    assert_eq!(unaligned[0].signature, 0);

    // Unsigned mail has no signatures to judge.
    assert!(get("spf-only.eml").dkim.is_empty());
}

#[test]
fn dkim_key_lookups_that_fail_are_temporary_errors_never_passes() {
    let server = TestDns::with_fixture_zones(&ZONES);
    server.fault(
        "s2048._domainkey.message.test",
        Some(RType::Txt),
        Fault::ServFail,
    );
    server.fault("_dmarc.message.test", Some(RType::Txt), Fault::Timeout);
    let resolver = Resolver::new(ResolverConfig {
        servers: vec![server.addr],
        timeout: Duration::from_millis(600),
        zones: Vec::new(),
        offline: false,
    })
    .unwrap();
    let a = run(
        &resolver,
        "transactional-password-reset.eml",
        &Envelope::default(),
    );
    assert_eq!(results(&a), [DkimResult::TempError(Failure::ServFail)]);
    assert!(
        matches!(&a.dmarc.verdict, Verdict::TempError(why) if why.contains("_dmarc.message.test")),
        "{:?}",
        a.dmarc.verdict
    );
}

#[test]
fn esp_signature_that_does_not_align_under_p_reject() {
    let a = analysis("dmarc-esp-unaligned.eml");
    assert_eq!(results(&a), [DkimResult::Pass]);
    assert_eq!(a.dkim[0].tags.as_ref().unwrap().domain, "esp.test");
    assert_eq!(
        a.dkim[0].key_record().unwrap().key,
        deliv::dkim::Key::Rsa { bits: 1024 }
    );
    assert_eq!(a.spf.ip.as_ref().unwrap().value, ip("198.51.100.7"));
    assert_eq!(a.spf.domain.as_ref().unwrap().as_str(), "bounces.esp.test");
    assert_eq!(a.spf.result(), Some(SpfResult::Pass));
    let d = &a.dmarc;
    assert_eq!(
        d.verdict,
        Verdict::Fail {
            policy: Policy::Reject,
            tag: PolicyTag::P,
            pct: 100,
            testing: false
        }
    );
    let (spf, dkim) = d.passed_unaligned();
    assert_eq!(spf.unwrap().domain.as_str(), "bounces.esp.test");
    assert_eq!(dkim.len(), 1);
    assert_eq!(dkim[0].domain.as_str(), "esp.test");
    assert!(!dkim[0].alignment.relaxed);
    // The forwarder's and receiver's conclusions, kept raw.
    let arc: Vec<&str> = a.message.headers.arc().map(|f| f.name.as_str()).collect();
    assert_eq!(arc, ["ARC-Authentication-Results"]);
}

#[test]
fn relaxed_and_strict_alignment_as_the_records_say() {
    let server = TestDns::with_fixture_zones(&ZONES);
    let resolver = resolver(&server);

    // news.message.test has no record: message.test's (relaxed) applies to it.
    let a = run(&resolver, "dmarc-relaxed.eml", &Envelope::default());
    let d = &a.dmarc;
    assert_eq!(d.verdict, Verdict::Pass);
    assert!(d.policy.as_ref().unwrap().inherited());
    assert_eq!(
        d.organizational_domain.as_ref().unwrap().as_str(),
        "message.test"
    );
    assert_eq!((d.adkim, d.aspf), (Mode::Relaxed, Mode::Relaxed));
    assert!(d.dkim[0].alignment.relaxed && !d.dkim[0].alignment.strict && d.dkim[0].aligned);

    // strict.message.test publishes adkim=s and aspf=s: the same identifiers do not align.
    let a = run(&resolver, "dmarc-strict.eml", &Envelope::default());
    let d = &a.dmarc;
    assert_eq!((d.adkim, d.aspf), (Mode::Strict, Mode::Strict));
    assert!(!d.policy.as_ref().unwrap().inherited());
    assert_eq!(results(&a), [DkimResult::Pass]);
    assert_eq!(a.spf.result(), Some(SpfResult::Pass));
    assert!(d.dkim[0].alignment.relaxed && !d.dkim[0].aligned);
    assert!(d.spf.as_ref().unwrap().alignment.relaxed && !d.spf.as_ref().unwrap().aligned);
    assert!(matches!(
        d.verdict,
        Verdict::Fail {
            policy: Policy::Reject,
            tag: PolicyTag::P,
            ..
        }
    ));
}

#[test]
fn spf_alone_and_the_envelope_given_on_the_command_line() {
    let server = TestDns::with_fixture_zones(&ZONES);
    let resolver = resolver(&server);

    let a = run(&resolver, "spf-only.eml", &Envelope::default());
    assert_eq!(a.spf.result(), Some(SpfResult::Pass));
    assert_eq!(a.dmarc.verdict, Verdict::Pass);
    assert!(a.dmarc.dkim.is_empty());

    // --ip from an address the record does not list: SPF fails, and nothing else aligns.
    let envelope = Envelope {
        ip: Some(ip("203.0.113.9")),
        ..Envelope::default()
    };
    let a = run(&resolver, "spf-only.eml", &envelope);
    assert_eq!(a.spf.ip.as_ref().unwrap().origin, Origin::Given);
    assert_eq!(a.spf.result(), Some(SpfResult::Fail));
    assert!(matches!(
        a.dmarc.verdict,
        Verdict::Fail {
            policy: Policy::Reject,
            ..
        }
    ));

    // --mail-from and --helo override Return-Path and Received.
    let envelope = Envelope {
        ip: Some(ip("198.51.100.7")),
        mail_from: Some("b-1@bounces.esp.test".into()),
        helo: Some("mta7.esp.test".into()),
    };
    let a = run(&resolver, "spf-only.eml", &envelope);
    assert_eq!(a.spf.mail_from.as_ref().unwrap().origin, Origin::Given);
    assert_eq!(a.spf.helo.as_ref().unwrap().value, "mta7.esp.test");
    assert_eq!(a.spf.domain.as_ref().unwrap().as_str(), "bounces.esp.test");
    assert_eq!(a.spf.result(), Some(SpfResult::Pass));
    assert!(!a.dmarc.spf.as_ref().unwrap().aligned);
}

#[test]
fn format_defects() {
    let server = TestDns::with_fixture_zones(&ZONES);
    let resolver = resolver(&server);
    let get = |name| run(&resolver, name, &Envelope::default());

    let a = get("format-two-from.eml");
    let h = &a.message.headers;
    assert_eq!(h.from.len(), 2);
    assert_eq!(h.repeated(), [("From", 2)]);
    assert!(
        matches!(&a.dmarc.author, Author::Several(d) if d == &["message.test", "pay.example.net"])
    );
    assert!(matches!(&a.dmarc.verdict, Verdict::PermError(why) if why.contains("several domains")));

    let a = get("format-no-message-id.eml");
    assert!(a.message.headers.message_id.is_empty());
    assert_eq!(a.message.headers.date.len(), 1);
    assert_eq!(results(&a), [DkimResult::Pass]);

    let a = get("format-no-date.eml");
    assert!(a.message.headers.date.is_empty());
    assert!(a.message.headers.message_id[0].valid);

    let reset = get("transactional-password-reset.eml");
    let h = &reset.message.headers;
    assert_eq!(h.date[0].timestamp, Some(1_735_732_800));
    assert!(h.message_id[0].valid);
    assert!(h.long_lines.is_empty());
    assert!(h.repeated().is_empty());

    let a = get("format-long-line.eml");
    let long = &a.message.headers.long_lines;
    assert_eq!(long.len(), 1);
    assert_eq!(long[0].field, "References");
    assert!(long[0].length > 998, "{long:?}");
    assert_eq!(results(&a), [DkimResult::Pass]);

    let a = get("format-mime-unused-boundary.eml");
    assert_eq!(
        a.message.mime.problems(),
        [MimeProblem::BoundaryUnused {
            part: 0,
            boundary: "declared-boundary".into()
        }]
    );
}

#[test]
fn bare_lf_line_endings_are_converted_before_verifying() {
    let a = analysis("line-endings-lf.eml");
    assert_eq!(a.line_endings, LineEndings::Lf);
    assert_eq!(results(&a), [DkimResult::Pass]);
    assert_eq!(a.dmarc.verdict, Verdict::Pass);
}

#[test]
fn an_outlook_s3140_bounce() {
    let a = analysis("bounce-outlook-s3140.eml");
    let dsn = a.message.dsn.as_ref().expect("a DSN");
    assert_eq!(dsn.report_type, "delivery-status");
    assert!(dsn.status_part);
    assert_eq!(
        dsn.reporting_mta.as_ref().unwrap().text,
        "dns; mail.message.test"
    );
    assert_eq!(dsn.recipients.len(), 1);
    let r = &dsn.recipients[0];
    assert_eq!(
        r.final_recipient.as_ref().unwrap().text,
        "rfc822; someone@outlook.com"
    );
    assert_eq!(r.action.as_deref(), Some("failed"));
    assert_eq!(r.status.as_deref(), Some("5.7.1"));
    assert_eq!(
        r.remote_mta.as_ref().unwrap().text,
        "dns; outlook-com.olc.protection.outlook.com"
    );
    let diagnostic = &r.diagnostic_code.as_ref().unwrap().text;
    assert!(
        diagnostic.starts_with(
            "smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.25] weren't sent. Please contact"
        ),
        "{diagnostic}"
    );
    assert!(
        diagnostic.contains("is on our block list (S3140)."),
        "{diagnostic}"
    );
    // The bounce has a null sender: SPF checks the HELO name, which aligns with the From.
    assert_eq!(a.spf.mail_from.as_ref().unwrap().value, "");
    assert_eq!(a.spf.identity, Identity::Helo);
    assert_eq!(a.spf.result(), Some(SpfResult::Pass));
    assert_eq!(a.dmarc.verdict, Verdict::Pass);
    let types: Vec<&str> = a
        .message
        .mime
        .parts
        .iter()
        .map(|p| p.content_type.as_str())
        .collect();
    assert_eq!(
        types,
        [
            "multipart/report",
            "text/plain",
            "message/delivery-status",
            "text/rfc822-headers"
        ]
    );
    assert!(!a.message.looks_bulk());
    // Only ordinary mail gets no DSN.
    assert!(analysis("spf-only.eml").message.dsn.is_none());
}

#[test]
fn offline_with_zone_overlays_and_names_outside_them() {
    let resolver = Resolver::new(ResolverConfig {
        servers: Vec::new(),
        timeout: Duration::from_secs(1),
        zones: vec![fixture_zone("message.test.zone")],
        offline: true,
    })
    .unwrap();
    let a = run(&resolver, "unsubscribe-one-click.eml", &Envelope::default());
    assert_eq!(results(&a), [DkimResult::Pass]);
    assert_eq!(a.dmarc.verdict, Verdict::Pass);
    // esp.test is in no zone: its key cannot be asked, which is an error, never a pass.
    let a = run(&resolver, "dmarc-esp-unaligned.eml", &Envelope::default());
    assert_eq!(results(&a), [DkimResult::TempError(Failure::Offline)]);
    assert_eq!(a.spf.result(), Some(SpfResult::TempError));
    let stats = resolver.stats();
    assert_eq!(stats.network_queries, 0);
}

#[test]
fn every_question_goes_to_the_test_server_and_stays_in_its_zones() {
    let server = TestDns::with_fixture_zones(&ZONES);
    let resolver = resolver(&server);
    for entry in std::fs::read_dir(fixture("")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".eml") && !name.starts_with("malformed-") {
            run(&resolver, &name, &Envelope::default());
        }
    }
    let asked = server.queries();
    assert!(asked.len() > 10, "{asked:?}");
    for (name, _) in &asked {
        assert!(
            name.ends_with("message.test") || name.ends_with("esp.test"),
            "{name}"
        );
    }
    // Keys were asked once per run although several fixtures use them.
    let key_questions = asked
        .iter()
        .filter(|(n, _)| n == "s2048._domainkey.message.test")
        .count();
    assert_eq!(key_questions, 1);
}

#[test]
fn inputs_that_are_not_messages() {
    let err = |name: &str| read(name).unwrap_err();
    assert!(matches!(err("malformed-empty.eml"), InputError::Empty(_)));
    assert!(matches!(
        err("malformed-binary.eml"),
        InputError::Binary { offset: 8, .. }
    ));
    assert!(matches!(
        err("malformed-no-headers.eml"),
        InputError::NoHeaderSection(_)
    ));
    let long = err("malformed-header-line.eml");
    assert!(
        matches!(long, InputError::HeaderLineTooLong { line: 2, length, .. } if length > MAX_HEADER_LINE_BYTES)
    );
    assert!(matches!(err("does-not-exist.eml"), InputError::NotFound(_)));
    for e in [
        err("malformed-empty.eml"),
        err("malformed-binary.eml"),
        err("malformed-no-headers.eml"),
        long,
        err("does-not-exist.eml"),
    ] {
        let text = e.to_string();
        assert!(
            !text.contains('\n') && text.contains("malformed-") || text.contains("does-not-exist"),
            "{text}"
        );
    }
}

#[test]
fn a_message_over_50_mib_is_refused_from_a_file_and_from_a_stream() {
    let dir = std::env::temp_dir().join(format!("deliv-message-lib-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.eml");
    // A real message, padded past the limit with body lines.
    let mut bytes = b"From: a@message.test\r\nSubject: big\r\n\r\n".to_vec();
    let line = [b"y".repeat(998), b"\r\n".to_vec()].concat();
    while bytes.len() <= MAX_MESSAGE_BYTES {
        bytes.extend_from_slice(&line);
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Input::read(Source::Path(path)).unwrap_err();
    assert!(matches!(err, InputError::TooLarge { .. }), "{err}");
    // From a stream the size is unknown until read: the read stops one byte past the limit.
    let read = deliv::message::input::read_bounded(&bytes[..], MAX_MESSAGE_BYTES).unwrap();
    assert!(read.is_none());
    let err = Input::from_bytes(Source::Stdin, bytes).unwrap_err();
    assert!(
        err.to_string().starts_with("standard input is larger than"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_received_or_return_path_spf_says_what_is_missing() {
    let raw = b"From: a@message.test\r\nTo: b@receiver.test\r\nSubject: hi\r\n\r\nhello\r\n";
    let input = Input::from_bytes(Source::Stdin, raw.to_vec()).unwrap();
    let message = Message::parse(&input).unwrap();
    assert!(message.headers.received.is_empty());
    let server = TestDns::with_fixture_zones(&ZONES);
    let resolver = resolver(&server);
    let a = rt()
        .block_on(analyse(&resolver, &input, &Envelope::default()))
        .unwrap();
    assert_eq!(a.spf.missing, Some(SpfMissing::NoIp));
    assert!(a.spf.evaluation.is_none());
    // DMARC still runs on DKIM (none here): the policy applies.
    assert!(matches!(
        a.dmarc.verdict,
        Verdict::Fail {
            policy: Policy::Reject,
            ..
        }
    ));
    let with_ip = Envelope {
        ip: Some(ip("192.0.2.25")),
        ..Envelope::default()
    };
    let a = rt().block_on(analyse(&resolver, &input, &with_ip)).unwrap();
    assert_eq!(a.spf.missing, Some(SpfMissing::NoSender));
}

#[test]
fn key_problems_are_typed() {
    // sha1-only keys, short keys and key-type mismatches, from fixtures/zones/dkim.test.zone,
    // against a message signed for one of its selectors: the key is judged before the
    // signature, so the message need not be signed by that key.
    let server = TestDns::with_fixture_zones(&["dkim.test.zone", "message.test.zone"]);
    let resolver = resolver(&server);
    let signed = std::fs::read(fixture("transactional-password-reset.eml")).unwrap();
    let case = |selector: &str, domain: &str| {
        let text = String::from_utf8(signed.clone())
            .unwrap()
            .replacen("d=message.test;", &format!("d={domain};"), 1)
            .replacen("i=@message.test;", &format!("i=@{domain};"), 1)
            .replacen("s=s2048;", &format!("s={selector};"), 1);
        let input = Input::from_bytes(Source::Stdin, text.into_bytes()).unwrap();
        let a = rt()
            .block_on(analyse(&resolver, &input, &Envelope::default()))
            .unwrap();
        a.dkim[0].result.clone()
    };
    assert_eq!(
        case("default", "sha1.dkim.test"),
        DkimResult::KeyUnusable(KeyProblem::HashNotAllowed {
            allowed: vec!["sha1".into()],
            used: "sha256"
        })
    );
    assert_eq!(
        case("s1", "rsa512.dkim.test"),
        DkimResult::KeyUnusable(KeyProblem::TooShort { bits: 512 })
    );
    assert_eq!(
        case("k1", "ed25519.dkim.test"),
        DkimResult::KeyUnusable(KeyProblem::TypeMismatch)
    );
    assert!(matches!(
        case("default", "unknownk.dkim.test"),
        DkimResult::KeyUnusable(KeyProblem::Record(_))
    ));
    // A good key that did not make the signature.
    assert_eq!(
        case("google", "good.dkim.test"),
        DkimResult::SignatureMismatch
    );
    // A signature that does not sign From is ignored (RFC 6376 §6.1.1).
    let text = String::from_utf8(signed.clone())
        .unwrap()
        .replacen("h=from : to :", "h=to :", 1);
    let input = Input::from_bytes(Source::Stdin, text.into_bytes()).unwrap();
    let a = rt()
        .block_on(analyse(&resolver, &input, &Envelope::default()))
        .unwrap();
    assert!(
        matches!(&a.dkim[0].result, DkimResult::Malformed(why) if why.contains("From")),
        "{:?}",
        a.dkim[0].result
    );
    // i= must be within d= (RFC 6376 §3.5).
    let text = String::from_utf8(signed.clone()).unwrap().replacen(
        "i=@message.test;",
        "i=@other.test;",
        1,
    );
    let input = Input::from_bytes(Source::Stdin, text.into_bytes()).unwrap();
    let a = rt()
        .block_on(analyse(&resolver, &input, &Envelope::default()))
        .unwrap();
    assert!(
        matches!(&a.dkim[0].result, DkimResult::Malformed(why) if why.contains("AUID")),
        "{:?}",
        a.dkim[0].result
    );
}
