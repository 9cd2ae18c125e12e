//! The deploy manifests an operator runs (deploy/compose, deploy/kubernetes, deploy/systemd,
//! deploy/Containerfile) checked without running anything: each parses and is valid against the
//! vendored schema of its format (deploy/schemas/), and each agrees with the services themselves —
//! every `LIAISON_*` name is one the binary reads (from its clap definition), every port is the
//! service's default port (`liaison_proto::services`), probes hit `/readyz` and `/healthz`, every
//! service runs twice, each instance with its own sled. Why the manifests look as they do:
//! docs/decisions/021-deploying.md.

mod deploy_manifests {
    pub mod documents;
    pub mod settings;
}

use std::collections::{BTreeMap, BTreeSet};

use deploy_manifests::documents::{
    env_file, kubernetes_schema, parse_unit, read, schema, schema_errors, values, yaml_document,
    yaml_documents,
};
use deploy_manifests::settings;
use liaison_proto::services::Service;
use serde_json::{Value, json};

/// Where the image keeps a service's sled (the Containerfile's `LIAISON_DATA_DIR`).
const DATA_DIR: &str = "/var/lib/liaison/data";

/// Memory limits above 256 MiB, each with the measurement that needs it (deploy/README.md).
const OVER_256_MIB: &[(&str, &str)] = &[
    (
        "projection",
        "peak RSS 533 MiB catching up on the 1,000,000-event bench (commit 869fdf4)",
    ),
    (
        "notifier",
        "peak RSS 265 MiB catching up on the 1,000,000-event bench (commit 869fdf4)",
    ),
];

fn str_list(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The port of a `host:port` address.
fn port_of(addr: &str) -> u16 {
    addr.rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or_else(|| panic!("not host:port: {addr}"))
}

/// The `LIAISON_*` names of `env` that `binary` does not read.
fn unread<'a>(binary: &str, env: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let names = settings::of_binary(binary).unwrap_or_else(|| panic!("{binary} is not ours"));
    env.into_iter()
        .filter(|n| n.starts_with("LIAISON_") && !names.contains(*n))
        .map(|n| format!("{binary}: {n}"))
        .collect()
}

// --- the settings themselves -------------------------------------------------------------------

#[test]
fn the_settings_lists_come_from_the_binaries() {
    // The lists the checks below compare against are real: the shared settings, a service's own,
    // and the CLI's.
    let ingest = settings::of_service(Service::Ingest);
    for name in [
        "LIAISON_NATS_URL",
        "LIAISON_STREAM_REPLICAS",
        "LIAISON_HTTP_ADDR",
        "LIAISON_INGEST_MAX_BODY_BYTES",
    ] {
        assert!(
            ingest.contains(name),
            "ingest should read {name}: {ingest:?}"
        );
    }
    assert!(!ingest.contains("LIAISON_PROJECTION_MIN_SEQUENCE_WAIT_MS"));
    assert!(settings::of_service(Service::Notifier).contains("LIAISON_NOTIFIER_SECRETS_KEYS"));
    assert!(settings::of_service(Service::Console).contains("LIAISON_READER_URL"));
    assert!(settings::of_cli().contains("LIAISON_NATS_NKEY"));
}

// --- Compose ----------------------------------------------------------------------------------

fn compose() -> Value {
    yaml_document("compose/compose.yaml")
}

#[test]
fn compose_is_valid_against_the_compose_spec() {
    let errors = schema_errors(&schema("compose-spec.json"), &compose());
    assert!(errors.is_empty(), "compose.yaml: {errors:#?}");
}

#[test]
fn the_schemas_refuse_a_misspelt_field() {
    // The validation above can fail: a typo in a Compose service or a StatefulSet is refused.
    let mut bad = compose();
    bad["services"]["ingest-1"]["enviroment"] = json!({"LIAISON_NATS_URL": "nats://x:4222"});
    assert!(!schema_errors(&schema("compose-spec.json"), &bad).is_empty());

    let mut set = yaml_documents("kubernetes/services.yaml")
        .into_iter()
        .find(|d| d["kind"] == "StatefulSet")
        .expect("a StatefulSet");
    set["spec"]["replica"] = json!(2);
    let errors = schema_errors(&kubernetes_schema(&set), &set);
    assert!(
        errors.iter().any(|e| e.contains("replica")),
        "the strict schema should refuse spec.replica: {errors:?}"
    );
}

