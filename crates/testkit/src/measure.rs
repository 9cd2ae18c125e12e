//! What the bench reads about a running stack: each process's peak memory and each store's size
//! on disk. Linux only (`/proc`); elsewhere the memory figure is absent.

use std::path::Path;

/// The peak resident set size (`VmHWM` in `/proc/<pid>/status`) of process `pid`, in bytes.
pub fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Bytes allocated on disk to the files under `path`, recursively (blocks, not lengths: a sparse
/// or preallocated file counts what it takes).
pub fn disk_bytes(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => disk_bytes(&e.path()),
            Ok(m) => m.blocks() * 512,
            Err(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_peak_rss() {
        let rss = peak_rss(std::process::id()).expect("VmHWM of this process");
        assert!(rss > 1024 * 1024, "{rss}");
        assert_eq!(peak_rss(u32::MAX), None);
    }

    #[test]
    fn disk_bytes_counts_files_below() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(disk_bytes(dir.path()), 0);
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a"), vec![7u8; 64 * 1024]).unwrap();
        std::fs::write(dir.path().join("b"), vec![7u8; 16 * 1024]).unwrap();
        let bytes = disk_bytes(dir.path());
        assert!(bytes >= 80 * 1024, "{bytes}");
        assert_eq!(disk_bytes(&dir.path().join("absent")), 0);
    }
}
