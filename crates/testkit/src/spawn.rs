//! Starting child processes that die with their launcher, even on `kill -9` of it.
//!
//! Every child of the stack is started as `setpriv --pdeathsig KILL -- <binary> …` when
//! util-linux's `setpriv` is there (Linux): `setpriv` asks the kernel (`PR_SET_PDEATHSIG`) to send
//! `SIGKILL` to the child when its parent dies, then `exec`s the binary, which keeps the setting.
//! Without it, a `kill -9` of `liaison dev` left nats-server and the services running and holding
//! their ports. (`pre_exec` could do the same without `setpriv`, but it is `unsafe`, which the
//! workspace forbids.)
//!
//! Two traps, and what this module does about them:
//! - The kernel ties the death signal to the *thread* that forked the child, not the process: a
//!   child spawned from a tokio worker or blocking-pool thread is killed when that thread ends
//!   (the blocking pool retires idle threads after seconds). So every child is forked by one
//!   dedicated thread that lives as long as the process ([`spawn`] hands the command to it).
//! - A Ctrl-C in a terminal goes to the whole foreground process group. Children get a process
//!   group of their own, so only the launcher sees it and stops them in order.
//!
//! A window remains: a launcher killed between the fork and `setpriv`'s `prctl` leaves that one
//! child behind. Without `setpriv`, children still stop when the launcher stops them or drops
//! their handles, but not when it is killed.

use std::ffi::OsStr;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Mutex, OnceLock};

/// A command for `program` that dies with this process (through `setpriv` when available), in
/// its own process group, with stdin closed. Add arguments, environment and output, then
/// [`spawn`] it.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut command = match setpriv() {
        Some(setpriv) => {
            let mut c = Command::new(setpriv);
            c.args(["--pdeathsig", "KILL", "--"]).arg(program);
            c
        }
        None => Command::new(program),
    };
    command.process_group(0).stdin(Stdio::null());
    command
}

/// Whether children die with this process (`setpriv --pdeathsig` works here).
pub fn children_die_with_parent() -> bool {
    setpriv().is_some()
}

/// Spawns `command` from the spawner thread, the one thread that lives as long as the process.
pub fn spawn(command: Command) -> io::Result<Child> {
    let (reply, answer) = channel();
    spawner()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .send((command, reply))
        .map_err(|_| io::Error::other("the spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| io::Error::other("the spawner thread did not answer"))?
}

type Job = (Command, Sender<io::Result<Child>>);

fn spawner() -> &'static Mutex<Sender<Job>> {
    static SPAWNER: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (jobs, queue) = channel::<Job>();
        std::thread::Builder::new()
            .name("liaison-spawner".into())
            .spawn(move || {
                // The sender lives in a static, so this loop (and the thread) never ends.
                for (mut command, reply) in queue {
                    let _ = reply.send(command.spawn());
                }
            })
            .expect("cannot start the spawner thread");
        Mutex::new(jobs)
    })
}

/// `setpriv`, if it is on `PATH` and supports `--pdeathsig` (util-linux 2.33 and later), checked
/// once by running it.
fn setpriv() -> Option<&'static PathBuf> {
    static SETPRIV: OnceLock<Option<PathBuf>> = OnceLock::new();
    SETPRIV
        .get_or_init(|| {
            if !cfg!(target_os = "linux") {
                return None;
            }
            let path = std::env::var_os("PATH")?;
            let setpriv = std::env::split_paths(&path)
                .map(|dir| dir.join("setpriv"))
                .find(|p| p.is_file())?;
            let works = Command::new(&setpriv)
                .args(["--pdeathsig", "KILL", "--", "true"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            works.then_some(setpriv)
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_runs_the_program_in_its_own_process_group() {
        let mut c = command("sh");
        c.args(["-c", "cut -d' ' -f5 /proc/$$/stat; echo $$"])
            .stdout(Stdio::piped());
        let child = spawn(c).unwrap();
        let pid = child.id();
        let output = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        let mut lines = text.lines().map(str::trim);
        let pgid: u32 = lines.next().unwrap().parse().unwrap();
        let shell_pid: u32 = lines.next().unwrap().parse().unwrap();
        assert_eq!(shell_pid, pid, "setpriv execs the program: same pid");
        assert_eq!(pgid, pid, "the child leads its own process group");
    }

    #[test]
    fn a_child_spawned_for_a_thread_that_ends_lives_on() {
        // The spawner thread forks, not the caller: the caller's end kills nothing.
        let child = std::thread::spawn(|| {
            let mut c = command("sleep");
            c.arg("30");
            spawn(c).unwrap()
        })
        .join()
        .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let mut child = child;
        assert!(
            child.try_wait().unwrap().is_none(),
            "killed with its caller thread"
        );
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
