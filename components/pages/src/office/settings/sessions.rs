//! `/admin/settings/sessions`: the browsers signed in to the back office (when each
//! session began and was last seen, from which client and browser), this one marked,
//! and the owner ends any of them: `POST /admin/settings/sessions/{id}/end` ends one,
//! `POST /admin/settings/sessions/end-others` every one but this. An ended session's
//! cookie is refused from its next request on (the writer deletes its record).

use super::sub_nav;
use crate::http::Resp;
use crate::layout::flash::{Flash, Tone};
use crate::layout::when;
use crate::office::layout::csrf_field;
use crate::office::{Office, owner_session};
use maud::html;
use storefront_domain::owner::{SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS, valid_session_id};

const PATH: &str = "/admin/settings/sessions";
/// Characters of the pseudonymous client key shown: enough to tell clients apart.
const CLIENT_SHOWN: usize = 8;

/// The signed-in sessions.
pub async fn show(office: &Office<'_>) -> Resp {
    let list = match office.writer.owner_sessions().await {
        Ok(list) => list,
        Err(e) => return office.writer_failed(e),
    };
    let this = office.session.as_ref().map(|s| s.id.as_str());
    let others = list
        .sessions
        .iter()
        .filter(|s| Some(s.id.as_str()) != this)
        .count();
    let body = html! {
        h1 { "Settings" }
        (sub_nav(office))
        h2 { "Signed-in sessions" }
        p.muted {
            "A session ends when it signs out, after " (SESSION_IDLE_SECONDS / 60)
            " minutes without a page, " (SESSION_ABSOLUTE_SECONDS / 3600)
            " hours after its sign-in, or when the password changes. If you do not \
             recognise one, end it and change the password."
        }
        // Focusable, as every table that may scroll sideways on a phone: the table can
        // hold no button at all (only this session left), and keyboards must still scroll it.
        div.table-wrap tabindex="0" role="region" aria-label="Active sessions" {
            table.list.sessions {
                thead {
                    tr {
                        th scope="col" { "Started" }
                        th scope="col" { "Last seen" }
                        th scope="col" { "Client" }
                        th scope="col" { "Browser" }
                        th scope="col" { span.visually-hidden { "Action" } }
                    }
                }
                tbody {
                    @for s in &list.sessions {
                        tr {
                            td { (when::time(&s.started_at)) }
                            td { (when::time(&s.last_seen_at)) }
                            td { code { (s.client.chars().take(CLIENT_SHOWN).collect::<String>()) "…" } }
                            td.agent {
                                @if s.user_agent.is_empty() { span.muted { "unknown" } }
                                @else { (s.user_agent) }
                            }
                            td {
                                @if Some(s.id.as_str()) == this {
                                    strong { "This session" }
                                } @else {
                                    form.inline method="post" action={ (PATH) "/" (s.id) "/end" } {
                                        (csrf_field(office))
                                        button type="submit" {
                                            "End"
                                            span.visually-hidden {
                                                " the session started " (when::human(&s.started_at))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if others > 0 {
            form.actions method="post" action={ (PATH) "/end-others" } {
                (csrf_field(office))
                button type="submit" { "End all other sessions" }
            }
        }
    };
    office.ok("Sessions", body)
}

/// Ends session `id`; ending this one signs this browser out. An id that cannot be a
/// session's is refused like the path's other methods (405), before the form is looked at.
pub async fn end(office: &Office<'_>, id: &str) -> Resp {
    if !valid_session_id(id) {
        return office.method_not_allowed("POST");
    }
    if let Err(resp) = office.form() {
        return resp;
    }
    if let Err(e) = office.writer.end_owner_session(id).await {
        return office.writer_failed(e);
    }
    if office.session.as_ref().is_some_and(|s| s.id == id) {
        return office
            .redirect(
                "/admin/sign-in",
                Some(Flash::new(Tone::Info, "You are signed out.")),
            )
            .header(
                "set-cookie",
                owner_session::clear_cookie(office.req.is_https()),
            );
    }
    office.done(PATH, "The session is ended.")
}

pub async fn end_others(office: &Office<'_>) -> Resp {
    if let Err(resp) = office.form() {
        return resp;
    }
    let this = office.session.as_ref().map(|s| s.id.clone());
    match office.writer.end_other_owner_sessions(this).await {
        Ok(answer) => office.done(
            PATH,
            match answer.ended {
                0 => "There were no other sessions.".to_string(),
                1 => "Ended 1 other session.".to_string(),
                n => format!("Ended {n} other sessions."),
            },
        ),
        Err(e) => office.writer_failed(e),
    }
}
