//! SMTP replies (RFC 5321 §4.2): a three-digit code, `-` on every line but the last, text.
//!
//! Lines come from a server deliv does not control, so every dimension is bounded: a line, the
//! number of lines of one reply and its total size. Past a bound the reply is an error, never
//! a longer read.

use std::fmt;

use serde::Serialize;

/// The longest reply line read, CRLF included. RFC 5321 §4.5.3.1.5 allows 512 octets; servers
/// stay well below 4 KiB, so a longer line is a broken or hostile server.
pub const MAX_LINE: usize = 4096;
/// The most lines one reply may have (an EHLO reply lists a few dozen at most).
pub const MAX_LINES: usize = 200;
/// The most bytes one reply may have, all lines together.
pub const MAX_REPLY_BYTES: usize = 64 * 1024;

/// A complete reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    pub code: u16,
    /// The text after the code and separator of each line, as sent (lossy UTF-8, no CRLF).
    pub lines: Vec<String>,
}

impl Reply {
    /// 2yz: the command was accepted.
    pub fn is_positive(&self) -> bool {
        self.code / 100 == 2
    }

    /// 3yz: the server waits for more (e.g. 354 after DATA).
    pub fn is_intermediate(&self) -> bool {
        self.code / 100 == 3
    }

    /// 4yz: a temporary failure; the same command may work later.
    pub fn is_transient(&self) -> bool {
        self.code / 100 == 4
    }

    /// 5yz: a permanent failure.
    pub fn is_permanent(&self) -> bool {
        self.code / 100 == 5
    }

    /// The text of every line, joined with a space.
    pub fn text(&self) -> String {
        self.lines.join(" ")
    }

    /// The first word of the first line: the server's name in a banner or an EHLO reply.
    pub fn first_word(&self) -> Option<&str> {
        self.lines.first()?.split_whitespace().next()
    }

    /// The enhanced status code (RFC 3463, `class.subject.detail`) at the start of the first
    /// line, when there is one.
    pub fn enhanced_code(&self) -> Option<&str> {
        let word = self.first_word()?;
        let mut parts = word.split('.');
        let class = parts.next()?;
        let ok = matches!(class, "2" | "4" | "5")
            && parts.clone().count() == 2
            && parts.all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
        ok.then_some(word)
    }
}

impl fmt::Display for Reply {
    /// The reply as it was sent, one line per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = self.lines.len().saturating_sub(1);
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            let sep = if i == last { ' ' } else { '-' };
            write!(f, "{}{sep}{line}", self.code)?;
        }
        Ok(())
    }
}

/// A reply that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ReplyError {
    #[error("the server sent a line longer than {limit} bytes without ending it")]
    LineTooLong { limit: usize },
    #[error("the reply has more than {limit} lines")]
    TooManyLines { limit: usize },
    #[error("the reply is longer than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the server sent something that is not an SMTP reply: {line:?}")]
    NotAReply { line: String },
    #[error("a line of a multi-line reply has code {found} after {expected}: {line:?}")]
    MixedCodes {
        expected: u16,
        found: u16,
        line: String,
    },
}

/// Gathers the lines of one reply.
#[derive(Debug, Default)]
pub(crate) struct ReplyBuilder {
    code: Option<u16>,
    lines: Vec<String>,
    bytes: usize,
}

impl ReplyBuilder {
    /// Adds one line (without its line ending); returns the reply once its last line came.
    pub(crate) fn push(&mut self, line: &str) -> Result<Option<Reply>, ReplyError> {
        self.bytes += line.len() + 2;
        if self.bytes > MAX_REPLY_BYTES {
            return Err(ReplyError::TooLarge {
                limit: MAX_REPLY_BYTES,
            });
        }
        if self.lines.len() >= MAX_LINES {
            return Err(ReplyError::TooManyLines { limit: MAX_LINES });
        }
        let (code, last, text) = split_line(line).ok_or_else(|| ReplyError::NotAReply {
            line: line.to_string(),
        })?;
        if let Some(expected) = self.code.filter(|c| *c != code) {
            return Err(ReplyError::MixedCodes {
                expected,
                found: code,
                line: line.to_string(),
            });
        }
        self.code = Some(code);
        self.lines.push(text.to_string());
        Ok(last.then(|| Reply {
            code,
            lines: std::mem::take(&mut self.lines),
        }))
    }
}

