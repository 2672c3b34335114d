//! Resource writes, run on the writer thread inside a savepoint: each
//! function either applies entirely or returns an error (and the writer
//! rolls the savepoint back).

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params};
use scimhub_schema::datetime::DateTime;
use scimhub_store::{
    Document, Error, MemberChange, ResourceId, Result, StoredResource, TenantId, UniqueValue,
    Version,
};
use serde_json::Value;

use super::error::{Class, classify, db};
use super::tenants;
use crate::columns::{Computed, Doc, HOT, from_ns, to_ns};

/// A document with its JSON text, serialised on the caller's thread.
pub(crate) struct DocText {
    pub(crate) doc: Doc,
    pub(crate) text: String,
}

impl DocText {
    pub(crate) fn new(value: Value, unique: Vec<UniqueValue>) -> DocText {
        // Written straight into a buffer: `Display` goes through the
        // formatting machinery for every token. Serialising a JSON value
        // cannot fail (its keys are strings); `Display` is the fallback.
        let text = serde_json::to_string(&value).unwrap_or_else(|_| value.to_string());
        DocText {
            doc: Doc::new(value, unique),
            text,
        }
    }
}

/// A hot column's value: the string, NULL, or for a value that is not a
/// string the empty BLOB, which no string equals, so that
/// `col IN (?, x'')` finds both kinds with one index (see the
/// translator).
fn hot(c: &Computed, i: usize) -> SqlValue {
    match (c.odd.get(i), c.hot.get(i)) {
        (Some(true), _) => SqlValue::Blob(Vec::new()),
        (_, Some(Some(s))) => SqlValue::Text(s.clone()),
        _ => SqlValue::Null,
    }
}

fn no_tenant(t: &TenantId) -> Error {
    Error::not_found(format!("no tenant named '{t}'"))
}

fn no_resource(rt: &str, id: &ResourceId) -> Error {
    Error::not_found(format!("no {rt} with id '{id}'"))
}

/// The attribute whose unique values can be kept on the row: the one
/// of the first hot column, `user_name_fold`.
const USER_NAME: &str = HOT[0].attribute;

/// Maps a driver error, reading a unique index's refusal as `attribute`
/// taken.
fn taken_or_db(attribute: &str) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
    move |e| match classify(&e) {
        Class::Unique => Error::uniqueness(attribute),
        _ => db(e),
    }
}

/// Whether `u` is kept on the resource's row rather than in `uniques`
/// (migration 4): a userName value that is the document's own, which the
/// row holds folded in `user_name_fold`.
fn on_row(c: &Computed, u: &UniqueValue) -> bool {
    u.attribute == USER_NAME && c.hot.first().and_then(Option::as_deref) == Some(u.value.as_str())
}

/// `user_name_unique` for a document: 0 when its userName is declared
/// unique (so the unique index `resources_user_name` covers the row),
/// else NULL.
fn user_name_unique(doc: &Doc) -> Option<i64> {
    doc.unique
        .iter()
        .any(|u| on_row(&doc.computed, u))
        .then_some(0)
}

/// Whether another row of the type keeps `value` as its unique userName.
fn held_on_row(
    conn: &Connection,
    t: &TenantId,
    rt: &str,
    value: &str,
    id: &ResourceId,
) -> Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM resources WHERE tenant = ?1 AND resource_type = ?2 \
         AND user_name_fold = ?3 AND user_name_unique = 0 AND id <> ?4)",
    )
    .and_then(|mut s| s.query_row(params![t.as_str(), rt, value, id.as_str()], |r| r.get(0)))
    .map_err(db)
}

/// Whether `uniques` holds `u` for the type (for another resource: the
/// caller removed this one's own rows first).
fn held_in_table(conn: &Connection, t: &TenantId, rt: &str, u: &UniqueValue) -> Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM uniques WHERE tenant = ?1 AND resource_type = ?2 \
         AND attribute = ?3 AND value = ?4)",
    )
    .and_then(|mut s| s.query_row(params![t.as_str(), rt, u.attribute, u.value], |r| r.get(0)))
    .map_err(db)
}

