//! Building the representation a client sees: the stored document plus
//! `id`, `meta`, the computed `groups` and licence of a user, the members
//! of a group, then projection.

use std::collections::HashMap;

use scimhub_schema::datetime::DateTime;
use scimhub_schema::message::ListResponse;
use scimhub_schema::{Attribute, Projection, ResourceTypeRef, Returned, urn};
use scimhub_store::{ResourceId, Store, StoredResource, TenantId, Version};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::error::{Result, ScimError};
use crate::licence;
use crate::request::Response;
use crate::service::Service;

/// The ETag of a version: weak, since representations are equivalent but
/// not byte-identical across projections.
pub fn etag(version: Version) -> String {
    // Written without the formatting machinery: every response to a
    // single resource carries one.
    ["W/\"", itoa::Buffer::new().format(version.0), "\""].concat()
}

/// [`etag`] as it is written (in `meta.version` without a `String`).
struct ETag(Version);

impl std::fmt::Display for ETag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "W/\"{}\"", self.0.0)
    }
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
    // Concatenated: one of these is built for every resource rendered,
    // and the formatting machinery costs more than the copies.
    [base_url, rt.definition().endpoint(), "/", id.as_str()].concat()
}

/// Members are read from the store in pages of this size.
const MEMBER_PAGE: usize = 1000;

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
    service: &Service,
    tenant: &TenantId,
    rt: ResourceTypeRef<'_>,
    resources: Vec<StoredResource>,
    groups: Option<&HashMap<ResourceId, Vec<StoredResource>>>,
    base_url: &str,
    projection: &Projection,
    out: &mut Vec<Rendered>,
) -> Result<()> {
    out.reserve(resources.len());
    let renderer = Renderer::new(service, tenant, rt, base_url, projection);
    if !needs_groups(rt, projection) || resources.is_empty() {
        for r in resources {
            out.push(renderer.render(r, None).await?);
        }
        return Ok(());
    }
    let read;
    let groups = match groups {
        Some(g) => g,
        None => {
            let ids: Vec<ResourceId> = resources.iter().map(|r| r.id.clone()).collect();
            read = service.store().groups_of_many(tenant, &ids).await?;
            &read
        }
    };
    for r in resources {
        let mine = groups.get(&r.id).map_or(&[][..], Vec::as_slice);
        out.push(renderer.render(r, Some(mine)).await?);
    }
    Ok(())
}

/// A rendered representation: a JSON value, or JSON text spliced from
/// the stored text (see [`render_with`]).
#[derive(Debug)]
pub(crate) enum Rendered {
    /// Built as a value (and projected).
    Value(Value),
    /// Spliced from the stored text: one JSON object.
    Json(String),
}

impl Rendered {
    /// Appends the JSON to `out`.
    fn write_to(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        match self {
            Rendered::Value(v) => serde_json::to_writer(out, v),
            Rendered::Json(j) => {
                out.extend_from_slice(j.as_bytes());
                Ok(())
            }
        }
    }

    /// A response with this representation as its body.
    pub(crate) fn into_response(self, status: u16) -> Response {
        match self {
            Rendered::Value(v) => Response::json(status, &v),
            Rendered::Json(j) => Response {
                status,
                headers: Vec::new(),
                body: j.into_bytes(),
            },
        }
    }
}

impl Serialize for Rendered {
    /// The JSON it holds; spliced text is checked on the way (the list
    /// and single responses write it without this, see
    /// [`list_response`]).
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Rendered::Value(v) => v.serialize(serializer),
            Rendered::Json(j) => serde_json::from_str::<&RawValue>(j)
                .map_err(serde::ser::Error::custom)?
                .serialize(serializer),
        }
    }
}

