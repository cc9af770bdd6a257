//! What zig's cache must forget after a `zig build`: the records of steps that read a
//! file edited while the build ran.
//!
//! zig hashes the headers of a C object after compiling it (the files of clang's depfile,
//! `Cache.Manifest.addDiscoveredDepFile`), and the inputs of a Run step (zlig's Cython
//! step) after running it. A header edited while its source compiles is therefore recorded
//! with its new bytes beside an object built from the old ones, and every later build
//! calls that object up to date. ccache refuses to store such a result ("include file too
//! new"); zig has no such check, so zlig makes it from outside: it dates the build's start
//! in the file system's clock, and afterwards removes each manifest written during the
//! build that names a file changed (mtime or ctime) since then. A missing manifest is a
//! plain miss to zig, which compiles that step again next time; editing a manifest in
//! place (zig's binary format, with its own locks) would not be. Only the project's files
//! and files outside the build dir are checked: what zlig writes into the build dir before
//! the build (the graph, version scripts, package headers) is its own.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::compile::backend::PROJECT_LINK;

/// The start of a `zig build`, in the file system's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BuildStart(i128);

/// The bytes before a recorded file's flags in zig 0.17's manifest entry (`Cache.Manifest.File`,
/// an extern struct of align-1 fields): size (u64), inode (u64), mtime (i64), digest (16).
const FLAGS_AT: usize = 8 + 8 + 8 + 16;

/// The prefixes (`Cache.addPrefix`, in the flags' top six bits) whose paths are the build's
/// inputs: 0, the working folder (zig writes other paths absolute under it), and 4, the
/// build root, in zig's build runner; both are the backend's folder. The others are zig's
/// lib folder and its caches.
const INPUT_PREFIXES: [u8; 2] = [0, 4];

fn ns(secs: i64, nanos: i64) -> i128 {
    i128::from(secs) * 1_000_000_000 + i128::from(nanos)
}

/// When a file last changed, content or name: the later of its mtime and ctime.
fn changed(meta: &std::fs::Metadata) -> i128 {
    ns(meta.mtime(), meta.mtime_nsec()).max(ns(meta.ctime(), meta.ctime_nsec()))
}

impl BuildStart {
    /// Dates now as the file system does, by creating a file in `work_dir` (a file's times
    /// and this one come from one clock); None when it cannot be written.
    pub fn stamp(work_dir: &Path) -> Option<Self> {
        let stamp = work_dir.join("build-started");
        let _ = std::fs::remove_file(&stamp);
        let file = std::fs::File::create_new(&stamp).ok()?;
        Some(Self(changed(&file.metadata().ok()?)))
    }

