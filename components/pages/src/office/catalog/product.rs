//! A product's page (`/admin/catalog/products/{slug}`) and its forms: name, description
//! and position; each variant's price, weight, net quantity and availability, its stock
//! adjustments (always with a reason) and archiving; renaming an option or one of its values; a new
//! variant; the product's collections; its images ([`super::images`]); archiving the
//! product, and restoring an archived product or variant. Archiving asks first, on a page
//! of its own (`GET …/archive`); restoring is one button, since archiving again undoes it.

use super::fields::{self, input, select, textarea};
use super::list::whole;
use super::{Problem, Sent, json, money_input, posted, product_path, send};
use crate::http::Resp;
use crate::http::forms::Form;
use crate::i18n::Lang;
use crate::office::Office;
use maud::{Markup, html};
use storefront_domain::Product;
use storefront_domain::catalog::Variant;
use storefront_domain::catalog::{
    Collection, MAX_WEIGHT_GRAMS, Membership, NewVariant, OptionChoice, OptionRename,
    ProductChange, VariantChange,
};
use storefront_domain::catalog_positions::Positions;
use storefront_domain::order::valid_slug;
use storefront_domain::product_text::ProductText;
use storefront_domain::stock::StockAdjustmentRequest;
use storefront_domain::unit_price::MAX_NET_GRAMS;

/// Largest stock change one adjustment form takes, either way.
const MAX_DELTA: i64 = 1_000_000;

pub async fn show(office: &Office<'_>, slug: &str) -> Resp {
    draw(office, slug, None).await
}

/// The product page, with `problem` shown on the form it is about.
pub async fn draw(office: &Office<'_>, slug: &str, problem: Option<&Problem>) -> Resp {
    let product = match office.writer.owner_product(slug).await {
        Ok(Some(product)) => product,
        Ok(None) => return office.not_found(),
        Err(e) => return office.writer_failed(e),
    };
    let collections = match office.writer.collection_list().await {
        Ok(list) => list.collections.clone(),
        Err(e) => return office.writer_failed(e),
    };
    let positions = match office.writer.positions(Some(slug), None).await {
        Ok(positions) => positions,
        Err(e) => return office.writer_failed(e),
    };
    // The texts in the languages besides the shop's own, for their forms.
    let mut texts = Vec::new();
    for lang in Lang::ALL.into_iter().filter(|l| *l != office.shop.language) {
        match office.writer.product_text(slug, lang).await {
            Ok(text) => texts.push((lang, text)),
            Err(e) => return office.writer_failed(e),
        }
    }
    let status = problem.map_or(200, |p| p.status);
    let body = page(office, &product, &collections, &positions, &texts, problem);
    office.page(status, &product.name, body)
}

