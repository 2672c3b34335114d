//! The registry: schemas, resource types, settings, and attribute resolution.

use std::path::Path;
use std::sync::Arc;

use crate::attribute::{Attribute, AttributeType, Mutability, Returned, Uniqueness};
use crate::error::{Error, ErrorKind, Result};
use crate::resource_type::ResourceType;
use crate::schema::Schema;
use crate::{documents, urn};

/// What validation does with an attribute the resource type does not define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownAttributes {
    /// Drop it and log one line at `info` level naming it (the default).
    ///
    /// Identity providers let administrators map arbitrary attributes; a
    /// mapping the service provider does not know should not stop a whole
    /// provisioning cycle. This is what Microsoft's and Okta's guidance for
    /// SCIM endpoints expects.
    #[default]
    Ignore,
    /// Refuse the document with `invalidSyntax`, naming the attribute.
    Reject,
}

/// Whether `canonicalValues` restrict values or only suggest them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CanonicalValues {
    /// RFC 7643 §2.3.1 calls them suggested values: any value is accepted
    /// (the default).
    #[default]
    Suggested,
    /// Only the canonical values are accepted (compared ignoring case unless
    /// the attribute is `caseExact`), otherwise `invalidValue`.
    Enforced,
}

/// Registry-wide validation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Settings {
    /// Policy for attributes no schema of the resource type defines.
    pub unknown_attributes: UnknownAttributes,
    /// Whether canonical values are enforced.
    pub canonical_values: CanonicalValues,
    /// When `true`, a document must carry a `schemas` array naming its core
    /// schema and no schema foreign to its resource type (RFC 7643 §3 read
    /// strictly). When `false` (the default), a missing core schema is
    /// supplied and foreign URIs, such as the
    /// `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group`
    /// that Microsoft Entra ID sends, are dropped.
    pub strict_schemas: bool,
    /// When `true`, a boolean attribute takes only a JSON boolean (RFC
    /// 7643 §2.3.2 read strictly). When `false` (the default), the strings
    /// `"true"` and `"false"` in any case are read as booleans, as
    /// Microsoft Entra ID sends `"True"`/`"False"` and its `Switch`
    /// expressions produce strings.
    pub strict_booleans: bool,
}

/// Every schema and resource type a service provider serves, with the
/// validation settings that apply to them.
///
/// Build one with [`Registry::standard`] (what the scimhub server serves) or
/// [`Registry::builder`]; look up a resource type with
/// [`Registry::resource_type`] to resolve, validate and project its
/// documents.
///
/// ```
/// use scimhub_schema::{Registry, UnknownAttributes};
///
/// let registry = Registry::builder()
///     .core()
///     .schema_json(r#"{
///         "id": "urn:example:params:scim:schemas:extension:badge:2.0:User",
///         "name": "Badge",
///         "attributes": [{"name": "badgeNumber", "type": "integer"}]
///     }"#)?
///     .extend("User", "urn:example:params:scim:schemas:extension:badge:2.0:User", false)
///     .unknown_attributes(UnknownAttributes::Reject)
///     .build()?;
/// let users = registry.resource_type("User").expect("registered");
/// let attr = users.resolve("urn:example:params:scim:schemas:extension:badge:2.0:User:badgeNumber")?;
/// assert_eq!(attr.canonical_path(), "urn:example:params:scim:schemas:extension:badge:2.0:User:badgeNumber");
/// # Ok::<(), scimhub_schema::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Registry {
    schemas: Vec<Arc<Schema>>,
    entries: Vec<Entry>,
    common: Vec<Attribute>,
    settings: Settings,
}

#[derive(Debug, Clone)]
struct Entry {
    definition: ResourceType,
    core: Arc<Schema>,
    extensions: Vec<(Arc<Schema>, bool)>,
}

/// Builds a [`Registry`].
#[derive(Debug, Clone, Default)]
pub struct RegistryBuilder {
    schemas: Vec<Schema>,
    resource_types: Vec<ResourceType>,
    extensions: Vec<(String, String, bool)>,
    settings: Settings,
}

impl RegistryBuilder {
    /// An empty builder.
    pub fn new() -> RegistryBuilder {
        RegistryBuilder::default()
    }

