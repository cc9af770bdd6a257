//! Finds the Python packages and modules that go into the wheel.
//!
//! Inputs are `python-source` and `packages` (or their defaults: `src/` when the package is
//! there, else the root; the import name of the project). A top-level name may be a package
//! directory (with or without `__init__.py`), a single `.py` module, a stub-only `-stubs`
//! package, or the name of a top-level extension module, which has no Python file at all
//! but may have a folder of its name beside it that holds only its stubs
//! (`fast/__init__.pyi`, `fast/py.typed`), shipped as setuptools ships it.

use std::path::{Path, PathBuf};

use super::files::{Kind, PathError, Pattern, check_file_kind, check_inside, existing, slash_path};
use super::names::{import_name, is_identifier};
use super::toml::Located;
use crate::error::Result;

/// What a top-level name turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleKind {
    /// A directory, shipped with everything in it.
    Package,
    /// A single `name.py` file.
    Module,
    /// No Python file: the name of a top-level extension module.
    Extension,
    /// A top-level extension module with a folder of its name that holds no Python module,
    /// only stubs (`.pyi`), `py.typed` or data. The folder is shipped beside the module;
    /// Python imports the module, since a module file wins over a folder without
    /// `__init__`, and type checkers read the folder's stubs.
    ExtensionWithStubs,
}

/// One top-level package or module of the wheel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopLevel {
    pub name: String,
    pub kind: ModuleKind,
    /// Project-relative path of the directory or file: the stubs folder of an
    /// `ExtensionWithStubs`, empty for an `Extension`.
    pub path: PathBuf,
}

/// The packages of the project and where they live.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Project-relative folder holding the packages (empty for the root).
    pub python_source: PathBuf,
    pub top_level: Vec<TopLevel>,
}

impl Layout {
    /// Resolves the layout. `extensions` are the dotted names of all extensions, so that a
    /// top-level extension counts as a module.
    pub fn discover(
        root: &Path,
        project_name: &Located<String>,
        python_source: Option<&Located<String>>,
        packages: Option<&[Located<String>]>,
        extensions: &[&Located<String>],
    ) -> Result<Self> {
        let extension_names: Vec<&str> = extensions.iter().map(|e| e.value.as_str()).collect();
        let names = names_to_ship(project_name, packages)?;
        let python_source = match python_source {
            Some(dir) => existing(root, dir, Kind::Folder, "folder")?,
            None => default_python_source(root, &names)?,
        };
        let mut top_level = Vec::new();
        for name in &names {
            let found = find(root, &python_source, &name.value).map_err(|why| name.error(why))?;
            let is_extension = extension_names.contains(&name.value.as_str());
            if let Some(mut found) = found {
                check_inside(root, &found.path).map_err(|why| name.error(why))?;
                let stubs_folder = is_extension
                    && found.kind == ModuleKind::Package
                    && found.name == name.value
                    && only_stubs(root, &found.path).map_err(|why| name.error(why))?;
                if stubs_folder {
                    found.kind = ModuleKind::ExtensionWithStubs;
                }
                top_level.push(found);
            } else if is_extension {
                top_level.push(TopLevel::extension(&name.value));
            } else if packages.is_some() || !extension_names.iter().any(|ext| !ext.contains('.')) {
                return Err(missing(&python_source, name, packages.is_none()));
            }
            // Else: only top-level extensions and no package of the project's name; ship those.
        }
        for ext in extensions.iter().filter(|ext| !ext.value.contains('.')) {
            if top_level.iter().any(|t| t.name == ext.value) {
                continue;
            }
            let folder = python_source.join(&ext.value);
            let has_stubs = is_package(root, &folder).map_err(|why| ext.error(why))?
                && only_stubs(root, &folder).map_err(|why| ext.error(why))?;
            top_level.push(match has_stubs {
                true => {
                    check_inside(root, &folder).map_err(|why| ext.error(why))?;
                    TopLevel {
                        name: ext.value.clone(),
                        kind: ModuleKind::ExtensionWithStubs,
                        path: folder,
                    }
                }
                false => TopLevel::extension(&ext.value),
            });
        }
        Ok(Self {
            python_source,
            top_level,
        })
    }

    /// The file to read dynamic `version` and `description` from: the first package's
    /// `__init__.py`, or the first module. (Each was checked to be a regular file, if
    /// there, when the packages were found.)
    pub fn dynamic_source(&self, root: &Path) -> Option<PathBuf> {
        self.top_level.iter().find_map(|t| match t.kind {
            ModuleKind::Package if root.join(&t.path).join("__init__.py").is_file() => {
                Some(t.path.join("__init__.py"))
            }
            ModuleKind::Module => Some(t.path.clone()),
            _ => None,
        })
    }

