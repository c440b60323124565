//! The back office's sessions are kept by the writer, through the real components: a
//! copy of a session's cookie stops working when the session signs out, is ended from
//! the Sessions page of another one, sits idle too long, reaches its absolute lifetime
//! or outlives the password; the writer stores only the hash of the cookie's secret and
//! begins a session only for a fresh, right answer under the current password.

use crate::support;

use crate::support::{
    OWNER_PASSWORD, TestApp, browser_like_client, location, office_csrf, open_db,
};
use reqwest::blocking::{Client, Response};
use serde_json::json;

const SESSIONS: &str = "/admin/settings/sessions";

/// The value a response sets the session cookie to, if it sets one.
fn session_cookie(resp: &Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().unwrap().strip_prefix("sf_owner="))
        .map(|rest| rest.split(';').next().unwrap().to_string())
        .next()
}

/// Signs in as a browser that names itself `agent`: the browser and its cookie's value.
fn sign_in(app: &TestApp, agent: &str) -> (Client, String) {
    let browser = browser_like_client();
    let resp = browser
        .post(app.url("/admin/sign-in"))
        .header("user-agent", agent)
        .form(&[("password", OWNER_PASSWORD), ("next", "/admin")])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303, "signing in as {agent}");
    let cookie = session_cookie(&resp).expect("a session cookie");
    (browser, cookie)
}

