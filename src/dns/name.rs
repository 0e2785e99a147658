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
}

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

    /// Parses a domain typed by a person: IDNs become punycode (UTS #46), a trailing dot is
    /// fine, IP addresses and address literals are refused.
    pub fn from_user(input: &str) -> Result<Self, NameError> {
        let input = input.trim();
        let bare = input.trim_start_matches('[').trim_end_matches(']');
        if bare.parse::<IpAddr>().is_ok() {
            return Err(NameError::IpLiteral(input.to_string()));
        }
        if input.is_empty() || input == "." {
            return Err(NameError::Empty);
        }
        if input.contains(char::is_whitespace) {
            return Err(NameError::Space);
        }
        let ascii = if input.is_ascii() {
            input.to_string()
        } else {
            idna::domain_to_ascii(input).map_err(|_| NameError::Idna)?
        };
        let name = Self::parse(&ascii)?;
        if name.is_root() {
            return Err(NameError::Empty);
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
