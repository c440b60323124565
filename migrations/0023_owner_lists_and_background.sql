-- Owner lists, exports and background work cost O(page) and O(due), not O(shop).

-- The owner's order list and export, newest (or oldest) first by time, with no state
-- filter; with one, `orders_by_state_created` (0002) serves. The rowid (id) rides along in
-- both, so (created_at, id) cursors need no sort.
CREATE INDEX orders_by_created ON orders (created_at);

-- The owner's search finds an exact email address among all orders.
CREATE INDEX orders_by_email ON orders (email COLLATE NOCASE);

-- Idempotency records keep the full answer for a while, then only their fingerprint
-- (`idempotency::retention`): the sweep reads the answers due for compaction by this
-- partial index (compacted records leave it), and the fingerprints due to go by the next.
CREATE INDEX idempotency_keys_answer_by_created ON idempotency_keys (created_at)
    WHERE response <> '';
CREATE INDEX idempotency_keys_by_created ON idempotency_keys (created_at);

-- The audit is incremental: each run is stored with the last order id it verified; a
-- routine run verifies the orders after the last clean run's cursor and those changed
-- since it ran (by `orders_by_updated`); the dashboard shows the last run.
CREATE TABLE audit_runs (
    id               INTEGER PRIMARY KEY,
    ran_at           TEXT    NOT NULL,
    -- 1: every order and `PRAGMA integrity_check` (`storefront check --full`).
    full             INTEGER NOT NULL CHECK (full IN (0, 1)),
    -- The last order id this run verified (the next routine run's cursor).
    through_order_id INTEGER NOT NULL,
    orders_checked   INTEGER NOT NULL,
    ok               INTEGER NOT NULL CHECK (ok IN (0, 1)),
    summary          TEXT    NOT NULL,
    -- JSON array of the findings' lines.
    findings         TEXT    NOT NULL
) STRICT;

CREATE INDEX orders_by_updated ON orders (updated_at);
