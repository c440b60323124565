-- Orders that match reality for the owner:
--
-- - the parcel's carrier next to its tracking number, so the shopper's order page and the
--   "on its way" email can link to the carrier's tracking page;
-- - goods that come back to the shelf with a refund or a cancellation of a paid order:
--   one `order_restocks` row per line and command (the order's history shows them), each
--   with the `stock_adjustments` row that put the units back, written in the refund's
--   or the cancellation's own transaction.

-- The carrier's code (`dhl`, `ups`, …, see `storefront_domain::carriers`) or a name the
-- owner typed; set with the tracking number when shipping (optional).
ALTER TABLE orders ADD COLUMN tracking_carrier TEXT
    CHECK (tracking_carrier IS NULL OR length(tracking_carrier) BETWEEN 1 AND 40);

-- The order a stock adjustment returned goods from, if any.
ALTER TABLE stock_adjustments ADD COLUMN order_id INTEGER REFERENCES orders (id);

CREATE TABLE order_restocks (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id            INTEGER NOT NULL REFERENCES orders (id),
    line_id             INTEGER NOT NULL REFERENCES order_lines (id),
    quantity            INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    -- The refund (its seq) that returned the goods; NULL for a cancellation.
    refund_seq          INTEGER CHECK (refund_seq IS NULL OR refund_seq >= 1),
    stock_adjustment_id INTEGER NOT NULL UNIQUE REFERENCES stock_adjustments (id),
    -- 'owner' (the back office) or 'admin-token' (the JSON API).
    actor               TEXT    NOT NULL,
    at                  TEXT    NOT NULL
) STRICT;

CREATE INDEX order_restocks_by_order ON order_restocks (order_id, id);
CREATE INDEX order_restocks_by_line ON order_restocks (line_id);

CREATE TRIGGER order_restocks_never_deleted BEFORE DELETE ON order_restocks
BEGIN
    SELECT RAISE(ABORT, 'order restocks are never deleted');
END;

CREATE TRIGGER order_restocks_never_changed BEFORE UPDATE ON order_restocks
BEGIN
    SELECT RAISE(ABORT, 'order restocks are never changed');
END;

-- Never more back on the shelf than the line sold.
CREATE TRIGGER order_restocks_within_line BEFORE INSERT ON order_restocks
WHEN (SELECT coalesce(sum(quantity), 0) FROM order_restocks WHERE line_id = NEW.line_id)
     + NEW.quantity > (SELECT quantity FROM order_lines WHERE id = NEW.line_id)
BEGIN
    SELECT RAISE(ABORT, 'an order line cannot return more to stock than it sold');
END;
