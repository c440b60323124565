//! Reading a provider event (Stripe's event JSON, already signature-checked) into the
//! [`PaymentEvent`] the writer applies.
//!
//! Which PaymentIntent and amount an event is about depends on its object: intent events
//! carry the intent itself (`data.object.id`, `amount`); `charge.refunded` carries the
//! charge, which names its intent (`payment_intent`) and the refunded total
//! (`amount_refunded`). Other event types are forwarded with whatever they name, for the
//! writer to store and ignore. Pure code, no spin-sdk.

use serde_json::{Map, Value};
use storefront_domain::payments::{EVENT_CHARGE_REFUNDED, PaymentEvent};

/// Parses `raw` (the body exactly as received, kept as the event's payload). The error
/// says what is missing, for the 400 answer and the log.
pub fn parse(raw: &[u8], provider: &str) -> Result<PaymentEvent, String> {
    let payload = std::str::from_utf8(raw).map_err(|_| "the body is not UTF-8".to_string())?;
    let root: Value =
        serde_json::from_str(payload).map_err(|e| format!("the body is not JSON: {e}"))?;
    let root = root.as_object().ok_or("the event is not a JSON object")?;
    let event_id = text(root, "id").ok_or("the event has no id")?;
    let event_type = text(root, "type").ok_or("the event has no type")?;
    let created = root
        .get("created")
        .and_then(Value::as_i64)
        .ok_or("the event has no created time")?;
    let livemode = root
        .get("livemode")
        .and_then(Value::as_bool)
        .ok_or("the event has no livemode flag")?;
    let object = root
        .get("data")
        .and_then(|d| d.get("object"))
        .and_then(Value::as_object)
        .ok_or("the event has no data.object")?;

    let what = |field: &str| format!("a {event_type} event without data.object.{field}");
    let (intent_id, amount) = if event_type.starts_with("payment_intent.") {
        (
            Some(text(object, "id").ok_or_else(|| what("id"))?),
            Some(integer(object, "amount").ok_or_else(|| what("amount"))?),
        )
    } else if event_type == EVENT_CHARGE_REFUNDED {
        (
            intent_of_charge(object),
            Some(integer(object, "amount_refunded").ok_or_else(|| what("amount_refunded"))?),
        )
    } else if event_type.starts_with("charge.") {
        (intent_of_charge(object), integer(object, "amount"))
    } else {
        (None, None)
    };
    let currency = text(object, "currency").map(|c| c.to_ascii_uppercase());
    if amount.is_some() && currency.is_none() {
        return Err(what("currency"));
    }
    let order_number = object
        .get("metadata")
        .and_then(Value::as_object)
        .and_then(|m| text(m, "order_number"));

    Ok(PaymentEvent {
        provider: provider.to_string(),
        event_id,
        event_type,
        created,
        livemode,
        intent_id,
        order_number,
        amount,
        currency,
        payload: payload.to_string(),
    })
}

