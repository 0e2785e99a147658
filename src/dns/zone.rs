//! Zone files (RFC 1035 §5 master files) given with `--zone`, answered authoritatively.
//!
//! Written by hand rather than with hickory's zone parser because deliv needs three things
//! that parser does not give: the line of an error, the deprecated SPF type (lint must see
//! it), and TXT strings longer than 255 octets kept as written (lint reports them before the
//! record is published, when a DNS server would refuse the file).

use std::collections::{BTreeMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use super::{Name, RType, Rdata};

#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    #[error("cannot read zone file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// One zone: its apex and everything at or below it.
#[derive(Debug, Clone)]
pub struct Zone {
    pub apex: Name,
    pub source: PathBuf,
    records: BTreeMap<(Name, RType), Vec<Rdata>>,
    /// Every name that exists, including empty non-terminals (RFC 8020: NODATA, not NXDOMAIN).
    names: HashSet<Name>,
}

/// What the zone says about a name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneAnswer {
    Records(Vec<Rdata>),
    /// The name is an alias; the caller follows it (possibly out of this zone).
    Alias(Name),
    NoData,
    NxDomain,
}

impl Zone {
    pub fn from_file(path: &Path) -> Result<Zone, ZoneError> {
        let text = std::fs::read_to_string(path).map_err(|source| ZoneError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Zone::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Zone, ZoneError> {
        let syntax = |line: usize, message: String| ZoneError::Syntax {
            path: path.to_path_buf(),
            line,
            message,
        };
        let mut origin: Option<Name> = None;
        let mut last_owner: Option<Name> = None;
        let mut soa_owner: Option<(Name, usize)> = None;
        let mut parsed: Vec<(usize, Name, Option<Rdata>, Option<RType>)> = Vec::new();

        for entry in tokenize(text).map_err(|(line, msg)| syntax(line, msg))? {
            let line = entry.line;
            let mut tokens = entry.tokens.iter().peekable();
            let Some(first) = tokens.peek() else { continue };
            if !first.quoted && first.text.starts_with(b"$") {
                let directive = String::from_utf8_lossy(&first.text).to_ascii_uppercase();
                tokens.next();
                let arg = tokens.next().map(|t| t.as_str());
                match (directive.as_str(), arg) {
                    ("$ORIGIN", Some(arg)) => {
                        origin = Some(
                            absolute_name(&arg, origin.as_ref()).map_err(|m| syntax(line, m))?,
                        );
                    }
                    ("$TTL", Some(arg)) => {
                        parse_ttl(&arg).ok_or_else(|| syntax(line, format!("bad TTL '{arg}'")))?;
                    }
                    ("$INCLUDE", _) => {
                        return Err(syntax(
                            line,
                            "$INCLUDE is not supported; pass each file with its own --zone".into(),
                        ));
                    }
                    (d, _) => {
                        return Err(syntax(line, format!("unknown or incomplete directive {d}")));
                    }
                }
                continue;
            }

            let owner = if entry.starts_blank {
                last_owner
                    .clone()
                    .ok_or_else(|| syntax(line, "record without an owner name".into()))?
            } else {
                let t = tokens.next().map(|t| t.as_str()).unwrap_or_default();
                let owner = if t == "@" {
                    origin
                        .clone()
                        .ok_or_else(|| syntax(line, "'@' used before any $ORIGIN".into()))?
                } else {
                    absolute_name(&t, origin.as_ref()).map_err(|m| syntax(line, m))?
                };
                last_owner = Some(owner.clone());
                owner
            };

            // [TTL] [class] type, with TTL and class in either order (RFC 1035 §5.1).
            let rtype_text = loop {
                let Some(t) = tokens.next() else {
                    return Err(syntax(line, "record has no type".into()));
                };
                let s = t.as_str();
                if parse_ttl(&s).is_some()
                    || ["IN", "CH", "HS", "CS"].contains(&s.to_ascii_uppercase().as_str())
                {
                    continue;
                }
                break s;
            };
            let rest: Vec<&Token> = tokens.collect();
            let (rtype, rdata) =
                parse_rdata(&rtype_text, &rest, origin.as_ref()).map_err(|m| syntax(line, m))?;
            if rtype == Some(RType::Soa) {
                if let Some((_, first)) = &soa_owner {
                    return Err(syntax(
                        line,
                        format!(
                            "second SOA record (the first is on line {first}); put one zone in each file"
                        ),
                    ));
                }
                soa_owner = Some((owner.clone(), line));
            }
            parsed.push((line, owner, rdata, rtype));
        }

        let apex = match (soa_owner, origin) {
            (Some((owner, _)), _) => owner,
            (None, Some(origin)) => origin,
            (None, None) => {
                return Err(syntax(
                    text.lines().count().max(1),
                    "cannot tell the zone's apex: add an SOA record or a $ORIGIN line".into(),
                ));
            }
        };

        let mut zone = Zone {
            apex: apex.clone(),
            source: path.to_path_buf(),
            records: BTreeMap::new(),
            names: HashSet::new(),
        };
        for (line, owner, rdata, rtype) in parsed {
            if !owner.is_subdomain_of(&apex) {
                return Err(syntax(line, format!("{owner} is outside the zone {apex}")));
            }
            zone.mark_exists(&owner);
            if let (Some(rdata), Some(rtype)) = (rdata, rtype) {
                zone.records.entry((owner, rtype)).or_default().push(rdata);
            }
        }
        Ok(zone)
    }

    /// A zone built in code: used by tests to serve data that is not a file.
    pub fn from_records(
        apex: Name,
        records: impl IntoIterator<Item = (Name, RType, Rdata)>,
    ) -> Zone {
        let mut zone = Zone {
            apex,
            source: PathBuf::from("<memory>"),
            records: BTreeMap::new(),
            names: HashSet::new(),
        };
        let apex = zone.apex.clone();
        zone.mark_exists(&apex);
        for (name, rtype, rdata) in records {
            zone.mark_exists(&name);
            zone.records.entry((name, rtype)).or_default().push(rdata);
        }
        zone
    }

    fn mark_exists(&mut self, name: &Name) {
        let mut current = Some(name.clone());
        while let Some(n) = current {
            if !n.is_subdomain_of(&self.apex) || !self.names.insert(n.clone()) {
                break;
            }
            current = n.parent();
        }
    }

    pub fn contains(&self, name: &Name) -> bool {
        name.is_subdomain_of(&self.apex)
    }

    /// Answers as an authoritative server would, wildcards included (RFC 4592).
    pub fn answer(&self, name: &Name, rtype: RType) -> ZoneAnswer {
        let owner = if self.names.contains(name) {
            name.clone()
        } else {
            // The closest encloser's wildcard child, if any, answers in the name's stead.
            let mut encloser = name.parent();
            while let Some(e) = &encloser {
                if self.names.contains(e) {
                    break;
                }
                encloser = e.parent();
            }
            match encloser.and_then(|e| e.prepend("*").ok()) {
                Some(wild) if self.names.contains(&wild) => wild,
                _ => return ZoneAnswer::NxDomain,
            }
        };
        if rtype != RType::Cname
            && let Some(target) = self
                .records
                .get(&(owner.clone(), RType::Cname))
                .and_then(|r| r.first())
            && let Rdata::Cname(target) = target
        {
            return ZoneAnswer::Alias(target.clone());
        }
        match self.records.get(&(owner, rtype)) {
            Some(records) if !records.is_empty() => ZoneAnswer::Records(records.clone()),
            _ => ZoneAnswer::NoData,
        }
    }
}

fn absolute_name(text: &str, origin: Option<&Name>) -> Result<Name, String> {
    let bad = |e| format!("bad name '{text}': {e}");
    if text.ends_with('.') {
        return Name::parse(text).map_err(bad);
    }
    match origin {
        Some(origin) => origin.prepend(text).map_err(bad),
        None => Err(format!(
            "relative name '{text}' before any $ORIGIN; end it with a dot or add $ORIGIN"
        )),
    }
}

/// A TTL in seconds or BIND's unit form (`1h30m`).
fn parse_ttl(s: &str) -> Option<u32> {
    if s.is_empty() || !s.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let (mut total, mut number) = (0u64, None::<u64>);
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(number.unwrap_or(0) * 10 + u64::from(d));
        } else {
            let unit = match c.to_ascii_lowercase() {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                'w' => 604800,
                _ => return None,
            };
            total += number.take()? * unit;
        }
        if total > u64::from(u32::MAX) {
            return None;
        }
    }
    u32::try_from(total + number.unwrap_or(0)).ok()
}

