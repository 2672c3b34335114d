//! SQL storage for Scimhub: the [`Store`](scimhub_store::Store) trait on
//! SQLite (the embedded default: one file) and on PostgreSQL (several
//! server processes sharing one database), with one filter → SQL
//! translator for both and migrations compiled into the binary.
//!
//! This crate is for keeping tenants, users, groups and memberships
//! durably and answering the queries SCIM clients send from indexes. It
//! is not an ORM or a general SQL layer, knows nothing of HTTP, and
//! interprets documents only as far as the store's query model asks
//! (the protocol crate validates them first).
//!
//! ```
//! use scimhub_store::{NewResource, NewTenant, Query, TenantId, TokenHash, UniqueValue};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), scimhub_store::Error> {
//! # let dir = tempfile::tempdir().map_err(|e| scimhub_store::Error::unavailable("tempdir", e))?;
//! # let url = format!("sqlite://{}", dir.path().join("scimhub.db").display());
//! // `url` is e.g. "sqlite://scimhub.db", "postgres://…" or "memory://".
//! let store = scimhub_sql::open(&url).await?;
//! let acme = TenantId::new("acme")?;
//! store.create_tenant(NewTenant { id: acme.clone(), token: TokenHash([7; 32]), allowed_domains: vec![] }).await?;
//! store.create(&acme, NewResource {
//!     resource_type: "User".into(),
//!     document: json!({"userName": "bjensen"}),
//!     unique: vec![UniqueValue::new("userName", "bjensen", false)],
//!     members: vec![],
//! }).await?;
//! assert_eq!(store.list(&acme, &Query::all("User", 10)).await?.total, 1);
//! store.close().await?;
//! # Ok(())
//! # }
//! ```
//!
//! Both backends pass the conformance kit (`scimhub_store::testkit`) and answer every query
//! as [`MemoryStore`](scimhub_store::MemoryStore) does: the same
//! resources in the same order, with the same cursors
//! ([`scimhub_store::support`] computes sort keys and cursors for all of
//! them).
//!
//! # Crate features
//!
//! - `sqlite` (default): `SqliteStore`, on rusqlite with a bundled
//!   SQLite, so every build has the same SQLite and JSON functions.
//! - `postgres`: `PostgresStore`, on tokio-postgres with a
//!   deadpool-postgres pool. Connections are not encrypted (no TLS is
//!   built in): use a local socket, a loopback address or a trusted
//!   network.
//!
//! Features are additive; [`open`] refuses the URLs of a backend the
//! build lacks, saying which feature to enable.
//!
//! # Schema
//!
//! `tenants`; `resources` (one row per resource: creation sequence
//! `seq`, version, timestamps in Unix nanoseconds, the document as JSON
//! text or `jsonb`, and columns computed in Rust at write time for the
//! lookups identity providers make: `userName` and `displayName` folded
//! with Rust's `to_lowercase`, `externalId` as is, each indexed per
//! tenant and type); `uniques` (the values the caller declares unique,
//! one primary key; on SQLite a resource's own `userName`, when declared
//! unique, is kept on its row instead and the `userName` index is
//! unique over the rows that declare it); `memberships` (one row per member, indexed from the
//! group and from the member, so adding, removing or reading costs the
//! same for 10 or 1,000,000 members; the group's row keeps its member
//! count). Foreign keys cascade from tenants and resources. Migrations
//! live in `migrations/{sqlite,postgres}/NNNN_name.sql`, are compiled in,
//! and are applied at open under the table `scimhub_schema_version`, once
//! each, also when several processes start together.
//!
//! # Push-down
//!
//! Filters run in SQL, with every value bound as a parameter:
//!
//! - `eq`, `ne`, `co`, `sw`, `ew`, `gt`, `ge`, `lt`, `le` and `pr` on
//!   single-valued attributes, on sub-attributes (`name.givenName`), on
//!   multi-valued attributes and their sub-attributes (`emails.value`,
//!   any element matching), on extension attributes, and value paths
//!   (`emails[type eq "work" and value co "@x"]`, also with a trailing
//!   `.value eq …`), with SQLite's `json_each` and PostgreSQL's
//!   `jsonb_array_elements`; `not`, `and`, `or`;
//! - `eq null`, `ne null`, and `ne` as the negation of `eq` (true where
//!   the attribute is absent); `pr` false for null, `""`, `[]`, `{}` and
//!   containers of only such values;
//! - strings compared ignoring case unless `caseExact`, booleans (also as
//!   the strings `"true"`/`"false"` for boolean attributes), integers and
//!   decimals as numbers, each value's JSON type checked as the
//!   evaluator does;
//! - `userName eq`, `externalId eq` and `displayName eq` through their
//!   indexed columns; `id`, `meta.resourceType`, `meta.version`,
//!   `meta.created` and `meta.lastModified` (at the millisecond
//!   precision filters see them) from columns;
//! - `members[…]` (the store's `HasMember`) and `MemberOf` as `EXISTS` on
//!   the membership table, `members[value eq "…"]` by primary key.
//!
//! What SQL cannot answer exactly is left to the evaluator: the filter is
//! translated with *polarity* (such a leaf becomes `TRUE` under an even
//! number of `NOT`s and `FALSE` under an odd number, so the SQL selects a
//! superset), and [`scimhub_filter::BoundFilter::matches`] decides on
//! those candidates, at most 200,000 of them, beyond which the query is
//! refused as too broad. That is the case for dateTime comparisons on
//! document attributes in PostgreSQL (SQLite calls the Rust parser),
//! integer comparisons beyond ±2^53 (where doubles and integers part),
//! and attribute names SQLite's JSON paths cannot quote.
//!
//! Sorting happens in SQL for creation order, `id`, `meta.created` and
//! `meta.lastModified`; for any other attribute each matching row's
//! value is fetched and ordered in process with
//! [`scimhub_store::support::sort_key`] and
//! [`scimhub_store::support::order`]. Pagination and cursors follow.
//!
//! Case folding: SQLite calls a function registered on every connection
//! (`scim_fold`) that is Rust's `to_lowercase`, so it answers bit for
//! bit as the evaluator. PostgreSQL folds with `lower()`, under the
//! database's collation: the same for ASCII and the common accented
//! letters, but it may differ for characters whose lower case is special
//! (`İ`, final `Σ`) or under a `C` locale that folds only ASCII. The
//! indexed `userName` and `displayName` columns are folded in Rust for
//! both backends.
//!
//! Documents are looked up by the attribute names' spelling in the
//! schema, which is how validation stores them; the evaluator would also
//! find a differently cased key (`USERNAME`), SQL does not (except for
//! the indexed columns, computed with the evaluator's lookup).
//!
//! # Durability
//!
//! SQLite runs in WAL mode with `synchronous=NORMAL`: a write is
//! acknowledged after its transaction commits, and no acknowledged write
//! is lost when the process dies (a test kills a writing process with
//! SIGKILL at random moments and checks). A power loss may lose the
//! most recent commits (those not yet synced by a checkpoint), never
//! corrupting the file. Writes
//! go through one writer thread that commits whatever is queued as one
//! transaction, each command in its own savepoint (a failing command
//! fails alone), then answers each caller. Reads use a pool of
//! connections on the calling thread. The file is not locked
//! exclusively, so the `scimhub` CLI can use it while a server runs.
//!
//! PostgreSQL runs each write in a transaction that locks the resource's
//! row before comparing versions, so optimistic versioning holds across
//! processes; unique indexes enforce uniqueness; a transaction that loses
//! a race (deadlock, serialization failure) is run again up to five
//! times. Reads that take several statements run in one repeatable-read
//! transaction.
//!
//! `last_request_at` is recorded lazily: each process keeps the latest
//! instant per tenant, answers from it, and writes it out about once a
//! second and on [`close`](scimhub_store::Store::close).

#![doc(test(attr(deny(warnings))))]

#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod columns;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod listing;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod migrate;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod stats;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod translate;
mod url;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use url::open;
