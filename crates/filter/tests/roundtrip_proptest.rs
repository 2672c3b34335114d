//! Property tests: printing any AST and parsing the text gives the AST
//! back; parsing never panics, and whatever parses prints to text that
//! parses to the same AST.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use scimhub_filter::{
    AttrExp, AttrPath, CompValue, CompareOp, Filter, Name, PatchPath, Test, ValuePath,
    parse_filter, parse_patch_path,
};

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
        1 => Just("$ref".to_owned()),
        1 => prop::sample::select(vec!["not", "and", "or", "pr", "eq", "true", "null"]).prop_map(str::to_owned),
    ]
}

fn urn() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["urn", "URN", "Urn"]),
        prop::collection::vec("[a-zA-Z0-9][a-zA-Z0-9.-]{0,6}", 1..6),
    )
        .prop_map(|(u, segs)| format!("{u}:{}", segs.join(":")))
}

fn attr_path(with_sub: bool) -> impl Strategy<Value = AttrPath> {
    let sub = if with_sub {
        prop::option::of(name()).boxed()
    } else {
        Just(None).boxed()
    };
    (prop::option::of(urn()), name(), sub).prop_map(|(urn, name, sub)| AttrPath {
        urn: urn.map(Into::into),
        name: Name::new(&name),
        sub: sub.map(|s| Name::new(&s)),
    })
}

fn comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        Just(CompValue::Null),
        any::<bool>().prop_map(CompValue::Bool),
        any::<i64>().prop_map(CompValue::Int),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(CompValue::Float),
        any::<String>().prop_map(|s| CompValue::str(&s)),
        "[\"\\\\/a-zé😀\\n\\t\\u{0}-\\u{1f}]{0,8}".prop_map(|s| CompValue::str(&s)),
    ]
}

fn test_() -> impl Strategy<Value = Test> {
    prop_oneof![
        1 => Just(Test::Present),
        4 => (prop::sample::select(CompareOp::ALL.to_vec()), comp_value())
            .prop_map(|(op, v)| Test::Compare(op, v)),
    ]
}

fn attr_exp() -> impl Strategy<Value = Filter> {
    (attr_path(true), test_())
        .prop_map(|(path, test)| Filter::Attr(Box::new(AttrExp { path, test })))
}

/// Restores the shape invariants (see `scimhub_filter::ast`) on a freely
/// generated tree by wrapping operands that would bind differently.
fn canonical(f: Filter) -> Filter {
    match f {
        Filter::And(v) => Filter::And(
            v.into_iter()
                .map(canonical)
                .map(|o| match o {
                    Filter::And(_) | Filter::Or(_) => Filter::Group(Box::new(o)),
                    o => o,
                })
                .collect(),
        ),
        Filter::Or(v) => Filter::Or(
            v.into_iter()
                .map(canonical)
                .map(|o| match o {
                    Filter::Or(_) => Filter::Group(Box::new(o)),
                    o => o,
                })
                .collect(),
        ),
        Filter::Not(f) => Filter::Not(Box::new(canonical(*f))),
        Filter::Group(f) => Filter::Group(Box::new(canonical(*f))),
        Filter::ValuePath(mut v) => {
            v.filter = canonical(v.filter);
            Filter::ValuePath(v)
        }
        leaf => leaf,
    }
}

/// Filters without value paths (what may appear inside brackets).
fn val_filter() -> impl Strategy<Value = Filter> {
    attr_exp().prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|f| Filter::Not(Box::new(f))),
            inner.clone().prop_map(|f| Filter::Group(Box::new(f))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::And),
            prop::collection::vec(inner, 2..4).prop_map(Filter::Or),
        ]
    })
}

fn value_path() -> impl Strategy<Value = Filter> {
    (
        attr_path(false),
        val_filter(),
        prop::option::of((name(), test_())),
    )
        .prop_map(|(attr, filter, then)| {
            Filter::ValuePath(Box::new(ValuePath {
                attr,
                filter,
                then: then.map(|(n, t)| (Name::new(&n), t)),
            }))
        })
}

fn filter() -> impl Strategy<Value = Filter> {
    prop_oneof![3 => attr_exp(), 1 => value_path()]
        .prop_recursive(5, 32, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|f| Filter::Not(Box::new(f))),
                inner.clone().prop_map(|f| Filter::Group(Box::new(f))),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::And),
                prop::collection::vec(inner, 2..4).prop_map(Filter::Or),
            ]
        })
        .prop_map(canonical)
}

fn patch_path() -> impl Strategy<Value = PatchPath> {
    prop_oneof![
        attr_path(true).prop_map(|attr| PatchPath {
            attr,
            filter: None,
            sub: None
        }),
        (attr_path(false), val_filter(), prop::option::of(name())).prop_map(|(attr, f, sub)| {
            PatchPath {
                attr,
                filter: Some(canonical(f)),
                sub: sub.map(|s| Name::new(&s)),
            }
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn printed_filters_parse_back_equal(f in filter()) {
        let text = f.to_string();
        let parsed = parse_filter(&text);
        prop_assert!(parsed.is_ok(), "{text}: {:?}", parsed.err().map(|e| e.to_string()));
        prop_assert_eq!(parsed.unwrap(), f, "{}", text);
    }

    #[test]
    fn printed_patch_paths_parse_back_equal(p in patch_path()) {
        let text = p.to_string();
        let parsed = parse_patch_path(&text);
        prop_assert!(parsed.is_ok(), "{text}: {:?}", parsed.err().map(|e| e.to_string()));
        prop_assert_eq!(parsed.unwrap(), p, "{}", text);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(s in any::<String>()) {
        if let Ok(f) = parse_filter(&s) {
            prop_assert_eq!(parse_filter(&f.to_string()).unwrap(), f);
        }
        if let Ok(p) = parse_patch_path(&s) {
            prop_assert_eq!(parse_patch_path(&p.to_string()).unwrap(), p);
        }
    }

    #[test]
    fn parsing_filter_like_text_never_panics(
        s in "[a-z .:\\[\\]()\"\\\\0-9-]{0,40}|(not |and |or |eq |pr |\\(|\\)|\\[|\\]|\"[a-z]*\"|[a-z]+|urn:[a-z.:]+| )*"
    ) {
        if let Ok(f) = parse_filter(&s) {
            prop_assert_eq!(parse_filter(&f.to_string()).unwrap(), f);
        }
        let _ = parse_patch_path(&s);
    }
}
