//! The DMARC record as typed values (RFC 7489 §6.3 and §6.4; `np`, `psd` and `t` from DMARCbis).
//!
//! mail-auth's DMARC parser serves verifiers: it stops at the first bad tag without saying
//! which, ignores `pct`, `ri` and `rf`, and lets a repeated tag win silently. Lint needs every
//! problem with its text and column, so this parser is written by hand over [`TagList`].
//!
//! A problem does not lose the record; what receivers make of it is kept with it:
//! - an invalid `pct`, `adkim`, `rua`… is listed in [`Record::errors`] and its default used;
//! - an invalid or missing `p`, or an invalid `sp` or `np`, changes the whole policy
//!   (RFC 7489 §6.6.3 step 6, and DMARCbis for `np`): receivers act as `p=none` when `rua`
//!   holds a valid URI and apply no DMARC otherwise ([`Reading::Invalid`]);
//! - a repeated tag makes the record ambiguous: verifiers keep the first occurrence, the last
//!   (mail-auth), or reject the tag list (RFC 6376 §3.2, whose syntax DMARC reuses)
//!   ([`Reading::Ambiguous`]);
//! - what this parser accepts but some receivers discard the record for (a leading space,
//!   `V=DMARC1`, an upper-case tag name) is listed in [`Record::lenient`].
//!
//! [`Record::fixes`] says what corrects each problem, [`Record::corrected`] gives the whole
//! corrected text, and [`Record::with_tag`] and [`Record::without_tag`] the text for one
//! change; [`merge`] makes one record of several.

use std::collections::HashSet;
use std::fmt;

use crate::dns::Name;
use crate::taglist::{self, Repeated, Syntax, Tag, TagError, TagList};

