//! SPF records (RFC 7208 §4.5–§6) parsed into terms that keep their text and position, so
//! lint can point at the offending term and the evaluator can name the one that matched.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::macros::{Context, MacroString};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qualifier {
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

impl Qualifier {
    pub fn symbol(self) -> char {
        match self {
            Qualifier::Pass => '+',
            Qualifier::Fail => '-',
            Qualifier::SoftFail => '~',
            Qualifier::Neutral => '?',
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mechanism {
    All,
    Include(MacroString),
    A {
        domain: Option<MacroString>,
        v4: u8,
        v6: u8,
    },
    Mx {
        domain: Option<MacroString>,
        v4: u8,
        v6: u8,
    },
    Ptr(Option<MacroString>),
    Ip4 {
        network: Ipv4Addr,
        prefix: u8,
    },
    Ip6 {
        network: Ipv6Addr,
        prefix: u8,
    },
    Exists(MacroString),
}

impl Mechanism {
    /// Mechanisms that cost a DNS lookup under RFC 7208 §4.6.4.
    pub fn queries_dns(&self) -> bool {
        !matches!(
            self,
            Mechanism::All | Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. }
        )
    }

    /// Whether a term that matched one address of a family (IPv4 when `v4`) matches every
    /// address of it: `all`, a /0 network, `a`/`mx` with a /0 prefix for the family, and
    /// `exists:` with a literal target, whose answer does not depend on the address.
    pub fn matches_whole_family(&self, v4: bool) -> bool {
        match self {
            Mechanism::All => true,
            Mechanism::Ip4 { prefix, .. } => v4 && *prefix == 0,
            Mechanism::Ip6 { prefix, .. } => !v4 && *prefix == 0,
            Mechanism::A { v4: p4, v6: p6, .. } | Mechanism::Mx { v4: p4, v6: p6, .. } => {
                if v4 {
                    *p4 == 0
                } else {
                    *p6 == 0
                }
            }
            Mechanism::Exists(spec) => spec.literal().is_some(),
            Mechanism::Include(_) | Mechanism::Ptr(_) => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TermKind {
    Directive {
        qualifier: Qualifier,
        mechanism: Mechanism,
    },
    Redirect(MacroString),
    Exp(MacroString),
    /// Unknown modifiers are ignored by evaluation (RFC 7208 §6).
    Unknown {
        name: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// Byte offset of the term in the record text.
    pub offset: usize,
    pub text: String,
    pub kind: TermKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub text: String,
    pub terms: Vec<Term>,
}

/// A syntax error: permerror at evaluation, `spf.syntax` in lint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based column in the record text.
    pub column: usize,
    /// The term at fault (empty when the record as a whole is).
    pub term: String,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.term.is_empty() {
            write!(f, "column {}: {}", self.column, self.message)
        } else {
            write!(
                f,
                "column {}, term '{}': {}",
                self.column, self.term, self.message
            )
        }
    }
}

/// True when TXT data is an SPF version 1 record (RFC 7208 §4.5): `v=spf1` alone or
/// followed by a space, case-insensitively.
pub fn is_spf_record(txt: &[u8]) -> bool {
    txt.len() >= 6 && txt[..6].eq_ignore_ascii_case(b"v=spf1") && (txt.len() == 6 || txt[6] == b' ')
}

impl Record {
    /// Parses a record selected by [`is_spf_record`] (anything else is an error at column 1).
    pub fn parse(txt: &[u8]) -> Result<Record, SyntaxError> {
        if !is_spf_record(txt) {
            return Err(SyntaxError {
                column: 1,
                term: String::new(),
                message: "not an SPF record: it must begin with `v=spf1` and a space".to_string(),
            });
        }
        if let Some(pos) = txt.iter().position(|b| !b.is_ascii()) {
            return Err(SyntaxError {
                column: pos + 1,
                term: String::new(),
                message: format!(
                    "byte 0x{:02x} is not ASCII; SPF records are 7-bit text",
                    txt[pos]
                ),
            });
        }
        let text = String::from_utf8_lossy(txt).into_owned();
        let mut terms: Vec<Term> = Vec::new();
        let mut offset = 6;
        for piece in text[6..].split(' ') {
            let start = offset;
            offset += piece.len() + 1;
            if piece.is_empty() {
                continue;
            }
            let at = |message: String, column_in_term: usize| SyntaxError {
                column: start + column_in_term + 1,
                term: piece.to_string(),
                message,
            };
            let kind = parse_term(piece).map_err(|(pos, m)| at(m, pos))?;
            let duplicate = terms.iter().any(|t| {
                matches!(
                    (&t.kind, &kind),
                    (TermKind::Redirect(_), TermKind::Redirect(_))
                        | (TermKind::Exp(_), TermKind::Exp(_))
                )
            });
            if duplicate {
                return Err(at("this modifier may appear only once".to_string(), 0));
            }
            terms.push(Term {
                offset: start,
                text: piece.to_string(),
                kind,
            });
        }
        Ok(Record { text, terms })
    }

    pub fn directives(&self) -> impl Iterator<Item = (&Term, Qualifier, &Mechanism)> {
        self.terms.iter().filter_map(|t| match &t.kind {
            TermKind::Directive {
                qualifier,
                mechanism,
            } => Some((t, *qualifier, mechanism)),
            _ => None,
        })
    }

    pub fn redirect(&self) -> Option<&MacroString> {
        self.terms.iter().find_map(|t| match &t.kind {
            TermKind::Redirect(m) => Some(m),
            _ => None,
        })
    }

    pub fn exp(&self) -> Option<&MacroString> {
        self.terms.iter().find_map(|t| match &t.kind {
            TermKind::Exp(m) => Some(m),
            _ => None,
        })
    }

    /// The `all` directive, if any: it makes a redirect unreachable (RFC 7208 §5.1).
    pub fn all(&self) -> Option<(&Term, Qualifier)> {
        self.directives()
            .find(|(_, _, m)| matches!(m, Mechanism::All))
            .map(|(t, q, _)| (t, q))
    }
}

impl Record {
    /// The record's text with `terms` in place of its own (each as written), in the version
    /// form receivers all select: `v=spf1` in lower case.
    pub fn text_with<'a>(terms: impl IntoIterator<Item = &'a str>) -> String {
        let mut out = String::from("v=spf1");
        for t in terms {
            out.push(' ');
            out.push_str(t);
        }
        out
    }

    /// Byte offset of the first `all` term (`usize::MAX` without one): directives written
    /// after it are never evaluated (RFC 7208 §5.1).
    pub fn end(&self) -> usize {
        self.all().map_or(usize::MAX, |(t, _)| t.offset)
    }

    /// Is `term` a directive written after the first `all`? (`end`: [`Record::end`].)
    pub fn is_late(term: &Term, end: usize) -> bool {
        term.offset > end && matches!(term.kind, TermKind::Directive { .. })
    }

    /// The directives evaluation can reach, in order: up to the first `all`, included.
    pub fn reachable_directives(&self) -> impl Iterator<Item = (&Term, Qualifier, &Mechanism)> {
        let end = self.end();
        self.directives()
            .filter(move |(t, _, _)| !Record::is_late(t, end))
    }

    /// Directives after the first `all`, which evaluation never reaches.
    pub fn unreachable(&self) -> impl Iterator<Item = &Term> {
        let end = self.end();
        self.terms.iter().filter(move |t| Record::is_late(t, end))
    }
}

/// A TXT record receivers may not read as the SPF record it was evidently meant to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookalike {
    /// The TXT data as published (lossy UTF-8).
    pub text: String,
    pub kind: LookalikeKind,
    /// The record as it was meant, when that is unambiguous and parses.
    pub corrected: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookalikeKind {
    /// `V=SPF1 …`: an SPF record to receivers that match the version case-insensitively (the
    /// ABNF's quoted strings are, RFC 5234 §2.3, and the RFC 7208 test suite expects it), but
    /// RFC 7208 §4.5 says "exactly `v=spf1`" and some implementations compare it byte for byte.
    OddCase,
    /// Discarded by every receiver: it does not begin with `v=spf1` followed by a space or the
    /// end (a leading space or quote, `v=spf1` glued to the first term, `spf1` without `v=`,
    /// spaces around `=`, a tab).
    Malformed,
    /// `spf2.0/…`: Sender ID (RFC 4406, historic), which SPF receivers ignore.
    SenderId,
}

impl LookalikeKind {
    /// What receivers do with such a record, in a few words.
    pub fn consequence(self) -> &'static str {
        match self {
            LookalikeKind::OddCase => {
                "most receivers read it, but RFC 7208 §4.5 asks for exactly `v=spf1` and \
                 receivers that compare it byte for byte discard it"
            }
            LookalikeKind::Malformed => {
                "every receiver discards it: an SPF record begins with exactly `v=spf1` followed \
                 by a space or the end (RFC 7208 §4.5)"
            }
            LookalikeKind::SenderId => {
                "a Sender ID record (RFC 4406, historic): SPF receivers ignore it and no major \
                 receiver evaluates Sender ID any more"
            }
        }
    }
}

/// Characters that copy-paste brings into records: typographic quotes are dropped, and
/// whitespace other than the space (tab, line breaks, no-break space) becomes a space.
fn clean_pasted(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{201c}'
                    | '\u{201d}'
                    | '\u{201e}'
                    | '\u{2018}'
                    | '\u{2019}'
                    | '\u{200b}'
                    | '\u{feff}'
            )
        })
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect()
}

