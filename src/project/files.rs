//! Glob matching over the project tree, for every key that takes globs.
//!
//! Patterns are relative to the project root, use `/`, and never leave the root: absolute
//! patterns and `..` are refused. A walk starts at the pattern's literal prefix, so
//! `src/**/*.c` never looks into `build/` or `.git/`, and goes no deeper than the pattern
//! can match (`LICENSE*` reads only the root folder); walks are sorted by file name.

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher};

use super::toml::Located;
use crate::error::Error;

/// A compiled project-relative glob.
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    matcher: GlobMatcher,
    /// The directories before the first component with a wildcard.
    base: PathBuf,
    /// How deep below `base` a match can be; `None` with `**`.
    depth: Option<usize>,
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
        // Each `/` (also one inside `{a,b/c}`) can add a level.
        let depth = (!text.contains("**"))
            .then(|| text.matches('/').count() + 1 - base.components().count());
        Ok(Self {
            text: text.to_string(),
            matcher: glob.compile_matcher(),
            base,
            depth,
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

    /// The files under `root` that match, as sorted project-relative paths. A match that
    /// resolves outside the project (through a symlink) is an error.
    pub fn files(&self, root: &Path) -> Result<Vec<PathBuf>, PatternError> {
        self.walk(root)
            .into_iter()
            .map(|(file, outside)| outside.map_or(Ok(file), Err))
            .collect()
    }

    /// The matching files that stay inside the project, for built-in defaults where a
    /// symlink leading out is passed over rather than fatal.
    pub fn files_inside(&self, root: &Path) -> Vec<PathBuf> {
        self.walk(root)
            .into_iter()
            .filter_map(|(file, outside)| outside.is_none().then_some(file))
            .collect()
    }

    /// Every match, sorted, each with the reason it leaves the project, if it does.
    fn walk(&self, root: &Path) -> Vec<(PathBuf, Option<PatternError>)> {
        let start = root.join(&self.base);
        let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        // Only a path through a symlink can leave the project, so only those are resolved
        // (one `readlink` per component): the folders entered through a link, and linked files.
        let mut linked_dirs: Vec<PathBuf> = Vec::new();
        if start
            .canonicalize()
            .is_ok_and(|real| real != real_root.join(&self.base))
        {
            linked_dirs.push(start.clone());
        }
        let mut found = Vec::new();
        for entry in walkdir::WalkDir::new(&start)
            .follow_links(true)
            .max_depth(self.depth.unwrap_or(usize::MAX))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            let linked = entry.path_is_symlink()
                || linked_dirs.iter().any(|dir| entry.path().starts_with(dir));
            if entry.file_type().is_dir() {
                if entry.path_is_symlink() {
                    linked_dirs.push(entry.path().to_path_buf());
                }
                continue;
            }
            let Ok(relative) = entry.path().strip_prefix(root) else {
                continue;
            };
            if !entry.file_type().is_file() || !self.matches(relative) {
                continue;
            }
            let real = match linked {
                true => entry.path().canonicalize().ok(),
                false => None,
            };
            let outside = real.filter(|real| !real.starts_with(&real_root)).map(|real| {
                format!(
                    "`{}` resolves to {}, outside the project; zlig follows symlinks only within the project",
                    slash_path(relative),
                    real.display()
                )
            });
            found.push((relative.to_path_buf(), outside));
        }
        found.sort();
        found
    }
}

impl Located<Pattern> {
    /// The matching files; a glob that matches nothing is an error at its place.
    pub fn expand(&self, root: &Path) -> Result<Vec<PathBuf>, Error> {
        let files = self.value.files(root).map_err(|why| self.error(why))?;
        if files.is_empty() {
            return Err(self.error("matches no file"));
        }
        Ok(files)
    }
}