/// `p`, `sp` and `np` values, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Policy {
    None,
    Quarantine,
    Reject,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::None => "none",
            Policy::Quarantine => "quarantine",
            Policy::Reject => "reject",
        }
    }

    // ABNF literals are case-insensitive (RFC 5234 §2.3), so `Reject` is valid.
    fn parse(value: &str) -> Option<Policy> {
        [Policy::None, Policy::Quarantine, Policy::Reject]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(value))
    }

    /// The one policy a mistyped value evidently means: `rejected`, `quar`, `quarantene`.
    fn closest(value: &str) -> Option<Policy> {
        let value = value.to_ascii_lowercase();
        // Past this length a value is no typo of a policy (and the distance stays cheap).
        if value.len() > 16 {
            return None;
        }
        let near = |p: &Policy| {
            let p = p.as_str();
            value.starts_with(p)
                || (value.len() >= 3 && p.starts_with(value.as_str()))
                || (value.len() >= 4 && edit_distance(&value, p) <= 2)
        };
        let mut found = [Policy::None, Policy::Quarantine, Policy::Reject]
            .into_iter()
            .filter(near);
        match (found.next(), found.next()) {
            (Some(p), None) => Some(p),
            _ => None,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `adkim` / `aspf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Relaxed,
    Strict,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Relaxed => "relaxed",
            Mode::Strict => "strict",
        }
    }
}

/// A `rua`/`ruf` destination: a `mailto:` URI with an optional size limit (`!10m`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportUri {
    /// As written.
    pub uri: String,
    /// The domain of the mailbox, which may have to authorize the reports (RFC 7489 §7.1).
    pub domain: Name,
    /// 1-based column of the URI in the record.
    pub column: usize,
}

/// The policies a record asks for, read one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policies {
    pub p: Policy,
    pub sp: Option<Policy>,
    pub np: Option<Policy>,
}

impl Policies {
    /// For existing subdomains: `sp`, else `p`.
    pub fn subdomain(&self) -> Policy {
        self.sp.unwrap_or(self.p)
    }

    /// For subdomains that do not exist: `np`, else `sp`, else `p` (DMARCbis).
    pub fn nonexistent(&self) -> Policy {
        self.np.or(self.sp).unwrap_or(self.p)
    }
}

/// Why the policy tags cannot be applied as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyFault {
    /// No `p=` tag.
    NoPolicy,
    /// `p`, `sp` or `np` with a value that is not a policy.
    Invalid(TagError),
}

/// What RFC 7489 §6.6.3 step 6 leaves of a record whose `p` is missing or invalid, or whose
/// `sp` (DMARCbis: or `np`) is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// `rua` holds at least one valid URI: receivers act as if the record said `p=none`
    /// (RFC 7489: SHOULD; DMARCbis: MUST).
    AsNone,
    /// No valid `rua`: receivers apply no DMARC to the mail.
    NoDmarc,
}

/// What receivers make of the record's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// Every receiver applies these.
    Clear(Policies),
    /// `p` missing or invalid, or `sp`/`np` invalid: receivers that follow the RFC fall back
    /// ([`Fallback`]); parsers that skip a bad tag apply `lenient` (when `p` is valid); some
    /// (mail-auth) discard the record.
    Invalid {
        faults: Vec<PolicyFault>,
        fallback: Fallback,
        lenient: Option<Policies>,
    },
    /// Tags given more than once: receivers keeping the first occurrence apply `first`, those
    /// keeping the last apply `last` (`None`: that reading has no valid policy and falls back),
    /// and those rejecting the tag list (RFC 6376 §3.2) see no record.
    Ambiguous {
        repeated: Vec<Repeated>,
        first: Option<Policies>,
        last: Option<Policies>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The record as published (TXT strings joined).
    pub text: String,
    /// `p`, `sp`, `np` when first given with a valid value. A verdict on the policy reads
    /// [`Record::reading`]: these alone do not show invalid or repeated tags.
    pub p: Option<Policy>,
    pub sp: Option<Policy>,
    pub np: Option<Policy>,
    /// Why `p`, `sp` or `np` cannot be applied as written (a missing `p`, invalid values).
    pub policy_faults: Vec<PolicyFault>,
    pub pct: u8,
    /// `t=y` (DMARCbis): testing, receivers apply one step less than the policy.
    pub testing: bool,
    pub adkim: Mode,
    pub aspf: Mode,
    /// The valid destinations; the invalid ones are in `errors`.
    pub rua: Vec<ReportUri>,
    pub ruf: Vec<ReportUri>,
    /// Tags DMARC does not define; receivers ignore them.
    pub unknown: Vec<Tag>,
    /// Every syntax problem, by column; each names its tag ([`TagError::tag`]).
    pub errors: Vec<TagError>,
    /// Tags given more than once, each with every occurrence (the fields above read the first).
    pub repeated: Vec<Repeated>,
    /// What this parser accepts but some receivers discard the record (or ignore the tag) for.
    pub lenient: Vec<TagError>,
}

/// Why a TXT record at `_dmarc` is not a DMARC record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Nothing to do with DMARC (a verification token, say); receivers skip it.
    Unrelated,
    /// Meant as DMARC, but receivers discard it.
    Malformed(Malformed),
}

/// A record meant as DMARC that receivers discard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// What is wrong and where.
    pub error: TagError,
    /// The text starts with `v=DMARC1`: receivers that test only that prefix count it as a
    /// DMARC record, so beside a valid one they see two and apply none (RFC 7489 §6.6.3).
    pub counted: bool,
    /// The record as it was evidently meant, when the fix is mechanical.
    pub corrected: Option<String>,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.reason)
    }
}

/// Tags DMARC defines (RFC 7489 §6.3; `np`, `psd`, `t` from DMARCbis).
const KNOWN: &[&str] = &[
    "v", "p", "sp", "np", "pct", "adkim", "aspf", "fo", "rf", "ri", "rua", "ruf", "psd", "t",
];

impl Record {
    /// Reads a TXT record found at `_dmarc`.
    pub fn read(text: &str) -> Result<Record, Rejection> {
        let list = TagList::parse_as(text, Syntax::Dmarc);
        let mut lenient = check_version(text, &list)?;
        let mut record = Record {
            text: text.to_string(),
            p: None,
            sp: None,
            np: None,
            policy_faults: Vec::new(),
            pct: 100,
            testing: false,
            adkim: Mode::Relaxed,
            aspf: Mode::Relaxed,
            rua: Vec::new(),
            ruf: Vec::new(),
            unknown: Vec::new(),
            errors: list.errors.clone(),
            repeated: list.repeated(),
            lenient: Vec::new(),
        };
        // Repeats are reported by the tag list; the fields read the first occurrence.
        let mut seen: HashSet<String> = HashSet::from(["v".to_string()]);
        for tag in &list.tags {
            let name = tag.name.to_ascii_lowercase();
            if KNOWN.contains(&name.as_str()) && name != tag.name {
                lenient.push(TagError::at(
                    tag,
                    format!(
                        "tag names are lower case ({name}=); receivers that compare them exactly ignore this tag"
                    ),
                ));
            }
            if !seen.insert(name) {
                continue;
            }
            if let Err(error) = record.apply(tag) {
                record.errors.push(error);
            }
        }
        record.policy_faults = read_policies(&list, Pick::First).err().unwrap_or_default();
        record.errors.sort_by_key(|e| e.column);
        lenient.sort_by_key(|e| e.column);
        record.lenient = lenient;
        Ok(record)
    }

    fn apply(&mut self, tag: &Tag) -> Result<(), TagError> {
        let name = tag.name.to_ascii_lowercase();
        if let Some(field) = match name.as_str() {
            "p" => Some(&mut self.p),
            "sp" => Some(&mut self.sp),
            "np" => Some(&mut self.np),
            _ => None,
        } {
            *field = Some(policy(tag)?);
            return Ok(());
        }
        if let Some(column) = tag.missing_separator {
            return Err(TagError::at(
                tag,
                format!("tags must be separated by ';': add one before column {column}"),
            ));
        }
        let value = tag.value.as_str();
        let invalid = |reason: &str| TagError::at(tag, reason);
        match name.as_str() {
            "pct" => {
                self.pct = value
                    .parse::<u8>()
                    .ok()
                    .filter(|n| *n <= 100 && value.len() <= 3)
                    .ok_or_else(|| invalid("pct is a whole number from 0 to 100"))?;
            }
            "adkim" => self.adkim = mode(value).map_err(|r| invalid(&r))?,
            "aspf" => self.aspf = mode(value).map_err(|r| invalid(&r))?,
            "t" => self.testing = flag(value, &["y", "n"]).map_err(|r| invalid(&r))? == "y",
            "psd" => {
                flag(value, &["y", "n", "u"]).map_err(|r| invalid(&r))?;
            }
            "fo" => {
                for option in value.split(':') {
                    flag(option.trim(), &["0", "1", "d", "s"]).map_err(|_| {
                        invalid(&format!(
                            "fo takes 0, 1, d or s, separated by ':' (not '{option}')"
                        ))
                    })?;
                }
            }
            "rf" => {
                for format in value.split(':') {
                    if !format.trim().eq_ignore_ascii_case("afrf") {
                        return Err(invalid(&format!(
                            "the only failure-report format is afrf (not '{}')",
                            format.trim()
                        )));
                    }
                }
            }
            "ri" => {
                value
                    .parse::<u32>()
                    .map_err(|_| invalid("ri is a number of seconds, e.g. ri=86400"))?;
            }
            "rua" | "ruf" => {
                let (uris, mut errors) = report_uris(tag);
                if name == "rua" {
                    self.rua = uris;
                } else {
                    self.ruf = uris;
                }
                // All but the first go straight to the list; the first is this tag's error.
                let first = errors.drain(..).reduce(|first, next| {
                    self.errors.push(next);
                    first
                });
                return first.map_or(Ok(()), Err);
            }
            _ => self.unknown.push(tag.clone()),
        }
        Ok(())
    }

    /// What receivers make of the policy tags.
    pub fn reading(&self) -> Reading {
        if !self.repeated.is_empty() {
            let list = TagList::parse_as(&self.text, Syntax::Dmarc);
            return Reading::Ambiguous {
                repeated: self.repeated.clone(),
                first: read_policies(&list, Pick::First).ok(),
                last: read_policies(&list, Pick::Last).ok(),
            };
        }
        let written = self.p.map(|p| Policies {
            p,
            sp: self.sp,
            np: self.np,
        });
        match written {
            Some(policies) if self.policy_faults.is_empty() => Reading::Clear(policies),
            _ => Reading::Invalid {
                faults: self.policy_faults.clone(),
                fallback: self.fallback(),
                lenient: written,
            },
        }
    }

    /// The policy for subdomains as written: `sp`, else `p`.
    pub fn subdomain_policy(&self) -> Option<Policy> {
        self.sp.or(self.p)
    }

    /// What RFC 7489 §6.6.3 step 6 leaves when the policy cannot be applied.
    pub fn fallback(&self) -> Fallback {
        if self.rua.is_empty() {
            Fallback::NoDmarc
        } else {
            Fallback::AsNone
        }
    }

    /// The record with `name=value` in place of every occurrence of the tag (at the first
    /// one's place; `p` goes right after `v` when it was missing, other tags at the end), the
    /// other tags kept in order as written, separated by `; `, with any missing `;` put back.
    /// `value` is used as given: it must not hold `;`.
    pub fn with_tag(&self, name: &str, value: &str) -> String {
        self.fixed(&[Fix::Set {
            name: name.to_string(),
            value: value.to_string(),
        }])
    }

    /// The record without any occurrence of the tag, the rest as [`Record::with_tag`] keeps it.
    pub fn without_tag(&self, name: &str) -> String {
        self.fixed(&[Fix::Remove {
            name: name.to_string(),
        }])
    }

    /// The record with `fixes` applied, the rest as [`Record::with_tag`] keeps it (so a
    /// leading space and missing `;` go even without a fix). Where several fixes name one tag,
    /// the first decides.
    pub fn fixed(&self, fixes: &[Fix]) -> String {
        let mut out = Vec::new();
        let mut done = vec![false; fixes.len()];
        for piece in fixed_pieces(&self.text) {
            let name = piece_name(&piece);
            let Some(i) = fixes.iter().position(|f| f.applies_to(&piece, name)) else {
                out.push(piece);
                continue;
            };
            if let Fix::Set { name, value } = &fixes[i]
                && !done[i]
            {
                out.push(format!("{name}={value}"));
            }
            done[i] = true;
        }
        for (k, (fix, done)) in fixes.iter().zip(done).enumerate() {
            let decided = fixes[..k].iter().any(|f| f.names(fix));
            if let (Fix::Set { name, value }, false, false) = (fix, done, decided) {
                let at = if name.eq_ignore_ascii_case("p") {
                    out.len().min(1)
                } else {
                    out.len()
                };
                out.insert(at, format!("{name}={value}"));
            }
        }
        out.join("; ")
    }

    /// What corrects every problem of the record: invalid values (to the evidently meant
    /// value where there is one: `p=rejected` → `p=reject`, `adkim=relaxed` → `adkim=r`,
    /// `rua=mailto: d@example.com` → `rua=mailto:d@example.com`; otherwise the tag goes and
    /// receivers keep using its default), repeated tags (one value when they agree, the report
    /// addresses of all, else a choice), tag names in capitals, pieces that are no tag. Where
    /// the record cannot say which value was meant (a repeated `p` with two values, a `p` that
    /// is no policy), `choose` writes the value from the options: a placeholder, for a person
    /// to pick. Missing `;` and a leading space need no fix: [`Record::fixed`] puts them right.
    pub fn fixes(&self, choose: impl Fn(&[String]) -> String) -> Vec<Fix> {
        let list = TagList::parse_as(&self.fixed(&[]), Syntax::Dmarc);
        let mut fixes: Vec<Fix> = list
            .errors
            .iter()
            .filter(|e| e.tag.is_none())
            .map(|e| Fix::Drop {
                text: e.text.clone(),
            })
            .collect();
        let mut names: Vec<String> = Vec::new();
        for tag in &list.tags {
            let key = tag.name.to_ascii_lowercase();
            if !names.contains(&key) {
                names.push(key);
            }
        }
        for key in names {
            let tags: Vec<&Tag> = list.all(&key).collect();
            let Some(first) = tags.first() else { continue };
            if !KNOWN.contains(&key.as_str()) {
                // Receivers ignore unknown tags; a repeat keeps its first value.
                if tags.len() > 1 {
                    fixes.push(Fix::Set {
                        name: first.name.clone(),
                        value: first.value.clone(),
                    });
                }
                continue;
            }
            let corrections: Vec<Correction> =
                tags.iter().map(|t| correct(&key, &t.value)).collect();
            let mut values: Vec<String> = Vec::new();
            let mut options: Vec<String> = Vec::new();
            for c in corrections {
                match c {
                    Correction::Value(v) => values.push(v),
                    Correction::Options(o) => options.extend(o),
                    Correction::Gone => {}
                }
            }
            if (key == "rua" || key == "ruf") && tags.len() > 1 {
                // Every address given was meant to receive reports.
                let mut uris: Vec<String> = Vec::new();
                for uri in values.iter().flat_map(|v| v.split(',')).map(str::trim) {
                    if !uris.iter().any(|u| u.eq_ignore_ascii_case(uri)) {
                        uris.push(uri.to_string());
                    }
                }
                values = if uris.is_empty() {
                    Vec::new()
                } else {
                    vec![uris.join(",")]
                };
            }
            let mut distinct: Vec<String> = Vec::new();
            for v in values {
                if !distinct.iter().any(|d| d.eq_ignore_ascii_case(&v)) {
                    distinct.push(v);
                }
            }
            if matches!(key.as_str(), "p" | "sp" | "np") {
                distinct.sort_by_key(|v| std::cmp::Reverse(Policy::parse(v)));
            }
            let value = match distinct.as_slice() {
                [] if options.is_empty() => {
                    fixes.push(Fix::Remove { name: key });
                    continue;
                }
                [] => choose(&options),
                [one] => one.clone(),
                several => choose(several),
            };
            if tags.len() > 1 || first.name != key || first.value != value {
                fixes.push(Fix::Set { name: key, value });
            }
        }
        fixes
    }

    /// The record with every fix of [`Record::fixes`] applied.
    pub fn corrected(&self, choose: impl Fn(&[String]) -> String) -> String {
        self.fixed(&self.fixes(choose))
    }
}

/// One correction of a record; see [`Record::fixes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Write `name=value` once, in place of every occurrence of the tag (names compare
    /// case-insensitively); where the tag is missing, `p` goes right after `v`, others last.
    Set { name: String, value: String },
    /// Drop every occurrence of the tag: receivers then use its default, as they do now.
    Remove { name: String },
    /// Drop a piece that is no tag at all (`fo` alone), as written.
    Drop { text: String },
}

impl Fix {
    /// Whether both fixes are about the same tag.
    fn names(&self, other: &Fix) -> bool {
        match (self, other) {
            (
                Fix::Set { name: a, .. } | Fix::Remove { name: a },
                Fix::Set { name: b, .. } | Fix::Remove { name: b },
            ) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
    }

    fn applies_to(&self, piece: &str, name: Option<&str>) -> bool {
        match self {
            Fix::Set { name: n, .. } | Fix::Remove { name: n } => {
                name.is_some_and(|name| name.eq_ignore_ascii_case(n))
            }
            Fix::Drop { text } => piece == text,
        }
    }
}

impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fix::Set { name, value } => write!(f, "{name}={value}"),
            Fix::Remove { name } => write!(f, "without {name}="),
            Fix::Drop { text } => write!(f, "without '{text}'"),
        }
    }
}