fn page(
    office: &Office<'_>,
    product: &Product,
    collections: &[Collection],
    positions: &Positions,
    texts: &[(Lang, ProductText)],
    problem: Option<&Problem>,
) -> Markup {
    let position = positions.product.map(|p| p.to_string()).unwrap_or_default();
    let about = |form: &str| Problem::about(problem, form);
    let base = product_path(&product.slug);
    let currency = &office.shop.currency;
    let details = about("details");
    html! {
        p { a href="/admin/catalog" { "← Catalog" } }
        h1 { (product.name) }
        p {
            @if product.archived {
                span.badge.archived { "Archived" } " Shoppers no longer see this product."
            } @else {
                a href=(format!("/products/{}", product.slug)) { "See it in the shop" }
            }
        }
        section aria-labelledby="details-heading" {
            h2 #details-heading { "Details" }
            form.stack method="post" action=(base) novalidate {
                (fields::hidden(office, details))
                (fields::message(details))
                p { "Slug: " code { (product.slug) } }
                (input(details, "details", "name", "Name", &product.name, "text", None))
                (textarea(details, "details", "description", "Description",
                    &product.description, None))
                (input(details, "details", "position", "Position in the catalog", &position,
                    "number", Some("Lower comes first.")))
                div.actions { button.primary type="submit" { "Save details" } }
            }
        }
        @for (lang, text) in texts {
            (text_form(office, &base, *lang, text, about(&format!("text-{}", lang.code()))))
        }
        section aria-labelledby="variants-heading" {
            h2 #variants-heading { "Variants" }
            @if !product.options.is_empty() {
                p.muted {
                    @for (i, o) in product.options.iter().enumerate() {
                        @if i > 0 { "; " }
                        (o.name) ": " (o.values.join(", "))
                    }
                }
            }
            div.table-wrap {
                table.list {
                    thead { tr {
                        th scope="col" { "SKU" }
                        th scope="col" { "Variant" }
                        th.num scope="col" { "Price" }
                        th.num scope="col" { "Stock" }
                        th scope="col" { "Status" }
                    } }
                    tbody {
                        @for v in &product.variants {
                            tr {
                                td { code { (v.sku) } }
                                td { (v.title) }
                                td.num { (v.price) }
                                td.num { (v.stock) }
                                td {
                                    @if v.archived {
                                        span.badge.archived { "Archived" }
                                        @let form = format!("restore-{}", v.sku);
                                        @let restore = about(&form);
                                        form.inline method="post"
                                            action=(format!("{base}/variants/{}/restore", v.sku)) {
                                            (fields::hidden(office, restore))
                                            (fields::message(restore))
                                            button type="submit"
                                                aria-label=(format!("Restore the variant {}", v.sku)) {
                                                "Restore"
                                            }
                                        }
                                    }
                                    @else if v.active { "Available" }
                                    @else { "Not available" }
                                }
                            }
                        }
                    }
                }
            }
            @for v in product.variants.iter().filter(|v| !v.archived) {
                (variant_forms(office, &base, v, currency, problem))
            }
            @if !product.options.is_empty() { (rename_form(office, product, about("rename"))) }
            @if !product.archived { (new_variant(office, product, currency, about("add-variant"))) }
        }
        (membership(office, product, collections, about("join")))
        (super::images::section(office, product, &positions.images, problem))
        @if product.archived {
            section aria-labelledby="restore-heading" {
                h2 #restore-heading { "Restore" }
                p { "A restored product is back in the shop as it was: its live variants, stock, \
                     images and collections were kept." }
                @let restore = about("restore");
                form.actions method="post" action=(format!("{base}/restore")) {
                    (fields::hidden(office, restore))
                    (fields::message(restore))
                    button.primary type="submit" { "Restore this product" }
                }
            }
        } @else {
            section aria-labelledby="archive-heading" {
                h2 #archive-heading { "Archive" }
                p { "An archived product disappears from the shop; its orders keep it." }
                p { a.button href=(format!("{base}/archive")) { "Archive this product…" } }
            }
        }
    }
}

/// What the rename form may rename: `"{i}"` is option `i`, `"{i}.{j}"` its value `j`.
fn rename_choices(product: &Product) -> Vec<(String, String)> {
    let mut choices = Vec::new();
    for (i, o) in product.options.iter().enumerate() {
        choices.push((i.to_string(), format!("{} (the option)", o.name)));
        for (j, v) in o.values.iter().enumerate() {
            choices.push((format!("{i}.{j}"), format!("{}: {v}", o.name)));
        }
    }
    choices
}

/// Renames an option or one of its values (a typo, say): the variants keep their SKUs.
fn rename_form(office: &Office<'_>, product: &Product, problem: Option<&Problem>) -> Markup {
    let action = format!("{}/options", product_path(&product.slug));
    html! {
        h3 #rename-heading { "Rename an option or value" }
        form.stack method="post" action=(action) aria-labelledby="rename-heading" novalidate {
            (fields::hidden(office, problem))
            (fields::message(problem))
            (select(problem, "rename", "what", "What", &rename_choices(product), ""))
            (input(problem, "rename", "to", "New name", "", "text",
                Some("Variants keep their SKUs; past orders keep the names they were sold under.")))
            div.actions { button type="submit" { "Rename" } }
        }
    }
}

