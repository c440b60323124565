//! The cart: its contents in a signed cookie, the `GET /cart` page and the
//! `POST /cart/{add,update,remove}` actions.

pub mod contents;
pub mod handler;
pub mod view;
