//! The notifier's secrets keys: which keys seal and open webhook secrets, read from the key file
//! or the environment, newest first.
//!
//! The format, the same in the file and the variable: one `key_id:base64-key` an entry, the
//! newest first; entries are separated by line breaks (or commas, for a one-line variable);
//! blank lines and lines starting with `#` (comments) are skipped. A key is 32 random bytes in standard
//! base64 (`openssl rand -base64 32`); a key id is 1 to 64 ASCII letters, digits, `.`, `_`, `-`
//! (a date makes a good one: `2025-06`). New secrets are sealed with the first key; the others
//! stay to open the secrets they sealed (rotation).
//!
//! A problem is reported with where it is (the entry's number), never with the key's text.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use liaison_proto::events::{SEAL_KEY_BYTES, key_id_problem};
use zeroize::Zeroizing;

/// One key of the ring: its id and its cipher (which wipes the key when dropped).
pub(super) struct RingKey {
    pub(super) id: String,
    pub(super) cipher: XChaCha20Poly1305,
}

/// The keys, newest first (never empty).
pub struct KeyRing {
    keys: Vec<RingKey>,
}

/// A key file or variable that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyRingError {
    /// It holds no key.
    #[error(
        "{setting} holds no key; write one `key_id:base64-key` a line (a key is 32 random bytes, `openssl rand -base64 32`)"
    )]
    Empty {
        /// Where the keys came from (the setting, and the file).
        setting: String,
    },
    /// An entry is malformed.
    #[error("{setting}, {at}: {problem}")]
    Entry {
        /// Where the keys came from.
        setting: String,
        /// Where the entry is: `line 2`, or `line 1, entry 2` in a comma-separated line.
        at: String,
        /// What is wrong (never the key).
        problem: String,
    },
}

impl KeyRing {
    /// The keys of `text` (see the module docs), `source` naming where it comes from in
    /// errors.
    pub fn parse(text: &str, source: &str) -> Result<Self, KeyRingError> {
        let mut keys: Vec<RingKey> = Vec::new();
        for (line_number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split(',').collect();
            for (part_number, entry) in parts.iter().enumerate() {
                let entry = entry.trim();
                if entry.is_empty() {
                    continue;
                }
                let at = if parts.len() > 1 {
                    format!("line {}, entry {}", line_number + 1, part_number + 1)
                } else {
                    format!("line {}", line_number + 1)
                };
                keys.push(
                    parse_entry(entry, &keys).map_err(|problem| KeyRingError::Entry {
                        setting: source.to_owned(),
                        at,
                        problem,
                    })?,
                );
            }
        }
        if keys.is_empty() {
            return Err(KeyRingError::Empty {
                setting: source.to_owned(),
            });
        }
        Ok(Self { keys })
    }

    /// The key new secrets are sealed with.
    pub(super) fn newest(&self) -> &RingKey {
        &self.keys[0]
    }

    /// The key `id`, if the ring holds it.
    pub(super) fn get(&self, id: &str) -> Option<&RingKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// The id of the key new secrets are sealed with.
    pub fn newest_id(&self) -> &str {
        &self.newest().id
    }

    /// Every key id, newest first.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.id.as_str())
    }

    /// Whether the ring holds key `id`.
    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }
}

/// One `key_id:base64-key` entry, whose id none of `earlier` has; what is wrong with it
/// otherwise (never the key).
fn parse_entry(entry: &str, earlier: &[RingKey]) -> Result<RingKey, String> {
    let Some((id, encoded)) = entry.split_once(':') else {
        return Err("expected `key_id:base64-key` (no ':' found)".into());
    };
    let id = id.trim();
    if let Some(p) = key_id_problem(id) {
        return Err(p);
    }
    if earlier.iter().any(|k| k.id == id) {
        return Err(format!(
            "the key id '{id}' is listed twice; every key needs an id of its own"
        ));
    }
    let key = Zeroizing::new(
        STANDARD
            .decode(encoded.trim())
            .map_err(|_| format!("the key of '{id}' is not standard base64"))?,
    );
    let cipher = XChaCha20Poly1305::new_from_slice(&key).map_err(|_| {
        format!(
            "the key of '{id}' is {} bytes; a key is {SEAL_KEY_BYTES} random bytes \
             (`openssl rand -base64 32`)",
            key.len()
        )
    })?;
    Ok(RingKey {
        id: id.to_owned(),
        cipher,
    })
}

impl std::fmt::Debug for KeyRing {
    /// The ids only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("ids", &self.ids().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    const KEY_B: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

    fn parse(text: &str) -> Result<KeyRing, KeyRingError> {
        KeyRing::parse(text, "LIAISON_NOTIFIER_SECRETS_KEYS")
    }

    #[test]
    fn the_first_key_is_the_newest() {
        let ring = parse(&format!(
            "# rotated in June, the old key kept: key_id:base64\n2025-06:{KEY_B}\n\n 2025-01 : {KEY_A} \n"
        ))
        .unwrap();
        assert_eq!(ring.newest_id(), "2025-06");
        assert_eq!(ring.ids().collect::<Vec<_>>(), ["2025-06", "2025-01"]);
        assert!(ring.contains("2025-01") && !ring.contains("2024-12"));
        let one_line = parse(&format!("b:{KEY_B},a:{KEY_A}")).unwrap();
        assert_eq!(one_line.ids().collect::<Vec<_>>(), ["b", "a"]);
    }

    #[test]
    fn problems_name_the_entry_never_the_key() {
        let cases = [
            (KEY_A.to_owned(), "line 1", "expected `key_id:base64-key`"),
            (
                format!("a:{KEY_A}\nbad id:{KEY_B}"),
                "line 2",
                "a key id holds only",
            ),
            (
                format!("a:{KEY_A},a:{KEY_B}"),
                "line 1, entry 2",
                "listed twice",
            ),
            (
                "# a, b\na:not base64!".to_owned(),
                "line 2",
                "is not standard base64",
            ),
            ("a:c2hvcnQ=".to_owned(), "line 1", "is 5 bytes; a key is 32"),
        ];
        for (text, at, expected) in cases {
            let message = parse(&text).unwrap_err().to_string();
            assert!(
                message.starts_with(&format!("LIAISON_NOTIFIER_SECRETS_KEYS, {at}: ")),
                "{message}"
            );
            assert!(message.contains(expected), "{message}");
            assert!(
                !message.contains(KEY_A) && !message.contains(KEY_B),
                "{message}"
            );
        }
        assert!(matches!(
            parse("\n# none\n"),
            Err(KeyRingError::Empty { .. })
        ));
    }

    #[test]
    fn debug_shows_the_ids_only() {
        let ring = parse(&format!("a:{KEY_A}")).unwrap();
        assert_eq!(format!("{ring:?}"), r#"KeyRing { ids: ["a"] }"#);
    }
}
