//! The MTA-STS policy file (RFC 8461 §3.2) and MX pattern matching (§4.1).
//!
//! ```text
//! version: STSv1
//! mode: enforce
//! mx: mail.example.com
//! mx: *.example.net
//! max_age: 604800
//! ```
//! Lines end in CRLF or LF. Field names and the values of `version` and `mode` are
//! case-sensitive. Unknown fields are kept and otherwise ignored (§3.2).

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::dns::Name;

/// The most bytes of a policy read, from the web or a file. RFC 8461 §3.3 asks senders to
/// bound the size; 64 KiB is thousands of `mx` lines.
pub const MAX_POLICY_BYTES: usize = 64 * 1024;
/// The largest `max_age` (RFC 8461 §3.2): one year.
pub const MAX_AGE_LIMIT: u32 = 31_557_600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Senders refuse to deliver over a connection that fails the policy.
    Enforce,
    /// Senders deliver anyway and report failures (TLS-RPT).
    Testing,
    /// The domain is leaving MTA-STS; senders drop the policy.
    None,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Testing => "testing",
            Mode::None => "none",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `mx` value: a host name, or `*.` and a name to allow any one label in its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MxPattern {
    /// As written.
    pub text: String,
    pub wildcard: bool,
    /// The name after `*.` for a wildcard.
    pub domain: Name,
}

impl MxPattern {
    /// Parses `["*."] Domain` (RFC 5321 `Domain`: labels of letters, digits and inner hyphens).
    pub fn parse(text: &str) -> Result<MxPattern, String> {
        let (wildcard, rest) = match text.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if rest.contains('*') {
            return Err("a wildcard may only be a leading '*.' standing for one label".into());
        }
        if rest.ends_with('.') {
            return Err("remove the trailing dot".into());
        }
        if !rest.is_ascii() {
            return Err("write an internationalized name in its A-label (xn--) form".into());
        }
        let bad_label = rest.split('.').find(|l| {
            l.is_empty()
                || l.starts_with('-')
                || l.ends_with('-')
                || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        if let Some(label) = bad_label {
            return Err(format!(
                "'{label}' is not a host name label (letters, digits and inner hyphens)"
            ));
        }
        let domain = Name::parse(rest).map_err(|e| e.to_string())?;
        Ok(MxPattern {
            text: text.to_string(),
            wildcard,
            domain,
        })
    }

    /// RFC 8461 §4.1: the names are equal (case does not matter), or the pattern is `*.D` and
    /// the host is one label followed by `D` (`*.example.com` matches `mx.example.com`, not
    /// `example.com` nor `a.b.example.com`).
    pub fn matches(&self, host: &Name) -> bool {
        if self.wildcard {
            host.label_count() == self.domain.label_count() + 1
                && host.parent().as_ref() == Some(&self.domain)
        } else {
            *host == self.domain
        }
    }
}

/// How the lines of a policy end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineEndings {
    Crlf,
    Lf,
    /// Some of each.
    Mixed,
    /// A single line without an ending.
    None,
}

/// Something wrong in a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// Not `name: value`.
    MalformedLine,
    /// An empty line; the grammar has none, most parsers skip them.
    BlankLine,
    /// Spaces before the field name or before the colon; most parsers accept them.
    Whitespace,
    /// A known field written with other capitals (`Mode:`), which is not that field.
    FieldCase {
        expected: &'static str,
    },
    /// A field other than `mx` given again; the first is used.
    Duplicate {
        field: &'static str,
    },
    BadVersion,
    BadMode,
    BadMaxAge,
    BadMx {
        reason: String,
    },
    /// A required field is absent (`mx` is required unless the mode is `none`).
    Missing {
        field: &'static str,
    },
}

impl Problem {
    /// Whether the policy is invalid because of it (senders then ignore the policy).
    pub fn invalidates(&self) -> bool {
        !matches!(
            self,
            Problem::BlankLine | Problem::Whitespace | Problem::Duplicate { .. }
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::MalformedLine => f.write_str("not a 'name: value' line"),
            Problem::BlankLine => f.write_str("an empty line; remove it"),
            Problem::Whitespace => {
                f.write_str("spaces before the field name or the colon; remove them")
            }
            Problem::FieldCase { expected } => {
                write!(f, "field names are case-sensitive; write '{expected}'")
            }
            Problem::Duplicate { field } => {
                write!(
                    f,
                    "'{field}' is given more than once; senders use the first"
                )
            }
            Problem::BadVersion => f.write_str("the version must be STSv1"),
            Problem::BadMode => {
                f.write_str("the mode must be enforce, testing or none (lower case)")
            }
            Problem::BadMaxAge => write!(
                f,
                "max_age must be a number of seconds from 0 to {MAX_AGE_LIMIT}"
            ),
            Problem::BadMx { reason } => write!(f, "bad mx pattern: {reason}"),
            Problem::Missing { field } => write!(f, "the policy has no '{field}' field"),
        }
    }
}