impl Lookalike {
    /// Classifies one TXT record: `None` for a well-formed SPF record and for TXT data that
    /// is not an attempt at SPF.
    pub fn of(txt: &[u8]) -> Option<Lookalike> {
        let text = String::from_utf8_lossy(txt).into_owned();
        if is_spf_record(txt) {
            if txt.starts_with(b"v=spf1") {
                return None;
            }
            let corrected = format!("v=spf1{}", &text[6..]);
            return Some(Lookalike {
                corrected: Record::parse(corrected.as_bytes())
                    .is_ok()
                    .then_some(corrected),
                text,
                kind: LookalikeKind::OddCase,
            });
        }
        let cleaned = clean_pasted(&text);
        let trimmed = cleaned.trim_matches(|c: char| c == ' ' || c == '"' || c == '\'');
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("spf2.0/") {
            return Some(Lookalike {
                text,
                kind: LookalikeKind::SenderId,
                corrected: None,
            });
        }
        let rest = version_rest(&lower).map(|at| &trimmed[at..])?;
        // The terms after the version: at a space, at the end, or glued to a term's start.
        let glued = rest.starts_with(|c: char| c.is_ascii_alphabetic() || "+-~?".contains(c));
        if !(rest.is_empty() || rest.starts_with(' ') || glued) {
            return None; // `v=spf10`, `spf1-verification=…`: something else
        }
        let candidate = format!("v=spf1 {}", rest.trim_start());
        let candidate = candidate.trim_end().to_string();
        let corrected = match Record::parse(candidate.as_bytes()) {
            Ok(_) => Some(candidate),
            Err(_) => repair(&candidate),
        };
        Some(Lookalike {
            text,
            kind: LookalikeKind::Malformed,
            corrected,
        })
    }
}

