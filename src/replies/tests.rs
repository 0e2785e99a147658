//! The knowledge base against its own examples, and `explain` end to end.

use super::kb::{Basic, Subject, match_text};
use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn name(s: &str) -> Name {
    Name::parse(s).unwrap()
}

fn id(explanation: &Explanation) -> Option<&'static str> {
    explanation.entry.map(|e| e.id)
}

fn no_hint() -> Hint {
    Hint::default()
}

/// Every example matches its own entry, and every other entry that also matches it scores
/// strictly lower: the choice never rests on table order.
#[test]
fn every_example_matches_its_own_entry_and_nothing_as_specific() {
    let mut checked = 0;
    for entry in ENTRIES {
        assert!(!entry.examples.is_empty(), "{} has no example", entry.id);
        for example in entry.examples {
            let explanation = explain(example.text, &no_hint());
            assert_eq!(
                id(&explanation),
                Some(entry.id),
                "example of {}: {:?}",
                entry.id,
                example.text
            );
            let reply = &explanation.reply;
            let lower = match_text(&reply.text);
            let subject = Subject {
                lower: &lower,
                code: reply.code,
                enhanced: reply.enhanced,
                // The provider as the matcher saw it, before the entry named one.
                provider: explanation
                    .provider
                    .filter(|_| explanation.provider_source != Some(ProviderSource::Entry)),
            };
            let own = entry.score(&subject).unwrap();
            for other in ENTRIES.iter().filter(|o| o.id != entry.id) {
                if let Some(score) = other.score(&subject) {
                    assert!(
                        score < own,
                        "{} ties or beats {} on {:?}",
                        other.id,
                        entry.id,
                        example.text
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= ENTRIES.len());
}

#[test]
fn entries_are_well_formed() {
    let prefixes = [
        (None, "generic."),
        (Some(Provider::Google), "google."),
        (Some(Provider::Microsoft), "microsoft."),
        (Some(Provider::Yahoo), "yahoo."),
        (Some(Provider::AmazonSes), "amazon_ses."),
    ];
    for (i, entry) in ENTRIES.iter().enumerate() {
        let id = entry.id;
        assert!(
            ENTRIES[i + 1..].iter().all(|other| other.id != id),
            "{id} twice"
        );
        let prefix = prefixes
            .iter()
            .find(|(p, _)| *p == entry.provider)
            .unwrap()
            .1;
        assert!(id.starts_with(prefix), "{id} should start with {prefix}");
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)),
            "{id}: lower-case ids"
        );
        for text in [entry.title, entry.meaning, entry.cause, entry.action] {
            assert!(
                !text.trim().is_empty() && !text.contains("  "),
                "{id}: {text:?}"
            );
        }
        for url in [Some(entry.source), entry.support_url]
            .into_iter()
            .flatten()
            .chain(entry.examples.iter().map(|e| e.source))
        {
            assert!(
                url.starts_with("https://") || url.starts_with("mailto:"),
                "{id}: {url}"
            );
        }
        if entry.confidence == Confidence::Unconfirmed {
            assert!(entry.note.is_some(), "{id}: say what is unconfirmed");
        }
        let rule = &entry.rule;
        assert!(
            !matches!(rule.basic, Basic::Any)
                || !rule.enhanced.is_empty()
                || !rule.phrases.is_empty(),
            "{id}: a rule needs a condition"
        );
        assert!(!rule.needs_provider || entry.provider.is_some(), "{id}");
        for phrase in rule.phrases.iter().flat_map(|group| group.iter()) {
            assert!(!phrase.is_empty(), "{id}: empty phrase");
            assert_eq!(
                *phrase,
                match_text(phrase),
                "{id}: phrases are matched lower-case"
            );
        }
        if let Some(next) = entry.next {
            assert!(next.starts_with("deliv "), "{id}: {next}");
            let unknown = next
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}'))
                .map(|(placeholder, _)| format!("{{{placeholder}}}"))
                .find(|p| !PLACEHOLDERS.contains(&p.as_str()));
            assert_eq!(unknown, None, "{id}: {next}");
        }
    }
}

