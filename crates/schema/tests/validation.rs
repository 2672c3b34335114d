//! Validation rules, each with the SCIM `scimType` it produces, as tables.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use scimhub_schema::message::ScimType;
use scimhub_schema::{
    CanonicalValues, Context, ErrorKind, Registry, Settings, UnknownAttributes, urn,
};
use serde_json::{Value, json};

const ENTERPRISE: &str = urn::ENTERPRISE_USER;

fn registry_with(f: impl FnOnce(&mut Settings)) -> Registry {
    let mut settings = Settings::default();
    f(&mut settings);
    Registry::standard_with(settings)
}

/// One row: a document, the context, and either the normalised document or
/// the error kind, its scimType and the attribute path it names.
enum Expect {
    Ok(Value),
    Err(ErrorKind, Option<ScimType>, &'static str),
}

fn check_with(registry: &Registry, rt: &str, doc: Value, context: Context<'_>, expect: Expect) {
    let rt = registry.resource_type(rt).unwrap();
    let got = rt.validate(&doc, context);
    match (got, expect) {
        (Ok(v), Expect::Ok(want)) => assert_eq!(v, want, "input: {doc}"),
        (Err(e), Expect::Err(kind, scim_type, path)) => {
            assert_eq!(e.kind(), kind, "input: {doc}: {e}");
            assert_eq!(e.scim_type(), scim_type, "input: {doc}: {e}");
            let want = (!path.is_empty()).then_some(path);
            assert_eq!(e.path(), want, "input: {doc}: {e}");
            assert!(!e.to_string().is_empty());
        }
        (Ok(v), Expect::Err(kind, ..)) => {
            panic!("input: {doc}: accepted as {v}, expected {kind:?}")
        }
        (Err(e), Expect::Ok(_)) => panic!("input: {doc}: refused: {e} ({:?})", e.kind()),
    }
}

fn check(doc: Value, context: Context<'_>, expect: Expect) {
    check_with(&Registry::standard(), "User", doc, context, expect);
}

fn user(extra: Value) -> Value {
    let mut doc = json!({"schemas": [urn::USER], "userName": "bjensen"});
    for (k, v) in extra.as_object().unwrap() {
        doc[k] = v.clone();
    }
    doc
}

fn err(kind: ErrorKind, scim_type: ScimType, path: &'static str) -> Expect {
    Expect::Err(kind, Some(scim_type), path)
}

#[test]
fn each_rule_has_its_scim_type() {
    use ErrorKind as K;
    use ScimType as S;
    let rows: Vec<(Value, Expect)> = vec![
        // Structure: invalidSyntax.
        (json!([]), err(K::InvalidSyntax, S::InvalidSyntax, "")),
        (
            json!({"schemas": "urn:x", "userName": "a"}),
            err(K::InvalidSyntax, S::InvalidSyntax, "schemas"),
        ),
        (
            json!({"schemas": [7], "userName": "a"}),
            err(K::InvalidSyntax, S::InvalidSyntax, "schemas"),
        ),
        (
            json!({"userName": "a", "USERNAME": "b"}),
            err(K::InvalidSyntax, S::InvalidSyntax, "userName"),
        ),
        // Types: invalidValue.
        (
            user(json!({"userName": 7})),
            err(K::TypeMismatch, S::InvalidValue, "userName"),
        ),
        (
            user(json!({"active": "yes"})),
            err(K::TypeMismatch, S::InvalidValue, "active"),
        ),
        (
            user(json!({"active": 1})),
            err(K::TypeMismatch, S::InvalidValue, "active"),
        ),
        (
            user(json!({"emails": {"value": "a@b.c"}})),
            err(K::TypeMismatch, S::InvalidValue, "emails"),
        ),
        (
            user(json!({"emails": [[{"value": "a@b.c"}]]})),
            err(K::TypeMismatch, S::InvalidValue, "emails"),
        ),
        (
            user(json!({"emails": ["a@b.c"]})),
            err(K::TypeMismatch, S::InvalidValue, "emails"),
        ),
        (
            user(json!({"emails": [{"value": 5}]})),
            err(K::TypeMismatch, S::InvalidValue, "emails.value"),
        ),
        (
            user(json!({"emails": [{"value": "a@b.c", "primary": "maybe"}]})),
            err(K::TypeMismatch, S::InvalidValue, "emails.primary"),
        ),
        (
            user(json!({"displayName": ["Babs"]})),
            err(K::TypeMismatch, S::InvalidValue, "displayName"),
        ),
        (
            user(json!({"name": "Barbara Jensen"})),
            err(K::TypeMismatch, S::InvalidValue, "name"),
        ),
        (
            user(json!({"profileUrl": false})),
            err(K::TypeMismatch, S::InvalidValue, "profileUrl"),
        ),
        (
            user(json!({"x509Certificates": [{"value": "not base64!"}]})),
            err(K::TypeMismatch, S::InvalidValue, "x509Certificates.value"),
        ),
        (
            user(json!({"x509Certificates": [{"value": 12}]})),
            err(K::TypeMismatch, S::InvalidValue, "x509Certificates.value"),
        ),
        (
            user(json!({ENTERPRISE: "Sales"})),
            err(K::TypeMismatch, S::InvalidValue, ENTERPRISE),
        ),
        (
            user(json!({ENTERPRISE: {"manager": {"value": 42}}})),
            err(
                K::TypeMismatch,
                S::InvalidValue,
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            ),
        ),
        // Required: invalidValue.
        (
            json!({"schemas": [urn::USER]}),
            err(K::RequiredMissing, S::InvalidValue, "userName"),
        ),
        (
            user(json!({"userName": null})),
            err(K::RequiredMissing, S::InvalidValue, "userName"),
        ),
        (
            user(json!({"userName": ""})),
            err(K::RequiredMissing, S::InvalidValue, "userName"),
        ),
        // Unacceptable values: invalidValue.
        (
            user(
                json!({"emails": [{"value": "a@b.c", "primary": true}, {"value": "d@e.f", "primary": "True"}]}),
            ),
            err(K::InvalidValue, S::InvalidValue, "emails"),
        ),
    ];
    for (doc, expect) in rows {
        check(doc, Context::Create, expect);
    }
}

#[test]
fn datetime_and_numbers_are_typed() {
    use ErrorKind as K;
    use ScimType as S;
    let badge = r#"{"id": "urn:example:badge", "attributes": [
        {"name": "number", "type": "integer"},
        {"name": "weight", "type": "decimal"},
        {"name": "validUntil", "type": "dateTime"},
        {"name": "photo", "type": "binary"}
    ]}"#;
    let registry = Registry::builder()
        .core()
        .schema_json(badge)
        .unwrap()
        .extend("User", "urn:example:badge", false)
        .build()
        .unwrap();
    let ext = |v: Value| user(json!({"urn:example:badge": v}));
    let ok = |v: Value, want: Value| {
        let mut doc = ext(want);
        doc["schemas"] = json!([urn::USER, "urn:example:badge"]);
        check_with(&registry, "User", ext(v), Context::Create, Expect::Ok(doc));
    };
    ok(json!({"number": 3}), json!({"number": 3}));
    ok(json!({"number": 3.0}), json!({"number": 3}));
    ok(json!({"weight": 3}), json!({"weight": 3}));
    ok(json!({"weight": 2.5}), json!({"weight": 2.5}));
    ok(
        json!({"validUntil": "2027-02-28T10:00:00+01:00"}),
        json!({"validUntil": "2027-02-28T10:00:00+01:00"}),
    );
    ok(json!({"photo": "aGVsbG8="}), json!({"photo": "aGVsbG8="}));
    ok(json!({"photo": "aGVsbG8"}), json!({"photo": "aGVsbG8"}));
    let bad = |v: Value, path: &'static str| {
        check_with(
            &registry,
            "User",
            ext(v),
            Context::Create,
            err(K::TypeMismatch, S::InvalidValue, path),
        );
    };
    bad(json!({"number": 3.5}), "urn:example:badge:number");
    bad(json!({"number": "3"}), "urn:example:badge:number");
    bad(json!({"weight": "2.5"}), "urn:example:badge:weight");
    bad(
        json!({"validUntil": "2027-02-30T10:00:00Z"}),
        "urn:example:badge:validUntil",
    );
    bad(
        json!({"validUntil": "tomorrow"}),
        "urn:example:badge:validUntil",
    );
    bad(
        json!({"validUntil": 1_700_000_000}),
        "urn:example:badge:validUntil",
    );
    bad(json!({"photo": "a$b"}), "urn:example:badge:photo");
}

