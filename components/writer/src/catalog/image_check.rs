//! What counts as an image upload: JPEG, PNG or WebP by its magic bytes (the name and
//! Content-Type are ignored), at most `MAX_IMAGE_BYTES`, and fully decodable within
//! `image::Limits` (sides up to `MAX_IMAGE_SIDE`, at most `MAX_IMAGE_DECODE_BYTES` of
//! pixels). Run on the body before the database is opened, so a hostile upload costs no
//! database time and a forged "image" is never stored, let alone re-served.

use crate::http::responses::ApiError;
use image::{ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use storefront_domain::FieldError;
use storefront_domain::catalog::{MAX_IMAGE_BYTES, MAX_IMAGE_SIDE};

/// Most memory a decode may allocate (a 4000 × 4000 RGBA image).
pub const MAX_IMAGE_DECODE_BYTES: u64 = 64 * 1024 * 1024;

/// An upload that decoded as a real image.
pub struct CheckedImage {
    /// Hex SHA-256 of the bytes: the image's address.
    pub hash: String,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// 413 `image_too_large`: the answer for an upload over [`MAX_IMAGE_BYTES`].
pub fn too_large() -> ApiError {
    ApiError::new(
        413,
        "image_too_large",
        format!("an image upload is limited to {MAX_IMAGE_BYTES} bytes"),
    )
}

fn unsupported(message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::new(415, "unsupported_image", message.clone())
        .with_fields(vec![FieldError::new("image", message)])
}

pub fn check(bytes: &[u8]) -> Result<CheckedImage, ApiError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(too_large());
    }
    let format = image::guess_format(bytes)
        .map_err(|_| unsupported("the body is not a JPEG, PNG or WebP image"))?;
    let content_type = match format {
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Png => "image/png",
        ImageFormat::WebP => "image/webp",
        other => {
            return Err(unsupported(format!(
                "{other:?} images are not accepted; upload JPEG, PNG or WebP"
            )));
        }
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ApiError::invalid(vec![FieldError::new(
            "image",
            format!(
                "is too large to accept: at most {MAX_IMAGE_SIDE} pixels a side and \
                 {MAX_IMAGE_DECODE_BYTES} bytes decoded"
            ),
        )]),
        other => unsupported(format!("the {content_type} image does not decode: {other}")),
    })?;
    Ok(CheckedImage {
        hash: hex::encode(Sha256::digest(bytes)),
        content_type,
        width: decoded.width(),
        height: decoded.height(),
    })
}
