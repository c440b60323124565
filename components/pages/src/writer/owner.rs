//! The writer's record of the owner: the password's status and setting it, signing in,
//! the back-office sessions, the dashboard and the audit.

use super::{WriterClient, WriterError};
use spin_sdk::http::Method;
use storefront_domain::dashboard::{AuditReport, Dashboard};
use storefront_domain::owner::{
    EndSessions, OwnerSessions, OwnerStatus, SessionsEnded, SetPassword, SignInChallenge,
    SignInOutcome, SignInStart,
};

impl WriterClient {
    /// Whether an owner password is set, and its generation.
    pub async fn owner_status(&self) -> Result<OwnerStatus, WriterError> {
        Ok(self
            .call(Method::Get, "/admin/owner", None, &[])
            .await?
            .value)
    }

    /// Stores a new password hash; the answer carries its new generation.
    pub async fn set_owner_password(&self, set: &SetPassword) -> Result<OwnerStatus, WriterError> {
        let body = serde_json::to_vec(set).expect("serialises");
        Ok(self
            .call(Method::Put, "/admin/owner/password", Some(body), &[])
            .await?
            .value)
    }

    pub async fn start_sign_in(&self, start: &SignInStart) -> Result<SignInChallenge, WriterError> {
        let body = serde_json::to_vec(start).expect("serialises");
        Ok(self
            .call(Method::Post, "/admin/owner/sign-ins", Some(body), &[])
            .await?
            .value)
    }

    pub async fn finish_sign_in(
        &self,
        attempt: i64,
        outcome: &SignInOutcome,
    ) -> Result<(), WriterError> {
        let body = serde_json::to_vec(outcome).expect("serialises");
        self.call_bytes(
            Method::Post,
            &format!("/admin/owner/sign-ins/{attempt}"),
            Some(body),
            &[],
        )
        .await
        .map(drop)
    }

    /// Whether session `id` is valid (the writer notes that it was seen); `false` when it
    /// is unknown or has ended.
    pub async fn check_owner_session(&self, id: &str) -> Result<bool, WriterError> {
        let path = format!("/admin/owner/sessions/{id}/check");
        match self.call_bytes(Method::Post, &path, None, &[]).await {
            Ok(_) => Ok(true),
            Err(WriterError::Rejected { status: 404, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The active sessions, most recently seen first.
    pub async fn owner_sessions(&self) -> Result<OwnerSessions, WriterError> {
        Ok(self
            .call(Method::Get, "/admin/owner/sessions", None, &[])
            .await?
            .value)
    }

    /// Ends session `id` (nothing happens if it has ended already).
    pub async fn end_owner_session(&self, id: &str) -> Result<(), WriterError> {
        let path = format!("/admin/owner/sessions/{id}/end");
        self.call_bytes(Method::Post, &path, None, &[])
            .await
            .map(drop)
    }

    /// Ends every session but `keep`; the answer says how many ended.
    pub async fn end_other_owner_sessions(
        &self,
        keep: Option<String>,
    ) -> Result<SessionsEnded, WriterError> {
        let body = serde_json::to_vec(&EndSessions { keep }).expect("serialises");
        Ok(self
            .call(
                Method::Post,
                "/admin/owner/sessions/end-all",
                Some(body),
                &[],
            )
            .await?
            .value)
    }

    /// The dashboard's figures.
    pub async fn office_dashboard(&self) -> Result<Dashboard, WriterError> {
        Ok(self
            .call(Method::Get, "/admin/dashboard", None, &[])
            .await?
            .value)
    }

    /// The last audit of the ledger the writer stored (`None` before the first), without
    /// running one.
    pub async fn office_last_audit(&self) -> Result<Option<AuditReport>, WriterError> {
        Ok(self
            .call(Method::Get, "/admin/audit/last", None, &[])
            .await?
            .value)
    }
}
