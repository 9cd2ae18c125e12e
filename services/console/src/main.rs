//! `liaison-console`: the web console, on the service skeleton.

fn main() -> std::process::ExitCode {
    liaison_runtime::service::main::<liaison_console::ConsoleService>()
}
