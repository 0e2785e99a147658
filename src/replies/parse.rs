//! Reading a reply the way people paste it: a reply line, a multi-line reply (`550-5.7.1 …`
//! continuation lines, on separate lines or run together as Postfix logs them), or what a log
//! or a bounce shows around it (`host mx.example.com[203.0.113.5] said: … (in reply to RCPT
//! TO command)`, a Postfix `status=deferred (…)` line, an Exim `SMTP error from remote mail
//! server after RCPT TO:<…>:`, a DSN `Diagnostic-Code: smtp; …`, an SES `smtp; …`).
//!
//! Written by hand: the forms are fixed strings that MTAs print (Postfix `smtp_proto.c` and
//! `smtp_connect.c`, Exim's delivery errors, RFC 3464), and a scanner over bytes keeps the
//! parser linear and panic-free on any input.

use std::net::IpAddr;

use serde::Serialize;

use super::codes::{BasicCode, EnhancedCode};
use super::provider::is_service_domain;
use crate::dmarc::organizational_domain;
use crate::dns::Name;

/// Input past this many bytes is cut before it is read.
pub const MAX_REPLY_BYTES: usize = 16 * 1024;
/// At most this many addresses and as many domains are kept from one reply.
pub const MAX_NAMED: usize = 16;
/// The SMTP command a reply answered is kept to this many bytes.
const MAX_COMMAND_BYTES: usize = 64;

/// One reply, read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// The reply itself on one line: continuation lines joined, the code repeated on each
    /// continuation dropped, runs of white space made one space, the log or bounce around it
    /// removed. Raw otherwise (not made safe for a terminal), at most [`MAX_REPLY_BYTES`].
    pub text: String,
    /// The basic reply code (RFC 5321), e.g. `550`.
    pub code: Option<BasicCode>,
    /// The enhanced status code (RFC 3463), e.g. `"5.7.1"`. When the reply has none, the one
    /// the log or DSN recorded (Postfix `dsn=`, DSN `Status:`).
    pub enhanced: Option<EnhancedCode>,
    /// Addresses the reply names, in order, without repeats; not the replying host's own.
    pub ips: Vec<IpAddr>,
    /// Domain names the reply names, lower-case, in order, without repeats. Names inside
    /// URLs and the providers' and blocklists' own domains are left out.
    pub domains: Vec<Name>,
    /// The host that replied, when the log or bounce names it.
    pub remote_host: Option<RemoteHost>,
    /// The SMTP command the reply answered, as the log words it (`RCPT TO`, `end of DATA`).
    pub command: Option<String>,
    /// The input was longer than [`MAX_REPLY_BYTES`] and was cut.
    pub truncated: bool,
}

/// The host that sent the reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RemoteHost {
    /// Its name; `null` when the log gives only an address (or `unknown`).
    pub name: Option<Name>,
    pub ip: Option<IpAddr>,
    /// The registered domain of `name` (Public Suffix List), e.g. `google.com` for
    /// `gmail-smtp-in.l.google.com`: what to group receivers by.
    pub domain: Option<Name>,
}

/// What the log or bounce around the reply told.
#[derive(Default)]
struct Found {
    remote: Option<RemoteHost>,
    command: Option<String>,
    /// The enhanced code the log or DSN recorded.
    status: Option<EnhancedCode>,
}

/// Reads one reply; never fails: text without a code still gets its addresses and names.
pub fn parse(input: &str) -> Reply {
    let (input, truncated) = cut(input, MAX_REPLY_BYTES);
    let mut found = Found::default();
    let selected = select(input, &mut found);
    let joined = selected.split_whitespace().collect::<Vec<_>>().join(" ");
    let body = unwrap(&joined, &mut found);
    let (code, enhanced) = codes(body);
    let text = match code {
        Some(code) => drop_continuations(body, code, enhanced),
        None => body.to_string(),
    };
    let remote_ip = found.remote.as_ref().and_then(|r| r.ip);
    Reply {
        ips: addresses(&text, remote_ip),
        domains: domains(&text),
        code,
        enhanced: enhanced.or(found.status),
        remote_host: found.remote,
        command: found.command,
        truncated,
        text,
    }
}

