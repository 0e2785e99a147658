//! Text from outside (DNS records, blocklist reasons, SMTP replies, headers, log lines) made
//! safe to print on a terminal, visibly.
//!
//! A record can carry escape sequences that recolour or clear the screen, rewrite the window
//! title, or write the clipboard (OSC 52), and characters that hide or reorder text (bidi
//! overrides, zero-width characters). Each such character is shown as an escape instead:
//! `\x1b` for ASCII controls and DEL, `\u{202e}` for the rest, `\t`, `\n` and `\r` by name.
//! What a sequence would have done is then plain to read, and nothing of it runs: an escape
//! sequence needs its ESC (or a C1 control), which never reaches the terminal.
//!
//! Escaped: every control character (Unicode general category Cc: C0, DEL, C1), format
//! characters (Cf: bidi embeddings, overrides and isolates, zero-width joiners and spaces, the
//! byte-order mark, tag characters…), line and paragraph separators (Zl, Zp), code points
//! unassigned in the Unicode data deliv carries (Cn), and every other Default_Ignorable_Code_Point
//! (variation selectors, Hangul fillers), which render as nothing. A backslash is left as it
//! is: the escapes are for reading, not for parsing back.
//!
//! - [`safe`]: for one line (a table cell, a summary): tab and line breaks are escaped too.
//! - [`safe_multiline`]: for text shown as lines (a record's detail, a transcript): `\n`, `\t`
//!   and `\r\n` stay.
//! - [`safe_bytes`]: raw bytes (a TXT string) on one line: bytes that are not UTF-8 show as
//!   `\xNN`.

use std::borrow::Cow;
use std::fmt::Write;

use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};

/// `text` for one line of a terminal: every character that could act on the terminal or hide
/// text, tab and line breaks included, shown as an escape.
pub fn safe(text: &str) -> Cow<'_, str> {
    escape(text, Lines::One)
}

/// `text` for a terminal, keeping its lines and tabs (`\n`, `\t`, and `\r` just before `\n`);
/// everything else [`safe`] escapes is escaped.
pub fn safe_multiline(text: &str) -> Cow<'_, str> {
    escape(text, Lines::Many)
}

/// Raw bytes for one line of a terminal: UTF-8 runs as [`safe`] shows them, other bytes as
/// `\xNN`.
pub fn safe_bytes(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => safe(text),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len());
            for chunk in bytes.utf8_chunks() {
                out.push_str(&safe(chunk.valid()));
                for b in chunk.invalid() {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
            Cow::Owned(out)
        }
    }
}

/// True when `c` is shown as an escape by every function here: it acts on a terminal or does
/// not show.
pub fn is_unsafe(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    matches!(
        category,
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::Unassigned
    ) || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    One,
    Many,
}

fn escape(text: &str, lines: Lines) -> Cow<'_, str> {
    let kept = |c: char, next: Option<char>| {
        lines == Lines::Many && (c == '\n' || c == '\t' || (c == '\r' && next == Some('\n')))
    };
    let mut chars = text.chars().peekable();
    let mut first_unsafe = None;
    let mut offset = 0;
    while let Some(c) = chars.next() {
        if is_unsafe(c) && !kept(c, chars.peek().copied()) {
            first_unsafe = Some(offset);
            break;
        }
        offset += c.len_utf8();
    }
    let Some(start) = first_unsafe else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..start]);
    let mut chars = text[start..].chars().peekable();
    while let Some(c) = chars.next() {
        if !is_unsafe(c) || kept(c, chars.peek().copied()) {
            out.push(c);
            continue;
        }
        let _ = match c {
            '\t' => write!(out, "\\t"),
            '\n' => write!(out, "\\n"),
            '\r' => write!(out, "\\r"),
            c if c.is_ascii() => write!(out, "\\x{:02x}", u32::from(c)),
            c => write!(out, "\\u{{{:x}}}", u32::from(c)),
        };
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        for text in [
            "v=spf1 include:_spf.example.com -all",
            "bücher.example — 日本語 ✔ 😀",
            "C:\\path",
        ] {
            assert!(matches!(safe(text), Cow::Borrowed(_)), "{text}");
        }
        assert!(matches!(safe_multiline("a\n\tb\r\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_are_shown_not_run() {
        for (input, shown) in [
            // CSI: colour, clear screen, cursor movement.
            ("\u{1b}[31mred\u{1b}[0m", "\\x1b[31mred\\x1b[0m"),
            ("\u{1b}[2J\u{1b}[H", "\\x1b[2J\\x1b[H"),
            // OSC 52 clipboard write, BEL- and ST-terminated; OSC 0 window title.
            (
                "\u{1b}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u{7}",
                "\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07",
            ),
            ("\u{1b}]52;c;eA==\u{1b}\\", "\\x1b]52;c;eA==\\x1b\\"),
            ("\u{1b}]0;pwned\u{7}", "\\x1b]0;pwned\\x07"),
            // 8-bit C1 forms: CSI, OSC, ST.
            ("\u{9b}31m\u{9d}0;t\u{9c}", "\\u{9b}31m\\u{9d}0;t\\u{9c}"),
            // Overwriting a line, and DEL.
            ("ok\rFAIL", "ok\\rFAIL"),
            ("a\u{8}b\u{7f}", "a\\x08b\\x7f"),
            ("\0", "\\x00"),
        ] {
            assert_eq!(safe(input), shown, "{input:?}");
        }
    }

    #[test]
    fn characters_that_hide_or_reorder_text_are_shown() {
        for (input, shown) in [
            ("admin\u{202e}txt.exe", "admin\\u{202e}txt.exe"),
            ("\u{2066}a\u{2069}", "\\u{2066}a\\u{2069}"),
            (
                "\u{202a}\u{202b}\u{202c}\u{202d}",
                "\\u{202a}\\u{202b}\\u{202c}\\u{202d}",
            ),
            ("pay\u{200b}pal", "pay\\u{200b}pal"),
            ("pay\u{200d}pal", "pay\\u{200d}pal"),
            ("\u{feff}v=spf1", "\\u{feff}v=spf1"),
            ("soft\u{ad}hyphen", "soft\\u{ad}hyphen"),
            ("line\u{2028}sep", "line\\u{2028}sep"),
            ("tag\u{e0041}", "tag\\u{e0041}"),
            ("x\u{fe0f}", "x\\u{fe0f}"),
            ("\u{3164}", "\\u{3164}"),
            ("\u{10ffff}", "\\u{10ffff}"),
        ] {
            assert_eq!(safe(input), shown, "{input:?}");
        }
    }

    #[test]
    fn one_line_or_many() {
        assert_eq!(safe("a\tb\nc\r\n"), "a\\tb\\nc\\r\\n");
        assert_eq!(safe_multiline("a\tb\nc\r\n"), "a\tb\nc\r\n");
        assert_eq!(safe_multiline("ok\rFAIL\n"), "ok\\rFAIL\n");
        assert_eq!(safe_multiline("250 ok\r\n\u{1b}[2J"), "250 ok\r\n\\x1b[2J");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_shown_as_hex() {
        assert_eq!(safe_bytes(b"v=spf1 -all"), "v=spf1 -all");
        assert_eq!(
            safe_bytes(b"caf\xe9 \x1b[0m \xc3\xa9"),
            "caf\\xe9 \\x1b[0m é"
        );
        assert_eq!(safe_bytes(b"\xff\xfe"), "\\xff\\xfe");
    }
}