/// Several records as one, for when a name holds more than one: `v=DMARC1`, then the tags of
/// each in order. Where they disagree the result repeats a tag, which [`Record::fixes`] turns
/// into a choice.
pub fn merge(records: &[&Record]) -> Option<Record> {
    let mut pieces = vec!["v=DMARC1".to_string()];
    for record in records {
        pieces.extend(
            fixed_pieces(&record.text)
                .into_iter()
                .filter(|p| !piece_name(p).is_some_and(|n| n.eq_ignore_ascii_case("v"))),
        );
    }
    Record::read(&pieces.join("; ")).ok()
}

/// What one tag's value should be.
enum Correction {
    /// Valid as written, or evidently meant this way.
    Value(String),
    /// Invalid, and one of these was meant.
    Options(Vec<String>),
    /// Invalid with no evident meaning: drop the tag, receivers use the default.
    Gone,
}

/// The value a DMARC tag evidently meant to have.
fn correct(name: &str, value: &str) -> Correction {
    let lower = value.to_ascii_lowercase();
    let word = |pairs: &[(&[&str], &str)]| {
        pairs
            .iter()
            .find(|(words, _)| words.contains(&lower.as_str()))
            .map_or(Correction::Gone, |(_, v)| Correction::Value(v.to_string()))
    };
    let valid = |ok: bool| {
        if ok {
            Correction::Value(value.to_string())
        } else {
            Correction::Gone
        }
    };
    match name {
        "v" => Correction::Value("DMARC1".into()),
        "p" | "sp" | "np" => match (Policy::parse(value), Policy::closest(value)) {
            (Some(_), _) => Correction::Value(value.to_string()),
            (None, Some(p)) => Correction::Value(p.as_str().into()),
            // Without a policy the record applies none; which one was meant is the owner's call.
            (None, None) if name == "p" => Correction::Options(
                [Policy::Reject, Policy::Quarantine, Policy::None]
                    .map(|p| p.as_str().to_string())
                    .into(),
            ),
            (None, None) => Correction::Gone,
        },
        "pct" => valid(value.len() <= 3 && value.parse::<u8>().is_ok_and(|n| n <= 100)),
        "adkim" | "aspf" => match flag(value, &["r", "s"]) {
            Ok(_) => Correction::Value(value.to_string()),
            Err(_) => word(&[(&["relaxed", "relax"], "r"), (&["strict"], "s")]),
        },
        "t" => match flag(value, &["y", "n"]) {
            Ok(_) => Correction::Value(value.to_string()),
            Err(_) => word(&[(&["yes", "true", "1"], "y"), (&["no", "false", "0"], "n")]),
        },
        "psd" => match flag(value, &["y", "n", "u"]) {
            Ok(_) => Correction::Value(value.to_string()),
            Err(_) => word(&[(&["yes", "true"], "y"), (&["no", "false"], "n")]),
        },
        "fo" => {
            let options: Vec<&str> = value.split(':').map(str::trim).collect();
            let kept: Vec<&str> = options
                .iter()
                .copied()
                .filter(|o| flag(o, &["0", "1", "d", "s"]).is_ok())
                .collect();
            match kept.len() {
                0 => Correction::Gone,
                n if n == options.len() => Correction::Value(value.to_string()),
                _ => Correction::Value(kept.join(":")),
            }
        }
        "rf" => valid(
            value
                .split(':')
                .all(|f| f.trim().eq_ignore_ascii_case("afrf")),
        ),
        "ri" => match value.parse::<u32>() {
            Ok(_) => Correction::Value(value.to_string()),
            Err(_) => word(&[(&["daily", "day"], "86400"), (&["hourly", "hour"], "3600")]),
        },
        "rua" | "ruf" => {
            let parts: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .collect();
            if !parts.is_empty() && parts.iter().all(|u| report_uri(u).is_ok()) {
                return Correction::Value(value.to_string());
            }
            let kept: Vec<String> = parts
                .iter()
                .filter_map(|u| match report_uri(u) {
                    Ok(_) => Some(u.to_string()),
                    Err(_) => corrected_uri(u),
                })
                .collect();
            if kept.is_empty() {
                Correction::Gone
            } else {
                Correction::Value(kept.join(","))
            }
        }
        _ => Correction::Value(value.to_string()),
    }
}

