//! An SMTP server on 127.0.0.1 (random port, its own thread and runtime) with faults to inject:
//! slow, missing or junk banners, an endless line, 421 on connect, relay accepted or refused,
//! STARTTLS with a given certificate or broken, "send DATA now" texts. It records every
//! command of every connection, so a test can check what the client sent (never `DATA` or
//! `BDAT`) and how it ended each conversation.

#![allow(dead_code)] // each test binary uses part of this module

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::ServerConfig;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// The name the server gives in its banner and EHLO reply.
pub const HOST: &str = "mx.test.example";

#[derive(Clone)]
pub enum Banner {
    /// `220 mx.test.example ESMTP`
    Normal,
    /// The normal banner after this long.
    Slow(Duration),
    /// Nothing, ever.
    Silent,
    /// A line that is not an SMTP reply.
    Junk,
    /// 1 MiB without a line ending, then silence.
    EndlessLine,
    /// `421` and the connection closed.
    ServiceNotAvailable,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Rcpt {
    /// `554 5.7.1 Relay access denied`
    Refuse,
    /// `250 2.1.5 Ok`
    Accept,
    /// `451 4.3.0 Try again later`
    TempFail,
    /// `354 Go ahead, send DATA now` (a server that skips ahead)
    GoAhead,
}

#[derive(Clone)]
pub enum StartTls {
    /// Not advertised; `502` if asked anyway.
    Off,
    /// Advertised; `220 Ready`, then a handshake with this configuration.
    On(Arc<ServerConfig>),
    /// Advertised; `220 Ready`, then the connection is closed.
    DropAfterReady,
    /// Advertised; `220 Ready`, then nothing (the handshake never happens).
    StallAfterReady,
    /// Advertised; `454 TLS not available`, and the session goes on in plain.
    Refuse,
}

#[derive(Clone)]
pub struct Behaviour {
    pub banner: Banner,
    pub rcpt: Rcpt,
    pub starttls: StartTls,
    /// Append "send DATA now" to the MAIL and RCPT replies and advertise CHUNKING.
    pub data_now: bool,
    /// Refuse EHLO with `500`, so the client falls back to HELO.
    pub refuse_ehlo: bool,
    /// Refuse senders in example.org with `550` (a null-MX domain), accept `<>`.
    pub refuse_example_sender: bool,
    /// Wait this long before every reply after the banner.
    pub reply_delay: Duration,
}

impl Default for Behaviour {
    /// A closed server: normal banner, relay refused, no STARTTLS.
    fn default() -> Self {
        Behaviour {
            banner: Banner::Normal,
            rcpt: Rcpt::Refuse,
            starttls: StartTls::Off,
            data_now: false,
            refuse_ehlo: false,
            refuse_example_sender: false,
            reply_delay: Duration::ZERO,
        }
    }
}

type Log = Arc<Mutex<Vec<Vec<String>>>>;

pub struct TestSmtp {
    pub addr: SocketAddr,
    log: Log,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestSmtp {
    /// Starts serving on a random loopback port; stops when dropped.
    pub fn start(behaviour: Behaviour) -> TestSmtp {
        let log: Log = Arc::default();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let shared = log.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("test runtime");
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("report address");
                let accept = async {
                    loop {
                        let Ok((tcp, _)) = listener.accept().await else {
                            continue;
                        };
                        let conversation = {
                            let mut log = shared.lock().unwrap();
                            log.push(Vec::new());
                            log.len() - 1
                        };
                        let behaviour = behaviour.clone();
                        let log = shared.clone();
                        tokio::spawn(async move {
                            serve(tcp, behaviour, log, conversation).await;
                        });
                    }
                };
                tokio::select! {
                    _ = accept => {}
                    _ = stop_rx => {}
                }
            });
        });
        TestSmtp {
            addr: addr_rx.recv().expect("server address"),
            log,
            _stop: stop_tx,
        }
    }

    /// The commands of each connection, in the order the connections came.
    pub fn conversations(&self) -> Vec<Vec<String>> {
        self.log.lock().unwrap().clone()
    }

    /// Every command received, all connections together.
    pub fn commands(&self) -> Vec<String> {
        self.conversations().concat()
    }

    /// Panics if a client ever sent `DATA` or `BDAT`.
    pub fn assert_no_message_sent(&self) {
        for command in self.commands() {
            let verb = command
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            assert!(
                verb != "DATA" && verb != "BDAT",
                "the client sent {command:?}: {:?}",
                self.conversations()
            );
        }
    }
}

/// Panics unless the conversation ends with `QUIT`, preceded by `RSET` when a transaction
/// (`MAIL FROM`) was opened after the last `RSET`.
pub fn assert_clean_ending(conversation: &[String]) {
    let verbs: Vec<String> = conversation
        .iter()
        .map(|c| {
            c.split([' ', ':'])
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase()
        })
        .collect();
    assert_eq!(
        verbs.last().map(String::as_str),
        Some("QUIT"),
        "{conversation:?}"
    );
    let last_rset = verbs.iter().rposition(|v| v == "RSET");
    let last_mail = verbs.iter().rposition(|v| v == "MAIL");
    if let Some(mail) = last_mail {
        assert!(
            last_rset.is_some_and(|rset| rset > mail && rset == verbs.len() - 2),
            "a transaction was not reset before QUIT: {conversation:?}"
        );
    }
}

