//! DNS blocklists (RFC 5782): the sending addresses on IP lists, their ranges and networks
//! on neighbourhood lists (and, with `--neighbourhood`, the rest of their /24), and the
//! domain and its host names on domain lists.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream;
use ipnet::{Ipv4AddrRange, Ipv4Net};

use futures_util::future::BoxFuture;

use super::ptr::PtrFacts;
use super::sending_ips::{self, Origin, SendingIp, SendingIps};
use crate::checks::area::{AreaDef, Ctx, Facts, SubjectKind, facts};
use crate::checks::finding::{Area, CheckDef, Evidence, Finding, Status, checks};
use crate::dns::{Lookup, Name, RType, Resolver};
use crate::reputation::hosting::generic_ptr;
use crate::reputation::lists::{self, Answer, Blocklist, Kind, Listing, Subject};

pub const NAME: Area = Area::new("dnsbl");

pub static AREA: AreaDef = AreaDef {
    area: NAME,
    subjects: &[SubjectKind::Domain, SubjectKind::Ip],
    reads: &[],
    checks: CHECKS,
    gather: facts::<DnsblFacts>,
    check: |g| check(g.facts()),
};

checks! {
    area: NAME;

    /// ## What it checks
    /// Whether the DNS resolver deliv uses is a big public one (Google Public DNS,
    /// Cloudflare, Quad9, OpenDNS). Lists that refuse such resolvers (Spamhaus without a
    /// DQS key, SURBL, URIBL) are then not asked, and this finding says so once.
    ///
    /// ## Why it matters
    /// Spamhaus answers queries that arrive through public resolvers with the error code
    /// 127.255.255.254 and URIBL and SURBL with 127.0.0.1; others may answer nothing. A
    /// "not listed" obtained that way means nothing, so those lists are left unchecked
    /// rather than reported clean. (deliv cannot see past a local forwarder: a resolver on
    /// 127.0.0.53 that forwards to a public resolver is not recognised.)
    ///
    /// ## How to fix
    /// Point deliv at a resolver of your own that queries the lists' servers directly (for
    /// example a local unbound) with `--resolver`, or give a free Spamhaus Data Query
    /// Service key with `--spamhaus-key` (or `DELIV_SPAMHAUS_KEY`): DQS queries work through
    /// any resolver.
    DNSBL_RESOLVER = "dnsbl.resolver", "Blocklists are asked through a resolver they answer",
    references ["https://www.spamhaus.org/news/article/788/",
                "https://www.spamhaus.com/resource-center/help-for-spamhaus-projects-legacy-blocklist-users",
                "https://uribl.com/refused.shtml"];

    /// ## What it checks
    /// Each sending address against the IP blocklists in use: by default Spamhaus ZEN
    /// (SBL, CSS, XBL, PBL), SpamCop, UCEPROTECT Level 1 and PSBL; with `--dnsbl ZONE` only
    /// the zones named. Each answer is read against the list's documented return codes; a
    /// TXT reason is shown when the list publishes one. Error answers (127.255.255.0/24 from
    /// any list) and answers outside 127.0.0.0/8 are reported as `error`, never as a listing
    /// or a clean result. Lists whose return codes are not documented are reported as
    /// "listed, meaning not documented". Lists not documented for IPv6 are not asked about
    /// IPv6 addresses. Before any answer of a list is trusted, its RFC 5782 §5 test entries
    /// are asked once per run (127.0.0.2 must be listed, 127.0.0.1 must not; a domain list
    /// must not list `invalid`): a list, or a resolver in between, that fails them is `error`
    /// for every address, because a lapsed list answering NXDOMAIN to everything looks clean.
    ///
    /// ## Why it matters
    /// Receivers reject or junk mail from listed addresses and say so in their replies
    /// (`554 5.7.1 ... blocked using zen.spamhaus.org`, Outlook.com `550 OU-001`). A listing
    /// usually has a cause on the sender's side: a compromised account or host, a bad list,
    /// a form that mails anyone.
    ///
    /// ## How to fix
    /// Find and stop the cause first, then request removal at the list's page (shown with
    /// each listing). Spamhaus PBL listings are not about spam: relay through your
    /// provider, or remove a static mail server's address through the PBL removal.
    DNSBL_IP = "dnsbl.ip", "Sending IPs are not on IP blocklists",
    references ["RFC 5782 §2", "https://check.spamhaus.org/",
                "https://docs.spamhaus.com/datasets/docs/source/10-data-type-documentation/datasets/040-zones.html",
                "https://www.spamcop.net/bl.shtml", "https://psbl.org/remove"];

    /// ## What it checks
    /// The network around each sending address: by default UCEPROTECT Level 2 (ranges with
    /// several trapped addresses) and Level 3 (whole networks). With `--neighbourhood`, also
    /// every other address of the address's /24 against the IP lists that permit such
    /// volume (UCEPROTECT Level 1, PSBL, and any list named with `--dnsbl`), for at most 4
    /// distinct /24s, with a bounded number of queries in flight.
    ///
    /// ## Why it matters
    /// A neighbourhood listing is not about your own mail: it says the range or network you
    /// send from hosts abusers. Receivers that judge ranges still refuse your mail for it:
    /// Outlook.com's "part of their network is on our block list (S3140)" is the classic
    /// case, typical of cloud and VPS space.
    ///
    /// ## How to fix
    /// You cannot delist a range yourself. Ask your provider to deal with the abuse in the
    /// range or to give you an address in a clean one; ask Outlook.com for mitigation
    /// through its sender support form (Microsoft 365 blocks: https://sender.office.com/);
    /// or send through an established relay or ESP whose addresses have their own
    /// reputation.
    DNSBL_NEIGHBOURHOOD = "dnsbl.neighbourhood", "The network around the sending IPs is not listed",
    references ["https://www.uceprotect.net/",
                "https://support.microsoft.com/supportrequestform/8ad563e3-288e-2a61-8122-3ba03d6b8d75",
                "https://learn.microsoft.com/en-us/defender-office-365/external-senders-use-the-delist-portal-to-unblock-yourself"];

    /// ## What it checks
    /// The domain checked, the host names its SPF record names and the sending addresses'
    /// PTR names (generic provider names are left out) against the domain lists in use: by
    /// default the Spamhaus DBL, SURBL and URIBL; with `--dbl ZONE` only the zones named.
    /// SURBL's answer is a bitmask and is decoded; 127.0.0.1 from URIBL or SURBL and
    /// 127.0.1.255 from the DBL are refusals, reported as `error`.
    ///
    /// ## Why it matters
    /// Receivers look up the domains in a message (From, DKIM, links) as well as the
    /// sending address; a listed domain gets mail junked or refused wherever it appears
    /// (Gmail: "suspicious due to ... the links", Yahoo `PH01`).
    ///
    /// ## How to fix
    /// Find why the domain was listed (a compromised website, links sent by spammers, mail
    /// to bought lists), fix that, then request removal at the list's page.
    DNSBL_DOMAIN = "dnsbl.domain", "The domain and its host names are not on domain blocklists",
    references ["RFC 5782 §3", "https://check.spamhaus.org/", "https://www.surbl.org/"];
}