/// Where the terms begin in a lower-cased text that starts with a mangled SPF version
/// (`v=spf1`, `v = spf1`, `v=spf 1`, `spf1`), or `None`.
fn version_rest(lower: &str) -> Option<usize> {
    let skip_spaces = |s: &str, at: usize| at + s[at..].len() - s[at..].trim_start().len();
    if let Some(after) = lower.strip_prefix("spf1") {
        return (after.is_empty() || after.starts_with(' ')).then_some(4);
    }
    let mut at = 0;
    for part in ["v", "=", "spf", "1"] {
        at = skip_spaces(lower, at);
        if !lower[at..].starts_with(part) {
            return None;
        }
        at += part.len();
    }
    Some(at)
}

/// The record as it was evidently meant, when its syntax error has one unambiguous fix: a
/// missing space (`ip4:192.0.2.1~all`), a space too many (`include: example.com`, `- all`),
/// a missing colon (`include example.com`), a host name in `ip4:`/`ip6:` (`a:` is meant),
/// the same modifier written twice, copy-paste characters (typographic quotes, tabs, line
/// breaks). `None` when the error has no such fix or the text is not an SPF record.
pub fn repair(text: &str) -> Option<String> {
    let cleaned = clean_pasted(text);
    if !is_spf_record(cleaned.as_bytes()) {
        return None;
    }
    let mut pieces: Vec<String> = cleaned[6..]
        .split(' ')
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    // Each round fixes the term at fault or gives up; every fix removes an error, so a record
    // of n terms needs at most about n rounds.
    for _ in 0..=pieces.len() + 1 {
        let candidate = Record::text_with(pieces.iter().map(String::as_str));
        let error = match Record::parse(candidate.as_bytes()) {
            Ok(_) => return (candidate != text).then_some(candidate),
            Err(e) => e,
        };
        let at = piece_at(&pieces, error.column)?;
        pieces = fix_piece(&pieces, at)?;
    }
    None
}

