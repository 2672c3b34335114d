//! The SCIM 2.0 filter and PATCH-path grammar (RFC 7644 §3.4.2.2 and
//! §3.5.2): a nom parser, a syntax-faithful AST that prints back, a binder
//! that resolves it against a schema registry, and an evaluator over JSON.
//!
//! This crate is for turning untrusted filter and path text into something
//! a store or a PATCH engine can use. It does no I/O and knows nothing of
//! HTTP or storage.
//!
//! ```
//! use scimhub_filter::{bind, parse_filter};
//! use scimhub_schema::Registry;
//! use serde_json::json;
//!
//! // Parse: text → AST. The AST prints back in canonical form.
//! let filter = parse_filter(r#"userName Eq "bjensen" and not (emails[type eq "work"])"#)?;
//! assert_eq!(filter.to_string(), r#"userName eq "bjensen" and not (emails[type eq "work"])"#);
//!
//! // Bind: AST → a filter resolved against a resource type's schemas.
//! let registry = Registry::standard();
//! let users = registry.resource_type("User").expect("built in");
//! let bound = bind(&filter, users)?;
//!
//! // Evaluate against a resource.
//! let user = json!({"userName": "BJensen", "emails": [{"value": "b@example.com", "type": "home"}]});
//! assert!(bound.matches(&user), "userName is not caseExact, and no work email exists");
//! # Ok::<(), scimhub_filter::Error>(())
//! ```
//!
//! # Grammar
//!
//! The whole filter ABNF of RFC 7644 Figure 1: attribute paths with an
//! optional schema URN prefix and sub-attribute; `eq ne co sw ew gt lt ge
//! le pr` in any case; JSON values (`true`, `false`, `null`, numbers,
//! strings with every escape); `and` binding tighter than `or`;
//! `not (…)`; parentheses; value paths `attr[filter]`. Whitespace may be
//! repeated wherever the RFC puts one space, and may be left out next to
//! parentheses and brackets. Keywords, operators and `true`/`false`/`null`
//! are read in any case.
//!
//! One extension, because identity providers send it: a value path may be
//! followed by a sub-attribute and a test,
//! `emails[type eq "work"].value eq "a@b.c"`, meaning "some element whose
//! type is work and whose value equals a@b.c" (one and the same element).
//!
//! PATCH paths ([`parse_patch_path`]) are `attrPath`, `valuePath` and
//! `valuePath "." subAttr`; plain attribute paths ([`parse_attr_path`]) are
//! what `sortBy` and `attributes` take.
//!
//! # Input safety
//!
//! No input panics or overflows the stack. The [`Parser`] enforces a
//! length limit (default [`DEFAULT_LENGTH_LIMIT`] bytes) and a nest limit
//! (default [`DEFAULT_NEST_LIMIT`]) on `not (…)`, `(…)` and `[…]`; an
//! input beyond either is an ordinary error. Chains of `and`/`or` are parsed
//! iteratively and stored flat, so their length costs no stack.
//!
//! # Error reporting
//!
//! [`Error`] carries an [`ErrorKind`], the byte offset where parsing
//! stopped and a one-line `Display` such as
//! `invalid filter at byte 9: expected an operator (eq, ne, co, sw, ew, gt,
//! lt, ge, le, pr), found 'zz'`; [`Error::snippet`] draws a caret under the
//! byte; [`Error::scim_type`] is `invalidFilter` or `invalidPath`.
//!
//! # Evaluation rules
//!
//! See [`BoundFilter::matches`]: names resolve case-insensitively, strings
//! compare case-insensitively unless `caseExact`, dateTimes as instants,
//! numbers as numbers; a multi-valued attribute matches when any value does;
//! a value path needs one element to satisfy its whole filter; `pr` is false
//! for null, empty strings, arrays and objects. Where the RFC is silent:
//! `ne` is the negation of `eq` (so it is true for an absent attribute),
//! `eq null` is true exactly when the attribute is absent, and ordering
//! operators are false for absent attributes.
//!
//! # Crate features
//!
//! - `arbitrary`: implements `arbitrary::Arbitrary` for every AST type, so
//!   fuzzers can generate filters structurally.

#![doc(test(attr(deny(warnings))))]

pub mod ast;
mod bind;
mod error;
mod eval;
mod parse;
mod print;
mod text;

pub use ast::{AttrExp, AttrPath, CompValue, CompareOp, Filter, Name, PatchPath, Test, ValuePath};
pub use bind::{
    BoundFilter, BoundPatchPath, BoundPath, BoundValue, bind, bind_patch_path, bind_path,
};
pub use error::{Error, ErrorKind, Result};
pub use text::Text;

use scimhub_schema::message::ScimType;

/// The default maximum input length, in bytes: long enough for any filter
/// an identity provider sends (they are tens of bytes), short enough to
/// bound the work of one request.
pub const DEFAULT_LENGTH_LIMIT: usize = 8 * 1024;

/// The default maximum nesting of `not (…)`, `(…)` and `[…]`.
pub const DEFAULT_NEST_LIMIT: u32 = 32;

