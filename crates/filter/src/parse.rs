//! The grammar, one function per production of RFC 7644 §3.4.2.2 and
//! §3.5.2, written with nom.
//!
//! Recursion goes through `unary`, which charges one unit of nesting budget
//! for each `not (…)`, `(…)` and `[…]` before descending; `and`/`or` chains
//! are loops, so their length costs no stack.

use nom::branch::alt;
use nom::character::complete::char;
use nom::combinator::value;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use crate::ast::{
    AttrExp, AttrPath, CompValue, CompareOp, Filter, Name, PatchPath, Test, ValuePath,
};
use crate::error::ErrorKind;
use crate::text::Text;

/// A parse failure inside the grammar: where, what kind, what was expected.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PErr<'a> {
    pub(crate) input: &'a str,
    pub(crate) kind: ErrorKind,
    pub(crate) expected: &'static str,
}

impl<'a> nom::error::ParseError<&'a str> for PErr<'a> {
    fn from_error_kind(input: &'a str, _kind: nom::error::ErrorKind) -> Self {
        PErr {
            input,
            kind: ErrorKind::Syntax,
            expected: "",
        }
    }
    fn append(_: &'a str, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
    /// Of two alternatives, report the one that got further.
    fn or(self, other: Self) -> Self {
        if other.input.len() < self.input.len() {
            other
        } else {
            self
        }
    }
}

type Res<'a, O> = IResult<&'a str, O, PErr<'a>>;

#[cfg_attr(not(debug_assertions), inline(always))]
fn fail<'a, O>(input: &'a str, kind: ErrorKind, expected: &'static str) -> Res<'a, O> {
    Err(nom::Err::Error(PErr {
        input,
        kind,
        expected,
    }))
}

/// Turns a recoverable error into a failure: once a branch has committed,
/// backtracking would only hide the real problem.
#[cfg_attr(not(debug_assertions), inline(always))]
fn cut_err<'a, O>(r: Res<'a, O>) -> Res<'a, O> {
    r.map_err(|e| match e {
        nom::Err::Error(e) => nom::Err::Failure(e),
        other => other,
    })
}

/// Replaces the expectation of a failing parser.
#[cfg_attr(not(debug_assertions), inline(always))]
fn expect<'a, O>(r: Res<'a, O>, kind: ErrorKind, expected: &'static str) -> Res<'a, O> {
    r.map_err(|e| {
        e.map(|e| PErr {
            input: e.input,
            kind,
            expected,
        })
    })
}

/// Parsing context: the limits, the depth so far, and whether a value
/// path is allowed here.
#[derive(Clone, Copy)]
pub(crate) struct Cx<'a> {
    pub(crate) src: &'a str,
    pub(crate) depth: u32,
    pub(crate) nest_limit: u32,
    pub(crate) in_brackets: bool,
}

impl<'a> Cx<'a> {
    /// One level deeper, or a nesting error at `at`.
    fn deeper(self, at: &'a str) -> Result<Cx<'a>, nom::Err<PErr<'a>>> {
        if self.depth >= self.nest_limit {
            return Err(nom::Err::Failure(PErr {
                input: at,
                kind: ErrorKind::NestLimitExceeded,
                expected: "",
            }));
        }
        Ok(Cx {
            depth: self.depth + 1,
            ..self
        })
    }

    /// The byte just before `i` in the source, if any.
    fn prev_byte(&self, i: &str) -> Option<u8> {
        let at = self.src.len().checked_sub(i.len())?;
        at.checked_sub(1)
            .and_then(|p| self.src.as_bytes().get(p).copied())
    }
}

/// Takes the longest prefix (at least `min` bytes) whose bytes satisfy
/// `pred`. Every predicate here accepts only ASCII bytes, so the split is
/// always on a character boundary; scanning bytes rather than chars is what
/// keeps the hot path short.
#[cfg_attr(not(debug_assertions), inline(always))]
fn span_while(i: &str, min: usize, pred: fn(u8) -> bool) -> Res<'_, &str> {
    let n = i.bytes().position(|b| !pred(b)).unwrap_or(i.len());
    match i.split_at_checked(n) {
        Some((taken, rest)) if n >= min => Ok((rest, taken)),
        _ => fail(i, ErrorKind::Syntax, ""),
    }
}

