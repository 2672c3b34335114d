//! The attribute model of RFC 7643 §2 and §7: types and characteristics.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// Declares a closed set of wire names: `as_str`, case-insensitive `FromStr`,
/// `Display` and serde through the wire name.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $( $(#[$vmeta])* $variant, )+ }

        impl $name {
            /// Every value, in the order the RFC lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $wire, )+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Error;

            /// Parses a wire name, ignoring ASCII case.
            fn from_str(s: &str) -> ::std::result::Result<Self, $crate::Error> {
                $( if s.eq_ignore_ascii_case($wire) { return Ok($name::$variant); } )+
                Err($crate::Error::new(
                    $crate::ErrorKind::InvalidSchema,
                    format!(
                        "'{}' is not a valid {}; expected one of: {}",
                        s,
                        stringify!($name),
                        [$($wire),+].join(", ")
                    ),
                ))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::borrow::Cow::<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum! {
    /// The data type of an attribute (RFC 7643 §2.3).
    pub enum AttributeType {
        /// A sequence of Unicode characters.
        String => "string",
        /// `true` or `false`.
        Boolean => "boolean",
        /// A real number.
        Decimal => "decimal",
        /// A whole number.
        Integer => "integer",
        /// An `xsd:dateTime` instant, such as `2008-01-23T04:56:22Z`.
        DateTime => "dateTime",
        /// Base64-encoded bytes.
        Binary => "binary",
        /// A URI naming a resource (see [`Attribute::reference_types`]).
        Reference => "reference",
        /// A structure of sub-attributes.
        Complex => "complex",
    }
}

wire_enum! {
    /// When and whether a client may change an attribute (RFC 7643 §7).
    pub enum Mutability {
        /// Set by the service provider; client values are ignored or refused.
        ReadOnly => "readOnly",
        /// May be updated and read at any time (the default).
        ReadWrite => "readWrite",
        /// May be set on creation or when unset, never changed afterwards.
        Immutable => "immutable",
        /// May be set at any time but is never returned (passwords).
        WriteOnly => "writeOnly",
    }
}

wire_enum! {
    /// When an attribute appears in a response (RFC 7643 §7).
    pub enum Returned {
        /// In every response, whatever `attributes`/`excludedAttributes` say.
        Always => "always",
        /// Never.
        Never => "never",
        /// Unless excluded, or unless `attributes` names others (the default).
        Default => "default",
        /// Only when named in `attributes`.
        Request => "request",
    }
}

wire_enum! {
    /// How unique a value must be (RFC 7643 §7).
    pub enum Uniqueness {
        /// No uniqueness (the default).
        None => "none",
        /// Unique within the service provider's data for one tenant.
        Server => "server",
        /// Globally unique.
        Global => "global",
    }
}

// Defaults from RFC 7643 §2.2, used when a schema document omits a
// characteristic. Written out (not derived) so that all three read alike
// and the RFC's choice is stated where the type is.
#[allow(clippy::derivable_impls)]
impl Default for Mutability {
    fn default() -> Self {
        Mutability::ReadWrite
    }
}
#[allow(clippy::derivable_impls)]
impl Default for Returned {
    fn default() -> Self {
        Returned::Default
    }
}
#[allow(clippy::derivable_impls)]
impl Default for Uniqueness {
    fn default() -> Self {
        Uniqueness::None
    }
}

/// One attribute definition: a name, a type and its characteristics.
///
/// Build one with [`Attribute::new`] and the `with_*` methods, or load it
/// from a schema document with [`Schema::from_json`](crate::Schema::from_json).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    name: String,
    attr_type: AttributeType,
    multi_valued: bool,
    description: Option<String>,
    required: bool,
    canonical_values: Vec<String>,
    case_exact: bool,
    mutability: Mutability,
    returned: Returned,
    uniqueness: Uniqueness,
    reference_types: Vec<String>,
    sub_attributes: Vec<Attribute>,
}

impl Attribute {
    /// A single-valued, optional, read-write attribute with every other
    /// characteristic at its RFC 7643 §2.2 default.
    pub fn new(name: impl Into<String>, attr_type: AttributeType) -> Attribute {
        Attribute {
            name: name.into(),
            attr_type,
            multi_valued: false,
            description: None,
            required: false,
            canonical_values: Vec::new(),
            case_exact: false,
            mutability: Mutability::default(),
            returned: Returned::default(),
            uniqueness: Uniqueness::default(),
            reference_types: Vec::new(),
            sub_attributes: Vec::new(),
        }
    }

    /// Sets `multiValued`.
    pub fn with_multi_valued(mut self, multi_valued: bool) -> Self {
        self.multi_valued = multi_valued;
        self
    }
    /// Sets `description`.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
    /// Sets `required`.
    pub fn with_required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }
    /// Sets `canonicalValues`.
    pub fn with_canonical_values<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.canonical_values = values.into_iter().map(Into::into).collect();
        self
    }
    /// Sets `caseExact`.
    pub fn with_case_exact(mut self, case_exact: bool) -> Self {
        self.case_exact = case_exact;
        self
    }
    /// Sets `mutability`.
    pub fn with_mutability(mut self, mutability: Mutability) -> Self {
        self.mutability = mutability;
        self
    }
    /// Sets `returned`.
    pub fn with_returned(mut self, returned: Returned) -> Self {
        self.returned = returned;
        self
    }
    /// Sets `uniqueness`.
    pub fn with_uniqueness(mut self, uniqueness: Uniqueness) -> Self {
        self.uniqueness = uniqueness;
        self
    }
    /// Sets `referenceTypes`.
    pub fn with_reference_types<I, S>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.reference_types = types.into_iter().map(Into::into).collect();
        self
    }
    /// Sets `subAttributes` (for complex attributes).
    pub fn with_sub_attributes(mut self, sub_attributes: Vec<Attribute>) -> Self {
        self.sub_attributes = sub_attributes;
        self
    }

    /// The attribute name, spelled as the schema defines it.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The data type.
    pub fn attr_type(&self) -> AttributeType {
        self.attr_type
    }
    /// Whether the attribute holds a list of values.
    pub fn multi_valued(&self) -> bool {
        self.multi_valued
    }
    /// The human-readable description, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    /// Whether a client must supply a value on create and replace.
    pub fn required(&self) -> bool {
        self.required
    }
    /// Suggested values (enforced only when the registry is configured to).
    pub fn canonical_values(&self) -> &[String] {
        &self.canonical_values
    }
    /// Whether string comparisons on this attribute are case-sensitive.
    pub fn case_exact(&self) -> bool {
        self.case_exact
    }
    /// Who may change the attribute, and when.
    pub fn mutability(&self) -> Mutability {
        self.mutability
    }
    /// When the attribute is returned.
    pub fn returned(&self) -> Returned {
        self.returned
    }
    /// The uniqueness the service provider must enforce.
    pub fn uniqueness(&self) -> Uniqueness {
        self.uniqueness
    }
    /// For reference attributes: resource type names, `external` or `uri`.
    pub fn reference_types(&self) -> &[String] {
        &self.reference_types
    }
    /// For complex attributes: the sub-attributes.
    pub fn sub_attributes(&self) -> &[Attribute] {
        &self.sub_attributes
    }
    /// Finds a sub-attribute by name, ignoring ASCII case (RFC 7643 §2.1).
    pub fn sub_attribute(&self, name: &str) -> Option<&Attribute> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
    /// Whether this name designates the attribute, ignoring ASCII case.
    pub fn is_named(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
    /// Whether values of this attribute are compared ignoring case: strings
    /// and references that are not `caseExact`.
    pub fn compares_case_insensitively(&self) -> bool {
        matches!(
            self.attr_type,
            AttributeType::String | AttributeType::Reference
        ) && !self.case_exact
    }

    /// Checks a definition the way [`Schema`](crate::Schema) loading does:
    /// a valid name, sub-attributes on complex attributes and only there,
    /// no duplicate names.
    ///
    /// RFC 7643 §2.3.8 says a complex attribute's sub-attributes are not
    /// complex, yet the RFC's own Schema schema (§8.7.2) nests
    /// `attributes.subAttributes`; nesting is therefore allowed, and every
    /// walk over a document follows the (finite) definition, not the input.
    pub(crate) fn check(&self, path: &str, depth: usize) -> Result<()> {
        if !is_attr_name(&self.name, depth > 0) {
            return Err(Error::new(
                ErrorKind::InvalidSchema,
                format!(
                    "'{path}' is not a valid attribute name (RFC 7643 §2.1: a letter followed by letters, digits, '-' or '_')"
                ),
            )
            .at(path));
        }
        match (self.attr_type, self.sub_attributes.is_empty()) {
            (AttributeType::Complex, true) => {
                return Err(Error::new(
                    ErrorKind::InvalidSchema,
                    format!("complex attribute '{path}' declares no subAttributes"),
                )
                .at(path));
            }
            (t, false) if t != AttributeType::Complex => {
                return Err(Error::new(
                    ErrorKind::InvalidSchema,
                    format!("attribute '{path}' of type {t} declares subAttributes"),
                )
                .at(path));
            }
            _ => {}
        }
        check_unique_names(&self.sub_attributes, path)?;
        for sub in &self.sub_attributes {
            sub.check(&format!("{path}.{}", sub.name), depth + 1)?;
        }
        Ok(())
    }
}

