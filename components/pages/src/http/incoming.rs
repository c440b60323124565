//! The edge between Spin's raw `IncomingRequest`/`ResponseOutparam` and the plain
//! [`Req`]/[`Resp`] values: the request's head, its body read up to a cap (refused once it
//! passes it, never buffered whole), and the response written out with every header
//! (spin-sdk's `Response` keeps one value per name, while a page may set several cookies):
//! a buffered body in one write, a streamed one ([`crate::http::stream`]) chunk by chunk
//! after the head.

use crate::http::stream::Chunks;
use crate::http::{Req, Resp, split_target};
use futures::{SinkExt as _, StreamExt};
use spin_sdk::http::{Fields, IncomingRequest, OutgoingResponse, ResponseOutparam};

/// Method, target and headers of the incoming request, plus its declared length.
pub fn head(incoming: &IncomingRequest) -> (Req, Option<u64>) {
    let target = incoming.path_with_query().unwrap_or_else(|| "/".into());
    let (path, query) = split_target(&target);
    let headers: Vec<(String, String)> = incoming
        .headers()
        .entries()
        .into_iter()
        .map(|(mut name, value)| {
            // In place: the host hands names over lower-cased already, values as UTF-8
            // nearly always; only a value that is not is copied (lossily).
            name.make_ascii_lowercase();
            let value = String::from_utf8(value)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            (name, value)
        })
        .collect();
    let content_length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.trim().parse().ok());
    let req = Req {
        method: incoming.method().to_string().to_ascii_uppercase(),
        path,
        query,
        headers,
        body: Vec::new(),
        client_key: Default::default(),
    };
    (req, content_length)
}

/// Why a body was not read.
#[derive(Debug, Clone, Copy)]
pub enum BodyError {
    TooLarge,
    Unreadable,
}

/// Reads the body, stopping as soon as it exceeds `cap`.
pub async fn read_body(incoming: IncomingRequest, cap: usize) -> Result<Vec<u8>, BodyError> {
    let mut stream = incoming.into_body_stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub async fn write(out: ResponseOutparam, resp: Resp) {
    let headers: Vec<(String, Vec<u8>)> = resp
        .headers
        .into_iter()
        .map(|(n, v)| (n, v.into_bytes()))
        .collect();
    let fields = match Fields::from_list(&headers) {
        Ok(fields) => fields,
        Err(e) => {
            eprintln!("invalid response headers {headers:?}: {e:?}");
            Fields::new()
        }
    };
    let response = OutgoingResponse::new(fields);
    if response.set_status_code(resp.status).is_err() {
        eprintln!("invalid response status {}", resp.status);
    }
    if let Some(stream) = resp.stream {
        let body = response.take_body();
        out.set(response);
        let mut chunks = Chunks::new(body.sink_map_err(|e| format!("{e:?}")));
        stream.0.write_to(&mut chunks).await;
        // Dropping the body's sink finishes it.
        return;
    }
    if let Err(e) = out.set_with_body(response, resp.body).await {
        eprintln!("could not send the response: {e}");
    }
}