/// An ASCII keyword in any case.
#[cfg_attr(not(debug_assertions), inline(always))]
fn keyword_ci<'a>(i: &'a str, kw: &'static str) -> Res<'a, &'a str> {
    match (i.get(..kw.len()), i.get(kw.len()..)) {
        (Some(head), Some(rest)) if head.eq_ignore_ascii_case(kw) => Ok((rest, head)),
        _ => fail(i, ErrorKind::Syntax, kw),
    }
}

/// Byte classes, looked up in one table so that the scanning loops cost a
/// load and a test per byte.
const WS: u8 = 1;
/// `ALPHA / DIGIT / "-" / "_"`: what follows the first letter of a name.
const NAME: u8 = 2;
/// What ends the fast path of a string: `"`, `\` or a control character.
const STRING_STOP: u8 = 4;

// `b < 256` in the loop, so the indexing cannot panic (and a const
// evaluation would fail to compile if it did).
#[allow(clippy::indexing_slicing)]
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut class = 0;
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            class |= WS;
        }
        if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' {
            class |= NAME;
        }
        if c == b'"' || c == b'\\' || c < 0x20 {
            class |= STRING_STOP;
        }
        t[b] = class;
        b += 1;
    }
    t
};

#[cfg_attr(not(debug_assertions), inline(always))]
fn class(b: u8) -> u8 {
    // A u8 index into a 256-entry table is always in bounds, so the
    // optimiser drops the check and the fallback.
    CLASS.get(usize::from(b)).copied().unwrap_or(0)
}

#[cfg_attr(not(debug_assertions), inline(always))]
fn is_ws(b: u8) -> bool {
    class(b) & WS != 0
}

/// `*SP` (any whitespace, possibly none).
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn ws0(i: &str) -> Res<'_, &str> {
    span_while(i, 0, is_ws)
}

/// `1*SP`.
#[cfg_attr(not(debug_assertions), inline(always))]
fn ws1(i: &str) -> Res<'_, &str> {
    span_while(i, 1, is_ws)
}

/// `filter = attrExp / logExp / valuePath / *1"not" "(" valFilter ")"`,
/// with `or` binding loosest.
pub(crate) fn filter<'a>(i: &'a str, cx: Cx<'a>) -> Res<'a, Filter> {
    or_exp(i, cx)
}

/// Looks for `kw` (`and`/`or`) after an operand: whitespace before it
/// (unless the operand ended with `)`, `]` or `"`) and whitespace or `(`
/// after it. Returns the input after the keyword and its trailing spaces.
#[cfg_attr(not(debug_assertions), inline(always))]
fn logic_keyword<'a>(i: &'a str, kw: &'static str, cx: Cx<'a>) -> Option<&'a str> {
    let (after_ws, spaces) = ws0(i).ok()?;
    // Cheap rejection before the keyword comparison: most operands end
    // the filter or a group.
    let first = after_ws.as_bytes().first()?;
    if !kw
        .as_bytes()
        .first()
        .is_some_and(|k| k.eq_ignore_ascii_case(first))
    {
        return None;
    }
    let delimited_before =
        !spaces.is_empty() || matches!(cx.prev_byte(i), Some(b')' | b']' | b'"'));
    if !delimited_before {
        return None;
    }
    let (rest, _) = keyword_ci(after_ws, kw).ok()?;
    let (rest2, spaces_after) = ws0(rest).ok()?;
    // `and` must be a whole word: followed by whitespace, `(` or the end
    // (where the missing operand is then reported).
    if spaces_after.is_empty() && !rest2.is_empty() && !rest2.starts_with('(') {
        return None;
    }
    Some(rest2)
}

