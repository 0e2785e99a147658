//! SPF lint: the record, its include/redirect tree and the RFC 7208 §4.6.4 limits, read
//! statically (every branch, as if no term matched early) so the worst case shows.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::checks::area::{AreaDef, Ctx, Facts, SubjectKind, facts};
use crate::checks::finding::{Area, Change, Evidence, Finding, Status, checks, placeholder};
use crate::dmarc::organizational_domain;
use crate::dns::{Lookup, Name, Outcome, RType, Rdata, Resolver};
use crate::spf::eval::{MAX_DNS_LOOKUPS, MAX_MX_NAMES, MAX_VOID_LOOKUPS};
use crate::spf::reach::{Grant, Reach};
use crate::spf::record::Term;
use crate::spf::tree::{self, CanMatch, Link, Node, NodeId, Parsed, TermTarget, Tree};
use crate::spf::{
    Evaluation, LookalikeKind, Mechanism, Qualifier, Query, Record, SpfResult, TermKind, repair,
};

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
    /// That the domain publishes exactly one SPF record: a TXT record starting `v=spf1`
    /// followed by a space or the end. Beside it, or instead of it, TXT records that look like
    /// a mistyped SPF record: `V=SPF1` in another case (warn), a leading space or quote,
    /// `v=spf1` glued to the first term, `spf1` without `v=`, a tab (warn beside the record,
    /// and named when they are all there is), a Sender ID `spf2.0/…` record (info).
    ///
    /// ## Why it matters
    /// Gmail and Yahoo require SPF or DKIM from every sender and both from bulk senders;
    /// Outlook.com requires SPF to pass for high-volume senders. With no record, SPF
    /// evaluates to `none`; with two or more it is `permerror` (RFC 7208 §4.5) and counts
    /// as a failure everywhere. Receivers discard records that do not begin with exactly
    /// `v=spf1` and a space (§4.5), so a mistyped record is no record; the version's case is
    /// read either way (the RFC's ABNF is case-insensitive, its prose says "exactly"), so
    /// `V=SPF1` is a record to some receivers and nothing to others.
    ///
    /// ## How to fix
    /// Publish one TXT record at the domain listing everything that sends as it, ending in
    /// `-all` or `~all`, e.g. `example.com. IN TXT "v=spf1 mx include:_spf.google.com -all"`
    /// (deliv suggests one whose terms resolve: `mx` when the MX hosts have addresses,
    /// `v=spf1 -all` for a domain with a null MX or no mail hosts). Merge multiple records
    /// into one; correct or remove mistyped ones.
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
    /// Correct the term at the column shown; when the fix is unambiguous (a missing space as
    /// in `ip4:192.0.2.1~all`, a space too many as in `include: example.com`, `include`
    /// without its colon, `ip4:` with a host name, a repeated modifier, copy-paste
    /// characters such as typographic quotes or line breaks) deliv gives the corrected
    /// record. Other common mistakes: prefix lengths out of range (`/33`).
    SPF_SYNTAX = "spf.syntax", "SPF records parse",
    references ["RFC 7208 §4.6", "RFC 7208 §12"];

    /// ## What it checks
    /// The number of DNS-querying terms (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`)
    /// over the whole include tree, against the limit of 10, and the number of MX hosts an
    /// `mx` term must look up, against 10. A record included from several places counts each
    /// time evaluation reaches it; records that cannot be reached within 10 lookups are not
    /// fetched, and the count then reads "more than 10".
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
    /// Terms that can never match: an `mx` term whose MX hosts have no address (or whose
    /// domain has a null MX), and directives after an `all` term, which evaluation never
    /// reaches. (Targets that do not exist at all are `spf.void-lookups`.) A lookup such a
    /// term needs that failed is `error`: evaluation would return `temperror` there.
    ///
    /// ## Why it matters
    /// A term that matches nothing authorises nothing: the hosts it was meant for fail SPF.
    /// Empty answers for the MX hosts are void lookups in the usual reading of RFC 7208
    /// §4.6.4, and terms after `all` are usually a sender added in the wrong place.
    ///
    /// ## How to fix
    /// Publish addresses for the MX hosts or replace the term with the sending hosts'
    /// `ip4:`/`ip6:` ranges; move terms written after `all` before it.
    SPF_NEVER_MATCHES = "spf.never-matches", "Every term can match",
    references ["RFC 7208 §4.6.4", "RFC 7208 §5.1", "RFC 7208 §5.4"];

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
    /// Include or redirect chains that lead back to a record already on the path: a cycle
    /// in the graph of records. A long chain without a cycle is `spf.lookup-limit`.
    ///
    /// ## Why it matters
    /// A loop never ends by itself; receivers stop it at the lookup limit with `permerror`.
    ///
    /// ## How to fix
    /// Remove the include or redirect that points back up the chain; deliv names it and,
    /// for records in the domain's own zone, gives the record without it.
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
    /// What the whole tree authorises: every pass-qualified term evaluation can reach, in the
    /// domain's record and through pass-qualified includes and redirects at any depth, with
    /// the path to it as evidence. A term that passes every IPv4 or IPv6 address fails:
    /// `+all` (an included record's `+all` makes the include match for everyone), a /0
    /// `ip4:`/`ip6:` network, `a/0` or `mx/0` whose target has an address, an `exists:` whose
    /// literal target has an A record. Networks shorter than /8 (IPv4) or /16 (IPv6) fail,
    /// up to /16 and /32 warn, for `ip4:`/`ip6:` and for `a`/`mx` prefix lengths alike
    /// (`a/8` authorises 16 million addresses per A record). Terms whose reach depends on
    /// each message (macros) are noted; a lookup that decides one that failed is `error`.
    /// `-`, `~` and `?` terms authorise no one (`spf.all` judges the ending); `ptr` is
    /// `spf.ptr`.
    ///
    /// ## Why it matters
    /// Such a term lets everyone (or everyone in a huge network) send as the domain with SPF
    /// passing, and DMARC then passes on SPF for forged mail; some receivers treat such
    /// records as a spam signal.
    ///
    /// ## How to fix
    /// List the sending hosts' addresses or the provider's published include instead; drop
    /// the prefix length from `a`/`mx` terms; remove includes of records that pass everyone.
    SPF_BROAD_RANGE = "spf.broad-range", "No term authorises everyone or an overly broad range",
    references ["RFC 7208 §5.2", "RFC 7208 §5.6", "RFC 7208 §5.7"];
}

/// What the SPF checks look at.
#[derive(Debug, Clone)]
pub struct SpfFacts {
    pub domain: Name,
    pub tree: Tree,
    pub spf_type: Arc<Lookup>,
    /// When the domain publishes no SPF record: what its own `a` and `mx` terms would find,
    /// so the record suggested names hosts that exist.
    pub own_hosts: Option<OwnHosts>,
}

/// The lookups `a` and `mx` make at the domain itself.
#[derive(Debug, Clone)]
pub struct OwnHosts {
    pub a: Option<TermTarget>,
    pub mx: Option<TermTarget>,
}

impl Facts for SpfFacts {
    fn gather<'c>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, Self> {
        Box::pin(SpfFacts::gather_for(ctx.resolver, ctx.domain()))
    }
}

/// What SPF for a domain can give its mail, judged from the whole tree: only a usable record
/// can give a pass that says something about the sender (and so an aligned SPF pass for
/// DMARC, RFC 7489 §3.1, §4.2).
#[derive(Debug, Clone)]
pub enum Standing {
    /// Passes come only from hosts the records list.
    Usable,
    /// No SPF record: evaluation gives `none`.
    NoRecord,
    /// Evaluation ends in `permerror`: why. For several records or a syntax error in the
    /// domain's own record, for every message; otherwise for every message from a host not
    /// matched before evaluation meets the fault, which receivers treat as broken SPF.
    PermError(String),
    /// A term passes every IPv4 or IPv6 address: a pass says nothing about the sender.
    Permissive { term: String, path: String },
    /// A lookup the judgement needs failed: nothing can be concluded.
    Unknown(Arc<Lookup>),
}