    /// Adds the RFC 7643 core: the User, Group and EnterpriseUser schemas,
    /// the `User` resource type (`/Users`, with the enterprise extension,
    /// not required) and the `Group` resource type (`/Groups`), and the
    /// ServiceProviderConfig, ResourceType and Schema schemas that
    /// discovery serves.
    pub fn core(self) -> RegistryBuilder {
        self.builtin(documents::USER)
            .builtin(documents::GROUP)
            .builtin(documents::ENTERPRISE_USER)
            .builtin(documents::SERVICE_PROVIDER_CONFIG)
            .builtin(documents::RESOURCE_TYPE)
            .builtin(documents::SCHEMA)
            .resource_type(
                ResourceType::new("User", "/Users", urn::USER).with_description("User Account"),
            )
            .resource_type(
                ResourceType::new("Group", "/Groups", urn::GROUP).with_description("Group"),
            )
            .extend("User", urn::ENTERPRISE_USER, false)
    }

    /// Adds the licence extensions: a Group carries a boolean `license`, and
    /// a User carries a read-only `license` that the service provider
    /// derives from the user's groups. Both are ordinary extension schemas
    /// loaded from JSON (see [`documents`]); call after [`core`](Self::core).
    pub fn license_extensions(self) -> RegistryBuilder {
        self.builtin(documents::LICENSE_GROUP)
            .builtin(documents::LICENSE_USER)
            .extend("Group", urn::LICENSE_GROUP, false)
            .extend("User", urn::LICENSE_USER, false)
    }

    fn builtin(mut self, json: &str) -> RegistryBuilder {
        // The built-in documents are tested to parse; a broken one is
        // reported by `build` rather than panicking here.
        match Schema::from_json(json) {
            Ok(schema) => self.schemas.push(schema),
            Err(e) => self.extensions.push((String::new(), e.to_string(), false)),
        }
        self
    }

    /// Adds a schema.
    pub fn schema(mut self, schema: Schema) -> RegistryBuilder {
        self.schemas.push(schema);
        self
    }

    /// Adds a schema from an RFC 7643 §7 JSON document.
    pub fn schema_json(self, json: &str) -> Result<RegistryBuilder> {
        Ok(self.schema(Schema::from_json(json)?))
    }

    /// Adds a schema from a JSON file.
    pub fn schema_file(self, path: impl AsRef<Path>) -> Result<RegistryBuilder> {
        Ok(self.schema(Schema::from_path(path)?))
    }

    /// Adds a resource type; its schemas must be added too, in any order.
    pub fn resource_type(mut self, resource_type: ResourceType) -> RegistryBuilder {
        self.resource_types.push(resource_type);
        self
    }

    /// Adds a resource type from an RFC 7643 §6 JSON document.
    pub fn resource_type_json(self, json: &str) -> Result<RegistryBuilder> {
        Ok(self.resource_type(ResourceType::from_json(json)?))
    }

    /// Attaches an extension schema to a resource type added before or
    /// after this call.
    pub fn extend(mut self, resource_type: &str, schema: &str, required: bool) -> RegistryBuilder {
        self.extensions
            .push((resource_type.to_owned(), schema.to_owned(), required));
        self
    }

    /// Replaces all settings.
    pub fn settings(mut self, settings: Settings) -> RegistryBuilder {
        self.settings = settings;
        self
    }

    /// Sets the unknown-attribute policy.
    pub fn unknown_attributes(mut self, policy: UnknownAttributes) -> RegistryBuilder {
        self.settings.unknown_attributes = policy;
        self
    }

