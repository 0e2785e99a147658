//! The header section as evidence: every field as written (bounded), and typed readings of the
//! fields the checks judge.

use std::net::IpAddr;

use mail_parser::{Address, HeaderValue, Host, MessagePart};

use super::Raw;
use crate::dns::Name;

/// RFC 5322 §2.1.1: a line "MUST be no more than 998 characters" without the CRLF.
pub const MAX_LINE_CHARS: usize = 998;

/// One header field: its name as written and its value unfolded (line breaks of folding
/// removed, surrounding whitespace trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: Raw,
    /// 1-based line of the message where the field starts.
    pub line: usize,
}

impl Field {
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// A physical header line longer than [`MAX_LINE_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongLine {
    pub line: usize,
    /// In bytes, without the line break.
    pub length: usize,
    /// The field the line belongs to.
    pub field: String,
}

/// One mailbox of an address field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    /// `local@domain` as parsed; may lack the `@` when the header is malformed.
    pub address: String,
    /// The domain, when it is a valid domain name (IDNs in punycode).
    pub domain: Option<Name>,
}

/// A From or Sender field: the raw value and the mailboxes read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressField {
    pub field: Field,
    pub mailboxes: Vec<Mailbox>,
}

/// The Return-Path the final delivery added: the envelope MAIL FROM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnPath {
    pub field: Field,
    /// The address between the angle brackets; empty for the null sender `<>` (bounces).
    pub address: String,
    pub domain: Option<Name>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageId {
    pub field: Field,
    /// `<left@right>` with no whitespace inside (RFC 5322 §3.6.4).
    pub valid: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateField {
    pub field: Field,
    /// Seconds since the epoch when the value is an RFC 5322 date-time.
    pub timestamp: Option<i64>,
}

/// One Received field, read for the hop's connecting address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// 0 for the topmost (the last hop, added by the receiver).
    pub index: usize,
    pub field: Field,
    /// The address in `from name (rdns [IP])` or `from [IP]`.
    pub from_ip: Option<IpAddr>,
    /// The name the client gave in HELO/EHLO, as the receiver recorded it.
    pub helo: Option<String>,
}

/// A URI scheme in List-Unsubscribe, as far as the checks care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    Https,
    Http,
    Mailto,
    /// Any other scheme, lower-case; empty when the text has none.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeUri {
    /// As written between the angle brackets, whitespace removed.
    pub uri: String,
    pub scheme: Scheme,
}

/// List-Unsubscribe (RFC 2369 §3.2): a comma-separated list of `<URI>`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListUnsubscribe {
    pub field: Field,
    pub uris: Vec<UnsubscribeUri>,
    /// Text that is neither a bracketed URI nor a comment: receivers ignore it.
    pub stray: Vec<String>,
}

impl ListUnsubscribe {
    pub fn has(&self, scheme: &Scheme) -> bool {
        self.uris.iter().any(|u| &u.scheme == scheme)
    }
}

/// The value RFC 8058 §3.1 requires in List-Unsubscribe-Post, exactly.
pub const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    /// Every field in order, the DKIM-Signature and Received fields included.
    pub fields: Vec<Field>,
    /// Every From field (RFC 5322 allows exactly one).
    pub from: Vec<AddressField>,
    pub sender: Vec<AddressField>,
    pub return_path: Vec<ReturnPath>,
    pub message_id: Vec<MessageId>,
    pub date: Vec<DateField>,
    pub list_unsubscribe: Vec<ListUnsubscribe>,
    /// Topmost first.
    pub received: Vec<Received>,
    pub long_lines: Vec<LongLine>,
}

/// Fields RFC 5322 §3.6 allows at most once.
pub const SINGLE_INSTANCE: [&str; 11] = [
    "Date",
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Bcc",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Subject",
];

