//! Tag lists (`name=value; name=value`), the syntax of DKIM key records (RFC 6376 §3.2) and of
//! DMARC records (RFC 7489 §6.4 reuses it).
//!
//! Written by hand because lint needs what verifiers' parsers (mail-auth's included) drop:
//! the column and text of each tag, so an error can point at what to change, and every tag
//! in order, repeated and unknown names included.
//!
//! The two record types read names differently ([`Syntax`]): DKIM compares them exactly,
//! DMARC's ABNF makes them case-insensitive. In DMARC a value never holds whitespace followed
//! by `name=`; where it does, a `;` was left out ([`Tag::missing_separator`]). The tag is kept
//! as strict receivers read it, the rest of the text being part of its value.

use std::collections::HashMap;
use std::fmt;

/// How a record type reads its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// RFC 6376 §3.2: names compare exactly; values may hold folding whitespace (`p=` keys).
    Dkim,
    /// RFC 7489 §6.4: names compare case-insensitively (ABNF literals); a value holding
    /// whitespace then `name=` is missing a `;`.
    Dmarc,
}

/// One `name=value` pair as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// As written (case kept).
    pub name: String,
    /// Trimmed of surrounding whitespace.
    pub value: String,
    /// The tag as written (`name=value`, trimmed), for messages.
    pub text: String,
    /// 1-based column of the tag in the record (in characters).
    pub column: usize,
    /// 1-based column of the value.
    pub value_column: usize,
    /// DMARC syntax: the column of a `name=` inside the value, where a `;` is missing
    /// (`v=DMARC1 p=reject`).
    pub missing_separator: Option<usize>,
}

/// A tag that cannot be read, or a value a record type rejects: the text and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagError {
    pub text: String,
    pub column: usize,
    pub reason: String,
    /// The tag the problem is in (its name as written), when it is in one.
    pub tag: Option<String>,
}

