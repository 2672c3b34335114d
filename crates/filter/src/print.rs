//! The canonical printer: `Display` for every AST node.
//!
//! The canonical form uses single spaces, lower-case operators and
//! keywords, JSON string escapes for `"`, `\` and control characters (other
//! characters, non-ASCII included, print as themselves), and numbers in a
//! form that parses back to the same value and kind.

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::{AttrExp, AttrPath, CompValue, CompareOp, Filter, PatchPath, Test, ValuePath};

impl Display for CompareOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Display for AttrPath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            f.write_str(urn)?;
            f.write_char(':')?;
        }
        f.write_str(self.name.as_str())?;
        if let Some(sub) = &self.sub {
            f.write_char('.')?;
            f.write_str(sub.as_str())?;
        }
        Ok(())
    }
}

/// Writes `s` as a JSON string.
pub(crate) fn write_json_string(f: &mut impl Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escaped = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        f.write_str(s.get(start..i).unwrap_or(""))?;
        match escaped {
            Some(e) => f.write_str(e)?,
            None => write!(f, "\\u{:04x}", c as u32)?,
        }
        start = i + c.len_utf8();
    }
    f.write_str(s.get(start..).unwrap_or(""))?;
    f.write_char('"')
}

impl Display for CompValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Int(i) => write!(f, "{i}"),
            CompValue::Float(x) => {
                // Rust prints the shortest text that reads back as the same
                // f64; make sure it reads back as a float, not an integer.
                let text = x.to_string();
                f.write_str(&text)?;
                if !text.contains(['.', 'e', 'E']) {
                    f.write_str(".0")?;
                }
                Ok(())
            }
            CompValue::Str(s) => write_json_string(f, s),
        }
    }
}

impl Display for Test {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Test::Present => f.write_str("pr"),
            Test::Compare(op, v) => write!(f, "{op} {v}"),
        }
    }
}

impl Display for AttrExp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.path, self.test)
    }
}

impl Display for ValuePath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.attr, self.filter)?;
        if let Some((sub, test)) = &self.then {
            write!(f, ".{sub} {test}")?;
        }
        Ok(())
    }
}

impl Display for Filter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Attr(e) => e.fmt(f),
            Filter::ValuePath(v) => v.fmt(f),
            Filter::Not(inner) => write!(f, "not ({inner})"),
            Filter::Group(inner) => write!(f, "({inner})"),
            Filter::And(operands) => join(f, operands, " and ", |o| {
                matches!(o, Filter::And(_) | Filter::Or(_))
            }),
            Filter::Or(operands) => join(f, operands, " or ", |o| matches!(o, Filter::Or(_))),
        }
    }
}

/// Writes operands separated by `sep`, parenthesising those that would
/// otherwise bind differently (only possible in hand-built ASTs).
fn join(
    f: &mut Formatter<'_>,
    operands: &[Filter],
    sep: &str,
    needs_parens: impl Fn(&Filter) -> bool,
) -> fmt::Result {
    for (i, o) in operands.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        if needs_parens(o) {
            write!(f, "({o})")?;
        } else {
            o.fmt(f)?;
        }
    }
    Ok(())
}

impl Display for PatchPath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.attr.fmt(f)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}
