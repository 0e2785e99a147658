//! The open-relay test, without harm: a sender and recipients in reserved domains (RFC 2606),
//! one envelope, each recipient asked once, then `RSET`. No message is ever sent: the session
//! refuses to write `DATA` or `BDAT`, so an accepted recipient receives nothing.

use serde::Serialize;

use super::reply::Reply;
use super::session::Session;
use super::transcript::Transcript;
use super::{FailureKind, ProbeFailure, Step};

/// The envelope sender: a domain that is no one's (RFC 2606).
pub const SENDER: &str = "relay-test@example.org";
/// The foreign domain the recipients are in; no server is responsible for it (RFC 2606).
pub const FOREIGN_DOMAIN: &str = "example.net";
const LOCAL_PART: &str = "relay-test";

/// How a foreign recipient is written; the tricks are forms some servers once rewrote into a
/// relayed address after deciding the recipient was local.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientForm {
    /// `relay-test@example.net`
    Plain,
    /// `relay-test%example.net@HOST`
    PercentHack,
    /// `"relay-test@example.net"@HOST`
    QuotedAt,
    /// `@HOST:relay-test@example.net` (RFC 5321 §4.1.2 source route)
    SourceRoute,
    /// `relay-test@example.net@HOST`
    DoubleAt,
    /// `example.net!relay-test@HOST` (UUCP bang path)
    BangPath,
}

impl RecipientForm {
    pub const ALL: [RecipientForm; 6] = [
        RecipientForm::Plain,
        RecipientForm::PercentHack,
        RecipientForm::QuotedAt,
        RecipientForm::SourceRoute,
        RecipientForm::DoubleAt,
        RecipientForm::BangPath,
    ];

    /// The address in this form, `host` being the server's own name or address literal.
    pub fn address(self, host: &str) -> String {
        let (local, foreign) = (LOCAL_PART, FOREIGN_DOMAIN);
        match self {
            RecipientForm::Plain => format!("{local}@{foreign}"),
            RecipientForm::PercentHack => format!("{local}%{foreign}@{host}"),
            RecipientForm::QuotedAt => format!("\"{local}@{foreign}\"@{host}"),
            RecipientForm::SourceRoute => format!("@{host}:{local}@{foreign}"),
            RecipientForm::DoubleAt => format!("{local}@{foreign}@{host}"),
            RecipientForm::BangPath => format!("{foreign}!{local}@{host}"),
        }
    }
}

/// Where the test ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Inside the TLS session STARTTLS set up.
    Tls,
    /// In plain, on the probe's connection (no STARTTLS, or STARTTLS refused).
    Plain,
    /// In plain, on a second connection, because STARTTLS broke the first.
    PlainReconnection,
}

/// One command of the test and the server's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// `None` for `MAIL FROM`.
    pub recipient: Option<RecipientForm>,
    pub command: String,
    pub reply: Reply,
}

/// Open, refused, or not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelayVerdict {
    /// A foreign recipient got a 2xx: the server would take mail for anywhere.
    Open,
    /// Every foreign recipient got a 5xx.
    Refused,
    /// Neither: a 4xx, a timeout, a dropped connection, a refused sender, an odd code.
    Inconclusive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelayOutcome {
    pub channel: Channel,
    /// Every command of the test with its reply, in order.
    pub attempts: Vec<Attempt>,
    pub verdict: RelayVerdict,
    /// Why the test stopped before asking every recipient, when it did.
    pub stopped: Option<ProbeFailure>,
}

impl RelayOutcome {
    /// The recipients the server accepted.
    pub fn accepted(&self) -> impl Iterator<Item = &Attempt> {
        self.attempts
            .iter()
            .filter(|a| a.recipient.is_some() && a.reply.is_positive())
    }

    /// An outcome for a test that could not start (e.g. no session to run it on).
    pub(crate) fn not_run(channel: Channel, why: ProbeFailure) -> RelayOutcome {
        RelayOutcome {
            channel,
            attempts: Vec::new(),
            verdict: RelayVerdict::Inconclusive,
            stopped: Some(why),
        }
    }
}

