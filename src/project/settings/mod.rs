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
    let first =
        |key: &Key<Settings>| name == key.name || name.starts_with(&format!("{}.", key.name));
    if let Some(key) = KEYS.iter().find(|key| first(key)) {
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
        for (pattern, expected) in [
            (
                r#"#define V "(.+""#,
                "`tool.zlig.version.pattern`: not a valid regular expression: unclosed group",
            ),
            (r#"#define V ".+""#, "has no group"),
            (r#"(A) "(.+)""#, "has 2 groups and none is named `version`"),
        ] {
            let err = read(pattern).err().unwrap().to_string();
            assert!(err.contains(expected), "{pattern}\n→ {err}");
        }
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
        for (toml, expected) in [
            (
                "force-include = { \"../cov.pth\" = \"cov.pth\" }",
                "pyproject.toml:2:19: `tool.zlig.wheel.force-include.\"../cov.pth\"`: a path must stay inside the project",
            ),
            (
                "force-include = { \"cov.pth\" = \"/cov.pth\" }",
                "`tool.zlig.wheel.force-include.\"cov.pth\"`: a path in the wheel must stay inside it",
            ),
            (
                "force-include = { \"a.pth\" = \"x.pth\", \"b.pth\" = \"x.pth\" }",
                "`x.pth` is also the path of `a.pth` in the wheel",
            ),
            (
                "force-include = { \"a.txt\" = \"p-1.dist-info/a.txt\" }",
                "are written by zlig",
            ),
            (
                "force-include = { \"a.txt\" = \".//P-1.DIST-INFO/RECORD\" }",
                "are written by zlig",
            ),
            (
                "force-include = { \"a.txt\" = \"./p-1.data/purelib/x\" }",
                "are written by zlig",
            ),
            (
                "force-include = { \"a.pth\" = \"x.pth\", \"b.pth\" = \".//x.pth\" }",
                "`x.pth` is also the path of `a.pth` in the wheel",
            ),
            (
                "force-include = { \"a.txt\" = \"./.\" }",
                "names the wheel's root itself",
            ),
            (
                "force-include = { \"a.txt\" = \"pkg/../../a.txt\" }",
                "a path in the wheel must stay inside it",
            ),
            (
                "data = { script = \"bin\" }",
                "`tool.zlig.wheel.data.script`: unknown key; did you mean `scripts`?",
            ),
        ] {
            let err = settings(&format!("[tool.zlig.wheel]\n{toml}\n"))
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains(expected), "{toml}\n→ {err}");
        }
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
                "`tool.zlig.extensions[0].sources[0]`: a path must stay inside the project",
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
