//! From the declared project to the build graph: each extension's name checked against the
//! packages, its globs expanded, its `when` entries evaluated for the target, its flags and
//! link inputs resolved, its output path named.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::compile::graph::{
    BuildGraph, CythonStep, EXPORT_ALL, Extension, LinkInput, PackageHeaders, SCHEMA,
};
use crate::compile::link_args::{EnvFlags, link_inputs};
use crate::compile::packages::{self, PackageLookup};
use crate::error::{ConfigError, Result};
use crate::project::Project;
use crate::project::discovery::{ModuleKind, TopLevel};
use crate::project::extension::{
    ExportSymbols, ExtensionDecl, ExtensionLists, IncludeDir, Language,
};
use crate::project::files::{Kind, Pattern, existing};
use crate::project::settings::Optimize;
use crate::project::toml::Located;
use crate::target::Target;

/// Flags every C and C++ source gets, as CPython's own build uses them.
const BASE_FLAGS: &[&str] = &["-fwrapv", "-fno-strict-aliasing"];

impl BuildGraph {
    /// Resolves the project's extensions for `target`, with flags from the environment and
    /// include folders of Python packages from `packages`. The graph has no Cython tool
    /// yet: the hooks find one when it has Cython steps (`compile::cython`).
    pub fn resolve(
        project: &Project,
        target: &Target,
        env: &EnvFlags,
        packages: &dyn PackageLookup,
    ) -> Result<Self> {
        let optimize = project.settings.optimize();
        let mut seen = BTreeSet::new();
        let mut extensions = Vec::new();
        let mut headers = Vec::new();
        let context = Context {
            project,
            target,
            env,
            packages,
            build_dir: project.build_dir(&target.build_dir_name()),
        };
        for decl in &project.settings.extensions {
            if !seen.insert(decl.name.value.clone()) {
                return Err(decl.name.error("another extension has the same name"));
            }
            extensions.push(resolve_extension(&context, decl, &mut headers)?);
        }
        headers.dedup();
        Ok(Self {
            schema: SCHEMA,
            root: project.root.clone(),
            target: target.clone(),
            optimize,
            strip: !optimize.keeps_debug_info(),
            cython: None,
            extensions,
            package_headers: headers,
        })
    }

    /// Whether any extension has a Cython source.
    pub fn has_cython(&self) -> bool {
        self.extensions.iter().any(|e| !e.cython.is_empty())
    }
}

/// What resolving an extension needs besides its declaration.
struct Context<'a> {
    project: &'a Project,
    target: &'a Target,
    env: &'a EnvFlags,
    packages: &'a dyn PackageLookup,
    /// Where package headers are copied (`compile::packages`).
    build_dir: PathBuf,
}

fn resolve_extension(
    context: &Context<'_>,
    decl: &ExtensionDecl,
    headers: &mut Vec<PackageHeaders>,
) -> Result<Extension> {
    let Context {
        project,
        target,
        env,
        ..
    } = *context;
    let cython_sources = cython_sources(project, decl)?;
    check_place(project, &decl.name, &cython_sources)?;
    let name = &decl.name.value;
    let leaf = name.rsplit('.').next().unwrap_or(name).to_string();
    let limited_api = decl
        .py_limited_api
        .as_ref()
        .or(project.settings.py_limited_api.as_ref())
        .map(|value| limited_api_version(value, target))
        .transpose()?;
    let output = output_path(name, &leaf, limited_api.is_some(), target);
    let markers = target.marker_environment();
    let lists = std::iter::once(&decl.lists).chain(
        decl.when
            .iter()
            .filter(|w| w.marker.value.evaluate(&markers, &[]))
            .map(|w| &w.lists),
    );
    let mut inputs = Inputs::default();
    if let Some((major, minor)) = limited_api {
        inputs
            .macros
            .push(format!("-DPy_LIMITED_API=0x{major:02X}{minor:02X}0000"));
    }
    for list in lists {
        inputs.add(context, list, headers)?;
    }
    let language = link_language(decl, &inputs.languages, &inputs.cython)?;
    let cython = cython_steps(project, decl, &mut inputs, language)?;
    let env_link = env_link_inputs(project, env)?;
    Ok(Extension {
        language,
        cython,
        compile_flags: inputs.compile_flags(project.settings.optimize(), env),
        link: [
            inputs.link_dirs,
            inputs.libraries,
            env_link,
            inputs.link_args,
        ]
        .concat(),
        exports: exports(&leaf, &decl.export_symbols),
        name: name.clone(),
        leaf,
        output,
        sources: inputs.sources,
        include_dirs: inputs.include_dirs,
        depends: inputs.depends,
        limited_api,
        optional: decl.optional,
    })
}

