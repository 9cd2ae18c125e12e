//! The command line: every command, option and help text of `liaison`, as clap types.
//!
//! Kept apart from the commands so that tests can parse argument lists and read `--help`
//! without touching the network, and so that `--help` is written in one place.

use liaison_proto::services::{DEFAULT_NATS_URL, Service};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use liaison_proto::notifier::DeliveryState;
use liaison_proto::{BusinessTime, EventType, Slug, Status};

const ABOUT: &str = "Liaison: track how companies relate, as an event log with evidence.";

const LONG_ABOUT: &str = "\
Liaison: track how companies relate — meetings, cooperation talks, negotiations, agreements,
partnerships, supply deals, competition — as an immutable event log with evidence, and ask what
the status of a relationship is, since when, and why.";

const AFTER_HELP: &str = "\
Getting started:
  liaison demo                                  walk through the Meta–LG scenario
  liaison dev                                   run nats-server and the three services here
  liaison import deploy/scenarios/meta-lg-2024.json
  liaison status meta lg-electronics --topic xr
  liaison org meta
  liaison tail --org meta --follow
  liaison alerts --follow

Every read command takes --json to print the service's JSON instead of a table.

Exit codes (for scripts):
  0  success
  1  the server said no (a 4xx answer: invalid event, unknown organization, conflict)
  2  usage error (bad arguments, unreadable or malformed input file)
  3  a service or NATS is unreachable, answered 5xx, or the stack could not start";

/// The `liaison` command line.
#[derive(Debug, Parser)]
#[command(
    name = "liaison",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Where the services and NATS are.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Base URL of liaison-ingest.
    #[arg(
        long,
        global = true,
        env = "LIAISON_INGEST_URL",
        default_value = Service::Ingest.default_url(),
        value_name = "URL"
    )]
    pub ingest_url: String,
    /// Base URL of liaison-projection.
    #[arg(
        long,
        global = true,
        env = "LIAISON_PROJECTION_URL",
        default_value = Service::Projection.default_url(),
        value_name = "URL"
    )]
    pub projection_url: String,
    /// Base URL of liaison-notifier.
    #[arg(
        long,
        global = true,
        env = "LIAISON_NOTIFIER_URL",
        default_value = Service::Notifier.default_url(),
        value_name = "URL"
    )]
    pub notifier_url: String,
    /// Base URL of liaison-reader.
    #[arg(
        long,
        global = true,
        env = "LIAISON_READER_URL",
        default_value = Service::Reader.default_url(),
        value_name = "URL"
    )]
    pub reader_url: String,
    /// Base URL of liaison-console (where `liaison dev` and `liaison demo` start it).
    #[arg(
        long,
        global = true,
        env = "LIAISON_CONSOLE_URL",
        default_value = Service::Console.default_url(),
        value_name = "URL"
    )]
    pub console_url: String,
    /// NATS URL (for `tail` and `alerts --follow`); comma-separated for a cluster.
    #[arg(
        long,
        global = true,
        env = "LIAISON_NATS_URL",
        default_value = DEFAULT_NATS_URL,
        value_name = "URL"
    )]
    pub nats_url: String,
    /// Bearer token for write and admin endpoints, when the services require one (it also
    /// reads).
    #[arg(
        long,
        global = true,
        env = "LIAISON_API_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub api_token: Option<String>,
    /// Bearer token for reads (queries, rules, alerts), when the services require one; without
    /// it, reads send the API token.
    #[arg(
        long,
        global = true,
        env = "LIAISON_READ_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub read_token: Option<String>,
    /// NATS credentials and TLS.
    #[command(flatten)]
    pub nats_access: NatsAccessArgs,
}

