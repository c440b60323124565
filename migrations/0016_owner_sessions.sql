-- The back office's sessions, kept by the writer so that signing out, a new password or
-- the owner's "End" really ends one. `id` is the SHA-256 (hex) of the random secret
-- only the browser's cookie carries: a copy of this table cannot be turned into a
-- cookie. A session is valid while its `generation` is the password's, `expires_at`
-- (unix seconds, sign-in plus the absolute lifetime) is ahead and `last_seen_at` is
-- within the idle lifetime; rows past that are pruned by the next sign-in. `client` is
-- the pages' pseudonymous client key (never an address), `user_agent` cut short.
CREATE TABLE owner_sessions (
    id           TEXT    PRIMARY KEY CHECK (length(id) = 64),
    generation   INTEGER NOT NULL,
    client       TEXT    NOT NULL,
    user_agent   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- The password generation whose hash an attempt was handed, so that an attempt that
-- raced a password change begins no session.
ALTER TABLE owner_sign_ins ADD COLUMN generation INTEGER;