    /// Checks that every resource type's schemas exist, that no schema or
    /// resource type is defined twice, and returns the registry.
    pub fn build(self) -> Result<Registry> {
        let invalid = |msg: String| Error::new(ErrorKind::InvalidSchema, msg);
        for (i, s) in self.schemas.iter().enumerate() {
            if self.schemas.iter().skip(i + 1).any(|o| o.is(s.id())) {
                return Err(invalid(format!("schema {} is defined twice", s.id())));
            }
        }
        let mut resource_types = self.resource_types;
        for (rt, schema, required) in self.extensions {
            if rt.is_empty() {
                return Err(invalid(format!("built-in schema failed to load: {schema}")));
            }
            let target = resource_types
                .iter_mut()
                .find(|r| r.name().eq_ignore_ascii_case(&rt))
                .ok_or_else(|| {
                    invalid(format!(
                        "cannot extend resource type '{rt}' with {schema}: no such resource type"
                    ))
                })?;
            *target = target.clone().with_extension(schema, required);
        }
        let schemas: Vec<Arc<Schema>> = self.schemas.into_iter().map(Arc::new).collect();
        let find = |id: &str| -> Result<Arc<Schema>> {
            schemas
                .iter()
                .find(|s| s.is(id))
                .cloned()
                .ok_or_else(|| invalid(format!("schema {id} is used but not defined")))
        };
        let mut entries = Vec::with_capacity(resource_types.len());
        for (i, rt) in resource_types.iter().enumerate() {
            rt.check()?;
            if resource_types.iter().skip(i + 1).any(|o| {
                o.name().eq_ignore_ascii_case(rt.name())
                    || o.endpoint().eq_ignore_ascii_case(rt.endpoint())
            }) {
                return Err(invalid(format!(
                    "resource type {} or its endpoint {} is defined twice",
                    rt.name(),
                    rt.endpoint()
                )));
            }
            let core = find(rt.schema())?;
            let extensions = rt
                .schema_extensions()
                .iter()
                .map(|e| Ok((find(e.schema())?, e.required())))
                .collect::<Result<Vec<_>>>()?;
            entries.push(Entry {
                definition: rt.clone(),
                core,
                extensions,
            });
        }
        Ok(Registry {
            schemas,
            entries,
            common: common_attributes(),
            settings: self.settings,
        })
    }
}

/// The attributes every resource carries (RFC 7643 §3.1): `id`,
/// `externalId` and `meta`. `schemas` is handled on its own.
fn common_attributes() -> Vec<Attribute> {
    use AttributeType as T;
    let read_only =
        |name: &str, t: T| Attribute::new(name, t).with_mutability(Mutability::ReadOnly);
    vec![
        read_only("id", T::String)
            .with_description("A unique identifier for a SCIM resource as defined by the service provider.")
            .with_case_exact(true)
            .with_returned(Returned::Always)
            .with_uniqueness(Uniqueness::Server),
        Attribute::new("externalId", T::String)
            .with_description("A String that is an identifier for the resource as defined by the provisioning client.")
            .with_case_exact(true),
        read_only("meta", T::Complex)
            .with_description("A complex attribute containing resource metadata.")
            .with_sub_attributes(vec![
                read_only("resourceType", T::String)
                    .with_description("The name of the resource type of the resource.")
                    .with_case_exact(true),
                read_only("created", T::DateTime)
                    .with_description("The \"DateTime\" that the resource was added to the service provider."),
                read_only("lastModified", T::DateTime)
                    .with_description("The most recent DateTime that the details of this resource were updated at the service provider."),
                read_only("location", T::Reference)
                    .with_description("The URI of the resource being returned.")
                    .with_reference_types(["uri"])
                    .with_case_exact(true),
                read_only("version", T::String)
                    .with_description("The version of the resource being returned.")
                    .with_case_exact(true),
            ]),
    ]
}

impl Registry {
    /// A builder with nothing registered.
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::new()
    }

    /// What the scimhub server serves: the RFC 7643 core (User with the
    /// enterprise extension, Group) plus the licence extensions, with
    /// default settings.
    pub fn standard() -> Registry {
        Registry::standard_with(Settings::default())
    }

    /// [`Registry::standard`] with other settings.
    #[allow(clippy::expect_used)]
    pub fn standard_with(settings: Settings) -> Registry {
        // The documents are compiled in and covered by the crate's tests, so
        // this cannot fail on any input a caller controls.
        RegistryBuilder::new()
            .core()
            .license_extensions()
            .settings(settings)
            .build()
            .expect("built-in schemas are valid")
    }

    /// The validation settings.
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// Every registered schema, in registration order.
    pub fn schemas(&self) -> impl Iterator<Item = &Schema> + '_ {
        self.schemas.iter().map(|s| &**s)
    }

    /// A schema by URN, ignoring ASCII case.
    pub fn schema(&self, id: &str) -> Option<&Schema> {
        self.schemas().find(|s| s.is(id))
    }

    /// The schemas used by some resource type, in registration order: what
    /// `/Schemas` lists.
    pub fn resource_schemas(&self) -> impl Iterator<Item = &Schema> + '_ {
        self.schemas.iter().filter_map(move |s| {
            self.entries
                .iter()
                .any(|e| {
                    Arc::ptr_eq(&e.core, s) || e.extensions.iter().any(|(x, _)| Arc::ptr_eq(x, s))
                })
                .then_some(&**s)
        })
    }

    /// Every resource type.
    pub fn resource_types(&self) -> impl Iterator<Item = ResourceTypeRef<'_>> + '_ {
        self.entries.iter().map(move |entry| ResourceTypeRef {
            registry: self,
            entry,
        })
    }

    /// A resource type by name (`User`), ignoring ASCII case.
    pub fn resource_type(&self, name: &str) -> Option<ResourceTypeRef<'_>> {
        self.resource_types()
            .find(|r| r.definition().name().eq_ignore_ascii_case(name))
    }

    /// A resource type by endpoint (`/Users` or `Users`), ignoring ASCII case.
    pub fn resource_type_by_endpoint(&self, endpoint: &str) -> Option<ResourceTypeRef<'_>> {
        let wanted = endpoint.strip_prefix('/').unwrap_or(endpoint);
        self.resource_types().find(|r| {
            let ep = r.definition().endpoint();
            ep.strip_prefix('/')
                .unwrap_or(ep)
                .eq_ignore_ascii_case(wanted)
        })
    }

    /// The attributes common to every resource type: `id`, `externalId`,
    /// `meta` (RFC 7643 §3.1).
    pub fn common_attributes(&self) -> &[Attribute] {
        &self.common
    }
}

