//! The body: MIME structure (RFC 2045/2046), a delivery status notification (RFC 3464) when
//! the message is one, and the signs in headers and text that a message is bulk mail.

use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use super::Raw;
use super::header::Headers;

/// Parts listed at most; a message with more is summarised by its count.
pub const MAX_PARTS: usize = 256;
/// Recipients read from a DSN at most.
pub const MAX_DSN_RECIPIENTS: usize = 100;
/// Bytes of each text part searched for unsubscribe wording.
const MAX_TEXT_SCANNED: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Position in the tree walk, 0 for the message itself.
    pub index: usize,
    /// 0 for the message, 1 for its parts, and so on.
    pub depth: usize,
    /// `type/subtype`, lower-case; `text/plain` when the part declares none (RFC 2045 §5.2).
    pub content_type: String,
    /// Whether a Content-Type field was present.
    pub declared: bool,
    pub charset: Option<String>,
    pub transfer_encoding: Option<String>,
    /// `attachment` or `inline` from Content-Disposition.
    pub disposition: Option<String>,
    pub filename: Option<String>,
    /// Decoded size in bytes.
    pub size: usize,
    /// For `multipart/*`: the boundary and whether the body uses it.
    pub boundary: Option<Boundary>,
    /// The body did not decode cleanly (bad base64, quoted-printable or charset).
    pub encoding_problem: bool,
    /// For a text or HTML part that is not an attachment: the text around unsubscribe
    /// wording or an unsubscribe link, when there is one.
    pub unsubscribe: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boundary {
    /// The `boundary` parameter; `None` when the multipart part has none.
    pub value: Option<String>,
    /// Lines `--boundary` that open a part.
    pub delimiters: usize,
    /// The closing line `--boundary--` is present.
    pub closed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mime {
    /// The MIME-Version field of the message, if any.
    pub version: Option<Raw>,
    /// The part tree, depth first, at most [`MAX_PARTS`].
    pub parts: Vec<Part>,
    /// Parts beyond [`MAX_PARTS`], not listed.
    pub omitted: usize,
}

/// A structural defect, for the format checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MimeProblem {
    /// MIME fields (Content-Type, Content-Transfer-Encoding) without MIME-Version.
    NoMimeVersion,
    /// A multipart part without a `boundary` parameter (RFC 2046 §5.1.1 requires one).
    NoBoundary {
        part: usize,
    },
    /// The boundary is declared but no line of the body opens a part with it.
    BoundaryUnused {
        part: usize,
        boundary: String,
    },
    /// The boundary opens parts but the closing `--boundary--` line is missing.
    NotClosed {
        part: usize,
        boundary: String,
    },
    EncodingProblem {
        part: usize,
    },
}

impl Mime {
    pub fn problems(&self) -> Vec<MimeProblem> {
        let mut out = Vec::new();
        let mime_fields = self
            .parts
            .first()
            .is_some_and(|p| p.declared || p.transfer_encoding.is_some());
        if self.version.is_none() && mime_fields {
            out.push(MimeProblem::NoMimeVersion);
        }
        for part in &self.parts {
            if let Some(b) = &part.boundary {
                match &b.value {
                    None => out.push(MimeProblem::NoBoundary { part: part.index }),
                    Some(value) if b.delimiters == 0 => out.push(MimeProblem::BoundaryUnused {
                        part: part.index,
                        boundary: value.clone(),
                    }),
                    Some(value) if !b.closed => out.push(MimeProblem::NotClosed {
                        part: part.index,
                        boundary: value.clone(),
                    }),
                    Some(_) => {}
                }
            }
            if part.encoding_problem {
                out.push(MimeProblem::EncodingProblem { part: part.index });
            }
        }
        out
    }
}

