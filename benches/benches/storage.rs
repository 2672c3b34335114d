//! Storage: the lookups, membership edits and loads that identity
//! providers cause, on SQLite and PostgreSQL (scimhub-sql), each at two
//! sizes measured in the same run so that the ratio shows how cost grows.
//!
//! `cargo bench -p scimhub-benches --bench storage`
//!
//! Environment: `SCIMHUB_BENCH_USERS` (users in the large tenant,
//! default 1,000,000), `SCIMHUB_BENCH_BACKENDS` (default
//! `sqlite,postgres`), `SCIMHUB_BENCH_POSTGRES_URL` (else
//! `SCIMHUB_TEST_POSTGRES_URL`; PostgreSQL is skipped when neither is
//! set). Every loop is bounded in count and in time; the whole run takes a
//! few minutes on a 2-core machine. Each figure is the median of many
//! single operations, timed one by one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scimhub_filter::{bind, parse_filter};
use scimhub_schema::Registry;
use scimhub_sql::{PostgresStore, SqliteStore};
use scimhub_store::{
    Expr, MemberChange, NewResource, NewTenant, Query, ResourceId, Store, TenantId, TokenHash,
    UniqueValue, Update,
};
use serde_json::json;

/// Users in the small tenant of the lookup comparison.
const SMALL: usize = 1_000;
/// Users loaded through the trait for the bulk-load figure (override
/// with `SCIMHUB_BENCH_BULK`, for quick runs).
const BULK: usize = 100_000;
/// Concurrent callers during the bulk load.
const BULK_TASKS: usize = 64;
/// Members of the large group.
const BIG_GROUP: usize = 100_000;
/// Users per `create_many` call when loading the large tenant.
const LOAD_CHUNK: usize = 20_000;
/// Samples per figure, and the time each loop may take.
const SAMPLES: usize = 2_000;
const WRITE_SAMPLES: usize = 400;
const LOOP_BUDGET: Duration = Duration::from_secs(20);

