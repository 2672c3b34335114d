//! The statements of lookups by one `eq` on an indexed string attribute
//! (`userName eq "…"`, what identity providers send before every
//! create), translated once per shape.
//!
//! Two lookups of one shape — the dialect, the attribute and whether it
//! compares case-exactly — differ only in the tenant, the resource type
//! and the compared string, so their statement texts are the same and
//! each parameter is either one of those three (the string perhaps
//! folded) or a constant. The first lookup of a shape is translated
//! twice, with the string and with another one; the two results, which
//! must have the same text, show which parameter is which, and that
//! template binds every later lookup of the shape without translating.

use std::sync::Arc;

use parking_lot::Mutex;
use scimhub_filter::{BoundFilter, BoundPath, BoundValue, CompareOp};
use scimhub_store::{Expr, TenantId};

use super::pushed::FEW;
use super::{RECORD_COLUMNS, base_where, clamp};
use crate::sql::{Dialect, Param, Sql};
use crate::translate::lookup_halves;

/// At most this many shapes are remembered (there are a handful: the
/// indexed attributes, each case-exact or not, per dialect).
const MAX_SHAPES: usize = 64;

/// What a lookup's statement depends on besides its values.
struct Shape {
    dialect: Dialect,
    attribute: String,
    case_exact: bool,
}

impl Shape {
    fn is(&self, dialect: Dialect, path: &BoundPath) -> bool {
        self.dialect == dialect
            && self.case_exact == path.case_exact
            && self.attribute == path.attribute
    }
}

/// Where a parameter's value comes from.
#[derive(Debug, PartialEq)]
enum Slot {
    Tenant,
    Type,
    Want,
    WantFolded,
    Fixed(Param),
}

/// A lookup's statement text and the sources of its parameters.
#[derive(Debug)]
struct Template {
    text: String,
    slots: Vec<Slot>,
}

impl Template {
    fn bind(&self, dialect: Dialect, tenant: &TenantId, rt: &str, want: &str) -> Sql {
        let params = self
            .slots
            .iter()
            .map(|s| match s {
                Slot::Tenant => Param::Text(tenant.as_str().to_owned()),
                Slot::Type => Param::Text(rt.to_owned()),
                Slot::Want => Param::Text(want.to_owned()),
                Slot::WantFolded => Param::Text(want.to_lowercase()),
                Slot::Fixed(p) => p.clone(),
            })
            .collect();
        Sql {
            dialect,
            text: self.text.clone(),
            params,
        }
    }
}

/// The templates by shape: a handful, searched in order, so that a
/// lookup neither allocates nor hashes a key to find its template.
static TEMPLATES: Mutex<Vec<(Shape, Arc<Template>)>> = Mutex::new(Vec::new());

/// The statement reading at most `FEW + 1` resources of `rt` in
/// `tenant` that `filter` matches, as a `UNION ALL` of the two index
/// seeks of [`lookup_halves`]; `None` when the filter is not one `eq` on
/// an indexed string attribute.
pub(super) fn statement(
    dialect: Dialect,
    tenant: &TenantId,
    rt: &str,
    filter: &Expr,
) -> Option<Sql> {
    let Expr::Filter(BoundFilter::Compare(path, CompareOp::Eq, BoundValue::Str(want))) = filter
    else {
        return None;
    };
    if path.extension.is_some() || path.sub.is_some() {
        return None;
    }
    let known = TEMPLATES
        .lock()
        .iter()
        .find(|(shape, _)| shape.is(dialect, path))
        .map(|(_, t)| t.clone());
    if let Some(t) = known {
        return Some(t.bind(dialect, tenant, rt, want));
    }
    let sql = translate(dialect, tenant, rt, filter)?;
    // Another string, which differs from the first also when folded.
    let other = format!("{want}\u{1}Q");
    let other_filter = Expr::Filter(BoundFilter::Compare(
        path.clone(),
        CompareOp::Eq,
        BoundValue::Str(other.as_str().into()),
    ));
    if let Some(t) = translate(dialect, tenant, rt, &other_filter)
        .and_then(|second| template(tenant, rt, (want, &sql), (&other, &second)))
    {
        let mut templates = TEMPLATES.lock();
        if templates.len() >= MAX_SHAPES {
            templates.clear();
        }
        if !templates.iter().any(|(shape, _)| shape.is(dialect, path)) {
            let shape = Shape {
                dialect,
                attribute: path.attribute.clone(),
                case_exact: path.case_exact,
            };
            templates.push((shape, Arc::new(t)));
        }
    }
    Some(sql)
}

