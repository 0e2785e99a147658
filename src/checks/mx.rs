//! MX: where mail for the domain goes (RFC 5321 §5.1, RFC 7505 null MX).
//!
//! A sender needs working MX too: bounces, replies and complaints go there, and receivers
//! (Yahoo, Microsoft) refuse mail from domains that cannot receive any.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::addr;
use crate::checks::area::{AreaDef, Ctx, Facts, SubjectKind, facts};
use crate::checks::finding::{Area, Change, Evidence, Finding, checks, placeholder};
use crate::dns::{Lookup, Name, Outcome, RType, Rdata, Resolver};
use crate::spf::{Mechanism, Record, is_spf_record};

pub const NAME: Area = Area::new("mx");

pub static AREA: AreaDef = AreaDef {
    area: NAME,
    subjects: &[SubjectKind::Domain],
    reads: &[],
    checks: CHECKS,
    gather: facts::<MxFacts>,
    check: |g| check(g.facts()),
};

checks! {
    area: NAME;

    /// ## What it checks
    /// That the domain publishes MX records, or else that it exists and has an address
    /// that the implicit-MX rule of RFC 5321 §5.1 falls back to.
    ///
    /// ## Why it matters
    /// Bounces, replies and feedback-loop reports are delivered to the MX of the sending
    /// domain. Receivers check that a sending domain can receive mail: Yahoo refuses mail
    /// whose domains fail an existence check, and Microsoft asks that From and Reply-To
    /// addresses be able to receive replies. A domain with neither MX nor address cannot.
    ///
    /// ## How to fix
    /// Publish MX records pointing at hosts that accept mail for the domain, e.g.
    /// `example.com. 3600 IN MX 10 mx1.example.com.`. A domain that never receives mail
    /// should publish a null MX instead (`example.com. IN MX 0 .`, RFC 7505) and not send.
    MX_RECORDS = "mx.records", "Domain has MX records",
    references ["RFC 5321 §5.1", "RFC 7505", "https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// A null MX (`MX 0 .`, RFC 7505): the domain declares that it accepts no mail. A null
    /// MX must be the only MX record.
    ///
    /// ## Why it matters
    /// A null MX is right for a domain that neither sends nor receives. On a domain that
    /// sends, receivers treat it as unable to take replies or bounces; Yahoo rejects such
    /// mail permanently. Mixed with other MX records it is invalid and senders disagree on
    /// what it means.
    ///
    /// ## How to fix
    /// If the domain sends mail, remove the null MX and publish real MX hosts. If it does
    /// not, keep `MX 0 .` as the only MX record and publish `v=spf1 -all`.
    MX_NULL = "mx.null", "Null MX is used correctly",
    references ["RFC 7505 §3", "https://senders.yahooinc.com/smtp-error-codes/"];

    /// ## What it checks
    /// That a domain with a null MX also publishes the SPF record `v=spf1 -all`.
    ///
    /// ## Why it matters
    /// RFC 7505 §4.2 asks a domain that accepts no mail to say it sends none either, so
    /// forged mail in its name fails SPF. An SPF record that authorises senders contradicts
    /// the null MX.
    ///
    /// ## How to fix
    /// Publish exactly one TXT record `v=spf1 -all` at the domain (and a DMARC record
    /// `v=DMARC1; p=reject;` at `_dmarc`).
    MX_NULL_SPF = "mx.null-spf", "Null-MX domain publishes v=spf1 -all",
    references ["RFC 7505 §4.2", "RFC 7208 §4.6.2"];

    /// ## What it checks
    /// That each MX host name has an address (A or AAAA) and exists, and that the address
    /// can be reached from the Internet: an MX host only at a private (RFC 1918, fc00::/7),
    /// loopback, link-local, carrier-grade NAT, unspecified, broadcast, multicast or reserved
    /// address fails; one with such an address beside a public one warns.
    ///
    /// ## Why it matters
    /// A sending MTA that cannot resolve or reach an MX host cannot deliver to it; with no
    /// usable host, bounces and replies to the domain are lost and receivers that test the
    /// sender domain (callbacks, existence checks) refuse its mail. An internal address
    /// published in public DNS sends every sender to its own network.
    ///
    /// ## How to fix
    /// Publish the public A and/or AAAA records for each MX host (the address your firewall
    /// exposes on port 25), or point the MX at a host that has them. Remove MX records for
    /// hosts that no longer exist.
    MX_HOST_ADDRESS = "mx.host-address", "Every MX host resolves to an address",
    references ["RFC 5321 §5.1"];

    /// ## What it checks
    /// MX targets that are aliases (CNAME records).
    ///
    /// ## Why it matters
    /// RFC 2181 §10.3 says an MX must point at a name with address records, not an alias.
    /// Most MTAs follow the alias anyway, some do not, and mail to those is delayed or bounced.
    ///
    /// ## How to fix
    /// Point the MX at the canonical name the CNAME leads to.
    MX_TARGET_CNAME = "mx.target-cname", "MX targets are not CNAMEs",
    references ["RFC 2181 §10.3", "RFC 5321 §5.1"];

    /// ## What it checks
    /// MX targets written as IP addresses (`MX 10 192.0.2.1`).
    ///
    /// ## Why it matters
    /// The MX target must be a host name. An address there is looked up as a name
    /// (`192.0.2.1.` under the root), which does not exist, so no mail is delivered.
    ///
    /// ## How to fix
    /// Publish a host name with an A/AAAA record for the address and point the MX at it:
    /// `mx1.example.com. IN A 192.0.2.1` and `example.com. IN MX 10 mx1.example.com.`.
    MX_TARGET_IP = "mx.target-ip", "MX targets are host names, not IP addresses",
    references ["RFC 5321 §5.1", "RFC 1035 §3.3.9"];

    /// ## What it checks
    /// MX records that repeat a host, and hosts sharing one preference.
    ///
    /// ## Why it matters
    /// A repeated host adds nothing and usually shows a record left behind by a migration.
    /// Equal preferences are legitimate load sharing and are only noted.
    ///
    /// ## How to fix
    /// Remove the repeated record; give hosts different preferences if one is a backup.
    MX_DUPLICATES = "mx.duplicates", "No duplicate MX hosts",
    references ["RFC 5321 §5.1"];
}

/// Addresses of one MX host.
#[derive(Debug, Clone)]
pub struct MxHost {
    pub name: Name,
    pub a: Arc<Lookup>,
    pub aaaa: Arc<Lookup>,
}

impl MxHost {
    fn evidence(&self) -> [Evidence; 2] {
        [Evidence::from(&self.a), Evidence::from(&self.aaaa)]
    }
}

/// What the MX checks look at.
#[derive(Debug, Clone)]
pub struct MxFacts {
    pub domain: Name,
    pub mx: Arc<Lookup>,
    /// One entry per distinct host name (not the null MX, not IP literals).
    pub hosts: Vec<MxHost>,
    /// The domain's own A/AAAA, asked when it has no MX (implicit MX).
    pub implicit: Option<[Arc<Lookup>; 2]>,
    /// The domain's TXT records, asked when it has a null MX or no MX: the fix depends on
    /// whether its SPF record says it sends.
    pub txt: Option<Arc<Lookup>>,
    /// `mx1.<domain>` A, asked when an MX target is an IP address: a host name to suggest.
    pub spare_name: Option<Arc<Lookup>>,
}

impl Facts for MxFacts {
    fn gather<'c>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, Self> {
        Box::pin(gather(ctx.resolver, ctx.domain()))
    }
}

