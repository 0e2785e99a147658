//! DKIM: the public keys a domain publishes under `<selector>._domainkey` (RFC 6376 §3.6,
//! RFC 8463), found under the selectors the user names or, without any, under common ones.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::checks::area::{AreaDef, Ctx, Facts, SubjectKind, facts};
use crate::checks::finding::{Area, Evidence, Finding, checks};
use crate::dkim::key::{MAX_RSA_BITS, MIN_RSA_BITS, Usability, looks_like_key};
use crate::dkim::selectors::{self, COMMON};
use crate::dkim::{Key, KeyError, KeyRecord};
use crate::dns::{Lookup, Name, Outcome, RType, Rdata, Resolver};

pub const NAME: Area = Area::new("dkim");

pub static AREA: AreaDef = AreaDef {
    area: NAME,
    subjects: &[SubjectKind::Domain],
    reads: &[],
    checks: CHECKS,
    gather: facts::<DkimFacts>,
    check: |g| check(g.facts()),
};

checks! {
    area: NAME;

    /// ## What it checks
    /// Whether DKIM keys are published: under each selector given with `--selector`, or
    /// else under a list of selectors that mail services use by default (`google`,
    /// `selector1`/`selector2`, `k1`, `s1`, `default`, `mail` …; `deliv explain` cannot show
    /// a message, so `README.md` has the full list). CNAMEs are followed.
    ///
    /// ## Why it matters
    /// Gmail and Yahoo want SPF or DKIM from every sender and both from bulk senders;
    /// Outlook.com wants DKIM to pass for high-volume senders. DNS cannot list selectors, so
    /// "none found" only means none of the guessed names has a key: the verdict is a warning,
    /// not a failure, unless a selector you named is missing. Amazon SES uses random tokens
    /// as selectors, which no list can guess.
    ///
    /// ## How to fix
    /// Read the selector from the `s=` tag of the `DKIM-Signature` header of a message you
    /// sent and run `deliv dkim DOMAIN --selector S`. If nothing signs your mail, turn on DKIM
    /// at each service that sends as the domain and publish the record it gives you, e.g.
    /// `s1._domainkey.example.com. IN TXT "v=DKIM1; k=rsa; p=MIIBIjANBg…"`.
    DKIM_SELECTORS = "dkim.selectors", "DKIM keys are published under the selectors tried",
    references ["RFC 6376 §3.1", "RFC 6376 §3.6.2.1",
                "https://support.google.com/mail/answer/81126"];

    /// ## What it checks
    /// That each key record gives verifiers a key they can use: `v=DKIM1` first if present,
    /// `k=rsa` or `k=ed25519`, a `p=` that decodes to a key of that type, `s=` allowing email,
    /// tags that parse. An empty `p=` is a revoked key. A key verifiers will not use fails
    /// too: RSA under 1024 bits (RFC 8301 §3.2), or `h=` without `sha256` (verifiers must
    /// refuse `rsa-sha1`, RFC 8301 §3.1); an RSA key over 4096 bits warns (verifiers need not
    /// handle it). Records reached through a CNAME count; a CNAME that leads to no key is
    /// reported too. DMARC alignment and the provider rules count only keys this passes.
    ///
    /// ## Why it matters
    /// A signature whose key cannot be loaded, was revoked or is one verifiers refuse fails
    /// DKIM, exactly as if the mail were forged.
    ///
    /// ## How to fix
    /// Publish the public key exactly as the signing service gives it: for RSA the base64
    /// SubjectPublicKeyInfo (`MIIBIjANBg…`), for Ed25519 the base64 of the 32-byte key, with
    /// no quotes or line breaks inside the value. Stop signing with a selector you revoked.
    DKIM_KEY = "dkim.key", "Key records hold a usable key",
    references ["RFC 6376 §3.6.1", "RFC 8463 §4.2"];

    /// ## What it checks
    /// The size of each RSA key, read from the key itself: under 1024 bits fails, 1024 up
    /// to 2047 warns, 2048 to 4096 passes, over 4096 warns (RFC 8301 §3.2 requires verifiers
    /// to handle keys up to 4096 bits only).
    ///
    /// ## Why it matters
    /// RFC 8301 forbids verifying with keys under 1024 bits, so such signatures fail; Gmail
    /// requires at least 1024 bits and recommends 2048, Yahoo asks for at least 1024. Short
    /// keys can be factored and your signatures forged.
    ///
    /// ## How to fix
    /// Generate a 2048-bit key (`openssl genpkey -algorithm RSA -pkeyopt
    /// rsa_keygen_bits:2048`, or your provider's "rotate key" button), publish it under a new
    /// selector, switch signing to it, then revoke the old selector by publishing it with an
    /// empty `p=`. A 2048-bit key is longer than one TXT string: split it into quoted strings
    /// of at most 255 characters.
    DKIM_KEY_SIZE = "dkim.key-size", "RSA keys have 2048 bits or more",
    references ["RFC 8301 §3.2", "https://support.google.com/mail/answer/81126",
                "https://senders.yahooinc.com/best-practices/"];

    /// ## What it checks
    /// The `t=y` flag on a key record.
    ///
    /// ## Why it matters
    /// `t=y` says the domain is testing DKIM, and RFC 6376 §3.6.1 asks verifiers not to
    /// treat its mail differently from unsigned mail: a signature may earn nothing.
    ///
    /// ## How to fix
    /// Once signatures verify, remove `t=y` from the record.
    DKIM_TESTING = "dkim.testing", "Keys are not in testing mode",
    references ["RFC 6376 §3.6.1"];

    /// ## What it checks
    /// The `h=` tag of a key record, when present: it must allow `sha256`.
    ///
    /// ## Why it matters
    /// `h=` limits the hash algorithms signatures with this key may use. RFC 8301 forbids
    /// `rsa-sha1` and `sha256` is the only other hash DKIM defines, so a key limited to
    /// anything else (`sha1`, or a name verifiers do not know) can only make signatures
    /// that fail.
    ///
    /// ## How to fix
    /// Remove the `h=` tag (all algorithms allowed) or write `h=sha256`, and sign with
    /// `rsa-sha256`.
    DKIM_HASH = "dkim.hash", "Keys allow SHA-256",
    references ["RFC 8301 §3.1", "RFC 6376 §3.6.1"];

    /// ## What it checks
    /// When Ed25519 keys are published, that an RSA key is published too.
    ///
    /// ## Why it matters
    /// Ed25519 signatures (RFC 8463) are short and strong, but many receivers still verify
    /// only RSA; to them mail signed only with Ed25519 is unsigned.
    ///
    /// ## How to fix
    /// Publish a 2048-bit RSA key under a second selector and sign every message with both
    /// keys.
    DKIM_ALGORITHMS = "dkim.algorithms", "An RSA key accompanies Ed25519 keys",
    references ["RFC 8463 §1", "RFC 6376 §3.3"];
}

