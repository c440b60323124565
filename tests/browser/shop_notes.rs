//! The shopper's note at checkout in a real browser, at phone and desktop size, with
//! scripts on and off: a note over the limit comes back at its field (the summary links
//! to it, the text is kept) and places nothing; shortened, the order is placed and its
//! page shows the note as typed, line break included.

use crate::browser_support::{Scripts, Viewport, session};
use crate::shop::{accept_terms, add_from_product_page, placed_number, type_checkout};
use crate::{Scenario, at_every_size_and_setting, shop_app as shared};
use libtest_mimic::Trial;

pub fn trials() -> Vec<Trial> {
    let scenarios: Vec<(&str, Scenario)> = vec![(
        "shopper_leaves_a_note_at_checkout",
        shopper_leaves_a_note_at_checkout,
    )];
    at_every_size_and_setting("shop_notes", scenarios)
}

fn shopper_leaves_a_note_at_checkout(viewport: Viewport, scripts: Scripts) {
    let shared = shared();
    session(
        &shared.driver,
        &shared.app.base_url,
        viewport,
        scripts,
        async |b| {
            add_from_product_page(b, "ceramic-dripper", None).await;
            b.goto("/checkout").await;
            type_checkout(b, "note.taker@example.com").await;
            accept_terms(b).await;
            let label = "Note to the shop (optional)";
            b.type_into(label, &"z".repeat(510)).await;
            b.click_button("Buy now").await;
            assert_eq!(b.path().await, "/checkout", "{}: nothing placed", b.label());
            let error = b.find("//*[@id='note-error']").await.text().await.unwrap();
            assert_eq!(
                error,
                "Your note is too long: at most 500 characters, this one has 510.",
                "{}",
                b.label()
            );
            b.find("//*[@id='error-summary']//a[@href='#note']").await;
            let kept = b.field(label).await.prop("value").await.unwrap();
            assert_eq!(kept.map(|k| k.len()), Some(510), "{}", b.label());
            b.check_page("checkout with a note too long").await;

            let note = b.field(label).await;
            note.clear().await.unwrap();
            note.send_keys("Please ring twice.\nThe bell is <broken>.")
                .await
                .unwrap();
            accept_terms(b).await;
            b.click_button("Buy now").await;
            let number = placed_number(b).await;
            b.goto(&format!("/orders/{number}")).await;
            let shown = b.find("//*[@id='order-note']").await.text().await.unwrap();
            assert_eq!(
                shown,
                "Please ring twice.\nThe bell is <broken>.",
                "{}",
                b.label()
            );
            b.check_page("an order with the shopper's note").await;
        },
    );
}