/// How `liaison` proves who it is to NATS and checks the server, with the services' settings
/// (`LIAISON_NATS_*`). On a secured stack, the read-only user (`tail`, `status`, `alerts
/// --follow`: `source <data-dir>/nats-secrets/cli.env`) or the admin (`admin init-streams`).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "NATS access")]
pub struct NatsAccessArgs {
    /// NATS credentials file (JWT and NKey seed).
    #[arg(long, global = true, env = "LIAISON_NATS_CREDS", value_name = "FILE")]
    pub nats_creds: Option<PathBuf>,
    /// NATS nkey seed file (`liaison dev` writes one per role into <data-dir>/nats-secrets).
    #[arg(long, global = true, env = "LIAISON_NATS_NKEY", value_name = "FILE")]
    pub nats_nkey: Option<PathBuf>,
    /// NATS user name (with --nats-password).
    #[arg(long, global = true, env = "LIAISON_NATS_USER", value_name = "USER")]
    pub nats_user: Option<String>,
    /// NATS password (with --nats-user).
    #[arg(
        long,
        global = true,
        env = "LIAISON_NATS_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub nats_password: Option<String>,
    /// NATS authentication token.
    #[arg(
        long,
        global = true,
        env = "LIAISON_NATS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub nats_token: Option<String>,
    /// CA certificate (PEM) to verify the NATS server with (implies --nats-tls-required).
    #[arg(long, global = true, env = "LIAISON_NATS_TLS_CA", value_name = "FILE")]
    pub nats_tls_ca: Option<PathBuf>,
    /// Client certificate (PEM) for NATS mutual TLS (with --nats-tls-key).
    #[arg(
        long,
        global = true,
        env = "LIAISON_NATS_TLS_CERT",
        value_name = "FILE"
    )]
    pub nats_tls_cert: Option<PathBuf>,
    /// Client private key (PEM) for NATS mutual TLS (with --nats-tls-cert).
    #[arg(long, global = true, env = "LIAISON_NATS_TLS_KEY", value_name = "FILE")]
    pub nats_tls_key: Option<PathBuf>,
    /// Refuse to talk to NATS without TLS.
    #[arg(long, global = true, env = "LIAISON_NATS_TLS_REQUIRED")]
    pub nats_tls_required: bool,
}

impl NatsAccessArgs {
    /// The settings as `liaison-secure` takes them (which refuses two ways of authenticating at
    /// once, naming them).
    pub fn access(&self) -> liaison_secure::NatsAccess {
        liaison_secure::NatsAccess {
            creds: self.nats_creds.clone(),
            nkey: self.nats_nkey.clone(),
            user: self.nats_user.clone(),
            password: self.nats_password.clone(),
            token: self.nats_token.clone(),
            tls_ca: self.nats_tls_ca.clone(),
            tls_cert: self.nats_tls_cert.clone(),
            tls_key: self.nats_tls_key.clone(),
            tls_required: self.nats_tls_required,
        }
    }
}

/// What `liaison` can do: one variant per command, each with its own arguments.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run nats-server and the three services on this machine (Ctrl-C stops them all).
    #[command(after_help = "\
Examples:
  liaison dev                         data in ./data; resumes where the last run stopped
  liaison dev --data-dir /tmp/l --fresh

nats-server 2.15 is looked for in LIAISON_NATS_SERVER, <repo>/.tools/bin, then PATH
(`just setup` installs it). The services are looked for next to this executable
(or in LIAISON_BIN_DIR): build them with
  cargo build --release -p liaison -p liaison-ingest -p liaison-projection -p liaison-notifier \\
      -p liaison-reader")]
    Dev(DevArgs),
    /// Start the stack, import the Meta–LG scenario and walk through it.
    #[command(after_help = "\
Runs on ./data/demo (removed first, so every demo starts fresh); the services' logs go to
./data/demo/logs. Needs the release binaries: `just demo` builds them and runs this.")]
    Demo(DemoArgs),
    /// Append one event.
    #[command(after_help = "\
Examples:
  liaison emit --type meeting.held --time 2024-02-28 \\
      --data '{\"organizations\": [\"meta\", \"lg-electronics\"], \"topics\": [\"xr\"]}'
  echo '{\"type\": \"organization.registered\", \"time\": \"2024-02-28\",
         \"data\": {\"id\": \"meta\", \"name\": \"Meta Platforms\"}}' | liaison emit

Give an --id (a UUID) to make the command safe to retry: the same id is never appended twice.")]
    Emit(EmitArgs),
    /// Append every event of a file (JSON array or one JSON event per line).
    #[command(after_help = "\
Examples:
  liaison import deploy/scenarios/meta-lg-2024.json
  liaison import events.ndjson