/// Types deliv does not model but that a real zone may hold: their names exist (so other
/// types there are NODATA, not NXDOMAIN) and their data is not needed.
const OTHER_TYPES: &[&str] = &[
    "HINFO",
    "RP",
    "AFSDB",
    "SIG",
    "KEY",
    "LOC",
    "SRV",
    "NAPTR",
    "KX",
    "CERT",
    "DNAME",
    "APL",
    "DS",
    "SSHFP",
    "IPSECKEY",
    "RRSIG",
    "NSEC",
    "DNSKEY",
    "DHCID",
    "NSEC3",
    "NSEC3PARAM",
    "TLSA",
    "SMIMEA",
    "HIP",
    "CDS",
    "CDNSKEY",
    "OPENPGPKEY",
    "CSYNC",
    "ZONEMD",
    "SVCB",
    "HTTPS",
    "URI",
    "CAA",
];

fn parse_rdata(
    rtype_text: &str,
    rest: &[&Token],
    origin: Option<&Name>,
) -> Result<(Option<RType>, Option<Rdata>), String> {
    let Ok(rtype) = rtype_text.parse::<RType>() else {
        let upper = rtype_text.to_ascii_uppercase();
        let generic = upper
            .strip_prefix("TYPE")
            .is_some_and(|n| n.parse::<u16>().is_ok());
        if OTHER_TYPES.contains(&upper.as_str()) || generic {
            return Ok((None, None));
        }
        return Err(format!("unknown record type '{rtype_text}'"));
    };
    let field = |i: usize, what: &str| -> Result<String, String> {
        rest.get(i)
            .map(|t| t.as_str())
            .ok_or_else(|| format!("{rtype} record is missing its {what}"))
    };
    let name_field = |i: usize, what: &str| -> Result<Name, String> {
        let text = field(i, what)?;
        if text == "@" {
            return origin
                .cloned()
                .ok_or_else(|| "'@' used before any $ORIGIN".to_string());
        }
        absolute_name(&text, origin)
    };
    let expect_len = |n: usize| -> Result<(), String> {
        if rest.len() > n {
            Err(format!(
                "{rtype} record has unexpected data '{}'",
                rest[n].as_str()
            ))
        } else {
            Ok(())
        }
    };
    let rdata = match rtype {
        RType::A => {
            let text = field(0, "address")?;
            expect_len(1)?;
            Rdata::A(
                text.parse::<Ipv4Addr>()
                    .map_err(|_| format!("'{text}' is not an IPv4 address"))?,
            )
        }
        RType::Aaaa => {
            let text = field(0, "address")?;
            expect_len(1)?;
            Rdata::Aaaa(
                text.parse::<Ipv6Addr>()
                    .map_err(|_| format!("'{text}' is not an IPv6 address"))?,
            )
        }
        RType::Mx => {
            let pref = field(0, "preference")?;
            let preference = pref
                .parse::<u16>()
                .map_err(|_| format!("MX preference '{pref}' is not a number from 0 to 65535"))?;
            let exchange = name_field(1, "exchange host")?;
            expect_len(2)?;
            Rdata::Mx {
                preference,
                exchange,
            }
        }
        RType::Cname | RType::Ns | RType::Ptr => {
            let target = name_field(0, "target name")?;
            expect_len(1)?;
            match rtype {
                RType::Cname => Rdata::Cname(target),
                RType::Ns => Rdata::Ns(target),
                _ => Rdata::Ptr(target),
            }
        }
        RType::Soa => {
            let mname = name_field(0, "primary server")?;
            let rname = name_field(1, "mailbox")?;
            let serial_text = field(2, "serial")?;
            let serial = serial_text
                .parse::<u32>()
                .map_err(|_| format!("SOA serial '{serial_text}' is not a number"))?;
            for (i, what) in [(3, "refresh"), (4, "retry"), (5, "expire"), (6, "minimum")] {
                let t = field(i, what)?;
                parse_ttl(&t).ok_or_else(|| format!("SOA {what} '{t}' is not a time"))?;
            }
            expect_len(7)?;
            Rdata::Soa {
                mname,
                rname,
                serial,
            }
        }
        RType::Txt | RType::Spf => {
            if rest.is_empty() {
                return Err(format!("{rtype} record has no strings"));
            }
            Rdata::Txt(rest.iter().map(|t| t.text.clone()).collect())
        }
    };
    Ok((Some(rtype), Some(rdata)))
}