/// Checks the document's unique values against every other resource of
/// the type and records those kept in `uniques`. A userName is kept in
/// one of two places, so each place is checked for the other's values;
/// the row's own place is checked here unless `row_checked` (a creation's
/// INSERT, which the unique index checked).
fn insert_uniques(
    conn: &Connection,
    t: &TenantId,
    rt: &str,
    id: &ResourceId,
    doc: &Doc,
    row_checked: bool,
) -> Result<()> {
    let taken = || Error::uniqueness(USER_NAME);
    for u in &doc.unique {
        if on_row(&doc.computed, u) {
            if held_in_table(conn, t, rt, u)?
                || (!row_checked && held_on_row(conn, t, rt, &u.value, id)?)
            {
                return Err(taken());
            }
            continue;
        }
        if u.attribute == USER_NAME && held_on_row(conn, t, rt, &u.value, id)? {
            return Err(taken());
        }
        conn.prepare_cached(
            "INSERT INTO uniques (tenant, resource_type, attribute, value, resource_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| s.execute(params![t.as_str(), rt, u.attribute, u.value, id.as_str()]))
        .map_err(taken_or_db(&u.attribute))?;
    }
    Ok(())
}

/// The resource types of `ids`, failing on the first that names nothing.
fn member_types(conn: &Connection, t: &TenantId, ids: &[ResourceId]) -> Result<Vec<String>> {
    let mut s = conn
        .prepare_cached("SELECT resource_type FROM resources WHERE tenant = ?1 AND id = ?2")
        .map_err(db)?;
    ids.iter()
        .map(|id| {
            s.query_row([t.as_str(), id.as_str()], |r| r.get(0))
                .optional()
                .map_err(db)?
                .ok_or_else(|| Error::invalid_reference(id))
        })
        .collect()
}

/// Adds members (checked), returning how many were new.
fn add_members(
    conn: &Connection,
    t: &TenantId,
    group: &ResourceId,
    ids: &[ResourceId],
    types: &[String],
) -> Result<i64> {
    let mut s = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO memberships (tenant, group_id, member_id, member_type) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(db)?;
    let mut added = 0;
    for (id, ty) in ids.iter().zip(types) {
        added += s
            .execute(params![t.as_str(), group.as_str(), id.as_str(), ty])
            .map_err(db)? as i64;
    }
    Ok(added)
}

fn remove_members(
    conn: &Connection,
    t: &TenantId,
    group: &ResourceId,
    ids: &[ResourceId],
) -> Result<i64> {
    let mut s = conn
        .prepare_cached(
            "DELETE FROM memberships WHERE tenant = ?1 AND group_id = ?2 AND member_id = ?3",
        )
        .map_err(db)?;
    let mut removed = 0;
    for id in ids {
        removed += s
            .execute(params![t.as_str(), group.as_str(), id.as_str()])
            .map_err(db)? as i64;
    }
    Ok(removed)
}

/// Creates a resource; see `Store::create`.
pub(crate) fn create(
    conn: &Connection,
    t: &TenantId,
    resource_type: &str,
    doc: DocText,
    members: &[ResourceId],
) -> Result<StoredResource> {
    let now = DateTime::now();
    let id = ResourceId::generate();
    let c = &doc.doc.computed;
    // Plain statements, not RETURNING: a RETURNING statement is reset
    // before it runs to completion, and closing its statement journal
    // inside a large transaction costs time proportional to the
    // transaction (it was half the time of a bulk load).
    let unique_name = user_name_unique(&doc.doc);
    conn.prepare_cached(
        "INSERT INTO resources (tenant, id, resource_type, version, created_ns, modified_ns, \
         user_name_fold, external_id, display_name_fold, irregular, doc, user_name_unique) \
         VALUES (?1, ?2, ?3, 1, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut s| {
        s.execute(params![
            t.as_str(),
            id.as_str(),
            resource_type,
            to_ns(now),
            hot(c, 0),
            hot(c, 1),
            hot(c, 2),
            i64::from(c.irregular),
            doc.text,
            unique_name
        ])
    })
    .map_err(|e| match classify(&e) {
        // The row's one foreign key is its tenant's (no lookup beforehand:
        // the key's check is that lookup).
        Class::ForeignKey => no_tenant(t),
        // The id is new: a unique index refusing the row is the userName's.
        _ if unique_name.is_some() => taken_or_db(USER_NAME)(e),
        _ => db(e),
    })?;
    let seq = conn.last_insert_rowid();
    insert_uniques(conn, t, resource_type, &id, &doc.doc, true)?;
    if !members.is_empty() {
        let types = member_types(conn, t, members)?;
        let added = add_members(conn, t, &id, members, &types)?;
        conn.prepare_cached("UPDATE resources SET member_count = ?2 WHERE seq = ?1")
            .and_then(|mut s| s.execute(params![seq, added]))
            .map_err(db)?;
    }
    Ok(StoredResource {
        id,
        resource_type: resource_type.to_owned(),
        version: Version::FIRST,
        created: now,
        last_modified: now,
        document: Document::from_value_and_json(doc.doc.value, doc.text),
    })
}

