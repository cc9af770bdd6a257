//! The build graph: every declared extension with its globs expanded, flags resolved and
//! output path named, ready for a backend.
//!
//! Everything here is a real path or a final value: `demo.demo` has become
//! `demo/demo.cpython-311-x86_64-linux-gnu.so`, `src/**/*.c` a sorted list of files. Backends
//! never look at `pyproject.toml`; this graph is all they get.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::project::Project;
use crate::project::discovery::ModuleKind;
use crate::project::settings::{ExtensionDecl, ExtensionLists, Optimize};
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

/// One input of the link step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum LinkInput {
    /// `-L`: an absolute folder to search for libraries.
    LibraryDir(PathBuf),
    /// `-l`: a library by name.
    Library(String),
    /// `-Wl,-rpath,DIR`: a run-time search path (`$ORIGIN` allowed).
    RPath(String),
    /// An object file, archive or shared library given by path (absolute).
    File(PathBuf),
}

/// Compiler and linker flags from the environment, honoured as setuptools does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EnvFlags {
    /// `CPPFLAGS` then `CFLAGS`.
    pub compile: Vec<String>,
    /// `LDFLAGS`.
    pub link: Vec<String>,
}

impl EnvFlags {
    /// Reads `CPPFLAGS`, `CFLAGS` and `LDFLAGS`, split as a POSIX shell would.
    pub fn from_env() -> Result<Self> {
        let split = |name: &str| -> Result<Vec<String>> {
            let value = std::env::var(name).unwrap_or_default();
            shlex::split(&value)
                .ok_or_else(|| Error::Usage(format!("{name}={value:?} has unbalanced quotes")))
        };
        let mut compile = split("CPPFLAGS")?;
        compile.extend(split("CFLAGS")?);
        Ok(Self {
            compile,
            link: split("LDFLAGS")?,
        })
    }
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
    /// Extra compiler flags: `CPPFLAGS`, `CFLAGS`, then `extra-compile-args`.
    pub compile_args: Vec<String>,
    /// What the link step takes, in order: library dirs, libraries, then `LDFLAGS` and
    /// `extra-link-args`.
    pub link: Vec<LinkInput>,
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
    /// Resolves the project's extensions for `target`, with flags from the environment.
    pub fn resolve(project: &Project, target: &Target, env: &EnvFlags) -> Result<Self> {
        let mut seen = BTreeSet::new();
        let mut extensions = Vec::new();
        for decl in &project.settings.extensions {
            if !seen.insert(decl.name.value.clone()) {
                return Err(decl.name.error("another extension has the same name"));
            }
            extensions.push(resolve_extension(project, target, env, decl)?);
        }
        let optimize = project.settings.optimize();
        if optimize.keeps_debug_info() {
            let maps = debug_path_maps(&[
                (project.root.as_path(), "."),
                (target.include_dir.as_path(), "python"),
            ]);
            for ext in &mut extensions {
                ext.compile_args.extend(maps.iter().cloned());
            }
        }
        Ok(Self {
            root: project.root.clone(),
            target: target.clone(),
            optimize,
            strip: !optimize.keeps_debug_info(),
            extensions,
        })
    }
}

/// Flags that keep absolute paths out of debug info: each folder is recorded under a
/// relative name, and the compilation dir as `.`, so Debug builds are reproducible too.
pub fn debug_path_maps(folders: &[(&Path, &str)]) -> Vec<String> {
    let mut flags = vec!["-fdebug-compilation-dir=.".to_string()];
    flags.extend(
        folders
            .iter()
            .map(|(folder, name)| format!("-ffile-prefix-map={}={name}", folder.display())),
    );
    flags
}

