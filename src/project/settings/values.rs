//! The values of `[tool.zlig]`'s keys that are more than a string or a list (the optimize
//! mode, `force-include`, `data`, the version file), and the parsers of single keys, each
//! reading a `Given` so that it checks a value alike whichever route it came by.

use crate::error::{Result, did_you_mean};
use crate::project::files::{check_relative, wheel_path};
use crate::project::given::{Given, Route};
use crate::project::toml::{Located, Place, unknown_key};
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
    /// The modes' names, in the variants' order.
    pub const NAMES: &'static [&'static str] =
        &["Debug", "ReleaseSafe", "ReleaseFast", "ReleaseSmall"];
    const ALL: [Self; 4] = [
        Self::Debug,
        Self::ReleaseSafe,
        Self::ReleaseFast,
        Self::ReleaseSmall,
    ];

    /// Reads a mode by its name.
    pub fn parse(given: &Given<'_>) -> Result<Self> {
        let value = given.string()?;
        let name = value.value.as_str();
        match Self::NAMES.iter().position(|known| *known == name) {
            Some(index) => Ok(Self::ALL[index]),
            None => Err(value.error(format!(
                "unknown optimize mode `{name}`{}; expected one of: {}",
                hint(name, Self::NAMES),
                Self::NAMES.join(", ")
            ))),
        }
    }

    /// Whether the output keeps debug info (only `Debug` does).
    pub fn keeps_debug_info(self) -> bool {
        self == Self::Debug
    }
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

impl ForceInclude {
    /// Adds the given table's entries to `entries`; an entry for a file already there
    /// replaces it.
    pub fn add_all(entries: &mut Vec<Self>, given: &Given<'_>) -> Result<()> {
        for (source, value) in given.entries()? {
            check_relative(&source.value).map_err(|why| source.error(why))?;
            let mut target = value.string()?;
            target.value = wheel_path(&target.value).map_err(|why| target.error(why))?;
            // Case-blind: on macOS and Windows `PKG-1.0.DIST-INFO` is the same folder.
            let first = target.value.split('/').next().unwrap_or_default();
            let first = first.to_lowercase();
            if first.ends_with(".dist-info") || first.ends_with(".data") {
                return Err(target.error(
                    "the wheel's `.dist-info` and `.data` folders are written by zlig: use `tool.zlig.wheel.data` for the `.data` schemes",
                ));
            }
            entries.retain(|e| e.source.value != source.value);
            if let Some(other) = entries.iter().find(|e| e.target.value == target.value) {
                return Err(target.error(format!(
                    "`{}` is also the path of `{}` in the wheel",
                    target.value, other.source.value
                )));
            }
            entries.push(Self { source, target });
        }
        Ok(())
    }
}

/// One `data` entry: a wheel scheme and the project folder whose files it installs.
#[derive(Debug, Clone)]
pub struct WheelData {
    /// `purelib`, `platlib`, `headers`, `scripts` or `data` (placed at the key).
    pub scheme: Located<String>,
    /// The project-relative folder.
    pub folder: Located<String>,
}

impl WheelData {
    /// The install schemes of a wheel's `.data` folder (binary distribution format).
    pub const SCHEMES: &'static [&'static str] =
        &["purelib", "platlib", "headers", "scripts", "data"];

    /// Adds the given table's entries to `entries`; an entry for a scheme already there
    /// replaces it.
    pub fn add_all(entries: &mut Vec<Self>, given: &Given<'_>) -> Result<()> {
        for (scheme, value) in given.entries()? {
            if !Self::SCHEMES.contains(&scheme.value.as_str()) {
                return Err(unknown_key(&scheme.place, &scheme.value, Self::SCHEMES));
            }
            let folder = value.string()?;
            check_relative(&folder.value).map_err(|why| folder.error(why))?;
            entries.retain(|e| e.scheme.value != scheme.value);
            entries.push(Self { scheme, folder });
        }
        Ok(())
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
    /// `version.path`: the file, read with the pattern given or hatchling's default.
    pub fn set_path(version: &mut Option<Self>, given: &Given<'_>) -> Result<()> {
        let path = given.string()?;
        check_relative(&path.value).map_err(|why| path.error(why))?;
        match version {
            Some(version) => version.path = path,
            None => {
                let (pattern, group) = Self::compile(Located {
                    value: DEFAULT_VERSION_PATTERN.to_string(),
                    place: given.table.clone(),
                })?;
                *version = Some(Self {
                    path,
                    pattern,
                    group,
                    place: given.table.clone(),
                });
            }
        }
        Ok(())
    }

    /// `version.pattern`, for the file `version.path` names (in the file, its table must
    /// have one).
    pub fn set_pattern(version: &mut Option<Self>, given: &Given<'_>) -> Result<()> {
        let text = given.string()?;
        let Some(version) = version else {
            return Err(text.error("given without `version.path`, the file holding the version"));
        };
        (version.pattern, version.group) = Self::compile(text)?;
        Ok(())
    }

    /// The expression in multi-line mode, and its group holding the version.
    fn compile(pattern: Located<String>) -> Result<(Located<regex::Regex>, usize)> {
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
        Ok((
            Located {
                value: regex,
                place: pattern.place,
            },
            group,
        ))
    }
}

/// ` (did you mean `close`?)` when one of `known` is close to `given`.
pub fn hint(given: &str, known: &[&str]) -> String {
    did_you_mean(given, known.iter().copied())
        .map(|close| format!(" (did you mean `{close}`?)"))
        .unwrap_or_default()
}

/// A backend name: letters, digits, `-` and `_` (also the name of its build folder).
pub fn backend_name(given: &Given<'_>) -> Result<Located<String>> {
    let name = given.string()?;
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

/// A zig target triple, parsed.
pub fn target_spec(given: &Given<'_>) -> Result<Located<TargetSpec>> {
    let triple = given.string()?;
    match triple.value.parse() {
        Ok(spec) => Ok(Located {
            value: spec,
            place: triple.place,
        }),
        Err(err) => Err(triple.error(err.explained())),
    }
}

/// The build dir. In `pyproject.toml` it stays in the project: a downloaded sdist must not
/// make a build write, or `zlig clean` remove, anything outside it. Named on the command
/// line, by the person building, it may be any folder (README, "Build dirs").
pub fn build_dir(given: &Given<'_>) -> Result<Located<String>> {
    match given.route() {
        Route::File => {
            let dir = given.string()?;
            check_relative(&dir.value).map_err(|why| dir.error(why))?;
            Ok(dir)
        }
        Route::CommandLine | Route::Environment => path(given, "expected a folder"),
    }
}

/// A path of the machine that builds, which must not be empty (`expected` says what it
/// should be).
pub fn path(given: &Given<'_>, expected: &str) -> Result<Located<String>> {
    let path = given.string()?;
    if path.value.trim().is_empty() {
        return Err(path.error(expected));
    }
    Ok(path)
}
