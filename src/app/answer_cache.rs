//! Answers of the database's owner that stay true until the tables they depend on next
//! change, served again without running the component.
//!
//! Why: a catalog page costs a writer instance, several queries and a JSON encoding, yet
//! between two changes of the database every such read returns the same bytes. The
//! writer marks an answer with `storefront-cache: until-write` (it depends on the whole
//! database) or `storefront-cache: catalog` (only on the catalog tables, see
//! [`crate::database::scopes`]), promising that it depends only on the request's method,
//! path and query and `Authorization` header, and on the committed database. The host
//! knows exactly when a scope's tables may have changed ([`Database::change_count_of`]
//! moves after every statement on the writing connection that changed rows of them and
//! again when its transaction ends, before anyone hears of the commit), so a kept answer
//! is served only while the count it was read under is still current: it is never stale,
//! unlike a time-based cache. Statements that change nothing (an outbox claim that finds
//! nothing due, reads) leave it alone; a payment event leaves catalog answers alone; an
//! order (it takes stock off `variants`) empties them.
//!
//! Single flight: while one request for a key runs the component, the others for the
//! same key wait for it ([`AnswerCache::lookup`]) and are answered with the bytes it kept;
//! if it kept nothing (failed, not marked, the database changed meanwhile) each waiter
//! runs the component itself.
//!
//! Revalidation: a kept answer carries an `ETag` naming this process, the code generation,
//! the scope and the change count it was read under. A request for the same key whose
//! `If-None-Match` names the current kept answer's tag is answered `304 Not Modified`
//! with no body, so a caller that kept the body (the pages keep their catalog reads,
//! decoded, for the instance's life) neither receives nor parses it again. The tag is
//! never reused for another answer to the key: the process's random boot id leads it, so
//! a restarted writer (its counts start again) never matches a tag of its predecessor.
//!
//! Real Spin ignores the header and runs the component every time; the component cannot
//! tell the difference, except that a cached read does not run it. Under real Spin no
//! answer carries a tag, so no caller asks for revalidation.

use crate::database::Database;
use crate::database::scopes::Scope;
use crate::server::responses::{self, full};
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime_wasi_http::WasiBody;

/// The response header a component marks a cacheable answer with, and its one value.
pub const HEADER: &str = "storefront-cache";
pub const UNTIL_WRITE: &str = "until-write";
/// The value for an answer that depends only on the catalog tables.
pub const CATALOG: &str = "catalog";

/// Most answers kept at once.
pub const MAX_ENTRIES: usize = 1024;
/// Most body bytes kept at once.
pub const MAX_BYTES: usize = 32 << 20;
/// Largest answer kept (a larger marked answer is passed on, not kept).
pub const MAX_ANSWER_BYTES: usize = 512 << 10;
/// Largest marked answer read into memory to be kept; past it the answer fails (a
/// component's cacheable reads are bounded by its own row limits, far below this).
const MAX_READ_BYTES: usize = 8 << 20;

/// The parts of a request its key is made of, from a whole request or from its parts.
#[derive(Clone, Copy)]
pub struct Head<'a> {
    pub method: &'a http::Method,
    pub uri: &'a http::Uri,
    pub headers: &'a http::HeaderMap,
}

impl<'a, B> From<&'a http::Request<B>> for Head<'a> {
    fn from(request: &'a http::Request<B>) -> Self {
        Head {
            method: request.method(),
            uri: request.uri(),
            headers: request.headers(),
        }
    }
}

impl<'a> From<&'a http::request::Parts> for Head<'a> {
    fn from(parts: &'a http::request::Parts) -> Self {
        Head {
            method: &parts.method,
            uri: &parts.uri,
            headers: &parts.headers,
        }
    }
}

/// What a request is found by: component, path and query, `Authorization`.
#[derive(PartialEq, Eq, Hash, Clone)]
pub struct Key(String);

/// What a kept answer's `ETag` is made of.
#[derive(Clone, Copy)]
struct Tag {
    generation: u64,
    scope: Scope,
    count: u64,
}

/// The change counts of both scopes at one moment.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Counts {
    all: u64,
    catalog: u64,
}

impl Counts {
    fn of(&self, scope: Scope) -> u64 {
        match scope {
            Scope::All => self.all,
            Scope::Catalog => self.catalog,
        }
    }
}

/// A request whose answer may be kept: its key and the change counts before it ran.
pub struct Pending {
    key: Key,
    counts: Counts,
    generation: u64,
}

struct Kept {
    status: http::StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
    scope: Scope,
    /// The change count of `scope` it was read under.
    count: u64,
    /// Its `ETag`, as sent.
    etag: http::HeaderValue,
}

#[derive(Default)]
struct Entries {
    bytes: usize,
    map: HashMap<Key, Kept>,
}