/// `Reply-code [ SP / "-" textstring ]`: the code, whether this is the last line, the text.
/// The first digit is 2 to 5 and the second 0 to 5 (RFC 5321 §4.2.1); a bare code is a last line.
fn split_line(line: &str) -> Option<(u16, bool, &str)> {
    let bytes = line.as_bytes();
    let digits = bytes.get(..3)?;
    let valid = matches!(digits[0], b'2'..=b'5')
        && matches!(digits[1], b'0'..=b'5')
        && digits[2].is_ascii_digit();
    if !valid {
        return None;
    }
    let code = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    match bytes.get(3) {
        None => Some((code, true, "")),
        Some(b' ') => Some((code, true, &line[4..])),
        Some(b'-') => Some((code, false, &line[4..])),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(lines: &[&str]) -> Result<Option<Reply>, ReplyError> {
        let mut builder = ReplyBuilder::default();
        let mut result = Ok(None);
        for line in lines {
            result = builder.push(line);
            if !matches!(result, Ok(None)) {
                break;
            }
        }
        result
    }

    #[test]
    fn single_and_multi_line_replies() {
        let reply = read(&["220 mx.example.com ESMTP Postfix"])
            .unwrap()
            .unwrap();
        assert_eq!(reply.code, 220);
        assert_eq!(reply.first_word(), Some("mx.example.com"));
        assert!(reply.is_positive());

        let reply = read(&["250-mx.example.com", "250-PIPELINING", "250 SIZE 10240000"])
            .unwrap()
            .unwrap();
        assert_eq!(
            reply.lines,
            ["mx.example.com", "PIPELINING", "SIZE 10240000"]
        );
        assert_eq!(
            reply.to_string(),
            "250-mx.example.com\n250-PIPELINING\n250 SIZE 10240000"
        );
    }

    #[test]
    fn a_bare_code_ends_a_reply() {
        let reply = read(&["250-first", "250"]).unwrap().unwrap();
        assert_eq!(reply.lines, ["first", ""]);
    }

    #[test]
    fn an_unfinished_reply_waits_for_more() {
        assert_eq!(read(&["250-first"]), Ok(None));
    }

    #[test]
    fn junk_is_not_a_reply() {
        for junk in [
            "HTTP/1.1 400 Bad Request",
            "22",
            "2200 x",
            "220x",
            "620 no",
            "270 no",
            "",
        ] {
            assert!(
                matches!(read(&[junk]), Err(ReplyError::NotAReply { .. })),
                "{junk:?}"
            );
        }
    }

    #[test]
    fn codes_must_agree_across_lines() {
        assert_eq!(
            read(&["250-a", "220 b"]),
            Err(ReplyError::MixedCodes {
                expected: 250,
                found: 220,
                line: "220 b".into()
            })
        );
    }

    #[test]
    fn bounds_on_lines_and_bytes() {
        let many: Vec<String> = (0..=MAX_LINES).map(|i| format!("250-line {i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            read(&refs),
            Err(ReplyError::TooManyLines { limit: MAX_LINES })
        );

        let long = format!("250-{}", "x".repeat(MAX_LINE - 10));
        let big: Vec<&str> = std::iter::repeat_n(long.as_str(), 20).collect();
        assert_eq!(
            read(&big),
            Err(ReplyError::TooLarge {
                limit: MAX_REPLY_BYTES
            })
        );
    }

    #[test]
    fn enhanced_codes() {
        let reply = |text: &str| Reply {
            code: 550,
            lines: vec![text.into()],
        };
        assert_eq!(
            reply("5.7.1 Relay access denied").enhanced_code(),
            Some("5.7.1")
        );
        assert_eq!(reply("4.7.26 x").enhanced_code(), Some("4.7.26"));
        assert_eq!(reply("Relay access denied").enhanced_code(), None);
        assert_eq!(reply("5.7 x").enhanced_code(), None);
        assert_eq!(reply("3.1.1 x").enhanced_code(), None);
    }
}
