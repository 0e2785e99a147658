//! `--zone` refuses what a real server refuses: each zone below goes through BIND's
//! `named-checkzone` and through deliv's zone reader, and both must accept it or both refuse
//! it at the same line. The few deliberate differences are listed, and checked too, so a
//! change on either side shows. Needs `named-checkzone` (Debian's bind9-utils): `.ci/run`
//! installs it and runs this with `--ignored`.

use std::path::{Path, PathBuf};
use std::process::Command;

use deliv::dns::{Zone, ZoneError};
use deliv::input::InputError;

const HEADER: &str =
    "$ORIGIN t.example.\n$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n";
/// The line of the first record after [`HEADER`].
const L: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accept,
    /// Refused at this line (BIND names no line for some checks across records).
    Refuse(Option<usize>),
}

/// (name, records after the header, what both must say).
const AGREE: &[(&str, &str, Verdict)] = &[
    ("base", "", Verdict::Accept),
    (
        "cname-then-a",
        "www CNAME ns\nwww A 192.0.2.2",
        Verdict::Refuse(Some(L + 1)),
    ),
    (
        "txt-then-cname",
        "www TXT \"x\"\nwww CNAME ns",
        Verdict::Refuse(Some(L + 1)),
    ),
    (
        "cname-then-spf",
        "www CNAME ns\nwww SPF \"v=spf1 -all\"",
        Verdict::Refuse(Some(L + 1)),
    ),
    ("cname-at-apex", "@ CNAME ns", Verdict::Refuse(Some(L))),
    (
        "cname-beside-ns",
        "sub NS ns\nsub CNAME ns",
        Verdict::Refuse(Some(L + 1)),
    ),
    (
        "cname-beside-dname",
        "www CNAME ns\nwww DNAME other.example.",
        Verdict::Refuse(Some(L + 1)),
    ),
    (
        "wildcard-cname-and-txt",
        "* CNAME ns\n* TXT \"x\"",
        Verdict::Refuse(Some(L + 1)),
    ),
    (
        "cname-case-differs",
        "www CNAME ns\nWWW A 192.0.2.1",
        Verdict::Refuse(Some(L + 1)),
    ),
    (
        "two-cnames",
        "www CNAME ns\nwww CNAME ns2",
        Verdict::Refuse(Some(L + 1)),
    ),
    (
        "same-cname-twice",
        "www CNAME ns\nwww CNAME ns",
        Verdict::Accept,
    ),
    (
        "two-dnames",
        "www DNAME a.example.\nwww DNAME b.example.",
        Verdict::Refuse(Some(L + 1)),
    ),
    (
        "cname-and-rrsig",
        "www CNAME ns\nwww RRSIG A 8 3 300 20300101000000 20200101000000 1234 t.example. aGVsbG8=",
        Verdict::Accept,
    ),
    (
        "cname-and-nsec",
        "www CNAME ns\nwww NSEC zz A RRSIG NSEC",
        Verdict::Accept,
    ),
    (
        "cname-and-rrsig-by-number",
        "www CNAME ns\nwww TYPE46 A 8 3 300 20300101000000 20200101000000 1234 t.example. aGVsbG8=",
        Verdict::Accept,
    ),
    (
        "duplicate-txt",
        "www TXT \"x\"\nwww TXT \"x\"",
        Verdict::Accept,
    ),
    ("class-ch", "www CH TXT \"x\"", Verdict::Refuse(Some(L))),
    ("class-hs", "www HS A 192.0.2.1", Verdict::Refuse(Some(L))),
    (
        "class-in-after-ttl",
        "www 300 IN A 192.0.2.1",
        Verdict::Accept,
    ),
    (
        "class-in-before-ttl",
        "www IN 300 A 192.0.2.1",
        Verdict::Accept,
    ),
    (
        "a-leading-zero",
        "www A 192.0.2.01",
        Verdict::Refuse(Some(L)),
    ),
    ("a-three-octets", "www A 192.0.2", Verdict::Refuse(Some(L))),
    (
        "a-two-addresses",
        "www A 192.0.2.1 192.0.2.2",
        Verdict::Refuse(Some(L)),
    ),
    ("aaaa-bad", "www AAAA 2001:db8::g", Verdict::Refuse(Some(L))),
    ("mx-no-preference", "@ MX mx", Verdict::Refuse(Some(L))),
    (
        "mx-preference-too-big",
        "@ MX 70000 mx",
        Verdict::Refuse(Some(L)),
    ),
    ("mx-to-root", "@ MX 0 .", Verdict::Accept),
    (
        "mx-to-an-ip-looking-name",
        "@ MX 10 192.0.2.1.",
        Verdict::Accept,
    ),
    (
        "cname-two-targets",
        "www CNAME a b",
        Verdict::Refuse(Some(L)),
    ),
    ("ptr-two-targets", "www PTR a b", Verdict::Refuse(Some(L))),
    ("soa-short", "@ SOA ns h 1 2 3 4", Verdict::Refuse(Some(L))),
    (
        "soa-serial-too-big",
        "@ SOA ns h 4294967296 2 3 4 5",
        Verdict::Refuse(Some(L)),
    ),
    (
        "second-soa",
        "@ SOA ns h 2 2 3 4 5",
        Verdict::Refuse(Some(L)),
    ),
    ("txt-empty", "www TXT", Verdict::Refuse(Some(L))),
    (
        "txt-unterminated",
        "www TXT \"abc",
        Verdict::Refuse(Some(L)),
    ),
    ("txt-unquoted-words", "www TXT abc def", Verdict::Accept),
    ("txt-utf8", "www TXT \"café\"", Verdict::Accept),
    ("txt-escapes", "www TXT \"a\\001b\\\"\"", Verdict::Accept),
    ("ttl-units", "www 1H30M A 192.0.2.1", Verdict::Accept),
    (
        "ttl-negative",
        "www -1 A 192.0.2.1",
        Verdict::Refuse(Some(L)),
    ),
    ("ttl-directive-bad", "$TTL abc", Verdict::Refuse(None)),
    (
        "label-too-long",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa A 192.0.2.1",
        Verdict::Refuse(Some(L)),
    ),
    ("underscore-owner", "foo_bar A 192.0.2.1", Verdict::Accept),
    (
        "wildcard-in-the-middle",
        "a.*.b A 192.0.2.1",
        Verdict::Accept,
    ),
    (
        "relative-origin",
        "$ORIGIN sub\nwww A 192.0.2.1",
        Verdict::Accept,
    ),
    ("lower-case-type", "www a 192.0.2.1", Verdict::Accept),
    ("unknown-type", "www FOO 1", Verdict::Refuse(Some(L))),
    (
        "type-number-without-generic-form",
        "www TYPE65000 abc",
        Verdict::Refuse(Some(L)),
    ),
    ("generic-form", "www TYPE65000 \\# 2 abcd", Verdict::Accept),
    ("generic-form-empty", "www TYPE65000 \\# 0", Verdict::Accept),
    (
        "generic-form-short",
        "www TYPE65000 \\# 3 abcd",
        Verdict::Refuse(Some(L)),
    ),
    (
        "generic-form-for-https",
        "www HTTPS \\# 3 000100",
        Verdict::Accept,
    ),
    ("srv", "_sip._tcp SRV 10 5 5060 sip", Verdict::Accept),
    ("srv-to-root", "_sip._tcp SRV 0 0 0 .", Verdict::Accept),
    (
        "srv-missing-port",
        "www SRV 10 5 sip",
        Verdict::Refuse(Some(L)),
    ),
    (
        "srv-port-too-big",
        "_sip._tcp SRV 10 5 70000 sip",
        Verdict::Refuse(Some(L)),
    ),
    ("caa", "@ CAA 0 issue \"letsencrypt.org\"", Verdict::Accept),
    (
        "caa-lower-case-type",
        "@ caa 0 issuewild \"ca.example.net; account=230123\"",
        Verdict::Accept,
    ),
    (
        "caa-flags-too-big",
        "@ CAA 300 issue \"letsencrypt.org\"",
        Verdict::Refuse(Some(L)),
    ),
    ("caa-no-value", "@ CAA 0 issue", Verdict::Refuse(Some(L))),
    (
        "tlsa",
        "_25._tcp TLSA 3 1 1 0123456789abcdef",
        Verdict::Accept,
    ),
    (
        "tlsa-bad-hex",
        "_25._tcp TLSA 3 1 1 zz",
        Verdict::Refuse(Some(L)),
    ),
    (
        "sshfp-bad-hex",
        "www SSHFP 1 1 xyz",
        Verdict::Refuse(Some(L)),
    ),
    ("hinfo", "www HINFO \"PC\" \"Linux\"", Verdict::Accept),
    (
        "hinfo-one-string",
        "www HINFO \"x\"",
        Verdict::Refuse(Some(L)),
    ),
    ("https", "www HTTPS 1 . alpn=h2", Verdict::Accept),
    (
        "https-unknown-key",
        "www HTTPS 1 . foo=bar",
        Verdict::Refuse(Some(L)),
    ),
    ("ds-without-data", "sub DS", Verdict::Refuse(Some(L))),
    (
        "mx-host-is-a-cname",
        "@ MX 10 www\nwww CNAME ns",
        Verdict::Accept,
    ),
    (
        "apex-ns-host-without-address",
        "@ NS ns2",
        Verdict::Refuse(None),
    ),
    (
        "apex-ns-host-is-a-cname",
        "@ NS www\nwww CNAME ns",
        Verdict::Refuse(None),
    ),
    (
        "apex-ns-host-elsewhere",
        "@ NS ns.other.example.",
        Verdict::Accept,
    ),
    ("delegation-without-glue", "sub NS ns.sub", Verdict::Accept),
    (
        "data-below-a-delegation",
        "sub NS ns.sub\nns.sub A 192.0.2.9\nwww.sub A 192.0.2.9",
        Verdict::Accept,
    ),
    ("cname-to-itself", "www CNAME www", Verdict::Accept),
];

