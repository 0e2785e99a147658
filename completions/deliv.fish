# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_deliv_global_optspecs
    string join \n resolver= timeout= zone= offline format= fail-on= stats color= h/help V/version
end

function __fish_deliv_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_deliv_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_deliv_using_subcommand
    set -l cmd (__fish_deliv_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c deliv -n "__fish_deliv_needs_command" -l resolver -d 'DNS server to ask instead of the system\'s (repeatable, or comma-separated)' -r
complete -c deliv -n "__fish_deliv_needs_command" -l timeout -d 'Seconds to wait for each DNS answer' -r
complete -c deliv -n "__fish_deliv_needs_command" -l zone -d 'Answer names under this zone file\'s apex from the file (repeatable): check a DNS change before publishing it' -r -F
complete -c deliv -n "__fish_deliv_needs_command" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c deliv -n "__fish_deliv_needs_command" -l fail-on -d 'Lowest status that makes the exit code 1' -r -f -a "warn\t''
fail\t''"
complete -c deliv -n "__fish_deliv_needs_command" -l color -d 'Colour in human output (auto: on a terminal, unless NO_COLOR is set)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c deliv -n "__fish_deliv_needs_command" -l offline -d 'Ask no DNS server: names outside the --zone files are errors'
complete -c deliv -n "__fish_deliv_needs_command" -l stats -d 'Report DNS questions asked, cache hits and wall time (stderr; always in JSON)'
complete -c deliv -n "__fish_deliv_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c deliv -n "__fish_deliv_needs_command" -s V -l version -d 'Print version'
complete -c deliv -n "__fish_deliv_needs_command" -f -a "check" -d 'Check sending domains: every built area, or those chosen with --only/--skip'
complete -c deliv -n "__fish_deliv_needs_command" -f -a "spf" -d 'SPF in depth: lint and include tree, or with --ip the RFC 7208 check_host() result'
complete -c deliv -n "__fish_deliv_needs_command" -f -a "dmarc" -d 'DMARC in depth: the record that applies, its tags, report destinations, alignment'
complete -c deliv -n "__fish_deliv_needs_command" -f -a "dkim" -d 'DKIM in depth: the keys under the given selectors, or under common ones'
complete -c deliv -n "__fish_deliv_needs_command" -f -a "ip" -d 'IP reputation in depth: reverse DNS, network and blocklists of each address'
complete -c deliv -n "__fish_deliv_needs_command" -f -a "explain" -d 'Print a check\'s documentation: what it tests, why it matters, how to fix it'
complete -c deliv -n "__fish_deliv_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c deliv -n "__fish_deliv_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c deliv -n "__fish_deliv_using_subcommand check" -l only -d 'Only these areas (comma-separated)' -r
complete -c deliv -n "__fish_deliv_using_subcommand check" -l skip -d 'All built areas but these (comma-separated)' -r
complete -c deliv -n "__fish_deliv_using_subcommand check" -l selector -d 'DKIM selector to check (repeatable; the s= tag of a DKIM-Signature); without it, common selectors are tried' -r
complete -c deliv -n "__fish_deliv_using_subcommand check" -l return-path -d 'The envelope MAIL FROM (return-path, bounce) domain the mail is sent with [default: DOMAIN]' -r
complete -c deliv -n "__fish_deliv_using_subcommand check" -l dkim-domain -d 'The d= domain the mail is DKIM-signed with; its keys are the ones checked [default: DOMAIN]' -r
complete -c deliv -n "__fish_deliv_using_subcommand check" -l ip -d 'A sending IP for the ptr, dnsbl and network areas (repeatable); without it they are derived from SPF and MX' -r
complete -c deliv -n "__fish_deliv_using_subcommand check" -l dnsbl -d 'An IP blocklist zone to ask instead of the default lists (repeatable)' -r
complete -c deliv -n "__fish_deliv_using_subcommand check" -l dbl -d 'A domain blocklist zone to ask instead of the default lists (repeatable)' -r
complete -c deliv -n "__fish_deliv_using_subcommand check" -l spamhaus-key -d 'Spamhaus Data Query Service key: Spamhaus lists are then asked through DQS' -r
complete -c deliv -n "__fish_deliv_using_subcommand check" -l resolver -d 'DNS server to ask instead of the system\'s (repeatable, or comma-separated)' -r
complete -c deliv -n "__fish_deliv_using_subcommand check" -l timeout -d 'Seconds to wait for each DNS answer' -r
complete -c deliv -n "__fish_deliv_using_subcommand check" -l zone -d 'Answer names under this zone file\'s apex from the file (repeatable): check a DNS change before publishing it' -r -F
complete -c deliv -n "__fish_deliv_using_subcommand check" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c deliv -n "__fish_deliv_using_subcommand check" -l fail-on -d 'Lowest status that makes the exit code 1' -r -f -a "warn\t''
fail\t''"
complete -c deliv -n "__fish_deliv_using_subcommand check" -l color -d 'Colour in human output (auto: on a terminal, unless NO_COLOR is set)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c deliv -n "__fish_deliv_using_subcommand check" -l no-dnsbl -d 'Ask no blocklist'
complete -c deliv -n "__fish_deliv_using_subcommand check" -l neighbourhood -d 'Also ask IP lists about the other addresses of each sending IPv4 address\'s /24'
complete -c deliv -n "__fish_deliv_using_subcommand check" -l offline -d 'Ask no DNS server: names outside the --zone files are errors'
complete -c deliv -n "__fish_deliv_using_subcommand check" -l stats -d 'Report DNS questions asked, cache hits and wall time (stderr; always in JSON)'
complete -c deliv -n "__fish_deliv_using_subcommand check" -s h -l help -d 'Print help'
complete -c deliv -n "__fish_deliv_using_subcommand check" -s V -l version -d 'Print version'
complete -c deliv -n "__fish_deliv_using_subcommand spf" -l ip -d 'Evaluate check_host() for mail from this IP' -r
complete -c deliv -n "__fish_deliv_using_subcommand spf" -l sender -d 'The MAIL FROM address (empty: the null sender, postmaster@HELO)' -r
complete -c deliv -n "__fish_deliv_using_subcommand spf" -l helo -d 'The HELO/EHLO name' -r
complete -c deliv -n "__fish_deliv_using_subcommand spf" -l resolver -d 'DNS server to ask instead of the system\'s (repeatable, or comma-separated)' -r
complete -c deliv -n "__fish_deliv_using_subcommand spf" -l timeout -d 'Seconds to wait for each DNS answer' -r
complete -c deliv -n "__fish_deliv_using_subcommand spf" -l zone -d 'Answer names under this zone file\'s apex from the file (repeatable): check a DNS change before publishing it' -r -F
complete -c deliv -n "__fish_deliv_using_subcommand spf" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c deliv -n "__fish_deliv_using_subcommand spf" -l fail-on -d 'Lowest status that makes the exit code 1' -r -f -a "warn\t''
fail\t''"
complete -c deliv -n "__fish_deliv_using_subcommand spf" -l color -d 'Colour in human output (auto: on a terminal, unless NO_COLOR is set)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c deliv -n "__fish_deliv_using_subcommand spf" -l offline -d 'Ask no DNS server: names outside the --zone files are errors'
complete -c deliv -n "__fish_deliv_using_subcommand spf" -l stats -d 'Report DNS questions asked, cache hits and wall time (stderr; always in JSON)'
complete -c deliv -n "__fish_deliv_using_subcommand spf" -s h -l help -d 'Print help'
complete -c deliv -n "__fish_deliv_using_subcommand spf" -s V -l version -d 'Print version'
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -l selector -d 'DKIM selector to check (repeatable; the s= tag of a DKIM-Signature); without it, common selectors are tried' -r
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -l return-path -d 'The envelope MAIL FROM (return-path, bounce) domain the mail is sent with [default: DOMAIN]' -r
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -l dkim-domain -d 'The d= domain the mail is DKIM-signed with; its keys are the ones checked [default: DOMAIN]' -r
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -l resolver -d 'DNS server to ask instead of the system\'s (repeatable, or comma-separated)' -r
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -l timeout -d 'Seconds to wait for each DNS answer' -r
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -l zone -d 'Answer names under this zone file\'s apex from the file (repeatable): check a DNS change before publishing it' -r -F
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -l fail-on -d 'Lowest status that makes the exit code 1' -r -f -a "warn\t''
fail\t''"
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -l color -d 'Colour in human output (auto: on a terminal, unless NO_COLOR is set)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -l offline -d 'Ask no DNS server: names outside the --zone files are errors'
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -l stats -d 'Report DNS questions asked, cache hits and wall time (stderr; always in JSON)'
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -s h -l help -d 'Print help'
complete -c deliv -n "__fish_deliv_using_subcommand dmarc" -s V -l version -d 'Print version'
complete -c deliv -n "__fish_deliv_using_subcommand dkim" -l selector -d 'DKIM selector to check (repeatable; the s= tag of a DKIM-Signature); without it, common selectors are tried' -r
complete -c deliv -n "__fish_deliv_using_subcommand dkim" -l resolver -d 'DNS server to ask instead of the system\'s (repeatable, or comma-separated)' -r
complete -c deliv -n "__fish_deliv_using_subcommand dkim" -l timeout -d 'Seconds to wait for each DNS answer' -r
complete -c deliv -n "__fish_deliv_using_subcommand dkim" -l zone -d 'Answer names under this zone file\'s apex from the file (repeatable): check a DNS change before publishing it' -r -F
complete -c deliv -n "__fish_deliv_using_subcommand dkim" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c deliv -n "__fish_deliv_using_subcommand dkim" -l fail-on -d 'Lowest status that makes the exit code 1' -r -f -a "warn\t''
fail\t''"
complete -c deliv -n "__fish_deliv_using_subcommand dkim" -l color -d 'Colour in human output (auto: on a terminal, unless NO_COLOR is set)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c deliv -n "__fish_deliv_using_subcommand dkim" -l offline -d 'Ask no DNS server: names outside the --zone files are errors'
complete -c deliv -n "__fish_deliv_using_subcommand dkim" -l stats -d 'Report DNS questions asked, cache hits and wall time (stderr; always in JSON)'
complete -c deliv -n "__fish_deliv_using_subcommand dkim" -s h -l help -d 'Print help'
complete -c deliv -n "__fish_deliv_using_subcommand dkim" -s V -l version -d 'Print version'
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l dnsbl -d 'An IP blocklist zone to ask instead of the default lists (repeatable)' -r
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l dbl -d 'A domain blocklist zone to ask instead of the default lists (repeatable)' -r
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l spamhaus-key -d 'Spamhaus Data Query Service key: Spamhaus lists are then asked through DQS' -r
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l resolver -d 'DNS server to ask instead of the system\'s (repeatable, or comma-separated)' -r
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l timeout -d 'Seconds to wait for each DNS answer' -r
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l zone -d 'Answer names under this zone file\'s apex from the file (repeatable): check a DNS change before publishing it' -r -F
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l fail-on -d 'Lowest status that makes the exit code 1' -r -f -a "warn\t''
fail\t''"
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l color -d 'Colour in human output (auto: on a terminal, unless NO_COLOR is set)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l no-dnsbl -d 'Ask no blocklist'
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l neighbourhood -d 'Also ask IP lists about the other addresses of each sending IPv4 address\'s /24'
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l offline -d 'Ask no DNS server: names outside the --zone files are errors'
complete -c deliv -n "__fish_deliv_using_subcommand ip" -l stats -d 'Report DNS questions asked, cache hits and wall time (stderr; always in JSON)'
complete -c deliv -n "__fish_deliv_using_subcommand ip" -s h -l help -d 'Print help'
complete -c deliv -n "__fish_deliv_using_subcommand ip" -s V -l version -d 'Print version'
complete -c deliv -n "__fish_deliv_using_subcommand explain" -l resolver -d 'DNS server to ask instead of the system\'s (repeatable, or comma-separated)' -r
complete -c deliv -n "__fish_deliv_using_subcommand explain" -l timeout -d 'Seconds to wait for each DNS answer' -r
complete -c deliv -n "__fish_deliv_using_subcommand explain" -l zone -d 'Answer names under this zone file\'s apex from the file (repeatable): check a DNS change before publishing it' -r -F
complete -c deliv -n "__fish_deliv_using_subcommand explain" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c deliv -n "__fish_deliv_using_subcommand explain" -l fail-on -d 'Lowest status that makes the exit code 1' -r -f -a "warn\t''
fail\t''"
complete -c deliv -n "__fish_deliv_using_subcommand explain" -l color -d 'Colour in human output (auto: on a terminal, unless NO_COLOR is set)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c deliv -n "__fish_deliv_using_subcommand explain" -l list -d 'List every check id'
complete -c deliv -n "__fish_deliv_using_subcommand explain" -l offline -d 'Ask no DNS server: names outside the --zone files are errors'
complete -c deliv -n "__fish_deliv_using_subcommand explain" -l stats -d 'Report DNS questions asked, cache hits and wall time (stderr; always in JSON)'
complete -c deliv -n "__fish_deliv_using_subcommand explain" -s h -l help -d 'Print help'
complete -c deliv -n "__fish_deliv_using_subcommand explain" -s V -l version -d 'Print version'
complete -c deliv -n "__fish_deliv_using_subcommand completions" -l resolver -d 'DNS server to ask instead of the system\'s (repeatable, or comma-separated)' -r
complete -c deliv -n "__fish_deliv_using_subcommand completions" -l timeout -d 'Seconds to wait for each DNS answer' -r
complete -c deliv -n "__fish_deliv_using_subcommand completions" -l zone -d 'Answer names under this zone file\'s apex from the file (repeatable): check a DNS change before publishing it' -r -F
complete -c deliv -n "__fish_deliv_using_subcommand completions" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c deliv -n "__fish_deliv_using_subcommand completions" -l fail-on -d 'Lowest status that makes the exit code 1' -r -f -a "warn\t''
fail\t''"
complete -c deliv -n "__fish_deliv_using_subcommand completions" -l color -d 'Colour in human output (auto: on a terminal, unless NO_COLOR is set)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c deliv -n "__fish_deliv_using_subcommand completions" -l offline -d 'Ask no DNS server: names outside the --zone files are errors'
complete -c deliv -n "__fish_deliv_using_subcommand completions" -l stats -d 'Report DNS questions asked, cache hits and wall time (stderr; always in JSON)'
complete -c deliv -n "__fish_deliv_using_subcommand completions" -s h -l help -d 'Print help'
complete -c deliv -n "__fish_deliv_using_subcommand completions" -s V -l version -d 'Print version'
complete -c deliv -n "__fish_deliv_using_subcommand help; and not __fish_seen_subcommand_from check spf dmarc dkim ip explain completions help" -f -a "check" -d 'Check sending domains: every built area, or those chosen with --only/--skip'
complete -c deliv -n "__fish_deliv_using_subcommand help; and not __fish_seen_subcommand_from check spf dmarc dkim ip explain completions help" -f -a "spf" -d 'SPF in depth: lint and include tree, or with --ip the RFC 7208 check_host() result'
complete -c deliv -n "__fish_deliv_using_subcommand help; and not __fish_seen_subcommand_from check spf dmarc dkim ip explain completions help" -f -a "dmarc" -d 'DMARC in depth: the record that applies, its tags, report destinations, alignment'
complete -c deliv -n "__fish_deliv_using_subcommand help; and not __fish_seen_subcommand_from check spf dmarc dkim ip explain completions help" -f -a "dkim" -d 'DKIM in depth: the keys under the given selectors, or under common ones'
complete -c deliv -n "__fish_deliv_using_subcommand help; and not __fish_seen_subcommand_from check spf dmarc dkim ip explain completions help" -f -a "ip" -d 'IP reputation in depth: reverse DNS, network and blocklists of each address'
complete -c deliv -n "__fish_deliv_using_subcommand help; and not __fish_seen_subcommand_from check spf dmarc dkim ip explain completions help" -f -a "explain" -d 'Print a check\'s documentation: what it tests, why it matters, how to fix it'
complete -c deliv -n "__fish_deliv_using_subcommand help; and not __fish_seen_subcommand_from check spf dmarc dkim ip explain completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c deliv -n "__fish_deliv_using_subcommand help; and not __fish_seen_subcommand_from check spf dmarc dkim ip explain completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