/// Blocklist queries in flight at once, below the resolver's own bound so PTR and network
/// lookups are not starved by a neighbourhood scan.
const LIST_QUERIES_IN_FLIGHT: usize = 16;
/// Most names asked of domain lists per domain.
const MAX_NAMES: usize = 8;
/// Most /24s scanned with `--neighbourhood`.
const MAX_SCANS: usize = 4;

/// Why a list was asked about something.
#[derive(Debug, Clone)]
pub enum Asked {
    Sender(SendingIp),
    Name {
        name: Name,
        why: String,
    },
    /// An address in the /24 of a sending address (`--neighbourhood`).
    Neighbour {
        of: IpAddr,
        net: Ipv4Net,
        ip: Ipv4Addr,
    },
    /// One of the list's RFC 5782 §5 test entries, which it must (`listed`) or must not hold.
    Test {
        subject: Subject,
        listed: bool,
    },
}

/// The RFC 5782 §5 test entries asked of a list of this kind: an IP list must hold 127.0.0.2
/// and not 127.0.0.1. A domain list must not hold `invalid`; the `test` entry it should hold is
/// not asked, because lists in use answer it inconsistently, so a domain list that answers
/// NXDOMAIN to everything is not caught.
fn test_entries(kind: Kind) -> Vec<Asked> {
    match kind {
        Kind::Ip | Kind::Neighbourhood => [(2, true), (1, false)]
            .into_iter()
            .map(|(last, listed)| Asked::Test {
                subject: Subject::Ip(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))),
                listed,
            })
            .collect(),
        Kind::Domain => Name::parse("invalid")
            .map(|name| Asked::Test {
                subject: Subject::Domain(name),
                listed: false,
            })
            .into_iter()
            .collect(),
    }
}

impl Asked {
    pub fn subject(&self) -> Subject {
        match self {
            Asked::Sender(s) => Subject::Ip(s.ip),
            Asked::Name { name, .. } => Subject::Domain(name.clone()),
            Asked::Neighbour { ip, .. } => Subject::Ip(IpAddr::V4(*ip)),
            Asked::Test { subject, .. } => subject.clone(),
        }
    }

