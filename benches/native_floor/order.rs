//! `POST /api/orders` and `POST /orders` of the floor: the request parsed and checked on the
//! tokio worker, then, in the writer thread's batch, the statements a successful order runs
//! in the writer component (the clock, the idempotency lookup and the client's unpaid
//! count in one statement, each line's product, the tax rate, the shipping methods, each
//! line's stock, the order with a fresh number, its lines, its first event, the stored
//! answer), and the answer in the writer's shape. Not the writer's rules in full: discount codes, billing
//! addresses and field-by-field messages are left out, as no benchmark order uses them.

use super::group_commit::{Reply, Work};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest as _, Sha256};

/// Unpaid orders one client may hold (`max_unpaid_orders_per_client`, docs/limits.md).
const MAX_UNPAID_PER_CLIENT: i64 = 3;

#[derive(Deserialize, Serialize)]
pub struct Address {
    line1: String,
    #[serde(default)]
    line2: String,
    city: String,
    postal_code: String,
    country: String,
    #[serde(default)]
    state: String,
}

#[derive(Deserialize, Serialize)]
pub struct Line {
    slug: String,
    quantity: i64,
}

/// The order as the shopper sent it; re-serialised after trimming it is the fingerprint.
#[derive(Deserialize, Serialize)]
pub struct OrderRequest {
    email: String,
    name: String,
    address: Address,
    items: Vec<Line>,
    #[serde(default)]
    shipping_method: String,
    #[serde(default)]
    phone: String,
}

fn refuse(status: u16, code: &str, message: &str) -> Reply {
    Reply {
        status,
        body: json!({ "error": code, "message": message }).to_string(),
    }
}

/// The parsed, trimmed and checked order with its fingerprint, or the answer refusing it.
pub fn parse(body: &[u8]) -> Result<(OrderRequest, String), Reply> {
    let mut order: OrderRequest = serde_json::from_slice(body)
        .map_err(|e| refuse(400, "bad_json", &format!("the body is not an order: {e}")))?;
    for field in [
        &mut order.email,
        &mut order.name,
        &mut order.address.line1,
        &mut order.address.city,
        &mut order.address.postal_code,
        &mut order.address.country,
        &mut order.shipping_method,
    ] {
        *field = field.trim().to_string();
    }
    let a = &order.address;
    let fine = order.email.contains('@')
        && !order.name.is_empty()
        && !a.line1.is_empty()
        && !a.city.is_empty()
        && !a.postal_code.is_empty()
        && a.country.len() == 2
        && a.country.bytes().all(|b| b.is_ascii_uppercase())
        && (1..=50).contains(&order.items.len())
        && order.items.iter().all(|l| (1..=999).contains(&l.quantity));
    if !fine {
        return Err(refuse(422, "invalid", "the order is incomplete"));
    }
    let canonical = serde_json::to_vec(&order).expect("an order serialises");
    let fingerprint = hex::encode(Sha256::digest(canonical));
    Ok((order, fingerprint))
}

/// The writer-thread work of placing `order` under `key`, for `client` if named.
pub fn place(
    order: OrderRequest,
    fingerprint: String,
    key: String,
    client: Option<String>,
) -> Work {
    Box::new(move |conn| run(conn, &order, &fingerprint, &key, client.as_deref()))
}

struct Priced {
    product_id: i64,
    variant_id: i64,
    slug: String,
    name: String,
    sku: String,
    variant: String,
    unit: i64,
    quantity: i64,
    grams: i64,
}

fn money(amount: i64, currency: &str) -> serde_json::Value {
    json!({ "amount": amount, "currency": currency })
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("random bytes");
    hex::encode(buf)
}

/// `SF-XXXX-XXXX-XXXX` from Crockford's alphabet.
fn order_number() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut buf = [0u8; 12];
    getrandom::fill(&mut buf).expect("random bytes");
    let mut s = String::from("SF");
    for (i, b) in buf.iter().enumerate() {
        if i % 4 == 0 {
            s.push('-');
        }
        s.push(ALPHABET[usize::from(*b) % ALPHABET.len()] as char);
    }
    s
}