/// The response to a list or search: the list's JSON with each
/// representation written as it is, spliced text without a second scan.
pub(crate) fn list_response(mut list: ListResponse<Rendered>) -> Response {
    let resources = std::mem::take(&mut list.resources);
    // Sized for the whole body up front, so that it is not copied as it
    // grows (a page of 100 would be, ten times).
    let size = 256
        + resources
            .iter()
            .map(|r| match r {
                Rendered::Json(text) => text.len() + 1,
                Rendered::Value(_) => 1024,
            })
            .sum::<usize>();
    let mut body = Vec::with_capacity(size);
    let written = serde_json::to_writer(&mut body, &list).and_then(|()| {
        // `Resources` is the last member and was written empty: `[]}`.
        if !body.ends_with(b"[]}") {
            return Err(serde::ser::Error::custom("unexpected list layout"));
        }
        body.truncate(body.len() - 2);
        for (i, r) in resources.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            r.write_to(&mut body)?;
        }
        body.extend_from_slice(b"]}");
        Ok(body)
    });
    match written {
        Ok(body) => Response {
            status: 200,
            headers: Vec::new(),
            body,
        },
        Err(_) => {
            list.resources = resources;
            Response::json(200, &list)
        }
    }
}

/// What the store does not keep in the document: the user's groups and
/// licence, the group's members, `meta`.
struct Computed<'r> {
    groups: Option<Vec<Value>>,
    licence: Option<(&'r str, bool)>,
    members: Option<Vec<Value>>,
    meta: Meta<'r>,
}

/// `meta` (RFC 7643 §3.1), serialised in this member order without
/// building a map.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Meta<'r> {
    resource_type: &'r str,
    #[serde(serialize_with = "as_text")]
    created: DateTime,
    #[serde(serialize_with = "as_text")]
    last_modified: DateTime,
    location: String,
    #[serde(serialize_with = "as_etag")]
    version: Version,
}

impl Meta<'_> {
    /// Appends the JSON that serialising `self` gives, written directly:
    /// the keys are constants and the timestamps and version can hold
    /// nothing that needs escaping, so only the type and the location go
    /// through the escaping writer. (One of these is written for every
    /// resource in a response.)
    fn write_json(&self, out: &mut Vec<u8>) -> Option<()> {
        out.extend_from_slice(b"{\"resourceType\":");
        serde_json::to_writer(&mut *out, self.resource_type).ok()?;
        out.extend_from_slice(b",\"created\":\"");
        write_instant(out, self.created)?;
        out.extend_from_slice(b"\",\"lastModified\":\"");
        write_instant(out, self.last_modified)?;
        out.extend_from_slice(b"\",\"location\":");
        serde_json::to_writer(&mut *out, &self.location).ok()?;
        // `W/"n"` as a JSON string.
        out.extend_from_slice(b",\"version\":\"W/\\\"");
        serde_json::to_writer(&mut *out, &self.version.0).ok()?;
        out.extend_from_slice(b"\\\"\"}");
        Some(())
    }
}

/// An instant's RFC 3339 text, which holds only digits, signs, `T`, `:`,
/// `.` and `Z` (nothing JSON escapes).
fn write_instant(out: &mut Vec<u8>, t: DateTime) -> Option<()> {
    use std::io::Write;
    match t.fixed_text() {
        Some(text) => {
            out.extend_from_slice(&text);
            Some(())
        }
        None => write!(out, "{t}").ok(),
    }
}

fn as_text<S: Serializer>(t: &DateTime, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(t)
}

fn as_etag<S: Serializer>(v: &Version, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(&ETag(*v))
}

/// The full representation of `r`, projected. A user's groups (for
/// `groups` and the licence) are `known_groups` when the caller has
/// them (read with the user, or with the whole page, or none for a user
/// just created), and are read here otherwise.
///
/// The representation is the stored document with `schemas` and `id`
/// first, the stored members in their order, then the computed ones
/// (`groups`, the licence extension, `members`) and `meta`, projected.
/// When the store handed the document back as JSON text and the
/// projection is the default one, which keeps every member a stored
/// document can hold, the text is spliced instead of parsed: the same
/// JSON, without building a map per object.
pub(crate) async fn render_with(
    service: &Service,
    tenant: &TenantId,
    rt: ResourceTypeRef<'_>,
    r: StoredResource,
    base_url: &str,
    projection: &Projection,
    known_groups: Option<&[StoredResource]>,
) -> Result<Rendered> {
    Renderer::new(service, tenant, rt, base_url, projection)
        .render(r, known_groups)
        .await
}