Events are sent in batches of up to 500, several at once (--in-flight); the file is read one event
at a time, so its size does not matter. Running it again is safe when events carry ids: events
already appended are recognised, not duplicated; an interrupted import resumes where it stopped.")]
    Import(ImportArgs),
    /// Print the event log, one CloudEvents JSON document per line.
    #[command(after_help = "\
Examples:
  liaison tail                               the whole log, then exit
  liaison tail --org meta --follow           Meta's events, then wait for new ones
  liaison tail --type partnership.announced --type agreement.signed
  liaison tail --since 2024-03-01T00:00:00Z  what was recorded since then
  liaison tail --from-sequence 120

Reads the JetStream stream LIAISON_EVENTS directly over NATS (--nats-url); every line is the
stored event with its log `sequence`.")]
    Tail(TailArgs),
    /// The status of a relationship between two organizations.
    #[command(after_help = "\
Examples:
  liaison status meta lg-electronics --topic xr
  liaison status meta lg-electronics                   every topic of the pair
  liaison status meta lg-electronics --as-of 2024-01-01 --json")]
    Status(StatusArgs),
    /// List relationships, filtered by organization, topic and status.
    #[command(after_help = "\
Examples:
  liaison relationships --org meta
  liaison relationships --topic xr --status active")]
    Relationships(RelationshipsArgs),
    /// An organization: who it is, its people and its relationships.
    #[command(after_help = "Example:\n  liaison org meta")]
    Org(OrgArgs),
    /// Every event naming an organization, in time order.
    #[command(after_help = "\
Examples:
  liaison timeline meta
  liaison timeline meta --limit 20 --cursor <cursor from the previous page>")]
    Timeline(TimelineArgs),
    /// Alert rules: add, list, remove.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Alerts raised by the rules, with their delivery state.
    #[command(after_help = "\
Examples:
  liaison alerts
  liaison alerts --state failed           the dead-letter list
  liaison alerts --follow                 print alerts as they are raised (over NATS)")]
    Alerts(AlertsArgs),
    /// Read a news article (a file or a URL) and show the candidate events the reader proposes.
    #[command(after_help = "\
Examples:
  liaison read article.html --published 2024-03-05
  liaison read article.txt --published 2024-03-05 --lang de --publisher Handelsblatt
  liaison read https://example.com/news/1 --published 2024-03-05 --dry-run
  liaison read article.txt --published 2024-03-05 --json

A .html or .htm file is sent as HTML (the reader keeps its main text), any other file as text;
a URL is fetched here and sent as HTML with its address. Reading the same article again
answers what was read before.")]
    Read(ReadArgs),
    /// The review queue: list pending candidates, accept or reject one.
    #[command(after_help = "\
Examples:
  liaison review                                  the pending candidates
  liaison review accept 7c0e…                     append its event through ingest
  liaison review accept 7c0e… --edit event.json   append your edit of it instead
  liaison review reject 7c0e… --reason \"a rumour, not an agreement\"")]
    Review(ReviewArgs),
    /// Operators' views of the services.
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// `liaison read`.
#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    /// The article: a file (.html/.htm as HTML, anything else as text) or an http(s) URL.
    #[arg(value_name = "FILE|URL")]
    pub source: String,
    /// When it was published: a date (2024-03-05) or an RFC 3339 time.
    #[arg(long, value_name = "DATE", value_parser = parse_time)]
    pub published: BusinessTime,
    /// Its language, `de` or `en` (detected when absent).
    #[arg(long = "lang", value_name = "LANG")]
    pub lang: Option<String>,
    /// Its address (a URL source's own by default).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Who published it.
    #[arg(long, value_name = "NAME")]
    pub publisher: Option<String>,
    /// Its title.
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,
    /// Extract and show, store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the reader's answer as it is.
    #[arg(long)]
    pub json: bool,
}

/// `liaison review`.
#[derive(Debug, Clone, Args)]
pub struct ReviewArgs {
    /// What to do; without it, list the pending candidates.
    #[command(subcommand)]
    pub action: Option<ReviewAction>,
    /// Candidates listed at most.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
    /// Print the reader's answer as it is.
    #[arg(long, global = true)]
    pub json: bool,
}

