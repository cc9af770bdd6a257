//! The PEP 517 hooks as plain Rust functions: load the project, build what is asked, write
//! the distribution. `lib.rs` only converts Python values into a `Request` and back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::Deserialize;

use crate::audit;
use crate::compile::backend::{self, Backend};
use crate::compile::graph::{BuildGraph, EnvFlags};
use crate::compile::ninja::NinjaBackend;
use crate::compile::toolchain::{ZigCandidates, find_ninja, find_platform_compiler};
use crate::compile::zig::ZigBackend;
use crate::compile::{Artifacts, CompileOptions, Rebuild, compile};
use crate::distribution::contents::{Content, Entry, sdist_files, wheel_files};
use crate::distribution::editable;
use crate::distribution::sdist::write_sdist;
use crate::distribution::wheel::{read_prepared_metadata, write_metadata_dir, write_wheel};
use crate::distribution::writer::Timestamp;
use crate::error::{IoContext, Result};
use crate::project::Project;
use crate::project::toml::Located;
use crate::tags::WheelTag;
use crate::target::{Interpreter, Target};

/// Finds the third-party backends (the `zlig.backends` entry points).
pub type PluginLoader = fn(&Request) -> Result<Vec<Rc<dyn Backend>>>;

/// What every hook receives from the Python side.
#[derive(Deserialize)]
pub struct Request {
    /// The project root (the frontend's working directory).
    pub project_dir: PathBuf,
    pub interpreter: Interpreter,
    /// `config_settings`, every value as a list (a key given twice keeps both values).
    #[serde(default)]
    pub config_settings: BTreeMap<String, Vec<String>>,
    /// The `zig` of the `ziglang` package in the running environment, if installed.
    pub ziglang: Option<PathBuf>,
    /// Asked only when a build chooses among all backends: looking costs more than a
    /// no-op build.
    #[serde(skip)]
    pub plugins: Option<PluginLoader>,
}

impl Request {
    fn project(&self) -> Result<Project> {
        Project::load(&self.project_dir, &self.config_settings)
    }

    /// The backends to choose from, each with the tools found for it: the built-in ones,
    /// and the third-party ones unless a built-in one is `requested`.
    fn backends(&self, requested: Option<&Located<String>>) -> Result<Vec<Rc<dyn Backend>>> {
        let zig = ZigCandidates::from_env(self.ziglang.clone()).find();
        let ninja = find_ninja();
        let mut backends: Vec<Rc<dyn Backend>> = vec![
            Rc::new(NinjaBackend::zig(ninja.clone(), zig.clone())),
            Rc::new(ZigBackend::new(zig)),
            Rc::new(NinjaBackend::platform(ninja, find_platform_compiler())),
        ];
        let built_in =
            requested.is_some_and(|name| backends.iter().any(|b| b.name() == name.value));
        if !built_in && let Some(load) = self.plugins {
            backends.extend(load(self)?);
        }
        Ok(backends)
    }

    /// The project's target and its resolved graph.
    fn graph(&self, project: &Project) -> Result<(Target, BuildGraph)> {
        let target = Target::resolve(&self.interpreter, project.settings.target.as_ref())?;
        let graph = BuildGraph::resolve(project, &target, &EnvFlags::from_env()?)?;
        Ok((target, graph))
    }
}

/// `get_requires_for_build_wheel`: nothing for a pure-Python project or when a usable
/// backend is there; else what the chosen backend lacks (`ziglang`, `ninja`).
pub fn requires_for_build_wheel(request: &Request) -> Result<Vec<String>> {
    let project = request.project()?;
    if !project.has_extensions() {
        return Ok(Vec::new());
    }
    let (_, graph) = request.graph(&project)?;
    let requested = project.settings.backend.as_ref();
    backend::requirements(request.backends(requested)?, requested, &graph)
}

/// A project's target and graph, and the backend chosen to build it.
struct Selected {
    target: Target,
    graph: BuildGraph,
    backend: Rc<dyn Backend>,
}

/// A project with its extensions compiled.
struct Compiled {
    selected: Selected,
    artifacts: Artifacts,
    rebuild: Option<Rebuild>,
}

impl Compiled {
    /// The wheel tag, from the ELF audit of the wheel's files.
    fn wheel_tag(&self, files: &[Entry]) -> Result<WheelTag> {
        let Selected { target, graph, .. } = &self.selected;
        let on_disk = files.iter().filter_map(|e| match &e.content {
            Content::File(path) => Some((e.path.as_str(), path.as_path())),
            Content::Generated(_) => None,
        });
        let audit = audit::audit(on_disk, target)?;
        if let Some(why) = &audit.downgraded {
            eprintln!("zlig: warning: {why}");
        }
        Ok(WheelTag::binary(target, graph, audit.platforms))
    }
}

/// Resolves the project's extensions and picks the backend (`None` when it has none).
fn select_backend(request: &Request, project: &Project) -> Result<Option<Selected>> {
    if !project.has_extensions() {
        return Ok(None);
    }
    let (target, graph) = request.graph(project)?;
    let requested = project.settings.backend.as_ref();
    let backend = backend::select(request.backends(requested)?, requested, &graph)?;
    Ok(Some(Selected {
        target,
        graph,
        backend,
    }))
}

