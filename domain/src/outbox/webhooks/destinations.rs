//! Where webhook deliveries may go: public internet addresses only unless
//! the deployment allows private networks, judged on the URL when a
//! subscription is saved and on every resolved address when a delivery is
//! sent.

use std::net::IpAddr;

use crate::platform::text::Msg;

/// Longest URL accepted.
pub const MAX_URL_LEN: usize = 2000;

/// Which receivers deliveries may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Destinations {
    /// Public internet addresses only (the default): never loopback,
    /// private, link-local (cloud metadata), shared or other special-purpose
    /// addresses, so a subscription cannot make the service call inside its
    /// own network.
    #[default]
    Public,
    /// Any address: development, or receivers inside a private network
    /// (`ESTATEFLOW_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`).
    Any,
}

impl Destinations {
    pub fn of(settings: &crate::Settings) -> Self {
        if settings.webhook_allow_private_networks {
            Self::Any
        } else {
            Self::Public
        }
    }

    /// Whether a receiver at `ip` may be called.
    pub fn permits(self, ip: IpAddr) -> bool {
        self == Self::Any || is_public(ip)
    }

    /// Why `url`'s host may not be called, judged by its name or literal
    /// address; names are resolved and judged again when a delivery is sent.
    pub fn refuses(self, url: &url::Url) -> Option<Msg> {
        if self == Self::Any {
            return None;
        }
        let private = match url.host()? {
            url::Host::Ipv4(ip) => !is_public(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => !is_public(IpAddr::V6(ip)),
            url::Host::Domain(name) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                name == "localhost" || name.ends_with(".localhost")
            }
        };
        private.then_some(Msg::PrivateDestination)
    }
}

/// Whether `ip` is an ordinary public internet address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            let special = v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space, RFC 6598
                || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240; // reserved
            !special
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                let [first, second, ..] = v6.segments();
                let special = v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local()
                    || (first == 0x2001 && second == 0x0db8) // documentation
                    || (first == 0x0064 && second == 0xff9b); // NAT64, may lead anywhere
                !special
            }
        },
    }
}

/// An absolute http(s) URL with a host the destinations permit, no
/// credentials, at most 2000 characters.
pub(crate) fn check_url(raw: &str, destinations: Destinations) -> Result<(), Msg> {
    if raw.len() > MAX_URL_LEN {
        return Err(Msg::AtMostChars { max: MAX_URL_LEN });
    }
    let url = url::Url::parse(raw).map_err(|e| Msg::NotAUrl { reason: e.to_string() })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(Msg::HttpOrHttpsUrl);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Msg::UrlHost);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Msg::UrlCredentials);
    }
    destinations.refuses(&url).map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_destinations_refuse_private_and_special_addresses() {
        for private in [
            "http://127.0.0.1:8081/hook",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://localhost:8080/",
            "http://api.localhost/",
        ] {
            assert_eq!(
                check_url(private, Destinations::Public),
                Err(Msg::PrivateDestination),
                "{private}"
            );
            assert!(check_url(private, Destinations::Any).is_ok(), "{private}");
        }
        for public in [
            "https://203.0.114.7/",
            "https://[2606:4700::1111]/",
            "https://partner.example.com/",
        ] {
            assert!(check_url(public, Destinations::Public).is_ok(), "{public}");
        }
        assert!(is_public("8.8.8.8".parse().expect("ip")));
        assert!(!is_public("198.18.0.1".parse().expect("ip")));
        assert!(!is_public("64:ff9b::a00:1".parse().expect("ip")));
    }
}
