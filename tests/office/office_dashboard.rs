//! The back office's dashboard, export and settings, through the real components and a
//! real SQLite file: the dashboard's figures match the orders placed and paid, the CSV
//! export holds every order of the range (streamed page by page, past the old 5,000 cap) and no
//! spreadsheet runs what it holds, settings changed in the
//! office show in the shop, a discount code created there works at checkout, and a new
//! password ends the old sessions.

use crate::support;

use crate::support::fake_stripe::FakeStripe;
use crate::support::{
    OWNER_PASSWORD, Owner, TestApp, browser_like_client, hidden_field, location, office_csrf,
};
use serde_json::{Value, json};
use std::path::Path;

/// Pays `number` with the test-mode provider, as a shopper would.
fn pay(app: &TestApp, number: &str) {
    app.pay(number);
    assert_eq!(app.order(number)["state"], "paid");
}

/// "€12.50" for 1250 EUR, as the pages show money.
fn euros(amount: i64) -> String {
    format!("€{}.{:02}", amount / 100, amount % 100)
}

/// The text of the element with `id` (up to its first closing tag).
fn element<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let end = html[start..].find("</li>").unwrap_or(html.len() - start) + start;
    &html[start..end]
}

fn reconcile_offline(dir: &Path, fake: &FakeStripe) {
    let (ok, report) = support::reconcile(dir, |cmd| {
        fake.configure(cmd);
    });
    assert!(!ok, "the unknown intent is a mismatch: {report}");
}

