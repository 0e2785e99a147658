//! `--format human`: a table per domain; under each verdict that is not a pass, the evidence
//! it rests on and what to change.

use colored::Colorize;
use comfy_table::presets::{ASCII_FULL_CONDENSED, UTF8_FULL_CONDENSED};
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};

use super::{Report, Summary};
use crate::checks::finding::Grid;
use crate::checks::{Finding, Status};
use crate::dns::Stats;
use crate::terminal::{safe, safe_multiline};

/// How to draw: colour and box characters on a terminal, plain ASCII elsewhere.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub terminal: bool,
    /// Columns to fit tables and notes in.
    pub width: u16,
}

/// Width used when nothing says otherwise (files, pipes, CI logs).
const PLAIN_WIDTH: u16 = 110;
/// Narrower than this, tables cannot show a finding legibly.
const MIN_WIDTH: u16 = 40;

/// The width to draw in: `COLUMNS` when set (also when piped, as `COLUMNS=200 deliv … | less`
/// asks), else the terminal's, else [`PLAIN_WIDTH`].
pub fn width(terminal: bool, columns: Option<&str>) -> u16 {
    columns
        .and_then(|c| c.trim().parse::<u16>().ok())
        .or_else(|| terminal.then(|| Table::new().width()).flatten())
        .unwrap_or(PLAIN_WIDTH)
        .max(MIN_WIDTH)
}

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
        table.load_preset(ASCII_FULL_CONDENSED).force_no_tty();
    }
    table.set_width(style.width);
    if style.color {
        table.enforce_styling();
    }
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table
}

/// A finding's text: everything in it may hold text from outside (records, replies,
/// headers), so every piece is made safe here, where it meets the terminal.
fn finding_cell(f: &Finding) -> String {
    let mut text = safe(&f.summary).into_owned();
    if f.status == Status::Pass {
        return text;
    }
    if !f.detail.is_empty() {
        text.push('\n');
        text.push_str(&safe_multiline(&f.detail));
    }
    for e in &f.evidence {
        for (i, line) in e.describe().lines().enumerate() {
            text.push_str(if i == 0 { "\n· " } else { "\n  " });
            text.push_str(&safe(line));
        }
    }
    if let Some(fix) = &f.remediation {
        text.push_str("\n→ ");
        text.push_str(&safe_multiline(fix));
    }
    for change in &f.changes {
        text.push_str("\n  ");
        text.push_str(&safe(&change.describe()));
    }
    text
}

pub fn render_table(findings: &[&Finding], style: Style) -> String {
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

/// Findings placed in `grid`: a mark per cell, then a note per row for the columns whose
/// verdict is not a pass (columns sharing a verdict share the note), then each column's source.
pub fn grid_table(grid: &Grid, findings: &[&Finding], style: Style) -> String {
    let mut cells: Vec<Vec<Option<&Finding>>> =
        vec![vec![None; grid.columns.len()]; grid.rows.len()];
    for f in findings {
        if let Some(cell) = f.cell
            && let Some(slot) = cells
                .get_mut(cell.row)
                .and_then(|row| row.get_mut(cell.column))
        {
            *slot = Some(f);
        }
    }
    let mut table = new_table(style);
    let mut header = vec![Cell::new(grid.corner)];
    header.extend(grid.columns.iter().map(|(label, _)| Cell::new(label)));
    table.set_header(header);
    let mut notes = String::new();
    for (label, row) in grid.rows.iter().zip(&cells) {
        if row.iter().all(Option::is_none) {
            continue;
        }
        let mut line = vec![Cell::new(label)];
        line.extend(row.iter().map(|cell| {
            match cell {
                None => Cell::new(""),
                Some(f) if style.color => Cell::new(mark(f.status))
                    .fg(status_color(f.status))
                    .add_attribute(Attribute::Bold),
                Some(f) => Cell::new(mark(f.status)),
            }
        }));
        table.add_row(line);
        let mut groups: Vec<(&Finding, Vec<&str>)> = Vec::new();
        for (f, (column, _)) in row
            .iter()
            .zip(grid.columns)
            .filter_map(|(f, c)| Some(((*f)?, c)))
        {
            if f.status == Status::Pass {
                continue;
            }
            match groups
                .iter_mut()
                .find(|(g, _)| g.summary == f.summary && g.remediation == f.remediation)
            {
                Some((_, columns)) => columns.push(column),
                None => groups.push((f, vec![column])),
            }
        }
        for (f, columns) in groups {
            let note = format!(
                "{} {label} ({}): {}",
                status_word(f.status, mark(f.status)),
                columns.join(", "),
                safe(&f.summary)
            );
            notes.push_str(&wrap(&note, style, "  "));
            if let Some(fix) = &f.remediation {
                notes.push_str(&wrap(&format!("  → {}", safe(fix)), style, "    "));
            }
        }
    }
    let mut sources = String::new();
    for (column, (label, scope)) in grid.columns.iter().enumerate() {
        let first = findings
            .iter()
            .find(|f| f.cell.is_some_and(|c| c.column == column))
            .and_then(|f| f.check.references.first());
        if let Some(url) = first {
            sources.push_str(&format!("  {label} — {scope}: {url}\n"));
        }
    }
    format!(
        "{table}\n{}\n{notes}{}\n{sources}",
        grid.legend, grid.sources
    )
}

/// `text` wrapped to the style's width, later lines indented, ending in a newline.
fn wrap(text: &str, style: Style, indent: &str) -> String {
    // Never split inside a word: notes hold record text and header names.
    let options = textwrap::Options::new(usize::from(style.width))
        .subsequent_indent(indent)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false);
    format!("{}\n", textwrap::fill(text, options))
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

pub fn reports(reports: &[Report], style: Style) -> String {
    let mut out = String::new();
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let target = safe(&report.subject.to_string()).into_owned();
        out.push_str(&format!("{}\n", target.bold()));
        let (placed, listed): (Vec<&Finding>, Vec<&Finding>) =
            report.checks.iter().partition(|f| f.cell.is_some());
        if !listed.is_empty() {
            out.push_str(&render_table(&listed, style));
            out.push('\n');
        }
        // Each grid once, in the order its first finding comes.
        let mut grids: Vec<&Grid> = Vec::new();
        for f in &placed {
            if let Some(cell) = f.cell
                && !grids.iter().any(|g| std::ptr::eq(*g, cell.grid))
            {
                grids.push(cell.grid);
            }
        }
        for grid in grids {
            let in_grid: Vec<&Finding> = placed
                .iter()
                .copied()
                .filter(|f| f.cell.is_some_and(|c| std::ptr::eq(c.grid, grid)))
                .collect();
            out.push_str(&grid_table(grid, &in_grid, style));
        }
        out.push_str(&format!("{target}: {}\n", summary_line(&report.summary())));
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
