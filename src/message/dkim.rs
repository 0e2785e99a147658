//! DKIM verification of every signature (RFC 6376; Ed25519 from RFC 8463), with each key
//! looked up through deliv's resolver.
//!
//! mail-auth does the cryptography (body hash, header hash, signature). Its verifier asks DNS
//! through its own resolver unless a TXT cache answers first, so the keys are fetched here
//! with [`Resolver`] (zone files, `--offline`, the run's cache and classified failures apply)
//! and handed to it as that cache: [`KeyCache`] answers every name mail-auth asks, so it never
//! reaches a network. What a verifier would refuse before any cryptography (an expired
//! signature, a missing, revoked or unusable key, a DNS failure) is decided here from the
//! typed key record, so each reason is reported as itself.

use std::borrow::Borrow;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use mail_auth::common::crypto::{Algorithm, HashAlgorithm};
use mail_auth::common::headers::{Writable, Writer};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::{Canonicalization, Signature};
use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
use mail_auth::{
    AuthenticatedMessage, DkimResult as AuthResult, DnsError, Error, MessageAuthenticator,
    Parameters, ResolverCache, Txt,
};

use super::Raw;
use crate::dkim::{Key, KeyError, KeyRecord, key::MIN_RSA_BITS, key::looks_like_key};
use crate::dns::{Failure, Lookup, Name, Outcome, RType, Resolver};
use crate::taglist::TagList;

/// What a verifier concludes about one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DkimResult {
    Pass,
    /// The body changed after signing (`bh=` does not match).
    BodyHashMismatch,
    /// The signed header fields changed after signing, or the signature was not made with
    /// the published key (`b=` does not verify).
    SignatureMismatch,
    /// No key at `<s>._domainkey.<d>`: NXDOMAIN, NODATA, or TXT records none of which is a key.
    KeyMissing,
    /// `p=` is empty: the domain withdrew the key.
    KeyRevoked,
    KeyUnusable(KeyProblem),
    /// `x=` is in the past.
    Expired {
        expired_at: u64,
    },
    /// The key lookup failed (timeout, SERVFAIL, `--offline`): temporary, never a pass.
    TempError(Failure),
    /// The field does not parse, uses a version, algorithm or canonicalization verifiers do
    /// not know, leaves From out of `h=`, or has `i=` outside `d=`; the reason as written.
    Malformed(String),
}

impl DkimResult {
    pub fn as_str(&self) -> &'static str {
        match self {
            DkimResult::Pass => "pass",
            DkimResult::BodyHashMismatch => "body hash mismatch",
            DkimResult::SignatureMismatch => "signature mismatch",
            DkimResult::KeyMissing => "key missing",
            DkimResult::KeyRevoked => "key revoked",
            DkimResult::KeyUnusable(_) => "key unusable",
            DkimResult::Expired { .. } => "expired",
            DkimResult::TempError(_) => "temporary error",
            DkimResult::Malformed(_) => "malformed",
        }
    }
}

/// Why a verifier will not use the published key for this signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyProblem {
    /// The record itself is unusable (bad syntax, unknown `k=`, `p=` that does not load,
    /// `s=` excluding email).
    Record(KeyError),
    /// RSA under 1024 bits (RFC 8301 §3.2).
    TooShort { bits: usize },
    /// The key's `h=` does not allow the signature's hash (e.g. `h=sha1` only).
    HashNotAllowed {
        allowed: Vec<String>,
        used: &'static str,
    },
    /// An Ed25519 key for an RSA signature or the reverse.
    TypeMismatch,
    /// The signature is `rsa-sha1`, which verifiers must not accept with any key
    /// (RFC 8301 §3.1).
    Sha1Signature,
}

/// The tags of a signature that parsed, as mail-auth read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tags {
    /// `d=`, lower-case.
    pub domain: String,
    pub selector: String,
    /// `rsa-sha256`, `rsa-sha1` or `ed25519-sha256`.
    pub algorithm: &'static str,
    /// `h=`, lower-case, in order (a name may repeat).
    pub headers: Vec<String>,
    /// `l=`: the body length the signature covers.
    pub body_length: Option<u64>,
    /// `t=`: when it was signed (seconds since the epoch).
    pub timestamp: Option<u64>,
    /// `x=`: when it expires.
    pub expiration: Option<u64>,
    /// `i=`, when given.
    pub identity: Option<String>,
    /// `c=` as `header/body`.
    pub canonicalization: String,
}

/// The body as the signature sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyCheck {
    /// The body hash computed matches `bh=`.
    pub hash_matches: bool,
    /// Length of the whole canonicalized body.
    pub canonical_length: u64,
    /// With `l=`: bytes of the canonicalized body after the signed length, which anyone may
    /// change without breaking the signature.
    pub unsigned_bytes: u64,
}

