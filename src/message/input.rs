//! Reading a message: from a file or standard input, bounded, and refused early when it is not
//! an RFC 5322 message at all.
//!
//! Everything here runs before any parsing, so a 50 MiB binary or a header line of a megabyte
//! never reaches the parsers; each refusal is one [`InputError`] with a one-line reason.

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The largest message read: bigger than any provider accepts (Gmail 25 MB, Outlook.com 25 MB
/// after encoding), small enough to hold in memory.
pub const MAX_MESSAGE_BYTES: usize = 50 * 1024 * 1024;

/// The longest physical header line accepted. RFC 5322 §2.1.1 allows 998 characters (longer
/// lines are reported, not refused); past this, the input is not mail anyone could send.
pub const MAX_HEADER_LINE_BYTES: usize = 64 * 1024;

/// How much of the start is inspected for binary content.
const SNIFF_BYTES: usize = 8 * 1024;

/// Where the message came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Path(PathBuf),
    Stdin,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Path(p) => write!(f, "{}", p.display()),
            Source::Stdin => f.write_str("standard input"),
        }
    }
}

/// How lines ended in the input. DKIM hashes CRLF lines; files saved on Unix often hold bare
/// LF, which verifiers (OpenDKIM's and dkimpy's tools among them) turn into CRLF before
/// verifying, and so does [`Input`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEndings {
    Crlf,
    /// Every line ended in a bare LF; converted to CRLF.
    Lf,
    /// Some lines ended in CRLF and some in a bare LF; the bare ones were converted.
    Mixed,
}

/// Why the input is not a message deliv can read. One line each, for stderr (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{0}: no such file; give the path of a saved message (.eml), or - for standard input")]
    NotFound(PathBuf),
    #[error("{path}: cannot be read ({reason})")]
    Unreadable { path: String, reason: String },
    #[error(
        "{input} is larger than {limit} bytes (50 MiB): not a single message; save one message (\"show original\") and pass that"
    )]
    TooLarge { input: Source, limit: usize },
    #[error(
        "{0} is empty: expected a message with its headers (\"show original\" in the mail client)"
    )]
    Empty(Source),
    #[error(
        "{input} is binary data (a control byte at offset {offset}), not a message; save the message as text (.eml)"
    )]
    Binary { input: Source, offset: usize },
    #[error(
        "{0} has no header section: the first line is not a header field (Name: value); pass the raw message with its headers, not the body alone"
    )]
    NoHeaderSection(Source),
    #[error(
        "{input}: header line {line} is {length} bytes long (at most {max} are read); this is not a message a mail server would accept"
    )]
    HeaderLineTooLong {
        input: Source,
        line: usize,
        length: usize,
        max: usize,
    },
}

/// A message read and checked: its bytes with CRLF line endings, ready to parse.
#[derive(Debug, Clone)]
pub struct Input {
    pub source: Source,
    /// The message, from its first header field on, with CRLF line endings.
    pub bytes: Vec<u8>,
    /// The size as read, before any conversion.
    pub size_read: usize,
    pub line_endings: LineEndings,
    /// An mbox `From ` separator line stood before the first header and was dropped.
    pub mbox_line: bool,
}

impl Input {
    /// Reads a file, or standard input for [`Source::Stdin`], at most [`MAX_MESSAGE_BYTES`].
    pub fn read(source: Source) -> Result<Input, InputError> {
        let bytes = match &source {
            Source::Path(path) => read_file(path)?,
            Source::Stdin => read_bounded(io::stdin().lock(), MAX_MESSAGE_BYTES)
                .map_err(|e| unreadable(&source, &e))?
                .ok_or_else(|| InputError::TooLarge {
                    input: source.clone(),
                    limit: MAX_MESSAGE_BYTES,
                })?,
        };
        Input::from_bytes(source, bytes)
    }

