//! How an area plugs in: it declares, in its own file, an [`AreaDef`] (what it gathers, which
//! areas it reads, its pure check), and the registry in `checks/mod.rs` lists it once.
//!
//! Gathering is memoised per subject: an area's facts are a [`Facts`] type, gathered once per
//! subject however many areas ask for them ([`Ctx::get`]), so an area that needs another's
//! facts (the ptr area needs the sending IPs, which need the MX hosts) awaits exactly those
//! and starts as soon as they are in, while everything independent runs at once.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use serde::Serialize;
use tokio::sync::OnceCell;

use super::finding::{Area, CheckDef, Finding};
use crate::dmarc::Identifiers;
use crate::dns::{Name, Resolver};
use crate::reputation;

/// What a report is about; JSON's `kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    Domain,
    Ip,
}

/// One thing a run checks; JSON's `target` is its display form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Domain(Name),
    Ip(IpAddr),
}

impl Subject {
    pub fn kind(&self) -> SubjectKind {
        match self {
            Subject::Domain(_) => SubjectKind::Domain,
            Subject::Ip(_) => SubjectKind::Ip,
        }
    }

    pub fn domain(&self) -> Option<&Name> {
        match self {
            Subject::Domain(name) => Some(name),
            Subject::Ip(_) => None,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Domain(name) => write!(f, "{name}"),
            Subject::Ip(ip) => write!(f, "{}", ip.to_canonical()),
        }
    }
}

/// What the command line asks of the areas, for every subject of a run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// DKIM selectors to check (`--selector`); empty: try the common ones.
    pub selectors: Vec<String>,
    /// The return-path and DKIM signing domains alignment is judged with.
    pub identifiers: Identifiers,
    /// Sending IPs and blocklists.
    pub reputation: reputation::Options,
}

/// Facts an area gathers for one subject. [`Ctx::get`] gathers each type once per subject.
pub trait Facts: Any + Send + Sync + Sized {
    fn gather<'c>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, Self>;
}

type Slot = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

/// The context of gathering for one subject: the run's resolver and options, and the facts
/// gathered so far.
pub struct Ctx<'a> {
    pub resolver: &'a Resolver,
    pub options: &'a Options,
    pub subject: &'a Subject,
    facts: Mutex<HashMap<TypeId, Slot>>,
}

impl<'a> Ctx<'a> {
    pub fn new(resolver: &'a Resolver, options: &'a Options, subject: &'a Subject) -> Self {
        Ctx {
            resolver,
            options,
            subject,
            facts: Mutex::new(HashMap::new()),
        }
    }

    /// The domain checked, for areas whose subjects are domains only (the orchestrator runs an
    /// area only on the kinds of subject it declares).
    pub fn domain(&self) -> &'a Name {
        match self.subject {
            Subject::Domain(name) => name,
            other => unreachable!("a domain area ran on {other}"),
        }
    }

    /// The facts of type `T`, gathered on first use; later and concurrent askers share them.
    pub async fn get<T: Facts>(&self) -> Arc<T> {
        let slot = self
            .facts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(TypeId::of::<T>())
            .or_default()
            .clone();
        let any = slot
            .get_or_init(|| async { Arc::new(T::gather(self).await) as Arc<dyn Any + Send + Sync> })
            .await
            .clone();
        any.downcast::<T>()
            .unwrap_or_else(|_| unreachable!("facts are stored under their own type"))
    }

    /// Everything gathered, for the checks.
    pub fn into_gathered(self) -> Gathered<'a> {
        let facts = self
            .facts
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .into_iter()
            .filter_map(|(k, slot)| Some((k, slot.get()?.clone())))
            .collect();
        Gathered {
            subject: self.subject,
            facts,
            findings: Vec::new(),
        }
    }
}

/// The evidence of a run for one subject: every area's facts, and the findings of the areas
/// checked so far (areas are checked after the areas they read).
pub struct Gathered<'a> {
    pub subject: &'a Subject,
    facts: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
    findings: Vec<Finding>,
}

impl Gathered<'_> {
    /// The facts of type `T`. An area's own facts are always gathered before its check runs,
    /// as are those of the areas it reads; asking for others is a bug in the area.
    pub fn facts<T: Facts>(&self) -> &T {
        self.facts
            .get(&TypeId::of::<T>())
            .and_then(|f| f.downcast_ref::<T>())
            .unwrap_or_else(|| panic!("{} read before it was gathered", std::any::type_name::<T>()))
    }

    /// The findings of the areas checked so far (among them every area this one reads).
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub(crate) fn add_findings(&mut self, findings: Vec<Finding>) {
        self.findings.extend(findings);
    }

    pub(crate) fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// Starts gathering an area's facts; the value of [`AreaDef::gather`].
pub type Gather = for<'c, 'x> fn(&'c Ctx<'x>) -> BoxFuture<'c, ()>;

/// [`AreaDef::gather`] for an area whose facts are `T`.
pub fn facts<'c, T: Facts>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, ()> {
    Box::pin(async move {
        ctx.get::<T>().await;
    })
}

/// [`AreaDef::gather`] for an area that only reads other areas' verdicts.
pub fn gather_nothing<'c>(_: &'c Ctx<'_>) -> BoxFuture<'c, ()> {
    Box::pin(async {})
}

/// One area, declared in its own file and listed once in the registry.
pub struct AreaDef {
    pub area: Area,
    /// The kinds of subject the area checks.
    pub subjects: &'static [SubjectKind],
    /// Areas whose facts or findings the check reads: gathered and checked first, reported
    /// only when asked for.
    pub reads: &'static [Area],
    pub checks: &'static [&'static CheckDef],
    pub gather: Gather,
    /// Pure: from what was gathered (and the findings of the areas read) to findings.
    pub check: fn(&Gathered) -> Vec<Finding>,
}

impl AreaDef {
    pub fn applies_to(&self, kind: SubjectKind) -> bool {
        self.subjects.contains(&kind)
    }
}