/// A report URI put right when the mistake is mechanical: spaces inside it, `mailto:`
/// left out.
fn corrected_uri(uri: &str) -> Option<String> {
    let joined: String = uri.split_whitespace().collect();
    let has_scheme = joined
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"));
    let candidate = if has_scheme || !joined.contains('@') || joined.contains(':') {
        joined
    } else {
        format!("mailto:{joined}")
    };
    report_uri(&candidate).is_ok().then_some(candidate)
}

#[derive(Clone, Copy)]
enum Pick {
    First,
    Last,
}

/// The policy tags read keeping the first or the last occurrence of each: the policies, or
/// every reason they cannot be applied as written.
fn read_policies(list: &TagList, pick: Pick) -> Result<Policies, Vec<PolicyFault>> {
    let mut faults = Vec::new();
    let mut read = |name: &str| {
        let mut tags = list.all(name);
        let tag = match pick {
            Pick::First => tags.next(),
            Pick::Last => tags.last(),
        }?;
        policy(tag)
            .map_err(|e| faults.push(PolicyFault::Invalid(e)))
            .ok()
    };
    let (p, sp, np) = (read("p"), read("sp"), read("np"));
    if list.get("p").is_none() {
        faults.insert(0, PolicyFault::NoPolicy);
    }
    match p {
        Some(p) if faults.is_empty() => Ok(Policies { p, sp, np }),
        _ => Err(faults),
    }
}

/// The record's pieces with any missing `;` put back: `v=DMARC1 p=reject` gives two.
fn fixed_pieces(text: &str) -> Vec<String> {
    taglist::pieces(text)
        .iter()
        .flat_map(|piece| split_piece(piece.text))
        .collect()
}

/// A piece split where a `;` is missing.
fn split_piece(piece: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for at in taglist::missing_separators(piece) {
        out.push(piece[start..at].trim().to_string());
        start = at;
    }
    out.push(piece[start..].trim().to_string());
    out
}

fn piece_name(piece: &str) -> Option<&str> {
    piece.split_once('=').map(|(name, _)| name.trim())
}

