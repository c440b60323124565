-- The owner's order handling in the back office: who moved an order (each event's actor),
-- the parcel's tracking number, and the owner's order commands by idempotency key, so a
-- double-clicked "Ship" or "Cancel" is answered with the first answer, never applied twice.

-- Who caused the event: 'owner' (the back office), 'admin-token' (the JSON API), or NULL
-- for events recorded before this migration and events with no person behind them (the
-- shopper placing the order, the payment provider, the reservation sweep).
ALTER TABLE order_events ADD COLUMN actor TEXT;

-- The carrier's tracking number, set when the owner ships the order (optional).
ALTER TABLE orders ADD COLUMN tracking_number TEXT
    CHECK (tracking_number IS NULL OR length(tracking_number) BETWEEN 1 AND 64);

-- One row per applied owner order command (ship, cancel) sent with an Idempotency-Key:
-- the same key with the same command replays `response`; never changed or deleted.
CREATE TABLE order_commands (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT    NOT NULL UNIQUE,
    -- Hex SHA-256 of the command (order, target state, tracking number).
    fingerprint     TEXT    NOT NULL,
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    actor           TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    response        TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
) STRICT;

CREATE INDEX order_commands_by_order ON order_commands (order_id);

CREATE TRIGGER order_commands_never_deleted BEFORE DELETE ON order_commands
BEGIN
    SELECT RAISE(ABORT, 'order commands are never deleted');
END;

CREATE TRIGGER order_commands_never_changed BEFORE UPDATE ON order_commands
BEGIN
    SELECT RAISE(ABORT, 'order commands are never changed');
END;
