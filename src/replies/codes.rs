//! The two codes of an SMTP reply and what the standards say they mean: the basic reply code
//! (RFC 5321 §4.2) and the enhanced status code (RFC 3463, with the details RFC 7372 and
//! RFC 7505 added to the IANA registry).

use std::fmt;

use serde::{Serialize, Serializer};

/// What the first digit of either code says about the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// `2yz` / `2.x.x`: accepted.
    Success,
    /// `3yz`: the server waits for more (only basic codes have it).
    Intermediate,
    /// `4yz` / `4.x.x`: refused for now; a later attempt may succeed.
    TransientFailure,
    /// `5yz` / `5.x.x`: refused; sending it again unchanged will not succeed.
    PermanentFailure,
}

impl Class {
    fn from_digit(digit: u16) -> Option<Self> {
        match digit {
            2 => Some(Class::Success),
            3 => Some(Class::Intermediate),
            4 => Some(Class::TransientFailure),
            5 => Some(Class::PermanentFailure),
            _ => None,
        }
    }

    /// The class's definition, for a basic code (RFC 5321 §4.2.1).
    pub fn basic_meaning(self) -> &'static str {
        match self {
            Class::Success => {
                "positive completion: the command was accepted (for a message: the next hop \
                 took responsibility for it)"
            }
            Class::Intermediate => {
                "positive intermediate: the server waits for more, e.g. the message after DATA"
            }
            Class::TransientFailure => {
                "transient negative completion: refused for now; the sender should try again later"
            }
            Class::PermanentFailure => {
                "permanent negative completion: refused; do not retry the same thing unchanged"
            }
        }
    }

    /// The class's definition, for an enhanced code (RFC 3463 §3.1).
    pub fn enhanced_meaning(self) -> &'static str {
        match self {
            Class::Success => "success: the delivery action was positive",
            Class::Intermediate => "not an enhanced status class",
            Class::TransientFailure => {
                "persistent transient failure: the message is valid but a temporary condition \
                 stopped it; a later attempt may succeed"
            }
            Class::PermanentFailure => {
                "permanent failure: resending the message in its current form will not succeed; \
                 the message or the destination must change"
            }
        }
    }
}

/// A basic reply code (RFC 5321 §4.2): three digits, the first 2 to 5, the second 0 to 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct BasicCode(u16);

impl BasicCode {
    /// The code, when `value` is one RFC 5321 allows.
    pub fn new(value: u16) -> Option<Self> {
        let (first, second) = (value / 100, value / 10 % 10);
        ((2..=5).contains(&first) && second <= 5).then_some(BasicCode(value))
    }

    pub fn value(self) -> u16 {
        self.0
    }

    pub fn class(self) -> Class {
        // `new` admits first digits 2–5 only.
        Class::from_digit(self.0 / 100).unwrap_or(Class::PermanentFailure)
    }

    /// What the second digit groups the reply under (RFC 5321 §4.2.1).
    pub fn topic(self) -> &'static str {
        match self.0 / 10 % 10 {
            0 => "syntax",
            1 => "information",
            2 => "connections",
            5 => "mail system",
            _ => "unspecified",
        }
    }

    /// The reply's definition in RFC 5321 §4.2.2, for the codes it lists.
    pub fn meaning(self) -> Option<&'static str> {
        Some(match self.0 {
            211 => "System status, or system help reply",
            214 => "Help message",
            220 => "Service ready",
            221 => "Service closing transmission channel",
            250 => "Requested mail action okay, completed",
            251 => "User not local; will forward",
            252 => "Cannot VRFY user, but will accept message and attempt delivery",
            354 => "Start mail input; end with <CRLF>.<CRLF>",
            421 => "Service not available, closing transmission channel",
            450 => {
                "Requested mail action not taken: mailbox unavailable (e.g., mailbox busy or \
                 temporarily blocked for policy reasons)"
            }
            451 => "Requested action aborted: local error in processing",
            452 => "Requested action not taken: insufficient system storage",
            455 => "Server unable to accommodate parameters",
            500 => "Syntax error, command unrecognized",
            501 => "Syntax error in parameters or arguments",
            502 => "Command not implemented",
            503 => "Bad sequence of commands",
            504 => "Command parameter not implemented",
            550 => {
                "Requested action not taken: mailbox unavailable (e.g., mailbox not found, no \
                 access, or command rejected for policy reasons)"
            }
            551 => "User not local; please try <forward-path>",
            552 => "Requested mail action aborted: exceeded storage allocation",
            553 => "Requested action not taken: mailbox name not allowed",
            554 => "Transaction failed (at connection opening: no SMTP service here)",
            555 => "MAIL FROM/RCPT TO parameters not recognized or not implemented",
            _ => return None,
        })
    }
}

impl fmt::Display for BasicCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An enhanced status code (RFC 3463): `class.subject.detail`, e.g. `5.7.1`. Serialized as
/// that string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnhancedCode {
    class: u8,
    subject: u16,
    detail: u16,
}

