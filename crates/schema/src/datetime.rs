//! `xsd:dateTime` values (RFC 7643 §2.3.5): parsing to an instant, and
//! formatting timestamps the way SCIM responses carry them.
//!
//! SCIM dateTime values are XML Schema `dateTime` lexical forms:
//! `-?YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?`. A value without a time
//! zone is taken to be UTC, so that every value has one position on the
//! time line and values compare as instants.

use std::cmp::Ordering;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An instant parsed from an `xsd:dateTime`, comparable with other instants
/// whatever time zone offsets the two were written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Seconds since 1970-01-01T00:00:00Z.
    seconds: i64,
    /// Nanoseconds within the second (fractions beyond nanoseconds are
    /// truncated).
    nanos: u32,
}

impl Ord for DateTime {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.seconds, self.nanos).cmp(&(other.seconds, other.nanos))
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Why a string is not an `xsd:dateTime`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(&'static str);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for ParseError {}

impl DateTime {
    /// Parses an `xsd:dateTime` such as `2008-01-23T04:56:22Z`,
    /// `2011-05-13T04:42:34.123+02:00` or `2011-05-13T04:42:34`.
    ///
    /// ```
    /// use scimhub_schema::datetime::DateTime;
    ///
    /// let a = DateTime::parse("2011-05-13T04:42:34Z")?;
    /// let b = DateTime::parse("2011-05-13T06:42:34+02:00")?;
    /// assert_eq!(a, b);
    /// # Ok::<(), scimhub_schema::datetime::ParseError>(())
    /// ```
    pub fn parse(s: &str) -> Result<DateTime, ParseError> {
        let mut p = Cursor {
            s: s.as_bytes(),
            i: 0,
        };
        let negative = p.eat(b'-');
        let year_digits = p.digits();
        if year_digits.len() < 4 || (year_digits.len() > 4 && year_digits.first() == Some(&b'0')) {
            return Err(ParseError(
                "the year must have four digits (more only without a leading zero)",
            ));
        }
        if year_digits.len() > 9 {
            return Err(ParseError("the year is out of range"));
        }
        let mut year = number(year_digits);
        if negative {
            year = -year;
        }
        p.expect(b'-', "expected '-' after the year")?;
        let month = p.two("expected a two-digit month")?;
        p.expect(b'-', "expected '-' after the month")?;
        let day = p.two("expected a two-digit day")?;
        p.expect(b'T', "expected 'T' between the date and the time")?;
        let hour = p.two("expected a two-digit hour")?;
        p.expect(b':', "expected ':' after the hour")?;
        let minute = p.two("expected two-digit minutes")?;
        p.expect(b':', "expected ':' after the minutes")?;
        let second = p.two("expected two-digit seconds")?;
        let mut nanos: u32 = 0;
        let mut fraction_nonzero = false;
        if p.eat(b'.') {
            let frac = p.digits();
            if frac.is_empty() {
                return Err(ParseError("expected digits after the decimal point"));
            }
            for (i, d) in frac.iter().enumerate() {
                let d = u32::from(d - b'0');
                fraction_nonzero |= d != 0;
                if i < 9 {
                    nanos += d * 10u32.pow(8 - i as u32);
                }
            }
        }
        let offset_minutes: i64 = if p.eat(b'Z') {
            0
        } else if let Some(sign) = p.peek().filter(|c| *c == b'+' || *c == b'-') {
            p.i += 1;
            let h = p.two("expected a two-digit offset hour")?;
            p.expect(b':', "expected ':' in the time zone offset")?;
            let m = p.two("expected two-digit offset minutes")?;
            if m > 59 || h > 14 || (h == 14 && m != 0) {
                return Err(ParseError(
                    "the time zone offset is out of range (at most 14:00)",
                ));
            }
            let off = h * 60 + m;
            if sign == b'-' { -off } else { off }
        } else {
            0
        };
        if p.i != p.s.len() {
            return Err(ParseError("unexpected characters after the dateTime"));
        }
        if !(1..=12).contains(&month) {
            return Err(ParseError("the month must be between 01 and 12"));
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(ParseError("the day does not exist in that month"));
        }
        // xsd allows 24:00:00 (with no fraction) for the end of a day.
        let end_of_day = hour == 24 && minute == 0 && second == 0 && !fraction_nonzero;
        if (hour > 23 && !end_of_day) || minute > 59 || second > 59 {
            return Err(ParseError("the time of day is out of range"));
        }
        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
        Ok(DateTime { seconds, nanos })
    }

    /// The instant `seconds` after the Unix epoch plus `nanos`
    /// nanoseconds (values of a billion or more are clamped just below).
    pub fn from_unix(seconds: i64, nanos: u32) -> DateTime {
        DateTime {
            seconds,
            nanos: nanos.min(999_999_999),
        }
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds within the second.
    pub fn nanos(&self) -> u32 {
        self.nanos
    }

    /// The instant as a `SystemTime`, if it is representable.
    pub fn to_system_time(&self) -> Option<SystemTime> {
        let nanos = Duration::from_nanos(u64::from(self.nanos));
        if self.seconds >= 0 {
            UNIX_EPOCH
                .checked_add(Duration::from_secs(self.seconds.unsigned_abs()))?
                .checked_add(nanos)
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(self.seconds.unsigned_abs()))?
                .checked_add(nanos)
        }
    }

    /// The instant of a `SystemTime` (times before 1970 are clamped to it).
    pub fn from_system_time(t: SystemTime) -> DateTime {
        let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
        DateTime {
            seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            nanos: d.subsec_nanos(),
        }
    }

    /// The current time.
    pub fn now() -> DateTime {
        DateTime::from_system_time(SystemTime::now())
    }
}

impl DateTime {
    /// The calendar fields of the UTC form: year, month, day, second of
    /// the day, milliseconds.
    fn utc_fields(&self) -> (i64, i64, i64, i64, u32) {
        let (y, m, d) = civil_from_days(self.seconds.div_euclid(86_400));
        (
            y,
            m,
            d,
            self.seconds.rem_euclid(86_400),
            self.nanos / 1_000_000,
        )
    }

    /// The UTC form through the general formatter, for any year.
    fn write_general(&self, out: &mut impl fmt::Write) -> fmt::Result {
        let (y, m, d, secs, millis) = self.utc_fields();
        write!(
            out,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
        )
    }
}

impl DateTime {
    /// The text [`Display`](fmt::Display) writes, as a fixed array, for
    /// the years 0 to 9999 (all that SCIM servers see): written digit by
    /// digit, without the formatting machinery. `None` for other years.
    pub fn fixed_text(&self) -> Option<[u8; 24]> {
        let (y, m, d, secs, millis) = self.utc_fields();
        let year = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
        let mut buf = *b"0000-00-00T00:00:00.000Z";
        let fields: [(usize, usize, u32); 7] = [
            (0, 4, year),
            (5, 2, m as u32),
            (8, 2, d as u32),
            (11, 2, (secs / 3600) as u32),
            (14, 2, (secs / 60 % 60) as u32),
            (17, 2, (secs % 60) as u32),
            (20, 3, millis),
        ];
        for (at, width, mut n) in fields {
            for slot in buf.iter_mut().skip(at).take(width).rev() {
                *slot = b'0' + (n % 10) as u8;
                n /= 10;
            }
        }
        Some(buf)
    }
}

impl fmt::Display for DateTime {
    /// Formats as UTC with millisecond precision, `2011-05-13T04:42:34.120Z`,
    /// the form SCIM responses use for `meta.created` and
    /// `meta.lastModified`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every response carries two of these.
        if let Some(buf) = self.fixed_text() {
            return f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?);
        }
        self.write_general(f)
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: u8, msg: &'static str) -> Result<(), ParseError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(ParseError(msg))
        }
    }
    fn digits(&mut self) -> &'a [u8] {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.s.get(start..self.i).unwrap_or_default()
    }
    fn two(&mut self, msg: &'static str) -> Result<i64, ParseError> {
        let d = self.s.get(self.i..self.i + 2).ok_or(ParseError(msg))?;
        if !d.iter().all(u8::is_ascii_digit) {
            return Err(ParseError(msg));
        }
        self.i += 2;
        Ok(number(d))
    }
}