/// `liaison review accept|reject`.
#[derive(Debug, Clone, Subcommand)]
pub enum ReviewAction {
    /// Accept a candidate: its event (or your edit) is appended through ingest, once.
    Accept {
        /// The candidate's id.
        id: uuid::Uuid,
        /// A file with the edited event (JSON, as `POST /v1/events` takes one event).
        #[arg(long, value_name = "FILE")]
        edit: Option<PathBuf>,
    },
    /// Reject a candidate, saying why.
    Reject {
        /// The candidate's id.
        id: uuid::Uuid,
        /// Why it is wrong.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

/// `liaison admin …`.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create the streams (LIAISON_EVENTS, LIAISON_ALERTS, LIAISON_ARTICLES) when absent, and check them — as the
    /// NATS admin: on a secured server no service may create a stream.
    #[command(after_help = "\
Examples:
  LIAISON_NATS_NKEY=./data/nats-secrets/admin.nk LIAISON_NATS_TLS_CA=./data/nats-secrets/ca.pem \\
      liaison admin init-streams
  liaison admin init-streams --replicas 3 --nats-url nats://a:4222,nats://b:4222,nats://c:4222

A stream that exists is never changed: the settings that differ from Liaison's are listed.
`liaison dev` and `liaison demo` create the streams themselves.")]
    InitStreams(InitStreamsArgs),
    /// Write a secured nats-server configuration and its credentials and certificates.
    #[command(after_help = "\
Examples:
  liaison admin nats-config --data-dir ./data
  nats-server -c ./data/nats-server.conf
  liaison admin nats-config --data-dir /srv/liaison --cluster --host nats1.example.com \\
      --host nats2.example.com --host nats3.example.com

Writes DIR/nats-server.conf (or, with --cluster, DIR/nats-n1.conf to nats-n3.conf) from the
shipped deploy/nats files with absolute paths, and DIR/nats-secrets: a local CA and the server
certificate for the hosts (default 127.0.0.1, localhost, ::1), an nkey seed per role (0600) and
the users file. What exists is reused; delete a file to have it generated again (rotation).")]
    NatsConfig(NatsConfigArgs),
    /// The log entries each service refused to apply (quarantined), and why.
    #[command(after_help = "\
Examples:
  liaison admin quarantine                   every service that follows the log
  liaison admin quarantine --service projection --after 1200 --limit 50
  liaison admin quarantine --json

Every service checks each log entry as ingest would before applying it; an entry that fails
(not an event, over the limits, naming an unregistered organization, …) is skipped and kept
here with its sequence and reasons. Needs the API token when the services have one.")]
    Quarantine(QuarantineArgs),
}

/// `liaison admin quarantine`.
#[derive(Debug, Clone, Args)]
pub struct QuarantineArgs {
    /// Only this service (`ingest`, `projection` or `notifier`); every one by default.
    #[arg(long, value_parser = parse_follower_service)]
    pub service: Option<Service>,
    /// Entries after this log sequence (the previous page's last).
    #[arg(long, default_value_t = 0, value_name = "SEQUENCE")]
    pub after: u64,
    /// Entries per service.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub limit: u16,
    /// Print the services' JSON (one document per service, in an array).
    #[arg(long)]
    pub json: bool,
}

/// `liaison admin init-streams`.
#[derive(Debug, Clone, Args)]
pub struct InitStreamsArgs {
    /// Replicas of a stream created now (3 on a 3-node cluster); existing streams keep theirs.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub replicas: u8,
    /// The NATS cluster (its `cluster.name`) that holds the replicas of a stream created now.
    #[arg(long, value_name = "NAME")]
    pub placement_cluster: Option<String>,
    /// A server tag every server holding a replica of a stream created now must carry
    /// (repeatable; `server_tags` in nats-server's configuration).
    #[arg(long = "placement-tag", value_name = "TAG")]
    pub placement_tags: Vec<String>,
}

/// `liaison admin nats-config`.
#[derive(Debug, Clone, Args)]
pub struct NatsConfigArgs {
    /// Where the configuration, the store and nats-secrets/ go.
    #[arg(long, default_value = "./data", value_name = "DIR")]
    pub data_dir: PathBuf,
    /// The three nodes of deploy/nats/cluster instead of the single node.
    #[arg(long)]
    pub cluster: bool,
    /// A host name or address the server certificate names (repeatable) [default: 127.0.0.1,
    /// localhost, ::1].
    #[arg(long = "host", value_name = "HOST")]
    pub hosts: Vec<String>,
}

/// A service that follows the log and keeps a quarantine.
fn parse_follower_service(s: &str) -> Result<Service, String> {
    match Service::from_name(s) {
        Some(service) if Service::STACK.contains(&service) => Ok(service),
        _ => Err(format!(
            "'{s}' is not a service that follows the log; expected one of: ingest, projection, \
             notifier, reader"
        )),
    }
}

/// `liaison dev`.
#[derive(Debug, Clone, Args)]
pub struct DevArgs {
    /// Root of the stack's data (nats/, ingest/, projection/, notifier/).
    #[arg(long, default_value = "./data", value_name = "DIR")]
    pub data_dir: PathBuf,
    /// Remove the data directory first (start from an empty log).
    #[arg(long)]
    pub fresh: bool,
    /// nats-server's monitoring address [default: the one of deploy/nats/single.conf]; move it
    /// with `--nats-url` to run two stacks side by side.
    #[arg(long, value_name = "IP:PORT")]
    pub nats_monitor_addr: Option<std::net::SocketAddr>,
    /// Run NATS as the shipped 3-node cluster (deploy/nats/cluster: clients on 4222–4224,
    /// monitoring on 8222–8224, routes on 6222–6224) with streams of 3 replicas, and two
    /// instances of each service: the first on its usual port, the second 100 above (7501 for
    /// ingest). Data in nats-cluster/ and <service>-2/ (docs/decisions/022-the-cluster.md).
    #[arg(long)]
    pub cluster: bool,
    /// With --cluster: every port chosen free instead (printed), to run beside another stack.
    #[arg(long, requires = "cluster")]
    pub free_ports: bool,
}

/// `liaison demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Root of the demo's data (removed first).
    #[arg(long, default_value = "./data/demo", value_name = "DIR")]
    pub data_dir: PathBuf,
}

