//! SPF macro strings (RFC 7208 §7): parsing and expansion.

use std::fmt;
use std::net::IpAddr;

/// Macro letters (RFC 7208 §7.2). `c`, `r` and `t` are allowed only in explanation text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Letter {
    Sender,
    LocalPart,
    SenderDomain,
    Domain,
    Ip,
    ValidatedName,
    IpVersion,
    Helo,
    ClientIp,
    Receiver,
    Timestamp,
}

impl Letter {
    fn from_char(c: char) -> Option<Letter> {
        Some(match c.to_ascii_lowercase() {
            's' => Letter::Sender,
            'l' => Letter::LocalPart,
            'o' => Letter::SenderDomain,
            'd' => Letter::Domain,
            'i' => Letter::Ip,
            'p' => Letter::ValidatedName,
            'v' => Letter::IpVersion,
            'h' => Letter::Helo,
            'c' => Letter::ClientIp,
            'r' => Letter::Receiver,
            't' => Letter::Timestamp,
            _ => return None,
        })
    }

    fn explanation_only(self) -> bool {
        matches!(
            self,
            Letter::ClientIp | Letter::Receiver | Letter::Timestamp
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Literal(String),
    Macro {
        letter: Letter,
        /// Upper-case letter: URL-escape the result.
        escape: bool,
        /// Keep this many right-hand parts.
        keep: Option<usize>,
        reverse: bool,
        delimiters: String,
    },
}

/// A parsed macro string; `Display` gives back the text it was parsed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroString {
    pub parts: Vec<Part>,
    text: String,
}

impl fmt::Display for MacroString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Where macro text is used: explanation text allows more letters and any visible character.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Context {
    DomainSpec,
    Explanation,
}

impl MacroString {
    /// Parses macro-string (or explain-string) text; the error says what is wrong and where
    /// (byte offset in `text`).
    pub fn parse(text: &str, context: Context) -> Result<MacroString, (usize, String)> {
        let bytes = text.as_bytes();
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c != b'%' {
                let allowed = match context {
                    Context::DomainSpec => (0x21..=0x7e).contains(&c),
                    Context::Explanation => (0x20..=0x7e).contains(&c),
                };
                if !allowed {
                    return Err((i, format!("character 0x{c:02x} is not allowed here")));
                }
                literal.push(c as char);
                i += 1;
                continue;
            }
            match bytes.get(i + 1) {
                Some(b'%') => literal.push('%'),
                Some(b'_') => literal.push(' '),
                Some(b'-') => literal.push_str("%20"),
                Some(b'{') => {
                    let close = text[i..]
                        .find('}')
                        .map(|p| p + i)
                        .ok_or_else(|| (i, "macro '%{' is never closed with '}'".to_string()))?;
                    let body = &text[i + 2..close];
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(parse_macro(body, context).map_err(|m| (i, m))?);
                    i = close + 1;
                    continue;
                }
                _ => {
                    return Err((
                        i,
                        "'%' must be followed by '{', '%', '_' or '-' (write '%%' for a percent sign)"
                            .to_string(),
                    ));
                }
            }
            i += 2;
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(MacroString {
            parts,
            text: text.to_string(),
        })
    }