    /// Checks bytes already read (and at most [`MAX_MESSAGE_BYTES`] long).
    pub fn from_bytes(source: Source, bytes: Vec<u8>) -> Result<Input, InputError> {
        let size_read = bytes.len();
        if size_read > MAX_MESSAGE_BYTES {
            return Err(InputError::TooLarge {
                input: source,
                limit: MAX_MESSAGE_BYTES,
            });
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(InputError::Empty(source));
        }
        let sniff = &bytes[..bytes.len().min(SNIFF_BYTES)];
        if let Some(offset) = sniff.iter().position(|&b| b == 0) {
            return Err(InputError::Binary {
                input: source,
                offset,
            });
        }
        // mbox files put a `From sender date` line before each message; a message saved out
        // of one often keeps it.
        let mbox_line = bytes.starts_with(b"From ");
        let start = if mbox_line {
            bytes
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| i + 1)
        } else {
            0
        };
        check_header_section(&source, &bytes, start, if mbox_line { 2 } else { 1 })?;
        let (bytes, line_endings) = to_crlf(bytes.get(start..).unwrap_or_default());
        Ok(Input {
            source,
            bytes,
            size_read,
            line_endings,
            mbox_line,
        })
    }
}

fn unreadable(source: &Source, e: &io::Error) -> InputError {
    InputError::Unreadable {
        path: source.to_string(),
        reason: e.to_string(),
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, InputError> {
    let source = Source::Path(path.to_path_buf());
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => InputError::NotFound(path.to_path_buf()),
        _ => unreadable(&source, &e),
    })?;
    let too_large = || InputError::TooLarge {
        input: source.clone(),
        limit: MAX_MESSAGE_BYTES,
    };
    // The size from the file system saves reading 50 MiB to learn it is too much; the
    // bounded read still decides, since the file may grow or be a pipe.
    let meta = file.metadata().map_err(|e| unreadable(&source, &e))?;
    if meta.is_dir() {
        return Err(InputError::Unreadable {
            path: source.to_string(),
            reason: "it is a directory".into(),
        });
    }
    if meta.len() > MAX_MESSAGE_BYTES as u64 {
        return Err(too_large());
    }
    read_bounded(file, MAX_MESSAGE_BYTES)
        .map_err(|e| unreadable(&source, &e))?
        .ok_or_else(too_large)
}

/// Reads at most `limit` bytes; `None` when there is more.
pub fn read_bounded(reader: impl Read, limit: usize) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}

/// The header section: a first line that is a header field, no line longer than
/// [`MAX_HEADER_LINE_BYTES`], no NUL byte.
fn check_header_section(
    source: &Source,
    bytes: &[u8],
    start: usize,
    first_line: usize,
) -> Result<(), InputError> {
    let mut offset = start;
    for (i, raw_line) in bytes
        .get(start..)
        .unwrap_or_default()
        .split(|&b| b == b'\n')
        .enumerate()
    {
        let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        if line.len() > MAX_HEADER_LINE_BYTES {
            return Err(InputError::HeaderLineTooLong {
                input: source.clone(),
                line: i + first_line,
                length: line.len(),
                max: MAX_HEADER_LINE_BYTES,
            });
        }
        if i == 0 && !is_field_start(line) {
            return Err(InputError::NoHeaderSection(source.clone()));
        }
        if line.is_empty() {
            break;
        }
        // Other control characters are invalid in a header too, but real mail carries them
        // (raw ISO-2022-JP subjects hold ESC); they are kept, and shown escaped.
        if let Some(pos) = line.iter().position(|&b| b == 0) {
            return Err(InputError::Binary {
                input: source.clone(),
                offset: offset + pos,
            });
        }
        offset += raw_line.len() + 1;
    }
    Ok(())
}

/// `Name:` with a field name of printable US-ASCII other than the colon (RFC 5322 §3.6.8).
pub(crate) fn is_field_start(line: &[u8]) -> bool {
    match line.iter().position(|&b| b == b':') {
        Some(colon) if colon > 0 => line[..colon].iter().all(|&b| (0x21..0x7f).contains(&b)),
        _ => false,
    }
}

