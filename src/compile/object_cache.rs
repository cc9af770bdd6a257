//! The object cache shared by every build dir (`python/zlig/object_cache.py` has the
//! mechanism, and says what its key holds): a fresh checkout, another venv's build, a build
//! after `zlig clean`, or a CI job that built the same commit before compiles only what no
//! build on the machine compiled with the same toolchain, flags, environment, source and
//! headers; an object is served only when compiling now would give it.
//!
//! The ninja backends run each compile through the cache's launcher: a standard-library
//! Python script that zlig copies into `<user cache>/zlig/objects/`, run by the interpreter
//! the build environment was made from, so that both outlive the build environment (an
//! editable install's rebuild runs it too). Written by hand because no Python package is
//! both a compiler cache and importable without installing it into the build environment;
//! ccache, the model, is a C program a machine may not have. The cache is bounded: after a
//! build, at most once an hour, the least recently used objects go until it is under its
//! bound. A cache that cannot be written is left out, said once; it never fails a build.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::compile::tool_home;
use crate::leftovers::{self, Folder};
use crate::target::Interpreter;
use crate::trust;

/// The launcher, copied into the cache under a name that changes with its text.
const LAUNCHER: &str = include_str!("../../python/zlig/object_cache.py");

/// How many bytes of objects the cache keeps.
const BOUND: u64 = 2 << 30;

/// How often the cache's size is checked.
const CHECK_EVERY: Duration = Duration::from_secs(3600);

/// The object cache a build uses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ObjectCache {
    /// `<user cache>/zlig/objects`.
    pub dir: PathBuf,
    /// The interpreter that runs the launcher.
    pub python: PathBuf,
    /// The launcher script in `dir`.
    pub launcher: PathBuf,
}

impl ObjectCache {
    /// The cache, ready to use, or `None` (said once) when it cannot be written or there is
    /// no lasting interpreter to run it. Its folder is closed to other users (what another
    /// user could have written there is thrown away first), and its launcher is the one
    /// this zlig carries, byte for byte (a damaged one is written again).
    pub fn open(interpreter: &Interpreter) -> Option<Self> {
        let python = interpreter.base_executable.clone()?;
        let dir = tool_home::writable_cache_dir()?.join("objects");
        let hash = Sha256::digest(LAUNCHER.as_bytes());
        let name: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
        let launcher = dir.join(format!("object_cache-{name}.py"));
        let whole = |path: &Path| {
            trust::why_unsafe(path).is_none()
                && std::fs::read(path).is_ok_and(|text| text == LAUNCHER.as_bytes())
        };
        let ready = settle(&dir).and_then(|()| match whole(&launcher) {
            true => Ok(()),
            false => tool_home::write_atomically(&launcher, LAUNCHER.as_bytes())
                .map_err(|err| err.to_string()),
        });
        if let Err(why) = ready {
            eprintln!(
                "zlig: warning: the object cache in {} cannot be used ({why}); compiling without it",
                dir.display()
            );
            return None;
        }
        Some(Self {
            dir,
            python,
            launcher,
        })
    }

    /// The words that run a compile command through the cache: `toolchain` names what the
    /// command's words do not (the compiler's version, the Python headers' release).
    pub fn launcher_words(&self, toolchain: &str) -> Vec<String> {
        let text = |p: &Path| p.to_string_lossy().into_owned();
        vec![
            text(&self.python),
            "-I".into(),
            "-S".into(),
            text(&self.launcher),
            text(&self.dir),
            toolchain.into(),
            "--".into(),
        ]
    }

