//! Provider compliance: the sender requirements of Gmail, Yahoo and Outlook.com, judged from
//! the verdicts of the other checks. Each requirement of each provider is a check of its own
//! (`compliance.<provider>.<rule>`); human output draws them as one table.
//!
//! Rules that only the provider's data shows (spam rate, unsubscribe handling) or that need a
//! message (one-click unsubscribe) are `info`, with where to look.

use crate::checks::area::{AreaDef, SubjectKind, gather_nothing};
use crate::checks::finding::{Area, CheckDef, Evidence, Finding, Grid, Status, checks};
use crate::checks::{dkim, dmarc, ptr, spf};

pub const NAME: Area = Area::new("compliance");

pub static AREA: AreaDef = AreaDef {
    area: NAME,
    subjects: &[SubjectKind::Domain],
    reads: &[spf::NAME, dkim::NAME, dmarc::NAME, ptr::NAME],
    checks: CHECKS,
    gather: gather_nothing,
    check: |g| check(g.findings()),
};

checks! {
    area: NAME;

    /// ## What it checks
    /// Gmail's rule for every sender: SPF or DKIM set up for the domain, judged from the
    /// `spf.*` and `dkim.*` checks.
    ///
    /// ## Why it matters
    /// Since February 2024 Gmail expects at least one of the two from anyone sending to
    /// personal Gmail accounts; mail with neither may be refused or sent to spam.
    ///
    /// ## How to fix
    /// Publish a valid SPF record and turn on DKIM signing; see the failing `spf.*` and
    /// `dkim.*` checks.
    GMAIL_SPF_OR_DKIM = "compliance.gmail.spf-or-dkim", "Gmail: SPF or DKIM",
    references ["https://support.google.com/mail/answer/81126"];

    /// ## What it checks
    /// Gmail's rule for every sender: forward-confirmed reverse DNS for the sending IPs
    /// (PTR name that resolves back to the IP). It comes from the `ptr` area, which needs the
    /// sending IP; without it the rule shows as not checked.
    ///
    /// ## Why it matters
    /// Gmail may refuse mail or send it to spam when the sending IP's reverse DNS is
    /// missing or does not lead back to it; over IPv6 it refuses the mail (550 5.7.1).
    ///
    /// ## How to fix
    /// Ask whoever runs the IP (hosting provider, ESP) to set a PTR record naming a host of
    /// yours, and publish an A/AAAA record for that host with the same IP.
    GMAIL_PTR = "compliance.gmail.ptr", "Gmail: forward-confirmed reverse DNS",
    references ["https://support.google.com/mail/answer/81126"];

    /// ## What it checks
    /// Gmail's rule for every sender: DKIM keys of at least 1024 bits, from `dkim.key-size`.
    ///
    /// ## Why it matters
    /// Gmail does not accept signatures from shorter keys; it recommends 2048 bits.
    ///
    /// ## How to fix
    /// Publish a 2048-bit key under a new selector and sign with it; see `dkim.key-size`.
    GMAIL_DKIM_KEY_SIZE = "compliance.gmail.dkim-key-size", "Gmail: DKIM key of 1024 bits or more",
    references ["https://support.google.com/mail/answer/81126"];

    /// ## What it checks
    /// Nothing deliv can see: Gmail wants the spam rate users report, as shown in Postmaster
    /// Tools, under 0.3% (bulk senders should aim under 0.1%).
    ///
    /// ## Why it matters
    /// Complaints weigh on delivery; above 0.3% bulk senders are not eligible for
    /// mitigation until the rate has stayed under it for seven days in a row.
    ///
    /// ## How to fix
    /// Register the domain in Google Postmaster Tools and watch the spam rate; send only to
    /// people who asked for the mail and make leaving easy.
    GMAIL_SPAM_RATE = "compliance.gmail.spam-rate", "Gmail: spam rate under 0.3%",
    references ["https://support.google.com/mail/answer/81126",
                "https://support.google.com/a/answer/14229414"];

    /// ## What it checks
    /// Gmail's bulk-sender rule (about 5,000 messages a day to Gmail, counted per
    /// organizational domain; once bulk, always bulk): a valid SPF record, from the `spf.*`
    /// checks.
    ///
    /// ## Why it matters
    /// Bulk senders need SPF and DKIM both; mail missing one may be refused or sent to spam.
    ///
    /// ## How to fix
    /// Fix the failing `spf.*` checks.
    GMAIL_BULK_SPF = "compliance.gmail-bulk.spf", "Gmail bulk: SPF",
    references ["https://support.google.com/mail/answer/81126",
                "https://support.google.com/a/answer/14229414"];

    /// ## What it checks
    /// Gmail's bulk-sender rule: a usable DKIM key, from the `dkim.*` checks. If no key was
    /// found under the selectors tried, the rule cannot be confirmed (`?`).
    ///
    /// ## Why it matters
    /// Bulk senders need SPF and DKIM both; mail missing one may be refused or sent to spam.
    ///
    /// ## How to fix
    /// Turn on DKIM signing at every service that sends as the domain; with `--selector`
    /// deliv checks the key you use.
    GMAIL_BULK_DKIM = "compliance.gmail-bulk.dkim", "Gmail bulk: DKIM",
    references ["https://support.google.com/mail/answer/81126",
                "https://support.google.com/a/answer/14229414"];

    /// ## What it checks
    /// Gmail's bulk-sender rule: a DMARC record applies to the domain, with at least
    /// `p=none`, from `dmarc.record` and `dmarc.policy`.
    ///
    /// ## Why it matters
    /// Gmail withholds delivery support (mitigation) from bulk senders without DMARC.
    ///
    /// ## How to fix
    /// Publish `_dmarc.example.com. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com"`
    /// and tighten the policy once the reports are clean.
    GMAIL_BULK_DMARC = "compliance.gmail-bulk.dmarc", "Gmail bulk: DMARC published",
    references ["https://support.google.com/mail/answer/81126",
                "https://support.google.com/a/answer/14229414"];

    /// ## What it checks
    /// Gmail's bulk-sender rule: the From domain aligned with the SPF or the DKIM domain
    /// (relaxed alignment is enough), from `dmarc.spf-alignment` and `dmarc.dkim-alignment`.
    ///
    /// ## Why it matters
    /// Bulk mail whose From domain matches neither authenticated domain may be refused or
    /// sent to spam; Google says alignment of both is likely to become required.
    ///
    /// ## How to fix
    /// Send with a return path under your domain and sign with `d=` your domain; see the
    /// alignment checks.
    GMAIL_BULK_ALIGNMENT = "compliance.gmail-bulk.alignment", "Gmail bulk: From aligned with SPF or DKIM",
    references ["https://support.google.com/mail/answer/81126"];

    /// ## What it checks
    /// Nothing deliv can see from DNS: marketing and subscribed mail to Gmail must carry
    /// one-click unsubscribe (RFC 8058): `List-Unsubscribe` with an HTTPS URL and
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. It needs a sent message.
    ///
    /// ## Why it matters
    /// A `mailto:` link alone or a link in the body does not count; Gmail withholds
    /// mitigation from bulk senders without it. Transactional mail is exempt.
    ///
    /// ## How to fix
    /// Add both headers to marketing mail and handle the POST request; check the headers of a
    /// message you sent.
    GMAIL_BULK_ONE_CLICK = "compliance.gmail-bulk.one-click-unsubscribe", "Gmail bulk: one-click unsubscribe",
    references ["https://support.google.com/mail/answer/81126", "RFC 8058"];

    /// ## What it checks
    /// Nothing deliv can see: Gmail wants unsubscribe requests honoured within 48 hours.
    ///
    /// ## Why it matters
    /// Recipients who keep getting mail after unsubscribing report it as spam, and Gmail
    /// withholds mitigation from bulk senders who do not honour requests in time.
    ///
    /// ## How to fix
    /// Remove unsubscribed addresses from every list within two days; test it yourself.
    GMAIL_BULK_UNSUBSCRIBE = "compliance.gmail-bulk.unsubscribe-honoured", "Gmail bulk: unsubscribes honoured in 48 hours",
    references ["https://support.google.com/a/answer/14229414"];

    /// ## What it checks
    /// Yahoo's rule for every sender: SPF or DKIM, judged from the `spf.*` and `dkim.*`
    /// checks.
    ///
    /// ## Why it matters
    /// Yahoo (also AOL and the other Yahoo-hosted domains) enforces this for all senders
    /// since 2024.
    ///
    /// ## How to fix
    /// Publish a valid SPF record and turn on DKIM signing.
    YAHOO_SPF_OR_DKIM = "compliance.yahoo.spf-or-dkim", "Yahoo: SPF or DKIM",
    references ["https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// Yahoo's rule for every sender: valid forward and reverse DNS for the sending IPs,
    /// from the `ptr` area (which needs the sending IP).
    ///
    /// ## Why it matters
    /// Yahoo requires it of every sender, and recommends PTR names that show your domain
    /// rather than generic or dynamic-looking ones.
    ///
    /// ## How to fix
    /// Set a PTR record naming a host of yours and an A/AAAA record for it with the same IP.
    YAHOO_PTR = "compliance.yahoo.ptr", "Yahoo: forward-confirmed reverse DNS",
    references ["https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// Nothing deliv can see: Yahoo wants the spam-complaint rate under 0.3%.
    ///
    /// ## Why it matters
    /// Yahoo asks every sender to stay under 0.3%, counted on mail delivered to the inbox.
    ///
    /// ## How to fix
    /// Enrol in Yahoo's Complaint Feedback Loop through Yahoo Sender Hub (per DKIM `d=`
    /// domain) and remove complainers from your lists.
    YAHOO_SPAM_RATE = "compliance.yahoo.spam-rate", "Yahoo: spam rate under 0.3%",
    references ["https://senders.yahooinc.com/best-practices/", "https://senders.yahooinc.com/faqs/"];

    /// ## What it checks
    /// Yahoo's bulk-sender rule (Yahoo publishes no volume threshold): a valid SPF record.
    ///
    /// ## Why it matters
    /// Bulk senders need SPF and DKIM both.
    ///
    /// ## How to fix
    /// Fix the failing `spf.*` checks.
    YAHOO_BULK_SPF = "compliance.yahoo-bulk.spf", "Yahoo bulk: SPF",
    references ["https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// Yahoo's bulk-sender rule: a usable DKIM key (`?` when none was found under the
    /// selectors tried).
    ///
    /// ## Why it matters
    /// Bulk senders need SPF and DKIM both; Yahoo also recommends keys of at least 1024 bits.
    ///
    /// ## How to fix
    /// Turn on DKIM signing at every service that sends as the domain.
    YAHOO_BULK_DKIM = "compliance.yahoo-bulk.dkim", "Yahoo bulk: DKIM",
    references ["https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// Yahoo's bulk-sender rule: a valid DMARC policy of at least `p=none`.
    ///
    /// ## Why it matters
    /// Yahoo requires the record and that mail passes DMARC; it strongly recommends `rua=`
    /// reports.
    ///
    /// ## How to fix
    /// Publish a DMARC record with `p=none` and `rua=`, then tighten it.
    YAHOO_BULK_DMARC = "compliance.yahoo-bulk.dmarc", "Yahoo bulk: DMARC published",
    references ["https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// Yahoo's bulk-sender rule: the From domain aligned with the SPF or DKIM domain
    /// (relaxed is enough), so DMARC can pass.
    ///
    /// ## Why it matters
    /// Yahoo requires bulk mail to pass DMARC, which needs one aligned identifier.
    ///
    /// ## How to fix
    /// See `dmarc.spf-alignment` and `dmarc.dkim-alignment`.
    YAHOO_BULK_ALIGNMENT = "compliance.yahoo-bulk.alignment", "Yahoo bulk: From aligned with SPF or DKIM",
    references ["https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// Nothing deliv can see from DNS: Yahoo wants a working `List-Unsubscribe` on marketing
    /// mail; one-click POST (RFC 8058) is highly recommended, `mailto:` is accepted.
    ///
    /// ## Why it matters
    /// Recipients who cannot leave easily report spam instead.
    ///
    /// ## How to fix
    /// Add `List-Unsubscribe` (and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`) to
    /// marketing mail; check a sent message's headers.
    YAHOO_BULK_ONE_CLICK = "compliance.yahoo-bulk.one-click-unsubscribe", "Yahoo bulk: one-click unsubscribe",
    references ["https://senders.yahooinc.com/best-practices/", "RFC 8058"];

    /// ## What it checks
    /// Nothing deliv can see: Yahoo wants unsubscribes honoured within two days.
    ///
    /// ## Why it matters
    /// Mail after an unsubscribe draws complaints, which count against the 0.3% limit.
    ///
    /// ## How to fix
    /// Remove unsubscribed addresses within two days.
    YAHOO_BULK_UNSUBSCRIBE = "compliance.yahoo-bulk.unsubscribe-honoured", "Yahoo bulk: unsubscribes honoured in 2 days",
    references ["https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// Outlook.com's rule for domains sending more than 5,000 messages a day to its
    /// consumer mailboxes: SPF must pass, so the record must be present and valid.
    ///
    /// ## Why it matters
    /// Since May 2025 Outlook.com rejects such mail that fails the rule with
    /// `550 5.7.515 Access denied, sending domain ... does not meet the required
    /// authentication level`. Unlike DMARC, it wants SPF and DKIM both.
    ///
    /// ## How to fix
    /// Fix the failing `spf.*` checks; list every sending host.
    OUTLOOK_SPF = "compliance.outlook.spf", "Outlook.com high volume: SPF",
    references ["https://techcommunity.microsoft.com/blog/MicrosoftDefenderforOffice365Blog/strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90volume-senders/4399730"];

    /// ## What it checks
    /// Outlook.com's high-volume rule: DKIM must pass, so a usable key must be published
    /// (`?` when none was found under the selectors tried).
    ///
    /// ## Why it matters
    /// Mail failing the rule is rejected with 5.7.515.
    ///
    /// ## How to fix
    /// Turn on DKIM signing at every service that sends as the domain.
    OUTLOOK_DKIM = "compliance.outlook.dkim", "Outlook.com high volume: DKIM",
    references ["https://techcommunity.microsoft.com/blog/MicrosoftDefenderforOffice365Blog/strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90volume-senders/4399730"];

    /// ## What it checks
    /// Outlook.com's high-volume rule: a DMARC record of at least `p=none`.
    ///
    /// ## Why it matters
    /// Mail failing the rule is rejected with 5.7.515; Microsoft recommends moving on to
    /// `p=reject` step by step.
    ///
    /// ## How to fix
    /// Publish a DMARC record with `p=none` and `rua=`, then tighten it.
    OUTLOOK_DMARC = "compliance.outlook.dmarc", "Outlook.com high volume: DMARC published",
    references ["https://techcommunity.microsoft.com/blog/MicrosoftDefenderforOffice365Blog/strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90volume-senders/4399730"];

    /// ## What it checks
    /// Outlook.com's high-volume rule: DMARC aligned with SPF or DKIM (both preferred).
    ///
    /// ## Why it matters
    /// Mail failing the rule is rejected with 5.7.515.
    ///
    /// ## How to fix
    /// See `dmarc.spf-alignment` and `dmarc.dkim-alignment`.
    OUTLOOK_ALIGNMENT = "compliance.outlook.alignment", "Outlook.com high volume: From aligned with SPF or DKIM",
    references ["https://techcommunity.microsoft.com/blog/MicrosoftDefenderforOffice365Blog/strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90volume-senders/4399730"];
}

/// A requirement, one row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rule {
    SpfOrDkim,
    Spf,
    Dkim,
    DkimKeySize,
    Dmarc,
    Alignment,
    Ptr,
    SpamRate,
    OneClickUnsubscribe,
    UnsubscribeHonoured,
}

/// A provider's set of rules, one column of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Gmail,
    GmailBulk,
    Yahoo,
    YahooBulk,
    Outlook,
}

/// The table human output draws the rules in: a row per [`Rule`], a column per [`Tier`], in
/// the order of their variants.
pub static GRID: Grid = Grid {
    corner: "Provider requirement",
    rows: &[
        "SPF or DKIM",
        "SPF valid",
        "DKIM key published",
        "DKIM key ≥ 1024 bits",
        "DMARC, p=none or stronger",
        "From aligned (SPF or DKIM)",
        "Reverse DNS (FCrDNS)",
        "Spam rate < 0.3%",
        "One-click unsubscribe",
        "Unsubscribes honoured",
    ],
    columns: &[
        ("Gmail", "all senders to Gmail"),
        (
            "Gmail bulk",
            "about 5,000+/day to Gmail, on top of the Gmail column",
        ),
        ("Yahoo", "all senders to Yahoo and AOL"),
        (
            "Yahoo bulk",
            "bulk senders, no published threshold, on top of the Yahoo column",
        ),
        (
            "Outlook.com",
            "5,000+/day to Outlook.com consumer mailboxes",
        ),
    ],
    legend: "✔ met  ✘ not met  ? not confirmed from DNS (see below)",
    sources: "Requirements as published:",
};

/// Each check's place in the table.
static RULES: &[(&CheckDef, Tier, Rule)] = &[
    (&GMAIL_SPF_OR_DKIM, Tier::Gmail, Rule::SpfOrDkim),
    (&GMAIL_DKIM_KEY_SIZE, Tier::Gmail, Rule::DkimKeySize),
    (&GMAIL_PTR, Tier::Gmail, Rule::Ptr),
    (&GMAIL_SPAM_RATE, Tier::Gmail, Rule::SpamRate),
    (&GMAIL_BULK_SPF, Tier::GmailBulk, Rule::Spf),
    (&GMAIL_BULK_DKIM, Tier::GmailBulk, Rule::Dkim),
    (&GMAIL_BULK_DMARC, Tier::GmailBulk, Rule::Dmarc),
    (&GMAIL_BULK_ALIGNMENT, Tier::GmailBulk, Rule::Alignment),
    (
        &GMAIL_BULK_ONE_CLICK,
        Tier::GmailBulk,
        Rule::OneClickUnsubscribe,
    ),
    (
        &GMAIL_BULK_UNSUBSCRIBE,
        Tier::GmailBulk,
        Rule::UnsubscribeHonoured,
    ),
    (&YAHOO_SPF_OR_DKIM, Tier::Yahoo, Rule::SpfOrDkim),
    (&YAHOO_PTR, Tier::Yahoo, Rule::Ptr),
    (&YAHOO_SPAM_RATE, Tier::Yahoo, Rule::SpamRate),
    (&YAHOO_BULK_SPF, Tier::YahooBulk, Rule::Spf),
    (&YAHOO_BULK_DKIM, Tier::YahooBulk, Rule::Dkim),
    (&YAHOO_BULK_DMARC, Tier::YahooBulk, Rule::Dmarc),
    (&YAHOO_BULK_ALIGNMENT, Tier::YahooBulk, Rule::Alignment),
    (
        &YAHOO_BULK_ONE_CLICK,
        Tier::YahooBulk,
        Rule::OneClickUnsubscribe,
    ),
    (
        &YAHOO_BULK_UNSUBSCRIBE,
        Tier::YahooBulk,
        Rule::UnsubscribeHonoured,
    ),
    (&OUTLOOK_SPF, Tier::Outlook, Rule::Spf),
    (&OUTLOOK_DKIM, Tier::Outlook, Rule::Dkim),
    (&OUTLOOK_DMARC, Tier::Outlook, Rule::Dmarc),
    (&OUTLOOK_ALIGNMENT, Tier::Outlook, Rule::Alignment),
];

/// A rule's verdict before it is attached to a provider's check.
struct Mark {
    status: Status,
    summary: String,
    evidence: Vec<Evidence>,
    remediation: Option<String>,
}

impl Mark {
    fn new(status: Status, summary: impl Into<String>) -> Mark {
        Mark {
            status,
            summary: summary.into(),
            evidence: Vec::new(),
            remediation: None,
        }
    }

    fn fix(mut self, fix: impl Into<String>) -> Mark {
        self.remediation = Some(fix.into());
        self
    }

    /// The findings the verdict rests on, one line each.
    fn resting_on<'a>(mut self, findings: impl IntoIterator<Item = &'a Finding>) -> Mark {
        self.evidence.extend(
            findings
                .into_iter()
                .map(|f| Evidence::note(f.id(), format!("{}: {}", f.status, f.summary))),
        );
        self
    }
}

/// The other areas' findings of these checks.
fn with<'a>(findings: &'a [Finding], checks: &[&CheckDef]) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| checks.iter().any(|c| f.is(c)))
        .collect()
}

fn worst(findings: &[&Finding]) -> Option<Status> {
    findings.iter().map(|f| f.status).max()
}

/// SPF counts when the record exists, evaluation cannot end in permerror, and a pass means
/// something (no term passes every address); a lookup any of that needed and did not get
/// leaves it unconfirmed.
fn spf(findings: &[Finding]) -> Mark {
    let basis = with(
        findings,
        &[
            &spf::SPF_RECORD,
            &spf::SPF_SYNTAX,
            &spf::SPF_LOOKUP_LIMIT,
            &spf::SPF_VOID_LOOKUPS,
            &spf::SPF_INCLUDE_TARGET,
            &spf::SPF_INCLUDE_LOOP,
            &spf::SPF_ALL,
            &spf::SPF_BROAD_RANGE,
            &spf::SPF_NEVER_MATCHES,
        ],
    );
    let mark = match worst(&basis) {
        None => Mark::new(Status::Info, "SPF was not checked in this run")
            .fix("Run without --only/--skip limiting the spf area."),
        Some(Status::Fail) => {
            let failing = basis.iter().filter(|f| f.status == Status::Fail);
            let why: Vec<&str> = failing.map(|f| f.summary.as_str()).collect();
            Mark::new(
                Status::Fail,
                format!("SPF does not hold: {}", why.join("; ")),
            )
            .fix("Fix the failing spf.* checks above.")
        }
        Some(Status::Error) => {
            Mark::new(Status::Error, "SPF could not be checked (a lookup failed)")
                .fix("Retry; see the spf.* checks in error.")
        }
        Some(_) => Mark::new(Status::Pass, "SPF record present and valid"),
    };
    mark.resting_on(basis)
}

/// DKIM counts when one published key is usable; "none found" under guessed selectors is
/// not known to be absent.
fn dkim(findings: &[Finding]) -> Mark {
    let keys = with(findings, &[&dkim::DKIM_KEY, &dkim::DKIM_KEY_SIZE]);
    let selectors = with(findings, &[&dkim::DKIM_SELECTORS]);
    let usable: Vec<&&Finding> = keys
        .iter()
        .filter(|f| f.is(&dkim::DKIM_KEY) && f.status == Status::Pass)
        .collect();
    let doubtful: Vec<&&Finding> = keys
        .iter()
        .filter(|f| f.is(&dkim::DKIM_KEY) && f.status == Status::Warn)
        .collect();
    let basis = selectors.iter().chain(&keys).copied();
    let mark = if !usable.is_empty() {
        let which: Vec<&str> = usable.iter().map(|f| f.summary.as_str()).collect();
        Mark::new(
            Status::Pass,
            format!("usable DKIM key: {}", which.join("; ")),
        )
    } else if !doubtful.is_empty() {
        let which: Vec<&str> = doubtful.iter().map(|f| f.summary.as_str()).collect();
        Mark::new(
            Status::Warn,
            format!("only keys some verifiers refuse: {}", which.join("; ")),
        )
        .fix("Publish a 2048-bit RSA key under a new selector and sign with it; see dkim.key.")
    } else {
        match worst(&selectors) {
            None => Mark::new(Status::Info, "DKIM was not checked in this run")
                .fix("Run without --only/--skip limiting the dkim area."),
            Some(Status::Error) => Mark::new(Status::Error, "DKIM could not be checked (a lookup failed)")
                .fix("Retry; see dkim.selectors."),
            // Discovery found nothing: unknown, not absent.
            Some(Status::Warn) => Mark::new(
                Status::Warn,
                "no DKIM key found under the common selectors: cannot confirm",
            )
            .fix("Give the selector your mail is signed with: --selector S (the s= tag of a DKIM-Signature header)."),
            Some(_) => Mark::new(Status::Fail, "no usable DKIM key under the selectors checked")
                .fix("Fix the failing dkim.* checks above."),
        }
    };
    mark.resting_on(basis)
}

/// Either of two marks (SPF or DKIM; SPF- or DKIM-alignment).
fn either(what: &str, a: Mark, b: Mark) -> Mark {
    let (status, summary) = match (a.status, b.status) {
        (Status::Pass, _) | (_, Status::Pass) => {
            (Status::Pass, format!("{what}: at least one holds"))
        }
        (Status::Fail, Status::Fail) => (Status::Fail, format!("{what}: neither holds")),
        (Status::Error, _) | (_, Status::Error) => (
            Status::Error,
            format!("{what}: not decided (a lookup failed)"),
        ),
        _ => (Status::Warn, format!("{what}: cannot confirm either")),
    };
    let remediation = (status != Status::Pass).then(|| {
        [a.remediation.as_deref(), b.remediation.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    });
    Mark {
        status,
        summary: format!("{summary} ({}; {})", a.summary, b.summary),
        evidence: a.evidence.into_iter().chain(b.evidence).collect(),
        remediation,
    }
}

fn key_size(findings: &[Finding]) -> Mark {
    let sizes = with(findings, &[&dkim::DKIM_KEY_SIZE]);
    match worst(&sizes) {
        Some(Status::Fail) => Mark::new(Status::Fail, "an RSA key under 1024 bits is published")
            .fix("Replace it with a 2048-bit key; see dkim.key-size.")
            .resting_on(sizes),
        Some(_) => {
            Mark::new(Status::Pass, "every RSA key found has 1024 bits or more").resting_on(sizes)
        }
        // No RSA key to measure: it all depends on whether a key was found.
        None => {
            let found = dkim(findings);
            let summary = if found.status == Status::Pass {
                "only Ed25519 keys, which have no such limit".to_string()
            } else {
                format!("no key to measure: {}", found.summary)
            };
            Mark { summary, ..found }
        }
    }
}

fn dmarc(findings: &[Finding]) -> Mark {
    let record = with(findings, &[&dmarc::DMARC_RECORD]);
    let policy = with(findings, &[&dmarc::DMARC_POLICY]);
    let basis = record.iter().chain(&policy).copied();
    let mark = match (worst(&record), worst(&policy)) {
        (None, _) => Mark::new(Status::Info, "DMARC was not checked in this run")
            .fix("Run without --only/--skip limiting the dmarc area."),
        (Some(Status::Error), _) => Mark::new(
            Status::Error,
            "DMARC could not be checked (a lookup failed)",
        )
        .fix("Retry; see dmarc.record."),
        (Some(Status::Fail), _) | (_, Some(Status::Fail)) => {
            Mark::new(Status::Fail, "no DMARC record with a p= policy applies").fix(
                "Publish a DMARC record with at least p=none; see dmarc.record and dmarc.policy.",
            )
        }
        (Some(Status::Warn), _) => Mark::new(
            Status::Warn,
            "a DMARC record applies, but some receivers discard it: cannot confirm",
        )
        .fix("Publish the corrected record dmarc.record gives."),
        _ => Mark::new(Status::Pass, "a DMARC record with a policy applies"),
    };
    mark.resting_on(basis)
}

fn one_of(findings: &[Finding], check: &'static CheckDef, what: &str) -> Mark {
    let (basis, id) = (with(findings, &[check]), check.id);
    let mark = match worst(&basis) {
        None => Mark::new(Status::Info, format!("{what} was not checked in this run")),
        Some(Status::Pass) => Mark::new(Status::Pass, format!("{what} aligns")),
        Some(Status::Fail | Status::Warn) => {
            Mark::new(Status::Fail, format!("{what} cannot align")).fix(format!("See {id}."))
        }
        Some(Status::Error) => Mark::new(Status::Error, format!("{what} alignment not decided")),
        Some(Status::Info) => {
            Mark::new(Status::Warn, format!("{what} alignment unknown")).fix(format!("See {id}."))
        }
    };
    mark.resting_on(basis)
}

/// Forward-confirmed reverse DNS of every sending IP, as the ptr area found it.
fn ptr(findings: &[Finding]) -> Mark {
    let basis: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            f.is(&ptr::PTR_PRESENT)
                || f.is(&ptr::PTR_FORWARD_CONFIRMED)
                // Which addresses were checked matters only when it is a problem.
                || (f.is(&ptr::PTR_SENDING_IPS) && f.status != Status::Info)
        })
        .collect();
    let mark = match worst(&basis) {
        None => {
            let mut mark = Mark::new(Status::Info, "reverse DNS was not checked in this run")
                .fix("Run with the ptr area (and --ip IP for the sending addresses).");
            mark.evidence
                .push(Evidence::note("not checked", "no ptr finding in this run"));
            mark
        }
        Some(Status::Pass | Status::Info) => Mark::new(
            Status::Pass,
            "every sending IP has forward-confirmed reverse DNS",
        ),
        Some(Status::Error) => {
            Mark::new(Status::Error, "reverse DNS not decided (a lookup failed)")
                .fix("Retry; see the ptr checks in error.")
        }
        Some(status) => {
            let why: Vec<&str> = basis
                .iter()
                .filter(|f| f.status == status)
                .map(|f| f.summary.as_str())
                .collect();
            Mark::new(status, format!("reverse DNS does not hold: {}", why.join("; ")))
                .fix("Fix the failing ptr checks above: a PTR for each sending IP whose name resolves back to it.")
        }
    };
    mark.resting_on(basis)
}

