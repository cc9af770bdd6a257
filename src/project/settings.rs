//! `[tool.zlig]`, the compatibility tables `[tool.flit.*]`, and `config_settings` overrides.
//!
//! This module knows every key of the user's contract and its type; it does not touch the
//! file system except to read nothing (globs are expanded later, by `compile::graph` and
//! `distribution::contents`). `config_settings` from the frontend take precedence over the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep508_rs::MarkerTree;

use super::files::Pattern;
use super::toml::{Located, Place, Table};
use crate::error::{Result, did_you_mean};

/// The optimize modes, as the user writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Optimize {
    Debug,
    ReleaseSafe,
    ReleaseFast,
    ReleaseSmall,
}

impl Optimize {
    const NAMES: [&'static str; 4] = ["Debug", "ReleaseSafe", "ReleaseFast", "ReleaseSmall"];

    fn parse(value: &Located<String>) -> Result<Self> {
        match value.value.as_str() {
            "Debug" => Ok(Self::Debug),
            "ReleaseSafe" => Ok(Self::ReleaseSafe),
            "ReleaseFast" => Ok(Self::ReleaseFast),
            "ReleaseSmall" => Ok(Self::ReleaseSmall),
            other => Err(value.error(format!(
                "unknown optimize mode `{other}`{}; expected one of: {}",
                hint(other, &Self::NAMES),
                Self::NAMES.join(", ")
            ))),
        }
    }

    /// Whether the output keeps debug info (only `Debug` does).
    pub fn keeps_debug_info(self) -> bool {
        self == Self::Debug
    }
}

/// The list keys of an extension, which a `when` entry can add to.
#[derive(Debug, Clone, Default)]
pub struct ExtensionLists {
    pub sources: Vec<Located<Pattern>>,
    pub include_dirs: Vec<Located<String>>,
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

/// One `[[tool.zlig.extensions]]` entry, as declared.
#[derive(Debug, Clone)]
pub struct ExtensionDecl {
    pub name: Located<String>,
    pub language: Option<Located<String>>,
    pub lists: ExtensionLists,
    /// `[[tool.zlig.extensions.when]]` entries, in order.
    pub when: Vec<Conditional>,
    pub py_limited_api: Option<Located<String>>,
    pub optional: bool,
    /// Where the entry itself is, for errors about the whole extension.
    pub place: Place,
}

impl ExtensionDecl {
    /// The base lists and every conditional one, whatever the target: what an sdist needs.
    pub fn all_lists(&self) -> impl Iterator<Item = &ExtensionLists> {
        std::iter::once(&self.lists).chain(self.when.iter().map(|w| &w.lists))
    }
}

/// All build settings, after `config_settings` were applied.
#[derive(Debug, Clone)]
pub struct Settings {
    pub python_source: Option<Located<String>>,
    pub packages: Option<Vec<Located<String>>>,
    pub backend: Option<Located<String>>,
    pub build_dir: Option<Located<String>>,
    pub optimize: Option<Optimize>,
    pub target: Option<Located<String>>,
    pub py_limited_api: Option<Located<String>>,
    pub verbose: bool,
    /// Whether an editable install rebuilds changed extensions on import.
    pub editable_rebuild: bool,
    pub extensions: Vec<ExtensionDecl>,
    pub sdist_include: Vec<Located<Pattern>>,
    pub sdist_exclude: Vec<Located<Pattern>>,
    pub wheel_exclude: Vec<Located<Pattern>>,
}

const ZLIG_KEYS: &[&str] = &[
    "python-source",
    "packages",
    "backend",
    "build-dir",
    "optimize",
    "target",
    "py-limited-api",
    "extensions",
    "sdist",
    "wheel",
];

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
const EXTENSION_ONLY_KEYS: &[&str] = &["name", "language", "py-limited-api", "optional", "when"];

/// The `config_settings` keys: the scalar top-level keys, plus `verbose` and
/// `editable-rebuild`.
pub const CONFIG_SETTING_KEYS: &[&str] = &[
    "python-source",
    "packages",
    "backend",
    "build-dir",
    "optimize",
    "target",
    "py-limited-api",
    "verbose",
    "editable-rebuild",
];

impl Settings {
    /// Reads `[tool.zlig]` and the flit compatibility tables from `tool`.
    pub fn read(tool: Option<&Table<'_>>) -> Result<Self> {
        let zlig = match tool {
            Some(tool) => tool.table("zlig")?,
            None => None,
        };
        let flit = match tool {
            Some(tool) => tool.table("flit")?,
            None => None,
        };
        let mut settings = Self {
            python_source: None,
            packages: None,
            backend: None,
            build_dir: None,
            optimize: None,
            target: None,
            py_limited_api: None,
            verbose: false,
            editable_rebuild: true,
            extensions: Vec::new(),
            sdist_include: Vec::new(),
            sdist_exclude: Vec::new(),
            wheel_exclude: Vec::new(),
        };
        if let Some(flit) = &flit {
            settings.read_flit(flit)?;
        }
        if let Some(zlig) = &zlig {
            settings.read_zlig(zlig)?;
        }
        Ok(settings)
    }

