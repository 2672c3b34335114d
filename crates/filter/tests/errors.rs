//! Malformed filters and paths are refused with the right kind, offset and
//! a one-line detail; the limits hold against 100,000-deep input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use scimhub_filter::{ErrorKind as K, Parser, parse_filter, parse_patch_path};
use scimhub_schema::message::ScimType;

/// `input` fails with `kind` at byte `offset`, and the detail mentions
/// `mention`.
fn check(input: &str, kind: K, offset: usize, mention: &str) {
    let err = parse_filter(input).expect_err(input);
    assert_eq!(err.kind(), kind, "{input}: {err}");
    assert_eq!(err.offset(), Some(offset), "{input}: {err}");
    assert_eq!(err.scim_type(), ScimType::InvalidFilter);
    let detail = err.to_string();
    assert!(!detail.contains('\n'), "{input}: one line: {detail}");
    assert!(
        detail.contains(mention),
        "{input}: {detail:?} should mention {mention:?}"
    );
    assert!(
        detail.contains(&format!("byte {offset}")),
        "{input}: {detail}"
    );
}

#[test]
fn malformed_filters() {
    check("", K::Syntax, 0, "expected an attribute path");
    check("   ", K::Syntax, 3, "found the end of the input");
    check(r#"userName zz "bjensen""#, K::Syntax, 9, "found 'zz'");
    check("userName eq", K::Syntax, 11, "a value");
    check("userName eq ", K::Syntax, 12, "a value");
    check(
        r#"userName"bjensen""#,
        K::Syntax,
        8,
        "whitespace and then an operator",
    );
    check(r#"userName eq bjensen"#, K::Syntax, 12, "a quoted string");
    check(
        r#"userName eq "bjensen"#,
        K::InvalidString,
        20,
        "not terminated",
    );
    check(r#"userName eq "a\xb""#, K::InvalidString, 14, "escape");
    check(r#"userName eq "\ud800""#, K::InvalidString, 13, "escape");
    check(
        "userName eq \"a\u{1}b\"",
        K::InvalidString,
        14,
        "control characters",
    );
    check("userName eq 01", K::InvalidNumber, 12, "leading zeros");
    check(
        "userName eq 1.",
        K::InvalidNumber,
        14,
        "digits after the decimal point",
    );
    check("userName eq 1e", K::InvalidNumber, 14, "exponent");
    check("userName eq 1e999", K::InvalidNumber, 12, "range");
    check(
        "userName eq 12ab",
        K::InvalidNumber,
        14,
        "end of the number",
    );
    check(r#"(userName eq "x""#, K::Syntax, 16, "')'");
    check(
        r#"userName eq "x")"#,
        K::Syntax,
        15,
        "'and', 'or' or the end",
    );
    check(
        r#"userName eq "x" and"#,
        K::Syntax,
        19,
        "expected an attribute path",
    );
    check(
        r#"userName eq "x" or "#,
        K::Syntax,
        19,
        "expected an attribute path",
    );
    check(r#"userName eq "x" xor a pr"#, K::Syntax, 16, "found 'xor'");
    check(r#"userName eq "x" andy pr"#, K::Syntax, 16, "found 'andy'");
    check(r#"emails[type eq "work""#, K::Syntax, 21, "']'");
    check(
        r#"emails[type eq "work"][value pr]"#,
        K::Syntax,
        22,
        "'and', 'or' or the end",
    );
    check(
        r#"emails[ims[type pr]]"#,
        K::NestedValuePath,
        10,
        "cannot contain another value filter",
    );
    check(
        r#"name.givenName[a pr]"#,
        K::Syntax,
        14,
        "not a sub-attribute",
    );
    check(r#"not userName eq "x""#, K::Syntax, 4, "found 'userName'");
    check(r#"not (a pr"#, K::Syntax, 9, "')'");
    check("()", K::Syntax, 1, "expected an attribute path");
    check(
        r#"1userName eq "x""#,
        K::InvalidAttributeName,
        0,
        "attribute name",
    );
    check(r#"user name eq "x""#, K::Syntax, 5, "found 'name'");
    check(
        r#"name.given.x eq "x""#,
        K::InvalidAttributeName,
        5,
        "sub-attribute name",
    );
    check(
        r#"urn:ietf:params:scim:schemas:core:2.0:User: eq "x""#,
        K::InvalidAttributeName,
        43,
        "attribute name",
    );
    check(r#"foo:bar eq "x""#, K::InvalidAttributeName, 0, "urn:");
    check(
        r#"emails[type eq "work"]. value eq "x""#,
        K::InvalidAttributeName,
        23,
        "sub-attribute name",
    );
    check(
        r#"emails[type eq "work"].value"#,
        K::Syntax,
        28,
        "whitespace and then an operator",
    );
    check(
        r#"emails[type eq "work"].value eq"#,
        K::Syntax,
        31,
        "a value",
    );
    check(
        r#"userName gt"#,
        K::Syntax,
        11,
        "whitespace and then a value",
    );
}

#[test]
fn malformed_patch_paths() {
    for (input, kind, offset) in [
        ("", K::Syntax, 0),
        ("members[", K::Syntax, 8),
        (r#"members[value eq "x"]extra"#, K::Syntax, 21),
        (r#"members[value eq "x"]."#, K::InvalidAttributeName, 22),
        (r#"name.givenName[value pr]"#, K::Syntax, 14),
        ("a b", K::Syntax, 2),
        (r#"members[value eq "x"].display.more"#, K::Syntax, 29),
    ] {
        let err = parse_patch_path(input).expect_err(input);
        assert_eq!(
            (err.kind(), err.offset()),
            (kind, Some(offset)),
            "{input}: {err}"
        );
        assert_eq!(err.scim_type(), ScimType::InvalidPath);
        assert!(err.to_string().starts_with("invalid PATCH path"), "{err}");
    }
}

#[test]
fn errors_draw_a_caret_under_the_failing_byte() {
    let err = parse_filter(r#"title pr and userType xx "Employee""#).unwrap_err();
    assert_eq!(
        err.snippet().unwrap(),
        "title pr and userType xx \"Employee\"\n                      ^"
    );
}

#[test]
fn nest_limit_holds_against_100000_deep_input() {
    let depth = 100_000;
    let parser = Parser::builder().length_limit(usize::MAX).build();
    let inputs = [
        format!("{}a pr{}", "(".repeat(depth), ")".repeat(depth)),
        format!("{}a pr{}", "not (".repeat(depth), ")".repeat(depth)),
        format!("{}a pr{}", "(".repeat(depth), ""),
        format!("{}{}", "x[".repeat(depth), "]".repeat(depth)),
        "((((((((((".repeat(depth / 10),
    ];
    for input in &inputs {
        let err = parser.parse_filter(input).unwrap_err();
        let head: String = input.chars().take(12).collect();
        assert!(
            matches!(err.kind(), K::NestLimitExceeded | K::NestedValuePath),
            "{head}…: {err}"
        );
        assert!(err.to_string().len() < 300);
    }
    // At the limit it parses; one deeper it does not.
    let limit = Parser::default().nest_limit() as usize;
    let at = format!("{}a pr{}", "(".repeat(limit), ")".repeat(limit));
    assert!(parse_filter(&at).is_ok());
    let over = format!("{}a pr{}", "(".repeat(limit + 1), ")".repeat(limit + 1));
    let err = parse_filter(&over).unwrap_err();
    assert_eq!(err.kind(), K::NestLimitExceeded);
    assert_eq!(err.offset(), Some(limit));
    // PATCH paths are bounded the same way.
    let deep_path = format!("members[{}a pr{}]", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(
        parser.parse_patch_path(&deep_path).unwrap_err().kind(),
        K::NestLimitExceeded
    );
}

#[test]
fn long_and_or_chains_cost_no_stack() {
    let parser = Parser::builder().length_limit(usize::MAX).build();
    let chain = vec![r#"userName eq "x""#; 100_000].join(" or ");
    let f = parser.parse_filter(&chain).unwrap();
    assert_eq!(f.depth(), 1);
    let printed = f.to_string();
    assert_eq!(printed, chain);
    drop(f);
    let chain = vec!["a pr"; 100_000].join(" and ");
    assert!(parser.parse_filter(&chain).is_ok());
}

#[test]
fn length_limit_is_configurable() {
    let long = format!(r#"userName eq "{}""#, "x".repeat(10_000));
    let err = parse_filter(&long).unwrap_err();
    assert_eq!(err.kind(), K::TooLong);
    assert!(err.to_string().contains("the limit is 8192"), "{err}");
    let parser = Parser::builder().length_limit(20_000).build();
    assert!(parser.parse_filter(&long).is_ok());
    let tight = Parser::builder().length_limit(10).build();
    assert_eq!(
        tight.parse_filter("userName pr").unwrap_err().kind(),
        K::TooLong
    );
    assert!(tight.parse_filter("title pr").is_ok());
}

#[test]
fn the_maximum_nest_limit_fits_a_small_thread_stack() {
    // Tokio and actix worker threads have 2 MiB stacks; parse (and drop)
    // the deepest input the largest allowed limit admits on a thread with
    // less than that.
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let limit = scimhub_filter::MAX_NEST_LIMIT as usize;
            let parser = Parser::builder().nest_limit(u32::MAX).build();
            assert_eq!(parser.nest_limit() as usize, limit);
            let deepest = format!("{}a pr{}", "not (".repeat(limit), ")".repeat(limit));
            let f = parser.parse_filter(&deepest).unwrap();
            assert_eq!(f.depth(), limit + 1);
            assert_eq!(parser.parse_filter(&f.to_string()).unwrap(), f);
            let path = format!(
                "members[{}a pr{}]",
                "(".repeat(limit - 1),
                ")".repeat(limit - 1)
            );
            assert!(parser.parse_patch_path(&path).is_ok());
        })
        .unwrap();
    handle.join().unwrap();
}
