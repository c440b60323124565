-- Partial refunds: the owner gives back part of a payment (a broken item, a late parcel)
-- as often as needed, up to what was paid; the order stays paid or shipped until the
-- provider has refunded all of it, then it is refunded as before.
--
-- Two records, two sources of truth:
-- - `refunds`: what the owner asked for, one row per request, written before the
--   provider is called (so a crash between the two is retried with the same provider
--   idempotency key, never doubled), then marked accepted with the provider's refund id,
--   or failed (its amount free again);
-- - `payments.amount_refunded`: what the provider confirmed, the cumulative
--   `amount_refunded` of its `charge.refunded` events (never lowered).

ALTER TABLE payments ADD COLUMN amount_refunded INTEGER NOT NULL DEFAULT 0
    CHECK (amount_refunded >= 0);

-- Refunds made before this migration were whole.
UPDATE payments SET amount_refunded = amount WHERE status = 'refunded';

CREATE TABLE refunds (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id      INTEGER NOT NULL REFERENCES payments (id),
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    -- 1, 2, 3 … per payment: the provider's idempotency key is
    -- `storefront-refund-{order number}-{seq}`.
    seq             INTEGER NOT NULL CHECK (seq >= 1),
    amount          INTEGER NOT NULL CHECK (amount >= 1),
    currency        TEXT    NOT NULL CHECK (length(currency) = 3),
    -- Why, in the owner's words (optional; shown in the back office, sent to nobody).
    note            TEXT    CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500),
    -- 'owner' (the back office) or 'admin-token' (the JSON API).
    actor           TEXT    NOT NULL,
    -- The request's idempotency key and a hash of what it asked: the same key again is
    -- answered with this row, never a second refund.
    idempotency_key TEXT    NOT NULL UNIQUE,
    fingerprint     TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('requested', 'accepted', 'failed')),
    -- The provider's refund id, once it accepted the refund.
    refund_id       TEXT    UNIQUE,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (payment_id, seq),
    CHECK ((state = 'accepted') = (refund_id IS NOT NULL))
) STRICT;

CREATE INDEX refunds_by_order ON refunds (order_id, seq);

CREATE TRIGGER refunds_never_deleted BEFORE DELETE ON refunds
BEGIN
    SELECT RAISE(ABORT, 'refunds are never deleted');
END;

-- Only the state moves, and only forward: requested → accepted | failed.
CREATE TRIGGER refunds_move_forward BEFORE UPDATE ON refunds
WHEN OLD.state <> 'requested'
  OR NEW.id IS NOT OLD.id OR NEW.payment_id IS NOT OLD.payment_id
  OR NEW.order_id IS NOT OLD.order_id OR NEW.seq IS NOT OLD.seq
  OR NEW.amount IS NOT OLD.amount OR NEW.currency IS NOT OLD.currency
  OR NEW.note IS NOT OLD.note OR NEW.actor IS NOT OLD.actor
  OR NEW.idempotency_key IS NOT OLD.idempotency_key
  OR NEW.fingerprint IS NOT OLD.fingerprint OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'a refund only moves from requested to accepted or failed');
END;

-- The provider's confirmed refunds only grow.
CREATE TRIGGER payments_refunds_only_grow BEFORE UPDATE OF amount_refunded ON payments
WHEN NEW.amount_refunded < OLD.amount_refunded OR NEW.amount_refunded > NEW.amount
BEGIN
    SELECT RAISE(ABORT, 'a payment''s refunded amount only grows, up to the payment');
END;

-- Money the provider confirmed giving back, short of the whole payment, is news for the
-- shopper and the owner's endpoints (`order.partially_refunded`); a refund of the rest
-- makes the order refunded, which `order.refunded` announces.
CREATE TRIGGER outbox_partial_refund AFTER UPDATE OF amount_refunded ON payments
WHEN NEW.amount_refunded > OLD.amount_refunded AND NEW.amount_refunded < NEW.amount
BEGIN
    INSERT INTO outbox (message_id, channel, event, order_id, recipient, endpoint_id,
                        payload, created_at, next_attempt_at)
    SELECT 'msg_' || lower(hex(randomblob(16))), m.channel, 'order.partially_refunded',
           NEW.order_id, m.recipient, m.endpoint_id,
           json_object('refunded', NEW.amount_refunded - OLD.amount_refunded,
                       'refunded_total', NEW.amount_refunded,
                       'currency', NEW.currency),
           strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), CAST(strftime('%s', 'now') AS INTEGER)
    FROM (
        SELECT 'email' AS channel, o.email AS recipient, NULL AS endpoint_id
        FROM orders o WHERE o.id = NEW.order_id
        UNION ALL
        SELECT 'webhook', w.url, w.id FROM webhook_endpoints w
        WHERE w.active = 1
          AND (w.events = '*' OR instr(' ' || w.events || ' ', ' order.partially_refunded ') > 0)
    ) m;
END;
