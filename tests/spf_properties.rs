//! Property tests (a bounded number of cases, so CI stays fast): the SPF record parser, the
//! repair of syntax errors and the lookalike reader never panic on any input and stay
//! bounded; include graphs of any shape are walked without panic and with bounded output, a
//! loop is named only where there is a cycle; and a graph holding a pass-qualified term that
//! matches everyone, reached through pass-qualified includes at any depth, never gets a pass
//! from `spf.broad-range` nor a plain pass from the verdict `deliv spf --ip` gives.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use deliv::checks::spf::{self, SpfFacts, Standing};
use deliv::checks::{Finding, Status};
use deliv::dns::{Name, Resolver, ResolverConfig, Zone};
use deliv::spf::tree;
use deliv::spf::{Lookalike, Query, Record, check_host, repair};
use proptest::prelude::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    }
}

/// Text built from pieces of SPF syntax, so that most cases get past the first term.
fn spf_ish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("include:".to_string()),
        Just("a".to_string()),
        Just("mx".to_string()),
        Just("ptr".to_string()),
        Just("exists:".to_string()),
        Just("ip4:".to_string()),
        Just("ip6:".to_string()),
        Just("all".to_string()),
        Just("redirect=".to_string()),
        Just("exp=".to_string()),
        Just("%{i}".to_string()),
        Just("%{d2r}".to_string()),
        Just("192.0.2.1".to_string()),
        Just("2001:db8::".to_string()),
        Just("example.com".to_string()),
        "[-+~?/:=.%{}_ a-z0-9]{0,6}",
        "\\PC{0,3}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn parsing_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Record::parse(&bytes);
        let _ = Lookalike::of(&bytes);
        let mut spf = b"v=spf1 ".to_vec();
        spf.extend_from_slice(&bytes);
        let _ = Record::parse(&spf);
    }

    #[test]
    fn repairs_parse_and_stay_small(body in spf_ish(), version in prop_oneof![
        Just("v=spf1 "), Just("V=SPF1 "), Just(" v=spf1 "), Just("v=spf1"), Just("spf1 "),
        Just("\"v=spf1 "),
    ]) {
        let text = format!("{version}{body}");
        let _ = Record::parse(text.as_bytes());
        if let Some(fixed) = repair(&text) {
            prop_assert!(Record::parse(fixed.as_bytes()).is_ok(), "{text:?} → {fixed:?}");
            prop_assert!(fixed != text);
            prop_assert!(fixed.len() <= 2 * text.len() + 16, "{text:?} → {fixed:?}");
        }
        if let Some(l) = Lookalike::of(text.as_bytes())
            && let Some(fixed) = &l.corrected
        {
            prop_assert!(Record::parse(fixed.as_bytes()).is_ok(), "{text:?} → {fixed:?}");
        }
    }
}

const HEAD: &str = "$ORIGIN gen.test.\n$TTL 300\n\
@ SOA ns.gen.test. hostmaster.gen.test. 1 3600 600 86400 300\n\
@ NS ns\nns A 192.0.2.53\nhost A 192.0.2.10\nhost6 AAAA 2001:db8::10\n\
open TXT \"v=spf1 +all\"\n";

/// Resolves, gathers and checks `domain` against zone text, offline.
fn run<T>(zone: &str, work: impl AsyncFnOnce(&Resolver) -> T) -> T {
    let zone = Zone::parse(zone, Path::new("generated.zone")).expect("generated zone parses");
    let resolver = Resolver::new(ResolverConfig {
        servers: Vec::new(),
        timeout: Duration::from_secs(5),
        zones: vec![zone],
        offline: true,
    })
    .expect("offline resolver");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(work(&resolver))
}

fn worst(findings: &[Finding], id: &str) -> Option<Status> {
    findings
        .iter()
        .filter(|f| f.id() == id)
        .map(|f| f.status)
        .max()
}

/// A term that matches every address of a family (given its target's records in HEAD).
fn match_all() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("all"),
        Just("ip4:0.0.0.0/0"),
        Just("ip6:::/0"),
        Just("a:host.gen.test/0"),
        Just("a:host6.gen.test//0"),
        Just("mx/0"),
        Just("exists:host.gen.test"),
    ]
}

/// Terms that match a few addresses at most; `lookup` says whether it costs a DNS lookup.
fn filler() -> impl Strategy<Value = (String, bool)> {
    let q = prop_oneof![Just(""), Just("+"), Just("-"), Just("~"), Just("?")];
    (q, 0u8..6, 0u8..250).prop_map(|(q, kind, n)| match kind {
        0 => (format!("{q}ip4:198.51.100.{n}"), false),
        1 => (format!("{q}ip6:2001:db8::{n:x}"), false),
        2 => (format!("{q}a:host.gen.test"), true),
        3 => (format!("{q}mx"), true),
        4 => ("-include:open.gen.test".to_string(), true),
        _ => (format!("{q}ip4:203.0.113.{n}/30"), false),
    })
}

/// One record of a chain: a few fillers (at most one lookup), then `core`, then fillers and
/// an ending (none when `core` is a redirect, which an `all` would shadow).
fn chain_record(core: String) -> impl Strategy<Value = String> {
    let redirect = core.starts_with("redirect=");
    (
        proptest::collection::vec(filler(), 0..4),
        proptest::collection::vec(filler(), 0..3),
        prop_oneof![Just(""), Just("-all"), Just("~all"), Just("?all")],
    )
        .prop_map(move |(before, after, ending)| {
            // At most one filler lookup per record: four records stay within the limit.
            let mut lookups = 0;
            let mut within = |(t, lookup): (String, bool)| {
                let keep = !lookup || lookups == 0;
                lookups += usize::from(lookup);
                keep.then_some(t)
            };
            let mut terms: Vec<String> = before.into_iter().filter_map(&mut within).collect();
            terms.push(core.clone());
            terms.extend(after.into_iter().filter_map(&mut within));
            if !redirect {
                terms.push(ending.to_string());
            }
            Record::text_with(terms.iter().map(String::as_str).filter(|t| !t.is_empty()))
        })
}

