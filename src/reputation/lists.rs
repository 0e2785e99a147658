//! DNS blocklists: the catalogue deliv knows (zone, what it lists, what its answers mean,
//! how to get off it), the lists a run uses, and each answer read as a typed verdict.
//!
//! An answer is a listing only when the list documents it as one. Error answers
//! (127.255.255.0/24 from any list, 127.0.0.1 from URIBL and SURBL, 127.0.1.255 from the
//! DBL) and answers outside 127.0.0.0/8 (a lapsed or wildcarded list domain) are neither a
//! listing nor a clean result.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use crate::dns::{Lookup, Name, Outcome, Rdata};

/// What a list is asked about, and how its answer counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Single addresses that sent spam or are compromised: a listing fails.
    Ip,
    /// Domains seen in spam: a listing fails.
    Domain,
    /// Ranges or whole networks around addresses: a listing is about the neighbours.
    Neighbourhood,
}

/// One documented return code.
#[derive(Debug)]
pub struct Code {
    pub answer: Ipv4Addr,
    pub meaning: &'static str,
    /// What to do about it, when it differs from the list's usual removal.
    pub fix: Option<&'static str>,
}

const fn code(last: [u8; 2], meaning: &'static str, fix: Option<&'static str>) -> Code {
    Code {
        answer: Ipv4Addr::new(127, 0, last[0], last[1]),
        meaning,
        fix,
    }
}

/// A list in the catalogue.
#[derive(Debug)]
pub struct ListInfo {
    pub zone: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    /// What gets an entry listed.
    pub lists: &'static str,
    /// Documented listing codes; empty when the list's codes are not confirmed.
    pub codes: &'static [Code],
    /// The last octet is a sum of the codes' last octets (SURBL).
    pub bitmask: bool,
    /// The answer the list gives when it refuses a query (besides 127.255.255.0/24).
    pub refusal: Option<Ipv4Addr>,
    /// The answer meaning "a domain list was asked about an address".
    pub wrong_kind: Option<Ipv4Addr>,
    pub delist: &'static str,
    /// Queried when no list is named on the command line.
    pub default: bool,
    /// Its operator documents IPv6 queries.
    pub ipv6: bool,
    /// Refuses or mis-answers queries that arrive through big public resolvers.
    pub refuses_public_resolvers: bool,
    /// Its zone's name under Spamhaus DQS (`<key>.<dqs>.dq.spamhaus.net`).
    pub dqs: Option<&'static str>,
    /// Free for anyone to query in volume: the neighbourhood scan may ask it about a /24.
    pub scan: bool,
}

const SPAMHAUS_DELIST: &str = "Look the entry up at https://check.spamhaus.org/ and follow the \
    removal steps shown there once the cause is fixed.";
const PBL_FIX: &str = "The Policy Block List marks ranges that should not send mail directly \
    to receivers. If this is a static mail server with a proper PTR, remove the address through \
    the PBL removal at https://check.spamhaus.org/ (for an entry maintained by the ISP, ask the \
    ISP); otherwise relay through your provider's or ESP's mail servers.";