/// The index of the piece holding a 1-based column of `Record::text_with(pieces)` (an error
/// just past a term's end, such as a missing argument, is the term's).
fn piece_at(pieces: &[String], column: usize) -> Option<usize> {
    let mut start = "v=spf1 ".len();
    for (i, p) in pieces.iter().enumerate() {
        if column > start && column <= start + p.len() + 1 {
            return Some(i);
        }
        start += p.len() + 1;
    }
    None
}

/// The pieces with the one fix that makes piece `at` parse, or `None` when there is not
/// exactly one.
fn fix_piece(pieces: &[String], at: usize) -> Option<Vec<String>> {
    let piece = pieces[at].as_str();
    let next = pieces.get(at + 1).map(String::as_str);
    let parses = |t: &str| !t.is_empty() && t.is_ascii() && parse_term(t).is_ok();
    let mut fixes: Vec<Vec<String>> = Vec::new();
    let with = |replacement: Vec<String>, consumed: usize| {
        let mut out = pieces[..at].to_vec();
        out.extend(replacement);
        out.extend(pieces[at + consumed..].iter().cloned());
        out
    };
    // A space too many before a prefix length: `ip4:192.0.2.0 /24`.
    if piece.starts_with('/') && at > 0 {
        let joined = format!("{}{piece}", pieces[at - 1]);
        if parses(&joined) {
            let mut out = pieces[..at - 1].to_vec();
            out.push(joined);
            out.extend(pieces[at + 1..].iter().cloned());
            fixes.push(out);
        }
    }
    // A space too many after a term's start: `include: x`, `- all`.
    if let Some(next) = next {
        let joined = format!("{piece}{next}");
        let open_ended = piece.ends_with([':', '=', '/']) || ["+", "-", "~", "?"].contains(&piece);
        if open_ended && parses(&joined) {
            fixes.push(with(vec![joined], 2));
        }
        // A missing colon: `include example.com`.
        let (_, bare) = split_qualifier(piece);
        if ["include", "exists"].contains(&bare.to_ascii_lowercase().as_str()) {
            let joined = format!("{piece}:{next}");
            if parses(&joined) {
                fixes.push(with(vec![joined], 2));
            }
        }
    }
    // A missing space before a qualified mechanism: `ip4:192.0.2.1~all`.
    for (i, c) in piece.char_indices().skip(1) {
        if !"+-~?".contains(c) {
            continue;
        }
        let (head, tail) = piece.split_at(i);
        let starts_mechanism = MECHANISMS
            .iter()
            .any(|m| tail[1..].to_ascii_lowercase().starts_with(m));
        if starts_mechanism && parses(head) && parses(tail) {
            fixes.push(with(vec![head.to_string(), tail.to_string()], 1));
        }
    }
    // A host name where an address belongs: `ip4:mail.example.com` means `a:mail.example.com`.
    let (qualifier, bare) = split_qualifier(piece);
    let lower = bare.to_ascii_lowercase();
    if let Some(host) = lower
        .strip_prefix("ip4:")
        .or_else(|| lower.strip_prefix("ip6:"))
    {
        let host = &bare[bare.len() - host.len()..];
        let as_a = format!("{qualifier}a:{host}");
        if host.parse::<std::net::IpAddr>().is_err() && host.contains('.') && parses(&as_a) {
            fixes.push(with(vec![as_a], 1));
        }
    }
    // A modifier written twice with the same value: drop the repeat.
    if matches!(
        parse_term(piece),
        Ok(TermKind::Redirect(_) | TermKind::Exp(_))
    ) && pieces[..at].iter().any(|p| p.eq_ignore_ascii_case(piece))
    {
        fixes.push(with(Vec::new(), 1));
    }
    match fixes.len() {
        1 => fixes.pop(),
        _ => None,
    }
}

