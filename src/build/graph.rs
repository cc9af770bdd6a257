//! The build graph: every declared extension with its globs expanded, flags resolved and
//! output path named, ready for a backend.
//!
//! Everything here is a real path or a final value: `demo.demo` has become
//! `demo/demo.cpython-311-x86_64-linux-gnu.so`, `src/**/*.c` a sorted list of files. Backends
//! never look at `pyproject.toml`; this graph is all they get.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Result;
use crate::project::Project;
use crate::project::settings::{ExtensionDecl, Optimize};
use crate::project::toml::Located;
use crate::target::Target;

/// The language an extension is linked as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Language {
    C,
    Cxx,
    Zig,
}

/// A preprocessor macro: `-DNAME`, `-DNAME=VALUE` or `-DNAME=` (`Some("")`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Macro {
    pub name: String,
    pub value: Option<String>,
}

/// One extension module, fully resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    /// The dotted module name.
    pub name: String,
    /// The module's own name: the last dotted part (`PyInit_<leaf>`).
    pub leaf: String,
    /// Where the module goes in the wheel, relative to the package root.
    pub output: PathBuf,
    pub language: Language,
    /// Source files, relative to the project root.
    pub sources: Vec<PathBuf>,
    /// Absolute include directories, in order.
    pub include_dirs: Vec<PathBuf>,
    pub macros: Vec<Macro>,
    pub undef_macros: Vec<String>,
    pub libraries: Vec<String>,
    pub library_dirs: Vec<PathBuf>,
    pub compile_args: Vec<String>,
    pub link_args: Vec<String>,
    /// Extra files that trigger a rebuild, relative to the project root.
    pub depends: Vec<PathBuf>,
    /// The limited API version it is built for (`Py_LIMITED_API`), making it abi3.
    pub limited_api: Option<(u32, u32)>,
    pub optional: bool,
}

/// The whole graph, with what is common to all extensions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildGraph {
    /// The absolute project root, against which sources are relative.
    pub root: PathBuf,
    pub target: Target,
    pub optimize: Optimize,
    /// Strip debug info from the output (every mode but `Debug`).
    pub strip: bool,
    pub extensions: Vec<Extension>,
}

impl BuildGraph {
    /// Resolves the project's extensions for `target`.
    pub fn resolve(project: &Project, target: &Target) -> Result<Self> {
        let mut seen = BTreeSet::new();
        let mut extensions = Vec::new();
        for decl in &project.settings.extensions {
            if !seen.insert(decl.name.value.clone()) {
                return Err(decl.name.error("another extension has the same name"));
            }
            extensions.push(resolve_extension(project, target, decl)?);
        }
        let optimize = project.settings.optimize();
        Ok(Self {
            root: project.root.clone(),
            target: target.clone(),
            optimize,
            strip: !optimize.keeps_debug_info(),
            extensions,
        })
    }
}

fn resolve_extension(
    project: &Project,
    target: &Target,
    decl: &ExtensionDecl,
) -> Result<Extension> {
    let name = &decl.name.value;
    if !project.layout.contains_module(name) {
        let package = name.split('.').next().unwrap_or(name);
        return Err(decl.name.error(format!(
            "the extension would live in package `{package}`, which is not one of the packages shipped; add it to `tool.zlig.packages`"
        )));
    }
    let relative: PathBuf = name.split('.').collect();
    let python_file = project
        .root
        .join(&project.layout.python_source)
        .join(relative.with_extension("py"));
    if python_file.is_file() {
        return Err(decl.name.error(format!(
            "clashes with the Python module {}; rename one of them",
            python_file
                .strip_prefix(&project.root)
                .unwrap_or(&python_file)
                .display()
        )));
    }
    let leaf = name.rsplit('.').next().unwrap_or(name).to_string();
    let limited_api = decl
        .py_limited_api
        .as_ref()
        .or(project.settings.py_limited_api.as_ref())
        .map(|value| limited_api_version(value, target))
        .transpose()?;
    let suffix = if limited_api.is_some() {
        ".abi3.so"
    } else {
        target.ext_suffix.as_str()
    };
    let output = relative.with_file_name(format!("{leaf}{suffix}"));

    let mut sources = Vec::new();
    for glob in &decl.sources {
        let files = glob.value.files(&project.root);
        if files.is_empty() {
            return Err(glob.error("matches no file"));
        }
        sources.extend(files);
    }
    sources.dedup();
    let language = language_of(decl, &sources)?;

    let mut depends = Vec::new();
    for glob in &decl.depends {
        let files = glob.value.files(&project.root);
        if files.is_empty() {
            return Err(glob.error("matches no file"));
        }
        depends.extend(files);
    }

    Ok(Extension {
        name: name.clone(),
        leaf,
        output,
        language,
        sources,
        include_dirs: existing_dirs(&project.root, &decl.include_dirs, "include")?,
        macros: limited_api
            .map(|(major, minor)| Macro {
                name: "Py_LIMITED_API".into(),
                value: Some(format!("0x{major:02X}{minor:02X}0000")),
            })
            .into_iter()
            .map(Ok)
            .chain(decl.define_macros.iter().map(parse_macro))
            .collect::<Result<_>>()?,
        undef_macros: decl
            .undef_macros
            .iter()
            .map(|m| macro_name(m, &m.value))
            .collect::<Result<_>>()?,
        libraries: decl.libraries.iter().map(|l| l.value.clone()).collect(),
        library_dirs: existing_dirs(&project.root, &decl.library_dirs, "library")?,
        compile_args: decl.extra_compile_args.clone(),
        link_args: decl.extra_link_args.clone(),
        depends,
        limited_api,
        optional: decl.optional,
    })
}

