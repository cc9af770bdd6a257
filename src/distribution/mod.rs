//! Distributions: what goes in (`contents`), computed once as plain data and checked for
//! where it lands once installed (`installed`), and the sinks that store it (`writer`):
//! the wheel, the editable wheel, the sdist, the metadata directory, and modules copied
//! next to their sources (`inplace`).

pub mod contents;
pub mod core_metadata;
pub mod editable;
pub mod ignored;
pub mod inplace;
pub mod installed;
pub mod sbom;
pub mod sdist;
pub mod wheel;
pub mod writer;

use std::path::PathBuf;

use crate::project::files::PathError;

/// Why a distribution could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DistributionError {
    #[error(
        "the built module {0} would replace a file of the same name in the package; remove the file or add it to `tool.zlig.wheel.exclude`"
    )]
    ModuleReplacesFile(String),
    #[error("package {}: {problem}", .package.display())]
    PackageFiles {
        package: PathBuf,
        #[source]
        problem: PathError,
    },
    #[error("SOURCE_DATE_EPOCH={0} is not a number of seconds")]
    SourceDateEpoch(String),
    #[error("{context}: {source}")]
    Archive {
        context: String,
        #[source]
        source: zip::result::ZipError,
    },
    #[error(
        "the metadata directory {} does not match the project any more ({what} changed since prepare_metadata_for_build_wheel); run the build again",
        .dir.display()
    )]
    StaleMetadata { dir: PathBuf, what: String },
    /// A path that a `.pth` line cannot hold (`editable::pth_line`).
    #[error(
        "an editable install cannot name `{path}` on a line of its `.pth` file: {why}. Python reads a `.pth` file line by line and runs a line that starts with `import`, so zlig writes only a path that reads back unchanged: move the project to another folder"
    )]
    PthLine { path: String, why: String },
    #[error(
        "this editable install could not rebuild its extensions on import: {why}. Its modules would then stay as built now while you edit their sources. {remedy}; or, to install it anyway and reinstall after each edit of a C, C++, Cython or Zig source, add `-C editable-rebuild=false`"
    )]
    NoRebuild { why: String, remedy: String },
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Read;
    use std::path::Path;

    use sha2::{Digest, Sha256};

    use super::contents::{sdist_files, wheel_files};
    use super::sdist::write_sdist;
    use super::wheel::write_wheel;
    use super::writer::Timestamp;
    use crate::project::Project;
    use crate::tags::WheelTag;

    /// 1980-01-01, the zip epoch: what a build without SOURCE_DATE_EPOCH stamps.
    const EPOCH: Timestamp = Timestamp(315_532_800);

    fn sha256(path: &Path) -> String {
        let digest = Sha256::digest(std::fs::read(path).unwrap());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// examples/pure, every `[project]` field in a pure-Python project: its archives are
    /// pinned byte for byte, so that any change of output is a decision seen in a diff.
    #[test]
    fn the_pure_example_archives_are_pinned() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pure");
        let project = Project::load(&root, &BTreeMap::new()).unwrap();
        let out = tempfile::tempdir().unwrap();
        let metadata = super::core_metadata::render(&project.metadata);
        let files = wheel_files(&project, &[], &Default::default())
            .unwrap()
            .entries();
        let wheel = write_wheel(
            &project,
            &files,
            WheelTag::pure(),
            &metadata,
            None,
            out.path(),
            EPOCH,
        )
        .unwrap()
        .to_string();
        let sdist =
            write_sdist(&project, &sdist_files(&project).unwrap(), out.path(), EPOCH).unwrap();

        let mut archive =
            zip::ZipArchive::new(std::fs::File::open(out.path().join(&wheel)).unwrap()).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        let mut member = |name: &str| {
            let mut text = String::new();
            archive
                .by_name(name)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        };
        let info = "pure_example-2.1.0.dist-info";
        insta::assert_snapshot!("pure_wheel_names", names.join("\n"));
        insta::assert_snapshot!("pure_metadata", member(&format!("{info}/METADATA")));
        insta::assert_snapshot!("pure_wheel_file", member(&format!("{info}/WHEEL")));
        insta::assert_snapshot!("pure_record", member(&format!("{info}/RECORD")));
        let sdist_names: Vec<String> = tar::Archive::new(flate2::read::GzDecoder::new(
            std::fs::File::open(out.path().join(&sdist)).unwrap(),
        ))
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect();
        insta::assert_snapshot!("pure_sdist_names", sdist_names.join("\n"));

        assert_eq!(
            (wheel.as_str(), sha256(&out.path().join(&wheel))),
            (
                "pure_example-2.1.0-py3-none-any.whl",
                "2d6846d845e74f7707e7bd57ce9dcf1a728948691db32b88446ddb022b8dd0d1".to_string()
            )
        );
        assert_eq!(
            (sdist.as_str(), sha256(&out.path().join(&sdist))),
            (
                "pure_example-2.1.0.tar.gz",
                "2333cf91b7af3553e5d64026a6a5b72d3c72d52367f660fcb3698e9fe486d775".to_string()
            )
        );
    }
}