/// The status of the dashboard for `browser`: 200 signed in, 303 sent to the sign-in.
fn dashboard(app: &TestApp, browser: &Client) -> u16 {
    browser
        .get(app.url("/admin"))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

/// The status of the dashboard for another machine that sends only a copy of `cookie`.
fn dashboard_with_copy(app: &TestApp, cookie: &str) -> u16 {
    support::client()
        .get(app.url("/admin"))
        .header("accept", "text/html")
        .header("cookie", format!("sf_owner={cookie}"))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

/// The Sessions page as `browser` sees it.
fn sessions_page(app: &TestApp, browser: &Client) -> String {
    let resp = browser.get(app.url(SESSIONS)).send().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    resp.text().unwrap()
}

/// The table row of the Sessions page that names `agent`.
fn row_of<'a>(html: &'a str, agent: &str) -> &'a str {
    let at = html
        .find(agent)
        .unwrap_or_else(|| panic!("no session of {agent}:\n{html}"));
    let start = html[..at].rfind("<tr>").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

/// Where the "End" form in the row of `agent` posts to.
fn end_action(html: &str, agent: &str) -> String {
    let row = row_of(html, agent);
    let start = row
        .find("action=\"")
        .unwrap_or_else(|| panic!("no End form in {row}"))
        + "action=\"".len();
    row[start..start + row[start..].find('"').unwrap()].to_string()
}

/// The user agents of the sessions the database holds, sorted.
fn stored_agents(dir: &std::path::Path) -> Vec<String> {
    let db = open_db(dir);
    let mut stmt = db
        .prepare("SELECT user_agent FROM owner_sessions ORDER BY user_agent")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_copied_cookie_stops_working_when_its_session_signs_out() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let (owner, cookie) = sign_in(&app, "Signing-out browser");
    assert_eq!(
        dashboard_with_copy(&app, &cookie),
        200,
        "a copy works while the session lasts"
    );
    let html = owner.get(app.url("/admin")).send().unwrap().text().unwrap();
    let resp = owner
        .post(app.url("/admin/sign-out"))
        .form(&[("csrf", office_csrf(&html))])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/admin/sign-in");
    assert_eq!(
        session_cookie(&resp).as_deref(),
        Some(""),
        "the cookie is cleared"
    );

    assert_eq!(
        dashboard_with_copy(&app, &cookie),
        303,
        "the copied cookie is refused once its session signed out"
    );
    app.stop();
    assert!(stored_agents(dir.path()).is_empty(), "the record is gone");
}

#[test]
fn the_owner_ends_other_sessions_from_the_sessions_page() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let (a, _) = sign_in(&app, "Browser A/1.0");
    let (b, _) = sign_in(&app, "Browser B/2.0");
    let (c, _) = sign_in(&app, "Browser C/3.0");

    let html = sessions_page(&app, &a);
    assert!(row_of(&html, "Browser A/1.0").contains("This session"));
    for other in ["Browser B/2.0", "Browser C/3.0"] {
        assert!(!row_of(&html, other).contains("This session"), "{other}");
    }
    let end_b = end_action(&html, "Browser B/2.0");
    let csrf = office_csrf(&html);

    // Only with the session's own token: a forged one ends nothing.
    let resp = a
        .post(app.url(&end_b))
        .form(&[("csrf", "forged")])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(dashboard(&app, &b), 200);

    let resp = a
        .post(app.url(&end_b))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), SESSIONS);
    let html = sessions_page(&app, &a);
    assert!(html.contains("The session is ended."), "{html}");
    assert!(!html.contains("Browser B/2.0"));
    assert_eq!(dashboard(&app, &b), 303, "the ended session is refused");
    assert_eq!(dashboard(&app, &a), 200);
    assert_eq!(dashboard(&app, &c), 200, "the others are untouched");

    let resp = a
        .post(app.url(&format!("{SESSIONS}/end-others")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert!(sessions_page(&app, &a).contains("Ended 1 other session."));
    assert_eq!(dashboard(&app, &c), 303);
    assert_eq!(dashboard(&app, &a), 200, "this session stays");
    app.stop();
    assert_eq!(stored_agents(dir.path()), ["Browser A/1.0"]);
}

#[test]
fn idle_and_old_sessions_end_and_the_next_sign_in_prunes_them() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let (idle, idle_cookie) = sign_in(&app, "Idle browser");
    let (old, _) = sign_in(&app, "Old browser");
    let (busy, _) = sign_in(&app, "Busy browser");
    for _ in 0..3 {
        assert_eq!(dashboard(&app, &busy), 200);
    }
    app.stop();

    let db = open_db(dir.path());
    let (created, last_seen, expires): (i64, i64, i64) = db
        .query_row(
            "SELECT created_at, last_seen_at, expires_at FROM owner_sessions
             WHERE user_agent = 'Busy browser'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(expires - created, 8 * 60 * 60, "the absolute lifetime");
    assert_eq!(last_seen, created, "requests within a minute write nothing");
    let stored_id: String = db
        .query_row(
            "SELECT id FROM owner_sessions WHERE user_agent = 'Idle browser'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored_id.len(), 64);
    assert_ne!(stored_id, idle_cookie, "only the secret's hash is stored");
    // Idle for 31 minutes; signed in 8 hours ago though seen just now; idle for 29 minutes.
    let age = |agent: &str, sign_in: i64, seen: i64| {
        db.execute(
            "UPDATE owner_sessions SET created_at = created_at - ?2,
                 expires_at = expires_at - ?2, last_seen_at = last_seen_at - ?3
             WHERE user_agent = ?1",
            rusqlite::params![agent, sign_in, seen],
        )
        .unwrap()
    };
    assert_eq!(age("Idle browser", 31 * 60, 31 * 60), 1);
    assert_eq!(age("Old browser", 8 * 60 * 60, 0), 1);
    assert_eq!(age("Busy browser", 29 * 60, 29 * 60), 1);
    drop(db);

    let app = support::start_with_admin(dir.path());
    assert_eq!(dashboard(&app, &idle), 303, "idle past 30 minutes");
    assert_eq!(dashboard(&app, &old), 303, "past 8 hours since the sign-in");
    assert_eq!(dashboard(&app, &busy), 200, "idle 29 minutes: still on");
    sign_in(&app, "New browser");
    app.stop();
    assert_eq!(
        stored_agents(dir.path()),
        ["Busy browser", "New browser"],
        "the next sign-in pruned the ended sessions"
    );
    let seen_ago: i64 = open_db(dir.path())
        .query_row(
            "SELECT CAST(strftime('%s', 'now') AS INTEGER) - last_seen_at FROM owner_sessions
             WHERE user_agent = 'Busy browser'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        seen_ago < 5 * 60,
        "the request was noted ({seen_ago} s ago)"
    );
}

#[test]
fn a_new_password_ends_every_session_but_the_browser_that_set_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let (a, _) = sign_in(&app, "Changing browser");
    let (b, _) = sign_in(&app, "Other browser");
    let page = a
        .get(app.url("/admin/settings/password"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    const NEW: &str = "a brand new password 456";
    let resp = a
        .post(app.url("/admin/settings/password"))
        .header("user-agent", "Changing browser")
        .form(&[
            ("csrf", office_csrf(&page).as_str()),
            ("current_password", OWNER_PASSWORD),
            ("new_password", NEW),
            ("new_password_again", NEW),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(dashboard(&app, &a), 200, "this browser stays signed in");
    assert_eq!(dashboard(&app, &b), 303);
    app.stop();
    assert_eq!(stored_agents(dir.path()), ["Changing browser"]);

    // `storefront admin set-password` ends the rest.
    support::set_owner_password(dir.path(), "yet another password 789");
    assert!(stored_agents(dir.path()).is_empty());
    let app = support::start_with_admin(dir.path());
    assert_eq!(dashboard(&app, &a), 303);
    app.stop();
}

#[test]
fn the_writer_begins_a_session_only_for_a_fresh_right_answer() {
    let dir = tempfile::tempdir().unwrap();
    support::build_components();
    support::set_owner_password(dir.path(), OWNER_PASSWORD);
    let writer = support::start_writer(dir.path());
    let call = |path: &str, body: Option<serde_json::Value>| {
        let req = support::client()
            .post(writer.url(path))
            .bearer_auth(support::TOKEN);
        let req = match body {
            Some(body) => req.json(&body),
            None => req,
        };
        req.send().unwrap()
    };
    let attempt = || {
        let resp = call("/admin/owner/sign-ins", Some(json!({"client": "c1"})));
        assert_eq!(resp.status().as_u16(), 201);
        resp.json::<serde_json::Value>().unwrap()["attempt"]
            .as_i64()
            .unwrap()
    };
    let report = |attempt: i64, ok: bool, id: &str| {
        let body = json!({"ok": ok, "session": {"id": id, "client": "c1", "user_agent": "t"}});
        let resp = call(&format!("/admin/owner/sign-ins/{attempt}"), Some(body));
        assert_eq!(resp.status().as_u16(), 204);
    };
    let valid = |id: &str| match call(&format!("/admin/owner/sessions/{id}/check"), None)
        .status()
        .as_u16()
    {
        200 => true,
        404 => false,
        other => panic!("check answered {other}"),
    };
    let id = |c: char| c.to_string().repeat(64);

    let wrong = attempt();
    report(wrong, false, &id('a'));
    assert!(!valid(&id('a')), "a wrong password begins nothing");

    let right = attempt();
    report(right, true, &id('b'));
    assert!(valid(&id('b')));
    report(right, true, &id('c'));
    assert!(
        !valid(&id('c')),
        "a replayed report begins no other session"
    );

    // An attempt handed the old hash, answered after the password changed.
    let raced = attempt();
    let resp = support::client()
        .put(writer.url("/admin/owner/password"))
        .bearer_auth(support::TOKEN)
        .json(&json!({"password_hash": "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(!valid(&id('b')), "a new password ends every session");
    report(raced, true, &id('d'));
    assert!(
        !valid(&id('d')),
        "an answer checked against the old password begins nothing"
    );
    writer.stop();
}