impl Headers {
    /// Every field with this name, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields.iter().filter(move |f| f.is(name))
    }

    pub fn first(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.is(name))
    }

    pub fn count(&self, name: &str) -> usize {
        self.fields.iter().filter(|f| f.is(name)).count()
    }

    /// The single-instance fields that appear more than once, with their count.
    pub fn repeated(&self) -> Vec<(&'static str, usize)> {
        SINGLE_INSTANCE
            .iter()
            .map(|name| (*name, self.count(name)))
            .filter(|(_, n)| *n > 1)
            .collect()
    }

    /// The List-Unsubscribe-Post values, exactly as written (unfolded, trimmed).
    pub fn list_unsubscribe_post(&self) -> impl Iterator<Item = &Field> {
        self.all("List-Unsubscribe-Post")
    }

    /// Exactly one List-Unsubscribe-Post field, and its value is [`ONE_CLICK`].
    pub fn one_click(&self) -> bool {
        let mut post = self.list_unsubscribe_post();
        matches!((post.next(), post.next()), (Some(f), None) if f.value.text == ONE_CLICK)
    }

    /// The topmost Received field that names a connecting address outside private,
    /// loopback and link-local space (receivers' internal hops name those).
    pub fn connecting(&self) -> Option<(&Received, IpAddr)> {
        self.received
            .iter()
            .find_map(|r| r.from_ip.filter(|ip| !internal(*ip)).map(|ip| (r, ip)))
    }

    /// Authentication-Results fields, which record what a receiver concluded (RFC 8601).
    pub fn authentication_results(&self) -> impl Iterator<Item = &Field> {
        self.all("Authentication-Results")
    }

    /// ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results fields (RFC 8617).
    pub fn arc(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| {
            f.is("ARC-Seal") || f.is("ARC-Message-Signature") || f.is("ARC-Authentication-Results")
        })
    }
}