/// `s` cut to at most `max` bytes on a character boundary, and whether it was cut.
fn cut(s: &str, max: usize) -> (&str, bool) {
    if s.len() <= max {
        return (s, false);
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    (&s[..end], true)
}

/// The part of the input that holds the reply: a DSN's Diagnostic-Code, the parenthesised
/// reply of a Postfix delivery line, or everything.
fn select(input: &str, found: &mut Found) -> String {
    if let Some(value) = dsn_field(input, "diagnostic-code:") {
        if let Some(mta) = dsn_field(input, "remote-mta:") {
            found.remote = host_at(strip_type(&mta));
        }
        if let Some(status) = dsn_field(input, "status:") {
            found.status = enhanced_at(status.trim());
        }
        return value;
    }
    input
        .lines()
        .find_map(|line| postfix_delivery(line, found))
        .unwrap_or_else(|| input.to_string())
}

/// The value of a DSN field (RFC 3464), with its folded continuation lines.
fn dsn_field(input: &str, name: &str) -> Option<String> {
    let mut lines = input.lines();
    let first = lines.by_ref().find_map(|line| {
        let line = line.trim_start();
        let head = line.get(..name.len())?;
        head.eq_ignore_ascii_case(name).then(|| &line[name.len()..])
    })?;
    let mut value = first.to_string();
    for line in lines.take_while(|l| l.starts_with([' ', '\t'])) {
        value.push('\n');
        value.push_str(line);
    }
    Some(value)
}

/// Reads a Postfix delivery line (`… relay=H[ip]:25, … dsn=4.7.650, status=deferred (reply)`):
/// the reply in the parentheses, the relay and the recorded status.
fn postfix_delivery(line: &str, found: &mut Found) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let at = lower.find("status=")?;
    let after = &line[at + "status=".len()..];
    let word = after
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(after.len());
    let open = after[word..].strip_prefix(" (")?;
    let inner = match open.rfind(')') {
        Some(close) => &open[..close],
        None => open,
    };
    let field = |name: &str| {
        let start = lower.find(name)? + name.len();
        let value = &line[start..];
        Some(&value[..value.find([',', ' ']).unwrap_or(value.len())])
    };
    if let Some(relay) = field("relay=") {
        found.remote = host_at(relay);
    }
    found.status = field("dsn=").and_then(enhanced_at);
    Some(inner.to_string())
}