/// Rendering resources of one type with one projection: what
/// [`render_with`] needs, with the decision whether stored text may be
/// spliced (the projection is the default one, and the service found at
/// start-up that the type's stored documents are returned as stored).
struct Renderer<'a> {
    store: &'a dyn Store,
    tenant: &'a TenantId,
    rt: ResourceTypeRef<'a>,
    base_url: &'a str,
    projection: &'a Projection,
    splice: bool,
}

impl<'a> Renderer<'a> {
    fn new(
        service: &'a Service,
        tenant: &'a TenantId,
        rt: ResourceTypeRef<'a>,
        base_url: &'a str,
        projection: &'a Projection,
    ) -> Renderer<'a> {
        Renderer {
            store: &**service.store(),
            tenant,
            rt,
            base_url,
            projection,
            splice: projection.is_default() && service.returns_as_stored(rt),
        }
    }

    async fn render(
        &self,
        r: StoredResource,
        known_groups: Option<&[StoredResource]>,
    ) -> Result<Rendered> {
        let Renderer {
            store,
            tenant,
            rt,
            base_url,
            projection,
            splice: may_splice,
        } = *self;
        let StoredResource {
            id,
            version,
            created,
            last_modified,
            document,
            ..
        } = r;
        let core = rt.core_schema();
        let include = |name: &str| core.attribute(name).is_some_and(|a| projection.includes(a));
        let mut computed = Computed {
            groups: None,
            licence: None,
            members: None,
            meta: Meta {
                resource_type: rt.name(),
                created,
                last_modified,
                location: location(base_url, rt, &id),
                version,
            },
        };
        if rt.name() == "User" {
            let wants_groups = include("groups");
            let licence_ext = rt.extension(urn::LICENSE_USER);
            if wants_groups || licence_ext.is_some() {
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
                    computed.groups = Some(
                        groups
                            .iter()
                            .map(|g| {
                                let display = g.document.get("displayName")?;
                                Ok(reference(&g.id, groups_rt, base_url, display, "direct"))
                            })
                            .collect::<Result<_>>()?,
                    );
                }
                if let Some(ext) = licence_ext {
                    computed.licence = Some((ext.id(), licence::is_licensed(groups)?));
                }
            }
        }
        if rt.name() == "Group" && include("members") {
            let members = all_members(store, tenant, &id, rt, base_url).await?;
            if !members.is_empty() {
                computed.members = Some(members);
            }
        }
        if may_splice
            && let Some(json) = document
                .json_text()
                .and_then(|text| splice(rt, &id, text, &computed))
        {
            return Ok(Rendered::Json(json));
        }
        let mut doc = match document.into_value()? {
            Value::Object(doc) => doc,
            _ => Map::new(),
        };
        let mut schemas = match doc.shift_remove("schemas") {
            Some(Value::Array(s)) => s,
            _ => vec![Value::String(core.id().to_owned())],
        };
        // `schemas` and `id` go first, in the stored map itself: moving the
        // stored members into a new map would hash each key again.
        let mut out = doc;
        out.shift_insert(0, "schemas".into(), Value::Null);
        out.shift_insert(1, "id".into(), Value::String(id.to_string()));
        let Computed {
            groups,
            licence,
            members,
            meta,
        } = computed;
        if let Some(groups) = groups {
            out.insert("groups".into(), Value::Array(groups));
        }
        if let Some((ext, licensed)) = licence {
            out.insert(ext.to_owned(), json!({"license": licensed}));
            add_schema(&mut schemas, ext);
        }
        if let Some(members) = members {
            out.insert("members".into(), Value::Array(members));
        }
        out.insert("schemas".into(), Value::Array(schemas));
        out.insert(
            "meta".into(),
            serde_json::to_value(&meta).map_err(|_| ScimError::internal())?,
        );
        Ok(Rendered::Value(
            rt.project_owned(Value::Object(out), projection),
        ))
    }
}

