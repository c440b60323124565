-- Catalog model: products with options and variants, collections, images, search and an
-- append-only history of the owner's catalog commands (issue 10).
--
-- A product is what shoppers browse; a variant is what they buy: one combination of the
-- product's option values with its own SKU, price, stock and active flag. A product without
-- options has exactly one variant. Price and stock move from products to variants: every
-- existing product gets one variant whose SKU is the product's slug, with its price, currency
-- and stock (position 0, so it is the product's default variant), and products.price_amount,
-- currency and stock are dropped (ALTER TABLE ... DROP COLUMN: no index, trigger or other
-- table names them).
--
-- Order lines and stock adjustments now point at a variant. Both tables are rebuilt (SQLite
-- cannot add a NOT NULL foreign key column): every row is copied with its id, the
-- sqlite_sequence counter is carried over, then the old table is dropped (with
-- foreign_keys ON that is an implicit DELETE, which fires no trigger and which nothing
-- references) and the copy renamed; indexes and the immutability triggers are recreated.
--
-- Products and variants are archived (archived_at), never deleted, so an old order can
-- always name what it sold.

CREATE TABLE variants (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id   INTEGER NOT NULL REFERENCES products (id),
    sku          TEXT    NOT NULL COLLATE NOCASE UNIQUE CHECK (length(sku) BETWEEN 1 AND 64),
    -- The ids of the variant's option values in the product's option order, joined with ','
    -- ('' without options): one live variant per combination (index below).
    options_key  TEXT    NOT NULL,
    -- The values joined with ' / ', e.g. '1 kg / Filter' ('' without options).
    title        TEXT    NOT NULL DEFAULT '',
    price_amount INTEGER NOT NULL CHECK (price_amount >= 0),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    -- Units available to order now: placing an order subtracts, cancelling adds back.
    stock        INTEGER NOT NULL CHECK (stock >= 0),
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    position     INTEGER NOT NULL DEFAULT 0,
    archived_at  TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
) STRICT;

CREATE INDEX variants_by_product ON variants (product_id, position, id);
CREATE UNIQUE INDEX variants_one_per_combination ON variants (product_id, options_key)
    WHERE archived_at IS NULL;

CREATE TABLE product_options (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products (id),
    name       TEXT    NOT NULL COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 40),
    position   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (product_id, name)
) STRICT;

CREATE TABLE product_option_values (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    option_id INTEGER NOT NULL REFERENCES product_options (id),
    value     TEXT    NOT NULL COLLATE NOCASE CHECK (length(value) BETWEEN 1 AND 40),
    position  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (option_id, value)
) STRICT;

-- One chosen value per product option for each variant.
CREATE TABLE variant_option_values (
    variant_id INTEGER NOT NULL REFERENCES variants (id),
    option_id  INTEGER NOT NULL REFERENCES product_options (id),
    value_id   INTEGER NOT NULL REFERENCES product_option_values (id),
    PRIMARY KEY (variant_id, option_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX variant_option_values_by_value ON variant_option_values (value_id);

-- Existing products: one variant each, SKU = slug, position 0 (the default variant).
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock,
                      active, position, created_at, updated_at)
SELECT id, slug, '', '', price_amount, currency, stock, 1, 0, created_at, created_at
FROM products ORDER BY id;

ALTER TABLE products DROP COLUMN price_amount;
ALTER TABLE products DROP COLUMN currency;
ALTER TABLE products DROP COLUMN stock;
ALTER TABLE products ADD COLUMN archived_at TEXT;
ALTER TABLE products ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
UPDATE products SET updated_at = created_at;

CREATE TRIGGER products_never_deleted BEFORE DELETE ON products
BEGIN
    SELECT RAISE(ABORT, 'products are never deleted; archive them instead');
END;

CREATE TRIGGER variants_never_deleted BEFORE DELETE ON variants
BEGIN
    SELECT RAISE(ABORT, 'variants are never deleted; archive them instead');
END;

-- Order lines point at the variant sold, with its SKU and title as they were.
CREATE TABLE order_lines_v7 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    product_id  INTEGER NOT NULL REFERENCES products (id),
    variant_id  INTEGER NOT NULL REFERENCES variants (id),
    -- Slug, SKU, names and price as they were when the order was placed.
    slug        TEXT    NOT NULL,
    sku         TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    variant     TEXT    NOT NULL DEFAULT '',
    quantity    INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_amount INTEGER NOT NULL CHECK (unit_amount >= 0),
    currency    TEXT    NOT NULL CHECK (length(currency) = 3),
    line_amount INTEGER NOT NULL CHECK (line_amount = unit_amount * quantity),
    -- One line per variant; also the index for "lines of this order".
    UNIQUE (order_id, variant_id)
) STRICT;

