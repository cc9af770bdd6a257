//! The in-place sink (`zlig develop --inplace`): built modules copied next to their
//! sources, for running tests straight from a checkout, and recorded in the build dir so
//! that `zlig clean` removes them.

use std::path::PathBuf;

use crate::compile::Artifacts;
use crate::compile::build_dir::BuildDir;
use crate::compile::graph::Extension;
use crate::error::{IoContext, Result};
use crate::project::Project;

/// Copies each built module into the project's python-source folder at its package path,
/// recording it in `build_dir` (whose lock the caller holds); returns the files written.
pub fn copy_modules(
    project: &Project,
    extensions: &[Extension],
    artifacts: &Artifacts,
    build_dir: &BuildDir,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for ext in extensions {
        let Some(built) = artifacts.get(&ext.name) else {
            continue;
        };
        let target = project
            .root
            .join(&project.layout.python_source)
            .join(&ext.output);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).context(|| format!("creating {}", parent.display()))?;
        }
        // Copy to a temporary name and rename, so a running interpreter never maps a
        // half-written module.
        let temp = target.with_extension("so.zlig-tmp");
        std::fs::copy(built, &temp)
            .context(|| format!("copying {} to {}", built.display(), temp.display()))?;
        std::fs::rename(&temp, &target)
            .context(|| format!("moving {} into place", target.display()))?;
        written.push(target);
    }
    build_dir.record_inplace(&written)?;
    Ok(written)
}
