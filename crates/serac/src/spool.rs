//! Files of a multipart body written to temporary files as they arrive,
//! for actions that take [`Upload`](crate::upload::Upload)s: the part of
//! uploads that the body decoder (`payload.rs`) needs, below the actions.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rand::RngCore as _;

/// How many bytes of uploads [`crate::Config`] lets be on disk at once.
pub(crate) const DEFAULT_DISK_BUDGET: u64 = 1024 * 1024 * 1024;

/// The bytes of uploads on disk, all calls together, and how many may be.
#[derive(Debug, Clone)]
pub(crate) struct DiskBudget {
    used: Arc<AtomicU64>,
    max: u64,
}

impl DiskBudget {
    pub(crate) fn new(max: u64) -> Self {
        Self { used: Arc::default(), max }
    }

    /// Takes `n` bytes, if the budget has them.
    fn reserve(&self, n: u64) -> bool {
        self.used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(n).filter(|total| *total <= self.max)
            })
            .is_ok()
    }

    fn release(&self, n: u64) {
        self.used.fetch_sub(n, Ordering::SeqCst);
    }

    /// Bytes on disk now.
    #[cfg(test)]
    pub(crate) fn used(&self) -> u64 {
        self.used.load(Ordering::SeqCst)
    }
}

/// A file written to the temporary directory, removed when dropped, its
/// bytes counted against the [`DiskBudget`] while it is there.
#[derive(Debug)]
pub(crate) struct TempFile {
    path: Option<PathBuf>,
    budget: DiskBudget,
    reserved: u64,
}

impl TempFile {
    /// A new, empty file with a random name in the system's temporary
    /// directory.
    pub(crate) async fn create(budget: &DiskBudget) -> std::io::Result<(Self, tokio::fs::File)> {
        let mut bytes = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let path = std::env::temp_dir().join(format!("serac-upload-{}", hex::encode(bytes)));
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&path).await?;
        Ok((Self { path: Some(path), budget: budget.clone(), reserved: 0 }, file))
    }

    /// Counts `n` more bytes against the budget; false when it has no room
    /// (the caller refuses the call).
    pub(crate) fn grow(&mut self, n: u64) -> bool {
        let room = self.budget.reserve(n);
        if room {
            self.reserved += n;
        }
        room
    }

    pub(crate) fn path(&self) -> &Path {
        self.path.as_deref().unwrap_or(Path::new(""))
    }

    /// The path, no longer removed on drop.
    pub(crate) fn keep(mut self) -> PathBuf {
        // No longer an upload on disk of ours.
        self.budget.release(std::mem::take(&mut self.reserved));
        self.path.take().unwrap_or_default()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            // Blocking but brief (an unlink); the file may already be gone.
            let _ = std::fs::remove_file(path);
        }
        self.budget.release(self.reserved);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_temporary_file_gives_its_bytes_back_when_dropped_or_kept() {
        let budget = DiskBudget::new(10);
        let (mut a, _) = TempFile::create(&budget).await.expect("a");
        assert!(a.grow(6));
        let (mut b, _) = TempFile::create(&budget).await.expect("b");
        assert!(!b.grow(5), "over the budget");
        assert!(b.grow(4));
        assert_eq!(budget.used(), 10);
        let path = a.path().to_path_buf();
        assert!(path.exists());
        drop(a);
        assert!(!path.exists(), "removed when dropped");
        assert_eq!(budget.used(), 4);
        let kept = b.keep();
        assert_eq!(budget.used(), 0, "a kept file is no longer an upload");
        assert!(kept.exists());
        let _ = std::fs::remove_file(kept);
    }
}
