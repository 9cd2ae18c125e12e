//! Writing the generated files: a private directory (`0700`), secrets readable by their owner
//! alone (`0600`), every file replaced atomically so that a crash never leaves half a key.

use std::io::{self, Write};
use std::path::Path;

/// The mode of a secret: a seed, a private key.
pub(crate) const SECRET: u32 = 0o600;
/// The mode of a public file: a certificate, public keys, permissions.
pub(crate) const PUBLIC: u32 = 0o644;

/// Creates `dir` with its parents and makes it `0700` (also when it existed with another mode).
pub(crate) fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

/// Writes `contents` to `path` with `mode`: into a temporary file beside it, synced, then renamed
/// over `path`. The temporary file is created with `mode`, so a secret is never readable by
/// others, not even for a moment.
pub(crate) fn write_file(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let temp = path.with_file_name(format!(".{}.tmp", name.to_string_lossy()));
    let _ = std::fs::remove_file(&temp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    let mut file = options.open(&temp)?;
    file.write_all(contents)?;
    file.sync_all()?;
    drop(file);
    set_mode(&temp, mode)?;
    std::fs::rename(&temp, path)
}

/// Makes an existing file `mode` (a seed someone copied in with `0644` becomes `0600`).
pub(crate) fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}
