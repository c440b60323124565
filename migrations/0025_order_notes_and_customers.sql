-- Notes on orders, and the back office's customers in O(page).

-- The shopper's note at checkout (at most `MAX_ORDER_NOTE` characters, checked by the
-- writer); '' for none and for every order placed before notes existed.
ALTER TABLE orders ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- The owner's internal notes on an order: never shown to the shopper. Append-only, each
-- with who wrote it and when.
CREATE TABLE order_notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    author     TEXT    NOT NULL,
    body       TEXT    NOT NULL CHECK (length(body) >= 1),
    created_at TEXT    NOT NULL
) STRICT;

CREATE INDEX order_notes_by_order ON order_notes (order_id, id);

-- A customer is the orders of one email address (lower-cased): kept by the triggers below
-- on every order placed and every change of an order's email, state or total, so the
-- customers page reads a page of rows, never a GROUP BY over the orders. `name` is the
-- name on the customer's latest order.
CREATE TABLE customers (
    email         TEXT    PRIMARY KEY,
    name          TEXT    NOT NULL,
    orders        INTEGER NOT NULL,
    first_order_at TEXT   NOT NULL,
    last_order_at TEXT    NOT NULL
) STRICT, WITHOUT ROWID;

-- The list, newest customer activity first (the key rides along for the cursor), and the
-- search by the start of a name (by the start of an email: the primary key).
CREATE INDEX customers_by_last_order ON customers (last_order_at, email);
CREATE INDEX customers_by_name ON customers (name COLLATE NOCASE);

-- What each customer spent, per currency: the totals of their orders that are paid or
-- shipped (a cancelled or refunded order counts nothing).
CREATE TABLE customer_spent (
    email    TEXT    NOT NULL,
    currency TEXT    NOT NULL,
    amount   INTEGER NOT NULL,
    PRIMARY KEY (email, currency)
) STRICT, WITHOUT ROWID;

INSERT INTO customers (email, name, orders, first_order_at, last_order_at)
SELECT lower(email), name, count(*), min(created_at), max(created_at)
FROM orders GROUP BY lower(email);

-- `name` above is SQLite's bare column of an aggregate: any row's; set it to the latest's.
UPDATE customers SET name = (
    SELECT o.name FROM orders o WHERE o.email = customers.email COLLATE NOCASE
    ORDER BY o.created_at DESC, o.id DESC LIMIT 1
);

INSERT INTO customer_spent (email, currency, amount)
SELECT lower(email), currency, sum(total_amount) FROM orders
WHERE state IN ('paid', 'fulfilled') GROUP BY lower(email), currency;

CREATE TRIGGER customers_order_placed AFTER INSERT ON orders
BEGIN
    INSERT INTO customers (email, name, orders, first_order_at, last_order_at)
    VALUES (lower(NEW.email), NEW.name, 1, NEW.created_at, NEW.created_at)
    ON CONFLICT (email) DO UPDATE SET orders = orders + 1, name = excluded.name,
        last_order_at = max(last_order_at, excluded.last_order_at);
    INSERT INTO customer_spent (email, currency, amount)
    SELECT lower(NEW.email), NEW.currency, NEW.total_amount
    WHERE NEW.state IN ('paid', 'fulfilled')
    ON CONFLICT (email, currency) DO UPDATE SET amount = amount + excluded.amount;
END;

-- An order moved to another address (the shopper corrected it before paying): it leaves
-- the old customer and joins the new one.
CREATE TRIGGER customers_order_email AFTER UPDATE OF email ON orders
    WHEN lower(OLD.email) <> lower(NEW.email)
BEGIN
    UPDATE customers SET orders = orders - 1 WHERE email = lower(OLD.email);
    DELETE FROM customers WHERE email = lower(OLD.email) AND orders <= 0;
    INSERT INTO customers (email, name, orders, first_order_at, last_order_at)
    VALUES (lower(NEW.email), NEW.name, 1, NEW.created_at, NEW.created_at)
    ON CONFLICT (email) DO UPDATE SET orders = orders + 1,
        first_order_at = min(first_order_at, excluded.first_order_at),
        last_order_at = max(last_order_at, excluded.last_order_at);
END;

-- What an order counts for is taken off its customer as it was, and added as it is now.
CREATE TRIGGER customers_order_spent AFTER UPDATE OF state, total_amount, currency, email ON orders
    WHEN OLD.state IN ('paid', 'fulfilled') OR NEW.state IN ('paid', 'fulfilled')
BEGIN
    INSERT INTO customer_spent (email, currency, amount)
    SELECT lower(OLD.email), OLD.currency, -OLD.total_amount
    WHERE OLD.state IN ('paid', 'fulfilled')
    ON CONFLICT (email, currency) DO UPDATE SET amount = amount + excluded.amount;
    INSERT INTO customer_spent (email, currency, amount)
    SELECT lower(NEW.email), NEW.currency, NEW.total_amount
    WHERE NEW.state IN ('paid', 'fulfilled')
    ON CONFLICT (email, currency) DO UPDATE SET amount = amount + excluded.amount;
END;