/// The key a signature names and what DNS had there.
#[derive(Debug, Clone)]
pub struct KeyLookup {
    pub lookup: Arc<Lookup>,
    /// The TXT record used (the first that looks like a key), as published.
    pub text: Option<Raw>,
    /// How many TXT records at the name look like keys (two or more is ambiguous).
    pub candidates: usize,
    pub record: Option<Result<KeyRecord, KeyError>>,
}

/// One DKIM-Signature field and its verdict.
#[derive(Debug, Clone)]
pub struct DkimSignature {
    /// 0 for the topmost DKIM-Signature field.
    pub index: usize,
    pub raw: Raw,
    /// `None` when the field does not parse.
    pub tags: Option<Tags>,
    /// `d=` and `s=` as written, for a field that does not parse.
    pub written_domain: Option<String>,
    pub written_selector: Option<String>,
    pub body: Option<BodyCheck>,
    /// `None` when the field does not parse or names no valid key name.
    pub key: Option<KeyLookup>,
    pub result: DkimResult,
}

impl DkimSignature {
    pub fn passed(&self) -> bool {
        self.result == DkimResult::Pass
    }

    /// The signing domain as a name, when it is one.
    pub fn domain(&self) -> Option<Name> {
        let d = self
            .tags
            .as_ref()
            .map(|t| t.domain.as_str())
            .or(self.written_domain.as_deref())?;
        Name::parse(d).ok()
    }

    /// Whether `h=` lists this header field, so the signature protects it (or its absence).
    pub fn covers(&self, field: &str) -> bool {
        self.tags
            .as_ref()
            .is_some_and(|t| t.headers.iter().any(|h| h.eq_ignore_ascii_case(field)))
    }

    /// The key record, when one was found and read.
    pub fn key_record(&self) -> Option<&KeyRecord> {
        self.key.as_ref()?.record.as_ref()?.as_ref().ok()
    }
}

/// The first passing signature that covers every one of `fields`, e.g. List-Unsubscribe and
/// List-Unsubscribe-Post (RFC 8058 §3.1).
pub fn covering<'a>(signatures: &'a [DkimSignature], fields: &[&str]) -> Option<&'a DkimSignature> {
    signatures
        .iter()
        .find(|s| s.passed() && fields.iter().all(|f| s.covers(f)))
}

/// Verifies every DKIM-Signature field of `raw` (a whole message with CRLF line endings).
pub async fn verify(resolver: &Resolver, raw: &[u8]) -> Vec<DkimSignature> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Not strict: signatures with `l=` are verified and their unsigned tail reported, where
    // strict parsing would refuse them outright.
    let Some(message) = AuthenticatedMessage::parse_with_opts(raw, None, false) else {
        return Vec::new();
    };
    let lengths = BodyLengths::new(message.raw_body());
    let mut signatures = Vec::new();
    for (name, value) in &message.headers {
        if !name.eq_ignore_ascii_case(b"DKIM-Signature") {
            continue;
        }
        let parsed = message
            .dkim_headers
            .iter()
            .find(|h| std::ptr::eq(h.value, *value))
            .map(|h| &h.header);
        let error = message
            .errors
            .iter()
            .find(|h| std::ptr::eq(h.value, *value))
            .map(|h| h.header.to_string());
        signatures.push(judge_before_key(
            signatures.len(),
            value,
            parsed,
            error,
            &message,
            &lengths,
            now,
        ));
    }

    // Every key is fetched, also for signatures already refused, so the report shows it.
    let names: Vec<(Name, RType)> = signatures
        .iter()
        .filter_map(|(_, sig)| sig.and_then(key_name).map(|n| (n, RType::Txt)))
        .collect();
    let lookups = resolver.query_all(&names).await;
    let cache = KeyCache::default();
    let mut out = Vec::new();
    for (mut report, sig) in signatures {
        if let Some(sig) = sig {
            let undecided = report.result == DkimResult::Pass;
            match key_name(sig).and_then(|n| lookups.iter().find(|l| l.name == n)) {
                Some(lookup) => {
                    let (key, result) = judge_key(lookup, sig);
                    if let (Some(text), DkimResult::Pass) = (&key.text, &result) {
                        cache.insert_key(&lookup.name, &text.text);
                    }
                    report.key = Some(key);
                    if undecided {
                        report.result = result;
                    }
                }
                None if undecided => {
                    report.result = DkimResult::Malformed(format!(
                        "'{}._domainkey.{}' is not a valid DNS name",
                        sig.s, sig.d
                    ));
                }
                None => {}
            }
        }
        out.push((report, sig));
    }

    // The cryptography, for the signatures that got this far.
    if out
        .iter()
        .any(|(r, s)| r.result == DkimResult::Pass && s.is_some())
    {
        match offline_authenticator() {
            Some(auth) => {
                let results = auth
                    .verify_dkim(Parameters::new(&message).with_txt_cache(&cache))
                    .await;
                for (report, sig) in &mut out {
                    let (DkimResult::Pass, Some(sig)) = (&report.result, sig) else {
                        continue;
                    };
                    let verdict = results
                        .iter()
                        .find(|r| r.signature().is_some_and(|s| std::ptr::eq(s, *sig)))
                        .map(|r| r.result().clone());
                    report.result = match verdict {
                        Some(AuthResult::Pass) => DkimResult::Pass,
                        Some(AuthResult::Fail(Error::Crypto(_))) => DkimResult::SignatureMismatch,
                        Some(
                            AuthResult::Fail(e)
                            | AuthResult::Neutral(e)
                            | AuthResult::PermError(e)
                            | AuthResult::TempError(e),
                        ) => DkimResult::Malformed(e.to_string()),
                        Some(AuthResult::None) | None => {
                            DkimResult::Malformed("the verifier gave no result".into())
                        }
                    };
                }
            }
            None => {
                for (report, _) in &mut out {
                    if report.result == DkimResult::Pass {
                        report.result =
                            DkimResult::Malformed("the DKIM verifier could not be started".into());
                    }
                }
            }
        }
    }
    out.into_iter().map(|(r, _)| r).collect()
}