/// A chain r0 → … → rN of pass-qualified includes or redirects (N ≤ 3), the last record
/// holding `planted`, within the lookup limit.
fn chain_zone(planted: impl Strategy<Value = String>) -> impl Strategy<Value = (String, String)> {
    let links = proptest::collection::vec(
        prop_oneof![Just("include:"), Just("+include:"), Just("redirect=")],
        3,
    );
    (1usize..=4, planted, links)
        .prop_flat_map(|(len, planted, links)| {
            let records: Vec<_> = (0..len)
                .map(|i| {
                    let core = if i + 1 == len {
                        planted.clone()
                    } else {
                        format!("{}r{}.gen.test", links[i], i + 1)
                    };
                    chain_record(core).boxed()
                })
                .collect();
            (records, Just(planted))
        })
        .prop_map(|(records, planted)| {
            let mut zone = HEAD.to_string();
            for (i, r) in records.iter().enumerate() {
                zone.push_str(&format!("r{i} TXT \"{r}\"\nr{i} MX 10 host.gen.test.\n"));
            }
            (zone, planted)
        })
}

fn addresses() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u8; 16]>().prop_map(IpAddr::from),
        Just("192.0.2.10".parse().unwrap()),
        Just("198.51.100.7".parse().unwrap()),
    ]
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn a_reachable_match_all_pass_term_never_passes(
        (zone, planted) in chain_zone(
            (prop_oneof![Just(""), Just("+")], match_all()).prop_map(|(q, t)| format!("{q}{t}"))
        ),
        ip in addresses(),
    ) {
        let domain = Name::parse("r0.gen.test").unwrap();
        let (findings, standing, verdict) = run(&zone, async |resolver: &Resolver| {
            let facts = SpfFacts::gather_for(resolver, &domain).await;
            let query = Query {
                ip,
                sender: String::new(),
                helo: String::new(),
                domain: domain.to_string(),
            };
            let evaluation = check_host(resolver, &query).await;
            (spf::check(&facts), facts.standing(), spf::judge(&query, &evaluation))
        });
        prop_assert_eq!(worst(&findings, "spf.broad-range"), Some(Status::Fail), "{} in\n{}", planted, zone);
        prop_assert!(matches!(standing, Standing::Permissive { .. }), "{:?}", standing);
        prop_assert_ne!(verdict.status, Status::Pass, "{} from {}", planted, ip);
    }

    #[test]
    fn a_match_all_term_that_does_not_pass_authorises_no_one(
        (zone, _) in chain_zone(
            (prop_oneof![Just("-"), Just("~"), Just("?")], match_all())
                .prop_map(|(q, t)| format!("{q}{t}"))
        ),
    ) {
        let domain = Name::parse("r0.gen.test").unwrap();
        let findings = run(&zone, async |resolver: &Resolver| {
            spf::check(&SpfFacts::gather_for(resolver, &domain).await)
        });
        let everyone = findings.iter().any(|f| {
            f.id() == "spf.broad-range" && f.status == Status::Fail && f.summary.contains("passes every")
        });
        prop_assert!(!everyone, "{}", zone);
    }

    #[test]
    fn any_include_graph_is_walked_with_bounded_output(
        edges in proptest::collection::vec(proptest::collection::vec(0usize..6, 0..5), 1..7),
    ) {
        let n = edges.len();
        let mut zone = HEAD.to_string();
        for (i, targets) in edges.iter().enumerate() {
            let terms: Vec<String> = targets
                .iter()
                .map(|t| format!("include:r{}.gen.test", t % n))
                .chain(["-all".to_string()])
                .collect();
            zone.push_str(&format!("r{i} TXT \"{}\"\n", Record::text_with(terms.iter().map(String::as_str))));
        }
        let domain = Name::parse("r0.gen.test").unwrap();
        let graph = run(&zone, async |resolver: &Resolver| tree::gather(resolver, &domain).await);
        let nodes = graph.nodes().count();
        prop_assert!(nodes <= n);
        let render = graph.render();
        let edge_count: usize = edges.iter().map(Vec::len).sum();
        prop_assert!(render.lines().count() <= 1 + edge_count, "{}", render);
        // A loop is named only where the records include each other in a cycle.
        for cycle in graph.loops() {
            let (first, _) = cycle[0];
            let (last, edge) = *cycle.last().unwrap();
            let back = &graph.node(last).edges[edge];
            prop_assert_eq!(&back.target, &graph.node(first).domain);
            for pair in cycle.windows(2) {
                let (from, e) = pair[0];
                let (to, _) = pair[1];
                prop_assert_eq!(&graph.node(from).edges[e].target, &graph.node(to).domain);
            }
        }
        let has_cycle = {
            // Depth-first over the generated records, independent of the library.
            fn visit(i: usize, edges: &[Vec<usize>], state: &mut [u8]) -> bool {
                state[i] = 1;
                let n = edges.len();
                let found = edges[i].iter().any(|t| match state[t % n] {
                    1 => true,
                    0 => visit(t % n, edges, state),
                    _ => false,
                });
                state[i] = 2;
                found
            }
            visit(0, &edges, &mut vec![0; n])
        };
        if !graph.loops().is_empty() {
            prop_assert!(has_cycle);
        }
    }
}
