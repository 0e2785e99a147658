//! deliv: why mail is not reaching the inbox, and what to change.
//!
//! Data flows one way: the command line becomes a request; gathering asks DNS through the
//! one [`dns::Resolver`]; checks are pure functions from the gathered evidence to
//! [`checks::Finding`]s; a report renders them and decides the exit code.

pub mod addr;
pub mod app;
pub mod checks;
pub mod cli;
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod input;
pub mod message;
pub mod mta_sts;
pub mod replies;
pub mod report;
pub mod reputation;
pub mod run;
pub mod smtp;
pub mod spf;
pub mod taglist;
pub mod terminal;
pub mod tls_rpt;
pub mod trust;
