//! RFC 7208 `check_host()`: the SPF result for an IP, sender and HELO name.
//!
//! Written here rather than taken from mail-auth: mail-auth's evaluator asks DNS through
//! its own hickory resolver, so it could not use deliv's resolver layer (classified
//! answers, the run's cache, `--zone` overlays, `--offline`), and it reports neither the
//! term that matched nor where a record is malformed.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::macros::{Context, Letter, MacroString, Values};
use super::reach::Grant;
use super::record::{Mechanism, Qualifier, Record, is_spf_record};
use super::tree;
use crate::dns::{Lookup, MAX_NAME_LEN, Name, Outcome, RType, Rdata, Resolver};

/// RFC 7208 §4.6.4 limits.
pub const MAX_DNS_LOOKUPS: u32 = 10;
pub const MAX_VOID_LOOKUPS: u32 = 2;
pub const MAX_MX_NAMES: usize = 10;
pub const MAX_PTR_NAMES: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpfResult {
    Pass,
    Fail,
    SoftFail,
    Neutral,
    None,
    PermError,
    TempError,
}

impl SpfResult {
    pub fn as_str(self) -> &'static str {
        match self {
            SpfResult::Pass => "pass",
            SpfResult::Fail => "fail",
            SpfResult::SoftFail => "softfail",
            SpfResult::Neutral => "neutral",
            SpfResult::None => "none",
            SpfResult::PermError => "permerror",
            SpfResult::TempError => "temperror",
        }
    }

    fn of(q: Qualifier) -> SpfResult {
        match q {
            Qualifier::Pass => SpfResult::Pass,
            Qualifier::Fail => SpfResult::Fail,
            Qualifier::SoftFail => SpfResult::SoftFail,
            Qualifier::Neutral => SpfResult::Neutral,
        }
    }
}

/// The inputs of `check_host()`.
#[derive(Clone, Debug)]
pub struct Query {
    pub ip: IpAddr,
    /// MAIL FROM; empty for a null reverse-path (then `postmaster@<helo>` is used).
    pub sender: String,
    pub helo: String,
    /// The domain whose policy is evaluated, as given (it may be malformed).
    pub domain: String,
}

/// A term that passes every address of a family, found on a pass.
#[derive(Clone, Debug, Serialize)]
pub struct Permissive {
    /// The term as written.
    pub term: String,
    /// From the domain to the term, through includes and redirects.
    pub path: String,
    /// Whether the pass came from this term (otherwise it is elsewhere in the tree).
    pub decided: bool,
}

/// The result with everything that explains it.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub result: SpfResult,
    /// The term that decided the result, as written.
    pub mechanism: Option<String>,
    /// The domain whose record holds that term.
    pub matched_in: Option<String>,
    /// How evaluation reached the term that decided, through includes and redirects:
    /// "example.com → include:_spf.example.net → ip4:192.0.2.0/24".
    pub path: Option<String>,
    /// On a pass: a term that passes every IPv4 or every IPv6 address, either the one that
    /// decided or one anywhere else in the tree, so the pass says nothing about the sender.
    pub permissive: Option<Permissive>,
    /// The `exp=` text, on `fail`.
    pub explanation: Option<String>,
    /// Why the result is none, permerror or temperror.
    pub problem: Option<String>,
    pub dns_lookups: u32,
    pub void_lookups: u32,
    /// Every DNS answer consulted, in order.
    pub consulted: Vec<Arc<Lookup>>,
    /// One line per step, indented by include/redirect depth.
    pub trace: Vec<String>,
}