    pub fn has_macros(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Macro { .. }))
    }

    pub fn uses(&self, letter: Letter) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Macro { letter: l, .. } if *l == letter))
    }

    /// The literal text when there are no macros.
    pub fn literal(&self) -> Option<&str> {
        if self.has_macros() {
            None
        } else {
            Some(&self.text)
        }
    }

    /// True when the text ends the way RFC 7208's `domain-end` requires: a macro, or a dot
    /// and a top label that is not all digits (so `a:192.0.2.1` is not taken for a name).
    pub fn has_valid_domain_end(&self) -> bool {
        match self.parts.last() {
            None => false,
            Some(Part::Macro { .. }) => true,
            Some(Part::Literal(lit)) => {
                if self.parts.len() == 1 && !lit.contains('.') {
                    return false;
                }
                let trimmed = lit.strip_suffix('.').unwrap_or(lit);
                let Some(pos) = trimmed.rfind('.') else {
                    // The literal is the tail after a macro: "%{d}foo" ends with text that
                    // is not a dot-separated label.
                    return false;
                };
                is_toplabel(&trimmed[pos + 1..])
            }
        }
    }

    pub fn expand(&self, values: &Values) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Macro {
                    letter,
                    escape,
                    keep,
                    reverse,
                    delimiters,
                } => {
                    let value = values.get(*letter);
                    let delims: &str = if delimiters.is_empty() {
                        "."
                    } else {
                        delimiters
                    };
                    let mut pieces: Vec<&str> = value.split(|c| delims.contains(c)).collect();
                    if *reverse {
                        pieces.reverse();
                    }
                    if let Some(n) = keep
                        && pieces.len() > *n
                    {
                        pieces.drain(..pieces.len() - n);
                    }
                    let joined = pieces.join(".");
                    if *escape {
                        out.push_str(&url_escape(&joined));
                    } else {
                        out.push_str(&joined);
                    }
                }
            }
        }
        out
    }
}

fn parse_macro(body: &str, context: Context) -> Result<Part, String> {
    let mut chars = body.chars();
    let letter_char = chars
        .next()
        .ok_or_else(|| "empty macro '%{}'".to_string())?;
    let letter = Letter::from_char(letter_char)
        .ok_or_else(|| format!("unknown macro letter '{letter_char}'"))?;
    if letter.explanation_only() && context == Context::DomainSpec {
        return Err(format!(
            "macro letter '{letter_char}' is allowed only in explanation text (exp=)"
        ));
    }
    let rest = chars.as_str();
    let digits_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let keep = if digits_len > 0 {
        let n: usize = rest[..digits_len]
            .parse()
            .map_err(|_| "macro digit transformer is too large".to_string())?;
        if n == 0 {
            return Err("macro digit transformer must not be zero".to_string());
        }
        Some(n)
    } else {
        None
    };
    let mut rest = &rest[digits_len..];
    let reverse = rest.starts_with(['r', 'R']);
    if reverse {
        rest = &rest[1..];
    }
    if let Some(bad) = rest.chars().find(|c| !".-+,/_=".contains(*c)) {
        return Err(format!(
            "'{bad}' is not a macro delimiter (allowed: . - + , / _ =)"
        ));
    }
    Ok(Part::Macro {
        letter,
        escape: letter_char.is_ascii_uppercase(),
        keep,
        reverse,
        delimiters: rest.to_string(),
    })
}

