//! DMARC: the policy record (RFC 7489 §6), its report destinations (§7.1), and whether mail
//! from the domain can pass DMARC at all: SPF or DKIM aligned with the From domain (§3.1).

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::dkim::{DkimFacts, Signing, signing};
use crate::checks::area::{AreaDef, Ctx, Facts, SubjectKind, facts};
use crate::checks::finding::{Area, CheckDef, Evidence, Finding, checks};
use crate::dmarc::{Identifiers, Mode, NotDmarc, Policy, Record, aligned, organizational_domain};
use crate::dns::{Lookup, Name, RType, Resolver};
use crate::spf::is_spf_record;

pub const NAME: Area = Area::new("dmarc");

pub static AREA: AreaDef = AreaDef {
    area: NAME,
    subjects: &[SubjectKind::Domain],
    reads: &[super::dkim::NAME],
    checks: CHECKS,
    gather: facts::<DmarcFacts>,
    check: |g| check(g.facts(), g.facts()),
};

checks! {
    area: NAME;

    /// ## What it checks
    /// That a DMARC record applies to the domain: one TXT record starting `v=DMARC1` at
    /// `_dmarc.<domain>`, or else at `_dmarc.<organizational domain>` (the registered domain,
    /// found with the Public Suffix List, so `mail.example.co.uk` falls back to
    /// `example.co.uk`). TXT records there that do not start with `v=DMARC1` are not DMARC
    /// records; two or more DMARC records mean none applies.
    ///
    /// ## Why it matters
    /// Without DMARC, receivers have no policy for mail that fails authentication and the
    /// owner gets no reports. Gmail and Yahoo require a DMARC record (at least `p=none`) from
    /// bulk senders, Outlook.com from senders of more than 5,000 messages a day.
    ///
    /// ## How to fix
    /// Publish one TXT record at the organizational domain, e.g.
    /// `_dmarc.example.com. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com"`; it
    /// covers subdomains too. Merge duplicates into one record.
    DMARC_RECORD = "dmarc.record", "A DMARC record applies to the domain",
    references ["RFC 7489 §6.6.3", "https://support.google.com/a/answer/14229414",
                "https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// Every tag of the record: `p`, `sp`, `np` (none, quarantine, reject), `pct` (0–100),
    /// `adkim`/`aspf` (r or s), `fo` (0, 1, d, s), `rf` (afrf), `ri` (seconds), `rua`/`ruf`
    /// (`mailto:` URIs with an optional size limit such as `!10m`), `psd` and `t` (DMARCbis);
    /// tag syntax and repeated tags. The error shows the tag as written and its column.
    ///
    /// ## Why it matters
    /// Receivers ignore an invalid tag and use its default: a mistyped `p=rejected` leaves
    /// the domain without enforcement, a `rua` without `mailto:` without reports.
    ///
    /// ## How to fix
    /// Correct the tag shown. Tags are `name=value` separated by `;`, each at most once.
    DMARC_SYNTAX = "dmarc.syntax", "DMARC tags are valid",
    references ["RFC 7489 §6.3", "RFC 7489 §6.4"];

    /// ## What it checks
    /// Tags DMARC does not define.
    ///
    /// ## Why it matters
    /// Receivers ignore them (RFC 7489 §6.3). Usually they are typos of a real tag
    /// (`rau=` for `rua=`), which then is missing.
    ///
    /// ## How to fix
    /// Correct the spelling or remove the tag.
    DMARC_UNKNOWN_TAG = "dmarc.unknown-tag", "No unknown DMARC tags",
    references ["RFC 7489 §6.3"];

    /// ## What it checks
    /// The policy that applies to the domain: `p`, or `sp` when the record was found at the
    /// organizational domain of a subdomain. `quarantine` and `reject` pass; `none` warns;
    /// a record without `p=` fails.
    ///
    /// ## Why it matters
    /// `p=none` asks receivers to do nothing with mail that fails DMARC: it is monitoring,
    /// which is the right first step (Gmail, Yahoo and Outlook.com accept it) but does not
    /// stop anyone sending as the domain.
    ///
    /// ## How to fix
    /// Read the aggregate reports until every legitimate source passes DMARC, then move to
    /// `p=quarantine` and later to `p=reject`.
    DMARC_POLICY = "dmarc.policy", "The DMARC policy enforces",
    references ["RFC 7489 §6.3", "RFC 7489 §6.7", "https://support.google.com/a/answer/14229414"];

    /// ## What it checks
    /// `pct` below 100, and the DMARCbis testing flag `t=y`, on an enforcing policy.
    ///
    /// ## Why it matters
    /// With `pct=N` receivers apply the policy to N% of failing mail and treat the rest one
    /// step more leniently (RFC 7489 §6.6.4). DMARCbis drops `pct` for `t=y`, which also
    /// means one step more lenient. Either is meant for a ramp-up, not to stay.
    ///
    /// ## How to fix
    /// Raise `pct` to 100 (or remove it; 100 is the default) and remove `t=y` once the
    /// reports show no legitimate mail failing.
    DMARC_PCT = "dmarc.pct", "The policy applies to all failing mail",
    references ["RFC 7489 §6.3", "RFC 7489 §6.6.4"];

    /// ## What it checks
    /// `sp` (subdomains) and `np` (subdomains that do not exist; RFC 9091, DMARCbis) when
    /// they are weaker than `p`.
    ///
    /// ## Why it matters
    /// A spoofer who cannot use `example.com` can use `billing.example.com` when `sp=none`.
    /// `np` covers names that do not exist at all, which no one legitimately sends from;
    /// receivers that do not know `np` use `sp` instead.
    ///
    /// ## How to fix
    /// Remove `sp=` (subdomains then get `p`) or set it to the same policy; set `np=reject`.
    DMARC_SUBDOMAIN_POLICY = "dmarc.subdomain-policy", "Subdomains are not less protected",
    references ["RFC 7489 §6.3", "RFC 9091"];

    /// ## What it checks
    /// That the record asks for aggregate reports (`rua`).
    ///
    /// ## Why it matters
    /// Aggregate reports are the only view of who sends as the domain and whether it passes;
    /// without them, moving from `p=none` to enforcement is guesswork. Yahoo strongly
    /// recommends `rua` for bulk senders.
    ///
    /// ## How to fix
    /// Add `rua=mailto:` with a mailbox you read or a DMARC report service's address, e.g.
    /// `rua=mailto:dmarc@example.com`.
    DMARC_REPORTING = "dmarc.reporting", "Aggregate reports are requested",
    references ["RFC 7489 §7.2", "https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// For each `rua`/`ruf` mailbox in another organizational domain, the authorization
    /// record `<domain>._report._dmarc.<destination>` (RFC 7489 §7.1).
    ///
    /// ## Why it matters
    /// Receivers send reports to another domain only if that domain agrees to receive them;
    /// without the record, the reports are silently dropped.
    ///
    /// ## How to fix
    /// The destination's owner publishes `example.com._report._dmarc.reports.example.net.
    /// IN TXT "v=DMARC1"` (report services usually publish a wildcard for all customers:
    /// check that your service supports the address you used).
    DMARC_REPORT_AUTHORIZATION = "dmarc.report-authorization", "External report destinations accept reports",
    references ["RFC 7489 §7.1"];

    /// ## What it checks
    /// Whether SPF can align: the envelope MAIL FROM domain (`--return-path`, else the
    /// domain itself) is in the From domain's organizational domain (`aspf=r`) or equal to
    /// it (`aspf=s`), and publishes an SPF record.
    ///
    /// ## Why it matters
    /// SPF passing counts for DMARC only when aligned. A relay's default bounce domain (for
    /// Amazon SES, `amazonses.com`) makes SPF pass for the relay, not for you: DMARC then
    /// rests on DKIM alone. Gmail and Yahoo bulk senders and Outlook.com high-volume senders
    /// need SPF or DKIM aligned.
    ///
    /// ## How to fix
    /// Set a custom MAIL FROM (return-path, bounce) domain under your domain at the sending
    /// service, e.g. `bounce.example.com`, and publish the MX and SPF records it gives. In
    /// Amazon SES this is the identity's "custom MAIL FROM domain".
    DMARC_SPF_ALIGNMENT = "dmarc.spf-alignment", "SPF can align with the From domain",
    references ["RFC 7489 §3.1.2", "https://support.google.com/mail/answer/81126",
                "https://docs.aws.amazon.com/ses/latest/APIReference/API_SetIdentityMailFromDomain.html"];

    /// ## What it checks
    /// Whether DKIM can align: the signing domain (`--dkim-domain`, else the domain itself)
    /// is in the From domain's organizational domain (`adkim=r`) or equal to it (`adkim=s`),
    /// and a usable key is published there.
    ///
    /// ## Why it matters
    /// A DKIM pass counts for DMARC only when `d=` aligns. Services that sign with their own
    /// domain (`d=sendgrid.net`, `d=…onmicrosoft.com`) pass DKIM without helping DMARC.
    ///
    /// ## How to fix
    /// Have each sending service sign with your domain ("domain authentication", "custom
    /// DKIM") and publish the keys or CNAMEs it gives under `_domainkey` of your domain.
    DMARC_DKIM_ALIGNMENT = "dmarc.dkim-alignment", "DKIM can align with the From domain",
    references ["RFC 7489 §3.1.1", "https://support.google.com/mail/answer/81126"];
}

/// Which record applies, per RFC 7489 §6.6.3.
#[derive(Debug, Clone)]
pub enum Discovery {
    /// The lookup that decides failed: nothing can be concluded.
    Failed(Arc<Lookup>),
    Missing,
    /// Two or more DMARC records at one name: no policy applies.
    Multiple(Arc<Lookup>),
    Found {
        lookup: Arc<Lookup>,
        record: Record,
    },
}

/// A report destination in another organizational domain and its authorization record.
#[derive(Debug, Clone)]
pub struct Authorization {
    pub destination: Name,
    /// `None` when `<domain>._report._dmarc.<destination>` would exceed DNS name limits.
    pub lookup: Option<Arc<Lookup>>,
}

#[derive(Debug, Clone)]
pub struct DmarcFacts {
    /// The From domain checked.
    pub domain: Name,
    /// `_dmarc.<domain>`, then `_dmarc.<organizational domain>` when that differs; asked together.
    pub lookups: Vec<Arc<Lookup>>,
    pub discovery: Discovery,
    pub authorizations: Vec<Authorization>,
    /// The envelope MAIL FROM domain: `--return-path`, or the domain itself.
    pub return_path: Name,
    pub return_path_given: bool,
    /// The return path's TXT records, asked when it can align with the domain.
    pub return_path_txt: Option<Arc<Lookup>>,
    /// The DKIM `d=` domain: `--dkim-domain`, or the domain itself.
    pub dkim_domain: Name,
}

impl Facts for DmarcFacts {
    fn gather<'c>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, Self> {
        Box::pin(gather(ctx.resolver, ctx.domain(), &ctx.options.identifiers))
    }
}

/// The domain whose policy a `_dmarc` lookup reads.
fn policy_domain(lookup: &Lookup) -> Name {
    lookup.name.parent().unwrap_or_else(|| lookup.name.clone())
}

/// The DMARC records in an answer, and the TXT records meant as DMARC that receivers discard.
fn records(lookup: &Lookup) -> (Vec<Record>, Vec<(String, String)>) {
    let mut valid = Vec::new();
    let mut malformed = Vec::new();
    for txt in lookup.txt_records() {
        let text = String::from_utf8_lossy(&txt).into_owned();
        match Record::parse(&text) {
            Ok(r) => valid.push(r),
            Err(NotDmarc::Malformed(why)) => malformed.push((text, why)),
            Err(NotDmarc::Unrelated) => {}
        }
    }
    (valid, malformed)
}

/// RFC 7489 §6.6.3: the first name with a DMARC record decides; a failed lookup stops the
/// search (a timeout is not "no record"); so do two records.
pub fn discover(lookups: &[Arc<Lookup>]) -> Discovery {
    for lookup in lookups {
        if lookup.failure().is_some() {
            return Discovery::Failed(lookup.clone());
        }
        let (mut valid, _) = records(lookup);
        match valid.len() {
            0 => continue,
            1 => {
                return Discovery::Found {
                    lookup: lookup.clone(),
                    record: valid.remove(0),
                };
            }
            _ => return Discovery::Multiple(lookup.clone()),
        }
    }
    Discovery::Missing
}

async fn gather(resolver: &Resolver, domain: &Name, ids: &Identifiers) -> DmarcFacts {
    let org = organizational_domain(domain);
    let mut questions = Vec::new();
    for d in [domain, &org] {
        // A name too long for `_dmarc.` in front cannot hold a record; receivers go on to
        // the organizational domain, and so does this.
        if let Ok(name) = d.prepend("_dmarc")
            && !questions.contains(&(name.clone(), RType::Txt))
        {
            questions.push((name, RType::Txt));
        }
    }
    let return_path = ids.return_path.clone().unwrap_or_else(|| domain.clone());
    let can_align = aligned(&return_path, domain, Mode::Relaxed);
    let (lookups, return_path_txt) = tokio::join!(resolver.query_all(&questions), async {
        if can_align {
            Some(resolver.query(&return_path, RType::Txt).await)
        } else {
            None
        }
    });
    let discovery = discover(&lookups);
    let destinations = external_destinations(&discovery);
    let asked: Vec<(Name, RType)> = destinations
        .iter()
        .filter_map(|(_, q)| q.clone().map(|n| (n, RType::Txt)))
        .collect();
    let mut answers = resolver.query_all(&asked).await.into_iter();
    let authorizations = destinations
        .into_iter()
        .map(|(destination, question)| Authorization {
            destination,
            lookup: question.and_then(|_| answers.next()),
        })
        .collect();
    DmarcFacts {
        domain: domain.clone(),
        lookups,
        discovery,
        authorizations,
        return_path,
        return_path_given: ids.return_path.is_some(),
        return_path_txt,
        dkim_domain: ids.dkim_domain.clone().unwrap_or_else(|| domain.clone()),
    }
}

/// Report destinations outside the policy domain's organizational domain, each with the
/// name of its authorization record (RFC 7489 §7.1).
fn external_destinations(discovery: &Discovery) -> Vec<(Name, Option<Name>)> {
    let Discovery::Found { lookup, record } = discovery else {
        return Vec::new();
    };
    let owner = policy_domain(lookup);
    let owner_org = organizational_domain(&owner);
    let mut out: Vec<(Name, Option<Name>)> = Vec::new();
    for uri in record.rua.iter().chain(&record.ruf) {
        if organizational_domain(&uri.domain) == owner_org
            || out.iter().any(|(d, _)| *d == uri.domain)
        {
            continue;
        }
        let question = Name::parse(&format!("{owner}._report._dmarc.{}", uri.domain)).ok();
        out.push((uri.domain.clone(), question));
    }
    out
}

pub fn check(ev: &DmarcFacts, dkim: &DkimFacts) -> Vec<Finding> {
    let mut out = match &ev.discovery {
        Discovery::Failed(lookup) => vec![DMARC_RECORD.lookup_error(lookup)],
        Discovery::Missing => vec![missing(ev)],
        Discovery::Multiple(lookup) => vec![
            DMARC_RECORD
                .fail(format!(
                    "{} holds {} DMARC records: receivers apply none",
                    lookup.name,
                    records(lookup).0.len()
                ))
                .evidence(lookup)
                .remediation(format!(
                    "Keep exactly one TXT record starting v=DMARC1 at {}; merge the tags you need into it.",
                    lookup.name
                )),
        ],
        Discovery::Found { lookup, record } => found(ev, lookup, record),
    };
    out.extend(alignment(ev, dkim));
    out
}

fn missing(ev: &DmarcFacts) -> Finding {
    let org = organizational_domain(&ev.domain);
    let malformed: Vec<(String, String)> = ev.lookups.iter().flat_map(|l| records(l).1).collect();
    let searched: Vec<String> = ev.lookups.iter().map(|l| l.name.to_string()).collect();
    let summary = match malformed.first() {
        Some((text, why)) => format!("no valid DMARC record: \"{text}\" is not one ({why})"),
        None => format!("no DMARC record at {}", searched.join(" or ")),
    };
    DMARC_RECORD
        .fail(summary)
        .evidence_all(ev.lookups.iter().map(Evidence::from))
        .detail(format!(
            "Receivers have no policy for mail that fails authentication as {}, and you get no \
             reports. Gmail and Yahoo bulk senders and Outlook.com high-volume senders need a \
             DMARC record.",
            ev.domain
        ))
        .remediation(format!(
            "Publish `_dmarc.{org}. IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc@{org}\"` (the rua \
             mailbox must exist; it covers subdomains too). Read the reports, then move to \
             p=quarantine and p=reject."
        ))
}

fn found(ev: &DmarcFacts, lookup: &Arc<Lookup>, record: &Record) -> Vec<Finding> {
    let owner = policy_domain(lookup);
    let inherited = owner != ev.domain;
    let mut out = vec![
        if inherited {
            DMARC_RECORD.pass(format!(
                "no record at _dmarc.{}; the record of its organizational domain {owner} applies",
                ev.domain
            ))
        } else {
            DMARC_RECORD.pass(format!("DMARC record at {}", lookup.name))
        }
        .evidence_all(ev.lookups.iter().map(Evidence::from)),
    ];
    out.push(match record.errors.first() {
        None => DMARC_SYNTAX.pass("every tag is valid"),
        Some(first) => DMARC_SYNTAX
            .fail(format!("invalid tag {first}"))
            .detail(match record.errors.len() {
                1 => "Receivers ignore an invalid tag and use its default.".to_string(),
                _ => format!(
                    "Receivers ignore invalid tags and use their defaults. All problems: {}",
                    record
                        .errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            })
            .evidence(lookup)
            .evidence(Evidence::note("position", first.pointer(&record.text)))
            .remediation(format!(
                "Correct '{}' in the record at {}; see `deliv explain dmarc.syntax` for the values each tag takes.",
                first.text, lookup.name
            )),
    });
    if !record.unknown.is_empty() {
        let tags: Vec<&str> = record.unknown.iter().map(|t| t.text.as_str()).collect();
        out.push(
            DMARC_UNKNOWN_TAG
                .info(format!("unknown tag(s) {}; receivers ignore them", tags.join(", ")))
                .evidence(lookup)
                .remediation("Check the spelling against the DMARC tags (p, sp, np, pct, adkim, aspf, fo, rf, ri, rua, ruf) or remove the tag."),
        );
    }
    out.extend(policy(ev, lookup, record, inherited));
    out.extend(subdomains(lookup, record));
    let invalid_rua = record.errors.iter().any(|e| e.text.starts_with("rua"));
    out.push(if record.rua.is_empty() {
        DMARC_REPORTING
            .warn(if invalid_rua {
                "rua= is not valid (see dmarc.syntax): no aggregate reports arrive"
            } else {
                "no rua=: no aggregate reports, so no view of who sends as the domain"
            })
            .evidence(lookup)
            .remediation(format!(
                "Add rua=mailto:dmarc@{} (a mailbox you read, or a report service's address) to the record at {}.",
                organizational_domain(&owner),
                lookup.name
            ))
    } else {
        let to: Vec<&str> = record.rua.iter().map(|u| u.uri.as_str()).collect();
        DMARC_REPORTING.pass(format!("aggregate reports go to {}", to.join(", ")))
    });
    out.extend(ev.authorizations.iter().map(|a| authorization(&owner, a)));
    out
}

fn policy(ev: &DmarcFacts, lookup: &Arc<Lookup>, record: &Record, inherited: bool) -> Vec<Finding> {
    let Some(p) = record.p else {
        return vec![
            DMARC_POLICY
                .fail("the record has no p= tag")
                .evidence(lookup)
                .detail("Receivers treat such a record as p=none when rua= is valid and ignore it otherwise (RFC 7489 §6.6.3).")
                .remediation(format!(
                    "Add p=none right after v=DMARC1 in the record at {} (then quarantine, then reject).",
                    lookup.name
                )),
        ];
    };
    let (applied, how) = match record.sp {
        Some(sp) if inherited => (
            sp,
            format!("sp={sp} applies to {} as a subdomain", ev.domain),
        ),
        _ => (p, format!("p={p}")),
    };
    let mut out = vec![match applied {
        Policy::None => DMARC_POLICY
            .warn(format!("{how}: monitoring only, receivers act on no failing mail"))
            .evidence(lookup)
            .detail("p=none is the right start: it gathers reports without risk. It does not stop anyone from sending as the domain.")
            .remediation(format!(
                "When the aggregate reports show every legitimate source passing, change the record at {} to p=quarantine, later to p=reject.",
                lookup.name
            )),
        Policy::Quarantine => DMARC_POLICY.pass(format!("{how}: failing mail goes to spam")),
        Policy::Reject => DMARC_POLICY.pass(format!("{how}: failing mail is refused")),
    }];
    if applied != Policy::None && (record.pct < 100 || record.testing) {
        let what = if record.testing {
            "t=y (testing): receivers apply one step less than the policy".to_string()
        } else {
            format!(
                "pct={}: the policy covers {}% of failing mail, the rest gets one step less",
                record.pct, record.pct
            )
        };
        out.push(
            DMARC_PCT
                .warn(what)
                .evidence(lookup)
                .remediation(format!(
                    "Remove pct= (100 is the default) and t=y from the record at {} once the reports show no legitimate mail failing.",
                    lookup.name
                )),
        );
    }
    out
}

fn subdomains(lookup: &Arc<Lookup>, record: &Record) -> Option<Finding> {
    let p = record.p?;
    let sub = record.subdomain_policy().unwrap_or(p);
    if let Some(sp) = record.sp.filter(|sp| *sp < p) {
        return Some(
            DMARC_SUBDOMAIN_POLICY
                .warn(format!(
                    "sp={sp} is weaker than p={p}: subdomains are easier to spoof"
                ))
                .evidence(lookup)
                .remediation(format!(
                    "Remove sp= from the record at {} or set sp={p}.",
                    lookup.name
                )),
        );
    }
    if let Some(np) = record.np.filter(|np| *np < sub) {
        return Some(
            DMARC_SUBDOMAIN_POLICY
                .info(format!("np={np} is weaker than the policy for existing subdomains ({sub})"))
                .evidence(lookup)
                .detail("np applies to subdomains that do not exist, which no one sends from legitimately.")
                .remediation(format!("Set np=reject in the record at {}.", lookup.name)),
        );
    }
    (record.sp.is_some() || record.np.is_some()).then(|| {
        DMARC_SUBDOMAIN_POLICY.pass(format!("subdomain policy {sub} is as strict as p={p}"))
    })
}

fn authorization(owner: &Name, a: &Authorization) -> Finding {
    let record = format!("{owner}._report._dmarc.{}", a.destination);
    let Some(lookup) = &a.lookup else {
        return DMARC_REPORT_AUTHORIZATION
            .warn(format!(
                "reports to {} cannot be authorized: {record} is too long for DNS",
                a.destination
            ))
            .evidence(Evidence::note("authorization name", record))
            .remediation(
                "Send reports to a mailbox in your own domain, or one with a shorter domain.",
            );
    };
    if lookup.failure().is_some() {
        return DMARC_REPORT_AUTHORIZATION.lookup_error(lookup);
    }
    let authorized = lookup
        .txt_records()
        .any(|t| Record::parse(&String::from_utf8_lossy(&t)).is_ok());
    if authorized {
        DMARC_REPORT_AUTHORIZATION
            .pass(format!("{} accepts reports for {owner}", a.destination))
            .evidence(lookup)
    } else {
        DMARC_REPORT_AUTHORIZATION
            .warn(format!(
                "{} has not authorized reports for {owner}: receivers drop them",
                a.destination
            ))
            .evidence(lookup)
            .remediation(format!(
                "The owner of {} publishes `{record}. IN TXT \"v=DMARC1\"`; or send reports to a mailbox in {}.",
                a.destination,
                organizational_domain(owner)
            ))
    }
}

/// Whether one identifier can make DMARC pass.
enum Possible<'a> {
    Yes(String),
    /// Why not, and what to change.
    No(String, String),
    Unknown(String),
    /// It can, for some receivers only: why, and what to change.
    Doubtful(String, String),
    Failed(&'a Arc<Lookup>),
}

fn modes(ev: &DmarcFacts) -> (Mode, Mode) {
    match &ev.discovery {
        Discovery::Found { record, .. } => (record.aspf, record.adkim),
        _ => (Mode::Relaxed, Mode::Relaxed),
    }
}

/// Why `identifier` does not align with the From domain under `mode`, and the fix when only
/// strict mode stands in the way.
fn misaligned(
    identifier: &Name,
    from: &Name,
    mode: Mode,
    tag: &str,
) -> Option<(String, Option<String>)> {
    if aligned(identifier, from, mode) {
        return None;
    }
    Some(if aligned(identifier, from, Mode::Relaxed) {
        (
            format!("{tag}=s asks for exactly {from}, and {identifier} is a subdomain"),
            Some(format!(
                "Set {tag}=r in the DMARC record, or use {from} itself."
            )),
        )
    } else {
        (
            format!(
                "{identifier} is outside {}, the organizational domain of {from}: a pass for it \
                 does not count for DMARC",
                organizational_domain(from)
            ),
            None,
        )
    })
}

fn spf_possible(ev: &DmarcFacts, mode: Mode) -> Possible<'_> {
    let (rp, from) = (&ev.return_path, &ev.domain);
    if let Some((why, fix)) = misaligned(rp, from, mode, "aspf") {
        return Possible::No(why, fix.unwrap_or_else(|| custom_mail_from(rp, from)));
    }
    let Some(txt) = &ev.return_path_txt else {
        return Possible::Unknown(format!("the TXT records of {rp} were not asked"));
    };
    if txt.failure().is_some() {
        return Possible::Failed(txt);
    }
    let publish = format!(
        "Publish one SPF record at {rp} listing the hosts that send with this return path, e.g. \
         `{rp}. IN TXT \"v=spf1 include:<your provider's SPF domain> -all\"`."
    );
    match txt.txt_records().filter(|t| is_spf_record(t)).count() {
        1 => Possible::Yes(format!("the return path {rp} aligns and publishes SPF")),
        0 => Possible::No(
            format!("{rp} publishes no SPF record, so SPF cannot pass for it"),
            publish,
        ),
        n => Possible::No(
            format!("{rp} publishes {n} SPF records (permerror)"),
            publish,
        ),
    }
}

/// How to move a relay's bounces under the From domain; Amazon SES named, as its default
/// MAIL FROM is the common case.
fn custom_mail_from(rp: &Name, from: &Name) -> String {
    let ses = Name::parse("amazonses.com").is_ok_and(|ses| organizational_domain(rp) == ses);
    if ses {
        format!(
            "Amazon SES sends with its own amazonses.com MAIL FROM unless told otherwise. In SES, set a \
             custom MAIL FROM domain for the identity {from}, a subdomain such as bounce.{from}, and \
             publish the MX and SPF (TXT) records SES shows for it. Keep Easy DKIM on: until the \
             custom MAIL FROM works, DMARC passes only through DKIM."
        )
    } else {
        format!(
            "At the service that sends with return path {rp}, set a custom return-path (MAIL FROM, \
             bounce) domain under {from}, e.g. bounce.{from}, and publish the records it gives \
             (usually MX or CNAME, and SPF). Until then make sure it signs with d={from}."
        )
    }
}

fn dkim_possible<'a>(ev: &DmarcFacts, dkim: &'a DkimFacts, mode: Mode) -> Possible<'a> {
    let (d, from) = (&ev.dkim_domain, &ev.domain);
    if let Some((why, fix)) = misaligned(d, from, mode, "adkim") {
        return Possible::No(
            why,
            fix.unwrap_or_else(|| {
                format!(
                    "Have the service that signs with d={d} sign with your domain instead (its \
                     \"domain authentication\" or \"custom DKIM\" setting) and publish the keys or \
                     CNAMEs it gives under _domainkey.{from}."
                )
            }),
        );
    }
    match signing(dkim) {
        Signing::Usable(selectors) => Possible::Yes(format!(
            "d={d} aligns, with usable keys at {}",
            selectors.join(", ")
        )),
        Signing::Doubtful(selectors) => Possible::Doubtful(
            format!(
                "d={d} aligns, but its keys at {} are ones only some verifiers use (see dkim.key)",
                selectors.join(", ")
            ),
            format!("Publish a 2048-bit RSA key under a new selector of {d} and sign with it."),
        ),
        Signing::Broken => Possible::No(
            format!("no usable DKIM key at {d} (see the dkim checks)"),
            format!(
                "Publish a working key for the selector your signer uses under _domainkey.{d}."
            ),
        ),
        Signing::NoneFound => Possible::Unknown(format!(
            "no key found at {d} under the common selectors, so whether DKIM can pass is unknown"
        )),
        Signing::Failed(lookup) => Possible::Failed(lookup),
    }
}

