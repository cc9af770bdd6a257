//! The build graph: every declared extension with its globs expanded, flags resolved and
//! output path named, ready for a backend; and its one serialized form.
//!
//! Everything here is a real path or a final value: `demo.demo` has become
//! `demo/demo.cpython-311-x86_64-linux-gnu.so`, `src/**/*.c` a sorted list of files, macros
//! and environment flags one list of compiler flags. Backends never look at
//! `pyproject.toml`; this graph is all they get. Its JSON (serde, below) is the one schema
//! shared by the snapshot, the `zig` backend's `graph.json` and the third-party backend
//! protocol (`python/zlig/backends.py` decodes it); ARCHITECTURE.md documents it.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::project::extension::Language;
use crate::project::settings::Optimize;
use crate::target::Target;

/// Bumped when the serialized graph changes shape.
pub const SCHEMA: u32 = 3;

/// One input of the link step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value")]
pub enum LinkInput {
    /// `-L`: an absolute folder to search for libraries.
    LibraryDir(PathBuf),
    /// `-l`: a library by name.
    Library(String),
    /// `-Wl,-rpath,DIR`: a run-time search path (`$ORIGIN` allowed).
    RPath(String),
    /// An object file, archive or shared library given by path (absolute).
    File(PathBuf),
    /// A linker option that zig's linker understands, as `-Wl,` takes it: `-z,relro`,
    /// `-z,norelro`, `-z,now`, `-z,lazy`, `--gc-sections`, `--build-id[=STYLE]`,
    /// `--enable-new-dtags`, `--disable-new-dtags` (`compile::link_args`).
    LinkerOption(String),
}

/// The Cython that translates the graph's Cython sources, run as `<python> -I -S
/// <zlig's Cython step> <package> …` (`compile::cython`, `python/zlig/_cython_step.py`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CythonTool {
    /// The interpreter that runs Cython: the hooks', by its real file, which outlives a
    /// frontend's temporary environment.
    pub python: PathBuf,
    /// The folder holding `Cython/` and `cython.py`: zlig's lasting copy of the Cython found.
    pub package: PathBuf,
    pub version: String,
    /// The hooks' `sys.path`, where Cython looks for installed packages' `.pxd` files
    /// (`compile::cython::SEARCH_PATH_VAR`); not part of the build file.
    #[serde(skip)]
    pub sys_path: Vec<PathBuf>,
}

/// One Cython translation: a `.pyx` (or a `.py` in pure-Python mode) to C or C++.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CythonStep {
    /// The Cython source, relative to the root.
    pub source: PathBuf,
    /// The generated file, relative to the backend's folder (`BuildEnv::work_dir`):
    /// `cython/<extension>/<stem>.c`, or `.cpp` for C++.
    pub output: PathBuf,
    /// Cython's options: `--module-name`, `--cplus`, `-I` folders (relative to the root),
    /// `-X` directives, `-a`.
    pub args: Vec<String>,
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
    /// C, C++ and Zig source files, relative to the project root.
    pub sources: Vec<PathBuf>,
    /// Cython translations whose output is compiled with `sources` (at most one: Cython
    /// makes one module of a source).
    pub cython: Vec<CythonStep>,
    /// Absolute include directories, in order.
    pub include_dirs: Vec<PathBuf>,
    /// Every flag the C and C++ sources get, in order: CPython's base flags, `-DNDEBUG`
    /// outside `Debug`, macros, undefs, `CPPFLAGS`, `CFLAGS`, `extra-compile-args`. Backends
    /// add their path maps (`path_maps`) and optimize flags.
    pub compile_flags: Vec<String>,
    /// What the link step takes, in order: library dirs, libraries, then `LDFLAGS` and
    /// `extra-link-args`.
    pub link: Vec<LinkInput>,
    /// The symbols the module exports, everything else hidden: `PyInit_<leaf>` and
    /// `PyModExport_<leaf>` first (a module defines one of them, or both), then the ones
    /// `export-symbols` names; `*` (`EXPORT_ALL`) for every global symbol of the project's
    /// code.
    pub exports: Vec<String>,
    /// Extra files that trigger a rebuild, relative to the project root.
    pub depends: Vec<PathBuf>,
    /// The limited API version it is built for (`Py_LIMITED_API`), making it abi3.
    pub limited_api: Option<(u32, u32)>,
    pub optional: bool,
}

/// The whole graph, with what is common to all extensions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildGraph {
    /// `SCHEMA`, so that a reader can tell the shape it got.
    pub schema: u32,
    /// The absolute project root, against which sources are relative.
    pub root: PathBuf,
    pub target: Target,
    pub optimize: Optimize,
    /// Strip debug info from the output (every mode but `Debug`).
    pub strip: bool,
    /// The Cython that runs the extensions' Cython steps, when they have any.
    pub cython: Option<CythonTool>,
    pub extensions: Vec<Extension>,
    /// Include folders of Python packages to copy into the build dir before building
    /// (`compile::packages`); the extensions' include dirs name the copies.
    #[serde(skip)]
    pub package_headers: Vec<PackageHeaders>,
}

/// A Python package's include folder and its lasting copy in the build dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageHeaders {
    /// The folder the package's function returned, in the build environment.
    pub found: PathBuf,
    /// `<build dir>/include/<package>-<content hash>`.
    pub copy: PathBuf,
}