    fn read_zlig(&mut self, zlig: &Table<'_>) -> Result<()> {
        zlig.reject_unknown(ZLIG_KEYS)?;
        if let Some(source) = zlig.string("python-source")? {
            self.python_source = Some(source);
        }
        if let Some(packages) = zlig.strings("packages")? {
            self.packages = Some(packages);
        }
        self.backend = zlig.string("backend")?;
        self.build_dir = zlig.string("build-dir")?;
        self.optimize = zlig
            .string("optimize")?
            .as_ref()
            .map(Optimize::parse)
            .transpose()?;
        self.target = zlig.string("target")?;
        self.py_limited_api = zlig.string("py-limited-api")?;
        if let Some(field) = zlig.get("extensions") {
            self.extensions = field
                .tables()?
                .iter()
                .map(read_extension)
                .collect::<Result<_>>()?;
        }
        if let Some(sdist) = zlig.table("sdist")? {
            sdist.reject_unknown(&["include", "exclude"])?;
            self.sdist_include.extend(patterns(&sdist, "include")?);
            self.sdist_exclude.extend(patterns(&sdist, "exclude")?);
        }
        if let Some(wheel) = zlig.table("wheel")? {
            wheel.reject_unknown(&["exclude"])?;
            self.wheel_exclude.extend(patterns(&wheel, "exclude")?);
        }
        Ok(())
    }

    /// `[tool.flit.module] name` and `[tool.flit.sdist] include/exclude`, kept so that a
    /// project written for the earlier flit-based design builds unchanged.
    fn read_flit(&mut self, flit: &Table<'_>) -> Result<()> {
        if let Some(module) = flit.table("module")? {
            module.reject_unknown(&["name"])?;
            if let Some(name) = module.string("name")? {
                self.packages = Some(vec![name]);
            }
        }
        if let Some(sdist) = flit.table("sdist")? {
            sdist.reject_unknown(&["include", "exclude"])?;
            self.sdist_include.extend(patterns(&sdist, "include")?);
            self.sdist_exclude.extend(patterns(&sdist, "exclude")?);
        }
        Ok(())
    }

    /// Applies `config_settings` (`-C key=value`); they win over the file.
    pub fn apply_config_settings(&mut self, config: &BTreeMap<String, Vec<String>>) -> Result<()> {
        let file = Path::new("config_settings");
        for (key, values) in config {
            let place = Place::unspanned(file, key.clone());
            let last = || Located {
                value: values.last().cloned().unwrap_or_default(),
                place: place.clone(),
            };
            match key.as_str() {
                "python-source" => self.python_source = Some(last()),
                "packages" => {
                    self.packages = Some(
                        values
                            .iter()
                            .flat_map(|v| v.split(','))
                            .map(|v| Located {
                                value: v.trim().to_string(),
                                place: place.clone(),
                            })
                            .collect(),
                    )
                }
                "backend" => self.backend = Some(last()),
                "build-dir" => {
                    let dir = last();
                    if dir.value.trim().is_empty() {
                        return Err(place.error("expected a folder"));
                    }
                    self.build_dir = Some(dir);
                }
                "optimize" => self.optimize = Some(Optimize::parse(&last())?),
                "target" => self.target = Some(last()),
                "py-limited-api" => self.py_limited_api = Some(last()),
                "verbose" => self.verbose = boolean(&last())?,
                "editable-rebuild" => self.editable_rebuild = boolean(&last())?,
                other => {
                    return Err(place.error(format!(
                        "unknown config setting{}; zlig accepts: {}",
                        hint(other, CONFIG_SETTING_KEYS),
                        CONFIG_SETTING_KEYS.join(", ")
                    )));
                }
            }
        }
        Ok(())
    }

