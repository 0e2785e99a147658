//! Zone files (RFC 1035 §5 master files) given with `--zone`, answered authoritatively.
//!
//! Written by hand rather than with hickory's zone parser because deliv needs three things
//! that parser does not give: the line of an error, the deprecated SPF type (lint must see
//! it), and TXT strings longer than 255 octets kept as written (lint reports them before the
//! record is published, when a DNS server would refuse the file). The data of types deliv does
//! not model is checked with hickory's parsers where it has one.
//!
//! `--zone` checks a change before it is published, so a file a real server refuses is
//! refused here too, with its line, as `named-checkzone` does: CNAME beside other data, two
//! CNAMEs or DNAMEs at a name, a class other than IN, malformed data, an apex NS host in the
//! zone without an address or that is an alias. Deliberate differences: over-long TXT strings
//! are kept for lint; a file without SOA or NS is a fragment (its apex is its `$ORIGIN`); data
//! outside the apex, raw control characters and bytes that are not UTF-8 are refused where
//! BIND ignores or keeps them; `$INCLUDE` and `$GENERATE` are not supported.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use hickory_resolver::proto::rr::{RData as HickoryRdata, RecordType as HickoryType};

use super::{Name, RType, Rdata};
use crate::input::{self, InputError};

/// The largest zone file read. A zone for one organisation's mail is kilobytes, an export of a
/// large hosting zone a few megabytes; 16 MiB holds over 500,000 short records (about 400 MB
/// once parsed). Anything larger is not a change being checked before publishing.
pub const MAX_ZONE_BYTES: u64 = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{}:{line}: {message}", path.display())]
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

/// One record as read from the file.
struct Parsed {
    line: usize,
    owner: Name,
    rtype: TypeCode,
    data: Data,
}

/// A record's data: modelled, or for other types only what the zone checks need.
enum Data {
    Modelled(Rdata),
    /// DNAME: a singleton, and other data beside a CNAME.
    Dname(Name),
    Other,
}

