//! The product list (`GET /admin/catalog?q=&page=`: search by name, slug or SKU,
//! archived products shown and marked) and a new product (`GET|POST /admin/catalog/new`):
//! its options typed one per line, a variant made for every combination of their values,
//! each with a SKU from the product's and the values' names, the price, stock and weight
//! typed once (each variant's can be changed on the product page afterwards).

use super::fields::{self, input, textarea};
use super::{Problem, Sent, json, money_input, posted, product_path, send};
use crate::http::Resp;
use crate::http::forms::Form;
use crate::http::paging::MAX_PAGE_NUMBER;
use crate::office::Office;
use maud::{Markup, html};
use storefront_domain::catalog::{
    MAX_OPTIONS, MAX_QUERY, MAX_VARIANTS, MAX_WEIGHT_GRAMS, NewProduct, NewVariant, OptionChoice,
    ProductOption, valid_sku,
};
use storefront_domain::{Product, ProductList};

/// Products per page of the back office's product list.
pub const PRODUCTS_PER_PAGE: u32 = 25;
/// The new-product form's id.
const NEW: &str = "new";

pub async fn index(office: &Office<'_>) -> Resp {
    let mut q = String::new();
    let mut page = 1u32;
    for (name, value) in form_urlencoded::parse(office.req.query.as_bytes()) {
        match name.as_ref() {
            "q" => q = value.trim().to_string(),
            "page" => match value.parse::<u32>() {
                Ok(n) if (1..=MAX_PAGE_NUMBER).contains(&n) => page = n,
                _ => {
                    return office.error(
                        422,
                        "No such page",
                        &format!("The page number must be from 1 to {MAX_PAGE_NUMBER}."),
                    );
                }
            },
            _ => {}
        }
    }
    if q.chars().count() > MAX_QUERY {
        return office.error(
            422,
            "Search too long",
            &format!("Search for at most {MAX_QUERY} characters."),
        );
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &q)
        .append_pair("limit", &PRODUCTS_PER_PAGE.to_string())
        .append_pair("offset", &((page - 1) * PRODUCTS_PER_PAGE).to_string())
        .finish();
    let list = match office.writer.owner_products(&query).await {
        Ok(list) => list,
        Err(e) => return office.writer_failed(e),
    };
    office.ok("Catalog", list_page(&q, page, &list))
}

fn list_page(q: &str, page: u32, list: &ProductList) -> Markup {
    let pages = list.total.div_ceil(PRODUCTS_PER_PAGE).max(1);
    let link = |n: u32| {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", q)
            .append_pair("page", &n.to_string())
            .finish();
        format!("/admin/catalog?{query}")
    };
    html! {
        h1 { "Catalog" }
        p.actions {
            a.button.primary href="/admin/catalog/new" { "New product" }
            a.button href="/admin/catalog/collections" { "Collections" }
        }
        form.filters method="get" action="/admin/catalog" role="search" {
            label for="catalog-q" {
                "Name, slug or SKU"
                input #catalog-q type="search" name="q" value=(q) maxlength=(MAX_QUERY);
            }
            button type="submit" { "Search" }
        }
        p.muted {
            (list.total) " product" @if list.total != 1 { "s" }
            @if !q.is_empty() { " matching “" (q) "”" }
            ", archived ones included."
        }
        @if !list.products.is_empty() {
            div.table-wrap {
                table.list {
                    thead { tr {
                        th scope="col" { "Product" }
                        th scope="col" { "Variants" }
                        th.num scope="col" { "Price" }
                        th.num scope="col" { "Stock" }
                        th scope="col" { "Status" }
                    } }
                    tbody {
                        @for p in &list.products { (row(p)) }
                    }
                }
            }
        }
        @if pages > 1 {
            nav.pager aria-label="Pages" {
                @if page > 1 { a href=(link(page - 1)) rel="prev" { "Previous" } " " }
                span { "Page " (page) " of " (pages) }
                @if page < pages { " " a href=(link(page + 1)) rel="next" { "Next" } }
            }
        }
    }
}

fn row(p: &Product) -> Markup {
    let live = p.variants.iter().filter(|v| !v.archived).count();
    html! {
        tr {
            td {
                a href=(product_path(&p.slug)) { (p.name) }
                br; span.muted { (p.slug) }
            }
            td { (live) }
            td.num { (p.price) }
            td.num { (p.stock) }
            td {
                @if p.archived { span.badge.archived { "Archived" } }
                @else { "Active" }
            }
        }
    }
}

pub async fn new_form(office: &Office<'_>) -> Resp {
    draw(office, None).await
}

