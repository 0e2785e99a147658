//! One run over domains: gather every chosen area's evidence concurrently, then check it.

use std::collections::BTreeSet;
use std::net::IpAddr;

use futures_util::future::join_all;

use crate::checks::{Area, Finding, compliance, dkim, dmarc, mx, spf};
use crate::dns::{Name, Resolver};
use crate::report::DomainReport;
use crate::reputation::{self, sources::SendingIps};

/// What a run needs besides domains and areas.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// DKIM selectors to check (`--selector`); empty: try the common ones.
    pub selectors: Vec<String>,
    /// The return-path and DKIM signing domains alignment is judged with.
    pub identifiers: dmarc::Identifiers,
    /// Sending IPs and blocklists for the reputation areas.
    pub reputation: reputation::Options,
}

/// Everything gathered for one domain; an area not needed stays `None`.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub domain: Name,
    /// The areas asked for; others may be gathered because these read their verdicts.
    pub areas: BTreeSet<Area>,
    pub mx: Option<mx::MxEvidence>,
    pub spf: Option<spf::SpfEvidence>,
    pub dkim: Option<dkim::DkimEvidence>,
    pub dmarc: Option<dmarc::DmarcEvidence>,
    pub reputation: reputation::Evidence,
}

/// Runs `fut` only when `wanted`.
pub(crate) async fn when<T>(wanted: bool, fut: impl Future<Output = T>) -> Option<T> {
    if wanted { Some(fut.await) } else { None }
}

/// The areas to gather: those asked for, and those whose verdicts they read (DMARC alignment
/// reads the DKIM keys; compliance reads authentication and reverse DNS).
fn needed(areas: &BTreeSet<Area>) -> BTreeSet<Area> {
    let mut needed = areas.clone();
    if areas.contains(&Area::Compliance) {
        needed.extend([Area::Spf, Area::Dkim, Area::Dmarc, Area::Ptr]);
    }
    if needed.contains(&Area::Dmarc) {
        needed.insert(Area::Dkim);
    }
    needed
}

/// Starts every area's lookups at once; each follows its own dependencies as answers arrive.
/// The reputation areas first need the sending IPs: given, or derived from the domain's MX
/// and own SPF record while the rest of the SPF tree is still being fetched.
pub async fn gather(
    resolver: &Resolver,
    domain: &Name,
    areas: &BTreeSet<Area>,
    options: &Options,
) -> Evidence {
    let needed = needed(areas);
    let wanted = |area| needed.contains(&area);
    let dkim_domain = options.identifiers.dkim_domain.as_ref().unwrap_or(domain);
    let reputation_areas = reputation::AREAS.iter().any(|a| needed.contains(a));
    let (mx, spf, dkim, dmarc, reputation) = tokio::join!(
        when(wanted(Area::Mx), mx::gather(resolver, domain)),
        when(wanted(Area::Spf), spf::gather(resolver, domain)),
        when(
            wanted(Area::Dkim),
            dkim::gather(resolver, dkim_domain, &options.selectors)
        ),
        when(
            wanted(Area::Dmarc),
            dmarc::gather(resolver, domain, &options.identifiers)
        ),
        when(reputation_areas, async {
            let sources = if options.reputation.ips.is_empty() {
                SendingIps::derive(resolver, domain).await
            } else {
                SendingIps::given(&options.reputation.ips)
            };
            reputation::gather(
                resolver,
                Some(domain),
                &sources,
                &needed,
                &options.reputation,
            )
            .await
        }),
    );
    Evidence {
        domain: domain.clone(),
        areas: areas.clone(),
        mx,
        spf,
        dkim,
        dmarc,
        reputation: reputation.unwrap_or_default(),
    }
}

/// The checks, in area order: pure, over the evidence. Only the areas asked for are reported.
pub fn check(evidence: &Evidence) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(ev) = &evidence.mx {
        findings.extend(mx::check(ev));
    }
    if let Some(ev) = &evidence.spf {
        findings.extend(spf::check(ev));
    }
    if let Some(ev) = &evidence.dkim {
        findings.extend(dkim::check(ev));
    }
    if let (Some(ev), Some(keys)) = (&evidence.dmarc, &evidence.dkim) {
        findings.extend(dmarc::check(ev, keys));
    }
    findings.extend(reputation::check(&evidence.reputation));
    if evidence.areas.contains(&Area::Compliance) {
        findings.extend(compliance::check(&findings));
    }
    findings.retain(|f| evidence.areas.contains(&f.check.area));
    findings
}

pub async fn check_domains(
    resolver: &Resolver,
    domains: &[Name],
    areas: &BTreeSet<Area>,
    options: &Options,
) -> Vec<DomainReport> {
    join_all(domains.iter().map(|domain| async move {
        let evidence = gather(resolver, domain, areas, options).await;
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
