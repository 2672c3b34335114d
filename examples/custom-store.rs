//! A custom `Store`: everything in plain vectors behind one mutex, every
//! query a linear scan. Small enough to read in one sitting, complete
//! enough to pass the conformance kit — the starting point for a store
//! over your own storage.
//!
//! `cargo run -p scimhub-examples --example custom-store`

use std::sync::Mutex;

use async_trait::async_trait;
use scimhub_schema::datetime::DateTime;
use scimhub_store::support::{
    CursorPosition, SortKey, decode_cursor, encode_cursor, order, resource_view, sort_key,
};
use scimhub_store::{
    Error, ErrorKind, Expr, Member, MemberChange, NewResource, NewTenant, Page, Pagination, Query,
    ResourceId, Result, Store, StoredResource, Tenant, TenantId, TenantUpdate, TokenHash,
    UniqueValue, Update, Version,
};
use serde_json::json;

struct Row {
    tenant: TenantId,
    seq: i64,
    resource: StoredResource,
    unique: Vec<UniqueValue>,
}

struct Membership {
    tenant: TenantId,
    group: ResourceId,
    member: ResourceId,
    kind: String,
}

#[derive(Default)]
struct State {
    tenants: Vec<Tenant>,
    rows: Vec<Row>,
    memberships: Vec<Membership>,
    next_seq: i64,
}

/// The store.
#[derive(Default)]
pub struct VecStore {
    state: Mutex<State>,
}

impl VecStore {
    /// An empty store.
    pub fn new() -> VecStore {
        VecStore::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, State>> {
        self.state
            .lock()
            .map_err(|_| Error::new(ErrorKind::Unavailable, "the store's lock is poisoned"))
    }
}

impl State {
    fn row(&self, t: &TenantId, rt: &str, id: &ResourceId) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.tenant == *t && r.resource.resource_type == rt && r.resource.id == *id)
    }

    fn row_mut(&mut self, t: &TenantId, rt: &str, id: &ResourceId) -> Option<&mut Row> {
        self.rows
            .iter_mut()
            .find(|r| r.tenant == *t && r.resource.resource_type == rt && r.resource.id == *id)
    }

    fn check_unique(
        &self,
        t: &TenantId,
        rt: &str,
        values: &[UniqueValue],
        except: Option<&ResourceId>,
    ) -> Result<()> {
        for v in values {
            let taken = self.rows.iter().any(|r| {
                r.tenant == *t
                    && r.resource.resource_type == rt
                    && Some(&r.resource.id) != except
                    && r.unique.contains(v)
            });
            if taken {
                return Err(Error::uniqueness(&v.attribute));
            }
        }
        Ok(())
    }

    fn kind_of(&self, t: &TenantId, id: &ResourceId) -> Result<String> {
        self.rows
            .iter()
            .find(|r| r.tenant == *t && r.resource.id == *id)
            .map(|r| r.resource.resource_type.clone())
            .ok_or_else(|| Error::invalid_reference(id))
    }

    fn is_member(&self, t: &TenantId, group: &ResourceId, member: &ResourceId) -> bool {
        self.memberships
            .iter()
            .any(|m| m.tenant == *t && m.group == *group && m.member == *member)
    }

    fn eval(&self, t: &TenantId, expr: &Expr, r: &StoredResource) -> bool {
        match expr {
            // This store keeps parsed values, so the view always builds.
            Expr::Filter(f) => resource_view(r).is_ok_and(|v| f.matches(&v)),
            Expr::HasMember(f) => self
                .memberships
                .iter()
                .filter(|m| m.tenant == *t && m.group == r.id)
                .any(|m| {
                    matches!(f, scimhub_filter::BoundFilter::And(v) if v.is_empty())
                        || f.matches_element(&json!({"value": m.member.as_str(), "type": m.kind}))
                }),
            Expr::MemberOf(inner) => self
                .memberships
                .iter()
                .filter(|m| m.tenant == *t && m.member == r.id)
                .any(|m| {
                    self.rows
                        .iter()
                        .find(|g| g.tenant == *t && g.resource.id == m.group)
                        .is_some_and(|g| self.eval(t, inner, &g.resource))
                }),
            Expr::Not(e) => !self.eval(t, e, r),
            Expr::And(es) => es.iter().all(|e| self.eval(t, e, r)),
            Expr::Or(es) => es.iter().any(|e| self.eval(t, e, r)),
        }
    }
}