/// Rules only a provider's data or a sent message shows: where to look.
fn not_visible(rule: Rule, tier: Tier) -> Mark {
    let (summary, fix) = match (rule, tier) {
        (Rule::SpamRate, Tier::Yahoo) => (
            "not visible in DNS: only Yahoo's complaint data shows it",
            "Enrol the DKIM domain in Yahoo's Complaint Feedback Loop in Yahoo Sender Hub (senders.yahooinc.com) and act on the complaints.",
        ),
        (Rule::SpamRate, _) => (
            "not visible in DNS: only Gmail's data shows it",
            "Verify the domain in Google Postmaster Tools (postmaster.google.com) and keep the spam rate under 0.3%, ideally under 0.1%. For Outlook.com, SNDS shows complaint data per IP.",
        ),
        (Rule::OneClickUnsubscribe, _) => (
            "not visible in DNS: it is in the headers of each message",
            "Give marketing mail `List-Unsubscribe: <https://…>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), and check a sent message's headers.",
        ),
        _ => (
            "not visible in DNS: it is about how you process unsubscribes",
            "Remove unsubscribed addresses from every list within 48 hours, and test it with an address of your own.",
        ),
    };
    let mut mark = Mark::new(Status::Info, summary).fix(fix);
    mark.evidence.push(Evidence::note(
        "not verifiable here",
        "the provider's data or a sent message, not DNS",
    ));
    mark
}

