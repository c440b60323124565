-- Customer accounts without passwords (see `components/domain/src/customer.rs`).
--
-- A customer is a verified email: the row appears when a sign-in email is confirmed for
-- the first time, and goes (with its sessions and addresses) when the customer asks for
-- erasure. Their orders are matched on the orders' own email by `orders_by_email`
-- (case-insensitive), so orders placed before the account existed belong to it too.

-- One row per sign-in email sent. `token_hash` is the SHA-256 of the link's secret and
-- `code_hash` a keyed hash of the code with the address: the link and the code
-- themselves are never stored (the pages derive them from a nonce with their secret).
-- A row works once (`consumed_at`) and until `expires_at` (unix seconds); rows past a
-- day are pruned by the next request. `client` is the pages' pseudonymous client key.
CREATE TABLE customer_sign_ins (
    id          INTEGER PRIMARY KEY,
    email       TEXT    NOT NULL,
    client      TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    code_hash   TEXT    NOT NULL CHECK (length(code_hash) = 64),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    consumed_at INTEGER
);
CREATE INDEX customer_sign_ins_by_email ON customer_sign_ins (email, created_at);
CREATE INDEX customer_sign_ins_by_client ON customer_sign_ins (client, created_at);

-- Wrong codes entered, per address, for the code-guessing limit.
CREATE TABLE customer_wrong_codes (
    id      INTEGER PRIMARY KEY,
    email   TEXT    NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX customer_wrong_codes_by_email ON customer_wrong_codes (email, at);

CREATE TABLE customer_accounts (
    id          INTEGER PRIMARY KEY,
    -- Normalised: trimmed, ASCII lower case.
    email       TEXT    NOT NULL UNIQUE,
    verified_at INTEGER NOT NULL
);

-- A customer's server-side sessions: `id` is the SHA-256 of the secret only the
-- browser's cookie carries. Signing out deletes the row.
CREATE TABLE customer_sessions (
    id          TEXT    PRIMARY KEY CHECK (length(id) = 64),
    customer_id INTEGER NOT NULL REFERENCES customer_accounts (id) ON DELETE CASCADE,
    client      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX customer_sessions_by_customer ON customer_sessions (customer_id);

CREATE TABLE customer_addresses (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer_accounts (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    line1       TEXT    NOT NULL,
    line2       TEXT    NOT NULL DEFAULT '',
    city        TEXT    NOT NULL,
    postal_code TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT '',
    country     TEXT    NOT NULL CHECK (length(country) = 2),
    phone       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX customer_addresses_by_customer ON customer_addresses (customer_id, id);

-- The customers' commands by Idempotency-Key: the same key with the same command
-- replays `response` (which never holds personal data).
CREATE TABLE customer_commands (
    idempotency_key TEXT    PRIMARY KEY,
    fingerprint     TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    response        TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
) WITHOUT ROWID;
