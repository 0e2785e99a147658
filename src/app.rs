//! Acts on a parsed command line: checks the input, builds the run's resolver, hands the
//! subjects to the orchestrator ([`run`]) and the results to a renderer ([`report`]). `main`
//! only maps the outcome to a process exit code.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::CommandFactory;

use crate::checks::{self, Area, Options, Subject, SubjectKind, dkim, dmarc, spf};
use crate::cli::{
    AlignmentArgs, CheckArgs, Cli, ColorChoice, Command, ExplainArgs, Format, Global, IpArgs,
    ListArgs, SelectorArgs, SpfArgs,
};
use crate::dkim::selectors;
use crate::dmarc::Identifiers;
use crate::dns::{Name, Resolver, ResolverConfig, Zone};
use crate::report::{self, Exit, Report, evaluation, explain as explain_report, human};
use crate::reputation::{self, lists};
use crate::run;

/// A problem with what the user asked for: one line on stderr, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl UsageError {
    fn new(msg: impl Into<String>) -> Self {
        UsageError(msg.into())
    }
}

pub fn main(cli: Cli) -> Result<Exit, UsageError> {
    let terminal = std::io::stdout().is_terminal();
    let style = human::Style {
        color: use_color(cli.global.color),
        terminal,
        width: human::width(terminal, std::env::var("COLUMNS").ok().as_deref()),
    };
    colored::control::set_override(style.color);
    match cli.command {
        Command::Check(args) => check(&cli.global, &args, style),
        Command::Spf(args) => spf_command(&cli.global, &args, style),
        Command::Dmarc(args) => area_command(
            &cli.global,
            dmarc::NAME,
            &args.domain,
            &args.selectors,
            Some(&args.alignment),
            style,
        ),
        Command::Dkim(args) => area_command(
            &cli.global,
            dkim::NAME,
            &args.domain,
            &args.selectors,
            None,
            style,
        ),
        Command::Ip(args) => ip_command(&cli.global, &args, style),
        Command::Explain(args) => explain(&cli.global, &args),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "deliv", &mut out);
            print(&String::from_utf8_lossy(&out));
            Ok(Exit::Clean)
        }
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// Writes to stdout; a closed pipe (`deliv ... | head`) is not an error worth a panic.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn print_json(value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    print(&format!("{text}\n"));
}

fn parse_server(text: &str) -> Result<SocketAddr, UsageError> {
    let text = text.trim();
    text.parse::<SocketAddr>()
        .or_else(|_| text.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
        .map_err(|_| {
            UsageError::new(format!(
                "--resolver '{text}' is not an IP address or IP:PORT (e.g. 192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:53)"
            ))
        })
}

fn resolver(global: &Global) -> Result<Resolver, UsageError> {
    if !(global.timeout > 0.0 && global.timeout <= 120.0) {
        return Err(UsageError::new(format!(
            "--timeout {} is out of range: give more than 0 and at most 120 seconds",
            global.timeout
        )));
    }
    let servers = global
        .resolver
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_server(s))
        .collect::<Result<Vec<_>, _>>()?;
    let zones = global
        .zone
        .iter()
        .map(|path| Zone::from_file(path).map_err(|e| UsageError::new(format!("zone file {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Resolver::new(ResolverConfig {
        servers,
        timeout: Duration::from_secs_f64(global.timeout),
        zones,
        offline: global.offline,
    })
    .map_err(|e| UsageError::new(e.to_string()))
}

fn runtime() -> Result<tokio::runtime::Runtime, UsageError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError::new(format!("cannot start: {e}")))
}

fn domain(text: &str) -> Result<Name, UsageError> {
    Name::from_user(text)
        .map_err(|e| UsageError::new(format!("'{text}' is not a domain name: {e}")))
}

/// An address from the command line; `flag` names where it was given, for the message.
fn ip_address(text: &str, flag: &str) -> Result<IpAddr, UsageError> {
    text.trim()
        .parse::<IpAddr>()
        .map_err(|_| UsageError::new(format!("{flag}'{text}' is not an IPv4 or IPv6 address")))
}

