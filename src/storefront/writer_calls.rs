//! Calls the host itself makes to its writer component, in-process: the start-up
//! health check (which applies migrations), the periodic release of expired stock
//! reservations, admin commands such as the audit, the rounds of the payment courier
//! that carries out the provider calls the writer's ledger asks for, and the rounds of
//! the outbox's dispatcher that delivers its emails and webhooks.

use crate::app::runtime::App;
use crate::storefront::app_profile::Storefront;
use anyhow::{Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::sync::Arc;
use std::time::Duration;

/// The writer as seen from its host. The components' ids come from the manifest
/// ([`Storefront`]): the writer is the component with the database; the payment courier
/// (provider calls the ledger records) and the outbox dispatcher (emails, webhooks) run
/// in the writer's process and reach it by chaining.
#[derive(Clone)]
pub struct WriterCalls {
    app: Arc<App>,
    token: String,
    roles: Storefront,
}

/// A writer answer.
pub struct Answer {
    pub status: http::StatusCode,
    pub body: Bytes,
}

impl Answer {
    /// The `error.message` of a JSON error body, else the raw body.
    pub fn message(&self) -> String {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&self.body).into_owned())
    }
}

impl WriterCalls {
    pub fn new(app: Arc<App>, token: &str, roles: &Storefront) -> Self {
        WriterCalls {
            app,
            token: token.to_string(),
            roles: roles.clone(),
        }
    }

