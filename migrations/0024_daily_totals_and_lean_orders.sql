-- The dashboard's "today" in O(1), the owner's search by index, and what an order costs
-- the file for good.

-- Per day (UTC, the day of the order's `created_at`, as the dashboard's "today"): the
-- orders placed, and those of them paid or shipped now. Kept by the triggers below on
-- every insert and state change; `audit` verifies it against the orders.
CREATE TABLE daily_orders (
    day    TEXT    PRIMARY KEY,
    placed INTEGER NOT NULL,
    paid   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Per day of the order and payment currency: the money the day's orders brought in
-- (payments that succeeded, whatever became of their order since) less what the provider
-- confirmed giving back.
CREATE TABLE daily_revenue (
    day      TEXT    NOT NULL,
    currency TEXT    NOT NULL,
    amount   INTEGER NOT NULL,
    PRIMARY KEY (day, currency)
) STRICT, WITHOUT ROWID;

INSERT INTO daily_orders (day, placed, paid)
SELECT substr(created_at, 1, 10), count(*), sum(state IN ('paid', 'fulfilled'))
FROM orders GROUP BY substr(created_at, 1, 10);

INSERT INTO daily_revenue (day, currency, amount)
SELECT substr(o.created_at, 1, 10), p.currency, sum(p.amount - p.amount_refunded)
FROM payments p JOIN orders o ON o.id = p.order_id
WHERE p.status IN ('succeeded', 'refund_requested', 'refunded')
GROUP BY substr(o.created_at, 1, 10), p.currency;

CREATE TRIGGER daily_orders_placed AFTER INSERT ON orders
BEGIN
    INSERT INTO daily_orders (day, placed, paid)
    VALUES (substr(NEW.created_at, 1, 10), 1, NEW.state IN ('paid', 'fulfilled'))
    ON CONFLICT (day) DO UPDATE SET placed = placed + 1,
                                    paid = paid + (NEW.state IN ('paid', 'fulfilled'));
END;

CREATE TRIGGER daily_orders_state AFTER UPDATE OF state ON orders
    WHEN (OLD.state IN ('paid', 'fulfilled')) <> (NEW.state IN ('paid', 'fulfilled'))
BEGIN
    UPDATE daily_orders
    SET paid = paid + (NEW.state IN ('paid', 'fulfilled')) - (OLD.state IN ('paid', 'fulfilled'))
    WHERE day = substr(NEW.created_at, 1, 10);
END;

CREATE TRIGGER daily_revenue_payment AFTER INSERT ON payments
    WHEN NEW.status IN ('succeeded', 'refund_requested', 'refunded')
BEGIN
    INSERT INTO daily_revenue (day, currency, amount)
    SELECT substr(o.created_at, 1, 10), NEW.currency, NEW.amount - NEW.amount_refunded
    FROM orders o WHERE o.id = NEW.order_id
    ON CONFLICT (day, currency) DO UPDATE SET amount = amount + excluded.amount;
END;

CREATE TRIGGER daily_revenue_payment_changed
    AFTER UPDATE OF status, amount, amount_refunded, currency ON payments
BEGIN
    -- What the payment counted for before, taken off; what it counts for now, added.
    INSERT INTO daily_revenue (day, currency, amount)
    SELECT substr(o.created_at, 1, 10), OLD.currency, -(OLD.amount - OLD.amount_refunded)
    FROM orders o
    WHERE o.id = OLD.order_id AND OLD.status IN ('succeeded', 'refund_requested', 'refunded')
    ON CONFLICT (day, currency) DO UPDATE SET amount = amount + excluded.amount;
    INSERT INTO daily_revenue (day, currency, amount)
    SELECT substr(o.created_at, 1, 10), NEW.currency, NEW.amount - NEW.amount_refunded
    FROM orders o
    WHERE o.id = NEW.order_id AND NEW.status IN ('succeeded', 'refund_requested', 'refunded')
    ON CONFLICT (day, currency) DO UPDATE SET amount = amount + excluded.amount;
END;

-- The owner's search matches the start of a customer's name (an index range; the name
-- "contains" search over a window of recent orders is gone).
CREATE INDEX orders_by_name ON orders (name COLLATE NOCASE);

-- A shopper's unpaid orders (the per-client limit, `checkout::client_limits`) are the
-- only ones ever looked up by client: the index keeps only them, so a paid, shipped or
-- expired order costs it nothing.
DROP INDEX orders_unpaid_by_client;
CREATE INDEX orders_unpaid_by_client ON orders (client_key)
    WHERE client_key IS NOT NULL AND state = 'pending_payment';

-- Delivered outbox messages are kept `outbox_delivered_seconds` (30 days), then deleted
-- with their local mailbox copy (`outbox::retention`), read oldest first by this index.
CREATE INDEX outbox_delivered_by_finished ON outbox (finished_at) WHERE state = 'delivered';

-- The dashboard's low-stock list and count read only the live variants at or under the
-- threshold, not every variant of the catalog.
CREATE INDEX variants_low_stock ON variants (stock) WHERE active = 1 AND archived_at IS NULL;

-- The newest cutoff the outbox sweep has deleted delivered messages before: the audit
-- expects an email only for order events since then (whatever the variables of the
-- process that audits).
CREATE TABLE outbox_swept (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    before TEXT    NOT NULL
) STRICT;