    fn evidence(&self) -> Evidence {
        match self {
            Asked::Sender(s) => s.evidence(),
            Asked::Name { name, why } => Evidence::note(format!("domain {name}"), why.clone()),
            Asked::Neighbour { of, net, .. } => {
                Evidence::note("neighbourhood", format!("{net}, around {of}"))
            }
            Asked::Test { subject, listed } => Evidence::note(
                "RFC 5782 test entry",
                format!(
                    "{subject} must {}be listed",
                    if *listed { "" } else { "not " }
                ),
            ),
        }
    }
}

/// One list asked about one subject.
#[derive(Debug, Clone)]
pub struct Query {
    /// Index into [`DnsblFacts::lists`].
    pub list: usize,
    pub asked: Asked,
    pub a: Arc<Lookup>,
    /// The list's TXT reason, asked when the A answer is a listing (not in scans).
    pub txt: Option<Arc<Lookup>>,
}

#[derive(Debug, Clone)]
pub struct DnsblFacts {
    pub lists: Vec<Blocklist>,
    /// The configured resolver, when it is a big public one.
    pub public: Option<(IpAddr, &'static str)>,
    pub sources: SendingIps,
    /// The names asked of domain lists, with why.
    pub names: Vec<(Name, String)>,
    pub queries: Vec<Query>,
}

impl Facts for DnsblFacts {
    fn gather<'c>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, Self> {
        Box::pin(gather(ctx))
    }
}

impl DnsblFacts {
    fn skipped_for_resolver(&self, list: &Blocklist) -> bool {
        self.public.is_some() && list.refuses_public_resolvers()
    }

    /// What a list's answer says, unless the list failed its test entries in this run: then
    /// no answer of it can be trusted (a lapsed list answering NXDOMAIN to everything looks
    /// clean; one answering everything looks like a listing).
    fn answer(&self, q: &Query) -> Answer {
        let list = &self.lists[q.list];
        if !matches!(q.asked, Asked::Test { .. })
            && let Some((test, why)) = self.failed_test(q.list)
        {
            return Answer::Unusable {
                why: format!(
                    "the list failed its RFC 5782 test entry {}: {why}",
                    list.mask(test.a.name.as_str())
                ),
                hint: "The list (or the resolver in between) does not answer as a blocklist \
                       must, so its answers about your addresses mean nothing. Check that the \
                       list still operates and that your resolver reaches it; drop it with \
                       --dnsbl/--dbl naming the others."
                    .into(),
            };
        }
        list.classify(&q.a)
    }

    /// The first test entry of list `i` that did not answer as RFC 5782 §5 says, and how.
    fn failed_test(&self, i: usize) -> Option<(&Query, String)> {
        self.queries.iter().filter(|q| q.list == i).find_map(|q| {
            let Asked::Test { listed, .. } = q.asked else {
                return None;
            };
            let why = match (self.lists[i].classify(&q.a), listed) {
                (Answer::Listed(_), true) | (Answer::NotListed, false) => return None,
                (Answer::NotListed, true) => "not listed, though every list must list it".into(),
                (Answer::Listed(l), false) => {
                    format!("listed ({}), though no list may list it", meanings(&l))
                }
                (Answer::Unusable { why, .. }, _) => why,
            };
            Some((q, why))
        })
    }
}

