//! Checks, attribute by attribute, that the schema representations served by `Registry::standard()` carry every attribute and characteristic that RFC 7643 prints in §8.7.1 (User, Group, EnterpriseUser) and §8.7.2 (ServiceProviderConfig, ResourceType, Schema), plus the listed deliberate additions and deviations.
//!
//! The expected values below are transcribed by hand from the RFC text, independently of the
//! shipped `schemas/*.json` files, so that a transcription error in either shows up here.
//! Where the RFC omits a characteristic the §2.2 default is accepted (caseExact false,
//! uniqueness "none"; no canonicalValues or referenceTypes), whether the served representation
//! writes it out or leaves it out. Descriptions are the RFC's wording with its line wraps joined
//! by a single space and its double spaces after full stops kept.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Test code: helper functions outside #[test] bodies may panic, too.

use scimhub_schema::Registry;
use serde_json::Value;

const SCHEMA_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const SPC_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const LICENSE_GROUP_URN: &str = "urn:ietf:params:scim:schemas:extension:license:2.0:Group";
const LICENSE_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:license:2.0:User";

/// One attribute or sub-attribute as RFC 7643 prints it.
struct Row {
    /// `name`, or `parent.sub` for a sub-attribute (`attributes.subAttributes.name` for the
    /// Schema schema's nested sub-attributes).
    path: &'static str,
    ty: &'static str,
    multi_valued: bool,
    required: bool,
    /// `None` where the RFC does not print caseExact for this attribute.
    case_exact: Option<bool>,
    mutability: &'static str,
    returned: &'static str,
    /// `None` where the RFC does not print uniqueness for this attribute.
    uniqueness: Option<&'static str>,
    canonical_values: &'static [&'static str],
    reference_types: &'static [&'static str],
    description: &'static str,
}

#[allow(clippy::too_many_arguments)]
const fn row(
    path: &'static str,
    ty: &'static str,
    multi_valued: bool,
    required: bool,
    case_exact: Option<bool>,
    mutability: &'static str,
    returned: &'static str,
    uniqueness: Option<&'static str>,
    canonical_values: &'static [&'static str],
    reference_types: &'static [&'static str],
    description: &'static str,
) -> Row {
    Row {
        path,
        ty,
        multi_valued,
        required,
        case_exact,
        mutability,
        returned,
        uniqueness,
        canonical_values,
        reference_types,
        description,
    }
}

/// A schema as RFC 7643 prints it.
struct RfcSchema {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    rows: &'static [Row],
}

/// An attribute the shipped schema has and the RFC's schema representation does not.
struct Addition {
    schema: &'static str,
    row: Row,
    reason: &'static str,
}

/// A characteristic whose shipped value departs from the value the RFC prints.
struct Deviation {
    schema: &'static str,
    path: &'static str,
    characteristic: &'static str,
    /// The value RFC 7643 prints, as JSON.
    rfc: &'static str,
    /// The value the service provider serves, as JSON.
    served: &'static str,
    reason: &'static str,
}

// Descriptions the RFC repeats word for word.
const DISPLAY_READ_ONLY: &str =
    "A human-readable name, primarily used for display purposes.  READ-ONLY.";
const LABEL_FUNCTION: &str = "A label indicating the attribute's function.";
const PRIMARY_PLAIN: &str = "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.";
const PRIMARY_EMAIL: &str = "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address.  The primary attribute value 'true' MUST appear no more than once.";
const EMAILS: &str = "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.";
const OPERATION_SUPPORTED: &str =
    "A Boolean value specifying whether or not the operation is supported.";
const SCHEMA_NAME: &str = "The schema's human-readable name.  When applicable, service providers MUST specify the name, e.g., 'User'.";
const ATTRIBUTE_TYPE: &str = "The attribute's data type. Valid values include 'string', 'complex', 'boolean', 'decimal', 'integer', 'dateTime', 'reference'.";
const CANONICAL_VALUES: &str = "A collection of canonical values.  When applicable, service providers MUST specify the canonical types, e.g., 'work', 'home'.";
const REFERENCE_TYPES: &str = "Used only with an attribute of type 'reference'.  Specifies a SCIM resourceType that a reference attribute MAY refer to, e.g., 'User'.";
const CASE_EXACT: &str =
    "A Boolean value indicating whether or not a string attribute is case sensitive.";

const TYPES: &[&str] = &[
    "string",
    "complex",
    "boolean",
    "decimal",
    "integer",
    "dateTime",
    "reference",
];
const MUTABILITIES: &[&str] = &["readOnly", "readWrite", "immutable", "writeOnly"];
const RETURNEDS: &[&str] = &["always", "never", "default", "request"];
const UNIQUENESSES: &[&str] = &["none", "server", "global"];

