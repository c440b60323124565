//! A product's images on its page: upload (`POST …/products/{slug}/images`, a
//! `multipart/form-data` form read with `multer`), alt text and order (`POST
//! …/images/{id}`), remove (`POST …/images/{id}/remove`, its button on the thumbnail).
//! Alt text is required on upload and on a change; images stored without one are flagged. The file is passed to the
//! writer as it came; the writer decides by its bytes whether it is an image.

use super::fields::{self, input};
use super::product::draw;
use super::{KEY_FIELD, Problem, Sent, idempotency_key, json, posted, product_path, send};
use crate::http::Resp;
use crate::http::forms::Form;
use crate::office::{Office, owner_session};
use maud::{Markup, html};
use multer::bytes::Bytes;
use multer::{Constraints, Multipart, SizeLimit};
use storefront_domain::Product;
use storefront_domain::catalog::{ImageChange, MAX_ALT, MAX_IMAGE_BYTES};
use storefront_domain::catalog_positions::{Position, Positions};

/// The upload form's id and its file field.
const UPLOAD: &str = "upload";
const FILE: &str = "image";
/// Largest text part of the upload form (the CSRF token, key and alt text).
const MAX_TEXT_PART: u64 = 4 * 1024;

/// The images section of a product page.
pub fn section(
    office: &Office<'_>,
    product: &Product,
    positions: &[Position],
    problem: Option<&Problem>,
) -> Markup {
    let base = product_path(&product.slug);
    let upload = Problem::about(problem, UPLOAD);
    html! {
        section aria-labelledby="images-heading" {
            h2 #images-heading { "Images" }
            @if product.images.is_empty() { p.muted { "No images yet." } }
            @let missing = product.images.iter().filter(|i| i.alt.trim().is_empty()).count();
            @if missing > 0 {
                p.flash.warning role="status" {
                    (missing) @if missing == 1 { " image has" } @else { " images have" }
                    " no alt text: describe what each shows, for people who cannot see it."
                }
            }
            div.forms.image-cards {
                @for image in &product.images {
                    @let id = format!("image-{}", image.id);
                    @let position = Positions::of(positions, &image.id.to_string())
                        .map(|p| p.to_string())
                        .unwrap_or_default();
                    @let p = Problem::about(problem, &id);
                    @let no_alt = image.alt.trim().is_empty();
                    div.image-card #(id) {
                        div.thumb-frame {
                            img.thumb src=(format!("/images/{}", image.hash)) alt=(image.alt)
                                width=(image.width) height=(image.height);
                            form.remove-on-thumb method="post" action=(format!("{base}/images/{}/remove", image.id)) {
                                (fields::hidden(office, None))
                                button type="submit" { "Remove image " (image.id) }
                            }
                        }
                        @if no_alt { p.field-error.no-alt { "No alt text yet: add one below." } }
                        form.stack method="post" action=(format!("{base}/images/{}", image.id))
                            novalidate aria-label=(format!("Image {}", image.id)) {
                            (fields::hidden(office, p))
                            (fields::message(p))
                            (input(p, &id, "alt", "Alt text", &image.alt, "text",
                                Some("Required: what the picture shows, for people who cannot see it.")))
                            (input(p, &id, "position", "Position", &position, "number",
                                Some("Lower comes first; the first is the main picture.")))
                            div { button type="submit" { "Save image " (image.id) } }
                        }
                    }
                }
            }
            @if !product.archived {
                h3 { "Add an image" }
                form.stack method="post" action=(format!("{base}/images"))
                    enctype="multipart/form-data" novalidate {
                    (fields::hidden(office, upload))
                    (fields::message(upload))
                    (fields::file(upload, UPLOAD, FILE, "Image file", "image/png,image/jpeg,image/webp",
                        Some(&format!("PNG, JPEG or WebP, at most {} kB.", MAX_IMAGE_BYTES / 1000))))
                    (input(upload, UPLOAD, "alt", "Alt text", "", "text",
                        Some("Required: what the picture shows, for people who cannot see it.")))
                    div { button.primary type="submit" { "Upload image" } }
                }
            }
        }
    }
}

/// What is wrong with an image's alt text, if anything: it is required, and short.
fn alt_problem(alt: &str) -> Option<String> {
    if alt.is_empty() {
        Some("Describe what the picture shows, for people who cannot see it.".into())
    } else if alt.chars().count() > MAX_ALT {
        Some(format!("Use at most {MAX_ALT} characters."))
    } else {
        None
    }
}

/// The upload form's parts: its text fields (as a form) and the file's bytes.
struct Upload {
    form: Form,
    file: Vec<u8>,
}

