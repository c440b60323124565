//! What the shop tells search engines and link previews beyond each page's own head
//! (canonical link, Open Graph: `layout::chrome`): `/robots.txt`, `/sitemap.xml` and its
//! pages, and the JSON-LD structured data of the home and product pages. Every address
//! they name is absolute, from `shop_url`, never from the request's `Host`.

pub mod json_ld;
pub mod robots;
pub mod sitemap;