/// A term's qualifier (as written, possibly empty) and the rest.
fn split_qualifier(term: &str) -> (&str, &str) {
    match term.chars().next() {
        Some(c) if "+-~?".contains(c) => term.split_at(1),
        _ => ("", term),
    }
}

const MECHANISMS: [&str; 8] = ["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"];

/// One term; errors carry the byte offset inside the term.
fn parse_term(piece: &str) -> Result<TermKind, (usize, String)> {
    let (qualifier, body, qlen) = match piece.as_bytes()[0] {
        b'+' => (Some(Qualifier::Pass), &piece[1..], 1),
        b'-' => (Some(Qualifier::Fail), &piece[1..], 1),
        b'~' => (Some(Qualifier::SoftFail), &piece[1..], 1),
        b'?' => (Some(Qualifier::Neutral), &piece[1..], 1),
        _ => (None, piece, 0),
    };
    let name_len = body.find([':', '/', '=']).unwrap_or(body.len());
    let name = body[..name_len].to_ascii_lowercase();
    let rest = &body[name_len..];

    if qualifier.is_none() && rest.starts_with('=') {
        return parse_modifier(&name, &body[..name_len], &rest[1..]);
    }
    if !MECHANISMS.contains(&name.as_str()) {
        return Err((
            0,
            if rest.starts_with('=') {
                "a modifier cannot take a qualifier".to_string()
            } else {
                format!("unknown mechanism '{}'", &body[..name_len])
            },
        ));
    }
    let arg_offset = qlen + name_len;
    let mechanism = parse_mechanism(&name, rest).map_err(|(p, m)| (arg_offset + p, m))?;
    Ok(TermKind::Directive {
        qualifier: qualifier.unwrap_or(Qualifier::Pass),
        mechanism,
    })
}

fn parse_modifier(name: &str, raw_name: &str, value: &str) -> Result<TermKind, (usize, String)> {
    let valid_name = raw_name.starts_with(|c: char| c.is_ascii_alphabetic())
        && raw_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !valid_name {
        return Err((0, format!("'{raw_name}' is not a valid modifier name")));
    }
    let value_offset = raw_name.len() + 1;
    let spec = |v: &str| -> Result<MacroString, (usize, String)> {
        domain_spec(v).map_err(|(p, m)| (value_offset + p, m))
    };
    Ok(match name {
        "redirect" => TermKind::Redirect(spec(value)?),
        "exp" => TermKind::Exp(spec(value)?),
        _ => {
            MacroString::parse(value, Context::DomainSpec)
                .map_err(|(p, m)| (value_offset + p, m))?;
            TermKind::Unknown {
                name: raw_name.to_string(),
            }
        }
    })
}

/// `domain-spec`: a macro string ending the way a domain name must.
fn domain_spec(text: &str) -> Result<MacroString, (usize, String)> {
    if text.is_empty() {
        return Err((0, "a domain is required here".to_string()));
    }
    let spec = MacroString::parse(text, Context::DomainSpec)?;
    if !spec.has_valid_domain_end() {
        return Err((
            0,
            format!("'{text}' is not a valid domain (it must end in a top-level label or a macro)"),
        ));
    }
    Ok(spec)
}

