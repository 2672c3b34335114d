//! Any request through the whole service with the in-memory store:
//! method, path, query and body from the fuzzer. Nothing panics and no
//! request makes the service answer 5xx.
#![no_main]

use std::sync::{Arc, LazyLock};

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use scimhub_protocol::{Config, Method, Request, Service};
use scimhub_schema::Registry;
use scimhub_store::{MemoryStore, NewTenant, Store, TenantId, TokenHash};

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::standard);

const PATHS: &[&str] = &[
    "/Users",
    "/Groups",
    "/Users/.search",
    "/.search",
    "/Bulk",
    "/Me",
    "/ServiceProviderConfig",
    "/ResourceTypes",
    "/ResourceTypes/User",
    "/Schemas",
    "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
    "/Users/",
    "/Groups/",
];
const PARAMS: &[&str] = &[
    "filter",
    "sortBy",
    "sortOrder",
    "startIndex",
    "count",
    "attributes",
    "excludedAttributes",
    "cursor",
];

#[derive(Debug)]
struct Input {
    requests: Vec<(Method, String, Vec<(String, String)>, Vec<u8>)>,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut requests = Vec::new();
        for _ in 0..u.int_in_range(1..=4)? {
            let method = match u.int_in_range(0..=6)? {
                0 => Method::Get,
                1 => Method::Post,
                2 => Method::Put,
                3 => Method::Patch,
                4 => Method::Delete,
                5 => Method::Other("HEAD".to_owned()),
                _ => Method::Other(String::arbitrary(u)?),
            };
            let mut path = (*u.choose(PATHS)?).to_owned();
            if u.arbitrary()? {
                path.push_str(&String::arbitrary(u)?);
            }
            let mut query = Vec::new();
            for _ in 0..u.int_in_range(0..=3)? {
                query.push(((*u.choose(PARAMS)?).to_owned(), String::arbitrary(u)?));
            }
            let body = Vec::<u8>::arbitrary(u)?;
            requests.push((method, path, query, body));
        }
        Ok(Input { requests })
    }
}

fuzz_target!(|input: Input| {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let store = Arc::new(MemoryStore::new());
        let tenant = store
            .create_tenant(NewTenant {
                id: TenantId::new("t").expect("name"),
                token: TokenHash([1; 32]),
                allowed_domains: vec![],
            })
            .await
            .expect("tenant");
        let service = Service::with_registry(REGISTRY.clone(), store, Config::default());
        for (method, path, query, body) in input.requests {
            let mut req = Request::new(method, &path, "https://x/scim/v2/t");
            req.query = query;
            req.body = body;
            let resp = service.handle(&tenant, req).await;
            assert!(
                resp.status < 500 || resp.status == 501,
                "{path} answered {}",
                resp.status
            );
        }
    });
});