async fn gather(resolver: &Resolver, domain: &Name) -> MxFacts {
    let mx = resolver.query(domain, RType::Mx).await;
    let mut names: Vec<Name> = Vec::new();
    for r in mx.records() {
        if let Rdata::Mx { exchange, .. } = r
            && !exchange.is_root()
            && !exchange.looks_like_ip()
            && !names.contains(exchange)
        {
            names.push(exchange.clone());
        }
    }
    let questions: Vec<(Name, RType)> = names
        .iter()
        .flat_map(|n| [(n.clone(), RType::A), (n.clone(), RType::Aaaa)])
        .collect();
    let has_null = mx.records().iter().any(is_null_mx);
    let wants_txt = has_null || mx.outcome == Outcome::NoData;
    let spare = mx
        .records()
        .iter()
        .any(|r| matches!(r, Rdata::Mx { exchange, .. } if exchange.looks_like_ip()))
        .then(|| domain.prepend("mx1").ok())
        .flatten();
    let (answers, implicit, txt, spare_name) = tokio::join!(
        resolver.query_all(&questions),
        async {
            match mx.outcome {
                Outcome::NoData => {
                    let both = resolver
                        .query_all(&[(domain.clone(), RType::A), (domain.clone(), RType::Aaaa)])
                        .await;
                    Some([both[0].clone(), both[1].clone()])
                }
                _ => None,
            }
        },
        async {
            if wants_txt {
                Some(resolver.query(domain, RType::Txt).await)
            } else {
                None
            }
        },
        async {
            match &spare {
                Some(name) => Some(resolver.query(name, RType::A).await),
                None => None,
            }
        }
    );
    let hosts = names
        .into_iter()
        .zip(answers.chunks(2))
        .map(|(name, pair)| MxHost {
            name,
            a: pair[0].clone(),
            aaaa: pair[1].clone(),
        })
        .collect();
    MxFacts {
        domain: domain.clone(),
        mx,
        hosts,
        implicit,
        txt,
        spare_name,
    }
}

