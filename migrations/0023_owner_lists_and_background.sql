-- Owner lists, exports and background work cost O(page) and O(due), not O(shop).

-- The owner's order list and export, newest (or oldest) first by time, with no state
-- filter; with one, `orders_by_state_created` (0002) serves. The rowid (id) rides along in
-- both, so (created_at, id) cursors need no sort.
CREATE INDEX orders_by_created ON orders (created_at);

-- The owner's search finds an exact email address among all orders.
CREATE INDEX orders_by_email ON orders (email COLLATE NOCASE);