impl BuildGraph {
    /// The graph as JSON: the schema every backend reads.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the graph serializes") + "\n"
    }

    /// The same graph with `flags` added to every extension's compile flags (a backend's
    /// own path maps, say).
    pub fn with_compile_flags(&self, flags: &[String]) -> Self {
        let mut graph = self.clone();
        for ext in &mut graph.extensions {
            ext.compile_flags.extend(flags.iter().cloned());
        }
        graph
    }
}

impl BuildGraph {
    /// The same graph with the project at `root` (a backend's link to it): sources stay
    /// relative, and the include dirs, library dirs and link files inside the project are
    /// named through `root`.
    pub fn relocated(&self, root: &Path) -> Self {
        let inside = |path: &Path| match path.strip_prefix(&self.root) {
            Ok(relative) => root.join(relative),
            Err(_) => path.to_path_buf(),
        };
        let mut graph = self.clone();
        graph.root = root.to_path_buf();
        for ext in &mut graph.extensions {
            for dir in &mut ext.include_dirs {
                *dir = inside(dir);
            }
            for input in &mut ext.link {
                if let LinkInput::LibraryDir(path) | LinkInput::File(path) = input {
                    *path = inside(path);
                }
            }
        }
        graph
    }
}

/// The entry of `Extension::exports` that exports every global symbol.
pub const EXPORT_ALL: &str = "*";

/// What stays hidden when a module exports every global symbol: the C++ runtime zig links
/// in statically (libc++ and the rest of namespace `std`, `operator new` and `delete`,
/// libc++abi's `__cxa_*` and `__cxxabiv1`, libunwind's `_Unwind_*`), which would otherwise
/// be exported (ARCHITECTURE.md, "Zig facts", 3). Each module keeps its own copy of the
/// runtime to itself: exported, it could be interposed by another copy in the process
/// (another module's libc++, the interpreter's libstdc++), so that one module's
/// allocations, exceptions and terminate handler would meet another runtime's. A C module
/// defines none of these names, so they are hidden for every language; each is a pattern
/// (`__dynamic_cas[t]`), since the linker fails on an exact name the module lacks.
const CXX_RUNTIME: &[&str] = &[
    "_ZNSt*",
    "_ZNKSt*",
    "_ZSt*",
    "_ZTISt*",
    "_ZTSSt*",
    "_ZTVSt*",
    "_ZTINSt*",
    "_ZTSNSt*",
    "_ZTVNSt*",
    "_ZGVNSt*",
    "_ZThn*St*",
    "_Znw*",
    "_Zna*",
    "_Zdl*",
    "_Zda*",
    "__cxa_*",
    "_ZN10__cxxabiv1*",
    "_ZTIN10__cxxabiv1*",
    "_ZTSN10__cxxabiv1*",
    "_ZTVN10__cxxabiv1*",
    "__gxx_personality_*",
    "__dynamic_cas[t]",
    "_Unwind_*",
    "__unw_*",
    "unw_*",
];

impl Extension {
    /// The linker version script that exports `exports` and hides every other symbol
    /// (libc++'s included, which `-fvisibility=hidden` does not reach: ARCHITECTURE.md, "Zig
    /// facts", 3). Both built-in backends link with it.
    ///
    /// The init functions are written as patterns that match only their own name
    /// (`PyInit__speedup[s]`): the linker fails on a missing exact name, and a module needs
    /// only one of the two (`compile` checks that it has one).
    pub fn version_script(&self) -> String {
        let inits = [
            format!("PyInit_{}", self.leaf),
            format!("PyModExport_{}", self.leaf),
        ];
        let mut globals = String::new();
        for symbol in &self.exports {
            match inits.contains(symbol) {
                true => {
                    let (head, last) = symbol.split_at(symbol.len() - 1);
                    globals.push_str(&format!(" {head}[{last}];"));
                }
                false => globals.push_str(&format!(" {symbol};")),
            }
        }
        let locals = match self.exports.iter().any(|s| s == EXPORT_ALL) {
            true => CXX_RUNTIME.iter().map(|p| format!(" {p};")).collect(),
            false => " *;".to_string(),
        };
        format!("{{ global:{globals} local:{locals} }};\n")
    }

    /// The version script's file name, inside a backend's `exports/` folder.
    pub fn version_script_name(&self) -> String {
        format!("{}.map", self.name)
    }
}

#[cfg(test)]
mod tests {
    use crate::compile::test_support::{sample_cython_graph, sample_graph};

    /// The schema the zig backend and third-party backends read: a change here is a
    /// change of the protocol (ARCHITECTURE.md).
    #[test]
    fn the_graph_json_schema() {
        insta::assert_snapshot!(sample_cython_graph(&["src/demo/speedups.c"]).to_json());
    }

    #[test]
    fn version_scripts_export_only_the_exports() {
        let mut graph = sample_graph(&["a.c"]);
        let ext = &mut graph.extensions[0];
        assert_eq!(
            ext.version_script(),
            "{ global: PyInit__speedup[s]; PyModExport__speedup[s]; local: *; };\n"
        );
        ext.exports.push("fast_add".into());
        assert_eq!(
            ext.version_script(),
            "{ global: PyInit__speedup[s]; PyModExport__speedup[s]; fast_add; local: *; };\n"
        );
    }

    #[test]
    fn exporting_everything_keeps_the_cxx_runtime_hidden() {
        let mut graph = sample_graph(&["a.cpp"]);
        let ext = &mut graph.extensions[0];
        ext.exports.push(super::EXPORT_ALL.into());
        let script = ext.version_script();
        assert!(script.contains(" *; local: _ZNSt*;"), "{script}");
        assert!(script.contains(" __cxa_*;"), "{script}");
        assert!(!script.contains("local: *;"), "{script}");
    }
}
