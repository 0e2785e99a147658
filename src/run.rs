//! One run over domains: gather every chosen area's evidence concurrently, then check it.

use std::collections::BTreeSet;

use futures_util::future::join_all;

use crate::checks::{Area, Finding, compliance, dkim, dmarc, mx, spf};
use crate::dns::{Name, Resolver};
use crate::report::DomainReport;

/// What a run needs besides domains and areas.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// DKIM selectors to check (`--selector`); empty: try the common ones.
    pub selectors: Vec<String>,
    /// The return-path and DKIM signing domains alignment is judged with.
    pub identifiers: dmarc::Identifiers,
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
}

async fn when<T>(wanted: bool, fut: impl Future<Output = T>) -> Option<T> {
    if wanted { Some(fut.await) } else { None }
}

/// Starts every area's lookups at once; each follows its own dependencies as answers arrive.
pub async fn gather(
    resolver: &Resolver,
    domain: &Name,
    areas: &BTreeSet<Area>,
    options: &Options,
) -> Evidence {
    // DMARC alignment reads the DKIM keys; compliance reads every authentication area.
    let wanted = |area: Area, readers: &[Area]| {
        areas.contains(&area) || readers.iter().any(|r| areas.contains(r))
    };
    let dkim_domain = options.identifiers.dkim_domain.as_ref().unwrap_or(domain);
    let (mx, spf, dkim, dmarc) = tokio::join!(
        when(areas.contains(&Area::Mx), mx::gather(resolver, domain)),
        when(
            wanted(Area::Spf, &[Area::Compliance]),
            spf::gather(resolver, domain)
        ),
        when(
            wanted(Area::Dkim, &[Area::Dmarc, Area::Compliance]),
            dkim::gather(resolver, dkim_domain, &options.selectors)
        ),
        when(
            wanted(Area::Dmarc, &[Area::Compliance]),
            dmarc::gather(resolver, domain, &options.identifiers)
        ),
    );
    Evidence {
        domain: domain.clone(),
        areas: areas.clone(),
        mx,
        spf,
        dkim,
        dmarc,
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
    if evidence.areas.contains(&Area::Compliance) {
        // Reverse DNS of the sending IPs is the ptr area's to judge; without its verdict the
        // PTR rules are reported as not checked.
        findings.extend(compliance::check(&findings, None));
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