/// Parses `cp38`-style limited API versions; they cannot be newer than the interpreter.
fn limited_api_version(value: &Located<String>, target: &Target) -> Result<(u32, u32)> {
    let version = value
        .value
        .strip_prefix("cp3")
        .and_then(|minor| minor.parse::<u32>().ok())
        .map(|minor| (3, minor));
    let Some(version) = version else {
        return Err(value.error("expected a CPython version tag such as `cp38`"));
    };
    if target.abi_tag.ends_with('t') {
        return Err(value.error("the limited API is not available on free-threaded Python"));
    }
    if version > target.python_version {
        return Err(value.error(format!(
            "is newer than the interpreter building it ({})",
            target.python_tag
        )));
    }
    Ok(version)
}

fn language_of(decl: &ExtensionDecl, sources: &[PathBuf]) -> Result<Language> {
    let zig_roots = sources
        .iter()
        .filter(|s| s.extension().is_some_and(|e| e == "zig"))
        .count();
    if zig_roots > 1 {
        return Err(decl.sources[0].error(
            "matches several .zig files; list only the root .zig file (other Zig files are reached through @import)",
        ));
    }
    let mut language = Language::C;
    for source in sources {
        let ext = source.extension().and_then(|e| e.to_str()).unwrap_or("");
        match ext {
            "c" => {}
            "cc" | "cpp" | "cxx" | "C" | "c++" => {
                if language == Language::C {
                    language = Language::Cxx;
                }
            }
            "zig" => language = Language::Zig,
            _ => {
                let glob = &decl.sources[0];
                return Err(glob.error(format!(
                    "`{}` is not a C (.c), C++ (.cc, .cpp, .cxx) or Zig (.zig) source; list headers in `depends`",
                    source.display()
                )));
            }
        }
    }
    if let Some(declared) = &decl.language {
        let declared_language = match declared.value.as_str() {
            "c" => Language::C,
            "c++" => Language::Cxx,
            _ => Language::Zig,
        };
        if declared_language == Language::C && language != Language::C {
            return Err(declared.error("says `c`, but the sources include C++ or Zig files"));
        }
        return Ok(declared_language.max_with(language));
    }
    Ok(language)
}

