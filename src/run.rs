//! One run over domains: gather every chosen area's evidence concurrently, then check it.

use std::collections::BTreeSet;

use futures_util::future::join_all;

use crate::checks::{Area, Finding, mx, spf};
use crate::dns::{Name, Resolver};
use crate::report::DomainReport;

/// Everything gathered for one domain; an area not chosen stays `None`.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub domain: Name,
    pub mx: Option<mx::MxEvidence>,
    pub spf: Option<spf::SpfEvidence>,
}

async fn when<T>(wanted: bool, fut: impl Future<Output = T>) -> Option<T> {
    if wanted { Some(fut.await) } else { None }
}

/// Starts every area's lookups at once; each follows its own dependencies as answers arrive.
pub async fn gather(resolver: &Resolver, domain: &Name, areas: &BTreeSet<Area>) -> Evidence {
    let (mx, spf) = tokio::join!(
        when(areas.contains(&Area::Mx), mx::gather(resolver, domain)),
        when(areas.contains(&Area::Spf), spf::gather(resolver, domain)),
    );
    Evidence {
        domain: domain.clone(),
        mx,
        spf,
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
    findings
}

pub async fn check_domains(
    resolver: &Resolver,
    domains: &[Name],
    areas: &BTreeSet<Area>,
) -> Vec<DomainReport> {
    join_all(domains.iter().map(|domain| async move {
        let evidence = gather(resolver, domain, areas).await;
        DomainReport {
            domain: domain.to_string(),
            checks: check(&evidence),
        }
    }))
    .await
}
