//! A lasting home for tools that frontends install into temporary build environments.
//!
//! Frontends install `ziglang` and `ninja` into a new temporary environment for every
//! isolated build. Parts of zig's global cache (libc++, compiler_rt) are keyed on the path
//! of zig's `lib` folder, so each new path compiles libc++ again (60–100 s); and an editable
//! install must rebuild long after that environment is gone. zlig therefore runs such tools
//! from one copy per version in the user's cache, made once (hard links where the file
//! system allows, else a copy). Cython, a Python package, is kept the same way
//! (`compile::cython`).
//!
//! This module also says where caches live. The user cache is used only when no other user
//! could have changed it (`trust`), judged once per process and said once; each kept thing
//! is judged again, and verified, when it is used (a copy that fails is replaced, never
//! run), and whatever zlig writes there is private. Builds hold the cache while they run,
//! so that `zlig cache --clear` never removes a tool from under one.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::compile::cython::Installed;
use crate::compile::probes::first_line;
use crate::compile::toolchain::{Ninja, Problem, Zig};
use crate::leftovers::{self, Folder};
use crate::project::text::check_text;
use crate::trust;

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
/// absolute: the user's choice), else `zig` in the user's cache, made private if missing;
/// when that folder is not safe to use (`trust`), a private folder in the temporary dir,
/// said once. `None` when there is no user cache.
pub fn zig_global_cache() -> Option<PathBuf> {
    if let Some(dir) = env_path("ZIG_GLOBAL_CACHE_DIR") {
        return std::path::absolute(&dir).ok();
    }
    static PLACED: OnceLock<Option<PathBuf>> = OnceLock::new();
    PLACED
        .get_or_init(|| {
            user_cache()?;
            let Some(root) = usable_user_cache() else {
                // Said with the user cache's refusal.
                return settle_folder(&private_zig_cache())
                    .ok()
                    .map(|()| private_zig_cache());
            };
            let dir = root.join("zig");
            let Err(why) = settle_folder(&dir) else {
                return Some(dir);
            };
            let fallback = private_zig_cache();
            let placed = settle_folder(&fallback);
            eprintln!(
                "zlig: warning: zig's cache {} is not safe to use ({why}); {}",
                dir.display(),
                match &placed {
                    Ok(()) => format!("zig uses {} instead", fallback.display()),
                    Err(also) => format!("nor is {} ({also})", fallback.display()),
                }
            );
            placed.ok().map(|()| fallback)
        })
        .clone()
}

/// Where zig's cache goes when the user cache is not safe: a folder of the user's own in
/// the temporary dir, lasting between builds.
fn private_zig_cache() -> PathBuf {
    std::env::temp_dir()
        .join(format!("zlig-{}", trust::me()))
        .join("zig")
}

/// The user's cache folder, if it may be used: a folder (made private if missing) that no
/// other user can change. Decided once per process; a refusal is said once, for zlig's
/// cache and zig's together.
fn usable_user_cache() -> Option<&'static Path> {
    static ROOT: OnceLock<Option<PathBuf>> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = user_cache()?;
        let why = match settle_folder(&root) {
            Ok(()) => return Some(root),
            Err(why) => why,
        };
        let zig = match env_path("ZIG_GLOBAL_CACHE_DIR") {
            Some(_) => String::new(),
            None => format!(
                " (zig's cache goes to {})",
                private_zig_cache().display()
            ),
        };
        eprintln!(
            "zlig: warning: the user cache {} cannot be used ({why}); building without zlig's cache: no tool is kept and no compiled object is cached for later builds{zig}",
            root.display()
        );
        None
    })
    .as_deref()
}

/// zlig's folder in the user's cache, as found: to list or clear; none when its path is
/// not UTF-8 or holds a control character, since the tools kept there are named in build
/// files (`project::text`).
pub(crate) fn cache_dir() -> Option<PathBuf> {
    user_cache()
        .map(|cache| cache.join("zlig"))
        .filter(|dir| dir.to_str().is_some_and(|text| check_text(text).is_ok()))
}

/// zlig's folder in the user's cache, to read what it keeps: `None` when it is not safe to
/// use (`trust`: another user could have put something there), or not a folder. Decided
/// once per process and said once, so that such a cache never fails a build: zlig then
/// builds without it. While a hook runs, its use holds the cache (`CacheUse`).
pub(crate) fn trusted_cache_dir() -> Option<PathBuf> {
    let dir = verdict().dir.clone()?;
    hold(&dir);
    Some(dir)
}

