//! `[tool.zlig.cython]` and an extension's `cython-directives`, as declared: which Cython a
//! build needs, the directives it translates with, where it looks for `cimport`ed `.pxd`
//! files, and whether it writes its HTML report.
//!
//! Checked here: the requirement names Cython, the directives' values are plain TOML
//! values and the include dirs stay inside the project. Whether a directive exists is a
//! question for the Cython that runs, so `compile::cython` checks the names against it.

use std::collections::BTreeMap;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{Requirement, VersionOrUrl};

use super::files::check_relative;
use super::given::Given;
use super::text::check_text;
use super::toml::{Located, Place, Scalar};
use crate::error::Result;

/// What `get_requires_for_build_wheel` asks for when no Cython is found.
pub const DEFAULT_REQUIREMENT: &str = "cython>=3.0";

/// The Cython a project needs: a requirement on `cython` with version specifiers only.
#[derive(Debug, Clone)]
pub struct CythonRequirement {
    /// As written, for the frontend to install.
    pub text: String,
    pub specifiers: VersionSpecifiers,
}

impl CythonRequirement {
    /// Whether Cython `version` satisfies the requirement.
    pub fn accepts(&self, version: &Version) -> bool {
        self.specifiers.contains(version)
    }

    fn parse(value: &Located<String>) -> Result<Self> {
        let requirement: Requirement = Requirement::from_str(&value.value).map_err(|err| {
            value.error(format!(
                "not a valid PEP 508 requirement: {}; expected one such as `{DEFAULT_REQUIREMENT}`",
                err.message
            ))
        })?;
        if requirement.name.as_ref() != "cython" {
            return Err(value.error(format!(
                "names `{}`; expected a requirement on Cython, such as `{DEFAULT_REQUIREMENT}`",
                requirement.name
            )));
        }
        let specifiers = match requirement.version_or_url {
            None => VersionSpecifiers::from_iter([]),
            Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers,
            Some(VersionOrUrl::Url(_)) => {
                return Err(value.error(
                    "a URL cannot be checked against the Cython found; give version specifiers such as `cython>=3.0`",
                ));
            }
        };
        if !requirement.extras.is_empty() || !requirement.marker.is_true() {
            return Err(value.error(
                "extras and markers do not apply to the Cython that translates the sources; give version specifiers only, such as `cython>=3.0`",
            ));
        }
        Ok(Self {
            text: value.value.trim().to_string(),
            specifiers,
        })
    }
}

/// A directive's value: Cython's directives are booleans, numbers or names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(untagged)]
pub enum DirectiveValue {
    Bool(bool),
    Integer(i64),
    String(String),
}

impl DirectiveValue {
    /// The value as Cython's `-X name=value` takes it.
    pub fn to_cython(&self) -> String {
        match self {
            Self::Bool(true) => "True".into(),
            Self::Bool(false) => "False".into(),
            Self::Integer(i) => i.to_string(),
            Self::String(s) => s.clone(),
        }
    }
}

/// Compiler directives by name, each with its place.
pub type Directives = BTreeMap<String, (Located<String>, DirectiveValue)>;

/// `[tool.zlig.cython]`.
#[derive(Debug, Clone)]
pub struct CythonSettings {
    /// The requirement, and where it was given (or the table's place for the default).
    pub requires: Located<CythonRequirement>,
    /// Directives for every Cython source.
    pub directives: Directives,
    /// Project folders searched for `cimport`ed `.pxd` files and `include`d `.pxi` files.
    pub include_dirs: Vec<Located<String>>,
    /// Whether Cython writes its HTML report beside the generated C.
    pub annotate: bool,
}

impl CythonSettings {
    /// The defaults, for a project without the table.
    pub fn defaults(place: Place) -> Self {
        let requirement = Located {
            value: DEFAULT_REQUIREMENT.to_string(),
            place,
        };
        Self {
            requires: Located {
                value: CythonRequirement::parse(&requirement).expect("the default parses"),
                place: requirement.place,
            },
            directives: Directives::new(),
            include_dirs: Vec::new(),
            annotate: false,
        }
    }

    /// `requires`: a requirement on Cython.
    pub fn set_requires(&mut self, given: &Given<'_>) -> Result<()> {
        let requires = given.string()?;
        self.requires = Located {
            value: CythonRequirement::parse(&requires)?,
            place: requires.place,
        };
        Ok(())
    }

    /// `include-dirs`: project folders.
    pub fn set_include_dirs(&mut self, given: &Given<'_>) -> Result<()> {
        let dirs = given.strings()?;
        for dir in &dirs {
            check_relative(&dir.value).map_err(|why| dir.error(why))?;
        }
        self.include_dirs = dirs;
        Ok(())
    }
}

