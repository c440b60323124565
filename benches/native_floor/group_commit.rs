//! Group commit for the floor: one writer thread owns the write connection; every write
//! request's work runs there in a savepoint of the open batch, and the batch ends with one
//! COMMIT (one fsync) for every request that arrived while the previous one committed.
//! No answer leaves before its batch's COMMIT returned, as the host's output gate holds them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// An HTTP answer: status and JSON body.
pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// What one request does on the write connection. An answer of 400 or more rolls its
/// savepoint back; an error does too and answers 500.
pub type Work = Box<dyn FnOnce(&rusqlite::Connection) -> rusqlite::Result<Reply> + Send>;

struct Job {
    work: Work,
    reply: oneshot::Sender<Reply>,
}

/// Batches committed so far: what a kept catalog snapshot is checked against.
pub static COMMITS: AtomicU64 = AtomicU64::new(0);

/// Requests in one batch at most, as the host bounds its batches.
const MAX_BATCH: usize = 64;

/// The handle request handlers send their work to.
#[derive(Clone)]
pub struct Committer {
    jobs: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the writer thread on `conn`.
    pub fn start(conn: rusqlite::Connection) -> Committer {
        let (jobs, queue) = mpsc::channel();
        std::thread::spawn(move || write_forever(&conn, &queue));
        Committer { jobs }
    }

    /// Runs `work` in the next batch; answers once that batch is durable.
    pub async fn run(&self, work: Work) -> Reply {
        let (reply, answer) = oneshot::channel();
        if self.jobs.send(Job { work, reply }).is_err() {
            return failed("the writer thread stopped");
        }
        answer
            .await
            .unwrap_or_else(|_| failed("the writer thread stopped"))
    }
}

fn failed(why: &str) -> Reply {
    Reply {
        status: 503,
        body: serde_json::json!({ "error": why }).to_string(),
    }
}

fn exec(conn: &rusqlite::Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// One savepoint for `job` inside the open batch.
fn one(conn: &rusqlite::Connection, job: Job) -> (oneshot::Sender<Reply>, Reply) {
    let outcome = exec(conn, "SAVEPOINT request").and_then(|()| (job.work)(conn));
    let reply = match outcome {
        Ok(reply) if reply.status < 400 => match exec(conn, "RELEASE request") {
            Ok(()) => reply,
            Err(e) => failed(&e.to_string()),
        },
        Ok(reply) => {
            let _ = exec(conn, "ROLLBACK TO request").and_then(|()| exec(conn, "RELEASE request"));
            reply
        }
        Err(e) => {
            let _ = exec(conn, "ROLLBACK TO request").and_then(|()| exec(conn, "RELEASE request"));
            failed(&e.to_string())
        }
    };
    (job.reply, reply)
}

fn write_forever(conn: &rusqlite::Connection, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        if let Err(e) = exec(conn, "BEGIN IMMEDIATE") {
            let _ = first.reply.send(failed(&e.to_string()));
            continue;
        }
        let mut done = vec![one(conn, first)];
        while done.len() < MAX_BATCH {
            let Ok(job) = queue.try_recv() else { break };
            done.push(one(conn, job));
        }
        let committed = exec(conn, "COMMIT");
        if committed.is_ok() {
            COMMITS.fetch_add(1, Ordering::Release);
        } else {
            let _ = exec(conn, "ROLLBACK");
        }
        for (reply, answer) in done {
            let answer = match &committed {
                Ok(()) => answer,
                Err(e) => failed(&e.to_string()),
            };
            let _ = reply.send(answer);
        }
    }
}
