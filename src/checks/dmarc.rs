//! DMARC: the policy record (RFC 7489 §6), its report destinations (§7.1), and whether mail
//! from the domain can pass DMARC at all: SPF or DKIM aligned with the From domain (§3.1).
//!
//! Every suggested record is the whole record, corrected: a finding about one tag suggests
//! the record with that tag changed and every other problem of the record repaired too, so
//! following any one suggestion leaves a clean record.

use std::sync::Arc;

use futures_util::future::{BoxFuture, join_all};

use super::dkim::{DkimFacts, Signing, signing};
use super::spf::{self, SpfFacts, Standing};
use crate::checks::area::{AreaDef, Ctx, Facts, SubjectKind, facts};
use crate::checks::finding::{
    Area, Change, CheckDef, Evidence, Finding, Status, checks, has_placeholder, placeholder,
};
use crate::dmarc::discovery::{self, Discovery, PolicyLookup, Published};
use crate::dmarc::{
    Fallback, Fix, Mode, Policies, Policy, PolicyFault, Reading, Record, Relay, aligned, merge,
    organizational_domain,
};
use crate::dns::{Lookup, Name, Outcome, RType, Rdata, Resolver};
use crate::taglist::TagError;

pub const NAME: Area = Area::new("dmarc");

pub static AREA: AreaDef = AreaDef {
    area: NAME,
    subjects: &[SubjectKind::Domain],
    reads: &[spf::NAME, super::dkim::NAME],
    checks: CHECKS,
    gather: facts::<DmarcFacts>,
    check: |g| check(g.facts(), g.facts(), g.findings()),
};

