//! Compiling the extensions: graph → backend → artifacts.
//!
//! `compile` takes the build dir (`build_dir`: validated, locked for the whole build and
//! packing), gives the chosen backend its own folder (so switching backends never reuses
//! another's build file), rewrites the build file only when the snapshot changed, runs the
//! backend and checks that every module was produced.

pub mod backend;
pub mod build_details;
pub mod build_dir;
pub mod configure_cache;
pub mod cython;
pub mod diagnostics;
pub mod graph;
pub mod link_args;
pub mod ninja;
pub mod object_cache;
pub mod packages;
pub mod path_maps;
pub mod probes;
pub mod process;
pub mod resolve;
pub mod snapshot;
pub mod target_headers;
pub mod tool_home;
pub mod toolchain;
pub mod warmup;
pub mod zig;
pub mod zig_manifests;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{Error, Result};
use backend::{Backend, BuildEnv, Unusable};
use build_dir::{BuildDir, BuildDirError, Lock};
use graph::BuildGraph;
use link_args::EnvFlagsError;
use snapshot::Snapshot;

/// Why compiling failed.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error(transparent)]
    EnvFlags(#[from] EnvFlagsError),
    #[error(transparent)]
    BuildDir(#[from] BuildDirError),
    #[error(transparent)]
    Headers(#[from] target_headers::HeaderError),
    #[error(
        "no compile backend can build this project on this machine:\n{}\nInstall what this build lacks, all at once: {install}\n(or set ZLIG_ZIG to a zig binary; an isolated build, `pip install .` without `--no-build-isolation`, installs them itself)",
        .reasons.join("\n")
    )]
    NoBackend {
        /// One line per backend: its name and why it cannot be used.
        reasons: Vec<String>,
        /// The `pip install …` command that installs every tool the build lacks.
        install: String,
    },
    #[error("the {backend} backend cannot run: {why}")]
    ToolMissing { backend: String, why: Unusable },
    /// The compiler ran and failed: its diagnostic, and the command when it helps.
    #[error("compiling the extensions failed:\n{output}{}", .command.as_ref().map(|c| format!("\ncommand: {c}")).unwrap_or_default())]
    Failed {
        output: String,
        command: Option<String>,
    },
    #[error(
        "the extension module {module} defines neither {init} nor {export}, so Python cannot import it: the part of its `name` after the last dot names the function"
    )]
    NoInitFunction {
        module: String,
        init: String,
        export: String,
    },
    /// A value that the build file's format cannot hold (`project::text`).
    #[error("zlig cannot write {file}: {why}")]
    Unwritable {
        file: String,
        why: crate::project::text::ControlCharacter,
    },
    #[error("the {backend} backend reported success but did not produce {}", .path.display())]
    NoOutput { backend: String, path: PathBuf },
    #[error("the {backend} backend failed to {doing}: {message}")]
    Plugin {
        backend: String,
        doing: &'static str,
        message: String,
    },
    #[error("loading the `zlig.backends` entry points failed: {0}")]
    PluginLoad(String),
    #[error(
        "zig needs a folder for its cache, and none can be found: HOME is not set to an absolute path; set HOME, XDG_CACHE_HOME or ZIG_GLOBAL_CACHE_DIR"
    )]
    NoZigCache,
    #[error("TMPDIR={} is not a folder; the compilers write their temporary files there: create it or unset TMPDIR", .0.display())]
    NoTempDir(PathBuf),
    #[error("{failure}\nThe disk holding {} is full ({free} bytes free): make room, or build elsewhere with `-C build-dir=…`", .dir.display())]
    DiskFull {
        failure: Box<CompileError>,
        dir: PathBuf,
        free: u64,
    },
}

impl From<EnvFlagsError> for Error {
    fn from(err: EnvFlagsError) -> Self {
        CompileError::EnvFlags(err).into()
    }
}