/// The lists deliv knows. SORBS closed in June 2024 and is refused by name.
pub static CATALOGUE: &[ListInfo] = &[
    ListInfo {
        zone: "zen.spamhaus.org",
        name: "Spamhaus ZEN",
        kind: Kind::Ip,
        lists: "spam sources and operations (SBL, CSS), compromised hosts (XBL) and end-user \
            ranges that should not send directly (PBL)",
        codes: &[
            code([0, 2], "SBL: a spam source or spam operation", None),
            code(
                [0, 3],
                "CSS: automated detection of spam sending, e.g. snowshoe",
                None,
            ),
            code(
                [0, 4],
                "XBL: the host showed signs of malware or compromise",
                Some(
                    "Find and clean the compromised host or the exploited service, then remove the \
                 address at https://check.spamhaus.org/.",
                ),
            ),
            code(
                [0, 9],
                "DROP: the range is controlled by spammers or criminals",
                None,
            ),
            code(
                [0, 10],
                "PBL, maintained by the ISP: the range should not send mail directly",
                Some(PBL_FIX),
            ),
            code(
                [0, 11],
                "PBL, maintained by Spamhaus: the range should not send mail directly",
                Some(PBL_FIX),
            ),
            code([0, 30], "BCL: a botnet controller", None),
        ],
        bitmask: false,
        refusal: None,
        wrong_kind: None,
        delist: SPAMHAUS_DELIST,
        default: true,
        ipv6: true,
        refuses_public_resolvers: true,
        dqs: Some("zen"),
        scan: false,
    },
    ListInfo {
        zone: "bl.spamcop.net",
        name: "SpamCop",
        kind: Kind::Ip,
        lists: "addresses that sent mail reported by SpamCop users or caught in its traps; \
            entries expire on their own once reports stop",
        codes: &[],
        bitmask: false,
        refusal: None,
        wrong_kind: None,
        delist: "Entries expire once reports stop; look the address up at \
            https://www.spamcop.net/bl.shtml.",
        default: true,
        ipv6: false,
        refuses_public_resolvers: false,
        dqs: None,
        scan: false,
    },
    ListInfo {
        zone: "dnsbl-1.uceprotect.net",
        name: "UCEPROTECT Level 1",
        kind: Kind::Ip,
        lists: "single addresses that hit UCEPROTECT's traps; entries expire once the abuse stops",
        codes: &[],
        bitmask: false,
        refusal: None,
        wrong_kind: None,
        delist: "Entries expire on their own once no more trap hits arrive (UCEPROTECT also \
            sells express removal); see https://www.uceprotect.net/.",
        default: true,
        ipv6: false,
        refuses_public_resolvers: false,
        dqs: None,
        scan: true,
    },
    ListInfo {
        zone: "dnsbl-2.uceprotect.net",
        name: "UCEPROTECT Level 2",
        kind: Kind::Neighbourhood,
        lists: "address allocations (ranges) in which several Level 1 addresses appeared",
        codes: &[],
        bitmask: false,
        refusal: None,
        wrong_kind: None,
        delist: "A customer cannot remove a range listing: ask the provider that owns the range \
            to deal with the abusers in it, or move to addresses elsewhere.",
        default: true,
        ipv6: false,
        refuses_public_resolvers: false,
        dqs: None,
        scan: false,
    },
    ListInfo {
        zone: "dnsbl-3.uceprotect.net",
        name: "UCEPROTECT Level 3",
        kind: Kind::Neighbourhood,
        lists: "whole networks (autonomous systems) with many Level 1 addresses",
        codes: &[],
        bitmask: false,
        refusal: None,
        wrong_kind: None,
        delist: "A customer cannot remove a network listing: ask the provider to deal with the \
            abuse in its network, or move to addresses elsewhere.",
        default: true,
        ipv6: false,
        refuses_public_resolvers: false,
        dqs: None,
        scan: false,
    },
    ListInfo {
        zone: "psbl.surriel.com",
        name: "PSBL",
        kind: Kind::Ip,
        lists: "addresses that sent to its spam traps and are not known mail servers",
        codes: &[],
        bitmask: false,
        refusal: None,
        wrong_kind: None,
        delist: "Anyone can remove an address at https://psbl.org/remove.",
        default: true,
        ipv6: false,
        refuses_public_resolvers: false,
        dqs: None,
        scan: true,
    },
    ListInfo {
        zone: "b.barracudacentral.org",
        name: "Barracuda Reputation Block List",
        kind: Kind::Ip,
        lists: "addresses that sent to Barracuda's traps or that its reputation system judged \
            spammy",
        codes: &[code(
            [0, 2],
            "listed by Barracuda's reputation system",
            None,
        )],
        bitmask: false,
        refusal: None,
        wrong_kind: None,
        delist: "Request removal at https://www.barracudacentral.org/rbl/removal-request.",
        // It answers only resolvers registered with it: off unless named with --dnsbl.
        default: false,
        ipv6: false,
        refuses_public_resolvers: false,
        dqs: None,
        scan: false,
    },
    ListInfo {
        zone: "dbl.spamhaus.org",
        name: "Spamhaus DBL",
        kind: Kind::Domain,
        lists: "domains with poor reputation or used for phishing, malware or botnet control",
        codes: &[
            code([1, 2], "a domain with low reputation (spam)", None),
            code([1, 4], "a phishing domain", None),
            code([1, 5], "a malware domain", None),
            code([1, 6], "a botnet command-and-control domain", None),
            code([1, 102], "a legitimate domain abused by spammers", None),
            code([1, 103], "a legitimate domain abused as a redirector", None),
            code([1, 104], "a legitimate domain abused for phishing", None),
            code([1, 105], "a legitimate domain abused for malware", None),
            code(
                [1, 106],
                "a legitimate domain abused for botnet control",
                None,
            ),
        ],
        bitmask: false,
        refusal: None,
        wrong_kind: Some(Ipv4Addr::new(127, 0, 1, 255)),
        delist: SPAMHAUS_DELIST,
        default: true,
        ipv6: false,
        refuses_public_resolvers: true,
        dqs: Some("dbl"),
        scan: false,
    },
    ListInfo {
        zone: "multi.surbl.org",
        name: "SURBL",
        kind: Kind::Domain,
        lists: "domains found in unsolicited mail: phishing, malware, abuse and cracked sites",
        codes: &[
            code([0, 8], "PH: phishing", None),
            code([0, 16], "MW: malware", None),
            code([0, 64], "ABUSE: spam and abuse", None),
            code([0, 128], "CR: a cracked (compromised) site", None),
        ],
        bitmask: true,
        refusal: Some(Ipv4Addr::new(127, 0, 0, 1)),
        wrong_kind: None,
        delist: "Look the domain up at https://www.surbl.org/ and follow its removal process \
            (the address of the removal page is not confirmed here).",
        default: true,
        ipv6: false,
        refuses_public_resolvers: true,
        dqs: None,
        scan: false,
    },
    ListInfo {
        zone: "multi.uribl.com",
        name: "URIBL",
        kind: Kind::Domain,
        lists: "domains found in unsolicited mail",
        codes: &[],
        bitmask: false,
        refusal: Some(Ipv4Addr::new(127, 0, 0, 1)),
        wrong_kind: None,
        delist: "Look the domain up at https://admin.uribl.com/ and request removal there (the \
            address is not confirmed here; start at https://uribl.com/ if it moved).",
        default: true,
        ipv6: false,
        refuses_public_resolvers: true,
        dqs: None,
        scan: false,
    },
];