/// The verdict from the attempts made: open on any accepted recipient; refused only when
/// every form was asked and refused permanently.
pub fn judge(attempts: &[Attempt]) -> RelayVerdict {
    let recipients: Vec<&Attempt> = attempts.iter().filter(|a| a.recipient.is_some()).collect();
    if recipients.iter().any(|a| a.reply.is_positive()) {
        RelayVerdict::Open
    } else if recipients.len() == RecipientForm::ALL.len()
        && recipients.iter().all(|a| a.reply.is_permanent())
    {
        RelayVerdict::Refused
    } else {
        RelayVerdict::Inconclusive
    }
}

/// Runs the test on a greeted session; ends with `RSET` when a sender was accepted. The
/// caller sends `QUIT`.
pub(crate) async fn run(
    session: &mut Session,
    channel: Channel,
    host: &str,
    transcript: &mut Transcript,
) -> RelayOutcome {
    let mut attempts = Vec::new();
    let stopped = ask(session, host, &mut attempts, transcript).await.err();
    RelayOutcome {
        channel,
        verdict: judge(&attempts),
        attempts,
        stopped,
    }
}

async fn ask(
    session: &mut Session,
    host: &str,
    attempts: &mut Vec<Attempt>,
    transcript: &mut Transcript,
) -> Result<(), ProbeFailure> {
    // A server may refuse a sender in a domain that takes no mail (example.org publishes a
    // null MX); the null sender, which every server must accept for bounces, comes next.
    let mut accepted = false;
    for sender in [SENDER, ""] {
        let command = format!("MAIL FROM:<{sender}>");
        let reply = session
            .command(Step::MailFrom, &command, transcript)
            .await?;
        accepted = reply.is_positive();
        let permanent = reply.is_permanent();
        attempts.push(Attempt {
            recipient: None,
            command,
            reply,
        });
        if !permanent {
            break;
        }
    }
    if !accepted {
        let seen = attempts
            .last()
            .map(|a| a.reply.to_string())
            .unwrap_or_default();
        return Err(ProbeFailure::new(
            Step::MailFrom,
            FailureKind::UnexpectedReply,
            seen,
        ));
    }
    let mut result = Ok(());
    for form in RecipientForm::ALL {
        let command = format!("RCPT TO:<{}>", form.address(host));
        match session.command(Step::RcptTo, &command, transcript).await {
            Ok(reply) => attempts.push(Attempt {
                recipient: Some(form),
                command,
                reply,
            }),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    if result.is_ok() {
        session.command(Step::Rset, "RSET", transcript).await?;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(form: Option<RecipientForm>, code: u16) -> Attempt {
        Attempt {
            recipient: form,
            command: String::new(),
            reply: Reply {
                code,
                lines: vec![],
            },
        }
    }

    fn all(code: u16) -> Vec<Attempt> {
        let mut v = vec![attempt(None, 250)];
        v.extend(RecipientForm::ALL.map(|f| attempt(Some(f), code)));
        v
    }

    #[test]
    fn addresses() {
        let host = "mx.example.com";
        let forms: Vec<String> = RecipientForm::ALL.map(|f| f.address(host)).to_vec();
        assert_eq!(
            forms,
            [
                "relay-test@example.net",
                "relay-test%example.net@mx.example.com",
                "\"relay-test@example.net\"@mx.example.com",
                "@mx.example.com:relay-test@example.net",
                "relay-test@example.net@mx.example.com",
                "example.net!relay-test@mx.example.com",
            ]
        );
    }

    #[test]
    fn verdicts() {
        assert_eq!(judge(&all(554)), RelayVerdict::Refused);
        assert_eq!(judge(&all(250)), RelayVerdict::Open);
        assert_eq!(judge(&all(450)), RelayVerdict::Inconclusive);

        let mut one_open = all(550);
        one_open[3].reply.code = 251;
        assert_eq!(judge(&one_open), RelayVerdict::Open);

        let mut one_temp = all(550);
        one_temp[2].reply.code = 451;
        assert_eq!(judge(&one_temp), RelayVerdict::Inconclusive);

        // Stopped before every form was asked: not known, even if all asked were refused.
        let mut short = all(550);
        short.pop();
        assert_eq!(judge(&short), RelayVerdict::Inconclusive);

        // A refused sender alone proves nothing.
        assert_eq!(judge(&[attempt(None, 550)]), RelayVerdict::Inconclusive);
    }
}
