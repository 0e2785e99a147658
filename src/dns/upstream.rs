//! Queries to real DNS servers through hickory, with every answer classified.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{
    NameServerConfig, ResolveHosts, ResolverConfig as HickoryConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name as HName, RData, RecordType};
use hickory_resolver::{TokioResolver, system_conf};

use super::{Failure, Name, Outcome, RType, Rdata, ResolverError};

pub(super) struct Upstream {
    resolver: TokioResolver,
    timeout: Duration,
    servers: Vec<IpAddr>,
}

impl Upstream {
    pub(super) fn new(servers: &[SocketAddr], timeout: Duration) -> Result<Self, ResolverError> {
        let config = if servers.is_empty() {
            let (system, _) = system_conf::read_system_conf()
                .map_err(|e| ResolverError::SystemConfig(e.to_string()))?;
            if system.name_servers().is_empty() {
                return Err(ResolverError::NoServers);
            }
            // Only the servers: deliv asks fully qualified names, so search domains never apply.
            HickoryConfig::from_parts(None, Vec::new(), system.name_servers().to_vec())
        } else {
            HickoryConfig::from_parts(
                None,
                Vec::new(),
                servers
                    .iter()
                    .map(|addr| {
                        let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                        for conn in &mut ns.connections {
                            conn.port = addr.port();
                        }
                        ns
                    })
                    .collect(),
            )
        };
        let server_ips = config.name_servers().iter().map(|ns| ns.ip).collect();

        let mut opts = ResolverOpts::default();
        // Two tries inside the per-query budget, so one lost UDP packet is not an error.
        opts.timeout = timeout / 2;
        opts.attempts = 2;
        // The run has its own cache (with in-flight sharing and counters); hickory's would
        // hide repeated questions from it.
        opts.cache_size = 0;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.preserve_intermediates = true;
        opts.edns0 = true;
        let resolver = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
            .with_options(opts)
            .build()
            .map_err(|e| ResolverError::SystemConfig(e.to_string()))?;
        Ok(Upstream {
            resolver,
            timeout,
            servers: server_ips,
        })
    }

    pub(super) fn server_ips(&self) -> Vec<IpAddr> {
        self.servers.clone()
    }

    /// One question to the servers: the CNAME chain seen and the classified outcome.
    pub(super) async fn lookup(&self, name: &Name, rtype: RType) -> (Vec<Name>, Outcome) {
        let Ok(mut query_name) = HName::from_labels(name.labels().map(str::as_bytes)) else {
            return (
                Vec::new(),
                Outcome::Failed(Failure::Other(format!("cannot ask for '{name}'"))),
            );
        };
        query_name.set_fqdn(true);
        let wanted = RecordType::from(rtype.code());
        // The hard bound: hickory's own timeouts apply per attempt and per connection.
        let answer =
            tokio::time::timeout(self.timeout, self.resolver.lookup(query_name, wanted)).await;
        let lookup = match answer {
            Err(_) => return (Vec::new(), Outcome::Failed(Failure::Timeout)),
            Ok(Err(e)) => return (Vec::new(), classify_error(&e)),
            Ok(Ok(lookup)) => lookup,
        };
        let mut aliases = Vec::new();
        let mut records = Vec::new();
        for record in lookup.answers() {
            match (&record.data, rtype) {
                (RData::CNAME(target), _) if rtype != RType::Cname => {
                    aliases.extend(name_of(&target.0));
                }
                (data, _) if record.record_type() == wanted => match convert(data, rtype) {
                    Some(rdata) => records.push(rdata),
                    None => {
                        return (
                            aliases,
                            Outcome::Failed(Failure::Other(format!(
                                "unreadable {rtype} data in the answer"
                            ))),
                        );
                    }
                },
                _ => {}
            }
        }
        if records.is_empty() {
            (aliases, Outcome::NoData)
        } else {
            (aliases, Outcome::Records(records))
        }
    }
}

fn classify_error(error: &NetError) -> Outcome {
    match error {
        NetError::Dns(DnsError::NoRecordsFound(no)) => match no.response_code {
            ResponseCode::NXDomain => Outcome::NxDomain,
            ResponseCode::NoError => Outcome::NoData,
            code => Outcome::Failed(rcode_failure(code)),
        },
        NetError::Dns(DnsError::ResponseCode(code)) => Outcome::Failed(rcode_failure(*code)),
        NetError::Timeout => Outcome::Failed(Failure::Timeout),
        other => Outcome::Failed(Failure::Other(other.to_string())),
    }
}

fn rcode_failure(code: ResponseCode) -> Failure {
    match code {
        ResponseCode::ServFail => Failure::ServFail,
        ResponseCode::Refused => Failure::Refused,
        other => Failure::Other(format!("server answered {other}")),
    }
}

fn name_of(n: &HName) -> Option<Name> {
    Name::from_labels(n.iter()).ok()
}

fn convert(data: &RData, rtype: RType) -> Option<Rdata> {
    Some(match data {
        RData::A(a) => Rdata::A(a.0),
        RData::AAAA(a) => Rdata::Aaaa(a.0),
        RData::CNAME(c) => Rdata::Cname(name_of(&c.0)?),
        RData::NS(n) => Rdata::Ns(name_of(&n.0)?),
        RData::PTR(p) => Rdata::Ptr(name_of(&p.0)?),
        RData::MX(mx) => Rdata::Mx {
            preference: mx.preference,
            exchange: name_of(&mx.exchange)?,
        },
        RData::SOA(soa) => Rdata::Soa {
            mname: name_of(&soa.mname)?,
            rname: name_of(&soa.rname)?,
            serial: soa.serial,
        },
        RData::TXT(txt) => Rdata::Txt(txt.txt_data.iter().map(|s| s.to_vec()).collect()),
        // A TXT record without strings (malformed, but published): hickory reads it as empty.
        RData::Update0(_) if matches!(rtype, RType::Txt | RType::Spf) => Rdata::Txt(Vec::new()),
        // hickory has no SPF type; its data is TXT-shaped (RFC 4408 §3.1.1).
        RData::Unknown { rdata, .. } if rtype == RType::Spf => {
            Rdata::Txt(character_strings(&rdata.anything)?)
        }
        _ => return None,
    })
}

/// Splits RDATA into length-prefixed character-strings (RFC 1035 §3.3).
fn character_strings(mut data: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while let Some((&len, rest)) = data.split_first() {
        let len = usize::from(len);
        if rest.len() < len {
            return None;
        }
        out.push(rest[..len].to_vec());
        data = &rest[len..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_character_strings() {
        assert_eq!(
            character_strings(b"\x03abc\x00\x01d"),
            Some(vec![b"abc".to_vec(), vec![], b"d".to_vec()])
        );
        assert_eq!(character_strings(b"\x05ab"), None);
    }
}
