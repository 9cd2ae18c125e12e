//! The demo's events, embedded in the binary so that `liaison demo` works from any directory,
//! and the reading of event files (a JSON array, or one JSON event per line) that `import`
//! shares.

use serde_json::Value;

use crate::events_file::EventReader;

/// The hand-coded events of the seed article (Meta and LG, February 2024).
pub const META_LG_2024: &str = include_str!("../../../deploy/scenarios/meta-lg-2024.json");

/// The demo's article: the facts of the seed story in the team's own words (title, blank line,
/// text), read by the reader in `liaison demo`.
pub const DEMO_ARTICLE: &str = include_str!("../../../deploy/articles/meta-lg-2024.en.txt");

/// The demo's hypothetical follow-up (not in the article): an XR partnership announcement.
pub const DEMO_HYPOTHETICAL: &str =
    include_str!("../../../deploy/scenarios/demo-hypothetical.json");

/// Reads a list of events: a JSON array, a single JSON object, or NDJSON (one object per line,
/// blank lines and lines starting with `//` or `#` skipped), all at once; `liaison import` reads
/// files one event at a time with the same reader ([`EventReader`]). The error names the line.
pub fn parse_events(text: &str) -> Result<Vec<Value>, String> {
    EventReader::new(text.as_bytes())
        .map(|event| {
            let event = event.map_err(|e| e.message)?;
            serde_json::from_slice(&event.json).map_err(|e| format!("line {}: {e}", event.line))
        })
        .collect()
}

/// The scenario's events.
pub fn meta_lg() -> Vec<Value> {
    parse_events(META_LG_2024).expect("the embedded scenario is valid JSON")
}

/// The hypothetical partnership announcement.
pub fn hypothetical() -> Vec<Value> {
    parse_events(DEMO_HYPOTHETICAL).expect("the embedded scenario is valid JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_scenarios_are_client_events() {
        for event in meta_lg().into_iter().chain(hypothetical()) {
            let parsed: Result<liaison_proto::ClientEvent, _> =
                serde_json::from_value(event.clone());
            assert!(parsed.is_ok(), "{event}: {parsed:?}");
        }
        assert_eq!(hypothetical().len(), 1);
    }

    #[test]
    fn reads_arrays_objects_and_ndjson() {
        assert_eq!(parse_events("[{\"a\":1},{\"b\":2}]").unwrap().len(), 2);
        assert_eq!(parse_events("{\"a\":1}").unwrap().len(), 1);
        assert_eq!(parse_events("{\"a\":1}\n\n{\"b\":2}\n").unwrap().len(), 2);
        assert!(
            parse_events("{\"a\":1}\n{oops")
                .unwrap_err()
                .starts_with("line 2")
        );
        assert!(parse_events("[1]").is_err());
    }
}
