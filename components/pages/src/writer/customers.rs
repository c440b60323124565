//! The writer's customers for the back office: a page of the list, and one customer.

use super::{WriterClient, WriterError, found};
use storefront_domain::customers::{CustomerList, CustomerPage};

impl WriterClient {
    /// `query` is `q=&after=`, encoded by the caller.
    pub async fn customers(&self, query: &str) -> Result<CustomerList, WriterError> {
        self.get(&format!("/admin/customers?{query}")).await
    }

    /// `None` when the address never ordered.
    pub async fn customer(&self, email: &str) -> Result<Option<CustomerPage>, WriterError> {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("email", email)
            .finish();
        found(self.get(&format!("/admin/customers/one?{query}")).await)
    }
}
