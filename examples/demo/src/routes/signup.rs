//! `/signup`, `/dashboard` and signing in and out: validation on the server
//! with the message in an `aria-live` region, the submit button disabled
//! while pending, and on success a sealed session cookie and a redirect
//! (S16, S17, S18, S24, S25).

use axum::http::HeaderMap;
use maud::{Markup, html};
use serac::prelude::*;

use super::PageError;
use crate::Demo;
use crate::layout::{field_error, page as layout};
use crate::session::{self, current_user};
use crate::throttle;

/// The sign-up and sign-in forms.
#[derive(Debug, serde::Deserialize, garde::Validate, serac::Constraints)]
pub struct Credentials {
    /// Sign-in email.
    #[garde(email, length(max = 200))]
    #[serac(message = "Enter a valid email address.")]
    pub email: String,
    /// At least 8 characters.
    #[garde(length(chars, min = 8, max = 200))]
    #[serac(message = "Password must be at least 8 characters.")]
    pub password: String,
}

/// Creates an account and signs it in.
#[serac::action]
pub async fn sign_up(
    cx: Cx,
    State(demo): State<Demo>,
    form: ValidForm<Credentials>,
) -> Result<(), ActionError> {
    let email = form.email.trim().to_lowercase();
    let hash = session::hash_password(form.password.clone()).await?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(&email)
    .bind(hash)
    .fetch_optional(demo.db.pool())
    .await?;
    let Some(id) = inserted else {
        return Err(ActionError::invalid(
            "email",
            "An account with this email already exists. Sign in instead.",
        ));
    };
    session::sign_in(&cx, &demo, id).await?;
    Err(redirect("/dashboard"))
}

/// Signs an existing account in. Repeated failures for one account or from
/// one address are throttled (R8).
#[serac::action]
pub async fn sign_in(cx: Cx, State(demo): State<Demo>, form: Form<Credentials>) -> Result<(), ActionError> {
    let email = form.email.trim().to_lowercase();
    let address = throttle::client_address(&cx);
    let attempt = demo.sign_ins.attempt(&email, address)?;
    let row: Option<(i64, String)> = sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(demo.db.pool())
        .await?;
    let user = match row {
        Some((id, hash)) => session::verify_password(form.password.clone(), hash).await?.then_some(id),
        None => {
            // Same work as for a real account, so timing does not tell
            // which emails have one.
            session::verify_password(form.password.clone(), session::decoy_hash().await?).await?;
            None
        }
    };
    let Some(id) = user else {
        demo.sign_ins.failed(attempt, &email, address);
        return Err(ActionError::invalid("password", "That email and password do not match."));
    };
    attempt.succeeded();
    session::sign_in(&cx, &demo, id).await?;
    Err(redirect("/dashboard"))
}

/// Signs out (the session is revoked on the server) and goes back to the
/// sign-up page.
#[serac::action]
pub async fn sign_out(cx: Cx, State(demo): State<Demo>) -> Result<(), ActionError> {
    session::sign_out(&cx, &demo).await?;
    Err(redirect("/signup"))
}

/// `/signup`.
pub async fn show(page: Page) -> Markup {
    let up = sign_up::action();
    let inn = sign_in::action();
    let message =
        page.submitted(up).and_then(|s| s.field_errors().iter().next().and_then(|(_, m)| m.first().cloned()));
    layout(
        &page,
        "Sign up",
        html! {
            (page.form(up).id("signup-form").body(html! {
                label { "Email" input #email name="email" type="email" autocomplete="email" value=(page.value(up, "email")); }
                label { "Password" input #password name="password" type="password" autocomplete="new-password"; }
                p.field-error #signup-message aria-live="polite" { @if let Some(m) = &message { (m) } }
                div.row {
                    button #signup type="submit" data-serac-disable="" { "Create account" }
                    span.when-pending data-serac-show-pending="" hidden { "Creating your account…" }
                }
            }))
            h2 { "Already have an account?" }
            (page.form(inn).id("signin-form").body(html! {
                label { "Email" input #signin-email name="email" type="email" autocomplete="email" value=(page.value(inn, "email")); }
                label { "Password" input #signin-password name="password" type="password" autocomplete="current-password"; }
                (field_error(&page, inn, "password"))
                button.secondary #signin type="submit" data-serac-disable="" { "Sign in" }
            }))
        },
    )
}

/// `/dashboard`.
pub async fn dashboard(
    State(demo): State<Demo>,
    headers: HeaderMap,
    page: Page,
) -> Result<Markup, PageError> {
    let user = current_user(&demo, &headers).await;
    Ok(layout(
        &page,
        "Dashboard",
        html! {
            @match &user {
                Some(user) => {
                    p #welcome.big { "Welcome, " (user.email) }
                    p { a href=(format!("/users/{}", user.id)) { "Your profile" } " · " a href="/admin" { "Admin" } }
                    (page.form(sign_out::action()).id("signout-form").body(html! {
                        button.secondary type="submit" { "Sign out" }
                    }))
                }
                None => {
                    p #welcome { "You are not signed in. " a href="/signup" { "Sign up or sign in" } "." }
                }
            }
        },
    ))
}