/// The module's path in the wheel: `pkg/_mod.cpython-311-x86_64-linux-gnu.so`, or
/// `pkg/_mod.abi3.so` for the limited API.
fn output_path(name: &str, leaf: &str, limited_api: bool, target: &Target) -> PathBuf {
    let suffix = if limited_api {
        ".abi3.so"
    } else {
        target.ext_suffix.as_str()
    };
    name.split('.')
        .collect::<PathBuf>()
        .with_file_name(format!("{leaf}{suffix}"))
}

/// The extension's Cython translations, with each Cython source's folder added to the
/// include dirs: the generated C sits in the build dir, not beside its `.pyx`, and the
/// folder keeps `cdef extern from "x.h"` finding the header next to it, as with setuptools.
fn cython_steps(
    project: &Project,
    decl: &ExtensionDecl,
    inputs: &mut Inputs,
    language: Language,
) -> Result<Vec<CythonStep>> {
    let steps = inputs
        .cython
        .iter()
        .map(|(source, _)| cython_step(project, decl, inputs, language, source))
        .collect::<Result<Vec<_>>>()?;
    for (source, _) in &inputs.cython {
        let folder = project.root.join(source.parent().unwrap_or(Path::new("")));
        if !inputs.include_dirs.contains(&folder) {
            inputs.include_dirs.push(folder);
        }
    }
    Ok(steps)
}

/// The link inputs of `LDFLAGS` (what they cannot pass on is left out: the hooks say so),
/// after refusing a `CFLAGS` that names the build machine's CPU.
fn env_link_inputs(project: &Project, env: &EnvFlags) -> Result<Vec<LinkInput>> {
    if let Some(why) = env.compile.iter().find_map(|flag| host_cpu_flag(flag)) {
        return Err(ConfigError::without_place(Path::new("CFLAGS"), "", why).into());
    }
    Ok(env.link_inputs(&project.root).0)
}

/// What the module exports: its init functions (`PyInit_<leaf>`, and PEP 793's
/// `PyModExport_<leaf>` for Python 3.15), then `export-symbols`; `*` for every global
/// symbol.
fn exports(leaf: &str, declared: &ExportSymbols) -> Vec<String> {
    let mut exports = vec![format!("PyInit_{leaf}"), format!("PyModExport_{leaf}")];
    match declared {
        ExportSymbols::None => {}
        ExportSymbols::Names(names) => {
            for name in names {
                if !exports.contains(name) {
                    exports.push(name.clone());
                }
            }
        }
        ExportSymbols::All => exports.push(EXPORT_ALL.to_string()),
    }
    exports
}

/// Checks that the module `name` can live where its dotted name puts it: in a shipped
/// package, not in place of a package or a Python module (but for the `.py` it compiles
/// in Cython's pure-Python mode, which stays beside it as the fallback).
fn check_place(
    project: &Project,
    name: &Located<String>,
    cython_sources: &[PathBuf],
) -> Result<()> {
    let dotted = &name.value;
    let first = dotted.split('.').next().unwrap_or(dotted);
    let top = project.layout.top_level.iter().find(|t| t.name == first);
    let extension = |t: &&TopLevel| {
        matches!(
            t.kind,
            ModuleKind::Extension | ModuleKind::ExtensionWithStubs
        )
    };
    if let Some(top) = top.filter(|t| !extension(t)) {
        let kind = match top.kind {
            ModuleKind::Package => "package",
            _ => "module",
        };
        if !dotted.contains('.') {
            return Err(name.error(format!(
                "clashes with the {kind} {}; name the extension inside it, such as `{first}._{first}`{}",
                top.path.display(),
                match top.kind {
                    ModuleKind::Package => " (a folder beside a top-level extension of its name may hold only stubs, `py.typed` and data, no `.py` file)",
                    _ => "",
                }
            )));
        }
        if top.kind == ModuleKind::Module {
            return Err(name.error(format!(
                "`{first}` is a module ({}), not a package: an extension cannot live inside it",
                top.path.display()
            )));
        }
    }
    if !project.layout.contains_module(dotted) {
        return Err(name.error(format!(
            "the extension would live in package `{first}`, which is not one of the packages shipped; add it to `tool.zlig.packages`"
        )));
    }
    let python_file = project
        .layout
        .python_source
        .join(dotted.split('.').collect::<PathBuf>().with_extension("py"));
    if project.root.join(&python_file).is_file() && !cython_sources.contains(&python_file) {
        return Err(name.error(format!(
            "clashes with the Python module {}; rename one of them",
            python_file.display()
        )));
    }
    Ok(())
}

