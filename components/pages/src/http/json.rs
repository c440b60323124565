//! The JSON side's shared answers: reading a JSON body, the `Idempotency-Key` rule, a
//! writer answer passed on, and the writer's failures as JSON errors (the counterpart of
//! the shop's error pages). Used by the shopper's API and the owner's.

use crate::http::{Req, Resp};
use crate::writer::WriterError;
use storefront_domain::{IDEMPOTENCY_KEY, MAX_IDEMPOTENCY_KEY_LEN};

/// 404 `not_found` with `message`.
pub fn not_found(message: &str) -> Resp {
    Resp::json_error(404, "not_found", message)
}

/// A JSON request body, or the error to answer: 400 `malformed_json` when it is not JSON,
/// 422 `invalid_request` when it is JSON of the wrong shape (a missing field, a string
/// for a number, …). `what` names the expected value in the message.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, Resp> {
    serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            Resp::json_error(
                400,
                "malformed_json",
                &format!("the body is not valid JSON: {e}"),
            )
        } else {
            Resp::json_error(
                422,
                "invalid_request",
                &format!("the body is not {what}: {e}"),
            )
        }
    })
}

/// The `Idempotency-Key` header: required, and short printable ASCII so it can be
/// forwarded to the writer as is.
/// The command's `Idempotency-Key` header, trimmed, or the 400 to answer.
pub fn idempotency_key(req: &Req) -> Result<&str, Resp> {
    let key = req
        .header(IDEMPOTENCY_KEY)
        .map(str::trim)
        .unwrap_or_default();
    if key.is_empty() {
        return Err(Resp::json_error(
            400,
            "missing_idempotency_key",
            "the Idempotency-Key header is required; send a unique value per command",
        ));
    }
    if key.len() > MAX_IDEMPOTENCY_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Resp::json_error(
            400,
            "invalid_idempotency_key",
            &format!(
                "the Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} printable ASCII characters"
            ),
        ));
    }
    Ok(key)
}

/// An owner's command or read forwarded to the writer ([`WriterClient::forward`]): its
/// status and JSON as they are, marked when the writer replayed an earlier answer.
pub fn forwarded(answer: Result<(u16, Vec<u8>, bool), WriterError>) -> Resp {
    match answer {
        Ok((status, body, replayed)) => {
            let resp = Resp::json_text(status, body);
            if replayed {
                resp.header(storefront_domain::IDEMPOTENT_REPLAYED, "true")
            } else {
                resp
            }
        }
        Err(e) => writer_failed(e),
    }
}

/// JSON counterpart of the shop's error pages.
pub fn writer_failed(e: WriterError) -> Resp {
    match e {
        WriterError::Unavailable => Resp::json_error(
            503,
            "writer_unavailable",
            "the order system is not answering; retry shortly",
        )
        .header("retry-after", "5"),
        WriterError::Damaged => Resp::json_error(
            503,
            "storage_damaged",
            "the order system's database is damaged; it takes no orders until it is repaired",
        ),
        WriterError::Broken => bad_gateway(),
        // 401/403 mean pages and writer disagree on the token: our problem, not the client's.
        WriterError::Rejected { status, body } if status == 401 || status == 403 => {
            eprintln!(
                "writer refused pages ({status}): {}; check writer_token",
                body.to_json()
            );
            bad_gateway()
        }
        // A per-client limit: the writer says when to try again (unpaid orders: once one
        // expires; discount codes: once the oldest refused guess leaves the window).
        WriterError::Rejected { status: 429, body } => {
            let wait = body.error.retry_after.unwrap_or(600);
            Resp::json(429, &body).header("retry-after", wait.to_string())
        }
        WriterError::Rejected { status, body } => Resp::json(status, &body),
    }
}

fn bad_gateway() -> Resp {
    Resp::json_error(
        502,
        "bad_gateway",
        "the order system gave an unexpected answer",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::ErrorBody;

    fn with_key(key: Option<&str>) -> Req {
        Req::with_header("idempotency-key", key)
    }

    #[test]
    fn idempotency_key_rules() {
        assert_eq!(
            idempotency_key(&with_key(Some(" abc-123 "))).unwrap(),
            "abc-123"
        );
        for bad in [None, Some(""), Some("   ")] {
            let resp = idempotency_key(&with_key(bad)).unwrap_err();
            assert_eq!(resp.status, 400);
            assert!(String::from_utf8_lossy(&resp.body).contains("missing_idempotency_key"));
        }
        let long = "k".repeat(MAX_IDEMPOTENCY_KEY_LEN + 1);
        for bad in ["a b", "é", long.as_str()] {
            assert_eq!(
                idempotency_key(&with_key(Some(bad))).unwrap_err().status,
                400
            );
        }
    }

    #[test]
    fn writer_errors_map_to_gateway_statuses() {
        let r = writer_failed(WriterError::Unavailable);
        assert_eq!(r.status, 503);
        assert_eq!(r.get_header("retry-after"), Some("5"));
        assert!(String::from_utf8_lossy(&r.body).contains("writer_unavailable"));
        assert_eq!(writer_failed(WriterError::Broken).status, 502);
        let token = WriterError::Rejected {
            status: 401,
            body: ErrorBody::new("unauthorized", "bad token"),
        };
        assert_eq!(writer_failed(token).status, 502);
        let stock = WriterError::Rejected {
            status: 409,
            body: ErrorBody::new("insufficient_stock", "only 1 left"),
        };
        let r = writer_failed(stock);
        assert_eq!(r.status, 409);
        assert_eq!(
            serde_json::from_slice::<ErrorBody>(&r.body)
                .unwrap()
                .error
                .code,
            "insufficient_stock"
        );
    }
}