fn alignment(ev: &DmarcFacts, dkim: &DkimFacts) -> Vec<Finding> {
    let (aspf, adkim) = modes(ev);
    let spf = spf_possible(ev, aspf);
    let dkim_side = dkim_possible(ev, dkim, adkim);
    let neither = matches!((&spf, &dkim_side), (Possible::No(..), Possible::No(..)));
    let note = Evidence::note(
        "alignment",
        format!(
            "From {} (organizational domain {}); return path {} (aspf={}); DKIM d={} (adkim={})",
            ev.domain,
            organizational_domain(&ev.domain),
            ev.return_path,
            aspf.as_str(),
            ev.dkim_domain,
            adkim.as_str()
        ),
    );
    let assumed = if ev.return_path_given {
        String::new()
    } else {
        format!(
            " (assuming the return path is {}; give --return-path for a relay's)",
            ev.domain
        )
    };
    let spf_finding = verdict(
        &DMARC_SPF_ALIGNMENT,
        "SPF",
        spf,
        neither,
        "DMARC then rests on aligned DKIM alone.",
        &assumed,
        &format!(
            "Retry: the records of {} are needed to judge SPF alignment.",
            ev.return_path
        ),
    )
    .evidence_all(ev.return_path_txt.iter().map(Evidence::from));
    let dkim_finding = verdict(
        &DMARC_DKIM_ALIGNMENT,
        "DKIM",
        dkim_side,
        neither,
        "DMARC then rests on aligned SPF alone, which mail forwarding breaks.",
        "",
        &format!(
            "Give the selector from the s= tag of a signed message: `deliv check {} --selector S`.",
            ev.domain
        ),
    );
    vec![
        spf_finding.evidence(note.clone()),
        dkim_finding.evidence(note),
    ]
}