/// What a run queries: a catalogue list or a zone named on the command line.
#[derive(Debug, Clone)]
pub struct Blocklist {
    pub zone: Name,
    pub kind: Kind,
    pub info: Option<&'static ListInfo>,
    /// Where queries go: the zone, or its Spamhaus DQS form.
    query_zone: Name,
    /// The DQS key, kept out of evidence.
    key: Option<String>,
}

impl fmt::Display for Blocklist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.info {
            Some(info) => write!(f, "{} ({})", info.name, self.zone),
            None => write!(f, "{}", self.zone),
        }
    }
}

/// The lists asked on the command line, or the defaults.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub dnsbl: Vec<String>,
    pub dbl: Vec<String>,
    pub none: bool,
    pub spamhaus_key: Option<String>,
}

/// Builds the run's lists; the error is a one-line usage message.
pub fn select(choice: &Choice) -> Result<Vec<Blocklist>, String> {
    let key = match choice.spamhaus_key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) if k.len() <= 63 && k.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            Some(k.to_ascii_lowercase())
        }
        Some(_) => {
            return Err("the Spamhaus DQS key must be letters and digits only \
                 (--spamhaus-key or DELIV_SPAMHAUS_KEY)"
                .into());
        }
    };
    if choice.none {
        return Ok(Vec::new());
    }
    let given = !choice.dnsbl.is_empty() || !choice.dbl.is_empty();
    if !given {
        return CATALOGUE
            .iter()
            .filter(|info| info.default)
            .map(|info| blocklist(info.zone, Some(info), info.kind, key.as_deref()))
            .collect();
    }
    let mut out: Vec<Blocklist> = Vec::new();
    for (zones, domain) in [(&choice.dnsbl, false), (&choice.dbl, true)] {
        for text in zones {
            let flag = if domain { "--dbl" } else { "--dnsbl" };
            let zone = Name::from_user(text)
                .map_err(|e| format!("{flag} '{text}' is not a zone name: {e}"))?;
            if zone.is_subdomain_of(&Name::parse("sorbs.net").map_err(|e| e.to_string())?) {
                return Err(format!(
                    "{flag} {zone}: SORBS closed in June 2024 and its zones hold no data; \
                     deliv does not query them"
                ));
            }
            let info = CATALOGUE.iter().find(|i| i.zone == zone.as_str());
            let kind = match (info.map(|i| i.kind), domain) {
                (Some(Kind::Domain), false) => {
                    return Err(format!("{zone} lists domains: give it with --dbl"));
                }
                (Some(Kind::Ip | Kind::Neighbourhood), true) => {
                    return Err(format!("{zone} lists addresses: give it with --dnsbl"));
                }
                (Some(kind), _) => kind,
                (None, true) => Kind::Domain,
                (None, false) => Kind::Ip,
            };
            if !out.iter().any(|b| b.zone == zone) {
                out.push(blocklist(zone.as_str(), info, kind, key.as_deref())?);
            }
        }
    }
    Ok(out)
}

