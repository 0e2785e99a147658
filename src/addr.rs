//! Addresses that cannot be reached from the Internet: the one classification every area uses
//! (an MX host there cannot receive mail from outside; such a sending IP is not what receivers
//! see). RFC 6890's special-purpose registries, less the documentation ranges (RFC 5737,
//! RFC 3849), which examples and test zones use as stand-ins for public addresses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why `ip` cannot be reached from the Internet, or `None` for a routable address.
pub fn unreachable(ip: IpAddr) -> Option<&'static str> {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    Some(if ip.is_loopback() {
        "a loopback address (127.0.0.0/8): every host reaches only itself there"
    } else if ip.is_private() {
        "a private address (RFC 1918): not routed on the Internet"
    } else if a == 100 && (64..128).contains(&b) {
        "shared address space (100.64.0.0/10, carrier-grade NAT): not routed on the Internet"
    } else if ip.is_link_local() {
        "a link-local address (169.254.0.0/16): reachable only on the local link"
    } else if a == 0 {
        "'this network' (0.0.0.0/8): not a destination"
    } else if ip.is_broadcast() {
        "the broadcast address"
    } else if ip.is_multicast() {
        "a multicast address (224.0.0.0/4)"
    } else if a >= 240 {
        "a reserved address (240.0.0.0/4)"
    } else if a == 198 && (b == 18 || b == 19) {
        "a benchmarking address (198.18.0.0/15): not routed on the Internet"
    } else {
        return None;
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    Some(if ip.is_loopback() {
        "the loopback address (::1)"
    } else if ip.is_unspecified() {
        "the unspecified address (::)"
    } else if ip.is_unique_local() {
        "a unique local address (fc00::/7): not routed on the Internet"
    } else if ip.is_unicast_link_local() {
        "a link-local address (fe80::/10): reachable only on the local link"
    } else if ip.is_multicast() {
        "a multicast address (ff00::/8)"
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_ranges_are_unreachable_and_public_ones_not() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.1.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(unreachable(ip.parse().unwrap()).is_some(), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "192.0.2.1",
            "203.0.113.9",
            "2001:db8::1",
            "2a00:1450::1",
        ] {
            assert!(unreachable(ip.parse().unwrap()).is_none(), "{ip}");
        }
    }
}
