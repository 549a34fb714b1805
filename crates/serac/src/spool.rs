//! Files of a multipart body written to temporary files as they arrive,
//! for actions that take [`Upload`](crate::upload::Upload)s: the part of
//! uploads that the body decoder (`payload.rs`) needs, below the actions.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rand::RngCore as _;

/// A file written to the temporary directory, removed when dropped.
#[derive(Debug)]
pub(crate) struct TempFile {
    path: Option<PathBuf>,
}

impl TempFile {
    /// A new, empty file with a random name in the system's temporary
    /// directory.
    pub(crate) async fn create() -> std::io::Result<(Self, tokio::fs::File)> {
        let mut bytes = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let path = std::env::temp_dir().join(format!("serac-upload-{}", hex::encode(bytes)));
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&path).await?;
        Ok((Self { path: Some(path) }, file))
    }

    pub(crate) fn path(&self) -> &Path {
        self.path.as_deref().unwrap_or(Path::new(""))
    }

    /// The path, no longer removed on drop.
    pub(crate) fn keep(mut self) -> PathBuf {
        self.path.take().unwrap_or_default()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            // Blocking but brief (an unlink); the file may already be gone.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A file part spooled to disk while the body was read.
#[derive(Debug)]
pub(crate) struct Spooled {
    pub(crate) field: String,
    pub(crate) file_name: String,
    pub(crate) content_type: Option<String>,
    pub(crate) len: u64,
    pub(crate) file: TempFile,
}

/// The files of a call spooled to disk, taken by the `Upload` parameters in
/// order.
#[derive(Debug, Default)]
pub(crate) struct Spool(Mutex<Vec<Spooled>>);

impl Spool {
    pub(crate) fn push(&self, spooled: Spooled) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(spooled);
    }

    pub(crate) fn take_first(&self) -> Option<Spooled> {
        let mut files = self.0.lock().unwrap_or_else(|e| e.into_inner());
        (!files.is_empty()).then(|| files.remove(0))
    }
}
