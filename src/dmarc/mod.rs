//! DMARC (RFC 7489): the record, organizational domains and identifier alignment.
//!
//! Policy discovery follows RFC 7489 §6.6.3 (the record at `_dmarc.<domain>`, else at the
//! organizational domain found with the Public Suffix List), which is what receivers run
//! today. DMARCbis replaces the PSL with a DNS tree walk; the two agree for ordinary domains.
//! The DMARCbis tags `np`, `psd` and `t` are read and validated.

pub mod discovery;
pub mod record;
pub mod relay;

pub use discovery::{Discovery, PolicyLookup, Published};
pub use record::{
    Fallback, Fix, Malformed, Mode, Policies, Policy, PolicyFault, Reading, Record, Rejection,
    ReportUri, merge,
};
pub use relay::Relay;

use crate::dns::Name;

/// The organizational domain (RFC 7489 §3.2): the public suffix plus one label. A name that is
/// itself a public suffix is its own organizational domain.
pub fn organizational_domain(name: &Name) -> Name {
    psl::domain(name.as_str().as_bytes())
        .and_then(|d| {
            std::str::from_utf8(d.trim().as_bytes())
                .ok()
                .map(str::to_string)
        })
        .and_then(|d| Name::parse(&d).ok())
        .unwrap_or_else(|| name.clone())
}

/// Identifier alignment (RFC 7489 §3.1): strict wants the same name, relaxed the same
/// organizational domain.
pub fn aligned(identifier: &Name, author: &Name, mode: Mode) -> bool {
    match mode {
        Mode::Strict => identifier == author,
        Mode::Relaxed => organizational_domain(identifier) == organizational_domain(author),
    }
}

/// The envelope and signing domains to judge alignment with; `None` means the checked domain.
#[derive(Debug, Clone, Default)]
pub struct Identifiers {
    pub return_path: Option<Name>,
    pub dkim_domain: Option<Name>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    #[test]
    fn organizational_domains_follow_the_public_suffix_list() {
        for (input, org) in [
            ("mail.example.co.uk", "example.co.uk"),
            ("example.co.uk", "example.co.uk"),
            ("a.b.example.com", "example.com"),
            ("bounce.us-east-1.amazonses.com", "amazonses.com"),
            // Not on the list: the implicit `*` rule makes the last label the suffix.
            ("x.healthy.example", "healthy.example"),
            ("co.uk", "co.uk"),
        ] {
            assert_eq!(organizational_domain(&name(input)), name(org), "{input}");
        }
    }

    #[test]
    fn alignment_modes() {
        let from = name("example.com");
        assert!(aligned(&name("bounce.example.com"), &from, Mode::Relaxed));
        assert!(!aligned(&name("bounce.example.com"), &from, Mode::Strict));
        assert!(aligned(&name("example.com"), &from, Mode::Strict));
        assert!(!aligned(&name("amazonses.com"), &from, Mode::Relaxed));
        assert!(!aligned(
            &name("other.co.uk"),
            &name("example.co.uk"),
            Mode::Relaxed
        ));
    }
}