#[test]
fn the_dashboard_shows_today_what_waits_and_the_last_reconciliation() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();

    let paid = app.place("dash-1", &support::order_body("french-press", 1));
    let unpaid = app.place("dash-2", &support::order_body("french-press", 2));
    let paid_number = paid["number"].as_str().unwrap();
    let unpaid_number = unpaid["number"].as_str().unwrap();
    pay(&app, paid_number);
    // The press runs low: 3 left.
    let product: Value = support::client()
        .get(app.url("/api/products/french-press"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let sku = product["variants"][0]["sku"].as_str().unwrap().to_string();
    let stock = product["variants"][0]["stock"].as_i64().unwrap();
    let resp = app.admin().send(
        reqwest::Method::POST,
        &format!("/admin/catalog/variants/{sku}/stock"),
        Some("dash-stock"),
        Some(&json!({"delta": 3 - stock, "reason": "counted the shelf"})),
    );
    assert_eq!(resp.status().as_u16(), 201, "{}", resp.text().unwrap());

    let html = owner.page("/admin");
    assert!(element(&html, "tile-placed").contains(">2<"), "{html}");
    assert!(element(&html, "tile-paid").contains(">1<"), "{html}");
    let total = paid["total"]["amount"].as_i64().unwrap();
    assert!(
        element(&html, "tile-revenue").contains(&euros(total)),
        "revenue is the paid order's total {}: {html}",
        euros(total)
    );
    assert!(element(&html, "tile-review").contains(">0<"), "{html}");
    assert!(html.contains(&format!("href=\"/admin/orders/{paid_number}\"")));
    assert!(
        !html.contains(unpaid_number),
        "an unpaid order is not to ship"
    );
    assert!(html.contains("Waiting to ship (1)"));
    assert!(
        html.contains(&format!("<code>{sku}</code>")),
        "low stock lists {sku}"
    );
    assert!(html.contains("class=\"audit-ok\""), "{html}");
    assert!(html.contains("No reconciliation has run yet"));
    // The dashboard is a page, not a form.
    let resp = owner.client().post(app.url("/admin")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    app.stop();

    // The ledger agrees with the figures.
    {
        let db = support::open_db(dir.path());
        let today: i64 = db
            .query_row(
                "SELECT count(*) FROM orders WHERE created_at >= date('now')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(today, 2);
        let paid_sum: i64 = db
            .query_row(
                "SELECT sum(total_amount) FROM orders WHERE state IN ('paid', 'fulfilled')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(paid_sum, total);
    }

    // A reconciliation that finds an intent for no order is recorded and shown.
    let fake = FakeStripe::start();
    let intent = fake.create_intent(999, "eur", Some("SF-ZZZZ-ZZZZ-ZZZZ"));
    fake.succeed(&intent);
    reconcile_offline(dir.path(), &fake);
    {
        let db = support::open_db(dir.path());
        let (ok, mismatches): (i64, i64) = db
            .query_row(
                "SELECT ok, mismatches FROM reconcile_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((ok, mismatches), (0, 1));
    }
    let app = support::start_with_admin(dir.path());
    let owner = app.owner().sign_in();
    let html = owner.page("/admin");
    assert!(html.contains("1 mismatches"), "{html}");
    app.stop();
}

/// The export's header row.
const EXPORT_COLUMNS: [&str; 25] = [
    "number",
    "placed_at",
    "state",
    "email",
    "name",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "units",
    "items",
    "currency",
    "subtotal",
    "discount",
    "discount_code",
    "shipping",
    "shipping_method",
    "tax",
    "tax_mode",
    "total",
    "refunded",
    "tracking_carrier",
    "tracking_number",
    "note",
];
/// The columns holding numbers (units and amounts).
const EXPORT_NUMBERS: [&str; 7] = [
    "units", "subtotal", "discount", "shipping", "tax", "total", "refunded",
];

/// What a spreadsheet may read as the start of a formula, and what it may split a cell on
/// when it guesses the separator (German Excel: `;`).
const FORMULA_START: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];
const SPLITS: [char; 6] = [',', ';', '\t', '|', '\n', '\r'];

/// The export for today, as bytes.
fn export_today(owner: &Owner, app: &TestApp) -> Vec<u8> {
    let today = support::utc_day(0);
    let resp = owner
        .client()
        .get(app.url(&format!("/admin/export/orders.csv?from={today}&to={today}")))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = resp.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    resp.bytes().unwrap().to_vec()
}

#[test]
fn the_export_is_inert_in_a_spreadsheet_whatever_it_splits_on() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let mut body = support::order_body("french-press", 1);
    body["name"] = json!("Zed;=1+1;Zed");
    body["address"]["line1"] = json!("a,=HYPERLINK(\"https://evil.example\",\"x\")");
    body["address"]["line2"] = json!("Hof | -2+3");
    let evil = app.place("export-1", &body);
    let mut body = support::order_body("french-press", 1);
    body["name"] = json!("Jürgen Müßig");
    body["address"]["line1"] = json!("@SUM(A1) Straße 5");
    body["address"]["city"] = json!("Köln");
    let umlauts = app.place("export-2", &body);
    let plain = app.place("export-3", &support::order_body("french-press", 2));
    // The shop refuses control characters in what a shopper types; a tab already stored
    // (an older row, a restored backup) is neutralised all the same.
    assert!(app.stop().success());
    let conn = support::open_db(dir.path());
    conn.execute(
        "UPDATE orders SET address_city = 'Ort\t=1+1' WHERE number = ?",
        [evil["number"].as_str().unwrap()],
    )
    .unwrap();
    drop(conn);
    let app = support::start_with_admin(dir.path());
    let owner = app.owner().sign_in();

    let form = owner.page("/admin/export");
    assert!(form.contains("action=\"/admin/export/orders.csv\""));
    let bytes = export_today(&owner, &app);
    let text = bytes
        .strip_prefix("\u{FEFF}".as_bytes())
        .expect("a UTF-8 byte order mark, so Excel reads umlauts");
    let text = std::str::from_utf8(text).unwrap();
    let records: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .collect::<Result<_, _>>()
        .unwrap();
    // Every field is quoted: the file is exactly its fields, each in quotes.
    let requoted: String = records
        .iter()
        .map(|r| {
            let fields: Vec<String> = r
                .iter()
                .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
                .collect();
            fields.join(",") + "\n"
        })
        .collect();
    assert_eq!(requoted, text);
    assert_eq!(records[0], csv::StringRecord::from(EXPORT_COLUMNS.to_vec()));
    assert_eq!(records.len(), 4, "{text}");

    let rows: Vec<std::collections::HashMap<&str, &str>> = records[1..]
        .iter()
        .map(|r| EXPORT_COLUMNS.iter().copied().zip(r.iter()).collect())
        .collect();
    for row in &rows {
        for (column, field) in row {
            if EXPORT_NUMBERS.contains(column) {
                let digits = field.replacen('.', "", 1);
                assert!(
                    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
                    "{column}: {field:?} is a plain number"
                );
                continue;
            }
            for piece in field.split(SPLITS) {
                let first = piece.trim_start_matches([' ', '"']).chars().next();
                assert!(
                    !first.is_some_and(|c| FORMULA_START.contains(&c)),
                    "{column}: {field:?} has a piece {piece:?} a spreadsheet would run"
                );
            }
        }
    }
    let [evil_row, umlaut_row, plain_row] = &rows[..] else {
        panic!("{rows:?}")
    };
    assert_eq!(evil_row["number"], evil["number"].as_str().unwrap());
    assert_eq!(evil_row["name"], "Zed;'=1+1;Zed");
    assert_eq!(
        evil_row["address_line1"],
        "a,'=HYPERLINK(\"https://evil.example\",\"x\")"
    );
    assert_eq!(evil_row["address_line2"], "Hof | '-2+3");
    assert_eq!(evil_row["city"], "Ort\t'=1+1");
    assert_eq!(umlaut_row["number"], umlauts["number"].as_str().unwrap());
    assert_eq!(umlaut_row["name"], "Jürgen Müßig");
    assert_eq!(umlaut_row["address_line1"], "'@SUM(A1) Straße 5");
    assert_eq!(umlaut_row["city"], "Köln");
    assert_eq!(plain_row["number"], plain["number"].as_str().unwrap());
    assert_eq!(plain_row["state"], "pending_payment");
    assert_eq!(plain_row["units"], "2");
    assert_eq!(plain_row["currency"], "EUR");
    let total = plain["total"]["amount"].as_i64().unwrap();
    assert_eq!(plain_row["total"], support::decimal(total));

    // Another day holds nothing; bad ranges are a form with the errors, not a file.
    let resp = owner
        .client()
        .get(app.url("/admin/export/orders.csv?from=2020-01-01&to=2020-01-31"))
        .send()
        .unwrap();
    assert_eq!(resp.text().unwrap().lines().count(), 1);
    for (query, field) in [
        ("from=2026-13-01&to=2026-12-01", "from"),
        ("from=2026-02-01&to=2026-02-30", "to"),
        ("from=2026-05-02&to=2026-05-01", "to"),
        ("from=&to=", "from"),
    ] {
        let resp = owner
            .client()
            .get(app.url(&format!("/admin/export/orders.csv?{query}")))
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 422, "{query}");
        assert!(support::content_type(&resp).starts_with("text/html"));
        let html = resp.text().unwrap();
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{query}: {html}"
        );
    }
    app.stop();
}

/// The back office with the export reading `page_rows` orders per writer page (the
/// `export_page_rows` variable); the owner's password is set by the caller.
fn start_exporting(dir: &Path, page_rows: &str) -> TestApp {
    let mut cmd = support::up_command(dir);
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", support::ADMIN_TOKEN)
        .env("SPIN_VARIABLE_EXPORT_PAGE_ROWS", page_rows);
    support::spawn(cmd, dir).ready()
}

/// The rows of the export for today (header row first), checked to be a whole file: it
/// does not end with the line a failed stream leaves.
fn export_records(owner: &Owner, app: &TestApp) -> Vec<csv::StringRecord> {
    let bytes = export_today(owner, app);
    let text = std::str::from_utf8(bytes.strip_prefix("\u{FEFF}".as_bytes()).unwrap()).unwrap();
    assert!(
        !text.contains("# export incomplete") && text.ends_with('\n'),
        "{}",
        &text[text.len().saturating_sub(300)..]
    );
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Copies the order `number` `copies` times straight into the file (only while no app
/// runs): the same day and instant, each its own number `<number>-<i>` and a larger id, so
/// a range can hold many orders, and orders of one instant, without placing each.
fn copy_order(dir: &Path, number: &str, copies: u32) {
    let conn = support::open_db(dir);
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('orders')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let copied: Vec<String> = columns
        .iter()
        .map(|c| match c.as_str() {
            "id" => "NULL".to_string(),
            "number" | "access_token" => format!("o.{c} || '-' || n.i"),
            _ => format!("o.{c}"),
        })
        .collect();
    let inserted = conn
        .execute(
            &format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2) \
                 INSERT INTO orders ({}) SELECT {} FROM orders o, n WHERE o.number = ?1 \
                 ORDER BY n.i",
                columns.join(", "),
                copied.join(", ")
            ),
            rusqlite::params![number, copies],
        )
        .unwrap();
    assert_eq!(inserted, copies as usize);
}

#[test]
fn the_export_streams_a_range_across_writer_pages_without_gaps_or_repeats() {
    let dir = tempfile::tempdir().unwrap();
    support::set_owner_password(dir.path(), OWNER_PASSWORD);
    let app = start_exporting(dir.path(), "2");
    let first = app.place("export-page-1", &support::order_body("french-press", 1));
    let second = app.place("export-page-2", &support::order_body("french-press", 2));
    assert!(app.stop().success());
    // Three more orders of the second's instant: the first page of two ends inside that
    // instant, so the next pages must go on by order id, neither repeating nor skipping.
    let second = second["number"].as_str().unwrap();
    copy_order(dir.path(), second, 3);
    let app = start_exporting(dir.path(), "2");
    let owner = app.owner().sign_in();

    let records = export_records(&owner, &app);
    assert_eq!(records[0], csv::StringRecord::from(EXPORT_COLUMNS.to_vec()));
    let exported: Vec<&str> = records[1..].iter().map(|r| &r[0]).collect();
    let expected = [
        first["number"].as_str().unwrap().to_string(),
        second.to_string(),
        format!("{second}-1"),
        format!("{second}-2"),
        format!("{second}-3"),
    ];
    assert_eq!(exported, expected, "every order once, oldest first");
    assert_eq!(&records[2][10], "2", "each row whole: units");
    app.stop();
}

#[test]
fn a_range_past_the_old_five_thousand_order_cap_is_exported_whole() {
    let dir = tempfile::tempdir().unwrap();
    support::set_owner_password(dir.path(), OWNER_PASSWORD);
    let app = start_exporting(dir.path(), "500");
    let first = app.place("export-many", &support::order_body("french-press", 1));
    assert!(app.stop().success());
    let first = first["number"].as_str().unwrap();
    copy_order(dir.path(), first, 5000);
    let app = start_exporting(dir.path(), "500");
    let owner = app.owner().sign_in();

    let records = export_records(&owner, &app);
    assert_eq!(records.len(), 1 + 5001);
    let exported: Vec<&str> = records[1..].iter().map(|r| &r[0]).collect();
    let expected: Vec<String> = std::iter::once(first.to_string())
        .chain((1..=5000).map(|i| format!("{first}-{i}")))
        .collect();
    assert_eq!(exported, expected, "every order once, oldest first");
    app.stop();
}

#[test]
fn settings_change_through_the_office_once_and_a_bad_form_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();

    // Shop settings: a bad form writes nothing and keeps what was typed.
    let html = owner.page("/admin/settings");
    let csrf = office_csrf(&html);
    let key = hidden_field(&html, "idempotency_key");
    let mut fields: Vec<(String, String)> = [
        "tagline",
        "home_country",
        "contact_email",
        "contact_address",
        "legal.terms",
        "legal.privacy",
        "legal.returns",
        "legal.imprint",
    ]
    .iter()
    .map(|name| (name.to_string(), current_value(&html, name)))
    .collect();
    fields.push(("csrf".into(), csrf.clone()));
    fields.push(("idempotency_key".into(), key.clone()));
    fields.push(("tax_mode".into(), "inclusive".into()));
    let with_name = |name: &str| {
        let mut f = fields.clone();
        f.push(("name".into(), name.into()));
        f
    };
    let resp = owner
        .client()
        .post(app.url("/admin/settings"))
        .form(&with_name("   "))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    let bad = resp.text().unwrap();
    assert!(
        bad.contains("id=\"name\"") && bad.contains("aria-describedby=\"name-error\""),
        "{bad}"
    );
    let mut forged = with_name("Forged");
    forged.retain(|(n, _)| n != "csrf");
    forged.push(("csrf".into(), "forged".into()));
    let resp = owner
        .client()
        .post(app.url("/admin/settings"))
        .form(&forged)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    assert!(!app.page("/").contains("Forged"));

    for _ in 0..2 {
        // The second is a double-click: a replay, applied once.
        let resp = owner
            .client()
            .post(app.url("/admin/settings"))
            .form(&with_name("Kaffee Büro"))
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 303);
        assert_eq!(location(&resp), "/admin/settings");
    }
    assert!(app.page("/").contains("Kaffee Büro"));

    app.stop();

    let db = support::open_db(dir.path());
    let updates: i64 = db
        .query_row(
            "SELECT count(*) FROM catalog_history WHERE command = 'update_settings' AND actor = 'owner'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(updates, 1, "one change, however often the form was sent");
    let name: String = db
        .query_row("SELECT name FROM shop_settings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Kaffee Büro");
}

