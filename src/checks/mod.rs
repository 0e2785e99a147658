//! Checks: each is declared once (id, area, title, documentation, references) with the
//! [`checks!`] macro in its family's file, and findings are built from that declaration, so
//! an id cannot be emitted without a doc and `deliv explain ID` reads the same text.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::dns::{Lookup, Outcome};

pub mod compliance;
pub mod dkim;
pub mod dmarc;
pub mod dnsbl;
pub mod mx;
pub mod network;
pub mod ptr;
pub mod spf;

/// Declares a family's checks: one `pub static` [`CheckDef`] per check, documented by its
/// doc comment (Markdown with `## What it checks`, `## Why it matters`, `## How to fix`),
/// and `ALL`, the family's list for the registry.
macro_rules! checks {
    (
        area: $area:expr;
        $(
            $(#[doc = $doc:literal])+
            $ident:ident = $id:literal, $title:literal,
            references [$($reference:literal),* $(,)?];
        )+
    ) => {
        $(
            $(#[doc = $doc])+
            pub static $ident: $crate::checks::CheckDef = $crate::checks::CheckDef {
                id: $id,
                area: $area,
                title: $title,
                doc: concat!($($doc, "\n"),+),
                references: &[$($reference),*],
            };
        )+
        /// Every check of this family, in report order.
        pub static ALL: &[&$crate::checks::CheckDef] = &[$(&$ident),+];
    };
}
pub(crate) use checks;

/// Every check deliv knows, in report order.
pub fn registry() -> impl Iterator<Item = &'static CheckDef> {
    [
        mx::ALL,
        spf::ALL,
        dkim::ALL,
        dmarc::ALL,
        ptr::ALL,
        dnsbl::ALL,
        network::ALL,
        compliance::ALL,
    ]
    .into_iter()
    .flatten()
    .copied()
}

pub fn find(id: &str) -> Option<&'static CheckDef> {
    registry().find(|c| c.id == id)
}

/// Verdicts, ordered from best to worst as "worst of" uses them:
/// pass < info < warn < error < fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Info,
    Warn,
    /// The check could not be decided (a lookup failed); never a pass.
    Error,
    Fail,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Info,
        Status::Warn,
        Status::Error,
        Status::Fail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Info => "info",
            Status::Warn => "warn",
            Status::Error => "error",
            Status::Fail => "fail",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The areas `deliv check` covers. Only some are built; asking for another is a usage error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    Mx,
    Spf,
    Dkim,
    Dmarc,
    Ptr,
    Dnsbl,
    Network,
    Relay,
    Tls,
    MtaSts,
    TlsRpt,
    Bimi,
    Unsubscribe,
    Compliance,
}

impl Area {
    pub const ALL: [Area; 14] = [
        Area::Mx,
        Area::Spf,
        Area::Dkim,
        Area::Dmarc,
        Area::Ptr,
        Area::Dnsbl,
        Area::Network,
        Area::Relay,
        Area::Tls,
        Area::MtaSts,
        Area::TlsRpt,
        Area::Bimi,
        Area::Unsubscribe,
        Area::Compliance,
    ];

    /// Areas with checks behind them.
    pub const IMPLEMENTED: [Area; 8] = [
        Area::Mx,
        Area::Spf,
        Area::Dkim,
        Area::Dmarc,
        Area::Ptr,
        Area::Dnsbl,
        Area::Network,
        Area::Compliance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Mx => "mx",
            Area::Spf => "spf",
            Area::Dkim => "dkim",
            Area::Dmarc => "dmarc",
            Area::Ptr => "ptr",
            Area::Dnsbl => "dnsbl",
            Area::Network => "network",
            Area::Relay => "relay",
            Area::Tls => "tls",
            Area::MtaSts => "mta-sts",
            Area::TlsRpt => "tls-rpt",
            Area::Bimi => "bimi",
            Area::Unsubscribe => "unsubscribe",
            Area::Compliance => "compliance",
        }
    }

    pub fn is_implemented(self) -> bool {
        Self::IMPLEMENTED.contains(&self)
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Area {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Area::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                let names: Vec<&str> = Area::ALL.iter().map(|a| a.as_str()).collect();
                format!("unknown area '{s}' (areas: {})", names.join(", "))
            })
    }
}

impl Serialize for Area {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A check's declaration; see [`checks!`].
#[derive(Debug)]
pub struct CheckDef {
    pub id: &'static str,
    pub area: Area,
    pub title: &'static str,
    /// Markdown, from the declaration's doc comment.
    pub doc: &'static str,
    pub references: &'static [&'static str],
}

impl CheckDef {
    pub fn finding(&'static self, status: Status, summary: impl Into<String>) -> Finding {
        Finding {
            check: self,
            status,
            summary: summary.into(),
            detail: String::new(),
            evidence: Vec::new(),
            remediation: None,
        }
    }

    pub fn pass(&'static self, summary: impl Into<String>) -> Finding {
        self.finding(Status::Pass, summary)
    }
    pub fn info(&'static self, summary: impl Into<String>) -> Finding {
        self.finding(Status::Info, summary)
    }
    pub fn warn(&'static self, summary: impl Into<String>) -> Finding {
        self.finding(Status::Warn, summary)
    }
    pub fn fail(&'static self, summary: impl Into<String>) -> Finding {
        self.finding(Status::Fail, summary)
    }

