//! The one way deliv talks to DNS.
//!
//! Every answer is classified ([`Outcome`]): records, NODATA, NXDOMAIN, or a failure that
//! checks must report as `error`, never as "missing". One [`Resolver`] serves a whole run:
//! it asks each (name, type) once, lets concurrent askers share the query in flight, answers
//! names under `--zone` files from those files, and refuses the network under `--offline`.

mod name;
mod record;
mod upstream;
pub mod zone;

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde::Serialize;
use tokio::sync::{OnceCell, Semaphore};

pub use name::{MAX_LABEL_LEN, MAX_NAME_LEN, Name, NameError};
pub use record::{RType, Rdata};
pub use zone::{Zone, ZoneAnswer, ZoneError};

/// How a lookup ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Records(Vec<Rdata>),
    /// The name exists but has no records of this type.
    NoData,
    NxDomain,
    Failed(Failure),
}

/// A lookup that gave no answer. Checks turn these into `error`, never into a verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    Timeout,
    ServFail,
    Refused,
    /// `--offline` and the name is outside every `--zone`.
    Offline,
    Other(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Timeout => f.write_str("timeout"),
            Failure::ServFail => f.write_str("SERVFAIL"),
            Failure::Refused => f.write_str("REFUSED"),
            Failure::Offline => {
                f.write_str("not looked up (--offline, and no --zone holds the name)")
            }
            Failure::Other(msg) => f.write_str(msg),
        }
    }
}

/// Where an answer came from, for the evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Dns,
    Zone,
    None,
}

/// One answered question: the name and type asked, the aliases followed, and the outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    pub name: Name,
    pub rtype: RType,
    /// CNAME targets followed from `name`, in order.
    pub aliases: Vec<Name>,
    pub outcome: Outcome,
    pub source: Source,
}

impl Lookup {
    /// A question that cannot be asked (a name over the length limits): a failed lookup, so
    /// the check that needed it reports `error`.
    pub fn unaskable(rtype: RType, why: String) -> Arc<Lookup> {
        Arc::new(Lookup {
            name: Name::root(),
            rtype,
            aliases: Vec::new(),
            outcome: Outcome::Failed(Failure::Other(why)),
            source: Source::None,
        })
    }

    pub fn records(&self) -> &[Rdata] {
        match &self.outcome {
            Outcome::Records(r) => r,
            _ => &[],
        }
    }

    pub fn failure(&self) -> Option<&Failure> {
        match &self.outcome {
            Outcome::Failed(f) => Some(f),
            _ => None,
        }
    }

    /// NODATA or NXDOMAIN: a definite "nothing here".
    pub fn is_empty_answer(&self) -> bool {
        matches!(self.outcome, Outcome::NoData | Outcome::NxDomain)
    }

    /// Address records (A or AAAA) in the answer.
    pub fn addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.records().iter().filter_map(|r| match r {
            Rdata::A(ip) => Some(IpAddr::V4(*ip)),
            Rdata::Aaaa(ip) => Some(IpAddr::V6(*ip)),
            _ => None,
        })
    }

    /// Each TXT record with its strings joined.
    pub fn txt_records(&self) -> impl Iterator<Item = Vec<u8>> + '_ {
        self.records().iter().filter_map(Rdata::txt_joined)
    }
}

/// Counters for `--stats`.
#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    /// Distinct (name, type) questions answered.
    pub queries: u64,
    /// Of those, how many went to a DNS server.
    pub network_queries: u64,
    /// Of those, how many a `--zone` file answered.
    pub zone_answers: u64,
    /// Questions asked again in the run, answered from the cache or a query already in flight.
    pub cache_hits: u64,
    pub wall_time_ms: u64,
}

#[derive(Debug, Clone)]
pub struct ResolverConfig {
    /// Servers to ask; empty means the system's resolver configuration.
    pub servers: Vec<SocketAddr>,
    /// Per query.
    pub timeout: Duration,
    pub zones: Vec<Zone>,
    pub offline: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ResolverError {
    #[error(
        "cannot read the system resolver configuration ({0}); pass --resolver IP or use --offline with --zone"
    )]
    SystemConfig(String),
    #[error("the system resolver configuration lists no name servers; pass --resolver IP")]
    NoServers,
}

/// Most CNAME hops followed inside zone files before giving up (loops, runaway chains).
const MAX_ALIAS_HOPS: usize = 8;
/// Network queries in flight at once; keeps bursts (blocklists, selector discovery) polite.
const MAX_IN_FLIGHT: usize = 32;

type Key = (Name, RType);

