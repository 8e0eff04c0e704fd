//! How much one client may ask of LetsPost: the rate limits (counted by Cloudflare's Rate
//! Limiting binding, one `[[ratelimits]]` in wrangler.toml each, which a test here keeps in
//! step), the keys that count one client apart from another, and the 429 that refuses.
//!
//! Who is counted: a session (its public id) for everything it writes, so one browser can't
//! spend another's budget (an API key is counted as a client of its own, `api_key::PRINCIPAL_PREFIX`);
//! the client's address for what comes before any session (connecting TikTok, CSP reports). IPv6 clients are counted by their /64, which one household or phone
//! gets whole. The numbers and why are in ARCHITECTURE.md ("Limits").

use std::net::IpAddr;

/// One limit: a binding of its own, `limit` requests per `period_secs` per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The binding's name in wrangler.toml (`[[ratelimits]] name`).
    pub binding: &'static str,
    pub limit: u32,
    /// 10 or 60: the only periods the binding has.
    pub period_secs: u32,
    /// What is being limited, for the refusal's sentence ("changes", "video parts").
    what: &'static str,
    /// Whose budget: "this browser", "this network".
    whose: &'static str,
}

/// A session's writes: creates, retries, reschedules, cancels, schedule changes, disconnects,
/// sign-outs. A batch of 50 videos is 50 creates; the composer's retries and a creator's
/// edits fit beside them.
pub const WRITES: Limit = Limit { binding: "WRITES_LIMIT", limit: 120, period_secs: 60, what: "changes", whose: "this browser" };
/// A session's media parts (20 MB each): 600 a minute is 12 GB a minute, more than a
/// gigabit line carries, so only a client that is not uploading video meets it.
pub const PARTS: Limit = Limit { binding: "PARTS_LIMIT", limit: 600, period_secs: 60, what: "video parts", whose: "this browser" };
/// Connecting TikTok per address: `POST /api/oauth/start` and `/api/oauth/token` counted
/// apart, each a sign-in every two seconds from one network (an office, a carrier's NAT).
pub const OAUTH: Limit = Limit { binding: "OAUTH_LIMIT", limit: 30, period_secs: 60, what: "sign-ins with TikTok", whose: "this network" };
/// CSP reports per address (each logged; LetsPost's pages send none unless broken).
pub const REPORTS: Limit = Limit { binding: "REPORTS_LIMIT", limit: 30, period_secs: 60, what: "reports", whose: "this network" };

/// Every request made with an API key, counted by the key before anything is looked up: a
/// script polling ten posts every second and uploading beside it fits; a loop does not. Its
/// writes and parts count against `WRITES` and `PARTS` too, as a browser's do.
pub const KEYS: Limit = Limit { binding: "KEYS_LIMIT", limit: 600, period_secs: 60, what: "requests", whose: "this API key" };

pub const ALL: [Limit; 5] = [WRITES, PARTS, OAUTH, REPORTS, KEYS];

/// A header that names the client's address in place of the connection's, honoured only by a
/// Worker built with its `test-routes` feature (never deployed): tests of the limits count
/// themselves apart from the rest of the suite, which all comes from 127.0.0.1.
pub const TEST_ADDRESS_HEADER: &str = "X-LetsPost-Test-Address";

/// Who a request is, for counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Client<'a> {
    /// A session by its public id (the SHA-256 of its cookie).
    Session(&'a str),
    /// An address as `CF-Connecting-IP` gives it; `None` when there is none (counted together).
    Address(Option<&'a str>),
}

impl Limit {
    /// The binding's key for `client` doing `action` (requests of different actions under one
    /// binding are counted apart: `start` and `token` each have the whole limit).
    pub fn key(&self, action: &str, client: &Client<'_>) -> String {
        match client {
            Client::Session(id) => format!("{action}:s:{id}"),
            Client::Address(addr) => format!("{action}:a:{}", address_key(addr.unwrap_or_default())),
        }
    }

    /// The refusal's sentence.
    pub fn message(&self) -> String {
        format!(
            "Too many {} from {}: LetsPost takes at most {} every {} seconds. Try again in {} seconds.",
            self.what, self.whose, self.limit, self.period_secs, self.period_secs
        )
    }

    /// `Retry-After`: a whole period, after which the binding's window has certainly moved on
    /// (it says only yes or no, not when its window ends).
    pub fn retry_after_secs(&self) -> u32 {
        self.period_secs
    }
}

/// An address as counted: IPv4 whole, IPv6 by its /64 (one subscriber's prefix), anything that
/// is not an address as `unknown` (all such requests share one budget).
pub fn address_key(addr: &str) -> String {
    match addr.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => "unknown".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_and_addresses_are_counted_apart() {
        let a = WRITES.key("write", &Client::Session("ab12"));
        assert_eq!(a, "write:s:ab12");
        assert_ne!(OAUTH.key("start", &Client::Address(Some("203.0.113.7"))), OAUTH.key("token", &Client::Address(Some("203.0.113.7"))));
        assert_eq!(OAUTH.key("token", &Client::Address(Some(" 203.0.113.7 "))), "token:a:203.0.113.7");
        assert_eq!(OAUTH.key("token", &Client::Address(None)), "token:a:unknown");
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:bbbb::9"), address_key("2001:0db8:0001:0002::"));
        assert_ne!(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
        assert_eq!(address_key("::ffff:198.51.100.4"), "198.51.100.4");
        assert_eq!(address_key("not an address"), "unknown");
        assert_eq!(address_key(""), "unknown");
    }

    #[test]
    fn the_refusal_says_how_much_and_when() {
        let m = OAUTH.message();
        assert!(m.contains("at most 30 every 60 seconds") && m.contains("Try again in 60 seconds"), "{m}");
        assert_eq!(WRITES.retry_after_secs(), 60);
    }

    #[test]
    fn every_limit_is_declared_in_wrangler_toml_as_here() {
        // One source of truth: the numbers live here, the binding needs them in wrangler.toml.
        let toml = include_str!("../../../worker/wrangler.toml");
        let blocks: Vec<&str> = toml.split("[[ratelimits]]").skip(1).collect();
        assert_eq!(blocks.len(), ALL.len(), "one [[ratelimits]] per limit");
        for l in ALL {
            assert!(matches!(l.period_secs, 10 | 60), "{}: the binding takes 10 or 60 s", l.binding);
            let block =
                blocks.iter().find(|b| b.contains(&format!("name = \"{}\"", l.binding))).unwrap_or_else(|| panic!("{} is not in wrangler.toml", l.binding));
            let simple = format!("simple = {{ limit = {}, period = {} }}", l.limit, l.period_secs);
            assert!(block.contains(&simple), "{}: wrangler.toml must say {simple}", l.binding);
        }
        let ids: std::collections::BTreeSet<&str> = blocks.iter().filter_map(|b| b.split("namespace_id = \"").nth(1)?.split('"').next()).collect();
        assert_eq!(ids.len(), ALL.len(), "each limit has a namespace_id of its own");
    }
}
