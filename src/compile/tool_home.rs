//! A lasting home for tools that frontends install into temporary build environments.
//!
//! Frontends install `ziglang` and `ninja` into a new temporary environment for every
//! isolated build. Parts of zig's global cache (libc++, compiler_rt) are keyed on the path
//! of zig's `lib` folder, so each new path compiles libc++ again (60–100 s); and an editable
//! install must rebuild long after that environment is gone. zlig therefore runs such tools
//! from one copy per version in the user's cache, made once (hard links where the file
//! system allows, else a copy).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::compile::toolchain::{Ninja, Zig};

/// A path from an environment variable; unset and empty are alike.
pub(crate) fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The user's cache: `$XDG_CACHE_HOME`, else `~/.cache`. Only absolute paths count (the
/// XDG base directory specification calls a relative one invalid), so that a relative
/// `HOME` never puts a cache, and a 411 MB zig, inside the project.
pub(crate) fn user_cache() -> Option<PathBuf> {
    let absolute = |name| env_path(name).filter(|path| path.is_absolute());
    absolute("XDG_CACHE_HOME").or_else(|| absolute("HOME").map(|home| home.join(".cache")))
}

/// zig's global cache, as zlig hands it to every zig it runs: `ZIG_GLOBAL_CACHE_DIR` (made
/// absolute), else `zig` in the user's cache; `None` when there is no user cache.
pub fn zig_global_cache() -> Option<PathBuf> {
    match env_path("ZIG_GLOBAL_CACHE_DIR") {
        Some(dir) => std::path::absolute(&dir).ok(),
        None => user_cache().map(|cache| cache.join("zig")),
    }
}

/// zlig's folder in the user's cache.
pub(crate) fn cache_dir() -> Option<PathBuf> {
    user_cache().map(|cache| cache.join("zlig"))
}

/// The same zig, run from its lasting copy; the zig itself when no copy can be made.
pub fn settle_zig(zig: Zig) -> Zig {
    let Some(package) = zig.path.parent() else {
        return zig;
    };
    let size = std::fs::metadata(&zig.path).map_or(0, |m| m.len());
    let Some(home) = cache_dir().map(|dir| dir.join(format!("zig-{}-{size}", zig.version))) else {
        return zig;
    };
    if package == home {
        return zig;
    }
    let binary = home.join("zig");
    if !binary.is_file() {
        eprintln!(
            "zlig: keeping zig {} in {} (once), so that its caches outlive temporary build environments",
            zig.version,
            home.display()
        );
        if let Err(err) = copy_tree_atomically(package, &home, |_| true) {
            eprintln!(
                "zlig: warning: could not keep zig in {}: {err}; using it where it is",
                home.display()
            );
            return zig;
        }
    }
    Zig {
        path: binary,
        ..zig
    }
}

/// The same ninja, run from its lasting copy; the ninja itself when no copy can be made.
pub fn settle_ninja(ninja: Ninja) -> Ninja {
    let Some(cache) = cache_dir() else {
        return ninja;
    };
    let version: String = ninja
        .version
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let kept = cache.join(format!("ninja-{version}"));
    let copy = || -> std::io::Result<()> {
        std::fs::create_dir_all(&cache)?;
        let temp = tempfile::Builder::new()
            .prefix(".ninja-")
            .permissions(std::fs::Permissions::from_mode(0o755))
            .tempfile_in(&cache)?;
        std::fs::copy(&ninja.path, temp.path())?;
        temp.persist(&kept).map_err(|err| err.error)?;
        Ok(())
    };
    if ninja.path == kept || kept.is_file() || copy().is_ok() {
        Ninja {
            path: kept,
            ..ninja
        }
    } else {
        ninja
    }
}

/// Copies `from` to `to` through a temporary sibling and a rename, so that a concurrent
/// build never sees a half-copied tree; if another build got there first, its copy is used.
/// Files for which `link` says so are hard-linked where the file system allows.
pub(crate) fn copy_tree_atomically(
    from: &Path,
    to: &Path,
    link: impl Fn(&std::fs::Metadata) -> bool,
) -> std::io::Result<()> {
    let parent = to.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let temp = tempfile::Builder::new()
        .prefix(".zlig-")
        .tempdir_in(parent)?;
    for entry in walkdir::WalkDir::new(from).follow_links(false) {
        let entry = entry.map_err(std::io::Error::other)?;
        let relative = entry
            .path()
            .strip_prefix(from)
            .map_err(std::io::Error::other)?;
        let target = temp.path().join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
        } else if entry.file_type().is_file() {
            let linked = link(&entry.metadata().map_err(std::io::Error::other)?)
                && std::fs::hard_link(entry.path(), &target).is_ok();
            if !linked {
                std::fs::copy(entry.path(), &target)?;
            }
        }
    }
    rename_into_place(temp, to)
}

/// Renames a finished temporary folder to `to`; if another build got there first, its
/// folder stays and the temporary one is removed.
pub(crate) fn rename_into_place(temp: tempfile::TempDir, to: &Path) -> std::io::Result<()> {
    match std::fs::rename(temp.path(), to) {
        Ok(()) => {
            let _ = temp.keep();
            Ok(())
        }
        Err(_) if to.is_dir() => Ok(()),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_a_tree_once_and_keeps_the_first_copy() {
        let from = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("lib/std")).unwrap();
        std::fs::write(from.path().join("zig"), "binary").unwrap();
        std::fs::write(from.path().join("lib/std/std.zig"), "std").unwrap();
        let cache = tempfile::tempdir().unwrap();
        let to = cache.path().join("zig-0.17.0-6");
        copy_tree_atomically(from.path(), &to, |m| m.len() > 3).unwrap();
        assert_eq!(
            std::fs::read_to_string(to.join("lib/std/std.zig")).unwrap(),
            "std"
        );
        let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
        assert_eq!(
            inode(&to.join("zig")),
            inode(&from.path().join("zig")),
            "linked"
        );
        assert_ne!(
            inode(&to.join("lib/std/std.zig")),
            inode(&from.path().join("lib/std/std.zig")),
            "copied"
        );
        std::fs::remove_file(from.path().join("zig")).unwrap();
        std::fs::write(from.path().join("zig"), "changed").unwrap();
        copy_tree_atomically(from.path(), &to, |_| true).unwrap();
        assert_eq!(std::fs::read_to_string(to.join("zig")).unwrap(), "binary");
        assert_eq!(
            std::fs::read_dir(cache.path()).unwrap().count(),
            1,
            "no temporary folder left"
        );
    }
}