/// zlig's folder in the user's cache, to write into: the trusted one, when a write there
/// succeeded (checked once per process, said once otherwise: a read-only or full cache
/// keeps no tool, caches no object and remembers no answer).
pub(crate) fn writable_cache_dir() -> Option<PathBuf> {
    trusted_cache_dir().filter(|_| verdict().writable)
}

/// zlig's folder in the user cache as this process uses it.
struct Verdict {
    /// The folder, when it is safe to read.
    dir: Option<PathBuf>,
    /// Whether it may be written.
    writable: bool,
}

/// Looks at zlig's folder once: made if missing (private), judged by `trust`, cleared of
/// what stopped writers left, tried with a write. Says what it refuses.
fn verdict() -> &'static Verdict {
    static VERDICT: OnceLock<Verdict> = OnceLock::new();
    VERDICT.get_or_init(|| {
        let refused = Verdict {
            dir: None,
            writable: false,
        };
        let Some(dir) = usable_user_cache().and(cache_dir()) else {
            return refused;
        };
        let without = "building without it: no tool is kept and no compiled object is cached for later builds";
        match settle_folder(&dir) {
            Ok(()) => {}
            Err(Refusal::Unwritable(err)) => {
                eprintln!(
                    "zlig: warning: zlig's cache {} cannot be written ({err}); {without}",
                    dir.display()
                );
                return refused;
            }
            Err(why) => {
                eprintln!(
                    "zlig: warning: zlig's cache {} is not safe to use ({why}); {without}, and nothing kept there is run",
                    dir.display()
                );
                return refused;
            }
        }
        leftovers::remove(&dir, Folder::Cache);
        let writable = match try_writing(&dir) {
            Ok(()) => true,
            Err(err) => {
                eprintln!(
                    "zlig: warning: zlig's cache {} cannot be written ({err}); {without}",
                    dir.display()
                );
                false
            }
        };
        Verdict {
            dir: Some(dir),
            writable,
        }
    })
}

/// Why a folder of the user cache is not used.
#[derive(Debug)]
enum Refusal {
    /// It, or a folder above it, is a file.
    NotAFolder(PathBuf),
    /// Another user could change it (`trust`).
    Unsafe(trust::Unsafe),
    /// It is missing and cannot be made.
    Unwritable(std::io::Error),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAFolder(path) => match user_cache_origin(path) {
                Some(name) => write!(f, "{name} names {}, a file, not a folder", path.display()),
                None => write!(f, "{} is a file, not a folder", path.display()),
            },
            Self::Unsafe(why) => why.fmt(f),
            Self::Unwritable(err) => write!(f, "it cannot be made: {err}"),
        }
    }
}

/// The variable that names `path` as the user cache, if one does.
fn user_cache_origin(path: &Path) -> Option<&'static str> {
    match env_path("XDG_CACHE_HOME") {
        Some(xdg) if xdg == path => Some("XDG_CACHE_HOME"),
        _ => None,
    }
}

/// Makes `dir` ready for use: a folder (made private if missing, with its missing
/// parents) that no other user can change.
fn settle_folder(dir: &Path) -> Result<(), Refusal> {
    let existing = dir
        .ancestors()
        .find(|path| std::fs::symlink_metadata(path).is_ok())
        .unwrap_or(Path::new("/"));
    if !existing.is_dir() {
        return Err(Refusal::NotAFolder(existing.to_path_buf()));
    }
    if existing != dir {
        trust::create_private_dir_all(dir).map_err(Refusal::Unwritable)?;
    }
    trust::why_unsafe(dir).map_or(Ok(()), |why| Err(Refusal::Unsafe(why)))
}

/// The hold this process has on zlig's cache while a hook runs: a shared lock on the folder
/// itself, which `clear` takes whole.
static HELD: Mutex<Option<std::fs::File>> = Mutex::new(None);

/// Holds zlig's cache `dir` for this process, unless it does already: `clear` waits for no
/// build, it refuses while one holds the cache.
fn hold(dir: &Path) {
    let mut held = HELD.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if held.is_some() {
        return;
    }
    // Best effort: a cache that cannot be held is one that cannot be cleared either.
    if let Ok(folder) = std::fs::File::open(dir)
        && folder.lock_shared().is_ok()
    {
        *held = Some(folder);
    }
}

