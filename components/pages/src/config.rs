//! The component's Spin variables, read once per request: `writer_url`, `writer_token`
//! and `cookie_secret`.

use crate::signing::Key;

pub struct Config {
    /// Base URL of the writer, without a trailing slash.
    pub writer_url: String,
    /// Sent as `Authorization: Bearer …` when non-empty.
    pub writer_token: String,
    pub key: Key,
}

impl Config {
    /// Reads the variables; the error is a sentence for the operator (shown on a 500 page).
    pub fn load() -> Result<Config, String> {
        let get = |name: &str| {
            spin_sdk::variables::get(name).map_err(|e| format!("variable {name}: {e}"))
        };
        let writer_url = get("writer_url")?.trim().trim_end_matches('/').to_string();
        if writer_url.is_empty() {
            return Err("variable writer_url is empty".into());
        }
        Ok(Config {
            writer_url,
            writer_token: get("writer_token")?.trim().to_string(),
            key: Key::new(&get("cookie_secret")?)?,
        })
    }
}
