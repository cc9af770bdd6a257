//! Running the build tools.
//!
//! A tool is tied to the build that started it: if the build's process dies (SIGTERM from a
//! frontend's timeout, a killed CI job), the kernel stops the tool too, instead of leaving
//! it compiling into a build dir whose lock is gone.

use std::os::unix::process::CommandExt;
use std::process::{Command, Output};

/// Runs `command` to completion, collecting its output; it gets SIGTERM if we die first.
pub fn output(command: &mut Command) -> std::io::Result<Output> {
    // SAFETY: the closure runs in the forked child before exec and only makes one
    // async-signal-safe system call.
    unsafe {
        command.pre_exec(|| {
            // prctl has no safe wrapper in std; libc is the crate made for the call.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.output()
}
