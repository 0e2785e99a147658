//! Domain names as deliv uses them: lower-case ASCII, no trailing dot, checked for the
//! RFC 1035 length limits. User input goes through [`Name::from_user`] (IDNA, no IP
//! literals); names read from DNS answers or built by SPF macros go through [`Name::parse`].

use std::fmt;
use std::net::IpAddr;

use serde::Serialize;

/// The longest name deliv accepts, in presentation form without the trailing dot (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 253;
/// The longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Name(String);

/// Why a name is refused. The messages for user input say what was probably meant; they do
/// not repeat the input (the caller names it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name has an empty label (two dots in a row, or a leading dot)")]
    EmptyLabel,
    #[error("label '{label}' is {len} characters long; a label may have at most 63")]
    LabelTooLong { label: String, len: usize },
    #[error("the name is {0} characters long; a domain name may have at most 253")]
    TooLong(usize),
    #[error("'{0}' is an IP address, not a domain name")]
    IpLiteral(String),
    #[error("the name contains a control or non-ASCII character")]
    BadCharacter,
    #[error("the name contains a space")]
    Space,
    #[error("not a valid internationalized domain name")]
    Idna,
    #[error("label '{0}' is not valid punycode (an xn-- label must decode to a valid IDN label)")]
    Punycode(String),
    #[error("{}", hint("it is an email address", "its domain:", .0))]
    Email(Option<String>),
    #[error("{}", hint("it is a URL", "its domain:", .0))]
    Url(Option<String>),
    #[error("{}", hint("it has a port", "the domain alone:", .0))]
    Port(Option<String>),
    #[error("{}", hint("it has a path ('/')", "the domain alone:", .0))]
    Path(Option<String>),
    #[error("{}", hint("'*' is a wildcard, not a domain", "a domain, e.g.", .0))]
    Wildcard(Option<String>),
    #[error("it is the name of {record}; give the domain: {domain}")]
    RecordName { record: String, domain: String },
    #[error(
        "a domain cannot start with '-'; if it is an option, put it before the domains (and before '--')"
    )]
    LeadingHyphen,
    #[error("label '{0}' starts or ends with '-', which a host name cannot")]
    HyphenAtEdge(String),
    #[error("'{0}' cannot appear in a domain name (letters, digits, '-', '_' and '.')")]
    Character(char),
    #[error("the last label '{0}' is all digits, which no top-level domain is (an IP address?)")]
    NumericTld(String),
}

/// "what; give how domain", or "what; give a domain name" when the domain in it is no better.
fn hint(what: &str, how: &str, domain: &Option<String>) -> String {
    match domain {
        Some(domain) => format!("{what}; give {how} {domain}"),
        None => format!("{what}; give a domain name"),
    }
}

/// Record names deliv builds itself under a domain: given as the domain, they would be asked
/// twice over (`_dmarc._dmarc.example.com`).
const RECORD_LABELS: &[(&str, &str)] = &[
    ("_dmarc", "a DMARC record"),
    (
        "_domainkey",
        "a DKIM key (give its selector with --selector)",
    ),
    ("_mta-sts", "an MTA-STS policy record"),
    ("_smtp", "a TLS reporting record"),
    ("_bimi", "a BIMI record"),
];

impl Name {
    /// The root name, `.`; the target of a null MX (RFC 7505).
    pub fn root() -> Self {
        Name(String::new())
    }