    /// After a build: at most once an hour, removes what stopped writers left and the least
    /// recently used objects until the cache is under its bound. Best effort (on a full disk
    /// too, where the time of this trim cannot be noted).
    pub fn trim(&self) {
        let stamp = self.dir.join(".trimmed");
        let recent = std::fs::metadata(&stamp)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age < CHECK_EVERY));
        if !recent {
            let _ = tool_home::write_atomically(&stamp, b"");
            self.trim_to(BOUND);
        }
    }

    /// Removes the temporary files of stopped writers, then the least recently used objects
    /// until the cache's files (manifests, depfiles and writes in progress counted) take at
    /// most `bound` bytes.
    fn trim_to(&self, bound: u64) {
        let mut objects: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        let mut total = 0;
        for entry in walkdir::WalkDir::new(&self.dir).into_iter().flatten() {
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let name = entry.file_name().to_string_lossy();
            if !meta.is_file()
                || leftovers::is_leftover(&name, meta.modified().ok(), Folder::Cache)
                    && std::fs::remove_file(entry.path()).is_ok()
            {
                continue;
            }
            total += meta.len();
            if entry.path().extension().is_some_and(|x| x == "o") {
                objects.push((
                    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    meta.len(),
                    entry.into_path(),
                ));
            }
        }
        objects.sort();
        for (_, size, object) in objects {
            if total <= bound {
                break;
            }
            let depfile = object.with_extension("d");
            let depfile_size = std::fs::metadata(&depfile).map_or(0, |m| m.len());
            let _ = std::fs::remove_file(&object);
            let _ = std::fs::remove_file(depfile);
            total = total.saturating_sub(size + depfile_size);
        }
    }
}

/// Makes the cache's folder: private, and made afresh when something in it could be
/// another user's (`trust`; an object cache made before zlig kept it private).
fn settle(dir: &Path) -> Result<(), String> {
    trust::create_private_dir_all(dir).map_err(|err| err.to_string())?;
    if let Some(why) = trust::why_unsafe_tree(dir) {
        eprintln!(
            "zlig: the object cache in {} is started afresh: {why}",
            dir.display()
        );
        tool_home::remove_aside(dir)
            .and_then(|()| trust::create_private_dir_all(dir))
            .map_err(|err| err.to_string())?;
    }
    trust::why_unsafe_tree(dir).map_or(Ok(()), |why| Err(why.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_removes_the_least_recently_used_objects_first() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ObjectCache {
            dir: dir.path().to_path_buf(),
            python: "python3".into(),
            launcher: dir.path().join("launcher.py"),
        };
        let big = vec![0u8; 600];
        let epoch = SystemTime::UNIX_EPOCH;
        for (name, age) in [("old", 1), ("mid", 2), ("new", 3)] {
            let object = dir.path().join("objects/ab").join(format!("{name}.o"));
            std::fs::create_dir_all(object.parent().unwrap()).unwrap();
            std::fs::write(&object, &big).unwrap();
            std::fs::write(object.with_extension("d"), "").unwrap();
            let file = std::fs::File::options().write(true).open(&object).unwrap();
            file.set_modified(epoch + Duration::from_secs(age)).unwrap();
        }
        cache.trim_to(1000);
        let left: Vec<bool> = ["old", "mid", "new"]
            .iter()
            .map(|n| {
                dir.path()
                    .join("objects/ab")
                    .join(format!("{n}.o"))
                    .exists()
            })
            .collect();
        assert_eq!(left, [false, false, true]);
        assert!(!dir.path().join("objects/ab/old.d").exists());
    }

    #[test]
    fn trimming_removes_what_stopped_writers_left_and_counts_writes_in_progress() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ObjectCache {
            dir: dir.path().to_path_buf(),
            python: "python3".into(),
            launcher: dir.path().join("launcher.py"),
        };
        let shard = dir.path().join("objects/ab");
        std::fs::create_dir_all(&shard).unwrap();
        let an_hour_ago = SystemTime::now() - Duration::from_secs(7200);
        for (name, age) in [
            (".tmp-killed", an_hour_ago),
            ("x.o", SystemTime::UNIX_EPOCH),
        ] {
            let file = std::fs::File::create(shard.join(name)).unwrap();
            file.set_len(600).unwrap();
            file.set_modified(age).unwrap();
        }
        // A write in progress, of this very process: its bytes count towards the bound.
        std::fs::write(
            shard.join(format!("{}y", leftovers::temp_prefix())),
            vec![0u8; 600],
        )
        .unwrap();
        cache.trim_to(1000);
        assert!(!shard.join(".tmp-killed").exists());
        assert!(!shard.join("x.o").exists(), "600 + 600 bytes are over 1000");
        cache.trim_to(1000);
        assert_eq!(std::fs::read_dir(&shard).unwrap().count(), 1);
    }
}
