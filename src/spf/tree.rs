//! The SPF include graph: a domain's record and, concurrently, everything its terms point at
//! (`include:`/`redirect=` records, the lookups of `a`, `mx` and `exists` targets and the
//! addresses of MX hosts), followed as each answer arrives. Read statically by the lint, every
//! branch as if no term matched.
//!
//! Each name's record is fetched once: a record included from several places is one node,
//! shared, so the graph is a DAG (with cycles where records include each other) and its size
//! is the number of distinct records, not of paths. A branch is not followed where RFC 7208's
//! limit already decides it: every DNS-querying term costs a lookup, so a term that cannot be
//! reached with 10 lookups or fewer is never evaluated (evaluation ends in permerror first),
//! and nothing behind it is fetched. Lookup counts over the graph saturate ("more than 10").

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::future::{BoxFuture, join_all};
use futures_util::stream::FuturesUnordered;

use super::eval::{MAX_DNS_LOOKUPS, MAX_MX_NAMES};
use super::macros::MacroString;
use super::record::Lookalike;
use super::{Mechanism, Qualifier, Record, SyntaxError, is_spf_record};
use crate::dns::{Lookup, Name, Outcome, RType, Rdata, Resolver};

/// What the domain's TXT records say about SPF.
#[derive(Debug, Clone)]
pub enum Parsed {
    Missing,
    Multiple(Vec<String>),
    Invalid { text: String, error: SyntaxError },
    Valid(Record),
}

/// A node of the graph: one record.
pub type NodeId = usize;

/// The include graph of a domain's SPF record; node 0 is the domain's own record.
#[derive(Debug, Clone)]
pub struct Tree {
    nodes: Vec<Node>,
}

/// One name's record and what its terms point at.
#[derive(Debug, Clone)]
pub struct Node {
    pub domain: Name,
    pub txt: Arc<Lookup>,
    pub parsed: Parsed,
    /// TXT records at the name that look like a mistyped or odd-case SPF record.
    pub lookalikes: Vec<Lookalike>,
    /// The literal `include:` targets, and the `redirect=` unless an `all` term shadows it,
    /// among the terms evaluation reaches (none after an `all`).
    pub edges: Vec<Edge>,
    /// The lookups of `a`, `mx` and `exists` terms with literal targets, for the terms
    /// evaluation can reach within the lookup limit.
    pub targets: Vec<TermTarget>,
    /// The fewest DNS-querying terms evaluation passes before reaching this record.
    pub before: u32,
    /// The DNS-querying terms of this record and of everything below it, each record
    /// counted every time evaluation reaches it.
    pub lookups: Count,
}

/// An `include:` or `redirect=` with a literal target.
#[derive(Debug, Clone)]
pub struct Edge {
    /// The term as written.
    pub term: String,
    /// The include's qualifier; a redirect passes its target's result through (`Pass`).
    pub qualifier: Qualifier,
    pub redirect: bool,
    pub target: Name,
    /// The fewest DNS lookups evaluation has made when it reaches this term (itself included).
    pub position: u32,
    pub link: Link,
}

/// Where an edge leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Node(NodeId),
    /// Not followed: evaluation cannot reach the term within the lookup limit.
    BeyondLimit,
}

/// The lookups of one `a`, `mx` or `exists` term.
#[derive(Debug, Clone)]
pub struct TermTarget {
    /// The term as written.
    pub term: String,
    pub mechanism: Mechanism,
    /// `a`: A and AAAA of the target; `mx`: its MX; `exists`: its A.
    pub lookups: Vec<Arc<Lookup>>,
    /// `mx`: A and AAAA of each MX host (the first 10, as many as evaluation may look up).
    pub hosts: Vec<HostLookups>,
}

/// An MX host's address lookups.
#[derive(Debug, Clone)]
pub struct HostLookups {
    pub name: Name,
    /// A, then AAAA.
    pub lookups: [Arc<Lookup>; 2],
}

/// Whether a term can ever match, from its lookups.
#[derive(Debug, Clone)]
pub enum CanMatch {
    Yes,
    /// Never: the reason, in a few words.
    No(String),
    /// A lookup it needs failed.
    Unknown(Arc<Lookup>),
}

/// What a family's addresses from a term's lookups come to.
#[derive(Debug, Clone)]
pub enum Addresses {
    Some,
    None,
    Failed(Arc<Lookup>),
}

