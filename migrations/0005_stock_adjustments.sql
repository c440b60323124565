-- Stock adjustments: every change of a product's stock that is not an order reserving or
-- releasing it: deliveries, breakage, stock counts, as the shop owner records them through
-- `POST /admin/products/{slug}/stock`. One row per command, with its idempotency key, so a
-- retried restock is answered rather than applied twice.
--
-- Never changed or deleted (the audit compares sqlite_sequence with MAX(id), hence
-- AUTOINCREMENT).

CREATE TABLE stock_adjustments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id      INTEGER NOT NULL REFERENCES products (id),
    delta           INTEGER NOT NULL CHECK (delta <> 0 AND delta BETWEEN -1000000 AND 1000000),
    reason          TEXT    NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    -- The product's available stock right after the adjustment.
    stock_after     INTEGER NOT NULL CHECK (stock_after >= 0),
    idempotency_key TEXT    NOT NULL UNIQUE,
    -- Hex SHA-256 of the command (slug, delta, trimmed reason): the same key with another
    -- command is refused.
    fingerprint     TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
) STRICT;

CREATE INDEX stock_adjustments_by_product ON stock_adjustments (product_id, id);

CREATE TRIGGER stock_adjustments_never_deleted BEFORE DELETE ON stock_adjustments
BEGIN
    SELECT RAISE(ABORT, 'stock adjustments are never deleted');
END;

CREATE TRIGGER stock_adjustments_never_changed BEFORE UPDATE ON stock_adjustments
BEGIN
    SELECT RAISE(ABORT, 'stock adjustments are never changed');
END;
