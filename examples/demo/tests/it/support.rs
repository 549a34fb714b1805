//! The demo served in this test process on a loopback port, with a fresh
//! in-memory database the tests can read to prove what ran.

use serac::config::Mode;
use serac::{Config, KeyRing};
use serac_demo::{Db, Settings, app_with};

pub struct Demo {
    pub url: String,
    pub db: Db,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The demo with `settings`, in development mode, on a fixed test secret.
pub async fn start_with(settings: Settings) -> Demo {
    let db = Db::in_memory().await.expect("database");
    let config = Config::new(KeyRing::from_secrets(&[[3; 32]]).expect("key")).mode(Mode::Development);
    let (url, task) = serac_testkit::serve(app_with(db.clone(), config, settings)).await;
    Demo { url, db, task }
}

/// The demo as `cargo run` sets it up.
pub async fn start() -> Demo {
    start_with(Settings::default()).await
}
