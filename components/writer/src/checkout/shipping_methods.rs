//! The owner's shipping: list zones and methods, change a method's way of pricing, price,
//! threshold, price per kg, name or whether it is offered (through [`idempotency::run`]).
//! Creating zones and methods is [`crate::checkout::shipping_zones`].

use crate::catalog::rules::Checks;
use crate::checkout::setting_rules::check_amount;
use crate::checkout::{shipping, shipping_zones};
use crate::db::{Db, Mode, RowExt as _, int, opt_int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::json_string;
use crate::http::responses::{ApiError, json};
use crate::idempotency::Command;
use crate::idempotency::{self, Applied};
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::checkout::{
    ShippingKind, ShippingMethodChange, ShippingZone, ShippingZones,
};

/// `GET /admin/shipping`: every zone with its countries and methods (active or not).
pub fn list(db: &Db) -> Result<Response, ApiError> {
    let zones = db.transaction(Mode::Read, |db| -> anyhow::Result<ShippingZones> {
        let mut zones = Vec::new();
        for zone in db.rows("SELECT id, name FROM shipping_zones ORDER BY id", &[])? {
            let id = zone.int(0)?;
            let countries = db
                .rows(
                    "SELECT country FROM shipping_zone_countries WHERE zone_id = ? ORDER BY country",
                    &[int(id)],
                )?
                .iter()
                .map(|r| r.text(0))
                .collect::<anyhow::Result<_>>()?;
            let methods = db
                .rows(
                    &format!(
                        "SELECT {} FROM shipping_methods m WHERE m.zone_id = ? \
                         ORDER BY m.position, m.id",
                        shipping::COLUMNS
                    ),
                    &[int(id)],
                )?
                .iter()
                .map(shipping::of_row)
                .collect::<anyhow::Result<_>>()?;
            zones.push(ShippingZone {
                id,
                name: zone.text(1)?,
                countries,
                methods,
            });
        }
        Ok(ShippingZones { zones })
    })?;
    json(200, &zones)
}

fn no_method(code: &str) -> ApiError {
    ApiError::not_found(format!("there is no shipping method {code}"))
}

/// `POST /admin/shipping/methods/{code}` `ShippingMethodChange`: changes the given fields.
pub fn update(db: &Db, head: &Head, code: &str, body: &[u8]) -> Result<Response, ApiError> {
    let change: ShippingMethodChange = parse_json(body)?;
    if code.len() > 40 {
        return Err(no_method(code));
    }
    let mut checks = Checks::default();
    let name = change
        .name
        .as_deref()
        .map(|n| checks.text("name", n, 1, 100, false));
    for (field, value) in [
        ("amount", change.amount),
        ("threshold", change.threshold),
        ("per_kg_amount", change.per_kg_amount),
    ] {
        if let Some(v) = value {
            check_amount(&mut checks, field, v);
        }
    }
    checks.finish()?;
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        Command::new("update_shipping_method", code, json_string(&change)?),
        |db, _now| {
            let select = format!(
                "SELECT {}, m.id FROM shipping_methods m WHERE m.code = ?",
                shipping::COLUMNS
            );
            let row = db
                .row(&select, &[text(code)])?
                .ok_or_else(|| no_method(code))?;
            let before = shipping::of_row(&row)?;
            let id = row.int(7)?;
            let mut next = before.clone();
            let mut errors = Vec::new();
            if let Some(name) = &name {
                next.name = name.clone();
            }
            if let Some(amount) = change.amount {
                next.amount = amount;
            }
            if let Some(kind) = change.kind
                && kind != next.kind
            {
                next.kind = kind;
                if kind != ShippingKind::FreeAbove {
                    next.threshold = None;
                }
                if kind != ShippingKind::ByWeight {
                    next.per_kg_amount = 0;
                }
            }
            if let Some(threshold) = change.threshold {
                if next.kind == ShippingKind::FreeAbove {
                    next.threshold = Some(threshold);
                } else {
                    errors.push(FieldError::new(
                        "threshold",
                        "only a free_above method has a threshold",
                    ));
                }
            }
            if let Some(per_kg) = change.per_kg_amount {
                if next.kind == ShippingKind::ByWeight {
                    next.per_kg_amount = per_kg;
                } else if per_kg != 0 {
                    errors.push(FieldError::new(
                        "per_kg_amount",
                        "only a by_weight method has a price per kg",
                    ));
                }
            }
            if let Some(active) = change.active {
                next.active = active;
            }
            if errors.is_empty() {
                errors = shipping_zones::kind_errors(&next);
            }
            if !errors.is_empty() {
                return Err(ApiError::invalid(errors));
            }
            db.execute(
                "UPDATE shipping_methods SET kind = ?, name = ?, amount = ?, threshold_amount = ?, \
                 per_kg_amount = ?, active = ? WHERE id = ?",
                &[
                    text(shipping::kind_name(next.kind)),
                    text(&next.name),
                    int(next.amount),
                    opt_int(next.threshold),
                    int(next.per_kg_amount),
                    int(i64::from(next.active)),
                    int(id),
                ],
            )?;
            Ok(Applied {
                status: 200,
                response: json_string(&next)?,
                changes: serde_json::json!({ "before": before, "after": next }),
            })
        },
    )
}
