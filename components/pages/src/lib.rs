use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
async fn handle(_req: Request) -> Response {
    Response::new(200, "hi")
}
#[cfg(test)]
mod tests { #[test] fn t() {} }
