//! Checks, grouped by area. Each area lives in its own file: its checks' declarations (with
//! the [`checks!`] macro, so an id cannot be emitted without its documentation, and
//! `deliv explain ID` reads the same text), what it gathers, and its pure check function;
//! [`AREAS`] lists the areas once.

pub mod area;
pub mod finding;

pub mod compliance;
pub mod dkim;
pub mod dmarc;
pub mod dnsbl;
pub mod mx;
pub mod network;
pub mod ptr;
pub mod sending_ips;
pub mod spf;

pub use area::{AreaDef, Ctx, Facts, Gathered, Options, Subject, SubjectKind};
pub use finding::{Area, CheckDef, Evidence, Finding, Status};

/// Every area, in report order. An area comes after the areas it reads.
pub static AREAS: &[&AreaDef] = &[
    &mx::AREA,
    &spf::AREA,
    &dkim::AREA,
    &dmarc::AREA,
    &ptr::AREA,
    &dnsbl::AREA,
    &network::AREA,
    &compliance::AREA,
];

/// Every check deliv knows, in report order.
pub fn registry() -> impl Iterator<Item = &'static CheckDef> {
    AREAS.iter().flat_map(|a| a.checks.iter().copied())
}

pub fn find(id: &str) -> Option<&'static CheckDef> {
    registry().find(|c| c.id == id)
}

/// The names of every area, in report order, each once.
pub fn area_names() -> Vec<Area> {
    let mut names: Vec<Area> = Vec::new();
    for def in AREAS {
        if !names.contains(&def.area) {
            names.push(def.area);
        }
    }
    names
}

/// An area named on the command line.
pub fn parse_area(text: &str) -> Result<Area, String> {
    let wanted = text.trim().to_ascii_lowercase();
    let names = area_names();
    names
        .iter()
        .copied()
        .find(|a| a.as_str() == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = names.iter().map(|a| a.as_str()).collect();
            format!("unknown area '{text}' (areas: {})", names.join(", "))
        })
}

/// The areas that check subjects of this kind, in report order.
pub fn areas_for(kind: SubjectKind) -> impl Iterator<Item = &'static AreaDef> {
    AREAS.iter().copied().filter(move |a| a.applies_to(kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_check_is_documented_once() {
        let mut seen = HashSet::new();
        for check in registry() {
            assert!(seen.insert(check.id), "duplicate id {}", check.id);
            assert!(
                check.id.starts_with(&format!("{}.", check.area)),
                "{} must start with its area {}",
                check.id,
                check.area
            );
            for section in ["## What it checks", "## Why it matters", "## How to fix"] {
                assert!(
                    check.doc.contains(section),
                    "{} lacks '{section}'",
                    check.id
                );
            }
            assert!(
                !check.references.is_empty(),
                "{} has no references",
                check.id
            );
            assert!(!check.title.is_empty());
        }
        assert!(seen.len() > 10);
    }

    #[test]
    fn status_order_is_worst_last() {
        assert!(Status::Fail > Status::Error);
        assert!(Status::Error > Status::Warn);
        assert!(Status::Warn > Status::Info);
        assert!(Status::Info > Status::Pass);
    }

    #[test]
    fn areas_parse_and_unknown_ones_are_named() {
        for area in area_names() {
            assert_eq!(parse_area(&area.as_str().to_uppercase()), Ok(area));
        }
        let err = parse_area("bogus").unwrap_err();
        assert!(
            err.contains("unknown area 'bogus'") && err.contains("mx, spf"),
            "{err}"
        );
    }

    #[test]
    fn every_area_comes_after_the_areas_it_reads_and_owns_its_checks() {
        for (i, def) in AREAS.iter().enumerate() {
            for read in def.reads {
                assert!(
                    AREAS[..i]
                        .iter()
                        .any(|d| d.area == *read && def.subjects.iter().all(|k| d.applies_to(*k))),
                    "{} reads {read}, which is not an earlier area for its subjects",
                    def.area
                );
            }
            for check in def.checks {
                assert_eq!(
                    check.area, def.area,
                    "{} is declared in {}",
                    check.id, def.area
                );
            }
        }
    }
}
