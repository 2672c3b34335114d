//! Building the representation a client sees: the stored document plus
//! `id`, `meta`, the computed `groups` and licence of a user, the members
//! of a group, then projection.

use std::collections::HashMap;

use scimhub_schema::{Projection, ResourceTypeRef, urn};
use scimhub_store::{ResourceId, Store, StoredResource, TenantId, Version};
use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::licence;

/// The ETag of a version: weak, since representations are equivalent but
/// not byte-identical across projections.
pub fn etag(version: Version) -> String {
    format!("W/\"{}\"", version.0)
}

/// Parses an ETag (`W/"3"`, `"3"`, `3`) into a version.
pub fn parse_etag(tag: &str) -> Option<Version> {
    let t = tag.trim();
    let t = t.strip_prefix("W/").unwrap_or(t);
    let t = t.trim_matches('"');
    t.parse().ok().map(Version)
}

/// Whether an `If-Match`/`If-None-Match` value (`*` or a comma-separated
/// list of ETags) names `version`.
pub(crate) fn etag_matches(header: &str, version: Version) -> bool {
    header
        .split(',')
        .any(|t| t.trim() == "*" || parse_etag(t) == Some(version))
}

/// The resource's location.
pub(crate) fn location(base_url: &str, rt: ResourceTypeRef<'_>, id: &ResourceId) -> String {
    format!("{base_url}{}/{id}", rt.definition().endpoint())
}

/// Members are read from the store in pages of this size.
const MEMBER_PAGE: usize = 1000;

/// The full representation of `r`, projected.
pub(crate) async fn render(
    store: &dyn Store,
    tenant: &TenantId,
    rt: ResourceTypeRef<'_>,
    r: StoredResource,
    base_url: &str,
    projection: &Projection,
) -> Result<Value> {
    render_with(store, tenant, rt, r, base_url, projection, None).await
}

/// Whether rendering resources of `rt` with `projection` needs each
/// user's groups (for `groups` or the licence).
pub(crate) fn needs_groups(rt: ResourceTypeRef<'_>, projection: &Projection) -> bool {
    rt.name() == "User"
        && (rt.extension(urn::LICENSE_USER).is_some()
            || rt
                .core_schema()
                .attribute("groups")
                .is_some_and(|a| projection.includes(a)))
}

/// Renders a page of resources of one type. Users' groups come from
/// `groups` when the caller read them with the page, or are read here,
/// for the whole page in one round trip.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn render_page(
    store: &dyn Store,
    tenant: &TenantId,
    rt: ResourceTypeRef<'_>,
    resources: Vec<StoredResource>,
    groups: Option<&HashMap<ResourceId, Vec<StoredResource>>>,
    base_url: &str,
    projection: &Projection,
    out: &mut Vec<Value>,
) -> Result<()> {
    out.reserve(resources.len());
    if !needs_groups(rt, projection) || resources.is_empty() {
        for r in resources {
            out.push(render_with(store, tenant, rt, r, base_url, projection, None).await?);
        }
        return Ok(());
    }
    let read;
    let groups = match groups {
        Some(g) => g,
        None => {
            let ids: Vec<ResourceId> = resources.iter().map(|r| r.id.clone()).collect();
            read = store.groups_of_many(tenant, &ids).await?;
            &read
        }
    };
    for r in resources {
        let mine = groups.get(&r.id).map_or(&[][..], Vec::as_slice);
        out.push(render_with(store, tenant, rt, r, base_url, projection, Some(mine)).await?);
    }
    Ok(())
}