/// Evaluates the domain's policy for the query (RFC 7208 §4). On a pass it also tells whether
/// the pass came from a term that passes every address of a family, or, if not, walks the
/// domain's include tree for such a term anywhere ([`Evaluation::permissive`]): the result
/// stays what the RFC says, but such a pass is no evidence about the sender.
pub async fn check_host(resolver: &Resolver, query: &Query) -> Evaluation {
    let ip = query.ip.to_canonical();
    let sender = if query.sender.is_empty() {
        format!("postmaster@{}", query.helo)
    } else {
        query.sender.clone()
    };
    let (local_part, sender_domain) = match sender.rsplit_once('@') {
        Some(("", d)) => ("postmaster".to_string(), d.to_string()),
        Some((l, d)) => (l.to_string(), d.to_string()),
        None => ("postmaster".to_string(), sender.clone()),
    };
    let mut evaluator = Evaluator {
        resolver,
        values: Values {
            sender: format!("{local_part}@{sender_domain}"),
            local_part,
            sender_domain,
            domain: query.domain.clone(),
            ip,
            validated_name: None,
            helo: query.helo.clone(),
            receiver: "unknown".to_string(),
            timestamp: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        },
        dns_lookups: 0,
        void_lookups: 0,
        consulted: Vec::new(),
        trace: Vec::new(),
        ptr_names: None,
        depth: 0,
        included: None,
    };
    let outcome = evaluator.check_host(&query.domain).await;
    let path = (!outcome.chain.is_empty())
        .then(|| format!("{} → {}", query.domain, outcome.chain.join(" → ")));
    let permissive = match (&outcome.result, &path) {
        (SpfResult::Pass, Some(path)) if outcome.whole_family => Some(Permissive {
            term: outcome.chain.last().cloned().unwrap_or_default(),
            path: path.clone(),
            decided: true,
        }),
        (SpfResult::Pass, _) => permissive_anywhere(resolver, &query.domain).await,
        _ => None,
    };
    Evaluation {
        result: outcome.result,
        mechanism: outcome.term,
        matched_in: outcome.domain,
        path,
        permissive,
        explanation: outcome.explanation,
        problem: outcome.problem,
        dns_lookups: evaluator.dns_lookups,
        void_lookups: evaluator.void_lookups,
        consulted: evaluator.consulted,
        trace: evaluator.trace,
    }
}

/// A pass is no evidence about the sender when the domain's tree passes everyone somewhere:
/// the first match-all term found in it.
async fn permissive_anywhere(resolver: &Resolver, domain: &str) -> Option<Permissive> {
    let domain = policy_domain(domain)?;
    let tree = tree::gather(resolver, &domain).await;
    let grant = tree.grants().into_iter().find(Grant::is_everyone)?;
    Some(Permissive {
        term: grant.term,
        path: grant.path,
        decided: false,
    })
}

struct Verdict {
    result: SpfResult,
    term: Option<String>,
    domain: Option<String>,
    explanation: Option<String>,
    problem: Option<String>,
    /// The terms from this record to the one that matched, through includes and redirects
    /// (boxed: verdicts travel in `Err` through every step of evaluation).
    chain: Box<[String]>,
    /// Whether the innermost term matches every address of the evaluated address's family.
    whole_family: bool,
}

impl Verdict {
    fn error(result: SpfResult, problem: impl Into<String>) -> Verdict {
        Verdict {
            result,
            term: None,
            domain: None,
            explanation: None,
            problem: Some(problem.into()),
            chain: Box::default(),
            whole_family: false,
        }
    }
    fn perm(problem: impl Into<String>) -> Verdict {
        Verdict::error(SpfResult::PermError, problem)
    }
    fn temp(problem: impl Into<String>) -> Verdict {
        Verdict::error(SpfResult::TempError, problem)
    }
}

struct Evaluator<'a> {
    resolver: &'a Resolver,
    values: Values,
    dns_lookups: u32,
    void_lookups: u32,
    consulted: Vec<Arc<Lookup>>,
    trace: Vec<String>,
    /// Validated names of the IP (for `ptr` and `%{p}`), found once.
    ptr_names: Option<Vec<Name>>,
    depth: usize,
    /// The chain and breadth of the include that just passed, for the term that matched.
    included: Option<(Vec<String>, bool)>,
}

