//! The public RFC 7208 test suite (fixtures/spf/rfc7208-tests.yml), every case a test, each
//! run twice against a loopback DNS server serving the case's zone data: through the
//! library's check_host(), and through the built binary as an outside harness runs it.
//!
//! Zone data is served the way the suite's reference driver (pyspf's testspf.py) does:
//! SPF-type entries are also served as TXT unless the name has TXT entries of its own,
//! `NONE` marks an empty set, and a `TIMEOUT` entry makes every query of a type that has
//! no records listed before it go unanswered. The one TXT entry with no strings at all
//! (`SPF: [ ]`, illegal in DNS: RFC 1035 §3.3.14 wants at least one) is served as a single
//! empty string, as a name server given `TXT ""` would.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use deliv::dns::{Name, RType, Rdata, Resolver, ResolverConfig, Zone};
use deliv::spf::{Query, check_host};
use libtest_mimic::{Arguments, Failed, Trial};
use support::dns::{Fault, TestDns};
use yaml_rust2::{Yaml, YamlLoader};

struct Case {
    name: String,
    helo: String,
    host: String,
    mailfrom: String,
    results: Vec<String>,
    explanation: Option<String>,
}

impl Case {
    /// The domain check_host() evaluates: the MAIL FROM domain, or the HELO name.
    fn domain(&self) -> String {
        match self.mailfrom.rsplit_once('@') {
            Some((_, d)) => d.to_string(),
            None if self.mailfrom.is_empty() => self.helo.clone(),
            None => self.mailfrom.clone(),
        }
    }

    fn verify(&self, result: &str, explanation: Option<&str>) -> Result<(), Failed> {
        if !self.results.iter().any(|r| r == result) {
            return Err(format!("result {result}, expected {:?}", self.results).into());
        }
        match &self.explanation {
            Some(want)
                if want != "DEFAULT" && result == "fail" && explanation != Some(want.as_str()) =>
            {
                Err(format!("explanation {explanation:?}, expected {want:?}").into())
            }
            _ => Ok(()),
        }
    }
}

fn text(y: &Yaml) -> String {
    match y {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        _ => String::new(),
    }
}

fn strings(y: &Yaml) -> Vec<Vec<u8>> {
    match y {
        Yaml::Array(items) if items.is_empty() => vec![Vec::new()],
        Yaml::Array(items) => items.iter().map(|i| text(i).into_bytes()).collect(),
        other => vec![text(other).into_bytes()],
    }
}

const TYPES: [RType; 6] = [
    RType::A,
    RType::Aaaa,
    RType::Mx,
    RType::Ptr,
    RType::Txt,
    RType::Spf,
];

/// One scenario's zone data: records, and the (name, type) pairs that time out.
fn zone(data: &Yaml) -> (Zone, Vec<(Name, RType)>) {
    let mut records = Vec::new();
    let mut timeouts = Vec::new();
    let Yaml::Hash(names) = data else {
        return (Zone::from_records(Name::root(), records), timeouts);
    };
    for (owner, entries) in names {
        let Ok(owner) = Name::parse(&text(owner)) else {
            continue;
        };
        let entries = entries.as_vec().cloned().unwrap_or_default();
        let has_txt = entries.iter().any(|e| e["TXT"] != Yaml::BadValue);
        let mut seen = BTreeSet::new();
        let mut generated = Vec::new();
        for entry in &entries {
            if text(entry) == "TIMEOUT" {
                timeouts.extend(
                    TYPES
                        .into_iter()
                        .filter(|t| !seen.contains(t))
                        .map(|t| (owner.clone(), t)),
                );
                seen.extend(TYPES);
                continue;
            }
            let Yaml::Hash(map) = entry else { continue };
            for (rtype, value) in map {
                let rtype: RType = text(rtype).parse().expect("suite record type");
                if text(value) == "NONE" {
                    continue;
                }
                let rdata = match rtype {
                    RType::A => Rdata::A(text(value).parse().expect("A")),
                    RType::Aaaa => Rdata::Aaaa(text(value).parse().expect("AAAA")),
                    RType::Mx => Rdata::Mx {
                        preference: text(&value[0]).parse().expect("MX preference"),
                        exchange: match text(&value[1]).as_str() {
                            "" => Name::root(),
                            host => Name::parse(host).expect("MX host"),
                        },
                    },
                    RType::Ptr => Rdata::Ptr(Name::parse(&text(value)).expect("PTR")),
                    RType::Cname => Rdata::Cname(Name::parse(&text(value)).expect("CNAME")),
                    RType::Txt | RType::Spf => Rdata::Txt(strings(value)),
                    other => panic!("type {other} in suite"),
                };
                if rtype == RType::Spf && !has_txt {
                    generated.push((owner.clone(), RType::Txt, rdata.clone()));
                }
                seen.insert(rtype);
                records.push((owner.clone(), rtype, rdata));
            }
        }
        // pyspf appends generated TXT after every listed entry, so a TIMEOUT comes first.
        if !timeouts
            .iter()
            .any(|(n, t)| *n == owner && *t == RType::Txt)
        {
            records.extend(generated);
        }
    }
    (Zone::from_records(Name::root(), records), timeouts)
}

