//! Both sides of a conversation, kept as evidence: what was sent, what came back, and the
//! events between (TLS set up, reconnection). Bounded in lines and bytes; bytes that are not
//! UTF-8 stay visible as replacement characters.

use serde::Serialize;

/// The most lines kept.
pub const MAX_LINES: usize = 400;
/// The most bytes of one line kept; the rest is counted, not kept.
pub const MAX_LINE_BYTES: usize = 1024;
/// The most bytes kept in all.
pub const MAX_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Sent by deliv.
    Client,
    /// Received from the server.
    Server,
    /// Something that happened on the connection (connected, TLS, closed).
    Event,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub direction: Direction,
    /// Without the line ending; cut at [`MAX_LINE_BYTES`] with a note of what was left out.
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Transcript {
    pub lines: Vec<Line>,
    /// Lines left out once a bound was reached.
    pub omitted: usize,
    #[serde(skip)]
    bytes: usize,
}

impl Transcript {
    pub(crate) fn client(&mut self, text: &str) {
        self.push(Direction::Client, text.as_bytes());
    }

    pub(crate) fn server(&mut self, raw: &[u8]) {
        self.push(Direction::Server, raw);
    }

    pub(crate) fn event(&mut self, text: &str) {
        self.push(Direction::Event, text.as_bytes());
    }

    /// The commands deliv sent, in order.
    pub fn commands(&self) -> impl Iterator<Item = &str> {
        self.lines
            .iter()
            .filter(|l| l.direction == Direction::Client)
            .map(|l| l.text.as_str())
    }

    fn push(&mut self, direction: Direction, raw: &[u8]) {
        if self.lines.len() >= MAX_LINES || self.bytes >= MAX_BYTES {
            self.omitted += 1;
            return;
        }
        let text = bounded_text(raw, MAX_LINE_BYTES);
        self.bytes += text.len();
        self.lines.push(Line { direction, text });
    }
}

/// At most `limit` bytes of `raw` as text (lossy UTF-8), with a note of the bytes left out.
pub fn bounded_text(raw: &[u8], limit: usize) -> String {
    let mut text = String::from_utf8_lossy(&raw[..raw.len().min(limit)]).into_owned();
    if raw.len() > limit {
        text.push_str(&format!(" … ({} more bytes)", raw.len() - limit));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_both_sides_in_order() {
        let mut t = Transcript::default();
        t.server(b"220 mx.example.com ESMTP");
        t.client("EHLO probe.example");
        t.event("TLS set up");
        let dirs: Vec<Direction> = t.lines.iter().map(|l| l.direction).collect();
        assert_eq!(
            dirs,
            [Direction::Server, Direction::Client, Direction::Event]
        );
        assert_eq!(t.commands().collect::<Vec<_>>(), ["EHLO probe.example"]);
    }

    #[test]
    fn binary_and_long_lines_stay_visible_and_bounded() {
        let mut t = Transcript::default();
        t.server(b"220 \xff\xfe ok");
        assert_eq!(t.lines[0].text, "220 \u{fffd}\u{fffd} ok");
        t.server(&vec![b'x'; 5000]);
        assert!(t.lines[1].text.ends_with(" … (3976 more bytes)"));
        assert!(t.lines[1].text.len() < 1100);
    }

    #[test]
    fn stops_keeping_lines_past_the_bounds() {
        let mut t = Transcript::default();
        for _ in 0..MAX_LINES + 5 {
            t.client("NOOP");
        }
        assert_eq!(t.lines.len(), MAX_LINES);
        assert_eq!(t.omitted, 5);
    }
}
