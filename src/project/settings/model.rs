//! The settings model: every key of `[tool.zlig]`, of an extension table, of a `when` entry
//! and of a `{ package = … }` include dir, each declared once (`Key`: name, type, default,
//! where it may be set, doc line, parser), and `Settings`, what they set.
//!
//! Everything else is read off these lists: reading the file, the command line and the
//! environment (`settings`), the unknown-key errors, the README's reference tables and the
//! JSON schema shipped in the zlig package (`reference`). A new key is one entry here.

use std::path::Path;

use super::key::{DefaultValue, Env, Key, Kind, SetIn, apply_present, check_table, shapes};
use super::values::{
    ForceInclude, Optimize, VersionFile, WheelData, backend_name, build_dir, path, target_spec,
};
use crate::error::Result;
use crate::project::cython::{CythonSettings, read_directives};
use crate::project::extension::{
    Conditional, ExportSymbols, ExtensionDecl, ExtensionLists, IncludeDir, Language, folders, words,
};
use crate::project::files::Pattern;
use crate::project::toml::{Element, Located, Place, Table};
use crate::target::TargetSpec;

/// All build settings, from every route.
#[derive(Debug, Clone)]
pub struct Settings {
    pub python_source: Option<Located<String>>,
    pub packages: Option<Vec<Located<String>>>,
    pub backend: Option<Located<String>>,
    /// Relative to the project root; outside it only when named in `config_settings`.
    pub build_dir: Option<Located<String>>,
    pub(super) optimize: Optimize,
    pub target: Option<Located<TargetSpec>>,
    pub py_limited_api: Option<Located<String>>,
    /// The target interpreter's include dir (`python-include`), for a cross build.
    pub python_include: Option<Located<String>>,
    /// The target interpreter's PEP 739 `build-details.json` (`build-details`).
    pub build_details: Option<Located<String>>,
    pub verbose: bool,
    /// Whether an editable install rebuilds changed extensions on import.
    pub editable_rebuild: bool,
    /// Whether tools zlig kept from earlier builds count as found (`reuse-tools`).
    pub reuse_tools: bool,
    /// Whether compiles go through the object cache shared by every build (`object-cache`).
    pub object_cache: bool,
    pub extensions: Vec<ExtensionDecl>,
    /// `[tool.zlig.cython]`, or its defaults.
    pub cython: CythonSettings,
    pub sdist_include: Vec<Located<Pattern>>,
    pub sdist_exclude: Vec<Located<Pattern>>,
    pub wheel_exclude: Vec<Located<Pattern>>,
    /// `[tool.zlig.version]`: where a dynamic version is read from, if not `__version__`.
    pub version: Option<VersionFile>,
    /// `[tool.zlig.wheel] force-include`: project files or folders put at paths of the
    /// wheel's root, in file order.
    pub force_include: Vec<ForceInclude>,
    /// `[tool.zlig.wheel] data`: project folders shipped through the wheel's
    /// `<name>-<version>.data/<scheme>/` folders.
    pub wheel_data: Vec<WheelData>,
    /// `sbom-files`: the project's own SBOMs, for `.dist-info/sboms/` (PEP 770).
    pub sbom_files: Vec<Located<Pattern>>,
}

impl Settings {
    /// What nobody set: each key's default (`DefaultValue::Value`, which a test checks), or
    /// unset.
    pub fn defaults() -> Self {
        Self {
            python_source: None,
            packages: None,
            backend: None,
            build_dir: None,
            optimize: Optimize::ReleaseFast,
            target: None,
            py_limited_api: None,
            python_include: None,
            build_details: None,
            verbose: false,
            editable_rebuild: true,
            reuse_tools: true,
            object_cache: true,
            extensions: Vec::new(),
            cython: CythonSettings::defaults(default_place("cython.requires")),
            sdist_include: Vec::new(),
            sdist_exclude: Vec::new(),
            wheel_exclude: Vec::new(),
            version: None,
            force_include: Vec::new(),
            wheel_data: Vec::new(),
            sbom_files: Vec::new(),
        }
    }
}

/// Where a default value of the key `name` is said to come from.
pub fn default_place(name: &str) -> Place {
    Place::unspanned(Path::new("pyproject.toml"), format!("tool.zlig.{name}"))
}

/// Sets a field and succeeds: the usual end of a key's parser.
macro_rules! set {
    ($place:expr, $value:expr) => {{
        $place = $value;
        Ok(())
    }};
}

