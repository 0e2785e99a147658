//! Property tests over the parsers of outside input: the tag list, the DMARC record, the zone
//! reader, domain arguments and the terminal escaping. Random and adversarial input must never
//! panic, must give errors that point inside the input, and must give output bounded by the
//! input's size. `PROPTEST_CASES` sets the number of cases (default 256).

use std::time::{Duration, Instant};

use deliv::dmarc::{Reading, Record, Rejection};
use deliv::dns::{Name, RType, Zone, ZoneError};
use deliv::input;
use deliv::taglist::{Syntax, TagList};
use deliv::terminal;
use proptest::prelude::*;

/// Tag names: DMARC's and DKIM's, in odd cases, and junk.
fn tag_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "v", "V", "p", "P", "sp", "np", "pct", "adkim", "aspf", "fo", "rf", "ri", "rua", "ruf",
            "psd", "t", "k", "h", "s", "Rua", "1x", "", " ", "p ", "_",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z_0-9]{0,6}",
    ]
}

fn tag_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "DMARC1",
            "dmarc1",
            "DMARC1 p=reject",
            "DMARC1p=none",
            "none",
            "quarantine",
            "reject",
            "Reject",
            "bogus",
            "",
            "100",
            "150",
            "-1",
            "r",
            "s",
            "0:1:d:s",
            "afrf",
            "86400",
            "y",
            "n",
            "u",
            "mailto:d@example.com",
            "mailto: d@example.com",
            "mailto:a@example.com,mailto:b@example.net!10m",
            "mailto:a@example.com , ftp://x",
            "mailto:\"q\"@example.com",
            "mailto:a@example.com?subject=x",
            "mailto:a@example.com!10x",
            "mailto:@example.com",
            "MIGfMA0 GCSq=",
            "a=b",
            "x y=z",
        ])
        .prop_map(str::to_string),
        any::<String>(),
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        ";", "; ", " ", ";;", " ; ", "", "\t;", ",", "=", ";\u{0}",
    ])
}

/// Records that look like tag lists, with every kind of slip.
fn tag_record() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", " ", "v=DMARC1; ", "V=DMARC1;", "v=DMARC1 "]),
        prop::collection::vec((tag_name(), tag_value(), separator()), 0..12),
    )
        .prop_map(|(start, tags)| {
            let mut text = start.to_string();
            for (name, value, sep) in tags {
                text.push_str(&name);
                text.push('=');
                text.push_str(&value);
                text.push_str(sep);
            }
            text
        })
}

fn any_record() -> impl Strategy<Value = String> {
    prop_oneof![tag_record(), any::<String>(), "[ -~]{0,80}"]
}

/// Debug output per input byte allowed: linear, with room for the field names `{:?}` prints
/// around each tiny tag (a repeated `p=none; ` is in the tags, the errors and the repeats).
/// Work that grows faster than the input blows far past it.
const OUTPUT_FACTOR: usize = 64;

fn chars(text: &str) -> usize {
    text.chars().count()
}

