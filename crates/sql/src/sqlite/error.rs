//! SQLite failures classified into the store's portable kinds, in one
//! place. Driver messages stay in the error's `source`, for logs.

use rusqlite::ErrorCode;
use scimhub_store::Error;

/// What a driver error means to the store.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// A UNIQUE or PRIMARY KEY constraint refused the row.
    Unique,
    /// A FOREIGN KEY constraint refused the row.
    ForeignKey,
    /// Anything else: the database is unavailable or broken.
    Other,
}

pub(crate) fn classify(e: &rusqlite::Error) -> Class {
    match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation => {
            match f.extended_code {
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => Class::Unique,
                rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Class::ForeignKey,
                _ => Class::Other,
            }
        }
        _ => Class::Other,
    }
}

/// The error for a failure no caller can act on.
pub(crate) fn db(e: rusqlite::Error) -> Error {
    Error::unavailable("the SQLite database failed", e)
}

/// Maps a driver error, with a detail naming what was being done.
pub(crate) fn failed(doing: &str) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
    move |e| Error::unavailable(format!("the SQLite database failed while {doing}"), e)
}
