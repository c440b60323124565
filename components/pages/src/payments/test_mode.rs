//! The local test-mode provider's identifiers and events: Stripe-shaped, made without
//! any network, derived deterministically from the order number.
//!
//! Deterministic ids play the part of Stripe's idempotency keys: asking twice for an
//! order's intent, refund or event yields the same id, so a double click or a retry
//! is a duplicate the writer recognises rather than a second payment. They are HMACs
//! under the shop's key, so nobody can predict them without it. Each id kind has its
//! own message prefix, keeping these signatures apart from cookie and CSRF signatures.
//! Pure code, no spin-sdk.

use crate::security::signing::Key;
use serde_json::json;
use storefront_domain::Money;
use storefront_domain::payments::{EVENT_CHARGE_REFUNDED, EVENT_INTENT_SUCCEEDED};

/// `{prefix}` + 24 lower-case hex characters (96 bits of the HMAC).
fn derived(key: &Key, prefix: &str, message: &str) -> String {
    let tag = key.sign(format!("test-mode:{prefix}:{message}").as_bytes());
    format!("{prefix}{}", hex::encode(&tag[..12]))
}

/// `pi_test_…`: the order's one PaymentIntent.
pub fn intent_id(key: &Key, order_number: &str) -> String {
    derived(key, "pi_test_", order_number)
}

/// What the Payment Element would be given; shown, never checked.
pub fn client_secret(intent_id: &str) -> String {
    format!("{intent_id}_secret_test")
}

/// `re_test_…`: the refund of money for a cancelled order (the courier's).
pub fn refund_id(key: &Key, order_number: &str) -> String {
    derived(key, "re_test_", order_number)
}

/// `re_test_…`: refund `seq` the owner asked for.
pub fn owner_refund_id(key: &Key, order_number: &str, seq: i64) -> String {
    derived(key, "re_test_", &format!("{order_number}:{seq}"))
}

fn charge_id(key: &Key, order_number: &str) -> String {
    derived(key, "ch_test_", order_number)
}

/// `evt_test_…`: one event per (type, intent), so replaying it is a duplicate.
fn event_id(key: &Key, event_type: &str, intent_id: &str) -> String {
    derived(key, "evt_test_", &format!("{event_type}:{intent_id}"))
}

/// A `payment_intent.succeeded` event for the whole `amount`, as Stripe would send it.
pub fn succeeded_event(
    key: &Key,
    order_number: &str,
    intent_id: &str,
    amount: &Money,
    created: i64,
) -> String {
    json!({
        "id": event_id(key, EVENT_INTENT_SUCCEEDED, intent_id),
        "object": "event",
        "type": EVENT_INTENT_SUCCEEDED,
        "created": created,
        "livemode": false,
        "data": {"object": {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount.amount,
            "currency": amount.currency.to_ascii_lowercase(),
            "status": "succeeded",
            "metadata": {"order_number": order_number},
        }},
    })
    .to_string()
}

/// A `charge.refunded` event refunding all of `amount`.
pub fn refunded_event(
    key: &Key,
    order_number: &str,
    intent_id: &str,
    amount: &Money,
    created: i64,
) -> String {
    let id = event_id(key, EVENT_CHARGE_REFUNDED, intent_id);
    refund_event(
        &id,
        key,
        order_number,
        intent_id,
        amount,
        amount.amount,
        created,
    )
}

/// The `charge.refunded` event after refund `seq` the owner asked for: like Stripe's, it
/// carries what was refunded in all (`refunded_total`) of the `charged` amount.
pub fn owner_refund_event(
    key: &Key,
    order_number: &str,
    intent_id: &str,
    charged: &Money,
    refunded_total: i64,
    seq: i64,
    created: i64,
) -> String {
    let id = event_id(key, EVENT_CHARGE_REFUNDED, &format!("{intent_id}:{seq}"));
    refund_event(
        &id,
        key,
        order_number,
        intent_id,
        charged,
        refunded_total,
        created,
    )
}