    /// Parses a name as it appears in DNS data: any printable ASCII and spaces are allowed in
    /// a label (underscores in `_dmarc`, odd characters produced by SPF macros), lengths are
    /// enforced.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let trimmed = input.strip_suffix('.').unwrap_or(input);
        if trimmed.is_empty() {
            return if input == "." {
                Ok(Self::root())
            } else {
                Err(NameError::Empty)
            };
        }
        if trimmed.bytes().any(|b| !(0x20..0x7f).contains(&b)) {
            return Err(NameError::BadCharacter);
        }
        if trimmed.len() > MAX_NAME_LEN {
            return Err(NameError::TooLong(trimmed.len()));
        }
        for label in trimmed.split('.') {
            if label.is_empty() {
                return Err(NameError::EmptyLabel);
            }
            if label.len() > MAX_LABEL_LEN {
                return Err(NameError::LabelTooLong {
                    label: label.to_string(),
                    len: label.len(),
                });
            }
        }
        Ok(Name(trimmed.to_ascii_lowercase()))
    }

    /// Parses a domain typed by a person, to be checked as a mail domain: a host-like name of
    /// letters, digits, `-` and `_` labels (`_spf.example.com` is a name SPF includes point
    /// to). IDNs become punycode (UTS #46) and must convert back to the same name; `xn--`
    /// labels must be valid punycode; a trailing dot is fine. Refused, each with a one-line
    /// reason that names the domain meant where it is plain: email addresses, URLs, `host:port`,
    /// paths, wildcards, IP addresses, the names of records deliv looks up itself
    /// (`_dmarc.example.com`), names starting with `-` (an option after `--`), labels starting
    /// or ending with `-`, an all-digit last label, spaces and other characters.
    pub fn from_user(input: &str) -> Result<Self, NameError> {
        let text = input.trim();
        if text.is_empty() || text == "." {
            return Err(NameError::Empty);
        }
        if text.chars().any(char::is_control) {
            return Err(NameError::BadCharacter);
        }
        if text.starts_with('-') {
            return Err(NameError::LeadingHyphen);
        }
        let bare = text.trim_start_matches('[').trim_end_matches(']');
        if bare.parse::<IpAddr>().is_ok() {
            return Err(NameError::IpLiteral(text.to_string()));
        }
        misread(text)?;
        if text.contains(char::is_whitespace) {
            return Err(NameError::Space);
        }
        let ascii = to_ascii(text)?;
        if let Some(c) = ascii
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(NameError::Character(c));
        }
        let name = Self::parse(&ascii)?;
        if name.is_root() {
            return Err(NameError::Empty);
        }
        if let Some(label) = name
            .labels()
            .find(|l| l.starts_with('-') || l.ends_with('-'))
        {
            return Err(NameError::HyphenAtEdge(label.to_string()));
        }
        if let Some(last) = name.labels().next_back()
            && last.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(NameError::NumericTld(last.to_string()));
        }
        Ok(name)
    }

    /// A name from its labels as they travel on the wire.
    pub fn from_labels<'a>(labels: impl IntoIterator<Item = &'a [u8]>) -> Result<Self, NameError> {
        let mut text = String::new();
        for label in labels {
            if label.contains(&b'.') || !label.is_ascii() {
                return Err(NameError::BadCharacter);
            }
            if !text.is_empty() {
                text.push('.');
            }
            text.push_str(std::str::from_utf8(label).map_err(|_| NameError::BadCharacter)?);
        }
        if text.is_empty() {
            return Ok(Self::root());
        }
        Self::parse(&text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn labels(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.0.split('.').filter(|l| !l.is_empty())
    }

    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// The fully qualified form, with the trailing dot.
    pub fn fqdn(&self) -> String {
        format!("{}.", self.0)
    }

    /// True when `self` equals `ancestor` or lies below it.
    pub fn is_subdomain_of(&self, ancestor: &Name) -> bool {
        ancestor.is_root()
            || self.0 == ancestor.0
            || (self.0.len() > ancestor.0.len()
                && self.0.ends_with(&ancestor.0)
                && self.0.as_bytes()[self.0.len() - ancestor.0.len() - 1] == b'.')
    }

    /// The name one label up, or `None` at the root.
    pub fn parent(&self) -> Option<Name> {
        if self.is_root() {
            return None;
        }
        Some(match self.0.split_once('.') {
            Some((_, rest)) => Name(rest.to_string()),
            None => Name::root(),
        })
    }

    /// `label.self`, checked for length.
    pub fn prepend(&self, label: &str) -> Result<Name, NameError> {
        if self.is_root() {
            Name::parse(label)
        } else {
            Name::parse(&format!("{label}.{}", self.0))
        }
    }

    /// True when the name is a dotted-quad or otherwise reads as an IP address, which is
    /// what a mistaken `MX 10 192.0.2.1` turns into.
    pub fn looks_like_ip(&self) -> bool {
        self.0.parse::<IpAddr>().is_ok()
    }

    /// The reverse-lookup name of an address: `in-addr.arpa` octets or `ip6.arpa` nibbles.
    pub fn reverse(ip: IpAddr) -> Name {
        let suffix = match ip {
            IpAddr::V4(_) => "in-addr.arpa",
            IpAddr::V6(_) => "ip6.arpa",
        };
        Name(format!("{}.{suffix}", reversed_labels(ip)))
    }

    /// The address reversed as [`Name::reverse`] does, under another zone: how DNS
    /// blocklists (RFC 5782 §2) and Team Cymru's origin service are asked.
    pub fn reversed_under(ip: IpAddr, zone: &Name) -> Result<Name, NameError> {
        zone.prepend(&reversed_labels(ip))
    }
}

/// Recognises what people type where a domain belongs (an address, a URL, `host:port`, a
/// path, a wildcard, a record's name) and says which domain to give instead, when the domain
/// in it is itself acceptable.
fn misread(text: &str) -> Result<(), NameError> {
    let suggest = |candidate: &str| {
        Name::from_user(candidate)
            .ok()
            .map(|_| candidate.trim_end_matches('.').to_string())
    };
    if let Some((scheme, rest)) = text.split_once("://")
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        return Err(NameError::Url(suggest(strip_port(host))));
    }
    let address = text
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("mailto:"))
        .map_or(text, |_| &text[7..]);
    if let Some((_, domain)) = address.rsplit_once('@') {
        return Err(NameError::Email(suggest(domain.trim_end_matches('>'))));
    }
    if let Some((host, _)) = text.split_once('/') {
        return Err(NameError::Path(suggest(host).filter(|h| h.contains('.'))));
    }
    let host = strip_port(text);
    if host != text {
        let unbracketed = host.trim_start_matches('[').trim_end_matches(']');
        if unbracketed.parse::<IpAddr>().is_ok() {
            return Err(NameError::IpLiteral(text.to_string()));
        }
        return Err(NameError::Port(suggest(host)));
    }
    if text == "*" {
        return Err(NameError::Wildcard(None));
    }
    if let Some(rest) = text.strip_prefix("*.") {
        return Err(NameError::Wildcard(suggest(rest)));
    }
    let lower = text.to_ascii_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    for (i, label) in labels.iter().enumerate() {
        if let Some((_, record)) = RECORD_LABELS.iter().find(|(l, _)| l == label) {
            let after = labels.get(i + 1..).unwrap_or_default().join(".");
            // `_smtp._tls.example.com`: the domain follows both labels.
            let domain = after.strip_prefix("_tls.").unwrap_or(&after);
            if let Some(domain) = suggest(domain) {
                return Err(NameError::RecordName {
                    record: (*record).to_string(),
                    domain,
                });
            }
        }
    }
    Ok(())
}

