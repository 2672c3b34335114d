//! Leaves: one attribute tested against a value, per dialect.
//!
//! A path reaches a set of JSON values exactly as the evaluator's
//! `any_value` does: the attribute (inside its extension object, if any);
//! an array's elements one by one; for a sub-attribute, the sub-attribute
//! of the attribute when it is an object, or of each object element when
//! it is an array. The SQL enumerates that set with `json_each`
//! (SQLite) or `jsonb_array_elements` (PostgreSQL), wrapping a single
//! value in a one-element array, and tests each value with its JSON type
//! checked, so a value of the wrong type matches nothing, as in the
//! evaluator.

use scimhub_filter::{BoundFilter, BoundPath, BoundValue, CompareOp};
use scimhub_schema::AttributeType;
use scimhub_store::support::is_store_attribute;

use super::{Scope, Test, Translator};
use crate::columns::HOT;
use crate::sql::{Dialect, FALSE, Param, TRUE};

/// Integers beyond ±2^53 compare differently as doubles (the evaluator
/// converts the filter value) and as integers (SQL); leave them to the
/// evaluator.
const EXACT_INT: i64 = 1 << 53;

/// Where a JSON leaf's values come from.
enum Source<'a> {
    /// A resource row's document: `extension`, `attribute`, `sub`.
    Doc { row: &'a str, path: &'a BoundPath },
    /// An element of a value path and the sub-attribute's key.
    Element { elem: &'a str, sub: &'a str },
}