pub(super) fn structure(raw: &[u8], message: &Message<'_>, headers: &Headers) -> Mime {
    let mut mime = Mime {
        version: headers.first("MIME-Version").map(|f| f.value.clone()),
        parts: Vec::new(),
        omitted: 0,
    };
    // Depth-first from the root; the part count bounds the walk even if ids repeat.
    let mut stack = vec![(0usize, 0usize)];
    let mut visited = 0;
    while let Some((id, depth)) = stack.pop() {
        let Some(part) = message.parts.get(id) else {
            continue;
        };
        visited += 1;
        if visited > message.parts.len() {
            break;
        }
        if mime.parts.len() >= MAX_PARTS {
            mime.omitted += 1;
        } else {
            mime.parts
                .push(summarise(raw, part, mime.parts.len(), depth));
        }
        if let PartType::Multipart(children) = &part.body {
            stack.extend(children.iter().rev().map(|c| (*c as usize, depth + 1)));
        }
    }
    mime
}

fn summarise(raw: &[u8], part: &MessagePart<'_>, index: usize, depth: usize) -> Part {
    let ct = part.content_type();
    let content_type = ct
        .map(|c| match c.subtype() {
            Some(sub) => format!("{}/{}", c.ctype(), sub),
            None => c.ctype().to_string(),
        })
        .unwrap_or_else(|| "text/plain".to_string())
        .to_ascii_lowercase();
    let boundary = content_type.starts_with("multipart/").then(|| {
        let value = ct.and_then(|c| c.attribute("boundary")).map(str::to_string);
        let body = raw
            .get(part.offset_body as usize..part.offset_end as usize)
            .unwrap_or_default();
        let (delimiters, closed) = value
            .as_deref()
            .map(|b| delimiter_lines(body, b))
            .unwrap_or((0, false));
        Boundary {
            value,
            delimiters,
            closed,
        }
    });
    let disposition = part
        .content_disposition()
        .map(|d| d.ctype().to_ascii_lowercase());
    let unsubscribe = match &part.body {
        PartType::Text(text) | PartType::Html(text)
            if disposition.as_deref() != Some("attachment") =>
        {
            unsubscribe_excerpt(text)
        }
        _ => None,
    };
    Part {
        index,
        depth,
        content_type,
        declared: ct.is_some(),
        charset: ct.and_then(|c| c.attribute("charset")).map(str::to_string),
        transfer_encoding: part
            .content_transfer_encoding()
            .map(str::to_ascii_lowercase),
        disposition,
        filename: part.attachment_name().map(str::to_string),
        size: part.len(),
        boundary,
        encoding_problem: part.is_encoding_problem,
        unsubscribe,
    }
}

/// Counts `--boundary` lines and whether `--boundary--` closes them (RFC 2046 §5.1.1; trailing
/// whitespace is allowed after either).
fn delimiter_lines(body: &[u8], boundary: &str) -> (usize, bool) {
    let open = format!("--{boundary}");
    let close = format!("--{boundary}--");
    let mut delimiters = 0;
    let mut closed = false;
    for line in body.split(|&b| b == b'\n') {
        let line = line.trim_ascii_end();
        if line == close.as_bytes() {
            closed = true;
        } else if line == open.as_bytes() {
            delimiters += 1;
        }
    }
    (delimiters, closed)
}

