//! Reports: findings per subject, their summary, the exit code, and the renderers. Every
//! `deliv` command prints through here.

pub mod evaluation;
pub mod explain;
pub mod human;
pub mod json;

use serde::Serialize;

use crate::checks::{Finding, Status, Subject};

/// Bumped only when a field changes meaning or disappears; additions keep it.
pub const SCHEMA_VERSION: u32 = 1;

/// Exit codes: part of the contract, documented in the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing at or above `--fail-on`.
    Clean = 0,
    /// Findings at or above `--fail-on`.
    Findings = 1,
    /// Usage or input error.
    Usage = 2,
    /// No failing finding, but some check could not be decided (`error`).
    Inconclusive = 3,
}

/// The lowest status that fails a run (`--fail-on`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Warn,
    Fail,
}

impl Exit {
    /// `error` findings never count as failures but make a clean run inconclusive.
    pub fn from_statuses(statuses: impl IntoIterator<Item = Status>, fail_on: FailOn) -> Exit {
        let threshold = match fail_on {
            FailOn::Warn => Status::Warn,
            FailOn::Fail => Status::Fail,
        };
        let mut inconclusive = false;
        for status in statuses {
            if status == Status::Error {
                inconclusive = true;
            } else if status >= threshold {
                return Exit::Findings;
            }
        }
        if inconclusive {
            Exit::Inconclusive
        } else {
            Exit::Clean
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub pass: usize,
    pub info: usize,
    pub warn: usize,
    pub error: usize,
    pub fail: usize,
}

impl Summary {
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            *match f.status {
                Status::Pass => &mut s.pass,
                Status::Info => &mut s.info,
                Status::Warn => &mut s.warn,
                Status::Error => &mut s.error,
                Status::Fail => &mut s.fail,
            } += 1;
        }
        s
    }

    pub fn count(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Info => self.info,
            Status::Warn => self.warn,
            Status::Error => self.error,
            Status::Fail => self.fail,
        }
    }
}

/// Every finding for one subject.
#[derive(Debug, Clone)]
pub struct Report {
    pub subject: Subject,
    pub checks: Vec<Finding>,
}

impl Report {
    pub fn summary(&self) -> Summary {
        Summary::of(&self.checks)
    }
}

pub fn exit_code(reports: &[Report], fail_on: FailOn) -> Exit {
    Exit::from_statuses(
        reports
            .iter()
            .flat_map(|r| r.checks.iter().map(|f| f.status)),
        fail_on,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        use Status::*;
        assert_eq!(
            Exit::from_statuses([Pass, Info, Warn], FailOn::Fail),
            Exit::Clean
        );
        assert_eq!(
            Exit::from_statuses([Pass, Warn], FailOn::Warn),
            Exit::Findings
        );
        assert_eq!(
            Exit::from_statuses([Pass, Error], FailOn::Fail),
            Exit::Inconclusive
        );
        assert_eq!(
            Exit::from_statuses([Error, Fail], FailOn::Fail),
            Exit::Findings
        );
        assert_eq!(
            Exit::from_statuses([Error, Warn], FailOn::Warn),
            Exit::Findings
        );
        assert_eq!(Exit::from_statuses([], FailOn::Fail), Exit::Clean);
    }
}
