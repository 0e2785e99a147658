//! The `_mta-sts` TXT record (RFC 8461 §3.1), and the field syntax it shares with the TLS-RPT
//! record (RFC 8460 §3): `v=VERSION` first, then `name=value` fields separated by `;` with
//! optional spaces or tabs around it, a trailing `;` allowed.
//!
//! Not [`crate::taglist`]: these records have no folding whitespace, the version must come
//! first and extension names may hold `-` and `.`.

use serde::Serialize;

use crate::taglist::TagError;

/// The longest extension field name (RFC 8461 §3.1, RFC 8460 §3).
const MAX_NAME_LEN: usize = 32;

/// A `name=value` field after the version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    /// 1-based column in the record.
    pub column: usize,
}

impl Field {
    fn text(&self) -> String {
        format!("{}={}", self.name, self.value)
    }

    /// An error about this field.
    pub(crate) fn error(&self, reason: impl Into<String>) -> TagError {
        TagError {
            text: self.text(),
            column: self.column,
            reason: reason.into(),
            tag: Some(self.name.to_string()),
        }
    }

    /// An extension value: visible characters other than `;` and `=` (`%x21-3A / %x3C /
    /// %x3E-7E`).
    pub(crate) fn check_extension(&self) -> Option<TagError> {
        let ok = !self.value.is_empty()
            && self
                .value
                .bytes()
                .all(|b| matches!(b, 0x21..=0x3a | 0x3c | 0x3e..=0x7e));
        (!ok).then(|| self.error("an extension value is visible characters other than ';' and '='"))
    }
}

/// Splits a record into its fields after checking it starts with `v=<version>`. Errors name
/// the text and column; a field in error is left out of the list.
pub(crate) fn fields(record: &str, version: &str) -> (Vec<Field>, Vec<TagError>) {
    let mut fields: Vec<Field> = Vec::new();
    let mut errors = Vec::new();
    let segments: Vec<&str> = record.split(';').collect();
    let last = segments.len() - 1;
    let mut offset = 0;
    for (i, segment) in segments.iter().enumerate() {
        let lead = segment.len() - segment.trim_start_matches([' ', '\t']).len();
        let column = record[..offset + lead].chars().count() + 1;
        offset += segment.len() + 1;
        let text = segment.trim_matches([' ', '\t']);
        let error = |reason: String| TagError {
            text: text.to_string(),
            column,
            reason,
            tag: None,
        };
        if i == 0 {
            if text != format!("v={version}") {
                errors.push(error(format!("the record must start with v={version}")));
            }
            continue;
        }
        if text.is_empty() {
            if i != last {
                errors.push(error("an empty field (two ';' in a row)".into()));
            }
            continue;
        }
        let Some((name, value)) = text.split_once('=') else {
            errors.push(error("not a field: expected name=value".into()));
            continue;
        };
        if !is_field_name(name) {
            errors.push(error(format!(
                "'{name}' is not a field name (1 to {MAX_NAME_LEN} letters, digits, '_', '-' or '.', no spaces)"
            )));
            continue;
        }
        if fields.iter().any(|f| f.name == name) || name == "v" {
            errors.push(error(format!("the field '{name}' appears more than once")));
            continue;
        }
        fields.push(Field {
            name: name.to_string(),
            value: value.to_string(),
            column,
        });
    }
    (fields, errors)
}

fn is_field_name(name: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The outcome of looking for a record among the TXT records of a name (RFC 8461 §3.1,
/// RFC 8460 §3): records not starting with the version are ignored; there must be exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovered<R> {
    /// No TXT record starts with the version.
    None,
    /// More than one does: senders ignore them all.
    Several {
        records: Vec<String>,
    },
    /// One does, but it does not parse: senders ignore it.
    Invalid {
        text: String,
        errors: Vec<TagError>,
    },
    Found(R),
}

pub(crate) fn discover<R>(
    txts: &[String],
    version: &str,
    parse: fn(&str) -> Result<R, Vec<TagError>>,
) -> Discovered<R> {
    let start = format!("v={version}");
    let candidates: Vec<&String> = txts
        .iter()
        .filter(|t| {
            t.strip_prefix(&start)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([';', ' ', '\t']))
        })
        .collect();
    match candidates.as_slice() {
        [] => Discovered::None,
        [one] => match parse(one) {
            Ok(record) => Discovered::Found(record),
            Err(errors) => Discovered::Invalid {
                text: one.to_string(),
                errors,
            },
        },
        many => Discovered::Several {
            records: many.iter().map(|s| s.to_string()).collect(),
        },
    }
}