/// A domain fit for check_host() (RFC 7208 §4.3): a multi-label name of letters, digits,
/// hyphens and underscores, whose last label is not numeric.
fn policy_domain(text: &str) -> Option<Name> {
    let name = Name::parse(text).ok()?;
    let labels_ok = name.labels().all(|l| {
        l.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    let top_ok = name
        .labels()
        .next_back()
        .is_some_and(|t| !t.bytes().all(|b| b.is_ascii_digit()));
    (name.label_count() >= 2 && labels_ok && top_ok).then_some(name)
}

/// RFC 7208 §7.3: an expansion longer than 253 characters loses labels from the left.
fn truncate_left(mut s: &str) -> &str {
    let s_trimmed = s.strip_suffix('.').unwrap_or(s);
    if s_trimmed.len() <= MAX_NAME_LEN {
        return s;
    }
    s = s_trimmed;
    while s.len() > MAX_NAME_LEN {
        match s.split_once('.') {
            Some((_, rest)) => s = rest,
            None => break,
        }
    }
    s
}

fn in_network(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

impl Evaluator<'_> {
    fn note(&mut self, line: String) {
        self.trace
            .push(format!("{}{line}", "  ".repeat(self.depth)));
    }

    async fn query(&mut self, name: &Name, rtype: RType) -> Arc<Lookup> {
        let lookup = self.resolver.query(name, rtype).await;
        self.consulted.push(lookup.clone());
        lookup
    }

    /// Counts a DNS-querying term (§4.6.4).
    fn count_lookup(&mut self, term: &str) -> Result<(), Verdict> {
        self.dns_lookups += 1;
        if self.dns_lookups > MAX_DNS_LOOKUPS {
            return Err(Verdict::perm(format!(
                "'{term}' is DNS-querying term number {}: more than {MAX_DNS_LOOKUPS} (RFC 7208 §4.6.4)",
                self.dns_lookups
            )));
        }
        Ok(())
    }

    /// Counts a lookup that found nothing (§4.6.4).
    fn count_void(&mut self, name: &Name) -> Result<(), Verdict> {
        self.void_lookups += 1;
        if self.void_lookups > MAX_VOID_LOOKUPS {
            return Err(Verdict::perm(format!(
                "lookup of {name} is void lookup number {}: more than {MAX_VOID_LOOKUPS} (RFC 7208 §4.6.4)",
                self.void_lookups
            )));
        }
        Ok(())
    }

    async fn check_host(&mut self, domain_text: &str) -> Verdict {
        let Some(domain) = policy_domain(domain_text) else {
            self.note(format!("'{domain_text}' is not a valid domain: none"));
            return Verdict::error(
                SpfResult::None,
                format!("'{domain_text}' is not a valid domain name (RFC 7208 §4.3)"),
            );
        };
        let lookup = self.query(&domain, RType::Txt).await;
        let texts: Vec<Vec<u8>> = match &lookup.outcome {
            Outcome::Failed(f) => {
                return Verdict::temp(format!("TXT lookup for {domain} failed: {f}"));
            }
            Outcome::NxDomain | Outcome::NoData => Vec::new(),
            Outcome::Records(_) => lookup.txt_records().filter(|t| is_spf_record(t)).collect(),
        };
        let record = match texts.as_slice() {
            [] => {
                self.note(format!("{domain}: no SPF record"));
                return Verdict::error(
                    SpfResult::None,
                    format!("{domain} publishes no SPF record"),
                );
            }
            [one] => one,
            _ => {
                return Verdict::perm(format!(
                    "{domain} publishes {} SPF records; there must be one (RFC 7208 §4.5)",
                    texts.len()
                ));
            }
        };
        let record = match Record::parse(record) {
            Ok(r) => r,
            Err(e) => return Verdict::perm(format!("{domain}: syntax error at {e}")),
        };
        self.note(format!("{domain}: {}", record.text));

        let saved_domain = std::mem::replace(&mut self.values.domain, domain.to_string());
        let verdict = self.evaluate(&record, &domain).await;
        self.values.domain = saved_domain;
        verdict
    }

    async fn evaluate(&mut self, record: &Record, domain: &Name) -> Verdict {
        for (term, qualifier, mechanism) in record.directives() {
            match self.matches(&term.text, mechanism, domain).await {
                Err(verdict) => return verdict,
                Ok(false) => {}
                Ok(true) => {
                    let (inner, whole_family) = match mechanism {
                        Mechanism::Include(_) => self.included.take().unwrap_or_default(),
                        _ => (
                            Vec::new(),
                            mechanism.matches_whole_family(self.values.ip.is_ipv4()),
                        ),
                    };
                    let result = SpfResult::of(qualifier);
                    self.note(format!("'{}' matches: {}", term.text, result.as_str()));
                    let explanation = if result == SpfResult::Fail {
                        self.explain(record).await
                    } else {
                        None
                    };
                    return Verdict {
                        result,
                        term: Some(term.text.clone()),
                        domain: Some(domain.to_string()),
                        explanation,
                        problem: None,
                        chain: std::iter::once(term.text.clone()).chain(inner).collect(),
                        whole_family,
                    };
                }
            }
        }
        if let Some(redirect) = record.redirect() {
            let term = format!("redirect={redirect}");
            if let Err(v) = self.count_lookup(&term) {
                return v;
            }
            let target = match self.expand_domain(redirect).await {
                Ok(t) => t,
                Err(v) => return v,
            };
            self.note(format!("{term} → {target}"));
            self.depth += 1;
            let inner = Box::pin(self.check_host(&target)).await;
            self.depth -= 1;
            if inner.result == SpfResult::None {
                return Verdict::perm(format!(
                    "redirect target {target} has no usable SPF record (RFC 7208 §6.1)"
                ));
            }
            let mut inner = inner;
            if !inner.chain.is_empty() {
                inner.chain = std::iter::once(term).chain(inner.chain).collect();
            }
            return inner;
        }
        self.note("no term matched: neutral".to_string());
        Verdict {
            result: SpfResult::Neutral,
            term: None,
            domain: Some(domain.to_string()),
            explanation: None,
            problem: None,
            chain: Box::default(),
            whole_family: false,
        }
    }

    async fn matches(
        &mut self,
        term: &str,
        mechanism: &Mechanism,
        domain: &Name,
    ) -> Result<bool, Verdict> {
        if mechanism.queries_dns() {
            self.count_lookup(term)?;
        }
        let ip = self.values.ip;
        match mechanism {
            Mechanism::All => Ok(true),
            Mechanism::Ip4 { network, prefix } => Ok(in_network(ip, IpAddr::V4(*network), *prefix)),
            Mechanism::Ip6 { network, prefix } => Ok(in_network(ip, IpAddr::V6(*network), *prefix)),
            Mechanism::Include(spec) => {
                let target = self.expand_domain(spec).await?;
                self.note(format!("{term} → {target}"));
                self.depth += 1;
                let inner = Box::pin(self.check_host(&target)).await;
                self.depth -= 1;
                match inner.result {
                    SpfResult::Pass => {
                        self.included = Some((inner.chain.into_vec(), inner.whole_family));
                        Ok(true)
                    }
                    SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => Ok(false),
                    SpfResult::TempError | SpfResult::PermError => Err(inner),
                    SpfResult::None => Err(Verdict::perm(format!(
                        "'{term}': {target} has no usable SPF record (RFC 7208 §5.2)"
                    ))),
                }
            }
            Mechanism::A {
                domain: spec,
                v4,
                v6,
            } => {
                let Some(target) = self.target(spec.as_ref(), domain).await? else {
                    return Ok(false);
                };
                let addresses = self.addresses(&target, true).await?;
                Ok(addresses.iter().any(|a| self.within(*a, *v4, *v6)))
            }
            Mechanism::Mx {
                domain: spec,
                v4,
                v6,
            } => {
                let Some(target) = self.target(spec.as_ref(), domain).await? else {
                    return Ok(false);
                };
                let Some(lookup) = self.lookup_counted(&target, RType::Mx, true).await? else {
                    return Ok(false);
                };
                let hosts: Vec<Name> = lookup
                    .records()
                    .iter()
                    .filter_map(|r| match r {
                        Rdata::Mx { exchange, .. } if !exchange.is_root() => Some(exchange.clone()),
                        _ => None,
                    })
                    .collect();
                if hosts.len() > MAX_MX_NAMES {
                    return Err(Verdict::perm(format!(
                        "'{term}': {target} has {} MX hosts; at most {MAX_MX_NAMES} may be looked up (RFC 7208 §4.6.4)",
                        hosts.len()
                    )));
                }
                for host in hosts {
                    let addresses = self.addresses(&host, false).await?;
                    if addresses.iter().any(|a| self.within(*a, *v4, *v6)) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Mechanism::Ptr(spec) => {
                let Some(target) = self.target(spec.as_ref(), domain).await? else {
                    return Ok(false);
                };
                let names = self.validated_names().await;
                Ok(names.iter().any(|n| n.is_subdomain_of(&target)))
            }
            Mechanism::Exists(spec) => {
                let Some(target) = self.target(Some(spec), domain).await? else {
                    return Ok(false);
                };
                Ok(self
                    .lookup_counted(&target, RType::A, true)
                    .await?
                    .is_some())
            }
        }
    }

    fn within(&self, candidate: IpAddr, v4: u8, v6: u8) -> bool {
        let prefix = if candidate.is_ipv4() { v4 } else { v6 };
        in_network(self.values.ip, candidate, prefix)
    }

    /// The name a/mx/ptr act on: the expanded argument, or the current domain.
    async fn target(
        &mut self,
        spec: Option<&MacroString>,
        domain: &Name,
    ) -> Result<Option<Name>, Verdict> {
        match spec {
            None => Ok(Some(domain.clone())),
            Some(spec) => Ok(Name::parse(&self.expand_domain(spec).await?).ok()),
        }
    }

    /// A mechanism's lookup: a failure is temperror; an empty answer is `None`, counted as
    /// void when `counts_void` (the mechanism's own lookup, not an MX host's addresses).
    async fn lookup_counted(
        &mut self,
        name: &Name,
        rtype: RType,
        counts_void: bool,
    ) -> Result<Option<Arc<Lookup>>, Verdict> {
        let lookup = self.query(name, rtype).await;
        match &lookup.outcome {
            Outcome::Failed(f) => Err(Verdict::temp(format!(
                "{rtype} lookup for {name} failed: {f}"
            ))),
            Outcome::NoData | Outcome::NxDomain => {
                if counts_void {
                    self.count_void(name)?;
                }
                Ok(None)
            }
            Outcome::Records(_) => Ok(Some(lookup)),
        }
    }

    /// A or AAAA records of `name`, by the IP's family.
    async fn addresses(&mut self, name: &Name, counts_void: bool) -> Result<Vec<IpAddr>, Verdict> {
        let rtype = if self.values.ip.is_ipv4() {
            RType::A
        } else {
            RType::Aaaa
        };
        let lookup = self.lookup_counted(name, rtype, counts_void).await?;
        Ok(lookup.map(|l| l.addresses().collect()).unwrap_or_default())
    }

    /// Names the IP's PTR records give that resolve back to it (RFC 7208 §5.5), at most 10
    /// tried. Failures make the list shorter, never an error.
    async fn validated_names(&mut self) -> Vec<Name> {
        if let Some(names) = &self.ptr_names {
            return names.clone();
        }
        let ip = self.values.ip;
        let lookup = self.query(&Name::reverse(ip), RType::Ptr).await;
        let candidates: Vec<Name> = lookup
            .records()
            .iter()
            .filter_map(|r| match r {
                Rdata::Ptr(n) => Some(n.clone()),
                _ => None,
            })
            .take(MAX_PTR_NAMES)
            .collect();
        let mut validated = Vec::new();
        for name in candidates {
            let rtype = if ip.is_ipv4() { RType::A } else { RType::Aaaa };
            let forward = self.query(&name, rtype).await;
            if forward.addresses().any(|a| a == ip) {
                validated.push(name);
            }
        }
        self.ptr_names = Some(validated.clone());
        validated
    }

    /// Expands a domain-spec with the current values (§7.3), trimming an over-long result.
    async fn expand_domain(&mut self, spec: &MacroString) -> Result<String, Verdict> {
        self.prepare(spec).await;
        let expanded = spec.expand(&self.values);
        Ok(truncate_left(&expanded).to_string())
    }

    /// Finds `%{p}` (a DNS walk) only when the text uses it; a validated name under the
    /// current domain is preferred (§7.3).
    async fn prepare(&mut self, spec: &MacroString) {
        if spec.uses(Letter::ValidatedName) {
            let names = self.validated_names().await;
            let domain = Name::parse(&self.values.domain).ok();
            let best = domain
                .as_ref()
                .and_then(|d| names.iter().find(|n| n.is_subdomain_of(d)))
                .or(names.first());
            self.values.validated_name = best.map(ToString::to_string);
        }
    }

    /// The `exp=` explanation of a record that failed (§6.2); any problem means none.
    async fn explain(&mut self, record: &Record) -> Option<String> {
        let spec = record.exp()?;
        let target = Name::parse(&self.expand_domain(spec).await.ok()?).ok()?;
        let lookup = self.query(&target, RType::Txt).await;
        let [text] = lookup.txt_records().collect::<Vec<_>>().try_into().ok()?;
        let text = String::from_utf8(text).ok()?;
        let message = MacroString::parse(&text, Context::Explanation).ok()?;
        self.prepare(&message).await;
        Some(message.expand(&self.values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(in_network(ip("192.0.2.77"), ip("192.0.2.0"), 24));
        assert!(!in_network(ip("192.0.3.1"), ip("192.0.2.0"), 24));
        assert!(in_network(ip("10.0.0.1"), ip("192.0.2.0"), 0));
        assert!(in_network(ip("2001:db8::1"), ip("2001:db8::"), 32));
        assert!(!in_network(ip("192.0.2.1"), ip("::"), 0));
    }

    #[test]
    fn policy_domains() {
        assert!(policy_domain("example.com").is_some());
        assert!(policy_domain("example.com.").is_some());
        assert!(policy_domain("_spf.example.com").is_some());
        assert!(policy_domain("A2345678").is_none());
        assert!(policy_domain("[1.2.3.5]").is_none());
        assert!(policy_domain("1.2.3.5").is_none());
        assert!(policy_domain("a...example.com").is_none());
        assert!(policy_domain(&format!("{}.example.com", "a".repeat(64))).is_none());
    }

    #[test]
    fn long_expansions_lose_left_labels() {
        let long = format!("{}.example.com", vec!["abcdefghij"; 30].join("."));
        let cut = truncate_left(&long);
        assert!(cut.len() <= 253);
        assert!(cut.ends_with(".example.com"));
        assert!(cut.starts_with("abcdefghij."));
    }
}
