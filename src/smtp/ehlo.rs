//! The greeting: EHLO and the service extensions its reply lists (RFC 5321 §4.1.1.1), or HELO
//! when a server refuses EHLO.

use serde::Serialize;

use super::reply::Reply;

/// Which greeting command the server accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Hello {
    Ehlo,
    Helo,
}

/// The accepted greeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Greeting {
    pub command: Hello,
    /// The 250 reply.
    pub reply: Reply,
    /// Empty after HELO, which lists none.
    pub extensions: Extensions,
    /// The 5xx reply to EHLO that made the prober fall back to HELO.
    pub ehlo_refused: Option<Reply>,
}

/// `SIZE` (RFC 1870).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Size {
    /// `SIZE` without a number, or `SIZE 0`: no fixed limit announced.
    NoLimit,
    /// The largest message accepted, in bytes.
    Limit(u64),
    /// A parameter that is not a number, as sent.
    Malformed(String),
}

/// The extensions of an EHLO reply. Keywords are case-insensitive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Extensions {
    pub starttls: bool,
    pub size: Option<Size>,
    pub pipelining: bool,
    pub eightbitmime: bool,
    pub smtputf8: bool,
    pub chunking: bool,
    pub requiretls: bool,
    /// Every other extension line as sent (`AUTH PLAIN LOGIN`, `ENHANCEDSTATUSCODES` …).
    pub other: Vec<String>,
}

impl Extensions {
    /// Reads the lines after the first (which holds the server's name) of a 250 EHLO reply.
    pub fn parse(reply: &Reply) -> Extensions {
        let mut ext = Extensions::default();
        for line in reply.lines.iter().skip(1) {
            let mut words = line.split_whitespace();
            let Some(keyword) = words.next() else {
                continue;
            };
            match keyword.to_ascii_uppercase().as_str() {
                "STARTTLS" => ext.starttls = true,
                "PIPELINING" => ext.pipelining = true,
                "8BITMIME" => ext.eightbitmime = true,
                "SMTPUTF8" => ext.smtputf8 = true,
                "CHUNKING" => ext.chunking = true,
                "REQUIRETLS" => ext.requiretls = true,
                "SIZE" => {
                    ext.size = Some(match words.next() {
                        None => Size::NoLimit,
                        Some(value) => match value.parse::<u64>() {
                            Ok(0) => Size::NoLimit,
                            Ok(limit) => Size::Limit(limit),
                            Err(_) => Size::Malformed(value.to_string()),
                        },
                    })
                }
                _ => ext.other.push(line.clone()),
            }
        }
        ext
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ehlo(lines: &[&str]) -> Extensions {
        Extensions::parse(&Reply {
            code: 250,
            lines: lines.iter().map(|l| l.to_string()).collect(),
        })
    }

    #[test]
    fn postfix_reply() {
        let ext = ehlo(&[
            "mx.example.com",
            "PIPELINING",
            "SIZE 10240000",
            "VRFY",
            "ETRN",
            "STARTTLS",
            "ENHANCEDSTATUSCODES",
            "8BITMIME",
            "DSN",
            "SMTPUTF8",
            "CHUNKING",
        ]);
        assert!(ext.starttls && ext.pipelining && ext.eightbitmime && ext.smtputf8 && ext.chunking);
        assert!(!ext.requiretls);
        assert_eq!(ext.size, Some(Size::Limit(10_240_000)));
        assert_eq!(ext.other, ["VRFY", "ETRN", "ENHANCEDSTATUSCODES", "DSN"]);
    }

    #[test]
    fn keywords_are_case_insensitive_and_the_first_line_is_not_one() {
        let ext = ehlo(&["STARTTLS.example", "starttls", "RequireTLS", "Auth PLAIN"]);
        assert!(ext.starttls && ext.requiretls);
        assert_eq!(ext.other, ["Auth PLAIN"]);
        assert!(!ehlo(&["STARTTLS"]).starttls);
    }

    #[test]
    fn size_forms() {
        assert_eq!(ehlo(&["x", "SIZE"]).size, Some(Size::NoLimit));
        assert_eq!(ehlo(&["x", "SIZE 0"]).size, Some(Size::NoLimit));
        assert_eq!(
            ehlo(&["x", "SIZE 10M"]).size,
            Some(Size::Malformed("10M".into()))
        );
        assert_eq!(ehlo(&["x"]).size, None);
    }
}
