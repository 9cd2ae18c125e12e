//! Slug identifiers for organizations, people and topics.
//!
//! The contract names organizations (`meta`), people (`william-cho`) and topics (`xr`) by slugs:
//! lowercase ASCII letters, digits and `-`, 1 to 64 characters. A newtype keeps an unchecked string
//! from ever being used where a slug is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest slug the contract allows.
pub const MAX_SLUG_LEN: usize = 64;

/// A validated slug: `[a-z0-9-]{1,64}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

/// Why a string is not a slug; the message is shown to clients as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    /// The empty string.
    #[error("must not be empty")]
    Empty,
    /// More than [`MAX_SLUG_LEN`] characters.
    #[error("must be at most 64 characters, got {0}")]
    TooLong(usize),
    /// A character outside `[a-z0-9-]`.
    #[error("may hold only lowercase ASCII letters, digits and '-', found {0:?}")]
    BadChar(char),
}

impl Slug {
    /// Checks `s` against the slug rules.
    pub fn parse(s: &str) -> Result<Self, SlugError> {
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        let len = s.chars().count();
        if len > MAX_SLUG_LEN {
            return Err(SlugError::TooLong(len));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(SlugError::BadChar(c));
        }
        Ok(Self(s.to_owned()))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = SlugError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Slug::parse(&s).map(|_| Self(s))
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> Self {
        s.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl schemars::JsonSchema for Slug {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Slug".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[a-z0-9-]{1,64}$",
            "minLength": 1,
            "maxLength": MAX_SLUG_LEN,
            "description": "A slug id: lowercase ASCII letters, digits and '-', 1 to 64 characters."
        })
    }
}

impl std::borrow::Borrow<str> for Slug {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Slug {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Slug {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_contract_examples() {
        for s in [
            "meta",
            "lg-electronics",
            "william-cho",
            "xr",
            "a",
            &"x".repeat(64),
        ] {
            assert!(Slug::parse(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn rejects_bad_slugs() {
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        assert_eq!(Slug::parse(&"x".repeat(65)), Err(SlugError::TooLong(65)));
        assert_eq!(Slug::parse("Meta"), Err(SlugError::BadChar('M')));
        assert_eq!(Slug::parse("lg_electronics"), Err(SlugError::BadChar('_')));
        assert_eq!(Slug::parse("lg électronics"), Err(SlugError::BadChar(' ')));
    }
}