#[derive(Debug)]
struct Token {
    text: Vec<u8>,
    quoted: bool,
}

impl Token {
    fn as_str(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }
}

/// One logical entry: a line, or several joined by parentheses.
struct Entry {
    line: usize,
    starts_blank: bool,
    tokens: Vec<Token>,
}

/// Splits master-file text into entries: comments, quoting, `\X` and `\DDD` escapes and
/// parentheses as RFC 1035 §5.1 describes them. Errors carry the line they occur on.
fn tokenize(text: &str) -> Result<Vec<Entry>, (usize, String)> {
    let bytes = text.as_bytes();
    let mut entries = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let mut depth_open_line = None::<usize>;
    let mut current: Option<Entry> = None;

    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                line += 1;
                i += 1;
                if depth_open_line.is_none() {
                    entries.extend(current.take().filter(|e| !e.tokens.is_empty()));
                }
            }
            b';' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b' ' | b'\t' | b'\r' => {
                let at_line_start = i == 0 || bytes[i - 1] == b'\n';
                if at_line_start && current.is_none() {
                    current = Some(Entry {
                        line,
                        starts_blank: true,
                        tokens: Vec::new(),
                    });
                }
                i += 1;
            }
            b'(' => {
                if depth_open_line.is_some() {
                    return Err((line, "nested '(' is not allowed".into()));
                }
                depth_open_line = Some(line);
                i += 1;
            }
            b')' => {
                if depth_open_line.take().is_none() {
                    return Err((line, "')' without a matching '('".into()));
                }
                i += 1;
            }
            _ => {
                let entry = current.get_or_insert_with(|| Entry {
                    line,
                    starts_blank: false,
                    tokens: Vec::new(),
                });
                let (token, next) = read_token(bytes, i, line)?;
                line += bytes[i..next].iter().filter(|&&c| c == b'\n').count();
                entry.tokens.push(token);
                i = next;
            }
        }
    }
    if let Some(open) = depth_open_line {
        return Err((open, "'(' is never closed".into()));
    }
    entries.extend(current.filter(|e| !e.tokens.is_empty()));
    Ok(entries)
}

