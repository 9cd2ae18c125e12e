//! Which paths may be forwarded: a path that could climb out of the service's API after a
//! decoding step (`..`, `.`, an encoded `/` or `\`, a NUL) is refused before any request is
//! made, so `/api/projection/../ingest/…` can never reach ingest, however it is spelled.

use percent_encoding::percent_decode_str;

/// Why a forwarded path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// A segment is `.` or `..` (also percent-encoded).
    #[error("the path may not contain `.` or `..` segments")]
    DotSegment,
    /// A segment hides a separator or a control character behind percent-encoding, or is not
    /// UTF-8 once decoded.
    #[error("the path may not contain an encoded `/`, `\\`, a control character or invalid UTF-8")]
    Encoded,
    /// An empty segment (`//`), which some servers collapse.
    #[error("the path may not contain empty segments")]
    EmptySegment,
}

/// Checks `rest`, the raw (still percent-encoded) path after `/api/<service>/`; returns it as it
/// will be forwarded (unchanged).
pub fn check(rest: &str) -> Result<&str, PathError> {
    for segment in rest.split('/') {
        if segment.is_empty() {
            return Err(PathError::EmptySegment);
        }
        let decoded = percent_decode_str(segment)
            .decode_utf8()
            .map_err(|_| PathError::Encoded)?;
        if decoded == "." || decoded == ".." {
            return Err(PathError::DotSegment);
        }
        if decoded.contains(['/', '\\']) || decoded.chars().any(char::is_control) {
            return Err(PathError::Encoded);
        }
    }
    Ok(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_pass_unchanged() {
        for ok in [
            "v1/relationships",
            "v1/relationships/meta/lg-electronics",
            "v1/organizations/meta/timeline",
            "readyz",
            "v1/things/a%20b",
        ] {
            assert_eq!(check(ok), Ok(ok));
        }
    }

    #[test]
    fn climbing_out_is_refused_however_spelled() {
        for (bad, why) in [
            ("../ingest/v1/events", PathError::DotSegment),
            ("v1/../../ingest", PathError::DotSegment),
            ("%2e%2e/ingest/v1/events", PathError::DotSegment),
            ("%2E./ingest", PathError::DotSegment),
            ("./v1", PathError::DotSegment),
            ("..%2fingest%2fv1", PathError::Encoded),
            ("v1%5c..%5cingest", PathError::Encoded),
            ("v1/%00", PathError::Encoded),
            ("v1/%ff", PathError::Encoded),
            ("v1//events", PathError::EmptySegment),
            ("", PathError::EmptySegment),
        ] {
            assert_eq!(check(bad), Err(why), "{bad}");
        }
    }
}