impl TermTarget {
    /// `a`/`exists`: whether the target answers; `mx`: whether any MX host has an address.
    pub fn can_match(&self) -> CanMatch {
        if let Some(failed) = self.lookups.iter().find(|l| l.failure().is_some()) {
            return CanMatch::Unknown(failed.clone());
        }
        if self.lookups.iter().all(|l| l.is_empty_answer()) {
            return CanMatch::No(format!(
                "{} has no {} records",
                self.lookups[0].name,
                self.asked()
            ));
        }
        if !matches!(self.mechanism, Mechanism::Mx { .. }) {
            return CanMatch::Yes;
        }
        if self.hosts.is_empty() {
            return CanMatch::No(format!(
                "{} has a null MX: no mail host",
                self.lookups[0].name
            ));
        }
        let host_lookups = || self.hosts.iter().flat_map(|h| h.lookups.iter());
        if host_lookups().any(|l| !l.records().is_empty()) {
            return CanMatch::Yes;
        }
        if let Some(failed) = host_lookups().find(|l| l.failure().is_some()) {
            return CanMatch::Unknown(failed.clone());
        }
        let names: Vec<&str> = self.hosts.iter().map(|h| h.name.as_str()).collect();
        CanMatch::No(format!(
            "no MX host of {} has an address ({})",
            self.lookups[0].name,
            names.join(", ")
        ))
    }

    /// The question types the term's own lookups asked, for messages.
    fn asked(&self) -> &'static str {
        match self.mechanism {
            Mechanism::A { .. } => "A/AAAA",
            Mechanism::Mx { .. } => "MX",
            _ => "A",
        }
    }

    /// Whether the term's lookups give addresses of one family (`exists`: any A record,
    /// whatever the family of the address evaluated).
    pub fn addresses(&self, v4: bool) -> Addresses {
        let rtype = if v4 { RType::A } else { RType::Aaaa };
        let relevant: Vec<&Arc<Lookup>> = match self.mechanism {
            Mechanism::Mx { .. } => {
                if let Some(failed) = self.lookups.iter().find(|l| l.failure().is_some()) {
                    return Addresses::Failed(failed.clone());
                }
                self.hosts
                    .iter()
                    .flat_map(|h| h.lookups.iter())
                    .filter(|l| l.rtype == rtype)
                    .collect()
            }
            Mechanism::Exists(_) => self.lookups.iter().collect(),
            _ => self.lookups.iter().filter(|l| l.rtype == rtype).collect(),
        };
        if relevant.iter().any(|l| !l.records().is_empty()) {
            return Addresses::Some;
        }
        match relevant.into_iter().find(|l| l.failure().is_some()) {
            Some(failed) => Addresses::Failed(failed.clone()),
            None => Addresses::None,
        }
    }
}

/// A number of DNS lookups, exact or a lower bound where a branch was not followed or loops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub known: u32,
    /// The real number is larger than `known`.
    pub more: bool,
}

impl Count {
    /// Over `limit` for certain, or possibly (a lower bound already over it)?
    pub fn exceeds(self, limit: u32) -> bool {
        self.known > limit || (self.more && self.known >= limit)
    }

    fn add(self, other: Count) -> Count {
        let known = self.known.checked_add(other.known);
        Count {
            known: known.unwrap_or(u32::MAX),
            more: self.more || other.more || known.is_none(),
        }
    }

    /// Infinite: a loop repeats until the limit stops it.
    fn endless(self) -> Count {
        Count {
            known: self.known.max(MAX_DNS_LOOKUPS + 1),
            more: true,
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.more, self.known) {
            (true, n) if n > MAX_DNS_LOOKUPS => write!(f, "more than {MAX_DNS_LOOKUPS}"),
            (true, n) => write!(f, "at least {n}"),
            (false, n) => write!(f, "{n}"),
        }
    }
}

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

/// TXT records at a name that look like an SPF record receivers may not read as one.
pub fn lookalikes(txt: &Lookup) -> Vec<Lookalike> {
    txt.txt_records()
        .filter_map(|t| Lookalike::of(&t))
        .collect()
}

fn literal_target(spec: Option<&MacroString>, domain: &Name) -> Option<Name> {
    match spec {
        None => Some(domain.clone()),
        Some(s) => Name::parse(s.literal()?).ok(),
    }
}

