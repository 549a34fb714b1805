-- Invoices of /invoices.
CREATE TABLE invoices (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer    TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    status      TEXT NOT NULL CHECK (status IN ('pending', 'paid')),
    created_at  TEXT NOT NULL DEFAULT (datetime('now'))
);

-- Accounts of /signup, /dashboard, /admin.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL DEFAULT (datetime('now'))
);

-- Posts of /posts: a draft is edited, publishing copies it to the body.
CREATE TABLE posts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    draft      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '',
    published  INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL DEFAULT 1
);

-- The thread of /messages.
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);

-- Items added on /admin.
CREATE TABLE items (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    name     TEXT NOT NULL,
    added_by INTEGER NOT NULL REFERENCES users (id)
);

INSERT INTO posts (title, draft, body, published) VALUES
    ('Hello, Serac', 'Server actions without a JavaScript framework.', 'Server actions without a JavaScript framework.', 1),
    ('Forms that work everywhere', 'Every example here works with JavaScript turned off.', 'Every example here works with JavaScript turned off.', 1);

-- A profile to look at before anyone signs up; it cannot sign in.
INSERT INTO users (email, password_hash, name) VALUES ('ada@example.com', '!', 'Ada Lovelace');
