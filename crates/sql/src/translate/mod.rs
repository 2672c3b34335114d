//! The filter → SQL translator, one for both dialects.
//!
//! [`condition`] turns a [`scimhub_store::Expr`] into a boolean SQL
//! expression over a row of `resources` aliased `r`, binding every value
//! as a parameter. The translation is *polar*: a leaf that cannot be
//! written exactly becomes `TRUE` where an even number of `NOT`s
//! surround it and `FALSE` under an odd number, so the SQL selects a
//! superset of the answer, and the caller then evaluates the whole
//! expression in process on those candidates. [`Condition::exact`] says
//! which case applies.

mod leaf;

use scimhub_filter::{BoundFilter, BoundValue, CompareOp};
use scimhub_store::Expr;

use crate::sql::{Dialect, FALSE, Sql, TRUE};

/// A translated condition.
#[derive(Debug)]
pub(crate) struct Condition {
    /// The SQL boolean expression.
    pub(crate) sql: String,
    /// Whether it selects exactly the matching rows (otherwise a superset).
    pub(crate) exact: bool,
}

/// Translates `expr` for the row alias `row`, binding into `sql`.
pub(crate) fn condition(sql: &mut Sql, expr: &Expr, row: &str) -> Condition {
    let mut t = Translator {
        sql,
        exact: true,
        next_alias: 0,
    };
    let text = t.expr(expr, row, true);
    Condition {
        sql: text,
        exact: t.exact,
    }
}

/// For a filter that is one `eq` on a string attribute with an indexed
/// column (`userName`, `externalId`, `displayName`: the lookups identity
/// providers send), in SQLite: two disjoint conditions for the row alias
/// `row` whose union is [`condition`]'s, so that a statement can seek
/// each (see `Translator::hot_halves`). `None` for any other filter.
pub(crate) fn lookup_halves(sql: &mut Sql, expr: &Expr, row: &str) -> Option<(String, String)> {
    let Expr::Filter(BoundFilter::Compare(path, CompareOp::Eq, value @ BoundValue::Str(_))) = expr
    else {
        return None;
    };
    let mut t = Translator {
        sql,
        exact: true,
        next_alias: 0,
    };
    t.hot_halves(row, path, value)
}

/// Where a filter's paths are looked up.
#[derive(Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// A resource row (alias).
    Resource(&'a str),
    /// One element of a value path (the alias of the row enumerating
    /// the elements).
    Element(&'a str),
    /// One membership row (alias), seen as `{"value": member_id,
    /// "type": member_type}`.
    Member(&'a str),
}

pub(crate) struct Translator<'s> {
    pub(crate) sql: &'s mut Sql,
    pub(crate) exact: bool,
    next_alias: u32,
}

impl Translator<'_> {
    pub(crate) fn dialect(&self) -> Dialect {
        self.sql.dialect
    }

    /// A fresh table alias.
    pub(crate) fn alias(&mut self, prefix: &str) -> String {
        self.next_alias += 1;
        format!("{prefix}{}", self.next_alias)
    }

    /// What an untranslatable leaf becomes: a superset either way.
    pub(crate) fn inexact(&mut self, positive: bool) -> String {
        self.exact = false;
        if positive { TRUE } else { FALSE }.to_owned()
    }

    fn expr(&mut self, expr: &Expr, row: &str, positive: bool) -> String {
        match expr {
            Expr::Filter(f) => self.filter(f, Scope::Resource(row), positive),
            Expr::HasMember(f) => self.has_member(f, row, positive),
            Expr::MemberOf(inner) => {
                let m = self.alias("m");
                let g = self.alias("g");
                let inner = self.expr(inner, &g, positive);
                format!(
                    "EXISTS (SELECT 1 FROM memberships {m} JOIN resources {g} ON {g}.tenant = {m}.tenant AND {g}.id = {m}.group_id \
                     WHERE {m}.tenant = {row}.tenant AND {m}.member_id = {row}.id AND ({inner}))"
                )
            }
            Expr::Not(inner) => format!("NOT ({})", self.expr(inner, row, !positive)),
            Expr::And(items) => {
                self.junction(items, " AND ", TRUE, |t, e| t.expr(e, row, positive))
            }
            Expr::Or(items) => self.junction(items, " OR ", FALSE, |t, e| t.expr(e, row, positive)),
        }
    }

    fn junction<T>(
        &mut self,
        items: &[T],
        op: &str,
        empty: &str,
        mut each: impl FnMut(&mut Self, &T) -> String,
    ) -> String {
        if items.is_empty() {
            return empty.to_owned();
        }
        let parts: Vec<String> = items.iter().map(|i| each(self, i)).collect();
        format!("({})", parts.join(op))
    }

    /// `members[…]`: the membership table, never the document.
    fn has_member(&mut self, f: &BoundFilter, row: &str, positive: bool) -> String {
        let m = self.alias("m");
        let cond = match member_id_eq(f) {
            // The memory store answers this form from its index, comparing
            // ids exactly; so does this.
            Some(id) => {
                let p = self.sql.text(id);
                format!("{m}.member_id = {p}")
            }
            None => self.filter(f, Scope::Member(&m), positive),
        };
        format!(
            "EXISTS (SELECT 1 FROM memberships {m} WHERE {m}.tenant = {row}.tenant AND {m}.group_id = {row}.id AND ({cond}))"
        )
    }

    pub(crate) fn filter(&mut self, f: &BoundFilter, scope: Scope<'_>, positive: bool) -> String {
        match f {
            BoundFilter::Not(inner) => format!("NOT ({})", self.filter(inner, scope, !positive)),
            BoundFilter::And(items) => {
                self.junction(items, " AND ", TRUE, |t, f| t.filter(f, scope, positive))
            }
            BoundFilter::Or(items) => {
                self.junction(items, " OR ", FALSE, |t, f| t.filter(f, scope, positive))
            }
            BoundFilter::ValuePath { attr, filter } => {
                self.value_path(attr, filter, scope, positive)
            }
            BoundFilter::Present(path) => self.leaf(path, Test::Present, scope, positive),
            BoundFilter::Compare(path, op, value) => {
                let test = match (op, value) {
                    (CompareOp::Eq, BoundValue::Null) => Test::EqNull,
                    (CompareOp::Ne, BoundValue::Null) => Test::NeNull,
                    (CompareOp::Ne, v) => Test::Ne(v),
                    (op, v) => Test::Op(*op, v),
                };
                self.leaf(path, test, scope, positive)
            }
        }
    }
}

