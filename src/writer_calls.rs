//! Calls the host itself makes to its writer component, in-process: the start-up
//! health check (which applies migrations), the periodic release of expired stock
//! reservations, and admin commands such as the audit.

use crate::runtime::App;
use anyhow::{Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::sync::Arc;
use std::time::Duration;

/// The component that owns the database.
pub const WRITER: &str = "writer";

/// The writer as seen from its host.
#[derive(Clone)]
pub struct WriterCalls {
    app: Arc<App>,
    token: String,
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
    pub fn new(app: Arc<App>, token: &str) -> Self {
        WriterCalls {
            app,
            token: token.to_string(),
        }
    }

    pub async fn call(
        &self,
        method: http::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Answer> {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("http://writer.spin.internal{path}"));
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
        let response = self.app.handle(WRITER, request).await?;
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

    /// Every `every`, cancels orders left in `pending_payment` longer than `ttl`,
    /// returning their reserved stock. Runs until the task is aborted.
    pub async fn release_expired_forever(self, ttl: Duration, every: Duration) {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let body = serde_json::json!({ "older_than_seconds": ttl.as_secs() });
            match self
                .call(http::Method::POST, "/admin/release-expired", Some(body))
                .await
            {
                Ok(a) if a.status.is_success() => {
                    let cancelled = serde_json::from_slice::<serde_json::Value>(&a.body)
                        .ok()
                        .and_then(|v| v["cancelled"].as_array().map(Vec::len))
                        .unwrap_or(0);
                    if cancelled > 0 {
                        tracing::info!(
                            "released the stock of {cancelled} unpaid orders older than {ttl:?}"
                        );
                    }
                }
                Ok(a) => tracing::warn!(
                    "release of expired reservations failed ({}): {}",
                    a.status,
                    a.message()
                ),
                Err(e) => tracing::warn!("release of expired reservations failed: {e:#}"),
            }
        }
    }
}
