//! The source distribution: a `{name}-{version}.tar.gz` with one top folder holding
//! `PKG-INFO` and the project files that can build the same wheel again (PEP 625).
//!
//! Spec: <https://packaging.python.org/en/latest/specifications/source-distribution-format/>

use std::path::Path;

use crate::distribution::contents::Entry;
use crate::distribution::core_metadata;
use crate::distribution::writer::{DistWriter, SdistWriter, Timestamp};
use crate::error::Result;
use crate::project::Project;

/// Writes the sdist into `out_dir` and returns its file name.
pub fn write_sdist(
    project: &Project,
    files: &[Entry],
    out_dir: &Path,
    timestamp: Timestamp,
) -> Result<String> {
    let stem = project.metadata.dist_stem();
    let name = format!("{stem}.tar.gz");
    let mut writer: Box<dyn DistWriter> =
        Box::new(SdistWriter::new(out_dir.join(&name), stem, timestamp)?);
    let mut entries: Vec<(&str, Vec<u8>, bool)> = vec![(
        "PKG-INFO",
        core_metadata::render(&project.metadata).into_bytes(),
        false,
    )];
    for entry in files {
        let bytes = entry.bytes()?;
        entries.push((&entry.path, bytes, entry.executable));
    }
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (path, bytes, executable) in entries {
        writer.add(path, &bytes, executable)?;
    }
    writer.finish()?;
    Ok(name)
}
