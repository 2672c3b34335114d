//! The PATCH engine (RFC 7644 §3.5.2): applies operations to a copy of a
//! resource's document, and turns operations on group members into a
//! membership change for the store, so that a PATCH adding one member to a
//! huge group never reads or rewrites the others.
//!
//! The engine is pure: document and operations in, document and member
//! change out. All operations of a request apply to one copy; an error in
//! any of them leaves nothing changed.

use scimhub_filter::{
    BoundFilter, BoundPatchPath, BoundPath, BoundValue, CompareOp, bind_patch_path,
    parse_patch_path,
};
use scimhub_schema::message::{PatchOpKind, PatchOperation};
use scimhub_schema::{AttributeType, ResourceTypeRef, UnknownAttributes, urn};
use scimhub_store::{MemberChange, ResourceId};
use serde_json::{Map, Value};

use crate::config::Compatibility;
use crate::error::{Result, ScimError};

/// What a PATCH request amounts to.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOutcome {
    /// The document after every operation (not yet validated).
    pub document: Value,
    /// Whether any operation changed the document itself.
    pub document_changed: bool,
    /// The membership change, when operations targeted `members`.
    pub members: Option<MemberChange>,
}

/// Membership edits accumulated in request order: the last operation that
/// touches a member decides whether it ends up in the group.
#[derive(Debug, Clone, PartialEq)]
enum Members {
    Edit {
        add: Vec<ResourceId>,
        remove: Vec<ResourceId>,
    },
    Replace(Vec<ResourceId>),
}

impl Members {
    fn add(&mut self, id: ResourceId) {
        match self {
            Members::Edit { add, remove } => {
                remove.retain(|r| *r != id);
                if !add.contains(&id) {
                    add.push(id);
                }
            }
            Members::Replace(all) => {
                if !all.contains(&id) {
                    all.push(id);
                }
            }
        }
    }

    fn remove(&mut self, id: ResourceId) {
        match self {
            Members::Edit { add, remove } => {
                add.retain(|a| *a != id);
                if !remove.contains(&id) {
                    remove.push(id);
                }
            }
            Members::Replace(all) => all.retain(|a| *a != id),
        }
    }

    fn into_change(self) -> MemberChange {
        match self {
            Members::Edit { add, remove } => MemberChange::Edit { add, remove },
            Members::Replace(all) => MemberChange::Replace(all),
        }
    }
}

/// Applies `ops` to `document` (a resource's stored attributes) of type
/// `rt`. `self_id` is the resource's id, which Okta echoes in values.
pub fn apply(
    rt: ResourceTypeRef<'_>,
    document: &Value,
    ops: &[PatchOperation],
    compatibility: Compatibility,
    self_id: &str,
) -> Result<PatchOutcome> {
    let mut engine = Engine {
        rt,
        doc: match document {
            Value::Object(o) => o.clone(),
            _ => Map::new(),
        },
        members: None,
        changed: false,
        lenient: compatibility == Compatibility::Lenient,
        self_id,
    };
    for (i, op) in ops.iter().enumerate() {
        engine.operation(op).map_err(|mut e| {
            e.detail = format!("operation {} ({}): {}", i + 1, op.op, e.detail);
            e
        })?;
    }
    Ok(PatchOutcome {
        document: Value::Object(engine.doc),
        document_changed: engine.changed,
        members: engine.members.map(Members::into_change),
    })
}

struct Engine<'r, 's> {
    rt: ResourceTypeRef<'r>,
    doc: Map<String, Value>,
    members: Option<Members>,
    changed: bool,
    lenient: bool,
    self_id: &'s str,
}

/// Where a pathed operation lands.
enum Target {
    /// A whole extension object (path is the extension's URN).
    Extension(String),
    /// The membership of a group (`members`, `members[…]`).
    Members(Option<BoundFilter>),
    /// An attribute, possibly filtered and with a sub-attribute.
    Attribute(BoundPatchPath),
}

