//! SQLite stores for the tests: one with a tenant, and older databases
//! made from current ones for migration tests.

use std::path::Path;

use scimhub_sql::SqliteStore;
use scimhub_store::{NewTenant, Store, TenantId, TokenHash};

/// A store on a new file at `path` with the tenant `acme`, whose token
/// hashes to `[1; 32]`.
pub async fn open_with_tenant(path: &Path) -> (SqliteStore, TenantId) {
    let store = SqliteStore::open(path).expect("open the store");
    let tenant = TenantId::new("acme").expect("a valid tenant id");
    store
        .create_tenant(NewTenant {
            id: tenant.clone(),
            token: TokenHash([1; 32]),
            allowed_domains: vec![],
        })
        .await
        .expect("create the tenant");
    (store, tenant)
}

/// Turns a closed database at the current version into one at version 3:
/// unique userNames back in `uniques`, the row's mark and the unique
/// index gone, version 4 unrecorded.
pub fn downgrade_to_v3(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("open the database");
    conn.execute_batch(
        "BEGIN;
         INSERT INTO uniques (tenant, resource_type, attribute, value, resource_id)
             SELECT tenant, resource_type, 'userName', user_name_fold, id
             FROM resources WHERE user_name_unique = 0;
         DROP INDEX resources_user_name;
         ALTER TABLE resources DROP COLUMN user_name_unique;
         CREATE INDEX resources_user_name ON resources (tenant, resource_type, user_name_fold);
         DELETE FROM scimhub_schema_version WHERE version >= 4;
         COMMIT;",
    )
    .expect("downgrade to version 3");
}
