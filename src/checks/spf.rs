//! SPF lint: the record, its include/redirect tree and the RFC 7208 §4.6.4 limits, read
//! statically (every branch, as if no term matched early) so the worst case shows.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::checks::area::{AreaDef, Ctx, Facts, SubjectKind, facts};
use crate::checks::finding::{Area, Evidence, Finding, Status, checks};
use crate::dns::{Lookup, Name, Outcome, RType, Rdata};
use crate::spf::eval::{MAX_DNS_LOOKUPS, MAX_MX_NAMES, MAX_VOID_LOOKUPS};
use crate::spf::tree::{self, Node, Parsed};
use crate::spf::{Evaluation, Mechanism, Qualifier, Query, SpfResult, SyntaxError, TermKind};

pub const NAME: Area = Area::new("spf");

pub static AREA: AreaDef = AreaDef {
    area: NAME,
    subjects: &[SubjectKind::Domain],
    reads: &[],
    checks: CHECKS,
    gather: facts::<SpfFacts>,
    check: |g| check(g.facts()),
};

checks! {
    area: NAME;

    /// ## What it checks
    /// That the domain publishes exactly one SPF record: a TXT record starting `v=spf1`.
    ///
    /// ## Why it matters
    /// Gmail and Yahoo require SPF or DKIM from every sender and both from bulk senders;
    /// Outlook.com requires SPF to pass for high-volume senders. With no record, SPF
    /// evaluates to `none`; with two or more it is `permerror` (RFC 7208 §4.5) and counts
    /// as a failure everywhere.
    ///
    /// ## How to fix
    /// Publish one TXT record at the domain listing everything that sends as it, ending in
    /// `-all` or `~all`, e.g. `example.com. IN TXT "v=spf1 mx include:_spf.google.com -all"`.
    /// Merge multiple records into one.
    SPF_RECORD = "spf.record", "Domain publishes one SPF record",
    references ["RFC 7208 §4.5", "https://support.google.com/mail/answer/81126",
                "https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// The record's syntax, term by term (RFC 7208 §12 ABNF), in the domain's record and in
    /// every record it includes or redirects to.
    ///
    /// ## Why it matters
    /// A syntax error anywhere makes the whole evaluation `permerror`: receivers treat the
    /// mail as failing SPF, and DMARC cannot pass on SPF.
    ///
    /// ## How to fix
    /// Correct the term at the column shown. Common mistakes: `ip4:` with a host name,
    /// prefix lengths out of range (`/33`), `include` without a colon, stray characters
    /// from copy-paste (non-ASCII quotes, line breaks).
    SPF_SYNTAX = "spf.syntax", "SPF records parse",
    references ["RFC 7208 §4.6", "RFC 7208 §12"];

    /// ## What it checks
    /// The number of DNS-querying terms (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`)
    /// over the whole include tree, against the limit of 10, and the number of MX hosts an
    /// `mx` term must look up, against 10.
    ///
    /// ## Why it matters
    /// Receivers stop at the 11th lookup and return `permerror` (RFC 7208 §4.6.4), which
    /// fails SPF for all mail, whichever IP sent it. Provider includes grow over time, so a
    /// record at 9 or 10 breaks without any change of yours. Microsoft names this limit.
    ///
    /// ## How to fix
    /// Remove includes of services you no longer use; replace `a`/`mx` terms with the
    /// `ip4:`/`ip6:` ranges they stand for; move senders that need their own includes to a
    /// subdomain (e.g. `news.example.com`) with its own record. Flattening a provider's
    /// include into addresses works but must be kept in sync with the provider.
    SPF_LOOKUP_LIMIT = "spf.lookup-limit", "At most 10 DNS lookups",
    references ["RFC 7208 §4.6.4",
                "https://techcommunity.microsoft.com/blog/MicrosoftDefenderforOffice365Blog/strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90volume-senders/4399730"];

    /// ## What it checks
    /// Terms whose lookups find nothing (NXDOMAIN or no records): `a`, `mx` and `exists`
    /// targets, against the limit of 2. (An include of a name without a record is
    /// `spf.include-target`.)
    ///
    /// ## Why it matters
    /// More than two void lookups make SPF `permerror` (RFC 7208 §4.6.4). Void lookups are
    /// usually left-overs: a host that was renamed, a provider you left.
    ///
    /// ## How to fix
    /// Remove the terms that point at names without records, or publish the records.
    SPF_VOID_LOOKUPS = "spf.void-lookups", "At most 2 void lookups",
    references ["RFC 7208 §4.6.4"];

    /// ## What it checks
    /// That every `include:` and `redirect=` target publishes an SPF record.
    ///
    /// ## Why it matters
    /// An include whose target has no SPF record is `permerror` (RFC 7208 §5.2), as is a
    /// redirect to a domain without one (§6.1): SPF fails for all mail.
    ///
    /// ## How to fix
    /// Fix the target name (a typo, or a provider's old include name), or remove the term.
    SPF_INCLUDE_TARGET = "spf.include-target", "Include and redirect targets have SPF records",
    references ["RFC 7208 §5.2", "RFC 7208 §6.1"];

    /// ## What it checks
    /// Include or redirect chains that lead back to a record already on the path.
    ///
    /// ## Why it matters
    /// A loop never ends by itself; receivers stop it at the lookup limit with `permerror`.
    ///
    /// ## How to fix
    /// Remove the include or redirect that points back up the chain.
    SPF_INCLUDE_LOOP = "spf.include-loop", "No include or redirect loops",
    references ["RFC 7208 §4.6.4", "RFC 7208 §5.2"];

    /// ## What it checks
    /// How the record ends: its `all` term, or the `all` of the record it redirects to.
    ///
    /// ## Why it matters
    /// `+all` lets every host on the Internet pass SPF for the domain. `?all` and a
    /// missing `all` give `neutral`, which protects nothing. `-all` (fail) and `~all`
    /// (softfail) both tell receivers that unlisted hosts are not yours; with DMARC in place
    /// either works, and Microsoft recommends `-all`.
    ///
    /// ## How to fix
    /// End the record with `-all` once it lists every sender (or `~all` while you are still
    /// finding them).
    SPF_ALL = "spf.all", "Record ends in -all or ~all",
    references ["RFC 7208 §5.1", "RFC 7208 §8",
                "https://learn.microsoft.com/en-us/defender-office-365/email-authentication-spf-configure"];

    /// ## What it checks
    /// A `redirect=` in a record that also has an `all` term.
    ///
    /// ## Why it matters
    /// Receivers ignore `redirect` when `all` is present (RFC 7208 §5.1), so the record the
    /// redirect names never counts, which is rarely what was meant.
    ///
    /// ## How to fix
    /// Remove the `all` term to use the redirect, or remove the redirect.
    SPF_REDIRECT_IGNORED = "spf.redirect-ignored", "redirect= is not shadowed by all",
    references ["RFC 7208 §5.1", "RFC 7208 §6.1"];

    /// ## What it checks
    /// The `ptr` mechanism.
    ///
    /// ## Why it matters
    /// RFC 7208 §5.5 says `ptr` SHOULD NOT be used: it is slow, costs many lookups and
    /// depends on reverse DNS the domain owner rarely controls. Some receivers skip it.
    ///
    /// ## How to fix
    /// Replace `ptr` with `ip4:`/`ip6:` ranges or `a:` terms for the sending hosts.
    SPF_PTR = "spf.ptr", "No ptr mechanism",
    references ["RFC 7208 §5.5"];

    /// ## What it checks
    /// Macros (`%{i}`, `%{l}` …) in the record.
    ///
    /// ## Why it matters
    /// Macros are legitimate but their targets depend on each message, so lookups and void
    /// lookups cannot be counted in advance and this lint cannot follow those branches.
    ///
    /// ## How to fix
    /// Nothing, if the macros are intended; test them with `deliv spf DOMAIN --ip IP --sender ADDR`.
    SPF_MACROS = "spf.macros", "Macros noted",
    references ["RFC 7208 §7"];

    /// ## What it checks
    /// The size of the TXT data: each character-string must be at most 255 octets, and the
    /// whole TXT answer should fit a 512-byte UDP response.
    ///
    /// ## Why it matters
    /// A string over 255 octets cannot be published (DNS servers refuse the zone or split
    /// it wrongly). A larger answer needs EDNS or TCP; receivers behind resolvers that
    /// cannot do either get `temperror`.
    ///
    /// ## How to fix
    /// Split long records into quoted strings of at most 255 characters
    /// (`"v=spf1 ... " "include:..."`; they are joined without spaces). Shrink the answer by
    /// removing unused terms and stale TXT records at the same name.
    SPF_TXT_SIZE = "spf.txt-size", "TXT data fits DNS limits",
    references ["RFC 7208 §3.3", "RFC 1035 §3.3.14"];

    /// ## What it checks
    /// Records of the deprecated SPF RR type (99).
    ///
    /// ## Why it matters
    /// RFC 7208 §3.1 removed the SPF type; receivers read only TXT. A type-99 record that
    /// differs from the TXT record misleads whoever maintains the zone.
    ///
    /// ## How to fix
    /// Delete the SPF-type record and keep the TXT record.
    SPF_RR_TYPE = "spf.rr-type", "No deprecated SPF-type records",
    references ["RFC 7208 §3.1", "RFC 7208 §14.1"];

    /// ## What it checks
    /// `ip4:`/`ip6:` ranges so wide they authorise networks the domain cannot own:
    /// IPv4 shorter than /8 or IPv6 shorter than /16 fail; /8–/16 (IPv4) and /16–/32 (IPv6) warn.
    ///
    /// ## Why it matters
    /// A huge range lets everyone else in it send as the domain with SPF passing; some
    /// receivers treat such records as a spam signal.
    ///
    /// ## How to fix
    /// List the sending hosts' addresses or the provider's published include instead.
    SPF_BROAD_RANGE = "spf.broad-range", "No overly broad ip4/ip6 ranges",
    references ["RFC 7208 §5.6"];
}

#[derive(Debug, Clone)]
pub struct SpfFacts {
    pub domain: Name,
    pub tree: Node,
    pub spf_type: Arc<Lookup>,
}

impl Facts for SpfFacts {
    fn gather<'c>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, Self> {
        Box::pin(async move {
            let domain = ctx.domain();
            let (tree, spf_type) = tokio::join!(
                tree::gather(ctx.resolver, domain),
                ctx.resolver.query(domain, RType::Spf)
            );
            SpfFacts {
                domain: domain.clone(),
                tree,
                spf_type,
            }
        })
    }
}