/// Splits `arg` (the text after the mechanism name) into an optional `:domain-spec` and the
/// trailing CIDR suffix, then checks both.
fn parse_mechanism(name: &str, rest: &str) -> Result<Mechanism, (usize, String)> {
    let no_args = |m: Mechanism| {
        if rest.is_empty() {
            Ok(m)
        } else {
            Err((0, format!("'{name}' takes no argument")))
        }
    };
    let required = |rest: &str| -> Result<MacroString, (usize, String)> {
        match rest.strip_prefix(':') {
            Some(v) => domain_spec(v).map_err(|(p, m)| (p + 1, m)),
            None => Err((0, format!("'{name}' needs ':domain'"))),
        }
    };
    match name {
        "all" => no_args(Mechanism::All),
        "include" => Ok(Mechanism::Include(required(rest)?)),
        "exists" => Ok(Mechanism::Exists(required(rest)?)),
        "ptr" => Ok(Mechanism::Ptr(match rest {
            "" => None,
            _ => Some(required(rest)?),
        })),
        "a" | "mx" => {
            let (domain_part, v4, v6) = split_dual_cidr(rest)?;
            let domain = match domain_part {
                "" => None,
                d => match d.strip_prefix(':') {
                    Some(v) => Some(domain_spec(v).map_err(|(p, m)| (p + 1, m))?),
                    None => return Err((0, format!("unexpected '{d}' after '{name}'"))),
                },
            };
            Ok(if name == "a" {
                Mechanism::A { domain, v4, v6 }
            } else {
                Mechanism::Mx { domain, v4, v6 }
            })
        }
        "ip4" => {
            let arg = rest
                .strip_prefix(':')
                .ok_or((0, "'ip4' needs ':address'".to_string()))?;
            let (addr, prefix) = split_cidr(arg, 32).map_err(|(p, m)| (p + 1, m))?;
            let network = addr
                .parse::<Ipv4Addr>()
                .map_err(|_| (1, format!("'{addr}' is not an IPv4 address")))?;
            Ok(Mechanism::Ip4 {
                network,
                prefix: prefix.unwrap_or(32),
            })
        }
        "ip6" => {
            let arg = rest
                .strip_prefix(':')
                .ok_or((0, "'ip6' needs ':address'".to_string()))?;
            let (addr, prefix) = split_cidr(arg, 128).map_err(|(p, m)| (p + 1, m))?;
            let network = addr
                .parse::<Ipv6Addr>()
                .map_err(|_| (1, format!("'{addr}' is not an IPv6 address")))?;
            Ok(Mechanism::Ip6 {
                network,
                prefix: prefix.unwrap_or(128),
            })
        }
        _ => unreachable!("MECHANISMS lists every name matched here"),
    }
}

/// A CIDR length: "0" or digits without a leading zero, at most `max`.
fn cidr_length(text: &str, max: u8) -> Result<u8, String> {
    let valid_form = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    match text.parse::<u8>() {
        Ok(n) if valid_form && n <= max => Ok(n),
        _ => Err(format!("'/{text}' is not a prefix length from 0 to {max}")),
    }
}

/// `addr[/len]` for ip4/ip6.
fn split_cidr(arg: &str, max: u8) -> Result<(&str, Option<u8>), (usize, String)> {
    match arg.split_once('/') {
        None => Ok((arg, None)),
        Some((addr, len)) => {
            let n = cidr_length(len, max).map_err(|m| (addr.len(), m))?;
            Ok((addr, Some(n)))
        }
    }
}