/// A problem and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyProblem {
    /// 1-based line number; 0 for the policy as a whole (a missing field).
    pub line: usize,
    /// The line as written (bounded by the policy's size).
    pub text: String,
    pub problem: Problem,
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.problem)
        } else {
            write!(f, "line {} '{}': {}", self.line, self.text, self.problem)
        }
    }
}

/// A field the policy does not define (kept, ignored by senders).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub line: usize,
    pub name: String,
    pub value: String,
}

/// A parsed policy. Parsing never fails: what is wrong is in `problems`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// The policy as read.
    pub text: String,
    pub version: Option<String>,
    pub mode: Option<Mode>,
    pub mx: Vec<MxPattern>,
    pub max_age: Option<u32>,
    pub extensions: Vec<Extension>,
    pub line_endings: LineEndings,
    pub problems: Vec<PolicyProblem>,
}

const FIELDS: [&str; 4] = ["version", "mode", "mx", "max_age"];

impl Policy {
    pub fn parse(text: &str) -> Policy {
        let mut policy = Policy {
            text: text.to_string(),
            version: None,
            mode: None,
            mx: Vec::new(),
            max_age: None,
            extensions: Vec::new(),
            line_endings: line_endings(text),
            problems: Vec::new(),
        };
        let body = text.strip_suffix('\n').unwrap_or(text);
        for (index, raw) in body.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            policy.read_line(index + 1, line);
        }
        let mode_none = policy.mode == Some(Mode::None);
        let absent: Vec<&'static str> = [
            ("version", policy.version.is_none()),
            ("mode", policy.mode.is_none()),
            ("max_age", policy.max_age.is_none()),
            ("mx", policy.mx.is_empty() && !mode_none),
        ]
        .into_iter()
        .filter(|(_, absent)| *absent)
        .map(|(field, _)| field)
        .collect();
        for field in absent {
            // A field already reported as bad is not reported missing too.
            if !policy.problems.iter().any(|p| p.mentions(field)) {
                policy.problems.push(PolicyProblem {
                    line: 0,
                    text: String::new(),
                    problem: Problem::Missing { field },
                });
            }
        }
        policy
    }

    /// No problem that makes senders ignore the policy.
    pub fn is_valid(&self) -> bool {
        !self.problems.iter().any(|p| p.problem.invalidates())
    }

    /// Whether some `mx` pattern matches this MX host.
    pub fn allows(&self, host: &Name) -> bool {
        self.mx.iter().any(|p| p.matches(host))
    }

    fn read_line(&mut self, number: usize, line: &str) {
        let problem = |problem| PolicyProblem {
            line: number,
            text: line.to_string(),
            problem,
        };
        if line.trim().is_empty() {
            self.problems.push(problem(Problem::BlankLine));
            return;
        }
        let Some((raw_name, raw_value)) = line.split_once(':') else {
            self.problems.push(problem(Problem::MalformedLine));
            return;
        };
        let name = raw_name.trim_matches([' ', '\t']);
        if name != raw_name {
            self.problems.push(problem(Problem::Whitespace));
        }
        let value = raw_value.trim_matches([' ', '\t']);
        if let Some(expected) = FIELDS
            .into_iter()
            .find(|f| *f != name && f.eq_ignore_ascii_case(name))
        {
            self.problems.push(problem(Problem::FieldCase { expected }));
            return;
        }
        let duplicate = |field| problem(Problem::Duplicate { field });
        match name {
            "version" if self.version.is_some() => self.problems.push(duplicate("version")),
            "version" => {
                if value != "STSv1" {
                    self.problems.push(problem(Problem::BadVersion));
                }
                self.version = Some(value.to_string());
            }
            "mode" if self.mode.is_some() || self.has_problem_with("mode") => {
                self.problems.push(duplicate("mode"))
            }
            "mode" => match [Mode::Enforce, Mode::Testing, Mode::None]
                .into_iter()
                .find(|m| m.as_str() == value)
            {
                Some(mode) => self.mode = Some(mode),
                None => self.problems.push(problem(Problem::BadMode)),
            },
            "max_age" if self.max_age.is_some() || self.has_problem_with("max_age") => {
                self.problems.push(duplicate("max_age"))
            }
            "max_age" => match parse_max_age(value) {
                Some(age) => self.max_age = Some(age),
                None => self.problems.push(problem(Problem::BadMaxAge)),
            },
            "mx" => match MxPattern::parse(value) {
                Ok(pattern) => self.mx.push(pattern),
                Err(reason) => self.problems.push(problem(Problem::BadMx { reason })),
            },
            _ if is_extension_name(name) && is_extension_value(value) => {
                self.extensions.push(Extension {
                    line: number,
                    name: name.to_string(),
                    value: value.to_string(),
                })
            }
            _ => self.problems.push(problem(Problem::MalformedLine)),
        }
    }

    fn has_problem_with(&self, field: &str) -> bool {
        self.problems.iter().any(|p| p.mentions(field))
    }
}

