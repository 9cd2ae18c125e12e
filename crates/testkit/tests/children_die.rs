//! A child started through the testkit dies when its launcher is killed with `kill -9`, which no
//! clean-up code of the launcher can see: the kernel does it (`setpriv --pdeathsig`).
//!
//! The launcher is this test executable itself, run again on the ignored test below.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use liaison_testkit::spawn::children_die_with_parent;
use liaison_testkit::{ChildProcess, Output};

const LAUNCHER_ENV: &str = "LIAISON_TESTKIT_LAUNCHER";

/// Run by `a_child_dies_with_its_killed_launcher` in a process of its own: starts a long sleep
/// from a short-lived thread (the death signal must not follow that thread), prints its pid and
/// waits to be killed.
#[test]
#[ignore = "a helper: runs as the launcher of the test below"]
fn launcher() {
    if std::env::var_os(LAUNCHER_ENV).is_none() {
        return;
    }
    let child = std::thread::spawn(|| {
        let mut command = liaison_testkit::spawn::command("sleep");
        command.arg("600");
        ChildProcess::spawn("sleep", command, &Output::Null).expect("spawn sleep")
    })
    .join()
    .unwrap();
    println!("child pid {}", child.pid());
    std::thread::sleep(Duration::from_secs(600));
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

#[test]
fn a_child_dies_with_its_killed_launcher() {
    if !children_die_with_parent() {
        eprintln!("setpriv --pdeathsig is not available here: children outlive a killed launcher");
        return;
    }
    let mut launcher = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "launcher",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(LAUNCHER_ENV, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(launcher.stdout.take().unwrap()).lines();
    let pid: u32 = lines
        .by_ref()
        .map_while(Result::ok)
        // The harness writes `test launcher ... ` on the same line first.
        .find_map(|line| {
            line.split("child pid ")
                .nth(1)
                .map(|p| p.trim().parse().unwrap())
        })
        .expect("the launcher tells its child's pid");
    // Still alive while the launcher runs, though the thread that asked for it has ended.
    std::thread::sleep(Duration::from_millis(300));
    assert!(!gone(pid), "the child died before its launcher");

    launcher.kill().unwrap(); // SIGKILL
    launcher.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !gone(pid) {
        assert!(
            Instant::now() < deadline,
            "the child {pid} outlived its killed launcher by 10 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
