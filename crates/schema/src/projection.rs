//! Attribute projection: `attributes` and `excludedAttributes`
//! (RFC 7644 §3.4.2.5 and §3.9) together with each attribute's `returned`
//! characteristic (RFC 7643 §7).

use serde_json::{Map, Value};

use crate::attribute::{Attribute, Returned};
use crate::registry::ResourceTypeRef;

/// Which attributes a response carries, resolved against one resource type.
///
/// Built by [`ResourceTypeRef::projection`]; it owns its data, so it can be
/// built once per request (or cached) and applied to every resource of a
/// list response.
///
/// The rules, per attribute:
///
/// - `returned: never` is never returned; `always` is always returned,
///   whatever the parameters say (so `id` and `schemas` always are).
/// - With `attributes`, only the named attributes (and `always` ones) are
///   returned. Naming a complex attribute returns its sub-attributes;
///   naming `name.givenName` returns only that sub-attribute; naming an
///   extension URN returns the whole extension.
/// - Without `attributes`, `default` attributes are returned unless
///   `excludedAttributes` names them (or the sub-attribute); `request`
///   attributes are returned only when `attributes` names them.
/// - Names ignore case and may be URN-qualified. Names that the resource
///   type does not define select nothing and are otherwise ignored.
///
/// ```
/// use scimhub_schema::Registry;
/// use serde_json::json;
///
/// let registry = Registry::standard();
/// let users = registry.resource_type("User").expect("built in");
/// let user = json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
///     "id": "2819c223", "userName": "bjensen",
///     "name": {"givenName": "Barbara", "familyName": "Jensen"},
///     "password": "t1meMa$heen"
/// });
/// let only_given = users.projection(&["name.givenName"], &[]);
/// assert_eq!(users.project(&user, &only_given), json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
///     "id": "2819c223", "name": {"givenName": "Barbara"}
/// }));
/// let without_name = users.projection(&[], &["NAME"]);
/// assert_eq!(users.project(&user, &without_name), json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
///     "id": "2819c223", "userName": "bjensen"
/// }));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projection {
    attributes: Option<Vec<Selector>>,
    excluded: Vec<Selector>,
}

/// One resolved name: an extension (or core), an attribute (or the whole
/// extension) and an optional sub-attribute, in canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Selector {
    extension: Option<String>,
    attribute: Option<String>,
    sub: Option<String>,
}

impl Projection {
    /// The projection that applies only the `returned` characteristics.
    pub fn all() -> Projection {
        Projection::default()
    }

    /// Whether neither parameter selected anything.
    pub fn is_default(&self) -> bool {
        self.attributes.is_none() && self.excluded.is_empty()
    }

    /// Whether the top-level attribute `name` (core or common) would be
    /// returned whenever present, given its definition. Lets a caller skip
    /// loading data, such as group members, that the response will not
    /// carry.
    pub fn includes(&self, attr: &Attribute) -> bool {
        self.decide(None, attr) != Decision::Drop
    }

    fn decide(&self, extension: Option<&str>, attr: &Attribute) -> Decision {
        match attr.returned() {
            Returned::Never => return Decision::Drop,
            Returned::Always => return Decision::Whole,
            _ => {}
        }
        match &self.attributes {
            Some(list) => {
                // Naming a whole extension does not name its `request`
                // attributes; those must be named themselves.
                let explicit = attr.returned() == Returned::Request;
                if list.iter().any(|s| {
                    s.matches(extension, attr.name())
                        && s.sub.is_none()
                        && (!explicit || s.attribute.is_some())
                }) {
                    Decision::Whole
                } else if list
                    .iter()
                    .any(|s| s.matches(extension, attr.name()) && s.sub.is_some())
                {
                    Decision::Subs
                } else {
                    Decision::Drop
                }
            }
            None => {
                if attr.returned() == Returned::Request
                    || self
                        .excluded
                        .iter()
                        .any(|s| s.matches(extension, attr.name()) && s.sub.is_none())
                {
                    Decision::Drop
                } else {
                    Decision::Whole
                }
            }
        }
    }

