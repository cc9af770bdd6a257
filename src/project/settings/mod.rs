//! `[tool.zlig]`, the compatibility tables `[tool.flit.*]`, config settings and the
//! environment, read through one model of the settings (`model`).
//!
//! Each key is declared once in `model` with its parser; this module only takes the keys
//! by their routes: the file (`[tool.zlig]`; `apply_override` for issue 23's
//! `[[tool.zlig.overrides]]`), then the command line, which wins over the file, then the
//! environment, whose variables switch off (README, "config_settings"). Nothing here
//! touches the file system: globs are expanded later, by `compile::graph` and
//! `distribution::contents`.

pub mod key;
pub mod model;
#[cfg(test)]
mod reference;
pub mod values;

use std::collections::BTreeMap;
use std::path::Path;

use super::given::{Given, Route};
use super::text::check_text;
use super::toml::{Place, Table};
use crate::error::Result;
use key::{Env, Key, apply_present, check_table};
pub use model::{KEYS, Settings};
use values::hint;
pub use values::{ForceInclude, Optimize, VersionFile, WheelData};

/// The key of an override entry (`[[tool.zlig.overrides]]`) that says when it applies: the
/// caller's to read, and no setting.
const OVERRIDE_CONDITION: &str = "if";

impl Settings {
    /// Reads `[tool.zlig]` and the flit compatibility tables from `tool`.
    pub fn read(tool: Option<&Table<'_>>) -> Result<Self> {
        let mut settings = Self::defaults();
        let Some(tool) = tool else {
            return Ok(settings);
        };
        if let Some(zlig) = tool.table("zlig")? {
            let keys: Vec<&Key<Self>> = KEYS.iter().filter(|k| k.set_in.file).collect();
            let named: Vec<_> = keys.iter().map(|k| (k.name, k.required)).collect();
            check_table(&zlig, &named, &given_elsewhere)?;
            apply_present(keys, &mut settings, &zlig)?;
        }
        if let Some(flit) = tool.table("flit")? {
            settings.read_flit(&flit)?;
        }
        Ok(settings)
    }

    /// Sets the keys of an override entry over the settings: any key an override may set
    /// (`SetIn::overrides`), each as the file would; `if`, the entry's condition, is the
    /// caller's.
    pub fn apply_override(&mut self, table: &Table<'_>) -> Result<()> {
        let keys: Vec<&Key<Self>> = KEYS.iter().filter(|k| k.set_in.overrides).collect();
        let mut named: Vec<_> = keys.iter().map(|k| (k.name, None)).collect();
        named.push((OVERRIDE_CONDITION, None));
        check_table(table, &named, &given_elsewhere)?;
        apply_present(keys, self, table)
    }

    /// `[tool.flit.module] name` and `[tool.flit.sdist] include/exclude`, kept so that a
    /// project written for the earlier flit-based design builds unchanged: the module is
    /// the package unless `packages` names them, the globs add to `sdist`'s.
    fn read_flit(&mut self, flit: &Table<'_>) -> Result<()> {
        if let Some(module) = flit.table("module")? {
            module.reject_unknown(&["name"])?;
            if let Some(name) = module.string("name")?
                && self.packages.is_none()
            {
                self.packages = Some(vec![name]);
            }
        }
        if let Some(sdist) = flit.table("sdist")? {
            sdist.reject_unknown(&["include", "exclude"])?;
            for (key, list) in [
                ("include", &mut self.sdist_include),
                ("exclude", &mut self.sdist_exclude),
            ] {
                if let Some(field) = sdist.get(key) {
                    list.extend(Given::file(field, sdist.place.clone()).patterns()?);
                }
            }
        }
        Ok(())
    }

