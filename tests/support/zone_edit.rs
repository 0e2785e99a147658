//! Zone files of one record a line (`owner TYPE data`; TXT data one quoted string), to which
//! the `changes` of a finding can be applied as written, placeholders filled with real values:
//! the round trips that check a remediation fixes its finding and worsens nothing.

#![allow(dead_code)] // each test binary uses part of this module

use std::path::Path;

use serde_json::Value;

/// Verdicts from best to worst.
pub const RANK: [&str; 5] = ["pass", "info", "warn", "error", "fail"];

/// The place of a status in [`RANK`].
pub fn rank(status: &str) -> usize {
    RANK.iter()
        .position(|r| *r == status)
        .unwrap_or_else(|| panic!("unknown status {status}"))
}

/// The worst status of each check id in the first report of a document, in report order.
pub fn worst_statuses(json: &Value) -> Vec<(String, String)> {
    let mut worst: Vec<(String, String)> = Vec::new();
    for (id, status) in super::findings(json, 0) {
        match worst.iter_mut().find(|(i, _)| *i == id) {
            Some(w) if rank(&status) > rank(&w.1) => w.1 = status,
            Some(_) => {}
            None => worst.push((id, status)),
        }
    }
    worst
}

/// A zone file read record by record.
#[derive(Clone)]
pub struct ZoneText {
    /// `$ORIGIN` without the trailing dot.
    pub origin: String,
    /// Comments, directives and apex records, written back as they were.
    pub head: Vec<String>,
    /// (owner, fully qualified without the dot; type; data, TXT unquoted)
    pub records: Vec<(String, String, String)>,
}

impl ZoneText {
    pub fn read(path: &str) -> ZoneText {
        let text = std::fs::read_to_string(path).unwrap();
        let mut zone = ZoneText {
            origin: String::new(),
            head: Vec::new(),
            records: Vec::new(),
        };
        for line in text.lines() {
            if let Some(origin) = line.strip_prefix("$ORIGIN ") {
                zone.origin = origin.trim_end_matches('.').to_string();
            }
            if line.trim().is_empty() || line.starts_with([';', '$', '@']) {
                zone.head.push(line.to_string());
                continue;
            }
            let mut parts = line.split_whitespace();
            let (owner, rtype) = (parts.next().unwrap(), parts.next().unwrap());
            let data = line
                .trim_start()
                .strip_prefix(owner)
                .unwrap()
                .trim_start()
                .strip_prefix(rtype)
                .unwrap()
                .trim();
            let data = match rtype {
                "TXT" => data[1..data.len() - 1]
                    .replace("\\\"", "\"")
                    .replace("\\\\", "\\"),
                _ => data.to_string(),
            };
            zone.records
                .push((format!("{owner}.{}", zone.origin), rtype.to_string(), data));
        }
        zone
    }

    /// Whether `name` is at or below the zone's origin.
    pub fn holds(&self, name: &str) -> bool {
        name == self.origin || name.ends_with(&format!(".{}", self.origin))
    }

    pub fn write(&self, path: &Path) {
        let mut out = self.head.join("\n");
        for (name, rtype, data) in &self.records {
            let data = match rtype.as_str() {
                "TXT" => format!("\"{}\"", data.replace('\\', "\\\\").replace('"', "\\\"")),
                _ => data.clone(),
            };
            out.push_str(&format!("\n{name}. {rtype} {data}"));
        }
        out.push('\n');
        std::fs::write(path, out).unwrap();
    }

    /// Applies one change of a finding's `changes`, its placeholders filled by [`fill`] with
    /// `value`; panics when the change does not apply to the zone as it is.
    pub fn apply(&mut self, change: &Value, value: &dyn Fn(&str) -> String) {
        let field = |k: &str| change[k].as_str().unwrap_or_default().to_string();
        let (name, rtype, data) = (field("name"), field("type"), fill(&field("data"), value));
        let at = |records: &[(String, String, String)], want: &str| {
            records
                .iter()
                .position(|(n, t, d)| *n == name && *t == rtype && d == want)
                .unwrap_or_else(|| panic!("{change}: no such record to change"))
        };
        match field("action").as_str() {
            "add" => self.records.push((name, rtype, data)),
            "replace" => {
                let i = at(&self.records, &field("old"));
                self.records[i].2 = data;
            }
            // Empty data: every record of the type at the name.
            "remove" if data.is_empty() => {
                let before = self.records.len();
                self.records.retain(|(n, t, _)| *n != name || *t != rtype);
                assert!(self.records.len() < before, "{change}: nothing to remove");
            }
            "remove" => {
                let i = at(&self.records, &data);
                self.records.remove(i);
            }
            other => panic!("unknown action {other}"),
        }
    }
}

/// Every placeholder (`<WORDS>`) in `data` replaced: a choice (`<REJECT-OR-NONE>`) by its
/// first option in lower case, anything else by `value` of the placeholder's words.
pub fn fill(data: &str, value: &dyn Fn(&str) -> String) -> String {
    let mut out = data.to_string();
    while let Some(start) = out.find('<') {
        let end = start + out[start..].find('>').expect("a placeholder ends with '>'");
        let inside = &out[start + 1..end];
        let filled = match inside.split_once("-OR-") {
            Some((first, _)) => first.to_ascii_lowercase(),
            None => value(inside),
        };
        out.replace_range(start..=end, &filled);
    }
    out
}
