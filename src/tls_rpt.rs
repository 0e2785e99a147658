//! SMTP TLS Reporting (RFC 8460): the `_smtp._tls` TXT record, `v=TLSRPTv1; rua=…`, where
//! senders report TLS failures. Its syntax is the MTA-STS record's ([`crate::mta_sts::record`]).

use serde::Serialize;

use crate::dns::Name;
use crate::mta_sts::record::{self, Discovered, Field};
use crate::taglist::TagError;

/// Where reports go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum ReportUri {
    /// Reports mailed to `address` (RFC 8460 §3: a `mailto:` URI, RFC 6068).
    Mailto {
        uri: String,
        address: String,
        domain: Name,
    },
    /// Reports POSTed to the URL.
    Https { uri: String, host: String },
}

impl ReportUri {
    pub fn uri(&self) -> &str {
        match self {
            ReportUri::Mailto { uri, .. } | ReportUri::Https { uri, .. } => uri,
        }
    }

    /// Parses one `rua` URI; the error says what to write instead.
    pub fn parse(uri: &str) -> Result<ReportUri, String> {
        let (scheme, rest) = uri
            .split_once(':')
            .ok_or_else(|| format!("'{uri}' is not a URI (write mailto:reports@… or https://…)"))?;
        if scheme.eq_ignore_ascii_case("mailto") {
            let address = rest.split('?').next().unwrap_or_default();
            let (local, domain) = address
                .rsplit_once('@')
                .filter(|(local, _)| !local.is_empty())
                .ok_or_else(|| format!("'{uri}' has no mailbox (write mailto:local@domain)"))?;
            let domain = Name::from_user(domain)
                .ok()
                .filter(|d| d.label_count() > 1)
                .ok_or_else(|| format!("'{uri}': '{domain}' is not a mail domain"))?;
            if local.contains(char::is_whitespace) {
                return Err(format!("'{uri}': the mailbox contains a space"));
            }
            Ok(ReportUri::Mailto {
                uri: uri.to_string(),
                address: address.to_string(),
                domain,
            })
        } else if scheme.eq_ignore_ascii_case("https") {
            let url =
                url::Url::parse(uri).map_err(|e| format!("'{uri}' is not a valid URL: {e}"))?;
            let host = url
                .host_str()
                .filter(|h| !h.is_empty())
                .ok_or_else(|| format!("'{uri}' has no host"))?;
            Ok(ReportUri::Https {
                uri: uri.to_string(),
                host: host.to_string(),
            })
        } else {
            Err(format!(
                "'{uri}': only mailto: and https: report URIs are defined (RFC 8460 §3)"
            ))
        }
    }
}

/// A valid `_smtp._tls` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsRptRecord {
    /// The record as published.
    pub text: String,
    pub rua: Vec<ReportUri>,
    /// Fields other than `v` and `rua`.
    pub extensions: Vec<Field>,
}

impl TlsRptRecord {
    /// Parses one record; every problem found is returned, with its text and column.
    pub fn parse(text: &str) -> Result<TlsRptRecord, Vec<TagError>> {
        let (fields, mut errors) = record::fields(text, "TLSRPTv1");
        let mut rua = None;
        let mut extensions = Vec::new();
        for field in fields {
            if field.name == "rua" {
                // `tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)`
                let mut uris = Vec::new();
                for uri in field.value.split(',').map(|u| u.trim_matches([' ', '\t'])) {
                    match ReportUri::parse(uri) {
                        Ok(u) => uris.push(u),
                        Err(reason) => errors.push(field.error(reason)),
                    }
                }
                rua = Some(uris);
            } else {
                errors.extend(field.check_extension());
                extensions.push(field);
            }
        }
        match rua {
            Some(rua) if errors.is_empty() => Ok(TlsRptRecord {
                text: text.to_string(),
                rua,
                extensions,
            }),
            rua => {
                if rua.is_none() && !errors.iter().any(|e| e.text.starts_with("rua=")) {
                    errors.push(record::missing(
                        text,
                        "rua",
                        "rua=mailto:tls-reports@example.com",
                    ));
                }
                Err(errors)
            }
        }
    }

    /// The record among the TXT records of `_smtp._tls.<domain>`.
    pub fn discover(txts: &[String]) -> Discovered<TlsRptRecord> {
        record::discover(txts, "TLSRPTv1", TlsRptRecord::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_records() {
        let r = TlsRptRecord::parse("v=TLSRPTv1; rua=mailto:tlsrpt@example.com").unwrap();
        assert!(
            matches!(&r.rua[..], [ReportUri::Mailto { address, .. }] if address == "tlsrpt@example.com")
        );
        let r = TlsRptRecord::parse(
            "v=TLSRPTv1;rua=mailto:a@example.com , https://reports.example.net/v1;",
        )
        .unwrap();
        assert_eq!(r.rua.len(), 2);
        assert!(
            matches!(&r.rua[1], ReportUri::Https { host, .. } if host == "reports.example.net")
        );
    }

    #[test]
    fn bad_uris_are_named() {
        for (record, needle) in [
            ("v=TLSRPTv1; rua=tlsrpt@example.com", "not a URI"),
            (
                "v=TLSRPTv1; rua=http://example.com/r",
                "only mailto: and https:",
            ),
            ("v=TLSRPTv1; rua=mailto:example.com", "no mailbox"),
            ("v=TLSRPTv1; rua=mailto:a@localhost", "not a mail domain"),
            ("v=TLSRPTv1; rua=https://", "https://"),
            ("v=TLSRPTv1; rua=mailto:a@example.com,", "not a URI"),
        ] {
            let errors = TlsRptRecord::parse(record).unwrap_err();
            assert!(
                errors.iter().any(|e| e.reason.contains(needle)),
                "{record}: {errors:?}"
            );
            assert_eq!(errors[0].column, 13, "{record}");
        }
    }

    #[test]
    fn rua_is_required_and_the_version_first() {
        let errors = TlsRptRecord::parse("v=TLSRPTv1;").unwrap_err();
        assert!(errors[0].reason.contains("no rua="));
        assert!(TlsRptRecord::parse("rua=mailto:a@example.com; v=TLSRPTv1").is_err());
        assert!(TlsRptRecord::parse("v=tlsrptv1; rua=mailto:a@example.com").is_err());
    }

    #[test]
    fn discovery() {
        let txts = vec![
            "v=spf1 -all".to_string(),
            "v=TLSRPTv1; rua=mailto:a@example.com".to_string(),
        ];
        assert!(matches!(
            TlsRptRecord::discover(&txts),
            Discovered::Found(_)
        ));
        let two = vec![txts[1].clone(), txts[1].clone()];
        assert!(matches!(
            TlsRptRecord::discover(&two),
            Discovered::Several { .. }
        ));
    }
}