pub fn check(ev: &SpfFacts) -> Vec<Finding> {
    let root = &ev.tree;
    let mut out = Vec::new();
    let rr_type = rr_type(ev);
    match &root.parsed {
        Parsed::Missing => {
            out.push(missing(root));
            if root.txt.failure().is_none() {
                out.extend(rr_type);
            }
            return out;
        }
        Parsed::Multiple(records) => {
            out.push(
                SPF_RECORD
                    .fail(format!(
                        "{} publishes {} SPF records; receivers return permerror",
                        root.domain,
                        records.len()
                    ))
                    .evidence(&root.txt)
                    .remediation(format!(
                        "Merge them into one TXT record at {}: keep one `v=spf1` and the union of \
                         the terms, ending in a single `-all` or `~all`.",
                        root.domain
                    )),
            );
            out.extend(rr_type);
            return out;
        }
        Parsed::Invalid { .. } | Parsed::Valid(_) => {
            out.push(
                SPF_RECORD
                    .pass(format!("{} publishes one SPF record", root.domain))
                    .evidence(&root.txt),
            );
        }
    }
    out.push(syntax(root));
    if matches!(root.parsed, Parsed::Invalid { .. }) {
        out.extend(txt_size(root));
        out.extend(rr_type);
        return out;
    }
    let tree = Evidence::note("include tree", root.render());
    out.push(lookup_limit(root, &tree));
    out.push(void_lookups(root));
    out.extend(include_targets(root, &tree));
    out.extend(all_term(root));
    out.extend(redirect_ignored(root));
    out.extend(ptr_and_macros(root));
    out.extend(txt_size(root));
    out.extend(rr_type);
    out.extend(broad_ranges(root));
    out
}