/// A hook's use of zlig's cache: what it holds is let go when this is dropped, so that
/// `zlig cache --clear` can run between builds of one process.
pub struct CacheUse(());

impl CacheUse {
    /// The start of a hook.
    pub fn begin() -> Self {
        Self(())
    }
}

impl Drop for CacheUse {
    fn drop(&mut self) {
        HELD.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
    }
}

/// Creates `dir` and writes (then removes) a page-sized file in it.
fn try_writing(dir: &Path) -> std::io::Result<()> {
    let mut file = tempfile::Builder::new()
        .prefix(&leftovers::temp_prefix())
        .tempfile_in(dir)?;
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
/// copy that is damaged, or that another user could have changed, is replaced.
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
    if let Some(why) = kept_problem("zig", &home) {
        match home.exists() {
            true => eprintln!("zlig: replacing the zig kept in {} ({why})", home.display()),
            false => eprintln!(
                "zlig: keeping zig {} in {} (once), so that its caches outlive temporary build environments",
                zig.version,
                home.display()
            ),
        }
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
        path: home.join("zig"),
        ..zig
    }
}

/// Why the copy of `tool` kept at `path` may not be used: another user could have changed
/// it (`trust`), or it is damaged. A zig (a folder `zig-<version>-<size>`, copied whole)
/// must have its binary at that size and the library files it always needs; a ninja is
/// one file. (The caller compares the version answer, which asks the tool.)
pub fn kept_problem(tool: &str, path: &Path) -> Option<Problem> {
    if tool != "zig" {
        return trust::why_unsafe(path).map(Problem::Unsafe);
    }
    let binary = path.join("zig");
    // The binary may be a hard link: its own mode counts, not only the folder's.
    if let Some(why) = trust::why_unsafe_tree(path).or_else(|| trust::why_unsafe(&binary)) {
        return Some(Problem::Unsafe(why));
    }
    let named = path
        .to_string_lossy()
        .rsplit('-')
        .next()?
        .parse::<u64>()
        .ok();
    let size = std::fs::metadata(&binary).map_or(0, |m| m.len());
    if named != Some(size) {
        return Some(Problem::Damaged(format!(
            "zig is {size} bytes, not the {} it was kept with",
            named.unwrap_or_default()
        )));
    }
    ["lib/std/std.zig", "lib/compiler_rt.zig"]
        .into_iter()
        .find(|file| !path.join(file).is_file())
        .map(|file| Problem::Damaged(format!("`{file}` is missing")))
}

/// Removes `path` (a folder or file), first renamed aside so that no build starting
/// meanwhile sees half of it; nothing there is fine.
pub(crate) fn remove_aside(path: &Path) -> std::io::Result<()> {
    let aside = path.with_file_name(format!(
        "{}removing-{}",
        leftovers::temp_prefix(),
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
                _ if name.starts_with('.') => "a temporary file of a build".to_string(),
                Some(("zig", rest)) if rest.starts_with("configure-") => {
                    format!("zig's configure step for {}", &rest["configure-".len()..])
                }
                Some((tool, rest)) => format!("{tool} {}", rest.split('-').next().unwrap_or(rest)),
                None => name.clone(),
            };
            Kept {
                bytes: leftovers::size(&entry.path()),
                path: entry.path(),
                what,
            }
        })
        .collect();
    found.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.path.cmp(&b.path)));
    found
}

/// Removes everything zlig keeps in its user cache; returns what was removed. Refused,
/// with nothing removed, while a build holds the cache (`hold`): removing a tool
/// or the object cache's launcher under a running build would fail it. Each entry is
/// renamed aside first, so that a build starting meanwhile never sees half of it.
pub fn clear() -> std::io::Result<Vec<Kept>> {
    let Some(cache) = cache_dir().filter(|dir| dir.is_dir()) else {
        return Ok(Vec::new());
    };
    let folder = std::fs::File::open(&cache)?;
    if let Err(std::fs::TryLockError::WouldBlock) = folder.try_lock() {
        return Err(std::io::Error::other(
            "a build is using it right now, so nothing was removed; run `zlig cache --clear` again once the build is done",
        ));
    }
    let kept = kept_everything();
    for entry in &kept {
        remove_aside(&entry.path)?;
    }
    Ok(kept)
}

/// A version as it appears in a kept copy's name: letters, digits and dots.
pub fn version_name(version: &str) -> String {
    version
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect()
}

