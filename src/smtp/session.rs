//! One SMTP connection: commands written one at a time, replies read with bounds, every step
//! under the step timeout and the probe's deadline, both sides written to the transcript.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::reply::{MAX_LINE, Reply, ReplyBuilder, ReplyError};
use super::transcript::{Transcript, bounded_text};
use super::{FailureKind, ProbeFailure, Step};

/// How much of what a server sent is kept in a failure's `seen`.
const SEEN_BYTES: usize = 512;

/// The step timeout and the deadline of the whole probe.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    pub(crate) step: Duration,
    pub(crate) deadline: Instant,
}

impl Clock {
    /// Runs `work` within the step timeout, cut short by the deadline.
    async fn bound<T>(
        &self,
        step: Step,
        work: impl Future<Output = Result<T, ProbeFailure>>,
    ) -> Result<T, ProbeFailure> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        let (limit, kind) = if left < self.step {
            (left, FailureKind::Deadline)
        } else {
            (self.step, FailureKind::Timeout)
        };
        tokio::time::timeout(limit, work)
            .await
            .unwrap_or_else(|_| Err(ProbeFailure::new(step, kind, "")))
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

pub(crate) struct Session {
    stream: Stream,
    /// Bytes received and not yet consumed as lines.
    buf: Vec<u8>,
    clock: Clock,
}

impl Session {
    pub(crate) async fn connect(
        addr: SocketAddr,
        clock: Clock,
        transcript: &mut Transcript,
    ) -> Result<Session, ProbeFailure> {
        let tcp = clock
            .bound(Step::Connect, async {
                TcpStream::connect(addr)
                    .await
                    .map_err(|e| ProbeFailure::io(Step::Connect, &e))
            })
            .await?;
        transcript.event(&format!("connected to {addr}"));
        Ok(Session {
            stream: Stream::Plain(tcp),
            buf: Vec::new(),
            clock,
        })
    }

    /// Reads one reply.
    pub(crate) async fn reply(
        &mut self,
        step: Step,
        transcript: &mut Transcript,
    ) -> Result<Reply, ProbeFailure> {
        let clock = self.clock;
        clock.bound(step, self.read_reply(step, transcript)).await
    }

    /// Sends one command and reads its reply.
    pub(crate) async fn command(
        &mut self,
        step: Step,
        command: &str,
        transcript: &mut Transcript,
    ) -> Result<Reply, ProbeFailure> {
        let clock = self.clock;
        clock
            .bound(step, self.send(step, command, transcript))
            .await?;
        self.reply(step, transcript).await
    }

    /// Upgrades the connection after a 220 to STARTTLS. Bytes the server sent after that
    /// reply and before the handshake are dropped, not read as replies (RFC 3207 §4.2,
    /// the response-injection attack).
    pub(crate) async fn start_tls(
        self,
        config: Arc<rustls::ClientConfig>,
        server_name: ServerName<'static>,
        transcript: &mut Transcript,
    ) -> Result<Session, ProbeFailure> {
        let Session { stream, buf, clock } = self;
        let Stream::Plain(tcp) = stream else {
            return Err(ProbeFailure::new(
                Step::TlsHandshake,
                FailureKind::Tls("the connection is already encrypted".into()),
                "",
            ));
        };
        if !buf.is_empty() {
            transcript.event(&format!(
                "dropped {} bytes the server sent before the TLS handshake",
                buf.len()
            ));
        }
        let tls = clock
            .bound(Step::TlsHandshake, async {
                TlsConnector::from(config)
                    .connect(server_name, tcp)
                    .await
                    .map_err(|e| ProbeFailure::io(Step::TlsHandshake, &e))
            })
            .await?;
        Ok(Session {
            stream: Stream::Tls(Box::new(tls)),
            buf: Vec::new(),
            clock,
        })
    }

    /// The TLS connection state, once encrypted.
    pub(crate) fn tls(&self) -> Option<&rustls::ClientConnection> {
        match &self.stream {
            Stream::Plain(_) => None,
            Stream::Tls(tls) => Some(tls.get_ref().1),
        }
    }

    async fn send(
        &mut self,
        step: Step,
        command: &str,
        transcript: &mut Transcript,
    ) -> Result<(), ProbeFailure> {
        if let Some(reason) = refused_command(command) {
            return Err(ProbeFailure::new(
                step,
                FailureKind::NotSent(reason),
                command,
            ));
        }
        transcript.client(command);
        let line = format!("{command}\r\n");
        self.stream
            .write_all(line.as_bytes())
            .await
            .map_err(|e| ProbeFailure::io(step, &e))?;
        self.stream
            .flush()
            .await
            .map_err(|e| ProbeFailure::io(step, &e))
    }

    async fn read_reply(
        &mut self,
        step: Step,
        transcript: &mut Transcript,
    ) -> Result<Reply, ProbeFailure> {
        let mut builder = ReplyBuilder::default();
        loop {
            let raw = self.read_line(step, transcript).await?;
            transcript.server(&raw);
            let line = String::from_utf8_lossy(&raw);
            if let Some(reply) = builder.push(&line).map_err(|e| {
                ProbeFailure::new(step, FailureKind::Reply(e), bounded_text(&raw, SEEN_BYTES))
            })? {
                return Ok(reply);
            }
        }
    }

    /// One line without its ending (CRLF, or a bare LF, which some servers send).
    async fn read_line(
        &mut self,
        step: Step,
        transcript: &mut Transcript,
    ) -> Result<Vec<u8>, ProbeFailure> {
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = self.buf.iter().position(|b| *b == b'\n')
                && end < MAX_LINE
            {
                let mut line: Vec<u8> = self.buf.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buf.len() >= MAX_LINE {
                transcript.server(&self.buf);
                return Err(ProbeFailure::new(
                    step,
                    FailureKind::Reply(ReplyError::LineTooLong { limit: MAX_LINE }),
                    bounded_text(&self.buf, SEEN_BYTES),
                ));
            }
            let n = self
                .stream
                .read(&mut chunk)
                .await
                .map_err(|e| ProbeFailure::io(step, &e))?;
            if n == 0 {
                if !self.buf.is_empty() {
                    transcript.server(&self.buf);
                }
                return Err(ProbeFailure::new(
                    step,
                    FailureKind::Closed,
                    bounded_text(&self.buf, SEEN_BYTES),
                ));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// Why a command must not be sent: deliv never sends a message (no `DATA`, no `BDAT`, whatever
/// the server says or advertises) and never puts two commands on one line.
fn refused_command(command: &str) -> Option<String> {
    let verb = command
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if verb == "DATA" || verb == "BDAT" {
        return Some(format!("deliv never sends {verb}"));
    }
    if command.contains(['\r', '\n']) {
        return Some("a command may not contain a line break".into());
    }
    None
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_data_nor_bdat_nor_two_lines() {
        for cmd in ["DATA", "data", "BDAT 10 LAST", "  Data"] {
            assert!(refused_command(cmd).is_some(), "{cmd}");
        }
        assert!(refused_command("RSET\r\nDATA").is_some());
        for cmd in [
            "RCPT TO:<data@example.net>",
            "MAIL FROM:<>",
            "DATAX",
            "QUIT",
        ] {
            assert!(refused_command(cmd).is_none(), "{cmd}");
        }
    }
}
