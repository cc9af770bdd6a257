//! Where the files of a wheel land once installed, and what follows from it.
//!
//! Files at the wheel's root, in the `purelib` and `platlib` schemes and in a `data` path
//! below `lib/pythonX.Y/site-packages/` all land in site-packages; `scripts` land beside
//! the project's console scripts. So no file may replace another there or stand where
//! another needs a folder (`check`), names that macOS or Windows take for one are warned
//! of (`warn_of_lookalike_names`), and the dotted names the wheel makes importable are
//! read from there (`modules`, for PEP 794's `import-names`). Paths are wheel paths, in
//! `files::wheel_path`'s one form; this module reads no file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use unicode_normalization::UnicodeNormalization;

use crate::error::{ConfigError, Error, Result};
use crate::project::Project;
use crate::project::names::is_identifier;
use crate::project::toml::Place;

/// Where an entry of a wheel comes from, for messages about it.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// A file of the shipped packages.
    Package,
    /// A module zlig built.
    Module,
    /// A file zlig writes into an editable wheel (its `.pth` file and import hook).
    Editable,
    /// A script the installer makes from `[project.scripts]` or `gui-scripts` (the key).
    EntryPoint(&'static str),
    /// A file a setting puts there (`force-include`, `data`).
    Setting(&'a Place),
}

impl<'a> Origin<'a> {
    /// What the file is, after its path in a message.
    fn what(self) -> String {
        match self {
            Self::Package => "a file of the packages".into(),
            Self::Module => "a built module".into(),
            Self::Editable => "a file of the editable install".into(),
            Self::EntryPoint(key) => format!("a script of `{key}`"),
            Self::Setting(place) => format!("a file of `{}`", place.key),
        }
    }

    fn place(self) -> Option<&'a Place> {
        match self {
            Self::Setting(place) => Some(place),
            _ => None,
        }
    }
}

/// Where a file lands when installed: a scheme's folder, and the path below it.
type Destination<'p> = (&'static str, &'p str);

const SITE_PACKAGES: &str = "site-packages";

/// The `.data` folder of the project's wheel, `<name>-<version>.data`.
pub fn data_dir(project: &Project) -> String {
    format!("{}.data", project.metadata.dist_stem())
}

/// Where the wheel entry `path` lands (`data_dir` is the wheel's `.data` folder).
fn destination<'p>(path: &'p str, data_dir: &str) -> Destination<'p> {
    let below = path
        .strip_prefix(data_dir)
        .and_then(|rest| rest.strip_prefix('/'));
    let Some(below) = below else {
        return (SITE_PACKAGES, path);
    };
    let (scheme, rest) = below.split_once('/').unwrap_or((below, ""));
    match scheme {
        "purelib" | "platlib" => (SITE_PACKAGES, rest),
        "scripts" => ("scripts", rest),
        "headers" => ("headers", rest),
        "data" => match in_site_packages(rest) {
            Some(path) => (SITE_PACKAGES, path),
            None => ("data", rest),
        },
        _ => ("data", below),
    }
}

/// The path below site-packages where the wheel entry `path` lands, if it lands there
/// (`data_dir` is the wheel's `.data` folder).
pub fn in_site_packages_at<'p>(path: &'p str, data_dir: &str) -> Option<&'p str> {
    match destination(path, data_dir) {
        (SITE_PACKAGES, below) => Some(below),
        _ => None,
    }
}

/// The path below site-packages of a `data` scheme file that goes there: `data` installs
/// into the environment's root, where site-packages is `lib/pythonX.Y/site-packages`
/// (`lib64/…`, `lib/pypyX.Y/…`; `Lib/site-packages` on Windows).
fn in_site_packages(path: &str) -> Option<&str> {
    let (lib, rest) = path.split_once('/')?;
    let rest = match lib {
        "Lib" => rest,
        "lib" | "lib64" => {
            let (python, rest) = rest.split_once('/')?;
            (python.starts_with("python") || python.starts_with("pypy")).then_some(rest)?
        }
        _ => return None,
    };
    rest.strip_prefix("site-packages/")
}

/// How a message names a scheme's folder.
fn folder_name(scheme: &str) -> &'static str {
    match scheme {
        SITE_PACKAGES => "site-packages",
        "scripts" => "the environment's scripts folder",
        "headers" => "the environment's headers folder",
        _ => "the environment's root",
    }
}