    /// The check could not be decided because a lookup failed: `error`, with the query.
    pub fn lookup_error(&'static self, lookup: &Lookup) -> Finding {
        let failure = lookup
            .failure()
            .map(ToString::to_string)
            .unwrap_or_default();
        self.finding(
            Status::Error,
            format!(
                "could not look up {} {}: {failure}",
                lookup.name, lookup.rtype
            ),
        )
        .evidence(Evidence::from(lookup))
        .remediation(
            "Nothing is concluded from a failed lookup. Retry; if it persists, check that the \
             domain's name servers answer (e.g. `dig +trace`) and that the resolver deliv \
             uses (--resolver) is reachable, or raise --timeout.",
        )
    }

    /// The documentation with its references, as `deliv explain` prints it.
    pub fn explain(&self) -> String {
        let mut out = format!(
            "# {} ({})\n\n{}\n",
            self.id,
            self.title,
            unindent(self.doc).trim_end()
        );
        if !self.references.is_empty() {
            out.push_str("\n## References\n");
            for r in self.references {
                out.push_str(&format!("- {r}\n"));
            }
        }
        out
    }
}

/// Doc comments arrive with one leading space per line; drop it.
fn unindent(doc: &str) -> String {
    doc.lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One verdict of one check on one domain, with what it was drawn from.
#[derive(Debug, Clone)]
pub struct Finding {
    pub check: &'static CheckDef,
    pub status: Status,
    /// One line.
    pub summary: String,
    /// More explanation; may be empty.
    pub detail: String,
    pub evidence: Vec<Evidence>,
    /// What to change; `None` on a pass.
    pub remediation: Option<String>,
}

impl Finding {
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    pub fn evidence(mut self, evidence: impl Into<Evidence>) -> Self {
        self.evidence.push(evidence.into());
        self
    }

    pub fn evidence_all<E: Into<Evidence>>(
        mut self,
        evidence: impl IntoIterator<Item = E>,
    ) -> Self {
        self.evidence.extend(evidence.into_iter().map(Into::into));
        self
    }

    pub fn remediation(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = Some(remediation.into());
        self
    }

    pub fn id(&self) -> &'static str {
        self.check.id
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Finding", 8)?;
        st.serialize_field("id", self.check.id)?;
        st.serialize_field("area", &self.check.area)?;
        st.serialize_field("status", &self.status)?;
        st.serialize_field("summary", &self.summary)?;
        st.serialize_field("detail", &self.detail)?;
        st.serialize_field("evidence", &self.evidence)?;
        st.serialize_field("remediation", &self.remediation)?;
        st.serialize_field("references", self.check.references)?;
        st.end()
    }
}

/// What a verdict rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Evidence {
    /// A DNS question and its answer (or failure).
    Dns {
        name: String,
        #[serde(rename = "type")]
        rtype: String,
        /// CNAME targets followed.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        aliases: Vec<String>,
        /// `records`, `nodata`, `nxdomain` or `error`.
        result: &'static str,
        /// Presentation form of each record.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        records: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// `dns` or `zone` (a --zone file).
        source: crate::dns::Source,
    },
    /// Anything else worth showing: a parsed record, a computed tree, an input.
    Note { label: String, text: String },
}

impl Evidence {
    pub fn note(label: impl Into<String>, text: impl Into<String>) -> Evidence {
        Evidence::Note {
            label: label.into(),
            text: text.into(),
        }
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Evidence::Dns {
                name,
                rtype,
                aliases,
                result,
                records,
                error,
                ..
            } => {
                let mut out = format!("{name} {rtype}");
                for a in aliases {
                    out.push_str(&format!(" → CNAME {a}"));
                }
                out.push_str(": ");
                out.push_str(&match *result {
                    "records" => records.join(", "),
                    "nodata" => "no records (NODATA)".to_string(),
                    "nxdomain" => "name does not exist (NXDOMAIN)".to_string(),
                    _ => format!("lookup failed: {}", error.as_deref().unwrap_or("error")),
                });
                out
            }
            Evidence::Note { label, text } => format!("{label}: {text}"),
        }
    }
}

impl From<&Lookup> for Evidence {
    fn from(l: &Lookup) -> Evidence {
        let (result, records, error) = match &l.outcome {
            Outcome::Records(r) => ("records", r.iter().map(ToString::to_string).collect(), None),
            Outcome::NoData => ("nodata", Vec::new(), None),
            Outcome::NxDomain => ("nxdomain", Vec::new(), None),
            Outcome::Failed(f) => ("error", Vec::new(), Some(f.to_string())),
        };
        Evidence::Dns {
            name: l.name.to_string(),
            rtype: l.rtype.to_string(),
            aliases: l.aliases.iter().map(ToString::to_string).collect(),
            result,
            records,
            error,
            source: l.source,
        }
    }
}

impl From<&std::sync::Arc<Lookup>> for Evidence {
    fn from(l: &std::sync::Arc<Lookup>) -> Evidence {
        Evidence::from(l.as_ref())
    }
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
            assert!(
                check.area.is_implemented(),
                "{} is in an unbuilt area",
                check.id
            );
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
    fn areas_round_trip() {
        for area in Area::ALL {
            assert_eq!(area.as_str().parse::<Area>(), Ok(area));
        }
        assert!("smtp".parse::<Area>().is_err());
    }
}
