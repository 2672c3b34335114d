//! Checkpoints off the writer's path.
//!
//! In WAL mode every commit appends pages to the `-wal` file, and a
//! checkpoint copies them back into the database file (and syncs both).
//! By default SQLite runs that checkpoint inside the commit that crosses
//! the threshold, so the writer — and every caller queued behind it —
//! waits for the copy and two syncs. Here the writer only notes how
//! large the log has grown (SQLite's WAL hook) and, each time it has
//! grown by the policy's `frames`, wakes a thread of its own, which
//! checkpoints on a connection of its own while the writer goes on
//! committing. The checkpoints are `PASSIVE`: they copy what no reader
//! still needs and never block readers or the writer.
//!
//! The log starts over from its beginning only once every frame in it
//! has been copied, and a writer that never pauses keeps adding frames
//! while the thread copies. So the thread repeats its pass (each one
//! copies what arrived during the last, and they shorten quickly) until
//! a short tail is left, and the writer copies that tail itself after
//! its next commit: a small copy, after which its next transaction
//! starts the log over and the file stops growing.
//!
//! If the thread falls behind (a reader pinning an old snapshot, a slow
//! disk), the writer checkpoints itself once the log reaches the
//! backstop, as SQLite would, so the log stays bounded.
//!
//! When the writer has been quiet for the policy's `idle` time and the
//! log holds frames not yet copied, the thread copies them all. Readers
//! then find every page in the database file (SQLite's reads skip the
//! log once it is wholly copied: no lookup of each page in the log's
//! index), and the writer's next commit starts the log over.

use std::cell::Cell;
use std::os::raw::c_int;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use rusqlite::Connection;
use rusqlite::hooks::Wal;
use scimhub_store::{Error, Result};

use super::{conn, threads};

/// When to checkpoint, in WAL frames (one frame is one page).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    /// The log size at which the checkpoint thread is woken. Large enough
    /// that a page written by many commits is copied once rather than
    /// many times.
    pub(crate) frames: i32,
    /// The log size at which the writer checkpoints itself.
    pub(crate) backstop: i32,
    /// How long the writer must have committed nothing before the thread
    /// copies the whole log.
    pub(crate) idle: Duration,
}

impl Policy {
    /// 8,000 frames (32 MiB of 4 KiB pages), backstop four times that;
    /// the whole log copied after 100 ms without a commit.
    pub(crate) const DEFAULT: Policy = Policy {
        frames: 8_000,
        backstop: 32_000,
        idle: Duration::from_millis(100),
    };
}

thread_local! {
    /// The log size the WAL hook last reported on this thread (the
    /// writer's: the hook runs inside its COMMIT).
    static WAL_FRAMES: Cell<i32> = const { Cell::new(0) };
}

/// The WAL hook: records the log size for the writer loop to read. (A
/// hook is a plain function, so it hands its figure over through the
/// committing thread.)
fn note_frames(_: &Wal, frames: c_int) -> rusqlite::Result<()> {
    WAL_FRAMES.with(|f| f.set(frames));
    Ok(())
}

/// Installs the hook on the writer's connection. It replaces SQLite's
/// automatic checkpoints on that connection.
pub(crate) fn watch(conn: &Connection) {
    conn.wal_hook(Some(note_frames));
}

/// The log size reported by the last commit on this thread, cleared.
fn take_frames() -> i32 {
    WAL_FRAMES.with(|f| f.replace(0))
}

/// What [`Checkpointer::counts`] reports.
#[cfg(test)]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) runs: u64,
    pub(crate) tails: u64,
    pub(crate) backstops: u64,
    pub(crate) restarts: u64,
    pub(crate) idle: u64,
}