fn judge(rule: Rule, tier: Tier, findings: &[Finding]) -> Mark {
    match rule {
        Rule::SpfOrDkim => either("SPF or DKIM", spf(findings), dkim(findings)),
        Rule::Spf => spf(findings),
        Rule::Dkim => dkim(findings),
        Rule::DkimKeySize => key_size(findings),
        Rule::Dmarc => dmarc(findings),
        Rule::Alignment => either(
            "SPF or DKIM alignment",
            one_of(findings, &dmarc::DMARC_SPF_ALIGNMENT, "SPF"),
            one_of(findings, &dmarc::DMARC_DKIM_ALIGNMENT, "DKIM"),
        ),
        Rule::Ptr => ptr(findings),
        Rule::SpamRate | Rule::OneClickUnsubscribe | Rule::UnsubscribeHonoured => {
            not_visible(rule, tier)
        }
    }
}

/// Every provider rule, judged from the other areas' findings (authentication, DMARC and,
/// for reverse DNS, the ptr area's).
pub fn check(findings: &[Finding]) -> Vec<Finding> {
    RULES
        .iter()
        .map(|(def, tier, rule)| {
            let mark = judge(*rule, *tier, findings);
            let mut finding = def
                .finding(mark.status, mark.summary)
                .evidence_all(mark.evidence)
                .in_cell(&GRID, *rule as usize, *tier as usize);
            if mark.status != Status::Pass {
                finding = finding.remediation(mark.remediation.unwrap_or_else(|| {
                    "See the checks this rests on, in the evidence.".to_string()
                }));
            }
            finding
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(def: &'static CheckDef, status: Status) -> Finding {
        def.finding(status, format!("{} is {status}", def.id))
    }

    fn healthy() -> Vec<Finding> {
        vec![
            finding(&spf::SPF_RECORD, Status::Pass),
            finding(&spf::SPF_LOOKUP_LIMIT, Status::Pass),
            finding(&dkim::DKIM_SELECTORS, Status::Pass),
            finding(&dkim::DKIM_KEY, Status::Pass),
            finding(&dkim::DKIM_KEY_SIZE, Status::Pass),
            finding(&dmarc::DMARC_RECORD, Status::Pass),
            finding(&dmarc::DMARC_POLICY, Status::Warn),
            finding(&dmarc::DMARC_SPF_ALIGNMENT, Status::Pass),
            finding(&dmarc::DMARC_DKIM_ALIGNMENT, Status::Pass),
        ]
    }

    fn status(findings: &[Finding], id: &str) -> Status {
        findings
            .iter()
            .find(|f| f.id() == id)
            .map(|f| f.status)
            .unwrap()
    }

    fn replace(findings: &mut Vec<Finding>, def: &'static CheckDef, status: Status) {
        findings.retain(|f| f.id() != def.id);
        findings.push(finding(def, status));
    }

    #[test]
    fn every_rule_has_a_place_and_a_verdict() {
        let out = check(&healthy());
        assert_eq!(out.len(), CHECKS.len());
        for f in &out {
            let cell = f.cell.expect("every rule is drawn in the grid");
            let expected = match GRID.rows[cell.row] {
                "Reverse DNS (FCrDNS)"
                | "Spam rate < 0.3%"
                | "One-click unsubscribe"
                | "Unsubscribes honoured" => Status::Info,
                _ => Status::Pass,
            };
            assert_eq!(f.status, expected, "{}", f.id());
            if f.status != Status::Pass {
                assert!(
                    f.remediation.is_some() && !f.evidence.is_empty(),
                    "{}",
                    f.id()
                );
            }
        }
        assert!(
            out.iter()
                .find(|f| f.id() == "compliance.gmail.ptr")
                .unwrap()
                .summary
                .contains("not checked")
        );
    }

    #[test]
    fn missing_dmarc_fails_the_bulk_tiers_only() {
        let mut findings = healthy();
        replace(&mut findings, &dmarc::DMARC_RECORD, Status::Fail);
        findings.retain(|f| f.id() != "dmarc.policy");
        let out = check(&findings);
        for id in [
            "compliance.gmail-bulk.dmarc",
            "compliance.yahoo-bulk.dmarc",
            "compliance.outlook.dmarc",
        ] {
            assert_eq!(status(&out, id), Status::Fail, "{id}");
        }
        assert_eq!(status(&out, "compliance.gmail.spf-or-dkim"), Status::Pass);
    }

    #[test]
    fn dkim_not_found_is_unknown_and_spf_carries_the_or_rule() {
        let mut findings = healthy();
        findings.retain(|f| !f.id().starts_with("dkim."));
        findings.push(finding(&dkim::DKIM_SELECTORS, Status::Warn));
        let out = check(&findings);
        assert_eq!(status(&out, "compliance.outlook.dkim"), Status::Warn);
        assert_eq!(status(&out, "compliance.gmail.spf-or-dkim"), Status::Pass);
        assert_eq!(status(&out, "compliance.gmail.dkim-key-size"), Status::Warn);
        replace(&mut findings, &spf::SPF_RECORD, Status::Fail);
        let out = check(&findings);
        assert_eq!(status(&out, "compliance.gmail.spf-or-dkim"), Status::Warn);
        assert_eq!(status(&out, "compliance.outlook.spf"), Status::Fail);
    }

    #[test]
    fn weak_keys_and_alignment() {
        let mut findings = healthy();
        replace(&mut findings, &dkim::DKIM_KEY_SIZE, Status::Fail);
        replace(&mut findings, &dmarc::DMARC_SPF_ALIGNMENT, Status::Warn);
        let out = check(&findings);
        assert_eq!(status(&out, "compliance.gmail.dkim-key-size"), Status::Fail);
        assert_eq!(
            status(&out, "compliance.gmail-bulk.alignment"),
            Status::Pass
        );
        replace(&mut findings, &dmarc::DMARC_DKIM_ALIGNMENT, Status::Fail);
        replace(&mut findings, &dmarc::DMARC_SPF_ALIGNMENT, Status::Fail);
        assert_eq!(
            status(&check(&findings), "compliance.outlook.alignment"),
            Status::Fail
        );
        replace(&mut findings, &dmarc::DMARC_DKIM_ALIGNMENT, Status::Error);
        assert_eq!(
            status(&check(&findings), "compliance.outlook.alignment"),
            Status::Error
        );
    }

    #[test]
    fn a_failed_lookup_behind_a_rule_never_meets_it() {
        let rows = |findings: &[Finding], ids: &[&str]| -> Vec<Status> {
            let out = check(findings);
            ids.iter().map(|id| status(&out, id)).collect()
        };
        let spf_rows = [
            "compliance.gmail-bulk.spf",
            "compliance.yahoo-bulk.spf",
            "compliance.outlook.spf",
        ];
        for input in [
            &spf::SPF_RECORD,
            &spf::SPF_INCLUDE_TARGET,
            &spf::SPF_BROAD_RANGE,
            &spf::SPF_NEVER_MATCHES,
        ] {
            let mut findings = healthy();
            replace(&mut findings, input, Status::Error);
            assert_eq!(
                rows(&findings, &spf_rows),
                [Status::Error; 3],
                "{}",
                input.id
            );
            // DKIM alone meets the either-or rule.
            assert_eq!(
                status(&check(&findings), "compliance.gmail.spf-or-dkim"),
                Status::Pass
            );
        }
        let mut findings = healthy();
        findings.retain(|f| !f.id().starts_with("dkim."));
        findings.push(finding(&dkim::DKIM_SELECTORS, Status::Error));
        let dkim_rows = [
            "compliance.gmail-bulk.dkim",
            "compliance.yahoo-bulk.dkim",
            "compliance.outlook.dkim",
            "compliance.gmail.dkim-key-size",
        ];
        assert_eq!(rows(&findings, &dkim_rows), [Status::Error; 4]);
        replace(&mut findings, &spf::SPF_RECORD, Status::Error);
        assert_eq!(
            rows(
                &findings,
                &[
                    "compliance.gmail.spf-or-dkim",
                    "compliance.yahoo.spf-or-dkim"
                ]
            ),
            [Status::Error; 2]
        );
        let mut findings = healthy();
        replace(&mut findings, &dmarc::DMARC_RECORD, Status::Error);
        findings.retain(|f| !f.is(&dmarc::DMARC_POLICY));
        let dmarc_rows = [
            "compliance.gmail-bulk.dmarc",
            "compliance.yahoo-bulk.dmarc",
            "compliance.outlook.dmarc",
        ];
        assert_eq!(rows(&findings, &dmarc_rows), [Status::Error; 3]);
        // Alignment: an error on one side and no confirmation on the other.
        let mut findings = healthy();
        replace(&mut findings, &dmarc::DMARC_SPF_ALIGNMENT, Status::Error);
        replace(&mut findings, &dmarc::DMARC_DKIM_ALIGNMENT, Status::Info);
        let alignment_rows = [
            "compliance.gmail-bulk.alignment",
            "compliance.yahoo-bulk.alignment",
            "compliance.outlook.alignment",
        ];
        assert_eq!(rows(&findings, &alignment_rows), [Status::Error; 3]);
        let mut findings = healthy();
        findings.push(finding(&ptr::PTR_PRESENT, Status::Error));
        findings.push(finding(&ptr::PTR_FORWARD_CONFIRMED, Status::Pass));
        assert_eq!(
            rows(&findings, &["compliance.gmail.ptr", "compliance.yahoo.ptr"]),
            [Status::Error; 2]
        );
    }

    #[test]
    fn spf_that_passes_anyone_or_a_record_some_receivers_discard_is_not_met() {
        let mut findings = healthy();
        replace(&mut findings, &spf::SPF_BROAD_RANGE, Status::Fail);
        assert_eq!(
            status(&check(&findings), "compliance.outlook.spf"),
            Status::Fail
        );
        let mut findings = healthy();
        replace(&mut findings, &dmarc::DMARC_RECORD, Status::Warn);
        assert_eq!(
            status(&check(&findings), "compliance.outlook.dmarc"),
            Status::Warn
        );
    }

    #[test]
    fn the_ptr_area_fills_the_ptr_rows() {
        let mut findings = healthy();
        findings.push(finding(&ptr::PTR_PRESENT, Status::Fail));
        findings.push(finding(&ptr::PTR_FORWARD_CONFIRMED, Status::Pass));
        let out = check(&findings);
        assert_eq!(status(&out, "compliance.gmail.ptr"), Status::Fail);
        assert_eq!(status(&out, "compliance.yahoo.ptr"), Status::Fail);
        replace(&mut findings, &ptr::PTR_PRESENT, Status::Pass);
        findings.push(finding(&ptr::PTR_SENDING_IPS, Status::Info));
        assert_eq!(
            status(&check(&findings), "compliance.gmail.ptr"),
            Status::Pass
        );
    }
}
