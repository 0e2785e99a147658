//! Sender Policy Framework (RFC 7208): records, macros, `check_host()` and the include tree.

pub mod eval;
pub mod macros;
pub mod reach;
pub mod record;
pub mod tree;

pub use eval::{Evaluation, Query, SpfResult, check_host};
pub use record::{
    Lookalike, LookalikeKind, Mechanism, Qualifier, Record, SyntaxError, TermKind, is_spf_record,
    repair,
};