impl Engine<'_, '_> {
    fn is_group_members(&self, path: &BoundPath) -> bool {
        self.rt.name() == "Group" && path.extension.is_none() && path.attribute == "members"
    }

    fn operation(&mut self, op: &PatchOperation) -> Result<()> {
        match (&op.path, op.op) {
            (None, PatchOpKind::Remove) => Err(ScimError::no_target(
                "a remove operation needs a \"path\" (RFC 7644 §3.5.2.2)",
            )),
            (None, kind) => {
                let Some(Value::Object(values)) = &op.value else {
                    return Err(ScimError::invalid_syntax(
                        "an add or replace without \"path\" needs a JSON object as \"value\"",
                    ));
                };
                self.pathless(kind, values)
            }
            (Some(path), kind) => match self.target(path)? {
                Some(target) => self.pathed(kind, target, op.value.as_ref()),
                None => Ok(()),
            },
        }
    }

    /// Resolves a path; `None` for an unknown attribute that the registry
    /// says to ignore.
    fn target(&self, path: &str) -> Result<Option<Target>> {
        let trimmed = path.trim();
        if let Some(ext) = self.rt.extension(trimmed) {
            return Ok(Some(Target::Extension(ext.id().to_owned())));
        }
        let parsed = parse_patch_path(trimmed)?;
        let bound = match bind_patch_path(&parsed, self.rt) {
            Ok(b) => b,
            Err(e)
                if e.kind() == scimhub_filter::ErrorKind::UnknownAttribute
                    && self.ignores_unknown() =>
            {
                tracing::info!(
                    resource_type = self.rt.name(),
                    path = trimmed,
                    "ignored a PATCH operation on an attribute the resource type does not define"
                );
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        if self.is_group_members(&bound.attr) {
            if bound.sub.is_some() || bound.attr.sub.is_some() {
                // `members[value eq "…"].display` and the like: members
                // carry nothing writable besides themselves.
                return Err(ScimError::invalid_path(format!(
                    "'{trimmed}': members can be added and removed, not modified"
                )));
            }
            return Ok(Some(Target::Members(bound.filter)));
        }
        Ok(Some(Target::Attribute(bound)))
    }

    fn ignores_unknown(&self) -> bool {
        self.lenient
            && self.rt.registry().settings().unknown_attributes == UnknownAttributes::Ignore
    }

    /// `add`/`replace` without a path: each key of the value is a target.
    fn pathless(&mut self, kind: PatchOpKind, values: &Map<String, Value>) -> Result<()> {
        for (key, value) in values {
            if key.eq_ignore_ascii_case("schemas") || key.eq_ignore_ascii_case("meta") {
                continue;
            }
            if key.eq_ignore_ascii_case("id") {
                // Okta's group rename echoes the group's own id.
                if value.as_str() == Some(self.self_id) {
                    continue;
                }
                return Err(ScimError::mutability(
                    "'id' is read-only and cannot be changed",
                ));
            }
            if let Some(ext) = self.rt.extension(key) {
                let Value::Object(inner) = value else {
                    if value.is_null() {
                        continue;
                    }
                    return Err(ScimError::invalid_value(format!(
                        "the value of extension {} must be a JSON object",
                        ext.id()
                    )));
                };
                let ext_id = ext.id().to_owned();
                for (attr, v) in inner {
                    let path = format!("{ext_id}:{attr}");
                    if let Some(target) = self.target(&path)? {
                        self.pathed(kind, target, Some(v))?;
                    }
                }
                continue;
            }
            if !self.lenient && (key.contains('.') || key.contains(':')) {
                // Strict: the value is shaped like the resource (RFC 7644
                // §3.5.2.1), where extension attributes sit inside their
                // extension's object and sub-attributes inside theirs.
                return Err(ScimError::invalid_syntax(format!(
                    "'{key}': a PATCH value without a \"path\" names attributes as the resource does, with no '.' or URN prefix (set a \"path\" instead)"
                )));
            }
            // Plain names, Entra's dotted names (`name.givenName`) and
            // URN-qualified names all read as paths.
            // Without a path, a complex value merges into the attribute
            // (RFC 7644 §3.5.2.3), as it does with one.
            if let Some(target) = self.target(key)? {
                self.pathed(kind, target, Some(value))?;
            }
        }
        Ok(())
    }

    fn pathed(&mut self, kind: PatchOpKind, target: Target, value: Option<&Value>) -> Result<()> {
        match target {
            Target::Extension(ext) => self.extension(kind, &ext, value),
            Target::Members(filter) => self.membership(kind, filter.as_ref(), value),
            Target::Attribute(path) => self.attribute(kind, &path, value),
        }
    }

    /// An operation on a whole extension object.
    fn extension(&mut self, kind: PatchOpKind, ext: &str, value: Option<&Value>) -> Result<()> {
        match kind {
            PatchOpKind::Remove => {
                if remove_key(&mut self.doc, ext).is_some() {
                    self.changed = true;
                }
                Ok(())
            }
            _ => {
                let Some(Value::Object(values)) = value else {
                    return Err(ScimError::invalid_value(format!(
                        "the value for extension {ext} must be a JSON object"
                    )));
                };
                for (attr, v) in values {
                    if let Some(target) = self.target(&format!("{ext}:{attr}"))? {
                        self.pathed(kind, target, Some(v))?;
                    }
                }
                Ok(())
            }
        }
    }

    /// Operations on `members`: memberships, never the document.
    fn membership(
        &mut self,
        kind: PatchOpKind,
        filter: Option<&BoundFilter>,
        value: Option<&Value>,
    ) -> Result<()> {
        let members = self.members.get_or_insert(Members::Edit {
            add: Vec::new(),
            remove: Vec::new(),
        });
        match (kind, filter) {
            (PatchOpKind::Add, None) => {
                for id in member_ids(value)? {
                    members.add(id);
                }
            }
            (PatchOpKind::Replace, None) => {
                let ids = member_ids(value)?;
                *members = Members::Replace(Vec::new());
                for id in ids {
                    members.add(id);
                }
            }
            (PatchOpKind::Remove, None) => match value {
                // Entra ID's form: the members to remove as the value.
                Some(v) if !v.is_null() => {
                    if !self.lenient {
                        return Err(ScimError::invalid_syntax(
                            "remove takes no value; select members with a filter: members[value eq \"…\"]",
                        ));
                    }
                    for id in member_ids(Some(v))? {
                        members.remove(id);
                    }
                }
                _ => *members = Members::Replace(Vec::new()),
            },
            (PatchOpKind::Remove, Some(f)) => {
                let ids = member_value_eqs(f).ok_or_else(|| {
                    ScimError::invalid_path(
                        "members can be removed by id only: members[value eq \"…\"] (several joined with 'or')",
                    )
                })?;
                for id in ids {
                    members.remove(ResourceId::new(id));
                }
            }
            (PatchOpKind::Add | PatchOpKind::Replace, Some(_)) => {
                return Err(ScimError::invalid_path(
                    "members are added with path \"members\" and a list of {\"value\": id} as the value",
                ));
            }
        }
        Ok(())
    }

    /// Operations on an attribute of the document.
    fn attribute(
        &mut self,
        kind: PatchOpKind,
        path: &BoundPatchPath,
        value: Option<&Value>,
    ) -> Result<()> {
        let def = self
            .rt
            .resolve_parts(path.attr.extension.as_deref(), &path.attr.attribute, None)
            .map_err(ScimError::from)?;
        let attr_def = def.attribute();
        let complex = attr_def.attr_type() == AttributeType::Complex;
        let multi = attr_def.multi_valued();
        let name = attr_def.name().to_owned();
        let ext = path.attr.extension.clone();
        let lenient = self.lenient;
        let changed = {
            let container = container(&mut self.doc, ext.as_deref(), kind != PatchOpKind::Remove);
            let Some(container) = container else {
                // Removing from an extension that is not there: nothing to do.
                return Ok(());
            };
            match (&path.filter, path.attr.sub.as_deref(), path.sub.as_ref()) {
                // attr
                (None, None, _) => match kind {
                    PatchOpKind::Remove => match value {
                        Some(v) if multi && !v.is_null() => remove_values(container, &name, v),
                        _ => remove_key(container, &name).is_some(),
                    },
                    PatchOpKind::Add if multi => {
                        add_values(container, &name, normalise(value, complex && lenient)?)
                    }
                    PatchOpKind::Replace if multi => {
                        let values = as_array(normalise(value, complex && lenient)?);
                        set_key(container, &name, Value::Array(values))
                    }
                    _ if complex => {
                        merge_object(container, &name, normalise(value, complex && lenient)?)?
                    }
                    _ => set_key(container, &name, require(value)?.clone()),
                },
                // attr.sub
                (None, Some(sub), _) => {
                    if multi {
                        // `emails.value`: every element.
                        let elements = elements_mut(container, &name);
                        if elements.is_empty() {
                            if kind == PatchOpKind::Remove {
                                false
                            } else {
                                return Err(ScimError::no_target(format!(
                                    "'{name}' has no values to set '{sub}' on"
                                )));
                            }
                        } else {
                            let mut any = false;
                            for e in elements {
                                any |= set_sub(e, sub, kind, value)?;
                            }
                            any
                        }
                    } else {
                        let obj = object_mut(container, &name, kind != PatchOpKind::Remove);
                        match obj {
                            Some(o) => {
                                let c = set_sub(o, sub, kind, value)?;
                                if o.is_empty() {
                                    remove_key(container, &name);
                                }
                                c
                            }
                            None => false,
                        }
                    }
                }
                // attr[filter] and attr[filter].sub
                (Some(filter), _, sub) => {
                    let sub_name = sub.and_then(|s| s.sub.clone());
                    let matched = matching_elements(container, &name, filter);
                    if matched.is_empty() {
                        match kind {
                            PatchOpKind::Remove => {
                                return Err(ScimError::no_target(format!(
                                    "no value of '{name}' matches the filter"
                                )));
                            }
                            _ if lenient => {
                                // Identity providers add and replace
                                // `emails[type eq "work"].value` before
                                // any work email exists: create it.
                                let mut element = equalities(filter).ok_or_else(|| {
                                    ScimError::no_target(format!(
                                        "no value of '{name}' matches the filter"
                                    ))
                                })?;
                                match &sub_name {
                                    Some(s) => {
                                        element.insert(s.clone(), require(value)?.clone());
                                    }
                                    None => match require(value)? {
                                        Value::Object(o) => element.extend(o.clone()),
                                        _ => {
                                            return Err(ScimError::invalid_value(format!(
                                                "the value for a '{name}' element must be a JSON object"
                                            )));
                                        }
                                    },
                                }
                                add_values(
                                    container,
                                    &name,
                                    Value::Array(vec![Value::Object(element)]),
                                )
                            }
                            _ => {
                                return Err(ScimError::no_target(format!(
                                    "no value of '{name}' matches the filter"
                                )));
                            }
                        }
                    } else {
                        apply_to_matches(
                            container,
                            &name,
                            &matched,
                            kind,
                            sub_name.as_deref(),
                            value,
                        )?
                    }
                }
            }
        };
        if ext.is_some() {
            prune_empty_extension(&mut self.doc, ext.as_deref());
        }
        self.changed |= changed;
        Ok(())
    }
}

fn require(value: Option<&Value>) -> Result<&Value> {
    value.ok_or_else(|| ScimError::invalid_syntax("this operation needs a \"value\""))
}

/// The value of an operation. With `wrap` (a complex attribute, in
/// lenient mode) a bare string becomes `{"value": s}`: Entra ID sends the
/// enterprise `manager` as a plain id. Strict mode leaves it to
/// validation, which refuses a string where an object belongs.
fn normalise(value: Option<&Value>, wrap: bool) -> Result<Value> {
    let v = require(value)?;
    Ok(match v {
        Value::String(s) if wrap => serde_json::json!({"value": s}),
        Value::Array(items) if wrap => Value::Array(
            items
                .iter()
                .map(|i| match i {
                    Value::String(s) => serde_json::json!({"value": s}),
                    other => other.clone(),
                })
                .collect(),
        ),
        other => other.clone(),
    })
}

fn as_array(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// The object holding an attribute: the document, or an extension object
/// (created when `create`).
fn container<'m>(
    doc: &'m mut Map<String, Value>,
    ext: Option<&str>,
    create: bool,
) -> Option<&'m mut Map<String, Value>> {
    let Some(ext) = ext else {
        return Some(doc);
    };
    let key = doc
        .keys()
        .find(|k| k.eq_ignore_ascii_case(ext))
        .cloned()
        .unwrap_or_else(|| ext.to_owned());
    if !doc.contains_key(&key) {
        if !create {
            return None;
        }
        doc.insert(key.clone(), Value::Object(Map::new()));
        // List the extension in `schemas` so the document stays
        // self-describing; validation normalises the list anyway.
        if let Some(Value::Array(schemas)) = doc.get_mut("schemas")
            && !schemas
                .iter()
                .any(|s| s.as_str().is_some_and(|s| urn::eq(s, ext)))
        {
            schemas.push(Value::String(ext.to_owned()));
        }
    }
    match doc.get_mut(&key) {
        Some(Value::Object(o)) => Some(o),
        Some(other) => {
            *other = Value::Object(Map::new());
            other.as_object_mut()
        }
        None => None,
    }
}

fn prune_empty_extension(doc: &mut Map<String, Value>, ext: Option<&str>) {
    if let Some(ext) = ext
        && let Some(key) = doc.keys().find(|k| k.eq_ignore_ascii_case(ext)).cloned()
        && doc
            .get(&key)
            .is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
    {
        doc.remove(&key);
    }
}

/// The actual key spelling of `name` in `obj` (names ignore case).
fn key_of(obj: &Map<String, Value>, name: &str) -> Option<String> {
    if obj.contains_key(name) {
        return Some(name.to_owned());
    }
    obj.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

fn remove_key(obj: &mut Map<String, Value>, name: &str) -> Option<Value> {
    let key = key_of(obj, name)?;
    obj.remove(&key)
}

fn set_key(obj: &mut Map<String, Value>, name: &str, value: Value) -> bool {
    let key = key_of(obj, name).unwrap_or_else(|| name.to_owned());
    let old = obj.insert(key, value.clone());
    old.as_ref() != Some(&value)
}

fn object_mut<'m>(
    obj: &'m mut Map<String, Value>,
    name: &str,
    create: bool,
) -> Option<&'m mut Map<String, Value>> {
    let key = match key_of(obj, name) {
        Some(k) => k,
        None if create => {
            obj.insert(name.to_owned(), Value::Object(Map::new()));
            name.to_owned()
        }
        None => return None,
    };
    let slot = obj.get_mut(&key)?;
    if !slot.is_object() {
        if !create {
            return None;
        }
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
}

fn elements_mut<'m>(
    obj: &'m mut Map<String, Value>,
    name: &str,
) -> Vec<&'m mut Map<String, Value>> {
    match key_of(obj, name).and_then(|k| obj.get_mut(&k)) {
        Some(Value::Array(items)) => items.iter_mut().filter_map(Value::as_object_mut).collect(),
        Some(Value::Object(o)) => vec![o],
        _ => Vec::new(),
    }
}

