//! `last_request_at`, recorded lazily: every SCIM request reports one,
//! so the stores keep the latest instant per tenant in memory, answer
//! reads from it, and write it to the database at most about once a
//! second (and on close).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use scimhub_schema::datetime::DateTime;
use scimhub_store::TenantId;

/// How often recorded requests are written out.
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// The latest request instant per tenant, seen by this process.
#[derive(Debug)]
pub(crate) struct RequestClock {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    seen: HashMap<TenantId, DateTime>,
    dirty: HashSet<TenantId>,
    written: HashMap<TenantId, Instant>,
    last_flush: Instant,
}

impl RequestClock {
    pub(crate) fn new() -> RequestClock {
        RequestClock {
            inner: Mutex::new(Inner {
                seen: HashMap::new(),
                dirty: HashSet::new(),
                written: HashMap::new(),
                last_flush: Instant::now(),
            }),
        }
    }

    /// Records a request; returns what to write now, if a flush is due.
    pub(crate) fn record(
        &self,
        tenant: &TenantId,
        at: DateTime,
    ) -> Option<Vec<(TenantId, DateTime)>> {
        let mut inner = self.inner.lock();
        let newer = inner.seen.get(tenant).is_none_or(|t| *t < at);
        if newer {
            inner.seen.insert(tenant.clone(), at);
            inner.dirty.insert(tenant.clone());
        }
        // A tenant not written for a while is written at once, so that a
        // quiet tenant's last request reaches the database (and the other
        // processes reading it) without waiting for another request.
        let stale = inner
            .written
            .get(tenant)
            .is_none_or(|w| w.elapsed() >= FLUSH_EVERY);
        if newer && stale {
            inner.dirty.remove(tenant);
            inner.written.insert(tenant.clone(), Instant::now());
            return Some(vec![(tenant.clone(), at)]);
        }
        if inner.last_flush.elapsed() >= FLUSH_EVERY {
            inner.last_flush = Instant::now();
            Some(take(&mut inner))
        } else {
            None
        }
    }

    /// Everything not yet written.
    pub(crate) fn drain(&self) -> Vec<(TenantId, DateTime)> {
        take(&mut self.inner.lock())
    }

    /// The latest of `stored` and what this process saw.
    pub(crate) fn merge(&self, tenant: &TenantId, stored: Option<DateTime>) -> Option<DateTime> {
        let seen = self.inner.lock().seen.get(tenant).copied();
        match (stored, seen) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Forgets a deleted tenant.
    pub(crate) fn forget(&self, tenant: &TenantId) {
        let mut inner = self.inner.lock();
        inner.seen.remove(tenant);
        inner.dirty.remove(tenant);
        inner.written.remove(tenant);
    }
}

fn take(inner: &mut Inner) -> Vec<(TenantId, DateTime)> {
    let dirty: Vec<TenantId> = inner.dirty.drain().collect();
    dirty
        .into_iter()
        .filter_map(|t| inner.seen.get(&t).map(|at| (t, *at)))
        .collect()
}
