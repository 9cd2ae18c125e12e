//! Writes the generated contract documents (JSON Schemas under `proto/schemas/`, and
//! `proto/asyncapi.yaml`). Run after changing a wire type:
//! `cargo run -p liaison-proto --example gen-schemas`.

use std::path::Path;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("schemas");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    for (path, text) in liaison_proto::schema::generated_files() {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