/// Fails when `path` (inside `root`) resolves outside it, through a symlink.
pub fn check_inside(root: &Path, relative: &Path) -> Result<(), PatternError> {
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    match root.join(relative).canonicalize() {
        Ok(real) if !real.starts_with(&real_root) => Err(format!(
            "`{}` resolves to {}, outside the project; zlig follows symlinks only within the project",
            slash_path(relative),
            real.display()
        )),
        _ => Ok(()),
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
pub(crate) mod tests {
    use super::*;

    /// A temporary folder holding empty files at these relative paths.
    pub(crate) fn tree(files: &[&str]) -> tempfile::TempDir {
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
        let flat = Pattern::new("src/*.c").unwrap().files(dir.path()).unwrap();
        assert_eq!(flat, [PathBuf::from("src/a.c")]);
        let deep = Pattern::new("src/**/*.c")
            .unwrap()
            .files(dir.path())
            .unwrap();
        assert_eq!(
            deep,
            [PathBuf::from("src/a.c"), PathBuf::from("src/sub/b.c")]
        );
        let braces = Pattern::new("src/{a,sub/b}.c")
            .unwrap()
            .files(dir.path())
            .unwrap();
        assert_eq!(
            braces, deep,
            "an alternative with a `/` reaches one level deeper"
        );
    }

    #[test]
    fn literal_file_pattern_matches_itself() {
        let dir = tree(&["LICENSE", "src/x.c"]);
        assert_eq!(
            Pattern::new("LICENSE").unwrap().files(dir.path()).unwrap(),
            [PathBuf::from("LICENSE")]
        );
        assert_eq!(
            Pattern::new("./src/x.c")
                .unwrap()
                .files(dir.path())
                .unwrap(),
            [PathBuf::from("src/x.c")]
        );
    }

    #[test]
    fn symlinks_out_of_the_project_are_refused() {
        let outside = tree(&["secret.c"]);
        let dir = tree(&["src/a.c"]);
        std::os::unix::fs::symlink(outside.path().join("secret.c"), dir.path().join("src/b.c"))
            .unwrap();
        let err = Pattern::new("src/*.c")
            .unwrap()
            .files(dir.path())
            .unwrap_err();
        assert!(err.starts_with("`src/b.c` resolves to "), "{err}");
        assert!(
            err.ends_with("outside the project; zlig follows symlinks only within the project"),
            "{err}"
        );
        std::os::unix::fs::symlink(dir.path().join("src/a.c"), dir.path().join("src/c.c")).unwrap();
        std::fs::remove_file(dir.path().join("src/b.c")).unwrap();
        let inside = Pattern::new("src/*.c").unwrap().files(dir.path()).unwrap();
        assert_eq!(inside, [PathBuf::from("src/a.c"), PathBuf::from("src/c.c")]);
    }

    #[test]
    fn folders_linked_out_of_the_project_are_refused_at_any_depth() {
        let outside = tree(&["lib/secret.c"]);
        let dir = tree(&["pkg/inner/a.c"]);
        let link =
            |to: &Path, at: &str| std::os::unix::fs::symlink(to, dir.path().join(at)).unwrap();
        let refused = |glob: &str| Pattern::new(glob).unwrap().files(dir.path()).unwrap_err();
        link(&outside.path().join("lib"), "pkg/inner/vendored");
        let err = refused("pkg/**/*.c");
        assert!(
            err.starts_with("`pkg/inner/vendored/secret.c` resolves to "),
            "{err}"
        );
        // The pattern's own base reached through a link.
        link(&outside.path().join("lib"), "linkedbase");
        let err = refused("linkedbase/*.c");
        assert!(
            err.starts_with("`linkedbase/secret.c` resolves to "),
            "{err}"
        );
        // A folder linked within the project is followed.
        std::fs::remove_file(dir.path().join("pkg/inner/vendored")).unwrap();
        link(&dir.path().join("pkg/inner"), "pkg/again");
        let files = Pattern::new("pkg/**/*.c")
            .unwrap()
            .files(dir.path())
            .unwrap();
        assert_eq!(
            files,
            [
                PathBuf::from("pkg/again/a.c"),
                PathBuf::from("pkg/inner/a.c")
            ]
        );
    }

    #[test]
    fn patterns_that_leave_the_project_are_refused() {
        assert!(Pattern::new("../x/*.c").is_err());
        assert!(Pattern::new("/usr/include/*.h").is_err());
        assert!(Pattern::new("src/../../x.c").is_err());
    }
}