async fn serve(mut tcp: TcpStream, behaviour: Behaviour, log: Log, conversation: usize) {
    let banner = format!("220 {HOST} ESMTP fault server\r\n");
    match &behaviour.banner {
        Banner::Normal => {}
        Banner::Slow(delay) => tokio::time::sleep(*delay).await,
        Banner::Silent => {
            hold(tcp).await;
            return;
        }
        Banner::Junk => {
            let _ = tcp.write_all(b"SSH-2.0-OpenSSH_9.6 \xff\xfe\r\n").await;
            hold(tcp).await;
            return;
        }
        Banner::EndlessLine => {
            let _ = tcp.write_all(&vec![b'x'; 1024 * 1024]).await;
            hold(tcp).await;
            return;
        }
        Banner::ServiceNotAvailable => {
            let _ = tcp
                .write_all(b"421 4.3.2 Service not available, closing transmission channel\r\n")
                .await;
            return;
        }
    }
    if tcp.write_all(banner.as_bytes()).await.is_err() {
        return;
    }
    let mut plain = BufReader::new(tcp);
    let record = |command: &str| log.lock().unwrap()[conversation].push(command.to_string());
    if converse(&mut plain, &behaviour, false, &record).await != Next::StartTls {
        return;
    }
    match &behaviour.starttls {
        StartTls::On(config) => {
            let Ok(tls) = TlsAcceptor::from(config.clone())
                .accept(plain.into_inner())
                .await
            else {
                return;
            };
            let mut tls = BufReader::new(tls);
            converse(&mut tls, &behaviour, true, &record).await;
        }
        StartTls::StallAfterReady => hold(plain.into_inner()).await,
        StartTls::DropAfterReady | StartTls::Off | StartTls::Refuse => {}
    }
}

/// Keeps a connection open, saying nothing, until the client goes.
async fn hold(mut tcp: TcpStream) {
    let mut sink = [0u8; 1024];
    while let Ok(n) = tokio::io::AsyncReadExt::read(&mut tcp, &mut sink).await {
        if n == 0 {
            break;
        }
    }
}

#[derive(PartialEq, Eq)]
enum Next {
    Close,
    StartTls,
}

async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut BufReader<S>,
    behaviour: &Behaviour,
    encrypted: bool,
    record: &impl Fn(&str),
) -> Next {
    let data_now = if behaviour.data_now {
        ", send DATA now"
    } else {
        ""
    };
    loop {
        let mut line = String::new();
        match io.read_line(&mut line).await {
            Ok(0) | Err(_) => return Next::Close,
            Ok(_) => {}
        }
        let command = line.trim_end_matches(['\r', '\n']).to_string();
        record(&command);
        let upper = command.to_ascii_uppercase();
        let verb = upper.split([' ', ':']).next().unwrap_or_default();
        let offer_tls = !encrypted && !matches!(behaviour.starttls, StartTls::Off);
        let mut next = None;
        let reply = match verb {
            "EHLO" if behaviour.refuse_ehlo => "500 5.5.1 Command unrecognized\r\n".to_string(),
            "EHLO" => {
                let mut lines = vec![
                    HOST.to_string(),
                    "PIPELINING".into(),
                    "SIZE 10240000".into(),
                ];
                if offer_tls {
                    lines.push("STARTTLS".into());
                }
                if behaviour.data_now {
                    lines.push("CHUNKING".into());
                }
                lines.extend(["8BITMIME".into(), "SMTPUTF8".into()]);
                multiline(250, &lines)
            }
            "HELO" => format!("250 {HOST}\r\n"),
            "STARTTLS" if matches!(behaviour.starttls, StartTls::Refuse) => {
                "454 4.7.0 TLS not available due to local problem\r\n".to_string()
            }
            "STARTTLS" if offer_tls => {
                next = Some(Next::StartTls);
                "220 2.0.0 Ready to start TLS\r\n".to_string()
            }
            "MAIL" if behaviour.refuse_example_sender && upper.contains("@EXAMPLE.ORG>") => {
                "550 5.7.27 Sender address has null MX\r\n".to_string()
            }
            "MAIL" => format!("250 2.1.0 Ok{data_now}\r\n"),
            "RCPT" => match behaviour.rcpt {
                Rcpt::Refuse => format!("554 5.7.1 Relay access denied{data_now}\r\n"),
                Rcpt::Accept => format!("250 2.1.5 Ok{data_now}\r\n"),
                Rcpt::TempFail => "451 4.3.0 Try again later\r\n".to_string(),
                Rcpt::GoAhead => "354 Go ahead, send DATA now\r\n".to_string(),
            },
            "DATA" => "354 End data with <CR><LF>.<CR><LF>\r\n".to_string(),
            "BDAT" => "250 2.0.0 Ok\r\n".to_string(),
            "RSET" | "NOOP" => "250 2.0.0 Ok\r\n".to_string(),
            "QUIT" => {
                next = Some(Next::Close);
                "221 2.0.0 Bye\r\n".to_string()
            }
            _ => "502 5.5.2 Error: command not recognized\r\n".to_string(),
        };
        tokio::time::sleep(behaviour.reply_delay).await;
        if io.get_mut().write_all(reply.as_bytes()).await.is_err() {
            return Next::Close;
        }
        let _ = io.get_mut().flush().await;
        if let Some(next) = next {
            return next;
        }
    }
}

fn multiline(code: u16, lines: &[String]) -> String {
    let last = lines.len() - 1;
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{code}{}{l}\r\n", if i == last { ' ' } else { '-' }))
        .collect()
}
