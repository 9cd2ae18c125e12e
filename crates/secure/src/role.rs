//! The NATS roles of a Liaison deployment: one user each, bound in the generated users file to
//! the permissions of the same name in `deploy/nats/roles.conf`.

use liaison_proto::services::Service;

/// The client name of `liaison` (the command line) for its inbox prefix: its read-only user is
/// [`Role::Cli`], and the admin (any prefix) uses it too.
pub const CLI_CLIENT: &str = "cli";

/// The inbox prefix of client `name` (`_INBOX.ingest`): replies to its requests, JetStream API
/// answers and pulled messages arrive under it. Each role may subscribe to its own prefix only,
/// so no role reads another's replies.
pub fn inbox_prefix(name: &str) -> String {
    format!("_INBOX.{name}")
}

/// A NATS user of the deployment and what it may do (the permissions are in
/// `deploy/nats/roles.conf`, under [`Role::variable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The operator: everything, including creating and deleting streams.
    Admin,
    /// `liaison-ingest`: appends to the log, answers `liaison.ingest.append`.
    Ingest,
    /// `liaison-projection`: follows the log, answers `liaison.query.*`.
    Projection,
    /// `liaison-notifier`: follows the log, appends rules, publishes and delivers alerts.
    Notifier,
    /// `liaison-reader`: follows the log and its articles stream, appends through ingest.
    Reader,
    /// `liaison-console` (to come): asks the projection's queries and ingest's append.
    Console,
    /// The command line's read-only user: follows the log and the alerts.
    Cli,
}

impl Role {
    /// Every role, in the order of the users file.
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Ingest,
        Role::Projection,
        Role::Notifier,
        Role::Reader,
        Role::Console,
        Role::Cli,
    ];

    /// Its name: the seed file's (`ingest.nk`), the inbox prefix's (`_INBOX.ingest`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Ingest => "ingest",
            Role::Projection => "projection",
            Role::Notifier => "notifier",
            Role::Reader => "reader",
            Role::Console => "console",
            Role::Cli => CLI_CLIENT,
        }
    }

    /// The role named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The variable of `deploy/nats/roles.conf` that holds its permissions.
    pub fn variable(self) -> &'static str {
        match self {
            Role::Admin => "ROLE_ADMIN",
            Role::Ingest => "ROLE_INGEST",
            Role::Projection => "ROLE_PROJECTION",
            Role::Notifier => "ROLE_NOTIFIER",
            Role::Reader => "ROLE_READER",
            Role::Console => "ROLE_CONSOLE",
            Role::Cli => "ROLE_CLI",
        }
    }

    /// The role a service runs as.
    pub fn of_service(service: Service) -> Role {
        match service {
            Service::Ingest => Role::Ingest,
            Service::Projection => Role::Projection,
            Service::Notifier => Role::Notifier,
            Service::Reader => Role::Reader,
            Service::Console => Role::Console,
        }
    }

    /// The file name of its nkey seed (`ingest.nk`, the NATS tools' extension).
    pub fn seed_file(self) -> String {
        format!("{}.nk", self.name())
    }

    /// Its inbox prefix (see [`inbox_prefix`]).
    pub fn inbox_prefix(self) -> String {
        inbox_prefix(self.name())
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_runs_as_the_role_of_its_name_so_its_inbox_is_the_roles() {
        for service in Service::ALL {
            let role = Role::of_service(service);
            assert_eq!(role.name(), service.name());
            assert_eq!(inbox_prefix(service.name()), role.inbox_prefix());
        }
        assert_eq!(Role::from_name("cli"), Some(Role::Cli));
        assert_eq!(Role::from_name("root"), None);
    }
}
