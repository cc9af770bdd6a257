//! What goes into each distribution, computed once: the wheel's package files plus built
//! modules minus extension sources and excludes, plus the files outside the packages
//! (`force-include` at the wheel's root, `data` in its `.data` folder); the sdist's
//! sources, headers, readme, licenses, those same files outside the packages and includes
//! minus excludes.
//!
//! Walks are sorted and skip `__pycache__`, compiled bytecode, dot-files, and the build dir;
//! the sdist's also skip build outputs and what `.gitignore` ignores (`ignored`).
//! Symlinks are followed within the project (the files they point to are archived as files);
//! one that leads outside the project is an error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::compile::Artifacts;
use crate::compile::graph::Extension;
use crate::distribution::DistributionError;
use crate::distribution::ignored::{Ignored, is_build_output};
use crate::error::{IoContext, Result};
use crate::project::Project;
use crate::project::discovery::ModuleKind;
use crate::project::extension::IncludeDir;
use crate::project::files::{Pattern, check_inside, check_name, slash_path};
use crate::project::toml::{Located, Place};

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

/// Suffixes shipped in the sdist from `include-dirs` (C and C++ headers) and Cython's
/// include dirs (Cython reads `.pxd` and `.pxi` files from both).
const HEADER_SUFFIXES: &[&str] = &[
    "h", "hh", "hpp", "hxx", "h++", "inc", "inl", "ipp", "tcc", "def", "pxd", "pxi",
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
    // A project that builds Cython modules ships their API (`.pxd`), not their sources:
    // a `.pyx` is translated, or `include`d into one that is. (A `.py` compiled in
    // pure-Python mode stays, as the fallback.)
    let cython = extensions.iter().any(|e| !e.cython.is_empty());
    let excluded = |relative: &Path| {
        compiled_inputs.contains(&relative.to_path_buf())
            || (cython && relative.extension().is_some_and(|s| s == "pyx"))
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
    add_outside_packages(project, &mut entries, "a file of the packages")?;
    entries.sort();
    Ok(entries)
}

/// Adds the files outside the packages to `entries`; one at a path `entries` has already
/// is an error at the setting that puts it there (`what` says what is there).
pub fn add_outside_packages(project: &Project, entries: &mut Vec<Entry>, what: &str) -> Result<()> {
    for (entry, place) in outside_packages(project)? {
        if entries.iter().any(|e| e.path == entry.path) {
            return Err(place.error(format!(
                "`{}` in the wheel is {what} already; choose another path",
                entry.path
            )));
        }
        entries.push(entry);
    }
    Ok(())
}

/// The files a wheel carries outside its packages, each with the setting that puts it
/// there: `force-include` entries at their paths from the wheel's root, and the files of
/// the `data` folders in `<name>-<version>.data/<scheme>/`.
fn outside_packages(project: &Project) -> Result<Vec<(Entry, Place)>> {
    let root = &project.root;
    let mut entries = Vec::new();
    for include in &project.settings.force_include {
        for (relative, below) in source_files(project, &include.source)? {
            let path = match below.as_os_str().is_empty() {
                true => include.target.value.clone(),
                false => format!("{}/{}", include.target.value, slash_path(&below)),
            };
            entries.push((
                Entry {
                    path,
                    executable: is_executable(&root.join(&relative)),
                    content: Content::File(root.join(relative)),
                },
                include.target.place.clone(),
            ));
        }
    }
    let data = format!("{}.data", project.metadata.dist_stem());
    for scheme in &project.settings.wheel_data {
        let files = source_files(project, &scheme.folder)?;
        if files.iter().any(|(_, below)| below.as_os_str().is_empty()) {
            return Err(scheme.folder.error(format!(
                "expected a folder, whose files the `{}` scheme installs; `{}` is a file",
                scheme.scheme.value, scheme.folder.value
            )));
        }
        for (relative, below) in files {
            let source = root.join(&relative);
            let content = match scheme.scheme.value.as_str() {
                "scripts" => {
                    let bytes = std::fs::read(&source)
                        .context(|| format!("reading {}", source.display()))?;
                    Content::Generated(script_for_wheel(bytes))
                }
                _ => Content::File(source.clone()),
            };
            entries.push((
                Entry {
                    path: format!("{data}/{}/{}", scheme.scheme.value, slash_path(&below)),
                    executable: is_executable(&source),
                    content,
                },
                scheme.folder.place.clone(),
            ));
        }
    }
    Ok(entries)
}

/// The project files a `force-include` key or `data` folder names: the file itself (with an
/// empty path below it), or every file in the folder with its path below the folder; a
/// name that is not there, or leads outside the project, is an error at its place.
fn source_files(project: &Project, source: &Located<String>) -> Result<Vec<(PathBuf, PathBuf)>> {
    let root = &project.root;
    let relative = PathBuf::from(source.value.trim_start_matches("./").trim_end_matches('/'));
    let full = root.join(&relative);
    if full.is_file() {
        check_inside(root, &relative).map_err(|why| source.error(why))?;
        check_name(&relative).map_err(|why| source.error(why))?;
        return Ok(vec![(relative, PathBuf::new())]);
    }
    if !full.is_dir() {
        return Err(source.error(format!("`{}` does not exist", source.value)));
    }
    let everything = Pattern::new(&format!("{}/**/*", slash_path(&relative)))
        .map_err(|why| source.error(why))?;
    let files: Vec<(PathBuf, PathBuf)> = everything
        .files(root)
        .map_err(|why| source.error(why))?
        .into_iter()
        .filter(|file| !is_skipped(project, file))
        .filter_map(|file| {
            let below = file.strip_prefix(&relative).ok()?.to_path_buf();
            let junk = below.iter().any(|part| is_junk(&part.to_string_lossy()));
            (!junk).then_some((file, below))
        })
        .collect();
    if files.is_empty() {
        return Err(source.error(format!("the folder `{}` holds no file", source.value)));
    }
    Ok(files)
}

/// A script as the wheel carries it: a first line that runs Python (`#!/usr/bin/env
/// python3`, `#!/usr/bin/python -u`) becomes `#!python` with its arguments, which the
/// installer rewrites to the environment's own interpreter (binary distribution format,
/// "Recommended installer features"), as setuptools and hatchling do. Other scripts (a
/// shell script) are kept as they are.
fn script_for_wheel(bytes: Vec<u8>) -> Vec<u8> {
    let end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len());
    let first = bytes[..end].strip_suffix(b"\r").unwrap_or(&bytes[..end]);
    let python = regex::bytes::Regex::new(r"^#!.*python[0-9.]*([ \t].*)?$").expect("valid regex");
    let Some(found) = python.captures(first) else {
        return bytes;
    };
    let mut script = b"#!python".to_vec();
    script.extend_from_slice(found.get(1).map_or(&b""[..], |args| args.as_bytes()));
    script.extend_from_slice(&bytes[end..]);
    script
}

