//! The files of an editable wheel (PEP 660): a `.pth` file that puts the project's Python
//! source folder on `sys.path` (so editors and type checkers see the real files), a
//! module that installs an import hook for the extension modules and for packages that
//! files outside the packages go into, and those files, as the regular wheel has them.
//!
//! The hook (`python/zlig/editable_hook.py`) uses only the standard library and runs the
//! backend's own rebuild command, recorded here; so the editable wheel adds no requirement
//! to the project's metadata and keeps working once the build environment is gone. It runs
//! that command in later processes, so the command's tools must be where no other user can
//! replace them (`trust`). An install that could not rebuild fails, unless the user turned
//! rebuilding off (`editable-rebuild=false`): a module that silently stays old is the worst
//! surprise. Where rebuilding is off, the hook still knows each module's sources, to warn
//! when one is newer than the module.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::compile::graph::Extension;
use crate::compile::{Artifacts, Rebuild};
use crate::distribution::DistributionError;
use crate::distribution::contents::{Content, Entry, WheelFiles};
use crate::distribution::installed::{self, Origin};
use crate::error::Result;
use crate::project::Project;
use crate::project::discovery::ModuleKind;
use crate::project::text::{describe, shown};
use crate::trust;

/// The import hook, written into the wheel before its configuration.
const HOOK: &str = include_str!("../../python/zlig/editable_hook.py");

/// What the import hook needs to find and rebuild the extensions.
#[derive(Debug, Serialize)]
struct HookConfig<'a> {
    project: &'a str,
    project_dir: &'a Path,
    /// Dotted module name → built file in the build dir.
    modules: &'a Artifacts,
    /// The command that rebuilds them, or `None` when rebuilding is off.
    rebuild: Option<&'a Rebuild>,
    /// Dotted module name → its sources and `depends`, by absolute path: one newer than
    /// the module is worth a warning when the hook does not rebuild.
    sources: BTreeMap<&'a str, Vec<PathBuf>>,
}

