-- Returns, and the accounts' loose ends.
--
-- - `returns` and `return_lines`: a shopper asks to send back units of a shipped order
--   within the shop's return window (`shop_settings.return_window_days`, counted from the
--   order's `fulfilled` event); the owner accepts (the writer computes the refund and
--   records it in `refunds`, the existing refund path) or refuses with a reason the
--   shopper reads. Never deleted; a return changes only by being decided, once.
-- - Emails: a return asked for is news for the shopper and for the shop's contact address
--   (`return.requested`, `return.requested.owner`); a decision for the shopper
--   (`return.accepted`, `return.refused`).
-- - `discount_redemptions.email` may become the erased address (`erased@erased.invalid`)
--   when its customer asks for erasure; every other column still changes only by the
--   redemption's release, once.
-- - Indexes for the accounts' retention sweep (bounded batches, oldest first).

ALTER TABLE shop_settings ADD COLUMN return_window_days INTEGER NOT NULL DEFAULT 30
    CHECK (return_window_days BETWEEN 0 AND 365);

CREATE TABLE returns (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    state           TEXT    NOT NULL CHECK (state IN ('requested', 'accepted', 'refused')),
    -- 1 while requested: the back office's list shows those first.
    open            INTEGER GENERATED ALWAYS AS (state = 'requested') VIRTUAL,
    -- Why, in the shopper's words (one line, checked by the writer).
    reason          TEXT    NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    currency        TEXT    NOT NULL CHECK (length(currency) = 3),
    -- The request's idempotency key and a hash of what it asked.
    idempotency_key TEXT    NOT NULL UNIQUE,
    fingerprint     TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    -- The decision: who, when, under which key; the refund (its seq in `refunds`) and
    -- its amount when accepted; the reason shown to the shopper when refused.
    decided_at      TEXT,
    decided_by      TEXT,
    decision_key    TEXT    UNIQUE,
    refund_amount   INTEGER CHECK (refund_amount IS NULL OR refund_amount >= 0),
    refund_seq      INTEGER CHECK (refund_seq IS NULL OR refund_seq >= 1),
    restocked       INTEGER NOT NULL DEFAULT 0 CHECK (restocked IN (0, 1)),
    refusal         TEXT    CHECK (refusal IS NULL OR length(refusal) BETWEEN 1 AND 500)
) STRICT;

CREATE INDEX returns_by_order ON returns (order_id, id);
-- The back office's list: requested first, newest first, by keyset.
CREATE INDEX returns_list ON returns (open, id);

CREATE TABLE return_lines (
    return_id INTEGER NOT NULL REFERENCES returns (id),
    line_id   INTEGER NOT NULL REFERENCES order_lines (id),
    quantity  INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    PRIMARY KEY (return_id, line_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX return_lines_by_line ON return_lines (line_id);

CREATE TRIGGER returns_never_deleted BEFORE DELETE ON returns
BEGIN
    SELECT RAISE(ABORT, 'returns are never deleted');
END;

CREATE TRIGGER return_lines_never_changed BEFORE UPDATE ON return_lines
BEGIN
    SELECT RAISE(ABORT, 'return lines are never changed');
END;

CREATE TRIGGER return_lines_never_deleted BEFORE DELETE ON return_lines
BEGIN
    SELECT RAISE(ABORT, 'return lines are never deleted');
END;

-- An update either decides a waiting return (once) or erases the shopper's reason (their
-- account's erasure); nothing else about a return changes.
CREATE TRIGGER returns_decided_once BEFORE UPDATE ON returns
WHEN NEW.order_id IS NOT OLD.order_id
  OR NEW.currency IS NOT OLD.currency
  OR NEW.idempotency_key IS NOT OLD.idempotency_key
  OR NEW.fingerprint IS NOT OLD.fingerprint
  OR NEW.created_at IS NOT OLD.created_at
  OR (NEW.reason IS NOT OLD.reason AND NEW.reason <> 'erased')
  OR (NEW.state IS NOT OLD.state AND (OLD.state <> 'requested' OR NEW.state = 'requested'))
  OR (NEW.state IS OLD.state AND NEW.reason IS OLD.reason)
BEGIN
    SELECT RAISE(ABORT, 'a return only moves from requested to accepted or refused, once');
END;

-- Never more units asked back than the line sold (refused returns give theirs back).
CREATE TRIGGER return_lines_within_line BEFORE INSERT ON return_lines
WHEN (SELECT coalesce(sum(rl.quantity), 0) FROM return_lines rl
      JOIN returns r ON r.id = rl.return_id
      WHERE rl.line_id = NEW.line_id AND r.state <> 'refused')
     + NEW.quantity > (SELECT quantity FROM order_lines WHERE id = NEW.line_id)
BEGIN
    SELECT RAISE(ABORT, 'a return cannot ask back more than the line sold');
END;

CREATE TRIGGER outbox_return_requested AFTER INSERT ON returns
BEGIN
    INSERT INTO outbox (message_id, channel, event, order_id, recipient, endpoint_id,
                        payload, created_at, next_attempt_at)
    SELECT 'msg_' || lower(hex(randomblob(16))), 'email', m.event, NEW.order_id,
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

CREATE TRIGGER outbox_return_decided AFTER UPDATE OF state ON returns
WHEN OLD.state = 'requested' AND NEW.state IN ('accepted', 'refused')
BEGIN
    INSERT INTO outbox (message_id, channel, event, order_id, recipient, endpoint_id,
                        payload, created_at, next_attempt_at)
    SELECT 'msg_' || lower(hex(randomblob(16))), 'email', 'return.' || NEW.state,
           NEW.order_id, o.email, NULL,
           json_object('return', NEW.id, 'refund', NEW.refund_amount,
                       'currency', NEW.currency, 'refusal', NEW.refusal),
           NEW.decided_at, CAST(strftime('%s', 'now') AS INTEGER)
    FROM orders o WHERE o.id = NEW.order_id;
END;

DROP TRIGGER discount_redemptions_release_once;

CREATE TRIGGER discount_redemptions_release_once BEFORE UPDATE ON discount_redemptions
WHEN NEW.code_id IS NOT OLD.code_id
  OR NEW.order_id IS NOT OLD.order_id
  OR NEW.created_at IS NOT OLD.created_at
  OR (NEW.email IS NOT OLD.email AND NEW.email <> 'erased@erased.invalid')
  OR (NEW.released_at IS NOT OLD.released_at
      AND (OLD.released_at IS NOT NULL OR NEW.released_at IS NULL))
  OR (NEW.released_at IS OLD.released_at AND NEW.email IS OLD.email)
BEGIN
    SELECT RAISE(ABORT, 'a discount redemption only changes by being released, once, or erased');
END;

-- The accounts' retention sweep reads what is due oldest first.
CREATE INDEX customer_sign_ins_by_expiry ON customer_sign_ins (expires_at);
CREATE INDEX customer_wrong_codes_by_at ON customer_wrong_codes (at);
CREATE INDEX customer_sessions_by_expiry ON customer_sessions (expires_at);
CREATE INDEX customer_commands_by_created ON customer_commands (created_at);