checks! {
    area: NAME;

    /// ## What it checks
    /// That a DMARC record applies to the domain: one TXT record starting `v=DMARC1` at
    /// `_dmarc.<domain>`, or else at `_dmarc.<organizational domain>` (the registered domain,
    /// found with the Public Suffix List, so `mail.example.co.uk` falls back to
    /// `example.co.uk`). TXT records there that do not start with `v=DMARC1` are not DMARC
    /// records; two or more DMARC records mean none applies, and a malformed record that
    /// starts with `v=DMARC1` (`v=DMARC1 p=none`) counts as one beside a valid one, as
    /// receivers that test only that prefix count it. A record with a leading space or
    /// written `V=DMARC1` warns: some receivers discard it.
    ///
    /// ## Why it matters
    /// Without DMARC, receivers have no policy for mail that fails authentication and the
    /// owner gets no reports. Gmail and Yahoo require a DMARC record (at least `p=none`) from
    /// bulk senders, Outlook.com from senders of more than 5,000 messages a day.
    ///
    /// ## How to fix
    /// Publish one TXT record at the organizational domain, e.g.
    /// `_dmarc.example.com. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com"`; it
    /// covers subdomains too. Merge duplicates into one record; the finding gives the merged
    /// record, with the choices shown where the records disagree.
    DMARC_RECORD = "dmarc.record", "A DMARC record applies to the domain",
    references ["RFC 7489 §6.6.3", "https://support.google.com/a/answer/14229414",
                "https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// Every tag of the record: `p`, `sp`, `np` (none, quarantine, reject), `pct` (0–100),
    /// `adkim`/`aspf` (r or s), `fo` (0, 1, d, s), `rf` (afrf), `ri` (seconds), `rua`/`ruf`
    /// (`mailto:` URIs with an optional size limit such as `!10m`), `psd` and `t` (DMARCbis);
    /// tag syntax and repeated tags. The error shows the tag as written and its column. Tag
    /// names in capitals (`P=reject`) warn: receivers that compare names exactly ignore them.
    ///
    /// ## Why it matters
    /// Receivers ignore an invalid tag and use its default: a mistyped `p=rejected` leaves
    /// the domain without enforcement, a `rua` without `mailto:` without reports.
    ///
    /// ## How to fix
    /// Publish the corrected record the finding gives: the value evidently meant where there
    /// is one (`p=rejected` → `p=reject`, `adkim=relaxed` → `adkim=r`), otherwise without the
    /// tag, which is what receivers read now. Tags are `name=value` separated by `;`, each
    /// at most once.
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
    /// a record without `p=`, or with a `p`, `sp` or `np` that is not a policy, fails
    /// (RFC 7489 §6.6.3 then has receivers act as `p=none`, or apply no DMARC without a valid
    /// `rua`, while parsers that skip the bad tag apply the rest). A repeated tag makes
    /// receivers disagree (the first occurrence, the last, or no record at all): it fails
    /// when the readings differ and warns when only receivers that reject a repeated tag lose
    /// the policy.
    ///
    /// ## Why it matters
    /// `p=none` asks receivers to do nothing with mail that fails DMARC: it is monitoring,
    /// which is the right first step (Gmail, Yahoo and Outlook.com accept it) but does not
    /// stop anyone sending as the domain.
    ///
    /// ## How to fix
    /// Read the aggregate reports until every legitimate source passes DMARC, then move to
    /// `p=quarantine` and later to `p=reject`. For an invalid or repeated tag, publish the
    /// corrected record the finding gives, each tag once.
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
    /// That the record asks for aggregate reports (`rua`), and that the domain of each
    /// mailbox accepts mail: one with a null MX, one that does not exist, and one with no MX
    /// and no address receive nothing, so reports sent there are lost.
    ///
    /// ## Why it matters
    /// Aggregate reports are the only view of who sends as the domain and whether it passes;
    /// without them, moving from `p=none` to enforcement is guesswork. Yahoo strongly
    /// recommends `rua` for bulk senders.
    ///
    /// ## How to fix
    /// Add `rua=mailto:` with a mailbox you read or a DMARC report service's address, e.g.
    /// `rua=mailto:dmarc@example.com`, at a domain that receives mail.
    DMARC_REPORTING = "dmarc.reporting", "Aggregate reports are requested",
    references ["RFC 7489 §7.2", "RFC 7505", "https://senders.yahooinc.com/best-practices/"];

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
    /// it (`aspf=s`), and its SPF can give a pass that means something: a record that ends in
    /// permerror (a syntax error, a missing include, over 10 lookups…) never gives an aligned
    /// pass (RFC 7489 §4.2), and one passing every address gives it to anyone (fail). Without
    /// `--return-path`, an SPF include (at any depth) or a DKIM CNAME of a relay that sends
    /// with its own return path by default (Amazon SES) means SPF does not align for the mail
    /// that relay sends.
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
    references ["RFC 7489 §3.1.2", "RFC 7489 §4.2", "https://support.google.com/mail/answer/81126",
                "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/mail-from-set.html",
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

/// A report destination in another organizational domain and its authorization record.
#[derive(Debug, Clone)]
pub struct Authorization {
    pub destination: Name,
    /// `None` when `<domain>._report._dmarc.<destination>` would exceed DNS name limits.
    pub lookup: Option<Arc<Lookup>>,
}

/// Whether a domain accepts mail: its MX records, and when it has none its A and AAAA
/// (the implicit MX of RFC 5321 §5.1).
#[derive(Debug, Clone)]
pub struct MailDomain {
    pub domain: Name,
    pub mx: Arc<Lookup>,
    /// A and AAAA, asked when the MX answer is NODATA.
    pub addresses: Vec<Arc<Lookup>>,
}

/// What [`MailDomain`] shows.
enum Receives<'a> {
    Yes,
    /// Why mail to it never arrives.
    No(String),
    Failed(&'a Arc<Lookup>),
}

impl MailDomain {
    async fn gather(resolver: &Resolver, domain: &Name) -> MailDomain {
        let mx = resolver.query(domain, RType::Mx).await;
        let addresses = if mx.outcome == Outcome::NoData {
            let asked = [(domain.clone(), RType::A), (domain.clone(), RType::Aaaa)];
            resolver.query_all(&asked).await
        } else {
            Vec::new()
        };
        MailDomain {
            domain: domain.clone(),
            mx,
            addresses,
        }
    }

    fn receives(&self) -> Receives<'_> {
        let d = &self.domain;
        match &self.mx.outcome {
            Outcome::Failed(_) => Receives::Failed(&self.mx),
            Outcome::NxDomain => Receives::No(format!("{d} does not exist (NXDOMAIN)")),
            Outcome::Records(records) => {
                let null = records
                    .iter()
                    .all(|r| matches!(r, Rdata::Mx { exchange, .. } if exchange.is_root()));
                if null {
                    Receives::No(format!(
                        "{d} publishes a null MX: it accepts no mail (RFC 7505)"
                    ))
                } else {
                    Receives::Yes
                }
            }
            Outcome::NoData => {
                if let Some(failed) = self.addresses.iter().find(|l| l.failure().is_some()) {
                    Receives::Failed(failed)
                } else if self
                    .addresses
                    .iter()
                    .any(|l| l.addresses().next().is_some())
                {
                    Receives::Yes
                } else {
                    Receives::No(format!("{d} has no MX record and no address"))
                }
            }
        }
    }

    fn evidence(&self) -> Vec<Evidence> {
        std::iter::once(&self.mx)
            .chain(&self.addresses)
            .map(Evidence::from)
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct DmarcFacts {
    /// The From domain checked.
    pub domain: Name,
    /// `_dmarc.<domain>`, then `_dmarc.<organizational domain>`, and what they hold.
    pub policy: PolicyLookup,
    pub authorizations: Vec<Authorization>,
    /// The mail domains of the record's `rua` mailboxes and of the one deliv suggests
    /// (`dmarc@<organizational domain>`): reports sent where no mail is accepted are lost.
    pub mailboxes: Vec<MailDomain>,
    /// The envelope MAIL FROM domain: `--return-path`, or the domain itself.
    pub return_path: Name,
    pub return_path_given: bool,
    /// The return path's SPF, gathered when it can align with the domain.
    pub return_path_spf: Option<Arc<SpfFacts>>,
    /// The domain's own SPF: the relays its include tree names.
    pub spf: Arc<SpfFacts>,
    /// The DKIM `d=` domain: `--dkim-domain`, or the domain itself.
    pub dkim_domain: Name,
}

impl Facts for DmarcFacts {
    fn gather<'c>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, Self> {
        Box::pin(gather(ctx))
    }
}

async fn gather(ctx: &Ctx<'_>) -> DmarcFacts {
    let (resolver, domain, ids) = (ctx.resolver, ctx.domain(), &ctx.options.identifiers);
    let return_path = ids.return_path.clone().unwrap_or_else(|| domain.clone());
    let (policy, spf, return_path_spf) = tokio::join!(
        discovery::lookup(resolver, domain),
        ctx.get::<SpfFacts>(),
        async {
            if !aligned(&return_path, domain, Mode::Relaxed) {
                None
            } else if return_path == *domain {
                Some(ctx.get::<SpfFacts>().await)
            } else {
                Some(Arc::new(SpfFacts::gather_for(resolver, &return_path).await))
            }
        }
    );
    let destinations = external_destinations(&policy.discovery);
    let asked: Vec<(Name, RType)> = destinations
        .iter()
        .filter_map(|(_, q)| q.clone().map(|n| (n, RType::Txt)))
        .collect();
    let mail_domains = mail_domains(domain, &policy.discovery);
    let (answers, mailboxes) = tokio::join!(
        resolver.query_all(&asked),
        join_all(mail_domains.iter().map(|d| MailDomain::gather(resolver, d)))
    );
    let mut answers = answers.into_iter();
    let authorizations = destinations
        .into_iter()
        .map(|(destination, question)| Authorization {
            destination,
            lookup: question.and_then(|_| answers.next()),
        })
        .collect();
    DmarcFacts {
        domain: domain.clone(),
        policy,
        authorizations,
        mailboxes,
        return_path,
        return_path_given: ids.return_path.is_some(),
        return_path_spf,
        spf,
        dkim_domain: ids.dkim_domain.clone().unwrap_or_else(|| domain.clone()),
    }
}

/// Where reports go: the domains of the record's `rua` mailboxes (as written and as
/// corrected), and the organizational domain deliv suggests a mailbox in.
fn mail_domains(domain: &Name, discovery: &Discovery) -> Vec<Name> {
    let mut out = vec![home(domain, discovery)];
    if let Discovery::Found { record, .. } = discovery {
        let corrected = Record::read(&record.corrected(choice)).ok();
        for uri in record
            .rua
            .iter()
            .chain(corrected.iter().flat_map(|r| &r.rua))
        {
            if !out.contains(&uri.domain) {
                out.push(uri.domain.clone());
            }
        }
    }
    out
}

/// The organizational domain of the record that applies (of the domain when none does),
/// where a report mailbox needs no authorization.
fn home(domain: &Name, discovery: &Discovery) -> Name {
    organizational_domain(&discovery.policy_domain().unwrap_or_else(|| domain.clone()))
}

/// Report destinations outside the policy domain's organizational domain, each with the
/// name of its authorization record (RFC 7489 §7.1).
fn external_destinations(discovery: &Discovery) -> Vec<(Name, Option<Name>)> {
    let Discovery::Found { lookup, record } = discovery else {
        return Vec::new();
    };
    let owner = discovery::policy_domain(lookup);
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

/// How a choice the record cannot make is written in a suggested record: a placeholder
/// listing the values, strongest policy first, which no receiver accepts as it stands.
fn choice(options: &[String]) -> String {
    placeholder(&options.join(" or "))
}

/// The record with every correction of [`Record::fixes`], and `edits` on top (they win
/// where both name a tag): what a finding about the record suggests publishing, so that
/// following any one suggestion also repairs the rest.
fn rewritten(record: &Record, edits: &[Fix]) -> String {
    let mut fixes = edits.to_vec();
    fixes.extend(record.fixes(choice));
    record.fixed(&fixes)
}

fn set(name: &str, value: &str) -> Fix {
    Fix::Set {
        name: name.to_string(),
        value: value.to_string(),
    }
}

fn remove(name: &str) -> Fix {
    Fix::Remove {
        name: name.to_string(),
    }
}

/// What a record made to replace discarded or several records needs to be complete: a
/// policy (monitoring, to start) and a report address, where it has none.
fn completing(ev: &DmarcFacts, record: &Record) -> Vec<Fix> {
    let mut edits = Vec::new();
    if record.policy_faults.contains(&PolicyFault::NoPolicy) {
        edits.push(set("p", "none"));
    }
    let corrected = Record::read(&rewritten(record, &[])).ok();
    if corrected.is_none_or(|r| r.rua.is_empty()) {
        let org = home(&ev.domain, &ev.policy.discovery);
        edits.push(set("rua", &report_address(ev, &org)));
    }
    edits
}

/// The record at `lookup` replaced by `text`; no change when it would stay the same.
fn replacing(lookup: &Lookup, record: &Record, text: String) -> Option<Change> {
    (text != record.text).then(|| Change::replace(&lookup.name, "TXT", &record.text, text))
}

/// A report address to suggest: `dmarc@` the organizational domain when it accepts mail,
/// else a placeholder.
fn report_address(ev: &DmarcFacts, org: &Name) -> String {
    match ev.mailbox(org).map(MailDomain::receives) {
        Some(Receives::Yes) => format!("mailto:dmarc@{org}"),
        _ => format!("mailto:{}", placeholder("address for DMARC reports")),
    }
}

impl DmarcFacts {
    fn mailbox(&self, domain: &Name) -> Option<&MailDomain> {
        self.mailboxes.iter().find(|m| m.domain == *domain)
    }
}

pub fn check(ev: &DmarcFacts, dkim: &DkimFacts, findings: &[Finding]) -> Vec<Finding> {
    let mut out = match &ev.policy.discovery {
        Discovery::Failed(lookup) => vec![DMARC_RECORD.lookup_error(lookup)],
        Discovery::Missing => vec![missing(ev)],
        Discovery::Multiple { lookup, records } => vec![multiple(ev, lookup, records)],
        Discovery::Found { lookup, record } => found(ev, lookup, record),
    };
    out.extend(alignment(ev, dkim, findings));
    out
}

/// What a record receivers discard was evidently meant to be, cleaned of every other
/// problem: its mechanical correction, or the text read with `v=DMARC1` put in front.
fn meant(published: &Published) -> Option<Record> {
    match &published.read {
        Ok(record) => Some(record.clone()),
        Err(m) => m
            .corrected
            .clone()
            .or_else(|| Some(format!("v=DMARC1; {}", published.text)))
            .and_then(|text| Record::read(&text).ok()),
    }
}

fn missing(ev: &DmarcFacts) -> Finding {
    let org = organizational_domain(&ev.domain);
    let searched: Vec<String> = ev
        .policy
        .lookups
        .iter()
        .map(|l| l.name.to_string())
        .collect();
    // The first name holding records meant as DMARC that receivers discard: those are the
    // ones to repair.
    let discarded = ev
        .policy
        .lookups
        .iter()
        .map(|l| (l, discovery::published(l)))
        .find(|(_, p)| !p.is_empty());
    let fresh = format!("v=DMARC1; p=none; rua={}", report_address(ev, &org));
    let finding = match &discarded {
        Some((lookup, published)) => {
            let (first, why) = published
                .iter()
                .find_map(|p| p.read.as_ref().err().map(|m| (p, m)))
                .map_or((&published[0], String::new()), |(p, m)| (p, m.to_string()));
            let replacement =
                meant(first).map_or(fresh.clone(), |r| rewritten(&r, &completing(ev, &r)));
            let changes = std::iter::once(Change::replace(
                &lookup.name,
                "TXT",
                &first.text,
                replacement.clone(),
            ))
            .chain(
                published
                    .iter()
                    .filter(|p| p.text != first.text)
                    .map(|p| Change::remove(&lookup.name, "TXT", &p.text)),
            );
            DMARC_RECORD
                .fail(format!(
                    "no valid DMARC record: \"{}\" is not one ({why})",
                    first.text
                ))
                .remediation(format!(
                    "Replace the TXT record \"{}\" at {} with `{replacement}`, keeping no other \
                     record starting v=DMARC1 there.",
                    first.text, lookup.name
                ))
                .changes(changes)
        }
        None => DMARC_RECORD
            .fail(format!("no DMARC record at {}", searched.join(" or ")))
            .remediation(format!(
                "Publish `_dmarc.{org}. IN TXT \"{fresh}\"` (it covers subdomains too; the \
                 report mailbox must exist). Read the reports, then move to p=quarantine and \
                 p=reject."
            ))
            .change(Change::add(format!("_dmarc.{org}"), "TXT", fresh)),
    };
    finding
        .evidence_all(ev.policy.lookups.iter().map(Evidence::from))
        .detail(format!(
            "Receivers have no policy for mail that fails authentication as {}, and you get no \
             reports. Gmail and Yahoo bulk senders and Outlook.com high-volume senders need a \
             DMARC record.",
            ev.domain
        ))
}

fn multiple(ev: &DmarcFacts, lookup: &Arc<Lookup>, records: &[Published]) -> Finding {
    let malformed: Vec<String> = records
        .iter()
        .filter_map(|p| {
            p.read
                .as_ref()
                .err()
                .map(|m| format!("\"{}\" ({m})", p.text))
        })
        .collect();
    let readable: Vec<Record> = records.iter().filter_map(meant).collect();
    let refs: Vec<&Record> = readable.iter().collect();
    let one = merge(&refs).map(|r| rewritten(&r, &completing(ev, &r)));
    let mut finding = DMARC_RECORD
        .fail(format!(
            "{} holds {} DMARC records: receivers apply none",
            lookup.name,
            records.len()
        ))
        .evidence(lookup);
    if !malformed.is_empty() {
        finding = finding.detail(format!(
            "Malformed, but starting with v=DMARC1, so receivers that test only that count it: \
             {}.",
            malformed.join("; ")
        ));
    }
    let Some(one) = one else {
        return finding.remediation(format!(
            "Keep exactly one TXT record starting v=DMARC1 at {}.",
            lookup.name
        ));
    };
    let (first, rest) = records
        .split_first()
        .map_or((None, &[][..]), |(f, r)| (Some(f), r));
    let changes = first
        .filter(|f| f.text != one)
        .map(|f| Change::replace(&lookup.name, "TXT", &f.text, one.clone()))
        .into_iter()
        .chain(
            rest.iter()
                .map(|p| Change::remove(&lookup.name, "TXT", &p.text)),
        );
    finding
        .remediation(format!(
            "Keep one TXT record starting v=DMARC1 at {}, with the tags you need from each: \
             `{one}`{}.",
            lookup.name,
            if has_placeholder(&one) {
                " (where they disagree, pick the value you mean)"
            } else {
                ""
            }
        ))
        .changes(changes)
}

fn found(ev: &DmarcFacts, lookup: &Arc<Lookup>, record: &Record) -> Vec<Finding> {
    let owner = discovery::policy_domain(lookup);
    let inherited = owner != ev.domain;
    let corrected = rewritten(record, &[]);
    let (discarded_by_some, tag_case): (Vec<&TagError>, Vec<&TagError>) =
        record.lenient.iter().partition(|e| {
            e.tag
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("v"))
        });
    let where_ = if inherited {
        format!(
            "no record at _dmarc.{}; the record of its organizational domain {owner} applies",
            ev.domain
        )
    } else {
        format!("DMARC record at {}", lookup.name)
    };
    let mut out = vec![
        match discarded_by_some.first() {
            None => DMARC_RECORD.pass(where_),
            Some(e) => DMARC_RECORD
                .warn(format!(
                    "{where_}, but some receivers discard it: {}",
                    e.reason
                ))
                .evidence(Evidence::note("position", e.pointer(&record.text)))
                .remediation(format!(
                    "Replace the record at {} with `{corrected}`.",
                    lookup.name
                ))
                .changes(replacing(lookup, record, corrected.clone())),
        }
        .evidence_all(ev.policy.lookups.iter().map(Evidence::from)),
    ];
    out.push(syntax(lookup, record, &corrected, &tag_case));
    if !record.unknown.is_empty() {
        let tags: Vec<&str> = record.unknown.iter().map(|t| t.text.as_str()).collect();
        let edits: Vec<Fix> = record.unknown.iter().map(|t| remove(&t.name)).collect();
        out.push(
            DMARC_UNKNOWN_TAG
                .info(format!("unknown tag(s) {}; receivers ignore them", tags.join(", ")))
                .evidence(lookup)
                .remediation("Check the spelling against the DMARC tags (p, sp, np, pct, adkim, aspf, fo, rf, ri, rua, ruf, psd, t) or remove the tag.")
                .changes(replacing(lookup, record, rewritten(record, &edits))),
        );
    }
    out.extend(policy(ev, lookup, record, inherited));
    out.extend(subdomains(lookup, record));
    out.push(reporting(ev, lookup, record, &owner));
    out.extend(ev.authorizations.iter().map(|a| authorization(&owner, a)));
    out
}

fn syntax(
    lookup: &Arc<Lookup>,
    record: &Record,
    corrected: &str,
    tag_case: &[&TagError],
) -> Finding {
    let problems: Vec<&TagError> = record
        .errors
        .iter()
        .chain(tag_case.iter().copied())
        .collect();
    let Some(first) = problems.first() else {
        return DMARC_SYNTAX.pass("every tag is valid");
    };
    let finding = if record.errors.is_empty() {
        DMARC_SYNTAX
            .warn(format!("{first}"))
            .detail("Receivers that compare tag names exactly ignore such a tag.")
    } else {
        DMARC_SYNTAX
            .fail(format!("invalid tag {first}"))
            .detail(match problems.len() {
                1 => "Receivers ignore an invalid tag and use its default.".to_string(),
                _ => format!(
                    "Receivers ignore invalid tags and use their defaults. All problems: {}",
                    problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            })
    };
    let fixes = record.fixes(choice);
    let listed: Vec<String> = fixes.iter().map(ToString::to_string).collect();
    let how = if listed.is_empty() {
        String::new()
    } else {
        format!(" ({})", listed.join("; "))
    };
    let dropped = if fixes.iter().any(|f| !matches!(f, Fix::Set { .. })) {
        " A tag deliv could not correct is left out, so receivers use its default as they do \
         now; see `deliv explain dmarc.syntax` for the values each tag takes."
    } else {
        ""
    };
    let pick = if has_placeholder(corrected) {
        " Where the record cannot say which value you meant, it shows the choices: pick one."
    } else {
        ""
    };
    finding
        .evidence(lookup)
        .evidence(Evidence::note("position", first.pointer(&record.text)))
        .remediation(format!(
            "Replace the record at {} with `{corrected}`{how}.{dropped}{pick}",
            lookup.name
        ))
        .changes(replacing(lookup, record, corrected.to_string()))
}

/// What receivers may apply when the record's policy is not clear.
fn unclear(reading: &Reading) -> String {
    let name = |p: &Option<Policies>| match p {
        Some(p) => format!("p={}", p.p),
        None => "no policy".to_string(),
    };
    match reading {
        Reading::Clear(p) => format!("p={}", p.p),
        Reading::Invalid {
            fallback, lenient, ..
        } => {
            let rfc = match fallback {
                Fallback::AsNone => {
                    "receivers that follow RFC 7489 §6.6.3 treat it as p=none (its rua= is valid)"
                }
                Fallback::NoDmarc => {
                    "receivers that follow RFC 7489 §6.6.3 apply no DMARC at all (it has no valid rua=)"
                }
            };
            match lenient {
                Some(l) => format!(
                    "{rfc}; receivers that skip the bad tag apply p={}; some discard the record",
                    l.p
                ),
                None => format!("{rfc}; some discard the record"),
            }
        }
        Reading::Ambiguous { first, last, .. } => format!(
            "receivers that keep the first occurrence apply {}, those that keep the last {}, and \
             those that reject a repeated tag (RFC 6376 §3.2, whose syntax DMARC uses) see no \
             record",
            name(first),
            name(last)
        ),
    }
}

fn policy(ev: &DmarcFacts, lookup: &Arc<Lookup>, record: &Record, inherited: bool) -> Vec<Finding> {
    let replace_with = |edits: &[Fix]| replacing(lookup, record, rewritten(record, edits));
    let reading = record.reading();
    let policies = match &reading {
        Reading::Clear(p) => *p,
        Reading::Invalid { faults, .. } => {
            let no_p = faults.contains(&PolicyFault::NoPolicy);
            let what: Vec<String> = faults
                .iter()
                .map(|f| match f {
                    PolicyFault::NoPolicy => "the record has no p= tag".to_string(),
                    PolicyFault::Invalid(e) => format!("{} is not a policy", e.text),
                })
                .collect();
            let edits = if no_p {
                vec![set("p", "none")]
            } else {
                Vec::new()
            };
            let fixed = rewritten(record, &edits);
            return vec![
                DMARC_POLICY
                    .fail(what.join("; "))
                    .evidence(lookup)
                    .detail(if no_p && faults.len() == 1 {
                        "Receivers treat such a record as p=none when rua= is valid and ignore it otherwise (RFC 7489 §6.6.3).".to_string()
                    } else {
                        format!("The policy as written applies nowhere: {}.", unclear(&reading))
                    })
                    .remediation(format!(
                        "Replace the record at {} with `{fixed}`{}.",
                        lookup.name,
                        if no_p {
                            " (p=none gathers reports; then quarantine, then reject)"
                        } else {
                            ""
                        }
                    ))
                    .changes(replace_with(&edits)),
            ];
        }
        Reading::Ambiguous {
            repeated,
            first,
            last,
        } => {
            let names: Vec<String> = repeated.iter().map(|r| format!("{}=", r.name)).collect();
            let finding = if first == last {
                DMARC_POLICY.warn(format!(
                    "{} given more than once: {}",
                    names.join(", "),
                    unclear(&reading)
                ))
            } else {
                DMARC_POLICY.fail(format!(
                    "{} given more than once, so receivers disagree: {}",
                    names.join(", "),
                    unclear(&reading)
                ))
            };
            let fixed = rewritten(record, &[]);
            return vec![
                finding
                    .evidence(lookup)
                    .remediation(format!(
                        "Replace the record at {} with `{fixed}`, each tag once{}.",
                        lookup.name,
                        if has_placeholder(&fixed) {
                            " (pick the value you mean where it shows the choices)"
                        } else {
                            ""
                        }
                    ))
                    .changes(replace_with(&[])),
            ];
        }
    };
    let (applied, how) = match policies.sp {
        Some(sp) if inherited => (
            sp,
            format!("sp={sp} applies to {} as a subdomain", ev.domain),
        ),
        _ => (policies.p, format!("p={}", policies.p)),
    };
    let mut out = vec![match applied {
        Policy::None => {
            // One step up, for the policy that applies; a weaker sp= follows so that
            // subdomains do not fall behind.
            let edits: Vec<Fix> = if inherited && policies.sp.is_some() {
                if policies.p >= Policy::Quarantine {
                    vec![remove("sp")]
                } else {
                    vec![set("sp", "quarantine")]
                }
            } else if policies.sp.is_some_and(|sp| sp < Policy::Quarantine) {
                vec![set("p", "quarantine"), set("sp", "quarantine")]
            } else {
                vec![set("p", "quarantine")]
            };
            DMARC_POLICY
                .warn(format!("{how}: monitoring only, receivers act on no failing mail"))
                .evidence(lookup)
                .detail("p=none is the right start: it gathers reports without risk. It does not stop anyone from sending as the domain.")
                .remediation(format!(
                    "When the aggregate reports show every legitimate source passing, replace the record at {} with `{}`, later with p=reject.",
                    lookup.name,
                    rewritten(record, &edits)
                ))
                .changes(replace_with(&edits))
        }
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
        let edits = [remove("pct"), remove("t")];
        out.push(
            DMARC_PCT
                .warn(what)
                .evidence(lookup)
                .remediation(format!(
                    "Once the reports show no legitimate mail failing, replace the record at {} with `{}` (100% is the default).",
                    lookup.name,
                    rewritten(record, &edits)
                ))
                .changes(replace_with(&edits)),
        );
    }
    out
}

fn subdomains(lookup: &Arc<Lookup>, record: &Record) -> Option<Finding> {
    let Reading::Clear(policies) = record.reading() else {
        return None;
    };
    let (p, sub) = (policies.p, policies.subdomain());
    let replace_with = |edits: &[Fix]| replacing(lookup, record, rewritten(record, edits));
    if let Some(sp) = policies.sp.filter(|sp| *sp < p) {
        return Some(
            DMARC_SUBDOMAIN_POLICY
                .warn(format!(
                    "sp={sp} is weaker than p={p}: subdomains are easier to spoof"
                ))
                .evidence(lookup)
                .remediation(format!(
                    "Replace the record at {} with `{}`: without sp=, subdomains get p={p}.",
                    lookup.name,
                    rewritten(record, &[remove("sp")])
                ))
                .changes(replace_with(&[remove("sp")])),
        );
    }
    if let Some(np) = policies.np.filter(|np| *np < sub) {
        return Some(
            DMARC_SUBDOMAIN_POLICY
                .info(format!("np={np} is weaker than the policy for existing subdomains ({sub})"))
                .evidence(lookup)
                .detail("np applies to subdomains that do not exist, which no one sends from legitimately.")
                .remediation(format!(
                    "Replace the record at {} with `{}`.",
                    lookup.name,
                    rewritten(record, &[set("np", "reject")])
                ))
                .changes(replace_with(&[set("np", "reject")])),
        );
    }
    (policies.sp.is_some() || policies.np.is_some()).then(|| {
        DMARC_SUBDOMAIN_POLICY.pass(format!("subdomain policy {sub} is as strict as p={p}"))
    })
}

fn reporting(ev: &DmarcFacts, lookup: &Arc<Lookup>, record: &Record, owner: &Name) -> Finding {
    let org = organizational_domain(owner);
    // The destinations of the corrected record that can receive, else a mailbox at home.
    let corrected = Record::read(&rewritten(record, &[])).ok();
    let live: Vec<&str> = corrected
        .iter()
        .flat_map(|r| &r.rua)
        .filter(|u| {
            !matches!(
                ev.mailbox(&u.domain).map(MailDomain::receives),
                Some(Receives::No(_))
            )
        })
        .map(|u| u.uri.as_str())
        .collect();
    let rua = if live.is_empty() {
        report_address(ev, &org)
    } else {
        live.join(",")
    };
    let edits = [set("rua", &rua)];
    let fixed = rewritten(record, &edits);
    let advice = |finding: Finding| {
        finding
            .evidence(lookup)
            .remediation(format!(
                "Replace the record at {} with `{fixed}` (the mailbox must exist; a mailbox in \
                 {org} needs no authorization).",
                lookup.name
            ))
            .changes(replacing(lookup, record, fixed.clone()))
    };
    if record.rua.is_empty() {
        let invalid = record.errors.iter().any(|e| {
            e.tag
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("rua"))
        });
        return advice(DMARC_REPORTING.warn(if invalid {
            "rua= is not valid (see dmarc.syntax): no aggregate reports arrive"
        } else {
            "no rua=: no aggregate reports, so no view of who sends as the domain"
        }));
    }
    let mut dead = Vec::new();
    let mut evidence = Vec::new();
    let mut failed = None;
    for uri in &record.rua {
        let Some(mailbox) = ev.mailbox(&uri.domain) else {
            continue;
        };
        match mailbox.receives() {
            Receives::Yes => {}
            Receives::No(why) => {
                if !dead.iter().any(|(_, w): &(&str, String)| *w == why) {
                    evidence.extend(mailbox.evidence());
                }
                dead.push((uri.uri.as_str(), why));
            }
            Receives::Failed(lookup) => failed = failed.or(Some(lookup)),
        }
    }
    if !dead.is_empty() {
        let whom: Vec<&str> = dead.iter().map(|(u, _)| *u).collect();
        let mut whys: Vec<&str> = dead.iter().map(|(_, w)| w.as_str()).collect();
        whys.dedup();
        let all = dead.len() == record.rua.len();
        return advice(
            DMARC_REPORTING
                .warn(format!(
                    "{}reports to {} never arrive: {}",
                    if all {
                        "no aggregate reports arrive: "
                    } else {
                        ""
                    },
                    whom.join(", "),
                    whys.join("; ")
                ))
                .evidence_all(evidence),
        );
    }
    if let Some(lookup) = failed {
        return DMARC_REPORTING.lookup_error(lookup);
    }
    let to: Vec<&str> = record.rua.iter().map(|u| u.uri.as_str()).collect();
    DMARC_REPORTING.pass(format!("aggregate reports go to {}", to.join(", ")))
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
        .any(|t| Record::read(&String::from_utf8_lossy(&t)).is_ok());
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
            .change(Change::add(&record, "TXT", "v=DMARC1"))
    }
}

/// What to change so that an identifier can align: the text, and the records when the fix
/// is one deliv can write.
struct Fixing {
    text: String,
    changes: Vec<Change>,
}

impl Fixing {
    fn text(text: impl Into<String>) -> Fixing {
        Fixing {
            text: text.into(),
            changes: Vec::new(),
        }
    }
}

/// Whether one identifier can make DMARC pass.
enum Possible {
    Yes(String),
    /// Why not, and what to change.
    No(String, Fixing),
    /// It passes for anyone: why, and what to change.
    Open(String, Fixing),
    Unknown(String),
    /// It can, for some receivers only: why, and what to change.
    Doubtful(String, Fixing),
    Failed(Arc<Lookup>),
}

fn modes(ev: &DmarcFacts) -> (Mode, Mode) {
    match &ev.policy.discovery {
        Discovery::Found { record, .. } => (record.aspf, record.adkim),
        _ => (Mode::Relaxed, Mode::Relaxed),
    }
}

/// Why `identifier` does not align with the From domain under `mode`, and the fix when only
/// strict mode stands in the way (`tag=r` in the record).
fn misaligned(
    ev: &DmarcFacts,
    identifier: &Name,
    mode: Mode,
    tag: &str,
) -> Option<(String, Option<Fixing>)> {
    let from = &ev.domain;
    if aligned(identifier, from, mode) {
        return None;
    }
    Some(if aligned(identifier, from, Mode::Relaxed) {
        let changes = match &ev.policy.discovery {
            Discovery::Found { lookup, record } => {
                replacing(lookup, record, rewritten(record, &[set(tag, "r")]))
                    .into_iter()
                    .collect()
            }
            _ => Vec::new(),
        };
        (
            format!("{tag}=s asks for exactly {from}, and {identifier} is a subdomain"),
            Some(Fixing {
                text: format!("Set {tag}=r in the DMARC record, or use {from} itself."),
                changes,
            }),
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

/// A relay the evidence shows sending for the domain, and what shows it.
struct Sighting {
    relay: &'static Relay,
    seen: String,
}

/// Relays that send with a return path of their own, seen in the domain's SPF tree (an
/// include or redirect at any depth) or in the CNAMEs of its DKIM selectors.
fn relays(ev: &DmarcFacts, dkim: &DkimFacts) -> Vec<Sighting> {
    let tree = &ev.spf.tree;
    let parents = tree.parents(|_| true);
    let mut out: Vec<Sighting> = Vec::new();
    let mut add = |relay: &'static Relay, seen: String| {
        if !out.iter().any(|s| std::ptr::eq(s.relay, relay)) {
            out.push(Sighting { relay, seen });
        }
    };
    for (id, node) in tree.nodes() {
        for edge in &node.edges {
            if let Some(relay) = Relay::by_spf(&edge.target) {
                add(
                    relay,
                    format!("SPF: {} → {}", tree.path(&parents, id), edge.term),
                );
            }
        }
    }
    for s in &dkim.selectors {
        let cname = s.cname.as_deref().and_then(|l| {
            l.records().iter().find_map(|r| match r {
                Rdata::Cname(target) => Some(target),
                _ => None,
            })
        });
        if let Some(target) = s.txt.aliases.last().or(cname)
            && let Some(relay) = Relay::by_dkim(target)
        {
            add(relay, format!("DKIM: {} → CNAME {target}", s.txt.name));
        }
    }
    out
}

/// What sets a relay's return path under the From domain: how, and the records of a
/// `bounce.` subdomain, with the region written in when `return_path` names it.
fn custom_mail_from(relay: &Relay, return_path: &Name, from: &Name) -> Fixing {
    let name = format!("bounce.{from}");
    let region = relay
        .region(return_path)
        .unwrap_or_else(|| placeholder(&format!("{} region", relay.name)));
    let records = relay.mail_from_records(&region);
    let listed: Vec<String> = records
        .iter()
        .map(|(t, d)| {
            format!(
                "`{name}. IN {t} {}`",
                if *t == RType::Txt {
                    format!("\"{d}\"")
                } else {
                    d.clone()
                }
            )
        })
        .collect();
    Fixing {
        text: format!(
            "{} sends with its own MAIL FROM domain unless told otherwise. To make SPF align, \
             give it a custom MAIL FROM domain under {from}, e.g. {name}: {}. Then publish {}. \
             DKIM signed with d={from} keeps DMARC passing meanwhile.",
            relay.name,
            relay.how,
            listed.join(" and ")
        ),
        changes: records
            .into_iter()
            .map(|(t, d)| Change::add(&name, &t.to_string(), d))
            .collect(),
    }
}

/// The SPF findings this run holds at `fail`, and the changes when exactly one carries
/// them (several would edit the same record each their own way).
fn spf_failures(findings: &[Finding]) -> (Vec<&Finding>, Vec<Change>) {
    let failing: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.check.area == spf::NAME && f.status == Status::Fail)
        .collect();
    let with_changes: Vec<&&Finding> = failing.iter().filter(|f| !f.changes.is_empty()).collect();
    let changes = match with_changes.as_slice() {
        [one] => one.changes.clone(),
        _ => Vec::new(),
    };
    (failing, changes)
}

fn spf_possible(ev: &DmarcFacts, dkim: &DkimFacts, findings: &[Finding], mode: Mode) -> Possible {
    let (rp, from) = (&ev.return_path, &ev.domain);
    if let Some((why, fix)) = misaligned(ev, rp, mode, "aspf") {
        let fix = fix.unwrap_or_else(|| match Relay::by_mail_from(rp) {
            Some(relay) => custom_mail_from(relay, rp, from),
            None => Fixing::text(format!(
                "At the service that sends with return path {rp}, set a custom return-path \
                 (MAIL FROM, bounce) domain under {from}, e.g. bounce.{from}, and publish the \
                 records it gives (usually MX or CNAME, and SPF). Until then make sure it signs \
                 with d={from}."
            )),
        });
        return Possible::No(why, fix);
    }
    if !ev.return_path_given
        && let Some(s) = relays(ev, dkim).into_iter().next()
    {
        return Possible::No(
            format!(
                "{} sends for {from} ({}), and its mail carries a return path under {} unless a \
                 custom MAIL FROM domain is set there, so SPF passes for the relay, not for \
                 {from}",
                s.relay.name, s.seen, s.relay.mail_from,
            ),
            {
                let mut fix = custom_mail_from(s.relay, rp, from);
                fix.text.push_str(
                    " If it is set already, check again with --return-path and that domain.",
                );
                fix
            },
        );
    }
    let Some(spf) = &ev.return_path_spf else {
        return Possible::Unknown(format!("the SPF record of {rp} was not asked"));
    };
    let own = rp == from;
    let fix = |what: &str| {
        if own {
            let (failing, changes) = spf_failures(findings);
            let ids: Vec<&str> = failing.iter().map(|f| f.id()).collect();
            Fixing {
                text: format!(
                    "{what} ({}).",
                    if ids.is_empty() {
                        "see the spf checks".to_string()
                    } else {
                        format!("see {}", ids.join(", "))
                    }
                ),
                changes,
            }
        } else {
            Fixing::text(format!("{what} (see `deliv spf {rp}`)."))
        }
    };
    match spf.standing() {
        Standing::Usable => Possible::Yes(format!(
            "the return path {rp} aligns and its SPF record lists who may send with it"
        )),
        Standing::NoRecord if !own => {
            let record = format!(
                "v=spf1 include:{} -all",
                placeholder("your provider's SPF domain")
            );
            Possible::No(
                format!("{rp} publishes no SPF record, so SPF cannot pass for it"),
                Fixing {
                    text: format!(
                        "Publish one SPF record at {rp} listing the hosts that send with this \
                         return path, e.g. `{rp}. IN TXT \"{record}\"`."
                    ),
                    changes: vec![Change::add(rp, "TXT", record)],
                },
            )
        }
        Standing::NoRecord => Possible::No(
            format!("{rp} publishes no SPF record, so SPF cannot pass for it"),
            fix(&format!("Publish an SPF record at {rp}")),
        ),
        Standing::PermError(why) => Possible::No(
            format!("SPF for {rp} ends in permerror ({why}), which is never an aligned pass"),
            fix(&format!("Repair the SPF record of {rp}")),
        ),
        Standing::Permissive { term, path } => Possible::Open(
            format!(
                "SPF for {rp} passes every address ({term}, via {path}): anyone's mail with \
                 this return path passes DMARC"
            ),
            fix(&format!("Remove {term} from the SPF tree of {rp}")),
        ),
        Standing::Unknown(lookup) => Possible::Failed(lookup),
    }
}

fn dkim_possible(ev: &DmarcFacts, dkim: &DkimFacts, mode: Mode) -> Possible {
    let (d, from) = (&ev.dkim_domain, &ev.domain);
    if let Some((why, fix)) = misaligned(ev, d, mode, "adkim") {
        return Possible::No(
            why,
            fix.unwrap_or_else(|| {
                Fixing::text(format!(
                    "Have the service that signs with d={d} sign with your domain instead (its \
                     \"domain authentication\" or \"custom DKIM\" setting) and publish the keys or \
                     CNAMEs it gives under _domainkey.{from}."
                ))
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
            Fixing::text(format!(
                "Publish a 2048-bit RSA key under a new selector of {d} and sign with it."
            )),
        ),
        Signing::Broken => Possible::No(
            format!("no usable DKIM key at {d} (see the dkim checks)"),
            Fixing::text(format!(
                "Publish a working key for the selector your signer uses under _domainkey.{d}."
            )),
        ),
        Signing::NoneFound => Possible::Unknown(format!(
            "no key found at {d} under the common selectors, so whether DKIM can pass is unknown"
        )),
        Signing::Failed(lookup) => Possible::Failed(lookup.clone()),
    }
}

fn alignment(ev: &DmarcFacts, dkim: &DkimFacts, findings: &[Finding]) -> Vec<Finding> {
    let (aspf, adkim) = modes(ev);
    let spf_side = spf_possible(ev, dkim, findings, aspf);
    let dkim_side = dkim_possible(ev, dkim, adkim);
    let neither = matches!(
        (&spf_side, &dkim_side),
        (Possible::No(..), Possible::No(..))
    );
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
    let sightings: Vec<Evidence> = relays(ev, dkim)
        .into_iter()
        .map(|s| Evidence::note(s.relay.name, s.seen))
        .collect();
    let spf_finding = verdict(
        &DMARC_SPF_ALIGNMENT,
        "SPF",
        spf_side,
        neither,
        "DMARC then rests on aligned DKIM alone.",
        &assumed,
        &format!(
            "Retry: the records of {} are needed to judge SPF alignment.",
            ev.return_path
        ),
    )
    .evidence_all(
        ev.return_path_spf
            .iter()
            .map(|spf| Evidence::from(&spf.tree.root().txt)),
    )
    .evidence_all(sightings);
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

/// One identifier's alignment finding: `fail` when neither identifier can align, or when it
/// passes for anyone.
fn verdict(
    check: &'static CheckDef,
    what: &str,
    possible: Possible,
    neither: bool,
    other_alone: &str,
    assumed: &str,
    unknown_fix: &str,
) -> Finding {
    let advise = |finding: Finding, fix: Fixing| finding.remediation(fix.text).changes(fix.changes);
    match possible {
        Possible::Yes(why) => check.pass(format!("{what} can align: {why}{assumed}")),
        Possible::Failed(lookup) => check.lookup_error(&lookup),
        Possible::Unknown(why) => check
            .info(format!("cannot tell whether {what} aligns: {why}"))
            .remediation(unknown_fix),
        Possible::Doubtful(why, fix) => advise(
            check.warn(format!("{what} may not align everywhere: {why}")),
            fix,
        ),
        Possible::Open(why, fix) => advise(
            check
                .fail(format!("{what} aligns for anyone: {why}"))
                .detail("A pass that any sender gets proves nothing; DMARC then protects nothing."),
            fix,
        ),
        Possible::No(why, fix) if neither => advise(
            check.fail(format!("{what} cannot align: {why}")).detail(
                "Neither SPF nor DKIM can align, so DMARC fails for all mail from this domain.",
            ),
            fix,
        ),
        Possible::No(why, fix) => advise(
            check
                .warn(format!("{what} cannot align: {why}"))
                .detail(other_alone),
            fix,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::dkim::SelectorLookup;
    use crate::dns::{Failure, Source};
    use crate::spf::Qualifier;
    use crate::spf::tree::{Count, Edge, Link, Node, Tree, parse_txt};

    const RSA1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC8Lu1K3zsC4JChMjlGkH9q2RK/3FYwBXmyhehOBfVa82dneHXR+cJOV1IGxzV3dskEh3pi+0G83pc519nTeiycj3ei2yM8FksZpVj2YCJzCakw5FZX9OrUW/TJUqxHktwwEZ6SymkVt0U1C1YN5iHDqF+yeol1WkegKQex81G8awIDAQAB";

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
        lookup(n, RType::Txt, outcome)
    }

    fn failed(n: &str, rtype: RType) -> Arc<Lookup> {
        lookup(n, rtype, Outcome::Failed(Failure::Timeout))
    }

    /// SPF facts of `domain` holding `records`, including `includes` (not followed).
    fn spf(domain: &str, records: &[&str], includes: &[&str]) -> Arc<SpfFacts> {
        let txt = txt(domain, records);
        let node = Node {
            domain: name(domain),
            parsed: parse_txt(&txt),
            lookalikes: Vec::new(),
            txt,
            edges: includes
                .iter()
                .map(|target| Edge {
                    term: format!("include:{target}"),
                    qualifier: Qualifier::Pass,
                    redirect: false,
                    target: name(target),
                    position: 1,
                    link: Link::BeyondLimit,
                })
                .collect(),
            targets: Vec::new(),
            before: 0,
            lookups: Count::default(),
        };
        Arc::new(SpfFacts {
            domain: name(domain),
            tree: Tree::from_nodes(vec![node]),
            spf_type: lookup(domain, RType::Spf, Outcome::NoData),
            own_hosts: None,
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

    /// A domain that receives mail at one MX host.
    fn receiving(domain: &str) -> MailDomain {
        MailDomain {
            domain: name(domain),
            mx: lookup(
                domain,
                RType::Mx,
                Outcome::Records(vec![Rdata::Mx {
                    preference: 10,
                    exchange: name(&format!("mx.{domain}")),
                }]),
            ),
            addresses: Vec::new(),
        }
    }

    fn evidence(domain: &str, lookups: Vec<Arc<Lookup>>) -> DmarcFacts {
        let spf = spf(domain, &["v=spf1 ip4:192.0.2.1 -all"], &[]);
        let policy = PolicyLookup {
            domain: name(domain),
            discovery: discovery::discover(&lookups),
            lookups,
        };
        DmarcFacts {
            domain: name(domain),
            mailboxes: vec![receiving(organizational_domain(&name(domain)).as_str())],
            policy,
            authorizations: Vec::new(),
            return_path: name(domain),
            return_path_given: false,
            return_path_spf: Some(spf.clone()),
            spf,
            dkim_domain: name(domain),
        }
    }

    fn record(domain: &str, text: &str) -> DmarcFacts {
        evidence(domain, vec![txt(&format!("_dmarc.{domain}"), &[text])])
    }

    fn run(ev: &DmarcFacts) -> Vec<Finding> {
        check(ev, &dkim(ev.domain.as_str(), true), &[])
    }

    fn statuses(findings: &[Finding]) -> Vec<(&'static str, Status)> {
        findings.iter().map(|f| (f.id(), f.status)).collect()
    }

    fn get<'a>(findings: &'a [Finding], check: &CheckDef) -> &'a Finding {
        findings
            .iter()
            .find(|f| f.is(check))
            .unwrap_or_else(|| panic!("no {}: {:?}", check.id, statuses(findings)))
    }

    fn status_of(findings: &[Finding], check: &CheckDef) -> Option<Status> {
        findings.iter().find(|f| f.is(check)).map(|f| f.status)
    }

    /// The one replacement a finding suggests for the DMARC record.
    fn replacement(finding: &Finding) -> &str {
        match finding.changes.as_slice() {
            [
                Change {
                    action: crate::checks::finding::Action::Replace,
                    data,
                    ..
                },
            ] => data,
            other => panic!("{}: {other:?}", finding.id()),
        }
    }

    #[test]
    fn healthy_record() {
        let ev = record(
            "example.com",
            "v=DMARC1; p=reject; rua=mailto:d@example.com",
        );
        assert_eq!(
            statuses(&run(&ev)),
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
        let f = run(&ev);
        assert!(
            f[0].summary.contains("example.co.uk applies"),
            "{}",
            f[0].summary
        );
        let policy = get(&f, &DMARC_POLICY);
        assert_eq!(policy.status, Status::Warn);
        assert!(policy.summary.starts_with("sp=none applies"));
        // Subdomains get p=reject once sp= goes.
        assert_eq!(replacement(policy), "v=DMARC1; p=reject");
        assert_eq!(status_of(&f, &DMARC_SUBDOMAIN_POLICY), Some(Status::Warn));
    }

    #[test]
    fn failures_stop_discovery() {
        let ev = evidence(
            "mail.example.com",
            vec![
                failed("_dmarc.mail.example.com", RType::Txt),
                txt("_dmarc.example.com", &["v=DMARC1; p=reject"]),
            ],
        );
        assert_eq!(status_of(&run(&ev), &DMARC_RECORD), Some(Status::Error));
    }

    #[test]
    fn missing_multiple_and_malformed() {
        let ev = evidence("example.com", vec![txt("_dmarc.example.com", &[])]);
        let f = run(&ev);
        let missing = get(&f, &DMARC_RECORD);
        assert_eq!(missing.status, Status::Fail);
        assert_eq!(
            missing.changes,
            vec![Change::add(
                "_dmarc.example.com",
                "TXT",
                "v=DMARC1; p=none; rua=mailto:dmarc@example.com"
            )]
        );
        // Two records merge into one; where they disagree, the choice is the owner's.
        let ev = record_pair(
            "v=DMARC1; p=none; rua=mailto:a@example.com",
            "v=DMARC1; p=reject",
        );
        let f = run(&ev);
        let multiple = get(&f, &DMARC_RECORD);
        assert_eq!(multiple.status, Status::Fail);
        assert_eq!(
            multiple.changes,
            vec![
                Change::replace(
                    "_dmarc.example.com",
                    "TXT",
                    "v=DMARC1; p=none; rua=mailto:a@example.com",
                    "v=DMARC1; p=<REJECT-OR-NONE>; rua=mailto:a@example.com"
                ),
                Change::remove("_dmarc.example.com", "TXT", "v=DMARC1; p=reject"),
            ]
        );
        // A malformed record that starts with v=DMARC1 counts beside a valid one.
        let ev = record_pair("v=DMARC1; p=reject", "v=DMARC1 p=none");
        let f = run(&ev);
        let multiple = get(&f, &DMARC_RECORD);
        assert_eq!(multiple.status, Status::Fail, "{}", multiple.summary);
        assert!(
            multiple.detail.contains("v=DMARC1 p=none"),
            "{}",
            multiple.detail
        );
        // What receivers discard is named with its reason and corrected.
        let ev = record("example.com", "v=dmarc1; p=reject");
        let f = run(&ev);
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].summary.contains("exactly v=DMARC1"),
            "{}",
            f[0].summary
        );
        // Made complete: a report address joins it.
        assert_eq!(
            replacement(&f[0]),
            "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
        );
        let ev = record("example.com", "v=DMARC1 p=reject");
        let f = run(&ev);
        assert!(
            f[0].summary.contains("tags must be separated by ';'"),
            "{}",
            f[0].summary
        );
        assert_eq!(
            replacement(&f[0]),
            "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
        );
    }

    fn record_pair(a: &str, b: &str) -> DmarcFacts {
        evidence("example.com", vec![txt("_dmarc.example.com", &[a, b])])
    }

    #[test]
    fn what_some_receivers_discard_warns_with_the_record_corrected() {
        for (text, check, corrected) in [
            (" v=DMARC1; p=reject", &DMARC_RECORD, "v=DMARC1; p=reject"),
            ("V=DMARC1; p=reject", &DMARC_RECORD, "v=DMARC1; p=reject"),
            ("v=DMARC1; P=reject", &DMARC_SYNTAX, "v=DMARC1; p=reject"),
        ] {
            let f = run(&record("example.com", text));
            let finding = get(&f, check);
            assert_eq!(finding.status, Status::Warn, "{text}");
            assert_eq!(replacement(finding), corrected, "{text}");
        }
    }

    #[test]
    fn policy_verdicts() {
        for (text, check, status) in [
            (
                "v=DMARC1; p=none; rua=mailto:a@example.com",
                &DMARC_POLICY,
                Some(Status::Warn),
            ),
            (
                "v=DMARC1; rua=mailto:a@example.com",
                &DMARC_POLICY,
                Some(Status::Fail),
            ),
            ("v=DMARC1; p=reject; pct=20", &DMARC_PCT, Some(Status::Warn)),
            ("v=DMARC1; p=reject; t=y", &DMARC_PCT, Some(Status::Warn)),
            ("v=DMARC1; p=none; pct=20", &DMARC_PCT, None),
            (
                "v=DMARC1; p=reject; np=none",
                &DMARC_SUBDOMAIN_POLICY,
                Some(Status::Info),
            ),
            (
                "v=DMARC1; p=reject; sp=reject",
                &DMARC_SUBDOMAIN_POLICY,
                Some(Status::Pass),
            ),
            ("v=DMARC1; p=reject", &DMARC_REPORTING, Some(Status::Warn)),
            (
                "v=DMARC1; p=reject; pct=101",
                &DMARC_SYNTAX,
                Some(Status::Fail),
            ),
            (
                "v=DMARC1; p=reject; rau=mailto:a@example.com",
                &DMARC_UNKNOWN_TAG,
                Some(Status::Info),
            ),
            // An invalid or repeated policy tag is never a pass.
            (
                "v=DMARC1; p=reject; sp=bogus; rua=mailto:a@example.com",
                &DMARC_POLICY,
                Some(Status::Fail),
            ),
            (
                "v=DMARC1; p=reject; p=none",
                &DMARC_POLICY,
                Some(Status::Fail),
            ),
            (
                "v=DMARC1; p=reject; p=reject",
                &DMARC_POLICY,
                Some(Status::Warn),
            ),
            ("v=DMARC1; p=rejected", &DMARC_POLICY, Some(Status::Fail)),
        ] {
            let findings = run(&record("example.com", text));
            assert_eq!(status_of(&findings, check), status, "{text}");
        }
    }

    #[test]
    fn policy_findings_say_what_receivers_may_do_and_replace_the_record() {
        let f = run(&record(
            "example.com",
            "v=DMARC1; p=reject; sp=bogus; rua=mailto:a@example.com",
        ));
        let policy = get(&f, &DMARC_POLICY);
        assert!(
            policy.summary.contains("sp=bogus is not a policy"),
            "{}",
            policy.summary
        );
        assert!(policy.detail.contains("as p=none"), "{}", policy.detail);
        assert!(
            policy.detail.contains("apply p=reject"),
            "{}",
            policy.detail
        );
        assert_eq!(
            replacement(policy),
            "v=DMARC1; p=reject; rua=mailto:a@example.com"
        );
        let f = run(&record("example.com", "v=DMARC1; p=reject; p=none"));
        let policy = get(&f, &DMARC_POLICY);
        assert!(
            policy.summary.contains("apply p=reject"),
            "{}",
            policy.summary
        );
        assert!(
            policy.summary.contains("the last p=none"),
            "{}",
            policy.summary
        );
        assert_eq!(replacement(policy), "v=DMARC1; p=<REJECT-OR-NONE>");
        // The fix is unambiguous: the corrected value, in the whole record.
        let f = run(&record(
            "example.com",
            "v=DMARC1; p=rejected; rua=mailto:a@example.com",
        ));
        for check in [&DMARC_POLICY, &DMARC_SYNTAX] {
            assert_eq!(
                replacement(get(&f, check)),
                "v=DMARC1; p=reject; rua=mailto:a@example.com"
            );
        }
        // A missing p= starts at none; monitoring moves one step up.
        let f = run(&record("example.com", "v=DMARC1; rua=mailto:a@example.com"));
        assert_eq!(
            replacement(get(&f, &DMARC_POLICY)),
            "v=DMARC1; p=none; rua=mailto:a@example.com"
        );
        let f = run(&record(
            "example.com",
            "v=DMARC1; p=none; sp=none; rua=mailto:a@example.com",
        ));
        assert_eq!(
            replacement(get(&f, &DMARC_POLICY)),
            "v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:a@example.com"
        );
        // Every suggestion carries the other repairs too.
        let f = run(&record(
            "example.com",
            "v=DMARC1; p=quarantine; pct=50; adkim=relaxed",
        ));
        assert_eq!(
            replacement(get(&f, &DMARC_PCT)),
            "v=DMARC1; p=quarantine; adkim=r"
        );
        assert_eq!(
            replacement(get(&f, &DMARC_REPORTING)),
            "v=DMARC1; p=quarantine; pct=50; adkim=r; rua=mailto:dmarc@example.com"
        );
    }

    #[test]
    fn reports_to_a_domain_that_takes_no_mail_never_arrive() {
        let mut ev = record(
            "example.com",
            "v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:d@gone.example",
        );
        let gone = MailDomain {
            domain: name("gone.example"),
            mx: lookup("gone.example", RType::Mx, Outcome::NxDomain),
            addresses: Vec::new(),
        };
        ev.mailboxes.push(gone);
        let f = run(&ev);
        let reporting = get(&f, &DMARC_REPORTING);
        assert_eq!(reporting.status, Status::Warn);
        assert!(
            reporting.summary.contains("mailto:d@gone.example"),
            "{}",
            reporting.summary
        );
        assert!(
            reporting.summary.contains("NXDOMAIN"),
            "{}",
            reporting.summary
        );
        assert_eq!(
            replacement(reporting),
            "v=DMARC1; p=reject; rua=mailto:a@example.com"
        );
        // A null MX, or no MX and no address: the same.
        for (mx, addresses) in [
            (
                Outcome::Records(vec![Rdata::Mx {
                    preference: 0,
                    exchange: Name::root(),
                }]),
                vec![],
            ),
            (
                Outcome::NoData,
                vec![
                    lookup("example.com", RType::A, Outcome::NoData),
                    lookup("example.com", RType::Aaaa, Outcome::NoData),
                ],
            ),
        ] {
            let mut ev = record(
                "example.com",
                "v=DMARC1; p=reject; rua=mailto:a@example.com",
            );
            ev.mailboxes[0].mx = lookup("example.com", RType::Mx, mx);
            ev.mailboxes[0].addresses = addresses;
            let f = run(&ev);
            let reporting = get(&f, &DMARC_REPORTING);
            assert_eq!(reporting.status, Status::Warn);
            assert!(reporting.summary.starts_with("no aggregate reports arrive"));
            // Nowhere at home to send them either: the address is the owner's to give.
            assert_eq!(
                replacement(reporting),
                "v=DMARC1; p=reject; rua=mailto:<ADDRESS-FOR-DMARC-REPORTS>"
            );
        }
        // A failed lookup decides nothing.
        let mut ev = record(
            "example.com",
            "v=DMARC1; p=reject; rua=mailto:a@example.com",
        );
        ev.mailboxes[0].mx = failed("example.com", RType::Mx);
        assert_eq!(status_of(&run(&ev), &DMARC_REPORTING), Some(Status::Error));
    }

    #[test]
    fn external_reports_need_authorization() {
        let lookups = vec![txt(
            "_dmarc.example.com",
            &[
                "v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:r@reports.example.net; ruf=mailto:f@sub.example.com",
            ],
        )];
        let destinations = external_destinations(&discovery::discover(&lookups));
        assert_eq!(
            destinations,
            vec![(
                name("reports.example.net"),
                Some(name("example.com._report._dmarc.reports.example.net"))
            )]
        );
        let mut ev = evidence("example.com", lookups);
        ev.mailboxes.push(receiving("reports.example.net"));
        ev.authorizations = vec![Authorization {
            destination: name("reports.example.net"),
            lookup: Some(txt("example.com._report._dmarc.reports.example.net", &[])),
        }];
        let f = run(&ev);
        let auth = get(&f, &DMARC_REPORT_AUTHORIZATION);
        assert_eq!(auth.status, Status::Warn);
        assert_eq!(
            auth.changes,
            vec![Change::add(
                "example.com._report._dmarc.reports.example.net",
                "TXT",
                "v=DMARC1"
            )]
        );
        ev.authorizations[0].lookup = Some(txt(
            "example.com._report._dmarc.reports.example.net",
            &["v=DMARC1"],
        ));
        assert_eq!(
            status_of(&run(&ev), &DMARC_REPORT_AUTHORIZATION),
            Some(Status::Pass)
        );
        ev.authorizations[0].lookup = Some(failed(
            "example.com._report._dmarc.reports.example.net",
            RType::Txt,
        ));
        assert_eq!(
            status_of(&run(&ev), &DMARC_REPORT_AUTHORIZATION),
            Some(Status::Error)
        );
    }

    #[test]
    fn a_relay_bounce_domain_leaves_dmarc_on_dkim() {
        let mut ev = record("example.com", "v=DMARC1; p=reject");
        ev.return_path = name("us-east-1.amazonses.com");
        ev.return_path_given = true;
        ev.return_path_spf = None;
        let f = run(&ev);
        let spf = get(&f, &DMARC_SPF_ALIGNMENT);
        assert_eq!(spf.status, Status::Warn);
        assert!(spf.detail.contains("DKIM alone"));
        assert!(
            spf.remediation
                .as_deref()
                .unwrap()
                .contains("custom MAIL FROM domain")
        );
        // The records of a custom MAIL FROM domain, in the region the return path names.
        assert_eq!(
            spf.changes,
            vec![
                Change::add(
                    "bounce.example.com",
                    "MX",
                    "10 feedback-smtp.us-east-1.amazonses.com."
                ),
                Change::add(
                    "bounce.example.com",
                    "TXT",
                    "v=spf1 include:amazonses.com ~all"
                ),
            ]
        );
        assert_eq!(status_of(&f, &DMARC_DKIM_ALIGNMENT), Some(Status::Pass));
        // With DKIM signed by the relay's domain too, DMARC cannot pass at all.
        ev.dkim_domain = name("amazonses.com");
        let f = check(&ev, &dkim("amazonses.com", true), &[]);
        assert_eq!(status_of(&f, &DMARC_SPF_ALIGNMENT), Some(Status::Fail));
        assert_eq!(status_of(&f, &DMARC_DKIM_ALIGNMENT), Some(Status::Fail));
    }

    #[test]
    fn a_relay_in_the_spf_tree_or_dkim_cnames_is_no_aligned_spf() {
        let mut ev = record("example.com", "v=DMARC1; p=reject");
        ev.spf = spf(
            "example.com",
            &["v=spf1 include:amazonses.com ~all"],
            &["amazonses.com"],
        );
        ev.return_path_spf = Some(ev.spf.clone());
        let f = run(&ev);
        let spf_side = get(&f, &DMARC_SPF_ALIGNMENT);
        assert_eq!(spf_side.status, Status::Warn, "{}", spf_side.summary);
        assert!(
            spf_side.summary.contains("Amazon SES"),
            "{}",
            spf_side.summary
        );
        assert!(spf_side.changes[0].data.contains("<AMAZON-SES-REGION>"));
        // Given as the return path, a subdomain with SPF aligns after all.
        ev.return_path = name("bounce.example.com");
        ev.return_path_given = true;
        ev.return_path_spf = Some(spf(
            "bounce.example.com",
            &["v=spf1 include:amazonses.com ~all"],
            &[],
        ));
        assert_eq!(
            status_of(&run(&ev), &DMARC_SPF_ALIGNMENT),
            Some(Status::Pass)
        );
        // A DKIM selector CNAMEd to the relay says the same.
        let mut ev = record("example.com", "v=DMARC1; p=reject");
        let mut keys = dkim("example.com", false);
        let mut cnamed = (*keys.selectors[0].txt).clone();
        cnamed.aliases = vec![name("tok1.dkim.amazonses.com")];
        keys.selectors[0].txt = Arc::new(cnamed);
        ev.return_path_given = false;
        let f = check(&ev, &keys, &[]);
        let spf_side = get(&f, &DMARC_SPF_ALIGNMENT);
        assert_eq!(spf_side.status, Status::Warn, "{}", spf_side.summary);
        assert!(spf_side.summary.contains("CNAME tok1.dkim.amazonses.com"));
    }

    #[test]
    fn broken_or_open_spf_never_aligns() {
        for (records, status, says) in [
            (
                &["v=spf1 ip4:192.0.2.1 -all", "v=spf1 -all"][..],
                Status::Warn,
                "permerror",
            ),
            (
                &["v=spf1 ip4:192.0.2.300 -all"][..],
                Status::Warn,
                "permerror",
            ),
            (&[][..], Status::Warn, "publishes no SPF record"),
            (&["v=spf1 +all"][..], Status::Fail, "passes every address"),
        ] {
            let mut ev = record("example.com", "v=DMARC1; p=reject");
            ev.return_path_spf = Some(spf("example.com", records, &[]));
            let f = run(&ev);
            let spf_side = get(&f, &DMARC_SPF_ALIGNMENT);
            assert_eq!(spf_side.status, status, "{records:?}: {}", spf_side.summary);
            assert!(
                spf_side.summary.contains(says),
                "{records:?}: {}",
                spf_side.summary
            );
        }
        let mut ev = record("example.com", "v=DMARC1; p=reject");
        ev.return_path_spf = Some(Arc::new(SpfFacts {
            tree: {
                let txt = failed("example.com", RType::Txt);
                Tree::from_nodes(vec![Node {
                    domain: name("example.com"),
                    parsed: parse_txt(&txt),
                    lookalikes: Vec::new(),
                    txt,
                    edges: Vec::new(),
                    targets: Vec::new(),
                    before: 0,
                    lookups: Count::default(),
                }])
            },
            ..(*ev.spf).clone()
        }));
        assert_eq!(
            status_of(&run(&ev), &DMARC_SPF_ALIGNMENT),
            Some(Status::Error)
        );
        // A bounce subdomain without SPF: the record to publish, its placeholder unmistakable.
        let mut ev = record("example.com", "v=DMARC1; p=reject");
        ev.return_path = name("bounce.example.com");
        ev.return_path_given = true;
        ev.return_path_spf = Some(spf("bounce.example.com", &[], &[]));
        let f = run(&ev);
        assert_eq!(
            get(&f, &DMARC_SPF_ALIGNMENT).changes,
            vec![Change::add(
                "bounce.example.com",
                "TXT",
                "v=spf1 include:<YOUR-PROVIDER-S-SPF-DOMAIN> -all"
            )]
        );
    }

    #[test]
    fn strict_modes_want_the_exact_domain() {
        let mut ev = record("example.com", "v=DMARC1; p=reject; aspf=s; adkim=s");
        ev.return_path = name("bounce.example.com");
        ev.return_path_spf = Some(spf("bounce.example.com", &["v=spf1 -all"], &[]));
        let f = check(&ev, &dkim("example.com", false), &[]);
        let spf_side = get(&f, &DMARC_SPF_ALIGNMENT);
        assert_eq!(spf_side.status, Status::Warn);
        assert!(spf_side.summary.contains("aspf=s"));
        assert_eq!(replacement(spf_side), "v=DMARC1; p=reject; aspf=r; adkim=s");
        assert_eq!(status_of(&f, &DMARC_DKIM_ALIGNMENT), Some(Status::Info));
    }

    #[test]
    fn dkim_lookups_that_fail_are_errors() {
        let ev = record("example.com", "v=DMARC1; p=reject");
        let mut keys = dkim("example.com", false);
        keys.selectors[0].txt = failed("s1._domainkey.example.com", RType::Txt);
        let f = check(&ev, &keys, &[]);
        assert_eq!(status_of(&f, &DMARC_DKIM_ALIGNMENT), Some(Status::Error));
    }
}
