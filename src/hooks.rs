//! The PEP 517 hooks as plain Rust functions: load the project, build what is asked, write
//! the distribution. `lib.rs` only converts Python values into a `Request` and back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::Deserialize;

use crate::audit;
use crate::compile::backend::{self, Backend};
use crate::compile::build_details;
use crate::compile::build_dir::{self, BuildDir};
use crate::compile::cython::{self, CythonCandidates};
use crate::compile::graph::BuildGraph;
use crate::compile::link_args::EnvFlags;
use crate::compile::ninja::NinjaBackend;
use crate::compile::object_cache::ObjectCache;
use crate::compile::packages::{LookupError, NoInterpreter, PackageLookup};
use crate::compile::target_headers;
use crate::compile::toolchain::{Candidates, NotFound, Zig, find_platform_compiler};
use crate::compile::zig::ZigBackend;
use crate::compile::{Build, compile};
use crate::distribution::contents::{
    Content, WheelFiles, check_import_names, sdist_files, wheel_files,
};
use crate::distribution::sbom::{self, LibcNeeded, Linked, ZigRuntime};
use crate::distribution::sdist::write_sdist;
use crate::distribution::wheel::{prepared_metadata, write_metadata_dir, write_wheel};
use crate::distribution::writer::Timestamp;
use crate::distribution::{editable, inplace};
use crate::error::Result;
use crate::project::Project;
use crate::project::files::slash_path;
use crate::project::settings::Settings;
use crate::tags::WheelTag;
use crate::target::{Interpreter, Libc, Target, TargetError};

/// Finds the third-party backends (the `zlig.backends` entry points).
pub type PluginLoader = fn(&Request) -> Result<Vec<Rc<dyn Backend>>>;

/// Asks the running interpreter for `package.attr()`, a package's include folder.
pub type IncludeLookup = fn(&str, &str) -> std::result::Result<PathBuf, LookupError>;

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
    /// The folder of the `Cython` package the running interpreter can import, if any.
    #[serde(default)]
    pub cython: Option<PathBuf>,
    /// The running interpreter's real file (`sys.executable`, links resolved), which runs
    /// Cython.
    #[serde(default)]
    pub python: Option<PathBuf>,
    /// The running interpreter's `sys.path`, where Cython looks for `.pxd` files of
    /// installed packages.
    #[serde(default)]
    pub sys_path: Vec<PathBuf>,
    /// Asked only when an extension names a Python package's include folder: importing
    /// the package costs more than a no-op build.
    #[serde(skip)]
    pub include_lookup: Option<IncludeLookup>,
    /// The `ninja` of the `ninja` package in the running environment, if installed.
    #[serde(default)]
    pub ninja: Option<PathBuf>,
    /// Asked only when a build chooses among all backends: looking costs more than a
    /// no-op build.
    #[serde(skip)]
    pub plugins: Option<PluginLoader>,
}

impl Request {
    /// The project, with its `import-names` checked against what its wheel ships.
    fn project(&self) -> Result<Project> {
        let project = Project::load(&self.project_dir, &self.config_settings)?;
        check_import_names(&project)?;
        Ok(project)
    }

    /// The backends to choose from, each with the tools found for it: the built-in ones,
    /// and the third-party ones unless a built-in one is `requested`.
    fn backends(&self, settings: &Settings) -> Result<Vec<Rc<dyn Backend>>> {
        let requested = settings.backend.as_ref();
        let reuse = settings.reuse_tools;
        let verbose = settings.verbose;
        let zig = self.zig(settings);
        let ninja = Candidates::from_env("ninja", self.ninja.clone(), reuse, verbose).find_ninja();
        let cache = settings
            .object_cache
            .then(|| ObjectCache::open(&self.interpreter))
            .flatten();
        let mut backends: Vec<Rc<dyn Backend>> = vec![
            Rc::new(NinjaBackend::zig(ninja.clone(), zig.clone(), cache.clone())),
            Rc::new(ZigBackend::new(zig)),
            Rc::new(NinjaBackend::platform(
                ninja,
                find_platform_compiler(),
                cache,
            )),
        ];
        let built_in =
            requested.is_some_and(|name| backends.iter().any(|b| b.name() == name.value));
        if !built_in && let Some(load) = self.plugins {
            backends.extend(load(self)?);
        }
        Ok(backends)
    }

    /// The zig the built-in backends run.
    fn zig(&self, settings: &Settings) -> std::result::Result<Zig, NotFound> {
        Candidates::from_env(
            "zig",
            self.ziglang.clone(),
            settings.reuse_tools,
            settings.verbose,
        )
        .find_zig()
    }