fn is_null_mx(r: &Rdata) -> bool {
    matches!(r, Rdata::Mx { exchange, .. } if exchange.is_root())
}

pub fn check(ev: &MxFacts) -> Vec<Finding> {
    let domain = &ev.domain;
    let records = match &ev.mx.outcome {
        Outcome::Failed(_) => return vec![MX_RECORDS.lookup_error(&ev.mx)],
        Outcome::NxDomain => {
            return vec![MX_RECORDS
                .fail(format!("{domain} does not exist (NXDOMAIN)"))
                .evidence(&ev.mx)
                .remediation(format!(
                    "Register or publish {domain} before sending from it: receivers reject mail \
                     from domains that do not exist."
                ))];
        }
        Outcome::NoData => return vec![implicit_mx(ev)],
        Outcome::Records(r) => r,
    };

    let mut out = Vec::new();
    if records.iter().any(is_null_mx) {
        out.extend(null_mx(ev, records));
        return out;
    }

    out.push(
        MX_RECORDS
            .pass(format!("{} MX record(s)", records.len()))
            .evidence(&ev.mx)
            .evidence_all(ev.hosts.iter().flat_map(MxHost::evidence)),
    );
    out.extend(host_addresses(ev));
    out.extend(cname_targets(ev));
    out.extend(ip_targets(ev, records));
    out.extend(duplicates(records, &ev.mx));
    out
}

fn implicit_mx(ev: &MxFacts) -> Finding {
    let Some([a, aaaa]) = &ev.implicit else {
        return MX_RECORDS.lookup_error(&ev.mx);
    };
    for lookup in [a, aaaa] {
        if lookup.failure().is_some() {
            return MX_RECORDS.lookup_error(lookup);
        }
    }
    let addresses: Vec<String> = a
        .addresses()
        .chain(aaaa.addresses())
        .map(|ip| ip.to_string())
        .collect();
    let base = |f: Finding| f.evidence(&ev.mx).evidence(a).evidence(aaaa);
    if addresses.is_empty() {
        let finding = base(MX_RECORDS.fail(format!(
            "{} has no MX and no address: it cannot receive mail",
            ev.domain
        )));
        match spf_of(ev) {
            Spf::Failed(txt) => MX_RECORDS.lookup_error(txt),
            Spf::Sends(_) => {
                let host = placeholder("mail host name that has an address");
                finding
                    .remediation(format!(
                        "{0} sends mail (its SPF record names senders), so it must receive \
                         bounces and replies: publish `{0}. IN MX 10 {host}.`, naming a host \
                         that already has an address and accepts mail for {0} (your mail \
                         provider's MX host).",
                        ev.domain
                    ))
                    .change(Change::add(&ev.domain, "MX", format!("10 {host}.")))
            }
            spf => finding
                .remediation(format!(
                    "If {0} sends no mail, publish a null MX with an SPF record that authorises \
                     nothing (RFC 7505): `{0}. IN MX 0 .` and `{0}. IN TXT \"v=spf1 -all\"`. If \
                     it does, publish an MX at a host that has an address and accepts its mail.",
                    ev.domain
                ))
                .change(Change::add(&ev.domain, "MX", "0 ."))
                .changes(spf.to_nothing(&ev.domain)),
        }
    } else {
        base(MX_RECORDS.warn(format!(
            "no MX records: mail for {} falls back to its address ({})",
            ev.domain,
            addresses.join(", ")
        )))
        .detail(
            "RFC 5321 §5.1 lets senders deliver to the domain's own A/AAAA when it has no MX \
             (implicit MX). It works, but it is often accidental: the web server then receives \
             the domain's bounces and replies.",
        )
        .remediation(format!(
            "Publish explicit MX records for {0} pointing at the hosts that accept its mail.",
            ev.domain
        ))
    }
}

