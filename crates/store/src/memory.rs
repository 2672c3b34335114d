//! The in-memory store: the reference implementation every backend is
//! compared with, and the store for tests and demos (`memory://`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::RwLock;
use scimhub_filter::{BoundFilter, BoundValue, CompareOp};
use scimhub_schema::datetime::DateTime;
use serde_json::{Value, json};

use crate::error::{Error, ErrorKind, Result};
use crate::model::{
    Member, MemberChange, NewResource, NewTenant, ResourceId, StoredResource, Tenant, TenantId,
    TenantUpdate, TokenHash, UniqueValue, Update, Version,
};
use crate::query::{Expr, Page, Pagination, Query};
use crate::store::Store;
use crate::support::{
    CursorPosition, SortKey, decode_cursor, encode_cursor, is_store_attribute, order,
    resource_view, sort_key,
};

/// Top-level string attributes with an equality index: the lookups
/// identity providers make on every sync.
const INDEXED: [&str; 3] = ["userName", "externalId", "displayName"];

/// An in-memory [`Store`]: one lock per tenant, indexes for `id`,
/// `userName`, `externalId` and `displayName` equality, and memberships
/// indexed both ways.
#[derive(Default)]
pub struct MemoryStore {
    tenants: RwLock<BTreeMap<TenantId, Arc<RwLock<TenantData>>>>,
    tokens: RwLock<HashMap<TokenHash, TenantId>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn data(&self, id: &TenantId) -> Result<Arc<RwLock<TenantData>>> {
        self.tenants
            .read()
            .get(id)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("no tenant named '{id}'")))
    }
}

struct Entry {
    seq: i64,
    resource: StoredResource,
    unique: Vec<UniqueValue>,
}

struct TenantData {
    tenant: Tenant,
    next_seq: i64,
    resources: HashMap<ResourceId, Entry>,
    order: HashMap<String, BTreeMap<i64, ResourceId>>,
    unique: HashMap<(String, UniqueValue), ResourceId>,
    eq_index: HashMap<(String, &'static str, String), BTreeSet<ResourceId>>,
    members: HashMap<ResourceId, BTreeMap<ResourceId, String>>,
    member_of: HashMap<ResourceId, BTreeSet<ResourceId>>,
}

/// The document of a resource this store holds. Its documents are built
/// from values, never from text, so they are always parsed.
fn value_of(r: &StoredResource) -> &Value {
    static NULL: Value = Value::Null;
    r.document.value().unwrap_or(&NULL)
}

/// [`resource_view`] of a resource this store holds (see [`value_of`]).
fn view_of(r: &StoredResource) -> Value {
    resource_view(r).unwrap_or(Value::Null)
}

/// The index keys of a document: every string the evaluator would compare
/// for each indexed attribute (found ignoring case, as the evaluator finds
/// names; each string of an array), so that an index lookup never misses a
/// resource the filter matches.
fn index_keys(resource_type: &str, doc: &Value) -> Vec<(String, &'static str, String)> {
    let Value::Object(obj) = doc else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    for attr in INDEXED {
        let value = obj.get(attr).or_else(|| {
            obj.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(attr))
                .map(|(_, v)| v)
        });
        let strings: Vec<&str> = match value {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for s in strings {
            keys.push((resource_type.to_owned(), attr, s.to_lowercase()));
        }
    }
    keys
}

impl TenantData {
    fn new(tenant: Tenant) -> TenantData {
        TenantData {
            tenant,
            next_seq: 1,
            resources: HashMap::new(),
            order: HashMap::new(),
            unique: HashMap::new(),
            eq_index: HashMap::new(),
            members: HashMap::new(),
            member_of: HashMap::new(),
        }
    }

    fn entry(&self, resource_type: &str, id: &ResourceId) -> Option<&Entry> {
        self.resources
            .get(id)
            .filter(|e| e.resource.resource_type == resource_type)
    }