/// Where deliv is stricter than BIND, on purpose: (name, records, deliv's line).
const DELIV_STRICTER: &[(&str, &str, usize)] = &[
    // BIND ignores out-of-zone data with a warning; here it is most likely a typo.
    ("outside-the-zone", "www.other.example. A 192.0.2.1", L),
    // Raw control characters and bytes that are not UTF-8: binary input, refused at once;
    // `\DDD` escapes say the same thing in text.
    ("raw-control-in-txt", "www TXT \"a\u{1}b\"", L),
    // A label holding a dot cannot be a `Name`.
    ("escaped-dot", "a\\.b A 192.0.2.1", L),
    // Names with a NUL octet in a label are not names anyone means.
    ("nul-in-a-label", "a\\000b A 192.0.2.1", L),
    // The generic form of the types deliv reads.
    ("generic-form-for-a", "www A \\# 4 c0000201", L),
    ("include", "$INCLUDE /dev/null", L),
    ("generate", "$GENERATE 1-3 h$ A 192.0.2.$", L),
];

/// Where deliv accepts what BIND refuses, on purpose: (name, whole file).
const DELIV_LAXER: &[(&str, &str)] = &[
    // Lint reports the over-long string (spf.txt-size) before it is published.
    (
        "txt-string-over-255",
        "$ORIGIN t.example.\n$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\nwww TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
    ),
    // A fragment: the records being changed, without the SOA and NS a served zone needs.
    (
        "no-soa-no-ns",
        "$ORIGIN t.example.\n$TTL 300\nwww A 192.0.2.1\n",
    ),
];

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(format!("{name}.zone"));
    std::fs::write(&path, text).unwrap();
    path
}