impl SpfFacts {
    /// The facts for `domain`: its include tree (each record fetched once, concurrently),
    /// the deprecated SPF-type lookup, and, when it has no SPF record, its own hosts.
    pub async fn gather_for(resolver: &Resolver, domain: &Name) -> SpfFacts {
        let (tree, spf_type) = tokio::join!(
            tree::gather(resolver, domain),
            resolver.query(domain, RType::Spf)
        );
        let root = tree.root();
        let own_hosts = if matches!(root.parsed, Parsed::Missing) && root.txt.failure().is_none() {
            let own = |mechanism: Mechanism| async move {
                tree::term_target(resolver, "", &mechanism, domain).await
            };
            let (a, mx) = tokio::join!(
                own(Mechanism::A {
                    domain: None,
                    v4: 32,
                    v6: 128
                }),
                own(Mechanism::Mx {
                    domain: None,
                    v4: 32,
                    v6: 128
                })
            );
            Some(OwnHosts { a, mx })
        } else {
            None
        };
        SpfFacts {
            domain: domain.clone(),
            tree,
            spf_type,
            own_hosts,
        }
    }

    /// Whether SPF for the domain can give a meaningful pass, the worst reason first.
    pub fn standing(&self) -> Standing {
        let tree = &self.tree;
        let root = tree.root();
        if root.txt.failure().is_some() {
            return Standing::Unknown(root.txt.clone());
        }
        for (_, node) in tree.nodes() {
            let whose = &node.domain;
            let perm = match &node.parsed {
                Parsed::Missing if node.txt.failure().is_some() => continue,
                Parsed::Missing if node.domain == root.domain => return Standing::NoRecord,
                Parsed::Missing => format!("{whose}, included, has no SPF record"),
                Parsed::Multiple(r) => format!("{whose} publishes {} SPF records", r.len()),
                Parsed::Invalid { error, .. } => format!("syntax error in {whose}: {error}"),
                Parsed::Valid(_) => continue,
            };
            return Standing::PermError(perm);
        }
        let total = tree.total_lookups();
        if total.exceeds(MAX_DNS_LOOKUPS) {
            return Standing::PermError(format!(
                "{total} DNS lookups, over the limit of {MAX_DNS_LOOKUPS}"
            ));
        }
        if let Some(mx) = too_many_mx(tree).first() {
            return Standing::PermError(mx.clone());
        }
        let voids = voids(tree).len();
        if voids > MAX_VOID_LOOKUPS as usize {
            return Standing::PermError(format!(
                "{voids} void lookups, over the limit of {MAX_VOID_LOOKUPS}"
            ));
        }
        let grants = tree.grants();
        if let Some(g) = grants.iter().find(|g| g.is_everyone()) {
            return Standing::Permissive {
                term: g.term.clone(),
                path: g.path.clone(),
            };
        }
        match tree.failures().first() {
            Some(failed) => Standing::Unknown((*failed).clone()),
            None => Standing::Usable,
        }
    }

    /// Is `name` in the checked domain's own zone (the same organizational domain), so that
    /// deliv may write a change to its record?
    fn owns(&self, name: &Name) -> bool {
        organizational_domain(name) == organizational_domain(&self.domain)
    }

    /// Replaces `node`'s record with `text`, when the record is the domain owner's to edit.
    fn edit(&self, node: &Node, text: String) -> Option<Change> {
        let old = match &node.parsed {
            Parsed::Valid(r) => r.text.clone(),
            Parsed::Invalid { text, .. } => text.clone(),
            _ => return None,
        };
        (self.owns(&node.domain) && old != text)
            .then(|| Change::replace(&node.domain, "TXT", old, text))
    }
}