fn reputation_options(ips: &[String], args: &ListArgs) -> Result<reputation::Options, UsageError> {
    let ips = ips
        .iter()
        .map(|t| ip_address(t, "--ip "))
        .collect::<Result<Vec<_>, _>>()?;
    let lists = lists::select(&lists::Choice {
        dnsbl: args.dnsbl.clone(),
        dbl: args.dbl.clone(),
        none: args.no_dnsbl,
        spamhaus_key: args.spamhaus_key.clone(),
    })
    .map_err(UsageError)?;
    Ok(reputation::Options {
        ips,
        lists,
        neighbourhood: args.neighbourhood,
    })
}

/// The areas `check` runs: `--only`, or every area for domains but `--skip`.
fn areas(args: &CheckArgs) -> BTreeSet<Area> {
    let chosen: BTreeSet<Area> = if args.only.is_empty() {
        checks::areas_for(SubjectKind::Domain)
            .map(|d| d.area)
            .collect()
    } else {
        args.only.iter().copied().collect()
    };
    chosen
        .into_iter()
        .filter(|a| !args.skip.contains(a))
        .collect()
}

/// Renders reports as the format asks and returns the exit code they give.
fn emit_reports(
    global: &Global,
    reports: &[Report],
    resolver: &Resolver,
    style: human::Style,
) -> Exit {
    let stats = resolver.stats();
    match global.format {
        Format::Json => print_json(&report::json::reports(reports, Some(&stats))),
        Format::Human => {
            print(&human::reports(reports, style));
            if global.stats {
                eprintln!("{}", human::stats(&stats));
            }
        }
    }
    report::exit_code(reports, global.fail_on)
}

/// The run's options from `--selector`, `--return-path` and `--dkim-domain`, checked against
/// every domain they will be combined with.
fn options(
    domains: &[Name],
    selectors: &SelectorArgs,
    alignment: Option<&AlignmentArgs>,
) -> Result<Options, UsageError> {
    let named = |flag: &str, text: &Option<String>| {
        text.as_deref()
            .map(|t| {
                Name::from_user(t)
                    .map_err(|e| UsageError::new(format!("{flag} '{t}' is not a domain name: {e}")))
            })
            .transpose()
    };
    let identifiers = Identifiers {
        return_path: named(
            "--return-path",
            &alignment.and_then(|a| a.return_path.clone()),
        )?,
        dkim_domain: named(
            "--dkim-domain",
            &alignment.and_then(|a| a.dkim_domain.clone()),
        )?,
    };
    for s in &selectors.selectors {
        if !selectors::is_valid(s) {
            return Err(UsageError::new(format!(
                "--selector '{s}' is not a selector: labels of letters, digits, '-' and '_', separated by dots"
            )));
        }
        for d in domains {
            let signer = identifiers.dkim_domain.as_ref().unwrap_or(d);
            if signer.prepend(&format!("{s}._domainkey")).is_err() {
                return Err(UsageError::new(format!(
                    "--selector '{s}' makes {s}._domainkey.{signer} longer than a domain name may be"
                )));
            }
        }
    }
    Ok(Options {
        selectors: selectors.selectors.clone(),
        identifiers,
        ..Options::default()
    })
}

/// Checks `subjects` in `areas` and prints the reports.
fn run_checks(
    global: &Global,
    subjects: Vec<Subject>,
    areas: &BTreeSet<Area>,
    options: &Options,
    style: human::Style,
) -> Result<Exit, UsageError> {
    let resolver = resolver(global)?;
    let reports = runtime()?.block_on(run::check_all(&resolver, subjects, areas, options));
    Ok(emit_reports(global, &reports, &resolver, style))
}

fn domain_subjects(domains: &[Name]) -> Vec<Subject> {
    domains.iter().cloned().map(Subject::Domain).collect()
}

