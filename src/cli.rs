//! The command line (clap types only; `app` acts on them).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::checks::{Area, parse_area};
use crate::report::FailOn;

#[derive(Debug, Parser)]
#[command(
    name = "deliv",
    version,
    about = "Why mail from a domain is not reaching the inbox, and what to change",
    long_about = "Checks a sending domain's DNS (MX, SPF, DKIM, DMARC, reverse DNS, blocklists) \
                  against the RFCs and the sender requirements of Gmail, Yahoo and Microsoft, \
                  and says what to change. `250 OK` from a receiver means accepted, not \
                  delivered to the inbox: these checks are what receivers weigh next.",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// DNS server to ask instead of the system's (repeatable, or comma-separated)
    #[arg(
        long,
        global = true,
        env = "DELIV_RESOLVER",
        value_delimiter = ',',
        value_name = "IP[:PORT]"
    )]
    pub resolver: Vec<String>,

    /// Seconds to wait for each DNS answer
    #[arg(long, global = true, default_value_t = 5.0, value_name = "SECS")]
    pub timeout: f64,

    /// Answer names under this zone file's apex from the file (repeatable): check a DNS change
    /// before publishing it
    #[arg(long, global = true, value_name = "FILE")]
    pub zone: Vec<PathBuf>,

    /// Ask no DNS server: names outside the --zone files are errors
    #[arg(long, global = true)]
    pub offline: bool,

    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Lowest status that makes the exit code 1
    #[arg(long, global = true, value_enum, default_value_t = FailOn::Fail)]
    pub fail_on: FailOn,

    /// Report DNS questions asked, cache hits and wall time (stderr; always in JSON)
    #[arg(long, global = true)]
    pub stats: bool,

    /// Colour in human output (auto: on a terminal, unless NO_COLOR is set)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check sending domains: every built area, or those chosen with --only/--skip
    Check(CheckArgs),
    /// SPF in depth: lint and include tree, or with --ip the RFC 7208 check_host() result
    Spf(SpfArgs),
    /// DMARC in depth: the record that applies, its tags, report destinations, alignment
    Dmarc(DmarcArgs),
    /// DKIM in depth: the keys under the given selectors, or under common ones
    Dkim(DkimArgs),
    /// IP reputation in depth: reverse DNS, network and blocklists of each address
    Ip(IpArgs),
    /// Print a check's documentation: what it tests, why it matters, how to fix it
    Explain(ExplainArgs),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Domains to check (IDNs are fine)
    #[arg(required = true, value_name = "DOMAIN")]
    pub domains: Vec<String>,

    /// Only these areas (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "AREA", value_parser = parse_area)]
    pub only: Vec<Area>,

    /// All built areas but these (comma-separated)
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "AREA",
        value_parser = parse_area,
        conflicts_with = "only"
    )]
    pub skip: Vec<Area>,

    #[command(flatten)]
    pub selectors: SelectorArgs,

    #[command(flatten)]
    pub alignment: AlignmentArgs,

    /// A sending IP for the ptr, dnsbl and network areas (repeatable); without it they are
    /// derived from SPF and MX
    #[arg(long = "ip", value_name = "IP")]
    pub ips: Vec<String>,

    #[command(flatten)]
    pub lists: ListArgs,
}

/// Where DKIM keys are looked for.
#[derive(Debug, Default, Args)]
pub struct SelectorArgs {
    /// DKIM selector to check (repeatable; the s= tag of a DKIM-Signature); without it,
    /// common selectors are tried
    #[arg(long = "selector", value_name = "S")]
    pub selectors: Vec<String>,
}

/// The identities DMARC alignment is judged with.
#[derive(Debug, Args)]
pub struct AlignmentArgs {
    /// The envelope MAIL FROM (return-path, bounce) domain the mail is sent with
    /// [default: DOMAIN]
    #[arg(long, value_name = "DOMAIN")]
    pub return_path: Option<String>,

    /// The d= domain the mail is DKIM-signed with; its keys are the ones checked
    /// [default: DOMAIN]
    #[arg(long, value_name = "DOMAIN")]
    pub dkim_domain: Option<String>,
}

#[derive(Debug, Args)]
pub struct DmarcArgs {
    /// The From domain whose DMARC policy applies
    #[arg(value_name = "DOMAIN")]
    pub domain: String,

    #[command(flatten)]
    pub selectors: SelectorArgs,

    #[command(flatten)]
    pub alignment: AlignmentArgs,
}

#[derive(Debug, Args)]
pub struct DkimArgs {
    /// The signing domain (the d= of signatures) whose keys are checked
    #[arg(value_name = "DOMAIN")]
    pub domain: String,

    #[command(flatten)]
    pub selectors: SelectorArgs,
}

#[derive(Debug, Args)]
pub struct IpArgs {
    /// IPv4 or IPv6 addresses to check
    #[arg(required = true, value_name = "IP")]
    pub ips: Vec<String>,

    #[command(flatten)]
    pub lists: ListArgs,
}

/// Which blocklists to ask.
#[derive(Debug, Args)]
#[command(next_help_heading = "Blocklists")]
pub struct ListArgs {
    /// An IP blocklist zone to ask instead of the default lists (repeatable)
    #[arg(long, value_name = "ZONE")]
    pub dnsbl: Vec<String>,

    /// A domain blocklist zone to ask instead of the default lists (repeatable)
    #[arg(long, value_name = "ZONE")]
    pub dbl: Vec<String>,

    /// Ask no blocklist
    #[arg(long, conflicts_with_all = ["dnsbl", "dbl"])]
    pub no_dnsbl: bool,

    /// Spamhaus Data Query Service key: Spamhaus lists are then asked through DQS
    #[arg(
        long,
        env = "DELIV_SPAMHAUS_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub spamhaus_key: Option<String>,

    /// Also ask IP lists about the other addresses of each sending IPv4 address's /24
    #[arg(long)]
    pub neighbourhood: bool,
}

#[derive(Debug, Args)]
pub struct SpfArgs {
    /// The domain whose SPF policy is read (with --ip, taken as given: a malformed name
    /// evaluates to `none`, as RFC 7208 §4.3 says)
    #[arg(value_name = "DOMAIN")]
    pub domain: String,

    /// Evaluate check_host() for mail from this IP
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,

    /// The MAIL FROM address (empty: the null sender, postmaster@HELO)
    #[arg(long, value_name = "ADDR", requires = "ip")]
    pub sender: Option<String>,

    /// The HELO/EHLO name
    #[arg(long, value_name = "NAME", requires = "ip")]
    pub helo: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A check id, e.g. spf.lookup-limit
    #[arg(value_name = "CHECK_ID", required_unless_present = "list")]
    pub id: Option<String>,

    /// List every check id
    #[arg(long, conflicts_with = "id")]
    pub list: bool,
}
