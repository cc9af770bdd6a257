//! `[tool.zlig]`, the compatibility tables `[tool.flit.*]`, and `config_settings` overrides.
//!
//! This module knows every key of the user's contract and its type; it does not touch the
//! file system except to read nothing (globs are expanded later, by `compile::graph` and
//! `distribution::contents`). `config_settings` from the frontend take precedence over the file.

use std::collections::BTreeMap;
use std::path::Path;

use super::cython::CythonSettings;
use super::extension::ExtensionDecl;
use super::files::{Pattern, check_relative, wheel_path};
use super::text::check_text;
use super::toml::{Located, Place, Table};
use crate::error::{Result, did_you_mean};
use crate::target::TargetSpec;

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

/// All build settings, after `config_settings` were applied.
#[derive(Debug, Clone)]
pub struct Settings {
    pub python_source: Option<Located<String>>,
    pub packages: Option<Vec<Located<String>>>,
    pub backend: Option<Located<String>>,
    /// Relative to the project root; outside it only when named in `config_settings`.
    pub build_dir: Option<Located<String>>,
    pub optimize: Option<Optimize>,
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

/// One `force-include` entry (hatchling's key and meaning): a project file or folder, and
/// the path it gets in the wheel, from the wheel's root.
#[derive(Debug, Clone)]
pub struct ForceInclude {
    /// The project-relative file or folder (the key; placed at the key).
    pub source: Located<String>,
    /// The path in the wheel, in `files::wheel_path`'s one form.
    pub target: Located<String>,
}

/// One `data` entry: a wheel scheme and the project folder whose files it installs.
#[derive(Debug, Clone)]
pub struct WheelData {
    /// `purelib`, `platlib`, `headers`, `scripts` or `data` (placed at the key).
    pub scheme: Located<String>,
    /// The project-relative folder.
    pub folder: Located<String>,
}

/// The install schemes of a wheel's `.data` folder (binary distribution format).
const WHEEL_SCHEMES: &[&str] = &["purelib", "platlib", "headers", "scripts", "data"];

impl ForceInclude {
    fn read_all(table: &Table<'_>) -> Result<Vec<Self>> {
        let mut entries: Vec<Self> = Vec::new();
        for key in table.keys() {
            let source = Located {
                value: key.to_string(),
                place: table.key_place(key).expect("listed key"),
            };
            check_relative(&source.value).map_err(|why| source.error(why))?;
            let mut target = table.string(key)?.expect("listed key");
            target.value = wheel_path(&target.value).map_err(|why| target.error(why))?;
            // Case-blind: on macOS and Windows `PKG-1.0.DIST-INFO` is the same folder.
            let first = target.value.split('/').next().unwrap_or_default();
            let first = first.to_lowercase();
            if first.ends_with(".dist-info") || first.ends_with(".data") {
                return Err(target.error(
                    "the wheel's `.dist-info` and `.data` folders are written by zlig: use `tool.zlig.wheel.data` for the `.data` schemes",
                ));
            }
            if let Some(other) = entries.iter().find(|e| e.target.value == target.value) {
                return Err(target.error(format!(
                    "`{}` is also the path of `{}` in the wheel",
                    target.value, other.source.value
                )));
            }
            entries.push(Self { source, target });
        }
        Ok(entries)
    }
}

impl WheelData {
    fn read_all(table: &Table<'_>) -> Result<Vec<Self>> {
        table.reject_unknown(WHEEL_SCHEMES)?;
        let mut entries = Vec::new();
        for key in table.keys() {
            let folder = table.string(key)?.expect("listed key");
            check_relative(&folder.value).map_err(|why| folder.error(why))?;
            entries.push(Self {
                scheme: Located {
                    value: key.to_string(),
                    place: table.key_place(key).expect("listed key"),
                },
                folder,
            });
        }
        Ok(entries)
    }
}

/// `[tool.zlig.version]`: a dynamic version read from any text file (a C header, say) with
/// a regular expression, as hatchling's regex version source does.
#[derive(Debug, Clone)]
pub struct VersionFile {
    /// The project-relative file.
    pub path: Located<String>,
    /// The expression, in multi-line mode (`^` and `$` match at line ends).
    pub pattern: Located<regex::Regex>,
    /// The group that holds the version: the one named `version`, else the only one.
    pub group: usize,
    /// The table itself, for errors about it as a whole.
    pub place: Place,
}

/// The pattern when none is given: hatchling's default, `__version__` or `VERSION`
/// assigned a quoted string, with an optional `v` (without its backreference to the
/// opening quote, which the `regex` crate does not have).
const DEFAULT_VERSION_PATTERN: &str =
    r#"(?i)^(?:__version__|VERSION) *= *['"]v?(?P<version>[^'"\n]+)['"]"#;

impl VersionFile {
    fn read(table: &Table<'_>) -> Result<Self> {
        table.reject_unknown(&["path", "pattern"])?;
        let path = table.string("path")?.ok_or_else(|| {
            table
                .place
                .error("missing required key `path` (the file holding the version)")
        })?;
        check_relative(&path.value).map_err(|why| path.error(why))?;
        let pattern = table.string("pattern")?.unwrap_or_else(|| Located {
            value: DEFAULT_VERSION_PATTERN.to_string(),
            place: table.place.clone(),
        });
        let regex = regex::RegexBuilder::new(&pattern.value)
            .multi_line(true)
            .build()
            .map_err(|err| {
                // The crate's message repeats the pattern with a pointer under it; the
                // place shown with ours does that already.
                let text = err.to_string();
                let reason = text
                    .lines()
                    .find_map(|line| line.strip_prefix("error: "))
                    .unwrap_or(&text)
                    .to_string();
                pattern.error(format!("not a valid regular expression: {reason}"))
            })?;
        let named = regex.capture_names().position(|n| n == Some("version"));
        let group = match (named, regex.captures_len()) {
            (Some(index), _) => index,
            (None, 2) => 1,
            (None, 1) => {
                return Err(pattern.error(
                    "has no group: put the version in one, such as `VERSION \"(.+)\"`, or name it `(?P<version>...)`",
                ));
            }
            (None, n) => {
                return Err(pattern.error(format!(
                    "has {} groups and none is named `version`: name the one holding the version `(?P<version>...)`",
                    n - 1
                )));
            }
        };
        Ok(Self {
            path,
            pattern: Located {
                value: regex,
                place: pattern.place,
            },
            group,
            place: table.place.clone(),
        })
    }
}

/// The keys of `[tool.zlig]` that `config_settings` can set too.
const SCALAR_KEYS: &[&str] = &[
    "python-source",
    "packages",
    "backend",
    "build-dir",
    "optimize",
    "target",
    "py-limited-api",
];

/// The keys only `[tool.zlig]` has.
const TABLE_KEYS: &[&str] = &[
    "extensions",
    "cython",
    "sdist",
    "wheel",
    "version",
    "sbom-files",
];

/// The keys only `config_settings` has.
const SETTING_ONLY_KEYS: &[&str] = &[
    "python-include",
    "build-details",
    "verbose",
    "editable-rebuild",
    "reuse-tools",
    "object-cache",
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
            python_include: None,
            build_details: None,
            verbose: false,
            editable_rebuild: true,
            reuse_tools: true,
            object_cache: true,
            extensions: Vec::new(),
            cython: CythonSettings::defaults(Place::unspanned(
                Path::new("pyproject.toml"),
                "tool.zlig.cython.requires",
            )),
            sdist_include: Vec::new(),
            sdist_exclude: Vec::new(),
            wheel_exclude: Vec::new(),
            version: None,
            force_include: Vec::new(),
            wheel_data: Vec::new(),
            sbom_files: Vec::new(),
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
        zlig.reject_unknown(&[SCALAR_KEYS, TABLE_KEYS].concat())?;
        if let Some(source) = zlig.string("python-source")? {
            self.python_source = Some(source);
        }
        if let Some(packages) = zlig.strings("packages")? {
            self.packages = Some(packages);
        }
        self.backend = zlig.string("backend")?.map(backend_name).transpose()?;
        self.build_dir = zlig.string("build-dir")?;
        if let Some(dir) = &self.build_dir {
            // A build dir in the file stays in the project: a downloaded sdist must not
            // make a build write, or `zlig clean` remove, anything outside it.
            check_relative(&dir.value).map_err(|why| dir.error(why))?;
        }
        self.optimize = zlig
            .string("optimize")?
            .as_ref()
            .map(Optimize::parse)
            .transpose()?;
        self.target = zlig.string("target")?.map(target_spec).transpose()?;
        self.py_limited_api = zlig.string("py-limited-api")?;
        if let Some(field) = zlig.get("extensions") {
            self.extensions = field
                .tables()?
                .iter()
                .map(ExtensionDecl::read)
                .collect::<Result<_>>()?;
        }
        if let Some(cython) = zlig.table("cython")? {
            self.cython = CythonSettings::read(&cython)?;
        }
        if let Some(sdist) = zlig.table("sdist")? {
            sdist.reject_unknown(&["include", "exclude"])?;
            self.sdist_include.extend(sdist.patterns("include")?);
            self.sdist_exclude.extend(sdist.patterns("exclude")?);
        }
        if let Some(version) = zlig.table("version")? {
            self.version = Some(VersionFile::read(&version)?);
        }
        if let Some(wheel) = zlig.table("wheel")? {
            wheel.reject_unknown(&["exclude", "force-include", "data"])?;
            self.wheel_exclude.extend(wheel.patterns("exclude")?);
            if let Some(table) = wheel.table("force-include")? {
                self.force_include = ForceInclude::read_all(&table)?;
            }
            if let Some(table) = wheel.table("data")? {
                self.wheel_data = WheelData::read_all(&table)?;
            }
        }
        self.sbom_files = zlig.patterns("sbom-files")?;
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
            self.sdist_include.extend(sdist.patterns("include")?);
            self.sdist_exclude.extend(sdist.patterns("exclude")?);
        }
        Ok(())
    }

    /// Applies `config_settings` (`-C key=value`); they win over the file.
    pub fn apply_config_settings(&mut self, config: &BTreeMap<String, Vec<String>>) -> Result<()> {
        let file = Path::new("config_settings");
        for (key, values) in config {
            let place = Place::unspanned(file, key.clone());
            // Every setting may reach a generated file: a folder, a name, a flag.
            for value in values {
                check_text(value).map_err(|why| place.error(why))?;
            }
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
                "backend" => self.backend = Some(backend_name(last())?),
                "build-dir" => {
                    let dir = last();
                    if dir.value.trim().is_empty() {
                        return Err(place.error("expected a folder"));
                    }
                    self.build_dir = Some(dir);
                }
                "optimize" => self.optimize = Some(Optimize::parse(&last())?),
                "target" => self.target = Some(target_spec(last())?),
                "py-limited-api" => self.py_limited_api = Some(last()),
                "python-include" => {
                    let dir = last();
                    if dir.value.trim().is_empty() {
                        return Err(place.error("expected a folder"));
                    }
                    self.python_include = Some(dir);
                }
                "build-details" => {
                    let file = last();
                    if file.value.trim().is_empty() {
                        return Err(place.error("expected the path of a build-details.json"));
                    }
                    self.build_details = Some(file);
                }
                "verbose" => self.verbose = boolean(&last())?,
                "editable-rebuild" => self.editable_rebuild = boolean(&last())?,
                "reuse-tools" => self.reuse_tools = boolean(&last())?,
                "object-cache" => self.object_cache = boolean(&last())?,
                other => {
                    let known = [SCALAR_KEYS, SETTING_ONLY_KEYS].concat();
                    return Err(place.error(format!(
                        "unknown config setting{}; zlig accepts: {}",
                        hint(other, &known),
                        known.join(", ")
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

/// A backend name: letters, digits, `-` and `_` (also the name of its build folder).
fn backend_name(name: Located<String>) -> Result<Located<String>> {
    let valid = !name.value.is_empty()
        && name
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(name.error("expected a backend name such as `ninja` or `zig`"));
    }
    Ok(name)
}

fn target_spec(triple: Located<String>) -> Result<Located<TargetSpec>> {
    match triple.value.parse() {
        Ok(spec) => Ok(Located {
            value: spec,
            place: triple.place,
        }),
        Err(err) => Err(triple.error(err.explained())),
    }
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
        insta::assert_snapshot!(err, @"config_settings: `optimise`: unknown config setting (did you mean `optimize`?); zlig accepts: python-source, packages, backend, build-dir, optimize, target, py-limited-api, python-include, build-details, verbose, editable-rebuild, reuse-tools, object-cache");
    }

    /// Every config setting may reach a generated file (a build dir in a flag, a folder in
    /// a `.pth` line): a control character in any is refused with its key.
    #[test]
    fn config_settings_with_a_control_character_are_refused_with_their_key() {
        for (key, value, shown) in [
            (
                "build-dir",
                "/tmp/b\nrule evil",
                "`/tmp/b\\nrule evil` holds a line break (`\\n`)",
            ),
            (
                "python-source",
                "src\r",
                "`src\\r` holds a line break (`\\r`)",
            ),
            (
                "packages",
                "pkg\0",
                "`pkg\\0` holds a NUL character (`\\0`)",
            ),
            (
                "verbose",
                "1\u{1b}",
                "`1\\u{1b}` holds a control character (`\\u{1b}`)",
            ),
        ] {
            let mut s = settings("").unwrap();
            let config =
                BTreeMap::from([(key.to_string(), vec!["ok".to_string(), value.to_string()])]);
            assert_eq!(
                s.apply_config_settings(&config).err().unwrap().to_string(),
                format!(
                    "config_settings: `{key}`: {shown}, which no flag, macro, library name or path may hold (each is written on one line of a generated build file)"
                )
            );
        }
    }

    #[test]
    fn a_version_pattern_needs_one_group_or_one_named_version() {
        let read = |pattern: &str| {
            settings(&format!(
                "[tool.zlig.version]\npath = \"v.h\"\npattern = '{pattern}'\n"
            ))
            .map(|s| s.version.unwrap().group)
        };
        assert_eq!(read(r#"#define V "(.+)""#).unwrap(), 1);
        assert_eq!(read(r#"(MAJOR) "(?P<version>.+)""#).unwrap(), 2);
        assert!(settings("[tool.zlig.version]\npath = \"v.py\"\n").is_ok());
        let report: Vec<String> = [r#"#define V "(.+""#, r#"#define V ".+""#, r#"(A) "(.+)""#]
            .into_iter()
            .map(|pattern| {
                let err = read(pattern).err().unwrap().to_string();
                format!("{pattern}\n→ {err}")
            })
            .collect();
        insta::assert_snapshot!(report.join("\n\n"), @r#"
            #define V "(.+"
            → pyproject.toml:3:11: `tool.zlig.version.pattern`: not a valid regular expression: unclosed group
              |
            3 | pattern = '#define V "(.+"'
              |           ^^^^^^^^^^^^^^^^^

            #define V ".+"
            → pyproject.toml:3:11: `tool.zlig.version.pattern`: has no group: put the version in one, such as `VERSION "(.+)"`, or name it `(?P<version>...)`
              |
            3 | pattern = '#define V ".+"'
              |           ^^^^^^^^^^^^^^^^

            (A) "(.+)"
            → pyproject.toml:3:11: `tool.zlig.version.pattern`: has 2 groups and none is named `version`: name the one holding the version `(?P<version>...)`
              |
            3 | pattern = '(A) "(.+)"'
              |           ^^^^^^^^^^^^
            "#);
    }

    #[test]
    fn files_outside_the_packages_are_read_and_checked() {
        let s = settings(
            "[tool.zlig.wheel]\nforce-include = { \"src/extra/cov.pth\" = \"./cov.pth\", \"share/\" = \"extra/\" }\ndata = { scripts = \"bin\", headers = \"include\" }\n",
        )
        .unwrap();
        let pairs: Vec<(&str, &str)> = s
            .force_include
            .iter()
            .map(|f| (f.source.value.as_str(), f.target.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [("src/extra/cov.pth", "cov.pth"), ("share/", "extra")]
        );
        assert_eq!(s.wheel_data[0].scheme.value, "scripts");
        let report: Vec<String> = [
            "force-include = { \"../cov.pth\" = \"cov.pth\" }",
            "force-include = { \"cov.pth\" = \"/cov.pth\" }",
            "force-include = { \"a.pth\" = \"x.pth\", \"b.pth\" = \"x.pth\" }",
            "force-include = { \"a.txt\" = \"p-1.dist-info/a.txt\" }",
            "force-include = { \"a.txt\" = \".//P-1.DIST-INFO/RECORD\" }",
            "force-include = { \"a.txt\" = \"./p-1.data/purelib/x\" }",
            "force-include = { \"a.pth\" = \"x.pth\", \"b.pth\" = \".//x.pth\" }",
            "force-include = { \"a.txt\" = \"./.\" }",
            "force-include = { \"a.txt\" = \"pkg/../../a.txt\" }",
            "data = { script = \"bin\" }",
        ]
        .into_iter()
        .map(|toml| {
            let err = settings(&format!("[tool.zlig.wheel]\n{toml}\n"))
                .err()
                .unwrap()
                .to_string();
            format!("{toml}\n→ {err}")
        })
        .collect();
        insta::assert_snapshot!(report.join("\n\n"), @r#"
            force-include = { "../cov.pth" = "cov.pth" }
            → pyproject.toml:2:19: `tool.zlig.wheel.force-include."../cov.pth"`: a path must stay inside the project: no absolute path and no `..`
              |
            2 | force-include = { "../cov.pth" = "cov.pth" }
              |                   ^^^^^^^^^^^^

            force-include = { "cov.pth" = "/cov.pth" }
            → pyproject.toml:2:31: `tool.zlig.wheel.force-include."cov.pth"`: a path in the wheel must stay inside it: no absolute path and no `..`
              |
            2 | force-include = { "cov.pth" = "/cov.pth" }
              |                               ^^^^^^^^^^

            force-include = { "a.pth" = "x.pth", "b.pth" = "x.pth" }
            → pyproject.toml:2:48: `tool.zlig.wheel.force-include."b.pth"`: `x.pth` is also the path of `a.pth` in the wheel
              |
            2 | force-include = { "a.pth" = "x.pth", "b.pth" = "x.pth" }
              |                                                ^^^^^^^

            force-include = { "a.txt" = "p-1.dist-info/a.txt" }
            → pyproject.toml:2:29: `tool.zlig.wheel.force-include."a.txt"`: the wheel's `.dist-info` and `.data` folders are written by zlig: use `tool.zlig.wheel.data` for the `.data` schemes
              |
            2 | force-include = { "a.txt" = "p-1.dist-info/a.txt" }
              |                             ^^^^^^^^^^^^^^^^^^^^^

            force-include = { "a.txt" = ".//P-1.DIST-INFO/RECORD" }
            → pyproject.toml:2:29: `tool.zlig.wheel.force-include."a.txt"`: the wheel's `.dist-info` and `.data` folders are written by zlig: use `tool.zlig.wheel.data` for the `.data` schemes
              |
            2 | force-include = { "a.txt" = ".//P-1.DIST-INFO/RECORD" }
              |                             ^^^^^^^^^^^^^^^^^^^^^^^^^

            force-include = { "a.txt" = "./p-1.data/purelib/x" }
            → pyproject.toml:2:29: `tool.zlig.wheel.force-include."a.txt"`: the wheel's `.dist-info` and `.data` folders are written by zlig: use `tool.zlig.wheel.data` for the `.data` schemes
              |
            2 | force-include = { "a.txt" = "./p-1.data/purelib/x" }
              |                             ^^^^^^^^^^^^^^^^^^^^^^

            force-include = { "a.pth" = "x.pth", "b.pth" = ".//x.pth" }
            → pyproject.toml:2:48: `tool.zlig.wheel.force-include."b.pth"`: `x.pth` is also the path of `a.pth` in the wheel
              |
            2 | force-include = { "a.pth" = "x.pth", "b.pth" = ".//x.pth" }
              |                                                ^^^^^^^^^^

            force-include = { "a.txt" = "./." }
            → pyproject.toml:2:29: `tool.zlig.wheel.force-include."a.txt"`: names the wheel's root itself; give a path in it, such as `cov.pth`
              |
            2 | force-include = { "a.txt" = "./." }
              |                             ^^^^^

            force-include = { "a.txt" = "pkg/../../a.txt" }
            → pyproject.toml:2:29: `tool.zlig.wheel.force-include."a.txt"`: a path in the wheel must stay inside it: no absolute path and no `..`
              |
            2 | force-include = { "a.txt" = "pkg/../../a.txt" }
              |                             ^^^^^^^^^^^^^^^^^

            data = { script = "bin" }
            → pyproject.toml:2:10: `tool.zlig.wheel.data.script`: unknown key; did you mean `scripts`?
              |
            2 | data = { script = "bin" }
              |          ^^^^^^
            "#);
    }

    #[test]
    fn the_word_all_in_an_export_symbols_list_is_explained() {
        let err = settings(
            "[[tool.zlig.extensions]]\nname = \"a\"\nsources = [\"a.c\"]\nexport-symbols = [\"all\"]\n",
        )
        .err()
        .unwrap()
        .to_string();
        insta::assert_snapshot!(err, @r#"
        pyproject.toml:4:19: `tool.zlig.extensions[0].export-symbols[0]`: `"all"` in a list would export a symbol named `all`; to export every global symbol, write `export-symbols = "all"`, without the brackets
          |
        4 | export-symbols = ["all"]
          |                   ^^^^^
        "#);
    }

    #[test]
    fn bad_extension_entries_are_explained() {
        let report: Vec<String> = [
            "[[tool.zlig.extensions]]\nsources = [\"a.c\"]\n",
            "[[tool.zlig.extensions]]\nname = \"a-b\"\nsources = [\"a.c\"]\n",
            "[[tool.zlig.extensions]]\nname = \"a\"\nsources = [\"../a.c\"]\n",
            "[[tool.zlig.extensions]]\nname = \"a\"\nsources = [\"a.c\"]\nlanguage = \"rust\"\n",
            "[tool.zlig]\noptimize = \"fast\"\n",
        ]
        .into_iter()
        .map(|toml| {
            let err = settings(toml).err().unwrap().to_string();
            format!("{toml}\n→ {err}")
        })
        .collect();
        insta::assert_snapshot!(report.join("\n\n"), @r#"
            [[tool.zlig.extensions]]
            sources = ["a.c"]

            → pyproject.toml:1:1: `tool.zlig.extensions[0]`: missing required key `name`
              |
            1 | [[tool.zlig.extensions]]
              | ^^^^^^^^^^^^^^^^^^^^^^^^

            [[tool.zlig.extensions]]
            name = "a-b"
            sources = ["a.c"]

            → pyproject.toml:2:8: `tool.zlig.extensions[0].name`: expected a dotted module name such as `pkg._speedups`
              |
            2 | name = "a-b"
              |        ^^^^^

            [[tool.zlig.extensions]]
            name = "a"
            sources = ["../a.c"]

            → pyproject.toml:3:12: `tool.zlig.extensions[0].sources[0]`: a path must stay inside the project: no absolute path and no `..`
              |
            3 | sources = ["../a.c"]
              |            ^^^^^^^^

            [[tool.zlig.extensions]]
            name = "a"
            sources = ["a.c"]
            language = "rust"

            → pyproject.toml:4:12: `tool.zlig.extensions[0].language`: expected `c`, `c++` or `zig`
              |
            4 | language = "rust"
              |            ^^^^^^

            [tool.zlig]
            optimize = "fast"

            → pyproject.toml:2:12: `tool.zlig.optimize`: unknown optimize mode `fast`; expected one of: Debug, ReleaseSafe, ReleaseFast, ReleaseSmall
              |
            2 | optimize = "fast"
              |            ^^^^^^
            "#);
    }
}