/// The statement, translated.
fn translate(dialect: Dialect, tenant: &TenantId, rt: &str, filter: &Expr) -> Option<Sql> {
    let mut sql = Sql::new(dialect);
    let (w, _) = base_where(&mut sql, tenant, rt, None);
    let (indexed, odd) = lookup_halves(&mut sql, filter, "r")?;
    let limit = sql.limit(clamp(FEW as u64 + 1));
    let base = format!("SELECT {RECORD_COLUMNS} FROM resources r WHERE {w}");
    sql.push(&format!(
        "{base} AND {indexed} UNION ALL {base} AND {odd} LIMIT {limit}"
    ));
    Some(sql)
}

/// The template two translations of one shape share, or `None` when
/// their texts differ or a parameter is none of the known sources.
fn template(
    tenant: &TenantId,
    rt: &str,
    first: (&str, &Sql),
    second: (&str, &Sql),
) -> Option<Template> {
    let ((a, sa), (b, sb)) = (first, second);
    if sa.text != sb.text || sa.params.len() != sb.params.len() {
        return None;
    }
    let text = |s: &str| Param::Text(s.to_owned());
    let slots = sa
        .params
        .iter()
        .zip(&sb.params)
        .enumerate()
        .map(|(i, (pa, pb))| match i {
            // `base_where` binds the tenant, then the type.
            0 if *pa == text(tenant.as_str()) && pa == pb => Some(Slot::Tenant),
            1 if *pa == text(rt) && pa == pb => Some(Slot::Type),
            0 | 1 => None,
            _ if pa == pb => Some(Slot::Fixed(pa.clone())),
            _ if *pa == text(a) && *pb == text(b) => Some(Slot::Want),
            _ if *pa == text(&a.to_lowercase()) && *pb == text(&b.to_lowercase()) => {
                Some(Slot::WantFolded)
            }
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Template {
        text: sa.text.clone(),
        slots,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use scimhub_filter::{bind, parse_filter};
    use scimhub_schema::Registry;

    use super::*;

    fn expr(text: &str) -> Expr {
        let registry = Registry::standard();
        let rt = registry.resource_type("User").unwrap();
        Expr::Filter(bind(&parse_filter(text).unwrap(), rt).unwrap())
    }

    /// Every lookup bound from a template is the statement a fresh
    /// translation gives, for each indexed attribute, tenant and string
    /// (mixed case, non-ASCII, quotes and the like).
    #[test]
    fn templates_give_the_translated_statement() {
        let tenants = [
            TenantId::new("acme").unwrap(),
            TenantId::new("beta-2").unwrap(),
        ];
        let values = [
            "bjensen@example.com",
            "BJensen@Example.COM",
            "Ærøskøbing",
            "İstanbul",
            "with \\\"quotes\\\" and 'apostrophes'",
            "",
        ];
        for attribute in ["userName", "externalId", "displayName"] {
            for (i, value) in values.iter().enumerate() {
                let tenant = &tenants[i % 2];
                let filter = expr(&format!("{attribute} eq \"{value}\""));
                let fresh = translate(Dialect::Sqlite, tenant, "User", &filter).unwrap();
                // The first call of a shape may build its template; the
                // second uses it.
                for _ in 0..2 {
                    let got = statement(Dialect::Sqlite, tenant, "User", &filter).unwrap();
                    assert_eq!(got.text, fresh.text, "{attribute} eq {value:?}");
                    assert_eq!(got.params, fresh.params, "{attribute} eq {value:?}");
                }
            }
        }
        let shapes = TEMPLATES.lock().len();
        assert!(shapes >= 3, "the lookups were templated ({shapes} shapes)");
    }

    #[test]
    fn other_filters_are_not_lookups() {
        let t = TenantId::new("acme").unwrap();
        for text in [
            "userName ne \"x\"",
            "userName co \"x\"",
            "title eq \"x\"",
            "emails.value eq \"x\"",
            "userName eq \"a\" and active eq true",
        ] {
            assert!(
                statement(Dialect::Sqlite, &t, "User", &expr(text)).is_none(),
                "{text}"
            );
        }
    }
}
