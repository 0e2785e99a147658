//! Reverse DNS of the sending addresses: a PTR record, one name, that name resolving back to
//! the address (forward-confirmed reverse DNS), and a name that does not look generic.

use std::net::IpAddr;
use std::sync::Arc;

use futures_util::future::join_all;

use futures_util::future::BoxFuture;

use super::sending_ips::{self, SendingIp, SendingIps};
use crate::checks::area::{AreaDef, Ctx, Facts, SubjectKind, facts};
use crate::checks::finding::{Area, Change, Evidence, Finding, checks, placeholder};
use crate::dns::{Lookup, Name, Outcome, RType, Rdata, Resolver};
use crate::reputation::hosting::{GenericPtr, generic_ptr};

pub const NAME: Area = Area::new("ptr");

pub static AREA: AreaDef = AreaDef {
    area: NAME,
    subjects: &[SubjectKind::Domain, SubjectKind::Ip],
    reads: &[],
    checks: CHECKS,
    gather: facts::<PtrFacts>,
    check: |g| check(g.facts()),
};

checks! {
    area: NAME;

    /// ## What it checks
    /// Which addresses the reputation checks (`ptr`, `dnsbl`, `network`) look at, and where
    /// each came from: named with `--ip`, or derived from the domain's own SPF record
    /// (`ip4:`/`ip6:` addresses and ranges of at most 4 addresses, `a` and `mx` terms) and
    /// its MX hosts. Wider ranges, includes (a provider's addresses), MX hosts of mailbox
    /// providers and private addresses are listed as skipped, and at most 10 derived
    /// addresses are checked.
    ///
    /// ## Why it matters
    /// Receivers judge the address a message arrives from. deliv cannot see which address
    /// that is; what DNS says about the domain is a guess that can miss a relay or include
    /// a host that never sends.
    ///
    /// ## How to fix
    /// Read the `Received` headers of a message you sent to find the address your mail
    /// really leaves from, and name it with `--ip` (repeatable), or check it with
    /// `deliv ip ADDRESS`.
    PTR_SENDING_IPS = "ptr.sending-ips", "Sending IPs found",
    references ["RFC 7208 §5.3", "RFC 7208 §5.4", "RFC 7208 §5.6", "RFC 5321 §5.1"];

    /// ## What it checks
    /// That each sending address has a PTR record (`in-addr.arpa` for IPv4, `ip6.arpa`
    /// nibbles for IPv6).
    ///
    /// ## Why it matters
    /// Gmail requires every sender to have valid forward and reverse DNS and rejects or
    /// rate-limits mail from addresses without it (`550 5.7.25`, `421 4.7.0`; for IPv6,
    /// `550 5.7.1 ... does not meet IPv6 sending guidelines regarding PTR records`). Yahoo
    /// requires it too, and Outlook.com requires valid reverse DNS. An address that lost its
    /// PTR after a provider change is a classic cause of sudden rejections.
    ///
    /// ## How to fix
    /// Only whoever holds the address block can publish its PTR: ask the hosting provider
    /// or ISP (many have a setting for it) to set the PTR to a host name of yours, e.g.
    /// `mail.example.com`, and publish `mail.example.com. IN A <address>` so it confirms.
    PTR_PRESENT = "ptr.present", "Sending IPs have a PTR record",
    references ["RFC 1035 §3.5", "RFC 3596 §2.5", "https://support.google.com/mail/answer/81126",
                "https://senders.yahooinc.com/best-practices/", "https://postmaster.live.com/pm/postmaster.aspx"];

    /// ## What it checks
    /// That a name in the address's PTR record resolves (A for IPv4, AAAA for IPv6) back to
    /// the same address: forward-confirmed reverse DNS.
    ///
    /// ## Why it matters
    /// Anyone who holds an address can make its PTR claim any name; only the owner of the
    /// name can make it point back. Gmail checks exactly this and rate-limits or rejects when
    /// the forward lookup does not return the sending address (`421 4.7.0 ... the
    /// corresponding forward DNS entry does not point to the sending IP`, `451 4.7.23`,
    /// `550 5.7.25`); Yahoo asks for the same.
    ///
    /// ## How to fix
    /// Publish an address record for the PTR name (`mail.example.com. IN A <address>`), or
    /// have the PTR changed to a name that already resolves to the address.
    PTR_FORWARD_CONFIRMED = "ptr.forward-confirmed", "PTR names resolve back to the address",
    references ["RFC 8601 §3", "https://support.google.com/mail/answer/81126",
                "https://support.google.com/a/answer/3726730"];

    /// ## What it checks
    /// Addresses with more than one PTR record.
    ///
    /// ## Why it matters
    /// Several PTR records are legal, but receivers usually look at one of them, in no fixed
    /// order: checks that match the name against HELO or against the sending domain then
    /// pass or fail at random. Large answers can also be truncated.
    ///
    /// ## How to fix
    /// Keep one PTR per address: the name the server announces in HELO/EHLO, which resolves
    /// back to the address.
    PTR_MULTIPLE = "ptr.multiple", "One PTR record per address",
    references ["RFC 1912 §2.1", "https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// PTR names that look generic: a cloud provider's default name
    /// (`ec2-…compute.amazonaws.com`, `…bc.googleusercontent.com`, `…vultrusercontent.com`),
    /// the address spelled out in the name, or words access networks use for customer
    /// ranges (`dynamic`, `dhcp`, `pool`, `dsl`, `cable`, `static-ip` …).
    ///
    /// ## Why it matters
    /// Receivers treat generic names as end-user or unmanaged hosts. Yahoo asks for PTR names
    /// that are meaningful, not generic and not dynamic-looking; Outlook.com refuses mail from
    /// dynamic-looking space (`550 DY-001`); ranges with such names are often on the Spamhaus
    /// PBL.
    ///
    /// ## How to fix
    /// Set the PTR to a name of your own that resolves back to the address (for example
    /// `mail.example.com`). At a cloud provider use its reverse-DNS setting; `deliv` names the
    /// provider's procedure where it knows it.
    PTR_GENERIC = "ptr.generic", "PTR names are not generic",
    references ["https://senders.yahooinc.com/best-practices/",
                "https://postmaster.live.com/pm/troubleshooting.aspx",
                "https://www.spamhaus.org/blocklists/policy-blocklist/"];
}

/// Most PTR names followed per address.
const MAX_NAMES: usize = 10;

/// Reverse DNS of one address.
#[derive(Debug, Clone)]
pub struct IpPtr {
    pub ip: SendingIp,
    pub ptr: Arc<Lookup>,
    /// A (IPv4) or AAAA (IPv6) of each PTR name, in PTR order.
    pub forward: Vec<Arc<Lookup>>,
}

impl IpPtr {
    pub fn names(&self) -> Vec<&Name> {
        self.ptr
            .records()
            .iter()
            .filter_map(|r| match r {
                Rdata::Ptr(n) => Some(n),
                _ => None,
            })
            .collect()
    }

    /// The first PTR name that resolves back to the address.
    pub fn confirmed(&self) -> Option<&Name> {
        self.forward
            .iter()
            .find(|l| l.addresses().any(|a| a == self.ip.ip))
            .map(|l| &l.name)
    }
}

#[derive(Debug, Clone)]
pub struct PtrFacts {
    /// The domain checked, for the host names suggested; `None` for `deliv ip`.
    pub domain: Option<Name>,
    pub sources: SendingIps,
    pub ips: Vec<IpPtr>,
    /// A and AAAA of the host names that may be suggested for a PTR, in order of preference:
    /// a name is suggested only where it is no alias and holds no other address.
    pub candidates: Vec<[Arc<Lookup>; 2]>,
}

/// Host names a sending address may be given, under the domain checked.
const CANDIDATES: [&str; 4] = ["mail", "smtp", "mx", "out"];

impl Facts for PtrFacts {
    fn gather<'c>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, Self> {
        Box::pin(async move {
            let sources = ctx.get::<SendingIps>().await;
            gather(ctx.resolver, ctx.subject.domain(), &sources).await
        })
    }
}