/// What a `check_host()` result means for the sender who asked (`deliv spf --ip`).
#[derive(Debug, Clone)]
pub struct Verdict {
    pub status: Status,
    /// What to change when mail from the address does not pass.
    pub remediation: Option<String>,
}

/// Anything that is not `pass` keeps mail from authenticating by SPF (neutral is only a
/// warning: it neither helps nor fails).
pub fn judge(query: &Query, evaluation: &Evaluation) -> Verdict {
    let (domain, ip) = (&query.domain, query.ip.to_canonical());
    let family = if ip.is_ipv4() { "ip4" } else { "ip6" };
    let problem = evaluation.problem.as_deref().unwrap_or("");
    let (status, remediation) = match evaluation.result {
        SpfResult::Pass => (Status::Pass, None),
        SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => (
            if evaluation.result == SpfResult::Neutral {
                Status::Warn
            } else {
                Status::Fail
            },
            Some(format!(
                "{ip} is not authorised by {domain}: if it sends for {domain}, add `{family}:{ip}` (or its \
                 provider's include) to the record, before the `all` term"
            )),
        ),
        SpfResult::None => (
            Status::Fail,
            Some(format!(
                "{domain} has no SPF record: publish one listing every sender, e.g. `v=spf1 {family}:{ip} -all`"
            )),
        ),
        SpfResult::PermError => (
            Status::Fail,
            Some(format!(
                "receivers treat this as a failure for every message: {problem}; `deliv spf {domain}` lints the record"
            )),
        ),
        SpfResult::TempError => (
            Status::Error,
            Some(format!(
                "a DNS lookup failed ({problem}); nothing is concluded: retry"
            )),
        ),
    };
    Verdict {
        status,
        remediation,
    }
}