/// What an extension's lists (its own and those of the `when` entries that hold) add up to.
#[derive(Default)]
struct Inputs {
    sources: Vec<PathBuf>,
    languages: Vec<Language>,
    /// Cython sources, with the glob that named each.
    cython: Vec<(PathBuf, Located<Pattern>)>,
    depends: Vec<PathBuf>,
    include_dirs: Vec<PathBuf>,
    /// `-D` and `-U` flags, in order.
    macros: Vec<String>,
    compile_args: Vec<String>,
    link_dirs: Vec<LinkInput>,
    libraries: Vec<LinkInput>,
    link_args: Vec<LinkInput>,
}

impl Inputs {
    fn add(
        &mut self,
        context: &Context<'_>,
        list: &ExtensionLists,
        headers: &mut Vec<PackageHeaders>,
    ) -> Result<()> {
        let root = &context.project.root;
        for glob in &list.sources {
            for file in glob.expand(root)? {
                if !self.sources.contains(&file) && !self.cython.iter().any(|(f, _)| *f == file) {
                    self.add_source(glob, file)?;
                }
            }
        }
        for glob in &list.depends {
            self.depends.extend(glob.expand(root)?);
        }
        for dir in &list.include_dirs {
            let dir = match dir {
                IncludeDir::Folder(dir) => {
                    root.join(existing(root, dir, Kind::Folder, "include directory")?)
                }
                IncludeDir::Package { package, attr } => {
                    let found =
                        packages::headers(context.packages, package, attr, &context.build_dir)?;
                    let copy = found.copy.clone();
                    headers.push(found);
                    copy
                }
            };
            self.include_dirs.push(dir);
        }
        for value in &list.define_macros {
            let (name, _) = value.value.split_once('=').unwrap_or((&value.value, ""));
            check_macro_name(value, name)?;
            self.macros.push(format!("-D{}", value.value));
        }
        for value in &list.undef_macros {
            check_macro_name(value, &value.value)?;
            self.macros.push(format!("-U{}", value.value));
        }
        for dir in &list.library_dirs {
            let dir = existing(root, dir, Kind::Folder, "library directory")?;
            self.link_dirs.push(LinkInput::LibraryDir(root.join(dir)));
        }
        self.libraries.extend(
            list.libraries
                .iter()
                .map(|l| LinkInput::Library(l.value.clone())),
        );
        for arg in &list.extra_compile_args {
            if let Some(why) = host_cpu_flag(&arg.value) {
                return Err(arg.error(why));
            }
            self.compile_args.push(arg.value.clone());
        }
        let args = &list.extra_link_args;
        let inputs = link_inputs(root, args.iter().map(|a| a.value.as_str()))
            .map_err(|(i, why)| args[i].error(why.to_string()))?;
        self.link_args.extend(inputs);
        Ok(())
    }