/// One selector's question and answer.
#[derive(Debug, Clone)]
pub struct SelectorLookup {
    pub selector: String,
    pub txt: Arc<Lookup>,
    /// The name's CNAME, asked when the TXT answer was empty; see [`gather`].
    pub cname: Option<Arc<Lookup>>,
}

#[derive(Debug, Clone)]
pub struct DkimFacts {
    /// Where the keys are looked up: the checked domain, or `--dkim-domain`.
    pub domain: Name,
    /// The selectors came from `--selector`; otherwise they are the common ones.
    pub given: bool,
    pub selectors: Vec<SelectorLookup>,
    /// `_domainkey.<domain>`, asked during discovery: NXDOMAIN there means nothing at all is
    /// published below it (RFC 8020), anything else that some name is.
    pub domainkey: Option<Arc<Lookup>>,
}

impl Facts for DkimFacts {
    fn gather<'c>(ctx: &'c Ctx<'_>) -> BoxFuture<'c, Self> {
        Box::pin(gather(
            ctx.resolver,
            ctx.options
                .identifiers
                .dkim_domain
                .as_ref()
                .unwrap_or(ctx.domain()),
            &ctx.options.selectors,
        ))
    }
}

/// Asks every selector at once; `given` empty means discovery over [`COMMON`].
async fn gather(resolver: &Resolver, domain: &Name, given: &[String]) -> DkimFacts {
    let candidates: Vec<&str> = if given.is_empty() {
        COMMON.to_vec()
    } else {
        given.iter().map(String::as_str).collect()
    };
    // A selector whose name would exceed DNS limits cannot hold a key; it is not asked.
    let (names, questions): (Vec<String>, Vec<(Name, RType)>) = candidates
        .iter()
        .filter_map(|s| {
            let name = domain.prepend(&format!("{s}._domainkey")).ok()?;
            Some((s.to_string(), (name, RType::Txt)))
        })
        .unzip();
    let parent = domain
        .prepend("_domainkey")
        .ok()
        .filter(|_| given.is_empty());
    let (answers, domainkey) = tokio::join!(resolver.query_all(&questions), async {
        match &parent {
            Some(name) => Some(resolver.query(name, RType::Txt).await),
            None => None,
        }
    });
    let mut selectors: Vec<SelectorLookup> = names
        .into_iter()
        .zip(answers)
        .map(|(selector, txt)| SelectorLookup {
            selector,
            txt,
            cname: None,
        })
        .collect();
    // Resolvers drop the CNAME from an NXDOMAIN or NODATA answer, yet a provider's CNAME
    // leading nowhere is the usual sign of DKIM set up but never switched on. So the CNAME is
    // asked where it can matter: a named selector without a key, or discovery that found no
    // key although names exist below `_domainkey`.
    let names_below = domainkey
        .as_ref()
        .is_none_or(|l| l.outcome != Outcome::NxDomain);
    if names_below && !selectors.iter().any(SelectorLookup::usable) {
        let unexplained: Vec<usize> = (0..selectors.len())
            .filter(|&i| selectors[i].txt.is_empty_answer() && selectors[i].txt.aliases.is_empty())
            .collect();
        let questions: Vec<(Name, RType)> = unexplained
            .iter()
            .map(|&i| (selectors[i].txt.name.clone(), RType::Cname))
            .collect();
        for (i, cname) in unexplained
            .into_iter()
            .zip(resolver.query_all(&questions).await)
        {
            selectors[i].cname = Some(cname);
        }
    }
    DkimFacts {
        domain: domain.clone(),
        given: !given.is_empty(),
        selectors,
        domainkey,
    }
}

