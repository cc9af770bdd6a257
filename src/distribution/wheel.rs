//! The wheel (PEP 427, binary distribution format): package files and built modules, then
//! `.dist-info` with METADATA, WHEEL, entry points, licenses, and RECORD last.
//!
//! Spec: <https://packaging.python.org/en/latest/specifications/binary-distribution-format/>

use std::path::{Path, PathBuf};

use crate::compile::graph::BuildGraph;
use crate::distribution::DistributionError;
use crate::distribution::contents::Entry;
use crate::distribution::core_metadata;
use crate::distribution::writer::{DirWriter, DistWriter, Timestamp, WheelWriter};
use crate::error::{IoContext, Result};
use crate::project::Project;
use crate::project::files::slash_path;
use crate::target::Target;

/// A wheel's compatibility tag; several platforms make a compressed tag set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelTag {
    pub python: String,
    pub abi: String,
    pub platforms: Vec<String>,
}

impl WheelTag {
    /// `py3-none-any`, for wheels without compiled code.
    pub fn pure() -> Self {
        Self {
            python: "py3".into(),
            abi: "none".into(),
            platforms: vec!["any".into()],
        }
    }

    /// The tag of a wheel with compiled modules: `cp38-abi3-…` when every module uses the
    /// limited API (the newest version among them), else the interpreter's own tags.
    pub fn binary(target: &Target, graph: &BuildGraph, platforms: Vec<String>) -> Self {
        let limited: Option<Vec<(u32, u32)>> =
            graph.extensions.iter().map(|e| e.limited_api).collect();
        match limited.and_then(|versions| versions.into_iter().max()) {
            Some((major, minor)) => Self {
                python: format!("cp{major}{minor}"),
                abi: "abi3".into(),
                platforms,
            },
            None => Self {
                python: target.python_tag.clone(),
                abi: target.abi_tag.clone(),
                platforms,
            },
        }
    }

    /// The tag as it appears in the file name: platforms joined with `.`.
    pub fn compressed(&self) -> String {
        format!("{}-{}-{}", self.python, self.abi, self.platforms.join("."))
    }

    /// Whether the wheel holds only pure-Python code.
    pub fn is_pure(&self) -> bool {
        self.abi == "none" && self.platforms == ["any"]
    }

    /// The `WHEEL` file.
    fn wheel_file(&self) -> String {
        let mut out = format!(
            "Wheel-Version: 1.0\nGenerator: zlig {}\nRoot-Is-Purelib: {}\n",
            env!("CARGO_PKG_VERSION"),
            self.is_pure()
        );
        for platform in &self.platforms {
            out.push_str(&format!("Tag: {}-{}-{platform}\n", self.python, self.abi));
        }
        out
    }
}

/// The `.dist-info` files other than WHEEL and RECORD, in archive order.
fn dist_info_files(project: &Project, metadata: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let dist_info = project.metadata.dist_info();
    let mut files = vec![(
        format!("{dist_info}/METADATA"),
        metadata.as_bytes().to_vec(),
    )];
    if let Some(entry_points) = core_metadata::entry_points(&project.metadata) {
        files.push((
            format!("{dist_info}/entry_points.txt"),
            entry_points.into_bytes(),
        ));
    }
    for license in &project.metadata.license_files {
        let source = project.root.join(license);
        let bytes = std::fs::read(&source).context(|| format!("reading {}", source.display()))?;
        files.push((
            format!("{dist_info}/licenses/{}", slash_path(license)),
            bytes,
        ));
    }
    Ok(files)
}

/// Writes the wheel into `out_dir` and returns its file name. `metadata` is the METADATA
/// text, taken verbatim from `prepare_metadata_for_build_wheel` when the frontend gave one.
pub fn write_wheel(
    project: &Project,
    files: &[Entry],
    tag: &WheelTag,
    metadata: &str,
    out_dir: &Path,
    timestamp: Timestamp,
) -> Result<String> {
    let name = format!("{}-{}.whl", project.metadata.dist_stem(), tag.compressed());
    let dist_info = project.metadata.dist_info();
    let mut writer: Box<dyn DistWriter> = Box::new(WheelWriter::new(
        out_dir.join(&name),
        format!("{dist_info}/RECORD"),
        timestamp,
    )?);
    for entry in files {
        let bytes = entry.bytes()?;
        writer.add(&entry.path, &bytes, entry.executable)?;
    }
    let mut info = dist_info_files(project, metadata)?;
    info.push((format!("{dist_info}/WHEEL"), tag.wheel_file().into_bytes()));
    info.sort();
    for (path, bytes) in &info {
        writer.add(path, bytes, false)?;
    }
    writer.finish()?;
    Ok(name)
}

/// Writes the `.dist-info` folder for `prepare_metadata_for_build_wheel`; returns its name.
pub fn write_metadata_dir(project: &Project, out_dir: &Path) -> Result<String> {
    let dist_info = project.metadata.dist_info();
    let mut writer: Box<dyn DistWriter> = Box::new(DirWriter::new(out_dir.join(&dist_info))?);
    for (path, bytes) in dist_info_files(project, &core_metadata::render(&project.metadata))? {
        let relative = path.strip_prefix(&format!("{dist_info}/")).unwrap_or(&path);
        writer.add(relative, &bytes, false)?;
    }
    writer.finish()?;
    Ok(dist_info)
}

/// The METADATA of the metadata dir a frontend handed to `build_wheel`, which the wheel
/// must carry verbatim (PEP 517); refused when the project changed since it was written,
/// since the wheel's name would then say one thing and its METADATA another.
pub fn prepared_metadata(project: &Project, metadata_dir: &Path) -> Result<String> {
    let path: PathBuf = metadata_dir.join("METADATA");
    let prepared =
        std::fs::read_to_string(&path).context(|| format!("reading {}", path.display()))?;
    let current = core_metadata::render(&project.metadata);
    if prepared != current {
        return Err(DistributionError::StaleMetadata {
            dir: metadata_dir.to_path_buf(),
            what: first_difference(&prepared, &current),
        }
        .into());
    }
    Ok(prepared)
}

/// The first header field whose value differs between two METADATA texts, or
/// `the description`.
fn first_difference(old: &str, new: &str) -> String {
    let headers = |text: &str| -> Vec<(String, String)> {
        text.lines()
            .take_while(|line| !line.is_empty())
            .filter_map(|line| line.split_once(": "))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let (old, new) = (headers(old), headers(new));
    for i in 0..old.len().max(new.len()) {
        if old.get(i) != new.get(i) {
            let field = old
                .get(i)
                .or(new.get(i))
                .map(|(k, _)| k.clone())
                .unwrap_or_default();
            return format!("`{field}`");
        }
    }
    "the description".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_file_lists_every_platform_tag() {
        let tag = WheelTag {
            python: "cp311".into(),
            abi: "cp311".into(),
            platforms: vec![
                "manylinux_2_17_x86_64".into(),
                "manylinux2014_x86_64".into(),
            ],
        };
        assert_eq!(
            tag.compressed(),
            "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"
        );
        assert_eq!(
            tag.wheel_file(),
            format!(
                "Wheel-Version: 1.0\nGenerator: zlig {}\nRoot-Is-Purelib: false\nTag: cp311-cp311-manylinux_2_17_x86_64\nTag: cp311-cp311-manylinux2014_x86_64\n",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert!(
            WheelTag::pure()
                .wheel_file()
                .contains("Root-Is-Purelib: true\nTag: py3-none-any\n")
        );
    }
}