/// Appends `urn` to `schemas` unless it is there already.
fn add_schema(schemas: &mut Vec<Value>, urn: &str) {
    if !schemas
        .iter()
        .any(|s| s.as_str().is_some_and(|s| urn::eq(s, urn)))
    {
        schemas.push(Value::String(urn.to_owned()));
    }
}

/// One element of a user's `groups` (`type` "direct") or of a group's
/// `members` (`type` the member's resource type): `value`, `$ref` when
/// the referenced type is known, `display` when given, `type`.
fn reference(
    id: &ResourceId,
    rt: Option<ResourceTypeRef<'_>>,
    base_url: &str,
    display: Option<&Value>,
    kind: &str,
) -> Value {
    let mut m = Map::new();
    m.insert("value".into(), Value::String(id.to_string()));
    if let Some(rt) = rt {
        m.insert("$ref".into(), Value::String(location(base_url, rt, id)));
    }
    if let Some(d) = display {
        m.insert("display".into(), d.clone());
    }
    m.insert("type".into(), Value::String(kind.to_owned()));
    Value::Object(m)
}

/// Whether the default projection keeps every member a stored document
/// of `rt` can hold, unchanged. Stored documents are validated (canonical
/// names, no empty values, no read-only input) and never hold the
/// password, so this holds unless the schemas have attributes returned
/// only on request, or never returned, beyond the password.
pub(crate) fn default_keeps_stored(rt: ResourceTypeRef<'_>) -> bool {
    fn plain(a: &Attribute) -> bool {
        matches!(a.returned(), Returned::Default | Returned::Always)
            && a.sub_attributes().iter().all(plain)
    }
    rt.registry().common_attributes().iter().all(plain)
        && rt
            .core_schema()
            .attributes()
            .iter()
            .all(|a| a.name() == "password" || plain(a))
        && rt
            .extensions()
            .all(|(ext, _)| ext.attributes().iter().all(plain))
}

