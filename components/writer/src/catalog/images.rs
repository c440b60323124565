//! The owner's product images: upload (checked before the database opens), change alt
//! text or position, remove. Alt text is required on upload and on a change (a picture
//! says what it shows, for people who cannot see it).

use crate::catalog::commands::{
    canonical, diff, position_or_last, product_answer, product_id, record, touch_product,
};
use crate::catalog::image_check::CheckedImage;
use crate::catalog::rules::Checks;
use crate::db::{Db, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::ApiError;
use crate::idempotency::Command;
use serde_json::json;
use spin_sdk::http::Response;
use spin_sdk::sqlite::Value;
use storefront_domain::catalog::{ImageChange, MAX_ALT};

/// `alt` and `position` from an image upload's query string.
pub struct ImageQuery {
    pub alt: String,
    pub position: Option<i64>,
}

impl ImageQuery {
    pub fn parse(query: &str) -> Result<ImageQuery, ApiError> {
        let mut checks = Checks::default();
        let mut alt = None;
        let mut position = None;
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "alt" => alt = Some(checks.text("alt", &value, 1, MAX_ALT, false)),
                "position" => match value.parse::<i64>() {
                    Ok(p) => position = Some(p),
                    Err(_) => checks.add("position", "must be a whole number"),
                },
                _ => {}
            }
        }
        // Every picture says what it shows, for people who cannot see it.
        let alt = alt.unwrap_or_else(|| {
            checks.add("alt", "is required");
            String::new()
        });
        checks.position("position", position);
        checks.finish()?;
        Ok(ImageQuery { alt, position })
    }
}

/// `POST /admin/catalog/products/{slug}/images?alt=&position=`: the bytes were checked
/// before the database was opened ([`crate::catalog::image_check`]); stored once per hash.
pub fn add(
    db: &Db,
    head: &Head,
    slug: &str,
    image: &CheckedImage,
    body: &[u8],
) -> Result<Response, ApiError> {
    let query = ImageQuery::parse(&head.query)?;
    let command = Command::new(
        "add_image",
        slug,
        format!("{} {:?} {:?}", image.hash, query.alt, query.position),
    );
    record(db, head, command, |db, now| {
        let id = product_id(db, slug)?;
        db.execute(
            "INSERT OR IGNORE INTO image_blobs (hash, content_type, width, height, bytes, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            &[
                text(&image.hash),
                text(image.content_type),
                int(i64::from(image.width)),
                int(i64::from(image.height)),
                Value::Blob(body.to_vec()),
                text(now),
            ],
        )?;
        let position = position_or_last(
            db,
            query.position,
            "SELECT max(position) FROM product_images WHERE product_id = ? AND removed_at IS NULL",
            &[int(id)],
            10,
        )?;
        let image_id = db
            .row(
                "INSERT INTO product_images (product_id, hash, alt, position, created_at) \
                 VALUES (?, ?, ?, ?, ?) RETURNING id",
                &[
                    int(id),
                    text(&image.hash),
                    text(&query.alt),
                    int(position),
                    text(now),
                ],
            )?
            .ok_or_else(|| anyhow::anyhow!("no id"))?
            .int(0)?;
        touch_product(db, id, now)?;
        let changes = json!({
            "id": image_id, "hash": image.hash, "content_type": image.content_type,
            "width": image.width, "height": image.height, "alt": query.alt, "position": position,
        });
        product_answer(db, id, 201, changes)
    })
}

/// The image `id` of the product, if shown (not removed).
pub fn image_of(db: &Db, product_id: i64, id: &str) -> Result<(i64, String, i64), ApiError> {
    let unknown = || ApiError::not_found(format!("the product has no image {id}"));
    let id: i64 = id.parse().map_err(|_| unknown())?;
    let row = db
        .row(
            "SELECT alt, position FROM product_images WHERE id = ? AND product_id = ? AND removed_at IS NULL",
            &[int(id), int(product_id)],
        )?
        .ok_or_else(unknown)?;
    Ok((id, row.text(0)?, row.int(1)?))
}

/// `POST /admin/catalog/products/{slug}/images/{id}`: alt text and position.
pub fn update(
    db: &Db,
    head: &Head,
    slug: &str,
    image: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    let request: ImageChange = parse_json(body)?;
    let mut checks = Checks::default();
    let alt = request
        .alt
        .as_ref()
        .map(|a| checks.text("alt", a, 1, MAX_ALT, false));
    checks.position("position", request.position);
    checks.finish()?;
    let target = format!("{slug}/{image}");
    let command = Command::new("update_image", &target, canonical(&request));
    record(db, head, command, |db, now| {
        let product = product_id(db, slug)?;
        let (id, old_alt, old_position) = image_of(db, product, image)?;
        let new_alt = alt.clone().unwrap_or_else(|| old_alt.clone());
        let new_position = request.position.unwrap_or(old_position);
        let mut changes = serde_json::Map::new();
        diff(&mut changes, "alt", &old_alt, &new_alt);
        diff(&mut changes, "position", old_position, new_position);
        db.execute(
            "UPDATE product_images SET alt = ?, position = ? WHERE id = ?",
            &[text(&new_alt), int(new_position), int(id)],
        )?;
        touch_product(db, product, now)?;
        product_answer(db, product, 200, changes.into())
    })
}

/// `POST /admin/catalog/products/{slug}/images/{id}/remove`: no longer shown; the row and
/// the bytes stay for the history.
pub fn remove(db: &Db, head: &Head, slug: &str, image: &str) -> Result<Response, ApiError> {
    let target = format!("{slug}/{image}");
    let command = Command::new("remove_image", &target, String::new());
    record(db, head, command, |db, now| {
        let product = product_id(db, slug)?;
        let (id, _, _) = image_of(db, product, image)?;
        db.execute(
            "UPDATE product_images SET removed_at = ? WHERE id = ?",
            &[text(now), int(id)],
        )?;
        touch_product(db, product, now)?;
        product_answer(db, product, 200, json!({"removed": id}))
    })
}