/// A table of directives (`boundscheck = false`, `language_level = 3`).
pub fn read_directives(given: &Given<'_>) -> Result<Directives> {
    let mut directives = Directives::new();
    for (name, value) in given.entries()? {
        let value = match value.scalar()?.value {
            Scalar::Bool(b) => DirectiveValue::Bool(b),
            Scalar::Integer(i) => DirectiveValue::Integer(i),
            Scalar::String(s) => {
                check_text(&s).map_err(|why| value.place.error(why))?;
                // Cython splits `-X a=1,b=2` at commas.
                if s.contains(',') {
                    return Err(value
                        .place
                        .error("a directive's value may not hold a comma"));
                }
                DirectiveValue::String(s)
            }
        };
        directives.insert(name.value.clone(), (name, value));
    }
    Ok(directives)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::settings::Settings;
    use crate::project::toml::TomlFile;
    use std::path::Path;

    /// `[tool.zlig.cython]` read from `toml`, a table `[cython]` and its subtables.
    fn cython(toml: &str) -> Result<CythonSettings> {
        let toml = toml.replace("[cython", "[tool.zlig.cython");
        let file = TomlFile::parse(Path::new("pyproject.toml"), toml)?;
        let tool = file.root().table("tool")?;
        Ok(Settings::read(tool.as_ref())?.cython)
    }

    #[test]
    fn reads_every_key() {
        let s = cython("[cython]\nrequires = \"Cython >= 3.1\"\ninclude-dirs = [\"pxd\"]\nannotate = true\n[cython.directives]\nboundscheck = false\nlanguage_level = 3\nc_string_encoding = \"ascii\"\n").unwrap();
        assert!(
            s.requires
                .value
                .accepts(&Version::from_str("3.1.2").unwrap())
        );
        assert!(
            !s.requires
                .value
                .accepts(&Version::from_str("3.0.11").unwrap())
        );
        assert_eq!(s.requires.value.text, "Cython >= 3.1");
        let rendered: Vec<String> = s
            .directives
            .iter()
            .map(|(name, (_, value))| format!("{name}={}", value.to_cython()))
            .collect();
        assert_eq!(
            rendered,
            [
                "boundscheck=False",
                "c_string_encoding=ascii",
                "language_level=3"
            ]
        );
        assert!(s.annotate);
        assert_eq!(s.include_dirs[0].value, "pxd");
    }

    #[test]
    fn the_default_requires_cython_3() {
        let s = cython("[cython]\n").unwrap();
        assert_eq!(s.requires.value.text, DEFAULT_REQUIREMENT);
        assert!(
            !s.requires
                .value
                .accepts(&Version::from_str("0.29.37").unwrap())
        );
    }

    #[test]
    fn bad_values_are_explained_at_their_place() {
        let report: Vec<String> = [
            "requires = \"numpy>=2\"",
            "requires = \"cython[x]>=3\"",
            "requires = \">=3\"",
            "anotate = true",
            "include-dirs = [\"../x\"]",
            "directives = {boundscheck = [1]}",
            "directives = {x = \"a,b\"}",
        ]
        .iter()
        .map(|body| {
            let err = cython(&format!("[cython]\n{body}\n")).err().unwrap();
            format!("{body}\n→ {err}")
        })
        .collect();
        insta::assert_snapshot!(report.join("

"), @r#"
            requires = "numpy>=2"
            → pyproject.toml:2:12: `tool.zlig.cython.requires`: names `numpy`; expected a requirement on Cython, such as `cython>=3.0`
              |
            2 | requires = "numpy>=2"
              |            ^^^^^^^^^^

            requires = "cython[x]>=3"
            → pyproject.toml:2:12: `tool.zlig.cython.requires`: extras and markers do not apply to the Cython that translates the sources; give version specifiers only, such as `cython>=3.0`
              |
            2 | requires = "cython[x]>=3"
              |            ^^^^^^^^^^^^^^

            requires = ">=3"
            → pyproject.toml:2:12: `tool.zlig.cython.requires`: not a valid PEP 508 requirement: Expected package name starting with an alphanumeric character, found `>`; expected one such as `cython>=3.0`
              |
            2 | requires = ">=3"
              |            ^^^^^

            anotate = true
            → pyproject.toml:2:1: `tool.zlig.cython.anotate`: unknown key; did you mean `annotate`?
              |
            2 | anotate = true
              | ^^^^^^^

            include-dirs = ["../x"]
            → pyproject.toml:2:17: `tool.zlig.cython.include-dirs[0]`: a path must stay inside the project: no absolute path and no `..`
              |
            2 | include-dirs = ["../x"]
              |                 ^^^^^^

            directives = {boundscheck = [1]}
            → pyproject.toml:2:29: `tool.zlig.cython.directives.boundscheck`: expected a boolean, an integer or a string, found an array
              |
            2 | directives = {boundscheck = [1]}
              |                             ^^^

            directives = {x = "a,b"}
            → pyproject.toml:2:19: `tool.zlig.cython.directives.x`: a directive's value may not hold a comma
              |
            2 | directives = {x = "a,b"}
              |                   ^^^^^
            "#);
    }
}