/// The top-level members of a stored document, borrowed from its text.
struct Members<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Members<'de>, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some(entry) = map.next_entry::<&'de str, &'de RawValue>()? {
                    out.push(entry);
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// The representation spliced from the stored JSON text: the same JSON
/// [`render_with`] builds as a value under the default projection. `None`
/// when the text is not a plain object of distinct members that leaves
/// the computed members to the server (the value path then decides).
fn splice(
    rt: ResourceTypeRef<'_>,
    id: &ResourceId,
    text: &str,
    computed: &Computed<'_>,
) -> Option<String> {
    // Keys with escapes do not borrow and fail here, as do damaged texts.
    let Members(members) = serde_json::from_str(text).ok()?;
    let mut schemas = None;
    for (i, (key, value)) in members.iter().enumerate() {
        if *key == "schemas" {
            schemas = Some(*value);
        } else if ["schemas", "id", "meta", "groups", "members"]
            .iter()
            .any(|k| key.eq_ignore_ascii_case(k))
            || computed.licence.is_some_and(|(ext, _)| urn::eq(key, ext))
        {
            return None;
        }
        if members.iter().take(i).any(|(k, _)| k == key) {
            return None;
        }
    }
    let mut out = Vec::with_capacity(text.len() + 256);
    out.extend_from_slice(b"{\"schemas\":");
    let licence = computed.licence.map(|(ext, _)| ext);
    // The usual case, an array of URNs without escapes, is copied as it
    // is: strings serde_json can borrow held no escape, so they need none.
    if let Some(Ok(urns)) = schemas.map(|s| serde_json::from_str::<Vec<&str>>(s.get())) {
        out.push(b'[');
        for (i, urn) in urns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(urn.as_bytes());
            out.push(b'"');
        }
        if let Some(ext) = licence
            && !urns.iter().any(|s| urn::eq(s, ext))
        {
            if !urns.is_empty() {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, ext).ok()?;
        }
        out.push(b']');
    } else {
        let mut schemas = match schemas.map(|s| serde_json::from_str::<Value>(s.get())) {
            Some(Ok(Value::Array(s))) => s,
            Some(Err(_)) => return None,
            _ => vec![Value::String(rt.core_schema().id().to_owned())],
        };
        if let Some(ext) = licence {
            add_schema(&mut schemas, ext);
        }
        serde_json::to_writer(&mut out, &schemas).ok()?;
    }
    out.extend_from_slice(b",\"id\":");
    serde_json::to_writer(&mut out, id.as_str()).ok()?;
    for (key, value) in members.iter().filter(|(k, _)| *k != "schemas") {
        // A borrowed key held no escapes, so it needs none.
        out.extend_from_slice(b",\"");
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
        out.extend_from_slice(value.get().as_bytes());
    }
    if let Some(groups) = &computed.groups {
        out.extend_from_slice(b",\"groups\":");
        serde_json::to_writer(&mut out, groups).ok()?;
    }
    if let Some((ext, licensed)) = computed.licence {
        out.push(b',');
        serde_json::to_writer(&mut out, ext).ok()?;
        out.extend_from_slice(if licensed {
            b":{\"license\":true}"
        } else {
            b":{\"license\":false}"
        });
    }
    if let Some(members) = &computed.members {
        out.extend_from_slice(b",\"members\":");
        serde_json::to_writer(&mut out, members).ok()?;
    }
    out.extend_from_slice(b",\"meta\":");
    computed.meta.write_json(&mut out)?;
    out.push(b'}');
    String::from_utf8(out).ok()
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
        out.extend(page.iter().map(|m| {
            let rt = registry.resource_type(&m.resource_type);
            reference(&m.id, rt, base_url, None, &m.resource_type)
        }));
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
        for v in [0, 10, u64::MAX] {
            assert_eq!(etag(Version(v)), ETag(Version(v)).to_string());
        }
        assert_eq!(parse_etag("W/\"3\""), Some(Version(3)));
        assert_eq!(parse_etag("\"3\""), Some(Version(3)));
        assert_eq!(parse_etag("abc"), None);
        assert!(etag_matches("*", Version(9)));
        assert!(etag_matches("W/\"1\", W/\"3\"", Version(3)));
        assert!(!etag_matches("W/\"2\"", Version(3)));
    }
}

/// The spliced text must be the JSON the value path builds, byte for byte.
#[cfg(test)]
mod splice_tests {
    use proptest::prelude::*;
    use scimhub_schema::datetime::DateTime;
    use scimhub_schema::{Context, Registry};
    use scimhub_store::{Document, MemoryStore};
    use serde_json::json;
    use std::sync::Arc;

    use crate::config::Config;

    use super::*;

    const BASE: &str = "https://scim.example.com/scim/v2/acme";

    fn stored(id: &str, document: Document) -> StoredResource {
        StoredResource {
            id: ResourceId::new(id),
            resource_type: "User".into(),
            version: Version(7),
            created: DateTime::from_unix(1_700_000_000, 120_000_000),
            last_modified: DateTime::from_unix(1_700_000_500, 0),
            document,
        }
    }

    fn group(id: &str, name: &str, licence: bool) -> StoredResource {
        let mut g = stored(
            id,
            Document::from_json(
                json!({
                    "schemas": [urn::GROUP, urn::LICENSE_GROUP],
                    "displayName": name,
                    urn::LICENSE_GROUP: {"license": licence},
                })
                .to_string(),
            ),
        );
        g.resource_type = "Group".into();
        g
    }