fn run(
    conn: &Connection,
    order: &OrderRequest,
    fingerprint: &str,
    key: &str,
    client: Option<&str>,
) -> rusqlite::Result<Reply> {
    let (now, stored, unpaid): (String, Option<(String, i64, String)>, i64) = conn
        .prepare_cached(
            "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), k.fingerprint, k.status, k.response, \
             o.client_key, o.number, \
             (SELECT COUNT(*) FROM orders WHERE client_key = ?2 AND state = 'pending_payment') \
             FROM (SELECT 1) LEFT JOIN idempotency_keys k ON k.key = ?1 \
             LEFT JOIN orders o ON o.id = k.order_id",
        )?
        .query_row(params![key, client], |r| {
            let fp: Option<String> = r.get(1)?;
            Ok((
                r.get(0)?,
                match fp {
                    Some(fp) => Some((fp, r.get(2)?, r.get(3)?)),
                    None => None,
                },
                r.get(6)?,
            ))
        })?;
    if let Some((stored_fingerprint, status, response)) = stored {
        return Ok(if stored_fingerprint == fingerprint {
            Reply {
                status: u16::try_from(status).unwrap_or(200),
                body: response,
            }
        } else {
            refuse(
                422,
                "idempotency_key_reused",
                "this key was used for another order",
            )
        });
    }
    if client.is_some() && unpaid >= MAX_UNPAID_PER_CLIENT {
        return Ok(refuse(
            429,
            "too_many_unpaid_orders",
            "pay or wait for your open orders",
        ));
    }
    let mut lines = Vec::with_capacity(order.items.len());
    let mut currency = String::new();
    for item in &order.items {
        let found = conn
            .prepare_cached(
                "SELECT p.id, v.id, p.slug, p.name, v.sku, v.title, v.price_amount, v.currency, \
                 v.active, v.archived_at IS NOT NULL, p.archived_at IS NOT NULL, v.stock, \
                 v.weight_grams, v.net_grams, (SELECT pi.hash FROM product_images pi WHERE \
                 pi.product_id = p.id AND pi.removed_at IS NULL ORDER BY pi.position, pi.id LIMIT 1) \
                 FROM products p LEFT JOIN variants v ON v.id = (SELECT d.id FROM variants d WHERE \
                 d.product_id = p.id AND d.active = 1 AND d.archived_at IS NULL ORDER BY \
                 d.position, d.id LIMIT 1) WHERE p.slug = ?",
            )?
            .query_row([&item.slug], |r| {
                let variant: Option<i64> = r.get(1)?;
                let gone = r.get::<_, Option<bool>>(9)?.unwrap_or(true) || r.get::<_, bool>(10)?;
                currency = r.get::<_, Option<String>>(7)?.unwrap_or_default();
                Ok(variant.filter(|_| !gone).map(|variant_id| -> rusqlite::Result<Priced> {
                    Ok(Priced {
                        product_id: r.get(0)?,
                        variant_id,
                        slug: r.get(2)?,
                        name: r.get(3)?,
                        sku: r.get(4)?,
                        variant: r.get(5)?,
                        unit: r.get(6)?,
                        quantity: item.quantity,
                        grams: r.get::<_, Option<i64>>(12)?.unwrap_or(0) * item.quantity,
                    })
                }))
            })
            .optional()?
            .flatten()
            .transpose()?;
        match found {
            Some(line) => lines.push(line),
            None => {
                return Ok(refuse(
                    422,
                    "unknown_product",
                    "that product is not for sale",
                ));
            }
        }
    }
    let (tax_mode, tax_name, rate_bp): (String, Option<String>, Option<i64>) = conn
        .prepare_cached(
            "SELECT s.tax_mode, t.name, t.rate_bp FROM shop_settings s LEFT JOIN tax_rates t ON \
             t.country = CASE WHEN ?1 = '' THEN s.home_country ELSE ?1 END WHERE s.id = 1",
        )?
        .query_row([&order.address.country], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    let mut methods = conn.prepare_cached(
        "SELECT m.code, m.name, m.kind, m.amount, m.threshold_amount, m.per_kg_amount, m.active \
         FROM shipping_zone_countries c JOIN shipping_methods m ON m.zone_id = c.zone_id \
         WHERE c.country = ? AND m.active = 1 ORDER BY m.position, m.id",
    )?;
    let methods: Vec<(String, String, String, i64, Option<i64>, i64)> = methods
        .query_map([&order.address.country], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let Some((code, method_name, kind, base, threshold, per_kg)) = methods
        .into_iter()
        .find(|m| order.shipping_method.is_empty() || m.0 == order.shipping_method)
    else {
        return Ok(refuse(422, "no_shipping", "we do not ship there yet"));
    };
    let subtotal: i64 = lines.iter().map(|l| l.unit * l.quantity).sum();
    let grams: i64 = lines.iter().map(|l| l.grams).sum();
    let shipping = match kind.as_str() {
        "free_above" if threshold.is_some_and(|t| subtotal >= t) => 0,
        "per_kg" => base + per_kg * ((grams + 999) / 1000),
        _ => base,
    };
    let rate = rate_bp.unwrap_or(0);
    let taxable = subtotal + shipping;
    let (tax, total) = if tax_mode == "inclusive" {
        (taxable * rate / (10_000 + rate), taxable)
    } else {
        let tax = taxable * rate / 10_000;
        (tax, taxable + tax)
    };
    for line in &lines {
        let taken: Option<i64> = conn
            .prepare_cached(
                "UPDATE variants SET stock = stock - ? WHERE id = ? AND stock >= ? RETURNING stock",
            )?
            .query_row(
                params![line.quantity, line.variant_id, line.quantity],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_none() {
            return Ok(refuse(409, "insufficient_stock", "not enough left"));
        }
    }
    let a = &order.address;
    let access_token = random_hex(16);
    let (number, order_id) = loop {
        let number = order_number();
        let id: Option<i64> = conn
            .prepare_cached(
                "INSERT INTO orders (number, state, email, name, address_line1, address_line2, \
                 address_city, address_postal_code, address_country, currency, total_amount, \
                 created_at, updated_at, client_key, subtotal_amount, discount_amount, \
                 discount_code, shipping_amount, shipping_method, shipping_name, tax_amount, \
                 tax_mode, tax_rate_bp, tax_name, discount_description, access_token, \
                 address_state, phone, billing_line1, billing_line2, billing_city, \
                 billing_postal_code, billing_state, billing_country) VALUES (?, ?, ?, ?, ?, ?, \
                 ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
                 ?) ON CONFLICT (number) DO NOTHING RETURNING id",
            )?
            .query_row(
                params![
                    number,
                    "pending_payment",
                    order.email,
                    order.name,
                    a.line1,
                    a.line2,
                    a.city,
                    a.postal_code,
                    a.country,
                    currency,
                    total,
                    now,
                    now,
                    client,
                    subtotal,
                    0,
                    None::<String>,
                    shipping,
                    code,
                    method_name,
                    tax,
                    tax_mode,
                    rate,
                    tax_name,
                    None::<String>,
                    access_token,
                    a.state,
                    order.phone,
                    None::<String>,
                    None::<String>,
                    None::<String>,
                    None::<String>,
                    None::<String>,
                    None::<String>
                ],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = id {
            break (number, id);
        }
    };
    let mut items = Vec::with_capacity(lines.len());
    for l in &lines {
        conn.prepare_cached(
            "INSERT INTO order_lines (order_id, product_id, variant_id, slug, sku, name, variant, \
             quantity, unit_amount, currency, line_amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![
            order_id, l.product_id, l.variant_id, l.slug, l.sku, l.name, l.variant, l.quantity,
            l.unit, currency, l.unit * l.quantity
        ])?;
        items.push(json!({
            "slug": l.slug, "name": l.name, "sku": l.sku, "variant": l.variant,
            "quantity": l.quantity, "unit_price": money(l.unit, &currency),
            "line_total": money(l.unit * l.quantity, &currency),
        }));
    }
    conn.prepare_cached(
        "INSERT INTO order_events (order_id, from_state, to_state, at, actor) VALUES (?, ?, ?, ?, ?)",
    )?
    .execute(params![order_id, None::<String>, "pending_payment", now, None::<String>])?;
    let body = json!({
        "number": number, "state": "pending_payment", "email": order.email, "name": order.name,
        "address": a, "items": items, "total": money(total, &currency),
        "totals": {
            "subtotal": money(subtotal, &currency), "discount": money(0, &currency),
            "shipping": money(shipping, &currency), "tax": money(tax, &currency),
            "tax_included": tax_mode == "inclusive",
            "taxes": tax_name.map(|n| vec![json!({ "name": n, "rate_bp": rate, "amount": money(tax, &currency) })]).unwrap_or_default(),
            "total": money(total, &currency),
        },
        "shipping": { "code": code, "name": method_name, "amount": money(shipping, &currency), "note": "" },
        "discount": null, "created_at": now, "updated_at": now,
        "events": [{ "state": "pending_payment", "at": now }],
        "access_token": access_token,
    })
    .to_string();
    conn.prepare_cached(
        "INSERT INTO idempotency_keys (key, fingerprint, order_id, status, response, created_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![key, fingerprint, order_id, 201, body, now])?;
    Ok(Reply { status: 201, body })
}
