//! The build dir on disk: made, marked, locked, and removed by `zlig clean`.
//!
//! A build dir zlig made holds a `CACHEDIR.TAG` (the cache directory tag standard, which
//! backup tools honour) and a `.gitignore` of `*` (so that git, like uv's and pytest's
//! folders, never lists it): zlig builds only in an empty folder or one with the tag, and
//! `clean` removes only folders with the tag, so a folder zlig did not make is never
//! written into or removed. The build dir also records what zlig made outside it (the
//! folders above it that it created, the modules `develop --inplace` copied next to their
//! sources), which `clean` removes with it, and nothing else. One build at a time: a build
//! holds the `.lock` file from before it writes anything until its modules are packed, and
//! `clean` takes it too; a build that must wait says who it waits for.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{IoContext, Result};
use crate::project::Project;

/// The cache directory tag (<https://bford.info/cachedir/>).
const TAG_FILE: &str = "CACHEDIR.TAG";
const TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by zlig, the Python build backend.\n# For information about cache directory tags see https://bford.info/cachedir/\n";
const LOCK_FILE: &str = ".lock";
/// Keeps git from listing the build dir: it ignores everything, itself included.
const GITIGNORE: (&str, &str) = (
    ".gitignore",
    "# Created by zlig: a build dir, never committed.\n*\n",
);
/// What zlig made outside the build dir (`MadeOutside`).
const MADE_FILE: &str = "made-outside.json";

/// What zlig made outside a build dir, for `clean` to remove with it.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct MadeOutside {
    /// Folders above the build dir that did not exist before it was made.
    folders: Vec<PathBuf>,
    /// Modules copied in place, each with the sha256 of what was written: one that has
    /// changed since is someone else's and stays.
    modules: std::collections::BTreeMap<PathBuf, String>,
}

impl MadeOutside {
    fn read(dir: &Path) -> Self {
        std::fs::read(dir.join(MADE_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn write(&self, dir: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        crate::compile::tool_home::write_atomically(&dir.join(MADE_FILE), &bytes)
    }
}

/// The sha256 of a file's bytes, in hex.
fn file_hash(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path)?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Why a build dir cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BuildDirError {
    #[error(
        "{} already holds files and is not a build dir zlig made (it has no {TAG_FILE}); name an empty or new folder as `build-dir`",
        .0.display()
    )]
    NotOurs(PathBuf),
    #[error(
        "cannot create the build dir {}: {source}{}",
        .dir.display(),
        if matches!(.source.raw_os_error(), Some(libc::EACCES | libc::EROFS | libc::EPERM)) {
            "; if the project folder is read-only, build elsewhere with `-C build-dir=/a/writable/folder`"
        } else {
            ""
        }
    )]
    Create {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("locking the build dir {}: {source}", .dir.display())]
    Lock {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("removing {}: {source}", .dir.display())]
    Remove {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One build dir.
pub struct BuildDir {
    path: PathBuf,
}

/// The build dir's lock, held while alive.
pub struct Lock {
    _file: File,
    path: PathBuf,
}

impl Lock {
    /// The lock file, which an editable install's rebuild takes too.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl BuildDir {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes the build dir (a new folder, or one zlig made) and takes its lock, waiting for
    /// another build that holds it.
    pub fn lock(&self) -> Result<Lock> {
        let dir = &self.path;
        let ours = dir.join(TAG_FILE).is_file() || dir.join(LOCK_FILE).is_file();
        if !ours && std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
            return Err(BuildDirError::NotOurs(dir.clone()).into());
        }
        let create = |source| BuildDirError::Create {
            dir: dir.clone(),
            source,
        };
        loop {
            let above: Vec<PathBuf> = dir
                .ancestors()
                .skip(1)
                .take_while(|folder| !folder.exists())
                .map(Path::to_path_buf)
                .collect();
            std::fs::create_dir_all(dir).map_err(create)?;
            let lock = take_lock(&dir.join(LOCK_FILE))?;
            if !dir.join(TAG_FILE).is_file() {
                std::fs::write(dir.join(TAG_FILE), TAG).map_err(create)?;
                if !above.is_empty() {
                    let made = MadeOutside {
                        folders: above,
                        ..MadeOutside::default()
                    };
                    made.write(dir).map_err(create)?;
                }
            }
            let (name, text) = GITIGNORE;
            if !dir.join(name).is_file() {
                std::fs::write(dir.join(name), text).map_err(create)?;
            }
            if let Some(lock) = lock {
                return Ok(lock);
            }
            // `clean` removed the folder while we waited: make it again.
        }
    }

    /// Records modules copied in place from this build dir (its lock held), so that
    /// `clean` removes them with it.
    pub fn record_inplace(&self, modules: &[PathBuf]) -> Result<()> {
        let mut made = MadeOutside::read(&self.path);
        for module in modules {
            let hash = file_hash(module).context(|| format!("reading {}", module.display()))?;
            made.modules.insert(module.clone(), hash);
        }
        made.write(&self.path)
            .context(|| format!("writing {}", self.path.join(MADE_FILE).display()))
    }

    /// Makes `<build dir>/<name>` (a backend's own folder) and returns it.
    pub fn create(&self, name: &str) -> Result<PathBuf> {
        let dir = self.path.join(name);
        std::fs::create_dir_all(&dir).map_err(|source| BuildDirError::Create {
            dir: dir.clone(),
            source,
        })?;
        Ok(dir)
    }
}

