//! The demo's database: a pool, its migrations, and the queries the pages
//! and actions share.
//!
//! SQLite in a file by default (created on first start), so the demo needs no
//! set-up. Queries are plain SQL kept here so that routes read like prose.

use std::str::FromStr as _;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

/// Where the data lives when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://serac-demo.db";

/// A cheap-to-clone handle on the database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: SqlitePool,
}

/// Opening the database failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL is not a SQLite URL this demo understands.
    #[error("DATABASE_URL {url:?} is not usable: {source}")]
    Url {
        /// The URL as given.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// The URL names a database this demo cannot use yet.
    #[error(
        "DATABASE_URL {0:?} is not a SQLite URL: the demo stores its data in SQLite only (sqlite://FILE or sqlite::memory:)"
    )]
    Unsupported(String),
    /// Connecting or migrating failed.
    #[error("the database could not be opened: {0}")]
    Open(#[from] sqlx::Error),
    /// A migration failed.
    #[error("the database could not be migrated: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens (creating when missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Self, DbError> {
        if !url.starts_with("sqlite:") {
            return Err(DbError::Unsupported(url.to_string()));
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|source| DbError::Url { url: url.to_string(), source })?
            .create_if_missing(true)
            // WAL lets readers go on while an action writes.
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(std::time::Duration::from_secs(5));
        // An in-memory database exists once per connection: keep exactly one.
        let max = if url.contains(":memory:") { 1 } else { 8 };
        let pool = SqlitePoolOptions::new().max_connections(max).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// A fresh private in-memory database, for tests.
    pub async fn in_memory() -> Result<Self, DbError> {
        Self::open("sqlite::memory:").await
    }

    /// The pool, for queries not wrapped here.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Fills empty tables with a few sample rows, for screenshots and first
    /// impressions (`SERAC_DEMO_SAMPLE_DATA=1`).
    pub async fn add_sample_data(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let invoices: i64 = sqlx::query_scalar("SELECT count(*) FROM invoices").fetch_one(&mut *tx).await?;
        if invoices == 0 {
            for (customer, cents, status) in [
                ("Northwind Traders", 125_000, "paid"),
                ("Acme & Co", 4_250, "pending"),
                ("Globex", 89_990, "pending"),
                ("Initech", 12_000, "paid"),
            ] {
                sqlx::query("INSERT INTO invoices (customer, amount_cents, status) VALUES (?, ?, ?)")
                    .bind(customer)
                    .bind(cents)
                    .bind(status)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let messages: i64 = sqlx::query_scalar("SELECT count(*) FROM messages").fetch_one(&mut *tx).await?;
        if messages == 0 {
            for body in [
                "Did the invoice for Globex go out?",
                "Yes, this morning. Waiting on payment.",
                "Great, thanks! Let's check again on Friday.",
            ] {
                sqlx::query("INSERT INTO messages (body) VALUES (?)").bind(body).execute(&mut *tx).await?;
            }
        }
        tx.commit().await
    }

    /// The current value of a counter (0 when it never moved).
    pub async fn counter(&self, name: &str) -> Result<i64, sqlx::Error> {
        let value: Option<i64> = sqlx::query_scalar("SELECT value FROM counters WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(value.unwrap_or(0))
    }

    /// Adds one to a counter in a single statement (no read-modify-write race)
    /// and returns the new value.
    pub async fn bump(&self, name: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO counters (name, value) VALUES (?, 1)
             ON CONFLICT (name) DO UPDATE SET value = value + 1
             RETURNING value",
        )
        .bind(name)
        .fetch_one(&self.pool)
        .await
    }
}