/// `logExp = filter SP "or" SP filter`.
fn or_exp<'a>(i: &'a str, cx: Cx<'a>) -> Res<'a, Filter> {
    chain(i, cx, "or", and_exp, Filter::Or)
}

/// `logExp = filter SP "and" SP filter`.
// Inlined into `or_exp` in optimised builds: the layers of the grammar
// then share one frame instead of moving large results between them.
#[cfg_attr(not(debug_assertions), inline(always))]
fn and_exp<'a>(i: &'a str, cx: Cx<'a>) -> Res<'a, Filter> {
    chain(i, cx, "and", unary, Filter::And)
}

/// Operands joined by `kw`, read in a loop (a long chain costs no stack)
/// and stored flat in one `join` node; a single operand is returned as is.
#[cfg_attr(not(debug_assertions), inline(always))]
fn chain<'a>(
    i: &'a str,
    cx: Cx<'a>,
    kw: &'static str,
    operand: fn(&'a str, Cx<'a>) -> Res<'a, Filter>,
    join: fn(Vec<Filter>) -> Filter,
) -> Res<'a, Filter> {
    let (mut i, first) = operand(i, cx)?;
    let Some(mut rest) = logic_keyword(i, kw, cx) else {
        return Ok((i, first));
    };
    let mut operands = Vec::with_capacity(4);
    operands.push(first);
    // One call site for the operands after the first, so that the
    // inlined grammar below is not copied once more.
    loop {
        let (after, next) = cut_err(operand(rest, cx))?;
        operands.push(next);
        i = after;
        match logic_keyword(i, kw, cx) {
            Some(r) => rest = r,
            None => break,
        }
    }
    Ok((i, join(operands)))
}

/// `"not" "(" valFilter ")"`, `"(" filter ")"`, or an attribute
/// expression or value path.
// Inlined into `or_exp` in optimised builds: the layers of the grammar
// then share one frame instead of moving large results between them.
#[cfg_attr(not(debug_assertions), inline(always))]
fn unary<'a>(i: &'a str, cx: Cx<'a>) -> Res<'a, Filter> {
    if matches!(i.as_bytes().first(), Some(b'n' | b'N'))
        && let Ok((rest, _)) = not_keyword(i)
    {
        let inner = cx.deeper(i)?;
        let (rest, f) = cut_err(parenthesized(rest, inner))?;
        return Ok((rest, Filter::Not(Box::new(f))));
    }
    if i.starts_with('(') {
        let inner = cx.deeper(i)?;
        let (rest, f) = cut_err(parenthesized(i, inner))?;
        return Ok((rest, Filter::Group(Box::new(f))));
    }
    attr_exp_or_value_path(i, cx)
}

/// `not` followed by optional whitespace and `(`; a name that merely
/// starts with "not" (`notes pr`) is an attribute.
fn not_keyword(i: &str) -> Res<'_, ()> {
    let (rest, _) = keyword_ci(i, "not")?;
    let (rest, _) = ws0(rest)?;
    if rest.starts_with('(') {
        Ok((rest, ()))
    } else {
        fail(i, ErrorKind::Syntax, "'not'")
    }
}

/// `"(" *SP filter *SP ")"`.
fn parenthesized<'a>(i: &'a str, cx: Cx<'a>) -> Res<'a, Filter> {
    let (i, _) = expect(char('(').parse(i), ErrorKind::Syntax, "'('")?;
    let (i, _) = ws0(i)?;
    let (i, f) = filter(i, cx)?;
    let (i, _) = ws0(i)?;
    let (i, _) = expect(
        char(')').parse(i),
        ErrorKind::Syntax,
        "')' or 'and'/'or' followed by another expression",
    )?;
    Ok((i, f))
}

