//! The shape of the knowledge base: one [`Entry`] per reply pattern, its [`Rule`], and how the
//! most specific matching entry is chosen. The entries themselves are in `entries.rs`.

use serde::Serialize;

use super::codes::{BasicCode, EnhancedCode};
use super::provider::Provider;

/// What kind of outcome a reply reports: what the sender should make of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The next hop took the message. Not delivery to the inbox: the folder is decided after.
    Accepted,
    /// Permanently refused for policy: reputation, a blocklist, authentication or content.
    /// Fix the cause before sending again.
    Blocked,
    /// Temporarily refused for reputation, rate, volume or authentication: slow down and fix
    /// the cause; retries may pass.
    Deferred,
    /// The recipient cannot take mail (unknown, disabled, full, no such domain): list hygiene.
    Recipient,
    /// The message or the sending setup must change (size, format, TLS, HELO, an identity).
    SenderSetup,
    /// A temporary fault on the way (timeout, busy server, greylisting): retrying is the fix.
    Temporary,
}

impl Severity {
    /// A policy refusal's severity follows the class of the reply it came with: `Blocked`
    /// with a permanent code, `Deferred` with a transient one.
    pub(crate) fn for_class(self, transient: Option<bool>) -> Severity {
        match (self, transient) {
            (Severity::Blocked, Some(true)) => Severity::Deferred,
            (Severity::Deferred, Some(false)) => Severity::Blocked,
            (severity, _) => severity,
        }
    }
}

/// How sure the entry is, following the reference's marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The provider or a standard publishes it.
    Documented,
    /// Seen in real bounces and third-party write-ups only.
    Observed,
    /// Could not be confirmed; the entry says what is unknown in `note`.
    Unconfirmed,
}

/// A real reply text the entry explains, and where it was published or seen.
#[derive(Debug)]
pub struct Example {
    pub text: &'static str,
    pub source: &'static str,
}

/// Which basic codes a rule accepts.
#[derive(Clone, Copy, Debug)]
pub enum Basic {
    Any,
    /// Every code of a class (first digit).
    Class(u8),
    OneOf(&'static [u16]),
}

/// Enhanced codes a rule accepts: `class.subject.detail` with a range of details; a class of
/// `None` takes both 4 and 5.
#[derive(Clone, Copy, Debug)]
pub struct Enhanced {
    pub class: Option<u8>,
    pub subject: u16,
    pub details: (u16, u16),
}

/// `class.subject.detail`, exactly.
pub const fn enh(class: u8, subject: u16, detail: u16) -> Enhanced {
    Enhanced {
        class: Some(class),
        subject,
        details: (detail, detail),
    }
}

/// `4.subject.detail` and `5.subject.detail`.
pub const fn enh_any(subject: u16, detail: u16) -> Enhanced {
    Enhanced {
        class: None,
        subject,
        details: (detail, detail),
    }
}

/// `class.subject.first` to `class.subject.last`.
pub const fn enh_range(class: u8, subject: u16, first: u16, last: u16) -> Enhanced {
    Enhanced {
        class: Some(class),
        subject,
        details: (first, last),
    }
}

impl Enhanced {
    fn matches(&self, code: EnhancedCode) -> bool {
        self.class.is_none_or(|c| c == code.class_digit())
            && self.subject == code.subject()
            && (self.details.0..=self.details.1).contains(&code.detail())
    }