/// The same ninja, run from its lasting copy; the ninja itself when no copy can be made. A
/// copy that is not the same size and version, or that another user could have changed,
/// is replaced.
pub fn settle_ninja(ninja: Ninja) -> Ninja {
    let Some(cache) = writable_cache_dir() else {
        return ninja;
    };
    let kept = cache.join(format!("ninja-{}", version_name(&ninja.version)));
    if ninja.path == kept {
        return ninja;
    }
    let size = |path: &Path| std::fs::metadata(path).map(|m| m.len()).ok();
    let whole = || {
        kept_problem("ninja", &kept).is_none()
            && size(&kept) == size(&ninja.path)
            && first_line(&kept, "--version").is_ok_and(|answer| answer == ninja.version)
    };
    let copy = || -> std::io::Result<()> {
        let temp = tempfile::Builder::new()
            .prefix(&leftovers::temp_prefix())
            .tempfile_in(&cache)?;
        trust::copy_private(&ninja.path, temp.path())?;
        temp.persist(&kept).map_err(|err| err.error)?;
        Ok(())
    };
    if whole() || copy().is_ok() {
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
/// Files for which `link` says so are hard-linked where the file system allows and `trust`
/// lets them be shared; the others are copied private. A link is copied as what it points
/// to.
pub(crate) fn copy_tree_atomically(
    from: &Path,
    to: &Path,
    link: impl Fn(&std::fs::Metadata) -> bool,
) -> std::io::Result<()> {
    let parent = to.parent().unwrap_or(Path::new("."));
    trust::create_private_dir_all(parent)?;
    let temp = private_temp_dir(parent)?;
    copy_tree(from, temp.path(), &link, |_| false)?;
    rename_into_place(temp, to)
}

/// Copies the tree `from` into the folder `to` (links followed), leaving out the entries
/// `skip` names.
fn copy_tree(
    from: &Path,
    to: &Path,
    link: &impl Fn(&std::fs::Metadata) -> bool,
    skip: impl Fn(&std::ffi::OsStr) -> bool,
) -> std::io::Result<()> {
    let walk = walkdir::WalkDir::new(from)
        .follow_links(true)
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
            trust::create_private_dir_all(&target)?;
        } else if entry.file_type().is_file() {
            let meta = entry.metadata().map_err(std::io::Error::other)?;
            // A hard link to a link would link the link itself.
            let linked = !entry.path_is_symlink()
                && link(&meta)
                && trust::may_link(&meta)
                && std::fs::hard_link(entry.path(), &target).is_ok();
            if !linked {
                trust::copy_private(entry.path(), &target)?;
            }
        }
    }
    Ok(())
}