/// What one selector holds.
enum Holding {
    Failed,
    Nothing,
    /// A CNAME (a provider's) that leads to no key: set up, but not (yet) switched on.
    DeadAlias(Name),
    Keys(Vec<(String, Result<KeyRecord, KeyError>)>),
}

impl SelectorLookup {
    fn holding(&self) -> Holding {
        if self.txt.failure().is_some() {
            return Holding::Failed;
        }
        let keys: Vec<(String, Result<KeyRecord, KeyError>)> = self
            .txt
            .txt_records()
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .filter(|t| looks_like_key(t))
            .map(|t| {
                let parsed = KeyRecord::parse(&t);
                (t, parsed)
            })
            .collect();
        match (keys.is_empty(), self.alias()) {
            (false, _) => Holding::Keys(keys),
            (true, Some(target)) => Holding::DeadAlias(target.clone()),
            (true, None) => Holding::Nothing,
        }
    }

    /// Where the selector's name points: the end of the CNAME chain the TXT lookup followed,
    /// else the CNAME asked on its own.
    fn alias(&self) -> Option<&Name> {
        self.txt.aliases.last().or_else(|| {
            self.cname
                .as_deref()?
                .records()
                .iter()
                .find_map(|r| match r {
                    Rdata::Cname(target) => Some(target),
                    _ => None,
                })
        })
    }

    /// The lookups behind this selector's verdict.
    fn evidence(&self) -> Vec<Evidence> {
        std::iter::once(&self.txt)
            .chain(&self.cname)
            .map(Evidence::from)
            .collect()
    }

    /// `selector1 (Microsoft 365)` when a CNAME shows who runs the key.
    fn label(&self) -> String {
        match self.alias().and_then(selectors::operator) {
            Some(who) => format!("{} ({who})", self.selector),
            None => self.selector.clone(),
        }
    }