/// RFC 7208 §4.6.1 `toplabel`: letters, digits and inner hyphens, not all digits.
fn is_toplabel(label: &str) -> bool {
    let b = label.as_bytes();
    !b.is_empty()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && (b.iter().any(u8::is_ascii_alphabetic) || b.contains(&b'-'))
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn url_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The values macros expand to during one evaluation.
#[derive(Clone, Debug)]
pub struct Values {
    pub sender: String,
    pub local_part: String,
    pub sender_domain: String,
    pub domain: String,
    pub ip: IpAddr,
    /// `p`: the validated name of the IP, found by the evaluator when a macro needs it.
    pub validated_name: Option<String>,
    pub helo: String,
    pub receiver: String,
    pub timestamp: u64,
}

impl Values {
    fn get(&self, letter: Letter) -> String {
        match letter {
            Letter::Sender => self.sender.clone(),
            Letter::LocalPart => self.local_part.clone(),
            Letter::SenderDomain => self.sender_domain.clone(),
            Letter::Domain => self.domain.clone(),
            Letter::Ip => match self.ip {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => v6
                    .octets()
                    .iter()
                    .flat_map(|b| [b >> 4, b & 0xf])
                    // RFC 7208 §7.4 prints these nibbles in lower case; a DNS name's case
                    // carries no meaning, and the RFC 7208 test suite (v-macro-ip6) expects
                    // upper case in explanation text, so upper case it is.
                    .map(|n| format!("{n:X}"))
                    .collect::<Vec<_>>()
                    .join("."),
            },
            Letter::ValidatedName => self
                .validated_name
                .clone()
                .unwrap_or_else(|| "unknown".to_string()),
            Letter::IpVersion => match self.ip {
                IpAddr::V4(_) => "in-addr".to_string(),
                IpAddr::V6(_) => "ip6".to_string(),
            },
            Letter::Helo => self.helo.clone(),
            Letter::ClientIp => self.ip.to_string(),
            Letter::Receiver => self.receiver.clone(),
            Letter::Timestamp => self.timestamp.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples of RFC 7208 §7.4.
    fn rfc_values(ip: &str) -> Values {
        Values {
            sender: "strong-bad@email.example.com".into(),
            local_part: "strong-bad".into(),
            sender_domain: "email.example.com".into(),
            domain: "email.example.com".into(),
            ip: ip.parse().unwrap(),
            validated_name: None,
            helo: "mx.example.org".into(),
            receiver: "unknown".into(),
            timestamp: 0,
        }
    }

    fn expand(text: &str, ip: &str) -> String {
        MacroString::parse(text, Context::Explanation)
            .unwrap()
            .expand(&rfc_values(ip))
    }

    #[test]
    fn rfc7208_section_7_4_examples() {
        let v4 = "192.0.2.3";
        assert_eq!(expand("%{s}", v4), "strong-bad@email.example.com");
        assert_eq!(expand("%{o}", v4), "email.example.com");
        assert_eq!(expand("%{d}", v4), "email.example.com");
        assert_eq!(expand("%{d4}", v4), "email.example.com");
        assert_eq!(expand("%{d3}", v4), "email.example.com");
        assert_eq!(expand("%{d2}", v4), "example.com");
        assert_eq!(expand("%{d1}", v4), "com");
        assert_eq!(expand("%{dr}", v4), "com.example.email");
        assert_eq!(expand("%{d2r}", v4), "example.email");
        assert_eq!(expand("%{l}", v4), "strong-bad");
        assert_eq!(expand("%{l-}", v4), "strong.bad");
        assert_eq!(expand("%{lr}", v4), "strong-bad");
        assert_eq!(expand("%{lr-}", v4), "bad.strong");
        assert_eq!(expand("%{l1r-}", v4), "strong");
        assert_eq!(
            expand("%{ir}.%{v}._spf.%{d2}", v4),
            "3.2.0.192.in-addr._spf.example.com"
        );
        assert_eq!(
            expand("%{lr-}.lp._spf.%{d2}", v4),
            "bad.strong.lp._spf.example.com"
        );
        assert_eq!(
            expand("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", v4),
            "3.2.0.192.in-addr.strong.lp._spf.example.com"
        );
        assert_eq!(
            expand("%{d2}.trusted-domains.example.net", v4),
            "example.com.trusted-domains.example.net"
        );
        assert!(expand("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01").eq_ignore_ascii_case(
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        ));
    }

    #[test]
    fn escapes_and_specials() {
        assert_eq!(
            expand("%{S}", "192.0.2.3"),
            "strong-bad%40email.example.com"
        );
        assert_eq!(expand("a%%b%_c%-d", "192.0.2.3"), "a%b c%20d");
        assert_eq!(expand("%{c}", "2001:db8::cb01"), "2001:db8::cb01");
    }

    #[test]
    fn rejects_bad_macros() {
        for bad in ["%{x}", "%{d0}", "%{d", "%a", "%{dq}", "%{c}"] {
            assert!(
                MacroString::parse(bad, Context::DomainSpec).is_err(),
                "{bad} should not parse"
            );
        }
        assert!(MacroString::parse("%{c}", Context::Explanation).is_ok());
    }

    #[test]
    fn domain_end() {
        let ok = |s| {
            MacroString::parse(s, Context::DomainSpec)
                .unwrap()
                .has_valid_domain_end()
        };
        assert!(ok("example.com"));
        assert!(ok("example.com."));
        assert!(ok("%{d}"));
        assert!(ok("foo.%{d}"));
        assert!(ok("a.1-2"));
        assert!(!ok("foo.1"));
        assert!(!ok("192.0.2.1"));
        assert!(!ok("localhost"));
        assert!(!ok("foo.-bar"));
    }
}
