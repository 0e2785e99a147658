//! Tag lists (`name=value; name=value`), the syntax of DKIM key records (RFC 6376 §3.2) and of
//! DMARC records (RFC 7489 §6.4 reuses it).
//!
//! Written by hand because lint needs what verifiers' parsers (mail-auth's included) drop:
//! the column and text of each tag, so an error can point at what to change, and every tag
//! in order, duplicates and unknown names included.

use std::fmt;

/// One `name=value` pair as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    /// Trimmed of surrounding whitespace.
    pub value: String,
    /// The tag as written (`name=value`, trimmed), for messages.
    pub text: String,
    /// 1-based column of the tag in the record.
    pub column: usize,
}

/// A tag that cannot be read, or a value a record type rejects: the text and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagError {
    pub text: String,
    pub column: usize,
    pub reason: String,
}

impl TagError {
    pub fn at(tag: &Tag, reason: impl Into<String>) -> TagError {
        TagError {
            text: tag.text.clone(),
            column: tag.column,
            reason: reason.into(),
        }
    }

    /// The record with a caret under the offending text.
    pub fn pointer(&self, record: &str) -> String {
        format!("{record}\n{}^", " ".repeat(self.column.saturating_sub(1)))
    }
}

impl fmt::Display for TagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' (column {}): {}",
            self.text, self.column, self.reason
        )
    }
}

/// A record split into tags, with the problems found on the way.
#[derive(Debug, Clone, Default)]
pub struct TagList {
    pub tags: Vec<Tag>,
    pub errors: Vec<TagError>,
}

impl TagList {
    /// Splits at `;`. Empty segments (`;;`, a trailing `;`) are allowed, as verifiers allow
    /// them; a segment without `=`, a malformed name and a repeated name are errors (RFC 6376
    /// §3.2: a duplicate makes the whole list invalid).
    pub fn parse(record: &str) -> TagList {
        let mut list = TagList::default();
        let mut offset = 0;
        for segment in record.split(';') {
            let start = offset + (segment.len() - segment.trim_start().len());
            offset += segment.len() + 1;
            let text = segment.trim();
            if text.is_empty() {
                continue;
            }
            let column = record[..start].chars().count() + 1;
            let error = |reason: &str| TagError {
                text: text.to_string(),
                column,
                reason: reason.to_string(),
            };
            let Some((name, value)) = text.split_once('=') else {
                list.errors.push(error("not a tag: expected name=value"));
                continue;
            };
            let name = name.trim_end();
            if !is_tag_name(name) {
                list.errors.push(error(
                    "a tag name is a letter followed by letters, digits or '_'",
                ));
                continue;
            }
            if list.tags.iter().any(|t| t.name == name) {
                list.errors
                    .push(error(&format!("the tag '{name}' appears more than once")));
                continue;
            }
            list.tags.push(Tag {
                name: name.to_string(),
                value: value.trim().to_string(),
                text: text.to_string(),
                column,
            });
        }
        list
    }

    pub fn get(&self, name: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| t.name == name)
    }
}

fn is_tag_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_columns() {
        let list = TagList::parse("v=DMARC1;  p = reject ; rua=mailto:a@example.com;");
        assert!(list.errors.is_empty());
        let names: Vec<(&str, &str, usize)> = list
            .tags
            .iter()
            .map(|t| (t.name.as_str(), t.value.as_str(), t.column))
            .collect();
        assert_eq!(
            names,
            vec![
                ("v", "DMARC1", 1),
                ("p", "reject", 12),
                ("rua", "mailto:a@example.com", 25)
            ]
        );
        assert_eq!(list.get("p").unwrap().text, "p = reject");
    }

    #[test]
    fn errors_carry_text_and_column() {
        let list = TagList::parse("v=DMARC1; rua; 1x=2; p=none; p=reject;;");
        let errors: Vec<(String, usize)> = list
            .errors
            .iter()
            .map(|e| (e.text.clone(), e.column))
            .collect();
        assert_eq!(
            errors,
            vec![
                ("rua".to_string(), 11),
                ("1x=2".to_string(), 16),
                ("p=reject".to_string(), 30)
            ]
        );
        assert!(list.errors[2].reason.contains("more than once"));
        assert_eq!(list.tags.len(), 2);
        assert_eq!(
            list.errors[1].pointer("v=DMARC1; rua; 1x=2;"),
            "v=DMARC1; rua; 1x=2;\n               ^"
        );
    }

    #[test]
    fn values_may_hold_equals_signs() {
        let list = TagList::parse("p=MIGf+ab==; n=a=b");
        assert_eq!(list.get("p").unwrap().value, "MIGf+ab==");
        assert_eq!(list.get("n").unwrap().value, "a=b");
    }
}