fn missing(root: &Node) -> Finding {
    if root.txt.failure().is_some() {
        return SPF_RECORD.lookup_error(&root.txt);
    }
    let none = match root.txt.outcome {
        Outcome::NxDomain => format!(
            "{} does not exist (NXDOMAIN), so it has no SPF record",
            root.domain
        ),
        _ => format!("{} publishes no SPF record", root.domain),
    };
    SPF_RECORD
        .fail(none)
        .evidence(&root.txt)
        .detail("Without SPF, receivers evaluate `none`: Gmail and Yahoo bulk senders need SPF and DKIM, Outlook.com requires SPF to pass.")
        .remediation(format!(
            "Publish one TXT record at {0} naming every sender, e.g. `{0}. IN TXT \"v=spf1 mx -all\"`; \
             add `include:_spf.google.com` for Google Workspace, `include:spf.protection.outlook.com` \
             for Microsoft 365, or your provider's include. A domain that sends no mail publishes \
             `v=spf1 -all`.",
            root.domain
        ))
}

fn syntax(root: &Node) -> Finding {
    let broken: Vec<(&Node, &String, &SyntaxError)> = root
        .walk()
        .into_iter()
        .filter_map(|n| match &n.parsed {
            Parsed::Invalid { text, error } => Some((n, text, error)),
            _ => None,
        })
        .collect();
    let Some((node, text, error)) = broken.first() else {
        return SPF_SYNTAX.pass("every SPF record in the tree parses");
    };
    let whose = if node.domain == root.domain {
        "the record".to_string()
    } else {
        format!("the record of {} (included)", node.domain)
    };
    let pointer = format!("{text}\n{}^", " ".repeat(error.column.saturating_sub(1)));
    SPF_SYNTAX
        .fail(format!("syntax error in {whose}: {error}"))
        .evidence(&node.txt)
        .evidence(Evidence::note("position", pointer))
        .detail("Receivers return permerror for the whole evaluation: SPF fails for every message.")
        .remediation(if node.domain == root.domain {
            format!("Correct the term '{}' in the TXT record of {}.", error.term, node.domain)
        } else {
            format!(
                "The included record of {} is broken; remove the include or ask its owner to fix it.",
                node.domain
            )
        })
}

fn lookup_limit(root: &Node, tree: &Evidence) -> Finding {
    let total = root.total_lookups();
    let failures = root.failures();
    let too_many_mx: Vec<String> = root
        .walk()
        .into_iter()
        .flat_map(|n| n.targets.iter())
        .filter_map(|t| {
            let mx = t.lookups.iter().find(|l| l.rtype == RType::Mx)?;
            let count = mx
                .records()
                .iter()
                .filter(|r| matches!(r, Rdata::Mx { exchange, .. } if !exchange.is_root()))
                .count();
            (count > MAX_MX_NAMES).then(|| format!("'{}' has {count} MX hosts", t.term))
        })
        .collect();
    let fix = "Remove includes you no longer use, replace a/mx terms with ip4:/ip6: ranges, or move a \
               sender to a subdomain with its own record; see `deliv explain spf.lookup-limit`.";
    let finding = if total > MAX_DNS_LOOKUPS {
        SPF_LOOKUP_LIMIT
            .fail(format!("{total} DNS lookups: over the limit of {MAX_DNS_LOOKUPS}; receivers return permerror"))
            .remediation(fix)
    } else if !too_many_mx.is_empty() {
        SPF_LOOKUP_LIMIT
            .fail(format!(
                "{}: more than {MAX_MX_NAMES} MX hosts is permerror",
                too_many_mx.join("; ")
            ))
            .remediation("Replace the mx term with ip4:/ip6: ranges of the hosts that send.")
    } else if let Some(failed) = failures.first() {
        return SPF_LOOKUP_LIMIT
            .lookup_error(failed)
            .evidence(tree.clone())
            .detail(format!(
                "At least {total} lookups; the branches behind failed lookups could not be counted."
            ));
    } else if total + 1 >= MAX_DNS_LOOKUPS {
        SPF_LOOKUP_LIMIT
            .warn(format!(
                "{total} DNS lookups: at the edge of the limit of {MAX_DNS_LOOKUPS}"
            ))
            .detail("A provider adding one include to its record would push this over the limit.")
            .remediation(fix)
    } else {
        SPF_LOOKUP_LIMIT.pass(format!(
            "{total} DNS lookup(s) of {MAX_DNS_LOOKUPS} allowed"
        ))
    };
    finding.evidence(tree.clone())
}