    /// Renders `doc` from text and from a value; returns both bodies and
    /// whether the text was spliced.
    fn both(
        registry: &Registry,
        doc: &Value,
        groups: &[StoredResource],
        attributes: &[&str],
    ) -> (String, String, bool) {
        let rt = registry.resource_type("User").unwrap();
        let projection = rt.projection(attributes, &[]);
        let service = Service::new(Arc::new(MemoryStore::new()), Config::default());
        let tenant = TenantId::new("acme").unwrap();
        let run = |document: Document| {
            let r = stored("2819c223-7f76-453a-919d-413861904646", document);
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(render_with(
                    &service,
                    &tenant,
                    rt,
                    r,
                    BASE,
                    &projection,
                    Some(groups),
                ))
                .unwrap()
        };
        let from_text = run(Document::from_json(doc.to_string()));
        let from_value = run(Document::from(doc.clone()));
        assert!(matches!(from_value, Rendered::Value(_)));
        let spliced = matches!(from_text, Rendered::Json(_));
        let body = |r: Rendered| String::from_utf8(r.into_response(200).body).unwrap();
        (body(from_text), body(from_value), spliced)
    }

    fn full_user() -> Value {
        json!({
            "schemas": [urn::USER, urn::ENTERPRISE_USER],
            "userName": "bjensen@example.com",
            "name": {"givenName": "Barbara", "familyName": "Jensen \"BJ\" \\ é"},
            "displayName": "Babs",
            "active": true,
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
            urn::ENTERPRISE_USER: {"employeeNumber": "701984", "manager": {"value": "26118915"}},
        })
    }