/// `attrExp` or `valuePath` (with the identity-provider form
/// `valuePath "." subAttr SP test`).
// Inlined into `or_exp` in optimised builds: the layers of the grammar
// then share one frame instead of moving large results between them.
#[cfg_attr(not(debug_assertions), inline(always))]
fn attr_exp_or_value_path<'a>(i: &'a str, cx: Cx<'a>) -> Res<'a, Filter> {
    let (rest, path) = attr_path(i)?;
    if rest.starts_with('[') {
        if cx.in_brackets {
            return cut_err(fail(rest, ErrorKind::NestedValuePath, ""));
        }
        if path.sub.is_some() {
            return cut_err(fail(
                rest,
                ErrorKind::Syntax,
                "whitespace and an operator (a value filter follows an attribute, not a sub-attribute)",
            ));
        }
        let inner = Cx {
            in_brackets: true,
            ..cx.deeper(rest)?
        };
        let (rest, f) = cut_err(bracketed(rest, inner))?;
        let (rest, then) = match rest.strip_prefix('.') {
            Some(after_dot) => {
                let (r, sub) = cut_err(sub_attr_name(after_dot))?;
                let (r, _) = cut_err(expect(
                    ws1(r),
                    ErrorKind::Syntax,
                    "whitespace and then an operator",
                ))?;
                let (r, t) = cut_err(test(r))?;
                (r, Some((sub, t)))
            }
            None => (rest, None),
        };
        return Ok((
            rest,
            Filter::ValuePath(Box::new(ValuePath {
                attr: path,
                filter: f,
                then,
            })),
        ));
    }
    let (rest, _) = cut_err(expect(
        ws1(rest),
        ErrorKind::Syntax,
        "whitespace and then an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr)",
    ))?;
    let (rest, t) = cut_err(test(rest))?;
    Ok((rest, Filter::Attr(Box::new(AttrExp { path, test: t }))))
}

/// `"[" *SP valFilter *SP "]"`.
fn bracketed<'a>(i: &'a str, cx: Cx<'a>) -> Res<'a, Filter> {
    let (i, _) = expect(char('[').parse(i), ErrorKind::Syntax, "'['")?;
    let (i, _) = ws0(i)?;
    let (i, f) = filter(i, cx)?;
    let (i, _) = ws0(i)?;
    let (i, _) = expect(
        char(']').parse(i),
        ErrorKind::Syntax,
        "']' or 'and'/'or' followed by another expression",
    )?;
    Ok((i, f))
}

/// `"pr"` or `compareOp SP compValue` (the SP optional before a string).
#[cfg_attr(not(debug_assertions), inline(always))]
fn test(i: &str) -> Res<'_, Test> {
    let (rest, word) = expect(
        span_while(i, 1, |b| b.is_ascii_alphabetic()),
        ErrorKind::Syntax,
        "an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr)",
    )?;
    let op = match compare_op(word) {
        Some(op) => op,
        None if word.eq_ignore_ascii_case("pr") => return Ok((rest, Test::Present)),
        None => {
            return fail(
                i,
                ErrorKind::Syntax,
                "an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr)",
            );
        }
    };
    // The ABNF asks for SP here, but RFC 7644 §3.5.2.2 itself prints
    // `members[value eq"2819c223…"]`. A quote cannot continue an operator,
    // so before a string the space may be left out; the AST (and so the
    // printed form) is the same as with it.
    let rest = if rest.starts_with('"') {
        rest
    } else {
        expect(ws1(rest), ErrorKind::Syntax, "whitespace and then a value")?.0
    };
    let (rest, v) = comp_value(rest)?;
    Ok((rest, Test::Compare(op, v)))
}

/// `compareOp = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "lt" / "ge" /
/// "le"`, case-insensitive.
#[cfg_attr(not(debug_assertions), inline(always))]
fn compare_op(word: &str) -> Option<CompareOp> {
    let b = word.as_bytes();
    let [a, c] = b else { return None };
    Some(match (a.to_ascii_lowercase(), c.to_ascii_lowercase()) {
        (b'e', b'q') => CompareOp::Eq,
        (b'n', b'e') => CompareOp::Ne,
        (b'c', b'o') => CompareOp::Co,
        (b's', b'w') => CompareOp::Sw,
        (b'e', b'w') => CompareOp::Ew,
        (b'g', b't') => CompareOp::Gt,
        (b'l', b't') => CompareOp::Lt,
        (b'g', b'e') => CompareOp::Ge,
        (b'l', b'e') => CompareOp::Le,
        _ => return None,
    })
}

