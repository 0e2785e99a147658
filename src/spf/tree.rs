//! The SPF include tree: a record, and concurrently everything its terms point at
//! (`include:`/`redirect=` records, the lookups of `a`, `mx` and `exists` targets), followed
//! as each answer arrives. Read statically by the lint, every branch as if no term matched.

use std::sync::Arc;

use futures_util::future::{BoxFuture, join_all};

use super::macros::MacroString;
use super::{Mechanism, Record, SyntaxError, TermKind, is_spf_record};
use crate::dns::{Lookup, Name, Outcome, RType, Resolver};

/// What the domain's TXT records say about SPF.
#[derive(Debug, Clone)]
pub enum Parsed {
    Missing,
    Multiple(Vec<String>),
    Invalid { text: String, error: SyntaxError },
    Valid(Record),
}

/// One record in the include tree.
#[derive(Debug, Clone)]
pub struct Node {
    pub domain: Name,
    pub txt: Arc<Lookup>,
    pub parsed: Parsed,
    pub edges: Vec<Edge>,
    /// The lookups of `a`, `mx` and `exists` terms with literal targets.
    pub targets: Vec<TermTarget>,
}

/// An `include:` or `redirect=` with a literal target.
#[derive(Debug, Clone)]
pub struct Edge {
    pub term: String,
    pub redirect: bool,
    pub target: Name,
    /// `None` when following it would loop (or go deeper than anyone evaluates).
    pub child: Option<Box<Node>>,
}

#[derive(Debug, Clone)]
pub struct TermTarget {
    pub term: String,
    pub lookups: Vec<Arc<Lookup>>,
}

/// Deeper than this, the lookup limit has long been exceeded anyway.
const MAX_DEPTH: usize = 12;

/// The SPF record among a name's TXT records, parsed.
pub fn parse_txt(txt: &Lookup) -> Parsed {
    let spf: Vec<Vec<u8>> = txt.txt_records().filter(|t| is_spf_record(t)).collect();
    match spf.as_slice() {
        [] => Parsed::Missing,
        [one] => match Record::parse(one) {
            Ok(r) => Parsed::Valid(r),
            Err(error) => Parsed::Invalid {
                text: String::from_utf8_lossy(one).into_owned(),
                error,
            },
        },
        many => Parsed::Multiple(
            many.iter()
                .map(|t| String::from_utf8_lossy(t).into_owned())
                .collect(),
        ),
    }
}

fn literal_target(spec: Option<&MacroString>, domain: &Name) -> Option<Name> {
    match spec {
        None => Some(domain.clone()),
        Some(s) => Name::parse(s.literal()?).ok(),
    }
}

/// The tree rooted at `domain`'s SPF record.
pub async fn gather(resolver: &Resolver, domain: &Name) -> Node {
    gather_node(resolver, domain.clone(), Vec::new()).await
}

/// Fetches a record and, concurrently, everything its terms point at.
fn gather_node(resolver: &Resolver, domain: Name, path: Vec<Name>) -> BoxFuture<'_, Node> {
    Box::pin(async move {
        let txt = resolver.query(&domain, RType::Txt).await;
        let parsed = parse_txt(&txt);
        let Parsed::Valid(record) = &parsed else {
            return Node {
                domain,
                txt,
                parsed,
                edges: Vec::new(),
                targets: Vec::new(),
            };
        };
        let mut path = path;
        path.push(domain.clone());

        let mut edge_specs = Vec::new();
        for term in &record.terms {
            let (spec, redirect) = match &term.kind {
                TermKind::Directive {
                    mechanism: Mechanism::Include(spec),
                    ..
                } => (spec, false),
                TermKind::Redirect(spec) => (spec, true),
                _ => continue,
            };
            edge_specs.extend(
                literal_target(Some(spec), &domain).map(|t| (term.text.clone(), redirect, t)),
            );
        }

        let edges = join_all(edge_specs.into_iter().map(|(term, redirect, target)| {
            let follow = !path.contains(&target) && path.len() < MAX_DEPTH;
            let path = path.clone();
            async move {
                let child = if follow {
                    Some(Box::new(gather_node(resolver, target.clone(), path).await))
                } else {
                    None
                };
                Edge {
                    term,
                    redirect,
                    target,
                    child,
                }
            }
        }));
        let targets = term_targets(resolver, record, &domain);
        let (edges, targets) = tokio::join!(edges, targets);
        Node {
            domain,
            txt,
            parsed,
            edges,
            targets,
        }
    })
}

