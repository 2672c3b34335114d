//! PostgreSQL failures classified into the store's portable kinds, in
//! one place (by SQLSTATE, as sqlx does). Driver messages stay in the
//! error's `source`, for logs.

use std::error::Error as _;

use scimhub_store::Error;
use tokio_postgres::error::SqlState;

/// What a driver error means to the store.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// 23505: a unique index refused the row.
    Unique,
    /// 23503: a foreign key refused the row.
    ForeignKey,
    /// 40001, 40P01: the transaction lost a race; running it again may
    /// succeed.
    Retry,
    /// 22P05 and friends: a value PostgreSQL cannot store (U+0000).
    Unstorable,
    /// Anything else: the database is unavailable or broken.
    Other,
}

pub(crate) fn classify(e: &tokio_postgres::Error) -> Class {
    match e.code() {
        Some(c) if *c == SqlState::UNIQUE_VIOLATION => Class::Unique,
        Some(c) if *c == SqlState::FOREIGN_KEY_VIOLATION => Class::ForeignKey,
        Some(c)
            if *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED =>
        {
            Class::Retry
        }
        Some(c)
            if *c == SqlState::UNTRANSLATABLE_CHARACTER
                || *c == SqlState::CHARACTER_NOT_IN_REPERTOIRE =>
        {
            Class::Unstorable
        }
        _ => Class::Other,
    }
}

/// The error for a failure no caller can act on.
pub(crate) fn db(e: tokio_postgres::Error) -> Error {
    match classify(&e) {
        Class::Unstorable => Error::new(
            scimhub_store::ErrorKind::InvalidQuery,
            "PostgreSQL cannot store this value (it holds the character U+0000)",
        ),
        _ => Error::unavailable("the PostgreSQL database failed", e),
    }
}

/// A pool failure (no connection could be had).
pub(crate) fn pool(e: deadpool_postgres::PoolError) -> Error {
    Error::unavailable("cannot get a PostgreSQL connection", e)
}

/// Whether a store error came from a lost race worth retrying.
pub(crate) fn is_retryable(e: &Error) -> bool {
    e.source()
        .and_then(|s| s.downcast_ref::<tokio_postgres::Error>())
        .is_some_and(|pg| classify(pg) == Class::Retry)
}