INSERT INTO order_lines_v7 (id, order_id, product_id, variant_id, slug, sku, name, variant,
                            quantity, unit_amount, currency, line_amount)
SELECT l.id, l.order_id, l.product_id, v.id, l.slug, v.sku, l.name, '', l.quantity,
       l.unit_amount, l.currency, l.line_amount
FROM order_lines l
JOIN products p ON p.id = l.product_id
JOIN variants v ON v.product_id = p.id AND v.sku = p.slug
ORDER BY l.id;

-- Ids ever issued, not just the highest kept (the audit compares them).
INSERT INTO sqlite_sequence (name, seq)
SELECT 'order_lines_v7', seq FROM sqlite_sequence WHERE name = 'order_lines'
  AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'order_lines_v7');
UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'order_lines')
WHERE name = 'order_lines_v7' AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'order_lines');

DROP TABLE order_lines;
ALTER TABLE order_lines_v7 RENAME TO order_lines;

CREATE INDEX order_lines_by_product ON order_lines (product_id);
CREATE INDEX order_lines_by_variant ON order_lines (variant_id);

CREATE TRIGGER order_lines_never_deleted BEFORE DELETE ON order_lines
BEGIN
    SELECT RAISE(ABORT, 'order lines are never deleted');
END;

CREATE TRIGGER order_lines_immutable BEFORE UPDATE ON order_lines
BEGIN
    SELECT RAISE(ABORT, 'order lines are immutable');
END;

-- Stock adjustments change one variant's stock.
CREATE TABLE stock_adjustments_v7 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id      INTEGER NOT NULL REFERENCES products (id),
    variant_id      INTEGER NOT NULL REFERENCES variants (id),
    delta           INTEGER NOT NULL CHECK (delta <> 0 AND delta BETWEEN -1000000 AND 1000000),
    reason          TEXT    NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    -- The variant's available stock right after the adjustment.
    stock_after     INTEGER NOT NULL CHECK (stock_after >= 0),
    idempotency_key TEXT    NOT NULL UNIQUE,
    -- Hex SHA-256 of the command: the same key with another command is refused.
    fingerprint     TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
) STRICT;

INSERT INTO stock_adjustments_v7 (id, product_id, variant_id, delta, reason, stock_after,
                                  idempotency_key, fingerprint, created_at)
SELECT a.id, a.product_id, v.id, a.delta, a.reason, a.stock_after, a.idempotency_key,
       a.fingerprint, a.created_at
FROM stock_adjustments a
JOIN products p ON p.id = a.product_id
JOIN variants v ON v.product_id = p.id AND v.sku = p.slug
ORDER BY a.id;

INSERT INTO sqlite_sequence (name, seq)
SELECT 'stock_adjustments_v7', seq FROM sqlite_sequence WHERE name = 'stock_adjustments'
  AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'stock_adjustments_v7');
UPDATE sqlite_sequence
SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'stock_adjustments')
WHERE name = 'stock_adjustments_v7'
  AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'stock_adjustments');

DROP TABLE stock_adjustments;
ALTER TABLE stock_adjustments_v7 RENAME TO stock_adjustments;

CREATE INDEX stock_adjustments_by_variant ON stock_adjustments (variant_id, id);
CREATE INDEX stock_adjustments_by_product ON stock_adjustments (product_id, id);

CREATE TRIGGER stock_adjustments_never_deleted BEFORE DELETE ON stock_adjustments
BEGIN
    SELECT RAISE(ABORT, 'stock adjustments are never deleted');
END;

CREATE TRIGGER stock_adjustments_never_changed BEFORE UPDATE ON stock_adjustments
BEGIN
    SELECT RAISE(ABORT, 'stock adjustments are never changed');
END;

-- Collections, e.g. "Coffee": a product may be in several, in an order of their own.
CREATE TABLE collections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT    NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 64),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
) STRICT;

