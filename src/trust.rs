//! Whether a file may be trusted: the rule zlig applies to everything it runs, links or
//! reads as an answer from its user cache, and to the tools an editable install runs later
//! (`python/zlig/editable_hook.py` applies the same rule at import time); and the private
//! modes of what zlig keeps.
//!
//! The rule is the usual one (OpenSSH's for its keys, pip's for its cache): a path is safe
//! when no other user could change what it names. Every folder from `/` down to it, every
//! link on the way and the file itself belong to the running user or root, and none may be
//! written by anyone else (group- or other-writable), but for a sticky folder owned by root
//! (`/tmp`), where only an entry's owner may rename or remove it: there an entry the user
//! (or root) owns is safe. What zlig makes in its cache is made private whatever the umask
//! (folders 0o700, files 0o600, programs 0o700), so that the rule holds for it.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

/// Why another user could change what a path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsafe {
    /// The path, or a folder or link on the way, is not there.
    Missing(PathBuf),
    /// It cannot be examined.
    Unreadable(PathBuf, String),
    /// It belongs to someone who is neither the running user nor root.
    OtherOwner(PathBuf, u32),
    /// Someone else may write it (its mode).
    Writable(PathBuf, u32),
    /// Links lead to links past the kernel's limit.
    TooManyLinks(PathBuf),
}

impl fmt::Display for Unsafe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(path) => write!(f, "{} is missing", path.display()),
            Self::Unreadable(path, err) => {
                write!(f, "{} cannot be examined ({err})", path.display())
            }
            Self::OtherOwner(path, uid) => {
                write!(f, "{} belongs to another user (uid {uid})", path.display())
            }
            Self::Writable(path, mode) => write!(
                f,
                "other users may write {} (mode {:o})",
                path.display(),
                mode & 0o7777
            ),
            Self::TooManyLinks(path) => {
                write!(f, "{} goes through too many links", path.display())
            }
        }
    }
}

/// The running user.
pub fn me() -> u32 {
    // SAFETY: getuid cannot fail.
    unsafe { libc::getuid() }
}

/// Why another user could change what `path` names (following links, each checked where
/// it lies); `None` when no one but the running user and root can.
pub fn why_unsafe(path: &Path) -> Option<Unsafe> {
    let path = match std::path::absolute(path) {
        Ok(path) => path,
        Err(err) => return Some(Unsafe::Unreadable(path.to_path_buf(), err.to_string())),
    };
    let mut todo: VecDeque<OsString> = names(&path).collect();
    let mut at = PathBuf::from("/");
    let root = match examine(&at) {
        Ok(root) => root,
        Err(why) => return Some(why),
    };
    if let Some(why) = owner(&at, &root) {
        return Some(why);
    }
    let mut meta = root.clone();
    let mut links = 0;
    while let Some(name) = todo.pop_front() {
        if name == ".." {
            at.pop();
            meta = match examine(&at) {
                Ok(meta) => meta,
                Err(why) => return Some(why),
            };
            continue;
        }
        let next = at.join(&name);
        let entry = match examine(&next) {
            Ok(entry) => entry,
            Err(why) => return Some(why),
        };
        if let Some(why) = owner(&next, &entry).or_else(|| shared_folder(&at, &meta)) {
            return Some(why);
        }
        if entry.file_type().is_symlink() {
            links += 1;
            let target = match std::fs::read_link(&next) {
                Ok(target) if links <= 40 => target,
                Ok(_) => return Some(Unsafe::TooManyLinks(path)),
                Err(err) => return Some(Unsafe::Unreadable(next, err.to_string())),
            };
            if target.is_absolute() {
                at = PathBuf::from("/");
                meta = root.clone();
            }
            for name in names(&target).collect::<Vec<_>>().into_iter().rev() {
                todo.push_front(name);
            }
        } else {
            at = next;
            meta = entry;
        }
    }
    writable(&at, &meta)
}

/// Why another user could change `dir` or anything in it. A folder closed to other users
/// (mode 0o700) keeps them from everything inside, whatever its entries' modes, so only
/// `why_unsafe(dir)` is asked; an open one is walked once, and closed when every entry
/// passes (links are not followed: an entry is judged where it lies).
pub fn why_unsafe_tree(dir: &Path) -> Option<Unsafe> {
    if let Some(why) = why_unsafe(dir) {
        return Some(why);
    }
    let meta = std::fs::metadata(dir).ok()?;
    if meta.mode() & 0o077 == 0 {
        return None;
    }
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => return Some(Unsafe::Unreadable(dir.to_path_buf(), err.to_string())),
        };
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(err) => return Some(Unsafe::Unreadable(entry.into_path(), err.to_string())),
        };
        let why = match meta.file_type().is_symlink() {
            true => owner(entry.path(), &meta),
            false => owner(entry.path(), &meta).or_else(|| writable(entry.path(), &meta)),
        };
        if why.is_some() {
            return why;
        }
    }
    // Best effort: a folder left open is walked again next time.
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    None
}

