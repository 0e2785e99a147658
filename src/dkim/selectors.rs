//! Where DKIM keys are looked for when no selector is given, and who runs the keys found.
//!
//! DNS cannot list the selectors under `_domainkey`, so discovery asks for names that
//! providers and software use by default. Keys under any other name (Amazon SES's random
//! tokens among them) are only found when the user names the selector.

use crate::dns::Name;

/// Tried all at once. Whose default each is: Google Workspace (`google`); Microsoft 365
/// (`selector1`, `selector2`, CNAMEs to the tenant); Mailchimp and Mandrill (`k1`–`k3`,
/// `mandrill`); SendGrid (`s1`, `s2`); Postmark (`pm`); self-hosted defaults such as OpenDKIM,
/// cPanel and Amavis, and Brevo (`mail`, `default`, `dkim`, `smtp`); Mailgun (`mx`, `pic`,
/// `krs`); Zoho (`zoho`, `zmail`); Proton (`protonmail`…); HubSpot (`hs1`, `hs2`); Klaviyo
/// (`kl`, `kl2`); Campaign Monitor (`cm`); SparkPost (`sm`).
pub const COMMON: &[&str] = &[
    "google",
    "selector1",
    "selector2",
    "k1",
    "k2",
    "k3",
    "mandrill",
    "s1",
    "s2",
    "pm",
    "mail",
    "default",
    "dkim",
    "smtp",
    "mx",
    "pic",
    "krs",
    "zoho",
    "zmail",
    "protonmail",
    "protonmail2",
    "protonmail3",
    "hs1",
    "hs2",
    "kl",
    "kl2",
    "cm",
    "sm",
];

/// Providers that publish keys for their customers through CNAMEs, by target suffix: the
/// suffix names the operator more reliably than the selector does.
const OPERATORS: &[(&str, &str)] = &[
    ("onmicrosoft.com", "Microsoft 365"),
    ("dkim.mail.microsoft", "Microsoft 365"),
    ("dkim.amazonses.com", "Amazon SES"),
    ("sendgrid.net", "SendGrid"),
    ("mcsv.net", "Mailchimp"),
    ("mandrillapp.com", "Mandrill"),
    ("domains.proton.ch", "Proton Mail"),
    ("hubspotemail.net", "HubSpot"),
    ("klaviyo.com", "Klaviyo"),
];

/// The provider behind a CNAME target, if it is one of the known ones.
pub fn operator(target: &Name) -> Option<&'static str> {
    OPERATORS.iter().find_map(|(suffix, who)| {
        let suffix = Name::parse(suffix).ok()?;
        target.is_subdomain_of(&suffix).then_some(*who)
    })
}

/// A selector as users may give it: one or more labels of letters, digits, `-` and `_`
/// (RFC 6376 §3.1 allows dots, which make sub-selectors).
pub fn is_valid(selector: &str) -> bool {
    !selector.is_empty()
        && selector.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= crate::dns::MAX_LABEL_LEN
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_by_target_suffix() {
        let op = |n: &str| operator(&Name::parse(n).unwrap());
        assert_eq!(
            op("selector1-example-com._domainkey.contoso.onmicrosoft.com"),
            Some("Microsoft 365")
        );
        assert_eq!(
            op("selector1-example-com._domainkey.contoso.n-v1.dkim.mail.microsoft"),
            Some("Microsoft 365")
        );
        assert_eq!(op("abc123.dkim.amazonses.com"), Some("Amazon SES"));
        assert_eq!(op("s1.domainkey.u123.wl.sendgrid.net"), Some("SendGrid"));
        assert_eq!(op("notsendgrid.net"), None);
        assert_eq!(op("key.example.net"), None);
    }

    #[test]
    fn selector_syntax() {
        assert!(is_valid("google"));
        assert!(is_valid("s1.2024"));
        assert!(is_valid("abcdefghijklmnopqrstuvwxyz234567"));
        for bad in ["", "a..b", "a b", "sel;x", ".x", "x/y"] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn list_has_no_repeats() {
        let mut seen = std::collections::HashSet::new();
        assert!(COMMON.iter().all(|s| seen.insert(s) && is_valid(s)));
    }
}