    fn check_unique(
        &self,
        resource_type: &str,
        values: &[UniqueValue],
        except: Option<&ResourceId>,
    ) -> Result<()> {
        for v in values {
            if let Some(owner) = self.unique.get(&(resource_type.to_owned(), v.clone()))
                && Some(owner) != except
            {
                return Err(Error::uniqueness(&v.attribute));
            }
        }
        Ok(())
    }

    fn check_members(&self, ids: &[ResourceId]) -> Result<()> {
        match ids.iter().find(|id| !self.resources.contains_key(*id)) {
            Some(missing) => Err(Error::invalid_reference(missing)),
            None => Ok(()),
        }
    }

    fn unindex(&mut self, id: &ResourceId) {
        let Some(e) = self.resources.get(id) else {
            return;
        };
        let rt = e.resource.resource_type.clone();
        for v in &e.unique {
            self.unique.remove(&(rt.clone(), v.clone()));
        }
        for k in index_keys(&rt, value_of(&e.resource)) {
            if let Some(set) = self.eq_index.get_mut(&k) {
                set.remove(id);
                if set.is_empty() {
                    self.eq_index.remove(&k);
                }
            }
        }
    }

    fn index(&mut self, id: &ResourceId) {
        let Some(e) = self.resources.get(id) else {
            return;
        };
        let rt = e.resource.resource_type.clone();
        let unique = e.unique.clone();
        let keys = index_keys(&rt, value_of(&e.resource));
        for v in unique {
            self.unique.insert((rt.clone(), v), id.clone());
        }
        for k in keys {
            self.eq_index.entry(k).or_default().insert(id.clone());
        }
    }

    fn add_member(&mut self, group: &ResourceId, member: &ResourceId) {
        let kind = self
            .resources
            .get(member)
            .map(|e| e.resource.resource_type.clone())
            .unwrap_or_default();
        self.members
            .entry(group.clone())
            .or_default()
            .insert(member.clone(), kind);
        self.member_of
            .entry(member.clone())
            .or_default()
            .insert(group.clone());
    }

    fn remove_member(&mut self, group: &ResourceId, member: &ResourceId) {
        if let Some(m) = self.members.get_mut(group) {
            m.remove(member);
        }
        if let Some(g) = self.member_of.get_mut(member) {
            g.remove(group);
            if g.is_empty() {
                self.member_of.remove(member);
            }
        }
    }

    fn bump(&mut self, id: &ResourceId, now: DateTime) {
        if let Some(e) = self.resources.get_mut(id) {
            e.resource.version = e.resource.version.next();
            e.resource.last_modified = now;
        }
    }

    /// Whether the entry satisfies `expr`.
    fn eval(&self, expr: &Expr, e: &Entry, view: &mut Option<Value>) -> bool {
        match expr {
            Expr::Filter(f) => {
                if needs_view(f) {
                    let v = view.get_or_insert_with(|| view_of(&e.resource));
                    f.matches(v)
                } else {
                    f.matches(value_of(&e.resource))
                }
            }
            Expr::HasMember(f) => {
                let Some(members) = self.members.get(&e.resource.id) else {
                    return false;
                };
                if let Some(id) = member_id_eq(f) {
                    return members.contains_key(&ResourceId::new(id));
                }
                members.iter().any(|(id, kind)| member_matches(f, id, kind))
            }
            Expr::MemberOf(inner) => self.member_of.get(&e.resource.id).is_some_and(|groups| {
                groups.iter().any(|g| {
                    self.resources
                        .get(g)
                        .is_some_and(|ge| self.eval(inner, ge, &mut None))
                })
            }),
            Expr::Not(inner) => !self.eval(inner, e, view),
            Expr::And(items) => items.iter().all(|i| self.eval(i, e, view)),
            Expr::Or(items) => items.iter().any(|i| self.eval(i, e, view)),
        }
    }

