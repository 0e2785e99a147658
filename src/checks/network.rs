//! The network of each sending address (Team Cymru's IP-to-ASN service over DNS), and what
//! sending from a cloud or VPS provider's network means.

use std::net::IpAddr;
use std::sync::Arc;

use futures_util::future::join_all;

use futures_util::future::BoxFuture;

use super::sending_ips::{self, SendingIp, SendingIps};
use crate::checks::area::{AreaDef, Ctx, Facts, SubjectKind, facts};
use crate::checks::finding::{Area, Evidence, Finding, checks};
use crate::dns::{Lookup, Outcome, RType, Resolver};
use crate::reputation::cymru::{self, AsInfo, Route};
use crate::reputation::hosting::{self, Provider};

pub const NAME: Area = Area::new("network");

pub static AREA: AreaDef = AreaDef {
    area: NAME,
    subjects: &[SubjectKind::Domain, SubjectKind::Ip],
    reads: &[],
    checks: CHECKS,
    gather: facts::<NetworkFacts>,
    check: |g| check(g.facts()),
};

checks! {
    area: NAME;

    /// ## What it checks
    /// Which network announces each sending address: its BGP prefix, the AS that originates
    /// it and that AS's registered name, from Team Cymru's IP-to-ASN service over DNS
    /// (`<reversed address>.origin.asn.cymru.com`, `origin6` for IPv6, then
    /// `AS<number>.asn.cymru.com`). deliv asks once per address and per AS in a run, as
    /// Team Cymru asks of software that uses the service.
    ///
    /// ## Why it matters
    /// Receivers weigh the reputation of the range and the network around an address, not
    /// only the address: Yahoo names subnet and network reputation, and Outlook.com blocks
    /// whole ranges ("part of their network is on our block list", S3140). Knowing the
    /// network tells you whom to ask. An address no network announces cannot reach
    /// receivers at all.
    ///
    /// ## How to fix
    /// Nothing to fix when the network is the one you expect. If no network announces the
    /// address, check that it is the address your mail really leaves from (`--ip`).
    NETWORK_ASN = "network.asn", "Sending IPs are announced by a known network",
    references ["https://team-cymru.com/community-services/ip-asn-mapping",
                "https://senders.yahooinc.com/smtp-error-codes/"];

    /// ## What it checks
    /// Sending addresses in the networks of large cloud and VPS providers (Amazon Web
    /// Services, Microsoft Azure, Google Cloud, DigitalOcean, Vultr, Hetzner, OVHcloud,
    /// Akamai/Linode, Oracle Cloud), recognised by the AS name Team Cymru reports.
    ///
    /// ## Why it matters
    /// Sending from cloud space works but has known costs. Providers restrict outbound
    /// port 25 (AWS does by default and documents how to lift it). Cheap, short-lived
    /// addresses attract abuse, so lists that score ranges or networks (UCEPROTECT Level 2
    /// and 3) and receivers that block ranges (Outlook.com S3140) punish the neighbours too;
    /// the address you get may carry a previous tenant's reputation. Default PTR names look
    /// generic. Spamhaus refuses queries from resolvers on several of these networks.
    ///
    /// ## How to fix
    /// Set a PTR of your own (the provider's procedure is shown), keep to a stable address
    /// (an Elastic IP on AWS), warm it up slowly, and check its neighbourhood
    /// (`--neighbourhood`). Where port 25 stays blocked or the range is blocked, relay
    /// through an established mail service (Amazon SES, an ESP) instead.
    NETWORK_CLOUD = "network.cloud", "Cloud and VPS networks noted",
    references ["https://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-using-smtp-net.html",
                "https://www.uceprotect.net/",
                "https://postmaster.live.com/pm/troubleshooting.aspx"];
}

/// The network of one address.
#[derive(Debug, Clone)]
pub struct IpNetwork {
    pub ip: SendingIp,
    pub origin: Arc<Lookup>,
    /// The origin answer read; an error holds the text that could not be read.
    pub routes: Result<Vec<Route>, String>,
    /// `AS<n>.asn.cymru.com` for each AS originating the most specific route.
    pub names: Vec<Arc<Lookup>>,
}

#[derive(Debug, Clone)]
pub struct NetworkFacts {
    pub sources: SendingIps,
    pub ips: Vec<IpNetwork>,
}

impl Facts for NetworkFacts {
    fn gather<'c>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, Self> {
        Box::pin(async move {
            let sources = ctx.get::<SendingIps>().await;
            gather(ctx.resolver, &sources).await
        })
    }
}

