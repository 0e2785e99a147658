//! The DMARC record as typed values (RFC 7489 §6.3 and §6.4; `np`, `psd` and `t` from DMARCbis).
//!
//! mail-auth's DMARC parser serves verifiers: it stops at the first bad tag without saying
//! which, ignores `pct`, `ri` and `rf`, and lets a repeated tag win silently. Lint needs every
//! problem with its text and column, so this parser is written by hand over [`TagList`].
//! A bad tag does not lose the record: receivers ignore invalid tags and use the defaults
//! (RFC 7489 §6.3), so the record is kept with the tag's default and the error listed.

use std::fmt;

use crate::dns::Name;
use crate::taglist::{Tag, TagError, TagList};

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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The record as published (TXT strings joined).
    pub text: String,
    pub p: Option<Policy>,
    pub sp: Option<Policy>,
    pub np: Option<Policy>,
    pub pct: u8,
    /// `t=y` (DMARCbis): testing, receivers apply one step less than the policy.
    pub testing: bool,
    pub adkim: Mode,
    pub aspf: Mode,
    pub rua: Vec<ReportUri>,
    pub ruf: Vec<ReportUri>,
    /// Tags DMARC does not define; receivers ignore them.
    pub unknown: Vec<Tag>,
    pub errors: Vec<TagError>,
}

/// Why a TXT record at `_dmarc` is not a DMARC record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotDmarc {
    /// Nothing to do with DMARC (a verification token, say); receivers skip it.
    Unrelated,
    /// Meant as DMARC, but receivers discard it; the reason says why.
    Malformed(String),
}

impl Record {
    pub fn parse(text: &str) -> Result<Record, NotDmarc> {
        let list = TagList::parse(text);
        check_version(text, &list)?;
        let mut record = Record {
            text: text.to_string(),
            p: None,
            sp: None,
            np: None,
            pct: 100,
            testing: false,
            adkim: Mode::Relaxed,
            aspf: Mode::Relaxed,
            rua: Vec::new(),
            ruf: Vec::new(),
            unknown: Vec::new(),
            errors: list.errors.clone(),
        };
        for tag in list.tags.iter().skip(1) {
            if let Err(reason) = record.apply(tag) {
                record.errors.push(TagError::at(tag, reason));
            }
        }
        record.errors.sort_by_key(|e| e.column);
        Ok(record)
    }

    fn apply(&mut self, tag: &Tag) -> Result<(), String> {
        let value = tag.value.as_str();
        match tag.name.as_str() {
            "p" => self.p = Some(policy(value)?),
            "sp" => self.sp = Some(policy(value)?),
            "np" => self.np = Some(policy(value)?),
            "pct" => {
                self.pct = value
                    .parse::<u8>()
                    .ok()
                    .filter(|n| *n <= 100 && value.len() <= 3)
                    .ok_or("pct is a whole number from 0 to 100")?;
            }
            "adkim" => self.adkim = mode(value)?,
            "aspf" => self.aspf = mode(value)?,
            "t" => self.testing = flag(value, &["y", "n"])? == "y",
            "psd" => {
                flag(value, &["y", "n", "u"])?;
            }
            "fo" => {
                for option in value.split(':') {
                    flag(option.trim(), &["0", "1", "d", "s"]).map_err(|_| {
                        format!("fo takes 0, 1, d or s, separated by ':' (not '{option}')")
                    })?;
                }
            }
            "rf" => {
                for format in value.split(':') {
                    if !format.trim().eq_ignore_ascii_case("afrf") {
                        return Err(format!(
                            "the only failure-report format is afrf (not '{}')",
                            format.trim()
                        ));
                    }
                }
            }
            "ri" => {
                value
                    .parse::<u32>()
                    .map_err(|_| "ri is a number of seconds, e.g. ri=86400")?;
            }
            "rua" => self.rua = report_uris(value)?,
            "ruf" => self.ruf = report_uris(value)?,
            _ => self.unknown.push(tag.clone()),
        }
        Ok(())
    }

    /// The policy for subdomains: `sp`, else `p`.
    pub fn subdomain_policy(&self) -> Option<Policy> {
        self.sp.or(self.p)
    }
}

