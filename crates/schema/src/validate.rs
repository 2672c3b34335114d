//! Validation of resource documents against their resource type.
//!
//! [`ResourceTypeRef::validate`] checks a document for one [`Context`] and
//! returns its normalised form: attribute names in the schema's spelling,
//! values coerced where identity providers are known to bend the types,
//! unassigned values (`null`, `[]`, `{}`) removed, and attributes the
//! context says to ignore dropped.
//!
//! # Coercions
//!
//! These are accepted on input because identity providers send them; each
//! is normalised so that stored documents carry the proper JSON type:
//!
//! - Boolean attributes accept the strings `"true"` and `"false"` in any
//!   case (Microsoft Entra ID sends `"True"`/`"False"`, and licence
//!   expressions built with `Switch` produce strings), unless
//!   [`Settings::strict_booleans`](crate::Settings::strict_booleans) is set.
//! - Integer attributes accept a JSON number with a zero fraction (`3.0`),
//!   which some JSON encoders produce for whole numbers.
//!
//! Nothing else is coerced: a number where a string is expected, or a single
//! value where an array is expected, is an `invalidValue` error, because
//! guessing would silently store something the client did not mean.

use base64::Engine;
use serde_json::{Map, Value};

use crate::attribute::{Attribute, AttributeType, Mutability, Returned};
use crate::datetime::DateTime;
use crate::error::{Error, ErrorKind, Result};
use crate::registry::{CanonicalValues, ResourceTypeRef, UnknownAttributes};
use crate::schema::Schema;

/// What a document is being validated for; it decides which rules apply.
#[derive(Debug, Clone, Copy)]
pub enum Context<'a> {
    /// A POST body. Read-only attributes are ignored, required ones checked.
    Create,
    /// A PUT body replacing `existing` (RFC 7644 §3.5.1): read-only values
    /// are ignored, immutable values that are set must not change, and
    /// attributes missing from the body are cleared. Leaving out an
    /// immutable attribute that is set would clear it, which changes it:
    /// that too is a `mutability` error.
    Replace {
        /// The stored resource being replaced.
        existing: &'a Value,
    },
    /// The result of applying a PATCH to `existing`: like [`Context::Replace`],
    /// and a changed read-only value is a `mutability` error, since a PATCH
    /// that targets one cannot be ignored (RFC 7644 §3.5.2).
    PatchResult {
        /// The stored resource before the PATCH.
        existing: &'a Value,
    },
    /// A stored resource on its way to a client: write-only and
    /// `returned: never` attributes are removed; nothing else is dropped.
    Response,
    /// A complete representation as a service provider holds it (such as
    /// the RFC 7643 §8 examples): every attribute, read-only ones included,
    /// is type-checked and kept.
    Representation,
}

impl Context<'_> {
    /// Whether the document comes from a client, so read-only values are
    /// ignored.
    fn is_input(&self) -> bool {
        matches!(
            self,
            Context::Create | Context::Replace { .. } | Context::PatchResult { .. }
        )
    }

    fn existing(&self) -> Option<&Value> {
        match self {
            Context::Replace { existing } | Context::PatchResult { existing } => Some(existing),
            _ => None,
        }
    }
}

/// Where an attribute sits, for error paths: `urn:…:User:manager.value`.
#[derive(Clone, Copy)]
struct Place<'a> {
    extension: Option<&'a str>,
    parent: Option<&'a str>,
    name: &'a str,
}

impl Place<'_> {
    fn path(&self) -> String {
        let mut s = String::new();
        if let Some(e) = self.extension {
            s.push_str(e);
            s.push(':');
        }
        if let Some(p) = self.parent {
            s.push_str(p);
            s.push('.');
        }
        s.push_str(self.name);
        s
    }
}

struct Validator<'r, 'c> {
    rt: ResourceTypeRef<'r>,
    context: Context<'c>,
}

