-- The outcome of each `POST /admin/reconcile`, for the back office's dashboard ("last
-- reconciliation: ok, 3 hours ago"). Only the newest 100 are kept (the writer prunes
-- older ones when it records a run); the full report went to whoever asked for it.
CREATE TABLE reconcile_runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TEXT    NOT NULL,
    -- The window compared, unix seconds, inclusive.
    window_from     INTEGER NOT NULL,
    window_to       INTEGER NOT NULL,
    ok              INTEGER NOT NULL CHECK (ok IN (0, 1)),
    mismatches      INTEGER NOT NULL CHECK (mismatches >= 0),
    checked_intents INTEGER NOT NULL CHECK (checked_intents >= 0),
    checked_orders  INTEGER NOT NULL CHECK (checked_orders >= 0)
) STRICT;
