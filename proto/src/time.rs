//! Business time: when a fact happened, as a date or an RFC 3339 timestamp.
//!
//! Facts are ordered by business time, then by log sequence. A date-only time sorts at the
//! start of that day (UTC); an `as_of` given as a date includes the whole day.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// Why a time could not be read; shown to clients as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a date (YYYY-MM-DD) or an RFC 3339 timestamp, got {0:?}")]
pub struct TimeError(pub String);

/// When a business fact happened, as the client gave it (date or instant).
///
/// Equality and order are by the instant ([`BusinessTime::instant`]); the original text form is
/// kept so that a date stays a date on the way back out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum BusinessTime {
    /// A calendar day; sorts at 00:00 UTC of that day.
    Date(NaiveDate),
    /// An exact instant.
    Instant(DateTime<Utc>),
}

impl BusinessTime {
    /// Reads `YYYY-MM-DD` or an RFC 3339 timestamp; impossible dates (`2024-02-30`) are rejected.
    pub fn parse(s: &str) -> Result<Self, TimeError> {
        // The length first: an instant is never 10 bytes, and `parse_from_str` reads its format
        // string on every call (queries decode times by the thousand, decision 027).
        if s.len() == 10
            && let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        {
            return Ok(Self::Date(d));
        }
        DateTime::parse_from_rfc3339(s)
            .map(|t| Self::Instant(t.with_timezone(&Utc)))
            .map_err(|_| TimeError(s.to_owned()))
    }

    /// The instant used for ordering.
    pub fn instant(self) -> DateTime<Utc> {
        match self {
            Self::Date(d) => d.and_time(NaiveTime::MIN).and_utc(),
            Self::Instant(t) => t,
        }
    }
}

impl schemars::JsonSchema for BusinessTime {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BusinessTime".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "When a business fact happened: a date (YYYY-MM-DD) or an RFC 3339 timestamp.",
            "anyOf": [
                { "type": "string", "format": "date" },
                { "type": "string", "format": "date-time" }
            ]
        })
    }
}

impl PartialOrd for BusinessTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BusinessTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.instant().cmp(&other.instant())
    }
}

impl fmt::Display for BusinessTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // What `%Y-%m-%d` writes, without reading a format string on every call (every
            // date of every answer goes through here, decision 027).
            Self::Date(d) if (0..=9999).contains(&d.year()) => {
                write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
            }
            Self::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Self::Instant(t) => f.write_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        }
    }
}

impl TryFrom<String> for BusinessTime {
    type Error = TimeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<BusinessTime> for String {
    fn from(t: BusinessTime) -> Self {
        t.to_string()
    }
}

/// The `as_of` bound of a query: only facts that happened by then count.
///
/// A date means "by the end of that day"; an instant is inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf(DateTime<Utc>);

impl AsOf {
    /// Reads the same forms as [`BusinessTime::parse`].
    pub fn parse(s: &str) -> Result<Self, TimeError> {
        Ok(match BusinessTime::parse(s)? {
            BusinessTime::Date(d) => {
                let next = d.succ_opt().ok_or_else(|| TimeError(s.to_owned()))?;
                Self(next.and_time(NaiveTime::MIN).and_utc() - chrono::Duration::nanoseconds(1))
            }
            BusinessTime::Instant(t) => Self(t),
        })
    }

    /// An `as_of` at exactly this instant.
    pub fn at(t: DateTime<Utc>) -> Self {
        Self(t)
    }

    /// The last instant included.
    pub fn last_included(self) -> DateTime<Utc> {
        self.0
    }

    /// Whether a fact at `t` happened by this bound.
    pub fn includes(self, t: BusinessTime) -> bool {
        t.instant() <= self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_instants_round_trip() {
        for s in [
            "2024-02-28",
            "2024-02-28T10:00:00Z",
            "2024-02-28T10:00:00.500Z",
        ] {
            assert_eq!(BusinessTime::parse(s).unwrap().to_string(), s);
        }
        let t = BusinessTime::parse("2024-02-28T11:00:00+01:00").unwrap();
        assert_eq!(t.to_string(), "2024-02-28T10:00:00Z");
    }

    #[test]
    fn a_date_is_written_as_its_format_string_writes_it() {
        for d in [
            NaiveDate::from_ymd_opt(1, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(999, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(-1, 6, 15).unwrap(),
        ] {
            let written = BusinessTime::Date(d).to_string();
            assert_eq!(written, d.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for s in [
            "2024-02-30",
            "2023-02-29",
            "2024-13-01",
            "28.02.2024",
            "2024-2-28",
            "",
        ] {
            assert!(BusinessTime::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn date_as_of_includes_the_whole_day() {
        let as_of = AsOf::parse("2024-02-28").unwrap();
        assert!(as_of.includes(BusinessTime::parse("2024-02-28T23:59:59Z").unwrap()));
        assert!(as_of.includes(BusinessTime::parse("2024-02-28").unwrap()));
        assert!(!as_of.includes(BusinessTime::parse("2024-02-29").unwrap()));
    }

    #[test]
    fn order_is_by_instant() {
        let d = BusinessTime::parse("2024-02-28").unwrap();
        let t = BusinessTime::parse("2024-02-28T00:00:01Z").unwrap();
        assert!(d < t);
    }
}