/// The same Cython, run from its lasting copy in the user's cache (`cython-<version>-<hash
/// of its file list>`, so that installs for different interpreters, whose compiled modules
/// differ, get copies of their own); the installation itself when no copy can be made. A
/// copy that is damaged, or that another user could have changed, is replaced.
pub fn settle_cython(found: &Installed) -> Installed {
    let Some(cache) = writable_cache_dir() else {
        return found.clone();
    };
    if found.folder.starts_with(&cache) {
        return found.clone();
    }
    let Ok(listing) = listing_hash(&found.folder.join("Cython"), true) else {
        return found.clone();
    };
    let home = cache.join(format!("cython-{}-{listing}", found.version));
    if let Some(why) = cython_problem(&home) {
        match home.exists() {
            true => eprintln!(
                "zlig: replacing the Cython kept in {} ({why})",
                home.display()
            ),
            false => eprintln!(
                "zlig: keeping Cython {} in {} (once), so that editable installs translate after the build environment is gone",
                found.version,
                home.display()
            ),
        }
        let copy = || -> std::io::Result<()> {
            let temp = private_temp_dir(&cache)?;
            let skip = |name: &std::ffi::OsStr| name == "__pycache__";
            copy_tree(
                &found.folder.join("Cython"),
                &temp.path().join("Cython"),
                &|_| true,
                skip,
            )?;
            trust::copy_private(
                &found.folder.join("cython.py"),
                &temp.path().join("cython.py"),
            )?;
            remove_aside(&home)?;
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

/// Why the Cython kept in `home` may not be used: another user could have changed it, or
/// its files (no links among them) are not those its name's hash was made of.
fn cython_problem(home: &Path) -> Option<String> {
    if let Some(why) = trust::why_unsafe_tree(home) {
        return Some(why.to_string());
    }
    let named = home
        .file_name()?
        .to_string_lossy()
        .rsplit('-')
        .next()?
        .to_string();
    let script = std::fs::symlink_metadata(home.join("cython.py"));
    match listing_hash(&home.join("Cython"), false) {
        Ok(listing) if listing == named && script.is_ok_and(|m| m.is_file()) => None,
        Ok(_) => Some("files are missing or changed".into()),
        Err(err) => Some(err.to_string()),
    }
}

/// The whole Cython copies kept in the user's cache that no other user could have changed.
pub fn kept_cythons() -> Vec<PathBuf> {
    let Some(entries) = trusted_cache_dir().and_then(|dir| std::fs::read_dir(dir).ok()) else {
        return Vec::new();
    };
    let mut kept: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("cython-"))
        .map(|e| e.path())
        .filter(|home| cython_problem(home).is_none())
        .collect();
    kept.sort();
    kept
}

/// Whether `folder` is one of the tools zlig keeps in the user's cache.
pub fn is_kept(folder: &Path) -> bool {
    trusted_cache_dir().is_some_and(|cache| folder.starts_with(cache))
}

/// Writes `bytes` to `path`, private, through a temporary sibling, so a concurrent reader
/// never reads half; makes the folder (private) if needed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    trust::create_private_dir_all(dir)?;
    let mut temp = tempfile::Builder::new()
        .prefix(&leftovers::temp_prefix())
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

/// A short hash of the names and sizes of the files below `dir` (not their bytes: this runs
/// on every build), bytecode caches left out. A link counts as the file it points to with
/// `follow`, and is an error without it (a kept copy has none).
pub(crate) fn listing_hash(dir: &Path, follow: bool) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(follow)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.file_name() != "__pycache__");
    for entry in walk {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.path_is_symlink() && !follow {
            return Err(std::io::Error::other(format!(
                "{} is a link",
                entry.path().display()
            )));
        }
        if entry.file_type().is_file() {
            let size = entry.metadata().map_err(std::io::Error::other)?.len();
            let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            hash.update(relative.as_os_str().as_encoded_bytes());
            hash.update(size.to_le_bytes());
        }
    }
    Ok(short_hex(&hash.finalize()[..6]))
}

/// A short hash of every file's path and bytes below `dir`, walked in name order, a link
/// counting as what it points to.
pub(crate) fn content_hash(dir: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(std::io::Error::other)?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let bytes = std::fs::read(entry.path())?;
        hash.update(relative.as_os_str().as_encoded_bytes());
        hash.update([0]);
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    Ok(short_hex(&hash.finalize()[..8]))
}

