//! A lasting home for tools that frontends install into temporary build environments.
//!
//! Frontends install `ziglang` and `ninja` into a new temporary environment for every
//! isolated build. Parts of zig's global cache (libc++, compiler_rt) are keyed on the path
//! of zig's `lib` folder, so each new path compiles libc++ again (60–100 s); and an editable
//! install must rebuild long after that environment is gone. zlig therefore runs such tools
//! from one copy per version in the user's cache, made once (hard links where the file
//! system allows, else a copy). Cython, a Python package, is kept the same way
//! (`compile::cython`).

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::compile::cython::Installed;
use crate::compile::toolchain::{Ninja, Zig};
use crate::project::text::check_text;

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

/// zlig's folder in the user's cache, to read or list; none when its path is not UTF-8 or
/// holds a control character, since the tools kept there are named in build files
/// (`project::text`).
pub(crate) fn cache_dir() -> Option<PathBuf> {
    user_cache()
        .map(|cache| cache.join("zlig"))
        .filter(|dir| dir.to_str().is_some_and(|text| check_text(text).is_ok()))
}

/// zlig's folder in the user's cache, to write into: `None` when it cannot be written
/// (read-only, full, not ours), checked once per process by writing a file there and said
/// once, so that such a cache never fails a build: zlig then keeps no tool, caches no
/// object and remembers no answer.
pub(crate) fn writable_cache_dir() -> Option<PathBuf> {
    static CHECKED: OnceLock<Option<PathBuf>> = OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let dir = cache_dir()?;
            match try_writing(&dir) {
                Ok(()) => Some(dir),
                Err(err) => {
                    eprintln!(
                        "zlig: warning: zlig's cache {} cannot be written ({err}); building without it: no tool is kept and no compiled object is cached for later builds",
                        dir.display()
                    );
                    None
                }
            }
        })
        .clone()
}

/// Creates `dir` and writes (then removes) a page-sized file in it.
fn try_writing(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::Builder::new().prefix(".zlig-").tempfile_in(dir)?;
    file.write_all(&[0; 4096])?;
    file.flush()
}

/// The kept copies of a tool in `cache` (`<name>-<version>…` entries), newest version
/// first, each with its version.
pub fn kept(cache: &Path, name: &str) -> Vec<(String, PathBuf)> {
    let prefix = format!("{name}-");
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(cache)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let file = entry.file_name().into_string().ok()?;
            let rest = file.strip_prefix(&prefix)?;
            let version = rest.split('-').next()?.to_string();
            version
                .starts_with(|c: char| c.is_ascii_digit())
                .then(|| (version, entry.path()))
        })
        .collect();
    found.sort_by_key(|(version, _)| std::cmp::Reverse(version_key(version)));
    found
}

/// A version's numeric parts, for ordering: `0.17.10` after `0.17.9`.
fn version_key(version: &str) -> Vec<u64> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|part| part.parse().ok())
        .collect()
}

/// The same zig, run from its lasting copy; the zig itself when no copy can be made. A
/// damaged copy is replaced.
pub fn settle_zig(zig: Zig) -> Zig {
    let Some(package) = zig.path.parent() else {
        return zig;
    };
    let size = std::fs::metadata(&zig.path).map_or(0, |m| m.len());
    let name = format!("zig-{}-{size}", version_name(&zig.version));
    let Some(home) = writable_cache_dir().map(|dir| dir.join(name)) else {
        return zig;
    };
    if package == home {
        return zig;
    }
    let binary = home.join("zig");
    let whole =
        std::fs::metadata(&binary).is_ok_and(|m| m.len() == size) && zig_damage(&home).is_none();
    if !whole {
        eprintln!(
            "zlig: keeping zig {} in {} (once), so that its caches outlive temporary build environments",
            zig.version,
            home.display()
        );
        let kept =
            remove_aside(&home).and_then(|()| copy_tree_atomically(package, &home, |_| true));
        if let Err(err) = kept {
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

/// What is missing from a kept zig, which was copied whole and so should have it all.
pub fn zig_damage(dir: &Path) -> Option<&'static str> {
    ["lib/std/std.zig", "lib/compiler_rt.zig"]
        .into_iter()
        .find(|file| !dir.join(file).is_file())
}

/// Removes `path` (a folder or file), first renamed aside so that no build starting
/// meanwhile sees half of it; nothing there is fine.
fn remove_aside(path: &Path) -> std::io::Result<()> {
    let aside = path.with_file_name(format!(
        ".removing-{}-{}",
        std::process::id(),
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    match std::fs::rename(path, &aside) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        result => result?,
    }
    match std::fs::symlink_metadata(&aside)?.is_dir() {
        true => std::fs::remove_dir_all(&aside),
        false => std::fs::remove_file(&aside),
    }
}

/// One thing zlig keeps in its user cache, for `zlig cache`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub path: PathBuf,
    /// What it is: `zig 0.17.0`, `ninja 1.13.1`, `zig's configure step`, `tool answers`…
    pub what: String,
    pub bytes: u64,
}

/// What zlig keeps in its user cache, largest first.
pub fn kept_everything() -> Vec<Kept> {
    let Some(cache) = cache_dir() else {
        return Vec::new();
    };
    let mut found: Vec<Kept> = std::fs::read_dir(&cache)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let what = match name.split_once('-') {
                _ if name == "probes" => "tool version answers".to_string(),
                _ if name == "python-headers" => "Python headers for cross targets".to_string(),
                _ if name == "data-models" => "targets' data models, derived with zig".to_string(),
                _ if name == "durations.json" => "how long slow build steps took".to_string(),
                Some(("zig", rest)) if rest.starts_with("configure-") => {
                    format!("zig's configure step for {}", &rest["configure-".len()..])
                }
                Some((tool, rest)) => format!("{tool} {}", rest.split('-').next().unwrap_or(rest)),
                None => name.clone(),
            };
            Kept {
                bytes: disk_usage(&entry.path()),
                path: entry.path(),
                what,
            }
        })
        .collect();
    found.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.path.cmp(&b.path)));
    found
}

