//! A saved message (`deliv message FILE.eml`) taken apart for the checks: its header fields
//! as evidence, its MIME structure, the delivery report when it is a bounce, the signs that
//! it is bulk mail, every DKIM signature verified, SPF for the connecting IP, and the DMARC
//! verdict a receiver would reach.
//!
//! [`Input::read`] reads and refuses what is not a message; [`Message::parse`] is pure;
//! [`analyse`] adds what needs DNS, all of it through deliv's [`Resolver`].

pub mod auth;
pub mod dkim;
pub mod header;
pub mod input;
pub mod mime;

use mail_parser::MessageParser;

pub use auth::{DmarcEvaluation, Envelope, SpfCheck, Verdict};
pub use dkim::{DkimResult, DkimSignature};
pub use header::Headers;
pub use input::{Input, InputError, LineEndings, Source};
pub use mime::{BulkSignal, Dsn, Mime};

use crate::dns::Resolver;

/// The most bytes of any one value kept as evidence.
pub const MAX_RAW_BYTES: usize = 4096;

/// Text from the message or DNS, as written (invalid UTF-8 replaced), cut at
/// [`MAX_RAW_BYTES`]. The renderer makes it safe for a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw {
    pub text: String,
    /// The length in bytes before cutting.
    pub len: usize,
}

impl Raw {
    pub fn new(bytes: &[u8]) -> Raw {
        let kept = &bytes[..bytes.len().min(MAX_RAW_BYTES)];
        let mut text = String::from_utf8_lossy(kept).into_owned();
        // A multi-byte character cut in two becomes one replacement character at the end.
        if kept.len() < bytes.len() && text.ends_with('\u{fffd}') {
            text.pop();
        }
        Raw {
            text,
            len: bytes.len(),
        }
    }

    pub fn truncated(&self) -> bool {
        self.len > MAX_RAW_BYTES
    }
}

/// Everything read from the message itself, without DNS.
#[derive(Debug, Clone)]
pub struct Message {
    pub headers: Headers,
    pub mime: Mime,
    /// Present when the message is a delivery status notification (a bounce).
    pub dsn: Option<Dsn>,
    /// Signs that the message is bulk mail; empty for one-to-one mail.
    pub bulk: Vec<BulkSignal>,
}

impl Message {
    /// Parses a message that [`Input`] accepted.
    pub fn parse(input: &Input) -> Result<Message, InputError> {
        let raw = input.bytes.as_slice();
        let parsed = MessageParser::new()
            .parse(raw)
            .ok_or_else(|| InputError::NoHeaderSection(input.source.clone()))?;
        let root = parsed
            .parts
            .first()
            .ok_or_else(|| InputError::NoHeaderSection(input.source.clone()))?;
        let headers = header::read(raw, root);
        if headers.fields.is_empty() {
            return Err(InputError::NoHeaderSection(input.source.clone()));
        }
        let mime = mime::structure(raw, &parsed, &headers);
        let bulk = mime::bulk_signals(&headers, &mime.parts);
        Ok(Message {
            dsn: mime::dsn(&parsed),
            headers,
            mime,
            bulk,
        })
    }

    pub fn looks_bulk(&self) -> bool {
        !self.bulk.is_empty()
    }
}

/// A message and everything judged about it.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub source: Source,
    /// Bytes read.
    pub size: usize,
    pub line_endings: LineEndings,
    pub message: Message,
    /// One per DKIM-Signature field, topmost first.
    pub dkim: Vec<DkimSignature>,
    pub spf: SpfCheck,
    pub dmarc: DmarcEvaluation,
}

/// Parses the message, verifies its DKIM signatures, runs SPF and evaluates DMARC, with every
/// DNS question asked through `resolver`.
pub async fn analyse(
    resolver: &Resolver,
    input: &Input,
    envelope: &Envelope,
) -> Result<Analysis, InputError> {
    let message = Message::parse(input)?;
    let (dkim, spf) = tokio::join!(
        dkim::verify(resolver, &input.bytes),
        auth::spf(resolver, &message.headers, envelope)
    );
    let dmarc = auth::dmarc(resolver, &message.headers, &spf, &dkim).await;
    Ok(Analysis {
        source: input.source.clone(),
        size: input.size_read,
        line_endings: input.line_endings,
        message,
        dkim,
        spf,
        dmarc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_text_is_bounded_on_a_character_boundary() {
        let short = Raw::new(b"abc");
        assert_eq!(
            (short.text.as_str(), short.len, short.truncated()),
            ("abc", 3, false)
        );
        let mut long = vec![b'a'; MAX_RAW_BYTES - 1];
        long.extend_from_slice("é and more".as_bytes());
        let raw = Raw::new(&long);
        assert!(raw.truncated());
        assert_eq!(raw.text.len(), MAX_RAW_BYTES - 1);
        assert!(!raw.text.contains('\u{fffd}'));
    }
}