fn read_routes(origin: &Lookup) -> Result<Vec<Route>, String> {
    origin
        .txt_records()
        .map(|t| cymru::parse_route(&String::from_utf8_lossy(&t)))
        .collect()
}

async fn gather(resolver: &Resolver, sources: &SendingIps) -> NetworkFacts {
    let ips = join_all(sources.ips.iter().map(|ip| async move {
        let origin = match cymru::origin_name(ip.ip) {
            Ok(name) => resolver.query(&name, RType::Txt).await,
            Err(e) => Lookup::unaskable(RType::Txt, format!("cannot ask about {}: {e}", ip.ip)),
        };
        let routes = read_routes(&origin);
        let asns: Vec<u32> = routes
            .as_ref()
            .ok()
            .and_then(|r| cymru::best(r))
            .map(|r| r.asns.clone())
            .unwrap_or_default();
        let names = join_all(asns.into_iter().map(|asn| async move {
            match cymru::as_name(asn) {
                Ok(name) => resolver.query(&name, RType::Txt).await,
                Err(e) => Lookup::unaskable(RType::Txt, format!("cannot ask about AS{asn}: {e}")),
            }
        }))
        .await;
        IpNetwork {
            ip: ip.clone(),
            origin,
            routes,
            names,
        }
    }))
    .await;
    NetworkFacts {
        sources: sources.clone(),
        ips,
    }
}

pub fn check(ev: &NetworkFacts) -> Vec<Finding> {
    if ev.ips.is_empty() {
        return sending_ips::finding(&NETWORK_ASN, &ev.sources)
            .into_iter()
            .collect();
    }
    ev.ips.iter().flat_map(check_ip).collect()
}

fn check_ip(ip: &IpNetwork) -> Vec<Finding> {
    let addr = ip.ip.ip;
    let origin = ip.ip.evidence();
    match &ip.origin.outcome {
        Outcome::Failed(_) => return vec![NETWORK_ASN.lookup_error(&ip.origin).evidence(origin)],
        Outcome::NxDomain | Outcome::NoData => {
            return vec![
                NETWORK_ASN
                    .warn(format!(
                        "no network announces {addr} (Team Cymru knows no route)"
                    ))
                    .evidence(origin)
                    .evidence(&ip.origin)
                    .remediation(format!(
                        "Mail from {addr} cannot reach receivers if no network routes it: check \
                         that it is the address your mail leaves from, and name the real one \
                         with --ip."
                    )),
            ];
        }
        Outcome::Records(_) => {}
    }
    let routes = match &ip.routes {
        Ok(routes) => routes,
        Err(text) => return vec![unreadable(addr, text, origin, &ip.origin)],
    };
    let Some(route) = cymru::best(routes) else {
        return vec![unreadable(
            addr,
            "no route in the answer",
            origin,
            &ip.origin,
        )];
    };
    let mut infos: Vec<AsInfo> = Vec::new();
    for lookup in &ip.names {
        if lookup.failure().is_some() {
            return vec![
                NETWORK_ASN
                    .lookup_error(lookup)
                    .evidence(origin)
                    .evidence(&ip.origin),
            ];
        }
        match lookup.txt_records().next() {
            Some(txt) => match cymru::parse_as(&String::from_utf8_lossy(&txt)) {
                Ok(info) => infos.push(info),
                Err(text) => return vec![unreadable(addr, &text, origin, lookup)],
            },
            None => {
                return vec![unreadable(
                    addr,
                    &format!("no name registered for AS in {}", lookup.name),
                    origin,
                    lookup,
                )];
            }
        }
    }
    let networks: Vec<String> = infos
        .iter()
        .map(|i| format!("AS{} {}", i.asn, i.name))
        .collect();
    let route_note = Evidence::note(
        "route",
        format!(
            "{} announced by {} (country {}, registry {})",
            route.prefix,
            networks.join(", "),
            route.country,
            route.registry
        ),
    );
    let evidence = |f: Finding| {
        f.evidence(origin.clone())
            .evidence(route_note.clone())
            .evidence(&ip.origin)
            .evidence_all(ip.names.iter())
    };
    let mut out = vec![evidence(NETWORK_ASN.pass(format!(
        "{addr} is in {}, {}",
        route.prefix,
        networks.join(", ")
    )))];
    if let Some(provider) = infos.iter().find_map(|i| hosting::by_as_name(&i.name)) {
        out.push(evidence(cloud(addr, provider)));
    }
    out
}

