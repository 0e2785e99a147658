//! The resolver layer against a loopback server: classification of every outcome, one
//! query per (name, type) per run, TCP after truncation, zone overlays and --offline.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use deliv::dns::{Failure, Name, Outcome, RType, Rdata, Resolver, ResolverConfig, Source, Zone};
use support::dns::{Fault, TestDns};
use support::run;

fn resolver(server: Option<&TestDns>, zones: Vec<Zone>, offline: bool) -> Resolver {
    Resolver::new(ResolverConfig {
        servers: server.map(|s| vec![s.addr]).unwrap_or_default(),
        timeout: Duration::from_millis(800),
        zones,
        offline,
    })
    .expect("resolver")
}

fn name(s: &str) -> Name {
    Name::parse(s).unwrap()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn every_outcome_is_classified() {
    let server = TestDns::with_fixture_zones(&["mx.test.zone"]);
    server.fault("good.mx.test", Some(RType::Txt), Fault::Timeout);
    server.fault("good.mx.test", Some(RType::Aaaa), Fault::ServFail);
    server.fault("good.mx.test", Some(RType::A), Fault::Refused);
    let r = resolver(Some(&server), Vec::new(), false);
    let rt = rt();
    let q = |n: &str, t| rt.block_on(r.query(&name(n), t)).outcome.clone();
    assert!(matches!(q("good.mx.test", RType::Mx), Outcome::Records(ref r) if r.len() == 2));
    assert_eq!(q("mx1.good.mx.test", RType::Txt), Outcome::NoData);
    assert_eq!(q("absent.mx.test", RType::A), Outcome::NxDomain);
    assert_eq!(
        q("good.mx.test", RType::Txt),
        Outcome::Failed(Failure::Timeout)
    );
    assert_eq!(
        q("good.mx.test", RType::Aaaa),
        Outcome::Failed(Failure::ServFail)
    );
    assert_eq!(
        q("good.mx.test", RType::A),
        Outcome::Failed(Failure::Refused)
    );
}

#[test]
fn truncated_answers_are_retried_over_tcp() {
    let server = TestDns::with_fixture_zones(&["spf.test.zone"]);
    server.fault("good.spf.test", Some(RType::Txt), Fault::Truncate);
    let r = resolver(Some(&server), Vec::new(), false);
    let lookup = rt().block_on(r.query(&name("good.spf.test"), RType::Txt));
    assert_eq!(lookup.txt_records().count(), 1, "{lookup:?}");
}

#[test]
fn concurrent_and_repeated_questions_share_one_query() {
    let server = TestDns::with_fixture_zones(&["spf.test.zone"]);
    server.set_delay(Duration::from_millis(50));
    let r = resolver(Some(&server), Vec::new(), false);
    let question = (name("good.spf.test"), RType::Txt);
    let answers = rt().block_on(r.query_all(&vec![question.clone(); 20]));
    // Every asker holds the one answer the one query brought.
    assert!(
        answers
            .iter()
            .all(|a| std::sync::Arc::ptr_eq(a, &answers[0]))
    );
    assert_eq!(answers[0].txt_records().count(), 1, "{:?}", answers[0]);
    let again = rt().block_on(r.query(&question.0, question.1));
    assert_eq!(again.txt_records().count(), 1);
    assert_eq!(server.queries().len(), 1, "{:?}", server.queries());
    assert_eq!(r.stats().cache_hits, 20);
}

#[test]
fn a_run_never_asks_the_same_question_twice() {
    let server = TestDns::with_fixture_zones(&[
        "spf.test.zone",
        "mx.test.zone",
        "ip.test.zone",
        "rdns-192.0.2.zone",
        "rdns-198.51.100.zone",
        "rdns-2001-db8.zone",
        "cymru.zone",
        "bl.test.zone",
    ]);
    // deep.spf.test's MX is needed by the mx area, by the SPF record's `mx` term and by the
    // sending IPs the reputation areas derive from both; PTR names by ptr and dnsbl.
    let (_, json) = run(
        &server,
        &[
            "check",
            "deep.spf.test",
            "toomany.spf.test",
            "good.mx.test",
            "--dnsbl",
            "ips.bl.test",
            "--dbl",
            "dom.bl.test",
        ],
    );
    let mut counts: BTreeMap<(String, u16), usize> = BTreeMap::new();
    for q in server.queries() {
        *counts.entry(q).or_default() += 1;
    }
    let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "asked more than once: {repeated:?}");
    assert!(counts.contains_key(&("deep.spf.test".to_string(), RType::Mx.code())));
    assert!(
        json["stats"]["cache_hits"].as_u64().unwrap() > 0,
        "{}",
        json["stats"]
    );
    assert_eq!(
        json["stats"]["network_queries"].as_u64().unwrap() as usize,
        counts.len()
    );
}

#[test]
fn zones_overlay_the_network_and_offline_refuses_it() {
    let server = TestDns::with_fixture_zones(&["mx.test.zone"]);
    let overlay = Zone::parse(
        "$ORIGIN overlay.test.\n@ SOA ns h 1 2 3 4 5\n@ MX 10 mx1.good.mx.test.\nalias CNAME mx1.good.mx.test.\n",
        Path::new("overlay.zone"),
    )
    .unwrap();
    let r = resolver(Some(&server), vec![overlay.clone()], false);
    let rt = rt();
    let mx = rt.block_on(r.query(&name("overlay.test"), RType::Mx));
    assert_eq!(mx.source, Source::Zone);
    assert!(matches!(mx.records(), [Rdata::Mx { preference: 10, .. }]));
    assert_eq!(
        rt.block_on(r.query(&name("nope.overlay.test"), RType::A))
            .outcome,
        Outcome::NxDomain
    );
    // An alias out of the zone is followed on the network.
    let alias = rt.block_on(r.query(&name("alias.overlay.test"), RType::A));
    assert_eq!(alias.aliases, vec![name("mx1.good.mx.test")]);
    assert_eq!(
        alias.addresses().map(|a| a.to_string()).collect::<Vec<_>>(),
        vec!["192.0.2.1"]
    );
    let outside = rt.block_on(r.query(&name("good.mx.test"), RType::Mx));
    assert_eq!(outside.source, Source::Dns);
    assert!(
        !server
            .queries()
            .iter()
            .any(|(n, _)| n.ends_with("overlay.test")),
        "zone names never reach the server"
    );

    let offline = resolver(None, vec![overlay], true);
    let lookup = rt.block_on(offline.query(&name("good.mx.test"), RType::Mx));
    assert_eq!(lookup.outcome, Outcome::Failed(Failure::Offline));
    assert_eq!(offline.stats().network_queries, 0);
}
