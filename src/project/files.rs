//! Project-relative paths and globs, for every key that names files.
//!
//! Paths and patterns are relative to the project root, use `/`, and never leave the root:
//! absolute paths and `..` are refused, and so is a match that a symlink leads outside. A
//! walk starts at the pattern's literal prefix, so `src/**/*.c` never looks into `build/` or
//! `.git/`, and goes no deeper than the pattern can match (`LICENSE*` reads only the root
//! folder); walks are sorted by file name, and a folder that cannot be read is an error.

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher};

use super::text::{ControlCharacter, check_text};
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

/// Why a path or pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("expected a non-empty path")]
    Empty,
    #[error("use `/` as the path separator")]
    Backslash,
    #[error("a path must stay inside the project: no absolute path and no `..`")]
    LeavesProject,
    #[error("a path in the wheel must stay inside it: no absolute path and no `..`")]
    LeavesWheel,
    #[error("names the wheel's root itself; give a path in it, such as `cov.pth`")]
    WheelRoot,
    #[error("invalid glob: {0}")]
    InvalidGlob(String),
    #[error(
        "`{}` resolves to {}, outside the project; zlig follows symlinks only within the project",
        slash_path(.relative),
        .real.display()
    )]
    LinkedOutside { relative: PathBuf, real: PathBuf },
    #[error(
        "`{}` cannot be archived or built: {why}; rename it",
        .relative.to_string_lossy().escape_debug()
    )]
    UnsafeName {
        relative: PathBuf,
        why: &'static str,
    },
    #[error("cannot read `{}`: {message}", slash_path(.relative))]
    Unreadable { relative: PathBuf, message: String },
    #[error("`{}` is {what}, not a file", slash_path(.relative))]
    NotAFile {
        relative: PathBuf,
        what: &'static str,
    },
    #[error(transparent)]
    ControlCharacter(#[from] ControlCharacter),
}

/// Checks that `text` is a project-relative path: not empty, no control character (it is
/// written into build files: `project::text`), `/`-separated, not absolute, no `..`.
pub fn check_relative(text: &str) -> Result<(), PathError> {
    let path = Path::new(text);
    if text.is_empty() {
        return Err(PathError::Empty);
    }
    check_text(text)?;
    if text.contains('\\') {
        return Err(PathError::Backslash);
    }
    if path.is_absolute()
        || path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(PathError::LeavesProject);
    }
    Ok(())
}

/// The one form of a path in a wheel, which every check and the archive take: `/`-separated
/// parts, none empty or `.`, so that `./a//b/.` and `a/b/` are both `a/b` and no two
/// spellings can name one entry. Refused: a path that leaves the wheel's root (absolute, or
/// with `..`), one that names the root itself (`.`), and one that cannot be an archive
/// entry (a backslash, a control character).
pub fn wheel_path(text: &str) -> Result<String, PathError> {
    if text.contains('\\') {
        return Err(PathError::Backslash);
    }
    if text.starts_with('/') {
        return Err(PathError::LeavesWheel);
    }
    let mut parts = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(PathError::LeavesWheel),
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(PathError::WheelRoot);
    }
    let path = parts.join("/");
    check_name(Path::new(&path))?;
    Ok(path)
}

/// A project-relative path as a walk names its files: `./src//pkg/` is `src/pkg`. The
/// text was checked with `check_relative`.
pub fn normal_relative(text: &str) -> PathBuf {
    text.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect()
}

/// Fails when the project file `relative` is there but is not a regular file (see
/// `not_a_file`); a missing one is no matter here.
pub fn check_file_kind(root: &Path, relative: &Path) -> Result<(), PathError> {
    match not_a_file(&root.join(relative)) {
        Some(what) => Err(PathError::NotAFile {
            relative: relative.to_path_buf(),
            what,
        }),
        None => Ok(()),
    }
}

/// Why `full` (a path that exists) cannot be read as a file: a folder, a FIFO (reading one
/// would wait for a writer), a socket or a device. `None` for a regular file, a symlink to
/// one, or nothing there.
pub fn not_a_file(full: &Path) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::metadata(full).ok()?.file_type();
    if kind.is_file() {
        None
    } else if kind.is_dir() {
        Some("a folder")
    } else if kind.is_fifo() {
        Some("a FIFO (a named pipe)")
    } else if kind.is_socket() {
        Some("a socket")
    } else {
        Some("a device")
    }
}

/// What a path key must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Folder,
}

/// The path a key names, checked once for every key that names one file or folder:
/// project-relative, existing, of the right kind, and inside the project through any
/// symlink. `what` names it in the error (`readme file`, `include folder`).
pub fn existing(
    root: &Path,
    value: &Located<String>,
    kind: Kind,
    what: &str,
) -> Result<PathBuf, Error> {
    check_relative(&value.value).map_err(|why| value.error(why))?;
    let relative = normal_relative(&value.value);
    let full = root.join(&relative);
    let problem = match kind {
        _ if std::fs::metadata(&full).is_err() => Some("does not exist".to_string()),
        Kind::File => not_a_file(&full).map(|it| format!("is {it}, not a file")),
        Kind::Folder => (!full.is_dir()).then(|| "is not a folder".to_string()),
    };
    if let Some(problem) = problem {
        return Err(value.error(format!("{what} `{}` {problem}", value.value)));
    }
    check_inside(root, &relative).map_err(|why| value.error(why))?;
    Ok(relative)
}

