//! The one writer thread: it receives write commands over a channel and
//! commits them in groups. It drains whatever is queued, runs each
//! command inside its own SAVEPOINT within one transaction (a failing
//! command rolls back to its savepoint and fails alone; a command alone
//! in its group runs without one, and its failure rolls the transaction
//! back), commits once, and only then answers each caller. Checkpoints
//! are left to a thread of their own (see [`super::checkpoint`]).

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;

use parking_lot::Mutex;
use rusqlite::Connection;
use scimhub_store::{Error, ErrorKind, Result};

use super::checkpoint::{self, Checkpointer, Policy};
use super::{conn, threads};

/// At most this many commands share one transaction.
const MAX_GROUP: usize = 1_024;

/// Called after the group's COMMIT, with its failure if it failed.
type Reply = Box<dyn FnOnce(Option<Arc<rusqlite::Error>>) + Send>;
/// A command: runs on the writer's connection (`None` when no
/// transaction could be started), says whether it succeeded, and returns
/// how to answer its caller.
type Work = Box<dyn FnOnce(Option<&Connection>) -> (bool, Reply) + Send>;

enum Msg {
    Work(Work),
    Stop,
}

/// The handle to the writer thread.
pub(crate) struct Writer {
    tx: Sender<Msg>,
    thread: Mutex<Option<JoinHandle<()>>>,
    checkpointer: Arc<Checkpointer>,
}

impl Writer {
    /// Starts the thread on `conn`, a connection to `path` (set up for
    /// writing here), and the checkpoint thread beside it.
    pub(crate) fn start(conn: Connection, path: &Path, policy: Policy) -> Result<Writer> {
        conn::for_writing(&conn)?;
        let checkpointer = Arc::new(Checkpointer::start(path, policy)?);
        checkpoint::watch(&conn);
        let (tx, rx) = channel();
        let theirs = Arc::clone(&checkpointer);
        let thread = threads::spawn("scimhub-sqlite-writer", move || run(&conn, &rx, &theirs))
            .map_err(|e| Error::unavailable("cannot start the SQLite writer thread", e))?;
        Ok(Writer {
            tx,
            thread: Mutex::new(Some(thread)),
            checkpointer,
        })
    }

    /// The checkpoint thread's side of the writer.
    #[cfg(test)]
    pub(crate) fn checkpointer(&self) -> &Checkpointer {
        &self.checkpointer
    }

    /// Runs `f` in the writer's transaction and waits for the commit.
    pub(crate) async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (reply_tx, reply_rx) = tokio::sync::oneshot::channel();
        let work: Work = Box::new(move |conn| {
            let result = match conn {
                Some(conn) => f(conn),
                None => Err(busy()),
            };
            let ok = result.is_ok();
            let reply: Reply = Box::new(move |commit| {
                let out = match (result, commit) {
                    (Ok(v), None) => Ok(v),
                    (Ok(_), Some(e)) => Err(Error::unavailable("the SQLite commit failed", e)),
                    (Err(e), _) => Err(e),
                };
                let _ = reply_tx.send(out);
            });
            (ok, reply)
        });
        self.tx.send(Msg::Work(work)).map_err(|_| closed())?;
        reply_rx.await.map_err(|_| closed())?
    }

    /// Queues `f` without waiting for it.
    pub(crate) fn spawn<F>(&self, f: F)
    where
        F: FnOnce(&Connection) -> Result<()> + Send + 'static,
    {
        let work: Work = Box::new(move |conn| {
            let ok = conn.is_some_and(|c| f(c).is_ok());
            (ok, Box::new(|_| {}))
        });
        let _ = self.tx.send(Msg::Work(work));
    }

    /// Finishes queued commands and stops the thread, then the
    /// checkpoint thread.
    pub(crate) fn stop(&self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.lock().take() {
            let _ = t.join();
        }
        self.checkpointer.stop();
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn busy() -> Error {
    Error::new(
        ErrorKind::Unavailable,
        "the SQLite database is locked by another process or cannot start a transaction",
    )
}

fn closed() -> Error {
    Error::new(ErrorKind::Unavailable, "the SQLite store is closed")
}

fn run(conn: &Connection, rx: &Receiver<Msg>, checkpointer: &Checkpointer) {
    while let Ok(first) = rx.recv() {
        let mut group = Vec::new();
        let mut stop = false;
        match first {
            Msg::Work(w) => group.push(w),
            Msg::Stop => stop = true,
        }
        while !stop && group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(Msg::Work(w)) => group.push(w),
                Ok(Msg::Stop) => stop = true,
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        if !group.is_empty() {
            commit_group(conn, group);
            checkpointer.committed(conn);
        }
        if stop {
            break;
        }
    }
}

fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn commit_group(conn: &Connection, group: Vec<Work>) {
    if let Err(e) = exec(conn, "BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "SQLite writer cannot begin a transaction");
        for w in group {
            let (_, reply) = w(None);
            reply(None);
        }
        return;
    }
    // A command alone in its transaction needs no savepoint: if it fails,
    // the whole transaction is rolled back. (A savepoint also makes SQLite
    // copy each page the command changes into a statement journal first.)
    let alone = group.len() == 1;
    let mut replies = Vec::with_capacity(group.len());
    let mut failed = false;
    for w in group {
        if !alone && exec(conn, "SAVEPOINT cmd").is_err() {
            let (_, reply) = w(None);
            replies.push(reply);
            continue;
        }
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| w(Some(conn))));
        let ok = match outcome {
            Ok((ok, reply)) => {
                replies.push(reply);
                ok
            }
            // A panicking command loses its answer (its caller sees the
            // store as unavailable) but not the group.
            Err(_) => false,
        };
        if alone {
            failed = !ok;
        } else {
            if !ok {
                let _ = exec(conn, "ROLLBACK TO cmd");
            }
            let _ = exec(conn, "RELEASE cmd");
        }
    }
    if failed {
        // The one command failed: nothing of it is kept, and its reply
        // carries its own error.
        if let Err(e) = exec(conn, "ROLLBACK") {
            tracing::error!(error = %e, "SQLite writer cannot roll a failed command back");
        }
        for reply in replies {
            reply(None);
        }
        return;
    }
    let commit = exec(conn, "COMMIT").err().map(Arc::new);
    if commit.is_some() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    for reply in replies {
        reply(commit.clone());
    }
}