#[test]
fn the_knowledge_base_covers_what_senders_meet() {
    for id in [
        "microsoft.s3140",
        "microsoft.s3150",
        "microsoft.5.7.515",
        "microsoft.4.7.650",
        "microsoft.5.7.606",
        "microsoft.5.7.511",
        "google.4.7.28",
        "google.5.7.1-unsolicited",
        "google.ptr",
        "google.5.7.26-dmarc",
        "google.unauthenticated",
        "google.spf",
        "google.dkim",
        "google.4.7.0-tls-required",
        "yahoo.tss04",
        "yahoo.ts",
        "yahoo.ph",
        "amazon_ses.max-send-rate",
        "amazon_ses.daily-quota",
        "amazon_ses.not-verified",
        "generic.user-unknown",
        "generic.mailbox-full",
        "generic.connection-timeout",
        "generic.greylisting",
        "generic.relay-denied",
        "generic.null-mx-sender",
        "generic.accepted",
    ] {
        assert!(ENTRIES.iter().any(|e| e.id == id), "{id} missing");
    }
}

#[test]
fn unknown_replies_still_get_their_codes_explained() {
    let explanation = explain("452 4.3.1 Insufficient system resources (TSTE)", &no_hint());
    assert_eq!(id(&explanation), None);
    assert_eq!(explanation.severity, None);
    assert_eq!(explanation.next, None);
    let basic = explanation.codes.basic.unwrap();
    assert_eq!(basic.class, Class::TransientFailure);
    assert_eq!(
        basic.meaning,
        Some("Requested action not taken: insufficient system storage")
    );
    let enhanced = explanation.codes.enhanced.unwrap();
    assert_eq!(enhanced.detail, Some("Mail system full"));
    assert_eq!(enhanced.defined_in, Some("RFC 3463"));
    assert!(!enhanced.superseded_by_provider);

    // A code nobody registered: the digits still mean something.
    let explanation = explain("550 5.9.9 something brand new", &no_hint());
    assert_eq!(id(&explanation), None);
    let enhanced = explanation.codes.enhanced.unwrap();
    assert_eq!(enhanced.class, Class::PermanentFailure);
    assert_eq!((enhanced.subject, enhanced.detail), (None, None));

    // No code at all: nothing to explain, nothing invented.
    let explanation = explain("the server hung up", &no_hint());
    assert_eq!(explanation.codes, CodeMeanings::default());
    assert_eq!(id(&explanation), None);
}

#[test]
fn a_providers_meaning_of_a_code_wins_over_the_registry() {
    // Gmail's 5.7.27 is an SPF failure.
    let gmail = explain("550 5.7.27 This message was blocked. - gsmtp", &no_hint());
    assert_eq!(id(&gmail), Some("google.spf"));
    assert_eq!(gmail.provider, Some(Provider::Google));
    assert_eq!(gmail.provider_source, Some(ProviderSource::ReplyText));
    let codes = gmail.codes.enhanced.unwrap();
    assert_eq!(codes.detail, Some("Sender address has null MX"));
    assert!(codes.superseded_by_provider);

    // From anyone else, the registry's null MX.
    let other = explain("550 5.7.27 sender domain rejected", &no_hint());
    assert_eq!(id(&other), Some("generic.null-mx-sender"));
    assert!(!other.codes.enhanced.unwrap().superseded_by_provider);

    // The caller knows the relay was Gmail's.
    let hinted = explain(
        "550 5.7.27 sender domain rejected",
        &Hint {
            provider: Some(Provider::Google),
            ..Hint::default()
        },
    );
    assert_eq!(id(&hinted), Some("google.spf"));
    assert_eq!(hinted.provider_source, Some(ProviderSource::Hint));

    // The host that replied outranks a hint, and signs in the text outrank a hint.
    let logged = explain(
        "host gmail-smtp-in.l.google.com[192.0.2.26] said: 421 4.7.30 rate limited (in reply \
         to end of DATA command)",
        &Hint {
            provider: Some(Provider::Microsoft),
            ..Hint::default()
        },
    );
    assert_eq!(logged.provider_source, Some(ProviderSource::RemoteHost));
    assert_eq!(id(&logged), Some("google.dkim"));
    assert_eq!(logged.severity, Some(Severity::Deferred));
}

