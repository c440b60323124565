//! The owner's shipping zones and the methods they offer: create a zone, rename it and
//! set its countries (ISO 3166-1 alpha-2, each country in one zone only, since checkout
//! finds a destination's methods through its one zone), and add a method to a zone.
//! Zones are never deleted (a zone without countries ships nowhere). Every command runs
//! through [`idempotency::run`].

use crate::catalog::rules::{Checks, conflict};
use crate::checkout::setting_rules::check_amount;
use crate::checkout::shipping;
use crate::db::{Db, RowExt as _, int, opt_int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::{ApiError, json_string};
use crate::idempotency::{self, Applied, Command};
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::checkout::{
    MAX_SHIPPING_METHODS, MAX_SHIPPING_ZONES, MAX_ZONE_COUNTRIES, ShippingKind, ShippingMethod,
    ShippingZone, ZoneInput, unknown_countries,
};

fn no_zone(id: &str) -> ApiError {
    ApiError::not_found(format!("there is no shipping zone {id}"))
}

/// The zone's name and countries checked (countries upper-cased, sorted, each known).
fn checked(input: &ZoneInput) -> Result<ZoneInput, ApiError> {
    let mut checks = Checks::default();
    let name = checks.text("name", &input.name, 1, 100, false);
    let mut countries: Vec<String> = input
        .countries
        .iter()
        .map(|c| c.trim().to_ascii_uppercase())
        .collect();
    countries.sort();
    countries.dedup();
    if let Some(problem) = unknown_countries(&countries) {
        checks.add("countries", problem);
    } else if countries.len() > MAX_ZONE_COUNTRIES {
        checks.add(
            "countries",
            format!("a zone lists at most {MAX_ZONE_COUNTRIES} countries"),
        );
    }
    checks.finish()?;
    Ok(ZoneInput { name, countries })
}

/// Refuses countries that another zone than `zone_id` already holds, naming that zone.
fn check_countries_free(db: &Db, zone_id: i64, countries: &[String]) -> Result<(), ApiError> {
    let mut taken = Vec::new();
    for country in countries {
        if let Some(row) = db.row(
            "SELECT z.name FROM shipping_zone_countries c JOIN shipping_zones z ON z.id = c.zone_id \
             WHERE c.country = ? AND c.zone_id <> ?",
            &[text(country), int(zone_id)],
        )? {
            taken.push(format!("{country} is in the zone {}", row.text(0)?));
        }
    }
    if taken.is_empty() {
        Ok(())
    } else {
        Err(conflict(
            "countries",
            format!(
                "a country ships from one zone only: {}; take it out there first",
                taken.join(", ")
            ),
        ))
    }
}

fn check_name_free(db: &Db, zone_id: i64, name: &str) -> Result<(), ApiError> {
    if db
        .row(
            "SELECT 1 FROM shipping_zones WHERE name = ? AND id <> ?",
            &[text(name), int(zone_id)],
        )?
        .is_some()
    {
        return Err(conflict(
            "name",
            format!("there is a zone named {name} already"),
        ));
    }
    Ok(())
}

fn set_countries(db: &Db, zone_id: i64, countries: &[String]) -> anyhow::Result<()> {
    db.execute(
        "DELETE FROM shipping_zone_countries WHERE zone_id = ?",
        &[int(zone_id)],
    )?;
    for country in countries {
        db.execute(
            "INSERT INTO shipping_zone_countries (country, zone_id) VALUES (?, ?)",
            &[text(country), int(zone_id)],
        )?;
    }
    Ok(())
}

fn zone_answer(zone_id: i64, zone: &ZoneInput) -> Result<String, ApiError> {
    json_string(&ShippingZone {
        id: zone_id,
        name: zone.name.clone(),
        countries: zone.countries.clone(),
        methods: Vec::new(),
    })
}

/// `POST /admin/shipping/zones` `ZoneInput`: 201 with the zone (at most
/// [`MAX_SHIPPING_ZONES`]).
pub fn create_zone(db: &Db, head: &Head, body: &[u8]) -> Result<Response, ApiError> {
    let zone = checked(&parse_json(body)?)?;
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        Command::new("create_shipping_zone", &zone.name, json_string(&zone)?),
        |db, _now| {
            check_name_free(db, 0, &zone.name)?;
            check_countries_free(db, 0, &zone.countries)?;
            let count = db
                .row("SELECT count(*) FROM shipping_zones", &[])?
                .map_or(Ok(0), |r| r.int(0))?;
            if count >= MAX_SHIPPING_ZONES {
                return Err(ApiError::new(
                    409,
                    "too_many_shipping_zones",
                    format!("a shop holds at most {MAX_SHIPPING_ZONES} shipping zones"),
                ));
            }
            let id = db
                .row(
                    "INSERT INTO shipping_zones (name) VALUES (?) RETURNING id",
                    &[text(&zone.name)],
                )?
                .ok_or_else(|| anyhow::anyhow!("INSERT … RETURNING returned no row"))?
                .int(0)?;
            set_countries(db, id, &zone.countries)?;
            Ok(Applied {
                status: 201,
                response: zone_answer(id, &zone)?,
                changes: serde_json::json!({ "after": zone }),
            })
        },
    )
}

