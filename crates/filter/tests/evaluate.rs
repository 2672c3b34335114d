//! Binding and evaluation: SCIM's comparison rules, as tables.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use scimhub_filter::{
    BoundFilter, ErrorKind, bind, bind_patch_path, parse_filter, parse_patch_path,
};
use scimhub_schema::message::ScimType;
use scimhub_schema::{AttributeType, Registry, urn};
use serde_json::{Value, json};

fn user() -> Value {
    json!({
        "schemas": [urn::USER, urn::ENTERPRISE_USER],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "Bjensen-701984",
        "userName": "BJensen@Example.com",
        "name": {"givenName": "Barbara", "familyName": "O'Malley"},
        "displayName": "Babs Jensen",
        "title": "",
        "active": true,
        "userType": "Employee",
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "ims": [],
        "x509Certificates": [{"value": "TUlJRA=="}],
        "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z",
                 "lastModified": "2011-05-13T04:42:34+02:00", "version": "W/\"3\""},
        urn::ENTERPRISE_USER: {"employeeNumber": "701984", "manager": {"value": "26118915"}},
        urn::LICENSE_USER: {"license": true}
    })
}

fn bound(filter: &str) -> BoundFilter {
    let registry = Registry::standard();
    let users = registry.resource_type("User").unwrap();
    let parsed = parse_filter(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
    bind(&parsed, users).unwrap_or_else(|e| panic!("{filter}: {e}"))
}

fn check(filter: &str, expected: bool) {
    assert_eq!(bound(filter).matches(&user()), expected, "{filter}");
}

#[test]
fn strings_ignore_case_unless_case_exact() {
    check(r#"userName eq "bjensen@example.com""#, true);
    check(r#"USERNAME EQ "BJENSEN@EXAMPLE.COM""#, true);
    check(r#"userName sw "bj""#, true);
    check(r#"userName ew "EXAMPLE.COM""#, true);
    check(r#"userName co "jensen@""#, true);
    check(r#"userName co "nobody""#, false);
    // id and externalId are caseExact.
    check(r#"externalId eq "bjensen-701984""#, false);
    check(r#"externalId eq "Bjensen-701984""#, true);
    check(r#"id eq "2819C223-7F76-453A-919D-413861904646""#, false);
    check(r#"name.familyName co "o'malley""#, true);
    check(r#"displayName gt "babs""#, true);
    check(r#"displayName lt "Babs""#, false);
    check(r#"displayName le "BABS JENSEN""#, true);
    // Non-ASCII case folding.
    let registry = Registry::standard();
    let users = registry.resource_type("User").unwrap();
    let f = bind(&parse_filter(r#"displayName eq "ÉLODIE""#).unwrap(), users).unwrap();
    assert!(f.matches(&json!({"displayName": "élodie"})));
}

#[test]
fn multi_valued_attributes_match_when_any_value_does() {
    check(r#"emails.value eq "babs@jensen.org""#, true);
    check(r#"emails.type eq "other""#, false);
    // A complex attribute without sub-attribute compares its `value`.
    check(r#"emails co "example.com""#, true);
    check(r#"emails eq "BABS@JENSEN.ORG""#, true);
    check(
        r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
        true,
    );
    check(
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        true,
    );
    check(
        r#"schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group""#,
        false,
    );
}

#[test]
fn value_paths_need_one_element_to_satisfy_the_whole_filter() {
    check(r#"emails[type eq "work" and value co "example.com"]"#, true);
    // Type work and value jensen.org exist, but on different elements.
    check(r#"emails[type eq "work" and value co "jensen.org"]"#, false);
    check(
        r#"emails.type eq "work" and emails.value co "jensen.org""#,
        true,
    );
    check(
        r#"emails[type eq "work"].value eq "BJENSEN@example.com""#,
        true,
    );
    check(
        r#"emails[type eq "home"].value eq "bjensen@example.com""#,
        false,
    );
    check(r#"emails[not (type eq "work")]"#, true);
    check(r#"emails[primary eq true and type eq "home"]"#, false);
    check(r#"ims[type pr]"#, false);
    // A single-valued complex attribute is its only element.
    check(r#"name[givenName eq "barbara"]"#, true);
    check(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "26118915"]"#,
        true,
    );
}

#[test]
fn datetimes_compare_as_instants() {
    // lastModified is 2011-05-13T02:42:34Z written with a +02:00 offset.
    check(r#"meta.lastModified eq "2011-05-13T02:42:34Z""#, true);
    check(r#"meta.lastModified gt "2011-05-13T02:42:33Z""#, true);
    check(r#"meta.lastModified gt "2011-05-13T03:00:00Z""#, false);
    check(r#"meta.lastModified ge "2011-05-13T04:42:34+02:00""#, true);
    check(r#"meta.lastModified lt "2011-05-13T04:42:34Z""#, true);
    check(r#"meta.created le "2010-01-23T04:56:22.000Z""#, true);
}

#[test]
fn booleans_and_extensions() {
    check("active eq true", true);
    check(r#"active eq "True""#, true);
    check("active ne false", true);
    check(
        "urn:ietf:params:scim:schemas:extension:license:2.0:User:license eq true",
        true,
    );
    check("license eq true", true);
    check(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
        true,
    );
    check(r#"employeeNumber sw "70""#, true);
    check(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915""#,
        true,
    );
}

#[test]
fn presence() {
    check("userName pr", true);
    check("title pr", false);
    check("nickName pr", false);
    check("ims pr", false);
    check("emails pr", true);
    check("name pr", true);
    check(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr",
        true,
    );
    check(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr",
        false,
    );
    check("x509Certificates.value pr", true);
}

#[test]
fn where_the_rfc_is_silent() {
    // `ne` negates `eq`: true for an absent attribute.
    check(r#"nickName ne "Babs""#, true);
    check(r#"emails.value ne "babs@jensen.org""#, false);
    // `eq null` tests absence, `ne null` presence.
    check("nickName eq null", true);
    check("title eq null", true);
    check("userName eq null", false);
    check("userName ne null", true);
    // Ordering and substring operators are false on absent attributes.
    check(r#"nickName gt "a""#, false);
    check(r#"nickName co "a""#, false);
    check(r#"not (nickName co "a")"#, true);
}

#[test]
fn binary_values_compare_exactly() {
    check(r#"x509Certificates.value eq "TUlJRA==""#, true);
    check(r#"x509Certificates.value eq "tuljra==""#, false);
}

#[test]
fn wrong_json_types_in_the_resource_match_nothing() {
    let registry = Registry::standard();
    let users = registry.resource_type("User").unwrap();
    let f = bind(&parse_filter(r#"userName eq "7""#).unwrap(), users).unwrap();
    assert!(!f.matches(&json!({"userName": 7})));
    assert!(!f.matches(&json!("userName")));
    assert!(!f.matches(&json!({"userName": {"value": "7"}})));
}

/// Binding errors: unknown attributes and comparisons the type forbids.
#[test]
fn binding_refuses_what_cannot_be_evaluated() {
    let registry = Registry::standard();
    let users = registry.resource_type("User").unwrap();
    for (filter, kind, mention) in [
        (r#"nope eq "x""#, ErrorKind::UnknownAttribute, "nope"),
        (r#"name.nope eq "x""#, ErrorKind::UnknownAttribute, "nope"),
        (
            r#"emails[nope eq "x"]"#,
            ErrorKind::UnknownAttribute,
            "nope",
        ),
        (
            r#"emails[name.givenName eq "x"]"#,
            ErrorKind::UnknownAttribute,
            "sub-attribute",
        ),
        (
            r#"emails[type eq "work"].nope eq "x""#,
            ErrorKind::UnknownAttribute,
            "nope",
        ),
        (
            r#"userName[value eq "x"]"#,
            ErrorKind::IncompatibleComparison,
            "not a complex",
        ),
        (
            "active gt true",
            ErrorKind::IncompatibleComparison,
            "booleans",
        ),
        (
            "active eq 1",
            ErrorKind::IncompatibleComparison,
            "true or false",
        ),
        (
            r#"x509Certificates.value gt "A""#,
            ErrorKind::IncompatibleComparison,
            "binary",
        ),
        (
            r#"x509Certificates.value co "A""#,
            ErrorKind::IncompatibleComparison,
            "binary",
        ),
        (
            "userName eq 12",
            ErrorKind::IncompatibleComparison,
            "quoted string",
        ),
        (
            r#"meta.lastModified gt "yesterday""#,
            ErrorKind::IncompatibleComparison,
            "xsd:dateTime",
        ),
        (
            r#"meta.lastModified co "2011""#,
            ErrorKind::IncompatibleComparison,
            "dateTime",
        ),
        (
            "meta.lastModified gt 5",
            ErrorKind::IncompatibleComparison,
            "xsd:dateTime",
        ),
        (
            r#"name eq "x""#,
            ErrorKind::IncompatibleComparison,
            "complex",
        ),
        (
            "userName gt null",
            ErrorKind::IncompatibleComparison,
            "null",
        ),
        (
            r#"urn:example:nope:attr eq "x""#,
            ErrorKind::UnknownAttribute,
            "urn:example:nope",
        ),
    ] {
        let parsed = parse_filter(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        let err = bind(&parsed, users).expect_err(filter);
        assert_eq!(err.kind(), kind, "{filter}: {err}");
        assert_eq!(err.scim_type(), ScimType::InvalidFilter);
        assert!(err.to_string().contains(mention), "{filter}: {err}");
    }
    // A group's members and licence.
    let groups = registry.resource_type("Group").unwrap();
    let f = bind(
        &parse_filter(r#"members[value eq "u1"] and urn:ietf:params:scim:schemas:extension:license:2.0:Group:license eq "true""#).unwrap(),
        groups,
    )
    .unwrap();
    assert!(
        f.matches(&json!({"members": [{"value": "u1"}], urn::LICENSE_GROUP: {"license": true}}))
    );
    assert!(
        !f.matches(&json!({"members": [{"value": "u2"}], urn::LICENSE_GROUP: {"license": true}}))
    );
}

#[test]
fn patch_paths_bind_to_definitions() {
    let registry = Registry::standard();
    let users = registry.resource_type("User").unwrap();
    let bind_str = |p: &str| bind_patch_path(&parse_patch_path(p).unwrap(), users);
    let p = bind_str(r#"emails[type eq "work"].value"#).unwrap();
    assert_eq!(p.attr.attribute, "emails");
    assert_eq!(p.sub.as_ref().unwrap().sub.as_deref(), Some("value"));
    assert!(p.filter.is_some());
    let p = bind_str("NAME.GIVENNAME").unwrap();
    assert_eq!(p.attr.canonical(), "name.givenName");
    assert_eq!(p.attr.attr_type, AttributeType::String);
    let p = bind_str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager").unwrap();
    assert_eq!(p.attr.extension.as_deref(), Some(urn::ENTERPRISE_USER));
    let err = bind_str(r#"emails[type eq "work"].nope"#).unwrap_err();
    assert_eq!(err.scim_type(), ScimType::InvalidPath);
    let err = bind_str("nope").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownAttribute);
    assert_eq!(err.scim_type(), ScimType::InvalidPath);
}