fn null_mx(ev: &MxFacts, records: &[Rdata]) -> Vec<Finding> {
    let domain = &ev.domain;
    let mut out = Vec::new();
    if records.len() > 1 {
        out.push(
            MX_NULL
                .fail(format!(
                    "{domain} mixes a null MX with {} other MX record(s)",
                    records.len() - 1
                ))
                .evidence(&ev.mx)
                .remediation(
                    "A null MX must be the only MX record (RFC 7505 §3). Remove it if the domain \
                     receives mail, or remove the other MX records if it does not.",
                )
                .change(Change::remove(domain, "MX", "0 .")),
        );
        return out;
    }
    out.push(
        MX_NULL
            .info(format!("{domain} publishes a null MX: it accepts no mail"))
            .evidence(&ev.mx)
            .detail(
                "Mail from this domain cannot be answered or bounced; receivers such as Yahoo \
                 reject mail from domains with a null MX.",
            )
            .remediation("If this domain sends mail, replace the null MX with real MX hosts."),
    );
    let Some(txt) = &ev.txt else { return out };
    if txt.failure().is_some() {
        out.push(MX_NULL_SPF.lookup_error(txt));
        return out;
    }
    let publish = format!("Publish `{domain}. IN TXT \"v=spf1 -all\"` as the only SPF record.");
    let spf = spf_of(ev);
    let finding = match &spf {
        Spf::Failed(txt) => MX_NULL_SPF.lookup_error(txt),
        Spf::Nothing => {
            return {
                out.push(
                    MX_NULL_SPF
                        .pass(format!("{domain} has a null MX and v=spf1 -all"))
                        .evidence(txt),
                );
                out
            };
        }
        Spf::Missing => MX_NULL_SPF
            .warn(format!("{domain} has a null MX but no SPF record"))
            .remediation(publish),
        Spf::Sends(records) if records.len() > 1 => MX_NULL_SPF
            .fail(format!(
                "{domain} has a null MX and {} SPF records",
                records.len()
            ))
            .remediation(publish),
        Spf::Sends(records) => MX_NULL_SPF
            .fail(format!(
                "{domain} has a null MX but its SPF record authorises senders: `{}`",
                records.join("")
            ))
            .remediation(publish),
    };
    out.push(finding.evidence(txt).changes(spf.to_nothing(domain)));
    out
}

/// What the domain's own SPF record says about sending, for the fixes that depend on it.
enum Spf<'a> {
    Failed(&'a Arc<Lookup>),
    Missing,
    /// `v=spf1 -all`: it sends nothing.
    Nothing,
    /// Anything else, as published (one text per SPF record).
    Sends(Vec<String>),
}

fn spf_of(ev: &MxFacts) -> Spf<'_> {
    let Some(txt) = &ev.txt else {
        return Spf::Missing;
    };
    if txt.failure().is_some() {
        return Spf::Failed(txt);
    }
    let spf: Vec<Vec<u8>> = txt.txt_records().filter(|t| is_spf_record(t)).collect();
    match spf.as_slice() {
        [] => Spf::Missing,
        [one] if Record::parse(one).is_ok_and(|r| authorises_nothing(&r)) => Spf::Nothing,
        many => Spf::Sends(
            many.iter()
                .map(|t| String::from_utf8_lossy(t).into_owned())
                .collect(),
        ),
    }
}