/// The lookups of a record's `a`, `mx` and `exists` terms whose targets are literal (or the
/// domain itself), asked all at once.
pub async fn term_targets(resolver: &Resolver, record: &Record, domain: &Name) -> Vec<TermTarget> {
    let specs = record.directives().filter_map(|(term, _, mechanism)| {
        let questions: Vec<(Name, RType)> = match mechanism {
            Mechanism::A { domain: spec, .. } => literal_target(spec.as_ref(), domain)
                .map(|t| vec![(t.clone(), RType::A), (t, RType::Aaaa)])?,
            Mechanism::Mx { domain: spec, .. } => {
                literal_target(spec.as_ref(), domain).map(|t| vec![(t, RType::Mx)])?
            }
            Mechanism::Exists(spec) => {
                literal_target(Some(spec), domain).map(|t| vec![(t, RType::A)])?
            }
            _ => return None,
        };
        Some((term.text.clone(), questions))
    });
    join_all(specs.map(|(term, questions)| async move {
        TermTarget {
            term,
            lookups: resolver.query_all(&questions).await,
        }
    }))
    .await
}

impl Node {
    pub fn record(&self) -> Option<&Record> {
        match &self.parsed {
            Parsed::Valid(r) => Some(r),
            _ => None,
        }
    }

    /// Edges that evaluation can reach: includes, and a redirect unless `all` shadows it.
    pub fn live_edges(&self) -> impl Iterator<Item = &Edge> {
        let shadowed = self.record().is_some_and(|r| r.all().is_some());
        self.edges.iter().filter(move |e| !(e.redirect && shadowed))
    }

    /// DNS-querying terms in this record alone.
    pub fn own_lookups(&self) -> u32 {
        let Some(record) = self.record() else {
            return 0;
        };
        let directives = record
            .directives()
            .filter(|(_, _, m)| m.queries_dns())
            .count();
        let redirect = usize::from(record.redirect().is_some() && record.all().is_none());
        u32::try_from(directives + redirect).unwrap_or(u32::MAX)
    }

    pub fn total_lookups(&self) -> u32 {
        self.own_lookups()
            + self
                .live_edges()
                .filter_map(|e| e.child.as_deref())
                .map(Node::total_lookups)
                .sum::<u32>()
    }

    /// Every node in the tree, depth first.
    pub fn walk(&self) -> Vec<&Node> {
        let mut out = vec![self];
        for edge in &self.edges {
            if let Some(child) = &edge.child {
                out.extend(child.walk());
            }
        }
        out
    }

    /// Failed lookups anywhere in the tree: counts drawn from it are lower bounds.
    pub fn failures(&self) -> Vec<&Arc<Lookup>> {
        self.walk()
            .into_iter()
            .flat_map(|n| {
                std::iter::once(&n.txt)
                    .chain(n.targets.iter().flat_map(|t| t.lookups.iter()))
                    .filter(|l| l.failure().is_some())
            })
            .collect()
    }

    /// The include tree, one line per record, with the lookups each branch costs.
    pub fn render(&self) -> String {
        let mut lines = vec![format!(
            "{} — {} lookup(s) here, {} in all",
            self.domain,
            self.own_lookups(),
            self.total_lookups()
        )];
        self.render_children(1, &mut lines);
        lines.join("\n")
    }

    fn render_children(&self, depth: usize, lines: &mut Vec<String>) {
        for edge in &self.edges {
            let indent = "  ".repeat(depth);
            let line = match &edge.child {
                None => format!("{indent}{} — not followed (loop or too deep)", edge.term),
                Some(child) => {
                    let state = match &child.parsed {
                        Parsed::Valid(_) => format!("{} lookup(s) below", child.total_lookups()),
                        Parsed::Missing => match &child.txt.outcome {
                            Outcome::Failed(f) => format!("lookup failed: {f}"),
                            _ => "no SPF record".to_string(),
                        },
                        Parsed::Multiple(r) => format!("{} SPF records", r.len()),
                        Parsed::Invalid { .. } => "syntax error".to_string(),
                    };
                    format!("{indent}{} — {state}", edge.term)
                }
            };
            lines.push(line);
            if let Some(child) = &edge.child {
                child.render_children(depth + 1, lines);
            }
        }
    }
}