/// A delivery status notification (RFC 3464): what the reporting server says happened to
/// each recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dsn {
    /// `delivery-status`, or `global-delivery-status` (RFC 6533).
    pub report_type: String,
    /// Whether a `message/delivery-status` part was found; without it there are no fields.
    pub status_part: bool,
    pub reporting_mta: Option<Raw>,
    pub arrival_date: Option<Raw>,
    pub recipients: Vec<DsnRecipient>,
    /// Recipients beyond [`MAX_DSN_RECIPIENTS`], not read.
    pub omitted: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsnRecipient {
    pub final_recipient: Option<Raw>,
    pub original_recipient: Option<Raw>,
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`, lower-case.
    pub action: Option<String>,
    /// The enhanced status code (RFC 3463), e.g. `5.7.1`.
    pub status: Option<String>,
    pub remote_mta: Option<Raw>,
    /// The reply the remote server gave, unfolded (e.g. `smtp; 550 5.7.1 …`).
    pub diagnostic_code: Option<Raw>,
    pub last_attempt_date: Option<Raw>,
}

pub(super) fn dsn(message: &Message<'_>) -> Option<Dsn> {
    let root = message.parts.first()?;
    let ct = root.content_type()?;
    let report_type = ct.attribute("report-type")?.to_ascii_lowercase();
    if !ct.ctype().eq_ignore_ascii_case("multipart")
        || !ct
            .subtype()
            .is_some_and(|s| s.eq_ignore_ascii_case("report"))
        || !report_type.ends_with("delivery-status")
    {
        return None;
    }
    let status = message.parts.iter().find(|p| {
        p.content_type().is_some_and(|c| {
            c.ctype().eq_ignore_ascii_case("message")
                && c.subtype().is_some_and(|s| {
                    s.eq_ignore_ascii_case("delivery-status")
                        || s.eq_ignore_ascii_case("global-delivery-status")
                })
        })
    });
    let mut dsn = Dsn {
        report_type,
        status_part: status.is_some(),
        reporting_mta: None,
        arrival_date: None,
        recipients: Vec::new(),
        omitted: 0,
    };
    let Some(status) = status else {
        return Some(dsn);
    };
    let mut blocks = field_blocks(status.contents()).into_iter();
    if let Some(per_message) = blocks.next() {
        dsn.reporting_mta = value(&per_message, "Reporting-MTA");
        dsn.arrival_date = value(&per_message, "Arrival-Date");
    }
    for block in blocks {
        if dsn.recipients.len() >= MAX_DSN_RECIPIENTS {
            dsn.omitted += 1;
            continue;
        }
        let word = |name| value(&block, name).map(|v| v.text.to_ascii_lowercase());
        dsn.recipients.push(DsnRecipient {
            final_recipient: value(&block, "Final-Recipient"),
            original_recipient: value(&block, "Original-Recipient"),
            action: word("Action"),
            status: word("Status"),
            remote_mta: value(&block, "Remote-MTA"),
            diagnostic_code: value(&block, "Diagnostic-Code"),
            last_attempt_date: value(&block, "Last-Attempt-Date"),
        });
    }
    Some(dsn)
}

type Block = Vec<(String, Vec<u8>)>;

fn value(block: &Block, name: &str) -> Option<Raw> {
    block
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| Raw::new(v))
}

/// The groups of `Name: value` fields of a delivery-status body, separated by blank lines
/// (RFC 3464 §2.1), continuation lines joined. Written by hand: mail-parser treats this body
/// as opaque data.
fn field_blocks(body: &[u8]) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut current: Block = Vec::new();
    for line in body.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.trim_ascii().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            if let Some((_, value)) = current.last_mut() {
                value.push(b' ');
                value.extend_from_slice(line.trim_ascii());
            }
            continue;
        }
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            let name = String::from_utf8_lossy(&line[..colon]).trim().to_string();
            current.push((name, line[colon + 1..].trim_ascii().to_vec()));
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

/// A sign that the message is bulk (list or marketing) mail, for which Gmail and Yahoo
/// require List-Unsubscribe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkSignal {
    /// List-Id (RFC 2919): the message went through a list.
    ListId(Raw),
    /// `Precedence: bulk`, `list` or `junk` (a de-facto field, RFC 2076 §3.9).
    Precedence(Raw),
    /// Feedback-ID: a Gmail feedback-loop identifier, which bulk senders set.
    FeedbackId(Raw),
    /// A campaign field that mailing software sets (`X-Campaign…`, `X-Mailchimp…`, …).
    MarketingHeader { name: String, value: Raw },
    /// Unsubscribe wording or link in a text or HTML part; the excerpt around it.
    BodyUnsubscribe { part: usize, excerpt: String },
}

/// Field-name prefixes set by campaign and newsletter software, lower-case.
const MARKETING_PREFIXES: [&str; 6] = [
    "x-campaign",
    "x-mailchimp",
    "x-mc-user",
    "x-newsletter",
    "x-marketing",
    "x-mailjet-campaign",
];

/// Words that offer to stop the mail, lower-case.
const UNSUBSCRIBE_WORDS: [&str; 7] = [
    "unsubscribe",
    "opt out",
    "opt-out",
    "abmelden",
    "désabonner",
    "desabonner",
    "darse de baja",
];

pub(super) fn bulk_signals(headers: &Headers, parts: &[Part]) -> Vec<BulkSignal> {
    let mut out = Vec::new();
    for field in &headers.fields {
        let name = field.name.to_ascii_lowercase();
        if name == "list-id" {
            out.push(BulkSignal::ListId(field.value.clone()));
        } else if name == "precedence"
            && ["bulk", "list", "junk"]
                .contains(&field.value.text.trim().to_ascii_lowercase().as_str())
        {
            out.push(BulkSignal::Precedence(field.value.clone()));
        } else if name == "feedback-id" {
            out.push(BulkSignal::FeedbackId(field.value.clone()));
        } else if MARKETING_PREFIXES.iter().any(|p| name.starts_with(p)) {
            out.push(BulkSignal::MarketingHeader {
                name: field.name.clone(),
                value: field.value.clone(),
            });
        }
    }
    if let Some((part, excerpt)) = parts
        .iter()
        .find_map(|p| p.unsubscribe.as_ref().map(|e| (p.index, e.clone())))
    {
        out.push(BulkSignal::BodyUnsubscribe { part, excerpt });
    }
    out
}

/// About 60 characters either side of the first unsubscribe word, on one line.
fn unsubscribe_excerpt(text: &str) -> Option<String> {
    let end = floor_boundary(text, text.len().min(MAX_TEXT_SCANNED));
    let scanned = &text[..end];
    let lower = scanned.to_lowercase();
    // Lower-casing can change byte lengths (e.g. 'İ'); search it only when it did not.
    let haystack = if lower.len() == scanned.len() {
        lower
    } else {
        scanned.to_ascii_lowercase()
    };
    let at = UNSUBSCRIBE_WORDS
        .iter()
        .filter_map(|w| haystack.find(w))
        .min()?;
    let from = floor_boundary(scanned, at.saturating_sub(60));
    let to = floor_boundary(scanned, (at + 60).min(scanned.len()));
    Some(
        scanned[from..to]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters() {
        let body = b"preamble\r\n--b1\r\nA\r\n--b1  \r\nB\r\n--b1--\r\n";
        assert_eq!(delimiter_lines(body, "b1"), (2, true));
        assert_eq!(delimiter_lines(b"--b1\r\nA\r\n", "b1"), (1, false));
        assert_eq!(delimiter_lines(b"no parts\r\n", "b1"), (0, false));
    }

    #[test]
    fn delivery_status_blocks() {
        let body = b"Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; a@example.net\r\nDiagnostic-Code: smtp; 550 5.7.1 part one\r\n    part two\r\n\r\n\r\nFinal-Recipient: rfc822; b@example.net\r\n";
        let blocks = field_blocks(body);
        assert_eq!(blocks.len(), 3);
        assert_eq!(
            value(&blocks[1], "diagnostic-code").unwrap().text,
            "smtp; 550 5.7.1 part one part two"
        );
    }

    #[test]
    fn excerpts() {
        let text = format!(
            "{}Click here to Unsubscribe: https://example.com/u\n{}",
            "a ".repeat(100),
            "b".repeat(200)
        );
        let e = unsubscribe_excerpt(&text).unwrap();
        assert!(e.contains("Unsubscribe: https://example.com/u"), "{e}");
        assert!(e.len() <= 130, "{e}");
        assert_eq!(unsubscribe_excerpt("Your reset code is 123456."), None);
        // Multi-byte text around the word stays whole.
        assert!(unsubscribe_excerpt(&format!("{}opt out", "é".repeat(50))).is_some());
        assert!(unsubscribe_excerpt("İİİ unsubscribe").is_some());
    }
}