/// The row an update or delete starts from.
struct Current {
    seq: i64,
    version: Version,
    created_ns: i64,
    doc: String,
    /// The columns computed from the document: the hot columns (as
    /// [`hot`] gives them), `irregular` and `user_name_unique`.
    computed: ([SqlValue; 3], i64, Option<i64>),
}

impl Current {
    /// Whether `doc` computes the columns this row holds, so that an
    /// update can leave them, and the indexes over them, as they are.
    fn computes_as(&self, doc: &Doc) -> bool {
        let c = &doc.computed;
        let (hot_now, irregular, unique_name) = &self.computed;
        hot_now.iter().enumerate().all(|(i, v)| *v == hot(c, i))
            && *irregular == i64::from(c.irregular)
            && *unique_name == user_name_unique(doc)
    }
}

/// Whether `doc` keeps the unique values that resource `id`, whose row
/// computes as `doc` does (the userName kept on the row is the same),
/// keeps in `uniques`: then nothing about its uniqueness changes.
fn keeps_uniques(conn: &Connection, t: &TenantId, id: &ResourceId, doc: &Doc) -> Result<bool> {
    let mut stored: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT attribute, value FROM uniques WHERE tenant = ?1 AND resource_id = ?2",
        )
        .and_then(|mut s| {
            s.query_map([t.as_str(), id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(db)?;
    let mut kept: Vec<(&str, &str)> = doc
        .unique
        .iter()
        .filter(|u| !on_row(&doc.computed, u))
        .map(|u| (u.attribute.as_str(), u.value.as_str()))
        .collect();
    stored.sort_unstable();
    kept.sort_unstable();
    Ok(stored
        .iter()
        .map(|(a, v)| (a.as_str(), v.as_str()))
        .eq(kept))
}

fn current(conn: &Connection, t: &TenantId, rt: &str, id: &ResourceId) -> Result<Current> {
    let row = conn
        .prepare_cached(
            "SELECT seq, version, created_ns, doc, user_name_fold, external_id, display_name_fold, irregular, \
             user_name_unique FROM resources WHERE tenant = ?1 AND id = ?2 AND resource_type = ?3",
        )
        .and_then(|mut s| {
            s.query_row(params![t.as_str(), id.as_str(), rt], |r| {
                Ok(Current {
                    seq: r.get(0)?,
                    version: Version(u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0)),
                    created_ns: r.get(2)?,
                    doc: r.get(3)?,
                    computed: ([r.get(4)?, r.get(5)?, r.get(6)?], r.get(7)?, r.get(8)?),
                })
            })
            .optional()
        })
        .map_err(db)?;
    match row {
        Some(r) => Ok(r),
        None if !tenants::exists(conn, t)? => Err(no_tenant(t)),
        None => Err(no_resource(rt, id)),
    }
}

/// Updates a resource; see `Store::update`.
pub(crate) fn update(
    conn: &Connection,
    t: &TenantId,
    rt: &str,
    id: &ResourceId,
    expected: Option<Version>,
    doc: Option<DocText>,
    members: Option<MemberChange>,
) -> Result<StoredResource> {
    let cur = current(conn, t, rt, id)?;
    if let Some(v) = expected
        && v != cur.version
    {
        return Err(Error::version_conflict(v, cur.version));
    }
    // A document that computes the same columns (a changed `active`, a
    // new phone number) leaves the indexed columns alone: only the row's
    // own page changes, not the indexes' (four pages written otherwise).
    let same_row = doc.as_ref().is_some_and(|d| cur.computes_as(&d.doc));
    let same_uniques = match &doc {
        Some(d) if same_row => keeps_uniques(conn, t, id, &d.doc)?,
        _ => false,
    };
    // Check everything before changing anything: uniqueness, then members.
    if let Some(d) = doc.as_ref().filter(|_| !same_uniques) {
        conn.prepare_cached("DELETE FROM uniques WHERE tenant = ?1 AND resource_id = ?2")
            .and_then(|mut s| s.execute([t.as_str(), id.as_str()]))
            .map_err(db)?;
        insert_uniques(conn, t, rt, id, &d.doc, false)?;
    }
    let mut delta = 0;
    match &members {
        Some(MemberChange::Edit { add, remove }) => {
            let types = member_types(conn, t, add)?;
            delta += add_members(conn, t, id, add, &types)?;
            delta -= remove_members(conn, t, id, remove)?;
        }
        Some(MemberChange::Replace(all)) => {
            let types = member_types(conn, t, all)?;
            delta -= conn
                .prepare_cached("DELETE FROM memberships WHERE tenant = ?1 AND group_id = ?2")
                .and_then(|mut s| s.execute([t.as_str(), id.as_str()]))
                .map_err(db)? as i64;
            delta += add_members(conn, t, id, all, &types)?;
        }
        None => {}
    }
    let now = DateTime::now();
    // The row was read in this transaction, which holds the write lock:
    // the new version is the one read plus one.
    let version = cur.version.next();
    match &doc {
        Some(d) if same_row => {
            conn.prepare_cached(
                "UPDATE resources SET version = version + 1, modified_ns = ?2, member_count = member_count + ?3, \
                 doc = ?4 WHERE seq = ?1",
            )
            .and_then(|mut s| s.execute(params![cur.seq, to_ns(now), delta, d.text]))
            .map_err(db)?;
        }
        Some(d) => {
            let c = &d.doc.computed;
            conn.prepare_cached(
                "UPDATE resources SET version = version + 1, modified_ns = ?2, member_count = member_count + ?3, \
                 doc = ?4, user_name_fold = ?5, external_id = ?6, display_name_fold = ?7, irregular = ?8, \
                 user_name_unique = ?9 WHERE seq = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    cur.seq,
                    to_ns(now),
                    delta,
                    d.text,
                    hot(c, 0),
                    hot(c, 1),
                    hot(c, 2),
                    i64::from(c.irregular),
                    user_name_unique(&d.doc)
                ])
            })
            .map_err(taken_or_db(USER_NAME))?;
        }
        None => {
            conn.prepare_cached(
                "UPDATE resources SET version = version + 1, modified_ns = ?2, member_count = member_count + ?3 \
                 WHERE seq = ?1",
            )
            .and_then(|mut s| s.execute(params![cur.seq, to_ns(now), delta]))
            .map_err(db)?;
        }
    }
    let document = match doc {
        Some(d) => Document::from_value_and_json(d.doc.value, d.text),
        None => Document::from_json(cur.doc),
    };
    Ok(StoredResource {
        id: id.clone(),
        resource_type: rt.to_owned(),
        version,
        created: from_ns(cur.created_ns),
        last_modified: now,
        document,
    })
}

/// Deletes a resource; see `Store::delete`.
pub(crate) fn delete(
    conn: &Connection,
    t: &TenantId,
    rt: &str,
    id: &ResourceId,
    expected: Option<Version>,
) -> Result<()> {
    let cur = current(conn, t, rt, id)?;
    if let Some(v) = expected
        && v != cur.version
    {
        return Err(Error::version_conflict(v, cur.version));
    }
    // The groups it belongs to change: one more version, one member less.
    conn.prepare_cached(
        "UPDATE resources SET version = version + 1, modified_ns = ?3, member_count = member_count - 1 \
         WHERE tenant = ?1 AND id IN (SELECT group_id FROM memberships WHERE tenant = ?1 AND member_id = ?2)",
    )
    .and_then(|mut s| s.execute(params![t.as_str(), id.as_str(), to_ns(DateTime::now())]))
    .map_err(db)?;
    // Uniques and memberships go by cascade.
    conn.prepare_cached("DELETE FROM resources WHERE seq = ?1")
        .and_then(|mut s| s.execute([cur.seq]))
        .map_err(db)?;
    Ok(())
}
