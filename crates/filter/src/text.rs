//! [`Text`]: the owned strings of the AST (names, schema URNs, string
//! values).
//!
//! Most strings in a filter are short (`userName`, `emails`, an email
//! address), so a `Text` of up to [`Text::INLINE`] bytes lives inside the
//! node that holds it; the standard schema URNs point at static strings;
//! anything else (a GUID, say) is one heap allocation.
//!
//! The parser copies a short string out of the filter as a fixed-size
//! window (the string and whatever follows it in the input) rather than
//! byte by byte: a copy whose length is known at compile time is a few
//! register moves, where a variable-length one is a call and leaves the
//! processor waiting on partial stores when the result is read back as
//! words. Only the first `len` bytes of the window are part of the text;
//! equality, ordering, hashing and printing look at nothing else.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// An owned, immutable string.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    /// `buf[..len]` is the text (always valid UTF-8); the rest is
    /// whatever followed it where it was copied from.
    Inline {
        len: u8,
        buf: [u8; Text::INLINE],
    },
    Static(&'static str),
    Heap(Box<str>),
}

impl Text {
    /// The longest text held without an allocation, in bytes. With it a
    /// `Text` is as large as a `String`; a larger inline buffer makes every
    /// node that holds one slower to move than the allocations it saves.
    pub const INLINE: usize = 22;

    /// A copy of `s`.
    pub fn new(s: &str) -> Text {
        Text::from_window(s, s.len())
    }

    /// A text pointing at a static string (no copy, no allocation).
    pub const fn from_static(s: &'static str) -> Text {
        Text(Repr::Static(s))
    }

    /// The first `len` bytes of `window`; `len` must be a character
    /// boundary of `window` (otherwise the text is empty). The bytes after
    /// `len` are copied along when that makes the copy a fixed-size one,
    /// and never read.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn from_window(window: &str, len: usize) -> Text {
        let bytes = window.as_bytes();
        if len <= Text::INLINE
            && let Ok(short) = u8::try_from(len)
            && window.is_char_boundary(len)
        {
            // The common case: a fixed-size copy of the window.
            if let Some(w) = bytes.get(..Text::INLINE)
                && let Ok(buf) = <[u8; Text::INLINE]>::try_from(w)
            {
                return Text(Repr::Inline { len: short, buf });
            }
            let mut buf = [0u8; Text::INLINE];
            if let (Some(to), Some(from)) = (buf.get_mut(..len), bytes.get(..len)) {
                to.copy_from_slice(from);
            }
            return Text(Repr::Inline { len: short, buf });
        }
        Text(Repr::Heap(Box::from(window.get(..len).unwrap_or(""))))
    }

    /// The bytes of the text.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, buf } => buf.get(..usize::from(*len)).unwrap_or_default(),
            Repr::Static(s) => s.as_bytes(),
            Repr::Heap(s) => s.as_bytes(),
        }
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Built from a `&str` cut at a character boundary, so the
            // check cannot fail.
            Repr::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Repr::Static(s) => s,
            Repr::Heap(s) => s,
        }
    }

    /// Whether the text equals `other`, ignoring ASCII case (no UTF-8
    /// check involved).
    #[inline]
    pub fn eq_ignore_ascii_case(&self, other: &str) -> bool {
        self.as_bytes().eq_ignore_ascii_case(other.as_bytes())
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `str` hashes, so that `Borrow<str>` lookups agree.
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        if s.len() <= Text::INLINE {
            Text::new(&s)
        } else {
            Text(Repr::Heap(s.into_boxed_str()))
        }
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Text {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Text> {
        Ok(Text::new(<&str>::arbitrary(u)?))
    }
}

#[cfg(test)]
mod tests {
    use super::Text;
    use proptest::prelude::*;
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    fn hash(t: &impl Hash) -> u64 {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    #[test]
    fn windows_keep_only_their_length() {
        let source = "userName eq \"bjensen@example.com\" and title pr";
        let a = Text::from_window(source, 8);
        let b = Text::from_window("userName", 8);
        assert_eq!(a.as_str(), "userName");
        assert_eq!(a, b);
        assert_eq!(hash(&a), hash(&b));
        assert_eq!(hash(&a), hash(&"userName"));
        assert_eq!(format!("{a:?}"), "\"userName\"");
        assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
    }

    #[test]
    fn lengths_around_the_inline_limit() {
        let long = "x".repeat(100);
        for len in [0, 1, 21, 22, 23, 24, 99, 100] {
            let window = Text::from_window(&long, len);
            let fresh = Text::new(long.get(..len).unwrap_or(""));
            assert_eq!(window.len(), len);
            assert_eq!(window, fresh);
            assert_eq!(Text::from(long.get(..len).unwrap_or("").to_owned()), fresh);
        }
    }

    #[test]
    fn a_cut_inside_a_character_is_never_a_broken_string() {
        let s = "é€😀";
        for len in 0..=s.len() {
            let t = Text::from_window(s, len);
            assert!(s.starts_with(t.as_str()));
        }
    }

    #[test]
    fn static_and_copied_texts_are_equal() {
        let urn = "urn:ietf:params:scim:schemas:core:2.0:User";
        assert_eq!(Text::from_static(urn), Text::new(urn));
        assert_eq!(hash(&Text::from_static(urn)), hash(&Text::new(urn)));
        assert!(Text::new("UserName").eq_ignore_ascii_case("username"));
    }

    proptest! {
        #[test]
        fn a_window_is_its_prefix(s in "\\PC{0,60}", cut in 0usize..70) {
            let cut = cut.min(s.len());
            prop_assume!(s.is_char_boundary(cut));
            let t = Text::from_window(&s, cut);
            prop_assert_eq!(t.as_str(), s.get(..cut).unwrap_or(""));
        }
    }
}