/// Takes `[/v4][//v6]` off the end of an a/mx argument (RFC 7208 §5.6 dual-cidr-length).
fn split_dual_cidr(rest: &str) -> Result<(&str, u8, u8), (usize, String)> {
    let mut head = rest;
    let mut v6 = 128;
    let mut v4 = 32;
    if let Some(pos) = head.rfind("//") {
        let len = &head[pos + 2..];
        if !len.contains('/') && !len.is_empty() && len.bytes().all(|b| b.is_ascii_digit()) {
            v6 = cidr_length(len, 128).map_err(|m| (pos, m))?;
            head = &head[..pos];
        }
    }
    if let Some(pos) = head.rfind('/') {
        let len = &head[pos + 1..];
        if !len.is_empty() && len.bytes().all(|b| b.is_ascii_digit()) {
            v4 = cidr_length(len, 32).map_err(|m| (pos, m))?;
            head = &head[..pos];
        } else if head[pos..].starts_with("//") || len.is_empty() {
            return Err((pos, "an empty or malformed prefix length".to_string()));
        }
    }
    Ok((head, v4, v6))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Record, SyntaxError> {
        Record::parse(s.as_bytes())
    }

    #[test]
    fn selects_version_1_records() {
        assert!(is_spf_record(b"v=spf1"));
        assert!(is_spf_record(b"V=SPF1 -all"));
        assert!(!is_spf_record(b"v=spf10 -all"));
        assert!(!is_spf_record(b"v=spf1-all"));
        assert!(!is_spf_record(b"spf1"));
    }

    #[test]
    fn parses_every_mechanism() {
        let r = parse(
            "v=spf1 +all -include:_spf.example.com ~a ?a:mail.example.com/24//64 mx/28 ptr \
             ptr:example.org ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{i}.bl.example.com \
             redirect=_spf.example.net exp=explain.%{d} foo=bar",
        )
        .unwrap();
        assert_eq!(r.terms.len(), 13);
        let kinds: Vec<&TermKind> = r.terms.iter().map(|t| &t.kind).collect();
        assert!(matches!(
            kinds[0],
            TermKind::Directive {
                qualifier: Qualifier::Pass,
                mechanism: Mechanism::All
            }
        ));
        assert!(matches!(
            kinds[1],
            TermKind::Directive {
                qualifier: Qualifier::Fail,
                mechanism: Mechanism::Include(_)
            }
        ));
        assert!(matches!(
            kinds[3],
            TermKind::Directive {
                mechanism: Mechanism::A {
                    domain: Some(_),
                    v4: 24,
                    v6: 64
                },
                ..
            }
        ));
        assert!(matches!(
            kinds[4],
            TermKind::Directive {
                mechanism: Mechanism::Mx {
                    domain: None,
                    v4: 28,
                    v6: 128
                },
                ..
            }
        ));
        assert!(matches!(
            kinds[7],
            TermKind::Directive {
                mechanism: Mechanism::Ip4 { prefix: 24, .. },
                ..
            }
        ));
        assert!(matches!(
            kinds[8],
            TermKind::Directive {
                mechanism: Mechanism::Ip6 { prefix: 32, .. },
                ..
            }
        ));
        assert!(matches!(kinds[12], TermKind::Unknown { .. }));
        assert_eq!(r.redirect().unwrap().to_string(), "_spf.example.net");
        assert_eq!(r.exp().unwrap().to_string(), "explain.%{d}");
        assert_eq!(r.terms[1].offset, 12);
    }

    #[test]
    fn errors_point_at_the_term() {
        let cases = [
            (
                "v=spf1 ip4:192.0.2.0/33 -all",
                21,
                "ip4:192.0.2.0/33",
                "prefix length",
            ),
            ("v=spf1 a -alll", 10, "-alll", "unknown mechanism"),
            ("v=spf1 include -all", 15, "include", "needs ':domain'"),
            ("v=spf1 a:foo.1 -all", 10, "a:foo.1", "not a valid domain"),
            (
                "v=spf1 redirect=a.example redirect=b.example",
                27,
                "redirect=b.example",
                "only once",
            ),
            (
                "v=spf1 exists:%{x}.example.com",
                15,
                "exists:%{x}.example.com",
                "macro letter",
            ),
            (
                "v=spf1 ip4:1.2.3.04",
                12,
                "ip4:1.2.3.04",
                "not an IPv4 address",
            ),
            ("v=spf1 all:foo", 11, "all:foo", "takes no argument"),
            (
                "v=spf1 -redirect=x.example",
                8,
                "-redirect=x.example",
                "qualifier",
            ),
            ("v=spf1 a/024", 9, "a/024", "prefix length"),
        ];
        for (record, column, term, message) in cases {
            let err = parse(record).unwrap_err();
            assert_eq!(err.term, term, "{record}");
            assert_eq!(err.column, column, "{record}: {err}");
            assert!(err.message.contains(message), "{record}: {err}");
        }
        let non_ascii = Record::parse(b"v=spf1 a:\xef.example -all").unwrap_err();
        assert_eq!(non_ascii.column, 10);
    }

    #[test]
    fn lookalikes_are_told_from_records_and_from_other_text() {
        let kind = |t: &str| Lookalike::of(t.as_bytes()).map(|l| (l.kind, l.corrected));
        assert_eq!(kind("v=spf1 -all"), None);
        assert_eq!(kind("google-site-verification=abc"), None);
        assert_eq!(kind("v=spf10 -all"), None, "another version");
        assert_eq!(kind("spf1-token=abc"), None);
        let corrected = "v=spf1 ip4:192.0.2.1 -all";
        for text in [
            "V=SPF1 ip4:192.0.2.1 -all",
            " v=spf1 ip4:192.0.2.1 -all",
            "v=spf1ip4:192.0.2.1 -all",
            "spf1 ip4:192.0.2.1 -all",
            "v = spf1 ip4:192.0.2.1 -all",
            "\"v=spf1 ip4:192.0.2.1 -all\"",
            "v=spf1\tip4:192.0.2.1 -all",
            "\u{201c}v=spf1 ip4:192.0.2.1 -all\u{201d}",
        ] {
            let l = Lookalike::of(text.as_bytes()).unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!(l.corrected.as_deref(), Some(corrected), "{text:?}");
            let odd = text.starts_with("V=");
            assert_eq!(l.kind == LookalikeKind::OddCase, odd, "{text:?}");
        }
        assert_eq!(
            kind("spf2.0/pra,mfrom ip4:192.0.2.1 -all"),
            Some((LookalikeKind::SenderId, None))
        );
    }

    #[test]
    fn repairs_only_what_has_one_fix() {
        for (broken, fixed) in [
            ("v=spf1 ip4:8.8.8.8~all", Some("v=spf1 ip4:8.8.8.8 ~all")),
            ("v=spf1 a:mail.example.com-all", None),
            (
                "v=spf1 include: example.com -all",
                Some("v=spf1 include:example.com -all"),
            ),
            (
                "v=spf1 include example.com -all",
                Some("v=spf1 include:example.com -all"),
            ),
            (
                "v=spf1 ip4:192.0.2.0 /24 -all",
                Some("v=spf1 ip4:192.0.2.0/24 -all"),
            ),
            (
                "v=spf1 ip6:mail.example.com -all",
                Some("v=spf1 a:mail.example.com -all"),
            ),
            ("v=spf1 ~ all", Some("v=spf1 ~all")),
            (
                "v=spf1 redirect=a.example redirect=a.example",
                Some("v=spf1 redirect=a.example"),
            ),
            ("v=spf1 redirect=a.example redirect=b.example", None),
            ("v=spf1 ip4:192.0.2.0/33 -all", None),
            (
                "v=spf1 a:ctrl.example.com\rptr -all",
                Some("v=spf1 a:ctrl.example.com ptr -all"),
            ),
            ("v=spf1 -all", None),
            ("not spf", None),
        ] {
            assert_eq!(repair(broken).as_deref(), fixed, "{broken:?}");
        }
    }

    #[test]
    fn only_selected_records_parse() {
        assert!(Record::parse(b"v=spf").is_err());
        assert!(Record::parse(b"spf2.0/pra -all").is_err());
    }

    #[test]
    fn spaces_separate_terms_and_nothing_else() {
        assert_eq!(parse("v=spf1  a   -all ").unwrap().terms.len(), 2);
        assert!(parse("v=spf1 a:ctrl.example.com\rptr -all").is_err());
    }
}
