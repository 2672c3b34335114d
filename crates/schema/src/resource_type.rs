//! Resource type definitions (RFC 7643 §6).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::urn;

/// A resource type: its name, endpoint, core schema and extensions.
///
/// ```
/// use scimhub_schema::{ResourceType, urn};
///
/// let users = ResourceType::new("User", "/Users", urn::USER)
///     .with_description("User Account")
///     .with_extension(urn::ENTERPRISE_USER, false);
/// assert_eq!(users.endpoint(), "/Users");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceType {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    endpoint: String,
    schema: String,
    #[serde(default)]
    schema_extensions: Vec<SchemaExtension>,
}

/// An extension schema attached to a resource type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaExtension {
    schema: String,
    #[serde(default)]
    required: bool,
}

impl SchemaExtension {
    /// The extension's schema URN.
    pub fn schema(&self) -> &str {
        &self.schema
    }
    /// Whether every resource of the type must carry the extension.
    pub fn required(&self) -> bool {
        self.required
    }
}

impl ResourceType {
    /// A resource type with no extensions; its id is its name.
    pub fn new(
        name: impl Into<String>,
        endpoint: impl Into<String>,
        schema: impl Into<String>,
    ) -> ResourceType {
        ResourceType {
            id: None,
            name: name.into(),
            description: None,
            endpoint: endpoint.into(),
            schema: schema.into(),
            schema_extensions: Vec::new(),
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds an extension schema.
    pub fn with_extension(mut self, schema: impl Into<String>, required: bool) -> Self {
        self.schema_extensions.push(SchemaExtension {
            schema: schema.into(),
            required,
        });
        self
    }

    /// Parses an RFC 7643 §6 resource type document.
    pub fn from_json(json: &str) -> Result<ResourceType> {
        let rt: ResourceType = serde_json::from_str(json).map_err(|e| {
            Error::new(
                ErrorKind::InvalidSchema,
                format!("resource type document is malformed: {e}"),
            )
        })?;
        rt.check()?;
        Ok(rt)
    }

    pub(crate) fn check(&self) -> Result<()> {
        let bad = |what: String| Err(Error::new(ErrorKind::InvalidSchema, what));
        if self.name.is_empty() || self.name.contains(['/', ' ']) {
            return bad(format!("resource type name '{}' is not valid", self.name));
        }
        let path = self.endpoint.strip_prefix('/').unwrap_or("");
        if path.is_empty() || path.contains(['/', ' ', '?', '#']) {
            return bad(format!(
                "resource type {}: endpoint '{}' must be one path segment starting with '/', such as '/Users'",
                self.name, self.endpoint
            ));
        }
        for (i, ext) in self.schema_extensions.iter().enumerate() {
            if urn::eq(&ext.schema, &self.schema)
                || self
                    .schema_extensions
                    .iter()
                    .skip(i + 1)
                    .any(|o| urn::eq(&o.schema, &ext.schema))
            {
                return bad(format!(
                    "resource type {}: schema {} is listed twice",
                    self.name, ext.schema
                ));
            }
        }
        Ok(())
    }

    /// The resource type's id (its name unless set otherwise).
    pub fn id(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.name)
    }
    /// The name, such as `User`, also the value of `meta.resourceType`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    /// The endpoint relative to the base URL, such as `/Users`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
    /// The core schema URN.
    pub fn schema(&self) -> &str {
        &self.schema
    }
    /// The extension schemas.
    pub fn schema_extensions(&self) -> &[SchemaExtension] {
        &self.schema_extensions
    }

    /// The representation served at `/ResourceTypes/{name}` (RFC 7643 §6),
    /// with `meta` when a `location` is given.
    pub fn to_representation(&self, location: Option<&str>) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("schemas".into(), serde_json::json!([urn::RESOURCE_TYPE]));
        m.insert("id".into(), Value::String(self.id().to_owned()));
        m.insert("name".into(), Value::String(self.name.clone()));
        if let Some(d) = &self.description {
            m.insert("description".into(), Value::String(d.clone()));
        }
        m.insert("endpoint".into(), Value::String(self.endpoint.clone()));
        m.insert("schema".into(), Value::String(self.schema.clone()));
        m.insert(
            "schemaExtensions".into(),
            Value::Array(
                self.schema_extensions
                    .iter()
                    .map(|e| serde_json::json!({"schema": e.schema, "required": e.required}))
                    .collect(),
            ),
        );
        if let Some(location) = location {
            m.insert(
                "meta".into(),
                serde_json::json!({"resourceType": "ResourceType", "location": location}),
            );
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_rfc_7643_section_8_6_user_resource_type() {
        let rt = ResourceType::from_json(
            r#"{
              "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
              "id": "User",
              "name": "User",
              "endpoint": "/Users",
              "description": "User Account",
              "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
              "schemaExtensions": [
                {
                  "schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                  "required": true
                }
              ],
              "meta": {
                "location": "https://example.com/v2/ResourceTypes/User",
                "resourceType": "ResourceType"
              }
            }"#,
        )
        .unwrap();
        assert_eq!(rt.name(), "User");
        assert_eq!(rt.endpoint(), "/Users");
        assert!(rt.schema_extensions()[0].required());
        let rep = rt.to_representation(Some("https://example.com/v2/ResourceTypes/User"));
        assert_eq!(rep["schemaExtensions"][0]["schema"], urn::ENTERPRISE_USER);
        assert_eq!(rep["meta"]["resourceType"], "ResourceType");
    }

    #[test]
    fn rejects_bad_endpoints_and_duplicate_schemas() {
        for endpoint in ["Users", "/", "/a/b", "/a b"] {
            let json = format!(r#"{{"name": "X", "endpoint": "{endpoint}", "schema": "urn:x:y"}}"#);
            assert!(ResourceType::from_json(&json).is_err(), "{endpoint}");
        }
        let dup = ResourceType::new("X", "/Xs", "urn:x:y").with_extension("URN:X:Y", false);
        assert!(dup.check().is_err());
    }
}
