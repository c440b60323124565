//! The database: the connection and its typed helpers, the schema's migrations (and the SQL
//! splitter they need), and online backups.

pub mod backup;
mod connection;
pub mod migrations;
mod sql_split;

pub use connection::{Db, Mode, NOW, RowExt, int, opt_int, opt_text, text};