fn load() -> Vec<(Arc<TestDns>, Vec<Case>)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/spf/rfc7208-tests.yml"
    );
    let text_all = std::fs::read_to_string(path).expect("suite file");
    let docs = YamlLoader::load_from_str(&text_all).expect("suite YAML");
    docs.iter()
        .map(|doc| {
            let (zone, timeouts) = zone(&doc["zonedata"]);
            let server = TestDns::start(vec![zone]);
            for (name, rtype) in timeouts {
                server.fault_code(&name, rtype.code(), Fault::Timeout);
            }
            let mut cases = Vec::new();
            if let Yaml::Hash(tests) = &doc["tests"] {
                for (name, t) in tests {
                    let results = match &t["result"] {
                        Yaml::Array(r) => r.iter().map(text).collect(),
                        r => vec![text(r)],
                    };
                    cases.push(Case {
                        name: text(name),
                        helo: text(&t["helo"]),
                        host: text(&t["host"]),
                        mailfrom: text(&t["mailfrom"]),
                        results,
                        explanation: t["explanation"].as_str().map(str::to_string),
                    });
                }
            }
            (Arc::new(server), cases)
        })
        .collect()
}

fn run_library(server: &TestDns, case: &Case) -> Result<(), Failed> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let resolver = Resolver::new(ResolverConfig {
        servers: vec![server.addr],
        timeout: Duration::from_millis(1000),
        zones: Vec::new(),
        offline: false,
    })?;
    let query = Query {
        ip: case.host.parse::<IpAddr>()?,
        sender: case.mailfrom.clone(),
        helo: case.helo.clone(),
        domain: case.domain(),
    };
    let evaluation = rt.block_on(check_host(&resolver, &query));
    case.verify(
        evaluation.result.as_str(),
        evaluation.explanation.as_deref(),
    )
    .map_err(|e| {
        format!(
            "{}; trace:\n{}",
            e.message().unwrap_or_default(),
            evaluation.trace.join("\n")
        )
        .into()
    })
}

fn run_binary(server: &TestDns, case: &Case) -> Result<(), Failed> {
    // Some cases meet the suite's TIMEOUT answers, so the timeout is short.
    let (code, json) = support::run_faulty(
        server,
        &[
            "spf",
            &case.domain(),
            "--ip",
            &case.host,
            "--sender",
            &case.mailfrom,
            "--helo",
            &case.helo,
        ],
    );
    if ![0, 1, 3].contains(&code) {
        return Err(format!("exit status {code}").into());
    }
    case.verify(
        json["result"].as_str().unwrap_or("<missing>"),
        json["explanation"].as_str(),
    )
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let mut names = BTreeMap::new();
    for (server, cases) in load() {
        for case in cases {
            *names.entry(case.name.clone()).or_insert(0) += 1;
            let case = Arc::new(case);
            let (s, c) = (server.clone(), case.clone());
            trials.push(Trial::test(format!("library::{}", case.name), move || {
                run_library(&s, &c)
            }));
            let (s, c) = (server.clone(), case.clone());
            trials.push(Trial::test(format!("binary::{}", case.name), move || {
                run_binary(&s, &c)
            }));
        }
    }
    assert_eq!(
        names.values().sum::<usize>(),
        203,
        "the suite has 203 cases"
    );
    libtest_mimic::run(&args, trials).exit();
}
