//! Which addresses send a domain's mail, a gathering step of the areas that judge them (ptr,
//! dnsbl, network): named with `--ip` (or the subject of `deliv ip`), or derived from the
//! domain's own SPF record (ip4/ip6 addresses and small ranges, a and mx terms) and its MX
//! hosts, which often send as well. Each address keeps where it came from; what was left out
//! says why.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use ipnet::{IpAddrRange, IpNet, Ipv4AddrRange, Ipv6AddrRange};

use futures_util::future::BoxFuture;

use super::mx::MxFacts;
use crate::checks::area::{Ctx, Facts, Subject};
use crate::checks::finding::{CheckDef, Evidence, Finding};
use crate::dns::{Lookup, Name, RType, Rdata};
use crate::spf::tree::{self, Parsed};
use crate::spf::{Mechanism, Qualifier, TermKind};

/// Most addresses derived for one domain; the rest are reported as skipped.
pub const MAX_DERIVED: usize = 10;
/// Ranges of at most this many addresses are expanded; wider ones are skipped.
const MAX_RANGE: u128 = 4;

/// MX host names of mailbox providers: their inbound servers do not send the customer's
/// mail, and the provider looks after their reputation.
const HOSTED_MX: &[&str] = &[
    "google.com",
    "googlemail.com",
    "outlook.com",
    "yahoodns.net",
    "icloud.com",
    "zoho.com",
    "zoho.eu",
    "messagingengine.com",
    "protonmail.ch",
    "pphosted.com",
    "mimecast.com",
];

/// Where an address came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Named on the command line.
    Given,
    /// An `ip4:`/`ip6:` term of the SPF record.
    SpfAddress {
        term: String,
    },
    /// A host an `a` or `mx` term of the SPF record names.
    SpfHost {
        term: String,
        host: Name,
    },
    MxHost {
        host: Name,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Given => f.write_str("given on the command line"),
            Origin::SpfAddress { term } => write!(f, "SPF term '{term}'"),
            Origin::SpfHost { term, host } => write!(f, "SPF term '{term}' ({host})"),
            Origin::MxHost { host } => write!(f, "MX host {host}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendingIp {
    pub ip: IpAddr,
    pub origins: Vec<Origin>,
}

impl SendingIp {
    /// `192.0.2.10 (MX host mx1.example.com; SPF term 'mx' (mx1.example.com))`.
    pub fn describe(&self) -> String {
        let origins: Vec<String> = self.origins.iter().map(ToString::to_string).collect();
        format!("{} ({})", self.ip, origins.join("; "))
    }

    /// The evidence note every per-address finding carries.
    pub fn evidence(&self) -> Evidence {
        let origins: Vec<String> = self.origins.iter().map(ToString::to_string).collect();
        Evidence::note(format!("sending IP {}", self.ip), origins.join("; "))
    }
}

/// Something that could have given addresses and did not, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub what: String,
    pub why: String,
}

#[derive(Debug, Clone, Default)]
pub struct SendingIps {
    /// Named on the command line rather than derived.
    pub given: bool,
    pub ips: Vec<SendingIp>,
    pub skipped: Vec<Skipped>,
    /// The lookups the derivation read; failed ones leave it incomplete.
    pub lookups: Vec<Arc<Lookup>>,
}

impl Facts for SendingIps {
    fn gather<'c>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, Self> {
        Box::pin(async move {
            match ctx.subject {
                Subject::Ip(ip) => SendingIps::given(&[*ip]),
                Subject::Domain(_) if !ctx.options.reputation.ips.is_empty() => {
                    SendingIps::given(&ctx.options.reputation.ips)
                }
                Subject::Domain(domain) => SendingIps::derive(ctx, domain).await,
            }
        })
    }
}

impl SendingIps {
    /// Addresses named by the user, in the order given.
    pub fn given(ips: &[IpAddr]) -> SendingIps {
        let mut out = SendingIps {
            given: true,
            ..SendingIps::default()
        };
        for ip in ips {
            out.add(ip.to_canonical(), Origin::Given);
        }
        out
    }