/// `a`, `mx` and `exists` terms whose lookups find nothing, with the lookup that shows it.
fn voids(root: &Node) -> Vec<(String, &Arc<Lookup>)> {
    let mut out = Vec::new();
    for node in root.walk() {
        for t in &node.targets {
            if t.lookups.iter().all(|l| l.is_empty_answer()) {
                out.push((format!("{}: '{}'", node.domain, t.term), &t.lookups[0]));
            }
        }
    }
    out
}

fn void_lookups(root: &Node) -> Finding {
    let found = voids(root);
    let count = u32::try_from(found.len()).unwrap_or(u32::MAX);
    let list = found
        .iter()
        .map(|(t, _)| t.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let evidence: Vec<Evidence> = found.iter().map(|(_, l)| Evidence::from(*l)).collect();
    let fix = "Remove the terms that point at names without records, or publish those records.";
    if count > MAX_VOID_LOOKUPS {
        SPF_VOID_LOOKUPS
            .fail(format!(
                "{count} void lookups (over {MAX_VOID_LOOKUPS}, permerror): {list}"
            ))
            .evidence_all(evidence)
            .remediation(fix)
    } else if count > 0 {
        SPF_VOID_LOOKUPS
            .warn(format!(
                "{count} void lookup(s) of {MAX_VOID_LOOKUPS} allowed: {list}"
            ))
            .evidence_all(evidence)
            .remediation(fix)
    } else if let Some(failed) = root.failures().first() {
        SPF_VOID_LOOKUPS.lookup_error(failed)
    } else {
        SPF_VOID_LOOKUPS.pass("no void lookups")
    }
}

fn include_targets(root: &Node, tree: &Evidence) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut loops = Vec::new();
    for node in root.walk() {
        for edge in &node.edges {
            let Some(child) = &edge.child else {
                loops.push(format!("{}: '{}'", node.domain, edge.term));
                continue;
            };
            match &child.parsed {
                Parsed::Missing if child.txt.failure().is_some() => {
                    out.push(SPF_INCLUDE_TARGET.lookup_error(&child.txt));
                }
                Parsed::Missing => out.push(
                    SPF_INCLUDE_TARGET
                        .fail(format!("'{}' in {}: {} has no SPF record (permerror)", edge.term, node.domain, edge.target))
                        .evidence(&child.txt)
                        .remediation(format!(
                            "Check the spelling of {} against your provider's documentation, or remove '{}'.",
                            edge.target, edge.term
                        )),
                ),
                Parsed::Multiple(r) => out.push(
                    SPF_INCLUDE_TARGET
                        .fail(format!("'{}' in {}: {} has {} SPF records (permerror)", edge.term, node.domain, edge.target, r.len()))
                        .evidence(&child.txt)
                        .remediation(format!("{} must publish one SPF record; remove '{}' until it does.", edge.target, edge.term)),
                ),
                Parsed::Invalid { .. } | Parsed::Valid(_) => {}
            }
        }
    }
    if out.is_empty() && root.walk().len() > 1 {
        out.push(
            SPF_INCLUDE_TARGET
                .pass("every include and redirect target has an SPF record")
                .evidence(tree.clone()),
        );
    }
    if !loops.is_empty() {
        out.push(
            SPF_INCLUDE_LOOP
                .fail(format!("include/redirect loop: {}", loops.join("; ")))
                .evidence(tree.clone())
                .remediation("Remove the include or redirect that points back to a record already on the chain."),
        );
    }
    out
}

