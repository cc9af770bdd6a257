//! The target interpreter's facts from its PEP 739 `build-details.json` (`-C
//! build-details=FILE`): where its C headers are, checked against the build first, so that
//! a cross build reads the headers of the interpreter that will load its modules.

use std::path::{Path, PathBuf};

use serde::Deserialize;

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
struct CApi {
    headers: Option<String>,
}

/// The include dir `build-details.json` names, as a value placed where the setting is, once
/// the file is shown to describe an interpreter of `target`: the same implementation and
/// Python version, and the extension suffix the build names its modules with.
pub fn headers(file: &Located<String>, target: &Target) -> Result<Located<String>> {
    let path = std::path::absolute(&file.value).unwrap_or_else(|_| PathBuf::from(&file.value));
    let text = std::fs::read_to_string(&path)
        .map_err(|err| file.error(format!("cannot read {}: {err}", path.display())))?;
    let details: BuildDetails = serde_json::from_str(&text).map_err(|err| {
        file.error(format!(
            "{} is not a PEP 739 build-details.json: {err}",
            path.display()
        ))
    })?;
    if details.schema_version.split('.').next() != Some("1") {
        return Err(file.error(format!(
            "{} has schema_version {}; zlig reads schema 1",
            path.display(),
            details.schema_version
        )));
    }
    let (major, minor) = target.python_version;
    let ours = format!("{major}.{minor}");
    let implementation = &details.implementation.name;
    if details.language.version != ours || *implementation != target.implementation {
        return Err(file.error(format!(
            "{} describes {implementation} {}, and the build is for {} {ours} (the interpreter running zlig)",
            path.display(),
            details.language.version,
            target.implementation
        )));
    }
    let suffix = details.abi.and_then(|abi| abi.extension_suffix);
    if let Some(suffix) = suffix.filter(|s| *s != target.ext_suffix) {
        return Err(file.error(format!(
            "the interpreter of {} loads extension modules named `*{suffix}`, and a build for {} names them `*{}`: it is not an interpreter of this target",
            path.display(),
            target.zig_triple,
            target.ext_suffix
        )));
    }
    let headers = details.c_api.and_then(|c| c.headers).ok_or_else(|| {
        file.error(format!(
            "{} has no `c_api.headers`: give the headers' folder with `-C python-include=DIR` instead",
            path.display()
        ))
    })?;
    let folder = path.parent().unwrap_or(Path::new("/"));
    let prefix = folder.join(&details.base_prefix);
    Ok(Located {
        value: prefix.join(headers).to_string_lossy().into_owned(),
        place: file.place.clone(),
    })
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

    #[test]
    fn a_file_without_c_api_headers_points_to_python_include() {
        let dir = tempfile::tempdir().unwrap();
        let file = details(dir.path(), "3.11", S390X, None);
        let err = headers(&file, &s390x()).unwrap_err().to_string();
        insta::assert_snapshot!(scrubbed(&err), @"config_settings: `build-details`: [TMP]/usr/lib/python3.11/build-details.json has no `c_api.headers`: give the headers' folder with `-C python-include=DIR` instead");
    }
}
