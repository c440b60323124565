//! What a change to the database may have made untrue, by *scope*: one change counter per
//! scope, moved only by statements that changed rows of the scope's tables (told by SQLite's
//! update hook) or the schema, and again when the transaction holding them ends.
//!
//! Why: the answer cache ([`crate::app::answer_cache`]) keeps an answer while the counter of
//! the scope it depends on has not moved. A counter that moved on every statement (an outbox
//! claim that found nothing due, a read on the batch connection) emptied it for nothing;
//! one counter for everything emptied the catalog's answers for a payment event.
//!
//! Scopes: [`Scope::All`] moves on every change; [`Scope::Catalog`] only on changes to
//! [`CATALOG_TABLES`] (what the writer's catalog and settings reads read). Placing an order
//! changes `variants` (stock shown on catalog pages), so it moves both.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

/// What an answer depends on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scope {
    /// The whole database.
    All,
    /// The catalog tables ([`CATALOG_TABLES`]) only.
    Catalog,
}

impl Scope {
    fn bit(self) -> u8 {
        match self {
            Scope::All => 1,
            Scope::Catalog => 2,
        }
    }
}

/// Every scope's bit: a change whose tables the host cannot tell.
pub const EVERY: u8 = 3;

/// The tables (or, ending in `*`, table name prefixes: FTS5 shadow tables) the catalog
/// scope's answers read. A table a catalog read starts to read must be added here.
pub const CATALOG_TABLES: &[&str] = &[
    "products",
    "variants",
    "variant_option_values",
    "product_options",
    "product_option_values",
    "product_images",
    "image_blobs",
    "collections",
    "collection_products",
    "catalog_search*",
    "catalog_counts",
    "shop_settings",
];

/// The scope bits a change to `table` moves.
pub fn bits_of(table: &str) -> u8 {
    let catalog = CATALOG_TABLES.iter().any(|t| match t.strip_suffix('*') {
        Some(prefix) => table.starts_with(prefix),
        None => *t == table,
    });
    if catalog { EVERY } else { Scope::All.bit() }
}

/// The counters, and the scopes changed by the statement running now and by the open
/// transaction.
#[derive(Default)]
pub struct Counters {
    all: AtomicU64,
    catalog: AtomicU64,
    /// Set by the update hook while a statement runs.
    statement: AtomicU8,
    /// Scopes changed since the batch connection's transaction began.
    uncommitted: AtomicU8,
    /// Rows the hook has reported: a statement whose change count moved by more did
    /// changes the hook is not told of (`WITHOUT ROWID` tables), in unknown scopes.
    rows: AtomicU64,
}

impl Counters {
    pub fn count(&self, scope: Scope) -> u64 {
        match scope {
            Scope::All => self.all.load(Ordering::SeqCst),
            Scope::Catalog => self.catalog.load(Ordering::SeqCst),
        }
    }

    /// The update hook's report: a row of `table` changed.
    pub fn row_changed(&self, table: &str) {
        self.rows.fetch_add(1, Ordering::SeqCst);
        self.statement.fetch_or(bits_of(table), Ordering::SeqCst);
    }

    /// How many row changes the hook has reported so far.
    pub fn rows_told(&self) -> u64 {
        self.rows.load(Ordering::SeqCst)
    }

    /// After a statement on the batch connection: moves the scopes it changed (`extra`:
    /// scopes the host knows changed without the hook, e.g. by DDL), and, if the
    /// transaction has ended (`ended`), every scope changed in it.
    pub fn statement_done(&self, extra: u8, ended: bool) {
        let changed = self.statement.swap(0, Ordering::SeqCst) | extra;
        self.bump(changed);
        self.uncommitted.fetch_or(changed, Ordering::SeqCst);
        if ended {
            self.transaction_ended();
        }
    }

    /// At a commit or rollback: every scope changed in the transaction moves again, before
    /// anyone hears of the outcome (whoever learns of it reads past it).
    pub fn transaction_ended(&self) {
        let changed = self.uncommitted.swap(0, Ordering::SeqCst);
        self.bump(changed);
    }

    fn bump(&self, bits: u8) {
        if bits & Scope::All.bit() != 0 {
            self.all.fetch_add(1, Ordering::SeqCst);
        }
        if bits & Scope::Catalog.bit() != 0 {
            self.catalog.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_map_to_scopes() {
        assert_eq!(bits_of("variants"), EVERY);
        assert_eq!(bits_of("catalog_search_data"), EVERY);
        assert_eq!(bits_of("orders"), 1);
        assert_eq!(bits_of("outbox"), 1);
    }

    #[test]
    fn counters_move_only_for_changed_scopes_and_again_at_the_end() {
        let c = Counters::default();
        c.statement_done(0, false);
        assert_eq!((c.count(Scope::All), c.count(Scope::Catalog)), (0, 0));
        c.row_changed("orders");
        c.statement_done(0, false);
        assert_eq!((c.count(Scope::All), c.count(Scope::Catalog)), (1, 0));
        c.transaction_ended();
        assert_eq!((c.count(Scope::All), c.count(Scope::Catalog)), (2, 0));
        c.transaction_ended();
        assert_eq!((c.count(Scope::All), c.count(Scope::Catalog)), (2, 0));
        c.row_changed("variants");
        c.statement_done(0, true);
        assert_eq!((c.count(Scope::All), c.count(Scope::Catalog)), (4, 2));
    }
}