/// [`render`] with the user's groups already read (for a page of users,
/// read in one round trip).
pub(crate) async fn render_with(
    store: &dyn Store,
    tenant: &TenantId,
    rt: ResourceTypeRef<'_>,
    r: StoredResource,
    base_url: &str,
    projection: &Projection,
    known_groups: Option<&[StoredResource]>,
) -> Result<Value> {
    let StoredResource {
        id,
        version,
        created,
        last_modified,
        document,
        ..
    } = r;
    let mut doc = match document {
        Value::Object(doc) => doc,
        _ => Map::new(),
    };
    let mut schemas: Vec<Value> = match doc.shift_remove("schemas") {
        Some(Value::Array(s)) => s,
        _ => vec![Value::String(rt.core_schema().id().to_owned())],
    };
    // `schemas` and `id` go first, in the stored map itself: moving the
    // stored members into a new map would hash each key again.
    let mut out = doc;
    out.shift_insert(0, "schemas".into(), Value::Null);
    out.shift_insert(1, "id".into(), Value::String(id.to_string()));
    let core = rt.core_schema();
    let include = |name: &str| core.attribute(name).is_some_and(|a| projection.includes(a));
    if rt.name() == "User" {
        let wants_groups = include("groups");
        let licence_ext = rt.extension(urn::LICENSE_USER);
        let wants_licence = licence_ext.is_some();
        if wants_groups || wants_licence {
            let read;
            let groups: &[StoredResource] = match known_groups {
                Some(g) => g,
                None => {
                    read = store.groups_of(tenant, &id).await?;
                    &read
                }
            };
            if wants_groups && !groups.is_empty() {
                let groups_rt = rt.registry().resource_type("Group");
                out.insert(
                    "groups".into(),
                    Value::Array(
                        groups
                            .iter()
                            .map(|g| {
                                let mut m = Map::new();
                                m.insert("value".into(), Value::String(g.id.to_string()));
                                if let Some(grt) = groups_rt {
                                    m.insert(
                                        "$ref".into(),
                                        Value::String(location(base_url, grt, &g.id)),
                                    );
                                }
                                if let Some(d) = g.document.get("displayName") {
                                    m.insert("display".into(), d.clone());
                                }
                                m.insert("type".into(), Value::String("direct".into()));
                                Value::Object(m)
                            })
                            .collect(),
                    ),
                );
            }
            if let Some(ext) = licence_ext {
                out.insert(
                    ext.id().to_owned(),
                    json!({"license": licence::is_licensed(groups)}),
                );
                if !schemas
                    .iter()
                    .any(|s| s.as_str().is_some_and(|s| urn::eq(s, ext.id())))
                {
                    schemas.push(Value::String(ext.id().to_owned()));
                }
            }
        }
    }
    if rt.name() == "Group" && include("members") {
        let members = all_members(store, tenant, &id, rt, base_url).await?;
        if !members.is_empty() {
            out.insert("members".into(), Value::Array(members));
        }
    }
    out.insert("schemas".into(), Value::Array(schemas));
    out.insert(
        "meta".into(),
        json!({
            "resourceType": rt.name(),
            "created": created.to_string(),
            "lastModified": last_modified.to_string(),
            "location": location(base_url, rt, &id),
            "version": etag(version),
        }),
    );
    Ok(rt.project_owned(Value::Object(out), projection))
}

async fn all_members(
    store: &dyn Store,
    tenant: &TenantId,
    group: &ResourceId,
    rt: ResourceTypeRef<'_>,
    base_url: &str,
) -> Result<Vec<Value>> {
    let registry = rt.registry();
    let mut out = Vec::new();
    let mut after: Option<ResourceId> = None;
    loop {
        let page = store
            .members(tenant, group, after.as_ref(), MEMBER_PAGE)
            .await?;
        let last = page.last().map(|m| m.id.clone());
        for m in &page {
            let mut obj = Map::new();
            obj.insert("value".into(), Value::String(m.id.to_string()));
            if let Some(mrt) = registry.resource_type(&m.resource_type) {
                obj.insert("$ref".into(), Value::String(location(base_url, mrt, &m.id)));
            }
            obj.insert("type".into(), Value::String(m.resource_type.clone()));
            out.push(Value::Object(obj));
        }
        if page.len() < MEMBER_PAGE {
            break;
        }
        after = last;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_parse_and_match() {
        assert_eq!(etag(Version(3)), "W/\"3\"");
        assert_eq!(parse_etag("W/\"3\""), Some(Version(3)));
        assert_eq!(parse_etag("\"3\""), Some(Version(3)));
        assert_eq!(parse_etag("abc"), None);
        assert!(etag_matches("*", Version(9)));
        assert!(etag_matches("W/\"1\", W/\"3\"", Version(3)));
        assert!(!etag_matches("W/\"2\"", Version(3)));
    }
}