/// The record that decides what unmatched mail gets: follow redirects while there is no `all`.
fn effective_end(root: &Node) -> (&Node, Option<Qualifier>) {
    let mut node = root;
    loop {
        let Some(record) = node.record() else {
            return (node, None);
        };
        if let Some((_, q)) = record.all() {
            return (node, Some(q));
        }
        match node
            .edges
            .iter()
            .find(|e| e.redirect)
            .and_then(|e| e.child.as_deref())
        {
            Some(next) => node = next,
            None => return (node, None),
        }
    }
}

fn all_term(root: &Node) -> Option<Finding> {
    let (node, qualifier) = effective_end(root);
    let record = node.record()?;
    let via = if node.domain == root.domain {
        String::new()
    } else {
        format!(" (via redirect to {})", node.domain)
    };
    let finding = match qualifier {
        Some(Qualifier::Fail) => SPF_ALL.pass(format!("ends in -all{via}: unlisted hosts fail")),
        Some(Qualifier::SoftFail) => {
            SPF_ALL.pass(format!("ends in ~all{via}: unlisted hosts softfail"))
        }
        Some(Qualifier::Pass) => SPF_ALL
            .fail(format!(
                "ends in +all{via}: every host on the Internet passes SPF"
            ))
            .remediation(
                "Replace `+all` with `-all` (or `~all` while you are still listing senders).",
            ),
        Some(Qualifier::Neutral) => SPF_ALL
            .warn(format!(
                "ends in ?all{via}: unlisted hosts get neutral, which protects nothing"
            ))
            .remediation("Replace `?all` with `~all`, then `-all` once every sender is listed."),
        None if record.redirect().is_some() => return None,
        None => SPF_ALL
            .warn(format!("no all term{via}: unlisted hosts get neutral"))
            .remediation("End the record with `-all` (or `~all`)."),
    };
    Some(finding.evidence(&node.txt))
}

fn redirect_ignored(root: &Node) -> Option<Finding> {
    let record = root.record()?;
    let redirect = record.redirect()?;
    let (all, _) = record.all()?;
    Some(
        SPF_REDIRECT_IGNORED
            .warn(format!(
                "redirect={redirect} is ignored because the record has '{}'",
                all.text
            ))
            .evidence(&root.txt)
            .remediation(format!(
                "Remove '{}' to use the redirect, or remove redirect={redirect}.",
                all.text
            )),
    )
}

fn ptr_and_macros(root: &Node) -> Vec<Finding> {
    let mut ptr = Vec::new();
    let mut macros = Vec::new();
    for node in root.walk() {
        let Some(record) = node.record() else {
            continue;
        };
        for term in &record.terms {
            if let TermKind::Directive {
                mechanism: Mechanism::Ptr(_),
                ..
            } = term.kind
            {
                ptr.push(format!("{}: '{}'", node.domain, term.text));
            }
            if term.text.contains('%') {
                macros.push(format!("{}: '{}'", node.domain, term.text));
            }
        }
    }
    let mut out = Vec::new();
    if !ptr.is_empty() {
        out.push(
            SPF_PTR
                .warn(format!("deprecated ptr mechanism: {}", ptr.join("; ")))
                .evidence(&root.txt)
                .remediation(
                    "Replace ptr with ip4:/ip6: ranges or a: terms naming the sending hosts.",
                ),
        );
    }
    if !macros.is_empty() {
        out.push(
            SPF_MACROS
                .info(format!(
                    "macros (branches not counted here): {}",
                    macros.join("; ")
                ))
                .evidence(&root.txt)
                .remediation("Test the macros with `deliv spf DOMAIN --ip IP --sender ADDR`."),
        );
    }
    out
}

/// Bytes of a DNS response carrying these TXT records for `name`, without EDNS.
fn response_size(name: &Name, records: &[Rdata]) -> usize {
    let question = name.as_str().len() + 2 + 4;
    let answers: usize = records
        .iter()
        .map(|r| match r {
            Rdata::Txt(parts) => 2 + 10 + parts.iter().map(|p| p.len() + 1).sum::<usize>(),
            _ => 0,
        })
        .sum();
    12 + question + answers
}

