//! SMTP replies explained: what a receiver's (or a relay's) answer means, why it was given,
//! what to do, and which `deliv` command to run next.
//!
//! [`parse`] reads a reply the way people paste it (a line, a multi-line reply, a log line or
//! a bounce around it); [`explain`] adds the standards' meaning of its codes (always) and the
//! most specific entry of the knowledge base ([`ENTRIES`], compiled in, each entry with its
//! source and the real replies it was checked against). A provider's own meaning of a code
//! wins over the registry's: Gmail's 5.7.27 is an SPF failure, not a null MX.
//!
//! `250` is explained too: accepted by the next hop is not delivered to the inbox.

pub mod codes;
mod entries;
pub mod kb;
pub mod parse;
pub mod provider;

use std::net::IpAddr;

use serde::Serialize;

pub use codes::{BasicCode, Class, CodeMeanings, EnhancedCode};
pub use entries::ENTRIES;
pub use kb::{Confidence, Entry, Severity};
pub use parse::{MAX_REPLY_BYTES, RemoteHost, Reply, parse};
pub use provider::Provider;

use crate::dns::Name;

/// What the caller knows beyond the reply text. Every field is optional.
#[derive(Clone, Debug, Default)]
pub struct Hint {
    /// Who replied, when the caller knows it (a log knows the relay host: see
    /// [`Provider::from_host`]). Signs in the reply itself win over it.
    pub provider: Option<Provider>,
    /// The address the mail was sent from; fills `{ip}` when the reply names none.
    pub sending_ip: Option<IpAddr>,
    /// The sender's domain (envelope or From); fills `{domain}`, before any domain the reply
    /// names (a reply also names recipients' and receivers' domains).
    pub sender_domain: Option<Name>,
}

/// Where the provider of a reply was learnt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderSource {
    /// The name of the host that replied, as the log or bounce gives it.
    RemoteHost,
    /// A signature or mention in the reply text (`gsmtp`, `protection.outlook.com`, …).
    ReplyText,
    /// The caller's [`Hint`].
    Hint,
    /// Nothing else told, but the matched entry is one provider's own reply (`S3140`).
    Entry,
}

/// The `deliv` command to run next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NextCommand {
    /// The command, filled from the reply and the hint; a value neither gives stays as
    /// `<ip>` or `<domain>`.
    pub command: String,
    /// Every value was filled: the command can run as it is.
    pub complete: bool,
}

/// A reply explained. Serialized as the `--format json` answer.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// The reply as read: its text, codes, the addresses and names it gives.
    pub reply: Reply,
    /// What the standards say its codes mean; present whenever the reply has a code.
    pub codes: CodeMeanings,
    /// Who replied, when the reply, the hint or the matched entry tells.
    pub provider: Option<Provider>,
    pub provider_source: Option<ProviderSource>,
    /// What kind of outcome this is: the matched entry's, with `blocked` / `deferred` chosen
    /// by the reply's class; `null` when no entry matched.
    pub severity: Option<Severity>,
    /// The most specific knowledge-base entry that matched; `null` when none did (the codes
    /// are still explained).
    pub entry: Option<&'static Entry>,
    /// The entry's next command, filled in.
    pub next: Option<NextCommand>,
}

/// Explains a reply text as pasted or logged.
pub fn explain(reply_text: &str, hint: &Hint) -> Explanation {
    explain_reply(parse(reply_text), hint)
}

/// Explains a reply already read with [`parse`] (to group many log lines first, then explain
/// each group once).
pub fn explain_reply(reply: Reply, hint: &Hint) -> Explanation {
    let lower = kb::match_text(&reply.text);
    let (provider, provider_source) = provider_of(&reply, &lower, hint);
    let subject = kb::Subject {
        lower: &lower,
        code: reply.code,
        enhanced: reply.enhanced,
        provider,
    };
    let entry = kb::best(ENTRIES, &subject);
    let (provider, provider_source) = match (provider, entry.and_then(|e| e.provider)) {
        (None, Some(own)) => (Some(own), Some(ProviderSource::Entry)),
        _ => (provider, provider_source),
    };
    let transient = reply
        .code
        .map(BasicCode::class)
        .or(reply.enhanced.map(EnhancedCode::class))
        .and_then(|class| match class {
            Class::TransientFailure => Some(true),
            Class::PermanentFailure => Some(false),
            _ => None,
        });
    let mut codes = CodeMeanings::of(reply.code, reply.enhanced);
    if let (Some(meaning), Some(entry)) = (codes.enhanced.as_mut(), entry) {
        meaning.superseded_by_provider = entry.redefines_code;
    }
    let next = entry.and_then(|e| e.next).map(|template| {
        let ip = reply.ips.first().copied().or(hint.sending_ip);
        let domain = hint.sender_domain.as_ref().or(reply.domains.first());
        fill(template, ip, domain)
    });
    Explanation {
        codes,
        provider,
        provider_source,
        severity: entry.map(|e| e.severity.for_class(transient)),
        entry,
        next,
        reply,
    }
}

/// The replying host's name first (it is who answered), then signs in the text, then the hint.
fn provider_of(
    reply: &Reply,
    lower: &str,
    hint: &Hint,
) -> (Option<Provider>, Option<ProviderSource>) {
    let from_host = reply
        .remote_host
        .as_ref()
        .and_then(|r| r.name.as_ref())
        .and_then(|name| Provider::from_host(name.as_str()));
    if let Some(p) = from_host {
        return (Some(p), Some(ProviderSource::RemoteHost));
    }
    if let Some(p) = Provider::detect(lower) {
        return (Some(p), Some(ProviderSource::ReplyText));
    }
    match hint.provider {
        Some(p) => (Some(p), Some(ProviderSource::Hint)),
        None => (None, None),
    }
}

/// The placeholders a `next` template may use.
pub(crate) const PLACEHOLDERS: [&str; 2] = ["{ip}", "{domain}"];

fn fill(template: &str, ip: Option<IpAddr>, domain: Option<&Name>) -> NextCommand {
    let mut command = template.to_string();
    let mut complete = true;
    for (placeholder, value, blank) in [
        (PLACEHOLDERS[0], ip.map(|ip| ip.to_string()), "<ip>"),
        (
            PLACEHOLDERS[1],
            domain.map(|d| d.as_str().to_string()),
            "<domain>",
        ),
    ] {
        if command.contains(placeholder) {
            complete &= value.is_some();
            command = command.replace(placeholder, value.as_deref().unwrap_or(blank));
        }
    }
    NextCommand { command, complete }
}

#[cfg(test)]
mod tests;
