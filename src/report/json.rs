//! `--format json`: one document on stdout (the schema is in the README).

use serde::Serialize;
use serde_json::{Value, json};

use super::{DomainReport, SCHEMA_VERSION};
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

pub fn reports(reports: &[DomainReport], stats: Option<&Stats>) -> Value {
    let reports: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "domain": r.domain,
                "checks": r.checks,
                "summary": r.summary(),
            })
        })
        .collect();
    document(json!({ "reports": reports }), stats)
}

pub fn to_value(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
