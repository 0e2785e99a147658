//! The orchestrator: for each subject, gather the chosen areas (and the areas they read)
//! concurrently, then run their checks in dependency order. The one place that does either.

use std::collections::BTreeSet;

use futures_util::future::join_all;

use crate::checks::{self, Area, AreaDef, Ctx, Options, Subject};
use crate::dns::Resolver;
use crate::report::Report;

/// The areas to run for subjects of one kind: those asked for that apply, plus those they
/// read, in registry order (which puts every area after the areas it reads).
fn plan(subject: &Subject, chosen: &BTreeSet<Area>) -> Vec<&'static AreaDef> {
    let defs: Vec<&'static AreaDef> = checks::areas_for(subject.kind()).collect();
    let mut needed: BTreeSet<Area> = chosen.clone();
    // Reads are declared by earlier areas only, so one pass from the end closes the set.
    for def in defs.iter().rev() {
        if needed.contains(&def.area) {
            needed.extend(def.reads.iter().copied());
        }
    }
    defs.into_iter()
        .filter(|d| needed.contains(&d.area))
        .collect()
}

/// Checks one subject: every planned area's facts are gathered at once (each area awaits
/// only the facts it needs), then the checks run; only the areas chosen are reported.
pub async fn check(
    resolver: &Resolver,
    subject: Subject,
    chosen: &BTreeSet<Area>,
    options: &Options,
) -> Report {
    let plan = plan(&subject, chosen);
    let ctx = Ctx::new(resolver, options, &subject);
    join_all(plan.iter().map(|def| (def.gather)(&ctx))).await;
    let mut gathered = ctx.into_gathered();
    for def in &plan {
        let findings = (def.check)(&gathered);
        gathered.add_findings(findings);
    }
    let mut findings = gathered.into_findings();
    findings.retain(|f| chosen.contains(&f.check.area));
    Report {
        subject,
        checks: findings,
    }
}

/// Checks every subject concurrently, sharing the resolver's cache; reports in input order.
pub async fn check_all(
    resolver: &Resolver,
    subjects: Vec<Subject>,
    chosen: &BTreeSet<Area>,
    options: &Options,
) -> Vec<Report> {
    join_all(
        subjects
            .into_iter()
            .map(|subject| check(resolver, subject, chosen, options)),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{compliance, dkim, dmarc, mx, ptr, spf};
    use crate::dns::Name;

    fn names(plan: &[&AreaDef]) -> Vec<&'static str> {
        plan.iter().map(|d| d.area.as_str()).collect()
    }

    #[test]
    fn plans_include_what_the_chosen_areas_read() {
        let domain = Subject::Domain(Name::parse("example.com").unwrap());
        let only = |areas: &[Area]| plan(&domain, &areas.iter().copied().collect());
        assert_eq!(names(&only(&[mx::NAME])), ["mx"]);
        assert_eq!(names(&only(&[dmarc::NAME])), ["spf", "dkim", "dmarc"]);
        assert_eq!(
            names(&only(&[compliance::NAME])),
            ["spf", "dkim", "dmarc", "ptr", "compliance"]
        );
        let ip = Subject::Ip("192.0.2.1".parse().unwrap());
        let all: BTreeSet<Area> = checks::area_names().into_iter().collect();
        assert_eq!(names(&plan(&ip, &all)), ["ptr", "dnsbl", "network"]);
        assert!(plan(&ip, &[spf::NAME, dkim::NAME].into()).is_empty());
        assert_eq!(names(&plan(&ip, &[ptr::NAME].into())), ["ptr"]);
    }
}