impl From<target_headers::HeaderError> for Error {
    fn from(err: target_headers::HeaderError) -> Self {
        CompileError::Headers(err).into()
    }
}

impl From<BuildDirError> for Error {
    fn from(err: BuildDirError) -> Self {
        CompileError::BuildDir(err).into()
    }
}

/// Built modules: dotted name → built file.
pub type Artifacts = BTreeMap<String, PathBuf>;

/// What a compile produced. The build dir stays locked while it lives: the modules it
/// names are read into an archive before another build may replace them.
pub struct Build {
    pub artifacts: Artifacts,
    /// The backend's command to build it all again, for editable installs.
    pub rebuild: Option<Rebuild>,
    pub lock: Lock,
    /// What was built, for the line that ends the build's output.
    pub summary: Summary,
}

/// What a compile did, said in one line: how many modules it built (0: up to date), with
/// what, for what, in how long.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The modules whose files the build wrote anew.
    pub built: usize,
    pub extensions: usize,
    pub sources: usize,
    /// The backend and its tools' versions (`backend_and_tools`).
    pub tools: String,
    pub target: String,
    pub took: std::time::Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let (n, tools, target) = (self.extensions, &self.tools, &self.target);
        if self.built == 0 {
            return write!(
                f,
                "{n} extension{} up to date ({tools}, for {target})",
                plural(n)
            );
        }
        let built = match self.built == n {
            true => format!("{n} extension{}", plural(n)),
            false => format!("{} of {n} extensions", self.built),
        };
        write!(
            f,
            "built {built} ({} source file{}) with {tools} for {target} in {:.1} s",
            self.sources,
            plural(self.sources),
            self.took.as_secs_f64()
        )
    }
}

/// A command as plain values, for an editable install's import hook to run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rebuild {
    pub argv: Vec<String>,
    pub cwd: Option<PathBuf>,
    pub env_remove: Vec<String>,
    pub env_set: BTreeMap<String, String>,
    /// The build dir's lock file, which the hook holds while it rebuilds.
    pub lock: PathBuf,
}

impl Rebuild {
    fn new(command: &std::process::Command, lock: PathBuf) -> Self {
        let text = |s: &std::ffi::OsStr| s.to_string_lossy().into_owned();
        let mut env_remove = Vec::new();
        let mut env_set = BTreeMap::new();
        for (key, value) in command.get_envs() {
            match value {
                Some(value) => {
                    env_set.insert(text(key), text(value));
                }
                None => env_remove.push(text(key)),
            }
        }
        Self {
            argv: std::iter::once(command.get_program())
                .chain(command.get_args())
                .map(text)
                .collect(),
            cwd: command.get_current_dir().map(PathBuf::from),
            env_remove,
            env_set,
            lock,
        }
    }
}

