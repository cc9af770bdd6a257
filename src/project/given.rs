//! One key's value as the user gave it, on one of the routes a setting takes: typed in
//! `pyproject.toml` (`[tool.zlig]`, and in time its overrides), or as text on the command
//! line (`-C key=value`) or in the environment.
//!
//! A key's parser asks its `Given` for the shape it wants (`string`, `strings`, `bool`,
//! `entries`, …) and gets the same typed, placed value from either route, so one parser, and
//! so one set of checks, serves every route. The spelling of each shape as text is decided
//! here, once (README, "config_settings"): a list is the key given again or values
//! separated by `;`; a table's entry is a dotted key (`-C wheel.data.scripts=bin`); a
//! switch is `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off` or empty (true).

use super::files::Pattern;
use super::toml::{Field, Located, Place, Scalar};
use crate::error::Result;

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `pyproject.toml`, which travels with the sdist to every machine that builds it.
    File,
    /// A config setting (`-C`), named by the person building.
    CommandLine,
    /// An environment variable of the build.
    Environment,
}

/// One key's value, with its place and route.
pub struct Given<'a> {
    /// Where it was given: its span in `pyproject.toml`, or the setting's or variable's name.
    pub place: Place,
    /// The table the key is in (`tool.zlig.version` for `tool.zlig.version.path`), for
    /// errors about the table as a whole.
    pub table: Place,
    route: Route,
    value: Value<'a>,
}

enum Value<'a> {
    Toml(Field<'a>),
    /// Each time the key was given, in order.
    Text(&'a [String]),
    /// One entry of a table, given as `-C key.NAME=VALUE`.
    Entry {
        name: &'a str,
        texts: &'a [String],
    },
}

impl<'a> Given<'a> {
    /// A value in `pyproject.toml`, in the table at `table`.
    pub fn file(field: Field<'a>, table: Place) -> Self {
        Self {
            place: field.place.clone(),
            table,
            route: Route::File,
            value: Value::Toml(field),
        }
    }

    /// A key given as text, each time it was given.
    pub fn text(place: Place, table: Place, route: Route, texts: &'a [String]) -> Self {
        Self {
            place,
            table,
            route,
            value: Value::Text(texts),
        }
    }

    /// The entry `name` of a table key, given on the command line as `-C key.name=…`.
    pub fn entry(place: Place, table: Place, name: &'a str, texts: &'a [String]) -> Self {
        Self {
            place,
            table,
            route: Route::CommandLine,
            value: Value::Entry { name, texts },
        }
    }

    /// The route it came by.
    pub fn route(&self) -> Route {
        self.route
    }

    /// A string; given as text more than once, the last one counts.
    pub fn string(&self) -> Result<Located<String>> {
        match &self.value {
            Value::Toml(field) => field.string(),
            Value::Text(texts) => Ok(self.located(last(texts).to_string())),
            Value::Entry { .. } => Err(self.not_a_table()),
        }
    }

    /// A list of strings, each with its place; as text, every time the key was given, each
    /// split at `;`, blanks around a value trimmed and empty values left out.
    pub fn strings(&self) -> Result<Vec<Located<String>>> {
        match &self.value {
            Value::Toml(field) => field.strings(),
            Value::Entry { .. } => Err(self.not_a_table()),
            Value::Text(texts) => Ok(texts
                .iter()
                .flat_map(|text| text.split(';'))
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(|value| self.located(value.to_string()))
                .collect()),
        }
    }

    /// A list of globs, compiled.
    pub fn patterns(&self) -> Result<Vec<Located<Pattern>>> {
        self.strings()?
            .into_iter()
            .map(Located::into_pattern)
            .collect()
    }

    /// A switch.
    pub fn bool(&self) -> Result<bool> {
        match &self.value {
            Value::Toml(field) => field.bool(),
            Value::Entry { .. } => Err(self.not_a_table()),
            Value::Text(texts) => match last(texts).to_ascii_lowercase().as_str() {
                "" | "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" => Ok(false),
                other => Err(self
                    .place
                    .error(format!("expected true or false, found `{other}`"))),
            },
        }
    }

    /// A boolean, an integer or a string; as text, `true`, `false` and integers are read
    /// as TOML reads them, anything else as a string.
    pub fn scalar(&self) -> Result<Located<Scalar>> {
        match &self.value {
            Value::Toml(field) => field.scalar(),
            Value::Entry { .. } => Err(self.not_a_table()),
            Value::Text(texts) => {
                let text = last(texts);
                let value = match (text, text.parse::<i64>()) {
                    ("true", _) => Scalar::Bool(true),
                    ("false", _) => Scalar::Bool(false),
                    (_, Ok(integer)) => Scalar::Integer(integer),
                    _ => Scalar::String(text.to_string()),
                };
                Ok(self.located(value))
            }
        }
    }

    /// The entries of a table: each name (placed at the name) and its value.
    pub fn entries(&self) -> Result<Vec<(Located<String>, Given<'a>)>> {
        match &self.value {
            Value::Toml(field) => {
                let table = field.table()?;
                Ok(table
                    .keys()
                    .into_iter()
                    .filter_map(|key| {
                        let name = Located {
                            value: key.to_string(),
                            place: table.key_place(key)?,
                        };
                        Some((name, Given::file(table.get(key)?, table.place.clone())))
                    })
                    .collect())
            }
            Value::Entry { name, texts } => Ok(vec![(
                self.located(name.to_string()),
                Given::text(self.place.clone(), self.table.clone(), self.route, texts),
            )]),
            Value::Text(_) => Err(self.place.error(format!(
                "is a table: give each entry as its own key, `{}.NAME=VALUE`",
                self.place.key
            ))),
        }
    }

    /// The value as `pyproject.toml` typed it, for the shapes that have no spelling as text
    /// (arrays of tables, arrays of strings or tables).
    pub fn field(&self) -> Result<&Field<'a>> {
        match &self.value {
            Value::Toml(field) => Ok(field),
            _ => Err(self.place.error("can be given in pyproject.toml only")),
        }
    }

    fn located<T>(&self, value: T) -> Located<T> {
        Located {
            value,
            place: self.place.clone(),
        }
    }

    /// `-C key.NAME=…` for a key that is no table.
    fn not_a_table(&self) -> crate::error::Error {
        self.place.error(format!(
            "takes a value, not entries: `{}=VALUE`",
            self.table.key
        ))
    }
}

/// The value given last: a later `-C` wins, as a frontend's command line reads.
fn last(texts: &[String]) -> &str {
    texts.last().map_or("", String::as_str)
}