/// Fails if two attributes share a name, ignoring case.
pub(crate) fn check_unique_names(attributes: &[Attribute], parent: &str) -> Result<()> {
    for (i, a) in attributes.iter().enumerate() {
        if attributes
            .iter()
            .skip(i + 1)
            .any(|b| b.name.eq_ignore_ascii_case(&a.name))
        {
            let place = if parent.is_empty() {
                String::new()
            } else {
                format!(" in '{parent}'")
            };
            return Err(Error::new(
                ErrorKind::InvalidSchema,
                format!("attribute '{}' is defined twice{place}", a.name),
            ));
        }
    }
    Ok(())
}

/// `ATTRNAME = ALPHA *(nameChar)` with `nameChar = "-" / "_" / DIGIT / ALPHA`
/// (RFC 7643 §2.1), plus `$ref`, which the RFC itself uses as a
/// sub-attribute name.
pub(crate) fn is_attr_name(name: &str, sub: bool) -> bool {
    if sub && name == "$ref" {
        return true;
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Attribute {
    /// The RFC 7643 §7 form with every characteristic explicit, in the
    /// RFC's key order.
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        let strings = |v: &[String]| Value::Array(v.iter().cloned().map(Value::String).collect());
        let mut m = serde_json::Map::new();
        m.insert("name".into(), Value::String(self.name.clone()));
        m.insert("type".into(), Value::String(self.attr_type.as_str().into()));
        if self.attr_type == AttributeType::Reference || !self.reference_types.is_empty() {
            m.insert("referenceTypes".into(), strings(&self.reference_types));
        }
        m.insert("multiValued".into(), Value::Bool(self.multi_valued));
        if let Some(d) = &self.description {
            m.insert("description".into(), Value::String(d.clone()));
        }
        m.insert("required".into(), Value::Bool(self.required));
        m.insert("caseExact".into(), Value::Bool(self.case_exact));
        if !self.canonical_values.is_empty() {
            m.insert("canonicalValues".into(), strings(&self.canonical_values));
        }
        m.insert(
            "mutability".into(),
            Value::String(self.mutability.as_str().into()),
        );
        m.insert(
            "returned".into(),
            Value::String(self.returned.as_str().into()),
        );
        m.insert(
            "uniqueness".into(),
            Value::String(self.uniqueness.as_str().into()),
        );
        if self.attr_type == AttributeType::Complex {
            m.insert(
                "subAttributes".into(),
                Value::Array(
                    self.sub_attributes
                        .iter()
                        .map(Attribute::to_value)
                        .collect(),
                ),
            );
        }
        Value::Object(m)
    }
}

impl Serialize for Attribute {
    /// Writes [`Attribute::to_value`].
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

/// The attribute as a schema document spells it: every characteristic
/// optional, unknown keys ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAttribute {
    name: Option<String>,
    #[serde(rename = "type")]
    attr_type: Option<AttributeType>,
    multi_valued: Option<bool>,
    description: Option<String>,
    required: Option<bool>,
    canonical_values: Option<Vec<serde_json::Value>>,
    case_exact: Option<bool>,
    mutability: Option<Mutability>,
    returned: Option<Returned>,
    uniqueness: Option<Uniqueness>,
    reference_types: Option<Vec<String>>,
    sub_attributes: Option<Vec<serde_json::Value>>,
}

impl Attribute {
    /// Reads one attribute definition in the RFC 7643 §7 form, applying the
    /// §2.2 defaults for omitted characteristics. `path` names it in errors.
    pub(crate) fn from_value(value: &serde_json::Value, path: &str) -> Result<Attribute> {
        let raw = RawAttribute::deserialize(value).map_err(|e| {
            Error::new(
                ErrorKind::InvalidSchema,
                format!("attribute definition at {path} is malformed: {e}"),
            )
        })?;
        let name = raw.name.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidSchema,
                format!("attribute definition at {path} has no name"),
            )
        })?;
        let here = format!("{path}/{name}");
        let sub_attributes = raw
            .sub_attributes
            .unwrap_or_default()
            .iter()
            .map(|v| Attribute::from_value(v, &here))
            .collect::<Result<Vec<_>>>()?;
        // Canonical values are strings in every published schema; numbers
        // and booleans are accepted and kept in their JSON spelling.
        let canonical_values = raw
            .canonical_values
            .unwrap_or_default()
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect();
        Ok(Attribute {
            name,
            attr_type: raw.attr_type.unwrap_or(AttributeType::String),
            multi_valued: raw.multi_valued.unwrap_or(false),
            description: raw.description,
            required: raw.required.unwrap_or(false),
            canonical_values,
            case_exact: raw.case_exact.unwrap_or(false),
            mutability: raw.mutability.unwrap_or_default(),
            returned: raw.returned.unwrap_or_default(),
            uniqueness: raw.uniqueness.unwrap_or_default(),
            reference_types: raw.reference_types.unwrap_or_default(),
            sub_attributes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_parse_ignoring_case() {
        assert_eq!(
            "DATETIME".parse::<AttributeType>().unwrap(),
            AttributeType::DateTime
        );
        assert_eq!(
            "readonly".parse::<Mutability>().unwrap(),
            Mutability::ReadOnly
        );
        assert!("sometimes".parse::<Returned>().is_err());
        for t in AttributeType::ALL {
            assert_eq!(t.as_str().parse::<AttributeType>().unwrap(), *t);
        }
    }

    #[test]
    fn attribute_names_follow_rfc_7643_grammar() {
        for ok in ["userName", "a", "x509Certificates", "my-attr_2"] {
            assert!(is_attr_name(ok, false), "{ok}");
        }
        for bad in ["", "2fa", "-x", "user name", "a.b", "é", "$ref"] {
            assert!(!is_attr_name(bad, false), "{bad}");
        }
        assert!(is_attr_name("$ref", true));
    }

    #[test]
    fn omitted_characteristics_take_rfc_defaults() {
        let a = Attribute::from_value(&serde_json::json!({"name": "x"}), "").unwrap();
        assert_eq!(a, Attribute::new("x", AttributeType::String));
        assert_eq!(a.mutability(), Mutability::ReadWrite);
        assert_eq!(a.returned(), Returned::Default);
        assert_eq!(a.uniqueness(), Uniqueness::None);
    }

    #[test]
    fn structural_rules_are_checked() {
        let complex_without_subs = Attribute::new("c", AttributeType::Complex);
        assert!(complex_without_subs.check("c", 0).is_err());
        let nested = Attribute::new("c", AttributeType::Complex).with_sub_attributes(vec![
            Attribute::new("d", AttributeType::Complex)
                .with_sub_attributes(vec![Attribute::new("e", AttributeType::String)]),
        ]);
        assert!(nested.check("c", 0).is_ok());
        let dup = Attribute::new("c", AttributeType::Complex).with_sub_attributes(vec![
            Attribute::new("d", AttributeType::String),
            Attribute::new("D", AttributeType::String),
        ]);
        assert!(dup.check("c", 0).is_err());
        let subs_on_string = Attribute::new("s", AttributeType::String)
            .with_sub_attributes(vec![Attribute::new("d", AttributeType::String)]);
        assert!(subs_on_string.check("s", 0).is_err());
    }
}
