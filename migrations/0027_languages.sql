-- German and English (docs/i18n.md).
--
-- The language the shop speaks to a shopper whose browser names none it knows and who
-- has not chosen one with the header's switch.
ALTER TABLE shop_settings ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
    CHECK (language IN ('en', 'de'));

-- The language the order was placed in: its emails (confirmation, shipping, refunds)
-- speak it. Orders placed before this migration were placed in English.
ALTER TABLE orders ADD COLUMN locale TEXT NOT NULL DEFAULT 'en'
    CHECK (locale IN ('en', 'de'));

-- A product's name and description in a language other than the one its own row is
-- written in, given by the owner. A page in a language without a row here shows the
-- product's own texts (the shop's default language). Search matches the own texts only.
CREATE TABLE product_translations (
    product_id  INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    lang        TEXT    NOT NULL CHECK (lang IN ('en', 'de')),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (product_id, lang)
) STRICT;