/// A registered resource type together with its schemas: the handle to
/// resolve attribute paths, validate documents and project responses.
#[derive(Debug, Clone, Copy)]
pub struct ResourceTypeRef<'r> {
    registry: &'r Registry,
    entry: &'r Entry,
}

/// An attribute path resolved against a resource type: the definitions it
/// names and the canonical spelling of the path.
#[derive(Debug, Clone, Copy)]
pub struct ResolvedAttribute<'r> {
    extension: Option<&'r Schema>,
    schema: Option<&'r Schema>,
    attribute: &'r Attribute,
    sub_attribute: Option<&'r Attribute>,
}

impl<'r> ResolvedAttribute<'r> {
    /// The schema defining the attribute; `None` for the common attributes
    /// `id`, `externalId` and `meta`.
    pub fn schema(&self) -> Option<&'r Schema> {
        self.schema
    }
    /// The extension schema holding the attribute, `None` for the core
    /// schema and common attributes. Its URN is the key under which the
    /// attribute's value lives in a resource.
    pub fn extension(&self) -> Option<&'r Schema> {
        self.extension
    }
    /// The top-level attribute.
    pub fn attribute(&self) -> &'r Attribute {
        self.attribute
    }
    /// The sub-attribute, when the path names one.
    pub fn sub_attribute(&self) -> Option<&'r Attribute> {
        self.sub_attribute
    }
    /// The definition the path ends at: the sub-attribute if there is one.
    pub fn definition(&self) -> &'r Attribute {
        self.sub_attribute.unwrap_or(self.attribute)
    }
    /// The path in canonical spelling: `name.givenName`, or URN-qualified
    /// for extension attributes
    /// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`).
    pub fn canonical_path(&self) -> String {
        let mut s = String::new();
        if let Some(ext) = self.extension {
            s.push_str(ext.id());
            s.push(':');
        }
        s.push_str(self.attribute.name());
        if let Some(sub) = self.sub_attribute {
            s.push('.');
            s.push_str(sub.name());
        }
        s
    }
}

