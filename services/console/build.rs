//! Builds the table of the UI's files into the binary: every file under `assets/` (the committed
//! output of `just console-assets`), so that `cargo build` alone needs no Node and the console
//! serves the UI with no file beside it (docs/decisions/018-the-console.md).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    // Read at run time, not baked in with env!: worktrees sharing one target directory share this
    // script's binary (cargo hashes a path package by its path inside the workspace), and each
    // must embed its own assets.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("assets");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut table = String::from("&[\n");
    for file in &files {
        let name = file
            .strip_prefix(&root)
            .expect("under assets/")
            .to_str()
            .expect("asset names are UTF-8")
            .replace('\\', "/");
        println!("cargo:rerun-if-changed={}", file.display());
        writeln!(
            table,
            "    ({name:?}, include_bytes!({:?}) as &[u8]),",
            file.display().to_string()
        )
        .expect("writing to a string");
    }
    table.push(']');
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("assets.rs"), table).expect("writing the asset table");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.file_name().is_some_and(|n| n != ".gitkeep") {
            files.push(path);
        }
    }
}