impl Spf<'_> {
    /// The changes that leave `v=spf1 -all` as the only SPF record.
    fn to_nothing(&self, domain: &Name) -> Vec<Change> {
        let nothing = "v=spf1 -all";
        match self {
            Spf::Missing => vec![Change::add(domain, "TXT", nothing)],
            Spf::Sends(records) => {
                let mut changes = vec![Change::replace(domain, "TXT", &records[0], nothing)];
                changes.extend(
                    records[1..]
                        .iter()
                        .map(|r| Change::remove(domain, "TXT", r.clone())),
                );
                changes
            }
            Spf::Failed(_) | Spf::Nothing => Vec::new(),
        }
    }
}

/// `v=spf1 -all` and equivalents: the only directive is a failing `all`.
fn authorises_nothing(record: &Record) -> bool {
    let directives: Vec<_> = record.directives().collect();
    record.redirect().is_none()
        && matches!(
            directives.as_slice(),
            [(_, crate::spf::Qualifier::Fail, Mechanism::All)]
        )
}

fn host_addresses(ev: &MxFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut fine = Vec::new();
    for host in &ev.hosts {
        if let Some(failed) = [&host.a, &host.aaaa]
            .into_iter()
            .find(|l| l.failure().is_some())
        {
            out.push(MX_HOST_ADDRESS.lookup_error(failed));
            continue;
        }
        let (unreachable, reachable): (Vec<IpAddr>, Vec<IpAddr>) = host
            .a
            .addresses()
            .chain(host.aaaa.addresses())
            .partition(|ip| addr::unreachable(*ip).is_some());
        let list = |ips: &[IpAddr]| {
            ips.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let why = |ips: &[IpAddr]| {
            ips.iter()
                .map(|ip| format!("{ip}: {}", addr::unreachable(*ip).unwrap_or_default()))
                .collect::<Vec<_>>()
                .join("; ")
        };
        match (reachable.is_empty(), unreachable.is_empty()) {
            (false, true) => fine.push(format!("{} ({})", host.name, list(&reachable))),
            (false, false) => out.push(
                MX_HOST_ADDRESS
                    .warn(format!(
                        "MX host {} also resolves to {}, which no one on the Internet can reach",
                        host.name,
                        list(&unreachable)
                    ))
                    .detail(why(&unreachable))
                    .evidence_all(host.evidence())
                    .remediation(format!(
                        "Remove the internal address(es) from {}: senders try them and fail or \
                         wait before they reach {}.",
                        host.name,
                        list(&reachable)
                    ))
                    .changes(
                        unreachable.iter().map(|ip| {
                            Change::remove(&host.name, address_type(*ip), ip.to_string())
                        }),
                    ),
            ),
            (true, false) => out.push(
                MX_HOST_ADDRESS
                    .fail(format!(
                        "MX host {} resolves only to {}, which no one on the Internet can reach",
                        host.name,
                        list(&unreachable)
                    ))
                    .detail(why(&unreachable))
                    .evidence_all(host.evidence())
                    .remediation(format!(
                        "Publish the public address of {} instead (the one its firewall or NAT \
                         exposes on port 25), or point the MX of {} at a host that has one.",
                        host.name, ev.domain
                    ))
                    .changes(unreachable.iter().map(|ip| {
                        Change::replace(
                            &host.name,
                            address_type(*ip),
                            ip.to_string(),
                            placeholder(&format!("public {} address", address_type(*ip))),
                        )
                    })),
            ),
            (true, true) => out.push(no_address(ev, host)),
        }
    }
    if out.is_empty() && !fine.is_empty() {
        out.push(
            MX_HOST_ADDRESS
                .pass(format!("every MX host resolves: {}", fine.join("; ")))
                .evidence_all(ev.hosts.iter().flat_map(MxHost::evidence)),
        );
    }
    out
}

fn address_type(ip: IpAddr) -> &'static str {
    match ip {
        IpAddr::V4(_) => "A",
        IpAddr::V6(_) => "AAAA",
    }
}