#[derive(Default)]
struct State {
    requested: bool,
    stop: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    /// Set by the thread when it has copied all but a short tail of the
    /// log; the writer then copies the tail itself, so that its next
    /// transaction can start the log over.
    caught_up: AtomicBool,
    /// Checkpoint passes run by the thread.
    runs: AtomicU64,
    /// Commits that wrote to the log (the writer's count).
    commits: AtomicU64,
    /// Whether the log may hold frames not yet copied: set by the writer
    /// when it commits, cleared by the thread when a checkpoint in a quiet
    /// spell has copied them all.
    dirty: AtomicBool,
    /// Checkpoints run by the thread after the writer fell quiet that
    /// copied the whole log.
    idle_runs: AtomicU64,
}

/// The checkpoint thread and the writer's side of the policy.
pub(crate) struct Checkpointer {
    policy: Policy,
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// The log size when the thread was last woken, 0 since the log
    /// started over (the writer's).
    woken_at: AtomicI32,
    /// Checkpoints the writer ran itself: tails after the thread caught
    /// up, and backstops.
    tails: AtomicU64,
    backstops: AtomicU64,
    /// The log size the last commit left, and how many times a commit
    /// found the log started over.
    last_frames: AtomicI32,
    restarts: AtomicU64,
}

impl Checkpointer {
    /// Starts the thread on a connection of its own to `path`.
    pub(crate) fn start(path: &Path, policy: Policy) -> Result<Checkpointer> {
        let conn = conn::open(path, false)?;
        let shared = Arc::new(Shared::default());
        let theirs = Arc::clone(&shared);
        let thread = threads::spawn("scimhub-sqlite-checkpoint", move || {
            run(&conn, &theirs, policy)
        })
        .map_err(|e| Error::unavailable("cannot start the SQLite checkpoint thread", e))?;
        Ok(Checkpointer {
            policy,
            shared,
            thread: Mutex::new(Some(thread)),
            woken_at: AtomicI32::new(0),
            tails: AtomicU64::new(0),
            backstops: AtomicU64::new(0),
            last_frames: AtomicI32::new(0),
            restarts: AtomicU64::new(0),
        })
    }

    /// Called by the writer, on its thread, after each group's commit:
    /// reads the log size the commit left (none when the hook did not run:
    /// nothing was written) and acts on it.
    pub(crate) fn committed(&self, conn: &Connection) {
        let frames = take_frames();
        if frames <= 0 {
            return;
        }
        self.shared.commits.fetch_add(1, Ordering::SeqCst);
        if !self.shared.dirty.swap(true, Ordering::SeqCst) {
            // The log was wholly copied: wake the thread to watch for
            // the next quiet spell (once per spell, not per commit).
            let _state = self.shared.state.lock();
            self.shared.wake.notify_one();
        }
        // A log shorter than after the last commit has started over.
        if frames < self.last_frames.swap(frames, Ordering::Relaxed) {
            self.restarts.fetch_add(1, Ordering::Relaxed);
            self.woken_at.store(0, Ordering::Relaxed);
        }
        let inline = if self.shared.caught_up.swap(false, Ordering::AcqRel) {
            Some(&self.tails)
        } else if frames >= self.policy.backstop {
            Some(&self.backstops)
        } else {
            None
        };
        if let Some(count) = inline {
            count.fetch_add(1, Ordering::Relaxed);
            if let Err(e) = checkpoint(conn) {
                tracing::warn!(error = %e, frames, "SQLite writer could not checkpoint");
            }
        } else if frames.saturating_sub(self.woken_at.load(Ordering::Relaxed)) >= self.policy.frames
        {
            self.woken_at.store(frames, Ordering::Relaxed);
            let mut state = self.shared.state.lock();
            state.requested = true;
            self.shared.wake.notify_one();
        }
    }

    /// Checkpoint passes run by the thread; tails and backstops run by
    /// the writer; times the log started over.
    #[cfg(test)]
    pub(crate) fn counts(&self) -> Counts {
        Counts {
            runs: self.shared.runs.load(Ordering::Relaxed),
            tails: self.tails.load(Ordering::Relaxed),
            backstops: self.backstops.load(Ordering::Relaxed),
            restarts: self.restarts.load(Ordering::Relaxed),
            idle: self.shared.idle_runs.load(Ordering::Relaxed),
        }
    }