impl<'r> ResourceTypeRef<'r> {
    /// Validates `document` for `context` and returns its normalised form.
    ///
    /// Errors carry the [`ErrorKind`] and with it the SCIM `scimType`:
    /// `invalidSyntax` for a malformed document or (when the registry
    /// rejects them) unknown attributes, `invalidValue` for wrong types,
    /// missing required values and unacceptable values, `mutability` for
    /// changes to read-only or immutable attributes.
    ///
    /// ```
    /// use scimhub_schema::{Context, Registry};
    /// use serde_json::json;
    ///
    /// let registry = Registry::standard();
    /// let users = registry.resource_type("User").expect("built in");
    /// let doc = users.validate(
    ///     &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    ///             "USERNAME": "bjensen", "active": "True", "id": "ignored"}),
    ///     Context::Create,
    /// )?;
    /// assert_eq!(doc, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    ///                        "userName": "bjensen", "active": true}));
    /// # Ok::<(), scimhub_schema::Error>(())
    /// ```
    pub fn validate(&self, document: &Value, context: Context<'_>) -> Result<Value> {
        Validator { rt: *self, context }.document(document)
    }
}

fn syntax(detail: String) -> Error {
    Error::new(ErrorKind::InvalidSyntax, detail)
}

/// Case-insensitive lookup of a key in a JSON object.
pub(crate) fn get_ci<'v>(obj: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// `null`, `[]`, `{}` and `""` are all "no value" for required checks.
fn is_unassigned(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    }
}

