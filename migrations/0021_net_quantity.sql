-- Net quantity of one unit (what is in the bag), distinct from its shipping weight, so
-- coffee sold by weight can show its unit price per kilogram as EU price rules require.
-- 0 means "not sold by weight" (no unit price shown).
ALTER TABLE variants ADD COLUMN net_grams INTEGER NOT NULL DEFAULT 0
    CHECK (net_grams BETWEEN 0 AND 1000000);

-- The demo coffees: sizes from their titles; coffees without a size option from their
-- descriptions (Kenya and the decaf come in 250 g bags, the tasting box holds 3 × 100 g).
UPDATE variants SET net_grams = CASE
    WHEN title LIKE '1 kg%' THEN 1000
    WHEN title LIKE '250 g%' THEN 250
    ELSE (SELECT CASE p.slug
        WHEN 'kenya-nyeri-aa' THEN 250
        WHEN 'decaf-sugarcane' THEN 250
        WHEN 'tasting-box' THEN 300
        ELSE 0 END FROM products p WHERE p.id = variants.product_id)
END
WHERE product_id IN (SELECT cp.product_id FROM collection_products cp
                     JOIN collections c ON c.id = cp.collection_id WHERE c.slug = 'coffee');
