//! The `liaison-ingest` binary: the service skeleton runs [`liaison_ingest::IngestService`].

fn main() -> std::process::ExitCode {
    liaison_runtime::service::main::<liaison_ingest::IngestService>()
}