impl PolicyProblem {
    /// Whether this problem is about a bad value of `field`.
    fn mentions(&self, field: &str) -> bool {
        match &self.problem {
            Problem::BadVersion => field == "version",
            Problem::BadMode => field == "mode",
            Problem::BadMaxAge => field == "max_age",
            Problem::BadMx { .. } => field == "mx",
            Problem::FieldCase { expected } => *expected == field,
            _ => false,
        }
    }
}

/// `1*10DIGIT`, at most one year.
fn parse_max_age(value: &str) -> Option<u32> {
    if value.is_empty() || value.len() > 10 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value
        .parse::<u64>()
        .ok()
        .filter(|v| *v <= u64::from(MAX_AGE_LIMIT))
        .and_then(|v| u32::try_from(v).ok())
}

/// `(ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`
fn is_extension_name(name: &str) -> bool {
    name.len() <= 32
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Visible characters, with spaces or tabs between them.
fn is_extension_value(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| matches!(b, 0x21..=0x7e | b' ' | b'\t'))
}

fn line_endings(text: &str) -> LineEndings {
    let lf = text.matches('\n').count();
    let crlf = text.matches("\r\n").count();
    match (crlf, lf) {
        (_, 0) => LineEndings::None,
        (0, _) => LineEndings::Lf,
        (c, l) if c == l => LineEndings::Crlf,
        _ => LineEndings::Mixed,
    }
}

/// Why a policy file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PolicyFileError {
    #[error("cannot read the policy file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the policy file {path} is larger than {limit} bytes; a policy is a few lines")]
    TooLarge { path: String, limit: usize },
}