    /// Whether the dotted `module` would be shipped inside one of the packages.
    pub fn contains_module(&self, module: &str) -> bool {
        let first = module.split('.').next().unwrap_or(module);
        self.top_level
            .iter()
            .any(|t| t.name == first && (t.kind == ModuleKind::Package || !module.contains('.')))
    }
}

impl TopLevel {
    /// A top-level extension module, which has no Python file.
    fn extension(name: &str) -> Self {
        Self {
            name: name.to_string(),
            kind: ModuleKind::Extension,
            path: PathBuf::new(),
        }
    }
}

/// The names `packages` gives (each checked), else the project's import name.
fn names_to_ship(
    project_name: &Located<String>,
    packages: Option<&[Located<String>]>,
) -> Result<Vec<Located<String>>> {
    let Some(packages) = packages else {
        return Ok(vec![Located {
            value: import_name(&project_name.value),
            place: project_name.place.clone(),
        }]);
    };
    for name in packages {
        if !is_top_level_name(&name.value) {
            return Err(name.error(
                "expected the name of a top-level package or module, such as `pkg` (not a path)",
            ));
        }
    }
    Ok(packages.to_vec())
}

/// `src` when one of the packages is there, else the project root.
fn default_python_source(root: &Path, names: &[Located<String>]) -> Result<PathBuf> {
    for name in names {
        if find(root, Path::new("src"), &name.value)
            .map_err(|why| name.error(why))?
            .is_some()
        {
            return Ok(PathBuf::from("src"));
        }
    }
    Ok(PathBuf::new())
}

/// The error for a package or module that is not there, saying what was looked for.
fn missing(python_source: &Path, name: &Located<String>, defaulted: bool) -> crate::error::Error {
    let dir = python_source.join(&name.value);
    name.error(format!(
        "no package or module `{0}`: expected `{1}/__init__.py` or `{1}.py`{2}",
        name.value,
        slash_path(&dir),
        if defaulted {
            "; set `tool.zlig.packages` to name the packages to ship"
        } else {
            ""
        }
    ))
}

/// A top-level import name, or a stub package's `name-stubs`.
fn is_top_level_name(name: &str) -> bool {
    is_identifier(name.strip_suffix("-stubs").unwrap_or(name))
}

/// Whether a project folder is a Python package: it has an `__init__.py`, or (a namespace
/// package) Python files somewhere below it. A folder of C sources named like the module
/// it builds is not one.
fn is_package(root: &Path, dir: &Path) -> Result<bool, PathError> {
    let init = dir.join("__init__.py");
    check_file_kind(root, &init)?;
    if root.join(init).is_file() {
        return Ok(true);
    }
    let python_files = Pattern::new(&format!("{}/**/*.{{py,pyi}}", slash_path(dir)))?;
    Ok(!python_files.files_inside(root)?.is_empty())
}

/// Whether a project folder holds no Python module at all (no `__init__.py`, no other `.py`),
/// so that it can be the stubs folder of a top-level extension of its name.
fn only_stubs(root: &Path, dir: &Path) -> Result<bool, PathError> {
    let modules = Pattern::new(&format!("{}/**/*.py", slash_path(dir)))?;
    Ok(modules.files_inside(root)?.is_empty())
}

