//! Throttling failed sign-ins: after [`PER_ACCOUNT`] failures for one
//! account, or [`PER_ADDRESS`] from one client address, within [`WINDOW`],
//! further attempts are refused with `429` and `Retry-After` before any
//! password is hashed. Failures are logged with the address.
//!
//! An attempt is counted as a failure when it starts and given back only
//! when the password was right: counting after the hash instead would let
//! forty guesses sent at once all be checked before the first failure is
//! recorded.
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

/// Attempts in the current window that have not succeeded (failed or still
/// being checked), and when the window started.
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

fn fresh() -> Count {
    Arc::new((AtomicU32::new(0), Instant::now()))
}

/// Takes one of `limit` places in `count`, or says how long until the
/// window ends.
fn take(count: &Count, limit: u32) -> Result<(), ActionError> {
    if count.0.fetch_add(1, Ordering::AcqRel) < limit {
        return Ok(());
    }
    count.0.fetch_sub(1, Ordering::AcqRel);
    let wait = WINDOW.saturating_sub(count.1.elapsed());
    Err(ActionError::rate_limited(
        format!("Too many failed sign-ins. Try again in {} minutes.", wait.as_secs().div_ceil(60).max(1)),
        wait.max(Duration::from_secs(1)),
    ))
}

/// A sign-in attempt under way, counted as failed unless
/// [`Attempt::succeeded`] is called.
#[derive(Debug)]
#[must_use = "an attempt counts as failed unless `succeeded` is called"]
pub struct Attempt {
    account: Count,
    address: Count,
}

impl Attempt {
    /// The password was right: the attempt no longer counts.
    pub fn succeeded(self) {
        self.account.0.fetch_sub(1, Ordering::AcqRel);
        self.address.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl SignInThrottle {
    /// Starts an attempt for `account` from `address`, counted as a failure
    /// until it succeeds; refused when either has failed too often lately.
    pub fn attempt(&self, account: &str, address: IpAddr) -> Result<Attempt, ActionError> {
        let for_account = self.accounts.get_with_by_ref(account, fresh);
        take(&for_account, PER_ACCOUNT)?;
        let for_address = self.addresses.get_with(address, fresh);
        if let Err(refused) = take(&for_address, PER_ADDRESS) {
            for_account.0.fetch_sub(1, Ordering::AcqRel);
            return Err(refused);
        }
        Ok(Attempt { account: for_account, address: for_address })
    }

    /// Logs a failed attempt (it stays counted).
    pub fn failed(&self, attempt: Attempt, account: &str, address: IpAddr) {
        tracing::warn!(%address, account, "sign-in failed");
        drop(attempt);
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
            let attempt = throttle.attempt("ada@example.com", a).expect("allowed");
            throttle.failed(attempt, "ada@example.com", a);
        }
        let refused = throttle.attempt("ada@example.com", b).expect_err("throttled from any address");
        assert_eq!(refused.status(), 429);
        assert!(throttle.attempt("bob@example.com", b).is_ok());
    }

    #[test]
    fn an_address_is_throttled_after_its_failures_across_accounts() {
        let throttle = SignInThrottle::default();
        let a = IpAddr::from([10, 0, 0, 1]);
        for i in 0..PER_ADDRESS {
            let account = format!("user{i}@example.com");
            let attempt = throttle.attempt(&account, a).expect("allowed");
            throttle.failed(attempt, &account, a);
        }
        assert!(throttle.attempt("new@example.com", a).is_err());
        assert!(throttle.attempt("new@example.com", IpAddr::from([10, 0, 0, 9])).is_ok());
    }

    // Regression: failures were counted after the password hash, so guesses
    // sent together were all checked.
    #[test]
    fn attempts_still_being_checked_count_against_the_limit() {
        let throttle = SignInThrottle::default();
        let a = IpAddr::from([10, 0, 0, 1]);
        let in_flight: Vec<_> =
            (0..PER_ACCOUNT).map(|_| throttle.attempt("ada@example.com", a).expect("allowed")).collect();
        assert!(throttle.attempt("ada@example.com", a).is_err(), "a sixth guess while five are checked");
        drop(in_flight);
        assert!(throttle.attempt("ada@example.com", a).is_err(), "unfinished attempts count as failed");
    }

    #[test]
    fn a_successful_attempt_gives_its_place_back_and_a_refusal_takes_none() {
        let throttle = SignInThrottle::default();
        let a = IpAddr::from([10, 0, 0, 1]);
        for _ in 0..PER_ACCOUNT * 3 {
            throttle.attempt("ada@example.com", a).expect("allowed").succeeded();
        }
        for _ in 0..PER_ACCOUNT - 1 {
            let attempt = throttle.attempt("ada@example.com", a).expect("allowed");
            throttle.failed(attempt, "ada@example.com", a);
        }
        // Four failures and fifteen successes: one place left.
        let last = throttle.attempt("ada@example.com", a).expect("the fifth place");
        assert!(throttle.attempt("ada@example.com", a).is_err());
        assert!(throttle.attempt("ada@example.com", a).is_err(), "refusals take no place");
        last.succeeded();
        assert!(throttle.attempt("ada@example.com", a).is_ok());
    }
}
