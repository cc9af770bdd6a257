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
use crate::distribution::installed::{self, Origin};
use crate::error::{IoContext, Result};
use crate::project::Project;
use crate::project::discovery::ModuleKind;
use crate::project::extension::IncludeDir;
use crate::project::files::{
    Pattern, check_inside, check_name, normal_relative, not_a_file, slash_path,
};
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

/// The files of a wheel (dist-info not included), by where they come from: the regular
/// wheel writes them all; the editable wheel takes `outside` and serves the rest from the
/// project and the build dir. Computed and checked once for both (`installed::check`), so
/// that the two installs agree.
#[derive(Debug, Clone)]
pub struct WheelFiles {
    /// The files of the shipped packages and the built modules, at their paths.
    pub packages: Vec<Entry>,
    /// The files `force-include` and `data` put outside the packages, each with its setting.
    pub outside: Vec<(Entry, Place)>,
}

impl WheelFiles {
    /// Every file, sorted by archive path.
    pub fn entries(&self) -> Vec<Entry> {
        let outside = self.outside.iter().map(|(entry, _)| entry);
        let mut entries: Vec<Entry> = self.packages.iter().chain(outside).cloned().collect();
        entries.sort();
        entries
    }
}

/// The files of the wheel: the packages' files, plus the built modules, plus the files
/// outside the packages; refused where one would replace another on install.
pub fn wheel_files(
    project: &Project,
    extensions: &[Extension],
    artifacts: &Artifacts,
) -> Result<WheelFiles> {
    let mut packages: Vec<Entry> = package_files_shipped(project, extensions)?
        .into_iter()
        .map(|(path, source)| Entry {
            executable: is_executable(&source),
            path,
            content: Content::File(source),
        })
        .collect();
    let mut modules = BTreeSet::new();
    for ext in extensions {
        let Some(built) = artifacts.get(&ext.name) else {
            continue;
        };
        let path = slash_path(&ext.output);
        if packages.iter().any(|e| e.path == path) {
            return Err(DistributionError::ModuleReplacesFile(path).into());
        }
        modules.insert(path.clone());
        packages.push(Entry {
            path,
            content: Content::File(built.clone()),
            executable: true,
        });
    }
    packages.sort();
    let outside: Vec<(Entry, Place)> = outside_files(project)?
        .into_iter()
        .map(|file| file.entry(project))
        .collect::<Result<_>>()?;
    let files = WheelFiles { packages, outside };
    let origins: Vec<(&str, Origin<'_>)> = files
        .packages
        .iter()
        .map(|e| match modules.contains(&e.path) {
            true => (e.path.as_str(), Origin::Module),
            false => (e.path.as_str(), Origin::Package),
        })
        .chain(
            files
                .outside
                .iter()
                .map(|(e, place)| (e.path.as_str(), Origin::Setting(place))),
        )
        .collect();
    installed::check(project, &origins)?;
    installed::warn_of_lookalike_names(project, &origins);
    Ok(files)
}

/// The packages' files the wheel ships, by path in the wheel: every file of the packages,
/// minus extension sources and `depends`, minus `.pyx` files when `extensions` have
/// Cython steps, minus `wheel.exclude`, minus modules an in-place build left.
fn package_files_shipped(
    project: &Project,
    extensions: &[Extension],
) -> Result<BTreeMap<String, PathBuf>> {
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
            files.insert(slash_path(in_wheel), project.root.join(&relative));
        }
    }
    Ok(files)
}

/// Checks `import-names` and `import-namespaces` (PEP 794) against what the wheel makes
/// importable: its packages' files after `wheel.exclude`, the files `force-include` and
/// the `purelib`/`platlib` schemes put in site-packages, and the extension modules. Each
/// name the wheel does not provide is an error at its entry.
pub fn check_import_names(project: &Project) -> Result<()> {
    let metadata = &project.metadata;
    let mut names = metadata
        .import_names
        .iter()
        .chain(&metadata.import_namespaces)
        .flatten()
        .peekable();
    if names.peek().is_none() {
        return Ok(());
    }
    let packages = package_files_shipped(project, &[])?.into_keys();
    let outside = outside_files(project)?.into_iter().map(|file| file.path);
    let extensions = project.settings.extensions.iter().map(|e| &e.name.value);
    let provided = installed::modules(project, packages.chain(outside), extensions);
    for name in names {
        if !provided.contains(&name.name) {
            return Err(name.place.error(format!(
                "the wheel has no module or package `{}`: list only names that `import` finds once the project is installed",
                name.name
            )));
        }
    }
    Ok(())
}

