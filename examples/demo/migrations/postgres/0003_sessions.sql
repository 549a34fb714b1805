-- The same as migrations/sqlite/0003_sessions.sql, in PostgreSQL's words.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