#[test]
fn accepted_is_not_delivered() {
    for text in [
        "250 2.0.0 OK  1614876726 z8si17418573ilq.142 - gsmtp",
        "250 2.1.5 Recipient OK",
        "250 2.6.0 <id@host> [InternalId=1, Hostname=host] Queued mail for delivery",
        "250 2.0.0 Ok: queued as 4ABCD1234",
        "Mar  4 16:52:06 mx postfix/smtp[745]: C9D42EC0ADD: to=<a@example.net>, \
         relay=gmail-smtp-in.l.google.com[192.0.2.26]:25, delay=1.4, dsn=2.0.0, status=sent \
         (250 2.0.0 OK  1614876726 z8si17418573ilq.142 - gsmtp)",
    ] {
        let explanation = explain(text, &no_hint());
        assert_eq!(id(&explanation), Some("generic.accepted"), "{text}");
        assert_eq!(explanation.severity, Some(Severity::Accepted));
        let entry = explanation.entry.unwrap();
        assert!(entry.meaning.contains("not delivery to the inbox"));
        for check in [
            "DKIM",
            "reputation",
            "complaint",
            "List-Unsubscribe",
            "Postmaster Tools",
            "SNDS",
            "Sender Hub",
        ] {
            assert!(entry.action.contains(check), "{check}");
        }
        assert_eq!(
            explanation.next,
            Some(NextCommand {
                command: "deliv check <domain>".into(),
                complete: false
            })
        );
    }
    let explanation = explain(
        "250 2.0.0 OK - gsmtp",
        &Hint {
            sender_domain: Some(name("example.com")),
            ..Hint::default()
        },
    );
    assert_eq!(
        explanation.next.unwrap(),
        NextCommand {
            command: "deliv check example.com".into(),
            complete: true
        }
    );
}

#[test]
fn next_commands_are_filled_from_the_reply_then_the_hint() {
    let s3140 = explain(
        "host example-com.mail.protection.outlook.com[192.0.2.5] said: 550 5.7.1 Unfortunately, \
         messages from [203.0.113.9] weren't sent. Please contact your Internet service provider \
         since part of their network is on our block list (AS3140). (in reply to MAIL FROM \
         command)",
        &no_hint(),
    );
    assert_eq!(id(&s3140), Some("microsoft.s3140"));
    assert_eq!(s3140.severity, Some(Severity::Blocked));
    assert_eq!(
        s3140.reply.ips,
        [ip("203.0.113.9")],
        "not the receiver's address"
    );
    assert_eq!(
        s3140.next.unwrap().command,
        "deliv ip 203.0.113.9 --neighbourhood"
    );

    let rate = explain(
        "451 4.7.650 The mail server [2001:db8::25] has been temporarily rate limited due to IP \
         reputation. For e-mail delivery information, see https://aka.ms/postmaster (S775)",
        &no_hint(),
    );
    assert_eq!(id(&rate), Some("microsoft.4.7.650"));
    assert_eq!(rate.severity, Some(Severity::Deferred));
    assert_eq!(rate.next.unwrap().command, "deliv ip 2001:db8::25");

    let auth = explain(
        "550 5.7.515 Access denied, sending domain [Example.COM] does not meet the required \
         authentication level.",
        &no_hint(),
    );
    assert_eq!(auth.next.unwrap().command, "deliv check example.com");

    // The sender's domain from the hint comes before a domain the reply names.
    let hardfail = explain(
        "550 5.7.26 The (E)MAIL FROM domain [bounce.example.net] has an SPF record with a hard \
         fail policy (-all) but it fails to pass SPF checks with the ip: [203.0.113.9].",
        &Hint {
            sender_domain: Some(name("example.com")),
            sending_ip: Some(ip("198.51.100.1")),
            ..Hint::default()
        },
    );
    assert_eq!(
        hardfail.next.unwrap().command,
        "deliv spf example.com --ip 203.0.113.9"
    );

    // The reply names no address: the hint's stands in.
    let hinted = explain(
        "421 4.7.28 Gmail has detected an unusual rate of unsolicited email originating from \
         your SPF domain example.com.",
        &Hint {
            sending_ip: Some(ip("198.51.100.1")),
            ..Hint::default()
        },
    );
    assert_eq!(
        hinted.next.unwrap(),
        NextCommand {
            command: "deliv ip 198.51.100.1".into(),
            complete: true
        }
    );
}