/// The largest nest limit a [`ParserBuilder`] accepts: deeper nesting could
/// exhaust a small thread stack while parsing or dropping the AST.
pub const MAX_NEST_LIMIT: u32 = 64;

/// A parser with its limits.
///
/// ```
/// use scimhub_filter::{ErrorKind, Parser};
///
/// let parser = Parser::builder().nest_limit(2).build();
/// assert!(parser.parse_filter("((a pr))").is_ok());
/// let err = parser.parse_filter("(((a pr)))").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::NestLimitExceeded);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parser {
    length_limit: usize,
    nest_limit: u32,
}

/// Configures a [`Parser`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParserBuilder {
    parser: Parser,
}

impl Default for Parser {
    fn default() -> Self {
        Parser {
            length_limit: DEFAULT_LENGTH_LIMIT,
            nest_limit: DEFAULT_NEST_LIMIT,
        }
    }
}

impl ParserBuilder {
    /// The maximum input length in bytes.
    pub fn length_limit(mut self, bytes: usize) -> Self {
        self.parser.length_limit = bytes;
        self
    }

    /// The maximum nesting of `not (…)`, `(…)` and `[…]` (capped at
    /// [`MAX_NEST_LIMIT`]).
    pub fn nest_limit(mut self, depth: u32) -> Self {
        self.parser.nest_limit = depth.min(MAX_NEST_LIMIT);
        self
    }

    /// The parser.
    pub fn build(self) -> Parser {
        self.parser
    }
}

impl Parser {
    /// A builder starting from the defaults.
    pub fn builder() -> ParserBuilder {
        ParserBuilder {
            parser: Parser::default(),
        }
    }

    /// The length limit in bytes.
    pub fn length_limit(&self) -> usize {
        self.length_limit
    }

    /// The nest limit.
    pub fn nest_limit(&self) -> u32 {
        self.nest_limit
    }

    fn run<'a, T>(
        &self,
        input: &'a str,
        scim_type: ScimType,
        what: &str,
        rule: impl FnOnce(&'a str, parse::Cx<'a>) -> nom::IResult<&'a str, T, parse::PErr<'a>>,
        trailing: &str,
    ) -> Result<T> {
        if input.len() > self.length_limit {
            return Err(Error::parse(
                ErrorKind::TooLong,
                input.get(..0).unwrap_or(""),
                0,
                &format!("{} bytes, the limit is {}", input.len(), self.length_limit),
                scim_type,
                what,
            ));
        }
        let cx = parse::Cx {
            src: input,
            depth: 0,
            nest_limit: self.nest_limit,
            in_brackets: false,
        };
        let at = |rest: &str| input.len() - rest.len();
        let (start, _) = parse::ws0(input).unwrap_or((input, ""));
        match rule(start, cx) {
            Ok((rest, value)) => {
                let (rest, _) = parse::ws0(rest).unwrap_or((rest, ""));
                if rest.is_empty() {
                    Ok(value)
                } else {
                    Err(Error::parse(
                        ErrorKind::Syntax,
                        input,
                        at(rest),
                        trailing,
                        scim_type,
                        what,
                    ))
                }
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                let expected = match e.kind {
                    ErrorKind::NestLimitExceeded => {
                        format!("the limit is {}", self.nest_limit)
                    }
                    _ => e.expected.to_owned(),
                };
                Err(Error::parse(
                    e.kind,
                    input,
                    at(e.input),
                    &expected,
                    scim_type,
                    what,
                ))
            }
            Err(nom::Err::Incomplete(_)) => Err(Error::parse(
                ErrorKind::Syntax,
                input,
                input.len(),
                "more input",
                scim_type,
                what,
            )),
        }
    }

    /// Parses a filter (the `filter` query parameter).
    pub fn parse_filter(&self, input: &str) -> Result<Filter> {
        self.run(
            input,
            ScimType::InvalidFilter,
            "filter",
            parse::filter,
            "'and', 'or' or the end of the filter",
        )
    }

    /// Parses an attribute path (`sortBy`, `attributes`):
    /// `[URI ":"] ATTRNAME ["." ATTRNAME]`.
    pub fn parse_attr_path(&self, input: &str) -> Result<AttrPath> {
        self.run(
            input,
            ScimType::InvalidPath,
            "attribute path",
            |i, _| parse::attr_path(i),
            "the end of the attribute path",
        )
    }

    /// Parses a PATCH path (RFC 7644 §3.5.2).
    pub fn parse_patch_path(&self, input: &str) -> Result<PatchPath> {
        self.run(
            input,
            ScimType::InvalidPath,
            "PATCH path",
            parse::patch_path,
            "the end of the path ('.' and a sub-attribute may follow ']')",
        )
    }
}

/// Parses a filter with the default limits.
pub fn parse_filter(input: &str) -> Result<Filter> {
    Parser::default().parse_filter(input)
}

/// Parses an attribute path with the default limits.
pub fn parse_attr_path(input: &str) -> Result<AttrPath> {
    Parser::default().parse_attr_path(input)
}

/// Parses a PATCH path with the default limits.
pub fn parse_patch_path(input: &str) -> Result<PatchPath> {
    Parser::default().parse_patch_path(input)
}
