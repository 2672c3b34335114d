//! The crate's one error type.

use std::fmt;

use scimhub_schema::message::ScimType;

/// A `Result` whose error defaults to this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a filter or path was refused: by the parser (with the byte offset
/// where parsing stopped) or by the binder (with the attribute concerned).
///
/// `Display` is a one-line detail fit for a SCIM `invalidFilter` or
/// `invalidPath` response; [`Error::snippet`] adds the input with a caret
/// under the failing byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct Error {
    kind: ErrorKind,
    offset: Option<usize>,
    detail: String,
    input: Option<String>,
    scim_type: ScimType,
}

/// The kinds of [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is longer than the parser's length limit.
    TooLong,
    /// Parentheses, `not` and brackets nest deeper than the parser's nest
    /// limit.
    NestLimitExceeded,
    /// Something other than what the grammar allows here.
    Syntax,
    /// An attribute or sub-attribute name breaks the `ATTRNAME` grammar.
    InvalidAttributeName,
    /// A string value is unterminated, holds a raw control character or a
    /// bad escape.
    InvalidString,
    /// A number value is malformed or out of range.
    InvalidNumber,
    /// A value path inside a value path's brackets.
    NestedValuePath,
    /// The binder found no such attribute in the resource type.
    UnknownAttribute,
    /// The binder found a value or operator the attribute's type does not
    /// allow (`gt` on a boolean, a string compared with an integer).
    IncompatibleComparison,
}

impl Error {
    pub(crate) fn parse(
        kind: ErrorKind,
        input: &str,
        offset: usize,
        expected: &str,
        scim_type: ScimType,
        what: &str,
    ) -> Error {
        let found = found(input, offset);
        let detail = match kind {
            ErrorKind::TooLong => format!("{what} is too long: {expected}"),
            ErrorKind::NestLimitExceeded => format!(
                "{what} nests parentheses, 'not' or brackets too deeply at byte {offset}: {expected}"
            ),
            ErrorKind::NestedValuePath => format!(
                "invalid {what} at byte {offset}: a value filter cannot contain another value filter ('[' inside '[…]')"
            ),
            _ if expected.is_empty() => format!("invalid {what} at byte {offset}, {found}"),
            _ => format!("invalid {what} at byte {offset}: expected {expected}, {found}"),
        };
        Error {
            kind,
            offset: Some(offset),
            detail,
            input: Some(input.to_owned()),
            scim_type,
        }
    }

    pub(crate) fn bind(kind: ErrorKind, detail: String, scim_type: ScimType) -> Error {
        Error {
            kind,
            offset: None,
            detail,
            input: None,
            scim_type,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The byte offset in the input where parsing failed (parse errors
    /// only).
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// The SCIM `scimType` of the error: `invalidFilter` for filters,
    /// `invalidPath` for PATCH and attribute paths.
    pub fn scim_type(&self) -> ScimType {
        self.scim_type
    }

    /// The input around the failing byte and a caret under it, on two
    /// lines; `None` for binder errors.
    ///
    /// ```
    /// let err = scimhub_filter::parse_filter(r#"userName zz "bjensen""#).unwrap_err();
    /// assert_eq!(err.snippet().unwrap(), "userName zz \"bjensen\"\n         ^");
    /// ```
    pub fn snippet(&self) -> Option<String> {
        let input = self.input.as_deref()?;
        let offset = self.offset?;
        // Show at most 60 characters before the failing byte.
        let start = input
            .char_indices()
            .map(|(i, _)| i)
            .filter(|&i| i <= offset && offset - i <= 60)
            .min()
            .unwrap_or(0);
        let end = input
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| i > offset && i - offset > 60)
            .unwrap_or(input.len());
        let line: String = input
            .get(start..end)
            .unwrap_or("")
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let pad = input.get(start..offset).map_or(0, |s| s.chars().count());
        Some(format!("{line}\n{}^", " ".repeat(pad)))
    }
}

/// "found 'xyz'" or "found the end of the input".
fn found(input: &str, offset: usize) -> String {
    let rest = input.get(offset..).unwrap_or("");
    if rest.is_empty() {
        return "found the end of the input".to_owned();
    }
    let word: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(16)
        .collect();
    let word = if word.is_empty() {
        rest.chars().take(1).collect()
    } else {
        word
    };
    format!("found '{}'", word.escape_debug())
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::TooLong => "input too long",
            ErrorKind::NestLimitExceeded => "nesting limit exceeded",
            ErrorKind::Syntax => "syntax error",
            ErrorKind::InvalidAttributeName => "invalid attribute name",
            ErrorKind::InvalidString => "invalid string",
            ErrorKind::InvalidNumber => "invalid number",
            ErrorKind::NestedValuePath => "nested value path",
            ErrorKind::UnknownAttribute => "unknown attribute",
            ErrorKind::IncompatibleComparison => "incompatible comparison",
        })
    }
}
