//! SPF for the connecting IP and envelope sender, and the DMARC verdict a receiver would
//! reach from it and the DKIM results (RFC 7489 §3.1, §6.6).

use std::net::IpAddr;

use super::dkim::{DkimResult, DkimSignature};
use super::header::{Headers, domain_of};
use crate::dmarc::{self, Discovery, Mode, Policy, PolicyLookup, organizational_domain};
use crate::dns::{Name, Resolver};
use crate::spf::{Evaluation, Query, SpfResult, check_host};

/// What the command line says about the delivery, overriding what the headers say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// `--ip`: the connecting IP.
    pub ip: Option<IpAddr>,
    /// `--mail-from`: the envelope sender (empty for the null sender).
    pub mail_from: Option<String>,
    /// `--helo`: the name the client gave in HELO/EHLO.
    pub helo: Option<String>,
}

/// Where a value used for SPF came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The command line.
    Given,
    /// The Received field with this index (0 = topmost).
    Received(usize),
    /// The Return-Path field.
    ReturnPath,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub origin: Origin,
}

/// The identity SPF checked (RFC 7208 §2.4): MAIL FROM, or HELO for the null sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    MailFrom,
    Helo,
}

/// SPF as the receiver ran it.
#[derive(Debug, Clone)]
pub struct SpfCheck {
    pub ip: Option<Sourced<IpAddr>>,
    pub mail_from: Option<Sourced<String>>,
    pub helo: Option<Sourced<String>>,
    pub identity: Identity,
    /// The domain whose policy was evaluated: the MAIL FROM domain, or the HELO name.
    pub domain: Option<Name>,
    /// `None` when SPF could not run; `missing` says why.
    pub evaluation: Option<Evaluation>,
    pub missing: Option<SpfMissing>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpfMissing {
    /// No `--ip` and no Received field names a connecting address.
    NoIp,
    /// No `--mail-from`, no Return-Path, and no HELO name to fall back on.
    NoSender,
    /// The sender's domain (or HELO name) is not a domain name.
    BadDomain,
}

impl SpfCheck {
    pub fn result(&self) -> Option<SpfResult> {
        self.evaluation.as_ref().map(|e| e.result)
    }
}

/// Whether an identifier is in the From domain's organizational domain (relaxed) and equal
/// to it (strict).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alignment {
    pub relaxed: bool,
    pub strict: bool,
}

impl Alignment {
    pub fn of(identifier: &Name, author: &Name) -> Alignment {
        Alignment {
            relaxed: dmarc::aligned(identifier, author, Mode::Relaxed),
            strict: dmarc::aligned(identifier, author, Mode::Strict),
        }
    }

    pub fn under(self, mode: Mode) -> bool {
        match mode {
            Mode::Relaxed => self.relaxed,
            Mode::Strict => self.strict,
        }
    }
}

/// The From domain DMARC judges (RFC 7489 §6.6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Author {
    Domain(Name),
    /// No From field, or none with an address.
    Missing,
    /// Mailboxes in more than one domain (several From fields or addresses): receivers may
    /// reject the message (RFC 7489 §6.6.1).
    Several(Vec<String>),
    /// The address's domain is not a domain name.
    Invalid(String),
}

impl Author {
    pub fn domain(&self) -> Option<&Name> {
        match self {
            Author::Domain(d) => Some(d),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfIdentifier {
    pub domain: Name,
    pub result: SpfResult,
    pub alignment: Alignment,
    /// Aligned under the record's `aspf` (relaxed without a record).
    pub aligned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimIdentifier {
    /// The index of the signature in the DKIM results.
    pub signature: usize,
    pub domain: Name,
    pub result: DkimResult,
    pub alignment: Alignment,
    /// Aligned under the record's `adkim` (relaxed without a record).
    pub aligned: bool,
}

/// Which tag gave the policy applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyTag {
    P,
    /// The record is the organizational domain's and the From domain is below it.
    Sp,
    /// No valid `p=`, but a valid `rua=`: receivers act as if `p=none` (RFC 7489 §6.6.3).
    Implied,
}

/// The verdict a receiver reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// An aligned identifier passed.
    Pass,
    /// Nothing aligned passed: the policy asked for, with `pct` and `t=y` as published
    /// (receivers apply a weaker one to the rest).
    Fail {
        policy: Policy,
        tag: PolicyTag,
        pct: u8,
        testing: bool,
    },
    /// No DMARC record applies (none found, or two at one name): no DMARC processing.
    None,
    /// A lookup failed (the policy, or SPF/DKIM for an identifier that would align):
    /// receivers defer or decide without DMARC.
    TempError(String),
    /// The From domain cannot be judged, or the record has no usable policy.
    PermError(String),
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail { .. } => "fail",
            Verdict::None => "none",
            Verdict::TempError(_) => "temperror",
            Verdict::PermError(_) => "permerror",
        }
    }
}