/// `liaison emit`.
#[derive(Debug, Clone, Args)]
pub struct EmitArgs {
    /// The event type (e.g. `meeting.held`); without it, the whole event is read from stdin.
    #[arg(long = "type", value_name = "TYPE", requires_all = ["time", "data"], value_parser = parse_event_type)]
    pub event_type: Option<EventType>,
    /// When the fact happened: a date (2024-02-28) or an RFC 3339 time.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub time: Option<BusinessTime>,
    /// A client-chosen UUID: makes the command safe to retry.
    #[arg(long, value_name = "UUID")]
    pub id: Option<uuid::Uuid>,
    /// The event's `data`, as JSON.
    #[arg(long, value_name = "JSON")]
    pub data: Option<String>,
    /// Print the ingest's JSON answer.
    #[arg(long)]
    pub json: bool,
}

/// `liaison import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// A JSON array of events, or one event per line (NDJSON); `-` for stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Events per request (at most 500).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub batch_size: u16,
    /// Requests sent at once (batches of names to register always go alone, once every earlier
    /// batch was answered, so that later events can name what they register). At most 16: what
    /// ingest takes at once by default (`LIAISON_INGEST_MAX_CONCURRENT_APPENDS`).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub in_flight: u8,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `liaison tail`.
#[derive(Debug, Clone, Args)]
pub struct TailArgs {
    /// Only events of this type (repeatable); `partnership.*` matches a family.
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Only events naming this organization (repeatable).
    #[arg(long = "org", value_name = "ORG", value_parser = parse_slug)]
    pub orgs: Vec<Slug>,
    /// Start at events recorded at or after this time (a date or RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = parse_time, conflicts_with = "from_sequence")]
    pub since: Option<BusinessTime>,
    /// Start at this log sequence.
    #[arg(long, value_name = "N")]
    pub from_sequence: Option<u64>,
    /// Keep waiting for new events (Ctrl-C stops).
    #[arg(long, short)]
    pub follow: bool,
}

/// `as_of` and `min_sequence`, which every query takes.
#[derive(Debug, Clone, Args)]
pub struct QueryBounds {
    /// Only facts that happened by then (a date or RFC 3339 time).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<BusinessTime>,
    /// Wait until the projection has applied the log up to this sequence.
    #[arg(long, value_name = "N")]
    pub min_sequence: Option<u64>,
    /// Print the service's JSON.
    #[arg(long)]
    pub json: bool,
}

