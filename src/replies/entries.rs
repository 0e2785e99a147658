//! The knowledge base: one entry per reply pattern, with its source and the real replies it
//! explains (`examples`, each with where it was published or seen). Every example is tested
//! to match its own entry and no other as closely.
//!
//! Examples keep the published text. Placeholders in it (`x.xx.xx.xx`, `[IP]`, `ip-address`,
//! `domain-name`, a masked customer address), and the senders' own addresses and domains in
//! public reports, are replaced with documentation addresses (RFC 5737 and RFC 3849) and
//! `example.com`.

use super::kb::Basic::{Any, Class, OneOf};
use super::kb::Confidence::{Documented, Observed};
use super::kb::Severity::{Accepted, Blocked, Recipient, SenderSetup, Temporary};
use super::kb::{Entry, Example, Rule, enh, enh_any, enh_range};
use super::provider::Provider::{AmazonSes, Google, Microsoft, Yahoo};

// Standards and software.
const RFC5321: &str = "https://datatracker.ietf.org/doc/html/rfc5321";
const IANA_ENHANCED: &str = "https://www.iana.org/assignments/smtp-enhanced-status-codes";
const RFC7505: &str = "https://datatracker.ietf.org/doc/html/rfc7505";
const POSTFIX_SMTPD: &str =
    "https://github.com/vdukhovni/postfix/blob/HEAD/postfix/src/smtpd/smtpd_check.c";
const POSTFIX_QUEUED: &str =
    "https://github.com/vdukhovni/postfix/blob/HEAD/postfix/src/smtpd/smtpd.c";
const POSTFIX_CONNECT: &str =
    "https://github.com/vdukhovni/postfix/blob/HEAD/postfix/src/smtp/smtp_connect.c";
const POSTGREY: &str = "https://github.com/schweikert/postgrey/blob/HEAD/test/Test_Greylist.pm";
const EXCHANGE_TELNET: &str = "https://github.com/MicrosoftDocs/SupportArticles-docs/blob/HEAD/Exchange/ExchangeServer/mail-flow/test-smtp-with-telnet.md";
const GMAIL_250: &str = "https://github.com/cgomeznt/Postfix/blob/HEAD/guia/postfixgmailrelay.rst";
// SMTP Field Manual: raw replies collected from providers, by basic code.
const FIELD_421: &str =
    "https://github.com/ActiveCampaign/smtp-field-manual/blob/HEAD/data/codes/421.json";
const FIELD_451: &str =
    "https://github.com/ActiveCampaign/smtp-field-manual/blob/HEAD/data/codes/451.json";
const FIELD_452: &str =
    "https://github.com/ActiveCampaign/smtp-field-manual/blob/HEAD/data/codes/452.json";
const FIELD_550: &str =
    "https://github.com/ActiveCampaign/smtp-field-manual/blob/HEAD/data/codes/550.json";
const FIELD_552: &str =
    "https://github.com/ActiveCampaign/smtp-field-manual/blob/HEAD/data/codes/552.json";
const FIELD_553: &str =
    "https://github.com/ActiveCampaign/smtp-field-manual/blob/HEAD/data/codes/553.json";
const FIELD_554: &str =
    "https://github.com/ActiveCampaign/smtp-field-manual/blob/HEAD/data/codes/554.json";
// Blocklists.
const SPAMHAUS_CHECK: &str = "https://check.spamhaus.org/";
const SPAMHAUS_554: &str =
    "https://docs.gandi.net/en/gandimail/faq/error_types/554_5_7_1_service_unavailable.html";
const SPAMHAUS_DQS: &str = "https://github.com/simple-login/app/blob/HEAD/docs/spamhaus-dqs.md";
const BARRACUDA_REMOVAL: &str = "https://www.barracudacentral.org/rbl/removal-request";
const BARRACUDA_554: &str = "https://luxsci.com/blog/?p=16857";
// Google.
const G_ERR: &str = "https://support.google.com/a/answer/3726730";
const G_FAQ: &str = "https://support.google.com/a/answer/14229414";
const G_SG: &str = "https://support.google.com/mail/answer/81126";
// Microsoft.
const MS_PM: &str = "https://postmaster.live.com/pm/troubleshooting.aspx";
const MS_SUPPORT: &str =
    "https://support.microsoft.com/supportrequestform/8ad563e3-288e-2a61-8122-3ba03d6b8d75";
const MS_HV: &str = "https://techcommunity.microsoft.com/blog/MicrosoftDefenderforOffice365Blog/strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90volume-senders/4399730";
const MS_DL: &str = "https://learn.microsoft.com/en-us/defender-office-365/external-senders-use-the-delist-portal-to-unblock-yourself";
const MS_DELIST_PORTAL: &str = "https://sender.office.com";
const MS_QA_RATE: &str =
    "https://learn.microsoft.com/en-us/answers/questions/5910730/temporary-rate-limiting";
const MS_BOUNCES: &str = "https://pastebin.com/index/3Peq5x5F";
// Yahoo.
const Y_ERR: &str = "https://senders.yahooinc.com/smtp-error-codes/";
const Y_TSS04: &str = "https://support.cpanel.net/hc/en-us/articles/4403952239511";
const Y_TSS05: &str = "https://community.fortinet.com/t5/FortiMail/Troubleshooting-Tip-How-to-resolve-421-4-7-0-TSS05-Messages-from/ta-p/380206";
const Y_TSS06: &str = "https://github.com/hardware/mailserver/issues/206";
// Amazon SES.
const SES_QUOTA: &str =
    "https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html";
const SES_ERRORS: &str =
    "https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-error-messages.html";
const SES_NOT_VERIFIED: &str =
    "https://repost.aws/knowledge-center/ses-554-400-message-rejected-error";

const RULE: Rule = Rule {
    basic: Any,
    enhanced: &[],
    phrases: &[],
    needs_provider: false,
};

/// The fields most entries leave at their default.
const BASE: Entry = Entry {
    id: "",
    provider: None,
    title: "",
    meaning: "",
    cause: "",
    action: "",
    support_url: None,
    next: None,
    confidence: Documented,
    note: None,
    source: "",
    severity: Blocked,
    redefines_code: false,
    rule: RULE,
    examples: &[],
};

const fn ex(text: &'static str, source: &'static str) -> Example {
    Example { text, source }
}