#[test]
fn a_discount_code_created_in_the_office_takes_money_off_until_deactivated() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();

    // A discount code created here takes money off at checkout.
    let html = owner.page("/admin/settings/discounts");
    let csrf = office_csrf(&html);
    let key = hidden_field(&html, "idempotency_key");
    let discount = |value: &str, key: &str| {
        owner
            .client()
            .post(app.url("/admin/settings/discounts"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("idempotency_key", key),
                ("code", "office15"),
                ("kind", "fixed"),
                ("value", value),
                ("min_subtotal", ""),
            ])
            .send()
            .unwrap()
    };
    for bad in ["12.505", "-1", "abc", ""] {
        let resp = discount(bad, &key);
        assert_eq!(resp.status().as_u16(), 422, "{bad}");
        let html = resp.text().unwrap();
        assert!(html.contains("id=\"value-error\""), "{bad}: {html}");
        assert!(html.contains("value=\"OFFICE15\"") || html.contains("value=\"office15\""));
    }
    for _ in 0..2 {
        let resp = discount("15.00", &key);
        assert_eq!(resp.status().as_u16(), 303);
    }
    let list = owner.page("/admin/settings/discounts");
    assert!(list.contains("<code>OFFICE15</code>"), "{list}");
    let mut body = support::order_body("french-press", 1);
    body["discount_code"] = json!("office15");
    let placed = app.place("disc-1", &body.clone());
    assert_eq!(placed["totals"]["discount"]["amount"], 1500, "{placed}");

    // Deactivated, it no longer applies.
    let deactivate_key = list
        .split("action=\"/admin/settings/discounts/OFFICE15/deactivate\"")
        .nth(1)
        .map(|form| hidden_field(form, "idempotency_key"))
        .expect("a deactivate form");
    let resp = owner
        .client()
        .post(app.url("/admin/settings/discounts/OFFICE15/deactivate"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("idempotency_key", &deactivate_key),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert!(
        owner
            .page("/admin/settings/discounts")
            .contains("deactivated")
    );
    let resp = app.post_order(Some("disc-2"), &body);
    assert_eq!(resp.status().as_u16(), 422, "{}", resp.text().unwrap());

    app.stop();

    let db = support::open_db(dir.path());
    let codes: i64 = db
        .query_row(
            "SELECT count(*) FROM discount_codes WHERE code = 'OFFICE15' AND active = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(codes, 1);
}

#[test]
fn a_shipping_price_changes_through_the_office_typed_strictly_as_a_decimal() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();

    let csrf = office_csrf(&owner.page("/admin/settings/shipping"));
    // Shipping: a price typed as a decimal, strictly.
    let html = owner.page("/admin/settings/shipping");
    let action = html
        .split("action=\"/admin/settings/shipping/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a shipping method form")
        .to_string();
    let change = |amount: &str| {
        owner
            .client()
            .post(app.url(&format!("/admin/settings/shipping/{action}")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("idempotency_key", common_key(amount).as_str()),
                ("amount", amount),
                ("active", "1"),
            ])
            .send()
            .unwrap()
    };
    let resp = change("4.999");
    assert_eq!(resp.status().as_u16(), 422);
    assert!(resp.text().unwrap().contains("value=\"4.999\""));
    assert_eq!(change("7.25").status().as_u16(), 303);
    assert!(
        owner
            .page("/admin/settings/shipping")
            .contains("value=\"7.25\"")
    );
    app.stop();
}

fn common_key(seed: &str) -> String {
    format!("shipkey{}", seed.replace('.', "x"))
}

/// The value of input or textarea `name` in a form page.
fn current_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no {name}"));
    let tag_start = html[..at].rfind('<').unwrap();
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    if html[tag_start..].starts_with("<textarea") {
        let open_end = html[at..].find('>').unwrap() + at + 1;
        let close = html[open_end..].find("</textarea>").unwrap() + open_end;
        unescape(&html[open_end..close])
    } else if html[tag_start..].starts_with("<select") {
        let close = html[at..].find("</select>").unwrap() + at;
        let selected = html[at..close]
            .find(" selected")
            .expect("a selected option")
            + at;
        let opt = html[..selected].rfind("value=\"").unwrap() + 7;
        let end = html[opt..].find('"').unwrap() + opt;
        html[opt..end].to_string()
    } else {
        let v = html[at..].find("value=\"").unwrap() + at + 7;
        let end = html[v..].find('"').unwrap() + v;
        unescape(&html[v..end])
    }
}

