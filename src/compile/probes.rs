//! Remembered tool answers: the first line a tool prints for `--version` (or `version`),
//! kept per binary in the user's cache.
//!
//! Each probe is a process start (zig's binary is 185 MB) on every build, while the answer
//! changes only with the file. The key is the resolved file's identity, size and times, so
//! a replaced or upgraded tool is asked again. An answer is taken only from a file no other
//! user could have written (`trust`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use crate::compile::tool_home;
use crate::compile::toolchain::{Problem, on_path};
use crate::trust;

/// How many answers are kept: each isolated build's temporary `ziglang` zig leaves one.
const KEPT_ANSWERS: usize = 64;

/// The first line `program arg` prints, remembered in the user's cache.
pub fn first_line(program: &Path, arg: &str) -> Result<String, Problem> {
    let answers = tool_home::writable_cache_dir().map(|dir| dir.join("probes"));
    remembered_first_line(answers.as_deref(), program, arg)
}

/// `first_line`, with the answers kept in `answers`.
fn remembered_first_line(
    answers: Option<&Path>,
    program: &Path,
    arg: &str,
) -> Result<String, Problem> {
    let remembered = answers.and_then(|dir| answer_file(dir, program, arg));
    // An answer another user could have written is not taken (`trust`): it is asked again.
    if let Some(line) = remembered
        .as_ref()
        .filter(|file| trust::why_unsafe(file).is_none())
        .and_then(|file| std::fs::read_to_string(file).ok())
    {
        return Ok(line);
    }
    let line = ask(program, arg)?;
    if let Some(file) = remembered {
        // Only a cache: a failure to write it costs the next build one more probe.
        let _ = remember(&file, &line);
    }
    Ok(line)
}

/// Where the answer of `program arg` is kept: `<answers>/<key>`.
fn answer_file(answers: &Path, program: &Path, arg: &str) -> Option<PathBuf> {
    use sha2::{Digest, Sha256};
    use std::os::unix::fs::MetadataExt;

    let resolved = if program.components().count() > 1 {
        program.to_path_buf()
    } else {
        on_path(
            std::env::var_os("PATH").as_ref(),
            &program.to_string_lossy(),
        )?
    };
    let file = std::fs::metadata(&resolved).ok()?;
    let key = Sha256::digest(format!(
        "{}\0{arg}\0{}:{}:{}:{}.{}:{}.{}",
        resolved.display(),
        file.dev(),
        file.ino(),
        file.size(),
        file.mtime(),
        file.mtime_nsec(),
        file.ctime(),
        file.ctime_nsec(),
    ));
    let name: String = key[..16].iter().map(|b| format!("{b:02x}")).collect();
    Some(answers.join(name))
}

/// Writes an answer (private, through a temporary sibling, so a concurrent build never
/// reads half), and removes the oldest answers beyond `KEPT_ANSWERS` (one of those asked
/// again costs a single probe).
fn remember(file: &Path, line: &str) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    tool_home::write_atomically(file, line.as_bytes())?;
    let mut answers: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)?
        .flatten()
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .collect();
    answers.sort();
    let surplus = answers.len().saturating_sub(KEPT_ANSWERS);
    for (_, old) in &answers[..surplus] {
        let _ = std::fs::remove_file(old);
    }
    Ok(())
}

/// Runs `program arg` and returns the first line it prints.
fn ask(program: &Path, arg: &str) -> Result<String, Problem> {
    let output = Command::new(program)
        .arg(arg)
        .output()
        .map_err(|err| Problem::CannotRun(Arc::new(err)))?;
    if !output.status.success() {
        return Err(Problem::Failed {
            arg: arg.to_string(),
            status: output.status.to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn answers_are_remembered_until_the_tool_changes() {
        let tool = tempfile::tempdir().unwrap();
        let answers = tempfile::tempdir().unwrap();
        let runs = tool.path().join("runs");
        let zig = tool.path().join("zig");
        let script = |version: &str| {
            format!(
                "#!/bin/sh\necho run >> {}\necho {version}\n",
                runs.display()
            )
        };
        std::fs::write(&zig, script("0.17.0")).unwrap();
        std::fs::set_permissions(&zig, std::fs::Permissions::from_mode(0o755)).unwrap();
        let ask = || remembered_first_line(Some(answers.path()), &zig, "version").unwrap();
        assert_eq!((ask(), ask()), ("0.17.0".into(), "0.17.0".into()));
        assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 1);
        // An upgrade in place changes the file's times and size: asked again.
        std::fs::write(&zig, script("0.17.10")).unwrap();
        assert_eq!(ask(), "0.17.10");
        assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 2);
    }

    #[test]
    fn only_the_newest_answers_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let epoch = std::time::SystemTime::UNIX_EPOCH;
        for i in 0..KEPT_ANSWERS as u64 + 5 {
            let file = std::fs::File::create(dir.path().join(format!("old{i}"))).unwrap();
            file.set_modified(epoch + std::time::Duration::from_secs(1000 + i))
                .unwrap();
        }
        remember(&dir.path().join("new"), "zig 0.17.0").unwrap();
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left.len(), KEPT_ANSWERS);
        assert!(left.contains(&"new".to_string()));
        assert!(!left.contains(&"old5".to_string()) && left.contains(&"old6".to_string()));
    }
}