/// Compiles every extension of `graph` with `backend` in `build_dir`; returns the built
/// files, with the build dir locked.
pub fn compile(
    graph: &BuildGraph,
    backend: &dyn Backend,
    build_dir: &BuildDir,
    verbose: bool,
) -> Result<Build> {
    check_environment(backend)?;
    let lock = build_dir.lock()?;
    packages::settle(&graph.package_headers)?;
    let env = BuildEnv {
        work_dir: build_dir.create(backend.name())?,
        out_dir: build_dir.path().join(backend.name()).join("out"),
        jobs: std::thread::available_parallelism().map_or(1, usize::from),
        verbose,
    };
    // A backend that does not run Cython itself gets the graph with the C made already.
    let translated;
    let (graph, left_out) = if graph.has_cython() && !backend.translates_cython() {
        let (view, left_out) = cython::translate(graph, &env)?;
        translated = view;
        (&translated, left_out)
    } else {
        (graph, Vec::new())
    };
    let written = write_build_file(graph, backend, &env)?;
    let cold = written
        || graph
            .extensions
            .iter()
            .any(|e| !env.out_dir.join(&e.output).is_file());
    let before = module_stamps(graph, &env);
    let warmups = backend.warmups(graph);
    for line in warmup::announcements(&warmups) {
        eprintln!("zlig: {line}");
    }
    let sources = source_count(graph);
    let tools = backend_and_tools(backend);
    if cold {
        let estimate = match warmups.is_empty() {
            true => warmup::compile_estimate(backend.name(), sources),
            false => None,
        };
        announce(graph, &tools, sources, estimate);
    }
    let started = std::time::Instant::now();
    let result = backend.run(&env, graph, None);
    let mut skipped = match result.map_err(|err| explain_full_disk(err, build_dir.path())) {
        Ok(()) => Vec::new(),
        Err(Error::Interrupted) => return Err(Error::Interrupted),
        Err(err) if graph.extensions.iter().any(|e| e.optional) => {
            build_separately(backend, &env, graph, err)?
        }
        Err(err) => return Err(err),
    };
    let took = started.elapsed();
    warmup::paid(&warmups, took);
    if cold && warmups.is_empty() {
        warmup::compiled(backend.name(), sources, took);
    }
    skipped.extend(left_out.iter().map(String::as_str));
    let artifacts = built_modules(graph, backend, &env, &skipped)?;
    let after = module_stamps(graph, &env);
    let summary = Summary {
        built: artifacts
            .keys()
            .filter(|name| after.get(*name) != before.get(*name))
            .count(),
        extensions: graph.extensions.len(),
        sources,
        tools,
        target: graph.target.zig_triple.clone(),
        took,
    };
    let rebuild = backend
        .rebuild_command(&env, graph)
        .map(|command| Rebuild::new(&command, lock.path().to_path_buf()));
    Ok(Build {
        artifacts,
        rebuild,
        lock,
        summary,
    })
}

/// What tells a module file written anew from the one before: its inode (outputs are
/// renamed into place), size and time.
type Stamp = (u64, u64, Option<std::time::SystemTime>);

/// The stamp of each extension's module in the out dir, by name, for those that exist.
fn module_stamps(graph: &BuildGraph, env: &BuildEnv) -> BTreeMap<String, Stamp> {
    use std::os::unix::fs::MetadataExt;
    graph
        .extensions
        .iter()
        .filter_map(|ext| {
            let meta = std::fs::metadata(env.out_dir.join(&ext.output)).ok()?;
            Some((
                ext.name.clone(),
                (meta.ino(), meta.len(), meta.modified().ok()),
            ))
        })
        .collect()
}

/// The module each extension not `skipped` built, checked: there, and with an init function.
fn built_modules(
    graph: &BuildGraph,
    backend: &dyn Backend,
    env: &BuildEnv,
    skipped: &[&str],
) -> Result<Artifacts> {
    let mut artifacts = Artifacts::new();
    for ext in &graph.extensions {
        if skipped.contains(&ext.name.as_str()) {
            continue;
        }
        let built = env.out_dir.join(&ext.output);
        if !built.is_file() {
            return Err(CompileError::NoOutput {
                backend: backend.name().to_string(),
                path: built,
            }
            .into());
        }
        check_init_function(ext, &built)?;
        artifacts.insert(ext.name.clone(), built);
    }
    Ok(artifacts)
}

/// Fails when a built module defines neither of its init functions, which Python looks for
/// on import. The version script writes them as patterns, so the linker no longer does:
/// a module needs only one (`PyInit_<name>`, or PEP 793's `PyModExport_<name>`).
fn check_init_function(ext: &graph::Extension, built: &std::path::Path) -> Result<()> {
    use crate::error::IoContext;
    let bytes = std::fs::read(built).context(|| format!("reading {}", built.display()))?;
    let Ok(elf) = goblin::elf::Elf::parse(&bytes) else {
        return Ok(());
    };
    let inits = [
        format!("PyInit_{}", ext.leaf),
        format!("PyModExport_{}", ext.leaf),
    ];
    let defined = elf.dynsyms.iter().any(|symbol| {
        symbol.st_shndx != goblin::elf::section_header::SHN_UNDEF as usize
            && elf
                .dynstrtab
                .get_at(symbol.st_name)
                .is_some_and(|name| inits.iter().any(|init| init == name))
    });
    match defined {
        true => Ok(()),
        false => Err(CompileError::NoInitFunction {
            module: ext.name.clone(),
            init: inits[0].clone(),
            export: inits[1].clone(),
        }
        .into()),
    }
}