    /// Lookups that failed: the list of addresses may be incomplete.
    pub fn failures(&self) -> impl Iterator<Item = &Arc<Lookup>> {
        self.lookups.iter().filter(|l| l.failure().is_some())
    }

    pub fn find(&self, ip: IpAddr) -> Option<&SendingIp> {
        self.ips.iter().find(|s| s.ip == ip)
    }

    fn add(&mut self, ip: IpAddr, origin: Origin) {
        let ip = ip.to_canonical();
        if let Some(why) = crate::addr::unreachable(ip) {
            let what = format!("{ip} ({origin})");
            if !self.skipped.iter().any(|s| s.what == what) {
                self.skipped.push(Skipped {
                    what,
                    why: format!("{why}: receivers never see mail from it"),
                });
            }
            return;
        }
        match self.ips.iter_mut().find(|s| s.ip == ip) {
            Some(known) if !known.origins.contains(&origin) => known.origins.push(origin),
            Some(_) => {}
            None => self.ips.push(SendingIp {
                ip,
                origins: vec![origin],
            }),
        }
    }

    fn skip(&mut self, what: impl Into<String>, why: impl Into<String>) {
        self.skipped.push(Skipped {
            what: what.into(),
            why: why.into(),
        });
    }

    fn add_addresses(&mut self, lookups: &[Arc<Lookup>], origin: impl Fn() -> Origin) {
        for lookup in lookups {
            for ip in lookup.addresses() {
                self.add(ip, origin());
            }
            self.lookups.push(lookup.clone());
        }
    }

    /// Derives the addresses from the domain's MX hosts (the mx area's facts) and its own SPF
    /// record. The SPF questions are those the spf area asks too (the run's cache answers them
    /// once), but this does not wait for the SPF include tree, which it does not need.
    async fn derive(ctx: &Ctx<'_>, domain: &Name) -> SendingIps {
        let resolver = ctx.resolver;
        let (mx, (txt, parsed, targets)) = tokio::join!(ctx.get::<MxFacts>(), async {
            let txt = resolver.query(domain, RType::Txt).await;
            let parsed = tree::parse_txt(&txt);
            let targets = match &parsed {
                Parsed::Valid(record) => tree::term_targets(resolver, record, domain).await,
                _ => Vec::new(),
            };
            (txt, parsed, targets)
        });
        let mut out = SendingIps::default();
        out.lookups.push(txt);
        // (term, host) for hosts of mx terms, looked up together below.
        let mut mx_term_hosts: Vec<(String, Name)> = Vec::new();
        if let Parsed::Valid(record) = &parsed {
            for term in &record.terms {
                let mechanism = match &term.kind {
                    TermKind::Directive {
                        qualifier: Qualifier::Pass,
                        mechanism,
                    } => mechanism,
                    TermKind::Redirect(_) => {
                        out.skip(
                            format!("'{}'", term.text),
                            "addresses behind a redirect are not derived; name them with --ip",
                        );
                        continue;
                    }
                    _ => continue,
                };
                let target = targets.iter().find(|t| t.term == term.text);
                match (mechanism, target) {
                    (Mechanism::Ip4 { network, prefix }, _) => {
                        out.range(IpAddr::V4(*network), *prefix, &term.text);
                    }
                    (Mechanism::Ip6 { network, prefix }, _) => {
                        out.range(IpAddr::V6(*network), *prefix, &term.text);
                    }
                    (Mechanism::A { .. }, Some(t)) => {
                        out.add_addresses(&t.lookups, || Origin::SpfHost {
                            term: t.term.clone(),
                            host: t.lookups[0].name.clone(),
                        });
                    }
                    (Mechanism::Mx { .. }, Some(t)) => {
                        for lookup in &t.lookups {
                            out.lookups.push(lookup.clone());
                            for r in lookup.records() {
                                if let Rdata::Mx { exchange, .. } = r
                                    && !exchange.is_root()
                                {
                                    mx_term_hosts.push((t.term.clone(), exchange.clone()));
                                }
                            }
                        }
                    }
                    (Mechanism::A { .. } | Mechanism::Mx { .. }, None) => {
                        out.skip(
                            format!("'{}'", term.text),
                            "its target uses macros, so it depends on each message",
                        );
                    }
                    (Mechanism::Include(_), _) => out.skip(
                        format!("'{}'", term.text),
                        "a provider's addresses: the provider keeps their reputation",
                    ),
                    _ => {}
                }
            }
        }
        let questions: Vec<(Name, RType)> = mx_term_hosts
            .iter()
            .flat_map(|(_, h)| [(h.clone(), RType::A), (h.clone(), RType::Aaaa)])
            .collect();
        let answers = resolver.query_all(&questions).await;
        for ((term, host), pair) in mx_term_hosts.iter().zip(answers.chunks(2)) {
            if let Some(why) = hosted(host) {
                out.skip(format!("{host} ('{term}')"), why);
                continue;
            }
            out.add_addresses(pair, || Origin::SpfHost {
                term: term.clone(),
                host: host.clone(),
            });
        }

        out.lookups.push(mx.mx.clone());
        for host in &mx.hosts {
            if let Some(why) = hosted(&host.name) {
                out.skip(format!("MX host {}", host.name), why);
                continue;
            }
            out.add_addresses(&[host.a.clone(), host.aaaa.clone()], || Origin::MxHost {
                host: host.name.clone(),
            });
        }

        if out.ips.len() > MAX_DERIVED {
            let rest: Vec<String> = out
                .ips
                .split_off(MAX_DERIVED)
                .iter()
                .map(|s| s.ip.to_string())
                .collect();
            out.skip(
                format!("{} more address(es): {}", rest.len(), rest.join(", ")),
                format!(
                    "at most {MAX_DERIVED} derived addresses are checked; name the ones that \
                     send with --ip"
                ),
            );
        }
        out
    }