/// `liaison status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// One organization.
    #[arg(value_parser = parse_slug)]
    pub a: Slug,
    /// The other.
    #[arg(value_parser = parse_slug)]
    pub b: Slug,
    /// One topic (e.g. `xr`); every topic of the pair without it.
    #[arg(long, value_parser = parse_slug)]
    pub topic: Option<Slug>,
    /// Do not fetch the evidence of each event from the log.
    #[arg(long)]
    pub no_evidence: bool,
    /// `--as-of`, `--min-sequence` and `--json`.
    #[command(flatten)]
    pub bounds: QueryBounds,
}

/// `liaison relationships`.
#[derive(Debug, Clone, Args)]
pub struct RelationshipsArgs {
    /// Only relationships of this organization.
    #[arg(long, value_parser = parse_slug)]
    pub org: Option<Slug>,
    /// Only this topic.
    #[arg(long, value_parser = parse_slug)]
    pub topic: Option<Slug>,
    /// Only this status (none, contact, exploring, negotiating, agreed, active, ended).
    #[arg(long, value_parser = parse_status)]
    pub status: Option<Status>,
    /// `--as-of`, `--min-sequence` and `--json`.
    #[command(flatten)]
    pub bounds: QueryBounds,
}

/// `liaison org`.
#[derive(Debug, Clone, Args)]
pub struct OrgArgs {
    /// The organization's id (e.g. `meta`).
    #[arg(value_parser = parse_slug)]
    pub id: Slug,
    /// `--as-of`, `--min-sequence` and `--json`.
    #[command(flatten)]
    pub bounds: QueryBounds,
}

/// `liaison timeline`.
#[derive(Debug, Clone, Args)]
pub struct TimelineArgs {
    /// The organization's id.
    #[arg(value_parser = parse_slug)]
    pub org: Slug,
    /// Page size.
    #[arg(long)]
    pub limit: Option<u32>,
    /// The cursor printed at the end of the previous page.
    #[arg(long)]
    pub cursor: Option<String>,
    /// `--as-of`, `--min-sequence` and `--json`.
    #[command(flatten)]
    pub bounds: QueryBounds,
}

/// `liaison rules …`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Create an alert rule.
    #[command(after_help = "\
Examples:
  liaison rules add meta-xr --org meta --topic xr --status agreed --status active
  liaison rules add lg-deals --org lg-electronics --type agreement.signed \\
      --webhook https://example.com/hook --secret-file hook.secret
  LIAISON_WEBHOOK_SECRET=… liaison rules add lg-deals --webhook https://example.com/hook
  liaison rules add --file rule.json       the rule as JSON ({\"id\", \"match\", \"deliver\"})

A webhook's signing secret is read from a file (--secret-file) or from LIAISON_WEBHOOK_SECRET,
never from the command line (which every user of the machine can see); the notifier seals it
before the rule enters the log, and shows it as sealed:<key id>.

Alerts of a rule are published on NATS subject liaison.alerts.<id>.")]
    Add(Box<RuleAddArgs>),
    /// List the alert rules.
    List {
        /// Print the notifier's JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove an alert rule.
    Rm {
        /// The rule's id.
        #[arg(value_parser = parse_slug)]
        id: Slug,
    },
}

/// The environment variable `liaison rules add --webhook` reads the webhook's secret from.
pub const WEBHOOK_SECRET_ENV: &str = "LIAISON_WEBHOOK_SECRET";

/// `liaison rules add`. Its `Debug` never shows a secret.
#[derive(Clone, Args)]
pub struct RuleAddArgs {
    /// The rule's id (a slug); required unless --file gives it.
    #[arg(value_parser = parse_slug, required_unless_present = "file")]
    pub id: Option<Slug>,
    /// A display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Match these event types (repeatable).
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_event_type)]
    pub types: Vec<EventType>,
    /// Match events naming these organizations (repeatable).
    #[arg(long = "org", value_name = "ORG", value_parser = parse_slug)]
    pub orgs: Vec<Slug>,
    /// Require every --org to be named, not just one.
    #[arg(long)]
    pub all_orgs: bool,
    /// Match these topics (repeatable).
    #[arg(long = "topic", value_name = "TOPIC", value_parser = parse_slug)]
    pub topics: Vec<Slug>,
    /// Fire when a pair's status enters one of these (repeatable).
    #[arg(long = "status", value_name = "STATUS", value_parser = parse_status)]
    pub statuses: Vec<Status>,
    /// Also publish on this NATS subject.
    #[arg(long, value_name = "SUBJECT")]
    pub nats_subject: Option<String>,
    /// Deliver to this webhook, signed with the secret of --secret-file or LIAISON_WEBHOOK_SECRET.
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// The webhook's signing secret, from this file (its first line; `-` for stdin). The
    /// notifier seals it before the rule enters the log.
    #[arg(long, value_name = "FILE", requires = "webhook")]
    pub secret_file: Option<PathBuf>,
    /// `LIAISON_WEBHOOK_SECRET`: the webhook's signing secret, when no --secret-file is given.
    /// Read from the environment only.
    #[arg(skip = std::env::var(WEBHOOK_SECRET_ENV).ok())]
    pub secret_from_env: Option<String>,
    /// Refused: a secret on the command line is visible to every user of the machine (`ps`)
    /// and stays in the shell's history. Kept, hidden, to say what to use instead.
    #[arg(long = "secret", value_name = "SECRET", hide = true)]
    pub secret_on_command_line: Option<String>,
    /// The whole rule as JSON, from a file (`-` for stdin).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["types", "orgs", "topics", "statuses", "webhook", "nats_subject", "secret_file"])]
    pub file: Option<PathBuf>,
    /// Print the notifier's JSON answer.
    #[arg(long)]
    pub json: bool,
}

