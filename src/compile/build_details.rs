//! An interpreter's facts from its PEP 739 `build-details.json`: where its C headers are,
//! checked against the build first. The target interpreter's file (`-C
//! build-details=FILE`) makes a cross build read the headers of the interpreter that will
//! load its modules; the running interpreter's own (Python 3.14 and later install one in
//! their standard library folder) tells a native build where its headers are.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::compile::target_headers::HeaderError;
use crate::error::Result;
use crate::project::toml::Located;
use crate::target::Target;

/// The fields zlig reads (PEP 739, schema 1.0); others are ignored.
#[derive(Debug, Deserialize)]
struct BuildDetails {
    schema_version: String,
    base_prefix: String,
    language: Language,
    implementation: Implementation,
    abi: Option<Abi>,
    suffixes: Option<Suffixes>,
    c_api: Option<CApi>,
}

#[derive(Debug, Deserialize)]
struct Language {
    version: String,
}

#[derive(Debug, Deserialize)]
struct Implementation {
    name: String,
}

#[derive(Debug, Deserialize)]
struct Abi {
    extension_suffix: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Suffixes {
    extensions: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct CApi {
    headers: Option<String>,
}

/// The include dir `build-details.json` names, as a value placed where the setting is, once
/// the file is shown to describe an interpreter of `target`: the same implementation and
/// Python version, and the extension suffix the build names its modules with.
pub fn headers(file: &Located<String>, target: &Target) -> Result<Located<String>> {
    let path = std::path::absolute(&file.value).unwrap_or_else(|_| PathBuf::from(&file.value));
    let headers = read(&path, target).map_err(|message| file.error(message))?;
    let headers = headers.ok_or_else(|| {
        file.error(format!(
            "{} has no `c_api.headers`: give the headers' folder with `-C python-include=DIR` instead",
            path.display()
        ))
    })?;
    Ok(Located {
        value: headers.to_string_lossy().into_owned(),
        place: file.place.clone(),
    })
}

/// The include dir the running interpreter's own `build-details.json` (`file`, found in
/// its standard library folder) names, checked as a given one is, for a native build;
/// `None` when it names none.
pub fn host_headers(file: &Path, target: &Target) -> Result<Option<PathBuf>> {
    read(file, target).map_err(|message| HeaderError::HostBuildDetails { message }.into())
}

/// The include dir a `build-details.json` at `path` names (`None` when it has no
/// `c_api.headers`), if it describes an interpreter of `target`; else why not.
fn read(path: &Path, target: &Target) -> std::result::Result<Option<PathBuf>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let details: BuildDetails = serde_json::from_str(&text).map_err(|err| {
        format!(
            "{} is not a PEP 739 build-details.json: {err}",
            path.display()
        )
    })?;
    if details.schema_version.split('.').next() != Some("1") {
        return Err(format!(
            "{} has schema_version {}; zlig reads schema 1",
            path.display(),
            details.schema_version
        ));
    }
    let (major, minor) = target.python_version;
    let ours = format!("{major}.{minor}");
    let implementation = &details.implementation.name;
    if details.language.version != ours || *implementation != target.implementation {
        return Err(format!(
            "{} describes {implementation} {}, and the build is for {} {ours} (the interpreter running zlig)",
            path.display(),
            details.language.version,
            target.implementation
        ));
    }
    // The PEP's `abi.extension_suffix`, else the suffixes the interpreter imports (Debian's
    // files list only those).
    let suffix = details.abi.and_then(|abi| abi.extension_suffix);
    let imported = details.suffixes.and_then(|s| s.extensions);
    let foreign = match (&suffix, &imported) {
        (Some(suffix), _) => (*suffix != target.ext_suffix).then(|| format!("`*{suffix}`")),
        (None, Some(all)) => (!all.contains(&target.ext_suffix)).then(|| {
            let all: Vec<String> = all.iter().map(|s| format!("`*{s}`")).collect();
            all.join(", ")
        }),
        (None, None) => None,
    };
    if let Some(theirs) = foreign {
        return Err(format!(
            "the interpreter of {} loads extension modules named {theirs}, and a build for {} names them `*{}`: it is not an interpreter of this target",
            path.display(),
            target.zig_triple,
            target.ext_suffix
        ));
    }
    let folder = path.parent().unwrap_or(Path::new("/"));
    let prefix = folder.join(&details.base_prefix);
    Ok(details
        .c_api
        .and_then(|c| c.headers)
        .map(|h| prefix.join(h)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::toml::Place;
    use crate::target::tests::cpython311;
    use crate::test_support::scrubbed;

    const S390X: &str = ".cpython-311-s390x-linux-gnu.so";

    fn s390x() -> Target {
        Target::resolve(&cpython311(), Some(&"s390x-linux-gnu".parse().unwrap())).unwrap()
    }

    /// A build-details.json in `<dir>/usr/lib/python3.11/` with these fields.
    fn details(dir: &Path, version: &str, suffix: &str, headers: Option<&str>) -> Located<String> {
        let c_api = headers.map_or(String::new(), |h| {
            format!(r#", "c_api": {{"headers": "{h}"}}"#)
        });
        let json = format!(
            r#"{{"schema_version": "1.0", "base_prefix": "../..", "platform": "linux-s390x",
            "language": {{"version": "{version}"}}, "implementation": {{"name": "cpython"}},
            "abi": {{"flags": [], "extension_suffix": "{suffix}"}}{c_api}}}"#
        );
        let file = dir.join("usr/lib/python3.11/build-details.json");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, json).unwrap();
        Located {
            value: file.to_string_lossy().into_owned(),
            place: Place::unspanned(Path::new("config_settings"), "build-details"),
        }
    }

    #[test]
    fn headers_are_relative_to_the_base_prefix_which_is_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = details(dir.path(), "3.11", S390X, Some("include/python3.11"));
        let found = headers(&file, &s390x()).unwrap();
        let expected = dir
            .path()
            .join("usr/lib/python3.11/../../include/python3.11");
        assert_eq!(PathBuf::from(found.value), expected);
    }