fn txt_size(root: &Node) -> Vec<Finding> {
    let records = root.txt.records();
    let long: Vec<usize> = records
        .iter()
        .filter_map(|r| match r {
            Rdata::Txt(parts) => parts.iter().map(Vec::len).find(|&l| l > 255),
            _ => None,
        })
        .collect();
    if let Some(len) = long.first() {
        return vec![SPF_TXT_SIZE
            .fail(format!("a TXT string of {len} characters: at most 255 can be published"))
            .evidence(&root.txt)
            .remediation("Split the record into quoted strings of at most 255 characters each; receivers join them without spaces.")];
    }
    let size = response_size(&root.domain, records);
    if size > 512 {
        return vec![SPF_TXT_SIZE
            .warn(format!("the TXT answer for {} is about {size} bytes: over 512, it needs EDNS or TCP", root.domain))
            .evidence(&root.txt)
            .remediation("Remove stale TXT records at this name (old verification tokens) and unused SPF terms.")];
    }
    vec![SPF_TXT_SIZE.pass(format!(
        "TXT answer about {size} bytes, every string within 255"
    ))]
}

fn rr_type(ev: &SpfFacts) -> Option<Finding> {
    let lookup = &ev.spf_type;
    match &lookup.outcome {
        Outcome::Records(_) => Some(
            SPF_RR_TYPE
                .warn(format!(
                    "{} publishes the deprecated SPF record type (99)",
                    ev.domain
                ))
                .evidence(lookup)
                .remediation(format!(
                    "Delete the SPF-type record at {}; keep only the TXT record.",
                    ev.domain
                )),
        ),
        // Many servers mishandle type 99; a failure here says nothing about the TXT record.
        Outcome::Failed(f) => Some(
            SPF_RR_TYPE
                .info(format!("could not check for SPF-type records ({f})"))
                .evidence(lookup),
        ),
        Outcome::NoData | Outcome::NxDomain => None,
    }
}