#[test]
fn a_new_password_ends_the_old_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let other = app.owner().sign_in();
    let html = owner.page("/admin/settings/password");
    let csrf = office_csrf(&html);
    let send = |current: &str, new: &str, again: &str| {
        owner
            .client()
            .post(app.url("/admin/settings/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current_password", current),
                ("new_password", new),
                ("new_password_again", again),
            ])
            .send()
            .unwrap()
    };
    const NEW: &str = "a brand new password 456";
    let resp = send("not the password 000", NEW, NEW);
    assert_eq!(resp.status().as_u16(), 422);
    assert!(
        resp.text()
            .unwrap()
            .contains("id=\"current_password-error\"")
    );
    let resp = send(OWNER_PASSWORD, NEW, "something else entirely");
    assert_eq!(resp.status().as_u16(), 422);
    assert!(resp.text().unwrap().contains("not the same"));
    let resp = send(OWNER_PASSWORD, "short", "short");
    assert_eq!(resp.status().as_u16(), 422);
    let resp = send(OWNER_PASSWORD, NEW, NEW);
    assert_eq!(resp.status().as_u16(), 303);
    assert!(
        resp.headers().get_all("set-cookie").iter().any(|c| c
            .to_str()
            .unwrap()
            .starts_with("sf_owner=")
            && !c.to_str().unwrap().starts_with("sf_owner=;")),
        "a fresh session for this browser"
    );
    // This browser stays signed in; the other one's session ended.
    assert_eq!(
        owner
            .client()
            .get(app.url("/admin"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let resp = other.client().get(app.url("/admin")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert!(location(&resp).starts_with("/admin/sign-in"));
    // The old password fails, the new one works.
    let fresh = browser_like_client();
    let resp = fresh
        .post(app.url("/admin/sign-in"))
        .form(&[("password", OWNER_PASSWORD)])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let resp = fresh
        .post(app.url("/admin/sign-in"))
        .form(&[("password", NEW)])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    app.stop();
}
