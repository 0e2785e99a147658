//! Policy discovery (RFC 7489 §6.6.3): the record at `_dmarc.<domain>`, else at
//! `_dmarc.<organizational domain>`.

use std::sync::Arc;

use super::{Malformed, Record, Rejection, organizational_domain};
use crate::dns::{Lookup, Name, RType, Resolver};

/// Which record applies.
#[derive(Debug, Clone)]
pub enum Discovery {
    /// The lookup that decides failed: nothing can be concluded.
    Failed(Arc<Lookup>),
    Missing,
    /// Two or more records at one name that receivers count as DMARC (a malformed one
    /// starting `v=DMARC1` among them): no policy applies (RFC 7489 §6.6.3).
    Multiple {
        lookup: Arc<Lookup>,
        records: Vec<Published>,
    },
    Found {
        lookup: Arc<Lookup>,
        record: Record,
    },
}

/// A TXT record at `_dmarc` meant as DMARC: read, or discarded by receivers and why.
#[derive(Debug, Clone)]
pub struct Published {
    pub text: String,
    pub read: Result<Record, Malformed>,
}

impl Published {
    /// Whether receivers count it as a DMARC record: a valid one, or one starting `v=DMARC1`
    /// that receivers testing only that prefix take for one.
    pub fn counted(&self) -> bool {
        self.read.as_ref().map_or_else(|m| m.counted, |_| true)
    }
}

impl Discovery {
    /// The domain whose record applies (the From domain or its organizational domain).
    pub fn policy_domain(&self) -> Option<Name> {
        match self {
            Discovery::Found { lookup, .. } => Some(policy_domain(lookup)),
            _ => None,
        }
    }
}

/// The record search for one domain and what it found.
#[derive(Debug, Clone)]
pub struct PolicyLookup {
    /// The domain asked about.
    pub domain: Name,
    /// `_dmarc.<domain>`, then `_dmarc.<organizational domain>` when that differs.
    pub lookups: Vec<Arc<Lookup>>,
    pub discovery: Discovery,
}

impl PolicyLookup {
    /// Whether the record came from the organizational domain rather than the domain itself,
    /// so its `sp` (not `p`) applies.
    pub fn inherited(&self) -> bool {
        self.discovery
            .policy_domain()
            .is_some_and(|owner| owner != self.domain)
    }
}

