//! Which addresses and host names are public: the one place that decides where an
//! address someone typed (an owner's webhook endpoint) may lead. The writer applies it
//! to a URL when the endpoint is registered; the host applies [`is_public_ip`] again to
//! every address a name resolves to when the request is sent, because what a name
//! resolves to can change after registration.
//!
//! Public means globally reachable unicast: every range of the IANA special-purpose
//! registries that is not (loopback, private, shared/CGNAT, link-local, unique-local,
//! multicast, unspecified, broadcast, documentation, benchmarking, reserved, and the
//! IPv6 forms that embed an IPv4 address) is refused. An IPv6 address is public only
//! inside global unicast `2000::/3`, or as NAT64 (`64:ff9b::/96`) of a public IPv4
//! address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IPv4 ranges that are not globally reachable, as (network, prefix length).
const NOT_PUBLIC_V4: [([u8; 4], u8); 15] = [
    ([0, 0, 0, 0], 8),       // "this network", 0.0.0.0 included
    ([10, 0, 0, 0], 8),      // private
    ([100, 64, 0, 0], 10),   // shared address space (carrier-grade NAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local (cloud metadata services live here)
    ([172, 16, 0, 0], 12),   // private
    ([192, 0, 0, 0], 24),    // IETF protocol assignments
    ([192, 0, 2, 0], 24),    // documentation (TEST-NET-1)
    ([192, 88, 99, 0], 24),  // 6to4 relay anycast (deprecated)
    ([192, 168, 0, 0], 16),  // private
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation (TEST-NET-2)
    ([203, 0, 113, 0], 24),  // documentation (TEST-NET-3)
    ([224, 0, 0, 0], 4),     // multicast
    ([240, 0, 0, 0], 4),     // reserved, 255.255.255.255 (broadcast) included
];

/// Ranges inside global unicast `2000::/3` that are not globally reachable, as
/// (network, prefix length).
const NOT_PUBLIC_V6: [(Ipv6Addr, u8); 4] = [
    // IETF protocol assignments: Teredo (which embeds an IPv4 address), benchmarking…
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16),     // 6to4: embeds an IPv4 address
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),     // documentation
];

/// Global unicast, the only IPv6 space that is public.
const GLOBAL_UNICAST_V6: (Ipv6Addr, u8) = (Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3);
/// The well-known NAT64 prefix: its last 32 bits are an IPv4 address.
const NAT64_V6: (Ipv6Addr, u8) = (Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96);

/// Host-name suffixes that never name a public host: special-use and private-use names.
const NOT_PUBLIC_SUFFIXES: [&str; 4] = [
    ".localhost", // RFC 6761: loopback
    ".local",     // RFC 6762: multicast DNS on the local link
    ".internal",  // private use (ICANN, 2024); Spin's service chaining `*.spin.internal`
    ".home.arpa", // RFC 8375: home networks
];

fn in_v4(ip: Ipv4Addr, (network, prefix): ([u8; 4], u8)) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(network)) & mask
}

fn in_v6(ip: Ipv6Addr, (network, prefix): (Ipv6Addr, u8)) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    u128::from(ip) & mask == u128::from(network) & mask
}

/// Whether `ip` is a globally reachable unicast address.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    !NOT_PUBLIC_V4.iter().any(|range| in_v4(ip, *range))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if in_v6(ip, NAT64_V6) {
        let [.., a, b, c, d] = ip.octets();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    // Outside 2000::/3 lie ::, ::1, the IPv4-mapped and -compatible forms, unique-local
    // fc00::/7, link-local fe80::/10, multicast ff00::/8 and the rest of the reserved space.
    in_v6(ip, GLOBAL_UNICAST_V6) && !NOT_PUBLIC_V6.iter().any(|range| in_v6(ip, *range))
}

/// Whether the host part of a parsed URL (which has already turned every numeric
/// spelling of an IPv4 address, such as `2130706433`, `0x7f.1` or `0177.0.0.1`, into
/// the address) is public: a public address, or a name with at least two labels that
/// is not `localhost` and does not end in a special-use suffix. A public-looking name
/// may still resolve to a private address; the host checks that when it connects.
pub fn is_public_host(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Ipv4(ip) => is_public_v4(*ip),
        url::Host::Ipv6(ip) => is_public_v6(*ip),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name.contains('.')
                && !NOT_PUBLIC_SUFFIXES
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(ip: &str) -> bool {
        is_public_ip(ip.parse().unwrap())
    }

    #[test]
    fn ipv4_special_ranges_are_not_public() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!public(ip), "{ip}");
        }
    }

    #[test]
    fn ipv4_public_addresses_and_range_edges() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.3.0",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
        ] {
            assert!(public(ip), "{ip}");
        }
    }

    #[test]
    fn ipv6_special_ranges_and_embedded_ipv4_are_not_public() {
        for ip in [
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "3fff::1",
            "5f00::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(!public(ip), "{ip}");
        }
        for ip in [
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "64:ff9b::8.8.8.8",
        ] {
            assert!(public(ip), "{ip}");
        }
    }

    #[test]
    fn every_spelling_of_loopback_is_parsed_to_the_address() {
        for url in [
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0x7f.1/",
            "https://0177.0.0.1/",
            "https://127.1/",
            "https://127.0.1/",
            "https://0177.0x0.0.1/",
            "https://%31%32%37.0.0.1/",
            "https://127.0.0.1./",
            "https://\u{ff11}\u{ff12}\u{ff17}.0.0.1/",
            "https://[::1]/",
            "https://[::ffff:7f00:1]/",
            "https://[0:0:0:0:0:ffff:127.0.0.1]/",
            "https://localhost/",
            "https://LOCALHOST./",
            "https://api.localhost/",
        ] {
            let parsed = url::Url::parse(url).unwrap();
            assert!(!is_public_host(&parsed.host().unwrap()), "{url}");
        }
    }

    #[test]
    fn names() {
        let host = |url: &str| {
            let parsed = url::Url::parse(url).unwrap();
            is_public_host(&parsed.host().unwrap())
        };
        assert!(host("https://hooks.example.com/in"));
        assert!(host("https://hooks.example.com./in"));
        assert!(host("https://xn--mnchen-3ya.de/"));
        for url in [
            "https://intranet/",
            "https://writer.spin.internal/",
            "https://metadata.google.internal/",
            "https://printer.local/",
            "https://nas.home.arpa/",
        ] {
            assert!(!host(url), "{url}");
        }
    }
}
