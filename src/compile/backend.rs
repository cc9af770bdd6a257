//! The compile backend interface (ARCHITECTURE.md, "Where things go") and the choice
//! between backends.
//!
//! A backend receives the resolved `BuildGraph` and a `BuildEnv`; it writes its build file
//! into its own folder of the build dir and runs its tool, which leaves each extension at
//! `env.out_dir.join(extension.output)`. It never reads `pyproject.toml`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

use serde::Serialize;

use crate::compile::CompileError;
use crate::compile::graph::BuildGraph;
use crate::compile::toolchain::{NINJA_REQUIREMENT, ToolProblem, ZIGLANG_REQUIREMENT, Zig};
use crate::compile::warmup::Warmup;
use crate::error::{IoContext, Result, did_you_mean};
use crate::project::extension::Language;
use crate::project::toml::Located;

/// Where and how a backend builds.
#[derive(Debug, Clone, Serialize)]
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

/// The name, in a backend's folder, of its link to the project root.
pub const PROJECT_LINK: &str = "project";

/// The source zlig adds to every C++ extension: a terminate handler that reports an
/// uncaught exception's type and `what()`, as g++'s runtime does, where zig's libc++abi
/// prints only "terminating".
pub const CXX_TERMINATE_SOURCE: &str = include_str!("cxx_terminate.cpp");

/// Where the built-in backends find `CXX_TERMINATE_SOURCE`, relative to their folder.
pub const CXX_TERMINATE_FILE: &str = "support/zlig_terminate.cpp";

impl BuildEnv {
    /// Makes `work_dir/project` a symlink to the project `root` (again, if the project
    /// moved), and returns that relative name. Build files name the project's files
    /// through it, so that no character of the project's path (`|`, `;`, quotes, a
    /// newline…) reaches a build file, a compiler's depfile or a linker's temporary name,
    /// and no absolute path reaches debug info.
    pub fn link_project(&self, root: &Path) -> Result<&'static Path> {
        let link = self.work_dir.join(PROJECT_LINK);
        if std::fs::read_link(&link).is_ok_and(|target| target == root) {
            return Ok(Path::new(PROJECT_LINK));
        }
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(root, &link)
            .context(|| format!("linking {} to {}", link.display(), root.display()))?;
        Ok(Path::new(PROJECT_LINK))
    }

    /// Writes the terminate handler every C++ extension is linked with
    /// (`CXX_TERMINATE_FILE`), when the graph has one; unchanged bytes are not written again,
    /// so that nothing is rebuilt for them.
    pub fn write_cxx_support(&self, graph: &BuildGraph) -> Result<()> {
        if !graph.extensions.iter().any(|e| e.language == Language::Cxx) {
            return Ok(());
        }
        let path = self.work_dir.join(CXX_TERMINATE_FILE);
        if std::fs::read(&path).is_ok_and(|bytes| bytes == CXX_TERMINATE_SOURCE.as_bytes()) {
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, CXX_TERMINATE_SOURCE)
            .context(|| format!("writing {}", path.display()))
    }

    /// Writes each extension's version script into `work_dir/exports/`, where both
    /// built-in build files link with it.
    pub fn write_version_scripts(&self, graph: &BuildGraph) -> Result<()> {
        let exports = self.work_dir.join("exports");
        std::fs::create_dir_all(&exports).context(|| format!("creating {}", exports.display()))?;
        for ext in &graph.extensions {
            let path = exports.join(ext.version_script_name());
            std::fs::write(&path, ext.version_script())
                .context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }
}

/// Why a backend cannot be used here.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Unusable {
    #[error("{}", join(.0))]
    Tools(Vec<ToolProblem>),
    #[error(
        "{extension} is written in Zig, which the {backend} backend does not compile; use the `zig` backend"
    )]
    Zig { extension: String, backend: String },
    #[error("the platform compiler builds for this machine only, not for {0}")]
    CrossTarget(String),
    #[error("the {backend} backend cannot build `{}`: rename the file, or use another backend", .file.display())]
    FileName { file: PathBuf, backend: String },
    #[error("its version() says it cannot be used here")]
    Declined,
    #[error("its version() raised {0}")]
    Raised(String),
}

fn join(problems: &[ToolProblem]) -> String {
    let reasons: Vec<String> = problems.iter().map(ToString::to_string).collect();
    reasons.join("; ")
}