fn number(digits: &[u8]) -> i64 {
    digits
        .iter()
        .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<i64>) {
        match (DateTime::parse(input), expected) {
            (Ok(dt), Some(secs)) => assert_eq!(dt.unix_seconds(), secs, "{input}"),
            (Err(_), None) => {}
            (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
        }
    }

    /// The digit-by-digit form against the general formatter, over
    /// instants from year 1 to 9999 and the fallback beyond.
    #[test]
    fn display_matches_the_general_format() {
        let general = |dt: &DateTime| {
            let mut s = String::new();
            dt.write_general(&mut s).unwrap();
            s
        };
        // Year 1 to year 9999, in steps that visit every month, hour,
        // minute and second value, plus the ends and a few beyond.
        let first = -62_135_596_800_i64;
        let last = 253_402_300_799_i64;
        let mut instants: Vec<i64> = (first..last).step_by(86_400 * 7 + 3_671).collect();
        instants.extend([
            first,
            last,
            0,
            -1,
            951_782_400,
            last + 1,
            first - 1,
            -86_400 * 800_000,
        ]);
        for (k, secs) in instants.into_iter().enumerate() {
            let nanos = u32::try_from(k % 1000).unwrap_or(0) * 1_000_123;
            let dt = DateTime::from_unix(secs, nanos);
            assert_eq!(dt.to_string(), general(&dt), "{secs} {nanos}");
        }
        assert_eq!(
            DateTime::from_unix(1_305_261_754, 120_000_000).to_string(),
            "2011-05-13T04:42:34.120Z"
        );
    }

    #[test]
    fn parses_the_xsd_lexical_forms() {
        check("1970-01-01T00:00:00Z", Some(0));
        check("2008-01-23T04:56:22Z", Some(1_201_064_182));
        check("2008-01-23T04:56:22", Some(1_201_064_182));
        check("2008-01-23T06:56:22+02:00", Some(1_201_064_182));
        check("2008-01-23T00:56:22-04:00", Some(1_201_064_182));
        check("2011-05-13T04:42:34.123456789123Z", Some(1_305_261_754));
        check("2000-02-29T00:00:00Z", Some(951_782_400));
        check("1969-12-31T23:59:59Z", Some(-1));
        check("1999-12-31T24:00:00Z", Some(946_684_800));
        check("12345-01-01T00:00:00Z", Some(327_403_382_400));
        check("-0001-01-01T00:00:00Z", Some(-62_198_755_200));
    }

    #[test]
    fn rejects_what_xsd_rejects() {
        for bad in [
            "",
            "2008-01-23",
            "2008-01-23 04:56:22Z",
            "08-01-23T04:56:22Z",
            "02008-01-23T04:56:22Z",
            "2008-1-23T04:56:22Z",
            "2008-13-01T00:00:00Z",
            "2008-00-01T00:00:00Z",
            "2001-02-29T00:00:00Z",
            "2008-04-31T00:00:00Z",
            "2008-01-23T25:00:00Z",
            "2008-01-23T24:00:01Z",
            "2008-01-23T24:00:00.5Z",
            "2008-01-23T04:60:00Z",
            "2008-01-23T04:56:60Z",
            "2008-01-23T04:56:22.Z",
            "2008-01-23T04:56:22+15:00",
            "2008-01-23T04:56:22+0200",
            "2008-01-23T04:56:22ZZ",
            "2008-01-23T04:56:22z",
            "9999999999-01-01T00:00:00Z",
            "２００８-01-23T04:56:22Z",
        ] {
            check(bad, None);
        }
    }

    #[test]
    fn compares_as_instants_and_formats_as_utc() {
        let a = DateTime::parse("2011-05-13T04:42:34.5Z").unwrap();
        let b = DateTime::parse("2011-05-13T04:42:34.25+00:00").unwrap();
        assert!(a > b);
        assert_eq!(a.to_string(), "2011-05-13T04:42:34.500Z");
        let t = a.to_system_time().unwrap();
        assert_eq!(DateTime::from_system_time(t), a);
        for days in [-800_000i64, -1, 0, 59, 365, 10_957, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