CREATE TABLE collection_products (
    collection_id INTEGER NOT NULL REFERENCES collections (id),
    product_id    INTEGER NOT NULL REFERENCES products (id),
    position      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (collection_id, product_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX collection_products_by_product ON collection_products (product_id);
CREATE INDEX collection_products_in_order ON collection_products (collection_id, position);

-- Images, content-addressed: the same bytes are stored once, whichever products use them.
CREATE TABLE image_blobs (
    hash         TEXT    PRIMARY KEY CHECK (length(hash) = 64),   -- hex sha256 of bytes
    content_type TEXT    NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    bytes        BLOB    NOT NULL,
    created_at   TEXT    NOT NULL
) STRICT;

CREATE TABLE product_images (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    hash        TEXT    NOT NULL REFERENCES image_blobs (hash),
    alt         TEXT    NOT NULL CHECK (length(alt) <= 300),
    position    INTEGER NOT NULL DEFAULT 0,
    removed_at  TEXT,                      -- removed images stay for the history
    created_at  TEXT    NOT NULL
) STRICT;

CREATE INDEX product_images_by_product ON product_images (product_id, position, id);
CREATE INDEX product_images_by_hash ON product_images (hash);

-- Every applied owner command: who, when, what changed, and its answer (replayed for a
-- repeat with the same Idempotency-Key). Never changed or deleted.
CREATE TABLE catalog_history (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT    NOT NULL UNIQUE,
    -- Hex SHA-256 of the command, its target and its body: the same key for another
    -- command is refused.
    fingerprint     TEXT    NOT NULL,
    command         TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    actor           TEXT    NOT NULL,
    changes         TEXT    NOT NULL CHECK (json_valid(changes)),
    status          INTEGER NOT NULL,
    response        TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
) STRICT;

CREATE TRIGGER catalog_history_never_deleted BEFORE DELETE ON catalog_history
BEGIN
    SELECT RAISE(ABORT, 'catalog history is never deleted');
END;

CREATE TRIGGER catalog_history_never_changed BEFORE UPDATE ON catalog_history
BEGIN
    SELECT RAISE(ABORT, 'catalog history is never changed');
END;

-- Existing products: new names (sizes move into options), options and further variants.
UPDATE products SET name = 'Ethiopia Yirgacheffe', description = 'Washed heirloom varieties from the Gedeo zone, roasted light for filter. Jasmine, bergamot and a clean lemony finish. Ground to order if you ask for it.' WHERE slug = 'ethiopia-yirgacheffe';
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe'), 'Size', 0);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND name = 'Size'), '250 g', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND name = 'Size'), '1 kg', 1);
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe'), 'Grind', 1);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND name = 'Grind'), 'Whole beans', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND name = 'Grind'), 'Filter', 1), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND name = 'Grind'), 'Espresso', 2);
UPDATE variants SET title = '250 g / Whole beans' WHERE sku = 'ethiopia-yirgacheffe';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Grind' AND v.value = 'Whole beans';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe'), 'ethiopia-yirgacheffe-250g-filter', 'ethiopia-yirgacheffe-250g-filter', '250 g / Filter', 1450, 'EUR', 20, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe-250g-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe-250g-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Grind' AND v.value = 'Filter';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe'), 'ethiopia-yirgacheffe-250g-espresso', 'ethiopia-yirgacheffe-250g-espresso', '250 g / Espresso', 1450, 'EUR', 12, 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe-250g-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe-250g-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Grind' AND v.value = 'Espresso';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe'), 'ethiopia-yirgacheffe-1kg-whole', 'ethiopia-yirgacheffe-1kg-whole', '1 kg / Whole beans', 4990, 'EUR', 8, 3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe-1kg-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe-1kg-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Grind' AND v.value = 'Whole beans';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe'), 'ethiopia-yirgacheffe-1kg-filter', 'ethiopia-yirgacheffe-1kg-filter', '1 kg / Filter', 4990, 'EUR', 6, 4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe-1kg-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe-1kg-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Grind' AND v.value = 'Filter';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe'), 'ethiopia-yirgacheffe-1kg-espresso', 'ethiopia-yirgacheffe-1kg-espresso', '1 kg / Espresso', 4990, 'EUR', 4, 5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe-1kg-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ethiopia-yirgacheffe-1kg-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe') AND o.name = 'Grind' AND v.value = 'Espresso';
UPDATE products SET name = 'Colombia Huila', description = 'Caturra and Castillo from smallholders around Pitalito. Red apple, panela and milk chocolate; forgiving in any brewer.' WHERE slug = 'colombia-huila';
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'colombia-huila'), 'Size', 0);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND name = 'Size'), '250 g', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND name = 'Size'), '1 kg', 1);
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'colombia-huila'), 'Grind', 1);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND name = 'Grind'), 'Whole beans', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND name = 'Grind'), 'Filter', 1);
UPDATE variants SET title = '250 g / Whole beans' WHERE sku = 'colombia-huila';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'colombia-huila'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'colombia-huila'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND o.name = 'Grind' AND v.value = 'Whole beans';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'colombia-huila'), 'colombia-huila-250g-filter', 'colombia-huila-250g-filter', '250 g / Filter', 1290, 'EUR', 30, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'colombia-huila-250g-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'colombia-huila-250g-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND o.name = 'Grind' AND v.value = 'Filter';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'colombia-huila'), 'colombia-huila-1kg-whole', 'colombia-huila-1kg-whole', '1 kg / Whole beans', 4390, 'EUR', 10, 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'colombia-huila-1kg-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'colombia-huila-1kg-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND o.name = 'Grind' AND v.value = 'Whole beans';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'colombia-huila'), 'colombia-huila-1kg-filter', 'colombia-huila-1kg-filter', '1 kg / Filter', 4390, 'EUR', 7, 3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'colombia-huila-1kg-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'colombia-huila-1kg-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'colombia-huila') AND o.name = 'Grind' AND v.value = 'Filter';
UPDATE products SET name = 'Kenya Nyeri AA', description = 'A small lot from the Gatomboya factory: blackcurrant, tomato-leaf brightness and a syrupy body. Roasted for filter; 250 g of whole beans.' WHERE slug = 'kenya-nyeri-aa';
UPDATE products SET name = 'House Espresso Blend', description = 'Brazil and Guatemala, roasted medium for espresso. Hazelnut, cocoa and caramel, sweet with or without milk.' WHERE slug = 'house-espresso-blend';
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'house-espresso-blend'), 'Size', 0);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND name = 'Size'), '1 kg', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND name = 'Size'), '250 g', 1);
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'house-espresso-blend'), 'Grind', 1);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND name = 'Grind'), 'Whole beans', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND name = 'Grind'), 'Espresso', 1);
UPDATE variants SET title = '1 kg / Whole beans' WHERE sku = 'house-espresso-blend';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'house-espresso-blend'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'house-espresso-blend'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND o.name = 'Grind' AND v.value = 'Whole beans';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'house-espresso-blend'), 'house-espresso-blend-1kg-espresso', 'house-espresso-blend-1kg-espresso', '1 kg / Espresso', 3490, 'EUR', 10, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'house-espresso-blend-1kg-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'house-espresso-blend-1kg-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND o.name = 'Grind' AND v.value = 'Espresso';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'house-espresso-blend'), 'house-espresso-blend-250g-whole', 'house-espresso-blend-250g-whole', '250 g / Whole beans', 1090, 'EUR', 40, 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'house-espresso-blend-250g-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'house-espresso-blend-250g-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND o.name = 'Grind' AND v.value = 'Whole beans';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'house-espresso-blend'), 'house-espresso-blend-250g-espresso', 'house-espresso-blend-250g-espresso', '250 g / Espresso', 1090, 'EUR', 25, 3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'house-espresso-blend-250g-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'house-espresso-blend-250g-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'house-espresso-blend') AND o.name = 'Grind' AND v.value = 'Espresso';
UPDATE products SET name = 'Decaf Colombia', description = 'Decaffeinated with ethyl acetate from local sugarcane, so the sweetness stays. Toffee, orange and a round body. 250 g.' WHERE slug = 'decaf-sugarcane';
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'decaf-sugarcane'), 'Grind', 0);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'decaf-sugarcane') AND name = 'Grind'), 'Whole beans', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'decaf-sugarcane') AND name = 'Grind'), 'Filter', 1), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'decaf-sugarcane') AND name = 'Grind'), 'Espresso', 2);
UPDATE variants SET title = 'Whole beans' WHERE sku = 'decaf-sugarcane';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'decaf-sugarcane'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'decaf-sugarcane') AND o.name = 'Grind' AND v.value = 'Whole beans';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'decaf-sugarcane'), 'decaf-sugarcane-filter', 'decaf-sugarcane-filter', 'Filter', 1390, 'EUR', 15, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'decaf-sugarcane-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'decaf-sugarcane') AND o.name = 'Grind' AND v.value = 'Filter';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'decaf-sugarcane'), 'decaf-sugarcane-espresso', 'decaf-sugarcane-espresso', 'Espresso', 1390, 'EUR', 10, 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'decaf-sugarcane-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'decaf-sugarcane') AND o.name = 'Grind' AND v.value = 'Espresso';
UPDATE products SET name = 'Ceramic Pour-Over Dripper, size 02' WHERE slug = 'ceramic-dripper';
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'ceramic-dripper'), 'Colour', 0);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'ceramic-dripper') AND name = 'Colour'), 'White', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'ceramic-dripper') AND name = 'Colour'), 'Black', 1), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'ceramic-dripper') AND name = 'Colour'), 'Terracotta', 2);
UPDATE variants SET title = 'White' WHERE sku = 'ceramic-dripper';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ceramic-dripper'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ceramic-dripper') AND o.name = 'Colour' AND v.value = 'White';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'ceramic-dripper'), 'ceramic-dripper-black', 'ceramic-dripper-black', 'Black', 2400, 'EUR', 12, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ceramic-dripper-black'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ceramic-dripper') AND o.name = 'Colour' AND v.value = 'Black';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'ceramic-dripper'), 'ceramic-dripper-terracotta', 'ceramic-dripper-terracotta', 'Terracotta', 2600, 'EUR', 6, 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'ceramic-dripper-terracotta'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'ceramic-dripper') AND o.name = 'Colour' AND v.value = 'Terracotta';
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'gooseneck-kettle'), 'Colour', 0);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'gooseneck-kettle') AND name = 'Colour'), 'Brushed steel', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'gooseneck-kettle') AND name = 'Colour'), 'Matte black', 1);
UPDATE variants SET title = 'Brushed steel' WHERE sku = 'gooseneck-kettle';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'gooseneck-kettle'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'gooseneck-kettle') AND o.name = 'Colour' AND v.value = 'Brushed steel';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'gooseneck-kettle'), 'gooseneck-kettle-black', 'gooseneck-kettle-black', 'Matte black', 6400, 'EUR', 5, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'gooseneck-kettle-black'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'gooseneck-kettle') AND o.name = 'Colour' AND v.value = 'Matte black';
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'espresso-cups'), 'Colour', 0);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'espresso-cups') AND name = 'Colour'), 'White', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'espresso-cups') AND name = 'Colour'), 'Charcoal', 1);
UPDATE variants SET title = 'White' WHERE sku = 'espresso-cups';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'espresso-cups'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'espresso-cups') AND o.name = 'Colour' AND v.value = 'White';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'espresso-cups'), 'espresso-cups-charcoal', 'espresso-cups-charcoal', 'Charcoal', 2200, 'EUR', 18, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'espresso-cups-charcoal'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'espresso-cups') AND o.name = 'Colour' AND v.value = 'Charcoal';
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'linen-tea-towel'), 'Colour', 0);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'linen-tea-towel') AND name = 'Colour'), 'Natural', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'linen-tea-towel') AND name = 'Colour'), 'Indigo', 1), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'linen-tea-towel') AND name = 'Colour'), 'Rust', 2);
UPDATE variants SET title = 'Natural' WHERE sku = 'linen-tea-towel';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'linen-tea-towel'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'linen-tea-towel') AND o.name = 'Colour' AND v.value = 'Natural';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'linen-tea-towel'), 'linen-tea-towel-indigo', 'linen-tea-towel-indigo', 'Indigo', 1490, 'EUR', 14, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'linen-tea-towel-indigo'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'linen-tea-towel') AND o.name = 'Colour' AND v.value = 'Indigo';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'linen-tea-towel'), 'linen-tea-towel-rust', 'linen-tea-towel-rust', 'Rust', 1490, 'EUR', 9, 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'linen-tea-towel-rust'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'linen-tea-towel') AND o.name = 'Colour' AND v.value = 'Rust';