/// Every entry. Ids are stable: scripts and logs refer to them.
pub static ENTRIES: &[Entry] = &[
    // ── Accepted ────────────────────────────────────────────────────────────────────────
    Entry {
        id: "generic.accepted",
        title: "Accepted by the next hop, not delivered to the inbox",
        severity: Accepted,
        meaning: "The receiving server accepted the message and took responsibility for it. That \
            is not delivery to the inbox: after accepting, the receiver still chooses between \
            inbox, spam folder and quarantine.",
        cause: "Nothing failed at the SMTP layer.",
        action: "If the mail is missing or in spam, look at what decides the folder: SPF, DKIM \
            and DMARC passing and aligned with the From domain; the reputation of the sending IPs \
            and domain; the complaint rate (Gmail and Yahoo ask for under 0.3%); one-click \
            List-Unsubscribe on bulk mail. Check the domain with deliv, then the receivers' own \
            data: Google Postmaster Tools (https://postmaster.google.com), Microsoft SNDS \
            (https://postmaster.live.com/pm/services.aspx), Yahoo Sender Hub \
            (https://senders.yahooinc.com/).",
        next: Some("deliv check {domain}"),
        note: Some(
            "Gmail's FAQ lists spam foldering among the outcomes of failing its sender \
            requirements; Yahoo computes the spam rate on mail delivered to the inbox.",
        ),
        source: G_FAQ,
        rule: Rule {
            basic: Class(2),
            ..RULE
        },
        examples: &[
            ex(
                "250 2.0.0 OK  1587593003 d83sm207547vka.34 - gsmtp",
                GMAIL_250,
            ),
            ex("250 2.0.0 Ok: queued as C4232266C9", POSTFIX_QUEUED),
            ex("250 2.1.5 Recipient OK", EXCHANGE_TELNET),
            ex(
                "250 2.6.0 <c89b4fcc-3ad1-4758-a1ab-1e820065d622@mail1.fabrikam.com> \
                 [InternalId=5111011082268, Hostname=mail1.fabrikam.com] Queued mail for delivery",
                EXCHANGE_TELNET,
            ),
        ],
        ..BASE
    },
    // ── Generic: any server ─────────────────────────────────────────────────────────────
    Entry {
        id: "generic.user-unknown",
        title: "Recipient mailbox does not exist",
        severity: Recipient,
        meaning: "The recipient's mailbox does not exist (x.1.1, bad destination mailbox \
            address).",
        cause: "A typo, a closed account or a stale list entry.",
        action: "Remove the address from the list; do not retry it.",
        source: IANA_ENHANCED,
        rule: Rule {
            enhanced: &[enh(5, 1, 1)],
            ..RULE
        },
        examples: &[
            ex("550 5.1.1 User unknown", EXCHANGE_TELNET),
            ex(
                "550 5.1.1 <example@icloud.com>: user does not exist",
                FIELD_550,
            ),
            ex(
                "550 5.1.1 The email account that you tried to reach does not exist. Please \
                 double-check the recipient's email address for typos or unnecessary spaces. For \
                 more information, go to Fix bounced or rejected emails.",
                G_ERR,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "generic.bad-domain",
        title: "Recipient domain not found",
        severity: Recipient,
        meaning: "The recipient's domain does not exist or cannot receive mail (x.1.2, bad \
            destination system address).",
        cause: "A typo in the domain, or a domain without MX or address records.",
        action: "Correct the address, or remove it.",
        source: IANA_ENHANCED,
        rule: Rule {
            enhanced: &[enh(5, 1, 2)],
            ..RULE
        },
        examples: &[ex(
            "553 5.1.2 We weren't able to find the recipient domain. Please check for any \
             spelling errors and make sure you didn't enter any spaces, periods, or other \
             punctuation after the recipient's email address. For more information, go to Fix \
             bounced or rejected emails.",
            G_ERR,
        )],
        ..BASE
    },
    Entry {
        id: "generic.null-mx-recipient",
        title: "Recipient domain accepts no mail (null MX)",
        severity: Recipient,
        meaning: "The recipient's domain publishes a null MX (RFC 7505): it receives no mail.",
        cause: "The address is at a domain that declares it takes no mail.",
        action: "Remove the address.",
        source: RFC7505,
        rule: Rule {
            enhanced: &[enh_any(1, 10)],
            ..RULE
        },
        examples: &[ex(
            "556 5.1.10 <bob@example.org>: Recipient address rejected: Domain example.org does \
             not accept mail (nullMX)",
            POSTFIX_SMTPD,
        )],
        ..BASE
    },
    Entry {
        id: "generic.null-mx-sender",
        title: "Sender domain has a null MX",
        severity: SenderSetup,
        meaning: "The envelope sender's domain publishes a null MX (RFC 7505), so the receiver \
            refuses its mail: a bounce could never be returned.",
        cause: "Mail sent with a MAIL FROM domain that declares it receives no mail.",
        action: "Send with a MAIL FROM domain that has working MX records, or remove the null MX \
            from the domain that sends.",
        next: Some("deliv check {domain} --only mx"),
        source: RFC7505,
        rule: Rule {
            enhanced: &[enh_any(7, 27)],
            ..RULE
        },
        examples: &[ex(
            "550 5.7.27 <sender@example.com>: Sender address rejected: Domain example.com does \
             not accept mail (nullMX)",
            POSTFIX_SMTPD,
        )],
        ..BASE
    },
    Entry {
        id: "generic.mailbox-full",
        title: "Recipient mailbox full",
        severity: Recipient,
        meaning: "The recipient's mailbox is full (x.2.2).",
        cause: "The recipient is over quota; often a mailbox nobody reads any more.",
        action: "A 4xx reply is retried by the sending server. After a 5xx, or when it keeps \
            coming back, remove the address.",
        source: IANA_ENHANCED,
        rule: Rule {
            enhanced: &[enh_any(2, 2)],
            ..RULE
        },
        examples: &[
            ex("552 5.2.2 Mailbox size limit exceeded", FIELD_552),
            ex(
                "552 5.2.2 <example@icloud.com>: user is overquota",
                FIELD_552,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "generic.too-big",
        title: "Message too big",
        severity: SenderSetup,
        meaning: "The message is larger than the receiver accepts: its size, its headers or its \
            number of attachments (x.3.4).",
        cause: "Large attachments or headers.",
        action: "Send a smaller message: link to large files instead of attaching them.",
        source: IANA_ENHANCED,
        rule: Rule {
            enhanced: &[enh_any(3, 4)],
            ..RULE
        },
        examples: &[ex(
            "552 5.3.4 Your message exceeded Google's message size limits. To view our message \
             size guidelines, go to Send attachments with your Gmail message.",
            G_ERR,
        )],
        ..BASE
    },
    Entry {
        id: "generic.connection-timeout",
        title: "Connection failed or timed out",
        severity: Temporary,
        meaning: "The connection to the receiving server failed or timed out (x.4.1: no answer \
            from host; x.4.2: bad connection).",
        cause: "A slow or overloaded receiver, a network fault, or outbound port 25 blocked by \
            the sending host's network (cloud providers often block it by default).",
        action: RETRY_OR_PORT_25,
        source: IANA_ENHANCED,
        rule: Rule {
            enhanced: &[enh_any(4, 1), enh_any(4, 2)],
            ..RULE
        },
        examples: &[
            ex(
                "451 4.4.2 Timeout - closing connection. For more information, go to About SMTP \
                 error messages.",
                G_ERR,
            ),
            ex(
                "421 4.4.2 mail.yandex.net Error: timeout exceeded",
                FIELD_421,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "generic.connect-failed",
        title: "Could not connect to the receiving server",
        severity: Temporary,
        meaning: "The sending server could not open a connection to the receiving server; no \
            reply was received.",
        cause: "The receiver is down or unreachable, or outbound port 25 is blocked by the \
            sending host's network (cloud providers often block it by default).",
        action: RETRY_OR_PORT_25,
        source: POSTFIX_CONNECT,
        rule: Rule {
            phrases: &[
                &["connect to "],
                &[
                    "timed out",
                    "connection refused",
                    "network is unreachable",
                    "no route to host",
                ],
            ],
            ..RULE
        },
        examples: &[ex(
            "connect to mx.example.org[192.0.2.25]:25: Connection timed out",
            POSTFIX_CONNECT,
        )],
        ..BASE
    },
    Entry {
        id: "generic.service-unavailable",
        title: "Service not available",
        severity: Temporary,
        meaning: "The server is not taking mail right now and closes the connection.",
        cause: "Load, maintenance, or a rate limit the server does not explain.",
        action: "Retry with backoff; if one receiver keeps answering this, send to it more \
            slowly.",
        source: RFC5321,
        rule: Rule {
            basic: OneOf(&[421]),
            phrases: &[&["service not available"]],
            ..RULE
        },
        examples: &[ex(
            "421 Service not available, closing transmission channel",
            FIELD_421,
        )],
        ..BASE
    },
    Entry {
        id: "generic.greylisting",
        title: "Greylisted",
        severity: Temporary,
        meaning: "The receiver greylists: it refuses the first attempt from an unknown sender \
            and accepts a retry after a delay.",
        cause: "A first delivery from this combination of IP, sender and recipient.",
        action: "Nothing, with a standard MTA: it retries and gets through. Mail sent by a \
            script that does not retry is lost: send through an MTA.",
        source: POSTGREY,
        rule: Rule {
            phrases: &[&["greylist", "graylist"]],
            ..RULE
        },
        examples: &[ex(
            // Postgrey's action text, as Postfix returns it.
            "450 4.2.0 <bob@example.org>: Recipient address rejected: Greylisted, see \
             http://postgrey.schweikert.ch/help/example.org.html",
            POSTGREY,
        )],
        ..BASE
    },
    Entry {
        id: "generic.relay-denied",
        title: "Relay access denied",
        severity: SenderSetup,
        meaning: "The server that answered does not take mail for the recipient's domain from \
            you: it is not that domain's mail server, or it relays only for users who log in.",
        cause: "A wrong MX record for the recipient's domain, a stale route in the sending \
            configuration, or a relay used without authentication.",
        action: "Check the recipient domain's MX records; when sending through a relay, \
            authenticate to it.",
        source: POSTFIX_SMTPD,
        rule: Rule {
            phrases: &[&[
                "relay access denied",
                "relaying denied",
                "relaying disallowed",
            ]],
            ..RULE
        },
        examples: &[
            ex(
                "554 5.7.1 <bob@example.org>: Relay access denied",
                POSTFIX_SMTPD,
            ),
            ex(
                "554 5.7.1 <example@icloud.com>: Relay access denied",
                FIELD_554,
            ),
            ex("550 relaying denied for <example@example.com>", FIELD_550),
        ],
        ..BASE
    },
    Entry {
        id: "generic.policy",
        title: "Refused for policy",
        meaning: "The receiver refused the message for policy (5.7.1: delivery not authorized, \
            message refused), without a more specific code.",
        cause: "Sender reputation, a blocklist listing, failed authentication, content, or a \
            rule of the recipient's; the text usually says which.",
        action: "Read the text for a list name, a URL or a reason. Check the sending domain's \
            authentication and the sending IPs' blocklist listings.",
        next: Some("deliv check {domain}"),
        source: IANA_ENHANCED,
        rule: Rule {
            enhanced: &[enh(5, 7, 1)],
            ..RULE
        },
        examples: &[
            ex(
                "550 5.7.1 Policy rejection on the target address",
                FIELD_550,
            ),
            ex(
                "550 5.7.1 Rejected by spam filter (in reply to end of DATA command)",
                FIELD_550,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "generic.spamhaus",
        title: "Listed by Spamhaus",
        meaning: "The receiver checks Spamhaus and the sending IP (or a domain of the message) \
            is listed.",
        cause: "An SBL, XBL, PBL or CSS listing of the IP (DBL for a domain): spam, a \
            compromised host, or an address range that should not send directly.",
        action: "Look the IP up at https://check.spamhaus.org/, fix the cause and request \
            removal. A PBL listing means: send through your provider's relay, or remove a static \
            server's address from the PBL.",
        support_url: Some(SPAMHAUS_CHECK),
        next: Some("deliv ip {ip}"),
        confidence: Observed,
        source: SPAMHAUS_554,
        rule: Rule {
            phrases: &[&["spamhaus"]],
            ..RULE
        },
        examples: &[ex(
            "554 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using \
             zen.spamhaus.org",
            SPAMHAUS_554,
        )],
        ..BASE
    },
    Entry {
        id: "generic.spamhaus-open-resolver",
        title: "The receiver's Spamhaus lookups are broken",
        meaning: "The receiving server asks Spamhaus through a public resolver, which Spamhaus \
            refuses: its setup is broken, not your IP.",
        cause: "The receiver got Spamhaus's error answer (127.255.255.254) and treated it as a \
            listing.",
        action: "Tell the recipient's postmaster: they should query Spamhaus through their own \
            resolver or with a Spamhaus DQS key.",
        confidence: Observed,
        source: SPAMHAUS_DQS,
        rule: Rule {
            phrases: &[&["spamhaus"], &["open resolver"]],
            ..RULE
        },
        examples: &[ex(
            "blocked using zen.spamhaus.org; Error: open resolver; \
             https://check.spamhaus.org/returnc/pub/203.0.113.53/",
            SPAMHAUS_DQS,
        )],
        ..BASE
    },
    Entry {
        id: "generic.barracuda",
        title: "Listed by Barracuda",
        meaning: "The receiver uses the Barracuda Reputation Block List and the sending IP is \
            listed.",
        cause: "Spam trap hits or a compromised host.",
        action: "Fix the cause, then request removal with Barracuda's form.",
        support_url: Some(BARRACUDA_REMOVAL),
        next: Some("deliv ip {ip} --dnsbl b.barracudacentral.org"),
        confidence: Observed,
        source: BARRACUDA_554,
        rule: Rule {
            phrases: &[&["barracuda"]],
            ..RULE
        },
        examples: &[ex(
            "554 Service unavailable; Client host [203.0.113.9] blocked using Barracuda \
             Reputation",
            BARRACUDA_554,
        )],
        ..BASE
    },
    Entry {
        id: "generic.starttls-required",
        title: "TLS required",
        severity: SenderSetup,
        meaning: "The receiver requires TLS: the sending server must issue STARTTLS before \
            sending.",
        cause: "The sending server does not use STARTTLS, or TLS failed and it fell back to \
            plain text.",
        action: "Enable STARTTLS on the sending server.",
        source: G_ERR,
        rule: Rule {
            phrases: &[&["must issue a starttls command first"]],
            ..RULE
        },
        examples: &[ex(
            "530 5.7.0 Must issue a STARTTLS command first. For more information, go to About \
             SMTP error messages and review RFC 3207 specifications.",
            G_ERR,
        )],
        ..BASE
    },
    Entry {
        id: "generic.helo-invalid",
        title: "HELO name refused",
        severity: SenderSetup,
        meaning: "The receiver refused the name the sending server gave in HELO/EHLO.",
        cause: "An empty or invalid HELO name, e.g. not a fully qualified domain name.",
        action: "Set the HELO name to the server's fully qualified name, the one its PTR record \
            gives.",
        next: Some("deliv ip {ip}"),
        source: G_ERR,
        rule: Rule {
            phrases: &[&["helo/ehlo argument"]],
            ..RULE
        },
        examples: &[ex(
            "501 5.5.4 Empty HELO/EHLO argument not allowed, closing connection. For more \
             information, go to HELO/EHLO email error.",
            G_ERR,
        )],
        ..BASE
    },
    // ── Google ──────────────────────────────────────────────────────────────────────────
    Entry {
        id: "google.receiving-rate",
        provider: Some(Google),
        title: "Recipient receiving mail too fast",
        severity: Recipient,
        meaning: "The Gmail recipient is receiving mail faster than Gmail allows; this is about \
            the recipient, not you.",
        cause: "Many messages to one recipient in a short time.",
        action: "Retry later. A 5xx (550 5.2.1) is final for this message.",
        source: G_ERR,
        rule: Rule {
            phrases: &[
                &["receiving mail", "receiving email"],
                &["too quickly", "at a rate"],
            ],
            ..RULE
        },
        examples: &[
            ex(
                "450 4.2.1 The user you are trying to contact is receiving email too quickly. \
                 Please resend your message at a later time. If the user is able to receive email \
                 at that time, your message will be delivered. For more information, go to Limits \
                 for sending & getting email.",
                G_ERR,
            ),
            ex(
                "550 5.2.1 The user you are trying to contact is receiving mail at a rate that \
                 prevents additional messages from being delivered. For more information, please \
                 visit https://support.google.com/mail/?p=ReceivingRatePerm - gsmtp",
                FIELD_550,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.4.2.2-full",
        provider: Some(Google),
        title: "Recipient's Gmail storage full",
        severity: Recipient,
        meaning: "The recipient's Gmail storage is full; Gmail takes the message once space is \
            freed.",
        cause: "The recipient is over their storage quota.",
        action: "Let the sending server retry; if it lasts, remove the address.",
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh(4, 2, 2)],
            needs_provider: true,
            ..RULE
        },
        examples: &[
            ex(
                "452 4.2.2 The recipient's inbox is out of storage space. Please direct the \
                 recipient to Manage files in your Google Drive storage.",
                G_ERR,
            ),
            ex(
                "452 4.2.2 The email account that you tried to reach is over quota. Please direct \
                 the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp",
                FIELD_452,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.5.2.2-full",
        provider: Some(Google),
        title: "Recipient's Gmail storage full and account inactive",
        severity: Recipient,
        meaning: "The recipient's Gmail storage is full and the account is inactive.",
        cause: "An abandoned account.",
        action: "Remove the address.",
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh(5, 2, 2)],
            needs_provider: true,
            ..RULE
        },
        examples: &[
            ex(
                "552 5.2.2 The recipient's inbox is out of storage space and inactive. Please \
                 direct the recipient to Manage files in your Google Drive storage.",
                G_ERR,
            ),
            ex(
                "552 5.2.2 The email account that you tried to reach is over quota. Please direct \
                 the recipient to https://support.google.com/mail/?p=OverQuotaPerm - gsmtp",
                FIELD_552,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.5.2.1-inactive",
        provider: Some(Google),
        title: "Gmail account inactive",
        severity: Recipient,
        meaning: "The Gmail account is inactive or disabled.",
        cause: "An abandoned or closed account.",
        action: "Remove the address.",
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh(5, 2, 1)],
            phrases: &[&["inactive", "disabled"]],
            needs_provider: true,
            ..RULE
        },
        examples: &[
            ex(
                "550 5.2.1 The email account that you tried to reach is inactive. For more \
                 information, go to https://support.google.com/mail/?p=DisabledUser",
                G_ERR,
            ),
            ex(
                "550 5.2.1 The email account that you tried to reach is disabled. Learn more at \
                 https://support.google.com/mail/?p=DisabledUser - gsmtp",
                FIELD_550,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.4.7.0-ip-allowlist",
        provider: Some(Google),
        title: "IP not on the recipient domain's allowlist",
        meaning: "The recipient's Google Workspace domain accepts mail only from IPs it has \
            listed, and the sending IP is not one of them.",
        cause: "An allowlist set by the recipient domain's administrator.",
        action: "Ask the recipient's administrator to allow the sending IP.",
        source: G_ERR,
        rule: Rule {
            phrases: &[&["ip not in whitelist for rcpt domain"]],
            ..RULE
        },
        examples: &[ex(
            "421 4.7.0 IP not in whitelist for RCPT domain, closing connection. For more \
             information, go to Allowlists, denylists, and approved senders.",
            G_ERR,
        )],
        ..BASE
    },
    Entry {
        id: "google.4.7.0-tls-required",
        provider: Some(Google),
        title: "Recipient domain requires TLS",
        severity: SenderSetup,
        meaning: "The recipient's domain requires mail to arrive over TLS.",
        cause: "The sending server did not use STARTTLS.",
        action: "Enable STARTTLS on the sending server.",
        source: G_ERR,
        rule: Rule {
            phrases: &[&["tls required for rcpt domain"]],
            ..RULE
        },
        examples: &[ex(
            "421 4.7.0 TLS required for RCPT domain, closing connection. For more information, \
             go to Email encryption in transit.",
            G_ERR,
        )],
        ..BASE
    },
    Entry {
        id: "google.ptr",
        provider: Some(Google),
        title: "No valid reverse DNS for the sending IP",
        meaning: "The sending IP has no PTR record, or the PTR's name does not resolve back to \
            the IP. Gmail rate limits (4.7.0, 4.7.23) or blocks (5.7.25) such mail.",
        cause: "Missing or mismatched reverse DNS for the sending IP.",
        action: "Have the IP's owner (usually the hosting provider) set a PTR record to the \
            server's name, and give that name an A or AAAA record pointing back to the IP.",
        next: Some("deliv ip {ip}"),
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh(4, 7, 0), enh_any(7, 23), enh_any(7, 25)],
            phrases: &[&["ptr record"]],
            ..RULE
        },
        examples: &[
            ex(
                "421 4.7.0 The IP address sending this message does not have a PTR record, or the \
                 corresponding forward DNS entry does not point to the sending IP. To protect our \
                 users from spam, email sent from your IP address has been temporarily rate \
                 limited. For more information, go to Email sender guidelines.",
                G_ERR,
            ),
            ex(
                "451 4.7.23 203.0.113.9 The sending IP address for this message doesn't have a \
                 PTR record, or the PTR record's forward DNS entry doesn't match the sending IP \
                 address. To protect users from spam, your email has been temporarily rate \
                 limited.",
                G_ERR,
            ),
            ex(
                "550 5.7.25 This message was blocked because the sending IP address doesn't have \
                 a PTR record, or the forwarding DNS entry doesn't reference the sending IP \
                 address. Gmail requires that sending IP addresses have a PTR record.",
                G_ERR,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.ipv6-guidelines",
        provider: Some(Google),
        title: "IPv6 sender without PTR or authentication",
        meaning: "Gmail refuses mail from an IPv6 address that lacks a PTR record or SPF/DKIM \
            authentication.",
        cause: "Mail sent over IPv6 from an address without reverse DNS, or unauthenticated.",
        action: "Add a PTR record for the IPv6 address and authenticate with SPF and DKIM, or \
            send over IPv4.",
        next: Some("deliv ip {ip}"),
        source: G_ERR,
        rule: Rule {
            phrases: &[&["ipv6 sending guidelines"]],
            ..RULE
        },
        examples: &[ex(
            "550 5.7.1 This message does not meet IPv6 sending guidelines regarding PTR records \
             and authentication. For more information, go to Email sender guidelines.",
            G_ERR,
        )],
        ..BASE
    },
    Entry {
        id: "google.ip-reputation",
        provider: Some(Google),
        title: "Sending IP reputation very low",
        meaning: "Gmail rates the sending IP's reputation very low: it rate limits (4xx) or \
            blocks (5xx) its mail.",
        cause: "Spam complaints, unwanted mail or blocklist listings tied to the IP; on a \
            shared IP, other senders' mail counts too.",
        action: POSTMASTER_TOOLS_IP,
        next: Some("deliv ip {ip}"),
        source: G_ERR,
        rule: Rule {
            phrases: &[&["very low reputation of the sending ip"]],
            ..RULE
        },
        examples: &[
            ex(
                "421 4.7.0 This message is suspicious due to the very low reputation of the \
                 sending IP address. To protect our users from spam, email sent from your IP \
                 address has been temporarily rate limited. For more information, go to Why has \
                 Gmail blocked my messages?.",
                G_ERR,
            ),
            ex(
                "550 5.7.1 This message is likely suspicious due to the very low reputation of \
                 the sending IP address. To best protect our users from spam, the message has \
                 been blocked. For more information, go to Why has Gmail blocked my messages?",
                G_ERR,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.domain-reputation",
        provider: Some(Google),
        title: "Sending domain reputation very low",
        meaning: "Gmail rates the sending domain's reputation very low and blocks its mail.",
        cause: "Spam complaints or unwanted mail from the domain, or the domain on a domain \
            blocklist.",
        action: "Send only to people who asked for the mail and cut complaints; check the \
            domain against domain blocklists. Watch the domain's reputation in Google Postmaster \
            Tools (https://postmaster.google.com).",
        next: Some("deliv check {domain}"),
        source: G_ERR,
        rule: Rule {
            phrases: &[&["very low reputation of the sending domain"]],
            ..RULE
        },
        examples: &[
            ex(
                "421 4.7.0 [203.0.113.9] Our system has detected that this message is suspicious \
                 due to the very low reputation of the sending domain. To best protect our users \
                 from spam, the message has been blocked. Please visit \
                 https://support.google.com/mail/answer/188131 for more information. - gsmtp",
                FIELD_421,
            ),
            ex(
                "550 5.7.1 [203.0.113.9] Our system has detected that this message is likely \
                 suspicious due to the very low reputation of the sending domain. To best protect \
                 our users from spam, the message has been blocked. Please visit \
                 https://support.google.com/mail/answer/188131 for more information. - gsmtp",
                FIELD_550,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.content-links",
        provider: Some(Google),
        title: "Suspicious content or links",
        meaning: "Gmail finds the message's content or links suspicious and blocks it.",
        cause: "Links to domains with a poor reputation (URL shorteners included), or spam-like \
            content.",
        action: "Check the domains the message links to against domain blocklists and Google \
            Safe Browsing; remove or replace bad links.",
        next: Some("deliv check {domain}"),
        source: G_ERR,
        rule: Rule {
            phrases: &[&["nature of the content"]],
            ..RULE
        },
        examples: &[
            ex(
                "421 4.7.0 This message is suspicious due to the nature of the content or the \
                 links within. To best protect our users from spam, the message has been blocked. \
                 For more information, go to Why has Gmail blocked my messages?.",
                G_ERR,
            ),
            ex(
                "421 4.7.0 [203.0.113.9] Our system has detected that this message is suspicious \
                 due to the nature of the content and/or the links within. To best protect our \
                 users from spam, the message has been blocked. Please visit \
                 https://support.google.com/mail/answer/188131 for more information. - gsmtp",
                FIELD_421,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.spf-suspicious",
        provider: Some(Google),
        title: "SPF record looks suspicious",
        meaning: "Gmail finds entries of the sending domain's SPF record suspicious and rate \
            limits (4.7.24) or blocks (5.7.24) its mail.",
        cause: "Google does not say which entries; overly broad ones (`+all`, very large IP \
            ranges) are the usual suspects.",
        action: "Keep the SPF record to the hosts and services that really send for the \
            domain.",
        next: Some("deliv spf {domain}"),
        note: Some("Which entries Gmail finds suspicious is not documented."),
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh_any(7, 24)],
            phrases: &[&["suspicious entries"]],
            ..RULE
        },
        examples: &[
            ex(
                "451 4.7.24 The SPF record of the sending domain has one or more suspicious \
                 entries. To protect our users from spam, email sent from your IP address has \
                 been temporarily rate limited. For more information, go to Email sender \
                 guidelines.",
                G_ERR,
            ),
            ex(
                "550 5.7.24 The SPF record of the sending domain has one or more suspicious \
                 entries. For more information, go to Email sender guidelines.",
                G_ERR,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.4.7.26-dmarc-dns",
        provider: Some(Google),
        title: "DMARC not evaluated: DNS failures",
        severity: Temporary,
        meaning: "The message is not authenticated, the From domain publishes a DMARC policy, \
            and temporary DNS failures stopped Gmail from checking it.",
        cause: "The sending domain's name servers failed or timed out when Gmail asked.",
        action: "Make sure the domain's name servers answer reliably for its SPF, DKIM and \
            DMARC records.",
        next: Some("deliv dmarc {domain}"),
        source: G_ERR,
        rule: Rule {
            basic: Class(4),
            phrases: &[&["dmarc policy"], &["temporary dns"]],
            ..RULE
        },
        examples: &[ex(
            "451 4.7.26 Unauthenticated email from example.com is not accepted due to domain's \
             DMARC policy, but temporary DNS failures prevent authentication. Please contact the \
             administrator of example.com domain if this was a legitimate email. To learn about \
             the DMARC initiative, go to Control unauthenticated mail from your domain.",
            G_ERR,
        )],
        ..BASE
    },
    Entry {
        id: "google.5.7.26-dmarc",
        provider: Some(Google),
        title: "Rejected by the From domain's DMARC policy",
        meaning: "The message failed DMARC, and the From domain's policy asks receivers to \
            reject such mail.",
        cause: "Neither SPF nor DKIM passed for a domain aligned with the From domain, e.g. mail \
            sent through a service that signs with its own domain, or forwarded mail.",
        action: "Make SPF or DKIM pass for a domain aligned with the From domain: sign with your \
            own domain at the service you send through.",
        next: Some("deliv dmarc {domain}"),
        source: G_ERR,
        rule: Rule {
            basic: Class(5),
            phrases: &[&["not accepted due to domain's dmarc policy"]],
            ..RULE
        },
        examples: &[
            ex(
                "550 5.7.26 Unauthenticated email from example.com is not accepted due to \
                 domain's DMARC policy. Contact the administrator of example.com domain if this \
                 was legitimate email. To learn about the DMARC initiative, go to Control \
                 unauthenticated email from your domain.",
                G_ERR,
            ),
            ex(
                "550 5.7.1 Unauthenticated email from example.com is not accepted due to \
                 domain's DMARC policy. Please contact the administrator of example.com domain \
                 if this was a legitimate mail. Please visit \
                 https://support.google.com/mail/answer/2451690 to learn about the DMARC \
                 initiative. - gsmtp",
                FIELD_550,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.unauthenticated",
        provider: Some(Google),
        title: "Neither SPF nor DKIM passed",
        meaning: "Neither SPF nor DKIM passed; Gmail requires every sender to pass one of them. \
            It rate limits (4.7.26) or blocks (5.7.26) such mail.",
        cause: "No SPF record covering the sending IP and no valid DKIM signature.",
        action: "Publish SPF for the sending IPs or service, and sign with DKIM.",
        next: Some("deliv check {domain}"),
        source: G_ERR,
        rule: Rule {
            phrases: &[&[
                "authenticate with either spf or dkim",
                "authenticate with at least one of spf or dkim",
            ]],
            ..RULE
        },
        examples: &[
            ex(
                "Sep 12 10:09:42 misp postfix/smtp[3137]: 91FE61053F6: to=<bob@example.net>, \
                 relay=gmail-smtp-in.l.google.com[142.250.27.27]:25, delay=93, \
                 delays=92/0.05/1/0.55, dsn=5.7.26, status=bounced (host \
                 gmail-smtp-in.l.google.com[142.250.27.27] said: 550-5.7.26 This mail is \
                 unauthenticated, which poses a security risk to the 550-5.7.26 sender and Gmail \
                 users, and has been blocked. The sender must 550-5.7.26 authenticate with at least \
                 one of SPF or DKIM. For this message, 550-5.7.26 DKIM checks did not pass and SPF \
                 check for [example.com] did not 550-5.7.26 pass with ip: [203.0.113.9]. The sender \
                 should visit 550-5.7.26  https://support.google.com/mail/answer/81126#authentication \
                 for 550 5.7.26 instructions on setting up authentication.  - gsmtp (in reply to end \
                 of DATA command))",
                "https://github.com/MISP/MISP/issues/9284",
            ),
            ex(
                "host gmail-smtp-in.l.google.com[2a00:1450:4013:c06::1b] said: 550-5.7.26 Your \
                 email has been blocked because the sender is unauthenticated. 550-5.7.26 Gmail \
                 requires all senders to authenticate with either SPF or DKIM. 550-5.7.26  \
                 550-5.7.26  Authentication results: 550-5.7.26  DKIM = did not pass 550-5.7.26  \
                 SPF [example.com] with ip: [2001:db8::1] = did not pass 550-5.7.26  550-5.7.26  \
                 For instructions on setting up authentication, go to 550 5.7.26  \
                 https://support.google.com/mail/answer/81126#authentication \
                 a640c23a62f3a-aac0eff19desi1759812166b.313 - gsmtp (in reply to end of DATA \
                 command)",
                "https://github.com/jtojnar/nixfiles/issues/13",
            ),
            ex(
                "421 4.7.26 This email has been rate limited because it is unauthenticated. \
                 Gmail requires all senders to authenticate with either SPF or DKIM. \
                 Authentication results: DKIM = did not pass SPF example.com with ip: \
                 203.0.113.9 = did not pass. To resolve this issue, go to Email sender guidelines.",
                G_ERR,
            ),
            ex(
                "550 5.7.26 This email has been blocked because the sender is unauthenticated. \
                 Gmail requires all senders to authenticate with either SPF or DKIM. \
                 Authentication results: DKIM = did not pass SPF [example.com] with ip: \
                 [203.0.113.9] = did not pass. For instructions on setting up authentication, go \
                 to Email sender guidelines.",
                G_ERR,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.5.7.26-spf-hardfail",
        provider: Some(Google),
        title: "SPF hard fail",
        meaning: "The envelope sender's domain publishes SPF ending in `-all`, and the sending \
            IP is not in it.",
        cause: "The IP or the sending service is missing from the SPF record.",
        action: "Add the IP, or the service's include, to the SPF record.",
        next: Some("deliv spf {domain} --ip {ip}"),
        source: G_ERR,
        rule: Rule {
            phrases: &[&["hard fail policy"]],
            ..RULE
        },
        examples: &[ex(
            "550 5.7.26 The (E)MAIL FROM domain [example.com] has an SPF record with a hard fail \
             policy (-all) but it fails to pass SPF checks with the ip: [203.0.113.9]. To best \
             protect our users from spam and phishing, the message has been blocked. For more \
             information, go to Email sender guidelines.",
            G_ERR,
        )],
        ..BASE
    },
    Entry {
        id: "google.spf",
        provider: Some(Google),
        title: "Bulk sender: SPF did not pass",
        meaning: "Gmail's bulk-sender rule: SPF did not pass. Gmail uses 4.7.27/5.7.27 for this, \
            not for a null MX as the registry does.",
        cause: "The sending IP is not authorized by the envelope sender domain's SPF record.",
        action: "Make SPF pass for every IP and service that sends bulk mail to Gmail.",
        next: Some("deliv spf {domain} --ip {ip}"),
        source: G_ERR,
        redefines_code: true,
        rule: Rule {
            enhanced: &[enh_any(7, 27)],
            needs_provider: true,
            ..RULE
        },
        examples: &[
            ex(
                "421 4.7.27 Your email has been rate limited because SPF authentication didn't \
                 pass for this message. Gmail requires all bulk email senders to authenticate \
                 their email with SPF. Authentication results: SPF example.com with IP address: \
                 203.0.113.9 = Did not pass. To set up SPF for your sending domains, visit Set up \
                 SPF. To learn more about Gmail requirements for bulk email senders, visit Email \
                 sender guidelines.",
                G_ERR,
            ),
            ex(
                "550 5.7.27 This message was blocked because it didn't pass SPF authentication. \
                 Gmail requires bulk email senders to authenticate their email with SPF. \
                 Authentication results: SPF with 203.0.113.9 = did not pass To set up SPF for \
                 your sending domains, visit Set up SPF.",
                G_ERR,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.4.7.28",
        provider: Some(Google),
        title: "Unusual rate of mail: rate limited",
        meaning: "Gmail saw an unusual rate of (unsolicited) mail from your IP, netblock, DKIM \
            domain, SPF domain or linked URL domains, and rate limits it.",
        cause: "A volume spike, or mail its recipients did not ask for.",
        action: "Stop for at least 10 minutes, then resume with one connection and add \
            connections one at a time. When the reply does not say which quota (IP, DKIM domain \
            or SPF domain), assume all three. Review list sources and complaints in Google \
            Postmaster Tools (https://postmaster.google.com).",
        next: Some("deliv ip {ip}"),
        source: G_SG,
        rule: Rule {
            enhanced: &[enh(4, 7, 28)],
            phrases: &[&["unusual rate", "unusual amount"]],
            ..RULE
        },
        examples: &[
            ex(
                "421 4.7.28 Gmail has detected an unusual rate of email originating from your IP \
                 address 203.0.113.9. To protect our users from spam, email sent from your IP \
                 address has been temporarily rate limited. To review our bulk email senders \
                 guidelines, go to Email sender guidelines.",
                G_ERR,
            ),
            ex(
                "421 4.7.28 Gmail has detected an unusual rate of unsolicited email originating \
                 from your DKIM domain example.com. To protect our users from spam, email sent \
                 from your domain has been temporarily rate limited. To review our bulk email \
                 senders guidelines, go to Email sender guidelines.",
                G_ERR,
            ),
            ex(
                "421 4.7.28 Gmail has detected an unusual amount of unsolicited email \
                 originating from your IP address. To protect our users from spam, email sent \
                 from your IP address has been temporarily blocked. To review our bulk email \
                 senders guidelines, go to Email sender guidelines.",
                G_ERR,
            ),
            ex(
                "421 4.7.28 [203.0.113.9] Our system has detected an unusual rate of unsolicited \
                 mail originating from your IP address. To protect our users from spam, mail sent \
                 from your IP address has been temporarily rate limited. Please visit \
                 https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk \
                 Email Senders Guidelines. - gsmtp",
                FIELD_421,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.4.7.28-message-id",
        provider: Some(Google),
        title: "Too many messages with one Message-ID",
        severity: SenderSetup,
        meaning: "Gmail refuses more messages carrying the same Message-ID for now.",
        cause: "The sending software reuses one Message-ID for many messages.",
        action: "Give every message its own Message-ID.",
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh(4, 7, 28)],
            phrases: &[&["same message-id"]],
            ..RULE
        },
        examples: &[ex(
            "421 4.7.28 Gmail has detected this sender exceeded the quota for sending messages \
             that have the same Message-ID:. To best protect our users, the message has been \
             temporarily rejected. For more information, go to Why has Gmail blocked my \
             messages?.",
            G_ERR,
        )],
        ..BASE
    },
    Entry {
        id: "google.5.7.28",
        provider: Some(Google),
        title: "Unusual rate of unsolicited mail: blocked",
        meaning: "Gmail blocks mail from your IP for an unusual rate of unsolicited mail.",
        cause: "Mail its recipients did not ask for, at volume.",
        action: "Stop the unsolicited mail; fix list sources and complaints, then resume at a \
            low volume and ramp up slowly. Watch Google Postmaster Tools \
            (https://postmaster.google.com).",
        next: Some("deliv ip {ip}"),
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh(5, 7, 28)],
            phrases: &[&["unusual rate", "unusual amount"]],
            ..RULE
        },
        examples: &[ex(
            "550 5.7.28 There is an unusual rate of unsolicited email originating from your IP \
             address. To protect our users from spam, email sent from your IP address has been \
             blocked. To review our bulk email senders guidelines, go to Email sender guidelines.",
            G_ERR,
        )],
        ..BASE
    },
    Entry {
        id: "google.tls",
        provider: Some(Google),
        title: "Bulk sender: not sent over TLS",
        severity: SenderSetup,
        meaning: "Gmail's bulk-sender rule: the message was not sent over TLS.",
        cause: "The sending server did not use STARTTLS.",
        action: "Enable STARTTLS on the sending server.",
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh_any(7, 29)],
            needs_provider: true,
            ..RULE
        },
        examples: &[
            ex(
                "421 4.7.29 Your email has been rate limited because you're not using a TLS \
                 connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP \
                 connections.",
                G_ERR,
            ),
            ex(
                "550 5.7.29 This message was blocked because it wasn't sent over a TLS \
                 connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP \
                 connections.",
                G_ERR,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.dkim",
        provider: Some(Google),
        title: "Bulk sender: DKIM did not pass",
        meaning: "Gmail's bulk-sender rule: DKIM did not pass.",
        cause: "The message is not signed, or the signature does not verify (key missing, body \
            or signed headers changed).",
        action: "Sign every message with DKIM and publish the key.",
        next: Some("deliv dkim {domain}"),
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh_any(7, 30)],
            needs_provider: true,
            ..RULE
        },
        examples: &[
            ex(
                "421 4.7.30 Your email has been rate limited because DKIM authentication didn't \
                 pass for this message. Gmail requires all email bulk senders to authenticate \
                 their email with DKIM. Authentication results: DKIM = Did not pass.",
                G_ERR,
            ),
            ex(
                "550 5.7.30 This message was blocked because it didn't pass DKIM authentication. \
                 Gmail requires bulk email senders to authenticate their email with DKIM. \
                 Authentication results: DKIM = did not pass",
                G_ERR,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.dmarc-missing",
        provider: Some(Google),
        title: "Bulk sender: no DMARC record",
        meaning: "Gmail's bulk-sender rule: the sending domain has no DMARC record, or the \
            record sets no policy.",
        cause: "No `_dmarc` record for the domain, or one without `p=`.",
        action: "Publish a DMARC record with at least `p=none` at `_dmarc.<domain>`.",
        next: Some("deliv dmarc {domain}"),
        note: Some(
            "Gmail's FAQ gives 4.7.31 and its error-code page 4.7.40 for this; both are \
            read the same.",
        ),
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh_any(7, 40), enh(4, 7, 31)],
            phrases: &[&["dmarc"]],
            ..RULE
        },
        examples: &[
            ex(
                "421 4.7.40 Your email has been rate limited because the sending domain doesn't \
                 have a DMARC record, or the DMARC record doesn't specify a DMARC policy. Gmail \
                 requires all bulk email senders to add a DMARC record to their sending domain.",
                G_ERR,
            ),
            ex(
                "550 5.7.40 Your message was blocked because the sending domain doesn't have a \
                 DMARC record or the DMARC record doesn't specify a DMARC policy. Gmail requires \
                 all bulk email senders to add a DMARC record to their sending domain.",
                G_ERR,
            ),
            ex(
                "4.7.31 Your email has been rate limited because the sending domain doesn\u{2019}t \
                 have a DMARC record, or the DMARC record doesn\u{2019}t specify a DMARC policy. \
                 Gmail requires all bulk email senders to add a DMARC record to their sending \
                 domain.",
                G_FAQ,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.alignment",
        provider: Some(Google),
        title: "Bulk sender: From not aligned",
        meaning: "Gmail's bulk-sender rule: the From domain is aligned with neither the SPF nor \
            the DKIM domain.",
        cause: "SPF passes for a service's bounce domain and DKIM signs with the service's \
            domain, neither of them yours.",
        action: "Sign with DKIM using your From domain (or its organizational domain), or use a \
            MAIL FROM domain under it.",
        next: Some("deliv dmarc {domain}"),
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh_any(7, 32)],
            phrases: &[&["aligned", "alignment"]],
            ..RULE
        },
        examples: &[
            ex(
                "421 4.7.32 Your email has been rate limited because the From: header (RFC5322) \
                 in this message isn't aligned with either the authenticated SPF or DKIM \
                 organizational domain.",
                G_ERR,
            ),
            ex(
                "421 5.7.32 Your email was blocked because the From: header (RFC5322) in this \
                 message isn't aligned with either the authenticated SPF or DKIM organizational \
                 domain.",
                G_ERR,
            ),
            ex(
                "4.7.32 This mail has been rate limited because there is no DMARC alignment",
                FIELD_421,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.5.7.1-unsolicited",
        provider: Some(Google),
        title: "Likely unsolicited",
        meaning: "Gmail's filters judged the message likely unsolicited and blocked it.",
        cause: "Content, sending patterns, or the reputation of the IP, domain or links.",
        action: "Send only to people who asked for the mail; check the IP and domain against \
            blocklists. Watch complaints and reputation in Google Postmaster Tools \
            (https://postmaster.google.com).",
        next: Some("deliv ip {ip}"),
        source: G_ERR,
        rule: Rule {
            phrases: &[&["likely unsolicited"]],
            ..RULE
        },
        examples: &[
            ex(
                "550 5.7.1 This message is likely unsolicited email. To reduce the amount of spam \
                 sent to Gmail, this message has been blocked. For more information, go to Why \
                 has Gmail blocked my messages?",
                G_ERR,
            ),
            ex(
                "550 5.7.1 [203.0.113.9] Our system has detected that this message is likely \
                 unsolicited mail. To reduce the amount of spam sent to Gmail, this message has \
                 been blocked. Please visit \
                 https://support.google.com/mail/?p=UnsolicitedMessageError for more \
                 information. - gsmtp",
                FIELD_550,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.direct-send",
        provider: Some(Google),
        title: "IP not allowed to send directly",
        meaning: "Gmail takes no mail directly from this IP: it looks like an end-user \
            (residential or dynamic) address.",
        cause: "Sending from a home or dynamic connection, or from a range listed as not meant \
            to send mail (such as the Spamhaus PBL).",
        action: "Send through your provider's or an email service's SMTP relay.",
        next: Some("deliv ip {ip}"),
        source: G_ERR,
        rule: Rule {
            phrases: &[&["directly to our servers"]],
            ..RULE
        },
        examples: &[ex(
            "550 5.7.1 The IP you're using to send email is not authorized to send email \
             directly to our servers. Use the SMTP relay at your service provider instead. For \
             more information, go to 'The IP you're using to send email is not authorized...'.",
            G_ERR,
        )],
        ..BASE
    },
    Entry {
        id: "google.message-format",
        provider: Some(Google),
        title: "Message not RFC 5322 compliant",
        severity: SenderSetup,
        meaning: "The message does not follow RFC 5322: From missing, repeated or without a \
            valid address, no valid Message-ID, repeated or malformed headers.",
        cause: "The software that builds the message.",
        action: "Fix the message generator: exactly one From with one valid address, a valid \
            Message-ID, each single-instance header once.",
        source: G_ERR,
        rule: Rule {
            enhanced: &[enh(5, 7, 1), enh(5, 6, 0)],
            phrases: &[&[
                "rfc 5322",
                "malformed",
                "from: header",
                "message-id: header",
            ]],
            ..RULE
        },
        examples: &[
            ex(
                "550 5.7.1 This message is not RFC 5322 compliant because it has duplicate \
                 headers. To reduce the amount of spam sent to Gmail, this message has been \
                 blocked. For more information, go to Email sender guidelines and review RFC 5322 \
                 specifications.",
                G_ERR,
            ),
            ex(
                "550 5.7.1 [203.0.113.9 14] Messages missing a valid address in From: header, \
                 or having no From: header, are not accepted. - gsmtp",
                FIELD_550,
            ),
            ex(
                "554 5.6.0 Email message is malformed. Not accepted. For more information, go to \
                 Email sender guidelines and review RFC 5322 specifications.",
                G_ERR,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "google.custom-policy",
        provider: Some(Google),
        title: "Recipient organization's own rule",
        meaning: "A rule set by the recipient domain's Google Workspace administrator refused \
            the message (Gmail marks these replies `gcdp`).",
        cause: "The recipient organization's policy, not Gmail's.",
        action: "Ask the recipient's administrator: the rule is theirs.",
        source: G_ERR,
        rule: Rule {
            phrases: &[&["gcdp"]],
            ..RULE
        },
        examples: &[ex(
            "550 5.7.1 This message violates example.com email policy. - gcdp <sessionid> - gsmtp",
            G_ERR,
        )],
        ..BASE
    },
    // ── Microsoft: Outlook.com ──────────────────────────────────────────────────────────
    Entry {
        id: "microsoft.s3140",
        provider: Some(Microsoft),
        title: "Outlook.com network block (S3140)",
        meaning: NETWORK_BLOCK,
        cause: NETWORK_BLOCK_CAUSE,
        action: NETWORK_BLOCK_ACTION,
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip} --neighbourhood"),
        confidence: Observed,
        source: MS_BOUNCES,
        rule: Rule {
            phrases: &[&["s3140"], &["part of their network"], &["block list"]],
            ..RULE
        },
        examples: &[ex(
            "550 5.7.1 Unfortunately, messages from [203.0.113.9] weren't sent. Please contact \
             your Internet service provider since part of their network is on our block list \
             (S3140).",
            MS_BOUNCES,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.s3150",
        provider: Some(Microsoft),
        title: "Outlook.com network block (S3150)",
        meaning: NETWORK_BLOCK,
        cause: NETWORK_BLOCK_CAUSE,
        action: NETWORK_BLOCK_ACTION,
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip} --neighbourhood"),
        confidence: Observed,
        note: Some("How S3150 differs from S3140 is unconfirmed; the reply text is the same."),
        source: FIELD_550,
        rule: Rule {
            phrases: &[&["s3150"], &["part of their network"], &["block list"]],
            ..RULE
        },
        examples: &[ex(
            "550 5.7.1 Unfortunately, messages from [203.0.113.9] weren't sent. Please contact \
             your Internet service provider since part of their network is on our block list \
             (S3150). You can also refer your provider to \
             http://mail.live.com/mail/troubleshooting.aspx#errors. \
             [#.eop-nam02.prod.protection.outlook.com]",
            FIELD_550,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.4.7.650",
        provider: Some(Microsoft),
        title: "Rate limited for IP reputation (4.7.650)",
        meaning: "Microsoft temporarily rate limits the sending IP because of its reputation.",
        cause: MICROSOFT_RATE_CAUSE,
        action: "Let the sending server retry with backoff, send less, and warm up new IPs \
            slowly. If it lasts, contact Outlook.com sender support.",
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip}"),
        confidence: Observed,
        note: Some(
            "The S number at the end (S775, S843, …) is Microsoft's internal rule; what \
            each one means is not published.",
        ),
        source: FIELD_451,
        rule: Rule {
            enhanced: &[enh(4, 7, 650)],
            phrases: &[&["rate limited due to ip reputation"]],
            ..RULE
        },
        examples: &[
            ex(
                "451 4.7.650 The mail server [203.0.113.9] has been temporarily rate limited due \
                 to IP reputation. For e-mail delivery information, see https://aka.ms/postmaster \
                 (S775)",
                FIELD_451,
            ),
            ex(
                "451 4.7.650 The mail server [203.0.113.9] has been temporarily rate limited due \
                 to IP reputation. For e-mail delivery information, see \
                 https://postmaster.live.com (S843)[#.prod.protection.outlook.com]",
                FIELD_451,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "microsoft.4.7.651",
        provider: Some(Microsoft),
        title: "Rate limited for IP reputation (4.7.651)",
        meaning: "Microsoft temporarily rate limits the sending IP because of its reputation \
            (another internal rule than 4.7.650).",
        cause: MICROSOFT_RATE_CAUSE,
        action: "Let the sending server retry with backoff, send less, and warm up new IPs \
            slowly. If it lasts, ask for mitigation at https://sender.office.com.",
        support_url: Some(MS_DELIST_PORTAL),
        next: Some("deliv ip {ip}"),
        confidence: Observed,
        source: MS_QA_RATE,
        rule: Rule {
            enhanced: &[enh(4, 7, 651)],
            phrases: &[&["rate limited due to ip reputation"]],
            ..RULE
        },
        examples: &[ex(
            "451 4.7.651 The mail server [203.0.113.9] has been temporarily rate limited due to \
             IP reputation. For e-mail delivery information, see https://postmaster.live.com \
             (S3114) [#.prod.outlook.com #]",
            FIELD_451,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.5.7.515",
        provider: Some(Microsoft),
        title: "High-volume sender without SPF, DKIM and DMARC",
        meaning: "Outlook.com rejects mail from a domain that sends it over 5,000 messages a day \
            without passing SPF, DKIM and DMARC.",
        cause: "SPF or DKIM does not pass, or the domain has no DMARC record (at least \
            `p=none`) aligned with SPF or DKIM.",
        action: "Make SPF and DKIM both pass, and publish DMARC (at least `p=none`) aligned \
            with the From domain. Microsoft asks for both even though DMARC passes with one.",
        next: Some("deliv check {domain}"),
        source: MS_HV,
        rule: Rule {
            enhanced: &[enh(5, 7, 515)],
            ..RULE
        },
        examples: &[ex(
            "550; 5.7.515 Access denied, sending domain [example.com] does not meet the required \
             authentication level.",
            MS_HV,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.rp-001",
        provider: Some(Microsoft),
        title: "Outlook.com rate limit (RP-001)",
        meaning: "The sending IP exceeded the rate Outlook.com allows it, for reasons of IP or \
            domain reputation.",
        cause: "Poor IP or domain reputation.",
        action: OUTLOOK_SLOWER,
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip}"),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["rp-001"]],
            ..RULE
        },
        examples: &[ex(
            "421 RP-001 The mail server IP connecting to Outlook.com server has exceeded the rate \
             limit allowed. Reason for rate limitation is related to IP/domain reputation.",
            MS_PM,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.rp-002",
        provider: Some(Microsoft),
        title: "Outlook.com per-connection limit (RP-002)",
        meaning: "The sending IP exceeded the rate Outlook.com allows on one connection, for \
            reasons of IP or domain reputation.",
        cause: "Too many messages on one connection for the IP's reputation.",
        action: "Send fewer messages per connection.",
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip}"),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["rp-002"]],
            ..RULE
        },
        examples: &[ex(
            "421 RP-002 The mail server IP connecting to Outlook.com server has exceeded the rate \
             limit allowed on this connection. Reason for rate limitation is related to \
             IP/domain reputation.",
            MS_PM,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.rp-003",
        provider: Some(Microsoft),
        title: "Outlook.com connection limit (RP-003)",
        meaning: "The sending IP exceeded the number of connections Outlook.com allows it, for \
            reasons of IP or domain reputation.",
        cause: "Too many simultaneous connections for the IP's reputation.",
        action: "Open fewer connections at once (Outlook.com allows at most 500 simultaneous \
            connections without an arrangement).",
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip}"),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["rp-003"]],
            ..RULE
        },
        examples: &[ex(
            "421 RP-003 The mail server IP connecting to Outlook.com server has exceeded the \
             connection limit allowed. Reason for limitation is related to IP/domain reputation.",
            MS_PM,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.sc-001",
        provider: Some(Microsoft),
        title: "Outlook.com policy rejection (SC-001)",
        meaning: OUTLOOK_POLICY,
        cause: OUTLOOK_POLICY_CAUSE,
        action: OUTLOOK_MITIGATION,
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip}"),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["sc-001"]],
            ..RULE
        },
        examples: &[ex(
            "550 SC-001 Mail rejected by Outlook.com for policy reasons. Reasons for rejection may \
             be related to content with spam-like characteristics or IP/domain reputation.",
            MS_PM,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.sc-002",
        provider: Some(Microsoft),
        title: "Outlook.com: namespace mining (SC-002)",
        meaning: "Outlook.com refused the mail because the IP probed for valid addresses \
            (namespace mining).",
        cause: "Address verification by RCPT TO without sending, or many unknown recipients.",
        action: "Stop probing addresses; clean the list of unknown ones.",
        support_url: Some(MS_SUPPORT),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["sc-002"]],
            ..RULE
        },
        examples: &[ex(
            "550 SC-002 Mail rejected by Outlook.com for policy reasons. The mail server IP \
             connecting to Outlook.com has exhibited namespace mining behavior.",
            MS_PM,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.sc-003",
        provider: Some(Microsoft),
        title: "Outlook.com: open proxy or relay (SC-003)",
        meaning: "Outlook.com refused the mail because the IP appears to be an open proxy or \
            relay.",
        cause: "A server that relays or proxies for anyone.",
        action: "Close the open relay or proxy on the sending host.",
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip}"),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["sc-003"]],
            ..RULE
        },
        examples: &[ex(
            "550 SC-003 Mail rejected by Outlook.com for policy reasons. Your IP address appears \
             to be an open proxy/relay.",
            MS_PM,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.sc-004",
        provider: Some(Microsoft),
        title: "Outlook.com: complaints (SC-004)",
        meaning: "Outlook.com blocks the IP because of complaints about mail from it.",
        cause: "Recipients marking the mail as junk.",
        action: "Enrol in JMRP to see the complaints, remove complaining and unengaged \
            addresses, and send only mail people asked for.",
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip}"),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["sc-004"]],
            ..RULE
        },
        examples: &[ex(
            "550 SC-004 Mail rejected by Outlook.com for policy reasons. A block has been placed \
             against your IP address because we have received complaints concerning mail coming \
             from that IP address.",
            MS_PM,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.dy-001",
        provider: Some(Microsoft),
        title: "Outlook.com: dynamic IP (DY-001)",
        meaning: "Outlook.com does not take mail from dynamic IPs, and the sending IP is one.",
        cause: "Sending from an address range for end users (Spamhaus lists such ranges).",
        action: "Send from a static address with proper reverse DNS, or through your provider's \
            relay.",
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip}"),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["dy-001"]],
            ..RULE
        },
        examples: &[ex(
            "550 DY-001 Mail rejected by Outlook.com for policy reasons. We generally do not \
             accept email from dynamic IP's as they are not typically used to deliver \
             unauthenticated SMTP email to an Internet mail server.",
            MS_PM,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.dy-002",
        provider: Some(Microsoft),
        title: "Outlook.com: compromised host (DY-002)",
        meaning: "Outlook.com refused the mail; the likely cause is a compromised or infected \
            server or computer.",
        cause: "Malware or an abused account sending from the IP.",
        action: "Find and clean the compromised host or account, then ask for delisting.",
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip}"),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["dy-002"]],
            ..RULE
        },
        examples: &[ex(
            "550 DY-002 Mail rejected by Outlook.com for policy reasons. The likely cause is a \
             compromised or virus infected server/personal computer.",
            MS_PM,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.ou-001",
        provider: Some(Microsoft),
        title: "Outlook.com policy rejection (OU-001)",
        meaning: "Outlook.com refused the mail for policy; its page points to Spamhaus for this \
            block and its removal.",
        cause: "A Spamhaus listing of the sending IP.",
        action: "Look the IP up at https://check.spamhaus.org/ and follow its removal steps.",
        support_url: Some(SPAMHAUS_CHECK),
        next: Some("deliv ip {ip}"),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["ou-001"]],
            ..RULE
        },
        examples: &[ex(
            "550 OU-001 Mail rejected by Outlook.com for policy reasons. For more information \
             about this block and to request removal please go to: Spamhaus.",
            MS_PM,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.ou-002",
        provider: Some(Microsoft),
        title: "Outlook.com policy rejection (OU-002)",
        meaning: OUTLOOK_POLICY,
        cause: OUTLOOK_POLICY_CAUSE,
        action: OUTLOOK_MITIGATION,
        support_url: Some(MS_SUPPORT),
        next: Some("deliv ip {ip}"),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["ou-002"]],
            ..RULE
        },
        examples: &[ex(
            "550 OU-002 Mail rejected by Outlook.com for policy reasons. Reasons for rejection may \
             be related to content with spam-like characteristics or IP/domain reputation.",
            MS_PM,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.sender-id",
        provider: Some(Microsoft),
        title: "Outlook.com: domain allows no sender (Sender ID)",
        severity: SenderSetup,
        meaning: "The sending domain's SPF record allows no IP at all (`v=spf1 -all`), so \
            Outlook.com refuses its mail.",
        cause: "A domain marked as not sending mail is used to send.",
        action: "If the domain sends mail, list its sending IPs or services in its SPF record.",
        next: Some("deliv spf {domain}"),
        source: MS_PM,
        rule: Rule {
            phrases: &[&["sender id validation failure"]],
            ..RULE
        },
        examples: &[ex(
            "550 command rejected due to Sender ID validation failure.",
            MS_PM,
        )],
        ..BASE
    },
    // ── Microsoft 365 / Exchange Online Protection ──────────────────────────────────────
    Entry {
        id: "microsoft.5.7.606",
        provider: Some(Microsoft),
        title: "Microsoft 365: banned sending IP",
        meaning: "The sending IP is on Microsoft 365's blocked senders list.",
        cause: "Spam or abuse seen from the IP by Exchange Online Protection.",
        action: "Request removal at https://sender.office.com (one IP per request, confirmed by \
            email); it can take up to 24 hours.",
        support_url: Some(MS_DELIST_PORTAL),
        next: Some("deliv ip {ip}"),
        source: MS_DL,
        rule: Rule {
            enhanced: &[enh_range(5, 7, 606, 649)],
            phrases: &[&["banned sending ip"]],
            ..RULE
        },
        examples: &[ex(
            "550 5.7.606 Access denied, banned sending IP [203.0.113.9]. To request removal from \
             this list please visit https://sender.office.com/",
            MS_DL,
        )],
        ..BASE
    },
    Entry {
        id: "microsoft.5.7.511",
        provider: Some(Microsoft),
        title: "Microsoft 365: banned sender",
        meaning: "Microsoft 365 bans the sender; the delist portal cannot lift this block, it \
            needs a manual investigation.",
        cause: "Abuse serious enough for Microsoft to review by hand.",
        action: "Email delist@microsoft.com with the full non-delivery report and the IP; \
            Microsoft answers within 48 hours.",
        support_url: Some("mailto:delist@microsoft.com"),
        next: Some("deliv ip {ip}"),
        source: MS_DL,
        rule: Rule {
            enhanced: &[enh(5, 7, 511)],
            phrases: &[&["banned sender"]],
            ..RULE
        },
        examples: &[ex(
            "550 5.7.511 Access denied, banned sender [203.0.113.9]. To request removal from this \
             list, forward this message to delist@microsoft.com",
            MS_DL,
        )],
        ..BASE
    },
    // ── Yahoo ───────────────────────────────────────────────────────────────────────────
    Entry {
        id: "yahoo.tss04",
        provider: Some(Yahoo),
        title: "Yahoo: deferred for volume or complaints (TSS04)",
        meaning: "Yahoo temporarily defers mail from the IP for unexpected volume or user \
            complaints.",
        cause: YAHOO_TS_CAUSE,
        action: YAHOO_TS_ACTION,
        support_url: Some(Y_ERR),
        next: Some("deliv ip {ip}"),
        confidence: Observed,
        source: Y_ERR,
        rule: Rule {
            phrases: &[&["[tss04]"]],
            ..RULE
        },
        examples: &[
            ex(
                "421 4.7.0 [TSS04] Messages from 203.0.113.9 temporarily deferred due to \
                 unexpected volume or user complaints - 4.16.55.1; see \
                 https://postmaster.yahooinc.com/error-codes",
                Y_TSS04,
            ),
            ex(
                "421 4.7.0 [TSS04] Messages from 203.0.113.9 temporarily deferred due to user \
                 complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
                FIELD_421,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "yahoo.ts",
        provider: Some(Yahoo),
        title: "Yahoo: message temporarily deferred (TS*)",
        meaning: "Yahoo temporarily defers the mail (its TS* category).",
        cause: YAHOO_TS_CAUSE,
        action: YAHOO_TS_ACTION,
        support_url: Some(Y_ERR),
        next: Some("deliv ip {ip}"),
        note: Some(
            "Yahoo documents the TS* category, not each code; what a given code such as \
            TSS09 means exactly is unconfirmed.",
        ),
        source: Y_ERR,
        rule: Rule {
            phrases: &[&["[ts"]],
            ..RULE
        },
        examples: &[ex(
            "421 4.7.0 [TSS05] Messages from 203.0.113.9 temporarily deferred due to unexpected \
             volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
            Y_TSS05,
        )],
        ..BASE
    },
    Entry {
        id: "yahoo.permanently-deferred",
        provider: Some(Yahoo),
        title: "Yahoo: all mail from the IP permanently deferred",
        meaning: "Yahoo refuses all mail from the IP for now and says that retrying will not \
            succeed.",
        cause: YAHOO_TS_CAUSE,
        action: "Stop retrying from that IP; find and fix the cause, then ask for a review with \
            a sender support request from Yahoo's error-code page.",
        support_url: Some(Y_ERR),
        next: Some("deliv ip {ip}"),
        confidence: Observed,
        note: Some(
            "Yahoo's error-code page does not describe this reply; the meaning is its \
            own text. Its 5.7.2 is not the registry's (mailing list expansion prohibited).",
        ),
        source: Y_TSS06,
        redefines_code: true,
        rule: Rule {
            phrases: &[&["[ts"], &["permanently deferred"]],
            ..RULE
        },
        examples: &[ex(
            "553 5.7.2 [TSS06] All messages from 203.0.113.9 will be permanently deferred; \
             Retrying will NOT succeed. See https://help.yahoo.com/kb/postmaster/SLN3436.html",
            Y_TSS06,
        )],
        ..BASE
    },
    Entry {
        id: "yahoo.ph",
        provider: Some(Yahoo),
        title: "Yahoo: content block (PH*)",
        meaning: "Yahoo refused the message for its content: viruses, phishing, malware or \
            links to them (its PH* category).",
        cause: "An infected attachment, phishing-like content or links to bad sites, possibly \
            from a compromised account or server.",
        action: "Check the message's attachments and the domains it links to; look for abuse of \
            your server or accounts in the outgoing queue.",
        next: Some("deliv check {domain}"),
        note: Some(
            "Yahoo documents the PH* category; the exact meaning of PH01 is \
            unconfirmed.",
        ),
        source: Y_ERR,
        rule: Rule {
            phrases: &[&["[ph"]],
            ..RULE
        },
        examples: &[ex(
            "554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit \
             https://postmaster.yahooinc.com/error-codes",
            FIELD_554,
        )],
        ..BASE
    },
    Entry {
        id: "yahoo.user-unknown",
        provider: Some(Yahoo),
        title: "Yahoo: recipient does not exist",
        severity: Recipient,
        meaning: "The Yahoo account does not exist.",
        cause: "A typo, a closed account or a stale list entry.",
        action: "Remove the address; retrying never succeeds.",
        source: Y_ERR,
        rule: Rule {
            phrases: &[
                &["delivery error: dd"],
                &["doesn't have a", "no longer valid"],
            ],
            ..RULE
        },
        examples: &[
            ex(
                "554 delivery error: dd This user doesn't have a yahoo.com account \
                 (testing123@yahoo.com) [-5] - mta123.mail.mud.yahoo.com",
                Y_ERR,
            ),
            ex(
                "554 delivery error: dd example@example.com is no longer valid. [-20] - \
                 example.yahoo.com",
                FIELD_554,
            ),
        ],
        ..BASE
    },
    Entry {
        id: "yahoo.spamhaus",
        provider: Some(Yahoo),
        title: "Yahoo: IP listed by Spamhaus",
        meaning: "Yahoo refuses connections from the sending IP because Spamhaus lists it.",
        cause: "A Spamhaus listing: spam, a compromised host (XBL), or a range that should not \
            send directly.",
        action: "Look the IP up at https://check.spamhaus.org/, fix the cause and request \
            removal.",
        support_url: Some(SPAMHAUS_CHECK),
        next: Some("deliv ip {ip}"),
        confidence: Observed,
        source: Y_ERR,
        rule: Rule {
            phrases: &[&["spamhaus"], &["[bl2"]],
            ..RULE
        },
        examples: &[
            ex(
                "host xx.yahoodns.net [192.0.2.1] SMTP error from remote mail server after MAIL \
                 FROM:<user@example.com> SIZE=2022: 553 5.7.1 [BL21] Connections will not be \
                 accepted from 203.0.113.9, because the ip is in Spamhaus's list; see \
                 http://postmaster.yahoo.com/550-bl23.html",
                FIELD_553,
            ),
            ex(
                "host xx.yahoodns.net [192.0.2.1] SMTP error from remote mail server after MAIL \
                 FROM:<user@example.com> SIZE=2022: 553 Mail from 203.0.113.9 not allowed - 5.7.1 \
                 [BL23] Connections not accepted from IP addresses on Spamhaus XBL; see \
                 http://postmaster.yahoo.com/errors/550-bl23.html [550]",
                FIELD_553,
            ),
        ],
        ..BASE
    },
    // ── Amazon SES (the sender's relay) ─────────────────────────────────────────────────
    Entry {
        id: "amazon_ses.max-send-rate",
        provider: Some(AmazonSes),
        title: "SES: maximum sending rate exceeded",
        meaning: "The SES account sent faster than its maximum sending rate (messages per \
            second), and SES refused the message; SES does not retry it.",
        cause: "Sending faster than the account's per-second quota (1 per second in the \
            sandbox).",
        action: "Send more slowly and retry the message (API users: retry after a wait). \
            Request a higher sending quota if the volume is real.",
        source: SES_QUOTA,
        rule: Rule {
            phrases: &[&["maximum sending rate exceeded"]],
            ..RULE
        },
        examples: &[ex(
            "454 Throttling failure: Maximum sending rate exceeded",
            SES_QUOTA,
        )],
        ..BASE
    },
    Entry {
        id: "amazon_ses.daily-quota",
        provider: Some(AmazonSes),
        title: "SES: daily sending quota exceeded",
        meaning: "The SES account sent its quota for the last 24 hours (200 messages in the \
            sandbox).",
        cause: "More mail than the account's 24-hour quota.",
        action: "Wait for the quota window to free up, or request a higher sending quota.",
        source: SES_QUOTA,
        rule: Rule {
            phrases: &[&["daily message quota exceeded"]],
            ..RULE
        },
        examples: &[ex(
            "454 Throttling failure: Daily message quota exceeded",
            SES_QUOTA,
        )],
        ..BASE
    },
    Entry {
        id: "amazon_ses.not-verified",
        provider: Some(AmazonSes),
        title: "SES: identity not verified",
        severity: SenderSetup,
        meaning: "SES refused the message: an address in it (From, Source, Sender or \
            Return-Path) or its domain is not verified in this region. In the sandbox the \
            recipients must be verified too.",
        cause: "An identity verified in another region or not at all, or an account still in \
            the sandbox.",
        action: "Verify the address or its domain in the SES console of that region, or request \
            production access to leave the sandbox.",
        source: SES_ERRORS,
        rule: Rule {
            phrases: &[&["email address is not verified"]],
            ..RULE
        },
        examples: &[ex(
            "554 Message rejected: Email address is not verified. The following identities failed \
             the check in region US-EAST-1: sender@example.com",
            SES_NOT_VERIFIED,
        )],
        ..BASE
    },
];

const POSTMASTER_TOOLS_IP: &str = "Send less, and only to people who asked for the mail; check \
    the IP against blocklists. Watch the IP's reputation and the spam rate in Google Postmaster \
    Tools (https://postmaster.google.com).";
const OUTLOOK_SLOWER: &str = "Send more slowly. Watch the IP in SNDS and enrol in JMRP to see \
    complaints (https://postmaster.live.com/pm/services.aspx).";
const OUTLOOK_MITIGATION: &str = "Fix the reputation problem (list quality, complaints), then \
    ask for mitigation through the Outlook.com sender support form. Watch the IP in SNDS and \
    enrol in JMRP to see complaints (https://postmaster.live.com/pm/services.aspx).";
const YAHOO_TS_CAUSE: &str = "Complaints from Yahoo users, spam-like content, a poor reputation \
    of the IP or its subnet, or unusual traffic.";
const YAHOO_TS_ACTION: &str = "Let the sending server retry later and send less; check the IP \
    and the outgoing mail for spam or a compromised account. If it lasts, open a sender support \
    request from Yahoo's error-code page.";
const NETWORK_BLOCK: &str = "Outlook.com blocks a range of addresses that contains the sending \
    IP (a network block), not necessarily the IP for its own mail.";
const NETWORK_BLOCK_CAUSE: &str = "Abuse from other addresses in the same provider's network.";
const NETWORK_BLOCK_ACTION: &str = "Ask the hosting provider to deal with the abuse in its range \
    and to request mitigation; you can also ask through the Outlook.com sender support form. A \
    relay or email service with other addresses avoids the block.";
const OUTLOOK_POLICY: &str = "Outlook.com refused the mail for policy: spam-like content, or the \
    reputation of the IP or domain.";
const OUTLOOK_POLICY_CAUSE: &str = "Poor IP or domain reputation, or content that looks like spam.";
const MICROSOFT_RATE_CAUSE: &str =
    "Microsoft's reputation of the sending IP, built from its traffic and complaints.";
const RETRY_OR_PORT_25: &str = "The sending server retries on its own. If it lasts, check that \
    the sending host can reach port 25 of the receiver's MX hosts.";
