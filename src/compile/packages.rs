//! Headers from Python packages: an `include-dirs` entry `{ package = "numpy" }` is the
//! folder `numpy.get_include()` returns in the build environment.
//!
//! Only the interpreter running the hooks can answer, so the core asks it through a
//! `PackageLookup` (`host.rs` in the Python build: an import and a call in that very
//! process, with the build environment's `sys.path`; a `python -c` probe would start a
//! second interpreter and need that environment rebuilt). The folder it names lives in the
//! frontend's temporary environment, at a new path for every isolated build and gone after
//! it; so it is copied into the build dir under a name made of its content's hash. The
//! build file then names a folder that is the same from one isolated build to the next (a
//! rebuild compiles nothing) and that an editable install's rebuild still finds. A header
//! that is a link (conda and distributions link some) is copied, and hashed, as the file it
//! points to.

use std::path::{Path, PathBuf};

use crate::compile::graph::PackageHeaders;
use crate::compile::tool_home::{content_hash, copy_tree_atomically};
use crate::error::{IoContext, Result};
use crate::project::toml::Located;

/// Why a package's include folder could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// The package is not importable in the build environment.
    NotImportable(String),
    /// Importing it, finding the attribute or calling it failed, or it named no folder.
    Failed(String),
    /// It is not a package (`at_package`), or its attribute gives no path: the message
    /// says which.
    Wrong { at_package: bool, message: String },
}

/// The interpreter running the hooks, asked for `package.attr()`.
pub trait PackageLookup {
    fn include_dir(&self, package: &str, attr: &str) -> std::result::Result<PathBuf, LookupError>;
}

/// No interpreter to ask (the core without Python, as `cargo test` runs it).
pub struct NoInterpreter;

impl PackageLookup for NoInterpreter {
    fn include_dir(&self, package: &str, _: &str) -> std::result::Result<PathBuf, LookupError> {
        Err(LookupError::Failed(format!(
            "no Python interpreter to import `{package}` in"
        )))
    }
}

/// A lookup that calls a function (the Python build's `host::package_include`).
impl<F> PackageLookup for F
where
    F: Fn(&str, &str) -> std::result::Result<PathBuf, LookupError>,
{
    fn include_dir(&self, package: &str, attr: &str) -> std::result::Result<PathBuf, LookupError> {
        self(package, attr)
    }
}

/// The include folder of `package` (its `attr()`), and where its copy goes in `build_dir`;
/// a failure is placed at the entry, with the requirement to add when the package is not
/// importable.
pub fn headers(
    lookup: &dyn PackageLookup,
    package: &Located<String>,
    attr: &Located<String>,
    build_dir: &Path,
) -> Result<PackageHeaders> {
    let call = format!("`{}.{}`", package.value, attr.value);
    let found = lookup
        .include_dir(&package.value, &attr.value)
        .map_err(|err| match err {
            LookupError::NotImportable(why) => package.error(format!(
                "`{}` is not importable in the build environment ({why}): add it to `build-system.requires`, as in requires = [\"zlig>=0.1\", \"{}\"]",
                package.value,
                package.value.split('.').next().unwrap_or(&package.value)
            )),
            LookupError::Failed(why) => attr.error(format!("{call} failed: {why}")),
            LookupError::Wrong {
                at_package: true,
                message,
            } => package.error(message),
            LookupError::Wrong { message, .. } => attr.error(message),
        })?;
    let shown = {
        let text = format!("{:?}", found.display().to_string());
        match text.chars().count() > 100 {
            true => format!("{}…", text.chars().take(99).collect::<String>()),
            false => text,
        }
    };
    if !found.is_absolute() || !found.is_dir() {
        return Err(attr.error(format!("{call} gives {shown}, which is not a folder")));
    }
    // A folder above the build dir would be copied into itself, and its walk would read
    // everything below it: the whole file system, for `/`.
    if build_dir.starts_with(&found) {
        let what = match found.parent() {
            None => "the file system's root".to_string(),
            Some(_) => "a folder that holds the project's build dir".to_string(),
        };
        return Err(attr.error(format!(
            "{call} gives {shown}, {what}, not a folder of headers"
        )));
    }
    let hash = content_hash(&found).context(|| format!("reading {}", found.display()))?;
    let name = package.value.replace('.', "_");
    Ok(PackageHeaders {
        copy: build_dir.join("include").join(format!("{name}-{hash}")),
        found,
    })
}

