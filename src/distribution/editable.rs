//! The files of an editable wheel (PEP 660): a `.pth` file that puts the project's Python
//! source folder on `sys.path` (so editors and type checkers see the real files), and a
//! module that installs an import hook for the extension modules, started at interpreter
//! start by a `.start` file (PEP 829) where `site` reads them, else by the `.pth` file's
//! `import` line, which PEP 829 deprecates.
//!
//! The hook (`python/zlig/editable_hook.py`) uses only the standard library and runs the
//! backend's own rebuild command, recorded here; so the editable wheel adds no requirement
//! to the project's metadata and keeps working once the build environment is gone. It runs
//! that command in later processes, so the command's tools must be in places that outlive
//! the install and that nobody else can write; otherwise rebuilding is turned off.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use serde::Serialize;

use crate::compile::{Artifacts, Rebuild};
use crate::distribution::contents::{Content, Entry, add_outside_packages};
use crate::error::Result;
use crate::project::Project;

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
}

/// Whether the `site` module of Python `version` runs the entry points of `.start` files
/// (PEP 829, from 3.15), which replace the `import` lines of `.pth` files.
fn reads_start_files(version: (u32, u32)) -> bool {
    version >= (3, 15)
}

/// The `.pth` file and, with extensions, the hook module of an editable wheel and what
/// starts it (a `.start` file for Python `version` from 3.15, else the `.pth` file's
/// `import` line: the editable wheel is for one interpreter), and the files outside the
/// packages (`force-include`, `data`), copied as a regular wheel has them.
pub fn files(
    project: &Project,
    modules: &Artifacts,
    rebuild: Option<&Rebuild>,
    version: (u32, u32),
) -> Result<Vec<Entry>> {
    let module = format!(
        "_zlig_editable_{}",
        project.metadata.normalized.as_dist_info_name()
    );
    let source_dir = project.root.join(&project.layout.python_source);
    let mut pth = format!("{}\n", source_dir.display());
    let mut entries = Vec::new();
    if !modules.is_empty() {
        if reads_start_files(version) {
            entries.push(generated(
                format!("{module}.start"),
                format!("{module}:start\n"),
            ));
        } else {
            pth.push_str(&format!("import {module}; {module}.start()\n"));
        }
        let config = HookConfig {
            project: &project.metadata.name,
            project_dir: &project.root,
            modules,
            rebuild,
        };
        let json = serde_json::to_string(&config).expect("hook config serializes");
        // A JSON string literal is also a valid Python string literal, and a JSON list of
        // them a valid Python list.
        let literal = serde_json::to_string(&json).expect("string serializes");
        let names =
            serde_json::to_string(&modules.keys().collect::<Vec<_>>()).expect("names serialize");
        let start = format!(
            "\n\ndef start():\n    \"\"\"Puts the finder on sys.meta_path (run at interpreter start).\"\"\"\n    install({literal}, {names})\n"
        );
        entries.push(generated(format!("{module}.py"), format!("{HOOK}{start}")));
    }
    entries.push(generated(format!("{module}.pth"), pth));
    add_outside_packages(project, &mut entries, "a file of the editable install")?;
    entries.sort();
    Ok(entries)
}

/// A file of the editable wheel that zlig writes.
fn generated(path: String, text: String) -> Entry {
    Entry {
        path,
        content: Content::Generated(text.into_bytes()),
        executable: false,
    }
}

/// The rebuild command, if its program and `tools` are safe to run later; else `None`,
/// with a warning saying why rebuilding on import is off.
pub fn checked_rebuild<'a>(rebuild: &'a Rebuild, tools: &[&Path]) -> Option<&'a Rebuild> {
    let program = Path::new(rebuild.argv.first()?);
    let unsafe_tool = std::iter::once(program)
        .chain(tools.iter().copied())
        .find_map(|tool| why_unsafe(tool).map(|why| (tool, why)));
    match unsafe_tool {
        None => Some(rebuild),
        Some((tool, why)) => {
            eprintln!(
                "zlig: warning: the editable install will not rebuild on import: {} {why}, so running it later could run another program; point ZLIG_ZIG (or ZLIG_NINJA) at a tool in a lasting folder of yours, or make ~/.cache/zlig writable so that zlig keeps a copy there, and install again",
                tool.display()
            );
            None
        }
    }
}

