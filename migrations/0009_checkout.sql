-- The checkout's money beyond the lines: the shop's settings, shipping zones and methods,
-- tax rates by destination, discount codes and their redemptions, and the amounts every
-- order now stores (subtotal, discount, shipping, tax) so that its total can be explained
-- and audited: total = subtotal - discount + shipping (+ tax when prices exclude it).

-- One row: the shop's identity and rules (GET /settings, PUT /admin/settings).
CREATE TABLE shop_settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    name            TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    tagline         TEXT    NOT NULL DEFAULT '',
    currency        TEXT    NOT NULL CHECK (length(currency) = 3),
    tax_mode        TEXT    NOT NULL CHECK (tax_mode IN ('inclusive', 'exclusive')),
    -- Where a quote without a destination is taxed (ISO 3166-1 alpha-2).
    home_country    TEXT    NOT NULL CHECK (length(home_country) = 2),
    contact_email   TEXT    NOT NULL,
    contact_address TEXT    NOT NULL,
    -- Content hash of the logo image, if any.
    logo_hash       TEXT,
    terms           TEXT    NOT NULL,
    privacy         TEXT    NOT NULL,
    returns_policy  TEXT    NOT NULL,
    imprint         TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
) STRICT;

INSERT INTO shop_settings (id, name, tagline, currency, tax_mode, home_country, contact_email,
    contact_address, terms, privacy, returns_policy, imprint, updated_at) VALUES (
    1, 'Kaffee & Kanne',
    'Small-lot coffee, roasted weekly in Hamburg, and the gear to brew it.',
    'EUR', 'inclusive', 'DE', 'hallo@kaffee-und-kanne.example',
    'Kaffee & Kanne GmbH, Speicherstadt 12, 20457 Hamburg, Germany',
    'These terms apply to every order placed at Kaffee & Kanne. A contract is made when we confirm your payment; until then we may decline an order.

Prices include VAT where it applies; shipping is shown before you pay. We ship within the zones listed at checkout.',
    'We keep your name, email and address to deliver your order and for as long as tax law requires. We never sell them.

Payments are handled by our payment provider; we never see your card number. Write to us to see or delete what we hold.',
    'You may return unopened goods within 14 days of delivery for a full refund. Opened coffee cannot be returned for hygiene reasons; faulty gear can, always.

Write to us first so we can send you a return label.',
    'Kaffee & Kanne GmbH, Speicherstadt 12, 20457 Hamburg, Germany. Managing director: Erika Beispiel. Register court: Amtsgericht Hamburg, HRB 000000. VAT ID: DE000000000.

This is a demo shop: nothing is sold and no goods are shipped.',
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

CREATE TRIGGER shop_settings_never_deleted BEFORE DELETE ON shop_settings
BEGIN
    SELECT RAISE(ABORT, 'the shop settings row is never deleted');
END;

-- Shipping: a zone is a set of countries; a country is in at most one zone (else nothing
-- ships there); a zone offers methods.
CREATE TABLE shipping_zones (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TABLE shipping_zone_countries (
    country TEXT    PRIMARY KEY CHECK (length(country) = 2),
    zone_id INTEGER NOT NULL REFERENCES shipping_zones (id)
) STRICT;

CREATE INDEX shipping_zone_countries_by_zone ON shipping_zone_countries (zone_id);

-- kind: flat = amount; free_above = amount, 0 when the subtotal after discount reaches
-- threshold_amount; by_weight = amount + per_kg_amount per started kilogram.
CREATE TABLE shipping_methods (
    id               INTEGER PRIMARY KEY,
    zone_id          INTEGER NOT NULL REFERENCES shipping_zones (id),
    code             TEXT    NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    name             TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind             TEXT    NOT NULL CHECK (kind IN ('flat', 'free_above', 'by_weight')),
    amount           INTEGER NOT NULL CHECK (amount >= 0),
    threshold_amount INTEGER CHECK (threshold_amount >= 0),
    per_kg_amount    INTEGER NOT NULL DEFAULT 0 CHECK (per_kg_amount >= 0),
    position         INTEGER NOT NULL DEFAULT 0,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    CHECK ((kind = 'free_above') = (threshold_amount IS NOT NULL))
) STRICT;

CREATE INDEX shipping_methods_by_zone ON shipping_methods (zone_id, position, id);

INSERT INTO shipping_zones (id, name) VALUES (1, 'Germany'), (2, 'EU'), (3, 'Rest of world');
INSERT INTO shipping_zone_countries (country, zone_id) VALUES ('DE', 1);
INSERT INTO shipping_zone_countries (country, zone_id) VALUES
    ('AT', 2), ('BE', 2), ('BG', 2), ('CY', 2), ('CZ', 2), ('DK', 2), ('EE', 2), ('ES', 2),
    ('FI', 2), ('FR', 2), ('GR', 2), ('HR', 2), ('HU', 2), ('IE', 2), ('IT', 2), ('LT', 2),
    ('LU', 2), ('LV', 2), ('MT', 2), ('NL', 2), ('PL', 2), ('PT', 2), ('RO', 2), ('SE', 2),
    ('SI', 2), ('SK', 2);
INSERT INTO shipping_zone_countries (country, zone_id) VALUES
    ('GB', 3), ('CH', 3), ('NO', 3), ('IS', 3), ('LI', 3), ('US', 3), ('CA', 3), ('AU', 3),
    ('NZ', 3), ('JP', 3), ('SG', 3), ('KR', 3);
INSERT INTO shipping_methods (zone_id, code, name, kind, amount, threshold_amount,
    per_kg_amount, position) VALUES
    (1, 'de-standard', 'Standard (DHL, 1–3 days)', 'free_above', 490, 5000, 0, 0),
    (1, 'de-express', 'Express (next working day)', 'flat', 990, NULL, 0, 1),
    (2, 'eu-standard', 'Standard (DHL, 3–6 days)', 'free_above', 990, 8000, 0, 0),
    (3, 'world-standard', 'International (DHL, 5–12 days)', 'by_weight', 1490, NULL, 600, 0);

-- Shipping weight of one unit, for by_weight methods.
ALTER TABLE variants ADD COLUMN weight_grams INTEGER NOT NULL DEFAULT 0
    CHECK (weight_grams >= 0);

UPDATE variants SET weight_grams = CASE
    WHEN title LIKE '1 kg%' THEN 1050
    WHEN title LIKE '250 g%' THEN 270
    ELSE (SELECT CASE p.slug
        WHEN 'house-espresso-blend' THEN 1050
        WHEN 'ceramic-dripper' THEN 450
        WHEN 'paper-filters-02' THEN 200
        WHEN 'gooseneck-kettle' THEN 900
        WHEN 'hand-grinder' THEN 700
        WHEN 'french-press' THEN 950
        WHEN 'coffee-scale' THEN 600
        WHEN 'espresso-cups' THEN 500
        WHEN 'stoneware-mug' THEN 450
        ELSE CASE WHEN p.name LIKE '%1 kg%' THEN 1050
                  WHEN p.name LIKE '%250 g%' THEN 270
                  ELSE 500 END
        END FROM products p WHERE p.id = variants.product_id)
END;

-- Tax: one rate per destination country (the standard rate, in basis points); a country
-- without a row gets no tax line (exports). Goods and shipping are taxed at the same rate.
CREATE TABLE tax_rates (
    country TEXT    PRIMARY KEY CHECK (length(country) = 2),
    name    TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    rate_bp INTEGER NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000)
) STRICT;

-- EU standard VAT rates as of the second half of 2025 (EE 24 % from July, RO 21 % from
-- August, SK 23 % and FI 25.5 % since late 2024/2025).
INSERT INTO tax_rates (country, name, rate_bp) VALUES
    ('AT', 'VAT', 2000), ('BE', 'VAT', 2100), ('BG', 'VAT', 2000), ('CY', 'VAT', 1900),
    ('CZ', 'VAT', 2100), ('DE', 'VAT', 1900), ('DK', 'VAT', 2500), ('EE', 'VAT', 2400),
    ('ES', 'VAT', 2100), ('FI', 'VAT', 2550), ('FR', 'VAT', 2000), ('GR', 'VAT', 2400),
    ('HR', 'VAT', 2500), ('HU', 'VAT', 2700), ('IE', 'VAT', 2300), ('IT', 'VAT', 2200),
    ('LT', 'VAT', 2100), ('LU', 'VAT', 1700), ('LV', 'VAT', 2100), ('MT', 'VAT', 1800),
    ('NL', 'VAT', 2100), ('PL', 'VAT', 2300), ('PT', 'VAT', 2300), ('RO', 'VAT', 2100),
    ('SE', 'VAT', 2500), ('SI', 'VAT', 2200), ('SK', 'VAT', 2300);

-- Discount codes. value: basis points for percent (1000 = 10 %), minor units of the
-- shop's currency for fixed. uses counts live redemptions (a cancelled order gives its
-- use back; the audit checks uses against the redemptions).
CREATE TABLE discount_codes (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    code               TEXT    NOT NULL COLLATE NOCASE UNIQUE
        CHECK (length(code) BETWEEN 1 AND 32),
    kind               TEXT    NOT NULL CHECK (kind IN ('percent', 'fixed')),
    value              INTEGER NOT NULL
        CHECK (value > 0 AND (kind = 'fixed' OR value <= 10000)),
    min_subtotal       INTEGER NOT NULL DEFAULT 0 CHECK (min_subtotal >= 0),
    starts_at          TEXT    NOT NULL,
    ends_at            TEXT,
    max_uses           INTEGER CHECK (max_uses >= 1),
    max_uses_per_email INTEGER CHECK (max_uses_per_email >= 1),
    uses               INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
) STRICT;

