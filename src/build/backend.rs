//! The compile backend interface (DESIGN.md, "a build-file generator with pluggable
//! backends") and the choice between backends.
//!
//! A backend receives the resolved `BuildGraph` and a `BuildEnv`; it writes its build file
//! into its own folder of the build dir and runs its tool, which leaves each extension at
//! `env.out_dir.join(extension.output)`. It never reads `pyproject.toml`.

use std::path::PathBuf;

use crate::build::graph::BuildGraph;
use crate::build::toolchain::Zig;
use crate::build::warmup::Warmup;
use crate::error::{Error, Result};
use crate::project::toml::Located;

/// Where and how a backend builds.
#[derive(Debug, Clone)]
pub struct BuildEnv {
    /// The backend's own folder inside the build dir: build file, snapshot, caches.
    pub work_dir: PathBuf,
    /// Where built modules land, at their package paths.
    pub out_dir: PathBuf,
    /// How many compile jobs may run at once.
    pub jobs: usize,
    /// Print commands and tool output.
    pub verbose: bool,
}

/// A way to compile the graph.
pub trait Backend {
    /// The name users select it by.
    fn name(&self) -> &'static str;
    /// Higher wins when the user does not choose.
    fn priority(&self) -> i32;
    /// The tool's version, or why the backend cannot be used here.
    fn version(&self) -> std::result::Result<String, String>;
    /// The toolchain facts that belong in the snapshot.
    fn toolchain(&self) -> Option<&Zig>;
    /// The build file's name inside `env.work_dir`.
    fn build_file(&self) -> &'static str;
    /// Writes the build file for `graph` into `env.work_dir`.
    fn write(&self, env: &BuildEnv, graph: &BuildGraph) -> Result<()>;
    /// The one-time toolchain costs this build will pay, to announce before running.
    fn warmups(&self, _graph: &BuildGraph) -> Vec<Warmup> {
        Vec::new()
    }
    /// Runs the tool on the written build file: for every extension, or for `only` those
    /// named (used to build optional extensions one by one after a failure).
    fn run(&self, env: &BuildEnv, graph: &BuildGraph, only: Option<&[&str]>) -> Result<()>;
}

/// Picks the backend: the one named, else the usable one with the highest priority.
pub fn select(
    backends: Vec<Box<dyn Backend>>,
    requested: Option<&Located<String>>,
) -> Result<Box<dyn Backend>> {
    if let Some(name) = requested {
        let names: Vec<&str> = backends.iter().map(|b| b.name()).collect();
        let Some(index) = names.iter().position(|n| *n == name.value) else {
            let hint = crate::error::did_you_mean(&name.value, names.iter().copied())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            return Err(name.error(format!(
                "unknown backend `{}`{hint}; available: {}",
                name.value,
                names.join(", ")
            )));
        };
        let backend = backends
            .into_iter()
            .nth(index)
            .expect("index from position");
        return match backend.version() {
            Ok(_) => Ok(backend),
            Err(why) => Err(name.error(format!("backend `{}` cannot be used: {why}", name.value))),
        };
    }
    let mut reasons = Vec::new();
    let mut best: Option<Box<dyn Backend>> = None;
    for backend in backends {
        match backend.version() {
            Ok(_)
                if best
                    .as_ref()
                    .is_none_or(|b| b.priority() < backend.priority()) =>
            {
                best = Some(backend)
            }
            Ok(_) => {}
            Err(why) => reasons.push(format!("  {}: {why}", backend.name())),
        }
    }
    best.ok_or_else(|| {
        Error::Usage(format!(
            "no compile backend can be used on this machine:\n{}\nInstall zig with `pip install \"{}\"`, or set ZLIG_ZIG to a zig binary.",
            reasons.join("\n"),
            crate::build::toolchain::ZIGLANG_REQUIREMENT
        ))
    })
}