/// A file the wheel carries outside its packages, before its bytes are read.
struct OutsideFile {
    /// The path in the wheel.
    path: String,
    /// The project-relative file.
    source: PathBuf,
    /// A script of the `scripts` scheme, whose first line the wheel may rewrite.
    script: bool,
    /// The setting that puts it there.
    place: Place,
}

impl OutsideFile {
    /// The file as an entry of the wheel, with its setting.
    fn entry(self, project: &Project) -> Result<(Entry, Place)> {
        let source = project.root.join(&self.source);
        let content = match self.script {
            true => {
                let bytes =
                    std::fs::read(&source).context(|| format!("reading {}", source.display()))?;
                Content::Generated(script_for_wheel(&self.source, bytes))
            }
            false => Content::File(source.clone()),
        };
        let entry = Entry {
            path: self.path,
            executable: is_executable(&source),
            content,
        };
        Ok((entry, self.place))
    }
}

/// The files a wheel carries outside its packages, each with the setting that puts it
/// there: `force-include` entries at their paths from the wheel's root, and the files of
/// the `data` folders in `<name>-<version>.data/<scheme>/`.
fn outside_files(project: &Project) -> Result<Vec<OutsideFile>> {
    let mut files = Vec::new();
    for include in &project.settings.force_include {
        for (relative, below) in source_files(project, &include.source)? {
            let path = match below.as_os_str().is_empty() {
                true => include.target.value.clone(),
                false => format!("{}/{}", include.target.value, slash_path(&below)),
            };
            files.push(OutsideFile {
                path,
                source: relative,
                script: false,
                place: include.target.place.clone(),
            });
        }
    }
    let data = installed::data_dir(project);
    for scheme in &project.settings.wheel_data {
        let found = source_files(project, &scheme.folder)?;
        if found.iter().any(|(_, below)| below.as_os_str().is_empty()) {
            return Err(scheme.folder.error(format!(
                "expected a folder, whose files the `{}` scheme installs; `{}` is a file",
                scheme.scheme.value, scheme.folder.value
            )));
        }
        for (relative, below) in found {
            files.push(OutsideFile {
                path: format!("{data}/{}/{}", scheme.scheme.value, slash_path(&below)),
                source: relative,
                script: scheme.scheme.value == "scripts",
                place: scheme.folder.place.clone(),
            });
        }
    }
    Ok(files)
}

