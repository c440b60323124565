//! A product page's breadcrumbs: Home › its collection › the product, the collection
//! being the first the product is in by the collections' display order (none: Home ›
//! product). One list feeds both the visible trail and the JSON-LD `BreadcrumbList`
//! ([`crate::shop::seo::json_ld::product`]), so they never disagree.

use crate::i18n::Lang;
use crate::tr;
use maud::{Markup, html};

/// One step: its name and its path on this shop (`/`, `/collections/{slug}`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    pub name: String,
    pub path: String,
}

/// The trail to a product named `product` at `/products/{slug}`, through `collection`
/// (slug, name) when it has one, its first step named in `lang`.
pub fn trail(
    lang: Lang,
    product: &str,
    slug: &str,
    collection: Option<(&str, &str)>,
) -> Vec<Crumb> {
    let mut crumbs = vec![Crumb {
        name: tr!(lang, "breadcrumb-home"),
        path: "/".into(),
    }];
    if let Some((slug, name)) = collection {
        crumbs.push(Crumb {
            name: name.to_string(),
            path: format!("/collections/{slug}"),
        });
    }
    crumbs.push(Crumb {
        name: product.to_string(),
        path: format!("/products/{slug}"),
    });
    crumbs
}

/// The visible trail: links to every step but the last, which is the page itself.
pub fn nav(lang: Lang, crumbs: &[Crumb]) -> Markup {
    html! {
        nav.breadcrumbs aria-label=(tr!(lang, "breadcrumb-label")) {
            ol {
                @for (i, crumb) in crumbs.iter().enumerate() {
                    @if i + 1 == crumbs.len() {
                        li { span aria-current="page" { (crumb.name) } }
                    } @else {
                        li { a href=(crumb.path) { (crumb.name) } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collection_sits_between_home_and_the_product() {
        let crumbs = trail(
            Lang::En,
            "Milk jug",
            "milk-jug",
            Some(("brewing-gear", "Brewing gear")),
        );
        let paths: Vec<&str> = crumbs.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/", "/collections/brewing-gear", "/products/milk-jug"]
        );
        assert_eq!(trail(Lang::En, "Mug", "mug", None).len(), 2);
        let html = nav(Lang::En, &crumbs).into_string();
        assert!(html.contains(r#"<span aria-current="page">Milk jug</span>"#));
        assert!(!html.contains(r#"href="/products/milk-jug""#));
    }
}
