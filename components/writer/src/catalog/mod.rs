//! The catalog: the shop's reads (products, collections, catalog cards, search, the variant
//! that chosen option values name, the owner's list and positions, image bytes), and the
//! owner's commands on products, options, variants, collections and images, with the rules
//! they check and their history.

pub mod cards;
pub mod choice;
pub mod collections;
pub mod commands;
pub mod cursor;
pub mod history;
pub mod image_check;
pub mod images;
pub mod options;
pub mod owner_list;
pub mod positions;
pub mod products;
pub mod query;
pub mod reads;
pub mod rules;
pub mod search;
pub mod sitemap;
pub mod texts;
pub mod variants;
