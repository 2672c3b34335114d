//! The store's own threads (the writer and the checkpoint thread): named,
//! and on Linux under the `SCHED_BATCH` scheduling policy.
//!
//! Under `SCHED_BATCH` a thread has the same share of the CPU as any
//! other, but its wake-ups do not preempt the thread running. A request
//! that hands its command to the writer wakes it; on a core that also
//! runs the request's worker, the writer would otherwise take the core at
//! once and commit that one command alone, while the worker had more
//! requests ready to queue. Now the writer runs when the worker waits (or
//! at the end of its time slice) and commits everything queued by then.
//! Elsewhere, or when the system refuses, the threads keep the default
//! policy.

use std::thread::JoinHandle;

/// Starts the thread `name` running `f`.
pub(crate) fn spawn<F>(name: &str, f: F) -> std::io::Result<JoinHandle<()>>
where
    F: FnOnce() + Send + 'static,
{
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            batch_policy();
            f();
        })
}

/// Puts the calling thread under `SCHED_BATCH` (see the module).
fn batch_policy() {
    #[cfg(target_os = "linux")]
    {
        use thread_priority::{
            NormalThreadSchedulePolicy, ThreadPriority, ThreadPriorityOsValue,
            ThreadSchedulePolicy, set_thread_priority_and_policy, thread_native_id,
        };
        // Normal policies take a niceness as their priority: 0, the
        // default, here.
        let batch = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch);
        let nice = ThreadPriority::Os(ThreadPriorityOsValue::default());
        if let Err(e) = set_thread_priority_and_policy(thread_native_id(), nice, batch) {
            tracing::debug!(error = ?e, "SQLite thread keeps the default scheduling policy");
        }
    }
}