impl Language {
    /// The language that links both: Zig over C++ over C.
    fn max_with(self, other: Self) -> Self {
        let rank = |l: Self| match l {
            Self::C => 0,
            Self::Cxx => 1,
            Self::Zig => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

fn existing_dirs(root: &Path, dirs: &[Located<String>], what: &str) -> Result<Vec<PathBuf>> {
    dirs.iter()
        .map(|dir| {
            crate::project::files::Pattern::new(&dir.value).map_err(|err| dir.error(err))?;
            let path = root.join(&dir.value);
            if !path.is_dir() {
                return Err(dir.error(format!("{what} directory `{}` does not exist", dir.value)));
            }
            Ok(path)
        })
        .collect()
}

fn macro_name(place: &Located<String>, name: &str) -> Result<String> {
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(name.to_string())
    } else {
        Err(place.error(format!("`{name}` is not a valid C macro name")))
    }
}

fn parse_macro(value: &Located<String>) -> Result<Macro> {
    let (name, macro_value) = match value.value.split_once('=') {
        Some((name, v)) => (name, Some(v.to_string())),
        None => (value.value.as_str(), None),
    };
    Ok(Macro {
        name: macro_name(value, name)?,
        value: macro_value,
    })
}

impl Macro {
    /// The compiler flag: `-DNAME`, `-DNAME=VALUE`.
    pub fn flag(&self) -> String {
        match &self.value {
            Some(value) => format!("-D{}={value}", self.name),
            None => format!("-D{}", self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::tests::cpython311;
    use std::collections::BTreeMap;

    fn project(toml: &str, files: &[&str]) -> (tempfile::TempDir, Result<Project>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), toml).unwrap();
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let project = Project::load(dir.path(), &BTreeMap::new());
        (dir, project)
    }

    const HEAD: &str = "[project]\nname = \"demo\"\nversion = \"1\"\n";

    #[test]
    fn names_resolve_to_paths_with_the_target_suffix() {
        let toml = format!(
            "{HEAD}[[tool.zlig.extensions]]\nname = \"demo._speedups\"\nsources = [\"src/**/*.c\", \"src/x.cpp\"]\ndefine-macros = [\"A\", \"B=2\", \"C=\", 'V=\"1.2\"']\ninclude-dirs = [\"include\"]\n"
        );
        let (_dir, project) = project(
            &toml,
            &[
                "src/demo/__init__.py",
                "src/demo/a.c",
                "src/b/c.c",
                "src/x.cpp",
                "include/h.h",
            ],
        );
        let project = project.unwrap();
        let target = Target::resolve(&cpython311(), None).unwrap();
        let graph = BuildGraph::resolve(&project, &target).unwrap();
        let ext = &graph.extensions[0];
        assert_eq!(
            ext.output,
            PathBuf::from("demo/_speedups.cpython-311-x86_64-linux-gnu.so")
        );
        assert_eq!(ext.leaf, "_speedups");
        assert_eq!(ext.language, Language::Cxx);
        assert_eq!(
            ext.sources,
            [
                PathBuf::from("src/b/c.c"),
                PathBuf::from("src/demo/a.c"),
                PathBuf::from("src/x.cpp")
            ]
        );
        let flags: Vec<String> = ext.macros.iter().map(Macro::flag).collect();
        assert_eq!(flags, ["-DA", "-DB=2", "-DC=", "-DV=\"1.2\""]);
        assert!(graph.strip);
    }

    #[test]
    fn limited_api_defines_the_macro_and_names_abi3_files() {
        let toml = format!(
            "{HEAD}[tool.zlig]\npy-limited-api = \"cp38\"\n[[tool.zlig.extensions]]\nname = \"demo.x\"\nsources = [\"x.c\"]\n[[tool.zlig.extensions]]\nname = \"demo.y\"\nsources = [\"x.c\"]\npy-limited-api = \"cp310\"\n"
        );
        let (_dir, project) = project(&toml, &["demo/__init__.py", "x.c"]);
        let target = Target::resolve(&cpython311(), None).unwrap();
        let graph = BuildGraph::resolve(&project.unwrap(), &target).unwrap();
        let [x, y] = &graph.extensions[..] else {
            panic!()
        };
        assert_eq!(x.output, PathBuf::from("demo/x.abi3.so"));
        assert_eq!(x.macros[0].flag(), "-DPy_LIMITED_API=0x03080000");
        assert_eq!(y.macros[0].flag(), "-DPy_LIMITED_API=0x030A0000");
        let tag =
            crate::dist::wheel::WheelTag::binary(&target, &graph, vec!["linux_x86_64".into()]);
        assert_eq!(tag.compressed(), "cp310-abi3-linux_x86_64");
    }

    #[test]
    fn resolution_errors_point_at_the_declaration() {
        let cases = [
            (
                "name = \"demo.x\"\nsources = [\"src/*.c\"]",
                &["demo/__init__.py"][..],
                "`tool.zlig.extensions[0].sources[0]`: matches no file",
            ),
            (
                "name = \"demo.x\"\nsources = [\"x.c\"]\ninclude-dirs = [\"inc\"]",
                &["demo/__init__.py", "x.c"][..],
                "include directory `inc` does not exist",
            ),
            (
                "name = \"demo.x\"\nsources = [\"x.c\"]",
                &["demo/__init__.py", "demo/x.py", "x.c"][..],
                "clashes with the Python module demo/x.py",
            ),
            (
                "name = \"other.x\"\nsources = [\"x.c\"]",
                &["demo/__init__.py", "x.c"][..],
                "not one of the packages shipped",
            ),
            (
                "name = \"demo.x\"\nsources = [\"x.h\"]",
                &["demo/__init__.py", "x.h"][..],
                "`x.h` is not a C (.c)",
            ),
            (
                "name = \"demo.x\"\nsources = [\"x.c\"]\ndefine-macros = [\"1BAD\"]",
                &["demo/__init__.py", "x.c"][..],
                "`1BAD` is not a valid C macro name",
            ),
        ];
        for (body, files, expected) in cases {
            let toml = format!("{HEAD}[[tool.zlig.extensions]]\n{body}\n");
            let (_dir, project) = project(&toml, files);
            let target = Target::resolve(&cpython311(), None).unwrap();
            let err = project
                .and_then(|p| BuildGraph::resolve(&p, &target))
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains(expected), "{body}\n→ {err}");
        }
    }
}
