-- Payments: the provider's PaymentIntent recorded against each order, and every verified
-- provider event the writer received, applied or not.
--
-- Neither table ever loses a row (the audit compares sqlite_sequence with MAX(id), hence
-- AUTOINCREMENT). A payment's order, provider, intent, amount and creation time are fixed;
-- only its status, refund id and update time move. An event is kept exactly as received:
-- only which order it was attributed to (once, from unknown to known), its outcome and when
-- it was applied may change, so a deferred event can be applied later and an event for an
-- intent recorded late can still find its order. Triggers below enforce it.

CREATE TABLE payments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    -- One payment per order: pages create the intent with an idempotency key derived from
    -- the order number, so a second intent for the same order is a bug, not a retry.
    order_id   INTEGER NOT NULL UNIQUE REFERENCES orders (id),
    provider   TEXT    NOT NULL CHECK (provider IN ('stripe', 'test')),
    intent_id  TEXT    NOT NULL UNIQUE CHECK (length(intent_id) > 0),
    -- What the intent charges: equal to the order total unless something went wrong (the
    -- audit says so).
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    currency   TEXT    NOT NULL CHECK (length(currency) = 3),
    status     TEXT    NOT NULL
        CHECK (status IN ('created', 'succeeded', 'failed', 'refund_requested', 'refunded')),
    -- Set when a refund is asked of the provider. A refund made elsewhere (the provider's
    -- dashboard) reaches `refunded` without one.
    refund_id  TEXT,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    CHECK (status <> 'refund_requested' OR refund_id IS NOT NULL)
) STRICT;

CREATE TABLE payment_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The provider's event id: a second delivery of the same event is recognised by it.
    event_id     TEXT    NOT NULL UNIQUE CHECK (length(event_id) > 0),
    provider     TEXT    NOT NULL CHECK (provider IN ('stripe', 'test')),
    event_type   TEXT    NOT NULL,
    -- The provider's creation time, unix seconds: the order events are retried in.
    created      INTEGER NOT NULL,
    livemode     INTEGER NOT NULL CHECK (livemode IN (0, 1)),
    intent_id    TEXT,
    -- `metadata[order_number]` exactly as received (not normalised), for the audit.
    order_number TEXT,
    -- NULL: the ledger could not attribute the event to an order; kept for a human.
    order_id     INTEGER REFERENCES orders (id),
    amount       INTEGER,
    currency     TEXT,
    -- The whole event as the provider sent it.
    payload      TEXT    NOT NULL,
    received_at  TEXT    NOT NULL,
    outcome      TEXT    NOT NULL
        CHECK (outcome IN ('applied', 'deferred', 'unknown_order', 'amount_mismatch',
                           'order_not_payable', 'ignored')),
    -- When the writer finished with the event; NULL exactly while it waits for an earlier one.
    applied_at   TEXT,
    CHECK ((outcome = 'deferred') = (applied_at IS NULL))
) STRICT;

-- Retrying an order's deferred events, oldest first; foreign-key lookups by order.
CREATE INDEX payment_events_by_order ON payment_events (order_id, outcome, created, id);
-- Finding events that arrived before their intent was recorded.
CREATE INDEX payment_events_by_intent ON payment_events (intent_id);

CREATE TRIGGER payments_never_deleted BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'payments are never deleted; their status records what happened');
END;

CREATE TRIGGER payments_fixed_columns
BEFORE UPDATE OF id, order_id, provider, intent_id, amount, currency, created_at ON payments
WHEN NEW.id IS NOT OLD.id
  OR NEW.order_id IS NOT OLD.order_id
  OR NEW.provider IS NOT OLD.provider
  OR NEW.intent_id IS NOT OLD.intent_id
  OR NEW.amount IS NOT OLD.amount
  OR NEW.currency IS NOT OLD.currency
  OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'a payment''s order, provider, intent, amount and creation time never change');
END;

CREATE TRIGGER payment_events_never_deleted BEFORE DELETE ON payment_events
BEGIN
    SELECT RAISE(ABORT, 'payment events are never deleted');
END;

CREATE TRIGGER payment_events_as_received BEFORE UPDATE ON payment_events
WHEN NEW.id IS NOT OLD.id
  OR NEW.event_id IS NOT OLD.event_id
  OR NEW.provider IS NOT OLD.provider
  OR NEW.event_type IS NOT OLD.event_type
  OR NEW.created IS NOT OLD.created
  OR NEW.livemode IS NOT OLD.livemode
  OR NEW.intent_id IS NOT OLD.intent_id
  OR NEW.order_number IS NOT OLD.order_number
  OR NEW.amount IS NOT OLD.amount
  OR NEW.currency IS NOT OLD.currency
  OR NEW.payload IS NOT OLD.payload
  OR NEW.received_at IS NOT OLD.received_at
  -- An event's order is found once: from unknown to known, never moved to another order.
  OR (OLD.order_id IS NOT NULL AND NEW.order_id IS NOT OLD.order_id)
BEGIN
    SELECT RAISE(ABORT, 'a payment event is kept as received: only its order (once), outcome and applied_at change');
END;
