//! Interruptions: Ctrl-C and SIGTERM stop a build at the next safe point, with nothing left
//! half-written, and end the tools it runs.
//!
//! SIGINT belongs to the interpreter running the hooks: its handler only notes the signal,
//! so the core asks it (`set_python_check`, wired by `lib.rs`) at each safe point. SIGTERM
//! and SIGHUP (a frontend's or CI's timeout) have no handler in the interpreter; while a
//! hook runs, `Hook` takes them, notes them, ends the running tool's process group at once,
//! and, once the hook has cleaned up, lets the signal end the process as it would have.
//! Safe points: between compile steps, while a tool runs (polled), between archive
//! entries, and before an output is moved into place.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, Ordering};

use crate::error::{Error, Result};

/// The terminating signal received during the hook, or 0.
static TERMINATED: AtomicI32 = AtomicI32::new(0);

/// The process group of the tool running now, or 0.
static TOOL_GROUP: AtomicI32 = AtomicI32::new(0);

/// Asks the interpreter whether the user pressed Ctrl-C.
static PYTHON_CHECK: OnceLock<fn() -> bool> = OnceLock::new();

/// The signals that end a build from outside.
const TERMINATING: [libc::c_int; 2] = [libc::SIGTERM, libc::SIGHUP];

/// Makes `check` ask the interpreter too (once, from `lib.rs`).
pub fn set_python_check(check: fn() -> bool) {
    let _ = PYTHON_CHECK.set(check);
}

/// `Err(Interrupted)` once the build was interrupted.
pub fn check() -> Result<()> {
    let asked = || PYTHON_CHECK.get().is_some_and(|python| python());
    if TERMINATED.load(Ordering::SeqCst) != 0 || asked() {
        return Err(Error::Interrupted);
    }
    Ok(())
}

/// While alive, the tool in process group `group` is the one to end on SIGTERM.
pub struct ToolGroup(());

impl ToolGroup {
    pub fn enter(group: u32) -> Self {
        TOOL_GROUP.store(group as i32, Ordering::SeqCst);
        Self(())
    }
}

impl Drop for ToolGroup {
    fn drop(&mut self) {
        TOOL_GROUP.store(0, Ordering::SeqCst);
    }
}

/// SIGTERM and SIGHUP are noted, not fatal, while a hook runs; dropping it restores them
/// and, if one came, raises it again so that the process ends as the sender meant.
pub struct Hook {
    /// The handlers replaced, to restore: only default dispositions are replaced.
    replaced: Vec<libc::c_int>,
}

extern "C" fn on_terminate(signal: libc::c_int) {
    TERMINATED.store(signal, Ordering::SeqCst);
    let group = TOOL_GROUP.load(Ordering::SeqCst);
    if group > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { libc::kill(-group, libc::SIGTERM) };
    }
}

impl Hook {
    /// Takes SIGTERM and SIGHUP for the hook's duration, where nobody else handles them.
    pub fn enter() -> Self {
        TERMINATED.store(0, Ordering::SeqCst);
        let mut replaced = Vec::new();
        for signal in TERMINATING {
            // SAFETY: sigaction with a handler that only touches atomics and calls kill;
            // the previous disposition is read first and only SIG_DFL is replaced. libc is
            // used because std has no signal API and the handler must be installed and
            // removed around each hook, which signal-hook's registry does not undo.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                    || old.sa_sigaction != libc::SIG_DFL
                {
                    continue;
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_terminate as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut action.sa_mask);
                if libc::sigaction(signal, &action, std::ptr::null_mut()) == 0 {
                    replaced.push(signal);
                }
            }
        }
        Self { replaced }
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        for &signal in &self.replaced {
            // SAFETY: restores the default disposition this hook replaced.
            unsafe {
                libc::signal(signal, libc::SIG_DFL);
            }
        }
        let signal = TERMINATED.swap(0, Ordering::SeqCst);
        if signal != 0 && self.replaced.contains(&signal) {
            // SAFETY: raising a signal whose default action ends the process.
            unsafe {
                libc::raise(signal);
            }
        }
    }
}