/// Refuses a wheel (the `files` of it, each with its origin) in which a file would replace
/// another on install, or be a file where another needs a folder. The error is placed at
/// the setting that puts one of the two there.
pub fn check(project: &Project, files: &[(&str, Origin<'_>)]) -> Result<()> {
    let data_dir = data_dir(project);
    let scripts = [
        ("console_scripts", "project.scripts"),
        ("gui_scripts", "project.gui-scripts"),
    ];
    let entry_points = scripts.into_iter().flat_map(|(group, key)| {
        let names = project.metadata.entry_points.get(group).into_iter();
        names.flat_map(|names| names.keys()).map(move |name| {
            (
                ("scripts", name.as_str()),
                name.as_str(),
                Origin::EntryPoint(key),
            )
        })
    });
    let files = files
        .iter()
        .map(|&(path, origin)| (destination(path, &data_dir), path, origin));
    let mut landed: BTreeMap<Destination<'_>, (&str, Origin<'_>)> = BTreeMap::new();
    for (at, path, origin) in entry_points.chain(files) {
        // Case-blind, as macOS and Windows compare names.
        let top = at.1.split('/').next().unwrap_or_default().to_lowercase();
        if at.0 == SITE_PACKAGES && top.ends_with(".dist-info") {
            return Err(refuse(
                origin,
                origin,
                format!(
                    "`{path}` ({}) would be installed as `{}` in site-packages, in a `.dist-info` folder, where installers keep what they know of an installed distribution; choose another path",
                    origin.what(),
                    at.1
                ),
            ));
        }
        if let Some(&(first, first_origin)) = landed.get(&at) {
            let message = match first == path {
                true => format!(
                    "`{path}` in the wheel is {} already; choose another path",
                    first_origin.what()
                ),
                false => format!(
                    "`{path}` ({}) would be installed as `{}` in {}, where `{first}` ({}) goes already; choose another path",
                    origin.what(),
                    at.1,
                    folder_name(at.0),
                    first_origin.what()
                ),
            };
            return Err(refuse(origin, first_origin, message));
        }
        landed.insert(at, (path, origin));
    }
    for (&(scheme, installed), &(path, origin)) in &landed {
        let mut folder = installed;
        while let Some((parent, _)) = folder.rsplit_once('/') {
            if let Some(&(file, file_origin)) = landed.get(&(scheme, parent)) {
                return Err(refuse(
                    origin,
                    file_origin,
                    format!(
                        "`{file}` ({}) would be installed as the file `{parent}` in {}, where `{path}` ({}) needs a folder; choose another path",
                        file_origin.what(),
                        folder_name(scheme),
                        origin.what()
                    ),
                ));
            }
            folder = parent;
        }
    }
    Ok(())
}

/// The error about two files: at the setting of `first`, else of `second`.
fn refuse(first: Origin<'_>, second: Origin<'_>, message: String) -> Error {
    match first.place().or(second.place()) {
        Some(place) => place.error(message),
        None => ConfigError::without_place(Path::new("pyproject.toml"), "", message).into(),
    }
}

/// Warns about two files or folders whose installed names differ only in case or in
/// Unicode normalization (`é` as one code point or as `e` and a combining accent): the
/// file systems of macOS (and, for case, Windows) take them for one name, so one replaces
/// the other there. Each pair is named once, at the shortest paths that differ.
pub fn warn_of_lookalike_names(project: &Project, files: &[(&str, Origin<'_>)]) {
    let data_dir = data_dir(project);
    let mut names: BTreeSet<Destination<'_>> = BTreeSet::new();
    for &(path, _) in files {
        let (scheme, installed) = destination(path, &data_dir);
        let mut name = installed;
        loop {
            names.insert((scheme, name));
            match name.rsplit_once('/') {
                Some((parent, _)) => name = parent,
                None => break,
            }
        }
    }
    let mut by_fold: BTreeMap<(&str, String), &str> = BTreeMap::new();
    let mut warned: BTreeSet<(&str, String)> = BTreeSet::new();
    let mut by_depth: Vec<Destination<'_>> = names.into_iter().collect();
    by_depth.sort_by_key(|(scheme, name)| (name.matches('/').count(), *scheme, *name));
    for (scheme, name) in by_depth {
        let key = (scheme, fold(name));
        let parent_warned =
            std::iter::successors(name.rsplit_once('/'), |(p, _)| p.rsplit_once('/'))
                .any(|(parent, _)| warned.contains(&(scheme, fold(parent))));
        match by_fold.get(&key) {
            Some(&other) if !parent_warned => {
                eprintln!("zlig: warning: {}", lookalike_warning(other, name));
                warned.insert(key);
            }
            Some(_) => {}
            None => {
                by_fold.insert(key, name);
            }
        }
    }
}

/// The warning about two names that `fold` takes for one.
fn lookalike_warning(first: &str, second: &str) -> String {
    let nfc = |name: &str| name.nfc().collect::<String>();
    if nfc(first) == nfc(second) {
        let escaped = |name: &str| {
            name.chars()
                .map(|c| match c.is_ascii() {
                    true => c.to_string(),
                    false => c.escape_unicode().to_string(),
                })
                .collect::<String>()
        };
        format!(
            "the wheel installs `{first}` and `{second}` (`{}` and `{}`), one name in two Unicode normalization forms: macOS file systems take them for one, so one replaces the other when installed there; rename one",
            escaped(first),
            escaped(second)
        )
    } else {
        format!(
            "the wheel installs `{first}` and `{second}`, which differ only in case: macOS and Windows file systems ignore case, so one replaces the other when installed there; rename one"
        )
    }
}

/// A name as case-insensitive, normalizing file systems compare it.
fn fold(name: &str) -> String {
    name.nfd().flat_map(char::to_lowercase).nfc().collect()
}

/// The dotted names a wheel makes importable: the packages (any folder, with or without
/// `__init__.py`, of identifiers) and modules (`.py` files, extension modules) that its
/// `paths` (wheel paths) put in site-packages, and the `extensions` zlig builds.
pub fn modules<'a>(
    project: &Project,
    paths: impl IntoIterator<Item = String>,
    extensions: impl IntoIterator<Item = &'a String>,
) -> BTreeSet<String> {
    let data_dir = data_dir(project);
    let mut names = BTreeSet::new();
    for path in paths {
        if let Some(installed) = in_site_packages_at(&path, &data_dir) {
            add_modules(&mut names, installed);
        }
    }
    for name in extensions {
        let mut dotted = String::new();
        for part in name.split('.') {
            if !dotted.is_empty() {
                dotted.push('.');
            }
            dotted.push_str(part);
            names.insert(dotted.clone());
        }
    }
    names
}

/// Adds the packages above a file in site-packages, and the module it is, to `names`.
fn add_modules(names: &mut BTreeSet<String>, installed: &str) {
    let parts: Vec<&str> = installed.split('/').collect();
    let Some((file, folders)) = parts.split_last() else {
        return;
    };
    let mut dotted = Vec::new();
    for folder in folders {
        if !is_identifier(folder) {
            return;
        }
        dotted.push(*folder);
        names.insert(dotted.join("."));
    }
    let stem = match file.strip_suffix(".py") {
        Some(stem) => Some(stem),
        // An extension module: `name.so`, `name.abi3.so`, `name.cpython-312-….so`, `.pyd`.
        None if file.ends_with(".so") || file.ends_with(".pyd") => file.split('.').next(),
        None => None,
    };
    if let Some(stem) = stem.filter(|s| is_identifier(s) && *s != "__init__") {
        dotted.push(stem);
        names.insert(dotted.join("."));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_land_in_site_packages_from_the_root_purelib_platlib_and_data() {
        let data = "p-1.data";
        for (path, expected) in [
            ("pkg/a.py", (SITE_PACKAGES, "pkg/a.py")),
            ("p-1.data/purelib/pkg/a.py", (SITE_PACKAGES, "pkg/a.py")),
            ("p-1.data/platlib/pkg/a.py", (SITE_PACKAGES, "pkg/a.py")),
            (
                "p-1.data/data/lib/python3.12/site-packages/pkg/a.py",
                (SITE_PACKAGES, "pkg/a.py"),
            ),
            (
                "p-1.data/data/Lib/site-packages/pkg/a.py",
                (SITE_PACKAGES, "pkg/a.py"),
            ),
            ("p-1.data/data/share/pkg/a.py", ("data", "share/pkg/a.py")),
            ("p-1.data/scripts/tool", ("scripts", "tool")),
            ("p-1.data/headers/p.h", ("headers", "p.h")),
        ] {
            assert_eq!(destination(path, data), expected, "{path}");
        }
    }

    #[test]
    fn importable_names_are_folders_of_identifiers_and_modules() {
        let mut names = BTreeSet::new();
        for path in [
            "pkg/__init__.py",
            "pkg/sub/data.txt",
            "pkg/fast.cpython-312-x86_64-linux-gnu.so",
            "pkg/_c.abi3.so",
            "pkg/stubs.pyi",
            "pkg-stubs/__init__.pyi",
            "extra.py",
            "my-data/x.py",
        ] {
            add_modules(&mut names, path);
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(names, ["extra", "pkg", "pkg._c", "pkg.fast", "pkg.sub"]);
    }

    #[test]
    fn lookalike_names_fold_to_one() {
        assert_eq!(fold("Pkg/Data.TXT"), fold("pkg/data.txt"));
        assert_eq!(fold("caf\u{e9}"), fold("cafe\u{301}"));
        assert_ne!(fold("pkg/a"), fold("pkg/b"));
        insta::assert_snapshot!(
            lookalike_warning("pkg/caf\u{e9}.txt", "pkg/cafe\u{301}.txt"),
            @"the wheel installs `pkg/caf\u{e9}.txt` and `pkg/cafe\u{301}.txt` (`pkg/caf\\u{e9}.txt` and `pkg/cafe\\u{301}.txt`), one name in two Unicode normalization forms: macOS file systems take them for one, so one replaces the other when installed there; rename one"
        );
        insta::assert_snapshot!(
            lookalike_warning("pkg/Data.txt", "pkg/data.txt"),
            @"the wheel installs `pkg/Data.txt` and `pkg/data.txt`, which differ only in case: macOS and Windows file systems ignore case, so one replaces the other when installed there; rename one"
        );
    }
}
