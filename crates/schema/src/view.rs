//! Typed, borrowed views of User and Group documents.
//!
//! The generic JSON document is the source of truth (so custom extensions
//! need no code); these views read the attributes every crate cares about
//! without copying, looking names up case-insensitively so they work on
//! documents before and after validation.

use serde_json::{Map, Value};

use crate::urn;
use crate::validate::get_ci;

fn text<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    get_ci(obj, name).and_then(Value::as_str)
}

fn boolean(obj: &Map<String, Value>, name: &str) -> Option<bool> {
    match get_ci(obj, name)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn elements<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
) -> impl Iterator<Item = &'a Map<String, Value>> + 'a {
    get_ci(obj, name)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// The attributes common to every resource.
pub trait ResourceView<'a> {
    /// The underlying JSON object.
    fn object(&self) -> &'a Map<String, Value>;

    /// `id`.
    fn id(&self) -> Option<&'a str> {
        text(self.object(), "id")
    }
    /// `externalId`.
    fn external_id(&self) -> Option<&'a str> {
        text(self.object(), "externalId")
    }
    /// `meta.version`.
    fn version(&self) -> Option<&'a str> {
        get_ci(self.object(), "meta")
            .and_then(Value::as_object)
            .and_then(|m| text(m, "version"))
    }
    /// An extension object by URN.
    fn extension(&self, schema: &str) -> Option<&'a Map<String, Value>> {
        get_ci(self.object(), schema).and_then(Value::as_object)
    }
}

/// One value of a multi-valued attribute such as `emails` or
/// `phoneNumbers`.
#[derive(Debug, Clone, Copy)]
pub struct MultiValue<'a>(&'a Map<String, Value>);

impl<'a> MultiValue<'a> {
    /// `value`.
    pub fn value(&self) -> Option<&'a str> {
        text(self.0, "value")
    }
    /// `type`, such as `work`.
    pub fn kind(&self) -> Option<&'a str> {
        text(self.0, "type")
    }
    /// `display`.
    pub fn display(&self) -> Option<&'a str> {
        text(self.0, "display")
    }
    /// `primary` (false when absent).
    pub fn primary(&self) -> bool {
        boolean(self.0, "primary").unwrap_or(false)
    }
    /// `$ref`.
    pub fn reference(&self) -> Option<&'a str> {
        text(self.0, "$ref")
    }
    /// The underlying object.
    pub fn object(&self) -> &'a Map<String, Value> {
        self.0
    }
}

/// A User document.
///
/// ```
/// use scimhub_schema::view::{ResourceView, User};
/// use serde_json::json;
///
/// let doc = json!({"userName": "bjensen@example.com", "active": "False",
///                  "emails": [{"value": "babs@jensen.org", "type": "home"}]});
/// let user = User::new(&doc).expect("an object");
/// assert_eq!(user.user_name(), Some("bjensen@example.com"));
/// assert_eq!(user.active(), Some(false));
/// assert_eq!(user.emails().next().and_then(|e| e.value()), Some("babs@jensen.org"));
/// assert_eq!(user.id(), None);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct User<'a>(&'a Map<String, Value>);

impl<'a> ResourceView<'a> for User<'a> {
    fn object(&self) -> &'a Map<String, Value> {
        self.0
    }
}

impl<'a> User<'a> {
    /// A view of `doc`, if it is a JSON object.
    pub fn new(doc: &'a Value) -> Option<User<'a>> {
        doc.as_object().map(User)
    }
    /// `userName`.
    pub fn user_name(&self) -> Option<&'a str> {
        text(self.0, "userName")
    }
    /// `displayName`.
    pub fn display_name(&self) -> Option<&'a str> {
        text(self.0, "displayName")
    }
    /// `name.givenName`.
    pub fn given_name(&self) -> Option<&'a str> {
        self.name().and_then(|n| text(n, "givenName"))
    }
    /// `name.familyName`.
    pub fn family_name(&self) -> Option<&'a str> {
        self.name().and_then(|n| text(n, "familyName"))
    }
    /// `name` as an object.
    pub fn name(&self) -> Option<&'a Map<String, Value>> {
        get_ci(self.0, "name").and_then(Value::as_object)
    }
    /// `active`, reading `"True"`/`"False"` strings as booleans.
    pub fn active(&self) -> Option<bool> {
        boolean(self.0, "active")
    }
    /// `emails`.
    pub fn emails(&self) -> impl Iterator<Item = MultiValue<'a>> + 'a {
        elements(self.0, "emails").map(MultiValue)
    }
    /// `phoneNumbers`.
    pub fn phone_numbers(&self) -> impl Iterator<Item = MultiValue<'a>> + 'a {
        elements(self.0, "phoneNumbers").map(MultiValue)
    }
    /// `groups` (read-only, computed by the service provider).
    pub fn groups(&self) -> impl Iterator<Item = MultiValue<'a>> + 'a {
        elements(self.0, "groups").map(MultiValue)
    }
    /// The primary email, or the first one.
    pub fn primary_email(&self) -> Option<&'a str> {
        self.emails()
            .find(MultiValue::primary)
            .or_else(|| self.emails().next())
            .and_then(|e| e.value())
    }
    /// The enterprise extension's `employeeNumber`.
    pub fn employee_number(&self) -> Option<&'a str> {
        self.extension(urn::ENTERPRISE_USER)
            .and_then(|e| text(e, "employeeNumber"))
    }
    /// The enterprise extension's `department`.
    pub fn department(&self) -> Option<&'a str> {
        self.extension(urn::ENTERPRISE_USER)
            .and_then(|e| text(e, "department"))
    }
    /// The enterprise extension's `manager.value`.
    pub fn manager_id(&self) -> Option<&'a str> {
        self.extension(urn::ENTERPRISE_USER)
            .and_then(|e| get_ci(e, "manager"))
            .and_then(Value::as_object)
            .and_then(|m| text(m, "value"))
    }
    /// The licence extension's derived `license`.
    pub fn licensed(&self) -> Option<bool> {
        self.extension(urn::LICENSE_USER)
            .and_then(|e| boolean(e, "license"))
    }
}

/// A Group document.
///
/// ```
/// use scimhub_schema::view::Group;
/// use serde_json::json;
///
/// let doc = json!({"displayName": "Pro",
///     "urn:ietf:params:scim:schemas:extension:license:2.0:Group": {"license": "true"},
///     "members": [{"value": "2819c223"}]});
/// let group = Group::new(&doc).expect("an object");
/// assert_eq!(group.license(), Some(true));
/// assert_eq!(group.members().filter_map(|m| m.value()).collect::<Vec<_>>(), ["2819c223"]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Group<'a>(&'a Map<String, Value>);

impl<'a> ResourceView<'a> for Group<'a> {
    fn object(&self) -> &'a Map<String, Value> {
        self.0
    }
}

impl<'a> Group<'a> {
    /// A view of `doc`, if it is a JSON object.
    pub fn new(doc: &'a Value) -> Option<Group<'a>> {
        doc.as_object().map(Group)
    }
    /// `displayName`.
    pub fn display_name(&self) -> Option<&'a str> {
        text(self.0, "displayName")
    }
    /// `members`.
    pub fn members(&self) -> impl Iterator<Item = MultiValue<'a>> + 'a {
        elements(self.0, "members").map(MultiValue)
    }
    /// The licence extension's `license`, reading `"true"`/`"false"`
    /// strings as booleans.
    pub fn license(&self) -> Option<bool> {
        self.extension(urn::LICENSE_GROUP)
            .and_then(|e| boolean(e, "license"))
    }
}