    /// An exact code is more specific than a class wildcard or a range.
    fn exact(&self) -> bool {
        self.class.is_some() && self.details.0 == self.details.1
    }
}

/// When an entry applies. Every condition given must hold.
#[derive(Debug)]
pub struct Rule {
    pub basic: Basic,
    /// Any of these; empty: any enhanced code, or none.
    pub enhanced: &'static [Enhanced],
    /// Every group must match; a group matches when one of its phrases occurs in the
    /// lower-cased reply (typographic apostrophes read as `'`).
    pub phrases: &'static [&'static [&'static str]],
    /// Applies only when the reply comes from the entry's provider (detected or hinted): for
    /// codes a provider uses with its own meaning and no telling phrase.
    pub needs_provider: bool,
}

/// One reply pattern: what it means and what to do.
#[derive(Debug, Serialize)]
pub struct Entry {
    /// Stable id, `provider.name` (e.g. `microsoft.s3140`, `google.5.7.26-dmarc`,
    /// `generic.user-unknown`).
    pub id: &'static str,
    /// Whose reply this is; `null` for replies any server may send.
    pub provider: Option<Provider>,
    /// A short name.
    pub title: &'static str,
    /// What the reply means.
    pub meaning: &'static str,
    /// The likely cause.
    pub cause: &'static str,
    /// What to do.
    pub action: &'static str,
    /// The provider's delisting or sender-support page, when it has one.
    pub support_url: Option<&'static str>,
    /// The `deliv` command to run next, with `{ip}` and `{domain}` to fill from the reply.
    pub next: Option<&'static str>,
    pub confidence: Confidence,
    /// What is unconfirmed or worth knowing about the entry's sources.
    pub note: Option<&'static str>,
    /// Where the meaning comes from.
    pub source: &'static str,
    /// The kind of outcome; for `blocked` and `deferred` the reply's class decides which (see
    /// `Explanation::severity`).
    #[serde(skip)]
    pub severity: Severity,
    /// The provider uses the enhanced code with a meaning other than the registry's.
    #[serde(skip)]
    pub redefines_code: bool,
    #[serde(skip)]
    pub rule: Rule,
    #[serde(skip)]
    pub examples: &'static [Example],
}

/// What a rule is matched against.
pub(crate) struct Subject<'a> {
    pub lower: &'a str,
    pub code: Option<BasicCode>,
    pub enhanced: Option<EnhancedCode>,
    pub provider: Option<Provider>,
}

/// How specific a match is; compared field by field, greatest wins. A provider's own entry
/// beats a generic one (a provider's meaning of a code wins over the registry's), then more
/// phrase groups, then tighter codes, then longer matched phrases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Score {
    provider_specific: bool,
    groups: usize,
    codes: u8,
    phrase_len: usize,
}

impl Entry {
    /// The entry's score against the reply, when its rule holds.
    pub(crate) fn score(&self, s: &Subject) -> Option<Score> {
        let rule = &self.rule;
        if rule.needs_provider && (self.provider.is_none() || self.provider != s.provider) {
            return None;
        }
        let mut codes = 0;
        match rule.basic {
            Basic::Any => {}
            Basic::Class(class) => {
                if s.code?.value() / 100 != u16::from(class) {
                    return None;
                }
            }
            Basic::OneOf(values) => {
                if !values.contains(&s.code?.value()) {
                    return None;
                }
                codes += 1;
            }
        }
        if !rule.enhanced.is_empty() {
            let code = s.enhanced?;
            let pattern = rule.enhanced.iter().find(|p| p.matches(code))?;
            codes += if pattern.exact() { 2 } else { 1 };
        }
        let mut phrase_len = 0;
        for group in rule.phrases {
            phrase_len += group.iter().find(|p| s.lower.contains(*p))?.len();
        }
        Some(Score {
            provider_specific: self.provider.is_some(),
            groups: rule.phrases.len(),
            codes,
            phrase_len,
        })
    }
}

/// The most specific entry whose rule holds; on a tie, the first in table order.
pub(crate) fn best<'e>(entries: &'e [Entry], subject: &Subject) -> Option<&'e Entry> {
    let mut best: Option<(Score, &Entry)> = None;
    for entry in entries {
        if let Some(score) = entry.score(subject)
            && best.is_none_or(|(top, _)| score > top)
        {
            best = Some((score, entry));
        }
    }
    best.map(|(_, entry)| entry)
}

/// The lower-cased text rules are matched against: typographic apostrophes as `'`.
pub(crate) fn match_text(text: &str) -> String {
    text.to_lowercase().replace(['\u{2019}', '\u{2018}'], "'")
}