impl Zone {
    /// Reads and parses a zone file, at most [`MAX_ZONE_BYTES`] of text.
    pub fn from_file(path: &Path) -> Result<Zone, ZoneError> {
        let text = input::read_text(path, MAX_ZONE_BYTES)?;
        Zone::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Zone, ZoneError> {
        let syntax = |line: usize, message: String| ZoneError::Syntax {
            path: path.to_path_buf(),
            line,
            message,
        };
        input::check_text(text)
            .map_err(|e| syntax(e.line, format!("{e}; write such bytes as \\DDD escapes")))?;
        let mut origin: Option<Name> = None;
        let mut last_owner: Option<Name> = None;
        let mut soa_owner: Option<(Name, usize)> = None;
        let mut parsed: Vec<Parsed> = Vec::new();

        let mut entries = Entries::new(text);
        while let Some(entry) = entries
            .next_entry()
            .map_err(|(line, msg)| syntax(line, msg))?
        {
            let line = entry.line;
            let mut tokens = entry.tokens.iter().peekable();
            let Some(first) = tokens.peek() else { continue };
            if !first.quoted && first.text.starts_with(b"$") {
                let directive = String::from_utf8_lossy(&first.text).to_ascii_uppercase();
                tokens.next();
                let arg = tokens.next();
                match (directive.as_str(), arg) {
                    ("$ORIGIN", Some(arg)) => {
                        origin =
                            Some(absolute_name(arg, origin.as_ref()).map_err(|m| syntax(line, m))?);
                    }
                    ("$TTL", Some(arg)) => {
                        let arg = arg.as_str();
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
                let Some(t) = tokens.next() else { continue };
                let owner = if t.as_str() == "@" {
                    origin
                        .clone()
                        .ok_or_else(|| syntax(line, "'@' used before any $ORIGIN".into()))?
                } else {
                    absolute_name(t, origin.as_ref()).map_err(|m| syntax(line, m))?
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
                if parse_ttl(&s).is_some() {
                    continue;
                }
                match s.to_ascii_uppercase().as_str() {
                    "IN" | "CLASS1" => continue,
                    "CH" | "HS" | "CS" | "NONE" | "ANY" => {
                        return Err(syntax(
                            line,
                            format!(
                                "class {s}: the zone is class IN, as every zone serving mail is"
                            ),
                        ));
                    }
                    _ => break s,
                }
            };
            let rest: Vec<&Token> = tokens.collect();
            let (rtype, data) =
                parse_rdata(&rtype_text, &rest, origin.as_ref()).map_err(|m| syntax(line, m))?;
            if rtype == TypeCode::of(RType::Soa) {
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
            parsed.push(Parsed {
                line,
                owner,
                rtype,
                data,
            });
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
        let mut rrsets = RrSets::default();
        let mut apex_ns: Vec<(Name, usize)> = Vec::new();
        for record in parsed {
            if !record.owner.is_subdomain_of(&apex) {
                return Err(syntax(
                    record.line,
                    format!("{} is outside the zone {apex}", record.owner),
                ));
            }
            rrsets.add(&record).map_err(|m| syntax(record.line, m))?;
            zone.mark_exists(&record.owner);
            if let Data::Modelled(Rdata::Ns(host)) = &record.data
                && record.owner == apex
            {
                apex_ns.push((host.clone(), record.line));
            }
            if let Data::Modelled(rdata) = record.data
                && let Some(rtype) = record.rtype.modelled()
            {
                let set = zone.records.entry((record.owner, rtype)).or_default();
                // A server keeps one copy of a record given twice.
                if !set.contains(&rdata) {
                    set.push(rdata);
                }
            }
        }
        zone.check_apex_ns(&apex_ns)
            .map_err(|(line, m)| syntax(line, m))?;
        Ok(zone)
    }

    /// A server refuses a zone whose apex NS host lies in the zone without an address, or is
    /// an alias (RFC 2181 §10.3): resolvers could not reach the zone through it.
    fn check_apex_ns(&self, apex_ns: &[(Name, usize)]) -> Result<(), (usize, String)> {
        for (host, line) in apex_ns {
            if !host.is_subdomain_of(&self.apex) {
                continue;
            }
            let has = |rtype| self.records.contains_key(&(host.clone(), rtype));
            if has(RType::Cname) {
                return Err((
                    *line,
                    format!("the NS host {host} is a CNAME; name the host it points to"),
                ));
            }
            if !has(RType::A) && !has(RType::Aaaa) {
                return Err((
                    *line,
                    format!("the NS host {host} is in this zone but has no A or AAAA record"),
                ));
            }
        }
        Ok(())
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

fn absolute_name(token: &Token, origin: Option<&Name>) -> Result<Name, String> {
    let text = token.as_str();
    if token.escaped_dot {
        return Err(format!(
            "'{text}' has a '.' inside a label (\\.), which deliv cannot represent; rename it"
        ));
    }
    let bad = |e| format!("bad name '{text}': {e}");
    if text.ends_with('.') {
        return Name::parse(&text).map_err(bad);
    }
    match origin {
        Some(origin) => origin.prepend(&text).map_err(bad),
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
            number = Some(
                number
                    .unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(u64::from(d)),
            );
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
        if total.max(number.unwrap_or(0)) > u64::from(u32::MAX) {
            return None;
        }
    }
    u32::try_from(total + number.unwrap_or(0)).ok()
}

/// A record type by its number: the types deliv models and the ones a zone may hold beside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct TypeCode(u16);

/// Types deliv does not model but that a real zone may hold: their names exist (so other
/// types there are NODATA, not NXDOMAIN); their data is checked where hickory has a parser.
const OTHER_TYPES: &[(&str, u16)] = &[
    ("HINFO", 13),
    ("RP", 17),
    ("AFSDB", 18),
    ("SIG", 24),
    ("KEY", 25),
    ("LOC", 29),
    ("SRV", 33),
    ("NAPTR", 35),
    ("KX", 36),
    ("CERT", 37),
    ("DNAME", 39),
    ("APL", 42),
    ("DS", 43),
    ("SSHFP", 44),
    ("IPSECKEY", 45),
    ("RRSIG", 46),
    ("NSEC", 47),
    ("DNSKEY", 48),
    ("DHCID", 49),
    ("NSEC3", 50),
    ("NSEC3PARAM", 51),
    ("TLSA", 52),
    ("SMIMEA", 53),
    ("HIP", 55),
    ("CDS", 59),
    ("CDNSKEY", 60),
    ("OPENPGPKEY", 61),
    ("CSYNC", 62),
    ("ZONEMD", 63),
    ("SVCB", 64),
    ("HTTPS", 65),
    ("URI", 256),
    ("CAA", 257),
];

/// Types whose data hickory parses as BIND does (checked against `named-checkzone`). Its CERT
/// parser refuses mnemonics BIND accepts, and it has none for DNSSEC types and DNAME.
const HICKORY_CHECKED: &[&str] = &[
    "HINFO",
    "SRV",
    "NAPTR",
    "SSHFP",
    "TLSA",
    "SMIMEA",
    "OPENPGPKEY",
    "CSYNC",
    "SVCB",
    "HTTPS",
    "CAA",
];

const DNAME: TypeCode = TypeCode(39);

impl TypeCode {
    const fn of(rtype: RType) -> TypeCode {
        TypeCode(rtype.code())
    }

    fn parse(text: &str) -> Option<TypeCode> {
        if let Ok(rtype) = text.parse::<RType>() {
            return Some(TypeCode::of(rtype));
        }
        let upper = text.to_ascii_uppercase();
        OTHER_TYPES
            .iter()
            .find(|(name, _)| *name == upper)
            .map(|&(_, code)| TypeCode(code))
            .or_else(|| {
                let code = upper.strip_prefix("TYPE")?;
                // `TYPE` then digits only: `TYPE+1` would parse as a number too.
                code.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| code.parse().ok().map(TypeCode))
                    .flatten()
            })
    }

    fn modelled(self) -> Option<RType> {
        RType::ALL.into_iter().find(|t| t.code() == self.0)
    }

    fn mnemonic(self) -> Option<&'static str> {
        self.modelled().map(RType::as_str).or_else(|| {
            OTHER_TYPES
                .iter()
                .find(|(_, code)| *code == self.0)
                .map(|(name, _)| *name)
        })
    }

    /// RRSIG, NSEC and KEY may sit beside a CNAME (RFC 2181 §10.1, RFC 4035 §2.5); BIND
    /// allows exactly these.
    fn allowed_beside_cname(self) -> bool {
        matches!(self.0, 25 | 46 | 47)
    }
}

impl std::fmt::Display for TypeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.mnemonic() {
            Some(name) => f.write_str(name),
            None => write!(f, "TYPE{}", self.0),
        }
    }
}

/// What the checks across records need: the types at each name with the line each first
/// appears on, and the CNAME and DNAME targets.
#[derive(Default)]
struct RrSets {
    types: HashMap<Name, Vec<(TypeCode, usize)>>,
    targets: HashMap<(Name, TypeCode), Name>,
}

impl RrSets {
    /// Adds a record, refusing what a server refuses to load: a CNAME beside other data
    /// (RFC 2181 §10.1) and two different CNAME or DNAME records at one name (RFC 6672 §2.4).
    fn add(&mut self, record: &Parsed) -> Result<(), String> {
        let owner = &record.owner;
        let rtype = record.rtype;
        let types = self.types.entry(owner.clone()).or_default();
        let first_line = |wanted: TypeCode| {
            types
                .iter()
                .find(|(t, _)| *t == wanted)
                .map(|&(_, line)| line)
        };
        let target = match &record.data {
            Data::Modelled(Rdata::Cname(target)) | Data::Dname(target) => Some(target),
            _ => None,
        };
        if let Some(target) = target
            && let Some(first) = first_line(rtype)
        {
            let key = (owner.clone(), rtype);
            if self.targets.get(&key) == Some(target) {
                return Ok(());
            }
            return Err(format!(
                "{owner} has a second {rtype} record (the first is on line {first}); a name holds at most one"
            ));
        }
        let cname = TypeCode::of(RType::Cname);
        let conflict = if rtype == cname {
            types
                .iter()
                .find(|(t, _)| !t.allowed_beside_cname())
                .map(|&(t, line)| (t, line))
        } else if !rtype.allowed_beside_cname() {
            first_line(cname).map(|line| (rtype, line))
        } else {
            None
        };
        if let Some((other, line)) = conflict {
            let earlier = if rtype == cname { other } else { cname };
            return Err(format!(
                "{owner} has a CNAME and {other} data ({earlier} on line {line}); a name with a CNAME holds nothing else (RFC 2181 §10.1)"
            ));
        }
        if first_line(rtype).is_none() {
            types.push((rtype, record.line));
        }
        if let Some(target) = target {
            self.targets.insert((owner.clone(), rtype), target.clone());
        }
        Ok(())
    }
}

fn parse_rdata(
    rtype_text: &str,
    rest: &[&Token],
    origin: Option<&Name>,
) -> Result<(TypeCode, Data), String> {
    let Some(code) = TypeCode::parse(rtype_text) else {
        return Err(format!("unknown record type '{rtype_text}'"));
    };
    let generic = rest.first().is_some_and(|t| t.generic);
    let Some(rtype) = code.modelled() else {
        if generic {
            check_generic(code, &rest[1..])?;
            if code == DNAME {
                return Err("write the DNAME target as a name, not in the \\# form".into());
            }
            return Ok((code, Data::Other));
        }
        let Some(name) = code.mnemonic() else {
            return Err(format!(
                "{code} is a type without a name: write its data in the \\# form (RFC 3597)"
            ));
        };
        if rest.is_empty() {
            return Err(format!("{code} record has no data"));
        }
        if code == DNAME {
            let target = match rest {
                [one] => name_token(one, origin)?,
                _ => return Err("DNAME record takes one target name".into()),
            };
            return Ok((code, Data::Dname(target)));
        }
        if HICKORY_CHECKED.contains(&name) {
            let text: Vec<String> = rest.iter().map(|t| t.presentation()).collect();
            HickoryRdata::try_from_str(HickoryType::from(code.0), &text.join(" "))
                .map_err(|e| format!("bad {code} data: {e}"))?;
        }
        return Ok((code, Data::Other));
    };
    if generic {
        return Err(format!(
            "write the {rtype} data in its usual form; deliv does not read the \\# form for it"
        ));
    }
    let field = |i: usize, what: &str| -> Result<String, String> {
        rest.get(i)
            .map(|t| t.as_str())
            .ok_or_else(|| format!("{rtype} record is missing its {what}"))
    };
    let name_field = |i: usize, what: &str| -> Result<Name, String> {
        let token = rest
            .get(i)
            .ok_or_else(|| format!("{rtype} record is missing its {what}"))?;
        name_token(token, origin)
    };
    let expect_len = |n: usize| -> Result<(), String> {
        match rest.get(n) {
            Some(extra) => Err(format!(
                "{rtype} record has unexpected data '{}'",
                extra.as_str()
            )),
            None => Ok(()),
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
    Ok((code, Data::Modelled(rdata)))
}

/// A name in record data: `@`, absolute, or relative to `$ORIGIN`.
fn name_token(token: &Token, origin: Option<&Name>) -> Result<Name, String> {
    if token.as_str() == "@" && !token.quoted {
        return origin
            .cloned()
            .ok_or_else(|| "'@' used before any $ORIGIN".to_string());
    }
    absolute_name(token, origin)
}

/// RFC 3597 §5: `\# length hex…`, the hex giving exactly `length` octets.
fn check_generic(code: TypeCode, rest: &[&Token]) -> Result<(), String> {
    let bad = |why: &str| format!("bad \\# data for {code}: {why}");
    let (length, hex) = rest.split_first().ok_or_else(|| bad("no length"))?;
    let length: usize = length
        .as_str()
        .parse()
        .ok()
        .filter(|n| *n <= 65535)
        .ok_or_else(|| bad("the length is a number from 0 to 65535"))?;
    let digits: usize = hex.iter().map(|t| t.text.len()).sum();
    if hex
        .iter()
        .any(|t| t.quoted || !t.text.iter().all(u8::is_ascii_hexdigit))
    {
        return Err(bad("the data is hexadecimal digits"));
    }
    if digits != length * 2 {
        return Err(bad(&format!(
            "{} hex digits give {} octets, the length says {length}",
            digits,
            digits / 2
        )));
    }
    Ok(())
}

#[derive(Debug)]
struct Token {
    text: Vec<u8>,
    quoted: bool,
    /// `\.` inside a name: a dot that belongs to a label.
    escaped_dot: bool,
    /// `\#`, which starts data in the generic form (RFC 3597 §5).
    generic: bool,
}

impl Token {
    fn as_str(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }

    /// The token as a master file writes it, for hickory's parsers: quoted when it was, with
    /// anything special escaped.
    fn presentation(&self) -> String {
        let mut out = String::new();
        if self.quoted {
            out.push('"');
        }
        for &b in &self.text {
            match b {
                b'"' | b'\\' => {
                    out.push('\\');
                    out.push(char::from(b));
                }
                b' ' | b';' | b'(' | b')' if !self.quoted => {
                    out.push('\\');
                    out.push(char::from(b));
                }
                0x21..=0x7e | b' ' => out.push(char::from(b)),
                _ => out.push_str(&format!("\\{b:03}")),
            }
        }
        if self.quoted {
            out.push('"');
        }
        out
    }
}

/// One logical entry: a line, or several joined by parentheses.
struct Entry {
    line: usize,
    starts_blank: bool,
    tokens: Vec<Token>,
}

/// Splits master-file text into entries, one at a time so a large file is not held twice:
/// comments, quoting, `\X` and `\DDD` escapes and parentheses as RFC 1035 §5.1 describes
/// them. Errors carry the line they occur on.
struct Entries<'a> {
    bytes: &'a [u8],
    i: usize,
    line: usize,
}

impl<'a> Entries<'a> {
    fn new(text: &'a str) -> Self {
        Entries {
            bytes: text.as_bytes(),
            i: 0,
            line: 1,
        }
    }

    fn next_entry(&mut self) -> Result<Option<Entry>, (usize, String)> {
        let bytes = self.bytes;
        let mut open_paren = None::<usize>;
        let mut current: Option<Entry> = None;
        while let Some(&b) = bytes.get(self.i) {
            match b {
                b'\n' => {
                    self.line += 1;
                    self.i += 1;
                    if open_paren.is_none()
                        && let Some(entry) = current.take().filter(|e| !e.tokens.is_empty())
                    {
                        return Ok(Some(entry));
                    }
                }
                b';' => {
                    while bytes.get(self.i).is_some_and(|&c| c != b'\n') {
                        self.i += 1;
                    }
                }
                b' ' | b'\t' | b'\r' => {
                    let at_line_start = self.i == 0 || bytes.get(self.i - 1) == Some(&b'\n');
                    if at_line_start && current.is_none() {
                        current = Some(Entry {
                            line: self.line,
                            starts_blank: true,
                            tokens: Vec::new(),
                        });
                    }
                    self.i += 1;
                }
                b'(' => {
                    if open_paren.is_some() {
                        return Err((self.line, "nested '(' is not allowed".into()));
                    }
                    open_paren = Some(self.line);
                    self.i += 1;
                }
                b')' => {
                    if open_paren.take().is_none() {
                        return Err((self.line, "')' without a matching '('".into()));
                    }
                    self.i += 1;
                }
                _ => {
                    let entry = current.get_or_insert_with(|| Entry {
                        line: self.line,
                        starts_blank: false,
                        tokens: Vec::new(),
                    });
                    let (token, next) = read_token(bytes, self.i, self.line)?;
                    self.line += bytes[self.i..next].iter().filter(|&&c| c == b'\n').count();
                    entry.tokens.push(token);
                    self.i = next;
                }
            }
        }
        if let Some(open) = open_paren {
            return Err((open, "'(' is never closed".into()));
        }
        Ok(current.filter(|e| !e.tokens.is_empty()))
    }
}

fn read_token(bytes: &[u8], start: usize, line: usize) -> Result<(Token, usize), (usize, String)> {
    let quoted = bytes.get(start) == Some(&b'"');
    let mut i = if quoted { start + 1 } else { start };
    let mut token = Token {
        text: Vec::new(),
        quoted,
        escaped_dot: false,
        generic: !quoted && bytes.get(start..start + 2) == Some(&b"\\#"[..]),
    };
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
                let octet = if let Some(d) = digits {
                    let value: u32 = d.iter().fold(0, |acc, &c| acc * 10 + u32::from(c - b'0'));
                    i += 4;
                    u8::try_from(value)
                        .map_err(|_| (line, format!("escape \\{value} is above 255")))?
                } else if let Some(&next) = bytes.get(i + 1) {
                    i += 2;
                    next
                } else {
                    return Err((line, "backslash at end of file".into()));
                };
                token.escaped_dot |= octet == b'.';
                token.text.push(octet);
            }
            _ => {
                token.text.push(b);
                i += 1;
            }
        }
    }
    // `\#` alone is the generic marker; `\#` followed by more is just an escaped '#'.
    token.generic &= token.text == b"#";
    Ok((token, i))
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
            // What a server refuses to load (RFC 2181 §10.1, RFC 6672 §2.4).
            (
                "$ORIGIN example.com.\nwww CNAME a\n\nwww TXT \"x\"\n",
                4,
                "has a CNAME and TXT data (CNAME on line 2)",
            ),
            (
                "$ORIGIN example.com.\nwww MX 10 a\nwww CNAME a\n",
                3,
                "has a CNAME and MX data (MX on line 2)",
            ),
            (
                "$ORIGIN example.com.\nwww CNAME a\nWWW CNAME b\n",
                3,
                "second CNAME record (the first is on line 2)",
            ),
            (
                "$ORIGIN example.com.\nd DNAME a.example.\nd DNAME b.example.\n",
                3,
                "second DNAME",
            ),
            ("$ORIGIN example.com.\nwww CH TXT \"x\"\n", 2, "class CH"),
            (
                "$ORIGIN example.com.\n@ NS ns\n",
                2,
                "NS host ns.example.com is in this zone but has no A or AAAA",
            ),
            (
                "$ORIGIN example.com.\n@ NS ns\nns CNAME x.example.net.\n",
                2,
                "NS host ns.example.com is a CNAME",
            ),
            (
                "$ORIGIN example.com.\n@ CAA 300 issue \"ca\"\n",
                2,
                "bad CAA data",
            ),
            (
                "$ORIGIN example.com.\n_s._tcp SRV 1 1 sip\n",
                2,
                "bad SRV data",
            ),
            ("$ORIGIN example.com.\nx TYPE65000 1\n", 2, "\\# form"),
            (
                "$ORIGIN example.com.\nx TYPE65000 \\# 2 ab\n",
                2,
                "2 hex digits give 1 octets",
            ),
            (
                "$ORIGIN example.com.\nx A \\# 4 c0000201\n",
                2,
                "usual form",
            ),
            ("$ORIGIN example.com.\nx DS\n", 2, "DS record has no data"),
            (
                "$ORIGIN example.com.\na\\.b A 192.0.2.1\n",
                2,
                "'.' inside a label",
            ),
            (
                "$ORIGIN example.com.\n\nx TXT \"a\u{1b}]52;c;x\u{7}\"\n",
                3,
                "control character \\x1b at column 9",
            ),
            (
                "$ORIGIN example.com.\nwww 99999999999999999999999 A 192.0.2.1\n",
                2,
                "unknown record type",
            ),
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
    fn what_servers_allow_is_kept() {
        let z = parse(
            "$ORIGIN example.com.\n\
             @ NS ns\n\
             ns A 192.0.2.1\n\
             www CNAME ns\n\
             www CNAME ns\n\
             www RRSIG A 8 3 300 20300101000000 20200101000000 1234 example.com. aGVsbG8=\n\
             www NSEC zz A\n\
             @ TXT \"v=spf1 -all\"\n\
             @ TXT \"v=spf1 -all\"\n\
             @ CAA 0 issue \"ca.example.net; account=1\"\n\
             _sip._tcp SRV 0 0 0 .\n\
             x TYPE65000 \\# 0\n\
             y HTTPS \\# 3 000100\n\
             z 1h IN A 192.0.2.2\n",
        )
        .unwrap();
        // A record given twice is served once, as a server does.
        assert_eq!(
            z.answer(&name("example.com"), RType::Txt),
            ZoneAnswer::Records(vec![Rdata::Txt(vec![b"v=spf1 -all".to_vec()])])
        );
        assert_eq!(
            z.answer(&name("www.example.com"), RType::A),
            ZoneAnswer::Alias(name("ns.example.com"))
        );
        assert_eq!(
            z.answer(&name("x.example.com"), RType::A),
            ZoneAnswer::NoData
        );
    }

    #[test]
    fn files_are_read_bounded() {
        let zero = Zone::from_file(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(
            zero.to_string(),
            "/dev/zero:1: a NUL byte at column 1: this is not a text file"
        );
        assert!(matches!(
            Zone::from_file(Path::new("/nonexistent.zone")),
            Err(ZoneError::Input(InputError::Read { .. }))
        ));
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
