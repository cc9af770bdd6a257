//! The files of an editable wheel (PEP 660): a `.pth` file that puts the project's Python
//! source folder on `sys.path` (so editors and type checkers see the real files), and a
//! module that installs an import hook for the extension modules.
//!
//! The hook (`python/zlig/editable_hook.py`) uses only the standard library and runs the
//! backend's own rebuild command, recorded here; so the editable wheel adds no requirement
//! to the project's metadata and keeps working once the build environment is gone. It runs
//! that command in later processes, so the command's tools must be where no other user can
//! replace them (`trust`); otherwise rebuilding is turned off.

use std::path::Path;

use serde::Serialize;

use crate::compile::{Artifacts, Rebuild};
use crate::distribution::contents::{Content, Entry, add_outside_packages};
use crate::error::Result;
use crate::project::Project;
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
}

/// The `.pth` file and, with extensions, the hook module of an editable wheel, and the
/// files outside the packages (`force-include`, `data`), copied as a regular wheel has them.
pub fn files(
    project: &Project,
    modules: &Artifacts,
    rebuild: Option<&Rebuild>,
) -> Result<Vec<Entry>> {
    let module = format!(
        "_zlig_editable_{}",
        project.metadata.normalized.as_dist_info_name()
    );
    let source_dir = project.root.join(&project.layout.python_source);
    let mut pth = format!("{}\n", source_dir.display());
    let mut entries = Vec::new();
    if !modules.is_empty() {
        pth.push_str(&format!("import {module}\n"));
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
        entries.push(Entry {
            path: format!("{module}.py"),
            content: Content::Generated(
                format!("{HOOK}\ninstall({literal}, {names})\n").into_bytes(),
            ),
            executable: false,
        });
    }
    entries.push(Entry {
        path: format!("{module}.pth"),
        content: Content::Generated(pth.into_bytes()),
        executable: false,
    });
    add_outside_packages(project, &mut entries, "a file of the editable install")?;
    entries.sort();
    Ok(entries)
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

/// Why running `tool` after the install is not safe: it is not an absolute path, or
/// another user could replace it (`trust`'s rule, which the import hook applies again
/// before each rebuild).
pub fn why_unsafe(tool: &Path) -> Option<String> {
    if !tool.is_absolute() {
        return Some("is not an absolute path".into());
    }
    trust::why_unsafe(tool).map(|why| format!("cannot be trusted: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

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
                "cannot be trusted: other users may write {} (mode 777)",
                dir.path().display()
            )
        );
    }
}