fn variant_forms(
    office: &Office<'_>,
    base: &str,
    v: &Variant,
    currency: &str,
    problem: Option<&Problem>,
) -> Markup {
    let edit_id = format!("variant-{}", v.sku);
    let stock_id = format!("stock-{}", v.sku);
    let edit = Problem::about(problem, &edit_id);
    let stock = Problem::about(problem, &stock_id);
    let path = format!("{base}/variants/{}", v.sku);
    let heading = format!("{}-heading", edit_id);
    let yes_no = [
        ("yes".to_string(), "Available".to_string()),
        ("no".to_string(), "Not available".to_string()),
    ];
    html! {
        section aria-labelledby=(heading) {
            h3 id=(heading) {
                code { (v.sku) }
                @if !v.title.is_empty() { " · " (v.title) }
            }
            div.forms {
                form.stack method="post" action=(path) novalidate {
                    (fields::hidden(office, edit))
                    (fields::message(edit))
                    (input(edit, &edit_id, "price", &format!("Price ({currency})"),
                        &money_input::typed(&v.price), "text", None))
                    (input(edit, &edit_id, "weight", "Weight (grams)", "", "number",
                        Some("Empty keeps the weight it has.")))
                    (input(edit, &edit_id, "net", "Net quantity (grams)", &v.net_grams.to_string(),
                        "number", Some(NET_HINT)))
                    (select(edit, &edit_id, "active", "Shoppers may buy it", &yes_no,
                        if v.active { "yes" } else { "no" }))
                    div { button type="submit" { "Save variant" } }
                }
                form.stack method="post" action=(format!("{path}/stock")) novalidate {
                    (fields::hidden(office, stock))
                    (fields::message(stock))
                    (input(stock, &stock_id, "delta", "Stock change", "", "number",
                        Some(&format!("Now {}; e.g. 10 for a delivery, -2 for breakage.", v.stock))))
                    (input(stock, &stock_id, "reason", "Reason", "", "text", None))
                    div { button type="submit" { "Adjust stock" } }
                }
            }
            p { a href=(format!("{path}/archive")) { "Archive " (v.sku) "…" } }
        }
    }
}

/// What a variant's net quantity is for.
const NET_HINT: &str = "What is in the pack (250 for a 250 g bag), for the price per kg shoppers see; 0 when not sold by weight.";

fn new_variant(
    office: &Office<'_>,
    product: &Product,
    currency: &str,
    problem: Option<&Problem>,
) -> Markup {
    const ID: &str = "add-variant";
    let yes_no = [
        ("yes".to_string(), "Available".to_string()),
        ("no".to_string(), "Not available".to_string()),
    ];
    html! {
        section aria-labelledby="add-variant-heading" {
            h3 #add-variant-heading { "Add a variant" }
            form.stack method="post" action=(format!("{}/variants", product_path(&product.slug)))
                novalidate {
                (fields::hidden(office, problem))
                (fields::message(problem))
                (input(problem, ID, "sku", "SKU", "", "text", None))
                @for (i, o) in product.options.iter().enumerate() {
                    (input(problem, ID, &format!("option-{i}"), &o.name, "", "text",
                        Some(&format!("One of {}, or a new value.", o.values.join(", ")))))
                }
                (input(problem, ID, "price", &format!("Price ({currency})"), "", "text", None))
                (input(problem, ID, "stock", "Stock", "0", "number", None))
                (input(problem, ID, "weight", "Weight (grams)", "0", "number", None))
                (input(problem, ID, "net", "Net quantity (grams)", "0", "number", Some(NET_HINT)))
                (select(problem, ID, "active", "Shoppers may buy it", &yes_no, "yes"))
                div { button type="submit" { "Add variant" } }
            }
        }
    }
}

