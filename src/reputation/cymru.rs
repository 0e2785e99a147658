//! Team Cymru's IP-to-ASN service over DNS: which network announces an address, and that
//! network's name. Answers are TXT records of `|`-separated fields:
//! `<ip>.origin.asn.cymru.com` → `ASN [ASN…] | prefix | CC | registry | allocated` and
//! `AS<n>.asn.cymru.com` → `ASN | CC | registry | allocated | AS name`.
//! Team Cymru asks heavy users to keep volume down: deliv asks once per address and once
//! per AS in a run (the run's cache sees to both).

use std::net::IpAddr;

use ipnet::IpNet;

use crate::dns::{Name, NameError};

/// The question for an address's origin: `origin.asn.cymru.com` or, for IPv6, `origin6`.
pub fn origin_name(ip: IpAddr) -> Result<Name, NameError> {
    let zone = match ip {
        IpAddr::V4(_) => "origin.asn.cymru.com",
        IpAddr::V6(_) => "origin6.asn.cymru.com",
    };
    Name::reversed_under(ip, &Name::parse(zone)?)
}

/// The question for an AS's name.
pub fn as_name(asn: u32) -> Result<Name, NameError> {
    Name::parse(&format!("AS{asn}.asn.cymru.com"))
}

/// One announced route covering the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Usually one; several when more than one network originates the prefix.
    pub asns: Vec<u32>,
    pub prefix: IpNet,
    pub country: String,
    pub registry: String,
}

/// A network's registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsInfo {
    pub asn: u32,
    pub country: String,
    pub name: String,
}

fn fields(txt: &str, want: usize) -> Result<Vec<&str>, String> {
    let fields: Vec<&str> = txt.split('|').map(str::trim).collect();
    if fields.len() < want {
        return Err(format!(
            "expected {want} '|'-separated fields, found {}: \"{txt}\"",
            fields.len()
        ));
    }
    Ok(fields)
}

fn asn(text: &str, whole: &str) -> Result<u32, String> {
    text.parse()
        .map_err(|_| format!("'{text}' is not an AS number: \"{whole}\""))
}

pub fn parse_route(txt: &str) -> Result<Route, String> {
    let f = fields(txt, 3)?;
    let asns = f[0]
        .split_whitespace()
        .map(|a| asn(a, txt))
        .collect::<Result<Vec<_>, _>>()?;
    if asns.is_empty() {
        return Err(format!("no AS number: \"{txt}\""));
    }
    let prefix = f[1]
        .parse::<IpNet>()
        .map_err(|_| format!("'{}' is not a prefix: \"{txt}\"", f[1]))?;
    Ok(Route {
        asns,
        prefix,
        country: f[2].to_string(),
        registry: f.get(3).map(|s| s.to_string()).unwrap_or_default(),
    })
}

pub fn parse_as(txt: &str) -> Result<AsInfo, String> {
    let f = fields(txt, 5)?;
    Ok(AsInfo {
        asn: asn(f[0], txt)?,
        country: f[1].to_string(),
        // An AS name may itself contain '|'; keep everything after the fourth separator.
        name: f[4..].join(" | "),
    })
}

/// The most specific of the routes: the one traffic to the address follows.
pub fn best(routes: &[Route]) -> Option<&Route> {
    routes.iter().max_by_key(|r| r.prefix.prefix_len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions() {
        assert_eq!(
            origin_name("192.0.2.1".parse().unwrap()).unwrap().as_str(),
            "1.2.0.192.origin.asn.cymru.com"
        );
        assert!(
            origin_name("2001:db8::1".parse().unwrap())
                .unwrap()
                .as_str()
                .ends_with(".8.b.d.0.1.0.0.2.origin6.asn.cymru.com")
        );
        assert_eq!(as_name(64500).unwrap().as_str(), "as64500.asn.cymru.com");
    }

    #[test]
    fn parses_answers() {
        let r = parse_route("13335 | 104.16.0.0/13 | US | arin | 2014-03-28").unwrap();
        assert_eq!(r.asns, vec![13335]);
        assert_eq!(r.prefix.to_string(), "104.16.0.0/13");
        let multi = parse_route("64500 64501 | 2001:db8::/32 | ZZ | ripencc |").unwrap();
        assert_eq!(multi.asns, vec![64500, 64501]);
        let a =
            parse_as("23028 | US | arin | 2002-01-04 | TEAM-CYMRU - Team Cymru Inc., US").unwrap();
        assert_eq!(a.name, "TEAM-CYMRU - Team Cymru Inc., US");
        assert!(parse_route("garbage").is_err());
        assert!(parse_route("AS1 | 192.0.2.0/24 | ZZ").is_err());
        assert!(parse_route("1 | 192.0.2.0/33 | ZZ").is_err());
        assert!(parse_as("1 | ZZ | arin").is_err());
    }

    #[test]
    fn most_specific_route_wins() {
        let routes = vec![
            parse_route("1 | 192.0.0.0/16 | ZZ | x").unwrap(),
            parse_route("2 | 192.0.2.0/24 | ZZ | x").unwrap(),
        ];
        assert_eq!(best(&routes).unwrap().asns, vec![2]);
    }
}
