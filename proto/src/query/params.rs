//! Reading request parameters into the typed request structs: an HTTP query string (with the
//! path's parameters) or the JSON body of a NATS request, with errors that name the parameter.
//!
//! A loose reading lets a typo through: `asof=2024-01-01` used to be ignored, and the query
//! answered "now". Here a name the request type does not know is refused with the names it does
//! know (`unknown parameter 'asof'; expected one of: as_of, min_sequence`), a parameter given
//! twice is refused, and a malformed value is refused with the parameter's name and what was
//! expected. The names come from the type itself (its serde fields), so the list cannot drift
//! from the struct.

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

/// A request parameter is unknown, repeated, missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct ParamError {
    /// The parameter at fault; absent when the request as a whole is malformed.
    pub parameter: Option<String>,
    /// What is wrong, starting with the parameter's name.
    pub detail: String,
}

impl ParamError {
    /// The parameter `parameter` is malformed: `detail` says how (starting with its name).
    pub fn invalid(parameter: &str, detail: impl Into<String>) -> Self {
        Self::of(parameter, detail.into())
    }

    fn of(parameter: &str, detail: String) -> Self {
        Self {
            parameter: Some(parameter.to_owned()),
            detail,
        }
    }

    fn whole(detail: String) -> Self {
        Self {
            parameter: None,
            detail,
        }
    }
}

/// The parameter names `T` understands: the serde names of its fields, in declaration order.
///
/// `T` must be a struct without `#[serde(flatten)]` (a flattened struct hides its names).
pub fn parameter_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut names = None;
    let _ = T::deserialize(Introspect(&mut names));
    names.unwrap_or(&[])
}

/// Reads `query` (an URL query string, without `?`) and the `path` parameters (already taken
/// from the URL path, e.g. `[("id", "meta")]`) into `T`. The path parameters may not be given
/// again in the query string.
pub fn from_query_string<T: DeserializeOwned>(
    query: &str,
    path: &[(&str, &str)],
) -> Result<T, ParamError> {
    let accepted: Vec<&str> = parameter_names::<T>()
        .iter()
        .copied()
        .filter(|n| !path.iter().any(|(p, _)| p == n))
        .collect();
    let mut pairs: Vec<(String, String)> = path
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        check_name(&name, &accepted, pairs.iter().map(|(n, _)| n.as_str()))?;
        pairs.push((name.into_owned(), value.into_owned()));
    }
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let parameter = e.path().to_string();
        let value = pairs.iter().find(|(n, _)| *n == parameter).map(|(_, v)| v);
        value_error(&parameter, e.inner().to_string(), value.map(String::as_str))
    })
}

/// Reads the JSON body of a NATS request into `T`: an object of parameters (an empty body is
/// `{}`), every name known to `T`.
pub fn from_json<T: DeserializeOwned>(payload: &[u8]) -> Result<T, ParamError> {
    let value: serde_json::Value = if payload.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        serde_json::from_slice(payload)
            .map_err(|e| ParamError::whole(format!("request: not JSON: {e}")))?
    };
    let Some(object) = value.as_object() else {
        return Err(ParamError::whole(
            "request: expected a JSON object of parameters".to_owned(),
        ));
    };
    let accepted = parameter_names::<T>();
    for name in object.keys() {
        // JSON objects cannot repeat a name once parsed, so only unknown names are checked.
        check_name(name, accepted, std::iter::empty())?;
    }
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let parameter = e.path().to_string();
        let value = object.get(&parameter).map(|v| v.to_string());
        value_error(&parameter, e.inner().to_string(), value.as_deref())
    })
}

fn check_name<'a>(
    name: &str,
    accepted: &[&str],
    mut seen: impl Iterator<Item = &'a str>,
) -> Result<(), ParamError> {
    if !accepted.contains(&name) {
        let detail = if accepted.is_empty() {
            format!("unknown parameter '{name}'; this request takes none")
        } else {
            format!(
                "unknown parameter '{name}'; expected one of: {}",
                accepted.join(", ")
            )
        };
        return Err(ParamError::of(name, detail));
    }
    if seen.any(|n| n == name) {
        return Err(ParamError::of(
            name,
            format!("parameter '{name}' is given more than once"),
        ));
    }
    Ok(())
}