#[test]
fn identity_provider_booleans_are_coerced() {
    for (sent, stored) in [
        ("True", true),
        ("False", false),
        ("true", true),
        ("FALSE", false),
    ] {
        check(
            user(json!({"active": sent, "emails": [{"value": "a@b.c", "primary": sent}]})),
            Context::Create,
            Expect::Ok(user(
                json!({"active": stored, "emails": [{"value": "a@b.c", "primary": stored}]}),
            )),
        );
    }
    // The licence of a group, as Entra's Switch expression produces it.
    check_with(
        &Registry::standard(),
        "Group",
        json!({"displayName": "Pro", urn::LICENSE_GROUP: {"license": "true"}}),
        Context::Create,
        Expect::Ok(
            json!({"schemas": [urn::GROUP, urn::LICENSE_GROUP], "displayName": "Pro",
                          urn::LICENSE_GROUP: {"license": true}}),
        ),
    );
}

#[test]
fn strict_booleans_refuse_strings() {
    let strict = registry_with(|s| s.strict_booleans = true);
    check_with(
        &strict,
        "User",
        user(json!({"active": "False"})),
        Context::Create,
        err(ErrorKind::TypeMismatch, ScimType::InvalidValue, "active"),
    );
    check_with(
        &strict,
        "User",
        user(json!({"active": false})),
        Context::Create,
        Expect::Ok(user(json!({"active": false}))),
    );
}