fn read_token(bytes: &[u8], start: usize, line: usize) -> Result<(Token, usize), (usize, String)> {
    let quoted = bytes[start] == b'"';
    let mut i = if quoted { start + 1 } else { start };
    let mut text = Vec::new();
    loop {
        let Some(&b) = bytes.get(i) else {
            if quoted {
                return Err((line, "quoted string is never closed".into()));
            }
            break;
        };
        match b {
            b'"' if quoted => {
                i += 1;
                break;
            }
            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"' if !quoted => break,
            b'\\' => {
                let digits = bytes
                    .get(i + 1..i + 4)
                    .filter(|d| d.iter().all(u8::is_ascii_digit));
                if let Some(d) = digits {
                    let value: u32 = d.iter().fold(0, |acc, &c| acc * 10 + u32::from(c - b'0'));
                    let octet = u8::try_from(value)
                        .map_err(|_| (line, format!("escape \\{value} is above 255")))?;
                    text.push(octet);
                    i += 4;
                } else if let Some(&next) = bytes.get(i + 1) {
                    text.push(next);
                    i += 2;
                } else {
                    return Err((line, "backslash at end of file".into()));
                }
            }
            _ => {
                text.push(b);
                i += 1;
            }
        }
    }
    Ok((Token { text, quoted }, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    fn parse(text: &str) -> Result<Zone, ZoneError> {
        Zone::parse(text, Path::new("test.zone"))
    }

    const ZONE: &str = r#"
$ORIGIN example.com.
$TTL 3600
@   IN SOA ns1 hostmaster (
        2024010101 ; serial
        3600 900 604800 300 )
    IN  MX  10 mx1
    IN  MX  20 mx2.example.net.
    TXT "v=spf1 ip4:192.0.2.0/24 " "-all"
mx1 300 IN A 192.0.2.10
mx1 AAAA 2001:db8::10
a.b.c  TXT "deep"
alias CNAME mx1
*.wild TXT "wildcard"
old SPF "v=spf1 -all"
caa CAA 0 issue "letsencrypt.org"
esc TXT "semi\;colon \"q\" \065"
"#;

    #[test]
    fn parses_a_zone() {
        let z = parse(ZONE).unwrap();
        assert_eq!(z.apex, name("example.com"));
        assert_eq!(
            z.answer(&name("example.com"), RType::Mx),
            ZoneAnswer::Records(vec![
                Rdata::Mx {
                    preference: 10,
                    exchange: name("mx1.example.com")
                },
                Rdata::Mx {
                    preference: 20,
                    exchange: name("mx2.example.net")
                },
            ])
        );
        assert_eq!(
            z.answer(&name("example.com"), RType::Txt),
            ZoneAnswer::Records(vec![Rdata::Txt(vec![
                b"v=spf1 ip4:192.0.2.0/24 ".to_vec(),
                b"-all".to_vec()
            ])])
        );
        assert_eq!(
            z.answer(&name("esc.example.com"), RType::Txt),
            ZoneAnswer::Records(vec![Rdata::Txt(vec![b"semi;colon \"q\" A".to_vec()])])
        );
        assert_eq!(
            z.answer(&name("old.example.com"), RType::Spf),
            ZoneAnswer::Records(vec![Rdata::Txt(vec![b"v=spf1 -all".to_vec()])])
        );
    }

    #[test]
    fn negative_answers_and_aliases() {
        let z = parse(ZONE).unwrap();
        assert_eq!(
            z.answer(&name("mx1.example.com"), RType::Txt),
            ZoneAnswer::NoData
        );
        assert_eq!(
            z.answer(&name("nope.example.com"), RType::A),
            ZoneAnswer::NxDomain
        );
        // Empty non-terminals exist (RFC 8020).
        assert_eq!(
            z.answer(&name("b.c.example.com"), RType::Txt),
            ZoneAnswer::NoData
        );
        // A type deliv does not model still makes its name exist.
        assert_eq!(
            z.answer(&name("caa.example.com"), RType::A),
            ZoneAnswer::NoData
        );
        assert_eq!(
            z.answer(&name("alias.example.com"), RType::A),
            ZoneAnswer::Alias(name("mx1.example.com"))
        );
        assert_eq!(
            z.answer(&name("x.wild.example.com"), RType::Txt),
            ZoneAnswer::Records(vec![Rdata::Txt(vec![b"wildcard".to_vec()])])
        );
        assert!(z.contains(&name("anything.example.com")));
        assert!(!z.contains(&name("example.net")));
    }

    #[test]
    fn keeps_overlong_txt_strings_for_lint() {
        let long = "a".repeat(300);
        let z = parse(&format!("$ORIGIN example.org.\n@ TXT \"{long}\"\n")).unwrap();
        assert_eq!(
            z.answer(&name("example.org"), RType::Txt),
            ZoneAnswer::Records(vec![Rdata::Txt(vec![long.into_bytes()])])
        );
    }

    #[test]
    fn errors_carry_line_numbers() {
        let cases = [
            (
                "$ORIGIN example.com.\n@ A 192.0.2.1\nwww A 999.0.0.1\n",
                3,
                "not an IPv4 address",
            ),
            (
                "$ORIGIN example.com.\n\n@ MXX 10 mx\n",
                3,
                "unknown record type 'MXX'",
            ),
            ("$ORIGIN example.com.\n@ TXT \"open\n", 2, "never closed"),
            (
                "$ORIGIN example.com.\n@ SOA ns h (\n 1 2 3 4\n",
                2,
                "'(' is never closed",
            ),
            ("www A 192.0.2.1\n", 1, "before any $ORIGIN"),
            (
                "$ORIGIN example.com.\nother.example.net. A 192.0.2.1\n",
                2,
                "outside the zone",
            ),
            (
                &format!("$ORIGIN example.com.\n{}.x A 192.0.2.1\n", "a".repeat(64)),
                2,
                "at most 63",
            ),
            ("$ORIGIN example.com.\n@ MX 70000 mx\n", 2, "preference"),
            ("$ORIGIN example.com.\n$INCLUDE other.zone\n", 2, "$INCLUDE"),
        ];
        for (text, line, message) in cases {
            match parse(text) {
                Err(ZoneError::Syntax {
                    line: l,
                    message: m,
                    ..
                }) => {
                    assert_eq!(l, line, "{text:?} -> {m}");
                    assert!(
                        m.contains(message),
                        "{text:?}: {m} should mention {message}"
                    );
                }
                other => panic!("{text:?} should fail, got {other:?}"),
            }
        }
    }

    #[test]
    fn apex_comes_from_soa() {
        let z = parse("example.com. 3600 IN SOA ns.example.com. h.example.com. 1 2 3 4 5\nwww.example.com. A 192.0.2.1\n").unwrap();
        assert_eq!(z.apex, name("example.com"));
        assert!(matches!(
            parse("a.example.com. A 192.0.2.1\n"),
            Err(ZoneError::Syntax { .. })
        ));
    }

    #[test]
    fn ttl_forms() {
        assert_eq!(parse_ttl("3600"), Some(3600));
        assert_eq!(parse_ttl("1h30m"), Some(5400));
        assert_eq!(parse_ttl("1w"), Some(604800));
        assert_eq!(parse_ttl("IN"), None);
        assert_eq!(parse_ttl("1x"), None);
    }
}