fn refund_event(
    id: &str,
    key: &Key,
    order_number: &str,
    intent_id: &str,
    amount: &Money,
    refunded_total: i64,
    created: i64,
) -> String {
    json!({
        "id": id,
        "object": "event",
        "type": EVENT_CHARGE_REFUNDED,
        "created": created,
        "livemode": false,
        "data": {"object": {
            "id": charge_id(key, order_number),
            "object": "charge",
            "payment_intent": intent_id,
            "amount": amount.amount,
            "amount_refunded": refunded_total,
            "currency": amount.currency.to_ascii_lowercase(),
            "refunded": refunded_total >= amount.amount,
            "metadata": {"order_number": order_number},
        }},
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payments::event;

    fn key() -> Key {
        Key::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    fn hex_tail(id: &str, prefix: &str) -> bool {
        let tail = id.strip_prefix(prefix).unwrap();
        tail.len() == 24
            && tail
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    #[test]
    fn ids_are_deterministic_per_order_and_key() {
        let id = intent_id(&key(), "SF-1");
        assert!(hex_tail(&id, "pi_test_"), "{id}");
        assert_eq!(id, intent_id(&key(), "SF-1"));
        assert_ne!(id, intent_id(&key(), "SF-2"));
        let other = Key::new("ffffffffffffffffffffffffffffffff").unwrap();
        assert_ne!(id, intent_id(&other, "SF-1"));
        assert_eq!(client_secret(&id), format!("{id}_secret_test"));
        let refund = refund_id(&key(), "SF-1");
        assert!(hex_tail(&refund, "re_test_"), "{refund}");
        // Different kinds never share the hex part.
        assert_ne!(id["pi_test_".len()..], refund["re_test_".len()..]);
    }

    #[test]
    fn succeeded_event_reads_back_as_the_intent_s_payment() {
        let intent = intent_id(&key(), "SF-1");
        let body = succeeded_event(
            &key(),
            "SF-1",
            &intent,
            &Money::new(2500, "EUR"),
            1_700_000_000,
        );
        let raw: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(raw["object"], "event");
        assert_eq!(raw["data"]["object"]["currency"], "eur");
        assert_eq!(raw["data"]["object"]["status"], "succeeded");
        assert!(hex_tail(raw["id"].as_str().unwrap(), "evt_test_"));
        let e = event::parse(body.as_bytes(), "test").unwrap();
        assert_eq!(e.event_type, "payment_intent.succeeded");
        assert_eq!(e.intent_id.as_deref(), Some(intent.as_str()));
        assert_eq!(e.order_number.as_deref(), Some("SF-1"));
        assert_eq!((e.amount, e.currency.as_deref()), (Some(2500), Some("EUR")));
        assert!(!e.livemode);
        // The same payment twice is the same event.
        let again = succeeded_event(
            &key(),
            "SF-1",
            &intent,
            &Money::new(2500, "EUR"),
            1_700_000_999,
        );
        assert_eq!(
            event::parse(again.as_bytes(), "test").unwrap().event_id,
            e.event_id
        );
    }

    #[test]
    fn refunded_event_names_the_intent_and_full_amount() {
        let intent = intent_id(&key(), "SF-1");
        let body = refunded_event(
            &key(),
            "SF-1",
            &intent,
            &Money::new(2500, "EUR"),
            1_700_000_000,
        );
        let raw: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(raw["data"]["object"]["refunded"], true);
        assert_eq!(raw["data"]["object"]["object"], "charge");
        let e = event::parse(body.as_bytes(), "test").unwrap();
        assert_eq!(e.event_type, "charge.refunded");
        assert_eq!(e.intent_id.as_deref(), Some(intent.as_str()));
        assert_eq!(e.amount, Some(2500));
        let paid = succeeded_event(
            &key(),
            "SF-1",
            &intent,
            &Money::new(2500, "EUR"),
            1_700_000_000,
        );
        assert_ne!(
            event::parse(paid.as_bytes(), "test").unwrap().event_id,
            e.event_id
        );
    }
}
