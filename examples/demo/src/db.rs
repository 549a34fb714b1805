//! The demo's database: a pool, its migrations, and the queries the pages
//! and actions share.
//!
//! SQLite in a file by default (created on first start), so the demo needs no
//! set-up; a `postgres://` URL works too when the demo is built with its
//! `postgres` feature, with the same queries (written with `$1`
//! placeholders, which both understand) and its own copy of the migrations.
//! Queries are plain SQL kept next to the code that needs them.

use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, install_default_drivers};

/// Where the data lives when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://serac-demo.db";

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file, or `sqlite::memory:`.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A cheap-to-clone handle on the database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// Opening the database failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names a database this demo does not know.
    #[error(
        "DATABASE_URL {0:?} is neither a SQLite URL (sqlite://FILE, sqlite::memory:) nor a PostgreSQL one (postgres://…)"
    )]
    Unsupported(String),
    /// A PostgreSQL URL, and the demo built without PostgreSQL.
    #[error(
        "DATABASE_URL names a PostgreSQL database, and this demo was built without PostgreSQL support: \
         build it with `--features postgres`"
    )]
    NoPostgres,
    /// Connecting failed.
    #[error("the database could not be opened: {0}")]
    Open(#[from] sqlx::Error),
    /// A migration failed.
    #[error("the database could not be migrated: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The backend `url` names, and the URL to connect with; `with_postgres`
/// says whether this build has the PostgreSQL driver.
fn connection_url(url: &str, with_postgres: bool) -> Result<(Backend, String), DbError> {
    if url.starts_with("sqlite:") {
        // `mode=rwc` creates the file on first start.
        let url = if url.contains(":memory:") || url.contains("mode=") {
            url.to_string()
        } else if url.contains('?') {
            format!("{url}&mode=rwc")
        } else {
            format!("{url}?mode=rwc")
        };
        Ok((Backend::Sqlite, url))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        if with_postgres { Ok((Backend::Postgres, url.to_string())) } else { Err(DbError::NoPostgres) }
    } else {
        Err(DbError::Unsupported(url.to_string()))
    }
}

impl Db {
    /// Opens (creating a SQLite file when missing) and migrates the database
    /// at `url`.
    pub async fn open(url: &str) -> Result<Self, DbError> {
        install_default_drivers();
        let (backend, url) = connection_url(url, cfg!(feature = "postgres"))?;
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            // An in-memory database exists once per connection: keep exactly one.
            options = options.max_connections(if url.contains(":memory:") { 1 } else { 8 }).after_connect(
                |conn, _| {
                    Box::pin(async move {
                        // WAL lets readers go on while an action writes; wait
                        // for a busy writer rather than failing.
                        sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                        Ok(())
                    })
                },
            );
        } else {
            options = options.max_connections(16);
        }
        let pool = options.connect(&url).await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Self { pool, backend })
    }

    /// A fresh private in-memory database, for tests.
    pub async fn in_memory() -> Result<Self, DbError> {
        Self::open("sqlite::memory:").await
    }

    /// The pool, for queries not wrapped here.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
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
                sqlx::query("INSERT INTO invoices (customer, amount_cents, status) VALUES ($1, $2, $3)")
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
                sqlx::query("INSERT INTO messages (body) VALUES ($1)").bind(body).execute(&mut *tx).await?;
            }
        }
        tx.commit().await
    }

    /// The current value of a counter (0 when it never moved).
    pub async fn counter(&self, name: &str) -> Result<i64, sqlx::Error> {
        let value: Option<i64> = sqlx::query_scalar("SELECT value FROM counters WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(value.unwrap_or(0))
    }

    /// Adds one to a counter in a single statement (no read-modify-write race)
    /// and returns the new value.
    pub async fn bump(&self, name: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO counters (name, value) VALUES ($1, 1)
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
             RETURNING value",
        )
        .bind(name)
        .fetch_one(&self.pool)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::{Backend, DbError, connection_url};

    #[test]
    fn sqlite_files_are_created_on_first_start() {
        assert_eq!(
            connection_url("sqlite://d.db", false).ok(),
            Some((Backend::Sqlite, "sqlite://d.db?mode=rwc".into()))
        );
        assert_eq!(
            connection_url("sqlite://d.db?cache=shared", false).ok(),
            Some((Backend::Sqlite, "sqlite://d.db?cache=shared&mode=rwc".into()))
        );
        assert_eq!(
            connection_url("sqlite::memory:", false).ok(),
            Some((Backend::Sqlite, "sqlite::memory:".into()))
        );
    }

    // Without the driver the demo says which flag to build with, rather
    // than sqlx's "no driver found" once it tries to connect.
    #[test]
    fn a_postgres_url_needs_the_feature_and_says_so() {
        assert!(matches!(connection_url("postgres://localhost/demo", false), Err(DbError::NoPostgres)));
        assert!(DbError::NoPostgres.to_string().contains("--features postgres"));
        assert_eq!(
            connection_url("postgresql://localhost/demo", true).ok(),
            Some((Backend::Postgres, "postgresql://localhost/demo".into()))
        );
    }
}