/// The keys of `[tool.zlig]` and the config settings, in the order the README lists them.
pub static KEYS: &[Key<Settings>] = &[
    Key {
        name: "python-source",
        kind: Kind::String,
        default: DefaultValue::Derived("`src` if the package is there, else the project root"),
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "folder holding the packages",
        apply: |s, g| set!(s.python_source, Some(g.string()?)),
    },
    Key {
        name: "packages",
        kind: Kind::Strings,
        default: DefaultValue::Derived("the project name, normalized (`My-Pkg` → `my_pkg`)"),
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "top-level packages or modules to ship: package folders, `name.py` modules, `name-stubs` stub packages, or top-level extension names (with a folder of their stubs beside them)",
        apply: |s, g| set!(s.packages, Some(g.strings()?)),
    },
    Key {
        name: "backend",
        kind: Kind::String,
        default: DefaultValue::Derived("the usable backend with the highest priority"),
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "compile backend: `ninja`, `zig`, `cc` or a third-party one (see [Backends](#backends))",
        apply: |s, g| set!(s.backend, Some(backend_name(g)?)),
    },
    Key {
        name: "build-dir",
        kind: Kind::String,
        default: DefaultValue::Derived("`build/zlig/<abi>-<target>`"),
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "where builds are kept between runs: in `pyproject.toml` a folder inside the project, relative to it; on the command line any folder (see [Build dirs](#build-dirs))",
        apply: |s, g| set!(s.build_dir, Some(build_dir(g)?)),
    },
    Key {
        name: "optimize",
        kind: Kind::Word(Optimize::NAMES),
        default: DefaultValue::Value("ReleaseFast"),
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "",
        apply: |s, g| set!(s.optimize, Optimize::parse(g)?),
    },
    Key {
        name: "target",
        kind: Kind::String,
        default: DefaultValue::Derived(
            "the interpreter's arch, with the oldest glibc zig provides and manylinux covers (2.17; 2.19 for ppc64le, 2.31 for riscv64); musl on a musl interpreter",
        ),
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "what to build for: `<arch>-linux-gnu[.<glibc>]` (or `<arch>-linux-musl` on a musl interpreter); see [Targets](#targets)",
        apply: |s, g| set!(s.target, Some(target_spec(g)?)),
    },
    Key {
        name: "py-limited-api",
        kind: Kind::String,
        default: DefaultValue::None,
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "build every extension for the limited API of this version (`cp38`): defines `Py_LIMITED_API`, names modules `*.abi3.so`, tags the wheel `cp38-abi3-<platform>`",
        apply: |s, g| set!(s.py_limited_api, Some(g.string()?)),
    },
    Key {
        name: "extensions",
        kind: Kind::Extensions,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "the extension modules, see [`[[tool.zlig.extensions]]`](#toolzligextensions)",
        apply: |s, g| {
            let tables = g.field()?.tables()?;
            set!(
                s.extensions,
                tables.iter().map(read_extension).collect::<Result<_>>()?
            )
        },
    },
    Key {
        name: "cython.requires",
        kind: Kind::String,
        default: DefaultValue::Value(crate::project::cython::DEFAULT_REQUIREMENT),
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "the Cython a project with Cython sources needs, asked of the frontend when no such Cython is found; see [Cython](#cython)",
        apply: |s, g| s.cython.set_requires(g),
    },
    Key {
        name: "cython.directives",
        kind: Kind::Scalars {
            entry: "<directive>",
        },
        default: DefaultValue::None,
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "Cython's compiler directives for every Cython source (`{ language_level = 3, boundscheck = false }`)",
        apply: |s, g| {
            s.cython.directives.extend(read_directives(g)?);
            Ok(())
        },
    },
    Key {
        name: "cython.include-dirs",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "more project folders searched for `cimport`ed `.pxd` files",
        apply: |s, g| s.cython.set_include_dirs(g),
    },
    Key {
        name: "cython.annotate",
        kind: Kind::Bool,
        default: DefaultValue::Value("false"),
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "`true` writes Cython's HTML report beside the generated C",
        apply: |s, g| set!(s.cython.annotate, g.bool()?),
    },
    Key {
        name: "sdist.include",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "extra globs for the sdist",
        apply: |s, g| set!(s.sdist_include, g.patterns()?),
    },
    Key {
        name: "sdist.exclude",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "globs to leave out of the sdist",
        apply: |s, g| set!(s.sdist_exclude, g.patterns()?),
    },
    Key {
        name: "wheel.exclude",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "globs (project-relative) to leave out of the wheel",
        apply: |s, g| set!(s.wheel_exclude, g.patterns()?),
    },
    Key {
        name: "wheel.force-include",
        kind: Kind::Map {
            entry: "<path>",
            keys: None,
        },
        default: DefaultValue::None,
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "project files or folders → paths from the wheel's root (hatchling's key)",
        apply: |s, g| ForceInclude::add_all(&mut s.force_include, g),
    },
    Key {
        name: "wheel.data",
        kind: Kind::Map {
            entry: "<scheme>",
            keys: Some(WheelData::SCHEMES),
        },
        default: DefaultValue::None,
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "project folders shipped through the wheel's `.data` folder, by wheel scheme",
        apply: |s, g| WheelData::add_all(&mut s.wheel_data, g),
    },
    Key {
        name: "version.path",
        kind: Kind::String,
        default: DefaultValue::Derived("none: the first package's `__version__`"),
        set_in: SetIn::ANYWHERE,
        required: Some("the file holding the version"),
        doc: "the file a dynamic version is read from, see [`[project]`](#project)",
        apply: |s, g| VersionFile::set_path(&mut s.version, g),
    },
    Key {
        name: "version.pattern",
        kind: Kind::String,
        default: DefaultValue::Derived("hatchling's: `__version__` or `VERSION` set to a string"),
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "a regular expression whose group named `version`, or only group, holds the version",
        apply: |s, g| VersionFile::set_pattern(&mut s.version, g),
    },
    Key {
        name: "sbom-files",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::ANYWHERE,
        required: None,
        doc: "globs of the project's own SBOM files, copied to `.dist-info/sboms/` (PEP 770)",
        apply: |s, g| set!(s.sbom_files, g.patterns()?),
    },
    Key {
        name: "python-include",
        kind: Kind::String,
        default: DefaultValue::None,
        set_in: SetIn::COMMAND_LINE,
        required: None,
        doc: "the target interpreter's include dir, for a cross build (see [Targets](#targets))",
        apply: |s, g| set!(s.python_include, Some(path(g, "expected a folder")?)),
    },
    Key {
        name: "build-details",
        kind: Kind::String,
        default: DefaultValue::None,
        set_in: SetIn::COMMAND_LINE,
        required: None,
        doc: "the target interpreter's PEP 739 `build-details.json`, which names its headers, for a cross build (see [Targets](#targets)); give one of `python-include` and `build-details`",
        apply: |s, g| {
            let file = path(g, "expected the path of a build-details.json")?;
            set!(s.build_details, Some(file))
        },
    },
    Key {
        name: "verbose",
        kind: Kind::Bool,
        default: DefaultValue::Value("false"),
        set_in: SetIn::COMMAND_LINE,
        required: None,
        doc: "`true` prints the compiler commands as they run (with the `ninja` and `cc` backends, ninja's `[n/m]` lines, which a terminal shows without it too)",
        apply: |s, g| set!(s.verbose, g.bool()?),
    },
    Key {
        name: "editable-rebuild",
        kind: Kind::Bool,
        default: DefaultValue::Value("true"),
        set_in: SetIn {
            env: Some(Env::AtImport("ZLIG_EDITABLE_REBUILD")),
            ..SetIn::COMMAND_LINE
        },
        required: None,
        doc: "`false` turns off rebuilding on import for an editable install (see [Editable installs](#editable-installs)); the variable turns it off for one run",
        apply: |s, g| set!(s.editable_rebuild, g.bool()?),
    },
    Key {
        name: "reuse-tools",
        kind: Kind::Bool,
        default: DefaultValue::Value("true"),
        set_in: SetIn {
            env: Some(Env::SwitchesOff("ZLIG_REUSE_TOOLS")),
            ..SetIn::COMMAND_LINE
        },
        required: None,
        doc: "`false` makes zlig ignore the tools it kept from earlier builds (see [Finding zig](#finding-zig))",
        apply: |s, g| set!(s.reuse_tools, g.bool()?),
    },
    Key {
        name: "object-cache",
        kind: Kind::Bool,
        default: DefaultValue::Value("true"),
        set_in: SetIn {
            env: Some(Env::SwitchesOff("ZLIG_OBJECT_CACHE")),
            ..SetIn::COMMAND_LINE
        },
        required: None,
        doc: "`false` compiles without the [object cache](#the-object-cache)",
        apply: |s, g| set!(s.object_cache, g.bool()?),
    },
];

