//! `--format json`: one document on stdout (the schema is in the README).

use serde::Serialize;
use serde_json::{Value, json};

use super::{Report, SCHEMA_VERSION};
use crate::checks::Subject;
use crate::dns::Stats;

/// The envelope every JSON document shares, with the command's own fields merged in.
pub fn document(body: Value, stats: Option<&Stats>) -> Value {
    let mut doc = json!({
        "deliv_version": env!("CARGO_PKG_VERSION"),
        "schema_version": SCHEMA_VERSION,
    });
    if let (Value::Object(doc), Value::Object(body)) = (&mut doc, body) {
        doc.extend(body);
        if let Some(stats) = stats {
            doc.insert("stats".into(), to_value(stats));
        }
    }
    doc
}

pub fn reports(reports: &[Report], stats: Option<&Stats>) -> Value {
    let reports: Vec<Value> = reports.iter().map(report).collect();
    document(json!({ "reports": reports }), stats)
}

/// One report: `target` and `kind` name the subject; `domain` keeps its first meaning for
/// scripts written before `target` (the domain checked, or the address for `deliv ip`).
fn report(r: &Report) -> Value {
    let target = r.subject.to_string();
    let mut out = json!({
        "target": target,
        "kind": r.subject.kind(),
        "checks": r.checks,
        "summary": r.summary(),
    });
    if let (Subject::Domain(_) | Subject::Ip(_), Value::Object(map)) = (&r.subject, &mut out) {
        map.insert("domain".into(), Value::String(target));
    }
    out
}

pub fn to_value(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
