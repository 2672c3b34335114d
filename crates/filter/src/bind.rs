//! The binder: resolves a parsed filter or path against a resource type,
//! so that evaluators and SQL translators know each attribute's canonical
//! name, type and case sensitivity, and checks that every comparison makes
//! sense for the attribute's type.

use compact_str::CompactString;
use scimhub_schema::datetime::DateTime;
use scimhub_schema::message::ScimType;
use scimhub_schema::{Attribute, AttributeType, ResolvedAttribute, ResourceTypeRef};

use crate::ast::{AttrPath, CompValue, CompareOp, Filter, Name, PatchPath, Test};
use crate::error::{Error, ErrorKind, Result};

/// An attribute path resolved against a resource type.
///
/// Names are in the schema's spelling. Inside a value path the path is
/// relative to one element: `attribute` is the multi-valued parent and
/// `sub` the element's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundPath {
    /// The URN of the extension holding the attribute; `None` for the core
    /// schema and the common attributes.
    pub extension: Option<String>,
    /// The top-level attribute.
    pub attribute: String,
    /// The sub-attribute, if the path names one (or, for a comparison on
    /// a complex attribute, its implied `value`).
    pub sub: Option<String>,
    /// The type of the value the path ends at.
    pub attr_type: AttributeType,
    /// Whether strings at the path compare case-sensitively.
    pub case_exact: bool,
    /// Whether the top-level attribute is multi-valued.
    pub multi_valued: bool,
    /// Whether the value the path ends at is itself multi-valued (a
    /// multi-valued sub-attribute, or a multi-valued simple attribute).
    pub leaf_multi_valued: bool,
}

impl BoundPath {
    fn from_resolved(r: &ResolvedAttribute<'_>) -> BoundPath {
        let leaf = r.definition();
        BoundPath {
            extension: r.extension().map(|e| e.id().to_owned()),
            attribute: r.attribute().name().to_owned(),
            sub: r.sub_attribute().map(|s| s.name().to_owned()),
            attr_type: leaf.attr_type(),
            case_exact: leaf.case_exact() || leaf.attr_type() == AttributeType::Binary,
            multi_valued: r.attribute().multi_valued(),
            leaf_multi_valued: leaf.multi_valued(),
        }
    }

    /// The canonical text of the path (`name.givenName`,
    /// `urn:…:enterprise:2.0:User:manager.value`).
    pub fn canonical(&self) -> String {
        let mut s = String::new();
        if let Some(e) = &self.extension {
            s.push_str(e);
            s.push(':');
        }
        s.push_str(&self.attribute);
        if let Some(sub) = &self.sub {
            s.push('.');
            s.push_str(sub);
        }
        s
    }
}

/// A comparison value checked against the attribute's type.
#[derive(Debug, Clone, PartialEq)]
pub enum BoundValue {
    /// `null`: `eq null` tests absence, `ne null` presence.
    Null,
    /// A boolean (also from the strings `"true"`/`"false"`).
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string, for string, reference and binary attributes.
    Str(CompactString),
    /// A dateTime, parsed, with its text.
    DateTime(DateTime, CompactString),
}

/// A filter bound to a resource type: what evaluators and SQL translators
/// consume. `Group` nodes are gone; a value path with a trailing test
/// (`emails[type eq "work"].value eq "x"`) becomes a value path whose
/// filter is the conjunction of both.
#[derive(Debug, Clone, PartialEq)]
pub enum BoundFilter {
    /// The path has a value.
    Present(BoundPath),
    /// The path compared with a value.
    Compare(BoundPath, CompareOp, BoundValue),
    /// Some element of `attr` satisfies `filter` (whose paths are relative
    /// to the element).
    ValuePath {
        /// The multi-valued or complex attribute.
        attr: BoundPath,
        /// The element filter.
        filter: Box<BoundFilter>,
    },
    /// Negation.
    Not(Box<BoundFilter>),
    /// Conjunction.
    And(Vec<BoundFilter>),
    /// Disjunction.
    Or(Vec<BoundFilter>),
}

