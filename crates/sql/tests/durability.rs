//! Durability of the SQLite store against process crashes: a child
//! process writes resources and prints one acknowledgement per committed
//! write; this test kills it with SIGKILL at random moments, several
//! times, reopens the file and checks that every acknowledged write is
//! there and that `PRAGMA integrity_check` says ok.
//!
//! The test binary is its own child: with `SCIMHUB_DURABILITY_CHILD` set
//! to a file path, `main` runs the writer instead of the test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use scimhub_sql::SqliteStore;
use scimhub_store::{
    ErrorKind, NewResource, NewTenant, ResourceId, Store, TenantId, TokenHash, UniqueValue, Update,
    Version,
};
use serde_json::json;

const CHILD: &str = "SCIMHUB_DURABILITY_CHILD";
/// Kill rounds.
const ROUNDS: usize = 5;
/// Concurrent writers in the child, so that writes commit in groups.
const WRITERS: usize = 8;

fn main() {
    match std::env::var(CHILD) {
        Ok(path) => child(Path::new(&path)),
        Err(_) => {
            println!("\nrunning 1 test");
            parent();
            println!("test sqlite_survives_sigkill ... ok\n");
            println!("test result: ok. 1 passed; 0 failed\n");
        }
    }
}

fn tenant() -> TenantId {
    TenantId::new("durable").unwrap()
}

/// The child: writes until killed, acknowledging each committed write
/// on stdout as `C <run> <n> <id>` (created) or `U <id> <version>`
/// (updated).
fn child(path: &Path) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Arc::new(SqliteStore::open(path).unwrap());
        match store
            .create_tenant(NewTenant {
                id: tenant(),
                token: TokenHash([3; 32]),
                allowed_domains: vec![],
            })
            .await
        {
            Ok(_) => {}
            Err(e) if *e.kind() == ErrorKind::TenantExists => {}
            Err(e) => panic!("child: create tenant: {e}"),
        }
        let run = std::process::id();
        let out = Arc::new(std::sync::Mutex::new(std::io::stdout()));
        let mut tasks = Vec::new();
        for w in 0..WRITERS {
            let (store, out) = (store.clone(), out.clone());
            tasks.push(tokio::spawn(async move {
                let mut last: Option<(ResourceId, Version)> = None;
                for n in 0.. {
                    let user_name = format!("u{run}-{w}-{n}");
                    let r = store
                        .create(
                            &tenant(),
                            NewResource {
                                resource_type: "User".into(),
                                document: json!({"userName": user_name, "title": "created"}),
                                unique: vec![UniqueValue::new("userName", &user_name, false)],
                                members: vec![],
                            },
                        )
                        .await
                        .unwrap();
                    writeln!(out.lock().unwrap(), "C {user_name} {}", r.id).unwrap();
                    out.lock().unwrap().flush().unwrap();
                    // Every third write also updates the previous user.
                    if n % 3 == 2
                        && let Some((id, v)) = last.take()
                    {
                        let u = store
                            .update(
                                &tenant(),
                                "User",
                                &id,
                                Some(v),
                                Update {
                                    document: Some((
                                        json!({"userName": "x", "title": "updated"}),
                                        vec![],
                                    )),
                                    members: None,
                                },
                            )
                            .await
                            .unwrap();
                        writeln!(out.lock().unwrap(), "U {} {}", u.id, u.version).unwrap();
                        out.lock().unwrap().flush().unwrap();
                    }
                    last = Some((r.id, r.version));
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
}

/// A small xorshift, seeded from the clock: random kill moments without
/// a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

fn parent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("durable.db");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("durability: seed {seed}");
    let mut rng = Rng(seed);
    let mut created: HashMap<String, String> = HashMap::new();
    let mut updated: HashMap<String, u64> = HashMap::new();
    for round in 0..ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(CHILD, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill after a random number of acknowledgements, plus a random
        // pause, so the kill lands anywhere in a group commit.
        let kill_after = 20 + rng.next(400);
        let mut seen = 0;
        while seen < kill_after {
            let Some(line) = lines.next() else { break };
            record(&line.unwrap(), &mut created, &mut updated);
            seen += 1;
        }
        std::thread::sleep(std::time::Duration::from_micros(rng.next(3_000)));
        child.kill().unwrap(); // SIGKILL
        // Acknowledgements already in the pipe count too.
        for line in lines {
            let Ok(line) = line else { break };
            record(&line, &mut created, &mut updated);
        }
        let status = child.wait().unwrap();
        assert!(!status.success(), "round {round}: the child was killed");
        println!(
            "durability: round {round}: killed after {seen}+ acknowledgements; {} creates and {} updates acknowledged so far",
            created.len(),
            updated.len()
        );
        check(&path, &created, &updated);
    }
    assert!(
        created.len() >= ROUNDS * 20,
        "durability: too few writes to prove anything"
    );
}

fn record(line: &str, created: &mut HashMap<String, String>, updated: &mut HashMap<String, u64>) {
    let parts: Vec<&str> = line.split_whitespace().collect();
    match parts.as_slice() {
        ["C", user_name, id] => {
            created.insert((*id).to_owned(), (*user_name).to_owned());
        }
        ["U", id, version] => {
            updated.insert((*id).to_owned(), version.parse().unwrap());
        }
        _ => {
            // A line cut by the kill is not an acknowledgement.
        }
    }
}

/// Reopens the file and checks every acknowledged write.
fn check(path: &Path, created: &HashMap<String, String>, updated: &HashMap<String, u64>) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "durability: integrity_check");
    drop(conn);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = SqliteStore::open(path).unwrap();
        for (id, user_name) in created {
            let r = store
                .get(&tenant(), "User", &ResourceId::new(id.clone()))
                .await
                .unwrap()
                .unwrap_or_else(|| {
                    panic!("durability: acknowledged create of {user_name} ({id}) is lost")
                });
            match updated.get(id) {
                Some(v) => {
                    assert!(
                        r.version.0 >= *v,
                        "durability: acknowledged update of {id} to {v} is lost"
                    );
                    assert_eq!(
                        r.document.value().unwrap()["title"],
                        "updated",
                        "durability: update of {id}"
                    );
                }
                None => assert!(
                    r.document.value().unwrap()["userName"] == user_name.as_str()
                        || r.version.0 > 1,
                    "durability: {id} holds {:?}",
                    r.document
                ),
            }
        }
        store.close().await.unwrap();
    });
}
