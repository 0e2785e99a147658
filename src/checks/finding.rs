//! Findings: a check's declaration ([`CheckDef`], written with [`checks!`]), the verdict it
//! gives ([`Finding`]) and what the verdict rests on ([`Evidence`]).

use std::fmt;

use serde::{Serialize, Serializer};

use crate::dns::{Lookup, Outcome};

/// Declares a family's checks: one `pub static` [`CheckDef`] per check, documented by its
/// doc comment (Markdown with `## What it checks`, `## Why it matters`, `## How to fix`),
/// and `CHECKS`, the family's list for its [`AreaDef`](super::area::AreaDef).
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
            pub static $ident: $crate::checks::finding::CheckDef = $crate::checks::finding::CheckDef {
                id: $id,
                area: $area,
                title: $title,
                doc: concat!($($doc, "\n"),+),
                references: &[$($reference),*],
            };
        )+
        /// Every check of this family, in report order.
        pub static CHECKS: &[&$crate::checks::finding::CheckDef] = &[$(&$ident),+];
    };
}
pub(crate) use checks;

/// An area's name: the prefix of its check ids, what `--only`/`--skip` take and what JSON
/// reports as a finding's `area`. Part of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Area(&'static str);

impl Area {
    pub const fn new(name: &'static str) -> Area {
        Area(name)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Area {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
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
            changes: Vec::new(),
            cell: None,
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
    /// The record changes the remediation asks for, for scripts and the CI gate to apply or
    /// show; empty when the fix is not a record (or not one deliv can write).
    pub changes: Vec<Change>,
    /// Where human output draws it, when it belongs to a [`Grid`] rather than the list.
    pub cell: Option<Cell>,
}

/// What to do with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Publish a record that is not there.
    Add,
    /// Replace the record `old` at this name with `data`.
    Replace,
    /// Remove the record `data` (or every record of the type at the name when `data` is empty).
    Remove,
}

/// One record to publish, replace or remove. Where deliv cannot know a value the data holds a
/// placeholder in the one form [`placeholder`] writes, which no record accepts as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub action: Action,
    /// Owner name, fully qualified, without the trailing dot.
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    /// Presentation form of the record data (for TXT, the text itself, unquoted).
    pub data: String,
    /// For a replacement, the data of the record it replaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
}

impl Change {
    pub fn add(name: impl ToString, rtype: &str, data: impl Into<String>) -> Change {
        Change {
            action: Action::Add,
            name: name.to_string(),
            rtype: rtype.to_string(),
            data: data.into(),
            old: None,
        }
    }

    pub fn replace(
        name: impl ToString,
        rtype: &str,
        old: impl Into<String>,
        data: impl Into<String>,
    ) -> Change {
        Change {
            old: Some(old.into()),
            action: Action::Replace,
            ..Change::add(name, rtype, data)
        }
    }

    pub fn remove(name: impl ToString, rtype: &str, data: impl Into<String>) -> Change {
        Change {
            action: Action::Remove,
            ..Change::add(name, rtype, data)
        }
    }

    /// One line, as a zone file would hold it (`name. IN TYPE data`), with the action.
    pub fn describe(&self) -> String {
        let data = match self.rtype.as_str() {
            "TXT" => format!("\"{}\"", self.data.replace('"', "\\\"")),
            _ => self.data.clone(),
        };
        let record = format!("{}. IN {} {data}", self.name, self.rtype);
        match (&self.action, &self.old) {
            (Action::Add, _) => format!("add: {record}"),
            (Action::Replace, Some(old)) => format!("replace \"{old}\" with: {record}"),
            (Action::Replace, None) => format!("replace with: {record}"),
            (Action::Remove, _) => format!("remove: {record}"),
        }
    }
}

/// A value the user must fill in: `<WORDS-IN-CAPITALS>`. Chosen so that a record holding one
/// fails to parse (no DNS name, IP address or SPF term contains `<`), so a placeholder published
/// unedited is caught by the next check rather than passing silently.
pub fn placeholder(what: &str) -> String {
    let words: Vec<String> = what
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    format!("<{}>", words.join("-"))
}

/// Does `text` hold a [`placeholder`]?
pub fn has_placeholder(text: &str) -> bool {
    text.split('<').skip(1).any(|rest| {
        rest.split_once('>').is_some_and(|(inside, _)| {
            !inside.is_empty()
                && inside
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        })
    })
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

    /// A record change the remediation asks for.
    pub fn change(mut self, change: Change) -> Self {
        self.changes.push(change);
        self
    }

    pub fn changes(mut self, changes: impl IntoIterator<Item = Change>) -> Self {
        self.changes.extend(changes);
        self
    }

    /// Draws the finding in a cell of `grid` (human output) instead of the list.
    pub fn in_cell(mut self, grid: &'static Grid, row: usize, column: usize) -> Self {
        self.cell = Some(Cell { grid, row, column });
        self
    }

    pub fn id(&self) -> &'static str {
        self.check.id
    }

    /// Is this a finding of `check`? Cross-family reads go through the declaration.
    pub fn is(&self, check: &CheckDef) -> bool {
        std::ptr::eq(self.check, check)
    }
}

/// A table some findings are drawn in by human output: a verdict mark per row (what is
/// required) and column (who requires it), then a note per cell that is not a pass.
#[derive(Debug)]
pub struct Grid {
    /// The header of the row labels.
    pub corner: &'static str,
    pub rows: &'static [&'static str],
    /// Label, and who the column is about.
    pub columns: &'static [(&'static str, &'static str)],
    /// What the marks mean.
    pub legend: &'static str,
    /// The heading of the list of each column's source (its checks' first reference).
    pub sources: &'static str,
}

/// A finding's place in a [`Grid`].
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    pub grid: &'static Grid,
    pub row: usize,
    pub column: usize,
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Finding", 9)?;
        st.serialize_field("id", self.check.id)?;
        st.serialize_field("area", &self.check.area)?;
        st.serialize_field("status", &self.status)?;
        st.serialize_field("summary", &self.summary)?;
        st.serialize_field("detail", &self.detail)?;
        st.serialize_field("evidence", &self.evidence)?;
        st.serialize_field("remediation", &self.remediation)?;
        st.serialize_field("changes", &self.changes)?;
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

    #[test]
    fn placeholders_have_one_form_and_are_recognised() {
        assert_eq!(
            placeholder("your provider's SPF domain"),
            "<YOUR-PROVIDER-S-SPF-DOMAIN>"
        );
        assert!(has_placeholder("v=spf1 include:<PROVIDER-SPF-DOMAIN> -all"));
        assert!(!has_placeholder("v=spf1 ip4:192.0.2.1 -all"));
        assert!(
            !has_placeholder("a <b> c"),
            "lower case is not a placeholder"
        );
    }

    #[test]
    fn changes_read_like_zone_lines() {
        let add = Change::add("example.com", "TXT", "v=spf1 -all");
        assert_eq!(add.describe(), "add: example.com. IN TXT \"v=spf1 -all\"");
        let mx = Change::replace("example.com", "MX", "10 mx1.example.com.", "0 .");
        assert_eq!(
            mx.describe(),
            "replace \"10 mx1.example.com.\" with: example.com. IN MX 0 ."
        );
        let json = serde_json::to_value(&add).unwrap();
        assert_eq!(json["action"], "add");
        assert_eq!(json["type"], "TXT");
        assert!(json.get("old").is_none());
    }
}
