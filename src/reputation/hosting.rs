//! Who hosts an address, read from its Team Cymru AS name or its PTR name, and whether a
//! PTR name looks like one a provider hands out rather than one a mail operator chose.

use std::net::IpAddr;

use crate::dns::Name;

/// A cloud or VPS provider whose address space senders often use.
#[derive(Debug, PartialEq, Eq)]
pub struct Provider {
    pub name: &'static str,
    /// Words of the AS names Team Cymru reports for its networks (matched whole, any case).
    as_words: &'static [&'static str],
    /// Endings of the PTR names it gives addresses by default.
    default_ptr: &'static [&'static str],
    /// How a customer gets a PTR of their own there.
    pub set_ptr: &'static str,
    /// What the provider does to outbound mail on port 25.
    pub port25: &'static str,
}

const ASK_PROVIDER: &str = "Ask the provider how to set reverse DNS for the address; \
    deliv knows no documented procedure for it.";

/// Providers named in the AS names of their networks. Procedures the providers' own pages do
/// not confirm say so in their text.
pub static PROVIDERS: &[Provider] = &[
    Provider {
        name: "Amazon Web Services",
        as_words: &["AMAZON"],
        default_ptr: &["compute.amazonaws.com", "compute-1.amazonaws.com"],
        set_ptr: "Use an Elastic IP, publish an A record for your host name pointing at it, then \
            ask AWS to set the reverse DNS of the Elastic IP to that name: historically through \
            the EC2 email-limit request form (https://aws.amazon.com/contact-us/ec2-email-limit-request/). \
            A reverse-DNS setting on the Elastic IP itself is reported but not confirmed here.",
        port25: "AWS restricts outbound port 25 on EC2 by default; AWS documents a request to \
            remove the restriction. Amazon SES accepts mail on other ports.",
    },
    Provider {
        name: "Microsoft (Azure)",
        as_words: &["MICROSOFT"],
        default_ptr: &[],
        set_ptr: ASK_PROVIDER,
        port25: "Azure is reported to block outbound port 25 for most subscriptions (third-party \
            reports, not confirmed here); relay through a mail service instead.",
    },
    Provider {
        name: "Google Cloud",
        as_words: &["GOOGLE"],
        default_ptr: &["bc.googleusercontent.com"],
        set_ptr: "Google Cloud lets you set a PTR on a VM's external IP once you have verified \
            the domain (procedure not confirmed here: check Google Cloud's documentation).",
        port25: "Google Cloud is reported to block outbound port 25 (third-party reports, not \
            confirmed here); relay through a mail service instead.",
    },
    Provider {
        name: "DigitalOcean",
        as_words: &["DIGITALOCEAN"],
        default_ptr: &[],
        set_ptr: "DigitalOcean derives the PTR from the Droplet's name: rename the Droplet to \
            the full host name, e.g. mail.example.com (not confirmed here: check DigitalOcean's \
            documentation).",
        port25: "DigitalOcean support has told customers that port 25 is restricted on their \
            accounts (a support reply published by a user, not a DigitalOcean page); ports 587 \
            and 465 stay open.",
    },
    Provider {
        name: "Vultr",
        as_words: &["VULTR", "CHOOPA"],
        default_ptr: &["vultrusercontent.com"],
        set_ptr: "Vultr lets you set reverse DNS per address in its control panel (not confirmed \
            here: check Vultr's documentation).",
        port25: "Whether Vultr restricts port 25 is not confirmed here; check with Vultr.",
    },
    Provider {
        name: "Hetzner",
        as_words: &["HETZNER"],
        default_ptr: &["your-server.de"],
        set_ptr: "Hetzner lets you set reverse DNS per address in the Cloud Console or in Robot \
            (not confirmed here: check Hetzner's documentation).",
        port25: "Whether Hetzner restricts port 25 on your account is not confirmed here; check \
            with Hetzner.",
    },
    Provider {
        name: "OVHcloud",
        as_words: &["OVH"],
        default_ptr: &[],
        set_ptr: ASK_PROVIDER,
        port25: "Whether OVHcloud restricts port 25 on your service is not confirmed here; \
            check with OVHcloud.",
    },
    Provider {
        name: "Akamai (Linode)",
        as_words: &["LINODE", "AKAMAI"],
        default_ptr: &["linodeusercontent.com", "members.linode.com"],
        set_ptr: ASK_PROVIDER,
        port25: "Whether Akamai (Linode) restricts port 25 on your account is not confirmed \
            here; check with Akamai.",
    },
    Provider {
        name: "Oracle Cloud",
        as_words: &["ORACLE"],
        default_ptr: &[],
        set_ptr: ASK_PROVIDER,
        port25: "Oracle Cloud is reported to block port 25 unless a paid account asks (a user \
            report, not confirmed here).",
    },
];

