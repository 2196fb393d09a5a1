//! Identifier newtypes, checked once at the boundary.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("identifier is empty")]
    Empty,
    #[error("`{0}` is not a valid framework id: use lowercase letters, digits, `.` and `-`")]
    Framework(String),
    #[error("`{0}` is not a valid requirement id: use printable ASCII without spaces or `:`")]
    Requirement(String),
}

fn is_framework_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && s.as_bytes()[0].is_ascii_alphanumeric()
}

fn is_requirement_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

/// A framework edition id (`iso27001-2022`) or family short id (`iso27001`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FrameworkId(String);

impl FrameworkId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        Self::try_from(s.to_owned())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FrameworkId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        if s.is_empty() {
            Err(IdError::Empty)
        } else if is_framework_id(&s) {
            Ok(Self(s))
        } else {
            Err(IdError::Framework(s))
        }
    }
}

impl From<FrameworkId> for String {
    fn from(id: FrameworkId) -> String {
        id.0
    }
}

impl fmt::Display for FrameworkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A requirement id spelled as the standard prints it (`CC6.1`, `A.5.15`, `PR.AA-01`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequirementId(String);

impl RequirementId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        Self::try_from(s.to_owned())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RequirementId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        if s.is_empty() {
            Err(IdError::Empty)
        } else if is_requirement_id(&s) {
            Ok(Self(s))
        } else {
            Err(IdError::Requirement(s))
        }
    }
}

impl From<RequirementId> for String {
    fn from(id: RequirementId) -> String {
        id.0
    }
}

impl fmt::Display for RequirementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_ids() {
        assert!(FrameworkId::parse("iso27001-2022").is_ok());
        assert!(FrameworkId::parse("nist-csf-2.0").is_ok());
        assert_eq!(
            FrameworkId::parse("ISO27001"),
            Err(IdError::Framework("ISO27001".into()))
        );
        assert_eq!(FrameworkId::parse(""), Err(IdError::Empty));
        assert!(FrameworkId::parse("-x").is_err());
    }

    #[test]
    fn requirement_ids() {
        for ok in [
            "CC6.1",
            "A.5.15",
            "6.1.2",
            "PR.AA-01",
            "164.308(a)(1)",
            "Art.21(2)(a)",
        ] {
            assert!(RequirementId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "A 5", "x:y", "é"] {
            assert!(RequirementId::parse(bad).is_err(), "{bad}");
        }
    }
}
