//! Reading the deploy files: YAML documents as JSON (YAML merge keys applied, as Compose and
//! kubectl apply them), validation against the vendored JSON schemas of `deploy/schemas/`, and the
//! INI-ish systemd units.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The repository's `deploy/` directory.
pub fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

/// The text of `deploy/<relative>`.
pub fn read(relative: &str) -> String {
    let path = deploy_dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The documents of the YAML file `deploy/<relative>` as JSON, `<<` merge keys applied.
pub fn yaml_documents(relative: &str) -> Vec<Value> {
    let text = read(relative);
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| {
            let mut value = <serde_norway::Value as serde::Deserialize>::deserialize(doc)
                .unwrap_or_else(|e| panic!("{relative} is not YAML: {e}"));
            value
                .apply_merge()
                .unwrap_or_else(|e| panic!("{relative}: a merge key: {e}"));
            serde_json::to_value(&value)
                .unwrap_or_else(|e| panic!("{relative}: not representable as JSON: {e}"))
        })
        .filter(|doc| !doc.is_null())
        .collect()
}

/// The one document of `deploy/<relative>`.
pub fn yaml_document(relative: &str) -> Value {
    let mut docs = yaml_documents(relative);
    assert_eq!(docs.len(), 1, "{relative} should hold one YAML document");
    docs.remove(0)
}

/// The vendored schema `deploy/schemas/<relative>`.
pub fn schema(relative: &str) -> Value {
    serde_json::from_str(&read(&format!("schemas/{relative}")))
        .unwrap_or_else(|e| panic!("schemas/{relative} is not JSON: {e}"))
}

/// What `schema` finds wrong with `instance`, one line per error (empty: valid).
pub fn schema_errors(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("the vendored schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The vendored Kubernetes schema of a document's `apiVersion` and `kind` (file names as
/// yannh/kubernetes-json-schema spells them: `statefulset-apps-v1.json`, `service-v1.json`).
pub fn kubernetes_schema(doc: &Value) -> Value {
    let api = doc["apiVersion"].as_str().expect("apiVersion");
    let kind = doc["kind"].as_str().expect("kind").to_lowercase();
    let file = match api.split_once('/') {
        Some((group, version)) => format!(
            "{kind}-{}-{version}.json",
            group.split('.').next().unwrap_or(group)
        ),
        None => format!("{kind}-{api}.json"),
    };
    let path = deploy_dir().join("schemas/kubernetes").join(&file);
    assert!(
        path.exists(),
        "no vendored schema for {api} {kind}: add it to deploy/schemas/kubernetes/trim.py ({file})"
    );
    schema(&format!("kubernetes/{file}"))
}

/// A systemd unit: each section's `key=value` lines in order (a key may repeat, as
/// `Environment=` does).
pub type Unit = BTreeMap<String, Vec<(String, String)>>;

/// Parses a unit file: `[Section]` headers, `Key=Value` lines, `#`/`;` comments, blank lines.
/// Anything else (a line outside a section, a line without `=`) is an error naming the line.
pub fn parse_unit(name: &str, text: &str) -> Unit {
    let mut unit = Unit::new();
    let mut section: Option<String> = None;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = Some(header.to_owned());
            unit.entry(header.to_owned()).or_default();
            continue;
        }
        let current = section
            .as_ref()
            .unwrap_or_else(|| panic!("{name}:{}: a setting outside any section", number + 1));
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{name}:{}: not key=value: {line}", number + 1));
        unit.get_mut(current)
            .expect("the section was entered")
            .push((key.trim().to_owned(), value.trim().to_owned()));
    }
    unit
}

/// Every value of `key` in `section`.
pub fn values<'a>(unit: &'a Unit, section: &str, key: &str) -> Vec<&'a str> {
    unit.get(section)
        .into_iter()
        .flatten()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The `NAME=value` pairs of an environment file (comments and blank lines skipped).
pub fn env_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l
                .split_once('=')
                .unwrap_or_else(|| panic!("not NAME=value: {l}"));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}