/// Sets (`add`/`replace`) or removes a sub-attribute of one object.
fn set_sub(
    obj: &mut Map<String, Value>,
    sub: &str,
    kind: PatchOpKind,
    value: Option<&Value>,
) -> Result<bool> {
    Ok(match kind {
        PatchOpKind::Remove => remove_key(obj, sub).is_some(),
        _ => set_key(obj, sub, require(value)?.clone()),
    })
}

/// Merges the sub-attributes of `value` into the complex attribute `name`.
fn merge_object(obj: &mut Map<String, Value>, name: &str, value: Value) -> Result<bool> {
    let Value::Object(values) = value else {
        if value.is_null() {
            return Ok(remove_key(obj, name).is_some());
        }
        return Err(ScimError::invalid_value(format!(
            "the value for '{name}' must be a JSON object of its sub-attributes"
        )));
    };
    let target = object_mut(obj, name, true).ok_or_else(ScimError::internal)?;
    let mut changed = false;
    for (k, v) in values {
        changed |= set_key(target, &k, v);
    }
    Ok(changed)
}

/// Appends values to a multi-valued attribute, skipping values already
/// there; a new `primary` value demotes the old one.
fn add_values(obj: &mut Map<String, Value>, name: &str, value: Value) -> bool {
    let new = as_array(value);
    let key = key_of(obj, name).unwrap_or_else(|| name.to_owned());
    let slot = obj.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    let Some(items) = slot.as_array_mut() else {
        return false;
    };
    let mut changed = false;
    for v in new {
        if v.is_null() || items.contains(&v) {
            continue;
        }
        if is_primary(&v) {
            for item in items.iter_mut() {
                if let Some(p) = item.get_mut("primary") {
                    *p = Value::Bool(false);
                }
            }
        }
        items.push(v);
        changed = true;
    }
    changed
}

