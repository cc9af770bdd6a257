//! The project as the user declared it: `pyproject.toml` read, validated and resolved.
//!
//! `Project::load` is the only entry: it parses the file once, reads `[project]` into
//! `Metadata`, `[tool.zlig]` into `Settings` (with `config_settings` applied) and finds the
//! packages. It compiles nothing and writes nothing.

pub mod build_dir;
pub mod cython;
pub mod discovery;
pub mod dynamic;
pub mod extension;
pub mod files;
pub mod given;
pub mod metadata;
pub mod names;
pub mod settings;
pub mod text;
pub mod toml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{IoContext, Result};
use discovery::Layout;
use metadata::Metadata;
use settings::Settings;
use toml::Located;

/// Why there is no project to read.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{} has no pyproject.toml; zlig builds projects declared there", .0.display())]
    NoPyproject(PathBuf),
}

/// A loaded, validated project.
#[derive(Debug, Clone)]
pub struct Project {
    /// The absolute project root (the folder holding `pyproject.toml`).
    pub root: PathBuf,
    pub metadata: Metadata,
    pub settings: Settings,
    pub layout: Layout,
    /// Where builds are kept: the `build-dir` setting, or `build/zlig` holding one build
    /// dir per target (checked: never a folder of the project's own files).
    pub build_base: PathBuf,
}

impl Project {
    /// Reads `<root>/pyproject.toml` and applies `config_settings`, then the environment
    /// variables that switch settings off.
    pub fn load(root: &Path, config_settings: &BTreeMap<String, Vec<String>>) -> Result<Self> {
        let root = std::path::absolute(root).context(|| format!("resolving {}", root.display()))?;
        let path = root.join("pyproject.toml");
        if !path.is_file() {
            return Err(ProjectError::NoPyproject(root).into());
        }
        let text =
            std::fs::read_to_string(&path).context(|| format!("reading {}", path.display()))?;
        let mut project = Self::parse(&root, text, config_settings)?;
        project
            .settings
            .apply_environment(|var| std::env::var(var).ok())?;
        Ok(project)
    }

    /// Validates `text` as the `pyproject.toml` of the project at `root` (absolute).
    pub fn parse(
        root: &Path,
        text: String,
        config_settings: &BTreeMap<String, Vec<String>>,
    ) -> Result<Self> {
        let root = root.to_path_buf();
        let file = toml::TomlFile::parse(Path::new("pyproject.toml"), text)?;
        let doc = file.root();

        let tool = doc.table("tool")?;
        let mut settings = Settings::read(tool.as_ref())?;
        settings.apply_config_settings(config_settings)?;

        let project = doc.table("project")?.ok_or_else(|| {
            doc.place
                .error("missing `[project]` table (PEP 621): zlig reads name and version from it")
        })?;
        let name = project
            .string("name")?
            .ok_or_else(|| project.place.error("missing required key `name`"))?;
        let extension_names: Vec<&Located<String>> =
            settings.extensions.iter().map(|e| &e.name).collect();
        // The name is checked before it is used to look for the default package.
        metadata::check_name(&name)?;
        let layout = Layout::discover(
            &root,
            &name,
            settings.python_source.as_ref(),
            settings.packages.as_deref(),
            &extension_names,
        )?;
        let metadata = Metadata::read(
            &project,
            &root,
            || layout.dynamic_source(&root),
            settings.version.as_ref(),
        )?;
        let build_base = build_dir::base(&root, &settings, &layout)?;
        Ok(Self {
            root,
            metadata,
            settings,
            layout,
            build_base,
        })
    }

    /// The build dir for a target (`Target::build_dir_name`): the `build-dir` setting
    /// itself, else its own folder in `build/zlig`.
    pub fn build_dir(&self, target_name: &str) -> PathBuf {
        match self.settings.build_dir {
            Some(_) => self.build_base.clone(),
            None => self.build_base.join(target_name),
        }
    }

    /// Whether the project has extension modules (and so needs a compiler).
    pub fn has_extensions(&self) -> bool {
        !self.settings.extensions.is_empty()
    }
}