/// Removes everything zlig keeps in its user cache; returns what was removed. Each entry is
/// renamed aside first, so that a build starting meanwhile never sees half of it.
pub fn clear() -> std::io::Result<Vec<Kept>> {
    let kept = kept_everything();
    for entry in &kept {
        remove_aside(&entry.path)?;
    }
    Ok(kept)
}

/// The bytes the files under `path` take, links not followed.
fn disk_usage(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.metadata().ok())
        .filter(|meta| meta.is_file())
        .map(|meta| meta.len())
        .sum()
}

/// A version as it appears in a kept copy's name: letters, digits and dots.
pub fn version_name(version: &str) -> String {
    version
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect()
}

/// The same ninja, run from its lasting copy; the ninja itself when no copy can be made.
pub fn settle_ninja(ninja: Ninja) -> Ninja {
    let Some(cache) = writable_cache_dir() else {
        return ninja;
    };
    let kept = cache.join(format!("ninja-{}", version_name(&ninja.version)));
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
    copy_tree(from, temp.path(), &link, |_| false)?;
    rename_into_place(temp, to)
}

/// Copies the tree `from` into the folder `to`, leaving out the entries `skip` names.
fn copy_tree(
    from: &Path,
    to: &Path,
    link: &impl Fn(&std::fs::Metadata) -> bool,
    skip: impl Fn(&std::ffi::OsStr) -> bool,
) -> std::io::Result<()> {
    let walk = walkdir::WalkDir::new(from)
        .follow_links(false)
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !skip(entry.file_name()));
    for entry in walk {
        let entry = entry.map_err(std::io::Error::other)?;
        let relative = entry
            .path()
            .strip_prefix(from)
            .map_err(std::io::Error::other)?;
        let target = to.join(relative);
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
    Ok(())
}

/// The same Cython, run from its lasting copy in the user's cache (`cython-<version>-<hash
/// of its file list>`, so that installs for different interpreters, whose compiled modules
/// differ, get copies of their own); the installation itself when no copy can be made.
pub fn settle_cython(found: &Installed) -> Installed {
    let Some(cache) = writable_cache_dir() else {
        return found.clone();
    };
    if found.folder.starts_with(&cache) {
        return found.clone();
    }
    let Ok(listing) = listing_hash(&found.folder.join("Cython")) else {
        return found.clone();
    };
    let home = cache.join(format!("cython-{}-{listing}", found.version));
    if !home.join("cython.py").is_file() {
        eprintln!(
            "zlig: keeping Cython {} in {} (once), so that editable installs translate after the build environment is gone",
            found.version,
            home.display()
        );
        let copy = || -> std::io::Result<()> {
            std::fs::create_dir_all(&cache)?;
            let temp = tempfile::Builder::new()
                .prefix(".zlig-")
                .tempdir_in(&cache)?;
            let skip = |name: &std::ffi::OsStr| name == "__pycache__";
            copy_tree(
                &found.folder.join("Cython"),
                &temp.path().join("Cython"),
                &|_| true,
                skip,
            )?;
            std::fs::copy(
                found.folder.join("cython.py"),
                temp.path().join("cython.py"),
            )?;
            rename_into_place(temp, &home)
        };
        if let Err(err) = copy() {
            eprintln!(
                "zlig: warning: could not keep Cython in {}: {err}; using it where it is",
                home.display()
            );
            return found.clone();
        }
    }
    Installed {
        folder: home,
        version: found.version.clone(),
    }
}

/// The Cython copies kept in the user's cache.
pub fn kept_cythons() -> Vec<PathBuf> {
    let Some(entries) = cache_dir().and_then(|dir| std::fs::read_dir(dir).ok()) else {
        return Vec::new();
    };
    let mut kept: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("cython-"))
        .map(|e| e.path())
        .collect();
    kept.sort();
    kept
}

/// Whether `folder` is one of the tools zlig keeps in the user's cache.
pub fn is_kept(folder: &Path) -> bool {
    cache_dir().is_some_and(|cache| folder.starts_with(cache))
}

/// Writes `bytes` to `path` through a temporary sibling, so a concurrent reader never reads
/// half.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temp, bytes)?;
    temp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

/// A short hash of the names and sizes of the files below `dir` (not their bytes: this runs
/// on every build), bytecode caches left out.
fn listing_hash(dir: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let walk = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.file_name() != "__pycache__");
    for entry in walk {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_file() {
            let size = entry.metadata().map_err(std::io::Error::other)?.len();
            let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            hash.update(relative.as_os_str().as_encoded_bytes());
            hash.update(size.to_le_bytes());
        }
    }
    Ok(hash.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
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