/// Everything decided from the message alone: parse errors, From unsigned, expiry,
/// `rsa-sha1`, the body hash. `result` stays `Pass` while nothing has failed yet.
fn judge_before_key<'m>(
    index: usize,
    value: &[u8],
    parsed: Option<&'m Signature>,
    error: Option<String>,
    message: &AuthenticatedMessage<'_>,
    lengths: &BodyLengths<'_>,
    now: u64,
) -> (DkimSignature, Option<&'m Signature>) {
    let written = TagList::parse(&String::from_utf8_lossy(value));
    let written_tag = |name: &str| written.get(name).map(|t| t.value.clone());
    let mut report = DkimSignature {
        index,
        raw: Raw::new(value.trim_ascii()),
        tags: None,
        written_domain: written_tag("d"),
        written_selector: written_tag("s"),
        body: None,
        key: None,
        result: DkimResult::Pass,
    };
    let Some(sig) = parsed else {
        report.result = DkimResult::Malformed(error.unwrap_or_else(|| "does not parse".into()));
        return (report, None);
    };
    report.tags = Some(tags(sig));
    let hash = HashAlgorithm::from(sig.a);
    let computed = message
        .body_hashes
        .iter()
        .find(|(c, h, l, _)| *c == sig.cb && *h == hash && *l == sig.l)
        .map(|(_, _, _, bh)| bh);
    let canonical_length = lengths.get(sig.cb);
    report.body = Some(BodyCheck {
        hash_matches: computed.is_some_and(|bh| *bh == sig.bh),
        canonical_length,
        unsigned_bytes: if sig.l == 0 {
            0
        } else {
            canonical_length.saturating_sub(sig.l)
        },
    });
    report.result = if !sig.h.iter().any(|h| h.eq_ignore_ascii_case("from")) {
        // RFC 6376 §6.1.1: a signature that does not sign From is ignored (PERMFAIL);
        // mail-auth does not check it.
        DkimResult::Malformed("h= does not include From, which must be signed".into())
    } else if sig.x != 0 && (sig.x <= now || sig.x <= sig.t) {
        DkimResult::Expired { expired_at: sig.x }
    } else if sig.a == Algorithm::RsaSha1 {
        DkimResult::KeyUnusable(KeyProblem::Sha1Signature)
    } else if !report.body.as_ref().is_some_and(|b| b.hash_matches) {
        DkimResult::BodyHashMismatch
    } else {
        DkimResult::Pass
    };
    (report, Some(sig))
}

fn tags(sig: &Signature) -> Tags {
    let canon = |c: Canonicalization| match c {
        Canonicalization::Relaxed => "relaxed",
        Canonicalization::Simple => "simple",
    };
    Tags {
        domain: sig.d.to_ascii_lowercase(),
        selector: sig.s.clone(),
        algorithm: algorithm_name(sig.a),
        headers: sig.h.iter().map(|h| h.to_ascii_lowercase()).collect(),
        body_length: (sig.l != 0).then_some(sig.l),
        timestamp: (sig.t != 0).then_some(sig.t),
        expiration: (sig.x != 0).then_some(sig.x),
        identity: (!sig.i.is_empty()).then(|| sig.i.clone()),
        canonicalization: format!("{}/{}", canon(sig.ch), canon(sig.cb)),
    }
}

fn algorithm_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::RsaSha256 => "rsa-sha256",
        Algorithm::RsaSha1 => "rsa-sha1",
        Algorithm::Ed25519Sha256 => "ed25519-sha256",
    }
}