fn check(global: &Global, args: &CheckArgs, style: human::Style) -> Result<Exit, UsageError> {
    let domains = args
        .domains
        .iter()
        .map(|d| domain(d))
        .collect::<Result<Vec<_>, _>>()?;
    let areas = areas(args);
    if areas.is_empty() {
        return Err(UsageError::new("--skip leaves no area to check"));
    }
    let mut options = options(&domains, &args.selectors, Some(&args.alignment))?;
    options.reputation = reputation_options(&args.ips, &args.lists)?;
    run_checks(global, domain_subjects(&domains), &areas, &options, style)
}

/// `deliv dmarc`, `deliv dkim` and `deliv spf` without `--ip`: one area of one domain, in depth.
fn area_command(
    global: &Global,
    area: Area,
    domain_text: &str,
    selectors: &SelectorArgs,
    alignment: Option<&AlignmentArgs>,
    style: human::Style,
) -> Result<Exit, UsageError> {
    let domains = [domain(domain_text)?];
    let options = options(&domains, selectors, alignment)?;
    run_checks(
        global,
        domain_subjects(&domains),
        &BTreeSet::from([area]),
        &options,
        style,
    )
}

fn ip_command(global: &Global, args: &IpArgs, style: human::Style) -> Result<Exit, UsageError> {
    let ips = args
        .ips
        .iter()
        .map(|t| ip_address(t, ""))
        .collect::<Result<Vec<_>, _>>()?;
    let options = Options {
        reputation: reputation_options(&[], &args.lists)?,
        ..Options::default()
    };
    let areas: BTreeSet<Area> = checks::areas_for(SubjectKind::Ip).map(|d| d.area).collect();
    let subjects = ips.into_iter().map(Subject::Ip).collect();
    run_checks(global, subjects, &areas, &options, style)
}

fn spf_command(global: &Global, args: &SpfArgs, style: human::Style) -> Result<Exit, UsageError> {
    let Some(ip_text) = &args.ip else {
        let none = SelectorArgs::default();
        return area_command(global, spf::NAME, &args.domain, &none, None, style);
    };
    let ip = ip_address(ip_text, "--ip ")?;
    let resolver = resolver(global)?;
    let query = crate::spf::Query {
        ip,
        sender: args.sender.clone().unwrap_or_default(),
        helo: args.helo.clone().unwrap_or_default(),
        domain: args.domain.clone(),
    };
    let evaluation = runtime()?.block_on(crate::spf::check_host(&resolver, &query));
    let verdict = spf::judge(&query, &evaluation);
    match global.format {
        Format::Json => print_json(&evaluation::json(
            &query,
            &evaluation,
            &verdict,
            &resolver.stats(),
        )),
        Format::Human => {
            print(&evaluation::human(&query, &evaluation, &verdict));
            if global.stats {
                eprintln!("{}", human::stats(&resolver.stats()));
            }
        }
    }
    Ok(Exit::from_statuses([verdict.status], global.fail_on))
}

fn explain(global: &Global, args: &ExplainArgs) -> Result<Exit, UsageError> {
    if args.list {
        match global.format {
            Format::Json => print_json(&explain_report::list_json()),
            Format::Human => print(&explain_report::list_human()),
        }
        return Ok(Exit::Clean);
    }
    let id = args.id.as_deref().unwrap_or_default();
    let Some(check) = checks::find(id) else {
        // Suggest the ids of the area named, if the text starts with one.
        let area = id.split('.').next().unwrap_or_default();
        let hint = checks::registry()
            .filter(|c| !area.is_empty() && c.area.as_str().eq_ignore_ascii_case(area))
            .map(|c| c.id)
            .collect::<Vec<_>>();
        let hint = if hint.is_empty() {
            "run `deliv explain --list` for every id".to_string()
        } else {
            format!("did you mean one of: {}?", hint.join(", "))
        };
        return Err(UsageError::new(format!(
            "no check has the id '{id}'; {hint}"
        )));
    };
    match global.format {
        Format::Json => print_json(&explain_report::check_json(check)),
        Format::Human => print(&check.explain()),
    }
    Ok(Exit::Clean)
}
