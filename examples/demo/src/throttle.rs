//! Throttling failed sign-ins: after [`PER_ACCOUNT`] failures for one
//! account, or [`PER_ADDRESS`] from one client address, within [`WINDOW`],
//! further attempts are refused with `429` and `Retry-After` before any
//! password is hashed. Failures are logged with the address.
//!
//! The counters live in memory, in caches bounded by count that forget a
//! key when its window ends, so a flood of addresses cannot grow them
//! without bound.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use serac::{ActionError, Cx};

/// Failures allowed for one account within [`WINDOW`].
pub const PER_ACCOUNT: u32 = 5;
/// Failures allowed from one client address within [`WINDOW`].
pub const PER_ADDRESS: u32 = 20;
/// How long failures are counted.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Failures in the current window, and when it started.
type Count = Arc<(AtomicU32, Instant)>;

/// The failure counters.
#[derive(Clone)]
pub struct SignInThrottle {
    accounts: moka::sync::Cache<String, Count>,
    addresses: moka::sync::Cache<IpAddr, Count>,
}

impl std::fmt::Debug for SignInThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInThrottle").finish_non_exhaustive()
    }
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self {
            accounts: moka::sync::Cache::builder().max_capacity(100_000).time_to_live(WINDOW).build(),
            addresses: moka::sync::Cache::builder().max_capacity(100_000).time_to_live(WINDOW).build(),
        }
    }
}

/// The address a call came from (the demo serves without a proxy).
pub fn client_address(cx: &Cx) -> IpAddr {
    cx.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| addr.ip())
}

fn over(count: Option<Count>, limit: u32) -> Option<Duration> {
    let count = count?;
    (count.0.load(Ordering::Relaxed) >= limit).then(|| WINDOW.saturating_sub(count.1.elapsed()))
}

impl SignInThrottle {
    /// Refuses an attempt for `account` from `address` when either has
    /// failed too often lately.
    pub fn check(&self, account: &str, address: IpAddr) -> Result<(), ActionError> {
        let wait =
            over(self.accounts.get(account), PER_ACCOUNT).or(over(self.addresses.get(&address), PER_ADDRESS));
        match wait {
            Some(wait) => Err(ActionError::rate_limited(
                format!(
                    "Too many failed sign-ins. Try again in {} minutes.",
                    wait.as_secs().div_ceil(60).max(1)
                ),
                wait.max(Duration::from_secs(1)),
            )),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt.
    pub fn failed(&self, account: &str, address: IpAddr) {
        tracing::warn!(%address, account, "sign-in failed");
        let fresh = || Arc::new((AtomicU32::new(0), Instant::now()));
        self.accounts.get_with(account.to_string(), fresh).0.fetch_add(1, Ordering::Relaxed);
        self.addresses.get_with(address, fresh).0.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_throttled_after_its_failures_and_others_are_not() {
        let throttle = SignInThrottle::default();
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        for _ in 0..PER_ACCOUNT {
            assert!(throttle.check("ada@example.com", a).is_ok());
            throttle.failed("ada@example.com", a);
        }
        let refused = throttle.check("ada@example.com", b).expect_err("throttled from any address");
        assert_eq!(refused.status(), 429);
        assert!(throttle.check("bob@example.com", b).is_ok());
    }

    #[test]
    fn an_address_is_throttled_after_its_failures_across_accounts() {
        let throttle = SignInThrottle::default();
        let a = IpAddr::from([10, 0, 0, 1]);
        for i in 0..PER_ADDRESS {
            throttle.failed(&format!("user{i}@example.com"), a);
        }
        assert!(throttle.check("new@example.com", a).is_err());
        assert!(throttle.check("new@example.com", IpAddr::from([10, 0, 0, 9])).is_ok());
    }
}
