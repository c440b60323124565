//! The back office's `/admin/export…` pages (being built).

use super::Office;
use crate::web::Resp;

pub async fn respond(office: &Office<'_>, rest: &[&str]) -> Resp {
    let _ = rest;
    office.not_found()
}
