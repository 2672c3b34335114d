-- Scimhub storage, SQLite dialect, version 2: the number of resources of
-- each type per tenant, kept by triggers in the writing transaction, so
-- that an unfiltered list page costs the same whatever the tenant's size
-- (counting the type's index row by row grows with it).

CREATE TABLE resource_counts (
    tenant        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    resource_type TEXT NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (tenant, resource_type)
) WITHOUT ROWID;

INSERT INTO resource_counts (tenant, resource_type, n)
    SELECT tenant, resource_type, count(*) FROM resources GROUP BY tenant, resource_type;

CREATE TRIGGER resources_counted AFTER INSERT ON resources
BEGIN
    INSERT INTO resource_counts (tenant, resource_type, n)
        VALUES (NEW.tenant, NEW.resource_type, 1)
        ON CONFLICT (tenant, resource_type) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER resources_uncounted AFTER DELETE ON resources
BEGIN
    UPDATE resource_counts SET n = n - 1
        WHERE tenant = OLD.tenant AND resource_type = OLD.resource_type;
END;
