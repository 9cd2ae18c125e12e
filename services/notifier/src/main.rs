//! The `liaison-notifier` binary: the service skeleton runs [`liaison_notifier::NotifierService`].

fn main() -> std::process::ExitCode {
    liaison_runtime::service::main::<liaison_notifier::NotifierService>()
}