#[derive(Debug, Clone)]
pub struct DmarcEvaluation {
    pub author: Author,
    /// The record search for the From domain; `None` when there is no single From domain.
    pub policy: Option<PolicyLookup>,
    /// The From domain's organizational domain (Public Suffix List).
    pub organizational_domain: Option<Name>,
    /// `adkim` and `aspf` of the record that applies (relaxed when there is none).
    pub adkim: Mode,
    pub aspf: Mode,
    /// `None` when SPF did not run.
    pub spf: Option<SpfIdentifier>,
    /// One per signature with a valid `d=`.
    pub dkim: Vec<DkimIdentifier>,
    pub verdict: Verdict,
}

impl DmarcEvaluation {
    /// Identifiers that passed but do not align: the usual reason an authenticated message
    /// still fails DMARC (an ESP's `d=` or bounce domain).
    pub fn passed_unaligned(&self) -> (Option<&SpfIdentifier>, Vec<&DkimIdentifier>) {
        (
            self.spf
                .as_ref()
                .filter(|s| s.result == SpfResult::Pass && !s.aligned),
            self.dkim
                .iter()
                .filter(|d| d.result == DkimResult::Pass && !d.aligned)
                .collect(),
        )
    }
}

/// Runs `check_host()` with the envelope given, else what the headers say.
pub async fn spf(resolver: &Resolver, headers: &Headers, envelope: &Envelope) -> SpfCheck {
    let connecting = headers.connecting();
    let ip = match envelope.ip {
        Some(ip) => Some(Sourced {
            value: ip,
            origin: Origin::Given,
        }),
        None => connecting.map(|(r, ip)| Sourced {
            value: ip,
            origin: Origin::Received(r.index),
        }),
    };
    let mail_from = match &envelope.mail_from {
        Some(m) => Some(Sourced {
            value: m.clone(),
            origin: Origin::Given,
        }),
        None => headers.return_path.first().map(|r| Sourced {
            value: r.address.clone(),
            origin: Origin::ReturnPath,
        }),
    };
    let helo = match &envelope.helo {
        Some(h) => Some(Sourced {
            value: h.clone(),
            origin: Origin::Given,
        }),
        None => connecting.and_then(|(r, _)| {
            r.helo.clone().map(|h| Sourced {
                value: h,
                origin: Origin::Received(r.index),
            })
        }),
    };
    let helo_name = helo.as_ref().map(|h| h.value.clone()).unwrap_or_default();
    let (identity, domain_text) = match &mail_from {
        Some(m) if !m.value.is_empty() => (
            Identity::MailFrom,
            Some(
                m.value
                    .rsplit_once('@')
                    .map_or(m.value.as_str(), |(_, d)| d)
                    .to_string(),
            ),
        ),
        _ => (Identity::Helo, helo.as_ref().map(|h| h.value.clone())),
    };
    let domain = domain_text.as_deref().and_then(|d| Name::from_user(d).ok());
    let missing = match (&ip, &domain_text, &domain) {
        (None, _, _) => Some(SpfMissing::NoIp),
        (_, None, _) => Some(SpfMissing::NoSender),
        (_, Some(_), None) => Some(SpfMissing::BadDomain),
        _ => None,
    };
    let evaluation = match (&ip, &domain, missing) {
        (Some(ip), Some(domain), None) => Some(
            check_host(
                resolver,
                &Query {
                    ip: ip.value,
                    sender: mail_from
                        .as_ref()
                        .map(|m| m.value.clone())
                        .unwrap_or_default(),
                    helo: helo_name,
                    domain: domain.to_string(),
                },
            )
            .await,
        ),
        _ => None,
    };
    SpfCheck {
        ip,
        mail_from,
        helo,
        identity,
        domain,
        evaluation,
        missing,
    }
}