fn not_found(rt: &str, id: &ResourceId) -> Error {
    Error::not_found(format!("no {rt} with id '{id}'"))
}

#[async_trait]
impl Store for VecStore {
    async fn create_tenant(&self, t: NewTenant) -> Result<Tenant> {
        let mut s = self.lock()?;
        if s.tenants.iter().any(|x| x.id == t.id) {
            return Err(Error::new(
                ErrorKind::TenantExists,
                format!("tenant '{}' exists", t.id),
            ));
        }
        let tenant = Tenant {
            id: t.id,
            token: t.token,
            previous_token: None,
            allowed_domains: t.allowed_domains,
            rate_limit: None,
            created: DateTime::now(),
            last_request_at: None,
        };
        s.tenants.push(tenant.clone());
        s.tenants.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(tenant)
    }

    async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>> {
        Ok(self.lock()?.tenants.iter().find(|t| t.id == *id).cloned())
    }

    async fn tenant_by_token(&self, token: &TokenHash, now: DateTime) -> Result<Option<Tenant>> {
        Ok(self
            .lock()?
            .tenants
            .iter()
            .find(|t| t.accepts(token, now))
            .cloned())
    }

    async fn tenants(&self) -> Result<Vec<Tenant>> {
        Ok(self.lock()?.tenants.clone())
    }

    async fn update_tenant(&self, id: &TenantId, u: TenantUpdate) -> Result<Tenant> {
        let mut s = self.lock()?;
        let t = s
            .tenants
            .iter_mut()
            .find(|t| t.id == *id)
            .ok_or_else(|| Error::not_found(format!("no tenant named '{id}'")))?;
        if let Some((token, grace)) = u.token {
            t.previous_token = grace.map(|until| (t.token, until));
            t.token = token;
        }
        if let Some(d) = u.allowed_domains {
            t.allowed_domains = d;
        }
        if let Some(l) = u.rate_limit {
            t.rate_limit = l;
        }
        Ok(t.clone())
    }

    async fn delete_tenant(&self, id: &TenantId) -> Result<()> {
        let mut s = self.lock()?;
        let before = s.tenants.len();
        s.tenants.retain(|t| t.id != *id);
        if s.tenants.len() == before {
            return Err(Error::not_found(format!("no tenant named '{id}'")));
        }
        s.rows.retain(|r| r.tenant != *id);
        s.memberships.retain(|m| m.tenant != *id);
        Ok(())
    }

    async fn record_request(&self, id: &TenantId, at: DateTime) -> Result<()> {
        if let Some(t) = self.lock()?.tenants.iter_mut().find(|t| t.id == *id) {
            t.last_request_at = Some(at);
        }
        Ok(())
    }

    async fn create(&self, t: &TenantId, new: NewResource) -> Result<StoredResource> {
        let mut s = self.lock()?;
        if !s.tenants.iter().any(|x| x.id == *t) {
            return Err(Error::not_found(format!("no tenant named '{t}'")));
        }
        s.check_unique(t, &new.resource_type, &new.unique, None)?;
        let kinds = new
            .members
            .iter()
            .map(|m| s.kind_of(t, m))
            .collect::<Result<Vec<_>>>()?;
        let now = DateTime::now();
        let resource = StoredResource {
            id: ResourceId::generate(),
            resource_type: new.resource_type,
            version: Version::FIRST,
            created: now,
            last_modified: now,
            document: new.document.into(),
        };
        s.next_seq += 1;
        let seq = s.next_seq;
        for (m, kind) in new.members.into_iter().zip(kinds) {
            if !s.is_member(t, &resource.id, &m) {
                s.memberships.push(Membership {
                    tenant: t.clone(),
                    group: resource.id.clone(),
                    member: m,
                    kind,
                });
            }
        }
        s.rows.push(Row {
            tenant: t.clone(),
            seq,
            resource: resource.clone(),
            unique: new.unique,
        });
        Ok(resource)
    }

