//! The committed JSON Schemas and AsyncAPI document must be what the code generates.

use std::path::Path;

const HOW: &str = "regenerate with `cargo run -p liaison-proto --example gen-schemas` and commit proto/schemas and proto/asyncapi.yaml";

#[test]
fn committed_documents_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = liaison_proto::schema::generated_files();
    let mut stale = Vec::new();
    for (path, text) in &files {
        match std::fs::read_to_string(root.join(path)) {
            Ok(committed) if committed == *text => {}
            Ok(_) => stale.push(format!("{path} differs")),
            Err(_) => stale.push(format!("{path} is missing")),
        }
    }
    let mut extra = Vec::new();
    collect(&root.join("schemas"), root, &mut extra);
    for path in extra {
        if !files.iter().any(|(p, _)| *p == path) {
            stale.push(format!("{path} is no longer generated"));
        }
    }
    assert!(
        stale.is_empty(),
        "stale contract documents: {stale:?}; {HOW}"
    );
}

fn collect(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, root, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_event_type_has_a_data_schema_that_forbids_unknown_fields() {
    for t in liaison_proto::EventType::ALL {
        let s = liaison_proto::schema::data_schema(t);
        assert_eq!(s["additionalProperties"], false, "{t}");
    }
}

#[test]
fn asyncapi_lists_every_subject() {
    let doc = liaison_proto::schema::asyncapi();
    let addresses: Vec<&str> = doc["channels"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c["address"].as_str().unwrap())
        .collect();
    for expected in [
        "liaison.events.{type}.{key}",
        "liaison.alerts.{rule}",
        "liaison.ingest.append",
        "liaison.query.relationship",
        "liaison.query.relationships",
        "liaison.query.organization",
        "liaison.query.timeline",
        "liaison.query.meetings",
    ] {
        assert!(addresses.contains(&expected), "{expected} in {addresses:?}");
    }
}

#[test]
fn the_limits_are_printed_in_the_schemas() {
    use liaison_proto::EventType;
    use liaison_proto::limits::*;
    let meeting = liaison_proto::schema::data_schema(EventType::MeetingHeld);
    let props = &meeting["properties"];
    assert_eq!(props["organizations"]["maxItems"], MAX_ORGANIZATIONS);
    assert_eq!(props["topics"]["maxItems"], MAX_TOPICS);
    assert_eq!(props["participants"]["maxItems"], MAX_PARTICIPANTS);
    assert_eq!(props["location"]["maxLength"], MAX_STRING_BYTES);
    assert_eq!(props["summary"]["maxLength"], MAX_STRING_BYTES);
    let evidence = &meeting["definitions"]["Evidence"]["properties"];
    assert_eq!(evidence["quote"]["maxLength"], MAX_QUOTE_BYTES);
    let person = liaison_proto::schema::data_schema(EventType::PersonRegistered);
    assert_eq!(person["properties"]["aliases"]["maxItems"], MAX_ALIASES);
    assert_eq!(
        person["properties"]["aliases"]["items"]["maxLength"],
        MAX_STRING_BYTES
    );
    assert_eq!(
        person["properties"]["affiliations"]["maxItems"],
        MAX_AFFILIATIONS
    );
    let rule = liaison_proto::schema::data_schema(EventType::RuleCreated);
    let matcher = &rule["definitions"]["RuleMatch"]["properties"];
    assert_eq!(matcher["event_types"]["maxItems"], MAX_EVENT_TYPES);
    assert_eq!(matcher["organizations"]["maxItems"], MAX_ORGANIZATIONS);
    // What JSON Schema cannot say is in every event schema's description, with the warning
    // that maxLength counts characters.
    let files = liaison_proto::schema::schemas();
    for (path, schema) in &files {
        if path.starts_with("schemas/data/") || path.ends_with("submission.json") {
            let description = schema["description"].as_str().unwrap();
            assert!(description.contains("256 pair-topics"), "{path}");
            assert!(description.contains("counts UTF-8 bytes"), "{path}");
        }
    }
    let submission = &files
        .iter()
        .find(|(p, _)| p.ends_with("submission.json"))
        .unwrap()
        .1;
    assert_eq!(submission["anyOf"][1]["maxItems"], MAX_BATCH_EVENTS);
}
