//! Migrations: numbered SQL files per dialect, compiled into the binary
//! and applied in order under a schema-version table, at open.

/// One migration.
#[derive(Debug)]
pub(crate) struct Migration {
    /// Its number; applied in increasing order, each once.
    pub(crate) version: i64,
    /// Its file name, for the record.
    pub(crate) name: &'static str,
    /// The SQL script.
    pub(crate) sql: &'static str,
}

/// The table recording which migrations a database has.
pub(crate) const VERSION_TABLE: &str = "scimhub_schema_version";

/// SQLite migrations.
#[cfg(feature = "sqlite")]
pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init.sql",
        sql: include_str!("../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "0002_resource_counts.sql",
        sql: include_str!("../migrations/sqlite/0002_resource_counts.sql"),
    },
    Migration {
        version: 3,
        name: "0003_tenant_epoch.sql",
        sql: include_str!("../migrations/sqlite/0003_tenant_epoch.sql"),
    },
    Migration {
        version: 4,
        name: "0004_user_name_unique.sql",
        sql: include_str!("../migrations/sqlite/0004_user_name_unique.sql"),
    },
];

/// PostgreSQL migrations.
#[cfg(feature = "postgres")]
pub(crate) const POSTGRES: &[Migration] = &[Migration {
    version: 1,
    name: "0001_init.sql",
    sql: include_str!("../migrations/postgres/0001_init.sql"),
}];

/// The migrations after `current`, in order.
pub(crate) fn pending(
    all: &'static [Migration],
    current: i64,
) -> impl Iterator<Item = &'static Migration> {
    all.iter().filter(move |m| m.version > current)
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;

    #[cfg(feature = "sqlite")]
    #[test]
    fn sqlite_migrations_are_numbered_in_order() {
        check(SQLITE);
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn postgres_migrations_are_numbered_in_order() {
        check(POSTGRES);
    }

    #[allow(dead_code)]
    fn check(all: &[Migration]) {
        for (i, m) in all.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
            assert!(
                m.name.starts_with(&format!("{:04}_", m.version)),
                "{}",
                m.name
            );
        }
    }
}