async fn gather(ctx: &Ctx<'_>) -> DnsblFacts {
    let (resolver, options) = (ctx.resolver, &ctx.options.reputation);
    let sources = &*ctx.get::<SendingIps>().await;
    let mut ev = DnsblFacts {
        lists: options.lists.clone(),
        public: lists::public_resolver(resolver.servers()),
        sources: sources.clone(),
        names: Vec::new(),
        queries: Vec::new(),
    };
    let usable: Vec<(usize, &Blocklist)> = ev
        .lists
        .iter()
        .enumerate()
        .filter(|(_, l)| !ev.skipped_for_resolver(l))
        .collect();

    let mut ip_questions: Vec<(usize, Asked)> = Vec::new();
    for (i, list) in usable.iter().filter(|(_, l)| l.kind != Kind::Domain) {
        for ip in sources.ips.iter().filter(|ip| list.asks(ip.ip)) {
            ip_questions.push((*i, Asked::Sender(ip.clone())));
        }
    }
    if options.neighbourhood {
        let mut nets: Vec<(IpAddr, Ipv4Net)> = Vec::new();
        for ip in &sources.ips {
            if let IpAddr::V4(v4) = ip.ip
                && let Ok(net) = Ipv4Net::new(v4, 24)
                && !nets.iter().any(|(_, n)| *n == net.trunc())
            {
                nets.push((ip.ip, net.trunc()));
            }
        }
        nets.truncate(MAX_SCANS);
        for (i, _) in usable
            .iter()
            .filter(|(_, l)| l.kind == Kind::Ip && l.may_scan())
        {
            for (of, net) in &nets {
                for addr in Ipv4AddrRange::new(net.network(), net.broadcast()) {
                    if sources.find(IpAddr::V4(addr)).is_none() {
                        ip_questions.push((
                            *i,
                            Asked::Neighbour {
                                of: *of,
                                net: *net,
                                ip: addr,
                            },
                        ));
                    }
                }
            }
        }
    }
    let asked: Vec<usize> = ip_questions.iter().map(|(i, _)| *i).collect();
    for (i, list) in &usable {
        if asked.contains(i) {
            ip_questions.extend(test_entries(list.kind).into_iter().map(|t| (*i, t)));
        }
    }
    let domain_lists: Vec<usize> = usable
        .iter()
        .filter(|(_, l)| l.kind == Kind::Domain)
        .map(|(i, _)| *i)
        .collect();

    let lists = &ev.lists;
    let (ip_queries, (names, name_queries)) =
        tokio::join!(ask(resolver, lists, ip_questions), async {
            if domain_lists.is_empty() {
                return (Vec::new(), Vec::new());
            }
            let names = names(ctx.subject.domain(), sources, &*ctx.get::<PtrFacts>().await);
            let questions: Vec<(usize, Asked)> = domain_lists
                .iter()
                .filter(|_| !names.is_empty())
                .flat_map(|i| {
                    names
                        .iter()
                        .map(|(name, why)| Asked::Name {
                            name: name.clone(),
                            why: why.clone(),
                        })
                        .chain(test_entries(Kind::Domain))
                        .map(|asked| (*i, asked))
                })
                .collect();
            (names.clone(), ask(resolver, lists, questions).await)
        });
    ev.queries = ip_queries;
    ev.queries.extend(name_queries);
    ev.names = names;
    ev
}

/// The names worth asking domain lists about: the domain, hosts its SPF record names, and
/// PTR names of the sending addresses that are the sender's own (not generic).
fn names(domain: Option<&Name>, sources: &SendingIps, ptr: &PtrFacts) -> Vec<(Name, String)> {
    let mut out: Vec<(Name, String)> = Vec::new();
    if let Some(d) = domain {
        out.push((d.clone(), "the domain checked".into()));
    }
    for ip in &sources.ips {
        for origin in &ip.origins {
            if let Origin::SpfHost { term, host } = origin {
                out.push((host.clone(), format!("named by SPF term '{term}'")));
            }
        }
    }
    // The ptr area's facts, gathered once for both areas.
    for ip in &ptr.ips {
        for name in ip.names() {
            if generic_ptr(name, ip.ip.ip).is_none() {
                out.push((name.clone(), format!("PTR name of {}", ip.ip.ip)));
            }
        }
    }
    let mut seen: Vec<(Name, String)> = Vec::new();
    for (name, why) in out {
        if !seen.iter().any(|(n, _)| *n == name) {
            seen.push((name, why));
        }
    }
    seen.truncate(MAX_NAMES);
    seen
}

/// Asks the lists, a bounded number at a time; a listing's TXT reason is fetched with it.
async fn ask(
    resolver: &Resolver,
    lists: &[Blocklist],
    questions: Vec<(usize, Asked)>,
) -> Vec<Query> {
    stream::iter(questions)
        .map(|(list, asked)| async move {
            let bl = &lists[list];
            let subject = asked.subject();
            let a = match bl.query_name(&subject) {
                Ok(name) => resolver.query(&name, RType::A).await,
                Err(e) => {
                    Lookup::unaskable(RType::A, format!("cannot ask {bl} about {subject}: {e}"))
                }
            };
            let wants_reason = !matches!(asked, Asked::Neighbour { .. })
                && matches!(bl.classify(&a), Answer::Listed(_));
            let txt = if wants_reason {
                Some(resolver.query(&a.name, RType::Txt).await)
            } else {
                None
            };
            Query {
                list,
                asked,
                a,
                txt,
            }
        })
        .buffered(LIST_QUERIES_IN_FLIGHT)
        .collect()
        .await
}

/// A lookup of a list as evidence, with a DQS key masked.
fn evidence(list: &Blocklist, lookup: &Lookup) -> Evidence {
    let mut evidence = Evidence::from(lookup);
    if let Evidence::Dns { name, .. } = &mut evidence {
        *name = list.mask(name);
    }
    evidence
}