    #[test]
    fn spliced_users_equal_built_ones() {
        let registry = Registry::standard();
        let groups = [
            group("a1", "Sales", false),
            group("b2", "Licensed \"E5\"", true),
        ];
        for groups in [&groups[..], &groups[..1], &[]] {
            let (text, value, spliced) = both(&registry, &full_user(), groups, &[]);
            assert!(spliced, "the default projection splices");
            assert_eq!(text, value);
            let parsed: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(parsed["id"], "2819c223-7f76-453a-919d-413861904646");
            assert_eq!(parsed["meta"]["version"], "W/\"7\"");
        }
        let (text, _, _) = both(&registry, &full_user(), &groups, &[]);
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed[urn::LICENSE_USER]["license"], true);
        assert_eq!(parsed["groups"][1]["display"], "Licensed \"E5\"");
        assert!(
            parsed["schemas"]
                .as_array()
                .unwrap()
                .contains(&json!(urn::LICENSE_USER))
        );
    }

    #[test]
    fn what_the_splice_does_not_cover_is_built() {
        let registry = Registry::standard();
        // A projection, members the server computes, escaped keys,
        // duplicate keys and documents without `schemas`.
        let cases: Vec<(Value, &[&str])> = vec![
            (full_user(), &["userName"]),
            (json!({"userName": "a", "groups": [{"value": "x"}]}), &[]),
            (json!({"userName": "a", "ID": "x"}), &[]),
            (
                json!({"userName": "a", urn::LICENSE_USER: {"license": true}}),
                &[],
            ),
            (json!({"userName": "a"}), &[]),
            (json!({"userName": "a", "schemas": "not a list"}), &[]),
        ];
        for (doc, attributes) in cases {
            let (text, value, _) = both(&registry, &doc, &[], attributes);
            assert_eq!(text, value, "{doc}");
        }
        let (_, _, spliced) = both(&registry, &full_user(), &[], &["userName"]);
        assert!(!spliced, "a projection is applied to a value");
        assert!(splice_text(&registry, r#"{"user\u004eame":"a"}"#).is_none());
        assert!(splice_text(&registry, r#"{"userName":"a","userName":"b"}"#).is_none());
        assert!(splice_text(&registry, r#"{"userName":"a""#).is_none());
        assert!(splice_text(&registry, "[1]").is_none());
        assert!(splice_text(&registry, r#"{"userName":"a"}"#).is_some());
    }

    #[test]
    fn stored_schemas_splice_as_built() {
        let registry = Registry::standard();
        let licensed = [group("b2", "E5", true)];
        let cases = [
            json!({"schemas": [], "userName": "a"}),
            json!({"schemas": [urn::USER], "userName": "a"}),
            json!({"schemas": [urn::USER, "urn:x:\"quoted\"\\"], "userName": "a"}),
            json!({"schemas": [urn::USER, urn::LICENSE_USER.to_uppercase()], "userName": "a"}),
            json!({"schemas": [urn::USER, urn::LICENSE_USER], "userName": "a"}),
            json!({"schemas": [urn::USER, "urn:é:ü\u{7f}"], "userName": "a"}),
            json!({"schemas": [urn::USER, 5, null], "userName": "a"}),
        ];
        for doc in &cases {
            for groups in [&licensed[..], &[]] {
                let (text, value, _) = both(&registry, doc, groups, &[]);
                assert_eq!(text, value, "{doc}");
            }
        }
    }

    /// `meta` written directly is the JSON serde_json writes for it.
    #[test]
    fn meta_is_written_as_serialised() {
        let dates = [
            DateTime::from_unix(0, 0),
            DateTime::from_unix(1_700_000_000, 120_000_000),
            DateTime::from_unix(-62_135_596_800, 999_000_000),
            DateTime::from_unix(253_402_300_800, 1_000_000),
        ];
        let locations = [
            String::new(),
            format!("{BASE}/Users/2819c223"),
            "https://h\"ost\\/\u{1}\u{1f}\u{7f}é😀</script>/Users/x".to_owned(),
        ];
        for (i, created) in dates.iter().enumerate() {
            for location in &locations {
                for version in [0, 7, u64::MAX] {
                    let meta = Meta {
                        resource_type: if i % 2 == 0 { "User" } else { "Gr\"oup" },
                        created: *created,
                        last_modified: dates[(i + 1) % dates.len()],
                        location: location.clone(),
                        version: Version(version),
                    };
                    let mut direct = Vec::new();
                    meta.write_json(&mut direct).unwrap();
                    assert_eq!(
                        String::from_utf8(direct).unwrap(),
                        serde_json::to_string(&meta).unwrap()
                    );
                }
            }
        }
    }

    fn splice_text(registry: &Registry, text: &str) -> Option<String> {
        let rt = registry.resource_type("User").unwrap();
        let computed = Computed {
            groups: None,
            licence: None,
            members: None,
            meta: Meta {
                resource_type: "User",
                created: DateTime::from_unix(0, 0),
                last_modified: DateTime::from_unix(0, 0),
                location: String::new(),
                version: Version(1),
            },
        };
        splice(rt, &ResourceId::new("x"), text, &computed)
    }

    #[test]
    fn spliced_groups_with_members_equal_built_ones() {
        use scimhub_store::{NewResource, NewTenant, TokenHash};
        let registry = Registry::standard();
        let rt = registry.resource_type("Group").unwrap();
        let run = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let store = Arc::new(MemoryStore::new());
        let tenant = TenantId::new("acme").unwrap();
        let created = run.block_on(async {
            store
                .create_tenant(NewTenant {
                    id: tenant.clone(),
                    token: TokenHash([1; 32]),
                    allowed_domains: vec![],
                })
                .await
                .unwrap();
            let user = store
                .create(
                    &tenant,
                    NewResource {
                        resource_type: "User".into(),
                        document: json!({"userName": "a"}),
                        unique: vec![],
                        members: vec![],
                    },
                )
                .await
                .unwrap();
            store
                .create(
                    &tenant,
                    NewResource {
                        resource_type: "Group".into(),
                        document: json!({
                            "schemas": [urn::GROUP, urn::LICENSE_GROUP],
                            "displayName": "Licensed",
                            urn::LICENSE_GROUP: {"license": true},
                        }),
                        unique: vec![],
                        members: vec![user.id],
                    },
                )
                .await
                .unwrap()
        });
        let service = Service::new(store, Config::default());
        let text = created.document.value().unwrap().to_string();
        for excluded in [&[][..], &["members"][..]] {
            let projection = rt.projection(&[], excluded);
            let render = |document: Document| {
                let mut r = created.clone();
                r.document = document;
                run.block_on(render_with(
                    &service,
                    &tenant,
                    rt,
                    r,
                    BASE,
                    &projection,
                    None,
                ))
                .unwrap()
            };
            let from_text = render(Document::from_json(text.clone()));
            let from_value = render(created.document.clone());
            assert_eq!(
                matches!(from_text, Rendered::Json(_)),
                excluded.is_empty(),
                "only the default projection splices"
            );
            let body = |r: Rendered| String::from_utf8(r.into_response(200).body).unwrap();
            let (text_body, value_body) = (body(from_text), body(from_value));
            assert_eq!(text_body, value_body);
            let parsed: Value = serde_json::from_str(&text_body).unwrap();
            assert_eq!(
                parsed["members"].as_array().map(Vec::len),
                excluded.is_empty().then_some(1)
            );
        }
    }

    #[test]
    fn list_responses_write_spliced_and_built_resources_alike() {
        let spliced = Rendered::Json(r#"{"id":"a","userName":"x \"y\""}"#.to_owned());
        let built = Rendered::Value(json!({"id": "b", "userName": "z"}));
        let values = vec![
            json!({"id": "a", "userName": "x \"y\""}),
            json!({"id": "b", "userName": "z"}),
        ];
        let mut list = ListResponse::new(7, 1, vec![spliced, built]);
        list.start_index = Some(1);
        let mut want = ListResponse::new(7, 1, values);
        want.start_index = Some(1);
        let got = list_response(list);
        assert_eq!(got.status, 200);
        assert_eq!(got.body, serde_json::to_vec(&want).unwrap());
        let empty = list_response(ListResponse::new(0, 1, Vec::<Rendered>::new()));
        let empty: Value = serde_json::from_slice(&empty.body).unwrap();
        assert_eq!(empty["Resources"], json!([]));
        // The generic serialisation checks spliced text on the way.
        assert!(serde_json::to_vec(&Rendered::Json("{".into())).is_err());
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9@._-]{1,20}",
            any::<String>(),
            Just("quote \" backslash \\ tab \t é 😀".to_owned()),
        ]
    }

    prop_compose! {
        fn user()(
            user_name in text(),
            given in proptest::option::of(text()),
            family in proptest::option::of(text()),
            active in proptest::option::of(any::<bool>()),
            emails in proptest::collection::vec((text(), proptest::option::of("work|home")), 0..3),
            number in proptest::option::of(text()),
            title in proptest::option::of(text()),
        ) -> Value {
            let mut doc = json!({"schemas": [urn::USER], "userName": user_name});
            let o = doc.as_object_mut().unwrap();
            if given.is_some() || family.is_some() {
                o.insert("name".into(), json!({"givenName": given, "familyName": family}));
            }
            if let Some(a) = active {
                o.insert("active".into(), json!(a));
            }
            if let Some(t) = title {
                o.insert("title".into(), json!(t));
            }
            o.insert("emails".into(), Value::Array(
                emails.into_iter().map(|(v, t)| json!({"value": v, "type": t})).collect(),
            ));
            if let Some(n) = number {
                o.insert(urn::ENTERPRISE_USER.into(), json!({"employeeNumber": n}));
            }
            doc
        }
    }

    proptest! {
        /// Any user the validator stores renders the same from its text.
        #[test]
        fn stored_users_splice_to_the_built_json(
            doc in user(),
            licensed in any::<bool>(),
            n_groups in 0usize..3,
        ) {
            let registry = Registry::standard();
            let rt = registry.resource_type("User").unwrap();
            let Ok(valid) = rt.validate(&doc, Context::Create) else {
                return Ok(());
            };
            let groups: Vec<StoredResource> = (0..n_groups)
                .map(|i| group(&format!("g{i}"), &format!("G {i}"), licensed))
                .collect();
            let (text, value, spliced) = both(&registry, &valid, &groups, &[]);
            prop_assert!(spliced);
            prop_assert_eq!(text, value);
        }
    }
}