/// A PATCH path bound to a resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundPatchPath {
    /// The attribute (with its sub-attribute when there is no filter, as in
    /// `name.givenName`).
    pub attr: BoundPath,
    /// The element filter of a value path.
    pub filter: Option<BoundFilter>,
    /// The sub-attribute after a value path (`emails[…].value`), bound.
    pub sub: Option<BoundPath>,
}

fn unknown(e: &scimhub_schema::Error, scim_type: ScimType) -> Error {
    Error::bind(ErrorKind::UnknownAttribute, e.to_string(), scim_type)
}

fn resolve<'r>(
    rt: ResourceTypeRef<'r>,
    path: &AttrPath,
    scim_type: ScimType,
) -> Result<ResolvedAttribute<'r>> {
    rt.resolve_parts(
        path.urn.as_deref(),
        path.name.as_str(),
        path.sub.as_ref().map(Name::as_str),
    )
    .map_err(|e| unknown(&e, scim_type))
}

/// `schemas`, which every resource carries but no schema defines: a
/// multi-valued list of URIs, compared ignoring case (RFC 7644 §3.4.2.2
/// filters on it in its examples).
fn schemas_path(path: &AttrPath) -> Option<BoundPath> {
    (path.urn.is_none() && path.sub.is_none() && path.name.eq_ignore_case("schemas")).then(|| {
        BoundPath {
            extension: None,
            attribute: "schemas".to_owned(),
            sub: None,
            attr_type: AttributeType::Reference,
            case_exact: false,
            multi_valued: true,
            leaf_multi_valued: true,
        }
    })
}

/// Resolves an attribute path (as `sortBy` names one).
pub fn bind_path(path: &AttrPath, rt: ResourceTypeRef<'_>) -> Result<BoundPath> {
    if let Some(p) = schemas_path(path) {
        return Ok(p);
    }
    Ok(BoundPath::from_resolved(&resolve(
        rt,
        path,
        ScimType::InvalidPath,
    )?))
}

/// Binds a filter to a resource type, checking every attribute exists and
/// every comparison suits the attribute's type. Errors are
/// `invalidFilter`.
pub fn bind(filter: &Filter, rt: ResourceTypeRef<'_>) -> Result<BoundFilter> {
    Binder {
        rt,
        scim_type: ScimType::InvalidFilter,
    }
    .filter(filter, None)
}

/// Binds a PATCH path; errors are `invalidPath`.
pub fn bind_patch_path(path: &PatchPath, rt: ResourceTypeRef<'_>) -> Result<BoundPatchPath> {
    let b = Binder {
        rt,
        scim_type: ScimType::InvalidPath,
    };
    let resolved = resolve(rt, &path.attr, b.scim_type)?;
    let attr = BoundPath::from_resolved(&resolved);
    let (filter, sub) = match &path.filter {
        None => (None, None),
        Some(f) => {
            let parent = resolved.attribute();
            let filter = b.filter(f, Some((&resolved, parent)))?;
            let sub = match &path.sub {
                None => None,
                Some(s) => {
                    let sub_attr = parent.sub_attribute(s.as_str()).ok_or_else(|| {
                        Error::bind(
                            ErrorKind::UnknownAttribute,
                            format!("'{}' has no sub-attribute '{s}'", attr.canonical()),
                            b.scim_type,
                        )
                    })?;
                    Some(element_path(&attr, sub_attr))
                }
            };
            (Some(filter), sub)
        }
    };
    Ok(BoundPatchPath { attr, filter, sub })
}

/// The path of a sub-attribute of the element of `parent`.
fn element_path(parent: &BoundPath, sub: &Attribute) -> BoundPath {
    BoundPath {
        extension: parent.extension.clone(),
        attribute: parent.attribute.clone(),
        sub: Some(sub.name().to_owned()),
        attr_type: sub.attr_type(),
        case_exact: sub.case_exact() || sub.attr_type() == AttributeType::Binary,
        multi_valued: parent.multi_valued,
        leaf_multi_valued: sub.multi_valued(),
    }
}