/// BIND's verdict: refused when `named-checkzone` fails, at the line its message names.
fn bind(path: &Path) -> Verdict {
    let out = Command::new("named-checkzone")
        .args(["t.example"])
        .arg(path)
        .output()
        .expect("named-checkzone (bind9-utils) is installed");
    if out.status.success() {
        return Verdict::Accept;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let file = path.display().to_string();
    let line = text.lines().find_map(|l| {
        let rest = &l[l.find(&file)? + file.len()..];
        rest.strip_prefix(':')?
            .split(':')
            .next()?
            .parse::<usize>()
            .ok()
    });
    Verdict::Refuse(line)
}

fn deliv(path: &Path) -> Verdict {
    match Zone::from_file(path) {
        Ok(_) => Verdict::Accept,
        Err(ZoneError::Syntax { line, .. })
        | Err(ZoneError::Input(InputError::NotText {
            error: deliv::input::TextError { line, .. },
            ..
        })) => Verdict::Refuse(Some(line)),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

fn temp_dir() -> Dir {
    let dir = std::env::temp_dir().join(format!("deliv-checkzone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Dir(dir)
}

#[test]
#[ignore = "needs named-checkzone (bind9-utils); run by .ci/run"]
fn deliv_refuses_what_bind_refuses_at_the_same_line() {
    let dir = temp_dir();
    let mut disagreements = Vec::new();
    for (name, records, expected) in AGREE {
        let path = write(&dir.0, name, &format!("{HEADER}{records}\n"));
        let (bind, deliv) = (bind(&path), deliv(&path));
        // Where BIND names no line (checks across records), deliv's line is the record's.
        let bind_matches = match (bind, *expected) {
            (Verdict::Refuse(None), Verdict::Refuse(None)) => true,
            (b, e) => b == e,
        };
        let deliv_matches = match (deliv, *expected) {
            (Verdict::Refuse(Some(_)), Verdict::Refuse(None)) => true,
            (d, e) => d == e,
        };
        if !bind_matches || !deliv_matches {
            disagreements.push(format!(
                "{name}: expected {expected:?}, BIND {bind:?}, deliv {deliv:?}"
            ));
        }
    }
    for (name, records, line) in DELIV_STRICTER {
        let path = write(&dir.0, name, &format!("{HEADER}{records}\n"));
        let (bind, deliv) = (bind(&path), deliv(&path));
        if bind != Verdict::Accept || deliv != Verdict::Refuse(Some(*line)) {
            disagreements.push(format!(
                "{name} (deliv stricter): BIND {bind:?}, deliv {deliv:?}"
            ));
        }
    }
    for (name, text) in DELIV_LAXER {
        let path = write(&dir.0, name, text);
        let (bind, deliv) = (bind(&path), deliv(&path));
        if bind == Verdict::Accept || deliv != Verdict::Accept {
            disagreements.push(format!(
                "{name} (deliv laxer): BIND {bind:?}, deliv {deliv:?}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn every_fixture_zone_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/zones");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "zone") {
            Zone::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
            count += 1;
        }
    }
    assert!(
        count >= 14,
        "only {count} fixture zones in {}",
        dir.display()
    );
}
