//! A response body written while it is produced, for answers too large to hold (the
//! owner's CSV export): a handler returns a [`Resp`](super::Resp) whose `stream` is a
//! [`BodyStream`]; [`super::incoming::write`] sends the status and headers first, then lets
//! the stream write its body in chunks of at most [`CHUNK_BYTES`] into [`Chunks`], and
//! finishes the body when it returns. Once the head is sent the status is final: a stream
//! that fails part-way ends the body early, saying so in the body's own terms.

use futures::future::LocalBoxFuture;
use futures::{Sink, SinkExt as _};
use std::pin::Pin;
use std::rc::Rc;

/// Most bytes handed to the outgoing body in one write.
pub const CHUNK_BYTES: usize = 4096;

/// What writes a streamed body.
pub trait BodyStream {
    /// Writes the whole body into `out`; returning ends it.
    fn write_to<'a>(&'a self, out: &'a mut Chunks) -> LocalBoxFuture<'a, ()>;
}

/// A [`BodyStream`] a [`super::Resp`] can carry (and clone, and print).
#[derive(Clone)]
pub struct Streamed(pub Rc<dyn BodyStream>);

impl std::fmt::Debug for Streamed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Streamed(..)")
    }
}

/// The outgoing body, written in chunks of at most [`CHUNK_BYTES`] (a failed write says
/// why in words: the client went away, the stream closed).
pub struct Chunks {
    sink: Pin<Box<dyn Sink<Vec<u8>, Error = String>>>,
}

impl Chunks {
    pub fn new(sink: impl Sink<Vec<u8>, Error = String> + 'static) -> Chunks {
        Chunks {
            sink: Box::pin(sink),
        }
    }

    /// Sends `bytes`, a chunk at a time, each flushed before the next.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), String> {
        for chunk in bytes.chunks(CHUNK_BYTES) {
            self.sink.send(chunk.to_vec()).await?;
        }
        Ok(())
    }
}
