//! Per-tenant request-rate limiting.
//!
//! Off by default: an identity provider paces itself (Microsoft Entra ID
//! asks gallery applications to accept at least 25 requests per second per
//! tenant, and its initial cycle is the busiest a tenant gets), and a limit
//! set too low would stall exactly that initial sync. Operators who host
//! many tenants on one deployment set a limit per tenant (`scimhub tenant
//! set-rate-limit`) or a server-wide default (`rate_limit` in the
//! configuration file); over it a tenant gets 429 with `Retry-After` while
//! the other tenants are unaffected.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};
use parking_lot::Mutex;
use scimhub_store::TenantId;

/// Each tenant's rate and bucket.
type Buckets = HashMap<TenantId, (u32, Arc<DefaultDirectRateLimiter>)>;

/// Token buckets, one per tenant, each with its tenant's rate.
#[derive(Clone, Default)]
pub struct RateLimits {
    default_rate: Option<u32>,
    buckets: Arc<Mutex<Buckets>>,
}

impl RateLimits {
    /// Limits with a default rate for tenants that set none (`None`: no
    /// limit).
    pub fn new(default_rate: Option<u32>) -> RateLimits {
        RateLimits {
            default_rate,
            buckets: Arc::default(),
        }
    }

    /// Admits one request of `tenant`, whose own limit is `rate` (requests
    /// per second, bursts of twice that). Over the limit, returns how long
    /// to wait.
    pub fn check(&self, tenant: &TenantId, rate: Option<u32>) -> Result<(), Duration> {
        let Some(rate) = rate.or(self.default_rate).and_then(NonZeroU32::new) else {
            return Ok(());
        };
        let limiter = {
            let mut buckets = self.buckets.lock();
            match buckets.get(tenant) {
                Some((r, l)) if *r == rate.get() => Arc::clone(l),
                _ => {
                    let burst = rate.saturating_mul(NonZeroU32::MIN.saturating_add(1));
                    let l = Arc::new(DefaultDirectRateLimiter::direct(
                        Quota::per_second(rate).allow_burst(burst),
                    ));
                    buckets.insert(tenant.clone(), (rate.get(), Arc::clone(&l)));
                    l
                }
            }
        };
        limiter
            .check()
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_one_tenant_and_not_the_others() {
        let limits = RateLimits::new(None);
        let a = TenantId::new("a").unwrap();
        let b = TenantId::new("b").unwrap();
        // Bursts of twice the rate pass, then the tenant waits.
        for _ in 0..10 {
            assert!(limits.check(&a, Some(5)).is_ok());
        }
        let wait = limits.check(&a, Some(5)).unwrap_err();
        assert!(wait <= Duration::from_millis(250), "{wait:?}");
        // Another tenant, and tenants without a limit, are unaffected.
        assert!(limits.check(&b, Some(5)).is_ok());
        for _ in 0..1000 {
            assert!(limits.check(&b, None).is_ok());
        }
        // A server-wide default applies to tenants without their own.
        let limits = RateLimits::new(Some(1));
        assert!(limits.check(&a, None).is_ok());
        assert!(limits.check(&a, None).is_ok());
        assert!(limits.check(&a, None).is_err());
    }
}
