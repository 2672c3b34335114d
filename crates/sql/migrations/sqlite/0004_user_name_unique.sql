-- Scimhub storage, SQLite dialect, version 4: a unique userName is kept
-- on its resource's row instead of in `uniques`. The row already holds
-- the value folded (`user_name_fold`); `user_name_unique` is 0 where the
-- caller declared that value unique and NULL elsewhere, and the index
-- the lookups use becomes a unique index that ends with it, so two rows
-- of a tenant and type declaring the same userName collide there (NULLs
-- never collide). A user's creation so writes one index for its userName
-- instead of a table and that table's owner index. Other unique values
-- (those of other attributes, or a userName value that is not the
-- document's own) stay in `uniques`.

ALTER TABLE resources ADD COLUMN user_name_unique INTEGER;

UPDATE resources SET user_name_unique = 0
    WHERE EXISTS (
        SELECT 1 FROM uniques u
        WHERE u.tenant = resources.tenant AND u.resource_type = resources.resource_type
          AND u.attribute = 'userName' AND u.value = resources.user_name_fold
          AND u.resource_id = resources.id
    );

DELETE FROM uniques
    WHERE attribute = 'userName'
      AND EXISTS (
        SELECT 1 FROM resources r
        WHERE r.tenant = uniques.tenant AND r.id = uniques.resource_id
          AND r.resource_type = uniques.resource_type
          AND r.user_name_fold = uniques.value AND r.user_name_unique = 0
    );

DROP INDEX resources_user_name;
CREATE UNIQUE INDEX resources_user_name
    ON resources (tenant, resource_type, user_name_fold, user_name_unique);
