//! Reads `__version__` and the module docstring from Python source without importing it.
//!
//! The package cannot be imported at metadata time: its extension is not built yet, and
//! importing runs user code. Like flit, we only accept literal values. This is hand-written
//! because the only Rust Python parsers (ruff's, RustPython's) are large and unversioned as
//! libraries; the subset needed here is a string literal at the start of a statement.

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

/// The value of a top-level `__version__ = "..."` assignment, if it is a string literal.
pub fn version(source: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let value = line.strip_prefix("__version__")?.trim_start();
        let value = value
            .strip_prefix(':')
            .map(|annotated| annotated.split_once('=').map_or("", |(_, v)| v))
            .or_else(|| value.strip_prefix('='))?;
        let value = value.trim_start();
        if value.starts_with('=') {
            return None;
        }
        string_literal(value).map(|(text, _)| text)
    })
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
        assert_eq!(version("__version__ = '1.2.3'\n").as_deref(), Some("1.2.3"));
        assert_eq!(
            version("x = 1\n__version__: str = \"2.0\"\n").as_deref(),
            Some("2.0")
        );
        assert_eq!(version("__version__ == '1'\n"), None);
        assert_eq!(version("__version__ = get_version()\n"), None);
        assert_eq!(version("    __version__ = '1'\n"), None);
    }
}
