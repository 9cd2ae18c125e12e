//! What each binary reads from the environment, taken from its own clap definition (the services'
//! `Config`, the CLI's `Cli`), so that a manifest naming a variable nobody reads — a typo, a
//! renamed setting — fails here instead of being silently ignored in production.

use std::collections::BTreeSet;

use clap::{Args, CommandFactory};
use liaison_proto::services::Service;
use liaison_runtime::service::Service as ServiceSkeleton;

/// The `LIAISON_*` names one binary reads.
pub type Names = BTreeSet<String>;

/// Every `env = "…"` of `command` and of its subcommands.
fn env_of(command: &clap::Command, names: &mut Names) {
    for arg in command.get_arguments() {
        if let Some(env) = arg.get_env() {
            names.insert(env.to_string_lossy().into_owned());
        }
    }
    for sub in command.get_subcommands() {
        env_of(sub, names);
    }
}

/// The names read by a service whose settings are `C`.
fn service_names<C: Args>() -> Names {
    let mut names = Names::new();
    env_of(&C::augment_args(clap::Command::new("service")), &mut names);
    names
}

/// The names `service`'s binary reads.
pub fn of_service(service: Service) -> Names {
    let mut names = match service {
        Service::Ingest => {
            service_names::<<liaison_ingest::IngestService as ServiceSkeleton>::Config>()
        }
        Service::Projection => {
            service_names::<<liaison_projection::ProjectionService as ServiceSkeleton>::Config>()
        }
        Service::Notifier => {
            service_names::<<liaison_notifier::NotifierService as ServiceSkeleton>::Config>()
        }
        Service::Reader => {
            service_names::<<liaison_reader::ReaderService as ServiceSkeleton>::Config>()
        }
        Service::Console => {
            service_names::<<liaison_console::ConsoleService as ServiceSkeleton>::Config>()
        }
    };
    if service == Service::Notifier {
        // Read outside clap (environment only, never a flag): its name is the notifier's constant.
        names.insert(liaison_notifier::secrets::KEYS_ENV.to_owned());
    }
    names
}

/// The names the `liaison` CLI reads (every command's).
pub fn of_cli() -> Names {
    let mut names = Names::new();
    env_of(&liaison::cli::Cli::command(), &mut names);
    names
}

/// The names read by the binary called `binary` (`liaison-ingest`, `liaison`), or `None` for a
/// binary that is not ours.
pub fn of_binary(binary: &str) -> Option<Names> {
    match binary {
        "liaison" => Some(of_cli()),
        other => Service::ALL
            .into_iter()
            .find(|s| s.binary_name() == other)
            .map(of_service),
    }
}

/// The names read by at least one service (what a shared environment may set).
pub fn of_any_service() -> Names {
    Service::ALL.into_iter().flat_map(of_service).collect()
}
