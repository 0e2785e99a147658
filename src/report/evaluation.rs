//! `deliv spf DOMAIN --ip IP`: one `check_host()` evaluation, with its verdict for the sender.

use serde_json::{Value, json};

use super::human;
use crate::checks::spf::Verdict;
use crate::checks::{Evidence, Status};
use crate::dns::Stats;
use crate::spf::eval::{MAX_DNS_LOOKUPS, MAX_VOID_LOOKUPS};
use crate::spf::{Evaluation, Query};
use crate::terminal::safe;

pub fn json(query: &Query, evaluation: &Evaluation, verdict: &Verdict, stats: &Stats) -> Value {
    let evidence: Vec<Evidence> = evaluation.consulted.iter().map(Evidence::from).collect();
    super::json::document(
        json!({
            "result": evaluation.result,
            "status": verdict.status,
            "domain": query.domain,
            "ip": query.ip.to_canonical().to_string(),
            "sender": query.sender,
            "helo": query.helo,
            "mechanism": evaluation.mechanism,
            "matched_in": evaluation.matched_in,
            "path": evaluation.path,
            "permissive": evaluation.permissive,
            "explanation": evaluation.explanation,
            "problem": evaluation.problem,
            "remediation": verdict.remediation,
            "dns_lookups": evaluation.dns_lookups,
            "void_lookups": evaluation.void_lookups,
            "trace": evaluation.trace,
            "evidence": evidence,
        }),
        Some(stats),
    )
}

pub fn human(query: &Query, evaluation: &Evaluation, verdict: &Verdict) -> String {
    let status: Status = verdict.status;
    // The domain, sender and HELO are the user's; mechanism, explanation and trace come from
    // DNS: all of it is made safe for the terminal here.
    let mut out = format!(
        "check_host({}, {}, sender {:?}, helo {:?}) = {}\n",
        query.ip,
        safe(&query.domain),
        safe(&query.sender),
        safe(&query.helo),
        human::status_word(status, evaluation.result.as_str())
    );
    if let Some(m) = &evaluation.mechanism {
        out.push_str(&format!(
            "  decided by '{}' in {}\n",
            safe(m),
            safe(evaluation.matched_in.as_deref().unwrap_or("?"))
        ));
    }
    if let Some(path) = evaluation
        .path
        .as_ref()
        .filter(|p| p.matches(" → ").count() > 1)
    {
        out.push_str(&format!("  via {}\n", safe(path)));
    }
    if let Some(p) = &evaluation.permissive {
        let whose = if p.decided {
            "the term that passed it"
        } else {
            "a term elsewhere in the tree"
        };
        out.push_str(&format!(
            "  {}: '{}' ({whose}) passes every address of a family\n",
            human::status_word(Status::Fail, "not a clean pass"),
            safe(&p.term),
        ));
    }
    if let Some(e) = &evaluation.explanation {
        out.push_str(&format!("  explanation: {}\n", safe(e)));
    }
    if let Some(p) = &evaluation.problem {
        out.push_str(&format!("  why: {}\n", safe(p)));
    }
    if let Some(fix) = &verdict.remediation {
        out.push_str(&format!("  → {}\n", safe(fix)));
    }
    out.push_str(&format!(
        "  DNS-querying terms: {} of {MAX_DNS_LOOKUPS}; void lookups: {} of {MAX_VOID_LOOKUPS}\n",
        evaluation.dns_lookups, evaluation.void_lookups,
    ));
    out.push_str("trace:\n");
    for line in &evaluation.trace {
        out.push_str(&format!("  {}\n", safe(line)));
    }
    out
}
