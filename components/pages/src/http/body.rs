//! How much of a request body is read: the caps per kind of path (shop forms and the
//! JSON API, the provider's events, image uploads), and why each is what it is. The route
//! table names the cap of every route ([`crate::routes`]).

use storefront_domain::catalog::MAX_IMAGE_BYTES;

/// Largest request body read from shoppers and the owner; larger ones get 413 without being
/// read to the end.
pub const MAX_BODY: usize = 64 * 1024;
/// Largest payment-provider event read at `/webhooks/stripe`. The provider's events can
/// be large (an object with long metadata), and one refused for its size would be
/// retried for days and never recorded. The pages forward the raw event as a JSON
/// string with its parsed fields; escaping at most doubles it (quotes and backslashes),
/// and the fields are a few KiB, so an event of this size always fits the 1 MiB the
/// writer (and the host in front of it) accepts: whatever the pages take, the writer
/// records.
pub const MAX_EVENT_BODY: usize = 500 * 1024;

/// Largest body at an image upload path: an image, plus room for the back office's
/// `multipart/form-data` wrapping (part headers, the CSRF token, key and alt text).
/// The writer still refuses an image over [`MAX_IMAGE_BYTES`].
pub const MAX_IMAGE_UPLOAD: usize = MAX_IMAGE_BYTES + 16 * 1024;
