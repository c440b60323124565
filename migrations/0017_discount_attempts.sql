-- Discount codes refused at checkout, one row per distinct guess of a client (the same
-- code with the same email again within the guessing window is the same guess): the
-- per-client limit on guessing counts them, and the owner's discount page shows them
-- with the reason a shopper is never told. `client` is the pages' pseudonymous key,
-- `email_sha256` the SHA-256 of the lower-cased email a per-customer check looked at
-- (empty when none was: a quote), never the address itself. Rows older than a day are
-- pruned by the next refusal.
CREATE TABLE discount_attempts (
    id           INTEGER PRIMARY KEY,
    client       TEXT    NOT NULL CHECK (length(client) BETWEEN 1 AND 64),
    -- As typed: upper-cased when shaped like a code, else cut to 40 characters.
    typed        TEXT    NOT NULL CHECK (length(typed) <= 40),
    email_sha256 TEXT    NOT NULL DEFAULT '',
    -- The code, when one of that name exists.
    code_id      INTEGER REFERENCES discount_codes (id),
    reason       TEXT    NOT NULL CHECK (reason IN ('malformed', 'unknown', 'deactivated',
                     'not_yet_valid', 'expired', 'below_minimum', 'used_up',
                     'per_customer_limit')),
    -- Unix seconds.
    attempted_at INTEGER NOT NULL
) STRICT;

CREATE INDEX discount_attempts_by_client ON discount_attempts (client, attempted_at);
CREATE INDEX discount_attempts_by_code ON discount_attempts (code_id, attempted_at);
CREATE INDEX discount_attempts_by_time ON discount_attempts (attempted_at);