fn key_name(sig: &Signature) -> Option<Name> {
    Name::parse(&format!("{}._domainkey.{}", sig.s, sig.d)).ok()
}

/// The length of the canonicalized body, as a verifier hashes it, computed once per
/// canonicalization however many signatures ask.
struct BodyLengths<'b> {
    body: &'b [u8],
    relaxed: OnceCell<u64>,
    simple: OnceCell<u64>,
}

impl<'b> BodyLengths<'b> {
    fn new(body: &'b [u8]) -> Self {
        BodyLengths {
            body,
            relaxed: OnceCell::new(),
            simple: OnceCell::new(),
        }
    }

    fn get(&self, canonicalization: Canonicalization) -> u64 {
        struct Count(u64);
        impl Writer for Count {
            fn write(&mut self, buf: &[u8]) {
                self.0 += buf.len() as u64;
            }
        }
        let cell = match canonicalization {
            Canonicalization::Relaxed => &self.relaxed,
            Canonicalization::Simple => &self.simple,
        };
        *cell.get_or_init(|| {
            let mut count = Count(0);
            canonicalization
                .canonical_body(self.body, 0)
                .write(&mut count);
            count.0
        })
    }
}

/// Reads the key at a signature's selector and decides whether it can verify the signature.
fn judge_key(lookup: &Arc<Lookup>, sig: &Signature) -> (KeyLookup, DkimResult) {
    let texts: Vec<String> = lookup
        .txt_records()
        .map(|t| String::from_utf8_lossy(&t).into_owned())
        .filter(|t| looks_like_key(t))
        .collect();
    let mut key = KeyLookup {
        lookup: lookup.clone(),
        text: texts.first().map(|t| Raw::new(t.as_bytes())),
        candidates: texts.len(),
        record: texts.first().map(|t| KeyRecord::parse(t)),
    };
    let result = match (&lookup.outcome, &key.record) {
        (Outcome::Failed(f), _) => DkimResult::TempError(f.clone()),
        (_, None) => DkimResult::KeyMissing,
        (_, Some(Err(e))) => DkimResult::KeyUnusable(KeyProblem::Record(e.clone())),
        (_, Some(Ok(record))) => usable(record, sig.a),
    };
    if matches!(result, DkimResult::TempError(_) | DkimResult::KeyMissing) {
        key.record = None;
    }
    (key, result)
}

fn usable(record: &KeyRecord, algorithm: Algorithm) -> DkimResult {
    let used = match algorithm {
        Algorithm::RsaSha1 => "sha1",
        Algorithm::RsaSha256 | Algorithm::Ed25519Sha256 => "sha256",
    };
    match record.key {
        Key::Revoked => return DkimResult::KeyRevoked,
        Key::Rsa { bits } if bits < MIN_RSA_BITS => {
            return DkimResult::KeyUnusable(KeyProblem::TooShort { bits });
        }
        Key::Rsa { .. } if algorithm == Algorithm::Ed25519Sha256 => {
            return DkimResult::KeyUnusable(KeyProblem::TypeMismatch);
        }
        Key::Ed25519 if algorithm != Algorithm::Ed25519Sha256 => {
            return DkimResult::KeyUnusable(KeyProblem::TypeMismatch);
        }
        _ => {}
    }
    match &record.hashes {
        Some(allowed) if !allowed.iter().any(|h| h == used) => {
            DkimResult::KeyUnusable(KeyProblem::HashNotAllowed {
                allowed: allowed.clone(),
                used,
            })
        }
        _ => DkimResult::Pass,
    }
}

/// mail-auth's verifier needs a resolver of its own; this one has no servers, and
/// [`KeyCache`] answers before it would be asked.
fn offline_authenticator() -> Option<MessageAuthenticator> {
    MessageAuthenticator::new(
        ResolverConfig::from_parts(None, Vec::new(), Vec::new()),
        ResolverOpts::default(),
    )
    .ok()
}

/// The keys fetched through deliv's resolver, as mail-auth's TXT cache. Any other name
/// (mail-auth also asks for `_report._domainkey` and ATPS records) gets an error answer, so
/// mail-auth never falls back to a DNS server of its own.
#[derive(Default)]
struct KeyCache(std::sync::Mutex<HashMap<Box<str>, Txt>>);

impl KeyCache {
    fn insert_key(&self, name: &Name, record: &str) {
        let key: Txt = DomainKey::parse(record.as_bytes()).into();
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.fqdn().into_boxed_str(), key);
    }
}

impl ResolverCache<Box<str>, Txt> for KeyCache {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        Some(cache.get(name).cloned().unwrap_or_else(|| {
            Txt::Error(Error::Dns(DnsError::Resolver(
                "not looked up: only keys fetched through deliv's resolver are used".into(),
            )))
        }))
    }

    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name)
    }

    fn insert(&self, key: Box<str>, value: Txt, _: std::time::Instant) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, value);
    }
}