    /// The optimize mode in force: release with no sanitizer traps unless asked otherwise.
    pub fn optimize(&self) -> Optimize {
        self.optimize.unwrap_or(Optimize::ReleaseFast)
    }

    /// The build directory, relative to the project root unless absolute.
    pub fn build_dir(&self, root: &Path, tag: &str) -> PathBuf {
        match &self.build_dir {
            Some(dir) => root.join(&dir.value),
            None => root.join("build").join("zlig").join(tag),
        }
    }
}

/// A boolean config setting: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`; empty is true.
fn boolean(value: &Located<String>) -> Result<bool> {
    match value.value.to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(value.error(format!("expected true or false, found `{other}`"))),
    }
}

fn hint(given: &str, known: &[&str]) -> String {
    did_you_mean(given, known.iter().copied())
        .map(|close| format!(" (did you mean `{close}`?)"))
        .unwrap_or_default()
}

fn patterns(table: &Table<'_>, key: &str) -> Result<Vec<Located<Pattern>>> {
    table
        .strings(key)?
        .unwrap_or_default()
        .into_iter()
        .map(|glob| {
            let pattern = Pattern::new(&glob.value).map_err(|err| glob.error(err))?;
            Ok(Located {
                value: pattern,
                place: glob.place,
            })
        })
        .collect()
}

fn strings(table: &Table<'_>, key: &str) -> Result<Vec<Located<String>>> {
    Ok(table.strings(key)?.unwrap_or_default())
}

fn read_lists(table: &Table<'_>) -> Result<ExtensionLists> {
    for dir in strings(table, "include-dirs")?
        .iter()
        .chain(&strings(table, "library-dirs")?)
    {
        Pattern::new(&dir.value).map_err(|err| dir.error(err))?;
    }
    Ok(ExtensionLists {
        sources: patterns(table, "sources")?,
        include_dirs: strings(table, "include-dirs")?,
        define_macros: strings(table, "define-macros")?,
        undef_macros: strings(table, "undef-macros")?,
        libraries: strings(table, "libraries")?,
        library_dirs: strings(table, "library-dirs")?,
        extra_compile_args: strings(table, "extra-compile-args")?,
        extra_link_args: strings(table, "extra-link-args")?,
        depends: patterns(table, "depends")?,
    })
}

fn read_conditional(table: &Table<'_>) -> Result<Conditional> {
    table.reject_unknown(&[&["marker"], LIST_KEYS].concat())?;
    let marker = table.string("marker")?.ok_or_else(|| {
        table
            .place
            .error("missing required key `marker` (a PEP 508 marker such as \"platform_machine == 'x86_64'\")")
    })?;
    let tree = MarkerTree::from_str(&marker.value)
        .map_err(|err| marker.error(format!("not a valid PEP 508 marker: {}", err.message)))?;
    Ok(Conditional {
        marker: Located {
            value: tree,
            place: marker.place,
        },
        lists: read_lists(table)?,
    })
}

fn read_extension(table: &Table<'_>) -> Result<ExtensionDecl> {
    table.reject_unknown(&[EXTENSION_ONLY_KEYS, LIST_KEYS].concat())?;
    let name = table
        .string("name")?
        .ok_or_else(|| table.place.error("missing required key `name`"))?;
    let is_identifier = |part: &str| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    if !name.value.split('.').all(is_identifier) {
        return Err(name.error("expected a dotted module name such as `pkg._speedups`"));
    }
    let lists = read_lists(table)?;
    if lists.sources.is_empty() {
        return Err(match table.get("sources") {
            Some(field) => field.place.error("expected at least one glob"),
            None => table
                .place
                .error("missing required key `sources` (a list of globs)"),
        });
    }
    let language = table.string("language")?;
    if let Some(lang) = &language
        && !matches!(lang.value.as_str(), "c" | "c++" | "zig")
    {
        return Err(lang.error("expected `c`, `c++` or `zig`"));
    }
    let when = match table.get("when") {
        Some(field) => field
            .tables()?
            .iter()
            .map(read_conditional)
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    Ok(ExtensionDecl {
        language,
        lists,
        when,
        py_limited_api: table.string("py-limited-api")?,
        optional: table.bool("optional")?.is_some_and(|b| b.value),
        place: name.place.clone(),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::toml::TomlFile;

    fn settings(toml: &str) -> Result<Settings> {
        let file = TomlFile::parse(Path::new("pyproject.toml"), toml.to_string())?;
        let root = file.root();
        let tool = root.table("tool")?;
        Settings::read(tool.as_ref())
    }

    #[test]
    fn inline_and_array_of_tables_forms_are_the_same() {
        let inline = settings(
            "[tool.zlig]\nextensions = [{name = \"demo.demo\", sources = [\"src/**/*.c\"]}]\n",
        )
        .unwrap();
        let tables = settings(
            "[[tool.zlig.extensions]]\nname = \"demo.demo\"\nsources = [\"src/**/*.c\"]\n",
        )
        .unwrap();
        for s in [inline, tables] {
            assert_eq!(s.extensions.len(), 1);
            assert_eq!(s.extensions[0].name.value, "demo.demo");
            assert_eq!(
                s.extensions[0].lists.sources[0].value.as_str(),
                "src/**/*.c"
            );
        }
    }

    #[test]
    fn flit_compatibility_tables_are_read() {
        let s = settings("[tool.flit.module]\nname = \"pkg\"\n[tool.flit.sdist]\nexclude = [\"src/demo/*.so\"]\n").unwrap();
        assert_eq!(s.packages.unwrap()[0].value, "pkg");
        assert_eq!(s.sdist_exclude[0].value.as_str(), "src/demo/*.so");
    }

    #[test]
    fn config_settings_win_and_unknown_ones_are_refused() {
        let mut s = settings("[tool.zlig]\noptimize = \"Debug\"\n").unwrap();
        let config = BTreeMap::from([("optimize".to_string(), vec!["ReleaseSmall".to_string()])]);
        s.apply_config_settings(&config).unwrap();
        assert_eq!(s.optimize(), Optimize::ReleaseSmall);
        let bad = BTreeMap::from([("optimise".to_string(), vec!["Debug".to_string()])]);
        let err = s.apply_config_settings(&bad).err().unwrap().to_string();
        assert!(
            err.contains("`optimise`: unknown config setting (did you mean `optimize`?)"),
            "{err}"
        );
    }

    #[test]
    fn bad_extension_entries_are_explained() {
        let cases = [
            (
                "[[tool.zlig.extensions]]\nsources = [\"a.c\"]\n",
                "`tool.zlig.extensions[0]`: missing required key `name`",
            ),
            (
                "[[tool.zlig.extensions]]\nname = \"a-b\"\nsources = [\"a.c\"]\n",
                "`tool.zlig.extensions[0].name`: expected a dotted module name",
            ),
            (
                "[[tool.zlig.extensions]]\nname = \"a\"\nsources = [\"../a.c\"]\n",
                "`tool.zlig.extensions[0].sources[0]`: a glob must stay inside the project",
            ),
            (
                "[[tool.zlig.extensions]]\nname = \"a\"\nsources = [\"a.c\"]\nlanguage = \"rust\"\n",
                "`tool.zlig.extensions[0].language`: expected `c`, `c++` or `zig`",
            ),
            (
                "[tool.zlig]\noptimize = \"fast\"\n",
                "unknown optimize mode `fast`",
            ),
        ];
        for (toml, expected) in cases {
            let err = settings(toml).err().unwrap().to_string();
            assert!(err.contains(expected), "{toml}\n→ {err}");
        }
    }
}
