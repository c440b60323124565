-- The recorded migrations in one row, so that the writer's per-request check is one lookup.
--
-- `digest` is the hex SHA-256 of `version:checksum,…` over every migration recorded in
-- `schema_migrations`, in version order. The writer writes it after it has verified every
-- recorded migration against its own files and applied the missing ones, and from then on
-- compares this one row with its own build's digest on every request instead of
-- concatenating every recorded checksum. `GET /health` (which the host calls at start)
-- still checks the whole list, so an edited migration still stops the start.

CREATE TABLE schema_digest (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    digest TEXT NOT NULL
) STRICT;
