//! Every `deliv` command the reply knowledge base suggests is one the command line accepts.

use clap::Parser;
use deliv::cli::Cli;
use deliv::replies::{ENTRIES, Hint, explain};

#[test]
fn suggested_commands_parse() {
    let hint = Hint {
        sending_ip: Some("203.0.113.9".parse().unwrap()),
        sender_domain: Some(deliv::dns::Name::parse("example.com").unwrap()),
        ..Hint::default()
    };
    let mut checked = 0;
    for entry in ENTRIES.iter().filter(|e| e.next.is_some()) {
        let example = entry.examples[0].text;
        let next = explain(example, &hint).next.unwrap();
        assert!(next.complete, "{}: {}", entry.id, next.command);
        let argv = next.command.split(' ');
        if let Err(e) = Cli::try_parse_from(argv) {
            panic!("{}: `{}` does not parse: {e}", entry.id, next.command);
        }
        checked += 1;
    }
    assert!(checked > 20);
}
