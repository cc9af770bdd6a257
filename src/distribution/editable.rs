//! The files of an editable wheel (PEP 660): a `.pth` file that puts the project's Python
//! source folder on `sys.path` (so editors and type checkers see the real files), and a
//! module that installs an import hook for the extension modules.
//!
//! The hook (`editable_hook.py`) uses only the standard library and runs the backend's own
//! rebuild command, recorded here; so the editable wheel adds no requirement to the
//! project's metadata and keeps working once the build environment is gone.

use serde::Serialize;

use crate::compile::{Artifacts, Rebuild};
use crate::distribution::contents::{Content, Entry};
use crate::project::Project;

/// The import hook, written into the wheel before its configuration.
const HOOK: &str = include_str!("../../python/zlig/editable_hook.py");

/// What the import hook needs to find and rebuild the extensions.
#[derive(Debug, Serialize)]
struct HookConfig<'a> {
    project: &'a str,
    project_dir: &'a std::path::Path,
    /// Dotted module name → built file in the build dir.
    modules: &'a Artifacts,
    /// The command that rebuilds them, or `None` when rebuilding is off.
    rebuild: Option<&'a Rebuild>,
}

/// The `.pth` file and, with extensions, the hook module of an editable wheel.
pub fn files(project: &Project, modules: &Artifacts, rebuild: Option<&Rebuild>) -> Vec<Entry> {
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
        // A JSON string literal is also a valid Python string literal.
        let literal = serde_json::to_string(&json).expect("string serializes");
        entries.push(Entry {
            path: format!("{module}.py"),
            content: Content::Generated(format!("{HOOK}\ninstall({literal})\n").into_bytes()),
            executable: false,
        });
    }
    entries.push(Entry {
        path: format!("{module}.pth"),
        content: Content::Generated(pth.into_bytes()),
        executable: false,
    });
    entries
}