pub fn check(ev: &DnsblFacts) -> Vec<Finding> {
    let mut out: Vec<Finding> = resolver_refused(ev).into_iter().collect();
    let asks_ips = ev.lists.iter().any(|l| l.kind != Kind::Domain);
    if asks_ips && ev.sources.ips.is_empty() {
        out.extend(sending_ips::finding(&DNSBL_IP, &ev.sources));
    }
    out.extend(listings(ev, Kind::Ip, &DNSBL_IP));
    out.extend(listings(ev, Kind::Neighbourhood, &DNSBL_NEIGHBOURHOOD));
    out.extend(scans(ev));
    out.extend(listings(ev, Kind::Domain, &DNSBL_DOMAIN));
    out
}

fn resolver_refused(ev: &DnsblFacts) -> Option<Finding> {
    let (ip, operator) = ev.public?;
    let skipped: Vec<String> = ev
        .lists
        .iter()
        .filter(|l| ev.skipped_for_resolver(l))
        .map(ToString::to_string)
        .collect();
    if skipped.is_empty() {
        return None;
    }
    Some(
        DNSBL_RESOLVER
            .finding(
                Status::Error,
                format!(
                    "the resolver {ip} is {operator}, a public resolver: not asked {}",
                    skipped.join(", ")
                ),
            )
            .evidence(Evidence::note("resolver", format!("{ip} ({operator})")))
            .evidence(Evidence::note("lists not asked", skipped.join(", ")))
            .detail(
                "These lists refuse queries that reach them through big public resolvers (or \
                 answer them wrongly), so a clean answer through one would mean nothing.",
            )
            .remediation(lists::OWN_RESOLVER),
    )
}

const NEIGHBOURHOOD_WHY: &str = "A neighbourhood listing is about the addresses around yours, \
    not about your own mail: the range or network hosts senders that hit spam traps. Receivers \
    that judge ranges refuse your mail for it too, e.g. Outlook.com's \"part of their network \
    is on our block list (S3140)\".";
const NEIGHBOURHOOD_FIX: &str = "You cannot delist a range yourself. Ask your provider to deal \
    with the abuse in the range or to move you to a clean one; ask Outlook.com for mitigation \
    through its sender support form \
    (https://support.microsoft.com/supportrequestform/8ad563e3-288e-2a61-8122-3ba03d6b8d75; \
    for Microsoft 365 blocks use https://sender.office.com/); or send through a relay or ESP \
    whose addresses have their own reputation.";

