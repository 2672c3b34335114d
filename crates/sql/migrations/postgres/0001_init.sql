-- Scimhub storage, PostgreSQL dialect, version 1.
--
-- Identifiers use the "C" collation so that ORDER BY is byte order, as
-- in the memory store. Instants the store sets itself are Unix
-- nanoseconds (bigint); instants callers give are seconds plus
-- nanoseconds.

CREATE TABLE tenants (
    id                     text COLLATE "C" PRIMARY KEY,
    token_hash             bytea NOT NULL UNIQUE,
    previous_token_hash    bytea,
    previous_token_until_s bigint,
    previous_token_until_n bigint,
    allowed_domains        jsonb NOT NULL DEFAULT '[]',
    rate_limit             bigint,
    created_ns             bigint NOT NULL,
    last_request_s         bigint,
    last_request_n         bigint
);
CREATE INDEX tenants_previous_token ON tenants (previous_token_hash)
    WHERE previous_token_hash IS NOT NULL;

CREATE TABLE resources (
    seq               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant            text COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                text COLLATE "C" NOT NULL,
    resource_type     text COLLATE "C" NOT NULL,
    version           bigint NOT NULL,
    created_ns        bigint NOT NULL,
    modified_ns       bigint NOT NULL,
    user_name_fold    text COLLATE "C",
    external_id       text COLLATE "C",
    display_name_fold text COLLATE "C",
    member_count      bigint NOT NULL DEFAULT 0,
    irregular         smallint NOT NULL DEFAULT 0,
    doc               jsonb NOT NULL,
    UNIQUE (tenant, id)
);
CREATE INDEX resources_type ON resources (tenant, resource_type, seq);
CREATE INDEX resources_user_name ON resources (tenant, resource_type, user_name_fold)
    WHERE user_name_fold IS NOT NULL;
CREATE INDEX resources_external_id ON resources (tenant, resource_type, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX resources_display_name ON resources (tenant, resource_type, display_name_fold)
    WHERE display_name_fold IS NOT NULL;
CREATE INDEX resources_irregular ON resources (tenant, resource_type)
    WHERE irregular = 1;

CREATE TABLE uniques (
    tenant        text COLLATE "C" NOT NULL,
    resource_type text COLLATE "C" NOT NULL,
    attribute     text COLLATE "C" NOT NULL,
    value         text COLLATE "C" NOT NULL,
    resource_id   text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant, resource_type, attribute, value),
    FOREIGN KEY (tenant, resource_id) REFERENCES resources (tenant, id) ON DELETE CASCADE
);
CREATE INDEX uniques_owner ON uniques (tenant, resource_id);

CREATE TABLE memberships (
    tenant      text COLLATE "C" NOT NULL,
    group_id    text COLLATE "C" NOT NULL,
    member_id   text COLLATE "C" NOT NULL,
    member_type text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant, group_id, member_id),
    FOREIGN KEY (tenant, group_id) REFERENCES resources (tenant, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant, member_id) REFERENCES resources (tenant, id) ON DELETE CASCADE
);
CREATE INDEX memberships_member ON memberships (tenant, member_id, group_id);

-- RFC 7644 "pr" on one JSON value: not null, "", [] or {}, nor an array
-- or object holding only such values.
CREATE FUNCTION scim_present(j jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE jsonb_typeof(j)
        WHEN 'null' THEN false
        WHEN 'string' THEN j <> '""'::jsonb
        WHEN 'number' THEN true
        WHEN 'boolean' THEN true
        ELSE jsonb_path_exists(j, 'strict $.** ? (@.type() == "number" || @.type() == "boolean" || (@.type() == "string" && @ != ""))')
    END
$$;