    /// The project's target and its resolved graph.
    fn graph(&self, project: &Project) -> Result<(Target, BuildGraph)> {
        let located = project.settings.target.as_ref();
        let target = Target::resolve(&self.interpreter, located.map(|t| &t.value)).map_err(
            |err| match (&err, located) {
                // A refused target is the user's setting: point at it.
                (TargetError::Unproven { .. }, Some(setting)) => setting.error(err),
                _ => err.into(),
            },
        )?;
        let env = match EnvFlags::from_env()? {
            // The environment's flags are for this machine's compiler (its include and
            // library dirs, its CPU): a cross build leaves them out, and says so.
            flags if !target.native && flags != EnvFlags::default() => {
                eprintln!(
                    "zlig: note: CPPFLAGS, CFLAGS and LDFLAGS are for this machine's compiler: a build for {} does not use them",
                    target.zig_triple
                );
                EnvFlags::default()
            }
            flags => {
                if let (_, Some(note)) = flags.link_inputs(&project.root) {
                    eprintln!("zlig: note: {note}");
                }
                flags
            }
        };
        let lookup: &dyn PackageLookup = match &self.include_lookup {
            Some(lookup) => lookup,
            None => &NoInterpreter,
        };
        let graph = BuildGraph::resolve(project, &target, &env, lookup)?;
        Ok((target, graph))
    }

    /// What the running interpreter offers to run Cython.
    fn cython(&self) -> CythonCandidates {
        CythonCandidates {
            running: self.cython.clone(),
            python: self.python.clone(),
            sys_path: self.sys_path.clone(),
            ext_suffix: self.interpreter.ext_suffix.clone(),
        }
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
    let mut requires =
        backend::requirements(request.backends(&project.settings)?, requested, &graph)?;
    let cython = &project.settings.cython.requires;
    if graph.has_cython() && !request.cython().has(cython) {
        requires.push(cython.value.text.clone());
    }
    Ok(requires)
}

/// A project with its extensions compiled, the build dir still locked.
struct Compiled {
    target: Target,
    graph: BuildGraph,
    backend: Rc<dyn Backend>,
    build: Build,
}

impl Compiled {
    /// zlig's SBOM of the wheel's modules (PEP 770): what it linked into them that is not
    /// the project's source.
    fn sbom(&self, project: &Project) -> Result<String> {
        let built = &self.build.artifacts;
        let modules = self
            .graph
            .extensions
            .iter()
            .filter(|ext| built.contains_key(&ext.name))
            .map(|ext| (slash_path(&ext.output), ext.language))
            .collect();
        let zig = self.backend.zig();
        let libc = match self.target.libc {
            Libc::Gnu { .. } => {
                audit::glibc_needed(built.values().map(PathBuf::as_path))?.map(LibcNeeded::Glibc)
            }
            Libc::Musl => Some(LibcNeeded::Musl(
                zig.and_then(|z| sbom::zig_musl_version(&z.lib_dir()))
                    .unwrap_or_else(|| "1.2".into()),
            )),
        };
        let linked = Linked {
            modules,
            zig: zig.map(|z| ZigRuntime::of(&z.version, &z.lib_dir())),
            libc,
        };
        Ok(sbom::cyclonedx(&project.metadata, &linked))
    }

    /// The wheel's files, and its tag from the ELF audit.
    fn wheel_contents(&self, project: &Project) -> Result<(WheelFiles, WheelTag)> {
        let files = wheel_files(project, &self.graph.extensions, &self.build.artifacts)?;
        let entries = files.entries();
        let on_disk = entries.iter().filter_map(|e| match &e.content {
            Content::File(path) => Some((e.path.as_str(), path.as_path())),
            Content::Generated(_) => None,
        });
        let audit = audit::audit(on_disk, &self.target)?;
        if let Some(why) = &audit.downgraded {
            eprintln!("zlig: warning: {why}");
        }
        Ok((
            files,
            WheelTag::binary(&self.target, &self.graph, audit.platforms),
        ))
    }
}

/// Loads the project and compiles its extensions into the build dir (`None` when it has
/// none).
fn compile_project(request: &Request) -> Result<(Project, Option<Compiled>)> {
    let project = request.project()?;
    if !project.has_extensions() {
        return Ok((project, None));
    }
    let (mut target, mut graph) = request.graph(&project)?;
    // Cython is looked for after the backend, so that a build lacking both says so at once.
    let cython = graph
        .has_cython()
        .then(|| request.cython().find(&project.settings.cython.requires));
    let lacking: Vec<String> = match &cython {
        Some(Err(_)) => vec![project.settings.cython.requires.value.text.clone()],
        _ => Vec::new(),
    };
    let requested = project.settings.backend.as_ref();
    let backends = request.backends(&project.settings)?;
    let backend = backend::select(backends, requested, &graph, &lacking)?;
    if let Some(found) = cython {
        let tool = found?;
        cython::check_directives(&project, &tool)?;
        graph.cython = Some(tool);
    }
    let build_dir = BuildDir::new(project.build_dir(&target.build_dir_name()));
    let found;
    let zig = match backend.zig() {
        Some(zig) => Some(zig),
        None if target.native => None,
        None => {
            found = request.zig(&project.settings).ok();
            found.as_ref()
        }
    };
    let settings = &project.settings;
    let given = match (&settings.build_details, &settings.python_include) {
        (Some(file), Some(_)) => {
            return Err(file.error(
                "give the target interpreter's headers one way: `build-details` or `python-include`, not both",
            ));
        }
        (Some(file), None) => Some(build_details::headers(file, &target)?),
        (None, dir) => dir.clone(),
    };
    target.include_dir = target_headers::include_dir(
        &target,
        &request.interpreter.triplet(),
        zig,
        given.as_ref(),
        build_dir.path(),
    )?;
    graph.target.include_dir = target.include_dir.clone();
    let build = compile(
        &graph,
        backend.as_ref(),
        &build_dir,
        project.settings.verbose,
    )?;
    Ok((
        project,
        Some(Compiled {
            target,
            graph,
            backend,
            build,
        }),
    ))
}

/// The METADATA to write: verbatim from the frontend's metadata dir when it gave one (PEP
/// 517 requires the wheel to carry exactly that), which must still be the project's.
fn metadata_text(project: &Project, metadata_dir: Option<&Path>) -> Result<String> {
    match metadata_dir {
        Some(dir) => prepared_metadata(project, dir),
        None => Ok(crate::distribution::core_metadata::render(
            &project.metadata,
        )),
    }
}

/// Which wheel a wheel hook writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WheelKind {
    /// `build_wheel`: the packages and the built modules.
    Regular,
    /// `build_editable` (PEP 660): a wheel that points at the sources and rebuilds on
    /// import. Its metadata is the project's: the import hook runs the backend's own
    /// command, so nothing is added to the requirements.
    Editable,
}

