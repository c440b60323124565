//! JSON responses and the error type every handler returns; errors always have the domain's
//! `{"error": {"code", "message", "fields"?}}` shape.

use serde::Serialize;
use spin_sdk::http::Response;
use storefront_domain::{ErrorBody, FieldError};

pub const JSON: &str = "application/json";

/// `value` as JSON text (a recorded command's answer).
pub fn json_string<T: Serialize>(value: &T) -> Result<String, ApiError> {
    Ok(serde_json::to_string(value).map_err(anyhow::Error::from)?)
}

/// A JSON response with `status`.
pub fn json<T: Serialize>(status: u16, value: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_string(value).map_err(anyhow::Error::from)?;
    Ok(json_text(status, body))
}

/// A response whose body is already JSON text (e.g. a stored idempotent result).
pub fn json_text(status: u16, body: String) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", JSON)
        .body(body)
        .build()
}

/// Marks a successful read whose answer depends only on the request's method, path, query
/// and `Authorization` and on the committed database: the host that owns the database
/// may answer the same request again without running the writer until the database next
/// changes (the project's host does, `src/app/answer_cache.rs`; real Spin ignores the header).
pub fn until_write(result: Result<Response, ApiError>) -> Result<Response, ApiError> {
    result.map(|mut response| {
        if *response.status() == 200 {
            response.set_header("storefront-cache", "until-write");
        }
        response
    })
}

/// As [`until_write`] for a read whose answer depends only on the catalog tables
/// (products, variants, options, images, collections, search, counts, shop settings; the
/// host's list is `src/database/scopes.rs`): the host keeps it across writes that change
/// none of them (a payment event, an outbox delivery).
pub fn catalog_only(result: Result<Response, ApiError>) -> Result<Response, ApiError> {
    result.map(|mut response| {
        if *response.status() == 200 {
            response.set_header("storefront-cache", "catalog");
        }
        response
    })
}

/// A refused or failed request, answered as a JSON error.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub body: ErrorBody,
    headers: Vec<(&'static str, String)>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody::new(code, message),
            headers: Vec::new(),
        }
    }

    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.body = self.body.with_fields(fields);
        self
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// A `429`'s wait: the `Retry-After` header, and `retry_after` in the body for callers
    /// that pass the body on.
    pub fn retry_after(mut self, seconds: i64) -> Self {
        self.body.error.retry_after = Some(seconds);
        self.with_header("retry-after", seconds.to_string())
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(404, "not_found", message)
    }

    /// 422 `invalid_request` listing every bad field.
    pub fn invalid(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] => format!("{} {}", one.field, one.message),
            _ => format!("{} fields are invalid", fields.len()),
        };
        ApiError::new(422, "invalid_request", message).with_fields(fields)
    }

    /// The value of header `name` this error answers with.
    #[cfg(test)]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn into_response(self) -> Response {
        let mut builder = Response::builder();
        builder
            .status(self.status)
            .header("content-type", JSON)
            .body(self.body.to_json());
        for (name, value) in self.headers {
            builder.header(name, value);
        }
        builder.build()
    }
}

/// Anything unexpected (SQL failure, broken row) is a 500 whose details go to the log, not
/// to the caller.
impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        eprintln!("writer: internal error: {err:#}");
        ApiError::new(500, "internal", "internal error in the writer; see its log")
    }
}