/// RFC 7489 §6.6.3: only records starting with `v=DMARC1` count; the value is case-sensitive.
/// Returns what is accepted but fragile: a leading space (the record does not start with
/// `v=`), `V=DMARC1`.
fn check_version(text: &str, list: &TagList) -> Result<Vec<TagError>, Rejection> {
    let first_piece = taglist::pieces(text).first().map(|p| p.column);
    let v = list.get("v");
    let v_first = v.is_some_and(|v| Some(v.column) == first_piece && list.tags.first() == Some(v));
    let malformed = |tag: &Tag, reason: String, corrected: Option<String>| {
        Rejection::Malformed(Malformed {
            error: TagError::at(tag, reason),
            counted: counted(text),
            corrected,
        })
    };
    // The record rebuilt with `version` first in place of the piece holding `v`.
    let with_version = |v: &Tag, version: &[&str]| {
        let mut out: Vec<String> = version.iter().map(|s| s.to_string()).collect();
        for piece in taglist::pieces(text) {
            if piece.column != v.column {
                out.extend(split_piece(piece.text));
            }
        }
        out.join("; ")
    };
    let Some(v) = v else {
        return if text.to_ascii_lowercase().contains("dmarc1") {
            Err(Rejection::Malformed(Malformed {
                error: TagError {
                    text: text.trim().to_string(),
                    column: first_piece.unwrap_or(1),
                    reason: "it mentions DMARC1 but does not start with v=DMARC1".into(),
                    tag: None,
                },
                counted: false,
                corrected: None,
            }))
        } else {
            Err(Rejection::Unrelated)
        };
    };
    if let Some(rest) = v.value.strip_prefix("DMARC1")
        && !rest.is_empty()
    {
        let rest = rest.trim_start_matches([' ', '\t', ',']);
        let tag_follows = rest.split_once('=').is_some_and(|(name, _)| {
            let name = name.trim_end();
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        return Err(if tag_follows {
            malformed(
                v,
                format!("tags must be separated by ';': write v=DMARC1; {rest}"),
                Some(with_version(v, &["v=DMARC1", rest])),
            )
        } else {
            malformed(
                v,
                "the version must be exactly DMARC1".into(),
                Some(with_version(v, &["v=DMARC1"])),
            )
        });
    }
    if v.value == "DMARC1" && !v_first {
        return Err(malformed(
            v,
            "v=DMARC1 is not the first tag, so receivers discard the record".into(),
            Some(with_version(v, &["v=DMARC1"])),
        ));
    }
    if v.value != "DMARC1" {
        let corrected = v
            .value
            .eq_ignore_ascii_case("DMARC1")
            .then(|| with_version(v, &["v=DMARC1"]));
        return Err(malformed(
            v,
            format!(
                "the version is written '{}'; receivers only accept exactly v=DMARC1",
                v.text
            ),
            corrected,
        ));
    }
    let mut lenient = Vec::new();
    if text.starts_with(char::is_whitespace) {
        lenient.push(TagError {
            text: v.text.clone(),
            column: 1,
            reason: "the record starts with a space; receivers that want v=DMARC1 at the very start discard it".into(),
            tag: Some(v.name.clone()),
        });
    }
    Ok(lenient)
}

/// True when a receiver testing only the start of the text would take it for DMARC:
/// `v=DMARC1`, whatever follows.
fn counted(text: &str) -> bool {
    let rest = text.trim_start();
    let Some(rest) = rest.strip_prefix(['v', 'V']) else {
        return false;
    };
    rest.trim_start()
        .strip_prefix('=')
        .is_some_and(|r| r.trim_start().starts_with("DMARC1"))
}

/// The policy in a `p`, `sp` or `np` tag; a missing `;` after it makes it none.
fn policy(tag: &Tag) -> Result<Policy, TagError> {
    if let Some(column) = tag.missing_separator {
        return Err(TagError::at(
            tag,
            format!("tags must be separated by ';': add one before column {column}"),
        ));
    }
    Policy::parse(&tag.value)
        .ok_or_else(|| TagError::at(tag, "the policy is none, quarantine or reject"))
}

fn mode(value: &str) -> Result<Mode, String> {
    match flag(value, &["r", "s"]) {
        Ok("r") => Ok(Mode::Relaxed),
        Ok(_) => Ok(Mode::Strict),
        Err(e) => Err(e),
    }
}

/// `value` (case-insensitive) as one of `allowed`.
fn flag<'a>(value: &str, allowed: &[&'a str]) -> Result<&'a str, String> {
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value))
        .copied()
        .ok_or_else(|| format!("the value is one of {}", allowed.join(", ")))
}

/// `rua`/`ruf`: comma-separated `mailto:` URIs (RFC 7489 §6.4 `dmarc-urilist`), each with an
/// optional `!size[kmgt]` limit; whitespace is allowed around the commas only. The valid
/// URIs, and an error for each invalid one: its text is the URI (with `rua=` in front for the
/// first), its column where that text starts.
fn report_uris(tag: &Tag) -> (Vec<ReportUri>, Vec<TagError>) {
    let mut uris = Vec::new();
    let mut errors = Vec::new();
    let value_start = tag.text.len() - tag.value.len();
    let (mut offset, mut column) = (0, tag.value_column);
    for (i, part) in tag.value.split(',').enumerate() {
        let lead = part.len() - part.trim_start().len();
        let uri = part.trim();
        let uri_column = column + part[..lead].chars().count();
        let uri_offset = offset + lead;
        offset += part.len() + 1;
        column += part.chars().count() + 1;
        if uri.is_empty() {
            continue;
        }
        match report_uri(uri) {
            Ok(domain) => uris.push(ReportUri {
                uri: uri.to_string(),
                domain,
                column: uri_column,
            }),
            Err(reason) if i == 0 => errors.push(TagError {
                text: tag.text[..value_start + uri_offset + uri.len()].to_string(),
                ..TagError::at(tag, reason)
            }),
            Err(reason) => errors.push(TagError {
                text: uri.to_string(),
                column: uri_column,
                ..TagError::at(tag, reason)
            }),
        }
    }
    if uris.is_empty() && errors.is_empty() {
        errors.push(TagError::at(
            tag,
            "it names no address: write mailto:local@domain",
        ));
    }
    (uris, errors)
}