fn resolve_extension(
    project: &Project,
    target: &Target,
    env: &EnvFlags,
    decl: &ExtensionDecl,
) -> Result<Extension> {
    let name = &decl.name.value;
    let relative: PathBuf = name.split('.').collect();
    let first = name.split('.').next().unwrap_or(name);
    let top = project.layout.top_level.iter().find(|t| t.name == first);
    if let Some(top) = top.filter(|t| t.kind != ModuleKind::Extension) {
        if !name.contains('.') {
            return Err(decl.name.error(format!(
                "clashes with the {} {}; name the extension inside it, such as `{first}._{first}`",
                if top.kind == ModuleKind::Package {
                    "package"
                } else {
                    "module"
                },
                top.path.display()
            )));
        }
        if top.kind == ModuleKind::Module {
            return Err(decl.name.error(format!(
                "`{first}` is a module ({}), not a package: an extension cannot live inside it",
                top.path.display()
            )));
        }
    }
    if !project.layout.contains_module(name) {
        return Err(decl.name.error(format!(
            "the extension would live in package `{first}`, which is not one of the packages shipped; add it to `tool.zlig.packages`"
        )));
    }
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

    let markers = target.marker_environment();
    let lists: Vec<&ExtensionLists> = std::iter::once(&decl.lists)
        .chain(
            decl.when
                .iter()
                .filter(|w| w.marker.value.evaluate(&markers, &[]))
                .map(|w| &w.lists),
        )
        .collect();
    let root = &project.root;

    let mut sources = Vec::new();
    let mut depends = Vec::new();
    let mut include_dirs = Vec::new();
    let mut macros: Vec<Macro> = limited_api
        .map(|(major, minor)| Macro {
            name: "Py_LIMITED_API".into(),
            value: Some(format!("0x{major:02X}{minor:02X}0000")),
        })
        .into_iter()
        .collect();
    let mut undef_macros = Vec::new();
    let mut compile_args = env.compile.clone();
    let mut link_dirs = Vec::new();
    let mut libraries = Vec::new();
    let mut link_args = Vec::new();
    let mut languages = Vec::new();
    for list in &lists {
        for glob in &list.sources {
            for file in glob.expand(root)? {
                if sources.contains(&file) {
                    continue;
                }
                let language = source_language(&file).ok_or_else(|| {
                    glob.error(format!(
                        "`{}` is not a C (.c), C++ (.cc, .cpp, .cxx) or Zig (.zig) source; list headers in `depends`",
                        file.display()
                    ))
                })?;
                if language == Language::Zig && languages.contains(&Language::Zig) {
                    return Err(glob.error(format!(
                        "`{}` is a second .zig file; list only the root .zig file (other Zig files are reached through @import)",
                        file.display()
                    )));
                }
                languages.push(language);
                sources.push(file);
            }
        }
        depends.extend(expand(root, &list.depends)?);
        include_dirs.extend(existing_dirs(root, &list.include_dirs, "include")?);
        for value in &list.define_macros {
            macros.push(parse_macro(value)?);
        }
        for value in &list.undef_macros {
            undef_macros.push(macro_name(value, &value.value)?);
        }
        link_dirs.extend(
            existing_dirs(root, &list.library_dirs, "library")?
                .into_iter()
                .map(LinkInput::LibraryDir),
        );
        libraries.extend(
            list.libraries
                .iter()
                .map(|l| LinkInput::Library(l.value.clone())),
        );
        compile_args.extend(list.extra_compile_args.iter().map(|a| a.value.clone()));
        for (i, arg) in list.extra_link_args.iter().enumerate() {
            link_args
                .extend(link_input(root, &list.extra_link_args, i).map_err(|why| arg.error(why))?);
        }
    }
    let ldflags: Vec<Located<String>> = env
        .link
        .iter()
        .map(|flag| Located {
            value: flag.clone(),
            place: crate::project::toml::Place::unspanned(Path::new("LDFLAGS"), ""),
        })
        .collect();
    let mut env_link = Vec::new();
    for i in 0..ldflags.len() {
        env_link.extend(
            link_input(root, &ldflags, i).map_err(|why| Error::Usage(format!("LDFLAGS: {why}")))?,
        );
    }
    let language = link_language(decl, &languages)?;

    Ok(Extension {
        name: name.clone(),
        leaf,
        output,
        language,
        sources,
        include_dirs,
        macros,
        undef_macros,
        compile_args,
        link: link_dirs
            .into_iter()
            .chain(libraries)
            .chain(env_link)
            .chain(link_args)
            .collect(),
        depends,
        limited_api,
        optional: decl.optional,
    })
}

/// Expands globs; each must match at least one file.
fn expand(root: &Path, globs: &[Located<crate::project::files::Pattern>]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for glob in globs {
        files.extend(glob.expand(root)?);
    }
    Ok(files)
}