fn blocklist(
    zone: &str,
    info: Option<&'static ListInfo>,
    kind: Kind,
    key: Option<&str>,
) -> Result<Blocklist, String> {
    let bad = |e: crate::dns::NameError| format!("blocklist zone '{zone}': {e}");
    let zone = Name::parse(zone).map_err(bad)?;
    let (query_zone, key) = match (info.and_then(|i| i.dqs), key) {
        (Some(dqs), Some(key)) => (
            Name::parse(&format!("{key}.{dqs}.dq.spamhaus.net")).map_err(bad)?,
            Some(key.to_string()),
        ),
        _ => (zone.clone(), None),
    };
    Ok(Blocklist {
        zone,
        kind,
        info,
        query_zone,
        key,
    })
}

/// Big public resolvers: lists that refuse them answer with error codes or not at all.
const PUBLIC_RESOLVERS: &[(&str, &str)] = &[
    ("8.8.8.8", "Google Public DNS"),
    ("8.8.4.4", "Google Public DNS"),
    ("2001:4860:4860::8888", "Google Public DNS"),
    ("2001:4860:4860::8844", "Google Public DNS"),
    ("1.1.1.1", "Cloudflare"),
    ("1.0.0.1", "Cloudflare"),
    ("1.1.1.2", "Cloudflare"),
    ("1.0.0.2", "Cloudflare"),
    ("1.1.1.3", "Cloudflare"),
    ("1.0.0.3", "Cloudflare"),
    ("2606:4700:4700::1111", "Cloudflare"),
    ("2606:4700:4700::1001", "Cloudflare"),
    ("9.9.9.9", "Quad9"),
    ("149.112.112.112", "Quad9"),
    ("9.9.9.10", "Quad9"),
    ("9.9.9.11", "Quad9"),
    ("2620:fe::fe", "Quad9"),
    ("2620:fe::9", "Quad9"),
    ("208.67.222.222", "OpenDNS"),
    ("208.67.220.220", "OpenDNS"),
    ("2620:119:35::35", "OpenDNS"),
    ("2620:119:53::53", "OpenDNS"),
];

/// The first configured resolver that is a big public one, with its operator.
pub fn public_resolver(servers: &[IpAddr]) -> Option<(IpAddr, &'static str)> {
    servers.iter().find_map(|server| {
        PUBLIC_RESOLVERS
            .iter()
            .find(|(ip, _)| {
                ip.parse::<IpAddr>()
                    .is_ok_and(|ip| ip == server.to_canonical())
            })
            .map(|(_, operator)| (*server, *operator))
    })
}

/// What a list is asked about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    Ip(IpAddr),
    Domain(Name),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Ip(ip) => write!(f, "{ip}"),
            Subject::Domain(name) => write!(f, "{name}"),
        }
    }
}