fn membership(
    office: &Office<'_>,
    product: &Product,
    collections: &[Collection],
    problem: Option<&Problem>,
) -> Markup {
    let name = |slug: &str| {
        collections
            .iter()
            .find(|c| c.slug == slug)
            .map_or(slug.to_string(), |c| c.name.clone())
    };
    let others: Vec<(String, String)> = collections
        .iter()
        .filter(|c| !product.collections.contains(&c.slug))
        .map(|c| (c.slug.clone(), c.name.clone()))
        .collect();
    html! {
        section aria-labelledby="collections-heading" {
            h2 #collections-heading { "Collections" }
            @if product.collections.is_empty() { p.muted { "In no collection." } }
            ul {
                @for c in &product.collections {
                    li {
                        a href=(format!("/admin/catalog/collections/{c}")) { (name(c)) }
                        " "
                        form.inline method="post"
                            action=(format!("/admin/catalog/collections/{c}/products/{}/remove",
                                product.slug)) {
                            (fields::hidden(office, None))
                            input type="hidden" name="from" value="product";
                            button type="submit" { "Remove from " (name(c)) }
                        }
                    }
                }
            }
            @if !others.is_empty() {
                form.stack method="post"
                    action=(format!("{}/collections", product_path(&product.slug))) novalidate {
                    (fields::hidden(office, problem))
                    (fields::message(problem))
                    (select(problem, "join", "collection", "Add to collection", &others, ""))
                    div { button type="submit" { "Add to collection" } }
                }
            }
        }
    }
}

/// The product's name and description in `lang` (shown to shoppers who read the shop in
/// it; empty: they see the product's own texts).
fn text_form(
    office: &Office<'_>,
    base: &str,
    lang: Lang,
    text: &ProductText,
    problem: Option<&Problem>,
) -> Markup {
    let form = format!("text-{}", lang.code());
    let heading = format!("{form}-heading");
    let language = lang.own_name();
    html! {
        section aria-labelledby=(heading) {
            h2 id=(heading) { "Text in " (language) }
            p.muted { "Shown to shoppers who read the shop in " (language)
                "; leave the name empty to show them the texts above." }
            form.stack method="post" action=(format!("{base}/texts/{}", lang.code())) novalidate {
                (fields::hidden(office, problem))
                (fields::message(problem))
                (input(problem, &form, "name", &format!("Name ({language})"), &text.name, "text", None))
                (textarea(problem, &form, "description", &format!("Description ({language})"),
                    &text.description, None))
                div.actions { button.primary type="submit" { "Save text in " (language) } }
            }
        }
    }
}

