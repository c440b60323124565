//! The catalog as shoppers see it: the product index and collection pages, search, each
//! product's page, and the product pictures.

pub mod breadcrumbs;
pub mod choice_script;
pub mod handler;
pub mod images;
pub mod product_view;
pub mod search_view;
pub mod view;
