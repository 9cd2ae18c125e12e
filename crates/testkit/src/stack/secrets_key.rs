//! The key the stack's notifier seals webhook secrets with: made once per data directory, on
//! the first start, readable by its owner only, so that `liaison dev` and `just demo` can create
//! webhook rules without an operator's key, and a resumed stack opens the secrets it sealed.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::TryRngCore;

use crate::error::StackError;

/// The key file, in the stack's data directory.
pub const SECRETS_KEY_FILE: &str = "notifier-secrets.keys";

/// The key file of `data_dir`, made with one new random key when absent (`0600`); an existing
/// one is kept as it is.
pub fn ensure_secrets_key(data_dir: &Path) -> Result<PathBuf, StackError> {
    let path = data_dir.join(SECRETS_KEY_FILE);
    if path.exists() {
        return Ok(path);
    }
    let mut key = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut key)
        .map_err(|e| StackError::io(&path)(std::io::Error::other(e)))?;
    let id = format!("dev-{}", chrono::Utc::now().format("%Y%m%d"));
    let text = format!(
        "# The notifier's webhook secrets key, made by the stack on its first start.\n\
         # One `key_id:base64-key` a line, newest first (see the notifier's README).\n\
         {id}:{}\n",
        STANDARD.encode(key)
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(StackError::io(&path))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = ensure_secrets_key(dir.path()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let entry = text.lines().find(|l| !l.starts_with('#')).unwrap();
        let (id, key) = entry.split_once(':').unwrap();
        assert!(id.starts_with("dev-"), "{entry}");
        assert_eq!(STANDARD.decode(key).unwrap().len(), 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(ensure_secrets_key(dir.path()).unwrap(), path);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "kept");
    }
}
