-- An order's access token: 128 random bits (32 lower-case hex characters) that open the
-- order's personal data to a shopper. The order number only identifies an order; the
-- token is the key, sent to the client that placed the order and in its emails' links.
-- It lives on the order row, so a backup and a restore keep every link working.
ALTER TABLE orders ADD COLUMN access_token TEXT;

-- Orders placed before tokens existed get one now, from SQLite's randomness (seeded by
-- the operating system); their old email links stop opening them, their owner's back
-- office still does.
UPDATE orders SET access_token = lower(hex(randomblob(16))) WHERE access_token IS NULL;

CREATE UNIQUE INDEX orders_by_access_token ON orders (access_token);

-- A token is for the life of the order: every link ever sent keeps working.
CREATE TRIGGER orders_access_token_fixed
BEFORE UPDATE OF access_token ON orders
WHEN OLD.access_token IS NOT NULL AND NEW.access_token IS NOT OLD.access_token
BEGIN
    SELECT RAISE(ABORT, 'an order''s access token never changes');
END;
