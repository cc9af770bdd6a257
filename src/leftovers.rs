//! Temporary files and folders, and what stopped writers leave of them.
//!
//! zlig writes every output and everything it keeps under a temporary name in the folder
//! where it belongs, then renames it into place. The name starts with `.zlig-<pid>-`, so
//! that a later build can tell what a killed writer left (its process is gone) from a write
//! in progress. zlig's user cache also holds temporary names of earlier versions and of the
//! object cache's launcher (`.zlig-…`, `.tmp…`, `.removing-…`, `.ninja-…`,
//! `.zig-configure-…`, without a process id): those are taken for leftovers an hour after
//! their last change, longer than any write takes.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// The prefix of this process's temporary names.
pub fn temp_prefix() -> String {
    format!(".zlig-{}-", std::process::id())
}

/// The prefixes of temporary names in zlig's cache, this version's first.
const CACHE_PREFIXES: &[&str] = &[".zlig-", ".tmp", ".removing-", ".ninja-", ".zig-configure-"];

/// How long a temporary name without a process id may be written.
const OLD: Duration = Duration::from_secs(3600);

/// Where temporary names are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// A folder of the user's (an output folder): only `.zlig-<pid>-` names are zlig's.
    Users,
    /// A folder of zlig's cache: every temporary name there is zlig's.
    Cache,
}

/// Whether the entry `name`, last changed at `modified`, is what a stopped writer left.
pub fn is_leftover(name: &str, modified: Option<SystemTime>, folder: Folder) -> bool {
    let with_pid = name
        .strip_prefix(".zlig-")
        .and_then(|rest| rest.split('-').next())
        .and_then(|pid| pid.parse::<libc::pid_t>().ok());
    match (with_pid, folder) {
        (Some(pid), _) => !running(pid),
        (None, Folder::Users) => false,
        (None, Folder::Cache) => {
            CACHE_PREFIXES.iter().any(|prefix| name.starts_with(prefix))
                && modified.is_some_and(|time| time.elapsed().is_ok_and(|age| age > OLD))
        }
    }
}

/// Removes what stopped writers left in `dir` (not below it); returns the bytes freed.
/// Best effort: a leftover that cannot be removed harms nothing.
pub fn remove(dir: &Path, folder: Folder) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut freed = 0;
    for entry in entries.flatten() {
        let (Some(name), Ok(meta)) = (
            entry.file_name().to_str().map(String::from),
            entry.metadata(),
        ) else {
            continue;
        };
        if is_leftover(&name, meta.modified().ok(), folder) {
            let path = entry.path();
            let bytes = size(&path);
            let removed = match meta.is_dir() {
                true => std::fs::remove_dir_all(&path),
                false => std::fs::remove_file(&path),
            };
            if removed.is_ok() {
                freed += bytes;
            }
        }
    }
    freed
}

/// The bytes of the files under `path`, links not followed.
pub fn size(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.metadata().ok())
        .filter(|meta| meta.is_file())
        .map(|meta| meta.len())
        .sum()
}

/// Whether process `pid` exists (on this machine's process table).
fn running(pid: libc::pid_t) -> bool {
    // SAFETY: signal 0 only asks whether the process exists.
    let gone = unsafe { libc::kill(pid, 0) } == -1
        && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
    !gone
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process id that no running process has: a child that has been waited for.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn leftovers_of_stopped_writers_go_and_writes_in_progress_stay() {
        let dir = tempfile::tempdir().unwrap();
        let dead = format!(".zlig-{}-abc", dead_pid());
        let old = SystemTime::now() - Duration::from_secs(7200);
        let files = [
            (dead.as_str(), None),
            (&*temp_prefix(), None),
            (".tmp-old", Some(old)),
            (".tmp-new", None),
            (".removing-1-zig", Some(old)),
            ("ninja-1.13.1", Some(old)),
        ];
        for (name, modified) in files {
            let file = std::fs::File::create(dir.path().join(name)).unwrap();
            if let Some(time) = modified {
                file.set_modified(time).unwrap();
            }
        }
        std::fs::create_dir(dir.path().join(format!("{dead}-folder"))).unwrap();
        std::fs::write(dir.path().join(format!("{dead}-folder/zig")), "12345").unwrap();
        let left = || {
            let mut names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        assert_eq!(remove(dir.path(), Folder::Users), 5);
        assert_eq!(
            left().len(),
            5,
            "in a user's folder only `.zlig-<pid>-` names are zlig's"
        );
        remove(dir.path(), Folder::Cache);
        assert_eq!(
            left(),
            [".tmp-new".into(), temp_prefix(), "ninja-1.13.1".to_string()]
        );
    }
}