proptest! {
    #[test]
    fn tag_lists_point_inside_the_record(text in any_record()) {
        for syntax in [Syntax::Dkim, Syntax::Dmarc] {
            let list = TagList::parse_as(&text, syntax);
            for tag in &list.tags {
                prop_assert!(tag.column >= 1 && tag.column <= chars(&text));
                prop_assert!(tag.value_column >= tag.column);
                prop_assert!(text.contains(&tag.text));
                prop_assert!(tag.missing_separator.is_none_or(|c| c > tag.column && c <= chars(&text)));
            }
            for error in &list.errors {
                prop_assert!(error.column >= 1 && error.column <= chars(&text), "{error:?}");
                prop_assert!(text.contains(&error.text));
            }
            let repeated: usize = list.repeated().iter().map(|r| r.tags.len()).sum();
            prop_assert!(repeated <= list.tags.len());
        }
    }

    #[test]
    fn dmarc_records_are_read_without_panic_and_bounded(text in any_record()) {
        match Record::read(&text) {
            Ok(record) => {
                for error in record.errors.iter().chain(&record.lenient) {
                    prop_assert!(error.column >= 1 && error.column <= chars(&text).max(1), "{error:?}");
                }
                prop_assert!(record.errors.windows(2).all(|w| w[0].column <= w[1].column));
                for uri in record.rua.iter().chain(&record.ruf) {
                    prop_assert!(text.contains(&uri.uri));
                }
                let reading = record.reading();
                prop_assert_eq!(
                    matches!(reading, Reading::Ambiguous { .. }),
                    !record.repeated.is_empty()
                );
                // Output grows with the input, not faster.
                let size = format!("{record:?}{reading:?}").len();
                prop_assert!(size <= OUTPUT_FACTOR * text.len() + 4000, "{size} bytes for {}", text.len());
            }
            Err(Rejection::Malformed(m)) => {
                prop_assert!(m.error.column >= 1 && m.error.column <= chars(&text).max(1));
                if let Some(corrected) = &m.corrected {
                    prop_assert!(corrected.len() <= 2 * text.len() + 16);
                }
            }
            Err(Rejection::Unrelated) => {}
        }
    }

    #[test]
    fn a_corrected_record_sets_the_tag_and_keeps_the_rest(
        text in tag_record(),
        name in prop::sample::select(vec!["p", "sp", "np", "rua", "pct", "adkim"]),
        value in prop::sample::select(vec!["reject", "none", "mailto:d@example.com", "100", "s"]),
    ) {
        let Ok(record) = Record::read(&text) else { return Ok(()) };
        let corrected = record.with_tag(name, value);
        let again = TagList::parse_as(&corrected, Syntax::Dmarc);
        let set: Vec<&str> = again.all(name).map(|t| t.value.as_str()).collect();
        prop_assert_eq!(set, vec![value], "{}", corrected);
        // The other tags, in order, as the record had them (with any missing ';' put back).
        let others = |list: &TagList| -> Vec<String> {
            list.tags.iter().filter(|t| !t.name.eq_ignore_ascii_case(name)).map(|t| t.text.clone()).collect()
        };
        let before = TagList::parse_as(&record.without_tag(name), Syntax::Dmarc);
        prop_assert_eq!(others(&again), others(&before));
        prop_assert!(Record::read(&record.without_tag(name)).is_ok() || name == "v");
    }

    #[test]
    fn zone_text_is_read_without_panic(text in zone_text()) {
        match Zone::parse(&text, std::path::Path::new("prop.zone")) {
            Ok(zone) => {
                for name in ["example.com", "www.example.com", "x.y.example.com", "a.b"] {
                    if let Ok(name) = Name::parse(name) {
                        for rtype in RType::ALL {
                            let _ = zone.answer(&name, rtype);
                        }
                    }
                }
            }
            Err(ZoneError::Syntax { line, message, .. }) => {
                prop_assert!(line >= 1 && line <= text.lines().count().max(1) + 1, "line {line}: {message}");
                prop_assert!(!message.is_empty() && message.len() <= 600 + text.len(), "{message}");
            }
            Err(e) => prop_assert!(false, "{e}"),
        }
    }

    #[test]
    fn text_checks_find_exactly_the_control_characters(text in any::<String>()) {
        let bad = text
            .bytes()
            .position(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f);
        match input::check_text(&text) {
            Ok(()) => prop_assert!(bad.is_none()),
            Err(e) => {
                let offset = bad.unwrap_or(usize::MAX);
                prop_assert!(offset < text.len());
                prop_assert_eq!(e.line, text[..offset].matches('\n').count() + 1);
            }
        }
    }

    #[test]
    fn domain_arguments_are_clean_when_accepted(text in prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9._@:/*\\-\" ]{0,30}",
        "(xn--)?[a-z0-9\\-]{0,8}(\\.[a-z0-9\\-_]{0,8}){0,3}\\.?",
    ]) {
        if let Ok(name) = Name::from_user(&text) {
            let s = name.as_str();
            prop_assert!(s.is_ascii() && !s.is_empty());
            prop_assert!(s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')));
            prop_assert!(name.labels().all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-')));
            // Accepting is stable: the name given back is accepted as itself.
            prop_assert_eq!(Name::from_user(s), Ok(name.clone()));
        }
    }

    #[test]
    fn nothing_unsafe_reaches_the_terminal(text in any::<String>(), bytes in any::<Vec<u8>>()) {
        let line = terminal::safe(&text);
        prop_assert!(!line.chars().any(terminal::is_unsafe), "{line:?}");
        prop_assert!(line.len() <= 10 * text.len());
        let lines = terminal::safe_multiline(&text);
        let mut chars = lines.chars().peekable();
        while let Some(c) = chars.next() {
            let kept = c == '\n' || c == '\t' || (c == '\r' && chars.peek() == Some(&'\n'));
            prop_assert!(kept || !terminal::is_unsafe(c), "{lines:?}");
        }
        let shown = terminal::safe_bytes(&bytes);
        prop_assert!(!shown.chars().any(terminal::is_unsafe), "{shown:?}");
        if !text.chars().any(terminal::is_unsafe) {
            prop_assert_eq!(line.as_ref(), text.as_str());
        }
    }
}

/// Master-file-like text: directives, owners, classes, types, data, quotes, escapes,
/// parentheses and comments in any order.
fn zone_text() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "$ORIGIN example.com.",
        "$ORIGIN",
        "$TTL 300",
        "$TTL",
        "$INCLUDE x",
        "$GENERATE 1-2 a A 1.1.1.1",
        "@",
        "www",
        "*.wild",
        "a.b",
        "x.y",
        "other.example.net.",
        ".",
        "..",
        "-",
        "a\\.b",
        "\\#",
        "300",
        "1h30m",
        "99999999999999999999",
        "IN",
        "CH",
        "CLASS1",
        "A",
        "AAAA",
        "MX",
        "CNAME",
        "NS",
        "SOA",
        "TXT",
        "SPF",
        "PTR",
        "DNAME",
        "CAA",
        "SRV",
        "HTTPS",
        "TYPE65000",
        "TYPE99",
        "RRSIG",
        "FOO",
        "192.0.2.1",
        "2001:db8::1",
        "10",
        "70000",
        "ns",
        "mx1",
        "ns h 1 2 3 4 5",
        "\"v=spf1 -all\"",
        "\"open",
        "\"esc \\\" \\065 \\999\"",
        "0 issue \"ca\"",
        "1 . alpn=h2",
        "(",
        ")",
        ";comment",
        "\\",
        "\t",
        " ",
        "\r",
    ]);
    prop::collection::vec(
        prop::collection::vec(
            prop_oneof![4 => token.prop_map(str::to_string), 1 => "[ -~]{0,6}"],
            0..8,
        ),
        0..20,
    )
    .prop_map(|lines| {
        lines
            .into_iter()
            .map(|tokens| tokens.join(" "))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The largest records and zones deliv can meet, built to hit every repeated-work path, still
/// read in time linear in their size (the bound is generous: a quadratic reader takes hours).
#[test]
fn adversarial_inputs_stay_fast() {
    let bound = Duration::from_secs(20);
    let records = [
        // One name repeated as often as a 64 KiB answer allows.
        format!("v=DMARC1; {}", "p=none; ".repeat(8000)),
        // Every tag distinct, unknown and upper-case.
        format!(
            "v=DMARC1; {}",
            (0..6000).map(|i| format!("X{i}=1; ")).collect::<String>()
        ),
        // Missing separators everywhere.
        format!("v=DMARC1; p=reject{}", " a=b".repeat(16000)),
        // Report URIs by the thousand.
        format!(
            "v=DMARC1; p=none; rua={}",
            "mailto: a@example.com,".repeat(2800)
        ),
    ];
    for text in &records {
        let start = Instant::now();
        let record = Record::read(text).expect("a DMARC record");
        let reading = record.reading();
        let _ = record.with_tag("p", "reject");
        let size = format!("{record:?}{reading:?}").len();
        assert!(
            start.elapsed() < bound,
            "{:?} for {} bytes",
            start.elapsed(),
            text.len()
        );
        assert!(
            size <= OUTPUT_FACTOR * text.len(),
            "{size} bytes of output for {}",
            text.len()
        );
    }
    // A zone of 20,000 CNAMEs under shared parents and seven records each given 3,000 times.
    let mut zone = String::from("$ORIGIN example.com.\n");
    for i in 0..20_000 {
        zone.push_str(&format!("a{i}.b.c.d CNAME x\nr{} TXT \"same\"\n", i % 7));
    }
    let start = Instant::now();
    Zone::parse(&zone, std::path::Path::new("big.zone")).expect("the zone loads");
    assert!(start.elapsed() < bound, "{:?}", start.elapsed());
    let text = "\u{1b}[31m\u{202e}x".repeat(100_000);
    let start = Instant::now();
    let shown = terminal::safe(&text);
    assert!(start.elapsed() < bound && shown.len() <= 10 * text.len());
}
