//! `/stream`: "Generate" streams about twenty pieces of text over about two
//! seconds into `#stream-output` as they are produced (a stand-in for a
//! language model, no network); "Stop" cancels the stream on the server.
//! Without JavaScript the page comes back with the whole text (B18).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use maud::{Markup, html};
use serac::Streaming;
use serac::prelude::*;

use crate::Demo;
use crate::layout::page as layout;

/// The text the generator "writes", a piece at a time.
const ANSWER: [&str; 20] = [
    "Server ", "actions ", "that ", "stream ", "send ", "each ", "piece ", "of ", "their ", "result ", "as ",
    "soon ", "as ", "it ", "is ", "ready, ", "and ", "stop ", "when ", "asked.",
];

/// How long the generator "thinks" between pieces.
const PACE: Duration = Duration::from_millis(100);

/// Pieces the generator has produced, over every run: the page shows the
/// count, so that stopping can be seen to stop the server's side too.
#[derive(Debug, Clone, Default)]
pub struct Produced(Arc<AtomicUsize>);

impl Produced {
    /// Pieces produced so far.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Streams the answer, a piece every 100 ms.
#[serac::action]
pub async fn generate(State(demo): State<Demo>) -> Result<Streaming<String>, ActionError> {
    Ok(Streaming::from_fn(move |parts| async move {
        for piece in ANSWER {
            tokio::time::sleep(PACE).await;
            demo.produced.0.fetch_add(1, Ordering::SeqCst);
            parts.send(piece.to_string()).await;
        }
        Ok(())
    }))
}

/// `/stream`.
pub async fn show(State(demo): State<Demo>, page: Page) -> Markup {
    let generate = generate::action();
    let text = page.state::<Vec<String>, _>(generate).unwrap_or_default().concat();
    layout(
        &page,
        "Stream",
        html! {
            (serac::client::stream_tags())
            p { "The answer below is written a piece at a time, as a language model would; Stop cancels it on the server." }
            (page.form(generate).id("stream-form").shows_result()
                .attr("data-serac-stream", "append").attr("data-serac-into", "#stream-output").body(html! {
                div.row {
                    button #stream-generate type="submit" data-serac-disable="" { "Generate" }
                    button #stream-stop type="button" data-serac-abort="" { "Stop" }
                }
            }))
            output #stream-output aria-live="polite" { (text) }
            p.muted { "Pieces produced on the server so far: " span #stream-produced { (demo.produced.count()) } }
        },
    )
}
