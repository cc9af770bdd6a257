//! Reads `__version__` and the module docstring from Python source without importing it.
//!
//! The package cannot be imported at metadata time: its extension is not built yet, and
//! importing runs user code. Like flit, we accept only literal values, and only where they
//! are certain: the last module-level `__version__ = "..."` whose value is one plain string
//! literal. Anything else there (an expression, a tuple, a call) is an error at its place,
//! never a silently different version. Hand-written because the Rust Python parsers (ruff's,
//! RustPython's) are large and unversioned as libraries; the subset needed is a scan for
//! module-level logical lines that skips strings, brackets and continuations.

use std::ops::Range;

/// The docstring of a module: the first statement, if it is a string literal.
pub fn docstring(source: &str) -> Option<String> {
    let mut rest = source.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if rest.starts_with('#') {
            rest = rest.split_once('\n').map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    string_literal(rest).map(|(text, _)| text)
}

/// A `__version__` assignment that is not one plain string literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotALiteral {
    /// The byte span of the assigned value in the source.
    pub span: Range<usize>,
}

/// The value of the last module-level `__version__ = "..."` (or `__version__: str = ...`),
/// `Ok(None)` when there is none, or where the last one's value is not a plain literal.
pub fn version(source: &str) -> Result<Option<String>, NotALiteral> {
    let mut found = Ok(None);
    for start in module_level_lines(source) {
        let line = &source[start..];
        let Some(rest) = line.strip_prefix("__version__") else {
            continue;
        };
        let Some(value_at) = assigned_value(rest) else {
            continue;
        };
        let value_start = start + "__version__".len() + value_at;
        let value = &source[value_start..];
        let end = value.find('\n').map_or(source.len(), |i| value_start + i);
        found = match string_literal(value) {
            Some((text, after)) if is_line_end(after) => Ok(Some(text)),
            _ => Err(NotALiteral {
                span: value_start..end,
            }),
        };
    }
    found
}

/// Where the value starts in the text after `__version__`, if it is an assignment
/// (`= value` or `: annotation = value`); not for `==` or augmented assignments.
fn assigned_value(rest: &str) -> Option<usize> {
    let trimmed = rest.trim_start_matches([' ', '\t']);
    let at_equals = if let Some(annotated) = trimmed.strip_prefix(':') {
        let eq = annotated.find('=')?;
        rest.len() - annotated.len() + eq
    } else if trimmed.starts_with('=') {
        rest.len() - trimmed.len()
    } else {
        return None;
    };
    let after = &rest[at_equals + 1..];
    if after.starts_with('=') {
        return None;
    }
    Some(at_equals + 1 + (after.len() - after.trim_start_matches([' ', '\t']).len()))
}

/// Whether only blanks and a comment follow a literal on its line.
fn is_line_end(after: &str) -> bool {
    let line = after.split('\n').next().unwrap_or("");
    let line = line.trim_start_matches([' ', '\t', '\r']);
    line.is_empty() || line.starts_with('#')
}

/// The byte offsets where module-level logical lines start: not indented, not inside a
/// string, a bracket or a backslash continuation.
fn module_level_lines(source: &str) -> Vec<usize> {
    let bytes = source.as_bytes();
    let mut starts = Vec::new();
    let mut depth = 0usize;
    let mut at_line_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if at_line_start {
            at_line_start = false;
            if depth == 0 && !matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'#') {
                starts.push(i);
            }
        }
        match c {
            b'#' => i = source[i..].find('\n').map_or(bytes.len(), |n| i + n) - 1,
            b'\\' => i += 1,
            b'\n' => at_line_start = true,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'"' | b'\'' => {
                let raw = i > 0 && matches!(bytes[i - 1], b'r' | b'R');
                i = string_end(source, i, raw) - 1;
            }
            _ => {}
        }
        i += 1;
    }
    starts
}

