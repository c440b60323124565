//! The writer's customer accounts: asking for and confirming a sign-in email, the
//! customer's session, order history, addresses, data download and erasure. Every
//! command carries a fresh `Idempotency-Key`, so the client's retries are safe.

use super::{WriterClient, WriterError};
use crate::security::signing::random_hex;
use spin_sdk::http::Method;
use storefront_domain::customer::{
    Account, AccountOrders, ConfirmSignIn, Erased, NewAddress, SignInRequest, SignInSent,
};
use storefront_domain::{CLIENT_KEY, IDEMPOTENCY_KEY};

fn key() -> String {
    format!("customer-{}", random_hex(16))
}

impl WriterClient {
    /// Sends a sign-in email (or 429 past the limits).
    pub async fn request_sign_in(
        &self,
        request: &SignInRequest,
    ) -> Result<SignInSent, WriterError> {
        let body = serde_json::to_vec(request).expect("serialises");
        let key = key();
        let headers = [
            (IDEMPOTENCY_KEY, key.as_str()),
            (CLIENT_KEY, request.client.as_str()),
        ];
        Ok(self
            .call(Method::Post, "/customers/sign-ins", Some(body), &headers)
            .await?
            .value)
    }

    /// Consumes a sign-in's link or code and begins the session it carries.
    pub async fn confirm_sign_in(&self, confirm: &ConfirmSignIn) -> Result<(), WriterError> {
        let body = serde_json::to_vec(confirm).expect("serialises");
        let key = key();
        self.call_bytes(
            Method::Post,
            "/customers/sign-ins/confirm",
            Some(body),
            &[(IDEMPOTENCY_KEY, key.as_str())],
        )
        .await
        .map(drop)
    }

    /// The account session `id` belongs to; `None` when it is unknown or has ended.
    pub async fn customer_account(&self, id: &str) -> Result<Option<Account>, WriterError> {
        match self
            .call(Method::Get, &format!("/customers/sessions/{id}"), None, &[])
            .await
        {
            Ok(answer) => Ok(Some(answer.value)),
            Err(WriterError::Rejected { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Ends session `id` (nothing happens if it has ended already).
    pub async fn end_customer_session(&self, id: &str) -> Result<(), WriterError> {
        let path = format!("/customers/sessions/{id}/end");
        self.call_bytes(Method::Post, &path, None, &[])
            .await
            .map(drop)
    }

    /// A page of the customer's orders, newest first, older than order id `before`.
    pub async fn customer_orders(
        &self,
        id: &str,
        before: Option<i64>,
    ) -> Result<AccountOrders, WriterError> {
        let query = before.map(|b| format!("?before={b}")).unwrap_or_default();
        Ok(self
            .call(
                Method::Get,
                &format!("/customers/sessions/{id}/orders{query}"),
                None,
                &[],
            )
            .await?
            .value)
    }

    /// Everything kept about the customer, as JSON text.
    pub async fn customer_data(&self, id: &str) -> Result<Vec<u8>, WriterError> {
        self.get_json_text(&format!("/customers/sessions/{id}/data"))
            .await
    }

    /// Erases the account and anonymises its orders.
    pub async fn erase_customer(&self, id: &str) -> Result<Erased, WriterError> {
        let key = key();
        Ok(self
            .call(
                Method::Post,
                &format!("/customers/sessions/{id}/erase"),
                Some(b"{}".to_vec()),
                &[(IDEMPOTENCY_KEY, key.as_str())],
            )
            .await?
            .value)
    }

    /// Saves an address to the account.
    pub async fn add_customer_address(
        &self,
        id: &str,
        address: &NewAddress,
    ) -> Result<(), WriterError> {
        let body = serde_json::to_vec(address).expect("serialises");
        let key = key();
        self.call_bytes(
            Method::Post,
            &format!("/customers/sessions/{id}/addresses"),
            Some(body),
            &[(IDEMPOTENCY_KEY, key.as_str())],
        )
        .await
        .map(drop)
    }

    /// Removes a saved address.
    pub async fn remove_customer_address(&self, id: &str, address: i64) -> Result<(), WriterError> {
        let key = key();
        self.call_bytes(
            Method::Post,
            &format!("/customers/sessions/{id}/addresses/{address}/remove"),
            Some(b"{}".to_vec()),
            &[(IDEMPOTENCY_KEY, key.as_str())],
        )
        .await
        .map(drop)
    }
}