/// The keys of an extension table besides its lists (`LIST_KEYS`).
pub static EXTENSION_KEYS: &[Key<ExtensionDecl>] = &[
    Key {
        name: "name",
        kind: Kind::String,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: Some(""),
        doc: "dotted module name, such as `pkg._speedups` or a top-level `_speedups`",
        apply: ExtensionDecl::set_name,
    },
    Key {
        name: "language",
        kind: Kind::Word(Language::NAMES),
        default: DefaultValue::Derived("inferred from the sources"),
        set_in: SetIn::FILE,
        required: None,
        doc: "inferred from the sources (Cython makes C unless `c++` is given)",
        apply: |d, g| set!(d.language, Some(Language::parse(g)?)),
    },
    Key {
        name: "py-limited-api",
        kind: Kind::String,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "this extension's limited API version (`cp38`), overriding the top-level key",
        apply: |d, g| set!(d.py_limited_api, Some(g.string()?)),
    },
    Key {
        name: "optional",
        kind: Kind::Bool,
        default: DefaultValue::Value("false"),
        set_in: SetIn::FILE,
        required: None,
        doc: "`true`: if this module fails to build, it is left out of the wheel with a warning",
        apply: |d, g| set!(d.optional, g.bool()?),
    },
    Key {
        name: "cython-directives",
        kind: Kind::Scalars {
            entry: "<directive>",
        },
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "Cython directives for this extension's Cython source, over `[tool.zlig.cython] directives` (`{ wraparound = false }`)",
        apply: |d, g| set!(d.cython_directives, read_directives(g)?),
    },
    Key {
        name: "export-symbols",
        kind: Kind::ExportSymbols,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "names the module exports besides its init functions, for code that opens it with ctypes or cffi (setuptools' key); `\"all\"` exports every global symbol of the project's code (a list holding the word, `[\"all\"]`, is refused: it would name a symbol `all`)",
        apply: |d, g| set!(d.export_symbols, ExportSymbols::parse(g)?),
    },
    Key {
        name: "when",
        kind: Kind::When,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "settings for some targets only, see [`when`](#settings-for-some-targets-when)",
        apply: |d, g| {
            let tables = g.field()?.tables()?;
            set!(d.when, tables.iter().map(read_when).collect::<Result<_>>()?)
        },
    },
];

