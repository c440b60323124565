-- Orders: what shoppers bought, at which catalog price, and every state the order went through.
--
-- Orders, their lines and their events are never deleted (the audit compares sqlite_sequence
-- with MAX(id), hence AUTOINCREMENT), lines and events never change after insert, and an
-- order's number, currency, total and creation time are fixed. Triggers below enforce it, so
-- a bug or a stray shell cannot quietly rewrite history.

CREATE TABLE orders (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Public, unguessable order number, e.g. SF-7K3M-Q9TX-2PDA (the id is never shown).
    number              TEXT    NOT NULL UNIQUE,
    state               TEXT    NOT NULL
        CHECK (state IN ('pending_payment', 'paid', 'fulfilled', 'cancelled', 'refunded')),
    email               TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    address_line1       TEXT    NOT NULL,
    address_line2       TEXT    NOT NULL DEFAULT '',
    address_city        TEXT    NOT NULL,
    address_postal_code TEXT    NOT NULL,
    address_country     TEXT    NOT NULL CHECK (length(address_country) = 2),
    currency            TEXT    NOT NULL CHECK (length(currency) = 3),
    total_amount        INTEGER NOT NULL CHECK (total_amount >= 0),
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
) STRICT;

-- Releasing expired reservations: pending_payment orders older than a cutoff.
CREATE INDEX orders_by_state_created ON orders (state, created_at);

CREATE TABLE order_lines (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    product_id  INTEGER NOT NULL REFERENCES products (id),
    -- Slug, name and price as they were when the order was placed.
    slug        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_amount INTEGER NOT NULL CHECK (unit_amount >= 0),
    currency    TEXT    NOT NULL CHECK (length(currency) = 3),
    line_amount INTEGER NOT NULL CHECK (line_amount = unit_amount * quantity),
    -- One line per product; also the index for "lines of this order".
    UNIQUE (order_id, product_id)
) STRICT;

-- Foreign-key checks on products look lines up by product.
CREATE INDEX order_lines_by_product ON order_lines (product_id);

CREATE TABLE order_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    -- NULL for the event that created the order.
    from_state TEXT
        CHECK (from_state IS NULL
               OR from_state IN ('pending_payment', 'paid', 'fulfilled', 'cancelled', 'refunded')),
    to_state   TEXT    NOT NULL
        CHECK (to_state IN ('pending_payment', 'paid', 'fulfilled', 'cancelled', 'refunded')),
    at         TEXT    NOT NULL
) STRICT;

CREATE INDEX order_events_by_order ON order_events (order_id, id);

-- A place-order command's key and result, so that a repeat returns the first answer.
CREATE TABLE idempotency_keys (
    key         TEXT    PRIMARY KEY,
    -- Hex SHA-256 of the validated request: the same key with another body is refused.
    fingerprint TEXT    NOT NULL,
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    status      INTEGER NOT NULL,
    response    TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
) STRICT;

CREATE INDEX idempotency_keys_by_order ON idempotency_keys (order_id);

CREATE TRIGGER orders_never_deleted BEFORE DELETE ON orders
BEGIN
    SELECT RAISE(ABORT, 'orders are never deleted; cancel or refund them instead');
END;

CREATE TRIGGER orders_fixed_columns
BEFORE UPDATE OF number, currency, total_amount, created_at ON orders
WHEN NEW.number IS NOT OLD.number
  OR NEW.currency IS NOT OLD.currency
  OR NEW.total_amount IS NOT OLD.total_amount
  OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'an order''s number, currency, total and creation time never change');
END;

CREATE TRIGGER order_lines_never_deleted BEFORE DELETE ON order_lines
BEGIN
    SELECT RAISE(ABORT, 'order lines are never deleted');
END;

CREATE TRIGGER order_lines_immutable BEFORE UPDATE ON order_lines
BEGIN
    SELECT RAISE(ABORT, 'order lines are immutable');
END;

CREATE TRIGGER order_events_never_deleted BEFORE DELETE ON order_events
BEGIN
    SELECT RAISE(ABORT, 'order events are never deleted');
END;

CREATE TRIGGER order_events_immutable BEFORE UPDATE ON order_events
BEGIN
    SELECT RAISE(ABORT, 'order events are immutable');
END;
