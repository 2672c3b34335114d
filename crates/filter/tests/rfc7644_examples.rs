//! Every filter and PATCH path that RFC 7644 prints (§3.4.2.2, §3.4.3,
//! §3.5.2 and its subsections) parses to the AST we expect and prints back.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use scimhub_filter::{
    AttrPath, CompValue, CompareOp as Op, Filter, Name, PatchPath, Test, ValuePath,
    parse_attr_path, parse_filter, parse_patch_path,
};

fn path(s: &str) -> AttrPath {
    match s.rsplit_once(':') {
        Some((urn, rest)) => {
            let mut p = path(rest);
            p.urn = Some(urn.into());
            p
        }
        None => match s.split_once('.') {
            Some((n, sub)) => AttrPath::new(n).with_sub(sub),
            None => AttrPath::new(s),
        },
    }
}

fn cmp(p: &str, op: Op, v: CompValue) -> Filter {
    Filter::compare(path(p), op, v)
}

fn s(v: &str) -> CompValue {
    CompValue::str(v)
}

fn pr(p: &str) -> Filter {
    Filter::present(path(p))
}

fn vp(attr: &str, filter: Filter) -> Filter {
    Filter::ValuePath(Box::new(ValuePath {
        attr: path(attr),
        filter,
        then: None,
    }))
}

fn group(f: Filter) -> Filter {
    Filter::Group(Box::new(f))
}