/// Words of an AS name, upper-cased: `AMAZON-02 - Amazon.com, Inc., US` gives `AMAZON`, `02`,
/// `AMAZON`, `COM`, `INC`, `US`, so a handle with a suffix still matches.
fn words(as_name: &str) -> Vec<String> {
    as_name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect()
}

/// The provider whose network an AS name describes.
pub fn by_as_name(as_name: &str) -> Option<&'static Provider> {
    let words = words(as_name);
    PROVIDERS
        .iter()
        .find(|p| p.as_words.iter().any(|w| words.iter().any(|x| x == w)))
}

/// Why a PTR name reads as generic rather than as a mail server's own name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenericPtr {
    /// The name a cloud provider gives every address it hands out.
    CloudDefault(&'static Provider),
    /// The address itself is written into the name (`203-0-113-7.example.net`).
    EmbedsAddress,
    /// A word access networks use for customer ranges (`dynamic`, `dsl`, `pool` …).
    Word(String),
}

impl GenericPtr {
    pub fn describe(&self) -> String {
        match self {
            GenericPtr::CloudDefault(p) => {
                format!("the default name {} gives its addresses", p.name)
            }
            GenericPtr::EmbedsAddress => "the name spells out the IP address".to_string(),
            GenericPtr::Word(w) => {
                format!("'{w}' marks names of dynamic or customer address ranges")
            }
        }
    }
}

/// Labels that access networks put in the names of customer and dynamic ranges.
const GENERIC_WORDS: &[&str] = &[
    "dynamic",
    "dyn",
    "dhcp",
    "pool",
    "dsl",
    "adsl",
    "vdsl",
    "xdsl",
    "cable",
    "ppp",
    "pppoe",
    "dialup",
    "broadband",
    "residential",
    "client",
    "clients",
    "customer",
    "unassigned",
    "static-ip",
    "staticip",
];

/// Decides whether `name` (the PTR of `ip`) looks generic. The registrable part of the name
/// (its last two labels) is not searched for words: `dyn.com` may be a real company.
pub fn generic_ptr(name: &Name, ip: IpAddr) -> Option<GenericPtr> {
    if let Some(p) = PROVIDERS.iter().find(|p| {
        p.default_ptr
            .iter()
            .any(|suffix| Name::parse(suffix).is_ok_and(|s| name.is_subdomain_of(&s) && *name != s))
    }) {
        return Some(GenericPtr::CloudDefault(p));
    }
    if embeds_address(name.as_str(), ip) {
        return Some(GenericPtr::EmbedsAddress);
    }
    let labels: Vec<&str> = name.labels().collect();
    let host_part = &labels[..labels.len().saturating_sub(2)];
    for label in host_part {
        let tokens: Vec<&str> = label.split(['-', '_']).collect();
        let pairs = tokens.windows(2).map(|w| format!("{}-{}", w[0], w[1]));
        let found =
            tokens.iter().map(|t| t.to_string()).chain(pairs).find(|t| {
                GENERIC_WORDS.contains(&t.trim_end_matches(|c: char| c.is_ascii_digit()))
            });
        if let Some(word) = found {
            return Some(GenericPtr::Word(word));
        }
    }
    None
}