async fn draw(office: &Office<'_>, problem: Option<&Problem>) -> Resp {
    let collections = match office.writer.collection_list().await {
        Ok(list) => list.collections.clone(),
        Err(e) => return office.writer_failed(e),
    };
    let chosen: Vec<&str> = problem
        .map(|p| p.typed.all("collections").collect())
        .unwrap_or_default();
    let currency = &office.shop.currency;
    let body = html! {
        p { a href="/admin/catalog" { "← Catalog" } }
        h1 { "New product" }
        form.stack method="post" action="/admin/catalog/new" novalidate {
            (fields::hidden(office, problem))
            (fields::message(problem))
            (input(problem, NEW, "name", "Name", "", "text", None))
            (input(problem, NEW, "slug", "Slug", "", "text",
                Some("(its address: lower-case letters, digits and dashes)")))
            (textarea(problem, NEW, "description", "Description", "", None))
            (textarea(problem, NEW, "options", "Options", "",
                Some("(one per line, e.g. “Size: 250 g, 1 kg”; none for a single variant)")))
            (input(problem, NEW, "sku_prefix", "SKU prefix", "", "text",
                Some("(each variant's SKU is this and its values; empty: the slug)")))
            (input(problem, NEW, "price", &format!("Price ({currency})"), "", "text",
                Some("(e.g. 12.50, for every variant)")))
            (input(problem, NEW, "stock", "Stock of each variant", "0", "number", None))
            (input(problem, NEW, "weight", "Weight of one unit (grams)", "0", "number", None))
            @if !collections.is_empty() {
                fieldset {
                    legend { "Collections" }
                    @for c in &collections {
                        label {
                            input type="checkbox" name="collections" value=(c.slug)
                                checked[chosen.contains(&c.slug.as_str())];
                            " " (c.name)
                        }
                    }
                }
            }
            div.actions { button.primary type="submit" { "Create product" } }
        }
    };
    office.page(problem.map_or(200, |p| p.status), "New product", body)
}

pub async fn create(office: &Office<'_>) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let product = match new_product(&form, &office.shop.currency) {
        Ok(product) => product,
        Err(problem) => return draw(office, Some(&problem)).await,
    };
    match send(office, "/admin/catalog/products", json(&product), &key).await {
        Ok(Sent::Done { replayed, .. }) => super::done(
            office,
            &product_path(&product.slug),
            &format!("Created “{}”.", product.name),
            replayed,
        ),
        Ok(Sent::Refused { status, body }) => {
            let problem = Problem::new(NEW, form).with_refusal(status, &body, place_new);
            draw(office, Some(&problem)).await
        }
        Err(resp) => resp,
    }
}

/// The new-product form's field for a writer field.
fn place_new(field: &str) -> Option<&'static str> {
    Some(match field {
        "slug" => "slug",
        "name" => "name",
        "description" => "description",
        f if f.starts_with("options") => "options",
        f if f.starts_with("collections") => "collections",
        f if f.starts_with("variants") && f.contains(".price") => "price",
        f if f.starts_with("variants") && f.contains(".sku") => "sku_prefix",
        f if f.starts_with("variants") && f.contains(".stock") => "stock",
        f if f.starts_with("variants") && f.contains(".weight") => "weight",
        f if f.starts_with("variants") => "options",
        _ => return None,
    })
}

/// The command the form asks for, or what is wrong with it (the writer checks the rest).
fn new_product(form: &Form, currency: &str) -> Result<NewProduct, Problem> {
    let mut problem = Problem::new(NEW, form.clone());
    let text = |name: &str| form.get(name).unwrap_or_default().trim().to_string();
    let slug = text("slug");
    let options = match parse_options(form.get("options").unwrap_or_default()) {
        Ok(options) => options,
        Err(message) => {
            problem.field("options", message);
            Vec::new()
        }
    };
    let price = money_input::parse(&text("price"), currency)
        .map_err(|m| problem.field("price", m))
        .ok();
    let stock = whole(&text("stock"), 0, 1_000_000).map_err(|m| problem.field("stock", m));
    let weight =
        whole(&text("weight"), 0, MAX_WEIGHT_GRAMS).map_err(|m| problem.field("weight", m));
    let prefix = match text("sku_prefix") {
        p if p.is_empty() => slug.clone(),
        p => p,
    };
    if !prefix.is_empty() && !valid_sku(&prefix) {
        problem.field(
            "sku_prefix",
            "Use letters, digits, dashes, dots or underscores only.",
        );
    }
    let combinations = combinations(&options);
    if combinations.len() > MAX_VARIANTS {
        problem.field(
            "options",
            format!(
                "These options make {} variants; a product may have at most {MAX_VARIANTS}.",
                combinations.len()
            ),
        );
    }
    let (Some(price), Ok(stock), Ok(weight), true) = (price, stock, weight, problem.is_empty())
    else {
        return Err(problem);
    };
    let variants = combinations
        .into_iter()
        .map(|choices| NewVariant {
            sku: sku_for(&prefix, &choices),
            options: choices,
            price: price.clone(),
            stock,
            active: true,
            weight_grams: weight,
            // Set on the product's page (its variant forms), like each variant's price.
            net_grams: 0,
        })
        .collect();
    Ok(NewProduct {
        slug,
        name: text("name"),
        description: form
            .get("description")
            .unwrap_or_default()
            .trim()
            .to_string(),
        options,
        variants,
        collections: form.all("collections").map(str::to_string).collect(),
        position: None,
    })
}

