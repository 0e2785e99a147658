//! What an SPF graph authorises: the pass-qualified terms evaluation can reach through
//! pass-qualified includes and redirects (an included record's pass is the include's match,
//! RFC 7208 §5.2; a redirect hands over the whole result, §6.1), and how many addresses each
//! can match.

use std::sync::Arc;

use super::tree::{Addresses, Link, NodeId, Tree};
use super::{Mechanism, Qualifier};
use crate::dns::Lookup;

/// How many addresses a term passes.
#[derive(Debug, Clone)]
pub enum Reach {
    /// Every address of these families.
    Everyone { v4: bool, v6: bool },
    /// A network of this prefix length (`ip4:`/`ip6:`), or one around each address record
    /// of the target (`a`/`mx` with a prefix length: `per_address`).
    Range {
        v4: bool,
        prefix: u8,
        per_address: bool,
    },
    /// Depends on each message (a macro), so it cannot be told in advance.
    Unknown(String),
    /// A lookup that decides it failed.
    Failed(Arc<Lookup>),
}

/// A term that authorises hosts, where it is and how many.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The record holding the term.
    pub node: NodeId,
    /// The term as written.
    pub term: String,
    /// How evaluation reaches the term: "example.com → include:spf.esp.example → +all".
    pub path: String,
    pub reach: Reach,
}

impl Grant {
    pub fn is_everyone(&self) -> bool {
        matches!(self.reach, Reach::Everyone { .. })
    }
}

impl Tree {
    /// Every reachable pass-qualified term that passes more than a handful of addresses, or
    /// whose reach cannot be told: match-all terms, networks shorter than a single address,
    /// `a`/`mx` with a prefix length, `exists:`, includes and redirects that cannot be
    /// followed. `ptr` is left to its own check. Terms beyond the lookup limit are not judged.
    pub fn grants(&self) -> Vec<Grant> {
        let parents = self.parents(|e| e.qualifier == Qualifier::Pass);
        let mut out = Vec::new();
        for (id, node) in self.nodes() {
            if id != 0 && parents[id].is_none() {
                continue;
            }
            let Some(record) = node.record() else {
                continue;
            };
            let path = self.path(&parents, id);
            let mut grant = |term: &str, reach: Reach| {
                out.push(Grant {
                    node: id,
                    term: term.to_string(),
                    path: format!("{path} → {term}"),
                    reach,
                });
            };
            for (term, qualifier, mechanism) in record.reachable_directives() {
                if qualifier != Qualifier::Pass {
                    continue;
                }
                let target = node.targets.iter().find(|t| t.term == term.text);
                let families = |v4: bool| {
                    if mechanism.matches_whole_family(v4) {
                        Reach::Everyone { v4, v6: !v4 }
                    } else {
                        let prefix = match mechanism {
                            Mechanism::Ip4 { prefix, .. } => *prefix,
                            Mechanism::Ip6 { prefix, .. } => *prefix,
                            Mechanism::A { v4: p4, v6: p6, .. }
                            | Mechanism::Mx { v4: p4, v6: p6, .. } => {
                                if v4 {
                                    *p4
                                } else {
                                    *p6
                                }
                            }
                            _ => 0,
                        };
                        Reach::Range {
                            v4,
                            prefix,
                            per_address: matches!(
                                mechanism,
                                Mechanism::A { .. } | Mechanism::Mx { .. }
                            ),
                        }
                    }
                };
                match mechanism {
                    Mechanism::All => grant(&term.text, Reach::Everyone { v4: true, v6: true }),
                    Mechanism::Ip4 { prefix, .. } if *prefix < 32 => {
                        grant(&term.text, families(true));
                    }
                    Mechanism::Ip6 { prefix, .. } if *prefix < 128 => {
                        grant(&term.text, families(false));
                    }
                    Mechanism::A { domain, v4, v6 } | Mechanism::Mx { domain, v4, v6 } => {
                        for (family, short) in [(true, *v4 < 32), (false, *v6 < 128)] {
                            if !short {
                                continue;
                            }
                            let reach = match (target, domain) {
                                (Some(t), _) => match t.addresses(family) {
                                    Addresses::Some => families(family),
                                    Addresses::Failed(l) => Reach::Failed(l),
                                    Addresses::None => continue,
                                },
                                (None, Some(spec)) if spec.literal().is_none() => {
                                    Reach::Unknown("its target depends on each message".into())
                                }
                                // Beyond the lookup limit: never evaluated.
                                (None, _) => continue,
                            };
                            grant(&term.text, reach);
                        }
                    }
                    Mechanism::Exists(spec) => {
                        let reach = match target {
                            _ if spec.literal().is_none() => Reach::Unknown(
                                "whether its target answers depends on each message".into(),
                            ),
                            Some(t) => match t.addresses(true) {
                                Addresses::Some => Reach::Everyone { v4: true, v6: true },
                                Addresses::Failed(l) => Reach::Failed(l),
                                Addresses::None => continue,
                            },
                            None => continue,
                        };
                        grant(&term.text, reach);
                    }
                    Mechanism::Include(spec) if spec.literal().is_none() => grant(
                        &term.text,
                        Reach::Unknown("the record it includes depends on each message".into()),
                    ),
                    _ => {}
                }
            }
            if let (Some(spec), None) = (record.redirect(), record.all())
                && spec.literal().is_none()
            {
                grant(
                    &format!("redirect={spec}"),
                    Reach::Unknown("the record it hands over to depends on each message".into()),
                );
            }
            // Records evaluation reaches through a pass whose own lookup failed: what they
            // authorise is unknown.
            for edge in node.edges.iter().filter(|e| e.qualifier == Qualifier::Pass) {
                if let Link::Node(c) = edge.link
                    && self.node(c).txt.failure().is_some()
                {
                    grant(&edge.term, Reach::Failed(self.node(c).txt.clone()));
                }
            }
        }
        out
    }
}
