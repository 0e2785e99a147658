//! An HTTPS server on 127.0.0.1 (random port, its own thread and runtime) that answers every
//! request with one configured response: status, content type, body, redirect, delay. It
//! records the request lines it received.

#![allow(dead_code)] // each test binary uses part of this module

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::ServerConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

#[derive(Clone)]
pub enum Body {
    Text(String),
    /// This many bytes of `a`, streamed.
    Huge(usize),
}

#[derive(Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: Body,
    /// Wait this long before answering.
    pub delay: Duration,
}

impl Response {
    /// `200`, `text/plain`, this body.
    pub fn policy(body: &str) -> Response {
        Response {
            status: 200,
            content_type: Some("text/plain".into()),
            location: None,
            body: Body::Text(body.to_string()),
            delay: Duration::ZERO,
        }
    }
}

pub struct TestHttps {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestHttps {
    /// Serves `response` over TLS with `config`; stops when dropped.
    pub fn start(config: Arc<ServerConfig>, response: Response) -> TestHttps {
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let log = requests.clone();
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
                let acceptor = TlsAcceptor::from(config);
                let accept = async {
                    loop {
                        let Ok((tcp, _)) = listener.accept().await else {
                            continue;
                        };
                        let acceptor = acceptor.clone();
                        let response = response.clone();
                        let log = log.clone();
                        tokio::spawn(async move {
                            if let Ok(tls) = acceptor.accept(tcp).await {
                                answer(tls, response, log).await;
                            }
                        });
                    }
                };
                tokio::select! {
                    _ = accept => {}
                    _ = stop_rx => {}
                }
            });
        });
        TestHttps {
            addr: addr_rx.recv().expect("server address"),
            requests,
            _stop: stop_tx,
        }
    }

    /// The request lines received (`GET /path HTTP/1.1`) and their Host headers.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

async fn answer<S>(mut stream: S, response: Response, log: Arc<Mutex<Vec<String>>>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.lines();
    let request = lines.next().unwrap_or_default().to_string();
    let host = lines
        .find_map(|l| {
            l.strip_prefix("host: ")
                .or_else(|| l.strip_prefix("Host: "))
        })
        .unwrap_or_default()
        .to_string();
    log.lock().unwrap().push(format!("{request} host={host}"));

    tokio::time::sleep(response.delay).await;
    let length = match &response.body {
        Body::Text(text) => text.len(),
        Body::Huge(n) => *n,
    };
    let mut out = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {length}\r\nConnection: close\r\n",
        response.status
    );
    if let Some(ct) = &response.content_type {
        out.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if let Some(location) = &response.location {
        out.push_str(&format!("Location: {location}\r\n"));
    }
    out.push_str("\r\n");
    if stream.write_all(out.as_bytes()).await.is_err() {
        return;
    }
    match &response.body {
        Body::Text(text) => {
            let _ = stream.write_all(text.as_bytes()).await;
        }
        Body::Huge(n) => {
            let chunk = vec![b'a'; 16 * 1024];
            let mut left = *n;
            while left > 0 {
                let len = left.min(chunk.len());
                if stream.write_all(&chunk[..len]).await.is_err() {
                    return;
                }
                left -= len;
            }
        }
    }
    let _ = stream.shutdown().await;
}