    /// Stops the thread (a checkpoint in progress finishes first).
    pub(crate) fn stop(&self) {
        {
            let mut state = self.shared.state.lock();
            state.stop = true;
            self.shared.wake.notify_one();
        }
        if let Some(t) = self.thread.lock().take() {
            let _ = t.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Passes per wake-up at most: each copies what the writer added during
/// the one before, so they shorten quickly.
const MAX_PASSES: u32 = 6;

fn run(conn: &Connection, shared: &Shared, policy: Policy) {
    // A tail this short is left to the writer: a thirty-second of the
    // interval, and at least 64 frames (256 KiB), which it copies quickly.
    let short = i64::from((policy.frames / 32).max(64));
    loop {
        match wait(shared, policy.idle) {
            Wake::Stop => return,
            Wake::Quiet => copy_all(conn, shared),
            Wake::Requested => {
                for _ in 0..MAX_PASSES {
                    match checkpoint(conn) {
                        Ok(Some(left)) => {
                            shared.runs.fetch_add(1, Ordering::Relaxed);
                            if left <= short {
                                shared.caught_up.store(true, Ordering::Release);
                                break;
                            }
                        }
                        // Someone else is checkpointing: the next wake-up
                        // tries again.
                        Ok(None) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "SQLite checkpoint failed");
                            break;
                        }
                    }
                }
            }
        }
    }
}

/// Why the thread woke.
enum Wake {
    Stop,
    /// The writer asked for a checkpoint (the log grew by the interval).
    Requested,
    /// The log holds frames not yet copied and the writer has committed
    /// nothing for the idle time.
    Quiet,
}

fn wait(shared: &Shared, idle: Duration) -> Wake {
    let mut state = shared.state.lock();
    loop {
        if state.stop {
            return Wake::Stop;
        }
        if state.requested {
            state.requested = false;
            return Wake::Requested;
        }
        if shared.dirty.load(Ordering::SeqCst) {
            let seen = shared.commits.load(Ordering::SeqCst);
            let timed_out = shared.wake.wait_for(&mut state, idle).timed_out();
            if timed_out
                && !state.stop
                && !state.requested
                && shared.commits.load(Ordering::SeqCst) == seen
            {
                return Wake::Quiet;
            }
        } else {
            shared.wake.wait(&mut state);
        }
    }
}

/// Copies the whole log while the writer is quiet. When a reader still
/// needs some of it, or another connection is checkpointing, the log
/// stays marked and the next quiet spell tries again.
fn copy_all(conn: &Connection, shared: &Shared) {
    let seen = shared.commits.load(Ordering::SeqCst);
    match checkpoint(conn) {
        Ok(Some(0)) => {
            shared.idle_runs.fetch_add(1, Ordering::Relaxed);
            // Nothing is left for the writer to copy.
            shared.caught_up.store(false, Ordering::Release);
            shared.dirty.store(false, Ordering::SeqCst);
            // A commit since `seen` may have added frames after the copy;
            // its writer found the log still marked and did not wake us.
            if shared.commits.load(Ordering::SeqCst) != seen {
                shared.dirty.store(true, Ordering::SeqCst);
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "SQLite checkpoint failed"),
    }
}

/// A `PASSIVE` checkpoint: copies what it can without waiting for anyone.
/// Returns the frames of the log it left uncopied, or `None` when another
/// connection (another process's, perhaps) was checkpointing.
fn checkpoint(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row("PRAGMA main.wal_checkpoint(PASSIVE)", [], |r| {
        let busy: i64 = r.get(0)?;
        let log: i64 = r.get(1)?;
        let copied: i64 = r.get(2)?;
        Ok((busy == 0 && log >= 0 && copied >= 0).then(|| log.saturating_sub(copied)))
    })
}
