//! Sending one email through Postmark's JSON API (`POST {email_api_base}/email` with
//! `X-Postmark-Server-Token`), the widely used transactional email API; any service that
//! speaks the same request works. The outbox message id goes out as the email's
//! `Message-ID` (and in the metadata), so a delivery retried after a lost answer is the
//! same email to every mail system that deduplicates on it.

use spin_sdk::http::{Method, Request, Response, send};
use storefront_domain::outbox::{LocalMail, Outcome};

/// Postmark's error codes that no retry can fix (the address is invalid or inactive,
/// the sender is not confirmed): the message is given up at once.
const PERMANENT_ERROR_CODES: [i64; 5] = [300, 400, 401, 406, 422];

pub struct EmailApi<'a> {
    /// Without a trailing slash.
    pub base: &'a str,
    pub key: &'a str,
    pub from: &'a str,
}

impl EmailApi<'_> {
    pub async fn send(&self, message_id: &str, to: &str, mail: &LocalMail) -> Outcome {
        let body = serde_json::json!({
            "From": self.from,
            "To": to,
            "Subject": mail.subject,
            "TextBody": mail.text,
            "HtmlBody": mail.html,
            "MessageStream": "outbound",
            "Headers": [{ "Name": "Message-ID", "Value": format!("<{message_id}@storefront>") }],
            "Metadata": { "storefront_message_id": message_id },
        });
        let mut request = Request::new(Method::Post, format!("{}/email", self.base));
        request.set_header("accept", "application/json");
        request.set_header("content-type", "application/json");
        request.set_header("x-postmark-server-token", self.key);
        *request.body_mut() = serde_json::to_vec(&body).expect("serialises");
        let response: Response = match send(request).await {
            Ok(response) => response,
            Err(e) => {
                return Outcome::Failed {
                    error: format!("email API unreachable: {e}"),
                    permanent: false,
                };
            }
        };
        let status = *response.status();
        if (200..300).contains(&status) {
            return Outcome::Delivered { local: None };
        }
        let answer: serde_json::Value = serde_json::from_slice(response.body()).unwrap_or_default();
        let code = answer["ErrorCode"].as_i64().unwrap_or_default();
        let text = answer["Message"].as_str().unwrap_or_default();
        Outcome::Failed {
            error: format!("email API answered {status} (ErrorCode {code}): {text}"),
            permanent: status == 422 && PERMANENT_ERROR_CODES.contains(&code),
        }
    }
}
