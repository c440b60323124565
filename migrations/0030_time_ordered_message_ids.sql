-- Outbox message ids that grow with time, and no index on order access tokens: two
-- random keys fewer for every order's commit.
--
-- Every order's commit wrote a leaf page of each index whose key is random: a random key
-- lands on its own page, so a batch of N orders dirtied N pages of such an index, each
-- written to the WAL and later copied into the database file. Two of those indexes did not
-- need random keys (docs/performance-profile.md, "Pages per order"):
--
-- * An outbox message id stays 32 hex characters after `msg_`, unique and unguessable,
--   but now starts with the milliseconds since 1970 (12 hex digits) followed by 80 random
--   bits, like a UUIDv7. Ids made in the same batch land on the index's last page.
--   Receivers (webhook endpoints, the email API's idempotency) only ever compare ids.
-- * `orders_by_access_token` was never read: an order is found by its number, then its
--   token compared (`storefront_domain::order_access`). Its one effect was refusing a
--   second order with the same 128 random bits, a collision that does not happen.
--   The token stays fixed for the order's life (`orders_access_token_fixed`).

DROP INDEX orders_by_access_token;

DROP TRIGGER outbox_order_event;
CREATE TRIGGER outbox_order_event AFTER INSERT ON order_events
BEGIN
    INSERT INTO outbox (message_id, channel, event, order_id, recipient, endpoint_id,
                        payload, created_at, next_attempt_at)
    SELECT 'msg_' || printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
               || lower(hex(randomblob(10))), m.channel, m.event, NEW.order_id,
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

DROP TRIGGER outbox_low_stock;
CREATE TRIGGER outbox_low_stock AFTER UPDATE OF stock ON variants
WHEN NEW.stock <= (SELECT low_stock_threshold FROM shop_settings WHERE id = 1)
 AND OLD.stock > (SELECT low_stock_threshold FROM shop_settings WHERE id = 1)
BEGIN
    INSERT INTO outbox (message_id, channel, event, variant_id, recipient, endpoint_id,
                        payload, created_at, next_attempt_at)
    SELECT 'msg_' || printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
               || lower(hex(randomblob(10))), m.channel, 'stock.low', NEW.id,
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

DROP TRIGGER outbox_partial_refund;
CREATE TRIGGER outbox_partial_refund AFTER UPDATE OF amount_refunded ON payments
WHEN NEW.amount_refunded > OLD.amount_refunded AND NEW.amount_refunded < NEW.amount
BEGIN
    INSERT INTO outbox (message_id, channel, event, order_id, recipient, endpoint_id,
                        payload, created_at, next_attempt_at)
    SELECT 'msg_' || printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
               || lower(hex(randomblob(10))), m.channel, 'order.partially_refunded',
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

DROP TRIGGER outbox_return_requested;
CREATE TRIGGER outbox_return_requested AFTER INSERT ON returns
BEGIN
    INSERT INTO outbox (message_id, channel, event, order_id, recipient, endpoint_id,
                        payload, created_at, next_attempt_at)
    SELECT 'msg_' || printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
               || lower(hex(randomblob(10))), 'email', m.event, NEW.order_id,
           m.recipient, NULL, json_object('return', NEW.id, 'reason', NEW.reason),
           NEW.created_at, CAST(strftime('%s', 'now') AS INTEGER)
    FROM (
        SELECT 'return.requested' AS event, o.email AS recipient
        FROM orders o WHERE o.id = NEW.order_id
        UNION ALL
        SELECT 'return.requested.owner', s.contact_email
        FROM shop_settings s WHERE s.id = 1 AND s.contact_email <> ''
    ) m;
END;

DROP TRIGGER outbox_return_decided;
CREATE TRIGGER outbox_return_decided AFTER UPDATE OF state ON returns
WHEN OLD.state = 'requested' AND NEW.state IN ('accepted', 'refused')
BEGIN
    INSERT INTO outbox (message_id, channel, event, order_id, recipient, endpoint_id,
                        payload, created_at, next_attempt_at)
    SELECT 'msg_' || printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
               || lower(hex(randomblob(10))), 'email', 'return.' || NEW.state,
           NEW.order_id, o.email, NULL,
           json_object('return', NEW.id, 'refund', NEW.refund_amount,
                       'currency', NEW.currency, 'refusal', NEW.refusal),
           NEW.decided_at, CAST(strftime('%s', 'now') AS INTEGER)
    FROM orders o WHERE o.id = NEW.order_id;
END;