/// One DNS-querying step of a record's evaluation, in order: its reachable DNS-querying
/// directives, then the redirect when no `all` shadows it.
enum Step {
    /// An include or redirect with a literal target.
    Edge {
        term: String,
        qualifier: Qualifier,
        redirect: bool,
        target: Name,
    },
    /// An `a`, `mx` or `exists` term with a literal target.
    Target { term: String, mechanism: Mechanism },
    /// A step whose target deliv cannot look up (a macro, `ptr`).
    Opaque,
}

fn steps(record: &Record, domain: &Name) -> Vec<Step> {
    let mut out = Vec::new();
    for (term, qualifier, mechanism) in record.reachable_directives() {
        if !mechanism.queries_dns() {
            continue;
        }
        let step = match mechanism {
            Mechanism::Include(spec) => {
                literal_target(Some(spec), domain).map(|target| Step::Edge {
                    term: term.text.clone(),
                    qualifier,
                    redirect: false,
                    target,
                })
            }
            Mechanism::A { domain: spec, .. } | Mechanism::Mx { domain: spec, .. } => {
                literal_target(spec.as_ref(), domain).map(|_| Step::Target {
                    term: term.text.clone(),
                    mechanism: mechanism.clone(),
                })
            }
            Mechanism::Exists(spec) => literal_target(Some(spec), domain).map(|_| Step::Target {
                term: term.text.clone(),
                mechanism: mechanism.clone(),
            }),
            _ => None,
        };
        out.push(step.unwrap_or(Step::Opaque));
    }
    if let (Some(spec), None) = (record.redirect(), record.all()) {
        let step = literal_target(Some(spec), domain).map(|target| Step::Edge {
            term: format!("redirect={spec}"),
            qualifier: Qualifier::Pass,
            redirect: true,
            target,
        });
        out.push(step.unwrap_or(Step::Opaque));
    }
    out
}

/// The lookups of one `a`, `mx` or `exists` term whose target is literal (or the domain).
pub async fn term_target(
    resolver: &Resolver,
    term: &str,
    mechanism: &Mechanism,
    domain: &Name,
) -> Option<TermTarget> {
    let questions = match mechanism {
        Mechanism::A { domain: spec, .. } => {
            let t = literal_target(spec.as_ref(), domain)?;
            vec![(t.clone(), RType::A), (t, RType::Aaaa)]
        }
        Mechanism::Mx { domain: spec, .. } => {
            vec![(literal_target(spec.as_ref(), domain)?, RType::Mx)]
        }
        Mechanism::Exists(spec) => vec![(literal_target(Some(spec), domain)?, RType::A)],
        _ => return None,
    };
    let lookups = resolver.query_all(&questions).await;
    let mut hosts = Vec::new();
    if matches!(mechanism, Mechanism::Mx { .. }) {
        let mut names: Vec<Name> = Vec::new();
        for r in lookups.iter().flat_map(|l| l.records()) {
            if let Rdata::Mx { exchange, .. } = r
                && !exchange.is_root()
                && !names.contains(exchange)
            {
                names.push(exchange.clone());
            }
        }
        names.truncate(MAX_MX_NAMES);
        let questions: Vec<(Name, RType)> = names
            .iter()
            .flat_map(|n| [(n.clone(), RType::A), (n.clone(), RType::Aaaa)])
            .collect();
        let answers = resolver.query_all(&questions).await;
        hosts = names
            .into_iter()
            .zip(answers.chunks_exact(2))
            .map(|(name, pair)| HostLookups {
                name,
                lookups: [pair[0].clone(), pair[1].clone()],
            })
            .collect();
    }
    Some(TermTarget {
        term: term.to_string(),
        mechanism: mechanism.clone(),
        lookups,
        hosts,
    })
}

/// The lookups of a record's `a`, `mx` and `exists` terms whose targets are literal (or the
/// domain itself), asked all at once.
pub async fn term_targets(resolver: &Resolver, record: &Record, domain: &Name) -> Vec<TermTarget> {
    join_all(
        record
            .directives()
            .map(|(term, _, m)| term_target(resolver, &term.text, m, domain)),
    )
    .await
    .into_iter()
    .flatten()
    .collect()
}