/// The list keys of an extension, which its `when` entries add to.
pub static LIST_KEYS: &[Key<ExtensionLists>] = &[
    Key {
        name: "sources",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: Some("a list of globs"),
        doc: "globs of `.c`, `.cc`/`.cpp`/`.cxx` files, one Cython source (`.pyx`, or a `.py` compiled in pure-Python mode), or one root `.zig` file, relative to the project; `*` stays in one folder, `**` recurses",
        apply: |l, g| set!(l.sources, g.patterns()?),
    },
    Key {
        name: "include-dirs",
        kind: Kind::IncludeDirs,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "folders searched for `#include \"...\"` (their headers, `.pxd` and `.pxi` files go into the sdist), or `{ package = \"numpy\" }`: the folder a Python package's `get_include()` names, see [Headers from Python packages](#headers-from-python-packages)",
        apply: |l, g| {
            let elements = g.field()?.array()?;
            set!(
                l.include_dirs,
                elements
                    .iter()
                    .map(read_include_dir)
                    .collect::<Result<_>>()?
            )
        },
    },
    Key {
        name: "define-macros",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "`NAME`, `NAME=VALUE`, `NAME=` (empty value), `VERSION=\"1.2\"` (a C string)",
        apply: |l, g| set!(l.define_macros, words(g)?),
    },
    Key {
        name: "undef-macros",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "names passed as `-U`",
        apply: |l, g| set!(l.undef_macros, words(g)?),
    },
    Key {
        name: "libraries",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "libraries to link (`m`, `z`)",
        apply: |l, g| set!(l.libraries, words(g)?),
    },
    Key {
        name: "library-dirs",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "folders searched for them",
        apply: |l, g| set!(l.library_dirs, folders(g)?),
    },
    Key {
        name: "extra-compile-args",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "flags added to every compile command, after `CPPFLAGS` and `CFLAGS`",
        apply: |l, g| set!(l.extra_compile_args, words(g)?),
    },
    Key {
        name: "extra-link-args",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "`-lNAME`, `-LDIR`, `-Wl,-rpath,DIR`, paths of `.o`/`.a`/`.so` files, and the linker options zig's linker understands in every backend: `-Wl,-z,relro`, `-Wl,-z,norelro`, `-Wl,-z,now`, `-Wl,-z,lazy`, `-Wl,--gc-sections`, `-Wl,--build-id[=fast\\|sha1\\|tree\\|md5\\|none\\|0x…]`, `-Wl,--enable-new-dtags`, `-Wl,--disable-new-dtags` (also as `-Xlinker` words); `-Wl,--as-needed`, `-Wl,--allow-shlib-undefined`, `-Wl,-z,noexecstack` and `-s` ask for what every module's link does already. Anything else is refused with the reason, since the zig backend has no raw linker command line",
        apply: |l, g| set!(l.extra_link_args, words(g)?),
    },
    Key {
        name: "depends",
        kind: Kind::Strings,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: None,
        doc: "extra files that the build depends on; they go into the sdist, not the wheel",
        apply: |l, g| set!(l.depends, g.patterns()?),
    },
];