impl Pattern {
    /// Compiles a glob; `*` does not cross `/`, `**` does.
    pub fn new(text: &str) -> Result<Self, PathError> {
        check_relative(text)?;
        let text = text.trim_start_matches("./");
        let glob: Glob = GlobBuilder::new(text)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|err| PathError::InvalidGlob(err.kind().to_string()))?;
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
    pub fn files(&self, root: &Path) -> Result<Vec<PathBuf>, PathError> {
        self.walk(root)?
            .into_iter()
            .map(|(file, outside)| outside.map_or(Ok(file), Err))
            .collect()
    }

    /// The matching files that stay inside the project, for built-in defaults where a
    /// symlink leading out is passed over rather than fatal.
    pub fn files_inside(&self, root: &Path) -> Result<Vec<PathBuf>, PathError> {
        Ok(self
            .walk(root)?
            .into_iter()
            .filter_map(|(file, outside)| outside.is_none().then_some(file))
            .collect())
    }

    /// Every match, sorted, each with the reason it leaves the project, if it does.
    fn walk(&self, root: &Path) -> Result<Vec<(PathBuf, Option<PathError>)>, PathError> {
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
        let walk = walkdir::WalkDir::new(&start)
            .follow_links(true)
            .max_depth(self.depth.unwrap_or(usize::MAX))
            .sort_by_file_name();
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => match self.walk_error(root, &err) {
                    Some(fatal) => return Err(fatal),
                    None => continue,
                },
            };
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
            check_name(relative)?;
            let real = match linked {
                true => entry.path().canonicalize().ok(),
                false => None,
            };
            let outside = real
                .filter(|real| !real.starts_with(&real_root))
                .map(|real| PathError::LinkedOutside {
                    relative: relative.to_path_buf(),
                    real,
                });
            found.push((relative.to_path_buf(), outside));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }

    /// Whether a walk error stops the walk: a folder that cannot be read, or a broken link
    /// the pattern matches. A missing start folder is no match, and a link back to an
    /// ancestor (a loop) holds nothing that is not archived already.
    fn walk_error(&self, root: &Path, err: &walkdir::Error) -> Option<PathError> {
        let path = err.path()?;
        let relative = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        if err.loop_ancestor().is_some() {
            return None;
        }
        let missing = err
            .io_error()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound);
        if missing && (err.depth() == 0 || !self.matches(&relative)) {
            return None;
        }
        Some(PathError::Unreadable {
            relative,
            message: match err.io_error() {
                Some(io) if missing => format!("a broken symlink ({io})"),
                Some(io) => io.to_string(),
                None => err.to_string(),
            },
        })
    }
}