CREATE TRIGGER discount_codes_never_deleted BEFORE DELETE ON discount_codes
BEGIN
    SELECT RAISE(ABORT, 'discount codes are never deleted; deactivate them instead');
END;

-- One row per order that used a code; never deleted. released_at is set once, when the
-- order is cancelled (its use goes back to the code).
CREATE TABLE discount_redemptions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code_id     INTEGER NOT NULL REFERENCES discount_codes (id),
    order_id    INTEGER NOT NULL UNIQUE REFERENCES orders (id),
    -- Lower case, for the per-email limit.
    email       TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    released_at TEXT
) STRICT;

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

INSERT INTO discount_codes (code, kind, value, min_subtotal, starts_at, ends_at, max_uses,
    max_uses_per_email, created_at, updated_at) VALUES
    ('WELCOME10', 'percent', 1000, 0, '2025-01-01T00:00:00.000Z', NULL, NULL, 1,
     strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('FIVEOFF', 'fixed', 500, 3000, '2025-01-01T00:00:00.000Z', NULL, NULL, NULL,
     strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('SUMMER24', 'percent', 1500, 0, '2024-06-01T00:00:00.000Z', '2024-09-01T00:00:00.000Z',
     NULL, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- Every amount of an order. Orders placed before this migration: subtotal = total, the
-- rest 0 (they had no shipping, tax or discount).
ALTER TABLE orders ADD COLUMN subtotal_amount INTEGER NOT NULL DEFAULT 0
    CHECK (subtotal_amount >= 0);
ALTER TABLE orders ADD COLUMN discount_amount INTEGER NOT NULL DEFAULT 0
    CHECK (discount_amount >= 0);
ALTER TABLE orders ADD COLUMN discount_code TEXT;
-- As the shopper saw it when ordering, e.g. '10 % off'.
ALTER TABLE orders ADD COLUMN discount_description TEXT;
ALTER TABLE orders ADD COLUMN shipping_amount INTEGER NOT NULL DEFAULT 0
    CHECK (shipping_amount >= 0);
ALTER TABLE orders ADD COLUMN shipping_method TEXT;
ALTER TABLE orders ADD COLUMN shipping_name TEXT;
ALTER TABLE orders ADD COLUMN tax_amount INTEGER NOT NULL DEFAULT 0 CHECK (tax_amount >= 0);
ALTER TABLE orders ADD COLUMN tax_mode TEXT NOT NULL DEFAULT 'inclusive'
    CHECK (tax_mode IN ('inclusive', 'exclusive'));
ALTER TABLE orders ADD COLUMN tax_rate_bp INTEGER NOT NULL DEFAULT 0
    CHECK (tax_rate_bp BETWEEN 0 AND 10000);
ALTER TABLE orders ADD COLUMN tax_name TEXT;

UPDATE orders SET subtotal_amount = total_amount;

-- The amounts join the columns that never change once an order is placed.
DROP TRIGGER orders_fixed_columns;

CREATE TRIGGER orders_fixed_columns
BEFORE UPDATE OF number, currency, total_amount, created_at, subtotal_amount, discount_amount,
    discount_code, discount_description, shipping_amount, shipping_method, shipping_name, tax_amount, tax_mode,
    tax_rate_bp, tax_name ON orders
WHEN NEW.number IS NOT OLD.number
  OR NEW.currency IS NOT OLD.currency
  OR NEW.total_amount IS NOT OLD.total_amount
  OR NEW.created_at IS NOT OLD.created_at
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
  OR NEW.tax_name IS NOT OLD.tax_name
BEGIN
    SELECT RAISE(ABORT, 'an order''s number, currency, amounts and creation time never change');
END;