fn to_crlf(message: &[u8]) -> (Vec<u8>, LineEndings) {
    let lf = message.iter().filter(|&&b| b == b'\n').count();
    let crlf = message.windows(2).filter(|w| w == b"\r\n").count();
    if lf == crlf {
        return (message.to_vec(), LineEndings::Crlf);
    }
    let mut out = Vec::with_capacity(message.len() + (lf - crlf));
    let mut previous = 0u8;
    for &b in message {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    let endings = if crlf == 0 {
        LineEndings::Lf
    } else {
        LineEndings::Mixed
    };
    (out, endings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8]) -> Result<Input, InputError> {
        Input::from_bytes(Source::Stdin, bytes.to_vec())
    }

    #[test]
    fn refuses_what_is_not_a_message() {
        assert!(matches!(check(b""), Err(InputError::Empty(_))));
        assert!(matches!(check(b"\r\n \n"), Err(InputError::Empty(_))));
        assert!(matches!(
            check(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(InputError::Binary { offset: 8, .. })
        ));
        let late_nul = [
            b"Subject: a\r\nX-Pad: ".to_vec(),
            vec![b'p'; 9000],
            b"\0\r\n\r\n".to_vec(),
        ]
        .concat();
        assert!(matches!(
            check(&late_nul),
            Err(InputError::Binary { offset: 9019, .. })
        ));
        // An escape sequence (raw ISO-2022-JP) is kept for the renderer to show escaped.
        assert!(check(b"Subject: \x1b$B$3$s\x1b(B\r\n\r\nbody\r\n").is_ok());
        assert!(matches!(
            check(b"Hello,\r\nthis is only a body.\r\n"),
            Err(InputError::NoHeaderSection(_))
        ));
        assert!(matches!(
            check(b": no name\r\n\r\n"),
            Err(InputError::NoHeaderSection(_))
        ));
        let long = format!(
            "Subject: {}\r\n\r\nbody\r\n",
            "x".repeat(MAX_HEADER_LINE_BYTES)
        );
        let err = check(long.as_bytes()).unwrap_err();
        assert!(matches!(err, InputError::HeaderLineTooLong { line: 1, .. }));
        assert!(
            err.to_string().contains("header line 1 is 65545 bytes"),
            "{err}"
        );
    }

    #[test]
    fn long_body_lines_and_control_bytes_in_the_body_are_not_header_problems() {
        let body = format!(
            "Subject: a\r\n\r\n{}\x07\r\n",
            "y".repeat(MAX_HEADER_LINE_BYTES + 1)
        );
        assert!(check(body.as_bytes()).is_ok());
    }

    #[test]
    fn line_endings_become_crlf() {
        let input = check(b"Subject: a\nFrom: b@example.com\n\nbody\n").unwrap();
        assert_eq!(input.line_endings, LineEndings::Lf);
        assert_eq!(
            input.bytes,
            b"Subject: a\r\nFrom: b@example.com\r\n\r\nbody\r\n"
        );
        let input = check(b"Subject: a\r\n\nbody\r\n").unwrap();
        assert_eq!(input.line_endings, LineEndings::Mixed);
        assert_eq!(input.bytes, b"Subject: a\r\n\r\nbody\r\n");
        let input = check(b"Subject: a\r\n\r\n").unwrap();
        assert_eq!(input.line_endings, LineEndings::Crlf);
    }

    #[test]
    fn an_mbox_separator_is_dropped() {
        let input =
            check(b"From alice@example.com Thu Jan  1 00:00:00 2025\nSubject: a\n\nb\n").unwrap();
        assert!(input.mbox_line);
        assert!(input.bytes.starts_with(b"Subject: a\r\n"));
    }

    #[test]
    fn reads_are_bounded() {
        let data = [b'a'; 100];
        assert_eq!(
            read_bounded(&data[..], 100).unwrap().map(|v| v.len()),
            Some(100)
        );
        assert_eq!(read_bounded(&data[..], 99).unwrap(), None);
    }

    #[test]
    fn files_too_large_or_missing() {
        let dir = std::env::temp_dir().join(format!("deliv-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.eml");
        let file = std::fs::File::create(&big).unwrap();
        // A sparse file: the size is real, the disk is not used.
        file.set_len(MAX_MESSAGE_BYTES as u64 + 1).unwrap();
        let err = Input::read(Source::Path(big.clone())).unwrap_err();
        assert!(matches!(err, InputError::TooLarge { .. }), "{err}");
        assert!(err.to_string().contains("50 MiB"));
        let missing = dir.join("missing.eml");
        let err = Input::read(Source::Path(missing)).unwrap_err();
        assert!(matches!(err, InputError::NotFound(_)), "{err}");
        let err = Input::read(Source::Path(dir.clone())).unwrap_err();
        assert!(err.to_string().contains("directory"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