impl Translator<'_> {
    pub(super) fn leaf(
        &mut self,
        path: &BoundPath,
        test: Test<'_>,
        scope: Scope<'_>,
        positive: bool,
    ) -> String {
        match scope {
            Scope::Resource(row) => {
                if is_store_attribute(path) {
                    return self.store_leaf(row, path, test, positive);
                }
                if let Some(sql) = self.hot_leaf(row, path, test, positive) {
                    return sql;
                }
                self.json_leaf(Source::Doc { row, path }, path, test, positive)
            }
            Scope::Element(elem) => match &path.sub {
                Some(sub) => self.json_leaf(Source::Element { elem, sub }, path, test, positive),
                None => absent(test),
            },
            Scope::Member(m) => match path.sub.as_deref() {
                Some("value") => self.scalar_str(&format!("{m}.member_id"), path, test),
                Some("type") => self.scalar_str(&format!("{m}.member_type"), path, test),
                _ => absent(test),
            },
        }
    }

    pub(super) fn value_path(
        &mut self,
        attr: &BoundPath,
        filter: &BoundFilter,
        scope: Scope<'_>,
        positive: bool,
    ) -> String {
        let Scope::Resource(row) = scope else {
            // The evaluator never matches a value path inside an element.
            return FALSE.to_owned();
        };
        if is_store_attribute(attr) {
            return self.inexact(positive);
        }
        let Some(top) = self.top(row, attr) else {
            return self.inexact(positive);
        };
        let e = self.alias("e");
        let inner = self.filter(filter, Scope::Element(&e), positive);
        match self.dialect() {
            Dialect::Sqlite => format!(
                "EXISTS (SELECT 1 FROM json_each({top}) AS {e} WHERE {e}.type = 'object' AND ({inner}))"
            ),
            Dialect::Postgres => format!(
                "EXISTS (SELECT 1 FROM jsonb_array_elements({top}) AS {e}(v) WHERE jsonb_typeof({e}.v) = 'object' AND ({inner}))"
            ),
        }
    }

    /// The top-level value of `path` in the row's document, as a JSON
    /// array (the value's elements, or the value alone).
    fn top(&mut self, row: &str, path: &BoundPath) -> Option<String> {
        match self.dialect() {
            Dialect::Sqlite => {
                let mut json_path = String::from("$");
                for key in path
                    .extension
                    .iter()
                    .chain(std::iter::once(&path.attribute))
                {
                    json_path.push_str(&sqlite_label(key)?);
                }
                let p = self.sql.text(&json_path);
                Some(format!(
                    "CASE WHEN json_type({row}.doc, {p}) = 'array' THEN json_extract({row}.doc, {p}) ELSE json_array({row}.doc -> {p}) END"
                ))
            }
            Dialect::Postgres => {
                let mut value = format!("{row}.doc");
                for key in path
                    .extension
                    .iter()
                    .chain(std::iter::once(&path.attribute))
                {
                    let p = self.sql.text(key);
                    value = format!("{value} -> {p}");
                }
                Some(format!(
                    "CASE WHEN jsonb_typeof({value}) = 'array' THEN {value} ELSE jsonb_build_array({value}) END"
                ))
            }
        }
    }

    /// The values of `sub` in the element `elem`, as a JSON array;
    /// nothing when the element is not an object.
    fn element_values(&mut self, elem: &str, sub: &str) -> Option<String> {
        match self.dialect() {
            Dialect::Sqlite => {
                let label = sqlite_label(sub)?;
                let s = self.sql.text(&format!("${label}"));
                Some(format!(
                    "CASE WHEN {elem}.type <> 'object' THEN '[]' WHEN json_type({elem}.value, {s}) = 'array' THEN json_extract({elem}.value, {s}) ELSE json_array({elem}.value -> {s}) END"
                ))
            }
            Dialect::Postgres => {
                let s = self.sql.text(sub);
                let value = format!("{elem}.v -> {s}");
                Some(format!(
                    "CASE WHEN jsonb_typeof({elem}.v) <> 'object' THEN '[]'::jsonb WHEN jsonb_typeof({value}) = 'array' THEN {value} ELSE jsonb_build_array({value}) END"
                ))
            }
        }
    }

    /// The FROM clause enumerating a leaf's values, and the alias of the
    /// value row.
    fn values(&mut self, source: &Source<'_>) -> Option<(String, String)> {
        let each = match self.dialect() {
            Dialect::Sqlite => "json_each",
            Dialect::Postgres => "jsonb_array_elements",
        };
        let cols = match self.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => "(v)",
        };
        match source {
            Source::Doc { row, path } => {
                let top = self.top(row, path)?;
                match &path.sub {
                    None => {
                        let x = self.alias("x");
                        Some((format!("{each}({top}) AS {x}{cols}"), x))
                    }
                    Some(sub) => {
                        let e = self.alias("e");
                        let inner = self.element_values(&e, sub)?;
                        let x = self.alias("x");
                        Some((
                            format!("{each}({top}) AS {e}{cols}, {each}({inner}) AS {x}{cols}"),
                            x,
                        ))
                    }
                }
            }
            Source::Element { elem, sub } => {
                let inner = self.element_values(elem, sub)?;
                let x = self.alias("x");
                Some((format!("{each}({inner}) AS {x}{cols}"), x))
            }
        }
    }

    fn json_leaf(
        &mut self,
        source: Source<'_>,
        path: &BoundPath,
        test: Test<'_>,
        positive: bool,
    ) -> String {
        let Some((from, x)) = self.values(&source) else {
            return self.inexact(positive);
        };
        let (pred, negate) = match test {
            Test::Present | Test::NeNull => (Some(self.present(&x)), false),
            Test::EqNull => (Some(self.present(&x)), true),
            Test::Ne(v) => (self.holds(&x, path, CompareOp::Eq, v), true),
            Test::Op(op, v) => (self.holds(&x, path, op, v), false),
        };
        let Some(pred) = pred else {
            return self.inexact(positive);
        };
        if pred == FALSE {
            return if negate { TRUE } else { FALSE }.to_owned();
        }
        let not = if negate { "NOT " } else { "" };
        format!("{not}EXISTS (SELECT 1 FROM {from} WHERE {pred})")
    }

    /// RFC 7644 `pr` on one value row.
    fn present(&mut self, x: &str) -> String {
        match self.dialect() {
            Dialect::Sqlite => format!(
                "(CASE {x}.type WHEN 'null' THEN 0 WHEN 'text' THEN {x}.atom <> '' WHEN 'array' THEN scim_present({x}.value) WHEN 'object' THEN scim_present({x}.value) ELSE 1 END)"
            ),
            Dialect::Postgres => format!("scim_present({x}.v)"),
        }
    }

    /// Whether the value row `x` stands in relation `op` to `value`, as the
    /// evaluator's `holds`; `None` when that cannot be written exactly.
    fn holds(
        &mut self,
        x: &str,
        path: &BoundPath,
        op: CompareOp,
        value: &BoundValue,
    ) -> Option<String> {
        let d = self.dialect();
        let (is_text, atom) = match d {
            Dialect::Sqlite => (format!("{x}.type = 'text'"), format!("{x}.atom")),
            Dialect::Postgres => (
                format!("jsonb_typeof({x}.v) = 'string'"),
                format!("({x}.v #>> '{{}}')"),
            ),
        };
        let is_number = match d {
            Dialect::Sqlite => format!("{x}.type IN ('integer', 'real')"),
            Dialect::Postgres => format!("jsonb_typeof({x}.v) = 'number'"),
        };
        Some(match value {
            BoundValue::Null => return Some(FALSE.to_owned()),
            BoundValue::Str(want) => {
                let cmp = self.str_cmp(&atom, op, want, path.case_exact);
                format!("({is_text} AND {cmp})")
            }
            BoundValue::Bool(b) => {
                if op != CompareOp::Eq {
                    return Some(FALSE.to_owned());
                }
                let word = if *b { "true" } else { "false" };
                let strict = match d {
                    Dialect::Sqlite => format!("{x}.type = '{word}'"),
                    Dialect::Postgres => format!("{x}.v = '{word}'::jsonb"),
                };
                if path.attr_type == AttributeType::Boolean {
                    // The evaluator also accepts the strings "true" and
                    // "false" in any ASCII case for boolean attributes.
                    let loose = match d {
                        Dialect::Sqlite => format!("{atom} = '{word}' COLLATE NOCASE"),
                        Dialect::Postgres => format!("lower({atom}) = '{word}'"),
                    };
                    format!("({strict} OR ({is_text} AND {loose}))")
                } else {
                    strict
                }
            }
            BoundValue::Int(i) => {
                let Some(sym) = ordering(op) else {
                    return Some(FALSE.to_owned());
                };
                if !(-EXACT_INT..=EXACT_INT).contains(i) {
                    return None;
                }
                match d {
                    Dialect::Sqlite => {
                        let p = self.sql.int(*i);
                        format!("({is_number} AND {atom} {sym} {p})")
                    }
                    Dialect::Postgres => {
                        let p = self.sql.int(*i);
                        // Integers compare exactly, other numbers as
                        // doubles, as serde_json's as_i64 / as_f64 do.
                        // CASE, not AND: PostgreSQL may evaluate a cast
                        // before the type test beside it.
                        format!(
                            "(CASE WHEN NOT {is_number} THEN FALSE \
                             WHEN scale(({x}.v)::numeric) = 0 AND ({x}.v)::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 \
                             THEN ({x}.v)::numeric {sym} {p} ELSE ({x}.v)::float8 {sym} {p}::float8 END)"
                        )
                    }
                }
            }
            BoundValue::Float(f) => {
                let Some(sym) = ordering(op) else {
                    return Some(FALSE.to_owned());
                };
                let p = self.sql.bind(Param::Real(*f));
                match d {
                    Dialect::Sqlite => {
                        format!("({is_number} AND CAST({atom} AS REAL) {sym} {p})")
                    }
                    Dialect::Postgres => {
                        format!(
                            "(CASE WHEN {is_number} THEN ({x}.v)::float8 {sym} {p} ELSE FALSE END)"
                        )
                    }
                }
            }
            BoundValue::DateTime(dt, _) => {
                let Some(sym) = ordering(op) else {
                    return Some(FALSE.to_owned());
                };
                match d {
                    Dialect::Sqlite => {
                        let s = self.sql.int(dt.unix_seconds());
                        let n = self.sql.int(i64::from(dt.nanos()));
                        format!("({is_text} AND scim_datetime_cmp({atom}, {s}, {n}) {sym} 0)")
                    }
                    // PostgreSQL has no parser for every xsd:dateTime form
                    // with nanoseconds; the evaluator decides.
                    Dialect::Postgres => return None,
                }
            }
        })
    }

    /// A string comparison, folding case unless `case_exact`.
    pub(super) fn str_cmp(
        &mut self,
        have: &str,
        op: CompareOp,
        want: &str,
        case_exact: bool,
    ) -> String {
        let want = if case_exact {
            want.to_owned()
        } else {
            want.to_lowercase()
        };
        let p = self.sql.text(&want);
        match self.dialect() {
            Dialect::Sqlite => {
                let h = if case_exact {
                    have.to_owned()
                } else {
                    format!("scim_fold({have})")
                };
                match op {
                    CompareOp::Co => format!("scim_contains({h}, {p})"),
                    CompareOp::Sw => format!("scim_starts_with({h}, {p})"),
                    CompareOp::Ew => format!("scim_ends_with({h}, {p})"),
                    CompareOp::Ne => format!("{h} <> {p}"),
                    other => format!("{h} {} {p}", symbol(other)),
                }
            }
            Dialect::Postgres => {
                let h = if case_exact {
                    have.to_owned()
                } else {
                    format!("lower({have})")
                };
                match op {
                    CompareOp::Co => format!("strpos({h}, {p}) > 0"),
                    CompareOp::Sw => format!("starts_with({h}, {p})"),
                    CompareOp::Ew => format!("right({h}, char_length({p})) = {p}"),
                    CompareOp::Eq => format!("{h} = {p}"),
                    CompareOp::Ne => format!("{h} <> {p}"),
                    // Order by code point, whatever the database's
                    // collation, as Rust compares strings.
                    other => format!("({h}) COLLATE \"C\" {} {p}", symbol(other)),
                }
            }
        }
    }

    /// A leaf on a single string the store keeps (`id`, a member's
    /// `value`), which is always present as a string.
    fn scalar_str(&mut self, expr: &str, path: &BoundPath, test: Test<'_>) -> String {
        match test {
            Test::Present | Test::NeNull => format!("{expr} <> ''"),
            Test::EqNull => format!("{expr} = ''"),
            Test::Ne(BoundValue::Str(w)) => {
                format!(
                    "NOT ({})",
                    self.str_cmp(expr, CompareOp::Eq, w, path.case_exact)
                )
            }
            Test::Ne(_) => TRUE.to_owned(),
            Test::Op(op, BoundValue::Str(w)) => self.str_cmp(expr, op, w, path.case_exact),
            Test::Op(..) => FALSE.to_owned(),
        }
    }

    /// `id` and `meta.*`, from columns.
    fn store_leaf(
        &mut self,
        row: &str,
        path: &BoundPath,
        test: Test<'_>,
        positive: bool,
    ) -> String {
        match (path.attribute.as_str(), path.sub.as_deref()) {
            ("id", None) => self.scalar_str(&format!("{row}.id"), path, test),
            ("meta", None) => match test {
                Test::Present | Test::NeNull | Test::Ne(_) => TRUE.to_owned(),
                Test::EqNull | Test::Op(..) => FALSE.to_owned(),
            },
            ("meta", Some("resourceType")) => {
                self.scalar_str(&format!("{row}.resource_type"), path, test)
            }
            ("meta", Some("version")) => {
                let expr = match self.dialect() {
                    Dialect::Sqlite => format!("('W/\"' || {row}.version || '\"')"),
                    Dialect::Postgres => format!("('W/\"' || {row}.version::text || '\"')"),
                };
                self.scalar_str(&expr, path, test)
            }
            ("meta", Some(sub @ ("created" | "lastModified"))) => {
                let col = if sub == "created" {
                    "created_ns"
                } else {
                    "modified_ns"
                };
                // Filters see these at millisecond precision, as
                // `resource_view` prints them.
                let expr = format!("({row}.{col} - {row}.{col} % 1000000)");
                match test {
                    Test::Present | Test::NeNull => TRUE.to_owned(),
                    Test::EqNull => FALSE.to_owned(),
                    Test::Ne(BoundValue::DateTime(dt, _)) => {
                        format!("NOT ({})", self.time_cmp(&expr, CompareOp::Eq, dt))
                    }
                    Test::Op(op, BoundValue::DateTime(dt, _)) => self.time_cmp(&expr, op, dt),
                    _ => self.inexact(positive),
                }
            }
            // Other `meta` sub-attributes are not in the view, and `id` has
            // no sub-attributes.
            _ => absent(test),
        }
    }

    fn time_cmp(
        &mut self,
        expr: &str,
        op: CompareOp,
        dt: &scimhub_schema::datetime::DateTime,
    ) -> String {
        let Some(sym) = ordering(op) else {
            return FALSE.to_owned();
        };
        let want = i128::from(dt.unix_seconds()) * 1_000_000_000 + i128::from(dt.nanos());
        match i64::try_from(want) {
            Ok(ns) => {
                let p = self.sql.int(ns);
                format!("{expr} {sym} {p}")
            }
            // Stored instants are all within i64 nanoseconds, so a value
            // outside is above or below every one of them.
            Err(_) => {
                let above = want > 0;
                let holds = match op {
                    CompareOp::Gt | CompareOp::Ge => !above,
                    CompareOp::Lt | CompareOp::Le => above,
                    _ => false,
                };
                if holds { TRUE } else { FALSE }.to_owned()
            }
        }
    }

    /// `userName eq`, `externalId eq` and `displayName eq` through the
    /// indexed columns computed at write time. Where the attribute holds
    /// something other than a string the column cannot answer, and the
    /// document is tested instead: in SQLite such rows hold the empty
    /// BLOB in the column, so `col IN (?, x'')` finds both kinds with
    /// one index; in PostgreSQL they are flagged `irregular` (a small
    /// partial index) and the planner combines the two indexes.
    fn hot_leaf(
        &mut self,
        row: &str,
        path: &BoundPath,
        test: Test<'_>,
        positive: bool,
    ) -> Option<String> {
        let Hot {
            column: c,
            value: p,
            indexed,
            doc,
            negate,
        } = self.hot(row, path, test, positive)?;
        let eq = match self.dialect() {
            Dialect::Sqlite => {
                format!("({c} IN ({p}, x'') AND ({indexed} OR ({c} = x'' AND {doc})))")
            }
            // The column is NULL where the attribute has no string value;
            // `IS NOT NULL` keeps the comparison two-valued under NOT.
            Dialect::Postgres => {
                format!("(({indexed} AND {c} IS NOT NULL) OR ({row}.irregular = 1 AND {doc}))")
            }
        };
        Some(if negate { format!("NOT {eq}") } else { eq })
    }

    /// For `eq` on an indexed column in SQLite, the two disjoint
    /// conditions whose union [`Translator::hot_leaf`] writes as one: the
    /// column holds the value; the column marks a value that is not a
    /// string and the document holds the value. Each seeks the index
    /// with one value, where `col IN (?, x'')` makes SQLite build a
    /// temporary b-tree for the two values on every execution.
    pub(super) fn hot_halves(
        &mut self,
        row: &str,
        path: &BoundPath,
        value: &BoundValue,
    ) -> Option<(String, String)> {
        if self.dialect() != Dialect::Sqlite || is_store_attribute(path) {
            return None;
        }
        let hot = self.hot(row, path, Test::Op(CompareOp::Eq, value), true)?;
        let c = &hot.column;
        Some((hot.indexed, format!("{c} = x'' AND {}", hot.doc)))
    }

    /// The parts of an `eq`/`ne` on an indexed column (see
    /// [`Translator::hot_leaf`]).
    fn hot(&mut self, row: &str, path: &BoundPath, test: Test<'_>, positive: bool) -> Option<Hot> {
        if path.extension.is_some() || path.sub.is_some() {
            return None;
        }
        let (negate, want) = match test {
            Test::Op(CompareOp::Eq, BoundValue::Str(w)) => (false, w),
            Test::Ne(BoundValue::Str(w)) => (true, w),
            _ => return None,
        };
        let hot = HOT.iter().find(|h| h.attribute == path.attribute)?;
        let c = format!("{row}.{}", hot.column);
        let polarity = positive != negate;
        let eq_doc = BoundValue::Str(want.clone());
        let (p, recheck) = match (hot.folded, path.case_exact) {
            (true, false) => (self.sql.text(&want.to_lowercase()), None),
            (false, true) => (self.sql.text(want), None),
            // A case-exact attribute with a folded column: the column
            // narrows, the document decides.
            (true, true) => {
                let p = self.sql.text(&want.to_lowercase());
                let exact = self.json_leaf(
                    Source::Doc { row, path },
                    path,
                    Test::Op(CompareOp::Eq, &eq_doc),
                    polarity,
                );
                (p, Some(exact))
            }
            (false, false) => return None,
        };
        let doc = self.json_leaf(
            Source::Doc { row, path },
            path,
            Test::Op(CompareOp::Eq, &eq_doc),
            polarity,
        );
        let indexed = match recheck {
            Some(exact) => format!("({c} = {p} AND {exact})"),
            None => format!("{c} = {p}"),
        };
        Some(Hot {
            column: c,
            value: p,
            indexed,
            doc,
            negate,
        })
    }
}

/// An `eq` on an indexed column, in parts: the column, the bound value's
/// placeholder, the condition on the column, the condition on the
/// document for rows whose attribute is not a string, and whether the
/// test was `ne`.
struct Hot {
    column: String,
    value: String,
    indexed: String,
    doc: String,
    negate: bool,
}

/// What a leaf is on a path that has no value.
fn absent(test: Test<'_>) -> String {
    match test {
        Test::EqNull | Test::Ne(_) => TRUE,
        Test::Present | Test::NeNull | Test::Op(..) => FALSE,
    }
    .to_owned()
}

/// The SQL symbol of an ordering operator; `None` for the substring
/// operators, which never hold on non-strings.
fn ordering(op: CompareOp) -> Option<&'static str> {
    match op {
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => None,
        other => Some(symbol(other)),
    }
}

fn symbol(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "=",
        CompareOp::Ne => "<>",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => "=",
    }
}

/// A JSON path label for SQLite (`."key"`); `None` for keys that quoting
/// cannot express.
fn sqlite_label(key: &str) -> Option<String> {
    if key.contains(['"', '\\']) || key.chars().any(char::is_control) {
        return None;
    }
    Some(format!(".\"{key}\""))
}
