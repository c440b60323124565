//! Routing: the one route table of the component ([`table`]), its path patterns
//! ([`pattern`]), and the dispatch of a routed request to its handler ([`dispatch`]).

pub mod dispatch;
pub mod pattern;
pub mod table;

pub use table::{
    Features, OfficePage, Route, Who, body_cap, has_empty_segment, on_path, with_head,
};
