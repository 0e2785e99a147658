//! The mailbox providers and relays the knowledge base has entries for, and how a reply gives
//! away which of them sent it.

use serde::Serialize;

/// A receiver or relay with replies of its own in the knowledge base.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Gmail and Google Workspace.
    Google,
    /// Outlook.com (hotmail, live, msn) and Microsoft 365 / Exchange Online Protection.
    Microsoft,
    /// Yahoo Mail, AOL and the other Yahoo-hosted domains.
    Yahoo,
    /// Amazon SES as the sender's relay.
    AmazonSes,
}

/// Domains under which a provider's own mail hosts live. A host at or below one of them
/// belongs to the provider; a domain named in a reply that is one of them is the provider's
/// infrastructure, not the sender's.
const HOST_DOMAINS: &[(&str, Provider)] = &[
    ("google.com", Provider::Google),
    ("googlemail.com", Provider::Google),
    ("gmail.com", Provider::Google),
    ("outlook.com", Provider::Microsoft),
    ("hotmail.com", Provider::Microsoft),
    ("live.com", Provider::Microsoft),
    ("msn.com", Provider::Microsoft),
    ("office365.com", Provider::Microsoft),
    ("office.com", Provider::Microsoft),
    ("microsoft.com", Provider::Microsoft),
    ("yahoodns.net", Provider::Yahoo),
    ("yahoo.com", Provider::Yahoo),
    ("yahooinc.com", Provider::Yahoo),
    ("aol.com", Provider::Yahoo),
    ("amazonses.com", Provider::AmazonSes),
];

/// Blocklist operators whose zones and lookup pages appear in refusals.
const BLOCKLIST_DOMAINS: &[&str] = &[
    "spamhaus.org",
    "spamcop.net",
    "barracudacentral.org",
    "uribl.com",
    "surbl.org",
    "uceprotect.net",
];

/// Text that only one provider's replies carry, strongest first: the signatures they append
/// to every reply and their mail hosts' names.
const SIGNATURES: &[(&str, Provider)] = &[
    ("gsmtp", Provider::Google),
    ("gcdp", Provider::Google),
    ("protection.outlook.com", Provider::Microsoft),
    ("prod.outlook.com", Provider::Microsoft),
    ("yahoodns.net", Provider::Yahoo),
    ("amazonses.com", Provider::AmazonSes),
];

/// Weaker hints: the provider's name or help pages. The first one in the text decides.
const MENTIONS: &[(&str, Provider)] = &[
    ("support.google.com", Provider::Google),
    ("gmail", Provider::Google),
    ("google", Provider::Google),
    ("outlook.com", Provider::Microsoft),
    ("hotmail", Provider::Microsoft),
    ("aka.ms/postmaster", Provider::Microsoft),
    ("postmaster.live.com", Provider::Microsoft),
    ("mail.live.com", Provider::Microsoft),
    ("sender.office.com", Provider::Microsoft),
    ("delist@microsoft.com", Provider::Microsoft),
    ("yahoo", Provider::Yahoo),
    ("email-smtp.", Provider::AmazonSes),
];

impl Provider {
    /// A name for people.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Google => "Google (Gmail)",
            Provider::Microsoft => "Microsoft (Outlook.com, Microsoft 365)",
            Provider::Yahoo => "Yahoo (Yahoo Mail, AOL)",
            Provider::AmazonSes => "Amazon SES",
        }
    }

    /// The provider a mail host belongs to, from its name (e.g. `gmail-smtp-in.l.google.com`,
    /// `example-com.mail.protection.outlook.com`, `mta6.am0.yahoodns.net`,
    /// `email-smtp.us-east-1.amazonaws.com`). Case and a trailing dot are ignored.
    pub fn from_host(host: &str) -> Option<Provider> {
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        if host.starts_with("email-smtp.") && under(&host, "amazonaws.com") {
            return Some(Provider::AmazonSes);
        }
        HOST_DOMAINS
            .iter()
            .find(|(domain, _)| under(&host, domain))
            .map(|&(_, provider)| provider)
    }

    /// The provider whose signature or mention the lower-cased reply text carries.
    pub(crate) fn detect(lower: &str) -> Option<Provider> {
        if let Some(&(_, provider)) = SIGNATURES.iter().find(|(m, _)| lower.contains(m)) {
            return Some(provider);
        }
        MENTIONS
            .iter()
            .filter_map(|&(m, provider)| lower.find(m).map(|at| (at, provider)))
            .min_by_key(|&(at, _)| at)
            .map(|(_, provider)| provider)
    }
}

/// A provider's or blocklist's own domain: naming it says nothing about the sender.
pub(crate) fn is_service_domain(name: &str) -> bool {
    HOST_DOMAINS.iter().any(|(domain, _)| under(name, domain))
        || BLOCKLIST_DOMAINS.iter().any(|domain| under(name, domain))
        || under(name, "amazonaws.com")
}

/// `name` is `domain` or below it.
fn under(name: &str, domain: &str) -> bool {
    name == domain
        || name
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_name_their_provider() {
        for (host, provider) in [
            ("gmail-smtp-in.l.google.com", Some(Provider::Google)),
            ("ASPMX.L.GOOGLE.COM.", Some(Provider::Google)),
            (
                "example-com.mail.protection.outlook.com",
                Some(Provider::Microsoft),
            ),
            ("mx1.hotmail.com", Some(Provider::Microsoft)),
            ("mta6.am0.yahoodns.net", Some(Provider::Yahoo)),
            (
                "email-smtp.us-east-1.amazonaws.com",
                Some(Provider::AmazonSes),
            ),
            // An EC2 host is not SES, and a look-alike suffix is not the provider.
            ("ec2-203-0-113-9.compute-1.amazonaws.com", None),
            ("notgoogle.com", None),
            ("mx.example.com", None),
        ] {
            assert_eq!(Provider::from_host(host), provider, "{host}");
        }
    }

    #[test]
    fn signatures_outrank_mentions() {
        // A Gmail refusal that names a Yahoo domain is still Gmail's.
        let text = "550 5.7.26 unauthenticated email from yahoo.com is not accepted due to \
                    domain's dmarc policy. - gsmtp";
        assert_eq!(Provider::detect(text), Some(Provider::Google));
        assert_eq!(
            Provider::detect("see https://aka.ms/postmaster (s775)"),
            Some(Provider::Microsoft)
        );
        assert_eq!(
            Provider::detect(
                "[tss04] messages from 203.0.113.9 ... see https://postmaster.yahooinc.com/error-codes"
            ),
            Some(Provider::Yahoo)
        );
        assert_eq!(Provider::detect("550 5.1.1 user unknown"), None);
    }

    #[test]
    fn service_domains() {
        assert!(is_service_domain("eop-nam02.prod.protection.outlook.com"));
        assert!(is_service_domain("zen.spamhaus.org"));
        assert!(is_service_domain("ec2-1-2-3-4.compute-1.amazonaws.com"));
        assert!(!is_service_domain("example.com"));
    }
}