    fn add_source(&mut self, glob: &Located<Pattern>, file: PathBuf) -> Result<()> {
        if Language::is_cython_source(&file) {
            if let Some((first, _)) = self.cython.first() {
                return Err(glob.error(format!(
                    "`{}` is a second Cython source, after `{}`: Cython makes a module of each, and an extension is one module; give it an extension of its own",
                    file.display(),
                    first.display()
                )));
            }
            self.cython.push((file, glob.clone()));
            return Ok(());
        }
        let language = Language::of_source(&file).ok_or_else(|| {
            glob.error(format!(
                "`{}` is not a C (.c), C++ (.cc, .cpp, .cxx), Cython (.pyx, .py) or Zig (.zig) source; list headers in `depends`",
                file.display()
            ))
        })?;
        if language == Language::Zig && self.languages.contains(&Language::Zig) {
            return Err(glob.error(format!(
                "`{}` is a second .zig file; list only the root .zig file (other Zig files are reached through @import)",
                file.display()
            )));
        }
        self.languages.push(language);
        self.sources.push(file);
        Ok(())
    }

    /// CPython's base flags, `-DNDEBUG` outside `Debug`, the macros, then the environment's
    /// and the extension's extra arguments.
    fn compile_flags(&self, optimize: Optimize, env: &EnvFlags) -> Vec<String> {
        let mut flags: Vec<String> = BASE_FLAGS.iter().map(|f| f.to_string()).collect();
        if optimize != Optimize::Debug {
            flags.push("-DNDEBUG".into());
        }
        flags.extend(self.macros.iter().cloned());
        flags.extend(env.compile.iter().cloned());
        flags.extend(self.compile_args.iter().cloned());
        flags
    }
}

