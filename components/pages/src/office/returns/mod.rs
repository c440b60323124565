//! Returns in the back office: the list (`/admin/returns`, those waiting first), each
//! return's card with the owner's two answers ([`view`]), shown on the order's page too,
//! and the answers themselves ([`decide`]): accepting refunds through the refund path
//! the owner's refunds take, refusing tells the shopper why.

pub mod decide;
pub mod list;
pub mod view;