/// RFC 7489 §6.6.3: only records starting with `v=DMARC1` count; the value is case-sensitive.
fn check_version(text: &str, list: &TagList) -> Result<(), NotDmarc> {
    let leading = text.chars().take_while(|c| c.is_whitespace()).count();
    let first_is_v = list
        .tags
        .first()
        .is_some_and(|t| t.name == "v" && t.column == leading + 1);
    match list.tags.iter().find(|t| t.name == "v") {
        Some(v) if v.value == "DMARC1" && first_is_v => Ok(()),
        Some(v) if v.value == "DMARC1" => Err(NotDmarc::Malformed(
            "v=DMARC1 is not the first tag, so receivers discard the record".into(),
        )),
        Some(v) if v.value.eq_ignore_ascii_case("DMARC1") => Err(NotDmarc::Malformed(format!(
            "the version is written '{}'; receivers only accept exactly v=DMARC1",
            v.text
        ))),
        _ if text.to_ascii_lowercase().contains("dmarc1") => Err(NotDmarc::Malformed(
            "it mentions DMARC1 but does not start with v=DMARC1".into(),
        )),
        _ => Err(NotDmarc::Unrelated),
    }
}

fn policy(value: &str) -> Result<Policy, String> {
    Policy::parse(value).ok_or_else(|| "the policy is none, quarantine or reject".to_string())
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

/// `rua`/`ruf`: comma-separated `mailto:` URIs, each with an optional `!size[kmgt]` limit.
fn report_uris(value: &str) -> Result<Vec<ReportUri>, String> {
    let mut uris = Vec::new();
    for uri in value.split(',').map(str::trim).filter(|u| !u.is_empty()) {
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
                return Err(format!(
                    "'{uri}': a size limit is digits with an optional k, m, g or t (e.g. !10m)"
                ));
            }
        }
        let Some(mailbox) = address
            .get(..7)
            .filter(|s| s.eq_ignore_ascii_case("mailto:"))
            .map(|_| &address[7..])
        else {
            return Err(format!(
                "'{uri}' is not a mailto: URI (write mailto:{address})"
            ));
        };
        let domain = mailbox
            .rsplit_once('@')
            .filter(|(local, _)| !local.is_empty())
            .and_then(|(_, domain)| Name::parse(domain).ok())
            .filter(|d| !d.is_root() && d.label_count() > 1)
            .ok_or_else(|| format!("'{uri}' does not name a mailbox (local@domain)"))?;
        uris.push(ReportUri {
            uri: uri.to_string(),
            domain,
        });
    }
    Ok(uris)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Record {
        Record::parse(text).unwrap()
    }

    fn errors(text: &str) -> Vec<String> {
        parse(text).errors.iter().map(|e| e.text.clone()).collect()
    }

    #[test]
    fn full_record() {
        let r = parse(
            "v=DMARC1; p=Reject; sp=quarantine; np=reject; pct=50; adkim=s; aspf=r; fo=0:d; \
             rf=afrf; ri=3600; rua=mailto:a@example.com,mailto:b@reports.example.net!10m; \
             ruf=mailto:f@example.com; psd=n; t=y",
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.p, Some(Policy::Reject));
        assert_eq!(r.sp, Some(Policy::Quarantine));
        assert_eq!(r.np, Some(Policy::Reject));
        assert_eq!(r.pct, 50);
        assert!(r.testing);
        assert_eq!(r.adkim, Mode::Strict);
        assert_eq!(r.aspf, Mode::Relaxed);
        let domains: Vec<&str> = r.rua.iter().map(|u| u.domain.as_str()).collect();
        assert_eq!(domains, vec!["example.com", "reports.example.net"]);
        assert_eq!(r.ruf.len(), 1);
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
            Record::parse("google-site-verification=abc"),
            Err(NotDmarc::Unrelated)
        );
        for text in [
            "v=dmarc1; p=reject",
            "p=reject; v=DMARC1",
            "DMARC1; p=reject",
            "v=DMARC1p=reject",
        ] {
            assert!(
                matches!(Record::parse(text), Err(NotDmarc::Malformed(_))),
                "{text}"
            );
        }
        assert!(Record::parse("v = DMARC1 ; p=none").is_ok());
    }
}
