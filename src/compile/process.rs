//! Running the build tools.
//!
//! A tool runs in a process group of its own, so that everything it starts (zig's build
//! runner, `zig build-lib`, `zig clang`; ninja's compilers) can be ended together: when the
//! build is interrupted (polled here, see `interrupt`), on SIGTERM to the build (the
//! signal handler ends the group), and when the build's process dies, even by SIGKILL: a
//! watchdog in the tool's group waits on a pipe that only the build holds open, and ends
//! the group when the pipe closes. Its output is collected; the build shows it on failure.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use crate::error::{IoContext, Result};
use crate::interrupt;

/// What a finished tool printed.
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// How often a running tool is checked for an interruption.
const POLL: Duration = Duration::from_millis(20);

/// Runs `command` to completion; `Err(Interrupted)` if the build is interrupted first, with
/// the tool and everything it started ended.
pub fn output(command: &mut Command) -> Result<Output> {
    output_echoing(command, None)
}

/// Called with each line the tool prints on stdout, as it prints it (ninja's progress).
pub type Echo = Box<dyn Fn(&str) + Send>;

/// `output`, with `echo` called on each line of the tool's stdout while it runs.
pub fn output_echoing(command: &mut Command, echo: Option<Echo>) -> Result<Output> {
    let program = command.get_program().to_string_lossy().into_owned();
    command
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    interrupt::check()?;
    let mut child = command.spawn().context(|| format!("running {program}"))?;
    let group = child.id();
    let _group = interrupt::ToolGroup::enter(group);
    let watchdog = watchdog(group);
    let stdout = drain_lines(child.stdout.take(), echo);
    let stderr = drain(child.stderr.take());
    // Waited for on a thread, so that the tool's end is seen at once while this thread
    // looks for an interruption between waits.
    let (ended, end) = std::sync::mpsc::channel();
    std::thread::spawn(move || ended.send(child.wait()));
    let status = loop {
        match end.recv_timeout(POLL) {
            Ok(status) => break status.context(|| format!("waiting for {program}"))?,
            Err(_) => {
                if let Err(interrupted) = interrupt::check() {
                    end_group(group);
                    let _ = end.recv();
                    return Err(interrupted);
                }
            }
        }
    };
    if let Ok(mut watchdog) = watchdog {
        // "done": the watchdog leaves without ending anything.
        if let Some(mut stdin) = watchdog.stdin.take() {
            let _ = stdin.write_all(b"done\n");
        }
        let _ = watchdog.wait();
    }
    let output = Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    // A tool killed by SIGTERM means the build was: report the interruption, not a failure.
    interrupt::check()?;
    Ok(output)
}

/// Reads a pipe to its end on a thread of its own.
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Reads a pipe to its end on a thread of its own, handing each line to `echo` as it comes.
fn drain_lines(
    pipe: Option<impl Read + Send + 'static>,
    echo: Option<Echo>,
) -> std::thread::JoinHandle<Vec<u8>> {
    let Some(echo) = echo else {
        return drain(pipe);
    };
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = pipe {
            let mut reader = std::io::BufReader::new(pipe);
            loop {
                let start = bytes.len();
                match std::io::BufRead::read_until(&mut reader, b'\n', &mut bytes) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => echo(String::from_utf8_lossy(&bytes[start..]).trim_end()),
                }
            }
        }
        bytes
    })
}

/// A shell in the tool's process group that ends the group once its stdin, a pipe only
/// this process writes, closes without a word: when the build dies however it dies. (A
/// killed build's kernel-sent signals reach only its own group; this reaches the tool's.)
/// Told "done", it leaves. Best effort: without it the tool still ends with the build's
/// other paths.
fn watchdog(group: u32) -> std::io::Result<std::process::Child> {
    std::process::Command::new("/bin/sh")
        .args([
            "-c",
            "read word; [ -n \"$word\" ] && exit 0; kill -TERM -- -$1 2>/dev/null; sleep 0.2; kill -KILL -- -$1 2>/dev/null",
        ])
        .args(["zlig-watchdog", &group.to_string()])
        .process_group(group as i32)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}

/// Ends a tool's process group: SIGTERM, then SIGKILL for what is left a moment later.
fn end_group(group: u32) {
    let group = -(group as i32);
    // SAFETY: signalling a process group this build started.
    unsafe {
        libc::kill(group, libc::SIGTERM);
    }
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: as above; a group already gone makes this fail harmlessly.
    unsafe {
        libc::kill(group, libc::SIGKILL);
    }
}