/// Addresses no Internet sender connects from: private (RFC 1918, RFC 4193), shared
/// (RFC 6598), loopback, link-local, unspecified.
pub fn internal(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Reads the root part's header fields. `raw` is the whole message the part's offsets index.
pub(super) fn read(raw: &[u8], root: &MessagePart<'_>) -> Headers {
    let mut headers = Headers {
        fields: Vec::new(),
        from: Vec::new(),
        sender: Vec::new(),
        return_path: Vec::new(),
        message_id: Vec::new(),
        date: Vec::new(),
        list_unsubscribe: Vec::new(),
        received: Vec::new(),
        long_lines: long_lines(raw),
    };
    let mut line = 1;
    let mut counted_to = 0;
    for header in &root.headers {
        let (start, value_start, end) = (
            header.offset_field as usize,
            header.offset_start as usize,
            header.offset_end as usize,
        );
        if let Some(before) = raw.get(counted_to..start) {
            line += before.iter().filter(|&&b| b == b'\n').count();
            counted_to = start;
        }
        let name = raw
            .get(start..value_start.saturating_sub(1))
            .map(|n| String::from_utf8_lossy(n).trim().to_string())
            .unwrap_or_default();
        let value = raw.get(value_start..end).unwrap_or_default();
        let field = Field {
            name,
            value: Raw::new(&unfold(value)),
            line,
        };
        read_typed(&mut headers, field.clone(), &header.value);
        headers.fields.push(field);
    }
    headers
}

fn read_typed(headers: &mut Headers, field: Field, value: &HeaderValue<'_>) {
    if field.is("From") {
        headers.from.push(AddressField {
            mailboxes: mailboxes(value),
            field,
        });
    } else if field.is("Sender") {
        headers.sender.push(AddressField {
            mailboxes: mailboxes(value),
            field,
        });
    } else if field.is("Return-Path") {
        let address = field
            .value
            .text
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .to_string();
        headers.return_path.push(ReturnPath {
            domain: domain_of(&address),
            address,
            field,
        });
    } else if field.is("Message-ID") {
        headers.message_id.push(MessageId {
            valid: valid_message_id(&field.value.text),
            field,
        });
    } else if field.is("Date") {
        let timestamp = match value {
            HeaderValue::DateTime(dt) if dt.is_valid() => Some(dt.to_timestamp()),
            _ => None,
        };
        headers.date.push(DateField { field, timestamp });
    } else if field.is("List-Unsubscribe") {
        let (uris, stray) = list_uris(&field.value.text);
        headers
            .list_unsubscribe
            .push(ListUnsubscribe { field, uris, stray });
    } else if field.is("Received") {
        let (from_ip, helo) = match value {
            HeaderValue::Received(r) => {
                let ip = r.from_ip.or(match &r.from {
                    Some(Host::IpAddr(ip)) => Some(*ip),
                    _ => None,
                });
                let helo = match r.helo.as_ref().or(r.from.as_ref()) {
                    Some(Host::Name(n)) => Some(n.to_string()),
                    Some(Host::IpAddr(ip)) => Some(format!("[{ip}]")),
                    None => None,
                };
                (ip, helo)
            }
            _ => (None, None),
        };
        headers.received.push(Received {
            index: headers.received.len(),
            field,
            from_ip,
            helo,
        });
    }
}

/// RFC 5322 §2.2.3: unfolding removes the CRLF before folding whitespace.
fn unfold(value: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(value.len());
    let mut i = 0;
    while let Some(&b) = value.get(i) {
        match b {
            b'\r' if value.get(i + 1) == Some(&b'\n') => i += 2,
            b'\n' => i += 1,
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out.trim_ascii().to_vec()
}

fn mailboxes(value: &HeaderValue<'_>) -> Vec<Mailbox> {
    let addrs: Vec<&mail_parser::Addr<'_>> = match value {
        HeaderValue::Address(Address::List(list)) => list.iter().collect(),
        HeaderValue::Address(Address::Group(groups)) => {
            groups.iter().flat_map(|g| g.addresses.iter()).collect()
        }
        _ => Vec::new(),
    };
    addrs
        .into_iter()
        .map(|a| {
            let address = a.address.as_deref().unwrap_or_default().to_string();
            Mailbox {
                name: a.name.as_ref().map(|n| n.to_string()),
                domain: domain_of(&address),
                address,
            }
        })
        .collect()
}

/// The domain after the last `@`, when it is a domain name (not an address literal).
pub fn domain_of(address: &str) -> Option<Name> {
    let (_, domain) = address.rsplit_once('@')?;
    Name::from_user(domain).ok()
}

fn valid_message_id(value: &str) -> bool {
    let Some(inner) = value.strip_prefix('<').and_then(|v| v.strip_suffix('>')) else {
        return false;
    };
    match inner.rsplit_once('@') {
        Some((left, right)) => {
            !left.is_empty()
                && !right.is_empty()
                && !inner.contains(|c: char| c.is_whitespace() || c == '<' || c == '>')
        }
        None => false,
    }
}

/// The `<URI>` items of a List-Unsubscribe value. Written by hand: mail-parser reads the
/// field as addresses, which loses the URIs' schemes and any text outside the brackets.
/// Parenthesised comments are skipped (RFC 2369 §2); whitespace inside a URI is removed
/// (§2: "whitespace ... MUST be ignored").
fn list_uris(value: &str) -> (Vec<UnsubscribeUri>, Vec<String>) {
    let mut uris = Vec::new();
    let mut stray = Vec::new();
    let mut rest = value;
    loop {
        let text = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if text.is_empty() {
            break;
        }
        if let Some(after) = text.strip_prefix('<') {
            let (uri, next) = after.split_once('>').unwrap_or((after, ""));
            let uri: String = uri.chars().filter(|c| !c.is_whitespace()).collect();
            let scheme = match uri.split_once(':') {
                Some((s, _)) if s.eq_ignore_ascii_case("https") => Scheme::Https,
                Some((s, _)) if s.eq_ignore_ascii_case("http") => Scheme::Http,
                Some((s, _)) if s.eq_ignore_ascii_case("mailto") => Scheme::Mailto,
                Some((s, _)) => Scheme::Other(s.to_ascii_lowercase()),
                None => Scheme::Other(String::new()),
            };
            uris.push(UnsubscribeUri { uri, scheme });
            rest = next;
        } else if text.starts_with('(') {
            rest = skip_comment(text);
        } else {
            let end = text.find([',', '<']).unwrap_or(text.len());
            stray.push(text[..end].trim().to_string());
            rest = &text[end..];
        }
    }
    (uris, stray)
}

/// The text after a (possibly nested) comment starting at `text`.
fn skip_comment(text: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &text[i + 1..];
                }
            }
            _ => {}
        }
    }
    ""
}

