//! `deliv explain`: a check's documentation, or the list of every check.

use serde_json::{Value, json};

use crate::checks::{self, CheckDef};

pub fn list_json() -> Value {
    let list: Vec<Value> = checks::registry()
        .map(|c| json!({"id": c.id, "area": c.area, "title": c.title}))
        .collect();
    super::json::document(json!({ "checks": list }), None)
}

pub fn list_human() -> String {
    let width = checks::registry().map(|c| c.id.len()).max().unwrap_or(0);
    checks::registry()
        .map(|c| format!("{:width$}  {}\n", c.id, c.title))
        .collect()
}

pub fn check_json(check: &CheckDef) -> Value {
    super::json::document(
        json!({
            "id": check.id,
            "area": check.area,
            "title": check.title,
            "doc": check.explain(),
            "references": check.references,
        }),
        None,
    )
}
