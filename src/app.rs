//! Acts on a parsed command line: validates input, builds the run's resolver, gathers,
//! checks and prints. Everything the binary does is here; `main` only maps the outcome
//! to a process exit code.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::CommandFactory;
use serde_json::json;

use crate::checks::{self, Area, Status};
use crate::cli::{
    AlignmentArgs, CheckArgs, Cli, ColorChoice, Command, ExplainArgs, Format, Global, IpArgs,
    ListArgs, SelectorArgs, SpfArgs,
};
use crate::dkim::selectors;
use crate::dns::{Name, Resolver, ResolverConfig, Zone};
use crate::report::{self, DomainReport, Exit, human, json as json_report};
use crate::reputation::{self, lists};
use crate::run;
use crate::spf::{self, SpfResult};

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
    let style = human::Style {
        color: use_color(cli.global.color),
        terminal: std::io::stdout().is_terminal(),
    };
    colored::control::set_override(style.color);
    match cli.command {
        Command::Check(args) => check(&cli.global, &args, style),
        Command::Spf(args) => spf_command(&cli.global, &args, style),
        Command::Dmarc(args) => area_command(
            &cli.global,
            Area::Dmarc,
            &args.domain,
            &args.selectors,
            Some(&args.alignment),
            style,
        ),
        Command::Dkim(args) => area_command(
            &cli.global,
            Area::Dkim,
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
            "--timeout {} is out of range: give seconds between 0 and 120",
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

fn areas(args: &CheckArgs) -> Result<BTreeSet<Area>, UsageError> {
    if let Some(unbuilt) = args.only.iter().find(|a| !a.is_implemented()) {
        let built: Vec<&str> = Area::IMPLEMENTED.iter().map(|a| a.as_str()).collect();
        return Err(UsageError::new(format!(
            "area '{unbuilt}' is not built yet; built areas: {}",
            built.join(", ")
        )));
    }
    let chosen: BTreeSet<Area> = if args.only.is_empty() {
        Area::IMPLEMENTED.into_iter().collect()
    } else {
        args.only.iter().copied().collect()
    };
    Ok(chosen
        .into_iter()
        .filter(|a| !args.skip.contains(a))
        .collect())
}

/// Renders reports as the format asks and returns the exit code they give.
fn emit_reports(
    global: &Global,
    reports: &[DomainReport],
    resolver: &Resolver,
    style: human::Style,
) -> Exit {
    let stats = resolver.stats();
    match global.format {
        Format::Json => print_json(&json_report::reports(reports, Some(&stats))),
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
) -> Result<run::Options, UsageError> {
    let named = |flag: &str, text: &Option<String>| {
        text.as_deref()
            .map(|t| {
                Name::from_user(t)
                    .map_err(|e| UsageError::new(format!("{flag} '{t}' is not a domain name: {e}")))
            })
            .transpose()
    };
    let identifiers = checks::dmarc::Identifiers {
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
    Ok(run::Options {
        selectors: selectors.selectors.clone(),
        identifiers,
        ..run::Options::default()
    })
}

/// Checks `domains` in `areas` and prints the reports.
fn run_checks(
    global: &Global,
    domains: &[Name],
    areas: &BTreeSet<Area>,
    options: &run::Options,
    style: human::Style,
) -> Result<Exit, UsageError> {
    let resolver = resolver(global)?;
    let reports = runtime()?.block_on(run::check_domains(&resolver, domains, areas, options));
    Ok(emit_reports(global, &reports, &resolver, style))
}

fn check(global: &Global, args: &CheckArgs, style: human::Style) -> Result<Exit, UsageError> {
    let domains = args
        .domains
        .iter()
        .map(|d| domain(d))
        .collect::<Result<Vec<_>, _>>()?;
    let areas = areas(args)?;
    if areas.is_empty() {
        return Err(UsageError::new("--skip leaves no area to check"));
    }
    let mut options = options(&domains, &args.selectors, Some(&args.alignment))?;
    options.reputation = reputation_options(&args.ips, &args.lists)?;
    run_checks(global, &domains, &areas, &options, style)
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
    run_checks(global, &domains, &BTreeSet::from([area]), &options, style)
}

fn ip_command(global: &Global, args: &IpArgs, style: human::Style) -> Result<Exit, UsageError> {
    let ips = args
        .ips
        .iter()
        .map(|t| ip_address(t, ""))
        .collect::<Result<Vec<_>, _>>()?;
    let options = reputation_options(&[], &args.lists)?;
    let resolver = resolver(global)?;
    let reports = runtime()?.block_on(run::check_ips(&resolver, &ips, &options));
    Ok(emit_reports(global, &reports, &resolver, style))
}

fn spf_command(global: &Global, args: &SpfArgs, style: human::Style) -> Result<Exit, UsageError> {
    let Some(ip_text) = &args.ip else {
        let none = SelectorArgs::default();
        return area_command(global, Area::Spf, &args.domain, &none, None, style);
    };
    let ip = ip_address(ip_text, "--ip ")?;
    let resolver = resolver(global)?;
    let query = spf::Query {
        ip,
        sender: args.sender.clone().unwrap_or_default(),
        helo: args.helo.clone().unwrap_or_default(),
        domain: args.domain.clone(),
    };
    let evaluation = runtime()?.block_on(spf::check_host(&resolver, &query));
    let status = sender_status(evaluation.result);
    let remediation = spf_remediation(&query, &evaluation);
    match global.format {
        Format::Json => {
            let evidence: Vec<checks::Evidence> = evaluation
                .consulted
                .iter()
                .map(checks::Evidence::from)
                .collect();
            print_json(&json_report::document(
                json!({
                    "result": evaluation.result,
                    "status": status,
                    "domain": query.domain,
                    "ip": ip.to_canonical().to_string(),
                    "sender": query.sender,
                    "helo": query.helo,
                    "mechanism": evaluation.mechanism,
                    "matched_in": evaluation.matched_in,
                    "explanation": evaluation.explanation,
                    "problem": evaluation.problem,
                    "remediation": remediation,
                    "dns_lookups": evaluation.dns_lookups,
                    "void_lookups": evaluation.void_lookups,
                    "trace": evaluation.trace,
                    "evidence": evidence,
                }),
                Some(&resolver.stats()),
            ));
        }
        Format::Human => {
            let mut out = format!(
                "check_host({ip}, {}, sender {:?}, helo {:?}) = {}\n",
                query.domain,
                query.sender,
                query.helo,
                human::status_word(status, evaluation.result.as_str())
            );
            if let Some(m) = &evaluation.mechanism {
                out.push_str(&format!(
                    "  decided by '{m}' in {}\n",
                    evaluation.matched_in.as_deref().unwrap_or("?")
                ));
            }
            if let Some(e) = &evaluation.explanation {
                out.push_str(&format!("  explanation: {e}\n"));
            }
            if let Some(p) = &evaluation.problem {
                out.push_str(&format!("  why: {p}\n"));
            }
            if let Some(fix) = &remediation {
                out.push_str(&format!("  → {fix}\n"));
            }
            out.push_str(&format!(
                "  DNS-querying terms: {} of {}; void lookups: {} of {}\n",
                evaluation.dns_lookups,
                spf::eval::MAX_DNS_LOOKUPS,
                evaluation.void_lookups,
                spf::eval::MAX_VOID_LOOKUPS
            ));
            out.push_str("trace:\n");
            for line in &evaluation.trace {
                out.push_str(&format!("  {line}\n"));
            }
            print(&out);
            if global.stats {
                eprintln!("{}", human::stats(&resolver.stats()));
            }
        }
    }
    Ok(Exit::from_statuses([status], global.fail_on))
}

/// What an SPF result means for the sender who asked: anything that is not `pass` keeps
/// mail from authenticating by SPF (neutral is only a warning: it neither helps nor fails).
fn sender_status(result: SpfResult) -> Status {
    match result {
        SpfResult::Pass => Status::Pass,
        SpfResult::Neutral => Status::Warn,
        SpfResult::TempError => Status::Error,
        SpfResult::Fail | SpfResult::SoftFail | SpfResult::None | SpfResult::PermError => {
            Status::Fail
        }
    }
}

/// What the sender changes when mail from this IP does not pass.
fn spf_remediation(query: &spf::Query, evaluation: &spf::Evaluation) -> Option<String> {
    let (domain, ip) = (&query.domain, query.ip.to_canonical());
    let family = if ip.is_ipv4() { "ip4" } else { "ip6" };
    let problem = evaluation.problem.as_deref().unwrap_or("");
    Some(match evaluation.result {
        SpfResult::Pass => return None,
        SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => format!(
            "{ip} is not authorised by {domain}: if it sends for {domain}, add `{family}:{ip}` (or its \
             provider's include) to the record, before the `all` term"
        ),
        SpfResult::None => format!(
            "{domain} has no SPF record: publish one listing every sender, e.g. `v=spf1 {family}:{ip} -all`"
        ),
        SpfResult::PermError => format!(
            "receivers treat this as a failure for every message: {problem}; `deliv spf {domain}` lints the record"
        ),
        SpfResult::TempError => {
            format!("a DNS lookup failed ({problem}); nothing is concluded: retry")
        }
    })
}

fn explain(global: &Global, args: &ExplainArgs) -> Result<Exit, UsageError> {
    if args.list {
        match global.format {
            Format::Json => {
                let list: Vec<_> = checks::registry()
                    .map(|c| json!({"id": c.id, "area": c.area, "title": c.title}))
                    .collect();
                print_json(&json_report::document(json!({ "checks": list }), None));
            }
            Format::Human => {
                let width = checks::registry().map(|c| c.id.len()).max().unwrap_or(0);
                let lines: String = checks::registry()
                    .map(|c| format!("{:width$}  {}\n", c.id, c.title))
                    .collect();
                print(&lines);
            }
        }
        return Ok(Exit::Clean);
    }
    let id = args.id.as_deref().unwrap_or_default();
    let Some(check) = checks::find(id) else {
        let hint = checks::registry()
            .filter(|c| c.id.starts_with(id.split('.').next().unwrap_or(id)))
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
        Format::Json => print_json(&json_report::document(
            json!({
                "id": check.id,
                "area": check.area,
                "title": check.title,
                "doc": check.explain(),
                "references": check.references,
            }),
            None,
        )),
        Format::Human => print(&check.explain()),
    }
    Ok(Exit::Clean)
}