struct Binder<'r> {
    rt: ResourceTypeRef<'r>,
    scim_type: ScimType,
}

impl<'r> Binder<'r> {
    fn error(&self, kind: ErrorKind, detail: String) -> Error {
        Error::bind(kind, detail, self.scim_type)
    }

    /// Binds `filter`; inside a value path `element` is the parent's
    /// resolution and definition, and paths name its sub-attributes.
    fn filter(
        &self,
        filter: &Filter,
        element: Option<(&ResolvedAttribute<'r>, &'r Attribute)>,
    ) -> Result<BoundFilter> {
        Ok(match filter {
            Filter::Attr(e) => {
                let path = match element {
                    None => self.path(&e.path)?,
                    Some((parent, def)) => self.element(parent, def, &e.path)?,
                };
                self.test(path, &e.test)?
            }
            Filter::ValuePath(v) => {
                if element.is_some() {
                    return Err(self.error(
                        ErrorKind::Syntax,
                        "a value filter cannot contain another value filter".into(),
                    ));
                }
                let resolved = resolve(self.rt, &v.attr, self.scim_type)?;
                let def = resolved.attribute();
                if def.attr_type() != AttributeType::Complex {
                    return Err(self.error(
                        ErrorKind::IncompatibleComparison,
                        format!(
                            "'{}' is not a complex attribute and has no elements to filter with '[…]'",
                            resolved.canonical_path()
                        ),
                    ));
                }
                let attr = BoundPath::from_resolved(&resolved);
                let inner = self.filter(&v.filter, Some((&resolved, def)))?;
                let inner = match &v.then {
                    None => inner,
                    Some((sub, test)) => {
                        let sub_path = AttrPath {
                            urn: None,
                            name: sub.clone(),
                            sub: None,
                        };
                        let then = self.test(self.element(&resolved, def, &sub_path)?, test)?;
                        BoundFilter::And(vec![inner, then])
                    }
                };
                BoundFilter::ValuePath {
                    attr,
                    filter: Box::new(inner),
                }
            }
            Filter::Not(f) => BoundFilter::Not(Box::new(self.filter(f, element)?)),
            Filter::Group(f) => self.filter(f, element)?,
            Filter::And(fs) => BoundFilter::And(
                fs.iter()
                    .map(|f| self.filter(f, element))
                    .collect::<Result<_>>()?,
            ),
            Filter::Or(fs) => BoundFilter::Or(
                fs.iter()
                    .map(|f| self.filter(f, element))
                    .collect::<Result<_>>()?,
            ),
        })
    }

    fn path(&self, path: &AttrPath) -> Result<BoundPath> {
        if let Some(p) = schemas_path(path) {
            return Ok(p);
        }
        Ok(BoundPath::from_resolved(&resolve(
            self.rt,
            path,
            self.scim_type,
        )?))
    }

    /// A path inside `parent[…]`: a bare sub-attribute name.
    fn element(
        &self,
        parent: &ResolvedAttribute<'r>,
        def: &'r Attribute,
        path: &AttrPath,
    ) -> Result<BoundPath> {
        if path.urn.is_some() || path.sub.is_some() {
            return Err(self.error(
                ErrorKind::UnknownAttribute,
                format!(
                    "inside '{}[…]' name a sub-attribute of '{}' on its own, not '{path}'",
                    parent.canonical_path(),
                    def.name()
                ),
            ));
        }
        let sub = def.sub_attribute(path.name.as_str()).ok_or_else(|| {
            self.error(
                ErrorKind::UnknownAttribute,
                format!(
                    "'{}' has no sub-attribute '{}'",
                    parent.canonical_path(),
                    path.name
                ),
            )
        })?;
        Ok(element_path(&BoundPath::from_resolved(parent), sub))
    }