    /// Applies `config_settings` (`-C key=value`, every value of a key given more than
    /// once); they win over the file. A key is any key of the model the command line may
    /// set, a table's entry as `key.NAME`.
    pub fn apply_config_settings(&mut self, config: &BTreeMap<String, Vec<String>>) -> Result<()> {
        let file = Path::new("config_settings");
        for (name, values) in config {
            let place = Place::unspanned(file, name.clone());
            // Every setting may reach a generated file: a folder, a name, a flag.
            for value in values {
                check_text(value).map_err(|why| place.error(why))?;
            }
            if !KEYS.iter().any(|key| config_entry(key, name).is_some()) {
                return Err(unknown_config_setting(&place, name));
            }
        }
        // In the model's order, so that a key may build on an earlier one.
        for key in KEYS {
            for (name, values) in config {
                let Some(entry) = config_entry(key, name) else {
                    continue;
                };
                let place = Place::unspanned(file, name.clone());
                let table =
                    Place::unspanned(file, key.name.rsplit_once('.').map_or("", |(t, _)| t));
                let given = match entry {
                    Some(entry) => {
                        Given::entry(place, Place::unspanned(file, key.name), entry, values)
                    }
                    None => Given::text(place, table, Route::CommandLine, values),
                };
                (key.apply)(self, &given)?;
            }
        }
        Ok(())
    }

    /// Applies the environment: each variable that switches a key off (`ZLIG_REUSE_TOOLS=0`)
    /// and says so.
    pub fn apply_environment(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<()> {
        let off = ["false".to_string()];
        for key in KEYS {
            let Some(Env::SwitchesOff(name)) = key.set_in.env else {
                continue;
            };
            let said = var(name).is_some_and(|value| {
                matches!(
                    value.to_ascii_lowercase().as_str(),
                    "0" | "false" | "no" | "off"
                )
            });
            if said {
                let place = Place::unspanned(Path::new("environment"), name);
                (key.apply)(
                    self,
                    &Given::text(place.clone(), place, Route::Environment, &off),
                )?;
            }
        }
        Ok(())
    }

    /// The optimize mode in force: release with no sanitizer traps unless asked otherwise.
    pub fn optimize(&self) -> Optimize {
        self.optimize
    }
}

/// How the config setting `name` sets `key`: `Some(None)` as the key itself, `Some(Some(entry))`
/// as an entry of a table key (`wheel.data.scripts`); `None` when it does not.
fn config_entry<'n>(key: &Key<Settings>, name: &'n str) -> Option<Option<&'n str>> {
    if !key.set_in.command_line {
        return None;
    }
    if name == key.name {
        return Some(None);
    }
    let entry = name.strip_prefix(key.name)?.strip_prefix('.')?;
    key.kind.is_table().then_some(Some(entry))
}

/// The error for a config setting that sets no key, with a "did you mean" among those that
/// do, or the route that sets it.
fn unknown_config_setting(place: &Place, name: &str) -> crate::error::Error {
    let names_file_only = |key: &&Key<Settings>| {
        !key.set_in.command_line
            && (name == key.name || name.starts_with(&format!("{}.", key.name)))
    };
    if let Some(key) = KEYS.iter().find(names_file_only) {
        return place.error(format!(
            "`{}` is set in pyproject.toml only: {} has no spelling as a config setting",
            key.name,
            key.kind.describe()
        ));
    }
    let names: Vec<&str> = KEYS
        .iter()
        .filter(|k| k.set_in.command_line)
        .map(|k| k.name)
        .collect();
    let accepted: Vec<String> = KEYS
        .iter()
        .filter(|k| k.set_in.command_line)
        .map(|k| match k.kind.entry() {
            Some(entry) => format!("{}.{entry}", k.name),
            None => k.name.to_string(),
        })
        .collect();
    place.error(format!(
        "unknown config setting{}; zlig accepts: {}",
        hint(name, &names),
        accepted.join(", ")
    ))
}

