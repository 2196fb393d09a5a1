//! crosswalk's use cases, one function each, shared by every interface: the CLI today,
//! the server next. A use case takes the library, a store (for program use cases), the
//! acting user and the date as parameters, and returns a typed result or a typed
//! [`Error`]; the result types are the stable JSON views of `docs/cli.md`. Nothing here
//! parses arguments, prints, or reads a clock.

/// Store records the interfaces show as they are.
pub use crosswalk_store::audit::AuditEntry;
pub use crosswalk_store::registry::Token;
pub use crosswalk_store::webhook::Webhook;

pub mod access;
pub mod collab;
pub mod collect;
pub mod demo;
pub mod export;
pub mod import;
pub mod links;
pub mod monitor;
pub mod ms;
pub mod oscal;
pub mod overview;
pub mod program;
pub mod prowler;
pub mod risk;
pub mod standards;

use jiff::Timestamp;
use jiff::civil::Date;

/// The moment a use case runs at, read once by the interface that calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The local calendar date: what evidence freshness, plans and records use.
    pub today: Date,
    /// The instant, to the second (OSCAL `last-modified`, export stamps).
    pub now: Timestamp,
}

/// Why a use case did not complete; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller's input is wrong: an unknown id, a bad value, a refused action.
    #[error("{0}")]
    Invalid(String),
    /// What the caller named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The caller's copy is out of date: someone changed the thing first; nothing was
    /// changed.
    #[error("{0}")]
    Stale(String),
    /// Several located problems (rows of an import, files of a library).
    #[error("{summary}:\n{}", .problems.join("\n"))]
    Problems {
        summary: String,
        problems: Vec<String>,
    },
    /// The program store failed.
    #[error(transparent)]
    Store(#[from] crosswalk_store::StoreError),
    /// The library could not be loaded.
    #[error(transparent)]
    Library(#[from] crosswalk_library::LoadError),
    /// An OSCAL document could not be read or resolved.
    #[error(transparent)]
    Oscal(#[from] crosswalk_oscal::OscalError),
    /// A document could not be produced.
    #[error(transparent)]
    Report(#[from] crosswalk_report::ReportError),
}

/// What kind of failure an [`Error`] is, for interfaces that map it to a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The caller's input is wrong.
    Invalid,
    /// What the caller named does not exist.
    NotFound,
    /// The caller may not do this.
    Forbidden,
    /// It exists already.
    Conflict,
    /// The caller's copy is out of date.
    Stale,
    /// The database is busy; try again.
    Busy,
    /// Something on the server's side failed.
    Internal,
}

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        use crosswalk_store::StoreError as S;
        match self {
            Error::Invalid(_)
            | Error::Problems { .. }
            | Error::Report(crosswalk_report::ReportError::Invalid(_)) => ErrorKind::Invalid,
            Error::NotFound(_) | Error::Store(S::NotFound(_)) => ErrorKind::NotFound,
            Error::Stale(_) | Error::Store(S::Stale(_)) => ErrorKind::Stale,
            Error::Forbidden(_) => ErrorKind::Forbidden,
            Error::Store(S::Conflict(_)) => ErrorKind::Conflict,
            Error::Store(S::Locked | S::LockTimeout { .. }) => ErrorKind::Busy,
            _ => ErrorKind::Internal,
        }
    }
}

/// A database target as it may be printed or logged: without a URL's password.
pub fn shown_db(db: &str) -> String {
    crosswalk_store::redact(db)
}

/// What every use case returns.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `Err(Error::Invalid(format!(…)))`.
#[macro_export]
macro_rules! invalid {
    ($($t:tt)*) => { $crate::Error::Invalid(format!($($t)*)) };
}

/// Returns early with [`Error::Invalid`].
#[macro_export]
macro_rules! bail {
    ($($t:tt)*) => { return Err($crate::invalid!($($t)*)) };
}

/// Many problems as one error: the first `limit` listed, then a count of the rest.
pub(crate) fn problems(
    summary: impl Into<String>,
    mut problems: Vec<String>,
    limit: usize,
) -> Error {
    let more = problems.len().saturating_sub(limit);
    problems.truncate(limit);
    if more > 0 {
        problems.push(format!("… and {more} more"));
    }
    Error::Problems {
        summary: summary.into(),
        problems,
    }
}

/// Domain check failures (a list of displayable issues) as one error.
pub(crate) fn issues<T: std::fmt::Display>(issues: &[T]) -> Error {
    Error::Invalid(
        issues
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    )
}
