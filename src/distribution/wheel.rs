//! The wheel (PEP 427, binary distribution format): package files and built modules, then
//! `.dist-info` with METADATA, WHEEL, entry points, licenses, and RECORD last.
//!
//! Spec: <https://packaging.python.org/en/latest/specifications/binary-distribution-format/>

use std::path::{Path, PathBuf};

use crate::distribution::DistributionError;
use crate::distribution::contents::Entry;
use crate::distribution::writer::{DirWriter, DistWriter, Timestamp, WheelWriter};
use crate::distribution::{core_metadata, sbom};
use crate::error::{IoContext, Result};
use crate::project::Project;
use crate::project::files::slash_path;
use crate::tags::{WheelFilename, WheelTag};

/// The `WHEEL` file.
fn wheel_file(tag: &WheelTag) -> String {
    format!(
        "Wheel-Version: 1.0\nGenerator: zlig {}\nRoot-Is-Purelib: {}\n{}",
        env!("CARGO_PKG_VERSION"),
        tag.is_pure(),
        tag.tag_lines()
    )
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
    // The project's own SBOMs (PEP 770), by file name; zlig's own has a name of its own.
    let mut sboms: Vec<String> = vec![sbom::FILE_NAME.to_string()];
    for glob in &project.settings.sbom_files {
        for file in glob.expand(&project.root)? {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if sboms.contains(&name) {
                return Err(glob.error(format!(
                    "`{}`: `.dist-info/sboms/` holds a file named `{name}` already; rename one of them",
                    slash_path(&file)
                )));
            }
            let source = project.root.join(&file);
            let bytes =
                std::fs::read(&source).context(|| format!("reading {}", source.display()))?;
            files.push((format!("{dist_info}/sboms/{name}"), bytes));
            sboms.push(name);
        }
    }
    Ok(files)
}

/// Writes the wheel into `out_dir` and returns its file name. `metadata` is the METADATA
/// text, taken verbatim from `prepare_metadata_for_build_wheel` when the frontend gave one;
/// `sbom` is zlig's SBOM of what it linked into the modules, when there are modules.
pub fn write_wheel(
    project: &Project,
    files: &[Entry],
    tag: WheelTag,
    metadata: &str,
    sbom: Option<&str>,
    out_dir: &Path,
    timestamp: Timestamp,
) -> Result<WheelFilename> {
    let filename = WheelFilename::new(
        project.metadata.normalized.clone(),
        project.metadata.version.clone(),
        tag,
    );
    let dist_info = project.metadata.dist_info();
    let mut writer: Box<dyn DistWriter> = Box::new(WheelWriter::new(
        out_dir.join(filename.to_string()),
        format!("{dist_info}/RECORD"),
        timestamp,
    )?);
    for entry in files {
        let bytes = entry.bytes()?;
        writer.add(&entry.path, &bytes, entry.executable)?;
    }
    let mut info = dist_info_files(project, metadata)?;
    info.push((
        format!("{dist_info}/WHEEL"),
        wheel_file(&filename.tag).into_bytes(),
    ));
    if let Some(sbom) = sbom {
        info.push((
            format!("{dist_info}/sboms/{}", sbom::FILE_NAME),
            sbom.as_bytes().to_vec(),
        ));
    }
    info.sort();
    for (path, bytes) in &info {
        writer.add(path, bytes, false)?;
    }
    writer.finish()?;
    Ok(filename)
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
    use crate::tags::tests::manylinux2014;

    #[test]
    fn wheel_file_lists_every_platform_tag() {
        assert_eq!(
            wheel_file(&manylinux2014()),
            format!(
                "Wheel-Version: 1.0\nGenerator: zlig {}\nRoot-Is-Purelib: false\nTag: cp311-cp311-manylinux_2_17_x86_64\nTag: cp311-cp311-manylinux2014_x86_64\n",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert!(
            wheel_file(&WheelTag::pure()).contains("Root-Is-Purelib: true\nTag: py3-none-any\n")
        );
    }
}