/// Translates the link argument at `args[i]` (which may consume the one after it, for
/// `-l NAME`) into link inputs. Backends take typed inputs, not raw linker flags, so that
/// each can express them; what has no typed form is refused with the reason.
fn link_input(
    root: &Path,
    args: &[Located<String>],
    i: usize,
) -> std::result::Result<Vec<LinkInput>, String> {
    let arg = args[i].value.as_str();
    if i > 0 && matches!(args[i - 1].value.as_str(), "-l" | "-L") {
        return Ok(Vec::new());
    }
    let next = || {
        args.get(i + 1)
            .map(|a| a.value.clone())
            .ok_or(format!("`{arg}` needs a value after it"))
    };
    let input = match arg {
        "-l" => LinkInput::Library(next()?),
        "-L" => LinkInput::LibraryDir(root.join(next()?)),
        "-pthread" => LinkInput::Library("pthread".into()),
        "-s" | "-static-libgcc" | "-static-libstdc++" => return Ok(Vec::new()),
        _ if arg.starts_with("-l") => LinkInput::Library(arg[2..].to_string()),
        _ if arg.starts_with("-L") => LinkInput::LibraryDir(root.join(&arg[2..])),
        _ if arg.starts_with("-Wl,-rpath,") => {
            LinkInput::RPath(arg["-Wl,-rpath,".len()..].to_string())
        }
        _ if arg.starts_with("-Wl,-rpath=") => {
            LinkInput::RPath(arg["-Wl,-rpath=".len()..].to_string())
        }
        _ if !arg.starts_with('-')
            && [".a", ".o", ".so"]
                .iter()
                .any(|s| arg.ends_with(s) || arg.contains(".so.")) =>
        {
            LinkInput::File(root.join(arg))
        }
        _ => {
            return Err(format!(
                "`{arg}` is not a link argument zlig can pass on; use -lNAME, -LDIR, -Wl,-rpath,DIR or the path of an object, archive or shared library"
            ));
        }
    };
    Ok(vec![input])
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

/// The language of a source file, by its suffix.
fn source_language(file: &Path) -> Option<Language> {
    match file.extension().and_then(|e| e.to_str())? {
        "c" => Some(Language::C),
        "cc" | "cpp" | "cxx" | "C" | "c++" => Some(Language::Cxx),
        "zig" => Some(Language::Zig),
        _ => None,
    }
}

/// The language the extension is linked as: the declared one, else the strongest among its
/// sources (Zig over C++ over C).
fn link_language(decl: &ExtensionDecl, languages: &[Language]) -> Result<Language> {
    let found = languages
        .iter()
        .copied()
        .fold(Language::C, Language::max_with);
    let Some(declared) = &decl.language else {
        return Ok(found);
    };
    let declared_language = match declared.value.as_str() {
        "c" => Language::C,
        "c++" => Language::Cxx,
        _ => Language::Zig,
    };
    match (declared_language, found) {
        (Language::C, Language::Cxx | Language::Zig) => {
            Err(declared.error("says `c`, but the sources include C++ or Zig files"))
        }
        (Language::Zig, Language::C | Language::Cxx) => {
            Err(declared.error("says `zig`, but no source is a .zig file"))
        }
        _ => Ok(declared_language.max_with(found)),
    }
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
            crate::project::files::check_inside(root, Path::new(&dir.value))
                .map_err(|why| dir.error(why))?;
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

/// Flags every C and C++ source gets, as CPython's own build uses them.
const BASE_FLAGS: &[&str] = &["-fwrapv", "-fno-strict-aliasing"];

impl Extension {
    /// The C/C++ flags every backend passes for this extension: CPython's base flags,
    /// `-DNDEBUG` outside `Debug`, macros, undefs, then the extra compile arguments.
    pub fn compile_flags(&self, optimize: Optimize) -> Vec<String> {
        let mut flags: Vec<String> = BASE_FLAGS.iter().map(|f| f.to_string()).collect();
        if optimize != Optimize::Debug {
            flags.push("-DNDEBUG".into());
        }
        flags.extend(self.macros.iter().map(Macro::flag));
        flags.extend(self.undef_macros.iter().map(|m| format!("-U{m}")));
        flags.extend(self.compile_args.iter().cloned());
        flags
    }
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
        let graph = BuildGraph::resolve(&project, &target, &EnvFlags::default()).unwrap();
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
        let graph = BuildGraph::resolve(&project.unwrap(), &target, &EnvFlags::default()).unwrap();
        let [x, y] = &graph.extensions[..] else {
            panic!()
        };
        assert_eq!(x.output, PathBuf::from("demo/x.abi3.so"));
        assert_eq!(x.macros[0].flag(), "-DPy_LIMITED_API=0x03080000");
        assert_eq!(y.macros[0].flag(), "-DPy_LIMITED_API=0x030A0000");
        let linux = crate::tags::PlatformTag::Linux {
            arch: "x86_64".into(),
        };
        let tag = crate::tags::WheelTag::binary(&target, &graph, vec![linux]);
        assert_eq!(tag.to_string(), "cp310-abi3-linux_x86_64");
    }

    #[test]
    fn when_entries_are_evaluated_against_the_target_not_the_host() {
        let toml = format!(
            "{HEAD}[[tool.zlig.extensions]]\nname = \"demo.x\"\nsources = [\"x.c\"]\n[[tool.zlig.extensions.when]]\nmarker = \"platform_machine == 'x86_64'\"\nsources = [\"x86.c\"]\ndefine-macros = [\"HAVE_SSE2\"]\n[[tool.zlig.extensions.when]]\nmarker = \"platform_machine == 'aarch64'\"\nsources = [\"arm.c\"]\n"
        );
        let (_dir, project) = project(&toml, &["demo/__init__.py", "x.c", "x86.c", "arm.c"]);
        let project = project.unwrap();
        let host = Target::resolve(&cpython311(), None).unwrap();
        let ext = &BuildGraph::resolve(&project, &host, &EnvFlags::default())
            .unwrap()
            .extensions[0];
        assert_eq!(ext.sources, [PathBuf::from("x.c"), PathBuf::from("x86.c")]);
        assert_eq!(ext.macros[0].flag(), "-DHAVE_SSE2");
        let setting = Located {
            value: "aarch64-linux-gnu.2.17".to_string(),
            place: crate::project::toml::Place::unspanned(Path::new("config_settings"), "target"),
        };
        let arm = Target::resolve(&cpython311(), Some(&setting)).unwrap();
        let ext = &BuildGraph::resolve(&project, &arm, &EnvFlags::default())
            .unwrap()
            .extensions[0];
        assert_eq!(ext.sources, [PathBuf::from("x.c"), PathBuf::from("arm.c")]);
        assert!(ext.macros.is_empty());
    }

    #[test]
    fn link_arguments_and_ldflags_become_typed_link_inputs() {
        let toml = format!(
            "{HEAD}[[tool.zlig.extensions]]\nname = \"demo.x\"\nsources = [\"x.c\"]\nlibraries = [\"m\"]\nlibrary-dirs = [\"lib\"]\nextra-link-args = [\"-l\", \"z\", \"-Wl,-rpath,$ORIGIN\", \"lib/libfoo.a\"]\nextra-compile-args = [\"-O3\"]\n"
        );
        let (dir, project) = project(&toml, &["demo/__init__.py", "x.c", "lib/libfoo.a"]);
        let target = Target::resolve(&cpython311(), None).unwrap();
        let env = EnvFlags {
            compile: vec!["-DFROM_ENV".into()],
            link: vec!["-L/opt/lib".into()],
        };
        let ext = &BuildGraph::resolve(&project.unwrap(), &target, &env)
            .unwrap()
            .extensions[0];
        let root = std::path::absolute(dir.path()).unwrap();
        assert_eq!(
            ext.link,
            [
                LinkInput::LibraryDir(root.join("lib")),
                LinkInput::Library("m".into()),
                LinkInput::LibraryDir("/opt/lib".into()),
                LinkInput::Library("z".into()),
                LinkInput::RPath("$ORIGIN".into()),
                LinkInput::File(root.join("lib/libfoo.a")),
            ]
        );
        assert_eq!(ext.compile_args, ["-DFROM_ENV", "-O3"]);
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
                .and_then(|p| BuildGraph::resolve(&p, &target, &EnvFlags::default()))
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains(expected), "{body}\n→ {err}");
        }
    }
}