/// An MX host without any address: publish one where the name is the domain's own and not
/// an alias; otherwise the MX must change.
fn no_address(ev: &MxFacts, host: &MxHost) -> Finding {
    let missing = host.a.outcome == Outcome::NxDomain && host.aaaa.outcome == Outcome::NxDomain;
    let summary = if missing {
        format!("MX host {} does not exist (NXDOMAIN)", host.name)
    } else {
        format!("MX host {} has no A or AAAA record", host.name)
    };
    let finding = MX_HOST_ADDRESS.fail(summary).evidence_all(host.evidence());
    // Data cannot sit beside a CNAME (RFC 2181 §10.1): the address goes on the alias's target.
    let owner = host.a.aliases.last().unwrap_or(&host.name);
    if owner.is_subdomain_of(&ev.domain) {
        let address = placeholder("IPv4 address of the mail server");
        finding
            .remediation(format!(
                "Publish the address of {owner} (`{owner}. IN A {address}`), or point the MX of \
                 {} at a host that has one.",
                ev.domain
            ))
            .change(Change::add(owner, "A", address))
    } else {
        finding.remediation(format!(
            "{} is not under {}: point the MX of {} at a host that has an address (your \
             provider's documentation names it), or ask whoever runs {} to publish one.",
            host.name, ev.domain, ev.domain, host.name
        ))
    }
}

fn cname_targets(ev: &MxFacts) -> Vec<Finding> {
    ev.hosts
        .iter()
        .filter_map(|host| {
            let alias = host.a.aliases.first().or(host.aaaa.aliases.first())?;
            Some(
                MX_TARGET_CNAME
                    .warn(format!(
                        "MX host {} is an alias (CNAME to {alias})",
                        host.name
                    ))
                    .evidence_all(host.evidence())
                    .remediation(format!(
                        "Point the MX of {} at {alias} directly instead of at the alias {}.",
                        ev.domain, host.name
                    )),
            )
        })
        .collect()
}

fn ip_targets(ev: &MxFacts, records: &[Rdata]) -> Vec<Finding> {
    records
        .iter()
        .filter_map(|r| match r {
            Rdata::Mx {
                preference,
                exchange,
            } if exchange.looks_like_ip() => Some(ip_target(ev, *preference, exchange)),
            _ => None,
        })
        .collect()
}

/// An MX naming an address: give the address a host name (one that is free, or already holds
/// the address) and point the MX at it.
fn ip_target(ev: &MxFacts, preference: u16, exchange: &Name) -> Finding {
    let finding = MX_TARGET_IP
        .fail(format!(
            "MX target {exchange} is an IP address, not a host name"
        ))
        .evidence(&ev.mx);
    let literal = exchange
        .as_str()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let address = literal.parse::<IpAddr>().ok();
    let spare = ev.spare_name.as_ref().filter(|l| {
        l.aliases.is_empty()
            && (l.is_empty_answer() || address.is_some_and(|ip| l.addresses().eq([ip])))
    });
    let (Some(ip), Some(spare)) = (address, spare) else {
        let host = placeholder("host name of the mail server");
        return finding.remediation(format!(
            "Publish a host name of yours for {literal} (`{host}. IN A {literal}`) and point \
                 the MX of {} at that name instead of the address.",
            ev.domain
        ));
    };
    let host = &spare.name;
    let mut finding = finding
        .remediation(format!(
            "Publish `{host}. IN {} {ip}` and point the MX of {} at {host} instead of the address.",
            address_type(ip),
            ev.domain
        ))
        .evidence(spare);
    if spare.is_empty_answer() {
        finding = finding.change(Change::add(host, address_type(ip), ip.to_string()));
    }
    finding.change(Change::replace(
        &ev.domain,
        "MX",
        format!("{preference} {exchange}."),
        format!("{preference} {host}."),
    ))
}