/// `compValue = false / null / true / number / string`.
#[cfg_attr(not(debug_assertions), inline(always))]
fn comp_value(i: &str) -> Res<'_, CompValue> {
    match i.as_bytes().first() {
        Some(b'"') => {
            let (rest, s) = json_string(i)?;
            Ok((rest, CompValue::Str(s)))
        }
        Some(b'-' | b'0'..=b'9') => number(i),
        _ => expect(
            alt((
                value(CompValue::Bool(true), keyword_value("true")),
                value(CompValue::Bool(false), keyword_value("false")),
                value(CompValue::Null, keyword_value("null")),
            ))
            .parse(i),
            ErrorKind::Syntax,
            "a value: a quoted string, a number, true, false or null",
        ),
    }
}

/// `true`/`false`/`null` (accepted in any case) not followed by a name
/// character.
#[cfg_attr(not(debug_assertions), inline(always))]
fn keyword_value<'a>(kw: &'static str) -> impl Parser<&'a str, Output = (), Error = PErr<'a>> {
    move |i: &'a str| {
        let (rest, _) = keyword_ci(i, kw)?;
        if rest
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return fail(i, ErrorKind::Syntax, "");
        }
        Ok((rest, ()))
    }
}

/// A JSON number (RFC 8259 §6): `-? int frac? exp?`.
#[cfg_attr(not(debug_assertions), inline(always))]
fn number(i: &str) -> Res<'_, CompValue> {
    let bytes = i.as_bytes();
    let mut n = 0;
    let at = |k: usize| bytes.get(k).copied();
    if at(n) == Some(b'-') {
        n += 1;
    }
    let int_start = n;
    while at(n).is_some_and(|b| b.is_ascii_digit()) {
        n += 1;
    }
    let int_len = n - int_start;
    if int_len == 0 || (int_len > 1 && at(int_start) == Some(b'0')) {
        return fail(
            i,
            ErrorKind::InvalidNumber,
            "a JSON number (digits, no leading zeros)",
        );
    }
    let mut integral = true;
    if at(n) == Some(b'.') {
        integral = false;
        n += 1;
        let start = n;
        while at(n).is_some_and(|b| b.is_ascii_digit()) {
            n += 1;
        }
        if n == start {
            return fail(
                i.get(n..).unwrap_or(""),
                ErrorKind::InvalidNumber,
                "digits after the decimal point",
            );
        }
    }
    if matches!(at(n), Some(b'e' | b'E')) {
        integral = false;
        n += 1;
        if matches!(at(n), Some(b'+' | b'-')) {
            n += 1;
        }
        let start = n;
        while at(n).is_some_and(|b| b.is_ascii_digit()) {
            n += 1;
        }
        if n == start {
            return fail(
                i.get(n..).unwrap_or(""),
                ErrorKind::InvalidNumber,
                "digits in the exponent",
            );
        }
    }
    if at(n).is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.') {
        return fail(
            i.get(n..).unwrap_or(""),
            ErrorKind::InvalidNumber,
            "the end of the number",
        );
    }
    let (text, rest) = i.split_at_checked(n).unwrap_or((i, ""));
    if integral && let Ok(v) = text.parse::<i64>() {
        return Ok((rest, CompValue::Int(v)));
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok((rest, CompValue::Float(f))),
        _ => fail(
            i,
            ErrorKind::InvalidNumber,
            "a number within the range of a 64-bit float",
        ),
    }
}

