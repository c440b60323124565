//! `GET /admin`: the owner's overview (being built).

use super::Office;
use crate::web::Resp;
use maud::html;

pub async fn respond(office: &Office<'_>) -> Resp {
    if office.method() != "GET" {
        return office.method_not_allowed("GET");
    }
    office.ok("Dashboard", html! { h1 { "Dashboard" } })
}