async fn gather(resolver: &Resolver, domain: Option<&Name>, sources: &SendingIps) -> PtrFacts {
    let ips = join_all(sources.ips.iter().map(|ip| async move {
        let ptr = resolver.query(&Name::reverse(ip.ip), RType::Ptr).await;
        let rtype = match ip.ip {
            IpAddr::V4(_) => RType::A,
            IpAddr::V6(_) => RType::Aaaa,
        };
        let questions: Vec<(Name, RType)> = ptr
            .records()
            .iter()
            .filter_map(|r| match r {
                Rdata::Ptr(n) => Some((n.clone(), rtype)),
                _ => None,
            })
            .take(MAX_NAMES)
            .collect();
        let forward = resolver.query_all(&questions).await;
        IpPtr {
            ip: ip.clone(),
            ptr,
            forward,
        }
    }))
    .await;
    let names: Vec<Name> = match domain {
        Some(d) if !sources.ips.is_empty() => CANDIDATES
            .iter()
            .filter_map(|c| d.prepend(c).ok())
            .collect(),
        _ => Vec::new(),
    };
    let questions: Vec<(Name, RType)> = names
        .iter()
        .flat_map(|n| [(n.clone(), RType::A), (n.clone(), RType::Aaaa)])
        .collect();
    let candidates = resolver
        .query_all(&questions)
        .await
        .chunks(2)
        .map(|pair| [pair[0].clone(), pair[1].clone()])
        .collect();
    PtrFacts {
        domain: domain.cloned(),
        sources: sources.clone(),
        ips,
        candidates,
    }
}