/// The names to ask, in order. A name too long for `_dmarc.` in front cannot hold a record;
/// receivers go on to the organizational domain, and so does this.
pub fn questions(domain: &Name) -> Vec<Name> {
    let org = organizational_domain(domain);
    let mut names: Vec<Name> = Vec::new();
    for d in [domain, &org] {
        if let Ok(name) = d.prepend("_dmarc")
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

/// Asks both names at once and decides.
pub async fn lookup(resolver: &Resolver, domain: &Name) -> PolicyLookup {
    let asked: Vec<(Name, RType)> = questions(domain)
        .into_iter()
        .map(|n| (n, RType::Txt))
        .collect();
    let lookups = resolver.query_all(&asked).await;
    let discovery = discover(&lookups);
    PolicyLookup {
        domain: domain.clone(),
        lookups,
        discovery,
    }
}

/// The domain whose policy a `_dmarc` lookup reads.
pub fn policy_domain(lookup: &Lookup) -> Name {
    lookup.name.parent().unwrap_or_else(|| lookup.name.clone())
}

/// The TXT records of an answer that are meant as DMARC, in the answer's order.
pub fn published(lookup: &Lookup) -> Vec<Published> {
    lookup
        .txt_records()
        .filter_map(|txt| {
            let text = String::from_utf8_lossy(&txt).into_owned();
            let read = match Record::read(&text) {
                Ok(record) => Ok(record),
                Err(Rejection::Malformed(m)) => Err(m),
                Err(Rejection::Unrelated) => return None,
            };
            Some(Published { text, read })
        })
        .collect()
}

/// The first name with a DMARC record decides; a failed lookup stops the search (a timeout
/// is not "no record"); so do two records.
pub fn discover(lookups: &[Arc<Lookup>]) -> Discovery {
    for lookup in lookups {
        if lookup.failure().is_some() {
            return Discovery::Failed(lookup.clone());
        }
        let mut records: Vec<Published> = published(lookup)
            .into_iter()
            .filter(Published::counted)
            .collect();
        match records.len() {
            0 => {}
            // Alone, a malformed record is no record, and the search goes on.
            1 => {
                if let Ok(record) = records.remove(0).read {
                    return Discovery::Found {
                        lookup: lookup.clone(),
                        record,
                    };
                }
            }
            _ => {
                return Discovery::Multiple {
                    lookup: lookup.clone(),
                    records,
                };
            }
        }
    }
    Discovery::Missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{Outcome, Rdata, Source};

    fn lookup(name: &str, outcome: Outcome) -> Arc<Lookup> {
        Arc::new(Lookup {
            name: Name::parse(name).unwrap(),
            rtype: RType::Txt,
            aliases: Vec::new(),
            outcome,
            source: Source::Zone,
        })
    }

    fn txt(records: &[&str]) -> Outcome {
        Outcome::Records(
            records
                .iter()
                .map(|r| Rdata::Txt(vec![r.as_bytes().to_vec()]))
                .collect(),
        )
    }

    #[test]
    fn asks_the_domain_then_its_organizational_domain() {
        let names = questions(&Name::parse("news.example.co.uk").unwrap());
        let names: Vec<&str> = names.iter().map(Name::as_str).collect();
        assert_eq!(names, ["_dmarc.news.example.co.uk", "_dmarc.example.co.uk"]);
        assert_eq!(questions(&Name::parse("example.com").unwrap()).len(), 1);
    }

    #[test]
    fn the_first_record_found_decides() {
        let found = discover(&[
            lookup("_dmarc.news.example.com", Outcome::NxDomain),
            lookup(
                "_dmarc.example.com",
                txt(&["v=spf1 -all", "v=DMARC1; p=reject"]),
            ),
        ]);
        let Discovery::Found { record, .. } = &found else {
            panic!("{found:?}")
        };
        assert_eq!(record.text, "v=DMARC1; p=reject");
        assert_eq!(found.policy_domain().unwrap().as_str(), "example.com");
        assert!(matches!(
            discover(&[lookup(
                "_dmarc.example.com",
                txt(&["v=DMARC1; p=none", "v=DMARC1; p=reject"])
            )]),
            Discovery::Multiple { .. }
        ));
        assert!(matches!(
            discover(&[
                lookup(
                    "_dmarc.news.example.com",
                    Outcome::Failed(crate::dns::Failure::Timeout)
                ),
                lookup("_dmarc.example.com", txt(&["v=DMARC1; p=reject"])),
            ]),
            Discovery::Failed(_)
        ));
        assert!(matches!(
            discover(&[lookup("_dmarc.example.com", txt(&["v=dmarc1; p=reject"]))]),
            Discovery::Missing
        ));
    }

    #[test]
    fn a_malformed_record_starting_v_dmarc1_counts_beside_a_valid_one() {
        let found = discover(&[lookup(
            "_dmarc.example.com",
            txt(&["v=DMARC1; p=reject", "v=DMARC1 p=none", "v=dmarc1; p=none"]),
        )]);
        let Discovery::Multiple { records, .. } = &found else {
            panic!("{found:?}")
        };
        let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["v=DMARC1; p=reject", "v=DMARC1 p=none"]);
        // Alone it is no record, and a record at the organizational domain applies.
        assert!(matches!(
            discover(&[
                lookup("_dmarc.news.example.com", txt(&["v=DMARC1 p=none"])),
                lookup("_dmarc.example.com", txt(&["v=DMARC1; p=reject"])),
            ]),
            Discovery::Found { .. }
        ));
    }
}
