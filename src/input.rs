//! Bounded reading of files given on the command line (zone files now; messages and logs
//! later).
//!
//! Every read stops at a size limit instead of growing with its input, so `/dev/zero`, a FIFO
//! that never ends or a file the size of a disk cannot exhaust memory: past the limit the input
//! is refused, never truncated (a truncated zone or message would give wrong verdicts).
//! [`read_text`] also refuses binary input as soon as it shows, with the line it is on, rather
//! than after reading up to the limit.
//!
//! - [`read_bytes`]: any content (a message may hold 8-bit MIME parts), at most `limit` bytes.
//! - [`read_text`]: UTF-8 text without NUL, control characters other than tab, CR and LF, or
//!   DEL; a leading byte-order mark is dropped.
//! - [`check_text`]: the same test for text already in memory.
//! - [`read_bounded`]: the bytes of any reader (standard input, a socket), at most `limit`.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// How much is read at a time; binary input is refused after at most this much.
const CHUNK: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{}: cannot read it: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: larger than {}; give a smaller file", path.display(), size(*limit))]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{}:{}: {}: this is not a text file", path.display(), error.line, error)]
    NotText { path: PathBuf, error: TextError },
}

/// Where text input stops being text: a 1-based line and column (in characters) and what is
/// there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    pub line: usize,
    pub column: usize,
    pub found: NotText,
}

/// What makes input binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotText {
    Nul,
    /// A C0 control character other than tab, CR and LF, or DEL.
    Control(u8),
    /// Bytes that are not UTF-8.
    InvalidUtf8,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.found {
            NotText::Nul => write!(f, "a NUL byte at column {}", self.column),
            NotText::Control(b) => {
                write!(f, "control character \\x{b:02x} at column {}", self.column)
            }
            NotText::InvalidUtf8 => {
                write!(f, "bytes that are not UTF-8 at column {}", self.column)
            }
        }
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads at most `limit` bytes from any reader; more is [`InputError::TooLarge`]. `path` names
/// the input in errors.
pub fn read_bounded(reader: impl Read, limit: u64, path: &Path) -> Result<Vec<u8>, InputError> {
    let mut buf = Vec::new();
    read_chunks(reader, limit, path, &mut buf, |_| Ok(()))?;
    Ok(buf)
}

/// The bytes of the file at `path`, at most `limit` of them.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    read_bounded(open(path)?, limit, path)
}