    /// An `ip4:`/`ip6:` term: its addresses when the range is small, else a skip.
    fn range(&mut self, network: IpAddr, prefix: u8, term: &str) {
        let Ok(net) = IpNet::new(network, prefix) else {
            return;
        };
        let net = net.trunc();
        let bits = u32::from(net.max_prefix_len() - net.prefix_len());
        let count = 1u128.checked_shl(bits).unwrap_or(u128::MAX);
        if count > MAX_RANGE {
            self.skip(
                format!("'{term}'"),
                format!(
                    "a range of {} addresses; name the ones that send with --ip",
                    if bits >= 64 {
                        format!("2^{bits}")
                    } else {
                        count.to_string()
                    }
                ),
            );
            return;
        }
        let all = match net {
            IpNet::V4(n) => IpAddrRange::from(Ipv4AddrRange::new(n.network(), n.broadcast())),
            IpNet::V6(n) => IpAddrRange::from(Ipv6AddrRange::new(n.network(), n.broadcast())),
        };
        for ip in all {
            self.add(
                ip,
                Origin::SpfAddress {
                    term: term.to_string(),
                },
            );
        }
    }
}

/// The finding about which addresses were checked, in the area that reports it (`dnsbl` and
/// `network` report it when there is no address to check). `None` when the addresses were
/// given and all checked.
pub fn finding(check: &'static CheckDef, sources: &SendingIps) -> Option<Finding> {
    let skipped: Vec<Evidence> = sources
        .skipped
        .iter()
        .map(|s| Evidence::note(format!("skipped {}", s.what), s.why.clone()))
        .collect();
    let addresses: Vec<String> = sources.ips.iter().map(SendingIp::describe).collect();
    if let Some(failed) = sources.failures().next() {
        return Some(
            check
                .lookup_error(failed)
                .evidence_all(sources.failures().skip(1))
                .evidence_all(skipped)
                .detail(if addresses.is_empty() {
                    "No sending address could be derived.".to_string()
                } else {
                    format!(
                        "The list of sending addresses may be incomplete; checked: {}",
                        addresses.join("; ")
                    )
                }),
        );
    }
    if addresses.is_empty() {
        return Some(
            check
                .warn("found no sending IP: name the addresses your mail leaves from with --ip")
                .evidence_all(sources.lookups.iter())
                .evidence_all(skipped)
                .remediation(
                    "Find the sending address in the Received headers of a message you sent and \
                 check it with --ip ADDRESS (repeatable) or `deliv ip ADDRESS`.",
                ),
        );
    }
    if sources.given && sources.skipped.is_empty() {
        // Addresses the user named, all checked: nothing to add.
        return None;
    }
    let how = if sources.given {
        "given on the command line"
    } else {
        "derived from SPF and MX"
    };
    let mut finding = check
        .info(format!(
            "{} sending IP(s), {how}: {}",
            addresses.len(),
            addresses.join("; ")
        ))
        .evidence_all(sources.ips.iter().map(SendingIp::evidence))
        .evidence_all(skipped)
        .remediation(
            "If your mail leaves from other addresses (a relay, an ESP), name them with --ip.",
        );
    if !sources.skipped.is_empty() {
        finding = finding.detail(format!(
            "{} candidate(s) skipped; see the evidence.",
            sources.skipped.len()
        ));
    }
    Some(finding)
}