impl EnhancedCode {
    /// The code, when the class is 2, 4 or 5 and subject and detail have at most three digits.
    pub fn new(class: u8, subject: u16, detail: u16) -> Option<Self> {
        (matches!(class, 2 | 4 | 5) && subject <= 999 && detail <= 999).then_some(EnhancedCode {
            class,
            subject,
            detail,
        })
    }

    pub fn class_digit(self) -> u8 {
        self.class
    }

    pub fn subject(self) -> u16 {
        self.subject
    }

    pub fn detail(self) -> u16 {
        self.detail
    }

    pub fn class(self) -> Class {
        // `new` admits 2, 4 and 5 only.
        Class::from_digit(u16::from(self.class)).unwrap_or(Class::PermanentFailure)
    }

    /// The subject's definition in the IANA registry.
    pub fn subject_meaning(self) -> Option<&'static str> {
        Some(match self.subject {
            0 => "other or undefined status",
            1 => "addressing status: the originator or destination address",
            2 => "mailbox status: the destination mailbox",
            3 => "mail system status: the destination mail system",
            4 => "network and routing status",
            5 => "mail delivery protocol status",
            6 => "message content or media status",
            7 => "security or policy status",
            _ => return None,
        })
    }

    /// The registry's definition of `x.subject.detail`, and the document that defined it.
    pub fn detail_meaning(self) -> Option<(&'static str, &'static str)> {
        DETAILS
            .iter()
            .find(|d| d.0 == self.subject && d.1 == self.detail)
            .map(|d| (d.2, d.3))
    }
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl Serialize for EnhancedCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

const RFC3463: &str = "RFC 3463";
const RFC7372: &str = "RFC 7372";
const RFC7505: &str = "RFC 7505";

/// Enumerated status codes of the IANA registry: (subject, detail, meaning, defined in).
const DETAILS: &[(u16, u16, &str, &str)] = &[
    (0, 0, "Other undefined status", RFC3463),
    (1, 0, "Other address status", RFC3463),
    (1, 1, "Bad destination mailbox address", RFC3463),
    (1, 2, "Bad destination system address", RFC3463),
    (1, 3, "Bad destination mailbox address syntax", RFC3463),
    (1, 4, "Destination mailbox address ambiguous", RFC3463),
    (1, 5, "Destination address valid", RFC3463),
    (
        1,
        6,
        "Destination mailbox has moved, no forwarding address",
        RFC3463,
    ),
    (1, 7, "Bad sender's mailbox address syntax", RFC3463),
    (1, 8, "Bad sender's system address", RFC3463),
    (1, 10, "Recipient address has null MX", RFC7505),
    (2, 0, "Other or undefined mailbox status", RFC3463),
    (2, 1, "Mailbox disabled, not accepting messages", RFC3463),
    (2, 2, "Mailbox full", RFC3463),
    (2, 3, "Message length exceeds administrative limit", RFC3463),
    (2, 4, "Mailing list expansion problem", RFC3463),
    (3, 0, "Other or undefined mail system status", RFC3463),
    (3, 1, "Mail system full", RFC3463),
    (3, 2, "System not accepting network messages", RFC3463),
    (3, 3, "System not capable of selected features", RFC3463),
    (3, 4, "Message too big for system", RFC3463),
    (3, 5, "System incorrectly configured", RFC3463),
    (
        4,
        0,
        "Other or undefined network or routing status",
        RFC3463,
    ),
    (4, 1, "No answer from host", RFC3463),
    (4, 2, "Bad connection", RFC3463),
    (4, 3, "Directory server failure", RFC3463),
    (4, 4, "Unable to route", RFC3463),
    (4, 5, "Mail system congestion", RFC3463),
    (4, 6, "Routing loop detected", RFC3463),
    (4, 7, "Delivery time expired", RFC3463),
    (5, 0, "Other or undefined protocol status", RFC3463),
    (5, 1, "Invalid command", RFC3463),
    (5, 2, "Syntax error", RFC3463),
    (5, 3, "Too many recipients", RFC3463),
    (5, 4, "Invalid command arguments", RFC3463),
    (5, 5, "Wrong protocol version", RFC3463),
    (6, 0, "Other or undefined media error", RFC3463),
    (6, 1, "Media not supported", RFC3463),
    (6, 2, "Conversion required and prohibited", RFC3463),
    (6, 3, "Conversion required but not supported", RFC3463),
    (6, 4, "Conversion with loss performed", RFC3463),
    (6, 5, "Conversion failed", RFC3463),
    (7, 0, "Other or undefined security status", RFC3463),
    (7, 1, "Delivery not authorized, message refused", RFC3463),
    (7, 2, "Mailing list expansion prohibited", RFC3463),
    (
        7,
        3,
        "Security conversion required but not possible",
        RFC3463,
    ),
    (7, 4, "Security features not supported", RFC3463),
    (7, 5, "Cryptographic failure", RFC3463),
    (7, 6, "Cryptographic algorithm not supported", RFC3463),
    (7, 7, "Message integrity failure", RFC3463),
    (7, 20, "No passing DKIM signature found", RFC7372),
    (7, 21, "No acceptable DKIM signature found", RFC7372),
    (
        7,
        22,
        "No valid author-matched DKIM signature found",
        RFC7372,
    ),
    (7, 23, "SPF validation failed", RFC7372),
    (7, 24, "SPF validation error", RFC7372),
    (7, 25, "Reverse DNS validation failed", RFC7372),
    (7, 26, "Multiple authentication checks failed", RFC7372),
    (7, 27, "Sender address has null MX", RFC7505),
];