/// A host name of the sender's for `addr`: a candidate that already resolves to it, else one
/// that is free (no alias, no address of its family); `None` when every candidate is taken.
fn host_for(ev: &PtrFacts, addr: IpAddr) -> Option<(&Name, bool)> {
    let family = |pair: &[Arc<Lookup>; 2]| match addr {
        IpAddr::V4(_) => pair[0].clone(),
        IpAddr::V6(_) => pair[1].clone(),
    };
    let usable = |l: &Lookup| l.aliases.is_empty() && l.failure().is_none();
    let holds = ev.candidates.iter().find(|pair| {
        let l = family(pair);
        usable(&l) && l.addresses().any(|a| a == addr)
    });
    if let Some(pair) = holds {
        return Some((&pair[0].name, true));
    }
    ev.candidates
        .iter()
        .find(|pair| {
            let l = family(pair);
            usable(&l) && l.is_empty_answer()
        })
        .map(|pair| (&pair[0].name, false))
}

/// The records that give `addr` a confirming name: its PTR to the name, and the name's
/// address where it does not resolve to it yet. Text first, then the changes.
fn name_changes(ev: &PtrFacts, addr: IpAddr) -> (String, Vec<Change>) {
    let rr = address_record(addr);
    let reverse = Name::reverse(addr);
    let Some((host, resolves)) = host_for(ev, addr) else {
        let host = placeholder("host name of yours");
        return (
            format!("a host name of yours such as {host}, with `{host}. IN {rr} {addr}`"),
            vec![
                Change::add(&reverse, "PTR", format!("{host}.")),
                Change::add(&host, rr, addr.to_string()),
            ],
        );
    };
    let mut changes = vec![Change::add(&reverse, "PTR", format!("{host}."))];
    if resolves {
        return (format!("{host}, which already resolves to it"), changes);
    }
    changes.push(Change::add(host, rr, addr.to_string()));
    (
        format!("a host name of yours such as {host}, with `{host}. IN {rr} {addr}`"),
        changes,
    )
}

pub fn check(ev: &PtrFacts) -> Vec<Finding> {
    let mut out: Vec<Finding> = sending_ips::finding(&PTR_SENDING_IPS, &ev.sources)
        .into_iter()
        .collect();
    for ip in &ev.ips {
        out.extend(check_ip(ev, ip));
    }
    out
}

fn address_record(ip: IpAddr) -> &'static str {
    match ip {
        IpAddr::V4(_) => "A",
        IpAddr::V6(_) => "AAAA",
    }
}

