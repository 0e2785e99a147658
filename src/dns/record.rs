//! The record types deliv asks for, and their data in a form checks can match on.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use super::Name;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RType {
    A,
    Aaaa,
    Cname,
    Mx,
    Ns,
    Ptr,
    Soa,
    Txt,
    /// Type 99, deprecated by RFC 7208 §3.1; asked for only to warn about it.
    Spf,
}

impl RType {
    pub const ALL: [RType; 9] = [
        RType::A,
        RType::Aaaa,
        RType::Cname,
        RType::Mx,
        RType::Ns,
        RType::Ptr,
        RType::Soa,
        RType::Txt,
        RType::Spf,
    ];

    pub const fn code(self) -> u16 {
        match self {
            RType::A => 1,
            RType::Ns => 2,
            RType::Cname => 5,
            RType::Soa => 6,
            RType::Ptr => 12,
            RType::Mx => 15,
            RType::Txt => 16,
            RType::Aaaa => 28,
            RType::Spf => 99,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            RType::A => "A",
            RType::Aaaa => "AAAA",
            RType::Cname => "CNAME",
            RType::Mx => "MX",
            RType::Ns => "NS",
            RType::Ptr => "PTR",
            RType::Soa => "SOA",
            RType::Txt => "TXT",
            RType::Spf => "SPF",
        }
    }
}

impl fmt::Display for RType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RType {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        RType::ALL
            .into_iter()
            .find(|t| {
                t.as_str().eq_ignore_ascii_case(s)
                    || s.eq_ignore_ascii_case(&format!("TYPE{}", t.code()))
            })
            .ok_or(())
    }
}

/// Ordered so an RRset (unordered in DNS) can be put in one canonical order: MX by
/// preference, then host.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rdata {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(Name),
    Mx {
        preference: u16,
        exchange: Name,
    },
    Ns(Name),
    Ptr(Name),
    Soa {
        mname: Name,
        rname: Name,
        serial: u32,
    },
    /// TXT and SPF data: the character-strings as published, each at most 255 octets on the
    /// wire (a zone file not yet published may hold longer ones, which lint reports).
    Txt(Vec<Vec<u8>>),
}

impl Rdata {
    /// The type this data answers, with TXT-shaped data reported as `txt_type`.
    pub fn rtype(&self, txt_type: RType) -> RType {
        match self {
            Rdata::A(_) => RType::A,
            Rdata::Aaaa(_) => RType::Aaaa,
            Rdata::Cname(_) => RType::Cname,
            Rdata::Mx { .. } => RType::Mx,
            Rdata::Ns(_) => RType::Ns,
            Rdata::Ptr(_) => RType::Ptr,
            Rdata::Soa { .. } => RType::Soa,
            Rdata::Txt(_) => txt_type,
        }
    }

    /// TXT strings joined without separators, as RFC 7208 §3.3 and RFC 7489 §6.6.3 read them.
    pub fn txt_joined(&self) -> Option<Vec<u8>> {
        match self {
            Rdata::Txt(parts) => Some(parts.concat()),
            _ => None,
        }
    }
}

/// Presentation form, as `dig` would print the data.
impl fmt::Display for Rdata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rdata::A(ip) => write!(f, "{ip}"),
            Rdata::Aaaa(ip) => write!(f, "{ip}"),
            Rdata::Cname(n) | Rdata::Ns(n) | Rdata::Ptr(n) => write!(f, "{}", n.fqdn_display()),
            Rdata::Mx {
                preference,
                exchange,
            } => write!(f, "{preference} {}", exchange.fqdn_display()),
            Rdata::Soa {
                mname,
                rname,
                serial,
            } => write!(
                f,
                "{} {} {serial}",
                mname.fqdn_display(),
                rname.fqdn_display()
            ),
            Rdata::Txt(parts) => {
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str("\"")?;
                    for &b in part {
                        match b {
                            b'"' | b'\\' => write!(f, "\\{}", b as char)?,
                            0x20..=0x7e => write!(f, "{}", b as char)?,
                            _ => write!(f, "\\{b:03}")?,
                        }
                    }
                    f.write_str("\"")?;
                }
                Ok(())
            }
        }
    }
}

impl Name {
    /// `example.com.`, or `.` for the root.
    pub fn fqdn_display(&self) -> String {
        if self.is_root() {
            ".".to_string()
        } else {
            self.fqdn()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_presentation_escapes() {
        let txt = Rdata::Txt(vec![b"v=spf1 \"x\"".to_vec(), vec![0xef, b'a']]);
        assert_eq!(txt.to_string(), r#""v=spf1 \"x\"" "\239a""#);
        assert_eq!(txt.txt_joined().unwrap(), b"v=spf1 \"x\"\xefa".to_vec());
    }

    #[test]
    fn rtype_names() {
        assert_eq!("aaaa".parse::<RType>(), Ok(RType::Aaaa));
        assert_eq!("TYPE99".parse::<RType>(), Ok(RType::Spf));
        assert!("CAA".parse::<RType>().is_err());
    }
}
