//! Compiling the extensions: graph → backend → artifacts.
//!
//! `compile` owns the build dir: it takes the lock, gives the chosen backend its own folder
//! (so switching backends never reuses another's build file), rewrites the build file only
//! when the snapshot changed, runs the backend and checks that every module was produced.

pub mod backend;
pub mod configure_cache;
pub mod graph;
pub mod ninja;
pub mod process;
pub mod snapshot;
pub mod tool_home;
pub mod toolchain;
pub mod warmup;
pub mod zig;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use backend::{Backend, BuildEnv};
use graph::BuildGraph;
use snapshot::Snapshot;

/// Built modules: dotted name → built file.
pub type Artifacts = BTreeMap<String, PathBuf>;

/// What a compile produced.
pub struct Build {
    pub artifacts: Artifacts,
    /// The backend's command to build it all again, for editable installs.
    pub rebuild: Option<Rebuild>,
}

/// A command as plain values, for an editable install's import hook to run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rebuild {
    pub argv: Vec<String>,
    pub cwd: Option<PathBuf>,
    pub env_remove: Vec<String>,
    pub env_set: BTreeMap<String, String>,
}

impl From<&std::process::Command> for Rebuild {
    fn from(command: &std::process::Command) -> Self {
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
        }
    }
}

/// Options of one compile run.
pub struct CompileOptions<'a> {
    pub build_dir: &'a Path,
    pub verbose: bool,
}

/// Compiles every extension of `graph` with `backend` and returns the built files.
pub fn compile(
    graph: &BuildGraph,
    backend: &dyn Backend,
    options: &CompileOptions<'_>,
) -> Result<Build> {
    if graph.extensions.is_empty() {
        return Ok(Build {
            artifacts: Artifacts::new(),
            rebuild: None,
        });
    }
    let work_dir = options.build_dir.join(backend.name());
    std::fs::create_dir_all(&work_dir)
        .context(|| format!("creating build dir {}", work_dir.display()))?;
    let _lock = lock(options.build_dir)?;
    let env = BuildEnv {
        out_dir: work_dir.join("out"),
        work_dir,
        jobs: std::thread::available_parallelism().map_or(1, usize::from),
        verbose: options.verbose,
    };

    let snapshot = Snapshot::new(backend.name(), backend.fingerprint(), env.jobs, graph);
    let snapshot_path = env.work_dir.join("snapshot.json");
    let build_file = env.work_dir.join(backend.build_file());
    if snapshot.matches(&snapshot_path) && build_file.is_file() {
        if env.verbose {
            eprintln!("zlig: {} is up to date", build_file.display());
        }
    } else {
        backend.write(&env, graph)?;
        snapshot.store(&snapshot_path)?;
    }

    let sources: usize = graph.extensions.iter().map(|e| e.sources.len()).sum();
    eprintln!(
        "zlig: compiling {} extension{} ({sources} source file{}) with {} {} for {}",
        graph.extensions.len(),
        plural(graph.extensions.len()),
        plural(sources),
        backend.name(),
        backend.version().unwrap_or_default(),
        graph.target.zig_triple
    );
    let warmups = backend.warmups(graph);
    for warmup in &warmups {
        eprintln!("zlig: {}", warmup.message);
    }
    let skipped = match backend.run(&env, graph, None) {
        Ok(()) => Vec::new(),
        Err(err) if graph.extensions.iter().any(|e| e.optional) => {
            build_separately(backend, &env, graph, err)?
        }
        Err(err) => return Err(err),
    };
    warmup::paid(&warmups);

    let artifacts = graph
        .extensions
        .iter()
        .filter(|ext| !skipped.contains(&ext.name.as_str()))
        .map(|ext| {
            let built = env.out_dir.join(&ext.output);
            if built.is_file() {
                Ok((ext.name.clone(), built))
            } else {
                Err(Error::Compile(format!(
                    "the {} backend reported success but did not produce {}",
                    backend.name(),
                    built.display()
                )))
            }
        })
        .collect::<Result<_>>()?;
    Ok(Build {
        artifacts,
        rebuild: backend
            .rebuild_command(&env, graph)
            .map(|command| Rebuild::from(&command)),
    })
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
        backend
            .run(env, graph, Some(&names))
            .map_err(|_| first_error)?;
    }
    let mut skipped = Vec::new();
    for ext in optional {
        if let Err(err) = backend.run(env, graph, Some(&[ext.name.as_str()])) {
            eprintln!(
                "zlig: warning: the optional extension {} failed to build and is left out of the wheel:\n{err}",
                ext.name
            );
            // A module built earlier must not slip into the wheel in its place.
            let _ = std::fs::remove_file(env.out_dir.join(&ext.output));
            skipped.push(ext.name.as_str());
        }
    }
    Ok(skipped)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Takes the build dir's lock, so that concurrent builds of one project wait in turn.
fn lock(build_dir: &Path) -> Result<File> {
    let path = build_dir.join(".lock");
    let file = File::create(&path).context(|| format!("creating {}", path.display()))?;
    file.lock()
        .context(|| format!("locking {}", path.display()))?;
    Ok(file)
}

/// What the build file generators' tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::PathBuf;

    use crate::compile::graph::{BuildGraph, Extension, Language, LinkInput, Macro};
    use crate::project::settings::Optimize;
    use crate::target::{Target, tests::cpython311};

    /// A graph of one C extension, `demo._speedups`, of `sources` under the root `/p`.
    pub fn sample_graph(sources: &[&str]) -> BuildGraph {
        BuildGraph {
            root: "/p".into(),
            target: Target::resolve(&cpython311(), None).unwrap(),
            optimize: Optimize::ReleaseFast,
            strip: true,
            extensions: vec![Extension {
                name: "demo._speedups".into(),
                leaf: "_speedups".into(),
                output: "demo/_speedups.cpython-311-x86_64-linux-gnu.so".into(),
                language: Language::C,
                sources: sources.iter().map(PathBuf::from).collect(),
                include_dirs: vec!["/p/include".into()],
                macros: vec![Macro {
                    name: "VERSION".into(),
                    value: Some("\"1.2\"".into()),
                }],
                undef_macros: vec!["NDEBUG".into()],
                compile_args: vec![],
                link: vec![LinkInput::Library("m".into())],
                depends: vec![],
                limited_api: None,
                optional: false,
            }],
        }
    }

    /// Compares `actual` with `src/compile/snapshots/<name>`; `UPDATE_SNAPSHOTS=1 cargo test`
    /// rewrites the file instead (review it in the diff).
    pub fn assert_snapshot(name: &str, actual: &str) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("src/compile/snapshots")
            .join(name);
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, actual).unwrap();
        }
        assert_eq!(actual, std::fs::read_to_string(&path).unwrap());
    }
}