/// Physical lines of the header section over [`MAX_LINE_CHARS`].
fn long_lines(raw: &[u8]) -> Vec<LongLine> {
    let mut out = Vec::new();
    let mut field = String::new();
    for (i, line) in raw.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if super::input::is_field_start(line)
            && let Some(colon) = line.iter().position(|&b| b == b':')
        {
            field = String::from_utf8_lossy(&line[..colon]).into_owned();
        }
        if line.len() > MAX_LINE_CHARS {
            out.push(LongLine {
                line: i + 1,
                length: line.len(),
                field: field.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_unsubscribe_uris() {
        let (uris, stray) = list_uris(
            "<mailto:u@example.com?subject=unsub> (a comment, <not a uri>),\r\n <https://example.com/u?id=1\r\n 2>, bogus, <ftp://x>",
        );
        let got: Vec<(&str, &Scheme)> = uris.iter().map(|u| (u.uri.as_str(), &u.scheme)).collect();
        assert_eq!(
            got,
            [
                ("mailto:u@example.com?subject=unsub", &Scheme::Mailto),
                ("https://example.com/u?id=12", &Scheme::Https),
                ("ftp://x", &Scheme::Other("ftp".into())),
            ]
        );
        assert_eq!(stray, ["bogus"]);
        let (uris, _) = list_uris("<HTTP://example.com/u>");
        assert_eq!(uris[0].scheme, Scheme::Http);
        let (uris, stray) = list_uris("https://example.com/u");
        assert!(uris.is_empty());
        assert_eq!(stray, ["https://example.com/u"]);
        // An unterminated bracket still yields what is there, without panicking.
        let (uris, _) = list_uris("<https://example.com/u");
        assert_eq!(uris[0].uri, "https://example.com/u");
    }

    #[test]
    fn message_ids() {
        assert!(valid_message_id("<abc.123@example.com>"));
        for bad in [
            "abc@example.com",
            "<abc>",
            "<@example.com>",
            "<a b@example.com>",
            "<a@>",
        ] {
            assert!(!valid_message_id(bad), "{bad}");
        }
    }

    #[test]
    fn internal_addresses() {
        for ip in [
            "10.0.0.5",
            "192.168.1.1",
            "172.16.0.1",
            "127.0.0.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.1.2.3",
        ] {
            assert!(internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["192.0.2.25", "203.0.113.9", "2001:db8::1", "8.8.8.8"] {
            assert!(!internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn unfolding() {
        assert_eq!(unfold(b" a\r\n\tb\r\n c\r\n"), b"a\tb c");
    }
}

#[cfg(test)]
mod received_tests {
    use crate::message::{Input, Message, Source};

    fn received(value: &str) -> (Option<String>, Option<String>) {
        let raw = format!("Received: {value}\r\nFrom: a@example.com\r\n\r\nbody\r\n");
        let input = Input::from_bytes(Source::Stdin, raw.into_bytes()).unwrap();
        let message = Message::parse(&input).unwrap();
        let r = &message.headers.received[0];
        (r.from_ip.map(|ip| ip.to_string()), r.helo.clone())
    }

    #[test]
    fn connecting_addresses_in_the_usual_forms() {
        let cases = [
            // Postfix, Sendmail
            (
                "from mail.example.com (mail.example.com [192.0.2.25])\r\n\tby mx.example.net (Postfix) with ESMTPS id 1; Wed, 01 Jan 2025 12:00:05 +0000",
                Some("192.0.2.25"),
                Some("mail.example.com"),
            ),
            // Bare address literal
            (
                "from [203.0.113.9] by mx.example.net; Wed, 01 Jan 2025 12:00:05 +0000",
                Some("203.0.113.9"),
                Some("[203.0.113.9]"),
            ),
            // Exim
            (
                "from host.example.org ([198.51.100.7] helo=client.example.org)\r\n\tby mx.example.net with esmtps; Wed, 01 Jan 2025 12:00:05 +0000",
                Some("198.51.100.7"),
                Some("client.example.org"),
            ),
            // Gmail, IPv6
            (
                "from mail-sor-f41.google.com (mail-sor-f41.google.com. [2001:db8::41])\r\n        by mx.google.com with SMTPS id x; Wed, 01 Jan 2025 12:00:05 -0800 (PST)",
                Some("2001:db8::41"),
                Some("mail-sor-f41.google.com"),
            ),
            // Sendmail's IPv6 literal
            (
                "from mail.example.com (mail.example.com [IPv6:2001:db8::25])\r\n\tby mx.example.net; Wed, 01 Jan 2025 12:00:05 +0000",
                Some("2001:db8::25"),
                Some("mail.example.com"),
            ),
            // A hop that names no address
            (
                "by 2002:a05:6a10:1234 with SMTP id y; Wed, 01 Jan 2025 12:00:05 -0800 (PST)",
                None,
                None,
            ),
        ];
        for (value, ip, helo) in cases {
            let (got_ip, got_helo) = received(value);
            assert_eq!(got_ip.as_deref(), ip, "{value}");
            assert_eq!(got_helo.as_deref(), helo, "{value}");
        }
    }
}