/// For a `[tool.zlig]` key that only another route sets, that route.
fn given_elsewhere(name: &str) -> Option<String> {
    let key = KEYS.iter().find(|k| k.name == name && !k.set_in.file)?;
    Some(format!(
        "`{name}` is a config setting only, given on the command line as `-C {name}=…`{}",
        match key.set_in.env {
            Some(Env::SwitchesOff(var)) => format!(" or switched off by `{var}=0`"),
            _ => String::new(),
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::extension::{ExtensionDecl, IncludeDir};
    use crate::project::files::Pattern;
    use crate::project::toml::{Located, TomlFile};

    fn settings(toml: &str) -> Result<Settings> {
        let file = TomlFile::parse(Path::new("pyproject.toml"), toml.to_string())?;
        let root = file.root();
        let tool = root.table("tool")?;
        Settings::read(tool.as_ref())
    }

    /// Config settings as written: key and value.
    type Pairs = &'static [(&'static str, &'static str)];

    /// `config_settings` as a frontend passes them: a key given twice keeps both values.
    fn config(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        let mut config: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, value) in pairs {
            config
                .entry(key.to_string())
                .or_default()
                .push(value.to_string());
        }
        config
    }

    /// The settings of `toml` with `pairs` given on the command line.
    fn with_config(toml: &str, pairs: &[(&str, &str)]) -> Result<Settings> {
        let mut settings = settings(toml)?;
        settings.apply_config_settings(&config(pairs))?;
        Ok(settings)
    }

    fn globs(patterns: &[Located<Pattern>]) -> Vec<&str> {
        patterns.iter().map(|p| p.value.as_str()).collect()
    }

    #[test]
    fn config_settings_reach_every_key_by_its_dotted_name() {
        let s = with_config(
            "",
            &[
                ("sdist.include", "docs/*.md"),
                ("sdist.include", "CHANGES.md; LICENSE*"),
                ("sdist.exclude", "src/pkg/*.so"),
                ("wheel.exclude", "src/pkg/tests/**"),
                ("wheel.force-include.src/extra/cov.pth", "./cov.pth"),
                ("wheel.data.scripts", "bin"),
                ("cython.requires", "cython>=3.1"),
                ("cython.directives.boundscheck", "false"),
                ("cython.directives.language_level", "3"),
                ("cython.directives.c_string_type", "str"),
                ("cython.include-dirs", "pxd"),
                ("cython.annotate", "true"),
                ("version.path", "include/v.h"),
                ("version.pattern", r#"V "(.+)""#),
                ("sbom-files", "sbom/*.cdx.json"),
            ],
        )
        .unwrap();
        assert_eq!(
            globs(&s.sdist_include),
            ["docs/*.md", "CHANGES.md", "LICENSE*"]
        );
        assert_eq!(globs(&s.sdist_exclude), ["src/pkg/*.so"]);
        assert_eq!(globs(&s.wheel_exclude), ["src/pkg/tests/**"]);
        assert_eq!(s.force_include[0].source.value, "src/extra/cov.pth");
        assert_eq!(s.force_include[0].target.value, "cov.pth");
        assert_eq!(s.wheel_data[0].scheme.value, "scripts");
        assert_eq!(s.cython.requires.value.text, "cython>=3.1");
        let directives: Vec<String> = s
            .cython
            .directives
            .iter()
            .map(|(name, (_, value))| format!("{name}={}", value.to_cython()))
            .collect();
        assert_eq!(
            directives,
            ["boundscheck=False", "c_string_type=str", "language_level=3"]
        );
        assert_eq!(s.cython.include_dirs[0].value, "pxd");
        assert!(s.cython.annotate);
        let version = s.version.unwrap();
        assert_eq!(version.path.value, "include/v.h");
        assert_eq!(version.group, 1);
        assert_eq!(globs(&s.sbom_files), ["sbom/*.cdx.json"]);
    }

    /// A value is checked alike whichever route it takes: the file's message is the command
    /// line's, placed in the one and named by its key in the other.
    #[test]
    fn config_settings_are_checked_as_the_file_is() {
        // The file's text and key, the command line's settings and key, the message.
        type Case = (
            &'static str,
            &'static str,
            Pairs,
            &'static str,
            &'static str,
        );
        let cases: &[Case] = &[
            (
                "[tool.zlig.cython]\ninclude-dirs = [\"../pxd\"]",
                "tool.zlig.cython.include-dirs[0]",
                &[("cython.include-dirs", "../pxd")],
                "cython.include-dirs",
                "a path must stay inside the project: no absolute path and no `..`",
            ),
            (
                "[tool.zlig.sdist]\ninclude = [\"../x/*\"]",
                "tool.zlig.sdist.include[0]",
                &[("sdist.include", "../x/*")],
                "sdist.include",
                "a path must stay inside the project: no absolute path and no `..`",
            ),
            (
                "[tool.zlig.wheel]\ndata = { script = \"bin\" }",
                "tool.zlig.wheel.data.script",
                &[("wheel.data.script", "bin")],
                "wheel.data.script",
                "unknown key; did you mean `scripts`?",
            ),
            (
                "[tool.zlig.wheel]\nforce-include = { \"a.txt\" = \"p-1.dist-info/a.txt\" }",
                "tool.zlig.wheel.force-include.\"a.txt\"",
                &[("wheel.force-include.a.txt", "p-1.dist-info/a.txt")],
                "wheel.force-include.a.txt",
                "the wheel's `.dist-info` and `.data` folders are written by zlig: use `tool.zlig.wheel.data` for the `.data` schemes",
            ),
            (
                "[tool.zlig.cython]\nrequires = \"numpy>=2\"",
                "tool.zlig.cython.requires",
                &[("cython.requires", "numpy>=2")],
                "cython.requires",
                "names `numpy`; expected a requirement on Cython, such as `cython>=3.0`",
            ),
            (
                "[tool.zlig.cython]\ndirectives = { x = \"a,b\" }",
                "tool.zlig.cython.directives.x",
                &[("cython.directives.x", "a,b")],
                "cython.directives.x",
                "a directive's value may not hold a comma",
            ),
            (
                "[tool.zlig.version]\npath = \"v.h\"\npattern = \"V\"",
                "tool.zlig.version.pattern",
                &[("version.path", "v.h"), ("version.pattern", "V")],
                "version.pattern",
                "has no group: put the version in one, such as `VERSION \"(.+)\"`, or name it `(?P<version>...)`",
            ),
            (
                "[tool.zlig]\noptimize = \"Fast\"",
                "tool.zlig.optimize",
                &[("optimize", "Fast")],
                "optimize",
                "unknown optimize mode `Fast`; expected one of: Debug, ReleaseSafe, ReleaseFast, ReleaseSmall",
            ),
            (
                "[tool.zlig]\nbackend = \"my backend\"",
                "tool.zlig.backend",
                &[("backend", "my backend")],
                "backend",
                "expected a backend name such as `ninja` or `zig`",
            ),
        ];
        for (toml, toml_key, pairs, key, message) in cases {
            let in_file = settings(toml).unwrap_err().to_string();
            assert!(
                in_file.contains(&format!("`{toml_key}`: {message}")),
                "{toml}\n→ {in_file}"
            );
            let on_command_line = with_config("", pairs).unwrap_err().to_string();
            assert_eq!(
                on_command_line,
                format!("config_settings: `{key}`: {message}")
            );
        }
    }

    /// README, "Build dirs": in the file a build dir stays inside the project, named on the
    /// command line it may be anywhere; empty is refused on both.
    #[test]
    fn build_dir_stays_in_the_project_only_in_the_file() {
        let err = settings("[tool.zlig]\nbuild-dir = \"/tmp/b\"\n")
            .unwrap_err()
            .to_string();
        insta::assert_snapshot!(err, @r#"
            pyproject.toml:2:13: `tool.zlig.build-dir`: a path must stay inside the project: no absolute path and no `..`
              |
            2 | build-dir = "/tmp/b"
              |             ^^^^^^^^
            "#);
        let s = with_config("", &[("build-dir", "/tmp/b")]).unwrap();
        assert_eq!(s.build_dir.unwrap().value, "/tmp/b");
        let err = settings("[tool.zlig]\nbuild-dir = \"\"\n")
            .unwrap_err()
            .to_string();
        insta::assert_snapshot!(err, @r#"
            pyproject.toml:2:13: `tool.zlig.build-dir`: expected a non-empty path
              |
            2 | build-dir = ""
              |             ^^
            "#);
        let err = with_config("", &[("build-dir", " ")])
            .unwrap_err()
            .to_string();
        assert_eq!(err, "config_settings: `build-dir`: expected a folder");
    }

    #[test]
    fn a_list_on_the_command_line_replaces_the_files_and_a_table_entry_adds_to_it() {
        let toml = "[tool.zlig.wheel]\nexclude = [\"a\"]\ndata = { scripts = \"bin\", headers = \"include\" }\n[tool.zlig.cython.directives]\nbinding = true\n";
        let s = with_config(
            toml,
            &[
                ("wheel.exclude", "b"),
                ("wheel.data.scripts", "tools"),
                ("wheel.data.data", "share"),
                ("cython.directives.boundscheck", "false"),
            ],
        )
        .unwrap();
        assert_eq!(globs(&s.wheel_exclude), ["b"]);
        let data: Vec<(&str, &str)> = s
            .wheel_data
            .iter()
            .map(|d| (d.scheme.value.as_str(), d.folder.value.as_str()))
            .collect();
        assert_eq!(
            data,
            [
                ("headers", "include"),
                ("data", "share"),
                ("scripts", "tools")
            ]
        );
        let names: Vec<&String> = s.cython.directives.keys().collect();
        assert_eq!(names, ["binding", "boundscheck"]);
        // An empty value is an empty list: the file's globs are gone.
        let s = with_config(toml, &[("wheel.exclude", "")]).unwrap();
        assert!(s.wheel_exclude.is_empty());
    }

    /// A key that only one route sets is refused on the other, saying which route sets it.
    #[test]
    fn a_key_of_one_route_is_refused_on_the_other_with_the_route() {
        let err = settings("[tool.zlig]\nverbose = true\n")
            .unwrap_err()
            .to_string();
        insta::assert_snapshot!(err, @r"
            pyproject.toml:2:1: `tool.zlig.verbose`: unknown key; `verbose` is a config setting only, given on the command line as `-C verbose=…`
              |
            2 | verbose = true
              | ^^^^^^^
            ");
        let err = settings("[tool.zlig]\nreuse-tools = false\n")
            .unwrap_err()
            .to_string();
        insta::assert_snapshot!(err, @r"
            pyproject.toml:2:1: `tool.zlig.reuse-tools`: unknown key; `reuse-tools` is a config setting only, given on the command line as `-C reuse-tools=…` or switched off by `ZLIG_REUSE_TOOLS=0`
              |
            2 | reuse-tools = false
              | ^^^^^^^^^^^
            ");
        for (key, message) in [
            (
                "extensions",
                "`extensions` is set in pyproject.toml only: an array of tables has no spelling as a config setting",
            ),
            (
                "extensions.name",
                "`extensions` is set in pyproject.toml only: an array of tables has no spelling as a config setting",
            ),
            (
                "cython.directives",
                "is a table: give each entry as its own key, `cython.directives.NAME=VALUE`",
            ),
            (
                "version.pattern",
                "given without `version.path`, the file holding the version",
            ),
        ] {
            let err = with_config("", &[(key, "x")]).unwrap_err().to_string();
            assert_eq!(err, format!("config_settings: `{key}`: {message}"));
        }
        let err = with_config("", &[("python-source.x", "src")])
            .unwrap_err()
            .to_string();
        insta::assert_snapshot!(err, @"config_settings: `python-source.x`: unknown config setting (did you mean `python-source`?); zlig accepts: python-source, packages, backend, build-dir, optimize, target, py-limited-api, cython.requires, cython.directives.<directive>, cython.include-dirs, cython.annotate, sdist.include, sdist.exclude, wheel.exclude, wheel.force-include.<path>, wheel.data.<scheme>, version.path, version.pattern, sbom-files, python-include, build-details, verbose, editable-rebuild, reuse-tools, object-cache");
        let err = with_config("", &[("wheel.exlude", "x")])
            .unwrap_err()
            .to_string();
        insta::assert_snapshot!(err, @"config_settings: `wheel.exlude`: unknown config setting (did you mean `wheel.exclude`?); zlig accepts: python-source, packages, backend, build-dir, optimize, target, py-limited-api, cython.requires, cython.directives.<directive>, cython.include-dirs, cython.annotate, sdist.include, sdist.exclude, wheel.exclude, wheel.force-include.<path>, wheel.data.<scheme>, version.path, version.pattern, sbom-files, python-include, build-details, verbose, editable-rebuild, reuse-tools, object-cache");
    }

    /// An environment variable only switches a setting off; `ZLIG_EDITABLE_REBUILD` is the
    /// import hook's, not the build's.
    #[test]
    fn the_environment_only_switches_settings_off() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |var: &str| {
                pairs
                    .iter()
                    .find(|(name, _)| *name == var)
                    .map(|(_, value)| value.to_string())
            }
        };
        let mut s = with_config("", &[("reuse-tools", "true"), ("object-cache", "false")]).unwrap();
        s.apply_environment(env(&[
            ("ZLIG_REUSE_TOOLS", "OFF"),
            ("ZLIG_OBJECT_CACHE", "1"),
            ("ZLIG_EDITABLE_REBUILD", "0"),
        ]))
        .unwrap();
        assert!(!s.reuse_tools);
        assert!(
            !s.object_cache,
            "a true variable leaves the setting as it was"
        );
        assert!(s.editable_rebuild);
        let mut s = settings("").unwrap();
        s.apply_environment(env(&[("ZLIG_OBJECT_CACHE", "banana")]))
            .unwrap();
        assert!(s.object_cache);
    }

    /// The editable import hook reads the variable the model names.
    #[test]
    fn the_import_hook_reads_the_models_variable() {
        let hook = include_str!("../../../python/zlig/editable_hook.py");
        let vars: Vec<&str> = KEYS
            .iter()
            .filter_map(|key| match key.set_in.env {
                Some(Env::AtImport(var)) => Some(var),
                _ => None,
            })
            .collect();
        assert_eq!(vars, ["ZLIG_EDITABLE_REBUILD"]);
        assert!(hook.contains(&format!("REBUILD_ENV = \"{}\"", vars[0])));
    }

    /// A default the model states (`DefaultValue::Value`) is what a key is when nobody
    /// sets it: read by the key's parser, it changes nothing.
    #[test]
    fn the_declared_defaults_are_the_defaults() {
        fn check<T: std::fmt::Debug>(keys: &[Key<T>], fresh: impl Fn(&Place) -> T) {
            for key in keys {
                let key::DefaultValue::Value(value) = key.default else {
                    continue;
                };
                let place = model::default_place(key.name);
                let mut target = fresh(&place);
                let texts = [value.to_string()];
                let given = Given::text(place.clone(), place.clone(), Route::File, &texts);
                (key.apply)(&mut target, &given).unwrap();
                let set = format!("{target:?}");
                assert_eq!(set, format!("{:?}", fresh(&place)), "{}", key.name);
            }
        }
        check(KEYS, |_| Settings::defaults());
        check(model::EXTENSION_KEYS, ExtensionDecl::unread);
        check(model::PACKAGE_KEYS, IncludeDir::unread_package);
    }

    /// An override entry (issue 23's `[[tool.zlig.overrides]]`) sets the keys it names over
    /// the settings, and nothing else; its `if` is the caller's.
    #[test]
    fn an_override_sets_only_the_keys_it_names() {
        let base = "[tool.zlig]\nextensions = [{ name = \"a\", sources = [\"a.c\"] }]\n[tool.zlig.cython]\nannotate = true\n";
        let overrides = "[[tool.zlig.overrides]]\nif.env.NO_EXT = true\nextensions = []\ncython.directives = { binding = true }\n[[tool.zlig.overrides]]\nverbose = true\n[[tool.zlig.overrides]]\nextensoins = []\n";
        let file = TomlFile::parse(Path::new("pyproject.toml"), overrides.to_string()).unwrap();
        let tool = file.root().table("tool").unwrap().unwrap();
        let zlig = tool.table("zlig").unwrap().unwrap();
        let entries = zlig.get("overrides").unwrap().tables().unwrap();
        let mut s = settings(base).unwrap();
        s.apply_override(&entries[0]).unwrap();
        assert!(s.extensions.is_empty());
        assert!(
            s.cython.annotate,
            "a key the override does not name is kept"
        );
        assert!(s.cython.directives.contains_key("binding"));
        let err = s.apply_override(&entries[1]).unwrap_err().to_string();
        insta::assert_snapshot!(err, @r"
            pyproject.toml:6:1: `tool.zlig.overrides[1].verbose`: unknown key; `verbose` is a config setting only, given on the command line as `-C verbose=…`
              |
            6 | verbose = true
              | ^^^^^^^
            ");
        let err = s.apply_override(&entries[2]).unwrap_err().to_string();
        insta::assert_snapshot!(err, @r"
            pyproject.toml:8:1: `tool.zlig.overrides[2].extensoins`: unknown key; did you mean `extensions`?
              |
            8 | extensoins = []
              | ^^^^^^^^^^
            ");
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
        insta::assert_snapshot!(err, @"config_settings: `optimise`: unknown config setting (did you mean `optimize`?); zlig accepts: python-source, packages, backend, build-dir, optimize, target, py-limited-api, cython.requires, cython.directives.<directive>, cython.include-dirs, cython.annotate, sdist.include, sdist.exclude, wheel.exclude, wheel.force-include.<path>, wheel.data.<scheme>, version.path, version.pattern, sbom-files, python-include, build-details, verbose, editable-rebuild, reuse-tools, object-cache");
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
