-- Catalog counts kept by the database on every change, so no catalog page counts rows
-- (issue 27: a page of 12 products must not cost a scan of 100,000).
--
-- collections.product_count: the collection's live (not archived) products;
-- collections.member_count: all of its products, archived ones too (the owner's reads).
-- catalog_counts (one row): the catalog's live products and all of its products.
--
-- Kept by the triggers below, in the transaction of the statement that changes what they
-- count, whoever runs it: a product added or archived or restored, a product put into or
-- taken out of a collection. Products are archived, never deleted; the delete trigger is
-- there so a count can never drift if one ever is.

ALTER TABLE collections ADD COLUMN product_count INTEGER NOT NULL DEFAULT 0
    CHECK (product_count >= 0);
ALTER TABLE collections ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0
    CHECK (member_count >= 0);

UPDATE collections SET
    product_count = (SELECT count(*) FROM collection_products cp
                     JOIN products p ON p.id = cp.product_id
                     WHERE cp.collection_id = collections.id AND p.archived_at IS NULL),
    member_count = (SELECT count(*) FROM collection_products cp
                    WHERE cp.collection_id = collections.id);

CREATE TABLE catalog_counts (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    live_products INTEGER NOT NULL CHECK (live_products >= 0),
    all_products  INTEGER NOT NULL CHECK (all_products >= 0)
) STRICT;

INSERT INTO catalog_counts (id, live_products, all_products)
SELECT 1, count(*) FILTER (WHERE archived_at IS NULL), count(*) FROM products;

CREATE TRIGGER catalog_counts_product_added AFTER INSERT ON products
BEGIN
    UPDATE catalog_counts SET
        live_products = live_products + (NEW.archived_at IS NULL),
        all_products = all_products + 1
    WHERE id = 1;
END;

CREATE TRIGGER catalog_counts_product_removed AFTER DELETE ON products
BEGIN
    UPDATE catalog_counts SET
        live_products = live_products - (OLD.archived_at IS NULL),
        all_products = all_products - 1
    WHERE id = 1;
    UPDATE collections SET
        product_count = product_count - (OLD.archived_at IS NULL),
        member_count = member_count - 1
    WHERE id IN (SELECT collection_id FROM collection_products WHERE product_id = OLD.id);
END;

-- Archived or restored: +1 when it comes back, -1 when it goes.
CREATE TRIGGER catalog_counts_product_archived AFTER UPDATE OF archived_at ON products
WHEN (OLD.archived_at IS NULL) != (NEW.archived_at IS NULL)
BEGIN
    UPDATE catalog_counts SET
        live_products = live_products + (NEW.archived_at IS NULL) - (OLD.archived_at IS NULL)
    WHERE id = 1;
    UPDATE collections SET
        product_count = product_count + (NEW.archived_at IS NULL) - (OLD.archived_at IS NULL)
    WHERE id IN (SELECT collection_id FROM collection_products WHERE product_id = NEW.id);
END;

CREATE TRIGGER collection_counts_member_added AFTER INSERT ON collection_products
BEGIN
    UPDATE collections SET
        product_count = product_count + coalesce(
            (SELECT archived_at IS NULL FROM products WHERE id = NEW.product_id), 0),
        member_count = member_count + 1
    WHERE id = NEW.collection_id;
END;

CREATE TRIGGER collection_counts_member_removed AFTER DELETE ON collection_products
BEGIN
    UPDATE collections SET
        product_count = product_count - coalesce(
            (SELECT archived_at IS NULL FROM products WHERE id = OLD.product_id), 0),
        member_count = member_count - 1
    WHERE id = OLD.collection_id;
END;

CREATE TRIGGER collection_counts_member_moved
AFTER UPDATE OF collection_id, product_id ON collection_products
BEGIN
    UPDATE collections SET
        product_count = product_count - coalesce(
            (SELECT archived_at IS NULL FROM products WHERE id = OLD.product_id), 0),
        member_count = member_count - 1
    WHERE id = OLD.collection_id;
    UPDATE collections SET
        product_count = product_count + coalesce(
            (SELECT archived_at IS NULL FROM products WHERE id = NEW.product_id), 0),
        member_count = member_count + 1
    WHERE id = NEW.collection_id;
END;