    /// Whether a sub-attribute is kept, given its parent's decision.
    fn keeps_sub(
        &self,
        extension: Option<&str>,
        parent: &Attribute,
        sub: &Attribute,
        how: Decision,
    ) -> bool {
        let named = |list: &[Selector]| {
            list.iter().any(|s| {
                s.matches(extension, parent.name())
                    && s.sub.as_deref().is_some_and(|n| sub.is_named(n))
            })
        };
        match sub.returned() {
            Returned::Never => false,
            Returned::Always => true,
            Returned::Request => self.attributes.as_deref().is_some_and(named),
            Returned::Default => match how {
                Decision::Subs => self.attributes.as_deref().is_some_and(named),
                Decision::Whole => parent.returned() == Returned::Always || !named(&self.excluded),
                Decision::Drop => false,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Drop,
    Whole,
    Subs,
}

impl Selector {
    fn matches(&self, extension: Option<&str>, attribute: &str) -> bool {
        let same_schema = match (&self.extension, extension) {
            (None, None) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        };
        same_schema
            && self
                .attribute
                .as_deref()
                .is_none_or(|a| a.eq_ignore_ascii_case(attribute))
    }
}

impl<'r> ResourceTypeRef<'r> {
    /// Resolves `attributes` and `excludedAttributes` (already split at
    /// commas) into a [`Projection`] for this resource type.
    pub fn projection(&self, attributes: &[&str], excluded: &[&str]) -> Projection {
        let resolve = |names: &mut dyn Iterator<Item = &str>| -> Vec<Selector> {
            names
                .filter_map(|raw| {
                    let name = raw.trim();
                    let (urn, rest) = self.split_urn(name);
                    if let Some(urn) = urn
                        && rest.is_empty()
                    {
                        // A bare extension URN selects the whole extension.
                        return self.extension(urn).map(|ext| Selector {
                            extension: Some(ext.id().to_owned()),
                            attribute: None,
                            sub: None,
                        });
                    }
                    let r = self.resolve(name).ok()?;
                    Some(Selector {
                        extension: r.extension().map(|e| e.id().to_owned()),
                        attribute: Some(r.attribute().name().to_owned()),
                        sub: r.sub_attribute().map(|s| s.name().to_owned()),
                    })
                })
                .collect()
        };
        let given: Vec<&str> = attributes
            .iter()
            .copied()
            .filter(|s| !s.trim().is_empty())
            .collect();
        Projection {
            attributes: (!given.is_empty()).then(|| resolve(&mut given.into_iter())),
            excluded: resolve(&mut excluded.iter().copied()),
        }
    }

    /// Applies `projection` to a resource document, keeping document order.
    /// Keys the resource type does not define are kept only when no
    /// `attributes` were requested.
    pub fn project(&self, document: &Value, projection: &Projection) -> Value {
        self.project_owned(document.clone(), projection)
    }

    /// [`ResourceTypeRef::project`] on a document the caller gives up:
    /// the values kept are moved, not copied.
    pub fn project_owned(&self, document: Value, projection: &Projection) -> Value {
        let Value::Object(mut obj) = document else {
            return document;
        };
        let core = self.core_schema();
        // In place: the kept members stay where they are (no second map
        // built and rehashed), the dropped ones are removed.
        obj.retain(|key, value| {
            if key.eq_ignore_ascii_case("schemas") {
                return true;
            }
            if let Some(ext) = self.extension(key) {
                let Value::Object(values) = value else {
                    return false;
                };
                values.retain(|k, v| match ext.attribute(k) {
                    Some(attr) => project_in_place(projection, Some(ext.id()), attr, v),
                    None => projection.attributes.is_none(),
                });
                return !values.is_empty();
            }
            let attr = self
                .common()
                .iter()
                .find(|a| a.is_named(key))
                .or_else(|| core.attribute(key));
            match attr {
                Some(attr) => project_in_place(projection, None, attr, value),
                None => projection.attributes.is_none(),
            }
        });
        Value::Object(obj)
    }
}

/// [`project_attribute`] on a value left in its place: whether to keep it.
fn project_in_place(
    projection: &Projection,
    extension: Option<&str>,
    attr: &Attribute,
    value: &mut Value,
) -> bool {
    match project_attribute(projection, extension, attr, std::mem::take(value)) {
        Some(kept) => {
            *value = kept;
            true
        }
        None => false,
    }
}

fn project_attribute(
    projection: &Projection,
    extension: Option<&str>,
    attr: &Attribute,
    value: Value,
) -> Option<Value> {
    let how = projection.decide(extension, attr);
    if how == Decision::Drop {
        return None;
    }
    if attr.sub_attributes().is_empty() {
        return Some(value);
    }
    let keep = |k: &String| match attr.sub_attribute(k) {
        Some(sub) => projection.keeps_sub(extension, attr, sub, how),
        None => how == Decision::Whole,
    };
    let filter = |element: Value| -> Option<Value> {
        let Value::Object(o) = element else {
            return Some(element);
        };
        if o.keys().all(keep) {
            return (!o.is_empty()).then_some(Value::Object(o));
        }
        let kept: Map<String, Value> = o.into_iter().filter(|(k, _)| keep(k)).collect();
        (!kept.is_empty()).then_some(Value::Object(kept))
    };
    match value {
        Value::Array(items) => {
            let kept: Vec<Value> = items.into_iter().filter_map(filter).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        other => filter(other),
    }
}