fn unreadable(addr: IpAddr, text: &str, origin: Evidence, lookup: &Lookup) -> Finding {
    NETWORK_ASN
        .finding(
            super::Status::Error,
            format!("could not read Team Cymru's answer about {addr}: {text}"),
        )
        .evidence(origin)
        .evidence(lookup)
        .remediation(
            "Nothing is concluded from an answer deliv cannot read. Retry later; if it persists, \
             compare with `dig TXT` of the name in the evidence.",
        )
}

fn cloud(addr: IpAddr, p: &Provider) -> Finding {
    NETWORK_CLOUD
        .info(format!("{addr} is in {}'s network", p.name))
        .detail(format!(
            "Port 25: {} Neighbours in cloud ranges change often and abuse is common, so range \
             and network listings (UCEPROTECT Level 2/3, Outlook.com's S3140 \"part of their \
             network is on our block list\") can hit your mail without any fault of yours, and \
             a recycled address may carry its previous tenant's reputation.",
            p.port25
        ))
        .remediation(format!(
            "Give the address a PTR of your own, keep it stable, check its neighbourhood with \
             --neighbourhood, and if mail is blocked by range or port, relay through an \
             established mail service (e.g. Amazon SES or an ESP). Reverse DNS at {}: {}",
            p.name, p.set_ptr
        ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::sending_ips::Origin;
    use crate::dns::{Failure, Name, Rdata, Source};

    fn txt(name: &str, outcome: Outcome) -> Arc<Lookup> {
        Arc::new(Lookup {
            name: Name::parse(name).unwrap(),
            rtype: RType::Txt,
            aliases: Vec::new(),
            outcome,
            source: Source::Zone,
        })
    }

    fn records(text: &str) -> Outcome {
        Outcome::Records(vec![Rdata::Txt(vec![text.as_bytes().to_vec()])])
    }

    fn network(origin: Outcome, names: Vec<Outcome>) -> NetworkFacts {
        let ip: IpAddr = "192.0.2.10".parse().unwrap();
        let origin = txt("10.2.0.192.origin.asn.cymru.com", origin);
        let ip = IpNetwork {
            ip: SendingIp {
                ip,
                origins: vec![Origin::Given],
            },
            routes: read_routes(&origin),
            origin,
            names: names
                .into_iter()
                .map(|o| txt("as64500.asn.cymru.com", o))
                .collect(),
        };
        NetworkFacts {
            sources: SendingIps::given(&[ip.ip.ip]),
            ips: vec![ip],
        }
    }

    fn statuses(ev: &NetworkFacts) -> Vec<(&'static str, Status)> {
        check(ev).iter().map(|f| (f.id(), f.status)).collect()
    }

    #[test]
    fn known_network_passes_and_cloud_is_noted() {
        let ev = network(
            records("64500 | 192.0.2.0/24 | ZZ | test | 2020-01-01"),
            vec![records(
                "64500 | ZZ | test | 2020-01-01 | EXAMPLE-NET - Example, ZZ",
            )],
        );
        assert_eq!(statuses(&ev), vec![("network.asn", Status::Pass)]);
        assert!(check(&ev)[0].summary.contains("AS64500 EXAMPLE-NET"));
        let ev = network(
            records("64500 | 192.0.2.0/24 | US | arin | 2020-01-01"),
            vec![records(
                "64500 | US | arin | 2020-01-01 | AMAZON-02 - Amazon.com, Inc., US",
            )],
        );
        assert_eq!(
            statuses(&ev),
            vec![
                ("network.asn", Status::Pass),
                ("network.cloud", Status::Info)
            ]
        );
        assert!(check(&ev)[1].detail.contains("port 25"));
    }

    #[test]
    fn failures_and_unreadable_answers_are_errors_never_passes() {
        for ev in [
            network(Outcome::Failed(Failure::Timeout), Vec::new()),
            network(records("not | a route"), Vec::new()),
            network(
                records("64500 | 192.0.2.0/24 | ZZ | test"),
                vec![Outcome::Failed(Failure::ServFail)],
            ),
            network(
                records("64500 | 192.0.2.0/24 | ZZ | test"),
                vec![records("64500 | ZZ")],
            ),
            network(
                records("64500 | 192.0.2.0/24 | ZZ | test"),
                vec![Outcome::NxDomain],
            ),
        ] {
            assert_eq!(statuses(&ev), vec![("network.asn", Status::Error)]);
        }
    }

    #[test]
    fn unannounced_address_warns() {
        let ev = network(Outcome::NxDomain, Vec::new());
        assert_eq!(statuses(&ev), vec![("network.asn", Status::Warn)]);
    }
}