fn meanings(listings: &[Listing]) -> String {
    listings
        .iter()
        .map(|l| format!("{} {}", l.answer, l.meaning))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Listings, clean results and unusable answers of one kind of list, for the senders or
/// names asked (not the neighbourhood scan).
fn listings(ev: &DnsblFacts, kind: Kind, check: &'static CheckDef) -> Vec<Finding> {
    let queries: Vec<&Query> = ev
        .queries
        .iter()
        .filter(|q| {
            ev.lists[q.list].kind == kind
                && matches!(q.asked, Asked::Sender(_) | Asked::Name { .. })
        })
        .collect();
    let in_use: Vec<&Blocklist> = ev.lists.iter().filter(|l| l.kind == kind).collect();
    if in_use.is_empty() {
        return Vec::new();
    }
    let subjects: Vec<(Subject, Evidence)> = match kind {
        Kind::Domain => ev
            .names
            .iter()
            .map(|(name, why)| {
                let asked = Asked::Name {
                    name: name.clone(),
                    why: why.clone(),
                };
                (asked.subject(), asked.evidence())
            })
            .collect(),
        Kind::Ip | Kind::Neighbourhood => ev
            .sources
            .ips
            .iter()
            .map(|s| (Subject::Ip(s.ip), s.evidence()))
            .collect(),
    };
    let mut out = Vec::new();
    for (subject, asked) in &subjects {
        let mine: Vec<&&Query> = queries
            .iter()
            .filter(|q| q.asked.subject() == *subject)
            .collect();
        let mut clean: Vec<&Query> = Vec::new();
        let mut listed = 0;
        for q in &mine {
            match ev.answer(q) {
                Answer::Listed(l) => {
                    listed += 1;
                    out.push(listing(ev, check, q, &l, asked));
                }
                Answer::NotListed => clean.push(q),
                Answer::Unusable { .. } => {}
            }
        }
        if listed == 0 && !clean.is_empty() {
            let names: Vec<String> = clean.iter().map(|q| ev.lists[q.list].to_string()).collect();
            out.push(
                check
                    .pass(format!("{subject} is on none of: {}", names.join(", ")))
                    .evidence(asked.clone())
                    .evidence_all(clean.iter().map(|q| evidence(&ev.lists[q.list], &q.a))),
            );
        }
        let ipv6 = matches!(subject, Subject::Ip(IpAddr::V6(_)));
        if mine.is_empty() && kind == Kind::Ip && ipv6 {
            let names: Vec<String> = in_use
                .iter()
                .filter(|l| !ev.skipped_for_resolver(l))
                .map(|l| l.to_string())
                .collect();
            if !names.is_empty() {
                out.push(
                    check
                        .info(format!(
                            "{subject} was not checked: none of the lists in use documents IPv6 \
                             queries ({})",
                            names.join(", ")
                        ))
                        .evidence(asked.clone())
                        .remediation(
                            "Name an IP list that answers for IPv6 with --dnsbl (Spamhaus ZEN \
                             does), or look the address up on the list operators' websites.",
                        ),
                );
            }
        }
    }
    out.extend(unusable(ev, check, &queries));
    out
}

fn listing(
    ev: &DnsblFacts,
    check: &'static CheckDef,
    q: &Query,
    listings: &[Listing],
    asked: &Evidence,
) -> Finding {
    let list = &ev.lists[q.list];
    let subject = q.asked.subject();
    let reason: Vec<String> = q
        .txt
        .iter()
        .flat_map(|t| t.txt_records())
        .map(|t| String::from_utf8_lossy(&t).into_owned())
        .collect();
    let neighbourhood = list.kind == Kind::Neighbourhood;
    let status = if neighbourhood {
        Status::Warn
    } else {
        Status::Fail
    };
    let mut detail: Vec<String> = Vec::new();
    if !reason.is_empty() {
        detail.push(format!("The list says: \"{}\".", reason.join(" ")));
    }
    if let Some(info) = list.info {
        detail.push(format!("{} lists {}.", info.name, info.lists));
    }
    if neighbourhood {
        detail.push(NEIGHBOURHOOD_WHY.to_string());
    }
    let remediation = if neighbourhood {
        NEIGHBOURHOOD_FIX.to_string()
    } else if let Some(fix) = listings.iter().find_map(|l| l.fix) {
        fix.to_string()
    } else {
        let cause = match subject {
            Subject::Ip(_) => {
                "a compromised account or host, mail to old or bought addresses, a web form \
                 that mails anyone"
            }
            Subject::Domain(_) => {
                "a compromised website, links to the domain in spam, mail to bought lists"
            }
        };
        format!("Find and stop the cause ({cause}), then: {}", list.delist())
    };
    let mut finding = check
        .finding(
            status,
            format!("{subject} is listed on {list}: {}", meanings(listings)),
        )
        .evidence(asked.clone())
        .evidence(evidence(list, &q.a))
        .detail(detail.join(" "))
        .remediation(remediation);
    if let Some(txt) = &q.txt {
        finding = finding.evidence(evidence(list, txt));
    }
    finding
}

/// Failed lookups and unusable answers, one finding per list.
fn unusable(ev: &DnsblFacts, check: &'static CheckDef, queries: &[&Query]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, list) in ev.lists.iter().enumerate() {
        let bad: Vec<(&Query, String, String)> = queries
            .iter()
            .filter(|q| q.list == i)
            .filter_map(|q| match ev.answer(q) {
                Answer::Unusable { why, hint } => Some((*q, why, hint)),
                Answer::NotListed | Answer::Listed(_) => None,
            })
            .collect();
        // Not `lookup_error`: the question may hold a DQS key, which stays out of the report.
        let Some((_, why, hint)) = bad.first() else {
            continue;
        };
        let subjects: Vec<String> = bad
            .iter()
            .map(|(q, _, _)| q.asked.subject().to_string())
            .collect();
        let test = ev.failed_test(i).map(|(q, _)| evidence(list, &q.a));
        out.push(
            check
                .finding(
                    Status::Error,
                    format!(
                        "{list} gave no usable answer for {}: {why}",
                        subjects.join(", ")
                    ),
                )
                .evidence_all(bad.iter().map(|(q, _, _)| evidence(list, &q.a)))
                .evidence_all(test)
                .remediation(hint.clone()),
        );
    }
    out
}

