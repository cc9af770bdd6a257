//! Linker flags, as setuptools users write them (`extra-link-args`, `LDFLAGS`), translated
//! into typed link inputs; and the compiler flags of the environment.
//!
//! Backends take typed inputs, not raw linker flags, so that each can express them (the
//! `zig` backend has no raw linker command line); what has no typed form is refused with
//! the reason.

use std::path::Path;

use crate::compile::graph::LinkInput;
use crate::project::text::{ControlCharacter, check_text};

/// Compiler and linker flags from the environment, honoured as setuptools does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFlags {
    /// `CPPFLAGS` then `CFLAGS`.
    pub compile: Vec<String>,
    /// `LDFLAGS`.
    pub link: Vec<String>,
}

/// A flag variable zlig cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvFlagsError {
    /// A shell could not split it.
    #[error("{var}={value:?} has unbalanced quotes")]
    UnbalancedQuotes { var: &'static str, value: String },
    /// One of its words holds a control character (`project::text`); a line break between
    /// words only separates them, as in a shell.
    #[error("{var}: {why}")]
    ControlCharacter {
        var: &'static str,
        why: ControlCharacter,
    },
}

impl EnvFlags {
    /// Reads `CPPFLAGS`, `CFLAGS` and `LDFLAGS`, split as a POSIX shell would.
    pub fn from_env() -> Result<Self, EnvFlagsError> {
        Self::read(|var| std::env::var(var).unwrap_or_default())
    }

    /// The flags of the variables `var` gives the values of.
    fn read(var: impl Fn(&'static str) -> String) -> Result<Self, EnvFlagsError> {
        let split = |name: &'static str| {
            let value = var(name);
            let words = shlex::split(&value).ok_or(EnvFlagsError::UnbalancedQuotes {
                var: name,
                value: value.clone(),
            })?;
            for word in &words {
                check_text(word)
                    .map_err(|why| EnvFlagsError::ControlCharacter { var: name, why })?;
            }
            Ok(words)
        };
        let mut compile = split("CPPFLAGS")?;
        compile.extend(split("CFLAGS")?);
        Ok(Self {
            compile,
            link: split("LDFLAGS")?,
        })
    }
}

/// A link argument zlig cannot pass on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkArgError {
    #[error("`{0}` needs a value after it")]
    NeedsValue(String),
    #[error(
        "`{0}` is not a link argument zlig can pass on; use -lNAME, -LDIR, -Wl,-rpath,DIR or the path of an object, archive or shared library"
    )]
    Unsupported(String),
}

/// Translates link arguments into link inputs; relative paths are taken from `root`. On a
/// bad argument, its index and the reason.
pub fn link_inputs<'a>(
    root: &Path,
    args: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<LinkInput>, (usize, LinkArgError)> {
    let mut inputs = Vec::new();
    let mut args = args.into_iter().enumerate();
    while let Some((i, arg)) = args.next() {
        let mut value = || {
            args.next()
                .map(|(_, v)| v)
                .ok_or((i, LinkArgError::NeedsValue(arg.to_string())))
        };
        let input = match arg {
            "-l" => LinkInput::Library(value()?.to_string()),
            "-L" => LinkInput::LibraryDir(root.join(value()?)),
            "-pthread" => LinkInput::Library("pthread".into()),
            "-s" | "-static-libgcc" | "-static-libstdc++" => continue,
            _ if arg.starts_with("-l") => LinkInput::Library(arg[2..].to_string()),
            _ if arg.starts_with("-L") => LinkInput::LibraryDir(root.join(&arg[2..])),
            _ if arg.starts_with("-Wl,-rpath,") => {
                LinkInput::RPath(arg["-Wl,-rpath,".len()..].to_string())
            }
            _ if arg.starts_with("-Wl,-rpath=") => {
                LinkInput::RPath(arg["-Wl,-rpath=".len()..].to_string())
            }
            _ if !arg.starts_with('-')
                && [".a", ".o", ".so"]
                    .iter()
                    .any(|s| arg.ends_with(s) || arg.contains(".so.")) =>
            {
                LinkInput::File(root.join(arg))
            }
            _ => return Err((i, LinkArgError::Unsupported(arg.to_string()))),
        };
        inputs.push(input);
    }
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A word of `CPPFLAGS`, `CFLAGS` or `LDFLAGS` holding a control character (quoted, so
    /// that splitting keeps it) is refused with the variable's name; between words, a line
    /// break only separates them, as in a shell.
    #[test]
    fn flag_variables_with_a_control_character_in_a_word_are_refused_by_name() {
        let read = |name: &'static str, value: &'static str| {
            EnvFlags::read(|var| match var == name {
                true => value.to_string(),
                false => String::new(),
            })
        };
        assert_eq!(read("CFLAGS", "-O2\n  -g").unwrap().compile, ["-O2", "-g"]);
        for (var, value, shown) in [
            (
                "CFLAGS",
                "-O2 '-DX=1\nrule evil'",
                "`-DX=1\\nrule evil` holds a line break (`\\n`)",
            ),
            (
                "CPPFLAGS",
                "\"-Iinc\rx\"",
                "`-Iinc\\rx` holds a line break (`\\r`)",
            ),
            (
                "LDFLAGS",
                "'-lm\tx'",
                "`-lm\\tx` holds a control character (`\\t`)",
            ),
        ] {
            assert_eq!(
                read(var, value).unwrap_err().to_string(),
                format!(
                    "{var}: {shown}, which no flag, macro, library name or path may hold (each is written on one line of a generated build file)"
                )
            );
        }
    }

    #[test]
    fn flags_become_typed_inputs_and_the_rest_is_refused_by_index() {
        let root = Path::new("/p");
        let inputs = link_inputs(
            root,
            ["-l", "z", "-Lout", "-Wl,-rpath=$ORIGIN", "-s", "a.so.1"],
        );
        assert_eq!(
            inputs.unwrap(),
            [
                LinkInput::Library("z".into()),
                LinkInput::LibraryDir("/p/out".into()),
                LinkInput::RPath("$ORIGIN".into()),
                LinkInput::File("/p/a.so.1".into()),
            ]
        );
        assert_eq!(
            link_inputs(root, ["-lm", "-Wl,--as-needed"]).unwrap_err(),
            (1, LinkArgError::Unsupported("-Wl,--as-needed".into()))
        );
        assert_eq!(
            link_inputs(root, ["-L"]).unwrap_err(),
            (0, LinkArgError::NeedsValue("-L".into()))
        );
    }
}
