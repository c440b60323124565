//! The owner's stock adjustments in the JSON API: restock a product or take stock away.

use crate::http::json::{idempotency_key, parse_json, writer_failed};
use crate::http::{Req, Resp};
use crate::writer::WriterClient;
use storefront_domain::IDEMPOTENT_REPLAYED;
use storefront_domain::order::valid_slug;
use storefront_domain::stock::StockAdjustmentRequest;

/// `POST /admin/products/{slug}/stock` with an `Idempotency-Key` and
/// `{"delta": 12, "reason": "delivery"}`: the shop owner restocks a product (or takes
/// stock away, never below zero). 201 with the adjustment and the new stock; a retry
/// with the same key is answered with the recorded adjustment.
pub async fn adjust_stock(writer: &WriterClient, slug: &str, req: &Req) -> Resp {
    if !valid_slug(slug) {
        return Resp::json_error(404, "not_found", "no such product");
    }
    let key = match idempotency_key(req) {
        Ok(key) => key,
        Err(resp) => return resp,
    };
    let adjustment: StockAdjustmentRequest = match parse_json(
        &req.body,
        "a stock adjustment (`{\"delta\": 12, \"reason\": \"delivery\"}`)",
    ) {
        Ok(adjustment) => adjustment,
        Err(resp) => return resp,
    };
    if let Err(fields) = adjustment.validate() {
        return Resp::json_invalid("the stock adjustment is invalid", fields);
    }
    match writer.adjust_stock(slug, &adjustment, key).await {
        Ok(answer) if answer.replayed => {
            Resp::json(answer.status, &answer.value).header(IDEMPOTENT_REPLAYED, "true")
        }
        Ok(answer) => Resp::json(answer.status, &answer.value),
        Err(e) => writer_failed(e),
    }
}
