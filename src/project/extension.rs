//! `[[tool.zlig.extensions]]`: the extension modules as declared, with their `when` entries.
//!
//! This module knows the keys of an extension table and their types; globs are compiled
//! here but expanded later (`compile::resolve`, `distribution::contents`), and names are
//! checked here, once.

use std::str::FromStr;

use pep508_rs::MarkerTree;
use serde::Serialize;

use super::cython::{Directives, read_directives};
use super::files::{Pattern, check_relative};
use super::names::{is_dotted_name, is_identifier};
use super::text::check_placed;
use super::toml::{Field, Located, Place, Table};
use crate::error::Result;

/// The language an extension is compiled and linked as; a later one links the earlier ones
/// (Zig over C++ over C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Language {
    C,
    Cxx,
    Zig,
}

impl Language {
    /// The language of a source file, by its suffix.
    pub fn of_source(file: &std::path::Path) -> Option<Self> {
        match file.extension().and_then(|e| e.to_str())? {
            "c" => Some(Self::C),
            "cc" | "cpp" | "cxx" | "C" | "c++" => Some(Self::Cxx),
            "zig" => Some(Self::Zig),
            _ => None,
        }
    }

    /// Whether `file` is translated by Cython: a `.pyx`, or a `.py` compiled in pure-Python
    /// mode.
    pub fn is_cython_source(file: &std::path::Path) -> bool {
        file.extension()
            .is_some_and(|suffix| suffix == "pyx" || suffix == "py")
    }

    /// The name users write: `c`, `c++` or `zig`.
    pub fn name(self) -> &'static str {
        match self {
            Self::C => "c",
            Self::Cxx => "c++",
            Self::Zig => "zig",
        }
    }
}

/// One `include-dirs` entry.
#[derive(Debug, Clone)]
pub enum IncludeDir {
    /// A folder of the project.
    Folder(Located<String>),
    /// `{ package = "numpy" }`: the folder `numpy.get_include()` returns in the build
    /// environment (`attr` names another function or attribute).
    Package {
        package: Located<String>,
        attr: Located<String>,
    },
}

/// The function `{ package = ... }` calls when no `attr` is given.
pub const DEFAULT_INCLUDE_ATTR: &str = "get_include";

impl IncludeDir {
    /// The project folder, for a folder entry.
    pub fn folder(&self) -> Option<&Located<String>> {
        match self {
            Self::Folder(dir) => Some(dir),
            Self::Package { .. } => None,
        }
    }

    fn read_all(field: Field<'_>) -> Result<Vec<Self>> {
        field.array()?.iter().map(Self::read).collect()
    }

    fn read(element: &super::toml::Element<'_>) -> Result<Self> {
        if let Some(dir) = element.string() {
            check_relative(&dir.value).map_err(|why| dir.error(why))?;
            return Ok(Self::Folder(dir));
        }
        let Some(table) = element.table() else {
            return Err(element.expected("a folder or a table such as `{ package = \"numpy\" }`"));
        };
        table.reject_unknown(&["package", "attr"])?;
        let package = table.string("package")?.ok_or_else(|| {
            table
                .place
                .error("missing required key `package` (the Python package whose headers to use, such as \"numpy\")")
        })?;
        if !package.value.split('.').all(is_identifier) {
            return Err(package.error("expected an importable package name such as `numpy`"));
        }
        let attr = match table.string("attr")? {
            Some(attr) if is_identifier(&attr.value) => attr,
            Some(attr) => {
                return Err(attr.error("expected the name of a function or attribute of the package, such as `get_include`"));
            }
            None => Located {
                value: DEFAULT_INCLUDE_ATTR.to_string(),
                place: table.place.clone(),
            },
        };
        Ok(Self::Package { package, attr })
    }
}

/// The list keys of an extension, which a `when` entry can add to.
#[derive(Debug, Clone, Default)]
pub struct ExtensionLists {
    pub sources: Vec<Located<Pattern>>,
    pub include_dirs: Vec<IncludeDir>,
    pub define_macros: Vec<Located<String>>,
    pub undef_macros: Vec<Located<String>>,
    pub libraries: Vec<Located<String>>,
    pub library_dirs: Vec<Located<String>>,
    pub extra_compile_args: Vec<Located<String>>,
    pub extra_link_args: Vec<Located<String>>,
    pub depends: Vec<Located<Pattern>>,
}

/// Settings that apply only where a PEP 508 marker holds for the target.
#[derive(Debug, Clone)]
pub struct Conditional {
    pub marker: Located<MarkerTree>,
    pub lists: ExtensionLists,
}

/// `export-symbols` (setuptools' key): symbols the module exports besides `PyInit_<name>`
/// and `PyModExport_<name>`, for code that opens it with ctypes or cffi.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ExportSymbols {
    /// Only the init functions.
    #[default]
    None,
    /// These C symbols too.
    Names(Vec<String>),
    /// `"all"`: every global symbol, as a default setuptools build exports.
    All,
}