    async fn get(&self, t: &TenantId, rt: &str, id: &ResourceId) -> Result<Option<StoredResource>> {
        Ok(self.lock()?.row(t, rt, id).map(|r| r.resource.clone()))
    }

    async fn update(
        &self,
        t: &TenantId,
        rt: &str,
        id: &ResourceId,
        expected: Option<Version>,
        u: Update,
    ) -> Result<StoredResource> {
        let mut s = self.lock()?;
        let current = s
            .row(t, rt, id)
            .ok_or_else(|| not_found(rt, id))?
            .resource
            .version;
        if let Some(v) = expected
            && v != current
        {
            return Err(Error::version_conflict(v, current));
        }
        if let Some((_, unique)) = &u.document {
            s.check_unique(t, rt, unique, Some(id))?;
        }
        let (add, remove, replace) = match u.members {
            Some(MemberChange::Edit { add, remove }) => (add, remove, false),
            Some(MemberChange::Replace(all)) => (all, Vec::new(), true),
            None => (Vec::new(), Vec::new(), false),
        };
        let kinds = add
            .iter()
            .map(|m| s.kind_of(t, m))
            .collect::<Result<Vec<_>>>()?;
        if replace {
            s.memberships
                .retain(|m| !(m.tenant == *t && m.group == *id));
        }
        for (m, kind) in add.into_iter().zip(kinds) {
            if !s.is_member(t, id, &m) {
                s.memberships.push(Membership {
                    tenant: t.clone(),
                    group: id.clone(),
                    member: m,
                    kind,
                });
            }
        }
        s.memberships
            .retain(|m| !(m.tenant == *t && m.group == *id && remove.contains(&m.member)));
        let row = s.row_mut(t, rt, id).ok_or_else(|| not_found(rt, id))?;
        if let Some((doc, unique)) = u.document {
            row.resource.document = doc.into();
            row.unique = unique;
        }
        row.resource.version = row.resource.version.next();
        row.resource.last_modified = DateTime::now();
        Ok(row.resource.clone())
    }

    async fn delete(
        &self,
        t: &TenantId,
        rt: &str,
        id: &ResourceId,
        expected: Option<Version>,
    ) -> Result<()> {
        let mut s = self.lock()?;
        let current = s
            .row(t, rt, id)
            .ok_or_else(|| not_found(rt, id))?
            .resource
            .version;
        if let Some(v) = expected
            && v != current
        {
            return Err(Error::version_conflict(v, current));
        }
        s.rows.retain(|r| !(r.tenant == *t && r.resource.id == *id));
        let groups: Vec<ResourceId> = s
            .memberships
            .iter()
            .filter(|m| m.tenant == *t && m.member == *id)
            .map(|m| m.group.clone())
            .collect();
        s.memberships
            .retain(|m| !(m.tenant == *t && (m.group == *id || m.member == *id)));
        let now = DateTime::now();
        for r in s
            .rows
            .iter_mut()
            .filter(|r| r.tenant == *t && groups.contains(&r.resource.id))
        {
            r.resource.version = r.resource.version.next();
            r.resource.last_modified = now;
        }
        Ok(())
    }