/// The top-level package or module `name` in the folder `source`, if there is one.
fn find(root: &Path, source: &Path, name: &str) -> Result<Option<TopLevel>, PathError> {
    let package = |path: PathBuf, name: String| TopLevel {
        name,
        kind: ModuleKind::Package,
        path,
    };
    let dir = source.join(name);
    if is_package(root, &dir)? {
        return Ok(Some(package(dir, name.to_string())));
    }
    let stubs = source.join(format!("{name}-stubs"));
    if is_package(root, &stubs)? {
        return Ok(Some(package(stubs, format!("{name}-stubs"))));
    }
    let file = source.join(format!("{name}.py"));
    check_file_kind(root, &file)?;
    Ok(root.join(&file).is_file().then(|| TopLevel {
        name: name.to_string(),
        kind: ModuleKind::Module,
        path: file,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::files::tests::tree;
    use crate::project::toml::Place;

    fn discover(
        files: &[&str],
        name: &str,
        packages: Option<&[&str]>,
        exts: &[&str],
    ) -> Result<Layout> {
        let dir = tree(files);
        let located = |value: &str, key: &str| Located {
            value: value.to_string(),
            place: Place::unspanned(Path::new("pyproject.toml"), key),
        };
        let packages: Option<Vec<Located<String>>> =
            packages.map(|p| p.iter().map(|n| located(n, "tool.zlig.packages")).collect());
        let exts: Vec<Located<String>> = exts
            .iter()
            .map(|e| located(e, "tool.zlig.extensions[0].name"))
            .collect();
        Layout::discover(
            dir.path(),
            &located(name, "project.name"),
            None,
            packages.as_deref(),
            &exts.iter().collect::<Vec<_>>(),
        )
    }

    #[test]
    fn src_layout_is_found_by_default() {
        let layout = discover(&["src/my_pkg/__init__.py"], "My-Pkg", None, &[]).unwrap();
        assert_eq!(layout.python_source, PathBuf::from("src"));
        assert_eq!(layout.top_level[0].path, PathBuf::from("src/my_pkg"));
    }

    #[test]
    fn flat_layout_with_modules_stubs_and_top_level_extension() {
        let layout = discover(
            &["a/__init__.py", "b.py", "c-stubs/__init__.pyi"],
            "x",
            Some(&["a", "b", "c", "_speedups"]),
            &["_speedups", "a._inner"],
        )
        .unwrap();
        let kinds: Vec<_> = layout
            .top_level
            .iter()
            .map(|t| (t.name.as_str(), t.kind.clone()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a", ModuleKind::Package),
                ("b", ModuleKind::Module),
                ("c-stubs", ModuleKind::Package),
                ("_speedups", ModuleKind::Extension)
            ]
        );
        assert!(layout.contains_module("a._inner"));
        assert!(!layout.contains_module("b._inner"));
    }

    #[test]
    fn a_folder_of_c_sources_is_not_a_package() {
        let layout = discover(
            &["src/fast/fast.c", "fast-stubs/__init__.pyi"],
            "fast",
            Some(&["fast"]),
            &["fast"],
        )
        .unwrap();
        assert_eq!(layout.python_source, PathBuf::new());
        let names: Vec<_> = layout
            .top_level
            .iter()
            .map(|t| (t.name.as_str(), t.kind.clone()))
            .collect();
        assert_eq!(
            names,
            [
                ("fast-stubs", ModuleKind::Package),
                ("fast", ModuleKind::Extension)
            ]
        );
    }

    #[test]
    fn a_folder_of_stubs_ships_beside_the_top_level_extension_of_its_name() {
        let files = [
            "src/fast/__init__.pyi",
            "src/fast/py.typed",
            "src/fast/fast.c",
        ];
        for packages in [Some(&["fast"][..]), None] {
            let layout = discover(&files, "fast", packages, &["fast"]).unwrap();
            assert_eq!(layout.python_source, PathBuf::from("src"));
            assert_eq!(
                layout.top_level,
                [TopLevel {
                    name: "fast".into(),
                    kind: ModuleKind::ExtensionWithStubs,
                    path: "src/fast".into(),
                }]
            );
        }
        // A top-level extension that is not the project's package finds its stubs too.
        let layout = discover(
            &["fast/__init__.pyi", "other/__init__.py"],
            "other",
            None,
            &["fast"],
        )
        .unwrap();
        assert_eq!(layout.top_level[1].kind, ModuleKind::ExtensionWithStubs);
        // A folder with a Python module is a package, which the extension would clash with.
        let layout = discover(
            &["fast/__init__.pyi", "fast/helpers.py"],
            "fast",
            None,
            &["fast"],
        )
        .unwrap();
        assert_eq!(layout.top_level[0].kind, ModuleKind::Package);
    }

    #[test]
    fn package_entries_must_be_names_not_paths() {
        let err = discover(
            &["pkg/__init__.py"],
            "x",
            Some(&["pkg", "../out/opkg"]),
            &[],
        )
        .err()
        .unwrap()
        .to_string();
        insta::assert_snapshot!(err, @"pyproject.toml: `tool.zlig.packages`: expected the name of a top-level package or module, such as `pkg` (not a path)");
    }

    #[test]
    fn missing_package_says_what_was_looked_for() {
        let err = discover(&["other/__init__.py"], "demo", None, &[])
            .err()
            .unwrap()
            .to_string();
        insta::assert_snapshot!(err, @"pyproject.toml: `project.name`: no package or module `demo`: expected `demo/__init__.py` or `demo.py`; set `tool.zlig.packages` to name the packages to ship");
    }
}