/// Removes what logs and bounces put around a reply (on one joined line), noting the host
/// and the command.
fn unwrap<'a>(line: &'a str, found: &mut Found) -> &'a str {
    let mut s = strip_type(line);

    // Exim: `… H=host [ip]: SMTP error from remote mail server after RCPT TO:<a@b>: reply`.
    const EXIM: &str = "smtp error from remote mail server after ";
    if let Some(at) = s.to_ascii_lowercase().find(EXIM) {
        if found.remote.is_none() {
            // Exim's log names the host `H=host [ip]`; some bounces start `host H [ip]`.
            let before = &s[..at];
            let host = match before.find(" H=") {
                Some(h) => Some(&before[h + " H=".len()..]),
                None => starts_with_ignore_case(before, "host ").then(|| &before["host ".len()..]),
            };
            found.remote = host.and_then(host_at);
        }
        let rest = &s[at + EXIM.len()..];
        if let Some(colon) = rest.find(": ") {
            let command = &rest[..colon];
            found.command = Some(bounded_command(
                command.split(':').next().unwrap_or(command),
            ));
            s = &rest[colon + 2..];
        }
    }

    // Postfix: `host H[ip] said: reply`, `host H[ip] refused to talk to me: reply`;
    // qmail: `Remote host said: reply`.
    for marker in ["said:", "refused to talk to me:"] {
        if let Some(at) = marker_before_code(s, marker) {
            let before = &s[..at];
            if let Some(h) = before.to_ascii_lowercase().rfind("host ") {
                found.remote = host_at(&before[h + "host ".len()..]).or(found.remote.take());
            }
            s = s[at + marker.len()..].trim_start();
            break;
        }
    }

    // Exim's bounce: `host H [ip]: reply`.
    if starts_with_ignore_case(s, "host ")
        && let Some(close) = s.find("]: ")
    {
        found.remote = host_at(&s["host ".len()..=close]).or(found.remote.take());
        s = &s[close + "]: ".len()..];
    }

    // Postfix notices without a reply name the host they could not talk to.
    for marker in ["connect to ", "lost connection with ", "conversation with "] {
        if starts_with_ignore_case(s, marker) {
            found.remote = host_at(&s[marker.len()..]).or(found.remote.take());
        }
    }

    // Postfix: `reply (in reply to RCPT TO command)`.
    let lower = s.to_ascii_lowercase();
    if let Some(at) = lower.rfind("(in reply to ")
        && let Some(inner) = s[at + "(in reply to ".len()..].strip_suffix(')')
    {
        let inner = inner.strip_suffix(" command").unwrap_or(inner);
        found.command = Some(bounded_command(inner));
        s = s[..at].trim_end();
    }
    strip_type(s)
}

/// Drops the diagnostic type a DSN or SES puts first (`smtp; `, `X-Postfix; `).
fn strip_type(s: &str) -> &str {
    let s = s.trim();
    match s.find(';') {
        Some(semi)
            if (1..=16).contains(&semi)
                && s[..semi]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !s[..semi].bytes().all(|b| b.is_ascii_digit()) =>
        {
            s[semi + 1..].trim_start()
        }
        _ => s,
    }
}