    /// Checks a test against the path's type and converts its value.
    fn test(&self, mut path: BoundPath, test: &Test) -> Result<BoundFilter> {
        let (op, value) = match test {
            Test::Present => return Ok(BoundFilter::Present(path)),
            Test::Compare(op, v) => (*op, v),
        };
        // A comparison on a complex attribute without a sub-attribute
        // compares its `value` sub-attribute (RFC 7644 §3.4.2.2, e.g.
        // `emails co "example.com"`).
        if path.attr_type == AttributeType::Complex && path.sub.is_none() {
            let implied = self
                .rt
                .resolve_parts(path.extension.as_deref(), &path.attribute, Some("value"))
                .ok();
            match implied {
                Some(r) => path = BoundPath::from_resolved(&r),
                None => {
                    return Err(self.error(
                        ErrorKind::IncompatibleComparison,
                        format!(
                            "'{}' is complex; compare one of its sub-attributes, or use 'pr'",
                            path.canonical()
                        ),
                    ));
                }
            }
        }
        let value = self.value(&path, op, value)?;
        Ok(BoundFilter::Compare(path, op, value))
    }

    fn value(&self, path: &BoundPath, op: CompareOp, value: &CompValue) -> Result<BoundValue> {
        use AttributeType as T;
        let name = path.canonical();
        let mismatch = |what: &str| {
            self.error(
                ErrorKind::IncompatibleComparison,
                format!("'{name}' is of type {}; {what}", path.attr_type),
            )
        };
        if let CompValue::Null = value {
            return match op {
                CompareOp::Eq | CompareOp::Ne => Ok(BoundValue::Null),
                _ => Err(mismatch(&format!(
                    "'{op} null' is meaningless; use 'eq null', 'ne null' or 'pr'"
                ))),
            };
        }
        match path.attr_type {
            T::String | T::Reference => match value {
                CompValue::Str(s) => Ok(BoundValue::Str(CompactString::from(s.as_str()))),
                _ => Err(mismatch("compare it with a quoted string")),
            },
            T::Binary => {
                if op != CompareOp::Eq && op != CompareOp::Ne {
                    return Err(mismatch(&format!(
                        "'{op}' is not defined for binary values; use eq or ne"
                    )));
                }
                match value {
                    CompValue::Str(s) => Ok(BoundValue::Str(CompactString::from(s.as_str()))),
                    _ => Err(mismatch("compare it with a quoted base64 string")),
                }
            }
            T::Boolean => {
                if op != CompareOp::Eq && op != CompareOp::Ne {
                    return Err(mismatch(&format!(
                        "'{op}' is not defined for booleans; use eq or ne"
                    )));
                }
                match value {
                    CompValue::Bool(b) => Ok(BoundValue::Bool(*b)),
                    CompValue::Str(s) if s.eq_ignore_ascii_case("true") => {
                        Ok(BoundValue::Bool(true))
                    }
                    CompValue::Str(s) if s.eq_ignore_ascii_case("false") => {
                        Ok(BoundValue::Bool(false))
                    }
                    _ => Err(mismatch("compare it with true or false")),
                }
            }
            T::Integer | T::Decimal => {
                if op.is_substring() {
                    return Err(mismatch(&format!("'{op}' is not defined for numbers")));
                }
                match value {
                    CompValue::Int(i) => Ok(BoundValue::Int(*i)),
                    CompValue::Float(f) => Ok(BoundValue::Float(*f)),
                    _ => Err(mismatch("compare it with a number")),
                }
            }
            T::DateTime => {
                if op.is_substring() {
                    return Err(mismatch(&format!(
                        "'{op}' is not defined for dateTime values; use eq, ne, gt, ge, lt or le"
                    )));
                }
                match value {
                    CompValue::Str(s) => match DateTime::parse(s) {
                        Ok(dt) => Ok(BoundValue::DateTime(dt, CompactString::from(s.as_str()))),
                        Err(e) => Err(mismatch(&format!(
                            "\"{s}\" is not an xsd:dateTime such as 2011-05-13T04:42:34Z ({e})"
                        ))),
                    },
                    _ => Err(mismatch(
                        "compare it with a quoted xsd:dateTime such as \"2011-05-13T04:42:34Z\"",
                    )),
                }
            }
            T::Complex => Err(mismatch("compare one of its sub-attributes")),
        }
    }
}