    pub async fn call(
        &self,
        method: http::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Answer> {
        self.call_component(&self.roles.writer, method, path, body, false)
            .await
    }

    /// [`Self::call`] for the audit, which may rightly take minutes on a large shop
    /// (`crate::app::runtime::PATIENT_CALL_TIMEOUT`).
    pub async fn call_patiently(&self, path: &str) -> Result<Answer> {
        self.call_component(&self.roles.writer, http::Method::GET, path, None, true)
            .await
    }

    async fn call_component(
        &self,
        component: &str,
        method: http::Method,
        path: &str,
        body: Option<serde_json::Value>,
        patient: bool,
    ) -> Result<Answer> {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("http://{component}.spin.internal{path}"));
        if !self.token.is_empty() {
            request = request.header(
                http::header::AUTHORIZATION,
                format!("Bearer {}", self.token),
            );
        }
        let bytes = match body {
            Some(json) => {
                request = request.header(http::header::CONTENT_TYPE, "application/json");
                Bytes::from(serde_json::to_vec(&json)?)
            }
            None => Bytes::new(),
        };
        let request = request.body(
            Full::new(bytes)
                .map_err(|never| match never {})
                .boxed_unsync(),
        )?;
        let response = if patient {
            self.app.handle_patiently(component, request).await?
        } else {
            self.app.handle(component, request).await?
        };
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| anyhow!("reading the writer's answer: {e}"))?
            .to_bytes();
        Ok(Answer { status, body })
    }

    /// `GET /health`: applies pending migrations; an edited applied migration fails here.
    pub async fn check_health(&self) -> Result<()> {
        let answer = self.call(http::Method::GET, "/health", None).await?;
        if !answer.status.is_success() {
            bail!(
                "the writer is not healthy ({}): {}",
                answer.status,
                answer.message()
            );
        }
        Ok(())
    }

    /// Every `every`, cancels orders left in `pending_payment` past their time (`ttl`
    /// once their payment started, `unstarted_ttl` if it never did), returning their
    /// reserved stock; those whose intent may still succeed wait for the courier. Each
    /// sweep is one short write transaction over a small batch; while a sweep comes back
    /// full (`more`), the next follows at once. Runs until the task is aborted.
    pub async fn release_expired_forever(
        self,
        ttl: Duration,
        unstarted_ttl: Duration,
        every: Duration,
    ) {
        let body = serde_json::json!({
            "older_than_seconds": ttl.as_secs(),
            "unstarted_older_than_seconds": unstarted_ttl.as_secs(),
        });
        let writer = self.roles.writer.clone();
        let what = "release of expired reservations";
        self.rounds_forever(
            &writer,
            "/admin/release-expired",
            Some(body),
            every,
            what,
            |a| {
                let cancelled = a["cancelled"].as_array().map_or(0, Vec::len);
                if cancelled > 0 {
                    tracing::info!("released the stock of {cancelled} expired unpaid orders");
                }
            },
        )
        .await
    }

    /// At start and every `every`, a routine audit (`GET /admin/audit`: the orders new or
    /// changed since the last clean run, and the global invariants), whose result the
    /// writer stores for the dashboard. Runs until the task is aborted.
    pub async fn audit_forever(self, every: Duration) {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match self.call_patiently("/admin/audit").await {
                Ok(a) if a.status.is_success() => {
                    let report = serde_json::from_slice::<serde_json::Value>(&a.body).ok();
                    if let Some(report) = report.filter(|r| r["ok"] != true) {
                        let found = report["findings"].as_array().map_or(0, Vec::len);
                        tracing::warn!(
                            "the routine audit found {found} problem(s); run `storefront check`"
                        );
                    }
                }
                Ok(a) => tracing::warn!("routine audit failed ({}): {}", a.status, a.message()),
                Err(e) => tracing::warn!("routine audit failed: {e:#}"),
            }
        }
    }

    /// Every `every`, a retention sweep of the writer's (`POST path`, e.g.
    /// `/admin/idempotency/sweep`: full answers compacted to their fingerprint, fingerprints
    /// deleted; `/admin/outbox/sweep`: delivered messages deleted with their local mailbox
    /// copy), in small batches, again (after the background pause) while a batch came back
    /// full; a failed sweep is logged as `what` failed. Runs until the task is aborted.
    pub async fn retention_sweep_forever(self, path: &str, what: &str, every: Duration) {
        let writer = self.roles.writer.clone();
        self.rounds_forever(&writer, path, None, every, what, |_| {})
            .await
    }

    /// `POST path` to `component`, a round of background work: its JSON answer, or `None`
    /// when it failed (logged as `what` failed).
    async fn background_answer(
        &self,
        component: &str,
        path: &str,
        body: Option<serde_json::Value>,
        what: &str,
    ) -> Option<serde_json::Value> {
        match self
            .call_component(component, http::Method::POST, path, body, false)
            .await
        {
            Ok(a) if a.status.is_success() => {
                Some(serde_json::from_slice(&a.body).unwrap_or(serde_json::Value::Null))
            }
            Ok(a) => {
                tracing::warn!("{what} failed ({}): {}", a.status, a.message());
                None
            }
            Err(e) => {
                tracing::warn!("{what} failed: {e:#}");
                None
            }
        }
    }

    /// Every `every`, one round of the payment courier: the provider calls the ledger
    /// wants made now (cancel an intent before its order is cancelled, refund money for
    /// a cancelled order). Runs until the task is aborted.
    pub async fn run_courier_forever(self, every: Duration) {
        let courier = self.roles.courier.clone();
        self.run_rounds_forever(courier, every, "payment courier round")
            .await
    }

    /// Every `every`, one round of the outbox's dispatcher: the emails and webhooks that
    /// are due. Runs until the task is aborted.
    pub async fn run_dispatcher_forever(self, every: Duration) {
        let dispatcher = self.roles.dispatcher.clone();
        self.run_rounds_forever(dispatcher, every, "outbox dispatch round")
            .await
    }

    /// Every `every`, `POST /run` to `component` (a round of work it does on its own);
    /// nothing when the app has no such component.
    async fn run_rounds_forever(self, component: Option<String>, every: Duration, what: &str) {
        let Some(component) = component else {
            return;
        };
        self.rounds_forever(&component, "/run", None, every, what, |_| {})
            .await
    }

    /// Every `every`, `POST path` (with `body`) to `component`, a round of background
    /// work, shown to `seen`; again while a round answers `more` (it stopped at its batch
    /// or time budget with work still due), after [`pause_between_rounds`] so that a
    /// backlog drains beside the shoppers instead of ahead of them. A failed round is
    /// logged as `what` failed and waits for the next tick. Runs until the task is aborted.
    async fn rounds_forever(
        &self,
        component: &str,
        path: &str,
        body: Option<serde_json::Value>,
        every: Duration,
        what: &str,
        seen: impl Fn(&serde_json::Value),
    ) {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            loop {
                let started = std::time::Instant::now();
                let Some(answer) = self
                    .background_answer(component, path, body.clone(), what)
                    .await
                else {
                    break;
                };
                seen(&answer);
                if answer["more"] != true {
                    break;
                }
                tokio::time::sleep(pause_between_rounds(started.elapsed())).await;
            }
        }
    }
}

/// The share of the time a backlog's back-to-back rounds may take: 1 in
/// `BACKGROUND_DUTY_DIVISOR` (a half). A million orders expiring at once, or a long outbox
/// queue, then drains at half speed and leaves the rest of the machine to shoppers.
const BACKGROUND_DUTY_DIVISOR: u32 = 2;
/// The shortest pause between two back-to-back rounds.
const MIN_PAUSE_BETWEEN_ROUNDS: Duration = Duration::from_millis(5);

/// How long to wait after a round that took `round` before the next one of a backlog:
/// as long again (at most half the time is background work), and never less than
/// [`MIN_PAUSE_BETWEEN_ROUNDS`].
fn pause_between_rounds(round: Duration) -> Duration {
    (round * (BACKGROUND_DUTY_DIVISOR - 1)).max(MIN_PAUSE_BETWEEN_ROUNDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backlog_takes_at_most_half_the_time() {
        let round = Duration::from_millis(40);
        let pause = pause_between_rounds(round);
        assert!(pause >= round, "{pause:?} after a {round:?} round");
        assert_eq!(
            pause_between_rounds(Duration::from_micros(300)),
            MIN_PAUSE_BETWEEN_ROUNDS
        );
    }
}
