//! The writer's outbox: claiming due messages and reporting their delivery, one or a batch
//! at once (for the dispatcher), the local mailbox and the owner's webhook endpoints.

use super::{WriterClient, WriterError};
use crate::office::mail::PAGE;
use spin_sdk::http::Method;
use storefront_domain::outbox::{
    ClaimRequest, Claimed, DeliveryReports, Endpoint, Endpoints, Mailbox, NewEndpoint,
    ReportAnswers,
};

impl WriterClient {
    pub async fn claim_messages(&self, claim: &ClaimRequest) -> Result<Claimed, WriterError> {
        let body = serde_json::to_vec(claim).expect("serialises");
        Ok(self
            .call(Method::Post, "/outbox/claim", Some(body), &[])
            .await?
            .value)
    }

    /// Reports a batch of outcomes (`POST /outbox/results`): one answer per message, in
    /// the batch's order.
    pub async fn report_messages(
        &self,
        reports: &DeliveryReports,
    ) -> Result<ReportAnswers, WriterError> {
        let body = serde_json::to_vec(reports).expect("serialises");
        Ok(self
            .call(Method::Post, "/outbox/results", Some(body), &[])
            .await?
            .value)
    }

    pub async fn mailbox(&self, before: Option<i64>) -> Result<Mailbox, WriterError> {
        let path = match before {
            Some(b) => format!("/admin/mail?limit={PAGE}&before={b}"),
            None => format!("/admin/mail?limit={PAGE}"),
        };
        Ok(self.call(Method::Get, &path, None, &[]).await?.value)
    }

    pub async fn endpoints(&self) -> Result<Endpoints, WriterError> {
        Ok(self
            .call(Method::Get, "/admin/webhooks", None, &[])
            .await?
            .value)
    }

    pub async fn add_endpoint(&self, new: &NewEndpoint) -> Result<Endpoint, WriterError> {
        let body = serde_json::to_vec(new).expect("serialises");
        Ok(self
            .call(Method::Post, "/admin/webhooks", Some(body), &[])
            .await?
            .value)
    }

    pub async fn deactivate_endpoint(&self, id: &str) -> Result<Endpoint, WriterError> {
        Ok(self
            .call(
                Method::Post,
                &format!("/admin/webhooks/{id}/deactivate"),
                None,
                &[],
            )
            .await?
            .value)
    }
}