/// Whether a file may be shared by a hard link with what zlig keeps: the running user's or
/// root's, and writable by no one else (a link shares the file's owner and mode).
pub fn may_link(meta: &std::fs::Metadata) -> bool {
    owner(Path::new(""), meta).is_none() && meta.mode() & 0o022 == 0
}

/// Creates `dir` and its missing parents, closed to other users whatever the umask.
pub fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Copies the file `from` (a link: what it points to) to `to`, private: 0o700 for a
/// program, else 0o600.
pub fn copy_private(from: &Path, to: &Path) -> std::io::Result<()> {
    let program = std::fs::metadata(from)?.mode() & 0o111 != 0;
    std::fs::copy(from, to)?;
    let mode = if program { 0o700 } else { 0o600 };
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(mode))
}

/// Makes everything below `dir` private (what a tool wrote there in modes of its own):
/// folders and programs 0o700, other files 0o600; links are left alone.
pub fn make_private_tree(dir: &Path) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.map_err(std::io::Error::other)?;
        let meta = entry.metadata().map_err(std::io::Error::other)?;
        let mode = match (meta.is_dir(), meta.mode() & 0o111 != 0) {
            _ if meta.file_type().is_symlink() => continue,
            (true, _) | (false, true) => 0o700,
            (false, false) => 0o600,
        };
        std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// The names of `path` after its root, `..` kept (links are resolved as they come).
fn names(path: &Path) -> impl Iterator<Item = OsString> + '_ {
    path.components().filter_map(|component| match component {
        Component::Normal(name) => Some(name.to_os_string()),
        Component::ParentDir => Some("..".into()),
        _ => None,
    })
}

/// The path's own metadata (a link's, not its target's).
fn examine(path: &Path) -> Result<std::fs::Metadata, Unsafe> {
    std::fs::symlink_metadata(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => {
            Unsafe::Missing(path.to_path_buf())
        }
        _ => Unsafe::Unreadable(path.to_path_buf(), err.to_string()),
    })
}

fn owner(path: &Path, meta: &std::fs::Metadata) -> Option<Unsafe> {
    (meta.uid() != me() && meta.uid() != 0).then(|| Unsafe::OtherOwner(path.into(), meta.uid()))
}

fn writable(path: &Path, meta: &std::fs::Metadata) -> Option<Unsafe> {
    (meta.mode() & 0o022 != 0).then(|| Unsafe::Writable(path.into(), meta.mode()))
}

