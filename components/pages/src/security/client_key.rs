//! Who a shopper's client is, for the writer's per-client limits on unpaid reservations:
//! a pseudonymous key, the HMAC of the client's network address under the shop's key, so
//! the writer counts orders per client without ever storing an address.
//!
//! The address is Spin's `spin-client-addr` (the peer of the connection). Behind a
//! proxy or load balancer every shopper has the proxy's address, so the operator names
//! the header the proxy sets (`client_ip_header`, e.g. `x-forwarded-for`); its last
//! entry is the one the proxy itself appended, the only one a client cannot forge. IPv6
//! clients are counted per /64, the block one household or host usually has.

use crate::http::Req;
use crate::security::signing::Key;
use std::net::{IpAddr, SocketAddr};

/// The key for the client that sent `req`; `header` is the `client_ip_header` variable
/// (empty: the connection's peer).
pub fn key(req: &Req, shop_key: &Key, header: &str) -> String {
    let address = address(req, header)
        .map(|ip| match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        })
        .unwrap_or_else(|| "unknown".to_string());
    let tag = shop_key.sign(format!("client-address:{address}").as_bytes());
    tag.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn address(req: &Req, header: &str) -> Option<IpAddr> {
    if !header.is_empty() {
        let value = req.header(header)?;
        let last = value.rsplit(',').next()?.trim();
        return last
            .parse::<IpAddr>()
            .ok()
            .or_else(|| last.parse::<SocketAddr>().ok().map(|a| a.ip()));
    }
    let peer = req.header("spin-client-addr")?;
    peer.parse::<SocketAddr>()
        .map(|a| a.ip())
        .or_else(|_| peer.parse::<IpAddr>())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop_key() -> Key {
        Key::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    fn with(headers: &[(&str, &str)]) -> Req {
        Req {
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..Req::default()
        }
    }

    #[test]
    fn one_key_per_address_whatever_the_port() {
        let k = shop_key();
        let a = key(&with(&[("spin-client-addr", "10.1.2.3:5000")]), &k, "");
        let b = key(&with(&[("spin-client-addr", "10.1.2.3:6000")]), &k, "");
        let c = key(&with(&[("spin-client-addr", "10.1.2.4:5000")]), &k, "");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 32);
        assert!(!a.contains("10.1"), "the address itself never leaves");
    }

    #[test]
    fn ipv6_counts_per_64() {
        let k = shop_key();
        let a = key(
            &with(&[("spin-client-addr", "[2001:db8:1:2::5]:443")]),
            &k,
            "",
        );
        let b = key(
            &with(&[("spin-client-addr", "[2001:db8:1:2:ffff::9]:80")]),
            &k,
            "",
        );
        let c = key(
            &with(&[("spin-client-addr", "[2001:db8:1:3::5]:443")]),
            &k,
            "",
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn behind_a_proxy_the_last_forwarded_entry_counts() {
        let k = shop_key();
        let h = "x-forwarded-for";
        let forged = key(
            &with(&[
                ("spin-client-addr", "10.0.0.1:1"),
                (h, "1.1.1.1, 203.0.113.7"),
            ]),
            &k,
            h,
        );
        let real = key(
            &with(&[("spin-client-addr", "10.0.0.1:2"), (h, "203.0.113.7")]),
            &k,
            h,
        );
        assert_eq!(forged, real);
        // Without the setting the header is ignored: anyone can send it.
        let ignored = key(
            &with(&[("spin-client-addr", "10.0.0.1:1"), (h, "1.1.1.1")]),
            &k,
            "",
        );
        let peer = key(&with(&[("spin-client-addr", "10.0.0.1:9")]), &k, "");
        assert_eq!(ignored, peer);
    }
}