/// One listing code and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub answer: Ipv4Addr,
    pub meaning: String,
    pub fix: Option<&'static str>,
}

/// A list's answer, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// NXDOMAIN.
    NotListed,
    Listed(Vec<Listing>),
    /// No answer (timeout, SERVFAIL …), or one that is neither a listing nor a clean result:
    /// why, and what to do.
    Unusable {
        why: String,
        hint: String,
    },
}

/// What to do when a list refuses the resolver.
pub const OWN_RESOLVER: &str = "Query the lists through a resolver of your own that asks the \
    authoritative servers directly (e.g. a local unbound), not a public or shared one; for \
    Spamhaus, a free DQS key (--spamhaus-key) also works.";

impl Blocklist {
    /// Whether the list is asked about this address at all.
    pub fn asks(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() || self.info.is_none_or(|i| i.ipv6)
    }

    pub fn refuses_public_resolvers(&self) -> bool {
        self.key.is_none() && self.info.is_some_and(|i| i.refuses_public_resolvers)
    }

    pub fn may_scan(&self) -> bool {
        self.info.is_none_or(|i| i.scan)
    }

    /// The question for a subject: reversed address or domain, under the query zone.
    pub fn query_name(&self, subject: &Subject) -> Result<Name, crate::dns::NameError> {
        match subject {
            Subject::Ip(ip) => Name::reversed_under(*ip, &self.query_zone),
            Subject::Domain(name) => self.query_zone.prepend(name.as_str()),
        }
    }

    /// `text` (a query name of this list) with a DQS key masked, for reports.
    pub fn mask(&self, text: &str) -> String {
        match &self.key {
            Some(key) => text.replace(key.as_str(), "<key>"),
            None => text.to_string(),
        }
    }

    pub fn delist(&self) -> String {
        match self.info {
            Some(info) => info.delist.to_string(),
            None => format!(
                "Look the entry up on the website of the list operator for {} and follow its \
                 removal process once the cause is fixed.",
                self.zone
            ),
        }
    }

    /// Reads the A answer of a list query.
    pub fn classify(&self, lookup: &Lookup) -> Answer {
        let records = match &lookup.outcome {
            Outcome::Failed(f) => {
                return Answer::Unusable {
                    why: f.to_string(),
                    hint: "Nothing is concluded from a failed lookup. Retry; if it persists, the \
                           list may be down or refuse your resolver (--resolver), or raise \
                           --timeout."
                        .into(),
                };
            }
            Outcome::NxDomain => return Answer::NotListed,
            Outcome::NoData => {
                return Answer::Unusable {
                    why: "the list answered NODATA; a list answers NXDOMAIN for entries it \
                          does not hold (RFC 5782 §2.1)"
                        .into(),
                    hint: format!("Check that {} is the list's query zone.", self.zone),
                };
            }
            Outcome::Records(r) => r,
        };
        let answers: Vec<Ipv4Addr> = records
            .iter()
            .filter_map(|r| match r {
                Rdata::A(a) => Some(*a),
                _ => None,
            })
            .collect();
        if let Some(outside) = answers.iter().find(|a| a.octets()[0] != 127) {
            return Answer::Unusable {
                why: format!(
                    "the answer {outside} is outside 127.0.0.0/8, which no list uses for a \
                     listing: the list's domain may have lapsed or answer everything"
                ),
                hint: format!(
                    "Stop querying {} until its operator confirms it is in service.",
                    self.zone
                ),
            };
        }
        if let Some(error) = answers.iter().find(|a| is_error_code(**a)) {
            let why = match error.octets()[3] {
                252 => {
                    "127.255.255.252: the zone name was not recognised (a typo in the list \
                        name?)"
                }
                254 => {
                    "127.255.255.254: the list refuses queries from public or \
                        unattributable resolvers"
                }
                255 => {
                    "127.255.255.255: the list refuses this resolver for sending too many \
                        queries"
                }
                _ => "an error code in 127.255.255.0/24: the list refused the query",
            };
            return Answer::Unusable {
                why: why.into(),
                hint: OWN_RESOLVER.into(),
            };
        }
        let info = self.info;
        if let Some(refusal) = answers
            .iter()
            .find(|a| info.and_then(|i| i.refusal) == Some(**a))
        {
            return Answer::Unusable {
                why: format!(
                    "{refusal}: the list refused the query (public resolver or too many queries)"
                ),
                hint: OWN_RESOLVER.into(),
            };
        }
        if let Some(wrong) = answers
            .iter()
            .find(|a| info.and_then(|i| i.wrong_kind) == Some(**a))
        {
            return Answer::Unusable {
                why: format!("{wrong}: the list was asked about an address, but it lists domains"),
                hint: format!("Give {} with --dbl, not --dnsbl.", self.zone),
            };
        }
        if answers.is_empty() {
            return Answer::Unusable {
                why: "the answer holds no address".into(),
                hint: format!("Check that {} is the list's query zone.", self.zone),
            };
        }
        Answer::Listed(answers.into_iter().flat_map(|a| self.meanings(a)).collect())
    }

