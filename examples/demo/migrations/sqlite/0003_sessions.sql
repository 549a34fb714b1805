-- Server-side sessions: the cookie holds a random token, the table its
-- SHA-256 (a leaked table signs nobody in). Signing out deletes the row.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
