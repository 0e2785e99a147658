//! A DNS server on 127.0.0.1 (UDP and TCP on one random port) serving zones, with faults to
//! inject per name and type (timeout, SERVFAIL, REFUSED, truncation), a delay for every
//! answer, and a log of the questions it was asked.

#![allow(dead_code)] // each test binary uses part of this module

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deliv::dns::{Name, RType, Rdata, Zone, ZoneAnswer};
use hickory_resolver::proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, AAAA, CNAME, MX, NS, NULL, PTR, SOA, TXT};
use hickory_resolver::proto::rr::{Name as HName, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Never answer.
    Timeout,
    ServFail,
    Refused,
    /// Over UDP, an empty answer with the TC bit; over TCP, the full answer.
    Truncate,
}

struct Rule {
    name: Name,
    /// `None`: every type.
    rtype: Option<u16>,
    fault: Fault,
}

#[derive(Default)]
struct State {
    zones: Vec<Zone>,
    rules: Vec<Rule>,
    delay: Duration,
    log: Vec<(String, u16)>,
}

pub struct TestDns {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestDns {
    /// Starts serving `zones` on a random loopback port, on its own thread; stops when dropped.
    pub fn start(zones: Vec<Zone>) -> TestDns {
        TestDns::start_at(None, zones)
    }

    /// Like [`TestDns::start`], on `addr` when given (a peer that only speaks to port 53).
    pub fn start_at(addr: Option<SocketAddr>, zones: Vec<Zone>) -> TestDns {
        let state = Arc::new(Mutex::new(State {
            zones,
            ..State::default()
        }));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let shared = state.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("test runtime");
            rt.block_on(async move {
                let (udp, tcp) = match addr {
                    Some(addr) => (
                        UdpSocket::bind(addr).await.expect("bind udp"),
                        TcpListener::bind(addr).await.expect("bind tcp"),
                    ),
                    None => bind_pair().await,
                };
                addr_tx
                    .send(udp.local_addr().expect("udp addr"))
                    .expect("report address");
                tokio::select! {
                    _ = serve_udp(Arc::new(udp), shared.clone()) => {}
                    _ = serve_tcp(tcp, shared) => {}
                    _ = stop_rx => {}
                }
            });
        });
        let addr = addr_rx.recv().expect("server address");
        TestDns {
            addr,
            state,
            _stop: stop_tx,
        }
    }

    /// Serves the zone files under `fixtures/zones/` named here.
    pub fn with_fixture_zones(files: &[&str]) -> TestDns {
        TestDns::start(files.iter().map(|f| fixture_zone(f)).collect())
    }

    pub fn fault(&self, name: &str, rtype: Option<RType>, fault: Fault) -> &Self {
        self.state.lock().unwrap().rules.push(Rule {
            name: Name::parse(name).expect("fault name"),
            rtype: rtype.map(RType::code),
            fault,
        });
        self
    }

    /// Like [`TestDns::fault`], by type code (for types deliv does not name).
    pub fn fault_code(&self, name: &Name, rtype: u16, fault: Fault) {
        self.state.lock().unwrap().rules.push(Rule {
            name: name.clone(),
            rtype: Some(rtype),
            fault,
        });
    }

    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    /// Every question asked so far, as (lower-case name without the dot, type code).
    pub fn queries(&self) -> Vec<(String, u16)> {
        self.state.lock().unwrap().log.clone()
    }

    pub fn clear_log(&self) {
        self.state.lock().unwrap().log.clear();
    }

    /// `--resolver` argument for the binary.
    pub fn resolver_arg(&self) -> String {
        self.addr.to_string()
    }
}

pub fn fixture_zone(file: &str) -> Zone {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/zones")
        .join(file);
    Zone::from_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

async fn bind_pair() -> (UdpSocket, TcpListener) {
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").await.expect("bind udp");
        let port = udp.local_addr().expect("udp addr").port();
        if let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)).await {
            return (udp, tcp);
        }
    }
}

async fn serve_udp(socket: Arc<UdpSocket>, state: Arc<Mutex<State>>) {
    let mut buf = vec![0u8; 4096];
    loop {
        let Ok((len, peer)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let packet = buf[..len].to_vec();
        let socket = socket.clone();
        let state = state.clone();
        tokio::spawn(async move {
            if let Some(reply) = respond(&packet, &state, false).await {
                let _ = socket.send_to(&reply, peer).await;
            }
        });
    }
}

async fn serve_tcp(listener: TcpListener, state: Arc<Mutex<State>>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok(len) = stream.read_u16().await else {
                    return;
                };
                let mut packet = vec![0u8; usize::from(len)];
                if stream.read_exact(&mut packet).await.is_err() {
                    return;
                }
                match respond(&packet, &state, true).await {
                    Some(reply) => {
                        let Ok(len) = u16::try_from(reply.len()) else {
                            return;
                        };
                        if stream.write_u16(len).await.is_err()
                            || stream.write_all(&reply).await.is_err()
                        {
                            return;
                        }
                    }
                    // A timeout: hold the connection open without answering.
                    None => tokio::time::sleep(Duration::from_secs(3600)).await,
                }
            }
        });
    }
}