    /// Whether any key here has this usability.
    fn has(&self, wanted: fn(&Usability) -> bool) -> bool {
        matches!(self.holding(), Holding::Keys(keys)
            if keys.iter().any(|(_, k)| k.as_ref().is_ok_and(|k| wanted(&k.usability()))))
    }

    fn usable(&self) -> bool {
        self.has(|u| *u == Usability::Usable)
    }
}

/// What the published keys allow, for alignment: can mail be DKIM-signed as the domain?
pub enum Signing<'a> {
    /// Selectors with a key verifiers can use.
    Usable(Vec<&'a str>),
    /// Selectors with keys only some verifiers use, and none better.
    Doubtful(Vec<&'a str>),
    /// Keys or names are there, but none verifies (or a named selector is missing).
    Broken,
    /// Discovery found nothing: unknown, not absent.
    NoneFound,
    Failed(&'a Arc<Lookup>),
}

pub fn signing(ev: &DkimFacts) -> Signing<'_> {
    let usable: Vec<&str> = ev
        .selectors
        .iter()
        .filter(|s| s.usable())
        .map(|s| s.selector.as_str())
        .collect();
    if !usable.is_empty() {
        return Signing::Usable(usable);
    }
    let doubtful: Vec<&str> = ev
        .selectors
        .iter()
        .filter(|s| s.has(|u| matches!(u, Usability::Doubtful(_))))
        .map(|s| s.selector.as_str())
        .collect();
    if !doubtful.is_empty() {
        return Signing::Doubtful(doubtful);
    }
    if let Some(failed) = ev.selectors.iter().find(|s| s.txt.failure().is_some()) {
        return Signing::Failed(&failed.txt);
    }
    // Published keys that do not verify are the domain's DKIM, broken. A provider's CNAME
    // leading nowhere says DKIM there is off, not that no other selector signs.
    let keys = ev
        .selectors
        .iter()
        .any(|s| matches!(s.holding(), Holding::Keys(_)));
    if ev.given || keys {
        Signing::Broken
    } else {
        Signing::NoneFound
    }
}

pub fn check(ev: &DkimFacts) -> Vec<Finding> {
    let mut out = if ev.given {
        given_selectors(ev)
    } else {
        discovery(ev)
    };
    let mut ed25519 = Vec::new();
    let mut rsa = false;
    for s in &ev.selectors {
        match s.holding() {
            Holding::Keys(keys) => {
                if keys.len() > 1 {
                    out.push(
                        DKIM_KEY
                            .warn(format!(
                                "{} has {} key records; verifiers may pick either",
                                s.selector,
                                keys.len()
                            ))
                            .evidence(&s.txt)
                            .remediation(format!(
                                "Keep one key record at {}; publish a new key under a new selector instead.",
                                s.txt.name
                            )),
                    );
                }
                for (text, parsed) in &keys {
                    out.extend(key_findings(&ev.domain, s, text, parsed));
                    match parsed {
                        Ok(r) if r.key == Key::Ed25519 => ed25519.push(s.selector.as_str()),
                        Ok(KeyRecord {
                            key: Key::Rsa { .. },
                            ..
                        }) => rsa = true,
                        _ => {}
                    }
                }
            }
            Holding::DeadAlias(target) if !ev.given => out.push(dead_alias(s, &target)),
            Holding::DeadAlias(_) | Holding::Failed | Holding::Nothing => {}
        }
    }
    if !ed25519.is_empty() {
        let list = ed25519.join(", ");
        out.push(if rsa {
            DKIM_ALGORITHMS.pass(format!("Ed25519 ({list}) and RSA keys published"))
        } else {
            DKIM_ALGORITHMS
                .warn(format!("only Ed25519 keys ({list}): receivers that verify only RSA see unsigned mail"))
                .evidence(Evidence::note("keys", format!("Ed25519 at {list}; no RSA key under the selectors tried")))
                .remediation(format!(
                    "Publish a 2048-bit RSA key under a second selector of {} and sign with both keys.",
                    ev.domain
                ))
        });
    }
    out
}

fn tried(ev: &DkimFacts) -> Evidence {
    let names: Vec<&str> = ev.selectors.iter().map(|s| s.selector.as_str()).collect();
    Evidence::note(
        "selectors tried",
        format!("{} under _domainkey.{}", names.join(", "), ev.domain),
    )
}

fn given_selectors(ev: &DkimFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &ev.selectors {
        let publish = format!(
            "Publish the key your signer gives you: `{}. IN TXT \"v=DKIM1; k=rsa; p=<base64 public key>\"`, \
             or check the selector against the s= tag of a signed message's DKIM-Signature header.",
            s.txt.name
        );
        match s.holding() {
            Holding::Failed => out.push(DKIM_SELECTORS.lookup_error(&s.txt)),
            Holding::Nothing => out.push(
                DKIM_SELECTORS
                    .fail(format!("no DKIM key at {}", s.txt.name))
                    .evidence(&s.txt)
                    .detail("Mail signed with this selector fails DKIM: verifiers find no key.")
                    .remediation(publish),
            ),
            Holding::DeadAlias(target) => out.push(
                DKIM_SELECTORS
                    .fail(format!(
                        "{} is a CNAME to {target}, which holds no DKIM key",
                        s.txt.name
                    ))
                    .evidence_all(s.evidence())
                    .remediation(alias_fix(s, &target)),
            ),
            Holding::Keys(_) => {}
        }
    }
    if out.is_empty() {
        let labels: Vec<String> = ev.selectors.iter().map(SelectorLookup::label).collect();
        out.push(
            DKIM_SELECTORS
                .pass(format!(
                    "key records at {} under _domainkey.{}",
                    labels.join(", "),
                    ev.domain
                ))
                .evidence_all(ev.selectors.iter().map(|s| Evidence::from(&s.txt))),
        );
    }
    out
}

fn discovery(ev: &DkimFacts) -> Vec<Finding> {
    let found: Vec<&SelectorLookup> = ev
        .selectors
        .iter()
        .filter(|s| matches!(s.holding(), Holding::Keys(_)))
        .collect();
    if !found.is_empty() {
        let labels: Vec<String> = found.iter().map(|s| s.label()).collect();
        return vec![
            DKIM_SELECTORS
                .pass(format!(
                    "found {} ({} common selectors tried)",
                    labels.join(", "),
                    ev.selectors.len()
                ))
                .evidence_all(found.iter().flat_map(|s| s.evidence()))
                .evidence(tried(ev)),
        ];
    }
    let failed: Vec<&Arc<Lookup>> = ev
        .selectors
        .iter()
        .map(|s| &s.txt)
        .filter(|l| l.failure().is_some())
        .collect();
    if let Some(first) = failed.first() {
        return vec![
            DKIM_SELECTORS
                .lookup_error(first)
                .evidence_all(failed.iter().skip(1).map(|l| Evidence::from(*l)))
                .evidence(tried(ev))
                .detail(format!(
                    "{} of {} selector lookups failed, so a key may be there unseen.",
                    failed.len(),
                    ev.selectors.len()
                )),
        ];
    }
    // Names below `_domainkey` that none of the tried selectors accounts for are keys under
    // other selectors, most likely.
    let unaccounted = ev
        .selectors
        .iter()
        .all(|s| s.txt.outcome == Outcome::NxDomain && s.alias().is_none());
    let below = match ev.domainkey.as_deref().map(|l| &l.outcome) {
        Some(Outcome::NxDomain) => format!(
            " Nothing at all exists below _domainkey.{} (NXDOMAIN; under RFC 8020 that means no selector is published).",
            ev.domain
        ),
        Some(Outcome::NoData | Outcome::Records(_)) if unaccounted => format!(
            " Names do exist below _domainkey.{}: keys are probably published under selectors not in this list.",
            ev.domain
        ),
        _ => String::new(),
    };
    let dead: Vec<String> = ev
        .selectors
        .iter()
        .filter(|s| matches!(s.holding(), Holding::DeadAlias(_)))
        .map(SelectorLookup::label)
        .collect();
    let aliases = match dead.as_slice() {
        [] => String::new(),
        some => format!(" ({}: CNAME without a key)", some.join(", ")),
    };
    let mut finding = DKIM_SELECTORS
        .warn(format!(
            "no DKIM key under the {} common selectors tried{aliases}; cannot verify DKIM without \
             the selector",
            ev.selectors.len()
        ))
        .detail(format!(
            "Selectors cannot be listed from DNS, so this is not proof that the domain has no \
             DKIM key.{below} Amazon SES (Easy DKIM) uses three random tokens as selectors \
             (CNAMEs to <token>.dkim.amazonses.com), which no list can guess."
        ))
        .evidence(tried(ev))
        .remediation(format!(
            "Find the selector in the s= tag of the DKIM-Signature header of a message sent as {0} \
             and run `deliv dkim {0} --selector S` (for SES, the tokens are in the SES console). \
             If nothing signs your mail, turn on DKIM at each service that sends as {0} and publish \
             the records it gives you.",
            ev.domain
        ));
    if let Some(domainkey) = &ev.domainkey {
        finding = finding.evidence(domainkey);
    }
    vec![finding]
}

fn alias_fix(s: &SelectorLookup, target: &Name) -> String {
    match selectors::operator(target) {
        Some(who) => format!(
            "Turn on DKIM signing for the domain in {who}, which then publishes the key at {target}; \
             if you no longer send through {who}, remove the CNAME at {}.",
            s.txt.name
        ),
        None => format!(
            "Point the CNAME at {} to the name your provider gives, or remove it if the provider no \
             longer signs your mail.",
            s.txt.name
        ),
    }
}

fn dead_alias(s: &SelectorLookup, target: &Name) -> Finding {
    DKIM_KEY
        .warn(format!(
            "{} is a CNAME to {target}, which holds no key: signing there is not switched on",
            s.label()
        ))
        .evidence_all(s.evidence())
        .remediation(alias_fix(s, target))
}

fn key_findings(
    domain: &Name,
    s: &SelectorLookup,
    text: &str,
    parsed: &Result<KeyRecord, KeyError>,
) -> Vec<Finding> {
    let label = s.label();
    let record = match parsed {
        Err(e) => {
            let mut finding = DKIM_KEY
                .fail(format!("{label}: {e}"))
                .evidence(&s.txt)
                .detail("Signatures made with this selector fail DKIM (permerror): verifiers cannot use the key.")
                .remediation(match e {
                    KeyError::BadKey(_) | KeyError::NoKey => format!(
                        "Republish the public key at {} exactly as the signer gives it (base64, no quotes \
                         or line breaks inside the value): `v=DKIM1; k=rsa; p=MIIBIjANBg…`.",
                        s.txt.name
                    ),
                    KeyError::NotForEmail(_) => "Write s=email (or remove s=) so the key may sign mail.".to_string(),
                    KeyError::UnsupportedType(_) => "Write k=rsa or k=ed25519, matching the key in p=.".to_string(),
                    KeyError::Syntax(_) | KeyError::Version(_) => {
                        "Correct the tag shown; the record is `v=DKIM1; k=rsa; p=…` with tags separated by ';'.".to_string()
                    }
                });
            if let Some(tag) = e.tag() {
                finding = finding.evidence(Evidence::note("position", tag.pointer(text)));
            }
            return vec![finding];
        }
        Ok(record) => record,
    };
    let mut out = Vec::new();
    match record.key {
        Key::Revoked => {
            out.push(
                DKIM_KEY
                    .fail(format!("{label}: the key is revoked (empty p=)"))
                    .evidence(&s.txt)
                    .detail("Mail still signed with this selector fails DKIM.")
                    .remediation(format!(
                        "If anything still signs with selector {}, publish its current public key there or \
                         switch the signer to a selector with a key.",
                        s.selector
                    )),
            );
            return out;
        }
        Key::Ed25519 | Key::Rsa { .. } => {}
    }
    let kind = match record.key {
        Key::Rsa { bits } => format!("RSA key of {bits} bits"),
        _ => "Ed25519 key".to_string(),
    };
    let rotate = format!(
        "Generate a 2048-bit RSA key, publish it under a new selector of {domain}, switch signing \
         to it, then publish selector {} with an empty p= to revoke the old key.",
        s.selector
    );
    let unhash = format!(
        "Remove h= from the record at {} (or write h=sha256) and sign with rsa-sha256.",
        s.txt.name
    );
    let weak_hash = record
        .hashes
        .as_ref()
        .is_some_and(|h| !h.iter().any(|h| h == "sha256"));
    out.push(match record.usability() {
        Usability::Usable => DKIM_KEY.pass(format!("{label}: {kind}")).evidence(&s.txt),
        Usability::Doubtful(why) => DKIM_KEY
            .warn(format!("{label}: {why}"))
            .evidence(&s.txt)
            .remediation(rotate.clone()),
        Usability::Unusable(why) => DKIM_KEY
            .fail(format!("{label}: {why}"))
            .evidence(&s.txt)
            .detail("Signatures made with this selector fail DKIM: verifiers will not use the key.")
            .remediation(if weak_hash {
                unhash.clone()
            } else {
                rotate.clone()
            }),
    });
    if let Key::Rsa { bits } = record.key {
        out.push(match bits {
            0..MIN_RSA_BITS => DKIM_KEY_SIZE
                .fail(format!(
                    "{label}: RSA key of {bits} bits; verifiers refuse keys under 1024"
                ))
                .evidence(&s.txt)
                .remediation(rotate),
            MIN_RSA_BITS..2048 => DKIM_KEY_SIZE
                .warn(format!(
                    "{label}: RSA key of {bits} bits; 2048 is recommended"
                ))
                .evidence(&s.txt)
                .remediation(rotate),
            2048..=MAX_RSA_BITS => DKIM_KEY_SIZE.pass(format!("{label}: RSA key of {bits} bits")),
            _ => DKIM_KEY_SIZE
                .warn(format!(
                    "{label}: RSA key of {bits} bits; verifiers need handle only up to \
                     {MAX_RSA_BITS}"
                ))
                .evidence(&s.txt)
                .remediation(rotate),
        });
    }
    if record.testing {
        out.push(
            DKIM_TESTING
                .warn(format!(
                    "{label}: t=y, the domain says it is testing DKIM; verifiers are asked to treat \
                     its mail like unsigned mail"
                ))
                .evidence(&s.txt)
                .remediation(format!("Remove t=y from the record at {} once signatures verify.", s.txt.name)),
        );
    }
    if let Some(hashes) = &record.hashes {
        out.push(if weak_hash {
            DKIM_HASH
                .fail(format!(
                    "{label}: h={} does not allow sha256, the only hash verifiers accept",
                    hashes.join(":")
                ))
                .evidence(&s.txt)
                .remediation(unhash)
        } else {
            DKIM_HASH.pass(format!("{label}: h={} allows sha256", hashes.join(":")))
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::dns::{Failure, Rdata, Source};

    const RSA1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC8Lu1K3zsC4JChMjlGkH9q2RK/3FYwBXmyhehOBfVa82dneHXR+cJOV1IGxzV3dskEh3pi+0G83pc519nTeiycj3ei2yM8FksZpVj2YCJzCakw5FZX9OrUW/TJUqxHktwwEZ6SymkVt0U1C1YN5iHDqF+yeol1WkegKQex81G8awIDAQAB";
    const ED25519: &str = "1gkPA2ugikUTNZStIAFFZ0aUmkiOAgKhKKS84Fu8fuo=";

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    fn selector(sel: &str, outcome: Outcome, aliases: &[&str]) -> SelectorLookup {
        SelectorLookup {
            cname: None,
            selector: sel.to_string(),
            txt: Arc::new(Lookup {
                name: name(&format!("{sel}._domainkey.example.com")),
                rtype: RType::Txt,
                aliases: aliases.iter().map(|a| name(a)).collect(),
                outcome,
                source: Source::Zone,
            }),
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

    fn evidence(given: bool, selectors: Vec<SelectorLookup>) -> DkimFacts {
        DkimFacts {
            domain: name("example.com"),
            given,
            selectors,
            domainkey: None,
        }
    }

    fn statuses(findings: &[Finding]) -> Vec<(&'static str, Status)> {
        findings.iter().map(|f| (f.id(), f.status)).collect()
    }

    #[test]
    fn a_found_key_is_judged() {
        let ev = evidence(
            false,
            vec![
                selector("google", Outcome::NxDomain, &[]),
                selector(
                    "s1",
                    txt(&[&format!("v=DKIM1; h=sha1; t=y; p={RSA1024}")]),
                    &[],
                ),
            ],
        );
        assert_eq!(
            statuses(&check(&ev)),
            vec![
                ("dkim.selectors", Status::Pass),
                // h=sha1 alone: verifiers must refuse rsa-sha1 (RFC 8301 §3.1).
                ("dkim.key", Status::Fail),
                ("dkim.key-size", Status::Warn),
                ("dkim.testing", Status::Warn),
                ("dkim.hash", Status::Fail),
            ]
        );
        assert!(matches!(signing(&ev), Signing::Broken));
    }

    #[test]
    fn nothing_found_is_a_warning_and_a_failed_lookup_an_error() {
        let ev = evidence(
            false,
            vec![
                selector("google", Outcome::NxDomain, &[]),
                selector("s1", txt(&["v=spf1 -all"]), &[]),
            ],
        );
        let f = check(&ev);
        assert_eq!(statuses(&f), vec![("dkim.selectors", Status::Warn)]);
        assert!(f[0].detail.contains("Amazon SES"));
        assert!(matches!(signing(&ev), Signing::NoneFound));
        let ev = evidence(
            false,
            vec![
                selector("google", Outcome::NxDomain, &[]),
                selector("s1", Outcome::Failed(Failure::Timeout), &[]),
            ],
        );
        assert_eq!(
            statuses(&check(&ev)),
            vec![("dkim.selectors", Status::Error)]
        );
        assert!(matches!(signing(&ev), Signing::Failed(_)));
    }

    #[test]
    fn a_named_selector_must_exist() {
        let ev = evidence(true, vec![selector("s2024", Outcome::NxDomain, &[])]);
        assert_eq!(
            statuses(&check(&ev)),
            vec![("dkim.selectors", Status::Fail)]
        );
        assert!(matches!(signing(&ev), Signing::Broken));
    }

    #[test]
    fn broken_and_revoked_keys_fail() {
        let ev = evidence(
            true,
            vec![
                selector("old", txt(&["v=DKIM1; p="]), &[]),
                selector("bad", txt(&["v=DKIM1; k=rsa; p=aGVsbG8="]), &[]),
            ],
        );
        let f = check(&ev);
        assert_eq!(
            statuses(&f),
            vec![
                ("dkim.selectors", Status::Pass),
                ("dkim.key", Status::Fail),
                ("dkim.key", Status::Fail)
            ]
        );
        assert!(f[1].summary.contains("revoked"));
        assert!(f[2].summary.contains("does not load"));
        assert!(matches!(signing(&ev), Signing::Broken));
    }

    #[test]
    fn provider_aliases_are_labelled() {
        let ev = evidence(
            false,
            vec![
                selector(
                    "selector1",
                    txt(&[&format!("v=DKIM1; k=rsa; p={RSA1024}")]),
                    &["selector1-example-com._domainkey.contoso.onmicrosoft.com"],
                ),
                selector(
                    "selector2",
                    Outcome::NxDomain,
                    &["selector2-example-com._domainkey.contoso.onmicrosoft.com"],
                ),
            ],
        );
        let f = check(&ev);
        assert!(
            f[0].summary.contains("selector1 (Microsoft 365)"),
            "{}",
            f[0].summary
        );
        let dead = f
            .iter()
            .find(|f| f.id() == "dkim.key" && f.summary.contains("selector2"))
            .unwrap();
        assert_eq!(dead.status, Status::Warn);
        assert!(
            dead.remediation
                .as_deref()
                .unwrap()
                .contains("Microsoft 365")
        );
    }

    #[test]
    fn ed25519_alone_warns() {
        let ed = format!("v=DKIM1; k=ed25519; p={ED25519}");
        let ev = evidence(false, vec![selector("ed", txt(&[&ed]), &[])]);
        assert!(statuses(&check(&ev)).contains(&("dkim.algorithms", Status::Warn)));
        let ev = evidence(
            false,
            vec![
                selector("ed", txt(&[&ed]), &[]),
                selector("rsa", txt(&[&format!("p={RSA1024}")]), &[]),
            ],
        );
        assert!(statuses(&check(&ev)).contains(&("dkim.algorithms", Status::Pass)));
    }
}
