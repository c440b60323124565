-- The transactional outbox: every message someone must receive about a change (an
-- email to the shopper, a signed webhook to each of the owner's endpoints, a low-stock
-- email to the shop) is written by a trigger in the same transaction as the change,
-- whichever code made it: no committed change lacks its messages and a rolled-back
-- change has none. Rows are never deleted; only their delivery columns move
-- (pending → delivered | given_up).

-- The owner's webhook endpoints: where to POST which events, and the secret each
-- delivery is signed with. Deactivated, never deleted (messages point at them).
CREATE TABLE webhook_endpoints (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL,
    -- Space-separated event names, or '*' for every event.
    events     TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT    NOT NULL
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    -- Stable id sent downstream (email Message-ID, webhook event id): a retried delivery
    -- carries the same one, so the receiver can tell it is not a second message.
    message_id      TEXT    NOT NULL UNIQUE,
    channel         TEXT    NOT NULL CHECK (channel IN ('email', 'webhook')),
    -- order.placed, order.paid, order.shipped, order.cancelled, order.refunded, stock.low
    event           TEXT    NOT NULL,
    order_id        INTEGER REFERENCES orders (id),
    variant_id      INTEGER REFERENCES variants (id),
    -- An email address, or the webhook endpoint's URL when it was written.
    recipient       TEXT    NOT NULL,
    endpoint_id     INTEGER REFERENCES webhook_endpoints (id),
    -- What the message says beyond the order (JSON): the state it moved to, the stock left.
    payload         TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending'
                            CHECK (state IN ('pending', 'delivered', 'given_up')),
    -- Deliveries handed out so far (counted when a dispatcher claims the message).
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Unix seconds: due from then on (while claimed: when the dispatcher's lease ends).
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    last_error      TEXT,
    finished_at     TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_by_order ON outbox (order_id);

-- Below this many units a variant's stock is "low": crossing it emails the shop.
ALTER TABLE shop_settings ADD COLUMN low_stock_threshold INTEGER NOT NULL DEFAULT 5
    CHECK (low_stock_threshold >= 0);

-- Every order event (placed, paid, shipped, cancelled, refunded) → one email to the
-- shopper and one message per active endpoint subscribed to the event.
CREATE TRIGGER outbox_order_event AFTER INSERT ON order_events
BEGIN
    INSERT INTO outbox (message_id, channel, event, order_id, recipient, endpoint_id,
                        payload, created_at, next_attempt_at)
    SELECT 'msg_' || lower(hex(randomblob(16))), m.channel, m.event, NEW.order_id,
           m.recipient, m.endpoint_id,
           json_object('state', NEW.to_state, 'from', NEW.from_state),
           NEW.at, CAST(strftime('%s', 'now') AS INTEGER)
    FROM (
        SELECT 'email' AS channel, e.event, o.email AS recipient, NULL AS endpoint_id
        FROM orders o,
             (SELECT CASE NEW.to_state
                     WHEN 'pending_payment' THEN 'order.placed'
                     WHEN 'paid' THEN 'order.paid'
                     WHEN 'fulfilled' THEN 'order.shipped'
                     WHEN 'cancelled' THEN 'order.cancelled'
                     WHEN 'refunded' THEN 'order.refunded' END AS event) e
        WHERE o.id = NEW.order_id AND e.event IS NOT NULL
        UNION ALL
        SELECT 'webhook', e.event, w.url, w.id
        FROM webhook_endpoints w,
             (SELECT CASE NEW.to_state
                     WHEN 'pending_payment' THEN 'order.placed'
                     WHEN 'paid' THEN 'order.paid'
                     WHEN 'fulfilled' THEN 'order.shipped'
                     WHEN 'cancelled' THEN 'order.cancelled'
                     WHEN 'refunded' THEN 'order.refunded' END AS event) e
        WHERE w.active = 1 AND e.event IS NOT NULL
          AND (w.events = '*' OR instr(' ' || w.events || ' ', ' ' || e.event || ' ') > 0)
    ) m;
END;

-- A variant's stock falling to or below the shop's threshold → one email to the shop's
-- contact address and one message per subscribed endpoint. Only the crossing counts, so
-- each further sale below the threshold does not repeat it.
CREATE TRIGGER outbox_low_stock AFTER UPDATE OF stock ON variants
WHEN NEW.stock <= (SELECT low_stock_threshold FROM shop_settings WHERE id = 1)
 AND OLD.stock > (SELECT low_stock_threshold FROM shop_settings WHERE id = 1)
BEGIN
    INSERT INTO outbox (message_id, channel, event, variant_id, recipient, endpoint_id,
                        payload, created_at, next_attempt_at)
    SELECT 'msg_' || lower(hex(randomblob(16))), m.channel, 'stock.low', NEW.id,
           m.recipient, m.endpoint_id,
           json_object('sku', NEW.sku, 'stock', NEW.stock),
           strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), CAST(strftime('%s', 'now') AS INTEGER)
    FROM (
        SELECT 'email' AS channel, s.contact_email AS recipient, NULL AS endpoint_id
        FROM shop_settings s WHERE s.id = 1 AND s.contact_email <> ''
        UNION ALL
        SELECT 'webhook', w.url, w.id FROM webhook_endpoints w
        WHERE w.active = 1
          AND (w.events = '*' OR instr(' ' || w.events || ' ', ' stock.low ') > 0)
    ) m;
END;

-- Emails the local test mode "delivered" (no email API key set): the owner reads them
-- at /admin/mail. One row per delivered outbox email.
CREATE TABLE local_mailbox (
    id           INTEGER PRIMARY KEY,
    outbox_id    INTEGER NOT NULL UNIQUE REFERENCES outbox (id),
    recipient    TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    text_body    TEXT    NOT NULL,
    html_body    TEXT    NOT NULL,
    delivered_at TEXT    NOT NULL
);
