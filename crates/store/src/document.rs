//! A stored resource's attributes as a backend hands them back: a parsed
//! JSON value, or the JSON text it stored, parsed the first time someone
//! asks for the value.
//!
//! Rendering a page of users from SQLite needs the text, not a tree of
//! maps: the protocol splices `id`, `meta` and the computed attributes
//! around the stored members without building a [`Value`]. Everything else
//! asks for [`Document::value`] and pays for the parse once.

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

use crate::error::{Error, Result};

/// A resource's attributes: a JSON object, parsed or as stored text.
#[derive(Clone)]
pub struct Document {
    /// The text the backend stored, when the document came from text.
    text: Option<String>,
    /// The parsed value: given, or filled from `text` on first use.
    value: OnceLock<Value>,
}

impl Document {
    /// A document from JSON text, parsed when first needed. The text is
    /// not checked here: [`Document::value`] reports text that does not
    /// parse.
    pub fn from_json(text: impl Into<String>) -> Document {
        Document {
            text: Some(text.into()),
            value: OnceLock::new(),
        }
    }

    /// A parsed document together with the JSON text a backend stored
    /// for it: `text` must be `value` written as JSON. Rendering can then
    /// use the text without serialising the value again.
    pub fn from_value_and_json(value: Value, text: impl Into<String>) -> Document {
        Document {
            text: Some(text.into()),
            value: OnceLock::from(value),
        }
    }

    /// The JSON text, when the document came from text (a backend that
    /// stores text) or with it. Documents built from a [`Value`] alone
    /// have none.
    pub fn json_text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The parsed document. Fails with `Unavailable` when the stored text
    /// is not JSON (a damaged database).
    pub fn value(&self) -> Result<&Value> {
        if let Some(v) = self.value.get() {
            return Ok(v);
        }
        let parsed = parse(self.text.as_deref().unwrap_or("null"))?;
        Ok(self.value.get_or_init(|| parsed))
    }

    /// The parsed document, owned.
    pub fn into_value(self) -> Result<Value> {
        match self.value.into_inner() {
            Some(v) => Ok(v),
            None => parse(self.text.as_deref().unwrap_or("null")),
        }
    }

    /// Member `key` of the document, when it is an object that has it.
    pub fn get(&self, key: &str) -> Result<Option<&Value>> {
        Ok(self.value()?.get(key))
    }
}

fn parse(text: &str) -> Result<Value> {
    serde_json::from_str(text)
        .map_err(|e| Error::unavailable("a stored document is not valid JSON", e))
}

impl From<Value> for Document {
    fn from(value: Value) -> Document {
        Document {
            text: None,
            value: OnceLock::from(value),
        }
    }
}

impl Default for Document {
    /// An empty object.
    fn default() -> Document {
        Document::from(Value::Object(serde_json::Map::new()))
    }
}

impl PartialEq for Document {
    /// Documents are equal when their values are; text that does not
    /// parse equals only the same text.
    fn eq(&self, other: &Document) -> bool {
        match (self.value(), other.value()) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => self.text == other.text,
            _ => false,
        }
    }
}

impl PartialEq<Value> for Document {
    fn eq(&self, other: &Value) -> bool {
        self.value().is_ok_and(|v| v == other)
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.value.get(), &self.text) {
            (Some(v), _) => fmt::Debug::fmt(v, f),
            (None, Some(t)) => write!(f, "Document({t})"),
            (None, None) => f.write_str("Document(null)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_is_parsed_on_first_use_and_kept() {
        let d = Document::from_json(r#"{"userName":"bjensen","active":true}"#);
        assert_eq!(
            d.json_text(),
            Some(r#"{"userName":"bjensen","active":true}"#)
        );
        let first: *const Value = d.value().unwrap();
        let second: *const Value = d.value().unwrap();
        assert_eq!(first, second, "parsed once");
        assert_eq!(d.get("userName").unwrap(), Some(&json!("bjensen")));
        assert_eq!(
            d.clone().into_value().unwrap(),
            json!({"userName": "bjensen", "active": true})
        );
    }

    #[test]
    fn values_have_no_text_and_compare_with_text_by_value() {
        let v = Document::from(json!({"a": [1, 2], "b": "x"}));
        assert_eq!(v.json_text(), None);
        assert_eq!(v, Document::from_json(r#"{ "a": [1,2], "b": "x" }"#));
        assert_ne!(v, Document::from_json(r#"{"a":[2,1],"b":"x"}"#));
        assert_eq!(v, json!({"a": [1, 2], "b": "x"}));
        assert_eq!(Document::default(), json!({}));
    }

    #[test]
    fn a_value_with_its_text_has_both() {
        let d = Document::from_value_and_json(json!({"a": 1}), r#"{"a":1}"#);
        assert_eq!(d.json_text(), Some(r#"{"a":1}"#));
        assert_eq!(d.value().unwrap(), &json!({"a": 1}));
        assert_eq!(d, Document::from(json!({"a": 1})));
    }

    #[test]
    fn damaged_text_is_an_error_not_a_panic() {
        let d = Document::from_json("{\"userName\": ");
        let err = d.value().unwrap_err();
        assert_eq!(err.kind(), &crate::ErrorKind::Unavailable);
        assert!(d.clone().into_value().is_err());
        assert!(d.get("userName").is_err());
        assert_eq!(d, Document::from_json("{\"userName\": "));
        assert_ne!(d, Document::from(json!({})));
        assert!(format!("{d:?}").contains("userName"));
    }
}
