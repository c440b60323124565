//! Receiving a request body before any component runs.
//!
//! The whole body is read first, so a slow uploader holds a connection but never a
//! component instance. What that costs is bounded three ways: each body is at most
//! `max_body_bytes`; it must keep arriving (a deadline of `body_timeout` + length /
//! `min_body_rate`, and at most `body_idle_timeout` between pieces); and all bodies
//! buffered in the process together fit in one byte budget (`body_memory`), taken
//! as the buffer grows, so a client that declares a megabyte and sends a few bytes
//! holds a few bytes. A body declared over the cap is discarded as it arrives, never
//! buffered, and answered `413`.

use super::limits::Limits;
use super::responses;
use bytes::Bytes;
use http::Response;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;
use wasmtime_wasi_http::WasiBody;

/// The bytes every buffered body in the process may take together.
#[derive(Clone)]
pub struct Budget(Arc<Semaphore>);

impl Budget {
    pub fn new(bytes: usize) -> Budget {
        Budget(Arc::new(Semaphore::new(bytes.min(Semaphore::MAX_PERMITS))))
    }

    /// Bytes not taken right now (for tests and logs).
    #[cfg(test)]
    fn available(&self) -> usize {
        self.0.available_permits()
    }
}

/// Why a body was not taken.
#[derive(Debug, PartialEq)]
pub enum Refused {
    /// Over the cap; `drained` when the client sent all it declared and the
    /// connection can stay open.
    TooLarge { drained: bool },
    /// Too slow, or paused too long.
    TooSlow,
    /// No room in the budget before the body's deadline.
    NoRoom,
    /// The server started to stop before the body was in.
    Draining,
    /// The connection broke or the framing was invalid.
    Broken,
}

impl Refused {
    pub fn response(&self, limits: &Limits) -> Response<WasiBody> {
        match self {
            Refused::TooLarge { drained: true } => responses::too_large(limits.max_body_bytes),
            Refused::TooLarge { drained: false } => {
                responses::closing(responses::too_large(limits.max_body_bytes))
            }
            Refused::TooSlow => responses::body_timeout(),
            Refused::NoRoom => responses::no_room_for_body(),
            Refused::Draining => responses::shutting_down(),
            Refused::Broken => responses::bad_body(),
        }
    }
}

/// A complete body and its share of the budget, given back when the component
/// (or whoever holds it) drops the body.
pub struct Buffered {
    bytes: Option<Bytes>,
    _reserved: Option<OwnedSemaphorePermit>,
}

impl Buffered {
    pub fn into_wasi_body(self) -> WasiBody {
        self.map_err(|never| match never {}).boxed_unsync()
    }
}

impl Body for Buffered {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.get_mut().bytes.take().map(|b| Ok(Frame::data(b))))
    }

    fn is_end_stream(&self) -> bool {
        self.bytes.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.bytes.as_ref().map_or(0, |b| b.len() as u64))
    }
}

/// What the body read waits on besides the client.
pub struct Reading<'a> {
    pub limits: &'a Limits,
    pub budget: &'a Budget,
    pub draining: watch::Receiver<bool>,
}