/// The From domain: one domain across every From mailbox.
pub fn author(headers: &Headers) -> Author {
    let addresses: Vec<&str> = headers
        .from
        .iter()
        .flat_map(|f| f.mailboxes.iter().map(|m| m.address.as_str()))
        .filter(|a| !a.is_empty())
        .collect();
    let Some(first) = addresses.first() else {
        return Author::Missing;
    };
    let mut domains: Vec<String> = addresses
        .iter()
        .map(|a| {
            a.rsplit_once('@')
                .map_or("", |(_, d)| d)
                .to_ascii_lowercase()
        })
        .collect();
    domains.sort();
    domains.dedup();
    if domains.len() > 1 {
        return Author::Several(domains);
    }
    match domain_of(first) {
        Some(d) => Author::Domain(d),
        None => Author::Invalid((*first).to_string()),
    }
}

/// Discovers the From domain's policy and judges SPF and DKIM against it.
pub async fn dmarc(
    resolver: &Resolver,
    headers: &Headers,
    spf: &SpfCheck,
    signatures: &[DkimSignature],
) -> DmarcEvaluation {
    let author = author(headers);
    let policy = match author.domain() {
        Some(domain) => Some(dmarc::discovery::lookup(resolver, domain).await),
        None => None,
    };
    evaluate(author, policy, spf, signatures)
}

/// The pure part of [`dmarc`]: alignment and verdict from what was gathered.
pub fn evaluate(
    author: Author,
    policy: Option<PolicyLookup>,
    spf: &SpfCheck,
    signatures: &[DkimSignature],
) -> DmarcEvaluation {
    let record = match policy.as_ref().map(|p| &p.discovery) {
        Some(Discovery::Found { record, .. }) => Some(record),
        _ => None,
    };
    let adkim = record.map_or(Mode::Relaxed, |r| r.adkim);
    let aspf = record.map_or(Mode::Relaxed, |r| r.aspf);
    let Some(from) = author.domain().cloned() else {
        let why = match &author {
            Author::Missing => "the message has no From address".to_string(),
            Author::Several(domains) => format!(
                "the From field names several domains ({}); receivers may reject the message",
                domains.join(", ")
            ),
            Author::Invalid(address) => format!("the From address '{address}' has no valid domain"),
            Author::Domain(_) => String::new(),
        };
        return DmarcEvaluation {
            author,
            policy,
            organizational_domain: None,
            adkim,
            aspf,
            spf: None,
            dkim: Vec::new(),
            verdict: Verdict::PermError(why),
        };
    };
    let spf_id = match (&spf.domain, spf.result()) {
        (Some(domain), Some(result)) => {
            let alignment = Alignment::of(domain, &from);
            Some(SpfIdentifier {
                domain: domain.clone(),
                result,
                alignment,
                aligned: alignment.under(aspf),
            })
        }
        _ => None,
    };
    let dkim: Vec<DkimIdentifier> = signatures
        .iter()
        .filter_map(|s| {
            let domain = s.domain()?;
            let alignment = Alignment::of(&domain, &from);
            Some(DkimIdentifier {
                signature: s.index,
                domain,
                result: s.result.clone(),
                alignment,
                aligned: alignment.under(adkim),
            })
        })
        .collect();
    let verdict = verdict(policy.as_ref(), spf_id.as_ref(), &dkim);
    DmarcEvaluation {
        organizational_domain: Some(organizational_domain(&from)),
        author,
        policy,
        adkim,
        aspf,
        spf: spf_id,
        dkim,
        verdict,
    }
}