fn broad_ranges(root: &Node) -> Vec<Finding> {
    let Some(record) = root.record() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (term, qualifier, mechanism) in record.directives() {
        if matches!(qualifier, Qualifier::Fail | Qualifier::SoftFail) {
            continue;
        }
        let (prefix, fail_below, warn_to) = match mechanism {
            Mechanism::Ip4 { prefix, .. } => (*prefix, 8, 16),
            Mechanism::Ip6 { prefix, .. } => (*prefix, 16, 32),
            _ => continue,
        };
        let fix = format!(
            "Replace '{}' with the addresses of the hosts that send.",
            term.text
        );
        if prefix < fail_below {
            out.push(
                SPF_BROAD_RANGE
                    .fail(format!("'{}' authorises a huge range", term.text))
                    .evidence(&root.txt)
                    .remediation(fix),
            );
        } else if prefix <= warn_to {
            out.push(
                SPF_BROAD_RANGE
                    .warn(format!("'{}' authorises a very broad range", term.text))
                    .evidence(&root.txt)
                    .remediation(fix),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::Source;
    use crate::spf::tree::{Edge, parse_txt};

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    fn lookup(n: &str, rtype: RType, outcome: Outcome) -> Arc<Lookup> {
        Arc::new(Lookup {
            name: name(n),
            rtype,
            aliases: Vec::new(),
            outcome,
            source: Source::Zone,
        })
    }

    fn txt(n: &str, records: &[&str]) -> Arc<Lookup> {
        lookup(
            n,
            RType::Txt,
            Outcome::Records(
                records
                    .iter()
                    .map(|r| Rdata::Txt(vec![r.as_bytes().to_vec()]))
                    .collect(),
            ),
        )
    }

    fn leaf(n: &str, record: &str) -> Node {
        let txt = txt(n, &[record]);
        Node {
            domain: name(n),
            parsed: parse_txt(&txt),
            txt,
            edges: Vec::new(),
            targets: Vec::new(),
        }
    }

    fn evidence(tree: Node) -> SpfFacts {
        SpfFacts {
            domain: tree.domain.clone(),
            tree,
            spf_type: lookup("example.com", RType::Spf, Outcome::NoData),
        }
    }

    fn status_of(findings: &[Finding], id: &str) -> Option<Status> {
        findings.iter().find(|f| f.id() == id).map(|f| f.status)
    }

    #[test]
    fn counts_lookups_through_includes() {
        let mut root = leaf("example.com", "v=spf1 a mx include:a.example.net -all");
        let mut a = leaf(
            "a.example.net",
            "v=spf1 include:b.example.net include:c.example.net ~all",
        );
        for n in ["b.example.net", "c.example.net"] {
            a.edges.push(Edge {
                term: format!("include:{n}"),
                redirect: false,
                target: name(n),
                child: Some(Box::new(leaf(n, "v=spf1 a a a ~all"))),
            });
        }
        root.edges.push(Edge {
            term: "include:a.example.net".into(),
            redirect: false,
            target: name("a.example.net"),
            child: Some(Box::new(a)),
        });
        assert_eq!(root.total_lookups(), 3 + 2 + 6);
        let findings = check(&evidence(root));
        assert_eq!(status_of(&findings, "spf.lookup-limit"), Some(Status::Fail));
        assert_eq!(status_of(&findings, "spf.all"), Some(Status::Pass));
        assert!(findings.iter().find(|f| f.id() == "spf.lookup-limit").unwrap().evidence.iter().any(
            |e| matches!(e, Evidence::Note { text, .. } if text.contains("include:b.example.net — 3 lookup(s) below"))
        ));
    }

    #[test]
    fn plus_all_and_neutral_endings() {
        let f = check(&evidence(leaf("example.com", "v=spf1 +all")));
        assert_eq!(status_of(&f, "spf.all"), Some(Status::Fail));
        let f = check(&evidence(leaf("example.com", "v=spf1 ip4:192.0.2.1 ?all")));
        assert_eq!(status_of(&f, "spf.all"), Some(Status::Warn));
        let f = check(&evidence(leaf("example.com", "v=spf1 ip4:192.0.2.1")));
        assert_eq!(status_of(&f, "spf.all"), Some(Status::Warn));
    }

    #[test]
    fn syntax_error_reported_with_position() {
        let f = check(&evidence(leaf(
            "example.com",
            "v=spf1 ip4:192.0.2.300 -all",
        )));
        let syntax = f.iter().find(|f| f.id() == "spf.syntax").unwrap();
        assert_eq!(syntax.status, Status::Fail);
        assert!(syntax.summary.contains("ip4:192.0.2.300"));
        assert!(
            syntax.evidence.iter().any(
                |e| matches!(e, Evidence::Note { text, .. } if text.ends_with("\n           ^"))
            )
        );
    }

    #[test]
    fn missing_and_multiple() {
        let nx = Node {
            domain: name("example.com"),
            txt: lookup("example.com", RType::Txt, Outcome::NoData),
            parsed: Parsed::Missing,
            edges: Vec::new(),
            targets: Vec::new(),
        };
        assert_eq!(
            status_of(&check(&evidence(nx)), "spf.record"),
            Some(Status::Fail)
        );
        let two = txt("example.com", &["v=spf1 -all", "v=spf1 mx -all"]);
        let node = Node {
            domain: name("example.com"),
            parsed: parse_txt(&two),
            txt: two,
            edges: Vec::new(),
            targets: Vec::new(),
        };
        let f = check(&evidence(node));
        assert_eq!(status_of(&f, "spf.record"), Some(Status::Fail));
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn broad_ranges_and_ptr() {
        let f = check(&evidence(leaf(
            "example.com",
            "v=spf1 ip4:10.0.0.0/8 ip6:2001:db8::/12 ptr -all",
        )));
        let broad: Vec<Status> = f
            .iter()
            .filter(|f| f.id() == "spf.broad-range")
            .map(|f| f.status)
            .collect();
        assert_eq!(broad, vec![Status::Warn, Status::Fail]);
        assert_eq!(status_of(&f, "spf.ptr"), Some(Status::Warn));
    }

    #[test]
    fn oversize_txt() {
        let long = format!("v=spf1 {} -all", "ip4:192.0.2.1 ".repeat(20));
        let f = check(&evidence(leaf("example.com", &long)));
        assert_eq!(status_of(&f, "spf.txt-size"), Some(Status::Fail));
        let many: Vec<String> = (0..8)
            .map(|i| format!("verification-token-{i}-{}", "x".repeat(60)))
            .collect();
        let mut all: Vec<&str> = many.iter().map(String::as_str).collect();
        all.push("v=spf1 -all");
        let t = txt("example.com", &all);
        let node = Node {
            domain: name("example.com"),
            parsed: parse_txt(&t),
            txt: t,
            edges: Vec::new(),
            targets: Vec::new(),
        };
        assert_eq!(
            status_of(&check(&evidence(node)), "spf.txt-size"),
            Some(Status::Warn)
        );
    }
}
