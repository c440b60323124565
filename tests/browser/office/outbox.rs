//! The outbox's pages in the back office: the local mailbox shows the confirmation of
//! an order placed in the shop, and an endpoint is added with the webhooks form.

use super::{Scenario, in_browser, shared, sign_in};
use crate::browser_support::{Scripts, Viewport};

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![(
        "owner_reads_mail_and_adds_a_webhook",
        owner_reads_mail_and_adds_a_webhook,
    )]
}

fn owner_reads_mail_and_adds_a_webhook(viewport: Viewport, scripts: Scripts) {
    let app = &shared().app;
    let key = format!("browser-mail-{viewport}-{scripts}");
    let r = app.post_order(Some(&key), &crate::support::order_body("french-press", 1));
    assert_eq!(r.status(), 201);
    let number = r.json::<serde_json::Value>().unwrap()["number"]
        .as_str()
        .unwrap()
        .to_string();
    in_browser(viewport, scripts, async |browser| {
        sign_in(browser).await;
        let mut found = false;
        for _ in 0..60 {
            browser.goto("/admin/mail").await;
            if browser.text().await.contains(&number) {
                found = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        assert!(found, "{}: no mail for {number}", browser.label());
        assert_eq!(browser.heading().await, "Mail");
        browser.check_page("the mailbox").await;

        browser.goto("/admin/webhooks").await;
        browser.check_page("the webhooks page").await;
        let url = format!("https://hooks.example/{viewport}-{scripts}");
        browser.type_into("Endpoint URL", &url).await;
        let all = browser
            .find("//main//label[normalize-space()='All events']/input")
            .await;
        all.click().await.unwrap();
        browser.click_button("Add endpoint").await;
        assert!(
            browser
                .text()
                .await
                .contains(&format!("Endpoint {url} added.")),
            "{}",
            browser.label()
        );
        browser
            .check_page("the webhooks page with an endpoint")
            .await;
    });
}