/// A node while the graph is gathered.
struct Pending {
    domain: Name,
    txt: Option<Arc<Lookup>>,
    parsed: Option<Parsed>,
    before: u32,
    /// How many of the record's steps have been started.
    started: usize,
    targets: Vec<TermTarget>,
}

enum Answer {
    Txt(NodeId, Arc<Lookup>),
    Target(NodeId, Option<TermTarget>),
}

struct Gathering<'r> {
    resolver: &'r Resolver,
    nodes: Vec<Pending>,
    index: HashMap<Name, NodeId>,
    waiting: FuturesUnordered<BoxFuture<'r, Answer>>,
}

impl<'r> Gathering<'r> {
    /// Reaches `domain`'s record after `before` lookups: fetches it the first time, and when
    /// this way is shorter than the ones known, starts the steps it now brings within reach.
    fn reach(&mut self, domain: Name, before: u32) {
        if let Some(&id) = self.index.get(&domain) {
            if before < self.nodes[id].before {
                self.nodes[id].before = before;
                self.start_steps(id);
            }
            return;
        }
        let id = self.nodes.len();
        self.index.insert(domain.clone(), id);
        let resolver = self.resolver;
        let name = domain.clone();
        self.waiting.push(Box::pin(async move {
            Answer::Txt(id, resolver.query(&name, RType::Txt).await)
        }));
        self.nodes.push(Pending {
            domain,
            txt: None,
            parsed: None,
            before,
            started: 0,
            targets: Vec::new(),
        });
    }

    /// Starts the steps of a fetched record that evaluation can reach within the limit, and
    /// passes a shorter way in on to the records it includes.
    fn start_steps(&mut self, id: NodeId) {
        let node = &self.nodes[id];
        let Some(Parsed::Valid(record)) = &node.parsed else {
            return;
        };
        let steps = steps(record, &node.domain);
        let (before, started, domain) = (node.before, node.started, node.domain.clone());
        for (k, step) in steps.into_iter().enumerate() {
            let position = before.saturating_add(u32::try_from(k + 1).unwrap_or(u32::MAX));
            if position > MAX_DNS_LOOKUPS {
                break;
            }
            let new = k >= started;
            if new {
                self.nodes[id].started = k + 1;
            }
            match step {
                Step::Edge { target, .. } => self.reach(target, position),
                Step::Target { .. } if !new => {}
                Step::Target { term, mechanism } => {
                    let resolver = self.resolver;
                    let domain = domain.clone();
                    self.waiting.push(Box::pin(async move {
                        let target = term_target(resolver, &term, &mechanism, &domain).await;
                        Answer::Target(id, target)
                    }));
                }
                Step::Opaque => {}
            }
        }
    }