async fn respond(packet: &[u8], state: &Mutex<State>, tcp: bool) -> Option<Vec<u8>> {
    let request = Message::from_vec(packet).ok()?;
    let query = request.queries.first()?.clone();
    let qname = Name::from_labels(query.name().iter()).ok()?;
    let qtype = u16::from(query.query_type());
    let (fault, delay) = {
        let mut s = state.lock().unwrap();
        s.log.push((qname.as_str().to_string(), qtype));
        let fault = s
            .rules
            .iter()
            .find(|r| r.name == qname && r.rtype.is_none_or(|t| t == qtype))
            .map(|r| r.fault);
        (fault, s.delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut reply = Message::response(request.metadata.id, OpCode::Query);
    reply.metadata.message_type = MessageType::Response;
    reply.metadata.recursion_desired = request.metadata.recursion_desired;
    reply.metadata.recursion_available = true;
    reply.metadata.authoritative = true;
    reply.add_query(query.clone());
    match fault {
        Some(Fault::Timeout) => return None,
        Some(Fault::ServFail) => reply.metadata.response_code = ResponseCode::ServFail,
        Some(Fault::Refused) => reply.metadata.response_code = ResponseCode::Refused,
        Some(Fault::Truncate) if !tcp => reply.metadata.truncation = true,
        Some(Fault::Truncate) | None => {
            let s = state.lock().unwrap();
            answer(&s.zones, &qname, qtype, &mut reply);
        }
    }
    reply.to_vec().ok()
}

fn hname(n: &Name) -> HName {
    let mut h = HName::from_labels(n.labels().map(str::as_bytes)).expect("name");
    h.set_fqdn(true);
    h
}

/// Fills the answer section as an authoritative server would, following CNAMEs.
fn answer(zones: &[Zone], qname: &Name, qtype: u16, reply: &mut Message) {
    let rtype = RType::ALL.into_iter().find(|t| t.code() == qtype);
    let mut current = qname.clone();
    for _ in 0..8 {
        let Some(zone) = zones
            .iter()
            .filter(|z| z.contains(&current))
            .max_by_key(|z| z.apex.label_count())
        else {
            if current == *qname {
                reply.metadata.response_code = ResponseCode::Refused;
            }
            return;
        };
        let Some(rtype) = rtype else {
            // A type no zone models: the name's existence is all there is to tell.
            if zone.answer(&current, RType::Txt) == ZoneAnswer::NxDomain {
                reply.metadata.response_code = ResponseCode::NXDomain;
            }
            return;
        };
        match zone.answer(&current, rtype) {
            ZoneAnswer::Records(records) => {
                for r in records {
                    reply.add_answer(Record::from_rdata(
                        hname(&current),
                        300,
                        to_rdata(&r, rtype),
                    ));
                }
                return;
            }
            ZoneAnswer::Alias(target) => {
                reply.add_answer(Record::from_rdata(
                    hname(&current),
                    300,
                    RData::CNAME(CNAME(hname(&target))),
                ));
                current = target;
            }
            ZoneAnswer::NoData => return,
            ZoneAnswer::NxDomain => {
                reply.metadata.response_code = ResponseCode::NXDomain;
                return;
            }
        }
    }
}

fn to_rdata(r: &Rdata, rtype: RType) -> RData {
    match r {
        Rdata::A(ip) => RData::A(A(*ip)),
        Rdata::Aaaa(ip) => RData::AAAA(AAAA(*ip)),
        Rdata::Cname(n) => RData::CNAME(CNAME(hname(n))),
        Rdata::Ns(n) => RData::NS(NS(hname(n))),
        Rdata::Ptr(n) => RData::PTR(PTR(hname(n))),
        Rdata::Mx {
            preference,
            exchange,
        } => RData::MX(MX::new(*preference, hname(exchange))),
        Rdata::Soa {
            mname,
            rname,
            serial,
        } => RData::SOA(SOA::new(
            hname(mname),
            hname(rname),
            *serial,
            3600,
            600,
            86400,
            300,
        )),
        Rdata::Txt(parts) if rtype == RType::Spf => {
            let mut wire = Vec::new();
            for p in parts {
                wire.push(u8::try_from(p.len()).expect("string of at most 255"));
                wire.extend_from_slice(p);
            }
            RData::Unknown {
                code: RecordType::Unknown(99),
                rdata: NULL::with(wire),
            }
        }
        Rdata::Txt(parts) => RData::TXT(TXT::from_bytes(parts.iter().map(Vec::as_slice).collect())),
    }
}
