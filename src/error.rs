//! The error every hook returns, and the placed configuration error.
//!
//! Each layer has its own error type with the facts of its failures (`ProjectError`,
//! `TargetError`, `CompileError`, `DistributionError`); `Error` gathers them, so that a hook
//! has one type to return and `lib.rs` one place to render. Mistakes in the user's input
//! are `ConfigError`s: file, line, column, key path and expectation, rendered once, at the
//! edge. I/O failures keep their cause together with what we were doing.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::compile::CompileError;
use crate::distribution::DistributionError;
use crate::project::ProjectError;
use crate::target::TargetError;

/// Everything that can make a hook fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] Box<ConfigError>),
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Compile(#[from] CompileError),
    #[error(transparent)]
    Distribution(#[from] DistributionError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The user interrupted the build (Ctrl-C or SIGTERM); nothing was left half-written.
    #[error("interrupted")]
    Interrupted,
}

/// Shorthand for results in the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attaches "what we were doing" to an I/O error.
pub trait IoContext<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| Error::Io {
            context: what(),
            source,
        })
    }
}

/// A mistake in a configuration file, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as the user knows it.
    pub file: PathBuf,
    /// 1-based line and column, when the mistake has a place in the file.
    pub location: Option<Location>,
    /// The key path, such as `tool.zlig.extensions[1].sources`; empty for the whole file.
    pub key: String,
    /// What was expected or what is wrong.
    pub message: String,
    /// The offending source line, shown under the message.
    pub line_text: Option<String>,
    /// How many columns to underline.
    pub width: usize,
}

/// A 1-based position in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl ConfigError {
    /// An error at a byte span of `source` (the text of `file`).
    pub fn at(
        file: &Path,
        source: &str,
        span: Option<std::ops::Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Box<Self> {
        let (location, line_text, width) = match span {
            Some(span) => {
                let start = span.start.min(source.len());
                let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
                let line_end = source[start..]
                    .find('\n')
                    .map_or(source.len(), |i| start + i);
                let line_text = source[line_start..line_end].trim_end_matches('\r');
                let column = source[line_start..start].chars().count() + 1;
                let line = source[..start].matches('\n').count() + 1;
                let end = span.end.clamp(start, line_end);
                let width = source[start..end].chars().count().max(1);
                (
                    Some(Location { line, column }),
                    Some(line_text.to_string()),
                    width,
                )
            }
            None => (None, None, 0),
        };
        Box::new(Self {
            file: file.to_path_buf(),
            location,
            key: key.into(),
            message: message.into(),
            line_text,
            width,
        })
    }

    /// An error about a file or setting with no place to point at.
    pub fn without_place(
        file: &Path,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Box<Self> {
        Box::new(Self {
            file: file.to_path_buf(),
            location: None,
            key: key.into(),
            message: message.into(),
            line_text: None,
            width: 0,
        })
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(Location { line, column }) = self.location {
            write!(f, ":{line}:{column}")?;
        }
        if self.key.is_empty() {
            write!(f, ": {}", self.message)?;
        } else {
            write!(f, ": `{}`: {}", self.key, self.message)?;
        }
        if let (Some(Location { line, column }), Some(text)) = (self.location, &self.line_text) {
            let gutter = line.to_string().len();
            write!(f, "\n{:gutter$} |\n{line} | {text}\n{:gutter$} | ", "", "")?;
            write!(f, "{}{}", " ".repeat(column - 1), "^".repeat(self.width))?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// The candidate closest to `given`, if any is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_column_key_and_caret() {
        let source = "[project]\nname = 3\n";
        let span = source.find('3').map(|s| s..s + 1);
        let err = ConfigError::at(
            Path::new("pyproject.toml"),
            source,
            span,
            "project.name",
            "expected a string",
        );
        assert_eq!(
            err.to_string(),
            "pyproject.toml:2:8: `project.name`: expected a string\n  |\n2 | name = 3\n  |        ^"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        let keys = ["extensions", "packages", "python-source"];
        assert_eq!(did_you_mean("extensoins", keys), Some("extensions"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }
}