/// Why a compile flag that picks the CPU of the machine running the build is refused: the
/// module would need that machine's CPU features wherever the wheel is installed (and for a
/// cross target, they are another arch's).
fn host_cpu_flag(flag: &str) -> Option<String> {
    ["-march=native", "-mcpu=native"]
        .contains(&flag)
        .then(|| {
            format!(
                "`{flag}` builds for the CPU of the machine running the build, not for the wheel's platform; name a CPU (`-march=x86-64-v3`) or features (`-mavx2`)"
            )
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

/// The language the extension is linked as: the declared one, else the strongest among its
/// sources (Zig over C++ over C; Cython makes C unless told `c++`).
fn link_language(
    decl: &ExtensionDecl,
    languages: &[Language],
    cython: &[(PathBuf, Located<Pattern>)],
) -> Result<Language> {
    let found = languages.iter().copied().max().unwrap_or(Language::C);
    if let Some((source, glob)) = cython.first() {
        let message = format!(
            "`{}` is a Cython source, which Cython translates to C or C++, and a `zig`-language extension compiles Zig alone; write `language = \"c\"` or `\"c++\"`, or give the Cython source an extension of its own",
            source.display()
        );
        match &decl.language {
            Some(declared) if declared.value == Language::Zig => {
                return Err(declared.error(message));
            }
            None if found == Language::Zig => return Err(glob.error(message)),
            _ => {}
        }
    }
    let Some(declared) = &decl.language else {
        return Ok(found);
    };
    match (declared.value, found) {
        (Language::C, Language::Cxx | Language::Zig) => {
            Err(declared.error("says `c`, but the sources include C++ or Zig files"))
        }
        (Language::Zig, Language::C | Language::Cxx) => {
            Err(declared.error("says `zig`, but no source is a .zig file"))
        }
        (declared, found) => Ok(declared.max(found)),
    }
}

/// The Cython sources of an extension's lists (every `when` entry's too, so that the name
/// check sees a `.py` compiled in pure-Python mode whatever the target).
fn cython_sources(project: &Project, decl: &ExtensionDecl) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for list in decl.all_lists() {
        for glob in &list.sources {
            let files = glob
                .value
                .files(&project.root)
                .map_err(|why| glob.error(why))?;
            found.extend(files.into_iter().filter(|f| Language::is_cython_source(f)));
        }
    }
    Ok(found)
}

/// The translation of `source`, the extension's Cython module, with the project's and the
/// extension's Cython settings.
fn cython_step(
    project: &Project,
    decl: &ExtensionDecl,
    inputs: &Inputs,
    language: Language,
    source: &Path,
) -> Result<CythonStep> {
    let settings = &project.settings.cython;
    let mut args = vec!["--module-name".to_string(), decl.name.value.clone()];
    if language == Language::Cxx {
        args.push("--cplus".into());
    }
    // `.pxd` files are found relative to the project (the step runs there): the Python
    // source folder, the Cython include dirs, then the extension's own include dirs.
    let source_root = match project.layout.python_source.as_os_str() {
        s if s.is_empty() => Path::new("."),
        _ => project.layout.python_source.as_path(),
    };
    let mut folders = vec![source_root.to_path_buf()];
    for dir in &settings.include_dirs {
        folders.push(existing(
            &project.root,
            dir,
            Kind::Folder,
            "Cython include directory",
        )?);
    }
    for dir in &inputs.include_dirs {
        if let Ok(relative) = dir.strip_prefix(&project.root)
            && !folders.iter().any(|f| f == relative)
        {
            folders.push(relative.to_path_buf());
        }
    }
    for folder in &folders {
        args.push("-I".into());
        args.push(folder.to_string_lossy().into_owned());
    }
    let mut directives = settings.directives.clone();
    directives.extend(decl.cython_directives.clone());
    for (name, (_, value)) in &directives {
        args.push("-X".into());
        args.push(format!("{name}={}", value.to_cython()));
    }
    if settings.annotate {
        args.push("-a".into());
    }
    let stem = source.file_stem().unwrap_or_default().to_string_lossy();
    let suffix = if language == Language::Cxx {
        "cpp"
    } else {
        "c"
    };
    Ok(CythonStep {
        source: source.to_path_buf(),
        output: PathBuf::from("cython")
            .join(&decl.name.value)
            .join(format!("{stem}.{suffix}")),
        args,
    })
}

/// A C macro name: ASCII letters, digits and `_`, not starting with a digit.
fn check_macro_name(place: &Located<String>, name: &str) -> Result<()> {
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(place.error(format!("`{name}` is not a valid C macro name")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::packages::NoInterpreter;
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
        let graph =
            BuildGraph::resolve(&project, &target, &EnvFlags::default(), &NoInterpreter).unwrap();
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
        assert_eq!(
            ext.compile_flags,
            [
                "-fwrapv",
                "-fno-strict-aliasing",
                "-DNDEBUG",
                "-DA",
                "-DB=2",
                "-DC=",
                "-DV=\"1.2\""
            ]
        );
        assert!(graph.strip);
    }

    #[test]
    fn a_top_level_extension_ships_beside_its_stubs_folder() {
        let toml = format!(
            "{HEAD}[tool.zlig]\npackages = [\"demo\"]\n[[tool.zlig.extensions]]\nname = \"demo\"\nsources = [\"src/demo.c\"]\n"
        );
        let (_dir, project) = project(&toml, &["demo/__init__.pyi", "demo/py.typed", "src/demo.c"]);
        let target = Target::resolve(&cpython311(), None).unwrap();
        let graph = BuildGraph::resolve(
            &project.unwrap(),
            &target,
            &EnvFlags::default(),
            &NoInterpreter,
        )
        .unwrap();
        assert_eq!(
            graph.extensions[0].output,
            PathBuf::from("demo.cpython-311-x86_64-linux-gnu.so")
        );
    }

    #[test]
    fn limited_api_defines_the_macro_and_names_abi3_files() {
        let toml = format!(
            "{HEAD}[tool.zlig]\npy-limited-api = \"cp38\"\n[[tool.zlig.extensions]]\nname = \"demo.x\"\nsources = [\"x.c\"]\n[[tool.zlig.extensions]]\nname = \"demo.y\"\nsources = [\"x.c\"]\npy-limited-api = \"cp310\"\n"
        );
        let (_dir, project) = project(&toml, &["demo/__init__.py", "x.c"]);
        let target = Target::resolve(&cpython311(), None).unwrap();
        let graph = BuildGraph::resolve(
            &project.unwrap(),
            &target,
            &EnvFlags::default(),
            &NoInterpreter,
        )
        .unwrap();
        let [x, y] = &graph.extensions[..] else {
            panic!()
        };
        assert_eq!(x.output, PathBuf::from("demo/x.abi3.so"));
        assert_eq!(x.compile_flags[3], "-DPy_LIMITED_API=0x03080000");
        assert_eq!(y.compile_flags[3], "-DPy_LIMITED_API=0x030A0000");
        assert_eq!(
            (x.limited_api, y.limited_api),
            (Some((3, 8)), Some((3, 10)))
        );
    }

    #[test]
    fn when_entries_are_evaluated_against_the_target_not_the_host() {
        let toml = format!(
            "{HEAD}[[tool.zlig.extensions]]\nname = \"demo.x\"\nsources = [\"x.c\"]\n[[tool.zlig.extensions.when]]\nmarker = \"platform_machine == 'x86_64'\"\nsources = [\"x86.c\"]\ndefine-macros = [\"HAVE_SSE2\"]\n[[tool.zlig.extensions.when]]\nmarker = \"platform_machine == 'aarch64'\"\nsources = [\"arm.c\"]\n"
        );
        let (_dir, project) = project(&toml, &["demo/__init__.py", "x.c", "x86.c", "arm.c"]);
        let project = project.unwrap();
        let host = Target::resolve(&cpython311(), None).unwrap();
        let ext = &BuildGraph::resolve(&project, &host, &EnvFlags::default(), &NoInterpreter)
            .unwrap()
            .extensions[0];
        assert_eq!(ext.sources, [PathBuf::from("x.c"), PathBuf::from("x86.c")]);
        assert!(ext.compile_flags.contains(&"-DHAVE_SSE2".to_string()));
        let arm = Target::resolve(
            &cpython311(),
            Some(&"aarch64-linux-gnu.2.17".parse().unwrap()),
        )
        .unwrap();
        let ext = &BuildGraph::resolve(&project, &arm, &EnvFlags::default(), &NoInterpreter)
            .unwrap()
            .extensions[0];
        assert_eq!(ext.sources, [PathBuf::from("x.c"), PathBuf::from("arm.c")]);
        assert!(!ext.compile_flags.contains(&"-DHAVE_SSE2".to_string()));
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
        let ext = &BuildGraph::resolve(&project.unwrap(), &target, &env, &NoInterpreter)
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
        assert!(
            ext.compile_flags
                .ends_with(&["-DFROM_ENV".to_string(), "-O3".to_string()])
        );
    }

    #[test]
    fn a_cython_source_becomes_a_translation_step_compiled_with_the_extension() {
        let toml = format!(
            "{HEAD}[tool.zlig.cython]\ndirectives = {{ boundscheck = false, language_level = 3 }}\ninclude-dirs = [\"pxd\"]\nannotate = true\n[[tool.zlig.extensions]]\nname = \"demo.fast\"\nsources = [\"src/demo/fast.pyx\", \"src/demo/helper.c\"]\nlanguage = \"c++\"\ncython-directives = {{ boundscheck = true }}\n[[tool.zlig.extensions]]\nname = \"demo.pure\"\nsources = [\"src/demo/pure.py\"]\n"
        );
        let (dir, project) = project(
            &toml,
            &[
                "src/demo/__init__.py",
                "src/demo/fast.pyx",
                "src/demo/helper.c",
                "src/demo/pure.py",
                "pxd/shared.pxd",
            ],
        );
        let target = Target::resolve(&cpython311(), None).unwrap();
        let graph = BuildGraph::resolve(
            &project.unwrap(),
            &target,
            &EnvFlags::default(),
            &NoInterpreter,
        )
        .unwrap();
        assert!(graph.has_cython());
        let [fast, pure] = &graph.extensions[..] else {
            panic!()
        };
        assert_eq!(fast.sources, [PathBuf::from("src/demo/helper.c")]);
        assert_eq!(fast.language, Language::Cxx);
        let step = &fast.cython[0];
        assert_eq!(step.source, PathBuf::from("src/demo/fast.pyx"));
        assert_eq!(step.output, PathBuf::from("cython/demo.fast/fast.cpp"));
        assert_eq!(
            step.args.join(" "),
            "--module-name demo.fast --cplus -I src -I pxd -X boundscheck=True -X language_level=3 -a"
        );
        // The generated C finds headers beside its .pyx, as it would beside it.
        let root = std::path::absolute(dir.path()).unwrap();
        assert_eq!(fast.include_dirs, [root.join("src/demo")]);
        // A pure-Python mode module is named like its .py, which stays.
        assert_eq!(
            pure.cython[0].output,
            PathBuf::from("cython/demo.pure/pure.c")
        );
        assert_eq!(pure.language, Language::C);
    }

    #[test]
    fn resolution_errors_point_at_the_declaration() {
        let report: Vec<String> = [
            (
                "name = \"demo.x\"\nsources = [\"src/*.c\"]",
                &["demo/__init__.py"][..],
            ),
            (
                "name = \"demo.x\"\nsources = [\"x.c\"]\ninclude-dirs = [\"inc\"]",
                &["demo/__init__.py", "x.c"][..],
            ),
            (
                "name = \"demo.x\"\nsources = [\"x.c\"]",
                &["demo/__init__.py", "demo/x.py", "x.c"][..],
            ),
            (
                "name = \"other.x\"\nsources = [\"x.c\"]",
                &["demo/__init__.py", "x.c"][..],
            ),
            (
                "name = \"demo.x\"\nsources = [\"x.h\"]",
                &["demo/__init__.py", "x.h"][..],
            ),
            (
                "name = \"demo\"\nsources = [\"x.c\"]",
                &["demo/__init__.pyi", "demo/helpers.py", "x.c"][..],
            ),
            (
                "name = \"demo.x\"\nsources = [\"x.c\"]\ndefine-macros = [\"1BAD\"]",
                &["demo/__init__.py", "x.c"][..],
            ),
        ]
        .into_iter()
        .map(|(body, files)| {
            let toml = format!("{HEAD}[[tool.zlig.extensions]]\n{body}\n");
            let (_dir, project) = project(&toml, files);
            let target = Target::resolve(&cpython311(), None).unwrap();
            let err = project
                .and_then(|p| {
                    BuildGraph::resolve(&p, &target, &EnvFlags::default(), &NoInterpreter)
                })
                .err()
                .unwrap()
                .to_string();
            format!("{body}\n→ {err}")
        })
        .collect();
        insta::assert_snapshot!(report.join("\n\n"), @r#"
            name = "demo.x"
            sources = ["src/*.c"]
            → pyproject.toml:6:12: `tool.zlig.extensions[0].sources[0]`: matches no file
              |
            6 | sources = ["src/*.c"]
              |            ^^^^^^^^^

            name = "demo.x"
            sources = ["x.c"]
            include-dirs = ["inc"]
            → pyproject.toml:7:17: `tool.zlig.extensions[0].include-dirs[0]`: include directory `inc` does not exist
              |
            7 | include-dirs = ["inc"]
              |                 ^^^^^

            name = "demo.x"
            sources = ["x.c"]
            → pyproject.toml:5:8: `tool.zlig.extensions[0].name`: clashes with the Python module demo/x.py; rename one of them
              |
            5 | name = "demo.x"
              |        ^^^^^^^^

            name = "other.x"
            sources = ["x.c"]
            → pyproject.toml:5:8: `tool.zlig.extensions[0].name`: the extension would live in package `other`, which is not one of the packages shipped; add it to `tool.zlig.packages`
              |
            5 | name = "other.x"
              |        ^^^^^^^^^

            name = "demo.x"
            sources = ["x.h"]
            → pyproject.toml:6:12: `tool.zlig.extensions[0].sources[0]`: `x.h` is not a C (.c), C++ (.cc, .cpp, .cxx), Cython (.pyx, .py) or Zig (.zig) source; list headers in `depends`
              |
            6 | sources = ["x.h"]
              |            ^^^^^

            name = "demo"
            sources = ["x.c"]
            → pyproject.toml:5:8: `tool.zlig.extensions[0].name`: clashes with the package demo; name the extension inside it, such as `demo._demo` (a folder beside a top-level extension of its name may hold only stubs, `py.typed` and data, no `.py` file)
              |
            5 | name = "demo"
              |        ^^^^^^

            name = "demo.x"
            sources = ["x.c"]
            define-macros = ["1BAD"]
            → pyproject.toml:7:18: `tool.zlig.extensions[0].define-macros[0]`: `1BAD` is not a valid C macro name
              |
            7 | define-macros = ["1BAD"]
              |                  ^^^^^^
            "#);
    }
}