async fn read_upload(office: &Office<'_>) -> Result<Upload, String> {
    let content_type = office.req.header("content-type").unwrap_or_default();
    let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
    let body = Bytes::from(office.req.body.clone());
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let limits = SizeLimit::new()
        .per_field(MAX_TEXT_PART)
        .for_field(FILE, MAX_IMAGE_BYTES as u64 + 1);
    let constraints = Constraints::new()
        .allowed_fields(vec![owner_session::CSRF_FIELD, KEY_FIELD, "alt", FILE])
        .size_limit(limits);
    let mut multipart = Multipart::with_constraints(stream, boundary, constraints);
    let mut text = form_urlencoded::Serializer::new(String::new());
    let mut file = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == FILE {
            file = field.bytes().await.map_err(|e| e.to_string())?.to_vec();
        } else {
            let value = field.text().await.map_err(|e| e.to_string())?;
            text.append_pair(&name, &value);
        }
    }
    Ok(Upload {
        form: Form::parse(text.finish().as_bytes()),
        file,
    })
}

/// `POST …/products/{slug}/images`.
pub async fn upload(office: &Office<'_>, slug: &str) -> Resp {
    let upload = match read_upload(office).await {
        Ok(upload) => upload,
        Err(e) => {
            eprintln!("back office: unreadable upload form: {e}");
            return office.error(
                400,
                "Bad request",
                "The back office could not read the upload form. Nothing was changed.",
            );
        }
    };
    let form = match office.checked(upload.form) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let key = match idempotency_key(office, form.get(KEY_FIELD)) {
        Ok(key) => key,
        Err(resp) => return resp,
    };
    let alt = form.get("alt").unwrap_or_default().trim().to_string();
    let mut problem = Problem::new(UPLOAD, form.clone());
    if upload.file.is_empty() {
        problem.field(FILE, "Choose an image file.");
    } else if upload.file.len() > MAX_IMAGE_BYTES {
        problem.status = 413;
        problem.field(
            FILE,
            format!("This file is larger than {} kB.", MAX_IMAGE_BYTES / 1000),
        );
    }
    if let Some(message) = alt_problem(&alt) {
        problem.field("alt", message);
    }
    if !problem.is_empty() {
        return draw(office, slug, Some(&problem)).await;
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("alt", &alt)
        .finish();
    let path = format!("/admin/catalog/products/{slug}/images?{query}");
    match send(office, &path, Some(upload.file), &key).await {
        Ok(Sent::Done { replayed, .. }) => {
            super::done(office, &product_path(slug), "Image added.", replayed)
        }
        Ok(Sent::Refused { status, body }) => {
            let problem = problem.with_refusal(status, &body, |f| match f {
                "alt" => Some("alt"),
                _ => Some(FILE),
            });
            draw(office, slug, Some(&problem)).await
        }
        Err(resp) => resp,
    }
}

/// `POST …/images/{id}`: alt text and position.
pub async fn update(office: &Office<'_>, slug: &str, id: &str) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let mut problem = Problem::new(&format!("image-{id}"), form.clone());
    let position = super::optional_position(form.get("position"), &mut problem);
    let alt = form.get("alt").unwrap_or_default().trim().to_string();
    if let Some(message) = alt_problem(&alt) {
        problem.field("alt", message);
    }
    if !problem.is_empty() {
        return draw(office, slug, Some(&problem)).await;
    }
    let change = ImageChange {
        alt: Some(alt),
        position,
    };
    let path = format!("/admin/catalog/products/{slug}/images/{id}");
    match send(office, &path, json(&change), &key).await {
        Ok(Sent::Done { replayed, .. }) => {
            super::done(office, &product_path(slug), "Image saved.", replayed)
        }
        Ok(Sent::Refused { status, body }) => {
            let problem = problem.with_refusal(status, &body, |f| match f {
                "alt" => Some("alt"),
                "position" => Some("position"),
                _ => None,
            });
            draw(office, slug, Some(&problem)).await
        }
        Err(resp) => resp,
    }
}

/// `POST …/images/{id}/remove`.
pub async fn remove(office: &Office<'_>, slug: &str, id: &str) -> Resp {
    let (_, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let path = format!("/admin/catalog/products/{slug}/images/{id}/remove");
    match send(office, &path, None, &key).await {
        Ok(Sent::Done { replayed, .. }) => {
            super::done(office, &product_path(slug), "Image removed.", replayed)
        }
        Ok(Sent::Refused { body, .. }) => {
            office.error(409, "That did not work", &body.error.message)
        }
        Err(resp) => resp,
    }
}