fn check_ip(ev: &PtrFacts, ip: &IpPtr) -> Vec<Finding> {
    let addr = ip.ip.ip;
    let origin = ip.ip.evidence();
    let (suggested, changes) = name_changes(ev, addr);
    let rr = address_record(addr);
    match &ip.ptr.outcome {
        Outcome::Failed(_) => return vec![PTR_PRESENT.lookup_error(&ip.ptr).evidence(origin)],
        Outcome::NxDomain | Outcome::NoData => {
            return vec![
                PTR_PRESENT
                    .fail(format!("{addr} has no PTR record"))
                    .evidence(origin)
                    .evidence(&ip.ptr)
                    .detail(
                        "Gmail, Yahoo and Outlook.com require reverse DNS for sending \
                         addresses: expect rejections or rate limiting.",
                    )
                    .remediation(format!(
                        "Ask whoever holds the address (your hosting provider or ISP) to set \
                         the PTR of {addr} to {suggested}, so that it confirms."
                    ))
                    .changes(changes),
            ];
        }
        Outcome::Records(_) => {}
    }
    let names = ip.names();
    let listed: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut out = vec![
        PTR_PRESENT
            .pass(format!("{addr} → {}", listed.join(", ")))
            .evidence(origin.clone())
            .evidence(&ip.ptr),
    ];
    out.push(forward_confirmed(ev, ip, &origin, rr));
    if names.len() > 1 {
        out.push(
            PTR_MULTIPLE
                .warn(format!(
                    "{addr} has {} PTR records: {}",
                    names.len(),
                    listed.join(", ")
                ))
                .evidence(origin.clone())
                .evidence(&ip.ptr)
                .remediation(format!(
                    "Keep one PTR for {addr}: the name the server uses in HELO/EHLO{}.",
                    ip.confirmed()
                        .map(|n| format!(" (e.g. {n}, which resolves back)"))
                        .unwrap_or_default()
                )),
        );
    }
    let generic = names
        .iter()
        .find_map(|n| generic_ptr(n, addr).map(|g| (*n, g)));
    if let Some((name, why)) = generic {
        let fix = match &why {
            GenericPtr::CloudDefault(p) => format!(
                "Set a PTR of your own for {addr}: {suggested}. At {}: {}",
                p.name, p.set_ptr
            ),
            GenericPtr::EmbedsAddress | GenericPtr::Word(_) => format!(
                "Ask the holder of the address (hosting provider or ISP) to set the PTR of \
                 {addr} to {suggested}. If the address is a home or dynamic connection, send \
                 through your provider's or an ESP's servers instead."
            ),
        };
        out.push(
            PTR_GENERIC
                .warn(format!(
                    "{addr}'s PTR {name} looks generic: {}",
                    why.describe()
                ))
                .evidence(origin)
                .evidence(&ip.ptr)
                .detail(
                    "Receivers read generic names as end-user or unmanaged hosts (Yahoo asks for \
                     non-generic names; Outlook.com refuses dynamic-looking space).",
                )
                .remediation(fix)
                .changes(changes.into_iter().map(|c| match c.rtype.as_str() {
                    "PTR" => Change::replace(&c.name, "PTR", name.fqdn_display(), c.data),
                    _ => c,
                })),
        );
    }
    out
}

