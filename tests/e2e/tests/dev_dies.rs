//! `kill -9` of `liaison dev` takes nats-server and every service down with it: their ports are
//! free again, and a second `liaison dev` on the same ports and data starts and becomes ready.
//! (Before, the children lived on, holding the ports, and the next `liaison dev` failed with
//! "address in use".)

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use liaison_e2e::liaison_binary;
use liaison_testkit::{ChildProcess, Output, Service, free_addr, is_free};

/// How long a whole stack may take to become ready (a debug build on a busy machine).
const READY_WITHIN: Duration = Duration::from_secs(120);
/// How long the children may take to go once `liaison dev` is killed.
const GONE_WITHIN: Duration = Duration::from_secs(15);

/// Where a `liaison dev` listens.
struct Addrs {
    nats: SocketAddr,
    monitor: SocketAddr,
    services: Vec<(Service, SocketAddr)>,
}

impl Addrs {
    fn free() -> Addrs {
        Addrs {
            nats: free_addr(),
            monitor: free_addr(),
            services: liaison_testkit::DEV_SERVICES
                .iter()
                .map(|s| (*s, free_addr()))
                .collect(),
        }
    }

    fn all(&self) -> Vec<SocketAddr> {
        let mut all = vec![self.nats, self.monitor];
        all.extend(self.services.iter().map(|(_, a)| *a));
        all
    }

    fn url(&self, service: Service) -> String {
        let (_, addr) = self.services.iter().find(|(s, _)| *s == service).unwrap();
        format!("http://{addr}")
    }
}

/// Starts `liaison dev` on `addrs` with its data in `data_dir`, its output in `output`. Only the
/// flags say where: `LIAISON_*` variables are removed but the ones that find binaries. (Started
/// through the testkit, it dies with this test, and its children with it.)
fn start_dev(addrs: &Addrs, data_dir: &Path, output: &Path) -> ChildProcess {
    let mut command = liaison_testkit::spawn::command(liaison_binary());
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("LIAISON_") && key != "LIAISON_NATS_SERVER" && key != "LIAISON_BIN_DIR" {
            command.env_remove(key);
        }
    }
    command
        .args(["--ingest-url", &addrs.url(Service::Ingest)])
        .args(["--projection-url", &addrs.url(Service::Projection)])
        .args(["--notifier-url", &addrs.url(Service::Notifier)])
        .args(["--reader-url", &addrs.url(Service::Reader)])
        .args(["--console-url", &addrs.url(Service::Console)])
        .args(["--nats-url", &format!("nats://{}", addrs.nats)])
        .arg("dev")
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--nats-monitor-addr", &addrs.monitor.to_string()]);
    ChildProcess::spawn("liaison dev", command, &Output::File(output.to_path_buf()))
        .expect("start liaison dev")
}

/// Waits until every service of `addrs` answers `/readyz` with 200; panics with the output of
/// `liaison dev` when it exits or the time runs out.
async fn wait_ready(dev: &mut ChildProcess, addrs: &Addrs, output: &Path) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let deadline = Instant::now() + READY_WITHIN;
    for service in liaison_testkit::DEV_SERVICES {
        let url = format!("{}/readyz", addrs.url(service));
        loop {
            if let Some(status) = dev.exit_status() {
                panic!("liaison dev exited ({status}):\n{}", read(output));
            }
            if http
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{service} not ready within {READY_WITHIN:?}:\n{}",
                read(output)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The pids `liaison dev` says it started (`  ingest     started (pid 1234)`).
fn children(output: &Path) -> Vec<u32> {
    read(output)
        .lines()
        .filter_map(|line| line.split("started (pid ").nth(1))
        .filter_map(|rest| rest.trim_end_matches(')').parse().ok())
        .collect()
}

/// Whether process `pid` is gone (or a zombie nobody reaped yet: dead all the same).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_liaison_dev_takes_its_children_down_and_frees_the_ports() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let addrs = Addrs::free();
    let first_output = dir.path().join("first.out");
    let mut first = start_dev(&addrs, &data_dir, &first_output);
    wait_ready(&mut first, &addrs, &first_output).await;
    let pids = children(&first_output);
    assert_eq!(
        pids.len(),
        1 + liaison_testkit::DEV_SERVICES.len(),
        "nats and every service:\n{}",
        read(&first_output)
    );
    assert!(pids.iter().all(|pid| !gone(*pid)));

    first.kill(); // SIGKILL: no clean-up code of liaison runs
    let deadline = Instant::now() + GONE_WITHIN;
    loop {
        let running: Vec<u32> = pids.iter().copied().filter(|pid| !gone(*pid)).collect();
        let held: Vec<SocketAddr> = addrs.all().into_iter().filter(|a| !is_free(*a)).collect();
        if running.is_empty() && held.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{GONE_WITHIN:?} after kill -9 of liaison dev, pids {running:?} still run and \
             {held:?} are still held"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The same ports and data serve a new `liaison dev`, which resumes the stack.
    let second_output = dir.path().join("second.out");
    let mut second = start_dev(&addrs, &data_dir, &second_output);
    wait_ready(&mut second, &addrs, &second_output).await;
    let text = read(&second_output);
    assert!(text.contains("resuming with the data in"), "{text}");
    assert!(!text.contains("in use"), "{text}");

    // And a clean stop (Ctrl-C) still stops it all — once `liaison dev` says it listens for it.
    let deadline = Instant::now() + READY_WITHIN;
    while !read(&second_output).contains("Ctrl-C stops everything") {
        assert!(
            Instant::now() < deadline,
            "no banner:\n{}",
            read(&second_output)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pid = i32::try_from(second.pid())
        .ok()
        .and_then(rustix::process::Pid::from_raw);
    rustix::process::kill_process(pid.unwrap(), rustix::process::Signal::INT).unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), second.wait())
        .await
        .expect("liaison dev stops on Ctrl-C within 30 s");
    let text = read(&second_output);
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(text.contains("stopped; start again with"), "{text}");
    assert!(
        children(&second_output).iter().all(|pid| gone(*pid)),
        "{text}"
    );
}