-- New products.
INSERT INTO products (slug, name, description, position, created_at, updated_at) VALUES ('guatemala-huehuetenango', 'Guatemala Huehuetenango', 'Bourbon and Caturra grown at 1,800 m near the Mexican border, fully washed and dried on patios. Dark cherry, brown sugar and a long cocoa finish.', 170, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'guatemala-huehuetenango'), 'Size', 0);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND name = 'Size'), '250 g', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND name = 'Size'), '1 kg', 1);
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'guatemala-huehuetenango'), 'Grind', 1);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND name = 'Grind'), 'Whole beans', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND name = 'Grind'), 'Filter', 1), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND name = 'Grind'), 'Espresso', 2);
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'guatemala-huehuetenango'), 'guatemala-huehuetenango-250g-whole', 'guatemala-huehuetenango-250g-whole', '250 g / Whole beans', 1590, 'EUR', 25, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-250g-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-250g-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Grind' AND v.value = 'Whole beans';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'guatemala-huehuetenango'), 'guatemala-huehuetenango-250g-filter', 'guatemala-huehuetenango-250g-filter', '250 g / Filter', 1590, 'EUR', 15, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-250g-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-250g-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Grind' AND v.value = 'Filter';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'guatemala-huehuetenango'), 'guatemala-huehuetenango-250g-espresso', 'guatemala-huehuetenango-250g-espresso', '250 g / Espresso', 1590, 'EUR', 10, 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-250g-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-250g-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Grind' AND v.value = 'Espresso';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'guatemala-huehuetenango'), 'guatemala-huehuetenango-1kg-whole', 'guatemala-huehuetenango-1kg-whole', '1 kg / Whole beans', 5490, 'EUR', 6, 3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-1kg-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-1kg-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Grind' AND v.value = 'Whole beans';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'guatemala-huehuetenango'), 'guatemala-huehuetenango-1kg-filter', 'guatemala-huehuetenango-1kg-filter', '1 kg / Filter', 5490, 'EUR', 4, 4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-1kg-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-1kg-filter'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Grind' AND v.value = 'Filter';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'guatemala-huehuetenango'), 'guatemala-huehuetenango-1kg-espresso', 'guatemala-huehuetenango-1kg-espresso', '1 kg / Espresso', 5490, 'EUR', 3, 5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-1kg-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'guatemala-huehuetenango-1kg-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango') AND o.name = 'Grind' AND v.value = 'Espresso';
INSERT INTO products (slug, name, description, position, created_at, updated_at) VALUES ('brazil-cerrado', 'Brazil Cerrado Natural', 'Yellow Catuai dried in the cherry on raised beds in Minas Gerais. Peanut butter, dark chocolate and low acidity: an easy daily cup and a rich espresso.', 180, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'brazil-cerrado'), 'Size', 0);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND name = 'Size'), '250 g', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND name = 'Size'), '1 kg', 1);
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'brazil-cerrado'), 'Grind', 1);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND name = 'Grind'), 'Whole beans', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND name = 'Grind'), 'Espresso', 1);
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'brazil-cerrado'), 'brazil-cerrado-250g-whole', 'brazil-cerrado-250g-whole', '250 g / Whole beans', 1190, 'EUR', 50, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'brazil-cerrado-250g-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'brazil-cerrado-250g-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND o.name = 'Grind' AND v.value = 'Whole beans';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'brazil-cerrado'), 'brazil-cerrado-250g-espresso', 'brazil-cerrado-250g-espresso', '250 g / Espresso', 1190, 'EUR', 30, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'brazil-cerrado-250g-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND o.name = 'Size' AND v.value = '250 g';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'brazil-cerrado-250g-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND o.name = 'Grind' AND v.value = 'Espresso';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'brazil-cerrado'), 'brazil-cerrado-1kg-whole', 'brazil-cerrado-1kg-whole', '1 kg / Whole beans', 3990, 'EUR', 12, 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'brazil-cerrado-1kg-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'brazil-cerrado-1kg-whole'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND o.name = 'Grind' AND v.value = 'Whole beans';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'brazil-cerrado'), 'brazil-cerrado-1kg-espresso', 'brazil-cerrado-1kg-espresso', '1 kg / Espresso', 3990, 'EUR', 8, 3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'brazil-cerrado-1kg-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND o.name = 'Size' AND v.value = '1 kg';
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'brazil-cerrado-1kg-espresso'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'brazil-cerrado') AND o.name = 'Grind' AND v.value = 'Espresso';
INSERT INTO products (slug, name, description, position, created_at, updated_at) VALUES ('cold-brew-bottle', 'Cold Brew Bottle, 1 l', 'Borosilicate bottle with a fine stainless steel filter and a silicone stopper. Steep 80 g of coarse coffee overnight in the fridge; pour straight from the bottle.', 190, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO product_options (product_id, name, position) VALUES ((SELECT id FROM products WHERE slug = 'cold-brew-bottle'), 'Colour', 0);
INSERT INTO product_option_values (option_id, value, position) VALUES ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'cold-brew-bottle') AND name = 'Colour'), 'Clear', 0), ((SELECT id FROM product_options WHERE product_id = (SELECT id FROM products WHERE slug = 'cold-brew-bottle') AND name = 'Colour'), 'Smoke grey', 1);
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'cold-brew-bottle'), 'cold-brew-bottle-clear', 'cold-brew-bottle-clear', 'Clear', 2900, 'EUR', 16, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'cold-brew-bottle-clear'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'cold-brew-bottle') AND o.name = 'Colour' AND v.value = 'Clear';
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'cold-brew-bottle'), 'cold-brew-bottle-smoke', 'cold-brew-bottle-smoke', 'Smoke grey', 2900, 'EUR', 9, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variant_option_values (variant_id, option_id, value_id) SELECT (SELECT id FROM variants WHERE sku = 'cold-brew-bottle-smoke'), o.id, v.id FROM product_options o JOIN product_option_values v ON v.option_id = o.id WHERE o.product_id = (SELECT id FROM products WHERE slug = 'cold-brew-bottle') AND o.name = 'Colour' AND v.value = 'Smoke grey';
INSERT INTO products (slug, name, description, position, created_at, updated_at) VALUES ('descaling-powder', 'Descaling Powder, 4 sachets', 'Citric-acid descaler for kettles and espresso machines, one 25 g sachet per litre of water. Biodegradable and free of fragrance.', 200, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'descaling-powder'), 'descaling-powder', 'descaling-powder', '', 890, 'EUR', 60, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO products (slug, name, description, position, created_at, updated_at) VALUES ('tasting-box', 'Tasting Box: Three Origins', 'Three 100 g bags of whole beans, Ethiopia, Colombia and Kenya, with tasting notes and brew recipes on a card. Packed in a recycled kraft box, ready to give.', 210, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, stock, position, created_at, updated_at) VALUES ((SELECT id FROM products WHERE slug = 'tasting-box'), 'tasting-box', 'tasting-box', '', 2490, 'EUR', 20, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- Collections.
INSERT INTO collections (slug, name, description, position, created_at, updated_at) VALUES ('coffee', 'Coffee', 'Single origins and blends, roasted every week in small batches and shipped within days of roasting.', 10, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO collection_products (collection_id, product_id, position) VALUES ((SELECT id FROM collections WHERE slug = 'coffee'), (SELECT id FROM products WHERE slug = 'ethiopia-yirgacheffe'), 0), ((SELECT id FROM collections WHERE slug = 'coffee'), (SELECT id FROM products WHERE slug = 'colombia-huila'), 10), ((SELECT id FROM collections WHERE slug = 'coffee'), (SELECT id FROM products WHERE slug = 'kenya-nyeri-aa'), 20), ((SELECT id FROM collections WHERE slug = 'coffee'), (SELECT id FROM products WHERE slug = 'guatemala-huehuetenango'), 30), ((SELECT id FROM collections WHERE slug = 'coffee'), (SELECT id FROM products WHERE slug = 'brazil-cerrado'), 40), ((SELECT id FROM collections WHERE slug = 'coffee'), (SELECT id FROM products WHERE slug = 'house-espresso-blend'), 50), ((SELECT id FROM collections WHERE slug = 'coffee'), (SELECT id FROM products WHERE slug = 'decaf-sugarcane'), 60), ((SELECT id FROM collections WHERE slug = 'coffee'), (SELECT id FROM products WHERE slug = 'tasting-box'), 70);
INSERT INTO collections (slug, name, description, position, created_at, updated_at) VALUES ('brewing-gear', 'Brewing gear', 'Drippers, filters, kettles, grinders and scales: everything between the beans and the cup.', 20, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO collection_products (collection_id, product_id, position) VALUES ((SELECT id FROM collections WHERE slug = 'brewing-gear'), (SELECT id FROM products WHERE slug = 'ceramic-dripper'), 0), ((SELECT id FROM collections WHERE slug = 'brewing-gear'), (SELECT id FROM products WHERE slug = 'paper-filters-02'), 10), ((SELECT id FROM collections WHERE slug = 'brewing-gear'), (SELECT id FROM products WHERE slug = 'gooseneck-kettle'), 20), ((SELECT id FROM collections WHERE slug = 'brewing-gear'), (SELECT id FROM products WHERE slug = 'hand-grinder'), 30), ((SELECT id FROM collections WHERE slug = 'brewing-gear'), (SELECT id FROM products WHERE slug = 'french-press'), 40), ((SELECT id FROM collections WHERE slug = 'brewing-gear'), (SELECT id FROM products WHERE slug = 'coffee-scale'), 50), ((SELECT id FROM collections WHERE slug = 'brewing-gear'), (SELECT id FROM products WHERE slug = 'cold-brew-bottle'), 60), ((SELECT id FROM collections WHERE slug = 'brewing-gear'), (SELECT id FROM products WHERE slug = 'milk-jug'), 70);
INSERT INTO collections (slug, name, description, position, created_at, updated_at) VALUES ('cups-and-mugs', 'Cups and mugs', 'Porcelain and stoneware to drink from, made to keep coffee hot.', 30, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO collection_products (collection_id, product_id, position) VALUES ((SELECT id FROM collections WHERE slug = 'cups-and-mugs'), (SELECT id FROM products WHERE slug = 'espresso-cups'), 0), ((SELECT id FROM collections WHERE slug = 'cups-and-mugs'), (SELECT id FROM products WHERE slug = 'stoneware-mug'), 10), ((SELECT id FROM collections WHERE slug = 'cups-and-mugs'), (SELECT id FROM products WHERE slug = 'milk-jug'), 20);
INSERT INTO collections (slug, name, description, position, created_at, updated_at) VALUES ('care-and-cleaning', 'Care and cleaning', 'Keep machines, kettles and grinders clean, so yesterday''s oils do not turn today''s coffee bitter.', 40, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO collection_products (collection_id, product_id, position) VALUES ((SELECT id FROM collections WHERE slug = 'care-and-cleaning'), (SELECT id FROM products WHERE slug = 'cleaning-tablets'), 0), ((SELECT id FROM collections WHERE slug = 'care-and-cleaning'), (SELECT id FROM products WHERE slug = 'descaling-powder'), 10), ((SELECT id FROM collections WHERE slug = 'care-and-cleaning'), (SELECT id FROM products WHERE slug = 'linen-tea-towel'), 20);
INSERT INTO collections (slug, name, description, position, created_at, updated_at) VALUES ('gifts', 'Gifts', 'Presents for people who care about their coffee.', 50, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO collection_products (collection_id, product_id, position) VALUES ((SELECT id FROM collections WHERE slug = 'gifts'), (SELECT id FROM products WHERE slug = 'tasting-box'), 0), ((SELECT id FROM collections WHERE slug = 'gifts'), (SELECT id FROM products WHERE slug = 'hand-grinder'), 10), ((SELECT id FROM collections WHERE slug = 'gifts'), (SELECT id FROM products WHERE slug = 'stoneware-mug'), 20), ((SELECT id FROM collections WHERE slug = 'gifts'), (SELECT id FROM products WHERE slug = 'linen-tea-towel'), 30), ((SELECT id FROM collections WHERE slug = 'gifts'), (SELECT id FROM products WHERE slug = 'gooseneck-kettle'), 40);

-- Each variant's options key: its value ids in the product's option order.
UPDATE variants SET options_key = coalesce((
    SELECT group_concat(value_id, ',') FROM (
        SELECT vov.value_id FROM variant_option_values vov
        JOIN product_options o ON o.id = vov.option_id
        WHERE vov.variant_id = variants.id
        ORDER BY o.position, o.id)), '');

-- Search: one row per product (rowid = products.id), kept in step by the writer on every
-- catalog command. Prefix indexes make `"ken"*` cheap.
CREATE VIRTUAL TABLE catalog_search USING fts5(
    name, description, options, skus,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);

INSERT INTO catalog_search (rowid, name, description, options, skus)
SELECT p.id, p.name, p.description,
       coalesce((SELECT group_concat(o.name || ' ' || v.value, ' ')
                 FROM product_options o JOIN product_option_values v ON v.option_id = o.id
                 WHERE o.product_id = p.id), ''),
       coalesce((SELECT group_concat(sku, ' ') FROM variants
                 WHERE product_id = p.id AND archived_at IS NULL), '')
FROM products p;
