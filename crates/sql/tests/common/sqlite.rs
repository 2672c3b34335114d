//! Older SQLite databases, made from current ones, for migration tests.

use std::path::Path;

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