#[test]
fn null_and_empty_values_are_unassigned() {
    check(
        user(
            json!({"displayName": null, "emails": [], "roles": [], "groups": [],
                    "name": {"givenName": null}, "phoneNumbers": [null],
                    ENTERPRISE: {}, "addresses": [{}]}),
        ),
        Context::Create,
        Expect::Ok(user(json!({}))),
    );
}

#[test]
fn names_are_normalised_to_the_schema_spelling() {
    check(
        json!({"SCHEMAS": [urn::USER], "username": "b", "NAME": {"GIVENNAME": "B"},
               "urn:ietf:params:scim:schemas:extension:ENTERPRISE:2.0:User": {"EmployeeNumber": "7"}}),
        Context::Create,
        Expect::Ok(
            json!({"schemas": [urn::USER, ENTERPRISE], "userName": "b", "name": {"givenName": "B"},
                          ENTERPRISE: {"employeeNumber": "7"}}),
        ),
    );
}

#[test]
fn read_only_values_are_ignored_on_create_and_replace() {
    let input = user(json!({
        "id": "client-chosen", "meta": {"resourceType": "User", "version": "W/\"1\""},
        "groups": [{"value": "g1"}],
        ENTERPRISE: {"manager": {"value": "m1", "displayName": "Boss"}},
        urn::LICENSE_USER: {"license": true}
    }));
    let want = user(json!({ENTERPRISE: {"manager": {"value": "m1"}}}));
    let mut want_schemas = want.clone();
    want_schemas["schemas"] = json!([urn::USER, ENTERPRISE]);
    check(
        input.clone(),
        Context::Create,
        Expect::Ok(want_schemas.clone()),
    );
    let existing = user(json!({"id": "abc"}));
    check(
        input,
        Context::Replace {
            existing: &existing,
        },
        Expect::Ok(want_schemas),
    );
}

