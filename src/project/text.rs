//! The rule every string from the configuration or the environment keeps before it can reach
//! a generated file (`build.ninja`, `graph.json`, a response file, a depfile, a `.pth` line):
//! it holds no control character.
//!
//! In each of those formats a line break ends a statement, so a value holding one could
//! add a statement of its own: a ninja `build` line that runs any command, a `.pth` line
//! that `import`s. No flag, macro, library name or path needs one, so zlig refuses them,
//! and the other control characters with them (NUL, a tab inside a word, an escape), once
//! where each value is read: pyproject.toml with its place, a config setting with its key,
//! `CPPFLAGS`/`CFLAGS`/`LDFLAGS` with the variable. Each writer escapes for its own format
//! what the format can hold, and refuses the rest with this same error, as a second line
//! of defence for values that come from elsewhere (an interpreter's path, a cache folder).

use super::toml::Located;
use crate::error::Result;

/// A value holding a control character, which no value written into a generated file may
/// hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{}` holds {}, which no flag, macro, library name or path may hold (each is written on one line of a generated build file)",
    shown(.value),
    describe(*.found)
)]
pub struct ControlCharacter {
    /// The whole value.
    pub value: String,
    /// Its first control character.
    pub found: char,
}

/// Fails on the first control character of `value` (a line break, NUL, a tab, an escape).
pub fn check_text(value: &str) -> std::result::Result<(), ControlCharacter> {
    match value.chars().find(|c| c.is_control()) {
        Some(found) => Err(ControlCharacter {
            value: value.to_string(),
            found,
        }),
        None => Ok(()),
    }
}

/// `check_text` for a value read from pyproject.toml or a config setting: the error is placed.
pub fn check_placed(value: &Located<String>) -> Result<()> {
    check_text(&value.value).map_err(|why| value.error(why))
}

/// `text` with its control characters and line separators written as Rust escapes (`\n`),
/// for a message that shows it on one line.
pub fn shown(text: &str) -> String {
    text.chars()
        .map(
            |c| match c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                true => c.escape_debug().to_string(),
                false => c.to_string(),
            },
        )
        .collect()
}

/// `a line break (`\n`)`: what the character is, and how it is written.
pub fn describe(c: char) -> String {
    let what = match c {
        '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => "a line break",
        '\0' => "a NUL character",
        _ => "a control character",
    };
    format!("{what} (`{}`)", c.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_with_a_control_character_are_refused_with_it() {
        assert_eq!(check_text("-DGREETING=\"hello world $x\""), Ok(()));
        assert_eq!(check_text("inc dir#1/$x"), Ok(()));
        let cases = [
            (
                "X=1\nbuild evil: phony",
                "`X=1\\nbuild evil: phony` holds a line break (`\\n`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)",
            ),
            (
                "-lm\r",
                "`-lm\\r` holds a line break (`\\r`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)",
            ),
            (
                "lib\0x",
                "`lib\\0x` holds a NUL character (`\\0`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)",
            ),
            (
                "-DA=\tB",
                "`-DA=\\tB` holds a control character (`\\t`), which no flag, macro, library name or path may hold (each is written on one line of a generated build file)",
            ),
        ];
        for (value, message) in cases {
            assert_eq!(check_text(value).unwrap_err().to_string(), message);
        }
    }
}