/// The request running the component for a key while others wait for it: dropping it
/// (after its answer was kept, or not) wakes them.
pub struct Leader<'a> {
    cache: &'a AnswerCache,
    key: Key,
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        // Removed (and so the sender dropped, waking the waiters) under the lock, so no
        // one subscribes to a flight that is over.
        let mut flights = self.cache.flights.lock().expect("answer cache lock");
        flights.remove(&self.key);
    }
}

/// The kept answers of one process's database-owning components.
pub struct AnswerCache {
    database: Database,
    entries: Mutex<Entries>,
    /// Keys whose component is running now for a request that others may wait for.
    flights: Mutex<HashMap<Key, tokio::sync::watch::Sender<()>>>,
    /// Bumped when a component's code is swapped (`up --watch`): an answer read under
    /// an older generation is not kept.
    generation: AtomicU64,
    /// Random per process: leads every `ETag`, so no tag outlives the process.
    boot: u64,
    /// Requests answered from the cache, answers kept, requests that waited for another's
    /// run of the same key, and runs of the component for a key: printed at shutdown.
    hits: AtomicU64,
    kept: AtomicU64,
    not_modified: AtomicU64,
    waited: AtomicU64,
    runs: AtomicU64,
}

impl AnswerCache {
    pub fn new(database: Database) -> Self {
        AnswerCache {
            database,
            entries: Mutex::new(Entries::default()),
            flights: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            boot: {
                let mut bytes = [0u8; 8];
                // Without randomness the tags still differ from a predecessor's unless
                // it started in the same nanosecond.
                if getrandom::fill(&mut bytes).is_err() {
                    bytes = (std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos() as u64))
                    .to_le_bytes();
                }
                u64::from_le_bytes(bytes)
            },
            hits: AtomicU64::new(0),
            kept: AtomicU64::new(0),
            not_modified: AtomicU64::new(0),
            waited: AtomicU64::new(0),
            runs: AtomicU64::new(0),
        }
    }

    /// `answer cache: H requests answered from N kept answers, W waited for another's
    /// run, R runs, M answered 304 not modified` (M of the H), for the shutdown log.
    pub fn line(&self) -> String {
        format!(
            "answer cache: {} requests answered from {} kept answers, {} waited for another's run, {} runs, {} answered 304 not modified",
            self.hits.load(Ordering::Relaxed),
            self.kept.load(Ordering::Relaxed),
            self.waited.load(Ordering::Relaxed),
            self.runs.load(Ordering::Relaxed),
            self.not_modified.load(Ordering::Relaxed)
        )
    }

    fn counts(&self) -> Counts {
        Counts {
            all: self.database.change_count_of(Scope::All),
            catalog: self.database.change_count_of(Scope::Catalog),
        }
    }

    /// The kept answer to `key` (a `304` if `if_none_match` names it), waiting first if
    /// another request is running the component for it now. `Err(Some(leader))`: run the
    /// component and keep the leader until its answer is kept (others wait for it
    /// meanwhile); `Err(None)`: run it without (the run waited for kept nothing).
    pub async fn lookup(
        &self,
        key: &Key,
        if_none_match: Option<&http::HeaderValue>,
    ) -> Result<http::Response<WasiBody>, Option<Leader<'_>>> {
        if let Some(response) = self.get(key, if_none_match) {
            return Ok(response);
        }
        let mut flight = {
            let mut flights = self.flights.lock().expect("answer cache lock");
            match flights.get(key) {
                Some(sender) => sender.subscribe(),
                None => {
                    flights.insert(key.clone(), tokio::sync::watch::channel(()).0);
                    self.runs.fetch_add(1, Ordering::Relaxed);
                    return Err(Some(Leader {
                        cache: self,
                        key: key.clone(),
                    }));
                }
            }
        };
        // Ends (as an error) when the leader is dropped.
        let _ = flight.changed().await;
        self.waited.fetch_add(1, Ordering::Relaxed);
        match self.get(key, if_none_match) {
            Some(response) => Ok(response),
            None => {
                self.runs.fetch_add(1, Ordering::Relaxed);
                Err(None)
            }
        }
    }

    /// The key of a `GET` to `component`; other methods are never cached.
    pub fn key(component: &str, head: Head<'_>) -> Option<Key> {
        if head.method != http::Method::GET {
            return None;
        }
        let target = head
            .uri
            .path_and_query()
            .map_or("/", http::uri::PathAndQuery::as_str);
        let authorization = head
            .headers
            .get(http::header::AUTHORIZATION)
            .map_or(&b""[..], http::HeaderValue::as_bytes);
        Some(Key(format!(
            "{component} {target} {}",
            String::from_utf8_lossy(authorization)
        )))
    }

    /// The kept answer to `key`, if it was read under the current change count of its
    /// scope: `304 Not Modified` without a body if `if_none_match` is its `ETag`.
    pub fn get(
        &self,
        key: &Key,
        if_none_match: Option<&http::HeaderValue>,
    ) -> Option<http::Response<WasiBody>> {
        let entries = self.entries.lock().expect("answer cache lock");
        let kept = entries.map.get(key)?;
        if self.database.change_count_of(kept.scope) != kept.count {
            return None;
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        if if_none_match == Some(&kept.etag) {
            self.not_modified.fetch_add(1, Ordering::Relaxed);
            let mut response = http::Response::new(full(Bytes::new()));
            *response.status_mut() = http::StatusCode::NOT_MODIFIED;
            response
                .headers_mut()
                .insert(http::header::ETAG, kept.etag.clone());
            return Some(response);
        }
        let mut response = http::Response::new(full(kept.body.clone()));
        *response.status_mut() = kept.status;
        *response.headers_mut() = kept.headers.clone();
        Some(response)
    }

    /// The `ETag` of an answer read under `tag`: `"<boot>.<generation>.<scope><count>"`.
    fn etag(&self, tag: Tag) -> http::HeaderValue {
        let scope = match tag.scope {
            Scope::All => 'a',
            Scope::Catalog => 'c',
        };
        let text = format!(
            "\"{:016x}.{}.{scope}{}\"",
            self.boot, tag.generation, tag.count
        );
        http::HeaderValue::from_str(&text).expect("an ETag of hex digits and dots")
    }

    /// Notes the change count before the component runs for `key`.
    pub fn pending(&self, key: Key) -> Pending {
        Pending {
            key,
            counts: self.counts(),
            generation: self.generation.load(Ordering::SeqCst),
        }
    }

    /// Forgets every kept answer, and any being read now: the code that made them
    /// was replaced.
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let mut entries = self.entries.lock().expect("answer cache lock");
        entries.map.clear();
        entries.bytes = 0;
    }

    /// Keeps `response` if the component marked it and the database did not change while
    /// it was read; hands it on either way.
    pub async fn keep(
        &self,
        pending: Pending,
        response: http::Response<WasiBody>,
    ) -> http::Response<WasiBody> {
        let scope = match response.headers().get(HEADER).map(|v| v.as_bytes()) {
            _ if response.status() != http::StatusCode::OK => None,
            Some(v) if v == UNTIL_WRITE.as_bytes() => Some(Scope::All),
            Some(v) if v == CATALOG.as_bytes() => Some(Scope::Catalog),
            _ => None,
        };
        let Some(scope) = scope else {
            return response;
        };
        if self.database.change_count_of(scope) != pending.counts.of(scope)
            || self.generation.load(Ordering::SeqCst) != pending.generation
        {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        let tag = Tag {
            generation: pending.generation,
            scope,
            count: pending.counts.of(scope),
        };
        let etag = self.etag(tag);
        parts.headers.insert(http::header::ETAG, etag.clone());
        let body = match Limited::new(body, MAX_READ_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => {
                tracing::error!("reading a cacheable answer failed: {e}");
                return responses::error(
                    http::StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the answer could not be read",
                );
            }
        };
        if body.len() <= MAX_ANSWER_BYTES {
            self.insert(pending, scope, &parts, body.clone(), etag);
        }
        http::Response::from_parts(parts, full(body))
    }

    /// Keeps the answer read under `pending` with its `etag` (made from `pending`'s count,
    /// which must still be current).
    fn insert(
        &self,
        pending: Pending,
        scope: Scope,
        parts: &http::response::Parts,
        body: Bytes,
        etag: http::HeaderValue,
    ) {
        let mut entries = self.entries.lock().expect("answer cache lock");
        let current = self.counts();
        if pending.counts.of(scope) != current.of(scope)
            || self.generation.load(Ordering::SeqCst) != pending.generation
        {
            return;
        }
        if entries.map.len() >= MAX_ENTRIES || entries.bytes + body.len() > MAX_BYTES {
            // Only answers read under the current counts are worth anything.
            entries
                .map
                .retain(|_, kept| current.of(kept.scope) == kept.count);
            entries.bytes = entries.map.values().map(|k| k.body.len()).sum();
        }
        if entries.map.len() >= MAX_ENTRIES || entries.bytes + body.len() > MAX_BYTES {
            return;
        }
        entries.bytes += body.len();
        self.kept.fetch_add(1, Ordering::Relaxed);
        let kept = Kept {
            status: parts.status,
            headers: parts.headers.clone(),
            body,
            scope,
            count: current.of(scope),
            etag,
        };
        if let Some(old) = entries.map.insert(pending.key, kept) {
            entries.bytes -= old.body.len();
        }
    }
}