/// `--neighbourhood`: how many other addresses of each /24 a list holds.
fn scans(ev: &DnsblFacts) -> Vec<Finding> {
    // (sending address, its /24, list index) → the queries about that /24.
    type Key = (IpAddr, Ipv4Net, usize);
    let mut groups: Vec<(Key, Vec<&Query>)> = Vec::new();
    for q in &ev.queries {
        if let Asked::Neighbour { of, net, .. } = q.asked {
            let key = (of, net, q.list);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, qs)) => qs.push(q),
                None => groups.push((key, vec![q])),
            }
        }
    }
    let mut out = Vec::new();
    for ((of, net, i), queries) in groups {
        let list = &ev.lists[i];
        let mut listed: Vec<String> = Vec::new();
        let mut bad: Vec<(&Query, String)> = Vec::new();
        for q in &queries {
            match ev.answer(q) {
                Answer::Listed(l) => {
                    listed.push(format!("{} ({})", q.asked.subject(), meanings(&l)));
                }
                Answer::NotListed => {}
                Answer::Unusable { why, .. } => bad.push((q, why)),
            }
        }
        let scope = Evidence::note("neighbourhood", format!("{net}, around {of}"));
        let total = queries.len();
        let finding = if !listed.is_empty() {
            let shown: Vec<String> = listed.iter().take(20).cloned().collect();
            DNSBL_NEIGHBOURHOOD
                .warn(format!(
                    "{} of {total} neighbours of {of} in {net} are listed on {list}",
                    listed.len()
                ))
                .evidence(scope)
                .evidence(Evidence::note("listed neighbours", shown.join(", ")))
                .detail(NEIGHBOURHOOD_WHY)
                .remediation(NEIGHBOURHOOD_FIX)
        } else if let Some((first, why)) = bad.first() {
            DNSBL_NEIGHBOURHOOD
                .finding(
                    Status::Error,
                    format!(
                        "{} of {total} queries about {net} to {list} gave no usable answer: {why}",
                        bad.len()
                    ),
                )
                .evidence(scope)
                .evidence(evidence(list, &first.a))
                .remediation(
                    "Retry later; if it persists, the list may refuse your resolver or the volume.",
                )
        } else {
            DNSBL_NEIGHBOURHOOD
                .pass(format!(
                    "none of the {total} neighbours of {of} in {net} is listed on {list}"
                ))
                .evidence(scope)
        };
        out.push(finding);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{Failure, Outcome, Rdata, Source};
    use crate::reputation::lists::{Choice, select};

    fn lookup(name: &str, rtype: RType, outcome: Outcome) -> Arc<Lookup> {
        Arc::new(Lookup {
            name: Name::parse(name).unwrap(),
            rtype,
            aliases: Vec::new(),
            outcome,
            source: Source::Zone,
        })
    }

    fn a(s: &str) -> Outcome {
        Outcome::Records(vec![Rdata::A(s.parse().unwrap())])
    }

    fn sender(ip: &str) -> SendingIp {
        SendingIp {
            ip: ip.parse().unwrap(),
            origins: vec![Origin::Given],
        }
    }

    fn lists(dnsbl: &[&str], dbl: &[&str]) -> Vec<Blocklist> {
        select(&Choice {
            dnsbl: dnsbl.iter().map(ToString::to_string).collect(),
            dbl: dbl.iter().map(ToString::to_string).collect(),
            ..Choice::default()
        })
        .unwrap()
    }

    fn evidence(lists: Vec<Blocklist>, ips: &[&str], queries: Vec<Query>) -> DnsblFacts {
        let addrs: Vec<IpAddr> = ips.iter().map(|s| s.parse().unwrap()).collect();
        DnsblFacts {
            lists,
            public: None,
            sources: SendingIps::given(&addrs),
            names: Vec::new(),
            queries,
        }
    }

    fn q(list: usize, ip: &str, outcome: Outcome) -> Query {
        Query {
            list,
            asked: Asked::Sender(sender(ip)),
            a: lookup("x.bl.test", RType::A, outcome),
            txt: None,
        }
    }

    fn statuses(findings: &[Finding]) -> Vec<(&'static str, Status)> {
        findings.iter().map(|f| (f.id(), f.status)).collect()
    }

    #[test]
    fn listed_clean_and_unusable() {
        let mut listed = q(0, "192.0.2.13", a("127.0.0.2"));
        listed.txt = Some(lookup(
            "x.bl.test",
            RType::Txt,
            Outcome::Records(vec![Rdata::Txt(vec![b"spam trap hits".to_vec()])]),
        ));
        let ev = evidence(
            lists(&["bl.test", "other.test"], &[]),
            &["192.0.2.13", "192.0.2.10"],
            vec![
                listed,
                q(1, "192.0.2.13", Outcome::NxDomain),
                q(0, "192.0.2.10", Outcome::NxDomain),
                q(1, "192.0.2.10", a("127.255.255.254")),
            ],
        );
        let findings = check(&ev);
        assert_eq!(
            statuses(&findings),
            vec![
                ("dnsbl.ip", Status::Fail),
                ("dnsbl.ip", Status::Pass),
                ("dnsbl.ip", Status::Error),
            ]
        );
        assert!(findings[0].summary.contains("listed on bl.test"));
        assert!(
            findings[0]
                .detail
                .contains("The list says: \"spam trap hits\""),
            "{}",
            findings[0].detail
        );
        assert_eq!(findings[1].summary, "192.0.2.10 is on none of: bl.test");
        assert!(findings[2].summary.contains("127.255.255.254"));
    }

    #[test]
    fn failures_are_errors_never_clean() {
        let ev = evidence(
            lists(&["bl.test"], &[]),
            &["192.0.2.16"],
            vec![q(0, "192.0.2.16", Outcome::Failed(Failure::Timeout))],
        );
        assert_eq!(statuses(&check(&ev)), vec![("dnsbl.ip", Status::Error)]);
    }

    #[test]
    fn public_resolver_is_said_once_and_lists_are_not_asked() {
        let mut ev = evidence(
            lists(&["zen.spamhaus.org", "bl.test"], &[]),
            &["192.0.2.10"],
            Vec::new(),
        );
        ev.public = Some(("8.8.8.8".parse().unwrap(), "Google Public DNS"));
        ev.queries.push(q(1, "192.0.2.10", Outcome::NxDomain));
        let findings = check(&ev);
        assert_eq!(
            statuses(&findings),
            vec![
                ("dnsbl.resolver", Status::Error),
                ("dnsbl.ip", Status::Pass)
            ]
        );
        assert!(findings[0].summary.contains("Spamhaus ZEN"));
    }

    #[test]
    fn ipv6_not_asked_is_said() {
        let ev = evidence(
            lists(&["bl.spamcop.net"], &[]),
            &["2001:db8::10"],
            Vec::new(),
        );
        assert_eq!(statuses(&check(&ev)), vec![("dnsbl.ip", Status::Info)]);
    }

    #[test]
    fn neighbourhood_listings_warn() {
        let lists = select(&Choice::default()).unwrap();
        let l2 = lists
            .iter()
            .position(|l| l.zone.as_str() == "dnsbl-2.uceprotect.net")
            .unwrap();
        let ev = evidence(
            lists,
            &["203.0.113.25"],
            vec![q(l2, "203.0.113.25", a("127.0.0.2"))],
        );
        let findings = check(&ev);
        let f = findings
            .iter()
            .find(|f| f.id() == "dnsbl.neighbourhood")
            .unwrap();
        assert_eq!(f.status, Status::Warn);
        assert!(f.detail.contains("S3140"));
    }

    #[test]
    fn scans_count_listed_neighbours() {
        let net: Ipv4Net = "203.0.113.0/24".parse().unwrap();
        let neighbour = |ip: &str, outcome: Outcome| Query {
            list: 0,
            asked: Asked::Neighbour {
                of: "203.0.113.25".parse().unwrap(),
                net,
                ip: ip.parse().unwrap(),
            },
            a: lookup("x.bl.test", RType::A, outcome),
            txt: None,
        };
        let ev = evidence(
            lists(&["bl.test"], &[]),
            &["203.0.113.25"],
            vec![
                q(0, "203.0.113.25", Outcome::NxDomain),
                neighbour("203.0.113.1", a("127.0.0.2")),
                neighbour("203.0.113.2", Outcome::NxDomain),
                neighbour("203.0.113.3", Outcome::Failed(Failure::Timeout)),
            ],
        );
        let findings = check(&ev);
        assert_eq!(
            statuses(&findings),
            vec![
                ("dnsbl.ip", Status::Pass),
                ("dnsbl.neighbourhood", Status::Warn)
            ]
        );
        assert!(findings[1].summary.starts_with("1 of 3 neighbours"));
    }

    #[test]
    fn domains_on_domain_lists() {
        let mut ev = evidence(lists(&[], &["dbl.spamhaus.org"]), &[], Vec::new());
        ev.names = vec![(
            Name::parse("example.com").unwrap(),
            "the domain checked".into(),
        )];
        ev.queries.push(Query {
            list: 0,
            asked: Asked::Name {
                name: Name::parse("example.com").unwrap(),
                why: "the domain checked".into(),
            },
            a: lookup("example.com.dbl.spamhaus.org", RType::A, a("127.0.1.4")),
            txt: None,
        });
        let findings = check(&ev);
        assert_eq!(statuses(&findings), vec![("dnsbl.domain", Status::Fail)]);
        assert!(findings[0].summary.contains("phishing"));
    }
}