/// The keys of a `when` entry besides the list keys it adds to.
pub static WHEN_KEYS: &[Key<Conditional>] = &[Key {
    name: "marker",
    kind: Kind::String,
    default: DefaultValue::None,
    set_in: SetIn::FILE,
    required: Some("a PEP 508 marker such as \"platform_machine == 'x86_64'\""),
    doc: "a PEP 508 marker, evaluated for the target: where it holds, the entry's lists are added to the extension's",
    apply: Conditional::set_marker,
}];

/// The keys of an `include-dirs` table.
pub static PACKAGE_KEYS: &[Key<IncludeDir>] = &[
    Key {
        name: "package",
        kind: Kind::String,
        default: DefaultValue::None,
        set_in: SetIn::FILE,
        required: Some("the Python package whose headers to use, such as \"numpy\""),
        doc: "a Python package of the build environment, whose `get_include()` names its headers' folder",
        apply: IncludeDir::set_package,
    },
    Key {
        name: "attr",
        kind: Kind::String,
        default: DefaultValue::Value(crate::project::extension::DEFAULT_INCLUDE_ATTR),
        set_in: SetIn::FILE,
        required: None,
        doc: "the package's function (or attribute) that names the folder",
        apply: IncludeDir::set_attr,
    },
];

/// One extension table.
fn read_extension(table: &Table<'_>) -> Result<ExtensionDecl> {
    let keys: Vec<_> = shapes(EXTENSION_KEYS).chain(shapes(LIST_KEYS)).collect();
    check_table(table, &keys, &|_| None)?;
    let mut decl = ExtensionDecl::unread(&table.place);
    apply_present(EXTENSION_KEYS, &mut decl, table)?;
    apply_present(LIST_KEYS, &mut decl.lists, table)?;
    if decl.lists.sources.is_empty() {
        let place = table
            .get("sources")
            .map_or(table.place.clone(), |f| f.place);
        return Err(place.error("expected at least one glob"));
    }
    Ok(decl)
}

/// One `when` entry: no list key is required there.
fn read_when(table: &Table<'_>) -> Result<Conditional> {
    let lists = shapes(LIST_KEYS).map(|(name, _)| (name, None));
    let keys: Vec<_> = shapes(WHEN_KEYS).chain(lists).collect();
    check_table(table, &keys, &|_| None)?;
    let mut conditional = Conditional::unread(&table.place);
    apply_present(WHEN_KEYS, &mut conditional, table)?;
    apply_present(LIST_KEYS, &mut conditional.lists, table)?;
    Ok(conditional)
}

/// One `include-dirs` entry: a folder, or a `{ package = … }` table.
fn read_include_dir(element: &Element<'_>) -> Result<IncludeDir> {
    if let Some(folder) = IncludeDir::read_folder(element) {
        return folder;
    }
    let Some(table) = element.table() else {
        return Err(element.expected("a folder or a table such as `{ package = \"numpy\" }`"));
    };
    check_table(&table, &shapes(PACKAGE_KEYS).collect::<Vec<_>>(), &|_| None)?;
    let mut dir = IncludeDir::unread_package(&table.place);
    apply_present(PACKAGE_KEYS, &mut dir, &table)?;
    Ok(dir)
}
