//! IP and domain reputation data: the blocklist catalogue and how to read its answers, Team
//! Cymru's IP-to-ASN answers, cloud and hosting networks and generic PTR names. A library:
//! the ptr, dnsbl and network areas judge with it.

pub mod cymru;
pub mod hosting;
pub mod lists;

use std::net::IpAddr;

use lists::Blocklist;

/// What the command line asks of the reputation areas.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--ip`: the sending addresses; empty means derive them.
    pub ips: Vec<IpAddr>,
    pub lists: Vec<Blocklist>,
    /// `--neighbourhood`: also scan the /24 around each IPv4 address.
    pub neighbourhood: bool,
}
