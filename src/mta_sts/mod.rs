//! MTA-STS (RFC 8461): the `_mta-sts` TXT record, the policy it announces, the MX patterns of
//! the policy, and fetching the policy over HTTPS. The record syntax is shared with TLS-RPT
//! ([`crate::tls_rpt`]).

pub mod fetch;
pub mod policy;
pub mod record;

pub use fetch::{FetchConfig, FetchError, FetchErrorKind, FetchedPolicy, fetch_policy, policy_url};
pub use policy::{
    LineEndings, MAX_POLICY_BYTES, Mode, MxPattern, Policy, PolicyFileError, PolicyProblem,
    Problem, read_policy_file,
};
pub use record::{Discovered, Field, StsRecord};