/// Bytes as lowercase hex.
fn short_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new temporary folder in `parent`, named for this process and closed to other users
/// (tempfile makes folders as the umask says).
pub(crate) fn private_temp_dir(parent: &Path) -> std::io::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(&leftovers::temp_prefix())
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir_in(parent)
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
    use std::os::unix::fs::MetadataExt;

    /// A kept zig as `copy_tree_atomically` makes it: `zig-0.17.0-<size>`, closed.
    fn kept_zig(cache: &Path) -> PathBuf {
        let from = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("lib/std")).unwrap();
        std::fs::write(from.path().join("zig"), "#!/bin/sh\n").unwrap();
        std::fs::write(from.path().join("lib/std/std.zig"), "").unwrap();
        std::fs::write(from.path().join("lib/compiler_rt.zig"), "").unwrap();
        let to = cache.join("zig-0.17.0-10");
        copy_tree_atomically(from.path(), &to, |_| false).unwrap();
        to
    }

    #[test]
    fn a_cache_folder_is_made_private_and_refused_when_a_file_or_shared() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache/zig");
        settle_folder(&cache).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o777;
        assert_eq!(
            (mode(&cache), mode(cache.parent().unwrap())),
            (0o700, 0o700)
        );
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        let refused = settle_folder(&file.join("zig")).unwrap_err();
        assert_eq!(
            refused.to_string(),
            format!("{} is a file, not a folder", file.display())
        );
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o770)).unwrap();
        assert_eq!(
            settle_folder(&cache).unwrap_err().to_string(),
            format!("other users may write {} (mode 770)", cache.display())
        );
    }

    #[test]
    fn a_kept_zig_that_is_truncated_incomplete_or_open_to_others_is_not_used() {
        let cache = tempfile::tempdir().unwrap();
        let zig = kept_zig(cache.path());
        assert!(kept_problem("zig", &zig).is_none());
        std::fs::write(zig.join("zig"), "#!").unwrap();
        let why = kept_problem("zig", &zig).unwrap().to_string();
        assert_eq!(why, "damaged: zig is 2 bytes, not the 10 it was kept with");
        std::fs::write(zig.join("zig"), "#!/bin/sh\n").unwrap();
        std::fs::remove_file(zig.join("lib/compiler_rt.zig")).unwrap();
        let why = kept_problem("zig", &zig).unwrap().to_string();
        assert_eq!(why, "damaged: `lib/compiler_rt.zig` is missing");
        std::fs::write(zig.join("lib/compiler_rt.zig"), "").unwrap();
        std::fs::set_permissions(&zig, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(matches!(
            kept_problem("zig", &zig),
            Some(Problem::Unsafe(trust::Unsafe::Writable(..)))
        ));
    }

    #[test]
    fn a_kept_cython_with_a_file_missing_or_a_link_is_not_used() {
        let env = tempfile::tempdir().unwrap();
        let installed = env.path().join("site");
        std::fs::create_dir_all(installed.join("Cython/Utility")).unwrap();
        std::fs::write(installed.join("cython.py"), "").unwrap();
        std::fs::write(installed.join("Cython/Shadow.py"), "").unwrap();
        // Links in the installation are copied as what they point to.
        std::fs::write(env.path().join("Code.c"), "code").unwrap();
        std::os::unix::fs::symlink(
            env.path().join("Code.c"),
            installed.join("Cython/Utility/Code.c"),
        )
        .unwrap();
        let listing = listing_hash(&installed.join("Cython"), true).unwrap();
        let cache = tempfile::tempdir().unwrap();
        let home = cache.path().join(format!("cython-3.1.0-{listing}"));
        copy_tree_atomically(&installed, &home, |_| false).unwrap();
        let code = home.join("Cython/Utility/Code.c");
        assert!(!code.is_symlink() && std::fs::read_to_string(&code).unwrap() == "code");
        assert_eq!(cython_problem(&home), None);
        std::fs::remove_file(&code).unwrap();
        assert_eq!(
            cython_problem(&home).unwrap(),
            "files are missing or changed"
        );
        std::os::unix::fs::symlink(env.path().join("Code.c"), &code).unwrap();
        assert!(cython_problem(&home).unwrap().ends_with("is a link"));
    }

    #[test]
    fn what_zlig_keeps_is_private_under_umask_0_and_links_only_private_files() {
        let from = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("lib")).unwrap();
        for (name, mode) in [
            ("zig", 0o777),
            ("lib/shared.zig", 0o666),
            ("lib/std.zig", 0o644),
        ] {
            std::fs::write(from.path().join(name), name).unwrap();
            std::fs::set_permissions(
                from.path().join(name),
                std::fs::Permissions::from_mode(mode),
            )
            .unwrap();
        }
        let cache = tempfile::tempdir().unwrap();
        let to = cache.path().join("new/zig-0.17.0-3");
        // SAFETY: umask only sets the process's file mode mask; the test puts it back.
        let old = unsafe { libc::umask(0) };
        let made = copy_tree_atomically(from.path(), &to, |_| true)
            .and_then(|()| write_atomically(&cache.path().join("new/probes/answer"), b"0.17.0"));
        unsafe { libc::umask(old) };
        made.unwrap();
        let mode = |p: &str| std::fs::metadata(cache.path().join(p)).unwrap().mode() & 0o777;
        let modes = [
            "new",
            "new/zig-0.17.0-3",
            "new/zig-0.17.0-3/zig",
            "new/zig-0.17.0-3/lib",
            "new/zig-0.17.0-3/lib/shared.zig",
            "new/probes",
            "new/probes/answer",
        ]
        .map(mode);
        assert_eq!(modes, [0o700, 0o700, 0o700, 0o700, 0o600, 0o700, 0o600]);
        let inode = |p: &Path| std::fs::metadata(p).unwrap().ino();
        assert_eq!(
            inode(&to.join("lib/std.zig")),
            inode(&from.path().join("lib/std.zig")),
            "a private file is linked"
        );
        assert_ne!(
            inode(&to.join("zig")),
            inode(&from.path().join("zig")),
            "a file others may write is copied"
        );
    }

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