/// A host name of the sender's to suggest in remediation.
fn hosted(host: &Name) -> Option<String> {
    if let Some(s) = HOSTED_MX
        .iter()
        .find(|s| Name::parse(s).is_ok_and(|s| host.is_subdomain_of(&s)))
    {
        return Some(format!(
            "a mailbox provider's inbound server ({s}): it does not send your mail"
        ));
    }
    receive_only(host).map(|what| format!("{what}: it receives mail, it never sends yours"))
}

/// Endpoints of sending services that only receive: Amazon SES's inbound (receiving) SMTP
/// endpoints, and the feedback host a custom MAIL FROM domain's MX points at.
fn receive_only(host: &Name) -> Option<&'static str> {
    let text = host.as_str();
    let first = text.split('.').next().unwrap_or_default();
    let under = |suffix: &str| Name::parse(suffix).is_ok_and(|s| host.is_subdomain_of(&s));
    if first == "inbound-smtp" && under("amazonaws.com") {
        Some("an Amazon SES receiving endpoint")
    } else if first == "feedback-smtp" && under("amazonses.com") {
        Some("Amazon SES's bounce and complaint feedback endpoint")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_addresses_keep_order_and_drop_private_ones() {
        let ips: Vec<IpAddr> = ["192.0.2.1", "10.0.0.1", "::ffff:192.0.2.1", "2001:db8::1"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let s = SendingIps::given(&ips);
        let got: Vec<String> = s.ips.iter().map(|i| i.ip.to_string()).collect();
        assert_eq!(got, vec!["192.0.2.1", "2001:db8::1"]);
        assert_eq!(s.skipped.len(), 1);
        assert!(s.skipped[0].what.starts_with("10.0.0.1"));
    }

    #[test]
    fn small_ranges_expand_and_wide_ones_are_skipped() {
        let mut s = SendingIps::default();
        s.range("192.0.2.9".parse().unwrap(), 30, "ip4:192.0.2.9/30");
        s.range("192.0.2.0".parse().unwrap(), 24, "ip4:192.0.2.0/24");
        s.range("2001:db8::".parse().unwrap(), 64, "ip6:2001:db8::/64");
        let got: Vec<String> = s.ips.iter().map(|i| i.ip.to_string()).collect();
        assert_eq!(
            got,
            vec!["192.0.2.8", "192.0.2.9", "192.0.2.10", "192.0.2.11"]
        );
        assert_eq!(s.skipped.len(), 2);
        assert!(s.skipped[0].why.contains("256 addresses"));
        assert!(s.skipped[1].why.contains("2^64"));
    }

    #[test]
    fn hosted_mx_hosts_are_recognised() {
        assert!(hosted(&Name::parse("aspmx.l.google.com").unwrap()).is_some());
        assert!(hosted(&Name::parse("example-com.mail.protection.outlook.com").unwrap()).is_some());
        assert!(hosted(&Name::parse("mx.example.com").unwrap()).is_none());
        for ses in [
            "inbound-smtp.eu-west-1.amazonaws.com",
            "feedback-smtp.us-east-1.amazonses.com",
        ] {
            let why = hosted(&Name::parse(ses).unwrap()).unwrap();
            assert!(why.contains("Amazon SES"), "{why}");
        }
        assert!(hosted(&Name::parse("ec2-192-0-2-1.compute-1.amazonaws.com").unwrap()).is_none());
    }
}
