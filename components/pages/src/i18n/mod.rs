//! German and English: the message catalogue ([`catalogue`], Project Fluent files in
//! `locales/`), which language a request is answered in ([`negotiate`]), and the
//! header's language switch ([`switch`]). Money, numbers and dates are formatted by
//! [`storefront_domain::locale::Locale`], the one formatter.
//!
//! Views say `tr!(lang, "cart-title")` or `tr!(lang, "only-left", count = n)`.

pub mod catalogue;
pub mod countries;
pub mod field_errors;
pub mod negotiate;
pub mod switch;

pub use storefront_domain::locale::Locale as Lang;

/// The message `$id` of the catalogue in `$lang`, with Fluent arguments `name = value`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:expr) => {
        $crate::i18n::catalogue::message($lang, $id, None)
    };
    ($lang:expr, $id:expr, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = ::fluent_bundle::FluentArgs::new();
        $( args.set(stringify!($name).replace('_', "-"), $value); )+
        $crate::i18n::catalogue::message($lang, $id, Some(&args))
    }};
}
