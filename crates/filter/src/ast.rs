//! The syntax-faithful AST of filters, attribute paths and PATCH paths.
//!
//! Every node owns its data (`Send + Sync + 'static`), so a parsed filter
//! can be stored, cached or handed to another thread. Attribute names keep
//! the spelling of the input; compare them with [`Name::eq_ignore_case`].
//!
//! # Shape invariants
//!
//! The parser produces ASTs of one shape, and [`Display`](std::fmt::Display)
//! prints them back to text that parses to an equal AST:
//!
//! - [`Filter::And`] and [`Filter::Or`] hold at least two operands;
//! - an operand of `And` is neither `And` nor `Or`, and an operand of `Or`
//!   is not `Or` (a chain `a and b and c` is one `And` of three; explicit
//!   parentheses are a [`Filter::Group`]);
//! - an [`AttrPath`] used as the attribute of a [`ValuePath`] has no
//!   sub-attribute, and the filter inside the brackets holds no value path.
//!
//! ASTs built by hand that break these rules still print as valid filters
//! with the same meaning (the printer adds parentheses), but may parse back
//! to a differently shaped AST.

use crate::text::Text;

/// An attribute or sub-attribute name, as spelled in the input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Name(pub(crate) Text);

impl Name {
    /// A name; the caller is responsible for it following the grammar
    /// (`ALPHA *(ALPHA / DIGIT / "-" / "_")`, or `$ref`).
    pub fn new(name: &str) -> Name {
        Name(Text::new(name))
    }
    /// The name as spelled.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
    /// Whether two names are the same attribute: ASCII case-insensitive,
    /// as RFC 7643 §2.1 says.
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// `attrPath = [URI ":"] ATTRNAME *1subAttr` (RFC 7644 §3.4.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct AttrPath {
    /// The schema URN prefix, without the `:` that ends it.
    pub urn: Option<Text>,
    /// The attribute name.
    pub name: Name,
    /// The sub-attribute name.
    pub sub: Option<Name>,
}

impl AttrPath {
    /// `name` with no URN and no sub-attribute.
    pub fn new(name: &str) -> AttrPath {
        AttrPath {
            urn: None,
            name: Name::new(name),
            sub: None,
        }
    }

    /// Adds a sub-attribute.
    pub fn with_sub(mut self, sub: &str) -> AttrPath {
        self.sub = Some(Name::new(sub));
        self
    }

    /// Adds a schema URN prefix.
    pub fn with_urn(mut self, urn: &str) -> AttrPath {
        self.urn = Some(Text::new(urn));
        self
    }
}

/// The comparison operators of RFC 7644 §3.4.2.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum CompareOp {
    /// `eq`: equal.
    Eq,
    /// `ne`: not equal.
    Ne,
    /// `co`: contains.
    Co,
    /// `sw`: starts with.
    Sw,
    /// `ew`: ends with.
    Ew,
    /// `gt`: greater than.
    Gt,
    /// `lt`: less than.
    Lt,
    /// `ge`: greater than or equal.
    Ge,
    /// `le`: less than or equal.
    Le,
}

impl CompareOp {
    /// Every operator.
    pub const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Lt,
        CompareOp::Ge,
        CompareOp::Le,
    ];

    /// The operator as the canonical form prints it (lower case).
    pub const fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Lt => "lt",
            CompareOp::Ge => "ge",
            CompareOp::Le => "le",
        }
    }

    /// Whether the operator orders values (`gt`, `lt`, `ge`, `le`).
    pub const fn is_ordering(self) -> bool {
        matches!(
            self,
            CompareOp::Gt | CompareOp::Lt | CompareOp::Ge | CompareOp::Le
        )
    }

    /// Whether the operator matches substrings (`co`, `sw`, `ew`).
    pub const fn is_substring(self) -> bool {
        matches!(self, CompareOp::Co | CompareOp::Sw | CompareOp::Ew)
    }
}

/// `compValue = false / null / true / number / string` (JSON values).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum CompValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A JSON number without fraction or exponent that fits an `i64`.
    Int(i64),
    /// Any other JSON number (always finite).
    Float(f64),
    /// A JSON string, unescaped.
    Str(Text),
}

impl CompValue {
    /// A string value.
    pub fn str(s: &str) -> CompValue {
        CompValue::Str(Text::new(s))
    }
}

/// What an attribute expression tests: presence, or a comparison.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Test {
    /// `pr`: the attribute has a value.
    Present,
    /// `op value`.
    Compare(CompareOp, CompValue),
}

/// `attrExp = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct AttrExp {
    /// The attribute tested.
    pub path: AttrPath,
    /// The test.
    pub test: Test,
}

/// `valuePath = attrPath "[" valFilter "]"`, optionally followed by
/// `"." subAttr` and a test — the form identity providers send,
/// `emails[type eq "work"].value eq "a@b.c"`, meaning "some element with
/// type work whose value equals a@b.c".
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ValuePath {
    /// The multi-valued (or complex) attribute; it has no sub-attribute.
    pub attr: AttrPath,
    /// The filter each element is tested with; its paths name
    /// sub-attributes of `attr`.
    pub filter: Filter,
    /// The identity-provider extension: a sub-attribute of the same
    /// element and a test on it.
    pub then: Option<(Name, Test)>,
}

/// A filter expression (RFC 7644 §3.4.2.2, Figure 1).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Filter {
    /// An attribute expression (boxed, so that a `Filter` stays small and
    /// cheap to move while parsing).
    Attr(Box<AttrExp>),
    /// A value path.
    ValuePath(Box<ValuePath>),
    /// `not ( filter )`.
    Not(Box<Filter>),
    /// Operands joined by `and` (two or more).
    And(Vec<Filter>),
    /// Operands joined by `or` (two or more).
    Or(Vec<Filter>),
    /// `( filter )`: parentheses kept as written.
    Group(Box<Filter>),
}

impl Filter {
    /// `path op value`.
    pub fn compare(path: AttrPath, op: CompareOp, value: CompValue) -> Filter {
        Filter::Attr(Box::new(AttrExp {
            path,
            test: Test::Compare(op, value),
        }))
    }

    /// `path pr`.
    pub fn present(path: AttrPath) -> Filter {
        Filter::Attr(Box::new(AttrExp {
            path,
            test: Test::Present,
        }))
    }

    /// The nesting depth: 1 for a leaf, plus one for each `not`, group and
    /// value path enclosing it.
    pub fn depth(&self) -> usize {
        match self {
            Filter::Attr(_) => 1,
            Filter::ValuePath(v) => 1 + v.filter.depth(),
            Filter::Not(f) | Filter::Group(f) => 1 + f.depth(),
            Filter::And(v) | Filter::Or(v) => v.iter().map(Filter::depth).max().unwrap_or(0),
        }
    }
}

/// A PATCH path (RFC 7644 §3.5.2): `attrPath / valuePath [subAttr]`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct PatchPath {
    /// The attribute; with `filter` set it has no sub-attribute.
    pub attr: AttrPath,
    /// The value filter selecting elements of a multi-valued attribute.
    pub filter: Option<Filter>,
    /// A sub-attribute of the selected elements (`emails[type eq "work"].value`).
    pub sub: Option<Name>,
}