/// Why running `tool` after the install is not safe: a temporary folder (a frontend's
/// build environment, gone after the install), or a file or folder on its path that
/// someone else owns or may write, so that it can be replaced.
pub fn why_unsafe(tool: &Path) -> Option<String> {
    if !tool.is_absolute() {
        return Some("is not an absolute path".into());
    }
    if tool.starts_with(std::env::temp_dir()) {
        return Some(
            "is in a temporary folder, which the frontend removes after the install".into(),
        );
    }
    // SAFETY: getuid cannot fail.
    let me = unsafe { libc::getuid() };
    for path in tool.ancestors() {
        let Ok(meta) = std::fs::metadata(path) else {
            return Some(format!("cannot be checked ({} is missing)", path.display()));
        };
        if meta.uid() != me && meta.uid() != 0 {
            return Some(format!(
                "lies in {}, which another user owns",
                path.display()
            ));
        }
        // World-writable, even with the sticky bit: once the frontend removes its folder
        // in /tmp, anyone may make one of the same name.
        if meta.mode() & 0o002 != 0 {
            return Some(format!(
                "lies in {}, which any user may write",
                path.display()
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::os::unix::fs::PermissionsExt;

    /// The editable wheel's files for Python `version` of a project with one extension
    /// module, as text by path.
    fn editable_files(version: (u32, u32)) -> (tempfile::TempDir, BTreeMap<String, String>) {
        let dir = tempfile::tempdir().unwrap();
        let pyproject =
            "[project]\nname = \"My.Pkg\"\nversion = \"1.0\"\n[tool.zlig]\npackages = [\"pkg\"]\n";
        std::fs::write(dir.path().join("pyproject.toml"), pyproject).unwrap();
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("pkg/__init__.py"), "").unwrap();
        let project = Project::load(dir.path(), &BTreeMap::new()).unwrap();
        let modules = Artifacts::from([("pkg._fast".into(), dir.path().join("fast.so"))]);
        let files = files(&project, &modules, None, version).unwrap();
        let texts = files
            .iter()
            .map(|e| {
                (
                    e.path.clone(),
                    String::from_utf8(e.bytes().unwrap()).unwrap(),
                )
            })
            .collect();
        (dir, texts)
    }

    #[test]
    fn from_python_3_15_a_start_file_starts_the_hook_and_the_pth_file_has_no_import_line() {
        let (dir, files) = editable_files((3, 15));
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "_zlig_editable_my_pkg.pth",
                "_zlig_editable_my_pkg.py",
                "_zlig_editable_my_pkg.start"
            ]
        );
        assert_eq!(
            files["_zlig_editable_my_pkg.pth"],
            format!("{}\n", dir.path().join("").display())
        );
        assert_eq!(
            files["_zlig_editable_my_pkg.start"],
            "_zlig_editable_my_pkg:start\n"
        );
        assert!(files["_zlig_editable_my_pkg.py"].contains("\ndef start():\n"));
    }

    #[test]
    fn before_python_3_15_the_pth_files_import_line_starts_the_hook() {
        let (dir, files) = editable_files((3, 14));
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["_zlig_editable_my_pkg.pth", "_zlig_editable_my_pkg.py"]
        );
        assert_eq!(
            files["_zlig_editable_my_pkg.pth"],
            format!(
                "{}\nimport _zlig_editable_my_pkg; _zlig_editable_my_pkg.start()\n",
                dir.path().join("").display()
            )
        );
    }

    #[test]
    fn tools_in_shared_or_temporary_folders_are_not_run_later() {
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("ninja");
        std::fs::write(&tool, "").unwrap();
        let why = why_unsafe(&tool).unwrap();
        assert!(why.contains("temporary folder"), "{why}");
        assert!(why_unsafe(Path::new("ninja")).is_some());
        let home = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
        let lasting = tempfile::tempdir_in(&home).unwrap();
        let tool = lasting.path().join("zig");
        std::fs::write(&tool, "").unwrap();
        std::fs::set_permissions(lasting.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        if why_unsafe(&home).is_none() {
            assert_eq!(why_unsafe(&tool), None);
            std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o666)).unwrap();
            assert!(
                why_unsafe(&tool)
                    .unwrap()
                    .contains("which any user may write")
            );
        }
    }
}
