//! `/slow`: an action that outlives its maximum duration (1 s) and is
//! cancelled with a timeout error, at this URL or any other (S12, R3).

use std::time::Duration;

use maud::{Markup, html};
use serac::prelude::*;

use crate::layout::page as layout;

/// Takes three seconds, three times what it is allowed: its limit is its
/// own, so it holds wherever the action is posted.
#[serac::action(max_duration_ms = 1000)]
pub async fn slow_report() -> Result<(), ActionError> {
    tokio::time::sleep(Duration::from_secs(3)).await;
    Ok(())
}

/// `/slow`.
pub async fn show(page: Page) -> Markup {
    layout(
        &page,
        "Slow",
        html! {
            p { "The report below takes 3 seconds; this page allows actions 1 second." }
            (page.form(slow_report::action()).id("slow-form").body(html! {
                div.row {
                    button #run-report type="submit" data-serac-disable="" { "Run the report" }
                    span data-serac-show-pending="" hidden { "Running…" }
                }
            }))
        },
    )
}