/// The Compose services that run `service`, by name.
fn compose_instances(compose: &Value, service: Service) -> BTreeMap<String, Value> {
    compose["services"]
        .as_object()
        .expect("services")
        .iter()
        .filter(|(_, s)| str_list(&s["command"]).first() == Some(&service.binary_name()))
        .map(|(name, s)| (name.clone(), s.clone()))
        .collect()
}

fn env_map(service: &Value) -> BTreeMap<String, String> {
    service["environment"]
        .as_object()
        .map(|env| {
            env.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn compose_runs_every_service_twice_on_its_port_with_readiness_checks() {
    let compose = compose();
    let mut sled_volumes = BTreeSet::new();
    for service in Service::ALL {
        let instances = compose_instances(&compose, service);
        assert_eq!(
            instances.len(),
            2,
            "{service} should run as two instances: {:?}",
            instances.keys()
        );
        for (name, instance) in &instances {
            let env = env_map(instance);
            let addr = env
                .get("LIAISON_HTTP_ADDR")
                .unwrap_or_else(|| panic!("{name}: LIAISON_HTTP_ADDR (loopback is unreachable)"));
            assert_eq!(port_of(addr), service.default_port(), "{name}: {addr}");
            assert!(addr.starts_with("0.0.0.0:"), "{name} listens on {addr}");
            assert_eq!(
                str_list(&instance["healthcheck"]["test"]),
                ["CMD", "liaison-healthcheck", "/readyz"],
                "{name}: the health check"
            );
            assert_eq!(env["LIAISON_STREAM_REPLICAS"], "3", "{name}");
            assert_eq!(
                env["LIAISON_NATS_URL"].split(',').count(),
                3,
                "{name}: every NATS node"
            );
            let key = format!("{}.nk", service.name());
            assert_eq!(
                env["LIAISON_NATS_NKEY"].rsplit('/').next(),
                Some(key.as_str()),
                "{name}: its own role's key"
            );
            let bad = unread(service.binary_name(), env.keys().map(String::as_str));
            assert!(bad.is_empty(), "{name} sets what nobody reads: {bad:?}");

            let data: Vec<&str> = str_list(&instance["volumes"])
                .into_iter()
                .filter(|v| v.split(':').nth(1) == Some(DATA_DIR))
                .collect();
            if service == Service::Console {
                assert!(data.is_empty(), "the console holds no state: {data:?}");
            } else {
                assert_eq!(data.len(), 1, "{name}: one sled volume at {DATA_DIR}");
                let volume = data[0].split(':').next().expect("a source");
                assert!(
                    sled_volumes.insert(volume.to_owned()),
                    "{name} shares its sled volume {volume}"
                );
                assert!(
                    compose["volumes"].get(volume).is_some(),
                    "{volume} is declared"
                );
            }
        }
    }
    let consoles = compose_instances(&compose, Service::Console);
    let console_ports: Vec<&str> = consoles
        .values()
        .flat_map(|c| str_list(&c["ports"]))
        .collect();
    assert!(
        console_ports
            .iter()
            .all(|p| port_of(p) == Service::Console.default_port()),
        "{console_ports:?}"
    );
    assert_eq!(console_ports.len(), 2, "the console is published");
}

#[test]
fn compose_runs_the_shipped_cluster_and_creates_r3_streams() {
    let compose = compose();
    let services = compose["services"].as_object().expect("services");
    for node in 1..=3 {
        let nats = &services[&format!("nats-{node}")];
        assert!(
            nats["image"]
                .as_str()
                .is_some_and(|i| i.contains("nats:2.15")),
            "nats-{node}: {}",
            nats["image"]
        );
        let conf = format!("../nats/cluster/n{node}.conf:/nats/n{node}.conf:ro");
        assert!(
            str_list(&nats["volumes"]).contains(&conf.as_str()),
            "nats-{node} mounts the shipped configuration ({conf})"
        );
        // The shipped file's store (`./nats-n<i>` in the working directory /nats) is a volume.
        let store = format!("/nats/nats-n{node}");
        assert!(
            str_list(&nats["volumes"])
                .iter()
                .any(|v| v.split(':').nth(1) == Some(store.as_str())),
            "nats-{node}: a JetStream volume at {store}"
        );
        assert_eq!(nats["working_dir"], "/nats");
        assert!(
            read(&format!("nats/cluster/n{node}.conf"))
                .contains(&format!("store_dir: \"./nats-n{node}\""))
        );
    }
    let init = &services["init-streams"];
    assert_eq!(
        str_list(&init["command"]),
        ["liaison", "admin", "init-streams", "--replicas", "3"]
    );
    let env = env_map(init);
    assert!(env["LIAISON_NATS_NKEY"].ends_with("/admin.nk"));
    let bad = unread("liaison", env.keys().map(String::as_str));
    assert!(bad.is_empty(), "{bad:?}");
}

// --- Kubernetes -------------------------------------------------------------------------------

/// Every document of every file the kustomization lists.
fn kubernetes() -> Vec<Value> {
    let kustomization = yaml_document("kubernetes/kustomization.yaml");
    let listed: BTreeSet<String> = str_list(&kustomization["resources"])
        .into_iter()
        .map(str::to_owned)
        .collect();
    let present: BTreeSet<String> =
        std::fs::read_dir(deploy_manifests::documents::deploy_dir().join("kubernetes"))
            .expect("deploy/kubernetes")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|n| n.ends_with(".yaml") && n != "kustomization.yaml")
            .collect();
    assert_eq!(listed, present, "kustomization.yaml lists every manifest");
    listed
        .iter()
        .flat_map(|file| yaml_documents(&format!("kubernetes/{file}")))
        .collect()
}

fn named<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

#[test]
fn kubernetes_manifests_are_valid_against_the_1_31_schemas() {
    let docs = kubernetes();
    assert!(docs.len() >= 10, "{} documents", docs.len());
    for doc in &docs {
        let errors = schema_errors(&kubernetes_schema(doc), doc);
        assert!(
            errors.is_empty(),
            "{} {}: {errors:#?}",
            doc["kind"],
            doc["metadata"]["name"]
        );
    }
}

/// Memory in MiB from a Kubernetes quantity (`256Mi`, `1Gi`).
fn mib(quantity: &str) -> u64 {
    if let Some(n) = quantity.strip_suffix("Mi") {
        n.parse().expect("a number of MiB")
    } else if let Some(n) = quantity.strip_suffix("Gi") {
        n.parse::<u64>().expect("a number of GiB") * 1024
    } else {
        panic!("memory in Mi or Gi: {quantity}")
    }
}

#[test]
fn kubernetes_runs_every_service_twice_with_probes_ports_and_its_own_sled() {
    let docs = kubernetes();
    let config = named(&docs, "ConfigMap", "liaison-env");
    let shared: Vec<&str> = config["data"]
        .as_object()
        .expect("data")
        .keys()
        .map(String::as_str)
        .collect();
    let any = settings::of_any_service();
    let unread_shared: Vec<&&str> = shared.iter().filter(|n| !any.contains(**n)).collect();
    assert!(
        unread_shared.is_empty(),
        "read by no service: {unread_shared:?}"
    );
    assert_eq!(config["data"]["LIAISON_STREAM_REPLICAS"], "3");
    assert_eq!(config["data"]["LIAISON_DATA_DIR"], DATA_DIR);
    assert_eq!(
        config["data"]["LIAISON_NATS_URL"]
            .as_str()
            .map(|u| u.split(',').count()),
        Some(3)
    );

    for service in Service::ALL {
        let name = format!("liaison-{}", service.name());
        let kind = match service {
            Service::Console => "Deployment",
            _ => "StatefulSet",
        };
        let workload = named(&docs, kind, &name);
        assert_eq!(workload["spec"]["replicas"], 2, "{name}");
        let pod = &workload["spec"]["template"]["spec"];
        let container = &pod["containers"][0];
        assert_eq!(str_list(&container["command"]), [service.binary_name()]);
        assert_eq!(
            container["ports"][0]["containerPort"],
            service.default_port(),
            "{name}"
        );
        let port_name = container["ports"][0]["name"]
            .as_str()
            .expect("a named port");
        // The projection starts on /readyz and then stays in rotation while it answers, so that
        // queries are answered from sled during a quorum loss (docs/decisions/022-the-cluster.md).
        let probes: &[(&str, &str)] = match service {
            Service::Projection => &[
                ("startupProbe", "/readyz"),
                ("readinessProbe", "/healthz"),
                ("livenessProbe", "/healthz"),
            ],
            _ => &[("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")],
        };
        for &(probe, path) in probes {
            assert_eq!(container[probe]["httpGet"]["path"], path, "{name} {probe}");
            assert_eq!(
                container[probe]["httpGet"]["port"], port_name,
                "{name} {probe}"
            );
        }
        let env: BTreeMap<&str, &Value> = container["env"]
            .as_array()
            .expect("env")
            .iter()
            .map(|e| (e["name"].as_str().expect("a name"), e))
            .collect();
        let bad = unread(service.binary_name(), env.keys().copied());
        assert!(bad.is_empty(), "{bad:?}");
        let addr = env["LIAISON_HTTP_ADDR"]["value"]
            .as_str()
            .expect("an address");
        assert_eq!(port_of(addr), service.default_port());
        let key = format!("{}.nk", service.name());
        assert!(
            env["LIAISON_NATS_NKEY"]["value"]
                .as_str()
                .is_some_and(|v| v.ends_with(&key)),
            "{name}: its own role's key"
        );
        assert_eq!(
            env["LIAISON_API_TOKEN"]["valueFrom"]["secretKeyRef"]["name"],
            "liaison-api-token"
        );
        let secret_items: Vec<&str> = pod["volumes"]
            .as_array()
            .expect("volumes")
            .iter()
            .filter(|v| v["secret"]["secretName"] == "liaison-nats-secrets")
            .flat_map(|v| v["secret"]["items"].as_array().into_iter().flatten())
            .filter_map(|i| i["key"].as_str())
            .collect();
        assert_eq!(
            secret_items,
            [key.as_str(), "ca.pem"],
            "{name}: its key only"
        );

        let limit = mib(container["resources"]["limits"]["memory"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: a memory limit")));
        let over = OVER_256_MIB.iter().find(|(s, _)| *s == service.name());
        assert!(
            limit <= 256 || over.is_some(),
            "{name}: {limit} MiB is over 256 MiB without a measurement that needs it"
        );

        let service_doc = named(&docs, "Service", &name);
        assert_eq!(
            service_doc["spec"]["ports"][0]["port"],
            service.default_port()
        );

        let mounts: Vec<&str> = container["volumeMounts"]
            .as_array()
            .expect("mounts")
            .iter()
            .filter(|m| m["mountPath"] == DATA_DIR)
            .filter_map(|m| m["name"].as_str())
            .collect();
        if service == Service::Console {
            assert!(mounts.is_empty(), "the console holds no state");
        } else {
            assert_eq!(mounts.len(), 1, "{name}: its sled at {DATA_DIR}");
            let claims: Vec<&Value> = workload["spec"]["volumeClaimTemplates"]
                .as_array()
                .expect("volumeClaimTemplates: each pod its own sled")
                .iter()
                .filter(|c| c["metadata"]["name"] == mounts[0])
                .collect();
            assert_eq!(claims.len(), 1, "{name}: a claim per pod for {}", mounts[0]);
        }
    }
}

#[test]
fn kubernetes_runs_the_shipped_nats_configuration_and_an_r3_init_job() {
    let docs = kubernetes();
    let nats_conf = named(&docs, "ConfigMap", "liaison-nats-config");
    assert_eq!(
        nats_conf["data"]["n1.conf"].as_str(),
        Some(read("nats/cluster/n1.conf").as_str()),
        "the ConfigMap is deploy/nats/cluster/n1.conf as shipped"
    );
    let nats = named(&docs, "StatefulSet", "liaison-nats");
    assert_eq!(nats["spec"]["replicas"], 3);
    assert_eq!(
        nats["spec"]["volumeClaimTemplates"][0]["metadata"]["name"],
        "jetstream"
    );
    let args = str_list(&nats["spec"]["template"]["spec"]["containers"][0]["args"]);
    let routes = args
        .iter()
        .skip_while(|a| **a != "--routes")
        .nth(1)
        .expect("--routes");
    assert_eq!(routes.split(',').count(), 3, "{routes}");

    let job = named(&docs, "Job", "liaison-init-streams");
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        str_list(&container["command"]),
        ["liaison", "admin", "init-streams", "--replicas", "3"]
    );
    let names: Vec<&str> = container["env"]
        .as_array()
        .expect("env")
        .iter()
        .filter_map(|e| e["name"].as_str())
        .collect();
    let bad = unread("liaison", names);
    assert!(bad.is_empty(), "{bad:?}");
}

// --- systemd ----------------------------------------------------------------------------------

#[test]
fn systemd_units_name_our_binaries_and_settings() {
    let shared = env_file(&read("systemd/liaison.env"));
    let any = settings::of_any_service();
    for (name, _) in &shared {
        assert!(
            any.contains(name),
            "liaison.env: {name} is read by no service"
        );
    }
    assert!(shared.contains(&("LIAISON_STREAM_REPLICAS".to_owned(), "3".to_owned())));

    for service in Service::ALL {
        let file = format!("liaison-{}@.service", service.name());
        let unit = parse_unit(&file, &read(&format!("systemd/{file}")));
        let exec = values(&unit, "Service", "ExecStart");
        assert_eq!(
            exec,
            [format!("/usr/local/bin/{}", service.binary_name()).as_str()],
            "{file}"
        );
        assert_eq!(
            values(&unit, "Service", "Restart"),
            ["on-failure"],
            "{file}"
        );
        assert_eq!(
            values(&unit, "Service", "ProtectSystem"),
            ["strict"],
            "{file}"
        );
        assert_eq!(values(&unit, "Service", "User"), ["liaison"], "{file}");
        assert_eq!(
            values(&unit, "Service", "EnvironmentFile"),
            ["/etc/liaison/liaison.env"]
        );
        assert!(values(&unit, "Install", "WantedBy").contains(&"multi-user.target"));
        let env: BTreeMap<&str, &str> = values(&unit, "Service", "Environment")
            .into_iter()
            .map(|e| e.split_once('=').unwrap_or_else(|| panic!("{file}: {e}")))
            .collect();
        let bad = unread(service.binary_name(), env.keys().copied());
        assert!(bad.is_empty(), "{bad:?}");
        // The instance name is the port; the unit's own example starts it on the default port.
        assert_eq!(env["LIAISON_HTTP_ADDR"], "127.0.0.1:%i");
        assert!(read(&format!("systemd/{file}")).contains(&format!(
            "liaison-{}@{}",
            service.name(),
            service.default_port()
        )));
        assert_eq!(
            env["LIAISON_NATS_NKEY"].rsplit('/').next(),
            Some(format!("{}.nk", service.name()).as_str())
        );
        let state = values(&unit, "Service", "StateDirectory");
        if service == Service::Console {
            assert!(state.is_empty(), "{file}: the console holds no state");
        } else {
            assert_eq!(state.len(), 1, "{file}: a StateDirectory for its sled");
            assert_eq!(
                env.get("LIAISON_DATA_DIR").copied(),
                Some(format!("/var/lib/{}", state[0]).as_str()),
                "{file}: the sled lives in the state directory"
            );
        }
    }

    let nats = parse_unit(
        "liaison-nats@.service",
        &read("systemd/liaison-nats@.service"),
    );
    let exec = values(&nats, "Service", "ExecStart");
    assert!(
        exec.len() == 1 && exec[0].starts_with("/usr/local/bin/nats-server -c "),
        "{exec:?}"
    );
    assert_eq!(values(&nats, "Service", "Restart"), ["on-failure"]);
    assert_eq!(values(&nats, "Service", "ProtectSystem"), ["strict"]);
}

// --- the image --------------------------------------------------------------------------------

#[test]
fn the_image_builds_every_binary_locked_and_runs_unprivileged() {
    let file = read("Containerfile");
    assert!(file.contains("cargo build --release --locked"));
    for binary in Service::ALL
        .iter()
        .map(|s| s.binary_name())
        .chain(["liaison"])
    {
        assert!(
            file.contains(&format!("-p {binary} ")) || file.contains(&format!("-p {binary}\n")),
            "the image builds {binary}"
        );
        assert!(
            file.contains(&format!("target/release/{binary} ")),
            "the image holds {binary}"
        );
    }
    assert!(file.contains("\nUSER 10001:10001\n"));
    assert!(file.contains(&format!("LIAISON_DATA_DIR={DATA_DIR}")));
    assert!(file.contains("HEALTHCHECK") && file.contains("\"liaison-healthcheck\", \"/healthz\""));
    let ignore =
        std::fs::read_to_string(deploy_manifests::documents::deploy_dir().join("../.dockerignore"))
            .expect(".dockerignore at the root");
    assert!(
        ignore.lines().any(|l| l == "target"),
        "the build context leaves target/ out"
    );
}
