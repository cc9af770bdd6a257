//! What a key of the settings model is (`Key`: name, type, default, where it may be set,
//! doc line, parser), and the reading of a TOML table by a list of keys, whatever the keys
//! set: the check for unknown and missing keys, then each present key's parser.
//!
//! The keys themselves are declared in `model`; this module knows none of them.

use crate::error::Result;
use crate::project::given::Given;
use crate::project::toml::{Field, Place, Table};

/// One key: declared once, it drives reading on every route, the README's reference table
/// and the JSON schema.
pub struct Key<T> {
    /// The key as written in its table; dotted for a key of a `[tool.zlig]` subtable
    /// (`wheel.exclude`), which is also its name on the command line.
    pub name: &'static str,
    /// The shape of its value, for the command line's spelling, the schema and the docs.
    pub kind: Kind,
    /// What it is when nobody sets it.
    pub default: DefaultValue,
    /// Where it may be set.
    pub set_in: SetIn,
    /// `Some(hint)`: a table holding any of its keys must hold this one; the hint, when not
    /// empty, says what it is in the error.
    pub required: Option<&'static str>,
    /// One line for the README's table and the schema's `description` (Markdown).
    pub doc: &'static str,
    /// Reads the given value and sets it: the one parser of the key, for every route.
    pub apply: fn(&mut T, &Given<'_>) -> Result<()>,
}

/// The shape of a key's value.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string.
    String,
    /// One of these words.
    Word(&'static [&'static str]),
    /// A switch.
    Bool,
    /// A list of strings.
    Strings,
    /// A table of strings; `entry` names its keys in the docs (`<path>`), `keys` lists them
    /// when only those may appear.
    Map {
        entry: &'static str,
        keys: Option<&'static [&'static str]>,
    },
    /// A table of booleans, integers and strings (Cython's directives).
    Scalars { entry: &'static str },
    /// The array of extension tables (`model::EXTENSION_KEYS` and `LIST_KEYS`).
    Extensions,
    /// An extension's array of `when` tables (`model::WHEN_KEYS` and `LIST_KEYS`).
    When,
    /// An array of folders and `{ package = … }` tables (`model::PACKAGE_KEYS`).
    IncludeDirs,
    /// `"all"`, or a list of symbol names.
    ExportSymbols,
}

impl Kind {
    /// Whether the value is a table whose entries the command line gives one by one, as
    /// `-C key.NAME=VALUE`.
    pub fn is_table(self) -> bool {
        matches!(self, Self::Map { .. } | Self::Scalars { .. })
    }

    /// How the docs name one entry of a table key (`<path>`).
    pub fn entry(self) -> Option<&'static str> {
        match self {
            Self::Map { entry, .. } | Self::Scalars { entry } => Some(entry),
            _ => None,
        }
    }

    /// What the value is, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::String | Self::Word(_) => "a string",
            Self::Bool => "a boolean",
            Self::Strings => "a list of strings",
            Self::Map { .. } | Self::Scalars { .. } => "a table",
            Self::Extensions | Self::When => "an array of tables",
            Self::IncludeDirs => "an array of folders and tables",
            Self::ExportSymbols => "`\"all\"` or a list of names",
        }
    }
}