/// `host:port` or `[v6]:port` without the port; anything else unchanged.
fn strip_port(text: &str) -> &str {
    match text.rsplit_once(':') {
        Some((host, port))
            if !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && (!host.contains(':') || (host.starts_with('[') && host.ends_with(']'))) =>
        {
            host
        }
        _ => text,
    }
}

/// UTS #46 ToASCII (nontransitional, hyphens unchecked so `r3---sn-abc` names work), which
/// also refuses `xn--` labels that are not valid punycode; the result must convert back to
/// Unicode and again to the same ASCII, or the name is not one a resolver and a person agree
/// on.
fn to_ascii(text: &str) -> Result<String, NameError> {
    use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
    let uts46 = Uts46::new();
    let ascii = |t: &str| {
        uts46
            .to_ascii(
                t.as_bytes(),
                AsciiDenyList::EMPTY,
                Hyphens::Allow,
                DnsLength::Ignore,
            )
            .map(|a| a.into_owned())
            .ok()
    };
    let failed = || {
        text.split('.')
            .find(|l| {
                l.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")) && ascii(l).is_none()
            })
            .map_or(NameError::Idna, |l| NameError::Punycode(l.to_string()))
    };
    let converted = ascii(text).ok_or_else(failed)?;
    let (unicode, result) =
        uts46.to_unicode(converted.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow);
    if result.is_err() || ascii(&unicode).as_deref() != Some(converted.as_str()) {
        return Err(failed());
    }
    Ok(converted)
}

