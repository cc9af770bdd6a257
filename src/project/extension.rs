//! `[[tool.zlig.extensions]]`: the extension modules as declared, with their `when` entries.
//!
//! This module knows what an extension's values are and checks each one (a name, a
//! language, a list of flags); which keys an extension table has, and so how a table is
//! read, is `settings::model`'s. Globs are compiled here but expanded later
//! (`compile::resolve`, `distribution::contents`), and names are checked here, once.

use std::str::FromStr;

use pep508_rs::MarkerTree;
use serde::Serialize;

use super::cython::Directives;
use super::files::{Pattern, check_relative};
use super::given::Given;
use super::names::{is_dotted_name, is_identifier};
use super::text::check_placed;
use super::toml::{Element, Located, Place};
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
    /// The names users write, in the variants' order.
    pub const NAMES: &'static [&'static str] = &["c", "c++", "zig"];
    const ALL: [Self; 3] = [Self::C, Self::Cxx, Self::Zig];

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
        Self::NAMES[self as usize]
    }

    /// Reads a language by its name.
    pub fn parse(given: &Given<'_>) -> Result<Located<Self>> {
        let value = given.string()?;
        match Self::ALL.into_iter().find(|l| l.name() == value.value) {
            Some(language) => Ok(Located {
                value: language,
                place: value.place,
            }),
            None => Err(value.error("expected `c`, `c++` or `zig`")),
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

    /// A folder entry, when `element` is a string.
    pub fn read_folder(element: &Element<'_>) -> Option<Result<Self>> {
        let dir = element.string()?;
        Some(match check_relative(&dir.value) {
            Ok(()) => Ok(Self::Folder(dir)),
            Err(why) => Err(dir.error(why)),
        })
    }

    /// A package entry whose keys are still to be read, placed at its table.
    pub fn unread_package(place: &Place) -> Self {
        Self::Package {
            package: Located {
                value: String::new(),
                place: place.clone(),
            },
            attr: Located {
                value: DEFAULT_INCLUDE_ATTR.to_string(),
                place: place.clone(),
            },
        }
    }

    /// `package`: an importable package name.
    pub fn set_package(&mut self, given: &Given<'_>) -> Result<()> {
        let name = given.string()?;
        if !name.value.split('.').all(is_identifier) {
            return Err(name.error("expected an importable package name such as `numpy`"));
        }
        if let Self::Package { package, .. } = self {
            *package = name;
        }
        Ok(())
    }

    /// `attr`: a function or attribute of the package.
    pub fn set_attr(&mut self, given: &Given<'_>) -> Result<()> {
        let name = given.string()?;
        if !is_identifier(&name.value) {
            return Err(name.error(
                "expected the name of a function or attribute of the package, such as `get_include`",
            ));
        }
        if let Self::Package { attr, .. } = self {
            *attr = name;
        }
        Ok(())
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

/// A list of flags, macros or library names: each becomes a word of a generated build file.
pub fn words(given: &Given<'_>) -> Result<Vec<Located<String>>> {
    let values = given.strings()?;
    values.iter().try_for_each(check_placed)?;
    Ok(values)
}

/// A list of project folders.
pub fn folders(given: &Given<'_>) -> Result<Vec<Located<String>>> {
    let dirs = words(given)?;
    for dir in &dirs {
        check_relative(&dir.value).map_err(|why| dir.error(why))?;
    }
    Ok(dirs)
}

/// Settings that apply only where a PEP 508 marker holds for the target.
#[derive(Debug, Clone)]
pub struct Conditional {
    pub marker: Located<MarkerTree>,
    pub lists: ExtensionLists,
}

impl Conditional {
    /// An entry whose keys are still to be read, placed at its table.
    pub fn unread(place: &Place) -> Self {
        Self {
            marker: Located {
                value: MarkerTree::TRUE,
                place: place.clone(),
            },
            lists: ExtensionLists::default(),
        }
    }

    /// `marker`: a PEP 508 marker.
    pub fn set_marker(&mut self, given: &Given<'_>) -> Result<()> {
        let marker = given.string()?;
        let tree = MarkerTree::from_str(&marker.value)
            .map_err(|err| marker.error(format!("not a valid PEP 508 marker: {}", err.message)))?;
        self.marker = Located {
            value: tree,
            place: marker.place,
        };
        Ok(())
    }
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
    /// Reads `"all"` or a list of C symbol names.
    pub fn parse(given: &Given<'_>) -> Result<Self> {
        let field = given.field()?;
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

    /// An entry whose keys are still to be read, placed at its table until its `name` is.
    pub fn unread(place: &Place) -> Self {
        Self {
            name: Located {
                value: String::new(),
                place: place.clone(),
            },
            language: None,
            lists: ExtensionLists::default(),
            when: Vec::new(),
            py_limited_api: None,
            optional: false,
            cython_directives: Directives::new(),
            export_symbols: ExportSymbols::None,
            place: place.clone(),
        }
    }

    /// `name`: a dotted module name, which also places errors about the whole extension.
    /// It must be ASCII: a non-ASCII module exports `PyInitU_<punycode>`, which no compiler
    /// here names, and linkers refuse such symbols.
    pub fn set_name(&mut self, given: &Given<'_>) -> Result<()> {
        let name = given.string()?;
        if !is_dotted_name(&name.value) {
            return Err(name.error("expected a dotted module name such as `pkg._speedups`"));
        }
        if !name.value.is_ascii() {
            return Err(name.error(
                "an extension module's name must be ASCII (letters, digits and `_`): its init function `PyInit_<name>` is a C symbol",
            ));
        }
        self.place = name.place.clone();
        self.name = name;
        Ok(())
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