/// One report URI: its mailbox's domain, or why it is not one.
fn report_uri(uri: &str) -> Result<Name, String> {
    if let Some(c) = uri.chars().find(|c| !is_uri_char(*c)) {
        return Err(if c.is_whitespace() {
            let joined: String = uri.split_whitespace().collect();
            format!("a URI cannot contain spaces (write {joined})")
        } else {
            format!(
                "'{}' cannot appear in a URI; percent-encode it",
                c.escape_default()
            )
        });
    }
    let (address, limit) = match uri.rsplit_once('!') {
        Some((address, limit)) => (address, Some(limit)),
        None => (uri, None),
    };
    if let Some(limit) = limit {
        let digits = limit.trim_end_matches(['k', 'm', 'g', 't', 'K', 'M', 'G', 'T']);
        if digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || limit.len() > digits.len() + 1
        {
            return Err("a size limit is digits with an optional k, m, g or t (e.g. !10m)".into());
        }
    }
    let Some(mailbox) = address
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("mailto:"))
        .and_then(|_| address.get(7..))
    else {
        return Err(format!("not a mailto: URI (write mailto:{address})"));
    };
    // `mailto:a@example.com?subject=…` (RFC 6068): the mailbox ends at `?`.
    let mailbox = mailbox.split('?').next().unwrap_or_default();
    mailbox
        .rsplit_once('@')
        .filter(|(local, _)| !local.is_empty())
        .and_then(|(_, domain)| Name::parse(domain).ok())
        .filter(|d| !d.is_root() && d.label_count() > 1)
        .ok_or_else(|| "it does not name a mailbox (mailto:local@domain)".to_string())
}

