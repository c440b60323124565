//! The threads that serve connections: a single-threaded tokio runtime on each
//! (`--connection-threads`, by default one per core). The accept loop hands each new
//! connection to the next thread in turn; from then on the connection, its requests and
//! the tasks of the components without a database that answer them run on that thread.
//!
//! Why: on one work-stealing runtime a request's tasks move between workers. A component
//! runs in a task of its own and hands its response back through a channel, which wakes
//! the connection's task, often on the other core (or a parked worker, woken with an
//! `eventfd` write and a context switch). Kept on one thread, a connection's buffers, its
//! instance's memory and the kept answers stay in one core's caches: a catalog page costs
//! about a quarter less CPU, spread over every part of it (docs/performance-profile.md).
//!
//! The components with a database (the writer) still run on the process's work-stealing
//! runtime (`App::serve_within`): their work waits for the one batch connection, and
//! pinned to the thread of the connection that asked, one thread's requests would queue
//! behind it while the other thread idles (orders through the pages lost 13% of their
//! rate that way). The database, the instance pools and the answer cache are shared by
//! every thread; a commit still runs on a blocking thread.

use super::Server;
use super::connection::{self, Tracked};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

/// A connection on its way to a thread. The hand-over channels are unbounded in type but
/// hold at most `--max-connections` of these between them: each carries its connection's
/// permit.
struct Handed {
    stream: std::net::TcpStream,
    client: SocketAddr,
    permit: OwnedSemaphorePermit,
    tracked: Option<Tracked>,
}

/// The connection threads of one server.
pub struct ConnectionThreads {
    senders: Vec<mpsc::UnboundedSender<Handed>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// The thread the next connection goes to.
    next: usize,
}

impl ConnectionThreads {
    /// Starts `count` threads (validated: at least one) serving for `server`.
    pub fn start(server: &Arc<Server>, count: usize) -> anyhow::Result<ConnectionThreads> {
        let mut senders = Vec::new();
        let mut threads = Vec::new();
        for n in 0..count {
            let (tx, mut rx) = mpsc::unbounded_channel::<Handed>();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| anyhow::anyhow!("cannot start a connection thread's runtime: {e}"))?;
            let server = server.clone();
            let thread = std::thread::Builder::new()
                .name(format!("connections-{n}"))
                .spawn(move || {
                    runtime.block_on(async move {
                        while let Some(h) = rx.recv().await {
                            match tokio::net::TcpStream::from_std(h.stream) {
                                Ok(stream) => drop(tokio::spawn(connection::serve(
                                    server.clone(),
                                    stream,
                                    h.client,
                                    h.permit,
                                    h.tracked,
                                ))),
                                Err(e) => tracing::warn!("a connection could not be served: {e}"),
                            }
                        }
                    });
                })
                .map_err(|e| anyhow::anyhow!("cannot start a connection thread: {e}"))?;
            senders.push(tx);
            threads.push(thread);
        }
        Ok(ConnectionThreads {
            senders,
            threads,
            next: 0,
        })
    }

    /// Hands an accepted connection to the next thread.
    pub fn hand(
        &mut self,
        stream: tokio::net::TcpStream,
        client: SocketAddr,
        permit: OwnedSemaphorePermit,
        tracked: Option<Tracked>,
    ) {
        let stream = match stream.into_std() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("a connection could not be handed to its thread: {e}");
                return;
            }
        };
        let n = self.next;
        self.next = (n + 1) % self.senders.len();
        let handed = Handed {
            stream,
            client,
            permit,
            tracked,
        };
        if self.senders[n].send(handed).is_err() {
            tracing::warn!("connection thread {n} has stopped; a connection was dropped");
        }
    }

    /// Stops taking connections and waits for the threads to end (their runtimes drop
    /// whatever connection is still open: called once the drain is over).
    pub async fn stop(self) {
        drop(self.senders);
        let threads = self.threads;
        let _ = tokio::task::spawn_blocking(move || {
            for t in threads {
                let _ = t.join();
            }
        })
        .await;
    }
}
