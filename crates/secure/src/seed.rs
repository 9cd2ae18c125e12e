//! Reading an nkey seed file: the secret half of a NATS user key, `SU…`, one line (comments and
//! blank lines around it allowed, as the NATS tools write them).

use std::path::Path;

use crate::error::AccessError;

const WHAT: &str = "NATS nkey seed file";

/// The user seed in `path`, checked to be one (its content never appears in an error). A file
/// that others may read is used, with a warning: it should be `0600`.
pub fn read_seed(path: &Path) -> Result<String, AccessError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| AccessError::file(WHAT, path, e.to_string()))?;
    warn_if_shared(path);
    let seed = text
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("SU"))
        .ok_or_else(|| {
            AccessError::file(
                WHAT,
                path,
                "it holds no user seed (a line starting with `SU`)",
            )
        })?;
    nkeys::KeyPair::from_seed(seed)
        .map_err(|_| AccessError::file(WHAT, path, "its `SU…` line is not a valid nkey seed"))?;
    Ok(seed.to_owned())
}

#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{mode:o}"),
                "the NATS nkey seed file may be read by other users; `chmod 600` it"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_is_found_among_comments_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let key = nkeys::KeyPair::new_user();
        let seed = key.seed().unwrap();
        let path = dir.path().join("svc.nk");
        std::fs::write(&path, format!("# the ingest's key\n\n{seed}\n")).unwrap();
        assert_eq!(read_seed(&path).unwrap(), seed);

        std::fs::write(&path, "SUNOTASEED\n").unwrap();
        let err = read_seed(&path).unwrap_err().to_string();
        assert!(err.contains("not a valid nkey seed"), "{err}");
        assert!(!err.contains("SUNOTASEED"), "{err}");

        std::fs::write(&path, key.public_key()).unwrap();
        let err = read_seed(&path).unwrap_err().to_string();
        assert!(err.contains("no user seed"), "{err}");

        let err = read_seed(&dir.path().join("missing.nk"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing.nk"), "{err}");
    }
}
