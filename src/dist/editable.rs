//! The files of an editable wheel (PEP 660): a `.pth` file that puts the project's Python
//! source folder on `sys.path` (so editors and type checkers see the real files), and a small
//! module that installs zlig's import hook for the extension modules.
//!
//! The hook itself lives in the `zlig._editable` module of the installed zlig; what is
//! generated here is only its configuration: where the project is, which modules it builds
//! and where they land, and the settings to rebuild them with.

use std::path::Path;

use serde::Serialize;

use crate::build::Artifacts;
use crate::build::backend::Backend;
use crate::dist::contents::{Content, Entry};
use crate::error::Result;
use crate::hooks::Request;
use crate::project::Project;

/// What the import hook needs to find and rebuild the extensions.
#[derive(Debug, Serialize)]
struct HookConfig<'a> {
    project: &'a str,
    project_dir: &'a Path,
    config_settings: &'a std::collections::BTreeMap<String, Vec<String>>,
    /// Dotted module name → built file in the build dir.
    modules: &'a Artifacts,
    /// Rebuild changed extensions on import (`-C editable-rebuild=false` turns it off).
    rebuild: bool,
    /// A zig that outlives the build environment (from `ZLIG_ZIG` or `PATH`), if one was used.
    zig: Option<&'a Path>,
}

/// The `.pth` file and the hook module of an editable wheel.
pub fn files(
    project: &Project,
    request: &Request,
    modules: &Artifacts,
    backend: Option<&dyn Backend>,
) -> Result<Vec<Entry>> {
    let module = format!(
        "_zlig_editable_{}",
        project.metadata.normalized.as_dist_info_name()
    );
    let source_dir = project.root.join(&project.layout.python_source);
    let mut pth = format!("{}\n", source_dir.display());
    if !modules.is_empty() {
        pth.push_str(&format!("import {module}\n"));
    }
    // Rebuilds use the backend of the install, whatever else is found later.
    let mut config_settings = request.config_settings.clone();
    if let Some(backend) = backend {
        config_settings
            .entry("backend".into())
            .or_insert_with(|| vec![backend.name().to_string()]);
    }
    let zig = backend.and_then(|b| b.zig());
    let config = HookConfig {
        project: &project.metadata.name,
        project_dir: &project.root,
        config_settings: &config_settings,
        modules,
        rebuild: project.settings.editable_rebuild,
        zig: zig
            .filter(|z| z.origin != "ziglang")
            .map(|z| z.path.as_path()),
    };
    let json = serde_json::to_string(&config).expect("hook config serializes");
    // A JSON string literal is also a valid Python string literal.
    let literal = serde_json::to_string(&json).expect("string serializes");
    let hook = format!(
        "\"\"\"Editable install of {name} by zlig: finds, and rebuilds on import, its extension modules.\"\"\"\n\nfrom zlig._editable import install\n\ninstall({literal})\n",
        name = project.metadata.name
    );
    let mut entries = vec![Entry {
        path: format!("{module}.pth"),
        content: Content::Generated(pth.into_bytes()),
        executable: false,
    }];
    if !modules.is_empty() {
        entries.push(Entry {
            path: format!("{module}.py"),
            content: Content::Generated(hook.into_bytes()),
            executable: false,
        });
    }
    Ok(entries)
}