/// The error of a value that does not read, or of a missing parameter (`parameter` is `.` when
/// serde reports it on the request as a whole).
fn value_error(parameter: &str, message: String, value: Option<&str>) -> ParamError {
    if parameter == "." || parameter.is_empty() {
        let detail = match message
            .strip_prefix("missing field `")
            .and_then(|m| m.strip_suffix('`'))
        {
            Some(missing) => {
                return ParamError::of(missing, format!("missing parameter '{missing}'"));
            }
            None => format!("request: {message}"),
        };
        return ParamError::whole(detail);
    }
    // The standard library's integer errors do not say what was expected.
    let message = match message.as_str() {
        "invalid digit found in string" | "cannot parse integer from empty string" => {
            "expected a non-negative integer".to_owned()
        }
        "number too large to fit in target type" => "too large a number".to_owned(),
        _ => message,
    };
    let detail = match value {
        Some(v) if !message.contains(v) => format!("{parameter}: {message} (got {v:?})"),
        _ => format!("{parameter}: {message}"),
    };
    ParamError::of(parameter, detail)
}

/// A deserializer that only records the field names a struct asks for.
struct Introspect<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for Introspect<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(de::Error::custom("names recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::{BusinessTime, Slug, Status};

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Request {
        id: Slug,
        #[serde(default)]
        status: Option<Status>,
        #[serde(default)]
        limit: Option<u32>,
        #[serde(default)]
        as_of: Option<BusinessTime>,
        #[serde(default)]
        min_sequence: Option<u64>,
    }

    fn query(q: &str) -> Result<Request, ParamError> {
        from_query_string(q, &[("id", "meta")])
    }

    #[test]
    fn names_come_from_the_struct() {
        assert_eq!(
            parameter_names::<Request>(),
            ["id", "status", "limit", "as_of", "min_sequence"]
        );
    }

    #[test]
    fn a_query_string_reads_typed_values() {
        let r = query("status=active&limit=20&as_of=2024-01-01&min_sequence=7").unwrap();
        assert_eq!(r.id.as_str(), "meta");
        assert_eq!(r.status, Some(Status::Active));
        assert_eq!(r.limit, Some(20));
        assert_eq!(r.as_of, Some(BusinessTime::parse("2024-01-01").unwrap()));
        assert_eq!(r.min_sequence, Some(7));
        assert_eq!(query("").unwrap().limit, None);
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_known_ones() {
        let e = query("asof=2024-01-01").unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("asof"));
        assert_eq!(
            e.detail,
            "unknown parameter 'asof'; expected one of: status, limit, as_of, min_sequence"
        );
        // A path parameter is not a query parameter.
        assert_eq!(query("id=lg").unwrap_err().parameter.as_deref(), Some("id"));
    }

    #[test]
    fn a_repeated_name_is_refused() {
        let e = query("limit=1&limit=2").unwrap_err();
        assert_eq!(e.detail, "parameter 'limit' is given more than once");
    }

    #[test]
    fn a_malformed_value_names_its_parameter() {
        let e = query("limit=ten").unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("limit"));
        assert_eq!(
            e.detail,
            "limit: expected a non-negative integer (got \"ten\")"
        );
        let e = query("as_of=yesterday").unwrap_err();
        assert!(
            e.detail.starts_with("as_of: expected a date"),
            "{}",
            e.detail
        );
        let e = query("status=friends").unwrap_err();
        assert!(
            e.detail.starts_with("status: unknown variant"),
            "{}",
            e.detail
        );
        let e = from_query_string::<Request>("", &[("id", "Meta!")]).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("id"));
    }

    #[test]
    fn a_json_request_is_read_the_same_way() {
        let r: Request = from_json(br#"{"id": "meta", "limit": 5}"#).unwrap();
        assert_eq!(r.limit, Some(5));
        let e = from_json::<Request>(br#"{"id": "meta", "asof": "2024-01-01"}"#).unwrap_err();
        assert!(
            e.detail
                .starts_with("unknown parameter 'asof'; expected one of: id, status")
        );
        let e = from_json::<Request>(br#"{"id": "meta", "limit": "5"}"#).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("limit"));
        let e = from_json::<Request>(b"").unwrap_err();
        assert_eq!(e.detail, "missing parameter 'id'");
        assert!(from_json::<Request>(b"[1]").is_err());
        assert!(
            from_json::<Request>(b"{")
                .unwrap_err()
                .detail
                .starts_with("request: not JSON")
        );
    }
}