/// `POST /admin/catalog/products/{slug}/texts/{lang}`: the name and description in `lang`.
pub async fn update_text(office: &Office<'_>, slug: &str, lang: &str) -> Resp {
    let Some(lang) = Lang::from_code(lang) else {
        return office.not_found();
    };
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let problem = Problem::new(&format!("text-{}", lang.code()), form.clone());
    let text = ProductText {
        name: form.get("name").unwrap_or_default().trim().to_string(),
        description: form
            .get("description")
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    let path = format!("/admin/catalog/products/{slug}/texts/{}", lang.code());
    answer(
        office,
        slug,
        problem,
        &path,
        json(&text),
        &key,
        "Text saved.",
        |f| {
            Some(match f {
                "name" => "name",
                "description" => "description",
                _ => return None,
            })
        },
    )
    .await
}

/// `POST /admin/catalog/products/{slug}`: name, description, position.
pub async fn update(office: &Office<'_>, slug: &str) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let mut problem = Problem::new("details", form.clone());
    let position = super::optional_position(form.get("position"), &mut problem);
    if !problem.is_empty() {
        return draw(office, slug, Some(&problem)).await;
    }
    let change = ProductChange {
        name: Some(form.get("name").unwrap_or_default().trim().to_string()),
        description: Some(
            form.get("description")
                .unwrap_or_default()
                .trim()
                .to_string(),
        ),
        position,
    };
    let path = format!("/admin/catalog/products/{slug}");
    answer(
        office,
        slug,
        problem,
        &path,
        json(&change),
        &key,
        "Details saved.",
        |f| {
            Some(match f {
                "name" => "name",
                "description" => "description",
                "position" => "position",
                _ => return None,
            })
        },
    )
    .await
}

/// `POST …/variants/{sku}`: price, weight, net quantity, availability.
pub async fn update_variant(office: &Office<'_>, slug: &str, sku: &str) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let mut problem = Problem::new(&format!("variant-{sku}"), form.clone());
    let price = money_input::parse(form.get("price").unwrap_or_default(), &office.shop.currency)
        .map_err(|m| problem.field("price", m))
        .ok();
    let weight = optional_whole(&form, "weight", 0, MAX_WEIGHT_GRAMS, &mut problem);
    let net = optional_whole(&form, "net", 0, MAX_NET_GRAMS, &mut problem);
    let active = yes_no(&form, &mut problem);
    if !problem.is_empty() {
        return draw(office, slug, Some(&problem)).await;
    }
    let change = VariantChange {
        price,
        active,
        position: None,
        weight_grams: weight,
        net_grams: net,
    };
    let path = format!("/admin/catalog/variants/{sku}");
    let text = format!("Saved {sku}.");
    answer(
        office,
        slug,
        problem,
        &path,
        json(&change),
        &key,
        &text,
        |f| {
            Some(match f {
                f if f.starts_with("price") => "price",
                "weight_grams" => "weight",
                "net_grams" => "net",
                "active" => "active",
                _ => return None,
            })
        },
    )
    .await
}

/// `POST …/options`: an option or one of its values renamed.
pub async fn rename_option(office: &Office<'_>, slug: &str) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let mut problem = Problem::new("rename", form.clone());
    let product = match office.writer.owner_product(slug).await {
        Ok(Some(product)) => product,
        Ok(None) => return office.not_found(),
        Err(e) => return office.writer_failed(e),
    };
    let what = form.get("what").unwrap_or_default();
    let mut parts = what.splitn(2, '.').map(|p| p.parse::<usize>().ok());
    let target = match (parts.next().flatten(), parts.next()) {
        (Some(i), None) => product.options.get(i).map(|o| (o.name.clone(), None)),
        (Some(i), Some(Some(j))) => product
            .options
            .get(i)
            .and_then(|o| o.values.get(j).map(|v| (o.name.clone(), Some(v.clone())))),
        _ => None,
    };
    let to = form.get("to").unwrap_or_default().trim().to_string();
    if target.is_none() {
        problem.field("what", "Choose what to rename.");
    }
    if to.is_empty() {
        problem.field("to", "Type the new name.");
    }
    let Some((option, value)) = target.filter(|_| problem.is_empty()) else {
        return draw(office, slug, Some(&problem)).await;
    };
    let rename = OptionRename { option, value, to };
    let path = format!("/admin/catalog/products/{slug}/options");
    answer(
        office,
        slug,
        problem,
        &path,
        json(&rename),
        &key,
        "Renamed.",
        |f| match f {
            "to" => Some("to"),
            "option" | "value" => Some("what"),
            _ => None,
        },
    )
    .await
}

/// `POST …/variants/{sku}/stock`: a change with its reason.
pub async fn adjust_stock(office: &Office<'_>, slug: &str, sku: &str) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let mut problem = Problem::new(&format!("stock-{sku}"), form.clone());
    let delta = whole(form.get("delta").unwrap_or_default(), -MAX_DELTA, MAX_DELTA)
        .map_err(|m| problem.field("delta", m))
        .unwrap_or_default();
    if delta == 0 && problem.is_empty() {
        problem.field("delta", "Enter how many units come in (10) or go out (-2).");
    }
    let reason = form.get("reason").unwrap_or_default().trim().to_string();
    if reason.is_empty() {
        problem.field("reason", "Say why the stock changes.");
    }
    if !problem.is_empty() {
        return draw(office, slug, Some(&problem)).await;
    }
    let body = StockAdjustmentRequest { delta, reason };
    let path = format!("/admin/catalog/variants/{sku}/stock");
    let text = format!("Stock of {sku} adjusted by {delta}.");
    answer(
        office,
        slug,
        problem,
        &path,
        json(&body),
        &key,
        &text,
        |f| {
            Some(match f {
                "delta" | "stock" => "delta",
                "reason" => "reason",
                _ => return None,
            })
        },
    )
    .await
}

/// `POST …/variants`: a new variant of the product.
pub async fn add_variant(office: &Office<'_>, slug: &str) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let product = match office.writer.owner_product(slug).await {
        Ok(Some(product)) => product,
        Ok(None) => return office.not_found(),
        Err(e) => return office.writer_failed(e),
    };
    let mut problem = Problem::new("add-variant", form.clone());
    let text = |name: &str| form.get(name).unwrap_or_default().trim().to_string();
    let price = money_input::parse(&text("price"), &office.shop.currency)
        .map_err(|m| problem.field("price", m))
        .ok();
    let stock = whole(&text("stock"), 0, MAX_DELTA).map_err(|m| problem.field("stock", m));
    let weight =
        whole(&text("weight"), 0, MAX_WEIGHT_GRAMS).map_err(|m| problem.field("weight", m));
    let net = whole(&text("net"), 0, MAX_NET_GRAMS).map_err(|m| problem.field("net", m));
    let active = yes_no(&form, &mut problem);
    let options = product
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| OptionChoice {
            name: o.name.clone(),
            value: text(&format!("option-{i}")),
        })
        .collect();
    let (Some(price), Ok(stock), Ok(weight), Ok(net), true) =
        (price, stock, weight, net, problem.is_empty())
    else {
        return draw(office, slug, Some(&problem)).await;
    };
    let sku = text("sku");
    let variant = NewVariant {
        sku: sku.clone(),
        options,
        price,
        stock,
        active: active.unwrap_or(true),
        weight_grams: weight,
        net_grams: net,
    };
    let path = format!("/admin/catalog/products/{slug}/variants");
    let done = format!("Added {sku}.");
    answer(
        office,
        slug,
        problem,
        &path,
        json(&variant),
        &key,
        &done,
        |f| {
            let option = f
                .strip_prefix("options[")
                .and_then(|rest| rest.split(']').next())
                .and_then(|i| i.parse::<usize>().ok());
            Some(match (f, option) {
                (_, Some(i)) => OPTION_FIELDS.get(i)?,
                ("sku", _) => "sku",
                (f, _) if f.starts_with("price") => "price",
                ("stock", _) => "stock",
                ("weight_grams", _) => "weight",
                ("net_grams", _) => "net",
                ("options", _) => "option-0",
                _ => return None,
            })
        },
    )
    .await
}