impl ExportSymbols {
    fn read(table: &Table<'_>) -> Result<Self> {
        let Some(field) = table.get("export-symbols") else {
            return Ok(Self::None);
        };
        if field.is_string() {
            let value = field.string()?;
            return match value.value.as_str() {
                "all" => Ok(Self::All),
                _ => Err(value
                    .error("expected `\"all\"` (every global symbol) or a list of symbol names")),
            };
        }
        let names = field
            .strings()
            .map_err(|_| field.expected("`\"all\"` or a list of symbol names"))?;
        for name in &names {
            if name.value == "all" {
                return Err(name.error(
                    "`\"all\"` in a list would export a symbol named `all`; to export every global symbol, write `export-symbols = \"all\"`, without the brackets",
                ));
            }
            let valid = name
                .value
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name
                    .value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(name.error(format!(
                    "`{}` is not a C symbol name (ASCII letters, digits and `_`)",
                    name.value
                )));
            }
        }
        Ok(Self::Names(names.into_iter().map(|n| n.value).collect()))
    }
}

/// One `[[tool.zlig.extensions]]` entry, as declared.
#[derive(Debug, Clone)]
pub struct ExtensionDecl {
    pub name: Located<String>,
    pub language: Option<Located<Language>>,
    pub lists: ExtensionLists,
    /// `[[tool.zlig.extensions.when]]` entries, in order.
    pub when: Vec<Conditional>,
    pub py_limited_api: Option<Located<String>>,
    pub optional: bool,
    /// Cython directives for this extension's Cython sources, over `[tool.zlig.cython]`'s.
    pub cython_directives: Directives,
    /// `export-symbols`: what the module exports besides its init functions.
    pub export_symbols: ExportSymbols,
    /// Where the entry itself is, for errors about the whole extension.
    pub place: Place,
}

impl ExtensionDecl {
    /// The base lists and every conditional one, whatever the target: what an sdist needs.
    pub fn all_lists(&self) -> impl Iterator<Item = &ExtensionLists> {
        std::iter::once(&self.lists).chain(self.when.iter().map(|w| &w.lists))
    }

    /// Reads one extension table.
    pub fn read(table: &Table<'_>) -> Result<Self> {
        table.reject_unknown(&[EXTENSION_ONLY_KEYS, LIST_KEYS].concat())?;
        let name = table
            .string("name")?
            .ok_or_else(|| table.place.error("missing required key `name`"))?;
        check_module_name(&name)?;
        let lists = ExtensionLists::read(table)?;
        if lists.sources.is_empty() {
            return Err(match table.get("sources") {
                Some(field) => field.place.error("expected at least one glob"),
                None => table
                    .place
                    .error("missing required key `sources` (a list of globs)"),
            });
        }
        let when = match table.get("when") {
            Some(field) => field
                .tables()?
                .iter()
                .map(Conditional::read)
                .collect::<Result<_>>()?,
            None => Vec::new(),
        };
        Ok(Self {
            language: table.string("language")?.map(parse_language).transpose()?,
            lists,
            when,
            py_limited_api: table.string("py-limited-api")?,
            optional: table.bool("optional")?.is_some_and(|b| b.value),
            cython_directives: match table.table("cython-directives")? {
                Some(directives) => read_directives(&directives)?,
                None => Directives::new(),
            },
            export_symbols: ExportSymbols::read(table)?,
            place: name.place.clone(),
            name,
        })
    }
}

const LIST_KEYS: &[&str] = &[
    "sources",
    "include-dirs",
    "define-macros",
    "undef-macros",
    "libraries",
    "library-dirs",
    "extra-compile-args",
    "extra-link-args",
    "depends",
];

/// The keys of an extension table besides the list keys.
const EXTENSION_ONLY_KEYS: &[&str] = &[
    "name",
    "language",
    "py-limited-api",
    "optional",
    "cython-directives",
    "export-symbols",
    "when",
];

/// An extension's dotted name. It must be ASCII: a non-ASCII module exports
/// `PyInitU_<punycode>`, which no compiler here names, and linkers refuse such symbols.
fn check_module_name(name: &Located<String>) -> Result<()> {
    if !is_dotted_name(&name.value) {
        return Err(name.error("expected a dotted module name such as `pkg._speedups`"));
    }
    if !name.value.is_ascii() {
        return Err(name.error(
            "an extension module's name must be ASCII (letters, digits and `_`): its init function `PyInit_<name>` is a C symbol",
        ));
    }
    Ok(())
}

fn parse_language(value: Located<String>) -> Result<Located<Language>> {
    let language = match value.value.as_str() {
        "c" => Language::C,
        "c++" => Language::Cxx,
        "zig" => Language::Zig,
        _ => return Err(value.error("expected `c`, `c++` or `zig`")),
    };
    Ok(Located {
        value: language,
        place: value.place,
    })
}

