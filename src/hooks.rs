//! The PEP 517 hooks as plain Rust functions: load the project, build what is asked, write
//! the distribution. `lib.rs` only converts Python values into a `Request` and back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::audit;
use crate::build::backend::{self, Backend};
use crate::build::graph::{BuildGraph, EnvFlags};
use crate::build::toolchain::{ZIGLANG_REQUIREMENT, ZigCandidates};
use crate::build::zig::ZigBackend;
use crate::build::{Artifacts, CompileOptions, compile};
use crate::dist::contents::{sdist_files, wheel_files};
use crate::dist::sdist::write_sdist;
use crate::dist::wheel::{WheelTag, read_prepared_metadata, write_metadata_dir, write_wheel};
use crate::dist::writer::Timestamp;
use crate::error::Result;
use crate::project::Project;
use crate::target::{Interpreter, Target};

/// What every hook receives from the Python side.
#[derive(Debug, Clone, Deserialize)]
pub struct Request {
    /// The project root (the frontend's working directory).
    pub project_dir: PathBuf,
    pub interpreter: Interpreter,
    /// `config_settings`, every value as a list (a key given twice keeps both values).
    #[serde(default)]
    pub config_settings: BTreeMap<String, Vec<String>>,
    /// The `zig` of the `ziglang` package in the running environment, if installed.
    pub ziglang: Option<PathBuf>,
}

impl Request {
    fn project(&self) -> Result<Project> {
        Project::load(&self.project_dir, &self.config_settings)
    }

    fn backends(&self) -> Vec<Box<dyn Backend>> {
        let zig = ZigCandidates::from_env(self.ziglang.clone()).find();
        vec![Box::new(ZigBackend::new(zig))]
    }
}

/// `get_requires_for_build_wheel`: `ziglang` only when there are extensions and no usable
/// compiler was found.
pub fn requires_for_build_wheel(request: &Request) -> Result<Vec<String>> {
    let project = request.project()?;
    if !project.has_extensions() || request.backends().iter().any(|b| b.version().is_ok()) {
        return Ok(Vec::new());
    }
    Ok(vec![ZIGLANG_REQUIREMENT.to_string()])
}

/// `build_wheel`: compiles the extensions and writes the wheel; returns its file name.
pub fn build_wheel(
    request: &Request,
    wheel_dir: &Path,
    metadata_dir: Option<&Path>,
) -> Result<String> {
    let project = request.project()?;
    let timestamp = Timestamp::from_env()?;
    let metadata = match metadata_dir {
        Some(dir) => read_prepared_metadata(dir)?,
        None => project.metadata.render(),
    };
    if !project.has_extensions() {
        let files = wheel_files(&project, &[], &Artifacts::new())?;
        return write_wheel(
            &project,
            &files,
            &WheelTag::pure(),
            &metadata,
            wheel_dir,
            timestamp,
        );
    }
    let target = Target::resolve(&request.interpreter, project.settings.target.as_ref())?;
    let graph = BuildGraph::resolve(&project, &target, &EnvFlags::from_env()?)?;
    let backend = backend::select(request.backends(), project.settings.backend.as_ref())?;
    let build_dir = project
        .settings
        .build_dir(&project.root, &target.build_dir_name());
    let artifacts = compile(
        &graph,
        backend.as_ref(),
        &CompileOptions {
            build_dir: &build_dir,
            verbose: project.settings.verbose,
        },
    )?;
    let files = wheel_files(&project, &graph.extensions, &artifacts)?;
    let modules = graph
        .extensions
        .iter()
        .filter_map(|ext| Some((ext.name.as_str(), artifacts.get(&ext.name)?.as_path())));
    let audit = audit::audit(modules, &target)?;
    if let Some(why) = &audit.downgraded {
        eprintln!("zlig: warning: {why}");
    }
    let tag = WheelTag::binary(&target, &graph, audit.platforms);
    write_wheel(&project, &files, &tag, &metadata, wheel_dir, timestamp)
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