fn bounded_command(command: &str) -> String {
    cut(command.trim(), MAX_COMMAND_BYTES).0.to_string()
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Where `marker` occurs followed by a reply code (a digit), case-insensitively.
fn marker_before_code(s: &str, marker: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    lower.match_indices(marker).map(|(at, _)| at).find(|&at| {
        s[at + marker.len()..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Reads `name[ip]`, `name [ip]` or `name`, as logs name the host they talked to.
fn host_at(s: &str) -> Option<RemoteHost> {
    let s = s.trim_start();
    let end = s
        .find(|c: char| c == '[' || c == ',' || c.is_whitespace())
        .unwrap_or(s.len());
    let name = Name::from_user(s[..end].trim_end_matches(':'))
        .ok()
        .filter(|n| n.label_count() >= 2);
    let ip = s[end..]
        .trim_start()
        .strip_prefix('[')
        .and_then(|rest| rest.find(']').map(|close| &rest[..close]))
        .and_then(ip_literal);
    if name.is_none() && ip.is_none() {
        return None;
    }
    Some(RemoteHost {
        domain: name.as_ref().map(organizational_domain),
        name,
        ip,
    })
}

/// An address as logs write it between brackets: `203.0.113.5`, `IPv6:2001:db8::1`.
fn ip_literal(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = match s.get(..5) {
        Some(head) if head.eq_ignore_ascii_case("ipv6:") => &s[5..],
        _ => s,
    };
    s.parse().ok()
}

/// The basic and enhanced codes: at the start of the reply, else the first `ddd d.d.d` pair
/// in it, else the first enhanced code in it that has a registered subject.
fn codes(s: &str) -> (Option<BasicCode>, Option<EnhancedCode>) {
    if let Some(code) = basic_at(s) {
        let rest = s[3..].trim_start_matches([' ', '-', ';']);
        // Adjacent codes are taken as the server sent them, even when their classes differ
        // (Gmail documents a `421 5.7.32`).
        let enhanced = enhanced_at(rest).or_else(|| enhanced_within(s, Some(code)));
        return (Some(code), enhanced);
    }
    if let Some(enhanced) = enhanced_at(s) {
        return (None, Some(enhanced));
    }
    for at in word_starts(s) {
        if let Some(code) = basic_at(&s[at..]) {
            let rest = s[at + 3..].trim_start_matches([' ', '-']);
            if let Some(e) = enhanced_at(rest)
                && same_class(code, e)
            {
                return (Some(code), Some(e));
            }
        }
    }
    (None, enhanced_within(s, None))
}

/// The first enhanced code inside the text with a registered subject (0–7), of the same class
/// as `code` when there is one. Yahoo's `[#4.16.1]` and `- 4.16.55.1;` are not codes.
fn enhanced_within(s: &str, code: Option<BasicCode>) -> Option<EnhancedCode> {
    word_starts(s).find_map(|at| {
        enhanced_at(&s[at..]).filter(|e| e.subject() <= 7 && code.is_none_or(|c| same_class(c, *e)))
    })
}

fn same_class(code: BasicCode, enhanced: EnhancedCode) -> bool {
    code.value() / 100 == u16::from(enhanced.class_digit())
}

/// Offsets where a word of digits starts: after a space, an opening bracket or quote, `#`,
/// `:` or `;`.
fn word_starts(s: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = s.as_bytes();
    (1..bytes.len()).filter(move |&i| {
        bytes[i].is_ascii_digit()
            && matches!(
                bytes[i - 1],
                b' ' | b'(' | b'[' | b'"' | b'\'' | b'#' | b':' | b';'
            )
    })
}

/// A basic code at the start of `s`, followed by the end, a space, `-` or `;`.
fn basic_at(s: &str) -> Option<BasicCode> {
    let b = s.as_bytes();
    let digits = b.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit)
        || !matches!(b.get(3), None | Some(b' ' | b'-' | b';'))
    {
        return None;
    }
    BasicCode::new(decimal(digits))
}

/// An enhanced code at the start of `s` (`class.subject.detail`, one to three digits each)
/// that is not the start of a longer dotted number.
fn enhanced_at(s: &str) -> Option<EnhancedCode> {
    let b = s.as_bytes();
    let class = *b.first()?;
    if !matches!(class, b'2' | b'4' | b'5') || b.get(1) != Some(&b'.') {
        return None;
    }
    let (subject, after_subject) = number_at(b, 2)?;
    if b.get(after_subject) != Some(&b'.') {
        return None;
    }
    let (detail, end) = number_at(b, after_subject + 1)?;
    let boundary = match b.get(end) {
        None => true,
        Some(b'.') => !b.get(end + 1).is_some_and(u8::is_ascii_digit),
        Some(next) => !next.is_ascii_alphanumeric(),
    };
    if !boundary {
        return None;
    }
    EnhancedCode::new(class - b'0', subject, detail)
}

/// One to three digits at `start`, and the offset after them.
fn number_at(b: &[u8], start: usize) -> Option<(u16, usize)> {
    let len = b
        .get(start..)?
        .iter()
        .take(4)
        .take_while(|d| d.is_ascii_digit())
        .count();
    if !(1..=3).contains(&len) {
        return None;
    }
    Some((decimal(&b[start..start + len]), start + len))
}

/// The value of at most four ASCII digits.
fn decimal(digits: &[u8]) -> u16 {
    digits
        .iter()
        .fold(0, |acc, d| acc * 10 + u16::from(d - b'0'))
}

/// A multi-line reply (`550-5.7.1 a 550-5.7.1 b 550 5.7.1 c`) as one reply (`550 5.7.1 a b
/// c`). A reply that does not start with `ddd-` is kept as it is.
fn drop_continuations(s: &str, code: BasicCode, enhanced: Option<EnhancedCode>) -> String {
    let code = code.to_string();
    let continued = format!("{code}-");
    if !s.starts_with(&continued) {
        return s.to_string();
    }
    let enhanced = enhanced.map(|e| e.to_string());
    let mut words: Vec<&str> = Vec::new();
    let mut after_code = false;
    for (i, word) in s.split(' ').enumerate() {
        let rest = if word == code {
            Some("")
        } else {
            word.strip_prefix(&continued)
        };
        match rest {
            Some(rest) if i == 0 => {
                words.push(&word[..code.len()]);
                if !rest.is_empty() {
                    words.push(rest);
                }
                after_code = false;
            }
            Some(rest) => {
                if !rest.is_empty() && Some(rest) != enhanced.as_deref() {
                    words.push(rest);
                }
                after_code = rest.is_empty();
            }
            None if after_code && Some(word) == enhanced.as_deref() => after_code = false,
            None => {
                words.push(word);
                after_code = false;
            }
        }
    }
    words.join(" ")
}

/// Addresses named in the text, in order, without repeats, leaving out `exclude`.
fn addresses(s: &str, exclude: Option<IpAddr>) -> Vec<IpAddr> {
    let bytes = s.as_bytes();
    let mut found = Vec::new();
    for (mut start, end) in runs(bytes, is_address_byte) {
        // `[IPv6:2001:db8::1]`: the run starts at the `6` of the tag.
        if start >= 3
            && bytes[start - 3..start].eq_ignore_ascii_case(b"ipv")
            && bytes[start..end].starts_with(b"6:")
        {
            start += 2;
        }
        if let Some(ip) = address_in(&s[start..end])
            && Some(ip) != exclude
            && !found.contains(&ip)
        {
            found.push(ip);
            if found.len() == MAX_NAMED {
                break;
            }
        }
    }
    found
}

/// The maximal runs of bytes that satisfy `keep`, as (start, end) offsets. The predicates
/// used keep ASCII bytes only, so the offsets are character boundaries.
fn runs(bytes: &[u8], keep: fn(u8) -> bool) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !keep(bytes[i]) {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && keep(bytes[i]) {
            i += 1;
        }
        (start < i).then_some((start, i))
    })
}

fn is_address_byte(b: u8) -> bool {
    b.is_ascii_hexdigit() || b == b':' || b == b'.'
}

/// The address in a run of hex digits, dots and colons: the run itself, or what precedes a
/// `:port`.
fn address_in(run: &str) -> Option<IpAddr> {
    let run = run.trim_end_matches(['.', ':']);
    if run.matches('.').count() < 3 && run.matches(':').count() < 2 {
        return None;
    }
    run.parse::<IpAddr>()
        .ok()
        .or_else(|| run.rsplit_once(':')?.0.parse().ok())
        .filter(|ip| !ip.is_unspecified())
}

/// Domain names named in the text, outside URLs, without the providers' own.
fn domains(s: &str) -> Vec<Name> {
    let lower = s.to_ascii_lowercase();
    let urls: Vec<(usize, usize)> = ["http://", "https://"]
        .iter()
        .flat_map(|scheme| lower.match_indices(scheme))
        .map(|(at, _)| {
            let end = s[at..].find(' ').map_or(s.len(), |e| at + e);
            (at, end)
        })
        .collect();
    let bytes = s.as_bytes();
    let mut found: Vec<Name> = Vec::new();
    for (start, end) in runs(bytes, is_name_byte) {
        let in_url = urls.iter().any(|&(from, to)| start >= from && start < to);
        let in_path = start > 0 && bytes[start - 1] == b'/';
        if in_url || in_path {
            continue;
        }
        if let Some(name) = domain_in(&lower[start..end])
            && !found.contains(&name)
        {
            found.push(name);
            if found.len() == MAX_NAMED {
                break;
            }
        }
    }
    found
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// A token that reads as a domain name: two labels or more, the last alphabetic and at least
/// two letters long (so `e.g.`, `4.16.55.1` and `z8si1234.142` are not).
fn domain_in(token: &str) -> Option<Name> {
    let token = token.trim_matches(['.', '-']);
    let tld = token.rsplit_once('.')?.1;
    if tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) || is_service_domain(token) {
        return None;
    }
    Name::from_user(token).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    fn enhanced(s: &str) -> Option<EnhancedCode> {
        enhanced_at(s)
    }

    #[test]
    fn a_reply_line() {
        let reply = parse(
            "550 5.7.1 Unfortunately, messages from [203.0.113.9] weren't sent. Please contact \
             your Internet service provider since part of their network is on our block list \
             (S3140).",
        );
        assert_eq!(reply.code, BasicCode::new(550));
        assert_eq!(reply.enhanced, enhanced("5.7.1"));
        assert_eq!(reply.ips, [ip("203.0.113.9")]);
        assert!(reply.domains.is_empty());
        assert!(reply.remote_host.is_none() && reply.command.is_none() && !reply.truncated);
    }

    #[test]
    fn multi_line_replies_join_into_one() {
        let expected = "550 5.7.1 [203.0.113.9 12] The IP you're using to send mail is not \
                        authorized to send email directly to our servers. - gsmtp";
        let lines = "550-5.7.1 [203.0.113.9      12] The IP you're using to send mail is not\r\n\
                     550-5.7.1 authorized to send email directly to our servers.\r\n\
                     550 5.7.1 - gsmtp\r\n";
        let logged = "550-5.7.1 [203.0.113.9      12] The IP you're using to send mail is not \
                      550-5.7.1 authorized to send email directly to our servers. 550 5.7.1 - gsmtp";
        for input in [lines, logged] {
            let reply = parse(input);
            assert_eq!(reply.text, expected, "{input:?}");
            assert_eq!(reply.code, BasicCode::new(550));
            assert_eq!(reply.enhanced, enhanced("5.7.1"));
            assert_eq!(reply.ips, [ip("203.0.113.9")]);
        }
        // Continuations without an enhanced code.
        let reply = parse(
            "550-SPF check failed - 198.51.100.7 is not allowed to send mail from 550 example.com",
        );
        assert_eq!(
            reply.text,
            "550 SPF check failed - 198.51.100.7 is not allowed to send mail from example.com"
        );
        assert_eq!(reply.domains, [name("example.com")]);
    }

    #[test]
    fn postfix_delivery_lines() {
        let reply = parse(
            "Mar  4 16:52:06 mx1 postfix/smtp[745]: C9D42EC0ADD: to=<someone@example.net>, \
             relay=outlook-com.olc.protection.outlook.com[203.0.113.5]:25, delay=1.4, \
             delays=0.02/0.02/0.99/0.32, dsn=4.7.650, status=deferred (host \
             outlook-com.olc.protection.outlook.com[203.0.113.5] said: 451 4.7.650 The mail \
             server [198.51.100.7] has been temporarily rate limited due to IP reputation. For \
             e-mail delivery information, see https://aka.ms/postmaster (S775) (in reply to \
             MAIL FROM command))",
        );
        assert!(
            reply
                .text
                .starts_with("451 4.7.650 The mail server [198.51.100.7]")
        );
        assert!(reply.text.ends_with("(S775)"), "{}", reply.text);
        assert_eq!(reply.enhanced, enhanced("4.7.650"));
        assert_eq!(
            reply.ips,
            [ip("198.51.100.7")],
            "the relay's own address is left out"
        );
        assert_eq!(reply.command.as_deref(), Some("MAIL FROM"));
        let remote = reply.remote_host.unwrap();
        assert_eq!(
            remote.name,
            Some(name("outlook-com.olc.protection.outlook.com"))
        );
        assert_eq!(remote.ip, Some(ip("203.0.113.5")));
        assert_eq!(remote.domain, Some(name("outlook.com")));

        // A connection failure has no reply: the recorded status stands in for the code.
        let reply = parse(
            "Aug 10 04:10:15 mx postfix/smtp[16703]: 8495840E93: to=<dd@example.org>, relay=none, \
             delay=315562, delays=315532/0/30/0, dsn=4.4.1, status=deferred (connect to \
             mx.example.org[192.0.2.25]:25: Connection timed out)",
        );
        assert_eq!(
            reply.text,
            "connect to mx.example.org[192.0.2.25]:25: Connection timed out"
        );
        assert_eq!(reply.code, None);
        assert_eq!(reply.enhanced, enhanced("4.4.1"));
        assert!(reply.ips.is_empty());
        assert_eq!(
            reply.remote_host.and_then(|r| r.name),
            Some(name("mx.example.org"))
        );
    }

    #[test]
    fn bounce_texts() {
        // Postfix's bounce, wrapped at 80 columns.
        let reply = parse(
            "<jane@example.com>: host mx.example.com[198.51.100.7] said: 554 5.7.1\n    \
             <jane@example.com>: Relay access denied (in reply to RCPT TO command)\n",
        );
        assert_eq!(
            reply.text,
            "554 5.7.1 <jane@example.com>: Relay access denied"
        );
        assert_eq!(reply.command.as_deref(), Some("RCPT TO"));
        assert_eq!(reply.domains, [name("example.com")]);
        assert_eq!(reply.remote_host.unwrap().ip, Some(ip("198.51.100.7")));

        // A DSN's Diagnostic-Code, folded.
        let reply = parse(
            "Final-Recipient: rfc822; bob@example.org\nAction: failed\nStatus: 5.1.1\n\
             Remote-MTA: dns; mx.example.org\n\
             Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does\n    \
             not exist. 550 5.1.1 - gsmtp\n",
        );
        assert_eq!(
            reply.text,
            "550 5.1.1 The email account that you tried to reach does not exist. - gsmtp"
        );
        assert_eq!(
            reply.remote_host.and_then(|r| r.name),
            Some(name("mx.example.org"))
        );

        // Exim's log and bounce.
        let reply = parse(
            "2024-01-01 10:00:00 1abcde-000001-AB ** bob@example.org R=dnslookup T=remote_smtp \
             H=mx.example.org [192.0.2.25]: SMTP error from remote mail server after RCPT \
             TO:<bob@example.org>: 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown",
        );
        assert_eq!(
            reply.text,
            "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"
        );
        assert_eq!(reply.command.as_deref(), Some("RCPT TO"));
        assert_eq!(reply.remote_host.unwrap().ip, Some(ip("192.0.2.25")));
        let reply = parse(
            "SMTP error from remote mail server after MAIL FROM:<a@example.com> SIZE=1659:\nhost \
             mx1.hotmail.com [192.0.2.152]: 550 SC-001 (SNT0-MC2-F8) Unfortunately, messages \
             from 198.51.100.216 weren't sent.",
        );
        assert!(reply.text.starts_with("550 SC-001"));
        assert_eq!(reply.command.as_deref(), Some("MAIL FROM"));
        assert_eq!(reply.ips, [ip("198.51.100.216")]);
        assert_eq!(
            reply.remote_host.and_then(|r| r.domain),
            Some(name("hotmail.com"))
        );

        // SES and qmail.
        let reply = parse("smtp; 550 5.1.1 user unknown");
        assert_eq!(reply.text, "550 5.1.1 user unknown");
        let reply = parse(
            "Remote host said: 554 delivery error: dd This user doesn't have a yahoo.com account",
        );
        assert_eq!(reply.code, BasicCode::new(554));
        assert_eq!(reply.enhanced, None);
    }

    #[test]
    fn codes_where_they_stand() {
        let reply = parse(
            "550; 5.7.515 Access denied, sending domain [example.com] does not meet the required authentication level.",
        );
        assert_eq!(reply.code, BasicCode::new(550));
        assert_eq!(reply.enhanced, enhanced("5.7.515"));
        assert_eq!(reply.domains, [name("example.com")]);
        let reply = parse(
            "553 Mail from 203.0.113.9 not allowed - 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL",
        );
        assert_eq!(reply.enhanced, enhanced("5.7.1"));
        let reply =
            parse("4.7.32 This mail has been rate limited because there is no DMARC alignment");
        assert_eq!((reply.code, reply.enhanced), (None, enhanced("4.7.32")));
        let reply = parse(
            "421 4.7.0 [TSS04] Messages from 203.0.113.9 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        );
        assert_eq!(reply.enhanced, enhanced("4.7.0"));
        assert_eq!(reply.ips[0], ip("203.0.113.9"));
        let reply = parse(
            "451 example.yahoo.com Resources temporarily unavailable. Please try again later [#4.16.1].",
        );
        assert_eq!(
            reply.enhanced, None,
            "Yahoo's internal reference is not a status code"
        );
        // Mid-text codes need a code pair: a number in prose is not a reply code.
        let reply = parse("Greylisted, please try again in 300 seconds");
        assert_eq!((reply.code, reply.enhanced), (None, None));
        let reply = parse("Warning: the server answered 550 5.1.1 user unknown");
        assert_eq!(reply.code, BasicCode::new(550));
        assert_eq!(reply.enhanced, enhanced("5.1.1"));
        assert_eq!(
            parse("421 5.7.32 Your email was blocked").enhanced,
            enhanced("5.7.32")
        );
        assert_eq!(enhanced("4.16.55.1"), None);
        assert_eq!(enhanced("5.7.1a"), None);
        assert_eq!(enhanced("5.7.1."), enhanced("5.7.1"));
    }

    #[test]
    fn addresses_in_their_usual_dress() {
        let reply = parse(
            "550 5.7.1 [IPv6:2001:db8::25] and 198.51.100.7:25 and 203.0.113.9. and ::1 and \
             0.0.0.0 and 16:52:06 and [2001:db8::1      12]",
        );
        assert_eq!(
            reply.ips,
            [
                ip("2001:db8::25"),
                ip("198.51.100.7"),
                ip("203.0.113.9"),
                ip("::1"),
                ip("2001:db8::1")
            ]
        );
    }

    #[test]
    fn domains_outside_urls_and_services() {
        let reply = parse(
            "550 5.7.26 Unauthenticated email from Example.COM is not accepted due to domain's \
             DMARC policy. Please contact the administrator of example.com domain, e.g. via \
             https://support.example.net/help or mail.live.com/mail/troubleshooting.aspx. \
             [BN8NAM11FT012.eop-nam11.prod.protection.outlook.com] z8si17418573ilq.142 - gsmtp",
        );
        assert_eq!(reply.domains, [name("example.com")]);
    }

    #[test]
    fn odd_input_is_read_without_fuss() {
        for input in [
            "",
            " ",
            "\n\n",
            "5.7.1",
            "550",
            "550-",
            "250 ",
            "abc",
            "\u{0}\u{7f}\u{ff}",
        ] {
            let reply = parse(input);
            assert!(reply.text.len() <= input.len(), "{input:?}");
        }
        assert_eq!(parse("5.7.1").enhanced, enhanced("5.7.1"));
        assert_eq!(parse("550").code, BasicCode::new(550));
        assert_eq!(parse("600 nope").code, None);
        let long = "550 5.7.1 ".to_string() + &"é".repeat(MAX_REPLY_BYTES);
        let reply = parse(&long);
        assert!(reply.truncated);
        assert!(reply.text.len() <= MAX_REPLY_BYTES);
        let many = (1..=40)
            .map(|i| format!("192.0.2.{i} host{i}.example.com"))
            .collect::<Vec<_>>()
            .join(" ");
        let reply = parse(&many);
        assert_eq!(reply.ips.len(), MAX_NAMED);
        assert_eq!(reply.domains.len(), MAX_NAMED);
    }
}