fn zone_id(db: &Db, id: &str) -> Result<i64, ApiError> {
    let parsed: i64 = id.parse().map_err(|_| no_zone(id))?;
    db.row("SELECT id FROM shipping_zones WHERE id = ?", &[int(parsed)])?
        .ok_or_else(|| no_zone(id))?;
    Ok(parsed)
}

/// `POST /admin/shipping/zones/{id}` `ZoneInput`: renames the zone and sets its countries.
pub fn update_zone(db: &Db, head: &Head, id: &str, body: &[u8]) -> Result<Response, ApiError> {
    let zone = checked(&parse_json(body)?)?;
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        Command::new("update_shipping_zone", id, json_string(&zone)?),
        |db, _now| {
            let zone_id = zone_id(db, id)?;
            check_name_free(db, zone_id, &zone.name)?;
            check_countries_free(db, zone_id, &zone.countries)?;
            let before = db
                .rows(
                    "SELECT country FROM shipping_zone_countries WHERE zone_id = ? ORDER BY country",
                    &[int(zone_id)],
                )?
                .iter()
                .map(|r| r.text(0))
                .collect::<anyhow::Result<Vec<_>>>()?;
            db.execute(
                "UPDATE shipping_zones SET name = ? WHERE id = ?",
                &[text(&zone.name), int(zone_id)],
            )?;
            set_countries(db, zone_id, &zone.countries)?;
            Ok(Applied {
                status: 200,
                response: zone_answer(zone_id, &zone)?,
                changes: serde_json::json!({ "before": { "countries": before }, "after": zone }),
            })
        },
    )
}

/// A method's own rules: a code, a name, amounts in range, a threshold exactly when it is
/// free from one.
pub fn check_method(checks: &mut Checks, method: &ShippingMethod) {
    let code_ok = (1..=40).contains(&method.code.len())
        && method
            .code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !code_ok {
        checks.add("code", "must be 1 to 40 letters, digits, - or _");
    }
    checks.text("name", &method.name, 1, 100, false);
    check_amount(checks, "amount", method.amount);
    check_amount(checks, "per_kg_amount", method.per_kg_amount);
    match (method.kind, method.threshold) {
        (ShippingKind::FreeAbove, Some(t)) => check_amount(checks, "threshold", t),
        (ShippingKind::FreeAbove, None) => {
            checks.add("threshold", "a method free from a threshold needs one")
        }
        (_, Some(_)) => checks.add("threshold", "only a free_above method has a threshold"),
        (_, None) => {}
    }
    if method.kind != ShippingKind::ByWeight && method.per_kg_amount != 0 {
        checks.add(
            "per_kg_amount",
            "only a by_weight method has a price per kg",
        );
    }
}

/// `POST /admin/shipping/zones/{id}/methods` `ShippingMethod`: 201 with the method, offered
/// after the zone's others.
pub fn add_method(db: &Db, head: &Head, id: &str, body: &[u8]) -> Result<Response, ApiError> {
    let input: ShippingMethod = parse_json(body)?;
    let method = ShippingMethod {
        code: input.code.trim().to_ascii_lowercase(),
        name: input.name.trim().to_string(),
        ..input
    };
    let mut checks = Checks::default();
    check_method(&mut checks, &method);
    checks.finish()?;
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        Command::new("add_shipping_method", id, json_string(&method)?),
        |db, _now| {
            let zone_id = zone_id(db, id)?;
            if db
                .row(
                    "SELECT 1 FROM shipping_methods WHERE code = ?",
                    &[text(&method.code)],
                )?
                .is_some()
            {
                return Err(conflict(
                    "code",
                    format!("there is a method with the code {} already", method.code),
                ));
            }
            let count = db
                .row("SELECT count(*) FROM shipping_methods", &[])?
                .map_or(Ok(0), |r| r.int(0))?;
            if count >= MAX_SHIPPING_METHODS {
                return Err(ApiError::new(
                    409,
                    "too_many_shipping_methods",
                    format!("a shop holds at most {MAX_SHIPPING_METHODS} shipping methods"),
                ));
            }
            db.execute(
                "INSERT INTO shipping_methods (zone_id, code, name, kind, amount, \
                 threshold_amount, per_kg_amount, position, active) VALUES (?, ?, ?, ?, ?, ?, ?, \
                 (SELECT coalesce(max(position), -1) + 1 FROM shipping_methods WHERE zone_id = ?), ?)",
                &[
                    int(zone_id),
                    text(&method.code),
                    text(&method.name),
                    text(shipping::kind_name(method.kind)),
                    int(method.amount),
                    opt_int(method.threshold),
                    int(method.per_kg_amount),
                    int(zone_id),
                    int(i64::from(method.active)),
                ],
            )?;
            Ok(Applied {
                status: 201,
                response: json_string(&method)?,
                changes: serde_json::json!({ "zone": zone_id, "after": method }),
            })
        },
    )
}

/// A field error list as the API answers it (for the method change's kind rules).
pub fn kind_errors(next: &ShippingMethod) -> Vec<FieldError> {
    let mut checks = Checks::default();
    check_method(&mut checks, next);
    checks.errors
}