/// A non-empty string field.
fn text(object: &Map<String, Value>, field: &str) -> Option<String> {
    object
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn integer(object: &Map<String, Value>, field: &str) -> Option<i64> {
    object.get(field).and_then(Value::as_i64)
}

/// A charge's `payment_intent`: an id, or the intent itself when the sender expanded it.
/// `None` for a charge made without an intent (the writer records it as unmatched).
fn intent_of_charge(charge: &Map<String, Value>) -> Option<String> {
    match charge.get("payment_intent")? {
        Value::Object(intent) => text(intent, "id"),
        Value::String(id) if !id.is_empty() => Some(id.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_value(v: &Value) -> Result<PaymentEvent, String> {
        parse(v.to_string().as_bytes(), "stripe")
    }

    fn succeeded() -> Value {
        json!({
            "id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
            "created": 1_700_000_000, "livemode": true,
            "data": {"object": {
                "id": "pi_123", "object": "payment_intent", "amount": 2500,
                "currency": "eur", "status": "succeeded",
                "metadata": {"order_number": "SF-1"}
            }}
        })
    }

    #[test]
    fn intent_events_name_the_intent_itself() {
        let raw = succeeded().to_string();
        let e = parse(raw.as_bytes(), "stripe").unwrap();
        assert_eq!(
            e,
            PaymentEvent {
                provider: "stripe".into(),
                event_id: "evt_1".into(),
                event_type: "payment_intent.succeeded".into(),
                created: 1_700_000_000,
                livemode: true,
                intent_id: Some("pi_123".into()),
                order_number: Some("SF-1".into()),
                amount: Some(2500),
                currency: Some("EUR".into()),
                payload: raw,
            }
        );
        let mut failed = succeeded();
        failed["type"] = json!("payment_intent.payment_failed");
        failed["data"]["object"]["metadata"] = json!({});
        let e = parse_value(&failed).unwrap();
        assert_eq!(e.intent_id.as_deref(), Some("pi_123"));
        assert_eq!(e.order_number, None);
    }

    #[test]
    fn refunds_name_the_charge_s_intent_and_refunded_amount() {
        let refunded = json!({
            "id": "evt_2", "object": "event", "type": "charge.refunded",
            "created": 1_700_000_100, "livemode": false,
            "data": {"object": {
                "id": "ch_1", "object": "charge", "payment_intent": "pi_123",
                "amount": 2500, "amount_refunded": 1000, "currency": "usd",
                "refunded": false, "metadata": {"order_number": "SF-1"}
            }}
        });
        let e = parse(refunded.to_string().as_bytes(), "test").unwrap();
        assert_eq!(e.provider, "test");
        assert_eq!(e.intent_id.as_deref(), Some("pi_123"));
        assert_eq!(e.amount, Some(1000));
        assert_eq!(e.currency.as_deref(), Some("USD"));
        assert!(!e.livemode);

        // Expanded intent, or none at all.
        let mut expanded = refunded.clone();
        expanded["data"]["object"]["payment_intent"] = json!({"id": "pi_9"});
        assert_eq!(
            parse_value(&expanded).unwrap().intent_id.as_deref(),
            Some("pi_9")
        );
        let mut bare = refunded.clone();
        bare["data"]["object"]["payment_intent"] = Value::Null;
        assert_eq!(parse_value(&bare).unwrap().intent_id, None);
    }

    #[test]
    fn other_events_are_forwarded_with_what_they_name() {
        let other = json!({
            "id": "evt_3", "type": "customer.created", "created": 1, "livemode": false,
            "data": {"object": {"id": "cus_1", "object": "customer"}}
        });
        let e = parse_value(&other).unwrap();
        assert_eq!(e.event_type, "customer.created");
        assert_eq!((e.intent_id, e.amount, e.currency), (None, None, None));
        let charge = json!({
            "id": "evt_4", "type": "charge.succeeded", "created": 1, "livemode": false,
            "data": {"object": {"id": "ch_1", "payment_intent": "pi_1", "amount": 5, "currency": "eur"}}
        });
        let e = parse_value(&charge).unwrap();
        assert_eq!((e.intent_id.as_deref(), e.amount), (Some("pi_1"), Some(5)));
    }

    #[test]
    fn incomplete_events_are_refused() {
        assert!(parse(b"not json", "stripe").is_err());
        assert!(parse(b"[1,2]", "stripe").is_err());
        assert!(parse(&[0xff, 0xfe], "stripe").is_err());
        type Breaker = fn(&mut Value);
        let breakers: [(&str, Breaker); 8] = [
            ("no id", |v| v["id"] = json!("")),
            ("no type", |v| {
                v.as_object_mut().unwrap().remove("type");
            }),
            ("created as text", |v| v["created"] = json!("yesterday")),
            ("no livemode", |v| {
                v.as_object_mut().unwrap().remove("livemode");
            }),
            ("no object", |v| v["data"] = json!({})),
            ("no intent id", |v| {
                v["data"]["object"].as_object_mut().unwrap().remove("id");
            }),
            ("amount as text", |v| {
                v["data"]["object"]["amount"] = json!("25.00")
            }),
            ("no currency", |v| {
                v["data"]["object"]
                    .as_object_mut()
                    .unwrap()
                    .remove("currency");
            }),
        ];
        for (why, break_it) in breakers {
            let mut v = succeeded();
            break_it(&mut v);
            assert!(parse_value(&v).is_err(), "{why}");
        }
        let mut refund = succeeded();
        refund["type"] = json!("charge.refunded");
        assert!(
            parse_value(&refund)
                .unwrap_err()
                .contains("amount_refunded"),
            "a refund must say how much"
        );
    }

    #[test]
    fn the_payload_is_the_body_byte_for_byte() {
        // Whitespace and key order as sent: the audit keeps what the provider signed.
        let raw = "{ \"livemode\":false, \"id\":\"evt_5\",\"type\":\"ping\",\"created\":7,\"data\":{\"object\":{}} }";
        assert_eq!(parse(raw.as_bytes(), "stripe").unwrap().payload, raw);
    }
}
