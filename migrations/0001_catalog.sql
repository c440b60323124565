-- Catalog: what the shop sells, its catalog price and how many units can be ordered now.
--
-- Applied by the writer component (components/writer/src/migrations.rs) in one transaction,
-- recorded in schema_migrations with this file's SHA-256. Never edit this file once it has
-- been applied anywhere: add a new NNNN_name.sql instead.
--
-- Money is integer minor units (cents) plus an ISO 4217 code, never floats. STRICT tables
-- make SQLite refuse a text or real value in an INTEGER column instead of storing it.
--
-- Variants (bean grind, mug colour, kettle size) will go into a later `product_variants`
-- table that references products(id) and carries its own price, stock and slug suffix;
-- a product then stays the thing shoppers browse, and order lines will point at a variant.

CREATE TABLE products (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    slug         TEXT    NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 64),
    name         TEXT    NOT NULL CHECK (length(name) > 0),
    description  TEXT    NOT NULL DEFAULT '',
    price_amount INTEGER NOT NULL CHECK (price_amount >= 0),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    -- Units available to order now: placing an order subtracts, cancelling adds back.
    stock        INTEGER NOT NULL CHECK (stock >= 0),
    -- Display order in the catalog (gaps of 10 leave room to insert between).
    position     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE INDEX products_by_position ON products (position, name);

-- Demo catalog of a small coffee-and-kitchen goods shop.
INSERT INTO products (slug, name, description, price_amount, currency, stock, position) VALUES
    ('ethiopia-yirgacheffe', 'Ethiopia Yirgacheffe, 250 g',
     'Washed heirloom varieties from the Gedeo zone, roasted light for filter. Jasmine, bergamot and a clean lemony finish. Whole beans.',
     1450, 'EUR', 40, 10),
    ('colombia-huila', 'Colombia Huila, 250 g',
     'Caturra and Castillo from smallholders around Pitalito. Red apple, panela and milk chocolate; forgiving in any brewer. Whole beans.',
     1290, 'EUR', 55, 20),
    ('kenya-nyeri-aa', 'Kenya Nyeri AA, 250 g',
     'A small lot from the Gatomboya factory: blackcurrant, tomato-leaf brightness and a syrupy body. Roasted for filter. Whole beans.',
     1890, 'EUR', 3, 30),
    ('house-espresso-blend', 'House Espresso Blend, 1 kg',
     'Brazil and Guatemala, roasted medium for espresso. Hazelnut, cocoa and caramel, sweet with or without milk. Whole beans.',
     3490, 'EUR', 18, 40),
    ('decaf-sugarcane', 'Decaf Colombia, 250 g',
     'Decaffeinated with ethyl acetate from local sugarcane, so the sweetness stays. Toffee, orange and a round body. Whole beans.',
     1390, 'EUR', 24, 50),
    ('ceramic-dripper', 'Ceramic Pour-Over Dripper, size 02',
     'Glazed porcelain dripper with spiral ribs for an even flow. Brews one to four cups; keeps its heat better than plastic.',
     2400, 'EUR', 25, 60),
    ('paper-filters-02', 'Paper Filters, size 02, 100 pcs',
     'Oxygen-bleached cone filters that fit most size 02 drippers. Rinse once with hot water before brewing.',
     590, 'EUR', 120, 70),
    ('gooseneck-kettle', 'Gooseneck Kettle, 0.9 l',
     'Brushed stainless steel stovetop kettle with a slim spout for a steady pour. Works on gas, electric and induction.',
     5900, 'EUR', 9, 80),
    ('hand-grinder', 'Hand Grinder with Steel Burrs',
     'Conical 38 mm steel burrs, stepped adjustment from espresso to French press, holds 30 g. Comes apart for cleaning without tools.',
     8900, 'EUR', 3, 90),
    ('french-press', 'French Press, 1 l',
     'Borosilicate glass jug in a stainless steel frame with a four-layer mesh filter. Eight cups; the glass is replaceable.',
     3400, 'EUR', 14, 100),
    ('coffee-scale', 'Coffee Scale with Timer',
     'Weighs to 0.1 g up to 2 kg with a built-in brew timer. USB-C rechargeable; silicone mat protects it from spills.',
     3900, 'EUR', 12, 110),
    ('espresso-cups', 'Espresso Cups, Set of 2',
     'Thick-walled 80 ml porcelain cups with saucers that keep an espresso hot. Dishwasher safe.',
     2200, 'EUR', 30, 120),
    ('stoneware-mug', 'Stoneware Mug, 350 ml',
     'Hand-thrown in Portugal with a speckled oatmeal glaze; each one is a little different. Dishwasher and microwave safe.',
     1800, 'EUR', 0, 130),
    ('milk-jug', 'Milk Jug, 350 ml',
     'Stainless steel pitcher with a sharp spout for latte art; the right size for one or two cappuccinos.',
     1650, 'EUR', 20, 140),
    ('cleaning-tablets', 'Espresso Machine Cleaning Tablets, 100 pcs',
     'Phosphate-free 2 g tablets for backflushing the group head. One a week keeps oils from turning your coffee bitter.',
     1190, 'EUR', 45, 150),
    ('linen-tea-towel', 'Linen Tea Towel',
     'Stonewashed European linen, 50 x 70 cm, with a hanging loop. Dries glasses without lint and gets softer with every wash.',
     1490, 'EUR', 22, 160);
