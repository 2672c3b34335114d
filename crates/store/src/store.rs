//! The store trait.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use scimhub_schema::datetime::DateTime;

use crate::error::Result;
use crate::model::{
    Member, NewResource, NewTenant, ResourceId, StoredResource, Tenant, TenantId, TenantUpdate,
    TokenHash, Update, Version,
};
use crate::query::{Expr, Page, Query};

/// Where tenants, resources and memberships live.
///
/// Every data method takes the tenant first and sees nothing outside it:
/// a resource id of one tenant is not found through another. Resources
/// are JSON documents with an id, a resource type, a version and
/// timestamps; the store interprets documents only as far as the query
/// model asks it to.
///
/// Implementations must be safe to call from many tasks at once. The
/// conformance kit (`testkit` feature) defines the expected behaviour;
/// [`MemoryStore`](crate::MemoryStore) is the reference.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    // --- tenants ---------------------------------------------------------

    /// Creates a tenant. Fails with `TenantExists` if the name is taken.
    async fn create_tenant(&self, tenant: NewTenant) -> Result<Tenant>;

    /// A tenant by name.
    async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>>;

    /// The tenant whose current token, or previous token still within its
    /// grace period at `now`, has this hash.
    async fn tenant_by_token(&self, token: &TokenHash, now: DateTime) -> Result<Option<Tenant>>;

    /// Every tenant, ordered by name.
    async fn tenants(&self) -> Result<Vec<Tenant>>;

    /// Changes a tenant's token, domains or limits. Fails with `NotFound`.
    async fn update_tenant(&self, id: &TenantId, update: TenantUpdate) -> Result<Tenant>;

    /// Deletes a tenant and everything it holds. Fails with `NotFound`.
    async fn delete_tenant(&self, id: &TenantId) -> Result<()>;

    /// Records that the tenant made a request at `at` (for statistics).
    /// Stores may apply this lazily; it never fails a request.
    async fn record_request(&self, id: &TenantId, at: DateTime) -> Result<()>;

    // --- resources -------------------------------------------------------

    /// Creates a resource with a new id, version 1, and both timestamps
    /// set to now, together with its initial members (groups).
    ///
    /// Atomic: fails with `Uniqueness` (naming the attribute) if another
    /// resource of the type holds one of `unique`'s values, and with
    /// `InvalidReference` if a member id names no user or group of the
    /// tenant; nothing is stored then.
    async fn create(&self, tenant: &TenantId, resource: NewResource) -> Result<StoredResource>;

    /// A resource by type and id.
    async fn get(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
    ) -> Result<Option<StoredResource>>;

    /// A resource by type and id, with the groups it is a direct member of
    /// (as [`Store::groups_of`] orders them): what rendering a user
    /// needs, in one round trip where the backend allows.
    async fn get_with_groups(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
    ) -> Result<Option<(StoredResource, Vec<StoredResource>)>> {
        match self.get(tenant, resource_type, id).await? {
            Some(r) => {
                let groups = self.groups_of(tenant, &r.id).await?;
                Ok(Some((r, groups)))
            }
            None => Ok(None),
        }
    }

    /// Applies `update` atomically and returns the resource at its next
    /// version, with `last_modified` set to now.
    ///
    /// With `expected`, fails with `VersionConflict` unless the stored
    /// version is exactly that: a stale writer never overwrites a newer
    /// version. Without it the change applies to whatever is stored (the
    /// protocol uses this only for membership edits, which do not depend
    /// on the document). Fails with `NotFound`, `Uniqueness` or
    /// `InvalidReference` as [`Store::create`] does; nothing changes then.
    async fn update(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
        expected: Option<Version>,
        update: Update,
    ) -> Result<StoredResource>;

    /// Deletes a resource and every membership it takes part in (as a
    /// group and as a member). With `expected`, only at that version.
    async fn delete(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
        expected: Option<Version>,
    ) -> Result<()>;

    /// Resources matching a query, with the total count.
    async fn list(&self, tenant: &TenantId, query: &Query) -> Result<Page>;

    /// [`Store::list`] with the groups of each resource on the page, as
    /// [`Store::groups_of_many`] gives them: what rendering a page of
    /// users needs, read together where the backend allows.
    async fn list_with_groups(
        &self,
        tenant: &TenantId,
        query: &Query,
    ) -> Result<(Page, HashMap<ResourceId, Vec<StoredResource>>)> {
        let page = self.list(tenant, query).await?;
        let ids: Vec<ResourceId> = page.resources.iter().map(|r| r.id.clone()).collect();
        let groups = if ids.is_empty() {
            HashMap::new()
        } else {
            self.groups_of_many(tenant, &ids).await?
        };
        Ok((page, groups))
    }

    /// How many resources of a type match `filter`.
    async fn count(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        filter: Option<&Expr>,
    ) -> Result<u64>;

    // --- memberships -----------------------------------------------------

    /// Up to `limit` members of a group, ordered by member id, after the
    /// member id `after`. Reading a page costs the same whatever the size
    /// of the group.
    async fn members(
        &self,
        tenant: &TenantId,
        group: &ResourceId,
        after: Option<&ResourceId>,
        limit: usize,
    ) -> Result<Vec<Member>>;

    /// The number of members of a group.
    async fn member_count(&self, tenant: &TenantId, group: &ResourceId) -> Result<u64>;

    /// Which of `candidates` are direct members of `group`: one index
    /// probe per candidate, whatever the size of the group or the number
    /// of groups each candidate belongs to. What a membership edit checks
    /// to leave out adds of present members and removes of absent ones.
    async fn members_among(
        &self,
        tenant: &TenantId,
        group: &ResourceId,
        candidates: &[ResourceId],
    ) -> Result<HashSet<ResourceId>> {
        let mut out = HashSet::new();
        for c in candidates {
            if self
                .groups_of(tenant, c)
                .await?
                .iter()
                .any(|g| g.id == *group)
            {
                out.insert(c.clone());
            }
        }
        Ok(out)
    }

    /// The groups a user or group is a direct member of, ordered by id.
    async fn groups_of(
        &self,
        tenant: &TenantId,
        member: &ResourceId,
    ) -> Result<Vec<StoredResource>>;

    /// The groups of each of `members` (a page of users, say), keyed by
    /// member id; members without groups are absent from the map. One
    /// round trip where the backend allows, instead of one per member.
    async fn groups_of_many(
        &self,
        tenant: &TenantId,
        members: &[ResourceId],
    ) -> Result<HashMap<ResourceId, Vec<StoredResource>>> {
        let mut out = HashMap::new();
        for m in members {
            let groups = self.groups_of(tenant, m).await?;
            if !groups.is_empty() {
                out.insert(m.clone(), groups);
            }
        }
        Ok(out)
    }

    // --- sessions --------------------------------------------------------

    /// A handle on this store for one request whose reads share one
    /// snapshot, or `None` where the backend gains nothing from it (the
    /// caller then uses the store itself).
    ///
    /// Reads through the handle see the store as it was at one moment
    /// after the handle was made: the first read takes that snapshot and
    /// later reads use it, so that, say, a token check and the read it
    /// guards cost one read transaction instead of two. A write through
    /// the handle first ends the snapshot, so its later reads see the
    /// write; dropping the handle ends it too. Writes through other
    /// handles are not seen until then.
    ///
    /// Keep a session for one short unit of work, and do not hold one
    /// while waiting on something slow (a client still sending): while it
    /// holds a snapshot a backend may keep old versions of pages alive
    /// (SQLite cannot checkpoint its write-ahead log past an open read
    /// transaction).
    fn session(&self) -> Option<Arc<dyn Store>> {
        None
    }

    // --- operations ------------------------------------------------------

    /// Checks that the backend answers (for readiness probes).
    async fn ping(&self) -> Result<()>;

    /// Flushes and closes; later calls may fail.
    async fn close(&self) -> Result<()> {
        Ok(())
    }
}
