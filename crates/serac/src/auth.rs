//! Authorization helpers.
//!
//! Serac does not know your users; it gives actions one obvious place to ask.
//! Implement [`Identify`] for your user type (read a session cookie, look it
//! up), then either take `user: Auth<User>` as an action parameter or call
//! `cx.user::<User>().await?`. No user → `401` with a message for people;
//! a user without the right → return [`crate::ActionError::forbidden`] (`403`).

use std::future::Future;

use crate::cx::Cx;
use crate::error::ActionError;

/// The message of the `401` when no user is signed in.
pub const SIGN_IN_MESSAGE: &str = "You must be signed in to perform this action";

/// How to find the signed-in user of an action call.
pub trait Identify: Sized + Send + 'static {
    /// The user of this call, `Ok(None)` when nobody is signed in.
    fn identify(cx: &Cx) -> impl Future<Output = Result<Option<Self>, ActionError>> + Send;
}

/// An action parameter that requires a signed-in user: `user: Auth<User>`.
/// The action does not run when nobody is signed in (`401`).
#[derive(Debug, Clone)]
pub struct Auth<U>(pub U);

impl<U> std::ops::Deref for Auth<U> {
    type Target = U;
    fn deref(&self) -> &U {
        &self.0
    }
}

impl Cx {
    /// The signed-in user, or `401` with [`SIGN_IN_MESSAGE`].
    pub async fn user<U: Identify>(&self) -> Result<U, ActionError> {
        U::identify(self).await?.ok_or_else(|| ActionError::unauthorized(SIGN_IN_MESSAGE))
    }
}
