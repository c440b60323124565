-- A shopper may change the address, shipping method and discount code of their order
-- until it is paid: the writer prices it again, the order keeps its number and lines (at
-- the prices they were placed at), and the payment's intent follows the new total.
--
-- - `order_changes`: one row per accepted change, what changed and the totals before and
--   after (the order's history of changes; never deleted or changed). It is not an
--   `order_events` row, which would announce the order as placed again.
-- - `orders_fixed_columns`: the amounts may change while the order awaits payment, and
--   never after; number, currency and creation time never.
-- - `payments_fixed_columns`: a payment's amount follows its order's total while no money
--   moved (status `created` or `failed`, nothing refunded); never after.
-- - `discount_redemptions`: a change releases the order's redemption and, if a code still
--   applies, redeems one again, so an order holds at most one live redemption (was: one
--   redemption ever).
-- - `orders`: the address's state (province, territory; required where the country's
--   addresses need one), an optional phone number, and a billing address when it is not
--   the shipping address (all `billing_*` NULL: the same as shipping).
-- - `provider_actions`: a new kind, `update_amount` (reason `order_edited`), asks the
--   courier to set the intent's amount at the provider to the payment's; an order may be
--   changed more than once, so there is at most one pending per payment (was: one per
--   payment and kind, which still holds for the other kinds).

CREATE TABLE order_changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    at           TEXT    NOT NULL,
    -- What changed, in words: e.g. "address, shipping method".
    changed      TEXT    NOT NULL,
    total_before INTEGER NOT NULL,
    total_after  INTEGER NOT NULL
) STRICT;

CREATE INDEX order_changes_by_order ON order_changes (order_id, id);

CREATE TRIGGER order_changes_never_deleted BEFORE DELETE ON order_changes
BEGIN
    SELECT RAISE(ABORT, 'order changes are never deleted');
END;

CREATE TRIGGER order_changes_never_changed BEFORE UPDATE ON order_changes
BEGIN
    SELECT RAISE(ABORT, 'order changes are never changed');
END;

DROP TRIGGER orders_fixed_columns;

CREATE TRIGGER orders_fixed_columns
BEFORE UPDATE OF number, currency, total_amount, created_at, subtotal_amount, discount_amount,
    discount_code, discount_description, shipping_amount, shipping_method, shipping_name, tax_amount, tax_mode,
    tax_rate_bp, tax_name ON orders
WHEN NEW.number IS NOT OLD.number
  OR NEW.currency IS NOT OLD.currency
  OR NEW.created_at IS NOT OLD.created_at
  OR ((OLD.state <> 'pending_payment' OR NEW.state <> 'pending_payment')
      AND (NEW.total_amount IS NOT OLD.total_amount
        OR NEW.subtotal_amount IS NOT OLD.subtotal_amount
        OR NEW.discount_amount IS NOT OLD.discount_amount
        OR NEW.discount_code IS NOT OLD.discount_code
        OR NEW.discount_description IS NOT OLD.discount_description
        OR NEW.shipping_amount IS NOT OLD.shipping_amount
        OR NEW.shipping_method IS NOT OLD.shipping_method
        OR NEW.shipping_name IS NOT OLD.shipping_name
        OR NEW.tax_amount IS NOT OLD.tax_amount
        OR NEW.tax_mode IS NOT OLD.tax_mode
        OR NEW.tax_rate_bp IS NOT OLD.tax_rate_bp
        OR NEW.tax_name IS NOT OLD.tax_name))
BEGIN
    SELECT RAISE(ABORT, 'an order''s number, currency and creation time never change, nor its amounts once it is no longer awaiting payment');
END;

DROP TRIGGER payments_fixed_columns;

CREATE TRIGGER payments_fixed_columns
BEFORE UPDATE OF id, order_id, provider, intent_id, amount, currency, created_at ON payments
WHEN NEW.id IS NOT OLD.id
  OR NEW.order_id IS NOT OLD.order_id
  OR NEW.provider IS NOT OLD.provider
  OR NEW.intent_id IS NOT OLD.intent_id
  OR NEW.currency IS NOT OLD.currency
  OR NEW.created_at IS NOT OLD.created_at
  OR (NEW.amount IS NOT OLD.amount
      AND (OLD.status NOT IN ('created', 'failed') OR NEW.status IS NOT OLD.status
           OR OLD.amount_refunded <> 0))
BEGIN
    SELECT RAISE(ABORT, 'a payment''s order, provider, intent and creation time never change, nor its amount once money moved');
END;

-- discount_redemptions: at most one live redemption per order.
CREATE TABLE discount_redemptions_v19 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code_id     INTEGER NOT NULL REFERENCES discount_codes (id),
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    -- Lower case, for the per-email limit.
    email       TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    released_at TEXT
) STRICT;