/// Fails early, with the remedy, where the tools would fail late and obscurely: zig with
/// no cache folder ("AppDataDirUnavailable"), a `TMPDIR` that is not there.
fn check_environment(backend: &dyn Backend) -> Result<()> {
    if backend.zig().is_some() && tool_home::zig_global_cache().is_none() {
        return Err(CompileError::NoZigCache.into());
    }
    if let Some(tmp) = tool_home::env_path("TMPDIR")
        && !tmp.is_dir()
    {
        return Err(CompileError::NoTempDir(tmp).into());
    }
    Ok(())
}

/// A compile failure on a full disk, said so: compilers fail there in their own ways (zig
/// panics with "NoSpaceLeft").
fn explain_full_disk(err: Error, dir: &std::path::Path) -> Error {
    match (err, free_space_if_low(dir)) {
        (Error::Compile(failure), Some(free)) => CompileError::DiskFull {
            failure: Box::new(failure),
            dir: dir.to_path_buf(),
            free,
        }
        .into(),
        (err, _) => err,
    }
}

/// The free bytes on the disk holding `dir`, when they are too few for a build (under
/// 64 MiB).
fn free_space_if_low(dir: &std::path::Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs fills the struct it is given; the path is NUL-terminated.
    let free = unsafe {
        let mut stat: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(path.as_ptr(), &mut stat) != 0 {
            return None;
        }
        stat.f_bavail as u64 * stat.f_frsize as u64
    };
    (free < 64 << 20).then_some(free)
}

/// Writes the backend's build file unless the stored snapshot says it is up to date;
/// returns whether it wrote it.
fn write_build_file(graph: &BuildGraph, backend: &dyn Backend, env: &BuildEnv) -> Result<bool> {
    let snapshot = Snapshot::new(backend.name(), backend.fingerprint(), env.jobs, graph);
    let snapshot_path = env.work_dir.join("snapshot.json");
    let build_file = env.work_dir.join(backend.build_file());
    if snapshot.matches(&snapshot_path) && build_file.is_file() {
        if env.verbose {
            eprintln!("zlig: {} is up to date", build_file.display());
        }
        return Ok(false);
    }
    backend.write(env, graph)?;
    snapshot.store(&snapshot_path)?;
    Ok(true)
}

/// The backend by its name, then its tools' versions as its `version()` gives them: `the
/// ninja backend (ninja 1.13.1, zig 0.17.0)`, so that no tool's version reads as another's.
pub(crate) fn backend_and_tools(backend: &dyn Backend) -> String {
    format!(
        "the {} backend ({})",
        backend.name(),
        backend.version().unwrap_or_default()
    )
}

/// The source files the graph compiles or translates.
fn source_count(graph: &BuildGraph) -> usize {
    graph
        .extensions
        .iter()
        .map(|e| e.sources.len() + e.cython.len())
        .sum()
}

/// Says what a cold build is about to compile, with what, for what, and how long that
/// should take where known.
fn announce(graph: &BuildGraph, tools: &str, sources: usize, estimate: Option<String>) {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let cython = match &graph.cython {
        Some(tool) => format!(", Cython {}", tool.version),
        None => String::new(),
    };
    let estimate = estimate.map(|e| format!(" ({e})")).unwrap_or_default();
    eprintln!(
        "zlig: compiling {} extension{} ({sources} source file{}) with {tools}{cython} for {}{estimate}",
        graph.extensions.len(),
        plural(graph.extensions.len()),
        plural(sources),
        graph.target.zig_triple
    );
}