/// The add-variant form's option fields, by option index.
const OPTION_FIELDS: [&str; storefront_domain::catalog::MAX_OPTIONS] =
    ["option-0", "option-1", "option-2"];

/// `POST …/collections`: put the product in a collection (at its end).
pub async fn join_collection(office: &Office<'_>, slug: &str) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let mut problem = Problem::new("join", form.clone());
    let collection = form.get("collection").unwrap_or_default().to_string();
    if !valid_slug(&collection) {
        problem.field("collection", "Choose a collection.");
        return draw(office, slug, Some(&problem)).await;
    }
    let body = Membership {
        product: slug.to_string(),
        position: None,
    };
    let path = format!("/admin/catalog/collections/{collection}/products");
    answer(
        office,
        slug,
        problem,
        &path,
        json(&body),
        &key,
        "Added to the collection.",
        |_| Some("collection"),
    )
    .await
}

/// `GET …/archive` or `GET …/variants/{sku}/archive`: are you sure?
pub async fn confirm_archive(office: &Office<'_>, slug: &str, sku: Option<&str>) -> Resp {
    confirm(office, slug, sku, None, 200).await
}

async fn confirm(
    office: &Office<'_>,
    slug: &str,
    sku: Option<&str>,
    refused: Option<&str>,
    status: u16,
) -> Resp {
    let product = match office.writer.owner_product(slug).await {
        Ok(Some(product)) => product,
        Ok(None) => return office.not_found(),
        Err(e) => return office.writer_failed(e),
    };
    let base = product_path(slug);
    let (what, action) = match sku {
        Some(sku) => {
            if !product.variants.iter().any(|v| v.sku == sku) {
                return office.not_found();
            }
            (
                format!("the variant {sku} of {}", product.name),
                format!("{base}/variants/{sku}/archive"),
            )
        }
        None => (product.name.clone(), format!("{base}/archive")),
    };
    let title = format!("Archive {what}?");
    let body = html! {
        p { a href=(base) { "← " (product.name) } }
        h1 { (title) }
        @if let Some(refused) = refused { p.field-error role="alert" { (refused) } }
        p {
            "Shoppers will no longer see or buy it. Orders that have it keep it. \
             You can restore it later from the product's page."
        }
        form.actions method="post" action=(action) {
            (fields::hidden(office, None))
            button.danger type="submit" { "Archive" }
            a.button href=(base) { "Cancel" }
        }
    };
    office.page(status, &title, body)
}

