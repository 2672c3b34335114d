//! Schema definitions (RFC 7643 §7) and their JSON form.

use std::path::Path;

use serde_json::Value;

use crate::attribute::{Attribute, check_unique_names};
use crate::error::{Error, ErrorKind, Result};
use crate::urn;

/// A schema: a URN and the attributes it defines.
///
/// Core schemas (User, Group) and extensions (EnterpriseUser, the licence
/// extensions, anything a deployment adds) are the same type and are loaded
/// the same way, from RFC 7643 §7 JSON documents.
///
/// ```
/// use scimhub_schema::{AttributeType, Schema};
///
/// let schema = Schema::from_json(r#"{
///     "id": "urn:example:params:scim:schemas:extension:badge:2.0:User",
///     "name": "Badge",
///     "attributes": [{"name": "badgeNumber", "type": "integer"}]
/// }"#)?;
/// let attr = schema.attribute("BADGENUMBER").expect("names ignore case");
/// assert_eq!(attr.attr_type(), AttributeType::Integer);
/// # Ok::<(), scimhub_schema::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    id: String,
    name: Option<String>,
    description: Option<String>,
    attributes: Vec<Attribute>,
}

impl Schema {
    /// Builds a schema, checking that the id is a URN and every attribute
    /// definition is well formed.
    pub fn new(
        id: impl Into<String>,
        name: Option<String>,
        description: Option<String>,
        attributes: Vec<Attribute>,
    ) -> Result<Schema> {
        let schema = Schema {
            id: id.into(),
            name,
            description,
            attributes,
        };
        schema.check()?;
        Ok(schema)
    }

    /// Parses an RFC 7643 §7 schema document (`id`, `name`, `description`,
    /// `attributes`; `schemas` and `meta` are accepted and ignored).
    pub fn from_json(json: &str) -> Result<Schema> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            Error::new(
                ErrorKind::InvalidSchema,
                format!("schema document is not valid JSON: {e}"),
            )
        })?;
        Schema::from_value(&value)
    }

    /// Reads a schema document from a file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Schema> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorKind::InvalidSchema,
                format!("cannot read schema file {}: {e}", path.display()),
            )
        })?;
        Schema::from_json(&json).map_err(|e| {
            Error::new(
                ErrorKind::InvalidSchema,
                format!("{}: {}", path.display(), e.detail()),
            )
        })
    }

    /// Parses a schema document already held as JSON.
    pub fn from_value(value: &Value) -> Result<Schema> {
        let obj = value.as_object().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidSchema,
                "a schema document must be a JSON object",
            )
        })?;
        let text = |key: &str| -> Result<Option<String>> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::new(
                    ErrorKind::InvalidSchema,
                    format!("schema '{key}' must be a string"),
                )),
            }
        };
        let id = text("id")?
            .ok_or_else(|| Error::new(ErrorKind::InvalidSchema, "schema document has no 'id'"))?;
        let attributes = match obj.get("attributes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| Attribute::from_value(v, &id))
                .collect::<Result<Vec<_>>>()?,
            Some(_) => {
                return Err(Error::new(
                    ErrorKind::InvalidSchema,
                    format!("schema {id}: 'attributes' must be an array"),
                ));
            }
        };
        Schema::new(id, text("name")?, text("description")?, attributes)
    }

    fn check(&self) -> Result<()> {
        let is_urn = self
            .id
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
            && self.id.len() > 4
            && !self.id.ends_with(':')
            && !self.id.chars().any(|c| c.is_whitespace());
        if !is_urn {
            return Err(Error::new(
                ErrorKind::InvalidSchema,
                format!("schema id '{}' is not a URN", self.id),
            ));
        }
        check_unique_names(&self.attributes, &self.id).map_err(|e| {
            Error::new(ErrorKind::InvalidSchema, format!("schema {}: {e}", self.id))
        })?;
        for a in &self.attributes {
            a.check(a.name(), 0).map_err(|e| {
                Error::new(ErrorKind::InvalidSchema, format!("schema {}: {e}", self.id))
            })?;
        }
        Ok(())
    }

    /// The schema URN.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The human-readable name, such as `User`.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// The human-readable description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    /// The top-level attributes, in definition order.
    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }
    /// Finds a top-level attribute by name, ignoring ASCII case.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.is_named(name))
    }
    /// Whether `id` names this schema (ignoring ASCII case).
    pub fn is(&self, id: &str) -> bool {
        urn::eq(&self.id, id)
    }

    /// The representation served at `/Schemas/{id}` (RFC 7643 §7): every
    /// attribute characteristic written out, and `meta` when a `location`
    /// is given.
    pub fn to_representation(&self, location: Option<&str>) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("schemas".into(), serde_json::json!([urn::SCHEMA]));
        m.insert("id".into(), Value::String(self.id.clone()));
        if let Some(n) = &self.name {
            m.insert("name".into(), Value::String(n.clone()));
        }
        if let Some(d) = &self.description {
            m.insert("description".into(), Value::String(d.clone()));
        }
        m.insert(
            "attributes".into(),
            Value::Array(self.attributes.iter().map(Attribute::to_value).collect()),
        );
        if let Some(location) = location {
            m.insert(
                "meta".into(),
                serde_json::json!({"resourceType": "Schema", "location": location}),
            );
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_ids_that_are_not_urns() {
        for id in ["User", "", "urn:", "urn:a b", "http://example.com/x"] {
            let doc = serde_json::json!({"id": id, "attributes": []});
            assert_eq!(
                Schema::from_value(&doc).unwrap_err().kind(),
                ErrorKind::InvalidSchema,
                "{id}"
            );
        }
    }

    #[test]
    fn rejects_duplicate_attributes_and_bad_documents() {
        let dup = r#"{"id": "urn:x:y", "attributes": [{"name": "a"}, {"name": "A"}]}"#;
        assert!(Schema::from_json(dup).is_err());
        assert!(Schema::from_json("[]").is_err());
        assert!(Schema::from_json("{").is_err());
        assert!(Schema::from_json(r#"{"id": "urn:x:y", "attributes": {}}"#).is_err());
        assert!(
            Schema::from_json(r#"{"id": "urn:x:y", "attributes": [{"type": "string"}]}"#).is_err()
        );
        assert!(Schema::from_path("/nonexistent/schema.json").is_err());
    }

    #[test]
    fn representation_round_trips_through_the_loader() {
        let schema = Schema::from_json(
            r#"{"id": "urn:x:y", "name": "Y", "attributes": [
                {"name": "c", "type": "complex", "multiValued": true,
                 "subAttributes": [{"name": "value", "type": "reference", "referenceTypes": ["User"]}]}
            ]}"#,
        )
        .unwrap();
        let rep = schema.to_representation(Some("/Schemas/urn:x:y"));
        assert_eq!(rep["meta"]["resourceType"], "Schema");
        assert_eq!(Schema::from_value(&rep).unwrap(), schema);
    }
}