/// One identifier's alignment finding: `fail` only when neither identifier can align.
fn verdict(
    check: &'static CheckDef,
    what: &str,
    possible: Possible<'_>,
    neither: bool,
    other_alone: &str,
    assumed: &str,
    unknown_fix: &str,
) -> Finding {
    match possible {
        Possible::Yes(why) => check.pass(format!("{what} can align: {why}{assumed}")),
        Possible::Failed(lookup) => check.lookup_error(lookup),
        Possible::Unknown(why) => check
            .info(format!("cannot tell whether {what} aligns: {why}"))
            .remediation(unknown_fix),
        Possible::Doubtful(why, fix) => check
            .warn(format!("{what} may not align everywhere: {why}"))
            .remediation(fix),
        Possible::No(why, fix) if neither => check
            .fail(format!("{what} cannot align: {why}"))
            .detail("Neither SPF nor DKIM can align, so DMARC fails for all mail from this domain.")
            .remediation(fix),
        Possible::No(why, fix) => check
            .warn(format!("{what} cannot align: {why}"))
            .detail(other_alone)
            .remediation(fix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::dkim::SelectorLookup;
    use crate::dns::{Failure, Outcome, Rdata, Source};

    const RSA1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC8Lu1K3zsC4JChMjlGkH9q2RK/3FYwBXmyhehOBfVa82dneHXR+cJOV1IGxzV3dskEh3pi+0G83pc519nTeiycj3ei2yM8FksZpVj2YCJzCakw5FZX9OrUW/TJUqxHktwwEZ6SymkVt0U1C1YN5iHDqF+yeol1WkegKQex81G8awIDAQAB";

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    fn txt(n: &str, records: &[&str]) -> Arc<Lookup> {
        let outcome = if records.is_empty() {
            Outcome::NxDomain
        } else {
            Outcome::Records(
                records
                    .iter()
                    .map(|r| Rdata::Txt(vec![r.as_bytes().to_vec()]))
                    .collect(),
            )
        };
        failed_or(n, outcome)
    }

    fn failed_or(n: &str, outcome: Outcome) -> Arc<Lookup> {
        Arc::new(Lookup {
            name: name(n),
            rtype: RType::Txt,
            aliases: Vec::new(),
            outcome,
            source: Source::Zone,
        })
    }

    fn dkim(domain: &str, keys: bool) -> DkimFacts {
        let record = format!("v=DKIM1; p={RSA1024}");
        let records: &[&str] = if keys { &[&record] } else { &[] };
        DkimFacts {
            domain: name(domain),
            given: false,
            selectors: vec![SelectorLookup {
                cname: None,
                selector: "s1".into(),
                txt: txt(&format!("s1._domainkey.{domain}"), records),
            }],
            domainkey: None,
        }
    }

    fn evidence(domain: &str, lookups: Vec<Arc<Lookup>>) -> DmarcFacts {
        DmarcFacts {
            domain: name(domain),
            discovery: discover(&lookups),
            lookups,
            authorizations: Vec::new(),
            return_path: name(domain),
            return_path_given: false,
            return_path_txt: Some(txt(domain, &["v=spf1 -all"])),
            dkim_domain: name(domain),
        }
    }

    fn statuses(findings: &[Finding]) -> Vec<(&'static str, Status)> {
        findings.iter().map(|f| (f.id(), f.status)).collect()
    }

    fn status_of(findings: &[Finding], id: &str) -> Option<Status> {
        findings.iter().find(|f| f.id() == id).map(|f| f.status)
    }

    #[test]
    fn healthy_record() {
        let ev = evidence(
            "example.com",
            vec![txt(
                "_dmarc.example.com",
                &["v=DMARC1; p=reject; rua=mailto:d@example.com"],
            )],
        );
        assert_eq!(
            statuses(&check(&ev, &dkim("example.com", true))),
            vec![
                ("dmarc.record", Status::Pass),
                ("dmarc.syntax", Status::Pass),
                ("dmarc.policy", Status::Pass),
                ("dmarc.reporting", Status::Pass),
                ("dmarc.spf-alignment", Status::Pass),
                ("dmarc.dkim-alignment", Status::Pass),
            ]
        );
    }

    #[test]
    fn the_organizational_record_applies_to_subdomains() {
        let ev = evidence(
            "mail.example.co.uk",
            vec![
                txt("_dmarc.mail.example.co.uk", &[]),
                txt("_dmarc.example.co.uk", &["v=DMARC1; p=reject; sp=none"]),
            ],
        );
        let f = check(&ev, &dkim("mail.example.co.uk", true));
        assert!(
            f[0].summary.contains("example.co.uk applies"),
            "{}",
            f[0].summary
        );
        let policy = f.iter().find(|f| f.id() == "dmarc.policy").unwrap();
        assert_eq!(policy.status, Status::Warn);
        assert!(policy.summary.starts_with("sp=none applies"));
        assert_eq!(status_of(&f, "dmarc.subdomain-policy"), Some(Status::Warn));
    }

    #[test]
    fn failures_stop_discovery() {
        let ev = evidence(
            "mail.example.com",
            vec![
                failed_or("_dmarc.mail.example.com", Outcome::Failed(Failure::Timeout)),
                txt("_dmarc.example.com", &["v=DMARC1; p=reject"]),
            ],
        );
        assert_eq!(
            status_of(&check(&ev, &dkim("mail.example.com", true)), "dmarc.record"),
            Some(Status::Error)
        );
    }

    #[test]
    fn missing_multiple_and_malformed() {
        let ev = evidence("example.com", vec![txt("_dmarc.example.com", &[])]);
        assert_eq!(
            status_of(&check(&ev, &dkim("example.com", true)), "dmarc.record"),
            Some(Status::Fail)
        );
        let ev = evidence(
            "example.com",
            vec![txt(
                "_dmarc.example.com",
                &["v=DMARC1; p=none", "v=DMARC1; p=reject"],
            )],
        );
        assert_eq!(
            status_of(&check(&ev, &dkim("example.com", true)), "dmarc.record"),
            Some(Status::Fail)
        );
        let ev = evidence(
            "example.com",
            vec![txt("_dmarc.example.com", &["v=dmarc1; p=reject"])],
        );
        let f = check(&ev, &dkim("example.com", true));
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].summary.contains("exactly v=DMARC1"),
            "{}",
            f[0].summary
        );
    }

    #[test]
    fn policy_verdicts() {
        for (record, id, status) in [
            (
                "v=DMARC1; p=none; rua=mailto:a@example.com",
                "dmarc.policy",
                Some(Status::Warn),
            ),
            (
                "v=DMARC1; rua=mailto:a@example.com",
                "dmarc.policy",
                Some(Status::Fail),
            ),
            (
                "v=DMARC1; p=reject; pct=20",
                "dmarc.pct",
                Some(Status::Warn),
            ),
            ("v=DMARC1; p=reject; t=y", "dmarc.pct", Some(Status::Warn)),
            ("v=DMARC1; p=none; pct=20", "dmarc.pct", None),
            (
                "v=DMARC1; p=reject; np=none",
                "dmarc.subdomain-policy",
                Some(Status::Info),
            ),
            (
                "v=DMARC1; p=reject; sp=reject",
                "dmarc.subdomain-policy",
                Some(Status::Pass),
            ),
            ("v=DMARC1; p=reject", "dmarc.reporting", Some(Status::Warn)),
            (
                "v=DMARC1; p=reject; pct=101",
                "dmarc.syntax",
                Some(Status::Fail),
            ),
            (
                "v=DMARC1; p=reject; rau=mailto:a@example.com",
                "dmarc.unknown-tag",
                Some(Status::Info),
            ),
        ] {
            let ev = evidence("example.com", vec![txt("_dmarc.example.com", &[record])]);
            let findings = check(&ev, &dkim("example.com", true));
            assert_eq!(status_of(&findings, id), status, "{record}");
        }
    }

    #[test]
    fn external_reports_need_authorization() {
        let lookups = vec![txt(
            "_dmarc.example.com",
            &[
                "v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:r@reports.example.net; ruf=mailto:f@sub.example.com",
            ],
        )];
        let destinations = external_destinations(&discover(&lookups));
        assert_eq!(
            destinations,
            vec![(
                name("reports.example.net"),
                Some(name("example.com._report._dmarc.reports.example.net"))
            )]
        );
        let mut ev = evidence("example.com", lookups);
        ev.authorizations = vec![Authorization {
            destination: name("reports.example.net"),
            lookup: Some(txt("example.com._report._dmarc.reports.example.net", &[])),
        }];
        let f = check(&ev, &dkim("example.com", true));
        let auth = f
            .iter()
            .find(|f| f.id() == "dmarc.report-authorization")
            .unwrap();
        assert_eq!(auth.status, Status::Warn);
        assert!(
            auth.remediation
                .as_deref()
                .unwrap()
                .contains("example.com._report._dmarc.reports.example.net. IN TXT \"v=DMARC1\"")
        );
        ev.authorizations[0].lookup = Some(txt(
            "example.com._report._dmarc.reports.example.net",
            &["v=DMARC1"],
        ));
        assert_eq!(
            status_of(
                &check(&ev, &dkim("example.com", true)),
                "dmarc.report-authorization"
            ),
            Some(Status::Pass)
        );
    }

    #[test]
    fn a_relay_bounce_domain_leaves_dmarc_on_dkim() {
        let mut ev = evidence(
            "example.com",
            vec![txt("_dmarc.example.com", &["v=DMARC1; p=reject"])],
        );
        ev.return_path = name("us-east-1.amazonses.com");
        ev.return_path_given = true;
        ev.return_path_txt = None;
        let f = check(&ev, &dkim("example.com", true));
        let spf = f.iter().find(|f| f.id() == "dmarc.spf-alignment").unwrap();
        assert_eq!(spf.status, Status::Warn);
        assert!(spf.detail.contains("DKIM alone"));
        assert!(
            spf.remediation
                .as_deref()
                .unwrap()
                .contains("custom MAIL FROM domain")
        );
        assert_eq!(status_of(&f, "dmarc.dkim-alignment"), Some(Status::Pass));
        // With DKIM signed by the relay's domain too, DMARC cannot pass at all.
        ev.dkim_domain = name("amazonses.com");
        let f = check(&ev, &dkim("amazonses.com", true));
        assert_eq!(status_of(&f, "dmarc.spf-alignment"), Some(Status::Fail));
        assert_eq!(status_of(&f, "dmarc.dkim-alignment"), Some(Status::Fail));
    }

    #[test]
    fn strict_modes_want_the_exact_domain() {
        let mut ev = evidence(
            "example.com",
            vec![txt(
                "_dmarc.example.com",
                &["v=DMARC1; p=reject; aspf=s; adkim=s"],
            )],
        );
        ev.return_path = name("bounce.example.com");
        ev.return_path_txt = Some(txt("bounce.example.com", &["v=spf1 -all"]));
        let f = check(&ev, &dkim("example.com", false));
        let spf = f.iter().find(|f| f.id() == "dmarc.spf-alignment").unwrap();
        assert_eq!(spf.status, Status::Warn);
        assert!(spf.summary.contains("aspf=s"));
        assert!(spf.remediation.as_deref().unwrap().contains("aspf=r"));
        assert_eq!(status_of(&f, "dmarc.dkim-alignment"), Some(Status::Info));
    }
}