impl ExtensionLists {
    fn read(table: &Table<'_>) -> Result<Self> {
        // Each becomes a flag or a library name in a generated build file.
        let strings = |key| -> Result<Vec<Located<String>>> {
            let values = table.strings(key)?.unwrap_or_default();
            values.iter().try_for_each(check_placed)?;
            Ok(values)
        };
        let include_dirs = match table.get("include-dirs") {
            Some(field) => IncludeDir::read_all(field)?,
            None => Vec::new(),
        };
        let library_dirs = strings("library-dirs")?;
        for dir in &library_dirs {
            check_relative(&dir.value).map_err(|why| dir.error(why))?;
        }
        Ok(Self {
            sources: table.patterns("sources")?,
            include_dirs,
            define_macros: strings("define-macros")?,
            undef_macros: strings("undef-macros")?,
            libraries: strings("libraries")?,
            library_dirs,
            extra_compile_args: strings("extra-compile-args")?,
            extra_link_args: strings("extra-link-args")?,
            depends: table.patterns("depends")?,
        })
    }
}

impl Conditional {
    fn read(table: &Table<'_>) -> Result<Self> {
        table.reject_unknown(&[&["marker"], LIST_KEYS].concat())?;
        let marker = table.string("marker")?.ok_or_else(|| {
            table.place.error(
                "missing required key `marker` (a PEP 508 marker such as \"platform_machine == 'x86_64'\")",
            )
        })?;
        let tree = MarkerTree::from_str(&marker.value)
            .map_err(|err| marker.error(format!("not a valid PEP 508 marker: {}", err.message)))?;
        Ok(Self {
            marker: Located {
                value: tree,
                place: marker.place,
            },
            lists: ExtensionLists::read(table)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::project::settings::Settings;
    use crate::project::toml::TomlFile;
    use std::path::Path;

    /// The error reading `[[tool.zlig.extensions]]` with `line` added.
    fn refused(line: &str) -> String {
        let text = format!(
            "[[tool.zlig.extensions]]\nname = \"pkg.fast\"\nsources = [\"fast.c\"]\n{line}\n"
        );
        let file = TomlFile::parse(Path::new("pyproject.toml"), text).unwrap();
        let root = file.root();
        let tool = root.table("tool").unwrap();
        Settings::read(tool.as_ref()).unwrap_err().to_string()
    }

    /// A line break in a value that becomes a flag, a macro, a library name or a path would
    /// become a statement of a generated build file: each is refused at its place.
    #[test]
    fn values_with_a_line_break_are_refused_at_their_place() {
        const RULE: &str = "which no flag, macro, library name or path may hold (each is written on one line of a generated build file)";
        let cases = [
            (
                r#"define-macros = ["X=1\nrule evil"]"#,
                "4:18: `tool.zlig.extensions[0].define-macros[0]`: `X=1\\nrule evil` holds a line break (`\\n`)",
                "                 ^^^^^^^^^^^^^^^^",
            ),
            (
                r#"undef-macros = ["NDEBUG\r"]"#,
                "4:17: `tool.zlig.extensions[0].undef-macros[0]`: `NDEBUG\\r` holds a line break (`\\r`)",
                "                ^^^^^^^^^^",
            ),
            (
                r#"libraries = ["m", "z\u0000"]"#,
                "4:19: `tool.zlig.extensions[0].libraries[1]`: `z\\0` holds a NUL character (`\\0`)",
                "                  ^^^^^^^^^",
            ),
            (
                r#"extra-compile-args = ["-O2\nbuild evil: phony"]"#,
                "4:23: `tool.zlig.extensions[0].extra-compile-args[0]`: `-O2\\nbuild evil: phony` holds a line break (`\\n`)",
                "                      ^^^^^^^^^^^^^^^^^^^^^^^^",
            ),
            (
                r#"extra-link-args = ["-lm\n"]"#,
                "4:20: `tool.zlig.extensions[0].extra-link-args[0]`: `-lm\\n` holds a line break (`\\n`)",
                "                   ^^^^^^^",
            ),
            (
                r#"include-dirs = ["inc\nrule evil"]"#,
                "4:17: `tool.zlig.extensions[0].include-dirs[0]`: `inc\\nrule evil` holds a line break (`\\n`)",
                "                ^^^^^^^^^^^^^^^^",
            ),
            (
                r#"library-dirs = ["lib\tx"]"#,
                "4:17: `tool.zlig.extensions[0].library-dirs[0]`: `lib\\tx` holds a control character (`\\t`)",
                "                ^^^^^^^^",
            ),
            (
                r#"cython-directives = { c_string_type = "str\nx" }"#,
                "4:39: `tool.zlig.extensions[0].cython-directives.c_string_type`: `str\\nx` holds a line break (`\\n`)",
                "                                      ^^^^^^^^",
            ),
        ];
        for (line, message, caret) in cases {
            assert_eq!(
                refused(line),
                format!("pyproject.toml:{message}, {RULE}\n  |\n4 | {line}\n  | {caret}"),
                "{line}"
            );
        }
    }
}