fn forward_confirmed(ev: &PtrFacts, ip: &IpPtr, origin: &Evidence, rr: &str) -> Finding {
    let addr = ip.ip.ip;
    if let Some(name) = ip.confirmed() {
        return PTR_FORWARD_CONFIRMED
            .pass(format!("{name} resolves back to {addr}"))
            .evidence(origin.clone())
            .evidence_all(ip.forward.iter());
    }
    if let Some(failed) = ip.forward.iter().find(|l| l.failure().is_some()) {
        return PTR_FORWARD_CONFIRMED
            .lookup_error(failed)
            .evidence(origin.clone())
            .evidence(&ip.ptr);
    }
    let why: Vec<String> = ip
        .forward
        .iter()
        .map(|l| match &l.outcome {
            Outcome::NxDomain => format!("{} does not exist", l.name),
            Outcome::Records(_) => {
                let found: Vec<String> = l.addresses().map(|a| a.to_string()).collect();
                format!("{} → {}", l.name, found.join(", "))
            }
            _ => format!("{} has no {rr} record", l.name),
        })
        .collect();
    let finding = PTR_FORWARD_CONFIRMED
        .fail(format!(
            "{addr}'s PTR does not resolve back to it: {}",
            why.join("; ")
        ))
        .evidence(origin.clone())
        .evidence(&ip.ptr)
        .evidence_all(ip.forward.iter())
        .detail("Gmail rejects or rate-limits mail when the PTR name does not point back to the sending IP.");
    // The address goes where the PTR name's data lives: on the alias's target when the name
    // is an alias (no data beside a CNAME, RFC 2181 §10.1), and only in the sender's domain
    // (for `deliv ip`, which knows no domain, the holder of the name decides).
    let own = |n: &Name| ev.domain.as_ref().is_none_or(|d| n.is_subdomain_of(d));
    let target = ip.forward.first().and_then(|l| {
        let owner = l.aliases.last().unwrap_or(&l.name);
        own(owner).then_some(owner)
    });
    match target {
        Some(owner) => finding
            .remediation(format!(
                "Publish `{owner}. IN {rr} {addr}`, or have the PTR of {addr} changed to a name \
                 that resolves to it."
            ))
            .change(Change::add(owner, rr, addr.to_string())),
        None => {
            let (suggested, changes) = name_changes(ev, addr);
            let current = ip
                .names()
                .first()
                .map(|n| n.fqdn_display())
                .unwrap_or_default();
            finding
                .remediation(format!(
                    "Have the PTR of {addr} changed to {suggested}: the name it has now is \
                     not yours to give an address, or already resolves elsewhere."
                ))
                .changes(changes.into_iter().map(|c| match c.rtype.as_str() {
                    "PTR" => Change::replace(&c.name, "PTR", current.clone(), c.data),
                    _ => c,
                }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::sending_ips::Origin;
    use crate::dns::{Failure, Source};

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    fn lookup(n: &Name, rtype: RType, outcome: Outcome) -> Arc<Lookup> {
        Arc::new(Lookup {
            name: n.clone(),
            rtype,
            aliases: Vec::new(),
            outcome,
            source: Source::Zone,
        })
    }

    /// Reverse DNS of `ip`: its PTR names, each with the addresses it resolves to.
    fn ip_ptr(ip: &str, ptr: Outcome, forward: &[(&str, Outcome)]) -> IpPtr {
        let ip: IpAddr = ip.parse().unwrap();
        let rtype = if ip.is_ipv4() { RType::A } else { RType::Aaaa };
        IpPtr {
            ip: SendingIp {
                ip,
                origins: vec![Origin::Given],
            },
            ptr: lookup(&Name::reverse(ip), RType::Ptr, ptr),
            forward: forward
                .iter()
                .map(|(n, o)| lookup(&name(n), rtype, o.clone()))
                .collect(),
        }
    }

    fn ptrs(names: &[&str]) -> Outcome {
        Outcome::Records(names.iter().map(|n| Rdata::Ptr(name(n))).collect())
    }

    fn a(s: &str) -> Outcome {
        Outcome::Records(vec![match s.parse::<IpAddr>().unwrap() {
            IpAddr::V4(v4) => Rdata::A(v4),
            IpAddr::V6(v6) => Rdata::Aaaa(v6),
        }])
    }

    fn evidence(ips: Vec<IpPtr>) -> PtrFacts {
        let addrs: Vec<IpAddr> = ips.iter().map(|i| i.ip.ip).collect();
        PtrFacts {
            domain: Some(name("example.com")),
            sources: SendingIps::given(&addrs),
            ips,
            candidates: CANDIDATES
                .iter()
                .map(|c| {
                    let n = name(&format!("{c}.example.com"));
                    [
                        lookup(&n, RType::A, Outcome::NxDomain),
                        lookup(&n, RType::Aaaa, Outcome::NxDomain),
                    ]
                })
                .collect(),
        }
    }

    fn statuses(findings: &[Finding]) -> Vec<(&'static str, Status)> {
        findings.iter().map(|f| (f.id(), f.status)).collect()
    }

    #[test]
    fn confirmed_ptr_passes() {
        let ev = evidence(vec![ip_ptr(
            "192.0.2.10",
            ptrs(&["mail.example.com"]),
            &[("mail.example.com", a("192.0.2.10"))],
        )]);
        assert_eq!(
            statuses(&check(&ev)),
            vec![
                ("ptr.present", Status::Pass),
                ("ptr.forward-confirmed", Status::Pass),
            ]
        );
    }

    #[test]
    fn missing_and_unconfirmed_fail() {
        let ev = evidence(vec![
            ip_ptr("192.0.2.15", Outcome::NxDomain, &[]),
            ip_ptr(
                "192.0.2.11",
                ptrs(&["wrong.example.com"]),
                &[("wrong.example.com", a("192.0.2.99"))],
            ),
            ip_ptr(
                "2001:db8::10",
                ptrs(&["gone.example.com"]),
                &[("gone.example.com", Outcome::NxDomain)],
            ),
        ]);
        let findings = check(&ev);
        assert_eq!(
            statuses(&findings),
            [
                ("ptr.present", Status::Fail),
                ("ptr.present", Status::Pass),
                ("ptr.forward-confirmed", Status::Fail),
                ("ptr.present", Status::Pass),
                ("ptr.forward-confirmed", Status::Fail),
            ]
        );
        let fix = findings[0].remediation.as_deref().unwrap();
        assert!(fix.contains("`mail.example.com. IN A 192.0.2.15`"), "{fix}");
        assert!(
            findings[2]
                .summary
                .contains("wrong.example.com → 192.0.2.99")
        );
        assert!(
            findings[4]
                .summary
                .contains("gone.example.com does not exist")
        );
        assert!(
            findings[4]
                .remediation
                .as_deref()
                .unwrap()
                .contains("IN AAAA 2001:db8::10")
        );
    }

    #[test]
    fn lookup_failures_are_errors() {
        let ev = evidence(vec![
            ip_ptr("192.0.2.16", Outcome::Failed(Failure::Timeout), &[]),
            ip_ptr(
                "192.0.2.17",
                ptrs(&["slow.example.com"]),
                &[("slow.example.com", Outcome::Failed(Failure::ServFail))],
            ),
        ]);
        let s = statuses(&check(&ev));
        assert_eq!(s[0], ("ptr.present", Status::Error));
        assert_eq!(s[2], ("ptr.forward-confirmed", Status::Error));
    }

    #[test]
    fn several_and_generic_names_warn() {
        let ev = evidence(vec![
            ip_ptr(
                "192.0.2.14",
                ptrs(&["a.example.com", "b.example.com"]),
                &[
                    ("a.example.com", a("192.0.2.14")),
                    ("b.example.com", a("192.0.2.14")),
                ],
            ),
            ip_ptr(
                "203.0.113.7",
                ptrs(&["ec2-203-0-113-7.compute-1.amazonaws.com"]),
                &[("ec2-203-0-113-7.compute-1.amazonaws.com", a("203.0.113.7"))],
            ),
        ]);
        let findings = check(&ev);
        let s = statuses(&findings);
        assert!(s.contains(&("ptr.multiple", Status::Warn)));
        let generic = findings.iter().find(|f| f.id() == "ptr.generic").unwrap();
        assert_eq!(generic.status, Status::Warn);
        assert!(
            generic
                .remediation
                .as_deref()
                .unwrap()
                .contains("Elastic IP")
        );
    }

    #[test]
    fn no_addresses_is_a_warning_and_failed_derivation_an_error() {
        let ev = PtrFacts {
            domain: Some(name("example.com")),
            sources: SendingIps::default(),
            ips: Vec::new(),
            candidates: Vec::new(),
        };
        assert_eq!(
            statuses(&check(&ev)),
            vec![("ptr.sending-ips", Status::Warn)]
        );
        let mut sources = SendingIps::default();
        sources.lookups.push(lookup(
            &name("example.com"),
            RType::Mx,
            Outcome::Failed(Failure::Timeout),
        ));
        let ev = PtrFacts { sources, ..ev };
        assert_eq!(
            statuses(&check(&ev)),
            vec![("ptr.sending-ips", Status::Error)]
        );
    }

    #[test]
    fn suggested_names_are_never_aliases_nor_taken() {
        let mut ev = evidence(vec![ip_ptr("192.0.2.20", Outcome::NxDomain, &[])]);
        // mail. is an alias, smtp. holds another address: mx. is the first free name.
        ev.candidates[0][0] = Arc::new(Lookup {
            aliases: vec![name("web.example.net")],
            ..(*lookup(&name("mail.example.com"), RType::A, a("198.51.100.1"))).clone()
        });
        ev.candidates[1][0] = lookup(&name("smtp.example.com"), RType::A, a("198.51.100.2"));
        let out = check(&ev);
        let present = out.iter().find(|f| f.id() == "ptr.present").unwrap();
        let data: Vec<(&str, &str, &str)> = present
            .changes
            .iter()
            .map(|c| (c.name.as_str(), c.rtype.as_str(), c.data.as_str()))
            .collect();
        assert_eq!(
            data,
            vec![
                ("20.2.0.192.in-addr.arpa", "PTR", "mx.example.com."),
                ("mx.example.com", "A", "192.0.2.20"),
            ]
        );
        // A name that already resolves to the address needs only the PTR.
        ev.candidates[3][0] = lookup(&name("out.example.com"), RType::A, a("192.0.2.20"));
        let out = check(&ev);
        let present = out.iter().find(|f| f.id() == "ptr.present").unwrap();
        assert_eq!(present.changes.len(), 1);
        assert_eq!(present.changes[0].data, "out.example.com.");
    }
}