    fn into_tree(self) -> Tree {
        let index = self.index;
        let nodes = self
            .nodes
            .into_iter()
            .map(|p| {
                let txt = p
                    .txt
                    .unwrap_or_else(|| Lookup::unaskable(RType::Txt, "not looked up".to_string()));
                let parsed = p.parsed.unwrap_or(Parsed::Missing);
                let edges = match &parsed {
                    Parsed::Valid(record) => steps(record, &p.domain)
                        .into_iter()
                        .enumerate()
                        .filter_map(|(k, step)| match step {
                            Step::Edge {
                                term,
                                qualifier,
                                redirect,
                                target,
                            } => {
                                let position = p
                                    .before
                                    .saturating_add(u32::try_from(k + 1).unwrap_or(u32::MAX));
                                let link = match index.get(&target) {
                                    Some(&id) => Link::Node(id),
                                    None => Link::BeyondLimit,
                                };
                                Some(Edge {
                                    term,
                                    qualifier,
                                    redirect,
                                    target,
                                    position,
                                    link,
                                })
                            }
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                Node {
                    lookalikes: lookalikes(&txt),
                    domain: p.domain,
                    txt,
                    parsed,
                    edges,
                    targets: p.targets,
                    before: p.before,
                    lookups: Count::default(),
                }
            })
            .collect();
        let mut tree = Tree { nodes };
        tree.count_lookups();
        tree
    }
}

/// The graph rooted at `domain`'s SPF record.
pub async fn gather(resolver: &Resolver, domain: &Name) -> Tree {
    let mut g = Gathering {
        resolver,
        nodes: Vec::new(),
        index: HashMap::new(),
        waiting: FuturesUnordered::new(),
    };
    g.reach(domain.clone(), 0);
    while let Some(answer) = g.waiting.next().await {
        match answer {
            Answer::Txt(id, txt) => {
                g.nodes[id].parsed = Some(parse_txt(&txt));
                g.nodes[id].txt = Some(txt);
                g.start_steps(id);
            }
            Answer::Target(id, target) => g.nodes[id].targets.extend(target),
        }
    }
    // Targets arrive in any order; the record's order reads better and is reproducible.
    for node in &mut g.nodes {
        if let Some(Parsed::Valid(record)) = &node.parsed {
            let order = |t: &TermTarget| record.terms.iter().position(|x| x.text == t.term);
            node.targets.sort_by_key(order);
        }
    }
    g.into_tree()
}

/// One visit of a depth-first walk over linked edges.
enum Visit {
    /// The edge leads to a node not seen before: its subtree follows.
    First(NodeId),
    /// The node was shown earlier.
    Again(NodeId),
    /// The node is on the path to this edge: a loop.
    Loop(NodeId),
    Beyond,
}

impl Node {
    pub fn record(&self) -> Option<&Record> {
        match &self.parsed {
            Parsed::Valid(r) => Some(r),
            _ => None,
        }
    }

    /// DNS-querying terms in this record alone (those evaluation reaches).
    pub fn own_lookups(&self) -> u32 {
        let Some(record) = self.record() else {
            return 0;
        };
        let directives = record
            .reachable_directives()
            .filter(|(_, _, m)| m.queries_dns())
            .count();
        let redirect = usize::from(record.redirect().is_some() && record.all().is_none());
        u32::try_from(directives + redirect).unwrap_or(u32::MAX)
    }
}

impl Tree {
    /// A graph from nodes whose edges already link by index (node 0 the root).
    #[cfg(test)]
    pub(crate) fn from_nodes(nodes: Vec<Node>) -> Tree {
        let mut tree = Tree { nodes };
        tree.count_lookups();
        tree
    }

    pub fn root(&self) -> &Node {
        &self.nodes[0]
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// Every record once, the root first.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes.iter().enumerate()
    }

    /// Lookups of the whole evaluation, as if no term matched.
    pub fn total_lookups(&self) -> Count {
        self.root().lookups
    }

    /// Fills each node's `lookups` bottom-up; a node on a loop, or above one, counts without
    /// end.
    fn count_lookups(&mut self) {
        let n = self.nodes.len();
        let mut done: Vec<Option<Count>> = vec![None; n];
        let mut on_path = vec![false; n];
        for start in 0..n {
            if done[start].is_some() {
                continue;
            }
            // (node, next edge to look at, count so far)
            let mut stack: Vec<(NodeId, usize, Count)> = Vec::new();
            let own = |node: &Node| Count {
                known: node.own_lookups(),
                more: false,
            };
            on_path[start] = true;
            stack.push((start, 0, own(&self.nodes[start])));
            while let Some(&mut (id, ref mut next, ref mut count)) = stack.last_mut() {
                let edges = &self.nodes[id].edges;
                if *next == edges.len() {
                    let count = *count;
                    stack.pop();
                    on_path[id] = false;
                    done[id] = Some(count);
                    if let Some(parent) = stack.last_mut() {
                        parent.2 = parent.2.add(count);
                    }
                    continue;
                }
                let edge = &edges[*next];
                *next += 1;
                match edge.link {
                    Link::BeyondLimit => count.more = true,
                    Link::Node(child) if on_path[child] => *count = count.endless(),
                    Link::Node(child) => match done[child] {
                        Some(c) => *count = count.add(c),
                        None => {
                            on_path[child] = true;
                            stack.push((child, 0, own(&self.nodes[child])));
                        }
                    },
                }
            }
        }
        // A node whose walk met a loop counts without end; a node reaching that one through a
        // finished node adds its endless count, so every node that can reach a loop is endless.
        for (node, count) in self.nodes.iter_mut().zip(done) {
            node.lookups = count.unwrap_or_default();
        }
    }

    /// Depth-first over linked edges from the root, each node's edges once: calls `visit`
    /// with the depth, the node, the index of its edge and what the edge leads to.
    fn walk_edges(&self, mut visit: impl FnMut(usize, NodeId, usize, Visit)) {
        let n = self.nodes.len();
        let mut seen = vec![false; n];
        let mut on_path = vec![false; n];
        let mut stack: Vec<(NodeId, usize)> = vec![(0, 0)];
        seen[0] = true;
        on_path[0] = true;
        while let Some(&mut (id, ref mut next)) = stack.last_mut() {
            let index = *next;
            let Some(edge) = self.nodes[id].edges.get(index) else {
                on_path[id] = false;
                stack.pop();
                continue;
            };
            *next += 1;
            let depth = stack.len();
            match edge.link {
                Link::BeyondLimit => visit(depth, id, index, Visit::Beyond),
                Link::Node(c) if on_path[c] => visit(depth, id, index, Visit::Loop(c)),
                Link::Node(c) if seen[c] => visit(depth, id, index, Visit::Again(c)),
                Link::Node(c) => {
                    visit(depth, id, index, Visit::First(c));
                    seen[c] = true;
                    on_path[c] = true;
                    stack.push((c, 0));
                }
            }
        }
    }

    /// Every loop: for each edge that leads back to a record on the path to it, the path
    /// from that record round to the edge.
    pub fn loops(&self) -> Vec<Vec<(NodeId, usize)>> {
        let mut out = Vec::new();
        let mut path: Vec<(NodeId, usize)> = Vec::new();
        self.walk_edges(|depth, id, index, visit| {
            path.truncate(depth - 1);
            match visit {
                Visit::First(_) => path.push((id, index)),
                Visit::Loop(back) => {
                    let from = path
                        .iter()
                        .position(|(n, _)| *n == back)
                        .unwrap_or(path.len());
                    let mut cycle = path[from..].to_vec();
                    cycle.push((id, index));
                    out.push(cycle);
                }
                Visit::Again(_) | Visit::Beyond => {}
            }
        });
        out
    }

    /// The shortest chain of edges from the root to each node (only through edges `follow`
    /// accepts): for each node, the edge it is reached by, or `None` (the root, or
    /// unreachable).
    pub fn parents(&self, follow: impl Fn(&Edge) -> bool) -> Vec<Option<(NodeId, usize)>> {
        let n = self.nodes.len();
        let mut parent = vec![None; n];
        let mut seen = vec![false; n];
        seen[0] = true;
        let mut queue = std::collections::VecDeque::from([0]);
        while let Some(id) = queue.pop_front() {
            for (i, edge) in self.nodes[id].edges.iter().enumerate() {
                if let Link::Node(c) = edge.link
                    && !seen[c]
                    && follow(edge)
                {
                    seen[c] = true;
                    parent[c] = Some((id, i));
                    queue.push_back(c);
                }
            }
        }
        parent
    }

    /// "root → include:a → redirect=b" for the node `id`, along `parents`.
    pub fn path(&self, parents: &[Option<(NodeId, usize)>], id: NodeId) -> String {
        let mut steps = Vec::new();
        let mut at = id;
        while let Some((p, e)) = parents[at] {
            steps.push(self.nodes[p].edges[e].term.clone());
            at = p;
            if steps.len() > self.nodes.len() {
                break;
            }
        }
        steps.push(self.root().domain.to_string());
        steps.reverse();
        steps.join(" → ")
    }

    /// Failed lookups anywhere in the graph: counts drawn from it are lower bounds.
    pub fn failures(&self) -> Vec<&Arc<Lookup>> {
        self.nodes
            .iter()
            .flat_map(|n| {
                std::iter::once(&n.txt)
                    .chain(n.targets.iter().flat_map(|t| {
                        t.lookups
                            .iter()
                            .chain(t.hosts.iter().flat_map(|h| h.lookups.iter()))
                    }))
                    .filter(|l| l.failure().is_some())
            })
            .collect()
    }

    /// The graph, one line per include or redirect, with what each branch costs. A record
    /// reached again is shown once, where it is first met, and referred back to after.
    pub fn render(&self) -> String {
        /// Branches not followed shown per record; the rest are counted on one line.
        const BEYOND_SHOWN: usize = 3;
        let root = self.root();
        let mut lines = vec![format!(
            "{} — {} lookup(s) here, {} in all",
            root.domain,
            root.own_lookups(),
            root.lookups
        )];
        let mut beyond: HashMap<NodeId, usize> = HashMap::new();
        self.walk_edges(|depth, id, index, visit| {
            let node = &self.nodes[id];
            let edge = &node.edges[index];
            let indent = "  ".repeat(depth);
            let state = match visit {
                Visit::First(c) => self.state(c),
                Visit::Again(c) => format!("{} (shown above)", self.state(c)),
                Visit::Loop(c) => format!("loops back to {}", self.nodes[c].domain),
                Visit::Beyond => {
                    let seen = beyond.entry(id).or_default();
                    *seen += 1;
                    if *seen > BEYOND_SHOWN {
                        if *seen == BEYOND_SHOWN + 1 {
                            let rest = node.edges[index..]
                                .iter()
                                .filter(|e| e.link == Link::BeyondLimit)
                                .count();
                            lines.push(format!(
                                "{indent}… {rest} more include/redirect term(s) not followed"
                            ));
                        }
                        return;
                    }
                    format!(
                        "not followed: it would be lookup {} or later, over the limit of \
                         {MAX_DNS_LOOKUPS}",
                        edge.position
                    )
                }
            };
            lines.push(format!("{indent}{} — {state}", edge.term));
        });
        lines.join("\n")
    }

    fn state(&self, id: NodeId) -> String {
        let child = &self.nodes[id];
        match &child.parsed {
            Parsed::Valid(_) => format!("{} lookup(s) below", child.lookups),
            Parsed::Missing => match &child.txt.outcome {
                Outcome::Failed(f) => format!("lookup failed: {f}"),
                _ => "no SPF record".to_string(),
            },
            Parsed::Multiple(r) => format!("{} SPF records", r.len()),
            Parsed::Invalid { .. } => "syntax error".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::*;
    use crate::dns::{ResolverConfig, Zone};

    fn gather_from(zone: &str, domain: &str) -> Tree {
        let zone = Zone::parse(zone, Path::new("test.zone")).unwrap();
        let resolver = Resolver::new(ResolverConfig {
            servers: Vec::new(),
            timeout: Duration::from_secs(5),
            zones: vec![zone],
            offline: true,
        })
        .unwrap();
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(gather(&resolver, &Name::parse(domain).unwrap()))
    }

    const HEAD: &str = "$ORIGIN t.test.\n@ 300 SOA ns.t.test. h.t.test. 1 3600 600 86400 300\n\
                        h 300 A 192.0.2.1\ns1 300 TXT \"v=spf1 -all\"\n\
                        s2 300 TXT \"v=spf1 -all\"\ns3 300 TXT \"v=spf1 -all\"\n";

    #[test]
    fn a_shorter_way_to_a_record_brings_more_of_it_within_reach() {
        // n is first met after 8 lookups (its third include would be the 11th), then through
        // a after 2: everything it includes is within the limit.
        let zone = format!(
            "{HEAD}root 300 TXT \"v=spf1 include:a.t.test a:h.t.test a:h.t.test a:h.t.test \
             a:h.t.test a:h.t.test a:h.t.test include:n.t.test -all\"\n\
             a 300 TXT \"v=spf1 include:n.t.test -all\"\n\
             n 300 TXT \"v=spf1 include:s1.t.test include:s2.t.test include:s3.t.test -all\"\n"
        );
        let tree = gather_from(&zone, "root.t.test");
        let (_, n) = tree
            .nodes()
            .find(|(_, n)| n.domain.as_str() == "n.t.test")
            .unwrap();
        assert_eq!(n.before, 2);
        assert!(n.edges.iter().all(|e| matches!(e.link, Link::Node(_))));
        assert_eq!(tree.nodes().count(), 6);
        // root 8, a 1 + n, n 3 each time: n is counted twice.
        assert_eq!(
            tree.total_lookups(),
            Count {
                known: 8 + (1 + 3) + 3,
                more: false
            }
        );
    }

    #[test]
    fn what_evaluation_never_reaches_is_not_fetched() {
        let zone = format!(
            "{HEAD}root 300 TXT \"v=spf1 a:h.t.test -all include:s1.t.test \
             redirect=s2.t.test\"\n"
        );
        let tree = gather_from(&zone, "root.t.test");
        assert_eq!(
            tree.nodes().count(),
            1,
            "after `all`, and a shadowed redirect"
        );
        assert_eq!(tree.root().targets.len(), 1);
        assert_eq!(tree.root().own_lookups(), 1);
    }
}
