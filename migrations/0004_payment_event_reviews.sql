-- Reviews: a human's verdict on a payment event the ledger could not settle by itself (an
-- event for an unknown order, money that is not the order's total, an event deferred for
-- too long). The event itself stays exactly as received; a review only stops it from
-- failing the audit and the reconciliation, and says who decided what, and when.
--
-- At most one review per event, never changed or deleted (the audit compares
-- sqlite_sequence with MAX(id), hence AUTOINCREMENT).

CREATE TABLE payment_event_reviews (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_event_id INTEGER NOT NULL UNIQUE REFERENCES payment_events (id),
    -- The event's outcome when it was reviewed.
    outcome          TEXT    NOT NULL
        CHECK (outcome IN ('unknown_order', 'amount_mismatch', 'deferred')),
    note             TEXT    NOT NULL CHECK (length(note) BETWEEN 1 AND 1000),
    reviewed_at      TEXT    NOT NULL
) STRICT;

CREATE TRIGGER payment_event_reviews_never_deleted BEFORE DELETE ON payment_event_reviews
BEGIN
    SELECT RAISE(ABORT, 'payment event reviews are never deleted');
END;

CREATE TRIGGER payment_event_reviews_never_changed BEFORE UPDATE ON payment_event_reviews
BEGIN
    SELECT RAISE(ABORT, 'payment event reviews are never changed');
END;