/// Octets (IPv4) or nibbles (IPv6) in reverse order, dot-separated.
fn reversed_labels(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let nibbles: Vec<String> = v6
                .octets()
                .iter()
                .rev()
                .flat_map(|byte| [byte & 0xf, byte >> 4])
                .map(|n| format!("{n:x}"))
                .collect();
            nibbles.join(".")
        }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            f.write_str(".")
        } else {
            f.write_str(&self.0)
        }
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        assert_eq!(Name::parse("Example.COM.").unwrap().as_str(), "example.com");
        assert_eq!(Name::parse(".").unwrap(), Name::root());
        assert_eq!(Name::parse("_dmarc.example.com").unwrap().label_count(), 3);
    }

    #[test]
    fn enforces_limits() {
        let long_label = "a".repeat(64);
        assert!(matches!(
            Name::parse(&format!("{long_label}.com")),
            Err(NameError::LabelTooLong { len: 64, .. })
        ));
        assert!(Name::parse(&format!("{}.com", "a".repeat(63))).is_ok());
        let long_name = vec!["abcdefghi"; 26].join(".");
        assert!(matches!(
            Name::parse(&long_name),
            Err(NameError::TooLong(259))
        ));
        assert_eq!(Name::parse("a..b"), Err(NameError::EmptyLabel));
        assert_eq!(Name::parse(""), Err(NameError::Empty));
        assert_eq!(Name::parse("a\tb.com"), Err(NameError::BadCharacter));
        assert!(Name::parse("a b.com").is_ok());
        assert_eq!(Name::from_user("a b.com"), Err(NameError::Space));
        assert_eq!(
            Name::from_labels([&b"foo:bar/baz"[..], b"example", b"com"])
                .unwrap()
                .as_str(),
            "foo:bar/baz.example.com"
        );
    }

    #[test]
    fn user_input() {
        assert_eq!(
            Name::from_user("bücher.example").unwrap().as_str(),
            "xn--bcher-kva.example"
        );
        assert!(matches!(
            Name::from_user("192.0.2.1"),
            Err(NameError::IpLiteral(_))
        ));
        assert!(matches!(
            Name::from_user("[2001:db8::1]"),
            Err(NameError::IpLiteral(_))
        ));
        assert_eq!(Name::from_user("."), Err(NameError::Empty));
    }

    #[test]
    fn user_input_keeps_what_works() {
        for (input, name) in [
            ("example.com", "example.com"),
            ("Example.COM.", "example.com"),
            (" example.com ", "example.com"),
            ("bücher.example", "xn--bcher-kva.example"),
            ("XN--BCHER-KVA.example", "xn--bcher-kva.example"),
            ("faß.de", "xn--fa-hia.de"),
            ("яндекс.рф", "xn--d1acpjx3f.xn--p1ai"),
            ("_spf.google.com", "_spf.google.com"),
            ("foo_bar.example", "foo_bar.example"),
            ("r3---sn-abc.googlevideo.com", "r3---sn-abc.googlevideo.com"),
            ("localhost", "localhost"),
            ("zen.spamhaus.org", "zen.spamhaus.org"),
            ("1.2.3.example", "1.2.3.example"),
        ] {
            assert_eq!(
                Name::from_user(input).map(|n| n.to_string()),
                Ok(name.to_string()),
                "{input}"
            );
        }
    }

    #[test]
    fn user_input_refusals_say_what_was_meant() {
        for (input, message) in [
            (
                "user@example.com",
                "it is an email address; give its domain: example.com",
            ),
            (
                "mailto:user@example.com",
                "it is an email address; give its domain: example.com",
            ),
            (
                "<user@bücher.example>",
                "it is an email address; give its domain: bücher.example",
            ),
            ("user@", "it is an email address; give a domain name"),
            (
                "http://example.com",
                "it is a URL; give its domain: example.com",
            ),
            (
                "https://user:pw@Example.com:8443/path?q#f",
                "it is a URL; give its domain: Example.com",
            ),
            ("https://192.0.2.1/", "it is a URL; give a domain name"),
            (
                "example.com:25",
                "it has a port; give the domain alone: example.com",
            ),
            (
                "example.com/path",
                "it has a path ('/'); give the domain alone: example.com",
            ),
            ("a/b.com", "it has a path ('/'); give a domain name"),
            (
                "*.example.com",
                "'*' is a wildcard, not a domain; give a domain, e.g. example.com",
            ),
            ("*", "'*' is a wildcard, not a domain; give a domain name"),
            (
                "_dmarc.example.com",
                "it is the name of a DMARC record; give the domain: example.com",
            ),
            (
                "s1._domainkey.example.com",
                "it is the name of a DKIM key (give its selector with --selector); give the domain: example.com",
            ),
            (
                "_smtp._tls.example.com",
                "it is the name of a TLS reporting record; give the domain: example.com",
            ),
            ("foo\"bar.com", "'\"' cannot appear in a domain name"),
            ("foo,bar.com", "',' cannot appear in a domain name"),
            ("a＠b.example", "'@' cannot appear in a domain name"),
            ("a.*.example", "'*' cannot appear in a domain name"),
            ("xn--zz.example", "label 'xn--zz' is not valid punycode"),
            ("www.xn--a.example", "label 'xn--a' is not valid punycode"),
            (
                "a\u{202e}b.example",
                "not a valid internationalized domain name",
            ),
            (
                "a\u{200d}b.example",
                "not a valid internationalized domain name",
            ),
            ("--offline", "a domain cannot start with '-'"),
            ("-example.com", "a domain cannot start with '-'"),
            ("a.-b.example", "label '-b' starts or ends with '-'"),
            ("b-.example", "label 'b-' starts or ends with '-'"),
            ("example..com", "empty label"),
            (".example.com", "empty label"),
            ("exa mple.com", "contains a space"),
            ("exa\tmple.com", "control or non-ASCII"),
            ("example.com\u{7}", "control or non-ASCII"),
            ("192.0.2.300", "the last label '300' is all digits"),
            ("192.0.2.1", "is an IP address"),
            ("192.0.2.1:25", "is an IP address"),
            ("[2001:db8::1]:25", "is an IP address"),
            ("2001:db8::1", "is an IP address"),
            ("", "empty"),
            (".", "empty"),
        ] {
            match Name::from_user(input) {
                Err(e) => assert!(
                    e.to_string().contains(message),
                    "{input:?}: '{e}' should say '{message}'"
                ),
                Ok(name) => panic!("{input:?} gave {name}"),
            }
        }
    }

    #[test]
    fn user_input_round_trips_through_idna() {
        for input in [
            "bücher.example",
            "faß.de",
            "βόλος.example",
            "яндекс.рф",
            "💩.la",
        ] {
            let name = Name::from_user(input).unwrap();
            assert!(name.as_str().is_ascii());
            // The punycode form given back is the same name.
            assert_eq!(Name::from_user(name.as_str()), Ok(name.clone()), "{input}");
        }
    }

    #[test]
    fn relations() {
        let a = Name::parse("mail.example.com").unwrap();
        let b = Name::parse("example.com").unwrap();
        assert!(a.is_subdomain_of(&b));
        assert!(!b.is_subdomain_of(&a));
        assert!(!Name::parse("badexample.com").unwrap().is_subdomain_of(&b));
        assert_eq!(a.parent().unwrap(), b);
        assert_eq!(Name::parse("com").unwrap().parent().unwrap(), Name::root());
    }

    #[test]
    fn reverse_names() {
        assert_eq!(
            Name::reverse("192.0.2.1".parse().unwrap()).as_str(),
            "1.2.0.192.in-addr.arpa"
        );
        assert_eq!(
            Name::reverse("2001:db8::1".parse().unwrap()).as_str(),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
        );
        let zen = Name::parse("zen.spamhaus.org").unwrap();
        assert_eq!(
            Name::reversed_under("192.0.2.1".parse().unwrap(), &zen)
                .unwrap()
                .as_str(),
            "1.2.0.192.zen.spamhaus.org"
        );
    }
}
