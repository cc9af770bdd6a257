//! Typed reading of `pyproject.toml` that remembers where every value came from.
//!
//! `toml_edit` parses and keeps byte spans; this module walks its tree with a key path, so
//! that any later check (a glob that matches nothing, a bad PEP 508 string) can point at the
//! file, line and column. It owns type expectations and unknown-key detection; what the keys
//! mean is the business of `metadata` and `settings`.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml_edit::{Item, TableLike, Value};

use crate::error::{ConfigError, Error, Location, did_you_mean};

/// A configuration file's name and text, shared by every place that points into it.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// Where a value came from: a key path and, when it is in a file, a span.
#[derive(Debug, Clone)]
pub struct Place {
    source: Arc<SourceFile>,
    pub key: String,
    span: Option<Range<usize>>,
}

impl Place {
    /// A place with no span, such as a `config_settings` entry or a whole file.
    pub fn unspanned(file: &Path, key: impl Into<String>) -> Self {
        Self {
            source: Arc::new(SourceFile {
                path: file.to_path_buf(),
                text: String::new(),
            }),
            key: key.into(),
            span: None,
        }
    }

    /// The error "`message`" at this place.
    pub fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::Config(ConfigError::at(
            &self.source.path,
            &self.source.text,
            self.span.clone(),
            self.key.clone(),
            message.to_string(),
        ))
    }

    /// `` `key` (file:line:column) ``, for a message about one place that names another.
    pub fn describe(&self) -> String {
        let at = ConfigError::at(
            &self.source.path,
            &self.source.text,
            self.span.clone(),
            "",
            "",
        );
        match at.location {
            Some(Location { line, column }) => {
                format!("`{}` ({}:{line}:{column})", self.key, at.file.display())
            }
            None => format!("`{}` ({})", self.key, at.file.display()),
        }
    }

    /// The same span, under a longer key path (`…[3]`, `….name`).
    fn child(&self, suffix: &str, span: Option<Range<usize>>) -> Self {
        let key = if suffix.starts_with('[') || self.key.is_empty() {
            format!("{}{suffix}", self.key)
        } else {
            format!("{}.{suffix}", self.key)
        };
        Self {
            source: self.source.clone(),
            key,
            span: span.or_else(|| self.span.clone()),
        }
    }
}

/// A value together with the place it was read from.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub place: Place,
}

impl<T> Located<T> {
    /// The error "`message`" pointing at this value.
    pub fn error(&self, message: impl std::fmt::Display) -> Error {
        self.place.error(message)
    }
}

/// A parsed TOML document.
pub struct TomlFile {
    source: Arc<SourceFile>,
    document: toml_edit::Document<String>,
}

impl TomlFile {
    /// Parses `text`; a syntax error is reported at its place in `path`.
    pub fn parse(path: &Path, text: String) -> Result<Self, Error> {
        match toml_edit::Document::parse(text.clone()) {
            Ok(document) => Ok(Self {
                source: Arc::new(SourceFile {
                    path: path.to_path_buf(),
                    text,
                }),
                document,
            }),
            Err(err) => {
                let message = err.message().trim_end().to_string();
                Err(Error::Config(ConfigError::at(
                    path,
                    &text,
                    err.span(),
                    "",
                    format!("invalid TOML: {message}"),
                )))
            }
        }
    }

    /// The root table.
    pub fn root(&self) -> Table<'_> {
        Table {
            table: self.document.as_table(),
            place: Place {
                source: self.source.clone(),
                key: String::new(),
                span: None,
            },
        }
    }
}

/// A table (standard or inline) being read.
pub struct Table<'a> {
    table: &'a dyn TableLike,
    pub place: Place,
}

/// One key's value, not yet given a type.
pub struct Field<'a> {
    item: &'a Item,
    pub place: Place,
}