fn verdict(
    policy: Option<&PolicyLookup>,
    spf: Option<&SpfIdentifier>,
    dkim: &[DkimIdentifier],
) -> Verdict {
    let Some(policy) = policy else {
        return Verdict::None;
    };
    let record = match &policy.discovery {
        Discovery::Failed(lookup) => {
            return Verdict::TempError(format!(
                "the DMARC record lookup at {} failed: {}",
                lookup.name,
                lookup
                    .failure()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            ));
        }
        Discovery::Missing | Discovery::Multiple { .. } => return Verdict::None,
        Discovery::Found { record, .. } => record,
    };
    let spf_pass = spf.is_some_and(|s| s.aligned && s.result == SpfResult::Pass);
    let dkim_pass = dkim
        .iter()
        .any(|d| d.aligned && d.result == DkimResult::Pass);
    if spf_pass || dkim_pass {
        return Verdict::Pass;
    }
    if let Some(s) = spf.filter(|s| s.aligned && s.result == SpfResult::TempError) {
        return Verdict::TempError(format!("SPF for {} gave a temporary error", s.domain));
    }
    if let Some(d) = dkim
        .iter()
        .find(|d| d.aligned && matches!(d.result, DkimResult::TempError(_)))
    {
        return Verdict::TempError(format!("the DKIM key lookup for d={} failed", d.domain));
    }
    let (applied, tag) = match (policy.inherited(), record.sp, record.p) {
        (true, Some(sp), _) => (sp, PolicyTag::Sp),
        (_, _, Some(p)) => (p, PolicyTag::P),
        (_, _, None) if !record.rua.is_empty() => (Policy::None, PolicyTag::Implied),
        (_, _, None) => {
            return Verdict::PermError(
                "the DMARC record has no valid p= tag and no rua=, so receivers apply no policy"
                    .into(),
            );
        }
    };
    Verdict::Fail {
        policy: applied,
        tag,
        pct: record.pct,
        testing: record.testing,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::dmarc::discovery::discover;
    use crate::dns::{Failure, Lookup, Outcome, RType, Rdata, Source};
    use crate::message::Raw;

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    /// The policy of `domain` as found at `_dmarc.<owner>` holding `records`.
    fn policy(domain: &str, owner: &str, outcome: Outcome) -> PolicyLookup {
        let mut lookups = Vec::new();
        if domain != owner {
            lookups.push(Arc::new(Lookup {
                name: name(&format!("_dmarc.{domain}")),
                rtype: RType::Txt,
                aliases: Vec::new(),
                outcome: Outcome::NxDomain,
                source: Source::Zone,
            }));
        }
        lookups.push(Arc::new(Lookup {
            name: name(&format!("_dmarc.{owner}")),
            rtype: RType::Txt,
            aliases: Vec::new(),
            outcome,
            source: Source::Zone,
        }));
        PolicyLookup {
            domain: name(domain),
            discovery: discover(&lookups),
            lookups,
        }
    }

    fn txt(records: &[&str]) -> Outcome {
        Outcome::Records(
            records
                .iter()
                .map(|r| Rdata::Txt(vec![r.as_bytes().to_vec()]))
                .collect(),
        )
    }

    fn spf(domain: &str, result: SpfResult) -> SpfCheck {
        SpfCheck {
            ip: None,
            mail_from: None,
            helo: None,
            identity: Identity::MailFrom,
            domain: Some(name(domain)),
            evaluation: Some(Evaluation {
                result,
                mechanism: None,
                matched_in: None,
                explanation: None,
                problem: None,
                dns_lookups: 0,
                void_lookups: 0,
                consulted: Vec::new(),
                trace: Vec::new(),
                path: None,
                permissive: None,
            }),
            missing: None,
        }
    }

    fn signature(domain: &str, result: DkimResult) -> DkimSignature {
        DkimSignature {
            index: 0,
            raw: Raw::new(b""),
            tags: None,
            written_domain: Some(domain.to_string()),
            written_selector: Some("s".into()),
            body: None,
            key: None,
            result,
        }
    }

    fn verdict_of(
        from: &str,
        policy: PolicyLookup,
        spf: &SpfCheck,
        dkim: &[DkimSignature],
    ) -> Verdict {
        evaluate(Author::Domain(name(from)), Some(policy), spf, dkim).verdict
    }

    #[test]
    fn subdomains_get_sp_and_the_record_tags_are_carried() {
        let record = txt(&["v=DMARC1; p=reject; sp=quarantine; pct=50; t=y"]);
        let failing = spf("other.example", SpfResult::Pass);
        assert_eq!(
            verdict_of(
                "news.example.com",
                policy("news.example.com", "example.com", record.clone()),
                &failing,
                &[]
            ),
            Verdict::Fail {
                policy: Policy::Quarantine,
                tag: PolicyTag::Sp,
                pct: 50,
                testing: true
            }
        );
        assert_eq!(
            verdict_of(
                "example.com",
                policy("example.com", "example.com", record),
                &failing,
                &[]
            ),
            Verdict::Fail {
                policy: Policy::Reject,
                tag: PolicyTag::P,
                pct: 50,
                testing: true
            }
        );
    }

    #[test]
    fn records_without_a_policy() {
        let none = spf("other.example", SpfResult::Fail);
        let implied = policy(
            "example.com",
            "example.com",
            txt(&["v=DMARC1; rua=mailto:d@example.com"]),
        );
        assert_eq!(
            verdict_of("example.com", implied, &none, &[]),
            Verdict::Fail {
                policy: Policy::None,
                tag: PolicyTag::Implied,
                pct: 100,
                testing: false
            }
        );
        let bare = policy("example.com", "example.com", txt(&["v=DMARC1; p=rejected"]));
        assert!(matches!(
            verdict_of("example.com", bare, &none, &[]),
            Verdict::PermError(_)
        ));
        let two = policy(
            "example.com",
            "example.com",
            txt(&["v=DMARC1; p=none", "v=DMARC1; p=reject"]),
        );
        assert_eq!(verdict_of("example.com", two, &none, &[]), Verdict::None);
        let missing = policy("example.com", "example.com", Outcome::NxDomain);
        assert_eq!(
            verdict_of("example.com", missing, &none, &[]),
            Verdict::None
        );
    }

    #[test]
    fn temporary_errors_only_for_identifiers_that_would_align() {
        let p = || policy("example.com", "example.com", txt(&["v=DMARC1; p=reject"]));
        let temp_dkim = signature("example.com", DkimResult::TempError(Failure::Timeout));
        let fail_spf = spf("example.com", SpfResult::Fail);
        assert!(matches!(
            verdict_of("example.com", p(), &fail_spf, std::slice::from_ref(&temp_dkim)),
            Verdict::TempError(why) if why.contains("d=example.com")
        ));
        // An unaligned identifier's temporary error changes nothing.
        let other = signature("esp.example", DkimResult::TempError(Failure::Timeout));
        assert!(matches!(
            verdict_of("example.com", p(), &fail_spf, &[other]),
            Verdict::Fail { .. }
        ));
        // A pass beats a temporary error.
        let pass = spf("bounce.example.com", SpfResult::Pass);
        assert_eq!(
            verdict_of("example.com", p(), &pass, &[temp_dkim]),
            Verdict::Pass
        );
        let temp_spf = spf("example.com", SpfResult::TempError);
        assert!(matches!(
            verdict_of("example.com", p(), &temp_spf, &[]),
            Verdict::TempError(_)
        ));
    }

    #[test]
    fn authors() {
        let headers = |from: &str| {
            let raw = format!("From: {from}\r\nSubject: x\r\n\r\nbody\r\n");
            let input =
                crate::message::Input::from_bytes(crate::message::Source::Stdin, raw.into_bytes())
                    .unwrap();
            crate::message::Message::parse(&input).unwrap().headers
        };
        assert_eq!(
            author(&headers("A <a@Example.COM>")),
            Author::Domain(name("example.com"))
        );
        assert_eq!(
            author(&headers("a@example.com, b@example.com")),
            Author::Domain(name("example.com"))
        );
        assert_eq!(
            author(&headers("a@example.com, b@example.net")),
            Author::Several(vec!["example.com".into(), "example.net".into()])
        );
        assert_eq!(author(&headers("undisclosed")), Author::Missing);
        assert!(matches!(
            author(&headers("a@[192.0.2.1]")),
            Author::Invalid(_)
        ));
        let evaluation = evaluate(
            Author::Missing,
            None,
            &spf("x.example", SpfResult::Pass),
            &[],
        );
        assert!(matches!(evaluation.verdict, Verdict::PermError(_)));
    }
}