/// The files of the sdist, as project-relative paths, sorted (`PKG-INFO` not included).
///
/// Files the configuration names (pyproject.toml, the readme, license files, the version
/// file, extension sources and `depends`, `sbom-files`, a file `force-include` names) go in
/// whatever `.gitignore` says, since the sdist would not build without them; files found by
/// walking a folder (packages, include dirs, `force-include` and `data` folders) go in
/// unless a `.gitignore` of the project ignores them. Neither kind takes build outputs
/// (`*.so`, `*.o`, `__pycache__`…). `sdist.include` brings back anything it names but the
/// build dir; `sdist.exclude` has the last word.
pub fn sdist_files(project: &Project) -> Result<Vec<Entry>> {
    let root = &project.root;
    let ignored = Ignored::new(root);
    let mut named: BTreeSet<PathBuf> = BTreeSet::new();
    let mut walked: BTreeSet<PathBuf> = BTreeSet::new();
    named.insert(PathBuf::from("pyproject.toml"));
    if let Some(readme) = project
        .metadata
        .readme
        .as_ref()
        .and_then(|r| r.file.clone())
    {
        named.insert(readme);
    }
    named.extend(project.metadata.license_files.iter().cloned());
    if let Some(version) = &project.settings.version {
        // Checked when the metadata was read: a file inside the project.
        named.insert(PathBuf::from(version.path.value.trim_start_matches("./")));
    }
    for top in &project.layout.top_level {
        let files = package_files(project, &top.path, &top.kind)?;
        match top.kind {
            ModuleKind::Module => named.extend(files),
            _ => walked.extend(files),
        }
    }
    let settings = &project.settings;
    let outside = settings.force_include.iter().map(|f| &f.source);
    for source in outside.chain(settings.wheel_data.iter().map(|d| &d.folder)) {
        for (file, below) in source_files(project, source)? {
            match below.as_os_str().is_empty() {
                true => named.insert(file),
                false => walked.insert(file),
            };
        }
    }
    for glob in &settings.sbom_files {
        named.extend(glob.expand(root)?);
    }
    let (inputs, headers) = extension_files(project)?;
    named.extend(inputs);
    walked.extend(headers);
    let mut files: BTreeSet<PathBuf> = named
        .into_iter()
        .filter(|f| !is_build_output(f))
        .chain(walked.into_iter().filter(|f| !ignored.ignores(f)))
        .collect();
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

/// The extensions' sources and `depends`; and apart, the headers (`.h`, `.pxd`, `.pxi`…)
/// under their include dirs and Cython's.
fn extension_files(project: &Project) -> Result<(BTreeSet<PathBuf>, BTreeSet<PathBuf>)> {
    let root = &project.root;
    let mut inputs = BTreeSet::new();
    let mut headers = BTreeSet::new();
    let mut include_dirs: Vec<&Located<String>> =
        project.settings.cython.include_dirs.iter().collect();
    for lists in project
        .settings
        .extensions
        .iter()
        .flat_map(|e| e.all_lists())
    {
        for glob in lists.sources.iter().chain(&lists.depends) {
            inputs.extend(glob.expand(root)?);
        }
        include_dirs.extend(lists.include_dirs.iter().filter_map(IncludeDir::folder));
    }
    for dir in include_dirs {
        let everything = Pattern::new(&format!("{}/**/*", dir.value.trim_end_matches('/')))
            .map_err(|err| dir.error(err))?;
        headers.extend(
            everything
                .files(root)
                .map_err(|why| dir.error(why))?
                .into_iter()
                .filter(|f| has_suffix(f, HEADER_SUFFIXES) && !is_skipped(project, f)),
        );
    }
    Ok((inputs, headers))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A project of `pyproject` (after a `[project]` table) and these files.
    fn project(pyproject: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Project>) {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("[project]\nname = \"pkg\"\nversion = \"1.0\"\n{pyproject}");
        std::fs::write(dir.path().join("pyproject.toml"), text).unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let project = Project::load(dir.path(), &BTreeMap::new());
        (dir, project)
    }

    #[test]
    fn files_outside_the_packages_go_to_the_wheel_root_and_its_data_folder() {
        let (_dir, project) = project(
            "[tool.zlig.wheel]\nforce-include = { \"extra/cov.pth\" = \"cov.pth\" }\ndata = { scripts = \"bin\", headers = \"include\" }\n",
            &[
                ("pkg/__init__.py", ""),
                ("extra/cov.pth", "import cov\n"),
                ("bin/tool", "#!/usr/bin/env python3 -u\nprint(1)\n"),
                ("include/pkg.h", ""),
            ],
        );
        let project = project.unwrap();
        let files = wheel_files(&project, &[], &Artifacts::new()).unwrap();
        let paths: Vec<&str> = files.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "cov.pth",
                "pkg-1.0.data/headers/pkg.h",
                "pkg-1.0.data/scripts/tool",
                "pkg/__init__.py"
            ]
        );
        assert_eq!(files[2].bytes().unwrap(), b"#!python -u\nprint(1)\n");
        let sdist: Vec<String> = sdist_files(&project)
            .unwrap()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert!(sdist.contains(&"extra/cov.pth".to_string()), "{sdist:?}");
        assert!(sdist.contains(&"bin/tool".to_string()), "{sdist:?}");
    }

    #[test]
    fn a_file_outside_the_packages_may_not_replace_a_package_file_or_be_missing() {
        let (_dir, replacing) = project(
            "[tool.zlig.wheel]\nforce-include = { \"extra/x.py\" = \"pkg/__init__.py\" }\n",
            &[("pkg/__init__.py", ""), ("extra/x.py", "")],
        );
        let err = wheel_files(&replacing.unwrap(), &[], &Artifacts::new())
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("`tool.zlig.wheel.force-include.\"extra/x.py\"`: `pkg/__init__.py` in the wheel is a file of the packages already"),
            "{err}"
        );
        let (_dir, missing) = project(
            "[tool.zlig.wheel]\nforce-include = { \"extra/y.pth\" = \"y.pth\" }\n",
            &[("pkg/__init__.py", "")],
        );
        let err = sdist_files(&missing.unwrap()).err().unwrap().to_string();
        assert!(err.contains("`extra/y.pth` does not exist"), "{err}");
    }

    #[test]
    fn only_python_scripts_get_the_installer_s_shebang() {
        assert_eq!(
            script_for_wheel(b"#!/usr/bin/python3.11\nx\n".to_vec()),
            b"#!python\nx\n"
        );
        assert_eq!(
            script_for_wheel(b"#!/bin/sh\nx\n".to_vec()),
            b"#!/bin/sh\nx\n"
        );
        assert_eq!(script_for_wheel(b"no shebang".to_vec()), b"no shebang");
    }
}