impl<'a> Table<'a> {
    /// The value at `key`, if present.
    pub fn get(&self, key: &str) -> Option<Field<'a>> {
        let (k, item) = self.table.get_key_value(key)?;
        let span = item.span().or_else(|| k.span());
        Some(Field {
            item,
            place: self.place.child(&quote_key(key), span),
        })
    }

    /// Where `key` itself is written (not its value), for tables whose keys are values,
    /// such as paths.
    pub fn key_place(&self, key: &str) -> Option<Place> {
        let (k, _) = self.table.get_key_value(key)?;
        Some(self.place.child(&quote_key(key), k.span()))
    }

    /// The keys present, in file order.
    pub fn keys(&self) -> Vec<&'a str> {
        self.table.iter().map(|(k, _)| k).collect()
    }

    /// Fails on the first key not in `known`, with a "did you mean" when one is close.
    pub fn reject_unknown(&self, known: &[&str]) -> Result<(), Error> {
        for key in self.keys() {
            if !known.contains(&key) {
                let (k, _) = self
                    .table
                    .get_key_value(key)
                    .expect("key listed by the table");
                let place = self.place.child(&quote_key(key), k.span());
                return Err(unknown_key(&place, key, known));
            }
        }
        Ok(())
    }

    /// The value at `key` as a string, if present.
    pub fn string(&self, key: &str) -> Result<Option<Located<String>>, Error> {
        self.get(key).map(|f| f.string()).transpose()
    }

    /// The value at `key` as an array of strings, if present.
    pub fn strings(&self, key: &str) -> Result<Option<Vec<Located<String>>>, Error> {
        self.get(key).map(|f| f.strings()).transpose()
    }

    /// The value at `key` as a table, if present.
    pub fn table(&self, key: &str) -> Result<Option<Table<'a>>, Error> {
        self.get(key).map(|f| f.table()).transpose()
    }
}

impl<'a> Field<'a> {
    /// An error saying what type was expected and what was found.
    pub fn expected(&self, what: &str) -> Error {
        self.place
            .error(format!("expected {what}, found {}", describe(self.item)))
    }

    pub fn string(&self) -> Result<Located<String>, Error> {
        match self.item.as_str() {
            Some(s) => Ok(Located {
                value: s.to_string(),
                place: self.place.clone(),
            }),
            None => Err(self.expected("a string")),
        }
    }

    /// The value as a boolean.
    pub fn bool(&self) -> Result<bool, Error> {
        self.item
            .as_bool()
            .ok_or_else(|| self.expected("a boolean"))
    }

    /// An array of strings, each with its own place.
    pub fn strings(&self) -> Result<Vec<Located<String>>, Error> {
        let Some(array) = self.item.as_array() else {
            return Err(self.expected("an array of strings"));
        };
        self.elements(array, "a string", |value, place| {
            value.as_str().map(|s| Located {
                value: s.to_string(),
                place,
            })
        })
    }

    /// Each element of `array` with its place, as `convert` reads it, or an error saying
    /// it is not `what`.
    fn elements<T>(
        &self,
        array: &'a toml_edit::Array,
        what: &str,
        convert: impl Fn(&'a Value, Place) -> Option<T>,
    ) -> Result<Vec<T>, Error> {
        array
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let place = self.place.child(&format!("[{i}]"), value.span());
                convert(value, place.clone()).ok_or_else(|| {
                    place.error(format!("expected {what}, found {}", describe_value(value)))
                })
            })
            .collect()
    }

    pub fn table(&self) -> Result<Table<'a>, Error> {
        match self.item.as_table_like() {
            Some(table) => Ok(Table {
                table,
                place: self.place.clone(),
            }),
            None => Err(self.expected("a table")),
        }
    }

    /// An array of tables, written either as `[[a]]` or as `a = [{...}, {...}]`.
    pub fn tables(&self) -> Result<Vec<Table<'a>>, Error> {
        if let Some(tables) = self.item.as_array_of_tables() {
            return Ok(tables
                .iter()
                .enumerate()
                .map(|(i, table)| Table {
                    table,
                    place: self.place.child(&format!("[{i}]"), table.span()),
                })
                .collect());
        }
        let Some(array) = self.item.as_array() else {
            return Err(self.expected("an array of tables"));
        };
        self.elements(array, "a table", |value, place| {
            value.as_inline_table().map(|table| Table {
                table: table as &dyn TableLike,
                place,
            })
        })
    }

    /// The elements of an array, each with its place, for arrays whose elements may have
    /// several shapes (a folder or a `{ package = ... }` table).
    pub fn array(&self) -> Result<Vec<Element<'a>>, Error> {
        let Some(array) = self.item.as_array() else {
            return Err(self.expected("an array"));
        };
        Ok(array
            .iter()
            .enumerate()
            .map(|(i, value)| Element {
                value,
                place: self.place.child(&format!("[{i}]"), value.span()),
            })
            .collect())
    }

    /// A boolean, an integer or a string: what a table of free-form settings holds.
    pub fn scalar(&self) -> Result<Located<Scalar>, Error> {
        let value = match self.item.as_value() {
            Some(Value::Boolean(b)) => Scalar::Bool(*b.value()),
            Some(Value::Integer(i)) => Scalar::Integer(*i.value()),
            Some(Value::String(s)) => Scalar::String(s.value().clone()),
            _ => return Err(self.expected("a boolean, an integer or a string")),
        };
        Ok(Located {
            value,
            place: self.place.clone(),
        })
    }

    /// Whether the value is a string (for keys that accept several shapes).
    pub fn is_string(&self) -> bool {
        self.item.is_str()
    }
}

