-- Scimhub storage, SQLite dialect, version 1.
--
-- Instants the store sets itself are Unix nanoseconds (INTEGER) so that
-- meta.created and meta.lastModified compare exactly; instants callers
-- give (token grace periods, last request) are seconds plus nanoseconds.

CREATE TABLE tenants (
    id                    TEXT PRIMARY KEY NOT NULL,
    token_hash            BLOB NOT NULL UNIQUE,
    previous_token_hash   BLOB,
    previous_token_until_s INTEGER,
    previous_token_until_n INTEGER,
    allowed_domains       TEXT NOT NULL DEFAULT '[]',
    rate_limit            INTEGER,
    created_ns            INTEGER NOT NULL,
    last_request_s        INTEGER,
    last_request_n        INTEGER
);
-- Full indexes, not partial ones: a statement whose use of a partial
-- index depends on a bound value is prepared again at every binding.
CREATE INDEX tenants_previous_token ON tenants (previous_token_hash);

-- seq is the creation order (never reused: AUTOINCREMENT), used for the
-- default order, ties and cursors.
CREATE TABLE resources (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant            TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                TEXT NOT NULL,
    resource_type     TEXT NOT NULL,
    version           INTEGER NOT NULL,
    created_ns        INTEGER NOT NULL,
    modified_ns       INTEGER NOT NULL,
    user_name_fold    TEXT,
    external_id       TEXT,
    display_name_fold TEXT,
    member_count      INTEGER NOT NULL DEFAULT 0,
    irregular         INTEGER NOT NULL DEFAULT 0,
    doc               TEXT NOT NULL
);
CREATE UNIQUE INDEX resources_id ON resources (tenant, id);
-- (tenant, resource_type) plus the rowid (seq): listing in creation order.
CREATE INDEX resources_type ON resources (tenant, resource_type);
-- The columns hold the empty BLOB where the attribute is not a string
-- (see the translator), so one index answers for every row.
CREATE INDEX resources_user_name ON resources (tenant, resource_type, user_name_fold);
CREATE INDEX resources_external_id ON resources (tenant, resource_type, external_id);
CREATE INDEX resources_display_name ON resources (tenant, resource_type, display_name_fold);

CREATE TABLE uniques (
    tenant        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    attribute     TEXT NOT NULL,
    value         TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    PRIMARY KEY (tenant, resource_type, attribute, value),
    FOREIGN KEY (tenant, resource_id) REFERENCES resources (tenant, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX uniques_owner ON uniques (tenant, resource_id);

-- One row per membership: adding or removing a member touches one row,
-- whatever the size of the group.
CREATE TABLE memberships (
    tenant      TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    member_type TEXT NOT NULL,
    PRIMARY KEY (tenant, group_id, member_id),
    FOREIGN KEY (tenant, group_id) REFERENCES resources (tenant, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant, member_id) REFERENCES resources (tenant, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX memberships_member ON memberships (tenant, member_id, group_id);
