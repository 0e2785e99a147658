//! The `deliv` binary: parse, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use deliv::cli::Cli;
use deliv::report::Exit;
use deliv::terminal::safe;

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!(
            "deliv: internal error: {} (this is a bug in deliv; please report it)",
            safe(&what)
        );
    }));

    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                let _ = e.print();
                return ExitCode::from(Exit::Usage as u8);
            }
            _ => {
                eprintln!("deliv: error: {} (see `deliv --help`)", safe(&one_line(&e)));
                return ExitCode::from(Exit::Usage as u8);
            }
        },
    };
    match deliv::app::main(cli) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(e) => {
            eprintln!("deliv: error: {}", safe(&e.to_string()));
            ExitCode::from(Exit::Usage as u8)
        }
    }
}

/// clap's message on one line: what it says before the usage and help hints, the names of
/// missing arguments and the possible values included.
fn one_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let said: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect();
    let text = said.join(" ");
    match text.strip_prefix("error: ") {
        Some(rest) => rest.to_string(),
        None if text.is_empty() => "invalid arguments".to_string(),
        None => text,
    }
}
