//! Throttling failed sign-ins: after [`PER_ACCOUNT`] failures for one
//! account, or [`PER_ADDRESS`] from one client address, within the last
//! [`WINDOW`], further attempts are refused with `429` and `Retry-After`
//! before any password is hashed. Failures are logged with the address.
//!
//! An attempt is counted as a failure when it starts and given back only
//! when the password was right: counting after the hash instead would let
//! forty guesses sent at once all be checked before the first failure is
//! recorded. The window slides (each attempt is kept with its time), so
//! there is no moment when a fixed window restarts and twice the limit
//! gets through in a second.
//!
//! The counters live in memory, in caches bounded by count that forget a
//! key a window after its last attempt, so a flood of addresses cannot grow
//! them without bound.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use serac::{ActionError, Cx};

/// Failures allowed for one account within [`WINDOW`].
pub const PER_ACCOUNT: usize = 5;
/// Failures allowed from one client address within [`WINDOW`].
pub const PER_ADDRESS: usize = 20;
/// How long failures are counted.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// The attempts of the last [`WINDOW`] that did not succeed (failed or
/// still being checked), oldest first, each with its attempt's number.
#[derive(Debug, Default)]
struct Window(Mutex<VecDeque<(u64, Instant)>>);

impl Window {
    /// Takes one of `limit` places for attempt `id`, or says how long until
    /// the oldest place frees.
    fn take(&self, id: u64, limit: usize, now: Instant) -> Result<(), Duration> {
        let mut attempts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        while attempts.front().is_some_and(|(_, at)| now.saturating_duration_since(*at) >= WINDOW) {
            attempts.pop_front();
        }
        if let Some((_, oldest)) = attempts.front().filter(|_| attempts.len() >= limit) {
            return Err(WINDOW.saturating_sub(now.saturating_duration_since(*oldest)));
        }
        attempts.push_back((id, now));
        Ok(())
    }

    fn give_back(&self, id: u64) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).retain(|(i, _)| *i != id);
    }
}

/// The failure counters.
#[derive(Clone)]
pub struct SignInThrottle {
    accounts: moka::sync::Cache<String, Arc<Window>>,
    addresses: moka::sync::Cache<IpAddr, Arc<Window>>,
    next_id: Arc<AtomicU64>,
}

impl std::fmt::Debug for SignInThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInThrottle").finish_non_exhaustive()
    }
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self {
            accounts: moka::sync::Cache::builder().max_capacity(100_000).time_to_idle(WINDOW).build(),
            addresses: moka::sync::Cache::builder().max_capacity(100_000).time_to_idle(WINDOW).build(),
            next_id: Arc::default(),
        }
    }
}

/// The address a call came from (the demo serves without a proxy).
pub fn client_address(cx: &Cx) -> IpAddr {
    cx.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| addr.ip())
}

fn refused(wait: Duration) -> ActionError {
    ActionError::rate_limited(
        format!("Too many failed sign-ins. Try again in {} minutes.", wait.as_secs().div_ceil(60).max(1)),
        wait.max(Duration::from_secs(1)),
    )
}

/// A sign-in attempt under way, counted as failed unless
/// [`Attempt::succeeded`] is called.
#[derive(Debug)]
#[must_use = "an attempt counts as failed unless `succeeded` is called"]
pub struct Attempt {
    id: u64,
    account: Arc<Window>,
    address: Arc<Window>,
}

impl Attempt {
    /// The password was right: the attempt no longer counts.
    pub fn succeeded(self) {
        self.account.give_back(self.id);
        self.address.give_back(self.id);
    }
}

impl SignInThrottle {
    /// Starts an attempt for `account` from `address`, counted as a failure
    /// until it succeeds; refused when either has failed too often lately.
    pub fn attempt(&self, account: &str, address: IpAddr) -> Result<Attempt, ActionError> {
        self.attempt_at(account, address, Instant::now())
    }

    fn attempt_at(&self, account: &str, address: IpAddr, now: Instant) -> Result<Attempt, ActionError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        // The address first: an address already refused adds no entry for
        // the account it names (which could push other accounts' counts
        // out of the cache).
        let for_address = self.addresses.get_with(address, Arc::default);
        for_address.take(id, PER_ADDRESS, now).map_err(refused)?;
        let for_account = self.accounts.get_with_by_ref(account, Arc::default);
        if let Err(wait) = for_account.take(id, PER_ACCOUNT, now) {
            for_address.give_back(id);
            return Err(refused(wait));
        }
        Ok(Attempt { id, account: for_account, address: for_address })
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

    // Regression: a window fixed at the first failure let 5 guesses at its
    // last second and 5 more at the next one through.
    #[test]
    fn the_window_slides_so_no_burst_gets_twice_the_limit() {
        let throttle = SignInThrottle::default();
        let a = IpAddr::from([10, 0, 0, 1]);
        let start = Instant::now();
        let fail_at = |at: Instant| {
            let attempt = throttle.attempt_at("ada@example.com", a, at)?;
            throttle.failed(attempt, "ada@example.com", a);
            Ok::<(), ActionError>(())
        };
        fail_at(start).expect("first");
        let late = start + WINDOW - Duration::from_secs(1);
        for _ in 1..PER_ACCOUNT {
            fail_at(late).expect("within the limit");
        }
        let after = start + WINDOW + Duration::from_millis(100);
        fail_at(after).expect("the first failure has left the window: one place");
        let refused = fail_at(after).expect_err("the other four are still in it");
        assert_eq!(refused.status(), 429);
        // Free again when the late ones leave the window.
        fail_at(late + WINDOW).expect("a window after the late failures");
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
