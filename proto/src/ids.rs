//! Typed identifiers: slugs for organizations, people and topics, and event ids.
//!
//! The contract names organizations (`meta`), people (`william-cho`) and topics (`xr`) by slugs:
//! lowercase ASCII letters, digits and `-`, 1 to 64 characters. A newtype keeps an unchecked string
//! from ever being used where a slug is expected. Events are named by UUIDs; [`EventId`] keeps
//! one as a UUID wherever it travels, so that no code turns it into text and parses it back.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// The id of an event in the log (the envelope's `id`): a UUID, written as the hyphenated
/// lowercase text of the contract wherever it is serialized, so that stored records keep the form
/// they had when ids were carried as strings.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct EventId(Uuid);

impl EventId {
    /// The id `uuid`.
    pub const fn new(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// The UUID.
    pub const fn uuid(self) -> Uuid {
        self.0
    }

    /// The 16 bytes of the UUID (a compact, fixed-length key).
    pub const fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    /// Reads an id back from the 16 bytes of [`EventId::as_bytes`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, uuid::Error> {
        Uuid::from_slice(bytes).map(Self)
    }
}

impl From<Uuid> for EventId {
    fn from(uuid: Uuid) -> Self {
        Self(uuid)
    }
}

impl From<EventId> for Uuid {
    fn from(id: EventId) -> Self {
        id.0
    }
}

impl PartialEq<Uuid> for EventId {
    fn eq(&self, other: &Uuid) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl std::str::FromStr for EventId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_id_keeps_the_text_form_of_its_uuid() {
        let uuid = Uuid::parse_str("0190a000-0000-7000-8000-00000000002a").unwrap();
        let id = EventId::from(uuid);
        assert_eq!(id.to_string(), uuid.to_string());
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            serde_json::to_string(&uuid).unwrap()
        );
        assert_eq!(
            serde_json::from_str::<EventId>("\"0190a000-0000-7000-8000-00000000002a\"").unwrap(),
            id
        );
        assert_eq!(id.to_string().parse::<EventId>().unwrap(), id);
        assert_eq!(EventId::from_slice(id.as_bytes()).unwrap(), id);
        assert!("e1".parse::<EventId>().is_err());
    }

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
