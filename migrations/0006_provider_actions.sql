-- Provider actions: calls the payment provider must receive because of a change in this
-- ledger, written in the same transaction as that change and carried out later by the
-- payment courier (the pages code in its courier role, which holds the provider's keys and
-- outbound access; the writer never calls out).
--
-- - `cancel_intent`: an order whose intent may still succeed is to be cancelled (its
--   reservation expired, or the owner cancelled it). The order stays `pending_payment`, its
--   stock reserved, until the provider confirms the intent is cancelled; if the provider
--   says it already succeeded, the order is paid instead, never cancelled under the money.
-- - `refund`: money arrived for an order that was cancelled; it goes back in full.
--
-- One action per payment and kind, never deleted (the audit compares sqlite_sequence with
-- MAX(id)); once done, an action's kind, outcome and times stay as they are.

CREATE TABLE provider_actions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    payment_id      INTEGER NOT NULL REFERENCES payments (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('cancel_intent', 'refund')),
    reason          TEXT    NOT NULL
        CHECK (reason IN ('reservation_expired', 'cancelled_by_owner', 'paid_after_cancel')),
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'done')),
    -- What settled it: `canceled` (the provider cancelled the intent), `already_succeeded`
    -- (the intent was paid first), `paid` (the success event arrived first), or, for a
    -- refund, the provider's refund id.
    outcome         TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT,
    -- A failed attempt is retried no earlier than this (back-off).
    next_attempt_at TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (payment_id, kind),
    CHECK ((state = 'done') = (outcome IS NOT NULL))
) STRICT;

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

-- Per-client limits on unpaid reservations: a pseudonymous key the pages derive from the
-- shopper's address (an HMAC, never the address itself). NULL for orders placed before
-- this migration and for commands that name no client.
ALTER TABLE orders ADD COLUMN client_key TEXT;

CREATE INDEX orders_unpaid_by_client ON orders (client_key, state) WHERE client_key IS NOT NULL;