fn duplicates(records: &[Rdata], mx: &Arc<Lookup>) -> Vec<Finding> {
    let mut by_host: BTreeMap<&Name, usize> = BTreeMap::new();
    let mut by_pref: BTreeMap<u16, Vec<&Name>> = BTreeMap::new();
    for r in records {
        if let Rdata::Mx {
            preference,
            exchange,
        } = r
        {
            *by_host.entry(exchange).or_default() += 1;
            by_pref.entry(*preference).or_default().push(exchange);
        }
    }
    let repeated: Vec<String> = by_host
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(h, n)| format!("{h} ({n} times)"))
        .collect();
    let shared: Vec<String> = by_pref
        .iter()
        .filter(|(_, hosts)| hosts.len() > 1)
        .map(|(p, hosts)| {
            let names: Vec<String> = hosts.iter().map(|h| h.to_string()).collect();
            format!("preference {p}: {}", names.join(", "))
        })
        .collect();
    if !repeated.is_empty() {
        return vec![
            MX_DUPLICATES
                .warn(format!("repeated MX host: {}", repeated.join("; ")))
                .evidence(mx)
                .remediation("Remove the repeated MX records; one record per host is enough."),
        ];
    }
    if !shared.is_empty() {
        return vec![MX_DUPLICATES
            .info(format!("hosts share a preference (load sharing): {}", shared.join("; ")))
            .evidence(mx)
            .remediation(
                "Nothing to do if the hosts are meant to share load; give a backup host a higher \
                 preference number.",
            )];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::dns::{Failure, Source};

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

    fn mx(pref: u16, host: &str) -> Rdata {
        Rdata::Mx {
            preference: pref,
            exchange: name(host),
        }
    }

    fn host(n: &str, a: Outcome) -> MxHost {
        MxHost {
            name: name(n),
            a: lookup(n, RType::A, a),
            aaaa: lookup(n, RType::Aaaa, Outcome::NoData),
        }
    }

    fn evidence(mx_outcome: Outcome, hosts: Vec<MxHost>) -> MxFacts {
        MxFacts {
            domain: name("example.com"),
            mx: lookup("example.com", RType::Mx, mx_outcome),
            hosts,
            implicit: None,
            txt: None,
            spare_name: None,
        }
    }

    fn statuses(findings: &[Finding]) -> Vec<(&'static str, Status)> {
        findings.iter().map(|f| (f.id(), f.status)).collect()
    }

    #[test]
    fn healthy_mx() {
        let ev = evidence(
            Outcome::Records(vec![mx(10, "mx1.example.com"), mx(20, "mx2.example.com")]),
            vec![
                host(
                    "mx1.example.com",
                    Outcome::Records(vec![Rdata::A("192.0.2.1".parse().unwrap())]),
                ),
                host(
                    "mx2.example.com",
                    Outcome::Records(vec![Rdata::A("192.0.2.2".parse().unwrap())]),
                ),
            ],
        );
        assert_eq!(
            statuses(&check(&ev)),
            vec![
                ("mx.records", Status::Pass),
                ("mx.host-address", Status::Pass)
            ]
        );
    }

    #[test]
    fn broken_hosts() {
        let mut ev = evidence(
            Outcome::Records(vec![
                mx(10, "gone.example.com"),
                mx(10, "empty.example.com"),
                mx(20, "192.0.2.9"),
                mx(30, "empty.example.com"),
            ]),
            vec![
                host("gone.example.com", Outcome::NxDomain),
                host("empty.example.com", Outcome::NoData),
            ],
        );
        ev.hosts[0].aaaa = lookup("gone.example.com", RType::Aaaa, Outcome::NxDomain);
        let findings = check(&ev);
        assert_eq!(
            statuses(&findings),
            vec![
                ("mx.records", Status::Pass),
                ("mx.host-address", Status::Fail),
                ("mx.host-address", Status::Fail),
                ("mx.target-ip", Status::Fail),
                ("mx.duplicates", Status::Warn),
            ]
        );
        assert!(findings[1].summary.contains("does not exist"));
        assert!(findings[2].summary.contains("no A or AAAA"));
    }

    #[test]
    fn failures_are_errors() {
        let ev = evidence(Outcome::Failed(Failure::ServFail), Vec::new());
        assert_eq!(statuses(&check(&ev)), vec![("mx.records", Status::Error)]);
        let mut ev = evidence(
            Outcome::Records(vec![mx(10, "mx1.example.com")]),
            vec![host("mx1.example.com", Outcome::Failed(Failure::Timeout))],
        );
        ev.hosts[0].aaaa = lookup("mx1.example.com", RType::Aaaa, Outcome::NoData);
        let findings = check(&ev);
        assert_eq!(findings[1].status, Status::Error);
        assert_eq!(findings.len(), 2);
    }

    #[test]
    fn null_mx_wants_spf_dash_all() {
        let mut ev = evidence(Outcome::Records(vec![mx(0, ".")]), Vec::new());
        ev.txt = Some(lookup(
            "example.com",
            RType::Txt,
            Outcome::Records(vec![Rdata::Txt(vec![b"v=spf1 -all".to_vec()])]),
        ));
        assert_eq!(
            statuses(&check(&ev)),
            vec![("mx.null", Status::Info), ("mx.null-spf", Status::Pass)]
        );
        ev.txt = Some(lookup(
            "example.com",
            RType::Txt,
            Outcome::Records(vec![Rdata::Txt(vec![b"v=spf1 mx -all".to_vec()])]),
        ));
        assert_eq!(check(&ev)[1].status, Status::Fail);
        ev.mx = lookup(
            "example.com",
            RType::Mx,
            Outcome::Records(vec![mx(0, "."), mx(10, "mx.example.com")]),
        );
        assert_eq!(statuses(&check(&ev)), vec![("mx.null", Status::Fail)]);
    }

    #[test]
    fn implicit_mx_is_a_warning_and_nothing_is_a_failure() {
        let mut ev = evidence(Outcome::NoData, Vec::new());
        ev.implicit = Some([
            lookup(
                "example.com",
                RType::A,
                Outcome::Records(vec![Rdata::A("192.0.2.1".parse().unwrap())]),
            ),
            lookup("example.com", RType::Aaaa, Outcome::NoData),
        ]);
        assert_eq!(statuses(&check(&ev)), vec![("mx.records", Status::Warn)]);
        ev.implicit = Some([
            lookup("example.com", RType::A, Outcome::NoData),
            lookup("example.com", RType::Aaaa, Outcome::NoData),
        ]);
        assert_eq!(statuses(&check(&ev)), vec![("mx.records", Status::Fail)]);
        let nx = evidence(Outcome::NxDomain, Vec::new());
        assert_eq!(statuses(&check(&nx)), vec![("mx.records", Status::Fail)]);
    }

    #[test]
    fn cname_targets_warn() {
        let mut h = host(
            "alias.example.com",
            Outcome::Records(vec![Rdata::A("192.0.2.1".parse().unwrap())]),
        );
        Arc::make_mut(&mut h.a).aliases = vec![name("real.example.net")];
        let ev = evidence(Outcome::Records(vec![mx(10, "alias.example.com")]), vec![h]);
        assert!(statuses(&check(&ev)).contains(&("mx.target-cname", Status::Warn)));
    }

    #[test]
    fn hosts_at_addresses_no_one_can_reach_are_not_passed() {
        let host = |n: &str, a: &str| MxHost {
            name: name(n),
            a: lookup(
                n,
                RType::A,
                Outcome::Records(vec![Rdata::A(a.parse().unwrap())]),
            ),
            aaaa: lookup(n, RType::Aaaa, Outcome::NoData),
        };
        for internal in [
            "10.0.0.5",
            "127.0.0.1",
            "192.168.1.1",
            "0.0.0.0",
            "224.0.0.1",
        ] {
            let ev = evidence(
                Outcome::Records(vec![Rdata::Mx {
                    preference: 10,
                    exchange: name("mx.example.com"),
                }]),
                vec![host("mx.example.com", internal)],
            );
            let out = check(&ev);
            let f = out.iter().find(|f| f.id() == "mx.host-address").unwrap();
            assert_eq!(f.status, Status::Fail, "{internal}: {}", f.summary);
            assert!(f.summary.contains(internal));
            assert_eq!(f.changes.len(), 1);
            assert!(crate::checks::finding::has_placeholder(&f.changes[0].data));
        }
        let mixed = MxHost {
            aaaa: lookup(
                "mx.example.com",
                RType::Aaaa,
                Outcome::Records(vec![Rdata::Aaaa("::1".parse().unwrap())]),
            ),
            ..host("mx.example.com", "192.0.2.1")
        };
        let ev = evidence(
            Outcome::Records(vec![Rdata::Mx {
                preference: 10,
                exchange: name("mx.example.com"),
            }]),
            vec![mixed],
        );
        let out = check(&ev);
        let f = out.iter().find(|f| f.id() == "mx.host-address").unwrap();
        assert_eq!(f.status, Status::Warn, "{}", f.summary);
        assert_eq!(f.changes[0].data, "::1");
    }
}
