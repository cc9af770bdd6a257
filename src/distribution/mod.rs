//! Distributions: what goes in (`contents`), computed once as plain data, and the sinks
//! that store it (`writer`): the wheel, the editable wheel, the sdist, the metadata
//! directory, and modules copied next to their sources (`inplace`).

pub mod contents;
pub mod core_metadata;
pub mod editable;
pub mod inplace;
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
}