pub fn check(ev: &SpfFacts) -> Vec<Finding> {
    let root = ev.tree.root();
    let mut out = Vec::new();
    let rr_type = rr_type(ev);
    match &root.parsed {
        Parsed::Missing => {
            out.push(missing(ev));
            if root.txt.failure().is_none() {
                out.extend(rr_type);
            }
            return out;
        }
        Parsed::Multiple(records) => {
            out.push(multiple(ev, records));
            out.extend(rr_type);
            return out;
        }
        Parsed::Invalid { .. } | Parsed::Valid(_) => out.push(one_record(root)),
    }
    out.extend(syntax(ev));
    if matches!(root.parsed, Parsed::Invalid { .. }) {
        out.extend(txt_size(root));
        out.extend(rr_type);
        return out;
    }
    let paths = Paths::new(&ev.tree);
    let tree = Evidence::note("include tree", ev.tree.render());
    out.push(lookup_limit(&ev.tree, &tree));
    out.push(void_lookups(ev, &paths));
    out.extend(never_matches(ev, &paths));
    out.extend(include_targets(ev, &paths, &tree));
    out.extend(all_term(ev));
    out.extend(redirect_ignored(root));
    out.extend(ptr_and_macros(&ev.tree, &paths));
    out.extend(txt_size(root));
    out.extend(rr_type);
    out.extend(broad_ranges(ev));
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
/// warning: it neither helps nor fails). A pass from a tree that passes everyone somewhere
/// fails: it says nothing about whether the address is the domain's.
pub fn judge(query: &Query, evaluation: &Evaluation) -> Verdict {
    let (domain, ip) = (&query.domain, query.ip.to_canonical());
    let family = if ip.is_ipv4() { "ip4" } else { "ip6" };
    let problem = evaluation.problem.as_deref().unwrap_or("");
    let (status, remediation) = match evaluation.result {
        SpfResult::Pass => match &evaluation.permissive {
            None => (Status::Pass, None),
            Some(p) => (
                Status::Fail,
                Some(format!(
                    "this pass proves nothing: '{}' ({}) passes every address of a family, so \
                     anyone can send as {domain}; replace it with the senders' addresses or \
                     their provider's include (`deliv spf {domain}` lints the tree)",
                    p.term, p.path
                )),
            ),
        },
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

/// How evaluation reaches each record (any edge), for evidence.
struct Paths<'t> {
    tree: &'t Tree,
    parents: Vec<Option<(NodeId, usize)>>,
}

impl<'t> Paths<'t> {
    fn new(tree: &'t Tree) -> Self {
        Paths {
            tree,
            parents: tree.parents(|_| true),
        }
    }

    /// "example.com → include:a.example → 'term'", or the record alone for the root.
    fn term(&self, id: NodeId, term: &str) -> String {
        format!("{} → {term}", self.tree.path(&self.parents, id))
    }
}

/// Text from DNS as a summary quotes it: at most 200 characters.
fn quoted(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((at, _)) => format!("\"{}…\"", &text[..at]),
        None => format!("\"{text}\""),
    }
}

/// The record to suggest for a domain without one, why it fits, and whether it lets the
/// domain send (so that providers' includes may need adding).
fn suggested_record(ev: &SpfFacts) -> (String, String, bool) {
    let send_nothing = Record::text_with(["-all"]);
    let placeholder = Record::text_with([
        format!("include:{}", placeholder("your provider's SPF domain")).as_str(),
        "-all",
    ]);
    let Some(own) = &ev.own_hosts else {
        return (
            placeholder,
            "list the hosts and providers that send its mail".into(),
            true,
        );
    };
    let (a, mx) = (own.a.as_ref(), own.mx.as_ref());
    let null_mx = mx.is_some_and(|t| {
        !t.lookups.iter().any(|l| l.failure().is_some())
            && t.hosts.is_empty()
            && t.lookups.iter().any(|l| !l.records().is_empty())
    });
    if null_mx {
        return (
            send_nothing,
            "its null MX says it receives no mail; this says it sends none (RFC 7505 §4.2)".into(),
            false,
        );
    }
    let matches = |t: Option<&TermTarget>| t.map(TermTarget::can_match);
    let too_many_hosts = mx.is_some_and(|t| {
        t.lookups
            .iter()
            .flat_map(|l| l.records())
            .filter(|r| matches!(r, Rdata::Mx { exchange, .. } if !exchange.is_root()))
            .count()
            > MAX_MX_NAMES
    });
    match (matches(mx), matches(a)) {
        (Some(CanMatch::Yes), _) if !too_many_hosts => (
            Record::text_with(["mx", "-all"]),
            "its MX hosts have addresses, so `mx` authorises them".into(),
            true,
        ),
        (Some(CanMatch::Unknown(_)), _) | (_, Some(CanMatch::Unknown(_))) => (
            placeholder,
            "a lookup of its hosts failed, so deliv cannot tell which terms would resolve".into(),
            true,
        ),
        (_, Some(CanMatch::Yes)) => (
            Record::text_with(["a", "-all"]),
            "it has an address of its own but no MX host with one, so `a` authorises that host"
                .into(),
            true,
        ),
        _ => (
            send_nothing,
            format!(
                "it has no mail hosts and no address, so nothing there sends mail; if something \
                 does, list it instead, e.g. `{placeholder}`"
            ),
            false,
        ),
    }
}

fn missing(ev: &SpfFacts) -> Finding {
    let root = ev.tree.root();
    if root.txt.failure().is_some() {
        return SPF_RECORD.lookup_error(&root.txt);
    }
    let domain = &root.domain;
    if let Some(l) = root.lookalikes.first() {
        let finding = SPF_RECORD
            .fail(format!(
                "{domain} publishes no SPF record receivers read: {}: {}",
                quoted(&l.text),
                l.kind.consequence()
            ))
            .evidence(&root.txt);
        return match &l.corrected {
            Some(fixed) => finding
                .remediation(format!("Replace {} with `{fixed}`.", quoted(&l.text)))
                .change(Change::replace(domain, "TXT", &l.text, fixed)),
            None => {
                let (record, why, _) = suggested_record(ev);
                finding
                    .remediation(format!(
                        "Remove {} and publish one SPF record, e.g. `{record}` ({why}).",
                        quoted(&l.text)
                    ))
                    .change(Change::remove(domain, "TXT", &l.text))
                    .change(Change::add(domain, "TXT", record))
            }
        };
    }
    let none = match root.txt.outcome {
        Outcome::NxDomain => format!("{domain} does not exist (NXDOMAIN), so it has no SPF record"),
        _ => format!("{domain} publishes no SPF record"),
    };
    let (record, why, sends) = suggested_record(ev);
    let providers = if sends {
        " Mail sent through a provider needs its include before `-all` too, e.g. \
         `include:_spf.google.com` for Google Workspace, `include:spf.protection.outlook.com` \
         for Microsoft 365."
    } else {
        ""
    };
    let mut finding = SPF_RECORD
        .fail(none)
        .evidence(&root.txt)
        .detail("Without SPF, receivers evaluate `none`: Gmail and Yahoo bulk senders need SPF and DKIM, Outlook.com requires SPF to pass.");
    if let Some(own) = &ev.own_hosts {
        finding = finding.evidence_all(
            [&own.mx, &own.a]
                .into_iter()
                .flatten()
                .flat_map(|t| {
                    t.lookups
                        .iter()
                        .chain(t.hosts.iter().flat_map(|h| h.lookups.iter()))
                })
                .map(Evidence::from),
        );
    }
    finding
        .remediation(format!(
            "Publish one TXT record at {domain}: `{domain}. IN TXT \"{record}\"` ({why}).{providers}"
        ))
        .change(Change::add(domain, "TXT", record))
}

/// Several SPF records merged into one, when that is unambiguous: every record parses, they
/// agree on how they end, and they hand over to at most one redirect and one explanation.
fn merged(records: &[String]) -> Option<String> {
    let parsed: Vec<Record> = records
        .iter()
        .map(|r| Record::parse(r.as_bytes()).ok())
        .collect::<Option<_>>()?;
    let mut terms: Vec<&str> = Vec::new();
    let mut endings: Vec<&str> = Vec::new();
    let mut modifiers: Vec<&str> = Vec::new();
    for record in &parsed {
        let end = record.end();
        for term in record.terms.iter().filter(|t| !Record::is_late(t, end)) {
            let list = match &term.kind {
                TermKind::Directive {
                    mechanism: Mechanism::All,
                    ..
                } => &mut endings,
                TermKind::Directive { .. } => &mut terms,
                _ => &mut modifiers,
            };
            if !list.iter().any(|t| t.eq_ignore_ascii_case(&term.text)) {
                list.push(&term.text);
            }
        }
    }
    let redirects = parsed.iter().filter_map(|r| r.redirect()).count();
    let exps = parsed.iter().filter_map(|r| r.exp()).count();
    if endings.len() > 1
        || modifiers.len() > redirects.min(1) + exps.min(1)
        || redirects > 1
        || exps > 1
        || (redirects == 1 && !endings.is_empty())
    {
        return None;
    }
    Some(Record::text_with(
        terms.into_iter().chain(endings).chain(modifiers),
    ))
}

fn multiple(ev: &SpfFacts, records: &[String]) -> Finding {
    let root = ev.tree.root();
    let domain = &root.domain;
    let finding = SPF_RECORD
        .fail(format!(
            "{domain} publishes {} SPF records; receivers return permerror",
            records.len()
        ))
        .evidence(&root.txt);
    let Some(one) = merged(records) else {
        return finding.remediation(format!(
            "Merge them into one TXT record at {domain}: keep one `v=spf1` and the union of the \
             terms, ending in a single `-all` or `~all` (they end differently or hand over to \
             different records, so deliv cannot choose for you)."
        ));
    };
    let mut finding = finding
        .remediation(format!(
            "Merge them into one TXT record at {domain}: `{one}` (the union of their terms)."
        ))
        .change(Change::replace(domain, "TXT", &records[0], &one));
    for extra in &records[1..] {
        finding = finding.change(Change::remove(domain, "TXT", extra));
    }
    finding
}

/// The domain's one record, and the TXT records beside it that look like a mistyped one.
fn one_record(root: &Node) -> Finding {
    let domain = &root.domain;
    let mut worst = Status::Pass;
    let mut notes = Vec::new();
    let mut changes = Vec::new();
    for l in &root.lookalikes {
        let status = match l.kind {
            LookalikeKind::SenderId => Status::Info,
            LookalikeKind::OddCase | LookalikeKind::Malformed => Status::Warn,
        };
        worst = worst.max(status);
        match (l.kind, &l.corrected) {
            (LookalikeKind::OddCase, Some(fixed)) => {
                notes.push(format!(
                    "its record {}: {}",
                    quoted(&l.text),
                    l.kind.consequence()
                ));
                changes.push(Change::replace(domain, "TXT", &l.text, fixed));
            }
            _ => {
                notes.push(format!(
                    "beside it, {}: {}",
                    quoted(&l.text),
                    l.kind.consequence()
                ));
                changes.push(Change::remove(domain, "TXT", &l.text));
            }
        }
    }
    if worst == Status::Pass {
        return SPF_RECORD
            .pass(format!("{domain} publishes one SPF record"))
            .evidence(&root.txt);
    }
    let mut finding = SPF_RECORD
        .finding(
            worst,
            format!("{domain} publishes one SPF record; {}", notes.join("; ")),
        )
        .evidence(&root.txt)
        .remediation(
            "Write the version as `v=spf1` in lower case, and remove the other records that \
             look like SPF (merge anything they hold that you meant into the one record): a \
             receiver that reads them differently sees no record or two.",
        );
    for c in changes {
        finding = finding.change(c);
    }
    finding
}

fn syntax(ev: &SpfFacts) -> Vec<Finding> {
    let root = ev.tree.root();
    let mut out = Vec::new();
    for (_, node) in ev.tree.nodes() {
        let Parsed::Invalid { text, error } = &node.parsed else {
            continue;
        };
        let own = node.domain == root.domain;
        let whose = if own {
            "the record".to_string()
        } else {
            format!("the record of {} (included)", node.domain)
        };
        let pointer = format!("{text}\n{}^", " ".repeat(error.column.saturating_sub(1)));
        let fixed = repair(text);
        let remediation = match (&fixed, ev.owns(&node.domain)) {
            (Some(fixed), true) => {
                format!("Replace the TXT record of {} with `{fixed}`.", node.domain)
            }
            (Some(fixed), false) => format!(
                "The included record of {} is broken (it was meant to read `{fixed}`); remove the \
                 include or ask its owner to fix it.",
                node.domain
            ),
            (None, true) => format!(
                "Correct the term '{}' in the TXT record of {}.",
                error.term, node.domain
            ),
            (None, false) => format!(
                "The included record of {} is broken; remove the include or ask its owner to fix it.",
                node.domain
            ),
        };
        let mut finding = SPF_SYNTAX
            .fail(format!("syntax error in {whose}: {error}"))
            .evidence(&node.txt)
            .evidence(Evidence::note("position", pointer))
            .detail(
                "Receivers return permerror for the whole evaluation: SPF fails for every message.",
            )
            .remediation(remediation);
        if let Some(change) = fixed.and_then(|f| ev.edit(node, f)) {
            finding = finding.change(change);
        }
        out.push(finding);
    }
    if out.is_empty() {
        out.push(SPF_SYNTAX.pass("every SPF record in the tree parses"));
    }
    out
}

/// `mx` terms with more MX hosts than evaluation may look up.
fn too_many_mx(tree: &Tree) -> Vec<String> {
    tree.nodes()
        .flat_map(|(_, n)| n.targets.iter())
        .filter_map(|t| {
            let mx = t.lookups.iter().find(|l| l.rtype == RType::Mx)?;
            let count = mx
                .records()
                .iter()
                .filter(|r| matches!(r, Rdata::Mx { exchange, .. } if !exchange.is_root()))
                .count();
            (count > MAX_MX_NAMES).then(|| format!("'{}' has {count} MX hosts", t.term))
        })
        .collect()
}

fn lookup_limit(tree: &Tree, evidence: &Evidence) -> Finding {
    let total = tree.total_lookups();
    // Only a record that did not come (a subtree) or an MX answer (the host count) changes
    // what is counted here; address lookups do not.
    let failures: Vec<&Arc<Lookup>> = own_lookups(tree)
        .filter(|l| l.failure().is_some() && matches!(l.rtype, RType::Txt | RType::Mx))
        .collect();
    let fix = "Remove includes you no longer use, replace a/mx terms with ip4:/ip6: ranges, or move a \
               sender to a subdomain with its own record; see `deliv explain spf.lookup-limit`.";
    let too_many_mx = too_many_mx(tree);
    let finding = if total.exceeds(MAX_DNS_LOOKUPS) {
        let deep = tree
            .nodes()
            .any(|(_, n)| n.edges.iter().any(|e| e.link == Link::BeyondLimit));
        let finding = SPF_LOOKUP_LIMIT
            .fail(format!("{total} DNS lookups: over the limit of {MAX_DNS_LOOKUPS}; receivers return permerror"))
            .remediation(fix);
        if deep {
            finding.detail(format!(
                "Records that evaluation cannot reach within {MAX_DNS_LOOKUPS} lookups were not \
                 fetched: it returns permerror before it gets there."
            ))
        } else {
            finding
        }
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
            .evidence(evidence.clone())
            .detail(format!(
                "At least {} lookups; the branches behind failed lookups could not be counted.",
                total.known
            ));
    } else if total.known + 1 >= MAX_DNS_LOOKUPS {
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
    finding.evidence(evidence.clone())
}

/// The records' lookups and those of their `a`, `mx` and `exists` targets (not the MX hosts'
/// addresses, which no count depends on).
fn own_lookups(tree: &Tree) -> impl Iterator<Item = &Arc<Lookup>> {
    tree.nodes().flat_map(|(_, n)| {
        std::iter::once(&n.txt).chain(n.targets.iter().flat_map(|t| t.lookups.iter()))
    })
}

/// `a`, `mx` and `exists` terms whose own lookups find nothing: (record, term).
fn voids(tree: &Tree) -> Vec<(NodeId, &TermTarget)> {
    tree.nodes()
        .flat_map(|(id, node)| node.targets.iter().map(move |t| (id, t)))
        .filter(|(_, t)| t.lookups.iter().all(|l| l.is_empty_answer()))
        .collect()
}

/// The records of own nodes rewritten without some of their terms, as changes.
fn without_terms(ev: &SpfFacts, terms: &[(NodeId, &str)]) -> Vec<Change> {
    let mut out = Vec::new();
    for (id, node) in ev.tree.nodes() {
        let drop: Vec<&str> = terms
            .iter()
            .filter(|(n, _)| *n == id)
            .map(|(_, t)| *t)
            .collect();
        let Some(record) = node.record() else {
            continue;
        };
        if drop.is_empty() {
            continue;
        }
        let kept = record
            .terms
            .iter()
            .filter(|t| !drop.contains(&t.text.as_str()))
            .map(|t| t.text.as_str());
        out.extend(ev.edit(node, Record::text_with(kept)));
    }
    out
}

fn void_lookups(ev: &SpfFacts, paths: &Paths) -> Finding {
    let found = voids(&ev.tree);
    let count = u32::try_from(found.len()).unwrap_or(u32::MAX);
    let list = found
        .iter()
        .map(|(id, t)| format!("'{}' ({})", t.term, paths.term(*id, &t.term)))
        .collect::<Vec<_>>()
        .join("; ");
    let evidence: Vec<Evidence> = found
        .iter()
        .flat_map(|(_, t)| t.lookups.iter().map(Evidence::from))
        .collect();
    let terms: Vec<(NodeId, &str)> = found.iter().map(|(id, t)| (*id, t.term.as_str())).collect();
    let changes = without_terms(ev, &terms);
    let fix = |status: Status, summary: String| {
        let mut finding = SPF_VOID_LOOKUPS
            .finding(status, summary)
            .evidence_all(evidence.clone())
            .remediation(format!(
                "Remove {list}, or publish records for the names they point at{}.",
                if changes.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; without them: {}",
                        changes
                            .iter()
                            .map(|c| format!("`{}` at {}", c.data, c.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ));
        for c in &changes {
            finding = finding.change(c.clone());
        }
        finding
    };
    // Failed lookups of records or of the terms' own targets hide void lookups; those of MX
    // hosts' addresses do not count as void here.
    let failed = own_lookups(&ev.tree).find(|l| l.failure().is_some());
    if count > MAX_VOID_LOOKUPS {
        fix(
            Status::Fail,
            format!("{count} void lookups (over {MAX_VOID_LOOKUPS}, permerror): {list}"),
        )
    } else if let Some(failed) = failed {
        SPF_VOID_LOOKUPS.lookup_error(failed)
    } else if count > 0 {
        fix(
            Status::Warn,
            format!("{count} void lookup(s) of {MAX_VOID_LOOKUPS} allowed: {list}"),
        )
    } else {
        SPF_VOID_LOOKUPS.pass("no void lookups")
    }
}

fn never_matches(ev: &SpfFacts, paths: &Paths) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut dead: Vec<(NodeId, &str)> = Vec::new();
    for (id, node) in ev.tree.nodes() {
        for target in &node.targets {
            let at = paths.term(id, &target.term);
            match target.can_match() {
                CanMatch::Yes => {}
                // A target with no records at all is a void lookup (spf.void-lookups).
                CanMatch::No(_) if target.lookups.iter().all(|l| l.is_empty_answer()) => {}
                CanMatch::No(why) => {
                    dead.push((id, &target.term));
                    out.push(
                        SPF_NEVER_MATCHES
                            .warn(format!("'{}' can never match: {why} ({at})", target.term))
                            .evidence_all(
                                target
                                    .lookups
                                    .iter()
                                    .chain(target.hosts.iter().flat_map(|h| h.lookups.iter()))
                                    .map(Evidence::from),
                            ),
                    );
                }
                CanMatch::Unknown(failed) => out.push(
                    SPF_NEVER_MATCHES
                        .lookup_error(&failed)
                        .detail(format!("Needed to tell whether '{}' can match ({at}); evaluation returns temperror there.", target.term)),
                ),
            }
        }
    }
    let fix_hosts = without_terms(ev, &dead);
    for finding in out.iter_mut().filter(|f| f.status == Status::Warn) {
        finding.remediation = Some(format!(
            "Publish A/AAAA records for the MX hosts, or replace the term with the sending hosts' \
             ip4:/ip6: ranges{}.",
            if fix_hosts.is_empty() {
                String::new()
            } else {
                "; the record without it is in `changes`".to_string()
            }
        ));
        finding.changes.clone_from(&fix_hosts);
    }
    // Directives after `all`: evaluation never reaches them.
    for (id, node) in ev.tree.nodes() {
        let Some(record) = node.record() else {
            continue;
        };
        let late: Vec<&str> = record.unreachable().map(|t| t.text.as_str()).collect();
        if late.is_empty() {
            continue;
        }
        let Some((ending, _)) = record.all() else {
            continue;
        };
        // Keep what was meant: the late directives move before the ending, repeated endings
        // go, modifiers stay last.
        let is_directive = |t: &Term| matches!(t.kind, TermKind::Directive { .. });
        let end = record.end();
        let is_late = |t: &Term| Record::is_late(t, end);
        let is_all = |t: &Term| {
            matches!(
                t.kind,
                TermKind::Directive {
                    mechanism: Mechanism::All,
                    ..
                }
            )
        };
        let terms = &record.terms;
        let fixed = Record::text_with(
            terms
                .iter()
                .filter(|t| is_directive(t) && !is_late(t) && !std::ptr::eq(*t, ending))
                .chain(terms.iter().filter(|t| is_late(t) && !is_all(t)))
                .chain([ending])
                .chain(terms.iter().filter(|t| !is_directive(t)))
                .map(|t| t.text.as_str()),
        );
        let mut finding = SPF_NEVER_MATCHES
            .warn(format!(
                "{}: {} after '{}' never evaluated ({})",
                node.domain,
                late.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", "),
                ending.text,
                paths.term(id, &ending.text)
            ))
            .evidence(&node.txt)
            .remediation(format!(
                "Evaluation stops at '{}'; move the terms before it and drop repeated endings: `{fixed}`.",
                ending.text
            ));
        if let Some(change) = ev.edit(node, fixed) {
            finding = finding.change(change);
        }
        out.push(finding);
    }
    if out.is_empty() {
        out.push(
            SPF_NEVER_MATCHES
                .pass("every a/mx/exists term can match a host, and every term is reached"),
        );
    }
    out
}

fn include_targets(ev: &SpfFacts, paths: &Paths, tree_note: &Evidence) -> Vec<Finding> {
    let tree = &ev.tree;
    let mut out = Vec::new();
    let mut judged = vec![false; tree.nodes().count()];
    for (id, node) in tree.nodes() {
        for edge in &node.edges {
            let Link::Node(c) = edge.link else {
                continue;
            };
            if std::mem::replace(&mut judged[c], true) {
                continue;
            }
            let child = tree.node(c);
            let at = paths.term(id, &edge.term);
            let remove = without_terms(ev, &[(id, edge.term.as_str())]);
            let lookalike = child
                .lookalikes
                .first()
                .map(|l| format!(" ({}: {})", quoted(&l.text), l.kind.consequence()))
                .unwrap_or_default();
            let finding = match &child.parsed {
                Parsed::Missing if child.txt.failure().is_some() => {
                    out.push(SPF_INCLUDE_TARGET.lookup_error(&child.txt));
                    continue;
                }
                Parsed::Missing => SPF_INCLUDE_TARGET
                    .fail(format!(
                        "'{}' in {}: {} has no SPF record{lookalike} (permerror; {at})",
                        edge.term, node.domain, edge.target
                    ))
                    .evidence(&child.txt)
                    .remediation(format!(
                        "Check the spelling of {} against your provider's documentation, or remove '{}' from the record of {}.",
                        edge.target, edge.term, node.domain
                    )),
                Parsed::Multiple(r) => SPF_INCLUDE_TARGET
                    .fail(format!(
                        "'{}' in {}: {} has {} SPF records (permerror; {at})",
                        edge.term,
                        node.domain,
                        edge.target,
                        r.len()
                    ))
                    .evidence(&child.txt)
                    .remediation(format!(
                        "{} must publish one SPF record; remove '{}' from the record of {} until it does.",
                        edge.target, edge.term, node.domain
                    )),
                Parsed::Invalid { .. } | Parsed::Valid(_) => continue,
            };
            out.push(remove.into_iter().fold(finding, Finding::change));
        }
    }
    if out.is_empty() && tree.nodes().count() > 1 {
        out.push(
            SPF_INCLUDE_TARGET
                .pass("every include and redirect target has an SPF record")
                .evidence(tree_note.clone()),
        );
    }
    let loops = tree.loops();
    if !loops.is_empty() {
        let described: Vec<String> = loops
            .iter()
            .map(|cycle| {
                let mut text = cycle
                    .first()
                    .map(|(n, _)| tree.node(*n).domain.to_string())
                    .unwrap_or_default();
                for (n, e) in cycle {
                    text.push_str(&format!(" → {}", tree.node(*n).edges[*e].term));
                }
                text
            })
            .collect();
        // The edge that closes each loop is the one to remove.
        let closing: Vec<(NodeId, &str)> = loops
            .iter()
            .filter_map(|cycle| cycle.last())
            .map(|(n, e)| (*n, tree.node(*n).edges[*e].term.as_str()))
            .collect();
        let names = closing
            .iter()
            .map(|(n, t)| format!("'{t}' from the record of {}", tree.node(*n).domain))
            .collect::<Vec<_>>()
            .join(", ");
        let finding = SPF_INCLUDE_LOOP
            .fail(format!("include/redirect loop: {}", described.join("; ")))
            .evidence(tree_note.clone())
            .remediation(format!(
                "Remove {names}: it points back to a record already on the chain."
            ));
        out.push(
            without_terms(ev, &closing)
                .into_iter()
                .fold(finding, Finding::change),
        );
    }
    out
}

/// The record that decides what unmatched mail gets: follow redirects while there is no `all`.
fn effective_end(tree: &Tree) -> (&Node, Option<Qualifier>) {
    let mut node = tree.root();
    for _ in 0..tree.nodes().count() {
        let Some(record) = node.record() else {
            return (node, None);
        };
        if let Some((_, q)) = record.all() {
            return (node, Some(q));
        }
        match node.edges.iter().find(|e| e.redirect).map(|e| e.link) {
            Some(Link::Node(next)) => node = tree.node(next),
            _ => return (node, None),
        }
    }
    (node, None)
}

/// The record with its `all` term (or, without one, a new ending after its directives) made
/// `~all`: unlisted hosts softfail, which protects the domain without failing a sender not yet
/// listed.
fn softfail_ending(record: &Record) -> String {
    let first_all = record.all().map(|(t, _)| t);
    let is_directive = |t: &Term| matches!(t.kind, TermKind::Directive { .. });
    let last_directive = record.terms.iter().rposition(is_directive);
    let mut terms: Vec<&str> = Vec::new();
    if first_all.is_none() && last_directive.is_none() {
        terms.push("~all");
    }
    for (i, t) in record.terms.iter().enumerate() {
        let is_first_all = first_all.is_some_and(|a| std::ptr::eq(a, t));
        terms.push(if is_first_all { "~all" } else { &t.text });
        if first_all.is_none() && Some(i) == last_directive {
            terms.push("~all");
        }
    }
    Record::text_with(terms)
}

fn all_term(ev: &SpfFacts) -> Option<Finding> {
    let tree = &ev.tree;
    let root = tree.root();
    let (node, qualifier) = effective_end(tree);
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
    let finding = finding.evidence(&node.txt);
    if finding.status == Status::Pass {
        return Some(finding);
    }
    let fixed = softfail_ending(record);
    Some(match ev.edit(node, fixed.clone()) {
        Some(change) => {
            let advice = finding.remediation.clone().unwrap_or_default();
            finding
                .remediation(format!(
                    "{advice} As a first step: `{fixed}` in the record of {}.",
                    node.domain
                ))
                .change(change)
        }
        None => finding,
    })
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

fn ptr_and_macros(tree: &Tree, paths: &Paths) -> Vec<Finding> {
    let mut ptr = Vec::new();
    let mut macros = Vec::new();
    for (id, node) in tree.nodes() {
        let Some(record) = node.record() else {
            continue;
        };
        for term in &record.terms {
            if let TermKind::Directive {
                mechanism: Mechanism::Ptr(_),
                ..
            } = term.kind
            {
                ptr.push(paths.term(id, &term.text));
            }
            if term.text.contains('%') {
                macros.push(format!("{}: '{}'", node.domain, term.text));
            }
        }
    }
    let root = tree.root();
    let mut out = Vec::new();
    if !ptr.is_empty() {
        out.push(
            SPF_PTR
                .warn(format!("deprecated ptr mechanism: {}", ptr.join("; ")))
                .detail(
                    "ptr passes any host whose reverse DNS names a host under the domain and \
                     resolves back to it: it depends on reverse DNS the domain owner rarely \
                     controls, and a ptr naming someone else's domain passes all of their hosts.",
                )
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
                ))
                .change(Change::remove(&ev.domain, "SPF", "")),
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

/// How a network of this prefix length is judged: fail below `fail_below`, warn up to
/// `warn_to` (IPv4 /8 and /16, IPv6 /16 and /32).
fn range_status(v4: bool, prefix: u8) -> Option<Status> {
    let (fail_below, warn_to) = if v4 { (8, 16) } else { (16, 32) };
    if prefix < fail_below {
        Some(Status::Fail)
    } else if prefix <= warn_to {
        Some(Status::Warn)
    } else {
        None
    }
}

/// The term with its prefix lengths dropped (`a/0` → `a`, `mx:h/8//32` → `mx:h`).
fn without_prefix(term: &str) -> &str {
    match term.find('/') {
        Some(at) => &term[..at],
        None => term,
    }
}

fn broad_ranges(ev: &SpfFacts) -> Vec<Finding> {
    let tree = &ev.tree;
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for grant in tree.grants() {
        let node = tree.node(grant.node);
        let (status, summary) = match &grant.reach {
            Reach::Everyone { v4, v6 } => {
                let who = match (v4, v6) {
                    (true, true) => "every address",
                    (true, false) => "every IPv4 address",
                    _ => "every IPv6 address",
                };
                (
                    Status::Fail,
                    format!("'{}' passes {who}: {}", grant.term, grant.path),
                )
            }
            Reach::Range {
                v4,
                prefix,
                per_address,
            } => {
                let Some(status) = range_status(*v4, *prefix) else {
                    continue;
                };
                let family = if *v4 { "IPv4" } else { "IPv6" };
                let each = if *per_address {
                    " around each address of its target"
                } else {
                    ""
                };
                let size = if status == Status::Fail {
                    "a huge"
                } else {
                    "a very broad"
                };
                (
                    status,
                    format!(
                        "'{}' authorises {size} {family} range (/{prefix}){each}: {}",
                        grant.term, grant.path
                    ),
                )
            }
            Reach::Unknown(why) => {
                unknown.push(format!("'{}': {why} ({})", grant.term, grant.path));
                continue;
            }
            Reach::Failed(lookup) => {
                out.push(SPF_BROAD_RANGE.lookup_error(lookup).detail(format!(
                    "Needed to tell whom '{}' authorises ({}).",
                    grant.term, grant.path
                )));
                continue;
            }
        };
        out.push(broad_fix(ev, &grant, node, status, summary));
    }
    if !unknown.is_empty() {
        out.push(
            SPF_BROAD_RANGE
                .info(format!("whom these authorise depends on each message: {}", unknown.join("; ")))
                .evidence(&tree.root().txt)
                .remediation("Test them with `deliv spf DOMAIN --ip IP --sender ADDR` for addresses that must not pass."),
        );
    }
    if out.is_empty() {
        out.push(
            SPF_BROAD_RANGE
                .pass("no term in the tree passes every address or an overly broad range"),
        );
    }
    out
}

/// A broad-range finding with its remediation: the term to change, in the record the domain
/// owner can edit (the record itself, or the one that includes someone else's).
fn broad_fix(
    ev: &SpfFacts,
    grant: &Grant,
    node: &Node,
    status: Status,
    summary: String,
) -> Finding {
    let finding = SPF_BROAD_RANGE.finding(status, summary).evidence(&node.txt);
    let finding = if grant.is_everyone() && grant.node != 0 {
        finding.detail(
            "An included record's pass is the include's match (RFC 7208 §5.2): a record that \
             passes everyone makes every include of it pass everyone.",
        )
    } else {
        finding
    };
    if !ev.owns(&node.domain) {
        // Someone else's record: the edit is to stop including it.
        let parents = ev.tree.parents(|e| e.qualifier == Qualifier::Pass);
        let mut at = grant.node;
        while let Some((p, e)) = parents[at] {
            if ev.owns(&ev.tree.node(p).domain) {
                let edge = &ev.tree.node(p).edges[e];
                let remove = without_terms(ev, &[(p, edge.term.as_str())]);
                let finding = finding.remediation(format!(
                    "{} is not yours to edit: remove '{}' from the record of {} and list the \
                     provider's sending hosts instead (ask it for a record that does not pass \
                     everyone).",
                    node.domain,
                    edge.term,
                    ev.tree.node(p).domain
                ));
                return remove.into_iter().fold(finding, Finding::change);
            }
            at = p;
        }
        return finding.remediation(format!(
            "Remove the include that leads to {}, or ask its owner to narrow it.",
            node.domain
        ));
    }
    let Some(record) = node.record() else {
        return finding;
    };
    let term = record.terms.iter().find(|t| t.text == grant.term);
    let replacement: Option<String> = term.and_then(|t| match &t.kind {
        TermKind::Directive {
            mechanism: Mechanism::All,
            ..
        } => Some("-all".to_string()),
        TermKind::Directive {
            mechanism: Mechanism::A { .. } | Mechanism::Mx { .. },
            ..
        } => Some(without_prefix(&t.text).to_string()),
        TermKind::Directive {
            mechanism: Mechanism::Ip4 { .. },
            ..
        } => Some(format!(
            "ip4:{}",
            placeholder("your sending IPv4 addresses")
        )),
        TermKind::Directive {
            mechanism: Mechanism::Ip6 { .. },
            ..
        } => Some(format!(
            "ip6:{}",
            placeholder("your sending IPv6 addresses")
        )),
        _ => None,
    });
    let fixed = Record::text_with(record.terms.iter().filter_map(|t| {
        if t.text == grant.term {
            replacement.as_deref()
        } else {
            Some(t.text.as_str())
        }
    }));
    let what = match &replacement {
        Some(r) => format!("replace '{}' with `{r}`", grant.term),
        None => format!("remove '{}'", grant.term),
    };
    let finding = finding.remediation(format!(
        "In the record of {}, {what}: list the hosts that send, not a range that holds everyone \
         else too. The record would read `{fixed}`.",
        node.domain
    ));
    match ev.edit(node, fixed) {
        Some(change) => finding.change(change),
        None => finding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::Source;
    use crate::spf::tree::{Count, Edge, lookalikes, parse_txt};

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

    fn node_of(n: &str, txt: Arc<Lookup>) -> Node {
        Node {
            domain: name(n),
            parsed: parse_txt(&txt),
            lookalikes: lookalikes(&txt),
            txt,
            edges: Vec::new(),
            targets: Vec::new(),
            before: 0,
            lookups: Count::default(),
        }
    }

    fn leaf(n: &str, record: &str) -> Node {
        node_of(n, txt(n, &[record]))
    }

    /// An include from `from` to node `to` (an index into the final list).
    fn include(from: &mut Node, target: &str, to: NodeId) {
        from.edges.push(Edge {
            term: format!("include:{target}"),
            qualifier: Qualifier::Pass,
            redirect: false,
            target: name(target),
            position: 1,
            link: Link::Node(to),
        });
    }

    fn facts(nodes: Vec<Node>) -> SpfFacts {
        SpfFacts {
            domain: nodes[0].domain.clone(),
            tree: Tree::from_nodes(nodes),
            spf_type: lookup("example.com", RType::Spf, Outcome::NoData),
            own_hosts: None,
        }
    }

    fn status_of(findings: &[Finding], id: &str) -> Option<Status> {
        findings
            .iter()
            .filter(|f| f.id() == id)
            .map(|f| f.status)
            .max()
    }

    #[test]
    fn counts_lookups_through_includes() {
        let mut root = leaf("example.com", "v=spf1 a mx include:a.example.net -all");
        let mut a = leaf(
            "a.example.net",
            "v=spf1 include:b.example.net include:c.example.net ~all",
        );
        include(&mut a, "b.example.net", 2);
        include(&mut a, "c.example.net", 3);
        include(&mut root, "a.example.net", 1);
        let nodes = vec![
            root,
            a,
            leaf("b.example.net", "v=spf1 a a a ~all"),
            leaf("c.example.net", "v=spf1 a a a ~all"),
        ];
        let ev = facts(nodes);
        assert_eq!(
            ev.tree.total_lookups(),
            Count {
                known: 3 + 2 + 6,
                more: false
            }
        );
        let findings = check(&ev);
        assert_eq!(status_of(&findings, "spf.lookup-limit"), Some(Status::Fail));
        assert_eq!(status_of(&findings, "spf.all"), Some(Status::Pass));
        assert!(findings.iter().find(|f| f.id() == "spf.lookup-limit").unwrap().evidence.iter().any(
            |e| matches!(e, Evidence::Note { text, .. } if text.contains("include:b.example.net — 3 lookup(s) below"))
        ));
    }

    #[test]
    fn a_shared_record_is_counted_each_time_and_shown_once() {
        let mut root = leaf(
            "example.com",
            "v=spf1 include:s.example.net include:s.example.net -all",
        );
        include(&mut root, "s.example.net", 1);
        include(&mut root, "s.example.net", 1);
        let ev = facts(vec![root, leaf("s.example.net", "v=spf1 a a ~all")]);
        assert_eq!(ev.tree.total_lookups().known, 2 + 2 * 2);
        let render = ev.tree.render();
        assert_eq!(render.matches("(shown above)").count(), 1, "{render}");
    }

    #[test]
    fn loops_are_cycles_in_the_graph() {
        let mut a = leaf("example.com", "v=spf1 include:b.example.com -all");
        let mut b = leaf("b.example.com", "v=spf1 include:example.com -all");
        include(&mut a, "b.example.com", 1);
        include(&mut b, "example.com", 0);
        let ev = facts(vec![a, b]);
        assert!(ev.tree.total_lookups().exceeds(MAX_DNS_LOOKUPS));
        let f = check(&ev);
        let l = f.iter().find(|f| f.id() == "spf.include-loop").unwrap();
        assert!(
            l.summary
                .contains("example.com → include:b.example.com → include:example.com"),
            "{}",
            l.summary
        );
        assert_eq!(
            l.changes.len(),
            1,
            "the record closing the loop, without the term"
        );
        assert_eq!(l.changes[0].data, "v=spf1 -all");
        assert!(matches!(ev.standing(), Standing::PermError(_)));
    }

    #[test]
    fn standing_tells_what_spf_can_give() {
        let usable = facts(vec![leaf("example.com", "v=spf1 ip4:192.0.2.0/24 -all")]);
        assert!(matches!(usable.standing(), Standing::Usable));
        let none = node_of(
            "example.com",
            lookup("example.com", RType::Txt, Outcome::NoData),
        );
        assert!(matches!(facts(vec![none]).standing(), Standing::NoRecord));
        let broken = facts(vec![leaf("example.com", "v=spf1 ip4:192.0.2.300 -all")]);
        assert!(matches!(broken.standing(), Standing::PermError(_)));
        let mut root = leaf("example.com", "v=spf1 include:gone.example -all");
        include(&mut root, "gone.example", 1);
        let gone = node_of(
            "gone.example",
            lookup(
                "gone.example",
                RType::Txt,
                Outcome::Failed(crate::dns::Failure::ServFail),
            ),
        );
        assert!(matches!(
            facts(vec![root, gone]).standing(),
            Standing::Unknown(_)
        ));
        let everyone = facts(vec![leaf("example.com", "v=spf1 ip6:::/0 -all")]);
        assert!(matches!(everyone.standing(), Standing::Permissive { .. }));
    }

    #[test]
    fn plus_all_and_neutral_endings() {
        let f = check(&facts(vec![leaf("example.com", "v=spf1 +all")]));
        assert_eq!(status_of(&f, "spf.all"), Some(Status::Fail));
        assert_eq!(status_of(&f, "spf.broad-range"), Some(Status::Fail));
        let f = check(&facts(vec![leaf(
            "example.com",
            "v=spf1 ip4:192.0.2.1 ?all",
        )]));
        assert_eq!(status_of(&f, "spf.all"), Some(Status::Warn));
        assert_eq!(status_of(&f, "spf.broad-range"), Some(Status::Pass));
        let f = check(&facts(vec![leaf("example.com", "v=spf1 ip4:192.0.2.1")]));
        assert_eq!(status_of(&f, "spf.all"), Some(Status::Warn));
    }

    #[test]
    fn an_included_plus_all_passes_everyone_with_its_path() {
        let mut root = leaf("example.com", "v=spf1 include:spf.esp.example -all");
        include(&mut root, "spf.esp.example", 1);
        let ev = facts(vec![root, leaf("spf.esp.example", "v=spf1 +all")]);
        let f = check(&ev);
        let broad = f.iter().find(|f| f.id() == "spf.broad-range").unwrap();
        assert_eq!(broad.status, Status::Fail);
        assert!(
            broad
                .summary
                .contains("example.com → include:spf.esp.example → +all"),
            "{}",
            broad.summary
        );
        // Not the domain's record to edit: the change drops the include.
        assert_eq!(broad.changes[0].data, "v=spf1 -all");
        assert!(matches!(ev.standing(), Standing::Permissive { .. }));
        // A failing include of the same record authorises no one.
        let mut root = leaf("example.com", "v=spf1 -include:spf.esp.example ~all");
        root.edges.push(Edge {
            term: "-include:spf.esp.example".into(),
            qualifier: Qualifier::Fail,
            redirect: false,
            target: name("spf.esp.example"),
            position: 1,
            link: Link::Node(1),
        });
        let f = check(&facts(vec![root, leaf("spf.esp.example", "v=spf1 +all")]));
        assert_eq!(status_of(&f, "spf.broad-range"), Some(Status::Pass));
    }

    #[test]
    fn syntax_error_reported_with_position() {
        let f = check(&facts(vec![leaf(
            "example.com",
            "v=spf1 ip4:192.0.2.300 -all",
        )]));
        let syntax = f.iter().find(|f| f.id() == "spf.syntax").unwrap();
        assert_eq!(syntax.status, Status::Fail);
        assert!(syntax.summary.contains("ip4:192.0.2.300"));
        assert!(
            syntax.evidence.iter().any(
                |e| matches!(e, Evidence::Note { text, .. } if text.ends_with("\n           ^"))
            )
        );
        assert!(syntax.changes.is_empty(), "no unambiguous fix");
    }

    #[test]
    fn unambiguous_syntax_errors_come_with_the_corrected_record() {
        for (published, fixed) in [
            ("v=spf1 ip4:8.8.8.8~all", "v=spf1 ip4:8.8.8.8 ~all"),
            (
                "v=spf1 include: _spf.example.net -all",
                "v=spf1 include:_spf.example.net -all",
            ),
            (
                "v=spf1 include _spf.example.net -all",
                "v=spf1 include:_spf.example.net -all",
            ),
            (
                "v=spf1 ip4:mail.example.com -all",
                "v=spf1 a:mail.example.com -all",
            ),
            ("v=spf1 a - all", "v=spf1 a -all"),
        ] {
            let f = check(&facts(vec![leaf("example.com", published)]));
            let syntax = f.iter().find(|f| f.id() == "spf.syntax").unwrap();
            assert_eq!(syntax.status, Status::Fail, "{published}");
            assert_eq!(
                syntax.changes,
                vec![Change::replace(
                    name("example.com"),
                    "TXT",
                    published,
                    fixed
                )],
                "{published}"
            );
        }
    }

    #[test]
    fn missing_and_multiple() {
        let nx = node_of(
            "example.com",
            lookup("example.com", RType::Txt, Outcome::NoData),
        );
        let f = check(&facts(vec![nx]));
        assert_eq!(status_of(&f, "spf.record"), Some(Status::Fail));
        let two = txt("example.com", &["v=spf1 -all", "v=spf1 mx -all"]);
        let f = check(&facts(vec![node_of("example.com", two)]));
        assert_eq!(status_of(&f, "spf.record"), Some(Status::Fail));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].changes[0].data, "v=spf1 mx -all");
        assert_eq!(
            f[0].changes[1].action,
            crate::checks::finding::Action::Remove
        );
        let differ = txt("example.com", &["v=spf1 +all", "v=spf1 mx -all"]);
        let f = check(&facts(vec![node_of("example.com", differ)]));
        assert!(f[0].changes.is_empty(), "two endings: deliv cannot choose");
    }

    #[test]
    fn records_that_look_like_spf_are_named() {
        let f = check(&facts(vec![node_of(
            "example.com",
            txt("example.com", &["V=SPF1 -all"]),
        )]));
        let record = f.iter().find(|f| f.id() == "spf.record").unwrap();
        assert_eq!(record.status, Status::Warn);
        assert_eq!(record.changes[0].data, "v=spf1 -all");
        let beside = txt(
            "example.com",
            &["v=spf1 mx -all", " v=spf1 a -all", "spf2.0/pra -all"],
        );
        let f = check(&facts(vec![node_of("example.com", beside)]));
        let record = f.iter().find(|f| f.id() == "spf.record").unwrap();
        assert_eq!(record.status, Status::Warn, "{}", record.summary);
        assert_eq!(record.changes.len(), 2);
        let only = txt("example.com", &["v=spf1include:_spf.example.net -all"]);
        let f = check(&facts(vec![node_of("example.com", only)]));
        let record = f.iter().find(|f| f.id() == "spf.record").unwrap();
        assert_eq!(record.status, Status::Fail);
        assert_eq!(
            record.changes[0].data,
            "v=spf1 include:_spf.example.net -all"
        );
    }

    #[test]
    fn broad_ranges_and_ptr() {
        let f = check(&facts(vec![leaf(
            "example.com",
            "v=spf1 ip4:10.0.0.0/8 ip6:2001:db8::/12 ptr -all",
        )]));
        let broad: Vec<Status> = f
            .iter()
            .filter(|f| f.id() == "spf.broad-range")
            .map(|f| f.status)
            .collect();
        assert_eq!(broad, vec![Status::Warn, Status::Fail]);
        assert_eq!(status_of(&f, "spf.ptr"), Some(Status::Warn));
        let f = check(&facts(vec![leaf(
            "example.com",
            "v=spf1 ip4:0.0.0.0/0 -all",
        )]));
        let broad = f.iter().find(|f| f.id() == "spf.broad-range").unwrap();
        assert_eq!(broad.status, Status::Fail);
        assert!(crate::checks::finding::has_placeholder(
            &broad.changes[0].data
        ));
    }

    #[test]
    fn terms_after_all_are_moved_before_it() {
        let f = check(&facts(vec![leaf(
            "example.com",
            "v=spf1 -all include:_spf.example.net -all exp=x.example.com",
        )]));
        let never = f.iter().find(|f| f.id() == "spf.never-matches").unwrap();
        assert_eq!(never.status, Status::Warn);
        assert_eq!(
            never.changes[0].data,
            "v=spf1 include:_spf.example.net -all exp=x.example.com"
        );
    }

    #[test]
    fn oversize_txt() {
        let long = format!("v=spf1 {} -all", "ip4:192.0.2.1 ".repeat(20));
        let f = check(&facts(vec![leaf("example.com", &long)]));
        assert_eq!(status_of(&f, "spf.txt-size"), Some(Status::Fail));
        let many: Vec<String> = (0..8)
            .map(|i| format!("verification-token-{i}-{}", "x".repeat(60)))
            .collect();
        let mut all: Vec<&str> = many.iter().map(String::as_str).collect();
        all.push("v=spf1 -all");
        let f = check(&facts(vec![node_of(
            "example.com",
            txt("example.com", &all),
        )]));
        assert_eq!(status_of(&f, "spf.txt-size"), Some(Status::Warn));
    }

    fn query(ip: &str) -> Query {
        Query {
            ip: ip.parse().unwrap(),
            sender: String::new(),
            helo: String::new(),
            domain: "example.com".into(),
        }
    }

    fn evaluation(
        result: SpfResult,
        permissive: Option<crate::spf::eval::Permissive>,
    ) -> Evaluation {
        Evaluation {
            result,
            mechanism: None,
            matched_in: None,
            path: None,
            permissive,
            explanation: None,
            problem: None,
            dns_lookups: 0,
            void_lookups: 0,
            consulted: Vec::new(),
            trace: Vec::new(),
        }
    }

    #[test]
    fn a_pass_from_a_tree_that_passes_everyone_is_not_clean() {
        let clean = judge(&query("192.0.2.1"), &evaluation(SpfResult::Pass, None));
        assert_eq!(clean.status, Status::Pass);
        let everyone = crate::spf::eval::Permissive {
            term: "+all".into(),
            path: "example.com → include:x.example → +all".into(),
            decided: true,
        };
        let v = judge(
            &query("192.0.2.1"),
            &evaluation(SpfResult::Pass, Some(everyone)),
        );
        assert_eq!(v.status, Status::Fail);
        assert!(v.remediation.unwrap().contains("include:x.example → +all"));
    }
}
