//! Glob matching over the project tree, for every key that takes globs.
//!
//! Patterns are relative to the project root, use `/`, and never leave the root: absolute
//! patterns and `..` are refused. A walk starts at the pattern's literal prefix, so
//! `src/**/*.c` never looks into `build/` or `.git/`; walks are sorted by file name.

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher};

/// A compiled project-relative glob.
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    matcher: GlobMatcher,
    /// The directories before the first component with a wildcard.
    base: PathBuf,
}

/// Why a pattern was refused.
pub type PatternError = String;

impl Pattern {
    /// Compiles a glob; `*` does not cross `/`, `**` does.
    pub fn new(text: &str) -> Result<Self, PatternError> {
        let path = Path::new(text);
        if text.is_empty() {
            return Err("expected a non-empty glob".into());
        }
        if text.contains('\\') {
            return Err("use `/` as the path separator".into());
        }
        if path.is_absolute()
            || path
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err("a glob must stay inside the project: no absolute path and no `..`".into());
        }
        let text = text.trim_start_matches("./");
        let glob: Glob = GlobBuilder::new(text)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|err| format!("invalid glob: {}", err.kind()))?;
        let base: PathBuf = text
            .split('/')
            .take_while(|part| !part.contains(['*', '?', '[', '{']))
            .collect();
        let base = if base.as_os_str() == text {
            base.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            base
        };
        Ok(Self {
            text: text.to_string(),
            matcher: glob.compile_matcher(),
            base,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether a project-relative path (with `/`) matches.
    pub fn matches(&self, relative: &Path) -> bool {
        self.matcher.is_match(relative)
    }

    /// The files under `root` that match, as sorted project-relative paths.
    pub fn files(&self, root: &Path) -> Vec<PathBuf> {
        let start = root.join(&self.base);
        let mut found: Vec<PathBuf> = walkdir::WalkDir::new(&start)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_file())
            .filter_map(|entry| entry.path().strip_prefix(root).ok().map(Path::to_path_buf))
            .filter(|relative| self.matches(relative))
            .collect();
        found.sort();
        found
    }
}

/// Turns a project-relative path into the `/`-separated form archives and globs use.
pub fn slash_path(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        dir
    }

    #[test]
    fn star_stays_in_one_directory_and_double_star_recurses() {
        let dir = tree(&["src/a.c", "src/sub/b.c", "src/sub/c.h", "build/d.c"]);
        let flat = Pattern::new("src/*.c").unwrap().files(dir.path());
        assert_eq!(flat, [PathBuf::from("src/a.c")]);
        let deep = Pattern::new("src/**/*.c").unwrap().files(dir.path());
        assert_eq!(
            deep,
            [PathBuf::from("src/a.c"), PathBuf::from("src/sub/b.c")]
        );
    }

    #[test]
    fn literal_file_pattern_matches_itself() {
        let dir = tree(&["LICENSE", "src/x.c"]);
        assert_eq!(
            Pattern::new("LICENSE").unwrap().files(dir.path()),
            [PathBuf::from("LICENSE")]
        );
        assert_eq!(
            Pattern::new("./src/x.c").unwrap().files(dir.path()),
            [PathBuf::from("src/x.c")]
        );
    }

    #[test]
    fn patterns_that_leave_the_project_are_refused() {
        assert!(Pattern::new("../x/*.c").is_err());
        assert!(Pattern::new("/usr/include/*.h").is_err());
        assert!(Pattern::new("src/../../x.c").is_err());
    }
}
