//! The cookie jar of one action call, and the cookies a page handler reads.
//!
//! Reads see the request's cookies plus what the action has already changed;
//! changes become `Set-Cookie` headers on the response and are also visible to
//! the re-render of the page that follows, so a page showing a cookie shows
//! the new value in the same round trip. Both sides decode values the same
//! way (percent-encoding undone), so what an action sets is what a page reads.

use std::sync::Mutex;

use cookie::{Cookie, CookieJar, SameSite};
use http::{HeaderMap, HeaderValue};

/// Cookies inside an action: `cx.cookies().get("name")`, `.set(...)`, `.delete(...)`.
#[derive(Debug, Default)]
pub struct Cookies {
    jar: Mutex<CookieJar>,
}

/// The cookies a request sent, parsed and decoded: every `Cookie` header,
/// `name=value` pairs split at `;`, percent-encoding undone; a pair that
/// does not parse is skipped.
fn parse(headers: &HeaderMap) -> CookieJar {
    let mut jar = CookieJar::new();
    for value in headers.get_all(http::header::COOKIE) {
        let Ok(value) = value.to_str() else { continue };
        for cookie in Cookie::split_parse_encoded(value.to_string()).flatten() {
            jar.add_original(cookie.into_owned());
        }
    }
    jar
}

/// The cookies of the request, read-only: an extractor for page handlers
/// (`cookies: RequestCookies`, then `cookies.get("theme")`). It reads the
/// same values an action's [`Cookies`] does, and after an action, the page
/// rendered again sees the cookies as the action left them. Setting cookies
/// is an action's work, so that they change with the data they belong to.
#[derive(Debug, Clone, Default)]
pub struct RequestCookies {
    jar: CookieJar,
}

impl RequestCookies {
    /// The cookies sent with a request.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self { jar: parse(headers) }
    }

    /// The value of a cookie, decoded.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.jar.get(name).map(Cookie::value)
    }

    /// Every cookie, as `(name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.jar.iter().map(|c| (c.name(), c.value()))
    }
}

impl Cookies {
    /// The cookies sent with a request.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        Self { jar: Mutex::new(parse(headers)) }
    }

    fn jar(&self) -> std::sync::MutexGuard<'_, CookieJar> {
        // A panic while holding the lock cannot leave the jar half-updated
        // (every operation is a single insert), so a poisoned lock is usable.
        self.jar.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The value of a cookie.
    pub fn get(&self, name: &str) -> Option<String> {
        self.jar().get(name).map(|c| c.value().to_string())
    }

    /// Sets a cookie. `Path` defaults to `/` and `SameSite` to `Lax` when the
    /// cookie does not say; `HttpOnly` and `Secure` are the caller's choice.
    pub fn set(&self, cookie: impl Into<Cookie<'static>>) {
        let mut cookie = cookie.into();
        if cookie.path().is_none() {
            cookie.set_path("/");
        }
        if cookie.same_site().is_none() {
            cookie.set_same_site(SameSite::Lax);
        }
        self.jar().add(cookie);
    }

    /// Deletes a cookie set with `Path=/` (the default of [`Cookies::set`]).
    pub fn delete(&self, name: &str) {
        self.delete_at(name, "/");
    }

    /// Deletes a cookie set with another path.
    pub fn delete_at(&self, name: &str, path: &str) {
        let removal = Cookie::build((name.to_string(), "")).path(path.to_string()).build();
        let mut jar = self.jar();
        if jar.get(name).is_none() {
            // Not sent with this request: still tell the browser to drop it.
            jar.add_original(Cookie::new(name.to_string(), ""));
        }
        jar.remove(removal);
    }

    /// Whether the action changed any cookie.
    pub fn changed(&self) -> bool {
        self.jar().delta().next().is_some()
    }

    /// `Set-Cookie` values for the changes.
    pub(crate) fn set_cookie_headers(&self) -> Vec<HeaderValue> {
        self.jar().delta().filter_map(|c| HeaderValue::from_str(&c.encoded().to_string()).ok()).collect()
    }

    /// A `Cookie` request header with the cookies as they are after the
    /// action, for the re-render of the page.
    pub(crate) fn request_header(&self) -> Option<HeaderValue> {
        let jar = self.jar();
        let pairs: Vec<String> = jar
            .iter()
            .filter(|c| !c.value().is_empty() || c.max_age().is_none())
            .filter(|c| c.max_age().is_none_or(|age| !age.is_zero()))
            .map(|c| c.stripped().encoded().to_string())
            .collect();
        if pairs.is_empty() { None } else { HeaderValue::from_str(&pairs.join("; ")).ok() }
    }
}
