//! The database: the connection and its typed helpers, the schema's migrations (and the SQL
//! splitter they need), online backups, and literal search patterns for `LIKE`.

pub mod backup;
mod connection;
pub mod like;
pub mod migrations;
#[cfg(test)]
pub mod query_plan;
mod sql_split;

pub use connection::{Db, Mode, NOW, RowExt, int, opt_int, opt_text, text};
