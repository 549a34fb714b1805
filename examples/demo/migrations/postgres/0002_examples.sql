-- The same schema as migrations/sqlite/0002_examples.sql, in PostgreSQL's words.
CREATE TABLE invoices (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer     TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'paid')),
    created_at   TEXT NOT NULL DEFAULT (now()::text)
);

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL DEFAULT (now()::text)
);

CREATE TABLE posts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title      TEXT NOT NULL,
    draft      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '',
    published  BIGINT NOT NULL DEFAULT 0,
    version    BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE messages (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (now()::text)
);

CREATE TABLE items (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name     TEXT NOT NULL,
    added_by BIGINT NOT NULL REFERENCES users (id)
);

INSERT INTO posts (title, draft, body, published) VALUES
    ('Hello, Serac', 'Server actions without a JavaScript framework.', 'Server actions without a JavaScript framework.', 1),
    ('Forms that work everywhere', 'Every example here works with JavaScript turned off.', 'Every example here works with JavaScript turned off.', 1);

-- A profile to look at before anyone signs up; it cannot sign in.
INSERT INTO users (email, password_hash, name) VALUES ('ada@example.com', '!', 'Ada Lovelace');
