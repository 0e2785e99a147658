//! `--format human`: a table per domain; under each verdict that is not a pass, the evidence
//! it rests on and what to change.

use colored::Colorize;
use comfy_table::presets::{ASCII_FULL_CONDENSED, UTF8_FULL_CONDENSED};
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};

use super::{DomainReport, Summary};
use crate::checks::{Finding, Status};
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
        out.push_str(&render_table(&report.checks, style));
        out.push_str(&format!(
            "\n{}: {}\n",
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