/// Parses `input`, compares with `expected`, prints, and checks the
/// printed form (`canonical`, or the input itself) parses back equal.
fn check(input: &str, expected: Filter, canonical: Option<&str>) {
    let parsed = parse_filter(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(parsed, expected, "{input}");
    let printed = parsed.to_string();
    assert_eq!(printed, canonical.unwrap_or(input), "{input}");
    assert_eq!(parse_filter(&printed).unwrap(), parsed, "{input}");
}

#[test]
fn section_3_4_2_2_filters() {
    check(
        r#"userName eq "bjensen""#,
        cmp("userName", Op::Eq, s("bjensen")),
        None,
    );
    check(
        r#"name.familyName co "O'Malley""#,
        cmp("name.familyName", Op::Co, s("O'Malley")),
        None,
    );
    check(r#"userName sw "J""#, cmp("userName", Op::Sw, s("J")), None);
    check(
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
        cmp(
            "urn:ietf:params:scim:schemas:core:2.0:User:userName",
            Op::Sw,
            s("J"),
        ),
        None,
    );
    check("title pr", pr("title"), None);
    for (op, text) in [
        (Op::Gt, "gt"),
        (Op::Ge, "ge"),
        (Op::Lt, "lt"),
        (Op::Le, "le"),
    ] {
        let input = format!(r#"meta.lastModified {text} "2011-05-13T04:42:34Z""#);
        check(
            &input,
            cmp("meta.lastModified", op, s("2011-05-13T04:42:34Z")),
            None,
        );
    }
    check(
        r#"title pr and userType eq "Employee""#,
        Filter::And(vec![pr("title"), cmp("userType", Op::Eq, s("Employee"))]),
        None,
    );
    check(
        r#"title pr or userType eq "Intern""#,
        Filter::Or(vec![pr("title"), cmp("userType", Op::Eq, s("Intern"))]),
        None,
    );
    check(
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        cmp(
            "schemas",
            Op::Eq,
            s("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
        ),
        None,
    );
    check(
        r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
        Filter::And(vec![
            cmp("userType", Op::Eq, s("Employee")),
            group(Filter::Or(vec![
                cmp("emails", Op::Co, s("example.com")),
                cmp("emails.value", Op::Co, s("example.org")),
            ])),
        ]),
        None,
    );
    check(
        r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
        Filter::And(vec![
            cmp("userType", Op::Ne, s("Employee")),
            Filter::Not(Box::new(Filter::Or(vec![
                cmp("emails", Op::Co, s("example.com")),
                cmp("emails.value", Op::Co, s("example.org")),
            ]))),
        ]),
        None,
    );
    check(
        r#"userType eq "Employee" and (emails.type eq "work")"#,
        Filter::And(vec![
            cmp("userType", Op::Eq, s("Employee")),
            group(cmp("emails.type", Op::Eq, s("work"))),
        ]),
        None,
    );
    check(
        r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
        Filter::And(vec![
            cmp("userType", Op::Eq, s("Employee")),
            vp(
                "emails",
                Filter::And(vec![
                    cmp("type", Op::Eq, s("work")),
                    cmp("value", Op::Co, s("@example.com")),
                ]),
            ),
        ]),
        None,
    );
    check(
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
        Filter::Or(vec![
            vp(
                "emails",
                Filter::And(vec![
                    cmp("type", Op::Eq, s("work")),
                    cmp("value", Op::Co, s("@example.com")),
                ]),
            ),
            vp(
                "ims",
                Filter::And(vec![
                    cmp("type", Op::Eq, s("xmpp")),
                    cmp("value", Op::Co, s("@foo.com")),
                ]),
            ),
        ]),
        None,
    );
}

#[test]
fn section_3_4_2_operators_and_names_ignore_case() {
    // "filter=userName Eq "john"" and "filter=Username eq "john"" (§3.4.2.2).
    check(
        r#"userName Eq "john""#,
        cmp("userName", Op::Eq, s("john")),
        Some(r#"userName eq "john""#),
    );
    check(
        r#"Username eq "john""#,
        cmp("Username", Op::Eq, s("john")),
        None,
    );
    check(
        r#"title PR AND userType EQ "Employee" OR NOT (active Eq TRUE)"#,
        Filter::Or(vec![
            Filter::And(vec![pr("title"), cmp("userType", Op::Eq, s("Employee"))]),
            Filter::Not(Box::new(cmp("active", Op::Eq, CompValue::Bool(true)))),
        ]),
        Some(r#"title pr and userType eq "Employee" or not (active eq true)"#),
    );
}

#[test]
fn section_3_4_3_search_request_filter() {
    check(
        r#"displayName sw "smith""#,
        cmp("displayName", Op::Sw, s("smith")),
        None,
    );
}

#[test]
fn identity_provider_filters() {
    // Entra ID: the connection test and its lookups.
    check(
        r#"userName eq "8d9b2c1e-9d7f-4a5e-b7e6-1c6a7b0f2a11""#,
        cmp(
            "userName",
            Op::Eq,
            s("8d9b2c1e-9d7f-4a5e-b7e6-1c6a7b0f2a11"),
        ),
        None,
    );
    check(
        r#"externalId eq "7f3c""#,
        cmp("externalId", Op::Eq, s("7f3c")),
        None,
    );
    check(
        r#"displayName eq "Pro""#,
        cmp("displayName", Op::Eq, s("Pro")),
        None,
    );
    check(
        r#"id eq "0a1b" and members[value eq "9c8d"]"#,
        Filter::And(vec![
            cmp("id", Op::Eq, s("0a1b")),
            vp("members", cmp("value", Op::Eq, s("9c8d"))),
        ]),
        None,
    );
    // The form the RFC's ABNF does not allow but providers send.
    check(
        r#"emails[type eq "work"].value eq "a@b.c""#,
        Filter::ValuePath(Box::new(ValuePath {
            attr: path("emails"),
            filter: cmp("type", Op::Eq, s("work")),
            then: Some((Name::new("value"), Test::Compare(Op::Eq, s("a@b.c")))),
        })),
        None,
    );
    check(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915""#,
        cmp(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            Op::Eq,
            s("26118915"),
        ),
        None,
    );
    check(
        "urn:ietf:params:scim:schemas:extension:license:2.0:User:license eq true",
        cmp(
            "urn:ietf:params:scim:schemas:extension:license:2.0:User:license",
            Op::Eq,
            CompValue::Bool(true),
        ),
        None,
    );
    // URNs with hyphens, dots and digits in every segment.
    check(
        r#"urn:example-corp:params.v1:scim:2.0.1:User-X:badge-no_2 eq 7"#,
        cmp(
            "urn:example-corp:params.v1:scim:2.0.1:User-X:badge-no_2",
            Op::Eq,
            CompValue::Int(7),
        ),
        None,
    );
}

#[test]
fn values_every_json_form() {
    check("a eq true", cmp("a", Op::Eq, CompValue::Bool(true)), None);
    check("a eq false", cmp("a", Op::Eq, CompValue::Bool(false)), None);
    check("a eq null", cmp("a", Op::Eq, CompValue::Null), None);
    check("a eq -12", cmp("a", Op::Eq, CompValue::Int(-12)), None);
    check("a eq 0", cmp("a", Op::Eq, CompValue::Int(0)), None);
    check("a eq 1.5", cmp("a", Op::Eq, CompValue::Float(1.5)), None);
    check("a eq 2.0", cmp("a", Op::Eq, CompValue::Float(2.0)), None);
    check(
        "a eq 1e3",
        cmp("a", Op::Eq, CompValue::Float(1000.0)),
        Some("a eq 1000.0"),
    );
    check(
        "a eq -2.5E-3",
        cmp("a", Op::Eq, CompValue::Float(-0.0025)),
        Some("a eq -0.0025"),
    );
    check(
        "a eq 99999999999999999999",
        cmp("a", Op::Eq, CompValue::Float(1e20)),
        Some("a eq 100000000000000000000.0"),
    );
    check(
        r#"a eq "q\"b\\s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 é""#,
        cmp("a", Op::Eq, s("q\"b\\s/ \u{8}\u{c}\n\r\t é 😀 é")),
        Some(r#"a eq "q\"b\\s/ \b\f\n\r\t é 😀 é""#),
    );
    check(r#"a eq """#, cmp("a", Op::Eq, s("")), None);
}

#[test]
fn whitespace_where_the_rfc_allows_it() {
    let expected = Filter::And(vec![
        group(cmp("a", Op::Eq, s("x"))),
        Filter::Not(Box::new(pr("b"))),
        vp("emails", cmp("type", Op::Eq, s("work"))),
    ]);
    for input in [
        r#"(a eq "x") and not (b pr) and emails[type eq "work"]"#,
        "  ( a   eq\t\"x\" )   and   not(b pr)\nand emails[ type eq \"work\" ]  ",
        r#"(a eq "x")and not(b pr)and emails[type eq "work"]"#,
    ] {
        check(
            input,
            expected.clone(),
            Some(r#"(a eq "x") and not (b pr) and emails[type eq "work"]"#),
        );
    }
}

fn check_path(input: &str, expected: PatchPath) {
    let parsed = parse_patch_path(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(parsed, expected, "{input}");
    assert_eq!(parsed.to_string(), input);
}

fn pp(attr: &str, filter: Option<Filter>, sub: Option<&str>) -> PatchPath {
    PatchPath {
        attr: path(attr),
        filter,
        sub: sub.map(Name::new),
    }
}

#[test]
fn section_3_5_2_patch_paths() {
    // §3.5.2 PATH examples.
    check_path("members", pp("members", None, None));
    check_path("name.familyName", pp("name.familyName", None, None));
    check_path(
        r#"addresses[type eq "work"]"#,
        pp("addresses", Some(cmp("type", Op::Eq, s("work"))), None),
    );
    check_path(
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
        pp(
            "members",
            Some(cmp(
                "value",
                Op::Eq,
                s("2819c223-7f76-453a-919d-413861904646"),
            )),
            None,
        ),
    );
    check_path(
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName"#,
        pp(
            "members",
            Some(cmp(
                "value",
                Op::Eq,
                s("2819c223-7f76-453a-919d-413861904646"),
            )),
            Some("displayName"),
        ),
    );
    // §3.5.2.2 remove.
    check_path(
        r#"emails[type eq "work" and value ew "example.com"]"#,
        pp(
            "emails",
            Some(Filter::And(vec![
                cmp("type", Op::Eq, s("work")),
                cmp("value", Op::Ew, s("example.com")),
            ])),
            None,
        ),
    );
    // §3.5.2.2 "Example request to remove and add a member" prints no
    // space between `eq` and the value, against the ABNF; accepted, and
    // printed with the space.
    let printed = r#"members[value eq"2819c223-7f76-453a-919d-413861904646"]"#;
    let parsed = parse_patch_path(printed).unwrap();
    assert_eq!(
        parsed,
        pp(
            "members",
            Some(cmp(
                "value",
                Op::Eq,
                s("2819c223-7f76-453a-919d-413861904646"),
            )),
            None,
        )
    );
    assert_eq!(
        parsed.to_string(),
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#
    );
    assert_eq!(
        parse_filter(r#"userName eq"bjensen""#).unwrap(),
        cmp("userName", Op::Eq, s("bjensen"))
    );
    // Elsewhere the space stays required: `eqtrue` is no operator.
    assert!(parse_filter("active eqtrue").is_err());
    assert!(parse_filter("active eq1").is_err());
    // §3.5.2.3 replace.
    check_path(
        r#"addresses[type eq "work"].streetAddress"#,
        pp(
            "addresses",
            Some(cmp("type", Op::Eq, s("work"))),
            Some("streetAddress"),
        ),
    );
    // Extension attributes, as Entra ID sends them.
    check_path(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        pp(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            None,
            None,
        ),
    );
    check_path(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        pp(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            None,
            None,
        ),
    );
    check_path(
        r#"emails[type eq "work"].value"#,
        pp(
            "emails",
            Some(cmp("type", Op::Eq, s("work"))),
            Some("value"),
        ),
    );
    check_path(
        r#"phoneNumbers[type eq "mobile"].value"#,
        pp(
            "phoneNumbers",
            Some(cmp("type", Op::Eq, s("mobile"))),
            Some("value"),
        ),
    );
}

#[test]
fn attribute_paths() {
    assert_eq!(
        parse_attr_path("name.givenName").unwrap(),
        path("name.givenName")
    );
    assert_eq!(
        parse_attr_path("urn:ietf:params:scim:schemas:core:2.0:User:meta.lastModified").unwrap(),
        path("urn:ietf:params:scim:schemas:core:2.0:User:meta.lastModified")
    );
    assert!(parse_attr_path(r#"emails[type eq "work"]"#).is_err());
    assert!(parse_attr_path("a b").is_err());
}