    #[test]
    fn an_absolute_headers_path_is_taken_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let file = details(
            dir.path(),
            "3.11",
            S390X,
            Some("/opt/py/include/python3.11"),
        );
        assert_eq!(
            headers(&file, &s390x()).unwrap().value,
            "/opt/py/include/python3.11"
        );
    }

    #[test]
    fn another_targets_or_versions_interpreter_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let host = details(
            dir.path(),
            "3.11",
            ".cpython-311-x86_64-linux-gnu.so",
            Some("include"),
        );
        let err = headers(&host, &s390x()).unwrap_err().to_string();
        insta::assert_snapshot!(scrubbed(&err), @"config_settings: `build-details`: the interpreter of [TMP]/usr/lib/python3.11/build-details.json loads extension modules named `*.cpython-311-x86_64-linux-gnu.so`, and a build for s390x-linux-gnu.2.17 names them `*.cpython-311-s390x-linux-gnu.so`: it is not an interpreter of this target");
        let newer = details(dir.path(), "3.13", S390X, Some("include"));
        let err = headers(&newer, &s390x()).unwrap_err().to_string();
        insta::assert_snapshot!(scrubbed(&err), @"config_settings: `build-details`: [TMP]/usr/lib/python3.11/build-details.json describes cpython 3.13, and the build is for cpython 3.11 (the interpreter running zlig)");
    }

    /// Debian's build-details.json: no `abi.extension_suffix`, the imported suffixes in
    /// `suffixes.extensions`.
    fn debians(dir: &Path, extensions: &str) -> PathBuf {
        let json = format!(
            r#"{{"schema_version": "1.0", "base_prefix": "/usr", "platform": "linux-s390x",
            "language": {{"version": "3.11"}}, "implementation": {{"name": "cpython"}},
            "abi": {{"flags": []}}, "suffixes": {{"extensions": [{extensions}]}},
            "c_api": {{"headers": "/usr/include/python3.11"}}}}"#
        );
        let file = dir.join("build-details..s390x-linux-gnu.json");
        std::fs::write(&file, json).unwrap();
        file
    }

    #[test]
    fn without_abi_extension_suffix_the_imported_suffixes_must_hold_the_builds() {
        let dir = tempfile::tempdir().unwrap();
        let ours = debians(dir.path(), &format!(r#""{S390X}", ".abi3.so", ".so""#));
        assert_eq!(
            host_headers(&ours, &s390x()).unwrap(),
            Some(PathBuf::from("/usr/include/python3.11"))
        );
        let theirs = debians(dir.path(), r#"".cpython-311-x86_64-linux-gnu.so", ".so""#);
        let err = host_headers(&theirs, &s390x()).unwrap_err().to_string();
        assert!(
            err.contains("loads extension modules named `*.cpython-311-x86_64-linux-gnu.so`, `*.so`, and a build for s390x-linux-gnu.2.17 names them `*.cpython-311-s390x-linux-gnu.so`"),
            "{err}"
        );
        assert!(
            err.ends_with("(the running interpreter's own build-details.json; `-C python-include=DIR` names its headers instead)"),
            "{err}"
        );
    }

    #[test]
    fn the_running_interpreters_file_without_c_api_headers_names_none() {
        let dir = tempfile::tempdir().unwrap();
        let file = details(dir.path(), "3.11", S390X, None);
        assert_eq!(
            host_headers(Path::new(&file.value), &s390x()).unwrap(),
            None
        );
    }

    #[test]
    fn a_file_without_c_api_headers_points_to_python_include() {
        let dir = tempfile::tempdir().unwrap();
        let file = details(dir.path(), "3.11", S390X, None);
        let err = headers(&file, &s390x()).unwrap_err().to_string();
        insta::assert_snapshot!(scrubbed(&err), @"config_settings: `build-details`: [TMP]/usr/lib/python3.11/build-details.json has no `c_api.headers`: give the headers' folder with `-C python-include=DIR` instead");
    }
}