fn user(i: usize) -> NewResource {
    let user_name = format!("user{i}@example.com");
    NewResource {
        resource_type: "User".into(),
        document: json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "userName": user_name,
            "externalId": format!("{:08x}-0000-4000-8000-{:012x}", i, i * 7919),
            "displayName": format!("User Number {i}"),
            "active": true,
            "name": {"givenName": format!("Given{i}"), "familyName": format!("Family{i}")},
            "emails": [{"value": user_name, "type": "work", "primary": true}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                {"employeeNumber": i.to_string(), "department": format!("Department {}", i % 50)}
        }),
        unique: vec![UniqueValue::new("userName", &user_name, false)],
        members: vec![],
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn micros(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}

/// A backend under test.
enum Backend {
    Sqlite(SqliteStore, tempfile::TempDir),
    Postgres(PostgresStore, String, String),
}

impl Backend {
    fn store(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite(s, _) => Arc::new(s.clone()),
            Backend::Postgres(s, _, _) => Arc::new(s.clone()),
        }
    }

    async fn create_many(&self, t: &TenantId, users: Vec<NewResource>) -> Vec<ResourceId> {
        let created = match self {
            Backend::Sqlite(s, _) => s.create_many(t, users).await,
            Backend::Postgres(s, _, _) => s.create_many(t, users).await,
        };
        created.unwrap().into_iter().map(|r| r.id).collect()
    }

    /// Bytes on disk for the data (SQLite: the file after a checkpoint;
    /// PostgreSQL: tables and indexes).
    async fn bytes(&self) -> u64 {
        match self {
            Backend::Sqlite(s, _) => {
                let c = rusqlite::Connection::open(s.path()).unwrap();
                c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                    .unwrap();
                std::fs::metadata(s.path()).unwrap().len()
            }
            Backend::Postgres(_, url, schema) => {
                let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(conn);
                let row = c
                    .query_one(
                        "SELECT coalesce(sum(pg_total_relation_size(format('%I.%I', schemaname, tablename)::regclass)), 0)::int8 \
                         FROM pg_tables WHERE schemaname = $1",
                        &[schema],
                    )
                    .await
                    .unwrap();
                u64::try_from(row.get::<_, i64>(0)).unwrap()
            }
        }
    }

    async fn drop_data(self) {
        match self {
            Backend::Sqlite(s, dir) => {
                s.close().await.unwrap();
                drop(dir);
            }
            Backend::Postgres(s, url, schema) => {
                s.close().await.unwrap();
                let (c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(conn);
                c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
                    .await
                    .unwrap();
            }
        }
    }
}

async fn open(kind: &str, label: &str) -> Option<Backend> {
    match kind {
        "sqlite" => {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(dir.path().join(format!("{label}.db"))).unwrap();
            Some(Backend::Sqlite(store, dir))
        }
        "postgres" => {
            let url = std::env::var("SCIMHUB_BENCH_POSTGRES_URL")
                .or_else(|_| std::env::var("SCIMHUB_TEST_POSTGRES_URL"))
                .ok()?;
            let schema = format!("scimhub_bench_{label}_{}", std::process::id());
            let store = PostgresStore::connect_to_schema(&url, &schema)
                .await
                .unwrap();
            Some(Backend::Postgres(store, url, schema))
        }
        other => panic!("unknown backend {other}"),
    }
}

async fn tenant(store: &dyn Store, name: &str, n: u8) -> TenantId {
    let id = TenantId::new(name).unwrap();
    store
        .create_tenant(NewTenant {
            id: id.clone(),
            token: TokenHash([n; 32]),
            allowed_domains: vec![],
        })
        .await
        .unwrap();
    id
}

/// One figure: a name and the median.
struct Row {
    name: String,
    median: Duration,
    note: String,
}

/// Bulk load through the trait: `BULK` creates from `BULK_TASKS`
/// concurrent callers, timed in five rounds.
async fn bulk(kind: &str, bulk: usize, rows: &mut Vec<Row>) {
    let Some(backend) = open(kind, "bulk").await else {
        return;
    };
    let store = backend.store();
    let t = tenant(&*store, "bulk", 1).await;
    let per_round = bulk / 5;
    let mut rates = Vec::new();
    let started = Instant::now();
    for round in 0..5 {
        let t0 = Instant::now();
        let mut tasks = Vec::new();
        for k in 0..BULK_TASKS {
            let (store, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move {
                let mut i = round * per_round + k;
                while i < (round + 1) * per_round {
                    store.create(&t, user(i)).await.unwrap();
                    i += BULK_TASKS;
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        rates.push(per_round as f64 / t0.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    let total = started.elapsed();
    let bytes = backend.bytes().await;
    rows.push(Row {
        name: format!(
            "bulk load {bulk} users through Store::create ({BULK_TASKS} concurrent callers)"
        ),
        median: total,
        note: format!(
            "{:.0} users/s (median of 5 rounds), {:.0} bytes per user on disk",
            rates[2],
            bytes as f64 / bulk as f64
        ),
    });
    backend.drop_data().await;
}

/// Times `op` on both sizes alternately; returns the two medians.
async fn paired<F, Fut>(samples: usize, mut op: F) -> (Duration, Duration)
where
    F: FnMut(bool, usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (mut small, mut large) = (Vec::new(), Vec::new());
    let deadline = Instant::now() + LOOP_BUDGET;
    for i in 0..samples {
        let t0 = Instant::now();
        op(false, i).await;
        small.push(t0.elapsed());
        let t0 = Instant::now();
        op(true, i).await;
        large.push(t0.elapsed());
        if Instant::now() > deadline {
            break;
        }
    }
    (median(small), median(large))
}

fn pair(
    rows: &mut Vec<Row>,
    name: &str,
    small_label: &str,
    large_label: &str,
    (s, l): (Duration, Duration),
    target: f64,
) {
    let ratio = l.as_secs_f64() / s.as_secs_f64();
    rows.push(Row {
        name: format!("{name}, {small_label}"),
        median: s,
        note: "1".into(),
    });
    rows.push(Row {
        name: format!("{name}, {large_label}"),
        median: l,
        note: format!("{ratio:.2} × the {small_label} figure (target ≤ {target})"),
    });
}

async fn scale(kind: &str, users: usize, rows: &mut Vec<Row>) {
    let Some(backend) = open(kind, "scale").await else {
        return;
    };
    let store = backend.store();
    let small = tenant(&*store, "small", 2).await;
    let large = tenant(&*store, "large", 3).await;
    backend
        .create_many(&small, (0..SMALL).map(user).collect())
        .await;
    let t0 = Instant::now();
    let mut ids = Vec::new();
    let mut start = 0;
    while start < users {
        let end = (start + LOAD_CHUNK).min(users);
        let chunk = backend
            .create_many(&large, (start..end).map(user).collect())
            .await;
        if ids.len() < BIG_GROUP + WRITE_SAMPLES + 10 {
            ids.extend(chunk);
        }
        start = end;
    }
    let load = t0.elapsed();
    rows.push(Row {
        name: format!("load {users} users with create_many ({LOAD_CHUNK} per transaction)"),
        median: load,
        note: format!(
            "{:.0} users/s, {:.0} bytes per user on disk",
            users as f64 / load.as_secs_f64(),
            backend.bytes().await as f64 / (users + SMALL) as f64
        ),
    });

    // userName eq: an existing user, a different one each time.
    let registry = Registry::standard();
    let rt = registry.resource_type("User").unwrap();
    let query = |i: usize, n: usize| {
        let text = format!("userName eq \"USER{}@example.com\"", (i * 7_919) % n);
        Query {
            filter: Some(Expr::Filter(
                bind(&parse_filter(&text).unwrap(), rt).unwrap(),
            )),
            ..Query::all("User", 100)
        }
    };
    let (s2, store2, l2) = (small.clone(), store.clone(), large.clone());
    let lookups = paired(SAMPLES, |big, i| {
        let (store, t, q) = (
            store2.clone(),
            if big { l2.clone() } else { s2.clone() },
            query(i, if big { users } else { SMALL }),
        );
        async move {
            let page = store.list(&t, &q).await.unwrap();
            assert_eq!(page.total, 1);
            black_box(page);
        }
    })
    .await;
    pair(
        rows,
        "userName eq lookup (hit)",
        &format!("{SMALL} users"),
        &format!("{users} users"),
        lookups,
        1.5,
    );
    let miss = |i: usize| Query {
        filter: Some(Expr::Filter(
            bind(
                &parse_filter(&format!("userName eq \"{:032x}\"", i * 31 + 7)).unwrap(),
                rt,
            )
            .unwrap(),
        )),
        ..Query::all("User", 100)
    };
    let (s2, store2, l2) = (small.clone(), store.clone(), large.clone());
    let misses = paired(SAMPLES, |big, i| {
        let (store, t, q) = (
            store2.clone(),
            if big { l2.clone() } else { s2.clone() },
            miss(i),
        );
        async move {
            assert_eq!(store.list(&t, &q).await.unwrap().total, 0);
        }
    })
    .await;
    pair(
        rows,
        "userName eq lookup (miss, Entra's test connection)",
        &format!("{SMALL} users"),
        &format!("{users} users"),
        misses,
        1.5,
    );

    // Memberships: a group of 10 and one of 100,000.
    let big_n = BIG_GROUP.min(ids.len().saturating_sub(WRITE_SAMPLES + 10));
    let group = |name: &str, members: Vec<ResourceId>| NewResource {
        resource_type: "Group".into(),
        document: json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name}),
        unique: vec![],
        members,
    };
    let g10 = store
        .create(&large, group("Ten", ids[..10].to_vec()))
        .await
        .unwrap()
        .id;
    let t0 = Instant::now();
    let gbig = store
        .create(&large, group("Big", ids[..big_n].to_vec()))
        .await
        .unwrap()
        .id;
    rows.push(Row {
        name: format!("create a group with {big_n} members"),
        median: t0.elapsed(),
        note: "one call".into(),
    });
    assert_eq!(
        store.member_count(&large, &gbig).await.unwrap(),
        big_n as u64
    );
    let spare: Vec<ResourceId> = ids[big_n..big_n + WRITE_SAMPLES].to_vec();
    let edit = |store: Arc<dyn Store>, t: TenantId, g: ResourceId, add: bool, m: ResourceId| async move {
        let change = if add {
            MemberChange::Edit {
                add: vec![m],
                remove: vec![],
            }
        } else {
            MemberChange::Edit {
                add: vec![],
                remove: vec![m],
            }
        };
        store
            .update(
                &t,
                "Group",
                &g,
                None,
                Update {
                    document: None,
                    members: Some(change),
                },
            )
            .await
            .unwrap();
    };
    for add in [true, false] {
        let (store2, t2, g10c, gbc, spare2) = (
            store.clone(),
            large.clone(),
            g10.clone(),
            gbig.clone(),
            spare.clone(),
        );
        let figures = paired(WRITE_SAMPLES, |big, i| {
            edit(
                store2.clone(),
                t2.clone(),
                if big { gbc.clone() } else { g10c.clone() },
                add,
                spare2[i % spare2.len()].clone(),
            )
        })
        .await;
        // Each add was undone by the matching remove, so sizes stay put
        // between the two loops (adds first, then removes).
        pair(
            rows,
            if add {
                "add one member"
            } else {
                "remove one member"
            },
            "group of 10",
            &format!("group of {big_n}"),
            figures,
            2.0,
        );
    }
    let (store2, t2, g10c, gbc) = (store.clone(), large.clone(), g10.clone(), gbig.clone());
    let reads = paired(SAMPLES, |big, _| {
        let (store, t, g) = (
            store2.clone(),
            t2.clone(),
            if big { gbc.clone() } else { g10c.clone() },
        );
        async move {
            black_box(store.get(&t, "Group", &g).await.unwrap().unwrap());
        }
    })
    .await;
    pair(
        rows,
        "read a group without its members",
        "group of 10",
        &format!("group of {big_n}"),
        reads,
        2.0,
    );
    backend.drop_data().await;
}

fn main() {
    let users: usize = std::env::var("SCIMHUB_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let bulk_n: usize = std::env::var("SCIMHUB_BENCH_BULK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(BULK);
    let backends =
        std::env::var("SCIMHUB_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for kind in backends.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        let mut rows = Vec::new();
        let started = Instant::now();
        rt.block_on(async {
            if kind == "postgres"
                && std::env::var("SCIMHUB_BENCH_POSTGRES_URL").is_err()
                && std::env::var("SCIMHUB_TEST_POSTGRES_URL").is_err()
            {
                eprintln!("SKIPPED: set SCIMHUB_BENCH_POSTGRES_URL or SCIMHUB_TEST_POSTGRES_URL to benchmark PostgreSQL");
                return;
            }
            bulk(kind, bulk_n, &mut rows).await;
            scale(kind, users, &mut rows).await;
        });
        if rows.is_empty() {
            continue;
        }
        println!("\n{kind} ({:.0} s)\n", started.elapsed().as_secs_f64());
        println!("| benchmark | median | same-run ratio / note |");
        println!("|---|---|---|");
        for r in rows {
            println!("| {} | {} | {} |", r.name, micros(r.median), r.note);
        }
    }
}