/// `POST …/archive`.
pub async fn archive(office: &Office<'_>, slug: &str) -> Resp {
    archive_any(office, slug, None).await
}

/// `POST …/variants/{sku}/archive`.
pub async fn archive_variant(office: &Office<'_>, slug: &str, sku: &str) -> Resp {
    archive_any(office, slug, Some(sku)).await
}

async fn archive_any(office: &Office<'_>, slug: &str, sku: Option<&str>) -> Resp {
    let (_, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let path = match sku {
        Some(sku) => format!("/admin/catalog/variants/{sku}/archive"),
        None => format!("/admin/catalog/products/{slug}/archive"),
    };
    match send(office, &path, None, &key).await {
        Ok(Sent::Done { replayed, .. }) => {
            let text = match sku {
                Some(sku) => format!("Archived the variant {sku}."),
                None => "Archived the product.".to_string(),
            };
            super::done(office, &product_path(slug), &text, replayed)
        }
        Ok(Sent::Refused { status, body }) => {
            confirm(office, slug, sku, Some(&body.error.message), status).await
        }
        Err(resp) => resp,
    }
}

/// `POST …/restore`: the archived product back in the shop.
pub async fn restore(office: &Office<'_>, slug: &str) -> Resp {
    restore_any(office, slug, None).await
}

/// `POST …/variants/{sku}/restore`: the archived variant on sale again.
pub async fn restore_variant(office: &Office<'_>, slug: &str, sku: &str) -> Resp {
    restore_any(office, slug, Some(sku)).await
}

/// A refusal (no live variant, the same options as a live one) comes back on the
/// restore form it was sent from.
async fn restore_any(office: &Office<'_>, slug: &str, sku: Option<&str>) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let (problem, path, done) = match sku {
        Some(sku) => (
            Problem::new(&format!("restore-{sku}"), form),
            format!("/admin/catalog/variants/{sku}/restore"),
            format!("Restored the variant {sku}."),
        ),
        None => (
            Problem::new("restore", form),
            format!("/admin/catalog/products/{slug}/restore"),
            "Restored the product: shoppers see it again.".to_string(),
        ),
    };
    answer(office, slug, problem, &path, None, &key, &done, |_| None).await
}

/// Sends a command from the product page: back to the page with `done`, or the page
/// again with the writer's refusal on the form (its fields placed by `place`).
#[allow(clippy::too_many_arguments)]
async fn answer(
    office: &Office<'_>,
    slug: &str,
    problem: Problem,
    path: &str,
    body: Option<Vec<u8>>,
    key: &str,
    done: &str,
    place: impl Fn(&str) -> Option<&'static str>,
) -> Resp {
    match send(office, path, body, key).await {
        Ok(Sent::Done { replayed, .. }) => super::done(office, &product_path(slug), done, replayed),
        Ok(Sent::Refused { status, body }) => {
            let problem = problem.with_refusal(status, &body, place);
            draw(office, slug, Some(&problem)).await
        }
        Err(resp) => resp,
    }
}

/// An optional whole number field: `None` when empty.
fn optional_whole(
    form: &Form,
    name: &str,
    min: i64,
    max: i64,
    problem: &mut Problem,
) -> Option<i64> {
    let text = form.get(name).unwrap_or_default().trim();
    if text.is_empty() {
        return None;
    }
    whole(text, min, max)
        .map_err(|m| problem.field(name, m))
        .ok()
}

/// The `active` select: `yes` or `no`.
fn yes_no(form: &Form, problem: &mut Problem) -> Option<bool> {
    match form.get("active") {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => {
            problem.field("active", "Choose whether shoppers may buy it.");
            None
        }
    }
}
