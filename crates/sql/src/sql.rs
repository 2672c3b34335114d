//! SQL text with its bound parameters, written once for both dialects.

use std::fmt::Write as _;

/// The SQL dialect a statement is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite 3.45 or later (JSON functions, `->`).
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    Sqlite,
    /// PostgreSQL 12 or later (`jsonb`).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres,
}

/// A bound parameter. Values are never spliced into SQL text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    /// A string.
    Text(String),
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Real(f64),
    /// A list of integers (a JSON array for SQLite, `int8[]` for
    /// PostgreSQL).
    Ints(Vec<i64>),
}

/// A statement under construction: text plus parameters.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    pub(crate) dialect: Dialect,
    pub(crate) text: String,
    pub(crate) params: Vec<Param>,
}

impl Sql {
    pub(crate) fn new(dialect: Dialect) -> Sql {
        Sql {
            dialect,
            text: String::new(),
            params: Vec::new(),
        }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, s: &str) -> &mut Sql {
        self.text.push_str(s);
        self
    }

    /// Binds a parameter and returns its placeholder (`?3` or `$3`), with
    /// the PostgreSQL type cast that fixes its type.
    pub(crate) fn bind(&mut self, p: Param) -> String {
        let cast = match (&p, self.dialect) {
            (_, Dialect::Sqlite) => "",
            (Param::Text(_), Dialect::Postgres) => "::text",
            (Param::Int(_), Dialect::Postgres) => "::int8",
            (Param::Real(_), Dialect::Postgres) => "::float8",
            (Param::Ints(_), Dialect::Postgres) => "::int8[]",
        };
        self.params.push(p);
        let mut s = String::new();
        let sigil = match self.dialect {
            Dialect::Sqlite => '?',
            Dialect::Postgres => '$',
        };
        let _ = write!(s, "{sigil}{}{cast}", self.params.len());
        s
    }

    /// Binds a string.
    pub(crate) fn text(&mut self, s: &str) -> String {
        self.bind(Param::Text(s.to_owned()))
    }

    /// Binds an integer.
    pub(crate) fn int(&mut self, i: i64) -> String {
        self.bind(Param::Int(i))
    }

    /// Binds a LIMIT or OFFSET. In SQLite it is written `(?N + 0)`: the
    /// planner reads a bare parameter's value there, which makes SQLite
    /// prepare the statement again at every new binding (tens of
    /// microseconds for a filter); an expression it does not read.
    pub(crate) fn limit(&mut self, n: i64) -> String {
        let p = self.int(n);
        match self.dialect {
            Dialect::Sqlite => format!("({p} + 0)"),
            Dialect::Postgres => p,
        }
    }
}

/// `TRUE` and `FALSE`, which both dialects spell alike.
pub(crate) const TRUE: &str = "TRUE";
/// See [`TRUE`].
pub(crate) const FALSE: &str = "FALSE";