#[test]
fn schemas_are_lenient_by_default_and_strict_on_request() {
    let entra_group = json!({
        "schemas": [urn::GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "displayName": "Pro"
    });
    let want = json!({"schemas": [urn::GROUP], "displayName": "Pro"});
    check_with(
        &Registry::standard(),
        "Group",
        entra_group.clone(),
        Context::Create,
        Expect::Ok(want.clone()),
    );
    check_with(
        &Registry::standard(),
        "Group",
        json!({"displayName": "Pro"}),
        Context::Create,
        Expect::Ok(want),
    );

    let strict = registry_with(|s| s.strict_schemas = true);
    let syntax = || err(ErrorKind::InvalidSyntax, ScimType::InvalidSyntax, "schemas");
    check_with(&strict, "Group", entra_group, Context::Create, syntax());
    check_with(
        &strict,
        "Group",
        json!({"displayName": "Pro"}),
        Context::Create,
        syntax(),
    );
    check_with(
        &strict,
        "Group",
        json!({"schemas": [], "displayName": "Pro"}),
        Context::Create,
        syntax(),
    );
    check_with(
        &strict,
        "User",
        json!({"schemas": [urn::USER], "userName": "a", ENTERPRISE: {"department": "x"}}),
        Context::Create,
        err(
            ErrorKind::InvalidSyntax,
            ScimType::InvalidSyntax,
            ENTERPRISE,
        ),
    );
}

#[test]
fn unknown_attributes_follow_the_registry_policy() {
    let doc = user(
        json!({"favouriteColour": "green", "name": {"givenName": "B", "nickname": "x"},
                          ENTERPRISE: {"shoeSize": 9}, "urn:example:unknown:2.0:User": {"a": 1}}),
    );
    // Ignore (the default): dropped.
    check(
        doc.clone(),
        Context::Create,
        Expect::Ok(user(json!({"name": {"givenName": "B"}}))),
    );
    // Reject: the first unknown attribute is named.
    let strict = registry_with(|s| s.unknown_attributes = UnknownAttributes::Reject);
    check_with(
        &strict,
        "User",
        doc,
        Context::Create,
        err(
            ErrorKind::UnknownAttribute,
            ScimType::InvalidSyntax,
            "favouriteColour",
        ),
    );
    for (doc, path) in [
        (user(json!({"name": {"nickname": "x"}})), "name.nickname"),
        (
            user(json!({ENTERPRISE: {"shoeSize": 9}})),
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:shoeSize",
        ),
        (
            user(json!({"urn:example:unknown:2.0:User": {"a": 1}})),
            "urn:example:unknown:2.0:User",
        ),
    ] {
        check_with(
            &strict,
            "User",
            doc,
            Context::Create,
            err(ErrorKind::UnknownAttribute, ScimType::InvalidSyntax, path),
        );
    }
}

#[test]
fn canonical_values_are_suggestions_unless_enforced() {
    let doc = user(json!({"emails": [{"value": "a@b.c", "type": "vacation"}]}));
    check(doc.clone(), Context::Create, Expect::Ok(doc.clone()));
    let enforced = registry_with(|s| s.canonical_values = CanonicalValues::Enforced);
    check_with(
        &enforced,
        "User",
        doc,
        Context::Create,
        err(
            ErrorKind::InvalidValue,
            ScimType::InvalidValue,
            "emails.type",
        ),
    );
    let work = user(json!({"emails": [{"value": "a@b.c", "type": "WORK"}]}));
    check_with(
        &enforced,
        "User",
        work.clone(),
        Context::Create,
        Expect::Ok(work),
    );
}

#[test]
fn immutable_values_cannot_change_once_set() {
    let existing = json!({"schemas": [urn::GROUP], "id": "g", "displayName": "G",
                          "members": [{"value": "u1"}]});
    // members.value is immutable, but members are added and removed freely.
    let registry = Registry::standard();
    check_with(
        &registry,
        "Group",
        json!({"displayName": "G", "members": [{"value": "u2"}]}),
        Context::Replace {
            existing: &existing,
        },
        Expect::Ok(
            json!({"schemas": [urn::GROUP], "displayName": "G", "members": [{"value": "u2"}]}),
        ),
    );
    // An extension with an immutable attribute.
    let registry = Registry::builder()
        .core()
        .schema_json(
            r#"{"id": "urn:example:hr", "attributes": [
            {"name": "badge", "type": "string", "mutability": "immutable"},
            {"name": "desk", "type": "complex", "subAttributes": [
                {"name": "building", "type": "string", "mutability": "immutable"},
                {"name": "floor", "type": "integer"}]}]}"#,
        )
        .unwrap()
        .extend("User", "urn:example:hr", false)
        .build()
        .unwrap();
    let stored =
        user(json!({"urn:example:hr": {"badge": "B1", "desk": {"building": "North", "floor": 2}}}));
    let with = |v: Value| user(json!({"urn:example:hr": v}));
    let with_schemas = |v: Value| {
        let mut d = with(v);
        d["schemas"] = json!([urn::USER, "urn:example:hr"]);
        d
    };
    let ctx = Context::Replace { existing: &stored };
    // Unchanged (and the same string in another case): fine.
    check_with(
        &registry,
        "User",
        with(json!({"badge": "b1", "desk": {"building": "North", "floor": 3}})),
        ctx,
        Expect::Ok(with_schemas(
            json!({"badge": "b1", "desk": {"building": "North", "floor": 3}}),
        )),
    );
    for (doc, path) in [
        (with(json!({"badge": "B2"})), "urn:example:hr:badge"),
        (
            with(json!({"desk": {"building": "North"}})),
            "urn:example:hr:badge",
        ),
        (
            with(json!({"badge": "B1", "desk": {"building": "South"}})),
            "urn:example:hr:desk.building",
        ),
        (user(json!({})), "urn:example:hr:badge"),
    ] {
        check_with(
            &registry,
            "User",
            doc.clone(),
            ctx,
            err(ErrorKind::ImmutableModified, ScimType::Mutability, path),
        );
        check_with(
            &registry,
            "User",
            doc,
            Context::PatchResult { existing: &stored },
            err(ErrorKind::ImmutableModified, ScimType::Mutability, path),
        );
    }
    // Not set before: may be set now.
    let empty = user(json!({}));
    check_with(
        &registry,
        "User",
        with(json!({"badge": "B9"})),
        Context::Replace { existing: &empty },
        Expect::Ok(with_schemas(json!({"badge": "B9"}))),
    );
}