/// A way to compile the graph.
pub trait Backend {
    /// The name users select it by.
    fn name(&self) -> &str;
    /// Higher wins when the user does not choose; 0 or less: used only when named.
    fn priority(&self) -> i32;
    /// The tool's version, or why the backend cannot be used here.
    fn version(&self) -> std::result::Result<String, Unusable>;
    /// Why this backend cannot build `graph` (a language or target it lacks), if it cannot.
    fn supports(&self, _graph: &BuildGraph) -> std::result::Result<(), Unusable> {
        Ok(())
    }
    /// What a frontend can install from PyPI to make this backend usable (empty when it is).
    fn requirements(&self) -> Vec<String>;
    /// Everything about the tools that the build file depends on, for the snapshot.
    fn fingerprint(&self) -> String;
    /// The zig this backend runs, if any.
    fn zig(&self) -> Option<&Zig> {
        None
    }
    /// Whether the backend runs the graph's Cython steps itself, as part of its build (the
    /// built-in ones); for one that does not, zlig translates first and hands it the graph
    /// with the generated C among the sources.
    fn translates_cython(&self) -> bool {
        false
    }
    /// Every program its build file runs besides the tool itself, which an editable
    /// install's rebuild will run too.
    fn programs(&self) -> Vec<PathBuf> {
        self.zig().map(|zig| zig.path.clone()).into_iter().collect()
    }
    /// The build file's name inside `env.work_dir`.
    fn build_file(&self) -> &str;
    /// Writes the build file for `graph` into `env.work_dir`.
    fn write(&self, env: &BuildEnv, graph: &BuildGraph) -> Result<()>;
    /// The one-time toolchain costs this build will pay, to announce before running.
    fn warmups(&self, _graph: &BuildGraph) -> Vec<Warmup> {
        Vec::new()
    }
    /// Runs the tool on the written build file: for every extension, or for `only` those
    /// named (used to build optional extensions one by one after a failure).
    fn run(&self, env: &BuildEnv, graph: &BuildGraph, only: Option<&[&str]>) -> Result<()>;
    /// The command that builds everything again from the written build file, for an
    /// editable install to run on import; `None` when the backend has no such command.
    fn rebuild_command(&self, _env: &BuildEnv, _graph: &BuildGraph) -> Option<Command> {
        None
    }
}

/// Why `backend` cannot build `graph` here, if it cannot.
fn unusable(backend: &dyn Backend, graph: &BuildGraph) -> Option<Unusable> {
    backend
        .version()
        .err()
        .or_else(|| backend.supports(graph).err())
}

/// Picks the backend: the one named, else the usable one with the highest priority. When
/// none can build, the error names everything the build lacks, `also_missing` (Cython's
/// requirement, say) and what the backend lacks, in one command that installs it all.
pub fn select(
    backends: Vec<Rc<dyn Backend>>,
    requested: Option<&Located<String>>,
    graph: &BuildGraph,
    also_missing: &[String],
) -> Result<Rc<dyn Backend>> {
    let install = |lacking: Vec<String>| {
        let all: Vec<String> = also_missing.iter().cloned().chain(lacking).collect();
        install_command(&all)
    };
    if let Some(name) = requested {
        let backend = by_name(backends, name)?;
        return match unusable(backend.as_ref(), graph) {
            None => Ok(backend),
            Some(why) => {
                let hint = install(backend.requirements())
                    .map(|command| {
                        format!("\nInstall what this build lacks, all at once: {command}")
                    })
                    .unwrap_or_default();
                Err(name.error(format!(
                    "backend `{}` cannot be used: {why}{hint}",
                    name.value
                )))
            }
        };
    }
    let install = install(best_requirements(&backends, graph));
    let mut backends = backends;
    backends.sort_by_key(|b| std::cmp::Reverse(b.priority()));
    let mut reasons = Vec::new();
    for backend in backends {
        if backend.priority() <= 0 {
            reasons.push(format!(
                "  {}: used only when named (-C backend={0})",
                backend.name()
            ));
            continue;
        }
        match unusable(backend.as_ref(), graph) {
            None => return Ok(backend),
            Some(why) => reasons.push(format!("  {}: {why}", backend.name())),
        }
    }
    Err(CompileError::NoBackend {
        reasons,
        install: install.unwrap_or_else(|| {
            install_command(&[ZIGLANG_REQUIREMENT.into(), NINJA_REQUIREMENT.into()])
                .unwrap_or_default()
        }),
    }
    .into())
}

/// `pip install "req" "req"…` for `requirements`, or `None` when there are none.
fn install_command(requirements: &[String]) -> Option<String> {
    let quoted: Vec<String> = requirements.iter().map(|r| format!("\"{r}\"")).collect();
    (!quoted.is_empty()).then(|| format!("`pip install {}`", quoted.join(" ")))
}

/// What the best automatic backend that supports `graph` lacks.
fn best_requirements(backends: &[Rc<dyn Backend>], graph: &BuildGraph) -> Vec<String> {
    backends
        .iter()
        .filter(|b| b.priority() > 0 && b.supports(graph).is_ok())
        .max_by_key(|b| b.priority())
        .map(|b| b.requirements())
        .unwrap_or_default()
}

/// What the frontend should install before building: nothing when a usable backend is
/// there, else what the named backend, or the best one that supports `graph`, lacks.
pub fn requirements(
    backends: Vec<Rc<dyn Backend>>,
    requested: Option<&Located<String>>,
    graph: &BuildGraph,
) -> Result<Vec<String>> {
    if let Some(name) = requested {
        return Ok(by_name(backends, name)?.requirements());
    }
    let automatic = || backends.iter().filter(|b| b.priority() > 0);
    if automatic().any(|b| unusable(b.as_ref(), graph).is_none()) {
        return Ok(Vec::new());
    }
    Ok(best_requirements(&backends, graph))
}

fn by_name(backends: Vec<Rc<dyn Backend>>, name: &Located<String>) -> Result<Rc<dyn Backend>> {
    let names: Vec<String> = backends.iter().map(|b| b.name().to_string()).collect();
    match backends.into_iter().find(|b| b.name() == name.value) {
        Some(backend) => Ok(backend),
        None => {
            let hint = did_you_mean(&name.value, names.iter().map(String::as_str))
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            Err(name.error(format!(
                "unknown backend `{}`{hint}; available: {}",
                name.value,
                names.join(", ")
            )))
        }
    }
}