    async fn list(&self, t: &TenantId, q: &Query) -> Result<Page> {
        let s = self.lock()?;
        let mut hits: Vec<(SortKey, i64, &StoredResource)> = s
            .rows
            .iter()
            .filter(|r| r.tenant == *t && r.resource.resource_type == q.resource_type)
            .filter(|r| q.filter.as_ref().is_none_or(|f| s.eval(t, f, &r.resource)))
            .map(|r| {
                let key = q.sort.as_ref().map_or(SortKey::Missing, |so| {
                    resource_view(&r.resource).map_or(SortKey::Missing, |v| sort_key(&v, &so.path))
                });
                (key, r.seq, &r.resource)
            })
            .collect();
        let desc = q.sort.as_ref().is_some_and(|so| so.descending);
        hits.sort_by(|a, b| order((&a.0, a.1), (&b.0, b.1), desc));
        let total = hits.len() as u64;
        let (skip, take, after) = match &q.page {
            Pagination::Index { start_index, count } => (
                start_index.saturating_sub(1) as usize,
                *count as usize,
                None,
            ),
            Pagination::Cursor { after, count } => {
                let skip = match after {
                    Some(c) => {
                        let pos = decode_cursor(q, c)?;
                        hits.partition_point(|h| {
                            order((&h.0, h.1), (&pos.key, pos.seq), desc)
                                != std::cmp::Ordering::Greater
                        })
                    }
                    None => 0,
                };
                (skip, *count as usize, Some(()))
            }
        };
        let page: Vec<_> = hits.iter().skip(skip).take(take).collect();
        let next_cursor = match (after, page.last()) {
            (Some(()), Some(last)) if skip + page.len() < hits.len() => Some(encode_cursor(
                q,
                &CursorPosition {
                    key: last.0.clone(),
                    seq: last.1,
                },
            )),
            _ => None,
        };
        Ok(Page {
            total,
            resources: page.into_iter().map(|h| h.2.clone()).collect(),
            next_cursor,
        })
    }

    async fn count(&self, t: &TenantId, rt: &str, filter: Option<&Expr>) -> Result<u64> {
        let s = self.lock()?;
        Ok(s.rows
            .iter()
            .filter(|r| r.tenant == *t && r.resource.resource_type == rt)
            .filter(|r| filter.is_none_or(|f| s.eval(t, f, &r.resource)))
            .count() as u64)
    }

    async fn members(
        &self,
        t: &TenantId,
        group: &ResourceId,
        after: Option<&ResourceId>,
        limit: usize,
    ) -> Result<Vec<Member>> {
        let s = self.lock()?;
        let mut out: Vec<Member> = s
            .memberships
            .iter()
            .filter(|m| m.tenant == *t && m.group == *group && after.is_none_or(|a| m.member > *a))
            .map(|m| Member {
                id: m.member.clone(),
                resource_type: m.kind.clone(),
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.truncate(limit);
        Ok(out)
    }

    async fn member_count(&self, t: &TenantId, group: &ResourceId) -> Result<u64> {
        let s = self.lock()?;
        Ok(s.memberships
            .iter()
            .filter(|m| m.tenant == *t && m.group == *group)
            .count() as u64)
    }

    async fn groups_of(&self, t: &TenantId, member: &ResourceId) -> Result<Vec<StoredResource>> {
        let s = self.lock()?;
        let mut out: Vec<StoredResource> = s
            .memberships
            .iter()
            .filter(|m| m.tenant == *t && m.member == *member)
            .filter_map(|m| {
                s.rows
                    .iter()
                    .find(|r| r.tenant == *t && r.resource.id == m.group)
            })
            .map(|r| r.resource.clone())
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    async fn ping(&self) -> Result<()> {
        self.lock().map(|_| ())
    }
}

/// Runs the conformance kit against `VecStore`: the proof that it behaves
/// like every other store.
pub async fn check() {
    scimhub_store::testkit::run(|| async { VecStore::new() }).await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    check().await;
    println!("VecStore passes the scimhub conformance kit");
}