/// Reads `body` (of `declared` length, if the head said) completely, within the limits.
pub async fn read(
    mut body: Incoming,
    declared: Option<u64>,
    cx: Reading<'_>,
) -> Result<Buffered, Refused> {
    let Reading {
        limits,
        budget,
        draining,
    } = cx;
    let started = Instant::now();
    let cap = limits.max_body_bytes;
    if let Some(len) = declared.filter(|len| *len > cap as u64) {
        if len > limits.max_discard_bytes {
            return Err(Refused::TooLarge { drained: false });
        }
        let deadline = started + limits.body_deadline(len);
        let drained = discard(&mut body, deadline, limits, &draining).await;
        return Err(Refused::TooLarge { drained });
    }
    if body.is_end_stream() {
        return Ok(Buffered {
            bytes: Some(Bytes::new()),
            _reserved: None,
        });
    }
    let expected = declared.unwrap_or(cap as u64) as usize;
    let deadline = started + limits.body_deadline(expected as u64);
    let mut buffer: Vec<u8> = Vec::new();
    let mut reserved: Option<OwnedSemaphorePermit> = None;
    loop {
        let frame = tokio::select! {
            frame = next_frame(&mut body, deadline, limits) => frame?,
            () = super::stopping(draining.clone()) => return Err(Refused::Draining),
        };
        let Some(frame) = frame else { break };
        let Ok(data) = frame.into_data() else {
            continue; // trailers: components get none
        };
        let needed = buffer.len() + data.len();
        if needed > cap {
            return Err(Refused::TooLarge { drained: false });
        }
        if needed > buffer.capacity() {
            // Grow by doubling (bounded by what is expected), taking the growth
            // from the budget first: the budget counts memory actually reserved.
            let target = needed.max(buffer.capacity() * 2).min(expected.max(needed));
            let more = target - buffer.capacity();
            let permit = tokio::select! {
                permit = take(budget, more, deadline) => permit?,
                () = super::stopping(draining.clone()) => return Err(Refused::Draining),
            };
            match &mut reserved {
                Some(r) => r.merge(permit),
                None => reserved = Some(permit),
            }
            buffer.reserve_exact(target - buffer.len());
        }
        // Copied, not kept: a kept `Bytes` would pin hyper's whole read buffer.
        buffer.extend_from_slice(&data);
    }
    Ok(Buffered {
        bytes: Some(Bytes::from(buffer)),
        _reserved: reserved,
    })
}

/// The next frame, if it comes before the body's deadline and within the idle limit.
async fn next_frame(
    body: &mut Incoming,
    deadline: Instant,
    limits: &Limits,
) -> Result<Option<Frame<Bytes>>, Refused> {
    let until = deadline.min(Instant::now() + limits.body_idle_timeout);
    match tokio::time::timeout_at(until, body.frame()).await {
        Err(_) => Err(Refused::TooSlow),
        Ok(None) => Ok(None),
        Ok(Some(Ok(frame))) => Ok(Some(frame)),
        Ok(Some(Err(_))) => Err(Refused::Broken),
    }
}

/// `bytes` of the budget, waiting for room until `deadline`.
async fn take(
    budget: &Budget,
    bytes: usize,
    deadline: Instant,
) -> Result<OwnedSemaphorePermit, Refused> {
    let bytes = u32::try_from(bytes).map_err(|_| Refused::NoRoom)?;
    if let Ok(permit) = budget.0.clone().try_acquire_many_owned(bytes) {
        return Ok(permit);
    }
    match tokio::time::timeout_at(deadline, budget.0.clone().acquire_many_owned(bytes)).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(Refused::NoRoom),
    }
}

/// Reads and drops a body that will be refused, so the client gets its answer.
/// True if it all arrived in time.
async fn discard(
    body: &mut Incoming,
    deadline: Instant,
    limits: &Limits,
    draining: &watch::Receiver<bool>,
) -> bool {
    loop {
        let frame = tokio::select! {
            frame = next_frame(body, deadline, limits) => frame,
            () = super::stopping(draining.clone()) => return false,
        };
        match frame {
            Ok(Some(_)) => continue,
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_buffered_body_returns_its_bytes_to_the_budget_when_dropped() {
        let budget = Budget::new(1000);
        let permit = take(&budget, 600, Instant::now()).await.unwrap();
        assert_eq!(budget.available(), 400);
        let body = Buffered {
            bytes: Some(Bytes::from_static(b"x")),
            _reserved: Some(permit),
        };
        let collected = body.collect().await.unwrap().to_bytes();
        assert_eq!(&collected[..], b"x");
        assert_eq!(budget.available(), 1000);
    }

    #[tokio::test]
    async fn no_room_in_the_budget_is_refused_at_the_deadline() {
        let budget = Budget::new(100);
        let _held = take(&budget, 100, Instant::now()).await.unwrap();
        let deadline = Instant::now() + std::time::Duration::from_millis(20);
        assert_eq!(
            take(&budget, 1, deadline).await.unwrap_err(),
            Refused::NoRoom
        );
    }
}
