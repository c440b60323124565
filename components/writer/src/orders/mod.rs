//! Orders: placing one, changing it until it is paid, reading it back, its number and
//! history, moving it (ship, cancel, the sweep of expired ones), stock and goods returned
//! to it, and the owner's list, order view and export.

pub mod change;
pub mod events;
pub mod export;
pub mod notes;
pub mod number;
pub mod owner_list;
pub mod owner_view;
pub mod place;
pub mod restock;
pub mod stock;
pub mod transitions;
pub mod view;