/// Locks `path`, waiting (and saying so) while another process holds it; `None` when the
/// file was removed while we waited, so that the lock guards nothing.
fn take_lock(path: &Path) -> Result<Option<Lock>> {
    let error = |source| BuildDirError::Lock {
        dir: path.parent().unwrap_or(path).to_path_buf(),
        source,
    };
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(error)?;
    if let Err(std::fs::TryLockError::WouldBlock) = file.try_lock() {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        let holder = match holder.trim() {
            "" => String::new(),
            pid => format!(" (process {pid})"),
        };
        eprintln!(
            "zlig: waiting for another build{holder} to finish with {}",
            path.parent().unwrap_or(path).display()
        );
        file.lock().map_err(error)?;
    }
    let same = std::fs::metadata(path)
        .ok()
        .zip(file.metadata().ok())
        .is_some_and(|(now, ours)| now.ino() == ours.ino() && now.dev() == ours.dev());
    if !same {
        return Ok(None);
    }
    // Who holds it, for a build that has to wait.
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "{}", std::process::id());
    Ok(Some(Lock {
        _file: file,
        path: path.to_path_buf(),
    }))
}

/// Removes the project's build dirs that zlig made (each under its lock), with what they
/// record that zlig made outside them: the modules copied in place (unless changed since)
/// and the folders made for them (once empty). Returns what was removed, a folder standing
/// for what it held.
pub fn clean(project: &Project) -> Result<Vec<PathBuf>> {
    let base = &project.build_base;
    let candidates: Vec<PathBuf> = match project.settings.build_dir {
        Some(_) => vec![base.clone()],
        None => match std::fs::read_dir(base) {
            Ok(entries) => {
                let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
                dirs.sort();
                dirs
            }
            Err(_) => Vec::new(),
        },
    };
    let mut removed = Vec::new();
    let mut folders = Vec::new();
    for dir in candidates {
        if !dir.join(TAG_FILE).is_file() {
            continue;
        }
        let Some(_lock) = take_lock(&dir.join(LOCK_FILE))? else {
            continue;
        };
        let made = MadeOutside::read(&dir);
        std::fs::remove_dir_all(&dir).map_err(|source| BuildDirError::Remove {
            dir: dir.clone(),
            source,
        })?;
        removed.push(dir);
        for (module, hash) in made.modules {
            if file_hash(&module).is_ok_and(|now| now == hash)
                && std::fs::remove_file(&module).is_ok()
            {
                removed.push(module);
            }
        }
        folders.extend(made.folders);
    }
    // `build/zlig` is zlig's own, whoever made `build/`: it goes once empty.
    if project.settings.build_dir.is_none() && !removed.is_empty() {
        folders.push(base.clone());
    }
    // Deepest first, so that a folder made for another is empty by its turn.
    folders.sort_by(|a, b| {
        (b.components().count(), b.as_path()).cmp(&(a.components().count(), a.as_path()))
    });
    folders.dedup();
    for folder in folders {
        if std::fs::remove_dir(&folder).is_ok() {
            removed.retain(|path| !path.starts_with(&folder));
            removed.push(folder);
        }
    }
    removed.sort();
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::scrubbed;

    #[test]
    fn a_folder_with_files_zlig_did_not_make_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let err = BuildDir::new(dir.path().to_path_buf())
            .lock()
            .err()
            .unwrap()
            .to_string();
        insta::assert_snapshot!(scrubbed(&err), @"[TMP] already holds files and is not a build dir zlig made (it has no CACHEDIR.TAG); name an empty or new folder as `build-dir`");
        let fresh = dir.path().join("build");
        let lock = BuildDir::new(fresh.clone()).lock().unwrap();
        assert_eq!(std::fs::read_to_string(fresh.join(TAG_FILE)).unwrap(), TAG);
        assert_eq!(
            std::fs::read_to_string(lock.path()).unwrap(),
            std::process::id().to_string()
        );
    }
}