/// The `.pth` file and, with extensions or packages to extend, the hook module of an
/// editable wheel, and the files outside the packages (`force-include`, `data`) as the
/// regular wheel has them (`wheel`, its files, checked already).
pub fn files(
    project: &Project,
    wheel: &WheelFiles,
    extensions: &[Extension],
    modules: &Artifacts,
    rebuild: Option<&Rebuild>,
) -> Result<Vec<Entry>> {
    let module = format!(
        "_zlig_editable_{}",
        project.metadata.normalized.as_dist_info_name()
    );
    let source_dir = project.root.join(&project.layout.python_source);
    let mut pth = format!("{}\n", pth_line(&source_dir)?);
    let packages = extended_packages(project, wheel);
    let mut entries = Vec::new();
    if !modules.is_empty() || !packages.is_empty() {
        pth.push_str(&format!("import {module}\n"));
        let config = HookConfig {
            project: &project.metadata.name,
            project_dir: &project.root,
            modules,
            rebuild,
            sources: extensions
                .iter()
                .map(|ext| {
                    let cython = ext.cython.iter().map(|step| &step.source);
                    let files = ext.sources.iter().chain(cython).chain(&ext.depends);
                    (
                        ext.name.as_str(),
                        files.map(|f| project.root.join(f)).collect(),
                    )
                })
                .collect(),
        };
        let json = serde_json::to_string(&config).expect("hook config serializes");
        // A JSON string literal is also a valid Python string literal, a JSON list of
        // them a valid Python list, and a JSON object of them a valid Python dict.
        let literal = serde_json::to_string(&json).expect("string serializes");
        let names =
            serde_json::to_string(&modules.keys().collect::<Vec<_>>()).expect("names serialize");
        let packages = serde_json::to_string(&packages).expect("packages serialize");
        entries.push(Entry {
            path: format!("{module}.py"),
            content: Content::Generated(
                format!("{HOOK}\ninstall({literal}, {names}, {packages})\n").into_bytes(),
            ),
            executable: false,
        });
    }
    entries.push(Entry {
        path: format!("{module}.pth"),
        content: Content::Generated(pth.into_bytes()),
        executable: false,
    });
    let origins: Vec<(&str, Origin<'_>)> = entries
        .iter()
        .map(|e| (e.path.as_str(), Origin::Editable))
        .chain(
            wheel
                .outside
                .iter()
                .map(|(e, place)| (e.path.as_str(), Origin::Setting(place))),
        )
        .collect();
    installed::check(project, &origins)?;
    entries.extend(wheel.outside.iter().map(|(entry, _)| entry.clone()));
    entries.sort();
    Ok(entries)
}

/// The project's packages that files outside the packages go into (`force-include =
/// { "data/x.txt" = "pkg/x.txt" }`), each with its folder below site-packages, where the
/// editable wheel installs those files. The import hook adds that folder to the package's
/// `__path__` and to what `importlib.resources` reads, since the package itself is
/// imported from the project. Every regular package of the project above such a file
/// counts, so that `files("pkg") / "sub" / "x.txt"` finds `pkg/sub/x.txt` too.
fn extended_packages(project: &Project, wheel: &WheelFiles) -> BTreeMap<String, String> {
    let data_dir = installed::data_dir(project);
    let source_dir = project.root.join(&project.layout.python_source);
    let mut packages = BTreeMap::new();
    for (entry, _) in &wheel.outside {
        let Some(installed) = installed::in_site_packages_at(&entry.path, &data_dir) else {
            continue;
        };
        let parts: Vec<&str> = installed.split('/').collect();
        let mut top = project.layout.top_level.iter();
        if !top.any(|t| t.name == parts[0] && t.kind == ModuleKind::Package) {
            continue;
        }
        // The folders above the file.
        for end in 1..parts.len() {
            let below = parts[..end].join("/");
            if source_dir.join(&below).join("__init__.py").is_file() {
                packages.insert(parts[..end].join("."), below);
            }
        }
    }
    packages
}

/// `path` as a line of a `.pth` file (or a PEP 829 `.start` file's `.pth`), which `site`
/// reads back as that very path. `site` splits a `.pth` file into lines (`str.splitlines`,
/// so at `\x0b`, `\x1c` or U+2028 too), strips each line's trailing blanks, skips a line
/// that starts with `#` and runs one that starts with `import`, and Python 3.13 decodes the
/// file as UTF-8. A path holding a line break would add a line of its own, which could run
/// code; so the path must be absolute (it starts with `/`, never `#` or `import`), UTF-8,
/// and hold no control character, no line separator and no trailing blank.
pub fn pth_line(path: &Path) -> Result<String, DistributionError> {
    let refused = |why: String| DistributionError::PthLine {
        path: shown(&path.to_string_lossy()),
        why,
    };
    let Some(text) = path.to_str() else {
        return Err(refused("it is not valid UTF-8".into()));
    };
    if !path.is_absolute() {
        return Err(refused("it is not absolute".into()));
    }
    if let Some(found) = text
        .chars()
        .find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(refused(format!("it holds {}", describe(found))));
    }
    if text.ends_with(char::is_whitespace) {
        return Err(refused(
            "it ends with a blank, which Python strips from a `.pth` line".into(),
        ));
    }
    Ok(text.to_string())
}

