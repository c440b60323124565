//! The dashboard's "today" comes from the per-day aggregate the writer keeps
//! (`daily_orders`, `daily_revenue`), not from reading today's orders: its figures stay
//! right as orders are placed, paid, refunded, cancelled and expire, and the audit
//! re-adds the aggregate from the orders and names a day that does not add up.

use crate::support;

use crate::support::{ADMIN_TOKEN, OWNER_PASSWORD, Owner, TestApp, decimal};
use std::time::Duration;

/// The dashboard's today as the owner sees it: orders placed, paid (or shipped), and the
/// net revenue tile's text.
fn today(owner: &Owner) -> (i64, i64, String) {
    let html = owner.page("/admin");
    let tile = |id: &str| -> String {
        let start = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no #{id}: {html}"));
        let end = html[start..].find("</li>").unwrap() + start;
        html[start..end].to_string()
    };
    let figure = |id: &str| -> i64 {
        let t = tile(id);
        let start = t.find("class=\"figure\">").unwrap() + "class=\"figure\">".len();
        let end = t[start..].find('<').unwrap() + start;
        t[start..end].trim().parse().unwrap()
    };
    (
        figure("tile-placed"),
        figure("tile-paid"),
        tile("tile-revenue"),
    )
}

/// "€12.50 EUR" as the revenue tile shows `amount` cents.
fn eur(amount: i64) -> String {
    format!("€{} <span class=\"currency\">EUR</span>", decimal(amount))
}

fn place(app: &TestApp, key: &str) -> (String, i64) {
    let placed = app.place(key, &support::order_body("french-press", 1));
    (
        placed["number"].as_str().unwrap().to_string(),
        placed["total"]["amount"].as_i64().unwrap(),
    )
}

#[test]
fn todays_figures_follow_every_order_change_and_the_audit_re_adds_them() {
    let dir = tempfile::tempdir().unwrap();
    // Orders that never reach the payment step expire after a second.
    support::set_owner_password(dir.path(), OWNER_PASSWORD);
    let mut cmd = support::up_command(dir.path());
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN)
        .args(["--checkout-ttl", "1"]);
    let app = support::spawn(cmd, dir.path()).ready();
    let owner = app.owner().sign_in();
    let shows = |placed: i64, paid: i64, revenue: i64| {
        let (p, q, tile) = today(&owner);
        p == placed && q == paid && tile.contains(&eur(revenue))
    };
    assert!(shows(0, 0, 0), "{:?}", today(&owner));

    let (kept, kept_total) = place(&app, "daily-1");
    let (refunded, refunded_total) = place(&app, "daily-2");
    let (cancelled, cancelled_total) = place(&app, "daily-3");
    let (abandoned, _) = place(&app, "daily-4");
    for n in [&kept, &refunded, &cancelled] {
        app.pay(n);
        assert_eq!(app.order_state(n), "paid");
    }
    let paid_all = kept_total + refunded_total + cancelled_total;
    assert!(shows(4, 3, paid_all), "{:?}", today(&owner));

    // A whole refund takes the order out of "paid" and its money out of the revenue.
    let r = app.admin().refund(&refunded);
    assert_eq!(r.status().as_u16(), 202, "{}", r.text().unwrap());
    assert_eq!(app.order_state(&refunded), "refunded");
    // A paid order cancelled: refunded at the provider, out of both.
    let r = app.admin().cancel(&cancelled);
    assert!(r.status().is_success(), "{}", r.text().unwrap());
    assert!(
        support::eventually(Duration::from_secs(30), || shows(4, 1, kept_total)),
        "{:?}",
        today(&owner)
    );
    // The unpaid order expires: still placed today, never paid.
    assert!(support::eventually(Duration::from_secs(30), || {
        app.order_state(&abandoned) == "cancelled"
    }));
    assert!(shows(4, 1, kept_total), "{:?}", today(&owner));
    assert!(app.stop().success());

    // The aggregate agrees with what the orders and payments add up to.
    let (ok, lines) = support::check_full(dir.path());
    assert!(ok, "{lines:?}");
    assert!(lines[0].contains("daily totals match"), "{lines:?}");
    let db = support::open_db(dir.path());
    let (placed, paid): (i64, i64) = db
        .query_row(
            "SELECT count(*), sum(state IN ('paid', 'fulfilled')) FROM orders \
             WHERE created_at >= date('now')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((placed, paid), (4, 1));

    // A day that does not add up is named, orders and money alike.
    db.execute_batch(
        "UPDATE daily_orders SET placed = placed + 1 WHERE day = date('now');
         UPDATE daily_revenue SET amount = amount + 7 WHERE day = date('now');",
    )
    .unwrap();
    drop(db);
    let (ok, lines) = support::check_full(dir.path());
    assert!(!ok);
    let text = lines.join("\n");
    assert!(
        text.contains("orders placed and 1 paid kept, but the orders say 4 and 1"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "in EUR: {} kept, but the payments say {kept_total}",
            kept_total + 7
        )),
        "{text}"
    );
}

/// The dashboard never reads today's orders: with the aggregate's row for today gone
/// (and nothing else changed), it shows nothing placed today.
#[test]
fn the_dashboard_reads_the_aggregate_not_the_orders() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    place(&app, "daily-read-1");
    assert_eq!(today(&app.owner().sign_in()).0, 1);
    assert!(app.stop().success());
    support::open_db(dir.path())
        .execute("DELETE FROM daily_orders", [])
        .unwrap();
    let app = support::start_with_admin(dir.path());
    assert_eq!(today(&app.owner().sign_in()).0, 0);
    app.stop();
}