#[test]
fn a_patch_that_changes_a_read_only_value_is_refused() {
    let existing = user(json!({"id": "abc", "meta": {"resourceType": "User"},
                               ENTERPRISE: {"manager": {"value": "m", "displayName": "Boss"}}}));
    // Unchanged read-only values pass (a patched document carries them).
    let mut same = existing.clone();
    same["displayName"] = json!("Babs");
    let mut want = user(json!({"displayName": "Babs", ENTERPRISE: {"manager": {"value": "m"}}}));
    want["schemas"] = json!([urn::USER, ENTERPRISE]);
    check(
        same,
        Context::PatchResult {
            existing: &existing,
        },
        Expect::Ok(want),
    );
    for (field, value, path) in [
        ("id", json!("other"), "id"),
        ("groups", json!([{"value": "g"}]), "groups"),
        (
            ENTERPRISE,
            json!({"manager": {"value": "m", "displayName": "Someone"}}),
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName",
        ),
        (
            urn::LICENSE_USER,
            json!({"license": true}),
            "urn:ietf:params:scim:schemas:extension:license:2.0:User:license",
        ),
    ] {
        let mut changed = existing.clone();
        changed[field] = value;
        check(
            changed,
            Context::PatchResult {
                existing: &existing,
            },
            err(ErrorKind::ReadOnlyModified, ScimType::Mutability, path),
        );
    }
}

#[test]
fn responses_never_carry_write_only_or_never_returned_values() {
    let stored = user(json!({"password": "t1meMa$heen", "id": "abc", "displayName": "B"}));
    check(
        stored,
        Context::Response,
        Expect::Ok(user(json!({"id": "abc", "displayName": "B"}))),
    );
}