/// The file at `path` as text, at most `limit` bytes; binary content is refused as soon as it
/// is read, with its line.
pub fn read_text(path: &Path, limit: u64) -> Result<String, InputError> {
    let mut buf = Vec::new();
    // Bytes before `checked` are known to be text; a UTF-8 sequence cut by a chunk boundary
    // waits for the next chunk.
    let mut checked = 0;
    read_chunks(open(path)?, limit, path, &mut buf, |buf| {
        let (good, complete) = match std::str::from_utf8(&buf[checked..]) {
            Ok(_) => (buf.len(), true),
            Err(e) if e.error_len().is_none() => (checked + e.valid_up_to(), false),
            Err(e) => (checked + e.valid_up_to(), true),
        };
        if let Some(offset) = first_control(&buf[checked..good]) {
            return Err(not_text(buf, checked + offset, path));
        }
        if complete && good < buf.len() {
            return Err(not_text(buf, good, path));
        }
        checked = good;
        Ok(())
    })?;
    if checked < buf.len() {
        // The input ended inside a UTF-8 sequence.
        return Err(not_text(&buf, checked, path));
    }
    let text = String::from_utf8(buf).map_err(|e| not_text(e.as_bytes(), 0, path))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Checks text already in memory by the rules of [`read_text`].
pub fn check_text(text: &str) -> Result<(), TextError> {
    match first_control(text.as_bytes()) {
        Some(offset) => Err(text_error(text.as_bytes(), offset)),
        None => Ok(()),
    }
}

fn open(path: &Path) -> Result<std::fs::File, InputError> {
    std::fs::File::open(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Appends the reader's bytes to `buf` a chunk at a time, calling `check` after each, and
/// stops with [`InputError::TooLarge`] once more than `limit` bytes arrive.
fn read_chunks(
    reader: impl Read,
    limit: u64,
    path: &Path,
    buf: &mut Vec<u8>,
    mut check: impl FnMut(&[u8]) -> Result<(), InputError>,
) -> Result<(), InputError> {
    let mut reader = reader.take(limit.saturating_add(1));
    let mut chunk = vec![0; CHUNK];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(InputError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() as u64 > limit {
            return Err(InputError::TooLarge {
                path: path.to_path_buf(),
                limit,
            });
        }
        check(buf)?;
    }
}

/// The offset of the first byte that text may not hold: NUL, C0 controls but tab, LF and CR,
/// and DEL. Bytes of multi-byte UTF-8 sequences are all 0x80 or above, so a byte scan is exact.
fn first_control(bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .position(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
}

fn not_text(bytes: &[u8], offset: usize, path: &Path) -> InputError {
    InputError::NotText {
        path: path.to_path_buf(),
        error: text_error(bytes, offset),
    }
}

/// Describes the byte at `offset`, with its line and column.
fn text_error(bytes: &[u8], offset: usize) -> TextError {
    let before = &bytes[..offset.min(bytes.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let found = match bytes.get(offset) {
        Some(0) => NotText::Nul,
        Some(&b) if b < 0x80 => NotText::Control(b),
        _ => NotText::InvalidUtf8,
    };
    TextError {
        line: before.iter().filter(|&&b| b == b'\n').count() + 1,
        column: String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1,
        found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn temp(name: &str, bytes: &[u8]) -> PathBuf {
        let path = std::env::temp_dir().join(format!("deliv-input-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn not_text_at(path: &Path) -> (usize, usize, NotText) {
        match read_text(path, 1 << 20) {
            Err(InputError::NotText { error, .. }) => (error.line, error.column, error.found),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_text_and_drops_a_byte_order_mark() {
        let path = temp("bom", "\u{feff}a\tb\r\nc é\n".as_bytes());
        assert_eq!(read_text(&path, 100).unwrap(), "a\tb\r\nc é\n");
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn refuses_binary_with_its_line_and_column() {
        for (name, bytes, expected) in [
            ("nul", &b"ok\nab\0c\n"[..], (2, 3, NotText::Nul)),
            (
                "esc",
                b"one\ntwo\nx\x1b[31m\n",
                (3, 2, NotText::Control(0x1b)),
            ),
            ("del", b"\x7f", (1, 1, NotText::Control(0x7f))),
            ("latin1", b"caf\xe9\n", (1, 4, NotText::InvalidUtf8)),
            ("cut", b"ok\n\xc3", (2, 1, NotText::InvalidUtf8)),
            (
                "after-utf8",
                "é\u{1}".as_bytes(),
                (1, 2, NotText::Control(1)),
            ),
        ] {
            let path = temp(name, bytes);
            assert_eq!(not_text_at(&path), expected, "{name}");
            std::fs::remove_file(path).unwrap();
        }
    }

    #[test]
    fn a_utf8_sequence_split_across_chunks_is_text() {
        let mut text = "a".repeat(CHUNK - 1);
        text.push('é');
        text.push_str("\nend\n");
        let path = temp("split", text.as_bytes());
        assert_eq!(read_text(&path, 1 << 20).unwrap(), text);
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn stops_at_the_limit() {
        let path = temp("big", &[b'a'; 1000]);
        assert!(read_text(&path, 1000).is_ok());
        assert!(matches!(
            read_text(&path, 999),
            Err(InputError::TooLarge { limit: 999, .. })
        ));
        assert!(matches!(
            read_bytes(&path, 10),
            Err(InputError::TooLarge { .. })
        ));
        std::fs::remove_file(path).unwrap();
        let missing = read_text(Path::new("/nonexistent/zone"), 10).unwrap_err();
        assert!(
            missing
                .to_string()
                .starts_with("/nonexistent/zone: cannot read it:")
        );
    }

    #[test]
    fn dev_zero_is_refused_at_once() {
        let path = Path::new("/dev/zero");
        assert_eq!(not_text_at(path), (1, 1, NotText::Nul));
        // As bytes, it is cut off at the limit rather than read forever.
        assert!(matches!(
            read_bytes(path, 1 << 20),
            Err(InputError::TooLarge { .. })
        ));
    }

    #[test]
    fn an_endless_fifo_is_cut_off_at_the_limit() {
        let path = std::env::temp_dir().join(format!("deliv-input-{}-fifo", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let writer_path = path.clone();
        let writer = std::thread::spawn(move || {
            let mut fifo = std::fs::OpenOptions::new()
                .write(true)
                .open(&writer_path)
                .unwrap();
            let line = b"www 300 IN TXT \"endless\"\n".repeat(100);
            // Stops when the reader closes its end (EPIPE).
            while fifo.write_all(&line).is_ok() {}
        });
        let result = read_text(&path, 1 << 20);
        assert!(
            matches!(result, Err(InputError::TooLarge { .. })),
            "{result:?}"
        );
        writer.join().unwrap();
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn checks_text_in_memory() {
        assert_eq!(check_text("a\tb\r\n"), Ok(()));
        assert_eq!(
            check_text("line\nx\u{7}"),
            Err(TextError {
                line: 2,
                column: 2,
                found: NotText::Control(7)
            })
        );
        assert_eq!(
            check_text("éé\0").unwrap_err().to_string(),
            "a NUL byte at column 3"
        );
    }
}