/// Why the entries of `folder` could be replaced by another user: it is writable by
/// others and not a sticky folder of root's (where only an entry's owner, checked apart,
/// may rename or remove it).
fn shared_folder(folder: &Path, meta: &std::fs::Metadata) -> Option<Unsafe> {
    let sticky_root = meta.mode() & 0o1000 != 0 && meta.uid() == 0;
    writable(folder, meta).filter(|_| !sticky_root)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sets a mode: another test may run under umask 0 meanwhile, so none is left to it.
    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// A private folder of this test's own, below a folder whose chain is safe.
    fn private_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(why_unsafe(dir.path()), None, "the temp dir is unsafe here");
        dir
    }

    #[test]
    fn a_private_folder_below_the_sticky_temp_dir_is_safe() {
        let tmp = std::env::temp_dir();
        let meta = std::fs::metadata(&tmp).unwrap();
        // The rule's exception, on /tmp itself: sticky, root's, writable by all.
        if meta.mode() & 0o1777 == 0o1777 && meta.uid() == 0 {
            let dir = private_dir();
            let tool = dir.path().join("zig");
            std::fs::write(&tool, "").unwrap();
            chmod(&tool, 0o700);
            assert_eq!(why_unsafe(&tool), None);
            assert_eq!(
                why_unsafe(&tmp),
                Some(Unsafe::Writable(tmp.clone(), meta.mode()))
            );
        }
    }

    #[test]
    fn a_folder_or_file_others_may_write_is_unsafe_and_says_which() {
        let dir = private_dir();
        let shared = dir.path().join("shared");
        let tool = shared.join("ninja");
        std::fs::create_dir(&shared).unwrap();
        std::fs::write(&tool, "").unwrap();
        chmod(&shared, 0o755);
        chmod(&tool, 0o644);
        assert_eq!(why_unsafe(&tool), None);
        for mode in [0o777, 0o775, 0o757] {
            chmod(&shared, mode);
            assert_eq!(
                why_unsafe(&tool),
                Some(Unsafe::Writable(shared.clone(), 0o40000 | mode))
            );
        }
        // Sticky, but not root's: its owner could still replace the entries.
        chmod(&shared, 0o1777);
        if me() != 0 {
            assert!(why_unsafe(&tool).is_some());
        }
        chmod(&shared, 0o700);
        chmod(&tool, 0o666);
        assert_eq!(
            why_unsafe(&tool).unwrap().to_string(),
            format!("other users may write {} (mode 666)", tool.display())
        );
        assert_eq!(
            why_unsafe(&shared.join("gone")),
            Some(Unsafe::Missing(shared.join("gone")))
        );
    }

    #[test]
    fn another_users_folder_is_unsafe() {
        let dir = private_dir();
        let theirs = dir.path().join("theirs");
        std::fs::create_dir(&theirs).unwrap();
        // Giving a folder away needs root, which the end-to-end tests run as.
        if std::os::unix::fs::chown(&theirs, Some(65534), None).is_ok() {
            assert_eq!(
                why_unsafe(&theirs.join("x")),
                Some(Unsafe::OtherOwner(theirs.clone(), 65534))
            );
        }
    }

    #[test]
    fn links_are_judged_where_they_lie_and_where_they_lead() {
        let dir = private_dir();
        let shared = dir.path().join("shared");
        let private = dir.path().join("private");
        std::fs::create_dir(&shared).unwrap();
        std::fs::create_dir(&private).unwrap();
        std::fs::write(private.join("zig"), "").unwrap();
        std::fs::write(shared.join("zig"), "").unwrap();
        chmod(&private, 0o700);
        chmod(&private.join("zig"), 0o600);
        chmod(&shared, 0o777);
        // A link in a private folder to a file in a shared one.
        std::os::unix::fs::symlink("../shared/zig", private.join("to-shared")).unwrap();
        assert_eq!(
            why_unsafe(&private.join("to-shared")),
            Some(Unsafe::Writable(shared.clone(), 0o40777))
        );
        // A link in a shared folder to a private file: the link itself can be replaced.
        std::os::unix::fs::symlink(private.join("zig"), shared.join("to-private")).unwrap();
        assert!(why_unsafe(&shared.join("to-private")).is_some());
        // A link between private places.
        std::os::unix::fs::symlink("zig", private.join("alias")).unwrap();
        assert_eq!(why_unsafe(&private.join("alias")), None);
        std::os::unix::fs::symlink("loop", private.join("loop")).unwrap();
        assert!(matches!(
            why_unsafe(&private.join("loop")),
            Some(Unsafe::TooManyLinks(_))
        ));
    }

    #[test]
    fn an_open_tree_is_walked_once_then_closed() {
        let dir = private_dir();
        let tree = dir.path().join("zig-0.17.0");
        std::fs::create_dir_all(tree.join("lib/std")).unwrap();
        std::fs::write(tree.join("lib/std/std.zig"), "").unwrap();
        chmod(&tree.join("lib/std/std.zig"), 0o644);
        chmod(&tree.join("lib"), 0o755);
        chmod(&tree, 0o755);
        chmod(&tree.join("lib/std"), 0o777);
        assert_eq!(
            why_unsafe_tree(&tree),
            Some(Unsafe::Writable(tree.join("lib/std"), 0o40777))
        );
        chmod(&tree.join("lib/std"), 0o755);
        assert_eq!(why_unsafe_tree(&tree), None);
        let mode = std::fs::metadata(&tree).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o700, "closed");
        // Closed, its inside is out of other users' reach.
        chmod(&tree.join("lib/std"), 0o777);
        assert_eq!(why_unsafe_tree(&tree), None);
    }

    #[test]
    fn what_zlig_makes_is_private_whatever_the_umask() {
        let dir = private_dir();
        // SAFETY: umask only sets the process's file mode mask; the test puts it back.
        let old = unsafe { libc::umask(0) };
        let made = (|| -> std::io::Result<()> {
            create_private_dir_all(&dir.path().join("a/b"))?;
            std::fs::write(dir.path().join("tool"), "#!/bin/sh\n")?;
            std::fs::set_permissions(
                dir.path().join("tool"),
                std::fs::Permissions::from_mode(0o777),
            )?;
            copy_private(&dir.path().join("tool"), &dir.path().join("a/b/tool"))?;
            std::fs::write(dir.path().join("data"), "")?;
            copy_private(&dir.path().join("data"), &dir.path().join("a/data"))
        })();
        unsafe { libc::umask(old) };
        made.unwrap();
        let mode = |p: &str| std::fs::metadata(dir.path().join(p)).unwrap().mode() & 0o777;
        assert_eq!(
            [mode("a"), mode("a/b"), mode("a/b/tool"), mode("a/data")],
            [0o700, 0o700, 0o700, 0o600]
        );
    }
}