/// A TOML boolean, integer or string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    Bool(bool),
    Integer(i64),
    String(String),
}

/// One element of an array, not yet given a type.
pub struct Element<'a> {
    value: &'a Value,
    pub place: Place,
}

impl<'a> Element<'a> {
    /// The element as a string, if it is one.
    pub fn string(&self) -> Option<Located<String>> {
        self.value.as_str().map(|s| Located {
            value: s.to_string(),
            place: self.place.clone(),
        })
    }

    /// The element as an inline table, if it is one.
    pub fn table(&self) -> Option<Table<'a>> {
        self.value.as_inline_table().map(|table| Table {
            table: table as &dyn TableLike,
            place: self.place.clone(),
        })
    }

    /// An error saying what the element should have been and what it is.
    pub fn expected(&self, what: &str) -> Error {
        self.place.error(format!(
            "expected {what}, found {}",
            describe_value(self.value)
        ))
    }
}

/// The error for `key`, at `place`, which is none of `known`: with a "did you mean" when one
/// is close, else the list.
pub fn unknown_key(place: &Place, key: &str, known: &[&str]) -> Error {
    let hint = match did_you_mean(key, known.iter().copied()) {
        Some(close) => format!("; did you mean `{close}`?"),
        None => format!("; expected one of: {}", known.join(", ")),
    };
    place.error(format!("unknown key{hint}"))
}

/// Keys that are not bare TOML keys are shown quoted in key paths.
fn quote_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        key.to_string()
    } else {
        format!("\"{}\"", key.escape_default())
    }
}

fn describe(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Value(value) => describe_value(value),
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
    }
}

fn describe_value(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::InlineTable(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> TomlFile {
        TomlFile::parse(Path::new("pyproject.toml"), text.to_string()).unwrap()
    }

    /// The `[tool.zlig]` table of `file`.
    fn zlig(file: &TomlFile) -> Table<'_> {
        file.root()
            .table("tool")
            .unwrap()
            .unwrap()
            .table("zlig")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = TomlFile::parse(Path::new("pyproject.toml"), "[project\nname = 1\n".into())
            .err()
            .unwrap();
        let text = err.to_string();
        insta::assert_snapshot!(text, @r"
            pyproject.toml:1:9: invalid TOML: unclosed table, expected `]`
              |
            1 | [project
              |         ^
            ");
    }

    #[test]
    fn wrong_type_names_key_path_and_both_types() {
        let file = parse("[tool.zlig]\nextensions = [{name = \"a\", sources = \"x.c\"}]\n");
        let exts = zlig(&file).get("extensions").unwrap().tables().unwrap();
        let err = exts[0].strings("sources").err().unwrap().to_string();
        insta::assert_snapshot!(err, @r#"
            pyproject.toml:2:38: `tool.zlig.extensions[0].sources`: expected an array of strings, found a string
              |
            2 | extensions = [{name = "a", sources = "x.c"}]
              |                                      ^^^^^
            "#);
    }

    #[test]
    fn unknown_key_suggests_the_close_one() {
        let file = parse("[tool.zlig]\nbuild-dri = \"b\"\n");
        let err = zlig(&file)
            .reject_unknown(&["build-dir", "target"])
            .err()
            .unwrap()
            .to_string();
        insta::assert_snapshot!(err, @r#"
            pyproject.toml:2:1: `tool.zlig.build-dri`: unknown key; did you mean `build-dir`?
              |
            2 | build-dri = "b"
              | ^^^^^^^^^
            "#);
    }
}