/// A key's value when nobody sets it.
#[derive(Debug, Clone, Copy)]
pub enum DefaultValue {
    /// Unset.
    None,
    /// This value, as the key's parser reads it from text.
    Value(&'static str),
    /// Worked out for each build, as described (Markdown).
    Derived(&'static str),
}

/// Where a key may be set.
#[derive(Debug, Clone, Copy)]
pub struct SetIn {
    /// In `pyproject.toml`.
    pub file: bool,
    /// As a config setting (`-C`).
    pub command_line: bool,
    /// By an environment variable.
    pub env: Option<Env>,
    /// By an entry of `[[tool.zlig.overrides]]` (issue 23: applied in order over the file's
    /// values, before the command line's).
    pub overrides: bool,
}

impl SetIn {
    /// In `pyproject.toml` (and its overrides) and on the command line.
    pub const ANYWHERE: Self = Self {
        file: true,
        command_line: true,
        env: None,
        overrides: true,
    };
    /// In `pyproject.toml` and its overrides only: no spelling as text.
    pub const FILE: Self = Self {
        file: true,
        command_line: false,
        env: None,
        overrides: true,
    };
    /// On the command line only: a choice of the person building, not of the project.
    pub const COMMAND_LINE: Self = Self {
        file: false,
        command_line: true,
        env: None,
        overrides: false,
    };
}

/// An environment variable that sets a key.
#[derive(Debug, Clone, Copy)]
pub enum Env {
    /// Read by every build: `0`, `false`, `no` or `off` turns the switch off, whatever the
    /// file and the command line say; any other value leaves it to them.
    SwitchesOff(&'static str),
    /// Read by the editable install's import hook at each run, not by the build.
    AtImport(&'static str),
}

impl Env {
    /// The variable's name.
    pub fn var(self) -> &'static str {
        match self {
            Self::SwitchesOff(var) | Self::AtImport(var) => var,
        }
    }
}

/// The names and required-ness of `keys`, for `check_table`.
pub fn shapes<T>(keys: &[Key<T>]) -> impl Iterator<Item = (&'static str, Option<&'static str>)> {
    keys.iter().map(|key| (key.name, key.required))
}

/// Fails on the first key of `table` that no key of `keys` names (a dotted name names its
/// group here, and its last part in the group's table), with a "did you mean" or, where
/// `elsewhere` knows the key from another route, that route; and on a required key that
/// is missing from a table that holds its group. Values are not read.
pub fn check_table(
    table: &Table<'_>,
    keys: &[(&'static str, Option<&'static str>)],
    elsewhere: &dyn Fn(&str) -> Option<String>,
) -> Result<()> {
    let mut here: Vec<&str> = Vec::new();
    for (name, _) in keys {
        let first = name.split('.').next().unwrap_or(name);
        if !here.contains(&first) {
            here.push(first);
        }
    }
    for key in table.keys() {
        if here.contains(&key) {
            continue;
        }
        if let Some(why) = elsewhere(key) {
            let place = table.key_place(key).unwrap_or_else(|| table.place.clone());
            return Err(place.error(format!("unknown key; {why}")));
        }
        table.reject_unknown(&here)?;
    }
    for (name, required) in keys {
        if let Some(hint) = required
            && !name.contains('.')
            && table.get(name).is_none()
        {
            let hint = match *hint {
                "" => String::new(),
                hint => format!(" ({hint})"),
            };
            return Err(table
                .place
                .error(format!("missing required key `{name}`{hint}")));
        }
    }
    for group in here {
        let inner: Vec<_> = keys
            .iter()
            .filter_map(|(name, required)| {
                let rest = name.strip_prefix(group)?.strip_prefix('.')?;
                Some((rest, *required))
            })
            .collect();
        if !inner.is_empty()
            && let Some(sub) = table.table(group)?
        {
            check_table(&sub, &inner, &|_| None)?;
        }
    }
    Ok(())
}

/// Applies each key of `keys` present in `table` (checked by `check_table`), in the keys'
/// order: a later key may build on an earlier one.
pub fn apply_present<'k, T: 'k>(
    keys: impl IntoIterator<Item = &'k Key<T>>,
    target: &mut T,
    table: &Table<'_>,
) -> Result<()> {
    for key in keys {
        if let Some((field, parent)) = lookup(table, key.name)? {
            (key.apply)(target, &Given::file(field, parent))?;
        }
    }
    Ok(())
}

/// The value of the dotted `name` in `table`, and the place of the table holding it.
fn lookup<'a>(table: &Table<'a>, name: &str) -> Result<Option<(Field<'a>, Place)>> {
    match name.split_once('.') {
        None => Ok(table.get(name).map(|field| (field, table.place.clone()))),
        Some((group, rest)) => match table.table(group)? {
            Some(sub) => lookup(&sub, rest),
            None => Ok(None),
        },
    }
}