/// The byte offset just past the string literal whose opening quote is at `at`.
fn string_end(source: &str, at: usize, raw: bool) -> usize {
    let rest = &source[at..];
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| rest.starts_with(q))
        .expect("called at a quote");
    let bytes = source.as_bytes();
    let mut i = at + quote.len();
    while i < bytes.len() {
        if source[i..].starts_with(quote) {
            return i + quote.len();
        }
        match bytes[i] {
            b'\\' if !raw => i += 1,
            b'\n' if quote.len() == 1 => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Parses a Python string literal at the start of `text`: prefixes `r`/`u`, single or triple
/// quotes, and the common escapes. Returns the value and the rest of the text.
fn string_literal(text: &str) -> Option<(String, &str)> {
    let lower = text.get(..2).unwrap_or(text).to_ascii_lowercase();
    let (raw, text) = if lower.starts_with('r') {
        (true, &text[1..])
    } else if lower.starts_with('u') {
        (false, &text[1..])
    } else {
        (false, text)
    };
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| text.starts_with(q))?;
    let body = &text[quote.len()..];
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if body[i..].starts_with(quote) {
            return Some((value, &body[i + quote.len()..]));
        }
        match c {
            '\n' if quote.len() == 1 => return None,
            '\\' if !raw => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, '\n')) => {}
                Some((_, other)) => value.push(other),
                None => return None,
            },
            '\\' => {
                value.push('\\');
                if let Some((_, next)) = chars.next() {
                    value.push(next);
                }
            }
            _ => value.push(c),
        }
    }
    None
}

/// The summary line of a docstring: its first non-empty line, trimmed.
pub fn summary(docstring: &str) -> Option<String> {
    docstring
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_triple_quoted_docstring_after_comments() {
        let src = "# coding: utf-8\n#!x\n\"\"\"Fast things.\n\nMore.\n\"\"\"\nimport os\n";
        assert_eq!(docstring(src).as_deref(), Some("Fast things.\n\nMore.\n"));
        assert_eq!(
            summary(&docstring(src).unwrap()).as_deref(),
            Some("Fast things.")
        );
    }

    #[test]
    fn no_docstring_when_code_comes_first() {
        assert_eq!(docstring("import os\n\"\"\"Not a docstring\"\"\"\n"), None);
    }

    #[test]
    fn reads_version_in_its_usual_spellings() {
        let read = |src: &str| version(src).unwrap();
        assert_eq!(read("__version__ = '1.2.3'\n").as_deref(), Some("1.2.3"));
        assert_eq!(
            read("x = 1\n__version__: str = \"2.0\"  # pinned\n").as_deref(),
            Some("2.0")
        );
        assert_eq!(read("__version__ == '1'\n"), None);
        assert_eq!(read("    __version__ = '1'\n"), None);
        assert_eq!(read("if x:\n    __version__ = '1'\n"), None);
    }

    #[test]
    fn the_last_module_level_assignment_wins() {
        let src = "__version__ = '1.0'\nimport x\n__version__ = '2.0'\n";
        assert_eq!(version(src).unwrap().as_deref(), Some("2.0"));
    }

    #[test]
    fn assignments_inside_strings_and_brackets_are_not_statements() {
        let src = "\"\"\"Docs.\n__version__ = '9.9'\n\"\"\"\nx = (\n__version__ == 1)\n__version__ = '1.0'\ny = '''\n__version__ = \"8\"\n'''\n";
        assert_eq!(version(src).unwrap().as_deref(), Some("1.0"));
        assert_eq!(
            version("s = 'it''s'\n__version__ = 'a\\'b'\n")
                .unwrap()
                .as_deref(),
            Some("a'b")
        );
    }

    #[test]
    fn anything_but_one_plain_literal_is_refused_with_its_span() {
        for (src, value) in [
            (
                "__version__ = \"1.0\" + \".post1\"\n",
                "\"1.0\" + \".post1\"",
            ),
            ("__version__ = \"1.0\" \".post1\"\n", "\"1.0\" \".post1\""),
            ("__version__ = \"1.0\",\n", "\"1.0\","),
            ("__version__ = get_version()\n", "get_version()"),
            ("__version__ = '1.0'\n__version__ = f'{x}'\n", "f'{x}'"),
        ] {
            let err = version(src).unwrap_err();
            assert_eq!(&src[err.span], value, "{src}");
        }
    }
}
