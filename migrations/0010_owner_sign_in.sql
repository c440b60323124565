-- The back office's owner: one password (an argon2id PHC string, hashed by whoever sets
-- it; the writer never sees the password) and the sign-in attempts that rate-limit
-- guessing. `generation` changes with every new password, and a back-office session
-- carries the generation it was signed in under, so a new password ends every session.
CREATE TABLE owner_credentials (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    password_hash TEXT    NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    generation    INTEGER NOT NULL CHECK (generation > 0),
    changed_at    TEXT    NOT NULL,
    changed_by    TEXT    NOT NULL
);

-- One row per sign-in attempt: `pending` from the moment the writer hands out the hash
-- until the pages report the outcome, so a burst of parallel guesses counts in full.
-- Rows older than a day are pruned by the next attempt.
CREATE TABLE owner_sign_ins (
    id         INTEGER PRIMARY KEY,
    client     TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    outcome    TEXT    NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'ok', 'failed'))
);
CREATE INDEX owner_sign_ins_by_client ON owner_sign_ins (client, started_at);