impl<'r> Validator<'r, '_> {
    fn document(&self, document: &Value) -> Result<Value> {
        let obj = document.as_object().ok_or_else(|| {
            syntax(format!(
                "a {} resource must be a JSON object",
                self.rt.name()
            ))
        })?;
        let settings = self.rt.registry().settings();
        let core = self.rt.core_schema();
        let listed = self.listed_schemas(obj)?;

        let mut out = Map::new();
        out.insert("schemas".into(), Value::Null);
        let mut extensions: Vec<&'r Schema> = Vec::new();
        for (key, value) in obj {
            if key.eq_ignore_ascii_case("schemas") {
                continue;
            }
            if let Some(ext) = self.rt.extension(key) {
                if settings.strict_schemas && !listed.iter().any(|s| s.is(ext.id())) {
                    return Err(syntax(format!(
                        "extension {} is present but not listed in 'schemas'",
                        ext.id()
                    ))
                    .at(ext.id()));
                }
                if let Some(v) = self.extension(ext, value)? {
                    if out.contains_key(ext.id()) {
                        return Err(twice(ext.id()));
                    }
                    out.insert(ext.id().to_owned(), v);
                    extensions.push(ext);
                }
                continue;
            }
            let attr = self
                .rt
                .common()
                .iter()
                .find(|a| a.is_named(key))
                .or_else(|| core.attribute(key));
            let Some(attr) = attr else {
                self.unknown(key)?;
                continue;
            };
            let place = Place {
                extension: None,
                parent: None,
                name: attr.name(),
            };
            if let Some(v) = self.attribute(attr, value, place)? {
                if out.contains_key(attr.name()) {
                    return Err(twice(attr.name()));
                }
                out.insert(attr.name().to_owned(), v);
            }
        }

        // `schemas`: the core schema, then the extensions present, in the
        // resource type's order.
        let mut schemas = vec![Value::String(core.id().to_owned())];
        for (ext, _) in self.rt.extensions() {
            if extensions.iter().any(|e| e.is(ext.id())) {
                schemas.push(Value::String(ext.id().to_owned()));
            }
        }
        out.insert("schemas".into(), Value::Array(schemas));

        if !matches!(self.context, Context::Response) {
            self.required(core, None, &out)?;
            for (ext, required) in self.rt.extensions() {
                match out.get(ext.id()).and_then(Value::as_object) {
                    Some(values) => self.required(ext, Some(ext.id()), values)?,
                    None if required => {
                        return Err(Error::new(
                            ErrorKind::RequiredMissing,
                            format!(
                                "resource type {} requires the extension {}",
                                self.rt.name(),
                                ext.id()
                            ),
                        )
                        .at(ext.id()));
                    }
                    None => {}
                }
            }
        }
        if let Some(existing) = self.context.existing().and_then(Value::as_object) {
            self.unchanged(obj, existing, &out)?;
        }
        Ok(Value::Object(out))
    }

    /// The known schemas named by `schemas`, after checking its shape.
    fn listed_schemas(&self, obj: &Map<String, Value>) -> Result<Vec<&'r Schema>> {
        let strict = self.rt.registry().settings().strict_schemas;
        let core = self.rt.core_schema();
        let mut listed = Vec::new();
        match get_ci(obj, "schemas") {
            None | Some(Value::Null) if !strict => {}
            None | Some(Value::Null) => {
                return Err(syntax(format!(
                    "the 'schemas' attribute is missing; it must list {}",
                    core.id()
                ))
                .at("schemas"));
            }
            Some(Value::Array(items)) => {
                for item in items {
                    let Value::String(id) = item else {
                        return Err(syntax(
                            "'schemas' must be an array of schema URIs (strings)".into(),
                        )
                        .at("schemas"));
                    };
                    if core.is(id) {
                        listed.push(core);
                    } else if let Some(ext) = self.rt.extension(id) {
                        listed.push(ext);
                    } else if strict {
                        return Err(syntax(format!(
                            "schema {id} is not a schema of resource type {}",
                            self.rt.name()
                        ))
                        .at("schemas"));
                    } else {
                        tracing::debug!(schema = %id, resource_type = self.rt.name(), "ignored a foreign schema URI");
                    }
                }
                if strict && !listed.iter().any(|s| s.is(core.id())) {
                    return Err(
                        syntax(format!("'schemas' must include {}", core.id())).at("schemas")
                    );
                }
            }
            Some(_) => {
                return Err(
                    syntax("'schemas' must be an array of schema URIs (strings)".into())
                        .at("schemas"),
                );
            }
        }
        Ok(listed)
    }

    /// Applies the unknown-attribute policy to `key`.
    fn unknown(&self, key: &str) -> Result<()> {
        let policy = self.rt.registry().settings().unknown_attributes;
        if matches!(self.context, Context::Response) || policy == UnknownAttributes::Ignore {
            if !matches!(self.context, Context::Response) {
                tracing::info!(
                    resource_type = self.rt.name(),
                    attribute = key,
                    "ignored an attribute the resource type does not define"
                );
            }
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::UnknownAttribute,
            format!("'{key}' is not an attribute of {}", self.rt.name()),
        )
        .at(key))
    }

    /// Validates an extension object, returning it with canonical names.
    fn extension(&self, ext: &'r Schema, value: &Value) -> Result<Option<Value>> {
        let obj = match value {
            Value::Null => return Ok(None),
            Value::Object(o) => o,
            _ => {
                return Err(Error::new(
                    ErrorKind::TypeMismatch,
                    format!("extension {} must be a JSON object", ext.id()),
                )
                .at(ext.id()));
            }
        };
        let mut out = Map::new();
        for (key, v) in obj {
            let Some(attr) = ext.attribute(key) else {
                self.unknown(&format!("{}:{key}", ext.id()))?;
                continue;
            };
            let place = Place {
                extension: Some(ext.id()),
                parent: None,
                name: attr.name(),
            };
            if let Some(v) = self.attribute(attr, v, place)? {
                if out.contains_key(attr.name()) {
                    return Err(twice(&place.path()));
                }
                out.insert(attr.name().to_owned(), v);
            }
        }
        Ok((!out.is_empty()).then_some(Value::Object(out)))
    }

    /// Whether the context keeps this attribute at all.
    fn keeps(&self, attr: &Attribute) -> bool {
        match self.context {
            Context::Response => {
                attr.returned() != Returned::Never && attr.mutability() != Mutability::WriteOnly
            }
            _ if self.context.is_input() => attr.mutability() != Mutability::ReadOnly,
            _ => true,
        }
    }

    /// Validates one attribute value; `None` means unassigned or dropped.
    fn attribute(
        &self,
        attr: &Attribute,
        value: &Value,
        place: Place<'_>,
    ) -> Result<Option<Value>> {
        if !self.keeps(attr) || value.is_null() {
            return Ok(None);
        }
        if !attr.multi_valued() {
            if value.is_array() {
                return Err(mismatch(
                    place,
                    "is single-valued; expected one value, not an array",
                ));
            }
            return self.single(attr, value, place);
        }
        let Value::Array(items) = value else {
            return Err(mismatch(place, "is multi-valued; expected an array"));
        };
        let mut out = Vec::with_capacity(items.len());
        let mut primaries = 0;
        for item in items {
            if item.is_array() {
                return Err(mismatch(place, "holds an array inside its array"));
            }
            if let Some(v) = self.single(attr, item, place)? {
                if v.get("primary") == Some(&Value::Bool(true)) {
                    primaries += 1;
                }
                out.push(v);
            }
        }
        if primaries > 1 {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "at most one value of '{}' may have \"primary\": true (RFC 7643 §2.4); {primaries} do",
                    place.path()
                ),
            )
            .at(place.path()));
        }
        Ok((!out.is_empty()).then_some(Value::Array(out)))
    }

    /// Validates one value of an attribute (one element if multi-valued).
    fn single(&self, attr: &Attribute, value: &Value, place: Place<'_>) -> Result<Option<Value>> {
        let wrong = |expected: &str| mismatch(place, &format!("must be {expected}"));
        let v = match (attr.attr_type(), value) {
            (_, Value::Null) => return Ok(None),
            (AttributeType::String, Value::String(s)) => {
                self.canonical(attr, s, place)?;
                value.clone()
            }
            (AttributeType::String, _) => return Err(wrong("a string")),
            (AttributeType::Reference, Value::String(_)) => value.clone(),
            (AttributeType::Reference, _) => return Err(wrong("a URI reference (a string)")),
            (AttributeType::Boolean, Value::Bool(_)) => value.clone(),
            (AttributeType::Boolean, Value::String(s))
                if !self.strict_booleans() && s.eq_ignore_ascii_case("true") =>
            {
                Value::Bool(true)
            }
            (AttributeType::Boolean, Value::String(s))
                if !self.strict_booleans() && s.eq_ignore_ascii_case("false") =>
            {
                Value::Bool(false)
            }
            (AttributeType::Boolean, _) => return Err(wrong("a boolean (true or false)")),
            (AttributeType::Integer, Value::Number(n)) => {
                if n.is_i64() || n.is_u64() {
                    value.clone()
                } else {
                    match n.as_f64() {
                        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                            // Exact: |f| < 2^53, so the cast neither
                            // rounds nor saturates.
                            #[allow(clippy::cast_possible_truncation)]
                            Value::from(f as i64)
                        }
                        _ => return Err(wrong("an integer (no fractional part)")),
                    }
                }
            }
            (AttributeType::Integer, _) => return Err(wrong("an integer")),
            (AttributeType::Decimal, Value::Number(_)) => value.clone(),
            (AttributeType::Decimal, _) => return Err(wrong("a number")),
            (AttributeType::DateTime, Value::String(s)) => match DateTime::parse(s) {
                Ok(_) => value.clone(),
                Err(e) => {
                    return Err(mismatch(
                        place,
                        &format!("must be an xsd:dateTime such as 2008-01-23T04:56:22Z ({e})"),
                    ));
                }
            },
            (AttributeType::DateTime, _) => {
                return Err(wrong("an xsd:dateTime string such as 2008-01-23T04:56:22Z"));
            }
            (AttributeType::Binary, Value::String(s)) => {
                if BASE64.decode(s.as_bytes()).is_err() {
                    return Err(wrong("base64-encoded (RFC 4648 §4)"));
                }
                value.clone()
            }
            (AttributeType::Binary, _) => return Err(wrong("a base64-encoded string")),
            (AttributeType::Complex, Value::Object(obj)) => {
                return self.complex(attr, obj, place);
            }
            (AttributeType::Complex, _) => return Err(wrong("a JSON object")),
        };
        Ok(Some(v))
    }

    fn strict_booleans(&self) -> bool {
        self.rt.registry().settings().strict_booleans
    }

    fn complex(
        &self,
        attr: &Attribute,
        obj: &Map<String, Value>,
        place: Place<'_>,
    ) -> Result<Option<Value>> {
        let mut out = Map::new();
        for (key, v) in obj {
            let Some(sub) = attr.sub_attribute(key) else {
                self.unknown(&format!("{}.{key}", place.path()))?;
                continue;
            };
            let sub_place = Place {
                extension: place.extension,
                parent: Some(attr.name()),
                name: sub.name(),
            };
            if let Some(v) = self.attribute(sub, v, sub_place)? {
                if out.contains_key(sub.name()) {
                    return Err(twice(&sub_place.path()));
                }
                out.insert(sub.name().to_owned(), v);
            }
        }
        if out.is_empty() {
            return Ok(None);
        }
        if !matches!(self.context, Context::Response) {
            for sub in attr.sub_attributes() {
                if sub.required()
                    && (self.keeps(sub) || !self.context.is_input())
                    && is_unassigned(out.get(sub.name()))
                {
                    let p = Place {
                        extension: place.extension,
                        parent: Some(attr.name()),
                        name: sub.name(),
                    };
                    return Err(required(p));
                }
            }
        }
        Ok(Some(Value::Object(out)))
    }

    fn canonical(&self, attr: &Attribute, s: &str, place: Place<'_>) -> Result<()> {
        let enforced = self.rt.registry().settings().canonical_values == CanonicalValues::Enforced;
        if !enforced || attr.canonical_values().is_empty() || !self.context.is_input() {
            return Ok(());
        }
        let ok = attr.canonical_values().iter().any(|c| {
            if attr.case_exact() {
                c == s
            } else {
                c.eq_ignore_ascii_case(s)
            }
        });
        if ok {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::InvalidValue,
            format!(
                "'{}' must be one of {}; got \"{s}\"",
                place.path(),
                attr.canonical_values().join(", ")
            ),
        )
        .at(place.path()))
    }

    /// Checks the required attributes of `schema` in the validated `values`.
    fn required(
        &self,
        schema: &Schema,
        extension: Option<&str>,
        values: &Map<String, Value>,
    ) -> Result<()> {
        for attr in schema.attributes() {
            let applies = attr.required() && (self.keeps(attr) || !self.context.is_input());
            if applies && is_unassigned(values.get(attr.name())) {
                return Err(required(Place {
                    extension,
                    parent: None,
                    name: attr.name(),
                }));
            }
        }
        Ok(())
    }

    /// Replace and PATCH: immutable values that were set stay the same, and
    /// (for PATCH) read-only values too.
    fn unchanged(
        &self,
        input: &Map<String, Value>,
        existing: &Map<String, Value>,
        out: &Map<String, Value>,
    ) -> Result<()> {
        let patch = matches!(self.context, Context::PatchResult { .. });
        let core = self.rt.core_schema();
        let groups = std::iter::once((None, self.rt.common(), input, existing, out)).chain(
            std::iter::once((None, core.attributes(), input, existing, out)),
        );
        let empty = Map::new();
        let ext_groups = self.rt.extensions().map(|(ext, _)| {
            fn obj<'m>(m: &'m Map<String, Value>, id: &str) -> Option<&'m Map<String, Value>> {
                get_ci(m, id).and_then(Value::as_object)
            }
            (
                Some(ext.id()),
                ext.attributes(),
                obj(input, ext.id()).unwrap_or(&empty),
                obj(existing, ext.id()).unwrap_or(&empty),
                obj(out, ext.id()).unwrap_or(&empty),
            )
        });
        let ext_groups: Vec<_> = ext_groups.collect();
        for (extension, attrs, input, existing, out) in groups.chain(ext_groups) {
            for attr in attrs {
                let place = Place {
                    extension,
                    parent: None,
                    name: attr.name(),
                };
                let old = get_ci(existing, attr.name());
                match attr.mutability() {
                    Mutability::ReadOnly if patch => {
                        let new = get_ci(input, attr.name());
                        if !same(attr, old, new) {
                            return Err(Error::new(
                                ErrorKind::ReadOnlyModified,
                                format!("'{}' is read-only and cannot be modified", place.path()),
                            )
                            .at(place.path()));
                        }
                    }
                    Mutability::Immutable if !attr.multi_valued() => {
                        let new = out.get(attr.name());
                        if !is_unassigned(old) && !same(attr, old, new) {
                            return Err(immutable(place));
                        }
                    }
                    _ => {}
                }
                // Sub-attributes of a single-valued complex attribute.
                if attr.attr_type() == AttributeType::Complex && !attr.multi_valued() {
                    let (old_obj, in_obj, out_obj) = (
                        old.and_then(Value::as_object),
                        get_ci(input, attr.name()).and_then(Value::as_object),
                        out.get(attr.name()).and_then(Value::as_object),
                    );
                    for sub in attr.sub_attributes() {
                        let sub_place = Place {
                            extension,
                            parent: Some(attr.name()),
                            name: sub.name(),
                        };
                        let old = old_obj.and_then(|o| get_ci(o, sub.name()));
                        match sub.mutability() {
                            Mutability::ReadOnly
                                if patch && attr.mutability() != Mutability::ReadOnly =>
                            {
                                let new = in_obj.and_then(|o| get_ci(o, sub.name()));
                                if !same(sub, old, new) {
                                    return Err(Error::new(
                                        ErrorKind::ReadOnlyModified,
                                        format!(
                                            "'{}' is read-only and cannot be modified",
                                            sub_place.path()
                                        ),
                                    )
                                    .at(sub_place.path()));
                                }
                            }
                            Mutability::Immutable if !sub.multi_valued() => {
                                let new = out_obj.and_then(|o| o.get(sub.name()));
                                if !is_unassigned(old) && !same(sub, old, new) {
                                    return Err(immutable(sub_place));
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Whether two values of `attr` are the same value: unassigned equals
/// unassigned, strings compare ignoring case unless `caseExact`, booleans
/// accept their string spellings, numbers compare numerically.
fn same(attr: &Attribute, a: Option<&Value>, b: Option<&Value>) -> bool {
    match (is_unassigned(a), is_unassigned(b)) {
        (true, true) => return true,
        (true, false) | (false, true) => return false,
        _ => {}
    }
    match (a, b) {
        (Some(a), Some(b)) => same_value(attr, a, b),
        _ => false,
    }
}

fn same_value(attr: &Attribute, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if attr.compares_case_insensitively() => {
            x.eq_ignore_ascii_case(y) || x.to_lowercase() == y.to_lowercase()
        }
        (Value::Bool(x), Value::String(y)) | (Value::String(y), Value::Bool(x))
            if attr.attr_type() == AttributeType::Boolean =>
        {
            y.eq_ignore_ascii_case(if *x { "true" } else { "false" })
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys());
            keys.into_iter().all(|k| {
                let sub = attr.sub_attribute(k);
                match sub {
                    Some(sub) => same(sub, get_ci(x, k), get_ci(y, k)),
                    None => get_ci(x, k) == get_ci(y, k),
                }
            })
        }
        _ => a == b,
    }
}

/// Base64 as RFC 4648 §4 defines it, accepting values with or without
/// padding.
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

fn mismatch(place: Place<'_>, what: &str) -> Error {
    Error::new(
        ErrorKind::TypeMismatch,
        format!("'{}' {what}", place.path()),
    )
    .at(place.path())
}

fn required(place: Place<'_>) -> Error {
    Error::new(
        ErrorKind::RequiredMissing,
        format!("'{}' is required and must have a value", place.path()),
    )
    .at(place.path())
}

fn immutable(place: Place<'_>) -> Error {
    Error::new(
        ErrorKind::ImmutableModified,
        format!(
            "'{}' is immutable: once set it cannot be changed",
            place.path()
        ),
    )
    .at(place.path())
}

fn twice(path: &str) -> Error {
    syntax(format!(
        "'{path}' appears more than once (attribute names are case-insensitive)"
    ))
    .at(path)
}