impl Located<String> {
    /// The glob compiled, at its place.
    pub fn into_pattern(self) -> Result<Located<Pattern>, Error> {
        let pattern = Pattern::new(&self.value).map_err(|err| self.error(err))?;
        Ok(Located {
            value: pattern,
            place: self.place,
        })
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
pub fn check_inside(root: &Path, relative: &Path) -> Result<(), PathError> {
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    match root.join(relative).canonicalize() {
        Ok(real) if !real.starts_with(&real_root) => Err(PathError::LinkedOutside {
            relative: relative.to_path_buf(),
            real,
        }),
        _ => Ok(()),
    }
}

/// Fails on a file name that cannot be an archive entry, a build file path or a module
/// path everywhere: not UTF-8 (it would be changed), a backslash (a folder separator on
/// Windows, so `x\..\evil.py` would unpack outside its folder), or a control character
/// such as a newline (it would split RECORD's lines and the build files').
pub fn check_name(relative: &Path) -> Result<(), PathError> {
    let Some(text) = relative.to_str() else {
        return Err(PathError::UnsafeName {
            relative: relative.to_path_buf(),
            why: "it is not valid UTF-8",
        });
    };
    let why = if text.contains('\\') {
        "it holds a backslash, a folder separator on Windows"
    } else if text.chars().any(char::is_control) {
        "it holds a control character such as a newline"
    } else {
        return Ok(());
    };
    Err(PathError::UnsafeName {
        relative: relative.to_path_buf(),
        why,
    })
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
    use crate::test_support::scrubbed;

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
            .unwrap_err()
            .to_string();
        insta::assert_snapshot!(scrubbed(&err), @"`src/b.c` resolves to [TMP]/secret.c, outside the project; zlig follows symlinks only within the project");
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
        let refused = |glob: &str| {
            Pattern::new(glob)
                .unwrap()
                .files(dir.path())
                .unwrap_err()
                .to_string()
        };
        link(&outside.path().join("lib"), "pkg/inner/vendored");
        let err = refused("pkg/**/*.c");
        insta::assert_snapshot!(scrubbed(&err), @"`pkg/inner/vendored/secret.c` resolves to [TMP]/lib/secret.c, outside the project; zlig follows symlinks only within the project");
        // The pattern's own base reached through a link.
        link(&outside.path().join("lib"), "linkedbase");
        let err = refused("linkedbase/*.c");
        insta::assert_snapshot!(scrubbed(&err), @"`linkedbase/secret.c` resolves to [TMP]/lib/secret.c, outside the project; zlig follows symlinks only within the project");
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
    fn wheel_paths_have_one_form() {
        for (given, expected) in [
            ("cov.pth", "cov.pth"),
            ("./cov.pth", "cov.pth"),
            (".//cov.pth", "cov.pth"),
            ("pkg//data/./x.txt", "pkg/data/x.txt"),
            ("pkg/", "pkg"),
            ("pkg/.", "pkg"),
        ] {
            assert_eq!(wheel_path(given).as_deref(), Ok(expected), "{given}");
        }
        for (given, refused) in [
            ("/cov.pth", PathError::LeavesWheel),
            ("pkg/../../x", PathError::LeavesWheel),
            ("pkg/../x", PathError::LeavesWheel),
            (".", PathError::WheelRoot),
            ("./", PathError::WheelRoot),
            ("", PathError::WheelRoot),
            ("pkg\\x", PathError::Backslash),
        ] {
            assert_eq!(wheel_path(given), Err(refused), "{given}");
        }
        assert!(matches!(
            wheel_path("pkg/a\nb"),
            Err(PathError::UnsafeName { .. })
        ));
    }

    #[test]
    fn a_fifo_or_folder_is_not_a_file() {
        let dir = tree(&["a.txt"]);
        std::fs::create_dir(dir.path().join("folder")).unwrap();
        let fifo = dir.path().join("fifo");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates the file.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        assert_eq!(not_a_file(&dir.path().join("a.txt")), None);
        assert_eq!(not_a_file(&dir.path().join("missing")), None);
        assert_eq!(not_a_file(&dir.path().join("folder")), Some("a folder"));
        assert_eq!(not_a_file(&fifo), Some("a FIFO (a named pipe)"));
        let located = |value: &str| Located {
            value: value.to_string(),
            place: crate::project::toml::Place::unspanned(Path::new("pyproject.toml"), "k"),
        };
        let err = existing(dir.path(), &located("fifo"), Kind::File, "version file")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "pyproject.toml: `k`: version file `fifo` is a FIFO (a named pipe), not a file"
        );
    }

    #[test]
    fn patterns_that_leave_the_project_are_refused() {
        assert!(Pattern::new("../x/*.c").is_err());
        assert!(Pattern::new("/usr/include/*.h").is_err());
        assert!(Pattern::new("src/../../x.c").is_err());
    }

    #[test]
    fn names_that_cannot_be_archived_are_refused_with_the_path() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tree(&["pkg/ok.py", "pkg/x\\..\\evil.py", "pkg/new\nline.py"]);
        let odd = std::ffi::OsStr::from_bytes(b"pkg/bad\xff.py");
        std::fs::write(dir.path().join(odd), "").unwrap();
        let err = Pattern::new("pkg/**/*.py")
            .unwrap()
            .files(dir.path())
            .unwrap_err();
        assert!(
            matches!(
                err,
                PathError::UnsafeName {
                    why: "it is not valid UTF-8",
                    ..
                }
            ),
            "{err}"
        );
        std::fs::remove_file(dir.path().join(odd)).unwrap();
        let err = Pattern::new("pkg/**/*.py")
            .unwrap()
            .files(dir.path())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "`pkg/new\\nline.py` cannot be archived or built: it holds a control character such as a newline; rename it"
        );
        std::fs::remove_file(dir.path().join("pkg/new\nline.py")).unwrap();
        let err = Pattern::new("pkg/**/*.py")
            .unwrap()
            .files(dir.path())
            .unwrap_err()
            .to_string();
        insta::assert_snapshot!(err, @r"
            `pkg/x\\..\\evil.py` cannot be archived or built: it holds a backslash, a folder separator on Windows; rename it
            ");
    }

    #[test]
    fn unreadable_folders_and_matching_broken_links_are_reported() {
        let dir = tree(&["pkg/a.py"]);
        std::os::unix::fs::symlink("nowhere.txt", dir.path().join("pkg/data.txt")).unwrap();
        assert_eq!(
            Pattern::new("pkg/*.py").unwrap().files(dir.path()).unwrap(),
            [PathBuf::from("pkg/a.py")],
            "a broken link the pattern does not match is no matter"
        );
        let err = Pattern::new("pkg/*")
            .unwrap()
            .files(dir.path())
            .unwrap_err()
            .to_string();
        insta::assert_snapshot!(err, @"cannot read `pkg/data.txt`: a broken symlink (No such file or directory (os error 2))");
        assert_eq!(
            Pattern::new("missing/*.c")
                .unwrap()
                .files(dir.path())
                .unwrap(),
            Vec::<PathBuf>::new()
        );
    }
}
