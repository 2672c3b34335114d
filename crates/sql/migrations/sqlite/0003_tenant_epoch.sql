-- Scimhub storage, SQLite dialect, version 3: a counter that every change
-- to a tenant's name, tokens, domains or rate limit advances, kept by
-- triggers in the writing transaction (whoever writes: the server, the
-- CLI in another process, or an operator's SQL). Read connections
-- remember token lookups while it stays the same, so that the commits of
-- resources, which change the database but no tenant, do not make every
-- request look its token up again. Recording a tenant's last request
-- does not advance it.

CREATE TABLE tenant_epoch (
    only INTEGER PRIMARY KEY CHECK (only = 0),
    n    INTEGER NOT NULL
);

INSERT INTO tenant_epoch (only, n) VALUES (0, 0);

CREATE TRIGGER tenants_epoch_insert AFTER INSERT ON tenants
BEGIN
    UPDATE tenant_epoch SET n = n + 1 WHERE only = 0;
END;

CREATE TRIGGER tenants_epoch_delete AFTER DELETE ON tenants
BEGIN
    UPDATE tenant_epoch SET n = n + 1 WHERE only = 0;
END;

CREATE TRIGGER tenants_epoch_update AFTER UPDATE OF
    id, token_hash, previous_token_hash, previous_token_until_s,
    previous_token_until_n, allowed_domains, rate_limit
    ON tenants
BEGIN
    UPDATE tenant_epoch SET n = n + 1 WHERE only = 0;
END;