impl<'r> ResourceTypeRef<'r> {
    /// The registry this resource type belongs to.
    pub fn registry(&self) -> &'r Registry {
        self.registry
    }
    /// The resource type definition.
    pub fn definition(&self) -> &'r ResourceType {
        &self.entry.definition
    }
    /// The resource type name, such as `User`.
    pub fn name(&self) -> &'r str {
        self.entry.definition.name()
    }
    /// The core schema.
    pub fn core_schema(&self) -> &'r Schema {
        &self.entry.core
    }
    /// The extension schemas with their `required` flag.
    pub fn extensions(&self) -> impl Iterator<Item = (&'r Schema, bool)> + 'r {
        self.entry.extensions.iter().map(|(s, req)| (&**s, *req))
    }
    /// An extension schema of this resource type by URN, ignoring case.
    pub fn extension(&self, id: &str) -> Option<&'r Schema> {
        self.extensions().map(|(s, _)| s).find(|s| s.is(id))
    }
    /// Whether `id` is the core schema or one of the extensions.
    pub fn has_schema(&self, id: &str) -> bool {
        self.core_schema().is(id) || self.extension(id).is_some()
    }

    /// Resolves a dotted attribute path such as `userName`,
    /// `name.givenName`, `meta.lastModified` or a URN-qualified
    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
    ///
    /// Names ignore ASCII case (RFC 7643 §2.1). An unqualified name is
    /// looked up among the common attributes, then the core schema, then
    /// the extensions (where it must be defined by exactly one).
    pub fn resolve(&self, path: &str) -> Result<ResolvedAttribute<'r>> {
        let (urn, rest) = self.split_urn(path);
        let (name, sub) = match rest.split_once('.') {
            Some((n, s)) => (n, Some(s)),
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(Error::new(
                ErrorKind::UnknownAttribute,
                format!("'{path}' names a schema, not an attribute"),
            )
            .at(path));
        }
        self.resolve_parts(urn, name, sub)
            .map_err(|e| if e.path().is_none() { e.at(path) } else { e })
    }

    /// Splits a leading schema URN of this resource type off `path`; the
    /// longest matching URN wins. Returns the URN as the schema spells it.
    pub(crate) fn split_urn<'p>(&self, path: &'p str) -> (Option<&'r str>, &'p str) {
        if !path
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
        {
            return (None, path);
        }
        let mut best: Option<(&'r str, &'p str)> = None;
        for schema in std::iter::once(self.core_schema()).chain(self.extensions().map(|(s, _)| s)) {
            if let Some(rest) = urn::strip_prefix(path, schema.id())
                && best.is_none_or(|(b, _)| b.len() < schema.id().len())
            {
                best = Some((schema.id(), rest));
            }
            if path.len() == schema.id().len() && schema.is(path) {
                best = Some((schema.id(), ""));
            }
        }
        match best {
            Some((u, rest)) => (Some(u), rest),
            None => (None, path),
        }
    }

    /// Resolves a path given in parts, as a parsed filter holds it: an
    /// optional schema URN, the attribute name and an optional
    /// sub-attribute name.
    pub fn resolve_parts(
        &self,
        schema_urn: Option<&str>,
        name: &str,
        sub: Option<&str>,
    ) -> Result<ResolvedAttribute<'r>> {
        let shown = || {
            let mut s = String::new();
            if let Some(u) = schema_urn {
                s.push_str(u);
                s.push(':');
            }
            s.push_str(name);
            if let Some(sub) = sub {
                s.push('.');
                s.push_str(sub);
            }
            s
        };
        let unknown = |what: String| Error::new(ErrorKind::UnknownAttribute, what).at(shown());
        let core = self.core_schema();
        let (extension, schema, attribute) = match schema_urn {
            Some(u) if core.is(u) => {
                if let Some(a) = self.registry.common.iter().find(|a| a.is_named(name)) {
                    (None, None, a)
                } else {
                    let a = core.attribute(name).ok_or_else(|| {
                        unknown(format!("schema {} has no attribute '{name}'", core.id()))
                    })?;
                    (None, Some(core), a)
                }
            }
            Some(u) => {
                let ext = self.extension(u).ok_or_else(|| {
                    unknown(format!("resource type {} has no schema {u}", self.name()))
                })?;
                let a = ext.attribute(name).ok_or_else(|| {
                    unknown(format!("schema {} has no attribute '{name}'", ext.id()))
                })?;
                (Some(ext), Some(ext), a)
            }
            None => {
                if let Some(a) = self.registry.common.iter().find(|a| a.is_named(name)) {
                    (None, None, a)
                } else if let Some(a) = core.attribute(name) {
                    (None, Some(core), a)
                } else {
                    let mut found = self
                        .extensions()
                        .filter_map(|(s, _)| s.attribute(name).map(|a| (s, a)));
                    match (found.next(), found.next()) {
                        (Some((s, a)), None) => (Some(s), Some(s), a),
                        (Some(_), Some(_)) => {
                            return Err(unknown(format!(
                                "'{name}' is defined by several extensions of {}; qualify it with the schema URN",
                                self.name()
                            )));
                        }
                        _ => {
                            return Err(unknown(format!(
                                "'{name}' is not an attribute of {}",
                                self.name()
                            )));
                        }
                    }
                }
            }
        };
        let sub_attribute = match sub {
            None => None,
            Some(sub) => {
                if attribute.attr_type() != AttributeType::Complex {
                    return Err(unknown(format!(
                        "'{}' is not complex and has no sub-attribute '{sub}'",
                        attribute.name()
                    )));
                }
                Some(attribute.sub_attribute(sub).ok_or_else(|| {
                    unknown(format!(
                        "'{}' has no sub-attribute '{sub}'",
                        attribute.name()
                    ))
                })?)
            }
        };
        Ok(ResolvedAttribute {
            extension,
            schema,
            attribute,
            sub_attribute,
        })
    }

    /// The attributes whose uniqueness the store must enforce (`server` or
    /// `global`), with their definitions, so that it can compare values
    /// with the right case sensitivity. For the standard User this is
    /// `userName` (case-insensitive); `id` is unique by construction and
    /// not listed.
    pub fn unique_attributes(&self) -> Vec<ResolvedAttribute<'r>> {
        let mut out = Vec::new();
        let mut push = |extension: Option<&'r Schema>, schema: &'r Schema| {
            for a in schema.attributes() {
                if a.uniqueness() != Uniqueness::None {
                    out.push(ResolvedAttribute {
                        extension,
                        schema: Some(schema),
                        attribute: a,
                        sub_attribute: None,
                    });
                }
            }
        };
        push(None, self.core_schema());
        for (ext, _) in self.extensions() {
            push(Some(ext), ext);
        }
        out
    }

    /// The common attributes (`id`, `externalId`, `meta`).
    pub(crate) fn common(&self) -> &'r [Attribute] {
        &self.registry.common
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_names_ignoring_case_with_and_without_urns() {
        let registry = Registry::standard();
        let users = registry.resource_type("user").unwrap();
        let check = |path: &str, canonical: &str| {
            let r = users
                .resolve(path)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(r.canonical_path(), canonical, "{path}");
        };
        check("userName", "userName");
        check("USERNAME", "userName");
        check("name.GivenName", "name.givenName");
        check(
            "urn:ietf:params:scim:schemas:core:2.0:User:userName",
            "userName",
        );
        check("urn:ietf:params:scim:schemas:core:2.0:User:id", "id");
        check("meta.lastModified", "meta.lastModified");
        check(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        );
        check(
            "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:employeeNumber",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        );
        check(
            "employeeNumber",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        );
        let groups = registry.resource_type("Group").unwrap();
        let license = groups
            .resolve("urn:ietf:params:scim:schemas:extension:license:2.0:Group:license")
            .unwrap();
        assert_eq!(license.definition().attr_type(), AttributeType::Boolean);
    }

    #[test]
    fn reports_unknown_paths() {
        let registry = Registry::standard();
        let users = registry.resource_type("User").unwrap();
        for path in [
            "nope",
            "name.nope",
            "userName.value",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:nope",
            "urn:example:unknown:attr",
            "",
            ".",
            // `license` is defined by the licence extension of User but
            // Group attributes are not visible from User.
            "members.value",
        ] {
            let e = users.resolve(path).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::UnknownAttribute, "{path}");
        }
    }

    #[test]
    fn finds_resource_types_by_name_and_endpoint() {
        let registry = Registry::standard();
        assert_eq!(
            registry.resource_type_by_endpoint("/users").unwrap().name(),
            "User"
        );
        assert_eq!(
            registry.resource_type_by_endpoint("Groups").unwrap().name(),
            "Group"
        );
        assert!(registry.resource_type("Device").is_none());
        let served: Vec<_> = registry
            .resource_schemas()
            .map(|s| s.id().to_owned())
            .collect();
        assert_eq!(
            served,
            [
                urn::USER,
                urn::GROUP,
                urn::ENTERPRISE_USER,
                urn::LICENSE_GROUP,
                urn::LICENSE_USER
            ]
        );
    }

    #[test]
    fn user_name_is_the_unique_attribute_of_users() {
        let registry = Registry::standard();
        let users = registry.resource_type("User").unwrap();
        let unique: Vec<_> = users
            .unique_attributes()
            .iter()
            .map(|r| (r.canonical_path(), r.definition().case_exact()))
            .collect();
        assert_eq!(unique, [("userName".to_owned(), false)]);
    }

    #[test]
    fn build_reports_configuration_errors() {
        let missing = Registry::builder()
            .resource_type(ResourceType::new("User", "/Users", urn::USER))
            .build();
        assert_eq!(missing.unwrap_err().kind(), ErrorKind::InvalidSchema);
        let twice = Registry::builder().core().core().build();
        assert!(twice.is_err());
        let no_target = Registry::builder()
            .core()
            .extend("Device", urn::USER, false)
            .build();
        assert!(no_target.is_err());
    }
}