    /// Candidate ids from an equality index, when the expression (or one
    /// of its conjuncts) is an indexed equality.
    fn candidates(&self, resource_type: &str, expr: &Expr) -> Option<Vec<ResourceId>> {
        match expr {
            Expr::Filter(BoundFilter::Compare(path, CompareOp::Eq, BoundValue::Str(v)))
                if path.extension.is_none() && path.sub.is_none() =>
            {
                if path.attribute == "id" {
                    let id = ResourceId::new(v.as_str());
                    return Some(
                        self.entry(resource_type, &id)
                            .map(|_| id)
                            .into_iter()
                            .collect(),
                    );
                }
                let attr = INDEXED.iter().find(|a| **a == path.attribute)?;
                Some(
                    self.eq_index
                        .get(&(resource_type.to_owned(), *attr, v.as_str().to_lowercase()))
                        .map(|s| s.iter().cloned().collect())
                        .unwrap_or_default(),
                )
            }
            Expr::Filter(BoundFilter::And(items)) => items
                .iter()
                .find_map(|f| self.candidates(resource_type, &Expr::Filter(f.clone()))),
            Expr::And(items) => items.iter().find_map(|i| self.candidates(resource_type, i)),
            _ => None,
        }
    }
}

/// Whether a filter names `id` or `meta`, which live outside the document.
fn needs_view(f: &BoundFilter) -> bool {
    match f {
        BoundFilter::Present(p) | BoundFilter::Compare(p, _, _) => is_store_attribute(p),
        BoundFilter::ValuePath { attr, .. } => is_store_attribute(attr),
        BoundFilter::Not(f) => needs_view(f),
        BoundFilter::And(fs) | BoundFilter::Or(fs) => fs.iter().any(needs_view),
    }
}

/// `value eq "id"` on a member, answered from the index directly.
fn member_id_eq(f: &BoundFilter) -> Option<&str> {
    match f {
        BoundFilter::Compare(p, CompareOp::Eq, BoundValue::Str(v))
            if p.sub.as_deref() == Some("value") =>
        {
            Some(v)
        }
        _ => None,
    }
}

/// Evaluates a member filter on one member (`value`, `type`).
fn member_matches(f: &BoundFilter, id: &ResourceId, kind: &str) -> bool {
    if matches!(f, BoundFilter::And(items) if items.is_empty()) {
        return true;
    }
    let element = json!({"members": [{"value": id.as_str(), "type": kind}]});
    let wrapped = BoundFilter::ValuePath {
        attr: member_attr_path(),
        filter: Box::new(f.clone()),
    };
    wrapped.matches(&element)
}

fn member_attr_path() -> scimhub_filter::BoundPath {
    scimhub_filter::BoundPath {
        extension: None,
        attribute: "members".into(),
        sub: None,
        attr_type: scimhub_schema::AttributeType::Complex,
        case_exact: false,
        multi_valued: true,
        leaf_multi_valued: true,
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn create_tenant(&self, t: NewTenant) -> Result<Tenant> {
        let mut tenants = self.tenants.write();
        if tenants.contains_key(&t.id) {
            return Err(Error::new(
                ErrorKind::TenantExists,
                format!("a tenant named '{}' already exists", t.id),
            ));
        }
        let tenant = Tenant {
            id: t.id.clone(),
            token: t.token,
            previous_token: None,
            allowed_domains: t.allowed_domains,
            rate_limit: None,
            created: DateTime::now(),
            last_request_at: None,
        };
        self.tokens.write().insert(t.token, t.id.clone());
        tenants.insert(t.id, Arc::new(RwLock::new(TenantData::new(tenant.clone()))));
        Ok(tenant)
    }

    async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>> {
        Ok(self.tenants.read().get(id).map(|d| d.read().tenant.clone()))
    }

    async fn tenant_by_token(&self, token: &TokenHash, now: DateTime) -> Result<Option<Tenant>> {
        let Some(id) = self.tokens.read().get(token).cloned() else {
            return Ok(None);
        };
        Ok(self.tenant(&id).await?.filter(|t| t.accepts(token, now)))
    }

    async fn tenants(&self) -> Result<Vec<Tenant>> {
        Ok(self
            .tenants
            .read()
            .values()
            .map(|d| d.read().tenant.clone())
            .collect())
    }

    async fn update_tenant(&self, id: &TenantId, update: TenantUpdate) -> Result<Tenant> {
        let data = self.data(id)?;
        let mut d = data.write();
        if let Some((token, grace_until)) = update.token {
            let mut tokens = self.tokens.write();
            if let Some((prev, _)) = d.tenant.previous_token.take() {
                tokens.remove(&prev);
            }
            let old = d.tenant.token;
            match grace_until {
                Some(until) => d.tenant.previous_token = Some((old, until)),
                None => {
                    tokens.remove(&old);
                }
            }
            d.tenant.token = token;
            tokens.insert(token, id.clone());
        }
        if let Some(domains) = update.allowed_domains {
            d.tenant.allowed_domains = domains;
        }
        if let Some(limit) = update.rate_limit {
            d.tenant.rate_limit = limit;
        }
        Ok(d.tenant.clone())
    }

    async fn delete_tenant(&self, id: &TenantId) -> Result<()> {
        let removed = self
            .tenants
            .write()
            .remove(id)
            .ok_or_else(|| Error::not_found(format!("no tenant named '{id}'")))?;
        let t = removed.read().tenant.clone();
        let mut tokens = self.tokens.write();
        tokens.remove(&t.token);
        if let Some((prev, _)) = t.previous_token {
            tokens.remove(&prev);
        }
        Ok(())
    }

    async fn record_request(&self, id: &TenantId, at: DateTime) -> Result<()> {
        if let Ok(data) = self.data(id) {
            data.write().tenant.last_request_at = Some(at);
        }
        Ok(())
    }

    async fn create(&self, tenant: &TenantId, new: NewResource) -> Result<StoredResource> {
        let data = self.data(tenant)?;
        let mut d = data.write();
        d.check_unique(&new.resource_type, &new.unique, None)?;
        d.check_members(&new.members)?;
        let now = DateTime::now();
        let id = ResourceId::generate();
        let resource = StoredResource {
            id: id.clone(),
            resource_type: new.resource_type.clone(),
            version: Version::FIRST,
            created: now,
            last_modified: now,
            document: new.document.into(),
        };
        let seq = d.next_seq;
        d.next_seq += 1;
        d.resources.insert(
            id.clone(),
            Entry {
                seq,
                resource: resource.clone(),
                unique: new.unique,
            },
        );
        d.order
            .entry(new.resource_type)
            .or_default()
            .insert(seq, id.clone());
        d.index(&id);
        for m in &new.members {
            d.add_member(&id, m);
        }
        Ok(resource)
    }

    async fn get(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
    ) -> Result<Option<StoredResource>> {
        let data = self.data(tenant)?;
        let d = data.read();
        Ok(d.entry(resource_type, id).map(|e| e.resource.clone()))
    }

    async fn update(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
        expected: Option<Version>,
        update: Update,
    ) -> Result<StoredResource> {
        let data = self.data(tenant)?;
        let mut d = data.write();
        let current = d
            .entry(resource_type, id)
            .map(|e| e.resource.version)
            .ok_or_else(|| Error::not_found(format!("no {resource_type} with id '{id}'")))?;
        if let Some(v) = expected
            && v != current
        {
            return Err(Error::version_conflict(v, current));
        }
        // Check everything before changing anything.
        if let Some((_, unique)) = &update.document {
            d.check_unique(resource_type, unique, Some(id))?;
        }
        match &update.members {
            Some(MemberChange::Edit { add, .. }) => d.check_members(add)?,
            Some(MemberChange::Replace(all)) => d.check_members(all)?,
            None => {}
        }
        if let Some((doc, unique)) = update.document {
            d.unindex(id);
            if let Some(e) = d.resources.get_mut(id) {
                e.resource.document = doc.into();
                e.unique = unique;
            }
            d.index(id);
        }
        match update.members {
            Some(MemberChange::Edit { add, remove }) => {
                for m in &add {
                    d.add_member(id, m);
                }
                for m in &remove {
                    d.remove_member(id, m);
                }
            }
            Some(MemberChange::Replace(all)) => {
                let old: Vec<ResourceId> = d
                    .members
                    .get(id)
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                for m in &old {
                    d.remove_member(id, m);
                }
                for m in &all {
                    d.add_member(id, m);
                }
            }
            None => {}
        }
        d.bump(id, DateTime::now());
        d.entry(resource_type, id)
            .map(|e| e.resource.clone())
            .ok_or_else(|| Error::not_found(format!("no {resource_type} with id '{id}'")))
    }

    async fn delete(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
        expected: Option<Version>,
    ) -> Result<()> {
        let data = self.data(tenant)?;
        let mut d = data.write();
        let (current, seq) = d
            .entry(resource_type, id)
            .map(|e| (e.resource.version, e.seq))
            .ok_or_else(|| Error::not_found(format!("no {resource_type} with id '{id}'")))?;
        if let Some(v) = expected
            && v != current
        {
            return Err(Error::version_conflict(v, current));
        }
        d.unindex(id);
        d.resources.remove(id);
        if let Some(o) = d.order.get_mut(resource_type) {
            o.remove(&seq);
        }
        // Memberships where it is the group.
        if let Some(members) = d.members.remove(id) {
            for m in members.keys() {
                if let Some(g) = d.member_of.get_mut(m) {
                    g.remove(id);
                }
            }
        }
        // Memberships where it is a member: the groups change.
        let now = DateTime::now();
        if let Some(groups) = d.member_of.remove(id) {
            for g in &groups {
                if let Some(m) = d.members.get_mut(g) {
                    m.remove(id);
                }
                d.bump(g, now);
            }
        }
        Ok(())
    }

    async fn list(&self, tenant: &TenantId, query: &Query) -> Result<Page> {
        let data = self.data(tenant)?;
        let d = data.read();
        let rt = query.resource_type.as_str();
        // Everything of the type in creation order, one page by index: read
        // only that page.
        if let (None, None, Pagination::Index { start_index, count }) =
            (&query.filter, &query.sort, &query.page)
        {
            let order = d.order.get(rt);
            let skip = usize::try_from(start_index.saturating_sub(1)).unwrap_or(usize::MAX);
            let take = usize::try_from(*count).unwrap_or(usize::MAX);
            return Ok(Page {
                total: order.map_or(0, |o| o.len() as u64),
                resources: order
                    .into_iter()
                    .flat_map(|o| o.values())
                    .skip(skip)
                    .take(take)
                    .filter_map(|id| d.resources.get(id).map(|e| e.resource.clone()))
                    .collect(),
                next_cursor: None,
            });
        }
        // Candidates: from an index when the filter allows, else the type.
        let ids: Vec<&Entry> = match query.filter.as_ref().and_then(|f| d.candidates(rt, f)) {
            Some(ids) => ids.iter().filter_map(|id| d.entry(rt, id)).collect(),
            None => d
                .order
                .get(rt)
                .map(|o| o.values().filter_map(|id| d.resources.get(id)).collect())
                .unwrap_or_default(),
        };
        let mut matches: Vec<(SortKey, i64, &Entry)> = ids
            .into_iter()
            .filter(|e| {
                query
                    .filter
                    .as_ref()
                    .is_none_or(|f| d.eval(f, e, &mut None))
            })
            .map(|e| {
                let key = match &query.sort {
                    Some(s) => sort_key(&view_of(&e.resource), &s.path),
                    None => SortKey::Missing,
                };
                (key, e.seq, e)
            })
            .collect();
        let descending = query.sort.as_ref().is_some_and(|s| s.descending);
        matches.sort_by(|a, b| order((&a.0, a.1), (&b.0, b.1), descending));
        let total = matches.len() as u64;
        let (page, next_cursor) = match &query.page {
            Pagination::Index { start_index, count } => {
                let skip = usize::try_from(start_index.saturating_sub(1)).unwrap_or(usize::MAX);
                let take = usize::try_from(*count).unwrap_or(usize::MAX);
                (
                    matches.iter().skip(skip).take(take).collect::<Vec<_>>(),
                    None,
                )
            }
            Pagination::Cursor { after, count } => {
                let start = match after {
                    None => 0,
                    Some(c) => {
                        let pos = decode_cursor(query, c)?;
                        matches.partition_point(|m| {
                            order((&m.0, m.1), (&pos.key, pos.seq), descending)
                                != std::cmp::Ordering::Greater
                        })
                    }
                };
                let take = usize::try_from(*count).unwrap_or(usize::MAX);
                let page: Vec<_> = matches.iter().skip(start).take(take).collect();
                let next = match page.last() {
                    Some(last) if start + page.len() < matches.len() => Some(encode_cursor(
                        query,
                        &CursorPosition {
                            key: last.0.clone(),
                            seq: last.1,
                        },
                    )),
                    _ => None,
                };
                (page, next)
            }
        };
        Ok(Page {
            total,
            resources: page.into_iter().map(|m| m.2.resource.clone()).collect(),
            next_cursor,
        })
    }

    async fn count(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        filter: Option<&Expr>,
    ) -> Result<u64> {
        let data = self.data(tenant)?;
        let d = data.read();
        let Some(order) = d.order.get(resource_type) else {
            return Ok(0);
        };
        let Some(filter) = filter else {
            return Ok(order.len() as u64);
        };
        Ok(order
            .values()
            .filter_map(|id| d.resources.get(id))
            .filter(|e| d.eval(filter, e, &mut None))
            .count() as u64)
    }

    async fn members(
        &self,
        tenant: &TenantId,
        group: &ResourceId,
        after: Option<&ResourceId>,
        limit: usize,
    ) -> Result<Vec<Member>> {
        let data = self.data(tenant)?;
        let d = data.read();
        let Some(members) = d.members.get(group) else {
            return Ok(Vec::new());
        };
        let range = match after {
            Some(a) => members
                .range::<ResourceId, _>((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded)),
            None => members.range::<ResourceId, _>(..),
        };
        Ok(range
            .take(limit)
            .map(|(id, kind)| Member {
                id: id.clone(),
                resource_type: kind.clone(),
            })
            .collect())
    }

    async fn member_count(&self, tenant: &TenantId, group: &ResourceId) -> Result<u64> {
        let data = self.data(tenant)?;
        let d = data.read();
        Ok(d.members.get(group).map_or(0, |m| m.len() as u64))
    }

    async fn members_among(
        &self,
        tenant: &TenantId,
        group: &ResourceId,
        candidates: &[ResourceId],
    ) -> Result<std::collections::HashSet<ResourceId>> {
        let data = self.data(tenant)?;
        let d = data.read();
        Ok(match d.members.get(group) {
            Some(members) => candidates
                .iter()
                .filter(|c| members.contains_key(*c))
                .cloned()
                .collect(),
            None => std::collections::HashSet::new(),
        })
    }

    async fn groups_of(
        &self,
        tenant: &TenantId,
        member: &ResourceId,
    ) -> Result<Vec<StoredResource>> {
        let data = self.data(tenant)?;
        let d = data.read();
        Ok(d.member_of
            .get(member)
            .map(|groups| {
                groups
                    .iter()
                    .filter_map(|g| d.resources.get(g).map(|e| e.resource.clone()))
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn ping(&self) -> Result<()> {
        Ok(())
    }
}
