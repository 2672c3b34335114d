//! Filter parsing and evaluation against a corpus of realistic filters,
//! beside a baseline that only scans the same bytes.
//!
//! `cargo bench -p scimhub-benches --bench filter`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scimhub_filter::{bind, parse_filter};
use scimhub_schema::Registry;
use serde_json::json;

/// What Entra ID and Okta send (lookups by userName, externalId, id and
/// displayName, the membership query, value paths, URN-qualified paths),
/// plus dateTime comparisons and nested and/or/not.
const CORPUS: &[&str] = &[
    r#"userName eq "bjensen@example.com""#,
    r#"userName eq "8d9b2c1e-9d7f-4a5e-b7e6-1c6a7b0f2a11""#,
    r#"externalId eq "2d4a6c8e-1f3b-4d5e-9a7c-0b2d4f6a8c1e""#,
    r#"id eq "2819c223-7f76-453a-919d-413861904646""#,
    r#"displayName eq "Pro licences""#,
    r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
    r#"id eq "e9e30dba-f08f-4109-8486-d5c6a331660a" and members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
    r#"emails[type eq "work"].value eq "bjensen@example.com""#,
    r#"emails[type eq "work" and value co "@example.com"]"#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915""#,
    r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
    r#"meta.created ge "2010-01-23T04:56:22Z" and meta.created lt "2011-01-23T04:56:22Z""#,
    r#"title pr and userType eq "Employee""#,
    r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
    r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
    r#"active eq true and name.familyName sw "Jen""#,
    r#"displayName sw "Eng" or displayName sw "Ops""#,
    r#"urn:ietf:params:scim:schemas:extension:license:2.0:User:license eq true"#,
    r#"userName eq "alice@example.com" or userName eq "bob@example.com" or userName eq "carol@example.com""#,
];

fn parse(c: &mut Criterion) {
    let bytes: usize = CORPUS.iter().map(|f| f.len()).sum();
    eprintln!(
        "corpus: {} filters, {bytes} bytes, {:.1} bytes per filter",
        CORPUS.len(),
        bytes as f64 / CORPUS.len() as f64
    );
    let mut group = c.benchmark_group("filter_parse");
    group.throughput(Throughput::Elements(CORPUS.len() as u64));
    // Baseline: read every byte once, looking for quotes, as the cheapest
    // conceivable pass over the input would.
    group.bench_function("baseline_memchr_scan_corpus", |b| {
        b.iter(|| {
            CORPUS
                .iter()
                .map(|f| memchr::memchr_iter(b'"', black_box(f.as_bytes())).count())
                .sum::<usize>()
        })
    });
    group.bench_function("parse_corpus", |b| {
        b.iter(|| {
            for f in CORPUS {
                black_box(parse_filter(black_box(f)).ok());
            }
        })
    });
    group.finish();

    let mut single = c.benchmark_group("filter_single");
    let lookup = r#"userName eq "bjensen@example.com""#;
    single.bench_function("baseline_memchr_scan_username_eq", |b| {
        b.iter(|| memchr::memchr_iter(b'"', black_box(lookup.as_bytes())).count())
    });
    single.bench_function("parse_username_eq", |b| {
        b.iter(|| parse_filter(black_box(lookup)))
    });
    single.finish();
}

fn evaluate(c: &mut Criterion) {
    let registry = Registry::standard();
    let users = registry.resource_type("User").expect("built in");
    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "userName": "bjensen@example.com",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "active": true,
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                   {"value": "babs@jensen.org", "type": "home"}],
        "meta": {"lastModified": "2011-05-13T04:42:34Z"}
    });
    let mut group = c.benchmark_group("filter_evaluate");
    for (name, text) in [
        ("username_eq", r#"userName eq "BJENSEN@example.com""#),
        (
            "value_path",
            r#"emails[type eq "work" and value co "@example.com"]"#,
        ),
        (
            "datetime_gt",
            r#"meta.lastModified gt "2011-05-13T04:42:33Z""#,
        ),
    ] {
        let bound = bind(&parse_filter(text).expect("valid"), users).expect("binds");
        group.bench_function(name, |b| {
            b.iter(|| black_box(&bound).matches(black_box(&user)))
        });
    }
    group.finish();
}

criterion_group!(benches, parse, evaluate);
criterion_main!(benches);
