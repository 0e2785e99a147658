//! Sending services whose default envelope sender (MAIL FROM, return path) is a domain of
//! their own. SPF then passes for the service, not for the customer, so it aligns with the
//! From domain (RFC 7489 §3.1.2) only once the customer sets a custom MAIL FROM domain at the
//! service; until then DMARC rests on DKIM alone.
//!
//! Amazon SES: "Messages that you send through Amazon SES automatically use a subdomain of
//! amazonses.com as the default MAIL FROM domain"; a custom MAIL FROM domain is a subdomain of
//! the verified identity, not used to receive mail, with an MX record (bounces and
//! complaints) and an SPF record; with `UseDefaultValue` SES falls back to amazonses.com when
//! it cannot read the MX (AWS SES Developer Guide, "Using a custom MAIL FROM domain";
//! API Reference, SetIdentityMailFromDomain). The record values (MX
//! `10 feedback-smtp.<region>.amazonses.com`, TXT `v=spf1 include:amazonses.com ~all`) are
//! the ones SES shows, as published in its setup examples.

use crate::dns::{Name, RType};

/// A service that sends with its own MAIL FROM domain unless told otherwise.
#[derive(Debug)]
pub struct Relay {
    pub name: &'static str,
    /// The domain customers include in their SPF record (`include:amazonses.com`).
    spf: &'static str,
    /// The suffix its DKIM CNAMEs point under.
    dkim: &'static str,
    /// The organizational domain of its default MAIL FROM.
    pub mail_from: &'static str,
    /// How to set a custom MAIL FROM domain there: a clause, lower case.
    pub how: &'static str,
}

/// Every relay deliv knows to send with its own return path by default.
pub static RELAYS: &[Relay] = &[Relay {
    name: "Amazon SES",
    spf: "amazonses.com",
    dkim: "dkim.amazonses.com",
    mail_from: "amazonses.com",
    how: "in the SES console, open the verified identity and set its custom MAIL FROM \
          domain (or call SetIdentityMailFromDomain / PutEmailIdentityMailFromAttributes); the \
          subdomain must receive no mail, and its MX record must stay published, since SES \
          falls back to amazonses.com (or rejects the message, if so set) whenever it cannot \
          read it",
}];

fn under(name: &Name, suffix: &str) -> bool {
    Name::parse(suffix).is_ok_and(|s| name.is_subdomain_of(&s))
}

impl Relay {
    /// The relay whose SPF record an `include:` or `redirect=` of `target` names.
    pub fn by_spf(target: &Name) -> Option<&'static Relay> {
        RELAYS.iter().find(|r| under(target, r.spf))
    }

    /// The relay whose keys a DKIM CNAME to `target` leads to.
    pub fn by_dkim(target: &Name) -> Option<&'static Relay> {
        RELAYS.iter().find(|r| under(target, r.dkim))
    }

    /// The relay whose default MAIL FROM `domain` is.
    pub fn by_mail_from(domain: &Name) -> Option<&'static Relay> {
        RELAYS.iter().find(|r| under(domain, r.mail_from))
    }

    /// The region a default MAIL FROM of the relay names (`us-east-1.amazonses.com`), for
    /// the records of a custom one.
    pub fn region(&self, mail_from: &Name) -> Option<String> {
        if !under(mail_from, self.mail_from) {
            return None;
        }
        mail_from
            .labels()
            .find(|l| is_region(l))
            .map(str::to_string)
    }

    /// The records the relay asks for at a custom MAIL FROM domain, with `region` written in
    /// where the relay's records name one.
    pub fn mail_from_records(&self, region: &str) -> Vec<(RType, String)> {
        vec![
            (
                RType::Mx,
                format!("10 feedback-smtp.{region}.{}.", self.mail_from),
            ),
            (RType::Txt, format!("v=spf1 include:{} ~all", self.spf)),
        ]
    }
}

/// An AWS region name: `us-east-1`, `eu-west-2`, `us-gov-west-1`.
fn is_region(label: &str) -> bool {
    let parts: Vec<&str> = label.split('-').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    parts.len() >= 3
        && first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    #[test]
    fn amazon_ses_is_known_by_its_spf_dkim_and_mail_from_domains() {
        let ses = Relay::by_spf(&name("amazonses.com")).unwrap();
        assert_eq!(ses.name, "Amazon SES");
        assert!(Relay::by_dkim(&name("abc123.dkim.amazonses.com")).is_some());
        assert!(Relay::by_dkim(&name("amazonses.com")).is_none());
        assert!(Relay::by_mail_from(&name("eu-west-1.amazonses.com")).is_some());
        assert!(Relay::by_spf(&name("notamazonses.com")).is_none());
        assert!(Relay::by_spf(&name("_spf.google.com")).is_none());
    }

    #[test]
    fn the_region_comes_from_the_default_mail_from() {
        let ses = &RELAYS[0];
        assert_eq!(
            ses.region(&name("us-east-1.amazonses.com")).as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            ses.region(&name("bounce.us-gov-west-1.amazonses.com"))
                .as_deref(),
            Some("us-gov-west-1")
        );
        assert_eq!(ses.region(&name("amazonses.com")), None);
        assert_eq!(ses.region(&name("us-east-1.example.com")), None);
        let records = ses.mail_from_records("eu-west-1");
        assert_eq!(
            records,
            vec![
                (
                    RType::Mx,
                    "10 feedback-smtp.eu-west-1.amazonses.com.".into()
                ),
                (RType::Txt, "v=spf1 include:amazonses.com ~all".into())
            ]
        );
    }
}