/// A whole number from `min` to `max` (empty is 0).
pub fn whole(text: &str, min: i64, max: i64) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() && min <= 0 {
        return Ok(0);
    }
    text.parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("Enter a whole number from {min} to {max}."))
}

/// "Size: 250 g, 1 kg" lines as options.
fn parse_options(text: &str) -> Result<Vec<ProductOption>, String> {
    let mut options = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((name, values)) = line.split_once(':') else {
            return Err(format!(
                "Write each option as its name, a colon and its values: “{line}” has no colon."
            ));
        };
        let values: Vec<String> = values
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            return Err(format!("The option “{}” has no values.", name.trim()));
        }
        options.push(ProductOption {
            name: name.trim().to_string(),
            values,
        });
    }
    if options.len() > MAX_OPTIONS {
        return Err(format!("A product may have at most {MAX_OPTIONS} options."));
    }
    Ok(options)
}

/// Every combination of the options' values, in order (one empty one without options).
fn combinations(options: &[ProductOption]) -> Vec<Vec<OptionChoice>> {
    let mut all = vec![Vec::new()];
    for option in options {
        if all.len() * option.values.len() > MAX_VARIANTS + 1 {
            // Too many anyway: the count is what the message needs.
            return vec![Vec::new(); all.len() * option.values.len()];
        }
        all = all
            .iter()
            .flat_map(|choices: &Vec<OptionChoice>| {
                option.values.iter().map(move |value| {
                    let mut next = choices.clone();
                    next.push(OptionChoice {
                        name: option.name.clone(),
                        value: value.clone(),
                    });
                    next
                })
            })
            .collect();
    }
    all
}

/// `prefix-value-value`, each value lower-cased with anything but letters and digits as
/// a dash ("1 kg" → "1-kg"); a value with none of them by its place among the choices.
fn sku_for(prefix: &str, choices: &[OptionChoice]) -> String {
    let mut sku = prefix.to_string();
    for (i, choice) in choices.iter().enumerate() {
        let mut part = String::new();
        for c in choice.value.chars() {
            if c.is_ascii_alphanumeric() {
                part.push(c.to_ascii_lowercase());
            } else if !part.ends_with('-') && !part.is_empty() {
                part.push('-');
            }
        }
        let part = part.trim_end_matches('-');
        sku.push('-');
        if part.is_empty() {
            sku.push_str(&(i + 1).to_string());
        } else {
            sku.push_str(part);
        }
    }
    sku
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        Form::parse(body.as_bytes())
    }

    #[test]
    fn options_make_one_variant_per_combination() {
        let product = new_product(
            &form(&[
                ("slug", "house-blend"),
                ("name", "House blend"),
                ("options", "Size: 250 g, 1 kg\r\nGrind: Whole bean, Filter"),
                ("price", "12.50"),
                ("stock", "5"),
            ]),
            "EUR",
        )
        .unwrap_or_else(|p| panic!("{:?} {:?}", p.fields, p.message));
        let skus: Vec<&str> = product.variants.iter().map(|v| v.sku.as_str()).collect();
        assert_eq!(
            skus,
            [
                "house-blend-250-g-whole-bean",
                "house-blend-250-g-filter",
                "house-blend-1-kg-whole-bean",
                "house-blend-1-kg-filter"
            ]
        );
        assert!(
            product
                .variants
                .iter()
                .all(|v| v.price.amount == 1250 && v.stock == 5)
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let problem = new_product(
            &form(&[
                ("options", "Size 250 g"),
                ("price", "12.505"),
                ("stock", "x"),
            ]),
            "EUR",
        )
        .unwrap_err();
        let named: Vec<&str> = problem.fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(named, ["options", "price", "stock"]);
    }
}