/// A JSON string with every escape of RFC 8259 §7, unescaped.
#[cfg_attr(not(debug_assertions), inline(always))]
fn json_string(i: &str) -> Res<'_, Text> {
    let Some(body) = i.strip_prefix('"') else {
        return fail(i, ErrorKind::Syntax, "'\"'");
    };
    let bytes = body.as_bytes();
    // Fast path: no escapes before the closing quote.
    let n = string_stop(bytes);
    if bytes.get(n) == Some(&b'"') {
        let rest = body.get(n + 1..).unwrap_or("");
        return Ok((rest, Text::from_window(body, n)));
    }
    // Slow path: unescape.
    let mut out = String::from(body.get(..n).unwrap_or(""));
    let mut rest = body.get(n..).unwrap_or("");
    loop {
        let mut chars = rest.char_indices();
        let Some((_, c)) = chars.next() else {
            return fail(
                rest,
                ErrorKind::InvalidString,
                "a closing '\"' (the string is not terminated)",
            );
        };
        match c {
            '"' => return Ok((rest.get(1..).unwrap_or(""), Text::from(out))),
            '\\' => {
                let esc = rest.get(1..).unwrap_or("");
                let (after, ch) = escape(esc).map_err(|e| match e {
                    nom::Err::Error(mut p) => {
                        p.input = rest;
                        nom::Err::Error(p)
                    }
                    other => other,
                })?;
                out.push(ch);
                rest = after;
            }
            c if (c as u32) < 0x20 => {
                return fail(
                    rest,
                    ErrorKind::InvalidString,
                    "a character (control characters must be escaped in strings)",
                );
            }
            c => {
                out.push(c);
                rest = rest.get(c.len_utf8()..).unwrap_or("");
            }
        }
    }
}

/// The offset of the first `"`, `\` or control character in `bytes`
/// (or its length), read eight bytes at a time: string values are most of
/// a filter's bytes.
#[cfg_attr(not(debug_assertions), inline(always))]
fn string_stop(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // The high bit of each byte of `x` that is zero. Only the lowest flag
    // is exact (a borrow may flag bytes above it), which is all we read.
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut k = 0;
    while let Some(chunk) = bytes.get(k..k + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(word);
        let stops = zero_bytes(w ^ (ONES * u64::from(b'"')))
            | zero_bytes(w ^ (ONES * u64::from(b'\\')))
            // Bytes below 0x20; as above, the lowest flag is exact.
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGH);
        if stops != 0 {
            return k + (stops.trailing_zeros() / 8) as usize;
        }
        k += 8;
    }
    let tail = bytes.get(k..).unwrap_or_default();
    k + tail
        .iter()
        .position(|b| class(*b) & STRING_STOP != 0)
        .unwrap_or(tail.len())
}

/// The part of an escape after the backslash.
fn escape(i: &str) -> Res<'_, char> {
    fn bad<O>(i: &str) -> Res<'_, O> {
        fail(
            i,
            ErrorKind::InvalidString,
            "a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
        )
    }
    let Some(c) = i.chars().next() else {
        return bad(i);
    };
    let rest = i.get(c.len_utf8()..).unwrap_or("");
    let simple = match c {
        '"' => '"',
        '\\' => '\\',
        '/' => '/',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'u' => {
            let (rest, hi) = hex4(rest).or_else(|_| bad(i))?;
            if (0xD800..0xDC00).contains(&hi) {
                // A high surrogate must be followed by a low one.
                let (rest, lo) = preceded(|i| keyword_ci(i, "\\u"), hex4)
                    .parse(rest)
                    .or_else(|_| bad(i))?;
                if !(0xDC00..0xE000).contains(&lo) {
                    return bad(i);
                }
                let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return match char::from_u32(code) {
                    Some(ch) => Ok((rest, ch)),
                    None => bad(i),
                };
            }
            return match char::from_u32(hi) {
                Some(ch) => Ok((rest, ch)),
                None => bad(i),
            };
        }
        _ => return bad(i),
    };
    Ok((rest, simple))
}

fn hex4(i: &str) -> Res<'_, u32> {
    let digits = i
        .get(..4)
        .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
    match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
        Some(v) => Ok((i.get(4..).unwrap_or(""), v)),
        None => fail(i, ErrorKind::InvalidString, "four hexadecimal digits"),
    }
}

