//! `/upload`: a file upload that shows the file's name and size, with upload
//! progress. The file is streamed to a temporary file as it arrives (an
//! `Upload` parameter), so 100 MB take little memory; over 100 MB the server
//! refuses it with 413 before reading it all (S5, S32, B5, B18).

use maud::{Markup, html};
use serac::prelude::*;
use serac::upload::Upload;

use crate::layout::page as layout;

/// The largest upload, in bytes (the whole form, as sent).
pub const UPLOAD_LIMIT: usize = 100 * 1024 * 1024;

/// What the page shows about an uploaded file.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Received {
    /// The file's name, without any directory part.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// The type the browser declared.
    pub content_type: String,
}

/// Receives a file, streamed to a temporary file. Nothing is kept: the demo
/// only reports what arrived, and the file is removed when `file` is dropped.
#[serac::action(body_limit = 104857600)]
pub async fn upload_file(file: Upload) -> Result<Received, ActionError> {
    Ok(Received {
        name: file.file_name().to_string(),
        size: file.len(),
        content_type: file.content_type().unwrap_or("unknown").to_string(),
    })
}

/// `/upload`.
pub async fn show(page: Page) -> Markup {
    let up = upload_file::action();
    let received: Option<Received> = page.state(up);
    layout(
        &page,
        "Upload",
        html! {
            (page.form(up).multipart().shows_result().id("upload-form").body(html! {
                label { "File (up to 100 MB)" input #file type="file" name="file"; }
                @if let Some(e) = page.field_error(up, "file") { p.field-error #file-error { (e) } }
                progress #progress data-serac-progress="" max="1" {}
                button #upload type="submit" data-serac-disable="" { "Upload" }
            }))
            @if let Some(r) = &received {
                p #received { "Received " strong { (r.name) } " (" (r.size) " bytes, " (r.content_type) ")." }
            }
        },
    )
}