    /// Removes from `work_dir/zig-cache/h` each manifest written since the build started
    /// that names a file changed since then, or that cannot be read as a manifest. Best
    /// effort: a manifest left in place is what zig would have used anyway.
    pub fn forget_edited(self, work_dir: &Path) {
        let Ok(base) = std::fs::canonicalize(work_dir) else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(work_dir.join("zig-cache").join("h")) else {
            return;
        };
        for entry in entries.flatten() {
            let written = entry
                .metadata()
                .is_ok_and(|m| ns(m.mtime(), m.mtime_nsec()) >= self.0);
            if written && self.names_an_edited_file(&entry.path(), &base) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Whether the manifest at `path` names an input changed since the start (a damaged
    /// one counts: it is removed). `base` is the backend's folder, symlinks resolved, as
    /// zig's paths are.
    fn names_an_edited_file(self, path: &Path, base: &Path) -> bool {
        let Ok(bytes) = std::fs::read(path) else {
            return false;
        };
        if bytes.is_empty() {
            return false; // zig's `timestamp`, or a manifest never written: nothing recorded
        }
        let Some(files) = recorded_files(&bytes) else {
            return true;
        };
        let own = base.parent().unwrap_or(base);
        let project = base.join(PROJECT_LINK);
        files
            .into_iter()
            .filter(|(prefix, _)| INPUT_PREFIXES.contains(prefix))
            .map(|(_, file)| base.join(file))
            .filter(|file| file.starts_with(&project) || !file.starts_with(own))
            .any(|file| std::fs::metadata(&file).is_ok_and(|m| changed(&m) >= self.0))
    }
}

/// The files a zig 0.17 manifest records, with their prefix index: entries of `FLAGS_AT`
/// bytes, a flags byte (prefix in its top six bits), the path and a NUL; then one more
/// NUL. None when the bytes are not such a manifest.
fn recorded_files(bytes: &[u8]) -> Option<Vec<(u8, PathBuf)>> {
    let mut files = Vec::new();
    let mut rest = bytes;
    while rest != [0] {
        let flags = *rest.get(FLAGS_AT)?;
        let path = &rest[FLAGS_AT + 1..];
        let end = path.iter().position(|&b| b == 0)?;
        files.push((flags >> 2, PathBuf::from(OsStr::from_bytes(&path[..end]))));
        rest = &path[end + 1..];
    }
    Some(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manifest entry as zig 0.17 writes it.
    fn entry(prefix: u8, path: &str) -> Vec<u8> {
        let mut bytes = vec![7u8; FLAGS_AT];
        bytes.push(prefix << 2);
        bytes.extend(path.as_bytes());
        bytes.push(0);
        bytes
    }

    fn manifest(entries: &[(u8, &str)]) -> Vec<u8> {
        let mut bytes: Vec<u8> = entries.iter().flat_map(|(p, f)| entry(*p, f)).collect();
        bytes.push(0);
        bytes
    }

    #[test]
    fn a_manifest_is_read_as_its_files_and_their_prefixes() {
        let bytes = manifest(&[
            (0, "/p/a.c"),
            (1, "libc/include/stdio.h"),
            (4, "project/b.h"),
        ]);
        let files = recorded_files(&bytes).unwrap();
        let expected: Vec<(u8, PathBuf)> = vec![
            (0, "/p/a.c".into()),
            (1, "libc/include/stdio.h".into()),
            (4, "project/b.h".into()),
        ];
        assert_eq!(files, expected);
        assert_eq!(recorded_files(&[0]).unwrap(), []);
        assert_eq!(recorded_files(&bytes[..bytes.len() - 1]), None);
        assert_eq!(recorded_files(&bytes[..30]), None);
    }

    /// A build dir's backend folder with a project linked in, and its zig cache.
    fn build_dir() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        std::fs::create_dir_all(project.join("inc")).unwrap();
        std::fs::write(project.join("inc/shared.h"), "#define SHARED 40\n").unwrap();
        let work_dir = dir.path().join("build/zig");
        std::fs::create_dir_all(work_dir.join("zig-cache/h")).unwrap();
        std::os::unix::fs::symlink(&project, work_dir.join(PROJECT_LINK)).unwrap();
        std::fs::write(work_dir.join("graph.json"), "{}").unwrap();
        (dir, work_dir)
    }

    /// A manifest naming the project's header and zlig's own graph, written into `h`.
    fn write_manifest(work_dir: &Path, name: &str) -> PathBuf {
        let base = std::fs::canonicalize(work_dir).unwrap();
        let header = base.join("project/inc/shared.h");
        let graph = base.join("graph.json");
        let path = work_dir.join("zig-cache/h").join(name);
        let files = [
            (0, header.to_str().unwrap()),
            (0, graph.to_str().unwrap()),
            (1, "std/std.zig"),
        ];
        std::fs::write(&path, manifest(&files)).unwrap();
        path
    }

    #[test]
    fn a_manifest_naming_a_file_edited_during_the_build_is_forgotten() {
        let (dir, work_dir) = build_dir();
        let start = BuildStart::stamp(&work_dir).unwrap();
        let edited = write_manifest(&work_dir, "edited");
        let damaged = work_dir.join("zig-cache/h/damaged");
        std::fs::write(&damaged, &std::fs::read(&edited).unwrap()[..20]).unwrap();
        let timestamp = work_dir.join("zig-cache/h/timestamp");
        std::fs::write(&timestamp, "").unwrap();
        std::fs::write(
            dir.path().join("project/inc/shared.h"),
            "#define SHARED 50\n",
        )
        .unwrap();

        start.forget_edited(&work_dir);
        assert!(!edited.exists());
        assert!(!damaged.exists());
        assert!(timestamp.exists());
    }

    #[test]
    fn a_manifest_of_files_unchanged_since_the_start_is_kept() {
        let (_dir, work_dir) = build_dir();
        let kept = write_manifest(&work_dir, "kept");
        // A start after every file above (whose times cannot be set back): the manifest is
        // dated after it, as if zig wrote it during the build; zlig's own graph.json, written
        // just before a build, never counts.
        let now = |m: std::fs::Metadata| ns(m.mtime(), m.mtime_nsec());
        let start = BuildStart(now(std::fs::metadata(&kept).unwrap()) + 3_600_000_000_000);
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(7200);
        let file = std::fs::File::options().write(true).open(&kept).unwrap();
        file.set_modified(later).unwrap();
        std::fs::write(work_dir.join("graph.json"), "{\"changed\": true}").unwrap();

        start.forget_edited(&work_dir);
        assert!(kept.exists());
    }

    #[test]
    fn a_manifest_written_before_the_build_is_kept() {
        let (dir, work_dir) = build_dir();
        let older = write_manifest(&work_dir, "older");
        let file = std::fs::File::options().write(true).open(&older).unwrap();
        file.set_modified(std::time::SystemTime::UNIX_EPOCH)
            .unwrap();
        let start = BuildStart::stamp(&work_dir).unwrap();
        std::fs::write(
            dir.path().join("project/inc/shared.h"),
            "#define SHARED 50\n",
        )
        .unwrap();

        // It was a hit this time; zig sees the edit itself next time.
        start.forget_edited(&work_dir);
        assert!(older.exists());
    }
}