/// RFC 7643 §8.7.1, "urn:ietf:params:scim:schemas:core:2.0:User".
#[rustfmt::skip]
const USER: RfcSchema = RfcSchema {
    id: USER_URN,
    name: "User",
    description: "User Account",
    rows: &[
        row("userName", "string", false, true, Some(false), "readWrite", "default", Some("server"), &[], &[],
            "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users. REQUIRED."),
        row("name", "complex", false, false, None, "readWrite", "default", Some("none"), &[], &[],
            "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.  If both variants are returned, they SHOULD be describing the same name, with the formatted name indicating how the component attributes should be combined."),
        row("name.formatted", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III')."),
        row("name.familyName", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III')."),
        row("name.givenName", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III')."),
        row("name.middleName", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III')."),
        row("name.honorificPrefix", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III')."),
        row("name.honorificSuffix", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III')."),
        row("displayName", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The name of the User, suitable for display to end-users.  The name SHOULD be the full name of the User being described, if known."),
        row("nickName", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.  This attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge')."),
        row("profileUrl", "reference", false, false, Some(false), "readWrite", "default", Some("none"), &[], &["external"],
            "A fully qualified URL pointing to a page representing the User's online profile."),
        row("title", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The user's title, such as \"Vice President.\""),
        row("userType", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "Used to identify the relationship between the organization and the user.  Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used."),
        row("preferredLanguage", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "Indicates the User's preferred written or spoken language.  Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US."),
        row("locale", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
        row("timezone", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
        row("active", "boolean", false, false, None, "readWrite", "default", None, &[], &[],
            "A Boolean value indicating the User's administrative status."),
        row("password", "string", false, false, Some(false), "writeOnly", "never", Some("none"), &[], &[],
            "The User's cleartext password.  This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password."),
        row("emails", "complex", true, false, None, "readWrite", "default", Some("none"), &[], &[], EMAILS),
        // RFC quirk kept: emails.value repeats the description of emails.
        row("emails.value", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[], EMAILS),
        // RFC quirk kept: every "display" says READ-ONLY but most print mutability readWrite.
        row("emails.display", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[], DISPLAY_READ_ONLY),
        row("emails.type", "string", false, false, Some(false), "readWrite", "default", Some("none"), &["work", "home", "other"], &[],
            "A label indicating the attribute's function, e.g., 'work' or 'home'."),
        row("emails.primary", "boolean", false, false, None, "readWrite", "default", None, &[], &[], PRIMARY_EMAIL),
        row("phoneNumbers", "complex", true, false, None, "readWrite", "default", None, &[], &[],
            "Phone numbers for the User.  The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'."),
        row("phoneNumbers.value", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "Phone number of the User."),
        row("phoneNumbers.display", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[], DISPLAY_READ_ONLY),
        row("phoneNumbers.type", "string", false, false, Some(false), "readWrite", "default", Some("none"), &["work", "home", "mobile", "fax", "pager", "other"], &[],
            "A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'."),
        row("phoneNumbers.primary", "boolean", false, false, None, "readWrite", "default", None, &[], &[],
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred phone number or primary phone number.  The primary attribute value 'true' MUST appear no more than once."),
        row("ims", "complex", true, false, None, "readWrite", "default", None, &[], &[],
            "Instant messaging addresses for the User."),
        row("ims.value", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "Instant messaging address for the User."),
        row("ims.display", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[], DISPLAY_READ_ONLY),
        row("ims.type", "string", false, false, Some(false), "readWrite", "default", Some("none"), &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"], &[],
            "A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'."),
        row("ims.primary", "boolean", false, false, None, "readWrite", "default", None, &[], &[],
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred messenger or primary messenger.  The primary attribute value 'true' MUST appear no more than once."),
        row("photos", "complex", true, false, None, "readWrite", "default", None, &[], &[],
            "URLs of photos of the User."),
        row("photos.value", "reference", false, false, Some(false), "readWrite", "default", Some("none"), &[], &["external"],
            "URL of a photo of the User."),
        row("photos.display", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[], DISPLAY_READ_ONLY),
        row("photos.type", "string", false, false, Some(false), "readWrite", "default", Some("none"), &["photo", "thumbnail"], &[],
            "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'."),
        row("photos.primary", "boolean", false, false, None, "readWrite", "default", None, &[], &[],
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred photo or thumbnail.  The primary attribute value 'true' MUST appear no more than once."),
        row("addresses", "complex", true, false, None, "readWrite", "default", Some("none"), &[], &[],
            "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'.  This attribute is a complex type with the following sub-attributes."),
        row("addresses.formatted", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The full mailing address, formatted for display or use with a mailing label.  This attribute MAY contain newlines."),
        row("addresses.streetAddress", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.  This attribute MAY contain newlines."),
        row("addresses.locality", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The city or locality component."),
        row("addresses.region", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The state or region component."),
        row("addresses.postalCode", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The zip code or postal code component."),
        row("addresses.country", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The country name component."),
        row("addresses.type", "string", false, false, Some(false), "readWrite", "default", Some("none"), &["work", "home", "other"], &[],
            "A label indicating the attribute's function, e.g., 'work' or 'home'."),
        row("groups", "complex", true, false, None, "readOnly", "default", None, &[], &[],
            "A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated."),
        row("groups.value", "string", false, false, Some(false), "readOnly", "default", Some("none"), &[], &[],
            "The identifier of the User's group."),
        // RFC quirk kept: referenceTypes lists "User" although the prose says Group resources only.
        row("groups.$ref", "reference", false, false, Some(false), "readOnly", "default", Some("none"), &[], &["User", "Group"],
            "The URI of the corresponding 'Group' resource to which the user belongs."),
        row("groups.display", "string", false, false, Some(false), "readOnly", "default", Some("none"), &[], &[], DISPLAY_READ_ONLY),
        row("groups.type", "string", false, false, Some(false), "readOnly", "default", Some("none"), &["direct", "indirect"], &[],
            "A label indicating the attribute's function, e.g., 'direct' or 'indirect'."),
        row("entitlements", "complex", true, false, None, "readWrite", "default", None, &[], &[],
            "A list of entitlements for the User that represent a thing the User has."),
        row("entitlements.value", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The value of an entitlement."),
        row("entitlements.display", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[], DISPLAY_READ_ONLY),
        row("entitlements.type", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[], LABEL_FUNCTION),
        row("entitlements.primary", "boolean", false, false, None, "readWrite", "default", None, &[], &[], PRIMARY_PLAIN),
        row("roles", "complex", true, false, None, "readWrite", "default", None, &[], &[],
            "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'."),
        row("roles.value", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The value of a role."),
        row("roles.display", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[], DISPLAY_READ_ONLY),
        // The RFC prints "canonicalValues" : [] here.
        row("roles.type", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[], LABEL_FUNCTION),
        row("roles.primary", "boolean", false, false, None, "readWrite", "default", None, &[], &[], PRIMARY_PLAIN),
        // The RFC prints "caseExact" : false on this complex attribute.
        row("x509Certificates", "complex", true, false, Some(false), "readWrite", "default", None, &[], &[],
            "A list of certificates issued to the User."),
        row("x509Certificates.value", "binary", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The value of an X.509 certificate."),
        row("x509Certificates.display", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[], DISPLAY_READ_ONLY),
        // The RFC prints "canonicalValues" : [] here.
        row("x509Certificates.type", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[], LABEL_FUNCTION),
        row("x509Certificates.primary", "boolean", false, false, None, "readWrite", "default", None, &[], &[], PRIMARY_PLAIN),
    ],
};

/// RFC 7643 §8.7.1, "urn:ietf:params:scim:schemas:core:2.0:Group".
#[rustfmt::skip]
const GROUP: RfcSchema = RfcSchema {
    id: GROUP_URN,
    name: "Group",
    description: "Group",
    rows: &[
        // RFC quirk kept: the description says REQUIRED, the RFC prints "required" : false.
        row("displayName", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "A human-readable name for the Group. REQUIRED."),
        row("members", "complex", true, false, None, "readWrite", "default", None, &[], &[],
            "A list of members of the Group."),
        row("members.value", "string", false, false, Some(false), "immutable", "default", Some("none"), &[], &[],
            "Identifier of the member of this Group."),
        row("members.$ref", "reference", false, false, Some(false), "immutable", "default", Some("none"), &[], &["User", "Group"],
            "The URI corresponding to a SCIM resource that is a member of this Group."),
        row("members.type", "string", false, false, Some(false), "immutable", "default", Some("none"), &["User", "Group"], &[],
            "A label indicating the type of resource, e.g., 'User' or 'Group'."),
    ],
};

/// RFC 7643 §8.7.1, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".
#[rustfmt::skip]
const ENTERPRISE_USER: RfcSchema = RfcSchema {
    id: ENTERPRISE_USER_URN,
    name: "EnterpriseUser",
    description: "Enterprise User",
    rows: &[
        row("employeeNumber", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
        row("costCenter", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "Identifies the name of a cost center."),
        row("organization", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "Identifies the name of an organization."),
        row("division", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "Identifies the name of a division."),
        row("department", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "Identifies the name of a department."),
        row("manager", "complex", false, false, None, "readWrite", "default", None, &[], &[],
            "The User's manager.  A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User."),
        // RFC quirk kept: the descriptions say REQUIRED, the RFC prints "required" : false.
        row("manager.value", "string", false, false, Some(false), "readWrite", "default", Some("none"), &[], &[],
            "The id of the SCIM resource representing the User's manager.  REQUIRED."),
        row("manager.$ref", "reference", false, false, Some(false), "readWrite", "default", Some("none"), &[], &["User"],
            "The URI of the SCIM resource representing the User's manager.  REQUIRED."),
        row("manager.displayName", "string", false, false, Some(false), "readOnly", "default", Some("none"), &[], &[],
            "The displayName of the User's manager. OPTIONAL and READ-ONLY."),
    ],
};

/// RFC 7643 §8.7.2, "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig".
#[rustfmt::skip]
const SERVICE_PROVIDER_CONFIG: RfcSchema = RfcSchema {
    id: SPC_URN,
    name: "Service Provider Configuration",
    description: "Schema for representing the service provider's configuration",
    rows: &[
        row("documentationUri", "reference", false, false, Some(false), "readOnly", "default", Some("none"), &[], &["external"],
            "An HTTP-addressable URL pointing to the service provider's human-consumable help documentation."),
        row("patch", "complex", false, true, None, "readOnly", "default", None, &[], &[],
            "A complex type that specifies PATCH configuration options."),
        row("patch.supported", "boolean", false, true, None, "readOnly", "default", None, &[], &[], OPERATION_SUPPORTED),
        row("bulk", "complex", false, true, None, "readOnly", "default", None, &[], &[],
            "A complex type that specifies bulk configuration options."),
        row("bulk.supported", "boolean", false, true, None, "readOnly", "default", None, &[], &[], OPERATION_SUPPORTED),
        row("bulk.maxOperations", "integer", false, true, None, "readOnly", "default", Some("none"), &[], &[],
            "An integer value specifying the maximum number of operations."),
        row("bulk.maxPayloadSize", "integer", false, true, None, "readOnly", "default", Some("none"), &[], &[],
            "An integer value specifying the maximum payload size in bytes."),
        row("filter", "complex", false, true, None, "readOnly", "default", None, &[], &[],
            "A complex type that specifies FILTER options."),
        row("filter.supported", "boolean", false, true, None, "readOnly", "default", None, &[], &[], OPERATION_SUPPORTED),
        row("filter.maxResults", "integer", false, true, None, "readOnly", "default", Some("none"), &[], &[],
            "An integer value specifying the maximum number of resources returned in a response."),
        row("changePassword", "complex", false, true, None, "readOnly", "default", None, &[], &[],
            "A complex type that specifies configuration options related to changing a password."),
        row("changePassword.supported", "boolean", false, true, None, "readOnly", "default", None, &[], &[], OPERATION_SUPPORTED),
        row("sort", "complex", false, true, None, "readOnly", "default", None, &[], &[],
            "A complex type that specifies sort result options."),
        row("sort.supported", "boolean", false, true, None, "readOnly", "default", None, &[], &[], OPERATION_SUPPORTED),
        row("authenticationSchemes", "complex", true, true, None, "readOnly", "default", None, &[], &[],
            "A complex type that specifies supported authentication scheme properties."),
        row("authenticationSchemes.name", "string", false, true, Some(false), "readOnly", "default", Some("none"), &[], &[],
            "The common authentication scheme name, e.g., HTTP Basic."),
        row("authenticationSchemes.description", "string", false, true, Some(false), "readOnly", "default", Some("none"), &[], &[],
            "A description of the authentication scheme."),
        row("authenticationSchemes.specUri", "reference", false, false, Some(false), "readOnly", "default", Some("none"), &[], &["external"],
            "An HTTP-addressable URL pointing to the authentication scheme's specification."),
        row("authenticationSchemes.documentationUri", "reference", false, false, Some(false), "readOnly", "default", Some("none"), &[], &["external"],
            "An HTTP-addressable URL pointing to the authentication scheme's usage documentation."),
    ],
};

/// RFC 7643 §8.7.2, "urn:ietf:params:scim:schemas:core:2.0:ResourceType".
#[rustfmt::skip]
const RESOURCE_TYPE: RfcSchema = RfcSchema {
    id: RESOURCE_TYPE_URN,
    name: "ResourceType",
    description: "Specifies the schema that describes a SCIM resource type",
    rows: &[
        row("id", "string", false, false, Some(false), "readOnly", "default", Some("none"), &[], &[],
            "The resource type's server unique id. May be the same as the 'name' attribute."),
        row("name", "string", false, true, Some(false), "readOnly", "default", Some("none"), &[], &[],
            "The resource type name.  When applicable, service providers MUST specify the name, e.g., 'User'."),
        row("description", "string", false, false, Some(false), "readOnly", "default", Some("none"), &[], &[],
            "The resource type's human-readable description.  When applicable, service providers MUST specify the description."),
        row("endpoint", "reference", false, true, Some(false), "readOnly", "default", Some("none"), &[], &["uri"],
            "The resource type's HTTP-addressable endpoint relative to the Base URL, e.g., '/Users'."),
        row("schema", "reference", false, true, Some(true), "readOnly", "default", Some("none"), &[], &["uri"],
            "The resource type's primary/base schema URI."),
        // The RFC prints "multiValued" : false (see DEVIATIONS) and "required" : true (kept,
        // although §6 says OPTIONAL).
        row("schemaExtensions", "complex", false, true, None, "readOnly", "default", None, &[], &[],
            "A list of URIs of the resource type's schema extensions."),
        row("schemaExtensions.schema", "reference", false, true, Some(true), "readOnly", "default", Some("none"), &[], &["uri"],
            "The URI of a schema extension."),
        row("schemaExtensions.required", "boolean", false, true, None, "readOnly", "default", None, &[], &[],
            "A Boolean value that specifies whether or not the schema extension is required for the resource type.  If true, a resource of this type MUST include this schema extension and also include any attributes declared as required in this schema extension. If false, a resource of this type MAY omit this schema extension."),
    ],
};

/// RFC 7643 §8.7.2, "urn:ietf:params:scim:schemas:core:2.0:Schema".
#[rustfmt::skip]
const SCHEMA: RfcSchema = RfcSchema {
    id: SCHEMA_URN,
    name: "Schema",
    description: "Specifies the schema that describes a SCIM schema",
    rows: &[
        row("id", "string", false, true, Some(false), "readOnly", "default", Some("none"), &[], &[],
            "The unique URI of the schema. When applicable, service providers MUST specify the URI."),
        row("name", "string", false, true, Some(false), "readOnly", "default", Some("none"), &[], &[], SCHEMA_NAME),
        // RFC quirk kept: "description" repeats the description of "name".
        row("description", "string", false, false, Some(false), "readOnly", "default", Some("none"), &[], &[], SCHEMA_NAME),
        row("attributes", "complex", true, true, None, "readOnly", "default", None, &[], &[],
            "A complex attribute that includes the attributes of a schema."),
        row("attributes.name", "string", false, true, Some(true), "readOnly", "default", Some("none"), &[], &[],
            "The attribute's name."),
        // RFC quirk kept: "binary" is missing from the canonical values.
        row("attributes.type", "string", false, true, Some(false), "readOnly", "default", Some("none"), TYPES, &[], ATTRIBUTE_TYPE),
        row("attributes.multiValued", "boolean", false, true, None, "readOnly", "default", None, &[], &[],
            "A Boolean value indicating an attribute's plurality."),
        row("attributes.description", "string", false, false, Some(true), "readOnly", "default", Some("none"), &[], &[],
            "A human-readable description of the attribute."),
        row("attributes.required", "boolean", false, false, None, "readOnly", "default", None, &[], &[],
            "A boolean value indicating whether or not the attribute is required."),
        row("attributes.canonicalValues", "string", true, false, Some(true), "readOnly", "default", Some("none"), &[], &[], CANONICAL_VALUES),
        row("attributes.caseExact", "boolean", false, false, None, "readOnly", "default", None, &[], &[], CASE_EXACT),
        row("attributes.mutability", "string", false, false, Some(true), "readOnly", "default", Some("none"), MUTABILITIES, &[],
            "Indicates whether or not an attribute is modifiable."),
        row("attributes.returned", "string", false, false, Some(true), "readOnly", "default", Some("none"), RETURNEDS, &[],
            "Indicates when an attribute is returned in a response (e.g., to a query)."),
        row("attributes.uniqueness", "string", false, false, Some(true), "readOnly", "default", Some("none"), UNIQUENESSES, &[],
            "Indicates how unique a value must be."),
        row("attributes.referenceTypes", "string", true, false, Some(true), "readOnly", "default", Some("none"), &[], &[], REFERENCE_TYPES),
        row("attributes.subAttributes", "complex", true, false, None, "readOnly", "default", None, &[], &[],
            "Used to define the sub-attributes of a complex attribute."),
        row("attributes.subAttributes.name", "string", false, true, Some(true), "readOnly", "default", Some("none"), &[], &[],
            "The attribute's name."),
        row("attributes.subAttributes.type", "string", false, true, Some(false), "readOnly", "default", Some("none"), TYPES, &[], ATTRIBUTE_TYPE),
        row("attributes.subAttributes.multiValued", "boolean", false, true, None, "readOnly", "default", None, &[], &[],
            "A Boolean value indicating an attribute's plurality."),
        row("attributes.subAttributes.description", "string", false, false, Some(true), "readOnly", "default", Some("none"), &[], &[],
            "A human-readable description of the attribute."),
        row("attributes.subAttributes.required", "boolean", false, false, None, "readOnly", "default", None, &[], &[],
            "A boolean value indicating whether or not the attribute is required."),
        row("attributes.subAttributes.canonicalValues", "string", true, false, Some(true), "readOnly", "default", Some("none"), &[], &[], CANONICAL_VALUES),
        row("attributes.subAttributes.caseExact", "boolean", false, false, None, "readOnly", "default", None, &[], &[], CASE_EXACT),
        row("attributes.subAttributes.mutability", "string", false, false, Some(true), "readOnly", "default", Some("none"), MUTABILITIES, &[],
            "Indicates whether or not an attribute is modifiable."),
        row("attributes.subAttributes.returned", "string", false, false, Some(true), "readOnly", "default", Some("none"), RETURNEDS, &[],
            "Indicates when an attribute is returned in a response (e.g., to a query)."),
        row("attributes.subAttributes.uniqueness", "string", false, false, Some(true), "readOnly", "default", Some("none"), UNIQUENESSES, &[],
            "Indicates how unique a value must be."),
        // RFC quirk kept: multiValued false here, true for attributes.referenceTypes.
        row("attributes.subAttributes.referenceTypes", "string", false, false, Some(true), "readOnly", "default", Some("none"), &[], &[], REFERENCE_TYPES),
    ],
};

/// The attributes the shipped schemas add to RFC 7643 §8.7, each with its justification.
#[rustfmt::skip]
const ADDITIONS: &[Addition] = &[
    Addition {
        schema: GROUP_URN,
        row: row("members.display", "string", false, false, Some(false), "readOnly", "default", Some("none"), &[], &[], DISPLAY_READ_ONLY),
        reason: "RFC 7643 §8.4 example and identity providers send members[].display; §2.4 lists display among the default sub-attributes.",
    },
    Addition {
        schema: USER_URN,
        row: row("addresses.primary", "boolean", false, false, None, "readWrite", "default", None, &[], &[], PRIMARY_EMAIL),
        reason: "RFC 7643 §4.1.2 ('the preferred mailing address') and the §8.2 example use addresses[].primary; §8.7.1 omits it.",
    },
    Addition {
        schema: SPC_URN,
        row: row("etag", "complex", false, true, None, "readOnly", "default", None, &[], &[],
            "A complex type that specifies ETag configuration options."),
        reason: "RFC 7643 §5 defines etag (REQUIRED) and the §8.5 example has it; §8.7.2 omits it.",
    },
    Addition {
        schema: SPC_URN,
        row: row("etag.supported", "boolean", false, true, None, "readOnly", "default", None, &[], &[], OPERATION_SUPPORTED),
        reason: "RFC 7643 §5 defines etag.supported (REQUIRED).",
    },
    Addition {
        schema: SPC_URN,
        row: row("authenticationSchemes.type", "string", false, true, Some(false), "readOnly", "default", Some("none"),
            &["oauth", "oauth2", "oauthbearertoken", "httpbasic", "httpdigest"], &[],
            "The authentication scheme.  This specification defines the values 'oauth', 'oauth2', 'oauthbearertoken', 'httpbasic', and 'httpdigest'."),
        reason: "RFC 7643 §5 defines authenticationSchemes.type (REQUIRED) and the §8.5 example has it; §8.7.2 omits it.",
    },
    Addition {
        schema: SPC_URN,
        row: row("authenticationSchemes.primary", "boolean", false, false, None, "readOnly", "default", None, &[], &[],
            "A Boolean value indicating the 'primary' or preferred authentication scheme.  The primary attribute value 'true' MUST appear no more than once."),
        reason: "The RFC 7643 §8.5 example sends authenticationSchemes[].primary (§2.4 default sub-attribute); §5 and §8.7.2 omit it.",
    },
    Addition {
        schema: SPC_URN,
        row: row("pagination", "complex", false, false, None, "readOnly", "default", None, &[], &[],
            "A complex type that indicates pagination configuration options."),
        reason: "RFC 9865 §4 (cursor pagination, updates RFC 7643) adds pagination (OPTIONAL) to ServiceProviderConfig.",
    },
    Addition {
        schema: SPC_URN,
        row: row("pagination.cursor", "boolean", false, true, None, "readOnly", "default", None, &[], &[],
            "A Boolean value specifying support of cursor-based pagination."),
        reason: "RFC 9865 §4: pagination.cursor, REQUIRED within pagination.",
    },
    Addition {
        schema: SPC_URN,
        row: row("pagination.index", "boolean", false, true, None, "readOnly", "default", None, &[], &[],
            "A Boolean value specifying support of index-based pagination."),
        reason: "RFC 9865 §4: pagination.index, REQUIRED within pagination.",
    },
    Addition {
        schema: SPC_URN,
        row: row("pagination.defaultPaginationMethod", "string", false, false, Some(false), "readOnly", "default", Some("none"), &["cursor", "index"], &[],
            "A string value specifying the type of pagination that the service provider defaults to when the client has not specified which method it wishes to use. Possible values are \"cursor\" and \"index\"."),
        reason: "RFC 9865 §4: pagination.defaultPaginationMethod, OPTIONAL.",
    },
    Addition {
        schema: SPC_URN,
        row: row("pagination.defaultPageSize", "integer", false, false, Some(false), "readOnly", "default", Some("none"), &[], &[],
            "Positive integer value specifying the default number of results returned in a page when a count is not specified in the query."),
        reason: "RFC 9865 §4: pagination.defaultPageSize, OPTIONAL.",
    },
    Addition {
        schema: SPC_URN,
        row: row("pagination.maxPageSize", "integer", false, false, Some(false), "readOnly", "default", Some("none"), &[], &[],
            "Positive integer specifying the maximum number of results returned in a page regardless of what is specified for the count in a query. The maximum number of results returned may be further restricted by other criteria."),
        reason: "RFC 9865 §4: pagination.maxPageSize, OPTIONAL.",
    },
    Addition {
        schema: SPC_URN,
        row: row("pagination.cursorTimeout", "integer", false, false, Some(false), "readOnly", "default", Some("none"), &[], &[],
            "Positive integer specifying the minimum number of seconds that a cursor is valid between page requests. Clients waiting too long between cursor pagination requests may receive an invalid cursor error response. No value being specified may mean that there is no cursor timeout or that the cursor timeout is not a static duration."),
        reason: "RFC 9865 §4: pagination.cursorTimeout, OPTIONAL.",
    },
];

/// The characteristics the shipped schemas serve with another value than RFC 7643 §8.7 prints.
const DEVIATIONS: &[Deviation] = &[Deviation {
    schema: RESOURCE_TYPE_URN,
    path: "schemaExtensions",
    characteristic: "multiValued",
    rfc: "false",
    served: "true",
    reason: "RFC 7643 §8.7.2 prints false, but §6 calls it 'a list' and the §8.6 example (Figure 8) sends an array.",
}];

/// The six RFC 7643 §8.7 schemas.
const RFC_SCHEMAS: &[&RfcSchema] = &[
    &USER,
    &GROUP,
    &ENTERPRISE_USER,
    &SERVICE_PROVIDER_CONFIG,
    &RESOURCE_TYPE,
    &SCHEMA,
];

/// The licence extensions the service provider defines (not RFC material).
#[rustfmt::skip]
const LICENSE_GROUP: RfcSchema = RfcSchema {
    id: LICENSE_GROUP_URN,
    name: "LicenseGroup",
    description: "Licence assignment carried by a group",
    rows: &[row("license", "boolean", false, false, None, "readWrite", "default", None, &[], &[],
        "Whether membership of this group grants a licence: every member of a group whose license is true is licensed.  Identity providers may send the value as the string \"true\" or \"false\" instead of a JSON boolean.")],
};

#[rustfmt::skip]
const LICENSE_USER: RfcSchema = RfcSchema {
    id: LICENSE_USER_URN,
    name: "LicenseUser",
    description: "Licence state of a user, derived by the service provider",
    rows: &[row("license", "boolean", false, false, None, "readOnly", "default", None, &[], &[],
        "Whether the user is licensed, computed by the service provider: true exactly when the user belongs to at least one group whose license is true.  READ-ONLY.")],
};

/// What a characteristic must be in the served representation.
enum Expect {
    /// Printed by the RFC (or deliberately changed): the served value must equal it.
    Exactly(Value),
    /// Not printed by the RFC: the served representation may omit it or write this default.
    AbsentOr(Value),
}

/// Asserts one characteristic of one attribute; the failure names schema, attribute and
/// characteristic.
fn check(schema: &str, path: &str, characteristic: &str, served: Option<&Value>, expect: &Expect) {
    match expect {
        Expect::Exactly(want) => assert!(
            served == Some(want),
            "{schema}: attribute `{path}`: characteristic `{characteristic}`: served {served:?}, expected {want}",
        ),
        Expect::AbsentOr(default) => assert!(
            served.is_none() || served == Some(default),
            "{schema}: attribute `{path}`: characteristic `{characteristic}`: served {served:?}, expected it absent or {default} (RFC 7643 §2.2 default)",
        ),
    }
}

fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn strings(values: &[&str]) -> Value {
    Value::Array(values.iter().map(|s| string(s)).collect())
}

fn deviation(schema: &str, path: &str, characteristic: &str) -> Option<&'static Deviation> {
    DEVIATIONS
        .iter()
        .find(|d| d.schema == schema && d.path == path && d.characteristic == characteristic)
}

/// The expected value of every characteristic of `row`, with the deviations applied.
fn expectations(schema: &str, row: &Row) -> Vec<(&'static str, Expect)> {
    let list = |values: &[&str]| {
        if values.is_empty() {
            Expect::AbsentOr(Value::Array(Vec::new()))
        } else {
            Expect::Exactly(strings(values))
        }
    };
    let mut expected = vec![
        ("type", Expect::Exactly(string(row.ty))),
        (
            "multiValued",
            Expect::Exactly(Value::Bool(row.multi_valued)),
        ),
        ("description", Expect::Exactly(string(row.description))),
        ("required", Expect::Exactly(Value::Bool(row.required))),
        (
            "caseExact",
            match row.case_exact {
                Some(case_exact) => Expect::Exactly(Value::Bool(case_exact)),
                None => Expect::AbsentOr(Value::Bool(false)),
            },
        ),
        ("mutability", Expect::Exactly(string(row.mutability))),
        ("returned", Expect::Exactly(string(row.returned))),
        (
            "uniqueness",
            match row.uniqueness {
                Some(uniqueness) => Expect::Exactly(string(uniqueness)),
                None => Expect::AbsentOr(string("none")),
            },
        ),
        ("canonicalValues", list(row.canonical_values)),
        ("referenceTypes", list(row.reference_types)),
    ];
    for (characteristic, expect) in &mut expected {
        if let Some(d) = deviation(schema, row.path, characteristic) {
            *expect = Expect::Exactly(parse(d.served));
        }
    }
    expected
}

fn parse(json: &str) -> Value {
    serde_json::from_str::<Value>(json).expect("deviation values are JSON")
}

/// The served attribute at a dotted path (`parent.sub`), searching `attributes` and then the
/// nested `subAttributes`.
fn find<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let mut list = doc.get("attributes");
    let mut found = None;
    for name in path.split('.') {
        let attribute = list?
            .as_array()?
            .iter()
            .find(|a| a.get("name").and_then(Value::as_str) == Some(name))?;
        found = Some(attribute);
        list = attribute.get("subAttributes");
    }
    found
}

/// Every attribute path of the served representation.
fn served_paths(attributes: Option<&Value>, prefix: &str, out: &mut Vec<String>) {
    let Some(attributes) = attributes.and_then(Value::as_array) else {
        return;
    };
    for attribute in attributes {
        let name = attribute
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("<attribute without a name>");
        let path = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        };
        served_paths(attribute.get("subAttributes"), &path, out);
        out.push(path);
    }
}

fn check_row(label: &str, schema: &str, doc: &Value, row: &Row) {
    let Some(attribute) = find(doc, row.path) else {
        panic!(
            "{label}: attribute `{}` is missing from the served schema",
            row.path
        );
    };
    for (characteristic, expect) in expectations(schema, row) {
        check(
            label,
            row.path,
            characteristic,
            attribute.get(characteristic),
            &expect,
        );
    }
}

/// Walks the served representation of `spec.id` and checks it against the RFC table, the
/// additions and the deviations.
fn check_schema(spec: &RfcSchema) {
    let registry = Registry::standard();
    let schema = registry
        .schema(spec.id)
        .unwrap_or_else(|| panic!("the standard registry serves {}", spec.id));
    let doc: Value = schema.to_representation(None);
    let label = spec.name;

    check(
        label,
        "<schema>",
        "id",
        doc.get("id"),
        &Expect::Exactly(string(spec.id)),
    );
    check(
        label,
        "<schema>",
        "name",
        doc.get("name"),
        &Expect::Exactly(string(spec.name)),
    );
    check(
        label,
        "<schema>",
        "description",
        doc.get("description"),
        &Expect::Exactly(string(spec.description)),
    );
    // RFC 7643 §7: "Schema" resources have a "schemas" attribute with the Schema URN.
    check(
        label,
        "<schema>",
        "schemas",
        doc.get("schemas"),
        &Expect::Exactly(strings(&[SCHEMA_URN])),
    );

    for row in spec.rows {
        check_row(label, spec.id, &doc, row);
    }
    let additions: Vec<&Addition> = ADDITIONS.iter().filter(|a| a.schema == spec.id).collect();
    for addition in &additions {
        assert!(!addition.reason.is_empty());
        check_row(label, spec.id, &doc, &addition.row);
    }

    let mut paths = Vec::new();
    served_paths(doc.get("attributes"), "", &mut paths);
    for path in paths {
        let known = spec.rows.iter().any(|r| r.path == path)
            || additions.iter().any(|a| a.row.path == path);
        assert!(
            known,
            "{label}: the served attribute `{path}` is neither in RFC 7643 §8.7 nor in ADDITIONS"
        );
    }
}

#[test]
fn user_schema_matches_rfc7643_8_7_1() {
    check_schema(&USER);
}

#[test]
fn group_schema_matches_rfc7643_8_7_1() {
    check_schema(&GROUP);
}

#[test]
fn enterprise_user_schema_matches_rfc7643_8_7_1() {
    check_schema(&ENTERPRISE_USER);
}

#[test]
fn service_provider_config_schema_matches_rfc7643_8_7_2() {
    check_schema(&SERVICE_PROVIDER_CONFIG);
}

#[test]
fn resource_type_schema_matches_rfc7643_8_7_2() {
    check_schema(&RESOURCE_TYPE);
}

#[test]
fn schema_schema_matches_rfc7643_8_7_2() {
    check_schema(&SCHEMA);
}

#[test]
fn license_extension_schemas_are_served() {
    check_schema(&LICENSE_GROUP);
    check_schema(&LICENSE_USER);
}

/// Each deviation names an RFC attribute and records the value the RFC table holds for it, so
/// the table itself stays a faithful transcription.
#[test]
fn deviations_depart_from_the_transcribed_rfc_value() {
    for d in DEVIATIONS {
        assert!(!d.reason.is_empty());
        let spec = RFC_SCHEMAS
            .iter()
            .find(|s| s.id == d.schema)
            .unwrap_or_else(|| panic!("deviation for unknown schema {}", d.schema));
        let row = spec
            .rows
            .iter()
            .find(|r| r.path == d.path)
            .unwrap_or_else(|| panic!("deviation for `{}`, which is not an RFC attribute", d.path));
        let table = match d.characteristic {
            "multiValued" => Value::Bool(row.multi_valued),
            "required" => Value::Bool(row.required),
            other => panic!("no table column for deviation characteristic `{other}`"),
        };
        assert_eq!(
            table,
            parse(d.rfc),
            "{}: `{}`: the table must keep the RFC value",
            spec.name,
            d.path
        );
        assert_ne!(
            parse(d.rfc),
            parse(d.served),
            "{}: `{}`: a deviation must change the value",
            spec.name,
            d.path
        );
    }
}

/// The additions do not shadow RFC attributes.
#[test]
fn additions_are_not_rfc_attributes() {
    for addition in ADDITIONS {
        let spec = RFC_SCHEMAS
            .iter()
            .find(|s| s.id == addition.schema)
            .unwrap_or_else(|| panic!("addition for unknown schema {}", addition.schema));
        assert!(
            spec.rows.iter().all(|r| r.path != addition.row.path),
            "{}: `{}` is listed both as RFC attribute and as addition",
            spec.name,
            addition.row.path
        );
    }
}

/// The registry looks schemas up by URN without regard to case.
#[test]
fn schema_lookup_ignores_case() {
    let registry = Registry::standard();
    for spec in RFC_SCHEMAS {
        let upper = spec.id.to_ascii_uppercase();
        let schema = registry
            .schema(&upper)
            .unwrap_or_else(|| panic!("the standard registry serves {upper}"));
        let doc: Value = schema.to_representation(None);
        assert_eq!(doc.get("id").and_then(Value::as_str), Some(spec.id));
    }
}