impl TagError {
    pub fn at(tag: &Tag, reason: impl Into<String>) -> TagError {
        TagError {
            text: tag.text.clone(),
            column: tag.column,
            reason: reason.into(),
            tag: Some(tag.name.clone()),
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

/// A tag name given more than once, with every occurrence in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeated {
    /// The name as first written.
    pub name: String,
    pub tags: Vec<Tag>,
}

/// A record split into tags, with the problems found on the way.
#[derive(Debug, Clone)]
pub struct TagList {
    /// Every tag in order, repeated names included.
    pub tags: Vec<Tag>,
    pub errors: Vec<TagError>,
    syntax: Syntax,
}

/// A non-empty `;`-separated piece of a record, trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece<'a> {
    pub text: &'a str,
    /// 1-based column in the record.
    pub column: usize,
}

/// The record's pieces between `;`, trimmed, empty ones (`;;`, a trailing `;`) left out as
/// verifiers leave them out.
pub fn pieces(record: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    // Columns are counted once, as the pieces go by, so long records stay linear.
    let mut column = 1;
    for segment in record.split(';') {
        let lead = segment.len() - segment.trim_start().len();
        let text = segment.trim();
        if !text.is_empty() {
            out.push(Piece {
                text,
                column: column + segment[..lead].chars().count(),
            });
        }
        column += segment.chars().count() + 1;
    }
    out
}

/// The byte offsets in `piece` where DMARC syntax finds a `;` missing: whitespace, then a
/// tag name, optional whitespace and `=`, after the piece's own `=`.
pub fn missing_separators(piece: &str) -> Vec<usize> {
    let Some(eq) = piece.find('=') else {
        return Vec::new();
    };
    let bytes = piece.as_bytes();
    let mut out = Vec::new();
    let mut i = eq + 1;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            let start = i + bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            let name_len = name_length(&bytes[start..]);
            let after = start + name_len;
            let eq_at = after
                + bytes[after..]
                    .iter()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
            if name_len > 0 && bytes.get(eq_at) == Some(&b'=') {
                out.push(start);
                i = eq_at + 1;
                continue;
            }
            i = start.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The length of a tag name at the start of `bytes` (a letter, then letters, digits, `_`).
fn name_length(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() => {
            1 + bytes[1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count()
        }
        _ => 0,
    }
}

impl TagList {
    /// A DKIM tag list (names compare exactly).
    pub fn parse(record: &str) -> TagList {
        TagList::parse_as(record, Syntax::Dkim)
    }

    /// Splits at `;`. A piece without `=`, a malformed name and a repeated name are errors
    /// (RFC 6376 §3.2: a duplicate makes the whole list invalid); repeated tags stay in
    /// [`TagList::tags`] so a caller can show every occurrence.
    pub fn parse_as(record: &str, syntax: Syntax) -> TagList {
        let mut list = TagList {
            tags: Vec::new(),
            errors: Vec::new(),
            syntax,
        };
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        for piece in pieces(record) {
            let error = |reason: &str| TagError {
                text: piece.text.to_string(),
                column: piece.column,
                reason: reason.to_string(),
                tag: None,
            };
            let Some((name, value)) = piece.text.split_once('=') else {
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
            let value_start = piece.text.len() - value.trim_start().len();
            let column_at = |offset: usize| piece.column + piece.text[..offset].chars().count();
            let tag = Tag {
                name: name.to_string(),
                value: value.trim().to_string(),
                text: piece.text.to_string(),
                column: piece.column,
                value_column: column_at(value_start),
                missing_separator: match syntax {
                    Syntax::Dmarc => missing_separators(piece.text)
                        .first()
                        .map(|&o| column_at(o)),
                    Syntax::Dkim => None,
                },
            };
            match first_seen.get(&list.key(name)) {
                Some(&first) => list.errors.push(TagError {
                    reason: format!(
                        "the tag '{name}' appears more than once (first at column {first})"
                    ),
                    ..TagError::at(&tag, "")
                }),
                None => {
                    first_seen.insert(list.key(name), tag.column);
                }
            }
            list.tags.push(tag);
        }
        list
    }

    /// The first tag of that name.
    pub fn get(&self, name: &str) -> Option<&Tag> {
        self.all(name).next()
    }

    /// Every tag of that name, in order.
    pub fn all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Tag> + use<'a> {
        let key = self.key(name);
        self.tags.iter().filter(move |t| self.key(&t.name) == key)
    }

    /// The names given more than once, each with all its occurrences, in order of first use.
    pub fn repeated(&self) -> Vec<Repeated> {
        let mut groups: Vec<Repeated> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for tag in &self.tags {
            let key = self.key(&tag.name);
            match index.get(&key) {
                Some(&i) => groups[i].tags.push(tag.clone()),
                None => {
                    index.insert(key, groups.len());
                    groups.push(Repeated {
                        name: tag.name.clone(),
                        tags: vec![tag.clone()],
                    });
                }
            }
        }
        groups.retain(|g| g.tags.len() > 1);
        groups
    }

    /// The name as this syntax compares it.
    fn key(&self, name: &str) -> String {
        match self.syntax {
            Syntax::Dkim => name.to_string(),
            Syntax::Dmarc => name.to_ascii_lowercase(),
        }
    }
}

fn is_tag_name(name: &str) -> bool {
    !name.is_empty() && name_length(name.as_bytes()) == name.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_columns() {
        let list = TagList::parse("v=DMARC1;  p = reject ; rua=mailto:a@example.com;");
        assert!(list.errors.is_empty());
        let names: Vec<(&str, &str, usize, usize)> = list
            .tags
            .iter()
            .map(|t| (t.name.as_str(), t.value.as_str(), t.column, t.value_column))
            .collect();
        assert_eq!(
            names,
            vec![
                ("v", "DMARC1", 1, 3),
                ("p", "reject", 12, 16),
                ("rua", "mailto:a@example.com", 25, 29)
            ]
        );
        assert_eq!(list.get("p").unwrap().text, "p = reject");
    }

    #[test]
    fn columns_count_characters() {
        let list = TagList::parse("n=é€😀; m=x");
        assert_eq!(list.get("m").unwrap().column, 8);
        assert_eq!(list.get("m").unwrap().value_column, 10);
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
        assert_eq!(
            list.errors[2].reason,
            "the tag 'p' appears more than once (first at column 22)"
        );
        assert_eq!(list.errors[2].tag.as_deref(), Some("p"));
        assert_eq!(list.tags.len(), 3, "repeated tags are kept");
        assert_eq!(list.get("p").unwrap().value, "none", "get is the first");
        assert_eq!(
            list.errors[1].pointer("v=DMARC1; rua; 1x=2;"),
            "v=DMARC1; rua; 1x=2;\n               ^"
        );
    }

    #[test]
    fn repeated_names_with_every_occurrence() {
        let list = TagList::parse_as(
            "v=DMARC1; p=none; rua=mailto:a@x.example; P=reject; p=quarantine",
            Syntax::Dmarc,
        );
        let repeated = list.repeated();
        assert_eq!(repeated.len(), 1);
        assert_eq!(repeated[0].name, "p");
        let seen: Vec<(&str, usize)> = repeated[0]
            .tags
            .iter()
            .map(|t| (t.value.as_str(), t.column))
            .collect();
        assert_eq!(seen, vec![("none", 11), ("reject", 43), ("quarantine", 53)]);
        // DKIM names are case-sensitive: `P` is another tag.
        let dkim = TagList::parse("p=a; P=b");
        assert!(dkim.repeated().is_empty() && dkim.errors.is_empty());
        assert_eq!(list.all("P").count(), 3);
    }

    #[test]
    fn missing_semicolons_are_found_in_dmarc_syntax() {
        let list = TagList::parse_as(
            "v=DMARC1 p=reject; rua=mailto:a@x.example  pct =50",
            Syntax::Dmarc,
        );
        let v = list.get("v").unwrap();
        assert_eq!(v.value, "DMARC1 p=reject");
        assert_eq!(v.missing_separator, Some(10));
        assert_eq!(list.get("rua").unwrap().missing_separator, Some(44));
        assert_eq!(
            missing_separators("rua=mailto:a@x.example?subject=x"),
            Vec::<usize>::new()
        );
        assert_eq!(missing_separators("p=MIGf ab=="), vec![7]);
        // DKIM values may hold whitespace: no separator is looked for.
        assert_eq!(
            TagList::parse("p=MIGf ab==")
                .get("p")
                .unwrap()
                .missing_separator,
            None
        );
    }

    #[test]
    fn values_may_hold_equals_signs() {
        let list = TagList::parse("p=MIGf+ab==; n=a=b");
        assert_eq!(list.get("p").unwrap().value, "MIGf+ab==");
        assert_eq!(list.get("n").unwrap().value, "a=b");
    }
}