INSERT INTO discount_redemptions_v19 (id, code_id, order_id, email, created_at, released_at)
SELECT id, code_id, order_id, email, created_at, released_at FROM discount_redemptions ORDER BY id;

-- Ids ever issued, not just the highest kept (the audit compares them).
INSERT INTO sqlite_sequence (name, seq)
SELECT 'discount_redemptions_v19', seq FROM sqlite_sequence WHERE name = 'discount_redemptions'
  AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'discount_redemptions_v19');
UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'discount_redemptions')
WHERE name = 'discount_redemptions_v19'
  AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'discount_redemptions');

DROP TABLE discount_redemptions;
ALTER TABLE discount_redemptions_v19 RENAME TO discount_redemptions;

CREATE UNIQUE INDEX discount_redemptions_live_per_order ON discount_redemptions (order_id)
WHERE released_at IS NULL;
CREATE INDEX discount_redemptions_by_order ON discount_redemptions (order_id);
CREATE INDEX discount_redemptions_by_code_email ON discount_redemptions (code_id, email);

CREATE TRIGGER discount_redemptions_never_deleted BEFORE DELETE ON discount_redemptions
BEGIN
    SELECT RAISE(ABORT, 'discount redemptions are never deleted');
END;

CREATE TRIGGER discount_redemptions_release_once BEFORE UPDATE ON discount_redemptions
WHEN OLD.released_at IS NOT NULL
  OR NEW.released_at IS NULL
  OR NEW.code_id IS NOT OLD.code_id
  OR NEW.order_id IS NOT OLD.order_id
  OR NEW.email IS NOT OLD.email
  OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'a discount redemption only changes by being released, once');
END;

-- provider_actions: the `update_amount` kind.
CREATE TABLE provider_actions_v19 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    payment_id      INTEGER NOT NULL REFERENCES payments (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('cancel_intent', 'refund', 'update_amount')),
    reason          TEXT    NOT NULL
        CHECK (reason IN ('reservation_expired', 'cancelled_by_owner', 'paid_after_cancel',
                          'order_edited')),
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'done')),
    -- What settled it: `canceled`, `already_succeeded`, `paid`, `updated`, or, for a
    -- refund, the provider's refund id.
    outcome         TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT,
    next_attempt_at TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    CHECK ((state = 'done') = (outcome IS NOT NULL))
) STRICT;

INSERT INTO provider_actions_v19 (id, order_id, payment_id, kind, reason, state, outcome,
    attempts, last_error, next_attempt_at, created_at, updated_at)
SELECT id, order_id, payment_id, kind, reason, state, outcome, attempts, last_error,
    next_attempt_at, created_at, updated_at FROM provider_actions ORDER BY id;

INSERT INTO sqlite_sequence (name, seq)
SELECT 'provider_actions_v19', seq FROM sqlite_sequence WHERE name = 'provider_actions'
  AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'provider_actions_v19');
UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'provider_actions')
WHERE name = 'provider_actions_v19'
  AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'provider_actions');

DROP TABLE provider_actions;
ALTER TABLE provider_actions_v19 RENAME TO provider_actions;

-- One cancel and one refund per payment, as before; one pending amount update.
CREATE UNIQUE INDEX provider_actions_once ON provider_actions (payment_id, kind)
WHERE kind <> 'update_amount';
CREATE UNIQUE INDEX provider_actions_one_pending_update ON provider_actions (payment_id)
WHERE kind = 'update_amount' AND state = 'pending';
CREATE INDEX provider_actions_due ON provider_actions (state, next_attempt_at);
CREATE INDEX provider_actions_by_order ON provider_actions (order_id);

CREATE TRIGGER provider_actions_never_deleted BEFORE DELETE ON provider_actions
BEGIN
    SELECT RAISE(ABORT, 'provider actions are never deleted');
END;

CREATE TRIGGER provider_actions_done_are_final BEFORE UPDATE ON provider_actions
WHEN OLD.state = 'done'
BEGIN
    SELECT RAISE(ABORT, 'a done provider action never changes');
END;

-- The checkout's fields follow the country; the billing address is the order's too.
ALTER TABLE orders ADD COLUMN address_state TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN billing_line1 TEXT;
ALTER TABLE orders ADD COLUMN billing_line2 TEXT;
ALTER TABLE orders ADD COLUMN billing_city TEXT;
ALTER TABLE orders ADD COLUMN billing_postal_code TEXT;
ALTER TABLE orders ADD COLUMN billing_state TEXT;
ALTER TABLE orders ADD COLUMN billing_country TEXT;