/// Reads a policy from a file (a preflight before publishing one), at most
/// [`MAX_POLICY_BYTES`]; bytes that are not UTF-8 become U+FFFD, which the parser then flags.
pub fn read_policy_file(path: &Path) -> Result<String, PolicyFileError> {
    let shown = path.display().to_string();
    let io = |source| PolicyFileError::Io {
        path: shown.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_POLICY_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() > MAX_POLICY_BYTES {
        return Err(PolicyFileError::TooLarge {
            path: shown,
            limit: MAX_POLICY_BYTES,
        });
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    fn problems(text: &str) -> Vec<(usize, Problem)> {
        Policy::parse(text)
            .problems
            .into_iter()
            .map(|p| (p.line, p.problem))
            .collect()
    }

    #[test]
    fn a_valid_policy_with_crlf() {
        let text = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n";
        let p = Policy::parse(text);
        assert!(p.is_valid(), "{:?}", p.problems);
        assert!(p.problems.is_empty());
        assert_eq!(p.version.as_deref(), Some("STSv1"));
        assert_eq!(p.mode, Some(Mode::Enforce));
        assert_eq!(p.max_age, Some(604_800));
        assert_eq!(p.mx.len(), 2);
        assert_eq!(p.line_endings, LineEndings::Crlf);
    }

    #[test]
    fn lf_lines_spaces_after_colon_and_extensions() {
        let p = Policy::parse(
            "version:STSv1\nmode:   testing  \nmx: MX.Example.com\nmax_age: 0\nx-note: hello world\n",
        );
        assert!(p.is_valid(), "{:?}", p.problems);
        assert_eq!(p.mode, Some(Mode::Testing));
        assert_eq!(p.max_age, Some(0));
        assert_eq!(p.line_endings, LineEndings::Lf);
        assert_eq!(p.extensions[0].name, "x-note");
        assert_eq!(p.extensions[0].value, "hello world");
        assert!(p.allows(&name("mx.example.com")));
    }

    #[test]
    fn mode_none_needs_no_mx() {
        let p = Policy::parse("version: STSv1\nmode: none\nmax_age: 86400");
        assert!(p.is_valid(), "{:?}", p.problems);
        assert_eq!(p.line_endings, LineEndings::Lf);
        assert_eq!(
            Policy::parse("version: STSv1").line_endings,
            LineEndings::None
        );
        assert_eq!(
            problems("version: STSv1\nmode: testing\nmax_age: 86400"),
            [(0, Problem::Missing { field: "mx" })]
        );
    }

    #[test]
    fn bad_values_name_their_line() {
        assert_eq!(
            problems("version: STSv2\nmode: Enforce\nmx: mx.example.com\nmax_age: 31557601\n"),
            [
                (1, Problem::BadVersion),
                (2, Problem::BadMode),
                (4, Problem::BadMaxAge)
            ]
        );
        assert_eq!(
            problems("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 12345678901\n"),
            [(4, Problem::BadMaxAge)]
        );
        assert_eq!(
            problems("version: STSv1\nmode: enforce\nmx: mx..example.com\nmax_age: 1\n")[0].0,
            3
        );
    }

    #[test]
    fn missing_fields_and_malformed_lines() {
        assert_eq!(
            problems("just text\n"),
            [
                (1, Problem::MalformedLine),
                (0, Problem::Missing { field: "version" }),
                (0, Problem::Missing { field: "mode" }),
                (0, Problem::Missing { field: "max_age" }),
                (0, Problem::Missing { field: "mx" }),
            ]
        );
        let p = Policy::parse("version: STSv1\nMode: enforce\nmx: a.example\nmax_age: 1\n");
        assert!(!p.is_valid());
        assert_eq!(
            p.problems[0].problem,
            Problem::FieldCase { expected: "mode" }
        );
        assert_eq!(p.problems.len(), 1);
    }

    #[test]
    fn tolerated_problems_keep_the_policy_valid() {
        let p = Policy::parse(
            "version: STSv1\n\nmode: enforce\nmode: none\n mx: a.example\nmax_age : 5\n",
        );
        assert!(p.is_valid(), "{:?}", p.problems);
        assert_eq!(p.mode, Some(Mode::Enforce));
        let kinds: Vec<Problem> = p.problems.into_iter().map(|p| p.problem).collect();
        assert_eq!(
            kinds,
            [
                Problem::BlankLine,
                Problem::Duplicate { field: "mode" },
                Problem::Whitespace,
                Problem::Whitespace
            ]
        );
    }

    #[test]
    fn mx_patterns() {
        for bad in [
            "mx.example.com.",
            "*",
            "*.*.example.com",
            "mx.*.example.com",
            "-mx.example.com",
            "mx_1.example.com",
            "mx.exämple.com",
            "",
        ] {
            assert!(MxPattern::parse(bad).is_err(), "{bad}");
        }
        let wild = MxPattern::parse("*.Example.com").unwrap();
        assert!(wild.wildcard);
        assert!(wild.matches(&name("mx1.example.com")));
        assert!(wild.matches(&name("MX2.EXAMPLE.COM.")));
        assert!(!wild.matches(&name("example.com")));
        assert!(!wild.matches(&name("a.mx1.example.com")));
        assert!(!wild.matches(&name("mx1.example.net")));
        let exact = MxPattern::parse("mx.example.com").unwrap();
        assert!(exact.matches(&name("MX.example.com")));
        assert!(!exact.matches(&name("mx2.example.com")));
        assert!(!exact.matches(&name("a.mx.example.com")));
    }

    #[test]
    fn policy_files_are_read_with_a_bound() {
        let dir = std::env::temp_dir().join(format!("deliv-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let small = dir.join("small.txt");
        std::fs::write(&small, "version: STSv1\n").unwrap();
        assert_eq!(read_policy_file(&small).unwrap(), "version: STSv1\n");
        let big = dir.join("big.txt");
        std::fs::write(&big, vec![b'a'; MAX_POLICY_BYTES + 1]).unwrap();
        assert!(matches!(
            read_policy_file(&big),
            Err(PolicyFileError::TooLarge { .. })
        ));
        assert!(matches!(
            read_policy_file(&dir.join("absent.txt")),
            Err(PolicyFileError::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
