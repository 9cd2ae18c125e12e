//! The `liaison-reader` binary: the service skeleton runs [`liaison_reader::ReaderService`].

fn main() -> std::process::ExitCode {
    liaison_runtime::service::main::<liaison_reader::ReaderService>()
}
