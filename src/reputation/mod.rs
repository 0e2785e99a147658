//! IP reputation: which addresses send, their reverse DNS, their network and the blocklists
//! that hold them or their domains. The check families are `checks::ptr`, `checks::network`
//! and `checks::dnsbl`; this module holds what they share and runs them together.

pub mod cymru;
pub mod hosting;
pub mod lists;
pub mod sources;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;

use crate::checks::{Area, Finding, dnsbl, network, ptr};
use crate::dns::{Failure, Lookup, Name, Outcome, RType, Resolver, Source};
use crate::run::when;
use lists::Blocklist;
use sources::SendingIps;

/// The areas this module gathers for.
pub const AREAS: [Area; 3] = [Area::Ptr, Area::Dnsbl, Area::Network];

/// What the command line asks of the reputation areas.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--ip`: the sending addresses; empty means derive them.
    pub ips: Vec<IpAddr>,
    pub lists: Vec<Blocklist>,
    /// `--neighbourhood`: also scan the /24 around each IPv4 address.
    pub neighbourhood: bool,
}

/// Evidence of the reputation areas that were chosen.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub ptr: Option<ptr::PtrEvidence>,
    pub dnsbl: Option<dnsbl::DnsblEvidence>,
    pub network: Option<network::NetworkEvidence>,
}

/// A question that cannot be asked (a name over the length limits): a failed lookup, so the
/// check that needed it reports `error`.
pub fn unaskable(rtype: RType, why: String) -> Arc<Lookup> {
    Arc::new(Lookup {
        name: Name::root(),
        rtype,
        aliases: Vec::new(),
        outcome: Outcome::Failed(Failure::Other(why)),
        source: Source::None,
    })
}

/// Gathers every chosen reputation area at once; questions they share (the PTR names the
/// domain lists need) are asked once through the run's cache.
pub async fn gather(
    resolver: &Resolver,
    domain: Option<&Name>,
    sources: &SendingIps,
    areas: &BTreeSet<Area>,
    options: &Options,
) -> Evidence {
    let (ptr, dnsbl, network) = tokio::join!(
        when(
            areas.contains(&Area::Ptr),
            ptr::gather(resolver, domain, sources)
        ),
        when(
            areas.contains(&Area::Dnsbl),
            dnsbl::gather(resolver, domain, sources, options)
        ),
        when(
            areas.contains(&Area::Network),
            network::gather(resolver, sources)
        ),
    );
    Evidence {
        ptr,
        dnsbl,
        network,
    }
}

/// The checks, in area order.
pub fn check(ev: &Evidence) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(ev) = &ev.ptr {
        out.extend(ptr::check(ev));
    }
    if let Some(ev) = &ev.dnsbl {
        out.extend(dnsbl::check(ev));
    }
    if let Some(ev) = &ev.network {
        out.extend(network::check(ev));
    }
    out
}