/// The command the import hook runs: `None` when the user turned rebuilding off
/// (`wanted` false; said once), else the backend's `rebuild` command once its program and
/// `tools` are safe to run later. A backend without one, or a tool that is not safe, fails
/// the install with the reason and the remedies.
pub fn checked_rebuild<'a>(
    rebuild: Option<&'a Rebuild>,
    wanted: bool,
    backend: &str,
    tools: &[&Path],
) -> Result<Option<&'a Rebuild>> {
    if !wanted {
        eprintln!(
            "zlig: note: this editable install will not rebuild its extensions on import (-C editable-rebuild=false): reinstall after editing a C, C++, Cython or Zig source"
        );
        return Ok(None);
    }
    let Some(rebuild) = rebuild else {
        return Err(DistributionError::NoRebuild {
            why: format!("the {backend} backend has no command to run again"),
            remedy: "Choose a built-in backend (`-C backend=ninja` or `zig`)".into(),
        }
        .into());
    };
    let program = rebuild.argv.first().map(Path::new);
    let unsafe_tool = program
        .into_iter()
        .chain(tools.iter().copied())
        .find_map(|tool| why_unsafe(tool).map(|why| (tool, why)));
    match unsafe_tool {
        None => Ok(Some(rebuild)),
        Some((tool, why)) => Err(DistributionError::NoRebuild {
            why: format!(
                "it would run {} later, which {why}, so that it could be another program by then",
                tool.display()
            ),
            remedy: "Point ZLIG_ZIG (or ZLIG_NINJA) at a tool in a lasting folder of yours, or make zlig's cache (~/.cache/zlig, or $XDG_CACHE_HOME/zlig) a folder of yours that no one else may write, so that zlig keeps its tools there, and install again".into(),
        }
        .into()),
    }
}

/// Why running `tool` after the install is not safe: it is not an absolute path, or
/// another user could replace it (`trust`'s rule, which the import hook applies again
/// before each rebuild).
pub fn why_unsafe(tool: &Path) -> Option<String> {
    if !tool.is_absolute() {
        return Some("is not an absolute path".into());
    }
    trust::why_unsafe(tool).map(|why| format!("another user could replace: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A `.pth` line is read back as the path it names, or the path is refused: nothing in
    /// a folder's name can add a line, which `site` could run.
    #[test]
    fn a_pth_line_names_exactly_its_path_or_is_refused() {
        use std::os::unix::ffi::OsStrExt;
        assert_eq!(
            pth_line(Path::new("/home/me/odd #dir $x/src")).unwrap(),
            "/home/me/odd #dir $x/src"
        );
        let refused = |path: &Path| pth_line(path).unwrap_err().to_string();
        const HOW: &str = "Python reads a `.pth` file line by line and runs a line that starts with `import`, so zlig writes only a path that reads back unchanged: move the project to another folder";
        for (path, why) in [
            (
                "/tmp/p\nimport os; os.system('touch x')\n/src",
                "`/tmp/p\\nimport os; os.system('touch x')\\n/src` on a line of its `.pth` file: it holds a line break (`\\n`)",
            ),
            (
                "/tmp/p\rimport os/src",
                "`/tmp/p\\rimport os/src` on a line of its `.pth` file: it holds a line break (`\\r`)",
            ),
            (
                "/tmp/p\u{2028}import os/src",
                "`/tmp/p\\u{2028}import os/src` on a line of its `.pth` file: it holds a line break (`\\u{2028}`)",
            ),
            (
                "/tmp/p\u{1c}x/src",
                "`/tmp/p\\u{1c}x/src` on a line of its `.pth` file: it holds a control character (`\\u{1c}`)",
            ),
            (
                "/tmp/project ",
                "`/tmp/project ` on a line of its `.pth` file: it ends with a blank, which Python strips from a `.pth` line",
            ),
            (
                "src",
                "`src` on a line of its `.pth` file: it is not absolute",
            ),
        ] {
            assert_eq!(
                refused(Path::new(path)),
                format!("an editable install cannot name {why}. {HOW}")
            );
        }
        assert_eq!(
            refused(Path::new(std::ffi::OsStr::from_bytes(b"/tmp/\xff/src"))),
            format!(
                "an editable install cannot name `/tmp/\u{fffd}/src` on a line of its `.pth` file: it is not valid UTF-8. {HOW}"
            )
        );
    }

    #[test]
    fn a_tool_in_a_private_folder_in_the_temp_dir_is_run_later_and_a_shared_one_not() {
        // The temp dir (/tmp: sticky, root's) holds a private folder of the user's own, as
        // a user cache under /tmp/me/.cache is.
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("ninja");
        std::fs::write(&tool, "").unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(why_unsafe(&tool), None);
        assert!(why_unsafe(Path::new("ninja")).is_some());
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(
            why_unsafe(&tool).unwrap(),
            format!(
                "another user could replace: other users may write {} (mode 777)",
                dir.path().display()
            )
        );
    }
}