/// Copies each package's headers into the build dir, unless a build did already.
pub fn settle(headers: &[PackageHeaders]) -> Result<()> {
    for package in headers {
        if !package.copy.is_dir() {
            copy_tree_atomically(&package.found, &package.copy, |_| true).context(|| {
                format!(
                    "copying {} to {}",
                    package.found.display(),
                    package.copy.display()
                )
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::toml::Place;

    fn located(value: &str) -> Located<String> {
        Located {
            value: value.into(),
            place: Place::unspanned(Path::new("pyproject.toml"), "include-dirs[0]"),
        }
    }

    #[test]
    fn headers_are_copied_under_their_content_hash() {
        let env = tempfile::tempdir().unwrap();
        let include = env.path().join("numpy/_core/include");
        std::fs::create_dir_all(include.join("numpy")).unwrap();
        std::fs::write(include.join("numpy/arrayobject.h"), "#define X 1\n").unwrap();
        let build = tempfile::tempdir().unwrap();
        let lookup = |package: &str, attr: &str| {
            assert_eq!((package, attr), ("numpy", "get_include"));
            Ok(include.clone())
        };
        let first = headers(
            &lookup,
            &located("numpy"),
            &located("get_include"),
            build.path(),
        )
        .unwrap();
        settle(std::slice::from_ref(&first)).unwrap();
        assert!(first.copy.join("numpy/arrayobject.h").is_file());
        let again = headers(
            &lookup,
            &located("numpy"),
            &located("get_include"),
            build.path(),
        )
        .unwrap();
        assert_eq!(first.copy, again.copy, "the same headers, the same folder");
        std::fs::write(include.join("numpy/arrayobject.h"), "#define X 2\n").unwrap();
        let changed = headers(
            &lookup,
            &located("numpy"),
            &located("get_include"),
            build.path(),
        )
        .unwrap();
        assert_ne!(first.copy, changed.copy);
    }

    #[test]
    fn headers_that_are_links_are_copied_as_the_files_they_point_to() {
        let env = tempfile::tempdir().unwrap();
        let include = env.path().join("include");
        std::fs::create_dir_all(env.path().join("real")).unwrap();
        std::fs::create_dir(&include).unwrap();
        std::fs::write(env.path().join("real/answer.h"), "#define ANSWER 42\n").unwrap();
        std::os::unix::fs::symlink("../real/answer.h", include.join("answer.h")).unwrap();
        let build = tempfile::tempdir().unwrap();
        let lookup = |_: &str, _: &str| Ok(include.clone());
        let found = headers(
            &lookup,
            &located("fakeinc"),
            &located("get_include"),
            build.path(),
        )
        .unwrap();
        settle(std::slice::from_ref(&found)).unwrap();
        let copy = found.copy.join("answer.h");
        assert!(!copy.is_symlink());
        assert_eq!(
            std::fs::read_to_string(copy).unwrap(),
            "#define ANSWER 42\n"
        );
        // The header's bytes are in the name: an edit through the link is a new copy.
        std::fs::write(env.path().join("real/answer.h"), "#define ANSWER 43\n").unwrap();
        let edited = headers(
            &lookup,
            &located("fakeinc"),
            &located("get_include"),
            build.path(),
        )
        .unwrap();
        assert_ne!(found.copy, edited.copy);
    }

    #[test]
    fn a_folder_that_is_no_folder_of_headers_is_refused() {
        let build = tempfile::tempdir().unwrap();
        let refused = |answer: std::result::Result<PathBuf, LookupError>| {
            let lookup = |_: &str, _: &str| answer.clone();
            headers(&lookup, &located("os"), &located("sep"), build.path())
                .unwrap_err()
                .to_string()
        };
        insta::assert_snapshot!(
            refused(Ok(PathBuf::from("/"))),
            @r#"pyproject.toml: `include-dirs[0]`: `os.sep` gives "/", the file system's root, not a folder of headers"#
        );
        let project = build.path().parent().unwrap().to_path_buf();
        insta::assert_snapshot!(refused(Ok(project)), @r#"
            pyproject.toml: `include-dirs[0]`: `os.sep` gives "/tmp", a folder that holds the project's build dir, not a folder of headers
            "#);
        let long = format!("/{}", "x".repeat(300));
        let err = refused(Ok(PathBuf::from(long)));
        insta::assert_snapshot!(err, @r#"
            pyproject.toml: `include-dirs[0]`: `os.sep` gives "/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…, which is not a folder
            "#);
        let err = refused(Err(LookupError::Wrong {
            at_package: true,
            message: "`os` is a module, not a package".into(),
        }));
        assert_eq!(
            err,
            "pyproject.toml: `include-dirs[0]`: `os` is a module, not a package"
        );
    }

    #[test]
    fn a_package_that_is_not_importable_names_the_requirement() {
        let lookup = |_: &str, _: &str| {
            Err(LookupError::NotImportable(
                "No module named 'nosuchpkg'".into(),
            ))
        };
        let err = headers(
            &lookup,
            &located("nosuchpkg"),
            &located("get_include"),
            Path::new("/b"),
        )
        .unwrap_err()
        .to_string();
        insta::assert_snapshot!(err, @r#"
            pyproject.toml: `include-dirs[0]`: `nosuchpkg` is not importable in the build environment (No module named 'nosuchpkg'): add it to `build-system.requires`, as in requires = ["zlig>=0.1", "nosuchpkg"]
            "#);
    }
}