/// What a leaf tests, with `ne` already expressed through `eq`.
#[derive(Clone, Copy)]
pub(crate) enum Test<'v> {
    /// `pr`: some value is present.
    Present,
    /// `eq null`: no value is present.
    EqNull,
    /// `ne null`: some value is present.
    NeNull,
    /// `ne v`: no value equals `v`.
    Ne(&'v BoundValue),
    /// Any other operator: some value stands in the relation.
    Op(CompareOp, &'v BoundValue),
}

/// `value eq "id"`, which the memory store answers by exact id.
fn member_id_eq(f: &BoundFilter) -> Option<&str> {
    match f {
        BoundFilter::Compare(p, CompareOp::Eq, BoundValue::Str(v))
            if p.sub.as_deref() == Some("value") =>
        {
            Some(v)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use scimhub_filter::{bind, parse_filter};
    use scimhub_schema::Registry;

    use super::*;
    use crate::sql::Param;

    fn expr(text: &str) -> Expr {
        let registry = Registry::standard();
        let rt = registry.resource_type("User").unwrap();
        Expr::Filter(bind(&parse_filter(text).unwrap(), rt).unwrap())
    }

    /// Translates `e` for `dialect` and checks the SQL contains each of
    /// `has`, the exactness, and that no value was spliced into the text.
    fn check(dialect: Dialect, e: &Expr, has: &[&str], exact: bool) {
        let mut sql = Sql::new(dialect);
        let c = condition(&mut sql, e, "r");
        for h in has {
            assert!(c.sql.contains(h), "{e:?}\nmissing {h}\nin {}", c.sql);
        }
        assert_eq!(c.exact, exact, "{}", c.sql);
        for p in &sql.params {
            if let Param::Text(t) = p {
                assert!(
                    !c.sql.contains(&format!("'{t}'")),
                    "spliced {t} into {}",
                    c.sql
                );
            }
        }
    }

    #[test]
    fn lookups_use_the_indexed_columns() {
        for d in [Dialect::Sqlite, Dialect::Postgres] {
            check(
                d,
                &expr(r#"userName eq "BJensen""#),
                &["r.user_name_fold = "],
                true,
            );
            check(
                d,
                &expr(r#"externalId eq "x""#),
                &["r.external_id = "],
                true,
            );
            check(
                d,
                &expr(r#"displayName eq "x""#),
                &["r.display_name_fold = "],
                true,
            );
            check(d, &expr(r#"id eq "x""#), &["r.id = "], true);
            check(
                d,
                &expr(r#"userName ne "x""#),
                &["NOT (", "r.user_name_fold = "],
                true,
            );
        }
    }

    #[test]
    fn value_paths_and_multi_valued_attributes() {
        check(
            Dialect::Sqlite,
            &expr(r#"emails[type eq "work"].value eq "a@b.c""#),
            &["json_each(", "e1.type = 'object'", "scim_fold("],
            true,
        );
        check(
            Dialect::Postgres,
            &expr(r#"emails[type eq "work"].value eq "a@b.c""#),
            &[
                "jsonb_array_elements(",
                "jsonb_typeof(e1.v) = 'object'",
                "lower(",
            ],
            true,
        );
        check(
            Dialect::Sqlite,
            &expr("emails pr"),
            &["scim_present("],
            true,
        );
        check(
            Dialect::Postgres,
            &expr("name.givenName pr"),
            &["scim_present("],
            true,
        );
    }

    #[test]
    fn memberships_use_the_membership_table() {
        let registry = Registry::standard();
        let groups = registry.resource_type("Group").unwrap();
        let inner = match bind(&parse_filter(r#"members[value eq "u1"]"#).unwrap(), groups).unwrap()
        {
            BoundFilter::ValuePath { filter, .. } => *filter,
            other => panic!("{other:?}"),
        };
        for d in [Dialect::Sqlite, Dialect::Postgres] {
            check(
                d,
                &Expr::HasMember(inner.clone()),
                &["FROM memberships m1", "m1.member_id = "],
                true,
            );
            check(
                d,
                &Expr::MemberOf(Box::new(expr(r#"displayName eq "Pro""#))),
                &["JOIN resources g2", "m1.member_id = r.id"],
                true,
            );
        }
    }

    #[test]
    fn inexact_leaves_keep_a_superset() {
        let registry = Registry::standard();
        let users = registry.resource_type("User").unwrap();
        // A dateTime on a document attribute (none in the standard User,
        // so the path is made by hand): exact in SQLite, left to the
        // evaluator in PostgreSQL, TRUE positively and FALSE under NOT.
        let path = scimhub_filter::BoundPath {
            extension: None,
            attribute: "hired".into(),
            sub: None,
            attr_type: scimhub_schema::AttributeType::DateTime,
            case_exact: false,
            multi_valued: false,
            leaf_multi_valued: false,
        };
        let dt = scimhub_schema::datetime::DateTime::from_unix(0, 0);
        let leaf = Expr::Filter(BoundFilter::Compare(
            path,
            CompareOp::Gt,
            BoundValue::DateTime(dt, "x".into()),
        ));
        check(Dialect::Sqlite, &leaf, &["scim_datetime_cmp("], true);
        check(Dialect::Postgres, &leaf, &["TRUE"], false);
        check(
            Dialect::Postgres,
            &Expr::Not(Box::new(leaf.clone())),
            &["NOT (FALSE)"],
            false,
        );
        let _ = users;
        // Integers beyond 2^53 compare differently as doubles.
        let path = scimhub_filter::BoundPath {
            attr_type: scimhub_schema::AttributeType::Integer,
            attribute: "n".into(),
            extension: None,
            sub: None,
            case_exact: false,
            multi_valued: false,
            leaf_multi_valued: false,
        };
        let big = Expr::Filter(BoundFilter::Compare(
            path,
            CompareOp::Eq,
            BoundValue::Int(1 << 60),
        ));
        check(Dialect::Sqlite, &big, &["TRUE"], false);
    }

    #[test]
    fn time_bounds_outside_the_stored_range_are_constants() {
        for d in [Dialect::Sqlite, Dialect::Postgres] {
            check(
                d,
                &expr(r#"meta.lastModified gt "2999-01-01T00:00:00Z""#),
                &["FALSE"],
                true,
            );
            check(
                d,
                &expr(r#"meta.created lt "2999-01-01T00:00:00Z""#),
                &["TRUE"],
                true,
            );
            check(
                d,
                &expr(r#"meta.created ge "2020-01-01T00:00:00Z""#),
                &["r.created_ns % 1000000"],
                true,
            );
        }
    }
}
