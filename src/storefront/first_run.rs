//! The back office's first run under `storefront up`: while no owner password is set,
//! print the one-time setup link (`/admin/setup?token=…`, the `owner_setup_token`
//! variable, generated and kept in `local-secrets.json` like the other local secrets),
//! so a new owner signs in from the browser without stopping the shop to run
//! `storefront admin set-password`.

use crate::storefront::writer_calls::WriterCalls;
use std::net::SocketAddr;

/// The variable the pages compare a setup link's token with.
pub const SETUP_TOKEN: &str = "owner_setup_token";

/// Prints the setup link when the writer says no password is set (and a token exists).
pub async fn announce_setup(writer: &WriterCalls, addr: SocketAddr, token: Option<&str>) {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return;
    };
    let status = match writer.call(http::Method::GET, "/admin/owner", None).await {
        Ok(answer) if answer.status.is_success() => answer.body,
        Ok(answer) => {
            tracing::warn!(
                "could not ask the writer for the owner: {}",
                answer.message()
            );
            return;
        }
        Err(e) => {
            tracing::warn!("could not ask the writer for the owner: {e:#}");
            return;
        }
    };
    let set = serde_json::from_slice::<serde_json::Value>(&status)
        .ok()
        .and_then(|v| v["password_set"].as_bool())
        .unwrap_or(true);
    if !set {
        println!(
            "back office: no owner password yet; choose one at http://{addr}/admin/setup?token={token} \
             (works until a password is set; or run `storefront admin set-password`)"
        );
    }
}
