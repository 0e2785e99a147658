//! `--format human`: a table per domain; under each verdict that is not a pass, the evidence
//! it rests on and what to change.

use colored::Colorize;
use comfy_table::presets::{ASCII_FULL_CONDENSED, UTF8_FULL_CONDENSED};
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};

use std::collections::BTreeMap;

use super::{DomainReport, Summary};
use crate::checks::compliance::{Rule, Tier, placement};
use crate::checks::{Area, Finding, Status};
use crate::dns::Stats;

/// How to draw: colour and box characters on a terminal, plain ASCII elsewhere.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub terminal: bool,
}

/// Width used when the output is not a terminal (files, pipes, CI logs).
const PLAIN_WIDTH: u16 = 110;

fn status_color(status: Status) -> Color {
    match status {
        Status::Pass => Color::Green,
        Status::Info => Color::Blue,
        Status::Warn => Color::Yellow,
        Status::Error => Color::Magenta,
        Status::Fail => Color::Red,
    }
}

fn new_table(style: Style) -> Table {
    let mut table = Table::new();
    if style.terminal {
        table.load_preset(UTF8_FULL_CONDENSED);
    } else {
        table
            .load_preset(ASCII_FULL_CONDENSED)
            .force_no_tty()
            .set_width(PLAIN_WIDTH);
    }
    if style.color {
        table.enforce_styling();
    }
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table
}

fn finding_cell(f: &Finding) -> String {
    let mut text = f.summary.clone();
    if f.status == Status::Pass {
        return text;
    }
    if !f.detail.is_empty() {
        text.push('\n');
        text.push_str(&f.detail);
    }
    for e in &f.evidence {
        for (i, line) in e.describe().lines().enumerate() {
            text.push_str(if i == 0 { "\n· " } else { "\n  " });
            text.push_str(line);
        }
    }
    if let Some(fix) = &f.remediation {
        text.push_str("\n→ ");
        text.push_str(fix);
    }
    text
}

pub fn render_table(findings: &[Finding], style: Style) -> String {
    let mut table = new_table(style);
    table.set_header(vec!["Status", "Check", "Finding"]);
    for f in findings {
        let mut status = Cell::new(f.status.as_str().to_uppercase());
        if style.color {
            status = status
                .fg(status_color(f.status))
                .add_attribute(Attribute::Bold);
        }
        table.add_row(vec![status, Cell::new(f.id()), Cell::new(finding_cell(f))]);
    }
    table.to_string()
}

/// ✔ met, ✘ not met, ? anything the tool cannot confirm (not visible, unknown, lookup failed).
fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✔",
        Status::Fail => "✘",
        Status::Info | Status::Warn | Status::Error => "?",
    }
}

/// The provider requirements as one table (a row per rule, a column per provider), then a
/// note per rule that is not met or not confirmed, and the providers' references.
pub fn compliance_table(findings: &[Finding], style: Style) -> String {
    let mut rows: BTreeMap<Rule, Vec<Option<&Finding>>> = BTreeMap::new();
    for f in findings {
        if let Some((tier, rule)) = placement(f.check)
            && let Some(column) = Tier::ALL.iter().position(|t| *t == tier)
        {
            rows.entry(rule)
                .or_insert_with(|| vec![None; Tier::ALL.len()])[column] = Some(f);
        }
    }
    let mut table = new_table(style);
    let mut header = vec![Cell::new("Provider requirement")];
    header.extend(Tier::ALL.iter().map(|t| Cell::new(t.label())));
    table.set_header(header);
    let mut notes = String::new();
    for (rule, cells) in &rows {
        let mut row = vec![Cell::new(rule.label())];
        row.extend(cells.iter().map(|cell| {
            match cell {
                None => Cell::new(""),
                Some(f) if style.color => Cell::new(mark(f.status))
                    .fg(status_color(f.status))
                    .add_attribute(Attribute::Bold),
                Some(f) => Cell::new(mark(f.status)),
            }
        }));
        table.add_row(row);
        // Providers that share a verdict on this rule share its note.
        let mut groups: Vec<(&Finding, Vec<&str>)> = Vec::new();
        for (f, tier) in cells
            .iter()
            .zip(Tier::ALL)
            .filter_map(|(f, t)| Some(((*f)?, t)))
        {
            if f.status == Status::Pass {
                continue;
            }
            match groups
                .iter_mut()
                .find(|(g, _)| g.summary == f.summary && g.remediation == f.remediation)
            {
                Some((_, tiers)) => tiers.push(tier.label()),
                None => groups.push((f, vec![tier.label()])),
            }
        }
        for (f, tiers) in groups {
            notes.push_str(&format!(
                "{} {} ({}): {}\n",
                status_word(f.status, mark(f.status)),
                rule.label(),
                tiers.join(", "),
                f.summary
            ));
            if let Some(fix) = &f.remediation {
                notes.push_str(&format!("  → {fix}\n"));
            }
        }
    }
    let mut references = String::new();
    for tier in Tier::ALL {
        let first = findings
            .iter()
            .find(|f| placement(f.check).is_some_and(|(t, _)| t == tier))
            .and_then(|f| f.check.references.first());
        if let Some(url) = first {
            references.push_str(&format!("  {} — {}: {url}\n", tier.label(), tier.scope()));
        }
    }
    format!(
        "{table}\n✔ met  ✘ not met  ? not confirmed from DNS (see below)\n{notes}Requirements as published:\n{references}"
    )
}

/// `text` in the colour of `status` (when colour is on).
pub fn status_word(status: Status, text: &str) -> String {
    match status {
        Status::Fail => text.red().bold().to_string(),
        Status::Error => text.magenta().bold().to_string(),
        Status::Warn => text.yellow().to_string(),
        Status::Info => text.blue().to_string(),
        Status::Pass => text.green().to_string(),
    }
}

pub fn summary_line(summary: &Summary) -> String {
    Status::ALL
        .iter()
        .rev()
        .filter(|s| summary.count(**s) > 0)
        .map(|s| status_word(*s, &format!("{} {}", summary.count(*s), s.as_str())))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn reports(reports: &[DomainReport], style: Style) -> String {
    let mut out = String::new();
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{}\n", report.domain.bold()));
        let (compliance, others): (Vec<Finding>, Vec<Finding>) = report
            .checks
            .iter()
            .cloned()
            .partition(|f| f.check.area == Area::Compliance);
        if !others.is_empty() {
            out.push_str(&render_table(&others, style));
            out.push('\n');
        }
        if !compliance.is_empty() {
            out.push_str(&compliance_table(&compliance, style));
        }
        out.push_str(&format!(
            "{}: {}\n",
            report.domain,
            summary_line(&report.summary())
        ));
    }
    out
}

pub fn stats(stats: &Stats) -> String {
    format!(
        "{} DNS questions ({} to servers, {} from zone files), {} answered from the run's cache, {} ms",
        stats.queries,
        stats.network_queries,
        stats.zone_answers,
        stats.cache_hits,
        stats.wall_time_ms
    )
}