/// Loads the project and compiles its extensions into the build dir (`None` when it has none).
fn compile_project(request: &Request) -> Result<(Project, Option<Compiled>)> {
    let project = request.project()?;
    let Some(selected) = select_backend(request, &project)? else {
        return Ok((project, None));
    };
    let settings = &project.settings;
    let build_dir = settings.build_dir(&project.root, &selected.target.build_dir_name());
    let build = compile(
        &selected.graph,
        selected.backend.as_ref(),
        &CompileOptions {
            build_dir: &build_dir,
            verbose: settings.verbose,
        },
    )?;
    Ok((
        project,
        Some(Compiled {
            selected,
            artifacts: build.artifacts,
            rebuild: build.rebuild,
        }),
    ))
}

/// The wheel's package files and its tag: pure, or from the audit of the built modules.
fn wheel_contents(
    project: &Project,
    compiled: Option<&Compiled>,
) -> Result<(Vec<Entry>, WheelTag)> {
    let Some(compiled) = compiled else {
        return Ok((
            wheel_files(project, &[], &Artifacts::new())?,
            WheelTag::pure(),
        ));
    };
    let files = wheel_files(
        project,
        &compiled.selected.graph.extensions,
        &compiled.artifacts,
    )?;
    let tag = compiled.wheel_tag(&files)?;
    Ok((files, tag))
}

/// The METADATA to write: verbatim from the frontend's metadata dir when it gave one (PEP
/// 517 requires the wheel to carry exactly that), else rendered.
fn metadata_text(project: &Project, metadata_dir: Option<&Path>) -> Result<String> {
    match metadata_dir {
        Some(dir) => read_prepared_metadata(dir),
        None => Ok(project.metadata.render()),
    }
}

/// `build_wheel`: compiles the extensions and writes the wheel; returns its file name.
pub fn build_wheel(
    request: &Request,
    wheel_dir: &Path,
    metadata_dir: Option<&Path>,
) -> Result<String> {
    let timestamp = Timestamp::from_env()?;
    let (project, compiled) = compile_project(request)?;
    let metadata = metadata_text(&project, metadata_dir)?;
    let (files, tag) = wheel_contents(&project, compiled.as_ref())?;
    let filename = write_wheel(&project, &files, tag, &metadata, wheel_dir, timestamp)?;
    Ok(filename.to_string())
}

/// `build_editable` (PEP 660): compiles the extensions into the build dir and writes a
/// wheel that points at the sources and rebuilds on import. Its metadata is the project's:
/// the import hook runs the backend's own command, so nothing is added to the requirements.
pub fn build_editable(
    request: &Request,
    wheel_dir: &Path,
    metadata_dir: Option<&Path>,
) -> Result<String> {
    let timestamp = Timestamp::from_env()?;
    let (project, compiled) = compile_project(request)?;
    let metadata = metadata_text(&project, metadata_dir)?;
    let (_, tag) = wheel_contents(&project, compiled.as_ref())?;
    let (modules, rebuild) = match compiled {
        Some(compiled) => (compiled.artifacts, compiled.rebuild),
        None => (Artifacts::new(), None),
    };
    let rebuild = rebuild.filter(|_| project.settings.editable_rebuild);
    let files = editable::files(&project, &modules, rebuild.as_ref());
    let filename = write_wheel(&project, &files, tag, &metadata, wheel_dir, timestamp)?;
    Ok(filename.to_string())
}

/// Builds the extensions and copies them next to their sources; returns the files written.
pub fn build_inplace(request: &Request) -> Result<Vec<PathBuf>> {
    let (project, Some(compiled)) = compile_project(request)? else {
        return Ok(Vec::new());
    };
    let mut written = Vec::new();
    for ext in &compiled.selected.graph.extensions {
        let Some(built) = compiled.artifacts.get(&ext.name) else {
            continue;
        };
        let target = project
            .root
            .join(&project.layout.python_source)
            .join(&ext.output);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).context(|| format!("creating {}", parent.display()))?;
        }
        // Copy to a temporary name and rename, so a running interpreter never maps a
        // half-written module.
        let temp = target.with_extension("so.zlig-tmp");
        std::fs::copy(built, &temp)
            .context(|| format!("copying {} to {}", built.display(), temp.display()))?;
        std::fs::rename(&temp, &target)
            .context(|| format!("moving {} into place", target.display()))?;
        written.push(target);
    }
    Ok(written)
}

/// Removes the project's build dir; returns it if it existed.
pub fn clean(request: &Request) -> Result<Option<PathBuf>> {
    let project = request.project()?;
    let dir = match &project.settings.build_dir {
        Some(_) => project.settings.build_dir(&project.root, ""),
        None => project.root.join("build").join("zlig"),
    };
    if !dir.exists() {
        return Ok(None);
    }
    std::fs::remove_dir_all(&dir).context(|| format!("removing {}", dir.display()))?;
    Ok(Some(dir))
}

/// `build_sdist`: writes the source distribution; returns its file name. Never compiles.
pub fn build_sdist(request: &Request, sdist_dir: &Path) -> Result<String> {
    let project = request.project()?;
    let files = sdist_files(&project)?;
    write_sdist(&project, &files, sdist_dir, Timestamp::from_env()?)
}

/// `prepare_metadata_for_build_wheel`: writes the `.dist-info` folder; returns its name.
pub fn prepare_metadata(request: &Request, metadata_dir: &Path) -> Result<String> {
    write_metadata_dir(&request.project()?, metadata_dir)
}