    fn meanings(&self, answer: Ipv4Addr) -> Vec<Listing> {
        let undocumented = || Listing {
            answer,
            meaning: "listed; deliv knows no documented meaning for this code".into(),
            fix: None,
        };
        let Some(info) = self.info else {
            return vec![undocumented()];
        };
        if info.bitmask {
            let last = answer.octets()[3];
            let found: Vec<Listing> = info
                .codes
                .iter()
                .filter(|c| last & c.answer.octets()[3] != 0)
                .map(|c| Listing {
                    answer,
                    meaning: c.meaning.to_string(),
                    fix: c.fix,
                })
                .collect();
            return if found.is_empty() {
                vec![undocumented()]
            } else {
                found
            };
        }
        match info.codes.iter().find(|c| c.answer == answer) {
            Some(c) => vec![Listing {
                answer,
                meaning: c.meaning.to_string(),
                fix: c.fix,
            }],
            None => vec![undocumented()],
        }
    }
}

/// 127.255.255.0/24: errors from every list that uses the range (Spamhaus documents .252,
/// .254 and .255), never listings.
fn is_error_code(a: Ipv4Addr) -> bool {
    let o = a.octets();
    o[0] == 127 && o[1] == 255 && o[2] == 255
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{Failure, RType, Source};

    fn list(zone: &str) -> Blocklist {
        let kind = CATALOGUE
            .iter()
            .find(|i| i.zone == zone)
            .map_or(Kind::Ip, |i| i.kind);
        blocklist(zone, CATALOGUE.iter().find(|i| i.zone == zone), kind, None).unwrap()
    }

    fn answer(zone: &str, outcome: Outcome) -> Answer {
        list(zone).classify(&Lookup {
            name: Name::parse("x.test").unwrap(),
            rtype: RType::A,
            aliases: Vec::new(),
            outcome,
            source: Source::Zone,
        })
    }

    fn a(s: &str) -> Rdata {
        Rdata::A(s.parse().unwrap())
    }

    #[test]
    fn spamhaus_codes_have_meanings() {
        let Answer::Listed(l) = answer(
            "zen.spamhaus.org",
            Outcome::Records(vec![a("127.0.0.2"), a("127.0.0.10")]),
        ) else {
            panic!()
        };
        assert!(l[0].meaning.starts_with("SBL"));
        assert!(l[1].meaning.starts_with("PBL") && l[1].fix.is_some());
    }

    #[test]
    fn error_answers_are_never_listings() {
        for (zone, code) in [
            ("zen.spamhaus.org", "127.255.255.254"),
            ("zen.spamhaus.org", "127.255.255.252"),
            ("bl.test", "127.255.255.7"),
            ("multi.uribl.com", "127.0.0.1"),
            ("multi.surbl.org", "127.0.0.1"),
            ("dbl.spamhaus.org", "127.0.1.255"),
            ("bl.test", "192.0.2.1"),
        ] {
            assert!(
                matches!(
                    answer(zone, Outcome::Records(vec![a(code)])),
                    Answer::Unusable { .. }
                ),
                "{zone} {code}"
            );
        }
        // An error code among listings taints the whole answer.
        assert!(matches!(
            answer(
                "zen.spamhaus.org",
                Outcome::Records(vec![a("127.0.0.2"), a("127.255.255.255")])
            ),
            Answer::Unusable { .. }
        ));
    }

    #[test]
    fn clean_failed_and_undocumented() {
        assert_eq!(answer("bl.test", Outcome::NxDomain), Answer::NotListed);
        assert!(matches!(
            answer("bl.test", Outcome::Failed(Failure::Timeout)),
            Answer::Unusable { why, .. } if why == "timeout"
        ));
        assert!(matches!(
            answer("bl.test", Outcome::NoData),
            Answer::Unusable { .. }
        ));
        let Answer::Listed(l) = answer("bl.spamcop.net", Outcome::Records(vec![a("127.0.0.2")]))
        else {
            panic!()
        };
        assert!(l[0].meaning.contains("no documented meaning"));
    }

    #[test]
    fn surbl_bitmask() {
        let Answer::Listed(l) = answer("multi.surbl.org", Outcome::Records(vec![a("127.0.0.80")]))
        else {
            panic!()
        };
        let meanings: Vec<&str> = l.iter().map(|l| l.meaning.as_str()).collect();
        assert_eq!(meanings, vec!["MW: malware", "ABUSE: spam and abuse"]);
    }

    #[test]
    fn selection() {
        let defaults = select(&Choice::default()).unwrap();
        let zones: Vec<&str> = defaults.iter().map(|b| b.zone.as_str()).collect();
        assert!(zones.contains(&"zen.spamhaus.org") && zones.contains(&"dbl.spamhaus.org"));
        assert!(!zones.contains(&"b.barracudacentral.org"));
        assert!(!zones.iter().any(|z| z.ends_with("sorbs.net")));
        let given = select(&Choice {
            dnsbl: vec!["bl.test".into(), "b.barracudacentral.org".into()],
            dbl: vec!["dom.test".into()],
            ..Choice::default()
        })
        .unwrap();
        let kinds: Vec<(&str, Kind)> = given.iter().map(|b| (b.zone.as_str(), b.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("bl.test", Kind::Ip),
                ("b.barracudacentral.org", Kind::Ip),
                ("dom.test", Kind::Domain)
            ]
        );
        assert!(
            select(&Choice {
                dnsbl: vec!["dnsbl.sorbs.net".into()],
                ..Choice::default()
            })
            .is_err()
        );
        assert!(
            select(&Choice {
                dnsbl: vec!["dbl.spamhaus.org".into()],
                ..Choice::default()
            })
            .is_err()
        );
        assert!(
            select(&Choice {
                none: true,
                ..Choice::default()
            })
            .unwrap()
            .is_empty()
        );
    }

    #[test]
    fn dqs_key_changes_the_zone_and_is_masked() {
        let lists = select(&Choice {
            spamhaus_key: Some("abc123secret".into()),
            ..Choice::default()
        })
        .unwrap();
        let zen = lists
            .iter()
            .find(|b| b.zone.as_str() == "zen.spamhaus.org")
            .unwrap();
        let name = zen
            .query_name(&Subject::Ip("192.0.2.1".parse().unwrap()))
            .unwrap();
        assert_eq!(name.as_str(), "1.2.0.192.abc123secret.zen.dq.spamhaus.net");
        assert!(!zen.refuses_public_resolvers());
        assert_eq!(
            zen.mask(name.as_str()),
            "1.2.0.192.<key>.zen.dq.spamhaus.net"
        );
        assert!(
            select(&Choice {
                spamhaus_key: Some("bad key!".into()),
                ..Choice::default()
            })
            .is_err()
        );
    }

    #[test]
    fn public_resolvers_are_recognised() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            public_resolver(&[ip("127.0.0.1"), ip("8.8.8.8")]),
            Some((ip("8.8.8.8"), "Google Public DNS"))
        );
        assert_eq!(
            public_resolver(&[ip("2606:4700:4700::1111")]).map(|p| p.1),
            Some("Cloudflare")
        );
        assert_eq!(public_resolver(&[ip("127.0.0.53"), ip("192.0.2.53")]), None);
        assert_eq!(public_resolver(&[]), None);
    }
}
