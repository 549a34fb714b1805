//! Uploads streamed to disk (B18): [`Upload`], an action parameter whose
//! file is written to a temporary file as it arrives, never held whole in
//! memory.
//!
//! An action that takes an `Upload` has its multipart body read as a stream:
//! text fields are kept in memory (under the app's body limit, 1 MiB by
//! default), and each file goes to a temporary file under the action's own
//! limit (`#[action(body_limit = …)]`, which may then be large). A body
//! declared larger than the limit is refused (`413`) before any of it is
//! read; one that turns out larger is refused when it passes the limit, and
//! the rest is not read. Temporary files are removed when the `Upload` (or
//! the call) is dropped, unless the action kept the file with
//! [`Upload::persist`].
//!
//! A form that posts to such an action must name it in its first field,
//! as `page.form(action)` does (`$action` first): without JavaScript the
//! layer finds the action from the start of the body, and only then knows
//! that the rest may be large.

use std::future::{Future, ready};
use std::path::Path;

use crate::action::{Call, FromCall};
use crate::error::ActionError;
use crate::spool::Spooled;

/// An uploaded file, streamed to a temporary file as it arrived:
/// `file: Upload`. Takes the form's files in order, one per `Upload`
/// parameter; a form without a file (or with the empty part a browser sends
/// when none was chosen) is a validation error on the field (`422`).
///
/// ```rust
/// use serac::prelude::*;
/// use serac::upload::Upload;
///
/// /// Up to 1 GiB, never held in memory.
/// #[serac::action(body_limit = 1073741824)]
/// async fn import(file: Upload) -> Result<u64, ActionError> {
///     let size = file.len();
///     file.persist(std::env::temp_dir().join("import.csv")).await?;
///     Ok(size)
/// }
/// # fn main() {}
/// ```
#[derive(Debug)]
pub struct Upload {
    spooled: Spooled,
}

impl Upload {
    /// The form field the file was sent under.
    pub fn field(&self) -> &str {
        &self.spooled.field
    }

    /// The file name as the browser sent it, reduced to its last path
    /// component (`../../etc/passwd` arrives as `passwd`). Never use it as a
    /// path without checks of your own.
    pub fn file_name(&self) -> &str {
        &self.spooled.file_name
    }

    /// The declared content type, if any (not verified).
    pub fn content_type(&self) -> Option<&str> {
        self.spooled.content_type.as_deref()
    }

    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        self.spooled.len
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.spooled.len == 0
    }

    /// Where the temporary file is, while the `Upload` lives.
    pub fn path(&self) -> &Path {
        self.spooled.file.path()
    }

    /// Opens the temporary file for reading.
    pub async fn open(&self) -> std::io::Result<tokio::fs::File> {
        tokio::fs::File::open(self.path()).await
    }

    /// Moves the file to `to` (a rename, or a copy across file systems),
    /// where it stays after the call.
    pub async fn persist(self, to: impl AsRef<Path>) -> std::io::Result<()> {
        let to = to.as_ref().to_path_buf();
        let from = self.spooled.file.keep();
        if tokio::fs::rename(&from, &to).await.is_err() {
            let copied = tokio::fs::copy(&from, &to).await;
            let _ = tokio::fs::remove_file(&from).await;
            copied?;
        }
        Ok(())
    }
}

impl FromCall for Upload {
    const SPOOLS_UPLOADS: bool = true;

    fn from_call(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send {
        let spooled = call.payload.spool.take_first();
        ready(match spooled {
            Some(spooled) if !(spooled.len == 0 && spooled.file_name.is_empty()) => Ok(Upload { spooled }),
            // The empty part of a file input left empty, or no part at all.
            Some(spooled) => Err(ActionError::invalid(spooled.field, "Choose a file first.")),
            None => Err(ActionError::invalid(call.param(), "Choose a file first.")),
        })
    }
}