/// The project files a `force-include` key or `data` folder names: the file itself (with an
/// empty path below it), or every file in the folder with its path below the folder; a
/// name that is not there, or leads outside the project, is an error at its place.
fn source_files(project: &Project, source: &Located<String>) -> Result<Vec<(PathBuf, PathBuf)>> {
    let root = &project.root;
    let relative = normal_relative(&source.value);
    let full = root.join(&relative);
    if full.is_file() {
        check_inside(root, &relative).map_err(|why| source.error(why))?;
        check_name(&relative).map_err(|why| source.error(why))?;
        return Ok(vec![(relative, PathBuf::new())]);
    }
    if let Some(what) = not_a_file(&full).filter(|_| !full.is_dir()) {
        return Err(source.error(format!(
            "`{}` is {what}, neither a file nor a folder",
            source.value
        )));
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

/// A script as the wheel carries it. A first line that runs Python (`#!/usr/bin/python3`,
/// `#!/usr/bin/env python3`, `#!/usr/bin/env -S python3 -u`) becomes `#!python`, which
/// installers replace with the environment's own interpreter (binary distribution format,
/// "Recommended installer features"). pip, uv and installer write that interpreter alone,
/// dropping whatever followed it, so the wheel says nothing more, and a warning names what
/// the installed script will run without (Python's options, `env`'s settings). Other
/// scripts (a shell script, `#!/usr/bin/env -S uv run --script`) are kept as they are.
fn script_for_wheel(file: &Path, bytes: Vec<u8>) -> Vec<u8> {
    let end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len());
    let first = bytes[..end].strip_suffix(b"\r").unwrap_or(&bytes[..end]);
    let Some(line) = std::str::from_utf8(first).ok() else {
        return bytes;
    };
    let Some(dropped) = python_shebang(line) else {
        return bytes;
    };
    if !dropped.is_empty() {
        eprintln!(
            "zlig: warning: {} starts with `{line}`; the wheel makes that line `#!python`, which installers replace with the environment's interpreter alone, so the installed script runs without `{}`: set it in the script instead",
            slash_path(file),
            dropped.join(" ")
        );
    }
    let mut script = b"#!python".to_vec();
    script.extend_from_slice(&bytes[end..]);
    script
}

/// Whether the first line of a script runs Python (`python`, `python3`, `python3.12`, by
/// any path, directly or through `env`); if it does, the words it passes besides the
/// interpreter, which an installer drops: Python's options, and `env`'s own settings
/// (`-i`, `NAME=value`) but for `-S`, which only splits the line.
fn python_shebang(line: &str) -> Option<Vec<&str>> {
    let words: Vec<&str> = line.strip_prefix("#!")?.split_whitespace().collect();
    let (program, mut rest) = words.split_first()?;
    let mut dropped = Vec::new();
    let mut interpreter = *program;
    if file_name(program) == "env" {
        loop {
            let (word, more) = rest.split_first()?;
            rest = more;
            match *word {
                "-S" | "--split-string" | "--" => {}
                // env's options that take the next word: `-u NAME`, `-C DIR`.
                "-u" | "--unset" | "-C" | "--chdir" => {
                    let (value, more) = rest.split_first()?;
                    rest = more;
                    dropped.extend([*word, *value]);
                }
                _ if word.starts_with('-') || word.contains('=') => dropped.push(*word),
                _ => {
                    interpreter = word;
                    break;
                }
            }
        }
    }
    let name = file_name(interpreter);
    let version = name.strip_prefix("python")?;
    if !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    dropped.extend(rest);
    Some(dropped)
}

/// The last `/`-separated part of a path in a first line.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
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
    let read_from = &project.metadata.read_from;
    named.extend(read_from.iter().map(|(file, _)| file.clone()));
    named.extend(project.metadata.license_files.iter().cloned());
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
    let excluded = |file: &Path| {
        let patterns = &project.settings.sdist_exclude;
        patterns.iter().find(|p| p.value.matches(file))
    };
    if let Some(pattern) = excluded(Path::new("pyproject.toml")) {
        return Err(pattern.error(
            "removes `pyproject.toml` from the sdist, which every build of the sdist reads; narrow the pattern",
        ));
    }
    for (file, place) in read_from {
        if let Some(pattern) = excluded(file) {
            return Err(pattern.error(format!(
                "removes `{}` from the sdist, but {} reads it: a wheel could not be built from that sdist; narrow the pattern so that it keeps the file",
                slash_path(file),
                place.describe()
            )));
        }
    }
    Ok(files
        .into_iter()
        .filter(|f| excluded(f).is_none())
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

    /// The error building the wheel of a project of `pyproject` and these files (with a
    /// `pkg/__init__.py`) gives.
    fn wheel_error(pyproject: &str, files: &[(&str, &str)]) -> String {
        let files = [&[("pkg/__init__.py", "")][..], files].concat();
        let (_dir, project) = project(pyproject, &files);
        wheel_files(&project.unwrap(), &[], &Artifacts::new())
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn files_outside_the_packages_go_to_the_wheel_root_and_its_data_folder() {
        let (_dir, project) = project(
            "[tool.zlig.wheel]\nforce-include = { \"extra/cov.pth\" = \"cov.pth\" }\ndata = { scripts = \"bin\", headers = \"include\" }\n",
            &[
                ("pkg/__init__.py", ""),
                ("extra/cov.pth", "import cov\n"),
                ("bin/tool", "#!/usr/bin/env python3\nprint(1)\n"),
                ("include/pkg.h", ""),
            ],
        );
        let project = project.unwrap();
        let files = wheel_files(&project, &[], &Artifacts::new())
            .unwrap()
            .entries();
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
        assert_eq!(files[2].bytes().unwrap(), b"#!python\nprint(1)\n");
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
        insta::assert_snapshot!(
            wheel_error(
                "[tool.zlig.wheel]\nforce-include = { \"extra/x.py\" = \"pkg/__init__.py\" }\n",
                &[("extra/x.py", "")],
            ),
            @r#"
        pyproject.toml:5:34: `tool.zlig.wheel.force-include."extra/x.py"`: `pkg/__init__.py` in the wheel is a file of the packages already; choose another path
          |
        5 | force-include = { "extra/x.py" = "pkg/__init__.py" }
          |                                  ^^^^^^^^^^^^^^^^^
        "#
        );
        let (_dir, missing) = project(
            "[tool.zlig.wheel]\nforce-include = { \"extra/y.pth\" = \"y.pth\" }\n",
            &[("pkg/__init__.py", "")],
        );
        let err = sdist_files(&missing.unwrap()).err().unwrap().to_string();
        insta::assert_snapshot!(err, @r#"
            pyproject.toml:5:19: `tool.zlig.wheel.force-include."extra/y.pth"`: `extra/y.pth` does not exist
              |
            5 | force-include = { "extra/y.pth" = "y.pth" }
              |                   ^^^^^^^^^^^^^
            "#);
    }

    #[test]
    fn every_spelling_of_a_package_file_s_path_is_the_same_path() {
        let report: Vec<String> = ["./pkg/__init__.py", "pkg//__init__.py", "pkg/./__init__.py"]
            .into_iter()
            .map(|target| {
                wheel_error(
                    &format!("[tool.zlig.wheel]\nforce-include = {{ \"x.py\" = \"{target}\" }}\n"),
                    &[("x.py", "")],
                )
            })
            .collect();
        insta::assert_snapshot!(report.join("\n\n"), @r#"
            pyproject.toml:5:28: `tool.zlig.wheel.force-include."x.py"`: `pkg/__init__.py` in the wheel is a file of the packages already; choose another path
              |
            5 | force-include = { "x.py" = "./pkg/__init__.py" }
              |                            ^^^^^^^^^^^^^^^^^^^

            pyproject.toml:5:28: `tool.zlig.wheel.force-include."x.py"`: `pkg/__init__.py` in the wheel is a file of the packages already; choose another path
              |
            5 | force-include = { "x.py" = "pkg//__init__.py" }
              |                            ^^^^^^^^^^^^^^^^^^

            pyproject.toml:5:28: `tool.zlig.wheel.force-include."x.py"`: `pkg/__init__.py` in the wheel is a file of the packages already; choose another path
              |
            5 | force-include = { "x.py" = "pkg/./__init__.py" }
              |                            ^^^^^^^^^^^^^^^^^^^
            "#);
    }

    #[test]
    fn a_file_may_not_stand_where_the_packages_need_a_folder_nor_below_a_file() {
        insta::assert_snapshot!(
            wheel_error(
                "[tool.zlig.wheel]\nforce-include = { \"x.txt\" = \"pkg/\" }\n",
                &[("x.txt", "")],
            ),
            @r#"
        pyproject.toml:5:29: `tool.zlig.wheel.force-include."x.txt"`: `pkg` (a file of `tool.zlig.wheel.force-include."x.txt"`) would be installed as the file `pkg` in site-packages, where `pkg/__init__.py` (a file of the packages) needs a folder; choose another path
          |
        5 | force-include = { "x.txt" = "pkg/" }
          |                             ^^^^^^
        "#
        );
        insta::assert_snapshot!(
            wheel_error(
                "[tool.zlig.wheel]\nforce-include = { \"x.txt\" = \"pkg/__init__.py/x.txt\" }\n",
                &[("x.txt", "")],
            ),
            @r#"
        pyproject.toml:5:29: `tool.zlig.wheel.force-include."x.txt"`: `pkg/__init__.py` (a file of the packages) would be installed as the file `pkg/__init__.py` in site-packages, where `pkg/__init__.py/x.txt` (a file of `tool.zlig.wheel.force-include."x.txt"`) needs a folder; choose another path
          |
        5 | force-include = { "x.txt" = "pkg/__init__.py/x.txt" }
          |                             ^^^^^^^^^^^^^^^^^^^^^^^
        "#
        );
    }

    #[test]
    fn a_data_scheme_file_may_not_replace_a_package_file_or_a_script_on_install() {
        insta::assert_snapshot!(
            wheel_error(
                "[tool.zlig.wheel]\ndata = { purelib = \"extra\" }\n",
                &[("extra/pkg/__init__.py", "")],
            ),
            @r#"
        pyproject.toml:5:20: `tool.zlig.wheel.data.purelib`: `pkg-1.0.data/purelib/pkg/__init__.py` (a file of `tool.zlig.wheel.data.purelib`) would be installed as `pkg/__init__.py` in site-packages, where `pkg/__init__.py` (a file of the packages) goes already; choose another path
          |
        5 | data = { purelib = "extra" }
          |                    ^^^^^^^
        "#
        );
        let err = wheel_error(
            "[tool.zlig.wheel]\ndata = { platlib = \"a\", purelib = \"b\" }\n",
            &[("a/extra/x.py", ""), ("b/extra/x.py", "")],
        );
        insta::assert_snapshot!(err, @r#"
            pyproject.toml:5:35: `tool.zlig.wheel.data.purelib`: `pkg-1.0.data/purelib/extra/x.py` (a file of `tool.zlig.wheel.data.purelib`) would be installed as `extra/x.py` in site-packages, where `pkg-1.0.data/platlib/extra/x.py` (a file of `tool.zlig.wheel.data.platlib`) goes already; choose another path
              |
            5 | data = { platlib = "a", purelib = "b" }
              |                                   ^^^
            "#);
        let err = wheel_error(
            "[tool.zlig.wheel]\ndata = { purelib = \"lib\" }\n",
            &[("lib/other-2.0.DIST-INFO/METADATA", "")],
        );
        insta::assert_snapshot!(err, @r#"
            pyproject.toml:5:20: `tool.zlig.wheel.data.purelib`: `pkg-1.0.data/purelib/other-2.0.DIST-INFO/METADATA` (a file of `tool.zlig.wheel.data.purelib`) would be installed as `other-2.0.DIST-INFO/METADATA` in site-packages, in a `.dist-info` folder, where installers keep what they know of an installed distribution; choose another path
              |
            5 | data = { purelib = "lib" }
              |                    ^^^^^
            "#);
        let err = wheel_error(
            "[tool.zlig.wheel]\ndata = { data = \"share\" }\n",
            &[("share/lib/python3.12/site-packages/pkg/__init__.py", "")],
        );
        insta::assert_snapshot!(err, @r#"
            pyproject.toml:5:17: `tool.zlig.wheel.data.data`: `pkg-1.0.data/data/lib/python3.12/site-packages/pkg/__init__.py` (a file of `tool.zlig.wheel.data.data`) would be installed as `pkg/__init__.py` in site-packages, where `pkg/__init__.py` (a file of the packages) goes already; choose another path
              |
            5 | data = { data = "share" }
              |                 ^^^^^^^
            "#);
        insta::assert_snapshot!(
            wheel_error(
                "scripts = { tool = \"pkg:main\" }\n[tool.zlig.wheel]\ndata = { scripts = \"bin\" }\n",
                &[("bin/tool", "#!/bin/sh\n")],
            ),
            @r#"
        pyproject.toml:6:20: `tool.zlig.wheel.data.scripts`: `pkg-1.0.data/scripts/tool` (a file of `tool.zlig.wheel.data.scripts`) would be installed as `tool` in the environment's scripts folder, where `tool` (a script of `project.scripts`) goes already; choose another path
          |
        6 | data = { scripts = "bin" }
          |                    ^^^^^
        "#
        );
    }

    #[test]
    fn import_names_are_what_the_wheel_ships() {
        let toml = |names: &str| {
            format!(
                "import-names = [{names}]\n[tool.zlig.wheel]\nexclude = [\"pkg/gone.py\"]\nforce-include = {{ \"extra/forced.py\" = \"pkg/forced.py\" }}\ndata = {{ purelib = \"lib\" }}\n[[tool.zlig.extensions]]\nname = \"pkg._fast\"\nsources = [\"fast.c\"]\n"
            )
        };
        let files = [
            ("pkg/__init__.py", ""),
            ("pkg/gone.py", ""),
            ("extra/forced.py", ""),
            ("lib/side/__init__.py", ""),
            ("fast.c", ""),
        ];
        let (_dir, shipped) = project(
            &toml("\"pkg\", \"pkg.forced\", \"pkg._fast\", \"side\""),
            &files,
        );
        check_import_names(&shipped.unwrap()).unwrap();
        let (_dir, excluded) = project(&toml("\"pkg\", \"pkg.gone\""), &files);
        insta::assert_snapshot!(
            check_import_names(&excluded.unwrap()).err().unwrap().to_string(),
            @r#"
        pyproject.toml:4:24: `project.import-names[1]`: the wheel has no module or package `pkg.gone`: list only names that `import` finds once the project is installed
          |
        4 | import-names = ["pkg", "pkg.gone"]
          |                        ^^^^^^^^^^
        "#
        );
    }

    #[test]
    fn the_sdist_keeps_the_files_the_metadata_is_read_from() {
        let dir = crate::project::files::tests::tree(&["pkg/__init__.py"]);
        std::fs::write(dir.path().join("pkg/version.h"), "#define V \"1.0\"\n").unwrap();
        let toml = "[project]\nname = \"pkg\"\ndynamic = [\"version\"]\n[tool.zlig.version]\npath = \"pkg/version.h\"\npattern = 'V \"(.+)\"'\n[tool.zlig.sdist]\nexclude = [\"pkg/*.h\"]\n";
        std::fs::write(dir.path().join("pyproject.toml"), toml).unwrap();
        let project = Project::load(dir.path(), &BTreeMap::new()).unwrap();
        insta::assert_snapshot!(
            sdist_files(&project).err().unwrap().to_string(),
            @r#"
        pyproject.toml:8:12: `tool.zlig.sdist.exclude[0]`: removes `pkg/version.h` from the sdist, but `tool.zlig.version.path` (pyproject.toml:5:8) reads it: a wheel could not be built from that sdist; narrow the pattern so that it keeps the file
          |
        8 | exclude = ["pkg/*.h"]
          |            ^^^^^^^^^
        "#
        );
    }

    #[test]
    fn python_scripts_get_the_installer_s_shebang_and_nothing_after_it() {
        let script = |text: &str| script_for_wheel(Path::new("bin/x"), text.as_bytes().to_vec());
        for line in [
            "#!/usr/bin/python3.11",
            "#!/usr/bin/env python3",
            "#!/usr/bin/env -S python3 -u",
            "#!/usr/bin/env -S PYTHONUTF8=1 python3 -X dev -W error",
            "#!/usr/local/bin/python -u",
        ] {
            assert_eq!(script(&format!("{line}\nx\n")), b"#!python\nx\n", "{line}");
        }
        for line in [
            "#!/bin/sh",
            "#!/usr/bin/env -S uv run --script",
            "#!/usr/bin/env ipython",
            "#!/opt/mypython/bin/tool",
            "no shebang",
        ] {
            assert_eq!(script(line), line.as_bytes(), "{line}");
        }
        assert_eq!(
            python_shebang("#!/usr/bin/env -S -i PYTHONUTF8=1 python3 -u -X dev"),
            Some(vec!["-i", "PYTHONUTF8=1", "-u", "-X", "dev"])
        );
        assert_eq!(python_shebang("#!/usr/bin/env python3"), Some(vec![]));
    }
}