pub struct Resolver {
    upstream: Option<upstream::Upstream>,
    zones: Vec<Zone>,
    servers: Vec<IpAddr>,
    cache: Mutex<HashMap<Key, Arc<OnceCell<Arc<Lookup>>>>>,
    in_flight: Semaphore,
    network_queries: AtomicU64,
    zone_answers: AtomicU64,
    cache_hits: AtomicU64,
    started: Instant,
}

impl Resolver {
    pub fn new(config: ResolverConfig) -> Result<Resolver, ResolverError> {
        let (upstream, servers) = if config.offline {
            (None, Vec::new())
        } else {
            let up = upstream::Upstream::new(&config.servers, config.timeout)?;
            let servers = up.server_ips();
            (Some(up), servers)
        };
        Ok(Resolver {
            upstream,
            zones: config.zones,
            servers,
            cache: Mutex::new(HashMap::new()),
            in_flight: Semaphore::new(MAX_IN_FLIGHT),
            network_queries: AtomicU64::new(0),
            zone_answers: AtomicU64::new(0),
            cache_hits: AtomicU64::new(0),
            started: Instant::now(),
        })
    }

    /// The addresses of the DNS servers this run asks (empty under `--offline`).
    pub fn servers(&self) -> &[IpAddr] {
        &self.servers
    }

    /// Asks once per run; concurrent askers of the same question share one query.
    pub async fn query(&self, name: &Name, rtype: RType) -> Arc<Lookup> {
        let cell = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            match cache.get(&(name.clone(), rtype)) {
                Some(cell) => {
                    self.cache_hits.fetch_add(1, Ordering::Relaxed);
                    cell.clone()
                }
                None => {
                    let cell = Arc::new(OnceCell::new());
                    cache.insert((name.clone(), rtype), cell.clone());
                    cell
                }
            }
        };
        cell.get_or_init(|| async { Arc::new(self.resolve(name.clone(), rtype).await) })
            .await
            .clone()
    }

    /// Asks several questions at once.
    pub async fn query_all(&self, questions: &[(Name, RType)]) -> Vec<Arc<Lookup>> {
        join_all(questions.iter().map(|(n, t)| self.query(n, *t))).await
    }

    /// Answers one question without the cache. Aliases inside zone files are followed here;
    /// an alias leaving the zones is asked through the cache, like any other name.
    async fn resolve(&self, name: Name, rtype: RType) -> Lookup {
        let mut aliases: Vec<Name> = Vec::new();
        let mut current = name.clone();
        // RRsets have no order; servers rotate them. Sorting makes every report reproducible.
        let done = |aliases, mut outcome, source| {
            if let Outcome::Records(records) = &mut outcome {
                records.sort();
            }
            Lookup {
                name: name.clone(),
                rtype,
                aliases,
                outcome,
                source,
            }
        };
        loop {
            let zone = self
                .zones
                .iter()
                .filter(|z| z.contains(&current))
                .max_by_key(|z| z.apex.label_count());
            let Some(zone) = zone else {
                if !aliases.is_empty() {
                    let next = Box::pin(self.query(&current, rtype)).await;
                    aliases.extend(next.aliases.iter().cloned());
                    return done(aliases, next.outcome.clone(), Source::Zone);
                }
                let Some(up) = &self.upstream else {
                    return done(aliases, Outcome::Failed(Failure::Offline), Source::None);
                };
                let _permit = self.in_flight.acquire().await;
                self.network_queries.fetch_add(1, Ordering::Relaxed);
                let (aliases, outcome) = up.lookup(&name, rtype).await;
                return done(aliases, outcome, Source::Dns);
            };
            if aliases.is_empty() {
                self.zone_answers.fetch_add(1, Ordering::Relaxed);
            }
            let outcome = match zone.answer(&current, rtype) {
                ZoneAnswer::Records(r) => Outcome::Records(r),
                ZoneAnswer::NoData => Outcome::NoData,
                ZoneAnswer::NxDomain => Outcome::NxDomain,
                ZoneAnswer::Alias(target) if aliases.len() < MAX_ALIAS_HOPS => {
                    aliases.push(target.clone());
                    current = target;
                    continue;
                }
                ZoneAnswer::Alias(_) => Outcome::Failed(Failure::Other(format!(
                    "CNAME chain longer than {MAX_ALIAS_HOPS} hops (a loop?)"
                ))),
            };
            return done(aliases, outcome, Source::Zone);
        }
    }

    pub fn stats(&self) -> Stats {
        let network = self.network_queries.load(Ordering::Relaxed);
        let zone = self.zone_answers.load(Ordering::Relaxed);
        Stats {
            queries: network + zone,
            network_queries: network,
            zone_answers: zone,
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            wall_time_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }
}