/// `attrPath = [URI ":"] ATTRNAME *1subAttr`.
///
/// The URN prefix is everything up to the last `:`; it may contain
/// hyphens, dots and digits in any segment (`…:enterprise:2.0:User`).
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn attr_path(i: &str) -> Res<'_, AttrPath> {
    // One pass over the token: where it ends, its last ':', the first '.'
    // after that, and whether the names in it need a closer look. Runs of
    // name characters are skipped in a tight loop; only separators take
    // the slower branch.
    let bytes = i.as_bytes();
    let mut end = 0;
    let mut last_colon = None;
    let mut dot = None;
    // A second '.' after the last ':' or a '$' anywhere makes the quick
    // name check below inconclusive.
    let mut unusual = false;
    loop {
        end += bytes
            .get(end..)
            .unwrap_or_default()
            .iter()
            .position(|&b| class(b) & NAME == 0)
            .unwrap_or(bytes.len() - end);
        match bytes.get(end) {
            Some(b':') => {
                last_colon = Some(end);
                dot = None;
            }
            Some(b'.') if dot.is_none() => dot = Some(end),
            Some(b'.' | b'$') => unusual = true,
            _ => break,
        }
        end += 1;
    }
    if end == 0 {
        return fail(i, ErrorKind::Syntax, "an attribute path, 'not' or '('");
    }
    let token = i.get(..end).unwrap_or("");
    let rest = i.get(end..).unwrap_or("");
    let at = |k: usize| i.get(k..).unwrap_or("");
    let (urn, tail_at) = match last_colon {
        Some(colon) => {
            let urn = token.get(..colon).unwrap_or("");
            if !urn.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) || urn.len() <= 4 {
                return cut_err(fail(
                    i,
                    ErrorKind::InvalidAttributeName,
                    "an attribute name, or a schema URN starting with 'urn:' before the last ':'",
                ));
            }
            (Some(urn), colon + 1)
        }
        None => (None, 0),
    };
    // Without '$' and further dots, the name and the sub-attribute hold
    // only name characters, so starting with a letter is all that is left
    // to check.
    let valid = |s: &str| {
        if unusual {
            is_attr_name(s)
        } else {
            s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        }
    };
    let name_end = dot.unwrap_or(end);
    let name = token.get(tail_at..name_end).unwrap_or("");
    if !valid(name) {
        return cut_err(fail(
            at(tail_at),
            ErrorKind::InvalidAttributeName,
            "an attribute name (a letter, then letters, digits, '-' or '_')",
        ));
    }
    let sub = match dot {
        None => None,
        Some(d) => {
            let s = token.get(d + 1..).unwrap_or("");
            if !valid(s) {
                return cut_err(fail(
                    at(d + 1),
                    ErrorKind::InvalidAttributeName,
                    "a sub-attribute name (a letter, then letters, digits, '-' or '_'; one level only)",
                ));
            }
            Some(Name(Text::from_window(at(d + 1), s.len())))
        }
    };
    Ok((
        rest,
        AttrPath {
            urn: urn.map(urn_text),
            name: Name(Text::from_window(at(tail_at), name.len())),
            sub,
        },
    ))
}

/// A schema URN prefix. The standard ones, spelled as the RFC spells them,
/// point at a static string: they are longer than an inline string holds,
/// so copying them would allocate.
#[cfg_attr(not(debug_assertions), inline(always))]
fn urn_text(urn: &str) -> Text {
    use scimhub_schema::urn as u;
    match urn {
        u::USER => Text::from_static(u::USER),
        u::GROUP => Text::from_static(u::GROUP),
        u::ENTERPRISE_USER => Text::from_static(u::ENTERPRISE_USER),
        u::LICENSE_USER => Text::from_static(u::LICENSE_USER),
        u::LICENSE_GROUP => Text::from_static(u::LICENSE_GROUP),
        other => Text::new(other),
    }
}