/// The address's parts in the name, in order or reversed, or run together zero-padded
/// (`203-0-113-7`, `7.113.0.203`, `203000113007`); for IPv6, its 32 hex digits.
fn embeds_address(name: &str, ip: IpAddr) -> bool {
    let tokens: Vec<&str> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    match ip {
        IpAddr::V4(v4) => {
            let octets: Vec<String> = v4.octets().iter().map(u8::to_string).collect();
            let reversed: Vec<String> = octets.iter().rev().cloned().collect();
            let runs = |seq: &[String]| {
                tokens
                    .windows(4)
                    .any(|w| w.iter().zip(seq).all(|(a, b)| *a == b.as_str()))
            };
            let padded: String = v4.octets().iter().map(|o| format!("{o:03}")).collect();
            runs(&octets) || runs(&reversed) || name.contains(&padded)
        }
        IpAddr::V6(v6) => {
            let hex: String = v6.octets().iter().map(|b| format!("{b:02x}")).collect();
            let compact: String = name.chars().filter(char::is_ascii_hexdigit).collect();
            compact.contains(&hex)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generic(name: &str, ip: &str) -> Option<GenericPtr> {
        generic_ptr(&Name::parse(name).unwrap(), ip.parse().unwrap())
    }

    #[test]
    fn cloud_defaults() {
        assert_eq!(
            generic("ec2-203-0-113-7.compute-1.amazonaws.com", "203.0.113.7").map(
                |g| matches!(g, GenericPtr::CloudDefault(p) if p.name == "Amazon Web Services")
            ),
            Some(true)
        );
        assert!(matches!(
            generic("7.113.0.203.bc.googleusercontent.com", "203.0.113.7"),
            Some(GenericPtr::CloudDefault(_))
        ));
        assert!(matches!(
            generic("203.0.113.7.vultrusercontent.com", "203.0.113.7"),
            Some(GenericPtr::CloudDefault(_))
        ));
    }

    #[test]
    fn embedded_addresses_and_words() {
        assert_eq!(
            generic("host-203-0-113-7.example.net", "203.0.113.7"),
            Some(GenericPtr::EmbedsAddress)
        );
        assert_eq!(
            generic("7.113.0.203.in.example.net", "203.0.113.7"),
            Some(GenericPtr::EmbedsAddress)
        );
        assert_eq!(
            generic("c203000113007.example.net", "203.0.113.7"),
            Some(GenericPtr::EmbedsAddress)
        );
        assert_eq!(
            generic(
                "x20010db8000000000000000000000010.example.net",
                "2001:db8::10"
            ),
            Some(GenericPtr::EmbedsAddress)
        );
        assert_eq!(
            generic("pool-12.dsl.example.net", "203.0.113.7"),
            Some(GenericPtr::Word("pool".into()))
        );
        assert!(matches!(
            generic("cust7.dynamic.example.net", "203.0.113.7"),
            Some(GenericPtr::Word(w)) if w == "dynamic"
        ));
        assert!(matches!(
            generic("static-ip.example.net", "203.0.113.7"),
            Some(GenericPtr::Word(w)) if w == "static-ip"
        ));
    }

    #[test]
    fn real_mail_server_names_are_not_generic() {
        for name in [
            "mail.example.com",
            "mx1.dyn.com",
            "smtp-out.example.org",
            "o1.ptr1234.example.net",
            "mail.static.example.com",
        ] {
            assert_eq!(generic(name, "203.0.113.7"), None, "{name}");
        }
    }

    #[test]
    fn providers_from_as_names() {
        let p = |n: &str| by_as_name(n).map(|p| p.name);
        assert_eq!(
            p("AMAZON-02 - Amazon.com, Inc., US"),
            Some("Amazon Web Services")
        );
        assert_eq!(p("HETZNER-AS, DE"), Some("Hetzner"));
        assert_eq!(
            p("AS-CHOOPA - The Constant Company, LLC, US"),
            Some("Vultr")
        );
        assert_eq!(p("OVH, FR"), Some("OVHcloud"));
        assert_eq!(p("EXAMPLE-NET - Example Networks, ZZ"), None);
        assert_eq!(p("MOVHOST - Moving Hosts"), None);
    }
}