/// After a failed build with optional extensions: builds the required ones together (their
/// failure is the build's), then each optional one alone, leaving out those that fail.
/// Returns the names left out.
fn build_separately<'g>(
    backend: &dyn Backend,
    env: &BuildEnv,
    graph: &'g BuildGraph,
    first_error: Error,
) -> Result<Vec<&'g str>> {
    let (optional, required): (Vec<_>, Vec<_>) = graph.extensions.iter().partition(|e| e.optional);
    if !required.is_empty() {
        let names: Vec<&str> = required.iter().map(|e| e.name.as_str()).collect();
        match backend.run(env, graph, Some(&names)) {
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            Err(_) => return Err(first_error),
            Ok(()) => {}
        }
    }
    let mut skipped = Vec::new();
    for ext in optional {
        match backend.run(env, graph, Some(&[ext.name.as_str()])) {
            Ok(()) => {}
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            Err(err) => {
                eprintln!(
                    "zlig: warning: the optional extension {} failed to build and is left out of the wheel:\n{err}",
                    ext.name
                );
                // A module built earlier must not slip into the wheel in its place.
                let _ = std::fs::remove_file(env.out_dir.join(&ext.output));
                skipped.push(ext.name.as_str());
            }
        }
    }
    Ok(skipped)
}

/// What the build file generators' tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::PathBuf;

    use crate::compile::graph::{BuildGraph, CythonStep, CythonTool, Extension, LinkInput, SCHEMA};
    use crate::project::extension::Language;
    use crate::project::settings::Optimize;
    use crate::target::{Target, tests::cpython311};

    /// The sample graph with a Cython source, `src/demo/_speedups.pyx`, translated by the
    /// Cython kept in `/c/cython-3.1.4` and run by `/usr/bin/python3.11`.
    pub fn sample_cython_graph(sources: &[&str]) -> BuildGraph {
        let mut graph = sample_graph(sources);
        graph.cython = Some(CythonTool {
            python: "/usr/bin/python3.11".into(),
            package: "/c/cython-3.1.4".into(),
            version: "3.1.4".into(),
            sys_path: Vec::new(),
        });
        graph.extensions[0].cython.push(CythonStep {
            source: "src/demo/_speedups.pyx".into(),
            output: "cython/demo._speedups/_speedups.c".into(),
            args: [
                "--module-name",
                "demo._speedups",
                "-I",
                "src",
                "-X",
                "boundscheck=False",
            ]
            .map(String::from)
            .to_vec(),
        });
        graph
    }

    /// A graph of one C extension, `demo._speedups`, of `sources` under the root `/p`.
    pub fn sample_graph(sources: &[&str]) -> BuildGraph {
        BuildGraph {
            schema: SCHEMA,
            root: "/p".into(),
            target: Target::resolve(&cpython311(), None).unwrap(),
            optimize: Optimize::ReleaseFast,
            strip: true,
            cython: None,
            package_headers: Vec::new(),
            extensions: vec![Extension {
                name: "demo._speedups".into(),
                leaf: "_speedups".into(),
                output: "demo/_speedups.cpython-311-x86_64-linux-gnu.so".into(),
                language: Language::C,
                sources: sources.iter().map(PathBuf::from).collect(),
                cython: Vec::new(),
                include_dirs: vec!["/p/include".into()],
                compile_flags: [
                    "-fwrapv",
                    "-fno-strict-aliasing",
                    "-DNDEBUG",
                    "-DVERSION=\"1.2\"",
                ]
                .map(String::from)
                .to_vec(),
                link: vec![LinkInput::Library("m".into())],
                exports: vec!["PyInit__speedups".into(), "PyModExport__speedups".into()],
                depends: vec![],
                limited_api: None,
                optional: false,
            }],
        }
    }
}
