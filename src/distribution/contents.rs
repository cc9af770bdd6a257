//! What goes into each distribution, computed once: the wheel's package files plus built
//! modules minus extension sources and excludes; the sdist's sources, headers, readme,
//! licenses and includes minus excludes.
//!
//! Walks are sorted and skip `__pycache__`, compiled bytecode, dot-files, and the build dir.
//! Symlinks are followed within the project (the files they point to are archived as files);
//! one that leads outside the project is an error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::compile::Artifacts;
use crate::compile::graph::Extension;
use crate::distribution::DistributionError;
use crate::error::{IoContext, Result};
use crate::project::Project;
use crate::project::discovery::ModuleKind;
use crate::project::files::{Pattern, check_inside, slash_path};

/// One file of a distribution: where it goes and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// The `/`-separated path inside the archive.
    pub path: String,
    pub content: Content,
    pub executable: bool,
}

/// Where an entry's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Content {
    /// A file on disk.
    File(PathBuf),
    /// Text zlig generated, such as an editable install's `.pth` file.
    Generated(Vec<u8>),
}

impl Entry {
    /// The entry's bytes.
    pub fn bytes(&self) -> Result<Vec<u8>> {
        match &self.content {
            Content::File(path) => {
                std::fs::read(path).context(|| format!("reading {}", path.display()))
            }
            Content::Generated(bytes) => Ok(bytes.clone()),
        }
    }
}

/// Header suffixes shipped in the sdist from `include-dirs`.
const HEADER_SUFFIXES: &[&str] = &[
    "h", "hh", "hpp", "hxx", "h++", "inc", "inl", "ipp", "tcc", "def",
];

/// Extension-module suffixes that an in-place build leaves beside the sources.
const MODULE_SUFFIXES: &[&str] = &[".so", ".pyd", ".dylib"];

/// The files of the wheel, sorted by archive path (dist-info not included).
pub fn wheel_files(
    project: &Project,
    extensions: &[Extension],
    artifacts: &Artifacts,
) -> Result<Vec<Entry>> {
    let root = &project.root;
    let compiled_inputs: BTreeSet<&PathBuf> = extensions
        .iter()
        .flat_map(|e| e.sources.iter().chain(&e.depends))
        .collect();
    let excluded = |relative: &Path| {
        compiled_inputs.contains(&relative.to_path_buf())
            || project
                .settings
                .wheel_exclude
                .iter()
                .any(|p| p.value.matches(relative))
            || is_inplace_module(relative, extensions)
    };
    let mut files = BTreeMap::new();
    for top in &project.layout.top_level {
        for relative in package_files(project, &top.path, &top.kind)? {
            if excluded(&relative) {
                continue;
            }
            let in_wheel = relative
                .strip_prefix(&project.layout.python_source)
                .unwrap_or(&relative);
            files.insert(slash_path(in_wheel), root.join(&relative));
        }
    }
    let mut entries: Vec<Entry> = files
        .into_iter()
        .map(|(path, source)| Entry {
            executable: is_executable(&source),
            path,
            content: Content::File(source),
        })
        .collect();
    for ext in extensions {
        let Some(built) = artifacts.get(&ext.name) else {
            continue;
        };
        let path = slash_path(&ext.output);
        if entries.iter().any(|e| e.path == path) {
            return Err(DistributionError::ModuleReplacesFile(path).into());
        }
        entries.push(Entry {
            path,
            content: Content::File(built.clone()),
            executable: true,
        });
    }
    entries.sort();
    Ok(entries)
}

/// The files of the sdist, as project-relative paths, sorted (`PKG-INFO` not included).
pub fn sdist_files(project: &Project) -> Result<Vec<Entry>> {
    let root = &project.root;
    let mut files: BTreeSet<PathBuf> = BTreeSet::new();
    files.insert(PathBuf::from("pyproject.toml"));
    if let Some(readme) = project
        .metadata
        .readme
        .as_ref()
        .and_then(|r| r.file.clone())
    {
        files.insert(readme);
    }
    files.extend(project.metadata.license_files.iter().cloned());
    if let Some(version) = &project.settings.version {
        // Checked when the metadata was read: a file inside the project.
        files.insert(PathBuf::from(version.path.value.trim_start_matches("./")));
    }
    for top in &project.layout.top_level {
        files.extend(package_files(project, &top.path, &top.kind)?);
    }
    for lists in project
        .settings
        .extensions
        .iter()
        .flat_map(|e| e.all_lists())
    {
        for glob in lists.sources.iter().chain(&lists.depends) {
            files.extend(glob.expand(root)?);
        }
        for dir in &lists.include_dirs {
            let headers = Pattern::new(&format!("{}/**/*", dir.value.trim_end_matches('/')))
                .map_err(|err| dir.error(err))?;
            files.extend(
                headers
                    .files(root)
                    .map_err(|why| dir.error(why))?
                    .into_iter()
                    .filter(|f| has_suffix(f, HEADER_SUFFIXES) && !is_skipped(project, f)),
            );
        }
    }
    for include in &project.settings.sdist_include {
        let matched = include.expand(root)?;
        files.extend(matched.into_iter().filter(|f| !is_skipped(project, f)));
    }
    Ok(files
        .into_iter()
        .filter(|f| {
            !project
                .settings
                .sdist_exclude
                .iter()
                .any(|p| p.value.matches(f))
        })
        .map(|relative| Entry {
            path: slash_path(&relative),
            executable: is_executable(&root.join(&relative)),
            content: Content::File(root.join(relative)),
        })
        .collect())
}

/// The project-relative files of one top-level package or module.
fn package_files(project: &Project, path: &Path, kind: &ModuleKind) -> Result<Vec<PathBuf>> {
    let outside = |problem| DistributionError::PackageFiles {
        package: path.to_path_buf(),
        problem,
    };
    match kind {
        ModuleKind::Module => {
            check_inside(&project.root, path).map_err(outside)?;
            Ok(vec![path.to_path_buf()])
        }
        ModuleKind::Extension => Ok(Vec::new()),
        ModuleKind::Package | ModuleKind::ExtensionWithStubs => {
            let everything =
                Pattern::new(&format!("{}/**/*", slash_path(path))).map_err(outside)?;
            Ok(everything
                .files(&project.root)
                .map_err(outside)?
                .into_iter()
                .filter(|relative| {
                    let below = relative.strip_prefix(path).unwrap_or(relative);
                    !below.iter().any(|part| is_junk(&part.to_string_lossy()))
                })
                .filter(|relative| !is_skipped(project, relative))
                .collect())
        }
    }
}

/// Names never shipped: bytecode caches, compiled bytecode and dot-files.
fn is_junk(name: &str) -> bool {
    name == "__pycache__"
        || name.starts_with('.')
        || name.ends_with(".pyc")
        || name.ends_with(".pyo")
}

/// Whether a project-relative path is inside the build dir.
fn is_skipped(project: &Project, relative: &Path) -> bool {
    project.root.join(relative).starts_with(&project.build_base)
}

/// A module an in-place build left beside its sources (`demo/_speedups.cpython-311-….so`).
fn is_inplace_module(relative: &Path, extensions: &[Extension]) -> bool {
    let Some(name) = relative.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if !MODULE_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return false;
    }
    let stem = name.split('.').next().unwrap_or(name);
    extensions.iter().any(|ext| ext.leaf == stem)
}

fn has_suffix(path: &Path, suffixes: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| suffixes.contains(&e))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}