#[test]
fn a_postfix_bounce_line_is_read_whole() {
    let entry = ENTRIES
        .iter()
        .find(|e| e.id == "google.unauthenticated")
        .unwrap();
    let line = entry.examples[0].text;
    assert!(line.contains("postfix/smtp"));
    let explanation = explain(line, &no_hint());
    let reply = &explanation.reply;
    assert!(
        reply
            .text
            .starts_with("550 5.7.26 This mail is unauthenticated")
    );
    assert!(
        reply
            .text
            .ends_with("instructions on setting up authentication. - gsmtp")
    );
    assert!(!reply.text.contains("550-"), "{}", reply.text);
    assert_eq!(reply.command.as_deref(), Some("end of DATA"));
    assert_eq!(reply.ips, [ip("203.0.113.9")]);
    assert_eq!(reply.domains, [name("example.com")]);
    let remote = reply.remote_host.as_ref().unwrap();
    assert_eq!(remote.domain, Some(name("google.com")));
    assert_eq!(
        explanation.provider_source,
        Some(ProviderSource::RemoteHost)
    );
    assert_eq!(explanation.severity, Some(Severity::Blocked));
    assert_eq!(explanation.next.unwrap().command, "deliv check example.com");
}

#[test]
fn severity_follows_the_reply_class() {
    let deferred = explain(
        "421 4.7.0 This message is suspicious due to the very low reputation of the sending IP \
         address.",
        &no_hint(),
    );
    assert_eq!(id(&deferred), Some("google.ip-reputation"));
    assert_eq!(deferred.severity, Some(Severity::Deferred));
    let blocked = explain(
        "550 5.7.1 This message is likely suspicious due to the very low reputation of the \
         sending IP address.",
        &no_hint(),
    );
    assert_eq!(blocked.severity, Some(Severity::Blocked));
    let tss04 = explain(
        "421 4.7.0 [TSS04] Messages from 203.0.113.9 temporarily deferred",
        &no_hint(),
    );
    assert_eq!(tss04.severity, Some(Severity::Deferred));
    let ses = explain(
        "454 Throttling failure: Maximum sending rate exceeded",
        &no_hint(),
    );
    assert_eq!(ses.severity, Some(Severity::Deferred));
    assert_eq!(
        explain("550 5.1.1 user unknown", &no_hint()).severity,
        Some(Severity::Recipient)
    );
}

#[test]
fn yahoo_ts_codes_without_a_published_meaning_say_so() {
    let explanation = explain(
        "421 4.7.0 [TSS09] All messages from 203.0.113.9 will be deferred",
        &no_hint(),
    );
    let entry = explanation.entry.unwrap();
    assert_eq!(entry.id, "yahoo.ts");
    assert!(entry.note.unwrap().contains("TSS09"));
    assert!(entry.note.unwrap().contains("unconfirmed"));
    let ph = explain("554 Message not allowed - [PH02] something", &no_hint());
    assert!(ph.entry.unwrap().note.unwrap().contains("unconfirmed"));
}

#[test]
fn lower_case_and_partial_replies() {
    let explanation = explain(
        "550 5.7.1 unfortunately, messages from [203.0.113.9] weren't sent. please contact your \
         internet service provider since part of their network is on our block list (s3140).",
        &no_hint(),
    );
    assert_eq!(id(&explanation), Some("microsoft.s3140"));
    let code_only = explain("5.7.1", &no_hint());
    assert_eq!(id(&code_only), Some("generic.policy"));
    assert_eq!(code_only.severity, Some(Severity::Blocked));
    assert_eq!(code_only.next.unwrap().command, "deliv check <domain>");
    let basic_only = explain("550", &no_hint());
    assert_eq!(id(&basic_only), None);
    assert!(basic_only.codes.basic.is_some());
    assert_eq!(id(&explain("421", &no_hint())), None);
}