#[test]
fn required_extensions_must_be_present() {
    let registry = Registry::builder()
        .core()
        .extend("User", ENTERPRISE, false)
        .build();
    // The core already attaches the enterprise extension; attaching it twice is refused.
    assert!(registry.is_err());

    let registry = Registry::builder()
        .core()
        .schema_json(r#"{"id": "urn:example:hr", "attributes": [{"name": "badge", "type": "string", "required": true}]}"#)
        .unwrap()
        .extend("User", "urn:example:hr", true)
        .build()
        .unwrap();
    check_with(
        &registry,
        "User",
        user(json!({})),
        Context::Create,
        err(
            ErrorKind::RequiredMissing,
            ScimType::InvalidValue,
            "urn:example:hr",
        ),
    );
    check_with(
        &registry,
        "User",
        user(json!({"urn:example:hr": {"badge": ""}})),
        Context::Create,
        err(
            ErrorKind::RequiredMissing,
            ScimType::InvalidValue,
            "urn:example:hr:badge",
        ),
    );
}

#[test]
fn a_custom_extension_loaded_from_json_validates_and_rejects() {
    let dir = std::env::temp_dir().join(format!("scimhub-schema-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("contractor.json");
    std::fs::write(
        &file,
        r#"{
          "id": "urn:example:params:scim:schemas:extension:contractor:2.0:User",
          "name": "Contractor",
          "description": "Contract details",
          "attributes": [
            {"name": "agency", "type": "string", "required": true, "caseExact": false},
            {"name": "endDate", "type": "dateTime"},
            {"name": "rate", "type": "decimal", "returned": "request"},
            {"name": "sponsor", "type": "complex", "subAttributes": [
               {"name": "value", "type": "string", "required": true},
               {"name": "$ref", "type": "reference", "referenceTypes": ["User"]}
            ]},
            {"name": "skills", "type": "string", "multiValued": true,
             "canonicalValues": ["rust", "sql"]}
          ]
        }"#,
    )
    .unwrap();
    const C: &str = "urn:example:params:scim:schemas:extension:contractor:2.0:User";
    let registry = Registry::builder()
        .core()
        .schema_file(&file)
        .unwrap()
        .extend("User", C, false)
        .unknown_attributes(UnknownAttributes::Reject)
        .build()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    let good = user(
        json!({C: {"agency": "Acme", "endDate": "2027-06-30T00:00:00Z", "rate": 95.5,
                               "sponsor": {"value": "u1", "$ref": "../Users/u1"}, "skills": ["rust", "go"]}}),
    );
    let mut want = good.clone();
    want["schemas"] = json!([urn::USER, C]);
    check_with(&registry, "User", good, Context::Create, Expect::Ok(want));

    use ErrorKind as K;
    use ScimType as S;
    for (ext, expect) in [
        (
            json!({"endDate": "2027-06-30T00:00:00Z"}),
            err(
                K::RequiredMissing,
                S::InvalidValue,
                "urn:example:params:scim:schemas:extension:contractor:2.0:User:agency",
            ),
        ),
        (
            json!({"agency": "A", "endDate": "30/06/2027"}),
            err(
                K::TypeMismatch,
                S::InvalidValue,
                "urn:example:params:scim:schemas:extension:contractor:2.0:User:endDate",
            ),
        ),
        (
            json!({"agency": "A", "rate": "95"}),
            err(
                K::TypeMismatch,
                S::InvalidValue,
                "urn:example:params:scim:schemas:extension:contractor:2.0:User:rate",
            ),
        ),
        (
            json!({"agency": "A", "sponsor": {"$ref": "x"}}),
            err(
                K::RequiredMissing,
                S::InvalidValue,
                "urn:example:params:scim:schemas:extension:contractor:2.0:User:sponsor.value",
            ),
        ),
        (
            json!({"agency": "A", "skills": "rust"}),
            err(
                K::TypeMismatch,
                S::InvalidValue,
                "urn:example:params:scim:schemas:extension:contractor:2.0:User:skills",
            ),
        ),
        (
            json!({"agency": "A", "badge": 1}),
            err(
                K::UnknownAttribute,
                S::InvalidSyntax,
                "urn:example:params:scim:schemas:extension:contractor:2.0:User:badge",
            ),
        ),
    ] {
        check_with(
            &registry,
            "User",
            user(json!({C: ext})),
            Context::Create,
            expect,
        );
    }
    // The extension's schema is served with every characteristic.
    let served = registry.schema(C).unwrap().to_representation(None);
    assert_eq!(served["attributes"][2]["returned"], "request");
    assert_eq!(
        served["attributes"][3]["subAttributes"][1]["referenceTypes"],
        json!(["User"])
    );
    assert_eq!(
        served["attributes"][4]["canonicalValues"],
        json!(["rust", "sql"])
    );
}

#[test]
fn malformed_schema_documents_are_refused_with_a_reason() {
    for bad in [
        r#"{"id": "urn:x", "attributes": [{"name": "a", "type": "text"}]}"#,
        r#"{"id": "urn:x", "attributes": [{"name": "a", "mutability": "sometimes"}]}"#,
        r#"{"id": "urn:x", "attributes": [{"name": "a b"}]}"#,
        r#"{"id": "urn:x", "attributes": [{"name": "c", "type": "complex"}]}"#,
        r#"{"id": "urn:x", "attributes": [{"name": "a", "multiValued": "yes"}]}"#,
        r#"{"name": "no id", "attributes": []}"#,
    ] {
        let e = Registry::builder().schema_json(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidSchema, "{bad}");
        assert_eq!(e.scim_type(), None);
    }
}