/// `subAttr = "." ATTRNAME`, after the dot.
#[cfg_attr(not(debug_assertions), inline(always))]
fn sub_attr_name(i: &str) -> Res<'_, Name> {
    let (rest, name) = expect(
        span_while(i, 1, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'$')
        }),
        ErrorKind::InvalidAttributeName,
        "a sub-attribute name",
    )?;
    if !is_attr_name(name) {
        return fail(
            i,
            ErrorKind::InvalidAttributeName,
            "a sub-attribute name (a letter, then letters, digits, '-' or '_')",
        );
    }
    Ok((rest, Name(Text::from_window(i, name.len()))))
}

/// `ATTRNAME = ALPHA *(nameChar)`, plus `$ref`.
#[cfg_attr(not(debug_assertions), inline(always))]
fn is_attr_name(s: &str) -> bool {
    if s == "$ref" {
        return true;
    }
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphabetic()) && b.all(|c| class(c) & NAME != 0)
}

/// `PATH = attrPath / valuePath [subAttr]` (RFC 7644 §3.5.2).
pub(crate) fn patch_path<'a>(i: &'a str, cx: Cx<'a>) -> Res<'a, PatchPath> {
    let (rest, attr) = attr_path(i)?;
    if !rest.starts_with('[') {
        return Ok((
            rest,
            PatchPath {
                attr,
                filter: None,
                sub: None,
            },
        ));
    }
    if attr.sub.is_some() {
        return cut_err(fail(
            rest,
            ErrorKind::Syntax,
            "the end of the path (a value filter follows an attribute, not a sub-attribute)",
        ));
    }
    let inner = Cx {
        in_brackets: true,
        ..cx.deeper(rest)?
    };
    let (rest, f) = cut_err(bracketed(rest, inner))?;
    let (rest, sub) = match rest.strip_prefix('.') {
        Some(after_dot) => {
            let (r, name) = cut_err(sub_attr_name(after_dot))?;
            (r, Some(name))
        }
        None => (rest, None),
    };
    Ok((
        rest,
        PatchPath {
            attr,
            filter: Some(f),
            sub,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::{CLASS, STRING_STOP, string_stop};
    use proptest::prelude::*;

    fn stop_bytewise(bytes: &[u8]) -> usize {
        bytes
            .iter()
            .position(|b| {
                CLASS
                    .get(usize::from(*b))
                    .is_some_and(|c| c & STRING_STOP != 0)
            })
            .unwrap_or(bytes.len())
    }

    #[test]
    fn string_stop_finds_each_stop_byte_at_each_offset() {
        let stops = [b'"', b'\\', 0x00, 0x1f, b'\n'];
        // Bytes around the stops that the word-at-a-time test must not
        // mistake for them: the neighbours of each and non-ASCII bytes.
        let fillers = [
            b'a', b' ', b'!', b'#', b'[', b']', 0x20, 0x7f, 0x80, 0xa2, 0xdc, 0xff,
        ];
        for len in 0..40 {
            for &fill in &fillers {
                let clean = vec![fill; len];
                assert_eq!(string_stop(&clean), len, "{fill:#x} × {len}");
                for at in 0..len {
                    for &stop in &stops {
                        let mut v = clean.clone();
                        if let Some(b) = v.get_mut(at) {
                            *b = stop;
                        }
                        assert_eq!(
                            string_stop(&v),
                            at,
                            "{stop:#x} at {at} in {fill:#x} × {len}"
                        );
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn string_stop_agrees_with_a_bytewise_scan(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(string_stop(&bytes), stop_bytewise(&bytes));
        }

        #[test]
        fn string_stop_agrees_on_text_with_rare_stops(
            text in "[a-zA-Z0-9@.\\- é€😀]{0,48}[\"\\\\\\x01]?[a-z\"]{0,8}"
        ) {
            prop_assert_eq!(string_stop(text.as_bytes()), stop_bytewise(text.as_bytes()));
        }
    }
}
