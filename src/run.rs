//! One run over domains: gather every chosen area's evidence concurrently, then check it.

use std::collections::BTreeSet;
use std::net::IpAddr;

use futures_util::future::join_all;

use crate::checks::{Area, Finding, mx, spf};
use crate::dns::{Name, Resolver};
use crate::report::DomainReport;
use crate::reputation::{self, sources::SendingIps};

/// Everything gathered for one domain; an area not chosen stays `None`.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub domain: Name,
    pub mx: Option<mx::MxEvidence>,
    pub spf: Option<spf::SpfEvidence>,
    pub reputation: reputation::Evidence,
}

/// Runs `fut` only when `wanted`.
pub(crate) async fn when<T>(wanted: bool, fut: impl Future<Output = T>) -> Option<T> {
    if wanted { Some(fut.await) } else { None }
}

/// Starts every area's lookups at once; each follows its own dependencies as answers arrive.
/// The reputation areas need the sending IPs, derived (without `--ip`) from the MX and SPF
/// evidence, which is then gathered even when those areas are not reported.
pub async fn gather(
    resolver: &Resolver,
    domain: &Name,
    areas: &BTreeSet<Area>,
    ip: &reputation::Options,
) -> Evidence {
    let derive = ip.ips.is_empty() && reputation::AREAS.iter().any(|a| areas.contains(a));
    let (mx, spf) = tokio::join!(
        when(
            areas.contains(&Area::Mx) || derive,
            mx::gather(resolver, domain)
        ),
        when(
            areas.contains(&Area::Spf) || derive,
            spf::gather(resolver, domain)
        ),
    );
    let sources = match (&mx, &spf) {
        (Some(mx), Some(spf)) if derive => SendingIps::derive(resolver, mx, spf).await,
        _ => SendingIps::given(&ip.ips),
    };
    let reputation = reputation::gather(resolver, Some(domain), &sources, areas, ip).await;
    Evidence {
        domain: domain.clone(),
        mx: mx.filter(|_| areas.contains(&Area::Mx)),
        spf: spf.filter(|_| areas.contains(&Area::Spf)),
        reputation,
    }
}

/// The checks, in area order: pure, over the evidence.
pub fn check(evidence: &Evidence) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(ev) = &evidence.mx {
        findings.extend(mx::check(ev));
    }
    if let Some(ev) = &evidence.spf {
        findings.extend(spf::check(ev));
    }
    findings.extend(reputation::check(&evidence.reputation));
    findings
}

pub async fn check_domains(
    resolver: &Resolver,
    domains: &[Name],
    areas: &BTreeSet<Area>,
    ip: &reputation::Options,
) -> Vec<DomainReport> {
    join_all(domains.iter().map(|domain| async move {
        let evidence = gather(resolver, domain, areas, ip).await;
        DomainReport {
            domain: domain.to_string(),
            checks: check(&evidence),
        }
    }))
    .await
}

/// `deliv ip`: the reputation areas for each address, one report per address.
pub async fn check_ips(
    resolver: &Resolver,
    ips: &[IpAddr],
    options: &reputation::Options,
) -> Vec<DomainReport> {
    let areas: BTreeSet<Area> = reputation::AREAS.into_iter().collect();
    join_all(ips.iter().map(|ip| {
        let areas = &areas;
        async move {
            let sources = SendingIps::given(&[*ip]);
            let evidence = reputation::gather(resolver, None, &sources, areas, options).await;
            DomainReport {
                domain: ip.to_canonical().to_string(),
                checks: reputation::check(&evidence),
            }
        }
    }))
    .await
}