/// A missing required field, pointed at the end of the record.
pub(crate) fn missing(record: &str, field: &str, example: &str) -> TagError {
    TagError {
        text: record.to_string(),
        column: record.chars().count() + 1,
        reason: format!("the record has no {field}= field (add e.g. '{example}')"),
        tag: None,
    }
}

/// A valid `_mta-sts` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StsRecord {
    /// The record as published.
    pub text: String,
    /// Changes whenever the policy does; senders refetch the policy when it changes.
    pub id: String,
    /// Fields other than `v` and `id`.
    pub extensions: Vec<Field>,
}

impl StsRecord {
    /// Parses one record; every problem found is returned, with its text and column.
    pub fn parse(text: &str) -> Result<StsRecord, Vec<TagError>> {
        let (fields, mut errors) = fields(text, "STSv1");
        let mut id = None;
        let mut extensions = Vec::new();
        for field in fields {
            if field.name == "id" {
                let ok = (1..=32).contains(&field.value.len())
                    && field.value.bytes().all(|b| b.is_ascii_alphanumeric());
                if ok {
                    id = Some(field.value.clone());
                } else {
                    errors.push(field.error("the id is 1 to 32 letters and digits"));
                }
            } else {
                errors.extend(field.check_extension());
                extensions.push(field);
            }
        }
        match id {
            Some(id) if errors.is_empty() => Ok(StsRecord {
                text: text.to_string(),
                id,
                extensions,
            }),
            _ => {
                if id.is_none() && !errors.iter().any(|e| e.text.starts_with("id=")) {
                    errors.push(missing(text, "id", "id=20250101T000000"));
                }
                Err(errors)
            }
        }
    }

    /// The record among the TXT records of `_mta-sts.<domain>`.
    pub fn discover(txts: &[String]) -> Discovered<StsRecord> {
        discover(txts, "STSv1", StsRecord::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(text: &str) -> Vec<(String, usize)> {
        StsRecord::parse(text)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.text, e.column))
            .collect()
    }

    #[test]
    fn valid_records() {
        let r = StsRecord::parse("v=STSv1; id=20160831085700Z;").unwrap();
        assert_eq!(r.id, "20160831085700Z");
        let r = StsRecord::parse("v=STSv1;id=abc\t ;  x-ext.1=a:b").unwrap();
        assert_eq!(r.id, "abc");
        assert_eq!(r.extensions[0].name, "x-ext.1");
        assert_eq!(r.extensions[0].column, 20);
    }

    #[test]
    fn errors_name_the_text() {
        assert_eq!(reasons("v=STSv1"), [("v=STSv1".to_string(), 8)]);
        assert_eq!(
            reasons("v=STSv1; id=abc-def"),
            [("id=abc-def".to_string(), 10)]
        );
        assert_eq!(
            reasons("v=STSv1; id=a;; id=b"),
            [("".to_string(), 15), ("id=b".to_string(), 17)]
        );
        assert_eq!(
            reasons("v=STSv1; id = a"),
            [
                ("id = a".to_string(), 10),
                ("v=STSv1; id = a".to_string(), 16)
            ]
        );
        let long = format!("v=STSv1; id={}", "a".repeat(33));
        assert!(StsRecord::parse(&long).is_err());
        assert!(StsRecord::parse("v=STSv1; id=a; x=a=b").is_err());
    }

    #[test]
    fn the_version_comes_first_and_is_case_sensitive() {
        assert_eq!(reasons("id=abc; v=STSv1")[0].1, 1);
        assert!(StsRecord::parse("v=stsv1; id=abc").is_err());
    }

    #[test]
    fn discovery_keeps_one_record() {
        let txt = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            StsRecord::discover(&txt(&["v=spf1 -all"])),
            Discovered::None
        );
        assert!(matches!(
            StsRecord::discover(&txt(&["v=spf1 -all", "v=STSv1; id=1"])),
            Discovered::Found(StsRecord { ref id, .. }) if id == "1"
        ));
        assert!(matches!(
            StsRecord::discover(&txt(&["v=STSv1; id=1", "v=STSv1; id=2"])),
            Discovered::Several { ref records } if records.len() == 2
        ));
        assert!(matches!(
            StsRecord::discover(&txt(&["v=STSv1;"])),
            Discovered::Invalid { .. }
        ));
        // Not the version: `v=STSv10` is another record.
        assert_eq!(
            StsRecord::discover(&txt(&["v=STSv10; id=1"])),
            Discovered::None
        );
    }
}