/// Levenshtein distance, for the short values [`Policy::closest`] compares.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// RFC 3986 §2: the characters a URI may hold (`%` escapes included; `,` and `;` cannot reach
/// here, they separate URIs and tags).
fn is_uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Record {
        Record::read(text).unwrap()
    }

    fn errors(text: &str) -> Vec<String> {
        parse(text).errors.iter().map(|e| e.text.clone()).collect()
    }

    fn malformed(text: &str) -> Malformed {
        match Record::read(text) {
            Err(Rejection::Malformed(m)) => m,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn full_record() {
        let r = parse(
            "v=DMARC1; p=Reject; sp=quarantine; np=reject; pct=50; adkim=s; aspf=r; fo=0:d; \
             rf=afrf; ri=3600; rua=mailto:a@example.com,mailto:b@reports.example.net!10m; \
             ruf=mailto:f@example.com?subject=dmarc; psd=n; t=y",
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert!(r.lenient.is_empty() && r.repeated.is_empty());
        assert_eq!(r.p, Some(Policy::Reject));
        assert_eq!(r.sp, Some(Policy::Quarantine));
        assert_eq!(r.np, Some(Policy::Reject));
        assert_eq!(r.pct, 50);
        assert!(r.testing);
        assert_eq!(r.adkim, Mode::Strict);
        assert_eq!(r.aspf, Mode::Relaxed);
        let domains: Vec<(&str, usize)> = r
            .rua
            .iter()
            .map(|u| (u.domain.as_str(), u.column))
            .collect();
        assert_eq!(
            domains,
            vec![("example.com", 102), ("reports.example.net", 123)]
        );
        assert_eq!(r.ruf[0].domain.as_str(), "example.com");
        assert_eq!(
            r.reading(),
            Reading::Clear(Policies {
                p: Policy::Reject,
                sp: Some(Policy::Quarantine),
                np: Some(Policy::Reject)
            })
        );
    }

    #[test]
    fn defaults() {
        let r = parse("v=DMARC1; p=none");
        assert_eq!(
            (r.pct, r.adkim, r.aspf),
            (100, Mode::Relaxed, Mode::Relaxed)
        );
        assert_eq!(r.subdomain_policy(), Some(Policy::None));
        assert!(r.rua.is_empty() && !r.testing);
        let Reading::Clear(policies) = r.reading() else {
            panic!("{:?}", r.reading())
        };
        assert_eq!(
            (policies.subdomain(), policies.nonexistent()),
            (Policy::None, Policy::None)
        );
        assert_eq!(parse("v=DMARC1").p, None);
    }

    #[test]
    fn every_tag_error_names_the_text() {
        for (record, bad) in [
            ("v=DMARC1; p=rejected", "p=rejected"),
            ("v=DMARC1; p=none; sp=block", "sp=block"),
            ("v=DMARC1; p=none; np=", "np="),
            ("v=DMARC1; p=none; pct=150", "pct=150"),
            ("v=DMARC1; p=none; pct=-1", "pct=-1"),
            ("v=DMARC1; p=none; adkim=x", "adkim=x"),
            ("v=DMARC1; p=none; aspf=relaxed", "aspf=relaxed"),
            ("v=DMARC1; p=none; fo=2", "fo=2"),
            ("v=DMARC1; p=none; rf=xml", "rf=xml"),
            ("v=DMARC1; p=none; ri=daily", "ri=daily"),
            (
                "v=DMARC1; p=none; rua=dmarc@example.com",
                "rua=dmarc@example.com",
            ),
            (
                "v=DMARC1; p=none; rua=mailto:example.com",
                "rua=mailto:example.com",
            ),
            (
                "v=DMARC1; p=none; rua=mailto:a@example.com!10x",
                "rua=mailto:a@example.com!10x",
            ),
            (
                "v=DMARC1; p=none; ruf=https://example.com/r",
                "ruf=https://example.com/r",
            ),
            ("v=DMARC1; p=none; rua=", "rua="),
            ("v=DMARC1; p=none; psd=maybe", "psd=maybe"),
            ("v=DMARC1; p=none; t=yes", "t=yes"),
            ("v=DMARC1; p=none; p=reject", "p=reject"),
            ("v=DMARC1; p=none; rua", "rua"),
            ("v=DMARC1; p=none; v=DMARC1", "v=DMARC1"),
        ] {
            assert_eq!(errors(record), vec![bad.to_string()], "{record}");
        }
        let r = parse("v=DMARC1; p=none; pct=150");
        assert_eq!(r.pct, 100, "an invalid tag falls back to its default");
        assert_eq!(r.errors[0].column, 19);
        assert_eq!(r.errors[0].tag.as_deref(), Some("pct"));
    }

    #[test]
    fn a_space_inside_a_report_uri_is_an_error_at_its_column() {
        let r = parse("v=DMARC1; p=reject; rua=mailto: d@example.com");
        assert!(r.rua.is_empty());
        assert_eq!(r.errors.len(), 1);
        let e = &r.errors[0];
        assert_eq!((e.column, e.tag.as_deref()), (21, Some("rua")));
        assert_eq!(
            e.to_string(),
            "'rua=mailto: d@example.com' (column 21): a URI cannot contain spaces (write mailto:d@example.com)"
        );
        // Spaces around the commas are allowed; each bad URI has its own column.
        let r =
            parse("v=DMARC1; p=reject; rua=mailto:a@example.com , mailto:b @example.com, ftp://x");
        assert_eq!(r.rua.len(), 1);
        let errors: Vec<(&str, usize)> = r
            .errors
            .iter()
            .map(|e| (e.text.as_str(), e.column))
            .collect();
        assert_eq!(errors, vec![("mailto:b @example.com", 48), ("ftp://x", 71)]);
        assert!(r.errors[1].reason.contains("not a mailto: URI"));
        let r = parse("v=DMARC1; p=reject; rua=mailto:\"a\"@example.com");
        assert!(r.errors[0].reason.contains("'\\\"' cannot appear in a URI"));
    }

    #[test]
    fn an_invalid_policy_tag_changes_what_receivers_apply() {
        // RFC 7489 §6.6.3 step 6: an invalid sp with a valid rua is read as p=none.
        let r = parse("v=DMARC1; p=reject; sp=bogus; rua=mailto:d@example.com");
        assert_eq!((r.p, r.sp), (Some(Policy::Reject), None));
        let Reading::Invalid {
            faults,
            fallback,
            lenient,
        } = r.reading()
        else {
            panic!("{:?}", r.reading())
        };
        assert_eq!(fallback, Fallback::AsNone);
        assert_eq!(lenient.map(|p| p.p), Some(Policy::Reject));
        let [PolicyFault::Invalid(e)] = faults.as_slice() else {
            panic!("{faults:?}")
        };
        assert_eq!((e.text.as_str(), e.column), ("sp=bogus", 21));
        // Without a valid rua, no DMARC at all; an invalid np counts too (DMARCbis).
        let r = parse("v=DMARC1; p=reject; np=maybe");
        assert!(matches!(
            r.reading(),
            Reading::Invalid {
                fallback: Fallback::NoDmarc,
                ..
            }
        ));
        let r = parse("v=DMARC1; rua=mailto:d@example.com");
        assert_eq!(r.policy_faults, vec![PolicyFault::NoPolicy]);
        assert!(matches!(
            r.reading(),
            Reading::Invalid {
                fallback: Fallback::AsNone,
                lenient: None,
                ..
            }
        ));
    }

    #[test]
    fn repeated_tags_make_the_reading_ambiguous() {
        let r = parse("v=DMARC1; p=reject; p=none; rua=mailto:d@example.com");
        assert_eq!(r.p, Some(Policy::Reject), "the fields read the first");
        assert_eq!(
            r.errors[0].reason,
            "the tag 'p' appears more than once (first at column 11)"
        );
        let Reading::Ambiguous {
            repeated,
            first,
            last,
        } = r.reading()
        else {
            panic!("{:?}", r.reading())
        };
        let columns: Vec<usize> = repeated[0].tags.iter().map(|t| t.column).collect();
        assert_eq!((repeated[0].name.as_str(), columns), ("p", vec![11, 21]));
        assert_eq!(first.map(|p| p.p), Some(Policy::Reject));
        assert_eq!(last.map(|p| p.p), Some(Policy::None));
        // Names compare case-insensitively; a repeat with an invalid value leaves that
        // reading without a policy.
        let r = parse("v=DMARC1; p=reject; P=bogus");
        assert!(matches!(
            r.reading(),
            Reading::Ambiguous {
                first: Some(_),
                last: None,
                ..
            }
        ));
        // Any repeated tag: receivers that reject the tag list see no record.
        let r = parse("v=DMARC1; p=reject; rua=mailto:a@example.com; rua=mailto:b@example.com");
        assert!(matches!(r.reading(), Reading::Ambiguous { .. }));
    }

    #[test]
    fn what_some_receivers_discard_is_read_and_flagged() {
        for (text, column, says) in [
            (" v=DMARC1; p=reject", 1, "starts with a space"),
            ("V=DMARC1; p=reject", 1, "tag names are lower case (v=)"),
            ("v=DMARC1; P=reject", 11, "tag names are lower case (p=)"),
        ] {
            let r = parse(text);
            assert_eq!(r.p, Some(Policy::Reject), "{text}");
            assert_eq!(r.lenient.len(), 1, "{text}: {:?}", r.lenient);
            assert_eq!(r.lenient[0].column, column, "{text}");
            assert!(
                r.lenient[0].reason.contains(says),
                "{text}: {:?}",
                r.lenient
            );
        }
        // Unknown tags in capitals are only unknown.
        assert!(parse("v=DMARC1; p=none; Foo=1").lenient.is_empty());
    }

    #[test]
    fn a_missing_semicolon_is_named_as_such() {
        let m = malformed("v=DMARC1 p=reject");
        assert_eq!(
            m.error.reason,
            "tags must be separated by ';': write v=DMARC1; p=reject"
        );
        assert_eq!(m.error.column, 1);
        assert!(m.counted, "a prefix test counts it as DMARC");
        assert_eq!(m.corrected.as_deref(), Some("v=DMARC1; p=reject"));
        let m = malformed("v=DMARC1p=reject; rua=mailto:a@example.com");
        assert_eq!(
            m.corrected.as_deref(),
            Some("v=DMARC1; p=reject; rua=mailto:a@example.com")
        );
        // Later in the record, the tag before the missing ';' is what receivers misread.
        let r = parse("v=DMARC1; p=reject rua=mailto:a@example.com");
        assert_eq!(r.p, None);
        assert!(r.rua.is_empty());
        let e = &r.errors[0];
        assert_eq!(
            (e.text.as_str(), e.column),
            ("p=reject rua=mailto:a@example.com", 11)
        );
        assert_eq!(
            e.reason,
            "tags must be separated by ';': add one before column 20"
        );
        assert!(matches!(
            r.reading(),
            Reading::Invalid {
                fallback: Fallback::NoDmarc,
                ..
            }
        ));
        assert_eq!(
            r.with_tag("p", "reject"),
            "v=DMARC1; p=reject; rua=mailto:a@example.com"
        );
    }

    #[test]
    fn corrected_records_keep_the_other_tags_in_order() {
        let r = parse(" V=DMARC1;rua=mailto:a@example.com ; p=none;pct=50; P=reject; sp=bogus;;");
        assert_eq!(
            r.with_tag("p", "quarantine"),
            "V=DMARC1; rua=mailto:a@example.com; p=quarantine; pct=50; sp=bogus"
        );
        assert_eq!(
            r.with_tag("v", "DMARC1"),
            "v=DMARC1; rua=mailto:a@example.com; p=none; pct=50; P=reject; sp=bogus"
        );
        assert_eq!(
            r.without_tag("sp"),
            "V=DMARC1; rua=mailto:a@example.com; p=none; pct=50; P=reject"
        );
        let r = parse("v=DMARC1; rua=mailto:a@example.com");
        assert_eq!(
            r.with_tag("p", "none"),
            "v=DMARC1; p=none; rua=mailto:a@example.com"
        );
        assert_eq!(
            r.with_tag("ruf", "mailto:f@example.com"),
            "v=DMARC1; rua=mailto:a@example.com; ruf=mailto:f@example.com"
        );
        // The corrected text is itself a clean record.
        let fixed = parse(&r.with_tag("p", "reject"));
        assert!(fixed.errors.is_empty() && fixed.lenient.is_empty());
        assert_eq!(fixed.p, Some(Policy::Reject));
    }

    /// The options of a choice, as a placeholder would show them.
    fn pick(options: &[String]) -> String {
        format!("<{}>", options.join("|"))
    }

    #[test]
    fn every_problem_has_a_fix_and_the_corrected_record_is_clean() {
        for (text, corrected) in [
            ("v=DMARC1; p=rejected", "v=DMARC1; p=reject"),
            (
                "v=DMARC1; p=Quarantined; sp=quar",
                "v=DMARC1; p=quarantine; sp=quarantine",
            ),
            ("v=DMARC1; p=reject; sp=bogus", "v=DMARC1; p=reject"),
            ("v=DMARC1; p=reject; np=", "v=DMARC1; p=reject"),
            ("v=DMARC1; p=block", "v=DMARC1; p=<reject|quarantine|none>"),
            ("v=DMARC1; p=none; pct=150", "v=DMARC1; p=none"),
            (
                "v=DMARC1; p=none; adkim=relaxed; aspf=strict",
                "v=DMARC1; p=none; adkim=r; aspf=s",
            ),
            ("v=DMARC1; p=none; fo=0:2:d", "v=DMARC1; p=none; fo=0:d"),
            (
                "v=DMARC1; p=none; rf=iodef; ri=daily",
                "v=DMARC1; p=none; ri=86400",
            ),
            (
                "v=DMARC1; p=none; t=yes; psd=maybe",
                "v=DMARC1; p=none; t=y",
            ),
            (
                "v=DMARC1; p=reject; rua=mailto: d@example.com",
                "v=DMARC1; p=reject; rua=mailto:d@example.com",
            ),
            (
                "v=DMARC1; p=reject; rua=d@example.com, ftp://x, mailto:e@example.com",
                "v=DMARC1; p=reject; rua=mailto:d@example.com,mailto:e@example.com",
            ),
            (
                "v=DMARC1; p=reject; ruf=https://example.com/r",
                "v=DMARC1; p=reject",
            ),
            ("v=DMARC1; p=reject; fo", "v=DMARC1; p=reject"),
            // Repeats: one value when they agree, every report address, else a choice.
            ("v=DMARC1; p=reject; p=Reject", "v=DMARC1; p=reject"),
            ("v=DMARC1; p=none; p=reject", "v=DMARC1; p=<reject|none>"),
            ("v=DMARC1; p=reject; p=bogus", "v=DMARC1; p=reject"),
            (
                "v=DMARC1; p=reject; rua=mailto:a@example.com; rua=mailto:b@example.com,mailto:a@example.com",
                "v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@example.com",
            ),
            (
                "v=DMARC1; p=none; pct=50; pct=20",
                "v=DMARC1; p=none; pct=<50|20>",
            ),
            // What some receivers discard, and a missing ';'.
            (" V=DMARC1; P=reject", "v=DMARC1; p=reject"),
            (
                "v=DMARC1; p=reject rua=mailto:a@example.com",
                "v=DMARC1; p=reject; rua=mailto:a@example.com",
            ),
        ] {
            let record = parse(text);
            assert_eq!(record.corrected(pick), corrected, "{text}");
            if !corrected.contains('<') {
                let fixed = parse(corrected);
                assert!(
                    fixed.errors.is_empty() && fixed.lenient.is_empty(),
                    "{corrected}: {:?} {:?}",
                    fixed.errors,
                    fixed.lenient
                );
                assert!(fixed.fixes(pick).is_empty(), "{corrected}");
            }
        }
        // A clean record needs nothing, however it is spaced.
        let clean = parse("v=DMARC1;p=reject;  rua=mailto:a@example.com , mailto:b@example.com");
        assert!(clean.fixes(pick).is_empty());
        assert_eq!(
            parse("v=DMARC1; p=rejected").fixes(pick),
            vec![Fix::Set {
                name: "p".into(),
                value: "reject".into()
            }]
        );
    }

    #[test]
    fn several_records_merge_into_one() {
        let a = parse("v=DMARC1; p=reject; rua=mailto:a@example.com");
        let b = parse("v=DMARC1; p=none; rua=mailto:b@example.com; adkim=s");
        let merged = merge(&[&a, &b]).unwrap();
        assert_eq!(
            merged.corrected(pick),
            "v=DMARC1; p=<reject|none>; rua=mailto:a@example.com,mailto:b@example.com; adkim=s"
        );
        // An edit wins over the record's own fix of the same tag, which is not added again.
        let r = parse("v=DMARC1; p=reject; rua=mailto: d@example.com");
        let mut fixes = vec![Fix::Set {
            name: "rua".into(),
            value: "mailto:e@example.com".into(),
        }];
        fixes.extend(r.fixes(pick));
        assert_eq!(
            r.fixed(&fixes),
            "v=DMARC1; p=reject; rua=mailto:e@example.com"
        );
        let same = merge(&[&a, &a]).unwrap();
        assert_eq!(same.corrected(pick), a.text);
    }

    #[test]
    fn unknown_tags_are_kept_apart() {
        let r = parse("v=DMARC1; p=reject; foo=bar");
        assert!(r.errors.is_empty());
        assert_eq!(r.unknown[0].text, "foo=bar");
    }

    #[test]
    fn what_is_not_a_dmarc_record() {
        assert_eq!(
            Record::read("google-site-verification=abc"),
            Err(Rejection::Unrelated)
        );
        for (text, corrected, counted) in [
            ("v=dmarc1; p=reject", Some("v=DMARC1; p=reject"), false),
            ("p=reject; v=DMARC1", Some("v=DMARC1; p=reject"), false),
            ("DMARC1; p=reject", None, false),
            ("v=DMARC1x; p=reject", Some("v=DMARC1; p=reject"), true),
        ] {
            let m = malformed(text);
            assert_eq!(m.corrected.as_deref(), corrected, "{text}");
            assert_eq!(m.counted, counted, "{text}");
        }
        assert!(Record::read("v = DMARC1 ; p=none").is_ok());
    }
}