fn is_primary(v: &Value) -> bool {
    match v.get("primary") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Removes the given values from a multi-valued attribute (elements equal
/// to one of them, or whose `value` equals one's `value`).
fn remove_values(obj: &mut Map<String, Value>, name: &str, value: &Value) -> bool {
    let targets = as_array(value.clone());
    let Some(Value::Array(items)) = key_of(obj, name).and_then(|k| obj.get_mut(&k)) else {
        return false;
    };
    let before = items.len();
    items.retain(|item| {
        !targets
            .iter()
            .any(|t| t == item || (t.get("value").is_some() && t.get("value") == item.get("value")))
    });
    let changed = items.len() != before;
    if items.is_empty() {
        remove_key(obj, name);
    }
    changed
}

/// Indices of the elements of `name` that match `filter`.
fn matching_elements(obj: &Map<String, Value>, name: &str, filter: &BoundFilter) -> Vec<usize> {
    match key_of(obj, name).and_then(|k| obj.get(&k)) {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter(|(_, e)| filter.matches_element(e))
            .map(|(i, _)| i)
            .collect(),
        Some(single @ Value::Object(_)) if filter.matches_element(single) => vec![0],
        _ => Vec::new(),
    }
}

fn apply_to_matches(
    obj: &mut Map<String, Value>,
    name: &str,
    matched: &[usize],
    kind: PatchOpKind,
    sub: Option<&str>,
    value: Option<&Value>,
) -> Result<bool> {
    let key = key_of(obj, name).ok_or_else(ScimError::internal)?;
    let slot = obj.get_mut(&key).ok_or_else(ScimError::internal)?;
    let mut changed = false;
    match slot {
        Value::Array(items) => {
            if kind == PatchOpKind::Remove && sub.is_none() {
                let mut i = 0;
                items.retain(|_| {
                    let keep = !matched.contains(&i);
                    i += 1;
                    keep
                });
                changed = true;
            } else {
                for &i in matched {
                    let Some(element) = items.get_mut(i) else {
                        continue;
                    };
                    changed |= update_element(element, kind, sub, value)?;
                }
                // RFC 7644 §3.5.2: setting a value's "primary" to true
                // "SHALL cause the server to automatically set 'primary' to
                // 'false' for any other values", whether the operation sets
                // the sub-attribute or the whole element.
                let sets_primary = match (value, sub) {
                    (Some(v), Some("primary")) => is_primary(&serde_json::json!({"primary": v})),
                    (Some(v), None) => kind != PatchOpKind::Remove && is_primary(v),
                    _ => false,
                };
                if sets_primary {
                    for (i, item) in items.iter_mut().enumerate() {
                        if !matched.contains(&i)
                            && let Some(p) = item.get_mut("primary")
                        {
                            *p = Value::Bool(false);
                        }
                    }
                }
            }
            let empty = items.is_empty();
            if empty {
                obj.remove(&key);
            }
        }
        single => {
            if kind == PatchOpKind::Remove && sub.is_none() {
                obj.remove(&key);
                changed = true;
            } else {
                changed |= update_element(single, kind, sub, value)?;
            }
        }
    }
    Ok(changed)
}

fn update_element(
    element: &mut Value,
    kind: PatchOpKind,
    sub: Option<&str>,
    value: Option<&Value>,
) -> Result<bool> {
    let Some(obj) = element.as_object_mut() else {
        return Ok(false);
    };
    match (kind, sub) {
        (_, Some(s)) => set_sub(obj, s, kind, value),
        (PatchOpKind::Replace, None) => match require(value)? {
            Value::Object(o) => {
                let changed = *obj != *o;
                *obj = o.clone();
                Ok(changed)
            }
            _ => Err(ScimError::invalid_value(
                "the replacement for a selected element must be a JSON object",
            )),
        },
        (PatchOpKind::Add, None) => match require(value)? {
            Value::Object(o) => {
                let mut changed = false;
                for (k, v) in o {
                    changed |= set_key(obj, k, v.clone());
                }
                Ok(changed)
            }
            _ => Err(ScimError::invalid_value(
                "the value added to a selected element must be a JSON object",
            )),
        },
        (PatchOpKind::Remove, None) => Ok(false),
    }
}

/// The sub-attribute equalities a filter requires (`type eq "work"`, or
/// several joined with `and`), to create the element it describes.
fn equalities(filter: &BoundFilter) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    let mut stack = vec![filter];
    while let Some(f) = stack.pop() {
        match f {
            BoundFilter::Compare(p, CompareOp::Eq, v) => {
                let value = match v {
                    BoundValue::Str(s) => Value::String(s.to_string()),
                    BoundValue::Bool(b) => Value::Bool(*b),
                    BoundValue::Int(i) => Value::from(*i),
                    BoundValue::Float(x) => Value::from(*x),
                    BoundValue::DateTime(_, s) => Value::String(s.to_string()),
                    BoundValue::Null => return None,
                };
                out.insert(p.sub.clone()?, value);
            }
            BoundFilter::And(items) => stack.extend(items.iter()),
            _ => return None,
        }
    }
    Some(out)
}

/// The ids a member filter selects: `value eq "id"`, or several joined by
/// `or`.
fn member_value_eqs(filter: &BoundFilter) -> Option<Vec<&str>> {
    match filter {
        BoundFilter::Compare(p, CompareOp::Eq, BoundValue::Str(s))
            if p.sub.as_deref() == Some("value") =>
        {
            Some(vec![s.as_str()])
        }
        BoundFilter::Or(items) => {
            let mut out = Vec::new();
            for i in items {
                out.extend(member_value_eqs(i)?);
            }
            Some(out)
        }
        _ => None,
    }
}

/// Member ids from a value: `[{"value": id, …}, …]`, one such object, or
/// bare id strings.
pub(crate) fn member_ids(value: Option<&Value>) -> Result<Vec<ResourceId>> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(single) => vec![single],
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let id = match item {
            Value::String(s) => s.as_str(),
            Value::Object(o) => match o.iter().find(|(k, _)| k.eq_ignore_ascii_case("value")) {
                Some((_, Value::String(s))) => s.as_str(),
                _ => {
                    return Err(ScimError::invalid_value(
                        "each member needs a \"value\" holding the id of a user or group",
                    ));
                }
            },
            Value::Null => continue,
            _ => {
                return Err(ScimError::invalid_value(
                    "members are given as {\"value\": \"<id>\"} objects",
                ));
            }
        };
        if id.is_empty() {
            return Err(ScimError::invalid_value(
                "a member's \"value\" cannot be empty",
            ));
        }
        out.push(ResourceId::new(id));
    }
    Ok(out)
}