impl std::fmt::Debug for RuleAddArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("RuleAddArgs")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("types", &self.types)
            .field("orgs", &self.orgs)
            .field("all_orgs", &self.all_orgs)
            .field("topics", &self.topics)
            .field("statuses", &self.statuses)
            .field("nats_subject", &self.nats_subject)
            .field("webhook", &self.webhook)
            .field("secret_file", &self.secret_file)
            .field("secret_from_env", &redacted(&self.secret_from_env))
            .field(
                "secret_on_command_line",
                &redacted(&self.secret_on_command_line),
            )
            .field("file", &self.file)
            .field("json", &self.json)
            .finish()
    }
}

/// `liaison alerts`.
#[derive(Debug, Clone, Args)]
pub struct AlertsArgs {
    /// Only alerts in this delivery state: pending, delivered, or failed (the dead letters).
    #[arg(long, value_name = "STATE", value_parser = parse_delivery_state)]
    pub state: Option<DeliveryState>,
    /// Print alerts as they are raised (subscribes to liaison.alerts.> over NATS).
    #[arg(long, short, conflicts_with = "state")]
    pub follow: bool,
    /// Print JSON (one alert document per line with --follow).
    #[arg(long)]
    pub json: bool,
}

fn parse_slug(s: &str) -> Result<Slug, String> {
    Slug::parse(s).map_err(|e| {
        format!("{e} (ids are lowercase ASCII letters, digits and '-', such as lg-electronics)")
    })
}

fn parse_delivery_state(s: &str) -> Result<DeliveryState, String> {
    DeliveryState::parse(s).ok_or_else(|| {
        let names: Vec<&str> = DeliveryState::ALL.iter().map(|d| d.as_str()).collect();
        format!("`{s}` is not a delivery state ({})", names.join(", "))
    })
}

fn parse_time(s: &str) -> Result<BusinessTime, String> {
    BusinessTime::parse(s).map_err(|_| {
        format!("`{s}` is not a date (2024-02-28) or an RFC 3339 time (2024-02-28T09:00:00Z)")
    })
}

fn parse_event_type(s: &str) -> Result<EventType, String> {
    EventType::parse(s).map_err(|_| {
        let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        format!("unknown event type `{s}`; one of: {}", known.join(", "))
    })
}

fn parse_status(s: &str) -> Result<Status, String> {
    Status::parse(s).ok_or_else(|| {
        let known: Vec<&str> = Status::ALL.iter().map(|t| t.as_str()).collect();
        format!("unknown status `{s}`; one of: {}", known.join(", "))
    })
}