/// `build_wheel` and `build_editable`: compiles the extensions and writes the wheel;
/// returns its file name.
pub fn build_wheel(
    request: &Request,
    wheel_dir: &Path,
    metadata_dir: Option<&Path>,
    kind: WheelKind,
) -> Result<String> {
    let timestamp = Timestamp::from_env()?;
    let (project, compiled) = compile_project(request)?;
    let metadata = metadata_text(&project, metadata_dir)?;
    let (files, tag) = match &compiled {
        Some(compiled) => compiled.wheel_contents(&project)?,
        None => (
            wheel_files(&project, &[], &Default::default())?,
            WheelTag::pure(),
        ),
    };
    let files = match (&compiled, kind) {
        (_, WheelKind::Regular) => files.entries(),
        (Some(compiled), WheelKind::Editable) => {
            let programs = compiled.backend.programs();
            let cython = compiled.graph.cython.iter();
            let tools: Vec<&Path> = programs
                .iter()
                .map(PathBuf::as_path)
                .chain(cython.flat_map(|c| [c.python.as_path(), c.package.as_path()]))
                .collect();
            let rebuild = editable::checked_rebuild(
                compiled.build.rebuild.as_ref(),
                project.settings.editable_rebuild,
                compiled.backend.name(),
                &tools,
            )?;
            let (extensions, built) = (&compiled.graph.extensions, &compiled.build.artifacts);
            editable::files(&project, &files, extensions, built, rebuild)?
        }
        (None, WheelKind::Editable) => {
            editable::files(&project, &files, &[], &Default::default(), None)?
        }
    };
    let sbom = match (&compiled, kind) {
        (Some(compiled), WheelKind::Regular) => Some(compiled.sbom(&project)?),
        _ => None,
    };
    let filename = write_wheel(
        &project,
        &files,
        tag,
        &metadata,
        sbom.as_deref(),
        wheel_dir,
        timestamp,
    )?;
    // Last, so that it ends what a frontend shows of the build.
    if let Some(compiled) = &compiled {
        eprintln!("zlig: {}; wrote {filename}", compiled.build.summary);
    }
    Ok(filename.to_string())
}

/// Builds the extensions and copies them next to their sources; returns the files written.
pub fn build_inplace(request: &Request) -> Result<Vec<PathBuf>> {
    let (project, Some(compiled)) = compile_project(request)? else {
        return Ok(Vec::new());
    };
    let written = inplace::copy_modules(
        &project,
        &compiled.graph.extensions,
        &compiled.build.artifacts,
        &BuildDir::new(project.build_dir(&compiled.target.build_dir_name())),
    )?;
    eprintln!(
        "zlig: {}; copied {} module{} next to {}",
        compiled.build.summary,
        written.len(),
        if written.len() == 1 { "" } else { "s" },
        if written.len() == 1 {
            "its source"
        } else {
            "their sources"
        }
    );
    Ok(written)
}

/// Removes the project's build dirs (only those zlig made); returns them.
pub fn clean(request: &Request) -> Result<Vec<PathBuf>> {
    build_dir::clean(&request.project()?)
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