/// What the standards say about the codes of one reply; present for every reply that has a
/// code, whether or not a knowledge-base entry matched.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CodeMeanings {
    pub basic: Option<BasicMeaning>,
    pub enhanced: Option<EnhancedMeaning>,
}

/// The basic code read digit by digit (RFC 5321 §4.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BasicMeaning {
    pub code: BasicCode,
    pub class: Class,
    /// What the first digit says.
    pub class_meaning: &'static str,
    /// What the second digit groups the reply under.
    pub topic: &'static str,
    /// The reply's definition in RFC 5321 §4.2.2; `null` for codes it does not list.
    pub meaning: Option<&'static str>,
}

/// The enhanced code read part by part (RFC 3463 and the IANA registry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnhancedMeaning {
    pub code: EnhancedCode,
    pub class: Class,
    pub class_meaning: &'static str,
    /// The subject's definition; `null` for subjects the registry does not define.
    pub subject: Option<&'static str>,
    /// The registry's definition of the whole code; `null` for codes it does not list.
    pub detail: Option<&'static str>,
    /// The document that defined `detail` (e.g. `RFC 3463`).
    pub defined_in: Option<&'static str>,
    /// The provider that sent the reply uses this code with its own meaning (Gmail's 5.7.27 is
    /// an SPF failure, not a null MX): read the matched entry, not `detail`.
    pub superseded_by_provider: bool,
}

impl CodeMeanings {
    pub fn of(basic: Option<BasicCode>, enhanced: Option<EnhancedCode>) -> Self {
        CodeMeanings {
            basic: basic.map(|code| BasicMeaning {
                code,
                class: code.class(),
                class_meaning: code.class().basic_meaning(),
                topic: code.topic(),
                meaning: code.meaning(),
            }),
            enhanced: enhanced.map(|code| {
                let detail = code.detail_meaning();
                EnhancedMeaning {
                    code,
                    class: code.class(),
                    class_meaning: code.class().enhanced_meaning(),
                    subject: code.subject_meaning(),
                    detail: detail.map(|d| d.0),
                    defined_in: detail.map(|d| d.1),
                    superseded_by_provider: false,
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_codes_follow_the_digit_rules() {
        assert!(BasicCode::new(199).is_none());
        assert!(BasicCode::new(600).is_none());
        assert!(BasicCode::new(560).is_none(), "second digit above 5");
        let code = BasicCode::new(550).unwrap();
        assert_eq!(code.class(), Class::PermanentFailure);
        assert_eq!(code.topic(), "mail system");
        assert!(code.meaning().unwrap().contains("mailbox unavailable"));
        let code = BasicCode::new(421).unwrap();
        assert_eq!(code.class(), Class::TransientFailure);
        assert_eq!(code.topic(), "connections");
        assert_eq!(BasicCode::new(454).unwrap().meaning(), None);
        assert_eq!(BasicCode::new(354).unwrap().class(), Class::Intermediate);
    }

    #[test]
    fn enhanced_codes_read_from_the_registry() {
        assert!(EnhancedCode::new(3, 1, 1).is_none());
        assert!(EnhancedCode::new(5, 1000, 1).is_none());
        let code = EnhancedCode::new(5, 7, 26).unwrap();
        assert_eq!(code.to_string(), "5.7.26");
        assert_eq!(
            code.detail_meaning(),
            Some(("Multiple authentication checks failed", "RFC 7372"))
        );
        assert_eq!(
            EnhancedCode::new(4, 4, 7)
                .unwrap()
                .detail_meaning()
                .unwrap()
                .0,
            "Delivery time expired"
        );
        assert_eq!(
            EnhancedCode::new(5, 7, 27).unwrap().detail_meaning(),
            Some(("Sender address has null MX", "RFC 7505"))
        );
        // Provider-defined numbers have no registry meaning.
        assert_eq!(EnhancedCode::new(4, 7, 650).unwrap().detail_meaning(), None);
        assert_eq!(EnhancedCode::new(5, 9, 1).unwrap().subject_meaning(), None);
        assert_eq!(
            serde_json::to_value(EnhancedCode::new(4, 7, 28).unwrap()).unwrap(),
            "4.7.28"
        );
    }

    #[test]
    fn every_registry_detail_is_listed_once() {
        for (i, a) in DETAILS.iter().enumerate() {
            assert!(
                DETAILS[i + 1..].iter().all(|b| (a.0, a.1) != (b.0, b.1)),
                "x.{}.{} twice",
                a.0,
                a.1
            );
        }
    }
}
