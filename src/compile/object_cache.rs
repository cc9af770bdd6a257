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
use crate::target::Interpreter;

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
    /// no lasting interpreter to run it.
    pub fn open(interpreter: &Interpreter) -> Option<Self> {
        let python = interpreter.base_executable.clone()?;
        let dir = tool_home::writable_cache_dir()?.join("objects");
        let hash = Sha256::digest(LAUNCHER.as_bytes());
        let name: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
        let launcher = dir.join(format!("object_cache-{name}.py"));
        if !launcher.is_file()
            && let Err(err) = write_atomically(&launcher, LAUNCHER)
        {
            eprintln!(
                "zlig: warning: the object cache in {} cannot be written ({err}); compiling without it",
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

    /// After a build: at most once an hour, removes the least recently used objects until
    /// the cache is under its bound. Best effort.
    pub fn trim(&self) {
        let stamp = self.dir.join(".trimmed");
        let recent = std::fs::metadata(&stamp)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age < CHECK_EVERY));
        if !recent && std::fs::write(&stamp, "").is_ok() {
            self.trim_to(BOUND);
        }
    }

    /// Removes the least recently used objects until the cache holds at most `bound` bytes.
    fn trim_to(&self, bound: u64) {
        let mut objects: Vec<(SystemTime, u64, PathBuf)> =
            walkdir::WalkDir::new(self.dir.join("objects"))
                .into_iter()
                .flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "o"))
                .filter_map(|e| {
                    let meta = e.metadata().ok()?;
                    Some((meta.modified().ok()?, meta.len(), e.into_path()))
                })
                .collect();
        let mut total: u64 = objects.iter().map(|(_, size, _)| size).sum();
        objects.sort();
        for (_, size, object) in objects {
            if total <= bound {
                break;
            }
            let _ = std::fs::remove_file(&object);
            let _ = std::fs::remove_file(object.with_extension("d"));
            total -= size;
        }
    }
}

/// Writes `text` to `path` through a temporary sibling and a rename.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temp, text.as_bytes())?;
    temp.persist(path).map_err(|err| err.error)?;
    Ok(())
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
}