#[test]
fn json_field_names() {
    let explanation = explain(
        "550 5.7.1 Unfortunately, messages from [203.0.113.9] weren't sent. Please contact your \
         Internet service provider since part of their network is on our block list (S3140).",
        &no_hint(),
    );
    let json = serde_json::to_value(&explanation).unwrap();
    assert_eq!(json["reply"]["code"], 550);
    assert_eq!(json["reply"]["enhanced"], "5.7.1");
    assert_eq!(json["reply"]["ips"][0], "203.0.113.9");
    assert_eq!(json["reply"]["remote_host"], serde_json::Value::Null);
    assert_eq!(json["reply"]["truncated"], false);
    assert_eq!(json["codes"]["basic"]["class"], "permanent_failure");
    assert_eq!(json["codes"]["basic"]["topic"], "mail system");
    assert_eq!(
        json["codes"]["enhanced"]["detail"],
        "Delivery not authorized, message refused"
    );
    assert_eq!(json["codes"]["enhanced"]["superseded_by_provider"], false);
    assert_eq!(json["provider"], "microsoft");
    assert_eq!(json["provider_source"], "entry");
    assert_eq!(json["severity"], "blocked");
    assert_eq!(json["entry"]["id"], "microsoft.s3140");
    assert_eq!(json["entry"]["provider"], "microsoft");
    assert_eq!(json["entry"]["confidence"], "observed");
    assert!(
        json["entry"]["support_url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert!(json["entry"].get("rule").is_none() && json["entry"].get("examples").is_none());
    assert_eq!(
        json["next"]["command"],
        "deliv ip 203.0.113.9 --neighbourhood"
    );
    assert_eq!(json["next"]["complete"], true);
    let ses = serde_json::to_value(explain(
        "554 Message rejected: Email address is not verified.",
        &no_hint(),
    ))
    .unwrap();
    assert_eq!(ses["entry"]["provider"], "amazon_ses");
    assert_eq!(ses["severity"], "sender_setup");
}

#[test]
fn odd_input_never_panics() {
    let megabyte = "x".repeat(1 << 20);
    let replies_megabyte = "550-5.7.1 ".repeat((1 << 20) / 10);
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let binary = String::from_utf8_lossy(&binary).into_owned();
    for input in [
        "",
        "\0",
        "5.7.1",
        "550",
        "550-",
        "550 5.7.1",
        "status=",
        "status=deferred (",
        "status=deferred ()",
        "host ",
        "host [",
        "said: 5",
        "Diagnostic-Code:",
        "Diagnostic-Code: smtp;",
        "SMTP error from remote mail server after ",
        "connect to [",
        "(in reply to )",
        "[IPv6:",
        "::",
        "é.é.é",
        &megabyte,
        &replies_megabyte,
        &binary,
    ] {
        let explanation = explain(input, &no_hint());
        assert!(explanation.reply.text.len() <= MAX_REPLY_BYTES);
        serde_json::to_string(&explanation).unwrap();
    }
    let explanation = explain(&megabyte, &no_hint());
    assert!(explanation.reply.truncated);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of real replies and their wrappers, so the generator reaches the parser's
    /// branches and not only its fast paths.
    const PIECES: &[&str] = &[
        "550",
        "421",
        "250",
        "-",
        " ",
        "5.7.1",
        "4.7.650",
        "2.0.0",
        "550-5.7.1 ",
        "said: ",
        "host ",
        "mx.example.com",
        "[",
        "]",
        "[203.0.113.9]",
        "IPv6:2001:db8::1",
        ":25",
        "(",
        ")",
        "(in reply to RCPT TO command)",
        "status=deferred (",
        "relay=",
        "dsn=5.7.1, ",
        "Diagnostic-Code: smtp; ",
        "Remote-MTA: dns; ",
        "Status: ",
        "\n",
        "\n  ",
        ";",
        "<",
        ">",
        "@",
        "example.com",
        "gsmtp",
        "S3140",
        "[TSS04]",
        "part of their network",
        "block list",
        "http://",
        "é",
        "\u{2019}",
        "\0",
        "SMTP error from remote mail server after ",
        "connect to ",
        ".",
        "::",
        "4.16.55.1",
    ];

    fn pieced() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|p| p.concat())
    }

    proptest! {
        #[test]
        fn any_text_is_explained(text in any::<String>()) {
            check(&text);
        }

        #[test]
        fn any_mix_of_reply_pieces_is_explained(text in pieced()) {
            check(&text);
        }

        #[test]
        fn any_bytes_are_explained(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            check(&String::from_utf8_lossy(&bytes));
        }
    }

    fn check(text: &str) {
        let explanation = explain(text, &Hint::default());
        let reply = &explanation.reply;
        assert!(reply.text.len() <= text.len().max(1) && reply.text.len() <= MAX_REPLY_BYTES);
        assert!(reply.ips.len() <= parse::MAX_NAMED && reply.domains.len() <= parse::MAX_NAMED);
        assert_eq!(explanation.codes.basic.is_some(), reply.code.is_some());
        if let Some(next) = &explanation.next {
            assert!(next.command.starts_with("deliv "));
        }
        serde_json::to_string(&explanation).unwrap();
    }
}
